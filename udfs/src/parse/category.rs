//! Product category from `main_cat`, falling back to the `category` breadcrumb.

use crate::text::{clean_markup, tag_end, with_unescaped};

/// The product category shown on dashboards, or `None` when the record has none (silver may
/// then store `undefined`, as the reference did).
///
/// 1. `main_cat` is entity-decoded (`Arts, Crafts &amp; Sewing` -> `Arts, Crafts & Sewing`);
///    if it holds an `<img>` tag, its `alt` text is the category
///    (`<img src="..." alt="AMAZON FASHION"/>` -> `AMAZON FASHION`); other tags are removed and
///    whitespace is collapsed.
/// 2. If that leaves nothing, the first non-blank entry of the `category` breadcrumb, cleaned
///    the same way.
/// 3. The result gets canonical capitalisation ([`canonical_category_case`]), so that
///    `AMAZON FASHION` and `Amazon Fashion` are one category (seed-spec §5 item 7).
///
/// ```
/// # use reviewlake_udfs::parse::extract_category;
/// let img = r#"<img src="https://x/amazon-fashion.png" class="nav-categ-image" alt="AMAZON FASHION"/>"#;
/// assert_eq!(extract_category(Some(img), &[]).as_deref(), Some("Amazon Fashion"));
/// assert_eq!(extract_category(Some("Arts, Crafts &amp; Sewing"), &[]).as_deref(), Some("Arts, Crafts & Sewing"));
/// assert_eq!(extract_category(Some(""), &["", "Gift Cards"]).as_deref(), Some("Gift Cards"));
/// assert_eq!(extract_category(None, &[" "]), None);
/// ```
pub fn extract_category(main_cat: Option<&str>, category_list: &[&str]) -> Option<String> {
    let mut out = String::new();
    extract_category_into(main_cat, category_list.iter().copied(), &mut out).then_some(out)
}

/// [`extract_category`] into a reusable buffer (cleared first); returns false, leaving `out`
/// empty, when there is no category. The breadcrumb is any iterator of `&str`, so a UDF
/// wrapper can pass the values of an Arrow list row without collecting them.
///
/// ```
/// # use reviewlake_udfs::parse::extract_category_into;
/// let mut out = String::new();
/// assert!(extract_category_into(Some("  "), ["Magazine Subscriptions", "Arts, Music &amp; Photography"], &mut out));
/// assert_eq!(out, "Magazine Subscriptions");
/// ```
pub fn extract_category_into<'a, I>(main_cat: Option<&str>, category_list: I, out: &mut String) -> bool
where
    I: IntoIterator<Item = &'a str>,
{
    out.clear();
    if let Some(main_cat) = main_cat {
        clean_main_cat(main_cat, out);
    }
    if out.is_empty() {
        for entry in category_list {
            clean_markup(entry, out);
            if !out.is_empty() {
                break;
            }
        }
    }
    if out.is_empty() {
        return false;
    }
    if needs_recase(out) {
        let cleaned = std::mem::take(out);
        canonical_category_case(&cleaned, out);
    }
    true
}

fn clean_main_cat(main_cat: &str, out: &mut String) {
    if !main_cat.contains('<') && !main_cat.contains('&') {
        clean_markup(main_cat, out);
        return;
    }
    let alt_found = with_unescaped(main_cat, |decoded| match img_alt(decoded) {
        Some(alt) => {
            // Entities are already decoded: collapse whitespace only.
            out.clear();
            for (k, word) in alt.split_whitespace().enumerate() {
                if k > 0 {
                    out.push(' ');
                }
                out.push_str(word);
            }
            !out.is_empty()
        }
        None => false,
    });
    if !alt_found {
        clean_markup(main_cat, out);
    }
}

