//! The insight dashboard in a real browser: `reviewlake serve` over a lakehouse the pipeline
//! built from the real samples (and a model trained on it), every page loaded by headless
//! Chromium through Playwright, in light and dark, at desktop and phone width.
//!
//! Each chart's numbers are read back from the chart itself and compared with `reviewlake sql`
//! on the gold (or registry) tables, most of them by a statement independent of the one the
//! panel runs; the pages must load with no console error, failed request, request to another
//! host or serious accessibility violation; a click on a bar filters; CSV equals JSON; a new
//! gold version reaches an open page without a reload.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};

use reviewlake_tests::{DashboardServer, reviewlake_with_env, run_browser_script, success, wait_until};
use serde_json::Value;

use crate::pipeline::sample_source;

fn lake_env(work: &Path) -> Vec<(String, String)> {
    vec![
        ("REVIEWLAKE__LAKEHOUSE__ROOT".to_string(), work.join("lake").display().to_string()),
        ("REVIEWLAKE__DASHBOARD__REFRESH_INTERVAL_MS".to_string(), "500".to_string()),
        ("RUST_LOG".to_string(), "warn".to_string()),
    ]
}

fn run(work: &Path, args: &[&str]) -> String {
    success(reviewlake_with_env(work, args, &lake_env(work)))
}

fn query(work: &Path, sql: &str) -> Vec<Value> {
    serde_json::from_str(&run(work, &["sql", "--format", "json", sql])).unwrap()
}

/// A value as the chart's axis shows it: numbers in their shortest form, so `5`, `5.0` and
/// `"5"` are one category.
fn key(value: &Value) -> String {
    let number = match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    };
    match (number, value) {
        (Some(f), _) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
        (Some(f), _) => format!("{f}"),
        (None, Value::String(s)) => s.clone(),
        (None, other) => other.to_string(),
    }
}

fn number(value: &Value) -> f64 {
    match value {
        Value::Number(n) => n.as_f64().unwrap(),
        Value::String(s) => s.parse().unwrap_or_else(|_| panic!("not a number: {s}")),
        other => panic!("not a number: {other}"),
    }
}

fn same(a: f64, b: f64) -> bool {
    if a.fract() == 0.0 && b.fract() == 0.0 { a == b } else { (a - b).abs() <= 1e-4 * b.abs().max(1.0) }
}

/// `(series, x) -> y` of rows with columns `s` (optional), `x` and `y`.
fn expected_points(rows: &[Value]) -> BTreeMap<(Option<String>, String), f64> {
    rows.iter()
        .map(|row| ((row.get("s").map(key), key(&row["x"])), number(row.get("y").unwrap_or(&Value::from(0)))))
        .collect()
}

/// Compares a chart's points with the expected rows; series are compared only where the
/// expectation names them.
fn assert_points(panel: &str, points: &[Value], expected: &BTreeMap<(Option<String>, String), f64>) {
    let named = expected.keys().any(|(series, _)| series.is_some());
    let shown: BTreeMap<(Option<String>, String), f64> =
        points.iter().map(|p| ((named.then(|| key(&p["series"])), key(&p["x"])), number(&p["y"]))).collect();
    assert_eq!(shown.len(), points.len(), "{panel}: points repeat a (series, x): {points:?}");
    let keys = |m: &BTreeMap<(Option<String>, String), f64>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&shown), keys(expected), "{panel}: the chart's categories differ from SQL's");
    for (point, y) in &shown {
        assert!(same(*y, expected[point]), "{panel}: {point:?} shows {y}, SQL says {}", expected[point]);
    }
}

