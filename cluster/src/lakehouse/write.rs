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

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, RecordBatch, StringArray, StringBuilder, UInt64Array, UInt64Builder};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::object_store::ObjectStoreUrl;
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::physical_expr::{EquivalenceProperties, Partitioning, PhysicalExpr};
use datafusion::physical_plan::coalesce_partitions::CoalescePartitionsExec;
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::expressions::Column;
use datafusion::physical_plan::repartition::RepartitionExec;
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    ChildrenPropertiesMode, DisplayAs, DisplayFormatType, Distribution, ExecutionPlan, ExecutionPlanProperties,
    PlanProperties, ReplaceChildrenOptions,
};
use deltalake::datafile::writer::{DeltaWriter, WriterConfig};
use deltalake::kernel::engine::arrow_conversion::{TryFromArrow, TryIntoArrow};
use deltalake::kernel::transaction::{CommitBuilder, CommitProperties};
use deltalake::kernel::{Action, Add, MetadataExt, StructType, Transaction};
use deltalake::operations::create::CreateBuilder;
use deltalake::protocol::{DeltaOperation, SaveMode};
use futures::StreamExt;
use object_store::ObjectStore;
use serde::{Deserialize, Serialize};
use url::Url;
use uuid::Uuid;

use super::table::{TableHandle, store_key};
use super::{LakehouseError, delta_builder, open_table};

/// How a write treats the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum WriteMode {
    /// Add rows; create the table if it is missing.
    #[default]
    Append,
    /// Replace the rows (schema and partitioning stay); create the table if it is missing.
    Overwrite,
    /// Create the table; fail if it exists.
    Create,
    /// Create the table, or replace its rows, schema and partitioning.
    CreateOrReplace,
    /// Create the table; do nothing if it exists.
    CreateIfNotExists,
}

/// Options of [`super::Lakehouse::write`].
#[derive(Debug, Clone, Default)]
pub struct WriteOptions {
    /// Append, overwrite or create.
    pub mode: WriteMode,
    /// Partition columns of a table the write creates.
    pub partition_by: Vec<String>,
    /// Add columns the table lacks instead of failing.
    pub merge_schema: bool,
    /// `(app_id, version)`: record it with the commit, and skip the write when the table
    /// already holds this version of `app_id` (exactly-once batches).
    pub txn: Option<(String, i64)>,
}

/// Everything the write and commit tasks need, planned once per job on the scheduler.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WriteSpec {
    /// `schema.table`.
    pub table: String,
    /// The table folder.
    pub url: Url,
    /// Append, overwrite, create or replace.
    pub mode: WriteMode,
    /// Partition columns.
    pub partition_by: Vec<String>,
    /// The Delta schema (JSON) of the rows written, partition columns included.
    pub schema: String,
    /// Table properties (data skipping settings).
    pub configuration: HashMap<String, String>,
    /// Commit `schema` as the table's new schema.
    pub evolve_schema: bool,
    /// The application transaction of this write.
    pub txn: (String, i64),
    /// The version the write was planned against (overwrites remove its files).
    pub read_version: Option<u64>,
}

impl WriteSpec {
    pub(crate) fn new(
        handle: &TableHandle,
        schema: &Schema,
        mode: WriteMode,
        partition_by: Vec<String>,
        configuration: HashMap<String, String>,
        read_version: Option<u64>,
    ) -> Result<Self, LakehouseError> {
        let delta_schema = StructType::try_from_arrow(schema).map_err(|e| LakehouseError::SchemaMismatch {
            name: handle.name.clone(),
            reason: format!("the schema has no Delta equivalent: {e}"),
        })?;
        let txn = handle.write.txn.clone().unwrap_or_else(|| (format!("reviewlake-write-{}", Uuid::new_v4()), 0));
        Ok(Self {
            table: handle.name.clone(),
            url: handle.url.clone(),
            mode,
            partition_by,
            schema: serde_json::to_string(&delta_schema)
                .map_err(|e| LakehouseError::SchemaMismatch { name: handle.name.clone(), reason: e.to_string() })?,
            configuration,
            evolve_schema: handle.write.evolve_schema,
            txn,
            read_version,
        })
    }

