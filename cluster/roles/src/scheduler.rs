//! The embedded Ballista scheduler: one shared catalog, every reviewlake function, and an
//! operator API beside Ballista's own REST API. Clients' Flight SQL is [`crate::flight_sql`].
//!
//! Ballista builds a fresh `SessionState` for every session; [`start_scheduler`] gives each one
//! the same catalog list, so a table registered by one client (for example a Flight SQL
//! `CREATE EXTERNAL TABLE`) stays visible to every later query.

use std::net::SocketAddr;
use std::sync::Arc;

use ballista_core::utils::default_session_builder;
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::SchedulerConfig;
use ballista_scheduler::scheduler_process::{create_scheduler, start_grpc_service_with_listener};
use datafusion::catalog::{CatalogProviderList, MemoryCatalogProviderList};
use datafusion::execution::SessionStateBuilder;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::prelude::SessionConfig;
use reviewlake_core::config::SchedulerSettings;
use reviewlake_lakehouse::Lakehouse;
use tokio::net::TcpListener;

use crate::call_metrics::MetricsRegistry;
pub use crate::common::{ReviewlakeScheduler, base_session_config, policy};
use crate::{functions, operator_api};

/// Errors of starting a scheduler.
#[derive(Debug, thiserror::Error)]
pub enum SchedulerError {
    /// A port could not be bound.
    #[error("cannot bind {what} on {address}: {reason}")]
    Bind {
        /// Which port (`scheduler.port`, `scheduler.http_port`).
        what: &'static str,
        /// The address tried.
        address: String,
        /// The system's reason, e.g. "address already in use".
        reason: String,
    },
    /// Ballista refused the configuration or failed to start.
    #[error("scheduler failed to start: {0}")]
    Start(String),
}

/// A running scheduler: its addresses and the handles its servers run on.
pub struct RunningScheduler {
    /// Address of the gRPC / REST port.
    pub grpc_address: SocketAddr,
    /// Address of the operator API.
    pub http_address: SocketAddr,
    /// The catalog list every session shares.
    pub catalogs: Arc<dyn CatalogProviderList>,
    /// Ballista's scheduler server (a cheap clone).
    pub server: ReviewlakeScheduler,
    /// Metrics of the services this process serves besides the scheduler (Flight SQL), shown by
    /// the operator API's `/metrics`.
    pub metrics: Arc<MetricsRegistry>,
    /// The gRPC server task; it ends only on error.
    pub grpc_task: tokio::task::JoinHandle<Result<(), SchedulerError>>,
}

/// Binds both scheduler ports, naming the setting in the error when one is taken.
///
/// ```no_run
/// # async fn f() {
/// let settings = reviewlake_cluster::config::SchedulerSettings::default();
/// let (grpc, http) = reviewlake_cluster::scheduler::bind(&settings).await.unwrap();
/// # }
/// ```
pub async fn bind(settings: &SchedulerSettings) -> Result<(TcpListener, TcpListener), SchedulerError> {
    let grpc = bind_one("scheduler.port", &settings.bind_host, settings.port).await?;
    let http = bind_one("scheduler.http_port", &settings.bind_host, settings.http_port).await?;
    Ok((grpc, http))
}

async fn bind_one(what: &'static str, host: &str, port: u16) -> Result<TcpListener, SchedulerError> {
    let address = format!("{host}:{port}");
    TcpListener::bind(&address).await.map_err(|e| SchedulerError::Bind { what, address, reason: e.to_string() })
}

/// The catalog list of every reviewlake session: the lakehouse as the default catalog
/// `datafusion`, so `silver.reviews` resolves and `public` holds ad-hoc tables.
pub fn lakehouse_catalogs(lake: Arc<Lakehouse>) -> Arc<dyn CatalogProviderList> {
    let catalogs: Arc<dyn CatalogProviderList> = Arc::new(MemoryCatalogProviderList::new());
    catalogs.register_catalog("datafusion".into(), Arc::new(reviewlake_lakehouse::LakehouseCatalog::new(lake)));
    catalogs
}

