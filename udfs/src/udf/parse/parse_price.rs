//! `parse_price(price)`: a price field as a number.

use std::sync::LazyLock;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature};

use crate::udf::docs;
use crate::udf::text_function::{TextKernel, text_or_scalar_signature};

/// The `parse_price` SQL function: a price field as a number.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ParsePrice {
    signature: Signature,
}

impl ParsePrice {
    /// The function, for `ScalarUDF::new_from_impl`.
    pub fn new() -> Self {
        Self { signature: text_or_scalar_signature() }
    }
}

impl Default for ParsePrice {
    fn default() -> Self {
        Self::new()
    }
}

const KERNEL: TextKernel = TextKernel::Float(crate::parse::parse_price);

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(docs::PARSE, "Price text (`$1,299.00`) as `DOUBLE`; a range (`$10.00 - $20.00`) gives its midpoint, junk and null give null.", "parse_price(price)")
        .with_argument("price", "The raw field: text, or a boolean or number, which is read as its text form (`5.0`, `true`).")
        .with_sql_example("SELECT parse_price('$10.00 - $20.00')")
        .build()
});

impl ScalarUDFImpl for ParsePrice {
    fn name(&self) -> &str {
        "parse_price"
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
