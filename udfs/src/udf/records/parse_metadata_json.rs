//! `parse_metadata_json(line)`: a raw product metadata JSON line as a struct of its fields' raw text.

use std::sync::LazyLock;

use datafusion::arrow::array::ArrayRef;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, TypeSignature, Volatility,
};

use crate::parse::record::METADATA_FIELDS;
use crate::udf::args::{invoke_arrays, text};
use crate::udf::docs;
use crate::udf::records::record_struct::{parse_records, record_type};

/// The `parse_metadata_json` SQL function: every line parsed as a record with the fields of
/// [`METADATA_FIELDS`].
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ParseMetadataJson {
    signature: Signature,
}

impl ParseMetadataJson {
    /// The function, for `ScalarUDF::new_from_impl`.
    pub fn new() -> Self {
        Self { signature: Signature::new(TypeSignature::Coercible(vec![text()]), Volatility::Immutable) }
    }
}

impl Default for ParseMetadataJson {
    fn default() -> Self {
        Self::new()
    }
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        docs::RECORDS,
        "A raw product metadata JSON line as a `STRUCT` of the raw text (`VARCHAR`) of its known fields, then          `_rescued_data` (the unknown fields as a JSON object) and `_error` (why the line is not a record; every          field is null then). A null line gives the error `empty line`.",
        "parse_metadata_json(line)",
    )
    .with_argument("line", "One line of a JSON Lines file: `VARCHAR` in any string layout.")
    .with_sql_example(r#"SELECT parse_metadata_json('{"asin":"B1","title":"Gift Card","price":"$10.00"}')['asin']"#)
    .build()
});

/// The kernel: lines in, records out.
fn parse_metadata_json(args: &[ArrayRef]) -> Result<ArrayRef> {
    parse_records(&args[0], &METADATA_FIELDS)
}

impl ScalarUDFImpl for ParseMetadataJson {
    fn name(&self) -> &str {
        "parse_metadata_json"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(record_type(&METADATA_FIELDS))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        invoke_arrays(args, parse_metadata_json)
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}
