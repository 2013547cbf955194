//! `ml train`: logistic regression on the cluster.
//!
//! IDF is fitted on the training split only (a `document_frequencies` job). The objective is
//! the class-weighted mean log-loss plus `reg / 2 · ‖w‖²` (the intercept is not penalised);
//! the client runs L-BFGS ([`super::lbfgs`]) and every loss-and-gradient evaluation is one
//! Ballista job: `logistic_gradient` sums the loss and gradient over each partition on the
//! executors, with the current weights and the IDF shipped inside the plan as literals, and
//! only the sums come back. Training starts from zero weights and the sums are exact
//! (fixed-point), so the same features and options give the same model bit for bit, whatever
//! the cluster's size.

use std::sync::Arc;
use std::time::Instant;

use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{Float64Type, Int64Type};
use datafusion::execution::FunctionRegistry;
use datafusion::functions_aggregate::expr_fn::count;
use datafusion::prelude::{DataFrame, SessionContext, col, lit, when};
use ndarray::Array1;
use reviewlake_cluster::lakehouse::{At, Lakehouse, TableName};
use reviewlake_udfs::logistic::smooth_idf;
use reviewlake_udfs::udf::vector_literal;

use super::columns::primitives;
use super::evaluate::evaluate_model;
use super::features::feature_set;
use super::lbfgs::{Evaluation, LbfgsOptions, Minimum, minimize};
use super::metrics::BinaryMetrics;
use super::registry::{ModelRecord, register_model};
use super::{FEATURES_TABLE, MlError};
use crate::scope::JobScope;

/// The name of training's cluster jobs (the scheduler's job list shows it).
pub const GRADIENT_JOB_NAME: &str = "reviewlake ml train";

/// How the two classes are weighted in the loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassWeight {
    /// Each class weighs half of the loss (`n / (2 · n_class)` per row): nothing is thrown away.
    Balanced,
    /// Every row weighs 1.
    Uniform,
}

impl ClassWeight {
    /// The name in flags and in `ml.models`.
    pub fn name(self) -> &'static str {
        match self {
            ClassWeight::Balanced => "balanced",
            ClassWeight::Uniform => "none",
        }
    }
}

impl std::str::FromStr for ClassWeight {
    type Err = MlError;

    fn from_str(text: &str) -> Result<Self, MlError> {
        match text {
            "balanced" => Ok(ClassWeight::Balanced),
            "none" => Ok(ClassWeight::Uniform),
            other => Err(MlError::InvalidOption {
                option: "--class-weight",
                value: other.to_string(),
                reason: "use balanced or none".into(),
            }),
        }
    }
}

/// What `ml train` did.
#[derive(Debug, Clone)]
pub struct TrainMetrics {
    /// The registered model.
    pub model: ModelRecord,
    /// Its metrics on the test split.
    pub test: BinaryMetrics,
    /// Mean wall time of one loss-and-gradient job.
    pub seconds_per_evaluation: f64,
    /// Training rows per second of one gradient job (mean over the run).
    pub rows_per_second: f64,
}

/// The `ml train` job, configured by its `with_*` methods and run by [`TrainJob::execute`].
#[derive(Debug, Clone)]
#[must_use = "a training job does nothing until executed"]
pub struct TrainJob {
    features_version: Option<u64>,
    reg: f64,
    max_iter: usize,
    class_weight: ClassWeight,
}

impl Default for TrainJob {
    fn default() -> Self {
        Self { features_version: None, reg: 1e-5, max_iter: 100, class_weight: ClassWeight::Balanced }
    }
}

impl TrainJob {
    /// The defaults: latest features, L2 1e-5, at most 100 iterations, balanced classes.
    pub fn new() -> Self {
        Self::default()
    }

    /// Train on this `ml.features` version instead of the latest.
    pub fn with_features_version(mut self, version: Option<u64>) -> Self {
        self.features_version = version;
        self
    }

    /// The L2 regularisation strength (≥ 0).
    pub fn with_reg(mut self, reg: f64) -> Self {
        self.reg = reg;
        self
    }

