//! Arrow Flight SQL on the scheduler: a table registered by one client session is visible to
//! another (the shared catalog), reviewlake UDFs run in Flight SQL queries, and lakehouse tables
//! are queryable by name with new commits visible at once.

use arrow_flight::sql::client::FlightSqlServiceClient;
use datafusion::arrow::array::{Array, Int64Array, RecordBatch};
use futures::TryStreamExt;
use reviewlake_tests::{LocalCluster, reviewlake, success, write_review_files};

async fn query(client: &mut FlightSqlServiceClient<tonic::transport::Channel>, sql: &str) -> Vec<RecordBatch> {
    let info = client.execute(sql.to_string(), None).await.expect("statement accepted");
    let mut batches = Vec::new();
    for endpoint in info.endpoint {
        let ticket = endpoint.ticket.expect("endpoint has a ticket");
        let stream = client.do_get(ticket).await.expect("do_get");
        batches.extend(stream.try_collect::<Vec<_>>().await.expect("result stream"));
    }
    batches
}

#[test]
fn table_registered_in_one_session_is_visible_in_another() {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("reviews");
    write_review_files(&data, 4, 10_000);
    let cluster = LocalCluster::up(work.path(), &[1, 1]);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let channel = tonic::transport::Channel::from_shared(format!("http://{}", cluster.scheduler()))
            .unwrap()
            .connect()
            .await
            .expect("scheduler port accepts Flight SQL");

        let mut analyst = FlightSqlServiceClient::new(channel.clone());
        analyst.handshake("analyst", "unused").await.expect("handshake");
        analyst
            .execute_update(
                format!("CREATE EXTERNAL TABLE shared_reviews STORED AS PARQUET LOCATION '{}/'", data.display()),
                None,
            )
            .await
            .expect("DDL through Flight SQL");

        let mut notebook = FlightSqlServiceClient::new(channel);
        notebook.handshake("notebook", "unused").await.expect("handshake");
        let batches = query(
            &mut notebook,
            "SELECT count(*) AS n, count(DISTINCT normalize_text(body)) AS cleaned FROM shared_reviews",
        )
        .await;
        let batch = &batches[0];
        let column = |i: usize| batch.column(i).as_any().downcast_ref::<Int64Array>().unwrap().value(0);
        assert_eq!(column(0), 40_000);
        // The suffix `value % 1000` also fixes the template (`value % 4`): 1000 distinct texts.
        assert_eq!(column(1), 1_000);
        assert_eq!(batch.column(0).len(), 1);

        // Lakehouse tables written by another client are visible by name, and a later commit
        // shows up in the next query without a restart.
        let scheduler = cluster.scheduler();
        let write = |sql: &str| success(reviewlake(work.path(), &["--scheduler", &scheduler, "sql", sql]));
        write("CREATE TABLE gold.shared AS SELECT value AS id FROM (SELECT unnest(range(0, 500)) AS value)");
        let count =
            |batches: Vec<RecordBatch>| batches[0].column(0).as_any().downcast_ref::<Int64Array>().unwrap().value(0);
        assert_eq!(count(query(&mut notebook, "SELECT count(*) FROM gold.shared").await), 500);
        write("INSERT INTO gold.shared SELECT value FROM (SELECT unnest(range(0, 250)) AS value)");
        assert_eq!(count(query(&mut notebook, "SELECT count(*) FROM gold.shared").await), 750);
    });
}
