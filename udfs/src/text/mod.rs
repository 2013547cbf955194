//! Text cleaning and ML text features for review text, over plain `&str`.
//!
//! Everything here is pure and panic-free on any input, and the per-row functions write into
//! caller-owned buffers so that a UDF wrapper can process an Arrow array without allocating per
//! row:
//!
//! | function | use |
//! |---|---|
//! | [`normalize_text`] | cleaned, lowercased text (entities, tags, URLs, emoji removed) |
//! | [`clean_markup`] | display strings: entities and tags removed, case kept |
//! | [`unescape_html`] | HTML entity decoding as Python's `html.unescape` |
//! | [`word_count`] | `review_length_words` |
//! | [`TokenBuffer`], [`tokenize`] | word-cloud / ML tokens, Spark English stop words removed |
//! | [`TermBuilder`] | ML terms: tokens keeping negations and intensifiers ([`is_sentiment_stop_word`]), then n-grams |
//! | [`hash_features`], [`hash_features_into`] | Spark 3.x `HashingTF` term frequencies |
//!
//! Typical pipeline for one row, reusing buffers across rows:
//!
//! ```
//! use reviewlake_udfs::text::{TokenBuffer, hash_features_into, word_count};
//! let mut tokens = TokenBuffer::new();
//! let (mut idx, mut val) = (Vec::new(), Vec::new());
//! for review in ["Great gift!<br />Arrived fast.", "Don&#39;t buy, it broke 😡"] {
//!     tokens.tokenize(review);
//!     hash_features_into(tokens.iter(), 1 << 18, &mut idx, &mut val);
//!     assert_eq!(idx.len(), tokens.len());
//!     assert!(word_count(Some(review)) >= tokens.len() as i32);
//! }
//! ```

mod entities;
mod entity_table;
mod feature_terms;
mod hashing;
mod normalize;
mod stopwords;
mod tokenize;
mod words;

pub use entities::unescape_html;
pub use feature_terms::TermBuilder;
pub use hashing::{
    DEFAULT_NUM_FEATURES, SPARK_HASH_SEED, hash_features, hash_features_into, hashing_tf_index, murmur3_x86_32,
    spark_legacy_murmur3_x86_32,
};
pub use normalize::{clean_markup, normalize_text};
pub use stopwords::{ENGLISH_STOP_WORDS, is_sentiment_stop_word, is_stop_word};
pub use tokenize::{TokenBuffer, tokenize};
pub use words::word_count;

pub(crate) use entities::with_unescaped;
pub(crate) use normalize::tag_end;
