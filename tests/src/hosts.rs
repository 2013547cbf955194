//! A cluster spread over several "hosts" on this machine: Linux network namespaces joined by a
//! bridge, one process per namespace, each reachable only at its own address.
//!
//! The test process stays in the root namespace, which has an address on the bridge too, and
//! acts as the client host. Addresses come from `10.213.N.0/24`, a private range used only
//! inside these namespaces; names start with `rl` and the subnet number, so a leftover of a
//! crashed run is recognised and removed. Needs root (the tests run as root) and iproute2.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use reviewlake_cluster::operator_api::{ExecutorView, JobTasks, JobView};
use reviewlake_cluster::ops::binary_path;

use crate::cluster::{blocking_get, try_get, wait_until};

static NEXT_NET: AtomicU32 = AtomicU32::new(0);

/// Runs `ip ARGS`, panicking with its error output when it fails.
fn ip(args: &[&str]) {
    let output = Command::new("ip").args(args).output().expect("iproute2's ip runs");
    assert!(output.status.success(), "ip {}: {}", args.join(" "), String::from_utf8_lossy(&output.stderr));
}

/// Like [`ip`], for removals whose failure (the thing is already gone) does not matter.
fn ip_quietly(args: &[&str]) {
    let _ = Command::new("ip").args(args).stdout(Stdio::null()).stderr(Stdio::null()).status();
}

/// Namespaces on one bridge: host 0 is `10.213.N.2`, host 1 `.3`, and so on; the root
/// namespace is `.1`. Everything is removed on drop.
pub struct HostNet {
    subnet: u32,
    hosts: usize,
}

impl HostNet {
    /// A bridge with no hosts yet, on a subnet no other live `HostNet` of this machine uses.
    pub fn create() -> Self {
        let taken = String::from_utf8(Command::new("ip").args(["-o", "addr"]).output().unwrap().stdout).unwrap();
        let subnet = loop {
            let n = (std::process::id() * 7 + NEXT_NET.fetch_add(1, Ordering::SeqCst)) % 250 + 1;
            if !taken.contains(&format!("10.213.{n}.")) {
                break n;
            }
        };
        let net = Self { subnet, hosts: 0 };
        net.remove_leftovers();
        let bridge = net.bridge();
        ip(&["link", "add", &bridge, "type", "bridge"]);
        ip(&["addr", "add", &format!("10.213.{subnet}.1/24"), "dev", &bridge]);
        ip(&["link", "set", &bridge, "up"]);
        net
    }

    fn bridge(&self) -> String {
        format!("rl{}br", self.subnet)
    }

    /// The namespace of host `index`.
    pub fn namespace(&self, index: usize) -> String {
        format!("rl{}h{index}", self.subnet)
    }

    fn link(&self, index: usize) -> String {
        format!("rl{}h{index}a", self.subnet)
    }

    /// The address of host `index`.
    pub fn address(&self, index: usize) -> String {
        format!("10.213.{}.{}", self.subnet, index + 2)
    }

    /// Adds a host: a namespace with loopback and one veth into the bridge. Returns its index.
    pub fn add_host(&mut self) -> usize {
        let index = self.hosts;
        let (namespace, inside, outside) =
            (self.namespace(index), self.link(index), format!("rl{}h{index}b", self.subnet));
        ip(&["netns", "add", &namespace]);
        ip(&["link", "add", &inside, "type", "veth", "peer", "name", &outside]);
        ip(&["link", "set", &inside, "netns", &namespace]);
        ip(&["link", "set", &outside, "master", &self.bridge()]);
        ip(&["link", "set", &outside, "up"]);
        ip(&["-n", &namespace, "addr", "add", &format!("{}/24", self.address(index)), "dev", &inside]);
        ip(&["-n", &namespace, "link", "set", &inside, "up"]);
        ip(&["-n", &namespace, "link", "set", "lo", "up"]);
        self.hosts += 1;
        index
    }

    /// Cuts (`up = false`) or restores the network link of host `index`.
    pub fn set_link(&self, index: usize, up: bool) {
        ip(&["-n", &self.namespace(index), "link", "set", &self.link(index), if up { "up" } else { "down" }]);
    }

    /// `program ARGS` to be run inside host `index`.
    pub fn command(&self, index: usize, program: &Path, args: &[String]) -> Command {
        let mut command = Command::new("ip");
        command.args(["netns", "exec", &self.namespace(index)]).arg(program).args(args);
        command
    }

