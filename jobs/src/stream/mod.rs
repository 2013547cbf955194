//! Streaming: review events from a Kafka-protocol topic (Azure Event Hubs, Kafka) into bronze,
//! exactly once ([`bronze`]), and the replay of review files as such events ([`produce`]).
//!
//! Silver and gold take `bronze.review_events` as they take `bronze.reviews` (see
//! [`crate::medallion`]).

mod bronze;
mod event;
mod pipeline;
mod produce;

use std::path::PathBuf;
use std::time::Duration;

use reviewlake_cluster::lakehouse::LakehouseError;
use reviewlake_cluster::sources::kafka::KafkaError;

pub use bronze::{
    MicroBatchReport, REVIEW_EVENTS, StreamIngest, StreamIngestOptions, StreamIngestReport, ingest_stream,
};
pub use event::{partition_number, review_event};
pub use pipeline::run_stream_pipeline;
pub use produce::{ProduceOptions, ProduceReport, produce_files};

/// Errors of the streaming jobs.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// The topic could not be read or written.
    #[error(transparent)]
    Kafka(#[from] KafkaError),
    /// A lakehouse table could not be read or written.
    #[error(transparent)]
    Lakehouse(#[from] LakehouseError),
    /// A micro-batch's plan failed.
    #[error(transparent)]
    DataFusion(#[from] datafusion::error::DataFusionError),
    /// A file to replay could not be read.
    #[error("cannot read {path}: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// The reader's error.
        #[source]
        source: std::io::Error,
    },
    /// Silver or gold failed.
    #[error(transparent)]
    Medallion(Box<crate::medallion::MedallionError>),
    /// A drain saw no new event for too long while the topic still held unread ones.
    #[error("draining topic {topic}: no event arrived for {waited:?} although the topic holds unread events")]
    Stalled {
        /// The topic.
        topic: String,
        /// How long it waited.
        waited: Duration,
    },
}

impl StreamError {
    fn from_medallion(error: crate::medallion::MedallionError) -> Self {
        Self::Medallion(Box::new(error))
    }
}

/// A flag that turns true on SIGINT or SIGTERM: the command finishes what is in flight (a
/// streaming micro-batch is committed; `serve` closes its connections), then ends.
pub fn stop_on_signal() -> tokio::sync::watch::Receiver<bool> {
    let (sender, receiver) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        let interrupt = tokio::signal::ctrl_c();
        #[cfg(unix)]
        {
            let terminate = async {
                match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                    Ok(mut signal) => {
                        signal.recv().await;
                    }
                    Err(_) => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                _ = interrupt => {}
                () = terminate => {}
            }
        }
        #[cfg(not(unix))]
        let _ = interrupt.await;
        tracing::info!("signal received: stopping after the work in flight");
        let _ = sender.send(true);
    });
    receiver
}
