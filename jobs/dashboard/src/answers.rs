//! Panel answers: a panel's statement run with the filters bound, on the in-memory copies or,
//! for a filtered scan of `gold.reviews`, on the cluster; kept while the tables it read keep
//! their versions.
//!
//! Concurrent requests for the same panel and filters share one computation, so a burst of
//! clients opening a page runs each statement once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::error::DataFusionError;
use serde::Serialize;
use tokio::sync::OnceCell;

use crate::catalog::{Panel, Source};
use crate::encode;
use crate::filters::Filters;
use crate::mirror::Mirror;

/// Answers kept at most; past it the cache starts over.
const CACHE_ENTRIES: usize = 512;

/// A panel's statement failed.
#[derive(Debug, Clone, thiserror::Error)]
#[error("panel {panel}: {message}")]
pub struct PanelError {
    /// The panel.
    pub panel: &'static str,
    /// What went wrong, causes included.
    pub message: String,
}

/// A table and the version an answer read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableVersion {
    /// `schema.table`.
    pub name: &'static str,
    /// Its Delta version.
    pub version: u64,
}

/// One panel's rows for one set of filters.
#[derive(Debug)]
pub struct Answer {
    /// The panel.
    pub panel: &'static Panel,
    /// Schema of the rows.
    pub schema: SchemaRef,
    /// The rows.
    pub batches: Vec<RecordBatch>,
    /// The statement that produced them.
    pub sql: &'static str,
    /// The filters bound to it.
    pub filters: Filters,
    /// The tables it read, with their versions.
    pub tables: Vec<TableVersion>,
    /// True when the filters narrowed the rows.
    pub filtered: bool,
    /// Time to compute it.
    pub elapsed_ms: f64,
    /// Why there are no rows, when the tables do not exist yet.
    pub empty_reason: Option<&'static str>,
    /// The API's JSON document of this answer, encoded once.
    pub json: Vec<u8>,
}

type Key = (&'static str, Filters);

struct Entry {
    versions: Vec<Option<u64>>,
    answer: Arc<OnceCell<Arc<Answer>>>,
}

/// Computes and keeps panel answers.
pub struct Answers {
    mirror: Arc<Mirror>,
    cache: Mutex<HashMap<Key, Entry>>,
}

impl Answers {
    /// Answers over `mirror`'s tables.
    pub fn new(mirror: Arc<Mirror>) -> Self {
        Self { mirror, cache: Mutex::default() }
    }

    /// Answers kept now.
    pub fn cached(&self) -> usize {
        self.lock().len()
    }

    /// The answer of `panel` under `filters` (ignored by a panel they do not apply to), from
    /// the cache while the tables it reads keep their versions.
    pub async fn answer(&self, panel: &'static Panel, filters: &Filters) -> Result<Arc<Answer>, PanelError> {
        let filters = if panel.filterable() { filters.clone() } else { Filters::default() };
        let filtered = !filters.is_empty();
        let tables = panel.tables(filtered);
        let versions: Vec<Option<u64>> = tables.iter().map(|table| self.mirror.version(table)).collect();
        let cell = {
            let mut cache = self.lock();
            let key = (panel.id, filters.clone());
            match cache.get(&key) {
                Some(entry) if entry.versions == versions => entry.answer.clone(),
                _ => {
                    if cache.len() >= CACHE_ENTRIES {
                        cache.clear();
                    }
                    let answer = Arc::new(OnceCell::new());
                    cache.insert(key, Entry { versions: versions.clone(), answer: answer.clone() });
                    answer
                }
            }
        };
        cell.get_or_try_init(|| self.compute(panel, filters, tables, versions)).await.cloned()
    }

    async fn compute(
        &self,
        panel: &'static Panel,
        filters: Filters,
        tables: &'static [&'static str],
        versions: Vec<Option<u64>>,
    ) -> Result<Arc<Answer>, PanelError> {
        let error = |error: DataFusionError| PanelError { panel: panel.id, message: error.to_string() };
        let filtered = !filters.is_empty();
        let (ctx, sql) = match panel.source {
            Source::Aggregate { filtered: sql, .. } if filtered => (self.mirror.cluster(), sql),
            Source::Cube(sql) | Source::Aggregate { sql, .. } | Source::Unfiltered { sql, .. } => {
                (self.mirror.local(), sql)
            }
        };
        let started = Instant::now();
        let read: Option<Vec<TableVersion>> = tables
            .iter()
            .zip(&versions)
            .map(|(name, version)| version.map(|version| TableVersion { name, version }))
            .collect();
        let (schema, batches, empty_reason) = match &read {
            // A table it reads does not exist yet: nothing to run.
            None => (Arc::new(datafusion::arrow::datatypes::Schema::empty()), Vec::new(), Some(panel.absent)),
            Some(_) => {
                let frame = ctx.sql(sql).await.map_err(error)?.with_param_values(filters.params()).map_err(error)?;
                let schema: SchemaRef = Arc::new(frame.schema().as_arrow().clone());
                (schema, frame.collect().await.map_err(error)?, None)
            }
        };
        let mut answer = Answer {
            panel,
            schema,
            batches,
            sql,
            filters,
            tables: read.unwrap_or_default(),
            filtered,
            elapsed_ms: started.elapsed().as_secs_f64() * 1e3,
            empty_reason,
            json: Vec::new(),
        };
        answer.json =
            encode::answer_json(&answer).map_err(|e| PanelError { panel: panel.id, message: e.to_string() })?;
        Ok(Arc::new(answer))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Entry>> {
        self.cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
