//! Tokenizing normalised text into the words used for the word cloud and the ML features.

use std::ops::Range;

use super::normalize::{Sink, normalize_into_sink};
use super::stopwords::is_stop_word;

/// Reusable token storage: the kept tokens are written back to back into one string and
/// addressed by ranges, so tokenizing a row allocates nothing once the buffers have grown and a
/// UDF wrapper can append each `&str` straight into an Arrow list builder.
///
/// Rules (the spec leaves these open):
/// - the input goes through [`normalize_text`](super::normalize_text) first (so tags, URLs
///   and emoji never become tokens, and tokens are lowercase);
/// - a token is a maximal run of letters and digits (Unicode `is_alphanumeric`), where a single
///   apostrophe (`'`, `’`, `‘` or `ʼ`) *between* two such characters stays inside the token and
///   is written as ASCII `'`: Spark's stop-word list has `don't`, `isn't`, `it's`, so splitting
///   on the apostrophe would leave `isn` and `doesn` behind;
/// - tokens made only of digits are dropped (the reference dropped digits; `mp3` and `4k`
///   stay);
/// - Spark's English stop words are dropped ([`is_stop_word`]), except those
///   [`tokenize_keeping`](Self::tokenize_keeping) is asked to keep.
///
/// ```
/// # use reviewlake_udfs::text::TokenBuffer;
/// let mut tokens = TokenBuffer::new();
/// tokens.tokenize("It's GREAT!! Don’t buy 2 of the MP3 players<br/>www.x.com");
/// assert_eq!(tokens.iter().collect::<Vec<_>>(), ["great", "buy", "mp3", "players"]);
/// ```
#[derive(Debug, Default, Clone)]
pub struct TokenBuffer {
    text: String,
    spans: Vec<Range<usize>>,
}

impl TokenBuffer {
    /// An empty buffer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Replaces the contents with the tokens of `text`.
    pub fn tokenize(&mut self, text: &str) {
        self.tokenize_keeping(text, |_| false);
    }

    /// [`tokenize`](Self::tokenize), except that the stop words for which `keep` is true stay
    /// (`keep` is asked about stop words only), e.g. the negations of
    /// [`is_sentiment_stop_word`](super::is_sentiment_stop_word):
    ///
    /// ```
    /// # use reviewlake_udfs::text::{TokenBuffer, is_sentiment_stop_word};
    /// let mut tokens = TokenBuffer::new();
    /// tokens.tokenize_keeping("It isn't very good", is_sentiment_stop_word);
    /// assert_eq!(tokens.iter().collect::<Vec<_>>(), ["isn't", "very", "good"]);
    /// ```
    pub fn tokenize_keeping(&mut self, text: &str, keep: impl Fn(&str) -> bool) {
        self.text.clear();
        self.spans.clear();
        // The sink owns the buffers while it runs: one indirection less per token.
        let mut sink = TokenSink {
            text: std::mem::take(&mut self.text),
            spans: std::mem::take(&mut self.spans),
            start: 0,
            all_digits: true,
            apostrophe: false,
            keep,
        };
        normalize_into_sink(text, &mut sink);
        sink.end_token();
        self.text = sink.text;
        self.spans = sink.spans;
    }

    /// The tokens, in text order (duplicates kept: they are term frequencies).
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + DoubleEndedIterator + '_ {
        self.spans.iter().map(|r| &self.text[r.clone()])
    }

    /// The `i`-th token.
    pub fn get(&self, i: usize) -> Option<&str> {
        self.spans.get(i).map(|r| &self.text[r.clone()])
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// True when there are no tokens.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }
}

/// Convenience form of [`TokenBuffer::tokenize`] for callers that want owned strings; `out` is
/// cleared first. Allocates one `String` per token, so hot paths should use [`TokenBuffer`].
///
/// ```
/// # use reviewlake_udfs::text::tokenize;
/// let mut out = Vec::new();
/// tokenize("The quick brown fox &amp; the lazy dog", &mut out);
/// assert_eq!(out, ["quick", "brown", "fox", "lazy", "dog"]);
/// ```
pub fn tokenize(text: &str, out: &mut Vec<String>) {
    out.clear();
    let mut buf = TokenBuffer::new();
    buf.tokenize(text);
    out.extend(buf.iter().map(str::to_owned));
}

struct TokenSink<K> {
    text: String,
    spans: Vec<Range<usize>>,
    /// Where the current token starts in `text`.
    start: usize,
    all_digits: bool,
    /// An apostrophe followed the current token; it is kept only if a letter follows.
    apostrophe: bool,
    /// Which stop words stay.
    keep: K,
}

impl<K: Fn(&str) -> bool> TokenSink<K> {
    #[inline]
    fn in_token(&self) -> bool {
        self.text.len() > self.start
    }

