//! `reviewlake-scheduler`: the Ballista scheduler with reviewlake's functions, shared catalog and
//! operator API, and the clients' Flight SQL service. Configuration: `reviewlake.example.toml`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use reviewlake_cluster::config::SettingsLoader;
use reviewlake_cluster::flight_sql;
use reviewlake_cluster::lakehouse::Lakehouse;
use reviewlake_cluster::scheduler;

/// Runs a reviewlake scheduler until SIGTERM or ctrl-c.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Configuration file (TOML); also `REVIEWLAKE_CONFIG`.
    #[arg(long)]
    config: Option<PathBuf>,
    /// `scheduler.bind_host`.
    #[arg(long)]
    bind_host: Option<String>,
    /// `scheduler.external_host`.
    #[arg(long)]
    external_host: Option<String>,
    /// `scheduler.port`.
    #[arg(long)]
    port: Option<String>,
    /// `scheduler.http_port`.
    #[arg(long)]
    http_port: Option<String>,
    /// `flight_sql.port`.
    #[arg(long)]
    flight_sql_port: Option<String>,
    /// `scheduler.scheduling_policy`: pull-staged or push-staged.
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
        ("scheduler.bind_host", &args.bind_host),
        ("scheduler.external_host", &args.external_host),
        ("scheduler.port", &args.port),
        ("scheduler.http_port", &args.http_port),
        ("flight_sql.port", &args.flight_sql_port),
        ("scheduler.scheduling_policy", &args.policy),
        ("lakehouse.root", &args.lakehouse),
        ("log.level", &args.log_level),
    ]);
    reviewlake_cluster::run_binary("reviewlake-scheduler", loader.load(), |settings| async move {
        let (grpc, http) = scheduler::bind(&settings.scheduler).await?;
        let lake = Lakehouse::from_settings(&settings.lakehouse)?;
        let running = scheduler::start_scheduler(&settings.scheduler, lake.clone(), grpc, http).await?;
        println!(
            "reviewlake scheduler listening on {} (operator API http://{})",
            running.grpc_address, running.http_address
        );
        let flight = if settings.flight_sql.enabled {
            let served = flight_sql::serve(&settings, lake, &running).await?;
            println!("flight sql: grpc://{}", served.address);
            Some(served.task)
        } else {
            None
        };
        let flight_ended = async {
            match flight {
                Some(task) => task.await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            ended = running.grpc_task => ended.map_err(|e| scheduler::SchedulerError::Start(e.to_string()))??,
            ended = flight_ended => ended.map_err(|e| flight_sql::FlightSqlError::Serve(e.to_string()))??,
            _ = shutdown_signal() => tracing::info!("scheduler stopping on signal"),
        }
        Ok::<(), anyhow::Error>(())
    })
}

async fn shutdown_signal() {
    let mut terminate =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler installs");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        _ = terminate.recv() => {},
    }
}
