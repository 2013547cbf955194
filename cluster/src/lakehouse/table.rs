//! [`LakehouseTable`]: a Delta table pinned to one version, as a DataFusion `TableProvider`.
//!
//! Its `scan` lists the snapshot's active files with their partition values and statistics,
//! skips files the filters rule out, and returns a plain Parquet `DataSourceExec`, which
//! Ballista ships to the executors as it is. Its `insert_into` returns the distributed write
//! plan of [`super::write`].

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, LazyLock, Mutex};

use async_trait::async_trait;
use datafusion::arrow::datatypes::{Field, FieldRef, Schema, SchemaRef};
use datafusion::catalog::Session;
use datafusion::common::{DFSchema, ScalarValue, Statistics};
use datafusion::datasource::TableProvider;
use datafusion::datasource::listing::PartitionedFile;
use datafusion::datasource::physical_plan::{FileGroup, FileScanConfigBuilder, ParquetSource};
use datafusion::datasource::source::DataSourceExec;
use datafusion::datasource::table_schema::TableSchema;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::object_store::ObjectStoreUrl;
use datafusion::logical_expr::dml::InsertOp;
use datafusion::logical_expr::utils::conjunction;
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown, TableType};
use datafusion::physical_optimizer::pruning::PruningPredicateBuilder;
use datafusion::physical_plan::ExecutionPlan;
use deltalake::DeltaTable;
use deltalake::ObjectMeta;
use object_store::ObjectStore;
use object_store::path::Path as StorePath;
use serde::{Deserialize, Serialize};
use url::Url;

use super::stats::{FilePruningStatistics, file_statistics};
use super::write::{self, WriteMode};
use super::{LakehouseError, open_table, root_path};

/// What the wire carries for a table: enough to re-open the same snapshot anywhere.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableHandle {
    /// `schema.table`, for messages.
    pub name: String,
    /// The table's folder URL, ending with `/`.
    pub url: Url,
    /// The pinned version; `None` only for a table a write is about to create.
    pub version: Option<u64>,
    /// How writes into this provider behave.
    #[serde(default)]
    pub write: WriteTarget,
    /// Scan only the files added after this version (incremental reads of append-only tables).
    #[serde(default)]
    pub changes_since: Option<u64>,
}

/// Write options a provider carries into `INSERT` plans.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WriteTarget {
    /// Set when the write creates the table (CTAS): its partition columns.
    pub create: Option<CreateTarget>,
    /// The provider's schema adds columns to the table: commit it with the data.
    pub evolve_schema: bool,
    /// Application transaction `(app_id, version)` recorded with the commit; a write whose
    /// transaction is already committed is skipped.
    pub txn: Option<(String, i64)>,
}

/// A table a write creates.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CreateTarget {
    /// Partition columns, in order.
    pub partition_by: Vec<String>,
    /// Replace the table's data and schema if it exists (`CREATE OR REPLACE`).
    pub replace: bool,
}

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
        tracing::info!(table = %self.handle.name, version = ?self.handle.version, listed, scanned = files.len(), "delta scan");

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
        Ok(DataSourceExec::from_data_source(config))
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
        let spec = write::WriteSpec::new(&self.handle, &self.schema, mode, partition_by, configuration, read_version)?;
        write::write_plan(spec, input, state.config().target_partitions())
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

/// How the provider's columns map onto the Parquet scan: file columns first, then partition
/// columns, which is the order `FileScanConfig` produces.
struct ScanLayout {
    file_schema: SchemaRef,
    partition_fields: Vec<FieldRef>,
    scan_schema: Schema,
    /// For each provider column, its index in `scan_schema`.
    scan_index: Vec<usize>,
}

impl ScanLayout {
    fn new(table_schema: &Schema, partition_columns: &[String]) -> Result<Self, LakehouseError> {
        let mut file_fields = Vec::new();
        let mut partition_fields = Vec::new();
        for column in partition_columns {
            let field = table_schema.field_with_name(column).map_err(|_| LakehouseError::SchemaMismatch {
                name: column.clone(),
                reason: format!("partition column {column} is not in the table schema"),
            })?;
            partition_fields.push(Arc::new(field.clone()));
        }
        for field in table_schema.fields() {
            if !partition_columns.contains(field.name()) {
                file_fields.push(field.clone());
            }
        }
        let scan_fields: Vec<FieldRef> = file_fields.iter().chain(&partition_fields).cloned().collect();
        let scan_schema = Schema::new(scan_fields.clone());
        let scan_index = table_schema
            .fields()
            .iter()
            .map(|field| scan_fields.iter().position(|f| f.name() == field.name()).expect("every column is placed"))
            .collect();
        Ok(Self { file_schema: Arc::new(Schema::new(file_fields)), partition_fields, scan_schema, scan_index })
    }

