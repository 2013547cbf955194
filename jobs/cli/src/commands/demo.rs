//! `reviewlake demo`: the medallion pipeline and the dashboard's headline insights.

use reviewlake_cluster::config::Settings;
use reviewlake_cluster::session;
use reviewlake_cluster::sources::SourceLocation;

/// Runs the demo over `source` (a generated data set when absent) and prints its report.
pub(crate) async fn run(settings: &Settings, source: Option<&SourceLocation>) -> anyhow::Result<()> {
    let session = session::connect(settings).await?;
    crate::output::print_report(&reviewlake_jobs::demo::run_demo(&session, source).await?);
    Ok(())
}
