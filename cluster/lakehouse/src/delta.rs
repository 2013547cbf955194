//! Opening Delta tables and reading their logs over a lakehouse's object store.

use std::sync::Arc;

use deltalake::{DeltaTable, DeltaTableBuilder};
use futures::StreamExt;
use object_store::ObjectStore;
use object_store::path::Path as StorePath;
use url::Url;

use crate::error::LakehouseError;

/// The version of application transaction `app_id` recorded in the opened `table`.
pub(crate) async fn committed_transaction(
    table: &DeltaTable,
    name: &str,
    app_id: &str,
) -> Result<Option<i64>, LakehouseError> {
    let delta = |source| LakehouseError::Delta { name: name.to_string(), source };
    table.snapshot().map_err(delta)?.transaction_version(table.log_store().as_ref(), app_id).await.map_err(delta)
}

/// deltalake finds the log store of a table by its URL's scheme and knows only `file://` and
/// `memory://` without its `s3` feature (which would build the whole AWS SDK). Every store here is
/// an object_store handed over with the table, and object_store's S3 client commits with
/// conditional PUT (`If-None-Match: *`), so the default log store is the right one for `s3://`.
fn register_s3_log_store() {
    static REGISTERED: std::sync::Once = std::sync::Once::new();
    REGISTERED.call_once(|| {
        let factories = deltalake::logstore::logstore_factories();
        let file = Url::parse("file://").expect("a valid URL");
        let default = factories.get(&file).map(|entry| entry.value().clone());
        if let Some(default) = default {
            factories.insert(Url::parse("s3://").expect("a valid URL"), default);
        }
    });
}

/// A deltalake builder for the table at `url`, over `store` (rooted at `/` or the bucket).
pub(crate) fn delta_builder(
    store: &Arc<dyn ObjectStore>,
    url: &Url,
    name: &str,
) -> Result<DeltaTableBuilder, LakehouseError> {
    register_s3_log_store();
    Ok(DeltaTableBuilder::from_url(url.clone())
        .map_err(|source| LakehouseError::Delta { name: name.to_string(), source })?
        .with_storage_backend(store.clone(), url.clone()))
}

/// Opens the table at `url` at `version` (latest when `None`).
pub(crate) async fn open_table(
    store: &Arc<dyn ObjectStore>,
    url: &Url,
    version: Option<u64>,
) -> Result<DeltaTable, LakehouseError> {
    let builder = delta_builder(store, url, url.as_str())?;
    let builder = match version {
        Some(version) => builder.with_version(version),
        None => builder,
    };
    builder.load().await.map_err(|source| LakehouseError::Delta { name: url.to_string(), source })
}

/// The object-store path of a URL (`/data/lake/` -> `data/lake`, `s3://b/p/` -> `p`).
pub(crate) fn root_path(url: &Url) -> Result<StorePath, LakehouseError> {
    StorePath::from_url_path(url.path())
        .map_err(|e| LakehouseError::InvalidName { name: url.to_string(), reason: e.to_string() })
}

pub(crate) async fn table_exists(store: &dyn ObjectStore, url: &Url) -> Result<bool, LakehouseError> {
    let log = root_path(url)?.join("_delta_log");
    match store.list(Some(&log)).next().await {
        None => Ok(false),
        Some(Ok(_)) => Ok(true),
        Some(Err(object_store::Error::NotFound { .. })) => Ok(false),
        Some(Err(source)) => {
            Err(LakehouseError::ObjectStore { what: format!("looking for a Delta log at {url}"), source })
        }
    }
}
