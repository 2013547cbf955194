//! The command line: every command, flag and help text of `reviewlake`, as clap types.
//!
//! The library types the commands lead to derive no clap traits; the value enums here are the
//! command line's own and map onto them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use reviewlake_cluster::ops::OperatorApi;
use reviewlake_cluster::sources::SourceLocation;
use reviewlake_cluster::sql::OutputFormat;
use reviewlake_jobs::ingest::SourceKind;

/// reviewlake: a distributed lakehouse of product reviews on Apache DataFusion Ballista.
// The name `reviewlake --version` prints and the first line of `reviewlake --help` are what
// they were when the binary was part of the `reviewlake-jobs` package (clap took them from
// that package's name and description); they stay so the output does not change.
#[derive(Parser)]
#[command(
    name = "reviewlake-jobs",
    version,
    about = "The medallion, streaming and ML jobs, and the `reviewlake` command"
)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: GlobalArgs,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Args)]
pub(crate) struct GlobalArgs {
    /// Configuration file (TOML); also `REVIEWLAKE_CONFIG`. See reviewlake.example.toml.
    #[arg(long, global = true)]
    pub(crate) config: Option<PathBuf>,
    /// A running scheduler as HOST:PORT (`client.scheduler`); absent runs an in-process cluster.
    #[arg(long, global = true)]
    pub(crate) scheduler: Option<String>,
    /// The lakehouse root, a path or URL (`lakehouse.root`, default ./lakehouse).
    #[arg(long, global = true)]
    pub(crate) lakehouse: Option<String>,
    /// `log.level`, e.g. warn, info, debug.
    #[arg(long, global = true)]
    pub(crate) log_level: Option<String>,
    /// Progress of `pipeline run`, `ingest batch` and `demo` on standard error: `auto` (a live
    /// line on a terminal, else a line every 10 s), `always` (a line every second), `never`.
    #[arg(long, value_enum, default_value = "auto", global = true)]
    pub(crate) progress: ProgressArg,
}

/// When long commands report progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ProgressArg {
    /// A live line on a terminal, a line every 10 s otherwise.
    Auto,
    /// A line every second, terminal or not.
    Always,
    /// No progress lines.
    Never,
}

#[derive(Subcommand)]
pub(crate) enum Command {
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
        format: FormatArg,
        /// Run through a Flight SQL service (`grpc://HOST:PORT`) instead of a scheduler session.
        #[arg(long, value_name = "URL", requires = "user")]
        flight: Option<String>,
        /// Flight SQL user; the password comes from REVIEWLAKE_FLIGHT_PASSWORD or standard input.
        #[arg(long, requires = "flight")]
        user: Option<String>,
    },
    /// Manage Flight SQL users.
    User {
        #[command(subcommand)]
        action: UserAction,
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
        format: FormatArg,
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
    /// Replay review JSON-lines files as events of a Kafka-protocol topic (one review per event,
    /// the seed's event shape), keyed by reviewer.
    Produce {
        #[command(flatten)]
        kafka: KafkaArgs,
        /// `.json` / `.json.gz` files to replay.
        #[arg(long = "from", required = true, num_args = 1..)]
        from: Vec<PathBuf>,
        /// Events per second; as fast as the broker takes them when absent.
        #[arg(long)]
        rate: Option<u64>,
        /// Partitions of the topic when `--create` creates it.
        #[arg(long, default_value_t = 3)]
        partitions: i32,
        /// Create the topic when it does not exist.
        #[arg(long)]
        create: bool,
    },
    /// Run streaming ingestion, silver and gold continuously: each micro-batch committed to
    /// bronze triggers silver, and new silver rows trigger gold.
    Stream {
        #[command(subcommand)]
        action: StreamAction,
    },
    /// Sentiment models: features, distributed training with evaluation, and the registry.
    Ml {
        #[command(subcommand)]
        action: MlAction,
        /// Output format of `ml list` and `ml show`.
        #[arg(long, value_enum, default_value = "table", global = true)]
        format: FormatArg,
    },
    /// List the reviewlake SQL functions.
    Functions,
    /// Serve the insight dashboard: charts over the gold tables and the model registry, live as
    /// new versions land (until SIGINT/SIGTERM).
    Serve {
        /// Port of the web server (`dashboard.port`, default 8080).
        #[arg(long)]
        port: Option<u16>,
        /// Address to bind (`dashboard.bind_host`, default 127.0.0.1).
        #[arg(long)]
        bind: Option<String>,
    },
}

