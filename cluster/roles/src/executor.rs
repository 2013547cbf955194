//! The embedded Ballista executor: every reviewlake function in its registry, an explicit work
//! directory, configurable task slots, health endpoints and a graceful drain on SIGTERM.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};
use ballista_core::RuntimeProducer;
use ballista_executor::executor_process::{ExecutorProcessConfig, start_executor_process};
use ballista_executor::health::ExecutorHealth;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use reviewlake_core::config::{ExecutorSettings, SchedulingPolicy, parse_host_port};
use reviewlake_core::root_cause;
use reviewlake_lakehouse::Lakehouse;
use serde::Deserialize;

use crate::common::policy;
use crate::functions;
use crate::operator_api::ExecutorReport;

/// Errors of starting or running an executor.
#[derive(Debug, thiserror::Error)]
pub enum ExecutorError {
    /// The scheduler did not answer within the connect timeout.
    #[error("cannot reach the scheduler at {address} within {seconds} s: {reason}")]
    SchedulerUnreachable {
        /// `host:port` tried.
        address: String,
        /// The timeout.
        seconds: u64,
        /// The last connection error.
        reason: String,
    },
    /// Scheduler and executor disagree on the scheduling policy.
    #[error(
        "executor.scheduling_policy is {executor} but the scheduler at {address} uses {scheduler}; set both to the same policy"
    )]
    PolicyMismatch {
        /// The scheduler's address.
        address: String,
        /// The executor's policy.
        executor: String,
        /// The scheduler's policy.
        scheduler: String,
    },
    /// A port is taken or cannot be bound.
    #[error("cannot bind {what} on {address}: {reason}")]
    Bind {
        /// Which setting names the port.
        what: &'static str,
        /// The address tried.
        address: String,
        /// The system's reason.
        reason: String,
    },
    /// The work directory cannot be created.
    #[error("cannot create executor.work_dir {path}: {reason}")]
    WorkDir {
        /// The directory.
        path: String,
        /// The system's reason.
        reason: String,
    },
    /// A setting is malformed.
    #[error("invalid executor setting: {0}")]
    Settings(String),
    /// Ballista's executor stopped with an error.
    #[error("executor failed: {0}")]
    Run(String),
}

#[derive(Deserialize)]
struct SchedulerState {
    scheduling_policy: String,
}