    /// At most this many L-BFGS iterations.
    pub fn with_max_iter(mut self, max_iter: usize) -> Self {
        self.max_iter = max_iter;
        self
    }

    /// How the classes are weighted.
    pub fn with_class_weight(mut self, class_weight: ClassWeight) -> Self {
        self.class_weight = class_weight;
        self
    }

    fn options(&self) -> FitOptions {
        FitOptions { reg: self.reg, max_iter: self.max_iter, class_weight: self.class_weight }
    }

    /// Trains, evaluates on the test split and registers the model.
    pub async fn execute(self, ctx: &SessionContext, lake: &Lakehouse) -> Result<TrainMetrics, MlError> {
        self.options().check()?;
        let started = Instant::now();
        let set = feature_set(ctx, lake, self.features_version).await?;
        let scope = JobScope::named(ctx, GRADIENT_JOB_NAME);
        let name = TableName { at: Some(At::Version(set.features_version)), ..FEATURES_TABLE.parse()? };
        scope.ctx().register_table("features", Arc::new(lake.provider(&name).await?))?;
        let features = scope.ctx().table("features").await?;
        let train = features.clone().filter(col("split").eq(lit("train")))?;
        let described = format!("{FEATURES_TABLE} version {}", set.features_version);

        let fitted = fit(scope.ctx(), train, &described, set.num_features, &self.options()).await?;
        let (idf, coefficients, minimum, rows) = (fitted.idf, fitted.coefficients, fitted.minimum, fitted.rows);
        let (job_seconds, jobs) = (fitted.job_seconds, fitted.jobs);
        let reg = self.reg;
        let training_seconds = started.elapsed().as_secs_f64();

        let test = features.filter(col("split").eq(lit("test")))?;
        let model_id = model_id(&coefficients);
        let metrics = evaluate_model(scope.ctx(), &model_id, test, &idf, &coefficients).await?;
        let model = ModelRecord {
            model_id,
            created_at: chrono::Utc::now().timestamp_micros(),
            label_mode: set.label_mode.name().to_string(),
            features_version: set.features_version,
            silver_version: set.silver_version,
            num_features: set.num_features,
            ngrams: set.ngrams,
            reg,
            max_iter: self.max_iter as i32,
            class_weight: self.class_weight.name().to_string(),
            training_rows: rows,
            test_rows: metrics.rows,
            iterations: minimum.iterations as i32,
            evaluations: minimum.evaluations as i32,
            converged: minimum.converged(),
            stop_reason: minimum.reason.to_string(),
            final_loss: minimum.loss,
            gradient_norm: minimum.gradient_norm,
            training_seconds,
            auc: metrics.auc,
            accuracy: metrics.accuracy,
            log_loss: metrics.log_loss,
        };
        register_model(lake, &model, &idf, &coefficients, &metrics).await?;
        let evaluations = jobs.max(1) as f64;
        Ok(TrainMetrics {
            model,
            test: metrics,
            seconds_per_evaluation: job_seconds / evaluations,
            rows_per_second: rows as f64 * evaluations / job_seconds.max(f64::MIN_POSITIVE),
        })
    }
}

/// How one model is fitted.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FitOptions {
    pub(crate) reg: f64,
    pub(crate) max_iter: usize,
    pub(crate) class_weight: ClassWeight,
}

impl FitOptions {
    /// The options' ranges.
    pub(crate) fn check(&self) -> Result<(), MlError> {
        if !(self.reg >= 0.0 && self.reg.is_finite()) {
            return Err(MlError::InvalidOption {
                option: "--reg",
                value: self.reg.to_string(),
                reason: "use a finite number ≥ 0".into(),
            });
        }
        if self.max_iter == 0 {
            return Err(MlError::InvalidOption {
                option: "--max-iter",
                value: "0".into(),
                reason: "use at least 1".into(),
            });
        }
        Ok(())
    }
}

/// A model fitted on some rows of `ml.features`.
pub(crate) struct Fitted {
    pub(crate) idf: Vec<f64>,
    pub(crate) coefficients: Vec<f64>,
    pub(crate) minimum: Minimum,
    /// Rows trained on.
    pub(crate) rows: u64,
    /// Wall time of the loss-and-gradient jobs, and their number.
    pub(crate) job_seconds: f64,
    pub(crate) jobs: usize,
}

