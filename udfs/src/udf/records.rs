//! `parse_review_json(line)` and `parse_metadata_json(line)`: a raw JSON Lines record as a
//! struct of its fields' raw text, plus `_rescued_data` (unknown fields) and `_error` (why the
//! line is not a record; every field is null then).

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, StringArray, StringBuilder, StructArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Fields};
use datafusion::common::Result;

use crate::parse::record::{METADATA_FIELDS, REVIEW_FIELDS, RawRecord, parse_record_into, record_error};

/// The error of a null line.
const EMPTY_LINE: &str = "empty line";

/// Rescued fields and the error, after the record's own fields.
const EXTRA_FIELDS: [&str; 2] = ["_rescued_data", "_error"];

/// The struct type of a record with `known` fields.
pub fn record_type(known: &[&str]) -> DataType {
    let fields: Fields =
        known.iter().chain(EXTRA_FIELDS.iter()).map(|name| Field::new(*name, DataType::Utf8, true)).collect();
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
    let DataType::Struct(fields) = record_type(known) else { unreachable!("record_type is a struct") };
    let columns: Vec<ArrayRef> = builders.iter_mut().map(|b| Arc::new(b.finish()) as ArrayRef).collect();
    Ok(Arc::new(StructArray::try_new(fields, columns, None)?))
}

/// Kernel of `json_record_error(line) -> VARCHAR`: why a line is not a JSON object (the
/// `_error` that `parse_*_json` would give), or null when it is one. Much cheaper than a
/// parse: it only checks the syntax, to find the lines to quarantine.
pub fn json_record_error(args: &[ArrayRef]) -> Result<ArrayRef> {
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

/// The type of `parse_style`: `MAP<VARCHAR, VARCHAR>`.
pub fn style_map_type() -> DataType {
    let entries =
        Fields::from(vec![Field::new("keys", DataType::Utf8, false), Field::new("values", DataType::Utf8, true)]);
    DataType::Map(Arc::new(Field::new("entries", DataType::Struct(entries), false)), false)
}

/// Kernel of `parse_style(text) -> MAP<VARCHAR, VARCHAR>`: a review's `style` object (held as
/// JSON text, seed-spec §1.2: `{"Size:": " Medium"}`) as a map whose keys lose the trailing
/// `:` and whose values lose the leading space (`{Size: Medium}`); non-string values keep
/// their JSON text. Text that is not a JSON object gives null.
pub fn parse_style(args: &[ArrayRef]) -> Result<ArrayRef> {
    let texts = cast(&args[0], &DataType::Utf8)?;
    let texts = texts.as_any().downcast_ref::<StringArray>().expect("cast to Utf8");
    let mut maps = datafusion::arrow::array::MapBuilder::new(None, StringBuilder::new(), StringBuilder::new());
    for text in texts.iter() {
        match text.and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok()) {
            Some(serde_json::Value::Object(entries)) => {
                for (key, value) in entries {
                    maps.keys().append_value(key.trim().trim_end_matches(':').trim_end());
                    match value {
                        serde_json::Value::String(s) => maps.values().append_value(s.trim()),
                        serde_json::Value::Null => maps.values().append_null(),
                        other => maps.values().append_value(other.to_string()),
                    }
                }
                maps.append(true)?;
            }
            _ => maps.append(false)?,
        }
    }
    let maps = maps.finish();
    // The builder names its fields itself; the declared return type must match exactly.
    Ok(cast(&maps, &style_map_type())?)
}

/// Kernel of `json_text_array(text) -> LIST<VARCHAR>`: the strings of a JSON array held as
/// text (`'["Books", "Fiction"]'`); non-string items are kept as their JSON text, and text that
/// is not a JSON array gives null.
pub fn json_text_array(args: &[ArrayRef]) -> Result<ArrayRef> {
    let texts = cast(&args[0], &DataType::Utf8)?;
    let texts = texts.as_any().downcast_ref::<StringArray>().expect("cast to Utf8");
    let mut lists = datafusion::arrow::array::ListBuilder::new(StringBuilder::new());
    for text in texts.iter() {
        match text.and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok()) {
            Some(serde_json::Value::Array(items)) => {
                for item in items {
                    match item {
                        serde_json::Value::String(s) => lists.values().append_value(s),
                        serde_json::Value::Null => lists.values().append_null(),
                        other => lists.values().append_value(other.to_string()),
                    }
                }
                lists.append(true);
            }
            _ => lists.append_null(),
        }
    }
    Ok(Arc::new(lists.finish()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_arrays_become_lists() {
        let input: ArrayRef = Arc::new(StringArray::from(vec![Some(r#"["Books", "Fiction"]"#), Some("Books"), None]));
        let lists = json_text_array(&[input]).unwrap();
        let lists = lists.as_any().downcast_ref::<datafusion::arrow::array::ListArray>().unwrap();
        assert_eq!(lists.value_length(0), 2);
        assert!(lists.is_null(1) && lists.is_null(2));
    }

    #[test]
    fn styles_become_clean_maps() {
        let input: ArrayRef =
            Arc::new(StringArray::from(vec![Some(r#"{"Size:": " Medium", "Color:": " Red "}"#), Some("[1]"), None]));
        let maps = parse_style(&[input]).unwrap();
        assert_eq!(maps.data_type(), &style_map_type());
        let maps = maps.as_any().downcast_ref::<datafusion::arrow::array::MapArray>().unwrap();
        let keys = maps.value(0).column(0).as_any().downcast_ref::<StringArray>().unwrap().clone();
        let values = maps.value(0).column(1).as_any().downcast_ref::<StringArray>().unwrap().clone();
        assert_eq!((keys.value(0), values.value(0)), ("Color", "Red"));
        assert_eq!((keys.value(1), values.value(1)), ("Size", "Medium"));
        assert!(maps.is_null(1) && maps.is_null(2));
    }

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
