//! Sentiment models trained on the cluster: features from silver reviews, distributed
//! logistic-regression training with a client-side L-BFGS, honest evaluation on a held-out
//! split, and a registry of the models in the lakehouse.
//!
//! - [`features`] writes `ml.features` (hashed term frequencies, label, a seeded split) and
//!   records its parameters in `ml.feature_sets`;
//! - [`train`] fits IDF on the training split only, then minimises the regularised log-loss:
//!   every loss-and-gradient evaluation is one Ballista job whose `logistic_gradient` aggregate
//!   runs on the executors, the model travelling inside the plan; only the sums come back;
//! - [`tune`] cross-validates bucket counts × regularisation on the training split (k folds)
//!   and trains the winner;
//! - [`evaluate`] scores the test split on the cluster and computes exact metrics from the
//!   counts per distinct score ([`metrics`]);
//! - [`registry`] keeps `ml.models`, `ml.model_weights`, `ml.model_metrics` and `ml.model_roc`.

mod columns;
pub mod evaluate;
pub mod features;
pub mod lbfgs;
pub mod metrics;
pub mod registry;
pub mod train;
pub mod tune;

use reviewlake_cluster::lakehouse::LakehouseError;

pub use evaluate::evaluate_model;
pub use features::{FeatureSet, FeaturesJob, FeaturesMetrics, LabelMode};
pub use registry::{ModelRecord, list_models, show_model};
pub use train::{ClassWeight, TrainJob, TrainMetrics};
pub use tune::{Candidate, TuneJob, TuneMetrics};

/// The features of every labelled silver review (one version per `ml features` run).
pub const FEATURES_TABLE: &str = "ml.features";
/// The parameters of each `ml.features` version.
pub const FEATURE_SETS_TABLE: &str = "ml.feature_sets";
/// One row per trained model: parameters, inputs, training figures and headline metrics.
pub const MODELS_TABLE: &str = "ml.models";
/// Each model's coefficients and IDF weights, one row per feature.
pub const MODEL_WEIGHTS_TABLE: &str = "ml.model_weights";
/// Each model's test-split metrics, one row per metric (and class).
pub const MODEL_METRICS_TABLE: &str = "ml.model_metrics";
/// Each model's ROC curve on the test split, for the dashboard.
pub const MODEL_ROC_TABLE: &str = "ml.model_roc";

/// Errors of the ML jobs.
#[derive(Debug, thiserror::Error)]
pub enum MlError {
    /// A lakehouse table could not be read or written.
    #[error(transparent)]
    Lakehouse(#[from] LakehouseError),
    /// A query failed.
    #[error(transparent)]
    DataFusion(#[from] datafusion::error::DataFusionError),
    /// Arrow data of an unexpected shape.
    #[error(transparent)]
    Arrow(#[from] datafusion::arrow::error::ArrowError),
    /// An option is out of its range.
    #[error("{option} = {value}: {reason}")]
    InvalidOption {
        /// The option's flag.
        option: &'static str,
        /// The value given.
        value: String,
        /// What is allowed.
        reason: String,
    },
    /// The training data cannot train a model.
    #[error("cannot train on {features}: {reason}")]
    TrainingData {
        /// The features table and version.
        features: String,
        /// What is wrong with it.
        reason: String,
    },
    /// `ml.features` has no version made by `ml features` (or not the one asked for).
    #[error("{0}")]
    NoFeatures(String),
    /// No model with this id is registered.
    #[error("no model {0:?} in ml.models (`reviewlake ml list` shows the registered models)")]
    UnknownModel(String),
    /// The optimiser failed.
    #[error("training failed: {0}")]
    Optimiser(String),
    /// The test split cannot be evaluated.
    #[error("evaluating {model}: {source}")]
    Metrics {
        /// The model.
        model: String,
        /// Why.
        #[source]
        source: metrics::MetricsError,
    },
    /// A job returned a result of an unexpected shape.
    #[error("unexpected result of {0}")]
    UnexpectedResult(&'static str),
}
