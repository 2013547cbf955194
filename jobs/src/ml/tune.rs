//! `ml tune`: k-fold cross-validation over the number of hash buckets × the regularisation
//! strength on the training split, then the final model with the best pair.
//!
//! The folds are the training rows' split bucket modulo k (the same seeded hash as the split),
//! so they are reproducible and independent of partitioning. Every fold's model fits its IDF on
//! its own training folds and is scored on the held-out fold; candidates are ranked by mean
//! validation AUC. The test split is never looked at until the final model, trained by
//! [`TrainJob`] on the whole training split of the winning bucket count, is evaluated.

use std::sync::Arc;

use datafusion::prelude::{SessionContext, col, lit};
use reviewlake_cluster::lakehouse::{At, Lakehouse, TableName};

use super::evaluate::evaluate_model;
use super::features::{FeaturesJob, feature_set};
use super::train::{ClassWeight, FitOptions, GRADIENT_JOB_NAME, TrainJob, TrainMetrics, fit};
use super::{FEATURES_TABLE, MlError};
use crate::scope::JobScope;

/// One candidate's cross-validation result.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Hash buckets.
    pub num_features: i32,
    /// L2 regularisation.
    pub reg: f64,
    /// Validation AUC of each fold.
    pub fold_aucs: Vec<f64>,
}

impl Candidate {
    /// The mean validation AUC.
    pub fn mean_auc(&self) -> f64 {
        self.fold_aucs.iter().sum::<f64>() / self.fold_aucs.len().max(1) as f64
    }
}

/// What `ml tune` did.
#[derive(Debug, Clone)]
pub struct TuneMetrics {
    /// Every candidate, in grid order.
    pub candidates: Vec<Candidate>,
    /// The winner's index in `candidates`.
    pub best: usize,
    /// The final model, trained with the winner's options and registered.
    pub model: TrainMetrics,
}

/// The `ml tune` job, configured by its `with_*` methods and run by [`TuneJob::execute`].
#[derive(Debug, Clone)]
#[must_use = "a tuning job does nothing until executed"]
pub struct TuneJob {
    folds: usize,
    num_features: Vec<i32>,
    regs: Vec<f64>,
    max_iter: usize,
    class_weight: ClassWeight,
}

impl Default for TuneJob {
    fn default() -> Self {
        Self {
            folds: 3,
            num_features: vec![1 << 16, 1 << 18],
            regs: vec![1e-6, 1e-5, 1e-4],
            max_iter: 100,
            class_weight: ClassWeight::Balanced,
        }
    }
}

impl TuneJob {
    /// The defaults: 3 folds over 2^16 and 2^18 buckets × L2 1e-6, 1e-5 and 1e-4.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of folds (2 to 10).
    pub fn with_folds(mut self, folds: usize) -> Self {
        self.folds = folds;
        self
    }

    /// Bucket counts to try.
    pub fn with_num_features(mut self, num_features: Vec<i32>) -> Self {
        self.num_features = num_features;
        self
    }

    /// Regularisation strengths to try.
    pub fn with_regs(mut self, regs: Vec<f64>) -> Self {
        self.regs = regs;
        self
    }

    /// At most this many L-BFGS iterations per fit.
    pub fn with_max_iter(mut self, max_iter: usize) -> Self {
        self.max_iter = max_iter;
        self
    }

    /// How the classes are weighted.
    pub fn with_class_weight(mut self, class_weight: ClassWeight) -> Self {
        self.class_weight = class_weight;
        self
    }

    /// Cross-validates every candidate on the latest features' parameters (label, n-grams,
    /// split), writing `ml.features` again for each bucket count, then trains, evaluates and
    /// registers the final model.
    pub async fn execute(self, ctx: &SessionContext, lake: &Lakehouse) -> Result<TuneMetrics, MlError> {
        if !(2..=10).contains(&self.folds) {
            return Err(MlError::InvalidOption {
                option: "--folds",
                value: self.folds.to_string(),
                reason: "use 2 to 10".into(),
            });
        }
        if self.num_features.is_empty() || self.regs.is_empty() {
            return Err(MlError::InvalidOption {
                option: "--num-features / --reg",
                value: String::new(),
                reason: "give at least one value of each".into(),
            });
        }
        for &reg in &self.regs {
            FitOptions { reg, max_iter: self.max_iter, class_weight: self.class_weight }.check()?;
        }
        let base = feature_set(ctx, lake, None).await?;
        let features_of = |num_features: i32| {
            FeaturesJob::new()
                .with_label_mode(base.label_mode)
                .with_num_features(num_features)
                .with_ngrams(base.ngrams)
                .with_test_fraction(base.test_fraction)
                .with_seed(base.seed)
        };
        let mut versions = Vec::new();
        let mut candidates = Vec::new();
        for &num_features in &self.num_features {
            let version = if num_features == base.num_features {
                base.features_version
            } else {
                features_of(num_features).execute(ctx, lake).await?.set.features_version
            };
            versions.push(version);
            let scope = JobScope::named(ctx, GRADIENT_JOB_NAME);
            let name = TableName { at: Some(At::Version(version)), ..FEATURES_TABLE.parse()? };
            scope.ctx().register_table("features", Arc::new(lake.provider(&name).await?))?;
            let train = scope.ctx().table("features").await?.filter(col("split").eq(lit("train")))?;
            for &reg in &self.regs {
                let options = FitOptions { reg, max_iter: self.max_iter, class_weight: self.class_weight };
                let mut fold_aucs = Vec::with_capacity(self.folds);
                for fold in 0..self.folds {
                    let in_fold = (col("bucket") % lit(self.folds as i32)).eq(lit(fold as i32));
                    let described = format!("{FEATURES_TABLE} version {version}, fold {fold} of {}", self.folds);
                    let fitted =
                        fit(scope.ctx(), train.clone().filter(!in_fold.clone())?, &described, num_features, &options)
                            .await?;
                    let held_out = train.clone().filter(in_fold)?;
                    let metrics =
                        evaluate_model(scope.ctx(), &described, held_out, &fitted.idf, &fitted.coefficients).await?;
                    tracing::info!(num_features, reg, fold, auc = metrics.auc, "fold validated");
                    fold_aucs.push(metrics.auc);
                }
                candidates.push(Candidate { num_features, reg, fold_aucs });
            }
        }
        // The first of equal means wins: the grid's order (fewer buckets, less regularisation
        // first) breaks ties.
        let best = (0..candidates.len())
            .fold(0, |best, i| if candidates[i].mean_auc() > candidates[best].mean_auc() { i } else { best });
        let winner = &candidates[best];
        let version = versions[self.num_features.iter().position(|&n| n == winner.num_features).unwrap_or(0)];
        let model = TrainJob::new()
            .with_features_version(Some(version))
            .with_reg(winner.reg)
            .with_max_iter(self.max_iter)
            .with_class_weight(self.class_weight)
            .execute(ctx, lake)
            .await?;
        Ok(TuneMetrics { candidates, best, model })
    }
}
