//! Silver and gold: typed, cleaned, deduplicated tables from bronze, and the dashboard's
//! gold tables, each as distributed jobs.
//!
//! Silver is incremental and exactly once: each silver commit records the bronze version it
//! consumed as an application transaction (`silver.reviews<-bronze.reviews`), the next run reads
//! only the bronze files added since that version, and re-running with no new bronze data is a
//! no-op. Reviews are deduplicated on a hash of the content key (reviewer, product, date,
//! rating, summary, text) within a run and against what silver already holds; metadata on
//! `asin`, the first record seen winning. Gold is rebuilt from silver on every run
//! (`CREATE OR REPLACE`), so running it twice gives identical tables.

use std::sync::Arc;

use datafusion::prelude::SessionContext;
use reviewlake_cluster::lakehouse::{At, Lakehouse, LakehouseError, TableName, WriteMode, WriteOptions};
use reviewlake_cluster::sources::SourceLocation;
use reviewlake_cluster::sql::{SqlError, run_script};

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

/// What a silver run did to one table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SilverOutcome {
    /// The bronze version now consumed (`None` while bronze is empty).
    pub bronze_version: Option<u64>,
    /// Rows added to silver by this run.
    pub rows: u64,
    /// True when there was no new bronze data.
    pub up_to_date: bool,
}

/// Typed review records with their content key: the head of both review queries below.
const KEYED_REVIEWS: &str = "\
WITH typed AS (
  SELECT asin, reviewer_id, reviewer_name,
         CAST(parse_rating(overall) AS DECIMAL(10, 1)) AS overall,
         parse_bool(verified) AS verified,
         coalesce(parse_vote(vote), 0) AS vote,
         parse_review_date(coalesce(unix_review_time, review_time)) AS review_date,
         parse_style(style) AS style, review_text, summary, _source_file, _line_number, _ingested_at
  FROM bronze_new),
keyed AS (
  SELECT *, md5(concat_ws(chr(31), coalesce(reviewer_id, ''), coalesce(asin, ''), coalesce(CAST(review_date AS VARCHAR), ''),
                          coalesce(CAST(overall AS VARCHAR), ''), coalesce(summary, ''), coalesce(review_text, ''))) AS review_key
  FROM typed)";

/// The bronze rows (file, line) a silver run drops as duplicates of an earlier row with the
/// same content key: found on narrow rows (key, file, line), so only those are shuffled.
const REVIEW_DUPLICATES: (&str, &str) = (
    "silver.review_duplicates",
    "SELECT _source_file AS file, _line_number AS line, review_key
     FROM (SELECT _source_file, _line_number, review_key,
                  row_number() OVER (PARTITION BY review_key ORDER BY _source_file, _line_number) AS dup_rank
           FROM keyed)
     WHERE dup_rank > 1",
);

/// The silver typing of review records (bronze columns are raw text), without the rows listed
/// in `silver.review_duplicates`. That table is written first, so the planner knows it is
/// small and sends it to every task (a broadcast join): the wide rows, review text included,
/// are never shuffled or sorted. Sentiment is scored once per kept review.
const SILVER_REVIEWS: &str = ",
kept AS (
  SELECT * FROM keyed AS candidate
  WHERE NOT EXISTS (SELECT 1 FROM silver.review_duplicates AS duplicate
                    WHERE duplicate.file = candidate._source_file AND duplicate.line = candidate._line_number)
  {already_in_silver}),
scored AS (
  SELECT *, sentiment_polarity(review_text) AS sentiment_polarity FROM kept)
SELECT review_key, asin, reviewer_id, reviewer_name, overall, verified, vote, review_date, style, review_text, summary,
       normalize_text(review_text) AS clean_text, word_count(review_text) AS word_count,
       sentiment_polarity, sentiment_label(sentiment_polarity) AS sentiment_label,
       rating_sentiment(overall) AS rating_sentiment, 'batch' AS source, _source_file, _line_number, _ingested_at
FROM scored";

/// The silver typing of product metadata records.
const SILVER_METADATA: &str = "\
WITH typed AS (
  SELECT asin, clean_title(title) AS title, normalize_brand(brand) AS brand,
         extract_category(main_cat, json_text_array(category)) AS category,
         parse_price(price) AS price, main_cat AS raw_main_cat, date AS listed_date,
         _source_file, _line_number, _ingested_at
  FROM bronze_new WHERE asin IS NOT NULL),
ranked AS (
  SELECT *, row_number() OVER (PARTITION BY asin ORDER BY _source_file, _line_number) AS dup_rank FROM typed)
SELECT asin, title, brand, category, price, raw_main_cat, listed_date, _source_file, _line_number, _ingested_at
FROM ranked AS candidate WHERE dup_rank = 1 {already_in_silver}";

