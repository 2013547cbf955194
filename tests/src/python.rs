//! The Python side of the tests: the environment `scripts/python-env.sh` creates, scripts run
//! in it, and moto's S3-compatible server from it.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::paths::installed_by;

/// The bin directory of the Python environment with moto, deltalake, pyarrow and duckdb,
/// created on first use by `scripts/python-env.sh` (which serialises concurrent callers).
pub fn python_bin() -> PathBuf {
    installed_by("python-env.sh")
}

/// Runs a Python script in the test environment; returns its standard output.
pub fn python(script: &str, args: &[&str]) -> String {
    let output =
        Command::new(python_bin().join("python")).arg("-c").arg(script).args(args).output().expect("python runs");
    assert!(
        output.status.success(),
        "python failed:\n{}\nstderr:\n{}",
        script,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// A real S3-compatible server (moto, from PyPI) on a free loopback port, with one bucket;
/// stopped on drop. moto honours conditional PUT (`If-None-Match: *`), which Delta commits
/// rely on for concurrent writers.
pub struct S3Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// The bucket created at start.
    pub bucket: String,
}

impl S3Server {
    /// Starts moto and creates `bucket`.
    pub fn start(bucket: &str) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(python_bin().join("moto_server"))
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto_server starts");
        let server = Self { child, endpoint: format!("http://127.0.0.1:{port}"), bucket: bucket.to_string() };
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let url = format!("{}/{bucket}", server.endpoint);
        let deadline = Instant::now() + Duration::from_secs(30);
        runtime.block_on(async {
            let client = reqwest::Client::new();
            loop {
                match client.put(&url).send().await {
                    Ok(response) if response.status().is_success() => break,
                    _ if Instant::now() > deadline => panic!("moto did not start on {url}"),
                    _ => tokio::time::sleep(Duration::from_millis(100)).await,
                }
            }
        });
        server
    }

    /// The environment that points reviewlake's lakehouse at `s3://BUCKET/prefix` here.
    pub fn lakehouse_env(&self, prefix: &str) -> Vec<(String, String)> {
        [
            ("REVIEWLAKE__LAKEHOUSE__ROOT", format!("s3://{}/{prefix}", self.bucket)),
            ("REVIEWLAKE__LAKEHOUSE__S3__ENDPOINT", self.endpoint.clone()),
            ("REVIEWLAKE__LAKEHOUSE__S3__REGION", "us-east-1".into()),
            ("REVIEWLAKE__LAKEHOUSE__S3__ACCESS_KEY_ID", "testing".into()),
            ("REVIEWLAKE__LAKEHOUSE__S3__SECRET_ACCESS_KEY", "testing".into()),
            ("REVIEWLAKE__LAKEHOUSE__S3__ALLOW_HTTP", "true".into()),
            ("REVIEWLAKE__LAKEHOUSE__S3__PATH_STYLE", "true".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
