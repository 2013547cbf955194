//! [`DeltaCommitExec`]: the one task that commits every write task's files in a single Delta
//! transaction, skipping a transaction already committed.

use std::fmt;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, RecordBatch, StringArray, UInt64Array};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::object_store::ObjectStoreUrl;
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    ChildrenPropertiesMode, DisplayAs, DisplayFormatType, Distribution, ExecutionPlan, ExecutionPlanProperties,
    PlanProperties, ReplaceChildrenOptions,
};
use deltalake::kernel::transaction::{CommitBuilder, CommitProperties};
use deltalake::kernel::{Action, Add, MetadataExt, Transaction};
use deltalake::operations::create::CreateBuilder;
use deltalake::protocol::{DeltaOperation, SaveMode};
use futures::StreamExt;
use object_store::ObjectStore;

use super::exec::{properties, single_child};
use super::spec::{WriteMode, WriteSpec};
use crate::delta::{committed_transaction, delta_builder, open_table, table_exists};
use crate::error::LakehouseError;
use crate::events::LOG_TARGET;
use crate::handle::store_key;

fn count_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![Field::new("count", DataType::UInt64, false)]))
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
    let exists = table_exists(store.as_ref(), &spec.url).await?;
    let latest = if exists { Some(open_table(&store, &spec.url, None).await?) } else { None };
    if let Some(latest) = &latest {
        let committed = committed_transaction(latest, &spec.table, &app_id).await?;
        if committed.is_some_and(|v| v >= txn_version) {
            tracing::info!(target: LOG_TARGET, table = %spec.table, %app_id, txn_version, "transaction already committed; skipping");
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
    tracing::info!(target: LOG_TARGET, table = %spec.table, version = ?version, rows, %app_id, "delta commit");
    Ok(rows)
}