/// Runs silver for reviews and metadata.
pub async fn run_silver(
    ctx: &SessionContext,
    lake: &Lakehouse,
) -> Result<(SilverOutcome, SilverOutcome), MedallionError> {
    let reviews = SilverSpec {
        bronze: "bronze.reviews",
        silver: "silver.reviews",
        head: KEYED_REVIEWS,
        duplicates: Some(REVIEW_DUPLICATES),
        body: SILVER_REVIEWS,
        key: "review_key",
    };
    let metadata = SilverSpec {
        bronze: "bronze.metadata",
        silver: "silver.metadata",
        head: "",
        duplicates: None,
        body: SILVER_METADATA,
        key: "asin",
    };
    let reviews = silver_table(ctx, lake, &reviews).await?;
    let metadata = silver_table(ctx, lake, &metadata).await?;
    Ok((reviews, metadata))
}

/// How one silver table is built from its bronze table.
struct SilverSpec {
    bronze: &'static str,
    silver: &'static str,
    /// Common table expressions over `bronze_new` (the new bronze rows) shared by `duplicates`
    /// and `body`; empty when `body` is a whole query.
    head: &'static str,
    /// `(table, query)`: rows to drop, written (replacing the last run's) before `body` runs.
    duplicates: Option<(&'static str, &'static str)>,
    /// The rest of the silver query; `{already_in_silver}` becomes the anti-join against what
    /// silver already holds.
    body: &'static str,
    /// The deduplication key, never null.
    key: &'static str,
}

async fn silver_table(
    ctx: &SessionContext,
    lake: &Lakehouse,
    spec: &SilverSpec,
) -> Result<SilverOutcome, MedallionError> {
    let SilverSpec { bronze, silver, key, .. } = *spec;
    let bronze: TableName = bronze.parse()?;
    let silver_name: TableName = silver.parse()?;
    let app_id = format!("{silver}<-{bronze}");
    let Some(latest) = lake.latest_version(&bronze).await? else {
        return Ok(SilverOutcome { up_to_date: true, ..Default::default() });
    };
    let consumed = lake.transaction_version(&silver_name, &app_id).await?;
    if consumed == Some(latest as i64) {
        tracing::info!(silver, bronze_version = latest, "silver is up to date");
        return Ok(SilverOutcome { bronze_version: Some(latest), rows: 0, up_to_date: true });
    }
    let pinned = TableName { at: Some(At::Version(latest)), ..bronze.clone() };
    let mut provider = lake.provider(&pinned).await?;
    if let Some(consumed) = consumed {
        provider = provider.changes_since(consumed as u64);
    }
    let _ = ctx.deregister_table("bronze_new")?;
    ctx.register_table("bronze_new", Arc::new(provider))?;
    if let Some((table, query)) = spec.duplicates {
        let duplicates = ctx.sql(&format!("{}\n{query}", spec.head)).await?;
        let options = WriteOptions { mode: WriteMode::Overwrite, ..Default::default() };
        let rows = lake.write(ctx, duplicates, table, options).await?.rows();
        tracing::info!(table, rows, "duplicates listed");
    }
    let already = if lake.latest_version(&silver_name).await?.is_some() {
        // Keys are never null, so a plain anti-join (not NOT IN's null-aware one, which
        // must collect silver's keys into one task) is exact.
        format!("AND NOT EXISTS (SELECT 1 FROM {silver} AS already WHERE already.{key} = candidate.{key})")
    } else {
        String::new()
    };
    let query = format!("{}{}", spec.head, spec.body.replace("{already_in_silver}", &already));
    let frame = ctx.sql(&query).await?;
    let options = WriteOptions { txn: Some((app_id, latest as i64)), ..Default::default() };
    let rows = lake.write(ctx, frame, silver, options).await?.rows();
    ctx.deregister_table("bronze_new")?;
    tracing::info!(silver, bronze_version = latest, rows, "silver committed");
    Ok(SilverOutcome { bronze_version: Some(latest), rows, up_to_date: false })
}

