//! `reviewlake demo`: the main job on the embedded default. It runs the medallion pipeline
//! (bronze → silver → gold) over a source folder, generating a modest data set when none is
//! given, and prints the dashboard's headline insights from the gold tables.

use std::path::PathBuf;

use reviewlake_cluster::session::ClusterSession;
use reviewlake_cluster::sources::SourceLocation;
use reviewlake_cluster::sql::{OutputFormat, SqlError, format_batches, run_script};

use crate::generate::{GenerateError, GenerateOptions, generate};
use crate::medallion::{PipelineError, run_pipeline};

/// Reviews the demo generates when no source is given.
pub const DEMO_REVIEWS: u64 = 100_000;
/// Products of the generated data set.
pub const DEMO_PRODUCTS: u64 = 5_000;
/// Where the generated data set goes (reused by later runs).
pub const DEMO_SOURCE: &str = "demo-data";

/// The headline insights: a title and the gold query that answers it.
const INSIGHTS: [(&str, &str); 4] = [
    ("KPI tiles", "SELECT * FROM gold.q19_kpis"),
    ("Sentiment overview", "SELECT * FROM gold.q08_sentiment_overview ORDER BY reviews DESC"),
    (
        "Categories with most feedback",
        "SELECT * FROM gold.q11_top_categories ORDER BY reviews_with_text DESC, category",
    ),
    ("Brands with most negative reviews", "SELECT * FROM gold.q15_negative_by_brand ORDER BY reviews DESC, brand"),
];

/// Errors of the demo, each the error of the step that failed.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The demo data set could not be generated.
    #[error(transparent)]
    Generate(#[from] GenerateError),
    /// The medallion pipeline failed.
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    /// An insight query failed.
    #[error(transparent)]
    Sql(#[from] SqlError),
    /// An insight could not be formatted.
    #[error(transparent)]
    Format(#[from] datafusion::error::DataFusionError),
}

/// Runs the demo on `session` and returns the printed report.
pub async fn run_demo(session: &ClusterSession, source: Option<&SourceLocation>) -> Result<String, DemoError> {
    let source = match source {
        Some(source) => source.clone(),
        None => SourceLocation::Local(generated_source()?),
    };
    let mut report = String::new();
    for layer in run_pipeline(&session.ctx, &session.lake, &source).await?.layers {
        report.push_str(&format!("{layer}\n"));
    }
    for (title, query) in INSIGHTS {
        let batches = run_script(&session.ctx, Some(&session.lake), query).await?;
        report.push_str(&format!("\n{title}\n{}\n", format_batches(&batches, OutputFormat::Table)?));
    }
    Ok(report)
}

/// `./demo-data`, generated on first use.
fn generated_source() -> Result<PathBuf, GenerateError> {
    let out = PathBuf::from(DEMO_SOURCE);
    if !out.join("amazon_reviews").is_dir() {
        let options =
            GenerateOptions { reviews: DEMO_REVIEWS, products: DEMO_PRODUCTS, out: out.clone(), seed: 42, files: 8 };
        let generated = generate(&options)?;
        tracing::info!(reviews = generated.review_lines, folder = %out.display(), "generated the demo data set");
    }
    Ok(out)
}
