//! The terms of a review for sentiment features: unigrams that keep negations and
//! intensifiers, then word n-grams.

use std::ops::Range;

use super::stopwords::is_sentiment_stop_word;
use super::tokenize::TokenBuffer;

/// Reusable term storage for ML features: building the terms of a row allocates nothing once
/// the buffers have grown.
///
/// The terms are
/// - the unigrams: the tokens of [`TokenBuffer::tokenize`], except that the stop words that
///   carry sentiment ([`is_sentiment_stop_word`]: `not`, `no`, `don't`, `very`, `too`, …) are
///   kept, so that "not good" differs from "good";
/// - then, for each `n` in `2..=ngram_max`, every run of `n` consecutive unigrams joined by a
///   single space, in text order (all bigrams, then all trigrams, …).
///
/// ```
/// # use reviewlake_udfs::text::TermBuilder;
/// let mut terms = TermBuilder::new();
/// terms.build("Not good, not bad at all", 2); // `at` and `all` are stop words
/// assert_eq!(
///     terms.iter().collect::<Vec<_>>(),
///     ["not", "good", "not", "bad", "not good", "good not", "not bad"]
/// );
/// terms.build("Not good, not bad at all", 1);
/// assert_eq!(terms.iter().collect::<Vec<_>>(), ["not", "good", "not", "bad"]);
/// ```
#[derive(Debug, Default, Clone)]
pub struct TermBuilder {
    /// The unigrams.
    tokens: TokenBuffer,
    /// The n-grams (n ≥ 2), back to back.
    ngrams: String,
    /// Where each n-gram is in `ngrams`.
    spans: Vec<Range<usize>>,
}

impl TermBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Replaces the contents with the terms of `text`, n-grams up to `ngram_max` words long
    /// (`ngram_max` 0 or 1 gives the unigrams only).
    pub fn build(&mut self, text: &str, ngram_max: usize) {
        self.tokens.tokenize_keeping(text, is_sentiment_stop_word);
        self.ngrams.clear();
        self.spans.clear();
        let count = self.tokens.len();
        for n in 2..=ngram_max.min(count) {
            for first in 0..=count - n {
                let start = self.ngrams.len();
                for i in first..first + n {
                    if i > first {
                        self.ngrams.push(' ');
                    }
                    self.ngrams.push_str(self.tokens.get(i).unwrap_or_default());
                }
                self.spans.push(start..self.ngrams.len());
            }
        }
    }

    /// The terms: unigrams in text order (duplicates kept: they are term frequencies), then
    /// the bigrams, the trigrams, ….
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        self.tokens.iter().chain(self.spans.iter().map(|r| &self.ngrams[r.clone()]))
    }

    /// The unigrams only.
    pub fn unigrams(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.tokens.iter()
    }

    /// Number of terms.
    pub fn len(&self) -> usize {
        self.tokens.len() + self.spans.len()
    }

    /// True when there are no terms.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str, ngram_max: usize) -> Vec<String> {
        let mut b = TermBuilder::new();
        b.build(text, ngram_max);
        assert_eq!(b.len(), b.iter().count());
        b.iter().map(str::to_owned).collect()
    }

    #[test]
    fn unigrams_bigrams_and_trigrams() {
        let text = "Not good, not bad at all";
        assert_eq!(terms(text, 1), ["not", "good", "not", "bad"]);
        assert_eq!(terms(text, 0), terms(text, 1));
        assert_eq!(terms(text, 2), ["not", "good", "not", "bad", "not good", "good not", "not bad"]);
        assert_eq!(
            terms(text, 3),
            ["not", "good", "not", "bad", "not good", "good not", "not bad", "not good not", "good not bad"]
        );
        // Longer than the text: every n-gram that fits, no more.
        assert_eq!(
            terms("great cheap phone", 9),
            ["great", "cheap", "phone", "great cheap", "cheap phone", "great cheap phone"]
        );
    }

    #[test]
    fn negations_and_intensifiers_are_kept() {
        assert_eq!(terms("I don’t like it, it ISN'T very good", 1), ["don't", "like", "isn't", "very", "good"]);
        assert_eq!(
            terms("No. Too small, only fits a few", 2),
            ["no", "too", "small", "only", "fits", "few", "no too", "too small", "small only", "only fits", "fits few"]
        );
        assert_eq!(terms("couldn't be more happy", 2), ["couldn't", "more", "happy", "couldn't more", "more happy"]);
    }

    #[test]
    fn ordinary_stop_words_and_numbers_are_dropped() {
        assert_eq!(
            terms("The battery of the phone can last 10 hours", 2),
            ["battery", "phone", "last", "hours", "battery phone", "phone last", "last hours"]
        );
    }

    #[test]
    fn empty_text_and_text_of_only_stop_words() {
        assert!(terms("", 3).is_empty());
        assert!(terms("<br/> 42 !!", 3).is_empty());
        assert!(terms("It is what it was, and the same", 3).is_empty());
        assert_eq!(terms("It is not", 3), ["not"]);
    }

    #[test]
    fn buffer_reuse_gives_independent_results() {
        let mut b = TermBuilder::new();
        b.build("alpha beta gamma delta", 3);
        assert_eq!(b.len(), 4 + 3 + 2);
        b.build("omega", 3);
        assert_eq!(b.iter().collect::<Vec<_>>(), ["omega"]);
        assert_eq!(b.unigrams().len(), 1);
        b.build("the", 3);
        assert!(b.is_empty());
        assert_eq!(b.iter().count(), 0);
    }
}
