//! `parse_review_json(line)` and `parse_metadata_json(line)`: a raw JSON Lines record as a
//! struct of its fields' raw text, plus `_rescued_data` (unknown fields) and `_error` (why the
//! line is not a record; every field is null then).

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, StringArray, StringBuilder, StructArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Fields};
use datafusion::common::Result;

use crate::parse::record::{METADATA_FIELDS, REVIEW_FIELDS, parse_record};

/// Rescued fields and the error, after the record's own fields.
const EXTRA_FIELDS: [&str; 2] = ["_rescued_data", "_error"];

/// The struct type of a record with `known` fields.
pub fn record_type(known: &[&str]) -> DataType {
    let fields: Fields = known
        .iter()
        .chain(EXTRA_FIELDS.iter())
        .map(|name| Field::new(*name, DataType::Utf8, true))
        .collect();
    DataType::Struct(fields)
}

/// Kernel of `parse_review_json`.
pub fn parse_review_json(args: &[ArrayRef]) -> Result<ArrayRef> {
    parse_records(&args[0], &REVIEW_FIELDS)
}

/// Kernel of `parse_metadata_json`.
pub fn parse_metadata_json(args: &[ArrayRef]) -> Result<ArrayRef> {
    parse_records(&args[0], &METADATA_FIELDS)
}

fn parse_records(lines: &ArrayRef, known: &[&str]) -> Result<ArrayRef> {
    let lines = cast(lines, &DataType::Utf8)?;
    let lines = lines.as_any().downcast_ref::<StringArray>().expect("cast to Utf8");
    let mut builders: Vec<StringBuilder> = (0..known.len() + EXTRA_FIELDS.len()).map(|_| StringBuilder::new()).collect();
    let (rescued_at, error_at) = (known.len(), known.len() + 1);
    for line in lines.iter() {
        match line.map(|line| parse_record(line, known)) {
            Some(Ok(record)) => {
                for (builder, value) in builders.iter_mut().zip(&record.fields) {
                    builder.append_option(value.as_deref());
                }
                builders[rescued_at].append_option(record.rescued.as_deref());
                builders[error_at].append_null();
            }
            failed => {
                for builder in &mut builders[..error_at] {
                    builder.append_null();
                }
                match failed {
                    Some(Err(error)) => builders[error_at].append_value(error),
                    _ => builders[error_at].append_value("empty line"),
                }
            }
        }
    }
    let DataType::Struct(fields) = record_type(known) else { unreachable!("record_type is a struct") };
    let columns: Vec<ArrayRef> = builders.iter_mut().map(|b| Arc::new(b.finish()) as ArrayRef).collect();
    Ok(Arc::new(StructArray::try_new(fields, columns, None)?))
}
