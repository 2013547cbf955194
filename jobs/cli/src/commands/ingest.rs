//! `reviewlake ingest`: load new source files into bronze.

use reviewlake_cluster::config::Settings;
use reviewlake_cluster::session;
use reviewlake_jobs::ingest::{SourceKind, ingest_batch};

use crate::args::IngestAction;

/// Runs one ingestion and prints what it loaded.
pub(crate) async fn run(settings: &Settings, action: IngestAction) -> anyhow::Result<()> {
    let IngestAction::Batch { source, kind, max_files } = action;
    let kind = SourceKind::from(kind);
    let session = session::connect(settings).await?;
    let report = ingest_batch(&session.ctx, &session.lake, &source, kind, max_files).await?;
    crate::output::print_ingested(&report, kind);
    Ok(())
}
