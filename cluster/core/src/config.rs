//! One layered configuration for every reviewlake binary.
//!
//! Precedence, lowest first: built-in defaults < the TOML file (`--config FILE` or
//! `REVIEWLAKE_CONFIG`) < environment variables < command-line flags.
//!
//! Environment rule: `REVIEWLAKE__<SECTION>__<KEY>`, upper case, double underscores between
//! levels. `REVIEWLAKE__LAKEHOUSE__ROOT=s3://lake/prod` sets `lakehouse.root`.
//!
//! Every key is documented in `reviewlake.example.toml` at the repository root. A key that is
//! not known, or a value of the wrong type, is an error that names the key and the source it
//! came from.
//!
//! ```
//! use reviewlake_core::config::{Settings, SettingsLoader};
//! let settings: Settings = SettingsLoader::new()
//!     .with_flag("scheduler.port", "50100")
//!     .load()
//!     .unwrap();
//! assert_eq!(settings.scheduler.port, 50100);
//! assert_eq!(settings.lakehouse.root, "./lakehouse");
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use config::{Config, Environment, File, FileFormat, Map, Value, ValueKind};
use serde::{Deserialize, Serialize};

/// Prefix of every configuration environment variable.
pub const ENV_PREFIX: &str = "REVIEWLAKE";
/// Separator between prefix, section and key in environment variable names.
pub const ENV_SEPARATOR: &str = "__";
/// Environment variable naming the configuration file when `--config` is not given.
pub const CONFIG_FILE_ENV: &str = "REVIEWLAKE_CONFIG";

/// Errors raised while loading or validating the configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A key that no section defines.
    #[error("unknown configuration key `{key}` in {source_name}")]
    UnknownKey {
        /// Dotted key, e.g. `scheduler.prot`.
        key: String,
        /// Where it came from: a file path, an environment variable or a flag.
        source_name: String,
    },
    /// A value that does not fit the key's type or range.
    #[error("invalid value for `{key}` from {source_name}: {reason}")]
    InvalidValue {
        /// Dotted key.
        key: String,
        /// Where the offending value came from.
        source_name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The configuration file could not be read or parsed.
    #[error("cannot read configuration file {path}: {reason}")]
    File {
        /// The file's path.
        path: PathBuf,
        /// The reader's or parser's message.
        reason: String,
    },
}

/// Task scheduling policy; scheduler and executors must agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum SchedulingPolicy {
    /// Executors poll the scheduler for work (the only policy of an in-process cluster).
    #[default]
    PullStaged,
    /// The scheduler pushes tasks to executors' gRPC ports.
    PushStaged,
}

impl SchedulingPolicy {
    /// The name used in configuration files and by the scheduler's REST API.
    ///
    /// ```
    /// use reviewlake_core::config::SchedulingPolicy;
    /// assert_eq!(SchedulingPolicy::PushStaged.as_str(), "push-staged");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            SchedulingPolicy::PullStaged => "pull-staged",
            SchedulingPolicy::PushStaged => "push-staged",
        }
    }
}

/// `[scheduler]`: the scheduler server.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SchedulerSettings {
    /// Address the gRPC/REST port binds to.
    pub bind_host: String,
    /// Host name executors and clients use to reach the scheduler.
    pub external_host: String,
    /// gRPC port for executors and `reviewlake` commands; also serves Ballista's REST API.
    pub port: u16,
    /// Port of reviewlake's operator API (health, readiness, metrics, executors, task placement).
    pub http_port: u16,
    /// `pull-staged` or `push-staged`.
    pub scheduling_policy: SchedulingPolicy,
    /// Seconds without a heartbeat after which an executor is considered dead.
    pub executor_timeout_seconds: u64,
    /// Seconds between the scheduler's sweeps for executors past `executor_timeout_seconds`;
    /// a lost executor leaves the scheduler's list (and its tasks are rescheduled) at most
    /// this long after its timeout.
    pub expire_dead_executor_interval_seconds: u64,
    /// Largest gRPC message, in bytes (plans of wide queries can be large).
    pub grpc_max_message_bytes: u32,
}

