//! `reviewlake`: run jobs and SQL on a cluster, and operate local multi-process clusters.
//!
//! A thin edge over the libraries: [`args`] parses the command line, one module of
//! [`commands`] per command calls the jobs and cluster libraries, and [`output`] prints what
//! they return. Errors end the process with one line, through [`reviewlake_cluster::run_binary`].

mod args;
mod commands;
mod output;
mod progress;

use std::process::ExitCode;

use clap::Parser;
use reviewlake_cluster::config::{ConfigError, DEFAULT_LOG_LEVEL, Settings, SettingsLoader};

use crate::args::{Cli, Command, GlobalArgs};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = load_settings(&cli.global, &cli.command.setting_flags())
        .map(|settings| if cli.command.shows_progress() { quiet_by_default(settings) } else { settings });
    reviewlake_cluster::run_binary("reviewlake", settings, |settings| run(cli, settings))
}

/// Settings from the configuration file and environment, the global flags and the command's
/// own flags on top.
fn load_settings(
    global: &GlobalArgs,
    command_flags: &[(&'static str, Option<String>)],
) -> Result<Settings, ConfigError> {
    SettingsLoader::from_env(global.config.clone())
        .with_flags([
            ("client.scheduler", &global.scheduler),
            ("lakehouse.root", &global.lakehouse),
            ("log.level", &global.log_level),
        ])
        .with_flags(command_flags.iter().map(|(key, value)| (*key, value)))
        .load()
}

/// A command that shows its progress and a summary logs warnings only, unless `log.level` was
/// set: its per-commit info events would bury the progress lines.
fn quiet_by_default(mut settings: Settings) -> Settings {
    if settings.log.level == DEFAULT_LOG_LEVEL {
        settings.log.level = PROGRESS_LOG_LEVEL.into();
    }
    settings
}

/// The log filter of commands that show progress, while `log.level` is left at its default.
const PROGRESS_LOG_LEVEL: &str = "warn";

/// Runs the parsed command.
async fn run(cli: Cli, settings: Settings) -> anyhow::Result<()> {
    let scheduler = settings.client.scheduler.clone();
    let outcome = match cli.command {
        Command::Demo { source } => commands::demo::run(&settings, source.as_ref(), cli.global.progress).await,
        Command::Sql { query, file, format, flight, user } => {
            let script = commands::sql::script(query, file)?;
            match (flight, user) {
                (Some(url), Some(user)) => commands::sql::run_flight(&url, &user, &script, format.into()).await,
                _ => commands::sql::run(&settings, &script, format.into()).await,
            }
        }
        Command::User { action: args::UserAction::Add { name, role } } => commands::user::add(&name, role.into()),
        Command::Gen { reviews, products, out, seed, files } => {
            commands::generate::run(reviewlake_jobs::generate::GenerateOptions { reviews, products, out, seed, files })
        }
        Command::Ingest { action } => commands::ingest::run(&settings, action, cli.global.progress).await,
        Command::Pipeline { action } => commands::pipeline::run(&settings, action, cli.global.progress).await,
        Command::Produce { from, rate, partitions, create, .. } => {
            let options = reviewlake_jobs::stream::ProduceOptions { files: from, rate, partitions, create };
            commands::produce::run(&settings, options).await
        }
        Command::Stream { action: args::StreamAction::Run { .. } } => commands::stream::run(&settings).await,
        Command::Functions => {
            commands::functions::run();
            Ok(())
        }
        Command::Cluster { action } => commands::cluster::run(action, &cli.global, &settings).await,
        Command::Table { action, format } => commands::table::run(&settings, action, format.into()).await,
        Command::Ml { action, format } => commands::ml::run(&settings, action, format.into()).await,
        Command::Serve { .. } => commands::serve::run(&settings).await,
    };
    outcome.map_err(|error| explain_lost_scheduler(error, &scheduler))
}

/// What the transport says when a scheduler goes away mid-command ("h2 protocol error", "broken
/// pipe", ...), in lower case.
const LOST_CONNECTION_SIGNS: [&str; 5] =
    ["h2 protocol error", "transport error", "broken pipe", "connection refused", "connection reset"];

/// Names the scheduler and what to do when the command lost its connection to it: Ballista 55
/// keeps job state in memory only, so a job running when its scheduler stops is gone.
fn explain_lost_scheduler(error: anyhow::Error, scheduler: &str) -> anyhow::Error {
    let text = format!("{error:#}").to_lowercase();
    if scheduler.is_empty() || !LOST_CONNECTION_SIGNS.iter().any(|sign| text.contains(sign)) {
        return error;
    }
    error.context(format!(
        "lost the connection to the scheduler at {scheduler} (jobs running when a scheduler stops are gone); \
         run the command again once `reviewlake cluster status` answers"
    ))
}
