//! One module per `reviewlake` command: each turns its parsed arguments into library calls and
//! hands the results to [`crate::output`].

pub(crate) mod cluster;
pub(crate) mod demo;
pub(crate) mod functions;
pub(crate) mod generate;
pub(crate) mod ingest;
pub(crate) mod ml;
pub(crate) mod pipeline;
pub(crate) mod produce;
pub(crate) mod serve;
pub(crate) mod sql;
pub(crate) mod stream;
pub(crate) mod table;
pub(crate) mod user;
