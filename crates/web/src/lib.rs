//! The web application: server-rendered Vietnamese pages and a JSON API
//! over any [`Store`].
//!
//! Invariants:
//! - no page and no endpoint answers without a signed-in user or a token of
//!   the right role or scope (`auth::CurrentUser` for pages, a session only,
//!   and `auth::ApiUser` for the API, a token or a session, are the only
//!   ways in);
//! - every state-changing request with a session carries its CSRF token;
//! - every response carries the security headers (`security_headers`);
//! - all assets are served from the binary; nothing loads from elsewhere;
//! - no client holds the server: headers must arrive within
//!   `Settings::header_read_timeout` (idle keep-alive connections too), a
//!   request finishes within `Settings::request_timeout`, and at most
//!   `Settings::max_connections` connections are served at once.

pub mod admin;
pub mod api;
pub mod auth;
pub mod charts;
pub mod error;
pub mod extract;
pub mod listing;
pub mod observe;
pub mod openapi;
pub mod pages;
pub mod registers;
pub mod review;
pub mod views;

use std::sync::Arc;

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use canhgiac_store::Store;

pub use error::WebError;

/// Settings of one server.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Mark cookies `Secure` (set when served over HTTPS).
    pub secure_cookies: bool,
    /// How long a sign-in lasts.
    pub session_hours: i64,
    /// This process runs workers: `/readyz` then needs a live one.
    pub workers_expected: bool,
    /// How many password hashes (19 MiB of Argon2 each) may run at once;
    /// past that, a sign-in is refused with 503 rather than queued.
    pub hash_slots: usize,
    /// How many LibreOffice conversions (a PDF download; hundreds of MB
    /// each) may run at once; past that, 503 with Retry-After.
    pub pdf_slots: usize,
    /// A connection must send a request's headers within this, also while
    /// idle between requests; else it is closed.
    pub header_read_timeout: std::time::Duration,
    /// A request (body, handler and all) must finish within this; else 503.
    pub request_timeout: std::time::Duration,
    /// Connections served at once; more wait in the listen queue.
    pub max_connections: usize,
    /// Where agencies' own report templates are kept (`<code>.md.j2`, the
    /// same folder the command line reads); none: the default template.
    pub templates_dir: Option<std::path::PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            secure_cookies: false,
            session_hours: 8,
            workers_expected: false,
            hash_slots: std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get),
            pdf_slots: 2,
            header_read_timeout: std::time::Duration::from_secs(10),
            request_timeout: std::time::Duration::from_secs(120),
            max_connections: 512,
            templates_dir: None,
        }
    }
}

/// What every handler can reach.
pub struct App<S> {
    pub store: S,
    pub settings: Settings,
    pub views: views::Views,
    /// Permits for password hashing (`Settings::hash_slots`).
    pub hash_slots: Arc<tokio::sync::Semaphore>,
    /// Permits for LibreOffice conversions (`Settings::pdf_slots`).
    pub pdf_slots: Arc<tokio::sync::Semaphore>,
    /// The dashboard's figures of a period, by agency and period, with the
    /// audit head they were computed at (`pages::dashboard`).
    pub period_figures: pages::dashboard::FigureCache,
    /// Full-text search over media items (`canhgiac-search`).
    pub search: canhgiac_search::Search,
}

pub type AppState<S> = Arc<App<S>>;

