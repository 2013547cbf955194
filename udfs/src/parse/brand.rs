//! Metadata `brand`.

use crate::text::clean_markup;

/// The value used for a missing or placeholder brand, as in the reference's gold table.
pub const UNKNOWN: &str = "Unknown";

/// Cleans a metadata brand for grouping: entities decoded (`F&amp;W` -> `F&W`), tags removed,
/// whitespace collapsed, the scraped prefixes removed (`"by\n    \n    Nintendo"` ->
/// `Nintendo`, `"Visit Amazon's Nintendo Page"` -> `Nintendo`), and missing or placeholder
/// values (`None`, blank, `Unknown`, `N/A`, `none`, `null`, `-`, in any case) mapped to
/// `"Unknown"`.
///
/// The `by` prefix is removed when it is lowercase `by` followed by whitespace, or any-case
/// `By`/`BY` followed by a line break (the scraper's layout), so a brand really called
/// `By Terry` survives. Brand capitalisation is kept: unlike categories, brands such as
/// `LEGO` and `iTunes` are spelled that way on purpose; merging their case variants needs the
/// most common spelling across rows, which is a job for an aggregate, not a row function.
///
/// ```
/// # use reviewlake_udfs::parse::normalize_brand;
/// assert_eq!(normalize_brand(Some("by\n    \n    Nintendo")), "Nintendo");
/// assert_eq!(normalize_brand(Some("Visit Amazon's Nintendo Page")), "Nintendo");
/// assert_eq!(normalize_brand(Some("Texas Parks &amp; Wildlife")), "Texas Parks & Wildlife");
/// assert_eq!(normalize_brand(Some("unknown")), "Unknown");
/// assert_eq!(normalize_brand(None), "Unknown");
/// ```
pub fn normalize_brand(brand: Option<&str>) -> String {
    let mut out = String::new();
    normalize_brand_into(brand, &mut out);
    out
}

/// [`normalize_brand`] into a reusable buffer (cleared first).
///
/// ```
/// # use reviewlake_udfs::parse::normalize_brand_into;
/// let mut out = String::new();
/// normalize_brand_into(Some("  "), &mut out);
/// assert_eq!(out, "Unknown");
/// ```
pub fn normalize_brand_into(brand: Option<&str>, out: &mut String) {
    out.clear();
    let Some(raw) = brand else {
        out.push_str(UNKNOWN);
        return;
    };
    clean_markup(raw, out);
    if has_by_prefix(raw) && out.len() > 3 && out.as_bytes()[..3].eq_ignore_ascii_case(b"by ") {
        out.drain(..3);
    }
    strip_visit_page(out);
    if is_placeholder(out) {
        out.clear();
        out.push_str(UNKNOWN);
    }
}

fn has_by_prefix(raw: &str) -> bool {
    let t = raw.trim_start();
    let Some(rest) = t.get(2..) else { return false };
    let ws: &str = &rest[..rest.len() - rest.trim_start().len()];
    if ws.is_empty() || rest.trim_start().is_empty() {
        return false;
    }
    match &t[..2] {
        "by" => true,
        "By" | "BY" | "bY" => ws.contains('\n'),
        _ => false,
    }
}

/// `Visit Amazon's X Page` (apostrophe straight or curly) -> `X`.
fn strip_visit_page(out: &mut String) {
    const SUFFIX: &[u8] = b" page";
    let b = out.as_bytes();
    let prefix_len = ["visit amazon's ", "visit amazon\u{2019}s "]
        .iter()
        .find(|p| b.len() >= p.len() && b[..p.len()].eq_ignore_ascii_case(p.as_bytes()))
        .map(|p| p.len());
    let Some(prefix_len) = prefix_len else { return };
    if b[prefix_len..].eq_ignore_ascii_case(&SUFFIX[1..]) {
        // "Visit Amazon's Page": no brand inside.
        out.clear();
    } else if b.len() >= prefix_len + SUFFIX.len() && b[b.len() - SUFFIX.len()..].eq_ignore_ascii_case(SUFFIX) {
        out.truncate(out.len() - SUFFIX.len());
        out.drain(..prefix_len);
    }
}

fn is_placeholder(s: &str) -> bool {
    s.is_empty() || ["unknown", "n/a", "na", "none", "null", "-", "."].iter().any(|p| p.eq_ignore_ascii_case(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brand(s: &str) -> String {
        normalize_brand(Some(s))
    }

    #[test]
    fn brands_seen_in_the_sample_metadata() {
        assert_eq!(brand("by\n    \n    Microsoft"), "Microsoft");
        assert_eq!(brand("by\n    \n    iTunes"), "iTunes");
        assert_eq!(brand("by\n    \n    Apple"), "Apple");
        assert_eq!(brand(""), "Unknown");
        assert_eq!(brand("Serendipity 3"), "Serendipity 3");
        assert_eq!(brand("F&amp;W Publications"), brand("F&W Publications"));
        assert_eq!(brand("Cox, Matthews &amp; Associates, Inc."), "Cox, Matthews & Associates, Inc.");
        assert_eq!(brand("Gruner Und Jahr Ag &amp; Co"), "Gruner Und Jahr Ag & Co");
        assert_eq!(brand("K&W Cafeteria"), "K&W Cafeteria");
        assert_eq!(brand("Morris Visitor Publications, LLC"), "Morris Visitor Publications, LLC");
    }

    #[test]
    fn spec_variants() {
        assert_eq!(brand("by\n    \n    Nintendo"), "Nintendo");
        assert_eq!(brand("Visit Amazon's Nintendo Page"), "Nintendo");
        assert_eq!(brand("Visit Amazon&#39;s Nintendo Page"), "Nintendo");
        assert_eq!(brand("Visit Amazon\u{2019}s Stephen  King Page"), "Stephen King");
        assert_eq!(brand("visit amazon's nintendo page"), "nintendo");
        assert_eq!(brand("Visit Amazon's  Page"), "Unknown");
        assert_eq!(brand("Visit Amazon's Page"), "Unknown");
        for u in ["Unknown", "unknown", "UNKNOWN", " unknown ", "N/A", "none", "NULL", "-", "   \n  "] {
            assert_eq!(brand(u), "Unknown", "{u:?}");
        }
        assert_eq!(normalize_brand(None), "Unknown");
    }

    #[test]
    fn by_prefix_only_when_it_is_the_scraper_prefix() {
        assert_eq!(brand("by Nintendo"), "Nintendo");
        assert_eq!(brand("By\n Nintendo"), "Nintendo");
        assert_eq!(brand("By Terry"), "By Terry");
        assert_eq!(brand("BY TERRY"), "BY TERRY");
        assert_eq!(brand("Bybee"), "Bybee");
        assert_eq!(brand("by"), "by");
        assert_eq!(brand("by\n   "), "by");
        assert_eq!(brand("by\n    \n    Unknown"), "Unknown");
    }

    #[test]
    fn markup_in_brands() {
        assert_eq!(brand("<span>Sony</span>"), "Sony");
        assert_eq!(brand("  Sony\u{a0} Music "), "Sony Music");
    }
}
