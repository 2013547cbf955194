//! The medallion pipeline on the real review samples (`tests/data/amazon2018`): gold
//! answers checked against DuckDB reading the raw JSON independently, and a second run that
//! changes nothing.

use std::path::Path;

use reviewlake_tests::{python, reviewlake_with_env, samples_dir, success};
use serde_json::Value;

/// Lays the sample files out as the batch source: `amazon_reviews/partition_N/*.json.gz` with
/// Spark marker files, and the same for metadata. Returns the review files and the metadata
/// files, each in name order.
pub(crate) fn sample_source(target: &Path) -> (Vec<String>, Vec<String>) {
    let samples = samples_dir();
    let (mut review_files, mut metadata_files) = (Vec::new(), Vec::new());
    let mut entries: Vec<_> = std::fs::read_dir(&samples).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for (index, path) in entries.iter().enumerate() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let folder = if name.starts_with("meta_") { "amazon_metadata" } else { "amazon_reviews" };
        let partition = target.join(folder).join(format!("partition_{index}"));
        std::fs::create_dir_all(&partition).unwrap();
        let copy = partition.join(format!("part-00000-{name}"));
        std::fs::copy(path, &copy).unwrap();
        std::fs::write(partition.join("_SUCCESS"), "").unwrap();
        if folder == "amazon_reviews" { &mut review_files } else { &mut metadata_files }
            .push(copy.display().to_string());
    }
    (review_files, metadata_files)
}

fn rows(work: &Path, env: &[(String, String)], query: &str) -> Vec<Value> {
    serde_json::from_str(&success(reviewlake_with_env(work, &["sql", "--format", "json", query], env))).unwrap()
}

/// The rows of `query` as lists of values, its columns named a, b, c, … (the JSON output leaves
/// null values out, so columns are looked up by name).
fn rows_in_order(work: &Path, env: &[(String, String)], query: &str, columns: usize) -> Vec<Vec<Value>> {
    let names: Vec<String> = (b'a'..).take(columns).map(|c| char::from(c).to_string()).collect();
    rows(work, env, query)
        .into_iter()
        .map(|row| names.iter().map(|name| row.get(name).cloned().unwrap_or(Value::Null)).collect())
        .collect()
}

/// Values compared across engines: numbers to 6 decimals, everything else as JSON text.
fn normalised(rows: &[Vec<Value>]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|row| row.iter().map(|v| v.as_f64().map(|n| format!("{n:.6}")).unwrap_or_else(|| v.to_string())).collect())
        .collect()
}