impl Default for SchedulerSettings {
    fn default() -> Self {
        Self {
            bind_host: "127.0.0.1".into(),
            external_host: "127.0.0.1".into(),
            port: 50050,
            http_port: 50080,
            scheduling_policy: SchedulingPolicy::PullStaged,
            executor_timeout_seconds: 60,
            expire_dead_executor_interval_seconds: 15,
            grpc_max_message_bytes: 256 * 1024 * 1024,
        }
    }
}

/// `[executor]`: an executor server.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ExecutorSettings {
    /// Executor id reported to the scheduler; empty generates a unique one.
    pub id: String,
    /// Address the executor's ports bind to.
    pub bind_host: String,
    /// Host name the scheduler and other executors use to reach this executor.
    pub external_host: String,
    /// Arrow Flight port serving shuffle data.
    pub port: u16,
    /// gRPC port the scheduler pushes tasks to (push-staged only).
    pub grpc_port: u16,
    /// Port of the executor's health and metrics endpoints.
    pub http_port: u16,
    /// Task slots advertised to the scheduler; 0 means one per CPU core.
    pub vcores: usize,
    /// Directory for shuffle files and spills; empty means `./work/executor-<port>`.
    pub work_dir: String,
    /// Memory (MiB) the executor's tasks may hold in sorts, aggregations, joins and shuffle
    /// buffers together; past it they spill to the work directory. 0 means no limit. Also
    /// applies to the in-process standalone executor.
    pub memory_limit_mb: usize,
    /// Scheduler to register with, as `host:port`.
    pub scheduler: String,
    /// Port of the scheduler's operator API (on the host of `scheduler`), to which the executor
    /// reports its health port and memory use with every heartbeat; 0 reports nothing.
    pub scheduler_http_port: u16,
    /// How long to wait for the scheduler at start-up before giving up.
    pub scheduler_connect_timeout_seconds: u64,
    /// Seconds between heartbeats to the scheduler.
    pub heartbeat_interval_seconds: u64,
    /// `pull-staged` or `push-staged`; must equal the scheduler's.
    pub scheduling_policy: SchedulingPolicy,
}

impl Default for ExecutorSettings {
    fn default() -> Self {
        Self {
            id: String::new(),
            bind_host: "127.0.0.1".into(),
            external_host: "127.0.0.1".into(),
            port: 50051,
            grpc_port: 50052,
            http_port: 50061,
            vcores: 0,
            work_dir: String::new(),
            memory_limit_mb: 2048,
            scheduler: "127.0.0.1:50050".into(),
            scheduler_http_port: 50080,
            scheduler_connect_timeout_seconds: 10,
            heartbeat_interval_seconds: 5,
            scheduling_policy: SchedulingPolicy::PullStaged,
        }
    }
}

/// `[client]`: how `reviewlake` commands reach a cluster.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ClientSettings {
    /// `host:port` of a running scheduler; empty runs an in-process standalone cluster.
    pub scheduler: String,
    /// Task slots of the in-process standalone executor; 0 means one per CPU core.
    pub standalone_vcores: usize,
    /// Target partitions of planned queries; 0 means one per task slot of the cluster (the
    /// executors' vcores when the session connects; the in-process executor's slots).
    pub target_partitions: usize,
}

impl Default for ClientSettings {
    fn default() -> Self {
        Self { scheduler: String::new(), standalone_vcores: 0, target_partitions: 0 }
    }
}

/// `[lakehouse.s3]`: credentials and addressing of an S3-compatible store.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields, default)]
pub struct S3Settings {
    /// AWS region, e.g. `us-east-1`.
    pub region: String,
    /// Endpoint of an S3-compatible server, e.g. `http://127.0.0.1:9000`; empty for AWS.
    pub endpoint: String,
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: String,
    /// Allow plain HTTP endpoints.
    pub allow_http: bool,
    /// Path-style addressing (`endpoint/bucket/key`), needed by most S3-compatible servers.
    pub path_style: bool,
}

/// `[lakehouse]`: where the Delta tables live.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LakehouseSettings {
    /// Root URL or path: `./lakehouse`, `file:///data/lake` or `s3://bucket/prefix`.
    pub root: String,
    /// S3 settings, used when `root` is an `s3://` URL.
    pub s3: S3Settings,
}

impl Default for LakehouseSettings {
    fn default() -> Self {
        Self { root: "./lakehouse".into(), s3: S3Settings::default() }
    }
}

