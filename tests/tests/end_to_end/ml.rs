//! Sentiment models on the real review samples: features, training on a two-executor cluster
//! (every gradient job spread over both executors), evaluation, the registry, reproducibility,
//! the metrics against scikit-learn, and the errors of data that cannot train a model.

use std::path::Path;

use reviewlake_jobs::ml::metrics::{ScoreCount, binary_metrics};
use reviewlake_tests::{LocalCluster, python, reviewlake_with_env, success};
use serde_json::Value;

use crate::pipeline::sample_source;

fn lake_env(work: &Path) -> Vec<(String, String)> {
    vec![
        ("REVIEWLAKE__LAKEHOUSE__ROOT".to_string(), work.join("lake").display().to_string()),
        ("RUST_LOG".to_string(), "warn".to_string()),
    ]
}

/// `reviewlake --scheduler S ARGS`, which must succeed; its standard output.
fn run(work: &Path, scheduler: &str, args: &[&str]) -> String {
    let mut all = vec!["--scheduler", scheduler];
    all.extend_from_slice(args);
    success(reviewlake_with_env(work, &all, &lake_env(work)))
}

fn query(work: &Path, scheduler: &str, sql: &str) -> Vec<Value> {
    serde_json::from_str(&run(work, scheduler, &["sql", "--format", "json", sql])).unwrap()
}

/// The model id `ml train` printed.
fn model_id(output: &str) -> String {
    output
        .lines()
        .find_map(|l| l.strip_prefix("model: "))
        .unwrap_or_else(|| panic!("no model id in {output}"))
        .to_string()
}

/// A number after `label ` in the line starting with `prefix`.
fn figure(output: &str, prefix: &str, label: &str) -> f64 {
    let line = output.lines().find(|l| l.starts_with(prefix)).unwrap_or_else(|| panic!("no {prefix} line: {output}"));
    let rest = &line[line.find(label).unwrap_or_else(|| panic!("no {label} in {line}")) + label.len()..];
    rest.trim_start().split(|c: char| c == ',' || c == ' ').next().unwrap().parse().unwrap()
}

