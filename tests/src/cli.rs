//! Running the `reviewlake` command line to completion and reading its answer.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use reviewlake_cluster::ops::binary_path;

/// The `reviewlake` binary next to the test program.
pub fn reviewlake_binary() -> PathBuf {
    binary_path("reviewlake").expect("build the binaries first: cargo build --release --bins")
}

/// Runs `reviewlake ARGS` to completion, in `cwd`.
pub fn reviewlake(cwd: &Path, args: &[&str]) -> Output {
    reviewlake_with_env(cwd, args, &[])
}

/// Runs `reviewlake ARGS` to completion, in `cwd`, with extra environment variables.
pub fn reviewlake_with_env(cwd: &Path, args: &[&str], env: &[(String, String)]) -> Output {
    reviewlake_command(cwd, args, env).output().expect("reviewlake runs")
}

/// The `reviewlake ARGS` command, not yet started.
pub fn reviewlake_command(cwd: &Path, args: &[&str], env: &[(String, String)]) -> Command {
    let mut command = Command::new(reviewlake_binary());
    command.args(args).current_dir(cwd).env("RUST_LOG", "error");
    for (key, value) in env {
        command.env(key, value);
    }
    command
}

/// Environment variables in the owned form the commands take.
pub fn env_vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// Standard output of a successful run; panics with stderr otherwise.
pub fn success(output: Output) -> String {
    assert!(
        output.status.success(),
        "reviewlake failed ({}):\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8 output")
}