/// `[stream]`: the Kafka-protocol topic streaming ingestion reads (Azure Event Hubs, Kafka,
/// tansu) and how it reaches it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct StreamSettings {
    /// Bootstrap brokers, `host:port[,host:port...]`; Event Hubs: `NAMESPACE.servicebus.windows.net:9093`.
    pub brokers: String,
    /// The topic (an event hub).
    pub topic: String,
    /// `plaintext`, `sasl_plaintext` or `sasl_ssl` (Event Hubs).
    pub security: String,
    /// `PLAIN` (Event Hubs), `SCRAM-SHA-256` or `SCRAM-SHA-512`; used with the `sasl_*` securities.
    pub sasl_mechanism: String,
    /// SASL user; Event Hubs: `$ConnectionString`.
    pub username: String,
    /// The environment variable holding the SASL password (never the password itself).
    pub password_env: String,
    /// PEM file of the certificate authorities for `sasl_ssl`; empty uses the system's.
    pub ca: String,
    /// Milliseconds between micro-batches of `ingest stream`.
    pub trigger_ms: u64,
    /// At most this many events per micro-batch (one Delta commit).
    pub max_events_per_trigger: usize,
    /// Events larger than this many bytes go to the quarantine (Event Hubs' own limit is 1 MiB).
    pub max_event_bytes: usize,
    /// Seconds to wait for the brokers before an operation fails.
    pub timeout_seconds: u64,
    /// A checkpoint of a streamed table's Delta log every this many commits, so that committing
    /// and opening stay flat while a commit lands every trigger.
    pub checkpoint_interval: u64,
}

impl Default for StreamSettings {
    fn default() -> Self {
        Self {
            brokers: String::new(),
            topic: String::new(),
            security: "plaintext".into(),
            sasl_mechanism: String::new(),
            username: String::new(),
            password_env: String::new(),
            ca: String::new(),
            trigger_ms: 1000,
            max_events_per_trigger: 20_000,
            max_event_bytes: 1 << 20,
            timeout_seconds: 30,
            checkpoint_interval: 10,
        }
    }
}

/// `[dashboard]`: the insight dashboard `reviewlake serve` runs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct DashboardSettings {
    /// Address the web server binds to.
    pub bind_host: String,
    /// Port of the web server; 0 picks a free one (`reviewlake serve` prints it).
    pub port: u16,
    /// Base URL of the scheduler's operator API for the Cluster page; empty: the in-process
    /// cluster's, or `http://<host of client.scheduler>:<scheduler.http_port>`.
    pub operator_api: String,
    /// Milliseconds between checks for new versions of the gold tables.
    pub refresh_interval_ms: u64,
}

impl Default for DashboardSettings {
    fn default() -> Self {
        Self { bind_host: "127.0.0.1".into(), port: 8080, operator_api: String::new(), refresh_interval_ms: 1000 }
    }
}

/// A role of a Flight SQL user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FlightSqlRole {
    /// Queries and metadata only.
    Reader,
    /// Also DDL, `INSERT`, `CREATE TABLE ... AS`, `COPY` and bulk ingest.
    Writer,
}

impl FlightSqlRole {
    /// The name used in configuration files.
    ///
    /// ```
    /// use reviewlake_core::config::FlightSqlRole;
    /// assert_eq!(FlightSqlRole::Writer.as_str(), "writer");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            FlightSqlRole::Reader => "reader",
            FlightSqlRole::Writer => "writer",
        }
    }
}

/// One `[[flight_sql.users]]` entry.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FlightSqlUser {
    /// Login name.
    pub name: String,
    /// `reader` or `writer`.
    pub role: FlightSqlRole,
    /// argon2id PHC string, as printed by `reviewlake user add`.
    pub password_hash: String,
}

/// `[flight_sql]`: the Arrow Flight SQL service of the scheduler (notebooks, BI tools).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct FlightSqlSettings {
    /// Serve Flight SQL beside the scheduler.
    pub enabled: bool,
    /// Address the Flight SQL port binds to.
    pub bind_host: String,
    /// Flight SQL port (its own, apart from the scheduler's internal gRPC port).
    pub port: u16,
    /// Key that signs bearer tokens and tickets; empty draws a random one at start-up (tokens
    /// then end with the process). Give it through the environment, never in a shared file.
    pub token_secret: String,
    /// Lifetime of a bearer token, in seconds.
    pub token_ttl_seconds: u64,
    /// Folders and URLs, besides the lakehouse root, that DDL and `COPY` may name.
    pub data_roots: Vec<String>,
    /// The users who may log in; none means nobody can.
    pub users: Vec<FlightSqlUser>,
}

