//! reviewlake's Flight SQL service on a multi-process cluster, with the Rust client of
//! arrow-flight: logins and roles, the shared catalog, lakehouse tables, bound parameters,
//! DDL and DML, and every way a stranger or a reader is refused.

use std::path::Path;

use arrow_flight::flight_service_client::FlightServiceClient;
use arrow_flight::sql::client::FlightSqlServiceClient;
use arrow_flight::sql::{CommandStatementQuery, ProstMessageExt, TicketStatementQuery};
use arrow_flight::{Action, Criteria, FlightDescriptor, HandshakeRequest, Ticket};
use datafusion::arrow::array::{Array, Int64Array, RecordBatch, UInt64Array};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use futures::TryStreamExt;
use prost::Message;
use reviewlake_cluster::config::FlightSqlRole;
use reviewlake_cluster::flight_sql::{Caller, Signer};
use reviewlake_tests::{
    LocalCluster, READER, WRITER, blocking_get, flight_env, reviewlake_with_env, success, write_review_files,
};
use tonic::Code;
use tonic::transport::Channel;

type Client = FlightSqlServiceClient<Channel>;

struct Service {
    cluster: LocalCluster,
    env: Vec<(String, String)>,
    secret: String,
}

impl Service {
    fn start(work: &Path) -> Service {
        let (secret, mut env) = flight_env(work, &[&work.join("data")]);
        env.push(("REVIEWLAKE__LAKEHOUSE__ROOT".into(), work.join("lake").display().to_string()));
        env.push(("RUST_LOG".into(), "warn".into()));
        let cluster = LocalCluster::up_with_env(work, &[1, 1], &env);
        Service { cluster, env, secret }
    }

    fn url(&self) -> String {
        self.cluster.record.flight_sql_url().expect("the cluster serves Flight SQL")
    }

    async fn channel(&self) -> Channel {
        let address = self.url().replace("grpc://", "http://");
        Channel::from_shared(address).unwrap().connect().await.expect("Flight SQL port accepts connections")
    }

    async fn login(&self, (user, password): (&str, &str)) -> Client {
        let mut client = FlightSqlServiceClient::new(self.channel().await);
        client.handshake(user, password).await.unwrap_or_else(|e| panic!("login as {user}: {e}"));
        client
    }
}

async fn query(client: &mut Client, sql: &str) -> Vec<RecordBatch> {
    let info = client.execute(sql.to_string(), None).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    let mut batches = Vec::new();
    for endpoint in info.endpoint {
        let stream = client.do_get(endpoint.ticket.expect("endpoint has a ticket")).await.expect("do_get");
        batches.extend(stream.try_collect::<Vec<_>>().await.expect("result stream"));
    }
    batches
}

fn int(batches: &[RecordBatch], column: usize) -> i64 {
    let array = batches[0].column(column);
    match array.as_any().downcast_ref::<Int64Array>() {
        Some(values) => values.value(0),
        None => array.as_any().downcast_ref::<UInt64Array>().expect("an integer column").value(0) as i64,
    }
}

