//! Table maintenance for operators: compaction, retention, the commit log, a table's
//! description, and dropping a table. These run in the calling process against the
//! lakehouse's object store; each returns a small table to print.

use std::num::NonZeroU64;
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Int64Array, RecordBatch, StringArray, UInt64Array};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use deltalake::DeltaTable;
use deltalake::operations::optimize::OptimizeType;
use deltalake::operations::vacuum::VacuumMode;
use futures::{StreamExt, TryStreamExt};
use object_store::path::Path as StorePath;
use object_store::{ObjectStore, ObjectStoreExt};
use serde_json::Value;

use crate::delta::root_path;
use crate::error::LakehouseError;
use crate::lake::Lakehouse;
use crate::name::TableName;

/// Options of [`Lakehouse::vacuum`].
#[derive(Debug, Clone, Copy)]
pub struct VacuumOptions {
    /// Keep files removed less than this many hours ago (Delta's default is 168).
    pub retain_hours: u64,
    /// Allow a retention shorter than the table's `deletedFileRetentionDuration`.
    pub allow_short_retention: bool,
    /// List what would be deleted without deleting.
    pub dry_run: bool,
}

impl Default for VacuumOptions {
    fn default() -> Self {
        Self { retain_hours: 168, allow_short_retention: false, dry_run: false }
    }
}

impl Lakehouse {
    /// Compacts small files into files of about `target_bytes`, in one commit.
    pub async fn optimize(&self, name: &str, target_bytes: u64) -> Result<RecordBatch, LakehouseError> {
        let (name, table) = self.open_named(name).await?;
        let delta = |source| LakehouseError::Delta { name: name.qualified(), source };
        let target = NonZeroU64::new(target_bytes).ok_or_else(|| LakehouseError::InvalidName {
            name: name.qualified(),
            reason: "the target file size must be positive".into(),
        })?;
        let (table, metrics) =
            table.optimize().with_type(OptimizeType::Compact).with_target_size(target).await.map_err(delta)?;
        key_values(&[
            ("table", name.qualified()),
            ("version", display_version(&table)),
            ("files_removed", metrics.num_files_removed.to_string()),
            ("files_added", metrics.num_files_added.to_string()),
            ("partitions_optimized", metrics.partitions_optimized.to_string()),
        ])
    }

    /// Deletes data files no version within the retention period needs, including files
    /// of failed jobs that were never committed.
    pub async fn vacuum(&self, name: &str, options: VacuumOptions) -> Result<RecordBatch, LakehouseError> {
        let (name, table) = self.open_named(name).await?;
        let delta = |source| LakehouseError::Delta { name: name.qualified(), source };
        let (table, metrics) = table
            .vacuum()
            .with_retention_period(chrono::Duration::hours(options.retain_hours as i64))
            .with_enforce_retention_duration(!options.allow_short_retention)
            .with_mode(VacuumMode::Full)
            .with_dry_run(options.dry_run)
            .await
            .map_err(delta)?;
        key_values(&[
            ("table", name.qualified()),
            ("version", display_version(&table)),
            ("dry_run", options.dry_run.to_string()),
            ("files_deleted", metrics.files_deleted.len().to_string()),
        ])
    }

    /// The commit log, newest first: version, time, operation, parameters, files added and
    /// removed, and rows written.
    pub async fn history(&self, name: &str, limit: usize) -> Result<RecordBatch, LakehouseError> {
        let (name, table) = self.open_named(name).await?;
        let store = self.store().store.clone();
        let log = root_path(table.table_url())?.join("_delta_log");
        let mut versions: Vec<(u64, StorePath)> = store
            .list(Some(&log))
            .try_filter_map(|meta| async move {
                let version =
                    meta.location.filename().and_then(|f| f.strip_suffix(".json")).and_then(|v| v.parse().ok());
                Ok(version.map(|v| (v, meta.location)))
            })
            .try_collect()
            .await
            .map_err(|source| LakehouseError::ObjectStore {
                what: format!("listing the log of {}", name.qualified()),
                source,
            })?;
        versions.sort_by(|a, b| b.0.cmp(&a.0));
        versions.truncate(limit);
        let mut rows = History::default();
        for (version, path) in versions {
            let bytes = async { store.get(&path).await?.bytes().await }
                .await
                .map_err(|source| LakehouseError::ObjectStore { what: format!("reading {path}"), source })?;
            rows.push(version, &String::from_utf8_lossy(&bytes));
        }
        rows.finish()
    }

    /// Version, location, size, partitioning, properties and columns of a table.
    pub async fn describe(&self, name: &str) -> Result<RecordBatch, LakehouseError> {
        let (name, table) = self.open_named(name).await?;
        let delta = |source| LakehouseError::Delta { name: name.qualified(), source };
        let state = table.snapshot().map_err(delta)?;
        let log = state.snapshot().try_log_data().map_err(delta)?;
        let (mut bytes, mut rows, mut files) = (0i64, 0usize, 0usize);
        for file in log.iter() {
            files += 1;
            bytes += file.size();
            rows += file.num_records().unwrap_or(0);
        }
        let metadata = state.metadata();
        let mut entries = vec![
            ("table", name.qualified()),
            ("location", table.table_url().to_string()),
            ("version", state.version().to_string()),
            ("files", files.to_string()),
            ("rows", rows.to_string()),
            ("bytes", bytes.to_string()),
            ("partition_columns", metadata.partition_columns().join(", ")),
        ];
        let mut properties: Vec<String> = metadata.configuration().iter().map(|(k, v)| format!("{k}={v}")).collect();
        properties.sort();
        entries.push(("properties", properties.join(", ")));
        let columns: Vec<(String, String)> = state
            .snapshot()
            .arrow_schema()
            .fields()
            .iter()
            .map(|f| {
                (
                    format!("column {}", f.name()),
                    format!("{}{}", f.data_type(), if f.is_nullable() { "" } else { " NOT NULL" }),
                )
            })
            .collect();
        let mut all: Vec<(String, String)> = entries.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        all.extend(columns);
        let borrowed: Vec<(&str, String)> = all.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        key_values(&borrowed)
    }

