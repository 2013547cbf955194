//! Where the lakehouse's log events go.

/// The target of the lakehouse's log events. They were `reviewlake_cluster`'s before the table
/// layer became a crate of its own, and operators' filters (`log.level`, `RUST_LOG`) still name
/// that crate: `reviewlake_cluster=info` keeps showing scans and commits.
pub(crate) const LOG_TARGET: &str = "reviewlake_cluster::lakehouse";
