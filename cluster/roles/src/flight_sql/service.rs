//! The Flight SQL service: statements and prepared statements with bound parameters planned
//! by the same session code as `reviewlake sql`, updates and DDL, bulk ingest into Delta
//! tables, cancel, and metadata. Every call arrives authenticated (see [`super::authenticate`]);
//! each method checks the caller's role for what it does.

use std::pin::Pin;
use std::sync::Arc;

use arrow_flight::decode::FlightRecordBatchStream;
use arrow_flight::encode::FlightDataEncoderBuilder;
use arrow_flight::error::FlightError;
use arrow_flight::flight_service_server::FlightService;
use arrow_flight::sql::metadata::{SqlInfoData, XdbcTypeInfoData};
use arrow_flight::sql::server::{FlightSqlService, PeekableFlightDataStream};
use arrow_flight::sql::{
    ActionClosePreparedStatementRequest, ActionCreatePreparedStatementRequest, ActionCreatePreparedStatementResult,
    Any, CommandGetCatalogs, CommandGetCrossReference, CommandGetDbSchemas, CommandGetExportedKeys,
    CommandGetImportedKeys, CommandGetPrimaryKeys, CommandGetSqlInfo, CommandGetTableTypes, CommandGetTables,
    CommandGetXdbcTypeInfo, CommandPreparedStatementQuery, CommandPreparedStatementUpdate, CommandStatementIngest,
    CommandStatementQuery, CommandStatementUpdate, DoPutPreparedStatementResult, ProstMessageExt, SqlInfo,
    TableExistsOption, TableNotExistOption, TicketStatementQuery,
};
use arrow_flight::{
    Action, CancelFlightInfoRequest, CancelFlightInfoResult, CancelStatus, FlightDescriptor, FlightEndpoint,
    FlightInfo, HandshakeRequest, HandshakeResponse, IpcMessage, SchemaAsIpc, Ticket,
};
use ballista_core::extension::SessionConfigExt;
use ballista_core::serde::protobuf::scheduler_grpc_client::SchedulerGrpcClient;
use ballista_core::serde::protobuf::{CancelJobParams, job_status};
use datafusion::arrow::array::{Array, RecordBatch, UInt64Array};
use datafusion::arrow::datatypes::{Schema, SchemaRef};
use datafusion::arrow::ipc::writer::IpcWriteOptions;
use datafusion::catalog::MemTable;
use datafusion::error::DataFusionError;
use datafusion::execution::SendableRecordBatchStream;
use datafusion::execution::SessionStateBuilder;
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::prelude::SessionContext;
use futures::{Stream, StreamExt, TryStreamExt, stream};
use prost::Message;
use reviewlake_core::config::FlightSqlRole;
use reviewlake_lakehouse::{LAKE_SCHEMAS, Lakehouse, TableName, WriteMode, WriteOptions, WriteOutcome};
use tonic::metadata::MetadataValue;
use tonic::{Request, Response, Status, Streaming};

use super::access::{DataRoots, named_locations, required_role};
use super::auth::{AUTHORIZATION, Authenticator, Caller};
use super::handle::StatementHandle;
use super::metadata;
use crate::common::ReviewlakeScheduler;
use crate::sql::{PlannedStatement, StatementOutput, parse_script};

type DoGetStream = Pin<Box<dyn Stream<Item = Result<arrow_flight::FlightData, Status>> + Send>>;

/// The service one Flight SQL port serves.
pub struct ReviewlakeFlightSql {
    /// Plans and runs statements on the cluster; its catalog list is the scheduler's.
    ctx: SessionContext,
    /// Runs bulk ingest's write in this process: the rows are already here.
    local: SessionContext,
    lake: Arc<Lakehouse>,
    auth: Arc<Authenticator>,
    roots: DataRoots,
    /// `host:port` of the scheduler, for cancelling jobs and counting task slots.
    scheduler: String,
    /// The scheduler in this process, whose job list finds a query's job to cancel.
    server: ReviewlakeScheduler,
}

impl ReviewlakeFlightSql {
    /// A service planning on `ctx` (a cluster session) and ingesting through `local`.
    pub fn new(
        ctx: SessionContext,
        local: SessionContext,
        lake: Arc<Lakehouse>,
        auth: Arc<Authenticator>,
        roots: DataRoots,
        scheduler: String,
        server: ReviewlakeScheduler,
    ) -> ReviewlakeFlightSql {
        ReviewlakeFlightSql { ctx, local, lake, auth, roots, scheduler, server }
    }