#[test]
fn clients_log_in_share_the_catalog_bind_parameters_and_write_by_role() {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data").join("reviews");
    write_review_files(&data, 4, 10_000);
    let service = Service::start(work.path());
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let mut writer = service.login(WRITER).await;
        let mut reader = service.login(READER).await;

        // DDL by the writer under a data root is visible to the reader's session.
        writer
            .execute_update(
                format!("CREATE EXTERNAL TABLE shared_reviews STORED AS PARQUET LOCATION '{}/'", data.display()),
                None,
            )
            .await
            .expect("DDL through Flight SQL");
        let batches = query(
            &mut reader,
            "SELECT count(*) AS n, count(DISTINCT normalize_text(body)) AS cleaned FROM shared_reviews",
        )
        .await;
        assert_eq!(int(&batches, 0), 40_000);
        // The suffix `value % 1000` also fixes the template (`value % 4`): 1000 distinct texts.
        assert_eq!(int(&batches, 1), 1_000);

        // Lakehouse tables written by another client are visible by name, and a later commit
        // shows up in the next query.
        let cli = |sql: &str| {
            let scheduler = service.cluster.scheduler();
            success(reviewlake_with_env(work.path(), &["--scheduler", &scheduler, "sql", sql], &service.env))
        };
        cli("CREATE TABLE gold.shared AS SELECT value AS id FROM (SELECT unnest(range(0, 500)) AS value)");
        assert_eq!(int(&query(&mut reader, "SELECT count(*) FROM gold.shared").await, 0), 500);

        // CREATE TABLE ... AS and INSERT by the writer run as distributed Delta writes and
        // report their rows; the next query and the CLI see them.
        let created = writer
            .execute_update("CREATE TABLE silver.copied AS SELECT id FROM gold.shared WHERE id < 100".into(), None)
            .await
            .expect("CTAS through Flight SQL");
        assert_eq!(created, 100);
        let inserted = writer
            .execute_update(
                "INSERT INTO gold.shared SELECT value FROM (SELECT unnest(range(0, 250)) AS value)".into(),
                None,
            )
            .await
            .expect("INSERT through Flight SQL");
        assert_eq!(inserted, 250);
        assert_eq!(int(&query(&mut reader, "SELECT count(*) FROM gold.shared").await, 0), 750);
        assert!(cli("SELECT count(*) AS n FROM silver.copied").contains("100"));

        // `reviewlake sql --flight` goes through the same door, password from the environment.
        let through_flight = |user: (&str, &str), sql: &str| {
            let mut env = service.env.clone();
            env.push(("REVIEWLAKE_FLIGHT_PASSWORD".into(), user.1.into()));
            let url = service.url();
            reviewlake_with_env(work.path(), &["sql", "--flight", &url, "--user", user.0, "--format", "csv", sql], &env)
        };
        let output = success(through_flight(READER, "SELECT count(*) AS n FROM gold.shared WHERE id >= 400"));
        assert_eq!(output.trim(), "n\n100");
        let refused = through_flight(READER, "DROP TABLE shared_reviews");
        assert!(!refused.status.success());
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert!(stderr.contains("statement 1 of 1 failed") && stderr.contains("reader role"), "{stderr}");
        let refused = through_flight((WRITER.0, "nope"), "SELECT 1");
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert!(stderr.contains("login as `wes` refused: wrong user name or password"), "{stderr}");

        // A prepared statement with a bound parameter; its parameter schema is advertised.
        let mut prepared =
            reader.prepare("SELECT count(*) AS n FROM gold.shared WHERE id < $1".into(), None).await.expect("prepare");
        assert_eq!(prepared.parameter_schema().unwrap().fields().len(), 1);
        let schema = std::sync::Arc::new(Schema::new(vec![Field::new("$1", DataType::Int64, true)]));
        let parameters =
            RecordBatch::try_new(schema.clone(), vec![std::sync::Arc::new(Int64Array::from(vec![100]))]).unwrap();
        prepared.set_parameters(parameters).unwrap();
        let info = prepared.execute().await.expect("prepared query runs");
        let ticket = info.endpoint[0].ticket.clone().unwrap();
        let batches: Vec<RecordBatch> = reader.do_get(ticket).await.unwrap().try_collect().await.unwrap();
        // 0..100 from the first write and 0..100 from the INSERT.
        assert_eq!(int(&batches, 0), 200);

        // A parameter of the wrong type is refused with the parameter named.
        let mut prepared = reader.prepare("SELECT count(*) FROM gold.shared WHERE id < $1".into(), None).await.unwrap();
        let text = std::sync::Arc::new(Schema::new(vec![Field::new("$1", DataType::Utf8, true)]));
        let wrong = RecordBatch::try_new(
            text,
            vec![std::sync::Arc::new(datafusion::arrow::array::StringArray::from(vec!["many"]))],
        )
        .unwrap();
        prepared.set_parameters(wrong).unwrap();
        let error = prepared.execute().await.unwrap_err().to_string();
        assert!(error.contains("parameter $1 must be Int64"), "{error}");

        // Metadata lists the lakehouse schemas and tables with their types.
        let tables = writer
            .get_tables(arrow_flight::sql::CommandGetTables {
                db_schema_filter_pattern: Some("gold".into()),
                include_schema: true,
                ..Default::default()
            })
            .await
            .expect("GetTables");
        let ticket = tables.endpoint[0].ticket.clone().unwrap();
        let listed: Vec<RecordBatch> = writer.do_get(ticket).await.unwrap().try_collect().await.unwrap();
        let names = datafusion::arrow::util::pretty::pretty_format_batches(&listed).unwrap().to_string();
        assert!(names.contains("shared") && names.contains("TABLE"), "{names}");
        assert!(!names.contains("copied"), "the schema filter applies: {names}");

        // The reader may not change anything.
        for sql in [
            "INSERT INTO gold.shared VALUES (1)",
            "CREATE TABLE gold.mine AS SELECT 1 AS x",
            "DROP TABLE shared_reviews",
        ] {
            let error = reader.execute_update(sql.into(), None).await.unwrap_err().to_string();
            assert!(error.contains("reader role"), "{sql}: {error}");
        }
        assert!(cli("SELECT count(*) AS n FROM gold.shared").contains("750"));

        // Cancel: the Ballista job of a running query is cancelled and its slots are freed.
        let long = "SELECT count(*) FROM shared_reviews a CROSS JOIN shared_reviews b WHERE a.body <> b.body";
        let info = writer.execute(long.into(), None).await.expect("long query planned");
        let ticket = info.endpoint[0].ticket.clone().unwrap();
        let mut streaming = service.login(WRITER).await;
        let running = tokio::spawn(async move {
            let stream = streaming.do_get(ticket).await.map_err(|e| e.to_string())?;
            stream.try_collect::<Vec<_>>().await.map_err(|e| e.to_string())
        });
        let api = service.cluster.record.api_url();
        let get = |path: &str| {
            let url = format!("{api}{path}");
            async move { reqwest::get(&url).await.unwrap().json::<serde_json::Value>().await.unwrap() }
        };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while !get("/v1/jobs").await.as_array().unwrap().iter().any(|job| job["status"] == "running") {
            assert!(std::time::Instant::now() < deadline, "the long query never ran");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let token = Signer::new(&service.secret).issue(&Caller {
            user: WRITER.0.into(),
            role: FlightSqlRole::Writer,
            expires_at_ms: u64::MAX,
        });
        let mut flight = arrow_flight::FlightClient::new(service.channel().await);
        flight.add_header("authorization", &format!("Bearer {token}")).unwrap();
        let cancelled = flight.cancel_flight_info(arrow_flight::CancelFlightInfoRequest::new(info)).await.unwrap();
        assert_eq!(cancelled.status, arrow_flight::CancelStatus::Cancelled as i32);
        assert!(running.await.unwrap().is_err(), "a cancelled query does not complete");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let executors = get("/v1/executors").await;
            let busy: u64 = executors.as_array().unwrap().iter().map(|e| e["running_tasks"].as_u64().unwrap()).sum();
            if busy == 0 {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "slots still taken after cancel: {executors}");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    });
}

