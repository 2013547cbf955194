//! `reviewlake-executor`: a Ballista executor with every reviewlake function. On SIGTERM it
//! stops taking tasks, drains the running ones and exits. Configuration:
//! `reviewlake.example.toml`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use reviewlake_cluster::config::SettingsLoader;
use reviewlake_cluster::executor;
use reviewlake_cluster::lakehouse::Lakehouse;

/// Runs a reviewlake executor until SIGTERM or ctrl-c.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Configuration file (TOML); also `REVIEWLAKE_CONFIG`.
    #[arg(long)]
    config: Option<PathBuf>,
    /// `executor.id`.
    #[arg(long)]
    id: Option<String>,
    /// `executor.scheduler`: the scheduler's `host:port`.
    #[arg(long)]
    scheduler: Option<String>,
    /// `executor.scheduler_http_port`: the scheduler's operator API port.
    #[arg(long)]
    scheduler_http_port: Option<String>,
    /// `executor.bind_host`.
    #[arg(long)]
    bind_host: Option<String>,
    /// `executor.external_host`.
    #[arg(long)]
    external_host: Option<String>,
    /// `executor.port` (Arrow Flight).
    #[arg(long)]
    port: Option<String>,
    /// `executor.grpc_port`.
    #[arg(long)]
    grpc_port: Option<String>,
    /// `executor.http_port` (health and metrics).
    #[arg(long)]
    http_port: Option<String>,
    /// `executor.vcores` (task slots).
    #[arg(long)]
    vcores: Option<String>,
    /// `executor.memory_limit_mb`.
    #[arg(long)]
    memory_limit_mb: Option<String>,
    /// `executor.work_dir`.
    #[arg(long)]
    work_dir: Option<String>,
    /// `executor.scheduling_policy`: pull-staged or push-staged.
    #[arg(long)]
    policy: Option<String>,
    /// `lakehouse.root`: a path, file:///abs/path or s3://bucket/prefix.
    #[arg(long)]
    lakehouse: Option<String>,
    /// `log.level`.
    #[arg(long)]
    log_level: Option<String>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let loader = SettingsLoader::from_env(args.config.clone()).with_flags([
        ("executor.id", &args.id),
        ("executor.scheduler", &args.scheduler),
        ("executor.scheduler_http_port", &args.scheduler_http_port),
        ("executor.bind_host", &args.bind_host),
        ("executor.external_host", &args.external_host),
        ("executor.port", &args.port),
        ("executor.grpc_port", &args.grpc_port),
        ("executor.http_port", &args.http_port),
        ("executor.vcores", &args.vcores),
        ("executor.memory_limit_mb", &args.memory_limit_mb),
        ("executor.work_dir", &args.work_dir),
        ("executor.scheduling_policy", &args.policy),
        ("lakehouse.root", &args.lakehouse),
        ("log.level", &args.log_level),
    ]);
    reviewlake_cluster::run_binary("reviewlake-executor", loader.load(), |settings| async move {
        let lake = Lakehouse::from_settings(&settings.lakehouse)?;
        executor::run_executor(&settings.executor, &lake).await?;
        Ok::<(), anyhow::Error>(())
    })
}