    fn delta_schema(&self) -> Result<StructType> {
        serde_json::from_str(&self.schema).map_err(|e| DataFusionError::Internal(format!("bad write schema: {e}")))
    }

    fn arrow_schema(&self) -> Result<SchemaRef> {
        let schema: Schema = (&self.delta_schema()?).try_into_arrow()?;
        Ok(Arc::new(schema))
    }
}

/// The write plan for `input`: `parallelism` write tasks, then one commit task.
///
/// Parquet encoding is the expensive part of a write, so the input is spread over
/// `parallelism` tasks: by hash of the partition columns (one task owns each partition
/// value, so files stay few and large), or round-robin for unpartitioned tables.
pub(crate) fn write_plan(
    spec: WriteSpec,
    input: Arc<dyn ExecutionPlan>,
    parallelism: usize,
) -> Result<Arc<dyn ExecutionPlan>> {
    let input_partitions = input.output_partitioning().partition_count();
    // The optimizer may rebuild these repartitions from the write's declared requirements;
    // planning them here keeps the parallelism when it does not run.
    let keys = partition_keys(&spec, &input.schema())?;
    let input: Arc<dyn ExecutionPlan> = if !keys.is_empty() && parallelism > 1 {
        Arc::new(RepartitionExec::try_new(input, Partitioning::Hash(keys, parallelism))?)
    } else if input_partitions < parallelism {
        Arc::new(RepartitionExec::try_new(input, Partitioning::RoundRobinBatch(parallelism))?)
    } else {
        input
    };
    let writers: Arc<dyn ExecutionPlan> = Arc::new(DeltaWriteExec::try_new(spec.clone(), input)?);
    let single: Arc<dyn ExecutionPlan> = Arc::new(CoalescePartitionsExec::new(writers));
    Ok(Arc::new(DeltaCommitExec::new(spec, single)))
}

fn partition_keys(spec: &WriteSpec, schema: &Schema) -> Result<Vec<Arc<dyn PhysicalExpr>>> {
    spec.partition_by
        .iter()
        .map(|name| Ok(Arc::new(Column::new_with_schema(name, schema)?) as Arc<dyn PhysicalExpr>))
        .collect()
}

fn add_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![Field::new("add", DataType::Utf8, false), Field::new("rows", DataType::UInt64, false)]))
}

fn count_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![Field::new("count", DataType::UInt64, false)]))
}

fn properties(schema: SchemaRef, partitions: usize) -> Arc<PlanProperties> {
    Arc::new(PlanProperties::new(
        EquivalenceProperties::new(schema),
        Partitioning::UnknownPartitioning(partitions),
        EmissionType::Final,
        Boundedness::Bounded,
    ))
}

/// Writes its input partition as Parquet files of the table and emits their `Add` actions
/// (JSON) with row counts. Runs on the executors.
#[derive(Debug)]
pub struct DeltaWriteExec {
    spec: WriteSpec,
    input: Arc<dyn ExecutionPlan>,
    table_schema: SchemaRef,
    properties: Arc<PlanProperties>,
}

impl DeltaWriteExec {
    /// A write of `input` as `spec` says.
    pub fn try_new(spec: WriteSpec, input: Arc<dyn ExecutionPlan>) -> Result<Self> {
        let table_schema = spec.arrow_schema()?;
        if table_schema.fields().len() != input.schema().fields().len() {
            return Err(DataFusionError::Plan(format!(
                "{}: the input has {} columns, the table {}",
                spec.table,
                input.schema().fields().len(),
                table_schema.fields().len()
            )));
        }
        let properties = properties(add_schema(), input.output_partitioning().partition_count());
        Ok(Self { spec, input, table_schema, properties })
    }

    /// What this node writes.
    pub fn spec(&self) -> &WriteSpec {
        &self.spec
    }
}

impl DisplayAs for DeltaWriteExec {
    fn fmt_as(&self, _format: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "DeltaWriteExec: table={}, mode={:?}, partition_by={:?}",
            self.spec.table, self.spec.mode, self.spec.partition_by
        )
    }
}

