//! A temporary folder private to one process: every temporary file of the process (the
//! in-process executor's shuffle files, spill files) goes there, and it is removed when the
//! process ends normally. Ballista's standalone executor names a work dir under the system
//! temporary folder and never removes it, so each in-process run would otherwise leave its
//! shuffle files behind.

use std::ffi::OsString;
use std::sync::OnceLock;

/// `TMPDIR` as the process found it (`None` when unset).
static INHERITED_TMPDIR: OnceLock<Option<OsString>> = OnceLock::new();

/// Creates the folder (`<system temp>/<program>-XXXXXX`) and points `TMPDIR` at it. Call it
/// before any thread starts; the folder lives as long as the returned guard.
pub(crate) fn enter(program: &str) -> Option<tempfile::TempDir> {
    let dir = tempfile::Builder::new().prefix(&format!("{program}-")).tempdir().ok()?;
    INHERITED_TMPDIR.get_or_init(|| std::env::var_os("TMPDIR"));
    // SAFETY: `run_binary` calls this before its runtime, logging or any other thread starts,
    // so no thread can read the environment concurrently.
    unsafe { std::env::set_var("TMPDIR", dir.path()) };
    Some(dir)
}

/// Gives a child process the `TMPDIR` this process inherited, not the private folder that
/// disappears when this process ends.
pub fn restore_for_child(command: &mut std::process::Command) {
    match INHERITED_TMPDIR.get() {
        Some(Some(original)) => command.env("TMPDIR", original),
        Some(None) => command.env_remove("TMPDIR"),
        None => command,
    };
}
