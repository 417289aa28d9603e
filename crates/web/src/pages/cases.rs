//! Vụ việc: list, create, detail with its evidence, checks, sanctions and
//! timeline, and the status workflow.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use canhgiac_domain::workflow;
use canhgiac_domain::{
    Case, CaseCategory, CaseComment, CaseOrigin, CaseStatus, Code, Date, Evidence, LegalBasis, Platform, Record,
    RecordKind, Role, SanctionDecision, TakedownCheck, Text, User,
};
use canhgiac_store::cases::create_numbered;
use canhgiac_store::{Actor, AuditQuery, ListQuery, Store, StoreError};
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
            origins => options(CaseOrigin::ALL, CaseOrigin::code, CaseOrigin::label_vn),
        },
    )
}

pub async fn case_new<S: Store>(State(app): State<AppState<S>>, user: CurrentUser) -> Result<Response, WebError> {
    user.require(Role::Editor)?;
    Ok(Html(case_form_page(&app, &user, &HashMap::new(), "")).into_response())
}

/// The new-case form: the case, and its code when one was typed (none: the
/// next free code is given).
fn parse_case(f: &HashMap<String, String>, user: &str) -> Result<(Case, Option<Code>), String> {
    let get = |n: &str, max: usize| -> Result<String, String> { field(f, n, max).map_err(|e| e.to_string()) };
    let text = |n: &str, label: &str, max: usize| -> Result<Text, String> {
        Text::parse(&get(n, max)?).map_err(|e| format!("{label}: {}", e.message))
    };
    let optional = |n: &str, label: &str, max: usize| -> Result<Option<Text>, String> {
        let v = get(n, max)?;
        if v.trim().is_empty() {
            return Ok(None);
        }
        Text::parse(&v).map(Some).map_err(|e| format!("{label}: {}", e.message))
    };
    let code = get("code", 64)?;
    let code = if code.trim().is_empty() {
        None
    } else {
        Some(Code::parse(&code).map_err(|e| format!("Mã vụ việc: {}", e.message))?)
    };
    // One link per line.
    let urls = get("urls", 20_000)?
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(100)
        .map(|l| Text::parse(l).map_err(|e| format!("Đường dẫn nội dung: {}", e.message)))
        .collect::<Result<Vec<_>, _>>()?;
    let origin = get("origin", 32)?;
    let case = Case {
        code: Code::lit("VV-0"),
        title: text("title", "Tiêu đề", 500)?,
        platform: Platform::parse(&get("platform", 32)?).map_err(|e| format!("Nền tảng: {}", e.message))?,
        account: text("account", "Tài khoản", 200)?,
        account_url: optional("account_url", "Đường dẫn tài khoản", 2048)?,
        urls,
        summary: text("summary", "Nội dung", 20_000)?,
        category: CaseCategory::parse(&get("category", 32)?).map_err(|e| format!("Loại: {}", e.message))?,
        origin: if origin.is_empty() {
            None
        } else {
            Some(CaseOrigin::parse(&origin).map_err(|e| format!("Nguồn phát hiện: {}", e.message))?)
        },
        source: optional("source", "Chi tiết nguồn", 500)?,
        legal_basis: None,
        coordinating: Vec::new(),
        assignee: Code::parse(user).ok(),
        status: CaseStatus::New,
        status_reason: None,
        opened_on: Date::parse(&get("opened_on", 10)?).map_err(|e| format!("Ngày phát hiện: {}", e.message))?,
        closed_on: None,
        notable: false,
        outcome: None,
    };
    canhgiac_domain::Record::validate(&case).map_err(|e| e.to_string())?;
    Ok((case, code))
}

