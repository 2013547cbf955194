//! Lakehouse figures: writing and reading a Delta table of `BENCH_ROWS` rows (default
//! 10,000,000) on a 2-executor multi-process cluster, against delta-rs in a single process,
//! and scan time with and without partition pruning.
//!
//! `cargo bench -p reviewlake-benches --bench lakehouse` (build the binaries first:
//! `cargo build --release --bins`). Environment: `BENCH_ROWS`, `BENCH_RUNS` (default 3).

use std::sync::Arc;
use std::time::Duration;

use datafusion::prelude::{ParquetReadOptions, SessionContext};
use reviewlake_benches::{env_number, median_of_async, seconds};
use reviewlake_cluster::config::LakehouseSettings;
use reviewlake_cluster::lakehouse::Lakehouse;
use reviewlake_cluster::session;
use reviewlake_cluster::sql::run_script;
use reviewlake_tests::{LocalCluster, env_vars, folder_bytes, write_generated_parquet};

const READ: &str = "SELECT count(*) AS n, sum(score) AS s, max(character_length(body)) AS longest FROM TABLE";

const SOURCE_COLUMNS: &str = "value AS id, CAST(value % 16 AS INT) AS part, \
    concat('review body ', CAST(value % 7919 AS VARCHAR), ' of product B00', CAST(value % 104729 AS VARCHAR)) AS body, \
    CAST(value % 501 AS DOUBLE) / 100 AS score";

/// Bytes of the table's current files (earlier versions' files stay on disk for time travel).
async fn active_bytes(lake: &Lakehouse, table: &str) -> u64 {
    let described = lake.describe(table).await.unwrap();
    let keys = described.column(0).as_any().downcast_ref::<datafusion::arrow::array::StringArray>().unwrap();
    let values = described.column(1).as_any().downcast_ref::<datafusion::arrow::array::StringArray>().unwrap();
    let row = (0..datafusion::arrow::array::Array::len(keys)).find(|&i| keys.value(i) == "bytes").unwrap();
    values.value(row).parse().unwrap()
}

fn throughput(label: &str, rows: usize, elapsed: Duration, bytes: u64) {
    let secs = elapsed.as_secs_f64();
    println!(
        "{label}: {} = {:.2} M rows/s, {:.1} MB/s ({:.1} MB)",
        seconds(elapsed),
        rows as f64 / secs / 1e6,
        bytes as f64 / secs / 1e6,
        bytes as f64 / 1e6
    );
}

async fn query_rows(ctx: &SessionContext, sql: &str) -> i64 {
    let batches = ctx.sql(sql).await.unwrap().collect().await.unwrap();
    let n =
        datafusion::arrow::compute::cast(batches[0].column(0), &datafusion::arrow::datatypes::DataType::Int64).unwrap();
    n.as_any().downcast_ref::<datafusion::arrow::array::Int64Array>().unwrap().value(0)
}

