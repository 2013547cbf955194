//! [`LakehouseTable`]: a Delta table pinned to one version, as a DataFusion `TableProvider`.
//!
//! Its `scan` lists the snapshot's active files with their partition values and statistics,
//! skips files the filters rule out, and returns a plain Parquet `DataSourceExec`, which
//! Ballista ships to the executors as it is. Its `insert_into` returns the distributed write
//! plan of [`crate::write`].

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, LazyLock, Mutex};

use async_trait::async_trait;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::Session;
use datafusion::common::{DFSchema, Statistics};
use datafusion::datasource::TableProvider;
use datafusion::datasource::physical_plan::{FileScanConfigBuilder, ParquetSource};
use datafusion::datasource::source::DataSourceExec;
use datafusion::datasource::table_schema::TableSchema;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::object_store::ObjectStoreUrl;
use datafusion::logical_expr::dml::InsertOp;
use datafusion::logical_expr::utils::conjunction;
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown, TableType};
use datafusion::physical_optimizer::pruning::PruningPredicateBuilder;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::empty::EmptyExec;
use deltalake::DeltaTable;
use url::Url;

use crate::delta::open_table;
use crate::error::LakehouseError;
use crate::events::LOG_TARGET;
use crate::handle::{TableHandle, WriteTarget, store_for, store_key};
use crate::scan::{ScanLayout, active_files, bin_pack};
use crate::stats::FilePruningStatistics;
use crate::write::plan::write_plan;
use crate::write::spec::{WriteMode, WriteSpec};

/// A Delta table at one version.
///
/// The schema lists columns in the table's order, partition columns included. Tables using
/// deletion vectors or column mapping are refused when opened and again when scanned.
#[derive(Debug, Clone)]
pub struct LakehouseTable {
    handle: TableHandle,
    schema: SchemaRef,
}

impl LakehouseTable {
    /// A provider for an opened table, after checking that reviewlake can read it.
    pub fn from_delta(name: &str, table: &DeltaTable) -> Result<Self, LakehouseError> {
        let snapshot = table.snapshot().map_err(|source| LakehouseError::Delta { name: name.into(), source })?;
        check_readable(name, table)?;
        let handle = TableHandle {
            name: name.to_string(),
            url: table.table_url().clone(),
            version: Some(snapshot.version()),
            write: WriteTarget::default(),
            changes_since: None,
        };
        remember(&handle.url, snapshot.version(), table);
        Ok(Self { handle, schema: snapshot.snapshot().arrow_schema() })
    }

    /// A provider rebuilt from a handle and the schema it was planned with (on the
    /// scheduler, from the wire). The snapshot is opened when first needed.
    pub fn from_handle(handle: TableHandle, schema: SchemaRef) -> Self {
        Self { handle, schema }
    }

    /// The same table with other write options.
    pub fn with_write_target(mut self, write: WriteTarget) -> Self {
        self.handle.write = write;
        self
    }

    /// The same table, scanning only the files added after `version`: the rows appended since
    /// then, for an append-only table.
    pub fn changes_since(mut self, version: u64) -> Self {
        self.handle.changes_since = Some(version);
        self
    }

    /// The same table with another schema (a write that adds columns).
    pub fn with_schema(mut self, schema: SchemaRef) -> Self {
        self.schema = schema;
        self
    }

    /// What the wire carries.
    pub fn handle(&self) -> &TableHandle {
        &self.handle
    }

    /// Loads the pinned snapshot through the session's object store.
    pub(crate) async fn delta_table(&self, state: &dyn Session) -> Result<DeltaTable, LakehouseError> {
        let version = self.handle.version.ok_or_else(|| LakehouseError::NoSuchTable {
            name: self.handle.name.clone(),
            url: self.handle.url.to_string(),
        })?;
        if let Some(table) = recall(&self.handle.url, version) {
            return Ok(table);
        }
        let store = store_for(state, &self.handle.url)?;
        let table = open_table(&store, &self.handle.url, Some(version)).await?;
        check_readable(&self.handle.name, &table)?;
        remember(&self.handle.url, version, &table);
        Ok(table)
    }

    fn partition_columns(table: &DeltaTable) -> Result<Vec<String>, LakehouseError> {
        Ok(table
            .snapshot()
            .map_err(|source| LakehouseError::Delta { name: table.table_url().to_string(), source })?
            .metadata()
            .partition_columns()
            .to_vec())
    }
}

#[async_trait]
impl TableProvider for LakehouseTable {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    fn supports_filters_pushdown(&self, filters: &[&Expr]) -> Result<Vec<TableProviderFilterPushDown>> {
        // Inexact: filters prune files and row groups, and DataFusion still applies them.
        Ok(vec![TableProviderFilterPushDown::Inexact; filters.len()])
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let table = self.delta_table(state).await?;
        let partition_columns = Self::partition_columns(&table)?;
        let layout = ScanLayout::new(&self.schema, &partition_columns)?;
        let mut files = active_files(&self.handle, &table, &layout)?;
        if let Some(since) = self.handle.changes_since {
            let earlier = Self {
                handle: TableHandle { version: Some(since), changes_since: None, ..self.handle.clone() },
                schema: self.schema.clone(),
            };
            let earlier = earlier.delta_table(state).await?;
            let seen: std::collections::HashSet<_> =
                active_files(&self.handle, &earlier, &layout)?.into_iter().map(|f| f.object_meta.location).collect();
            files.retain(|file| !seen.contains(&file.object_meta.location));
        }
        let listed = files.len();
        if let Some(predicate) = conjunction(filters.iter().cloned()) {
            let df_schema = DFSchema::try_from(self.schema.as_ref().clone())?;
            let physical = state.create_physical_expr(predicate, &df_schema)?;
            if let Some(pruning) = PruningPredicateBuilder::new().with_file_schema(self.schema.clone()).build(physical)
            {
                let keep = pruning.prune(&FilePruningStatistics::new(&files, &layout.scan_schema))?;
                files = files.into_iter().zip(keep).filter_map(|(file, keep)| keep.then_some(file)).collect();
            }
        }
        let files_scanned = files.len();
        tracing::info!(target: LOG_TARGET, table = %self.handle.name, version = ?self.handle.version, listed, scanned = files_scanned, "delta scan");

