//! DataFusion wrappers of the pure functions: `ScalarUDFImpl`s over whole Arrow arrays.
//!
//! Most reviewlake functions take one text column and produce one value per row; they share
//! [`TextFunction`], which accepts `Utf8`, `LargeUtf8` and `Utf8View`, maps null to null and
//! reuses one `String` buffer for the whole batch. The others live in [`labels`], [`lists`] and
//! [`records`].
//!
//! | SQL function | result |
//! |---|---|
//! | `normalize_text(text)` | cleaned, lowercased text |
//! | `sentiment_polarity(text)`, `sentiment_subjectivity(text)` | TextBlob-compatible scores |
//! | `sentiment_label(polarity[, positive_above, negative_below])` | `positive`/`negative`/`neutral` |
//! | `rating_sentiment(overall)` | `Positive`/`Neutral`/`Negative` |
//! | `parse_price`, `parse_vote`, `parse_bool`, `parse_rating`, `parse_review_date` | typed values, null for junk |
//! | `extract_category(main_cat, category)`, `normalize_brand(brand)`, `clean_title(title)` | canonical display text |
//! | `word_count(text)` | words (null counts 0) |
//! | `tokenize(text)`, `hash_features(tokens, n)` | ML features (Spark `HashingTF`-compatible) |
//! | `parse_review_json(line)`, `parse_metadata_json(line)` | a raw record's fields as text, `_rescued_data`, `_error` |
//! | `json_record_error(line)` | why a line is not a JSON object, or null (a syntax check) |
//! | `parse_style(text)` | a review's style object as `MAP<VARCHAR, VARCHAR>` (`{Size: Medium}`) |
//! | `json_text_array(text)` | the strings of a JSON array held as text |

mod array_function;
pub mod labels;
pub mod lists;
pub mod records;
mod text_function;

use std::sync::Arc;

use datafusion::arrow::datatypes::DataType;
use datafusion::logical_expr::ScalarUDF;

pub use array_function::{ArrayFunction, ArrayKernel};
pub use labels::{polarity_label, rating_label};
pub use text_function::{TextFunction, TextKernel};

use crate::{parse, sentiment, text};

fn text_functions() -> Vec<TextFunction> {
    use TextKernel::*;
    vec![
        TextFunction::new(
            "normalize_text",
            Text(text::normalize_text),
            "Unescapes HTML entities, removes tags, URLs and emoji, lowercases and collapses whitespace.",
        ),
        TextFunction::new(
            "sentiment_polarity",
            Float(|t| Some(sentiment::polarity(t))),
            "TextBlob (PatternAnalyzer) polarity in [-1, 1].",
        ),
        TextFunction::new(
            "sentiment_subjectivity",
            Float(|t| Some(sentiment::subjectivity(t))),
            "TextBlob (PatternAnalyzer) subjectivity in [0, 1].",
        ),
        TextFunction::new(
            "parse_price",
            Float(parse::parse_price),
            "Price text to a number; a range gives its midpoint.",
        )
        .accepting_scalars(),
        TextFunction::new("parse_vote", Int(parse::parse_vote), "Vote count with thousands separators to an integer.")
            .accepting_scalars(),
        TextFunction::new("parse_bool", Bool(parse::parse_bool), "Boolean text or value to a boolean.")
            .accepting_scalars(),
        TextFunction::new("parse_rating", Float(parse::parse_rating), "Star rating (text or number) in 0..=5.")
            .accepting_scalars(),
        TextFunction::new(
            "parse_review_date",
            Date(parse::parse_review_date),
            "Unix seconds (text or number) or `MM D, YYYY` to a UTC date.",
        )
        .accepting_scalars(),
        TextFunction::new(
            "normalize_brand",
            TextOrDefault(parse::normalize_brand_into),
            "Brand without `by` prefixes or `Visit Amazon's X Page`; blank gives `Unknown`.",
        ),
        TextFunction::new(
            "clean_title",
            TextOrDefault(parse::clean_title_into),
            "Title without markup or entities; blank gives `Unknown`.",
        ),
        TextFunction::new("word_count", Count(text::word_count), "Number of words; null counts 0."),
    ]
}

/// Every reviewlake scalar UDF.
///
/// ```
/// let fs = reviewlake_udfs::udf::scalar_functions();
/// assert!(fs.iter().any(|f| f.name() == "normalize_text"));
/// assert!(fs.iter().any(|f| f.name() == "hash_features"));
/// ```
pub fn scalar_functions() -> Vec<Arc<ScalarUDF>> {
    let array_functions = [
        ArrayFunction::new("sentiment_label", &[1, 3], DataType::Utf8, labels::sentiment_label),
        ArrayFunction::new("rating_sentiment", &[1], DataType::Utf8, labels::rating_sentiment),
        ArrayFunction::new("extract_category", &[2], DataType::Utf8, lists::extract_category),
        ArrayFunction::new("tokenize", &[1], lists::list_of_text(), lists::tokenize),
        ArrayFunction::new("hash_features", &[2], lists::hash_features_type(), lists::hash_features),
        ArrayFunction::new(
            "parse_review_json",
            &[1],
            records::record_type(&crate::parse::record::REVIEW_FIELDS),
            records::parse_review_json,
        ),
        ArrayFunction::new("json_record_error", &[1], DataType::Utf8, records::json_record_error),
        ArrayFunction::new("json_text_array", &[1], lists::list_of_text(), records::json_text_array),
        ArrayFunction::new("parse_style", &[1], records::style_map_type(), records::parse_style),
        ArrayFunction::new(
            "parse_metadata_json",
            &[1],
            records::record_type(&crate::parse::record::METADATA_FIELDS),
            records::parse_metadata_json,
        ),
    ];
    let text = text_functions().into_iter().map(ScalarUDF::new_from_impl);
    text.chain(array_functions.into_iter().map(ScalarUDF::new_from_impl)).map(Arc::new).collect()
}
