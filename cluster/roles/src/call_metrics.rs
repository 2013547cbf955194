//! Prometheus metrics of a gRPC service's calls: calls by method and gRPC status, seconds from
//! request to the end of the response (streamed results included), response bytes and calls in
//! flight. [`Metered`] wraps a tonic service and keeps its [`CallMetrics`]; a [`MetricsRegistry`]
//! shared with the operator API lists every metered service of the process for `/metrics`.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::pin::Pin;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::Buf;
use http_body::{Frame, SizeHint};
use tonic::Code;
use tonic::codegen::http::{Request, Response};
use tonic::codegen::{Body, Service};
use tonic::server::NamedService;

/// The label of calls to a path that is not one of the service's methods (so that no client
/// can grow the metrics with made-up paths).
const OTHER_METHOD: &str = "other";

/// Totals of one (method, status) pair.
#[derive(Debug, Default, Clone, Copy)]
struct Totals {
    calls: u64,
    seconds: f64,
    response_bytes: u64,
}

/// The metrics of one gRPC service, named `reviewlake_<service>_*`.
#[derive(Debug)]
pub struct CallMetrics {
    service: &'static str,
    methods: &'static [&'static str],
    /// By method and gRPC status code (as its number: `Code` is not ordered).
    totals: Mutex<BTreeMap<(&'static str, i32), Totals>>,
    in_flight: AtomicI64,
}

impl CallMetrics {
    /// Metrics for `service` (a metric name part, e.g. `flight_sql`) whose gRPC methods are
    /// `methods`; calls to other paths count as `other`.
    pub fn new(service: &'static str, methods: &'static [&'static str]) -> Arc<Self> {
        Arc::new(Self { service, methods, totals: Mutex::default(), in_flight: AtomicI64::new(0) })
    }

    /// The method label of a request path `/package.Service/Method`.
    fn method(&self, path: &str) -> &'static str {
        let name = path.rsplit('/').next().unwrap_or_default();
        self.methods.iter().find(|method| **method == name).copied().unwrap_or(OTHER_METHOD)
    }

    fn record(&self, method: &'static str, code: Code, seconds: f64, response_bytes: u64) {
        let mut totals = self.totals.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = totals.entry((method, code as i32)).or_default();
        entry.calls += 1;
        entry.seconds += seconds;
        entry.response_bytes += response_bytes;
    }

    /// Appends the metrics in Prometheus' text format.
    pub fn write_prometheus(&self, out: &mut String) {
        let totals = self.totals.lock().unwrap_or_else(PoisonError::into_inner).clone();
        let name = |metric: &str| format!("reviewlake_{}_{metric}", self.service);
        let requests = name("requests_total");
        let _ = writeln!(out, "# HELP {requests} Calls by gRPC method and status code.");
        let _ = writeln!(out, "# TYPE {requests} counter");
        for ((method, code), total) in &totals {
            let code = Code::from_i32(*code);
            let _ = writeln!(out, "{requests}{{method=\"{method}\",code=\"{code:?}\"}} {}", total.calls);
        }
        let mut per_method: BTreeMap<&str, Totals> = BTreeMap::new();
        for ((method, _), total) in &totals {
            let entry = per_method.entry(method).or_default();
            entry.calls += total.calls;
            entry.seconds += total.seconds;
            entry.response_bytes += total.response_bytes;
        }
        let duration = name("request_duration_seconds");
        let _ = writeln!(out, "# HELP {duration} Seconds from a call's request to the end of its response.");
        let _ = writeln!(out, "# TYPE {duration} summary");
        for (method, total) in &per_method {
            let _ = writeln!(out, "{duration}_sum{{method=\"{method}\"}} {}", total.seconds);
            let _ = writeln!(out, "{duration}_count{{method=\"{method}\"}} {}", total.calls);
        }
        let bytes = name("response_bytes_total");
        let _ = writeln!(out, "# HELP {bytes} Bytes of response messages sent, by method.");
        let _ = writeln!(out, "# TYPE {bytes} counter");
        for (method, total) in &per_method {
            let _ = writeln!(out, "{bytes}{{method=\"{method}\"}} {}", total.response_bytes);
        }
        let in_flight = name("requests_in_flight");
        let _ = writeln!(out, "# HELP {in_flight} Calls whose response has not ended.");
        let _ = writeln!(out, "# TYPE {in_flight} gauge");
        let _ = writeln!(out, "{in_flight} {}", self.in_flight.load(Ordering::Relaxed));
    }
}

/// The metered services of a process, for the operator API's `/metrics`.
#[derive(Debug, Default)]
pub struct MetricsRegistry {
    services: Mutex<Vec<Arc<CallMetrics>>>,
}

