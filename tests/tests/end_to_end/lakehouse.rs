//! Delta tables read and written by a multi-process cluster: on a local folder and on a real
//! S3-compatible server (moto), and exchanged with another Delta implementation (the
//! `deltalake` Python package).
//!
//! Test data comes from `unnest(range(..))`: the `generate_series` table function has no
//! Ballista codec, so it cannot be planned on a cluster.

use std::collections::BTreeSet;
use std::path::Path;

use reviewlake_tests::{LocalCluster, S3Server, env_vars, python, reviewlake_command, reviewlake_with_env, success};
use serde_json::Value;

/// Runs SQL through `reviewlake sql` (on `scheduler`, or standalone when `None`) and returns
/// the last result as JSON rows.
fn sql(work: &Path, scheduler: Option<&str>, env: &[(String, String)], script: &str) -> Vec<Value> {
    let mut args = vec!["sql", "--format", "json", script];
    if let Some(address) = scheduler {
        args.splice(0..0, ["--scheduler", address]);
    }
    serde_json::from_str(&success(reviewlake_with_env(work, &args, env))).expect("JSON rows")
}

fn sql_error(work: &Path, scheduler: Option<&str>, env: &[(String, String)], script: &str) -> String {
    let mut args = vec!["sql", script];
    if let Some(address) = scheduler {
        args.splice(0..0, ["--scheduler", address]);
    }
    let output = reviewlake_with_env(work, &args, env);
    assert!(!output.status.success(), "expected {script} to fail");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn number(rows: &[Value], column: &str) -> i64 {
    rows[0][column].as_i64().unwrap_or_else(|| panic!("{column} in {rows:?}"))
}

fn commit_files(table: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(table.join("_delta_log"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    names
}

/// `listed` and `scanned` file counts of the scheduler's last scan of `table`.
fn last_scan(log: &Path, table: &str) -> (usize, usize) {
    let text = std::fs::read_to_string(log).unwrap();
    let line = text
        .lines()
        .filter(|l| l.contains("delta scan") && l.contains(&format!("table={table}")))
        .last()
        .unwrap_or_else(|| panic!("no scan of {table} in {}", log.display()));
    let field = |name: &str| -> usize {
        let start = line.find(&format!("{name}=")).unwrap() + name.len() + 1;
        line[start..].split(|c: char| !c.is_ascii_digit()).next().unwrap().parse().unwrap()
    };
    (field("listed"), field("scanned"))
}

#[test]
fn distributed_writes_commit_once_and_scans_prune_on_a_multi_process_cluster() {
    let work = tempfile::tempdir().unwrap();
    let lake = work.path().join("lake");
    let env = env_vars(&[
        ("REVIEWLAKE__LAKEHOUSE__ROOT", lake.to_str().unwrap()),
        ("REVIEWLAKE__CLIENT__TARGET_PARTITIONS", "6"),
        ("RUST_LOG", "warn,reviewlake_cluster=info"),
    ]);
    let cluster = LocalCluster::up_with_env(work.path(), &[2, 1], &env);
    let scheduler = cluster.scheduler();
    let on_cluster = Some(scheduler.as_str());

    let created = sql(
        work.path(),
        on_cluster,
        &env,
        "CREATE TABLE silver.events PARTITIONED BY (year) AS \
         SELECT value AS id, 2015 + value % 4 AS year, concat('event ', CAST(value AS VARCHAR)) AS body \
         FROM (SELECT unnest(range(1, 300001)) AS value)",
    );
    assert_eq!(number(&created, "count"), 300_000);
    let table = lake.join("silver/events");
    assert_eq!(commit_files(&table), ["00000000000000000000.json"], "the whole write is one commit");
    let ctas = cluster.jobs().into_iter().filter(|j| j.status == "successful").last().unwrap();
    let tasks = cluster.tasks(&ctas.job_id).tasks;
    let executors: BTreeSet<&str> = tasks.iter().map(|t| t.executor_id.as_str()).collect();
    assert_eq!(executors.len(), 2, "write tasks ran on both executors: {tasks:?}");

    let year_2017 =
        sql(work.path(), on_cluster, &env, "SELECT count(*) AS n, sum(id) AS s FROM silver.events WHERE year = 2017");
    let expected: Vec<i64> = (1..=300_000).filter(|v| v % 4 == 2).collect();
    assert_eq!(number(&year_2017, "n"), expected.len() as i64);
    assert_eq!(number(&year_2017, "s"), expected.iter().sum::<i64>());
    let (listed, scanned) = last_scan(&cluster.record.scheduler_log, "silver.events");
    assert!(scanned < listed && scanned >= 1, "the scheduler planned {scanned} of {listed} files");

    sql(
        work.path(),
        on_cluster,
        &env,
        "INSERT INTO silver.events SELECT value, 2019, 'late' FROM (SELECT unnest(range(1, 1001)) AS value)",
    );
    assert_eq!(commit_files(&table).len(), 2);
    assert_eq!(number(&sql(work.path(), on_cluster, &env, "SELECT count(*) AS n FROM silver.events"), "n"), 301_000);
    assert_eq!(
        number(&sql(work.path(), on_cluster, &env, "SELECT count(*) AS n FROM silver.\"events@v0\""), "n"),
        300_000
    );

    let failed = sql_error(
        work.path(),
        on_cluster,
        &env,
        "INSERT INTO silver.events SELECT 10 / (value - value), 2020, 'x' FROM (SELECT unnest(range(1, 50001)) AS value)",
    );
    assert!(failed.contains("DivideByZero"), "{failed}");
    let wrong = sql_error(work.path(), on_cluster, &env, "INSERT INTO silver.events SELECT 1");
    assert!(wrong.contains("statement 1 of 1 failed"), "{wrong}");
    assert_eq!(commit_files(&table).len(), 2, "failed jobs commit nothing");

    let history =
        success(reviewlake_with_env(work.path(), &["table", "history", "silver.events", "--format", "json"], &env));
    let history: Vec<Value> = serde_json::from_str(&history).unwrap();
    assert_eq!(history.iter().map(|h| h["version"].as_u64().unwrap()).collect::<Vec<_>>(), [1, 0]);
    assert_eq!(history[0]["rows_written"], 1000);
}

#[test]
fn s3_lakehouse_on_moto_takes_concurrent_commits_without_losing_any() {
    let work = tempfile::tempdir().unwrap();
    let s3 = S3Server::start("lake");
    let mut env = s3.lakehouse_env("warehouse");
    env.push(("REVIEWLAKE__CLIENT__TARGET_PARTITIONS".into(), "4".into()));
    let cluster = LocalCluster::up_with_env(work.path(), &[1, 1], &env);
    let scheduler = cluster.scheduler();
    let on_cluster = Some(scheduler.as_str());

    sql(
        work.path(),
        on_cluster,
        &env,
        "CREATE TABLE silver.shared PARTITIONED BY (writer) AS SELECT value AS id, 'seed' AS writer FROM (SELECT unnest(range(1, 20001)) AS value)",
    );
    let children: Vec<_> = (0..4)
        .map(|w| {
            let insert =
                format!("INSERT INTO silver.shared SELECT value, 'c{w}' FROM (SELECT unnest(range(1, 5001)) AS value)");
            reviewlake_command(work.path(), &["--scheduler", &scheduler, "sql", &insert], &env)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        success(child.wait_with_output().unwrap());
    }
    let counts = sql(
        work.path(),
        on_cluster,
        &env,
        "SELECT writer, count(*) AS n FROM silver.shared GROUP BY writer ORDER BY writer",
    );
    let counts: Vec<(String, i64)> =
        counts.iter().map(|r| (r["writer"].as_str().unwrap().to_string(), r["n"].as_i64().unwrap())).collect();
    let mut expected: Vec<(String, i64)> = (0..4).map(|w| (format!("c{w}"), 5000)).collect();
    expected.push(("seed".into(), 20000));
    expected.sort();
    assert_eq!(counts, expected, "every concurrent commit landed");
    assert_eq!(
        number(&sql(work.path(), on_cluster, &env, "SELECT count(*) AS n FROM silver.\"shared@v0\""), "n"),
        20000
    );
    let history =
        success(reviewlake_with_env(work.path(), &["table", "history", "silver.shared", "--format", "json"], &env));
    assert_eq!(serde_json::from_str::<Vec<Value>>(&history).unwrap().len(), 5, "one version per commit");

    let mut unreachable = s3.lakehouse_env("warehouse");
    unreachable.retain(|(k, _)| k != "REVIEWLAKE__LAKEHOUSE__S3__ENDPOINT");
    unreachable.push(("REVIEWLAKE__LAKEHOUSE__S3__ENDPOINT".into(), "http://127.0.0.1:9".into()));
    let error = sql_error(work.path(), None, &unreachable, "SELECT count(*) FROM silver.shared");
    assert!(error.lines().count() <= 2 && error.contains("127.0.0.1:9"), "{error}");
}

#[test]
fn tables_are_exchanged_with_the_deltalake_python_package() {
    let work = tempfile::tempdir().unwrap();
    let lake = work.path().join("lake");
    let env = env_vars(&[("REVIEWLAKE__LAKEHOUSE__ROOT", lake.to_str().unwrap())]);
    sql(
        work.path(),
        None,
        &env,
        "CREATE TABLE silver.ours PARTITIONED BY (kind) AS \
         SELECT value AS id, CASE value % 3 WHEN 0 THEN 'a' WHEN 1 THEN 'b' ELSE 'c d' END AS kind, \
                value * 0.5 AS score, concat('text ', CAST(value AS VARCHAR)) AS text \
         FROM (SELECT unnest(range(1, 5001)) AS value)",
    );
    let ours = sql(work.path(), None, &env, "SELECT id, kind, score, text FROM silver.ours ORDER BY id");
    let read_by_python = python(
        "import sys, json, deltalake\n\
         rows = deltalake.DeltaTable(sys.argv[1]).to_pyarrow_table().sort_by('id').to_pylist()\n\
         print(json.dumps([{k: r[k] for k in ('id', 'kind', 'score', 'text')} for r in rows]))",
        &[lake.join("silver/ours").to_str().unwrap()],
    );
    assert_eq!(
        serde_json::from_str::<Vec<Value>>(&read_by_python).unwrap(),
        ours,
        "deltalake reads what reviewlake wrote"
    );

    python(
        "import sys, pyarrow as pa, deltalake\n\
         t = pa.table({'id': pa.array(range(1, 3001), pa.int64()), 'kind': ['x' if i % 2 else 'y' for i in range(1, 3001)],\n\
                       'text': [f'row {i}' for i in range(1, 3001)]})\n\
         deltalake.write_deltalake(sys.argv[1], t.slice(0, 2000), partition_by=['kind'])\n\
         deltalake.write_deltalake(sys.argv[1], t.slice(2000), mode='append', partition_by=['kind'])",
        &[lake.join("silver/theirs").to_str().unwrap()],
    );
    let theirs = sql(
        work.path(),
        None,
        &env,
        "SELECT count(*) AS n, sum(id) AS s, count(DISTINCT kind) AS k FROM silver.theirs",
    );
    assert_eq!((number(&theirs, "n"), number(&theirs, "s"), number(&theirs, "k")), (3000, 3000 * 3001 / 2, 2));
    let first = sql(work.path(), None, &env, "SELECT count(*) AS n FROM silver.\"theirs@v0\" WHERE kind = 'x'");
    assert_eq!(number(&first, "n"), 1000);
    let row = sql(work.path(), None, &env, "SELECT text FROM silver.theirs WHERE id = 2500");
    assert_eq!(row[0]["text"], "row 2500");
}
