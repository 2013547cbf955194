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

/// Machine learning: features, model training and scoring.
pub const ML: DocSection = DocSection {
    include: true,
    label: "Machine learning",
    description: Some(
        "Tokens and Spark-compatible hashed term frequencies; the distributed sums that train a logistic \
         regression on them (document frequencies for the idf, loss and gradient) and its scores.",
    ),
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
        use datafusion::arrow::datatypes::DataType;
        use datafusion::logical_expr::Documentation;

        let doc = Documentation::builder(TEXT, "Says | hello.", "greet(name[, greeting])")
            .with_argument("name", "Who.")
            .with_argument("greeting", "What, default `hello`.")
            .build();
        let function = crate::udf::ArrayFunction::new("greet", &[1, 2], DataType::Utf8, |args| Ok(args[0].clone()))
            .with_documentation(doc);
        let undocumented = crate::udf::ArrayFunction::new("mute", &[1], DataType::Utf8, |args| Ok(args[0].clone()));
        let functions = [function, undocumented].map(|f| Arc::new(ScalarUDF::new_from_impl(f)));
        let table = markdown_table(&functions);
        let rows: Vec<&str> = table.lines().collect();
        assert_eq!(
            rows[2],
            "| `greet` | `greet(name[, greeting])` | `name`: Who.<br>`greeting`: What, default `hello`. | Says \\| hello. |"
        );
        assert_eq!(rows[3], "| `mute` |  |  |  |");
        assert_eq!(rows.len(), 4, "{table}");
    }
}
