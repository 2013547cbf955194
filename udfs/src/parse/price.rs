//! Metadata `price` strings.

use super::numbers::scan_decimal;

/// Parses a metadata price: `"$12.99"` -> 12.99, `"$1,299.00"` -> 1299.0 (the reference lost
/// these to null, seed-spec §5 item 6), and a range `"$10.00 - $20.00"` -> its midpoint 15.0,
/// as the reference's `average_price` did.
///
/// Accepted form: optional whitespace, an amount, optionally a separator (`-`, `–`, `—` or
/// `to`) and a second amount, optional whitespace. An amount is an optional `$` then a decimal
/// with optional thousands separators. Everything else (empty strings, the scraped HTML and CSS
/// junk of ~0.3% of rows, other currencies, negative numbers) is `None`: a wrong price is worse
/// than a missing one, which the gold job imputes.
///
/// ```
/// # use reviewlake_udfs::parse::parse_price;
/// assert_eq!(parse_price("$1,299.00"), Some(1299.0));
/// assert_eq!(parse_price("$10.00 - $20.00"), Some(15.0));
/// assert_eq!(parse_price(".a-box-inner{background-color:#fff}"), None);
/// assert_eq!(parse_price(""), None);
/// ```
pub fn parse_price(text: &str) -> Option<f64> {
    let b = text.as_bytes();
    let mut i = skip_ws(b, 0);
    let (low, used) = scan_amount(&b[i..])?;
    i = skip_ws(b, i + used);
    if i == b.len() {
        return Some(low);
    }
    i = skip_ws(b, i + separator_len(&b[i..])?);
    let (high, used) = scan_amount(&b[i..])?;
    i = skip_ws(b, i + used);
    (i == b.len()).then(|| (low + high) / 2.0)
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    i
}

fn scan_amount(b: &[u8]) -> Option<(f64, usize)> {
    let start = if b.first() == Some(&b'$') { skip_ws(b, 1) } else { 0 };
    let (v, used) = scan_decimal(&b[start..])?;
    Some((v, start + used))
}

fn separator_len(b: &[u8]) -> Option<usize> {
    ["-", "\u{2013}", "\u{2014}", "to"].iter().find(|sep| b.starts_with(sep.as_bytes())).map(|sep| sep.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_seen_in_meta_gift_cards() {
        assert_eq!(parse_price("$25.00"), Some(25.0));
        assert_eq!(parse_price("$1,250.00"), Some(1250.0));
        assert_eq!(parse_price("$7.14"), Some(7.14));
        assert_eq!(parse_price("$28.79"), Some(28.79));
        assert_eq!(parse_price(""), None);
        let junk_div = "\n\t\t                                            \n\r\n\r\n\r\n    \r\n        \n\n\n       \n           <div class=\"a-section a-spacing-none\"";
        assert_eq!(parse_price(junk_div), None);
        assert_eq!(parse_price("\n\n\n<script"), None);
        let css = ".a-box-inner{background-color:#fff}#alohaBuyBoxWidget .selected{background-color:#fffbf3;border-color:#e77600;box-shadow:0 0 3px rgba(228,121,17,.5)}";
        assert_eq!(parse_price(css), None);
    }

    #[test]
    fn prices_from_the_spec() {
        assert_eq!(parse_price("$1,299.00"), Some(1299.0));
        assert_eq!(parse_price("$12.99"), Some(12.99));
        assert_eq!(parse_price("$10.00 - $20.00"), Some(15.0));
        // Plain f64 arithmetic, (a + b) / 2, as Spark computed it: 15.495000000000001.
        assert_eq!(parse_price("$10.99 - $20.00"), Some((10.99 + 20.0) / 2.0));
        assert_eq!(parse_price("$1,000.00 - $2,000.00"), Some(1500.0));
    }

    #[test]
    fn other_accepted_forms() {
        assert_eq!(parse_price("12.99"), Some(12.99));
        assert_eq!(parse_price(" $ 5 "), Some(5.0));
        assert_eq!(parse_price("$10-$20"), Some(15.0));
        assert_eq!(parse_price("$10 \u{2013} $20"), Some(15.0));
        assert_eq!(parse_price("$10 to $30"), Some(20.0));
        assert_eq!(parse_price("$.99"), Some(0.99));
        assert_eq!(parse_price("$0.00"), Some(0.0));
    }

    #[test]
    fn junk_is_none() {
        for junk in [
            " ",
            "$",
            "$-5",
            "-5",
            "$1,29.00",
            "€12",
            "12 EUR",
            "$10 -",
            "$10 - $20 - $30",
            "$1.2.3",
            "free",
            "$10 - abc",
            "1e5",
            "NaN",
            "$$10",
        ] {
            assert_eq!(parse_price(junk), None, "{junk:?}");
        }
    }
}
