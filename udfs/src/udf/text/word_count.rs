//! `word_count(text)`: the number of words of a text.

use std::sync::LazyLock;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature};

use crate::udf::docs;
use crate::udf::text_function::{TextKernel, text_signature};

/// The `word_count` SQL function: the number of words of a text.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct WordCount {
    signature: Signature,
}

impl WordCount {
    /// The function, for `ScalarUDF::new_from_impl`.
    pub fn new() -> Self {
        Self { signature: text_signature() }
    }
}

impl Default for WordCount {
    fn default() -> Self {
        Self::new()
    }
}

const KERNEL: TextKernel = TextKernel::Count(crate::text::word_count);

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(docs::TEXT, "Number of words of the text as `INT`; null counts 0.", "word_count(text)")
        .with_argument("text", "Text: `VARCHAR` in any string layout (`Utf8`, `LargeUtf8`, `Utf8View`).")
        .with_sql_example("SELECT word_count('Loved it, would buy again')")
        .build()
});

impl ScalarUDFImpl for WordCount {
    fn name(&self) -> &str {
        "word_count"
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
