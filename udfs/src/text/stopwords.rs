//! The English stop-word list of Spark ML's `StopWordsRemover`
//! (`org/apache/spark/ml/feature/stopwords/english.txt` as shipped in Spark 3.5, 181
//! words). Using the same list keeps our word cloud and ML features comparable with the
//! reference pipeline's.

/// Spark's English stop words, in the order of Spark's `english.txt`.
pub const ENGLISH_STOP_WORDS: [&str; 181] = [
    "i",
    "me",
    "my",
    "myself",
    "we",
    "our",
    "ours",
    "ourselves",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
    "he",
    "him",
    "his",
    "himself",
    "she",
    "her",
    "hers",
    "herself",
    "it",
    "its",
    "itself",
    "they",
    "them",
    "their",
    "theirs",
    "themselves",
    "what",
    "which",
    "who",
    "whom",
    "this",
    "that",
    "these",
    "those",
    "am",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "have",
    "has",
    "had",
    "having",
    "do",
    "does",
    "did",
    "doing",
    "a",
    "an",
    "the",
    "and",
    "but",
    "if",
    "or",
    "because",
    "as",
    "until",
    "while",
    "of",
    "at",
    "by",
    "for",
    "with",
    "about",
    "against",
    "between",
    "into",
    "through",
    "during",
    "before",
    "after",
    "above",
    "below",
    "to",
    "from",
    "up",
    "down",
    "in",
    "out",
    "on",
    "off",
    "over",
    "under",
    "again",
    "further",
    "then",
    "once",
    "here",
    "there",
    "when",
    "where",
    "why",
    "how",
    "all",
    "any",
    "both",
    "each",
    "few",
    "more",
    "most",
    "other",
    "some",
    "such",
    "no",
    "nor",
    "not",
    "only",
    "own",
    "same",
    "so",
    "than",
    "too",
    "very",
    "s",
    "t",
    "can",
    "will",
    "just",
    "don",
    "should",
    "now",
    "i'll",
    "you'll",
    "he'll",
    "she'll",
    "we'll",
    "they'll",
    "i'd",
    "you'd",
    "he'd",
    "she'd",
    "we'd",
    "they'd",
    "i'm",
    "you're",
    "he's",
    "she's",
    "it's",
    "we're",
    "they're",
    "i've",
    "we've",
    "you've",
    "they've",
    "isn't",
    "aren't",
    "wasn't",
    "weren't",
    "haven't",
    "hasn't",
    "hadn't",
    "don't",
    "doesn't",
    "didn't",
    "won't",
    "wouldn't",
    "shan't",
    "shouldn't",
    "mustn't",
    "can't",
    "couldn't",
    "cannot",
    "could",
    "here's",
    "how's",
    "let's",
    "ought",
    "that's",
    "there's",
    "what's",
    "when's",
    "where's",
    "who's",
    "why's",
    "would",
];

/// The longest stop word, in bytes: longer tokens skip the lookup.
const MAX_LEN: usize = 10;

/// A word of at most 15 bytes packed into an integer (little-endian, zero padded, length in the
/// top byte): comparing keys is one integer comparison instead of a `memcmp` call, and the
/// length keeps `the` and `the\0` apart.
const fn key(word: &[u8]) -> u128 {
    let mut k = (word.len() as u128) << 120;
    let mut i = 0;
    while i < word.len() {
        k |= (word[i] as u128) << (8 * i);
        i += 1;
    }
    k
}

/// [`key`] without a byte loop or a variable-length copy: overlapping fixed-size loads put each
/// byte at its own position, so OR-ing them is exact. `1 <= b.len() <= 15`.
#[inline(always)]
fn fast_key(b: &[u8]) -> u128 {
    let n = b.len();
    let bytes = if n >= 8 {
        let mut lo = [0u8; 8];
        let mut hi = [0u8; 8];
        lo.copy_from_slice(&b[..8]);
        hi.copy_from_slice(&b[n - 8..]);
        u128::from(u64::from_le_bytes(lo)) | u128::from(u64::from_le_bytes(hi)) << (8 * (n - 8))
    } else if n >= 4 {
        let mut lo = [0u8; 4];
        let mut hi = [0u8; 4];
        lo.copy_from_slice(&b[..4]);
        hi.copy_from_slice(&b[n - 4..]);
        u128::from(u32::from_le_bytes(lo)) | u128::from(u32::from_le_bytes(hi)) << (8 * (n - 4))
    } else {
        u128::from(b[0]) | u128::from(b[n / 2]) << (8 * (n / 2)) | u128::from(b[n - 1]) << (8 * (n - 1))
    };
    bytes | (n as u128) << 120
}

