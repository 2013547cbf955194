//! Numbers, booleans and ratings from the string-typed raw fields.

/// Longest digit string we parse; nothing real is longer, and it bounds the stack buffer.
const MAX_DIGITS: usize = 48;

/// A decimal number at the start of `b`: digits with optional `,` thousands separators (only in
/// valid positions: `1,299`, not `1,29`), then an optional `.` and at least one digit. Returns
/// the value and the bytes consumed, or `None` when `b` does not start with a number.
pub(crate) fn scan_decimal(b: &[u8]) -> Option<(f64, usize)> {
    let mut digits = [0u8; MAX_DIGITS];
    let mut nd = 0;
    let mut push = |d: u8, nd: &mut usize| -> Option<()> {
        *digits.get_mut(*nd)? = d;
        *nd += 1;
        Some(())
    };
    let (int_digits, mut i) = scan_grouped_int(b, |d| push(d, &mut nd))?;
    if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        push(b'.', &mut nd)?;
        i += 1;
        while let Some(&d) = b.get(i).filter(|d| d.is_ascii_digit()) {
            push(d, &mut nd)?;
            i += 1;
        }
    } else if int_digits == 0 {
        return None;
    }
    let text = std::str::from_utf8(&digits[..nd]).ok()?;
    let value: f64 = text.parse().ok()?;
    value.is_finite().then_some((value, i))
}

/// Digits with optional thousands separators at the start of `b`, each digit handed to `sink`.
/// Returns (number of digits, bytes consumed); (0, 0) when `b` does not start with a digit.
fn scan_grouped_int(b: &[u8], mut sink: impl FnMut(u8) -> Option<()>) -> Option<(usize, usize)> {
    let mut i = 0;
    while let Some(&d) = b.get(i).filter(|d| d.is_ascii_digit()) {
        sink(d)?;
        i += 1;
    }
    let first_group = i;
    let mut count = i;
    // Commas are separators only after a 1-3 digit first group and before exactly 3 digits.
    if (1..=3).contains(&first_group) {
        while b.get(i) == Some(&b',')
            && b.get(i + 1..i + 4).is_some_and(|g| g.iter().all(u8::is_ascii_digit))
            && !b.get(i + 4).is_some_and(u8::is_ascii_digit)
        {
            for &d in &b[i + 1..i + 4] {
                sink(d)?;
            }
            i += 4;
            count += 3;
        }
    }
    Some((count, i))
}

/// Parses a helpful-vote count: `"1,341"` -> 1341, `"12"` -> 12. Surrounding whitespace is
/// ignored; anything else (signs, decimals, misplaced commas, overflow) is `None`, because a
/// vote count is a non-negative integer and guessing would make the sums wrong.
///
/// ```
/// # use reviewlake_udfs::parse::parse_vote;
/// assert_eq!(parse_vote("1,341"), Some(1341));
/// assert_eq!(parse_vote(" 12 "), Some(12));
/// assert_eq!(parse_vote("1,34"), None);
/// assert_eq!(parse_vote("n/a"), None);
/// ```
pub fn parse_vote(text: &str) -> Option<i64> {
    let b = text.trim().as_bytes();
    let mut value: i64 = 0;
    let mut overflow = false;
    let (digits, used) = scan_grouped_int(b, |d| {
        match value.checked_mul(10).and_then(|v| v.checked_add(i64::from(d - b'0'))) {
            Some(v) => value = v,
            None => overflow = true,
        }
        Some(())
    })?;
    (digits > 0 && used == b.len() && !overflow).then_some(value)
}

