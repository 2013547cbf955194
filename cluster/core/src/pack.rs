//! Spreading weighted items over a number of groups.

/// Splits `items` into `groups` (at most one per item) of about equal total `size`: largest
/// first, each to the currently lightest group. Ties keep the input order, so the result is
/// deterministic.
///
/// ```
/// let groups = reviewlake_core::bin_pack(vec![50u64, 40, 30, 20, 10], 2, |size| *size);
/// assert_eq!(groups, [vec![50, 20, 10], vec![40, 30]]);
/// ```
pub fn bin_pack<T>(mut items: Vec<T>, groups: usize, size: impl Fn(&T) -> u64) -> Vec<Vec<T>> {
    items.sort_by_key(|item| std::cmp::Reverse(size(item)));
    let groups = groups.clamp(1, items.len().max(1));
    let mut bins: Vec<(u64, Vec<T>)> = (0..groups).map(|_| (0, Vec::new())).collect();
    for item in items {
        let lightest = bins.iter_mut().min_by_key(|(total, _)| *total).expect("at least one group");
        lightest.0 += size(&item);
        lightest.1.push(item);
    }
    bins.into_iter().map(|(_, items)| items).collect()
}