impl ExecutionPlan for DeltaWriteExec {
    fn name(&self) -> &str {
        "DeltaWriteExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn required_input_distribution(&self) -> Vec<Distribution> {
        match partition_keys(&self.spec, &self.input.schema()) {
            Ok(keys) if !keys.is_empty() => vec![Distribution::KeyPartitioned(keys)],
            _ => vec![Distribution::UnspecifiedDistribution],
        }
    }

    fn benefits_from_input_partitioning(&self) -> Vec<bool> {
        vec![true]
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }

    fn replace_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
        _options: ReplaceChildrenOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        Ok(Arc::new(Self::try_new(self.spec.clone(), single_child(children)?)?))
    }

    fn with_new_children(self: Arc<Self>, children: Vec<Arc<dyn ExecutionPlan>>) -> Result<Arc<dyn ExecutionPlan>> {
        self.replace_children(children, ReplaceChildrenOptions::new(ChildrenPropertiesMode::Recompute))
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn execute(&self, partition: usize, context: Arc<TaskContext>) -> Result<SendableRecordBatchStream> {
        let input = self.input.execute(partition, context.clone())?;
        let store = context.runtime_env().object_store(ObjectStoreUrl::parse(store_key(&self.spec.url))?)?;
        let spec = self.spec.clone();
        let table_schema = self.table_schema.clone();
        let output = futures::stream::once(async move { write_partition(spec, table_schema, store, input).await });
        Ok(Box::pin(RecordBatchStreamAdapter::new(add_schema(), output)))
    }
}

async fn write_partition(
    spec: WriteSpec,
    table_schema: SchemaRef,
    store: Arc<dyn ObjectStore>,
    mut input: SendableRecordBatchStream,
) -> Result<RecordBatch> {
    let log_store = delta_builder(&store, &spec.url, &spec.table)?
        .build()
        .map_err(|source| LakehouseError::Delta { name: spec.table.clone(), source })?
        .log_store();
    let configuration = spec.configuration.iter().map(|(k, v)| (k.clone(), Some(v.clone()))).collect();
    let (indexed_columns, stats_columns) =
        deltalake::operations::get_num_idx_cols_and_stats_columns(None, configuration);
    let config = WriterConfig::new(
        table_schema.clone(),
        spec.partition_by.clone(),
        None,
        None,
        None,
        indexed_columns,
        stats_columns,
    );
    let mut writer = DeltaWriter::new(log_store.object_store(None), config);
    while let Some(batch) = input.next().await {
        let written = match batch {
            Ok(batch) => match conform(&batch, &table_schema, &spec.table) {
                Ok(batch) => writer.write(&batch).await.map_err(|source| {
                    DataFusionError::from(LakehouseError::Delta { name: spec.table.clone(), source })
                }),
                Err(error) => Err(error),
            },
            Err(error) => Err(error),
        };
        if let Err(error) = written {
            if let Err(abort) = writer.abort().await {
                tracing::warn!(table = %spec.table, %abort, "aborting a failed write left uploads behind");
            }
            return Err(error);
        }
    }
    let adds = writer.close().await.map_err(|source| LakehouseError::Delta { name: spec.table.clone(), source })?;
    let mut json = StringBuilder::new();
    let mut rows = UInt64Builder::new();
    for add in &adds {
        json.append_value(serde_json::to_string(add).map_err(|e| DataFusionError::External(e.into()))?);
        rows.append_value(add_rows(add));
    }
    let columns: Vec<ArrayRef> = vec![Arc::new(json.finish()), Arc::new(rows.finish())];
    Ok(RecordBatch::try_new(add_schema(), columns)?)
}

/// Casts `batch` to the table's column types (the writer requires its exact schema) and
/// refuses NULLs in non-nullable columns with the column's name.
fn conform(batch: &RecordBatch, schema: &SchemaRef, table: &str) -> Result<RecordBatch> {
    let mut columns = Vec::with_capacity(batch.num_columns());
    for (column, field) in batch.columns().iter().zip(schema.fields()) {
        let column =
            if column.data_type() == field.data_type() { column.clone() } else { cast(column, field.data_type())? };
        if !field.is_nullable() && column.null_count() > 0 {
            return Err(DataFusionError::Execution(format!(
                "{table}: column {} is NOT NULL but the input has {} NULLs",
                field.name(),
                column.null_count()
            )));
        }
        columns.push(column);
    }
    Ok(RecordBatch::try_new(schema.clone(), columns)?)
}

