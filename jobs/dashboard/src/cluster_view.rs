//! The Cluster page's document: the executors and recent jobs the scheduler's operator API
//! reports, each job with its tasks counted per stage.

use std::collections::BTreeMap;
use std::time::Duration;

use reviewlake_cluster::operator_api::{ExecutorView, JobTasks, JobView};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Jobs shown, newest first.
const RECENT_JOBS: usize = 20;

/// How long the operator API may take to answer.
const TIMEOUT: Duration = Duration::from_secs(3);

/// Task counts of one stage.
#[derive(Debug, Default, Serialize)]
pub struct StageProgress {
    /// Stage id.
    pub stage_id: usize,
    /// Task attempts the scheduler has made.
    pub tasks: usize,
    /// Attempts that succeeded.
    pub successful: usize,
    /// Attempts running now.
    pub running: usize,
    /// Attempts that failed.
    pub failed: usize,
}

/// A job with its stages' progress.
#[derive(Debug, Serialize)]
pub struct JobProgress {
    /// The job as the scheduler lists it.
    #[serde(flatten)]
    pub job: JobView,
    /// Its stages, by id.
    pub stages: Vec<StageProgress>,
}

/// The Cluster page's document.
#[derive(Debug, Serialize)]
pub struct ClusterDocument {
    /// False when the operator API could not be read.
    pub available: bool,
    /// Why not.
    pub reason: Option<String>,
    /// Executors, by id.
    pub executors: Vec<ExecutorView>,
    /// Recent jobs, newest first.
    pub jobs: Vec<JobProgress>,
}

/// Reads the scheduler's operator API.
pub struct ClusterView {
    client: reqwest::Client,
    api: Option<String>,
}

impl ClusterView {
    /// A view of the operator API at `api` (`http://host:port`), or of nothing.
    pub fn new(api: Option<String>) -> Self {
        let client = reqwest::Client::builder().timeout(TIMEOUT).build().unwrap_or_default();
        Self { client, api: api.map(|url| url.trim_end_matches('/').to_string()) }
    }

    /// The executors and recent jobs, or why they cannot be read.
    pub async fn document(&self) -> ClusterDocument {
        let Some(api) = &self.api else {
            return unavailable("no operator API is configured (dashboard.operator_api)".into());
        };
        match self.read(api).await {
            Ok((executors, jobs)) => ClusterDocument { available: true, reason: None, executors, jobs },
            Err(reason) => unavailable(reason),
        }
    }

    async fn read(&self, api: &str) -> Result<(Vec<ExecutorView>, Vec<JobProgress>), String> {
        let (executors, mut jobs) = futures::try_join!(
            self.get::<Vec<ExecutorView>>(api, "/v1/executors"),
            self.get::<Vec<JobView>>(api, "/v1/jobs")
        )?;
        jobs.sort_by(|a, b| b.start_time.cmp(&a.start_time).then_with(|| b.job_id.cmp(&a.job_id)));
        jobs.truncate(RECENT_JOBS);
        let tasks = futures::future::join_all(jobs.iter().map(|job| {
            let path = format!("/v1/jobs/{}/tasks", job.job_id);
            async move { self.get::<JobTasks>(api, &path).await }
        }))
        .await;
        let jobs = jobs
            .into_iter()
            .zip(tasks)
            // A job the scheduler forgot between the two requests shows no stages.
            .map(|(job, tasks)| JobProgress { job, stages: tasks.map(|t| stage_progress(&t)).unwrap_or_default() })
            .collect();
        Ok((executors, jobs))
    }

    async fn get<T: DeserializeOwned>(&self, api: &str, path: &str) -> Result<T, String> {
        let url = format!("{api}{path}");
        let response = self.client.get(&url).send().await.map_err(|e| format!("{url}: {e}"))?;
        let response = response.error_for_status().map_err(|e| format!("{url}: {e}"))?;
        response.json().await.map_err(|e| format!("{url}: {e}"))
    }
}

fn unavailable(reason: String) -> ClusterDocument {
    ClusterDocument { available: false, reason: Some(reason), executors: Vec::new(), jobs: Vec::new() }
}

fn stage_progress(tasks: &JobTasks) -> Vec<StageProgress> {
    let mut stages: BTreeMap<usize, StageProgress> = BTreeMap::new();
    for task in &tasks.tasks {
        let stage = stages
            .entry(task.stage_id)
            .or_insert_with(|| StageProgress { stage_id: task.stage_id, ..Default::default() });
        stage.tasks += 1;
        match task.status.as_str() {
            "successful" => stage.successful += 1,
            "running" => stage.running += 1,
            _ => stage.failed += 1,
        }
    }
    stages.into_values().collect()
}
