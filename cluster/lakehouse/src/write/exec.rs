//! [`DeltaWriteExec`]: the write tasks, which turn their input partition into Parquet files of
//! the table and emit the files' `Add` actions.

use std::fmt;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, RecordBatch, StringBuilder, UInt64Builder};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::object_store::ObjectStoreUrl;
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::physical_expr::{EquivalenceProperties, Partitioning, PhysicalExpr};
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    ChildrenPropertiesMode, DisplayAs, DisplayFormatType, Distribution, ExecutionPlan, ExecutionPlanProperties,
    PlanProperties, ReplaceChildrenOptions,
};
use deltalake::datafile::writer::{DeltaWriter, WriterConfig};
use deltalake::kernel::Add;
use futures::StreamExt;
use object_store::ObjectStore;

use super::spec::{WriteSpec, partition_keys};
use crate::delta::delta_builder;
use crate::error::LakehouseError;
use crate::events::LOG_TARGET;
use crate::handle::store_key;

/// The output of the write tasks and the input of the commit task: one row per file, its
/// `Add` action as JSON and its row count.
fn add_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![Field::new("add", DataType::Utf8, false), Field::new("rows", DataType::UInt64, false)]))
}

/// Properties of a Delta write node: bounded, emitting once its input is done.
pub(crate) fn properties(schema: SchemaRef, partitions: usize) -> Arc<PlanProperties> {
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
    let mut writer = file_writer(&log_store, &table_schema, &spec.partition_by, &spec.configuration);
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
                tracing::warn!(target: LOG_TARGET, table = %spec.table, %abort, "aborting a failed write left uploads behind");
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

/// A writer of Parquet files of a table with `schema`, collecting statistics as the table's
/// `configuration` asks.
pub(crate) fn file_writer(
    log_store: &deltalake::logstore::LogStoreRef,
    schema: &SchemaRef,
    partition_by: &[String],
    configuration: &std::collections::HashMap<String, String>,
) -> DeltaWriter {
    let configuration = configuration.iter().map(|(k, v)| (k.clone(), Some(v.clone()))).collect();
    let (indexed_columns, stats_columns) =
        deltalake::operations::get_num_idx_cols_and_stats_columns(None, configuration);
    let config =
        WriterConfig::new(schema.clone(), partition_by.to_vec(), None, None, None, indexed_columns, stats_columns);
    DeltaWriter::new(log_store.object_store(None), config)
}

/// Casts `batch` to the table's column types (the writer requires its exact schema) and
/// refuses NULLs in non-nullable columns with the column's name.
pub(crate) fn conform(batch: &RecordBatch, schema: &SchemaRef, table: &str) -> Result<RecordBatch> {
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

pub(crate) fn add_rows(add: &Add) -> u64 {
    add.stats
        .as_deref()
        .and_then(|stats| serde_json::from_str::<serde_json::Value>(stats).ok())
        .and_then(|stats| stats.get("numRecords").and_then(serde_json::Value::as_u64))
        .unwrap_or(0)
}

/// The one child of a Delta write node.
pub(crate) fn single_child(mut children: Vec<Arc<dyn ExecutionPlan>>) -> Result<Arc<dyn ExecutionPlan>> {
    match (children.pop(), children.is_empty()) {
        (Some(child), true) => Ok(child),
        _ => Err(DataFusionError::Internal("a Delta write node has exactly one child".into())),
    }
}
