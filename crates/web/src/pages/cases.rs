//! Vụ việc: list, create, detail with its evidence, checks, sanctions and
//! timeline, and the status workflow.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use canhgiac_domain::{Case, CaseCategory, CaseStatus, Code, Date, Evidence, Platform, RecordKind, Role, Text};
use canhgiac_store::{Actor, AuditQuery, ListQuery, Store};
use minijinja::context;
use serde::Deserialize;

use super::*;
use crate::auth::CurrentUser;
use crate::extract::{PageForm, PagePath, PageQuery};
use crate::listing::{self, Paging};
use crate::{AppState, WebError};
use canhgiac_interchange::sheet::{Cell, Sheet};

#[derive(Deserialize)]
pub struct CaseFilter {
    q: Option<String>,
    status: Option<String>,
    #[serde(flatten)]
    paging: Paging,
    /// Exports only: `csv` or `xlsx`.
    #[serde(rename = "dinh-dang")]
    format: Option<String>,
    /// Set by the redirect after deleting: what was deleted.
    #[serde(rename = "da-xoa")]
    deleted: Option<String>,
}

/// The columns the case list may be ordered by.
const SORTABLE: &[&str] = &["code", "title", "status", "opened_on"];

impl CaseFilter {
    fn query(&self) -> Result<ListQuery, WebError> {
        let mut q = ListQuery::default();
        if let Some(s) = self.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            q.search = Some(canhgiac_domain::nfc(&s.chars().take(200).collect::<String>()));
        }
        if let Some(s) = self.status.as_deref().filter(|s| !s.is_empty()) {
            let st = CaseStatus::parse(s).map_err(|e| WebError::BadRequest(e.message))?;
            q.filters.push(("status".into(), st.code().into()));
        }
        Ok(q)
    }

    fn link(&self, base: &str, over: &[(&str, String)]) -> String {
        let own = |v: &Option<String>| v.clone().unwrap_or_default();
        listing::relink(
            base,
            vec![
                ("q", own(&self.q)),
                ("status", own(&self.status)),
                ("sap-xep", own(&self.paging.sort)),
                ("chieu", own(&self.paging.dir)),
            ],
            over,
        )
    }
}

pub async fn cases<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PageQuery(f): PageQuery<CaseFilter>,
) -> Result<Response, WebError> {
    let store = app.store_for(&user);
    let page = listing::page_of::<Case, S>(&store, f.query()?, &f.paging, SORTABLE).await?;
    let columns = [
        ("code", "Mã"),
        ("title", "Tiêu đề"),
        ("platform", "Nền tảng"),
        ("status", "Trạng thái"),
        ("opened_on", "Ngày phát hiện"),
    ];
    let html = app.views.render(
        "cases.html",
        context! {
            user => user_ctx(&user),
            cases => minijinja::Value::from_serialize(&page.rows),
            statuses => options(CaseStatus::ALL, CaseStatus::code, CaseStatus::label_vn),
            status => f.status.clone().unwrap_or_default(),
            q => f.q.clone().unwrap_or_default(),
            headers => listing::headings(&columns, SORTABLE, &f.paging, &|over| f.link("/vu-viec", over)),
            total => page.total_text(),
            pager => page.pager(&f.paging, &|n| f.link("/vu-viec", &[("trang", n.to_string())])),
            export_csv => f.link("/vu-viec/xuat", &[("dinh-dang", "csv".into())]),
            export_xlsx => f.link("/vu-viec/xuat", &[("dinh-dang", "xlsx".into())]),
            status_labels => status_labels(),
            platform_labels => platform_labels(),
            can_edit => user.require(Role::Editor).is_ok(),
            deleted => listing::deleted_notice(f.deleted.as_deref()),
        },
    );
    Ok(Html(html).into_response())
}

