//! `reviewlake serve`: the insight dashboard over the lakehouse's gold tables.

use std::time::Duration;

use anyhow::Context;
use reviewlake_cluster::config::{Settings, parse_host_port};
use reviewlake_cluster::session::{self, ClusterSession};
use reviewlake_dashboard::Dashboard;
use reviewlake_jobs::stream::stop_on_signal;
use tokio::net::TcpListener;

/// Loads the tables, prints the dashboard's URL on a line of its own and serves until a signal.
pub(crate) async fn run(settings: &Settings) -> anyhow::Result<()> {
    let session = session::connect(settings).await?;
    let dashboard = Dashboard::new(session.ctx.clone(), session.lake.clone(), operator_api(settings, &session))?;
    dashboard.load().await.context("loading the dashboard's tables")?;
    let address = format!("{}:{}", settings.dashboard.bind_host, settings.dashboard.port);
    let listener = TcpListener::bind(&address).await.with_context(|| format!("cannot listen on {address}"))?;
    println!("dashboard: http://{}", listener.local_addr()?);
    let mut stop = stop_on_signal();
    let stopped = async move {
        let _ = stop.wait_for(|stop| *stop).await;
    };
    dashboard.serve(listener, Duration::from_millis(settings.dashboard.refresh_interval_ms), stopped).await?;
    Ok(())
}

/// The operator API the Cluster page reads: the configured one, the in-process cluster's, or
/// the configured scheduler's host on `scheduler.http_port`.
fn operator_api(settings: &Settings, session: &ClusterSession) -> Option<String> {
    if !settings.dashboard.operator_api.is_empty() {
        return Some(settings.dashboard.operator_api.clone());
    }
    if let Some(address) = session.standalone_http_address() {
        return Some(format!("http://{address}"));
    }
    let (host, _) = parse_host_port(&settings.client.scheduler).ok()?;
    Some(format!("http://{host}:{}", settings.scheduler.http_port))
}
