//! The web application: pages, assets, the panel API, live status events, the Cluster page's
//! document, health and Prometheus metrics.
//!
//! | route | answer |
//! |---|---|
//! | `GET /`, `GET /{page}` | the single-page app (`index.html`) |
//! | `GET /assets/{path}` | embedded scripts, styles and vendored chart libraries |
//! | `GET /api/v1/panels` | the catalog of pages and panels |
//! | `GET /api/v1/panels/{id}` | a panel's rows as JSON; `{id}.csv` as CSV; filters in the query |
//! | `GET /api/v1/filters` | categories, brands and the months gold covers |
//! | `GET /api/v1/status` | gold's version and commit time, every table's version |
//! | `GET /api/v1/events` | server-sent `gold` events with the status, on every new version |
//! | `GET /api/v1/cluster` | executors and recent jobs from the scheduler's operator API |
//! | `GET /healthz`, `GET /metrics` | liveness, Prometheus text (`reviewlake_dashboard_*`) |

use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::fmt::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{MatchedPath, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use datafusion::functions_aggregate::expr_fn::{max, min, sum};
use datafusion::prelude::{SessionContext, cast, col, lit};
use futures::{Stream, StreamExt};
use reviewlake_cluster::lakehouse::Lakehouse;
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::answers::{Answer, Answers};
use crate::assets::{self, Asset};
use crate::catalog::{self, CUBE_TABLE, PAGES};
use crate::cluster_view::ClusterView;
use crate::encode;
use crate::error::DashboardError;
use crate::filters::{Filters, show_month};
use crate::mirror::Mirror;

/// Brands offered in the filter bar: the most reviewed.
const FILTER_BRANDS: usize = 500;

/// What pages may load: only this server, so no request leaves the host.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
     frame-ancestors 'none'; form-action 'self'";

/// The dashboard: its tables' mirror, the answer cache and the routes over them.
pub struct Dashboard {
    app: Arc<App>,
}

struct App {
    mirror: Arc<Mirror>,
    answers: Answers,
    cluster: ClusterView,
    catalog: Vec<u8>,
    metrics: Metrics,
    stopping: watch::Sender<bool>,
    /// The filter bar's choices and the cube version they were read from: every page load asks.
    filter_options: tokio::sync::Mutex<Option<(u64, Arc<FilterOptions>)>>,
}

impl Dashboard {
    /// A dashboard over `lake`'s gold and model tables read through `cluster`; the Cluster page
    /// reads the operator API at `operator_api` (`http://host:port`) when given.
    pub fn new(
        cluster: SessionContext,
        lake: Arc<Lakehouse>,
        operator_api: Option<String>,
    ) -> Result<Self, DashboardError> {
        let mirror = Arc::new(Mirror::new(cluster, lake)?);
        let app = App {
            answers: Answers::new(mirror.clone()),
            mirror,
            cluster: ClusterView::new(operator_api),
            catalog: encode::catalog_json()?,
            metrics: Metrics::default(),
            stopping: watch::Sender::new(false),
            filter_options: tokio::sync::Mutex::new(None),
        };
        Ok(Self { app: Arc::new(app) })
    }

    /// Loads the tables that exist now; the first pages are then served from memory.
    pub async fn load(&self) -> Result<(), DashboardError> {
        self.app.mirror.refresh().await.map(|_| ())
    }

    /// The routes of the module documentation.
    pub fn router(&self) -> Router {
        let mut router = Router::new().route("/", get(page));
        for page_entry in PAGES.iter().filter(|page| page.id != "overview") {
            router = router.route(&format!("/{}", page_entry.id), get(page));
        }
        router
            .route("/assets/{*path}", get(asset))
            .route("/api/v1/panels", get(panel_catalog))
            .route("/api/v1/panels/{file}", get(panel))
            .route("/api/v1/filters", get(filter_options))
            .route("/api/v1/status", get(status))
            .route("/api/v1/events", get(events))
            .route("/api/v1/cluster", get(cluster))
            .route("/healthz", get(|| async { "ok\n" }))
            .route("/metrics", get(metrics))
            .route_layer(middleware::from_fn_with_state(self.app.clone(), track))
            .fallback(not_found)
            .with_state(self.app.clone())
    }

    /// Serves on `listener` until `shutdown` completes, checking for new table versions every
    /// `refresh`.
    pub async fn serve(
        self,
        listener: TcpListener,
        refresh: Duration,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), DashboardError> {
        let address = listener.local_addr().map_err(|source| DashboardError::Serve { source })?;
        let refresher = tokio::spawn(self.app.mirror.clone().run(refresh));
        let app = self.app.clone();
        let stop = async move {
            shutdown.await;
            // Event streams never end by themselves; closing them lets the server stop.
            app.stopping.send_replace(true);
        };
        tracing::info!(%address, "dashboard serving");
        let served = axum::serve(listener, self.router()).with_graceful_shutdown(stop).await;
        refresher.abort();
        served.map_err(|source| DashboardError::Serve { source })
    }
}

async fn page() -> Response {
    let mut response = asset_response(assets::index(), &HeaderMap::new());
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

async fn asset(Path(path): Path<String>, headers: HeaderMap) -> Response {
    match assets::asset(&path) {
        Some(asset) => asset_response(asset, &headers),
        None => error(StatusCode::NOT_FOUND, format!("no asset {path}")),
    }
}

fn asset_response(asset: &'static Asset, request: &HeaderMap) -> Response {
    let accepts_gzip = request
        .get(header::ACCEPT_ENCODING)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.split(',').any(|coding| coding.trim().starts_with("gzip")));
    let mut response = if accepts_gzip && !asset.gzip.is_empty() {
        let mut response = Body::from(asset.gzip.as_slice()).into_response();
        response.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        response
    } else {
        Body::from(asset.bytes).into_response()
    };
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

async fn panel_catalog(State(app): State<Arc<App>>) -> Response {
    json_bytes(app.catalog.clone())
}

async fn panel(
    State(app): State<Arc<App>>,
    Path(file): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let (id, csv) = match file.strip_suffix(".csv") {
        Some(id) => (id, true),
        None => (file.as_str(), false),
    };
    let Some(panel) = catalog::panel(id) else {
        return error(StatusCode::NOT_FOUND, format!("no panel `{id}`: GET /api/v1/panels lists them"));
    };
    let filters = match Filters::from_query(&query) {
        Ok(filters) => filters,
        Err(e) => return error(StatusCode::BAD_REQUEST, e.to_string()),
    };
    match app.answers.answer(panel, &filters).await {
        Ok(answer) if csv => csv_response(&answer),
        Ok(answer) => json_bytes(answer.json.clone()),
        Err(e) => {
            tracing::warn!(error = %e, "panel failed");
            error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
        }
    }
}

fn csv_response(answer: &Answer) -> Response {
    match encode::answer_csv(answer) {
        Ok(csv) => {
            let disposition = format!("attachment; filename=\"{}.csv\"", answer.panel.id);
            let mut response = Body::from(csv).into_response();
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
            if let Ok(value) = HeaderValue::from_str(&disposition) {
                headers.insert(header::CONTENT_DISPOSITION, value);
            }
            response
        }
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, format!("panel {}: CSV: {e}", answer.panel.id)),
    }
}

/// The filter bar's choices.
#[derive(Serialize)]
struct FilterOptions {
    categories: Vec<String>,
    brands: Vec<String>,
    first_month: Option<String>,
    last_month: Option<String>,
}

async fn filter_options(State(app): State<Arc<App>>) -> Response {
    let Some(version) = app.mirror.version(CUBE_TABLE) else {
        return Json(FilterOptions { categories: Vec::new(), brands: Vec::new(), first_month: None, last_month: None })
            .into_response();
    };
    // Held while reading, so that concurrent first loads of a new version read the cube once.
    let mut cached = app.filter_options.lock().await;
    if let Some((read_at, options)) = cached.as_ref()
        && *read_at == version
    {
        return Json(options.as_ref()).into_response();
    }
    match read_filter_options(app.mirror.local()).await {
        Ok(options) => {
            let options = Arc::new(options);
            *cached = Some((version, options.clone()));
            Json(options.as_ref()).into_response()
        }
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, format!("filter options: {e}")),
    }
}

