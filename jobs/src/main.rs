//! `reviewlake`: run jobs and SQL on a cluster, and operate local multi-process clusters.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use reviewlake_cluster::config::{Settings, SettingsLoader};
use reviewlake_cluster::lakehouse::{Lakehouse, VacuumOptions};
use reviewlake_cluster::ops::{self, ClusterSpec};
use reviewlake_cluster::session;
use reviewlake_cluster::sources::SourceLocation;
use reviewlake_cluster::sql::{OutputFormat, format_batches, run_script};
use reviewlake_jobs::ingest::SourceKind;
use reviewlake_jobs::medallion;

/// reviewlake: a distributed lakehouse of product reviews on Apache DataFusion Ballista.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct GlobalArgs {
    /// Configuration file (TOML); also `REVIEWLAKE_CONFIG`. See reviewlake.example.toml.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// A running scheduler as HOST:PORT (`client.scheduler`); absent runs an in-process cluster.
    #[arg(long, global = true)]
    scheduler: Option<String>,
    /// The lakehouse root, a path or URL (`lakehouse.root`, default ./lakehouse).
    #[arg(long, global = true)]
    lakehouse: Option<String>,
    /// `log.level`, e.g. warn, info, debug.
    #[arg(long, global = true)]
    log_level: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// The main job: the medallion pipeline over a source folder (a generated data set when
    /// none is given), then the dashboard's headline insights.
    Demo {
        /// Folder or `s3://bucket/prefix` holding `amazon_reviews/` (and optionally `amazon_metadata/`).
        #[arg(long)]
        source: Option<SourceLocation>,
    },
    /// Run SQL statements (separated by `;`) and print the last result.
    Sql {
        /// The SQL; omit it to use -f.
        query: Option<String>,
        /// Read the SQL from this file.
        #[arg(short = 'f', long = "file", conflicts_with = "query")]
        file: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Operate a cluster of separate processes on this machine.
    Cluster {
        #[command(subcommand)]
        action: ClusterAction,
    },
    /// Maintain a lakehouse table: compaction, retention, history, description.
    Table {
        #[command(subcommand)]
        action: TableAction,
        /// Output format.
        #[arg(long, value_enum, default_value = "table", global = true)]
        format: Format,
    },
    /// Write synthetic review and metadata files in the batch layout (gzip JSON Lines in
    /// partition folders, Spark marker files, the raw data's quirks).
    Gen {
        /// Review lines to write (malformed and duplicate lines included).
        #[arg(long)]
        reviews: u64,
        /// Distinct products.
        #[arg(long)]
        products: u64,
        /// Output folder; `amazon_reviews/` and `amazon_metadata/` are created under it.
        #[arg(long)]
        out: PathBuf,
        /// Seed: the same options give byte-identical files.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Review partitions (files); metadata gets half as many.
        #[arg(long, default_value_t = 8)]
        files: u32,
    },
    /// Load source files into bronze tables.
    Ingest {
        #[command(subcommand)]
        action: IngestAction,
    },
    /// Run the medallion pipeline, or one of its layers.
    Pipeline {
        #[command(subcommand)]
        action: PipelineAction,
    },
    /// List the reviewlake SQL functions.
    Functions,
}

#[derive(Subcommand)]
enum PipelineAction {
    /// Bronze to silver: typed, cleaned, deduplicated; only bronze data added since the last run.
    Silver,
    /// Silver to gold: `gold.reviews` and one table per dashboard question.
    Gold,
    /// Ingest `SOURCE/amazon_reviews` (and `SOURCE/amazon_metadata` if present), then silver and gold.
    Run {
        /// Folder or `s3://bucket/prefix` holding `amazon_reviews/` and optionally `amazon_metadata/`.
        #[arg(long)]
        source: SourceLocation,
    },
}

#[derive(Subcommand)]
enum IngestAction {
    /// Load each new `.json`/`.json.gz` file of a folder exactly once (the auto loader).
    Batch {
        /// The source folder (e.g. `data/amazon_reviews`) or `s3://bucket/prefix`; scanned
        /// recursively. S3 sources use the `[lakehouse.s3]` settings.
        #[arg(long)]
        source: SourceLocation,
        /// What the files hold.
        #[arg(long, value_enum)]
        kind: SourceKind,
        /// Load at most this many new files in this run.
        #[arg(long)]
        max_files: Option<usize>,
    },
}

