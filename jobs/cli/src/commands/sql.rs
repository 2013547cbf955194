//! `reviewlake sql`: run a SQL script and print the last result.

use std::path::PathBuf;

use anyhow::{Context, bail};
use reviewlake_cluster::config::Settings;
use reviewlake_cluster::session;
use reviewlake_cluster::sql::{OutputFormat, format_batches, run_script};

/// Runs the script given as `query` or read from `file`, and prints its last result as `format`.
pub(crate) async fn run(
    settings: &Settings,
    query: Option<String>,
    file: Option<PathBuf>,
    format: OutputFormat,
) -> anyhow::Result<()> {
    let script = match (query, file) {
        (Some(query), None) => query,
        (None, Some(path)) => {
            std::fs::read_to_string(&path).with_context(|| format!("cannot read SQL file {}", path.display()))?
        }
        _ => bail!("give the SQL as an argument or with -f FILE"),
    };
    let session = session::connect(settings).await?;
    let batches = run_script(&session.ctx, Some(&session.lake), &script).await?;
    crate::output::print_result(&format_batches(&batches, format)?);
    Ok(())
}
