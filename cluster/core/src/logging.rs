//! Logging set-up shared by the binaries.

use tracing_subscriber::EnvFilter;

/// Installs a `tracing` subscriber writing to stderr. `RUST_LOG`, when set, wins over `level`
/// (the `log.level` setting).
///
/// ```
/// reviewlake_core::logging::init("warn");
/// tracing::info!("not shown at warn");
/// ```
pub fn init(level: &str) {
    let filter = std::env::var(EnvFilter::DEFAULT_ENV)
        .ok()
        .and_then(|value| EnvFilter::try_new(value).ok())
        .or_else(|| EnvFilter::try_new(level).ok())
        .unwrap_or_else(|| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(false).try_init();
}
