//! `parse_review_date(date)`: a review or listing date as a date.

use std::sync::LazyLock;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature};

use crate::udf::docs;
use crate::udf::text_function::{TextKernel, text_or_scalar_signature};

/// The `parse_review_date` SQL function: a review or listing date as a date.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ParseReviewDate {
    signature: Signature,
}

impl ParseReviewDate {
    /// The function, for `ScalarUDF::new_from_impl`.
    pub fn new() -> Self {
        Self { signature: text_or_scalar_signature() }
    }
}

impl Default for ParseReviewDate {
    fn default() -> Self {
        Self::new()
    }
}

const KERNEL: TextKernel = TextKernel::Date(crate::parse::parse_review_date);

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(docs::PARSE, "Unix seconds (text or number), `MM D, YYYY` (`reviewTime`), `Month D, YYYY` (metadata `date`) or ISO `YYYY-MM-DD` as a UTC `DATE`; dates that do not exist, junk and null give null.", "parse_review_date(date)")
        .with_argument("date", "The raw field: text, or a boolean or number, which is read as its text form (`5.0`, `true`).")
        .with_sql_example("SELECT parse_review_date('04 5, 2017'), parse_review_date(1420070400)")
        .build()
});

impl ScalarUDFImpl for ParseReviewDate {
    fn name(&self) -> &str {
        "parse_review_date"
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