/// The `alt` attribute of the first `<img>` tag in `html`.
fn img_alt(html: &str) -> Option<&str> {
    let b = html.as_bytes();
    let mut from = 0;
    while let Some(p) = b[from..].iter().position(|&c| c == b'<') {
        let lt = from + p;
        let is_img = b.get(lt + 1..lt + 4).is_some_and(|n| n.eq_ignore_ascii_case(b"img"))
            && b.get(lt + 4).is_none_or(|&c| c.is_ascii_whitespace() || c == b'/' || c == b'>');
        if is_img {
            let end = tag_end(b, lt).unwrap_or(b.len());
            return attribute(&html[lt + 4..end], "alt");
        }
        from = lt + 1;
    }
    None
}

/// The value of attribute `name` in the inside of a tag (`src="a" alt='b' hidden`).
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let b = tag.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        let name_start = i;
        while i < b.len() && !matches!(b[i], b'=' | b'>' | b'/') && !b[i].is_ascii_whitespace() {
            i += 1;
        }
        let attr = &b[name_start..i];
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if b.get(i) == Some(&b'>') || (attr.is_empty() && i < b.len()) {
            i += 1;
            continue;
        }
        let mut value = None;
        if b.get(i) == Some(&b'=') {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            let (start, end) = match b.get(i) {
                Some(&q @ (b'"' | b'\'')) => {
                    let start = i + 1;
                    let end = b[start..].iter().position(|&c| c == q).map_or(b.len(), |p| start + p);
                    i = (end + 1).min(b.len());
                    (start, end)
                }
                _ => {
                    let start = i;
                    while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                        i += 1;
                    }
                    (start, i)
                }
            };
            value = Some(&tag[start..end]);
        }
        if attr.eq_ignore_ascii_case(name.as_bytes()) {
            return value;
        }
    }
    None
}

/// Lowercase words kept lowercase inside a title ("Buy a Kindle", "Arts & Crafts").
const SMALL_WORDS: &[&str] =
    &["a", "an", "and", "as", "at", "but", "by", "for", "in", "nor", "of", "on", "or", "the", "to", "vs", "with"];

/// Words whose canonical form is not plain capitalisation (real Amazon categories:
/// "Movies & TV", "CDs & Vinyl", "GPS & Navigation", "3D Printing").
const SPECIAL_WORDS: &[(&str, &str)] = &[
    ("3d", "3D"),
    ("atv", "ATV"),
    ("cd", "CD"),
    ("cds", "CDs"),
    ("diy", "DIY"),
    ("dvd", "DVD"),
    ("dvds", "DVDs"),
    ("gps", "GPS"),
    ("hd", "HD"),
    ("mp3", "MP3"),
    ("pc", "PC"),
    ("pcs", "PCs"),
    ("rv", "RV"),
    ("tv", "TV"),
    ("usb", "USB"),
    ("utv", "UTV"),
    ("vhs", "VHS"),
];