#[test]
fn strangers_forged_tokens_and_paths_outside_the_roots_are_refused() {
    let work = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(work.path().join("data")).unwrap();
    let service = Service::start(work.path());
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        // Every RPC without a token is refused before it does anything.
        let mut raw = FlightServiceClient::new(service.channel().await);
        let command = CommandStatementQuery { query: "SELECT 1".into(), transaction_id: None };
        let descriptor = FlightDescriptor::new_cmd(command.as_any().encode_to_vec());
        let ticket =
            Ticket::new(TicketStatementQuery { statement_handle: b"x".to_vec().into() }.as_any().encode_to_vec());
        let codes = vec![
            ("Handshake", raw.handshake(futures::stream::iter(vec![HandshakeRequest::default()])).await.err()),
            ("GetFlightInfo", raw.get_flight_info(descriptor.clone()).await.err()),
            ("PollFlightInfo", raw.poll_flight_info(descriptor.clone()).await.err()),
            ("GetSchema", raw.get_schema(descriptor.clone()).await.err()),
            ("DoGet", raw.do_get(ticket.clone()).await.err()),
            ("DoPut", raw.do_put(futures::stream::empty()).await.err()),
            ("DoExchange", raw.do_exchange(futures::stream::empty()).await.err()),
            ("DoAction", raw.do_action(Action::new("CancelFlightInfo", "")).await.err()),
            ("ListFlights", raw.list_flights(Criteria::default()).await.err()),
            ("ListActions", raw.list_actions(arrow_flight::Empty {}).await.err()),
        ];
        for (rpc, status) in codes {
            let status = status.unwrap_or_else(|| panic!("{rpc} without a token was accepted"));
            assert_eq!(status.code(), Code::Unauthenticated, "{rpc}: {status}");
        }

        // A wrong password, an unknown user.
        let mut client = FlightSqlServiceClient::new(service.channel().await);
        for (user, password) in [(READER.0, "wrong"), ("mallory", READER.1)] {
            let error = client.handshake(user, password).await.unwrap_err().to_string();
            assert!(error.contains("wrong user name or password"), "{error}");
        }

        // Tokens that are expired, signed by another key, or rewritten are refused on every call.
        let signer = Signer::new(&service.secret);
        let expired = Caller { user: READER.0.into(), role: FlightSqlRole::Reader, expires_at_ms: 1 };
        let alive = Caller { expires_at_ms: u64::MAX, ..expired.clone() };
        for (what, token) in [
            ("expired", signer.issue(&expired)),
            ("not signed by this server", Signer::new("another key").issue(&alive)),
        ] {
            let mut client = FlightSqlServiceClient::new(service.channel().await);
            client.set_token(token);
            let error = client.execute("SELECT 1".into(), None).await.unwrap_err().to_string();
            assert!(error.contains(what), "{what}: {error}");
            let error = client.do_get(ticket.clone()).await.err().expect("DoGet refused").to_string();
            assert!(error.contains(what), "{what}: {error}");
        }

        // A ticket sealed by another key, or issued to another user, names nothing.
        let mut reader = service.login(READER).await;
        let mut writer = service.login(WRITER).await;
        let info = reader.execute("SELECT 42 AS answer".into(), None).await.unwrap();
        let readers_ticket = info.endpoint[0].ticket.clone().unwrap();
        let error = writer.do_get(readers_ticket.clone()).await.err().expect("stolen ticket refused").to_string();
        assert!(error.contains("issued to another user"), "{error}");
        let batches: Vec<RecordBatch> = reader.do_get(readers_ticket).await.unwrap().try_collect().await.unwrap();
        assert_eq!(int(&batches, 0), 42);
        let error = reader.do_get(ticket).await.err().expect("forged ticket refused").to_string();
        assert!(error.contains("not issued by this server"), "{error}");

        // Files outside the lakehouse and the data roots are not readable, for any role.
        let outside = [
            "/etc/passwd".to_string(),
            "file:///etc/passwd".to_string(),
            format!("{}/data/../../../etc/passwd", work.path().display()),
        ];
        for location in &outside {
            let sql = format!("CREATE EXTERNAL TABLE leak STORED AS CSV LOCATION '{location}'");
            let error = writer.execute_update(sql.clone(), None).await.unwrap_err().to_string();
            assert!(error.contains("outside the lakehouse root"), "{location}: {error}");
            let error = reader.execute_update(sql, None).await.unwrap_err().to_string();
            assert!(error.contains("reader role") || error.contains("outside"), "{location}: {error}");
            let copy = format!("COPY (SELECT 1) TO '{location}.parquet'");
            let error = writer.execute_update(copy, None).await.unwrap_err().to_string();
            assert!(error.contains("outside the lakehouse root"), "{location}: {error}");
        }
        let error = reader.execute("SELECT * FROM '/etc/passwd'".into(), None).await.unwrap_err().to_string();
        assert!(error.contains("not found"), "{error}");

        // Bad SQL and SET get clear errors.
        let error = reader.execute("SELEC 1".into(), None).await.unwrap_err().to_string();
        assert!(error.contains("SELEC"), "{error}");
        let error = writer
            .execute_update("SET datafusion.execution.batch_size = 1".into(), None)
            .await
            .unwrap_err()
            .to_string();
        assert!(error.contains("shared by every client"), "{error}");

        // The scheduler's own port serves no Flight SQL any more.
        let internal = format!("http://{}", service.cluster.scheduler());
        let channel = Channel::from_shared(internal).unwrap().connect().await.unwrap();
        let mut stock = FlightSqlServiceClient::new(channel);
        assert!(stock.handshake(WRITER.0, WRITER.1).await.is_err());
    });

    // The operator API counts the calls by method and status: three DoGets refused at the gate
    // (no token, an expired one, one of another key), the reader's streamed result delivered.
    let metrics = blocking_get(&format!("{}/metrics", service.cluster.record.api_url()));
    let sample = |name: &str| -> f64 {
        let line = metrics.lines().find(|line| line.starts_with(name)).unwrap_or_else(|| panic!("{name}:\n{metrics}"));
        line[name.len()..].trim().parse().unwrap_or_else(|e| panic!("{line}: {e}"))
    };
    assert_eq!(sample(r#"reviewlake_flight_sql_requests_total{method="DoGet",code="Unauthenticated"}"#), 3.0);
    assert_eq!(sample(r#"reviewlake_flight_sql_requests_total{method="DoGet",code="Ok"}"#), 1.0);
    assert!(sample(r#"reviewlake_flight_sql_requests_total{method="Handshake",code="Ok"}"#) >= 2.0, "{metrics}");
    assert!(sample(r#"reviewlake_flight_sql_response_bytes_total{method="DoGet"}"#) > 0.0, "{metrics}");
    assert!(sample(r#"reviewlake_flight_sql_request_duration_seconds_count{method="GetFlightInfo"}"#) >= 1.0);
    assert_eq!(sample("reviewlake_flight_sql_requests_in_flight"), 0.0);
}

#[test]
fn notebook_clients_query_bind_write_and_ingest_over_adbc() {
    let work = tempfile::tempdir().unwrap();
    let source = work.path().join("data").join("source");
    crate::pipeline::sample_source(&source);
    let service = Service::start(work.path());
    let scheduler = service.cluster.scheduler();
    let cli = |args: &[&str]| {
        let mut all = vec!["--scheduler", scheduler.as_str()];
        all.extend_from_slice(args);
        success(reviewlake_with_env(work.path(), &all, &service.env))
    };
    cli(&["pipeline", "run", "--source", source.to_str().unwrap()]);

    let script = reviewlake_tests::workspace_root().join("tests/python/adbc_clients.py");
    let script = std::fs::read_to_string(script).unwrap();
    let lake = work.path().join("lake").display().to_string();
    let output = reviewlake_tests::python(&script, &[&service.url(), &lake, READER.0, READER.1, WRITER.0, WRITER.1]);
    let report: serde_json::Value = serde_json::from_str(output.trim()).unwrap_or_else(|e| panic!("{e}: {output}"));
    let sql = |query: &str| -> Vec<serde_json::Value> {
        serde_json::from_str(&cli(&["sql", "--format", "json", query])).unwrap()
    };

    // Queries over gold equal `reviewlake sql`, through pandas and through polars.
    let expected: Vec<serde_json::Value> =
        sql("SELECT overall, reviews FROM gold.q01_rating_distribution ORDER BY overall")
            .iter()
            .map(|row| serde_json::json!([row["overall"].as_f64().unwrap(), row["reviews"].as_i64().unwrap()]))
            .collect();
    assert!(!expected.is_empty());
    assert_eq!(report["ratings_pandas"].as_array().unwrap(), &expected, "{report}");
    assert_eq!(report["ratings_polars"].as_array().unwrap(), &expected, "{report}");
    let at_least_four = &sql("SELECT count(*) AS n FROM gold.reviews WHERE overall >= 4.0")[0]["n"];
    assert_eq!(&report["at_least_four"], at_least_four, "{report}");

    // Metadata: the lakehouse schemas, the gold tables, a table's columns.
    for schema in ["bronze", "silver", "gold"] {
        assert!(report["schemas"].as_array().unwrap().iter().any(|s| s == schema), "{report}");
    }
    assert!(report["gold_tables"].as_array().unwrap().iter().any(|t| t == "q01_rating_distribution"), "{report}");
    assert!(report["reviews_columns"].as_array().unwrap().iter().any(|c| c == "overall"), "{report}");

    // CREATE TABLE ... AS by the writer: its rows, visible to the next query, to deltalake and to the CLI.
    let five_star = sql("SELECT count(*) AS n FROM gold.reviews WHERE overall = 5.0")[0]["n"].as_i64().unwrap();
    assert_eq!(report["ctas_rows"].as_i64(), Some(five_star), "{report}");
    assert_eq!(report["ctas_visible"].as_i64(), Some(five_star), "{report}");
    assert_eq!(report["ctas_in_deltalake"].as_i64(), Some(five_star), "{report}");

    // Bulk ingest: one commit per call, visible everywhere; a mismatched frame commits nothing.
    assert_eq!(report["ingested"], 3, "{report}");
    assert_eq!(report["appended"], 1, "{report}");
    assert_eq!(report["ingest_visible"], serde_json::json!([4, 10]), "{report}");
    assert_eq!(report["ingest_versions"], 1, "two commits: versions 0 and 1: {report}");
    assert_eq!(report["ingest_in_deltalake"], serde_json::json!(["B001", "B002", "B003", "B004"]), "{report}");
    assert!(report["mismatched_ingest"].as_str().unwrap().contains("extra"), "{report}");
    assert_eq!(report["after_mismatch_version"], 1, "{report}");
    assert_eq!(sql("SELECT count(*) AS n FROM bronze.analyst_notes")[0]["n"], 4);

    // Refusals reach the notebook with their reasons.
    assert!(report["wrong_password"].as_str().unwrap().contains("wrong user name or password"), "{report}");
    assert!(report["reader_ingest"].as_str().unwrap().contains("writer role"), "{report}");
    assert!(report["reader_ctas"].as_str().unwrap().contains("writer role"), "{report}");
    assert!(report["malformed_sql"].as_str().unwrap().contains("SELEC"), "{report}");

    // The example notebook runs top to bottom against this cluster.
    let notebook = reviewlake_tests::workspace_root().join("examples/notebook.ipynb");
    let run_notebook = "import sys, nbformat, nbclient\n\
        book = nbformat.read(sys.argv[1], as_version=4)\n\
        nbclient.NotebookClient(book, timeout=300, kernel_name='python3').execute()\n";
    let executed = std::process::Command::new(reviewlake_tests::python_bin().join("python"))
        .args(["-c", run_notebook, notebook.to_str().unwrap()])
        .env("REVIEWLAKE_FLIGHT_URL", service.url())
        .env("REVIEWLAKE_FLIGHT_USER", WRITER.0)
        .env("REVIEWLAKE_FLIGHT_PASSWORD", WRITER.1)
        .output()
        .expect("python runs");
    assert!(executed.status.success(), "notebook failed: {}", String::from_utf8_lossy(&executed.stderr));
    assert_eq!(sql("SELECT count(*) AS n FROM bronze.notebook_notes")[0]["n"], 2);
}
