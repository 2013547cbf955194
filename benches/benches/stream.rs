//! Streaming ingestion against a real Kafka-protocol broker (tansu, sqlite engine, 3 partitions),
//! through the real `reviewlake` binary:
//!
//! 1. **Catch-up**: a backlog of `BENCH_STREAM_BACKLOG` events (the real sample reviews cycled),
//!    produced first, then drained by `ingest stream --available-now`: events/s into bronze.
//! 2. **Latency**: `stream run` (bronze, then silver and gold after each micro-batch) while
//!    `produce --rate R` sends distinct generated reviews (`reviewlake gen`) for
//!    `BENCH_STREAM_SECONDS` at each rate of `BENCH_STREAM_RATES`.
//!    An event's latency to bronze is the commit time of the first `bronze.review_events` version
//!    whose offsets cover it, less its broker timestamp (the producer's create time); to gold, the
//!    commit time of the first `gold.q19_kpis` refresh after the first silver commit that consumed
//!    that bronze version. Commit times come from the Delta logs' `commitInfo`.
//! 3. **Commit time**: the first and last 100 micro-batch commits of the catch-up.
//!
//! `cargo bench -p reviewlake-benches --bench stream` (build the binaries first).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reviewlake_benches::env_number;
use reviewlake_tests::{Broker, reviewlake_binary, samples_dir};
use serde_json::Value;

const TOPIC: &str = "reviews";

fn reviewlake(lake: &Path) -> Command {
    let mut command = Command::new(reviewlake_binary());
    command.arg("--lakehouse").arg(lake).env("RUST_LOG", "warn");
    command
}

fn sample_files() -> Vec<PathBuf> {
    ["AMAZON_FASHION_5.json.gz", "Gift_Cards_5.json.gz", "Magazine_Subscriptions_5.json.gz"]
        .iter()
        .map(|name| samples_dir().join(name))
        .collect()
}

/// `produce` of `files` (at `rate` events/s when given).
fn produce(broker: &Broker, lake: &Path, topic: &str, files: &[PathBuf], rate: Option<u64>) -> Child {
    let mut command = reviewlake(lake);
    command.args(["produce", "--brokers", &broker.address(), "--topic", topic, "--from"]).args(files);
    if let Some(rate) = rate {
        command.args(["--rate", &rate.to_string()]);
    }
    command.stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().unwrap()
}

