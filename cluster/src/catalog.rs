//! The catalog list a scheduler shares between all of its sessions.

use std::sync::Arc;

use datafusion::catalog::{CatalogProvider, CatalogProviderList, MemoryCatalogProvider, MemorySchemaProvider};
use datafusion::prelude::SessionConfig;

/// Makes sure `catalogs` holds the configured default catalog and schema
/// (`datafusion.public` unless the session configuration says otherwise).
///
/// ```
/// use std::sync::Arc;
/// use datafusion::catalog::{CatalogProviderList, MemoryCatalogProviderList};
/// let catalogs: Arc<dyn CatalogProviderList> = Arc::new(MemoryCatalogProviderList::new());
/// reviewlake_cluster::catalog::install_default_catalog(&catalogs, &datafusion::prelude::SessionConfig::new());
/// assert!(catalogs.catalog("datafusion").unwrap().schema("public").is_some());
/// ```
pub fn install_default_catalog(catalogs: &Arc<dyn CatalogProviderList>, config: &SessionConfig) {
    let options = &config.options().catalog;
    if catalogs.catalog(&options.default_catalog).is_some() {
        return;
    }
    let catalog = MemoryCatalogProvider::new();
    catalog
        .register_schema(&options.default_schema, Arc::new(MemorySchemaProvider::new()))
        .expect("a memory catalog accepts new schemas");
    catalogs.register_catalog(options.default_catalog.clone(), Arc::new(catalog));
}
