//! The lakehouse table layer: Delta tables under one root URL, read and written by the
//! distributed cluster.
//!
//! Tables live at `<root>/<schema>/<table>` for the schemas in [`LAKE_SCHEMAS`]. The
//! [`LakehouseCatalog`] exposes them to SQL by name (`silver.reviews`, time travel as
//! `silver."reviews@v3"` or `silver."reviews@2024-05-01T00:00:00Z"`). A scan resolves the
//! snapshot's active files where the plan is made and reads them as a plain Parquet
//! `DataSourceExec` on the executors; a write runs `DeltaWriteExec` on the executors and one
//! `DeltaCommitExec` that commits every file in a single Delta transaction
//! (see [`write`]). The codecs in [`codec`] carry both across the wire.
//!
//! ```no_run
//! # async fn f() -> Result<(), Box<dyn std::error::Error>> {
//! use reviewlake_cluster::config::LakehouseSettings;
//! use reviewlake_cluster::lakehouse::Lakehouse;
//! let lake = Lakehouse::from_settings(&LakehouseSettings::default())?;
//! let table = lake.open(&"silver.reviews".parse()?).await?;
//! println!("version {:?}", table.version());
//! # Ok(()) }
//! ```

pub mod catalog;
pub mod codec;
mod frame;
pub mod maintenance;
mod name;
mod stats;
mod store;
pub mod table;
pub mod write;

use std::sync::Arc;

use deltalake::{DeltaTable, DeltaTableBuilder, DeltaTableError};
use futures::StreamExt;
use object_store::ObjectStore;
use object_store::path::Path as StorePath;
use url::Url;

pub use catalog::LakehouseCatalog;
pub use frame::WriteOutcome;
pub use maintenance::VacuumOptions;
pub use name::{At, TableName};
pub use store::LakeStore;
pub(crate) use store::s3_store;
pub use table::LakehouseTable;
pub use write::{WriteMode, WriteOptions};

use crate::config::LakehouseSettings;
use crate::sources::SourceStore;

/// The schemas a lakehouse holds.
pub const LAKE_SCHEMAS: [&str; 4] = ["bronze", "silver", "gold", "ml"];

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

/// A lakehouse: its root, its object store and its schemas.
#[derive(Debug, Clone)]
pub struct Lakehouse {
    store: LakeStore,
    sources: SourceStore,
}

impl Lakehouse {
    /// Opens the lakehouse `settings` describe (creating a local root when missing).
    pub fn from_settings(settings: &LakehouseSettings) -> Result<Arc<Self>, LakehouseError> {
        Ok(Arc::new(Self {
            store: LakeStore::from_settings(settings)?,
            sources: SourceStore::new(settings.s3.clone()),
        }))
    }

    /// The root URL, ending with `/`.
    pub fn root(&self) -> &Url {
        &self.store.root
    }

    /// The object store and its registration URL.
    pub fn store(&self) -> &LakeStore {
        &self.store
    }

    /// Where ingestion lists and reads source files, with this lakehouse's S3 settings.
    pub fn sources(&self) -> &SourceStore {
        &self.sources
    }

    /// The URL of a table's folder, ending with `/`.
    pub fn table_url(&self, name: &TableName) -> Url {
        self.store.root.join(&format!("{}/{}/", name.schema, name.table)).expect("schema and table names are URL-safe")
    }

    /// True when a Delta log exists at `url`.
    pub async fn exists(&self, url: &Url) -> Result<bool, LakehouseError> {
        table_exists(self.store.store.as_ref(), url).await
    }

    /// Opens a table at its latest version, or at the version or time in `name.at`.
    pub async fn open(&self, name: &TableName) -> Result<DeltaTable, LakehouseError> {
        let url = self.table_url(name);
        if !self.exists(&url).await? {
            return Err(LakehouseError::NoSuchTable { name: name.qualified(), url: url.to_string() });
        }
        let builder = delta_builder(&self.store.store, &url, &name.qualified())?;
        let builder = match name.at {
            None => builder,
            Some(At::Version(version)) => builder.with_version(version),
            Some(At::Timestamp(time)) => builder.with_timestamp(time),
        };
        builder.load().await.map_err(|source| LakehouseError::Delta { name: name.qualified(), source })
    }

    /// A provider for the table `name` at its latest (or pinned) version.
    pub async fn provider(&self, name: &TableName) -> Result<LakehouseTable, LakehouseError> {
        let table = self.open(name).await?;
        LakehouseTable::from_delta(&name.qualified(), &table)
    }

