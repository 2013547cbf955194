//! `ingest stream`: a topic's events into `bronze.review_events`, exactly once, in
//! micro-batches.
//!
//! Each micro-batch is parsed in this process (a local DataFusion plan over the batch, with the
//! same `parse_review_json` the batch ingestion runs on the executors) and becomes **one Delta
//! commit** of `bronze.review_events` that records, per partition, the last offset it holds as
//! an application transaction (`bronze.review_events<-kafka:TOPIC:PARTITION`). A restart reads
//! those and resumes right after them; no consumer-group state is trusted. Events that are not
//! reviews go to `bronze.quarantine` first, in a commit that records the same kind of
//! transactions there, so that a restart between the two commits skips what the quarantine
//! already holds: nothing is lost or repeated.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::ScalarValue;
use datafusion::functions::core::expr_fn::get_field;
use datafusion::logical_expr::{Expr, cast, col, lit};
use datafusion::prelude::{DataFrame, SessionContext};
use reviewlake_cluster::lakehouse::Lakehouse;
use reviewlake_cluster::sources::kafka::{EventBatch, KafkaOptions, TopicReader};
use reviewlake_udfs::parse::record::REVIEW_FIELDS;
use tokio::sync::watch;

use super::StreamError;
use crate::ingest::{QUARANTINE, snake_case};

/// The streamed events, parsed.
pub const REVIEW_EVENTS: &str = "bronze.review_events";

/// The events of a micro-batch with their parse and the reason each is not a review.
const CLASSIFIED_EVENTS: &str = include_str!("sql/classified_events.sql");

/// How a streaming ingestion runs.
#[derive(Debug, Clone)]
pub struct StreamIngestOptions {
    /// Time between micro-batches.
    pub trigger: Duration,
    /// At most this many events per micro-batch.
    pub max_events_per_trigger: usize,
    /// Larger events are quarantined.
    pub max_event_bytes: usize,
    /// Drain what the topic holds at the start, then stop.
    pub available_now: bool,
    /// A Delta checkpoint of the bronze table every this many commits.
    pub checkpoint_interval: u64,
}

/// What one micro-batch committed.
#[derive(Debug, Clone, Default)]
pub struct MicroBatchReport {
    /// Events read.
    pub events: u64,
    /// Rows committed to `bronze.review_events`.
    pub rows: u64,
    /// Events committed to the quarantine.
    pub quarantined: u64,
    /// The bronze version committed.
    pub bronze_version: u64,
    /// Time from the first read to the bronze commit.
    pub elapsed: Duration,
    /// Time of the Delta commits.
    pub commit_time: Duration,
}

/// What a streaming ingestion did.
#[derive(Debug, Clone, Default)]
pub struct StreamIngestReport {
    /// Micro-batches committed.
    pub batches: u64,
    /// Events read.
    pub events: u64,
    /// Rows committed to `bronze.review_events`.
    pub rows: u64,
    /// Events committed to the quarantine.
    pub quarantined: u64,
    /// The next offset to read of each partition.
    pub positions: BTreeMap<i32, i64>,
}

impl StreamIngestReport {
    /// Counts a committed micro-batch in.
    pub fn add(&mut self, batch: &MicroBatchReport) {
        self.batches += 1;
        self.events += batch.events;
        self.rows += batch.rows;
        self.quarantined += batch.quarantined;
    }
}

/// A streaming ingestion between micro-batches: the reader at the committed offsets, and what
/// each table holds of each partition.
pub struct StreamIngest {
    lake: Arc<Lakehouse>,
    kafka: KafkaOptions,
    options: StreamIngestOptions,
    reader: TopicReader,
    ctx: SessionContext,
    /// The last offset of each partition in bronze (quarantined events included).
    bronze_done: BTreeMap<i32, i64>,
    /// The last offset of each partition the quarantine has seen.
    quarantine_done: BTreeMap<i32, i64>,
    last_partition_check: Instant,
}

/// How often a running ingestion looks for partitions added to the topic.
const PARTITION_CHECK: Duration = Duration::from_secs(10);

impl StreamIngest {
    /// Connects to the topic and positions the reader right after what bronze holds.
    pub async fn open(
        lake: Arc<Lakehouse>,
        kafka: &KafkaOptions,
        options: StreamIngestOptions,
    ) -> Result<Self, StreamError> {
        let ctx = SessionContext::new();
        for function in reviewlake_udfs::scalar_functions() {
            ctx.register_udf(function.as_ref().clone());
        }
        let mut reader = TopicReader::open(kafka, options.max_event_bytes).await?;
        let partitions = reader.partitions().await?;
        let bronze_done = committed(&lake, REVIEW_EVENTS, &kafka.topic, &partitions).await?;
        let quarantine_done = committed(&lake, QUARANTINE, &kafka.topic, &partitions).await?;
        let resume = bronze_done.iter().map(|(&partition, &last)| (partition, last + 1)).collect();
        reader.assign_new(&resume).await?;
        tracing::info!(topic = %kafka.topic, resume = ?resume, "stream ingestion positioned");
        Ok(Self {
            lake,
            kafka: kafka.clone(),
            options,
            reader,
            ctx,
            bronze_done,
            quarantine_done,
            last_partition_check: Instant::now(),
        })
    }