impl Default for FlightSqlSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            bind_host: "127.0.0.1".into(),
            port: 50070,
            token_secret: String::new(),
            token_ttl_seconds: 3600,
            data_roots: Vec::new(),
            users: Vec::new(),
        }
    }
}

/// reviewlake's own events at info, the libraries' (Ballista, DataFusion) from warn up.
pub const DEFAULT_LOG_LEVEL: &str = "warn,reviewlake_cluster=info,reviewlake_jobs=info";

/// `[log]`: logging.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LogSettings {
    /// A `tracing` filter: `info`, `warn`, `reviewlake=debug,info`, ...
    pub level: String,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self { level: DEFAULT_LOG_LEVEL.into() }
    }
}

/// The whole configuration shared by every binary.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// The scheduler server.
    pub scheduler: SchedulerSettings,
    /// An executor server.
    pub executor: ExecutorSettings,
    /// How commands reach a cluster.
    pub client: ClientSettings,
    /// Where the lakehouse lives.
    pub lakehouse: LakehouseSettings,
    /// The topic streaming ingestion reads.
    pub stream: StreamSettings,
    /// The insight dashboard.
    pub dashboard: DashboardSettings,
    /// The Flight SQL service.
    pub flight_sql: FlightSqlSettings,
    /// Logging.
    pub log: LogSettings,
}

impl Settings {
    /// Checks ranges and relations serde cannot express.
    fn validate(&self, origin_of: impl Fn(&str) -> String) -> Result<(), ConfigError> {
        let invalid = |key: &str, reason: String| ConfigError::InvalidValue {
            key: key.to_string(),
            source_name: origin_of(key),
            reason,
        };
        for (key, port) in [
            ("scheduler.port", self.scheduler.port),
            ("scheduler.http_port", self.scheduler.http_port),
            ("executor.port", self.executor.port),
            ("executor.grpc_port", self.executor.grpc_port),
            ("executor.http_port", self.executor.http_port),
            ("flight_sql.port", self.flight_sql.port),
        ] {
            if port == 0 {
                return Err(invalid(key, "port 0 is not allowed: give a fixed port".into()));
            }
        }
        if self.scheduler.port == self.scheduler.http_port {
            return Err(invalid(
                "scheduler.http_port",
                format!("must differ from scheduler.port ({})", self.scheduler.port),
            ));
        }
        if !self.executor.scheduler.is_empty() {
            parse_host_port(&self.executor.scheduler).map_err(|reason| invalid("executor.scheduler", reason))?;
        }
        if !self.client.scheduler.is_empty() {
            parse_host_port(&self.client.scheduler).map_err(|reason| invalid("client.scheduler", reason))?;
        }
        if self.log.level.trim().is_empty() {
            return Err(invalid("log.level", "must not be empty".into()));
        }
        for (key, value) in [
            ("stream.trigger_ms", self.stream.trigger_ms),
            ("stream.timeout_seconds", self.stream.timeout_seconds),
            ("dashboard.refresh_interval_ms", self.dashboard.refresh_interval_ms),
            ("flight_sql.token_ttl_seconds", self.flight_sql.token_ttl_seconds),
        ] {
            if value == 0 {
                return Err(invalid(key, "must be at least 1".into()));
            }
        }
        if self.stream.max_events_per_trigger == 0 || self.stream.max_event_bytes == 0 {
            let key = if self.stream.max_events_per_trigger == 0 {
                "stream.max_events_per_trigger"
            } else {
                "stream.max_event_bytes"
            };
            return Err(invalid(key, "must be at least 1".into()));
        }
        for (index, user) in self.flight_sql.users.iter().enumerate() {
            if user.name.trim().is_empty() || user.name.contains(':') {
                return Err(invalid(
                    "flight_sql.users",
                    format!("user {} has an empty name or one with `:`", index + 1),
                ));
            }
            if !user.password_hash.starts_with("$argon2") {
                return Err(invalid(
                    "flight_sql.users",
                    format!(
                        "user `{}`: password_hash is not an argon2 hash (make one with `reviewlake user add`)",
                        user.name
                    ),
                ));
            }
        }
        if self.lakehouse.root.trim().is_empty() {
            return Err(invalid("lakehouse.root", "must not be empty".into()));
        }
        Ok(())
    }
}

