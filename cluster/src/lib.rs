//! What every reviewlake node shares: the layered [`config`], the session and function
//! registry setup of all three roles ([`functions`], [`session`], [`scheduler`], [`executor`]),
//! the scheduler's shared [`catalog`] and [`operator_api`], SQL scripts ([`sql`]) and the
//! operator commands for local multi-process clusters ([`ops`]).
//!
//! The binaries (`reviewlake-scheduler`, `reviewlake-executor`, `reviewlake`) are thin layers
//! over this crate.

pub mod catalog;
pub mod config;
pub mod executor;
pub mod functions;
pub mod logging;
pub mod operator_api;
pub mod ops;
pub mod scheduler;
pub mod session;
pub mod sql;

/// The tokio runtime every binary runs on: multi-threaded, with the 32 MiB thread stacks that
/// deep DataFusion plans need.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(32 * 1024 * 1024)
        .build()
        .expect("a tokio runtime starts")
}