/// The SQL each chart must agree with: columns `s` (series, when the chart has several), `x`, `y`.
const CHARTS: &[(&str, &str)] = &[
    ("reviews_by_year", "SELECT year AS x, reviews AS y FROM gold.q06_reviews_by_year WHERE year IS NOT NULL"),
    ("rating_distribution", "SELECT CAST(overall AS DOUBLE) AS x, reviews AS y FROM gold.q01_rating_distribution"),
    (
        "sentiment_overview",
        "SELECT sentiment AS x, reviews AS y FROM gold.q08_sentiment_overview WHERE sentiment <> 'Total'",
    ),
    (
        "sentiment_by_year",
        "SELECT sentiment AS s, year AS x, reviews AS y FROM gold.q10_sentiment_by_year WHERE year IS NOT NULL",
    ),
    (
        "sentiment_by_verified",
        "SELECT rating_sentiment AS s, CASE WHEN verified IS NULL THEN 'unknown' WHEN verified THEN 'verified' \
         ELSE 'not verified' END AS x, count(*) AS y FROM gold.reviews GROUP BY 1, 2",
    ),
    (
        "sentiment_by_length",
        "SELECT rating_sentiment AS s, CASE WHEN word_count < 10 THEN '0-9' WHEN word_count < 50 THEN '10-49' \
         WHEN word_count < 100 THEN '50-99' WHEN word_count < 250 THEN '100-249' ELSE '250+' END AS x, count(*) AS y \
         FROM gold.reviews GROUP BY 1, 2",
    ),
    (
        "length_by_sentiment",
        "SELECT 'min' AS s, sentiment AS x, CAST(min_words AS DOUBLE) AS y FROM gold.q09_length_by_sentiment \
         UNION ALL SELECT 'q1', sentiment, q1_words FROM gold.q09_length_by_sentiment \
         UNION ALL SELECT 'median', sentiment, median_words FROM gold.q09_length_by_sentiment \
         UNION ALL SELECT 'q3', sentiment, q3_words FROM gold.q09_length_by_sentiment \
         UNION ALL SELECT 'max', sentiment, max_words FROM gold.q09_length_by_sentiment",
    ),
    (
        "rating_by_year",
        "SELECT year AS x, CAST(average_rating AS DOUBLE) AS y FROM gold.q04_rating_by_year WHERE year IS NOT NULL",
    ),
    ("reviews_by_month", "SELECT month AS x, reviews AS y FROM gold.q07_reviews_by_month WHERE month IS NOT NULL"),
    (
        "rating_by_month",
        "SELECT month AS x, CAST(average_rating AS DOUBLE) AS y FROM gold.q05_rating_by_month WHERE month IS NOT NULL",
    ),
    (
        "verified_by_rating",
        "SELECT CASE WHEN verified IS NULL THEN 'unknown' WHEN verified THEN 'verified' ELSE 'not verified' END AS s, \
         CAST(overall AS DOUBLE) AS x, reviews AS y FROM gold.q02_verified_by_rating",
    ),
    ("key_themes", "SELECT word AS x, frequency AS y FROM gold.q20_key_themes ORDER BY frequency DESC, word LIMIT 150"),
    ("top_words", "SELECT word AS x, frequency AS y FROM gold.q20_key_themes ORDER BY frequency DESC, word LIMIT 30"),
    (
        "lowest_rated_categories",
        "SELECT category AS x, CAST(average_rating AS DOUBLE) AS y FROM gold.q12_lowest_rated_categories",
    ),
    ("negative_by_category", "SELECT category AS x, reviews AS y FROM gold.q14_negative_by_category"),
    ("negative_by_brand", "SELECT brand AS x, reviews AS y FROM gold.q15_negative_by_brand"),
    ("negative_by_product", "SELECT title AS x, reviews AS y FROM gold.q16_negative_by_title"),
    ("positive_by_brand", "SELECT brand AS x, reviews AS y FROM gold.q17_positive_by_brand"),
    ("positive_by_category", "SELECT category AS x, reviews AS y FROM gold.q17_positive_by_category"),
    ("positive_by_product", "SELECT title AS x, reviews AS y FROM gold.q17_positive_by_title"),
    ("top_reviewers", "SELECT reviewer_id AS x, reviews AS y FROM gold.q18_active_reviewers"),
    (
        "categories_by_feedback",
        "SELECT 'reviews_with_text' AS s, category AS x, reviews_with_text AS y FROM gold.q11_top_categories \
         UNION ALL SELECT 'votes', c.category, sum(r.vote) FROM gold.q11_top_categories c \
         JOIN gold.reviews r ON r.category = c.category GROUP BY c.category",
    ),
    ("price_distribution", "SELECT price_bucket AS x, reviews AS y FROM gold.q13_price_distribution"),
    (
        "rating_by_price",
        "SELECT CASE WHEN average_price IS NULL THEN 'unknown' WHEN average_price < 10 THEN '0-10' \
         WHEN average_price < 25 THEN '10-25' WHEN average_price < 50 THEN '25-50' WHEN average_price < 100 THEN '50-100' \
         ELSE '100+' END AS x, CAST(avg(overall) AS DOUBLE) AS y FROM gold.reviews GROUP BY 1",
    ),
    (
        "model_confusion",
        "SELECT CASE WHEN metric IN ('true_positives', 'false_negatives') THEN 'positive' ELSE 'negative' END AS s, \
         CASE WHEN metric IN ('true_positives', 'false_positives') THEN 'positive' ELSE 'negative' END AS x, \
         value AS y FROM ml.model_metrics \
         WHERE metric IN ('true_positives', 'false_positives', 'true_negatives', 'false_negatives')",
    ),
];

