//! [`EventProducer`]: sends events to a topic, keyed so that one key's events stay in one
//! partition.

use std::time::Duration;

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::error::RDKafkaErrorCode;
use rdkafka::producer::{FutureProducer, FutureRecord, Producer};

use super::client::{ErrorWatch, fetch_partitions, wait_for_partitions};
use super::error::KafkaError;
use super::options::KafkaOptions;

/// Where an event landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    /// The partition.
    pub partition: i32,
    /// Its offset there.
    pub offset: i64,
}

/// A producer of one topic's events. Cheap to clone; clones share the connection.
#[derive(Clone)]
pub struct EventProducer {
    producer: FutureProducer<ErrorWatch>,
    watch: ErrorWatch,
    options: KafkaOptions,
}

impl EventProducer {
    /// Connects to the brokers.
    pub fn connect(options: &KafkaOptions) -> Result<Self, KafkaError> {
        let watch = ErrorWatch::default();
        let timeout_ms = options.timeout.as_millis().to_string();
        let mut config = options.client_config();
        config
            // The Java client's partitioner: the same key lands in the same partition whichever
            // client sends it.
            .set("partitioner", "murmur2_random")
            .set("linger.ms", "5")
            .set("message.timeout.ms", &timeout_ms);
        let producer = config
            .create_with_context(watch.clone())
            .map_err(|error| watch.explain(options, "creating the producer".into(), error))?;
        Ok(Self { producer, watch, options: options.clone() })
    }

    /// The topic's partitions; fails when the brokers cannot be reached or the topic is missing.
    pub async fn partitions(&self) -> Result<Vec<i32>, KafkaError> {
        let this = self.clone();
        let attempt = move |wait| fetch_partitions(this.producer.client(), &this.watch, &this.options, wait);
        // The producer's own thread serves its queue: refusals reach the watch by themselves.
        wait_for_partitions(&self.options, attempt, || async { Ok(()) }).await
    }

    /// Creates the topic with `partitions` partitions; returns false when it already existed.
    pub async fn create_topic(&self, partitions: i32) -> Result<bool, KafkaError> {
        let admin: AdminClient<ErrorWatch> = self
            .options
            .client_config()
            .create_with_context(self.watch.clone())
            .map_err(|error| self.watch.explain(&self.options, "creating the admin client".into(), error))?;
        let topic = NewTopic::new(&self.options.topic, partitions, TopicReplication::Fixed(1));
        let admin_options = AdminOptions::new().operation_timeout(Some(self.options.timeout));
        let results = admin
            .create_topics([&topic], &admin_options)
            .await
            .map_err(|error| self.watch.explain(&self.options, "creating the topic".into(), error))?;
        match results.into_iter().next() {
            Some(Ok(_)) => Ok(true),
            Some(Err((_, RDKafkaErrorCode::TopicAlreadyExists))) => Ok(false),
            Some(Err((_, code))) => Err(self.watch.explain(
                &self.options,
                "creating the topic".into(),
                rdkafka::error::KafkaError::AdminOp(code),
            )),
            None => Ok(true),
        }
    }

    /// Sends one event; resolves when the broker has it.
    pub async fn send(&self, key: Option<&str>, body: &[u8]) -> Result<Delivery, KafkaError> {
        let mut record = FutureRecord::<str, [u8]>::to(&self.options.topic).payload(body);
        if let Some(key) = key {
            record = record.key(key);
        }
        match self.producer.send(record, self.options.timeout).await {
            Ok(delivery) => Ok(Delivery { partition: delivery.partition, offset: delivery.offset }),
            Err((error, _)) => Err(self.watch.explain(&self.options, "sending an event".into(), error)),
        }
    }

    /// Waits until every event sent so far is delivered.
    pub async fn flush(&self) -> Result<(), KafkaError> {
        let this = self.clone();
        let timeout: Duration = self.options.timeout;
        let brokers = self.options.brokers.clone();
        tokio::task::spawn_blocking(move || {
            this.producer
                .flush(timeout)
                .map_err(|error| this.watch.explain(&this.options, "flushing events".into(), error))
        })
        .await
        .unwrap_or_else(|join| Err(KafkaError::Unreachable { brokers, reason: join.to_string() }))
    }
}
