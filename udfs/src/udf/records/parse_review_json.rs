//! `parse_review_json(line)`: a raw review JSON line as a struct of its fields' raw text.

use std::sync::LazyLock;

use datafusion::arrow::array::ArrayRef;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, TypeSignature, Volatility,
};

use crate::parse::record::REVIEW_FIELDS;
use crate::udf::args::{invoke_arrays, text};
use crate::udf::docs;
use crate::udf::records::record_struct::{parse_records, record_type};

/// The `parse_review_json` SQL function: every line parsed as a record with the fields of
/// [`REVIEW_FIELDS`].
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ParseReviewJson {
    signature: Signature,
}

impl ParseReviewJson {
    /// The function, for `ScalarUDF::new_from_impl`.
    pub fn new() -> Self {
        Self { signature: Signature::new(TypeSignature::Coercible(vec![text()]), Volatility::Immutable) }
    }
}

impl Default for ParseReviewJson {
    fn default() -> Self {
        Self::new()
    }
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        docs::RECORDS,
        "A raw review JSON line as a `STRUCT` of the raw text (`VARCHAR`) of its known fields, then          `_rescued_data` (the unknown fields as a JSON object) and `_error` (why the line is not a record; every          field is null then). A null line gives the error `empty line`.",
        "parse_review_json(line)",
    )
    .with_argument("line", "One line of a JSON Lines file: `VARCHAR` in any string layout.")
    .with_sql_example(r#"SELECT parse_review_json('{"asin":"B1","overall":5.0,"reviewText":"Great"}')['asin']"#)
    .build()
});

/// The kernel: lines in, records out.
fn parse_review_json(args: &[ArrayRef]) -> Result<ArrayRef> {
    parse_records(&args[0], &REVIEW_FIELDS)
}

impl ScalarUDFImpl for ParseReviewJson {
    fn name(&self) -> &str {
        "parse_review_json"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(record_type(&REVIEW_FIELDS))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        invoke_arrays(args, parse_review_json)
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{Array, StringArray, StructArray};

    use super::*;

    #[test]
    fn bad_lines_carry_only_the_error() {
        let input: ArrayRef = Arc::new(StringArray::from(vec![r#"{"asin":"B1","x":1}"#, "{broken"]));
        let parsed = parse_review_json(&[input]).unwrap();
        let parsed = parsed.as_any().downcast_ref::<StructArray>().unwrap();
        let column =
            |name: &str| parsed.column_by_name(name).unwrap().as_any().downcast_ref::<StringArray>().unwrap().clone();
        assert_eq!(column("asin").value(0), "B1");
        assert_eq!(column("_rescued_data").value(0), r#"{"x":1}"#);
        assert!(column("_error").is_null(0) && column("asin").is_null(1));
        assert!(column("_error").value(1).starts_with("invalid JSON"));
    }
}