/// Asks the scheduler's REST API for its policy, retrying until `timeout`.
///
/// ```no_run
/// # async fn f() {
/// let policy = reviewlake_cluster::executor::scheduler_policy("127.0.0.1:50050", std::time::Duration::from_secs(5)).await;
/// # }
/// ```
pub async fn scheduler_policy(address: &str, timeout: Duration) -> Result<String, ExecutorError> {
    let started = Instant::now();
    loop {
        match scheduler_rest::<SchedulerState>(address, "/api/state").await {
            Ok(state) => return Ok(state.scheduling_policy),
            Err(error) if started.elapsed() >= timeout => {
                return Err(ExecutorError::SchedulerUnreachable {
                    address: address.to_string(),
                    seconds: timeout.as_secs(),
                    reason: root_cause(&error),
                });
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

/// GETs `path` from the REST API of the scheduler at `address` and decodes its JSON body,
/// giving up after 2 s.
pub(crate) async fn scheduler_rest<T: serde::de::DeserializeOwned>(address: &str, path: &str) -> reqwest::Result<T> {
    let client = reqwest::Client::builder().timeout(Duration::from_secs(2)).build()?;
    client.get(format!("http://{address}{path}")).send().await?.error_for_status()?.json().await
}

fn check_port_free(what: &'static str, host: &str, port: u16) -> Result<(), ExecutorError> {
    let address = format!("{host}:{port}");
    std::net::TcpListener::bind(&address).map(drop).map_err(|e| ExecutorError::Bind {
        what,
        address,
        reason: e.to_string(),
    })
}

/// The work directory an executor uses: `executor.work_dir`, or `./work/executor-<port>`.
///
/// ```
/// let settings = reviewlake_cluster::config::ExecutorSettings::default();
/// assert_eq!(reviewlake_cluster::executor::work_dir(&settings), "./work/executor-50051");
/// ```
pub fn work_dir(settings: &ExecutorSettings) -> String {
    if settings.work_dir.is_empty() { format!("./work/executor-{}", settings.port) } else { settings.work_dir.clone() }
}

/// Checks the scheduler and ports, then runs an executor until SIGTERM or ctrl-c, draining
/// running tasks before it returns.
pub async fn run_executor(settings: &ExecutorSettings, lake: &Lakehouse) -> Result<(), ExecutorError> {
    let (scheduler_host, scheduler_port) = parse_host_port(&settings.scheduler).map_err(ExecutorError::Settings)?;
    let timeout = Duration::from_secs(settings.scheduler_connect_timeout_seconds);
    let scheduler_policy_name = scheduler_policy(&settings.scheduler, timeout).await?;
    if scheduler_policy_name != settings.scheduling_policy.as_str() {
        return Err(ExecutorError::PolicyMismatch {
            address: settings.scheduler.clone(),
            executor: settings.scheduling_policy.as_str().into(),
            scheduler: scheduler_policy_name,
        });
    }
    check_port_free("executor.port", &settings.bind_host, settings.port)?;
    if settings.scheduling_policy == SchedulingPolicy::PushStaged {
        check_port_free("executor.grpc_port", &settings.bind_host, settings.grpc_port)?;
    }
    let http_address = format!("{}:{}", settings.bind_host, settings.http_port);
    let http = tokio::net::TcpListener::bind(&http_address).await.map_err(|e| ExecutorError::Bind {
        what: "executor.http_port",
        address: http_address.clone(),
        reason: e.to_string(),
    })?;
    let work_dir = work_dir(settings);
    std::fs::create_dir_all(&work_dir)
        .map_err(|e| ExecutorError::WorkDir { path: work_dir.clone(), reason: e.to_string() })?;

    let health = ExecutorHealth::new();
    let (logical_codec, physical_codec) = crate::codec::codecs();
    let vcores = if settings.vcores == 0 { num_cpus() } else { settings.vcores };
    let mut config = ExecutorProcessConfig {
        bind_host: settings.bind_host.clone(),
        external_host: Some(settings.external_host.clone()),
        port: settings.port,
        grpc_port: settings.grpc_port,
        scheduler_host: scheduler_host.clone(),
        scheduler_port,
        scheduler_connect_timeout_seconds: settings.scheduler_connect_timeout_seconds.min(u16::MAX as u64) as u16,
        vcores,
        task_scheduling_policy: policy(settings.scheduling_policy),
        work_dir: Some(work_dir.clone()),
        print_thread_info: false,
        executor_heartbeat_interval_seconds: settings.heartbeat_interval_seconds,
        override_function_registry: Some(Arc::new(functions::executor_registry(lake.settings()))),
        override_runtime_producer: Some(runtime_producer(lake, Some(work_dir.clone()), settings.memory_limit_mb)),
        override_logical_codec: Some(logical_codec),
        override_physical_codec: Some(physical_codec),
        health: health.clone(),
        ..Default::default()
    };
    if !settings.id.is_empty() {
        config.executor_id = settings.id.clone();
    }
    let executor_id = config.executor_id.clone();
    let http_port = http.local_addr().map(|address| address.port()).unwrap_or(settings.http_port);
    tokio::spawn(serve_health(http, health, vcores));
    if settings.scheduler_http_port != 0 {
        let report = ExecutorReport {
            http_port,
            resident_memory_bytes: 0,
            memory_limit_bytes: (settings.memory_limit_mb as u64) << 20,
        };
        let url = format!("http://{scheduler_host}:{}/v1/executors/{executor_id}/report", settings.scheduler_http_port);
        let interval = Duration::from_secs(settings.heartbeat_interval_seconds.max(1));
        tokio::spawn(report_every(url, report, interval));
    }
    tracing::info!(%executor_id, vcores, port = settings.port, %http_address, "reviewlake executor starting");
    start_executor_process(Arc::new(config)).await.map_err(|e| ExecutorError::Run(e.to_string()))
}

/// The runtime of every task: the lakehouse's object store registered, spill files under
/// `temp_dir` (Ballista's default producer sets it to the work directory; an override must
/// keep that), and one memory pool of `memory_limit_mb` shared by all tasks of the executor
/// (0: unbounded), fairly divided among the operators that can spill.
pub fn runtime_producer(lake: &Lakehouse, temp_dir: Option<String>, memory_limit_mb: usize) -> RuntimeProducer {
    let store = lake.store().clone();
    let pool: Option<Arc<dyn datafusion::execution::memory_pool::MemoryPool>> = (memory_limit_mb > 0)
        .then(|| Arc::new(datafusion::execution::memory_pool::FairSpillPool::new(memory_limit_mb << 20)) as _);
    Arc::new(move |_config| {
        let mut builder = RuntimeEnvBuilder::new();
        if let Some(pool) = &pool {
            builder = builder.with_memory_pool(pool.clone());
        }
        if let Some(dir) = &temp_dir {
            builder = builder.with_temp_file_path(dir.clone());
        }
        let runtime = builder.build()?;
        store.register_into(&runtime);
        Ok(Arc::new(runtime))
    })
}

/// Sends `report`, with the process's resident memory filled in, to the operator API at `url`
/// every `interval`. A scheduler that is away (restarting, unreachable) is retried silently:
/// the report is advisory, Ballista's heartbeats decide liveness.
async fn report_every(url: String, mut report: ExecutorReport, interval: Duration) {
    let Ok(client) = reqwest::Client::builder().timeout(Duration::from_secs(2)).build() else { return };
    loop {
        report.resident_memory_bytes = resident_memory_bytes().unwrap_or(0);
        if let Err(error) = client.put(&url).json(&report).send().await.and_then(|r| r.error_for_status()) {
            tracing::debug!(%url, error = %root_cause(&error), "executor report not delivered");
        }
        tokio::time::sleep(interval).await;
    }
}

/// Resident set size of this process, from `/proc/self/statm` (Linux).
fn resident_memory_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // SAFETY: sysconf reads a constant of the running system and has no preconditions.
    let page_size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    Some(pages * u64::try_from(page_size).ok()?)
}

/// Task slots to advertise when `vcores` is 0.
pub fn num_cpus() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

/// Starts the same graceful drain as SIGTERM (Ballista's executor owns that signal handler):
/// no new tasks, running ones finish, the process exits.
async fn drain_on_request() -> (StatusCode, &'static str) {
    tracing::info!("drain requested over HTTP");
    // SAFETY: kill(2) on our own pid with a signal whose handler Ballista installed.
    if unsafe { libc::kill(libc::getpid(), libc::SIGTERM) } == 0 {
        (StatusCode::ACCEPTED, "draining\n")
    } else {
        (StatusCode::INTERNAL_SERVER_ERROR, "cannot signal this process\n")
    }
}

async fn serve_health(listener: tokio::net::TcpListener, health: ExecutorHealth, vcores: usize) {
    let ready = health.clone();
    let metrics_health = health;
    let router = Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/v1/drain", post(drain_on_request))
        .route(
            "/readyz",
            get(move || {
                let ready = ready.is_ready();
                async move {
                    if ready {
                        (StatusCode::OK, "ready\n")
                    } else {
                        (StatusCode::SERVICE_UNAVAILABLE, "not ready: no heartbeat acknowledged\n")
                    }
                }
            }),
        )
        .route(
            "/metrics",
            get(move || {
                let ready = u8::from(metrics_health.is_ready());
                async move {
                    format!(
                        "# HELP reviewlake_executor_vcores Task slots this executor advertises.\n\
                         # TYPE reviewlake_executor_vcores gauge\n\
                         reviewlake_executor_vcores {vcores}\n\
                         # HELP reviewlake_executor_ready 1 while heartbeats reach the scheduler.\n\
                         # TYPE reviewlake_executor_ready gauge\n\
                         reviewlake_executor_ready {ready}\n"
                    )
                }
            }),
        );
    if let Err(error) = axum::serve(listener, router).await {
        tracing::error!(%error, "executor health server stopped");
    }
}
