//! A multi-process cluster started with `reviewlake cluster up`, and polling its HTTP APIs
//! from synchronous code.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use reviewlake_cluster::operator_api::{JobTasks, JobView};
use reviewlake_cluster::ops::ClusterRecord;

use crate::cli::{reviewlake_with_env, success};

/// A multi-process cluster started with `reviewlake cluster up` in `DIR/run`; stopped on drop,
/// which also checks that none of its processes survived.
pub struct LocalCluster {
    /// The run directory.
    pub dir: PathBuf,
    /// Its record (ports, pids).
    pub record: ClusterRecord,
}

impl LocalCluster {
    /// Starts a cluster with one executor per entry of `vcores`.
    pub fn up(dir: &Path, vcores: &[usize]) -> Self {
        Self::up_with_env(dir, vcores, &[])
    }

    /// Starts a cluster whose processes also get the environment variables `env` (for
    /// example `REVIEWLAKE__LAKEHOUSE__ROOT`).
    pub fn up_with_env(dir: &Path, vcores: &[usize], env: &[(String, String)]) -> Self {
        let list: Vec<String> = vcores.iter().map(|v| v.to_string()).collect();
        let run = dir.join("run");
        success(reviewlake_with_env(
            dir,
            &[
                "cluster",
                "up",
                "--executors",
                &vcores.len().to_string(),
                "--vcores",
                &list.join(","),
                "--dir",
                run.to_str().unwrap(),
            ],
            env,
        ));
        let record = ClusterRecord::load(&run).expect("cluster record");
        Self { dir: run, record }
    }

    /// `--scheduler` argument for this cluster.
    pub fn scheduler(&self) -> String {
        self.record.scheduler_address()
    }

    /// Reloads the record after `cluster scale`.
    pub fn reload(&mut self) {
        self.record = ClusterRecord::load(&self.dir).expect("cluster record");
    }

    /// GETs a JSON document from the scheduler's operator API.
    pub fn api<T: serde::de::DeserializeOwned>(&self, path: &str) -> T {
        let url = format!("{}{path}", self.record.api_url());
        let body = blocking_get(&url);
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{url}: {e}: {body}"))
    }

    /// Every job the scheduler knows, oldest first.
    pub fn jobs(&self) -> Vec<JobView> {
        self.api("/v1/jobs")
    }

    /// Where each task of `job_id` ran.
    pub fn tasks(&self, job_id: &str) -> JobTasks {
        self.api(&format!("/v1/jobs/{job_id}/tasks"))
    }

    /// Pids of every process the record names.
    pub fn pids(&self) -> Vec<u32> {
        let mut pids: Vec<u32> = self.record.executors.iter().map(|e| e.pid).collect();
        pids.push(self.record.scheduler_pid);
        pids
    }
}

impl Drop for LocalCluster {
    fn drop(&mut self) {
        let pids = self.pids();
        let _ = reviewlake_cluster::ops::down(&self.dir, Duration::from_secs(30));
        for pid in pids {
            assert!(!reviewlake_cluster::ops::is_alive(pid), "process {pid} survived cluster down");
        }
    }
}

/// A plain HTTP GET without an async runtime (tests are synchronous).
pub fn blocking_get(url: &str) -> String {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        reqwest::get(url).await.and_then(|r| r.error_for_status()).expect("GET succeeds").text().await.unwrap()
    })
}

/// A GET that answers `None` instead of failing when nothing (or an error status) answers
/// within a second.
pub fn try_get(url: &str) -> Option<String> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let client = reqwest::Client::builder().timeout(Duration::from_secs(1)).build().ok()?;
        client.get(url).send().await.ok()?.error_for_status().ok()?.text().await.ok()
    })
}

/// Waits until `condition` holds, polling every 50 ms, or panics after `timeout`.
pub fn wait_until(what: &str, timeout: Duration, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}
