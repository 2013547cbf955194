//! What `reviewlake` prints on standard output: results, reports and one-line summaries.

use std::path::Path;

use reviewlake_cluster::ops::{ClusterRecord, RECORD_FILE};
use reviewlake_jobs::generate::GenerateReport;
use reviewlake_jobs::ingest::{IngestReport, SourceKind};
use reviewlake_jobs::medallion::{PipelineReport, SilverOutcome};
use reviewlake_jobs::stream::{ProduceReport, StreamIngestReport};

/// Prints a formatted result (see [`reviewlake_cluster::sql::format_batches`]) without its
/// trailing blank lines.
pub(crate) fn print_result(text: &str) {
    println!("{}", text.trim_end());
}

/// Prints a multi-line report exactly as it is.
pub(crate) fn print_report(report: &str) {
    print!("{report}");
}

/// Prints each item on a line of its own.
pub(crate) fn print_lines(lines: impl IntoIterator<Item = impl std::fmt::Display>) {
    for line in lines {
        println!("{line}");
    }
}

/// The summary of `reviewlake gen`: what was written under `out` in `seconds`.
pub(crate) fn print_generated(report: &GenerateReport, out: &Path, seconds: f64) {
    println!(
        "wrote {} review lines ({} malformed, {} duplicates) in {} files and {} metadata lines in {} files under {}: \
         {:.1} MB in {:.2} s ({:.0} reviews/s)",
        report.review_lines,
        report.malformed_lines,
        report.duplicate_reviews,
        report.review_files.len(),
        report.metadata_lines,
        report.metadata_files.len(),
        out.display(),
        report.bytes_written as f64 / 1e6,
        seconds,
        report.review_lines as f64 / seconds
    );
}

/// The summary of `reviewlake ingest batch`.
pub(crate) fn print_ingested(report: &IngestReport, kind: SourceKind) {
    println!(
        "{} files in source, {} loaded now ({} left for later runs): {} rows into bronze.{}, {} lines quarantined",
        report.files_in_source,
        report.files_loaded,
        report.files_pending,
        report.rows,
        kind.name(),
        report.quarantined
    );
}

/// The summary of `reviewlake produce`: events per partition, then the total.
pub(crate) fn print_produced(report: &ProduceReport) {
    if report.created_topic {
        println!("topic created");
    }
    for (partition, events) in &report.per_partition {
        println!("partition {partition}: {events} events");
    }
    println!(
        "total: {} events in {:.2} s ({} lines sent verbatim, not JSON objects; {} blank lines skipped)",
        report.total(),
        report.elapsed.as_secs_f64(),
        report.verbatim,
        report.blank
    );
}

/// The summary of `reviewlake ingest stream`: what it committed, and where each partition stands.
pub(crate) fn print_stream_ingested(report: &StreamIngestReport) {
    println!(
        "bronze.review_events: {} rows from {} events in {} micro-batches, {} quarantined",
        report.rows, report.events, report.batches, report.quarantined
    );
    for (partition, next) in &report.positions {
        println!("partition {partition}: next offset {next}");
    }
}

/// One line per layer of `reviewlake pipeline run`: rows in and out, seconds, rows/s, bytes written, Delta version.
pub(crate) fn print_layers(report: &PipelineReport) {
    print_lines(&report.layers);
}

/// The summary of `reviewlake pipeline silver`.
pub(crate) fn print_silver(reviews: &SilverOutcome, metadata: &SilverOutcome) {
    println!("silver.reviews: +{} rows, silver.metadata: +{} rows", reviews.rows, metadata.rows);
}

/// The summary of `reviewlake pipeline gold`.
pub(crate) fn print_gold(tables: usize) {
    println!("gold: {tables} tables rebuilt");
}

/// The summary of `reviewlake cluster up`: the cluster recorded in `dir`, started in `seconds`.
pub(crate) fn print_cluster_up(record: &ClusterRecord, dir: &Path, seconds: f64) {
    println!(
        "cluster up in {:.2} s: scheduler {} (operator API {}), {} executors, record {}",
        seconds,
        record.scheduler_address(),
        record.api_url(),
        record.executors.len(),
        dir.join(RECORD_FILE).display()
    );
    if let Some(url) = record.flight_sql_url() {
        println!("flight sql: {url}");
    }
}