    /// The offset after the last event of each partition holding events, now.
    pub async fn end_offsets(&self) -> Result<BTreeMap<i32, i64>, StreamError> {
        let marks = self.reader.watermarks().await?;
        Ok(marks
            .into_iter()
            .filter(|(_, (low, high))| high > low)
            .map(|(partition, (_, high))| (partition, high))
            .collect())
    }

    /// The next offset to read of each partition, where known.
    pub fn positions(&self) -> BTreeMap<i32, i64> {
        let mut positions: BTreeMap<i32, i64> = self.bronze_done.iter().map(|(&p, &last)| (p, last + 1)).collect();
        positions.extend(self.reader.positions());
        positions
    }

    /// True when bronze holds every event before `ends`.
    pub fn caught_up(&self, ends: &BTreeMap<i32, i64>) -> bool {
        let positions = self.reader.positions();
        ends.iter().all(|(partition, &end)| {
            let next = positions.get(partition).copied().or(self.bronze_done.get(partition).map(|last| last + 1));
            next.is_some_and(|next| next >= end)
        })
    }

    /// Reads one micro-batch (until the trigger passes, the batch is full or `stop` turns true)
    /// and commits it; `None` when no event came.
    pub async fn next_batch(
        &mut self,
        stop: &mut watch::Receiver<bool>,
        until: Option<&BTreeMap<i32, i64>>,
    ) -> Result<Option<MicroBatchReport>, StreamError> {
        if self.last_partition_check.elapsed() >= PARTITION_CHECK {
            self.last_partition_check = Instant::now();
            // A partition added while running holds nothing in bronze yet: it is read from its start.
            self.reader.assign_new(&BTreeMap::new()).await?;
        }
        let started = Instant::now();
        let batch =
            self.reader.next_batch(self.options.max_events_per_trigger, self.options.trigger, stop, until).await?;
        if batch.is_empty() {
            return Ok(None);
        }
        let mut report = self.commit(batch).await?;
        report.elapsed = started.elapsed();
        tracing::info!(
            events = report.events,
            rows = report.rows,
            quarantined = report.quarantined,
            version = report.bronze_version,
            commit_ms = report.commit_time.as_millis() as u64,
            events_per_second = (report.events as f64 / report.elapsed.as_secs_f64().max(1e-3)) as u64,
            "micro-batch committed"
        );
        Ok(Some(report))
    }

    /// Commits a micro-batch: its quarantined events, then its reviews with the offsets.
    async fn commit(&mut self, batch: EventBatch) -> Result<MicroBatchReport, StreamError> {
        let ingested_at =
            lit(ScalarValue::TimestampMicrosecond(Some(chrono::Utc::now().timestamp_micros()), Some("UTC".into())));
        let _ = self.ctx.deregister_table("events")?;
        self.ctx.register_batch("events", batch.records.clone())?;
        let classified = self.ctx.sql(CLASSIFIED_EVENTS).await?.cache().await?;
        let mut report = MicroBatchReport { events: batch.len() as u64, ..Default::default() };

        let topic = &self.kafka.topic;
        let quarantine = self.quarantine_rows(classified.clone(), ingested_at.clone())?;
        let quarantine = quarantine.collect().await?;
        let quarantined: usize = quarantine.iter().map(RecordBatch::num_rows).sum();
        if quarantined > 0 {
            let mut append = self.lake.append_batches(QUARANTINE, quarantine[0].schema()).with_merge_schema(true);
            let bad_partitions = partitions_of(&quarantine);
            for (&partition, &last) in batch.last_offsets.iter().filter(|(p, _)| bad_partitions.contains(p)) {
                append = append.with_transaction(app_id(QUARANTINE, topic, partition), last);
            }
            let metrics = append.with_batches(quarantine).execute().await?;
            report.commit_time += metrics.commit_time;
            report.quarantined = metrics.rows;
            for (&partition, &last) in batch.last_offsets.iter().filter(|(p, _)| bad_partitions.contains(p)) {
                self.quarantine_done.insert(partition, last);
            }
        }

        let rows = self.review_rows(classified, ingested_at)?;
        let schema = Arc::new(rows.schema().as_arrow().clone());
        let rows = rows.collect().await?;
        let mut append = self
            .lake
            .append_batches(REVIEW_EVENTS, schema)
            .with_table_property("delta.checkpointInterval", self.options.checkpoint_interval.to_string());
        for (&partition, &last) in &batch.last_offsets {
            append = append.with_transaction(app_id(REVIEW_EVENTS, topic, partition), last);
        }
        let metrics = append.with_batches(rows).execute().await?;
        report.commit_time += metrics.commit_time;
        report.rows = metrics.rows;
        report.bronze_version = metrics.version;
        self.bronze_done.extend(batch.last_offsets.iter().map(|(&p, &o)| (p, o)));
        Ok(report)
    }

