//! Clusters over separate hosts (network namespaces, see `reviewlake_tests::HostNet`): the same
//! gold answers as the in-process cluster, tasks placed by slots, and executors killed, cut off,
//! added and drained while jobs run, and a scheduler restart.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use reviewlake_tests::{
    EXECUTOR_TIMEOUT_SECONDS, HostCluster, reviewlake_with_env, success, wait_until, write_review_files,
};
use serde_json::Value;

use crate::cluster::{expected_totals, parse_totals};
use crate::pipeline::sample_source;

/// Longest a lost executor may stay listed: its heartbeat timeout, one sweep, and slack for a
/// loaded 2-core machine.
const DETECTION_LIMIT: Duration = Duration::from_secs(EXECUTOR_TIMEOUT_SECONDS + 4);

/// Every row of `table` as canonical text (numbers to 9 significant digits: sums of floats
/// differ in the last bits with the order partitions are added in), sorted.
fn table_rows(work: &Path, env: &[(String, String)], table: &str) -> Vec<String> {
    let json = success(reviewlake_with_env(work, &["sql", "--format", "json", &format!("SELECT * FROM {table}")], env));
    let rows: Vec<Value> = serde_json::from_str(&json).unwrap();
    let mut rows: Vec<String> = rows.iter().map(canonical).collect();
    rows.sort();
    rows
}

fn canonical(value: &Value) -> String {
    match value {
        Value::Number(n) if n.is_f64() => format!("{:.9e}", n.as_f64().unwrap()),
        Value::Array(items) => format!("[{}]", items.iter().map(canonical).collect::<Vec<_>>().join(",")),
        Value::Object(fields) => {
            let fields: BTreeMap<&String, String> = fields.iter().map(|(k, v)| (k, canonical(v))).collect();
            format!("{fields:?}")
        }
        other => other.to_string(),
    }
}

fn lake_env(lake: &Path) -> Vec<(String, String)> {
    vec![("REVIEWLAKE__LAKEHOUSE__ROOT".into(), lake.display().to_string())]
}

#[test]
fn a_pipeline_over_hosts_of_1_2_and_4_vcores_answers_as_the_in_process_cluster_and_places_tasks_by_slots() {
    let work = tempfile::tempdir().unwrap();
    let source = work.path().join("source");
    sample_source(&source);
    let cluster =
        HostCluster::start(&work.path().join("hosts"), &work.path().join("lake"), &[(1, 256), (2, 512), (4, 1024)]);
    let registered = cluster.registered();
    let shape: Vec<(String, String, u32)> =
        registered.iter().map(|e| (e.id.clone(), e.host.clone(), e.vcores)).collect();
    assert_eq!(
        shape,
        vec![
            ("host-1".into(), cluster.net.address(1), 1),
            ("host-2".into(), cluster.net.address(2), 2),
            ("host-3".into(), cluster.net.address(3), 4)
        ]
    );

    let hosts_run = success(cluster.client(&["pipeline", "run", "--source", source.to_str().unwrap()]));
    assert!(hosts_run.contains("gold: "), "{hosts_run}");
    let local_lake = work.path().join("local-lake");
    success(reviewlake_with_env(
        work.path(),
        &["pipeline", "run", "--source", source.to_str().unwrap()],
        &lake_env(&local_lake),
    ));
    let listing = success(reviewlake_with_env(
        work.path(),
        &["sql", "--format", "json", "SELECT table_name FROM information_schema.tables WHERE table_schema = 'gold'"],
        &lake_env(&local_lake),
    ));
    let tables: Vec<Value> = serde_json::from_str(&listing).unwrap();
    assert!(tables.len() >= 20, "{listing}");
    for table in &tables {
        let name = format!("gold.{}", table["table_name"].as_str().unwrap());
        let on_hosts = table_rows(work.path(), &lake_env(&cluster.lake), &name);
        let in_process = table_rows(work.path(), &lake_env(&local_lake), &name);
        assert!(!in_process.is_empty(), "{name} is empty");
        assert!(on_hosts == in_process, "{name} differs between the host cluster and the in-process one");
    }

    // Every executor reports its memory with its heartbeats; `cluster status` shows it per host.
    wait_until("memory reports", Duration::from_secs(10), || {
        cluster.registered().iter().all(|e| e.resident_memory_bytes.is_some_and(|b| b > 0))
    });
    let status = success(reviewlake_with_env(work.path(), &["cluster", "status", "--api", &cluster.api_url()], &[]));
    for (index, limit) in [(1, "256 MiB"), (2, "512 MiB"), (3, "1024 MiB")] {
        let line =
            status.lines().find(|l| l.starts_with(&format!("host-{index} "))).unwrap_or_else(|| panic!("{status}"));
        assert!(line.contains(&cluster.net.address(index)) && line.contains(limit), "{line}");
    }

    // A stage of many tasks of about equal size: pull-staged executors ask for work whenever a slot is
    // free, so each takes tasks in proportion to its slots (1 : 2 : 4).
    let data = work.path().join("parquet");
    write_review_files(&data, 56, 2_000);
    let script = format!(
        "CREATE EXTERNAL TABLE reviews STORED AS PARQUET LOCATION '{}/'; \
         SELECT count(*) AS rows, sum(character_length(normalize_text(repeat(body, 20)))) AS chars FROM reviews",
        data.display()
    );
    let partitions = vec![("REVIEWLAKE__CLIENT__TARGET_PARTITIONS".to_string(), "56".to_string())];
    let output = cluster.client_command(&["sql", "--format", "json", &script], &partitions).output().unwrap();
    assert_eq!(parse_totals(&success(output)), expected_totals(&data, 20));
    let job = cluster.jobs().pop().unwrap();
    let mut per_stage: BTreeMap<usize, BTreeMap<String, usize>> = BTreeMap::new();
    for task in cluster.tasks(&job.job_id).tasks {
        *per_stage.entry(task.stage_id).or_default().entry(task.executor_id).or_default() += 1;
    }
    let (_, counts) = per_stage.iter().max_by_key(|(_, counts)| counts.values().sum::<usize>()).unwrap();
    let count = |id: &str| counts.get(id).copied().unwrap_or(0);
    let total = counts.values().sum::<usize>() as f64;
    println!("tasks per executor in the stage over 56 files: {counts:?}");
    // DataFusion packs the 56 files into at most 56 groups of about equal bytes.
    assert!(total >= 40.0, "{counts:?}");
    // Two cores run all seven slots, so 1 : 2 is within noise on ~50 tasks; 1 : 4 is not.
    assert!(count("host-3") > count("host-2") && count("host-3") > count("host-1"), "{counts:?}");
    assert!(count("host-3") as f64 / total >= 0.4, "the 4-slot executor took too few: {counts:?}");
    assert!(count("host-1") as f64 / total <= 0.3, "the 1-slot executor took too many: {counts:?}");
}

