//! Operator commands for a cluster of separate processes: `cluster up | status | scale | drain |
//! down`.
//!
//! `status` and `drain` work on any cluster through its operator API ([`OperatorApi`]); the
//! others manage processes on this machine. `up` starts one scheduler and N executors as separate OS processes on free loopback ports,
//! each with its own work directory and log in the run directory, and records them in
//! `RUN_DIR/cluster.json`; the other commands read that record and ask the scheduler's operator
//! API (see [`crate::operator_api`]) for the live state.

mod error;
mod process;
mod run_dir;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ballista_core::serde::protobuf::ExecutorStoppedParams;
use ballista_core::serde::protobuf::scheduler_grpc_client::SchedulerGrpcClient;
use reviewlake_core::config::Settings;
use reviewlake_core::root_cause;

pub use error::OpsError;
pub use process::{binary_path, free_port, free_ports, is_alive};
pub use run_dir::{ClusterRecord, ExecutorRecord, RECORD_FILE};

use crate::operator_api::{ExecutorView, JobTasks, JobView};

/// The cluster an operator command talks to.
#[derive(Debug, Clone)]
pub enum OperatorApi {
    /// A cluster started here with `cluster up`, by its run directory.
    Local(PathBuf),
    /// Any cluster, by the URL of its scheduler's operator API (`http://HOST:PORT`).
    Remote(String),
}

impl OperatorApi {
    fn url(&self) -> Result<String, OpsError> {
        match self {
            Self::Local(dir) => Ok(ClusterRecord::load(dir)?.api_url()),
            Self::Remote(url) => Ok(url.trim_end_matches('/').to_string()),
        }
    }
}

/// What `cluster up` and `cluster scale` start.
#[derive(Debug, Clone)]
pub struct ClusterSpec {
    /// The run directory: record, logs, work directories.
    pub dir: PathBuf,
    /// Number of executors wanted.
    pub executors: usize,
    /// Task slots per executor, in order; the last value repeats, empty means the configured
    /// `executor.vcores`.
    pub vcores: Vec<usize>,
    /// A configuration file to hand to every process.
    pub config_file: Option<PathBuf>,
    /// How long to wait for processes to start, register or drain.
    pub timeout: Duration,
}

impl ClusterSpec {
    fn vcores_of(&self, index: usize, settings: &Settings) -> usize {
        match self.vcores.get(index).or(self.vcores.last()) {
            Some(&v) => v,
            None => settings.executor.vcores,
        }
    }

    fn config_args(&self) -> Vec<String> {
        match &self.config_file {
            Some(path) => vec!["--config".into(), path.display().to_string()],
            None => Vec::new(),
        }
    }
}

/// Starts a scheduler and `spec.executors` executors and waits until all are registered.
/// On any failure everything started so far is stopped again.
pub async fn up(spec: &ClusterSpec, settings: &Settings) -> Result<ClusterRecord, OpsError> {
    if spec.executors == 0 {
        return Err(OpsError::Usage("--executors must be at least 1".into()));
    }
    if let Some(bad) = spec.vcores.iter().find(|&&v| v == 0) {
        return Err(OpsError::Usage(format!("--vcores values must be at least 1, got {bad}")));
    }
    std::fs::create_dir_all(&spec.dir).map_err(|e| OpsError::Io { path: spec.dir.clone(), reason: e.to_string() })?;
    // Absolute paths in the record keep it valid from any working directory.
    let spec = &ClusterSpec {
        dir: std::path::absolute(&spec.dir)
            .map_err(|e| OpsError::Io { path: spec.dir.clone(), reason: e.to_string() })?,
        ..spec.clone()
    };
    if let Ok(record) = ClusterRecord::load(&spec.dir) {
        if is_alive(record.scheduler_pid) {
            return Err(OpsError::AlreadyRunning { dir: spec.dir.clone(), pid: record.scheduler_pid });
        }
    }
    let scheduler_binary = binary_path("reviewlake-scheduler")?;
    binary_path("reviewlake-executor")?;

    let [scheduler_port, scheduler_http_port, free_flight_port] = free_ports()?;
    let flight_sql_port = if settings.flight_sql.enabled { free_flight_port } else { 0 };
    let scheduler_log = spec.dir.join("scheduler.log");
    let policy = settings.scheduler.scheduling_policy.as_str().to_string();
    // Resolved once here, so that a relative root means the same folder to every process.
    let lakehouse_root = reviewlake_lakehouse::Lakehouse::from_settings(&settings.lakehouse)
        .map_err(|e| OpsError::Usage(e.to_string()))?
        .root()
        .to_string();
    let mut args = spec.config_args();
    args.extend(["--lakehouse".to_string(), lakehouse_root.clone()]);
    args.extend(
        [
            "--bind-host",
            "127.0.0.1",
            "--external-host",
            "127.0.0.1",
            "--port",
            &scheduler_port.to_string(),
            "--http-port",
            &scheduler_http_port.to_string(),
            "--policy",
            &policy,
            "--flight-sql-port",
            &free_flight_port.to_string(),
        ]
        .map(String::from),
    );
    let mut scheduler = process::spawn(&scheduler_binary, &args, &scheduler_log)?;
    let mut record = ClusterRecord {
        scheduler_pid: scheduler.id(),
        scheduler_port,
        scheduler_http_port,
        flight_sql_port,
        scheduler_log: scheduler_log.clone(),
        policy,
        executors: Vec::new(),
        next_executor: 1,
        lakehouse_root,
    };
    let started = async {
        wait_http_ok(&format!("{}/healthz", record.api_url()), spec.timeout, || {
            scheduler.try_wait().ok().flatten().is_some().then(|| exited("scheduler", &scheduler_log))
        })
        .await?;
        add_executors(&mut record, spec, settings, spec.executors).await
    };
    match started.await {
        Ok(()) => {
            record.save(&spec.dir)?;
            Ok(record)
        }
        Err(error) => {
            let mut pids: Vec<u32> = record.executors.iter().map(|e| e.pid).collect();
            pids.push(record.scheduler_pid);
            process::terminate_all(&pids, Duration::from_secs(5));
            let _ = scheduler.wait();
            Err(error)
        }
    }
}

