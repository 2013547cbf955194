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

#[test]
fn gold_answers_match_an_independent_engine_and_a_rerun_changes_nothing() {
    let work = tempfile::tempdir().unwrap();
    let source = work.path().join("source");
    let review_files = sample_source(&source);
    let env = vec![("REVIEWLAKE__LAKEHOUSE__ROOT".to_string(), work.path().join("lake").display().to_string())];
    let run = |env: &[(String, String)]| success(reviewlake_with_env(work.path(), &["pipeline", "run", "--source", source.to_str().unwrap()], env));
    let first = run(&env);
    assert!(first.contains("gold: "), "{first}");

    // DuckDB over the raw files: reviews deduplicated on the content key, dates from unix time.
    let reference = python(
        "import sys, json, duckdb\n\
         files = sys.argv[1:]\n\
         con = duckdb.connect()\n\
         con.execute(\"CREATE TABLE raw AS SELECT * FROM read_json(?, format='newline_delimited', union_by_name=true, columns={'reviewerID':'VARCHAR','asin':'VARCHAR','overall':'DOUBLE','unixReviewTime':'BIGINT','summary':'VARCHAR','reviewText':'VARCHAR','verified':'BOOLEAN'})\", [files])\n\
         con.execute(\"CREATE TABLE r AS SELECT DISTINCT reviewerID, asin, CAST(to_timestamp(unixReviewTime) AS DATE) AS d, overall, summary, reviewText FROM raw\")\n\
         kpi = con.execute('SELECT count(*), count(DISTINCT asin), count(DISTINCT reviewerID) FROM r').fetchone()\n\
         ratings = con.execute('SELECT overall, count(*) FROM r GROUP BY overall ORDER BY overall').fetchall()\n\
         print(json.dumps({'kpi': list(kpi), 'ratings': [[float(a), b] for a, b in ratings]}))",
        &review_files.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let reference: Value = serde_json::from_str(&reference).unwrap();

    let kpis = rows(work.path(), &env, "SELECT reviews, products, reviewers FROM gold.q19_kpis");
    assert_eq!(
        [&kpis[0]["reviews"], &kpis[0]["products"], &kpis[0]["reviewers"]].map(|v| v.as_i64().unwrap()),
        [0, 1, 2].map(|i| reference["kpi"][i].as_i64().unwrap()),
        "KPI tiles"
    );
    let ratings = rows(work.path(), &env, "SELECT CAST(overall AS DOUBLE) AS overall, reviews FROM gold.q01_rating_distribution ORDER BY overall");
    let ratings: Vec<(f64, i64)> = ratings.iter().map(|r| (r["overall"].as_f64().unwrap(), r["reviews"].as_i64().unwrap())).collect();
    let expected: Vec<(f64, i64)> =
        reference["ratings"].as_array().unwrap().iter().map(|r| (r[0].as_f64().unwrap(), r[1].as_i64().unwrap())).collect();
    assert_eq!(ratings, expected, "rating distribution");
    let overview = rows(work.path(), &env, "SELECT sentiment, reviews FROM gold.q08_sentiment_overview WHERE sentiment = 'Total'");
    assert_eq!(overview.len(), 1, "one Total row: {overview:?}");
    assert_eq!(overview[0]["reviews"].as_i64(), reference["kpi"][0].as_i64());
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
