//! Source files for ingestion: where they are listed and how executors read them, so that
//! ingestion jobs are distributed plans.
//!
//! A source is a local folder (a path or `file://` URL, on storage every executor mounts; a
//! local cluster shares the machine's) or an S3 prefix (`s3://bucket/prefix`), reached with the
//! lakehouse's `[lakehouse.s3]` settings. [`SourceStore::list_data_files`] lists the data files
//! under a source; `read_text_lines(path)` returns a file's lines (gzip-decompressed for `.gz`)
//! with their 1-based numbers, as `List<Struct<line_number: Int64, text: Utf8>>`. Credentials
//! stay in each process's configuration: plans carry only paths.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, Int64Builder, ListBuilder, StringArray, StringBuilder, StructBuilder};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Fields};
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::ScalarUDF;
use futures::TryStreamExt;
use object_store::{ObjectStore, ObjectStoreExt};
use reviewlake_udfs::udf::ArrayFunction;

use crate::config::S3Settings;

/// Errors of listing a source.
#[derive(Debug, thiserror::Error)]
#[error("cannot list source {source_name}: {reason}")]
pub struct SourceError {
    /// The source as given (or the folder inside it that failed).
    pub source_name: String,
    /// The reason.
    pub reason: String,
}

/// Where a source is.
///
/// ```
/// use reviewlake_cluster::sources::SourceLocation;
/// let s3: SourceLocation = "s3://raw/amazon".parse().unwrap();
/// assert_eq!(s3.join("amazon_reviews").to_string(), "s3://raw/amazon/amazon_reviews");
/// let local: SourceLocation = "data".parse().unwrap();
/// assert_eq!(local.join("amazon_reviews").to_string(), "data/amazon_reviews");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceLocation {
    /// A folder on the local file system.
    Local(PathBuf),
    /// Every object under `prefix` (no leading or trailing `/`) in `bucket`.
    S3 {
        /// The bucket.
        bucket: String,
        /// The key prefix; empty for the whole bucket.
        prefix: String,
    },
}

impl std::str::FromStr for SourceLocation {
    type Err = SourceError;

    fn from_str(text: &str) -> Result<Self, SourceError> {
        let invalid = |reason: &str| SourceError { source_name: text.to_string(), reason: reason.to_string() };
        if let Some(rest) = text.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err(invalid("no bucket name"));
            }
            return Ok(Self::S3 { bucket: bucket.to_string(), prefix: prefix.trim_matches('/').to_string() });
        }
        match text.strip_prefix("file://") {
            Some(path) => Ok(Self::Local(PathBuf::from(path))),
            None if text.contains("://") => {
                Err(invalid("unsupported scheme; use a path, file:///abs/path or s3://bucket/prefix"))
            }
            None => Ok(Self::Local(PathBuf::from(text))),
        }
    }
}

impl std::fmt::Display for SourceLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Local(path) => write!(f, "{}", path.display()),
            Self::S3 { bucket, prefix } if prefix.is_empty() => write!(f, "s3://{bucket}"),
            Self::S3 { bucket, prefix } => write!(f, "s3://{bucket}/{prefix}"),
        }
    }
}

impl SourceLocation {
    /// The location of `child` inside this one.
    pub fn join(&self, child: &str) -> Self {
        match self {
            Self::Local(path) => Self::Local(path.join(child)),
            Self::S3 { bucket, prefix } if prefix.is_empty() => {
                Self::S3 { bucket: bucket.clone(), prefix: child.into() }
            }
            Self::S3 { bucket, prefix } => Self::S3 { bucket: bucket.clone(), prefix: format!("{prefix}/{child}") },
        }
    }
}

/// A data file of a source: its path (local) or `s3://bucket/key` URL, and its size in bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// What `read_text_lines` takes, and what the ingestion ledger records.
    pub path: String,
    /// Size in bytes as stored (compressed for `.gz`).
    pub size: u64,
}

/// Lists and opens source files: local ones from the file system, `s3://` ones with an S3
/// client built from the lakehouse's S3 settings.
#[derive(Debug, Clone, Default)]
pub struct SourceStore {
    s3: S3Settings,
}

impl SourceStore {
    /// A store reaching S3 sources with `s3`.
    pub fn new(s3: S3Settings) -> Self {
        Self { s3 }
    }

