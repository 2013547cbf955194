//! Silver and gold rules on a single-process session over a temporary lakehouse: no cluster,
//! a handful of rows, seconds.

use std::sync::Arc;

use datafusion::prelude::SessionContext;
use reviewlake_cluster::config::LakehouseSettings;
use reviewlake_cluster::lakehouse::{Lakehouse, WriteOptions};
use reviewlake_cluster::session::local_context;
use reviewlake_cluster::sql::{OutputFormat, format_batches, run_script};
use serde_json::Value;

use super::silver::REVIEW_DUPLICATES_TABLE;
use super::{run_gold, run_silver};

struct Lake {
    _dir: tempfile::TempDir,
    lake: Arc<Lakehouse>,
    ctx: SessionContext,
}

fn lake() -> Lake {
    let dir = tempfile::tempdir().unwrap();
    let settings = LakehouseSettings { root: dir.path().display().to_string(), ..Default::default() };
    let lake = Lakehouse::from_settings(&settings).unwrap();
    let ctx = local_context(&lake, 2).unwrap();
    Lake { _dir: dir, lake, ctx }
}

impl Lake {
    /// The rows of `query` as JSON objects.
    async fn rows(&self, query: &str) -> Vec<Value> {
        let batches = run_script(&self.ctx, Some(&self.lake), query).await.unwrap();
        serde_json::from_str(&format_batches(&batches, OutputFormat::Json).unwrap()).unwrap()
    }

    /// Appends the rows of `query` to `table`.
    async fn append(&self, table: &str, query: &str) {
        let frame = self.ctx.sql(query).await.unwrap();
        self.lake.write(&self.ctx, frame, table, WriteOptions::default()).await.unwrap();
    }

    /// Appends raw review records, `(asin, reviewer, summary, file, line)`, all rated 5 on one day.
    async fn append_reviews(&self, reviews: &[(&str, &str, &str, &str, i64)]) {
        let rows: Vec<String> = reviews
            .iter()
            .map(|(asin, reviewer, summary, file, line)| {
                format!(
                    "SELECT '{asin}' AS asin, '{reviewer}' AS reviewer_id, 'Name' AS reviewer_name, '5.0' AS overall, \
                     'true' AS verified, CAST(NULL AS VARCHAR) AS vote, '1529193600' AS unix_review_time, \
                     CAST(NULL AS VARCHAR) AS review_time, CAST(NULL AS VARCHAR) AS style, \
                     'A great little thing' AS review_text, '{summary}' AS summary, '{file}' AS _source_file, \
                     CAST({line} AS BIGINT) AS _line_number, TIMESTAMP '2026-01-01T00:00:00Z' AS _ingested_at"
                )
            })
            .collect();
        self.append("bronze.reviews", &rows.join(" UNION ALL ")).await;
    }

    /// Appends raw metadata records, `(asin, brand, category, price)`.
    async fn append_products(&self, products: &[(&str, &str, &str, &str)]) {
        let rows: Vec<String> = products
            .iter()
            .enumerate()
            .map(|(line, (asin, brand, category, price))| {
                format!(
                    "SELECT '{asin}' AS asin, 'Title {asin}' AS title, '{brand}' AS brand, '{category}' AS main_cat, \
                     '[\"{category}\"]' AS category, '{price}' AS price, '' AS date, 'meta.json' AS _source_file, \
                     CAST({line} AS BIGINT) AS _line_number, TIMESTAMP '2026-01-01T00:00:00Z' AS _ingested_at"
                )
            })
            .collect();
        self.append("bronze.metadata", &rows.join(" UNION ALL ")).await;
    }
}

#[tokio::test]
async fn dedup_on_the_content_key_keeps_the_first_row_and_lists_the_rest() {
    let lake = lake();
    lake.append_reviews(&[
        ("P1", "R1", "Five Stars", "b.json", 1),
        ("P1", "R1", "Five Stars", "a.json", 7),
        ("P1", "R1", "Five Stars", "a.json", 3),
        ("P1", "R1", "Other words", "a.json", 9),
    ])
    .await;
    let (reviews, _) = run_silver(&lake.ctx, &lake.lake).await.unwrap();
    assert_eq!(reviews.rows, 2, "one row per content key");
    let kept = lake.rows("SELECT _source_file AS f, _line_number AS l FROM silver.reviews ORDER BY 1, 2").await;
    assert_eq!(kept, serde_json::json!([{"f": "a.json", "l": 3}, {"f": "a.json", "l": 9}]).as_array().unwrap().clone());
    let listed = lake.rows(&format!("SELECT file AS f, line AS l FROM {REVIEW_DUPLICATES_TABLE} ORDER BY 1, 2")).await;
    assert_eq!(
        listed,
        serde_json::json!([{"f": "a.json", "l": 7}, {"f": "b.json", "l": 1}]).as_array().unwrap().clone()
    );

    // No new bronze data: nothing to do.
    let (again, _) = run_silver(&lake.ctx, &lake.lake).await.unwrap();
    assert!(again.up_to_date && again.rows == 0);

    // A later copy of a review silver holds is dropped; a new review is added.
    lake.append_reviews(&[("P1", "R1", "Five Stars", "c.json", 1), ("P2", "R2", "Five Stars", "c.json", 2)]).await;
    let (next, _) = run_silver(&lake.ctx, &lake.lake).await.unwrap();
    assert_eq!(next.rows, 1, "only the new review");
    assert_eq!(lake.rows("SELECT count(*) AS n FROM silver.reviews").await[0]["n"], 3);
}

