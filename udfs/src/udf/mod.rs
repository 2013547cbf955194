//! DataFusion wrappers of the pure functions, laid out as DataFusion lays out its own: one file
//! per SQL function, each a `ScalarUDFImpl` (or, for the training sums, an `AggregateUDFImpl`)
//! with a typed [`Signature`] and its [`Documentation`], grouped in [`text`], [`sentiment`],
//! [`parse`], [`records`] and [`ml`].
//!
//! Kernels run over whole Arrow arrays and reuse their buffers across the rows of a batch. The
//! one-text-argument functions share [`TextKernel`]; [`ArrayFunction`] wraps a stateful
//! closure as a UDF for other crates. [`scalar_functions`] and [`aggregate_functions`] are the
//! one lists of the functions and [`markdown_table`] renders the scalar ones' documentation.
//!
//! [`Signature`]: datafusion::logical_expr::Signature
//! [`Documentation`]: datafusion::logical_expr::Documentation

mod args;
mod array_function;
pub mod docs;
pub mod ml;
pub mod parse;
pub mod records;
pub mod sentiment;
pub mod text;
mod text_function;

use std::sync::Arc;

use datafusion::logical_expr::{AggregateUDF, AggregateUDFImpl, ScalarUDF, ScalarUDFImpl};

pub use args::list_of_text;
pub use array_function::{ArrayFunction, ArrayKernel};
pub use docs::markdown_table;
pub use ml::{document_frequencies_type, hash_features_type, logistic_gradient_type, vector_literal};
pub use records::{record_type, style_map_type};
pub use sentiment::{polarity_label, rating_label};
pub use text_function::TextKernel;

/// Every reviewlake scalar UDF, in documentation order (by group).
///
/// ```
/// let fs = reviewlake_udfs::udf::scalar_functions();
/// assert!(fs.iter().any(|f| f.name() == "normalize_text"));
/// assert!(fs.iter().any(|f| f.name() == "hash_features"));
/// ```
pub fn scalar_functions() -> Vec<Arc<ScalarUDF>> {
    fn udf(function: impl ScalarUDFImpl) -> Arc<ScalarUDF> {
        Arc::new(ScalarUDF::new_from_impl(function))
    }
    vec![
        udf(text::NormalizeText::new()),
        udf(text::WordCount::new()),
        udf(sentiment::SentimentPolarity::new()),
        udf(sentiment::SentimentSubjectivity::new()),
        udf(sentiment::SentimentLabel::new()),
        udf(sentiment::RatingSentiment::new()),
        udf(parse::ParsePrice::new()),
        udf(parse::ParseVote::new()),
        udf(parse::ParseBool::new()),
        udf(parse::ParseRating::new()),
        udf(parse::ParseReviewDate::new()),
        udf(parse::NormalizeBrand::new()),
        udf(parse::CleanTitle::new()),
        udf(parse::ExtractCategory::new()),
        udf(records::ParseReviewJson::new()),
        udf(records::ParseMetadataJson::new()),
        udf(records::JsonRecordError::new()),
        udf(records::ParseStyle::new()),
        udf(records::JsonTextArray::new()),
        udf(ml::Tokenize::new()),
        udf(ml::FeatureTerms::new()),
        udf(ml::HashFeatures::new()),
        udf(ml::LogisticScore::new()),
    ]
}

/// Every reviewlake aggregate UDF: the sums that distributed model training is made of.
///
/// ```
/// let fs = reviewlake_udfs::udf::aggregate_functions();
/// assert!(fs.iter().any(|f| f.name() == "logistic_gradient"));
/// ```
pub fn aggregate_functions() -> Vec<Arc<AggregateUDF>> {
    fn udaf(function: impl AggregateUDFImpl) -> Arc<AggregateUDF> {
        Arc::new(AggregateUDF::new_from_impl(function))
    }
    vec![udaf(ml::LogisticGradient::new()), udaf(ml::DocumentFrequencies::new())]
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use datafusion::prelude::SessionContext;

    use super::*;

    #[test]
    fn every_function_is_documented_and_names_are_unique() {
        let functions = scalar_functions();
        let mut names = HashSet::new();
        for function in &functions {
            let name = function.name();
            assert!(names.insert(name.to_string()), "{name} is registered twice");
            let doc = function.documentation().unwrap_or_else(|| panic!("{name} has no documentation"));
            assert!(!doc.description.trim().is_empty(), "{name} has no description");
            assert!(doc.syntax_example.starts_with(&format!("{name}(")), "{name}: syntax {}", doc.syntax_example);
            let arguments = doc.arguments.as_deref().unwrap_or_default();
            assert!(!arguments.is_empty(), "{name} documents no argument");
            for (argument, description) in arguments {
                assert!(doc.syntax_example.contains(argument.as_str()), "{name}: {argument} not in the syntax");
                assert!(!description.trim().is_empty(), "{name}: {argument} has no description");
            }
        }
        let table = markdown_table(&functions);
        assert_eq!(table.lines().count(), functions.len() + 2, "{table}");
    }

    #[tokio::test]
    async fn every_sql_example_runs() {
        let ctx = SessionContext::new();
        for function in scalar_functions() {
            ctx.register_udf((*function).clone());
        }
        for function in scalar_functions() {
            let doc = function.documentation().expect("documented");
            let example = doc.sql_example.as_deref().unwrap_or_else(|| panic!("{} has no example", function.name()));
            assert!(example.contains(function.name()), "{example}");
            let rows = ctx.sql(example).await.unwrap_or_else(|e| panic!("{example}: {e}"));
            let batches = rows.collect().await.unwrap_or_else(|e| panic!("{example}: {e}"));
            assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 1, "{example}");
        }
    }

    #[tokio::test]
    async fn every_aggregate_is_documented_and_its_example_runs() {
        let ctx = SessionContext::new();
        for function in scalar_functions() {
            ctx.register_udf((*function).clone());
        }
        for function in aggregate_functions() {
            ctx.register_udaf((*function).clone());
        }
        let mut names: HashSet<String> = scalar_functions().iter().map(|f| f.name().to_string()).collect();
        for function in aggregate_functions() {
            let name = function.name();
            assert!(names.insert(name.to_string()), "{name} is registered twice");
            let doc = function.documentation().unwrap_or_else(|| panic!("{name} has no documentation"));
            assert!(doc.syntax_example.starts_with(&format!("{name}(")), "{name}: syntax {}", doc.syntax_example);
            for (argument, description) in doc.arguments.as_deref().unwrap_or_default() {
                assert!(doc.syntax_example.contains(argument.as_str()), "{name}: {argument} not in the syntax");
                assert!(!description.trim().is_empty(), "{name}: {argument} has no description");
            }
            let example = doc.sql_example.as_deref().unwrap_or_else(|| panic!("{name} has no example"));
            assert!(example.contains(name), "{example}");
            let rows = ctx.sql(example).await.unwrap_or_else(|e| panic!("{example}: {e}"));
            let batches = rows.collect().await.unwrap_or_else(|e| panic!("{example}: {e}"));
            assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 1, "{example}");
        }
    }
}
