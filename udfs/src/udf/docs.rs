//! The documentation sections of reviewlake's functions and the Markdown table built from each
//! function's [`Documentation`].
//!
//! [`Documentation`]: datafusion::logical_expr::Documentation

use std::fmt::Write;
use std::sync::Arc;

use datafusion::logical_expr::{DocSection, ScalarUDF};

/// Text cleaning: `normalize_text`, `word_count`.
pub const TEXT: DocSection =
    DocSection { include: true, label: "Text", description: Some("Cleaning and measuring review text.") };

/// Sentiment scores and labels.
pub const SENTIMENT: DocSection = DocSection {
    include: true,
    label: "Sentiment",
    description: Some("TextBlob-compatible sentiment scores and the labels derived from scores and ratings."),
};

/// Parsers and cleaners of raw review and metadata fields.
pub const PARSE: DocSection = DocSection {
    include: true,
    label: "Parsing",
    description: Some("Typed values and canonical display text from raw review and metadata fields."),
};

/// Raw JSON Lines records and the JSON values inside their fields.
pub const RECORDS: DocSection = DocSection {
    include: true,
    label: "Records",
    description: Some("Raw JSON Lines records and the JSON objects and arrays held as text in their fields."),
};

/// Machine-learning features.
pub const ML: DocSection = DocSection {
    include: true,
    label: "Machine learning",
    description: Some("Tokens and Spark-compatible hashed term frequencies."),
};

/// The functions as a Markdown table with one row per function: its name, its syntax, its
/// arguments and what it does, from each function's `Documentation`. A function without
/// documentation gets a row with only its name.
///
/// ```
/// let table = reviewlake_udfs::udf::markdown_table(&reviewlake_udfs::scalar_functions());
/// assert!(table.starts_with("| name | syntax | arguments | description |\n"));
/// assert!(table.contains("| `normalize_text` | `normalize_text(text)` |"));
/// ```
pub fn markdown_table(functions: &[Arc<ScalarUDF>]) -> String {
    let mut table = String::from("| name | syntax | arguments | description |\n|---|---|---|---|\n");
    for function in functions {
        let name = function.name();
        match function.documentation() {
            Some(doc) => {
                let arguments: Vec<String> = doc
                    .arguments
                    .iter()
                    .flatten()
                    .map(|(argument, description)| format!("`{argument}`: {}", cell(description)))
                    .collect();
                let _ = writeln!(
                    table,
                    "| `{name}` | `{}` | {} | {} |",
                    cell(&doc.syntax_example),
                    arguments.join("<br>"),
                    cell(&doc.description)
                );
            }
            None => {
                let _ = writeln!(table, "| `{name}` |  |  |  |");
            }
        }
    }
    table
}

/// `text` fit for one table cell: no line breaks, no column separators.
fn cell(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_stay_on_one_line_and_in_their_column() {
        assert_eq!(cell("a |\n  b"), "a \\| b");
    }

    #[test]
    fn every_documented_argument_is_listed() {
        let function = Arc::new(ScalarUDF::new_from_impl(crate::udf::sentiment::SentimentLabel::new()));
        let doc = function.documentation().expect("documented");
        let table = markdown_table(std::slice::from_ref(&function));
        for (argument, _) in doc.arguments.iter().flatten() {
            assert!(table.contains(&format!("`{argument}`:")), "{argument} missing from {table}");
        }
        assert_eq!(table.lines().count(), 3, "{table}");
    }
}
