//! The medallion pipeline at scale: `reviewlake gen` writes N reviews (+ metadata), then
//! `reviewlake pipeline run` loads them from an empty lakehouse, on the in-process standalone
//! cluster and on multi-process clusters of several shapes. For each run: wall time per stage
//! (as `pipeline run` reports it), reviews/s end to end, peak RSS of every process, and bytes
//! per lakehouse layer; then the same run again with no new data, which must rebuild nothing.
//! The peer, DuckDB from PyPI running its own equivalent of the pipeline on the same input
//! (`benches/python/duckdb_pipeline.py`), is timed in the same run, and every shape's time is
//! given as a ratio of DuckDB's.
//!
//! `cargo bench -p reviewlake-benches --bench pipeline` (build the binaries first).
//! Environment: `BENCH_INPUT` (`generated`, the default: `reviewlake gen`; `real`: the real
//! sample reviews cycled to `BENCH_REVIEWS` with a reviewer id of their own per pass,
//! `benches/python/cycle_reviews.py`), `BENCH_REVIEWS` (default 1,000,000), `BENCH_PRODUCTS`
//! (default reviews/20), `BENCH_FILES` (default one per ~300k reviews, at least 8),
//! `BENCH_SHAPES` (default `standalone,1x1,2x1,2x2`: `standalone` is the in-process cluster,
//! `AxB` is A executors of B vcores), `BENCH_PEER` (`duckdb`, the default, or `none`),
//! `BENCH_DIR` (default a temporary folder; the input is reused when the folder already holds
//! it).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use reviewlake_benches::env_number;
use reviewlake_tests::{
    LocalCluster, env_vars, folder_bytes, python_bin, reviewlake_binary, samples_dir, workspace_root,
};

/// Where the pipeline runs.
#[derive(Debug, Clone, PartialEq)]
enum Shape {
    /// The in-process standalone cluster of `reviewlake` itself.
    Standalone,
    /// Separate scheduler and executor processes with these vcores.
    Cluster(Vec<usize>),
}

impl Shape {
    fn parse(text: &str) -> Self {
        if text == "standalone" {
            return Self::Standalone;
        }
        let (executors, vcores) = text.split_once('x').unwrap_or((text, "1"));
        let executors: usize = executors.parse().expect("BENCH_SHAPES: `standalone` or `AxB`");
        Self::Cluster(vec![vcores.parse().expect("BENCH_SHAPES: `AxB`"); executors])
    }

    fn label(&self) -> String {
        match self {
            Self::Standalone => "standalone (in-process, 2 slots)".into(),
            Self::Cluster(vcores) => {
                format!("{} executor(s) x {} vcore(s), separate processes", vcores.len(), vcores[0])
            }
        }
    }
}

