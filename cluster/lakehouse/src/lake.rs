//! [`Lakehouse`]: one root URL, its object store and the Delta tables of its schemas.

use std::sync::Arc;

use deltalake::DeltaTable;
use futures::TryStreamExt;
use reviewlake_core::config::LakehouseSettings;
use url::Url;

use crate::delta::{committed_transaction, delta_builder, root_path, table_exists};
use crate::error::LakehouseError;
use crate::name::{At, TableName};
use crate::store::LakeStore;
use crate::table::LakehouseTable;

/// A table's newest commit, as its log file tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommitMark {
    /// The commit's version.
    pub version: u64,
    /// When its log file was written, ms since the epoch.
    pub committed_at_ms: i64,
}

/// A lakehouse: its root, its object store and its schemas.
#[derive(Debug, Clone)]
pub struct Lakehouse {
    store: LakeStore,
    settings: LakehouseSettings,
}

impl Lakehouse {
    /// Opens the lakehouse `settings` describe (creating a local root when missing).
    pub fn from_settings(settings: &LakehouseSettings) -> Result<Arc<Self>, LakehouseError> {
        Ok(Arc::new(Self { store: LakeStore::from_settings(settings)?, settings: settings.clone() }))
    }

    /// The root URL, ending with `/`.
    pub fn root(&self) -> &Url {
        &self.store.root
    }

    /// The object store and its registration URL.
    pub fn store(&self) -> &LakeStore {
        &self.store
    }

    /// The settings it was opened with. Whatever else reaches S3 with the lakehouse's
    /// credentials (the ingest sources) is built from them.
    pub fn settings(&self) -> &LakehouseSettings {
        &self.settings
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

    /// The newest commit of table `name` past version `after` (any commit when `None`), or
    /// `None` when there is none. Only log entries named after `after` are listed, so polling a
    /// long log for news stays one short listing.
    pub async fn newest_commit(
        &self,
        name: &TableName,
        after: Option<u64>,
    ) -> Result<Option<CommitMark>, LakehouseError> {
        let log = root_path(&self.store.root)?.join(name.schema.as_str()).join(name.table.as_str()).join("_delta_log");
        let offset = after.map(|version| log.clone().join(format!("{version:020}.json")));
        let listing = match &offset {
            // Commit files are named by their zero-padded version, so names sort as versions.
            Some(offset) => self.store.store.list_with_offset(Some(&log), offset),
            None => self.store.store.list(Some(&log)),
        };
        let what = || format!("listing the log of {}", name.qualified());
        let objects: Vec<_> =
            listing.try_collect().await.map_err(|source| LakehouseError::ObjectStore { what: what(), source })?;
        Ok(objects
            .iter()
            .filter_map(|object| {
                let file = object.location.filename()?;
                let digits = file.strip_suffix(".json")?;
                let version = (digits.len() == 20).then(|| digits.parse::<u64>().ok()).flatten()?;
                Some(CommitMark { version, committed_at_ms: object.last_modified.timestamp_millis() })
            })
            .max_by_key(|mark| mark.version))
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

    /// The versions of several application transactions of table `name`, read from one
    /// snapshot; transactions the table does not hold are left out.
    pub async fn transaction_versions(
        &self,
        name: &TableName,
        app_ids: impl IntoIterator<Item = String>,
    ) -> Result<std::collections::BTreeMap<String, i64>, LakehouseError> {
        let table = match self.open(&name.latest()).await {
            Ok(table) => table,
            Err(LakehouseError::NoSuchTable { .. }) => return Ok(Default::default()),
            Err(error) => return Err(error),
        };
        let mut versions = std::collections::BTreeMap::new();
        for app_id in app_ids {
            if let Some(version) = committed_transaction(&table, &name.qualified(), &app_id).await? {
                versions.insert(app_id, version);
            }
        }
        Ok(versions)
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
