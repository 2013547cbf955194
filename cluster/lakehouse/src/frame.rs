//! Writing DataFrames and SQL query results into lakehouse tables, as distributed jobs.

use std::sync::Arc;

use datafusion::arrow::array::{Array, UInt64Array};
use datafusion::arrow::compute::can_cast_types;
use datafusion::arrow::datatypes::{Field, FieldRef, Schema, SchemaRef};
use datafusion::catalog::default_table_source::provider_as_source;
use datafusion::common::{Column, ScalarValue, TableReference};
use datafusion::logical_expr::dml::InsertOp;
use datafusion::logical_expr::{Expr, LogicalPlanBuilder, cast, lit};
use datafusion::prelude::{DataFrame, SessionContext};

use crate::delta::committed_transaction;
use crate::error::LakehouseError;
use crate::handle::{CreateTarget, TableHandle, WriteTarget};
use crate::lake::Lakehouse;
use crate::name::TableName;
use crate::table::LakehouseTable;
use crate::write::{WriteMode, WriteOptions};

/// What a write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOutcome {
    /// Rows were committed.
    Committed {
        /// Rows written.
        rows: u64,
    },
    /// Nothing was written: the transaction was already committed, or the table existed
    /// under [`WriteMode::CreateIfNotExists`].
    Skipped,
}

impl WriteOutcome {
    /// Rows the write committed: 0 when it was skipped.
    ///
    /// ```
    /// use reviewlake_lakehouse::WriteOutcome;
    /// assert_eq!(WriteOutcome::Committed { rows: 3 }.rows(), 3);
    /// assert_eq!(WriteOutcome::Skipped.rows(), 0);
    /// ```
    pub fn rows(self) -> u64 {
        match self {
            WriteOutcome::Committed { rows } => rows,
            WriteOutcome::Skipped => 0,
        }
    }
}

impl Lakehouse {
    /// Writes `frame` into the table `name` as a distributed job on `ctx`'s cluster: the
    /// executors write the files, one task commits them in a single Delta transaction.
    ///
    /// Columns are matched by name. Table columns missing from `frame` are written as NULL;
    /// columns the table lacks are an error unless `options.merge_schema` adds them.
    ///
    /// ```no_run
    /// # async fn f(lake: &reviewlake_lakehouse::Lakehouse, ctx: &datafusion::prelude::SessionContext) -> Result<(), Box<dyn std::error::Error>> {
    /// use reviewlake_lakehouse::{WriteMode, WriteOptions};
    /// let frame = ctx.sql("SELECT 1 AS id, 'a' AS name").await?;
    /// let options = WriteOptions { mode: WriteMode::Append, txn: Some(("ingest".into(), 7)), ..Default::default() };
    /// lake.write(ctx, frame, "bronze.things", options).await?;
    /// # Ok(()) }
    /// ```
    pub async fn write(
        &self,
        ctx: &SessionContext,
        frame: DataFrame,
        name: &str,
        options: WriteOptions,
    ) -> Result<WriteOutcome, LakehouseError> {
        let name: TableName = name.parse()?;
        if name.at.is_some() {
            return Err(LakehouseError::InvalidName {
                name: name.to_string(),
                reason: "cannot write to a past version".into(),
            });
        }
        let url = self.table_url(&name);
        let exists = self.exists(&url).await?;
        let qualified = name.qualified();
        let (provider, frame, op) = match (options.mode, exists) {
            (WriteMode::CreateIfNotExists, true) => return Ok(WriteOutcome::Skipped),
            (WriteMode::Create, true) => return Err(LakehouseError::AlreadyExists { name: qualified }),
            (WriteMode::Append | WriteMode::Overwrite, true) => {
                let table = self.open(&name).await?;
                let current = LakehouseTable::from_delta(&qualified, &table)?;
                if let Some((app_id, version)) = &options.txn {
                    let committed = committed_transaction(&table, &qualified, app_id).await?;
                    if committed.is_some_and(|c| c >= *version) {
                        return Ok(WriteOutcome::Skipped);
                    }
                }
                use datafusion::catalog::TableProvider;
                let (schema, evolved) =
                    target_schema(&qualified, &current.schema(), frame.schema().as_arrow(), options.merge_schema)?;
                let frame = align(frame, &schema)?;
                let target = WriteTarget { create: None, evolve_schema: evolved, txn: options.txn.clone() };
                let op = if options.mode == WriteMode::Overwrite { InsertOp::Overwrite } else { InsertOp::Append };
                (current.with_schema(schema).with_write_target(target), frame, op)
            }
            (_, _) => {
                let schema = nullable(frame.schema().as_arrow());
                for column in &options.partition_by {
                    if schema.field_with_name(column).is_err() {
                        return Err(LakehouseError::SchemaMismatch {
                            name: qualified,
                            reason: format!("partition column {column} is not among the columns written"),
                        });
                    }
                }
                let create = CreateTarget {
                    partition_by: options.partition_by.clone(),
                    replace: options.mode == WriteMode::CreateOrReplace,
                };
                let target = WriteTarget { create: Some(create), evolve_schema: false, txn: options.txn.clone() };
                let handle =
                    TableHandle { name: qualified.clone(), url, version: None, write: target, changes_since: None };
                (LakehouseTable::from_handle(handle, schema), frame, InsertOp::Append)
            }
        };
        let plan = LogicalPlanBuilder::insert_into(
            frame.into_unoptimized_plan(),
            TableReference::partial(name.schema.as_str(), name.table.as_str()),
            provider_as_source(Arc::new(provider)),
            op,
        )?
        .build()?;
        let batches = ctx.execute_logical_plan(plan).await?.collect().await?;
        let rows = batches
            .iter()
            .filter_map(|batch| {
                batch.column(0).as_any().downcast_ref::<UInt64Array>().map(|c| c.iter().flatten().sum::<u64>())
            })
            .sum();
        Ok(WriteOutcome::Committed { rows })
    }
}

