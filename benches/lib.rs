//! Shared helpers of reviewlake's benchmarks (see `benches/README.md` for the figures).

use std::time::{Duration, Instant};

/// Runs `run` `times` times and returns the median duration.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let median = reviewlake_benches::median_of_async(3, || async {}).await;
/// assert!(median < std::time::Duration::from_secs(1));
/// # }
/// ```
pub async fn median_of_async<F, Fut>(times: usize, mut run: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut samples = Vec::with_capacity(times);
    for _ in 0..times {
        let started = Instant::now();
        run().await;
        samples.push(started.elapsed());
    }
    samples.sort();
    samples[samples.len() / 2]
}

/// A number from the environment (underscores allowed: `10_000_000`), or `default`.
pub fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.replace('_', "").parse().ok()).unwrap_or(default)
}

/// `1.234 s`.
pub fn seconds(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

/// Bytes of all files under `dir` (0 when it does not exist).
pub fn folder_bytes(dir: &std::path::Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .flatten()
        .map(|entry| {
            let path = entry.path();
            if path.is_dir() { folder_bytes(&path) } else { entry.metadata().map(|m| m.len()).unwrap_or(0) }
        })
        .sum()
}

/// A multi-process cluster started with `reviewlake cluster up` in `dir/run`; stopped when
/// dropped.
pub struct ClusterGuard {
    /// The run directory.
    pub run_dir: std::path::PathBuf,
}

impl ClusterGuard {
    /// Starts `vcores.len()` executors with those task slots; `env` goes to every process.
    pub fn up(dir: &std::path::Path, vcores: &[usize], env: &[(&str, &str)]) -> Self {
        let reviewlake = reviewlake_cluster::ops::binary_path("reviewlake").expect("build the binaries first");
        let run_dir = dir.join("run");
        let list: Vec<String> = vcores.iter().map(|v| v.to_string()).collect();
        let status = std::process::Command::new(reviewlake)
            .args(["cluster", "up", "--executors", &vcores.len().to_string(), "--vcores", &list.join(",")])
            .args(["--dir", run_dir.to_str().unwrap()])
            .env("RUST_LOG", "error")
            .envs(env.iter().copied())
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "cluster up failed");
        Self { run_dir }
    }

    /// The cluster's record (ports, pids, lakehouse root).
    pub fn record(&self) -> reviewlake_cluster::ops::ClusterRecord {
        reviewlake_cluster::ops::ClusterRecord::load(&self.run_dir).expect("cluster record")
    }
}

impl Drop for ClusterGuard {
    fn drop(&mut self) {
        let _ = reviewlake_cluster::ops::down(&self.run_dir, Duration::from_secs(30));
    }
}

/// Writes `rows` generated rows as `files` Parquet files `part-NNN.parquet` in `dir`, with
/// single-process DataFusion. `columns` is the SELECT list over `value`, the row number.
pub async fn write_generated_parquet(dir: &std::path::Path, rows: usize, files: usize, columns: &str) {
    use datafusion::dataframe::DataFrameWriteOptions;
    let ctx = datafusion::prelude::SessionContext::new();
    let per_file = rows / files;
    for file in 0..files {
        let first = file * per_file;
        let query = format!("SELECT {columns} FROM generate_series({first}, {})", first + per_file - 1);
        let path = dir.join(format!("part-{file:03}.parquet"));
        let frame = ctx.sql(&query).await.unwrap();
        frame
            .write_parquet(path.to_str().unwrap(), DataFrameWriteOptions::new().with_single_file_output(true), None)
            .await
            .unwrap();
    }
}
