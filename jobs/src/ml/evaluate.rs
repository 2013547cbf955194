//! Scoring a split on the cluster: `logistic_score` of every row, grouped by distinct score
//! with the number of positive and negative rows per score, so that exact metrics
//! ([`super::metrics`]) are computed on the client from counts, never from the rows.

use datafusion::arrow::datatypes::{Float64Type, Int64Type};
use datafusion::execution::FunctionRegistry;
use datafusion::functions_aggregate::expr_fn::{count, sum};
use datafusion::prelude::{DataFrame, SessionContext, col, lit};
use reviewlake_udfs::udf::vector_literal;

use super::MlError;
use super::columns::primitives;
use super::metrics::{BinaryMetrics, ScoreCount, binary_metrics};

/// Points kept of the ROC curve (for the dashboard).
pub const ROC_POINTS: usize = 101;

/// The probability above which a review is predicted positive.
pub const THRESHOLD: f64 = 0.5;

/// Exact metrics of the model `(idf, coefficients)` on `rows` (a frame of `features` and
/// `label`), from one distributed scoring job; `model` names it in errors.
pub async fn evaluate_model(
    ctx: &SessionContext,
    model: &str,
    rows: DataFrame,
    idf: &[f64],
    coefficients: &[f64],
) -> Result<BinaryMetrics, MlError> {
    let score = ctx.udf("logistic_score")?;
    let scored = rows.select(vec![
        score.call(vec![col("features"), lit(vector_literal(idf)), lit(vector_literal(coefficients))]).alias("score"),
        col("label"),
    ])?;
    let counts = score_counts(scored).await?;
    binary_metrics(&counts, THRESHOLD, ROC_POINTS)
        .map_err(|source| MlError::Metrics { model: model.to_string(), source })
}

/// Rows per distinct `score` of a frame of `score` and `label` (1.0 positive, 0.0 negative).
pub async fn score_counts(scored: DataFrame) -> Result<Vec<ScoreCount>, MlError> {
    let batches = scored
        .aggregate(vec![col("score")], vec![sum(col("label")).alias("positives"), count(lit(1)).alias("rows")])?
        .collect()
        .await?;
    let mut counts = Vec::new();
    for batch in &batches {
        let scores = primitives::<Float64Type>(batch, "score", "the score counts")?;
        let positives = primitives::<Float64Type>(batch, "positives", "the score counts")?;
        let rows = primitives::<Int64Type>(batch, "rows", "the score counts")?;
        for ((score, positives), rows) in scores.into_iter().zip(positives).zip(rows) {
            let (Some(score), Some(positives), Some(rows)) = (score, positives, rows) else {
                return Err(MlError::UnexpectedResult("the score counts: a row without a score or label"));
            };
            let positives = positives as u64;
            counts.push(ScoreCount { score, positives, negatives: rows as u64 - positives });
        }
    }
    Ok(counts)
}