impl Command {
    /// True for the long jobs that report progress and a summary (`--progress`).
    pub(crate) fn shows_progress(&self) -> bool {
        matches!(
            self,
            Command::Demo { .. } | Command::Pipeline { .. } | Command::Ingest { action: IngestAction::Batch { .. } }
        )
    }

    /// The configuration keys this command's own flags set (flags left out are `None`).
    pub(crate) fn setting_flags(&self) -> Vec<(&'static str, Option<String>)> {
        match self {
            Command::Produce { kafka, .. } => kafka.setting_flags(None),
            Command::Ingest { action: IngestAction::Stream { kafka, trigger, .. } } => {
                kafka.setting_flags(Some(trigger))
            }
            Command::Stream { action: StreamAction::Run { kafka, trigger } } => kafka.setting_flags(Some(trigger)),
            Command::Serve { port, bind } => {
                vec![("dashboard.port", port.map(|port| port.to_string())), ("dashboard.bind_host", bind.clone())]
            }
            _ => Vec::new(),
        }
    }
}

#[derive(Subcommand)]
pub(crate) enum UserAction {
    /// Hash a password read from standard input and print the `[[flight_sql.users]]` block to
    /// append to reviewlake.toml.
    Add {
        /// Login name.
        name: String,
        /// What the user may do.
        #[arg(long, value_enum)]
        role: RoleArg,
    },
}

/// A Flight SQL role.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum RoleArg {
    /// Queries and metadata.
    Reader,
    /// Also DDL, INSERT, CREATE TABLE AS and bulk ingest.
    Writer,
}

impl From<RoleArg> for reviewlake_cluster::config::FlightSqlRole {
    fn from(role: RoleArg) -> Self {
        match role {
            RoleArg::Reader => Self::Reader,
            RoleArg::Writer => Self::Writer,
        }
    }
}

#[derive(Subcommand)]
pub(crate) enum StreamAction {
    /// Ingest the topic into bronze, then silver and gold after every micro-batch, until
    /// SIGINT/SIGTERM.
    Run {
        #[command(flatten)]
        kafka: KafkaArgs,
        #[command(flatten)]
        trigger: TriggerArgs,
    },
}

/// Where the topic is and how to reach it; each flag overrides its `[stream]` setting.
#[derive(Args)]
pub(crate) struct KafkaArgs {
    /// Bootstrap brokers, HOST:PORT[,HOST:PORT] (`stream.brokers`).
    #[arg(long)]
    pub(crate) brokers: Option<String>,
    /// The topic (`stream.topic`).
    #[arg(long)]
    pub(crate) topic: Option<String>,
    /// plaintext, sasl_plaintext or sasl_ssl (`stream.security`).
    #[arg(long)]
    pub(crate) security: Option<String>,
    /// PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (`stream.sasl_mechanism`).
    #[arg(long)]
    pub(crate) sasl_mechanism: Option<String>,
    /// SASL user (`stream.username`).
    #[arg(long)]
    pub(crate) username: Option<String>,
    /// The environment variable holding the SASL password (`stream.password_env`).
    #[arg(long)]
    pub(crate) password_env: Option<String>,
    /// PEM file of the certificate authorities for sasl_ssl (`stream.ca`).
    #[arg(long)]
    pub(crate) ca: Option<String>,
}

impl KafkaArgs {
    fn setting_flags(&self, trigger: Option<&TriggerArgs>) -> Vec<(&'static str, Option<String>)> {
        let mut flags = vec![
            ("stream.brokers", self.brokers.clone()),
            ("stream.topic", self.topic.clone()),
            ("stream.security", self.security.clone()),
            ("stream.sasl_mechanism", self.sasl_mechanism.clone()),
            ("stream.username", self.username.clone()),
            ("stream.password_env", self.password_env.clone()),
            ("stream.ca", self.ca.clone()),
        ];
        if let Some(trigger) = trigger {
            flags.extend([
                ("stream.trigger_ms", trigger.trigger.map(|ms| ms.to_string())),
                ("stream.max_events_per_trigger", trigger.max_events_per_trigger.map(|n| n.to_string())),
                ("stream.max_event_bytes", trigger.max_event_bytes.map(|n| n.to_string())),
            ]);
        }
        flags
    }
}