/// `gold.reviews` and one table per dashboard question (seed-spec §3), rebuilt from silver.
/// Each entry is `(table, what it answers, query)`.
pub const GOLD_TABLES: &[(&str, &str, &str)] = &[
    (
        "gold.reviews",
        "reviews with product category, brand (case variants under their most common spelling), title and an imputed average price",
        // Brands are spelled in several cases across products (`Meredith Corporation`,
        // `Meredith corporation`): each is shown as its most common spelling, ties to the smallest.
        "WITH brand_spelling AS (
                SELECT lower(brand) AS brand_key, brand,
                       row_number() OVER (PARTITION BY lower(brand) ORDER BY count(*) DESC, brand) AS pick
                FROM silver.metadata GROUP BY brand),
              products AS (
                SELECT m.asin, m.title, coalesce(s.brand, m.brand) AS brand, m.category, m.price
                FROM silver.metadata m LEFT JOIN brand_spelling s ON lower(m.brand) = s.brand_key AND s.pick = 1),
              category_price AS (SELECT category, round(avg(price), 2) AS price FROM products WHERE price IS NOT NULL GROUP BY category),
              global_price AS (SELECT round(avg(price), 2) AS price FROM products WHERE price IS NOT NULL)
         SELECT r.asin, r.reviewer_id, r.overall, r.verified, r.vote, r.review_date,
                CAST(date_part('year', r.review_date) AS INT) AS year, CAST(date_part('month', r.review_date) AS INT) AS month,
                r.review_text, r.summary, r.clean_text, r.word_count, r.sentiment_polarity, r.sentiment_label, r.rating_sentiment,
                coalesce(p.category, 'Unknown') AS category, coalesce(p.brand, 'Unknown') AS brand, coalesce(p.title, 'Unknown') AS title,
                coalesce(p.price, c.price, g.price) AS average_price, r.source
         FROM silver.reviews r
         LEFT JOIN products p ON r.asin = p.asin
         LEFT JOIN category_price c ON coalesce(p.category, 'Unknown') = c.category
         CROSS JOIN global_price g",
    ),
    ("gold.q01_rating_distribution", "reviews per star rating", "SELECT overall, count(*) AS reviews FROM gold.reviews GROUP BY overall"),
    (
        "gold.q02_verified_by_rating",
        "reviews per rating and verified purchase",
        "SELECT overall, verified, count(*) AS reviews FROM gold.reviews GROUP BY overall, verified",
    ),
    (
        "gold.q03_review_length",
        "reviews per length bucket (words)",
        "SELECT CASE WHEN word_count < 10 THEN '0-9' WHEN word_count < 50 THEN '10-49' WHEN word_count < 100 THEN '50-99'
                     WHEN word_count < 250 THEN '100-249' ELSE '250+' END AS length_bucket, count(*) AS reviews
         FROM gold.reviews GROUP BY 1",
    ),
    ("gold.q04_rating_by_year", "average rating per year", "SELECT year, avg(overall) AS average_rating FROM gold.reviews GROUP BY year"),
    ("gold.q05_rating_by_month", "average rating per month of the year", "SELECT month, avg(overall) AS average_rating FROM gold.reviews GROUP BY month"),
    ("gold.q06_reviews_by_year", "reviews per year", "SELECT year, count(*) AS reviews FROM gold.reviews GROUP BY year"),
    ("gold.q07_reviews_by_month", "reviews per month of the year", "SELECT month, count(*) AS reviews FROM gold.reviews GROUP BY month"),
    (
        "gold.q08_sentiment_overview",
        "reviews per rating sentiment with their share, and a Total row",
        // One aggregation with a rollup, no UNION: a union of two aggregations over gold.reviews
        // sometimes came back from the cluster with its second branch twice (two Total rows).
        // The grand total is the largest count, so it is the denominator of every share.
        "SELECT CASE WHEN grouping(rating_sentiment) = 1 THEN 'Total' ELSE rating_sentiment END AS sentiment,
                count(*) AS reviews, round(100.0 * count(*) / max(count(*)) OVER (), 2) AS percent
         FROM gold.reviews GROUP BY ROLLUP (rating_sentiment)",
    ),
    (
        "gold.q09_length_by_sentiment",
        "review length (words) distribution per rating sentiment",
        "SELECT rating_sentiment AS sentiment, count(*) AS reviews, min(word_count) AS min_words,
                percentile_cont(0.25) WITHIN GROUP (ORDER BY word_count) AS q1_words, median(word_count) AS median_words,
                percentile_cont(0.75) WITHIN GROUP (ORDER BY word_count) AS q3_words, max(word_count) AS max_words,
                avg(word_count) AS mean_words
         FROM gold.reviews GROUP BY rating_sentiment",
    ),
    (
        "gold.q10_sentiment_by_year",
        "reviews per year and rating sentiment",
        "SELECT year, rating_sentiment AS sentiment, count(*) AS reviews FROM gold.reviews GROUP BY year, rating_sentiment",
    ),
    (
        "gold.q11_top_categories",
        "the 10 categories with most reviews that have text",
        "SELECT category, count(review_text) AS reviews_with_text FROM gold.reviews GROUP BY category
         ORDER BY reviews_with_text DESC, category LIMIT 10",
    ),
    (
        "gold.q12_lowest_rated_categories",
        "the 10 categories with the lowest average rating",
        "SELECT category, avg(overall) AS average_rating, count(*) AS reviews FROM gold.reviews GROUP BY category
         ORDER BY average_rating, category LIMIT 10",
    ),
    (
        "gold.q13_price_distribution",
        "reviews per price bucket of the product",
        "SELECT CASE WHEN average_price IS NULL THEN 'unknown' WHEN average_price < 10 THEN '0-10' WHEN average_price < 25 THEN '10-25'
                     WHEN average_price < 50 THEN '25-50' WHEN average_price < 100 THEN '50-100' ELSE '100+' END AS price_bucket,
                count(*) AS reviews
         FROM gold.reviews GROUP BY 1",
    ),
    (
        "gold.q14_negative_by_category",
        "the 10 categories with most negative reviews (rating below 3)",
        "SELECT category, count(*) AS reviews FROM gold.reviews WHERE overall < 3 GROUP BY category ORDER BY reviews DESC, category LIMIT 10",
    ),
    (
        "gold.q15_negative_by_brand",
        "the 10 brands with most negative reviews",
        "SELECT brand, count(*) AS reviews FROM gold.reviews WHERE overall < 3 GROUP BY brand ORDER BY reviews DESC, brand LIMIT 10",
    ),
    (
        "gold.q16_negative_by_title",
        "the 10 products (titles) with most negative reviews",
        "SELECT title, count(*) AS reviews FROM gold.reviews WHERE overall < 3 GROUP BY title ORDER BY reviews DESC, title LIMIT 10",
    ),
    (
        "gold.q17_positive_by_category",
        "the 10 categories with most positive reviews (rating above 3)",
        "SELECT category, count(*) AS reviews FROM gold.reviews WHERE overall > 3 GROUP BY category ORDER BY reviews DESC, category LIMIT 10",
    ),
    (
        "gold.q17_positive_by_brand",
        "the 10 brands with most positive reviews",
        "SELECT brand, count(*) AS reviews FROM gold.reviews WHERE overall > 3 GROUP BY brand ORDER BY reviews DESC, brand LIMIT 10",
    ),
    (
        "gold.q17_positive_by_title",
        "the 10 products (titles) with most positive reviews",
        "SELECT title, count(*) AS reviews FROM gold.reviews WHERE overall > 3 GROUP BY title ORDER BY reviews DESC, title LIMIT 10",
    ),
    (
        "gold.q18_active_reviewers",
        "the 10 reviewers with most reviews",
        "SELECT reviewer_id, count(*) AS reviews FROM gold.reviews GROUP BY reviewer_id ORDER BY reviews DESC, reviewer_id LIMIT 10",
    ),
    (
        "gold.q19_kpis",
        "KPI tiles: reviews, distinct products, distinct reviewers",
        "SELECT count(*) AS reviews, count(DISTINCT asin) AS products, count(DISTINCT reviewer_id) AS reviewers FROM gold.reviews",
    ),
    (
        "gold.q20_key_themes",
        "the 3,000 most frequent words (single characters aside) of the cleaned texts, stop words removed",
        "SELECT word, count(*) AS frequency FROM (SELECT unnest(tokenize(clean_text)) AS word FROM gold.reviews)
         WHERE character_length(word) > 1 GROUP BY word ORDER BY frequency DESC, word LIMIT 3000",
    ),
];

