//! The roles of a reviewlake cluster and what runs them: the session and function registry
//! setup shared by every role ([`functions`], [`session`]), the [`scheduler`] with its
//! [`operator_api`] and the clients' [`flight_sql`] (its calls counted by [`call_metrics`]), the [`executor`], the in-process cluster ([`standalone`]), SQL scripts
//! ([`sql`]), job [`progress`] and the operator commands for local multi-process clusters ([`ops`]).
//!
//! The binaries (`reviewlake-scheduler`, `reviewlake-executor`, `reviewlake`) are thin layers
//! over this crate. The crates it builds on are re-exported under the paths they had when they
//! were modules of this one: [`config`], [`logging`], [`run_binary`] and [`runtime`] from
//! `reviewlake-core`, [`lakehouse`] and [`sources`].

pub mod call_metrics;
pub mod codec;
mod common;
pub mod executor;
pub mod flight_sql;
pub mod functions;
mod models;
pub mod operator_api;
pub mod ops;
pub mod progress;
pub mod scheduler;
pub mod session;
pub mod sql;
pub mod standalone;

pub use reviewlake_core::{config, logging, run_binary, runtime};
pub use reviewlake_lakehouse as lakehouse;
pub use reviewlake_sources as sources;
