//! [`TopicReader`]: micro-batches of events from every partition of a topic, from offsets the
//! caller stores with its output.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use datafusion::arrow::array::{
    ArrayBuilder, ArrayRef, Int32Builder, Int64Builder, RecordBatch, StringBuilder, TimestampMicrosecondBuilder,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use rdkafka::Message;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::error::{KafkaError as RdKafkaError, RDKafkaErrorCode};
use rdkafka::topic_partition_list::{Offset, TopicPartitionList};
use tokio::sync::watch;
use tokio::time::Instant;

use super::client::{ErrorWatch, fetch_partitions, refused_credentials, wait_for_partitions};
use super::error::KafkaError;
use super::options::KafkaOptions;

/// The columns of an [`EventBatch`]: where each event was (topic, partition, offset), when the
/// broker took it (`enqueued_time`), its body as text, and why it cannot be a record
/// (`body_error`: no body, too large, not UTF-8), NULL for a readable body.
pub fn event_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("topic", DataType::Utf8, false),
        Field::new("partition", DataType::Int32, false),
        Field::new("offset", DataType::Int64, false),
        Field::new("enqueued_time", DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())), true),
        Field::new("body", DataType::Utf8, true),
        Field::new("body_error", DataType::Utf8, true),
    ]))
}

/// One micro-batch of events, in arrival order within each partition.
#[derive(Debug, Clone)]
pub struct EventBatch {
    /// The events, as [`event_schema`] says.
    pub records: RecordBatch,
    /// The last offset of each partition in the batch.
    pub last_offsets: BTreeMap<i32, i64>,
}

impl EventBatch {
    /// Events in the batch.
    pub fn len(&self) -> usize {
        self.records.num_rows()
    }

    /// True when no event arrived.
    pub fn is_empty(&self) -> bool {
        self.records.num_rows() == 0
    }
}

/// Reads a topic's partitions from given offsets, without a consumer group: positions are the
/// caller's to store (with its output, for exactly-once delivery).
pub struct TopicReader {
    consumer: Arc<StreamConsumer<ErrorWatch>>,
    watch: ErrorWatch,
    options: KafkaOptions,
    max_event_bytes: usize,
    /// The next offset to read of each assigned partition; `None` until the first event of a
    /// partition read from its beginning.
    next: BTreeMap<i32, Option<i64>>,
}

impl TopicReader {
    /// Connects to the brokers; nothing is assigned yet: [`TopicReader::assign_new`] assigns
    /// the topic's partitions from the offsets the caller stores. Events larger than
    /// `max_event_bytes` are delivered with a `body_error`.
    pub async fn open(options: &KafkaOptions, max_event_bytes: usize) -> Result<Self, KafkaError> {
        let watch = ErrorWatch::default();
        let mut config = options.client_config();
        config
            // Assignment only; no group is joined and nothing is committed to one.
            .set("group.id", format!("reviewlake-{}", options.topic))
            .set("enable.auto.commit", "false")
            .set("enable.auto.offset.store", "false")
            .set("auto.offset.reset", "earliest")
            .set("enable.partition.eof", "false")
            .set("allow.auto.create.topics", "false");
        let consumer: StreamConsumer<ErrorWatch> = config
            .create_with_context(watch.clone())
            .map_err(|error| watch.explain(options, "creating the consumer".into(), error))?;
        Ok(Self {
            consumer: Arc::new(consumer),
            watch,
            options: options.clone(),
            max_event_bytes,
            next: BTreeMap::new(),
        })
    }

    /// The topic's partitions now.
    pub async fn partitions(&self) -> Result<Vec<i32>, KafkaError> {
        let (consumer, watch, options) = (self.consumer.clone(), self.watch.clone(), self.options.clone());
        let attempt = move |wait| fetch_partitions(consumer.client(), &watch, &options, wait);
        wait_for_partitions(&self.options, attempt, || self.serve_errors()).await
    }

