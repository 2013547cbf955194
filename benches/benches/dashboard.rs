//! The insight dashboard on `BENCH_DASHBOARD_REVIEWS` generated reviews (default 1,000,000;
//! `reviewlake gen`, then `pipeline run` on the in-process cluster), served by the real
//! `reviewlake serve`:
//!
//! 1. **First render** of the Overview in headless Chromium (the browser test's script in its
//!    timing mode): navigation start until every panel of the page has drawn, a new browser
//!    context (empty cache) each time, median of `BENCH_RUNS` (default 5).
//! 2. **Panel API under load**: `BENCH_CLIENTS` (default 32) concurrent clients for
//!    `BENCH_SECONDS` (default 30) each, every client requesting the panels of a random page in
//!    turn, (a) unfiltered and (b) under one of 24 filters (category × month range); queries/s,
//!    p50, p95, p99 and the slowest request, and the errors (must be 0).
//!
//! `cargo bench -p reviewlake-benches --bench dashboard` (build the binaries first; the browser
//! part installs Chromium and playwright-core through `scripts/browser-env.sh`). `BENCH_DIR`
//! keeps the generated data and lakehouse between runs.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reviewlake_benches::{env_number, generated_source};
use reviewlake_tests::{DashboardServer, reviewlake_binary, run_browser_script};
use serde_json::Value;

fn reviewlake(lake: &Path, args: &[&str]) -> String {
    let output = Command::new(reviewlake_binary())
        .arg("--lakehouse")
        .arg(lake)
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(output.status.success(), "reviewlake {args:?} failed:\n{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// A generated lakehouse of `reviews` reviews, built once per `BENCH_DIR`.
fn lakehouse(dir: &Path, reviews: usize) -> PathBuf {
    let source = generated_source(dir, reviews);
    let lake = dir.join(format!("dashboard-lake-{reviews}"));
    if !lake.join("gold").join("review_cube").is_dir() {
        let _ = std::fs::remove_dir_all(&lake);
        let started = Instant::now();
        reviewlake(&lake, &["pipeline", "run", "--source", source.to_str().unwrap()]);
        println!("  pipeline run: {:.1} s", started.elapsed().as_secs_f64());
    }
    lake
}

/// Latencies of one load run, and its errors.
struct Load {
    latencies: Vec<Duration>,
    errors: usize,
    elapsed: Duration,
}

impl Load {
    fn report(&mut self, label: &str) {
        self.latencies.sort_unstable();
        let at = |q: f64| {
            let index = ((self.latencies.len() as f64 * q).ceil() as usize).clamp(1, self.latencies.len()) - 1;
            self.latencies[index].as_secs_f64() * 1e3
        };
        println!(
            "  {label}: {} requests, {:.0} queries/s, p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms, errors {}",
            self.latencies.len(),
            self.latencies.len() as f64 / self.elapsed.as_secs_f64(),
            at(0.50),
            at(0.95),
            at(0.99),
            at(1.0),
            self.errors
        );
    }
}

/// `clients` concurrent clients requesting `paths` (each picks the next of its own shuffled
/// order) for `seconds`.
async fn load(base: &str, paths: Arc<Vec<String>>, clients: usize, seconds: u64) -> Load {
    let client = reqwest::Client::new();
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let workers: Vec<_> = (0..clients)
        .map(|worker| {
            let (client, paths, base) = (client.clone(), paths.clone(), base.to_string());
            tokio::spawn(async move {
                let (mut latencies, mut errors) = (Vec::new(), 0);
                // A different stride per client spreads them over the paths.
                let (mut next, stride) = (worker * 7, 1 + 2 * worker);
                while Instant::now() < deadline {
                    let path = &paths[next % paths.len()];
                    next += stride;
                    let sent = Instant::now();
                    match client.get(format!("{base}{path}")).send().await {
                        Ok(response) if response.status().is_success() => {
                            if response.bytes().await.is_err() {
                                errors += 1;
                            }
                        }
                        _ => errors += 1,
                    }
                    latencies.push(sent.elapsed());
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut result = Load { latencies: Vec::new(), errors: 0, elapsed: Duration::ZERO };
    for worker in workers {
        let (latencies, errors) = worker.await.unwrap();
        result.latencies.extend(latencies);
        result.errors += errors;
    }
    result.elapsed = started.elapsed();
    result
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let reviews = env_number("BENCH_DASHBOARD_REVIEWS", 1_000_000);
    let (runs, clients) = (env_number("BENCH_RUNS", 5), env_number("BENCH_CLIENTS", 32));
    let seconds = env_number("BENCH_SECONDS", 30) as u64;
    let temporary = tempfile::tempdir().unwrap();
    let dir = std::env::var("BENCH_DIR").map(PathBuf::from).unwrap_or_else(|_| temporary.path().to_path_buf());
    std::fs::create_dir_all(&dir).unwrap();
    println!("dashboard on {reviews} generated reviews");
    let lake = lakehouse(&dir, reviews);

    let started = Instant::now();
    let server = DashboardServer::start(&dir, &["--lakehouse", lake.to_str().unwrap()], &[]);
    println!("  reviewlake serve until it listens (tables loaded): {:.2} s", started.elapsed().as_secs_f64());

    let out = dir.join("render");
    let runs_text = runs.to_string();
    run_browser_script(&server.url, &out, &[("RENDER_TIMING", "1"), ("RENDER_RUNS", &runs_text)]);
    let timing: Value = serde_json::from_slice(&std::fs::read(out.join("timing.json")).unwrap()).unwrap();
    let mut renders: Vec<f64> = timing["overview_ms"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    renders.sort_by(f64::total_cmp);
    println!(
        "  first render of the Overview, median of {runs}: {:.0} ms (runs: {renders:?})",
        renders[renders.len() / 2]
    );

    let catalog = server.json("/api/v1/panels");
    let pages: Vec<Vec<String>> = catalog["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|page| page["panels"].as_array().unwrap().iter().map(|id| id.as_str().unwrap().to_string()).collect())
        .collect();
    let unfiltered: Vec<String> = pages.iter().flatten().map(|id| format!("/api/v1/panels/{id}")).collect();
    let options = server.json("/api/v1/filters");
    let categories: Vec<&str> =
        options["categories"].as_array().unwrap().iter().take(6).map(|c| c.as_str().unwrap()).collect();
    let last = options["last_month"].as_str().unwrap_or("2018-12");
    let last_year: i32 = last[..4].parse().unwrap();
    let ranges: Vec<(String, String)> =
        (0..4).map(|back| (format!("{}-01", last_year - 3 - back), format!("{}-12", last_year - back))).collect();
    let mut filtered = Vec::new();
    for category in &categories {
        for (from, to) in &ranges {
            let query = format!("?category={}&from={from}&to={to}", category.replace(' ', "%20").replace('&', "%26"));
            filtered.extend(pages.iter().flatten().map(|id| format!("/api/v1/panels/{id}{query}")));
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        load(&server.url, Arc::new(unfiltered), clients, seconds)
            .await
            .report(&format!("{clients} clients, unfiltered"));
        load(&server.url, Arc::new(filtered), clients, seconds)
            .await
            .report(&format!("{clients} clients, {} filters", categories.len() * ranges.len()));
    });
}
