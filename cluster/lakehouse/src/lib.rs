//! The lakehouse table layer: Delta tables under one root URL, read and written by the
//! distributed cluster.
//!
//! Tables live at `<root>/<schema>/<table>` for the schemas in [`LAKE_SCHEMAS`]. The
//! [`LakehouseCatalog`] exposes them to SQL by name (`silver.reviews`, time travel as
//! `silver."reviews@v3"` or `silver."reviews@2024-05-01T00:00:00Z"`). A scan resolves the
//! snapshot's active files where the plan is made and reads them as a plain Parquet
//! `DataSourceExec` on the executors; a write runs `DeltaWriteExec` on the executors and one
//! `DeltaCommitExec` that commits every file in a single Delta transaction
//! (see [`write`]). Batches a process holds (a streaming micro-batch) are appended in one
//! commit with [`Lakehouse::append_batches`]. The codecs in [`codec`] carry both across the wire.
//!
//! ```no_run
//! # async fn f() -> Result<(), Box<dyn std::error::Error>> {
//! use reviewlake_core::config::LakehouseSettings;
//! use reviewlake_lakehouse::Lakehouse;
//! let lake = Lakehouse::from_settings(&LakehouseSettings::default())?;
//! let table = lake.open(&"silver.reviews".parse()?).await?;
//! println!("version {:?}", table.version());
//! # Ok(()) }
//! ```

mod append;
pub mod catalog;
pub mod codec;
mod delta;
mod error;
mod events;
mod footprint;
mod frame;
pub mod handle;
mod lake;
pub mod maintenance;
mod name;
mod scan;
mod stats;
mod store;
pub mod table;
pub mod write;

pub use append::{AppendBatches, AppendMetrics};
pub use catalog::LakehouseCatalog;
pub use error::LakehouseError;
pub use footprint::{TableFootprint, Written};
pub use frame::WriteOutcome;
pub use lake::{CommitMark, Lakehouse};
pub use maintenance::VacuumOptions;
pub use name::{At, LAKE_SCHEMAS, TableName};
pub use store::LakeStore;
pub use table::LakehouseTable;
pub use write::{WriteMode, WriteOptions};
