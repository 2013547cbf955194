//! `reviewlake demo`: the medallion pipeline and the dashboard's headline insights.

use reviewlake_cluster::config::Settings;
use reviewlake_cluster::session;
use reviewlake_cluster::sources::SourceLocation;

use crate::args::ProgressArg;
use crate::progress::Progress;

/// Runs the demo over `source` (a generated data set when absent) and prints its report.
pub(crate) async fn run(
    settings: &Settings,
    source: Option<&SourceLocation>,
    progress: ProgressArg,
) -> anyhow::Result<()> {
    let session = session::connect(settings).await?;
    let demo = reviewlake_jobs::demo::run_demo(&session, source);
    crate::output::print_report(&Progress::around(progress, &session.scheduler_address, "demo", demo).await?);
    Ok(())
}
