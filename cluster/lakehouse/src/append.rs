//! Appending record batches this process holds to a table in one Delta commit that carries any
//! number of application transactions: the write of a streaming micro-batch, too small to be
//! worth a distributed job, recording one transaction per source partition with its rows.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use datafusion::arrow::array::{ArrayRef, RecordBatch, new_null_array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::SchemaRef;
use deltalake::DeltaTable;
use deltalake::kernel::engine::arrow_conversion::TryFromArrow;
use deltalake::kernel::transaction::{CommitBuilder, CommitProperties};
use deltalake::kernel::{Action, MetadataExt, StructType, Transaction};
use deltalake::operations::create::CreateBuilder;
use deltalake::protocol::{DeltaOperation, SaveMode};

use crate::delta::{committed_transaction, delta_builder};
use crate::error::LakehouseError;
use crate::events::LOG_TARGET;
use crate::frame::{nullable, target_schema};
use crate::lake::Lakehouse;
use crate::name::TableName;
use crate::write::exec::{add_rows, conform, file_writer};

/// What an append did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppendMetrics {
    /// The table version it committed.
    pub version: u64,
    /// Rows written.
    pub rows: u64,
    /// Parquet files written.
    pub files: usize,
    /// Time spent writing the files.
    pub write_time: Duration,
    /// Time spent committing (log read, conflict check, commit, checkpoint when due).
    pub commit_time: Duration,
}

/// An append of in-memory batches to one table, configured by its `with_*` methods and run by
/// [`AppendBatches::execute`]. Made by [`Lakehouse::append_batches`].
#[must_use = "an append does nothing until executed"]
pub struct AppendBatches<'a> {
    lake: &'a Lakehouse,
    name: String,
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
    transactions: Vec<Transaction>,
    properties: HashMap<String, String>,
    merge_schema: bool,
}

impl Lakehouse {
    /// An append to table `name` of batches with `schema` (also the new table's schema when the
    /// append creates it).
    pub fn append_batches(&self, name: &str, schema: SchemaRef) -> AppendBatches<'_> {
        AppendBatches {
            lake: self,
            name: name.to_string(),
            schema,
            batches: Vec::new(),
            transactions: Vec::new(),
            properties: HashMap::new(),
            merge_schema: false,
        }
    }
}