/// Puts a category name into canonical capitalisation, writing into `out` (cleared first).
///
/// The rule (the spec only asks that case variants meet): when the name has no lowercase or no
/// uppercase letters at all (`AMAZON FASHION`, `amazon fashion`), it carries no case
/// information, so each word is rebuilt: known acronyms get their usual form (`TV`, `CDs`,
/// `3D`), small words (`a`, `and`, `of`, `&`...) stay lowercase except first, and every other
/// word is capitalised. A name in mixed case is trusted (`Movies & TV`, `CDs & Vinyl`, `iPhone`
/// stay), except that its all-lowercase words other than small words get a capital
/// (`Amazon fashion` -> `Amazon Fashion`). Capitalising means uppercasing the first letter or
/// digit of the word and, for rebuilt words, lowercasing the rest.
///
/// ```
/// # use reviewlake_udfs::parse::canonical_category_case;
/// let mut out = String::new();
/// for s in ["AMAZON FASHION", "amazon fashion", "Amazon fashion", "Amazon Fashion"] {
///     canonical_category_case(s, &mut out);
///     assert_eq!(out, "Amazon Fashion");
/// }
/// canonical_category_case("MOVIES & TV", &mut out);
/// assert_eq!(out, "Movies & TV");
/// canonical_category_case("buy a kindle", &mut out);
/// assert_eq!(out, "Buy a Kindle");
/// ```
pub fn canonical_category_case(text: &str, out: &mut String) {
    out.clear();
    let caseless = !has_both_cases(text);
    for (k, word) in text.split_whitespace().enumerate() {
        if k > 0 {
            out.push(' ');
        }
        let has_upper = word.chars().any(char::is_uppercase);
        if !caseless && has_upper {
            out.push_str(word);
            continue;
        }
        let core = word.trim_matches(|c: char| !c.is_alphanumeric());
        if caseless && let Some((_, canon)) = SPECIAL_WORDS.iter().find(|(lc, _)| lc.eq_ignore_ascii_case(core)) {
            let lead = word.find(core).unwrap_or(0);
            out.push_str(&word[..lead]);
            out.push_str(canon);
            out.push_str(&word[lead + core.len()..]);
            continue;
        }
        let small = k > 0 && SMALL_WORDS.iter().any(|s| s.eq_ignore_ascii_case(word));
        let mut first = !small;
        for c in word.chars() {
            if first && c.is_alphanumeric() {
                out.extend(c.to_uppercase());
                first = false;
            } else if caseless {
                out.extend(c.to_lowercase());
            } else {
                out.push(c);
            }
        }
    }
}

fn has_both_cases(text: &str) -> bool {
    let (mut lower, mut upper) = (false, false);
    for c in text.chars() {
        lower |= c.is_lowercase();
        upper |= c.is_uppercase();
        if lower && upper {
            return true;
        }
    }
    false
}

