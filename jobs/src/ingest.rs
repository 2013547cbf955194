//! Bronze batch ingestion, the "auto loader": each new `.json` / `.json.gz` file of a source
//! (a local folder or an S3 prefix, see [`reviewlake_cluster::sources`]) is loaded exactly
//! once, as a distributed job.
//!
//! Executors read the files (`read_text_lines`) and parse each line (`parse_review_json` /
//! `parse_metadata_json`). Good lines go to `bronze.reviews` or `bronze.metadata` with every
//! raw field as text, unknown fields in `_rescued_data`, and the source file, line number and
//! ingest time; lines that are not JSON records (`json_record_error`, a syntax check much
//! cheaper than the parse) go to `bronze.quarantine` (file, line, error, raw text). Spark marker files (`_SUCCESS`, `_committed_*`, `_started_*`) are ignored.
//!
//! Exactly once, across crashes at any point: a run commits the quarantine rows, then the
//! bronze rows, then the ledger `bronze.ingested_files`; each is one Delta commit. A file is
//! new until the ledger has it, and a re-run skips the files whose rows the quarantine or
//! bronze table already holds, so no file is loaded twice or lost.

use std::collections::BTreeSet;

use datafusion::arrow::array::{Array, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::error::DataFusionError;
use datafusion::prelude::{DataFrame, SessionContext};
use reviewlake_cluster::lakehouse::{Lakehouse, LakehouseError, TableName, WriteOptions};
use reviewlake_cluster::sources::{SourceError, SourceFile, SourceLocation, SourceStore, bin_pack};
use reviewlake_udfs::parse::record::{METADATA_FIELDS, REVIEW_FIELDS};

/// Which records a source holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
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
    let files = SourceStore::from_settings(lake.settings()).list_data_files(source).await?;
    let loaded = if table_exists(lake, LEDGER).await? {
        strings(ctx, &format!("SELECT file FROM {LEDGER} WHERE kind = '{}'", kind.name())).await?
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
    let ingested_at = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
    register_lines(ctx, &pending).await?;
    let file_list = sql_list(pending.iter().map(|file| file.path.as_str()));

    // 1. Quarantine, skipping files an interrupted run already quarantined.
    let quarantined = already_in(ctx, lake, QUARANTINE, "file", &file_list).await?;
    let quarantine = ctx
        .sql(&format!(
            "SELECT _source_file AS file, '{kind}' AS kind, _line_number AS line, json_record_error(_raw) AS error, \
                    _raw AS raw_text, TIMESTAMP '{ingested_at}' AS ingested_at \
             FROM ingest_lines WHERE json_record_error(_raw) IS NOT NULL{skip}",
            kind = kind.name(),
            skip = exclude("_source_file", &quarantined)
        ))
        .await?;
    report.quarantined = lake.write(ctx, quarantine, QUARANTINE, WriteOptions::default()).await?.rows();
    tracing::info!(lines = report.quarantined, "quarantine committed");

    // 2. Bronze rows, skipping files an interrupted run already loaded.
    let table = kind.table();
    let present = already_in(ctx, lake, &table, "_source_file", &file_list).await?;
    let columns: Vec<String> =
        kind.fields().iter().map(|field| format!("r['{field}'] AS {}", snake_case(field))).collect();
    let bronze = ctx
        .sql(&format!(
            "SELECT {columns}, r['_rescued_data'] AS _rescued_data, _source_file, _line_number, \
                    TIMESTAMP '{ingested_at}' AS _ingested_at \
             FROM (SELECT _source_file, _line_number, {parser}(_raw) AS r FROM ingest_lines \
                   WHERE json_record_error(_raw) IS NULL{skip})",
            columns = columns.join(", "),
            parser = kind.parser(),
            skip = exclude("_source_file", &present)
        ))
        .await?;
    report.rows = lake.write(ctx, bronze, &table, WriteOptions::default()).await?.rows();
    tracing::info!(rows = report.rows, table, "bronze committed");

    // 3. The ledger: from now on these files are loaded.
    let ledger_rows: Vec<String> = pending
        .iter()
        .map(|file| format!("('{}', '{}', TIMESTAMP '{ingested_at}')", kind.name(), escape(&file.path)))
        .collect();
    let ledger = ctx
        .sql(&format!(
            "SELECT column1 AS kind, column2 AS file, column3 AS ingested_at FROM (VALUES {})",
            ledger_rows.join(", ")
        ))
        .await?;
    lake.write(ctx, ledger, LEDGER, WriteOptions::default()).await?;
    report.files_loaded = pending.len();
    ctx.deregister_table("ingest_lines")?;
    ctx.deregister_table("ingest_files")?;
    Ok(report)
}

/// Registers `ingest_lines`: one row per line of `files`, read on the executors.
async fn register_lines(ctx: &SessionContext, files: &[SourceFile]) -> Result<(), DataFusionError> {
    let total: u64 = files.iter().map(|file| file.size).sum();
    let groups = (total.div_ceil(TASK_BYTES) as usize).max(ctx.state().config().target_partitions());
    // One VALUES list per group, united: each becomes a partition, so the groups are read by
    // parallel tasks (a repartition of one VALUES list is optimised away when nothing requires
    // it), and each task holds one group's text at a time.
    let groups: Vec<String> = bin_pack(files.iter().collect(), groups, |file| file.size)
        .iter()
        .map(|group| {
            let values: Vec<String> = group.iter().map(|file| format!("('{}')", escape(&file.path))).collect();
            format!("SELECT column1 AS path FROM (VALUES {})", values.join(", "))
        })
        .collect();
    let files_frame: DataFrame = ctx.sql(&groups.join(" UNION ALL ")).await?;
    let _ = ctx.deregister_table("ingest_files")?;
    ctx.register_table("ingest_files", files_frame.into_view())?;
    let lines = ctx
        .sql(
            "SELECT path AS _source_file, l['line_number'] AS _line_number, l['text'] AS _raw \
             FROM (SELECT path, unnest(read_text_lines(path)) AS l FROM ingest_files)",
        )
        .await?;
    let _ = ctx.deregister_table("ingest_lines")?;
    ctx.register_table("ingest_lines", lines.into_view())?;
    Ok(())
}

/// Source bytes (compressed, as listed) read by one ingest task: about 300 MiB of JSON text.
const TASK_BYTES: u64 = 64 << 20;

async fn table_exists(lake: &Lakehouse, name: &str) -> Result<bool, LakehouseError> {
    let name: TableName = name.parse()?;
    lake.exists(&lake.table_url(&name)).await
}

/// Which of `files` (an SQL list) `column` of `table` already holds.
async fn already_in(
    ctx: &SessionContext,
    lake: &Lakehouse,
    table: &str,
    column: &str,
    files: &str,
) -> Result<BTreeSet<String>, IngestError> {
    if !table_exists(lake, table).await? {
        return Ok(BTreeSet::new());
    }
    strings(ctx, &format!("SELECT DISTINCT {column} FROM {table} WHERE {column} IN ({files})")).await
}

async fn strings(ctx: &SessionContext, query: &str) -> Result<BTreeSet<String>, IngestError> {
    let mut values = BTreeSet::new();
    for batch in ctx.sql(query).await?.collect().await? {
        let column = cast(batch.column(0), &DataType::Utf8).map_err(DataFusionError::from)?;
        let column = column.as_any().downcast_ref::<StringArray>().expect("cast to Utf8");
        values.extend(column.iter().flatten().map(str::to_string));
    }
    Ok(values)
}

fn exclude(column: &str, files: &BTreeSet<String>) -> String {
    if files.is_empty() {
        return String::new();
    }
    format!(" AND {column} NOT IN ({})", sql_list(files.iter().map(String::as_str)))
}

fn sql_list<'a>(values: impl Iterator<Item = &'a str>) -> String {
    values.map(|v| format!("'{}'", escape(v))).collect::<Vec<_>>().join(", ")
}

fn escape(text: &str) -> String {
    text.replace('\'', "''")
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