pub async fn case_create<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PageForm(f): PageForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    user.may_submit(Role::Editor, &f)?;
    let refuse = |f: &HashMap<String, String>, msg: &str| {
        let mut shown = f.clone();
        shown.retain(|_, v| v.len() <= 20_000);
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Html(case_form_page(&app, &user, &shown, msg)),
        )
            .into_response()
    };
    let (case, code) = match parse_case(&f, &user.username) {
        Ok(c) => c,
        Err(msg) => return Ok(refuse(&f, &msg)),
    };
    let store = app.store_for(&user);
    match create_numbered(&store, &Actor::new(&user.username, "web"), case, code).await {
        Ok((id, _)) => Ok(Redirect::to(&format!("/vu-viec/{id}")).into_response()),
        Err(e @ (StoreError::Conflict { .. } | StoreError::Invalid { .. } | StoreError::MissingReference { .. })) => {
            Ok(refuse(&f, &e.to_string()))
        }
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
    let html = case_page(&app, &user, id, p.saved.is_some(), None).await?;
    Ok(Html(html).into_response())
}

/// A refused move, shown on the case page beside the form it came from.
struct MoveRefused<'a> {
    message: String,
    status: &'a str,
    reason: &'a str,
}

/// The case page: the case in words, its evidence, sanctions, takedown
/// checks and comments, the moves its status may make, and its history.
async fn case_page<S: Store>(
    app: &AppState<S>,
    user: &CurrentUser,
    id: i64,
    saved: bool,
    refused: Option<MoveRefused<'_>>,
) -> Result<String, WebError> {
    let store = app.store_for(user);
    let case = store.get::<Case>(id).await?.ok_or(WebError::NotFound)?;
    let of_case = |limit| ListQuery {
        filters: vec![("case".into(), case.record.code.to_string())],
        limit: Some(limit),
        ..Default::default()
    };
    let evidence = store.list::<Evidence>(&of_case(500)).await?;
    let sanctions = store.list::<SanctionDecision>(&of_case(100)).await?;
    let mut checks = store.list::<TakedownCheck>(&of_case(200)).await?;
    checks.sort_by_key(|c| c.record.checked_at);
    let mut comments = store.list::<CaseComment>(&of_case(500)).await?;
    comments.sort_by_key(|c| c.record.posted_at);
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
                id => s.id, number => s.record.number.as_str(), date => s.record.issued_on.to_string(),
                subject => s.record.subject_name.as_str(), fine => s.record.fine.short(),
                issuer => s.record.issuer.as_str(), partner => !s.record.issued_by_agency,
                remedies => s.record.remedies.iter().map(|r| r.as_str()).collect::<Vec<_>>().join("; "),
            }
        })
        .collect();
    // People by name, not by sign-in name.
    let mut names: HashMap<String, String> = HashMap::new();
    let mut wanted: Vec<&str> = comments.iter().map(|c| c.record.author.as_str()).collect();
    wanted.extend(case.record.assignee.as_ref().map(Code::as_str));
    for u in wanted {
        if !names.contains_key(u) {
            let name = store
                .get_by_key::<User>(u)
                .await?
                .map_or_else(|| u.to_owned(), |s| s.record.full_name.to_string());
            names.insert(u.to_owned(), name);
        }
    }
    let comments: Vec<minijinja::Value> = comments
        .iter()
        .map(|c| {
            context! {
                at => c.record.posted_at.vn_text(), author => names.get(c.record.author.as_str()).cloned().unwrap_or_default(),
                text => c.record.body.as_str(),
            }
        })
        .collect();
    let legal_basis = match &case.record.legal_basis {
        Some(code) => store
            .get_by_key::<LegalBasis>(code.as_str())
            .await?
            .map(|l| l.record.describe()),
        None => None,
    };
    let moves: Vec<minijinja::Value> = workflow::next_statuses(case.record.status)
        .iter()
        .map(|&to| {
            context! {
                code => to.code(), label => to.label_vn(),
                reason => workflow::needs_reason(case.record.status, to),
            }
        })
        .collect();
    let trail = case_trail(&store, id).await?;
    let r = &case.record;
    Ok(app.views.render(
        "case.html",
        context! {
            user => user_ctx(user),
            case => minijinja::Value::from_serialize(&case),
            status => r.status.label_vn(),
            platform => r.platform.label_vn(),
            category => r.category.label_vn(),
            origin => r.origin.map(CaseOrigin::label_vn),
            legal_basis,
            assignee => r.assignee.as_ref().and_then(|u| names.get(u.as_str()).cloned()),
            evidence => minijinja::Value::from_serialize(&evidence),
            sanctions,
            checks,
            comments,
            moves,
            trail,
            can_edit => user.require(Role::Editor).is_ok(),
            saved,
            refused => refused.as_ref().map(|m| context! { message => m.message.as_str(), status => m.status, reason => m.reason }),
        },
    ))
}