    fn remove_leftovers(&self) {
        let prefix = format!("rl{}h", self.subnet);
        let listed = Command::new("ip").args(["netns", "list"]).output().map(|o| o.stdout).unwrap_or_default();
        for line in String::from_utf8_lossy(&listed).lines() {
            if let Some(name) = line.split_whitespace().next().filter(|name| name.starts_with(&prefix)) {
                ip_quietly(&["netns", "del", name]);
            }
        }
        ip_quietly(&["link", "del", &self.bridge()]);
    }
}

impl Drop for HostNet {
    fn drop(&mut self) {
        // Deleting a namespace deletes its veth end, and with it the peer on the bridge.
        for index in 0..self.hosts {
            ip_quietly(&["netns", "del", &self.namespace(index)]);
        }
        ip_quietly(&["link", "del", &self.bridge()]);
    }
}

/// An executor of a [`HostCluster`]: what it was started with, and its process.
pub struct HostExecutor {
    /// Executor id: `host-<index>`.
    pub id: String,
    /// Its host index in the [`HostNet`].
    pub host: usize,
    /// Task slots it advertises.
    pub vcores: usize,
    /// `executor.memory_limit_mb`.
    pub memory_limit_mb: usize,
    child: Option<Child>,
}

/// Seconds without a heartbeat after which the scheduler of a [`HostCluster`] drops an
/// executor; executors heartbeat every second and the sweep runs every second.
pub const EXECUTOR_TIMEOUT_SECONDS: u64 = 4;

/// A scheduler on host 0 and executors on hosts of their own, all sharing the lakehouse folder
/// (the disk plays the part of S3; shuffle data crosses the network between executors).
pub struct HostCluster {
    /// The hosts.
    pub net: HostNet,
    /// Logs and work directories.
    pub dir: PathBuf,
    /// The lakehouse root all processes use.
    pub lake: PathBuf,
    /// Executors, in the order started.
    pub executors: Vec<HostExecutor>,
    scheduler: Option<Child>,
    scheduler_starts: usize,
}

impl HostCluster {
    /// Starts the scheduler and one executor per `(vcores, memory_limit_mb)` and waits until
    /// all are registered.
    pub fn start(dir: &Path, lake: &Path, executors: &[(usize, usize)]) -> Self {
        std::fs::create_dir_all(dir).unwrap();
        let mut net = HostNet::create();
        net.add_host();
        let mut cluster = Self {
            net,
            dir: dir.to_path_buf(),
            lake: lake.to_path_buf(),
            executors: Vec::new(),
            scheduler: None,
            scheduler_starts: 0,
        };
        cluster.start_scheduler();
        for &(vcores, memory_limit_mb) in executors {
            cluster.add_executor(vcores, memory_limit_mb);
        }
        cluster
    }

    /// `host:port` of the scheduler, for `--scheduler`.
    pub fn scheduler(&self) -> String {
        format!("{}:50050", self.net.address(0))
    }

    /// URL of the scheduler's operator API.
    pub fn api_url(&self) -> String {
        format!("http://{}:50080", self.net.address(0))
    }

    /// GETs a JSON document from the scheduler's operator API.
    pub fn api<T: serde::de::DeserializeOwned>(&self, path: &str) -> T {
        let url = format!("{}{path}", self.api_url());
        let body = blocking_get(&url);
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{url}: {e}: {body}"))
    }

    /// The executors the scheduler lists now.
    pub fn registered(&self) -> Vec<ExecutorView> {
        self.api("/v1/executors")
    }

    /// Every job the scheduler knows, oldest first.
    pub fn jobs(&self) -> Vec<JobView> {
        self.api("/v1/jobs")
    }

    /// Where each task of `job_id` ran.
    pub fn tasks(&self, job_id: &str) -> JobTasks {
        self.api(&format!("/v1/jobs/{job_id}/tasks"))
    }

    /// (Re)starts the scheduler process on host 0 and waits until its operator API answers.
    pub fn start_scheduler(&mut self) {
        self.scheduler_starts += 1;
        let log = self.dir.join(format!("scheduler-{}.log", self.scheduler_starts));
        let args: Vec<String> = [
            "--bind-host",
            "0.0.0.0",
            "--external-host",
            &self.net.address(0),
            "--lakehouse",
            self.lake.to_str().unwrap(),
            "--policy",
            "pull-staged",
        ]
        .map(String::from)
        .to_vec();
        let mut command = self.net.command(0, &binary_path("reviewlake-scheduler").unwrap(), &args);
        command
            .env("REVIEWLAKE__SCHEDULER__EXECUTOR_TIMEOUT_SECONDS", EXECUTOR_TIMEOUT_SECONDS.to_string())
            .env("REVIEWLAKE__SCHEDULER__EXPIRE_DEAD_EXECUTOR_INTERVAL_SECONDS", "1")
            .env("REVIEWLAKE__FLIGHT_SQL__ENABLED", "false");
        self.scheduler = Some(spawn_logged(command, &log));
        let ready = format!("{}/healthz", self.api_url());
        wait_until("the scheduler's operator API", Duration::from_secs(30), || try_get(&ready).is_some());
    }

