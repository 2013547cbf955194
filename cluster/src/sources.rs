//! Functions that read source files on the executors, so that ingestion jobs are distributed
//! plans: `read_text_lines(path)` returns a file's lines (gzip-decompressed for `.gz`) with
//! their 1-based numbers, as `List<Struct<line_number: Int64, text: Utf8>>`.
//!
//! The path is read from the executor's file system: sources live on storage every executor
//! mounts (a local cluster shares the machine's).

use std::io::{BufRead, BufReader, Read};
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, Int64Builder, ListBuilder, StringArray, StringBuilder, StructBuilder,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Fields};
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::ScalarUDF;
use reviewlake_udfs::udf::ArrayFunction;

fn line_fields() -> Fields {
    Fields::from(vec![Field::new("line_number", DataType::Int64, false), Field::new("text", DataType::Utf8, false)])
}

/// The type `read_text_lines` returns.
pub fn lines_type() -> DataType {
    DataType::List(Arc::new(Field::new("item", DataType::Struct(line_fields()), true)))
}

/// The source-reading functions, for every role's registry.
pub fn scalar_functions() -> Vec<Arc<ScalarUDF>> {
    vec![Arc::new(ScalarUDF::new_from_impl(ArrayFunction::new("read_text_lines", &[1], lines_type(), read_text_lines)))]
}

/// Splits `items` into `groups` (at most one per item) of about equal total `size`: largest
/// first, each to the currently lightest group. Ties keep the input order, so the result is
/// deterministic.
///
/// ```
/// let groups = reviewlake_cluster::sources::bin_pack(vec![50u64, 40, 30, 20, 10], 2, |size| *size);
/// assert_eq!(groups, [vec![50, 20, 10], vec![40, 30]]);
/// ```
pub fn bin_pack<T>(mut items: Vec<T>, groups: usize, size: impl Fn(&T) -> u64) -> Vec<Vec<T>> {
    items.sort_by_key(|item| std::cmp::Reverse(size(item)));
    let groups = groups.clamp(1, items.len().max(1));
    let mut bins: Vec<(u64, Vec<T>)> = (0..groups).map(|_| (0, Vec::new())).collect();
    for item in items {
        let lightest = bins.iter_mut().min_by_key(|(total, _)| *total).expect("at least one group");
        lightest.0 += size(&item);
        lightest.1.push(item);
    }
    bins.into_iter().map(|(_, items)| items).collect()
}

/// Kernel of `read_text_lines`. A file that cannot be read fails the task with its path and
/// the reason; a line that is not UTF-8 is kept with replacement characters (it will fail
/// parsing and be quarantined, not dropped).
pub fn read_text_lines(args: &[ArrayRef]) -> Result<ArrayRef> {
    let paths = cast(&args[0], &DataType::Utf8)?;
    let paths = paths.as_any().downcast_ref::<StringArray>().expect("cast to Utf8");
    let values = StructBuilder::new(
        line_fields(),
        vec![Box::new(Int64Builder::new()), Box::new(StringBuilder::new())],
    );
    let mut lists = ListBuilder::new(values).with_field(Arc::new(Field::new("item", DataType::Struct(line_fields()), true)));
    let mut line = Vec::new();
    let mut text_bytes = 0usize;
    for path in paths.iter() {
        let Some(path) = path else {
            lists.append_null();
            continue;
        };
        let failed = |e: std::io::Error| DataFusionError::Execution(format!("cannot read source file {path}: {e}"));
        let file = std::fs::File::open(path).map_err(failed)?;
        let reader: Box<dyn Read> =
            if path.ends_with(".gz") { Box::new(flate2::read::MultiGzDecoder::new(file)) } else { Box::new(file) };
        let mut reader = BufReader::with_capacity(1 << 20, reader);
        let mut number = 0i64;
        loop {
            line.clear();
            if reader.read_until(b'\n', &mut line).map_err(failed)? == 0 {
                break;
            }
            number += 1;
            while matches!(line.last(), Some(b'\n' | b'\r')) {
                line.pop();
            }
            text_bytes += line.len();
            if text_bytes > i32::MAX as usize {
                return Err(DataFusionError::Execution(format!(
                    "source file {path}: the files read by one task hold more than 2 GiB of text at line {number}; \
                     split the file"
                )));
            }
            let entry = lists.values();
            entry.field_builder::<Int64Builder>(0).expect("line_number").append_value(number);
            entry.field_builder::<StringBuilder>(1).expect("text").append_value(String::from_utf8_lossy(&line));
            entry.append(true);
        }
        lists.append(true);
    }
    Ok(Arc::new(lists.finish()))
}
