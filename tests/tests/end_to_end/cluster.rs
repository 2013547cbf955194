//! A scheduler and executors as separate processes: distributed UDF queries, task placement,
//! scaling while a job runs.

use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::time::Duration;

use reviewlake_tests::{
    LocalCluster, body_counts, reviewlake, reviewlake_binary, success, wait_until, write_review_files,
};
use reviewlake_udfs::text::{normalize_text, word_count};

/// `sum(character_length(normalize_text(body)))` and the row count, computed by calling the
/// function directly on the data read by a single-process engine.
pub(crate) fn expected_totals(data: &std::path::Path, repeat: usize) -> (i64, i64) {
    let mut rows = 0;
    let mut chars = 0;
    let mut cleaned = String::new();
    for (body, count) in body_counts(data) {
        cleaned.clear();
        normalize_text(&body.repeat(repeat), &mut cleaned);
        rows += count;
        chars += count * cleaned.chars().count() as i64;
    }
    (rows, chars)
}

/// `sum(word_count(body))` and `sum(sentiment_polarity(body))`, by direct calls.
fn expected_word_and_polarity_sums(data: &std::path::Path) -> (i64, f64) {
    body_counts(data).iter().fold((0, 0.0), |(words, polarity), (body, count)| {
        (
            words + count * word_count(Some(body)) as i64,
            polarity + *count as f64 * reviewlake_udfs::sentiment::polarity(body),
        )
    })
}

pub(crate) fn parse_totals(json: &str) -> (i64, i64) {
    let rows: Vec<serde_json::Value> = serde_json::from_str(json).expect("JSON result");
    (rows[0]["rows"].as_i64().unwrap(), rows[0]["chars"].as_i64().unwrap())
}

