//! The web application: server-rendered Vietnamese pages and a JSON API
//! over any [`Store`].
//!
//! Invariants:
//! - no page and no endpoint answers without a signed-in user or a token of
//!   the right role or scope (`auth::CurrentUser` is the only way in);
//! - every state-changing request with a session carries its CSRF token;
//! - every response carries the security headers (`security_headers`);
//! - all assets are served from the binary; nothing loads from elsewhere.

pub mod admin;
pub mod api;
pub mod auth;
pub mod error;
pub mod extract;
pub mod observe;
pub mod openapi;
pub mod pages;
pub mod registers;
pub mod review;
pub mod views;

use std::net::SocketAddr;
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
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            secure_cookies: false,
            session_hours: 8,
            workers_expected: false,
            hash_slots: std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get),
            pdf_slots: 2,
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
}

pub type AppState<S> = Arc<App<S>>;

impl<S: Store> App<S> {
    /// The store as `user` may see it: scoped to the user's agency. Every
    /// handler reads and writes records through this, never `self.store`.
    pub fn store_for(&self, user: &auth::CurrentUser) -> S {
        match &user.agency {
            Some(a) => self.store.scoped(a),
            None => self.store.clone(),
        }
    }
}

pub fn state<S: Store>(store: S, settings: Settings) -> AppState<S> {
    let slots = settings.hash_slots.max(1);
    let pdf = settings.pdf_slots.max(1);
    Arc::new(App {
        store,
        settings,
        views: views::Views::new(),
        hash_slots: Arc::new(tokio::sync::Semaphore::new(slots)),
        pdf_slots: Arc::new(tokio::sync::Semaphore::new(pdf)),
    })
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
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

pub fn router<S: Store>(app: AppState<S>) -> Router {
    Router::new()
        .route("/", get(pages::dashboard::<S>))
        .route("/dang-nhap", get(auth::login_page::<S>).post(auth::login::<S>))
        .route("/dang-xuat", post(auth::logout::<S>))
        .route("/tin-bai", get(pages::items::<S>))
        .route("/tin-bai/duyet", get(review::queue::<S>))
        .route("/tin-bai/hang-loat", post(review::bulk::<S>))
        .route("/tin-bai/{id}", get(pages::item::<S>).post(review::update_item::<S>))
        .route("/vu-viec", get(pages::cases::<S>).post(pages::case_create::<S>))
        .route("/vu-viec/moi", get(pages::case_new::<S>))
        .route("/vu-viec/{id}", get(pages::case_detail::<S>))
        .route("/vu-viec/{id}/trang-thai", post(pages::case_status::<S>))
        .route("/bao-cao", get(pages::report_form::<S>))
        .route("/bao-cao/xem", get(pages::report_preview::<S>))
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
        .route("/so/{slug}", get(registers::list::<S>).post(registers::create::<S>))
        .route("/so/{slug}/moi", get(registers::new_form::<S>))
        .route(
            "/so/{slug}/{id}",
            get(registers::edit_form::<S>).post(registers::update::<S>),
        )
        .route("/tai-nguyen/{file}", get(pages::asset))
        .route("/api/openapi.json", get(api::openapi::<S>))
        .route("/api/v1/{kind}", get(api::list::<S>).post(api::create::<S>))
        .route(
            "/api/v1/{kind}/{id}",
            get(api::get_one::<S>).put(api::update::<S>).delete(api::delete::<S>),
        )
        .route("/healthz", get(observe::healthz))
        .route("/readyz", get(observe::readyz::<S>))
        .route("/metrics", get(observe::metrics::<S>))
        .fallback(pages::not_found)
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

/// Serves until `shutdown` resolves, then lets requests under way finish.
pub async fn serve_until<S: Store>(
    app: AppState<S>,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    observe::prometheus();
    axum::serve(
        listener,
        router(app).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
