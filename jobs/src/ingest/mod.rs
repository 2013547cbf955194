//! Bronze batch ingestion, the "auto loader": each new `.json` / `.json.gz` file of a source
//! (a local folder or an S3 prefix, see [`reviewlake_cluster::sources`]) is loaded exactly
//! once, as a distributed job.
//!
//! Executors read the files (`read_text_lines`) and parse each line (`parse_review_json` /
//! `parse_metadata_json`). Good lines go to `bronze.reviews` or `bronze.metadata` with every
//! raw field as text, unknown fields in `_rescued_data`, and the source file, line number and
//! ingest time; lines that are not JSON records (`json_record_error`, a syntax check much
//! cheaper than the parse) go to `bronze.quarantine` (file, line, error, raw text). Spark marker
//! files (`_SUCCESS`, `_committed_*`, `_started_*`) are ignored.
//!
//! Exactly once, across crashes at any point: a run commits the quarantine rows, then the
//! bronze rows, then the ledger `bronze.ingested_files`; each is one Delta commit. A file is
//! new until the ledger has it, and a re-run skips the files whose rows the quarantine or
//! bronze table already holds, so no file is loaded twice or lost.
//!
//! The SQL is in `sql/`; file lists reach the queries as data (values and `IN` lists built
//! with the DataFrame API), and the job's views live in a [`JobScope`] of its own.

use std::collections::BTreeSet;

use datafusion::arrow::array::{Array, StringArray};
use datafusion::arrow::compute::cast as cast_array;
use datafusion::arrow::datatypes::{DataType, TimeUnit};
use datafusion::error::DataFusionError;
use datafusion::execution::FunctionRegistry;
use datafusion::functions::core::expr_fn::get_field;
use datafusion::logical_expr::{Expr, LogicalPlanBuilder, cast};
use datafusion::prelude::{DataFrame, SessionContext, col, lit};
use reviewlake_cluster::lakehouse::{Lakehouse, LakehouseError, TableName, WriteOptions};
use reviewlake_cluster::sources::{SourceError, SourceFile, SourceLocation, SourceStore, bin_pack};
use reviewlake_udfs::parse::record::{METADATA_FIELDS, REVIEW_FIELDS};

use crate::scope::JobScope;

/// Which records a source holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// Review records (`amazon_reviews/`).
    Reviews,
    /// Product metadata records (`amazon_metadata/`).
    Metadata,
}

impl SourceKind {
    /// `reviews` or `metadata`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Reviews => "reviews",
            Self::Metadata => "metadata",
        }
    }

    fn table(self) -> String {
        format!("bronze.{}", self.name())
    }

    fn parser(self) -> &'static str {
        match self {
            Self::Reviews => "parse_review_json",
            Self::Metadata => "parse_metadata_json",
        }
    }

    fn fields(self) -> &'static [&'static str] {
        match self {
            Self::Reviews => &REVIEW_FIELDS,
            Self::Metadata => &METADATA_FIELDS,
        }
    }
}

/// The ledger of loaded files.
pub const LEDGER: &str = "bronze.ingested_files";
/// Lines that are not records.
pub const QUARANTINE: &str = "bronze.quarantine";

