//! Silver: typed, cleaned, deduplicated tables from bronze, incremental and exactly once.
//!
//! Each silver commit records the bronze version it consumed as an application transaction
//! (`silver.reviews<-bronze.reviews`, `silver.reviews<-bronze.review_events`); the next run
//! reads only the bronze files added since that version, and re-running with no new bronze data
//! is a no-op. Reviews from files and from the stream are deduplicated on a hash of one content
//! key (reviewer, product, rating, summary, text; not the date, which an event lacks) within a
//! run and against what silver already holds, so a review lands once whichever way it came
//! first; metadata on `asin`, the first record seen winning.
//!
//! The queries are the `.sql` files under `sql/silver/`; each job reads the new bronze rows as
//! `bronze_new` and its intermediate views in a [`JobScope`] of its own.

use std::sync::Arc;

use datafusion::logical_expr::JoinType;
use datafusion::prelude::{DataFrame, SessionContext};
use reviewlake_cluster::lakehouse::{At, Lakehouse, TableFootprint, TableName, WriteMode, WriteOptions};

use super::MedallionError;
use crate::scope::JobScope;

/// Typed review records of `bronze.reviews`.
const TYPED_BATCH_REVIEWS: &str = include_str!("sql/silver/typed_batch_reviews.sql");
/// Typed review records of `bronze.review_events`.
const TYPED_STREAM_REVIEWS: &str = include_str!("sql/silver/typed_stream_reviews.sql");
/// Typed review records with their content key.
const KEYED_REVIEWS: &str = include_str!("sql/silver/keyed_reviews.sql");
/// Rows dropped as duplicates of an earlier row with the same key.
const REVIEW_DUPLICATES: &str = include_str!("sql/silver/review_duplicates.sql");
/// Keyed reviews without the listed duplicates.
const KEPT_REVIEWS: &str = include_str!("sql/silver/kept_reviews.sql");
/// The silver columns of the kept reviews.
const SILVER_REVIEWS: &str = include_str!("sql/silver/reviews.sql");
/// The silver typing of product metadata, one row per asin.
const SILVER_METADATA: &str = include_str!("sql/silver/metadata.sql");

/// Where the duplicates of the last review run are listed (replaced by every run).
pub(crate) const REVIEW_DUPLICATES_TABLE: &str = "silver.review_duplicates";

/// What a silver run did to one table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SilverOutcome {
    /// The bronze version now consumed (`None` while bronze is empty).
    pub bronze_version: Option<u64>,
    /// New bronze rows this run read.
    pub bronze_rows: u64,
    /// Rows added to silver by this run.
    pub rows: u64,
    /// True when there was no new bronze data.
    pub up_to_date: bool,
}

/// Runs silver for reviews (from files, then from the stream) and metadata; the review
/// outcome adds both sources up.
pub async fn run_silver(
    ctx: &SessionContext,
    lake: &Lakehouse,
) -> Result<(SilverOutcome, SilverOutcome), MedallionError> {
    let batch = silver_table(ctx, lake, SilverTable::Reviews).await?;
    let stream = silver_table(ctx, lake, SilverTable::StreamReviews).await?;
    let metadata = silver_table(ctx, lake, SilverTable::Metadata).await?;
    let reviews = SilverOutcome {
        bronze_version: batch.bronze_version,
        bronze_rows: batch.bronze_rows + stream.bronze_rows,
        rows: batch.rows + stream.rows,
        up_to_date: batch.up_to_date && stream.up_to_date,
    };
    Ok((reviews, metadata))
}

/// The silver tables, by the bronze table each run reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SilverTable {
    /// `silver.reviews` from review files.
    Reviews,
    /// `silver.reviews` from streamed events.
    StreamReviews,
    /// `silver.metadata`.
    Metadata,
}

impl SilverTable {
    fn bronze(self) -> &'static str {
        match self {
            Self::Reviews => "bronze.reviews",
            Self::StreamReviews => crate::stream::REVIEW_EVENTS,
            Self::Metadata => "bronze.metadata",
        }
    }

    fn silver(self) -> &'static str {
        match self {
            Self::Reviews | Self::StreamReviews => "silver.reviews",
            Self::Metadata => "silver.metadata",
        }
    }

    /// The deduplication key, never null.
    fn key(self) -> &'static str {
        match self {
            Self::Reviews | Self::StreamReviews => "review_key",
            Self::Metadata => "asin",
        }
    }
}

