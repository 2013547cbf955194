//! HTML character-reference decoding with the same results as Python's `html.unescape`.
//!
//! The reference pipeline ran in Python/Spark, so matching `html.unescape` byte for byte (named
//! references with and without `;`, the longest-prefix rule for legacy names, numeric references
//! with the Windows-1252 remapping, dropped non-characters) keeps our cleaned text comparable
//! with the reference's.

use std::cell::RefCell;

use super::entity_table::{ENTITIES, MAX_ENTITY_NAME_LEN, MAX_LEGACY_NAME_LEN};

/// Python's regex takes at most this many characters for a reference name.
const MAX_NAME_CHARS: usize = 32;

/// Decodes every HTML character reference in `text` into `out` (cleared first).
///
/// Text that is not a valid reference is copied unchanged, so this never fails: `AT&T` and
/// `Tom & Jerry` stay as they are. Only one level is decoded (`&amp;lt;` becomes `&lt;`),
/// as `html.unescape` does, because decoding repeatedly would corrupt text that legitimately
/// talks about entities.
///
/// ```
/// # use reviewlake_udfs::text::unescape_html;
/// let mut out = String::new();
/// unescape_html("Arts, Crafts &amp; Sewing &#8211; d&eacute;cor &#x1F600; &ampx", &mut out);
/// assert_eq!(out, "Arts, Crafts & Sewing \u{2013} d\u{e9}cor \u{1F600} &x");
/// ```
pub fn unescape_html(text: &str, out: &mut String) {
    out.clear();
    out.reserve(text.len());
    let bytes = text.as_bytes();
    let mut copied = 0; // start of the not-yet-copied input
    let mut search = 0;
    while let Some(off) = find_byte(b'&', &bytes[search..]) {
        let amp = search + off;
        match decode_at(text, amp) {
            Some((replacement, consumed)) => {
                out.push_str(&text[copied..amp]);
                replacement.push_to(out);
                copied = amp + consumed;
                search = copied;
            }
            None => search = amp + 1,
        }
    }
    out.push_str(&text[copied..]);
}

/// True when `text` may hold a character reference; lets callers skip the decoding copy.
#[inline]
pub(crate) fn may_contain_entity(text: &str) -> bool {
    find_byte(b'&', text.as_bytes()).is_some()
}

#[inline]
fn find_byte(needle: u8, hay: &[u8]) -> Option<usize> {
    // core's slice search for a single byte is memchr-accelerated.
    hay.iter().position(|&b| b == needle)
}

thread_local! {
    static SCRATCH: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Runs `f` over `text` with its character references decoded, reusing a per-thread buffer so
/// that per-row calls do not allocate. Text without `&` is passed through without copying.
pub(crate) fn with_unescaped<R>(text: &str, f: impl FnOnce(&str) -> R) -> R {
    if !may_contain_entity(text) {
        return f(text);
    }
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buf) => {
            unescape_html(text, &mut buf);
            let r = f(&buf);
            // A single huge row must not pin its memory to the thread for ever.
            if buf.capacity() > (1 << 20) {
                buf.clear();
                buf.shrink_to(64 << 10);
            }
            r
        }
        // Re-entered (f itself unescapes): fall back to a private buffer.
        Err(_) => {
            let mut buf = String::new();
            unescape_html(text, &mut buf);
            f(&buf)
        }
    })
}

