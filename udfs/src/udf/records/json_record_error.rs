//! `json_record_error(line)`: why a line is not a JSON object, by a syntax check only.

use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::{Array, ArrayRef, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, TypeSignature, Volatility,
};

use crate::parse::record::record_error;
use crate::udf::args::{invoke_arrays, text};
use crate::udf::docs;
use crate::udf::records::record_struct::EMPTY_LINE;

/// The `json_record_error` SQL function: the `_error` that `parse_*_json` would give, found
/// much more cheaply, to pick the lines to quarantine.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct JsonRecordError {
    signature: Signature,
}

impl JsonRecordError {
    /// The function, for `ScalarUDF::new_from_impl`.
    pub fn new() -> Self {
        Self { signature: Signature::new(TypeSignature::Coercible(vec![text()]), Volatility::Immutable) }
    }
}

impl Default for JsonRecordError {
    fn default() -> Self {
        Self::new()
    }
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        docs::RECORDS,
        "Why a line is not a JSON object (the `_error` that `parse_review_json` and `parse_metadata_json` would \
         give) as `VARCHAR`, or null when it is one; a null line gives `empty line`. Only the syntax is checked, \
         which is much cheaper than a parse.",
        "json_record_error(line)",
    )
    .with_argument("line", "One line of a JSON Lines file: `VARCHAR` in any string layout.")
    .with_sql_example("SELECT json_record_error('{broken'), json_record_error('{\"asin\": \"B1\"}')")
    .build()
});

/// The kernel: lines in, errors (or null) out.
fn json_record_error(args: &[ArrayRef]) -> Result<ArrayRef> {
    let lines = cast(&args[0], &DataType::Utf8)?;
    let lines = lines.as_any().downcast_ref::<StringArray>().expect("cast to Utf8");
    let errors: StringArray = lines
        .iter()
        .map(|line| match line {
            Some(line) => record_error(line),
            None => Some(EMPTY_LINE.to_string()),
        })
        .collect();
    Ok(Arc::new(errors))
}

impl ScalarUDFImpl for JsonRecordError {
    fn name(&self) -> &str {
        "json_record_error"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        invoke_arrays(args, json_record_error)
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}