    fn projection(&self, projection: Option<&Vec<usize>>) -> Vec<usize> {
        match projection {
            Some(columns) => columns.iter().map(|&i| self.scan_index[i]).collect(),
            None => self.scan_index.clone(),
        }
    }
}

/// The snapshot's active files as `PartitionedFile`s with partition values and statistics.
fn active_files(
    handle: &TableHandle,
    table: &DeltaTable,
    layout: &ScanLayout,
) -> Result<Vec<PartitionedFile>, LakehouseError> {
    let delta_error = |source| LakehouseError::Delta { name: handle.name.clone(), source };
    let snapshot = table.snapshot().map_err(delta_error)?;
    let log = snapshot.snapshot().try_log_data().map_err(delta_error)?;
    let root = root_path(&handle.url)?;
    let mut files = Vec::with_capacity(log.num_files());
    for file in log.iter() {
        if file.deletion_vector_descriptor().is_some() {
            return Err(LakehouseError::Unsupported { name: handle.name.clone(), feature: "deletion vectors".into() });
        }
        let mut meta = ObjectMeta::try_from(&file).map_err(delta_error)?;
        meta.location = StorePath::from_iter(root.parts().chain(file.object_store_path().parts()));
        let raw_values = file.partition_values_map();
        let values = layout
            .partition_fields
            .iter()
            .map(|field| partition_value(raw_values.get(field.name()).cloned().flatten(), field))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| LakehouseError::SchemaMismatch { name: handle.name.clone(), reason: e.to_string() })?;
        let statistics = file_statistics(file.stats().as_deref(), meta.size, &layout.file_schema, &values);
        let mut partitioned = PartitionedFile::new_from_meta(meta).with_partition_values(values);
        partitioned.statistics = Some(Arc::new(statistics));
        files.push(partitioned);
    }
    Ok(files)
}

fn partition_value(raw: Option<String>, field: &Field) -> Result<ScalarValue> {
    match raw {
        Some(text) => ScalarValue::try_from_string(text, field.data_type()),
        None => ScalarValue::try_from(field.data_type()),
    }
}

/// Spreads files over `groups` task partitions, largest first onto the lightest group.
fn bin_pack(files: Vec<PartitionedFile>, groups: usize) -> Vec<FileGroup> {
    if files.is_empty() {
        return vec![FileGroup::new(Vec::new())];
    }
    crate::sources::bin_pack(files, groups, |file| file.object_meta.size).into_iter().map(FileGroup::new).collect()
}

/// `s3://bucket` or `file:///`: the key of the object store holding `url`.
pub(crate) fn store_key(url: &Url) -> String {
    match url.scheme() {
        "file" => "file:///".to_string(),
        scheme => format!("{scheme}://{}", url.host_str().unwrap_or_default()),
    }
}

/// The object store of `url` registered in the session's runtime.
pub(crate) fn store_for(state: &dyn Session, url: &Url) -> Result<Arc<dyn ObjectStore>, LakehouseError> {
    let key = ObjectStoreUrl::parse(store_key(url))?;
    Ok(state.runtime_env().object_store(key)?)
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

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::datatypes::DataType;

    #[test]
    fn partition_columns_move_to_the_end_of_the_scan_and_back() {
        let schema = Schema::new(vec![
            Field::new("year", DataType::Int32, true),
            Field::new("id", DataType::Int64, true),
            Field::new("text", DataType::Utf8, true),
        ]);
        let layout = ScanLayout::new(&schema, &["year".to_string()]).unwrap();
        let names: Vec<_> = layout.scan_schema.fields().iter().map(|f| f.name().clone()).collect();
        assert_eq!(names, ["id", "text", "year"]);
        assert_eq!(layout.projection(None), [2, 0, 1]);
        assert_eq!(layout.projection(Some(&vec![2, 0])), [1, 2]);
    }

    #[test]
    fn bin_packing_balances_bytes() {
        let files = [50u64, 40, 30, 20, 10]
            .iter()
            .enumerate()
            .map(|(i, size)| PartitionedFile::new(format!("f{i}"), *size))
            .collect();
        let groups = bin_pack(files, 2);
        let sizes: Vec<u64> = groups.iter().map(|g| g.files().iter().map(|f| f.object_meta.size).sum()).collect();
        assert_eq!(sizes, [80, 70]);
        assert_eq!(bin_pack(Vec::new(), 4).len(), 1);
    }

    #[test]
    fn partition_values_parse_to_column_types() {
        let date = Field::new("d", DataType::Date32, true);
        assert_eq!(partition_value(Some("2020-01-02".into()), &date).unwrap(), ScalarValue::Date32(Some(18263)));
        assert_eq!(partition_value(None, &date).unwrap(), ScalarValue::Date32(None));
        assert!(partition_value(Some("junk".into()), &date).is_err());
    }
}
