//! The scheduler's operator API: what `reviewlake cluster status` and tests read.
//!
//! Ballista's REST API reports jobs and stages but not where each task ran, nor how many
//! slots an executor has free; both are derived here from the scheduler's execution graphs.
//!
//! | route | answer |
//! |---|---|
//! | `GET /healthz` | `ok` while the process serves |
//! | `GET /readyz` | 200 once at least one executor is alive, else 503 |
//! | `GET /metrics` | Prometheus text: executors, slots, jobs by state, and the Flight SQL calls ([`crate::call_metrics`]) |
//! | `GET /v1/executors` | [`ExecutorView`] list |
//! | `PUT /v1/executors/{id}/report` | an executor's [`ExecutorReport`], sent with its heartbeats |
//! | `POST /v1/executors/{id}/drain` | 202: the executor stops taking tasks, finishes its running ones and exits |
//! | `GET /v1/jobs` | [`JobView`] list |
//! | `GET /v1/jobs/{id}/tasks` | [`JobTasks`]: every task with its stage and executor |

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use ballista_core::JobId;
use ballista_core::serde::protobuf::scheduler_grpc_server::SchedulerGrpc;
use ballista_core::serde::protobuf::{ExecutorStoppedParams, job_status, task_status};
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::state::execution_graph::ExecutionGraphBox;
use serde::{Deserialize, Serialize};

use crate::call_metrics::MetricsRegistry;
use crate::common::ReviewlakeScheduler;

/// An executor as the scheduler sees it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ExecutorView {
    /// Executor id (as given by `executor.id` or generated).
    pub id: String,
    /// Host and Flight port it serves shuffle data on.
    pub host: String,
    /// Flight port.
    pub port: u16,
    /// Task slots it advertised.
    pub vcores: u32,
    /// Slots taken by tasks running now.
    pub running_tasks: u32,
    /// `vcores - running_tasks`.
    pub free_slots: u32,
    /// Seconds since its last heartbeat, when one was received.
    pub seconds_since_heartbeat: Option<u64>,
    /// Port of its health and metrics endpoints, once it has reported.
    #[serde(default)]
    pub http_port: Option<u16>,
    /// Resident memory of its process, bytes, as last reported.
    #[serde(default)]
    pub resident_memory_bytes: Option<u64>,
    /// Memory its tasks may hold before they spill (`executor.memory_limit_mb`), bytes; 0 is
    /// no limit.
    #[serde(default)]
    pub memory_limit_bytes: Option<u64>,
}

/// What an executor tells the operator API about itself with every heartbeat: what Ballista's
/// registration does not carry in pull-staged mode.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct ExecutorReport {
    /// Port of its health, metrics and drain endpoints.
    pub http_port: u16,
    /// Resident memory of its process, bytes.
    pub resident_memory_bytes: u64,
    /// `executor.memory_limit_mb` in bytes; 0 is no limit.
    pub memory_limit_bytes: u64,
}

/// The answer to a drain request.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DrainStarted {
    /// The executor draining.
    pub executor_id: String,
    /// Its health endpoint, which stops answering once it has exited.
    pub health_url: String,
}

/// A job's overview.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct JobView {
    /// Job id.
    pub job_id: String,
    /// Job name given by the client.
    pub job_name: String,
    /// `queued`, `running`, `successful` or `failed`.
    pub status: String,
    /// Failure message of a failed job.
    pub error: Option<String>,
    /// Stages in the plan.
    pub num_stages: usize,
    /// Stages completed.
    pub completed_stages: usize,
    /// Start time, ms since the epoch.
    pub start_time: u64,
    /// End time, ms since the epoch (0 while running).
    pub end_time: u64,
}

/// One task attempt of a job.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TaskView {
    /// Stage id.
    pub stage_id: usize,
    /// Task id within the stage.
    pub task_id: usize,
    /// Input partitions the task processed.
    pub partitions: Vec<usize>,
    /// `running`, `successful` or `failed`.
    pub status: String,
    /// Executor that ran it.
    pub executor_id: String,
}

