//! Pure text, parsing and sentiment functions for product reviews, and the DataFusion UDFs
//! that run them over whole Arrow arrays inside distributed plans.
//!
//! The pure functions ([`text`], [`parse`], [`sentiment`], [`logistic`]) know nothing of
//! DataFusion; the [`udf`] module wraps them as one documented `ScalarUDFImpl` (or
//! `AggregateUDFImpl`) per SQL function, which accept every string layout (`Utf8`, `LargeUtf8`,
//! `Utf8View`), reuse their buffers across a batch and turn null into null.
//! [`scalar_functions`] and [`aggregate_functions`] list them and [`functions_markdown`]
//! documents the scalar ones.
//!
//! ```
//! use datafusion::prelude::*;
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> datafusion::error::Result<()> {
//! let ctx = SessionContext::new();
//! for f in reviewlake_udfs::scalar_functions() {
//!     ctx.register_udf((*f).clone());
//! }
//! let batches = ctx.sql("SELECT normalize_text('Great&amp;Cheap<br />!') AS t").await?.collect().await?;
//! # Ok(())
//! # }
//! ```

use std::sync::Arc;

use datafusion::logical_expr::{AggregateUDF, ScalarUDF};

/// Logistic regression over hashed term frequencies (training sums, scoring, idf), and the
/// base64 text that carries its vectors inside query plans.
pub mod logistic;
pub mod parse;
pub mod sentiment;
pub mod text;
pub mod udf;

/// Every reviewlake scalar function, ready to register on a session or executor registry.
///
/// ```
/// let names: Vec<String> = reviewlake_udfs::scalar_functions().iter().map(|f| f.name().to_string()).collect();
/// assert!(names.contains(&"normalize_text".to_string()));
/// ```
pub fn scalar_functions() -> Vec<Arc<ScalarUDF>> {
    udf::scalar_functions()
}

/// The documentation of every reviewlake scalar function as a Markdown table (see
/// [`udf::markdown_table`]).
///
/// ```
/// let table = reviewlake_udfs::functions_markdown();
/// assert_eq!(table.lines().count(), reviewlake_udfs::scalar_functions().len() + 2);
/// ```
pub fn functions_markdown() -> String {
    udf::markdown_table(&scalar_functions())
}

/// Every reviewlake aggregate function: the sums of distributed model training
/// (`logistic_gradient`, `document_frequencies`), ready to register on a session or executor
/// registry.
///
/// ```
/// let names: Vec<String> = reviewlake_udfs::aggregate_functions().iter().map(|f| f.name().to_string()).collect();
/// assert_eq!(names, ["logistic_gradient", "document_frequencies"]);
/// ```
pub fn aggregate_functions() -> Vec<Arc<AggregateUDF>> {
    udf::aggregate_functions()
}
