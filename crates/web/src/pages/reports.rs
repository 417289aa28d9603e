//! Báo cáo: the form, the HTML preview, downloads and issuing.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use canhgiac_domain::{Date, Period, ReportKind, Role};
use canhgiac_store::{Actor, Store};
use minijinja::context;
use serde::Deserialize;

use super::*;
use crate::auth::CurrentUser;
use crate::extract::{PageForm, PageQuery};
use crate::{AppState, WebError};

#[derive(Deserialize, Default, serde::Serialize)]
pub struct ReportQuery {
    period: Option<String>,
    kind: Option<String>,
    number: Option<String>,
    date: Option<String>,
    format: Option<String>,
    #[serde(default, rename = "_csrf")]
    csrf: Option<String>,
}

fn report_spec(q: &ReportQuery) -> Result<canhgiac_report::ReportSpec, WebError> {
    let bad = |m: String| WebError::BadRequest(m);
    let period: Period = q
        .period
        .as_deref()
        .unwrap_or("")
        .parse()
        .map_err(|e: canhgiac_domain::FieldError| bad(e.message))?;
    let kind = ReportKind::parse(q.kind.as_deref().unwrap_or("so_ket")).map_err(|e| bad(e.message))?;
    let number = match q.number.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(n) => Some(
            n.parse::<u32>()
                .ok()
                .filter(|n| (1..=99_999).contains(n))
                .ok_or_else(|| bad("Số văn bản phải là số từ 1 đến 99999".into()))?,
        ),
        None => None,
    };
    let date = match q.date.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(d) => Date::parse(d).map_err(|e| bad(format!("Ngày ký: {}", e.message)))?,
        None => Date::today(),
    };
    Ok(canhgiac_report::ReportSpec {
        agency: None,
        kind,
        period: Some(period),
        range: None,
        number,
        date,
    })
}

/// The user's agency's report, with the template it saved for itself.
async fn build_for<S: Store>(
    app: &AppState<S>,
    user: &CurrentUser,
    spec: &canhgiac_report::ReportSpec,
    full_ids: bool,
) -> Result<canhgiac_report::Report, WebError> {
    let template = app.template_of(user.agency.as_deref());
    Ok(canhgiac_report::build(&app.store_for(user), spec, template.as_deref(), None, full_ids).await?)
}

/// The report page: the form (the period picked from a list, the input
/// kept), and under it, when asked, the preview in a frame, or why the
/// input was refused.
async fn report_page<S: Store>(
    app: &AppState<S>,
    user: &CurrentUser,
    q: &ReportQuery,
    preview: Option<String>,
    error: &str,
) -> Result<Response, WebError> {
    let store = app.store_for(user);
    let today = Date::today();
    let current = Period::current_half(today, super::dashboard::period_rule(&store).await?);
    let chosen = q
        .period
        .as_deref()
        .and_then(|p| p.parse::<Period>().ok())
        .unwrap_or(current);
    let issued = store.issued_reports(None).await?;
    let html = app.views.render(
        "report.html",
        context! {
            user => user_ctx(user),
            f => minijinja::Value::from_serialize(q),
            periods => super::dashboard::period_choices(chosen, today.year()),
            error,
            preview,
            today => today.to_string(),
            kinds => options(ReportKind::ALL, ReportKind::code, ReportKind::label_vn),
            issued => minijinja::Value::from_serialize(&issued),
            can_issue => user.require(Role::Editor).is_ok(),
        },
    );
    let status = if error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    Ok((status, Html(html)).into_response())
}

pub async fn report_form<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PageQuery(q): PageQuery<ReportQuery>,
) -> Result<Response, WebError> {
    report_page(&app, &user, &q, None, "").await
}

/// The preview page: the menu, the form as filled in, and the report in a
/// frame; a refused input is said on the same page, the input kept.
pub async fn report_preview<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PageQuery(q): PageQuery<ReportQuery>,
) -> Result<Response, WebError> {
    if let Err(e) = report_spec(&q) {
        let message = match e {
            WebError::BadRequest(m) => m,
            e => return Err(e),
        };
        return report_page(&app, &user, &q, None, &message).await;
    }
    let own = |v: &Option<String>| v.clone().unwrap_or_default();
    let src = crate::listing::url(
        "/bao-cao/van-ban",
        &[
            ("period", own(&q.period)),
            ("kind", own(&q.kind)),
            ("number", own(&q.number)),
            ("date", own(&q.date)),
        ],
    );
    report_page(&app, &user, &q, Some(src), "").await
}

/// The report as HTML, alone (the preview's frame). Its style sheet is
/// inline, so this response allows exactly that style sheet by hash, and
/// no script at all.
pub async fn report_document<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PageQuery(q): PageQuery<ReportQuery>,
) -> Result<Response, WebError> {
    let spec = report_spec(&q)?;
    let report = build_for(&app, &user, &spec, false).await?;
    let html = report.render(canhgiac_report::Format::Html)?;
    let csp = format!(
        "default-src 'none'; style-src '{}'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'",
        canhgiac_report::html::style_hash()
    );
    let mut res = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&csp) {
        res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
    }
    Ok(res)
}

pub async fn report_download<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PageQuery(q): PageQuery<ReportQuery>,
) -> Result<Response, WebError> {
    let spec = report_spec(&q)?;
    let format = canhgiac_report::Format::from_extension(q.format.as_deref().unwrap_or("docx"))
        .ok_or_else(|| WebError::BadRequest("Định dạng không hỗ trợ".into()))?;
    // A conversion holds LibreOffice (hundreds of MB) for seconds: a few
    // at a time, and past that "busy" at once rather than a queue.
    let permit = if format == canhgiac_report::Format::Pdf {
        Some(app.pdf_slots.clone().try_acquire_owned().map_err(|_| {
            tracing::warn!("PDF conversions at their bound; refused");
            WebError::Busy
        })?)
    } else {
        None
    };
    let report = build_for(&app, &user, &spec, false).await?;
    let bytes = if let Some(permit) = permit {
        let r = report.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            r.render(format)
        })
        .await
        .map_err(|e| WebError::Internal(e.to_string()))??
    } else {
        report.render(format)?
    };
    let name = format!(
        "bao-cao-{}.{}",
        report.data.report.period.clone().unwrap_or_default(),
        format.extension()
    );
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, format.media_type().to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response())
}

pub async fn report_issue<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PageForm(q): PageForm<ReportQuery>,
) -> Result<Response, WebError> {
    // Issuing makes an official, permanent record: chuyên viên and quản trị
    // only.
    user.require(Role::Editor)?;
    user.check_write(q.csrf.as_deref(), "write")?;
    let spec = report_spec(&q)?;
    if spec.number.is_none() {
        return Err(WebError::BadRequest("Báo cáo ban hành cần số văn bản".into()));
    }
    let report = build_for(&app, &user, &spec, true).await?;
    let formats = [
        canhgiac_report::Format::Docx,
        canhgiac_report::Format::Html,
        canhgiac_report::Format::Xlsx,
    ];
    canhgiac_report::issue(
        &app.store_for(&user),
        &Actor::new(&user.username, "web"),
        &report,
        &formats,
    )
    .await?;
    Ok(Redirect::to("/bao-cao").into_response())
}