/// Every task of a job, with where it ran.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct JobTasks {
    /// Job id.
    pub job_id: String,
    /// Job status, as in [`JobView::status`].
    pub status: String,
    /// Task attempts, in stage then task order.
    pub tasks: Vec<TaskView>,
}

/// State of the operator API: the scheduler and its cluster state.
#[derive(Clone)]
pub struct SchedulerApi {
    server: ReviewlakeScheduler,
    cluster: BallistaCluster,
    reports: Arc<Mutex<HashMap<String, ExecutorReport>>>,
    metrics: Arc<MetricsRegistry>,
}

/// How long a draining executor may take to finish its tasks and exit before the scheduler
/// stops waiting for it (it is then forgotten by the heartbeat timeout instead).
const DRAIN_WAIT: Duration = Duration::from_secs(3600);

impl SchedulerApi {
    /// Wraps a running scheduler; `/metrics` also shows the services registered in `metrics`.
    pub fn new(server: ReviewlakeScheduler, cluster: BallistaCluster, metrics: Arc<MetricsRegistry>) -> Self {
        Self { server, cluster, reports: Arc::default(), metrics }
    }

    /// The axum router serving the routes listed in the module documentation.
    pub fn router(self) -> Router {
        Router::new()
            .route("/healthz", get(|| async { "ok\n" }))
            .route("/readyz", get(readyz))
            .route("/metrics", get(metrics))
            .route("/v1/executors", get(executors))
            .route("/v1/executors/{executor_id}/report", put(report))
            .route("/v1/executors/{executor_id}/drain", post(drain))
            .route("/v1/jobs", get(jobs))
            .route("/v1/jobs/{job_id}/tasks", get(job_tasks))
            .with_state(Arc::new(self))
    }

    /// The tasks of a job, from the running-job cache or, once finished, the job state.
    async fn job_tasks(&self, job_id: &str) -> Option<JobTasks> {
        let id = JobId::new(job_id);
        if let Some(cached) = self.server.state.task_manager.get_running_job_cache().get(&id) {
            return Some(tasks_of(job_id, &*cached.execution_graph.read().await));
        }
        let graph = self.cluster.job_state().get_execution_graph(&id).await.ok().flatten()?;
        Some(tasks_of(job_id, &graph))
    }

    async fn executor_views(&self) -> Vec<ExecutorView> {
        let mut busy: HashMap<String, u32> = HashMap::new();
        for cached in self.server.state.task_manager.get_running_job_cache().values() {
            let graph = cached.execution_graph.read().await;
            for stage in graph.stages().values() {
                for info in stage.task_infos().unwrap_or_default() {
                    if let task_status::Status::Running(running) = &info.task_status {
                        *busy.entry(running.executor_id.clone()).or_default() += info.vcores_consumed;
                    }
                }
            }
        }
        let states = self.server.state.executor_manager.get_executors_state().await.unwrap_or_default();
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_secs();
        let reports = self.reports.lock().map(|reports| reports.clone()).unwrap_or_default();
        let mut views: Vec<ExecutorView> = states
            .into_iter()
            .map(|(metadata, last_seen, _)| {
                let vcores = metadata.specification.vcores;
                let running_tasks = busy.get(&metadata.id).copied().unwrap_or(0);
                let report = reports.get(&metadata.id);
                ExecutorView {
                    id: metadata.id,
                    host: metadata.host,
                    port: metadata.port,
                    vcores,
                    running_tasks,
                    free_slots: vcores.saturating_sub(running_tasks),
                    seconds_since_heartbeat: last_seen.map(|t| now.saturating_sub(t.as_secs())),
                    http_port: report.map(|r| r.http_port),
                    resident_memory_bytes: report.map(|r| r.resident_memory_bytes),
                    memory_limit_bytes: report.map(|r| r.memory_limit_bytes),
                }
            })
            .collect();
        views.sort_by(|a, b| a.id.cmp(&b.id));
        views
    }

