//! Observability: request spans with a request id, Prometheus metrics, and
//! the health endpoints. These are the only routes that answer without a
//! signed-in user, and they reveal nothing about the data.
//!
//! - `GET /healthz`: the process is alive (always 200).
//! - `GET /readyz`: the database answers, its schema is this build's, and
//!   (when this process runs workers) a worker has been heard from; 503
//!   otherwise, with the reason only in the log.
//! - `GET /metrics`: Prometheus text — requests and latency per route, job
//!   runs, jobs by kind and state. From loopback, or with a valid API token.

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use canhgiac_store::Store;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tower_http::request_id::{MakeRequestId, RequestId};

use crate::AppState;

/// The process-wide Prometheus recorder (installed once, shared by every
/// router of the process).
pub fn prometheus() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let built = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Suffix("_seconds".into()),
                    &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0],
                )
                .and_then(|b| b.install_recorder());
            match built {
                Ok(h) => Some(h),
                Err(e) => {
                    tracing::warn!(error = %e, "metrics recorder not installed");
                    None
                }
            }
        })
        .as_ref()
}

/// Request ids: 16 random hex digits, unless the client sent one.
#[derive(Clone, Copy, Default)]
pub struct NewRequestId;

impl MakeRequestId for NewRequestId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let id = format!("{:016x}", rand::random::<u64>());
        HeaderValue::from_str(&id).ok().map(RequestId::new)
    }
}

/// The span of one request: method, route (the template, never the raw
/// path with its values) and request id.
pub fn request_span(req: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let route = req.extensions().get::<MatchedPath>().map_or("(khác)", |m| m.as_str());
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    tracing::info_span!("request", method = %req.method(), route, request_id = id)
}

/// Counts requests and their latency per route and status.
pub async fn record_metrics(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "(khác)".to_owned(), |m| m.as_str().to_owned());
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    metrics::counter!("canhgiac_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("canhgiac_http_request_duration_seconds", "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    res
}

pub async fn healthz() -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "ok\n",
    )
        .into_response()
}

/// How recently a worker must have been heard from for `/readyz`.
const WORKER_SILENCE: Duration = Duration::from_secs(60);

pub async fn readyz<S: Store>(State(app): State<AppState<S>>) -> Response {
    let verdict = ready(&app.store, app.settings.workers_expected).await;
    let (status, body) = match verdict {
        Ok(()) => (StatusCode::OK, "{\"status\":\"ok\"}"),
        Err(reason) => {
            tracing::warn!(%reason, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "{\"status\":\"unavailable\"}")
        }
    };
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn ready<S: Store>(store: &S, workers_expected: bool) -> Result<(), String> {
    let check = async {
        store.ping().await.map_err(|e| format!("database: {e}"))?;
        let (applied, known) = store.schema_versions().await.map_err(|e| format!("schema: {e}"))?;
        if applied != known {
            return Err(format!("schema version {applied}, this build needs {known}"));
        }
        if workers_expected {
            let alive = store
                .workers_alive(WORKER_SILENCE)
                .await
                .map_err(|e| format!("workers: {e}"))?;
            if alive == 0 {
                return Err("no worker heard from".into());
            }
        }
        Ok(())
    };
    tokio::time::timeout(Duration::from_secs(5), check)
        .await
        .map_err(|_| "readiness check timed out".to_owned())?
}

pub async fn metrics<S: Store>(State(app): State<AppState<S>>, req: Request) -> Response {
    let loopback = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .is_some_and(|c| c.0.ip().is_loopback());
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let allowed = loopback
        || match token {
            Some(t) => matches!(app.store.token_get(t).await, Ok(Some(_))),
            None => false,
        };
    if !allowed {
        return (StatusCode::FORBIDDEN, "Không có quyền\n").into_response();
    }
    let mut out = prometheus().map(|h| h.render()).unwrap_or_default();
    match app.store.job_counts().await {
        Ok(counts) => {
            out.push_str("# HELP canhgiac_jobs Jobs in the queue by kind and state.\n# TYPE canhgiac_jobs gauge\n");
            for c in counts {
                out.push_str(&format!(
                    "canhgiac_jobs{{kind=\"{}\",state=\"{}\"}} {}\n",
                    escape_label(&c.kind),
                    escape_label(&c.state),
                    c.count
                ));
            }
        }
        Err(e) => tracing::warn!(error = %e, "job counts for metrics"),
    }
    if let Ok(n) = app.store.workers_alive(WORKER_SILENCE).await {
        out.push_str(&format!(
            "# HELP canhgiac_workers_alive Workers heard from in the last minute.\n# TYPE canhgiac_workers_alive gauge\ncanhgiac_workers_alive {n}\n"
        ));
    }
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        out,
    )
        .into_response()
}

fn escape_label(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}
