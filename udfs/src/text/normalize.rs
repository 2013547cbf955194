//! Review-text normalisation: one hand-written scanner, shared by [`normalize_text`],
//! [`clean_markup`], [`word_count`](super::word_count) and the tokenizer, so that all of them
//! agree on what a word is.
//!
//! Order of the steps, and why:
//! 1. **Entities are decoded first** (a separate pass, only when the text contains `&`). Scraped
//!    text is sometimes escaped once more than it should be, and `&lt;br /&gt;` is then markup
//!    in disguise; decoding first treats `&lt;b&gt;` exactly like `<b>`. The reference pipeline
//!    did the opposite and leaked `br` into its word cloud (seed-spec §5 item 9).
//! 2. **One pass over the decoded text** then removes tags (each becomes a space, so
//!    `a<br />b` is two words), removes URLs, removes emoji, lowercases and collapses whitespace.
//!    Doing these together means no step can undo another's work.
//!
//! What counts as a tag: `<` + optional `/` + a *known HTML element name* + whitespace, `/` or
//! `>`; comments `<!-- -->`, `<!DOCTYPE ...>`, `<![CDATA[...]>` and `<?...>`. Prose
//! uses `<` too (`<3`, `<---- is that word?`, `Work< Play` all occur in the sample files), so an
//! unknown name such as `<cheap` is kept as text rather than swallowing the rest of the review.
//! A tag that is never closed runs to the end of the text, as in the HTML5 tokenizer; this is
//! what turns the truncated `<span class="a-size-medium a-color-secondary"` titles into nothing.
//! Quoted attribute values may contain `>`. The contents of `<script>` and `<style>` are dropped.
//!
//! Speed: ordinary text (ASCII letters, digits, punctuation, single spaces) is found eight bytes
//! at a time and copied as whole runs; only control characters, `<`, double spaces, non-ASCII
//! characters and possible URL starts take the byte-by-byte path.

use super::entities::with_unescaped;

/// Receives the normalised character stream; lets word counting and tokenizing reuse the
/// scanner without building the normalised string.
pub(crate) trait Sink {
    /// One ASCII byte of output.
    fn ascii(&mut self, b: u8);
    /// One non-ASCII character of output.
    fn non_ascii(&mut self, c: char);
    /// A single separating space between two non-empty runs (never leading or trailing).
    fn space(&mut self);
    /// A run of ASCII text holding single spaces but none leading or trailing, to be
    /// lowercased first if `lower`. The default feeds it byte by byte.
    #[inline]
    fn ascii_run(&mut self, run: &str, lower: bool) {
        for &b in run.as_bytes() {
            if b == b' ' {
                self.space();
            } else {
                self.ascii(if lower { b.to_ascii_lowercase() } else { b });
            }
        }
    }
}

struct StringSink<'a>(&'a mut String);

impl Sink for StringSink<'_> {
    #[inline(always)]
    fn ascii(&mut self, b: u8) {
        self.0.push(b as char);
    }
    #[inline(always)]
    fn non_ascii(&mut self, c: char) {
        self.0.push(c);
    }
    #[inline(always)]
    fn space(&mut self) {
        self.0.push(' ');
    }
    #[inline(always)]
    fn ascii_run(&mut self, run: &str, lower: bool) {
        let start = self.0.len();
        self.0.push_str(run);
        if lower {
            self.0[start..].make_ascii_lowercase();
        }
    }
}

/// Normalises review text for word statistics and ML features into `out` (cleared first).
///
/// HTML entities are decoded, HTML tags removed (each leaves a word break), URLs removed (a
/// word starting with `http://`, `https://` or `www.`, any case, up to whitespace, `<`, `>` or
/// `"`), emoji and pictographic symbols removed (they too leave a word break, while zero-width
/// joiners, variation selectors, keycap and tag characters vanish, so `1️⃣` leaves `1`),
/// everything lowercased (Unicode-aware, so `É` becomes `é`; `ß` and CJK survive), and runs of
/// whitespace (including no-break spaces and control characters) collapsed to one ASCII space
/// with no leading or trailing space. Punctuation is kept: splitting words is the tokenizer's
/// job.
///
/// Allocation-free once `out` has grown, except for a per-thread decode buffer that is reused.
///
/// ```
/// # use reviewlake_udfs::text::normalize_text;
/// let mut out = String::new();
/// normalize_text("Great<br />PRODUCT &amp; fast 😀 see https://a.co/x  Caf&eacute;", &mut out);
/// assert_eq!(out, "great product & fast see café");
/// ```
pub fn normalize_text(text: &str, out: &mut String) {
    out.clear();
    out.reserve(text.len());
    with_unescaped(text, |s| scan::<true, true, true, _>(s, &mut StringSink(out)));
}