/// Splits `host:port`, with a clear message when it is malformed.
///
/// ```
/// use reviewlake_core::config::parse_host_port;
/// assert_eq!(parse_host_port("127.0.0.1:50050").unwrap(), ("127.0.0.1".to_string(), 50050));
/// assert!(parse_host_port("localhost").is_err());
/// ```
pub fn parse_host_port(address: &str) -> Result<(String, u16), String> {
    let address = address.trim_start_matches("df://").trim_start_matches("http://");
    let (host, port) = address.rsplit_once(':').ok_or_else(|| format!("`{address}` is not of the form host:port"))?;
    if host.is_empty() {
        return Err(format!("`{address}` has no host"));
    }
    let port: u16 = port.parse().map_err(|_| format!("`{port}` in `{address}` is not a port number"))?;
    if port == 0 {
        return Err(format!("port 0 in `{address}` is not a usable address"));
    }
    Ok((host.to_string(), port))
}

/// One layer of the configuration, with the name used in error messages.
struct Layer {
    name: LayerName,
    config: Config,
}

enum LayerName {
    File(PathBuf),
    Environment,
    Flags,
}

impl LayerName {
    fn describe(&self, key: &str) -> String {
        match self {
            LayerName::File(path) => format!("configuration file {}", path.display()),
            LayerName::Environment => format!(
                "environment variable {ENV_PREFIX}{ENV_SEPARATOR}{}",
                key.replace('.', ENV_SEPARATOR).to_uppercase()
            ),
            LayerName::Flags => format!("command-line flag for `{key}`"),
        }
    }
}

/// Builds [`Settings`] from defaults, a file, the environment and flags.
///
/// ```
/// use reviewlake_core::config::SettingsLoader;
/// let err = SettingsLoader::new().with_flag("scheduler.prot", "1").load().unwrap_err();
/// assert!(err.to_string().contains("scheduler.prot"));
/// ```
#[derive(Default)]
pub struct SettingsLoader {
    file: Option<PathBuf>,
    read_env: bool,
    flags: BTreeMap<String, String>,
}

impl SettingsLoader {
    /// A loader that reads no file and no environment; add layers with the `with_*` methods.
    pub fn new() -> Self {
        Self::default()
    }

    /// The usual loader of a binary: the file named by `--config` (or `REVIEWLAKE_CONFIG`),
    /// then the environment.
    pub fn from_env(config_file: Option<PathBuf>) -> Self {
        let file = config_file.or_else(|| std::env::var_os(CONFIG_FILE_ENV).map(PathBuf::from));
        Self { file, read_env: true, flags: BTreeMap::new() }
    }

    /// Reads this TOML file as the file layer.
    pub fn with_file(mut self, path: impl AsRef<Path>) -> Self {
        self.file = Some(path.as_ref().to_path_buf());
        self
    }

    /// Sets one dotted key from a command-line flag (highest precedence).
    pub fn with_flag(mut self, key: &str, value: impl ToString) -> Self {
        self.flags.insert(key.to_string(), value.to_string());
        self
    }

