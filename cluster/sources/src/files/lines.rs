//! `read_text_lines(path)`: a source file's lines with their numbers, as the UDF executors run.

use std::io::{BufRead, BufReader, Read};
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, Int64Builder, ListBuilder, StringArray, StringBuilder, StructBuilder};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Fields};
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::ScalarUDF;
use reviewlake_udfs::udf::ArrayFunction;

use super::store::SourceStore;

fn line_fields() -> Fields {
    Fields::from(vec![Field::new("line_number", DataType::Int64, false), Field::new("text", DataType::Utf8, false)])
}

/// The type `read_text_lines` returns.
pub fn lines_type() -> DataType {
    DataType::List(Arc::new(Field::new("item", DataType::Struct(line_fields()), true)))
}

/// The source-reading functions, for every role's registry, reading through `sources`.
pub fn scalar_functions(sources: &SourceStore) -> Vec<Arc<ScalarUDF>> {
    let sources = sources.clone();
    let kernel = move |args: &[ArrayRef]| read_text_lines(&sources, args);
    vec![Arc::new(ScalarUDF::new_from_impl(ArrayFunction::new("read_text_lines", &[1], lines_type(), kernel)))]
}

/// Kernel of `read_text_lines`. A file that cannot be read fails the task with its path and
/// the reason; a line that is not UTF-8 is kept with replacement characters (it will fail
/// parsing and be quarantined, not dropped).
pub fn read_text_lines(sources: &SourceStore, args: &[ArrayRef]) -> Result<ArrayRef> {
    let paths = cast(&args[0], &DataType::Utf8)?;
    let paths = paths.as_any().downcast_ref::<StringArray>().expect("cast to Utf8");
    let values = StructBuilder::new(line_fields(), vec![Box::new(Int64Builder::new()), Box::new(StringBuilder::new())]);
    let mut lists =
        ListBuilder::new(values).with_field(Arc::new(Field::new("item", DataType::Struct(line_fields()), true)));
    let mut line = Vec::new();
    let mut text_bytes = 0usize;
    for path in paths.iter() {
        let Some(path) = path else {
            lists.append_null();
            continue;
        };
        let failed = |e: std::io::Error| DataFusionError::Execution(format!("cannot read source file {path}: {e}"));
        let file = sources.open(path).map_err(failed)?;
        let reader: Box<dyn Read> =
            if path.ends_with(".gz") { Box::new(flate2::read::MultiGzDecoder::new(file)) } else { file };
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