/// Whether [`canonical_category_case`] would change `text`; false for almost every real
/// category, which saves a copy per row.
fn needs_recase(text: &str) -> bool {
    if !has_both_cases(text) {
        return text.chars().any(char::is_alphabetic);
    }
    text.split(' ').enumerate().any(|(k, w)| {
        let starts_lower = w.chars().find(|c| c.is_alphanumeric()).is_some_and(char::is_lowercase);
        starts_lower
            && !w.chars().any(char::is_uppercase)
            && !(k > 0 && SMALL_WORDS.iter().any(|s| s.eq_ignore_ascii_case(w)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat(main: Option<&str>, list: &[&str]) -> Option<String> {
        extract_category(main, list)
    }

    #[test]
    fn main_cat_values_seen_in_meta_gift_cards() {
        let img = r#"<img src="https://images-na.ssl-images-amazon.com/images/G/01/nav2/images/gui/amazon-fashion-store-new._CB520838675_.png" class="nav-categ-image" alt="AMAZON FASHION"/>"#;
        assert_eq!(cat(Some(img), &["Gift Cards"]).as_deref(), Some("Amazon Fashion"));
        assert_eq!(cat(Some("Amazon Fashion"), &[]).as_deref(), Some("Amazon Fashion"));
        for same in [
            "Gift Cards",
            "Toys & Games",
            "Video Games",
            "Health & Personal Care",
            "Office Products",
            "Grocery",
            "Amazon Home",
            "All Electronics",
            "Cell Phones & Accessories",
            "Computers",
            "Arts, Crafts & Sewing",
            "Software",
            "Sports & Outdoors",
            "Magazine Subscriptions",
        ] {
            assert_eq!(cat(Some(same), &[]).as_deref(), Some(same));
        }
        assert_eq!(cat(Some("Arts, Crafts &amp; Sewing"), &[]).as_deref(), Some("Arts, Crafts & Sewing"));
        // main_cat "" with breadcrumb ["Gift Cards", "Gift Cards"].
        assert_eq!(cat(Some(""), &["Gift Cards", "Gift Cards"]).as_deref(), Some("Gift Cards"));
        // main_cat "" and category [] (several rows).
        assert_eq!(cat(Some(""), &[]), None);
    }

    #[test]
    fn breadcrumb_fallback_is_cleaned() {
        assert_eq!(cat(None, &["Arts, Music &amp; Photography"]).as_deref(), Some("Arts, Music & Photography"));
        assert_eq!(cat(Some("  \n "), &["  ", "", " Fashion &amp; Style "]).as_deref(), Some("Fashion & Style"));
        assert_eq!(cat(None, &["<b></b>", "CDs &amp; Vinyl"]).as_deref(), Some("CDs & Vinyl"));
    }

    #[test]
    fn img_without_alt_or_blank_alt_falls_back() {
        assert_eq!(cat(Some(r#"<img src="x.png"/>"#), &["Books"]).as_deref(), Some("Books"));
        assert_eq!(cat(Some(r#"<img alt="  " src="x.png">"#), &["Books"]).as_deref(), Some("Books"));
        assert_eq!(cat(Some(r#"<IMG SRC=x.png ALT=Beauty>"#), &[]).as_deref(), Some("Beauty"));
        assert_eq!(cat(Some(r#"<img data-alt="no" alt='Luxury  Beauty'>"#), &[]).as_deref(), Some("Luxury Beauty"));
        assert_eq!(cat(Some("&lt;img alt=&quot;All Beauty&quot;/&gt;"), &[]).as_deref(), Some("All Beauty"));
        assert_eq!(cat(Some(r#"<img alt="Toys &amp; Games">"#), &[]).as_deref(), Some("Toys & Games"));
        assert_eq!(cat(Some(r#"<img src="x" alt="unterminated"#), &[]).as_deref(), Some("Unterminated"));
    }

    #[test]
    fn case_variants_meet() {
        let mut out = String::new();
        let mut canon = |s: &str| {
            canonical_category_case(s, &mut out);
            out.clone()
        };
        assert_eq!(canon("AMAZON FASHION"), "Amazon Fashion");
        assert_eq!(canon("ARTS, CRAFTS & SEWING"), "Arts, Crafts & Sewing");
        assert_eq!(canon("arts, crafts & sewing"), "Arts, Crafts & Sewing");
        assert_eq!(canon("Arts, crafts & sewing"), "Arts, Crafts & Sewing");
        assert_eq!(canon("MOVIES & TV"), "Movies & TV");
        assert_eq!(canon("Movies & TV"), "Movies & TV");
        assert_eq!(canon("CDS & VINYL"), "CDs & Vinyl");
        assert_eq!(canon("CDs & Vinyl"), "CDs & Vinyl");
        assert_eq!(canon("3D PRINTING"), "3D Printing");
        assert_eq!(canon("BUY A KINDLE"), "Buy a Kindle");
        assert_eq!(canon("THE BEST OF (TV)"), "The Best of (TV)");
        assert_eq!(canon("éLECTRONIQUE"), "éLECTRONIQUE");
        assert_eq!(canon("ÉLECTRONIQUE GRAND PUBLIC"), "Électronique Grand Public");
        assert_eq!(canon("123"), "123");
    }

    #[test]
    fn recase_check_matches_the_rule() {
        for s in [
            "Gift Cards",
            "Movies & TV",
            "Buy a Kindle",
            "123",
            "&",
            "iPhone Cases",
            "Amazon fashion",
            "AMAZON",
            "amazon",
        ] {
            let mut out = String::new();
            canonical_category_case(s, &mut out);
            assert_eq!(needs_recase(s), out != s, "{s}");
        }
    }

    #[test]
    fn attribute_parser_edge_cases() {
        assert_eq!(attribute(r#" src="a" alt="b""#, "alt"), Some("b"));
        assert_eq!(attribute(r#" alt"#, "alt"), None);
        assert_eq!(attribute(r#" = = alt = "x" "#, "alt"), Some("x"));
        assert_eq!(attribute(r#" alt="#, "alt"), Some(""));
        assert_eq!(attribute("", "alt"), None);
    }
}