/// A two-stage aggregation (a shuffle between them) whose answer `expected_totals` knows.
fn aggregation_script(data: &Path, repeat: usize) -> String {
    format!(
        "CREATE EXTERNAL TABLE reviews STORED AS PARQUET LOCATION '{}/'; \
         SELECT sum(n) AS rows, sum(c) AS chars FROM (SELECT id % 101 AS k, count(*) AS n, \
           sum(character_length(normalize_text(repeat(body, {repeat})))) AS c FROM reviews GROUP BY id % 101)",
        data.display()
    )
}

fn start_query(cluster: &HostCluster, script: &str) -> Child {
    start_query_with(cluster, script, &[])
}

fn start_query_with(cluster: &HostCluster, script: &str, env: &[(String, String)]) -> Child {
    cluster
        .client_command(&["sql", "--format", "json", script], env)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Longest a query of these tests may run: a job that hangs fails its test instead of the suite.
const QUERY_LIMIT: Duration = Duration::from_secs(300);

/// The query's output once it ends; kills it and fails, naming the jobs' states, past [`QUERY_LIMIT`].
fn finish(cluster: &HostCluster, query: Child) -> Output {
    let pid = query.id();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(query.wait_with_output());
    });
    match receiver.recv_timeout(QUERY_LIMIT) {
        Ok(output) => output.unwrap(),
        Err(_) => {
            let _ = std::process::Command::new("kill").args(["-9", &pid.to_string()]).status();
            let jobs: Vec<String> = cluster.jobs().iter().map(|job| format!("{} {}", job.job_id, job.status)).collect();
            panic!("a query ran longer than {QUERY_LIMIT:?}; the scheduler's jobs: {jobs:?}");
        }
    }
}

/// The running job's id once it has a running task on executor `id` (any executor if empty),
/// and the executors running its tasks then.
fn wait_running_on(cluster: &HostCluster, id: &str) -> (String, Vec<String>) {
    let mut found = (String::new(), Vec::new());
    wait_until(&format!("a running job with a task on {id:?}"), Duration::from_secs(60), || {
        let Some(job) = cluster.jobs().into_iter().rev().find(|job| job.status == "running") else { return false };
        let mut running: Vec<String> = cluster
            .tasks(&job.job_id)
            .tasks
            .into_iter()
            .filter(|t| t.status == "running")
            .map(|t| t.executor_id)
            .collect();
        running.sort();
        running.dedup();
        let busy = running.iter().any(|e| id.is_empty() || e == id);
        if busy {
            found = (job.job_id, running);
        }
        busy
    });
    found
}

fn executors_of(cluster: &HostCluster, job_id: &str) -> Vec<String> {
    cluster.tasks(job_id).tasks.into_iter().map(|t| t.executor_id).collect()
}

