//! reviewlake's end-to-end tests as one test program: the real `reviewlake`, scheduler and
//! executor binaries, moto's S3 server and Python peers, driven from the outside.
//!
//! One program links the heavy dependencies once instead of once per file. Its tests run two
//! at a time (`--test-threads=2`) across every module, so each test owns its folders (a
//! temporary directory), ports (free ones, found at start) and S3 server; none of them changes
//! the environment of this process.

mod bad_input;
mod cluster;
mod dashboard;
mod deploy;
mod flight_sql;
mod hosts;
mod ingest;
mod lakehouse;
mod ml;
mod pipeline;
mod stream;