/// Cleans a short display string (title, brand, category) into `out` (cleared first): entities
/// decoded, tags removed, whitespace collapsed and trimmed, but case, URLs, punctuation and
/// symbols kept, because these strings are shown to people.
///
/// ```
/// # use reviewlake_udfs::text::clean_markup;
/// let mut out = String::new();
/// clean_markup("<span id=\"x\"> Maggiano&#39;s\n  Gift Card</span>", &mut out);
/// assert_eq!(out, "Maggiano's Gift Card");
/// ```
pub fn clean_markup(text: &str, out: &mut String) {
    out.clear();
    out.reserve(text.len());
    with_unescaped(text, |s| scan::<false, false, false, _>(s, &mut StringSink(out)));
}

/// Feeds the [`normalize_text`] output of `text` to `sink` without materialising it.
pub(crate) fn normalize_into_sink<S: Sink>(text: &str, sink: &mut S) {
    with_unescaped(text, |s| scan::<true, true, true, _>(s, sink));
}

// Byte classes of the ASCII fast path.
/// Letters and digits, except the ones that may start a URL.
const WORD: u8 = 0;
/// Printable ASCII punctuation except `<`.
const PUNCT: u8 = 1;
/// The ASCII space.
const BLANK: u8 = 2;
/// `h`, `H`, `w`, `W`: letters that may start a URL.
const URL_START: u8 = 3;
/// Everything the slow path decides: control characters (incl. `\t`, `\n`), `<`, non-ASCII.
const STOP: u8 = 4;

const fn byte_classes() -> [u8; 256] {
    let mut t = [STOP; 256];
    let mut i = 0x21;
    while i < 0x7f {
        t[i] = if (i as u8).is_ascii_alphanumeric() { WORD } else { PUNCT };
        i += 1;
    }
    t[b' ' as usize] = BLANK;
    t[b'<' as usize] = STOP;
    t[b'h' as usize] = URL_START;
    t[b'H' as usize] = URL_START;
    t[b'w' as usize] = URL_START;
    t[b'W' as usize] = URL_START;
    t
}

static CLASS: [u8; 256] = byte_classes();

/// End of the run of "plain" ASCII starting at `i` (whose first byte the caller has vetted):
/// letters, digits, punctuation other than `<`, and single spaces, stopping before a possible
/// URL start. Such a run needs nothing but lowercasing, so it is copied in one go; finding its
/// end eight bytes at a time is what makes the scanner fast on ordinary review text.
#[inline(always)]
fn plain_run<const STRIP_URLS: bool>(b: &[u8], i: usize) -> usize {
    let n = b.len();
    let mut j = i + 1;
    loop {
        // Skip 8-byte blocks that certainly hold no byte needing a decision.
        while j + 9 <= n {
            let m = interesting_bytes::<STRIP_URLS>(load8(b, j), load8(b, j - 1), load8(b, j + 1));
            if m != 0 {
                j += (m.trailing_zeros() / 8) as usize;
                break;
            }
            j += 8;
        }
        if j >= n || !plain_continues::<STRIP_URLS>(b, j) {
            return j.min(n);
        }
        j += 1;
    }
}

/// Whether byte `j` (with `j > 0`) extends a plain run; the exact form of the block test.
#[inline(always)]
fn plain_continues<const STRIP_URLS: bool>(b: &[u8], j: usize) -> bool {
    let prev = CLASS[b[j - 1] as usize];
    match CLASS[b[j] as usize] {
        WORD | PUNCT => true,
        BLANK => prev != BLANK,
        URL_START => !(STRIP_URLS && prev != WORD && prev != URL_START && looks_like_url(&b[j..])),
        _ => false,
    }
}

