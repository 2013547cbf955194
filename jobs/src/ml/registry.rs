//! The model registry in the lakehouse: `ml.models` (one row per model), `ml.model_weights`
//! (coefficients and IDF, one row per feature; the intercept is feature `num_features`),
//! `ml.model_metrics` (test-split metrics, one row per metric and class) and `ml.model_roc`.
//!
//! A model's weights, metrics and curve are committed before its `ml.models` row, so a model
//! listed in the registry is always complete.

use std::sync::Arc;

use datafusion::arrow::array::{
    ArrayRef, BooleanArray, Float64Array, Int32Array, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use datafusion::prelude::{SessionContext, col, lit};
use reviewlake_cluster::lakehouse::{Lakehouse, TableName};

use super::metrics::BinaryMetrics;
use super::{MODEL_METRICS_TABLE, MODEL_ROC_TABLE, MODEL_WEIGHTS_TABLE, MODELS_TABLE, MlError};

/// One row of `ml.models`.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelRecord {
    /// `lr-<time>-<hash>`.
    pub model_id: String,
    /// When it was trained, µs since the epoch (UTC).
    pub created_at: i64,
    /// `rating` or `textblob`.
    pub label_mode: String,
    /// The `ml.features` version trained on.
    pub features_version: u64,
    /// The `silver.reviews` version those features came from.
    pub silver_version: u64,
    /// Hash buckets.
    pub num_features: i32,
    /// Longest n-gram.
    pub ngrams: i32,
    /// L2 regularisation.
    pub reg: f64,
    /// The iteration limit.
    pub max_iter: i32,
    /// `balanced` or `none`.
    pub class_weight: String,
    /// Training rows.
    pub training_rows: u64,
    /// Test rows evaluated.
    pub test_rows: u64,
    /// L-BFGS iterations.
    pub iterations: i32,
    /// Loss-and-gradient jobs.
    pub evaluations: i32,
    /// Whether a tolerance stopped the optimiser (not a limit).
    pub converged: bool,
    /// Why it stopped.
    pub stop_reason: String,
    /// The objective at the model.
    pub final_loss: f64,
    /// The objective's gradient norm there.
    pub gradient_norm: f64,
    /// Wall time of training (features read, IDF, optimisation).
    pub training_seconds: f64,
    /// Test AUC.
    pub auc: f64,
    /// Test accuracy at the 0.5 threshold.
    pub accuracy: f64,
    /// Test log-loss.
    pub log_loss: f64,
}

fn models_schema() -> SchemaRef {
    let field = |name, data_type| Field::new(name, data_type, false);
    Arc::new(Schema::new(vec![
        field("model_id", DataType::Utf8),
        field("created_at", DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))),
        field("label_mode", DataType::Utf8),
        field("features_version", DataType::Int64),
        field("silver_version", DataType::Int64),
        field("num_features", DataType::Int32),
        field("ngrams", DataType::Int32),
        field("reg", DataType::Float64),
        field("max_iter", DataType::Int32),
        field("class_weight", DataType::Utf8),
        field("training_rows", DataType::Int64),
        field("test_rows", DataType::Int64),
        field("iterations", DataType::Int32),
        field("evaluations", DataType::Int32),
        field("converged", DataType::Boolean),
        field("stop_reason", DataType::Utf8),
        field("final_loss", DataType::Float64),
        field("gradient_norm", DataType::Float64),
        field("training_seconds", DataType::Float64),
        field("auc", DataType::Float64),
        field("accuracy", DataType::Float64),
        field("log_loss", DataType::Float64),
        field("weights_table", DataType::Utf8),
    ]))
}

fn model_row(model: &ModelRecord) -> Result<RecordBatch, MlError> {
    let text = |value: &str| Arc::new(StringArray::from(vec![value.to_string()])) as ArrayRef;
    let int64 = |value: u64| Arc::new(Int64Array::from(vec![value as i64])) as ArrayRef;
    let int32 = |value: i32| Arc::new(Int32Array::from(vec![value])) as ArrayRef;
    let float = |value: f64| Arc::new(Float64Array::from(vec![value])) as ArrayRef;
    Ok(RecordBatch::try_new(
        models_schema(),
        vec![
            text(&model.model_id),
            Arc::new(TimestampMicrosecondArray::from(vec![model.created_at]).with_timezone("UTC")),
            text(&model.label_mode),
            int64(model.features_version),
            int64(model.silver_version),
            int32(model.num_features),
            int32(model.ngrams),
            float(model.reg),
            int32(model.max_iter),
            text(&model.class_weight),
            int64(model.training_rows),
            int64(model.test_rows),
            int32(model.iterations),
            int32(model.evaluations),
            Arc::new(BooleanArray::from(vec![model.converged])),
            text(&model.stop_reason),
            float(model.final_loss),
            float(model.gradient_norm),
            float(model.training_seconds),
            float(model.auc),
            float(model.accuracy),
            float(model.log_loss),
            text(MODEL_WEIGHTS_TABLE),
        ],
    )?)
}

fn weights_batch(model_id: &str, idf: &[f64], coefficients: &[f64]) -> Result<RecordBatch, MlError> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("model_id", DataType::Utf8, false),
        Field::new("feature", DataType::Int32, false),
        Field::new("coefficient", DataType::Float64, false),
        Field::new("idf", DataType::Float64, true),
    ]));
    let rows = coefficients.len();
    let idf: Float64Array = (0..rows).map(|j| idf.get(j).copied()).collect();
    Ok(RecordBatch::try_new(
        schema,
        vec![
            Arc::new(StringArray::from(vec![model_id; rows])),
            Arc::new(Int32Array::from_iter_values(0..rows as i32)),
            Arc::new(Float64Array::from(coefficients.to_vec())),
            Arc::new(idf),
        ],
    )?)
}