    /// Sets every key whose flag was given; flags left out keep lower layers' values.
    ///
    /// ```
    /// use reviewlake_core::config::SettingsLoader;
    /// let port = Some("50100".to_string());
    /// let settings = SettingsLoader::new().with_flags([("scheduler.port", &port), ("log.level", &None)]).load().unwrap();
    /// assert_eq!(settings.scheduler.port, 50100);
    /// ```
    pub fn with_flags<'a>(mut self, flags: impl IntoIterator<Item = (&'a str, &'a Option<String>)>) -> Self {
        for (key, value) in flags {
            if let Some(value) = value {
                self = self.with_flag(key, value);
            }
        }
        self
    }

    /// Loads, checks for unknown keys, deserialises and validates.
    pub fn load(self) -> Result<Settings, ConfigError> {
        let layers = self.layers()?;
        let known = known_keys();
        for layer in &layers {
            for key in layer_keys(&layer.config) {
                if !known.contains(&key) {
                    return Err(ConfigError::UnknownKey { source_name: layer.name.describe(&key), key });
                }
            }
        }
        let origin_of = |key: &str| {
            layers
                .iter()
                .rev()
                .find(|layer| layer_keys(&layer.config).iter().any(|k| k == key))
                .map(|layer| layer.name.describe(key))
                .unwrap_or_else(|| "the built-in defaults".to_string())
        };

        let mut builder =
            Config::builder().add_source(Config::try_from(&Settings::default()).expect("defaults serialise"));
        for layer in &layers {
            builder = builder.add_source(layer.config.clone());
        }
        let merged = builder.build().map_err(|e| ConfigError::InvalidValue {
            key: String::new(),
            source_name: "the merged configuration".into(),
            reason: e.to_string(),
        })?;
        let settings: Settings = merged.try_deserialize().map_err(|e| {
            let key = error_key(&e).unwrap_or_default();
            ConfigError::InvalidValue { source_name: origin_of(&key), reason: strip_key_suffix(&e.to_string()), key }
        })?;
        settings.validate(origin_of)?;
        Ok(settings)
    }

    fn layers(&self) -> Result<Vec<Layer>, ConfigError> {
        let mut layers = Vec::new();
        if let Some(path) = &self.file {
            let text = std::fs::read_to_string(path)
                .map_err(|e| ConfigError::File { path: path.clone(), reason: e.to_string() })?;
            let config = Config::builder()
                .add_source(File::from_str(&text, FileFormat::Toml))
                .build()
                .map_err(|e| ConfigError::File { path: path.clone(), reason: e.to_string() })?;
            layers.push(Layer { name: LayerName::File(path.clone()), config });
        }
        if self.read_env {
            let config = Config::builder()
                .add_source(
                    Environment::with_prefix(ENV_PREFIX)
                        .prefix_separator(ENV_SEPARATOR)
                        .separator(ENV_SEPARATOR)
                        .try_parsing(true),
                )
                .build()
                .map_err(|e| ConfigError::InvalidValue {
                    key: String::new(),
                    source_name: "the environment".into(),
                    reason: e.to_string(),
                })?;
            layers.push(Layer { name: LayerName::Environment, config });
        }
        if !self.flags.is_empty() {
            let mut builder = Config::builder();
            for (key, value) in &self.flags {
                builder =
                    builder.set_override(key.as_str(), value.as_str()).map_err(|e| ConfigError::InvalidValue {
                        key: key.clone(),
                        source_name: LayerName::Flags.describe(key),
                        reason: e.to_string(),
                    })?;
            }
            let config = builder.build().map_err(|e| ConfigError::InvalidValue {
                key: String::new(),
                source_name: "command-line flags".into(),
                reason: e.to_string(),
            })?;
            layers.push(Layer { name: LayerName::Flags, config });
        }
        Ok(layers)
    }
}

/// Every dotted key the configuration knows, derived from the defaults so it cannot drift.
/// Empty lists do not serialise into a configuration tree, so the probe holds one element in
/// each.
fn known_keys() -> Vec<String> {
    let mut probe = Settings::default();
    probe.flight_sql.data_roots.push(String::new());
    probe.flight_sql.users.push(FlightSqlUser {
        name: String::new(),
        role: FlightSqlRole::Reader,
        password_hash: String::new(),
    });
    let probe = Config::try_from(&probe).expect("defaults serialise");
    layer_keys(&probe)
}

fn layer_keys(config: &Config) -> Vec<String> {
    let mut keys = Vec::new();
    if let Ok(table) = config.clone().try_deserialize::<Map<String, Value>>() {
        flatten("", &table, &mut keys);
    }
    keys
}

fn flatten(prefix: &str, table: &Map<String, Value>, out: &mut Vec<String>) {
    for (name, value) in table {
        let key = if prefix.is_empty() { name.to_lowercase() } else { format!("{prefix}.{}", name.to_lowercase()) };
        match &value.kind {
            ValueKind::Table(inner) => flatten(&key, inner, out),
            _ => out.push(key),
        }
    }
}