/// Peak resident memory (`VmHWM`) of a live process, in bytes.
fn peak_rss(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn mib(bytes: u64) -> String {
    format!("{:.0} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// Generates the data set into `dir/source` unless it is already there.
fn generate(dir: &Path, reviews: usize, products: usize, files: usize) -> PathBuf {
    let source = dir.join(format!("source-{reviews}-{products}-{files}"));
    if !source.join("amazon_reviews").is_dir() {
        let status = Command::new(reviewlake_binary())
            .args(["gen", "--reviews", &reviews.to_string(), "--products", &products.to_string()])
            .args(["--files", &files.to_string(), "--out"])
            .arg(&source)
            .status()
            .unwrap();
        assert!(status.success(), "reviewlake gen failed");
    }
    source
}

/// The real sample reviews cycled to `reviews` lines in `files` files under `dir/real-N-F`,
/// unless already there.
fn cycle_samples(dir: &Path, reviews: usize, files: usize) -> PathBuf {
    let source = dir.join(format!("real-{reviews}-{files}"));
    if !source.join("amazon_reviews").is_dir() {
        let status = Command::new(python_bin().join("python"))
            .arg(workspace_root().join("benches/python/cycle_reviews.py"))
            .arg(samples_dir())
            .args([reviews.to_string(), files.to_string()])
            .arg(&source)
            .status()
            .unwrap();
        assert!(status.success(), "cycle_reviews.py failed");
    }
    source
}

/// DuckDB's run of its own equivalent of the pipeline on `source`: the wall time of the whole
/// script (Python's start and DuckDB's import included) and its own per-layer line.
fn run_duckdb(source: &Path, out: &Path) -> (Duration, String) {
    let _ = std::fs::remove_dir_all(out);
    let started = Instant::now();
    let output = Command::new(python_bin().join("python"))
        .arg(workspace_root().join("benches/python/duckdb_pipeline.py"))
        .arg(source)
        .arg(out)
        .output()
        .unwrap();
    let wall = started.elapsed();
    assert!(output.status.success(), "duckdb_pipeline.py failed: {}", String::from_utf8_lossy(&output.stderr));
    (wall, String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// One `pipeline run`: its stage lines, wall time and the client's peak RSS.
struct Run {
    stages: Vec<String>,
    wall: Duration,
    client_peak: u64,
}

fn run_pipeline(source: &Path, lake: &Path, scheduler: Option<String>) -> Run {
    let mut command = Command::new(reviewlake_binary());
    command.args(["pipeline", "run", "--source"]).arg(source).arg("--lakehouse").arg(lake);
    if let Some(address) = scheduler {
        command.args(["--scheduler", &address]);
    }
    let started = Instant::now();
    let child = command.env("RUST_LOG", "warn").stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    // VmHWM only grows, so the last sample before exit is the peak (within one interval).
    let pid = child.id();
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let done = done.clone();
        std::thread::spawn(move || {
            let mut peak = 0;
            while !done.load(Ordering::Relaxed) {
                peak = peak.max(peak_rss(pid).unwrap_or(0));
                std::thread::sleep(Duration::from_millis(20));
            }
            peak
        })
    };
    let output = child.wait_with_output().unwrap();
    let wall = started.elapsed();
    done.store(true, Ordering::Relaxed);
    let client_peak = sampler.join().unwrap();
    assert!(output.status.success(), "pipeline run failed");
    let stages = String::from_utf8_lossy(&output.stdout).lines().map(str::to_string).collect();
    Run { stages, wall, client_peak }
}

fn main() {
    let reviews = env_number("BENCH_REVIEWS", 1_000_000);
    let products = env_number("BENCH_PRODUCTS", reviews / 20);
    let files = env_number("BENCH_FILES", (reviews / 300_000).max(8));
    let shapes: Vec<Shape> = std::env::var("BENCH_SHAPES")
        .unwrap_or_else(|_| "standalone,1x1,2x1,2x2".into())
        .split(',')
        .map(Shape::parse)
        .collect();
    let scratch = tempfile::tempdir().unwrap();
    let dir = std::env::var("BENCH_DIR").map(PathBuf::from).unwrap_or_else(|_| scratch.path().to_path_buf());
    std::fs::create_dir_all(&dir).unwrap();
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    println!("machine: {cores} cores; {reviews} review lines, {products} products, {files} review files");

    let started = Instant::now();
    let source = match std::env::var("BENCH_INPUT").as_deref() {
        Ok("real") => cycle_samples(&dir, reviews, files),
        Ok("generated") | Err(_) => generate(&dir, reviews, products, files),
        Ok(other) => panic!("BENCH_INPUT: `generated` or `real`, not `{other}`"),
    };
    println!(
        "input {} of gzip JSON Lines, ready in {:.1} s",
        mib(folder_bytes(&source)),
        started.elapsed().as_secs_f64()
    );
    let peer = match std::env::var("BENCH_PEER").as_deref() {
        Ok("none") => None,
        Ok("duckdb") | Err(_) => {
            let (wall, layers) = run_duckdb(&source, &dir.join("duckdb"));
            println!(
                "\n### DuckDB peer (benches/python/duckdb_pipeline.py)\n- {layers}\n- end to end: {:.2} s",
                wall.as_secs_f64()
            );
            Some(wall)
        }
        Ok(other) => panic!("BENCH_PEER: `duckdb` or `none`, not `{other}`"),
    };

    for shape in shapes {
        let lake = dir.join("lakehouse");
        let _ = std::fs::remove_dir_all(&lake);
        let cluster_dir = dir.join("cluster");
        let _ = std::fs::remove_dir_all(&cluster_dir);
        std::fs::create_dir_all(&cluster_dir).unwrap();
        let cluster = match &shape {
            Shape::Standalone => None,
            Shape::Cluster(vcores) => {
                let root = lake.to_str().unwrap();
                Some(LocalCluster::up_with_env(
                    &cluster_dir,
                    vcores,
                    &env_vars(&[("REVIEWLAKE__LAKEHOUSE__ROOT", root)]),
                ))
            }
        };
        let run = run_pipeline(&source, &lake, cluster.as_ref().map(LocalCluster::scheduler));
        println!("\n### {}", shape.label());
        for stage in &run.stages {
            println!("- {stage}");
        }
        let ratio = peer.map_or(String::new(), |peer| {
            format!(", {:.2}x DuckDB's time", run.wall.as_secs_f64() / peer.as_secs_f64())
        });
        println!(
            "- end to end: {:.2} s, {:.0} reviews/s{ratio}",
            run.wall.as_secs_f64(),
            reviews as f64 / run.wall.as_secs_f64()
        );
        let mut peaks = vec![format!("client {}", mib(run.client_peak))];
        if let Some(cluster) = &cluster {
            let record = &cluster.record;
            peaks.push(format!("scheduler {}", mib(peak_rss(record.scheduler_pid).unwrap_or(0))));
            for executor in &record.executors {
                peaks.push(format!("{} {}", executor.id, mib(peak_rss(executor.pid).unwrap_or(0))));
            }
        }
        println!("- peak RSS: {}", peaks.join(", "));
        // The same source again: nothing new, so nothing may be rebuilt.
        let rerun = run_pipeline(&source, &lake, cluster.as_ref().map(LocalCluster::scheduler));
        println!(
            "- rerun with no new data: {:.2} s ({:.1}% of the first run); {}",
            rerun.wall.as_secs_f64(),
            100.0 * rerun.wall.as_secs_f64() / run.wall.as_secs_f64(),
            rerun.stages.iter().find(|line| line.starts_with("gold:")).map_or("?", String::as_str)
        );
        let layers: Vec<String> = ["bronze", "silver", "gold"]
            .iter()
            .map(|layer| format!("{layer} {}", mib(folder_bytes(&lake.join(layer)))))
            .collect();
        println!("- bytes written: {}", layers.join(", "));
    }
}
