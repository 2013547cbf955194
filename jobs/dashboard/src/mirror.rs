//! The dashboard's copy of the tables its panels read.
//!
//! Aggregate tables are small: each is read through the cluster once per Delta version and kept
//! in memory, so a panel over them is answered in this process in milliseconds. `gold.reviews`
//! is only watched (its version keys the cache of filtered answers), never copied. A poll of
//! every table's log (one short listing each) finds new versions; each round that finds one
//! publishes a new [`GoldStatus`] to the pages' event streams.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use async_trait::async_trait;
use datafusion::arrow::array::RecordBatch;
use datafusion::catalog::{SchemaProvider, TableProvider};
use datafusion::datasource::MemTable;
use datafusion::error::{DataFusionError, Result as DataFusionResult};
use datafusion::prelude::{SessionConfig, SessionContext};
use reviewlake_cluster::lakehouse::{At, CommitMark, Lakehouse, TableName};
use serde::Serialize;
use tokio::sync::watch;

use crate::catalog::{self, CUBE_TABLE, REVIEWS_TABLE};
use crate::error::DashboardError;

/// Partitions of an in-memory copy, so a panel's query uses both cores of a small machine.
const COPY_PARTITIONS: usize = 2;

/// What the pages show of gold's freshness.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GoldStatus {
    /// Version of `gold.review_cube`, rebuilt on every gold run; `None` before the first.
    pub version: Option<u64>,
    /// When that version was committed, ms since the epoch.
    pub updated_at_ms: Option<i64>,
    /// The version of every table the panels read, by name.
    pub tables: BTreeMap<String, u64>,
}

/// The watched tables, their in-memory copies and the status they add up to.
pub struct Mirror {
    lake: Arc<Lakehouse>,
    cluster: SessionContext,
    local: SessionContext,
    schemas: HashMap<&'static str, Arc<CopySchema>>,
    marks: Mutex<BTreeMap<&'static str, CommitMark>>,
    status: watch::Sender<GoldStatus>,
    reloads: AtomicU64,
}

impl Mirror {
    /// A mirror of the panels' tables of `lake`, read through `cluster`. Nothing is loaded
    /// until [`Mirror::refresh`].
    pub fn new(cluster: SessionContext, lake: Arc<Lakehouse>) -> Result<Self, DashboardError> {
        let config = SessionConfig::new().with_target_partitions(COPY_PARTITIONS).with_information_schema(false);
        let local = SessionContext::new_with_config(config);
        let catalog = local.catalog("datafusion").ok_or_else(|| {
            DashboardError::DataFusion(DataFusionError::Internal("a new session has a default catalog".into()))
        })?;
        let mut schemas = HashMap::new();
        for table in catalog::tables() {
            let schema = table.split_once('.').map_or(table, |(schema, _)| schema);
            if !schemas.contains_key(schema) {
                let provider = Arc::new(CopySchema::default());
                catalog.register_schema(schema, provider.clone())?;
                schemas.insert(schema, provider);
            }
        }
        Ok(Self {
            lake,
            cluster,
            local,
            schemas,
            marks: Mutex::default(),
            status: watch::Sender::new(GoldStatus::default()),
            reloads: AtomicU64::new(0),
        })
    }

    /// The session holding the in-memory copies.
    pub fn local(&self) -> &SessionContext {
        &self.local
    }

    /// The session on the cluster.
    pub fn cluster(&self) -> &SessionContext {
        &self.cluster
    }

    /// The version of `table` the mirror holds, `None` while it does not exist.
    pub fn version(&self, table: &str) -> Option<u64> {
        self.marks().get(table).map(|mark| mark.version)
    }

    /// The current status.
    pub fn status(&self) -> GoldStatus {
        self.status.borrow().clone()
    }

    /// A receiver told of every new status.
    pub fn subscribe(&self) -> watch::Receiver<GoldStatus> {
        self.status.subscribe()
    }

    /// Table copies loaded since the start.
    pub fn reloads(&self) -> u64 {
        self.reloads.load(Ordering::Relaxed)
    }