/// Parses a boolean with Spark's `CAST(string AS BOOLEAN)` rules, so `verified` means the same
/// here as in the reference: trimmed, case-insensitive `t`/`true`/`y`/`yes`/`1` and
/// `f`/`false`/`n`/`no`/`0`; anything else is `None`.
///
/// ```
/// # use reviewlake_udfs::parse::parse_bool;
/// assert_eq!(parse_bool("True"), Some(true));
/// assert_eq!(parse_bool(" 0 "), Some(false));
/// assert_eq!(parse_bool("maybe"), None);
/// ```
pub fn parse_bool(text: &str) -> Option<bool> {
    let t = text.trim();
    if t.len() > 5 {
        return None;
    }
    let mut buf = [0u8; 5];
    buf[..t.len()].copy_from_slice(t.as_bytes());
    buf.make_ascii_lowercase();
    match &buf[..t.len()] {
        b"t" | b"true" | b"y" | b"yes" | b"1" => Some(true),
        b"f" | b"false" | b"n" | b"no" | b"0" => Some(false),
        _ => None,
    }
}

/// Parses a star rating, `"5.0"`, `"4"` or `" 3.0 "`, into 0.0..=5.0. Zero is accepted
/// because it occurs in the datathon files; values outside the range and anything that is not
/// a plain decimal (signs, exponents, `NaN`) are `None`.
///
/// ```
/// # use reviewlake_udfs::parse::parse_rating;
/// assert_eq!(parse_rating(" 3.0 "), Some(3.0));
/// assert_eq!(parse_rating("5.5"), None);
/// assert_eq!(parse_rating("five"), None);
/// ```
pub fn parse_rating(text: &str) -> Option<f64> {
    let b = text.trim().as_bytes();
    if b.contains(&b',') {
        return None;
    }
    let (v, used) = scan_decimal(b)?;
    (used == b.len() && (0.0..=5.0).contains(&v)).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals() {
        assert_eq!(scan_decimal(b"1,299.00"), Some((1299.0, 8)));
        assert_eq!(scan_decimal(b"12.99 x"), Some((12.99, 5)));
        assert_eq!(scan_decimal(b".99"), Some((0.99, 3)));
        assert_eq!(scan_decimal(b"1,250,000"), Some((1250000.0, 9)));
        assert_eq!(scan_decimal(b"1,25"), Some((1.0, 1)));
        assert_eq!(scan_decimal(b"1234,567"), Some((1234.0, 4)));
        assert_eq!(scan_decimal(b"1,2345"), Some((1.0, 1)));
        assert_eq!(scan_decimal(b"12."), Some((12.0, 2)));
        assert_eq!(scan_decimal(b"."), None);
        assert_eq!(scan_decimal(b""), None);
        assert_eq!(scan_decimal(b"abc"), None);
        assert_eq!(scan_decimal("9".repeat(100).as_bytes()), None);
    }

    #[test]
    fn votes() {
        assert_eq!(parse_vote("1,341"), Some(1341));
        assert_eq!(parse_vote("12"), Some(12));
        assert_eq!(parse_vote("0"), Some(0));
        assert_eq!(parse_vote("2,000,000"), Some(2_000_000));
        for junk in ["", " ", "-1", "+1", "1.5", "1,34", "12a", "a12", "1 341", "99999999999999999999", ","] {
            assert_eq!(parse_vote(junk), None, "{junk:?}");
        }
        assert_eq!(parse_vote("9,223,372,036,854,775,807"), Some(i64::MAX));
    }

    #[test]
    fn bools() {
        for t in ["true", "True", "TRUE", "1", "t", "yes", " y "] {
            assert_eq!(parse_bool(t), Some(true), "{t}");
        }
        for f in ["false", "False", "FALSE", "0", "f", "NO", "n"] {
            assert_eq!(parse_bool(f), Some(false), "{f}");
        }
        for junk in ["", "2", "truee", "verified", "é", "trué"] {
            assert_eq!(parse_bool(junk), None, "{junk}");
        }
    }

    #[test]
    fn ratings() {
        assert_eq!(parse_rating("5.0"), Some(5.0));
        assert_eq!(parse_rating("4"), Some(4.0));
        assert_eq!(parse_rating(" 3.0 "), Some(3.0));
        assert_eq!(parse_rating("0"), Some(0.0));
        assert_eq!(parse_rating("0.0"), Some(0.0));
        for junk in ["", "5.01", "6", "-1", "NaN", "inf", "4e0", "4,0", "1,000", "four", "4.0 stars"] {
            assert_eq!(parse_rating(junk), None, "{junk}");
        }
    }
}
