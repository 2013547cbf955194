//! Bad input gives one clear error line naming the cause, a non-zero exit and no orphan process.

use std::process::Command;

use reviewlake_cluster::ops::binary_path;
use reviewlake_tests::{LocalCluster, reviewlake};

fn stderr_of(output: &std::process::Output) -> String {
    assert!(!output.status.success(), "expected a failure, got success: {}", String::from_utf8_lossy(&output.stdout));
    let error = String::from_utf8_lossy(&output.stderr).trim().to_string();
    assert_eq!(error.lines().count(), 1, "expected one error line, got:\n{error}");
    error
}

#[test]
fn unreachable_scheduler_is_named() {
    let work = tempfile::tempdir().unwrap();
    let port = reviewlake_cluster::ops::free_port().unwrap();
    let output = reviewlake(work.path(), &["--scheduler", &format!("127.0.0.1:{port}"), "sql", "SELECT 1"]);
    let error = stderr_of(&output);
    assert!(error.contains("cannot reach the scheduler") && error.contains(&port.to_string()), "{error}");
}

#[test]
fn sql_errors_name_the_statement() {
    let work = tempfile::tempdir().unwrap();
    let output = reviewlake(work.path(), &["sql", "SELECT 1; SELECT no_such_column FROM (SELECT 1 AS x)"]);
    let error = stderr_of(&output);
    assert!(error.contains("statement 2 of 2") && error.contains("no_such_column"), "{error}");
}

#[test]
fn unknown_configuration_key_names_key_and_file() {
    let work = tempfile::tempdir().unwrap();
    let config = work.path().join("bad.toml");
    std::fs::write(&config, "[scheduler]\nprot = 50050\n").unwrap();
    let output = reviewlake(work.path(), &["--config", config.to_str().unwrap(), "sql", "SELECT 1"]);
    let error = stderr_of(&output);
    assert!(error.contains("scheduler.prot") && error.contains("bad.toml"), "{error}");
}

#[test]
fn bad_environment_value_names_the_variable() {
    let work = tempfile::tempdir().unwrap();
    let output = Command::new(binary_path("reviewlake").unwrap())
        .env("RUST_LOG", "error")
        .args(["sql", "SELECT 1"])
        .current_dir(work.path())
        .env("REVIEWLAKE__CLIENT__STANDALONE_VCORES", "many")
        .output()
        .unwrap();
    let error = stderr_of(&output);
    assert!(
        error.contains("client.standalone_vcores") && error.contains("REVIEWLAKE__CLIENT__STANDALONE_VCORES"),
        "{error}"
    );
}

#[test]
fn scheduler_port_in_use_is_named() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let http = reviewlake_cluster::ops::free_port().unwrap().to_string();
    let output = Command::new(binary_path("reviewlake-scheduler").unwrap())
        .env("RUST_LOG", "error")
        .args(["--port", &port, "--http-port", &http])
        .output()
        .unwrap();
    let error = stderr_of(&output);
    assert!(error.contains("scheduler.port") && error.contains(&port) && error.contains("in use"), "{error}");
}

/// An executor process pointed at `scheduler`, on free ports, with `extra` arguments; its output.
fn run_executor(work: &std::path::Path, scheduler: &str, extra: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let ports: Vec<String> = (0..3).map(|_| reviewlake_cluster::ops::free_port().unwrap().to_string()).collect();
    let work_dir = work.join("w");
    let mut args =
        vec!["--scheduler", scheduler, "--port", &ports[0], "--grpc-port", &ports[1], "--http-port", &ports[2]];
    args.extend(["--work-dir", work_dir.to_str().unwrap()]);
    args.extend_from_slice(extra);
    Command::new(binary_path("reviewlake-executor").unwrap())
        .env("RUST_LOG", "error")
        .envs(env.iter().copied())
        .args(&args)
        .output()
        .unwrap()
}

#[test]
fn executor_with_another_policy_is_refused() {
    let work = tempfile::tempdir().unwrap();
    let cluster = LocalCluster::up(work.path(), &[1]);
    let output = run_executor(work.path(), &cluster.scheduler(), &["--policy", "push-staged"], &[]);
    let error = stderr_of(&output);
    assert!(error.contains("push-staged") && error.contains("pull-staged"), "{error}");
}

#[test]
fn executor_without_scheduler_gives_up_with_a_clear_error() {
    let work = tempfile::tempdir().unwrap();
    let unused = format!("127.0.0.1:{}", reviewlake_cluster::ops::free_port().unwrap());
    let output =
        run_executor(work.path(), &unused, &[], &[("REVIEWLAKE__EXECUTOR__SCHEDULER_CONNECT_TIMEOUT_SECONDS", "1")]);
    let error = stderr_of(&output);
    assert!(error.contains("cannot reach the scheduler"), "{error}");
}

#[test]
fn cluster_up_twice_in_one_run_dir_is_refused() {
    let work = tempfile::tempdir().unwrap();
    let cluster = LocalCluster::up(work.path(), &[1]);
    let output =
        reviewlake(work.path(), &["cluster", "up", "--executors", "1", "--dir", cluster.dir.to_str().unwrap()]);
    let error = stderr_of(&output);
    assert!(error.contains("already runs"), "{error}");
}