#[tokio::test]
async fn gold_imputes_prices_and_shows_each_brand_under_its_most_common_spelling() {
    let lake = lake();
    lake.append_products(&[
        ("P1", "Acme", "Books", "$10.00"),
        ("P2", "Acme", "Books", "$20.00"),
        ("P3", "ACME", "Books", ""),
        ("P4", "Other", "Toys", ""),
        ("P5", "Other", "Games", "$40.00"),
        // A second listing of P1: the first record of an asin wins.
        ("P1", "Acme", "Books", "$99.00"),
    ])
    .await;
    let reviews: Vec<(String, String)> = (1..=5).map(|n| (format!("P{n}"), format!("R{n}"))).collect();
    let rows: Vec<(&str, &str, &str, &str, i64)> = reviews
        .iter()
        .zip(1..)
        .map(|((asin, reviewer), line)| (asin.as_str(), reviewer.as_str(), "Nice", "r.json", line))
        .collect();
    lake.append_reviews(&rows).await;
    let (reviews, metadata) = run_silver(&lake.ctx, &lake.lake).await.unwrap();
    assert_eq!((reviews.rows, metadata.rows), (5, 5));
    assert_eq!(run_gold(&lake.ctx, &lake.lake).await.unwrap(), super::GOLD_TABLES.len());

    let gold = lake
        .rows("SELECT asin, brand, category, CAST(average_price AS DOUBLE) AS price FROM gold.reviews ORDER BY asin")
        .await;
    let price = |asin: &str| gold.iter().find(|row| row["asin"] == asin).unwrap()["price"].as_f64().unwrap();
    assert_eq!(price("P1"), 10.0, "a listed price is kept");
    assert_eq!(price("P3"), 15.0, "no price: the category's mean");
    assert_eq!(price("P4"), 23.33, "no price in the category: the mean of every listed price");
    let brands: Vec<&str> = gold.iter().map(|row| row["brand"].as_str().unwrap()).collect();
    assert_eq!(brands, ["Acme", "Acme", "Acme", "Other", "Other"]);

    let kpis = lake.rows("SELECT reviews, products, reviewers FROM gold.q19_kpis").await;
    assert_eq!(kpis, serde_json::json!([{"reviews": 5, "products": 5, "reviewers": 5}]).as_array().unwrap().clone());
    let ratings = lake.rows("SELECT CAST(overall AS DOUBLE) AS o, reviews FROM gold.q01_rating_distribution").await;
    assert_eq!(ratings.len(), 1, "{ratings:?}");
    assert_eq!((ratings[0]["o"].as_f64(), ratings[0]["reviews"].as_i64()), (Some(5.0), Some(5)));
}

#[tokio::test]
async fn gold_is_behind_until_rebuilt_from_the_silver_it_would_read() {
    let lake = lake();
    assert!(!super::gold_is_behind(&lake.lake).await.unwrap(), "no silver reviews: nothing to build");
    lake.append_reviews(&[("P1", "R1", "Nice", "r.json", 1)]).await;
    run_silver(&lake.ctx, &lake.lake).await.unwrap();
    assert!(super::gold_is_behind(&lake.lake).await.unwrap(), "silver without gold");
    run_gold(&lake.ctx, &lake.lake).await.unwrap();
    assert!(!super::gold_is_behind(&lake.lake).await.unwrap(), "just rebuilt");
    // A rebuild from unchanged inputs records nothing new and stays current.
    run_gold(&lake.ctx, &lake.lake).await.unwrap();
    assert!(!super::gold_is_behind(&lake.lake).await.unwrap(), "rebuilt again");

    lake.append_reviews(&[("P2", "R2", "Nice", "s.json", 1)]).await;
    run_silver(&lake.ctx, &lake.lake).await.unwrap();
    assert!(super::gold_is_behind(&lake.lake).await.unwrap(), "silver moved");
    run_gold(&lake.ctx, &lake.lake).await.unwrap();
    assert!(!super::gold_is_behind(&lake.lake).await.unwrap());
    assert_eq!(lake.rows("SELECT reviews FROM gold.q19_kpis").await[0]["reviews"], 2);
}
