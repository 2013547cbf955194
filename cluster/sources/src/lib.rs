//! Where ingestion reads from. [`files`] are JSON Lines files (plain or gzip) in a local folder
//! or under an S3 prefix: listed where a job is planned, read by the executors through
//! `read_text_lines`, so that ingestion jobs are distributed plans. [`kafka`] is a
//! Kafka-protocol topic (Azure Event Hubs, Kafka, tansu) read in micro-batches.

pub mod files;
pub mod kafka;

pub use files::{SourceError, SourceFile, SourceLocation, SourceStore, lines_type, read_text_lines, scalar_functions};

/// Ingestion spreads source files over its tasks by size with it.
pub use reviewlake_core::bin_pack;
