//! `reviewlake stream run`: streaming ingestion, silver and gold, continuously; and the
//! micro-batch options the streaming commands share.

use std::time::Duration;

use reviewlake_cluster::config::Settings;
use reviewlake_cluster::session;
use reviewlake_cluster::sources::kafka::KafkaOptions;
use reviewlake_jobs::stream::{StreamIngestOptions, run_stream_pipeline, stop_on_signal};

/// The micro-batch options of the `[stream]` settings.
pub(crate) fn stream_options(settings: &Settings) -> StreamIngestOptions {
    StreamIngestOptions {
        trigger: Duration::from_millis(settings.stream.trigger_ms),
        max_events_per_trigger: settings.stream.max_events_per_trigger,
        max_event_bytes: settings.stream.max_event_bytes,
        available_now: false,
        checkpoint_interval: settings.stream.checkpoint_interval,
    }
}

/// Runs the streaming pipeline until a signal, printing each step.
pub(crate) async fn run(settings: &Settings) -> anyhow::Result<()> {
    let kafka = KafkaOptions::from_settings(&settings.stream)?;
    let session = session::connect(settings).await?;
    let stop = stop_on_signal();
    let report =
        run_stream_pipeline(&session.ctx, session.lake.clone(), &kafka, stream_options(settings), stop, |step| {
            crate::output::print_report(step)
        })
        .await?;
    crate::output::print_stream_ingested(&report);
    Ok(())
}
