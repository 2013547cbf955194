//! The lakehouse table layer in one process: the same scan, write and commit operators the
//! cluster runs, on a local folder. The multi-process and S3 versions are in `tests/`.

use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::{Array, Int64Array, RecordBatch};
use datafusion::arrow::util::pretty::pretty_format_batches;
use datafusion::prelude::SessionContext;
use reviewlake_cluster::config::LakehouseSettings;
use reviewlake_cluster::lakehouse::{Lakehouse, WriteMode, WriteOptions, WriteOutcome};
use reviewlake_cluster::session::local_context;
use reviewlake_cluster::sql::run_script;

fn lake(dir: &Path) -> (Arc<Lakehouse>, SessionContext) {
    let settings = LakehouseSettings { root: dir.display().to_string(), ..Default::default() };
    let lake = Lakehouse::from_settings(&settings).unwrap();
    let ctx = local_context(&lake, 4).unwrap();
    (lake, ctx)
}

async fn sql(ctx: &SessionContext, lake: &Lakehouse, script: &str) -> Vec<RecordBatch> {
    run_script(ctx, Some(lake), script).await.unwrap_or_else(|e| panic!("{script}: {e}"))
}

async fn int(ctx: &SessionContext, lake: &Lakehouse, query: &str) -> i64 {
    let batches = sql(ctx, lake, query).await;
    let column =
        datafusion::arrow::compute::cast(batches[0].column(0), &datafusion::arrow::datatypes::DataType::Int64).unwrap();
    column.as_any().downcast_ref::<Int64Array>().unwrap().value(0)
}

async fn plan(ctx: &SessionContext, lake: &Lakehouse, query: &str) -> String {
    pretty_format_batches(&sql(ctx, lake, &format!("EXPLAIN {query}")).await).unwrap().to_string()
}

