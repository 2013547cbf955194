//! `reviewlake sql`: run a SQL script and print the last result, on a scheduler session or
//! through a Flight SQL service (`--flight URL --user NAME`).

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;

use anyhow::{Context, bail};
use reviewlake_cluster::config::Settings;
use reviewlake_cluster::flight_sql::FlightSqlConnection;
use reviewlake_cluster::session;
use reviewlake_cluster::sql::{OutputFormat, format_batches, run_script};

/// The environment variable `reviewlake sql --flight` reads the password from.
pub(crate) const FLIGHT_PASSWORD_ENV: &str = "REVIEWLAKE_FLIGHT_PASSWORD";

/// The script given as `query` or read from `file`.
pub(crate) fn script(query: Option<String>, file: Option<PathBuf>) -> anyhow::Result<String> {
    match (query, file) {
        (Some(query), None) => Ok(query),
        (None, Some(path)) => {
            std::fs::read_to_string(&path).with_context(|| format!("cannot read SQL file {}", path.display()))
        }
        _ => bail!("give the SQL as an argument or with -f FILE"),
    }
}

/// Runs `script` on a session of the configured cluster and prints its last result as `format`.
pub(crate) async fn run(settings: &Settings, script: &str, format: OutputFormat) -> anyhow::Result<()> {
    let session = session::connect(settings).await?;
    let batches = run_script(&session.ctx, Some(&session.lake), script).await?;
    crate::output::print_result(&format_batches(&batches, format)?);
    Ok(())
}

/// Runs `script` through the Flight SQL service at `url` as `user`.
pub(crate) async fn run_flight(url: &str, user: &str, script: &str, format: OutputFormat) -> anyhow::Result<()> {
    let password = match std::env::var(FLIGHT_PASSWORD_ENV) {
        Ok(password) => password,
        Err(_) => read_password(&format!("password for {user} (or set {FLIGHT_PASSWORD_ENV}): "))?,
    };
    let mut connection = FlightSqlConnection::connect(url, user, &password).await?;
    let batches = connection.run_script(script).await?;
    crate::output::print_result(&format_batches(&batches, format)?);
    Ok(())
}

/// One line of standard input, without its line break; the prompt goes to standard error
/// when a person is typing.
pub(crate) fn read_password(prompt: &str) -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("{prompt}");
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line).context("cannot read the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}