#[inline(always)]
fn load8(b: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(w)
}

const LO7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
const HI: u64 = 0x8080_8080_8080_8080;
const ONES: u64 = 0x0101_0101_0101_0101;

/// 0x80 in each byte of `v` that is zero, exactly (no borrow between bytes).
#[inline(always)]
fn zero_bytes(v: u64) -> u64 {
    !(((v & LO7).wrapping_add(LO7)) | v | LO7)
}

/// A mask with 0x80 in every byte of `x` (the block at `j`) that might need a decision: may be
/// over-inclusive, never under. `prev` is the block at `j - 1`, `next` the block at `j + 1`.
#[inline(always)]
fn interesting_bytes<const STRIP_URLS: bool>(x: u64, prev: u64, next: u64) -> u64 {
    let non_ascii = x & HI;
    let control = zero_bytes(x & (0xe0 * ONES)) | zero_bytes(x ^ (0x7f * ONES));
    let lt = zero_bytes(x ^ (b'<' as u64 * ONES));
    let double_space = zero_bytes(x ^ (b' ' as u64 * ONES)) & zero_bytes(prev ^ (b' ' as u64 * ONES));
    let mut m = non_ascii | control | lt | double_space;
    if STRIP_URLS {
        // `ht` and `ww` (any case) are the only ways a URL can start.
        let (xl, nl) = (x | (0x20 * ONES), next | (0x20 * ONES));
        let ht = zero_bytes(xl ^ (b'h' as u64 * ONES)) & zero_bytes(nl ^ (b't' as u64 * ONES));
        let ww = zero_bytes(xl ^ (b'w' as u64 * ONES)) & zero_bytes(nl ^ (b'w' as u64 * ONES));
        m |= ht | ww;
    }
    m
}

/// The scanner. The const parameters select the [`normalize_text`] or [`clean_markup`]
/// behaviour and are resolved at compile time, so neither pays for the other's checks.
pub(crate) fn scan<const LOWER: bool, const STRIP_URLS: bool, const STRIP_EMOJI: bool, S: Sink>(s: &str, sink: &mut S) {
    let b = s.as_bytes();
    let n = b.len();
    let mut i = 0;
    // `pending`: a separator was seen after some output; it is only written once more output
    // follows, which gives collapsing and trimming for free.
    let mut pending = false;
    let mut started = false;

    while i < n {
        let c = b[i];
        if c < 0x80 {
            match CLASS[c as usize] {
                BLANK => {
                    pending = started;
                    i += 1;
                    continue;
                }
                STOP => {
                    if c == b'<' {
                        if let Some(end) = tag_end(b, i) {
                            i = end;
                            pending = started;
                            continue;
                        }
                    } else {
                        // Control characters are noise in scraped text; treat them as spaces.
                        pending = started;
                        i += 1;
                        continue;
                    }
                }
                URL_START => {
                    if STRIP_URLS
                        && at_word_start(s, i)
                        && let Some(end) = url_end(s, i)
                    {
                        i = end;
                        pending = started;
                        continue;
                    }
                }
                _ => {}
            }
            // Plain text (or a `<` that is not a tag): copy the whole run.
            let end = plain_run::<STRIP_URLS>(b, i);
            let (run_end, trailing_space) = if b[end - 1] == b' ' { (end - 1, true) } else { (end, false) };
            if pending {
                sink.space();
            }
            sink.ascii_run(&s[i..run_end], LOWER);
            started = true;
            pending = trailing_space;
            i = end;
        } else {
            let Some(ch) = s.get(i..).and_then(|r| r.chars().next()) else {
                break;
            };
            i += ch.len_utf8();
            if STRIP_EMOJI {
                match emoji_class(ch) {
                    EmojiClass::Pictograph => {
                        pending = started;
                        continue;
                    }
                    EmojiClass::Modifier => continue,
                    EmojiClass::None => {}
                }
            }
            if is_invisible(ch) {
                continue;
            }
            if ch.is_whitespace() || ch.is_control() {
                pending = started;
                continue;
            }
            if pending {
                sink.space();
                pending = false;
            }
            started = true;
            if LOWER && !ch.is_lowercase() {
                for l in ch.to_lowercase() {
                    if l.is_ascii() {
                        sink.ascii(l as u8);
                    } else {
                        sink.non_ascii(l);
                    }
                }
            } else {
                sink.non_ascii(ch);
            }
        }
    }
}

