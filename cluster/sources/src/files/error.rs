//! [`SourceError`]: a source that cannot be named or listed.

/// Errors of listing a source.
#[derive(Debug, thiserror::Error)]
#[error("cannot list source {source_name}: {reason}")]
pub struct SourceError {
    /// The source as given (or the folder inside it that failed).
    pub source_name: String,
    /// The reason.
    pub reason: String,
}
