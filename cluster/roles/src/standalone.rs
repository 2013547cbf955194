//! The in-process cluster: a scheduler and one executor inside the client's process, on free
//! loopback ports.
//!
//! Both run push-staged. Ballista's own in-process executor polls for work every 50 ms and
//! reports a finished task only at its next poll, so every stage of a job waited up to two
//! poll intervals: a `SELECT 1` took 0.10 s. Pushed, a task is launched as soon as its stage is
//! ready and its status goes back as soon as it ends.

use std::sync::Arc;

use arrow_flight::flight_service_server::FlightServiceServer;
use ballista_core::serde::BallistaCodec;
use ballista_core::serde::protobuf::ExecutorRegistration;
use ballista_core::serde::protobuf::scheduler_grpc_client::SchedulerGrpcClient;
use ballista_core::serde::scheduler::{ExecutorOperatingSystemSpecification, ExecutorSpecification};
use ballista_core::utils::{GrpcServerConfig, create_grpc_server};
use ballista_core::{BALLISTA_PROTOCOL_VERSION, ConfigProducer};
use ballista_executor::executor::Executor;
use ballista_executor::executor_process::ExecutorProcessConfig;
use ballista_executor::flight_service::BallistaFlightService;
use ballista_executor::health::ExecutorHealth;
use ballista_executor::metrics::LoggingMetricsCollector;
use ballista_executor::shutdown::ShutdownNotifier;
use datafusion_proto::protobuf::{LogicalPlanNode, PhysicalPlanNode};
use reviewlake_core::config::{ExecutorSettings, SchedulerSettings, SchedulingPolicy};
use reviewlake_lakehouse::Lakehouse;
use tokio::net::TcpListener;

use crate::common::base_session_config;
use crate::executor::runtime_producer;
use crate::functions;
use crate::ops::free_port;
use crate::scheduler::{RunningScheduler, start_scheduler};

const LOOPBACK: &str = "127.0.0.1";

/// Attempts at starting the executor's task port. Its number must be chosen before Ballista
/// binds it, so another process can take it in between; a new free port is then tried.
const TASK_PORT_ATTEMPTS: usize = 5;

/// An in-process cluster; dropping it stops the executor's servers and removes its work
/// directory.
pub struct StandaloneCluster {
    /// The scheduler, serving on loopback.
    pub scheduler: RunningScheduler,
    _executor: InProcessExecutor,
}

/// What keeps the in-process executor alive: its shuffle files' directory and the signal its
/// servers stop on when dropped.
struct InProcessExecutor {
    _work_dir: tempfile::TempDir,
    _shutdown: ShutdownNotifier,
    _stop_requests: tokio::sync::mpsc::Receiver<bool>,
}

/// Errors starting the in-process cluster, as text: they come from three libraries.
#[derive(Debug, thiserror::Error)]
#[error("in-process cluster failed to start: {0}")]
pub struct StandaloneError(String);

fn standalone_error(error: impl std::fmt::Display) -> StandaloneError {
    StandaloneError(error.to_string())
}

impl StandaloneCluster {
    /// Starts a scheduler and one executor with `vcores` task slots and a memory pool of
    /// `memory_limit_mb` (0: unbounded) inside this process.
    ///
    /// ```no_run
    /// # async fn f() -> Result<(), Box<dyn std::error::Error>> {
    /// let settings = reviewlake_cluster::config::LakehouseSettings::default();
    /// let lake = reviewlake_cluster::lakehouse::Lakehouse::from_settings(&settings)?;
    /// let cluster = reviewlake_cluster::standalone::StandaloneCluster::start(2, 0, lake).await?;
    /// println!("scheduler at {}", cluster.scheduler.grpc_address);
    /// # Ok(()) }
    /// ```
    pub async fn start(
        vcores: usize,
        memory_limit_mb: usize,
        lake: Arc<Lakehouse>,
    ) -> Result<StandaloneCluster, StandaloneError> {
        let settings = SchedulerSettings {
            bind_host: LOOPBACK.into(),
            external_host: LOOPBACK.into(),
            scheduling_policy: SchedulingPolicy::PushStaged,
            ..SchedulerSettings::default()
        };
        let grpc = TcpListener::bind((LOOPBACK, 0)).await.map_err(standalone_error)?;
        let http = TcpListener::bind((LOOPBACK, 0)).await.map_err(standalone_error)?;
        let scheduler = start_scheduler(&settings, lake.clone(), grpc, http).await.map_err(standalone_error)?;
        let executor = InProcessExecutor::start(&scheduler, vcores, memory_limit_mb, &lake).await?;
        Ok(StandaloneCluster { scheduler, _executor: executor })
    }
}

