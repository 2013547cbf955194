//! Running SQL scripts on a session and printing results.

use std::sync::Arc;

use datafusion::arrow::array::{RecordBatch, UInt64Array};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::arrow::util::pretty::pretty_format_batches;
use datafusion::common::ParamValues;
use datafusion::error::DataFusionError;
use datafusion::logical_expr::LogicalPlan;
use datafusion::prelude::{DataFrame, SessionContext};
use datafusion::sql::parser::{DFParser, Statement as DFStatement};
use datafusion::sql::sqlparser::ast::{CreateTable, HiveDistributionStyle, Statement};
use datafusion::sql::sqlparser::dialect::GenericDialect;
use reviewlake_lakehouse::{LAKE_SCHEMAS, Lakehouse, WriteMode, WriteOptions, WriteOutcome};

/// How `reviewlake sql` prints a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// An aligned text table.
    Table,
    /// CSV with a header line.
    Csv,
    /// A JSON array of objects.
    Json,
}

/// A SQL error with the statement it came from, displayed on one line.
#[derive(Debug, thiserror::Error)]
#[error("statement {index} of {count} failed: {}; statement: {statement}", one_line(&.error.to_string()))]
pub struct SqlError {
    /// 1-based position of the statement in the script.
    pub index: usize,
    /// Number of statements in the script.
    pub count: usize,
    /// The statement's text.
    pub statement: String,
    /// DataFusion's error.
    pub error: DataFusionError,
}

/// Runs every `;`-separated statement of `script` in order on `ctx` and returns the result of
/// the last one. Semicolons inside strings and comments do not split statements. Statements
/// are planned as [`PlannedStatement::plan`] describes.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let ctx = datafusion::prelude::SessionContext::new();
/// let batches = reviewlake_cluster::sql::run_script(&ctx, None, "CREATE VIEW v AS SELECT 1 AS x; SELECT x + 1 AS y FROM v").await.unwrap();
/// assert_eq!(batches[0].num_rows(), 1);
/// # }
/// ```
pub async fn run_script(
    ctx: &SessionContext,
    lake: Option<&Lakehouse>,
    script: &str,
) -> Result<Vec<RecordBatch>, SqlError> {
    let statements = parse_script(script)?;
    let count = statements.len();
    let mut last = Vec::new();
    for (index, statement) in statements.into_iter().enumerate() {
        let text = statement.to_string();
        let wrap = |error: DataFusionError| SqlError { index: index + 1, count, statement: text.clone(), error };
        let planned = PlannedStatement::plan(ctx, lake, statement).await.map_err(wrap)?;
        last = match planned.run(ctx, lake).await.map_err(wrap)? {
            StatementOutput::Rows(frame) => frame.collect().await.map_err(wrap)?,
            StatementOutput::Done(batch) => vec![batch],
        };
    }
    Ok(last)
}

/// Splits `script` into statements with DataFusion's parser.
pub fn parse_script(script: &str) -> Result<Vec<DFStatement>, SqlError> {
    let statements = DFParser::parse_sql_with_dialect(script, &GenericDialect {}).map_err(|e| SqlError {
        index: 1,
        count: 1,
        statement: script.trim().chars().take(200).collect(),
        error: e.into(),
    })?;
    Ok(statements.into())
}

/// One statement, planned but not yet run: planning has no effect, running it
/// ([`PlannedStatement::run`], and collecting or streaming its rows) has the statement's.
pub struct PlannedStatement {
    kind: Planned,
}

enum Planned {
    /// `CREATE TABLE lake_schema.t AS SELECT ...`, a distributed Delta write.
    LakeTable(Box<CreateTable>, Option<ParamValues>),
    /// Everything DataFusion plans itself.
    Plan(LogicalPlan),
}

