//! The cluster over separate hosts (network namespaces; `reviewlake_tests::HostNet`) with
//! executors of 1, 2 and 4 slots on this machine's cores, against the same shape on loopback:
//!
//! 1. `pipeline run` on `BENCH_HOSTS_REVIEWS` generated reviews (default 1,000,000) on both,
//!    each into its own lakehouse, with per-layer seconds and the tasks each executor ran;
//! 2. how long the scheduler takes to drop an executor killed with SIGKILL (heartbeat timeout
//!    `EXECUTOR_TIMEOUT_SECONDS`, 1 s sweep), five times;
//! 3. the extra time a job takes when one executor is killed mid-job: an aggregation with
//!    sentiment over `silver.reviews`, three runs clean, five with a kill.
//!
//! Needs root (namespaces). `cargo bench -p reviewlake-benches --bench hosts` (build the
//! binaries first). `BENCH_DIR` keeps the generated data between runs.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use reviewlake_benches::{env_number, generated_source};
use reviewlake_tests::{EXECUTOR_TIMEOUT_SECONDS, HostCluster, LocalCluster, reviewlake_with_env, success};

const SHAPE: [(usize, usize); 3] = [(1, 1024), (2, 1024), (4, 1024)];
const JOB: &str = "SELECT count(*) AS products, sum(n) AS reviews, sum(p) AS polarity FROM \
                   (SELECT asin, count(*) AS n, sum(sentiment_polarity(review_text)) AS p FROM silver.reviews GROUP BY asin)";

fn layer_lines(output: &str) -> Vec<&str> {
    output.lines().filter(|l| l.contains(" rows") || l.starts_with("gold:") || l.starts_with("silver")).collect()
}

/// Tasks per executor over every job the cluster's scheduler knows.
fn tasks_per_executor(cluster: &HostCluster) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for job in cluster.jobs() {
        for task in cluster.tasks(&job.job_id).tasks {
            *counts.entry(task.executor_id).or_insert(0) += 1;
        }
    }
    counts
}

fn timed(run: impl FnOnce() -> Output) -> (f64, String) {
    let started = Instant::now();
    let output = success(run());
    (started.elapsed().as_secs_f64(), output)
}

fn main() {
    let dir = std::env::var_os("BENCH_DIR").map(std::path::PathBuf::from);
    let scratch = tempfile::tempdir().unwrap();
    let dir = dir.as_deref().unwrap_or(scratch.path());
    let reviews = env_number("BENCH_HOSTS_REVIEWS", 1_000_000);
    let source = generated_source(dir, reviews);
    let source_arg = source.to_str().unwrap();
    let run_dir = tempfile::tempdir_in(dir).unwrap();
    println!(
        "pipeline run, {reviews} generated reviews, executors of 1, 2 and 4 slots on {} cores",
        reviewlake_cluster::executor::num_cpus()
    );

    let loopback_lake = run_dir.path().join("loopback-lake");
    let lake_env = |lake: &Path| vec![("REVIEWLAKE__LAKEHOUSE__ROOT".to_string(), lake.display().to_string())];
    {
        let loopback = run_dir.path().join("loopback");
        std::fs::create_dir_all(&loopback).unwrap();
        let cluster = LocalCluster::up_with_env(&loopback, &[1, 2, 4], &lake_env(&loopback_lake));
        let scheduler = cluster.scheduler();
        let (seconds, output) = timed(|| {
            reviewlake_with_env(
                run_dir.path(),
                &["--scheduler", &scheduler, "pipeline", "run", "--source", source_arg],
                &lake_env(&loopback_lake),
            )
        });
        println!("  loopback (one host): {seconds:.2} s, {:.0} reviews/s", reviews as f64 / seconds);
        for line in layer_lines(&output) {
            println!("    {line}");
        }
    }

    let mut cluster = HostCluster::start(&run_dir.path().join("hosts"), &run_dir.path().join("hosts-lake"), &SHAPE);
    let (seconds, output) = timed(|| cluster.client(&["pipeline", "run", "--source", source_arg]));
    println!("  namespaces (4 hosts): {seconds:.2} s, {:.0} reviews/s", reviews as f64 / seconds);
    for line in layer_lines(&output) {
        println!("    {line}");
    }
    println!("  tasks per executor over the pipeline's jobs: {:?}", tasks_per_executor(&cluster));

    println!(
        "lost executor detection (SIGKILL, executor_timeout_seconds {EXECUTOR_TIMEOUT_SECONDS}, sweep 1 s, heartbeat 1 s):"
    );
    let mut detections = Vec::new();
    for round in 0..5 {
        let victim = round % cluster.executors.len();
        let id = cluster.executors[victim].id.clone();
        cluster.kill_executor(victim);
        detections.push(cluster.wait_listed(&id, false, Duration::from_secs(60)).as_secs_f64());
        cluster.start_executor(victim);
    }
    println!("  dropped after {detections:.2?} s");

    println!("extra time of a job when an executor is killed mid-job ({JOB}):");
    let job = |cluster: &HostCluster| {
        let mut command = cluster.client_command(&["sql", "--format", "csv", JOB], &[]);
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
        command
    };
    let mut clean = Vec::new();
    let mut answer = String::new();
    for _ in 0..3 {
        let (seconds, output) = timed(|| job(&cluster).output().unwrap());
        clean.push(seconds);
        answer = output;
    }
    let mut killed = Vec::new();
    for round in 0..5 {
        let victim = round % cluster.executors.len();
        let started = Instant::now();
        let child = job(&cluster).spawn().unwrap();
        std::thread::sleep(Duration::from_secs_f64(clean[0] / 3.0));
        cluster.kill_executor(victim);
        let output = success(child.wait_with_output().unwrap());
        killed.push(started.elapsed().as_secs_f64());
        // Float sums may differ in the last digits with the order of partial sums.
        assert_eq!(
            output.lines().nth(1).map(|l| l.split(',').take(2).collect::<Vec<_>>()),
            answer.lines().nth(1).map(|l| l.split(',').take(2).collect::<Vec<_>>()),
            "round {round}"
        );
        cluster.start_executor(victim);
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    println!(
        "  clean {clean:.2?} s, with a kill {killed:.2?} s: +{:.2} s per kill (mean)",
        mean(&killed) - mean(&clean)
    );
}
