//! Word counting for `review_length_words`.

use super::normalize::{Sink, normalize_into_sink};

/// Counts the words a reader sees in `text`: the whitespace-separated pieces of
/// [`normalize_text`](super::normalize_text) that contain at least one letter or digit.
///
/// So HTML tags, URLs, emoji and stray punctuation (`-`, `!!!`) are not words, `don't` and
/// `well-made` are one word each, and a missing text has 0 words. The reference split on
/// single spaces, counted `"a  b"` as three words and gave -1 for null (seed-spec §5 item 11).
/// Nothing is allocated.
///
/// ```
/// # use reviewlake_udfs::text::word_count;
/// assert_eq!(word_count(Some("  a  b ")), 2);
/// assert_eq!(word_count(Some("Great!<br />Works - well 😀")), 3);
/// assert_eq!(word_count(None), 0);
/// ```
pub fn word_count(text: Option<&str>) -> i32 {
    let Some(text) = text else { return 0 };
    let mut sink = WordCounter { count: 0, word_has_alnum: false };
    normalize_into_sink(text, &mut sink);
    sink.finish();
    i32::try_from(sink.count).unwrap_or(i32::MAX)
}

struct WordCounter {
    count: u64,
    word_has_alnum: bool,
}

impl WordCounter {
    #[inline]
    fn finish(&mut self) {
        self.count += self.word_has_alnum as u64;
        self.word_has_alnum = false;
    }
}

impl Sink for WordCounter {
    #[inline(always)]
    fn ascii(&mut self, b: u8) {
        self.word_has_alnum |= b.is_ascii_alphanumeric();
    }
    #[inline(always)]
    fn non_ascii(&mut self, c: char) {
        if !self.word_has_alnum {
            self.word_has_alnum = c.is_alphanumeric();
        }
    }
    #[inline(always)]
    fn space(&mut self) {
        self.finish();
    }
    /// Branch-free per byte: a space closes a word (counted if it had a letter or digit).
    #[inline]
    fn ascii_run(&mut self, run: &str, _lower: bool) {
        let mut count = self.count;
        let mut has = self.word_has_alnum as u64;
        for &b in run.as_bytes() {
            let space = (b == b' ') as u64;
            count += space & has;
            has = (has | b.is_ascii_alphanumeric() as u64) & (space ^ 1);
        }
        self.count = count;
        self.word_has_alnum = has != 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_not_single_space_splits() {
        assert_eq!(word_count(Some("  a  b ")), 2);
        assert_eq!(word_count(Some("a\n\nb\tc")), 3);
        assert_eq!(word_count(Some("")), 0);
        assert_eq!(word_count(Some("   ")), 0);
        assert_eq!(word_count(None), 0);
    }

    #[test]
    fn punctuation_markup_and_emoji_are_not_words() {
        assert_eq!(word_count(Some("Love it - 5 stars!!! 😀😀")), 4);
        assert_eq!(word_count(Some("don't well-made")), 2);
        assert_eq!(word_count(Some("one<br />two<br/>three")), 3);
        assert_eq!(word_count(Some("see https://example.com/x now")), 2);
        assert_eq!(word_count(Some("日本 café")), 2);
        assert_eq!(word_count(Some("Tom &amp; Jerry")), 2);
    }

    #[test]
    fn agrees_with_normalize_text() {
        let s = "Another great gift.<a href=\"/x\">Seed</a>&nbsp;and --- www.x.com ok";
        let mut norm = String::new();
        super::super::normalize_text(s, &mut norm);
        let expected = norm.split(' ').filter(|w| w.chars().any(char::is_alphanumeric)).count();
        assert_eq!(word_count(Some(s)) as usize, expected);
    }
}