impl PlannedStatement {
    /// Plans `statement` on `ctx`. With a `lake`, `CREATE [OR REPLACE] TABLE [IF NOT EXISTS]
    /// schema.name [PARTITIONED BY (c, ..)] AS SELECT ...` into a lakehouse schema becomes a
    /// distributed Delta write (stock DataFusion would collect the result into memory on the client).
    pub async fn plan(
        ctx: &SessionContext,
        lake: Option<&Lakehouse>,
        statement: DFStatement,
    ) -> Result<PlannedStatement, DataFusionError> {
        if lake.is_some()
            && let DFStatement::Statement(parsed) = &statement
            && let Statement::CreateTable(create) = parsed.as_ref()
            && create.query.is_some()
            && create.name.0.len() == 2
            && LAKE_SCHEMAS.contains(&create.name.0[0].to_string().as_str())
        {
            return Ok(PlannedStatement { kind: Planned::LakeTable(Box::new(create.clone()), None) });
        }
        let plan = ctx.state().statement_to_plan(statement).await?;
        Ok(PlannedStatement { kind: Planned::Plan(plan) })
    }

    /// The schema of the statement's result.
    pub fn schema(&self) -> SchemaRef {
        match &self.kind {
            Planned::LakeTable(..) => count_schema(),
            Planned::Plan(plan) => plan.schema().inner().clone(),
        }
    }

    /// The statement's `$1`, `$2`, ... placeholders in order, with the types planning inferred
    /// (`Null` where it could not tell).
    pub fn parameter_schema(&self) -> Result<SchemaRef, DataFusionError> {
        let Planned::Plan(plan) = &self.kind else { return Ok(Arc::new(Schema::empty())) };
        let mut parameters: Vec<(usize, String, DataType)> = plan
            .get_parameter_types()?
            .into_iter()
            .map(|(name, data_type)| {
                let position = name.trim_start_matches('$').parse::<usize>().unwrap_or(usize::MAX);
                (position, name, data_type.unwrap_or(DataType::Null))
            })
            .collect();
        parameters.sort();
        let fields: Vec<Field> =
            parameters.into_iter().map(|(_, name, data_type)| Field::new(name, data_type, true)).collect();
        Ok(Arc::new(Schema::new(fields)))
    }

    /// The statement with its placeholders replaced by `values`, each cast to the type planning
    /// inferred for it; a value that does not cast is an error naming the parameter.
    pub fn bind(self, values: ParamValues) -> Result<PlannedStatement, DataFusionError> {
        let ParamValues::List(list) = values else {
            return Err(DataFusionError::Plan("parameters are bound by position ($1, $2, ...)".into()));
        };
        let expected = self.parameter_schema()?;
        if expected.fields().len() != list.len() {
            return Err(DataFusionError::Plan(format!(
                "the statement has {} parameters, {} were bound",
                expected.fields().len(),
                list.len()
            )));
        }
        let mut cast = Vec::with_capacity(list.len());
        for (field, value) in expected.fields().iter().zip(list) {
            let target = field.data_type();
            let value = if target.is_null() || value.value.data_type() == *target || value.value.is_null() {
                value.value
            } else {
                value.value.cast_to(target).map_err(|e| {
                    DataFusionError::Plan(format!(
                        "parameter {} must be {target}; the value bound is {} ({}): {}",
                        field.name(),
                        value.value.data_type(),
                        value.value,
                        one_line(&e.to_string())
                    ))
                })?
            };
            cast.push(value.into());
        }
        let values = ParamValues::List(cast);
        let kind = match self.kind {
            Planned::LakeTable(create, _) => Planned::LakeTable(create, Some(values)),
            Planned::Plan(plan) => Planned::Plan(plan.with_param_values(values)?),
        };
        Ok(PlannedStatement { kind })
    }

