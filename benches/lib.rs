//! Timing and reporting helpers of reviewlake's benchmarks (see `benches/README.md` for the
//! figures). Clusters, the S3 server and test data come from the test kit, `reviewlake-tests`.

use std::path::{Path, PathBuf};
use std::process::Command;
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
    Fut: Future<Output = ()>,
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

/// `DIR/generated-N`: `reviewlake gen` of `reviews` reviews over `reviews / 20` products, written
/// once and kept for later runs (with `BENCH_DIR`).
pub fn generated_source(dir: &Path, reviews: usize) -> PathBuf {
    let source = dir.join(format!("generated-{reviews}"));
    if !source.join("amazon_reviews").is_dir() {
        let status = Command::new(reviewlake_tests::reviewlake_binary())
            .args(["gen", "--reviews", &reviews.to_string(), "--products", &(reviews / 20).to_string(), "--out"])
            .arg(&source)
            .status()
            .expect("reviewlake gen runs");
        assert!(status.success(), "reviewlake gen --reviews {reviews} failed");
    }
    source
}
