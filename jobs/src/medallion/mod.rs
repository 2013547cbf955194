//! Silver and gold: typed, cleaned, deduplicated tables from bronze, and the dashboard's
//! gold tables, each as distributed jobs; and `pipeline run`, bronze ingestion followed by both.
//!
//! [`silver`] is incremental and exactly once; [`gold`] is rebuilt from silver on every run.
//! The SQL of both lives in `.sql` files under `sql/`.

mod gold;
mod silver;

#[cfg(test)]
mod tests;

use datafusion::prelude::SessionContext;
use reviewlake_cluster::lakehouse::{Lakehouse, LakehouseError};
use reviewlake_cluster::sources::SourceLocation;
use reviewlake_cluster::sql::SqlError;

pub use gold::{GOLD_TABLES, run_gold};
pub use silver::{SilverOutcome, run_silver};

use crate::ingest::{IngestError, SourceKind, ingest_batch};

/// Errors of a medallion job.
#[derive(Debug, thiserror::Error)]
pub enum MedallionError {
    /// A lakehouse table could not be read or written.
    #[error(transparent)]
    Lakehouse(#[from] LakehouseError),
    /// A query failed.
    #[error(transparent)]
    DataFusion(#[from] datafusion::error::DataFusionError),
    /// A gold statement failed.
    #[error(transparent)]
    Sql(#[from] SqlError),
}

/// What `pipeline run` did, stage by stage.
#[derive(Debug, Clone, Default)]
pub struct PipelineReport {
    /// One line per stage: what it wrote and how long it took.
    pub stages: Vec<String>,
}

/// Ingest → silver → gold over a source (local folder or S3 prefix) holding `amazon_reviews/`
/// and optionally `amazon_metadata/` (seed-spec §1.1 layout).
pub async fn run_pipeline(
    ctx: &SessionContext,
    lake: &Lakehouse,
    source: &SourceLocation,
) -> Result<PipelineReport, PipelineError> {
    let mut report = PipelineReport::default();
    for (folder, kind) in [("amazon_reviews", SourceKind::Reviews), ("amazon_metadata", SourceKind::Metadata)] {
        let path = source.join(folder);
        if let SourceLocation::Local(folder) = &path
            && kind == SourceKind::Metadata
            && !folder.is_dir()
        {
            continue;
        }
        let started = std::time::Instant::now();
        let ingested = ingest_batch(ctx, lake, &path, kind, None).await?;
        report.stages.push(format!(
            "bronze.{}: {} new files, {} rows, {} lines quarantined ({:.2} s)",
            kind.name(),
            ingested.files_loaded,
            ingested.rows,
            ingested.quarantined,
            started.elapsed().as_secs_f64()
        ));
    }
    let started = std::time::Instant::now();
    let (reviews, metadata) = run_silver(ctx, lake).await?;
    report.stages.push(format!(
        "silver.reviews: +{} rows, silver.metadata: +{} rows ({:.2} s)",
        reviews.rows,
        metadata.rows,
        started.elapsed().as_secs_f64()
    ));
    let started = std::time::Instant::now();
    let tables = run_gold(ctx, lake).await?;
    report.stages.push(format!("gold: {tables} tables rebuilt ({:.2} s)", started.elapsed().as_secs_f64()));
    Ok(report)
}

/// Errors of `pipeline run`.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// Bronze ingestion failed.
    #[error(transparent)]
    Ingest(#[from] IngestError),
    /// Silver or gold failed.
    #[error(transparent)]
    Medallion(#[from] MedallionError),
}
