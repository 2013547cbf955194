//! The jobs reviewlake runs on a cluster — the demo, the data generator, bronze batch
//! ingestion, streaming ingestion and the silver and gold layers; ML jobs join them. The `reviewlake`
//! command that starts them is the `reviewlake-cli` package.

pub mod demo;
pub mod generate;
pub mod ingest;
pub mod medallion;
pub mod stream;
mod scope;
