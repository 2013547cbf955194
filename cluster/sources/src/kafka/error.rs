//! What can go wrong between reviewlake and a Kafka-protocol broker.

/// Errors of the Kafka connector; each names the brokers and, where it applies, the topic.
#[derive(Debug, thiserror::Error)]
pub enum KafkaError {
    /// A stream option is missing or malformed.
    #[error("stream option {option}: {reason}")]
    Option {
        /// The option's configuration key, e.g. `stream.brokers`.
        option: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// No broker answered in time.
    #[error("cannot reach the brokers {brokers}: {reason}")]
    Unreachable {
        /// The bootstrap brokers.
        brokers: String,
        /// The client's last error.
        reason: String,
    },
    /// The brokers refused the credentials.
    #[error("authentication with {brokers} failed: {reason}")]
    Authentication {
        /// The bootstrap brokers.
        brokers: String,
        /// The client's message.
        reason: String,
    },
    /// The topic does not exist.
    #[error("topic {topic} does not exist on {brokers} (create it, e.g. `reviewlake produce --create`)")]
    UnknownTopic {
        /// The topic.
        topic: String,
        /// The bootstrap brokers.
        brokers: String,
    },
    /// An operation on the topic failed.
    #[error("{operation} on topic {topic} at {brokers} failed")]
    Client {
        /// What was being done, e.g. `reading partition 2`.
        operation: String,
        /// The topic.
        topic: String,
        /// The bootstrap brokers.
        brokers: String,
        /// The client's error.
        #[source]
        source: rdkafka::error::KafkaError,
    },
}
