//! `reviewlake produce`: replay review files as events of a topic.

use reviewlake_cluster::config::Settings;
use reviewlake_cluster::sources::kafka::KafkaOptions;
use reviewlake_jobs::stream::{ProduceOptions, produce_files};

/// Sends the files' lines and prints what went to each partition.
pub(crate) async fn run(settings: &Settings, options: ProduceOptions) -> anyhow::Result<()> {
    let kafka = KafkaOptions::from_settings(&settings.stream)?;
    let report = produce_files(&kafka, &options).await?;
    crate::output::print_produced(&report);
    Ok(())
}
