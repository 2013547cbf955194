//! Helpers for reporting error chains.

/// The innermost message of an error chain ("Connection refused" rather than "error sending request").
///
/// ```
/// let error = std::io::Error::other(std::io::Error::other("Connection refused"));
/// assert_eq!(reviewlake_core::root_cause(&error), "Connection refused");
/// ```
pub fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(source) = current.source() {
        current = source;
    }
    current.to_string()
}
