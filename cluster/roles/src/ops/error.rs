//! [`OpsError`]: what can go wrong starting, probing or stopping a local cluster.

use std::path::PathBuf;

/// Errors of the operator commands.
#[derive(Debug, thiserror::Error)]
pub enum OpsError {
    /// No record in the run directory.
    #[error("no cluster record in {0}: start one with `reviewlake cluster up --dir {0}`")]
    NoCluster(PathBuf),
    /// A cluster already runs from this run directory.
    #[error(
        "a cluster already runs from {dir} (scheduler pid {pid}); stop it with `reviewlake cluster down --dir {dir}`"
    )]
    AlreadyRunning {
        /// The run directory.
        dir: PathBuf,
        /// Its scheduler's pid.
        pid: u32,
    },
    /// A server binary was not found.
    #[error(
        "cannot find the {name} binary (looked at {searched:?}); build it with `cargo build --release --bins` or set REVIEWLAKE_BIN_DIR"
    )]
    MissingBinary {
        /// Binary name.
        name: String,
        /// Paths tried.
        searched: Vec<PathBuf>,
    },
    /// A file or socket operation failed.
    #[error("{path}: {reason}")]
    Io {
        /// What was being read, written or started.
        path: PathBuf,
        /// The system's reason.
        reason: String,
    },
    /// A server process exited during start-up.
    #[error("{what} exited during start-up; last lines of {log}:\n{tail}")]
    Exited {
        /// Which server.
        what: String,
        /// Its log.
        log: PathBuf,
        /// The log's last lines.
        tail: String,
    },
    /// Something did not happen in time.
    #[error("timed out after {seconds} s waiting for {what}")]
    Timeout {
        /// What was awaited.
        what: String,
        /// The timeout.
        seconds: u64,
    },
    /// The scheduler's operator API failed.
    #[error("scheduler operator API at {url}: {reason}")]
    Api {
        /// The URL called.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// Arguments that cannot work.
    #[error("{0}")]
    Usage(String),
}
