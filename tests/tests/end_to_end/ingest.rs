//! Bronze batch ingestion through the real `reviewlake` binary: generated source files are
//! loaded exactly once, even when the ingesting process is killed at arbitrary points, from a
//! local folder or from an S3 prefix read by the executors.

use std::time::Duration;

use reviewlake_tests::{LocalCluster, S3Server, python, reviewlake_command, reviewlake_with_env, success};
use serde_json::Value;

fn count(work: &std::path::Path, env: &[(String, String)], query: &str) -> i64 {
    let out = success(reviewlake_with_env(work, &["sql", "--format", "json", query], env));
    let rows: Vec<Value> = serde_json::from_str(&out).unwrap();
    rows[0]["n"].as_i64().unwrap_or_else(|| panic!("{query}: {out}"))
}

/// Every one of the `lines` generated review lines is in `bronze.reviews` or in the quarantine,
/// and the generator's malformed lines are among the quarantined.
fn assert_every_review_line_is_kept(work: &std::path::Path, env: &[(String, String)], lines: i64) {
    let bronze = count(work, env, "SELECT count(*) AS n FROM bronze.reviews");
    let quarantined = count(work, env, "SELECT count(*) AS n FROM bronze.quarantine WHERE kind = 'reviews'");
    assert!(quarantined >= 1, "the generator writes malformed lines");
    assert_eq!(bronze + quarantined, lines, "every source line is in bronze or in the quarantine");
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

    assert_every_review_line_is_kept(work.path(), &env, 60_000);
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
    assert_eq!(
        count(work.path(), &env, "SELECT count(*) AS n FROM bronze.ingested_files"),
        12,
        "each file is recorded once"
    );
}

/// Uploads every file under `folder` (marker files included) to `s3://BUCKET/PREFIX/…` on `s3`.
fn upload(s3: &S3Server, folder: &std::path::Path, prefix: &str) -> usize {
    let script = r#"
import os, sys, boto3
endpoint, bucket, folder, prefix = sys.argv[1:5]
client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                      aws_access_key_id="testing", aws_secret_access_key="testing")
count = 0
for root, _, names in os.walk(folder):
    for name in names:
        path = os.path.join(root, name)
        client.upload_file(path, bucket, prefix + "/" + os.path.relpath(path, folder))
        count += 1
print(count)
"#;
    let folder = folder.to_str().unwrap();
    python(script, &[&s3.endpoint, &s3.bucket, folder, prefix]).trim().parse().unwrap()
}

#[test]
fn an_s3_source_is_read_by_the_executors_and_loaded_exactly_once() {
    let work = tempfile::tempdir().unwrap();
    let s3 = S3Server::start("lake");
    let env = s3.lakehouse_env("warehouse");
    let source = work.path().join("source");
    let generated = success(reviewlake_with_env(
        work.path(),
        &["gen", "--reviews", "20000", "--products", "1000", "--files", "4", "--out", source.to_str().unwrap()],
        &env,
    ));
    assert!(generated.contains("20000 review lines"), "{generated}");
    let uploaded = upload(&s3, &source, "landing/2018");
    assert!(uploaded > 8, "data and marker files uploaded: {uploaded}");

    let cluster = LocalCluster::up_with_env(work.path(), &[1, 1], &env);
    let scheduler = cluster.scheduler();
    let on_cluster = |args: &[&str]| {
        let mut all = vec!["--scheduler", scheduler.as_str()];
        all.extend_from_slice(args);
        success(reviewlake_with_env(work.path(), &all, &env))
    };
    let stages = on_cluster(&["pipeline", "run", "--source", &format!("s3://{}/landing/2018", s3.bucket)]);
    assert!(stages.contains("bronze.reviews: 4 new files"), "{stages}");
    assert!(stages.contains("bronze.metadata:"), "{stages}");

    assert_every_review_line_is_kept(work.path(), &env, 20_000);
    let recorded = count(
        work.path(),
        &env,
        "SELECT count(*) AS n FROM bronze.ingested_files WHERE kind = 'reviews' AND file LIKE 's3://lake/landing/2018/amazon_reviews/%'",
    );
    assert_eq!(recorded, 4, "the ledger names each S3 object once");
    assert!(count(work.path(), &env, "SELECT count(*) AS n FROM silver.reviews") > 0);

    let again =
        on_cluster(&["ingest", "batch", "--source", "s3://lake/landing/2018/amazon_reviews", "--kind", "reviews"]);
    assert!(again.contains("4 files in source, 0 loaded now"), "{again}");
    let empty = on_cluster(&["ingest", "batch", "--source", "s3://lake/nothing/here", "--kind", "reviews"]);
    assert!(empty.contains("0 files in source"), "{empty}");

    let mut unreachable = env.clone();
    unreachable.retain(|(k, _)| k != "REVIEWLAKE__LAKEHOUSE__S3__ENDPOINT" && k != "REVIEWLAKE__LAKEHOUSE__ROOT");
    unreachable.push(("REVIEWLAKE__LAKEHOUSE__S3__ENDPOINT".into(), "http://127.0.0.1:9".into()));
    unreachable.push(("REVIEWLAKE__LAKEHOUSE__ROOT".into(), work.path().join("local-lake").display().to_string()));
    let failed = reviewlake_with_env(
        work.path(),
        &["ingest", "batch", "--source", "s3://lake/landing", "--kind", "reviews"],
        &unreachable,
    );
    assert!(!failed.status.success());
    let error = String::from_utf8_lossy(&failed.stderr);
    assert!(error.contains("s3://lake/landing") && error.contains("127.0.0.1:9"), "{error}");
}
