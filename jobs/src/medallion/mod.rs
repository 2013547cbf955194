//! Silver and gold: typed, cleaned, deduplicated tables from bronze, and the dashboard's
//! gold tables, each as distributed jobs; and `pipeline run`, bronze ingestion followed by both.
//!
//! [`silver`] is incremental and exactly once; [`gold`] is rebuilt from silver whenever silver
//! (or the model registry) moved since its last rebuild.
//! The SQL of both lives in `.sql` files under `sql/`.

mod gold;
mod silver;

#[cfg(test)]
mod tests;

use std::time::{Duration, Instant};

use datafusion::prelude::SessionContext;
use futures::stream::{self, StreamExt, TryStreamExt};
use reviewlake_cluster::lakehouse::{Lakehouse, LakehouseError, TableFootprint, TableName, Written};
use reviewlake_cluster::sources::SourceLocation;
use reviewlake_cluster::sql::SqlError;

pub use gold::{GOLD_TABLES, gold_is_behind, run_gold};
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

/// What `pipeline run` did, layer by layer.
#[derive(Debug, Clone, Default)]
pub struct PipelineReport {
    /// Bronze per source kind, then silver, then gold.
    pub layers: Vec<LayerReport>,
}

/// What one layer of `pipeline run` read and wrote, and how long it took.
#[derive(Debug, Clone)]
pub struct LayerReport {
    /// `bronze.reviews`, `bronze.metadata`, `silver` or `gold`.
    pub layer: String,
    /// Rows read: source lines for bronze, new bronze rows for silver, silver reviews for gold.
    pub rows_in: u64,
    /// Rows written to the layer's tables.
    pub rows_out: u64,
    /// Wall time of the layer.
    pub elapsed: Duration,
    /// Files and bytes the layer's tables gained; the version is its main table's
    /// (`bronze.*`, `silver.reviews`, `gold.reviews`).
    pub written: Written,
    /// The layer's own counts: files loaded and lines quarantined, rows per silver table,
    /// tables rebuilt.
    pub detail: String,
}

impl LayerReport {
    /// Rows read per second.
    pub fn rows_per_second(&self) -> f64 {
        let seconds = self.elapsed.as_secs_f64();
        if seconds > 0.0 { self.rows_in as f64 / seconds } else { 0.0 }
    }
}

impl std::fmt::Display for LayerReport {
    /// `silver: silver.reviews: +998 rows, …; 1000 rows in, 998 out, 1.20 s, 833 rows/s, 1.5 MiB written, version 3`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {}; {} rows in, {} out, {:.2} s, {:.0} rows/s, {:.1} MiB written",
            self.layer,
            self.detail,
            self.rows_in,
            self.rows_out,
            self.elapsed.as_secs_f64(),
            self.rows_per_second(),
            self.written.bytes as f64 / (1024.0 * 1024.0),
        )?;
        match self.written.version {
            Some(version) => write!(f, ", version {version}"),
            None => Ok(()),
        }
    }
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
        let started = Instant::now();
        let bronze = format!("bronze.{}", kind.name());
        let before = footprints(lake, &[&bronze]).await?;
        let ingested = ingest_batch(ctx, lake, &path, kind, None).await?;
        report.layers.push(LayerReport {
            rows_in: ingested.rows + ingested.quarantined,
            rows_out: ingested.rows,
            written: written_since(lake, &[&bronze], &before).await?,
            elapsed: started.elapsed(),
            detail: format!("{} new files, {} lines quarantined", ingested.files_loaded, ingested.quarantined),
            layer: bronze,
        });
    }
    let started = Instant::now();
    let silver = ["silver.reviews", "silver.metadata"];
    let before = footprints(lake, &silver).await?;
    let (reviews, metadata) = run_silver(ctx, lake).await?;
    report.layers.push(LayerReport {
        layer: "silver".into(),
        rows_in: reviews.bronze_rows + metadata.bronze_rows,
        rows_out: reviews.rows + metadata.rows,
        written: written_since(lake, &silver, &before).await?,
        elapsed: started.elapsed(),
        detail: format!("silver.reviews: +{} rows, silver.metadata: +{} rows", reviews.rows, metadata.rows),
    });
    let started = Instant::now();
    // Footprints only for a rebuild: a current gold is left as it is, and its check is the cost.
    let (detail, rows_in, written) = if gold_is_behind(lake).await? {
        let tables: Vec<&str> = GOLD_TABLES.iter().map(|(table, _, _)| *table).collect();
        let before = footprints(lake, &tables).await?;
        let rebuilt = run_gold(ctx, lake).await?;
        let written = written_since(lake, &tables, &before).await?;
        (format!("{rebuilt} tables rebuilt"), footprints(lake, &["silver.reviews"]).await?[0].rows(), written)
    } else {
        let version = lake.latest_version(&gold::GOLD_REVIEWS.parse()?).await?;
        ("up to date, nothing rebuilt".to_string(), 0, Written { version, ..Written::default() })
    };
    report.layers.push(LayerReport {
        layer: "gold".into(),
        rows_in,
        rows_out: written.rows,
        written,
        elapsed: started.elapsed(),
        detail,
    });
    Ok(report)
}

/// Tables' footprints, read concurrently.
async fn footprints(lake: &Lakehouse, tables: &[&str]) -> Result<Vec<TableFootprint>, LakehouseError> {
    let names = tables.iter().map(|table| table.parse::<TableName>()).collect::<Result<Vec<_>, _>>()?;
    stream::iter(names.iter().map(|name| lake.footprint(name))).buffered(FOOTPRINTS_IN_FLIGHT).try_collect().await
}

/// What `tables` gained since `before` (their footprints, in the same order), added up; the
/// version is the first table's.
async fn written_since(
    lake: &Lakehouse,
    tables: &[&str],
    before: &[TableFootprint],
) -> Result<Written, LakehouseError> {
    let after = footprints(lake, tables).await?;
    let mut gained = after.iter().zip(before).map(|(after, before)| after.written_since(before));
    let first = gained.next().unwrap_or_default();
    Ok(gained.fold(first, Written::add))
}

/// Delta logs read at once for a layer's footprints.
const FOOTPRINTS_IN_FLIGHT: usize = 8;

/// Errors of `pipeline run`.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// Bronze ingestion failed.
    #[error(transparent)]
    Ingest(#[from] IngestError),
    /// Silver or gold failed.
    #[error(transparent)]
    Medallion(#[from] MedallionError),
    /// What a layer wrote could not be read from its tables' logs.
    #[error(transparent)]
    Lakehouse(#[from] LakehouseError),
}
