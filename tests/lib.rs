//! Support for reviewlake's end-to-end tests: running the real binaries, starting and stopping
//! multi-process clusters, and generating test data.
//!
//! The binaries must be built first (`cargo build --release --bins`); the test command in the
//! README does that.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use datafusion::dataframe::DataFrameWriteOptions;
use datafusion::prelude::SessionContext;
use reviewlake_cluster::operator_api::{JobTasks, JobView};
use reviewlake_cluster::ops::{ClusterRecord, binary_path};

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

/// A multi-process cluster started with `reviewlake cluster up`; stopped on drop.
pub struct LocalCluster {
    /// The run directory.
    pub dir: PathBuf,
    /// Its record (ports, pids).
    pub record: ClusterRecord,
}

impl LocalCluster {
    /// Starts a cluster with one executor per entry of `vcores`.
    pub fn up(dir: &Path, vcores: &[usize]) -> Self {
        Self::up_with_env(dir, vcores, &[])
    }

    /// Starts a cluster whose processes also get the environment variables `env` (for
    /// example `REVIEWLAKE__LAKEHOUSE__ROOT`).
    pub fn up_with_env(dir: &Path, vcores: &[usize], env: &[(String, String)]) -> Self {
        let list: Vec<String> = vcores.iter().map(|v| v.to_string()).collect();
        let run = dir.join("run");
        success(reviewlake_with_env(
            dir,
            &[
                "cluster",
                "up",
                "--executors",
                &vcores.len().to_string(),
                "--vcores",
                &list.join(","),
                "--dir",
                run.to_str().unwrap(),
            ],
            env,
        ));
        let record = ClusterRecord::load(&run).expect("cluster record");
        Self { dir: run, record }
    }

    /// `--scheduler` argument for this cluster.
    pub fn scheduler(&self) -> String {
        self.record.scheduler_address()
    }

    /// Reloads the record after `cluster scale`.
    pub fn reload(&mut self) {
        self.record = ClusterRecord::load(&self.dir).expect("cluster record");
    }

    /// GETs a JSON document from the scheduler's operator API.
    pub fn api<T: serde::de::DeserializeOwned>(&self, path: &str) -> T {
        let url = format!("{}{path}", self.record.api_url());
        let body = blocking_get(&url);
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{url}: {e}: {body}"))
    }

    /// Every job the scheduler knows, oldest first.
    pub fn jobs(&self) -> Vec<JobView> {
        self.api("/v1/jobs")
    }

    /// Where each task of `job_id` ran.
    pub fn tasks(&self, job_id: &str) -> JobTasks {
        self.api(&format!("/v1/jobs/{job_id}/tasks"))
    }

    /// Pids of every process the record names.
    pub fn pids(&self) -> Vec<u32> {
        let mut pids: Vec<u32> = self.record.executors.iter().map(|e| e.pid).collect();
        pids.push(self.record.scheduler_pid);
        pids
    }
}

impl Drop for LocalCluster {
    fn drop(&mut self) {
        let pids = self.pids();
        let _ = reviewlake_cluster::ops::down(&self.dir, Duration::from_secs(30));
        for pid in pids {
            assert!(!reviewlake_cluster::ops::is_alive(pid), "process {pid} survived cluster down");
        }
    }
}

/// A plain HTTP GET without an async runtime (tests are synchronous).
pub fn blocking_get(url: &str) -> String {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        reqwest::get(url).await.and_then(|r| r.error_for_status()).expect("GET succeeds").text().await.unwrap()
    })
}

/// Writes `files` Parquet files of `rows_per_file` rows with columns `id` and `body` (review
/// text with entities, tags, URLs and mixed case) to `dir`.
pub fn write_review_files(dir: &Path, files: usize, rows_per_file: usize) {
    std::fs::create_dir_all(dir).unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let ctx = SessionContext::new();
        for file in 0..files {
            let first = file * rows_per_file;
            let last = first + rows_per_file - 1;
            let frame = ctx
                .sql(&format!(
                    "SELECT value AS id, concat(\
                       CASE value % 4 \
                         WHEN 0 THEN 'Great &amp; CHEAP, see https://example.com/x' \
                         WHEN 1 THEN 'Broke after a WEEK<br />Sad' \
                         WHEN 2 THEN '<b>Does</b> the   job &quot;ok&quot;' \
                         ELSE 'Café crème — TRÈS bien' END, \
                       ' #', CAST(value % 1000 AS VARCHAR)) AS body \
                     FROM generate_series({first}, {last})"
                ))
                .await
                .unwrap();
            let path = dir.join(format!("part-{file:05}.parquet"));
            frame
                .write_parquet(path.to_str().unwrap(), DataFrameWriteOptions::new().with_single_file_output(true), None)
                .await
                .unwrap();
        }
    });
}

/// Every distinct `body` of the files in `dir` with its number of rows, read by a local
/// single-process DataFusion (independent of the cluster).
pub fn body_counts(dir: &Path) -> Vec<(String, i64)> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let ctx = SessionContext::new();
        ctx.register_parquet("t", dir.to_str().unwrap(), Default::default()).await.unwrap();
        let batches =
            ctx.sql("SELECT body, count(*) AS n FROM t GROUP BY body").await.unwrap().collect().await.unwrap();
        let mut out = Vec::new();
        for batch in batches {
            let bodies =
                datafusion::arrow::compute::cast(batch.column(0), &datafusion::arrow::datatypes::DataType::Utf8)
                    .unwrap();
            let bodies = bodies.as_any().downcast_ref::<datafusion::arrow::array::StringArray>().unwrap();
            let counts = batch.column(1).as_any().downcast_ref::<datafusion::arrow::array::Int64Array>().unwrap();
            for i in 0..batch.num_rows() {
                out.push((bodies.value(i).to_string(), counts.value(i)));
            }
        }
        out
    })
}

/// Waits until `condition` holds, polling every 50 ms, or panics after `timeout`.
pub fn wait_until(what: &str, timeout: Duration, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The bin directory of the Python environment with moto, deltalake, pyarrow and duckdb,
/// created on first use by `scripts/python-env.sh`.
pub fn python_bin() -> PathBuf {
    let script = manifest_dir().join("../scripts/python-env.sh");
    let output = Command::new("bash").arg(&script).output().expect("python-env.sh runs");
    assert!(output.status.success(), "python-env.sh failed: {}", String::from_utf8_lossy(&output.stderr));
    PathBuf::from(String::from_utf8(output.stdout).unwrap().trim())
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
    child: std::process::Child,
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
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
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

/// This crate's folder, as cargo reports it when the test runs (a path baked in at compile
/// time goes stale when a shared target directory serves several checkouts); the compile-time
/// path when the test binary runs outside cargo.
pub fn manifest_dir() -> PathBuf {
    std::env::var("CARGO_MANIFEST_DIR").map(PathBuf::from).unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}
