//! The EC2 deployment files of `deploy/`: the systemd units pass `systemd-analyze verify`, and a
//! scheduler and an executor started from the sample configuration files, each on a host (network
//! namespace) of its own, form a cluster that answers queries.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reviewlake_cluster::operator_api::ExecutorView;
use reviewlake_cluster::ops::binary_path;
use reviewlake_tests::{HostNet, reviewlake, success, try_get, wait_until, workspace_root};

/// Children killed when the test ends, however it ends.
struct Processes(Vec<Child>);

impl Drop for Processes {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[test]
fn the_systemd_units_verify_and_the_sample_configuration_runs_a_cluster() {
    let work = tempfile::tempdir().unwrap();
    let deploy = workspace_root().join("deploy");
    let scheduler_binary = binary_path("reviewlake-scheduler").unwrap();
    let executor_binary = binary_path("reviewlake-executor").unwrap();
    // The units name /usr/local/bin, where the install puts the binaries; verify checks that
    // ExecStart exists, so the copies point at this build's.
    let bin = format!("{}/", scheduler_binary.parent().unwrap().display());
    for unit in ["reviewlake-scheduler.service", "reviewlake-executor.service"] {
        let text = std::fs::read_to_string(deploy.join("systemd").join(unit)).unwrap();
        let copy = work.path().join(unit);
        std::fs::write(&copy, text.replace("/usr/local/bin/", &bin)).unwrap();
        let verified = Command::new("systemd-analyze").arg("verify").arg(&copy).output().unwrap();
        let complaints = String::from_utf8_lossy(&verified.stderr).to_string();
        assert!(verified.status.success() && complaints.trim().is_empty(), "{unit}: {complaints}");
    }

    let mut net = HostNet::create();
    let (scheduler_host, executor_host) = (net.add_host(), net.add_host());
    let lake = work.path().join("lake");
    let log = |name: &str| std::fs::File::create(work.path().join(name)).unwrap();
    let mut scheduler = net.command(
        scheduler_host,
        &scheduler_binary,
        &[
            "--config".into(),
            deploy.join("config/scheduler.toml").display().to_string(),
            "--lakehouse".into(),
            lake.display().to_string(),
        ],
    );
    scheduler
        .env("REVIEWLAKE__SCHEDULER__EXTERNAL_HOST", net.address(scheduler_host))
        .stdout(log("scheduler.log"))
        .stderr(log("scheduler.err"));
    let mut processes = Processes(vec![scheduler.spawn().unwrap()]);
    let mut executor = net.command(
        executor_host,
        &executor_binary,
        &[
            "--config".into(),
            deploy.join("config/executor.toml").display().to_string(),
            "--lakehouse".into(),
            lake.display().to_string(),
        ],
    );
    executor
        .env("REVIEWLAKE__EXECUTOR__EXTERNAL_HOST", net.address(executor_host))
        .env("REVIEWLAKE__EXECUTOR__SCHEDULER", format!("{}:50050", net.address(scheduler_host)))
        .env("REVIEWLAKE__EXECUTOR__ID", "deploy-executor")
        .env("REVIEWLAKE__EXECUTOR__VCORES", "2")
        .env("REVIEWLAKE__EXECUTOR__MEMORY_LIMIT_MB", "512")
        .env("REVIEWLAKE__EXECUTOR__WORK_DIR", work.path().join("work").display().to_string())
        .stdin(Stdio::null())
        .stdout(log("executor.log"))
        .stderr(log("executor.err"));
    processes.0.push(executor.spawn().unwrap());

    let api = format!("http://{}:50080", net.address(scheduler_host));
    wait_until("the executor to register", Duration::from_secs(60), || {
        let Some(body) = try_get(&format!("{api}/v1/executors")) else { return false };
        serde_json::from_str::<Vec<ExecutorView>>(&body).is_ok_and(|executors| {
            executors.iter().any(|e| e.id == "deploy-executor" && e.host == net.address(executor_host) && e.vcores == 2)
        })
    });
    let scheduler_address = format!("{}:50050", net.address(scheduler_host));
    let answer = success(reviewlake(
        work.path(),
        &[
            "--scheduler",
            &scheduler_address,
            "sql",
            "--format",
            "csv",
            "SELECT sum(value) AS total FROM generate_series(1, 1000)",
        ],
    ));
    assert_eq!(answer.lines().nth(1), Some("500500"), "{answer}");
    drop(processes);
    drop(net);
}
