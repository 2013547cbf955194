//! Machine-learning features: `tokenize(text)`, `hash_features(tokens, num_features)`.

mod hash_features;
mod tokenize;

pub use hash_features::{HashFeatures, hash_features_type};
pub use tokenize::Tokenize;
