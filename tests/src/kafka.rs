//! A real Kafka-protocol broker for the streaming tests: tansu 0.6.0, installed once by
//! `scripts/tansu.sh`, run with its sqlite storage engine in a folder of its own (its
//! `memory://` engine skips records on fetch and loses messages on resume, so it is never used).
//!
//! What the binary does, found by running it (tansu 0.6.0):
//! - `tansu broker --storage-engine sqlite://tansu.db --listener-url tcp://127.0.0.1:PORT
//!   --advertised-listener-url tcp://127.0.0.1:PORT` listens within a fraction of a second; the
//!   sqlite path is relative to the working directory. Messages survive a SIGKILL and a start
//!   on the same file.
//! - Topics are not created on first use: `tansu topic create NAME --partitions P --broker
//!   tcp://127.0.0.1:PORT` (exits 1 when the topic exists).
//! - SASL SCRAM: `tansu broker ... --authentication` requires every client to authenticate.
//!   Users are SCRAM credentials stored by the broker, created with an AlterUserScramCredentials
//!   request, which `tansu user create NAME PASSWORD --mechanism scram256|scram512 --broker URL`
//!   sends. The tansu command-line client cannot authenticate itself, so users (and topics) are
//!   created while authentication is off, and the broker is then restarted with
//!   `--authentication` on the same sqlite file, where the credentials persist. A wrong
//!   password is refused during the SCRAM exchange (librdkafka reports "SASL authentication
//!   error: ... invalid-proof"); a client without SASL, the tansu CLI included, is disconnected.
//!   SASL PLAIN is not offered (the broker logs `NoSharedMechanism`).

use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::paths::workspace_root;

/// The tansu binary, built and installed on first use by `scripts/tansu.sh` outside the
/// repository (which serialises concurrent callers).
pub fn tansu_binary() -> PathBuf {
    let script = workspace_root().join("scripts").join("tansu.sh");
    let output = Command::new("bash").arg(&script).output().expect("tansu.sh runs");
    assert!(output.status.success(), "tansu.sh failed: {}", String::from_utf8_lossy(&output.stderr));
    PathBuf::from(String::from_utf8(output.stdout).unwrap().trim())
}

/// The SCRAM user a broker started with [`Broker::start_with_scram`] knows.
#[derive(Clone, Debug)]
struct ScramUser {
    name: String,
    password: String,
}

/// A tansu broker on a free loopback port with the sqlite storage engine, in a temporary folder
/// of its own; killed (and its folder removed) on drop.
pub struct Broker {
    binary: PathBuf,
    /// The running broker process (none while stopped); behind a lock so that topics can be
    /// created on a shared broker with authentication, which restarts it.
    child: Mutex<Option<Child>>,
    dir: PathBuf,
    port: u16,
    scram: Option<ScramUser>,
}

/// The sqlite database of the broker, relative to its folder.
const DATABASE: &str = "tansu.db";
/// The broker's output, in its folder (shown when it fails to start).
const LOG: &str = "broker.log";

impl Broker {
    /// Starts a broker without authentication (PLAINTEXT).
    pub fn start() -> Self {
        let binary = tansu_binary();
        let dir = fresh_dir();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let broker = Self { binary, child: Mutex::new(None), dir, port, scram: None };
        broker.spawn(false);
        broker
    }

    /// Starts a broker that requires SASL SCRAM authentication (SASL_PLAINTEXT), with one user
    /// `user` holding `password` for both SCRAM-SHA-256 and SCRAM-SHA-512.
    ///
    /// The user is created while authentication is off (the tansu client cannot authenticate),
    /// then the broker restarts on the same database with `--authentication`.
    pub fn start_with_scram(user: &str, password: &str) -> Self {
        let mut broker = Self::start();
        for mechanism in ["scram256", "scram512"] {
            broker.tansu(&["user", "create", user, password, "--mechanism", mechanism, "--broker", &broker.url()]);
        }
        broker.scram = Some(ScramUser { name: user.to_string(), password: password.to_string() });
        broker.restart();
        broker
    }

    /// `127.0.0.1:PORT`, the bootstrap address clients use.
    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The SCRAM user name and password, for a broker started with [`Broker::start_with_scram`].
    pub fn credentials(&self) -> Option<(String, String)> {
        self.scram.as_ref().map(|user| (user.name.clone(), user.password.clone()))
    }

    /// Creates topic `name` with `partitions` partitions. On a broker with authentication the
    /// broker is restarted without it for the creation, then with it again.
    pub fn create_topic(&self, name: &str, partitions: u32) {
        let authenticated = self.scram.is_some();
        if authenticated {
            self.kill();
            self.spawn(false);
        }
        self.tansu(&["topic", "create", name, "--partitions", &partitions.to_string(), "--broker", &self.url()]);
        if authenticated {
            self.kill();
            self.spawn(true);
        }
    }

    /// Kills the broker (SIGKILL: nothing is flushed on the way out) and starts it again on the
    /// same port and database: messages, topics, users and committed offsets survive.
    pub fn restart(&mut self) {
        self.kill();
        self.spawn(self.scram.is_some());
    }

    /// Kills the broker; [`Broker::restart`] starts it again.
    pub fn stop(&mut self) {
        self.kill();
    }

    /// The broker's output so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join(LOG)).unwrap_or_default()
    }

    fn url(&self) -> String {
        format!("tcp://{}", self.address())
    }

    /// Starts the broker process and waits until its port accepts connections.
    fn spawn(&self, authentication: bool) {
        let mut slot = self.child.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        assert!(slot.is_none(), "the broker runs already");
        let url = self.url();
        let log = std::fs::OpenOptions::new().create(true).append(true).open(self.dir.join(LOG)).unwrap();
        let mut command = Command::new(&self.binary);
        command
            .arg("broker")
            .args(["--storage-engine", &format!("sqlite://{DATABASE}")])
            .args(["--listener-url", &url, "--advertised-listener-url", &url])
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone().unwrap()))
            .stderr(Stdio::from(log));
        if authentication {
            command.arg("--authentication");
        }
        let mut child = command.spawn().expect("tansu broker starts");
        let address: SocketAddr = self.address().parse().unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
                break;
            }
            if let Some(status) = child.try_wait().unwrap() {
                panic!("tansu broker exited ({status}) on {address}:\n{}", self.log());
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("tansu broker did not listen on {address} within 30 s:\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        *slot = Some(child);
    }

    /// Kills the broker process, if it runs, and reaps it.
    fn kill(&self) {
        if let Some(mut child) = self.child.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Runs `tansu ARGS` to completion; panics with its output on failure.
    fn tansu(&self, args: &[&str]) {
        let output = Command::new(&self.binary).args(args).current_dir(&self.dir).output().expect("tansu runs");
        assert!(
            output.status.success(),
            "tansu {} failed ({}):\nstdout:\n{}\nstderr:\n{}\nbroker log:\n{}",
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
            self.log()
        );
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A new empty folder for one broker under the system's temporary folder.
fn fresh_dir() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let name = format!("reviewlake-tansu-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
    let dir: PathBuf = std::env::temp_dir().join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
