//! Running SQL scripts on a session and printing results.

use std::sync::Arc;

use datafusion::arrow::array::{RecordBatch, UInt64Array};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::arrow::util::pretty::pretty_format_batches;
use datafusion::error::DataFusionError;
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
/// the last one. Semicolons inside strings and comments do not split statements.
///
/// With a `lake`, `CREATE [OR REPLACE] TABLE [IF NOT EXISTS] schema.name [PARTITIONED BY (c, ..)]
/// AS SELECT ...` into a lakehouse schema runs as a distributed Delta write (stock DataFusion
/// would collect the result into memory on the client).
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
    let statements = DFParser::parse_sql_with_dialect(script, &GenericDialect {}).map_err(|e| SqlError {
        index: 1,
        count: 1,
        statement: script.trim().chars().take(200).collect(),
        error: e.into(),
    })?;
    let count = statements.len();
    let mut last = Vec::new();
    for (index, statement) in statements.into_iter().enumerate() {
        let text = statement.to_string();
        let wrap = |error: DataFusionError| SqlError { index: index + 1, count, statement: text.clone(), error };
        if let (Some(lake), DFStatement::Statement(parsed)) = (lake, &statement)
            && let Statement::CreateTable(create) = parsed.as_ref()
            && create.query.is_some()
            && create.name.0.len() == 2
            && LAKE_SCHEMAS.contains(&create.name.0[0].to_string().as_str())
        {
            last = create_table_as(ctx, lake, create).await.map_err(wrap)?;
            continue;
        }
        let plan = ctx.state().statement_to_plan(statement).await.map_err(wrap)?;
        let frame = ctx.execute_logical_plan(plan).await.map_err(wrap)?;
        last = frame.collect().await.map_err(wrap)?;
    }
    Ok(last)
}

/// `CREATE TABLE lake_schema.t AS SELECT ...` as a distributed write; returns the row count.
async fn create_table_as(
    ctx: &SessionContext,
    lake: &Lakehouse,
    create: &CreateTable,
) -> Result<Vec<RecordBatch>, DataFusionError> {
    let query = create.query.clone().expect("checked by the caller");
    let plan = ctx.state().statement_to_plan(DFStatement::Statement(Box::new(Statement::Query(query)))).await?;
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
    let rows = match lake.write(ctx, frame, &name, options).await? {
        WriteOutcome::Committed { rows } => rows,
        WriteOutcome::Skipped => 0,
    };
    let schema = Arc::new(Schema::new(vec![Field::new("count", DataType::UInt64, false)]));
    Ok(vec![RecordBatch::try_new(schema, vec![Arc::new(UInt64Array::from(vec![rows]))])?])
}

/// Joins the lines of a multi-line message (DataFusion's schema errors have several).
fn one_line(message: &str) -> String {
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