    /// The session a statement with handle `query_id` is planned on: one partition per task
    /// slot the cluster has now (executors come and go while the service runs), and its jobs
    /// named after the query so that a cancel finds them.
    async fn session(&self, query_id: &str) -> SessionContext {
        let state = self.ctx.state();
        let mut config = state.config().clone().with_ballista_job_name(&job_name(query_id));
        if let Some(slots) = crate::session::cluster_slots(&self.scheduler).await {
            config = config.with_target_partitions(slots);
        }
        SessionContext::new_with_state(SessionStateBuilder::new_from_existing(state).with_config(config).build())
    }

    /// Parses `sql` (one statement), checks the caller may run it, and plans it.
    async fn plan(&self, ctx: &SessionContext, caller: &Caller, sql: &str) -> Result<PlannedStatement, Status> {
        let mut statements = parse_script(sql).map_err(|e| Status::invalid_argument(e.to_string()))?;
        if statements.len() != 1 {
            return Err(Status::invalid_argument(format!(
                "send one statement per call; this text holds {}",
                statements.len()
            )));
        }
        let statement = statements.remove(0);
        if required_role(&statement)? == FlightSqlRole::Writer {
            caller.require_writer("this statement")?;
        }
        for location in named_locations(&statement) {
            self.roots.check(location)?;
        }
        PlannedStatement::plan(ctx, Some(&self.lake), statement).await.map_err(status)
    }

    /// Plans the handle's statement with at most one row of its parameters bound.
    async fn plan_bound(
        &self,
        ctx: &SessionContext,
        caller: &Caller,
        handle: &StatementHandle,
    ) -> Result<PlannedStatement, Status> {
        let planned = self.plan(ctx, caller, &handle.sql).await?;
        let mut rows = handle.parameter_rows()?;
        match rows.len() {
            0 => Ok(planned),
            1 => planned.bind(rows.remove(0)).map_err(status),
            n => Err(Status::invalid_argument(format!("a query binds one row of parameters; {n} rows were bound"))),
        }
    }

    /// Runs a planned statement and streams its batches.
    async fn run(
        &self,
        ctx: &SessionContext,
        planned: PlannedStatement,
    ) -> Result<(SchemaRef, SendableRecordBatchStream), Status> {
        let frame = match planned.run(ctx, Some(&self.lake)).await.map_err(status)? {
            StatementOutput::Rows(frame) => frame,
            StatementOutput::Done(batch) => {
                let schema = batch.schema();
                let done = stream::once(async { Ok(batch) });
                return Ok((schema.clone(), Box::pin(RecordBatchStreamAdapter::new(schema, done))));
            }
        };
        let schema = frame.schema().inner().clone();
        Ok((schema, frame.execute_stream().await.map_err(status)?))
    }

    /// Runs an update with each bound row of parameters (once without) and sums the rows
    /// it reports; -1 when it reports none (DDL).
    async fn update(&self, caller: &Caller, handle: StatementHandle) -> Result<i64, Status> {
        let ctx = self.session(&handle.query_id).await;
        let rows = handle.parameter_rows()?;
        let runs = if rows.is_empty() { vec![None] } else { rows.into_iter().map(Some).collect() };
        let mut total: Option<i64> = None;
        for params in runs {
            let mut planned = self.plan(&ctx, caller, &handle.sql).await?;
            if let Some(params) = params {
                planned = planned.bind(params).map_err(status)?;
            }
            let (_, batches) = self.run(&ctx, planned).await?;
            let batches: Vec<RecordBatch> = batches.try_collect().await.map_err(status)?;
            if let Some(count) = reported_rows(&batches) {
                *total.get_or_insert(0) += count;
            }
        }
        Ok(total.unwrap_or(-1))
    }

    fn flight_info(
        &self,
        schema: &Schema,
        ticket: Vec<u8>,
        descriptor: FlightDescriptor,
    ) -> Result<Response<FlightInfo>, Status> {
        let info = FlightInfo::new()
            .try_with_schema(schema)
            .map_err(|e| Status::internal(format!("result schema: {e}")))?
            .with_endpoint(FlightEndpoint::new().with_ticket(Ticket::new(ticket)))
            .with_descriptor(descriptor);
        Ok(Response::new(info))
    }

