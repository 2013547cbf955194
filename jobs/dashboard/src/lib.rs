//! The insight dashboard `reviewlake serve` runs: pages of charts over the gold tables and the
//! model registry, live as new versions land.
//!
//! - [`catalog`]: every page and panel, and the `.sql` statement behind each panel;
//! - [`filters`]: a request's filters (months, category, brand), checked and bound as the
//!   statements' parameters;
//! - [`mirror`]: in-memory copies of the tables the panels read, reloaded through the cluster
//!   when a table gets a new Delta version, and the status the pages' live events carry;
//! - [`answers`]: panel statements run with the filters bound, cached per table versions;
//! - [`encode`]: answers as JSON rows and CSV, and the catalog document;
//! - [`cluster_view`]: executors and jobs from the scheduler's operator API;
//! - [`server`]: the axum application, with the [`assets`] embedded in the binary.

pub mod answers;
pub mod assets;
pub mod catalog;
pub mod cluster_view;
pub mod encode;
pub mod error;
pub mod filters;
pub mod mirror;
pub mod server;

pub use error::DashboardError;
pub use server::Dashboard;