fn error_key(error: &config::ConfigError) -> Option<String> {
    match error {
        config::ConfigError::Type { key, .. } => key.clone(),
        config::ConfigError::At { key, .. } => key.clone(),
        _ => {
            // serde's messages carry the key only in prose: "... for key `a.b`".
            let text = error.to_string();
            let start = text.find("for key `")? + "for key `".len();
            let end = text[start..].find('`')? + start;
            Some(text[start..end].to_string())
        }
    }
}

fn strip_key_suffix(message: &str) -> String {
    match message.find(" for key `") {
        Some(index) => message[..index].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_file_documents_every_key_with_its_default() {
        let path = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("../../reviewlake.example.toml");
        let settings = SettingsLoader::new().with_file(&path).load().unwrap();
        assert_eq!(settings, Settings::default());
        let text = std::fs::read_to_string(&path).unwrap();
        let file = Config::builder().add_source(File::from_str(&text, FileFormat::Toml)).build().unwrap();
        let documented = layer_keys(&file);
        for key in known_keys() {
            assert!(documented.contains(&key), "reviewlake.example.toml lacks `{key}`");
        }
    }

    #[test]
    fn flight_sql_users_load_from_a_file_and_bad_hashes_are_refused() {
        let dir = std::env::temp_dir().join(format!("rl-config-users-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("users.toml");
        let user = "[[flight_sql.users]]\nname = \"ana\"\nrole = \"reader\"\npassword_hash = ";
        std::fs::write(&path, format!("{user}\"$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA\"\n")).unwrap();
        let settings = SettingsLoader::new().with_file(&path).load().unwrap();
        assert_eq!(settings.flight_sql.users[0].role, FlightSqlRole::Reader);
        std::fs::write(&path, format!("{user}\"secret\"\n")).unwrap();
        let err = SettingsLoader::new().with_file(&path).load().unwrap_err().to_string();
        assert!(err.contains("flight_sql.users") && err.contains("not an argon2 hash"), "{err}");
        std::fs::write(&path, "[[flight_sql.users]]\nname = \"ana\"\nrole = \"admin\"\npassword_hash = \"x\"\n")
            .unwrap();
        let err = SettingsLoader::new().with_file(&path).load().unwrap_err().to_string();
        assert!(err.contains("admin"), "{err}");
    }

    #[test]
    fn defaults_load() {
        let settings = SettingsLoader::new().load().unwrap();
        assert_eq!(settings, Settings::default());
    }

    #[test]
    fn file_then_flags_precedence() {
        let dir = std::env::temp_dir().join(format!("rl-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("reviewlake.toml");
        std::fs::write(&path, "[scheduler]\nport = 50100\n[executor]\nvcores = 3\n").unwrap();
        let settings = SettingsLoader::new().with_file(&path).with_flag("executor.vcores", "5").load().unwrap();
        assert_eq!(settings.scheduler.port, 50100);
        assert_eq!(settings.executor.vcores, 5);
    }

    #[test]
    fn unknown_key_names_file() {
        let dir = std::env::temp_dir().join(format!("rl-config-unknown-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("bad.toml");
        std::fs::write(&path, "[scheduler]\nprot = 1\n").unwrap();
        let err = SettingsLoader::new().with_file(&path).load().unwrap_err().to_string();
        assert!(err.contains("scheduler.prot"), "{err}");
        assert!(err.contains("bad.toml"), "{err}");
    }

    #[test]
    fn bad_value_names_key_and_source() {
        let err = SettingsLoader::new().with_flag("scheduler.port", "not-a-port").load().unwrap_err().to_string();
        assert!(err.contains("scheduler.port"), "{err}");
        assert!(err.contains("flag"), "{err}");
    }

    #[test]
    fn bad_policy_is_rejected() {
        let err = SettingsLoader::new()
            .with_flag("scheduler.scheduling_policy", "round-robin")
            .load()
            .unwrap_err()
            .to_string();
        assert!(err.contains("scheduling_policy"), "{err}");
    }

    #[test]
    fn port_zero_is_rejected() {
        let err = SettingsLoader::new().with_flag("executor.port", "0").load().unwrap_err();
        assert!(err.to_string().contains("executor.port"));
    }
}
