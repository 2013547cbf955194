//! Where the repository and its test data are, from whichever workspace crate runs.

use std::path::PathBuf;
use std::process::Command;

/// The workspace root: the nearest folder holding `Cargo.lock` above the running crate.
///
/// The running crate is the one cargo reports when the program runs (a path baked in at
/// compile time goes stale when a shared target directory serves several checkouts, and it
/// would name this crate when a benchmark runs); the compile-time folder of this crate when
/// the program runs outside cargo.
pub fn workspace_root() -> PathBuf {
    let crate_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    crate_dir
        .ancestors()
        .find(|dir| dir.join("Cargo.lock").is_file())
        .map(PathBuf::from)
        .unwrap_or_else(|| crate_dir.join(".."))
}

/// The repository's read-only test data, `tests/data` (see its README).
pub fn data_dir() -> PathBuf {
    workspace_root().join("tests").join("data")
}

/// The real Amazon review samples, `tests/data/amazon2018` (gzip JSON Lines).
pub fn samples_dir() -> PathBuf {
    data_dir().join("amazon2018")
}

/// Runs `scripts/NAME` (an idempotent installer of a test tool that prints the one path it
/// made ready) and returns that path.
pub fn installed_by(script: &str) -> PathBuf {
    let path = workspace_root().join("scripts").join(script);
    let output = Command::new("bash").arg(&path).output().unwrap_or_else(|e| panic!("{script} runs: {e}"));
    assert!(output.status.success(), "{script} failed: {}", String::from_utf8_lossy(&output.stderr));
    PathBuf::from(String::from_utf8(output.stdout).unwrap().trim())
}