    /// Serves the consumer's queue, where a refusal of the credentials arrives, while nothing
    /// is assigned (once partitions are, messages arrive there too, and only a batch takes them).
    async fn serve_errors(&self) -> Result<(), KafkaError> {
        if !self.next.is_empty() {
            return Ok(());
        }
        match tokio::time::timeout(Duration::from_millis(100), self.consumer.recv()).await {
            Ok(Err(error)) if refused_credentials(&error) => {
                Err(KafkaError::Authentication { brokers: self.options.brokers.clone(), reason: error.to_string() })
            }
            _ => Ok(()),
        }
    }

    /// Assigns the topic's partitions not yet assigned (partitions added while it runs), from
    /// `resume` or their beginning; returns them.
    pub async fn assign_new(&mut self, resume: &BTreeMap<i32, i64>) -> Result<Vec<i32>, KafkaError> {
        let added: Vec<i32> = self.partitions().await?.into_iter().filter(|p| !self.next.contains_key(p)).collect();
        if added.is_empty() {
            return Ok(added);
        }
        let mut list = TopicPartitionList::new();
        for &partition in &added {
            let offset = resume.get(&partition).map_or(Offset::Beginning, |&next| Offset::Offset(next));
            list.add_partition_offset(&self.options.topic, partition, offset).map_err(|error| {
                self.watch.explain(&self.options, format!("assigning partition {partition}"), error)
            })?;
        }
        self.consumer
            .incremental_assign(&list)
            .map_err(|error| self.watch.explain(&self.options, "assigning partitions".into(), error))?;
        for &partition in &added {
            self.next.insert(partition, resume.get(&partition).copied());
        }
        tracing::info!(topic = %self.options.topic, partitions = ?added, "assigned partitions");
        Ok(added)
    }

    /// The offset after the last event of each partition now (the high watermark), and the
    /// first one still held (the low watermark).
    pub async fn watermarks(&self) -> Result<BTreeMap<i32, (i64, i64)>, KafkaError> {
        let partitions: Vec<i32> = self.next.keys().copied().collect();
        let (consumer, watch, options) = (self.consumer.clone(), self.watch.clone(), self.options.clone());
        let brokers = self.options.brokers.clone();
        tokio::task::spawn_blocking(move || {
            partitions
                .into_iter()
                .map(|partition| {
                    consumer
                        .fetch_watermarks(&options.topic, partition, options.timeout)
                        .map(|marks| (partition, marks))
                        .map_err(|error| {
                            watch.explain(&options, format!("reading the offsets of partition {partition}"), error)
                        })
                })
                .collect()
        })
        .await
        .unwrap_or_else(|join| Err(KafkaError::Unreachable { brokers, reason: join.to_string() }))
    }

    /// The next offset to read of each partition, where known.
    pub fn positions(&self) -> BTreeMap<i32, i64> {
        self.next.iter().filter_map(|(&partition, next)| next.map(|next| (partition, next))).collect()
    }

    /// Events until `max_events` arrived, `wait` passed or `stop` turned true. Events at or
    /// beyond `until`'s offset of their partition are not taken (a drain ends there; they stay
    /// for the next reader). Connection trouble is retried by the client; refused credentials
    /// and a vanished topic end the read with an error.
    pub async fn next_batch(
        &mut self,
        max_events: usize,
        wait: Duration,
        stop: &mut watch::Receiver<bool>,
        until: Option<&BTreeMap<i32, i64>>,
    ) -> Result<EventBatch, KafkaError> {
        let deadline = Instant::now() + wait;
        let mut batch = EventBatchBuilder::new(self.max_event_bytes);
        let mut stop_open = true;
        while batch.len() < max_events && !*stop.borrow() {
            let received = tokio::select! {
                received = self.consumer.recv() => received,
                () = tokio::time::sleep_until(deadline) => break,
                changed = stop.changed(), if stop_open => {
                    stop_open = changed.is_ok();
                    continue;
                }
            };
            match received {
                Ok(message) => {
                    let (partition, offset) = (message.partition(), message.offset());
                    if until.and_then(|until| until.get(&partition)).is_some_and(|&end| offset >= end) {
                        continue;
                    }
                    batch.push(&self.options.topic, &message);
                    self.next.insert(partition, Some(offset + 1));
                    if until.is_some_and(|until| self.reached(until)) {
                        break;
                    }
                }
                Err(error) => self.on_read_error(error).await?,
            }
        }
        Ok(batch.finish())
    }

