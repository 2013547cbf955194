//! `stream run`: streaming ingestion, silver and gold together. Each micro-batch committed to
//! bronze triggers silver on the cluster, and silver rows it added trigger gold.

use std::sync::Arc;
use std::time::Instant;

use datafusion::prelude::SessionContext;
use reviewlake_cluster::lakehouse::Lakehouse;
use reviewlake_cluster::sources::kafka::KafkaOptions;
use tokio::sync::watch;

use super::StreamError;
use super::bronze::{StreamIngest, StreamIngestOptions, StreamIngestReport};
use crate::medallion::{gold_is_behind, run_gold, run_silver};

/// Runs until `stop` turns true; `on_step` gets one line per step done.
pub async fn run_stream_pipeline(
    ctx: &SessionContext,
    lake: Arc<Lakehouse>,
    kafka: &KafkaOptions,
    options: StreamIngestOptions,
    mut stop: watch::Receiver<bool>,
    mut on_step: impl FnMut(&str),
) -> Result<StreamIngestReport, StreamError> {
    let mut ingest = StreamIngest::open(lake.clone(), kafka, options).await?;
    let mut report = StreamIngestReport::default();
    // Silver and gold first catch up with what bronze already holds.
    let mut pending = true;
    while !*stop.borrow() {
        if let Some(batch) = ingest.next_batch(&mut stop, None).await? {
            report.add(&batch);
            on_step(&format!(
                "bronze.review_events v{}: {} events, {} quarantined ({:.2} s)\n",
                batch.bronze_version,
                batch.events,
                batch.quarantined,
                batch.elapsed.as_secs_f64()
            ));
            pending = true;
        }
        if !pending {
            continue;
        }
        pending = false;
        let started = Instant::now();
        let (reviews, _) = run_silver(ctx, &lake).await.map_err(StreamError::from_medallion)?;
        if !reviews.up_to_date {
            on_step(&format!("silver.reviews: +{} rows ({:.2} s)\n", reviews.rows, started.elapsed().as_secs_f64()));
        }
        // Silver moved, or a run stopped between its silver and gold commits and left gold behind.
        if gold_is_behind(&lake).await.map_err(|e| StreamError::from_medallion(e.into()))? {
            let started = Instant::now();
            let tables = run_gold(ctx, &lake).await.map_err(StreamError::from_medallion)?;
            on_step(&format!("gold: {tables} tables refreshed ({:.2} s)\n", started.elapsed().as_secs_f64()));
        }
    }
    report.positions = ingest.positions();
    Ok(report)
}