impl InProcessExecutor {
    async fn start(
        scheduler: &RunningScheduler,
        vcores: usize,
        memory_limit_mb: usize,
        lake: &Lakehouse,
    ) -> Result<InProcessExecutor, StandaloneError> {
        let client = SchedulerGrpcClient::connect(format!("http://{}", scheduler.grpc_address))
            .await
            .map_err(standalone_error)?;
        let work_dir = tempfile::Builder::new().prefix("reviewlake-executor-").tempdir().map_err(standalone_error)?;
        let work_dir_path = work_dir.path().display().to_string();
        let shutdown = ShutdownNotifier::new();
        let (stop_send, stop_requests) = tokio::sync::mpsc::channel(1);

        // Shuffle files are fetched from this Flight port, by the executor itself and by the client.
        let flight = TcpListener::bind((LOOPBACK, 0)).await.map_err(standalone_error)?;
        let flight_port = flight.local_addr().map_err(standalone_error)?.port();
        let mut flight_stop = shutdown.subscribe_for_shutdown();
        let flight_service = FlightServiceServer::new(BallistaFlightService::new(work_dir_path.clone()));
        tokio::spawn(
            create_grpc_server(&GrpcServerConfig::default()).add_service(flight_service).serve_with_incoming_shutdown(
                tonic::transport::server::TcpIncoming::from(flight).with_nodelay(Some(true)),
                async move { flight_stop.recv().await },
            ),
        );

        let config_producer: ConfigProducer = Arc::new(base_session_config);
        let (logical_codec, physical_codec) = crate::codec::codecs();
        let registry = Arc::new(functions::executor_registry(lake.settings()));
        let mut last_error = None;
        for _ in 0..TASK_PORT_ATTEMPTS {
            let task_port = free_port().map_err(standalone_error)?;
            let registration = ExecutorRegistration {
                id: ballista_core::ids::new_instance_id(),
                host: Some(LOOPBACK.into()),
                port: flight_port.into(),
                grpc_port: task_port.into(),
                specification: Some(ExecutorSpecification::default().with_vcores(vcores as u32).into()),
                os_info: Some(ExecutorOperatingSystemSpecification::default().into()),
                ballista_protocol_version: BALLISTA_PROTOCOL_VERSION,
            };
            let executor = Arc::new(Executor::with_default_execution_engine(
                registration,
                &work_dir_path,
                runtime_producer(lake, Some(work_dir_path.clone()), memory_limit_mb),
                config_producer.clone(),
                registry.clone(),
                Arc::new(LoggingMetricsCollector::default()),
                vcores,
            ));
            let config = ExecutorProcessConfig {
                bind_host: LOOPBACK.into(),
                port: flight_port,
                grpc_port: task_port,
                vcores,
                work_dir: Some(work_dir_path.clone()),
                // Pushed tasks bring no polls, so heartbeats alone keep the executor alive: they
                // must come well inside the scheduler's executor timeout (Ballista's default, 60 s,
                // equals it).
                executor_heartbeat_interval_seconds: ExecutorSettings::default().heartbeat_interval_seconds,
                ..Default::default()
            };
            let started = ballista_executor::executor_server::startup(
                client.clone(),
                Arc::new(config),
                executor,
                BallistaCodec::<LogicalPlanNode, PhysicalPlanNode>::new(logical_codec.clone(), physical_codec.clone()),
                stop_send.clone(),
                &shutdown,
                ExecutorHealth::new(),
            )
            .await;
            match started {
                Ok(_server) => {
                    return Ok(InProcessExecutor {
                        _work_dir: work_dir,
                        _shutdown: shutdown,
                        _stop_requests: stop_requests,
                    });
                }
                Err(error) => last_error = Some(error),
            }
        }
        Err(standalone_error(last_error.map(|e| e.to_string()).unwrap_or_default()))
    }
}
