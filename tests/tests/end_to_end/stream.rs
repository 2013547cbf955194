//! Streaming ingestion through the real `reviewlake` binary against a real Kafka-protocol broker
//! (tansu, from the kit): review samples replayed as events reach `bronze.review_events` exactly
//! once across re-runs, SIGKILLs and a broker restart, flow on to silver and gold, meet the
//! batch path's copies of the same reviews once, and bad input gives one clear error line; a
//! dashboard page left open in Chromium follows `stream run` without a reload.

use std::collections::{BTreeMap, HashSet};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant, UNIX_EPOCH};

use reviewlake_tests::{
    Broker, DashboardServer, reviewlake_command, reviewlake_with_env, run_browser_script, samples_dir, success,
    wait_until,
};
use serde_json::Value;

type Env = Vec<(String, String)>;

/// Lines that are not JSON objects (the producer sends them verbatim; the ingest quarantines
/// them). No single quotes, so that they can be compared in SQL literals as they are.
const MALFORMED: [&str; 3] = ["this is not json", "{\"overall\": 5.0, \"asin\"", "[1, 2, 3]"];

/// No command of these tests may take longer: a hang fails the test instead of the suite.
const LIMIT: Duration = Duration::from_secs(600);

/// The environment of a lakehouse at `WORK/NAME`.
fn lake(work: &Path, name: &str) -> Env {
    vec![("REVIEWLAKE__LAKEHOUSE__ROOT".to_string(), work.join(name).display().to_string())]
}

fn as_strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// The rows of `query`, or `None` when it fails (a table not written yet, say).
fn try_rows(work: &Path, env: &Env, query: &str) -> Option<Vec<Value>> {
    let output = reviewlake_with_env(work, &["sql", "--format", "json", query], env);
    if !output.status.success() {
        return None;
    }
    serde_json::from_slice(&output.stdout).ok()
}

fn rows(work: &Path, env: &Env, query: &str) -> Vec<Value> {
    let out = success(reviewlake_with_env(work, &["sql", "--format", "json", query], env));
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{query}: {e}: {out}"))
}

/// The value `n` of the single row of `query`.
fn count(work: &Path, env: &Env, query: &str) -> i64 {
    let rows = rows(work, env, query);
    rows[0]["n"].as_i64().unwrap_or_else(|| panic!("{query}: {rows:?}"))
}

/// The text lines of a `.json` or `.json.gz` file (decompressed by gzip, independently of
/// reviewlake).
fn text_lines(path: &Path) -> Vec<String> {
    let bytes = if path.extension().is_some_and(|e| e == "gz") {
        let output = Command::new("gzip").arg("-dc").arg(path).output().expect("gzip runs");
        assert!(output.status.success(), "gzip -dc {}", path.display());
        output.stdout
    } else {
        std::fs::read(path).unwrap()
    };
    String::from_utf8(bytes).unwrap().lines().map(str::to_string).collect()
}

fn write_lines(path: &Path, lines: &[String]) {
    let mut text = lines.join("\n");
    text.push('\n');
    std::fs::write(path, text).unwrap();
}

/// A `.json` file of the [`MALFORMED`] lines in `dir`.
fn malformed_file(dir: &Path) -> PathBuf {
    let path = dir.join("malformed.json");
    write_lines(&path, &MALFORMED.map(String::from));
    path
}

/// The number of distinct reviews in `files` by the content key silver deduplicates on:
/// reviewer, product, rating, summary and text (not the date), missing values as empty.
fn distinct_reviews<P: AsRef<Path>>(files: &[P]) -> i64 {
    let mut keys = HashSet::new();
    for file in files {
        for line in text_lines(file.as_ref()) {
            let review: Value = serde_json::from_str(&line).unwrap();
            let text = |field: &str| review[field].as_str().unwrap_or("").to_string();
            let rating = review["overall"].as_f64().map(|r| format!("{r:.1}")).unwrap_or_default();
            keys.insert((text("reviewerID"), text("asin"), rating, text("summary"), text("reviewText")));
        }
    }
    keys.len() as i64
}

/// What `reviewlake produce` reports: events per partition and in all.
#[derive(Clone, Debug, Default)]
struct Produced {
    partitions: BTreeMap<i64, i64>,
    total: i64,
}

impl Produced {
    fn add(&mut self, other: &Produced) {
        for (partition, events) in &other.partitions {
            *self.partitions.entry(*partition).or_default() += events;
        }
        self.total += other.total;
    }
}

fn leading_number(text: &str) -> i64 {
    text.split_whitespace().next().and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("no number in {text:?}"))
}

/// Parses `partition P: N events` lines and the `total: N events` line.
fn parse_produced(out: &str) -> Produced {
    let mut produced = Produced::default();
    let mut total = None;
    for line in out.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("partition ") {
            let (partition, events) = rest.split_once(':').unwrap_or_else(|| panic!("{out}"));
            produced.partitions.insert(partition.trim().parse().unwrap(), leading_number(events));
        } else if let Some(rest) = line.strip_prefix("total:") {
            total = Some(leading_number(rest));
        }
    }
    produced.total = total.unwrap_or_else(|| panic!("no total line in:\n{out}"));
    assert_eq!(
        produced.partitions.values().sum::<i64>(),
        produced.total,
        "partition lines add up to the total:\n{out}"
    );
    produced
}

