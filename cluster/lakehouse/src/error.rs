//! [`LakehouseError`]: every failure of the lakehouse layer, naming the table or setting.

use deltalake::DeltaTableError;

/// Errors of the lakehouse layer. Each names the table or setting it is about.
#[derive(Debug, thiserror::Error)]
pub enum LakehouseError {
    /// `lakehouse.root` cannot be used.
    #[error("lakehouse.root {root:?}: {reason}")]
    InvalidRoot {
        /// The configured root.
        root: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The object store could not be set up.
    #[error("lakehouse.root {root}: cannot set up the object store: {reason}")]
    Store {
        /// The configured root.
        root: String,
        /// The store's error.
        reason: String,
    },
    /// A table name is malformed.
    #[error("invalid table name {name:?}: {reason}")]
    InvalidName {
        /// The name given.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The table does not exist.
    #[error("table {name} does not exist (no Delta log at {url})")]
    NoSuchTable {
        /// `schema.table`.
        name: String,
        /// Where it was looked for.
        url: String,
    },
    /// The table exists where a new one was to be created.
    #[error("table {name} already exists")]
    AlreadyExists {
        /// `schema.table`.
        name: String,
    },
    /// The table uses a Delta feature reviewlake cannot read correctly.
    #[error("table {name} uses {feature}, which reviewlake does not support; it is refused rather than read wrongly")]
    Unsupported {
        /// `schema.table` or the table URL.
        name: String,
        /// The feature.
        feature: String,
    },
    /// A write does not fit the table.
    #[error("cannot write to {name}: {reason}")]
    SchemaMismatch {
        /// `schema.table`.
        name: String,
        /// What does not fit.
        reason: String,
    },
    /// Another writer committed past this write's application transaction: two writers are
    /// consuming the same source.
    #[error(
        "{name}: transaction {app_id} is already at version {committed}, this write would record {version}; another writer consumes the same source"
    )]
    TransactionAhead {
        /// `schema.table`.
        name: String,
        /// The application transaction.
        app_id: String,
        /// Its version in the table.
        committed: i64,
        /// The version this write carries.
        version: i64,
    },
    /// deltalake failed.
    #[error("table {name}: {source}")]
    Delta {
        /// `schema.table` or the table URL.
        name: String,
        /// deltalake's error.
        #[source]
        source: DeltaTableError,
    },
    /// The object store failed.
    #[error("{what}: {source}")]
    ObjectStore {
        /// What was being done.
        what: String,
        /// The store's error.
        #[source]
        source: object_store::Error,
    },
    /// DataFusion failed.
    #[error(transparent)]
    DataFusion(#[from] datafusion::error::DataFusionError),
}

impl From<LakehouseError> for datafusion::error::DataFusionError {
    fn from(error: LakehouseError) -> Self {
        match error {
            LakehouseError::DataFusion(error) => error,
            other => datafusion::error::DataFusionError::External(Box::new(other)),
        }
    }
}
