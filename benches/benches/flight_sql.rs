//! Flight SQL under load: `BENCH_FLIGHT_REVIEWS` generated reviews (default 100,000; `reviewlake
//! gen`, then `pipeline run`) on a `cluster up` cluster of two executors, then `BENCH_CLIENTS`
//! (default 32) concurrent ADBC clients (`adbc-driver-flightsql` from PyPI, one connection
//! each, in Python threads) running the dashboard's queries — gold aggregate tables and a
//! parameterised query over `gold.reviews` — for `BENCH_SECONDS` (default 60). Every answer is
//! compared with a single client's first one. Reports queries/s, p50, p95, p99, the slowest
//! request, errors and wrong answers (both must be 0), for one client first (the reference
//! without contention, same run) and then for all of them.
//!
//! `cargo bench -p reviewlake-benches --bench flight_sql` (build the binaries first).
//! `BENCH_DIR` keeps the generated data between runs.

use std::path::PathBuf;
use std::process::Command;

use reviewlake_benches::{env_number, generated_source};
use reviewlake_tests::{LocalCluster, WRITER, flight_env, python_bin, reviewlake_with_env, success, workspace_root};
use serde_json::Value;

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let reviews = env_number("BENCH_FLIGHT_REVIEWS", 100_000);
    let clients = env_number("BENCH_CLIENTS", 32);
    let seconds = env_number("BENCH_SECONDS", 60);
    let temporary = tempfile::tempdir().unwrap();
    let dir = std::env::var("BENCH_DIR").map(PathBuf::from).unwrap_or_else(|_| temporary.path().to_path_buf());
    std::fs::create_dir_all(&dir).unwrap();
    let source = generated_source(&dir, reviews);
    let work = tempfile::tempdir_in(&dir).unwrap();
    let (_, mut env) = flight_env(work.path(), &[]);
    env.push(("REVIEWLAKE__LAKEHOUSE__ROOT".into(), work.path().join("lake").display().to_string()));
    env.push(("RUST_LOG".into(), "warn".into()));
    let cluster = LocalCluster::up_with_env(work.path(), &[1, 1], &env);
    let scheduler = cluster.scheduler();
    success(reviewlake_with_env(
        work.path(),
        &["--scheduler", &scheduler, "pipeline", "run", "--source", source.to_str().unwrap()],
        &env,
    ));
    println!("Flight SQL on {reviews} generated reviews, a cluster of two 1-vcore executors");

    let url = cluster.record.flight_sql_url().expect("the cluster serves Flight SQL");
    // One client first: the same queries without contention, the reference for the load run.
    let single = load(&url, 1, seconds);
    let loaded = load(&url, clients, seconds);
    println!(
        "  {clients} clients: {:.1}x the queries/s of one client, p50 {:.1}x one client's",
        loaded["queries_per_second"].as_f64().unwrap() / single["queries_per_second"].as_f64().unwrap(),
        loaded["p50_ms"].as_f64().unwrap() / single["p50_ms"].as_f64().unwrap(),
    );
}

/// Runs the load script with `clients` clients for `seconds` and prints its figures.
fn load(url: &str, clients: usize, seconds: usize) -> Value {
    let script = workspace_root().join("benches/python/flight_load.py");
    let output = Command::new(python_bin().join("python"))
        .arg(&script)
        .args([url, WRITER.0, WRITER.1, &clients.to_string(), &seconds.to_string()])
        .output()
        .expect("python runs");
    assert!(output.status.success(), "load script failed: {}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    println!(
        "  {clients} ADBC clients for {seconds} s: {} queries, {:.1} queries/s, p50 {:.1} ms, p95 {:.1} ms, \
         p99 {:.1} ms, max {:.1} ms, errors {}, wrong answers {}",
        report["requests"],
        report["queries_per_second"].as_f64().unwrap(),
        report["p50_ms"].as_f64().unwrap(),
        report["p95_ms"].as_f64().unwrap(),
        report["p99_ms"].as_f64().unwrap(),
        report["max_ms"].as_f64().unwrap(),
        report["errors"],
        report["wrong_answers"],
    );
    if report["errors"] != 0 {
        println!("  first errors: {}", report["first_errors"]);
    }
    report
}
