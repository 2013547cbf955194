//! Logistic regression over hashed term frequencies: the arithmetic of training and scoring,
//! over plain slices.
//!
//! Training is distributed: every evaluation of the loss and its gradient is one query, whose
//! aggregate (`logistic_gradient`) adds [`GradientSums`] over the rows of each partition and
//! merges the partitions' sums; the client divides, regularises and takes the optimiser's step.
//! The idf weights come from [`DocumentFrequencies`] and [`smooth_idf`]. The model reaches the
//! executors as text ([`encode_vector`]) inside the plan.
//!
//! | item | use |
//! |---|---|
//! | [`LogisticModel`] | the row transform (tf·idf, L2-normalised) and the margin |
//! | [`GradientSums`] | Σ loss and Σ gradient over rows, exact ([`ExactSum`]) and mergeable in any order |
//! | [`DocumentFrequencies`], [`smooth_idf`] | Spark ML's idf |
//! | [`sigmoid`], [`log1p_exp`] | the overflow-free logistic function and softplus |
//! | [`encode_vector`], [`decode_vector`] | vectors as base64 text |
//!
//! ```
//! use reviewlake_udfs::logistic::{GradientSums, LogisticModel, decode_vector, encode_vector};
//! let (idf, coefficients) = (encode_vector(&[1.0, 2.0]), encode_vector(&[0.5, -0.5, 0.0]));
//! let (idf, coefficients) = (decode_vector(&idf).unwrap(), decode_vector(&coefficients).unwrap());
//! let model = LogisticModel::new(&idf, &coefficients).unwrap();
//! let mut sums = GradientSums::new(model.num_features());
//! sums.add_row(&model, &[0, 1], &[2.0, 1.0], 1.0, 1.0).unwrap();
//! assert_eq!(sums.rows(), 1);
//! ```

mod exact;
mod kernel;
mod vector;

pub use exact::{ExactSum, MAX_TERM};
pub use kernel::{DocumentFrequencies, GradientSums, LogisticModel, ModelError, log1p_exp, sigmoid, smooth_idf};
pub use vector::{VectorError, decode_vector, encode_vector};
