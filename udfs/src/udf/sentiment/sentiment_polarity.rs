//! `sentiment_polarity(text)`: TextBlob polarity of a text.

use std::sync::LazyLock;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature};

use crate::udf::docs;
use crate::udf::text_function::{TextKernel, text_signature};

/// The `sentiment_polarity` SQL function: TextBlob polarity of a text.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct SentimentPolarity {
    signature: Signature,
}

impl SentimentPolarity {
    /// The function, for `ScalarUDF::new_from_impl`.
    pub fn new() -> Self {
        Self { signature: text_signature() }
    }
}

impl Default for SentimentPolarity {
    fn default() -> Self {
        Self::new()
    }
}

/// Every text has a score; only null input gives null.
fn score(text: &str) -> Option<f64> {
    Some(crate::sentiment::polarity(text))
}

const KERNEL: TextKernel = TextKernel::Float(score);

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        docs::SENTIMENT,
        "TextBlob 0.20 (PatternAnalyzer) polarity in [-1, 1] as `DOUBLE`; null gives null.",
        "sentiment_polarity(text)",
    )
    .with_argument("text", "Review text: `VARCHAR` in any string layout (`Utf8`, `LargeUtf8`, `Utf8View`).")
    .with_sql_example("SELECT sentiment_polarity('Great product, works perfectly')")
    .build()
});

impl ScalarUDFImpl for SentimentPolarity {
    fn name(&self) -> &str {
        "sentiment_polarity"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(KERNEL.return_type())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        KERNEL.invoke_with_args(self.name(), args)
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}
