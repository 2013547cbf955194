//! The jobs reviewlake runs on a cluster — the demo, the data generator, bronze batch
//! ingestion, streaming ingestion, the silver and gold layers, and the sentiment models'
//! features, training and registry. The `reviewlake` command that starts them is the
//! `reviewlake-cli` package.

pub mod demo;
pub mod generate;
pub mod ingest;
pub mod medallion;
pub mod ml;
mod scope;
pub mod stream;
