//! The browser side of the tests: a `reviewlake serve` process, and the Playwright script of
//! `tests/browser/` driving Debian's Chromium against it (`scripts/browser-env.sh` installs
//! both, outside the clone).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::cli::reviewlake_command;
use crate::paths::{installed_by, workspace_root};

/// The `node_modules` folder holding playwright-core and axe-core, installed on first use by
/// `scripts/browser-env.sh` (which also installs Chromium when it is missing).
pub fn browser_modules() -> PathBuf {
    installed_by("browser-env.sh")
}

/// Runs `tests/browser/dashboard.mjs` against the dashboard at `url`, writing screenshots and
/// `report.json` under `out_dir`; `extra` adds environment variables (`LIVE_CHECK=1`, ...).
pub fn run_browser_script(url: &str, out_dir: &Path, extra: &[(&str, &str)]) -> std::process::Output {
    let modules = browser_modules();
    let mut command = Command::new("node");
    command
        .arg(workspace_root().join("tests").join("browser").join("dashboard.mjs"))
        .env("DASHBOARD_URL", url)
        .env("OUT_DIR", out_dir)
        .env("NODE_PATH", &modules);
    for (key, value) in extra {
        command.env(key, value);
    }
    let output = command.output().expect("node runs");
    assert!(
        output.status.success(),
        "dashboard.mjs failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// A `reviewlake serve` process on a free port, stopped (SIGTERM) on drop.
pub struct DashboardServer {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
}

impl DashboardServer {
    /// Starts `reviewlake serve --port 0 ARGS` in `cwd` and waits for the URL it prints.
    pub fn start(cwd: &Path, args: &[&str], env: &[(String, String)]) -> Self {
        let mut all = vec!["serve", "--port", "0"];
        all.extend_from_slice(args);
        let mut child = reviewlake_command(cwd, &all, env)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("reviewlake serve starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("dashboard: ") {
                    let _ = sender.send(url.to_string());
                }
            }
        });
        match receiver.recv_timeout(Duration::from_secs(120)) {
            Ok(url) => Self { child, url },
            Err(_) => {
                let _ = child.kill();
                let status = child.wait().map(|s| s.to_string()).unwrap_or_default();
                panic!("reviewlake serve printed no URL within 120 s ({status})");
            }
        }
    }

    /// `GET path`: the status code and body.
    pub fn get(&self, path: &str) -> (u16, String) {
        let url = format!("{}{path}", self.url);
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let response = reqwest::get(&url).await.unwrap_or_else(|e| panic!("GET {url}: {e}"));
            let status = response.status().as_u16();
            (status, response.text().await.unwrap())
        })
    }

    /// `GET path`, which must answer 200 with JSON.
    pub fn json(&self, path: &str) -> serde_json::Value {
        let (status, body) = self.get(path);
        assert_eq!(status, 200, "GET {path}: {body}");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path}: {e}: {body}"))
    }
}

impl Drop for DashboardServer {
    fn drop(&mut self) {
        // SIGTERM first: the server closes its event streams and stops its in-process cluster.
        let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        for _ in 0..100 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
