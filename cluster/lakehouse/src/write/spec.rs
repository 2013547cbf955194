//! What a write is: its mode and options as callers give them, and the [`WriteSpec`] planned
//! once per job that every write and commit task of the job carries.

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::arrow::datatypes::{Schema, SchemaRef};
use datafusion::error::{DataFusionError, Result};
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_plan::expressions::Column;
use deltalake::kernel::StructType;
use deltalake::kernel::engine::arrow_conversion::{TryFromArrow, TryIntoArrow};
use serde::{Deserialize, Serialize};
use url::Url;
use uuid::Uuid;

use crate::error::LakehouseError;
use crate::handle::TableHandle;

/// How a write treats the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum WriteMode {
    /// Add rows; create the table if it is missing.
    #[default]
    Append,
    /// Replace the rows (schema and partitioning stay); create the table if it is missing.
    Overwrite,
    /// Create the table; fail if it exists.
    Create,
    /// Create the table, or replace its rows, schema and partitioning.
    CreateOrReplace,
    /// Create the table; do nothing if it exists.
    CreateIfNotExists,
}

/// Options of [`crate::Lakehouse::write`].
#[derive(Debug, Clone, Default)]
pub struct WriteOptions {
    /// Append, overwrite or create.
    pub mode: WriteMode,
    /// Partition columns of a table the write creates.
    pub partition_by: Vec<String>,
    /// Add columns the table lacks instead of failing.
    pub merge_schema: bool,
    /// `(app_id, version)`: record it with the commit, and skip the write when the table
    /// already holds this version of `app_id` (exactly-once batches).
    pub txn: Option<(String, i64)>,
}

/// Everything the write and commit tasks need, planned once per job on the scheduler.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WriteSpec {
    /// `schema.table`.
    pub table: String,
    /// The table folder.
    pub url: Url,
    /// Append, overwrite, create or replace.
    pub mode: WriteMode,
    /// Partition columns.
    pub partition_by: Vec<String>,
    /// The Delta schema (JSON) of the rows written, partition columns included.
    pub schema: String,
    /// Table properties (data skipping settings).
    pub configuration: HashMap<String, String>,
    /// Commit `schema` as the table's new schema.
    pub evolve_schema: bool,
    /// The application transaction of this write.
    pub txn: (String, i64),
    /// The version the write was planned against (overwrites remove its files).
    pub read_version: Option<u64>,
}

impl WriteSpec {
    pub(crate) fn new(
        handle: &TableHandle,
        schema: &Schema,
        mode: WriteMode,
        partition_by: Vec<String>,
        configuration: HashMap<String, String>,
        read_version: Option<u64>,
    ) -> Result<Self, LakehouseError> {
        let delta_schema = StructType::try_from_arrow(schema).map_err(|e| LakehouseError::SchemaMismatch {
            name: handle.name.clone(),
            reason: format!("the schema has no Delta equivalent: {e}"),
        })?;
        let txn = handle.write.txn.clone().unwrap_or_else(|| (format!("reviewlake-write-{}", Uuid::new_v4()), 0));
        Ok(Self {
            table: handle.name.clone(),
            url: handle.url.clone(),
            mode,
            partition_by,
            schema: serde_json::to_string(&delta_schema)
                .map_err(|e| LakehouseError::SchemaMismatch { name: handle.name.clone(), reason: e.to_string() })?,
            configuration,
            evolve_schema: handle.write.evolve_schema,
            txn,
            read_version,
        })
    }

    pub(crate) fn delta_schema(&self) -> Result<StructType> {
        serde_json::from_str(&self.schema).map_err(|e| DataFusionError::Internal(format!("bad write schema: {e}")))
    }

    pub(crate) fn arrow_schema(&self) -> Result<SchemaRef> {
        let schema: Schema = (&self.delta_schema()?).try_into_arrow()?;
        Ok(Arc::new(schema))
    }
}

/// The partition columns of `spec` as expressions over `schema`.
pub(crate) fn partition_keys(spec: &WriteSpec, schema: &Schema) -> Result<Vec<Arc<dyn PhysicalExpr>>> {
    spec.partition_by
        .iter()
        .map(|name| Ok(Arc::new(Column::new_with_schema(name, schema)?) as Arc<dyn PhysicalExpr>))
        .collect()
}