/// A case's history, oldest first: who did what, each move of its status
/// with its reason, in words.
async fn case_trail<S: Store>(store: &S, id: i64) -> Result<Vec<minijinja::Value>, WebError> {
    let mut trail = store
        .audit(&AuditQuery {
            kind: Some(RecordKind::Case),
            record_id: Some(id),
            limit: Some(200),
            ..Default::default()
        })
        .await?;
    trail.reverse();
    Ok(trail
        .iter()
        .map(|a| {
            let moved = workflow::step(a.before.as_ref(), a.after.as_ref())
                .map(|(f, t)| format!("{} → {}", f.label_vn(), t.label_vn()));
            let reason = moved
                .as_ref()
                .and(a.after.as_ref())
                .and_then(|v| v.get("status_reason"))
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned);
            context! {
                at => a.at.vn_text(), actor => a.actor.as_str(), action => a.action.label_vn(),
                moved, reason,
            }
        })
        .collect())
}

/// Moves a case's status, with a reason where the workflow asks for one.
/// A refused move (not allowed from here, no reason, nothing on record yet)
/// comes back to the case page with the store's message.
pub async fn case_status<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PagePath(id): PagePath<i64>,
    PageForm(f): PageForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    user.may_submit(Role::Editor, &f)?;
    let status = CaseStatus::parse(&field(&f, "status", 64)?).map_err(|e| WebError::BadRequest(e.message))?;
    let version = field(&f, "version", 20)?.parse::<i64>().ok();
    let reason_text = field(&f, "reason", 4000)?;
    let reason = if reason_text.trim().is_empty() {
        None
    } else {
        Some(Text::parse(&reason_text).map_err(|e| WebError::BadRequest(e.message))?)
    };
    let store = app.store_for(&user);
    let case = store.get::<Case>(id).await?.ok_or(WebError::NotFound)?;
    let rec = workflow::moved(&case.record, status, reason, Date::today());
    match store
        .update(&Actor::new(&user.username, "web"), id, version, &rec)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/vu-viec/{id}")).into_response()),
        Err(StoreError::Invalid { errors, .. }) => {
            let refused = MoveRefused {
                message: errors
                    .0
                    .iter()
                    .map(|e| e.message.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
                status: status.code(),
                reason: &reason_text,
            };
            refused_page(&app, &user, id, refused).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The case page again (422), with what was refused beside its form.
async fn refused_page<S: Store>(
    app: &AppState<S>,
    user: &CurrentUser,
    id: i64,
    refused: MoveRefused<'_>,
) -> Result<Response, WebError> {
    let html = case_page(app, user, id, false, Some(refused)).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
}

/// Adds a comment to a case, as the signed-in user, now.
pub async fn case_comment<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PagePath(id): PagePath<i64>,
    PageForm(f): PageForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    user.may_submit(Role::Editor, &f)?;
    let store = app.store_for(&user);
    let case = store.get::<Case>(id).await?.ok_or(WebError::NotFound)?;
    let body = match Text::parse(&field(&f, "body", 20_000)?) {
        Ok(b) => b,
        Err(_) => {
            let refused = MoveRefused {
                message: "Ý kiến trao đổi chưa có nội dung".into(),
                status: "",
                reason: "",
            };
            return refused_page(&app, &user, id, refused).await;
        }
    };
    let comment = CaseComment {
        case: case.record.code.clone(),
        author: Code::parse(&user.username).map_err(|e| WebError::BadRequest(e.message))?,
        posted_at: canhgiac_domain::Timestamp::now(),
        body,
    };
    store.create(&Actor::new(&user.username, "web"), &comment).await?;
    Ok(Redirect::to(&format!("/vu-viec/{id}#y-kien")).into_response())
}
