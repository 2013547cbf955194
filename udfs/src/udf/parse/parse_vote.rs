//! `parse_vote(vote)`: a helpful-vote count as an integer.

use std::sync::LazyLock;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature};

use crate::udf::docs;
use crate::udf::text_function::{TextKernel, text_or_scalar_signature};

/// The `parse_vote` SQL function: a helpful-vote count as an integer.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ParseVote {
    signature: Signature,
}

impl ParseVote {
    /// The function, for `ScalarUDF::new_from_impl`.
    pub fn new() -> Self {
        Self { signature: text_or_scalar_signature() }
    }
}

impl Default for ParseVote {
    fn default() -> Self {
        Self::new()
    }
}

const KERNEL: TextKernel = TextKernel::Int(crate::parse::parse_vote);

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        docs::PARSE,
        "Vote count with thousands separators (`1,341`) as `BIGINT`; anything else and null give null.",
        "parse_vote(vote)",
    )
    .with_argument(
        "vote",
        "The raw field: text, or a boolean or number, which is read as its text form (`5.0`, `true`).",
    )
    .with_sql_example("SELECT parse_vote('1,341')")
    .build()
});

impl ScalarUDFImpl for ParseVote {
    fn name(&self) -> &str {
        "parse_vote"
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
