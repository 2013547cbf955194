//! `reviewlake ingest`: load new source files, or a topic's new events, into bronze.

use reviewlake_cluster::config::Settings;
use reviewlake_cluster::lakehouse::Lakehouse;
use reviewlake_cluster::session;
use reviewlake_cluster::sources::kafka::KafkaOptions;
use reviewlake_jobs::ingest::{SourceKind, ingest_batch};
use reviewlake_jobs::stream::{StreamIngestOptions, ingest_stream, stop_on_signal};

use crate::args::{IngestAction, ProgressArg};
use crate::commands::stream::stream_options;
use crate::progress::Progress;

/// Runs one ingestion and prints what it loaded.
pub(crate) async fn run(settings: &Settings, action: IngestAction, progress: ProgressArg) -> anyhow::Result<()> {
    match action {
        IngestAction::Batch { source, kind, max_files } => {
            let kind = SourceKind::from(kind);
            let session = session::connect(settings).await?;
            let ingest = ingest_batch(&session.ctx, &session.lake, &source, kind, max_files);
            let report = Progress::around(progress, &session.scheduler_address, "ingest", ingest).await?;
            crate::output::print_ingested(&report, kind);
        }
        IngestAction::Stream { available_now, .. } => {
            // Bronze ingestion of a stream runs in this process (a micro-batch is small), so no
            // cluster is started for it.
            let kafka = KafkaOptions::from_settings(&settings.stream)?;
            let lake = Lakehouse::from_settings(&settings.lakehouse)?;
            let options = StreamIngestOptions { available_now, ..stream_options(settings) };
            let stop = stop_on_signal();
            let report = ingest_stream(lake, &kafka, options, stop, |_| {}).await?;
            crate::output::print_stream_ingested(&report);
        }
    }
    Ok(())
}