/// Rebuilds every gold table from silver; returns the number of tables written.
pub async fn run_gold(ctx: &SessionContext, lake: &Lakehouse) -> Result<usize, MedallionError> {
    use futures::stream::{StreamExt, TryStreamExt};
    let rebuild = |(table, _, query): &'static (&'static str, &'static str, &'static str)| async move {
        run_script(ctx, Some(lake), &format!("CREATE OR REPLACE TABLE {table} AS {query}")).await?;
        tracing::info!(table, "gold table rebuilt");
        Ok::<_, MedallionError>(())
    };
    let (reviews, aggregates) = GOLD_TABLES.split_first().expect("gold.reviews comes first");
    rebuild(reviews).await?;
    // The aggregates read only gold.reviews; several in flight hide each job's fixed
    // scheduling and commit latency behind the others' work.
    futures::stream::iter(aggregates).map(rebuild).buffer_unordered(GOLD_JOBS_IN_FLIGHT).try_collect::<()>().await?;
    Ok(GOLD_TABLES.len())
}

/// Gold aggregate jobs submitted at once.
const GOLD_JOBS_IN_FLIGHT: usize = 4;

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
    use crate::ingest::{SourceKind, ingest_batch};
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
    Ingest(#[from] crate::ingest::IngestError),
    /// Silver or gold failed.
    #[error(transparent)]
    Medallion(#[from] MedallionError),
}