const TABLE_BITS: u32 = 10;
const TABLE_SIZE: usize = 1 << TABLE_BITS;

#[inline(always)]
const fn slot(k: u128) -> usize {
    let folded = (k as u64) ^ ((k >> 64) as u64).rotate_left(29);
    (folded.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - TABLE_BITS)) as usize
}

/// Open-addressing hash set of the stop-word keys, built at compile time; 0 marks an empty
/// slot (no word has key 0). With 181 words in 1024 slots probes are short.
static TABLE: [u128; TABLE_SIZE] = build_table(false);

/// The same kind of set holding only the stop words [`is_sentiment_stop_word`] accepts.
static SENTIMENT_TABLE: [u128; TABLE_SIZE] = build_table(true);

/// The listed words, or only the sentiment-carrying ones, as an open-addressing set.
const fn build_table(sentiment_only: bool) -> [u128; TABLE_SIZE] {
    let mut t = [0u128; TABLE_SIZE];
    let mut w = 0;
    while w < ENGLISH_STOP_WORDS.len() {
        let word = ENGLISH_STOP_WORDS[w].as_bytes();
        if !sentiment_only || carries_sentiment(word) {
            let k = key(word);
            let mut s = slot(k);
            while t[s] != 0 {
                s = (s + 1) & (TABLE_SIZE - 1);
            }
            t[s] = k;
        }
        w += 1;
    }
    t
}

/// Negations and intensifiers of the list that are not `n't` forms: keeping them lets
/// "no good", "not good", "very good", "too small" and "only good" differ from "good".
/// (`never` and `really` are not stop words, so they are kept anyway.)
const SENTIMENT_WORDS: [&str; 13] =
    ["no", "nor", "not", "cannot", "against", "few", "more", "most", "only", "so", "too", "very", "just"];

/// Stems of `n't` forms that are words of their own more often than fragments of a negation.
const NOT_NEGATION_STEMS: [&str; 1] = ["can"];

const fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const fn contains(list: &[&str], word: &[u8]) -> bool {
    let mut i = 0;
    while i < list.len() {
        if bytes_eq(list[i].as_bytes(), word) {
            return true;
        }
        i += 1;
    }
    false
}

/// `isn't`, `don't`, `couldn't`, …
const fn is_nt_form(w: &[u8]) -> bool {
    let n = w.len();
    n >= 3 && w[n - 3] == b'n' && w[n - 2] == b'\'' && w[n - 1] == b't'
}

/// `w` is a listed `n't` form without its `'t`, as `don` (from `don't`): the fragment a
/// tokenizer that splits on apostrophes leaves behind.
const fn is_nt_stem(w: &[u8]) -> bool {
    let mut i = 0;
    while i < ENGLISH_STOP_WORDS.len() {
        let c = ENGLISH_STOP_WORDS[i].as_bytes();
        if c.len() == w.len() + 2 && is_nt_form(c) {
            let mut j = 0;
            while j < w.len() && c[j] == w[j] {
                j += 1;
            }
            if j == w.len() {
                return true;
            }
        }
        i += 1;
    }
    false
}

/// The rule of [`is_sentiment_stop_word`] for a listed word.
const fn carries_sentiment(w: &[u8]) -> bool {
    is_nt_form(w) || contains(&SENTIMENT_WORDS, w) || (is_nt_stem(w) && !contains(&NOT_NEGATION_STEMS, w))
}

/// Whether `table` holds `word`.
#[inline(always)]
fn lookup(table: &[u128; TABLE_SIZE], word: &str) -> bool {
    let b = word.as_bytes();
    if b.is_empty() || b.len() > MAX_LEN {
        return false;
    }
    let k = fast_key(b);
    let mut s = slot(k);
    loop {
        match table[s] {
            0 => return false,
            t if t == k => return true,
            _ => s = (s + 1) & (TABLE_SIZE - 1),
        }
    }
}