    /// True when every partition of `until` is read up to its offset there.
    fn reached(&self, until: &BTreeMap<i32, i64>) -> bool {
        until
            .iter()
            .all(|(partition, &end)| self.next.get(partition).copied().flatten().is_some_and(|next| next >= end))
    }

    async fn on_read_error(&self, error: RdKafkaError) -> Result<(), KafkaError> {
        let fatal = matches!(
            error.rdkafka_error_code(),
            Some(
                RDKafkaErrorCode::Authentication
                    | RDKafkaErrorCode::SaslAuthenticationFailed
                    | RDKafkaErrorCode::TopicAuthorizationFailed
                    | RDKafkaErrorCode::UnknownTopicOrPartition
                    | RDKafkaErrorCode::UnknownTopic
            )
        );
        if fatal {
            return Err(self.watch.explain(&self.options, "reading events".into(), error));
        }
        // The client reconnects and resumes by itself (a broker restart, a dropped link).
        tracing::warn!(topic = %self.options.topic, %error, "reading events; retrying");
        tokio::time::sleep(Duration::from_millis(100)).await;
        Ok(())
    }
}

/// Builds an [`EventBatch`] column by column; bodies are copied once, into the body column.
struct EventBatchBuilder {
    max_event_bytes: usize,
    topic: StringBuilder,
    partition: Int32Builder,
    offset: Int64Builder,
    enqueued: TimestampMicrosecondBuilder,
    body: StringBuilder,
    body_error: StringBuilder,
    last_offsets: BTreeMap<i32, i64>,
}

impl EventBatchBuilder {
    fn new(max_event_bytes: usize) -> Self {
        Self {
            max_event_bytes,
            topic: StringBuilder::new(),
            partition: Int32Builder::new(),
            offset: Int64Builder::new(),
            enqueued: TimestampMicrosecondBuilder::new().with_timezone("UTC"),
            body: StringBuilder::new(),
            body_error: StringBuilder::new(),
            last_offsets: BTreeMap::new(),
        }
    }

    fn len(&self) -> usize {
        self.offset.len()
    }

    fn push(&mut self, topic: &str, message: &impl Message) {
        self.topic.append_value(topic);
        self.partition.append_value(message.partition());
        self.offset.append_value(message.offset());
        self.enqueued.append_option(message.timestamp().to_millis().map(|millis| millis * 1000));
        match message.payload() {
            None => {
                self.body.append_null();
                self.body_error.append_value("the event has no body");
            }
            Some(bytes) => {
                self.body.append_value(String::from_utf8_lossy(bytes));
                if bytes.len() > self.max_event_bytes {
                    self.body_error.append_value(format!(
                        "the event is {} bytes, over the {}-byte limit (stream.max_event_bytes)",
                        bytes.len(),
                        self.max_event_bytes
                    ));
                } else if let Err(error) = std::str::from_utf8(bytes) {
                    self.body_error.append_value(format!("the event body is not UTF-8: {error}"));
                } else {
                    self.body_error.append_null();
                }
            }
        }
        self.last_offsets.insert(message.partition(), message.offset());
    }

    fn finish(mut self) -> EventBatch {
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.topic.finish()),
            Arc::new(self.partition.finish()),
            Arc::new(self.offset.finish()),
            Arc::new(self.enqueued.finish()),
            Arc::new(self.body.finish()),
            Arc::new(self.body_error.finish()),
        ];
        let records = RecordBatch::try_new(event_schema(), columns).expect("the builders follow event_schema");
        EventBatch { records, last_offsets: self.last_offsets }
    }
}
