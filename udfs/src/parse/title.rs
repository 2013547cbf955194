//! Metadata `title`.

use super::brand::UNKNOWN;
use crate::text::clean_markup;

/// Cleans a product title for display and grouping: tags removed (`<span id="x">T</span>` ->
/// `T`), entities decoded (`Maggiano&#39;s` -> `Maggiano's`), whitespace collapsed and trimmed,
/// and a missing or blank title, or one that was nothing but markup, becomes `"Unknown"`.
/// Case is kept.
///
/// Titles scraped as a truncated, never-closed tag (`<span class="a-size-medium
/// a-color-secondary"` — every title in the sample magazine metadata that starts with `<`)
/// hold no title at all, so they become `"Unknown"` too.
///
/// ```
/// # use reviewlake_udfs::parse::clean_title;
/// assert_eq!(clean_title(Some(r#"<span id="x">T</span>"#)), "T");
/// assert_eq!(clean_title(Some(" Amazon eGift Card - I&#39;m Sorry")), "Amazon eGift Card - I'm Sorry");
/// assert_eq!(clean_title(Some("")), "Unknown");
/// assert_eq!(clean_title(None), "Unknown");
/// ```
pub fn clean_title(title: Option<&str>) -> String {
    let mut out = String::new();
    clean_title_into(title, &mut out);
    out
}

/// [`clean_title`] into a reusable buffer (cleared first).
///
/// ```
/// # use reviewlake_udfs::parse::clean_title_into;
/// let mut out = String::new();
/// clean_title_into(Some("Dave &amp; Busters Gift Card"), &mut out);
/// assert_eq!(out, "Dave & Busters Gift Card");
/// ```
pub fn clean_title_into(title: Option<&str>, out: &mut String) {
    out.clear();
    if let Some(t) = title {
        clean_markup(t, out);
    }
    if out.is_empty() {
        out.push_str(UNKNOWN);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn title(s: &str) -> String {
        clean_title(Some(s))
    }

    #[test]
    fn titles_seen_in_the_sample_metadata() {
        assert_eq!(title(" Maggiano&#39;s Gift Card"), "Maggiano's Gift Card");
        assert_eq!(
            title(" Amazon Gift Card - Print - Happy Father&#39;s Day (World&#39;s Best Dad)"),
            "Amazon Gift Card - Print - Happy Father's Day (World's Best Dad)"
        );
        assert_eq!(title(" Amazon Gift Card - Print - Amazon &#39;a&#39;"), "Amazon Gift Card - Print - Amazon 'a'");
        assert_eq!(
            title("Vacuum Hoover Clearner --- 12 Month Warranty &gt;&gt;&gt; THT Trading"),
            "Vacuum Hoover Clearner --- 12 Month Warranty >>> THT Trading"
        );
        assert_eq!(
            title("Amazon.com Gift Card in a Brown &amp; Blue Tin (Classic Blue Card Design)"),
            "Amazon.com Gift Card in a Brown & Blue Tin (Classic Blue Card Design)"
        );
        assert_eq!(title("Serendipity 3 $100.00 Gift Card"), "Serendipity 3 $100.00 Gift Card");
        assert_eq!(title("<span class=\"a-size-medium a-color-secondary\""), "Unknown");
    }

    #[test]
    fn spec_variants() {
        assert_eq!(title("<span id=\"x\">T</span>"), "T");
        assert_eq!(
            title("<span id=\"productTitle\" class=\"a\">\n   Nintendo Switch &ndash; Neon\n</span>"),
            "Nintendo Switch \u{2013} Neon"
        );
        assert_eq!(title("It&rsquo;s &quot;Quoted&quot;"), "It\u{2019}s \"Quoted\"");
        assert_eq!(title("   "), "Unknown");
        assert_eq!(title("<span></span>"), "Unknown");
        assert_eq!(clean_title(None), "Unknown");
    }

    #[test]
    fn less_than_in_titles_is_text() {
        assert_eq!(title("Cable <3m & adapter"), "Cable <3m & adapter");
    }
}