/// True when `word` is one of Spark's English stop words.
///
/// The comparison is exact: tokens are lowercase already and Spark's list uses ASCII `'`,
/// which is what the tokenizer turns `’` into. Spark's remover is case-insensitive by default,
/// so matching lowercase tokens gives the same result.
///
/// ```
/// # use reviewlake_udfs::text::is_stop_word;
/// assert!(is_stop_word("the") && is_stop_word("don't") && is_stop_word("would"));
/// assert!(!is_stop_word("great") && !is_stop_word("The"));
/// ```
#[inline]
pub fn is_stop_word(word: &str) -> bool {
    lookup(&TABLE, word)
}

/// True when `word` is a stop word that carries sentiment, which ML features keep
/// ("not good" must differ from "good"):
/// - every listed negation ending in `n't` (`isn't`, `don't`, `won't`, `couldn't`, …);
/// - every listed apostrophe-less stem of one (`don`), except `can`, which is mostly the verb;
/// - the listed negations and intensifiers `no`, `nor`, `not`, `cannot`, `against`, `few`,
///   `more`, `most`, `only`, `so`, `too`, `very` and `just`.
///
/// False for every word that is not a stop word.
///
/// ```
/// # use reviewlake_udfs::text::is_sentiment_stop_word;
/// assert!(is_sentiment_stop_word("not") && is_sentiment_stop_word("don't") && is_sentiment_stop_word("very"));
/// assert!(!is_sentiment_stop_word("the") && !is_sentiment_stop_word("can") && !is_sentiment_stop_word("good"));
/// ```
#[inline]
pub fn is_sentiment_stop_word(word: &str) -> bool {
    lookup(&SENTIMENT_TABLE, word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spark_list_has_181_distinct_words() {
        let mut sorted = ENGLISH_STOP_WORDS;
        sorted.sort_unstable();
        assert!(sorted.windows(2).all(|w| w[0] < w[1]), "no duplicates");
        assert_eq!(ENGLISH_STOP_WORDS.iter().map(|w| w.len()).max(), Some(MAX_LEN));
        assert_eq!(TABLE.iter().filter(|&&k| k != 0).count(), 181);
    }

    #[test]
    fn fast_key_matches_key() {
        let sample = b"abcdefghijklmno";
        for n in 1..=15 {
            assert_eq!(fast_key(&sample[..n]), key(&sample[..n]), "{n}");
        }
        for w in ENGLISH_STOP_WORDS {
            assert_eq!(fast_key(w.as_bytes()), key(w.as_bytes()));
        }
    }

    #[test]
    fn every_listed_word_is_found() {
        assert!(ENGLISH_STOP_WORDS.iter().all(|w| is_stop_word(w)));
        assert!(!is_stop_word("") && !is_stop_word("dont") && !is_stop_word("themselvesx"));
        assert!(!is_stop_word("the\0") && !is_stop_word("a\0\0") && !is_stop_word("thé"));
    }

    #[test]
    fn sentiment_stop_words_are_the_negations_and_intensifiers() {
        let kept: Vec<&str> = ENGLISH_STOP_WORDS.iter().copied().filter(|w| is_sentiment_stop_word(w)).collect();
        assert_eq!(
            kept,
            [
                "against",
                "few",
                "more",
                "most",
                "no",
                "nor",
                "not",
                "only",
                "so",
                "too",
                "very",
                "just",
                "don",
                "isn't",
                "aren't",
                "wasn't",
                "weren't",
                "haven't",
                "hasn't",
                "hadn't",
                "don't",
                "doesn't",
                "didn't",
                "won't",
                "wouldn't",
                "shan't",
                "shouldn't",
                "mustn't",
                "can't",
                "couldn't",
                "cannot",
            ]
        );
        assert_eq!(SENTIMENT_TABLE.iter().filter(|&&k| k != 0).count(), kept.len());
        assert!(SENTIMENT_WORDS.iter().chain(&NOT_NEGATION_STEMS).all(|w| is_stop_word(w)), "listed words only");
        for word in ["the", "can", "t", "s", "it's", "i", "would", "could", "but"] {
            assert!(is_stop_word(word) && !is_sentiment_stop_word(word), "{word}");
        }
        for word in ["", "good", "never", "really", "isn", "dont", "NOT", "not\0"] {
            assert!(!is_sentiment_stop_word(word), "{word:?}");
        }
    }
}