/// Starts a scheduler on already-bound listeners and returns once it accepts connections.
///
/// `grpc` serves Ballista's gRPC and its REST API (`/api/...`, `/healthz`, `/readyz`,
/// `/api/metrics`); `http` serves reviewlake's operator
/// API (see [`operator_api`]). Sessions plan against `lake`'s tables.
pub async fn start_scheduler(
    settings: &SchedulerSettings,
    lake: Arc<Lakehouse>,
    grpc: TcpListener,
    http: TcpListener,
) -> Result<RunningScheduler, SchedulerError> {
    let grpc_address = grpc.local_addr().map_err(|e| SchedulerError::Start(e.to_string()))?;
    // Connections accepted on Linux inherit TCP_NODELAY from the listening socket. The server
    // Ballista runs here (axum) does not set it per connection, and Nagle's algorithm then holds
    // a job's final status, streamed to the client, until the client's delayed ACK: ~40 ms on
    // every query.
    socket2::SockRef::from(&grpc).set_tcp_nodelay(true).map_err(|e| SchedulerError::Start(e.to_string()))?;
    let http_address = http.local_addr().map_err(|e| SchedulerError::Start(e.to_string()))?;
    let catalogs = lakehouse_catalogs(lake.clone());
    // One runtime for every session: scans and write plans are made here and need the store.
    let runtime = Arc::new(RuntimeEnvBuilder::new().build().map_err(|e| SchedulerError::Start(e.to_string()))?);
    lake.store().register_into(&runtime);

    let session_catalogs = catalogs.clone();
    let lake_settings = lake.settings().clone();
    let session_builder = Arc::new(move |config: SessionConfig| {
        let state = default_session_builder(config)?;
        let mut state = SessionStateBuilder::new_from_existing(state)
            .with_catalog_list(session_catalogs.clone())
            .with_runtime_env(runtime.clone())
            .build();
        functions::register_all(&mut state, &lake_settings)?;
        Ok(state)
    });

    let mut config = SchedulerConfig::default()
        .with_hostname(settings.external_host.clone())
        .with_port(grpc_address.port())
        .with_scheduler_policy(policy(settings.scheduling_policy))
        .with_grpc_server_max_decoding_message_size(settings.grpc_max_message_bytes)
        .with_grpc_server_max_encoding_message_size(settings.grpc_max_message_bytes)
        .with_grpc_client_max_message_size(settings.grpc_max_message_bytes)
        .with_override_config_producer(Arc::new(base_session_config))
        .with_override_session_builder(session_builder);
    config.bind_host = settings.bind_host.clone();
    let (logical_codec, physical_codec) = crate::codec::codecs();
    config.override_logical_codec = Some(logical_codec);
    config.override_physical_codec = Some(physical_codec);
    config.executor_timeout_seconds = settings.executor_timeout_seconds;
    config.expire_dead_executor_interval_seconds = settings.expire_dead_executor_interval_seconds;
    config.validate().map_err(|e| SchedulerError::Start(e.to_string()))?;
    let config = Arc::new(config);

    let cluster = BallistaCluster::new_from_config(&config).await.map_err(|e| SchedulerError::Start(e.to_string()))?;
    let server: ReviewlakeScheduler =
        create_scheduler(cluster.clone(), config).await.map_err(|e| SchedulerError::Start(e.to_string()))?;

    let grpc_server = server.clone();
    let grpc_task = tokio::spawn(async move {
        start_grpc_service_with_listener(grpc, grpc_server).await.map_err(|e| SchedulerError::Start(e.to_string()))
    });
    let metrics = Arc::new(MetricsRegistry::default());
    let api = operator_api::SchedulerApi::new(server.clone(), cluster, metrics.clone());
    tokio::spawn(async move {
        if let Err(error) = axum::serve(http, api.router()).await {
            tracing::error!(%error, "operator API stopped");
        }
    });
    tracing::info!(%grpc_address, %http_address, "reviewlake scheduler listening");
    Ok(RunningScheduler { grpc_address, http_address, catalogs, server, metrics, grpc_task })
}
