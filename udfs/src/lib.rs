//! Pure text, parsing and sentiment functions for product reviews, and the DataFusion UDFs
//! that run them over whole Arrow arrays inside distributed plans.
//!
//! The pure functions ([`text`], [`parse`], [`sentiment`]) know nothing of DataFusion; the
//! [`udf`] module wraps them as `ScalarUDFImpl`s that accept `Utf8`, `LargeUtf8` and `Utf8View`
//! columns, reuse one output buffer per batch and turn null into null.
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

/// Every reviewlake aggregate function.
pub fn aggregate_functions() -> Vec<Arc<AggregateUDF>> {
    Vec::new()
}