/// Fits IDF and the regularised logistic regression on `train` (rows of `ml.features`,
/// `described` in errors) with one distributed job per evaluation.
pub(crate) async fn fit(
    ctx: &SessionContext,
    train: DataFrame,
    described: &str,
    num_features: i32,
    options: &FitOptions,
) -> Result<Fitted, MlError> {
    let (negatives, positives) = class_counts(train.clone()).await?;
    let unusable = |reason: String| MlError::TrainingData { features: described.to_string(), reason };
    if negatives + positives == 0 {
        return Err(unusable("the training split is empty".into()));
    }
    if negatives == 0 || positives == 0 {
        return Err(unusable(format!(
            "the training split holds one class only ({positives} positive, {negatives} negative rows)"
        )));
    }
    let idf = fit_idf(ctx, train.clone(), num_features).await?;
    let idf_literal = vector_literal(&idf);
    let rows = negatives + positives;
    let (negative_weight, positive_weight) = match options.class_weight {
        ClassWeight::Balanced => (rows as f64 / (2.0 * negatives as f64), rows as f64 / (2.0 * positives as f64)),
        ClassWeight::Uniform => (1.0, 1.0),
    };
    let weighted = train.select(vec![
        col("features"),
        col("label"),
        when(col("label").eq(lit(1.0)), lit(positive_weight)).otherwise(lit(negative_weight))?.alias("weight"),
    ])?;

    let gradient = ctx.udaf("logistic_gradient")?;
    let dimension = num_features as usize;
    let reg = options.reg;
    let mut job_seconds = 0.0;
    let mut jobs = 0usize;
    let objective = async |x: &Array1<f64>| -> Result<Evaluation, MlError> {
        let job_started = Instant::now();
        let coefficients = vector_literal(x.as_slice().ok_or(MlError::UnexpectedResult("the weights"))?);
        let sums = weighted
            .clone()
            .aggregate(
                vec![],
                vec![
                    gradient
                        .call(vec![
                            col("features"),
                            col("label"),
                            col("weight"),
                            lit(idf_literal.clone()),
                            lit(coefficients),
                        ])
                        .alias("sums"),
                ],
            )?
            .collect()
            .await?;
        let evaluation = regularised(&sums, x, dimension, reg)?;
        let seconds = job_started.elapsed().as_secs_f64();
        job_seconds += seconds;
        jobs += 1;
        tracing::info!(
            evaluation = jobs,
            loss = evaluation.loss,
            seconds,
            rows_per_second = rows as f64 / seconds,
            "loss and gradient evaluated on the cluster"
        );
        Ok(evaluation)
    };
    let lbfgs = LbfgsOptions { max_iterations: options.max_iter, ..LbfgsOptions::default() };
    let minimum = minimize(Array1::zeros(dimension + 1), &lbfgs, objective, |report| {
        tracing::info!(
            iteration = report.iteration,
            evaluations = report.evaluations,
            loss = report.loss,
            gradient_norm = report.gradient_norm,
            step = report.step,
            "L-BFGS iteration"
        );
    })
    .await
    .map_err(|e| MlError::Optimiser(e.to_string()))?;
    let coefficients = minimum.x.to_vec();
    Ok(Fitted { idf, coefficients, minimum, rows, job_seconds, jobs })
}

/// Rows per label of the training split: (negatives, positives).
async fn class_counts(train: DataFrame) -> Result<(u64, u64), MlError> {
    let batches = train.aggregate(vec![col("label")], vec![count(lit(1)).alias("rows")])?.collect().await?;
    let (mut negatives, mut positives) = (0, 0);
    for batch in &batches {
        let labels = primitives::<Float64Type>(batch, "label", "the class counts")?;
        let rows = primitives::<Int64Type>(batch, "rows", "the class counts")?;
        for (label, rows) in labels.into_iter().zip(rows) {
            let rows = rows.unwrap_or(0) as u64;
            if label == Some(1.0) { positives += rows } else { negatives += rows }
        }
    }
    Ok((negatives, positives))
}