    /// The data files under `source`, sorted by path: `.json` and `.json.gz`, skipping hidden
    /// and Spark marker files and folders (names starting with `.` or `_`). A missing local
    /// folder is an error; an S3 prefix with no objects has no files.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let dir = tempfile::tempdir().unwrap();
    /// std::fs::create_dir(dir.path().join("part=1")).unwrap();
    /// std::fs::write(dir.path().join("part=1/a.json"), "{}\n").unwrap();
    /// std::fs::write(dir.path().join("_SUCCESS"), "").unwrap();
    /// let source = dir.path().display().to_string().parse().unwrap();
    /// let files = reviewlake_cluster::sources::SourceStore::default().list_data_files(&source).await.unwrap();
    /// assert_eq!(files.len(), 1);
    /// assert!(files[0].path.ends_with("part=1/a.json"));
    /// # }
    /// ```
    pub async fn list_data_files(&self, source: &SourceLocation) -> Result<Vec<SourceFile>, SourceError> {
        let mut files = match source {
            SourceLocation::Local(folder) => list_local(folder)?,
            SourceLocation::S3 { bucket, prefix } => self.list_s3(bucket, prefix).await.map_err(|e| {
                let endpoint = if self.s3.endpoint.is_empty() { "AWS" } else { self.s3.endpoint.as_str() };
                SourceError {
                    source_name: source.to_string(),
                    reason: format!("{} (S3 endpoint {endpoint})", crate::executor::root_cause(&e)),
                }
            })?,
        };
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(files)
    }

    async fn list_s3(&self, bucket: &str, prefix: &str) -> Result<Vec<SourceFile>, object_store::Error> {
        let store = crate::lakehouse::s3_store(bucket, &self.s3)?;
        let listed_prefix = (!prefix.is_empty()).then(|| object_store::path::Path::from(prefix));
        let objects: Vec<object_store::ObjectMeta> = store.list(listed_prefix.as_ref()).try_collect().await?;
        Ok(objects
            .into_iter()
            .filter(|object| {
                let key = object.location.as_ref();
                let relative = key.strip_prefix(prefix).unwrap_or(key);
                relative.split('/').filter(|part| !part.is_empty()).all(|part| !is_skipped(part)) && is_data_file(key)
            })
            .map(|object| SourceFile { path: format!("s3://{bucket}/{}", object.location), size: object.size })
            .collect())
    }

    /// Opens the file `read_text_lines` was given. An S3 object is fetched whole (it is
    /// compressed, and one task reads a bounded group of files); a local file is streamed.
    fn open(&self, path: &str) -> std::io::Result<Box<dyn Read>> {
        let Some(rest) = path.strip_prefix("s3://") else {
            return Ok(Box::new(std::fs::File::open(path)?));
        };
        let (bucket, key) = rest.split_once('/').ok_or_else(|| std::io::Error::other("no object key"))?;
        let s3 = &self.s3;
        // UDFs are synchronous and run on the executor's runtime, which must not be blocked:
        // the request runs on a thread of its own with a runtime of its own.
        let bytes = std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
                    runtime.block_on(async {
                        let store = crate::lakehouse::s3_store(bucket, s3).map_err(std::io::Error::other)?;
                        let object =
                            store.get(&object_store::path::Path::from(key)).await.map_err(std::io::Error::other)?;
                        object.bytes().await.map_err(std::io::Error::other)
                    })
                })
                .join()
                .map_err(|_| std::io::Error::other("the S3 reader thread panicked"))?
        })?;
        Ok(Box::new(std::io::Cursor::new(bytes)))
    }
}

fn is_skipped(name: &str) -> bool {
    name.starts_with('_') || name.starts_with('.')
}

fn is_data_file(name: &str) -> bool {
    name.ends_with(".json") || name.ends_with(".json.gz")
}

fn list_local(source: &Path) -> Result<Vec<SourceFile>, SourceError> {
    let failed = |folder: &Path, e: std::io::Error| SourceError {
        source_name: folder.display().to_string(),
        reason: e.to_string(),
    };
    let source = source.canonicalize().map_err(|e| failed(source, e))?;
    let mut files = Vec::new();
    let mut folders = vec![source];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).map_err(|e| failed(&folder, e))? {
            let entry = entry.map_err(|e| failed(&folder, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if is_skipped(&name) {
                continue;
            }
            let path = entry.path();
            let metadata = entry.metadata().map_err(|e| failed(&path, e))?;
            if metadata.is_dir() {
                folders.push(path);
            } else if is_data_file(&name) {
                files.push(SourceFile { path: path.to_string_lossy().into_owned(), size: metadata.len() });
            }
        }
    }
    Ok(files)
}

