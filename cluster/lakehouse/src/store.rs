//! Where the lakehouse's bytes live: the local file system or an S3-compatible bucket.
//!
//! One object store per lakehouse, registered under its `scheme://bucket` URL in every
//! `RuntimeEnv` that reads or writes tables (client, scheduler, executors), and handed to
//! deltalake too, so that credentials come from the configuration alone and never travel in
//! plans.

use std::path::Path;
use std::sync::Arc;

use datafusion::execution::runtime_env::RuntimeEnv;
use object_store::ObjectStore;
use reviewlake_core::config::LakehouseSettings;
use reviewlake_core::stores::{local_store, s3_store};
use url::Url;

use crate::error::LakehouseError;

/// The lakehouse root and the object store that holds it.
#[derive(Debug, Clone)]
pub struct LakeStore {
    /// The root URL, ending with `/`: `file:///data/lake/` or `s3://bucket/prefix/`.
    pub root: Url,
    /// `file:///` or `s3://bucket`: the key the store is registered under.
    pub store_url: Url,
    /// The store, rooted at the file system root or at the bucket.
    pub store: Arc<dyn ObjectStore>,
}

impl LakeStore {
    /// Resolves `lakehouse.root` and builds its store. A local root is created when missing.
    ///
    /// ```
    /// let dir = tempfile::tempdir().unwrap();
    /// let settings = reviewlake_core::config::LakehouseSettings {
    ///     root: dir.path().join("lake").display().to_string(),
    ///     ..Default::default()
    /// };
    /// let store = reviewlake_lakehouse::LakeStore::from_settings(&settings).unwrap();
    /// assert!(store.root.as_str().ends_with("/lake/"));
    /// ```
    pub fn from_settings(settings: &LakehouseSettings) -> Result<Self, LakehouseError> {
        let root = settings.root.trim();
        let invalid = |reason: String| LakehouseError::InvalidRoot { root: root.to_string(), reason };
        if root.starts_with("s3://") {
            let mut url = Url::parse(root).map_err(|e| invalid(e.to_string()))?;
            let bucket =
                url.host_str().filter(|b| !b.is_empty()).ok_or_else(|| invalid("no bucket name".into()))?.to_string();
            ensure_trailing_slash(&mut url);
            let store = s3_store(&bucket, &settings.s3)
                .map_err(|e| LakehouseError::Store { root: root.to_string(), reason: e.to_string() })?;
            let store_url = Url::parse(&format!("s3://{bucket}")).map_err(|e| invalid(e.to_string()))?;
            return Ok(Self { root: url, store_url, store });
        }
        let path = match root.strip_prefix("file://") {
            Some(path) => Path::new(path).to_path_buf(),
            None if root.contains("://") => {
                return Err(invalid("unsupported scheme; use a path, file:///abs/path or s3://bucket/prefix".into()));
            }
            None => Path::new(root).to_path_buf(),
        };
        std::fs::create_dir_all(&path).map_err(|e| invalid(format!("cannot create the folder: {e}")))?;
        let path = path.canonicalize().map_err(|e| invalid(e.to_string()))?;
        let url = Url::from_directory_path(&path).map_err(|()| invalid("not an absolute path".into()))?;
        let store_url = Url::parse("file:///").expect("a valid URL");
        Ok(Self { root: url, store_url, store: local_store() })
    }

    /// Registers the store in `env`, so scans and writes planned anywhere find it.
    pub fn register_into(&self, env: &RuntimeEnv) {
        env.register_object_store(&self.store_url, self.store.clone());
    }
}

fn ensure_trailing_slash(url: &mut Url) {
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
}