#[derive(PartialEq, Eq, Debug)]
enum EmojiClass {
    None,
    /// A visible emoji or symbol: removed, and separates words like a space.
    Pictograph,
    /// Joins or modifies a neighbouring emoji (ZWJ, variation selectors, keycap, tag
    /// characters): removed without a trace, so `1️⃣` leaves `1`.
    Modifier,
}

#[inline]
fn emoji_class(c: char) -> EmojiClass {
    match c as u32 {
        // Mahjong, cards, enclosed alphanumerics (regional-indicator flags), pictographs,
        // emoticons, transport, alchemical, geometric-extended, arrows-C, supplemental symbols,
        // chess, symbols-extended-A, legacy computing; also the skin-tone modifiers.
        0x1F000..=0x1FBFF
        // Arrows, misc technical (⌚ ⏰), geometric shapes (▶), misc symbols (☀ ★ ♥),
        // dingbats (✓ ❤), misc symbols and arrows (⭐ ⬛).
        | 0x2190..=0x21FF
        | 0x2300..=0x23FF
        | 0x25A0..=0x27BF
        | 0x2B00..=0x2BFF
        // Single emoji scattered elsewhere: © ® ‼ ⁉ ™ ℹ Ⓜ 〰 〽 ㊗ ㊙.
        | 0xA9 | 0xAE | 0x203C | 0x2049 | 0x2122 | 0x2139 | 0x24C2 | 0x3030 | 0x303D
        | 0x3297 | 0x3299 => EmojiClass::Pictograph,
        0x200D | 0x20E3 | 0xFE00..=0xFE0F | 0xE0020..=0xE007F | 0xE0100..=0xE01EF => {
            EmojiClass::Modifier
        }
        _ => EmojiClass::None,
    }
}

/// Format characters that render as nothing (zero-width space, BOM, soft hyphen, bidi marks);
/// left in, they would split or glue words invisibly.
#[inline]
fn is_invisible(c: char) -> bool {
    matches!(c as u32, 0xAD | 0x200B | 0x200E | 0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x2069 | 0xFEFF)
}

/// A URL only starts a word: `awww.cute` and `thehttp` are not URLs.
#[inline]
fn at_word_start(s: &str, i: usize) -> bool {
    match s.get(..i).and_then(|p| p.chars().next_back()) {
        None => true,
        Some(p) => !p.is_alphanumeric(),
    }
}

#[inline]
fn looks_like_url(b: &[u8]) -> bool {
    starts_with_ic(b, b"http://") || starts_with_ic(b, b"https://") || starts_with_ic(b, b"www.")
}

/// If a URL starts at `i`, the byte index just past it. A URL runs to whitespace or to a
/// character that cannot be part of one in running text (`<`, `>`, `"`).
fn url_end(s: &str, i: usize) -> Option<usize> {
    let b = &s.as_bytes()[i..];
    let prefix = if starts_with_ic(b, b"https://") {
        8
    } else if starts_with_ic(b, b"http://") {
        7
    } else if starts_with_ic(b, b"www.") {
        4
    } else {
        return None;
    };
    let mut end = i + prefix;
    for (off, ch) in s[end..].char_indices() {
        if ch.is_whitespace() || ch.is_control() || matches!(ch, '<' | '>' | '"') {
            return Some(end + off);
        }
    }
    end = s.len();
    Some(end)
}

#[inline]
fn starts_with_ic(hay: &[u8], needle: &[u8]) -> bool {
    hay.len() >= needle.len() && hay[..needle.len()].eq_ignore_ascii_case(needle)
}