    /// A `FlightInfo` whose ticket runs `handle`.
    async fn statement_info(
        &self,
        caller: &Caller,
        handle: StatementHandle,
        descriptor: FlightDescriptor,
    ) -> Result<Response<FlightInfo>, Status> {
        let ctx = self.session(&handle.query_id).await;
        let schema = self.plan_bound(&ctx, caller, &handle).await?.schema();
        let ticket = TicketStatementQuery { statement_handle: handle.encode(self.auth.signer()).into() };
        self.flight_info(&schema, ticket.as_any().encode_to_vec(), descriptor)
    }

    /// A `FlightInfo` whose ticket is the metadata command itself.
    fn metadata_info(
        &self,
        schema: &Schema,
        command: &impl ProstMessageExt,
        descriptor: FlightDescriptor,
    ) -> Result<Response<FlightInfo>, Status> {
        self.flight_info(schema, command.as_any().encode_to_vec(), descriptor)
    }

    /// The `FlightInfo` of a metadata answer that is always empty (keys: reviewlake tables
    /// declare none).
    fn empty_info(
        &self,
        request: Request<FlightDescriptor>,
        schema: SchemaRef,
        command: &impl ProstMessageExt,
    ) -> Result<Response<FlightInfo>, Status> {
        caller(&request)?;
        self.metadata_info(&schema, command, request.into_inner())
    }

    async fn cancel(&self, caller: &Caller, request: CancelFlightInfoRequest) -> Result<CancelStatus, Status> {
        let ticket = request
            .info
            .and_then(|info| info.endpoint.into_iter().next())
            .and_then(|endpoint| endpoint.ticket)
            .ok_or_else(|| Status::invalid_argument("CancelFlightInfo needs the FlightInfo of the query"))?;
        let any = Any::decode(ticket.ticket.as_ref()).map_err(|_| Status::invalid_argument("malformed ticket"))?;
        let statement: TicketStatementQuery = any
            .unpack()
            .ok()
            .flatten()
            .ok_or_else(|| Status::invalid_argument("only statement queries can be cancelled"))?;
        let handle = StatementHandle::decode(&statement.statement_handle, self.auth.signer(), caller)?;
        let name = job_name(&handle.query_id);
        let jobs = self.server.state.task_manager.get_all_jobs().await.map_err(|e| Status::internal(e.to_string()))?;
        let running = jobs.into_iter().find(|job| {
            job.job_name == name
                && matches!(
                    job.status.status,
                    None | Some(job_status::Status::Queued(_) | job_status::Status::Running(_))
                )
        });
        let Some(job_id) = running.map(|job| job.job_id) else { return Ok(CancelStatus::NotCancellable) };
        let mut scheduler = SchedulerGrpcClient::connect(format!("http://{}", self.scheduler))
            .await
            .map_err(|e| Status::unavailable(format!("scheduler unreachable: {e}")))?;
        let cancelled = scheduler
            .cancel_job(CancelJobParams { job_id: job_id.to_string() })
            .await
            .map_err(|e| Status::internal(format!("cancel job {job_id}: {}", e.message())))?
            .into_inner()
            .cancelled;
        tracing::info!(user = %caller.user, %job_id, cancelled, "Flight SQL cancel");
        Ok(if cancelled { CancelStatus::Cancelled } else { CancelStatus::NotCancellable })
    }

