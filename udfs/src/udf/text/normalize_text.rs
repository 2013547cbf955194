//! `normalize_text(text)`: review text cleaned for search, word clouds and ML.

use std::sync::LazyLock;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature};

use crate::udf::docs;
use crate::udf::text_function::{TextKernel, text_signature};

/// The `normalize_text` SQL function: review text cleaned for search, word clouds and ML.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct NormalizeText {
    signature: Signature,
}

impl NormalizeText {
    /// The function, for `ScalarUDF::new_from_impl`.
    pub fn new() -> Self {
        Self { signature: text_signature() }
    }
}

impl Default for NormalizeText {
    fn default() -> Self {
        Self::new()
    }
}

const KERNEL: TextKernel = TextKernel::Text(crate::text::normalize_text);

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(docs::TEXT, "Unescapes HTML entities, removes tags, URLs and emoji, lowercases and collapses whitespace. Returns `VARCHAR`; null gives null.", "normalize_text(text)")
        .with_argument("text", "Review text: `VARCHAR` in any string layout (`Utf8`, `LargeUtf8`, `Utf8View`).")
        .with_sql_example("SELECT normalize_text('Great &amp; <b>CHEAP</b>! https://x.example/p')")
        .build()
});

impl ScalarUDFImpl for NormalizeText {
    fn name(&self) -> &str {
        "normalize_text"
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