fn main() {
    let rows = env_number("BENCH_ROWS", 10_000_000);
    let runs = env_number("BENCH_RUNS", 3);
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    println!("machine: {cores} cores; {rows} rows; runs per figure: {runs} (median)");

    let work = tempfile::tempdir().unwrap();
    let source = work.path().join("source");
    std::fs::create_dir_all(&source).unwrap();
    let lake_dir = work.path().join("lake");
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(write_generated_parquet(&source, 8, rows / 8, SOURCE_COLUMNS));
    println!("source: 8 Parquet files, {:.1} MB", folder_bytes(&source) as f64 / 1e6);

    let lake_root = lake_dir.to_str().unwrap();
    let cluster =
        LocalCluster::up_with_env(work.path(), &[1, 1], &env_vars(&[("REVIEWLAKE__LAKEHOUSE__ROOT", lake_root)]));
    let lake = Lakehouse::from_settings(&LakehouseSettings { root: lake_root.into(), ..Default::default() }).unwrap();
    let location = format!("{}/", source.display());

    runtime.block_on(async {
        let ctx = session::client_context(&cluster.scheduler(), 2, &lake).unwrap();
        ctx.register_parquet("source", &location, ParquetReadOptions::default()).await.unwrap();

        for (table, partitioning) in [("gold.bench_flat", ""), ("gold.bench_parts", "PARTITIONED BY (part)")] {
            let create = format!("CREATE OR REPLACE TABLE {table} {partitioning} AS SELECT * FROM source");
            let elapsed = median_of_async(runs, || async {
                run_script(&ctx, Some(&lake), &create).await.unwrap();
            })
            .await;
            let bytes = active_bytes(&lake, table).await;
            throughput(&format!("reviewlake write {table} (2 executors x 1 slot)"), rows, elapsed, bytes);
        }

        // delta-rs in one process, writing the same rows from the same source.
        let single = deltalake::delta_datafusion::create_session().into_inner();
        single.register_parquet("source", &location, ParquetReadOptions::default()).await.unwrap();
        for (name, partition_by) in [("deltars_flat", vec![]), ("deltars_parts", vec!["part".to_string()])] {
            let mut version = 0;
            let elapsed = median_of_async(runs, || {
                let single = single.clone();
                let partition_by = partition_by.clone();
                version += 1;
                let url =
                    deltalake::ensure_table_uri(lake_dir.join(format!("{name}_{version}")).to_str().unwrap()).unwrap();
                async move {
                    let plan = single.sql("SELECT * FROM source").await.unwrap().into_unoptimized_plan();
                    deltalake::DeltaTable::try_from_url(url)
                        .await
                        .unwrap()
                        .write(Vec::new())
                        .with_input_plan(plan)
                        .with_session_state(Arc::new(single.state()))
                        .with_partition_columns(partition_by)
                        .await
                        .unwrap();
                }
            })
            .await;
            throughput(
                &format!("delta-rs write {name} (single process)"),
                rows,
                elapsed,
                folder_bytes(&lake_dir.join(format!("{name}_1"))),
            );
        }

        for table in ["gold.bench_flat", "gold.bench_parts"] {
            let query = READ.replace("TABLE", table);
            assert_eq!(query_rows(&ctx, &query).await, rows as i64);
            let elapsed = median_of_async(runs, || async {
                query_rows(&ctx, &query).await;
            })
            .await;
            let bytes = active_bytes(&lake, table).await;
            throughput(&format!("reviewlake scan {table} (2 executors)"), rows, elapsed, bytes);
        }
        let table = deltalake::DeltaTable::try_from_url(
            deltalake::ensure_table_uri(lake_dir.join("deltars_flat_1").to_str().unwrap()).unwrap(),
        )
        .await
        .unwrap();
        single.register_table("deltars_flat", table.table_provider().await.unwrap()).unwrap();
        let query = READ.replace("TABLE", "deltars_flat");
        assert_eq!(query_rows(&single, &query).await, rows as i64);
        let elapsed = median_of_async(runs, || async {
            query_rows(&single, &query).await;
        })
        .await;
        throughput(
            "delta-rs scan deltars_flat (single process)",
            rows,
            elapsed,
            folder_bytes(&lake_dir.join("deltars_flat_1")),
        );

        let full = READ.replace("TABLE", "gold.bench_parts");
        let pruned = format!("{full} WHERE part = 3");
        assert_eq!(query_rows(&ctx, &pruned).await, (0..rows).filter(|v| v % 16 == 3).count() as i64);
        let with = median_of_async(runs, || async {
            query_rows(&ctx, &pruned).await;
        })
        .await;
        let without = median_of_async(runs, || async {
            query_rows(&ctx, &full).await;
        })
        .await;
        println!(
            "scan gold.bench_parts WHERE part = 3 (1 of 16 partitions): {} vs full scan {} ({:.1}x faster)",
            seconds(with),
            seconds(without),
            without.as_secs_f64() / with.as_secs_f64()
        );
    });
    drop(cluster);
}
