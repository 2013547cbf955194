//! Delta per-file statistics as DataFusion `Statistics`, and file pruning over them.
//!
//! Delta keeps `numRecords`, `minValues`, `maxValues` and `nullCount` per file as JSON. They
//! become the `PartitionedFile` statistics the executors see, and drive plan-time file
//! skipping through [`FilePruningStatistics`].

use std::collections::HashSet;
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, UInt64Array};
use datafusion::arrow::datatypes::{DataType, Schema};
use datafusion::common::pruning::PruningStatistics;
use datafusion::common::stats::Precision;
use datafusion::common::{Column, ColumnStatistics, ScalarValue, Statistics};
use datafusion::datasource::listing::PartitionedFile;
use serde_json::Value;

/// Statistics of one file: file columns from the stats JSON, then one exact entry per
/// partition value (NULL partitions count every row as null).
pub(crate) fn file_statistics(
    stats_json: Option<&str>,
    file_size: u64,
    file_schema: &Schema,
    partition_values: &[ScalarValue],
) -> Statistics {
    let parsed: Option<Value> = stats_json.and_then(|json| serde_json::from_str(json).ok());
    let num_rows = parsed
        .as_ref()
        .and_then(|stats| stats.get("numRecords"))
        .and_then(Value::as_u64)
        .map(|n| Precision::Exact(n as usize))
        .unwrap_or(Precision::Absent);
    let mut columns: Vec<ColumnStatistics> = file_schema
        .fields()
        .iter()
        .map(|field| match &parsed {
            Some(stats) if num_rows.get_value().is_some() => column_statistics(stats, field.name(), field.data_type()),
            _ => ColumnStatistics::new_unknown(),
        })
        .collect();
    for value in partition_values {
        let mut column = ColumnStatistics::new_unknown();
        if value.is_null() {
            column.null_count = num_rows;
        } else {
            column.null_count = Precision::Exact(0);
            column.min_value = Precision::Exact(value.clone());
            column.max_value = Precision::Exact(value.clone());
            column.distinct_count = Precision::Exact(1);
        }
        columns.push(column);
    }
    Statistics { num_rows, total_byte_size: Precision::Inexact(file_size as usize), column_statistics: columns }
}

fn column_statistics(stats: &Value, name: &str, data_type: &DataType) -> ColumnStatistics {
    let mut column = ColumnStatistics::new_unknown();
    if data_type.is_nested() {
        return column;
    }
    if let Some(nulls) = stats.get("nullCount").and_then(|n| n.get(name)).and_then(Value::as_u64) {
        column.null_count = Precision::Exact(nulls as usize);
    }
    let bound = |key: &str| stats.get(key).and_then(|v| v.get(name)).and_then(|v| json_scalar(v, data_type));
    // Exact bounds feed MIN/MAX answered from metadata; only types whose stats are never
    // truncated or rounded qualify. Strings and binaries are truncated, floats skip NaN, and
    // delta-rs rounds timestamps down to milliseconds.
    let exact = matches!(
        data_type,
        DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
            | DataType::UInt64
            | DataType::Date32
            | DataType::Date64
            | DataType::Boolean
            | DataType::Decimal128(_, _)
    );
    let precision = |value: ScalarValue| if exact { Precision::Exact(value) } else { Precision::Inexact(value) };
    if let Some(min) = bound("minValues") {
        column.min_value = precision(min);
    }
    if let Some(max) = bound("maxValues") {
        column.max_value = precision(round_up_millis(max));
    }
    column
}

/// A timestamp maximum rounded down to milliseconds is raised to the last microsecond (or
/// nanosecond) of that millisecond, so it stays an upper bound.
fn round_up_millis(value: ScalarValue) -> ScalarValue {
    match value {
        ScalarValue::TimestampMicrosecond(Some(v), tz) => {
            ScalarValue::TimestampMicrosecond(Some(v.saturating_add(999)), tz)
        }
        ScalarValue::TimestampNanosecond(Some(v), tz) => {
            ScalarValue::TimestampNanosecond(Some(v.saturating_add(999_999)), tz)
        }
        other => other,
    }
}

fn json_scalar(value: &Value, data_type: &DataType) -> Option<ScalarValue> {
    let text = match value {
        Value::String(text) => text.clone(),
        Value::Number(number) => number.to_string(),
        Value::Bool(flag) => flag.to_string(),
        _ => return None,
    };
    ScalarValue::try_from_string(text, data_type).ok().filter(|v| !v.is_null())
}

/// Min/max/null statistics of a list of files, by column name, for `PruningPredicate`.
///
/// Inexact bounds are used too: a truncated string maximum is still an upper bound, which
/// is all pruning needs.
pub(crate) struct FilePruningStatistics<'a> {
    files: &'a [PartitionedFile],
    /// File columns then partition columns, the order of each file's statistics.
    scan_schema: &'a Schema,
}