    fn end_token(&mut self) {
        self.apostrophe = false;
        if self.in_token() {
            let token = &self.text[self.start..];
            if self.all_digits || (is_stop_word(token) && !(self.keep)(token)) {
                self.text.truncate(self.start);
            } else {
                self.spans.push(self.start..self.text.len());
                self.start = self.text.len();
            }
        }
        self.all_digits = true;
    }

    #[inline]
    fn word_char(&mut self, c: char, is_digit: bool) {
        if self.apostrophe {
            self.text.push('\'');
            self.apostrophe = false;
        }
        self.all_digits &= is_digit;
        self.text.push(c);
    }

    #[inline]
    fn separator(&mut self, is_apostrophe: bool) {
        if is_apostrophe && self.in_token() && !self.apostrophe {
            self.apostrophe = true;
        } else {
            self.end_token();
        }
    }
}

impl<K: Fn(&str) -> bool> Sink for TokenSink<K> {
    #[inline(always)]
    fn ascii(&mut self, b: u8) {
        if b.is_ascii_alphanumeric() {
            self.word_char(b as char, b.is_ascii_digit());
        } else {
            self.separator(b == b'\'');
        }
    }

    fn non_ascii(&mut self, c: char) {
        if c.is_alphanumeric() {
            self.word_char(c, c.is_numeric());
        } else {
            self.separator(matches!(c, '\u{2019}' | '\u{2018}' | '\u{2bc}'));
        }
    }

    #[inline(always)]
    fn space(&mut self) {
        self.end_token();
    }

    /// Whole runs of ASCII letters and digits are appended at once.
    fn ascii_run(&mut self, run: &str, lower: bool) {
        let b = run.as_bytes();
        let mut k = 0;
        while k < b.len() {
            if b[k].is_ascii_alphanumeric() {
                let start = k;
                let mut digits = true;
                while k < b.len() && b[k].is_ascii_alphanumeric() {
                    digits &= b[k].is_ascii_digit();
                    k += 1;
                }
                if self.apostrophe {
                    self.text.push('\'');
                    self.apostrophe = false;
                }
                self.all_digits &= digits;
                let at = self.text.len();
                self.text.push_str(&run[start..k]);
                if lower {
                    self.text[at..].make_ascii_lowercase();
                }
            } else {
                if b[k] == b' ' {
                    self.end_token();
                } else {
                    self.separator(b[k] == b'\'');
                }
                k += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<String> {
        let mut out = vec!["stale".to_owned()];
        tokenize(s, &mut out);
        out
    }

    #[test]
    fn stop_words_and_digits_dropped() {
        assert_eq!(toks("I love it, 10 out of 10!"), ["love"]);
        assert_eq!(toks("The MP3 player has 4k video"), ["mp3", "player", "4k", "video"]);
        assert_eq!(toks(""), Vec::<String>::new());
    }

    #[test]
    fn apostrophes_inside_words() {
        assert_eq!(toks("isn't doesn’t WON'T it's"), Vec::<String>::new());
        assert_eq!(
            toks("rock'n'roll students' 'quoted' o''clock"),
            ["rock'n'roll", "students", "quoted", "o", "clock"]
        );
        assert_eq!(toks("Maggiano&#39;s Gift"), ["maggiano's", "gift"]);
    }

    #[test]
    fn splits_on_punctuation_and_markup() {
        assert_eq!(toks("well-made,cheap.fast<br/>great"), ["well", "made", "cheap", "fast", "great"]);
        assert_eq!(toks("Café 日本語 naïve"), ["café", "日本語", "naïve"]);
        assert_eq!(toks("visit https://x.com/great now"), ["visit"]);
    }

    #[test]
    fn buffer_reuse_gives_independent_results() {
        let mut b = TokenBuffer::new();
        b.tokenize("alpha beta gamma");
        assert_eq!(b.len(), 3);
        b.tokenize("delta");
        assert_eq!(b.iter().collect::<Vec<_>>(), ["delta"]);
        assert_eq!(b.get(0), Some("delta"));
        assert_eq!(b.get(1), None);
        b.tokenize("the");
        assert!(b.is_empty());
    }

    #[test]
    fn keeping_only_changes_which_stop_words_stay() {
        let text = "I don’t think it's NOT worth 10 dollars, the end";
        let mut b = TokenBuffer::new();
        b.tokenize_keeping(text, |_| false);
        assert_eq!(b.iter().collect::<Vec<_>>(), toks(text));
        b.tokenize_keeping(text, |w| w == "not" || w == "don't");
        assert_eq!(b.iter().collect::<Vec<_>>(), ["don't", "think", "not", "worth", "dollars", "end"]);
        b.tokenize_keeping(text, |_| true);
        assert_eq!(
            b.iter().collect::<Vec<_>>(),
            ["i", "don't", "think", "it's", "not", "worth", "dollars", "the", "end"]
        );
        b.tokenize(text);
        assert_eq!(b.iter().collect::<Vec<_>>(), ["think", "worth", "dollars", "end"]);
    }
}
