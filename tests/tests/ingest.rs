//! Bronze batch ingestion through the real `reviewlake` binary: generated source files are
//! loaded exactly once, even when the ingesting process is killed at arbitrary points.

use std::time::Duration;

use reviewlake_tests::{reviewlake_command, reviewlake_with_env, success};
use serde_json::Value;

fn count(work: &std::path::Path, env: &[(String, String)], query: &str) -> i64 {
    let out = success(reviewlake_with_env(work, &["sql", "--format", "json", query], env));
    let rows: Vec<Value> = serde_json::from_str(&out).unwrap();
    rows[0]["n"].as_i64().unwrap_or_else(|| panic!("{query}: {out}"))
}

#[test]
fn killed_ingest_runs_neither_lose_nor_duplicate_a_file() {
    let work = tempfile::tempdir().unwrap();
    let source = work.path().join("source");
    let env = vec![("REVIEWLAKE__LAKEHOUSE__ROOT".to_string(), work.path().join("lake").display().to_string())];
    let generated = success(reviewlake_with_env(
        work.path(),
        &["gen", "--reviews", "60000", "--products", "3000", "--files", "12", "--out", source.to_str().unwrap()],
        &env,
    ));
    assert!(generated.contains("60000 review lines"), "{generated}");
    let reviews = source.join("amazon_reviews");
    let ingest = ["ingest", "batch", "--source", reviews.to_str().unwrap(), "--kind", "reviews", "--max-files", "3"];

    // Kill the ingesting process at different moments of its run (SIGKILL: no clean-up).
    for delay_ms in [150u64, 450, 800, 1100, 300, 1500, 650] {
        let mut child = reviewlake_command(work.path(), &ingest, &env)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
    }
    let mut finished = false;
    for _ in 0..10 {
        let out = success(reviewlake_with_env(work.path(), &ingest, &env));
        if out.contains(" 0 loaded now") {
            finished = true;
            break;
        }
    }
    assert!(finished, "ingestion reaches the end of the source");

    let bronze = count(work.path(), &env, "SELECT count(*) AS n FROM bronze.reviews");
    let quarantined = count(work.path(), &env, "SELECT count(*) AS n FROM bronze.quarantine");
    assert!(quarantined >= 1, "the generator writes malformed lines");
    assert_eq!(bronze + quarantined, 60_000, "every source line is in bronze or in the quarantine");
    let duplicates = count(
        work.path(),
        &env,
        "SELECT count(*) AS n FROM (SELECT _source_file, _line_number FROM bronze.reviews GROUP BY 1, 2 HAVING count(*) > 1)",
    );
    assert_eq!(duplicates, 0, "no (file, line) is loaded twice");
    let quarantine_duplicates = count(
        work.path(),
        &env,
        "SELECT count(*) AS n FROM (SELECT file, line FROM bronze.quarantine GROUP BY 1, 2 HAVING count(*) > 1)",
    );
    assert_eq!(quarantine_duplicates, 0);
    assert_eq!(count(work.path(), &env, "SELECT count(DISTINCT file) AS n FROM bronze.ingested_files"), 12);
    assert_eq!(count(work.path(), &env, "SELECT count(*) AS n FROM bronze.ingested_files"), 12, "each file is recorded once");
}