async fn silver_table(
    ctx: &SessionContext,
    lake: &Lakehouse,
    table: SilverTable,
) -> Result<SilverOutcome, MedallionError> {
    let (bronze, silver) = (table.bronze(), table.silver());
    let bronze_name: TableName = bronze.parse()?;
    let silver_name: TableName = silver.parse()?;
    let app_id = format!("{silver}<-{bronze}");
    let Some(latest) = lake.latest_version(&bronze_name).await? else {
        if table == SilverTable::Metadata {
            create_empty_metadata(ctx, lake).await?;
        }
        return Ok(SilverOutcome { up_to_date: true, ..Default::default() });
    };
    let consumed = lake.transaction_version(&silver_name, &app_id).await?;
    if consumed == Some(latest as i64) {
        tracing::info!(silver, bronze_version = latest, "silver is up to date");
        return Ok(SilverOutcome { bronze_version: Some(latest), up_to_date: true, ..Default::default() });
    }
    let at = |version: u64| TableName { at: Some(At::Version(version)), ..bronze_name.clone() };
    let pinned = at(latest);
    let seen = match consumed {
        Some(consumed) => lake.footprint(&at(consumed as u64)).await?,
        None => TableFootprint::default(),
    };
    let bronze_rows = lake.footprint(&pinned).await?.written_since(&seen).rows;
    let mut provider = lake.provider(&pinned).await?;
    if let Some(consumed) = consumed {
        provider = provider.changes_since(consumed as u64);
    }
    let scope = JobScope::new(ctx);
    scope.ctx().register_table("bronze_new", Arc::new(provider))?;
    let frame = match table {
        SilverTable::Reviews => silver_reviews(&scope, lake, TYPED_BATCH_REVIEWS).await?,
        SilverTable::StreamReviews => silver_reviews(&scope, lake, TYPED_STREAM_REVIEWS).await?,
        SilverTable::Metadata => {
            let metadata = scope.sql(SILVER_METADATA).await?;
            without_silver_keys(&scope, lake, table, metadata).await?
        }
    };
    let options = WriteOptions { txn: Some((app_id, latest as i64)), ..Default::default() };
    let rows = lake.write(scope.ctx(), frame, silver, options).await?.rows();
    tracing::info!(silver, bronze_version = latest, rows, "silver committed");
    Ok(SilverOutcome { bronze_version: Some(latest), bronze_rows, rows, up_to_date: false })
}

/// The new silver reviews: lists this run's duplicates in [`REVIEW_DUPLICATES_TABLE`] (a job
/// of its own, before the wide rows are read), then plans the kept rows not yet in silver.
async fn silver_reviews(scope: &JobScope, lake: &Lakehouse, typed: &str) -> Result<DataFrame, MedallionError> {
    scope.register("typed_reviews", scope.sql(typed).await?)?;
    scope.register("keyed_reviews", scope.sql(KEYED_REVIEWS).await?)?;
    let duplicates = scope.sql(REVIEW_DUPLICATES).await?;
    let options = WriteOptions { mode: WriteMode::Overwrite, ..Default::default() };
    let rows = lake.write(scope.ctx(), duplicates, REVIEW_DUPLICATES_TABLE, options).await?.rows();
    tracing::info!(table = REVIEW_DUPLICATES_TABLE, rows, "duplicates listed");
    let kept = without_silver_keys(scope, lake, SilverTable::Reviews, scope.sql(KEPT_REVIEWS).await?).await?;
    scope.register("kept_reviews", kept)?;
    Ok(scope.sql(SILVER_REVIEWS).await?)
}

/// `frame` without the rows whose key silver already holds (all of it while silver is empty).
async fn without_silver_keys(
    scope: &JobScope,
    lake: &Lakehouse,
    table: SilverTable,
    frame: DataFrame,
) -> Result<DataFrame, MedallionError> {
    let silver_name: TableName = table.silver().parse()?;
    if lake.latest_version(&silver_name).await?.is_none() {
        return Ok(frame);
    }
    let key = table.key();
    let already = scope.ctx().table(table.silver()).await?.select_columns(&[key])?.alias("already")?;
    // Keys are never null, so a plain anti-join (not NOT IN's null-aware one, which must
    // collect silver's keys into one task) is exact.
    Ok(frame.join(already, JoinType::LeftAnti, &[key], &[key], None)?)
}

/// Creates `silver.metadata` empty while no metadata was ingested, so that gold (which joins it)
/// runs on a lakehouse fed by reviews alone: the metadata query over no bronze rows, typed as the
/// batch ingestion types them.
async fn create_empty_metadata(ctx: &SessionContext, lake: &Lakehouse) -> Result<(), MedallionError> {
    use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
    use datafusion::common::DFSchema;
    use datafusion::logical_expr::{EmptyRelation, LogicalPlan};

    let name: TableName = SilverTable::Metadata.silver().parse()?;
    if lake.latest_version(&name).await?.is_some() {
        return Ok(());
    }
    let mut fields: Vec<Field> = reviewlake_udfs::parse::record::METADATA_FIELDS
        .iter()
        .map(|field| Field::new(crate::ingest::snake_case(field), DataType::Utf8, true))
        .collect();
    fields.extend([
        Field::new("_rescued_data", DataType::Utf8, true),
        Field::new("_source_file", DataType::Utf8, true),
        Field::new("_line_number", DataType::Int64, true),
        Field::new("_ingested_at", DataType::Timestamp(TimeUnit::Nanosecond, None), true),
    ]);
    // Only the query's schema is needed: the table is created without rows, by this process.
    let schema = Arc::new(DFSchema::try_from(Schema::new(fields))?);
    let empty = LogicalPlan::EmptyRelation(EmptyRelation { produce_one_row: false, schema });
    let scope = JobScope::new(ctx);
    scope.register("bronze_new", DataFrame::new(ctx.state(), empty))?;
    let typed = scope.sql(SILVER_METADATA).await?.schema().as_arrow().clone();
    lake.append_batches(SilverTable::Metadata.silver(), Arc::new(typed)).execute().await?;
    tracing::info!("silver.metadata created empty: no product metadata ingested yet");
    Ok(())
}
