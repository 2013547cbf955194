//! Machine learning: the features `tokenize(text)`, `feature_terms(text, ngram_max)` and
//! `hash_features(tokens, num_features)`;
//! the training aggregates `document_frequencies(features, num_features)` and
//! `logistic_gradient(features, label, weight, idf, coefficients)`; and the scoring function
//! `logistic_score(features, idf, coefficients)`.

mod document_frequencies;
mod feature_terms;
mod hash_features;
mod logistic_gradient;
mod logistic_score;
mod model_args;
mod tokenize;

pub use document_frequencies::{DocumentFrequencies, document_frequencies_type};
pub use feature_terms::FeatureTerms;
pub use hash_features::{HashFeatures, hash_features_type};
pub use logistic_gradient::{LogisticGradient, logistic_gradient_type};
pub use logistic_score::LogisticScore;
pub use model_args::vector_literal;
pub use tokenize::Tokenize;