#[test]
fn twenty_jobs_each_losing_an_executor_to_kill_9_all_answer_right() {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("parquet");
    write_review_files(&data, 12, 10_000);
    const REPEAT: usize = 30;
    let expected = expected_totals(&data, REPEAT);
    let script = aggregation_script(&data, REPEAT);
    let mut cluster =
        HostCluster::start(&work.path().join("hosts"), &work.path().join("lake"), &[(1, 512), (2, 512), (2, 512)]);

    let mut clean = Vec::new();
    for _ in 0..2 {
        let started = Instant::now();
        assert_eq!(parse_totals(&success(finish(&cluster, start_query(&cluster, &script)))), expected);
        clean.push(started.elapsed().as_secs_f64());
    }
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let (mut killed_runs, mut detections) = (Vec::new(), Vec::new());
    for round in 0..20 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let started = Instant::now();
        let query = start_query(&cluster, &script);
        // The victim: one of the executors running the job's tasks, at random.
        let (job_id, busy) = wait_running_on(&cluster, "");
        let id = busy[(seed % busy.len() as u64) as usize].clone();
        let victim = cluster.executors.iter().position(|e| e.id == id).unwrap();
        std::thread::sleep(Duration::from_millis(seed % 300));
        assert_eq!(cluster.tasks(&job_id).status, "running", "round {round}: the job ended before the kill");
        cluster.kill_executor(victim);
        detections.push(cluster.wait_listed(&id, false, DETECTION_LIMIT).as_secs_f64());
        let output = finish(&cluster, query);
        assert_eq!(parse_totals(&success(output)), expected, "round {round}: {id} killed");
        killed_runs.push(started.elapsed().as_secs_f64());
        cluster.start_executor(victim);
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    println!(
        "20/20 jobs right with one executor killed in each; job {:.2} s clean, {:.2} s with a kill (+{:.2} s); lost executor dropped after {:.2} s mean, {:.2} s max",
        mean(&clean),
        mean(&killed_runs),
        mean(&killed_runs) - mean(&clean),
        mean(&detections),
        detections.iter().cloned().fold(0.0, f64::max)
    );
}

#[test]
fn a_cut_link_a_new_host_a_drain_and_a_scheduler_restart_keep_answers_right() {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("parquet");
    write_review_files(&data, 16, 10_000);
    const REPEAT: usize = 20;
    let expected = expected_totals(&data, REPEAT);
    let script = aggregation_script(&data, REPEAT);
    let mut cluster = HostCluster::start(&work.path().join("hosts"), &work.path().join("lake"), &[(1, 512), (2, 512)]);

    // A cut link: the job finishes on the other executor, the cut one leaves the list within the
    // timeout and comes back by itself once the link is up again.
    let query = start_query(&cluster, &script);
    wait_running_on(&cluster, "host-2");
    cluster.net.set_link(2, false);
    let dropped = cluster.wait_listed("host-2", false, DETECTION_LIMIT);
    assert_eq!(parse_totals(&success(finish(&cluster, query))), expected);
    cluster.net.set_link(2, true);
    let back = cluster.wait_listed("host-2", true, Duration::from_secs(10));
    println!(
        "cut link: host-2 dropped after {:.1} s, back {:.1} s after the link",
        dropped.as_secs_f64(),
        back.as_secs_f64()
    );

    // A host added while a job runs takes tasks of that job: of its later stages, and of those
    // still waiting (32 tasks per stage on 3 slots).
    let partitions = vec![("REVIEWLAKE__CLIENT__TARGET_PARTITIONS".to_string(), "32".to_string())];
    let query = start_query_with(&cluster, &script, &partitions);
    let (job_id, _) = wait_running_on(&cluster, "");
    let added = cluster.add_executor(2, 512);
    let new_id = cluster.executors[added].id.clone();
    assert_eq!(parse_totals(&success(finish(&cluster, query))), expected);
    assert!(
        executors_of(&cluster, &job_id).contains(&new_id),
        "{new_id}, added mid-job, ran none of its tasks: {:?}",
        executors_of(&cluster, &job_id)
    );

    // A drain for maintenance: the executor finishes what it runs, exits, and leaves the list;
    // the job goes on elsewhere.
    let query = start_query(&cluster, &script);
    wait_running_on(&cluster, &new_id);
    let drained =
        success(reviewlake_with_env(work.path(), &["cluster", "drain", &new_id, "--api", &cluster.api_url()], &[]));
    assert!(drained.contains(&format!("executor {new_id} drained")), "{drained}");
    assert_eq!(parse_totals(&success(finish(&cluster, query))), expected);
    wait_until("the drained executor's process to exit", Duration::from_secs(10), || cluster.executor_exited(added));
    let unknown = reviewlake_with_env(work.path(), &["cluster", "drain", "no-such", "--api", &cluster.api_url()], &[]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no executor no-such"), "{unknown:?}");

    // A scheduler restart: the running job fails with an error naming the scheduler, the
    // executors register again by themselves, and the next query runs.
    let query = start_query(&cluster, &script);
    wait_running_on(&cluster, "");
    cluster.kill_scheduler();
    let failed = finish(&cluster, query);
    assert!(!failed.status.success());
    let message = String::from_utf8_lossy(&failed.stderr).to_string();
    assert!(
        message.contains(&format!("lost the connection to the scheduler at {}", cluster.scheduler())),
        "the error does not say what happened: {message}"
    );
    println!("a job when its scheduler dies: {}", message.trim());
    cluster.start_scheduler();
    for id in ["host-1", "host-2"] {
        cluster.wait_listed(id, true, Duration::from_secs(15));
    }
    assert_eq!(parse_totals(&success(finish(&cluster, start_query(&cluster, &script)))), expected);
}
