//! `sentiment_subjectivity(text)`: TextBlob subjectivity of a text.

use std::sync::LazyLock;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature};

use crate::udf::docs;
use crate::udf::text_function::{TextKernel, text_signature};

/// The `sentiment_subjectivity` SQL function: TextBlob subjectivity of a text.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct SentimentSubjectivity {
    signature: Signature,
}

impl SentimentSubjectivity {
    /// The function, for `ScalarUDF::new_from_impl`.
    pub fn new() -> Self {
        Self { signature: text_signature() }
    }
}

impl Default for SentimentSubjectivity {
    fn default() -> Self {
        Self::new()
    }
}

/// Every text has a score; only null input gives null.
fn score(text: &str) -> Option<f64> {
    Some(crate::sentiment::subjectivity(text))
}

const KERNEL: TextKernel = TextKernel::Float(score);

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        docs::SENTIMENT,
        "TextBlob 0.20 (PatternAnalyzer) subjectivity in [0, 1] as `DOUBLE`; null gives null.",
        "sentiment_subjectivity(text)",
    )
    .with_argument("text", "Review text: `VARCHAR` in any string layout (`Utf8`, `LargeUtf8`, `Utf8View`).")
    .with_sql_example("SELECT sentiment_subjectivity('Great product, works perfectly')")
    .build()
});

impl ScalarUDFImpl for SentimentSubjectivity {
    fn name(&self) -> &str {
        "sentiment_subjectivity"
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