    /// Deletes a table: its log and every data file.
    pub async fn drop_table(&self, name: &str) -> Result<RecordBatch, LakehouseError> {
        let name: TableName = name.parse()?;
        let url = self.table_url(&name);
        if !self.exists(&url).await? {
            return Err(LakehouseError::NoSuchTable { name: name.qualified(), url: url.to_string() });
        }
        let store: Arc<dyn ObjectStore> = self.store().store.clone();
        let prefix = root_path(&url)?;
        let paths = store.list(Some(&prefix)).map_ok(|meta| meta.location).boxed();
        let deleted: Vec<StorePath> = store
            .delete_stream(paths)
            .try_collect()
            .await
            .map_err(|source| LakehouseError::ObjectStore { what: format!("deleting {}", name.qualified()), source })?;
        if url.scheme() == "file" {
            // Local folders outlive their files; leave no empty table folder behind.
            let _ = std::fs::remove_dir_all(url.to_file_path().unwrap_or_default());
        }
        key_values(&[("table", name.qualified()), ("objects_deleted", deleted.len().to_string())])
    }

    async fn open_named(&self, name: &str) -> Result<(TableName, DeltaTable), LakehouseError> {
        let name: TableName = name.parse()?;
        let table = self.open(&name).await?;
        Ok((name, table))
    }
}

fn display_version(table: &DeltaTable) -> String {
    table.version().map(|v| v.to_string()).unwrap_or_default()
}

fn key_values(entries: &[(&str, String)]) -> Result<RecordBatch, LakehouseError> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("property", DataType::Utf8, false),
        Field::new("value", DataType::Utf8, false),
    ]));
    let keys: ArrayRef = Arc::new(entries.iter().map(|(k, _)| Some(*k)).collect::<StringArray>());
    let values: ArrayRef = Arc::new(entries.iter().map(|(_, v)| Some(v.as_str())).collect::<StringArray>());
    Ok(RecordBatch::try_new(schema, vec![keys, values]).map_err(datafusion::error::DataFusionError::from)?)
}

/// Rows of `history`, one per commit file.
#[derive(Default)]
struct History {
    versions: Vec<u64>,
    timestamps: Vec<Option<i64>>,
    operations: Vec<Option<String>>,
    parameters: Vec<Option<String>>,
    adds: Vec<u64>,
    removes: Vec<u64>,
    rows: Vec<Option<u64>>,
}

impl History {
    fn push(&mut self, version: u64, commit: &str) {
        let (mut adds, mut removes, mut info) = (0, 0, None);
        for line in commit.lines().filter(|l| !l.trim().is_empty()) {
            let Ok(action) = serde_json::from_str::<Value>(line) else { continue };
            if action.get("add").is_some() {
                adds += 1;
            } else if action.get("remove").is_some() {
                removes += 1;
            } else if let Some(commit_info) = action.get("commitInfo") {
                info = Some(commit_info.clone());
            }
        }
        let field = |key: &str| info.as_ref().and_then(|i| i.get(key));
        self.versions.push(version);
        self.timestamps.push(field("timestamp").and_then(Value::as_i64));
        self.operations.push(field("operation").and_then(Value::as_str).map(str::to_string));
        self.parameters.push(field("operationParameters").map(Value::to_string));
        self.adds.push(adds);
        self.removes.push(removes);
        self.rows.push(field("reviewlake.rows").and_then(Value::as_u64));
    }

    fn finish(self) -> Result<RecordBatch, LakehouseError> {
        let schema = Arc::new(Schema::new(vec![
            Field::new("version", DataType::UInt64, false),
            Field::new("timestamp_ms", DataType::Int64, true),
            Field::new("operation", DataType::Utf8, true),
            Field::new("parameters", DataType::Utf8, true),
            Field::new("files_added", DataType::UInt64, false),
            Field::new("files_removed", DataType::UInt64, false),
            Field::new("rows_written", DataType::UInt64, true),
        ]));
        let columns: Vec<ArrayRef> = vec![
            Arc::new(UInt64Array::from(self.versions)),
            Arc::new(Int64Array::from(self.timestamps)),
            Arc::new(StringArray::from(self.operations)),
            Arc::new(StringArray::from(self.parameters)),
            Arc::new(UInt64Array::from(self.adds)),
            Arc::new(UInt64Array::from(self.removes)),
            Arc::new(UInt64Array::from(self.rows)),
        ];
        Ok(RecordBatch::try_new(schema, columns).map_err(datafusion::error::DataFusionError::from)?)
    }
}