fn metrics_batch(model_id: &str, metrics: &BinaryMetrics) -> Result<RecordBatch, MlError> {
    let confusion = &metrics.confusion;
    let mut rows: Vec<(&str, Option<&str>, f64)> = vec![
        ("auc", None, metrics.auc),
        ("accuracy", None, metrics.accuracy),
        ("log_loss", None, metrics.log_loss),
        ("rows", None, metrics.rows as f64),
        ("true_positives", None, confusion.true_positives as f64),
        ("false_positives", None, confusion.false_positives as f64),
        ("true_negatives", None, confusion.true_negatives as f64),
        ("false_negatives", None, confusion.false_negatives as f64),
    ];
    for (class, m) in [("positive", &metrics.positive), ("negative", &metrics.negative)] {
        rows.extend([
            ("precision", Some(class), m.precision),
            ("recall", Some(class), m.recall),
            ("f1", Some(class), m.f1),
            ("support", Some(class), m.support as f64),
        ]);
    }
    let schema = Arc::new(Schema::new(vec![
        Field::new("model_id", DataType::Utf8, false),
        Field::new("metric", DataType::Utf8, false),
        Field::new("class", DataType::Utf8, true),
        Field::new("value", DataType::Float64, false),
    ]));
    Ok(RecordBatch::try_new(
        schema,
        vec![
            Arc::new(StringArray::from(vec![model_id; rows.len()])),
            Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.0))),
            Arc::new(rows.iter().map(|r| r.1).collect::<StringArray>()),
            Arc::new(Float64Array::from_iter_values(rows.iter().map(|r| r.2))),
        ],
    )?)
}

fn roc_batch(model_id: &str, metrics: &BinaryMetrics) -> Result<RecordBatch, MlError> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("model_id", DataType::Utf8, false),
        Field::new("point", DataType::Int32, false),
        Field::new("threshold", DataType::Float64, false),
        Field::new("false_positive_rate", DataType::Float64, false),
        Field::new("true_positive_rate", DataType::Float64, false),
    ]));
    let roc = &metrics.roc;
    Ok(RecordBatch::try_new(
        schema,
        vec![
            Arc::new(StringArray::from(vec![model_id; roc.len()])),
            Arc::new(Int32Array::from_iter_values(0..roc.len() as i32)),
            Arc::new(Float64Array::from_iter_values(roc.iter().map(|p| p.threshold))),
            Arc::new(Float64Array::from_iter_values(roc.iter().map(|p| p.false_positive_rate))),
            Arc::new(Float64Array::from_iter_values(roc.iter().map(|p| p.true_positive_rate))),
        ],
    )?)
}

/// Registers a trained model: weights, metrics and ROC curve first, then its `ml.models` row.
pub(crate) async fn register_model(
    lake: &Lakehouse,
    model: &ModelRecord,
    idf: &[f64],
    coefficients: &[f64],
    metrics: &BinaryMetrics,
) -> Result<(), MlError> {
    for (table, batch) in [
        (MODEL_WEIGHTS_TABLE, weights_batch(&model.model_id, idf, coefficients)?),
        (MODEL_METRICS_TABLE, metrics_batch(&model.model_id, metrics)?),
        (MODEL_ROC_TABLE, roc_batch(&model.model_id, metrics)?),
        (MODELS_TABLE, model_row(model)?),
    ] {
        lake.append_batches(table, batch.schema()).with_batches([batch]).execute().await?;
    }
    tracing::info!(model = %model.model_id, "model registered");
    Ok(())
}

async fn registry_exists(lake: &Lakehouse) -> Result<bool, MlError> {
    let name: TableName = MODELS_TABLE.parse()?;
    Ok(lake.latest_version(&name).await?.is_some())
}

/// The registered models, oldest first: id, labels, features, options and headline metrics.
pub async fn list_models(ctx: &SessionContext, lake: &Lakehouse) -> Result<Vec<RecordBatch>, MlError> {
    if !registry_exists(lake).await? {
        return Ok(Vec::new());
    }
    let columns = [
        "model_id",
        "created_at",
        "label_mode",
        "features_version",
        "num_features",
        "reg",
        "training_rows",
        "evaluations",
        "converged",
        "auc",
        "accuracy",
    ];
    Ok(ctx
        .table(MODELS_TABLE)
        .await?
        .select_columns(&columns)?
        .sort_by(vec![col("created_at"), col("model_id")])?
        .collect()
        .await?)
}

/// One model's `ml.models` row and its `ml.model_metrics` rows.
pub async fn show_model(
    ctx: &SessionContext,
    lake: &Lakehouse,
    model_id: &str,
) -> Result<(Vec<RecordBatch>, Vec<RecordBatch>), MlError> {
    let unknown = || MlError::UnknownModel(model_id.to_string());
    if !registry_exists(lake).await? {
        return Err(unknown());
    }
    let model = ctx.table(MODELS_TABLE).await?.filter(col("model_id").eq(lit(model_id)))?.collect().await?;
    if model.iter().all(|b| b.num_rows() == 0) {
        return Err(unknown());
    }
    let metrics = ctx
        .table(MODEL_METRICS_TABLE)
        .await?
        .filter(col("model_id").eq(lit(model_id)))?
        .select_columns(&["metric", "class", "value"])?
        .collect()
        .await?;
    Ok((model, metrics))
}