    async fn ingest(
        &self,
        caller: &Caller,
        command: CommandStatementIngest,
        rows: PeekableFlightDataStream,
    ) -> Result<i64, Status> {
        caller.require_writer("bulk ingest")?;
        if command.transaction_id.is_some() {
            return Err(Status::invalid_argument("transactions are not supported; ingest commits once per call"));
        }
        if command.temporary {
            return Err(Status::invalid_argument("temporary tables are not supported; ingest writes Delta tables"));
        }
        let schema = command.schema.unwrap_or_default();
        if !LAKE_SCHEMAS.contains(&schema.as_str()) {
            return Err(Status::invalid_argument(format!(
                "ingest writes lakehouse tables: give the schema {} (got `{schema}`)",
                LAKE_SCHEMAS.join(", ")
            )));
        }
        let name: TableName = format!("{schema}.{}", command.table)
            .parse()
            .map_err(|e: reviewlake_lakehouse::LakehouseError| Status::invalid_argument(e.to_string()))?;
        let options = command.table_definition_options.unwrap_or_default();
        let if_missing =
            TableNotExistOption::try_from(options.if_not_exist).unwrap_or(TableNotExistOption::Unspecified);
        let if_exists = TableExistsOption::try_from(options.if_exists).unwrap_or(TableExistsOption::Unspecified);
        let exists = self.lake.latest_version(&name).await.map_err(|e| Status::internal(e.to_string()))?.is_some();
        let mode = match (exists, if_exists, if_missing) {
            (true, TableExistsOption::Append, _) => WriteMode::Append,
            (true, TableExistsOption::Replace, _) => WriteMode::CreateOrReplace,
            (true, _, _) => return Err(Status::already_exists(format!("table {name} exists"))),
            (false, _, TableNotExistOption::Create) => WriteMode::Create,
            (false, _, _) => return Err(Status::not_found(format!("table {name} does not exist"))),
        };
        let mut decoded = FlightRecordBatchStream::new_from_flight_data(rows.map_err(FlightError::from));
        let mut batches = Vec::new();
        while let Some(batch) = decoded.next().await {
            batches.push(batch.map_err(|e| Status::invalid_argument(format!("ingest data: {e}")))?);
        }
        let schema = match (decoded.schema(), batches.first()) {
            (Some(schema), _) => schema.clone(),
            (None, Some(batch)) => batch.schema(),
            (None, None) => return Err(Status::invalid_argument("ingest sent no schema and no rows")),
        };
        let table = MemTable::try_new(schema, vec![batches]).map_err(status)?;
        let frame = self.local.read_table(Arc::new(table)).map_err(status)?;
        let written = self
            .lake
            .write(&self.local, frame, &name.to_string(), WriteOptions { mode, ..Default::default() })
            .await
            .map_err(|e| Status::invalid_argument(e.to_string()))?;
        let rows = match written {
            WriteOutcome::Committed { rows } => rows,
            WriteOutcome::Skipped => 0,
        };
        tracing::info!(user = %caller.user, table = %name, rows, "Flight SQL ingest committed");
        Ok(rows as i64)
    }
}

/// The Ballista job name of the statement with handle `query_id`.
fn job_name(query_id: &str) -> String {
    format!("flight-sql {query_id}")
}

/// The sum of a `count` column, when the result has one (DML and `CREATE TABLE ... AS`).
fn reported_rows(batches: &[RecordBatch]) -> Option<i64> {
    let first = batches.first()?;
    let index = first.schema().index_of("count").ok()?;
    let mut total = 0i64;
    for batch in batches {
        let column = batch.column(index).as_any().downcast_ref::<UInt64Array>()?;
        total += column.iter().flatten().sum::<u64>() as i64;
    }
    Some(total)
}

/// A DataFusion error as the Flight status a client can act on, on one line.
pub(super) fn status(error: DataFusionError) -> Status {
    let message = crate::sql::one_line(&error.to_string());
    match error.find_root() {
        DataFusionError::Plan(_)
        | DataFusionError::SQL(..)
        | DataFusionError::SchemaError(..)
        | DataFusionError::NotImplemented(_)
        | DataFusionError::Configuration(_) => Status::invalid_argument(message),
        DataFusionError::ResourcesExhausted(_) => Status::resource_exhausted(message),
        _ => Status::internal(message),
    }
}

fn caller<T>(request: &Request<T>) -> Result<Caller, Status> {
    request
        .extensions()
        .get::<Caller>()
        .cloned()
        .ok_or_else(|| Status::unauthenticated("this call needs `authorization: Bearer TOKEN` from a handshake"))
}

fn encode_batches(
    schema: SchemaRef,
    batches: impl Stream<Item = Result<RecordBatch, DataFusionError>> + Send + 'static,
) -> Response<DoGetStream> {
    let batches = batches.map_err(|e| FlightError::Tonic(Box::new(status(e))));
    let encoded = FlightDataEncoderBuilder::new().with_schema(schema).build(batches).map_err(Status::from);
    Response::new(Box::pin(encoded))
}

