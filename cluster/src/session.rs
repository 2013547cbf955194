//! Client sessions: a DataFusion `SessionContext` whose queries run on a Ballista cluster,
//! either a running one (`client.scheduler`) or an in-process standalone one.

use std::sync::Arc;
use std::time::Duration;

use ballista_core::extension::SessionStateExt;
use ballista_core::serde::BallistaCodec;
use ballista_core::serde::protobuf::scheduler_grpc_client::SchedulerGrpcClient;
use ballista_core::{ConfigProducer, RuntimeProducer};
use datafusion::execution::SessionStateBuilder;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::prelude::SessionContext;
use tokio::net::TcpListener;

use crate::config::{SchedulerSettings, SchedulingPolicy, Settings};
use crate::executor::{num_cpus, scheduler_policy};
use crate::functions;
use crate::scheduler::{RunningScheduler, base_session_config, start_scheduler};

/// Errors of opening a session.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// The configured scheduler does not answer.
    #[error(transparent)]
    Unreachable(#[from] crate::executor::ExecutorError),
    /// The in-process cluster failed to start.
    #[error("in-process cluster failed to start: {0}")]
    Standalone(String),
    /// DataFusion rejected the session setup.
    #[error(transparent)]
    DataFusion(#[from] datafusion::error::DataFusionError),
}

/// A session on a cluster. Keeps an in-process cluster alive as long as it lives.
pub struct ClusterSession {
    /// The context to run SQL and DataFrames on; plans execute on the cluster.
    pub ctx: SessionContext,
    /// `host:port` of the scheduler the session talks to.
    pub scheduler_address: String,
    standalone: Option<RunningScheduler>,
}

impl ClusterSession {
    /// True when the cluster runs inside this process.
    pub fn is_standalone(&self) -> bool {
        self.standalone.is_some()
    }

    /// The operator API of the scheduler, for an in-process cluster.
    pub fn standalone_http_address(&self) -> Option<std::net::SocketAddr> {
        self.standalone.as_ref().map(|s| s.http_address)
    }
}

/// Opens a session on the configured cluster, or on a new in-process one when
/// `client.scheduler` is empty.
///
/// ```no_run
/// # async fn f() -> Result<(), Box<dyn std::error::Error>> {
/// let settings = reviewlake_cluster::config::Settings::default();
/// let session = reviewlake_cluster::session::connect(&settings).await?;
/// let df = session.ctx.sql("SELECT normalize_text('A&amp;B')").await?;
/// # Ok(()) }
/// ```
pub async fn connect(settings: &Settings) -> Result<ClusterSession, SessionError> {
    if settings.client.scheduler.is_empty() {
        let vcores = match settings.client.standalone_vcores {
            0 => num_cpus(),
            n => n,
        };
        let scheduler = start_standalone(vcores).await?;
        let address = scheduler.grpc_address.to_string();
        let ctx = client_context(&address, settings.client.target_partitions)?;
        Ok(ClusterSession { ctx, scheduler_address: address, standalone: Some(scheduler) })
    } else {
        let address = settings.client.scheduler.trim_start_matches("df://").to_string();
        scheduler_policy(&address, Duration::from_secs(3)).await?;
        let ctx = client_context(&address, settings.client.target_partitions)?;
        Ok(ClusterSession { ctx, scheduler_address: address, standalone: None })
    }
}

/// A client context whose queries go to the scheduler at `address`, with every reviewlake
/// function registered.
pub fn client_context(address: &str, target_partitions: usize) -> datafusion::error::Result<SessionContext> {
    let mut config = base_session_config();
    if target_partitions > 0 {
        config = config.with_target_partitions(target_partitions);
    }
    let state = SessionStateBuilder::new().with_default_features().with_config(config).build();
    // Upgrading rebuilds the state, so functions are registered afterwards.
    let mut state = state.upgrade_for_ballista(format!("http://{address}"))?;
    functions::register_all(&mut state)?;
    Ok(SessionContext::new_with_state(state))
}

/// Starts a scheduler and one executor with `vcores` slots inside this process, on free
/// loopback ports.
pub async fn start_standalone(vcores: usize) -> Result<RunningScheduler, SessionError> {
    let standalone_error = |e: &dyn std::fmt::Display| SessionError::Standalone(e.to_string());
    let settings = SchedulerSettings {
        bind_host: "127.0.0.1".into(),
        external_host: "127.0.0.1".into(),
        scheduling_policy: SchedulingPolicy::PullStaged,
        // Nothing outside this process can reach an in-process cluster's Flight SQL port.
        flight_sql: false,
        ..SchedulerSettings::default()
    };
    let grpc = TcpListener::bind("127.0.0.1:0").await.map_err(|e| standalone_error(&e))?;
    let http = TcpListener::bind("127.0.0.1:0").await.map_err(|e| standalone_error(&e))?;
    let scheduler = start_scheduler(&settings, grpc, http).await.map_err(|e| standalone_error(&e))?;

    let url = format!("http://{}", scheduler.grpc_address);
    let client = SchedulerGrpcClient::connect(url).await.map_err(|e| standalone_error(&e))?;
    let config_producer: ConfigProducer = Arc::new(base_session_config);
    let runtime_producer: RuntimeProducer =
        Arc::new(|_| Ok(Arc::new(RuntimeEnvBuilder::new().build()?)));
    ballista_executor::new_standalone_executor_from_builder(
        client,
        vcores,
        config_producer,
        runtime_producer,
        BallistaCodec::default(),
        functions::executor_registry(),
    )
    .await
    .map_err(|e| standalone_error(&e))?;
    Ok(scheduler)
}
