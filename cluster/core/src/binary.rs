//! The edge every reviewlake binary shares: the tokio runtime, the allocator's arena cap, the
//! scratch folder, logging, and how a configuration or run error becomes an exit code.

use crate::config;
use crate::{logging, scratch};

/// The tokio runtime every binary runs on: multi-threaded, with the 32 MiB thread stacks that
/// deep DataFusion plans need.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(32 * 1024 * 1024)
        .build()
        .expect("a tokio runtime starts")
}

/// glibc's allocator gives each thread that meets contention an arena of its own (up to 8 per
/// core) and hands little of them back: at 10M reviews an executor reached 4.6 GiB of RSS while
/// its memory pool allowed 2 GiB. Two arenas kept the peak at 3.5 GiB, no slower. A
/// `MALLOC_ARENA_MAX` set in the environment still wins.
fn cap_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        const ARENAS: libc::c_int = 2;
        // SAFETY: mallopt only sets an allocator parameter; no other thread exists yet.
        unsafe { libc::mallopt(libc::M_ARENA_MAX, ARENAS) };
    }
}

/// The edge of every reviewlake binary: a configuration error is one line and exit code 2;
/// otherwise the allocator's arenas are capped, logging starts, `main` runs on [`runtime`], and
/// its error is one line (with its causes) and exit code 1.
///
/// ```no_run
/// use reviewlake_core::config::SettingsLoader;
/// fn main() -> std::process::ExitCode {
///     reviewlake_core::run_binary("example", SettingsLoader::new().load(), |settings| async move {
///         println!("scheduler port {}", settings.scheduler.port);
///         Ok::<(), std::io::Error>(())
///     })
/// }
/// ```
pub fn run_binary<F, Fut, E>(
    program: &str,
    settings: Result<config::Settings, config::ConfigError>,
    main: F,
) -> std::process::ExitCode
where
    F: FnOnce(config::Settings) -> Fut,
    Fut: Future<Output = Result<(), E>>,
    E: Into<anyhow::Error>,
{
    let settings = match settings {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("{program}: {error}");
            return std::process::ExitCode::from(2);
        }
    };
    cap_malloc_arenas();
    let scratch = scratch::enter(program);
    logging::init(&settings.log.level);
    let outcome = runtime().block_on(main(settings));
    // The runtime is gone, so nothing writes to the scratch folder any more.
    drop(scratch);
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{program}: {:#}", error.into());
            std::process::ExitCode::FAILURE
        }
    }
}