        let statistics =
            Statistics::try_merge_iter(files.iter().filter_map(|file| file.statistics.as_deref()), &layout.scan_schema)
                .unwrap_or_else(|_| Statistics::new_unknown(&layout.scan_schema));
        let statistics = if files.iter().all(|file| file.statistics.is_some()) && !files.is_empty() {
            statistics
        } else {
            Statistics::new_unknown(&layout.scan_schema)
        };
        let source = ParquetSource::new(
            TableSchema::builder(layout.file_schema.clone())
                .with_table_partition_cols(layout.partition_fields.clone())
                .build(),
        )
        .with_table_parquet_options(state.table_options().parquet.clone());
        let store_url = ObjectStoreUrl::parse(store_key(&self.handle.url))?;
        let config = FileScanConfigBuilder::new(store_url, Arc::new(source))
            .with_file_groups(bin_pack(files, state.config().target_partitions()))
            .with_projection_indices(Some(layout.projection(projection)))?
            .with_limit(if filters.is_empty() { limit } else { None })
            .with_statistics(statistics)
            .build();
        let scan = DataSourceExec::from_data_source(config);
        if files_scanned == 0 {
            // One empty partition rather than a scan of no files: Ballista's adaptive planner
            // waits forever for the shuffle of a stage without tasks (a window over an empty
            // table never finishes).
            return Ok(Arc::new(EmptyExec::new(scan.schema())));
        }
        Ok(scan)
    }

    async fn insert_into(
        &self,
        state: &dyn Session,
        input: Arc<dyn ExecutionPlan>,
        insert_op: InsertOp,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let target = &self.handle.write;
        let (mode, partition_by, configuration, read_version) = match &target.create {
            Some(create) => {
                let mode = if create.replace { WriteMode::CreateOrReplace } else { WriteMode::Create };
                (mode, create.partition_by.clone(), HashMap::new(), None)
            }
            None => {
                let table = self.delta_table(state).await?;
                let snapshot = table
                    .snapshot()
                    .map_err(|source| LakehouseError::Delta { name: self.handle.name.clone(), source })?;
                let mode = match insert_op {
                    InsertOp::Append => WriteMode::Append,
                    InsertOp::Overwrite => WriteMode::Overwrite,
                    InsertOp::Replace => {
                        return Err(DataFusionError::NotImplemented(format!(
                            "{}: REPLACE INTO is not supported on Delta tables; use INSERT OVERWRITE",
                            self.handle.name
                        )));
                    }
                };
                let configuration = snapshot.metadata().configuration().clone();
                (mode, snapshot.metadata().partition_columns().to_vec(), configuration, self.handle.version)
            }
        };
        let spec = WriteSpec::new(&self.handle, &self.schema, mode, partition_by, configuration, read_version)?;
        write_plan(spec, input, state.config().target_partitions())
    }
}

/// Refuses tables whose data this scan would read wrongly.
fn check_readable(name: &str, table: &DeltaTable) -> Result<(), LakehouseError> {
    let unsupported =
        |feature: &str| LakehouseError::Unsupported { name: name.to_string(), feature: feature.to_string() };
    let snapshot = table.snapshot().map_err(|source| LakehouseError::Delta { name: name.into(), source })?;
    let mapping = snapshot.metadata().configuration().get("delta.columnMapping.mode").map(String::as_str);
    if mapping.is_some_and(|mode| mode != "none") {
        return Err(unsupported("column mapping (delta.columnMapping.mode)"));
    }
    let log =
        snapshot.snapshot().try_log_data().map_err(|source| LakehouseError::Delta { name: name.into(), source })?;
    if log.iter().any(|file| file.deletion_vector_descriptor().is_some()) {
        return Err(unsupported("deletion vectors"));
    }
    Ok(())
}

/// Snapshots recently opened in this process, so that planning and scanning the same version
/// read the log once. Versions never change, so entries never go stale.
static SNAPSHOTS: LazyLock<Mutex<VecDeque<(Url, u64, DeltaTable)>>> = LazyLock::new(|| Mutex::new(VecDeque::new()));
const SNAPSHOT_CACHE_ENTRIES: usize = 32;

fn recall(url: &Url, version: u64) -> Option<DeltaTable> {
    let cache = SNAPSHOTS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    cache.iter().find(|(u, v, _)| u == url && *v == version).map(|(_, _, table)| table.clone())
}

fn remember(url: &Url, version: u64, table: &DeltaTable) {
    let mut cache = SNAPSHOTS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if cache.iter().any(|(u, v, _)| u == url && *v == version) {
        return;
    }
    if cache.len() == SNAPSHOT_CACHE_ENTRIES {
        cache.pop_front();
    }
    cache.push_back((url.clone(), version, table.clone()));
}
