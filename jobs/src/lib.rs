//! The jobs reviewlake runs on a cluster — the demo, the data generator and bronze batch
//! ingestion; silver, gold, streaming and ML jobs join them — and the `reviewlake` command that
//! starts them.

pub mod demo;
pub mod generate;
pub mod ingest;