impl<S: Store> App<S> {
    /// The report template `agency` saved for itself, if any. A file that
    /// cannot be read is logged and the default template used.
    pub fn template_of(&self, agency: Option<&str>) -> Option<String> {
        let (dir, code) = (self.settings.templates_dir.as_ref()?, agency?);
        // Agency codes are lower-case letters, digits and hyphens: a file name.
        if code.is_empty() || !code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return None;
        }
        let path = dir.join(format!("{code}.md.j2"));
        if !path.is_file() {
            return None;
        }
        match std::fs::read_to_string(&path) {
            Ok(t) if t.len() <= 1024 * 1024 => Some(t),
            Ok(_) => {
                tracing::warn!(path = %path.display(), "agency template over 1 MB: default used");
                None
            }
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "agency template unreadable: default used");
                None
            }
        }
    }

    /// The store as `user` may see it: scoped to the user's agency. Every
    /// handler reads and writes records through this, never `self.store`.
    pub fn store_for(&self, user: &auth::CurrentUser) -> S {
        match &user.agency {
            Some(a) => self.store.scoped(a),
            None => self.store.clone(),
        }
    }
}

/// The application with its search in memory (tests; a store without a
/// data folder); see [`state_with`].
pub fn state<S: Store>(store: S, settings: Settings) -> AppState<S> {
    let search = canhgiac_search::Search::in_memory(&store).unwrap_or_else(|e| {
        tracing::error!(error = %e, "search index could not be made; the database is asked instead");
        canhgiac_search::Search::in_database()
    });
    state_with(store, settings, search)
}

/// The application with the installation's search (the index in its data
/// folder, or the database's own).
pub fn state_with<S: Store>(store: S, settings: Settings, search: canhgiac_search::Search) -> AppState<S> {
    let slots = settings.hash_slots.max(1);
    let pdf = settings.pdf_slots.max(1);
    Arc::new(App {
        store,
        settings,
        views: views::Views::new(),
        hash_slots: Arc::new(tokio::sync::Semaphore::new(slots)),
        pdf_slots: Arc::new(tokio::sync::Semaphore::new(pdf)),
        period_figures: Default::default(),
        search,
    })
}

/// Every request finishes within `Settings::request_timeout`: a body sent
/// a byte at a time, or work that hangs, is cut off with 503 (and logged)
/// rather than holding its connection and memory.
async fn request_deadline<S: Store>(
    axum::extract::State(app): axum::extract::State<AppState<S>>,
    req: Request,
    next: Next,
) -> Response {
    use axum::response::IntoResponse;
    let limit = app.settings.request_timeout;
    let path = req.uri().path().to_owned();
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(res) => res,
        Err(_) => {
            tracing::warn!(%path, seconds = limit.as_secs(), "request timed out");
            WebError::Busy.into_response()
        }
    }
}

/// Security headers on every response. Pages have no inline script; the
/// report preview, which carries its own style sheet, sets its own policy.
async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
            ),
        );
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // Only the report document may be framed, by the report page itself.
    let framable = h
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("frame-ancestors 'self'"));
    h.insert(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static(if framable { "SAMEORIGIN" } else { "DENY" }),
    );
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// The case pages: the list, a case with its workflow and comments.
fn case_routes<S: Store>() -> Router<AppState<S>> {
    Router::new()
        .route("/vu-viec", get(pages::cases::<S>).post(pages::case_create::<S>))
        .route("/vu-viec/moi", get(pages::case_new::<S>))
        .route("/vu-viec/xuat", get(pages::cases_export::<S>))
        .route("/vu-viec/{id}", get(pages::case_detail::<S>))
        .route("/vu-viec/{id}/trang-thai", post(pages::case_status::<S>))
        .route("/vu-viec/{id}/y-kien", post(pages::case_comment::<S>))
        .route(
            "/vu-viec/{id}/sua",
            get(registers::case_edit::<S>).post(registers::case_update::<S>),
        )
        .route("/vu-viec/{id}/xoa", post(registers::case_delete::<S>))
}