/// No rows of `schema`, for an authenticated caller.
fn empty_answer<T>(request: &Request<T>, schema: SchemaRef) -> Result<Response<DoGetStream>, Status> {
    caller(request)?;
    Ok(encode_batch(RecordBatch::new_empty(schema)))
}

fn encode_batch(batch: RecordBatch) -> Response<DoGetStream> {
    encode_batches(batch.schema(), stream::once(async { Ok(batch) }))
}

fn ipc_schema(schema: &Schema) -> Result<bytes::Bytes, Status> {
    let IpcMessage(bytes) = SchemaAsIpc::new(schema, &IpcWriteOptions::default())
        .try_into()
        .map_err(|e: datafusion::arrow::error::ArrowError| Status::internal(format!("schema: {e}")))?;
    Ok(bytes)
}

#[tonic::async_trait]
impl FlightSqlService for ReviewlakeFlightSql {
    type FlightService = ReviewlakeFlightSql;

    async fn do_handshake(
        &self,
        request: Request<Streaming<HandshakeRequest>>,
    ) -> Result<Response<Pin<Box<dyn Stream<Item = Result<HandshakeResponse, Status>> + Send>>>, Status> {
        let (caller, token) = self.auth.login(request.metadata())?;
        tracing::info!(user = %caller.user, role = caller.role.as_str(), "Flight SQL login");
        let reply = HandshakeResponse { protocol_version: 0, payload: token.clone().into() };
        let mut response: Response<Pin<Box<dyn Stream<Item = _> + Send>>> =
            Response::new(Box::pin(stream::once(async { Ok(reply) })));
        let header = MetadataValue::try_from(format!("Bearer {token}")).map_err(|e| Status::internal(e.to_string()))?;
        response.metadata_mut().insert(AUTHORIZATION, header);
        Ok(response)
    }

    async fn get_flight_info_statement(
        &self,
        query: CommandStatementQuery,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        let caller = caller(&request)?;
        let handle = StatementHandle::new(&caller, &query.query);
        self.statement_info(&caller, handle, request.into_inner()).await
    }

    async fn get_flight_info_prepared_statement(
        &self,
        query: CommandPreparedStatementQuery,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        let caller = caller(&request)?;
        let handle = StatementHandle::decode(&query.prepared_statement_handle, self.auth.signer(), &caller)?.rerun();
        self.statement_info(&caller, handle, request.into_inner()).await
    }

    async fn do_get_statement(
        &self,
        ticket: TicketStatementQuery,
        request: Request<Ticket>,
    ) -> Result<Response<<Self as FlightService>::DoGetStream>, Status> {
        let caller = caller(&request)?;
        let handle = StatementHandle::decode(&ticket.statement_handle, self.auth.signer(), &caller)?;
        let ctx = self.session(&handle.query_id).await;
        let planned = self.plan_bound(&ctx, &caller, &handle).await?;
        let (schema, batches) = self.run(&ctx, planned).await?;
        tracing::debug!(user = %caller.user, query = %handle.sql, "Flight SQL query");
        Ok(encode_batches(schema, batches))
    }

    async fn do_put_statement_update(
        &self,
        command: CommandStatementUpdate,
        request: Request<PeekableFlightDataStream>,
    ) -> Result<i64, Status> {
        let caller = caller(&request)?;
        self.update(&caller, StatementHandle::new(&caller, &command.query)).await
    }

    async fn do_put_prepared_statement_query(
        &self,
        query: CommandPreparedStatementQuery,
        request: Request<PeekableFlightDataStream>,
    ) -> Result<DoPutPreparedStatementResult, Status> {
        let caller = caller(&request)?;
        let handle = StatementHandle::decode(&query.prepared_statement_handle, self.auth.signer(), &caller)?;
        let parameters = parameter_batches(request.into_inner()).await?;
        let bound = handle.bind(&parameters)?;
        Ok(DoPutPreparedStatementResult { prepared_statement_handle: Some(bound.encode(self.auth.signer()).into()) })
    }

