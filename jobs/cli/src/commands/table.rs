//! `reviewlake table`: maintain a lakehouse table.

use reviewlake_cluster::config::Settings;
use reviewlake_cluster::lakehouse::{Lakehouse, VacuumOptions};
use reviewlake_cluster::sql::{OutputFormat, format_batches};

use crate::args::TableAction;

/// Runs the maintenance action and prints its result as `format`.
pub(crate) async fn run(settings: &Settings, action: TableAction, format: OutputFormat) -> anyhow::Result<()> {
    let lake = Lakehouse::from_settings(&settings.lakehouse)?;
    let batch = match action {
        TableAction::Optimize { name, target_mib } => lake.optimize(&name, target_mib * 1024 * 1024).await?,
        TableAction::Vacuum { name, retain_hours, allow_short_retention, dry_run } => {
            lake.vacuum(&name, VacuumOptions { retain_hours, allow_short_retention, dry_run }).await?
        }
        TableAction::History { name, limit } => lake.history(&name, limit).await?,
        TableAction::Describe { name } => lake.describe(&name).await?,
        TableAction::Drop { name } => lake.drop_table(&name).await?,
    };
    crate::output::print_result(&format_batches(&[batch], format)?);
    Ok(())
}