pub fn router<S: Store>(app: AppState<S>) -> Router {
    Router::new()
        .merge(case_routes::<S>())
        .route("/", get(pages::dashboard::<S>))
        .route("/dang-nhap", get(auth::login_page::<S>).post(auth::login::<S>))
        .route("/dang-xuat", post(auth::logout::<S>))
        .route("/tin-bai", get(pages::items::<S>).post(registers::item_create::<S>))
        .route("/tin-bai/moi", get(registers::item_new::<S>))
        .route(
            "/tin-bai/{id}/sua",
            get(registers::item_edit::<S>).post(registers::item_update::<S>),
        )
        .route("/tin-bai/{id}/xoa", post(registers::item_delete::<S>))
        .route(
            "/tin-bai/nhap",
            get(pages::items_import_form::<S>)
                .post(pages::items_import::<S>)
                .layer(axum::extract::DefaultBodyLimit::max(pages::MAX_UPLOAD + 64 * 1024)),
        )
        .route("/tin-bai/nhap/mau.xlsx", get(pages::items_template))
        .route("/tin-bai/duyet", get(review::queue::<S>))
        .route("/tin-bai/xuat", get(pages::items_export::<S>))
        .route("/tin-bai/hang-loat", post(review::bulk::<S>))
        .route("/tin-bai/{id}", get(pages::item::<S>).post(review::update_item::<S>))
        .route("/theo-doi", get(pages::watch::hits::<S>))
        .route("/theo-doi/{id}/vu-viec", post(pages::watch::hit_case::<S>))
        .route("/theo-doi/{id}/xem-xet", post(pages::watch::hit_review::<S>))
        .route("/bao-cao", get(pages::report_form::<S>))
        .route("/bao-cao/xem", get(pages::report_preview::<S>))
        .route("/bao-cao/van-ban", get(pages::report_document::<S>))
        .route("/bao-cao/tai", get(pages::report_download::<S>))
        .route("/bao-cao/ban-hanh", post(pages::report_issue::<S>))
        .route("/bao-cao-don-vi", get(pages::calls::<S>).post(pages::call_send::<S>))
        .route("/bao-cao-don-vi/khoa", post(pages::keys::<S>))
        .route("/bao-cao-don-vi/{id}", get(pages::call_detail::<S>))
        .route("/bao-cao-don-vi/{id}/gui", post(pages::answer_records::<S>))
        .route("/bao-cao-don-vi/{id}/nhap", post(pages::answer_form::<S>))
        .route("/bao-cao-don-vi/{id}/bieu-mau.csv", get(pages::sheet::<S>))
        .route("/bao-cao-don-vi/{id}/tai-bieu", post(pages::sheet_upload::<S>))
        .route("/bao-cao-don-vi/nop/{id}", get(pages::submission_detail::<S>))
        .route("/bao-cao-don-vi/nop/{id}/quyet-dinh", post(pages::decide::<S>))
        .route("/bao-cao-don-vi/nop/{id}/tep/{name}", get(pages::submission_file::<S>))
        .route("/bao-cao-don-vi/nop/{id}/goi", get(pages::package::<S>))
        .route("/api/v1/submissions", post(pages::api_submit::<S>))
        .route("/nhat-ky", get(pages::audit_log::<S>))
        .route(
            "/quan-tri/nguoi-dung",
            get(admin::users::<S>).post(admin::user_create::<S>),
        )
        .route("/quan-tri/nguoi-dung/{id}", post(admin::user_update::<S>))
        .route(
            "/quan-tri/co-quan",
            get(admin::agency::<S>).post(admin::agency_save::<S>),
        )
        .route(
            "/quan-tri/ma-truy-cap",
            get(admin::tokens::<S>).post(admin::token_action::<S>),
        )
        .route(
            "/tai-khoan/mat-khau",
            get(admin::password_page::<S>).post(admin::password_change::<S>),
        )
        .route("/so", get(registers::index::<S>))
        .route("/so/tu-khoa-phan-loai/mac-dinh", post(registers::lexicon_defaults::<S>))
        .route("/so/{slug}", get(registers::list::<S>).post(registers::create::<S>))
        .route("/so/{slug}/moi", get(registers::new_form::<S>))
        .route("/so/{slug}/xuat", get(registers::export::<S>))
        .route(
            "/so/{slug}/nhap",
            get(registers::import_form::<S>)
                .post(registers::import::<S>)
                .layer(axum::extract::DefaultBodyLimit::max(pages::MAX_UPLOAD + 64 * 1024)),
        )
        .route("/so/{slug}/nhap/mau.xlsx", get(registers::import_template))
        .route(
            "/so/{slug}/{id}",
            get(registers::view::<S>).post(registers::update::<S>),
        )
        .route("/so/{slug}/{id}/sua", get(registers::edit_form::<S>))
        .route("/so/{slug}/{id}/thu-thap", post(registers::fetch_now::<S>))
        .route("/so/{slug}/{id}/xoa", post(registers::delete::<S>))
        .route("/thung-rac", get(registers::bin::<S>))
        .route("/thung-rac/{seq}/khoi-phuc", post(registers::restore::<S>))
        .route("/tai-nguyen/{file}", get(pages::asset))
        .route("/api/openapi.json", get(api::openapi::<S>))
        .route("/api/v1/search", get(api::search::<S>))
        .route("/api/v1/watch-hits", get(api::watch_hits::<S>))
        .route(
            "/api/v1/import",
            post(api::import::<S>).layer(axum::extract::DefaultBodyLimit::max(api::MAX_IMPORT)),
        )
        .route("/api/v1/{kind}", get(api::list::<S>).post(api::create::<S>))
        .route(
            "/api/v1/{kind}/{id}",
            get(api::get_one::<S>).put(api::update::<S>).delete(api::delete::<S>),
        )
        .route("/healthz", get(observe::healthz))
        .route("/readyz", get(observe::readyz::<S>))
        .route("/metrics", get(observe::metrics::<S>))
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(app.clone(), request_deadline::<S>))
        .layer(axum::middleware::from_fn(security_headers))
        .layer(axum::middleware::from_fn(observe::record_metrics))
        .layer(
            tower::ServiceBuilder::new()
                .layer(tower_http::request_id::SetRequestIdLayer::x_request_id(
                    observe::NewRequestId,
                ))
                .layer(tower_http::trace::TraceLayer::new_for_http().make_span_with(observe::request_span))
                .layer(tower_http::request_id::PropagateRequestIdLayer::x_request_id()),
        )
        .with_state(app)
}

