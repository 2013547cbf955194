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
static TABLE: [u128; TABLE_SIZE] = {
    let mut t = [0u128; TABLE_SIZE];
    let mut w = 0;
    while w < ENGLISH_STOP_WORDS.len() {
        let k = key(ENGLISH_STOP_WORDS[w].as_bytes());
        let mut s = slot(k);
        while t[s] != 0 {
            s = (s + 1) & (TABLE_SIZE - 1);
        }
        t[s] = k;
        w += 1;
    }
    t
};

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
    let b = word.as_bytes();
    if b.is_empty() || b.len() > MAX_LEN {
        return false;
    }
    let k = fast_key(b);
    let mut s = slot(k);
    loop {
        match TABLE[s] {
            0 => return false,
            t if t == k => return true,
            _ => s = (s + 1) & (TABLE_SIZE - 1),
        }
    }
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
}