async fn read_filter_options(ctx: &SessionContext) -> datafusion::error::Result<FilterOptions> {
    use datafusion::arrow::array::{Array, AsArray};
    use datafusion::arrow::datatypes::Int64Type;
    let cube = ctx.table(CUBE_TABLE).await?;
    let ranked = |column: &str, limit: Option<usize>| {
        cube.clone()
            .filter(col(column).is_not_null())?
            .aggregate(vec![col(column)], vec![sum(col("reviews")).alias("reviews")])?
            .sort(vec![col("reviews").sort(false, true), col(column).sort(true, true)])?
            .limit(0, limit)?
            .select_columns(&[column])
    };
    let names = |batches: Vec<datafusion::arrow::array::RecordBatch>| {
        batches
            .iter()
            .flat_map(|batch| {
                let values = batch.column(0).as_string::<i32>().clone();
                (0..values.len()).map(move |i| values.value(i).to_string())
            })
            .collect::<Vec<_>>()
    };
    let month = cast(col("year") * lit(100) + col("month"), datafusion::arrow::datatypes::DataType::Int64);
    let months = cube
        .clone()
        .aggregate(vec![], vec![min(month.clone()).alias("first"), max(month).alias("last")])?
        .collect()
        .await?;
    let bound = |column: usize| {
        months.first().and_then(|batch| {
            let values = batch.column(column).as_primitive::<Int64Type>();
            (!values.is_empty() && values.is_valid(0)).then(|| show_month(values.value(0)))
        })
    };
    Ok(FilterOptions {
        categories: names(ranked("category", None)?.collect().await?),
        brands: names(ranked("brand", Some(FILTER_BRANDS))?.collect().await?),
        first_month: bound(0),
        last_month: bound(1),
    })
}

