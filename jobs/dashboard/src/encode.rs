//! The API's documents: a panel answer as JSON rows or CSV, and the catalog.

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::error::ArrowError;
use datafusion::arrow::json::writer::JsonArray;
use serde::Serialize;

use crate::answers::{Answer, TableVersion};
use crate::catalog::{ChartSpec, PAGES, PANELS, Page};
use crate::filters::Filters;

/// Errors of encoding a document.
#[derive(Debug, thiserror::Error)]
pub enum EncodeError {
    /// Arrow could not write the rows.
    #[error("encoding rows: {0}")]
    Arrow(#[from] ArrowError),
    /// serde could not write the document.
    #[error("encoding JSON: {0}")]
    Json(#[from] serde_json::Error),
}

#[derive(Serialize)]
struct Column {
    name: String,
    #[serde(rename = "type")]
    data_type: String,
}

#[derive(Serialize)]
struct AnswerDocument<'a> {
    id: &'static str,
    columns: Vec<Column>,
    rows: serde_json::Value,
    sql: &'static str,
    params: &'a Filters,
    tables: &'a [TableVersion],
    filtered: bool,
    elapsed_ms: f64,
    empty_reason: Option<&'static str>,
}

/// The JSON document of an answer: its columns, its rows as objects (nulls written), the SQL
/// and parameters behind them and the table versions read.
pub fn answer_json(answer: &Answer) -> Result<Vec<u8>, EncodeError> {
    let columns = answer
        .schema
        .fields()
        .iter()
        .map(|field| Column { name: field.name().clone(), data_type: field.data_type().to_string() })
        .collect();
    let document = AnswerDocument {
        id: answer.panel.id,
        columns,
        rows: serde_json::from_slice(&rows_json(&answer.batches)?)?,
        sql: answer.sql,
        params: &answer.filters,
        tables: &answer.tables,
        filtered: answer.filtered,
        elapsed_ms: answer.elapsed_ms,
        empty_reason: answer.empty_reason,
    };
    Ok(serde_json::to_vec(&document)?)
}

/// Rows as a JSON array of objects, nulls included.
fn rows_json(batches: &[RecordBatch]) -> Result<Vec<u8>, ArrowError> {
    let mut out = Vec::new();
    let mut writer =
        datafusion::arrow::json::WriterBuilder::new().with_explicit_nulls(true).build::<_, JsonArray>(&mut out);
    for batch in batches {
        writer.write(batch)?;
    }
    writer.finish()?;
    drop(writer);
    if out.is_empty() {
        out.extend_from_slice(b"[]");
    }
    Ok(out)
}

/// An answer's rows as CSV with a header line (also when there are no rows).
pub fn answer_csv(answer: &Answer) -> Result<Vec<u8>, ArrowError> {
    let mut out = Vec::new();
    let mut writer = datafusion::arrow::csv::WriterBuilder::new().with_header(true).build(&mut out);
    if answer.batches.is_empty() {
        writer.write(&RecordBatch::new_empty(answer.schema.clone()))?;
    }
    for batch in &answer.batches {
        writer.write(batch)?;
    }
    drop(writer);
    Ok(out)
}

#[derive(Serialize)]
struct PanelEntry {
    id: &'static str,
    page: &'static str,
    title: &'static str,
    description: &'static str,
    chart: ChartSpec,
    formats: serde_json::Map<String, serde_json::Value>,
    filterable: bool,
}

#[derive(Serialize)]
struct CatalogDocument {
    pages: &'static [Page],
    panels: Vec<PanelEntry>,
}

/// The catalog: every page with its panels, and every panel's chart.
pub fn catalog_json() -> Result<Vec<u8>, EncodeError> {
    let panels = PANELS
        .iter()
        .map(|panel| {
            let page = PAGES.iter().find(|page| page.panels.contains(&panel.id)).map_or("", |page| page.id);
            let formats = panel
                .formats
                .iter()
                .map(|(column, format)| Ok((column.to_string(), serde_json::to_value(format)?)))
                .collect::<Result<_, serde_json::Error>>()?;
            Ok(PanelEntry {
                id: panel.id,
                page,
                title: panel.title,
                description: panel.description,
                chart: panel.chart,
                formats,
                filterable: panel.filterable(),
            })
        })
        .collect::<Result<_, serde_json::Error>>()?;
    Ok(serde_json::to_vec(&CatalogDocument { pages: PAGES, panels })?)
}