#[test]
fn trains_on_both_executors_evaluates_registers_and_reproduces() {
    let work = tempfile::tempdir().unwrap();
    let source = work.path().join("source");
    sample_source(&source);
    let cluster = LocalCluster::up_with_env(work.path(), &[1, 1], &lake_env(work.path()));
    let scheduler = cluster.scheduler();
    run(work.path(), &scheduler, &["pipeline", "run", "--source", source.to_str().unwrap()]);

    let features = run(work.path(), &scheduler, &["ml", "features", "--num-features", "16384", "--seed", "7"]);
    assert!(features.starts_with("ml.features version 0: "), "{features}");
    let counts = query(
        work.path(),
        &scheduler,
        "SELECT split, count(*) AS n, sum(label) AS positives FROM ml.features GROUP BY split ORDER BY split",
    );
    assert_eq!(counts.len(), 2, "{counts:?}");
    let (test_rows, train_rows) = (counts[0]["n"].as_i64().unwrap(), counts[1]["n"].as_i64().unwrap());
    let share = test_rows as f64 / (test_rows + train_rows) as f64;
    assert!((0.17..0.23).contains(&share), "test share {share}");
    // 3-star reviews carry no rating label.
    let silver = query(work.path(), &scheduler, "SELECT count(*) AS n FROM silver.reviews WHERE overall <> 3");
    assert!(train_rows + test_rows <= silver[0]["n"].as_i64().unwrap());

    let trained = run(work.path(), &scheduler, &["ml", "train", "--max-iter", "40"]);
    let first = model_id(&trained);
    let auc = figure(&trained, "test:", "auc");
    assert!(auc > 0.85, "test AUC {auc}: {trained}");
    assert_eq!(figure(&trained, "test:", "test:") as i64, test_rows, "{trained}");

    // Every loss-and-gradient job (and the other training jobs) ran tasks on both executors.
    let training_jobs: Vec<_> = cluster.jobs().into_iter().filter(|j| j.job_name == "reviewlake ml train").collect();
    assert!(training_jobs.len() >= 5, "{} training jobs", training_jobs.len());
    for job in &training_jobs {
        let mut executors: Vec<String> = cluster.tasks(&job.job_id).tasks.into_iter().map(|t| t.executor_id).collect();
        executors.sort();
        executors.dedup();
        assert_eq!(executors, ["executor-1", "executor-2"], "job {}", job.job_id);
    }

    // The registry lists it, with its metrics and a ROC curve from (0,0) to (1,1).
    let listed = run(work.path(), &scheduler, &["ml", "list", "--format", "json"]);
    assert!(listed.contains(&first), "{listed}");
    let shown = run(work.path(), &scheduler, &["ml", "show", &first, "--format", "json"]);
    assert!(shown.contains("\"precision\"") && shown.contains("\"true_positives\""), "{shown}");
    let roc = query(
        work.path(),
        &scheduler,
        &format!(
            "SELECT min(false_positive_rate) AS lo, max(true_positive_rate) AS hi, count(*) AS n \
             FROM ml.model_roc WHERE model_id = '{first}'"
        ),
    );
    assert_eq!((roc[0]["lo"].as_f64(), roc[0]["hi"].as_f64()), (Some(0.0), Some(1.0)), "{roc:?}");

    // The model scores any text on the executors, by id or as the latest.
    let predicted = query(
        work.path(),
        &scheduler,
        &format!(
            "SELECT predict_sentiment('Love it, works great, five stars', '{first}') AS good, \
                    predict_label('Terrible. Broke after one day, do not buy', '{first}') AS bad, \
                    predict_sentiment('Love it, works great, five stars') AS latest"
        ),
    );
    assert!(predicted[0]["good"].as_f64().unwrap() > 0.5, "{predicted:?}");
    assert_eq!(predicted[0]["bad"], "negative", "{predicted:?}");
    assert_eq!(predicted[0]["latest"], predicted[0]["good"], "{predicted:?}");
    let unknown = reviewlake_with_env(
        work.path(),
        &["--scheduler", &scheduler, "sql", "SELECT predict_sentiment('x', 'lr-nope')"],
        &lake_env(work.path()),
    );
    // Ballista quotes the executor's error with Debug escapes: look for its parts.
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert!(stderr.contains("no model") && stderr.contains("lr-nope") && stderr.contains("ml list"), "{stderr}");
    // Gold carries the latest model's prediction of every review; it agrees with the stars.
    run(work.path(), &scheduler, &["pipeline", "gold"]);
    let gold = query(
        work.path(),
        &scheduler,
        "SELECT count(*) AS n, count(predicted_positive) AS scored, \
                avg(CASE WHEN overall >= 4 THEN predicted_positive END) AS high, \
                avg(CASE WHEN overall <= 2 THEN predicted_positive END) AS low FROM gold.reviews",
    );
    assert_eq!(gold[0]["n"], gold[0]["scored"], "{gold:?}");
    assert!(gold[0]["high"].as_f64().unwrap() > gold[0]["low"].as_f64().unwrap() + 0.3, "{gold:?}");

    // Same features, same options: the same coefficients, bit for bit.
    let second = model_id(&run(work.path(), &scheduler, &["ml", "train", "--max-iter", "40"]));
    assert_ne!(first, second);
    let differing = query(
        work.path(),
        &scheduler,
        &format!(
            "SELECT count(*) AS n, sum(CASE WHEN a.coefficient = b.coefficient THEN 0 ELSE 1 END) AS differing \
             FROM ml.model_weights a JOIN ml.model_weights b ON a.feature = b.feature \
             WHERE a.model_id = '{first}' AND b.model_id = '{second}'"
        ),
    );
    assert_eq!(differing[0]["n"].as_i64(), Some(16385), "{differing:?}");
    assert_eq!(differing[0]["differing"].as_i64(), Some(0), "{differing:?}");

    // Errors name what is wrong.
    let missing =
        reviewlake_with_env(work.path(), &["--scheduler", &scheduler, "ml", "show", "lr-nope"], &lake_env(work.path()));
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no model \"lr-nope\" in ml.models"));
    let version = reviewlake_with_env(
        work.path(),
        &["--scheduler", &scheduler, "ml", "train", "--features-version", "9"],
        &lake_env(work.path()),
    );
    assert!(String::from_utf8_lossy(&version.stderr).contains("ml.features has no version 9"), "{version:?}");
}

