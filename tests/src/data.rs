//! Generated test data (Parquet files written by a single-process DataFusion), and reading
//! back what a folder holds.

use std::path::Path;

use datafusion::arrow::array::{Int64Array, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::dataframe::DataFrameWriteOptions;
use datafusion::prelude::SessionContext;

/// The SELECT list of the generated review rows: `id`, and a `body` of review text with
/// entities, tags, URLs and mixed case (four templates, 1,000 distinct texts).
pub const REVIEW_COLUMNS: &str = "value AS id, concat(\
       CASE value % 4 \
         WHEN 0 THEN 'Great &amp; CHEAP, see https://example.com/x' \
         WHEN 1 THEN 'Broke after a WEEK<br />Sad' \
         WHEN 2 THEN '<b>Does</b> the   job &quot;ok&quot;' \
         ELSE 'Café crème — TRÈS bien' END, \
       ' #', CAST(value % 1000 AS VARCHAR)) AS body";

/// Writes `files` Parquet files `part-NNNNN.parquet` of `rows_per_file` rows each to `dir`.
/// `columns` is the SELECT list over `value`, the row number (from 0, across the files).
pub async fn write_generated_parquet(dir: &Path, files: usize, rows_per_file: usize, columns: &str) {
    std::fs::create_dir_all(dir).unwrap();
    let ctx = SessionContext::new();
    for file in 0..files {
        let first = file * rows_per_file;
        let last = first + rows_per_file - 1;
        let frame = ctx.sql(&format!("SELECT {columns} FROM generate_series({first}, {last})")).await.unwrap();
        let path = dir.join(format!("part-{file:05}.parquet"));
        frame
            .write_parquet(path.to_str().unwrap(), DataFrameWriteOptions::new().with_single_file_output(true), None)
            .await
            .unwrap();
    }
}

/// Writes `files` Parquet files of `rows_per_file` rows with the [`REVIEW_COLUMNS`] to `dir`.
pub fn write_review_files(dir: &Path, files: usize, rows_per_file: usize) {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(write_generated_parquet(dir, files, rows_per_file, REVIEW_COLUMNS));
}

/// Every distinct `body` of the files in `dir` with its number of rows, read by a local
/// single-process DataFusion (independent of the cluster).
pub fn body_counts(dir: &Path) -> Vec<(String, i64)> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let ctx = SessionContext::new();
        ctx.register_parquet("t", dir.to_str().unwrap(), Default::default()).await.unwrap();
        let batches =
            ctx.sql("SELECT body, count(*) AS n FROM t GROUP BY body").await.unwrap().collect().await.unwrap();
        let mut out = Vec::new();
        for batch in batches {
            let bodies = cast(batch.column(0), &DataType::Utf8).unwrap();
            let bodies = bodies.as_any().downcast_ref::<StringArray>().unwrap();
            let counts = batch.column(1).as_any().downcast_ref::<Int64Array>().unwrap();
            for i in 0..batch.num_rows() {
                out.push((bodies.value(i).to_string(), counts.value(i)));
            }
        }
        out
    })
}

/// Bytes of all files under `dir` (0 when it does not exist).
pub fn folder_bytes(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .flatten()
        .map(|entry| {
            let path = entry.path();
            if path.is_dir() { folder_bytes(&path) } else { entry.metadata().map(|m| m.len()).unwrap_or(0) }
        })
        .sum()
}
