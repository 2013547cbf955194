//! [`TableHandle`]: what a table provider carries across the wire, with the write options an
//! `INSERT` plan needs, and how a table's URL finds its object store in a session.

use std::sync::Arc;

use datafusion::catalog::Session;
use datafusion::execution::object_store::ObjectStoreUrl;
use object_store::ObjectStore;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::LakehouseError;

/// What the wire carries for a table: enough to re-open the same snapshot anywhere.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableHandle {
    /// `schema.table`, for messages.
    pub name: String,
    /// The table's folder URL, ending with `/`.
    pub url: Url,
    /// The pinned version; `None` only for a table a write is about to create.
    pub version: Option<u64>,
    /// How writes into this provider behave.
    #[serde(default)]
    pub write: WriteTarget,
    /// Scan only the files added after this version (incremental reads of append-only tables).
    #[serde(default)]
    pub changes_since: Option<u64>,
}

/// Write options a provider carries into `INSERT` plans.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WriteTarget {
    /// Set when the write creates the table (CTAS): its partition columns.
    pub create: Option<CreateTarget>,
    /// The provider's schema adds columns to the table: commit it with the data.
    pub evolve_schema: bool,
    /// Application transaction `(app_id, version)` recorded with the commit; a write whose
    /// transaction is already committed is skipped.
    pub txn: Option<(String, i64)>,
}

/// A table a write creates.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CreateTarget {
    /// Partition columns, in order.
    pub partition_by: Vec<String>,
    /// Replace the table's data and schema if it exists (`CREATE OR REPLACE`).
    pub replace: bool,
}

/// `s3://bucket` or `file:///`: the key of the object store holding `url`.
pub(crate) fn store_key(url: &Url) -> String {
    match url.scheme() {
        "file" => "file:///".to_string(),
        scheme => format!("{scheme}://{}", url.host_str().unwrap_or_default()),
    }
}

/// The object store of `url` registered in the session's runtime.
pub(crate) fn store_for(state: &dyn Session, url: &Url) -> Result<Arc<dyn ObjectStore>, LakehouseError> {
    let key = ObjectStoreUrl::parse(store_key(url))?;
    Ok(state.runtime_env().object_store(key)?)
}
