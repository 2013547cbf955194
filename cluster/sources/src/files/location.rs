//! [`SourceLocation`]: a local folder or an S3 prefix, as given on the command line.

use std::path::PathBuf;

use super::error::SourceError;

/// Where a source is.
///
/// ```
/// use reviewlake_sources::SourceLocation;
/// let s3: SourceLocation = "s3://raw/amazon".parse().unwrap();
/// assert_eq!(s3.join("amazon_reviews").to_string(), "s3://raw/amazon/amazon_reviews");
/// let local: SourceLocation = "data".parse().unwrap();
/// assert_eq!(local.join("amazon_reviews").to_string(), "data/amazon_reviews");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceLocation {
    /// A folder on the local file system.
    Local(PathBuf),
    /// Every object under `prefix` (no leading or trailing `/`) in `bucket`.
    S3 {
        /// The bucket.
        bucket: String,
        /// The key prefix; empty for the whole bucket.
        prefix: String,
    },
}

impl std::str::FromStr for SourceLocation {
    type Err = SourceError;

    fn from_str(text: &str) -> Result<Self, SourceError> {
        let invalid = |reason: &str| SourceError { source_name: text.to_string(), reason: reason.to_string() };
        if let Some(rest) = text.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err(invalid("no bucket name"));
            }
            return Ok(Self::S3 { bucket: bucket.to_string(), prefix: prefix.trim_matches('/').to_string() });
        }
        match text.strip_prefix("file://") {
            Some(path) => Ok(Self::Local(PathBuf::from(path))),
            None if text.contains("://") => {
                Err(invalid("unsupported scheme; use a path, file:///abs/path or s3://bucket/prefix"))
            }
            None => Ok(Self::Local(PathBuf::from(text))),
        }
    }
}

impl std::fmt::Display for SourceLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Local(path) => write!(f, "{}", path.display()),
            Self::S3 { bucket, prefix } if prefix.is_empty() => write!(f, "s3://{bucket}"),
            Self::S3 { bucket, prefix } => write!(f, "s3://{bucket}/{prefix}"),
        }
    }
}

impl SourceLocation {
    /// The location of `child` inside this one.
    pub fn join(&self, child: &str) -> Self {
        match self {
            Self::Local(path) => Self::Local(path.join(child)),
            Self::S3 { bucket, prefix } if prefix.is_empty() => {
                Self::S3 { bucket: bucket.clone(), prefix: child.into() }
            }
            Self::S3 { bucket, prefix } => Self::S3 { bucket: bucket.clone(), prefix: format!("{prefix}/{child}") },
        }
    }
}