fn line_fields() -> Fields {
    Fields::from(vec![Field::new("line_number", DataType::Int64, false), Field::new("text", DataType::Utf8, false)])
}

/// The type `read_text_lines` returns.
pub fn lines_type() -> DataType {
    DataType::List(Arc::new(Field::new("item", DataType::Struct(line_fields()), true)))
}

/// The source-reading functions, for every role's registry, reading through `sources`.
pub fn scalar_functions(sources: &SourceStore) -> Vec<Arc<ScalarUDF>> {
    let sources = sources.clone();
    let kernel = move |args: &[ArrayRef]| read_text_lines(&sources, args);
    vec![Arc::new(ScalarUDF::new_from_impl(ArrayFunction::new("read_text_lines", &[1], lines_type(), kernel)))]
}

/// Splits `items` into `groups` (at most one per item) of about equal total `size`: largest
/// first, each to the currently lightest group. Ties keep the input order, so the result is
/// deterministic.
///
/// ```
/// let groups = reviewlake_cluster::sources::bin_pack(vec![50u64, 40, 30, 20, 10], 2, |size| *size);
/// assert_eq!(groups, [vec![50, 20, 10], vec![40, 30]]);
/// ```
pub fn bin_pack<T>(mut items: Vec<T>, groups: usize, size: impl Fn(&T) -> u64) -> Vec<Vec<T>> {
    items.sort_by_key(|item| std::cmp::Reverse(size(item)));
    let groups = groups.clamp(1, items.len().max(1));
    let mut bins: Vec<(u64, Vec<T>)> = (0..groups).map(|_| (0, Vec::new())).collect();
    for item in items {
        let lightest = bins.iter_mut().min_by_key(|(total, _)| *total).expect("at least one group");
        lightest.0 += size(&item);
        lightest.1.push(item);
    }
    bins.into_iter().map(|(_, items)| items).collect()
}

/// Kernel of `read_text_lines`. A file that cannot be read fails the task with its path and
/// the reason; a line that is not UTF-8 is kept with replacement characters (it will fail
/// parsing and be quarantined, not dropped).
pub fn read_text_lines(sources: &SourceStore, args: &[ArrayRef]) -> Result<ArrayRef> {
    let paths = cast(&args[0], &DataType::Utf8)?;
    let paths = paths.as_any().downcast_ref::<StringArray>().expect("cast to Utf8");
    let values = StructBuilder::new(line_fields(), vec![Box::new(Int64Builder::new()), Box::new(StringBuilder::new())]);
    let mut lists =
        ListBuilder::new(values).with_field(Arc::new(Field::new("item", DataType::Struct(line_fields()), true)));
    let mut line = Vec::new();
    let mut text_bytes = 0usize;
    for path in paths.iter() {
        let Some(path) = path else {
            lists.append_null();
            continue;
        };
        let failed = |e: std::io::Error| DataFusionError::Execution(format!("cannot read source file {path}: {e}"));
        let file = sources.open(path).map_err(failed)?;
        let reader: Box<dyn Read> =
            if path.ends_with(".gz") { Box::new(flate2::read::MultiGzDecoder::new(file)) } else { file };
        let mut reader = BufReader::with_capacity(1 << 20, reader);
        let mut number = 0i64;
        loop {
            line.clear();
            if reader.read_until(b'\n', &mut line).map_err(failed)? == 0 {
                break;
            }
            number += 1;
            while matches!(line.last(), Some(b'\n' | b'\r')) {
                line.pop();
            }
            text_bytes += line.len();
            if text_bytes > i32::MAX as usize {
                return Err(DataFusionError::Execution(format!(
                    "source file {path}: the files read by one task hold more than 2 GiB of text at line {number}; \
                     split the file"
                )));
            }
            let entry = lists.values();
            entry.field_builder::<Int64Builder>(0).expect("line_number").append_value(number);
            entry.field_builder::<StringBuilder>(1).expect("text").append_value(String::from_utf8_lossy(&line));
            entry.append(true);
        }
        lists.append(true);
    }
    Ok(Arc::new(lists.finish()))
}