    /// The table's latest version, or `None` when it does not exist.
    pub async fn latest_version(&self, name: &TableName) -> Result<Option<u64>, LakehouseError> {
        match self.open(&name.latest()).await {
            Ok(table) => Ok(table.version()),
            Err(LakehouseError::NoSuchTable { .. }) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// The version of application transaction `app_id` recorded in table `name`.
    pub async fn transaction_version(&self, name: &TableName, app_id: &str) -> Result<Option<i64>, LakehouseError> {
        let table = match self.open(&name.latest()).await {
            Ok(table) => table,
            Err(LakehouseError::NoSuchTable { .. }) => return Ok(None),
            Err(error) => return Err(error),
        };
        committed_transaction(&table, &name.qualified(), app_id).await
    }

    /// The tables of `schema` (folders holding a Delta log), sorted.
    pub async fn list_tables(&self, schema: &str) -> Result<Vec<String>, LakehouseError> {
        let prefix = root_path(&self.store.root)?.join(schema);
        let listing = self
            .store
            .store
            .list_with_delimiter(Some(&prefix))
            .await
            .map_err(|source| LakehouseError::ObjectStore { what: format!("listing schema {schema}"), source })?;
        let mut names = Vec::new();
        for folder in listing.common_prefixes {
            let Some(table) = folder.filename() else { continue };
            let url = self
                .store
                .root
                .join(&format!("{schema}/{table}/"))
                .map_err(|e| LakehouseError::InvalidName { name: table.to_string(), reason: e.to_string() })?;
            if self.exists(&url).await? {
                names.push(table.to_string());
            }
        }
        names.sort();
        Ok(names)
    }
}

/// The version of application transaction `app_id` recorded in the opened `table`.
pub(crate) async fn committed_transaction(
    table: &DeltaTable,
    name: &str,
    app_id: &str,
) -> Result<Option<i64>, LakehouseError> {
    let delta = |source| LakehouseError::Delta { name: name.to_string(), source };
    table.snapshot().map_err(delta)?.transaction_version(table.log_store().as_ref(), app_id).await.map_err(delta)
}

/// deltalake finds the log store of a table by its URL's scheme and knows only `file://` and
/// `memory://` without its `s3` feature (which would build the whole AWS SDK). Every store here is
/// an object_store handed over with the table, and object_store's S3 client commits with
/// conditional PUT (`If-None-Match: *`), so the default log store is the right one for `s3://`.
fn register_s3_log_store() {
    static REGISTERED: std::sync::Once = std::sync::Once::new();
    REGISTERED.call_once(|| {
        let factories = deltalake::logstore::logstore_factories();
        let file = Url::parse("file://").expect("a valid URL");
        let default = factories.get(&file).map(|entry| entry.value().clone());
        if let Some(default) = default {
            factories.insert(Url::parse("s3://").expect("a valid URL"), default);
        }
    });
}

/// A deltalake builder for the table at `url`, over `store` (rooted at `/` or the bucket).
pub(crate) fn delta_builder(
    store: &Arc<dyn ObjectStore>,
    url: &Url,
    name: &str,
) -> Result<DeltaTableBuilder, LakehouseError> {
    register_s3_log_store();
    Ok(DeltaTableBuilder::from_url(url.clone())
        .map_err(|source| LakehouseError::Delta { name: name.to_string(), source })?
        .with_storage_backend(store.clone(), url.clone()))
}

/// Opens the table at `url` at `version` (latest when `None`).
pub(crate) async fn open_table(
    store: &Arc<dyn ObjectStore>,
    url: &Url,
    version: Option<u64>,
) -> Result<DeltaTable, LakehouseError> {
    let builder = delta_builder(store, url, url.as_str())?;
    let builder = match version {
        Some(version) => builder.with_version(version),
        None => builder,
    };
    builder.load().await.map_err(|source| LakehouseError::Delta { name: url.to_string(), source })
}

/// The object-store path of a URL (`/data/lake/` -> `data/lake`, `s3://b/p/` -> `p`).
pub(crate) fn root_path(url: &Url) -> Result<StorePath, LakehouseError> {
    StorePath::from_url_path(url.path())
        .map_err(|e| LakehouseError::InvalidName { name: url.to_string(), reason: e.to_string() })
}

pub(crate) async fn table_exists(store: &dyn ObjectStore, url: &Url) -> Result<bool, LakehouseError> {
    let log = root_path(url)?.join("_delta_log");
    match store.list(Some(&log)).next().await {
        None => Ok(false),
        Some(Ok(_)) => Ok(true),
        Some(Err(object_store::Error::NotFound { .. })) => Ok(false),
        Some(Err(source)) => {
            Err(LakehouseError::ObjectStore { what: format!("looking for a Delta log at {url}"), source })
        }
    }
}
