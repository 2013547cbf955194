//! Client sessions: a DataFusion `SessionContext` whose queries run on a Ballista cluster,
//! either a running one (`client.scheduler`) or an in-process standalone one.

use std::sync::Arc;
use std::time::Duration;

use ballista_core::extension::{SessionConfigExt, SessionStateExt};
use datafusion::catalog::CatalogProviderList;
use datafusion::execution::SessionStateBuilder;
use datafusion::prelude::SessionContext;
use reviewlake_core::config::Settings;
use reviewlake_lakehouse::{Lakehouse, LakehouseError};

use crate::common::base_session_config;
use crate::executor::{num_cpus, scheduler_policy, scheduler_rest};
use crate::functions;
use crate::scheduler::lakehouse_catalogs;
use crate::standalone::{StandaloneCluster, StandaloneError};

/// Errors of opening a session.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// The configured scheduler does not answer.
    #[error(transparent)]
    Unreachable(#[from] crate::executor::ExecutorError),
    /// The in-process cluster failed to start.
    #[error(transparent)]
    Standalone(#[from] StandaloneError),
    /// DataFusion rejected the session setup.
    #[error(transparent)]
    DataFusion(#[from] datafusion::error::DataFusionError),
    /// The lakehouse configuration is unusable.
    #[error(transparent)]
    Lakehouse(#[from] LakehouseError),
}

/// A session on a cluster. Keeps an in-process cluster alive as long as it lives.
pub struct ClusterSession {
    /// The context to run SQL and DataFrames on; plans execute on the cluster.
    pub ctx: SessionContext,
    /// `host:port` of the scheduler the session talks to.
    pub scheduler_address: String,
    /// The lakehouse the session reads and writes.
    pub lake: Arc<Lakehouse>,
    standalone: Option<StandaloneCluster>,
}

impl ClusterSession {
    /// True when the cluster runs inside this process.
    pub fn is_standalone(&self) -> bool {
        self.standalone.is_some()
    }

    /// The operator API of the scheduler, for an in-process cluster.
    pub fn standalone_http_address(&self) -> Option<std::net::SocketAddr> {
        self.standalone.as_ref().map(|s| s.scheduler.http_address)
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
    let lake = Lakehouse::from_settings(&settings.lakehouse)?;
    if settings.client.scheduler.is_empty() {
        let vcores = match settings.client.standalone_vcores {
            0 => num_cpus(),
            n => n,
        };
        let cluster = StandaloneCluster::start(vcores, settings.executor.memory_limit_mb, lake.clone()).await?;
        let address = cluster.scheduler.grpc_address.to_string();
        let partitions = match settings.client.target_partitions {
            0 => vcores,
            n => n,
        };
        let ctx = client_context(&address, partitions, &lake)?;
        Ok(ClusterSession { ctx, scheduler_address: address, lake, standalone: Some(cluster) })
    } else {
        let address = settings.client.scheduler.trim_start_matches("df://").to_string();
        scheduler_policy(&address, Duration::from_secs(3)).await?;
        let partitions = match settings.client.target_partitions {
            0 => cluster_slots(&address).await.unwrap_or(0),
            n => n,
        };
        let ctx = client_context(&address, partitions, &lake)?;
        Ok(ClusterSession { ctx, scheduler_address: address, lake, standalone: None })
    }
}

/// The task slots of the executors registered with the scheduler at `address` (its REST API),
/// or `None` when it cannot tell. Planning one partition per slot keeps every executor busy:
/// with fewer partitions than slots, one executor's free slots take every task of a stage and
/// the others idle.
pub(crate) async fn cluster_slots(address: &str) -> Option<usize> {
    #[derive(serde::Deserialize)]
    struct Executor {
        specification: Specification,
    }
    #[derive(serde::Deserialize)]
    struct Specification {
        vcores: usize,
    }
    let executors: Vec<Executor> = scheduler_rest(address, "/api/executors").await.ok()?;
    let slots: usize = executors.iter().map(|e| e.specification.vcores).sum();
    (slots > 0).then_some(slots)
}

/// A client context whose queries go to the scheduler at `address`, with every reviewlake
/// function registered and `lake`'s tables in its catalog (the client plans queries, so it
/// reads table logs itself).
pub fn client_context(
    address: &str,
    target_partitions: usize,
    lake: &Arc<Lakehouse>,
) -> datafusion::error::Result<SessionContext> {
    client_context_over(address, target_partitions, lake, lakehouse_catalogs(lake.clone()))
}

/// [`client_context`] with the catalog list `catalogs` (a server's, shared by its sessions).
pub(crate) fn client_context_over(
    address: &str,
    target_partitions: usize,
    lake: &Arc<Lakehouse>,
    catalogs: Arc<dyn CatalogProviderList>,
) -> datafusion::error::Result<SessionContext> {
    let (logical_codec, physical_codec) = crate::codec::codecs();
    let config = session_config(target_partitions)
        .with_ballista_logical_extension_codec(logical_codec)
        .with_ballista_physical_extension_codec(physical_codec);
    // Upgrading rebuilds the state, so functions are registered afterwards.
    let mut state = lakehouse_state(config, lake, catalogs)?.upgrade_for_ballista(format!("http://{address}"))?;
    functions::register_all(&mut state, lake.settings())?;
    Ok(SessionContext::new_with_state(state))
}

/// Target partitions as resolved by [`connect`], 0 (the cluster's slots were unknown) meaning
/// one per CPU core (Ballista's own default, 16, makes every stage of a small query 16 tasks
/// queued on a few slots).
fn session_config(target_partitions: usize) -> datafusion::prelude::SessionConfig {
    // The lakehouse catalog is the default catalog; DataFusion must not replace it.
    let config = base_session_config().with_create_default_catalog_and_schema(false);
    config.with_target_partitions(if target_partitions > 0 { target_partitions } else { num_cpus() })
}

/// A session state over `catalogs` whose runtime holds `lake`'s object store.
fn lakehouse_state(
    config: datafusion::prelude::SessionConfig,
    lake: &Arc<Lakehouse>,
    catalogs: Arc<dyn CatalogProviderList>,
) -> datafusion::error::Result<datafusion::execution::SessionState> {
    let runtime = datafusion::execution::runtime_env::RuntimeEnvBuilder::new().build()?;
    lake.store().register_into(&runtime);
    Ok(SessionStateBuilder::new()
        .with_default_features()
        .with_config(config)
        .with_runtime_env(Arc::new(runtime))
        .with_catalog_list(catalogs)
        .build())
}

/// `ctx` with Ballista's static distributed planner instead of the adaptive one, for jobs that
/// join an empty table: Ballista 55's adaptive planner never finishes those (it finds the empty
/// stage and wants to cancel the stages that feed it, which it does not implement). Everything
/// else (catalog, functions, cluster) is shared with `ctx`.
pub fn with_static_planner(ctx: &SessionContext) -> SessionContext {
    let state = ctx.state();
    let config = state.config().clone().with_ballista_adaptive_query_planner(false);
    SessionContext::new_with_state(SessionStateBuilder::new_from_existing(state).with_config(config).build())
}

/// A single-process context over `lake`'s tables, with every reviewlake function: no cluster.
/// Writes run the same write and commit operators in this process. For tools, tests and
/// single-process baselines.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let dir = tempfile::tempdir().unwrap();
/// let settings = reviewlake_cluster::config::LakehouseSettings { root: dir.path().display().to_string(), ..Default::default() };
/// let lake = reviewlake_cluster::lakehouse::Lakehouse::from_settings(&settings).unwrap();
/// let ctx = reviewlake_cluster::session::local_context(&lake, 0).unwrap();
/// reviewlake_cluster::sql::run_script(&ctx, Some(&lake), "CREATE TABLE bronze.t AS SELECT 1 AS x").await.unwrap();
/// # }
/// ```
pub fn local_context(lake: &Arc<Lakehouse>, target_partitions: usize) -> datafusion::error::Result<SessionContext> {
    let mut state = lakehouse_state(session_config(target_partitions), lake, lakehouse_catalogs(lake.clone()))?;
    functions::register_all(&mut state, lake.settings())?;
    Ok(SessionContext::new_with_state(state))
}