/// The schema a write into a table with `table` columns produces: the table's, plus the
/// input's extra columns when `merge` is set. Returns whether columns were added.
pub(crate) fn target_schema(
    name: &str,
    table: &SchemaRef,
    input: &Schema,
    merge: bool,
) -> Result<(SchemaRef, bool), LakehouseError> {
    let mismatch = |reason: String| LakehouseError::SchemaMismatch { name: name.to_string(), reason };
    for field in input.fields() {
        if let Ok(existing) = table.field_with_name(field.name())
            && !can_cast_types(field.data_type(), existing.data_type())
        {
            return Err(mismatch(format!(
                "column {} is {} in the table but {} in the input",
                field.name(),
                existing.data_type(),
                field.data_type()
            )));
        }
    }
    let extra: Vec<FieldRef> = input
        .fields()
        .iter()
        .filter(|field| table.field_with_name(field.name()).is_err())
        .map(|field| Arc::new(field.as_ref().clone().with_nullable(true)))
        .collect();
    if extra.is_empty() {
        return Ok((table.clone(), false));
    }
    if !merge {
        let names: Vec<&str> = extra.iter().map(|f| f.name().as_str()).collect();
        return Err(mismatch(format!(
            "the table has no column {}; set merge_schema to add {}",
            names.join(", "),
            if names.len() == 1 { "it" } else { "them" }
        )));
    }
    let fields: Vec<FieldRef> = table.fields().iter().cloned().chain(extra).collect();
    Ok((Arc::new(Schema::new(fields)), true))
}

/// Selects `frame`'s columns in `schema`'s order and types; missing ones become NULL.
fn align(frame: DataFrame, schema: &Schema) -> Result<DataFrame, LakehouseError> {
    let present: Vec<String> = frame.schema().fields().iter().map(|f| f.name().clone()).collect();
    let columns: Vec<Expr> = schema
        .fields()
        .iter()
        .map(|field| {
            let value = if present.contains(field.name()) {
                Expr::Column(Column::from_name(field.name()))
            } else {
                lit(ScalarValue::Null)
            };
            cast(value, field.data_type().clone()).alias(field.name())
        })
        .collect();
    Ok(frame.select(columns)?)
}

pub(crate) fn nullable(schema: &Schema) -> SchemaRef {
    Arc::new(Schema::new(
        schema.fields().iter().map(|f| Field::new(f.name(), f.data_type().clone(), true)).collect::<Vec<_>>(),
    ))
}