/// The summary of `reviewlake cluster scale`: the executors now running.
pub(crate) fn print_cluster_scaled(record: &ClusterRecord) {
    let shape: Vec<String> = record.executors.iter().map(|e| format!("{}({} vcores)", e.id, e.vcores)).collect();
    println!("cluster now has {} executors: {}", record.executors.len(), shape.join(", "));
}

/// The summary of `reviewlake cluster down`: the processes killed after `grace_secs`, if any.
pub(crate) fn print_cluster_down(killed: &[u32], grace_secs: u64) {
    if killed.is_empty() {
        println!("cluster stopped");
    } else {
        println!("cluster stopped; killed after {grace_secs} s: {killed:?}");
    }
}

/// The summary of `reviewlake cluster drain`.
pub(crate) fn print_executor_drained(executor: &str, seconds: f64) {
    println!("executor {executor} drained and left the cluster in {seconds:.1} s");
}

/// The summary of `reviewlake ml features`.
pub(crate) fn print_features(metrics: &reviewlake_jobs::ml::FeaturesMetrics) {
    let set = &metrics.set;
    println!(
        "ml.features version {}: {} labelled reviews ({} train, {} test; {} positive) of {} in silver.reviews version {} \
         ({} without a {} label or terms), {} features, n-grams up to {} ({:.2} s)",
        set.features_version,
        set.train_rows + set.test_rows,
        set.train_rows,
        set.test_rows,
        metrics.positive_rows,
        metrics.silver_rows,
        set.silver_version,
        metrics.unlabelled_rows,
        set.label_mode.name(),
        set.num_features,
        set.ngrams,
        metrics.seconds
    );
}

/// The summary of `reviewlake ml train`: the model, how training went, its test metrics.
pub(crate) fn print_trained(metrics: &reviewlake_jobs::ml::TrainMetrics) {
    let (model, test) = (&metrics.model, &metrics.test);
    println!("model: {}", model.model_id);
    println!(
        "training: {} rows of ml.features version {}, {} iterations, {} evaluations ({}), loss {:.6}, \
         {:.2} s ({:.3} s per evaluation, {:.0} rows/s)",
        model.training_rows,
        model.features_version,
        model.iterations,
        model.evaluations,
        model.stop_reason,
        model.final_loss,
        model.training_seconds,
        metrics.seconds_per_evaluation,
        metrics.rows_per_second
    );
    println!(
        "test: {} rows, auc {:.4}, accuracy {:.4}, log-loss {:.4}",
        test.rows, test.auc, test.accuracy, test.log_loss
    );
    let c = &test.confusion;
    println!(
        "confusion (rows: true class, columns: predicted): negative [{} {}], positive [{} {}]",
        c.true_negatives, c.false_positives, c.false_negatives, c.true_positives
    );
    for (class, m) in [("positive", &test.positive), ("negative", &test.negative)] {
        println!(
            "{class}: precision {:.4}, recall {:.4}, f1 {:.4}, support {}",
            m.precision, m.recall, m.f1, m.support
        );
    }
}

/// The summary of `reviewlake ml tune`: every candidate's validation AUCs, the winner, then the
/// final model as `ml train` prints it.
pub(crate) fn print_tuned(metrics: &reviewlake_jobs::ml::TuneMetrics) {
    for (i, candidate) in metrics.candidates.iter().enumerate() {
        let folds: Vec<String> = candidate.fold_aucs.iter().map(|auc| format!("{auc:.4}")).collect();
        println!(
            "{} num_features {}, reg {:e}: mean validation auc {:.4} (folds {})",
            if i == metrics.best { "best:" } else { "     " },
            candidate.num_features,
            candidate.reg,
            candidate.mean_auc(),
            folds.join(", ")
        );
    }
    print_trained(&metrics.model);
}
