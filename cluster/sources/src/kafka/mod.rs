//! A Kafka-protocol topic as an ingestion source: Azure Event Hubs' Kafka endpoint, Apache
//! Kafka, tansu.
//!
//! [`KafkaOptions`] say where the topic is and how to authenticate (plaintext, SASL PLAIN or
//! SCRAM over plaintext or TLS); [`TopicReader`] reads micro-batches of events from every
//! partition starting at offsets the caller gives (the connector trusts no consumer-group state:
//! exactly-once delivery is the caller's, who stores the offsets with its output), and
//! [`EventProducer`] sends events. Failures become a [`KafkaError`] that names the brokers and the
//! topic and says whether they were unreachable, the topic unknown or the credentials refused.

mod client;
mod error;
mod options;
mod producer;
mod reader;

pub use error::KafkaError;
pub use options::{KafkaOptions, SaslCredentials, SaslMechanism, Security};
pub use producer::{Delivery, EventProducer};
pub use reader::{EventBatch, TopicReader, event_schema};
