//! `reviewlake functions`: the reviewlake SQL functions.

/// Prints the name of every reviewlake SQL function, one a line.
pub(crate) fn run() {
    crate::output::print_lines(reviewlake_cluster::functions::names());
}
