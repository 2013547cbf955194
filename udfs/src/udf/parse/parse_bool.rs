//! `parse_bool(value)`: a boolean field as a boolean.

use std::sync::LazyLock;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature};

use crate::udf::docs;
use crate::udf::text_function::{TextKernel, text_or_scalar_signature};

/// The `parse_bool` SQL function: a boolean field as a boolean.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ParseBool {
    signature: Signature,
}

impl ParseBool {
    /// The function, for `ScalarUDF::new_from_impl`.
    pub fn new() -> Self {
        Self { signature: text_or_scalar_signature() }
    }
}

impl Default for ParseBool {
    fn default() -> Self {
        Self::new()
    }
}

const KERNEL: TextKernel = TextKernel::Bool(crate::parse::parse_bool);

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(docs::PARSE, "Boolean text or value as `BOOLEAN` with Spark's `CAST(string AS BOOLEAN)` rules (`true`, `yes`, `1`, `f`, ...); anything else and null give null.", "parse_bool(value)")
        .with_argument("value", "The raw field: text, or a boolean or number, which is read as its text form (`5.0`, `true`).")
        .with_sql_example("SELECT parse_bool('False')")
        .build()
});

impl ScalarUDFImpl for ParseBool {
    fn name(&self) -> &str {
        "parse_bool"
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
