//! The lakehouse as DataFusion's default catalog: `bronze`, `silver`, `gold` and `ml` map to
//! folders of Delta tables, `public` holds ad-hoc tables and views in memory.
//!
//! Every lookup re-reads the table's log, so commits made by any process are visible to the
//! next query without a restart; the provider it returns is pinned to the version it saw, so
//! one query reads one consistent snapshot.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use datafusion::catalog::{CatalogProvider, MemorySchemaProvider, SchemaProvider, TableProvider};
use datafusion::error::{DataFusionError, Result};

use crate::error::LakehouseError;
use crate::lake::Lakehouse;
use crate::name::{LAKE_SCHEMAS, TableName};
use crate::table::LakehouseTable;

/// The default catalog of every reviewlake session.
///
/// ```no_run
/// # fn f() -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// use datafusion::catalog::CatalogProvider;
/// let lake = reviewlake_lakehouse::Lakehouse::from_settings(&Default::default())?;
/// let catalog = reviewlake_lakehouse::LakehouseCatalog::new(lake);
/// assert!(catalog.schema_names().contains(&"silver".to_string()));
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct LakehouseCatalog {
    schemas: RwLock<HashMap<String, Arc<dyn SchemaProvider>>>,
}

impl LakehouseCatalog {
    /// A catalog over `lake`, with an empty in-memory `public` schema.
    pub fn new(lake: Arc<Lakehouse>) -> Self {
        let mut schemas: HashMap<String, Arc<dyn SchemaProvider>> = HashMap::new();
        schemas.insert("public".into(), Arc::new(MemorySchemaProvider::new()));
        for schema in LAKE_SCHEMAS {
            schemas.insert(schema.into(), Arc::new(LakehouseSchema { lake: lake.clone(), schema }));
        }
        Self { schemas: RwLock::new(schemas) }
    }
}

impl CatalogProvider for LakehouseCatalog {
    fn schema_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.schemas.read().expect("catalog lock").keys().cloned().collect();
        names.sort();
        names
    }

    fn schema(&self, name: &str) -> Option<Arc<dyn SchemaProvider>> {
        self.schemas.read().expect("catalog lock").get(name).cloned()
    }

    fn register_schema(&self, name: &str, schema: Arc<dyn SchemaProvider>) -> Result<Option<Arc<dyn SchemaProvider>>> {
        if LAKE_SCHEMAS.contains(&name) {
            return Err(DataFusionError::Plan(format!("schema {name} is a lakehouse schema and cannot be replaced")));
        }
        Ok(self.schemas.write().expect("catalog lock").insert(name.to_string(), schema))
    }
}

/// One lakehouse schema: the Delta tables in `<root>/<schema>/`.
#[derive(Debug)]
struct LakehouseSchema {
    lake: Arc<Lakehouse>,
    schema: &'static str,
}

impl LakehouseSchema {
    /// Runs an object-store listing from a synchronous catalog call. DataFusion's
    /// `table_names` and `table_exist` are not async, and the S3 client needs a tokio
    /// reactor, so the listing runs on a short-lived runtime of its own thread.
    fn list_blocking(&self) -> Vec<String> {
        let lake = self.lake.clone();
        let schema = self.schema;
        let listing = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            runtime.block_on(lake.list_tables(schema)).ok()
        });
        listing.join().ok().flatten().unwrap_or_default()
    }
}

#[async_trait]
impl SchemaProvider for LakehouseSchema {
    fn table_names(&self) -> Vec<String> {
        self.list_blocking()
    }

    async fn table(&self, name: &str) -> Result<Option<Arc<dyn TableProvider>>> {
        let name = TableName::new(self.schema, name)?;
        match self.lake.open(&name).await {
            Ok(table) => Ok(Some(Arc::new(LakehouseTable::from_delta(&name.qualified(), &table)?))),
            Err(LakehouseError::NoSuchTable { .. }) => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    fn register_table(&self, name: String, _table: Arc<dyn TableProvider>) -> Result<Option<Arc<dyn TableProvider>>> {
        Err(DataFusionError::Plan(format!(
            "{}.{name}: lakehouse schemas hold only Delta tables; create them with CREATE TABLE {}.{name} AS SELECT ..., \
             or register ad-hoc tables in public",
            self.schema, self.schema
        )))
    }

    fn deregister_table(&self, name: &str) -> Result<Option<Arc<dyn TableProvider>>> {
        Err(DataFusionError::Plan(format!(
            "{}.{name}: dropping lakehouse tables from SQL is not supported; use `reviewlake table drop`",
            self.schema
        )))
    }

    fn table_exist(&self, name: &str) -> bool {
        TableName::new(self.schema, name).is_ok() && self.list_blocking().iter().any(|t| t == name)
    }
}