#[test]
fn udf_query_runs_on_both_executors_of_different_sizes() {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("reviews");
    write_review_files(&data, 12, 50_000);
    let cluster = LocalCluster::up(work.path(), &[2, 1]);
    let executors: Vec<(String, u32)> = cluster
        .api::<Vec<reviewlake_cluster::operator_api::ExecutorView>>("/v1/executors")
        .into_iter()
        .map(|e| (e.id, e.vcores))
        .collect();
    assert_eq!(executors, vec![("executor-1".to_string(), 2), ("executor-2".to_string(), 1)]);

    let script = format!(
        "CREATE EXTERNAL TABLE reviews STORED AS PARQUET LOCATION '{}/'; \
         SELECT count(*) AS rows, sum(character_length(normalize_text(body))) AS chars, \
                sum(word_count(body)) AS words, sum(sentiment_polarity(body)) AS polarity FROM reviews",
        data.display()
    );
    let scheduler = cluster.scheduler();
    let output = success(reviewlake(work.path(), &["--scheduler", &scheduler, "sql", "--format", "json", &script]));
    assert_eq!(parse_totals(&output), expected_totals(&data, 1));
    let row: Vec<serde_json::Value> = serde_json::from_str(&output).unwrap();
    let (words, polarity) = expected_word_and_polarity_sums(&data);
    assert_eq!(row[0]["words"].as_i64().unwrap(), words);
    // Sums of floats differ only by the order the partitions were added in.
    let got = row[0]["polarity"].as_f64().unwrap();
    assert!((got - polarity).abs() <= 1e-9 * polarity.abs().max(1.0), "{got} vs {polarity}");

    let jobs = cluster.jobs();
    let job = jobs.last().expect("the query ran as a job");
    assert_eq!(job.status, "successful", "{job:?}");
    let tasks = cluster.tasks(&job.job_id);
    let ran_on: BTreeSet<String> =
        tasks.tasks.iter().filter(|t| t.status == "successful").map(|t| t.executor_id.clone()).collect();
    assert_eq!(
        ran_on,
        BTreeSet::from(["executor-1".to_string(), "executor-2".to_string()]),
        "tasks: {:?}",
        tasks.tasks
    );

    // DataFusion's series table functions cross the wire to the scheduler and the executors.
    let series = success(reviewlake(
        work.path(),
        &[
            "--scheduler",
            &scheduler,
            "sql",
            "--format",
            "json",
            "SELECT count(*) AS n FROM range(10); SELECT count(*) AS n, sum(value) AS total FROM generate_series(1, 100)",
        ],
    ));
    let row: Vec<serde_json::Value> = serde_json::from_str(&series).unwrap();
    assert_eq!((row[0]["n"].as_i64(), row[0]["total"].as_i64()), (Some(100), Some(5050)), "{series}");
    let ranged = success(reviewlake(
        work.path(),
        &["--scheduler", &scheduler, "sql", "--format", "json", "SELECT count(*) AS n FROM range(10)"],
    ));
    assert_eq!(ranged.trim(), r#"[{"n":10}]"#);
}

#[test]
fn removing_an_executor_while_a_job_runs_keeps_the_answer_right() {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("reviews");
    write_review_files(&data, 16, 40_000);
    let mut cluster = LocalCluster::up(work.path(), &[1, 1]);
    const REPEAT: usize = 40;
    let script = format!(
        "CREATE EXTERNAL TABLE reviews STORED AS PARQUET LOCATION '{}/'; \
         SELECT count(*) AS rows, sum(character_length(normalize_text(repeat(body, {REPEAT})))) AS chars FROM reviews",
        data.display()
    );
    let query = Command::new(reviewlake_binary())
        .args(["--scheduler", &cluster.scheduler(), "sql", "--format", "json", &script])
        .current_dir(work.path())
        .env("RUST_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    wait_until("the job to run tasks on executor-2", Duration::from_secs(60), || {
        cluster.jobs().iter().any(|job| {
            job.status == "running" && cluster.tasks(&job.job_id).tasks.iter().any(|t| t.executor_id == "executor-2")
        })
    });
    success(reviewlake(work.path(), &["cluster", "scale", "--executors", "1", "--dir", cluster.dir.to_str().unwrap()]));
    cluster.reload();
    assert_eq!(cluster.record.executors.len(), 1);

    let output = query.wait_with_output().unwrap();
    assert_eq!(parse_totals(&success(output)), expected_totals(&data, REPEAT));
    let job = cluster.jobs().pop().unwrap();
    assert_eq!(job.status, "successful");
    // `cluster scale` tells the scheduler to forget the executor once its process has exited.
    let status = success(reviewlake(work.path(), &["cluster", "status", "--dir", cluster.dir.to_str().unwrap()]));
    assert!(!status.contains("executor-2"), "{status}");
    assert!(status.contains("executor-1"), "{status}");
}

#[test]
fn scale_up_adds_registered_executors() {
    let work = tempfile::tempdir().unwrap();
    let mut cluster = LocalCluster::up(work.path(), &[1]);
    let output = success(reviewlake(
        work.path(),
        &["cluster", "scale", "--executors", "3", "--vcores", "2", "--dir", cluster.dir.to_str().unwrap()],
    ));
    assert!(output.contains("3 executors"), "{output}");
    cluster.reload();
    let views: Vec<reviewlake_cluster::operator_api::ExecutorView> = cluster.api("/v1/executors");
    let shape: Vec<(String, u32)> = views.into_iter().map(|e| (e.id, e.vcores)).collect();
    assert_eq!(shape, vec![("executor-1".into(), 1), ("executor-2".into(), 2), ("executor-3".into(), 2)]);
    let metrics = reviewlake_tests::blocking_get(&format!("{}/metrics", cluster.record.api_url()));
    assert!(metrics.contains("reviewlake_executors 3"), "{metrics}");
    let ready = reviewlake_tests::blocking_get(&format!("http://{}/readyz", cluster.scheduler()));
    assert!(ready.starts_with("ready"), "{ready}");
}
