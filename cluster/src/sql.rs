//! Running SQL scripts on a session and printing results.

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::util::pretty::pretty_format_batches;
use datafusion::error::DataFusionError;
use datafusion::prelude::SessionContext;
use datafusion::sql::parser::DFParser;
use datafusion::sql::sqlparser::dialect::GenericDialect;

/// How `reviewlake sql` prints a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
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
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let ctx = datafusion::prelude::SessionContext::new();
/// let batches = reviewlake_cluster::sql::run_script(&ctx, "CREATE VIEW v AS SELECT 1 AS x; SELECT x + 1 AS y FROM v").await.unwrap();
/// assert_eq!(batches[0].num_rows(), 1);
/// # }
/// ```
pub async fn run_script(ctx: &SessionContext, script: &str) -> Result<Vec<RecordBatch>, SqlError> {
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
        let plan = ctx.state().statement_to_plan(statement).await.map_err(wrap)?;
        let frame = ctx.execute_logical_plan(plan).await.map_err(wrap)?;
        last = frame.collect().await.map_err(wrap)?;
    }
    Ok(last)
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
