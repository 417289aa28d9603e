//! The pages, in Vietnamese, one module per resource: the dashboard, media
//! items, cases, the report, the audit log. Shared here: the user in the
//! layout, vocabulary labels, pickers, the assets and the 404 page.
//! Handlers parse, call the store's queries and render; they hold no
//! business rules of their own.

mod audit;
mod cases;
pub(crate) mod dashboard;
mod items;
mod reports;
mod sources;
mod submissions;
mod telecom;
pub(crate) mod upload;
pub mod watch;

pub use audit::{audit_log, AuditFilter};
pub use cases::{case_comment, case_create, case_detail, case_new, case_status, cases, cases_export, CaseFilter};
pub use dashboard::dashboard;
pub use items::{item, items, items_export, items_import, items_import_form, items_template, ItemFilter};
pub use reports::{report_document, report_download, report_form, report_issue, report_preview, ReportQuery};
pub use submissions::{
    answer_form, answer_records, api_submit, call_detail, call_send, calls, decide, keys, package, receive_package,
    sheet, sheet_upload, submission_detail, submission_file, CallQuery,
};
pub use upload::MAX_UPLOAD;

use std::collections::HashMap;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use canhgiac_domain::{AuditAction, CaseStatus, Outlet, Platform};
use canhgiac_store::{ListQuery, Store};
use minijinja::context;

use crate::auth::CurrentUser;
use crate::extract::PagePath;
use crate::WebError;

pub(crate) const PAGE: u32 = 50;

/// The signed-in user as the layout shows them (name, role, CSRF token).
pub(crate) fn user_ctx(u: &CurrentUser) -> minijinja::Value {
    context! {
        username => &u.username,
        full_name => &u.full_name,
        role => u.role.code(),
        role_label => u.role.label_vn(),
        csrf => u.csrf(),
    }
}

pub(crate) fn labels<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
) -> HashMap<&'static str, &'static str> {
    all.iter().map(|v| (code(*v), label(*v))).collect()
}

pub(crate) fn options<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
) -> Vec<minijinja::Value> {
    all.iter()
        .map(|v| context! { code => code(*v), label => label(*v) })
        .collect()
}

pub(crate) fn status_labels() -> HashMap<&'static str, &'static str> {
    labels(CaseStatus::ALL, CaseStatus::code, CaseStatus::label_vn)
}

pub(crate) fn platform_labels() -> HashMap<&'static str, &'static str> {
    labels(Platform::ALL, Platform::code, Platform::label_vn)
}

pub(crate) fn action_labels() -> HashMap<&'static str, &'static str> {
    labels(AuditAction::ALL, AuditAction::code, AuditAction::label_vn)
}

/// The topics in report order, for select boxes.
pub(crate) async fn topic_options<S: Store>(store: &S) -> Result<Vec<minijinja::Value>, WebError> {
    let mut topics = store
        .list::<canhgiac_domain::Topic>(&ListQuery {
            limit: Some(1000),
            ..Default::default()
        })
        .await?;
    topics.sort_by_key(|t| t.record.ordinal);
    Ok(topics
        .iter()
        .map(|t| context! { code => t.record.code.as_str(), name => t.record.name.as_str() })
        .collect())
}

/// Each record of a kind by key, as `name` calls it (up to 1 000).
async fn names_by_key<R: canhgiac_domain::Record, S: Store>(
    store: &S,
    name: impl Fn(&R) -> String,
) -> Result<HashMap<String, String>, WebError> {
    Ok(store
        .list::<R>(&ListQuery {
            limit: Some(1000),
            ..Default::default()
        })
        .await?
        .into_iter()
        .map(|s| (s.key, name(&s.record)))
        .collect())
}

/// Topic codes to their names (`PCTP` → «Công tác phòng, chống tội phạm»).
pub(crate) async fn topic_names<S: Store>(store: &S) -> Result<HashMap<String, String>, WebError> {
    names_by_key(store, |t: &canhgiac_domain::Topic| t.name.to_string()).await
}

pub(crate) async fn outlet_names<S: Store>(store: &S) -> Result<HashMap<String, String>, WebError> {
    names_by_key(store, |o: &Outlet| o.name.to_string()).await
}

/// A form value within a length limit: oversized input is refused whole.
pub(crate) fn field(f: &HashMap<String, String>, name: &str, max: usize) -> Result<String, WebError> {
    let v = f.get(name).map(|s| s.trim().to_owned()).unwrap_or_default();
    if v.chars().count() > max {
        return Err(WebError::BadRequest(format!("Trường «{name}» dài quá {max} ký tự")));
    }
    Ok(v)
}

/// An exported list as a download: `{name}-{today}.xlsx` or `.csv`.
pub(crate) fn download_sheet(
    sheet: &canhgiac_interchange::sheet::Sheet,
    name: &str,
    format: Option<&str>,
) -> Result<Response, WebError> {
    let (bytes, ty, ext) = match format {
        Some("csv") => (sheet.to_csv(), "text/csv; charset=utf-8", "csv"),
        Some("xlsx") | None => (
            sheet.to_xlsx().map_err(|e| WebError::Internal(e.to_string()))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        Some(_) => {
            return Err(WebError::BadRequest(
                "Định dạng tệp không hợp lệ: chọn CSV hoặc Excel".into(),
            ))
        }
    };
    let today = canhgiac_domain::Date::today().iso();
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, ty.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}-{today}.{ext}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

const CSS: &str = include_str!("../../assets/app.css");
const JS: &str = include_str!("../../assets/app.js");

pub async fn asset(PagePath(file): PagePath<String>) -> Response {
    let (body, ty) = match file.as_str() {
        "app.css" => (CSS, "text/css; charset=utf-8"),
        "app.js" => (JS, "text/javascript; charset=utf-8"),
        _ => return not_found().await,
    };
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, ty),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

pub async fn not_found() -> Response {
    WebError::NotFound.into_response()
}