    /// Runs the statement. DDL takes effect here; queries and `INSERT` return their rows as a
    /// frame that runs when collected or streamed; a lakehouse `CREATE TABLE ... AS` runs its
    /// write here and returns its row count.
    pub async fn run(self, ctx: &SessionContext, lake: Option<&Lakehouse>) -> Result<StatementOutput, DataFusionError> {
        match (self.kind, lake) {
            (Planned::LakeTable(create, params), Some(lake)) => {
                let rows = create_table_as(ctx, lake, &create, params).await?;
                let count = RecordBatch::try_new(count_schema(), vec![Arc::new(UInt64Array::from(vec![rows]))])?;
                Ok(StatementOutput::Done(count))
            }
            (Planned::LakeTable(create, _), None) => Err(DataFusionError::Plan(format!(
                "{} is a lakehouse table, and this session has no lakehouse",
                create.name
            ))),
            (Planned::Plan(plan), _) => Ok(StatementOutput::Rows(ctx.execute_logical_plan(plan).await?)),
        }
    }
}

/// What running a statement gives.
pub enum StatementOutput {
    /// Rows still to be computed: collect or stream the frame.
    Rows(DataFrame),
    /// The statement has finished; its one-row summary (a lakehouse write's row count). It is
    /// returned as it is: a frame over it would be another job on the cluster.
    Done(RecordBatch),
}

fn count_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![Field::new("count", DataType::UInt64, false)]))
}

/// `CREATE TABLE lake_schema.t AS SELECT ...` as a distributed write; returns the row count.
async fn create_table_as(
    ctx: &SessionContext,
    lake: &Lakehouse,
    create: &CreateTable,
    params: Option<ParamValues>,
) -> Result<u64, DataFusionError> {
    let query = create.query.clone().expect("checked by the caller");
    let mut plan = ctx.state().statement_to_plan(DFStatement::Statement(Box::new(Statement::Query(query)))).await?;
    if let Some(params) = params {
        plan = plan.with_param_values(params)?;
    }
    let frame = DataFrame::new(ctx.state(), plan);
    let partition_by = match &create.hive_distribution {
        HiveDistributionStyle::PARTITIONED { columns } => columns.iter().map(|c| c.name.value.clone()).collect(),
        _ => Vec::new(),
    };
    let mode = match (create.or_replace, create.if_not_exists) {
        (true, _) => WriteMode::CreateOrReplace,
        (false, true) => WriteMode::CreateIfNotExists,
        (false, false) => WriteMode::Create,
    };
    let name = create.name.0.iter().map(|part| part.to_string()).collect::<Vec<_>>().join(".");
    let options = WriteOptions { mode, partition_by, ..Default::default() };
    Ok(match lake.write(ctx, frame, &name, options).await? {
        WriteOutcome::Committed { rows } => rows,
        WriteOutcome::Skipped => 0,
    })
}

/// Joins the lines of a multi-line message (DataFusion's schema errors have several).
pub(crate) fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Formats batches as `format`.
///
/// ```
/// use reviewlake_cluster::sql::{format_batches, OutputFormat};
/// assert_eq!(format_batches(&[], OutputFormat::Json).unwrap(), "[]");
/// ```
pub fn format_batches(batches: &[RecordBatch], format: OutputFormat) -> Result<String, DataFusionError> {
    match format {
        OutputFormat::Table => Ok(pretty_format_batches(batches)?.to_string()),
        OutputFormat::Csv => {
            let mut out = Vec::new();
            {
                let mut writer = datafusion::arrow::csv::WriterBuilder::new().with_header(true).build(&mut out);
                for batch in batches {
                    writer.write(batch)?;
                }
            }
            String::from_utf8(out).map_err(|e| DataFusionError::Execution(e.to_string()))
        }
        OutputFormat::Json => {
            if batches.is_empty() {
                return Ok("[]".into());
            }
            let mut out = Vec::new();
            {
                let mut writer = datafusion::arrow::json::ArrayWriter::new(&mut out);
                for batch in batches {
                    writer.write(batch)?;
                }
                writer.finish()?;
            }
            String::from_utf8(out).map_err(|e| DataFusionError::Execution(e.to_string()))
        }
    }
}