    async fn job_views(&self) -> Result<Vec<JobView>, String> {
        let jobs = self.server.state.task_manager.get_all_jobs().await.map_err(|e| e.to_string())?;
        let mut views: Vec<JobView> = jobs
            .into_iter()
            .map(|job| {
                let (status, error) = status_name(job.status.status.as_ref());
                JobView {
                    job_id: job.job_id.to_string(),
                    job_name: job.job_name,
                    status,
                    error,
                    num_stages: job.num_stages,
                    completed_stages: job.completed_stages,
                    start_time: job.start_time,
                    end_time: job.end_time,
                }
            })
            .collect();
        views.sort_by_key(|job| job.start_time);
        Ok(views)
    }
}

fn status_name(status: Option<&job_status::Status>) -> (String, Option<String>) {
    match status {
        None | Some(job_status::Status::Queued(_)) => ("queued".into(), None),
        Some(job_status::Status::Running(_)) => ("running".into(), None),
        Some(job_status::Status::Successful(_)) => ("successful".into(), None),
        Some(job_status::Status::Failed(failed)) => ("failed".into(), Some(failed.error.clone())),
    }
}

async fn readyz(State(api): State<Arc<SchedulerApi>>) -> Response {
    if api.server.is_ready() {
        (StatusCode::OK, "ready: executors alive\n").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not ready: no executor alive\n").into_response()
    }
}

async fn executors(State(api): State<Arc<SchedulerApi>>) -> Json<Vec<ExecutorView>> {
    Json(api.executor_views().await)
}