    async fn do_put_prepared_statement_update(
        &self,
        query: CommandPreparedStatementUpdate,
        request: Request<PeekableFlightDataStream>,
    ) -> Result<i64, Status> {
        let caller = caller(&request)?;
        let handle = StatementHandle::decode(&query.prepared_statement_handle, self.auth.signer(), &caller)?;
        let parameters = parameter_batches(request.into_inner()).await?;
        let handle = if parameters.is_empty() { handle } else { handle.bind(&parameters)? };
        self.update(&caller, handle).await
    }

    async fn do_put_statement_ingest(
        &self,
        command: CommandStatementIngest,
        request: Request<PeekableFlightDataStream>,
    ) -> Result<i64, Status> {
        let caller = caller(&request)?;
        self.ingest(&caller, command, request.into_inner()).await
    }

    async fn do_action_create_prepared_statement(
        &self,
        query: ActionCreatePreparedStatementRequest,
        request: Request<Action>,
    ) -> Result<ActionCreatePreparedStatementResult, Status> {
        let caller = caller(&request)?;
        let handle = StatementHandle::new(&caller, &query.query);
        let ctx = self.session(&handle.query_id).await;
        let planned = self.plan(&ctx, &caller, &query.query).await?;
        let parameters = planned.parameter_schema().map_err(status)?;
        Ok(ActionCreatePreparedStatementResult {
            prepared_statement_handle: handle.encode(self.auth.signer()).into(),
            dataset_schema: ipc_schema(&planned.schema())?,
            parameter_schema: ipc_schema(&parameters)?,
        })
    }

    async fn do_action_close_prepared_statement(
        &self,
        query: ActionClosePreparedStatementRequest,
        request: Request<Action>,
    ) -> Result<(), Status> {
        // Handles hold their whole state; closing only checks that it was the caller's.
        let caller = caller(&request)?;
        StatementHandle::decode(&query.prepared_statement_handle, self.auth.signer(), &caller).map(|_| ())
    }