impl MetricsRegistry {
    /// Adds a service's metrics.
    pub fn register(&self, metrics: Arc<CallMetrics>) {
        self.services.lock().unwrap_or_else(PoisonError::into_inner).push(metrics);
    }

    /// Appends every registered service's metrics in Prometheus' text format.
    pub fn write_prometheus(&self, out: &mut String) {
        for service in self.services.lock().unwrap_or_else(PoisonError::into_inner).iter() {
            service.write_prometheus(out);
        }
    }
}

/// A tonic service whose calls are counted in its [`CallMetrics`].
#[derive(Debug, Clone)]
pub struct Metered<S> {
    inner: S,
    metrics: Arc<CallMetrics>,
}

impl<S> Metered<S> {
    /// Counts the calls of `inner` in `metrics`.
    pub fn new(inner: S, metrics: Arc<CallMetrics>) -> Self {
        Self { inner, metrics }
    }
}

impl<S: NamedService> NamedService for Metered<S> {
    const NAME: &'static str = S::NAME;
}

impl<S, RequestBody, ResponseBody> Service<Request<RequestBody>> for Metered<S>
where
    S: Service<Request<RequestBody>, Response = Response<ResponseBody>>,
    S::Future: Send + 'static,
{
    type Response = Response<MeteredBody<ResponseBody>>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<RequestBody>) -> Self::Future {
        let mut call = Call::start(self.metrics.clone(), request.uri().path());
        let response = self.inner.call(request);
        Box::pin(async move {
            let response = response.await?;
            // An error before any result is a trailers-only response: its status is a header.
            call.code = response.headers().get("grpc-status").and_then(status_code);
            Ok(response.map(|inner| MeteredBody { inner, call }))
        })
    }
}

/// One call in flight; recorded when dropped, with the status its response carried, or
/// `Cancelled` when the response was dropped before it ended.
struct Call {
    metrics: Arc<CallMetrics>,
    method: &'static str,
    started: Instant,
    code: Option<Code>,
    ended: bool,
    response_bytes: u64,
}

impl Call {
    fn start(metrics: Arc<CallMetrics>, path: &str) -> Self {
        metrics.in_flight.fetch_add(1, Ordering::Relaxed);
        let method = metrics.method(path);
        Self { metrics, method, started: Instant::now(), code: None, ended: false, response_bytes: 0 }
    }
}

impl Drop for Call {
    fn drop(&mut self) {
        let code = self.code.unwrap_or(if self.ended { Code::Unknown } else { Code::Cancelled });
        self.metrics.record(self.method, code, self.started.elapsed().as_secs_f64(), self.response_bytes);
        self.metrics.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

fn status_code(value: &tonic::codegen::http::HeaderValue) -> Option<Code> {
    value.to_str().ok()?.parse::<i32>().ok().map(Code::from_i32)
}

/// A response body that counts its bytes and reads the call's status from its trailers.
pub struct MeteredBody<B> {
    inner: B,
    call: Call,
}

impl<B: Body + Unpin> Body for MeteredBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.call.response_bytes += data.remaining() as u64;
                } else if let Some(code) = frame.trailers_ref().and_then(|t| t.get("grpc-status")).and_then(status_code)
                {
                    this.call.code = Some(code);
                }
            }
            Poll::Ready(None) => this.call.ended = true,
            Poll::Ready(Some(Err(_))) => this.call.code = this.call.code.or(Some(Code::Internal)),
            Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_are_counted_by_known_method_and_status() {
        let metrics = CallMetrics::new("test_service", &["DoGet"]);
        drop(Call::start(metrics.clone(), "/arrow.flight.protocol.FlightService/DoGet"));
        let mut answered = Call::start(metrics.clone(), "/arrow.flight.protocol.FlightService/DoGet");
        answered.code = Some(Code::Ok);
        answered.response_bytes = 7;
        assert_eq!(metrics.in_flight.load(Ordering::Relaxed), 1);
        drop(answered);
        drop(Call::start(metrics.clone(), "/made.up/Path"));
        let mut text = String::new();
        metrics.write_prometheus(&mut text);
        for line in [
            r#"reviewlake_test_service_requests_total{method="DoGet",code="Ok"} 1"#,
            r#"reviewlake_test_service_requests_total{method="DoGet",code="Cancelled"} 1"#,
            r#"reviewlake_test_service_requests_total{method="other",code="Cancelled"} 1"#,
            r#"reviewlake_test_service_request_duration_seconds_count{method="DoGet"} 2"#,
            r#"reviewlake_test_service_response_bytes_total{method="DoGet"} 7"#,
            "reviewlake_test_service_requests_in_flight 0",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} missing:\n{text}");
        }
    }
}