fn exited(what: &str, log: &Path) -> OpsError {
    OpsError::Exited { what: what.to_string(), log: log.to_path_buf(), tail: process::log_tail(log, 5) }
}

/// Starts `count` more executors for `record` and waits until the scheduler lists them.
async fn add_executors(
    record: &mut ClusterRecord,
    spec: &ClusterSpec,
    settings: &Settings,
    count: usize,
) -> Result<(), OpsError> {
    let executor_binary = binary_path("reviewlake-executor")?;
    let mut children = Vec::new();
    for _ in 0..count {
        let index = record.next_executor;
        record.next_executor += 1;
        let id = format!("executor-{index}");
        let folder = spec.dir.join(&id);
        let work_dir = folder.join("work");
        std::fs::create_dir_all(&work_dir)
            .map_err(|e| OpsError::Io { path: work_dir.clone(), reason: e.to_string() })?;
        let log = spec.dir.join(format!("{id}.log"));
        let [port, grpc_port, http_port] = free_ports()?;
        let vcores = spec.vcores_of(record.executors.len(), settings);
        let mut args = spec.config_args();
        if !record.lakehouse_root.is_empty() {
            args.extend(["--lakehouse".to_string(), record.lakehouse_root.clone()]);
        }
        args.extend([
            "--id".into(),
            id.clone(),
            "--scheduler".into(),
            record.scheduler_address(),
            "--scheduler-http-port".into(),
            record.scheduler_http_port.to_string(),
            "--bind-host".into(),
            "127.0.0.1".into(),
            "--external-host".into(),
            "127.0.0.1".into(),
            "--port".into(),
            port.to_string(),
            "--grpc-port".into(),
            grpc_port.to_string(),
            "--http-port".into(),
            http_port.to_string(),
            "--vcores".into(),
            vcores.to_string(),
            "--work-dir".into(),
            work_dir.display().to_string(),
            "--policy".into(),
            record.policy.clone(),
        ]);
        let child = process::spawn(&executor_binary, &args, &log)?;
        record.executors.push(ExecutorRecord {
            id: id.clone(),
            pid: child.id(),
            port,
            grpc_port,
            http_port,
            vcores,
            work_dir,
            log: log.clone(),
        });
        children.push((id, log, child));
    }
    let wanted: Vec<String> = children.iter().map(|(id, _, _)| id.clone()).collect();
    let deadline = Instant::now() + spec.timeout;
    loop {
        for (id, log, child) in children.iter_mut() {
            if child.try_wait().ok().flatten().is_some() {
                return Err(exited(id, log));
            }
        }
        if let Ok(executors) = executors(record).await {
            if wanted.iter().all(|id| executors.iter().any(|e| &e.id == id)) {
                return Ok(());
            }
        }
        if Instant::now() >= deadline {
            return Err(OpsError::Timeout {
                what: format!("executors {wanted:?} to register"),
                seconds: spec.timeout.as_secs(),
            });
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Polls `url` until it answers 200, `died` reports a dead process, or `timeout` passes.
async fn wait_http_ok(
    url: &str,
    timeout: Duration,
    mut died: impl FnMut() -> Option<OpsError>,
) -> Result<(), OpsError> {
    let client = http_client();
    let deadline = Instant::now() + timeout;
    loop {
        if let Ok(response) = client.get(url).send().await {
            if response.status().is_success() {
                return Ok(());
            }
        }
        if let Some(error) = died() {
            return Err(error);
        }
        if Instant::now() >= deadline {
            return Err(OpsError::Timeout { what: url.to_string(), seconds: timeout.as_secs() });
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn http_client() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_secs(5)).build().expect("a plain HTTP client builds")
}

async fn get_json<T: serde::de::DeserializeOwned>(url: String) -> Result<T, OpsError> {
    let api_error = |reason: String| OpsError::Api { url: url.clone(), reason };
    let response = http_client().get(&url).send().await.map_err(|e| api_error(root_cause(&e)))?;
    let response = response.error_for_status().map_err(|e| api_error(e.to_string()))?;
    response.json().await.map_err(|e| api_error(e.to_string()))
}

/// Reports to the scheduler of `record` that executor `id` has stopped.
///
/// The executor reports this itself when it starts draining, but while it drains it still
/// polls for work, and a poll registers it again: it can take a task it will never run. Once
/// its process has exited, reporting the stop again removes it for good and reschedules
/// whatever it held.
async fn report_stopped(record: &ClusterRecord, id: &str) -> Result<(), OpsError> {
    let url = format!("http://{}", record.scheduler_address());
    let api_error = |reason: String| OpsError::Api { url: url.clone(), reason };
    let mut client = SchedulerGrpcClient::connect(url.clone()).await.map_err(|e| api_error(root_cause(&e)))?;
    let stopped =
        ExecutorStoppedParams { executor_id: id.to_string(), reason: "its process exited (cluster scale)".into() };
    client.executor_stopped(stopped).await.map_err(|e| api_error(e.message().to_string()))?;
    Ok(())
}

/// The executors the scheduler of `record` knows.
pub async fn executors(record: &ClusterRecord) -> Result<Vec<ExecutorView>, OpsError> {
    executors_at(&record.api_url()).await
}

/// The executors the scheduler with the operator API at `api_url` knows.
pub async fn executors_at(api_url: &str) -> Result<Vec<ExecutorView>, OpsError> {
    get_json(format!("{api_url}/v1/executors")).await
}

/// The jobs the scheduler with the operator API at `api_url` knows, oldest first.
pub async fn jobs_at(api_url: &str) -> Result<Vec<JobView>, OpsError> {
    get_json(format!("{api_url}/v1/jobs")).await
}

/// Where every task of a job ran.
pub async fn job_tasks(record: &ClusterRecord, job_id: &str) -> Result<JobTasks, OpsError> {
    get_json(format!("{}/v1/jobs/{job_id}/tasks", record.api_url())).await
}

/// The live state of a cluster, as printed by `cluster status`: per executor its host, slots,
/// running tasks, memory and last heartbeat, then the latest jobs.
pub async fn status(api: &OperatorApi) -> Result<String, OpsError> {
    let (url, record) = match api {
        OperatorApi::Local(dir) => {
            let record = ClusterRecord::load(dir)?;
            if !is_alive(record.scheduler_pid) {
                return Err(OpsError::Api {
                    url: record.api_url(),
                    reason: format!(
                        "the scheduler (pid {}) is not running; see {}",
                        record.scheduler_pid,
                        record.scheduler_log.display()
                    ),
                });
            }
            (record.api_url(), Some(record))
        }
        OperatorApi::Remote(_) => (api.url()?, None),
    };
    let executors = executors_at(&url).await?;
    let jobs = jobs_at(&url).await?;
    let mut out = match &record {
        Some(record) => format!(
            "scheduler  {}  pid {}  policy {}  operator API {url}\n\n",
            record.scheduler_address(),
            record.scheduler_pid,
            record.policy
        ),
        None => format!("operator API {url}\n\n"),
    };
    out.push_str(&format!(
        "{:<14} {:<21} {:>6} {:>7} {:>5} {:>17} {:>10} {:>8}\n",
        "EXECUTOR", "ADDRESS", "VCORES", "RUNNING", "FREE", "MEMORY", "HEARTBEAT", "PID"
    ));
    for executor in &executors {
        let pid = record
            .iter()
            .flat_map(|record| &record.executors)
            .find(|e| e.id == executor.id)
            .map(|e| e.pid.to_string())
            .unwrap_or_else(|| "-".into());
        let heartbeat = executor.seconds_since_heartbeat.map(|s| format!("{s}s ago")).unwrap_or_else(|| "-".into());
        out.push_str(&format!(
            "{:<14} {:<21} {:>6} {:>7} {:>5} {:>17} {:>10} {:>8}\n",
            executor.id,
            format!("{}:{}", executor.host, executor.port),
            executor.vcores,
            executor.running_tasks,
            executor.free_slots,
            memory_column(executor),
            heartbeat,
            pid
        ));
    }
    let count = |status: &str| jobs.iter().filter(|j| j.status == status).count();
    out.push_str(&format!(
        "\njobs: {} running, {} queued, {} successful, {} failed\n",
        count("running"),
        count("queued"),
        count("successful"),
        count("failed")
    ));
    for job in jobs.iter().rev().take(10) {
        out.push_str(&format!(
            "  {:<10} {:<11} stages {}/{}  {}\n",
            job.job_id, job.status, job.completed_stages, job.num_stages, job.job_name
        ));
    }
    Ok(out)
}

/// `RSS / limit` in MiB, or `-` before the executor has reported.
fn memory_column(executor: &ExecutorView) -> String {
    let mib = |bytes: u64| bytes >> 20;
    match (executor.resident_memory_bytes, executor.memory_limit_bytes) {
        (Some(used), Some(0)) => format!("{} MiB / -", mib(used)),
        (Some(used), Some(limit)) => format!("{} / {} MiB", mib(used), mib(limit)),
        _ => "-".into(),
    }
}

/// Drains executor `executor_id` for planned maintenance: it takes no new tasks, finishes the
/// running ones (the job goes on elsewhere) and exits; returns once the scheduler no longer
/// lists it, or fails after `timeout`.
pub async fn drain(api: &OperatorApi, executor_id: &str, timeout: Duration) -> Result<Duration, OpsError> {
    let started = Instant::now();
    let url = format!("{}/v1/executors/{executor_id}/drain", api.url()?);
    let api_error = |reason: String| OpsError::Api { url: url.clone(), reason };
    let response = http_client().post(&url).send().await.map_err(|e| api_error(root_cause(&e)))?;
    if !response.status().is_success() {
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        let reason = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_string))
            .unwrap_or(body);
        return Err(api_error(format!("{status}: {reason}")));
    }
    let api_url = api.url()?;
    loop {
        if !executors_at(&api_url).await?.iter().any(|e| e.id == executor_id) {
            break;
        }
        if started.elapsed() >= timeout {
            return Err(OpsError::Timeout {
                what: format!("executor {executor_id} to drain and leave the cluster"),
                seconds: timeout.as_secs(),
            });
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    if let OperatorApi::Local(dir) = api {
        let mut record = ClusterRecord::load(dir)?;
        record.executors.retain(|e| e.id != executor_id);
        record.save(dir)?;
    }
    Ok(started.elapsed())
}

/// Grows or shrinks the cluster of `spec.dir` to `spec.executors` executors. Removed executors
/// (the newest first) get SIGTERM and drain their running tasks before they exit.
pub async fn scale(spec: &ClusterSpec, settings: &Settings) -> Result<ClusterRecord, OpsError> {
    if spec.executors == 0 {
        return Err(OpsError::Usage("--executors must be at least 1; use `cluster down` to stop the cluster".into()));
    }
    let mut record = ClusterRecord::load(&spec.dir)?;
    record.executors.retain(|e| is_alive(e.pid));
    let current = record.executors.len();
    if spec.executors > current {
        let result = add_executors(&mut record, spec, settings, spec.executors - current).await;
        record.save(&spec.dir)?;
        result?;
    } else if spec.executors < current {
        let removed: Vec<ExecutorRecord> = record.executors.split_off(spec.executors);
        let pids: Vec<u32> = removed.iter().map(|e| e.pid).collect();
        let killed = process::terminate_all(&pids, spec.timeout);
        record.save(&spec.dir)?;
        if !killed.is_empty() {
            tracing::warn!(?killed, "executors did not drain in time and were killed");
        }
        for executor in &removed {
            report_stopped(&record, &executor.id).await?;
        }
    }
    Ok(record)
}

/// Stops every process of the cluster of `dir` (executors first, draining) and removes its
/// record. Returns the pids that had to be killed.
pub fn down(dir: &Path, grace: Duration) -> Result<Vec<u32>, OpsError> {
    let record = ClusterRecord::load(dir)?;
    let executors: Vec<u32> = record.executors.iter().map(|e| e.pid).collect();
    let mut killed = process::terminate_all(&executors, grace);
    killed.extend(process::terminate_all(&[record.scheduler_pid], grace));
    ClusterRecord::remove(dir)?;
    Ok(killed)
}
