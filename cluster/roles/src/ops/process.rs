//! Starting, probing and stopping the server processes of a local cluster.

use std::fs::OpenOptions;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reviewlake_core::scratch;

use super::error::OpsError;

/// Finds a server binary (`reviewlake-scheduler`, `reviewlake-executor`): in
/// `REVIEWLAKE_BIN_DIR`, beside the running program, or one folder up (where test programs
/// in `target/*/deps` find the binaries).
pub fn binary_path(name: &str) -> Result<PathBuf, OpsError> {
    let mut candidates = Vec::new();
    if let Some(dir) = std::env::var_os("REVIEWLAKE_BIN_DIR") {
        candidates.push(PathBuf::from(dir).join(name));
    }
    if let Ok(exe) = std::env::current_exe() {
        if let Some(dir) = exe.parent() {
            candidates.push(dir.join(name));
            if let Some(parent) = dir.parent() {
                candidates.push(parent.join(name));
            }
        }
    }
    candidates
        .iter()
        .find(|path| path.is_file())
        .cloned()
        .ok_or_else(|| OpsError::MissingBinary { name: name.to_string(), searched: candidates })
}

/// A free loopback port, found by binding port 0 and releasing it.
pub fn free_port() -> Result<u16, OpsError> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")
        .map_err(|e| OpsError::Io { path: PathBuf::from("127.0.0.1:0"), reason: e.to_string() })?;
    listener
        .local_addr()
        .map(|address| address.port())
        .map_err(|e| OpsError::Io { path: PathBuf::from("127.0.0.1:0"), reason: e.to_string() })
}

/// `N` distinct free loopback ports: each listener is held until all are chosen, so two ports
/// of one process never collide (separate calls of [`free_port`] may return the same port).
pub fn free_ports<const N: usize>() -> Result<[u16; N], OpsError> {
    let io_error = |e: std::io::Error| OpsError::Io { path: PathBuf::from("127.0.0.1:0"), reason: e.to_string() };
    let listeners =
        (0..N).map(|_| std::net::TcpListener::bind("127.0.0.1:0").map_err(io_error)).collect::<Result<Vec<_>, _>>()?;
    let mut ports = [0u16; N];
    for (port, listener) in ports.iter_mut().zip(&listeners) {
        *port = listener.local_addr().map_err(io_error)?.port();
    }
    Ok(ports)
}

/// Starts `program` detached from the caller's terminal (own process group), with stdout and
/// stderr appended to `log`.
pub fn spawn(program: &Path, args: &[String], log: &Path) -> Result<Child, OpsError> {
    let io_error = |e: std::io::Error| OpsError::Io { path: log.to_path_buf(), reason: e.to_string() };
    let file = OpenOptions::new().create(true).append(true).open(log).map_err(io_error)?;
    let stderr = file.try_clone().map_err(io_error)?;
    let mut command = Command::new(program);
    scratch::restore_for_child(&mut command);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(file)
        .stderr(stderr)
        .process_group(0)
        .spawn()
        .map_err(|e| OpsError::Io { path: program.to_path_buf(), reason: e.to_string() })
}

/// True while `pid` is a live (not zombie) reviewlake server process.
///
/// The command line is checked so that a recycled pid of an unrelated process is never
/// signalled.
pub fn is_alive(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // The state letter follows the parenthesised command name.
    let state = stat.rsplit_once(')').and_then(|(_, rest)| rest.trim_start().chars().next());
    if matches!(state, Some('Z') | Some('X') | None) {
        return false;
    }
    let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
        return false;
    };
    let program = cmdline.split(|&b| b == 0).next().unwrap_or_default();
    let name = program.rsplit(|&b| b == b'/').next().unwrap_or_default();
    name.starts_with(b"reviewlake-scheduler") || name.starts_with(b"reviewlake-executor")
}

/// Sends `signal` to `pid` if it is a live reviewlake server.
pub fn signal(pid: u32, signal: i32) {
    if is_alive(pid) {
        // SAFETY: kill(2) has no memory-safety preconditions; the pid was checked above.
        unsafe {
            libc::kill(pid as libc::pid_t, signal);
        }
    }
}

/// Sends SIGTERM to every pid, waits up to `grace` for them to exit, then SIGKILLs the rest.
/// Returns the pids that had to be killed.
pub fn terminate_all(pids: &[u32], grace: Duration) -> Vec<u32> {
    for &pid in pids {
        signal(pid, libc::SIGTERM);
    }
    let deadline = Instant::now() + grace;
    while Instant::now() < deadline && pids.iter().any(|&pid| is_alive(pid)) {
        std::thread::sleep(Duration::from_millis(100));
    }
    let stubborn: Vec<u32> = pids.iter().copied().filter(|&pid| is_alive(pid)).collect();
    for &pid in &stubborn {
        signal(pid, libc::SIGKILL);
    }
    stubborn
}

/// The last `lines` lines of a log file, for error messages.
pub fn log_tail(log: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
