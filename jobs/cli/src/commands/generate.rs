//! `reviewlake gen`: write a synthetic data set in the batch layout.

use std::time::Instant;

use reviewlake_jobs::generate::{GenerateOptions, generate};

/// Generates the data set `options` describes and prints what was written, and how fast.
pub(crate) fn run(options: GenerateOptions) -> anyhow::Result<()> {
    let started = Instant::now();
    let report = generate(&options)?;
    crate::output::print_generated(&report, &options.out, started.elapsed().as_secs_f64());
    Ok(())
}