fn commits(dir: &Path, table: &str) -> usize {
    std::fs::read_dir(dir.join(table).join("_delta_log"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().ends_with(".json"))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partitioned_ctas_prunes_partitions_and_time_travels() {
    let dir = tempfile::tempdir().unwrap();
    let (lake, ctx) = lake(dir.path());
    sql(
        &ctx,
        &lake,
        "CREATE TABLE silver.events PARTITIONED BY (year) AS \
         SELECT value AS id, 2015 + value % 4 AS year, concat('event ', CAST(value AS VARCHAR)) AS body \
         FROM generate_series(1, 20000)",
    )
    .await;
    assert_eq!(commits(dir.path(), "silver/events"), 1, "CTAS is one commit (version 0)");
    assert!(dir.path().join("silver/events/year=2017").is_dir());
    assert_eq!(int(&ctx, &lake, "SELECT count(*) FROM silver.events").await, 20000);
    assert_eq!(
        int(&ctx, &lake, "SELECT sum(id) FROM silver.events WHERE year = 2017").await,
        (1..=20000).filter(|v| v % 4 == 2).sum::<i64>()
    );

    let pruned = plan(&ctx, &lake, "SELECT id FROM silver.events WHERE year = 2017").await;
    assert!(pruned.contains("year=2017"), "{pruned}");
    assert!(
        !pruned.contains("year=2015") && !pruned.contains("year=2016"),
        "pruned partitions are not scanned: {pruned}"
    );

    sql(
        &ctx,
        &lake,
        "INSERT INTO silver.events SELECT value AS id, 2019 AS year, 'late' AS body FROM generate_series(1, 100)",
    )
    .await;
    assert_eq!(commits(dir.path(), "silver/events"), 2, "an INSERT is one commit");
    assert_eq!(int(&ctx, &lake, "SELECT count(*) FROM silver.events").await, 20100);
    assert_eq!(int(&ctx, &lake, "SELECT count(*) FROM silver.\"events@v0\"").await, 20000);
    let history = lake.history("silver.events", 10).await.unwrap();
    assert_eq!(history.num_rows(), 2);
    let committed_ms = history.column(1).as_any().downcast_ref::<Int64Array>().unwrap();
    let (v1_ms, v0_ms) = (committed_ms.value(0), committed_ms.value(1));
    assert!(v1_ms >= v0_ms);
    if v1_ms > v0_ms {
        // The latest version committed at or before a time between the two commits is v0.
        let at = chrono::DateTime::from_timestamp_millis(v0_ms)
            .unwrap()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        assert_eq!(int(&ctx, &lake, &format!("SELECT count(*) FROM silver.\"events@{at}\"")).await, 20000);
    }
    let described = pretty_format_batches(&[lake.describe("silver.events").await.unwrap()]).unwrap().to_string();
    assert!(described.contains("20100") && described.contains("year"), "{described}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn min_max_statistics_skip_files() {
    let dir = tempfile::tempdir().unwrap();
    let (lake, ctx) = lake(dir.path());
    for (first, last) in [(1, 1000), (1001, 2000), (2001, 3000)] {
        let frame = ctx.sql(&format!("SELECT value AS id FROM generate_series({first}, {last})")).await.unwrap();
        let options = WriteOptions { mode: WriteMode::Append, ..Default::default() };
        lake.write(
            &ctx,
            frame.repartition(datafusion::logical_expr::Partitioning::RoundRobinBatch(1)).unwrap(),
            "bronze.ids",
            options,
        )
        .await
        .unwrap();
    }
    let all = plan(&ctx, &lake, "SELECT id FROM bronze.ids").await;
    let some = plan(&ctx, &lake, "SELECT id FROM bronze.ids WHERE id BETWEEN 1200 AND 1300").await;
    assert_eq!(all.matches(".parquet").count(), 3, "{all}");
    assert_eq!(some.matches(".parquet").count(), 1, "files whose min/max exclude the range are skipped: {some}");
    assert_eq!(int(&ctx, &lake, "SELECT count(*) FROM bronze.ids WHERE id BETWEEN 1200 AND 1300").await, 101);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transactions_make_retried_writes_no_ops_and_schemas_evolve() {
    let dir = tempfile::tempdir().unwrap();
    let (lake, ctx) = lake(dir.path());
    let batch = |n: u32| {
        let ctx = ctx.clone();
        async move { ctx.sql(&format!("SELECT value AS id, 'x' AS name FROM generate_series(1, {n})")).await.unwrap() }
    };
    let txn = |v| WriteOptions { txn: Some(("ingest-job".into(), v)), ..Default::default() };
    assert_eq!(
        lake.write(&ctx, batch(10).await, "bronze.items", txn(1)).await.unwrap(),
        WriteOutcome::Committed { rows: 10 }
    );
    assert_eq!(lake.write(&ctx, batch(10).await, "bronze.items", txn(1)).await.unwrap(), WriteOutcome::Skipped);
    assert_eq!(
        lake.write(&ctx, batch(5).await, "bronze.items", txn(2)).await.unwrap(),
        WriteOutcome::Committed { rows: 5 }
    );
    assert_eq!(int(&ctx, &lake, "SELECT count(*) FROM bronze.items").await, 15);

    let wider = ctx.sql("SELECT 100 AS id, 'y' AS name, 4.5 AS score").await.unwrap();
    let refused = lake.write(&ctx, wider, "bronze.items", WriteOptions::default()).await.unwrap_err().to_string();
    assert!(refused.contains("no column score") && refused.contains("merge_schema"), "{refused}");
    let wider = ctx.sql("SELECT 100 AS id, 'y' AS name, 4.5 AS score").await.unwrap();
    lake.write(&ctx, wider, "bronze.items", WriteOptions { merge_schema: true, ..Default::default() }).await.unwrap();
    assert_eq!(int(&ctx, &lake, "SELECT count(*) FROM bronze.items WHERE score IS NULL").await, 15);
    assert_eq!(int(&ctx, &lake, "SELECT count(*) FROM bronze.items WHERE score = 4.5").await, 1);

    let narrower = ctx.sql("SELECT 7 AS id").await.unwrap();
    lake.write(&ctx, narrower, "bronze.items", WriteOptions { mode: WriteMode::Overwrite, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(int(&ctx, &lake, "SELECT count(*) FROM bronze.items WHERE name IS NULL AND id = 7").await, 1);
    assert_eq!(int(&ctx, &lake, "SELECT count(*) FROM bronze.items").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_and_mismatched_writes_commit_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (lake, ctx) = lake(dir.path());
    sql(&ctx, &lake, "CREATE TABLE gold.t AS SELECT value AS id FROM generate_series(1, 10)").await;
    let failed =
        run_script(&ctx, Some(&lake), "INSERT INTO gold.t SELECT 10 / (value - value) FROM generate_series(1, 1000)")
            .await;
    assert!(failed.unwrap_err().to_string().contains("Divide by zero"));
    let mismatched = run_script(&ctx, Some(&lake), "INSERT INTO gold.t SELECT 1, 2").await.unwrap_err().to_string();
    assert!(mismatched.contains("gold.t") || mismatched.contains("column"), "{mismatched}");
    assert_eq!(commits(dir.path(), "gold/t"), 1);
    assert_eq!(int(&ctx, &lake, "SELECT count(*) FROM gold.t").await, 10);

    let exists = run_script(&ctx, Some(&lake), "CREATE TABLE gold.t AS SELECT 1 AS id").await.unwrap_err().to_string();
    assert!(exists.contains("already exists"), "{exists}");
    sql(&ctx, &lake, "CREATE TABLE IF NOT EXISTS gold.t AS SELECT 1 AS id").await;
    sql(&ctx, &lake, "CREATE OR REPLACE TABLE gold.t AS SELECT 'a' AS name").await;
    assert_eq!(int(&ctx, &lake, "SELECT count(*) FROM gold.t WHERE name = 'a'").await, 1);

    let missing = run_script(&ctx, Some(&lake), "SELECT * FROM silver.nothing").await.unwrap_err().to_string();
    assert!(missing.contains("silver.nothing") && missing.contains("not found"), "{missing}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tables_with_column_mapping_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (lake, ctx) = lake(dir.path());
    sql(&ctx, &lake, "CREATE TABLE ml.mapped AS SELECT 1 AS id").await;
    let log = dir.path().join("ml/mapped/_delta_log");
    let first = std::fs::read_to_string(log.join("00000000000000000000.json")).unwrap();
    let metadata = first.lines().find(|l| l.contains("\"metaData\"")).unwrap();
    let mut metadata: serde_json::Value = serde_json::from_str(metadata).unwrap();
    metadata["metaData"]["configuration"]["delta.columnMapping.mode"] = "name".into();
    std::fs::write(log.join("00000000000000000001.json"), format!("{metadata}\n")).unwrap();
    let refused = run_script(&ctx, Some(&lake), "SELECT * FROM ml.mapped").await.unwrap_err().to_string();
    assert!(refused.contains("column mapping") && refused.contains("ml.mapped"), "{refused}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn optimize_compacts_and_vacuum_removes_unreferenced_files() {
    let dir = tempfile::tempdir().unwrap();
    let (lake, ctx) = lake(dir.path());
    for batch in 0..5 {
        let frame = ctx
            .sql(&format!("SELECT value AS id FROM generate_series({}, {})", batch * 100, batch * 100 + 99))
            .await
            .unwrap();
        let frame = frame.repartition(datafusion::logical_expr::Partitioning::RoundRobinBatch(1)).unwrap();
        lake.write(&ctx, frame, "gold.small", WriteOptions::default()).await.unwrap();
    }
    let parquet_files = || {
        std::fs::read_dir(dir.path().join("gold/small"))
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().ends_with(".parquet"))
            .count()
    };
    assert_eq!(parquet_files(), 5);
    let optimized =
        pretty_format_batches(&[lake.optimize("gold.small", 64 * 1024 * 1024).await.unwrap()]).unwrap().to_string();
    assert!(optimized.contains("files_removed") && optimized.contains("| 5 "), "{optimized}");
    assert_eq!(int(&ctx, &lake, "SELECT count(*) FROM gold.small").await, 500);
    assert_eq!(int(&ctx, &lake, "SELECT sum(id) FROM gold.small").await, (0..500).sum::<i64>());
    assert_eq!(parquet_files(), 6, "compaction keeps the old files for time travel");

    let too_short = lake
        .vacuum("gold.small", reviewlake_cluster::lakehouse::VacuumOptions { retain_hours: 0, ..Default::default() })
        .await;
    assert!(too_short.is_err(), "a retention below the table's is refused unless allowed");
    let options =
        reviewlake_cluster::lakehouse::VacuumOptions { retain_hours: 0, allow_short_retention: true, dry_run: false };
    lake.vacuum("gold.small", options).await.unwrap();
    assert_eq!(parquet_files(), 1);
    assert_eq!(int(&ctx, &lake, "SELECT count(*) FROM gold.small").await, 500);
    lake.drop_table("gold.small").await.unwrap();
    assert!(!dir.path().join("gold/small").exists());
}
