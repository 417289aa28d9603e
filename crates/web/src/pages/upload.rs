//! Records from a spreadsheet: the upload page of every kind with a table
//! file (media items at `/tin-bai/nhap`, the registers at
//! `/so/{sổ}/nhap`), its blank template, and the import itself — the whole
//! file or nothing, the first bad row named (row, column, why).

use axum::extract::multipart::{Multipart, MultipartError, MultipartRejection};
use axum::response::{Html, IntoResponse, Response};
use canhgiac_domain::{RecordKind, Role};
use canhgiac_interchange::sheet::Sheet;
use canhgiac_store::{Store, StoreError};
use minijinja::context;

use super::*;
use crate::auth::CurrentUser;
use crate::{AppState, WebError};

/// The largest file an upload page takes (a station list of 100 000 rows
/// is about 25 MB as CSV).
pub const MAX_UPLOAD: usize = 64 * 1024 * 1024;

/// What an upload page imports and where it sits.
pub struct Target {
    pub kind: RecordKind,
    /// `Tin, bài`, `Báo cáo rác viễn thông`.
    pub title: String,
    /// The page's own address (`/tin-bai/nhap`).
    pub action: String,
    /// The list it adds to (`/tin-bai`).
    pub list: String,
}

impl Target {
    /// The file name of the blank template (`mau-tin-bai`).
    fn template_name(&self) -> String {
        format!(
            "mau-{}",
            self.action
                .trim_start_matches('/')
                .replace(['/'], "-")
                .trim_end_matches("-nhap")
        )
    }
}

pub fn page<S: Store>(
    app: &AppState<S>,
    user: &CurrentUser,
    target: &Target,
    done: Option<minijinja::Value>,
    error: &str,
) -> String {
    with_preview(app, user, target, done, None, error)
}

fn with_preview<S: Store>(
    app: &AppState<S>,
    user: &CurrentUser,
    target: &Target,
    done: Option<minijinja::Value>,
    preview: Option<minijinja::Value>,
    error: &str,
) -> String {
    let columns: Vec<minijinja::Value> = canhgiac_interchange::columns(target.kind)
        .into_iter()
        .map(|c| context! { label => c.label, required => c.required })
        .collect();
    app.views.render(
        "table_import.html",
        context! {
            user => user_ctx(user), done, preview, error, columns,
            title => &target.title, action => &target.action, list => &target.list,
            max_mb => MAX_UPLOAD / (1024 * 1024),
        },
    )
}

/// The blank template: the kind's header row, as XLSX.
pub fn template(target: &Target) -> Result<Response, WebError> {
    let sheet = Sheet {
        title: target.title.clone(),
        headers: canhgiac_interchange::headers(target.kind)
            .into_iter()
            .map(str::to_owned)
            .collect(),
        rows: Vec::new(),
    };
    download_sheet(&sheet, &target.template_name(), Some("xlsx"))
}

/// Reads the uploaded file and its CSRF field.
async fn read_form(
    form: Result<Multipart, MultipartRejection>,
) -> Result<
    (
        std::collections::HashMap<String, String>,
        Option<(String, axum::body::Bytes)>,
    ),
    WebError,
> {
    let mut form = form.map_err(|e| {
        tracing::info!(reason = %e, "not a file upload");
        WebError::BadRequest("Hãy chọn tệp để tải lên".into())
    })?;
    let bad = |e: MultipartError| {
        tracing::info!(reason = %e, "malformed upload refused");
        WebError::BadRequest(format!(
            "Tệp tải lên không hợp lệ hoặc lớn quá {} MB",
            MAX_UPLOAD / (1024 * 1024)
        ))
    };
    let mut fields = std::collections::HashMap::new();
    let mut file = None;
    while let Some(part) = form.next_field().await.map_err(bad)? {
        match part.name().unwrap_or_default() {
            "tep" => {
                let name = part
                    .file_name()
                    .map(|n| {
                        canhgiac_domain::nfc(n)
                            .chars()
                            .filter(|c| !c.is_control())
                            .take(200)
                            .collect()
                    })
                    .unwrap_or_default();
                file = Some((name, part.bytes().await.map_err(bad)?));
            }
            name @ ("_csrf" | "xem-truoc") => {
                let name = name.to_owned();
                fields.insert(name, part.text().await.map_err(bad)?);
            }
            _ => {}
        }
    }
    Ok((fields, file))
}

