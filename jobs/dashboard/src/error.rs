//! The dashboard's errors.

/// Errors of starting or running the dashboard.
#[derive(Debug, thiserror::Error)]
pub enum DashboardError {
    /// A table could not be listed or opened.
    #[error(transparent)]
    Lakehouse(#[from] reviewlake_cluster::lakehouse::LakehouseError),
    /// A table copy could not be read.
    #[error("reading a table for the dashboard: {0}")]
    DataFusion(#[from] datafusion::error::DataFusionError),
    /// The catalog could not be encoded.
    #[error(transparent)]
    Encode(#[from] crate::encode::EncodeError),
    /// The server failed.
    #[error("serving the dashboard: {source}")]
    Serve {
        /// The I/O error.
        source: std::io::Error,
    },
}