/// How often micro-batches run and how large they are.
#[derive(Args)]
pub(crate) struct TriggerArgs {
    /// Time between micro-batches: `500ms`, `1s`, `2m` (`stream.trigger_ms`).
    #[arg(long, value_parser = parse_millis)]
    pub(crate) trigger: Option<u64>,
    /// At most this many events per micro-batch (`stream.max_events_per_trigger`).
    #[arg(long)]
    pub(crate) max_events_per_trigger: Option<usize>,
    /// Larger events go to the quarantine (`stream.max_event_bytes`).
    #[arg(long)]
    pub(crate) max_event_bytes: Option<usize>,
}

/// `250ms`, `1s`, `2m` or a number of seconds, as milliseconds.
fn parse_millis(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(index) => text.split_at(index),
        None => (text, "s"),
    };
    let number: f64 = number.parse().map_err(|_| format!("`{text}` is not a duration such as 500ms, 1s or 2m"))?;
    let millis = match unit {
        "ms" => number,
        "s" => number * 1000.0,
        "m" => number * 60_000.0,
        other => return Err(format!("unknown unit `{other}` in `{text}`: use ms, s or m")),
    };
    if millis < 1.0 {
        return Err(format!("`{text}` is shorter than a millisecond"));
    }
    Ok(millis as u64)
}