async fn status(State(app): State<Arc<App>>) -> Response {
    Json(app.mirror.status()).into_response()
}

async fn events(State(app): State<Arc<App>>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let updates = app.mirror.subscribe();
    let mut stopping = app.stopping.subscribe();
    let stopped = async move {
        let _ = stopping.wait_for(|stopping| *stopping).await;
    };
    let stream = futures::stream::unfold((updates, true), |(mut updates, first)| async move {
        if !first && updates.changed().await.is_err() {
            return None;
        }
        let status = updates.borrow_and_update().clone();
        let event = Event::default()
            .event("gold")
            .json_data(&status)
            .unwrap_or_else(|_| Event::default().comment("unencodable status"));
        Some((Ok(event), (updates, false)))
    })
    .take_until(Box::pin(stopped));
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

async fn cluster(State(app): State<Arc<App>>) -> Response {
    Json(app.cluster.document().await).into_response()
}

async fn not_found(request: Request) -> Response {
    error(StatusCode::NOT_FOUND, format!("nothing at {}", request.uri().path()))
}

fn json_bytes(bytes: Vec<u8>) -> Response {
    let mut response = Body::from(bytes).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

fn error(status: StatusCode, message: String) -> Response {
    #[derive(Serialize)]
    struct ErrorDocument {
        error: String,
    }
    (status, Json(ErrorDocument { error: message })).into_response()
}

/// Request counts and durations per route and status.
#[derive(Default)]
struct Metrics {
    requests: Mutex<BTreeMap<(String, u16), (u64, f64)>>,
}

async fn track(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str).to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let seconds = started.elapsed().as_secs_f64();
    let mut requests = app.metrics.requests.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let entry = requests.entry((route, response.status().as_u16())).or_default();
    entry.0 += 1;
    entry.1 += seconds;
    response
}

async fn metrics(State(app): State<Arc<App>>) -> Response {
    let mut text = String::new();
    let _ = writeln!(text, "# HELP reviewlake_dashboard_requests_total HTTP requests served, by route and status.");
    let _ = writeln!(text, "# TYPE reviewlake_dashboard_requests_total counter");
    let requests = app.metrics.requests.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone();
    for ((route, status), (count, _)) in &requests {
        let _ = writeln!(text, "reviewlake_dashboard_requests_total{{route=\"{route}\",status=\"{status}\"}} {count}");
    }
    let _ = writeln!(text, "# HELP reviewlake_dashboard_request_duration_seconds Time spent answering requests.");
    let _ = writeln!(text, "# TYPE reviewlake_dashboard_request_duration_seconds summary");
    for ((route, status), (count, seconds)) in &requests {
        let labels = format!("route=\"{route}\",status=\"{status}\"");
        let _ = writeln!(text, "reviewlake_dashboard_request_duration_seconds_sum{{{labels}}} {seconds}");
        let _ = writeln!(text, "reviewlake_dashboard_request_duration_seconds_count{{{labels}}} {count}");
    }
    let status = app.mirror.status();
    let _ = writeln!(text, "# HELP reviewlake_dashboard_table_version Delta version of each table the panels read.");
    let _ = writeln!(text, "# TYPE reviewlake_dashboard_table_version gauge");
    for (table, version) in &status.tables {
        let _ = writeln!(text, "reviewlake_dashboard_table_version{{table=\"{table}\"}} {version}");
    }
    let _ = writeln!(text, "# HELP reviewlake_dashboard_table_loads_total Table copies read through the cluster.");
    let _ = writeln!(text, "# TYPE reviewlake_dashboard_table_loads_total counter");
    let _ = writeln!(text, "reviewlake_dashboard_table_loads_total {}", app.mirror.reloads());
    let _ = writeln!(text, "# HELP reviewlake_dashboard_cached_answers Panel answers held.");
    let _ = writeln!(text, "# TYPE reviewlake_dashboard_cached_answers gauge");
    let _ = writeln!(text, "reviewlake_dashboard_cached_answers {}", app.answers.cached());
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}