enum Replacement {
    Str(&'static str),
    Char(char),
    Nothing,
}

impl Replacement {
    #[inline]
    fn push_to(&self, out: &mut String) {
        match self {
            Replacement::Str(s) => out.push_str(s),
            Replacement::Char(c) => out.push(*c),
            Replacement::Nothing => {}
        }
    }
}

/// Decodes the reference starting at the `&` at byte `amp`: the replacement and how many input
/// bytes it replaces, or `None` when the `&` is literal text.
fn decode_at(text: &str, amp: usize) -> Option<(Replacement, usize)> {
    let bytes = text.as_bytes();
    let rest = &bytes[amp + 1..];
    match rest.first()? {
        b'#' => decode_numeric(rest).map(|(r, n)| (r, n + 1)),
        _ => decode_named(&text[amp + 1..]).map(|(r, n)| (r, n + 1)),
    }
}

/// `rest` starts at the `#`. Python accepts any number of digits and an optional `;`.
fn decode_numeric(rest: &[u8]) -> Option<(Replacement, usize)> {
    let (radix, start) = match rest.get(1)? {
        b'x' | b'X' => (16u32, 2),
        _ => (10u32, 1),
    };
    let mut value: u32 = 0;
    let mut end = start;
    while let Some(d) = rest.get(end).and_then(|&b| (b as char).to_digit(radix)) {
        // Saturate: anything past U+10FFFF decodes to U+FFFD however large it is.
        value = value.saturating_mul(radix).saturating_add(d).min(0x11_0000);
        end += 1;
    }
    if end == start {
        return None;
    }
    if rest.get(end) == Some(&b';') {
        end += 1;
    }
    Some((numeric_replacement(value), end))
}

/// Python's `_invalid_charrefs` and `_invalid_codepoints` rules.
fn numeric_replacement(value: u32) -> Replacement {
    const CP1252: [char; 32] = [
        '\u{20ac}', '\u{81}', '\u{201a}', '\u{192}', '\u{201e}', '\u{2026}', '\u{2020}', '\u{2021}', '\u{2c6}',
        '\u{2030}', '\u{160}', '\u{2039}', '\u{152}', '\u{8d}', '\u{17d}', '\u{8f}', '\u{90}', '\u{2018}', '\u{2019}',
        '\u{201c}', '\u{201d}', '\u{2022}', '\u{2013}', '\u{2014}', '\u{2dc}', '\u{2122}', '\u{161}', '\u{203a}',
        '\u{153}', '\u{9d}', '\u{17e}', '\u{178}',
    ];
    match value {
        0 => Replacement::Char('\u{fffd}'),
        0x0d => Replacement::Char('\r'),
        0x80..=0x9f => Replacement::Char(CP1252[(value - 0x80) as usize]),
        0xd800..=0xdfff | 0x11_0000.. => Replacement::Char('\u{fffd}'),
        0x01..=0x08 | 0x0b | 0x0e..=0x1f | 0x7f | 0xfdd0..=0xfdef => Replacement::Nothing,
        v if v & 0xfffe == 0xfffe => Replacement::Nothing,
        v => char::from_u32(v).map_or(Replacement::Char('\u{fffd}'), Replacement::Char),
    }
}

/// `rest` starts just after the `&`. Mirrors `[^\t\n\f <&#;]{1,32};?` plus the lookup and the
/// longest-prefix fallback of `html.unescape`.
fn decode_named(rest: &str) -> Option<(Replacement, usize)> {
    let mut name_end = 0;
    let mut chars = 0;
    for (i, c) in rest.char_indices() {
        if chars == MAX_NAME_CHARS || matches!(c, '\t' | '\n' | '\x0c' | ' ' | '<' | '&' | '#' | ';') {
            break;
        }
        chars += 1;
        name_end = i + c.len_utf8();
    }
    if chars == 0 {
        return None;
    }
    let bytes = rest.as_bytes();
    let with_semi = if bytes.get(name_end) == Some(&b';') { name_end + 1 } else { name_end };
    if let Some(v) = lookup(&bytes[..with_semi]) {
        return Some((Replacement::Str(v), with_semi));
    }
    // Legacy names may be followed directly by text (`&eacutex`): the longest known prefix of
    // at least two characters wins. Only the short legacy names (no `;`) can match a strict
    // prefix, and names are ASCII, so only the ASCII prefix needs trying.
    let ascii_len = bytes[..with_semi].iter().take_while(|b| b.is_ascii()).count();
    let longest = (chars - 1).min(ascii_len).min(MAX_LEGACY_NAME_LEN);
    for len in (2..=longest).rev() {
        if let Some(v) = lookup(&bytes[..len]) {
            return Some((Replacement::Str(v), len));
        }
    }
    None
}

#[inline]
fn lookup(name: &[u8]) -> Option<&'static str> {
    if name.len() > MAX_ENTITY_NAME_LEN {
        return None;
    }
    ENTITIES.binary_search_by(|(k, _)| k.as_bytes().cmp(name)).ok().map(|i| ENTITIES[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn un(s: &str) -> String {
        let mut out = String::from("stale");
        unescape_html(s, &mut out);
        out
    }

    #[test]
    fn table_is_sorted_for_binary_search() {
        assert!(ENTITIES.windows(2).all(|w| w[0].0.as_bytes() < w[1].0.as_bytes()));
        assert_eq!(ENTITIES.len(), 2231);
    }

    #[test]
    fn common_named_entities() {
        assert_eq!(un("&amp; &lt; &gt; &quot; &apos; &nbsp;"), "& < > \" ' \u{a0}");
        assert_eq!(un("&rsquo;&lsquo;&ldquo;&rdquo;"), "\u{2019}\u{2018}\u{201c}\u{201d}");
        assert_eq!(
            un("&mdash;&ndash;&hellip;&eacute;&agrave;&copy;&trade;"),
            "\u{2014}\u{2013}\u{2026}\u{e9}\u{e0}\u{a9}\u{2122}"
        );
    }

    #[test]
    fn numeric_references() {
        assert_eq!(un("Maggiano&#39;s"), "Maggiano's");
        assert_eq!(un("&#x27;&#X27;&#039;&#39"), "''''");
        assert_eq!(un("&#128512;&#x1f600;"), "\u{1F600}\u{1F600}");
        // Windows-1252 remap, surrogates, out of range and non-characters, as Python does.
        assert_eq!(un("&#150;&#146;"), "\u{2013}\u{2019}");
        assert_eq!(un("&#xD800;&#1114112;&#99999999999999999999999;"), "\u{fffd}\u{fffd}\u{fffd}");
        assert_eq!(un("a&#1;b&#xFFFF;c&#0;"), "abc\u{fffd}");
        assert_eq!(un("&#13;"), "\r");
    }

    #[test]
    fn literal_ampersands_survive() {
        assert_eq!(un("AT&T Tom & Jerry &#; &#x; &; && &"), "AT&T Tom & Jerry &#; &#x; &; && &");
        assert_eq!(un("F&W Publications"), "F&W Publications");
        assert_eq!(un("&unknownentity;"), "&unknownentity;");
    }

    #[test]
    fn legacy_names_without_semicolon_and_longest_prefix() {
        // Same as Python: html.unescape('&ampfoo &eacutex &amp &notin &notit;')
        assert_eq!(un("&ampfoo &eacutex &amp &notin &notit;"), "&foo \u{e9}x & \u{ac}in \u{ac}it;");
        assert_eq!(un("&copy2019"), "\u{a9}2019");
    }

    #[test]
    fn single_level_only() {
        assert_eq!(un("&amp;lt;b&amp;gt;"), "&lt;b&gt;");
    }

    #[test]
    fn multi_char_and_non_ascii_neighbours() {
        assert_eq!(un("&NotEqualTilde;"), "\u{2242}\u{338}");
        assert_eq!(un("&é; &amp日本"), "&é; &日本");
    }

    #[test]
    fn name_length_cap_matches_python() {
        // 40 letters: Python looks at the first 32 only and finds no entity.
        let s = format!("&{};", "a".repeat(40));
        assert_eq!(un(&s), s);
    }

    #[test]
    fn with_unescaped_passes_through_and_reenters() {
        assert_eq!(with_unescaped("plain", |s| s.to_owned()), "plain");
        let nested = with_unescaped("&lt;x", |outer| {
            let inner = with_unescaped("&gt;", |s| s.to_owned());
            format!("{outer}{inner}")
        });
        assert_eq!(nested, "<x>");
    }
}
