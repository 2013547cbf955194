//! `reviewlake demo`: the main job on the embedded default.
//!
//! Until the medallion pipeline lands, the demo proves the cluster end to end: it writes a
//! generated review table as Parquet under the lakehouse root and runs a distributed query
//! that cleans and scores every review with reviewlake's UDFs.

use std::path::{Path, PathBuf};

use datafusion::dataframe::DataFrameWriteOptions;
use datafusion::prelude::SessionContext;
use reviewlake_cluster::session::ClusterSession;
use reviewlake_cluster::sql::{OutputFormat, format_batches, run_script};

/// Rows the demo generates.
pub const DEMO_ROWS: u64 = 200_000;
/// Parquet files the demo splits them into (one scan partition each).
pub const DEMO_FILES: u64 = 8;

/// Writes the demo table to `dir` as `files` Parquet files of generated reviews whose text
/// (with HTML entities, tags, emoji and mixed case) mostly agrees with the rating.
pub async fn write_demo_table(dir: &Path, rows: u64, files: u64) -> datafusion::error::Result<()> {
    let local = SessionContext::new();
    std::fs::create_dir_all(dir)?;
    let per_file = rows.div_ceil(files);
    for file in 0..files {
        let first = file * per_file + 1;
        let last = ((file + 1) * per_file).min(rows);
        let frame = local
            .sql(&format!(
                "SELECT value AS review_id, \
                        CAST(value % 5 + 1 AS DOUBLE) AS overall, \
                        concat(CASE (value % 5 + value % 7 / 6) % 5 \
                                 WHEN 4 THEN 'Love it! Great quality &amp; fast shipping' \
                                 WHEN 3 THEN 'Good value, works fine<br />Recommended' \
                                 WHEN 2 THEN 'It is <b>okay</b>, nothing special' \
                                 WHEN 1 THEN 'Disappointing. Broke after a week' \
                                 ELSE 'Terrible product, waste of money 😡' END, \
                               ' (order ', CAST(value % 97 AS VARCHAR), ')') AS review_text \
                 FROM generate_series({first}, {last})"
            ))
            .await?;
        let path = dir.join(format!("part-{file:05}.parquet"));
        frame
            .write_parquet(path.to_str().unwrap_or_default(), DataFrameWriteOptions::new().with_single_file_output(true), None)
            .await?;
    }
    Ok(())
}

/// The demo's folder under the lakehouse root.
pub fn demo_dir(lakehouse_root: &str) -> PathBuf {
    Path::new(lakehouse_root.trim_start_matches("file://")).join("demo").join("reviews")
}

/// Runs the demo on `session` and returns the printed report.
pub async fn run_demo(session: &ClusterSession, lakehouse_root: &str) -> anyhow::Result<String> {
    let dir = demo_dir(lakehouse_root);
    if !dir.join(format!("part-{:05}.parquet", DEMO_FILES - 1)).exists() {
        write_demo_table(&dir, DEMO_ROWS, DEMO_FILES).await?;
    }
    let location = std::fs::canonicalize(&dir)?;
    let script = format!(
        "CREATE EXTERNAL TABLE IF NOT EXISTS demo_reviews STORED AS PARQUET LOCATION '{}/'; \
         SELECT rating_sentiment(overall) AS by_rating, sentiment_label(sentiment_polarity(review_text)) AS by_text, \
                count(*) AS reviews, round(avg(sentiment_polarity(review_text)), 3) AS avg_polarity, \
                round(avg(word_count(review_text)), 1) AS avg_words, min(normalize_text(review_text)) AS example \
         FROM demo_reviews GROUP BY 1, 2 ORDER BY 1, 2",
        location.display()
    );
    let started = std::time::Instant::now();
    let batches = run_script(&session.ctx, Some(&session.lake), &script).await?;
    let elapsed = started.elapsed();
    let mode = if session.is_standalone() { "in-process standalone cluster" } else { "cluster" };
    Ok(format!(
        "{DEMO_ROWS} generated reviews in {DEMO_FILES} Parquet files under {}\n\
         sentiment from the rating vs. from the text (UDFs ran on the {mode} at {}, {:.2} s):\n{}\n",
        location.display(),
        session.scheduler_address,
        elapsed.as_secs_f64(),
        format_batches(&batches, OutputFormat::Table)?
    ))
}
