//! The medallion pipeline on the real review samples (`../shared/data/amazon2018`): gold
//! answers checked against DuckDB reading the raw JSON independently, and a second run that
//! changes nothing.

use std::path::Path;

use reviewlake_tests::{manifest_dir, python, reviewlake_with_env, success};
use serde_json::Value;

/// Lays the sample files out as the batch source: `amazon_reviews/partition_N/*.json.gz` with
/// Spark marker files, and the same for metadata.
fn sample_source(target: &Path) -> Vec<String> {
    let samples = manifest_dir().join("../../shared/data/amazon2018");
    let mut review_files = Vec::new();
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
        if folder == "amazon_reviews" {
            review_files.push(copy.display().to_string());
        }
    }
    review_files
}

fn rows(work: &Path, env: &[(String, String)], query: &str) -> Vec<Value> {
    serde_json::from_str(&success(reviewlake_with_env(work, &["sql", "--format", "json", query], env))).unwrap()
}

/// The rows of `query` as lists of values in column-name order (name the columns a, b, c).
fn rows_in_order(work: &Path, env: &[(String, String)], query: &str) -> Vec<Vec<Value>> {
    rows(work, env, query).into_iter().map(|row| row.as_object().unwrap().values().cloned().collect()).collect()
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
    let review_files = sample_source(&source);
    let env = vec![("REVIEWLAKE__LAKEHOUSE__ROOT".to_string(), work.path().join("lake").display().to_string())];
    let run = |env: &[(String, String)]| success(reviewlake_with_env(work.path(), &["pipeline", "run", "--source", source.to_str().unwrap()], env));
    let first = run(&env);
    assert!(first.contains("gold: "), "{first}");

    // DuckDB over the raw files: reviews deduplicated on the content key (the first occurrence
    // in file and line order wins), dates from unix time in UTC; then each question written
    // again in DuckDB's SQL. Each pair is (gold query, DuckDB query), both ordered the same.
    // Averages compare to 4 decimals: gold keeps DataFusion's decimal average (scale 5).
    let questions: [(&str, &str, &str); 10] = [
        ("q01", "SELECT CAST(overall AS DOUBLE) AS a, reviews AS b FROM gold.q01_rating_distribution ORDER BY 1",
         "SELECT overall, count(*) FROM r GROUP BY 1 ORDER BY 1"),
        ("q02", "SELECT CAST(overall AS DOUBLE) AS a, verified AS b, reviews AS c FROM gold.q02_verified_by_rating ORDER BY 1, 2",
         "SELECT overall, verified, count(*) FROM r GROUP BY 1, 2 ORDER BY 1, 2"),
        ("q04", "SELECT year AS a, round(CAST(average_rating AS DOUBLE), 4) AS b FROM gold.q04_rating_by_year ORDER BY 1",
         "SELECT year(d), round(avg(overall), 4) FROM r GROUP BY 1 ORDER BY 1"),
        ("q05", "SELECT month AS a, round(CAST(average_rating AS DOUBLE), 4) AS b FROM gold.q05_rating_by_month ORDER BY 1",
         "SELECT month(d), round(avg(overall), 4) FROM r GROUP BY 1 ORDER BY 1"),
        ("q06", "SELECT year AS a, reviews AS b FROM gold.q06_reviews_by_year ORDER BY 1",
         "SELECT year(d), count(*) FROM r GROUP BY 1 ORDER BY 1"),
        ("q07", "SELECT month AS a, reviews AS b FROM gold.q07_reviews_by_month ORDER BY 1",
         "SELECT month(d), count(*) FROM r GROUP BY 1 ORDER BY 1"),
        ("q08", "SELECT sentiment AS a, reviews AS b, CAST(percent AS DOUBLE) AS c FROM gold.q08_sentiment_overview ORDER BY 1",
         "SELECT s, n, p FROM (SELECT s, count(*) AS n, round(100.0 * count(*) / sum(count(*)) OVER (), 2) AS p FROM r GROUP BY s \
          UNION ALL SELECT 'Total', count(*), 100.0 FROM r) ORDER BY 1"),
        ("q10", "SELECT year AS a, sentiment AS b, reviews AS c FROM gold.q10_sentiment_by_year ORDER BY 1, 2",
         "SELECT year(d), s, count(*) FROM r GROUP BY 1, 2 ORDER BY 1, 2"),
        ("q18", "SELECT reviewer_id AS a, reviews AS b FROM gold.q18_active_reviewers ORDER BY 2 DESC, 1",
         "SELECT reviewerID, count(*) FROM r GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10"),
        ("q19", "SELECT reviews AS a, products AS b, reviewers AS c FROM gold.q19_kpis",
         "SELECT count(*), count(DISTINCT asin), count(DISTINCT reviewerID) FROM r"),
    ];
    let script = String::from(
        "import sys, json, duckdb\n\
         files = sys.argv[2:]\n\
         con = duckdb.connect()\n\
         con.execute(\"SET TimeZone = 'UTC'\")\n\
         con.execute(\"CREATE TABLE raw AS SELECT *, row_number() OVER () AS seq FROM read_json(?, format='newline_delimited', union_by_name=true, columns={'reviewerID':'VARCHAR','asin':'VARCHAR','overall':'DOUBLE','unixReviewTime':'BIGINT','summary':'VARCHAR','reviewText':'VARCHAR','verified':'BOOLEAN'})\", [files])\n\
         con.execute(\"CREATE TABLE r AS SELECT *, CASE WHEN overall < 3 THEN 'Negative' WHEN overall > 3 THEN 'Positive' ELSE 'Neutral' END AS s FROM (SELECT *, CAST(to_timestamp(unixReviewTime) AS DATE) AS d FROM raw) QUALIFY row_number() OVER (PARTITION BY reviewerID, asin, d, overall, summary, reviewText ORDER BY seq) = 1\")\n\
         queries = json.loads(sys.argv[1])\n\
         print(json.dumps({name: [[v if isinstance(v, (int, float, str, bool)) or v is None else float(v) for v in row] for row in con.execute(q).fetchall()] for name, q in queries.items()}))"
    );
    let queries = serde_json::to_string(&questions.iter().map(|(name, _, duck)| (*name, *duck)).collect::<std::collections::BTreeMap<_, _>>()).unwrap();
    let mut arguments = vec![queries.as_str()];
    arguments.extend(review_files.iter().map(String::as_str));
    let reference = python(&script, &arguments);
    let reference: Value = serde_json::from_str(&reference).unwrap();
    for (name, gold, _) in questions {
        let ours: Vec<Vec<Value>> = rows_in_order(work.path(), &env, gold);
        let theirs: Vec<Vec<Value>> = serde_json::from_value(reference[name].clone()).unwrap();
        assert_eq!(normalised(&ours), normalised(&theirs), "{name}: gold (left) vs DuckDB (right)");
    }
    let unmatched = rows(work.path(), &env, "SELECT count(*) AS n FROM gold.reviews WHERE category IS NULL OR average_price IS NULL");
    assert_eq!(unmatched[0]["n"], 0, "every gold review has a category and an (imputed) price");

    // A second run finds nothing new and rebuilds identical gold tables.
    let snapshot = |env: &[(String, String)]| {
        ["gold.q01_rating_distribution ORDER BY overall", "gold.q19_kpis", "gold.q11_top_categories ORDER BY reviews_with_text DESC, category"]
            .map(|t| rows(work.path(), env, &format!("SELECT * FROM {t}")))
    };
    let before = snapshot(&env);
    let second = run(&env);
    assert!(second.contains("0 new files") && second.contains("silver.reviews: +0 rows"), "{second}");
    assert_eq!(snapshot(&env), before, "gold is identical after a rerun");
}
