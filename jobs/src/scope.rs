//! Job scopes: the temporary tables and views of one job, invisible to the caller's session
//! and to every other job.
//!
//! A job plans its steps against names (`bronze_new`, `ingest_lines`, ...). Registering them on
//! the caller's session would let two jobs on one session replace each other's tables, and leave
//! them behind when a job fails. A [`JobScope`] is a context that plans and runs exactly like the
//! caller's (same functions, configuration, cluster session and lakehouse tables) except that
//! its default schema is a fresh in-memory one: what the job registers lives there, and goes
//! when the scope is dropped, on success or error.

use std::sync::Arc;

use ballista::prelude::SessionConfigExt;
use datafusion::catalog::{
    CatalogProvider, CatalogProviderList, MemoryCatalogProviderList, MemorySchemaProvider, SchemaProvider,
};
use datafusion::error::Result;
use datafusion::execution::SessionStateBuilder;
use datafusion::prelude::{DataFrame, SessionContext};

/// A context for one job; see the module documentation.
pub(crate) struct JobScope {
    ctx: SessionContext,
}

impl JobScope {
    /// A scope over `ctx`'s catalogs, with a private default schema.
    pub(crate) fn new(ctx: &SessionContext) -> Self {
        Self::build(ctx, None)
    }

    /// A scope whose queries run as cluster jobs named `job_name` (what the scheduler's job
    /// list shows), so an operator can tell a job's work apart.
    pub(crate) fn named(ctx: &SessionContext, job_name: &str) -> Self {
        Self::build(ctx, Some(job_name))
    }

    fn build(ctx: &SessionContext, job_name: Option<&str>) -> Self {
        let state = ctx.state();
        let (default_catalog, default_schema) = {
            let options = &state.config().options().catalog;
            (options.default_catalog.clone(), options.default_schema.clone())
        };
        let catalogs = MemoryCatalogProviderList::new();
        let shared = state.catalog_list();
        for name in shared.catalog_names() {
            let Some(catalog) = shared.catalog(&name) else { continue };
            let catalog: Arc<dyn CatalogProvider> = if name == default_catalog {
                Arc::new(JobCatalog {
                    shared: catalog,
                    private_name: default_schema.clone(),
                    private: Arc::new(MemorySchemaProvider::new()),
                })
            } else {
                catalog
            };
            catalogs.register_catalog(name, catalog);
        }
        // The same session id: on a cluster the job's queries belong to the caller's session.
        let session_id = state.session_id().to_string();
        let mut config = state.config().clone();
        if let Some(job_name) = job_name {
            config = config.with_ballista_job_name(job_name);
        }
        let state = SessionStateBuilder::new_from_existing(state)
            .with_config(config)
            .with_catalog_list(Arc::new(catalogs))
            .with_session_id(session_id)
            .build();
        Self { ctx: SessionContext::new_with_state(state) }
    }

    /// The job's context: run the job's queries and writes on it.
    pub(crate) fn ctx(&self) -> &SessionContext {
        &self.ctx
    }

    /// Makes `frame` readable as `name` in this job's queries.
    pub(crate) fn register(&self, name: &str, frame: DataFrame) -> Result<()> {
        self.ctx.register_table(name, frame.into_view())?;
        Ok(())
    }

    /// Plans one SQL query on the job's context.
    pub(crate) async fn sql(&self, query: &str) -> Result<DataFrame> {
        self.ctx.sql(query).await
    }
}

/// The caller's default catalog with its default schema replaced by the job's own.
#[derive(Debug)]
struct JobCatalog {
    shared: Arc<dyn CatalogProvider>,
    private_name: String,
    private: Arc<dyn SchemaProvider>,
}

impl CatalogProvider for JobCatalog {
    fn schema_names(&self) -> Vec<String> {
        let mut names = self.shared.schema_names();
        if !names.contains(&self.private_name) {
            names.push(self.private_name.clone());
            names.sort();
        }
        names
    }

    fn schema(&self, name: &str) -> Option<Arc<dyn SchemaProvider>> {
        if name == self.private_name { Some(self.private.clone()) } else { self.shared.schema(name) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn job_tables_stay_in_the_job() {
        let ctx = SessionContext::new();
        let first = JobScope::new(&ctx);
        let second = JobScope::new(&ctx);
        first.register("t", ctx.sql("SELECT 1 AS x").await.unwrap()).unwrap();
        second.register("t", ctx.sql("SELECT 2 AS x").await.unwrap()).unwrap();
        let value = |scope: &JobScope| {
            let scope = scope.ctx().clone();
            async move {
                let batches = scope.sql("SELECT x FROM t").await.unwrap().collect().await.unwrap();
                datafusion::arrow::util::pretty::pretty_format_batches(&batches).unwrap().to_string()
            }
        };
        assert!(value(&first).await.contains('1'));
        assert!(value(&second).await.contains('2'));
        assert!(ctx.table("t").await.is_err(), "the caller's session never sees a job's tables");
        drop(first);
        assert!(value(&second).await.contains('2'));
    }
}