#[derive(Subcommand)]
enum TableAction {
    /// Compact small files into larger ones (one commit).
    Optimize {
        /// schema.table
        name: String,
        /// Target file size in MiB.
        #[arg(long, default_value_t = 128)]
        target_mib: u64,
    },
    /// Delete data files no retained version needs, and files of failed jobs.
    Vacuum {
        /// schema.table
        name: String,
        /// Keep files removed less than this many hours ago.
        #[arg(long, default_value_t = 168)]
        retain_hours: u64,
        /// Allow a retention shorter than the table's (time travel to older versions breaks).
        #[arg(long)]
        allow_short_retention: bool,
        /// Only report what would be deleted.
        #[arg(long)]
        dry_run: bool,
    },
    /// The commit log, newest first.
    History {
        /// schema.table
        name: String,
        /// Number of commits to show.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Version, location, files, rows, partitioning, properties and columns.
    Describe {
        /// schema.table
        name: String,
    },
    /// Delete a table and all its files.
    Drop {
        /// schema.table
        name: String,
    },
}

#[derive(Subcommand)]
enum ClusterAction {
    /// Start a scheduler and N executors, wait until all are registered.
    Up {
        #[command(flatten)]
        shape: Shape,
    },
    /// Show executors, their slots, and jobs, as the scheduler sees them.
    Status {
        #[command(flatten)]
        dir: RunDir,
    },
    /// Add executors, or remove the newest ones after they drain their tasks.
    Scale {
        #[command(flatten)]
        shape: Shape,
    },
    /// Stop every process of the cluster.
    Down {
        #[command(flatten)]
        dir: RunDir,
        /// Seconds to let processes drain before they are killed.
        #[arg(long, default_value_t = 60)]
        grace_secs: u64,
    },
}

#[derive(Args)]
struct RunDir {
    /// Run directory holding the cluster record, logs and work directories.
    #[arg(long = "dir", default_value = "./run")]
    path: PathBuf,
}

#[derive(Args)]
struct Shape {
    #[command(flatten)]
    dir: RunDir,
    /// Number of executors.
    #[arg(long)]
    executors: usize,
    /// Task slots per executor, comma separated (e.g. 2,1); the last value repeats.
    #[arg(long, value_delimiter = ',')]
    vcores: Vec<usize>,
    /// Seconds to wait for start-up, registration or draining.
    #[arg(long, default_value_t = 120)]
    timeout_secs: u64,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = load_settings(&cli.global);
    reviewlake_cluster::run_binary("reviewlake", settings, |settings| run(cli, settings))
}

fn load_settings(global: &GlobalArgs) -> Result<Settings, reviewlake_cluster::config::ConfigError> {
    SettingsLoader::from_env(global.config.clone())
        .with_flags([
            ("client.scheduler", &global.scheduler),
            ("lakehouse.root", &global.lakehouse),
            ("log.level", &global.log_level),
        ])
        .load()
}

async fn run(cli: Cli, settings: Settings) -> anyhow::Result<()> {
    match cli.command {
        Command::Demo { source } => {
            let session = session::connect(&settings).await?;
            print!("{}", reviewlake_jobs::demo::run_demo(&session, source.as_ref()).await?);
        }
        Command::Sql { query, file, format } => {
            let script = match (query, file) {
                (Some(query), None) => query,
                (None, Some(path)) => std::fs::read_to_string(&path)
                    .with_context(|| format!("cannot read SQL file {}", path.display()))?,
                _ => bail!("give the SQL as an argument or with -f FILE"),
            };
            let session = session::connect(&settings).await?;
            let batches = run_script(&session.ctx, Some(&session.lake), &script).await?;
            let text = format_batches(&batches, format.into())?;
            println!("{}", text.trim_end());
        }
        Command::Gen { reviews, products, out, seed, files } => {
            let started = std::time::Instant::now();
            let options =
                reviewlake_jobs::generate::GenerateOptions { reviews, products, out: out.clone(), seed, files };
            let report = reviewlake_jobs::generate::generate(&options)?;
            let seconds = started.elapsed().as_secs_f64();
            println!(
                "wrote {} review lines ({} malformed, {} duplicates) in {} files and {} metadata lines in {} files under {}: \
                 {:.1} MB in {:.2} s ({:.0} reviews/s)",
                report.review_lines,
                report.malformed_lines,
                report.duplicate_reviews,
                report.review_files.len(),
                report.metadata_lines,
                report.metadata_files.len(),
                out.display(),
                report.bytes_written as f64 / 1e6,
                seconds,
                report.review_lines as f64 / seconds
            );
        }
        Command::Ingest { action: IngestAction::Batch { source, kind, max_files } } => {
            let session = session::connect(&settings).await?;
            let report =
                reviewlake_jobs::ingest::ingest_batch(&session.ctx, &session.lake, &source, kind, max_files).await?;
            println!(
                "{} files in source, {} loaded now ({} left for later runs): {} rows into bronze.{}, {} lines quarantined",
                report.files_in_source,
                report.files_loaded,
                report.files_pending,
                report.rows,
                kind.name(),
                report.quarantined
            );
        }
        Command::Pipeline { action } => {
            let session = session::connect(&settings).await?;
            let (ctx, lake) = (&session.ctx, &session.lake);
            match action {
                PipelineAction::Run { source } => {
                    for stage in medallion::run_pipeline(ctx, lake, &source).await?.stages {
                        println!("{stage}");
                    }
                }
                PipelineAction::Silver => {
                    let (reviews, metadata) = medallion::run_silver(ctx, lake).await?;
                    println!("silver.reviews: +{} rows, silver.metadata: +{} rows", reviews.rows, metadata.rows);
                }
                PipelineAction::Gold => println!("gold: {} tables rebuilt", medallion::run_gold(ctx, lake).await?),
            }
        }
        Command::Functions => {
            for name in reviewlake_cluster::functions::names() {
                println!("{name}");
            }
        }
        Command::Cluster { action } => run_cluster(action, &cli.global, &settings).await?,
        Command::Table { action, format } => {
            let lake = Lakehouse::from_settings(&settings.lakehouse)?;
            let batch = match action {
                TableAction::Optimize { name, target_mib } => lake.optimize(&name, target_mib * 1024 * 1024).await?,
                TableAction::Vacuum { name, retain_hours, allow_short_retention, dry_run } => {
                    lake.vacuum(&name, VacuumOptions { retain_hours, allow_short_retention, dry_run }).await?
                }
                TableAction::History { name, limit } => lake.history(&name, limit).await?,
                TableAction::Describe { name } => lake.describe(&name).await?,
                TableAction::Drop { name } => lake.drop_table(&name).await?,
            };
            println!("{}", format_batches(&[batch], format.into())?.trim_end());
        }
    }
    Ok(())
}

async fn run_cluster(action: ClusterAction, global: &GlobalArgs, settings: &Settings) -> anyhow::Result<()> {
    let spec = |shape: Shape| ClusterSpec {
        dir: shape.dir.path,
        executors: shape.executors,
        vcores: shape.vcores,
        config_file: global.config.clone(),
        timeout: Duration::from_secs(shape.timeout_secs),
    };
    match action {
        ClusterAction::Up { shape } => {
            let started = std::time::Instant::now();
            let spec = spec(shape);
            let record = ops::up(&spec, settings).await?;
            println!(
                "cluster up in {:.2} s: scheduler {} (operator API {}), {} executors, record {}",
                started.elapsed().as_secs_f64(),
                record.scheduler_address(),
                record.api_url(),
                record.executors.len(),
                spec.dir.join(ops::RECORD_FILE).display()
            );
        }
        ClusterAction::Status { dir } => print!("{}", ops::status(&dir.path).await?),
        ClusterAction::Scale { shape } => {
            let record = ops::scale(&spec(shape), settings).await?;
            let shape: Vec<String> =
                record.executors.iter().map(|e| format!("{}({} vcores)", e.id, e.vcores)).collect();
            println!("cluster now has {} executors: {}", record.executors.len(), shape.join(", "));
        }
        ClusterAction::Down { dir, grace_secs } => {
            let killed = ops::down(&dir.path, Duration::from_secs(grace_secs))?;
            if killed.is_empty() {
                println!("cluster stopped");
            } else {
                println!("cluster stopped; killed after {grace_secs} s: {killed:?}");
            }
        }
    }
    Ok(())
}

/// `--format`: how a result is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// An aligned text table.
    Table,
    /// CSV with a header line.
    Csv,
    /// A JSON array of objects.
    Json,
}

impl From<Format> for OutputFormat {
    fn from(format: Format) -> Self {
        match format {
            Format::Table => OutputFormat::Table,
            Format::Csv => OutputFormat::Csv,
            Format::Json => OutputFormat::Json,
        }
    }
}
