//! The struct a raw JSON Lines record becomes: its known fields' raw text, then
//! `_rescued_data` (unknown fields) and `_error` (why the line is not a record; every field is
//! null then). Shared by `parse_review_json` and `parse_metadata_json`.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, StringArray, StringBuilder, StructArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Fields};
use datafusion::common::Result;

use crate::parse::record::{RawRecord, parse_record_into};

/// The error of a null line.
pub(crate) const EMPTY_LINE: &str = "empty line";

/// Rescued fields and the error, after the record's own fields.
const EXTRA_FIELDS: [&str; 2] = ["_rescued_data", "_error"];

/// The struct type of a record with `known` fields.
///
/// ```
/// use datafusion::arrow::datatypes::DataType;
/// let record = reviewlake_udfs::udf::record_type(&["asin"]);
/// assert!(matches!(record, DataType::Struct(fields) if fields.len() == 3));
/// ```
pub fn record_type(known: &[&str]) -> DataType {
    DataType::Struct(record_fields(known))
}

fn record_fields(known: &[&str]) -> Fields {
    known.iter().chain(EXTRA_FIELDS.iter()).map(|name| Field::new(*name, DataType::Utf8, true)).collect()
}

/// Parses every line of `lines` (any string layout) as a record with `known` fields, reusing
/// one [`RawRecord`] for the whole batch.
pub(crate) fn parse_records(lines: &ArrayRef, known: &[&str]) -> Result<ArrayRef> {
    let lines = cast(lines, &DataType::Utf8)?;
    let lines = lines.as_any().downcast_ref::<StringArray>().expect("cast to Utf8");
    let mut builders: Vec<StringBuilder> =
        (0..known.len() + EXTRA_FIELDS.len()).map(|_| StringBuilder::with_capacity(lines.len(), 0)).collect();
    let (rescued_at, error_at) = (known.len(), known.len() + 1);
    let mut record = RawRecord::default();
    for line in lines.iter() {
        let parsed = match line {
            Some(line) => parse_record_into(line, known, &mut record),
            None => Err(EMPTY_LINE.to_string()),
        };
        match parsed {
            Ok(()) => {
                for (builder, value) in builders.iter_mut().zip(&record.fields) {
                    builder.append_option(value.as_deref());
                }
                builders[rescued_at].append_option(record.rescued.as_deref());
                builders[error_at].append_null();
            }
            Err(error) => {
                for builder in &mut builders[..error_at] {
                    builder.append_null();
                }
                builders[error_at].append_value(error);
            }
        }
    }
    let columns: Vec<ArrayRef> = builders.iter_mut().map(|b| Arc::new(b.finish()) as ArrayRef).collect();
    Ok(Arc::new(StructArray::try_new(record_fields(known), columns, None)?))
}