#[test]
fn gold_answers_match_an_independent_engine_and_a_rerun_changes_nothing() {
    let work = tempfile::tempdir().unwrap();
    let source = work.path().join("source");
    let (review_files, metadata_files) = sample_source(&source);
    let env = vec![("REVIEWLAKE__LAKEHOUSE__ROOT".to_string(), work.path().join("lake").display().to_string())];
    let run = |env: &[(String, String)]| {
        success(reviewlake_with_env(work.path(), &["pipeline", "run", "--source", source.to_str().unwrap()], env))
    };
    let first = run(&env);
    assert!(first.contains("gold: "), "{first}");

    // DuckDB over the raw files (`tests/reference/gold_answers.py`, written from seed-spec.md):
    // reviews deduplicated on the content key (the first occurrence in file and line order
    // wins), dates from unix time in UTC, metadata deduplicated and cleaned, prices imputed;
    // then each question written again in DuckDB's SQL. Each entry is (name, gold query, DuckDB
    // query), both ordered the same. Averages compare to 4 decimals: gold keeps DataFusion's
    // decimal average (scale 5).
    let questions: [(&str, &str, &str); 23] = [
        (
            "q01",
            "SELECT CAST(overall AS DOUBLE) AS a, reviews AS b FROM gold.q01_rating_distribution ORDER BY 1",
            "SELECT overall, count(*) FROM r GROUP BY 1 ORDER BY 1",
        ),
        (
            "q02",
            "SELECT CAST(overall AS DOUBLE) AS a, verified AS b, reviews AS c FROM gold.q02_verified_by_rating ORDER BY 1, 2",
            "SELECT overall, verified, count(*) FROM r GROUP BY 1, 2 ORDER BY 1, 2",
        ),
        (
            "q04",
            "SELECT year AS a, round(CAST(average_rating AS DOUBLE), 4) AS b FROM gold.q04_rating_by_year ORDER BY 1",
            "SELECT year(d), round(avg(overall), 4) FROM r GROUP BY 1 ORDER BY 1",
        ),
        (
            "q05",
            "SELECT month AS a, round(CAST(average_rating AS DOUBLE), 4) AS b FROM gold.q05_rating_by_month ORDER BY 1",
            "SELECT month(d), round(avg(overall), 4) FROM r GROUP BY 1 ORDER BY 1",
        ),
        (
            "q06",
            "SELECT year AS a, reviews AS b FROM gold.q06_reviews_by_year ORDER BY 1",
            "SELECT year(d), count(*) FROM r GROUP BY 1 ORDER BY 1",
        ),
        (
            "q07",
            "SELECT month AS a, reviews AS b FROM gold.q07_reviews_by_month ORDER BY 1",
            "SELECT month(d), count(*) FROM r GROUP BY 1 ORDER BY 1",
        ),
        (
            "q08",
            "SELECT sentiment AS a, reviews AS b, CAST(percent AS DOUBLE) AS c FROM gold.q08_sentiment_overview ORDER BY 1",
            "SELECT s, n, p FROM (SELECT s, count(*) AS n, round(100.0 * count(*) / sum(count(*)) OVER (), 2) AS p FROM r GROUP BY s \
          UNION ALL SELECT 'Total', count(*), 100.0 FROM r) ORDER BY 1",
        ),
        (
            "q10",
            "SELECT year AS a, sentiment AS b, reviews AS c FROM gold.q10_sentiment_by_year ORDER BY 1, 2",
            "SELECT year(d), s, count(*) FROM r GROUP BY 1, 2 ORDER BY 1, 2",
        ),
        (
            "q18",
            "SELECT reviewer_id AS a, reviews AS b FROM gold.q18_active_reviewers ORDER BY 2 DESC, 1",
            "SELECT reviewerID, count(*) FROM r GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10",
        ),
        (
            "q19",
            "SELECT reviews AS a, products AS b, reviewers AS c FROM gold.q19_kpis",
            "SELECT count(*), count(DISTINCT asin), count(DISTINCT reviewerID) FROM r",
        ),
        (
            "q03",
            "SELECT length_bucket AS a, reviews AS b FROM gold.q03_review_length ORDER BY CAST(split_part(replace(length_bucket, '+', ''), '-', 1) AS INT)",
            "SELECT CASE WHEN w < 10 THEN '0-9' WHEN w < 50 THEN '10-49' WHEN w < 100 THEN '50-99' WHEN w < 250 THEN '100-249' ELSE '250+' END AS k, count(*) FROM g GROUP BY 1 ORDER BY CAST(split_part(replace(k, '+', ''), '-', 1) AS INT)",
        ),
        (
            "q09",
            "SELECT sentiment AS a, reviews AS b, min_words AS c, CAST(q1_words AS DOUBLE) AS d, CAST(median_words AS DOUBLE) AS e, CAST(q3_words AS DOUBLE) AS f, max_words AS g, round(CAST(mean_words AS DOUBLE), 4) AS h FROM gold.q09_length_by_sentiment ORDER BY 1",
            "SELECT s, count(*), min(w), quantile_cont(w, 0.25), CAST(median(w) AS DOUBLE), quantile_cont(w, 0.75), max(w), round(avg(w), 4) FROM g GROUP BY 1 ORDER BY 1",
        ),
        (
            "q11",
            "SELECT category AS a, reviews_with_text AS b FROM gold.q11_top_categories ORDER BY 2 DESC, 1",
            "SELECT category, count(reviewText) FROM g GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10",
        ),
        (
            "q12",
            "SELECT category AS a, round(CAST(average_rating AS DOUBLE), 4) AS b, reviews AS c FROM gold.q12_lowest_rated_categories ORDER BY 2, 1",
            "SELECT a, b, c FROM (SELECT category AS a, round(avg(overall), 4) AS b, count(*) AS c FROM g GROUP BY 1 ORDER BY avg(overall), 1 LIMIT 10) ORDER BY 2, 1",
        ),
        (
            "q13",
            "SELECT price_bucket AS a, reviews AS b FROM gold.q13_price_distribution ORDER BY CASE WHEN price_bucket = 'unknown' THEN -1 ELSE CAST(split_part(replace(price_bucket, '+', ''), '-', 1) AS INT) END",
            "SELECT CASE WHEN average_price IS NULL THEN 'unknown' WHEN average_price < 10 THEN '0-10' WHEN average_price < 25 THEN '10-25' WHEN average_price < 50 THEN '25-50' WHEN average_price < 100 THEN '50-100' ELSE '100+' END AS k, count(*) FROM g GROUP BY 1 ORDER BY CASE WHEN k = 'unknown' THEN -1 ELSE CAST(split_part(replace(k, '+', ''), '-', 1) AS INT) END",
        ),
        (
            "q13_prices",
            "SELECT category AS a, count(*) AS b, round(sum(average_price), 2) AS c FROM gold.reviews GROUP BY 1 ORDER BY 1",
            "SELECT category, count(*), round(sum(average_price), 2) FROM g GROUP BY 1 ORDER BY 1",
        ),
        (
            "q14",
            "SELECT category AS a, reviews AS b FROM gold.q14_negative_by_category ORDER BY 2 DESC, 1",
            "SELECT category, count(*) FROM g WHERE overall < 3 GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10",
        ),
        (
            "q15",
            "SELECT brand AS a, reviews AS b FROM gold.q15_negative_by_brand ORDER BY 2 DESC, 1",
            "SELECT brand, count(*) FROM g WHERE overall < 3 GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10",
        ),
        (
            "q16",
            "SELECT title AS a, reviews AS b FROM gold.q16_negative_by_title ORDER BY 2 DESC, 1",
            "SELECT title, count(*) FROM g WHERE overall < 3 GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10",
        ),
        (
            "q17_category",
            "SELECT category AS a, reviews AS b FROM gold.q17_positive_by_category ORDER BY 2 DESC, 1",
            "SELECT category, count(*) FROM g WHERE overall > 3 GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10",
        ),
        (
            "q17_brand",
            "SELECT brand AS a, reviews AS b FROM gold.q17_positive_by_brand ORDER BY 2 DESC, 1",
            "SELECT brand, count(*) FROM g WHERE overall > 3 GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10",
        ),
        (
            "q17_title",
            "SELECT title AS a, reviews AS b FROM gold.q17_positive_by_title ORDER BY 2 DESC, 1",
            "SELECT title, count(*) FROM g WHERE overall > 3 GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10",
        ),
        (
            "q20",
            "SELECT word AS a, frequency AS b FROM gold.q20_key_themes ORDER BY 2 DESC, 1",
            "SELECT word, count(*) FROM tokens WHERE length(word) > 1 GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 3000",
        ),
    ];
    let queries = serde_json::to_string(
        &questions.iter().map(|(name, _, duck)| (*name, *duck)).collect::<std::collections::BTreeMap<_, _>>(),
    )
    .unwrap();
    let mut arguments = vec![queries.as_str()];
    arguments.extend(review_files.iter().map(String::as_str));
    arguments.push("--meta");
    arguments.extend(metadata_files.iter().map(String::as_str));
    let reference = python(include_str!("../../reference/gold_answers.py"), &arguments);
    let reference: Value = serde_json::from_str(&reference).unwrap();
    for (name, gold, _) in questions {
        let theirs: Vec<Vec<Value>> = serde_json::from_value(reference[name].clone()).unwrap();
        assert!(!theirs.is_empty(), "{name}: the reference has rows");
        let ours: Vec<Vec<Value>> = rows_in_order(work.path(), &env, gold, theirs[0].len());
        assert_eq!(normalised(&ours), normalised(&theirs), "{name}: gold (left) vs DuckDB (right)");
    }
    let unmatched = rows(
        work.path(),
        &env,
        "SELECT count(*) AS n FROM gold.reviews WHERE category IS NULL OR average_price IS NULL",
    );
    assert_eq!(unmatched[0]["n"], 0, "every gold review has a category and an (imputed) price");

    // A second run finds nothing new and rebuilds identical gold tables.
    let snapshot = |env: &[(String, String)]| {
        [
            "gold.q01_rating_distribution ORDER BY overall",
            "gold.q19_kpis",
            "gold.q11_top_categories ORDER BY reviews_with_text DESC, category",
        ]
        .map(|t| rows(work.path(), env, &format!("SELECT * FROM {t}")))
    };
    let before = snapshot(&env);
    let second = run(&env);
    assert!(second.contains("0 new files") && second.contains("silver.reviews: +0 rows"), "{second}");
    assert_eq!(snapshot(&env), before, "gold is identical after a rerun");
}
