//! What to generate, and why generation can fail.

use std::io;
use std::path::PathBuf;

use super::ids::ASIN_SPACE;

/// What [`generate`] writes.
///
/// ```
/// use reviewlake_jobs::generate::{GenerateOptions, generate};
///
/// let out = tempfile::tempdir()?;
/// let options = GenerateOptions { reviews: 1_000, products: 20, out: out.path().to_path_buf(), seed: 7, files: 2 };
/// let report = generate(&options)?;
/// assert_eq!(report.review_lines, 1_000);
/// assert_eq!(report.review_files.len(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateOptions {
    /// Review lines to write in total, malformed and duplicate lines included.
    pub reviews: u64,
    /// Distinct products (metadata asins); reviews refer only to these.
    pub products: u64,
    /// Output root; `amazon_reviews/` and `amazon_metadata/` are created under it.
    pub out: PathBuf,
    /// Seed of every random choice: the same options give byte-identical files.
    pub seed: u64,
    /// Review partitions; metadata gets `max(1, files / 2)` partitions.
    pub files: u32,
}

/// Why [`generate`] failed.
///
/// ```
/// use reviewlake_jobs::generate::{GenerateError, GenerateOptions, generate};
///
/// let options = GenerateOptions { reviews: 10, products: 0, out: "unused".into(), seed: 1, files: 1 };
/// assert!(matches!(generate(&options), Err(GenerateError::InvalidOptions(_))));
/// ```
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// Options that cannot produce a data set; nothing was written.
    #[error("invalid options: {0}")]
    InvalidOptions(String),
    /// A partition directory could not be created.
    #[error("cannot create directory {path}")]
    CreateDirectory {
        /// The directory.
        path: PathBuf,
        /// The system's reason.
        #[source]
        source: io::Error,
    },
    /// A data or marker file could not be written.
    #[error("cannot write {path}")]
    WriteFile {
        /// The file.
        path: PathBuf,
        /// The system's reason.
        #[source]
        source: io::Error,
    },
}

pub(super) fn validate(options: &GenerateOptions) -> Result<(), GenerateError> {
    let invalid = |reason: &str| Err(GenerateError::InvalidOptions(reason.to_owned()));
    if options.files == 0 {
        return invalid("files must be at least 1");
    }
    if options.reviews > 0 && options.products == 0 {
        return invalid("reviews need products to refer to: products must be at least 1");
    }
    if options.products > ASIN_SPACE {
        return invalid("more products than distinct 10-character asins (36^7)");
    }
    Ok(())
}