impl AppendBatches<'_> {
    /// The rows to append; none is allowed (a commit of transactions alone).
    pub fn with_batches(mut self, batches: impl IntoIterator<Item = RecordBatch>) -> Self {
        self.batches.extend(batches);
        self
    }

    /// Records application transaction `app_id` at `version` with the rows. The append fails
    /// with [`LakehouseError::TransactionAhead`] when the table already holds it at `version` or
    /// later.
    pub fn with_transaction(mut self, app_id: impl Into<String>, version: i64) -> Self {
        self.transactions.push(Transaction::new(app_id.into(), version));
        self
    }

    /// A table property, set when the append creates the table (`delta.checkpointInterval`).
    pub fn with_table_property(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.properties.insert(key.into(), value.into());
        self
    }

    /// Adds the batches' columns the table lacks instead of failing.
    pub fn with_merge_schema(mut self, merge: bool) -> Self {
        self.merge_schema = merge;
        self
    }

    /// Writes the files and commits them with the transactions, in one Delta commit.
    pub async fn execute(self) -> Result<AppendMetrics, LakehouseError> {
        let name: TableName = self.name.parse()?;
        if name.at.is_some() {
            return Err(LakehouseError::InvalidName {
                name: self.name,
                reason: "cannot write to a past version".into(),
            });
        }
        let qualified = name.qualified();
        let delta = |source| LakehouseError::Delta { name: qualified.clone(), source };
        let url = self.lake.table_url(&name);
        let existing = if self.lake.exists(&url).await? { Some(self.lake.open(&name).await?) } else { None };
        let (schema, evolved) = match &existing {
            Some(table) => {
                self.check_transactions(table, &qualified).await?;
                let current = table.snapshot().map_err(delta)?.snapshot().arrow_schema();
                target_schema(&qualified, &current, &self.schema, self.merge_schema)?
            }
            None => (nullable(&self.schema), false),
        };
        let log_store = match &existing {
            Some(table) => table.log_store(),
            None => delta_builder(&self.lake.store().store, &url, &qualified)?.build().map_err(delta)?.log_store(),
        };

        let started = Instant::now();
        let mut writer = file_writer(&log_store, &schema, &[], &self.properties);
        let mut rows = 0u64;
        for batch in &self.batches {
            let aligned = conform(&align(batch, &schema)?, &schema, &qualified)?;
            rows += aligned.num_rows() as u64;
            if let Err(source) = writer.write(&aligned).await {
                if let Err(abort) = writer.abort().await {
                    tracing::warn!(target: LOG_TARGET, table = %qualified, %abort, "aborting a failed append left uploads behind");
                }
                return Err(delta(source));
            }
        }
        let adds = writer.close().await.map_err(delta)?;
        debug_assert_eq!(adds.iter().map(add_rows).sum::<u64>(), rows);
        let write_time = started.elapsed();
        let files = adds.len();

        let started = Instant::now();
        let properties = CommitProperties::default()
            .with_application_transactions(self.transactions.clone())
            .with_metadata([("reviewlake.rows".to_string(), serde_json::json!(rows))]);
        let actions: Vec<Action> = adds.into_iter().map(Action::Add).collect();
        let version = match existing {
            None => {
                let delta_schema =
                    StructType::try_from_arrow(schema.as_ref()).map_err(|e| LakehouseError::SchemaMismatch {
                        name: qualified.clone(),
                        reason: format!("the schema has no Delta equivalent: {e}"),
                    })?;
                let table = CreateBuilder::new()
                    .with_log_store(log_store)
                    .with_columns(delta_schema.fields().cloned())
                    .with_configuration(self.properties.iter().map(|(k, v)| (k.clone(), Some(v.clone()))))
                    .with_save_mode(SaveMode::ErrorIfExists)
                    .with_actions(actions)
                    .with_commit_properties(properties)
                    .await
                    .map_err(delta)?;
                table.version().unwrap_or_default()
            }
            Some(table) => {
                let snapshot = table.snapshot().map_err(delta)?;
                let mut actions = actions;
                if evolved {
                    let delta_schema =
                        StructType::try_from_arrow(schema.as_ref()).map_err(|e| LakehouseError::SchemaMismatch {
                            name: qualified.clone(),
                            reason: format!("the schema has no Delta equivalent: {e}"),
                        })?;
                    let metadata =
                        snapshot.metadata().clone().with_schema(&delta_schema).map_err(|e| delta(e.into()))?;
                    actions.push(Action::Metadata(metadata));
                }
                let operation = DeltaOperation::Write { mode: SaveMode::Append, partition_by: None, predicate: None };
                CommitBuilder::from(properties)
                    .with_actions(actions)
                    .build(Some(snapshot), table.log_store(), operation)
                    .await
                    .map_err(delta)?
                    .version()
            }
        };
        let commit_time = started.elapsed();
        tracing::debug!(target: LOG_TARGET, table = %qualified, version, rows, files, "append committed");
        Ok(AppendMetrics { version, rows, files, write_time, commit_time })
    }

    /// Refuses the append when the table holds one of its transactions at its version or later.
    async fn check_transactions(&self, table: &DeltaTable, name: &str) -> Result<(), LakehouseError> {
        for transaction in &self.transactions {
            let committed = committed_transaction(table, name, &transaction.app_id).await?;
            if let Some(committed) = committed.filter(|&committed| committed >= transaction.version) {
                return Err(LakehouseError::TransactionAhead {
                    name: name.to_string(),
                    app_id: transaction.app_id.clone(),
                    committed,
                    version: transaction.version,
                });
            }
        }
        Ok(())
    }
}

/// `batch`'s columns in `schema`'s order, by name, cast to its types; columns it lacks are NULL.
fn align(batch: &RecordBatch, schema: &SchemaRef) -> Result<RecordBatch, LakehouseError> {
    let columns = schema
        .fields()
        .iter()
        .map(|field| match batch.column_by_name(field.name()) {
            Some(column) if column.data_type() == field.data_type() => Ok(column.clone()),
            Some(column) => cast(column, field.data_type()).map_err(Into::into),
            None => Ok(new_null_array(field.data_type(), batch.num_rows())),
        })
        .collect::<Result<Vec<ArrayRef>, datafusion::arrow::error::ArrowError>>()
        .map_err(datafusion::error::DataFusionError::from)?;
    Ok(RecordBatch::try_new(schema.clone(), columns).map_err(datafusion::error::DataFusionError::from)?)
}