/// `reviewlake produce --brokers BROKER --topic TOPIC --from FILES... EXTRA...`.
fn produce<P: AsRef<Path>>(work: &Path, env: &Env, broker: &str, topic: &str, files: &[P], extra: &[&str]) -> Produced {
    let mut args: Vec<String> = ["produce", "--brokers", broker, "--topic", topic, "--from"].map(String::from).to_vec();
    args.extend(files.iter().map(|f| f.as_ref().display().to_string()));
    args.extend(extra.iter().map(|a| a.to_string()));
    let (output, _) = run_within(reviewlake_command(work, &as_strs(&args), env), LIMIT);
    parse_produced(&success(output))
}

/// The arguments of `reviewlake ingest stream` on `broker` and `topic`, then `extra`.
fn stream_args(broker: &str, topic: &str, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = ["ingest", "stream", "--brokers", broker, "--topic", topic].map(String::from).to_vec();
    args.extend(extra.iter().map(|a| a.to_string()));
    args
}

/// The summary line `bronze.review_events: R rows from N events in B micro-batches, Q quarantined`.
#[derive(Debug)]
struct Ingested {
    /// Rows committed to `bronze.review_events` (quarantined events not included).
    rows: i64,
    batches: i64,
    quarantined: i64,
}

fn parse_ingested(out: &str) -> Ingested {
    let line = out
        .lines()
        .find(|line| line.trim_start().starts_with("bronze.review_events:"))
        .unwrap_or_else(|| panic!("no summary line in:\n{out}"));
    let words: Vec<&str> = line.split_whitespace().collect();
    let number = |index: usize| -> i64 {
        words
            .get(index)
            .and_then(|word| word.trim_end_matches(',').parse().ok())
            .unwrap_or_else(|| panic!("unexpected summary line: {line}"))
    };
    Ingested { rows: number(1), batches: number(7), quarantined: number(9) }
}

/// `reviewlake ingest stream --available-now`: drains the topic and exits.
fn ingest_now(work: &Path, env: &Env, broker: &str, topic: &str, extra: &[&str]) -> Ingested {
    let mut args = stream_args(broker, topic, extra);
    args.push("--available-now".into());
    let (output, _) = run_within(reviewlake_command(work, &as_strs(&args), env), LIMIT);
    parse_ingested(&success(output))
}

fn ingest_batch(work: &Path, env: &Env, source: &Path, kind: &str) {
    success(reviewlake_with_env(work, &["ingest", "batch", "--source", source.to_str().unwrap(), "--kind", kind], env));
}

fn pipeline(work: &Path, env: &Env, layer: &str) {
    success(reviewlake_with_env(work, &["pipeline", layer], env));
}

/// Per partition of `topic`: the rows in `bronze.review_events` and the quarantine together,
/// and their distinct offsets.
fn positions_query(topic: &str) -> String {
    format!(
        "WITH kept AS (SELECT \"partition\", \"offset\" FROM bronze.review_events WHERE topic = '{topic}' \
         UNION ALL SELECT \"partition\", \"offset\" FROM bronze.quarantine WHERE kind = 'review_events' AND topic = '{topic}') \
         SELECT \"partition\" AS p, count(*) AS n, count(DISTINCT \"offset\") AS d FROM kept GROUP BY 1"
    )
}

fn parse_positions(rows: &[Value]) -> BTreeMap<i64, (i64, i64)> {
    rows.iter()
        .map(|row| {
            let field = |name: &str| row[name].as_i64().unwrap_or_else(|| panic!("{row}"));
            (field("p"), (field("n"), field("d")))
        })
        .collect()
}

/// Every produced event of `topic` is in bronze or in the quarantine exactly once: per
/// partition, as many rows as events produced, each at its own offset.
fn assert_each_event_once(work: &Path, env: &Env, topic: &str, produced: &Produced) {
    let kept = parse_positions(&rows(work, env, &positions_query(topic)));
    let expected: BTreeMap<i64, (i64, i64)> =
        produced.partitions.iter().filter(|(_, n)| **n > 0).map(|(p, n)| (*p, (*n, *n))).collect();
    assert_eq!(kept, expected, "per partition (rows, distinct offsets) kept, against the events produced");
}

/// The one line a failed command printed on stderr, which starts `reviewlake: `.
fn one_error_line(output: &Output) -> String {
    assert!(!output.status.success(), "expected a failure, got success:\n{}", String::from_utf8_lossy(&output.stdout));
    let error = String::from_utf8_lossy(&output.stderr).trim().to_string();
    assert_eq!(error.lines().count(), 1, "expected one error line, got:\n{error}");
    assert!(error.starts_with("reviewlake: "), "{error}");
    error
}