/// Serves until the process is stopped.
pub async fn serve<S: Store>(app: AppState<S>, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    serve_until(app, listener, std::future::pending()).await
}

/// How long a stopping server waits for requests under way.
pub const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(30);

/// Serves until `shutdown` resolves, then lets requests under way finish.
///
/// HTTP/1.1 through hyper directly (axum's `serve` sets no timeouts): each
/// connection must send its headers within `header_read_timeout`, idle or
/// not; at most `max_connections` are served at once (the rest wait in the
/// kernel's listen queue, not in memory); on shutdown the listener closes
/// and every open connection finishes its request under way.
pub async fn serve_until<S: Store>(
    app: AppState<S>,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt;
    observe::prometheus();
    let header_timeout = app.settings.header_read_timeout;
    let slots = Arc::new(tokio::sync::Semaphore::new(app.settings.max_connections.max(1)));
    let router = router(app);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, remote) = tokio::select! {
            r = listener.accept() => match r {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before
                    // it was accepted: wait a little, never spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(error = %e, "TCP_NODELAY");
        }
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(axum::extract::ConnectInfo(remote));
            router.clone().oneshot(req)
        });
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout)
            .keep_alive(true)
            .serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _permit = permit;
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, %remote, "connection closed");
            }
        });
    }
    drop(listener);
    // Requests under way finish; a connection that outlives the grace
    // period (a stalled client) is dropped rather than holding the stop.
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await.is_err() {
        tracing::warn!(
            seconds = SHUTDOWN_GRACE.as_secs(),
            "connections still open at shutdown; closing them"
        );
    }
    Ok(())
}
