//! The record a multi-process cluster keeps in its run directory (`cluster.json`).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::error::OpsError;

/// File name of the record inside the run directory.
pub const RECORD_FILE: &str = "cluster.json";

/// One executor process started by `cluster up` or `cluster scale`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ExecutorRecord {
    /// Executor id, as registered with the scheduler.
    pub id: String,
    /// Process id.
    pub pid: u32,
    /// Arrow Flight port.
    pub port: u16,
    /// gRPC port (push-staged scheduling).
    pub grpc_port: u16,
    /// Health and metrics port.
    pub http_port: u16,
    /// Task slots.
    pub vcores: usize,
    /// Shuffle and spill directory.
    pub work_dir: PathBuf,
    /// Log file.
    pub log: PathBuf,
}

/// Everything `cluster status|scale|down` need to find the processes again.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ClusterRecord {
    /// Scheduler process id.
    pub scheduler_pid: u32,
    /// Scheduler gRPC / REST port.
    pub scheduler_port: u16,
    /// Scheduler operator API port.
    pub scheduler_http_port: u16,
    /// The scheduler's Flight SQL port, 0 when `flight_sql.enabled` is off.
    #[serde(default)]
    pub flight_sql_port: u16,
    /// Scheduler log file.
    pub scheduler_log: PathBuf,
    /// Scheduling policy of the whole cluster.
    pub policy: String,
    /// Executors, oldest first.
    pub executors: Vec<ExecutorRecord>,
    /// Number used for the next executor's id and folder.
    pub next_executor: usize,
    /// The lakehouse root URL every process of the cluster uses.
    #[serde(default)]
    pub lakehouse_root: String,
}

impl ClusterRecord {
    /// `host:port` of the scheduler.
    pub fn scheduler_address(&self) -> String {
        format!("127.0.0.1:{}", self.scheduler_port)
    }

    /// `grpc://host:port` of the cluster's Flight SQL service, if it serves one.
    pub fn flight_sql_url(&self) -> Option<String> {
        (self.flight_sql_port != 0).then(|| format!("grpc://127.0.0.1:{}", self.flight_sql_port))
    }

    /// Base URL of the scheduler's operator API.
    pub fn api_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.scheduler_http_port)
    }

    /// Reads the record of `dir`; a missing record means no cluster was started there.
    pub fn load(dir: &Path) -> Result<Self, OpsError> {
        let path = dir.join(RECORD_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                OpsError::NoCluster(dir.to_path_buf())
            } else {
                OpsError::Io { path: path.clone(), reason: e.to_string() }
            }
        })?;
        serde_json::from_str(&text).map_err(|e| OpsError::Io { path, reason: format!("corrupt record: {e}") })
    }

    /// Writes the record atomically (write then rename), so a crash never leaves half a file.
    pub fn save(&self, dir: &Path) -> Result<(), OpsError> {
        let path = dir.join(RECORD_FILE);
        let temporary = dir.join(format!("{RECORD_FILE}.tmp"));
        let text = serde_json::to_string_pretty(self).expect("the record serialises");
        std::fs::write(&temporary, text)
            .and_then(|_| std::fs::rename(&temporary, &path))
            .map_err(|e| OpsError::Io { path, reason: e.to_string() })
    }

    /// Removes the record once nothing of the cluster runs any more.
    pub fn remove(dir: &Path) -> Result<(), OpsError> {
        let path = dir.join(RECORD_FILE);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(OpsError::Io { path, reason: e.to_string() }),
        }
    }
}