/// A source folder of one review file holding `lines`.
fn review_source(work: &Path, lines: &[String]) -> std::path::PathBuf {
    let folder = work.join("source").join("amazon_reviews").join("partition_0");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("part-00000.json"), lines.join("\n")).unwrap();
    work.join("source")
}

fn review(n: usize, overall: u8, text: &str) -> String {
    serde_json::json!({
        "overall": overall, "verified": true, "reviewTime": "01 2, 2018", "reviewerID": format!("R{n}"),
        "asin": format!("B{n}"), "reviewText": text, "summary": "summary", "unixReviewTime": 1514851200
    })
    .to_string()
}

#[test]
fn data_that_cannot_train_a_model_is_refused_with_the_reason() {
    let work = tempfile::tempdir().unwrap();
    let env = lake_env(work.path());
    let reviewlake = |args: &[&str]| reviewlake_with_env(work.path(), args, &env);
    // Five-star reviews only: one class.
    let lines: Vec<String> = (0..40).map(|n| review(n, 5, &format!("great product number {n}"))).collect();
    let source = review_source(work.path(), &lines);
    success(reviewlake(&["pipeline", "run", "--source", source.to_str().unwrap()]));
    success(reviewlake(&["ml", "features", "--num-features", "1024"]));
    let one_class = reviewlake(&["ml", "train"]);
    assert!(!one_class.status.success());
    let stderr = String::from_utf8_lossy(&one_class.stderr);
    assert!(stderr.contains("one class only") && stderr.contains("0 negative"), "{stderr}");

    // A test split that takes everything: nothing left to train on.
    success(reviewlake(&["ml", "features", "--num-features", "1024", "--test-fraction", "0.99999"]));
    let empty = reviewlake(&["ml", "train"]);
    let stderr = String::from_utf8_lossy(&empty.stderr);
    assert!(stderr.contains("the training split is empty"), "{stderr}");

    let bad = reviewlake(&["ml", "features", "--ngrams", "5"]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--ngrams = 5"), "{bad:?}");
    let none = reviewlake(&["ml", "list"]);
    assert!(success(none).contains("no models registered yet"));
}

/// The rank-based AUC, log-loss and per-class metrics agree with scikit-learn's on the same
/// scores and labels (ties included), and y_true / y_pred are not swapped.
#[test]
fn metrics_agree_with_scikit_learn() {
    // Deterministic scores on a coarse grid (many ties) and labels correlated with them.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let rows: Vec<(f64, u8)> = (0..20_000)
        .map(|_| {
            let score = (next() % 1000) as f64 / 1000.0 + 0.0005;
            let label = u8::from((next() % 1000) as f64 / 1000.0 < score);
            (score, label)
        })
        .collect();
    let counts: Vec<ScoreCount> = rows
        .iter()
        .map(|&(score, label)| ScoreCount { score, positives: label as u64, negatives: 1 - label as u64 })
        .collect();
    let ours = binary_metrics(&counts, 0.5, 101).unwrap();

    let work = tempfile::tempdir().unwrap();
    let csv = work.path().join("scores.csv");
    let text: String = rows.iter().map(|(s, l)| format!("{s:.17},{l}\n")).collect();
    std::fs::write(&csv, text).unwrap();
    let theirs = python(
        "import sys, json, numpy as np\n\
         from sklearn.metrics import roc_auc_score, log_loss, accuracy_score, precision_recall_fscore_support, confusion_matrix\n\
         d = np.loadtxt(sys.argv[1], delimiter=',')\n\
         s, y = d[:, 0], d[:, 1].astype(int)\n\
         p = (s >= 0.5).astype(int)\n\
         pr, rc, f1, sup = precision_recall_fscore_support(y, p, labels=[0, 1], zero_division=0)\n\
         tn, fp, fn, tp = confusion_matrix(y, p, labels=[0, 1]).ravel()\n\
         print(json.dumps({'auc': roc_auc_score(y, s), 'log_loss': log_loss(y, s), 'accuracy': accuracy_score(y, p),\n\
           'precision': pr.tolist(), 'recall': rc.tolist(), 'f1': f1.tolist(), 'tp': int(tp), 'fp': int(fp), 'tn': int(tn), 'fn': int(fn)}))\n",
        &[csv.to_str().unwrap()],
    );
    let theirs: Value = serde_json::from_str(&theirs).unwrap();
    let close = |a: f64, b: &Value| (a - b.as_f64().unwrap()).abs() <= 1e-9;
    assert!(close(ours.auc, &theirs["auc"]), "auc {} vs {}", ours.auc, theirs["auc"]);
    assert!(close(ours.log_loss, &theirs["log_loss"]), "log-loss {} vs {}", ours.log_loss, theirs["log_loss"]);
    assert!(close(ours.accuracy, &theirs["accuracy"]));
    assert!(
        close(ours.negative.precision, &theirs["precision"][0])
            && close(ours.positive.precision, &theirs["precision"][1])
    );
    assert!(close(ours.negative.recall, &theirs["recall"][0]) && close(ours.positive.recall, &theirs["recall"][1]));
    assert!(close(ours.negative.f1, &theirs["f1"][0]) && close(ours.positive.f1, &theirs["f1"][1]));
    let c = &ours.confusion;
    assert_eq!(
        [c.true_positives, c.false_positives, c.true_negatives, c.false_negatives],
        [&theirs["tp"], &theirs["fp"], &theirs["tn"], &theirs["fn"]].map(|v| v.as_u64().unwrap())
    );
}

#[test]
fn tune_cross_validates_the_grid_and_registers_the_winner() {
    let work = tempfile::tempdir().unwrap();
    let env = lake_env(work.path());
    let reviewlake = |args: &[&str]| success(reviewlake_with_env(work.path(), args, &env));
    let source = work.path().join("source");
    sample_source(&source);
    reviewlake(&["pipeline", "run", "--source", source.to_str().unwrap()]);
    reviewlake(&["ml", "features", "--num-features", "2048"]);
    let tuned = reviewlake(&[
        "ml",
        "tune",
        "--folds",
        "3",
        "--num-features",
        "1024,2048",
        "--reg",
        "1e-4,1e-2",
        "--max-iter",
        "15",
    ]);
    let candidates: Vec<&str> = tuned.lines().filter(|l| l.contains("mean validation auc")).collect();
    assert_eq!(candidates.len(), 4, "{tuned}");
    let best: Vec<&&str> = candidates.iter().filter(|l| l.starts_with("best:")).collect();
    assert_eq!(best.len(), 1, "{tuned}");
    for line in &candidates {
        let folds = &line[line.find("(folds ").unwrap() + 7..line.len() - 1];
        assert_eq!(folds.split(", ").count(), 3, "{line}");
    }
    let best_buckets: i64 = best[0].split("num_features ").nth(1).unwrap().split(',').next().unwrap().parse().unwrap();
    let id = model_id(&tuned);
    let models: Vec<Value> =
        serde_json::from_str(&reviewlake(&["sql", "--format", "json", "SELECT model_id, num_features FROM ml.models"]))
            .unwrap();
    assert_eq!(models.len(), 1, "{models:?}");
    assert_eq!(
        (models[0]["model_id"].as_str(), models[0]["num_features"].as_i64()),
        (Some(id.as_str()), Some(best_buckets))
    );
}
