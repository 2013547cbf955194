//! Source files for ingestion: where they are listed and how executors read them, so that
//! ingestion jobs are distributed plans.
//!
//! A source is a local folder (a path or `file://` URL, on storage every executor mounts; a
//! local cluster shares the machine's) or an S3 prefix (`s3://bucket/prefix`), reached with the
//! lakehouse's `[lakehouse.s3]` settings. [`SourceStore::list_data_files`] lists the data files
//! under a source; `read_text_lines(path)` returns a file's lines (gzip-decompressed for `.gz`)
//! with their 1-based numbers, as `List<Struct<line_number: Int64, text: Utf8>>`. Credentials
//! stay in each process's configuration: plans carry only paths.

mod error;
mod lines;
mod location;
mod store;

pub use error::SourceError;
pub use lines::{lines_type, read_text_lines, scalar_functions};
pub use location::SourceLocation;
pub use store::{SourceFile, SourceStore};