/// Spark's smoothed IDF of every bucket over the training split, from one distributed
/// `document_frequencies` job.
async fn fit_idf(ctx: &SessionContext, train: DataFrame, num_features: i32) -> Result<Vec<f64>, MlError> {
    let frequencies = ctx.udaf("document_frequencies")?;
    let batches = train
        .aggregate(vec![], vec![frequencies.call(vec![col("features"), lit(num_features as i64)]).alias("df")])?
        .collect()
        .await?;
    let batch = batches.iter().find(|b| b.num_rows() > 0).ok_or(MlError::UnexpectedResult("document_frequencies"))?;
    let df = batch.column(0).as_struct_opt().ok_or(MlError::UnexpectedResult("document_frequencies"))?;
    let documents = df.column_by_name("documents").ok_or(MlError::UnexpectedResult("document_frequencies"))?;
    let documents =
        documents.as_primitive_opt::<Int64Type>().ok_or(MlError::UnexpectedResult("document_frequencies"))?;
    let counts = df.column_by_name("counts").ok_or(MlError::UnexpectedResult("document_frequencies"))?;
    let counts = counts.as_list_opt::<i32>().ok_or(MlError::UnexpectedResult("document_frequencies"))?.value(0);
    let counts = counts.as_primitive_opt::<Int64Type>().ok_or(MlError::UnexpectedResult("document_frequencies"))?;
    let documents = documents.value(0) as u64;
    Ok(counts.values().iter().map(|&frequency| smooth_idf(documents, frequency as u64)).collect())
}

/// The objective at `x` from one job's sums: mean weighted log-loss plus `reg / 2 · ‖w‖²`, and
/// its gradient (the intercept, last, is not penalised).
fn regularised(sums: &[RecordBatch], x: &Array1<f64>, dimension: usize, reg: f64) -> Result<Evaluation, MlError> {
    const WHAT: &str = "logistic_gradient";
    let batch = sums.iter().find(|b| b.num_rows() > 0).ok_or(MlError::UnexpectedResult(WHAT))?;
    let sums = batch.column(0).as_struct_opt().ok_or(MlError::UnexpectedResult(WHAT))?;
    let field = |name: &str| sums.column_by_name(name).cloned().ok_or(MlError::UnexpectedResult(WHAT));
    let single = |name: &str| -> Result<f64, MlError> {
        let column = field(name)?;
        let values = column.as_primitive_opt::<Float64Type>().ok_or(MlError::UnexpectedResult(WHAT))?;
        if values.is_null(0) { Err(MlError::UnexpectedResult(WHAT)) } else { Ok(values.value(0)) }
    };
    let (loss, weight) = (single("loss")?, single("weight")?);
    let gradient = field("gradient")?;
    let gradient = gradient.as_list_opt::<i32>().ok_or(MlError::UnexpectedResult(WHAT))?.value(0);
    let gradient = gradient.as_primitive_opt::<Float64Type>().ok_or(MlError::UnexpectedResult(WHAT))?;
    if gradient.len() != dimension + 1 || gradient.null_count() > 0 || !(weight > 0.0) {
        return Err(MlError::UnexpectedResult(WHAT));
    }
    let weights = x.slice(ndarray::s![..dimension]);
    let loss = loss / weight + 0.5 * reg * weights.dot(&weights);
    let mut gradient = Array1::from_iter(gradient.values().iter().map(|g| g / weight));
    gradient.slice_mut(ndarray::s![..dimension]).scaled_add(reg, &weights);
    Ok(Evaluation { loss, gradient })
}

/// A model id that says when it was trained and tells different weights apart:
/// `lr-YYYYMMDDTHHMMSS-` and 8 hex digits of a hash of the coefficients' bits.
fn model_id(coefficients: &[f64]) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for c in coefficients {
        c.to_bits().hash(&mut hasher);
    }
    format!("lr-{}-{:08x}", chrono::Utc::now().format("%Y%m%dT%H%M%S"), hasher.finish() as u32)
}