fn add_rows(add: &Add) -> u64 {
    add.stats
        .as_deref()
        .and_then(|stats| serde_json::from_str::<serde_json::Value>(stats).ok())
        .and_then(|stats| stats.get("numRecords").and_then(serde_json::Value::as_u64))
        .unwrap_or(0)
}

/// Commits the `Add` actions of every write task in one Delta transaction. One task.
#[derive(Debug)]
pub struct DeltaCommitExec {
    spec: WriteSpec,
    input: Arc<dyn ExecutionPlan>,
    properties: Arc<PlanProperties>,
}

impl DeltaCommitExec {
    /// A commit of what `input` (the write tasks, coalesced) produces.
    pub fn new(spec: WriteSpec, input: Arc<dyn ExecutionPlan>) -> Self {
        Self { spec, input, properties: properties(count_schema(), 1) }
    }

    /// What this node commits.
    pub fn spec(&self) -> &WriteSpec {
        &self.spec
    }
}

impl DisplayAs for DeltaCommitExec {
    fn fmt_as(&self, _format: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "DeltaCommitExec: table={}, mode={:?}, txn={}@{}",
            self.spec.table, self.spec.mode, self.spec.txn.0, self.spec.txn.1
        )
    }
}

impl ExecutionPlan for DeltaCommitExec {
    fn name(&self) -> &str {
        "DeltaCommitExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn required_input_distribution(&self) -> Vec<Distribution> {
        vec![Distribution::SinglePartition]
    }

    fn benefits_from_input_partitioning(&self) -> Vec<bool> {
        vec![false]
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }

    fn replace_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
        _options: ReplaceChildrenOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        Ok(Arc::new(Self::new(self.spec.clone(), single_child(children)?)))
    }

    fn with_new_children(self: Arc<Self>, children: Vec<Arc<dyn ExecutionPlan>>) -> Result<Arc<dyn ExecutionPlan>> {
        self.replace_children(children, ReplaceChildrenOptions::new(ChildrenPropertiesMode::Recompute))
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn execute(&self, partition: usize, context: Arc<TaskContext>) -> Result<SendableRecordBatchStream> {
        let partitions = self.input.output_partitioning().partition_count();
        if partition != 0 || partitions != 1 {
            return Err(DataFusionError::Internal(format!(
                "DeltaCommitExec must run as one task over one input partition, got partition {partition} of input with {partitions}"
            )));
        }
        let input = self.input.execute(0, context.clone())?;
        let store = context.runtime_env().object_store(ObjectStoreUrl::parse(store_key(&self.spec.url))?)?;
        let spec = self.spec.clone();
        let output = futures::stream::once(async move {
            let rows = commit(spec, store, input).await?;
            Ok(RecordBatch::try_new(count_schema(), vec![Arc::new(UInt64Array::from(vec![rows])) as ArrayRef])?)
        });
        Ok(Box::pin(RecordBatchStreamAdapter::new(count_schema(), output)))
    }
}

fn single_child(mut children: Vec<Arc<dyn ExecutionPlan>>) -> Result<Arc<dyn ExecutionPlan>> {
    match (children.pop(), children.is_empty()) {
        (Some(child), true) => Ok(child),
        _ => Err(DataFusionError::Internal("a Delta write node has exactly one child".into())),
    }
}

