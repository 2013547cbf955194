//! `tokenize(text)`: the words of a text for word clouds and ML features.

use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::{Array, ArrayRef, AsArray, ListBuilder, StringBuilder};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, TypeSignature, Volatility,
};

use crate::text::TokenBuffer;
use crate::udf::args::{as_utf8, invoke_arrays, list_of_text, text};
use crate::udf::docs;

/// The `tokenize` SQL function: [`TokenBuffer::tokenize`] of every row.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Tokenize {
    signature: Signature,
}

impl Tokenize {
    /// The function, for `ScalarUDF::new_from_impl`.
    pub fn new() -> Self {
        Self { signature: Signature::new(TypeSignature::Coercible(vec![text()]), Volatility::Immutable) }
    }
}

impl Default for Tokenize {
    fn default() -> Self {
        Self::new()
    }
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        docs::ML,
        "The normalised words of the text without Spark's English stop words, as `LIST<VARCHAR>`; null gives null.",
        "tokenize(text)",
    )
    .with_argument("text", "Review text: `VARCHAR` in any string layout (`Utf8`, `LargeUtf8`, `Utf8View`).")
    .with_sql_example("SELECT tokenize('Love it, great price &amp; fast shipping')")
    .build()
});

/// The kernel: texts in, token lists out, with one token buffer for the whole batch.
fn tokenize(args: &[ArrayRef]) -> Result<ArrayRef> {
    let text = as_utf8(&args[0], "tokenize")?;
    let text = text.as_string::<i32>();
    let mut builder = ListBuilder::with_capacity(StringBuilder::new(), text.len());
    let mut tokens = TokenBuffer::new();
    for value in text.iter() {
        match value {
            Some(value) => {
                tokens.tokenize(value);
                for token in tokens.iter() {
                    builder.values().append_value(token);
                }
                builder.append(true);
            }
            None => builder.append_null(),
        }
    }
    Ok(Arc::new(builder.finish()))
}

impl ScalarUDFImpl for Tokenize {
    fn name(&self) -> &str {
        "tokenize"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(list_of_text())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        invoke_arrays(args, tokenize)
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}