    /// The events that are reviews, as `bronze.review_events` rows.
    fn review_rows(&self, classified: DataFrame, ingested_at: Expr) -> Result<DataFrame, StreamError> {
        let mut columns: Vec<Expr> =
            ["topic", "partition", "offset", "enqueued_time", "body"].into_iter().map(col).collect();
        columns.extend(REVIEW_FIELDS.iter().map(|field| get_field(col("r"), *field).alias(snake_case(field))));
        columns.push(get_field(col("r"), "_rescued_data").alias("_rescued_data"));
        columns.push(ingested_at.alias("_ingested_at"));
        Ok(classified.filter(col("error").is_null())?.select(columns)?)
    }

    /// The events that are not reviews and that the quarantine does not hold yet, as quarantine
    /// rows (`file` and `line` are the batch ingestion's; NULL here).
    fn quarantine_rows(&self, classified: DataFrame, ingested_at: Expr) -> Result<DataFrame, StreamError> {
        let mut unseen = lit(true);
        for (&partition, &last) in &self.quarantine_done {
            unseen = unseen.and(col("partition").not_eq(lit(partition)).or(col("offset").gt(lit(last))));
        }
        Ok(classified.filter(col("error").is_not_null().and(unseen))?.select(vec![
            cast(lit(ScalarValue::Utf8(None)), DataType::Utf8).alias("file"),
            lit("review_events").alias("kind"),
            cast(lit(ScalarValue::Int64(None)), DataType::Int64).alias("line"),
            col("error"),
            col("body").alias("raw_text"),
            ingested_at.alias("ingested_at"),
            col("topic"),
            col("partition"),
            col("offset"),
        ])?)
    }
}

/// Runs a streaming ingestion until `stop` turns true, or, with `available_now`, until bronze
/// holds what the topic held at the start. `on_batch` sees each committed micro-batch.
pub async fn ingest_stream(
    lake: Arc<Lakehouse>,
    kafka: &KafkaOptions,
    options: StreamIngestOptions,
    mut stop: watch::Receiver<bool>,
    mut on_batch: impl FnMut(&MicroBatchReport),
) -> Result<StreamIngestReport, StreamError> {
    let available_now = options.available_now;
    let idle_limit = kafka.timeout;
    let mut ingest = StreamIngest::open(lake, kafka, options).await?;
    let ends = if available_now { Some(ingest.end_offsets().await?) } else { None };
    let mut report = StreamIngestReport::default();
    let mut idle_since = Instant::now();
    loop {
        if let Some(ends) = &ends
            && ingest.caught_up(ends)
        {
            break;
        }
        if *stop.borrow() {
            break;
        }
        match ingest.next_batch(&mut stop, ends.as_ref()).await? {
            Some(batch) => {
                report.add(&batch);
                on_batch(&batch);
                idle_since = Instant::now();
            }
            None if ends.is_some() && idle_since.elapsed() > idle_limit => {
                return Err(StreamError::Stalled { topic: kafka.topic.clone(), waited: idle_limit });
            }
            None => {}
        }
    }
    report.positions = ingest.positions();
    Ok(report)
}

/// The application transaction of `table` that records what it holds of a partition.
fn app_id(table: &str, topic: &str, partition: i32) -> String {
    format!("{table}<-kafka:{topic}:{partition}")
}

/// The last offset `table` holds of each of `partitions`.
async fn committed(
    lake: &Lakehouse,
    table: &str,
    topic: &str,
    partitions: &[i32],
) -> Result<BTreeMap<i32, i64>, StreamError> {
    let name = table.parse()?;
    let ids: BTreeMap<String, i32> = partitions.iter().map(|&p| (app_id(table, topic, p), p)).collect();
    let versions = lake.transaction_versions(&name, ids.keys().cloned()).await?;
    Ok(versions.into_iter().filter_map(|(id, version)| ids.get(&id).map(|&p| (p, version))).collect())
}

/// The partitions that rows of `batches` come from.
fn partitions_of(batches: &[RecordBatch]) -> std::collections::BTreeSet<i32> {
    use datafusion::arrow::array::{Array, Int32Array};
    let mut partitions = std::collections::BTreeSet::new();
    for batch in batches {
        if let Some(column) =
            batch.column_by_name("partition").and_then(|c| c.as_any().downcast_ref::<Int32Array>().cloned())
        {
            partitions.extend(column.iter().flatten());
        }
    }
    partitions
}
