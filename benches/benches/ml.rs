//! Sentiment models through the real `reviewlake` binary on a cluster of two executor processes
//! (1 vcore each):
//!
//! 1. **Quality** on the distinct real reviews of `tests/data/amazon2018` (no cycled copies,
//!    so no review is in both splits): `ml features` (2^18 buckets, uni- and bigrams) and
//!    `ml train` for the `rating` and the `textblob` labels; test AUC, accuracy and log-loss.
//!    Also TextBlob's own polarity scored as a classifier of the rating labels (AUC of the
//!    polarity over the same test split).
//! 2. **Speed** on `BENCH_ML_REVIEWS` generated reviews (default 1,000,000; `reviewlake gen`,
//!    then `pipeline run`): `ml features`, then `ml train`: rows/s of one gradient pass, seconds
//!    per evaluation, evaluations to converge, total training wall time. The fixed cost of one
//!    evaluation is the seconds per evaluation of the small quality run.
//!
//! `cargo bench -p reviewlake-benches --bench ml` (build the binaries first). `BENCH_DIR` keeps
//! the generated data between runs.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use reviewlake_benches::{env_number, generated_source};
use reviewlake_jobs::ml::metrics::{ScoreCount, roc_auc};
use reviewlake_tests::{LocalCluster, reviewlake_binary, samples_dir};
use serde_json::Value;

fn reviewlake(lake: &Path, scheduler: &str, args: &[&str]) -> String {
    let output = Command::new(reviewlake_binary())
        .args(["--scheduler", scheduler, "--lakehouse"])
        .arg(lake)
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(output.status.success(), "reviewlake {args:?} failed:\n{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// The sample files laid out as a batch source.
fn sample_source(dir: &Path) -> PathBuf {
    let source = dir.join("samples");
    let reviews = source.join("amazon_reviews").join("partition_0");
    std::fs::create_dir_all(&reviews).unwrap();
    for name in ["AMAZON_FASHION_5.json.gz", "Gift_Cards_5.json.gz", "Magazine_Subscriptions_5.json.gz"] {
        std::fs::copy(samples_dir().join(name), reviews.join(name)).unwrap();
    }
    source
}

fn line<'a>(output: &'a str, prefix: &str) -> &'a str {
    output.lines().find(|l| l.starts_with(prefix)).unwrap_or_else(|| panic!("no {prefix} line in {output}"))
}

/// Trains on the latest features and prints the figures; returns the training line.
fn train(lake: &Path, scheduler: &str, label: &str) -> String {
    let started = Instant::now();
    let output = reviewlake(lake, scheduler, &["ml", "train"]);
    println!("  {label}: {}", line(&output, "training:"));
    println!("  {label}: {}", line(&output, "test:"));
    println!("  {label}: ml train wall time {:.2} s", started.elapsed().as_secs_f64());
    line(&output, "training:").to_string()
}

/// AUC of TextBlob's polarity as a score of the rating labels of the latest features' test split.
fn textblob_auc(lake: &Path, scheduler: &str) -> f64 {
    let rows: Vec<Value> = serde_json::from_str(&reviewlake(
        lake,
        scheduler,
        &[
            "sql",
            "--format",
            "json",
            "SELECT s.sentiment_polarity AS polarity, f.label AS label, count(*) AS n \
             FROM ml.features f JOIN silver.reviews s ON f.review_key = s.review_key \
             WHERE f.split = 'test' GROUP BY 1, 2",
        ],
    ))
    .unwrap();
    let counts: Vec<ScoreCount> = rows
        .iter()
        .map(|row| {
            // Polarity in [-1, 1] mapped monotonically onto [0, 1]: the AUC is unchanged.
            let score = (row["polarity"].as_f64().unwrap_or(0.0) + 1.0) / 2.0;
            let n = row["n"].as_u64().unwrap();
            let positive = row["label"].as_f64() == Some(1.0);
            ScoreCount { score, positives: if positive { n } else { 0 }, negatives: if positive { 0 } else { n } }
        })
        .collect();
    roc_auc(&counts).unwrap()
}

fn main() {
    let kept;
    let dir = match std::env::var("BENCH_DIR") {
        Ok(dir) => PathBuf::from(dir),
        Err(_) => {
            kept = tempfile::tempdir().unwrap();
            kept.path().to_path_buf()
        }
    };
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::create_dir_all(dir.join("cluster")).unwrap();
    let cluster = LocalCluster::up(&dir.join("cluster"), &[1, 1]);
    let scheduler = cluster.scheduler();

    println!("quality on the real samples (2^18 buckets, uni- and bigrams, 20% test, seed 42)");
    let lake = dir.join("lake-samples");
    let _ = std::fs::remove_dir_all(&lake);
    reviewlake(&lake, &scheduler, &["pipeline", "run", "--source", sample_source(&dir).to_str().unwrap()]);
    for label in ["rating", "textblob"] {
        println!("  {label}: {}", reviewlake(&lake, &scheduler, &["ml", "features", "--label", label]).trim());
        train(&lake, &scheduler, label);
    }
    reviewlake(&lake, &scheduler, &["ml", "features", "--label", "rating"]);
    println!(
        "  TextBlob polarity as a classifier of the rating labels: test AUC {:.4}",
        textblob_auc(&lake, &scheduler)
    );

    let reviews = env_number("BENCH_ML_REVIEWS", 1_000_000);
    println!("speed on {reviews} generated reviews");
    let source = generated_source(&dir, reviews);
    let lake = dir.join(format!("lake-{reviews}"));
    let _ = std::fs::remove_dir_all(&lake);
    reviewlake(&lake, &scheduler, &["pipeline", "run", "--source", source.to_str().unwrap()]);
    let started = Instant::now();
    let features = reviewlake(&lake, &scheduler, &["ml", "features"]);
    println!("  {} (wall {:.2} s)", features.trim(), started.elapsed().as_secs_f64());
    train(&lake, &scheduler, "rating");
}
