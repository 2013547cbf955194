//! How far the jobs of a command have got, read from the scheduler's REST API (on its gRPC
//! port, so any client that knows `--scheduler` can ask): per job its stages and tasks done out
//! of all, and the rows its finished tasks read.

use serde::Deserialize;

use crate::executor::scheduler_rest;

/// One running job's progress.
#[derive(Debug, Clone, PartialEq)]
pub struct JobProgress {
    /// Job id.
    pub job_id: String,
    /// Job name given by the client.
    pub job_name: String,
    /// Stages finished, of `stages`.
    pub stages_done: usize,
    /// Stages in the plan.
    pub stages: usize,
    /// Tasks finished, of `tasks` (tasks of stages not yet resolved are not counted).
    pub tasks_done: usize,
    /// Tasks known so far.
    pub tasks: usize,
    /// Rows read by the finished tasks.
    pub rows_read: u64,
    /// Start time, ms since the epoch.
    pub started_ms: u64,
}

#[derive(Deserialize)]
struct Job {
    job_id: String,
    job_name: String,
    status: String,
    num_stages: usize,
    completed_stages: usize,
    start_time: u64,
}

#[derive(Deserialize)]
struct Stages {
    stages: Vec<Stage>,
}

#[derive(Deserialize)]
struct Stage {
    tasks: Vec<Option<Task>>,
}

#[derive(Deserialize)]
struct Task {
    status: serde_json::Value,
    input_rows: u64,
}

/// Counts of the jobs started at or after `since_ms`: those running now, with their
/// progress, and how many have ended.
pub async fn jobs_since(scheduler: &str, since_ms: u64) -> reqwest::Result<(Vec<JobProgress>, usize)> {
    let jobs: Vec<Job> = scheduler_rest(scheduler, "/api/jobs").await?;
    let mine: Vec<Job> = jobs.into_iter().filter(|job| job.start_time >= since_ms).collect();
    let ended = mine.iter().filter(|job| job.status == "Completed" || job.status == "Failed").count();
    let mut running = Vec::new();
    for job in mine.into_iter().filter(|job| job.status == "Running") {
        let stages: Stages = scheduler_rest(scheduler, &format!("/api/job/{}/stages", job.job_id)).await?;
        let tasks: Vec<&Task> = stages.stages.iter().flat_map(|s| s.tasks.iter().flatten()).collect();
        let done: Vec<&&Task> = tasks.iter().filter(|t| t.status == "Successful").collect();
        running.push(JobProgress {
            job_id: job.job_id,
            job_name: job.job_name,
            stages_done: job.completed_stages,
            stages: job.num_stages,
            tasks_done: done.len(),
            tasks: stages.stages.iter().map(|s| s.tasks.len()).sum(),
            rows_read: done.iter().map(|t| t.input_rows).sum(),
            started_ms: job.start_time,
        });
    }
    Ok((running, ended))
}