fn read_all(file: &mut File) -> Vec<u8> {
    file.seek(SeekFrom::Start(0)).unwrap();
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).unwrap();
    bytes
}

/// Runs `command` to completion with its output captured, and how long it took; kills it and
/// panics if it runs longer than `limit`.
fn run_within(mut command: Command, limit: Duration) -> (Output, Duration) {
    let mut stdout = tempfile::tempfile().unwrap();
    let mut stderr = tempfile::tempfile().unwrap();
    let started = Instant::now();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(stdout.try_clone().unwrap())
        .stderr(stderr.try_clone().unwrap())
        .spawn()
        .expect("reviewlake starts");
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{command:?} ran longer than {limit:?}:\n{}", String::from_utf8_lossy(&read_all(&mut stderr)));
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let elapsed = started.elapsed();
    (Output { status, stdout: read_all(&mut stdout), stderr: read_all(&mut stderr) }, elapsed)
}

/// A continuous `reviewlake ingest stream` in the background; SIGKILLed on drop.
struct Running {
    child: Child,
    stdout: File,
    stderr: File,
}

impl Running {
    fn start(work: &Path, env: &Env, args: &[String]) -> Self {
        let stdout = tempfile::tempfile().unwrap();
        let stderr = tempfile::tempfile().unwrap();
        let child = reviewlake_command(work, &as_strs(args), env)
            .stdin(Stdio::null())
            .stdout(stdout.try_clone().unwrap())
            .stderr(stderr.try_clone().unwrap())
            .spawn()
            .expect("reviewlake starts");
        Self { child, stdout, stderr }
    }

    /// Panics when the process has exited: a continuous ingest runs until it is stopped.
    fn assert_running(&mut self) {
        if let Some(status) = self.child.try_wait().unwrap() {
            panic!(
                "the continuous ingest exited by itself ({status}):\n{}",
                String::from_utf8_lossy(&read_all(&mut self.stderr))
            );
        }
    }

    /// SIGKILL: the process dies wherever it is, with no clean-up.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, then waits up to `limit` for the process to finish its micro-batch and exit.
    fn terminate(&mut self, limit: Duration) -> Output {
        let signalled = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        assert!(signalled.success(), "kill -TERM {}", self.child.id());
        let deadline = Instant::now() + limit;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                self.kill();
                panic!("the ingest did not stop within {limit:?} of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        Output { status, stdout: read_all(&mut self.stdout), stderr: read_all(&mut self.stderr) }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The number of commits in a Delta table's log (`_delta_log/NNN….json`), 0 before it exists.
fn commits(table: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(table.join("_delta_log")) else { return 0 };
    entries
        .flatten()
        .filter(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".json").is_some_and(|stem| !stem.is_empty() && stem.bytes().all(|b| b.is_ascii_digit()))
        })
        .count()
}

/// A small seeded generator (SplitMix64): the same kill points on every run.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `low..=high`.
    fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next_u64() % (high - low + 1)
    }
}

#[test]
fn stream_events_reach_bronze_silver_and_gold_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path();
    let env = lake(work, "lake");
    let broker = Broker::start();
    broker.create_topic("reviews", 3);
    let sample = samples_dir().join("Gift_Cards_5.json.gz");
    let malformed = malformed_file(work);
    let reviews = text_lines(&sample).len() as i64;
    let bad = MALFORMED.len() as i64;

    let produced = produce(work, &env, &broker.address(), "reviews", &[&sample, &malformed], &[]);
    assert_eq!(produced.total, reviews + bad, "one event per line");
    assert_eq!(produced.partitions.len(), 3, "one line per partition: {produced:?}");

    let first = ingest_now(work, &env, &broker.address(), "reviews", &["--max-events-per-trigger", "1000"]);
    assert_eq!((first.rows, first.quarantined), (reviews, bad), "{first:?}");
    assert!(first.batches >= 3, "at most 1000 events per micro-batch: {first:?}");
    assert_eq!(count(work, &env, "SELECT count(*) AS n FROM bronze.review_events"), produced.total - bad);
    assert_eq!(count(work, &env, "SELECT count(*) AS n FROM bronze.quarantine WHERE kind = 'review_events'"), bad);
    assert_each_event_once(work, &env, "reviews", &produced);
    let incomplete = count(
        work,
        &env,
        "SELECT count(*) AS n FROM bronze.review_events WHERE asin IS NULL OR reviewer_id IS NULL OR body IS NULL \
         OR enqueued_time IS NULL OR _ingested_at IS NULL",
    );
    assert_eq!(incomplete, 0, "every sample event has its product, reviewer, body and times");

    let again = ingest_now(work, &env, &broker.address(), "reviews", &[]);
    assert_eq!((again.rows, again.quarantined), (0, 0), "a second drain finds nothing new: {again:?}");
    assert_each_event_once(work, &env, "reviews", &produced);

    pipeline(work, &env, "silver");
    let silver = count(work, &env, "SELECT count(*) AS n FROM silver.reviews WHERE source = 'stream'");
    assert_eq!(silver, distinct_reviews(&[&sample]), "every distinct sample review enters silver once");
    assert_eq!(count(work, &env, "SELECT count(*) AS n FROM silver.reviews"), silver, "silver holds only the stream");
    assert_eq!(
        count(work, &env, "SELECT count(*) AS n FROM silver.reviews WHERE source = 'stream' AND review_date IS NULL"),
        0,
        "stream rows have a review date"
    );
    assert_eq!(count(work, &env, "SELECT count(DISTINCT review_key) AS n FROM silver.reviews"), silver);

    pipeline(work, &env, "gold");
    assert_eq!(count(work, &env, "SELECT count(*) AS n FROM gold.reviews"), silver);
    assert_eq!(count(work, &env, "SELECT count(*) AS n FROM gold.reviews WHERE source = 'stream'"), silver);
    assert_eq!(count(work, &env, "SELECT reviews AS n FROM gold.q19_kpis"), silver, "the KPIs count the stream rows");
}

