//! `reviewlake pipeline`: the medallion pipeline, or one of its layers.

use reviewlake_cluster::config::Settings;
use reviewlake_cluster::session;
use reviewlake_jobs::medallion;

use crate::args::{PipelineAction, ProgressArg};
use crate::output;
use crate::progress::Progress;

/// Runs the pipeline or the chosen layer and prints what it wrote.
pub(crate) async fn run(settings: &Settings, action: PipelineAction, progress: ProgressArg) -> anyhow::Result<()> {
    let session = session::connect(settings).await?;
    let (ctx, lake) = (&session.ctx, &session.lake);
    match action {
        PipelineAction::Run { source } => {
            let run = medallion::run_pipeline(ctx, lake, &source);
            output::print_layers(&Progress::around(progress, &session.scheduler_address, "pipeline", run).await?);
        }
        PipelineAction::Silver => {
            let (reviews, metadata) = medallion::run_silver(ctx, lake).await?;
            output::print_silver(&reviews, &metadata);
        }
        PipelineAction::Gold => output::print_gold(medallion::run_gold(ctx, lake).await?),
    }
    Ok(())
}
