//! [`SourceStore`]: listing a source's data files and opening one, locally or on S3.

use std::io::Read;
use std::path::Path;

use futures::TryStreamExt;
use object_store::{ObjectStore, ObjectStoreExt};
use reviewlake_core::config::{LakehouseSettings, S3Settings};
use reviewlake_core::root_cause;
use reviewlake_core::stores::s3_store;

use super::error::SourceError;
use super::location::SourceLocation;

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

    /// The sources of a lakehouse's configuration: S3 sources are reached with its
    /// `[lakehouse.s3]` settings, as the lakehouse's own tables are.
    ///
    /// ```
    /// let settings = reviewlake_core::config::LakehouseSettings::default();
    /// let sources = reviewlake_sources::SourceStore::from_settings(&settings);
    /// # let _ = sources;
    /// ```
    pub fn from_settings(settings: &LakehouseSettings) -> Self {
        Self::new(settings.s3.clone())
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
    /// let files = reviewlake_sources::SourceStore::default().list_data_files(&source).await.unwrap();
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
                    reason: format!("{} (S3 endpoint {endpoint})", root_cause(&e)),
                }
            })?,
        };
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(files)
    }

    async fn list_s3(&self, bucket: &str, prefix: &str) -> Result<Vec<SourceFile>, object_store::Error> {
        let store = s3_store(bucket, &self.s3)?;
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
    pub(crate) fn open(&self, path: &str) -> std::io::Result<Box<dyn Read>> {
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
                        let store = s3_store(bucket, s3).map_err(std::io::Error::other)?;
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
