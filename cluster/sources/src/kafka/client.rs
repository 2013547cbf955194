//! What every client of the connector shares: a librdkafka context that remembers the last
//! error the client reported (librdkafka retries on its own and reports failures only there),
//! and the topic's partition list with failures told apart.

use std::sync::{Arc, Mutex};

use rdkafka::client::{Client, ClientContext};
use rdkafka::config::RDKafkaLogLevel;
use rdkafka::consumer::ConsumerContext;
use rdkafka::error::{KafkaError as RdKafkaError, RDKafkaErrorCode};
use rdkafka::types::RDKafkaRespErr;

use super::error::KafkaError;
use super::options::KafkaOptions;

/// The last error a client reported, and the last refusal of its credentials (kept apart: the
/// client goes on reporting the dropped connections that follow one), shared with the code that
/// uses the client.
#[derive(Debug, Default, Clone)]
pub(crate) struct ErrorWatch {
    last: Arc<Mutex<Option<(Option<RDKafkaErrorCode>, String)>>>,
    refused: Arc<Mutex<Option<String>>>,
}

fn is_authentication(code: Option<RDKafkaErrorCode>) -> bool {
    matches!(code, Some(RDKafkaErrorCode::Authentication | RDKafkaErrorCode::SaslAuthenticationFailed))
}

impl ErrorWatch {
    fn last(&self) -> Option<(Option<RDKafkaErrorCode>, String)> {
        self.last.lock().map(|last| last.clone()).unwrap_or_default()
    }

    fn refused(&self) -> Option<String> {
        self.refused.lock().map(|refused| refused.clone()).unwrap_or_default()
    }

    /// `error` explained with what the client reported before it: refused credentials and
    /// unreachable brokers become their own errors.
    pub(crate) fn explain(&self, options: &KafkaOptions, operation: String, error: RdKafkaError) -> KafkaError {
        let brokers = options.brokers.clone();
        if let Some(reason) = self.refused() {
            return KafkaError::Authentication { brokers, reason };
        }
        if is_authentication(error.rdkafka_error_code()) {
            return KafkaError::Authentication { brokers, reason: error.to_string() };
        }
        let reported = self.last();
        let unreachable = matches!(
            error.rdkafka_error_code(),
            Some(
                RDKafkaErrorCode::OperationTimedOut
                    | RDKafkaErrorCode::BrokerTransportFailure
                    | RDKafkaErrorCode::AllBrokersDown
                    | RDKafkaErrorCode::Resolve
                    | RDKafkaErrorCode::MessageTimedOut
                    | RDKafkaErrorCode::RequestTimedOut
            )
        );
        if unreachable {
            let reason = reported.map(|(_, reason)| reason).unwrap_or_else(|| error.to_string());
            return KafkaError::Unreachable { brokers, reason };
        }
        KafkaError::Client { operation, topic: options.topic.clone(), brokers, source: error }
    }
}

impl ClientContext for ErrorWatch {
    fn log(&self, level: RDKafkaLogLevel, facility: &str, message: &str) {
        // librdkafka logs every failed connection attempt while it retries; what a user must
        // see reaches them as the connector's own error, so its log is for debugging.
        match level {
            RDKafkaLogLevel::Emerg | RDKafkaLogLevel::Alert | RDKafkaLogLevel::Critical => {
                tracing::warn!(target: "librdkafka", facility, "{message}")
            }
            _ => tracing::debug!(target: "librdkafka", facility, "{message}"),
        }
    }

    fn error(&self, error: RdKafkaError, reason: &str) {
        tracing::debug!(target: "librdkafka", %error, reason, "client error");
        if is_authentication(error.rdkafka_error_code())
            && let Ok(mut refused) = self.refused.lock()
        {
            *refused = Some(reason.to_string());
        }
        if let Ok(mut last) = self.last.lock() {
            *last = Some((error.rdkafka_error_code(), reason.to_string()));
        }
    }
}

impl ConsumerContext for ErrorWatch {}

/// The partition ids of the options' topic, from the brokers' metadata, asked for once with
/// `wait` as the limit. Blocks: call it off the async workers.
pub(crate) fn fetch_partitions<C: ClientContext>(
    client: &Client<C>,
    watch: &ErrorWatch,
    options: &KafkaOptions,
    wait: std::time::Duration,
) -> Result<Vec<i32>, KafkaError> {
    let metadata = client
        .fetch_metadata(Some(&options.topic), wait)
        .map_err(|error| watch.explain(options, "reading the topic's metadata".into(), error))?;
    let unknown = || KafkaError::UnknownTopic { topic: options.topic.clone(), brokers: options.brokers.clone() };
    let topic = metadata.topics().iter().find(|topic| topic.name() == options.topic).ok_or_else(unknown)?;
    match topic.error() {
        None => {}
        Some(RDKafkaRespErr::RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) => return Err(unknown()),
        Some(code) => {
            let error = RdKafkaError::MetadataFetch(code.into());
            return Err(watch.explain(options, "reading the topic's metadata".into(), error));
        }
    }
    let mut partitions: Vec<i32> = topic.partitions().iter().map(|partition| partition.id()).collect();
    if partitions.is_empty() {
        return Err(unknown());
    }
    partitions.sort_unstable();
    Ok(partitions)
}

/// The topic's partitions, asked for in short attempts until `options.timeout` passes, so that
/// refused credentials (which `serve` surfaces between attempts) and an unknown topic end the
/// wait at once.
pub(crate) async fn wait_for_partitions<A, S, F>(
    options: &KafkaOptions,
    attempt: A,
    serve: S,
) -> Result<Vec<i32>, KafkaError>
where
    A: Fn(std::time::Duration) -> Result<Vec<i32>, KafkaError> + Clone + Send + 'static,
    S: Fn() -> F,
    F: Future<Output = Result<(), KafkaError>>,
{
    let deadline = std::time::Instant::now() + options.timeout;
    loop {
        serve().await?;
        let wait = deadline.saturating_duration_since(std::time::Instant::now()).min(std::time::Duration::from_secs(1));
        let once = attempt.clone();
        let result = tokio::task::spawn_blocking(move || once(wait)).await.unwrap_or_else(|join| {
            Err(KafkaError::Unreachable { brokers: options.brokers.clone(), reason: join.to_string() })
        });
        match result {
            Ok(partitions) => return Ok(partitions),
            Err(error @ (KafkaError::UnknownTopic { .. } | KafkaError::Authentication { .. })) => return Err(error),
            Err(error) if std::time::Instant::now() >= deadline => return Err(error),
            Err(_) => {}
        }
    }
}

/// True for the error codes of refused credentials.
pub(crate) fn refused_credentials(error: &RdKafkaError) -> bool {
    is_authentication(error.rdkafka_error_code())
}
