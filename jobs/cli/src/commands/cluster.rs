//! `reviewlake cluster`: operate a cluster of separate processes on this machine.

use std::time::{Duration, Instant};

use reviewlake_cluster::config::Settings;
use reviewlake_cluster::ops::{self, ClusterSpec};

use crate::args::{ClusterAction, GlobalArgs, Shape};
use crate::output;

/// Runs the cluster action and prints the cluster's new state.
pub(crate) async fn run(action: ClusterAction, global: &GlobalArgs, settings: &Settings) -> anyhow::Result<()> {
    let spec = |shape: Shape| ClusterSpec {
        dir: shape.dir.path,
        executors: shape.executors,
        vcores: shape.vcores,
        config_file: global.config.clone(),
        timeout: Duration::from_secs(shape.timeout_secs),
    };
    match action {
        ClusterAction::Up { shape } => {
            let started = Instant::now();
            let spec = spec(shape);
            let record = ops::up(&spec, settings).await?;
            output::print_cluster_up(&record, &spec.dir, started.elapsed().as_secs_f64());
        }
        ClusterAction::Status { target } => output::print_report(&ops::status(&target.into()).await?),
        ClusterAction::Drain { executor, target, timeout_secs } => {
            let took = ops::drain(&target.into(), &executor, Duration::from_secs(timeout_secs)).await?;
            output::print_executor_drained(&executor, took.as_secs_f64());
        }
        ClusterAction::Scale { shape } => output::print_cluster_scaled(&ops::scale(&spec(shape), settings).await?),
        ClusterAction::Down { dir, grace_secs } => {
            let killed = ops::down(&dir.path, Duration::from_secs(grace_secs))?;
            output::print_cluster_down(&killed, grace_secs);
        }
    }
    Ok(())
}
