//! `produce`: replays review JSON-lines files as events of a topic, one review per event, in
//! the seed's event shape ([`review_event`]).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use futures::StreamExt;
use futures::stream::FuturesUnordered;
use reviewlake_cluster::sources::kafka::{Delivery, EventProducer, KafkaError, KafkaOptions};

use super::StreamError;
use super::event::{partition_number, review_event};

/// What to replay and how fast.
#[derive(Debug, Clone)]
pub struct ProduceOptions {
    /// JSON-lines files, `.json` or `.json.gz`.
    pub files: Vec<PathBuf>,
    /// Events per second; as fast as the broker takes them when `None`.
    pub rate: Option<u64>,
    /// Partitions of the topic when it is created.
    pub partitions: i32,
    /// Create the topic when it does not exist.
    pub create: bool,
}

/// What a replay sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProduceReport {
    /// Events delivered per partition.
    pub per_partition: BTreeMap<i32, u64>,
    /// Lines sent as they were, not being JSON objects.
    pub verbatim: u64,
    /// Blank lines, which are not events.
    pub blank: u64,
    /// True when this replay created the topic.
    pub created_topic: bool,
    /// Wall-clock time of the replay.
    pub elapsed: Duration,
}

impl ProduceReport {
    /// Events delivered.
    pub fn total(&self) -> u64 {
        self.per_partition.values().sum()
    }
}

/// Events in flight at once: enough to keep the producer's batches full.
const IN_FLIGHT: usize = 10_000;

/// Sends every line of `options.files` as an event.
pub async fn produce_files(kafka: &KafkaOptions, options: &ProduceOptions) -> Result<ProduceReport, StreamError> {
    let started = Instant::now();
    let producer = EventProducer::connect(kafka)?;
    let mut report = ProduceReport::default();
    if options.create {
        report.created_topic = producer.create_topic(options.partitions).await?;
    }
    producer.partitions().await?;
    let mut in_flight = FuturesUnordered::new();
    let mut sent = 0u64;
    for (index, path) in options.files.iter().enumerate() {
        let number = partition_number(path).unwrap_or(index as u32);
        let mut lines = open_lines(path)?;
        let mut line = Vec::new();
        loop {
            line.clear();
            let read = lines
                .read_until(b'\n', &mut line)
                .map_err(|source| StreamError::File { path: path.clone(), source })?;
            if read == 0 {
                break;
            }
            let text = String::from_utf8_lossy(&line);
            let text = text.trim_end_matches(['\n', '\r']);
            if text.trim().is_empty() {
                report.blank += 1;
                continue;
            }
            let (key, body) = match review_event(text, number, index as u32) {
                Some((key, body)) => (key, body.into_bytes()),
                None => {
                    report.verbatim += 1;
                    (None, line.strip_suffix(b"\n").unwrap_or(&line).to_vec())
                }
            };
            if let Some(rate) = options.rate.filter(|&rate| rate > 0) {
                let due = started + Duration::from_secs_f64(sent as f64 / rate as f64);
                if let Some(ahead) = due.checked_duration_since(Instant::now()) {
                    tokio::time::sleep(ahead).await;
                }
            }
            let producer = producer.clone();
            in_flight.push(async move { producer.send(key.as_deref(), &body).await });
            sent += 1;
            while in_flight.len() >= IN_FLIGHT {
                record(&mut report, in_flight.next().await)?;
            }
        }
    }
    while !in_flight.is_empty() {
        record(&mut report, in_flight.next().await)?;
    }
    producer.flush().await?;
    report.elapsed = started.elapsed();
    tracing::info!(events = report.total(), seconds = report.elapsed.as_secs_f64(), "events produced");
    Ok(report)
}

fn record(report: &mut ProduceReport, delivery: Option<Result<Delivery, KafkaError>>) -> Result<(), StreamError> {
    if let Some(delivery) = delivery {
        *report.per_partition.entry(delivery?.partition).or_default() += 1;
    }
    Ok(())
}

/// The lines of a `.json` or `.json.gz` file.
fn open_lines(path: &PathBuf) -> Result<Box<dyn BufRead>, StreamError> {
    let file = std::fs::File::open(path).map_err(|source| StreamError::File { path: path.clone(), source })?;
    let reader: Box<dyn Read> = if path.extension().is_some_and(|extension| extension == "gz") {
        Box::new(flate2::read::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };
    Ok(Box::new(BufReader::with_capacity(1 << 20, reader)))
}