    /// Kills the scheduler with SIGKILL.
    pub fn kill_scheduler(&mut self) {
        if let Some(mut child) = self.scheduler.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts an executor on a new host and waits until the scheduler lists it. Returns its
    /// index in [`Self::executors`].
    pub fn add_executor(&mut self, vcores: usize, memory_limit_mb: usize) -> usize {
        let host = self.net.add_host();
        self.executors.push(HostExecutor { id: format!("host-{host}"), host, vcores, memory_limit_mb, child: None });
        let index = self.executors.len() - 1;
        self.start_executor(index);
        index
    }

    /// (Re)starts executor `index` on its host, under the same id, and waits until it is listed.
    pub fn start_executor(&mut self, index: usize) {
        let executor = &self.executors[index];
        let address = self.net.address(executor.host);
        let work = self.dir.join(&executor.id);
        let args: Vec<String> = vec![
            "--id".into(),
            executor.id.clone(),
            "--scheduler".into(),
            self.scheduler(),
            "--bind-host".into(),
            "0.0.0.0".into(),
            "--external-host".into(),
            address,
            "--vcores".into(),
            executor.vcores.to_string(),
            "--memory-limit-mb".into(),
            executor.memory_limit_mb.to_string(),
            "--work-dir".into(),
            work.display().to_string(),
            "--lakehouse".into(),
            self.lake.display().to_string(),
            "--policy".into(),
            "pull-staged".into(),
        ];
        let log = self.dir.join(format!("{}.log", executor.id));
        let mut command = self.net.command(executor.host, &binary_path("reviewlake-executor").unwrap(), &args);
        command.env("REVIEWLAKE__EXECUTOR__HEARTBEAT_INTERVAL_SECONDS", "1");
        let child = spawn_logged(command, &log);
        let id = executor.id.clone();
        self.executors[index].child = Some(child);
        self.wait_listed(&id, true, Duration::from_secs(30));
    }

    /// Kills executor `index` with SIGKILL: no drain, no goodbye to the scheduler.
    pub fn kill_executor(&mut self, index: usize) {
        if let Some(mut child) = self.executors[index].child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Whether executor `index`'s process has exited (after a drain, say), reaping it.
    pub fn executor_exited(&mut self, index: usize) -> bool {
        match &mut self.executors[index].child {
            Some(child) => child.try_wait().ok().flatten().is_some(),
            None => true,
        }
    }

    /// Waits until the scheduler lists (`listed`) or no longer lists executor `id`; returns how
    /// long that took.
    pub fn wait_listed(&self, id: &str, listed: bool, timeout: Duration) -> Duration {
        let started = Instant::now();
        let what = format!("executor {id} to be {}", if listed { "listed" } else { "dropped" });
        wait_until(&what, timeout, || self.registered().iter().any(|e| e.id == id) == listed);
        started.elapsed()
    }

    /// `reviewlake ARGS`, not started, from the client host (the root namespace) against this
    /// cluster, with extra environment variables `env`.
    pub fn client_command(&self, args: &[&str], env: &[(String, String)]) -> Command {
        let scheduler = self.scheduler();
        let mut full: Vec<&str> = vec!["--scheduler", &scheduler];
        full.extend(args);
        let mut env = env.to_vec();
        env.push(("REVIEWLAKE__LAKEHOUSE__ROOT".into(), self.lake.display().to_string()));
        crate::reviewlake_command(&self.dir, &full, &env)
    }

    /// `reviewlake ARGS` run from the client host (the root namespace) against this cluster.
    pub fn client(&self, args: &[&str]) -> Output {
        self.client_command(args, &[]).output().expect("reviewlake runs")
    }
}

impl Drop for HostCluster {
    fn drop(&mut self) {
        for index in 0..self.executors.len() {
            self.kill_executor(index);
        }
        self.kill_scheduler();
    }
}

fn spawn_logged(mut command: Command, log: &Path) -> Child {
    let file = std::fs::File::create(log).unwrap();
    command
        .stdin(Stdio::null())
        .stdout(file.try_clone().unwrap())
        .stderr(file)
        .spawn()
        .unwrap_or_else(|e| panic!("{command:?} starts: {e}"))
}
