//! Gold: `gold.reviews` and one table per dashboard question, rebuilt from silver on every run
//! (`CREATE OR REPLACE`), so running it twice gives identical tables.
//!
//! A rebuild ends by recording in `gold.reviews` the version of each table gold is computed
//! from ([`GOLD_INPUTS`]), as application transactions; [`gold_is_behind`] compares them with
//! the inputs' versions now, so `pipeline run` skips a rebuild that would change nothing, and a
//! rebuild cut short (by a crash after silver committed) is redone by the next run.
//!
//! Each table's statement is a `.sql` file under `sql/gold/`.

use std::collections::BTreeMap;

use datafusion::datasource::TableProvider;
use datafusion::prelude::SessionContext;
use futures::stream::{self, StreamExt, TryStreamExt};
use reviewlake_cluster::lakehouse::{Lakehouse, LakehouseError, TableName};
use reviewlake_cluster::session::with_static_planner;
use reviewlake_cluster::sql::run_script;

use super::MedallionError;

/// `gold.reviews`, the dashboard's cube and one table per dashboard question (seed-spec §3),
/// rebuilt from silver. Each entry is `(table, what it answers, the CREATE OR REPLACE TABLE
/// statement)`; `gold.reviews` comes first, as every other table reads it, then
/// `gold.review_cube`, which some questions read.
pub const GOLD_TABLES: &[(&str, &str, &str)] = &[
    (
        "gold.reviews",
        "reviews with product category, brand (case variants under their most common spelling), title and an imputed average price",
        include_str!("sql/gold/reviews.sql"),
    ),
    (
        "gold.review_cube",
        "review counts and sums per month, category, brand, rating, verified purchase, sentiment, length and price bucket: the dashboard's filtered panels",
        include_str!("sql/gold/review_cube.sql"),
    ),
    ("gold.q01_rating_distribution", "reviews per star rating", include_str!("sql/gold/q01_rating_distribution.sql")),
    (
        "gold.q02_verified_by_rating",
        "reviews per rating and verified purchase",
        include_str!("sql/gold/q02_verified_by_rating.sql"),
    ),
    ("gold.q03_review_length", "reviews per length bucket (words)", include_str!("sql/gold/q03_review_length.sql")),
    ("gold.q04_rating_by_year", "average rating per year", include_str!("sql/gold/q04_rating_by_year.sql")),
    (
        "gold.q05_rating_by_month",
        "average rating per month of the year",
        include_str!("sql/gold/q05_rating_by_month.sql"),
    ),
    ("gold.q06_reviews_by_year", "reviews per year", include_str!("sql/gold/q06_reviews_by_year.sql")),
    ("gold.q07_reviews_by_month", "reviews per month of the year", include_str!("sql/gold/q07_reviews_by_month.sql")),
    (
        "gold.q08_sentiment_overview",
        "reviews per rating sentiment with their share, and a Total row",
        include_str!("sql/gold/q08_sentiment_overview.sql"),
    ),
    (
        "gold.q09_length_by_sentiment",
        "review length (words) distribution per rating sentiment",
        include_str!("sql/gold/q09_length_by_sentiment.sql"),
    ),
    (
        "gold.q10_sentiment_by_year",
        "reviews per year and rating sentiment",
        include_str!("sql/gold/q10_sentiment_by_year.sql"),
    ),
    (
        "gold.q11_top_categories",
        "the 10 categories with most reviews that have text",
        include_str!("sql/gold/q11_top_categories.sql"),
    ),
    (
        "gold.q12_lowest_rated_categories",
        "the 10 categories with the lowest average rating",
        include_str!("sql/gold/q12_lowest_rated_categories.sql"),
    ),
    (
        "gold.q13_price_distribution",
        "reviews per price bucket of the product",
        include_str!("sql/gold/q13_price_distribution.sql"),
    ),
    (
        "gold.q14_negative_by_category",
        "the 10 categories with most negative reviews (rating below 3)",
        include_str!("sql/gold/q14_negative_by_category.sql"),
    ),
    (
        "gold.q15_negative_by_brand",
        "the 10 brands with most negative reviews",
        include_str!("sql/gold/q15_negative_by_brand.sql"),
    ),
    (
        "gold.q16_negative_by_title",
        "the 10 products (titles) with most negative reviews",
        include_str!("sql/gold/q16_negative_by_title.sql"),
    ),
    (
        "gold.q17_positive_by_category",
        "the 10 categories with most positive reviews (rating above 3)",
        include_str!("sql/gold/q17_positive_by_category.sql"),
    ),
    (
        "gold.q17_positive_by_brand",
        "the 10 brands with most positive reviews",
        include_str!("sql/gold/q17_positive_by_brand.sql"),
    ),
    (
        "gold.q17_positive_by_title",
        "the 10 products (titles) with most positive reviews",
        include_str!("sql/gold/q17_positive_by_title.sql"),
    ),
    (
        "gold.q18_active_reviewers",
        "the 10 reviewers with most reviews",
        include_str!("sql/gold/q18_active_reviewers.sql"),
    ),
    (
        "gold.q19_kpis",
        "KPI tiles: reviews, distinct products, distinct reviewers",
        include_str!("sql/gold/q19_kpis.sql"),
    ),
    (
        "gold.q20_key_themes",
        "the 3,000 most frequent words (single characters aside) of the cleaned texts, stop words removed",
        include_str!("sql/gold/q20_key_themes.sql"),
    ),
];

