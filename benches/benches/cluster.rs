//! Cluster figures: start-up of a 2-executor multi-process cluster, a trivial distributed
//! query, and the overhead of the distributed path over single-process DataFusion.
//!
//! `cargo bench -p reviewlake-benches --bench cluster` (build the binaries first:
//! `cargo build --release --bins`). Environment: `BENCH_ROWS` (default 10,000,000),
//! `BENCH_RUNS` (default 5).

use datafusion::prelude::{ParquetReadOptions, SessionContext};
use reviewlake_benches::{env_number, median_of_async, seconds};
use reviewlake_cluster::session;
use reviewlake_tests::{LocalCluster, write_generated_parquet};

const AGGREGATION: &str = "SELECT k, count(*) AS n, sum(v) AS total, avg(v) AS mean, max(v) AS top FROM t GROUP BY k";

async fn aggregate(ctx: &SessionContext) -> usize {
    let batches = ctx.sql(AGGREGATION).await.unwrap().collect().await.unwrap();
    batches.iter().map(|b| b.num_rows()).sum()
}

fn main() {
    let runs = env_number("BENCH_RUNS", 5);
    let rows = env_number("BENCH_ROWS", 10_000_000);
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    println!("machine: {cores} cores; runs per figure: {runs} (median)");

    // Each run's `up` is timed alone; its `down` comes after the clock stops.
    let mut samples = Vec::new();
    for _ in 0..runs {
        let dir = tempfile::tempdir().unwrap();
        let started = std::time::Instant::now();
        let stop = LocalCluster::up(dir.path(), &[2, 2]);
        samples.push(started.elapsed());
        drop(stop);
    }
    samples.sort();
    println!("cluster up --executors 2, until both registered: {}", seconds(samples[samples.len() / 2]));

    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let data = tempfile::tempdir().unwrap();
        write_generated_parquet(data.path(), 8, rows / 8, "value % 1000 AS k, CAST(value % 9973 AS DOUBLE) AS v").await;
        let location = format!("{}/", data.path().display());

        let single = SessionContext::new();
        single.register_parquet("t", &location, ParquetReadOptions::default()).await.unwrap();
        let settings = reviewlake_cluster::config::Settings::default();
        let cluster = session::connect(&settings).await.unwrap();
        cluster.ctx.register_parquet("t", &location, ParquetReadOptions::default()).await.unwrap();

        // Warm both once (file metadata caches, the executor's first registration).
        assert_eq!(aggregate(&single).await, 1000);
        assert_eq!(aggregate(&cluster.ctx).await, 1000);

        let trivial = median_of_async(runs * 4, || async {
            cluster.ctx.sql("SELECT 1").await.unwrap().collect().await.unwrap();
        })
        .await;
        println!("trivial distributed query (SELECT 1) end to end, standalone cluster: {}", seconds(trivial));

        let local = median_of_async(runs, || async {
            aggregate(&single).await;
        })
        .await;
        let distributed = median_of_async(runs, || async {
            aggregate(&cluster.ctx).await;
        })
        .await;
        println!("aggregation over {rows} rows, single-process DataFusion: {}", seconds(local));
        println!("aggregation over {rows} rows, standalone Ballista cluster: {}", seconds(distributed));
        println!("distributed / single-process: {:.2}", distributed.as_secs_f64() / local.as_secs_f64());
    });

    // The remote trivial query, against a real multi-process cluster.
    let dir = tempfile::tempdir().unwrap();
    let stop = LocalCluster::up(dir.path(), &[2, 2]);
    runtime.block_on(async {
        let lake_settings = reviewlake_cluster::config::LakehouseSettings {
            root: stop.record.lakehouse_root.clone(),
            ..Default::default()
        };
        let lake = reviewlake_cluster::lakehouse::Lakehouse::from_settings(&lake_settings).unwrap();
        let ctx = session::client_context(&stop.scheduler(), 0, &lake).unwrap();
        ctx.sql("SELECT 1").await.unwrap().collect().await.unwrap();
        let trivial = median_of_async(runs * 4, || async {
            ctx.sql("SELECT 1").await.unwrap().collect().await.unwrap();
        })
        .await;
        println!(
            "trivial distributed query (SELECT 1) end to end, 2-executor multi-process cluster: {}",
            seconds(trivial)
        );
    });
}