/// Collects the write tasks' `Add`s and commits them; returns the rows committed.
async fn commit(spec: WriteSpec, store: Arc<dyn ObjectStore>, mut input: SendableRecordBatchStream) -> Result<u64> {
    let mut adds = Vec::new();
    let mut rows = 0u64;
    while let Some(batch) = input.next().await {
        let batch = batch?;
        let json = batch.column(0).as_any().downcast_ref::<StringArray>().ok_or_else(|| {
            DataFusionError::Internal("DeltaCommitExec input is not the output of DeltaWriteExec".into())
        })?;
        let counts = batch.column(1).as_any().downcast_ref::<UInt64Array>().ok_or_else(|| {
            DataFusionError::Internal("DeltaCommitExec input is not the output of DeltaWriteExec".into())
        })?;
        for (add, count) in json.iter().zip(counts.iter()) {
            let add: Add =
                serde_json::from_str(add.unwrap_or_default()).map_err(|e| DataFusionError::External(e.into()))?;
            adds.push(Action::Add(add));
            rows += count.unwrap_or(0);
        }
    }
    let delta = |source| LakehouseError::Delta { name: spec.table.clone(), source };
    let (app_id, txn_version) = spec.txn.clone();
    let properties = CommitProperties::default()
        .with_application_transaction(Transaction::new(&app_id, txn_version))
        .with_metadata([("reviewlake.rows".to_string(), serde_json::json!(rows))]);
    let exists = super::table_exists(store.as_ref(), &spec.url).await?;
    let latest = if exists { Some(open_table(&store, &spec.url, None).await?) } else { None };
    if let Some(latest) = &latest {
        let committed = super::committed_transaction(latest, &spec.table, &app_id).await?;
        if committed.is_some_and(|v| v >= txn_version) {
            tracing::info!(table = %spec.table, %app_id, txn_version, "transaction already committed; skipping");
            return Ok(rows);
        }
    }
    let version = match spec.mode {
        WriteMode::Create | WriteMode::CreateOrReplace | WriteMode::CreateIfNotExists => {
            if exists && spec.mode != WriteMode::CreateOrReplace {
                return Err(LakehouseError::AlreadyExists { name: spec.table.clone() }.into());
            }
            let log_store = delta_builder(&store, &spec.url, &spec.table)?.build().map_err(delta)?.log_store();
            let save_mode =
                if spec.mode == WriteMode::CreateOrReplace { SaveMode::Overwrite } else { SaveMode::ErrorIfExists };
            let table = CreateBuilder::new()
                .with_log_store(log_store)
                .with_columns(spec.delta_schema()?.fields().cloned())
                .with_partition_columns(spec.partition_by.clone())
                .with_save_mode(save_mode)
                .with_actions(adds)
                .with_commit_properties(properties)
                .await
                .map_err(delta)?;
            table.version()
        }
        WriteMode::Append | WriteMode::Overwrite => {
            // The latest snapshot was just read for the transaction check; an overwrite reads
            // the version it was planned against instead.
            let read = match (spec.mode, spec.read_version, latest) {
                (WriteMode::Overwrite, Some(version), _) => open_table(&store, &spec.url, Some(version)).await?,
                (_, _, Some(latest)) => latest,
                (_, _, None) => open_table(&store, &spec.url, None).await?,
            };
            let snapshot = read.snapshot().map_err(delta)?;
            let mut actions = adds;
            if spec.mode == WriteMode::Overwrite {
                let log = snapshot.snapshot().try_log_data().map_err(delta)?;
                actions.extend(log.iter().map(|file| Action::Remove(file.remove_action(true))));
            }
            if spec.evolve_schema {
                let metadata =
                    snapshot.metadata().clone().with_schema(&spec.delta_schema()?).map_err(|e| delta(e.into()))?;
                actions.push(Action::Metadata(metadata));
            }
            let save_mode = if spec.mode == WriteMode::Overwrite { SaveMode::Overwrite } else { SaveMode::Append };
            let operation = DeltaOperation::Write {
                mode: save_mode,
                partition_by: (!spec.partition_by.is_empty()).then(|| spec.partition_by.clone()),
                predicate: None,
            };
            let done = CommitBuilder::from(properties)
                .with_actions(actions)
                .build(Some(snapshot), read.log_store(), operation)
                .await
                .map_err(delta)?;
            Some(done.version())
        }
    };
    tracing::info!(table = %spec.table, version = ?version, rows, %app_id, "delta commit");
    Ok(rows)
}