#[derive(Subcommand)]
pub(crate) enum MlAction {
    /// Write `ml.features` from silver.reviews: hashed term frequencies, label and a seeded
    /// train/test split (recorded in `ml.feature_sets`).
    Features {
        /// rating (4-5 stars positive, 1-2 negative, 3 left out) or textblob (polarity > 0).
        #[arg(long, value_enum, default_value = "rating")]
        label: LabelArg,
        /// Hash buckets of the term frequencies.
        #[arg(long, default_value_t = 262_144)]
        num_features: i32,
        /// Longest n-gram among the terms: 1 (words) to 3.
        #[arg(long, default_value_t = 2)]
        ngrams: i32,
        /// Share of the reviews held out for testing.
        #[arg(long, default_value_t = 0.2)]
        test_fraction: f64,
        /// Seed of the split: the same seed puts every review on the same side.
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Train a logistic regression on the cluster (IDF from the training split, L-BFGS with one
    /// distributed job per loss-and-gradient evaluation), evaluate it on the test split and
    /// register it.
    Train {
        /// The `ml.features` version (the latest when absent).
        #[arg(long)]
        features_version: Option<u64>,
        /// L2 regularisation strength.
        #[arg(long, default_value_t = 1e-5)]
        reg: f64,
        /// At most this many L-BFGS iterations.
        #[arg(long, default_value_t = 100)]
        max_iter: usize,
        /// balanced (each class half of the loss) or none.
        #[arg(long, value_enum, default_value = "balanced")]
        class_weight: ClassWeightArg,
    },
    /// Choose the bucket count and regularisation by k-fold cross-validation on the training
    /// split (validation AUC), then train, evaluate and register the final model.
    Tune {
        /// Folds.
        #[arg(long, default_value_t = 3)]
        folds: usize,
        /// Bucket counts to try, comma-separated.
        #[arg(long, value_delimiter = ',', default_values_t = [65_536, 262_144])]
        num_features: Vec<i32>,
        /// L2 strengths to try, comma-separated.
        #[arg(long, value_delimiter = ',', default_values_t = [1e-6, 1e-5, 1e-4])]
        reg: Vec<f64>,
        /// At most this many L-BFGS iterations per fit.
        #[arg(long, default_value_t = 100)]
        max_iter: usize,
        /// balanced (each class half of the loss) or none.
        #[arg(long, value_enum, default_value = "balanced")]
        class_weight: ClassWeightArg,
    },
    /// The registered models, oldest first.
    List,
    /// One model: its registry row and test metrics.
    Show {
        /// The model id (`ml list` shows them).
        id: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum LabelArg {
    /// Stars: 4-5 positive, 1-2 negative.
    Rating,
    /// TextBlob polarity of the text > 0.
    Textblob,
}

impl From<LabelArg> for reviewlake_jobs::ml::LabelMode {
    fn from(label: LabelArg) -> Self {
        match label {
            LabelArg::Rating => Self::Rating,
            LabelArg::Textblob => Self::TextBlob,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum ClassWeightArg {
    /// Each class weighs half of the loss.
    Balanced,
    /// Every row weighs 1.
    None,
}

impl From<ClassWeightArg> for reviewlake_jobs::ml::ClassWeight {
    fn from(weight: ClassWeightArg) -> Self {
        match weight {
            ClassWeightArg::Balanced => Self::Balanced,
            ClassWeightArg::None => Self::Uniform,
        }
    }
}

#[derive(Subcommand)]
pub(crate) enum PipelineAction {
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
pub(crate) enum IngestAction {
    /// Load each new `.json`/`.json.gz` file of a folder exactly once (the auto loader).
    Batch {
        /// The source folder (e.g. `data/amazon_reviews`) or `s3://bucket/prefix`; scanned
        /// recursively. S3 sources use the `[lakehouse.s3]` settings.
        #[arg(long)]
        source: SourceLocation,
        /// What the files hold.
        #[arg(long, value_enum)]
        kind: KindArg,
        /// Load at most this many new files in this run.
        #[arg(long)]
        max_files: Option<usize>,
    },
    /// Consume every partition of a Kafka-protocol topic into `bronze.review_events`, exactly
    /// once: one Delta commit per micro-batch, holding the offsets it consumed.
    Stream {
        #[command(flatten)]
        kafka: KafkaArgs,
        #[command(flatten)]
        trigger: TriggerArgs,
        /// Drain what the topic holds now, then exit; otherwise run until SIGINT/SIGTERM.
        #[arg(long)]
        available_now: bool,
    },
}

#[derive(Subcommand)]
pub(crate) enum TableAction {
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
pub(crate) enum ClusterAction {
    /// Start a scheduler and N executors, wait until all are registered.
    Up {
        #[command(flatten)]
        shape: Shape,
    },
    /// Show executors (host, slots, running tasks, memory, heartbeat) and jobs, as the
    /// scheduler sees them.
    Status {
        #[command(flatten)]
        target: Target,
    },
    /// Add executors, or remove the newest ones after they drain their tasks.
    Scale {
        #[command(flatten)]
        shape: Shape,
    },
    /// Drain one executor for maintenance: it takes no new tasks, finishes its running ones
    /// and exits; waits until the scheduler no longer lists it.
    Drain {
        /// Executor id, as `cluster status` lists it.
        executor: String,
        #[command(flatten)]
        target: Target,
        /// Seconds to wait for its tasks to finish.
        #[arg(long, default_value_t = 600)]
        timeout_secs: u64,
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

/// A cluster by its run directory (started here) or by its operator API (anywhere).
#[derive(Args)]
pub(crate) struct Target {
    #[command(flatten)]
    pub(crate) dir: RunDir,
    /// The scheduler's operator API, `http://HOST:PORT` (`scheduler.http_port`), for a cluster
    /// not started here; overrides `--dir`.
    #[arg(long)]
    pub(crate) api: Option<String>,
}

impl From<Target> for OperatorApi {
    fn from(target: Target) -> Self {
        match target.api {
            Some(url) => Self::Remote(url),
            None => Self::Local(target.dir.path),
        }
    }
}

#[derive(Args)]
pub(crate) struct RunDir {
    /// Run directory holding the cluster record, logs and work directories.
    #[arg(long = "dir", default_value = "./run")]
    pub(crate) path: PathBuf,
}

#[derive(Args)]
pub(crate) struct Shape {
    #[command(flatten)]
    pub(crate) dir: RunDir,
    /// Number of executors.
    #[arg(long)]
    pub(crate) executors: usize,
    /// Task slots per executor, comma separated (e.g. 2,1); the last value repeats.
    #[arg(long, value_delimiter = ',')]
    pub(crate) vcores: Vec<usize>,
    /// Seconds to wait for start-up, registration or draining.
    #[arg(long, default_value_t = 120)]
    pub(crate) timeout_secs: u64,
}

/// How `reviewlake sql` prints a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum FormatArg {
    /// An aligned text table.
    Table,
    /// CSV with a header line.
    Csv,
    /// A JSON array of objects.
    Json,
}

impl From<FormatArg> for OutputFormat {
    fn from(format: FormatArg) -> Self {
        match format {
            FormatArg::Table => Self::Table,
            FormatArg::Csv => Self::Csv,
            FormatArg::Json => Self::Json,
        }
    }
}

/// Which records a source holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum KindArg {
    /// Review records (`amazon_reviews/`).
    Reviews,
    /// Product metadata records (`amazon_metadata/`).
    Metadata,
}

impl From<KindArg> for SourceKind {
    fn from(kind: KindArg) -> Self {
        match kind {
            KindArg::Reviews => Self::Reviews,
            KindArg::Metadata => Self::Metadata,
        }
    }
}