    async fn do_action_fallback(
        &self,
        request: Request<Action>,
    ) -> Result<Response<<Self as FlightService>::DoActionStream>, Status> {
        let caller = caller(&request)?;
        let action = request.into_inner();
        if action.r#type != "CancelFlightInfo" {
            return Err(Status::unimplemented(format!("action `{}` is not supported", action.r#type)));
        }
        let cancel = CancelFlightInfoRequest::decode(action.body)
            .map_err(|e| Status::invalid_argument(format!("malformed CancelFlightInfo request: {e}")))?;
        let status = self.cancel(&caller, cancel).await?;
        let body = CancelFlightInfoResult { status: status as i32 }.encode_to_vec();
        let result = arrow_flight::Result { body: body.into() };
        Ok(Response::new(Box::pin(stream::once(async { Ok(result) }))))
    }

    async fn get_flight_info_catalogs(
        &self,
        query: CommandGetCatalogs,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        caller(&request)?;
        self.metadata_info(&query.clone().into_builder().schema(), &query, request.into_inner())
    }

    async fn do_get_catalogs(
        &self,
        query: CommandGetCatalogs,
        request: Request<Ticket>,
    ) -> Result<Response<<Self as FlightService>::DoGetStream>, Status> {
        caller(&request)?;
        Ok(encode_batch(metadata::catalogs(&self.ctx, query.into_builder())?))
    }

    async fn get_flight_info_schemas(
        &self,
        query: CommandGetDbSchemas,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        caller(&request)?;
        self.metadata_info(&query.clone().into_builder().schema(), &query, request.into_inner())
    }

    async fn do_get_schemas(
        &self,
        query: CommandGetDbSchemas,
        request: Request<Ticket>,
    ) -> Result<Response<<Self as FlightService>::DoGetStream>, Status> {
        caller(&request)?;
        Ok(encode_batch(metadata::schemas(&self.ctx, query.into_builder())?))
    }

    async fn get_flight_info_tables(
        &self,
        query: CommandGetTables,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        caller(&request)?;
        self.metadata_info(&query.clone().into_builder().schema(), &query, request.into_inner())
    }

    async fn do_get_tables(
        &self,
        query: CommandGetTables,
        request: Request<Ticket>,
    ) -> Result<Response<<Self as FlightService>::DoGetStream>, Status> {
        caller(&request)?;
        Ok(encode_batch(metadata::tables(&self.ctx, query.into_builder()).await?))
    }

    async fn get_flight_info_table_types(
        &self,
        query: CommandGetTableTypes,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        caller(&request)?;
        self.metadata_info(&query.clone().into_builder().schema(), &query, request.into_inner())
    }

    async fn do_get_table_types(
        &self,
        query: CommandGetTableTypes,
        request: Request<Ticket>,
    ) -> Result<Response<<Self as FlightService>::DoGetStream>, Status> {
        caller(&request)?;
        let mut builder = query.into_builder();
        for table_type in metadata::TABLE_TYPES {
            builder.append(table_type);
        }
        Ok(encode_batch(builder.build().map_err(|e| Status::internal(e.to_string()))?))
    }

    async fn get_flight_info_sql_info(
        &self,
        query: CommandGetSqlInfo,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        caller(&request)?;
        self.metadata_info(&query.clone().into_builder(&metadata::SQL_INFO).schema(), &query, request.into_inner())
    }

    async fn do_get_sql_info(
        &self,
        query: CommandGetSqlInfo,
        request: Request<Ticket>,
    ) -> Result<Response<<Self as FlightService>::DoGetStream>, Status> {
        caller(&request)?;
        let info: &SqlInfoData = &metadata::SQL_INFO;
        Ok(encode_batch(query.into_builder(info).build().map_err(|e| Status::internal(e.to_string()))?))
    }

    async fn get_flight_info_xdbc_type_info(
        &self,
        query: CommandGetXdbcTypeInfo,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        caller(&request)?;
        self.metadata_info(&query.clone().into_builder(&metadata::XDBC_TYPES).schema(), &query, request.into_inner())
    }

    async fn do_get_xdbc_type_info(
        &self,
        query: CommandGetXdbcTypeInfo,
        request: Request<Ticket>,
    ) -> Result<Response<<Self as FlightService>::DoGetStream>, Status> {
        caller(&request)?;
        let types: &XdbcTypeInfoData = &metadata::XDBC_TYPES;
        Ok(encode_batch(query.into_builder(types).build().map_err(|e| Status::internal(e.to_string()))?))
    }

    async fn get_flight_info_primary_keys(
        &self,
        query: CommandGetPrimaryKeys,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        self.empty_info(request, metadata::primary_keys_schema(), &query)
    }

    async fn do_get_primary_keys(
        &self,
        _query: CommandGetPrimaryKeys,
        request: Request<Ticket>,
    ) -> Result<Response<<Self as FlightService>::DoGetStream>, Status> {
        empty_answer(&request, metadata::primary_keys_schema())
    }

    async fn get_flight_info_exported_keys(
        &self,
        query: CommandGetExportedKeys,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        self.empty_info(request, metadata::foreign_keys_schema(), &query)
    }

    async fn do_get_exported_keys(
        &self,
        _query: CommandGetExportedKeys,
        request: Request<Ticket>,
    ) -> Result<Response<<Self as FlightService>::DoGetStream>, Status> {
        empty_answer(&request, metadata::foreign_keys_schema())
    }

    async fn get_flight_info_imported_keys(
        &self,
        query: CommandGetImportedKeys,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        self.empty_info(request, metadata::foreign_keys_schema(), &query)
    }

    async fn do_get_imported_keys(
        &self,
        _query: CommandGetImportedKeys,
        request: Request<Ticket>,
    ) -> Result<Response<<Self as FlightService>::DoGetStream>, Status> {
        empty_answer(&request, metadata::foreign_keys_schema())
    }

    async fn get_flight_info_cross_reference(
        &self,
        query: CommandGetCrossReference,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        self.empty_info(request, metadata::foreign_keys_schema(), &query)
    }

    async fn do_get_cross_reference(
        &self,
        _query: CommandGetCrossReference,
        request: Request<Ticket>,
    ) -> Result<Response<<Self as FlightService>::DoGetStream>, Status> {
        empty_answer(&request, metadata::foreign_keys_schema())
    }

    async fn register_sql_info(&self, _id: i32, _result: &SqlInfo) {}
}

/// The parameter rows a `DoPut` carries.
async fn parameter_batches(stream: PeekableFlightDataStream) -> Result<Vec<RecordBatch>, Status> {
    FlightRecordBatchStream::new_from_flight_data(stream.map_err(FlightError::from))
        .try_collect()
        .await
        .map_err(|e| Status::invalid_argument(format!("parameters: {e}")))
}