/// Gold aggregate jobs submitted at once.
const GOLD_JOBS_IN_FLIGHT: usize = 4;

/// The tables gold is computed from, `silver.reviews` first: silver, and the model registry
/// (`gold.reviews` scores each review with the latest model).
const GOLD_INPUTS: [&str; 3] = ["silver.reviews", "silver.metadata", crate::ml::MODELS_TABLE];

/// The version recorded for an input table that does not exist.
const ABSENT: i64 = -1;

/// The application transaction of `gold.reviews` that records the version of `input` gold was
/// built from.
fn input_transaction(input: &str) -> String {
    format!("gold<-{input}")
}

/// The versions of [`GOLD_INPUTS`] now, by transaction id.
async fn input_versions(lake: &Lakehouse) -> Result<BTreeMap<String, i64>, LakehouseError> {
    let mut versions = BTreeMap::new();
    for input in GOLD_INPUTS {
        let version = lake.latest_version(&input.parse()?).await?;
        versions.insert(input_transaction(input), version.map_or(ABSENT, |v| v as i64));
    }
    Ok(versions)
}

/// True when silver holds reviews and gold was not built from the inputs as they are now (or a
/// gold table is missing): a rebuild would change gold.
pub async fn gold_is_behind(lake: &Lakehouse) -> Result<bool, LakehouseError> {
    let now = input_versions(lake).await?;
    if now[&input_transaction(GOLD_INPUTS[0])] == ABSENT {
        return Ok(false);
    }
    let existing: Vec<String> =
        lake.list_tables("gold").await?.into_iter().map(|table| format!("gold.{table}")).collect();
    if !GOLD_TABLES.iter().all(|(table, _, _)| existing.iter().any(|name| name == table)) {
        return Ok(true);
    }
    let built_from = lake.transaction_versions(&GOLD_REVIEWS.parse()?, now.keys().cloned()).await?;
    Ok(built_from != now)
}

/// Records in `gold.reviews` that gold was built from the inputs at `versions` (an empty
/// commit carrying the transactions that moved).
async fn record_inputs(lake: &Lakehouse, versions: BTreeMap<String, i64>) -> Result<(), LakehouseError> {
    let name: TableName = GOLD_REVIEWS.parse()?;
    let recorded = lake.transaction_versions(&name, versions.keys().cloned()).await?;
    let moved: Vec<(String, i64)> =
        versions.into_iter().filter(|(id, version)| recorded.get(id).is_none_or(|done| done < version)).collect();
    if moved.is_empty() {
        return Ok(());
    }
    let schema = lake.provider(&name).await?.schema();
    let append = moved
        .into_iter()
        .fold(lake.append_batches(GOLD_REVIEWS, schema), |append, (id, version)| append.with_transaction(id, version));
    append.execute().await?;
    Ok(())
}

/// The gold table every other one reads, which records what gold was built from.
pub(crate) const GOLD_REVIEWS: &str = "gold.reviews";

/// Rebuilds every gold table from silver; returns the number of tables written.
pub async fn run_gold(ctx: &SessionContext, lake: &Lakehouse) -> Result<usize, MedallionError> {
    // Read before the rebuild: inputs that move while it runs make the next run rebuild again.
    let inputs = input_versions(lake).await?;
    // gold.reviews joins silver.metadata, which is empty on a lakehouse fed only by reviews.
    let static_planner;
    let ctx = if ctx.table("silver.metadata").await?.limit(0, Some(1))?.count().await? == 0 {
        static_planner = with_static_planner(ctx);
        &static_planner
    } else {
        ctx
    };
    let rebuild = |(table, _, statement): &'static (&'static str, &'static str, &'static str)| async move {
        run_script(ctx, Some(lake), statement).await?;
        tracing::info!(table, "gold table rebuilt");
        Ok::<_, MedallionError>(())
    };
    let [reviews, cube, aggregates @ ..] = GOLD_TABLES else { unreachable!("gold.reviews and the cube come first") };
    rebuild(reviews).await?;
    rebuild(cube).await?;
    // The aggregates read only gold.reviews and the cube; several in flight hide each job's fixed
    // scheduling and commit latency behind the others' work.
    stream::iter(aggregates).map(rebuild).buffer_unordered(GOLD_JOBS_IN_FLIGHT).try_collect::<()>().await?;
    record_inputs(lake, inputs).await?;
    Ok(GOLD_TABLES.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each file creates the table its entry names, and nothing else.
    #[test]
    fn each_statement_creates_its_table() {
        use datafusion::sql::parser::DFParser;
        for (table, _, statement) in GOLD_TABLES {
            let parsed = DFParser::parse_sql(statement).unwrap_or_else(|e| panic!("{table}: {e}"));
            assert_eq!(parsed.len(), 1, "{table}: one statement");
            let text = parsed[0].to_string();
            assert!(text.starts_with(&format!("CREATE OR REPLACE TABLE {table} AS ")), "{table}: {text}");
        }
        assert_eq!(GOLD_TABLES[0].0, "gold.reviews");
    }
}
