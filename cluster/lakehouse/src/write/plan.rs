//! The physical plan of a write: write tasks, a stage boundary, one commit task.

use std::sync::Arc;

use datafusion::error::Result;
use datafusion::physical_expr::Partitioning;
use datafusion::physical_plan::coalesce_partitions::CoalescePartitionsExec;
use datafusion::physical_plan::repartition::RepartitionExec;
use datafusion::physical_plan::{ExecutionPlan, ExecutionPlanProperties};

use super::commit::DeltaCommitExec;
use super::exec::DeltaWriteExec;
use super::spec::{WriteSpec, partition_keys};

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
