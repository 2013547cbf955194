//! `parse_rating(overall)`: a star rating as a number.

use std::sync::LazyLock;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature};

use crate::udf::docs;
use crate::udf::text_function::{TextKernel, text_or_scalar_signature};

/// The `parse_rating` SQL function: a star rating as a number.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ParseRating {
    signature: Signature,
}

impl ParseRating {
    /// The function, for `ScalarUDF::new_from_impl`.
    pub fn new() -> Self {
        Self { signature: text_or_scalar_signature() }
    }
}

impl Default for ParseRating {
    fn default() -> Self {
        Self::new()
    }
}

const KERNEL: TextKernel = TextKernel::Float(crate::parse::parse_rating);

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        docs::PARSE,
        "Star rating (text or number) in 0..=5 as `DOUBLE`; values out of range, junk and null give null.",
        "parse_rating(overall)",
    )
    .with_argument(
        "overall",
        "The raw field: text, or a boolean or number, which is read as its text form (`5.0`, `true`).",
    )
    .with_sql_example("SELECT parse_rating('4.0')")
    .build()
});

impl ScalarUDFImpl for ParseRating {
    fn name(&self) -> &str {
        "parse_rating"
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