    /// Looks for new versions of every table and loads the new ones; returns true when any
    /// table changed. A table that fails to load keeps its previous copy and the error is
    /// returned after the others were tried.
    pub async fn refresh(&self) -> Result<bool, DashboardError> {
        let mut changed = false;
        let mut first_error = None;
        // One table after the other: each load is a cluster job, and the tables are small.
        for table in catalog::tables() {
            match self.refresh_table(table).await {
                Ok(Some((table, mark))) => {
                    self.marks().insert(table, mark);
                    changed = true;
                }
                Ok(None) => {}
                Err(error) => first_error = first_error.or(Some(error)),
            }
        }
        if changed {
            self.publish();
        }
        first_error.map_or(Ok(changed), Err)
    }

    /// Refreshes every `interval` until the process ends, logging failures (each distinct
    /// one once, so a lost store does not flood the log).
    pub async fn run(self: Arc<Self>, interval: Duration) {
        let mut last_error = None;
        loop {
            tokio::time::sleep(interval).await;
            match self.refresh().await {
                Ok(_) => last_error = None,
                Err(error) => {
                    let message = error.to_string();
                    if last_error.as_ref() != Some(&message) {
                        tracing::warn!(error = %message, "refreshing the dashboard's tables failed; retrying");
                        last_error = Some(message);
                    }
                }
            }
        }
    }

    /// The newest commit of `table` past the one held, with the table's copy loaded when it
    /// is one the mirror copies.
    async fn refresh_table(&self, table: &'static str) -> Result<Option<(&'static str, CommitMark)>, DashboardError> {
        let name: TableName = table.parse()?;
        let held = self.marks().get(table).map(|mark| mark.version);
        let Some(mark) = self.lake.newest_commit(&name, held).await? else { return Ok(None) };
        if held.is_some_and(|held| mark.version <= held) {
            return Ok(None);
        }
        if table != REVIEWS_TABLE {
            self.load(&name, mark.version).await?;
        }
        Ok(Some((table, mark)))
    }

    /// Reads version `version` of `name` through the cluster into its in-memory copy.
    async fn load(&self, name: &TableName, version: u64) -> Result<(), DashboardError> {
        let pinned = TableName { at: Some(At::Version(version)), ..name.clone() };
        let provider = Arc::new(self.lake.provider(&pinned).await?);
        let schema = provider.schema();
        let batches = self.cluster.read_table(provider)?.collect().await?;
        let mut partitions: Vec<Vec<RecordBatch>> = vec![Vec::new(); COPY_PARTITIONS];
        for (i, batch) in batches.into_iter().enumerate() {
            partitions[i % COPY_PARTITIONS].push(batch);
        }
        let copy = Arc::new(MemTable::try_new(schema, partitions)?);
        let schema = self.schemas.get(name.schema.as_str()).ok_or_else(|| {
            DashboardError::DataFusion(DataFusionError::Internal(format!("no copy schema for {}", name.qualified())))
        })?;
        schema.replace(&name.table, copy);
        self.reloads.fetch_add(1, Ordering::Relaxed);
        tracing::debug!(table = %name.qualified(), version, "dashboard copy loaded");
        Ok(())
    }

    fn publish(&self) {
        let marks = self.marks();
        let cube = marks.get(CUBE_TABLE);
        let status = GoldStatus {
            version: cube.map(|mark| mark.version),
            updated_at_ms: cube.map(|mark| mark.committed_at_ms),
            tables: marks.iter().map(|(table, mark)| (table.to_string(), mark.version)).collect(),
        };
        drop(marks);
        self.status.send_replace(status);
    }

    fn marks(&self) -> std::sync::MutexGuard<'_, BTreeMap<&'static str, CommitMark>> {
        self.marks.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A schema of in-memory copies whose tables are replaced in one step, so a query planned
/// while a new version loads sees the old copy or the new one, never no table.
#[derive(Debug, Default)]
struct CopySchema {
    tables: RwLock<HashMap<String, Arc<dyn TableProvider>>>,
}

impl CopySchema {
    fn replace(&self, table: &str, copy: Arc<dyn TableProvider>) {
        self.tables.write().unwrap_or_else(|poisoned| poisoned.into_inner()).insert(table.to_string(), copy);
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<String, Arc<dyn TableProvider>>> {
        self.tables.read().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[async_trait]
impl SchemaProvider for CopySchema {
    fn table_names(&self) -> Vec<String> {
        self.read().keys().cloned().collect()
    }

    async fn table(&self, name: &str) -> DataFusionResult<Option<Arc<dyn TableProvider>>> {
        Ok(self.read().get(name).cloned())
    }

    fn table_exist(&self, name: &str) -> bool {
        self.read().contains_key(name)
    }
}
