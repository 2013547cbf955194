//! What every reviewlake crate and binary builds on: the layered [`config`], logging, the
//! process's scratch folder, the runtime and exit-code edge of a binary ([`run_binary`]),
//! object-store clients built from the settings ([`stores`]), error-chain helpers and generic
//! helpers such as [`bin_pack`].
//!
//! It knows nothing of DataFusion, Delta or Ballista, so every other reviewlake crate can
//! depend on it.

mod binary;
pub mod config;
pub mod error;
pub mod logging;
mod pack;
pub mod scratch;
pub mod stores;

pub use binary::{run_binary, runtime};
pub use error::root_cause;
pub use pack::bin_pack;