/// The filtered case list as a file, in its order, in words.
pub async fn cases_export<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PageQuery(f): PageQuery<CaseFilter>,
) -> Result<Response, WebError> {
    let store = app.store_for(&user);
    let mut q = f.query()?;
    q.order = f.paging.order(SORTABLE);
    let mut rows = Vec::new();
    for c in listing::all_matching::<Case, S>(&store, q).await? {
        let r = c.record;
        rows.push(
            [
                r.code.to_string(),
                r.title.to_string(),
                r.platform.label_vn().to_owned(),
                r.account.to_string(),
                r.urls.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "),
                r.category.label_vn().to_owned(),
                r.status.label_vn().to_owned(),
                r.opened_on.to_string(),
                r.closed_on.map(|d| d.to_string()).unwrap_or_default(),
                r.summary.to_string(),
            ]
            .into_iter()
            .map(Cell::Text)
            .collect(),
        );
    }
    let sheet = Sheet {
        title: "Vụ việc".into(),
        headers: [
            "Mã vụ việc",
            "Tiêu đề",
            "Nền tảng",
            "Tài khoản",
            "Đường dẫn nội dung",
            "Loại vi phạm",
            "Trạng thái",
            "Ngày phát hiện",
            "Ngày kết thúc",
            "Tóm tắt",
        ]
        .map(str::to_owned)
        .to_vec(),
        rows,
    };
    download_sheet(&sheet, "vu-viec", f.format.as_deref())
}

fn case_form_page<S: Store>(app: &AppState<S>, user: &CurrentUser, f: &HashMap<String, String>, error: &str) -> String {
    app.views.render(
        "case_new.html",
        context! {
            user => user_ctx(user),
            f => f,
            error,
            today => Date::today().to_string(),
            platforms => options(Platform::ALL, Platform::code, Platform::label_vn),
            categories => options(CaseCategory::ALL, CaseCategory::code, CaseCategory::label_vn),
        },
    )
}

pub async fn case_new<S: Store>(State(app): State<AppState<S>>, user: CurrentUser) -> Result<Response, WebError> {
    user.require(Role::Editor)?;
    Ok(Html(case_form_page(&app, &user, &HashMap::new(), "")).into_response())
}

fn parse_case(f: &HashMap<String, String>) -> Result<Case, String> {
    let get = |n: &str, max: usize| -> Result<String, String> { field(f, n, max).map_err(|e| e.to_string()) };
    let text = |n: &str, label: &str, max: usize| -> Result<Text, String> {
        Text::parse(&get(n, max)?).map_err(|e| format!("{label}: {}", e.message))
    };
    let url = get("url", 2048)?;
    let case = Case {
        code: Code::parse(&get("code", 64)?).map_err(|e| format!("Mã vụ việc: {}", e.message))?,
        title: text("title", "Tiêu đề", 500)?,
        platform: Platform::parse(&get("platform", 32)?).map_err(|e| format!("Nền tảng: {}", e.message))?,
        account: text("account", "Tài khoản", 200)?,
        account_url: None,
        urls: if url.is_empty() {
            Vec::new()
        } else {
            vec![Text::parse(&url).map_err(|e| format!("Đường dẫn: {}", e.message))?]
        },
        summary: text("summary", "Nội dung", 20_000)?,
        category: CaseCategory::parse(&get("category", 32)?).map_err(|e| format!("Loại: {}", e.message))?,
        source: Some(Text::lit("Nhập trên giao diện web")),
        coordinating: Vec::new(),
        status: CaseStatus::New,
        opened_on: Date::parse(&get("opened_on", 10)?).map_err(|e| format!("Ngày phát hiện: {}", e.message))?,
        closed_on: None,
        notable: false,
        outcome: None,
    };
    canhgiac_domain::Record::validate(&case).map_err(|e| e.to_string())?;
    Ok(case)
}

pub async fn case_create<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PageForm(f): PageForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    user.may_submit(Role::Editor, &f)?;
    let case = match parse_case(&f) {
        Ok(c) => c,
        Err(msg) => {
            let mut shown = f.clone();
            shown.retain(|_, v| v.len() <= 20_000);
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Html(case_form_page(&app, &user, &shown, &msg)),
            )
                .into_response());
        }
    };
    match app
        .store_for(&user)
        .create(&Actor::new(&user.username, "web"), &case)
        .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/vu-viec/{id}")).into_response()),
        Err(e @ (canhgiac_store::StoreError::Conflict { .. } | canhgiac_store::StoreError::Invalid { .. })) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Html(case_form_page(&app, &user, &f, &e.to_string())),
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct CaseParams {
    /// Set by the redirect after saving.
    #[serde(rename = "da-luu")]
    saved: Option<String>,
}