/// Errors of an ingestion run.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The source cannot be listed.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// A lakehouse table could not be read or written.
    #[error(transparent)]
    Lakehouse(#[from] LakehouseError),
    /// A query failed.
    #[error(transparent)]
    DataFusion(#[from] DataFusionError),
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IngestReport {
    /// Data files in the source (marker files excluded).
    pub files_in_source: usize,
    /// Files loaded by this run.
    pub files_loaded: usize,
    /// Files left for a later run by `--max-files`.
    pub files_pending: usize,
    /// Rows written to the bronze table.
    pub rows: u64,
    /// Lines written to the quarantine.
    pub quarantined: u64,
}

/// Loads the new files of `source` (at most `max_files`) into bronze.
pub async fn ingest_batch(
    ctx: &SessionContext,
    lake: &Lakehouse,
    source: &SourceLocation,
    kind: SourceKind,
    max_files: Option<usize>,
) -> Result<IngestReport, IngestError> {
    let scope = JobScope::new(ctx);
    let ctx = scope.ctx();
    let files = SourceStore::from_settings(lake.settings()).list_data_files(source).await?;
    let loaded = if table_exists(lake, LEDGER).await? {
        let ledger = ctx.table(LEDGER).await?.filter(col("kind").eq(lit(kind.name())))?;
        strings(ledger.select(vec![col("file")])?).await?
    } else {
        BTreeSet::new()
    };
    let mut pending: Vec<SourceFile> = files.iter().filter(|f| !loaded.contains(&f.path)).cloned().collect();
    let mut report = IngestReport { files_in_source: files.len(), ..Default::default() };
    if let Some(limit) = max_files {
        report.files_pending = pending.len().saturating_sub(limit);
        pending.truncate(limit);
    }
    if pending.is_empty() {
        tracing::info!(%source, kind = kind.name(), "no new files");
        return Ok(report);
    }
    tracing::info!(%source, kind = kind.name(), files = pending.len(), "ingesting new files");
    let ingested_at = ingest_time(&chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string());
    register_lines(&scope, &pending).await?;
    let paths: Vec<&str> = pending.iter().map(|file| file.path.as_str()).collect();

    // 1. Quarantine, skipping files an interrupted run already quarantined.
    let quarantined = already_in(ctx, lake, QUARANTINE, "file", &paths).await?;
    let quarantine = exclude(scope.sql(QUARANTINE_LINES).await?, "file", &quarantined)?.select(vec![
        col("file"),
        lit(kind.name()).alias("kind"),
        col("line"),
        col("error"),
        col("raw_text"),
        ingested_at.clone().alias("ingested_at"),
    ])?;
    report.quarantined = lake.write(ctx, quarantine, QUARANTINE, WriteOptions::default()).await?.rows();
    tracing::info!(lines = report.quarantined, "quarantine committed");

    // 2. Bronze rows, skipping files an interrupted run already loaded.
    let table = kind.table();
    let present = already_in(ctx, lake, &table, "_source_file", &paths).await?;
    let records = exclude(scope.sql(RECORD_LINES).await?, "_source_file", &present)?;
    let parser = ctx.udf(kind.parser())?;
    let parsed =
        records.select(vec![col("_source_file"), col("_line_number"), parser.call(vec![col("_raw")]).alias("r")])?;
    let mut columns: Vec<Expr> =
        kind.fields().iter().map(|field| get_field(col("r"), *field).alias(snake_case(field))).collect();
    columns.extend([
        get_field(col("r"), "_rescued_data").alias("_rescued_data"),
        col("_source_file"),
        col("_line_number"),
        ingested_at.clone().alias("_ingested_at"),
    ]);
    report.rows = lake.write(ctx, parsed.select(columns)?, &table, WriteOptions::default()).await?.rows();
    tracing::info!(rows = report.rows, table, "bronze committed");

    // 3. The ledger: from now on these files are loaded.
    let rows = paths.iter().map(|path| vec![lit(kind.name()), lit(*path), ingested_at.clone()]).collect();
    let ledger = LogicalPlanBuilder::values(rows)?
        .project(vec![col("column1").alias("kind"), col("column2").alias("file"), col("column3").alias("ingested_at")])?
        .build()?;
    lake.write(ctx, DataFrame::new(ctx.state(), ledger), LEDGER, WriteOptions::default()).await?;
    report.files_loaded = pending.len();
    Ok(report)
}

/// One row per line of the files listed in `ingest_files`.
const LINES: &str = include_str!("sql/lines.sql");
/// The lines that are not records, with the reason.
const QUARANTINE_LINES: &str = include_str!("sql/quarantine.sql");
/// The lines that are records.
const RECORD_LINES: &str = include_str!("sql/records.sql");

/// The ingest time of a run as the timestamp literal every row of the run carries.
fn ingest_time(text: &str) -> Expr {
    cast(lit(text), DataType::Timestamp(TimeUnit::Nanosecond, None))
}

/// Registers `ingest_files` (a `path` column) and `ingest_lines` (one row per line of
/// `files`, read on the executors) in the job's scope.
async fn register_lines(scope: &JobScope, files: &[SourceFile]) -> Result<(), DataFusionError> {
    let total: u64 = files.iter().map(|file| file.size).sum();
    let groups = (total.div_ceil(TASK_BYTES) as usize).max(scope.ctx().state().config().target_partitions());
    // One list of values per group, united: each becomes a partition, so the groups are read
    // by parallel tasks (a repartition of one list is optimised away when nothing requires
    // it), and each task holds one group's text at a time.
    let mut united: Option<LogicalPlanBuilder> = None;
    for group in bin_pack(files.iter().collect(), groups, |file| file.size) {
        if group.is_empty() {
            continue;
        }
        let paths = group.iter().map(|file| vec![lit(file.path.as_str())]).collect();
        let group = LogicalPlanBuilder::values(paths)?.project(vec![col("column1").alias("path")])?.build()?;
        united = Some(match united {
            None => LogicalPlanBuilder::from(group),
            Some(united) => united.union(group)?,
        });
    }
    let files = united.ok_or_else(|| DataFusionError::Plan("no files to ingest".into()))?.build()?;
    scope.register("ingest_files", DataFrame::new(scope.ctx().state(), files))?;
    scope.register("ingest_lines", scope.sql(LINES).await?)
}

/// Source bytes (compressed, as listed) read by one ingest task: about 300 MiB of JSON text.
const TASK_BYTES: u64 = 64 << 20;

async fn table_exists(lake: &Lakehouse, name: &str) -> Result<bool, LakehouseError> {
    let name: TableName = name.parse()?;
    lake.exists(&lake.table_url(&name)).await
}

/// Which of `files` `column` of `table` already holds.
async fn already_in(
    ctx: &SessionContext,
    lake: &Lakehouse,
    table: &str,
    column: &str,
    files: &[&str],
) -> Result<BTreeSet<String>, IngestError> {
    if !table_exists(lake, table).await? {
        return Ok(BTreeSet::new());
    }
    let list = files.iter().map(|file| lit(*file)).collect();
    let held = ctx.table(table).await?.filter(col(column).in_list(list, false))?;
    strings(held.select(vec![col(column)])?.distinct()?).await
}

/// The values of the first column of `frame`, as text.
async fn strings(frame: DataFrame) -> Result<BTreeSet<String>, IngestError> {
    let mut values = BTreeSet::new();
    for batch in frame.collect().await? {
        let column = cast_array(batch.column(0), &DataType::Utf8).map_err(DataFusionError::from)?;
        let column = column.as_any().downcast_ref::<StringArray>().expect("cast to Utf8");
        values.extend(column.iter().flatten().map(str::to_string));
    }
    Ok(values)
}

/// `frame` without the rows whose `column` is one of `files`.
fn exclude(frame: DataFrame, column: &str, files: &BTreeSet<String>) -> Result<DataFrame, DataFusionError> {
    if files.is_empty() {
        return Ok(frame);
    }
    frame.filter(col(column).in_list(files.iter().map(|file| lit(file.as_str())).collect(), true))
}

/// `reviewerID` -> `reviewer_id`, `unixReviewTime` -> `unix_review_time`.
///
/// ```
/// assert_eq!(reviewlake_jobs::ingest::snake_case("reviewerID"), "reviewer_id");
/// assert_eq!(reviewlake_jobs::ingest::snake_case("main_cat"), "main_cat");
/// ```
pub fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut previous_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() && previous_lower {
            out.push('_');
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        out.push(c.to_ascii_lowercase());
    }
    out
}