/// Imports an uploaded CSV or XLSX file of `target.kind`, whole or not at
/// all; a refusal is said on the page, in Vietnamese, with nothing stored.
pub async fn import<S: Store>(
    app: &AppState<S>,
    user: &CurrentUser,
    target: &Target,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    user.require(Role::Editor)?;
    let (fields, file) = read_form(form).await?;
    user.may_submit(Role::Editor, &fields)?;
    let refuse = |message: String| {
        tracing::info!(reason = %message, kind = target.kind.code(), "uploaded file refused");
        Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            Html(page(app, user, target, None, &message)),
        )
            .into_response())
    };
    let Some((name, bytes)) = file.filter(|(n, b)| !n.is_empty() || !b.is_empty()) else {
        return refuse("Chưa chọn tệp".into());
    };
    let lower = name.to_lowercase();
    let kind = Some(target.kind);
    let read = if lower.ends_with(".csv") {
        canhgiac_interchange::read_csv(&name, &bytes, kind)
    } else if lower.ends_with(".xlsx") {
        canhgiac_interchange::read_xlsx(&name, &bytes, kind)
    } else {
        return refuse(format!("Tệp «{name}»: chỉ nhận tệp .csv hoặc .xlsx"));
    };
    let data = match read {
        Ok(d) => d,
        Err(e) => return refuse(e.to_string()),
    };
    let actor = canhgiac_store::Actor::new(&user.username, format!("web:nhap {name}"));
    if fields.get("xem-truoc").is_some_and(|v| !v.is_empty()) {
        let rows = app.store_for(user).import_preview(&actor, &data).await?;
        let preview = preview_view(&name, &data, &rows);
        return Ok(Html(with_preview(app, user, target, None, Some(preview), "")).into_response());
    }
    match app.store_for(user).import(&actor, &data).await {
        Ok(summary) => {
            let done = context! {
                file => name, created => summary.total_created(), updated => summary.total_updated(),
                unchanged => summary.total_unchanged(),
            };
            Ok(Html(page(app, user, target, Some(done), "")).into_response())
        }
        Err(
            e @ (StoreError::Invalid { .. }
            | StoreError::AtRecord { .. }
            | StoreError::Conflict { .. }
            | StoreError::MissingReference { .. }
            | StoreError::SharedRecord { .. }),
        ) => refuse(format!("Tệp «{name}» không được nhập, không có gì thay đổi: {e}")),
        Err(e) => Err(e.into()),
    }
}

/// The rows shown of a preview, at most.
const PREVIEW_ROWS: usize = 1000;

/// A file's dry run in words: per row (the line of the file: the header is
/// line 1), the record as people know it and what would happen.
fn preview_view(file: &str, data: &canhgiac_domain::Dataset, rows: &[canhgiac_store::PreviewRow]) -> minijinja::Value {
    use canhgiac_store::Preview;
    let count = |want: fn(&Preview) -> bool| rows.iter().filter(|r| want(&r.outcome)).count();
    let shown: Vec<minijinja::Value> = rows
        .iter()
        .take(PREVIEW_ROWS)
        .map(|r| {
            let name = canhgiac_domain::with_record!(
                r.kind,
                R => data.section::<R>().get(r.index).map(canhgiac_domain::Record::describe),
                None
            )
            .unwrap_or_else(|| r.key.clone());
            let (outcome, reason) = match &r.outcome {
                Preview::Create => ("Thêm mới", None),
                Preview::Update => ("Cập nhật", None),
                Preview::Unchanged => ("Không đổi", None),
                Preview::Refused(why) => ("Bị từ chối", Some(why.as_str())),
            };
            context! { line => r.index + 2, name, outcome, refused => reason.is_some(), reason }
        })
        .collect();
    context! {
        file,
        created => count(|o| *o == Preview::Create),
        updated => count(|o| *o == Preview::Update),
        unchanged => count(|o| *o == Preview::Unchanged),
        refused => count(|o| matches!(o, Preview::Refused(_))),
        shown => shown.len(), more => rows.len() > PREVIEW_ROWS,
        rows => shown,
    }
}