/// The SQL each panel of tiles must agree with: one row, a column per tile.
const TILES: &[(&str, &str)] = &[
    (
        "kpis",
        "SELECT k.reviews, k.products, k.reviewers, s.percent AS positive_percent \
         FROM gold.q19_kpis k, gold.q08_sentiment_overview s WHERE s.sentiment = 'Positive'",
    ),
    (
        "model_summary",
        "SELECT m.auc, m.accuracy, m.test_rows, \
         (SELECT value FROM ml.model_metrics WHERE metric = 'f1' AND class = 'positive') AS f1_positive, \
         (SELECT value FROM ml.model_metrics WHERE metric = 'f1' AND class = 'negative') AS f1_negative \
         FROM ml.models m",
    ),
];

/// The newest commit file's time of a local table, ms since the epoch.
fn last_commit_ms(lake: &Path, table: &str) -> u128 {
    let (schema, name) = table.split_once('.').unwrap();
    let log = lake.join(schema).join(name).join("_delta_log");
    std::fs::read_dir(&log)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".json"))
        .map(|e| e.metadata().unwrap().modified().unwrap().duration_since(UNIX_EPOCH).unwrap().as_millis())
        .max()
        .unwrap()
}

#[test]
fn every_page_in_chromium_shows_what_sql_says_and_updates_live() {
    let work = tempfile::tempdir().unwrap();
    let source = work.path().join("source");
    let (review_files, _) = sample_source(&source);
    // One review file arrives later, for the live update.
    let late = work.path().join("late");
    let late_file = Path::new(&review_files[0]);
    let late_partition = late.join("amazon_reviews").join("partition_late");
    std::fs::create_dir_all(&late_partition).unwrap();
    std::fs::rename(late_file, late_partition.join(late_file.file_name().unwrap())).unwrap();
    run(work.path(), &["pipeline", "run", "--source", source.to_str().unwrap()]);

    let server = DashboardServer::start(work.path(), &[], &lake_env(work.path()));

    // The API: the catalog, the errors of bad requests, and the model pages before a model.
    let catalog = server.json("/api/v1/panels");
    let panel_ids: Vec<String> =
        catalog["panels"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(catalog["pages"].as_array().unwrap().len(), 10, "{catalog}");
    for (path, status, message) in [
        ("/api/v1/panels/kpis?from=2014-13", 400, "filter `from`: `2014-13` is not a month of the form YYYY-MM"),
        ("/api/v1/panels/kpis?from=2016-02&to=2015-01", 400, "filter `from` (2016-02) is after `to` (2015-01)"),
        ("/api/v1/panels/kpis?catgory=Books", 400, "unknown filter `catgory`"),
        ("/api/v1/panels/no_such_panel", 404, "no panel `no_such_panel`"),
        ("/no/such/page", 404, "nothing at /no/such/page"),
    ] {
        let (code, body) = server.get(path);
        assert_eq!(code, status, "{path}: {body}");
        let error: Value = serde_json::from_str(&body).unwrap();
        assert!(error["error"].as_str().unwrap().contains(message), "{path}: {body}");
    }
    let no_model = server.json("/api/v1/panels/model_roc");
    assert_eq!(no_model["rows"], Value::Array(vec![]), "{no_model}");
    assert!(no_model["empty_reason"].as_str().unwrap().contains("reviewlake ml train"), "{no_model}");
    let status = server.json("/api/v1/status");
    assert!(status["version"].is_u64(), "{status}");
    let metrics = server.get("/metrics").1;
    assert!(
        metrics.contains("reviewlake_dashboard_requests_total{route=\"/api/v1/panels/{file}\",status=\"400\"} 3"),
        "{metrics}"
    );

    // A model lands while the dashboard runs; its pages pick it up without a restart.
    run(work.path(), &["ml", "features", "--num-features", "16384"]);
    run(work.path(), &["ml", "train", "--max-iter", "20"]);
    wait_until("the model's panels", Duration::from_secs(30), || {
        server.json("/api/v1/panels/model_roc")["rows"].as_array().is_some_and(|rows| !rows.is_empty())
    });

    let out = work.path().join("browser");
    run_browser_script(&server.url, &out, &[]);
    let report: Value = serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();

    // Every page, in both themes and at both widths: clean loads and no serious violations.
    let pages = report["pages"].as_object().unwrap();
    assert_eq!(pages.len(), 10, "pages visited: {:?}", pages.keys());
    for (page, variants) in pages {
        let variants = variants.as_object().unwrap();
        assert_eq!(variants.len(), 4, "{page}: {:?}", variants.keys());
        for (variant, found) in variants {
            for problem in ["console", "failed", "foreign", "axe", "missing_ready"] {
                let list = found[problem].as_array().map(Vec::as_slice).unwrap_or_default();
                assert!(list.is_empty(), "{page} {variant}: {problem}: {list:?}");
            }
            // Heading and blurb come from the page's navigation link (index.html), the one place they are written.
            let heading = found["heading"].as_str().unwrap_or_default();
            assert!(
                !heading.is_empty() && !found["blurb"].as_str().unwrap_or_default().is_empty(),
                "{page} {variant}: {found}"
            );
            assert_eq!(found["title"].as_str(), Some(format!("{heading} · reviewlake").as_str()), "{page} {variant}");
            assert_eq!(found["header"].as_str(), Some(""), "{page} {variant}: header");
            let screenshot = found["screenshot"].as_str().unwrap();
            assert!(std::fs::metadata(screenshot).unwrap().len() > 10_000, "{screenshot} is nearly empty");
        }
    }

    // The numbers on the charts and tiles are gold's.
    let panels = report["panels"].as_object().unwrap();
    for id in &panel_ids {
        assert_eq!(panels[id]["state"], "ready", "{id}: {}", panels[id]);
    }
    for (panel, sql) in CHARTS {
        let points = panels[*panel]["points"].as_array().unwrap_or_else(|| panic!("{panel}: no points"));
        assert_points(panel, points, &expected_points(&query(work.path(), sql)));
    }
    // The ROC curve repeats false-positive rates: its points are compared in order.
    let curve = |points: &[Value]| points.iter().map(|p| (number(&p["x"]), number(&p["y"]))).collect::<Vec<_>>();
    let expected_curve =
        query(work.path(), "SELECT false_positive_rate AS x, true_positive_rate AS y FROM ml.model_roc ORDER BY point");
    let (shown, expected) = (curve(panels["model_roc"]["points"].as_array().unwrap()), curve(&expected_curve));
    assert_eq!(shown.len(), expected.len(), "model_roc: {shown:?}");
    assert!(shown.iter().zip(&expected).all(|(a, b)| same(a.0, b.0) && same(a.1, b.1)), "model_roc: {shown:?}");
    for (panel, sql) in TILES {
        let expected = &query(work.path(), sql)[0];
        let tiles = panels[*panel]["tiles"].as_object().unwrap_or_else(|| panic!("{panel}: no tiles"));
        for (column, value) in expected.as_object().unwrap() {
            let shown = number(tiles.get(column).unwrap_or_else(|| panic!("{panel}: no tile {column}: {tiles:?}")));
            assert!(same(shown, number(value)), "{panel}: tile {column} shows {shown}, SQL says {value}");
        }
    }

    // A click on a category bar filters: the URL holds the filter and the key figures narrow.
    let click = &report["filter"]["click"];
    let search = click["search"].as_str().unwrap();
    assert!(search.contains("category="), "after the click: {click}");
    let (before, after) = (&click["kpis_before"], &click["kpis_after"]);
    assert!(number(&after["reviews"]) < number(&before["reviews"]), "{click}");
    let select = &report["filter"]["select"];
    assert!(select["search"].as_str().unwrap().contains("category="), "{select}");
    for (panel, check) in report["csv"].as_object().unwrap() {
        assert_eq!(check["ok"], true, "{panel}: CSV differs from JSON: {check}");
    }
    let freshness = report["freshness"].as_str().unwrap();
    assert!(freshness.starts_with("updated ") && freshness.contains(" ago · version "), "{freshness}");

    // Live: a page left open shows the next gold version's figures without a reload.
    let live_out = work.path().join("live");
    std::thread::scope(|scope| {
        let watcher = scope.spawn(|| {
            run_browser_script(&server.url, &live_out, &[("LIVE_CHECK", "1"), ("LIVE_TIMEOUT_MS", "180000")])
        });
        // The page is open and has read its tiles before the new data lands.
        wait_until("the live page", Duration::from_secs(60), || live_out.join("live-ready").exists());
        run(work.path(), &["pipeline", "run", "--source", late.to_str().unwrap()]);
        watcher.join().unwrap();
    });
    let live: Value = serde_json::from_slice(&std::fs::read(live_out.join("live.json")).unwrap()).unwrap();
    assert_eq!(live["reloaded"], false, "{live}");
    let expected_reviews = number(&query(work.path(), "SELECT reviews FROM gold.q19_kpis")[0]["reviews"]);
    assert_eq!(number(&live["after"]["reviews"]), expected_reviews, "{live}");
    assert!(number(&live["after"]["reviews"]) > number(&live["before"]["reviews"]), "{live}");
    let committed = last_commit_ms(&work.path().join("lake"), "gold.q19_kpis");
    let shown_at = live["changed_at_ms"].as_u64().unwrap() as u128;
    let lag = shown_at.saturating_sub(committed);
    assert!(lag <= 10_000, "the new figures showed {lag} ms after gold.q19_kpis was committed");
    eprintln!("live update shown {lag} ms after the commit");
}
