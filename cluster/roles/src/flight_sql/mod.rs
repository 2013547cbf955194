//! Arrow Flight SQL for notebooks and BI tools (ADBC, JDBC), served by the scheduler process on
//! a port of its own (`flight_sql.port`), apart from the scheduler's internal gRPC port.
//!
//! - Deny by default: a Basic handshake of a configured user (argon2 hash) yields a signed,
//!   expiring bearer token, and every other call without a valid token is refused before it
//!   reaches the service ([`authenticate`]). `reader`s query; `writer`s also run DDL, DML and
//!   bulk ingest ([`access`]).
//! - Statements are planned by the same code as `reviewlake sql` ([`crate::sql`]) on a cluster
//!   session whose catalog list is the scheduler's, so every table, function and lakehouse
//!   `CREATE TABLE ... AS` behaves the same. Results stream from the cluster as they come.
//! - Handles and tickets are signed and bound to their user ([`handle`]); they carry SQL and
//!   parameters, never an address, so no client can make the server dial anywhere.
//! - Paths and URLs in DDL and `COPY` must lie under the lakehouse root or a configured data
//!   root.

mod access;
mod auth;
mod client;
mod handle;
mod metadata;
mod service;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use arrow_flight::flight_service_server::FlightServiceServer;
use reviewlake_core::config::Settings;
use reviewlake_lakehouse::Lakehouse;
use tokio::net::TcpListener;
use tonic::service::interceptor::InterceptedService;
use tonic::{Request, Status};

use crate::call_metrics::{CallMetrics, Metered};
use crate::scheduler::RunningScheduler;

pub use access::DataRoots;
pub use auth::{Authenticator, Caller, PasswordError, Signer, hash_password};
pub use client::{FlightSqlClientError, FlightSqlConnection};
pub use service::ReviewlakeFlightSql;

/// Errors of starting the Flight SQL service.
#[derive(Debug, thiserror::Error)]
pub enum FlightSqlError {
    /// The port could not be bound.
    #[error("cannot bind flight_sql.port on {address}: {reason}")]
    Bind {
        /// The address tried.
        address: String,
        /// The system's reason.
        reason: String,
    },
    /// The configuration cannot be served.
    #[error("flight_sql: {0}")]
    Config(String),
    /// The planning session could not be set up.
    #[error("flight_sql session: {0}")]
    Session(#[from] datafusion::error::DataFusionError),
    /// The server stopped with an error.
    #[error("flight_sql server: {0}")]
    Serve(String),
}

/// The methods of the Flight service, the labels of its call metrics.
const FLIGHT_METHODS: &[&str] = &[
    "Handshake",
    "ListFlights",
    "GetFlightInfo",
    "PollFlightInfo",
    "GetSchema",
    "DoGet",
    "DoPut",
    "DoExchange",
    "DoAction",
    "ListActions",
];

/// A running Flight SQL service.
pub struct RunningFlightSql {
    /// The address it listens on.
    pub address: SocketAddr,
    /// The server task; it ends only on error.
    pub task: tokio::task::JoinHandle<Result<(), FlightSqlError>>,
}

/// Binds `flight_sql.bind_host:flight_sql.port` and serves Flight SQL for `scheduler`, which
/// runs in this process, planning against its catalog list.
pub async fn serve(
    settings: &Settings,
    lake: Arc<Lakehouse>,
    scheduler: &RunningScheduler,
) -> Result<RunningFlightSql, FlightSqlError> {
    let options = &settings.flight_sql;
    let address = format!("{}:{}", options.bind_host, options.port);
    let listener = TcpListener::bind(&address)
        .await
        .map_err(|e| FlightSqlError::Bind { address: address.clone(), reason: e.to_string() })?;
    let address = listener.local_addr().map_err(|e| FlightSqlError::Serve(e.to_string()))?;
    if options.users.is_empty() {
        tracing::warn!(
            "flight_sql.users is empty: nobody can log in to Flight SQL (add users with `reviewlake user add`)"
        );
    }
    let roots = DataRoots::new(lake.root(), &options.data_roots).map_err(FlightSqlError::Config)?;
    let signer = Signer::new(&options.token_secret);
    let auth =
        Arc::new(Authenticator::new(options.users.clone(), signer, Duration::from_secs(options.token_ttl_seconds)));
    let scheduler_address = scheduler.grpc_address.to_string();
    let partitions = crate::session::cluster_slots(&scheduler_address).await.unwrap_or(0);
    let ctx = crate::session::client_context_over(&scheduler_address, partitions, &lake, scheduler.catalogs.clone())?;
    let local = crate::session::local_context(&lake, 0)?;
    let service =
        ReviewlakeFlightSql::new(ctx, local, lake, auth.clone(), roots, scheduler_address, scheduler.server.clone());
    let max_message = settings.scheduler.grpc_max_message_bytes as usize;
    let server =
        FlightServiceServer::new(service).max_decoding_message_size(max_message).max_encoding_message_size(max_message);
    let gate = InterceptedService::new(server, move |request: Request<()>| authenticate(&auth, request));
    let metrics = CallMetrics::new("flight_sql", FLIGHT_METHODS);
    scheduler.metrics.register(metrics.clone());
    let gate = Metered::new(gate, metrics);
    let task = tokio::spawn(async move {
        tonic::transport::Server::builder()
            .add_service(gate)
            .serve_with_incoming(tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true)))
            .await
            .map_err(|e| FlightSqlError::Serve(e.to_string()))
    });
    tracing::info!(%address, users = options.users.len(), "Flight SQL listening");
    Ok(RunningFlightSql { address, task })
}

/// The gate in front of every call: a valid bearer token puts its [`Caller`] on the request;
/// Basic credentials pass on to the handshake, which checks them (every other call then finds
/// no caller and refuses); no credentials, or a bad token, are refused here.
pub fn authenticate(auth: &Authenticator, mut request: Request<()>) -> Result<Request<()>, Status> {
    let basic = request
        .metadata()
        .get(auth::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("Basic "));
    if !basic {
        let caller = auth.caller(request.metadata())?;
        request.extensions_mut().insert(caller);
    }
    Ok(request)
}