/// HTML element names (lowercase, sorted) recognised as tags; see the module docs for why the
/// set is closed.
static KNOWN_TAGS: &[&[u8]] = &[
    b"a",
    b"abbr",
    b"acronym",
    b"address",
    b"area",
    b"article",
    b"aside",
    b"audio",
    b"b",
    b"base",
    b"bdi",
    b"bdo",
    b"big",
    b"blockquote",
    b"body",
    b"br",
    b"button",
    b"canvas",
    b"caption",
    b"center",
    b"cite",
    b"code",
    b"col",
    b"colgroup",
    b"data",
    b"dd",
    b"del",
    b"details",
    b"dfn",
    b"dialog",
    b"div",
    b"dl",
    b"dt",
    b"em",
    b"embed",
    b"fieldset",
    b"figcaption",
    b"figure",
    b"font",
    b"footer",
    b"form",
    b"frame",
    b"frameset",
    b"h1",
    b"h2",
    b"h3",
    b"h4",
    b"h5",
    b"h6",
    b"head",
    b"header",
    b"hr",
    b"html",
    b"i",
    b"iframe",
    b"img",
    b"input",
    b"ins",
    b"kbd",
    b"label",
    b"legend",
    b"li",
    b"link",
    b"main",
    b"map",
    b"mark",
    b"meta",
    b"meter",
    b"nav",
    b"noscript",
    b"object",
    b"ol",
    b"optgroup",
    b"option",
    b"output",
    b"p",
    b"param",
    b"picture",
    b"pre",
    b"progress",
    b"q",
    b"rp",
    b"rt",
    b"ruby",
    b"s",
    b"samp",
    b"script",
    b"section",
    b"select",
    b"small",
    b"source",
    b"span",
    b"strike",
    b"strong",
    b"style",
    b"sub",
    b"summary",
    b"sup",
    b"svg",
    b"table",
    b"tbody",
    b"td",
    b"template",
    b"textarea",
    b"tfoot",
    b"th",
    b"thead",
    b"time",
    b"title",
    b"tr",
    b"track",
    b"tt",
    b"u",
    b"ul",
    b"var",
    b"video",
    b"wbr",
];

const MAX_TAG_NAME: usize = 10;

fn is_known_tag(name: &[u8]) -> bool {
    if name.len() > MAX_TAG_NAME {
        return false;
    }
    let mut buf = [0u8; MAX_TAG_NAME];
    for (d, s) in buf.iter_mut().zip(name) {
        *d = s.to_ascii_lowercase();
    }
    KNOWN_TAGS.binary_search(&&buf[..name.len()]).is_ok()
}

#[inline]
fn is_html_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0c)
}

/// If a tag (or comment, doctype, processing instruction) starts at the `<` at `i`, the index
/// just past it (the text length if it is never closed).
pub(crate) fn tag_end(b: &[u8], i: usize) -> Option<usize> {
    let n = b.len();
    let next = *b.get(i + 1)?;
    match next {
        b'!' => {
            if b.get(i + 2..i + 4) == Some(b"--") {
                return Some(find(b, i + 4, b"-->").map_or(n, |p| p + 3));
            }
            let c = *b.get(i + 2)?;
            (c.is_ascii_alphabetic() || c == b'[').then(|| find(b, i + 2, b">").map_or(n, |p| p + 1))
        }
        b'?' => {
            let c = *b.get(i + 2)?;
            c.is_ascii_alphabetic().then(|| find(b, i + 2, b">").map_or(n, |p| p + 1))
        }
        _ => {
            let closing = next == b'/';
            let name_start = i + 1 + closing as usize;
            let mut j = name_start;
            while j < n && b[j].is_ascii_alphanumeric() {
                j += 1;
            }
            if j == name_start || !b[name_start].is_ascii_alphabetic() {
                return None;
            }
            // A bare name at the very end (`x <a`) is prose, not a truncated tag.
            if j >= n || !(is_html_space(b[j]) || b[j] == b'/' || b[j] == b'>') {
                return None;
            }
            let name = &b[name_start..j];
            if !is_known_tag(name) {
                return None;
            }
            let end = attributes_end(b, j);
            if !closing && (name.eq_ignore_ascii_case(b"script") || name.eq_ignore_ascii_case(b"style")) {
                return Some(raw_text_end(b, end, name));
            }
            Some(end)
        }
    }
}