pub async fn case_detail<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PagePath(id): PagePath<i64>,
    PageQuery(p): PageQuery<CaseParams>,
) -> Result<Response, WebError> {
    let case = app.store_for(&user).get::<Case>(id).await?.ok_or(WebError::NotFound)?;
    let evidence = app
        .store_for(&user)
        .list::<Evidence>(&ListQuery {
            filters: vec![("case".into(), case.record.code.to_string())],
            limit: Some(500),
            ..Default::default()
        })
        .await?;
    let sanctions = app
        .store_for(&user)
        .list::<canhgiac_domain::SanctionDecision>(&ListQuery {
            filters: vec![("case".into(), case.record.code.to_string())],
            limit: Some(100),
            ..Default::default()
        })
        .await?;
    let mut checks = app
        .store_for(&user)
        .list::<canhgiac_domain::TakedownCheck>(&ListQuery {
            filters: vec![("case".into(), case.record.code.to_string())],
            limit: Some(200),
            ..Default::default()
        })
        .await?;
    checks.sort_by_key(|c| c.record.checked_at);
    let checks: Vec<minijinja::Value> = checks
        .iter()
        .map(|c| {
            context! {
                id => c.id, at => c.record.checked_at.vn_date().to_string(), url => c.record.url.as_str(),
                result => c.record.result.label_vn(), next => c.record.next_check_on.map(|d| d.to_string()),
            }
        })
        .collect();
    let sanctions: Vec<minijinja::Value> = sanctions
        .iter()
        .map(|s| {
            context! {
                number => s.record.number.as_str(), date => s.record.issued_on.to_string(),
                subject => s.record.subject_name.as_str(), fine => s.record.fine.short(),
                issuer => s.record.issuer.as_str(), remedies => s.record.remedies.iter().map(|r| r.as_str()).collect::<Vec<_>>().join("; "),
            }
        })
        .collect();
    let mut trail = app
        .store_for(&user)
        .audit(&AuditQuery {
            kind: Some(RecordKind::Case),
            record_id: Some(id),
            limit: Some(200),
            ..Default::default()
        })
        .await?;
    trail.reverse();
    let html = app.views.render(
        "case.html",
        context! {
            user => user_ctx(&user),
            case => minijinja::Value::from_serialize(&case),
            evidence => minijinja::Value::from_serialize(&evidence),
            sanctions,
            checks,
            trail => minijinja::Value::from_serialize(&trail),
            statuses => options(CaseStatus::ALL, CaseStatus::code, CaseStatus::label_vn),
            status_labels => status_labels(),
            platform_labels => platform_labels(),
            action_labels => action_labels(),
            can_edit => user.require(Role::Editor).is_ok(),
            saved => p.saved.is_some(),
        },
    );
    Ok(Html(html).into_response())
}

pub async fn case_status<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PagePath(id): PagePath<i64>,
    PageForm(f): PageForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    user.may_submit(Role::Editor, &f)?;
    let status = CaseStatus::parse(&field(&f, "status", 64)?).map_err(|e| WebError::BadRequest(e.message))?;
    let version = field(&f, "version", 20)?.parse::<i64>().ok();
    let case = app.store_for(&user).get::<Case>(id).await?.ok_or(WebError::NotFound)?;
    let mut rec = case.record.clone();
    rec.status = status;
    if matches!(
        status,
        CaseStatus::Closed | CaseStatus::Removed | CaseStatus::Sanctioned
    ) && rec.closed_on.is_none()
    {
        rec.closed_on = Some(Date::today().max(rec.opened_on));
    }
    app.store_for(&user)
        .update(&Actor::new(&user.username, "web"), id, version, &rec)
        .await?;
    Ok(Redirect::to(&format!("/vu-viec/{id}")).into_response())
}
