//! Distributed Delta writes.
//!
//! ```text
//! DeltaCommitExec        one task: commits every file in one Delta transaction
//!   CoalescePartitionsExec   (Ballista stage boundary)
//!     DeltaWriteExec     one task per input partition: writes Parquet, emits Add actions
//!       <input>          hash-partitioned by the partition columns when there are any
//! ```
//!
//! A job that fails before the commit task commits nothing (its files are orphans that
//! `VACUUM` removes). Every commit carries an application transaction, so a retried commit
//! task, or a retried job with the same transaction, does not write twice.

pub mod commit;
pub mod exec;
pub mod plan;
pub mod spec;

pub use commit::DeltaCommitExec;
pub use exec::DeltaWriteExec;
pub use spec::{WriteMode, WriteOptions, WriteSpec};