async fn report(
    State(api): State<Arc<SchedulerApi>>,
    Path(executor_id): Path<String>,
    Json(report): Json<ExecutorReport>,
) -> StatusCode {
    match api.reports.lock() {
        Ok(mut reports) => {
            reports.insert(executor_id, report);
            StatusCode::NO_CONTENT
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Asks the executor to drain (the same as SIGTERM: it stops taking tasks, finishes the running
/// ones, exits), then, once its health port stops answering, tells Ballista it has stopped: a
/// draining executor still polls, and each poll would otherwise register it again.
async fn drain(State(api): State<Arc<SchedulerApi>>, Path(executor_id): Path<String>) -> Response {
    let Some(executor) = api.executor_views().await.into_iter().find(|e| e.id == executor_id) else {
        return (StatusCode::NOT_FOUND, Json(serde_json::json!({"error": format!("no executor {executor_id}")})))
            .into_response();
    };
    let Some(http_port) = executor.http_port else {
        let error = format!(
            "executor {executor_id} has not reported its health port (executor.scheduler_http_port 0?); stop it with SIGTERM on its host"
        );
        return (StatusCode::CONFLICT, Json(serde_json::json!({"error": error}))).into_response();
    };
    let base = format!("http://{}:{http_port}", executor.host);
    let client = reqwest::Client::builder().timeout(Duration::from_secs(5)).build();
    let asked = match client {
        Ok(client) => client.post(format!("{base}/v1/drain")).send().await.and_then(|r| r.error_for_status()),
        Err(error) => Err(error),
    };
    if let Err(error) = asked {
        let error = format!(
            "executor {executor_id} at {base} did not take the drain request: {}",
            reviewlake_core::root_cause(&error)
        );
        return (StatusCode::BAD_GATEWAY, Json(serde_json::json!({"error": error}))).into_response();
    }
    let health_url = format!("{base}/healthz");
    tokio::spawn(forget_once_exited(api.clone(), executor_id.clone(), health_url.clone()));
    (StatusCode::ACCEPTED, Json(DrainStarted { executor_id, health_url })).into_response()
}

async fn forget_once_exited(api: Arc<SchedulerApi>, executor_id: String, health_url: String) {
    let Ok(client) = reqwest::Client::builder().timeout(Duration::from_secs(2)).build() else { return };
    let started = std::time::Instant::now();
    while client.get(&health_url).send().await.is_ok() {
        if started.elapsed() > DRAIN_WAIT {
            tracing::warn!(%executor_id, "a draining executor is still up; leaving it to the heartbeat timeout");
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let stopped = ExecutorStoppedParams { executor_id: executor_id.clone(), reason: "drained on request".into() };
    match api.server.executor_stopped(tonic::Request::new(stopped)).await {
        Ok(_) => tracing::info!(%executor_id, "executor drained and removed"),
        Err(error) => tracing::warn!(%executor_id, %error, "cannot remove the drained executor"),
    }
    if let Ok(mut reports) = api.reports.lock() {
        reports.remove(&executor_id);
    }
}

async fn jobs(State(api): State<Arc<SchedulerApi>>) -> Response {
    match api.job_views().await {
        Ok(jobs) => Json(jobs).into_response(),
        Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, error).into_response(),
    }
}

async fn job_tasks(State(api): State<Arc<SchedulerApi>>, Path(job_id): Path<String>) -> Response {
    match api.job_tasks(&job_id).await {
        Some(tasks) => Json(tasks).into_response(),
        None => (StatusCode::NOT_FOUND, format!("no job {job_id}\n")).into_response(),
    }
}

fn tasks_of(job_id: &str, graph: &ExecutionGraphBox) -> JobTasks {
    let mut tasks = Vec::new();
    for (stage_id, stage) in graph.stages() {
        for info in stage.task_infos().unwrap_or_default() {
            let (status, executor_id) = match &info.task_status {
                task_status::Status::Running(t) => ("running", t.executor_id.clone()),
                task_status::Status::Successful(t) => ("successful", t.executor_id.clone()),
                // Ballista does not record the executor of a failed attempt.
                task_status::Status::Failed(_) => ("failed", String::new()),
            };
            tasks.push(TaskView {
                stage_id: *stage_id,
                task_id: info.task_id,
                partitions: info.global_input_partition_ids.clone(),
                status: status.into(),
                executor_id,
            });
        }
    }
    tasks.sort_by_key(|t| (t.stage_id, t.task_id));
    let (status, _) = status_name(graph.status().status.as_ref());
    JobTasks { job_id: job_id.to_string(), status, tasks }
}

async fn metrics(State(api): State<Arc<SchedulerApi>>) -> Response {
    let executors = api.executor_views().await;
    let jobs = api.job_views().await.unwrap_or_default();
    let mut text = String::new();
    let _ = writeln!(text, "# HELP reviewlake_executors Executors registered with the scheduler.");
    let _ = writeln!(text, "# TYPE reviewlake_executors gauge");
    let _ = writeln!(text, "reviewlake_executors {}", executors.len());
    let _ = writeln!(text, "# HELP reviewlake_executor_slots Task slots per executor, by state.");
    let _ = writeln!(text, "# TYPE reviewlake_executor_slots gauge");
    for executor in &executors {
        let _ = writeln!(
            text,
            "reviewlake_executor_slots{{executor=\"{}\",state=\"busy\"}} {}",
            executor.id, executor.running_tasks
        );
        let _ = writeln!(
            text,
            "reviewlake_executor_slots{{executor=\"{}\",state=\"free\"}} {}",
            executor.id, executor.free_slots
        );
    }
    let _ = writeln!(
        text,
        "# HELP reviewlake_executor_resident_memory_bytes Resident memory of each executor process, as reported."
    );
    let _ = writeln!(text, "# TYPE reviewlake_executor_resident_memory_bytes gauge");
    for executor in &executors {
        if let Some(bytes) = executor.resident_memory_bytes {
            let _ = writeln!(text, "reviewlake_executor_resident_memory_bytes{{executor=\"{}\"}} {bytes}", executor.id);
        }
    }
    let _ = writeln!(text, "# HELP reviewlake_jobs Jobs known to the scheduler, by status.");
    let _ = writeln!(text, "# TYPE reviewlake_jobs gauge");
    for status in ["queued", "running", "successful", "failed"] {
        let count = jobs.iter().filter(|job| job.status == status).count();
        let _ = writeln!(text, "reviewlake_jobs{{status=\"{status}\"}} {count}");
    }
    api.metrics.write_prometheus(&mut text);
    ([("content-type", "text/plain; version=0.0.4")], text).into_response()
}