fn total_events(output: &str) -> u64 {
    output
        .lines()
        .find_map(|line| line.strip_prefix("total: ")?.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no total in produce output:\n{output}"))
}

/// One commit of a Delta log: its time and the application transactions it recorded.
struct Commit {
    version: u64,
    millis: i64,
    transactions: BTreeMap<String, i64>,
}

fn read_log(table: &Path) -> Vec<Commit> {
    let mut commits = Vec::new();
    for entry in std::fs::read_dir(table.join("_delta_log")).unwrap() {
        let path = entry.unwrap().path();
        let Some(version) = path.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_suffix(".json")) else {
            continue;
        };
        let Ok(version) = version.parse::<u64>() else { continue };
        let mut commit = Commit { version, millis: 0, transactions: BTreeMap::new() };
        for line in std::fs::read_to_string(&path).unwrap().lines() {
            let action: Value = serde_json::from_str(line).unwrap();
            if let Some(info) = action.get("commitInfo") {
                commit.millis = info["timestamp"].as_i64().unwrap_or(0);
            }
            if let Some(txn) = action.get("txn") {
                commit
                    .transactions
                    .insert(txn["appId"].as_str().unwrap().to_string(), txn["version"].as_i64().unwrap());
            }
        }
        commits.push(commit);
    }
    commits.sort_by_key(|commit| commit.version);
    commits
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn summary(label: &str, mut values: Vec<f64>) {
    values.sort_by(f64::total_cmp);
    println!(
        "  {label}: p50 {:.2} s, p95 {:.2} s, p99 {:.2} s, max {:.2} s over {} events",
        percentile(&values, 0.5),
        percentile(&values, 0.95),
        percentile(&values, 0.99),
        values.last().copied().unwrap_or(f64::NAN),
        values.len()
    );
}

/// (partition, offset, broker timestamp in ms) of every bronze row.
fn bronze_rows(lake: &Path) -> Vec<(i64, i64, i64)> {
    let query = "SELECT \"partition\" AS p, \"offset\" AS o, CAST(enqueued_time AS BIGINT) / 1000 AS t FROM bronze.review_events";
    let output = reviewlake(lake).args(["sql", "--format", "json", query]).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let rows: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    rows.iter()
        .map(|row| (row["p"].as_i64().unwrap(), row["o"].as_i64().unwrap(), row["t"].as_i64().unwrap()))
        .collect()
}

fn latency(broker: &Broker, dir: &Path, rate: u64, seconds: u64) {
    let lake = dir.join(format!("lake-latency-{rate}"));
    let topic = format!("latency-{rate}");
    broker.create_topic(&topic, 3);
    // Distinct reviews (generated), so that every event adds a silver row and refreshes gold;
    // enough for `seconds` at `rate`, and the producer is stopped when time is up.
    let source = dir.join(format!("generated-{rate}"));
    let status = Command::new(reviewlake_binary())
        .args(["gen", "--reviews", &(rate * seconds).to_string(), "--products", "5000", "--files", "4", "--out"])
        .arg(&source)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "reviewlake gen failed");
    let mut files: Vec<PathBuf> = Vec::new();
    for partition in std::fs::read_dir(source.join("amazon_reviews")).unwrap() {
        for file in std::fs::read_dir(partition.unwrap().path()).unwrap() {
            let path = file.unwrap().path();
            if path.extension().is_some_and(|extension| extension == "gz") {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut pipeline = reviewlake(&lake)
        .args(["stream", "run", "--brokers", &broker.address(), "--topic", &topic, "--trigger", "1s"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The pipeline's start-up (cluster, first silver and gold) stays out of the measure.
    std::thread::sleep(Duration::from_secs(3));
    let mut producer = produce(broker, &lake, &topic, &files, Some(rate));
    std::thread::sleep(Duration::from_secs(seconds));
    let _ = producer.kill();
    let _ = producer.wait();
    std::thread::sleep(Duration::from_secs(10));
    terminate(&pipeline);
    let _ = pipeline.wait();

    let bronze = read_log(&lake.join("bronze/review_events"));
    let silver = read_log(&lake.join("silver/reviews"));
    let gold = read_log(&lake.join("gold/q19_kpis"));
    let mut to_bronze = Vec::new();
    let mut to_gold = Vec::new();
    for (partition, offset, enqueued) in bronze_rows(&lake) {
        let app = format!("bronze.review_events<-kafka:{topic}:{partition}");
        let Some(commit) = bronze.iter().find(|c| c.transactions.get(&app).is_some_and(|&last| last >= offset)) else {
            continue;
        };
        to_bronze.push((commit.millis - enqueued) as f64 / 1000.0);
        let consumed = silver.iter().find(|s| {
            s.transactions.get("silver.reviews<-bronze.review_events").is_some_and(|&v| v >= commit.version as i64)
        });
        if let Some(gold_commit) = consumed.and_then(|s| gold.iter().find(|g| g.millis >= s.millis)) {
            to_gold.push((gold_commit.millis - enqueued) as f64 / 1000.0);
        }
    }
    println!(
        "rate {rate} events/s for {seconds} s (stream run, trigger 1 s): {} bronze, {} silver, {} gold.q19_kpis commits",
        bronze.len(),
        silver.len(),
        gold.len()
    );
    summary("produce -> bronze", to_bronze);
    summary("produce -> gold (q19_kpis)", to_gold);
}

/// SIGTERM: the pipeline finishes its micro-batch and exits.
fn terminate(child: &Child) {
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
}

fn main() {
    let backlog = env_number("BENCH_STREAM_BACKLOG", 1_000_000) as u64;
    let seconds = env_number("BENCH_STREAM_SECONDS", 60) as u64;
    let rates: Vec<u64> = std::env::var("BENCH_STREAM_RATES")
        .unwrap_or_else(|_| "1000,5000".into())
        .split(',')
        .map(|rate| rate.trim().parse().expect("BENCH_STREAM_RATES: events/s, comma separated"))
        .collect();
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path();
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    println!("machine: {cores} cores; broker tansu 0.6.0 (sqlite), topic of 3 partitions");

    let broker = Broker::start();
    broker.create_topic(TOPIC, 3);
    let lake = dir.join("lake-catch-up");
    let started = Instant::now();
    // The real sample reviews (8,523 lines), cycled.
    let cycled: Vec<PathBuf> = (0..backlog.div_ceil(8_523)).flat_map(|_| sample_files()).collect();
    let produced = produce(&broker, &lake, TOPIC, &cycled, None).wait_with_output().unwrap();
    let events = total_events(&String::from_utf8_lossy(&produced.stdout));
    let produce_time = started.elapsed();
    println!(
        "backlog: {events} events produced in {:.1} s ({:.0} events/s)",
        produce_time.as_secs_f64(),
        events as f64 / produce_time.as_secs_f64()
    );
    let started = Instant::now();
    let drained = reviewlake(&lake)
        .args(["ingest", "stream", "--brokers", &broker.address(), "--topic", TOPIC, "--available-now"])
        .output()
        .unwrap();
    let drain_time = started.elapsed();
    assert!(drained.status.success(), "{}", String::from_utf8_lossy(&drained.stderr));
    println!(
        "catch-up (ingest stream --available-now): {} in {:.1} s, {:.0} events/s into bronze",
        String::from_utf8_lossy(&drained.stdout).lines().next().unwrap_or_default(),
        drain_time.as_secs_f64(),
        events as f64 / drain_time.as_secs_f64()
    );
    let commits = read_log(&lake.join("bronze/review_events"));
    let gaps: Vec<f64> = commits.windows(2).map(|pair| (pair[1].millis - pair[0].millis) as f64 / 1000.0).collect();
    let mean = |values: &[f64]| values.iter().sum::<f64>() / values.len().max(1) as f64;
    let head = &gaps[..gaps.len().min(100)];
    let tail = &gaps[gaps.len().saturating_sub(100)..];
    println!(
        "  {} commits; time between commits, first 100: {:.3} s, last 100: {:.3} s",
        commits.len(),
        mean(head),
        mean(tail)
    );

    for rate in rates {
        latency(&broker, dir, rate, seconds);
    }
}