/// From inside a tag, the index just past its `>`, skipping quoted attribute values.
fn attributes_end(b: &[u8], mut k: usize) -> usize {
    let n = b.len();
    while k < n {
        match b[k] {
            b'>' => return k + 1,
            b'=' => {
                k += 1;
                while k < n && is_html_space(b[k]) {
                    k += 1;
                }
                if k < n && (b[k] == b'"' || b[k] == b'\'') {
                    let q = b[k];
                    match b[k + 1..].iter().position(|&c| c == q) {
                        Some(p) => k += p + 2,
                        None => return n,
                    }
                }
            }
            _ => k += 1,
        }
    }
    n
}

/// The end of the closing tag of a `<script>`/`<style>` element whose content starts at `from`.
fn raw_text_end(b: &[u8], from: usize, name: &[u8]) -> usize {
    let mut k = from;
    while let Some(p) = find(b, k, b"</") {
        let name_at = p + 2;
        let after = name_at + name.len();
        if b.get(name_at..after).is_some_and(|t| t.eq_ignore_ascii_case(name))
            && b.get(after).is_none_or(|&c| is_html_space(c) || c == b'>' || c == b'/')
        {
            return attributes_end(b, after);
        }
        k = p + 2;
    }
    b.len()
}

/// First occurrence of `needle` in `b[from..]`, as an index into `b`.
fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let hay = b.get(from..)?;
    let first = needle[0];
    let mut k = 0;
    while let Some(p) = hay[k..].iter().position(|&c| c == first) {
        let at = k + p;
        if hay[at..].starts_with(needle) {
            return Some(from + at);
        }
        k = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        let mut out = String::from("stale");
        normalize_text(s, &mut out);
        out
    }

    fn clean(s: &str) -> String {
        let mut out = String::from("stale");
        clean_markup(s, &mut out);
        out
    }

    #[test]
    fn br_becomes_a_space_not_br() {
        // seed-spec §5 item 9: the reference produced "br".
        assert_eq!(norm("Great product.<br />Works well<br/>and<BR>fast"), "great product. works well and fast");
        assert_eq!(norm("a&lt;br /&gt;b"), "a b");
    }

    #[test]
    fn escaped_tags_are_handled_like_raw_ones() {
        assert_eq!(norm("&lt;b&gt;Bold&lt;/b&gt; text"), norm("<b>Bold</b> text"));
        assert_eq!(norm("<b>Bold</b> text"), "bold text");
    }

    #[test]
    fn product_link_anchor_from_magazine_reviews() {
        let s = "recommended! You might also be interested in&nbsp;<a data-hook=\"product-link-linked\" class=\"a-link-normal\" href=\"/Seed/dp/B000B7VBOG/ref=cm_cr_arp_d_rvw_txt?ie=UTF8\">Seed</a>";
        assert_eq!(norm(s), "recommended! you might also be interested in seed");
        let s2 = "and&nbsp;<a data-hook=\"product-link-linked\" class=\"a-link-normal\" href=\"/Consumer-Reports/dp/B000W3MB48/ref=cm_cr_arp_d_rvw_txt?ie=UTF8\">Consumer Reports</a>&nbsp;to help";
        assert_eq!(norm(s2), "and consumer reports to help");
    }

    #[test]
    fn prose_less_than_signs_are_not_tags() {
        // Both occur in Magazine_Subscriptions_5.
        assert_eq!(norm("exotic-ness <---- is that word?) LOL"), "exotic-ness <---- is that word?) lol");
        assert_eq!(norm("titled under Work< Play, Live"), "titled under work< play, live");
        assert_eq!(norm("I <3 it, x<y and a < b > c"), "i <3 it, x<y and a < b > c");
        assert_eq!(norm("if price<cheap then buy"), "if price<cheap then buy");
    }

    #[test]
    fn entities_in_review_text() {
        assert_eq!(norm("nice d&eacute;cor ideas"), "nice décor ideas");
        assert_eq!(norm("Don&#39;t &quot;buy&quot; &mdash; it&rsquo;s bad&hellip;"), "don't \"buy\" — it’s bad…");
        assert_eq!(norm("a&nbsp;&nbsp;b"), "a b");
    }

    #[test]
    fn urls_removed() {
        assert_eq!(norm("see http://example.com/a?b=1&amp;c=2 now"), "see now");
        assert_eq!(norm("HTTPS://X.COM/Y, WWW.Amazon.com/dp/1 and www.x.org."), "and");
        assert_eq!(norm("link:https://a.b/c<br>next"), "link: next");
        assert_eq!(norm("awww.cute thehttp://x"), "awww.cute thehttp://x");
        assert_eq!(norm("(http://a.b/c)"), "(");
    }

    #[test]
    fn emoji_removed_letters_kept() {
        assert_eq!(norm("Love it😀😀!! ❤️ 👍🏽 🇺🇸 ★★★★★"), "love it !!");
        assert_eq!(norm("great👨‍👩‍👧family"), "great family");
        assert_eq!(norm("1️⃣ first"), "1 first");
        assert_eq!(norm("Café STRASSE Straße 日本語 ÉCOLE"), "café strasse straße 日本語 école");
        assert_eq!(norm("© 2019 Brand™"), "2019 brand");
    }

    #[test]
    fn whitespace_collapsed_and_trimmed() {
        assert_eq!(norm("  a \t\n\r b\u{a0}\u{2003}c\u{0}d  "), "a b c d");
        assert_eq!(norm(""), "");
        assert_eq!(norm(" \n "), "");
        assert_eq!(norm("<br/>"), "");
        assert_eq!(norm("zero\u{200b}width soft\u{ad}hyphen"), "zerowidth softhyphen");
    }

    #[test]
    fn comments_scripts_and_unclosed_tags() {
        assert_eq!(norm("a<!-- hidden -->b"), "a b");
        assert_eq!(norm("a<!-- never closed"), "a");
        assert_eq!(norm("a<script>var x = '<b>';</script>b"), "a b");
        assert_eq!(norm("a<style type=\"text/css\">.x{}</style >b"), "a b");
        assert_eq!(norm("x <a href=\"a>b\">link</a> y"), "x link y");
        assert_eq!(norm("title <span class=\"a-size-medium a-color-secondary\""), "title");
        assert_eq!(norm("<!DOCTYPE html><html><body>Hi</body></html>"), "hi");
        assert_eq!(norm("<unknown>tag</unknown>"), "<unknown>tag</unknown>");
    }

    #[test]
    fn reviewer_names_with_entities() {
        // seed-spec §1.2: reviewerName holds `&amp;` and `&quot;`.
        assert_eq!(clean("Tom &amp; Jerry &quot;TJ&quot;"), "Tom & Jerry \"TJ\"");
        assert_eq!(clean("Kindle Customer"), "Kindle Customer");
    }

    #[test]
    fn clean_markup_keeps_case_and_symbols() {
        assert_eq!(clean("<span id=\"productTitle\">  Nintendo&#39;s  Switch™ </span>"), "Nintendo's Switch™");
        assert_eq!(clean("Warranty &gt;&gt;&gt; THT Trading"), "Warranty >>> THT Trading");
        assert_eq!(clean("see https://x.y"), "see https://x.y");
        assert_eq!(clean("<span class=\"a-size-medium a-color-secondary\""), "");
    }

    #[test]
    fn uppercase_that_lowercases_to_longer_strings() {
        assert_eq!(norm("İSTANBUL"), "i\u{307}stanbul");
        assert_eq!(norm("\u{212a}elvin"), "kelvin");
    }

    #[test]
    fn emoji_classes() {
        assert_eq!(emoji_class('😀'), EmojiClass::Pictograph);
        assert_eq!(emoji_class('\u{fe0f}'), EmojiClass::Modifier);
        assert_eq!(emoji_class('é'), EmojiClass::None);
        assert_eq!(emoji_class('日'), EmojiClass::None);
    }

    #[test]
    fn known_tags_sorted() {
        assert!(KNOWN_TAGS.windows(2).all(|w| w[0] < w[1]));
        assert!(KNOWN_TAGS.iter().all(|t| t.len() <= MAX_TAG_NAME));
    }
}
