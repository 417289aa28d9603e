//! Errors as the user sees them: a Vietnamese page or a JSON `{code, message}`,
//! never a stack trace; the reason is logged.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use canhgiac_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("Bạn cần đăng nhập")]
    Unauthenticated,
    #[error("Bạn không có quyền thực hiện thao tác này")]
    Forbidden,
    #[error("Không tìm thấy trang hoặc bản ghi")]
    NotFound,
    #[error("Phiên làm việc không hợp lệ, hãy tải lại trang (CSRF)")]
    Csrf,
    #[error("{0}")]
    BadRequest(String),
    /// A body over the route's limit (in bytes).
    #[error("Nội dung gửi lên quá lớn (tối đa {})", size_vn(*.0))]
    TooLarge(usize),
    #[error("Đăng nhập sai quá nhiều lần; hãy thử lại sau {0} giây")]
    Throttled(u64),
    #[error("Hệ thống đang bận; hãy thử lại sau ít giây")]
    Busy,
    /// A session whose password was generated (new account, reset): only
    /// the password page answers until the user has chosen their own.
    #[error("Hãy đổi mật khẩu được cấp trước khi làm việc khác")]
    MustChangePassword,
    /// An API update without `If-Match`: it would overwrite blindly.
    #[error("Thiếu tiêu đề If-Match: hãy gửi số phiên bản của bản ghi đang sửa (trường version khi đọc)")]
    PreconditionRequired,
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Report(#[from] canhgiac_report::ReportError),
    #[error("Lỗi hệ thống; hãy thử lại sau")]
    Internal(String),
}

/// A size limit as people read it: `64 KB`, `1 MB`.
pub fn size_vn(bytes: usize) -> String {
    if bytes >= 1024 * 1024 {
        format!("{} MB", bytes.div_ceil(1024 * 1024))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

impl From<canhgiac_search::SearchError> for WebError {
    fn from(e: canhgiac_search::SearchError) -> Self {
        match e {
            canhgiac_search::SearchError::Store(e) => WebError::Store(e),
            canhgiac_search::SearchError::Busy => WebError::Busy,
            canhgiac_search::SearchError::Index(reason) => WebError::Internal(format!("search index: {reason}")),
        }
    }
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::Unauthenticated => StatusCode::UNAUTHORIZED,
            WebError::Forbidden | WebError::Csrf | WebError::MustChangePassword => StatusCode::FORBIDDEN,
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            WebError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            WebError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            WebError::Store(e) => match e {
                StoreError::Invalid { .. } | StoreError::MissingReference { .. } | StoreError::AtRecord { .. } => {
                    StatusCode::UNPROCESSABLE_ENTITY
                }
                StoreError::Conflict { .. } | StoreError::InUse { .. } | StoreError::StaleVersion { .. } => {
                    StatusCode::CONFLICT
                }
                StoreError::NotFound { .. } => StatusCode::NOT_FOUND,
                StoreError::SharedRecord { .. } => StatusCode::FORBIDDEN,
                StoreError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
                StoreError::Refused(_) => StatusCode::CONFLICT,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            },
            WebError::Report(canhgiac_report::ReportError::Input(_)) => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::Report(canhgiac_report::ReportError::Store(StoreError::Refused(_))) => StatusCode::CONFLICT,
            WebError::Report(canhgiac_report::ReportError::Store(StoreError::Busy(_))) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            WebError::Report(canhgiac_report::ReportError::Store(_)) | WebError::Report(_) | WebError::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            WebError::Unauthenticated => "unauthenticated",
            WebError::Forbidden => "forbidden",
            WebError::NotFound => "not_found",
            WebError::Csrf => "csrf",
            WebError::BadRequest(_) => "bad_request",
            WebError::TooLarge(_) => "too_large",
            WebError::Throttled(_) => "throttled",
            WebError::Busy => "busy",
            WebError::MustChangePassword => "must_change_password",
            WebError::PreconditionRequired => "precondition_required",
            WebError::Store(StoreError::Conflict { .. }) => "conflict",
            WebError::Store(StoreError::StaleVersion { .. }) => "stale",
            WebError::Store(StoreError::InUse { .. }) => "in_use",
            WebError::Store(StoreError::NotFound { .. }) => "not_found",
            WebError::Store(StoreError::SharedRecord { .. }) => "shared",
            WebError::Store(StoreError::Busy(_))
            | WebError::Report(canhgiac_report::ReportError::Store(StoreError::Busy(_))) => "busy",
            WebError::Store(StoreError::Refused(_))
            | WebError::Report(canhgiac_report::ReportError::Store(StoreError::Refused(_))) => "refused",
            WebError::Store(StoreError::Invalid { .. } | StoreError::MissingReference { .. }) => "invalid",
            WebError::Store(_) | WebError::Report(_) | WebError::Internal(_) => "internal",
        }
    }

    /// Refused for load, not failed: the client should try again shortly
    /// (503 with Retry-After).
    pub fn is_busy(&self) -> bool {
        matches!(
            self,
            WebError::Busy
                | WebError::Store(StoreError::Busy(_))
                | WebError::Report(canhgiac_report::ReportError::Store(StoreError::Busy(_)))
        )
    }

    /// The message a user may see: internal details stay in the log.
    pub fn public_message(&self) -> String {
        if self.status().is_server_error() && !self.is_busy() {
            "Lỗi hệ thống; hãy thử lại sau. Nếu lỗi lặp lại, báo cho quản trị viên.".to_owned()
        } else {
            self.to_string()
        }
    }

    fn log(&self) {
        if self.is_busy() {
            tracing::warn!(error = ?self, "busy: refused, to be retried");
        } else if self.status().is_server_error() {
            tracing::error!(error = ?self, "request failed");
        } else {
            tracing::info!(error = %self, code = self.code(), "request refused");
        }
    }
}

/// A JSON error for the API.
pub struct ApiError(pub WebError);

impl From<WebError> for ApiError {
    fn from(e: WebError) -> Self {
        ApiError(e)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError(WebError::Store(e))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.log();
        let body = serde_json::json!({"code": self.0.code(), "message": self.0.public_message()});
        let mut res = (self.0.status(), axum::Json(body)).into_response();
        if self.0.is_busy() {
            res.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("1"),
            );
        }
        res
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        self.log();
        if matches!(self, WebError::Unauthenticated) {
            return axum::response::Redirect::to("/dang-nhap").into_response();
        }
        if matches!(self, WebError::MustChangePassword) {
            return axum::response::Redirect::to(crate::auth::PASSWORD_PAGE).into_response();
        }
        let page = crate::views::error_page(self.status().as_u16(), &self.public_message());
        let mut res = (self.status(), axum::response::Html(page)).into_response();
        if let WebError::Throttled(secs) = &self {
            if let Ok(v) = axum::http::HeaderValue::from_str(&secs.to_string()) {
                res.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
            }
        }
        if self.is_busy() {
            res.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("1"),
            );
        }
        res
    }
}

impl From<canhgiac_secrets::HashError> for WebError {
    fn from(e: canhgiac_secrets::HashError) -> Self {
        WebError::Internal(e.to_string())
    }
}