impl<'a> FilePruningStatistics<'a> {
    pub(crate) fn new(files: &'a [PartitionedFile], scan_schema: &'a Schema) -> Self {
        Self { files, scan_schema }
    }

    fn column<'s>(&'s self, column: &Column) -> Option<(usize, &'s DataType)> {
        let index = self.scan_schema.index_of(column.name()).ok()?;
        Some((index, self.scan_schema.field(index).data_type()))
    }

    fn bounds(&self, column: &Column, pick: fn(&ColumnStatistics) -> &Precision<ScalarValue>) -> Option<ArrayRef> {
        let (index, data_type) = self.column(column)?;
        let unknown = ScalarValue::try_from(data_type).ok()?;
        let values = self.files.iter().map(|file| {
            file.statistics
                .as_ref()
                .and_then(|stats| stats.column_statistics.get(index))
                .and_then(|column| pick(column).get_value().cloned())
                .filter(|value| value.data_type() == *data_type)
                .unwrap_or_else(|| unknown.clone())
        });
        ScalarValue::iter_to_array(values).ok()
    }

    fn counts(&self, count: impl Fn(&Statistics) -> Option<usize>) -> ArrayRef {
        Arc::new(
            self.files
                .iter()
                .map(|file| file.statistics.as_deref().and_then(&count).map(|n| n as u64))
                .collect::<UInt64Array>(),
        )
    }
}

impl PruningStatistics for FilePruningStatistics<'_> {
    fn min_values(&self, column: &Column) -> Option<ArrayRef> {
        self.bounds(column, |c| &c.min_value)
    }

    fn max_values(&self, column: &Column) -> Option<ArrayRef> {
        self.bounds(column, |c| &c.max_value)
    }

    fn num_containers(&self) -> usize {
        self.files.len()
    }

    fn null_counts(&self, column: &Column) -> Option<ArrayRef> {
        let (index, _) = self.column(column)?;
        Some(self.counts(|stats| stats.column_statistics.get(index)?.null_count.get_value().copied()))
    }

    fn row_counts(&self) -> Option<ArrayRef> {
        Some(self.counts(|stats| stats.num_rows.get_value().copied()))
    }

    fn contained(
        &self,
        _column: &Column,
        _values: &HashSet<ScalarValue>,
    ) -> Option<datafusion::arrow::array::BooleanArray> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::datatypes::{Field, TimeUnit};

    #[test]
    fn reads_delta_stats_json_with_the_right_exactness() {
        let schema = Schema::new(vec![
            Field::new("id", DataType::Int64, true),
            Field::new("name", DataType::Utf8, true),
            Field::new("at", DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())), true),
            Field::new("tags", DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))), true),
        ]);
        let json = r#"{"numRecords":3,"minValues":{"id":1,"name":"a","at":"2020-01-01T00:00:00.000Z"},
            "maxValues":{"id":9,"name":"zz","at":"2020-01-02T00:00:00.123Z"},"nullCount":{"id":0,"name":1,"at":0}}"#;
        let stats =
            file_statistics(Some(json), 100, &schema, &[ScalarValue::Int32(Some(2020)), ScalarValue::Int32(None)]);
        assert_eq!(stats.num_rows, Precision::Exact(3));
        let id = &stats.column_statistics[0];
        assert_eq!(id.min_value, Precision::Exact(ScalarValue::Int64(Some(1))));
        assert_eq!(id.max_value, Precision::Exact(ScalarValue::Int64(Some(9))));
        let name = &stats.column_statistics[1];
        assert_eq!(name.max_value, Precision::Inexact(ScalarValue::Utf8(Some("zz".into()))));
        assert_eq!(name.null_count, Precision::Exact(1));
        let at = &stats.column_statistics[2];
        let max_micros = 1_577_923_200_123_000 + 999;
        assert_eq!(
            at.max_value,
            Precision::Inexact(ScalarValue::TimestampMicrosecond(Some(max_micros), Some("UTC".into())))
        );
        assert_eq!(stats.column_statistics[3], ColumnStatistics::new_unknown());
        assert_eq!(stats.column_statistics[4].min_value, Precision::Exact(ScalarValue::Int32(Some(2020))));
        assert_eq!(stats.column_statistics[5].null_count, Precision::Exact(3));
    }

    #[test]
    fn missing_or_broken_stats_are_unknown() {
        let schema = Schema::new(vec![Field::new("id", DataType::Int64, true)]);
        for json in [None, Some("not json"), Some("{}")] {
            let stats = file_statistics(json, 10, &schema, &[]);
            assert_eq!(stats.num_rows, Precision::Absent);
            assert_eq!(stats.column_statistics[0], ColumnStatistics::new_unknown());
        }
    }
}
