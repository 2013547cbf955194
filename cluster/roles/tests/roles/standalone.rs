//! The in-process cluster: a scheduler and a push-staged executor inside the test's process.

use std::time::Duration;

use datafusion::arrow::array::{Array, Int64Array};
use reviewlake_cluster::config::{LakehouseSettings, SchedulingPolicy};
use reviewlake_cluster::executor::scheduler_policy;
use reviewlake_cluster::lakehouse::Lakehouse;
use reviewlake_cluster::session::client_context;
use reviewlake_cluster::standalone::StandaloneCluster;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_in_process_cluster_pushes_tasks_and_shuffles_between_stages() {
    let dir = tempfile::tempdir().unwrap();
    let settings = LakehouseSettings { root: dir.path().display().to_string(), ..Default::default() };
    let lake = Lakehouse::from_settings(&settings).unwrap();
    let cluster = StandaloneCluster::start(2, 0, lake.clone()).await.unwrap();
    let address = cluster.scheduler.grpc_address.to_string();
    assert_eq!(
        scheduler_policy(&address, Duration::from_secs(5)).await.unwrap(),
        SchedulingPolicy::PushStaged.as_str()
    );

    // Two partitions and a GROUP BY: a partial and a final stage, with a shuffle between them
    // that the final task fetches from the executor's Flight port.
    let ctx = client_context(&address, 2, &lake).unwrap();
    for _ in 0..3 {
        let batches = ctx
            .sql(
                "SELECT v % 3 AS k, count(*) AS n FROM (SELECT unnest(range(0, 30000)) AS v) \
                 GROUP BY v % 3 ORDER BY k",
            )
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        let counts: Vec<i64> = batches
            .iter()
            .flat_map(|b| {
                let n = b.column(1).as_any().downcast_ref::<Int64Array>().unwrap();
                (0..n.len()).map(|i| n.value(i)).collect::<Vec<_>>()
            })
            .collect();
        assert_eq!(counts, vec![10_000, 10_000, 10_000]);
    }
}