#[test]
fn killed_stream_ingest_neither_loses_nor_repeats_an_event() {
    const TOPIC: &str = "killed";
    const CYCLES: i64 = 3;
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().to_path_buf();
    let env = lake(&work, "lake");
    let bronze_table = work.join("lake").join("bronze").join("review_events");
    let broker = Broker::start();
    broker.create_topic(TOPIC, 3);
    let samples: Vec<PathBuf> =
        ["AMAZON_FASHION_5.json.gz", "Gift_Cards_5.json.gz", "Magazine_Subscriptions_5.json.gz"]
            .iter()
            .map(|name| samples_dir().join(name))
            .collect();
    let reviews_per_cycle: i64 = samples.iter().map(|s| text_lines(s).len() as i64).sum();
    let bad = MALFORMED.len() as i64;
    assert!(CYCLES * (reviews_per_cycle + bad) >= 20_000, "at least 20,000 events");
    let mut files = samples.clone();
    files.push(malformed_file(&work));

    // The same files several times: equal contents, each event at its own offset. Throttled so
    // that the events arrive while the ingest below is being killed.
    let producer = {
        let (work, env, address, files) = (work.clone(), env.clone(), broker.address(), files.clone());
        std::thread::spawn(move || {
            let mut all = Produced::default();
            for _ in 0..CYCLES {
                all.add(&produce(&work, &env, &address, TOPIC, &files, &["--rate", "2500"]));
            }
            all
        })
    };

    let continuous = stream_args(&broker.address(), TOPIC, &["--trigger", "200ms"]);
    let mut rng = SplitMix64(0x5EED_2018);
    let mut kills = 0;
    while kills < 12 || !producer.is_finished() {
        assert!(kills < 500, "the producer never finished");
        let mut running = Running::start(&work, &env, &continuous);
        if kills % 4 == 3 {
            // Every fourth run first commits a micro-batch, so that its kill lands in the middle
            // of a stream that is moving, not only during start-up.
            let before = commits(&bronze_table);
            let deadline = Instant::now() + Duration::from_secs(120);
            while commits(&bronze_table) <= before && !producer.is_finished() {
                running.assert_running();
                assert!(Instant::now() < deadline, "no micro-batch committed within 120 s");
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        std::thread::sleep(Duration::from_millis(rng.between(100, 1500)));
        running.assert_running();
        running.kill();
        kills += 1;
    }
    let produced = producer.join().expect("the producer succeeded");
    assert_eq!(produced.total, CYCLES * (reviews_per_cycle + bad));
    assert!(commits(&bronze_table) > 0, "the killed runs committed micro-batches");

    let drained = ingest_now(&work, &env, &broker.address(), TOPIC, &[]);
    assert!(drained.rows + drained.quarantined <= produced.total, "{drained:?}");
    assert_each_event_once(&work, &env, TOPIC, &produced);
    assert_eq!(count(&work, &env, "SELECT count(*) AS n FROM bronze.review_events"), CYCLES * reviews_per_cycle);
    assert_eq!(
        count(&work, &env, "SELECT count(*) AS n FROM bronze.quarantine WHERE kind = 'review_events'"),
        CYCLES * bad
    );
    let all = count(
        &work,
        &env,
        "SELECT count(*) AS n FROM (SELECT \"partition\", \"offset\" FROM bronze.review_events \
         UNION ALL SELECT \"partition\", \"offset\" FROM bronze.quarantine WHERE kind = 'review_events')",
    );
    let distinct = count(
        &work,
        &env,
        "SELECT count(*) AS n FROM (SELECT DISTINCT \"partition\", \"offset\" FROM (SELECT \"partition\", \"offset\" \
         FROM bronze.review_events UNION ALL SELECT \"partition\", \"offset\" FROM bronze.quarantine \
         WHERE kind = 'review_events'))",
    );
    assert_eq!((all, distinct), (produced.total, produced.total), "after {kills} kills: rows, distinct positions");

    pipeline(&work, &env, "silver");
    let silver = count(&work, &env, "SELECT count(*) AS n FROM silver.reviews WHERE source = 'stream'");
    assert_eq!(
        silver,
        count(&work, &env, "SELECT count(DISTINCT review_key) AS n FROM silver.reviews WHERE source = 'stream'")
    );
    assert_eq!(silver, distinct_reviews(&samples), "the replayed copies collapse to the distinct reviews");
}

#[test]
fn broker_restart_mid_stream_loses_nothing() {
    const TOPIC: &str = "restarted";
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path();
    let env = lake(work, "lake");
    let mut broker = Broker::start();
    broker.create_topic(TOPIC, 3);
    let before_restart = samples_dir().join("Gift_Cards_5.json.gz");
    let after_restart = samples_dir().join("AMAZON_FASHION_5.json.gz");
    let malformed = malformed_file(work);
    let mut running = Running::start(work, &env, &stream_args(&broker.address(), TOPIC, &["--trigger", "200ms"]));

    // Waits until the running ingest has kept `expected` events of the topic (bronze and
    // quarantine together), never more.
    let wait_for = |running: &mut Running, expected: i64| {
        let deadline = Instant::now() + Duration::from_secs(180);
        loop {
            running.assert_running();
            let kept = try_rows(work, &env, &positions_query(TOPIC))
                .map(|rows| parse_positions(&rows).values().map(|(n, _)| n).sum::<i64>());
            match kept {
                Some(kept) if kept == expected => break,
                Some(kept) => assert!(kept < expected, "{kept} events kept, only {expected} produced"),
                None => {}
            }
            assert!(Instant::now() < deadline, "the running ingest did not reach {expected} events within 180 s");
            std::thread::sleep(Duration::from_millis(500));
        }
    };

    let mut produced = produce(work, &env, &broker.address(), TOPIC, &[&before_restart, &malformed], &[]);
    wait_for(&mut running, produced.total);

    broker.restart();
    running.assert_running();
    produced.add(&produce(work, &env, &broker.address(), TOPIC, &[&after_restart], &[]));
    // The same process goes on after the broker came back.
    wait_for(&mut running, produced.total);

    let stopped = running.terminate(Duration::from_secs(60));
    let summary = parse_ingested(&success(stopped));
    assert_eq!(summary.rows + summary.quarantined, produced.total, "{summary:?}");

    let drained = ingest_now(work, &env, &broker.address(), TOPIC, &[]);
    assert_eq!((drained.rows, drained.quarantined), (0, 0), "nothing was left behind: {drained:?}");
    assert_each_event_once(work, &env, TOPIC, &produced);
    let reviews = (text_lines(&before_restart).len() + text_lines(&after_restart).len()) as i64;
    assert_eq!(count(work, &env, "SELECT count(*) AS n FROM bronze.review_events"), reviews);
}

#[test]
fn same_reviews_from_batch_and_stream_land_once_in_silver() {
    const TOPIC: &str = "same";
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path();
    let sample = samples_dir().join("Magazine_Subscriptions_5.json.gz");
    let batch = work.join("batch");
    std::fs::create_dir_all(&batch).unwrap();
    std::fs::copy(&sample, batch.join("Magazine_Subscriptions_5.json.gz")).unwrap();
    let lines = text_lines(&sample).len() as i64;
    let distinct = distinct_reviews(&[&sample]);
    assert!(distinct < lines, "the sample repeats some reviews, which silver drops");

    let broker = Broker::start();
    broker.create_topic(TOPIC, 3);
    let produced = produce(work, &Env::new(), &broker.address(), TOPIC, &[&sample], &[]);
    assert_eq!(produced.total, lines);
    let silver = |env: &Env, source: &str| {
        count(work, env, &format!("SELECT count(*) AS n FROM silver.reviews WHERE source = '{source}'"))
    };
    let all = |env: &Env| count(work, env, "SELECT count(*) AS n FROM silver.reviews");

    // Batch first, then the same reviews as events.
    let env = lake(work, "batch-first");
    ingest_batch(work, &env, &batch, "reviews");
    pipeline(work, &env, "silver");
    let batch_only = all(&env);
    assert_eq!(batch_only, distinct);
    let streamed = ingest_now(work, &env, &broker.address(), TOPIC, &[]);
    assert_eq!(streamed.rows, lines, "{streamed:?}");
    pipeline(work, &env, "silver");
    assert_eq!(all(&env), batch_only, "the events meet their batch copies");
    assert_eq!(silver(&env, "stream"), 0);

    // Events first, then the same file.
    let env = lake(work, "stream-first");
    let streamed = ingest_now(work, &env, &broker.address(), TOPIC, &[]);
    assert_eq!(streamed.rows, lines, "{streamed:?}");
    pipeline(work, &env, "silver");
    assert_eq!(all(&env), batch_only);
    assert_eq!(silver(&env, "stream"), batch_only);
    ingest_batch(work, &env, &batch, "reviews");
    pipeline(work, &env, "silver");
    assert_eq!(all(&env), batch_only, "the file meets its streamed copies");
    assert_eq!(silver(&env, "batch"), 0);
}

#[test]
fn stream_only_lakehouse_gets_gold_and_later_metadata_enriches_it() {
    const TOPIC: &str = "stream-only";
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path();
    let env = lake(work, "lake");
    let broker = Broker::start();
    let sample = samples_dir().join("Gift_Cards_5.json.gz");
    // The topic does not exist yet: `--create` makes it, with two partitions.
    let produced = produce(work, &env, &broker.address(), TOPIC, &[&sample], &["--create", "--partitions", "2"]);
    assert_eq!(produced.total, text_lines(&sample).len() as i64);
    assert_eq!(produced.partitions.len(), 2, "{produced:?}");
    let ingested = ingest_now(work, &env, &broker.address(), TOPIC, &[]);
    assert_eq!(ingested.rows, produced.total, "{ingested:?}");

    pipeline(work, &env, "silver");
    pipeline(work, &env, "gold");
    let silver = count(work, &env, "SELECT count(*) AS n FROM silver.reviews");
    assert_eq!(silver, distinct_reviews(&[&sample]));
    assert_eq!(count(work, &env, "SELECT count(*) AS n FROM gold.reviews"), silver);
    assert_eq!(count(work, &env, "SELECT reviews AS n FROM gold.q19_kpis"), silver);
    let fallback = rows(work, &env, "SELECT DISTINCT category AS c, brand AS b, title AS t FROM gold.reviews");
    assert_eq!(fallback.len(), 1, "without metadata every review has the same fallback: {fallback:?}");
    let value = |name: &str| {
        fallback[0][name]
            .as_str()
            .unwrap_or_else(|| panic!("{name} is null without metadata: {fallback:?}"))
            .to_string()
    };
    let (category, title, _brand) = (value("c"), value("t"), value("b"));

    let meta = work.join("meta");
    std::fs::create_dir_all(&meta).unwrap();
    std::fs::copy(samples_dir().join("meta_Gift_Cards.json.gz"), meta.join("meta_Gift_Cards.json.gz")).unwrap();
    ingest_batch(work, &env, &meta, "metadata");
    pipeline(work, &env, "silver");
    pipeline(work, &env, "gold");
    assert_eq!(count(work, &env, "SELECT count(*) AS n FROM silver.reviews"), silver, "metadata adds no reviews");
    assert_eq!(count(work, &env, "SELECT count(*) AS n FROM gold.reviews"), silver);
    let enriched = count(
        work,
        &env,
        &format!(
            "SELECT count(*) AS n FROM gold.reviews WHERE category <> '{}' AND title <> '{}'",
            category.replace('\'', "''"),
            title.replace('\'', "''")
        ),
    );
    assert!(enriched > 0, "the metadata gives stream reviews a real category and title");
    assert_eq!(
        count(
            work,
            &env,
            "SELECT count(*) AS n FROM gold.reviews WHERE category IS NULL OR brand IS NULL OR title IS NULL"
        ),
        0
    );
}

#[test]
fn stream_bad_input_gives_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path();
    let within = Duration::from_secs(60);

    // A closed port.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let address = format!("127.0.0.1:{closed}");
    let args = stream_args(&address, "reviews", &["--available-now"]);
    let (output, took) = run_within(reviewlake_command(work, &as_strs(&args), &lake(work, "unreachable")), LIMIT);
    let error = one_error_line(&output);
    assert!(error.contains(&address), "{error}");
    assert!(took < within, "an unreachable broker is reported within 60 s, not {took:?}");

    // A topic the broker does not have.
    let broker = Broker::start();
    let args = stream_args(&broker.address(), "no-such-topic", &["--available-now"]);
    let (output, took) = run_within(reviewlake_command(work, &as_strs(&args), &lake(work, "unknown")), LIMIT);
    let error = one_error_line(&output);
    assert!(error.contains("no-such-topic"), "{error}");
    assert!(took < within, "an unknown topic is reported within 60 s, not {took:?}");

    // Short valid reviews (their events stay under 2,000 bytes), malformed lines and one valid
    // review whose event is larger than --max-event-bytes.
    let mut valid: Vec<String> = text_lines(&samples_dir().join("AMAZON_FASHION_5.json.gz"))
        .into_iter()
        .filter(|line| line.len() < 500)
        .take(40)
        .collect();
    assert_eq!(valid.len(), 40);
    let valid_file = work.join("valid.json");
    write_lines(&valid_file, &valid);
    let mut oversized: Value = serde_json::from_str(&valid[0]).unwrap();
    oversized["reviewText"] = Value::String("This review goes on and on. ".repeat(120));
    let oversized = oversized.to_string();
    assert!(oversized.len() > 3000);
    let mut lines: Vec<String> = MALFORMED.map(String::from).to_vec();
    lines.append(&mut valid);
    lines.push(oversized);
    let messy = work.join("messy.json");
    write_lines(&messy, &lines);
    broker.create_topic("messy", 3);
    let env = lake(work, "messy");
    let produced = produce(work, &env, &broker.address(), "messy", &[&messy], &[]);
    assert_eq!(produced.total, lines.len() as i64);
    let ingested = ingest_now(work, &env, &broker.address(), "messy", &["--max-event-bytes", "2000"]);
    let bad = MALFORMED.len() as i64 + 1;
    assert_eq!((ingested.rows, ingested.quarantined), (40, bad), "{ingested:?}");
    assert_eq!(count(work, &env, "SELECT count(*) AS n FROM bronze.review_events"), 40);
    assert_eq!(count(work, &env, "SELECT count(*) AS n FROM bronze.quarantine WHERE kind = 'review_events'"), bad);
    assert_each_event_once(work, &env, "messy", &produced);
    assert_eq!(
        count(
            work,
            &env,
            "SELECT count(*) AS n FROM bronze.quarantine WHERE kind = 'review_events' AND (error IS NULL OR error = '')"
        ),
        0,
        "every quarantined event says why"
    );
    let verbatim = MALFORMED.iter().map(|line| format!("'{line}'")).collect::<Vec<_>>().join(", ");
    assert_eq!(
        count(
            work,
            &env,
            &format!(
                "SELECT count(*) AS n FROM bronze.quarantine WHERE kind = 'review_events' AND raw_text IN ({verbatim})"
            )
        ),
        MALFORMED.len() as i64,
        "the malformed lines are kept as they were sent"
    );
    let too_large = rows(
        work,
        &env,
        &format!(
            "SELECT error AS e FROM bronze.quarantine WHERE kind = 'review_events' \
             AND (raw_text IS NULL OR raw_text NOT IN ({verbatim}))"
        ),
    );
    assert_eq!(too_large.len(), 1, "{too_large:?}");
    let reason = too_large[0]["e"].as_str().unwrap_or_default().to_lowercase();
    assert!(
        ["2000", "byte", "size", "large", "long"].iter().any(|word| reason.contains(word)),
        "the error names the size limit: {reason}"
    );

    // SASL SCRAM-SHA-256, with the password in an environment variable.
    let secure = Broker::start_with_scram("reviewlake", "correct horse battery");
    secure.create_topic("secure", 3);
    let scram = [
        "--security",
        "sasl_plaintext",
        "--sasl-mechanism",
        "SCRAM-SHA-256",
        "--username",
        "reviewlake",
        "--password-env",
        "REVIEWLAKE_TEST_KAFKA_PASSWORD",
    ];
    let mut right = lake(work, "secure");
    right.push(("REVIEWLAKE_TEST_KAFKA_PASSWORD".into(), "correct horse battery".into()));
    let mut wrong = lake(work, "secure");
    wrong.push(("REVIEWLAKE_TEST_KAFKA_PASSWORD".into(), "wrong horse".into()));
    let produced = produce(work, &right, &secure.address(), "secure", &[&valid_file], &scram);
    assert_eq!(produced.total, 40);

    let mut args = stream_args(&secure.address(), "secure", &scram);
    args.push("--available-now".into());
    let (output, took) = run_within(reviewlake_command(work, &as_strs(&args), &wrong), LIMIT);
    let error = one_error_line(&output);
    assert!(error.to_lowercase().contains("authentication"), "{error}");
    assert!(took < within, "bad credentials are reported within 60 s, not {took:?}");

    let ingested = ingest_now(work, &right, &secure.address(), "secure", &scram);
    assert_eq!((ingested.rows, ingested.quarantined), (40, 0), "{ingested:?}");
    // Nothing was quarantined here, so there is no quarantine table to look into.
    let kept = rows(
        work,
        &right,
        "SELECT count(*) AS n, count(DISTINCT concat(\"partition\", ':', \"offset\")) AS d FROM bronze.review_events WHERE topic = 'secure'",
    );
    assert_eq!((kept[0]["n"].as_i64(), kept[0]["d"].as_i64()), (Some(produced.total), Some(produced.total)));
}

/// The sample files the continuous tests send, one after the other.
const STREAMED_SAMPLES: [&str; 2] = ["Gift_Cards_5.json.gz", "Magazine_Subscriptions_5.json.gz"];

/// A broker holding `topic` (3 partitions) and a `reviewlake stream run` on it, triggering every 500 ms.
fn stream_run_on_new_topic(work: &Path, env: &Env, topic: &str) -> (Broker, Running) {
    let broker = Broker::start();
    broker.create_topic(topic, 3);
    let mut args = stream_args(&broker.address(), topic, &["--trigger", "500ms"]);
    args[0] = "stream".into();
    args[1] = "run".into();
    let running = Running::start(work, env, &args);
    (broker, running)
}

#[test]
fn stream_run_keeps_silver_and_gold_current_as_events_arrive() {
    const TOPIC: &str = "continuous";
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path();
    let env = lake(work, "lake");
    let (broker, mut running) = stream_run_on_new_topic(work, &env, TOPIC);
    let [first, second] = STREAMED_SAMPLES.map(|file| samples_dir().join(file));

    // Gold follows each micro-batch: its KPI tile reaches the distinct reviews sent so far.
    let wait_for_gold = |running: &mut Running, expected: i64| {
        let deadline = Instant::now() + Duration::from_secs(180);
        loop {
            running.assert_running();
            let reviews = try_rows(work, &env, "SELECT reviews AS n FROM gold.q19_kpis")
                .and_then(|rows| rows.first().and_then(|row| row["n"].as_i64()));
            if reviews == Some(expected) {
                break;
            }
            assert!(Instant::now() < deadline, "gold.q19_kpis shows {reviews:?} reviews, not {expected}, after 180 s");
            std::thread::sleep(Duration::from_millis(500));
        }
    };
    produce(work, &env, &broker.address(), TOPIC, &[&first], &[]);
    wait_for_gold(&mut running, distinct_reviews(&[&first]));
    produce(work, &env, &broker.address(), TOPIC, &[&second], &[]);
    wait_for_gold(&mut running, distinct_reviews(&[&first, &second]));

    let stopped = running.terminate(Duration::from_secs(60));
    let summary = parse_ingested(&success(stopped));
    assert_eq!(summary.rows, (text_lines(&first).len() + text_lines(&second).len()) as i64, "{summary:?}");
    assert_eq!(
        count(work, &env, "SELECT count(*) AS n FROM gold.reviews WHERE source = 'stream'"),
        distinct_reviews(&[&first, &second])
    );
}

/// The modification time of each commit of a Delta table, ms since the epoch.
fn commit_times_ms(table: &Path) -> Vec<u128> {
    let Ok(entries) = std::fs::read_dir(table.join("_delta_log")) else { return Vec::new() };
    entries
        .flatten()
        .filter(|entry| entry.file_name().to_string_lossy().ends_with(".json"))
        .map(|entry| entry.metadata().unwrap().modified().unwrap().duration_since(UNIX_EPOCH).unwrap().as_millis())
        .collect()
}

#[test]
fn an_open_dashboard_follows_stream_run_without_a_reload() {
    const TOPIC: &str = "dashboard";
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path();
    let env = lake(work, "lake");
    let (broker, mut running) = stream_run_on_new_topic(work, &env, TOPIC);
    let [first, second] = STREAMED_SAMPLES.map(|file| samples_dir().join(file));
    produce(work, &env, &broker.address(), TOPIC, &[&first], &[]);
    let reviews = || {
        try_rows(work, &env, "SELECT reviews AS n FROM gold.q19_kpis")
            .and_then(|rows| rows.first().and_then(|row| row["n"].as_i64()))
    };
    let first_reviews = distinct_reviews(&[&first]);
    wait_until("gold from the first events", Duration::from_secs(180), || {
        running.assert_running();
        reviews() == Some(first_reviews)
    });

    let server = DashboardServer::start(work, &[], &env);
    let out = work.join("live");
    let ready = out.join("live-ready");
    let (live, ready_ms) = std::thread::scope(|scope| {
        let watcher = scope
            .spawn(|| run_browser_script(&server.url, &out, &[("LIVE_CHECK", "1"), ("LIVE_TIMEOUT_MS", "120000")]));
        wait_until("the live page", Duration::from_secs(60), || ready.exists());
        let ready_ms = std::fs::metadata(&ready).unwrap().modified().unwrap().duration_since(UNIX_EPOCH).unwrap();
        produce(work, &env, &broker.address(), TOPIC, &[&second], &[]);
        watcher.join().unwrap();
        let live: Value = serde_json::from_slice(&std::fs::read(out.join("live.json")).unwrap()).unwrap();
        (live, ready_ms.as_millis())
    });
    running.assert_running();
    assert_eq!(live["reloaded"], false, "{live}");
    // A tile's value is a number or its text.
    let tile = |value: &Value| value.as_f64().or_else(|| value.as_str().and_then(|text| text.parse().ok()));
    assert_eq!(tile(&live["before"]["reviews"]), Some(first_reviews as f64), "{live}");
    let shown = tile(&live["after"]["reviews"]).unwrap_or_else(|| panic!("no reviews tile after: {live}"));
    assert!(shown > first_reviews as f64, "{live}");
    // The page may show a micro-batch's figures before the last one lands; whichever it shows,
    // gold held them: the tile only takes values gold.q19_kpis had.
    assert!(shown <= distinct_reviews(&[&first, &second]) as f64, "{live}");
    // Measured from the first gold.q19_kpis commit after the page was ready, the earliest the
    // new figures could exist.
    let committed = commit_times_ms(&work.join("lake").join("gold").join("q19_kpis"))
        .into_iter()
        .filter(|&at| at >= ready_ms)
        .min()
        .expect("gold.q19_kpis was committed after the page was ready");
    let shown_at = live["changed_at_ms"].as_u64().unwrap() as u128;
    let lag = shown_at.saturating_sub(committed);
    assert!(lag <= 10_000, "the stream's figures showed {lag} ms after gold.q19_kpis was committed");
    eprintln!("stream update shown on the open page {lag} ms after the gold commit");
    running.terminate(Duration::from_secs(60));
}
