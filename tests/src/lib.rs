//! The one test kit of reviewlake, shared by the end-to-end tests (`tests/tests/end_to_end`)
//! and the benchmarks (`benches`): running the real binaries, starting and stopping
//! multi-process clusters (on loopback, or over network namespaces as separate hosts) and a moto S3 server, Flight SQL test users, the Python peers, generated and real test
//! data.
//!
//! The binaries must be built first (`cargo build --release --bins`); the test command in the
//! README does that. Everything the kit reads lies inside the repository (`tests/data`,
//! `scripts`), found from the crate that runs.

mod browser;
mod cli;
mod cluster;
mod data;
mod flight;
mod hosts;
mod kafka;
mod paths;
mod python;

pub use browser::{DashboardServer, browser_modules, run_browser_script};
pub use cli::{env_vars, reviewlake, reviewlake_binary, reviewlake_command, reviewlake_with_env, success};
pub use cluster::{LocalCluster, blocking_get, try_get, wait_until};
pub use data::{REVIEW_COLUMNS, body_counts, folder_bytes, write_generated_parquet, write_review_files};
pub use flight::{READER, WRITER, flight_env};
pub use hosts::{EXECUTOR_TIMEOUT_SECONDS, HostCluster, HostExecutor, HostNet};
pub use kafka::{Broker, tansu_binary};
pub use paths::{data_dir, samples_dir, workspace_root};
pub use python::{S3Server, python, python_bin};
