//! The jobs reviewlake runs on a cluster — today the demo; the medallion, streaming and ML
//! jobs join it — and the `reviewlake` command that starts them.

pub mod demo;
pub mod generate;
