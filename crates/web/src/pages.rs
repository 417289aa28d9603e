//! The pages, in Vietnamese.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use canhgiac_domain::{
    AuditAction, Case, CaseCategory, CaseStatus, Code, Date, Evidence, MediaItem, Outlet, Period, Platform, RecordKind,
    ReportKind, Role, Text,
};
use canhgiac_store::{Actor, AuditQuery, ListQuery, Store};
use minijinja::context;
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::extract::{PageForm, PagePath, PageQuery};
use crate::{AppState, WebError};

const PAGE: u32 = 50;

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

fn labels<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
) -> HashMap<&'static str, &'static str> {
    all.iter().map(|v| (code(*v), label(*v))).collect()
}

fn options<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
) -> Vec<minijinja::Value> {
    all.iter()
        .map(|v| context! { code => code(*v), label => label(*v) })
        .collect()
}

fn status_labels() -> HashMap<&'static str, &'static str> {
    labels(CaseStatus::ALL, CaseStatus::code, CaseStatus::label_vn)
}

fn platform_labels() -> HashMap<&'static str, &'static str> {
    labels(Platform::ALL, Platform::code, Platform::label_vn)
}

fn action_labels() -> HashMap<&'static str, &'static str> {
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

async fn outlet_names<S: Store>(store: &S) -> Result<HashMap<String, String>, WebError> {
    Ok(store
        .list::<Outlet>(&ListQuery {
            limit: Some(1000),
            ..Default::default()
        })
        .await?
        .into_iter()
        .map(|o| (o.key, o.record.name.to_string()))
        .collect())
}

/// A form value within a length limit: oversized input is refused whole.
fn field(f: &HashMap<String, String>, name: &str, max: usize) -> Result<String, WebError> {
    let v = f.get(name).map(|s| s.trim().to_owned()).unwrap_or_default();
    if v.chars().count() > max {
        return Err(WebError::BadRequest(format!("Trường «{name}» dài quá {max} ký tự")));
    }
    Ok(v)
}

pub async fn dashboard<S: Store>(State(app): State<AppState<S>>, user: CurrentUser) -> Result<Response, WebError> {
    let today = Date::today();
    let rule = app
        .store
        .list::<canhgiac_domain::Agency>(&ListQuery {
            limit: Some(1),
            ..Default::default()
        })
        .await?
        .first()
        .map(|a| a.record.period_rule)
        .unwrap_or_default();
    // The current half-year; if it has no items yet (a demo store), the
    // half-year that has the latest item.
    let mut period = Period::Half(today.year(), if today.month() <= 6 { 1 } else { 2 });
    let newest = app
        .store
        .list::<MediaItem>(&ListQuery {
            limit: Some(10),
            ..Default::default()
        })
        .await?;
    let mut s = app.store.summary(period.range(rule)).await?;
    if s.items == 0 {
        if let Some(latest) = newest.iter().map(|i| i.record.published_on).max() {
            period = Period::Half(latest.year(), if latest.month() <= 6 { 1 } else { 2 });
            s = app.store.summary(period.range(rule)).await?;
        }
    }
    let range = period.range(rule);
    let open_cases: Vec<_> = app
        .store
        .list::<Case>(&ListQuery {
            limit: Some(200),
            ..Default::default()
        })
        .await?
        .into_iter()
        .filter(|c| {
            !matches!(
                c.record.status,
                CaseStatus::Closed | CaseStatus::Removed | CaseStatus::Sanctioned
            )
        })
        .collect();
    let max_items = s.items_by_topic_outlet.iter().map(|c| c.items).max().unwrap_or(1);
    let due = due_rechecks(&app.store, today).await?;
    // Items per month and per topic, from the same day counts as the report.
    let counts = app.store.item_counts(range).await?;
    let mut by_month: std::collections::BTreeMap<String, i64> = std::collections::BTreeMap::new();
    let mut by_topic: std::collections::BTreeMap<String, i64> = std::collections::BTreeMap::new();
    for c in &counts {
        *by_month
            .entry(canhgiac_report::annex::month_label(&c.month))
            .or_default() += c.items;
        *by_topic.entry(c.topic.clone()).or_default() += c.items;
    }
    let month_max = by_month.values().copied().max().unwrap_or(1);
    let topic_max = by_topic.values().copied().max().unwrap_or(1);
    let months: Vec<minijinja::Value> = {
        let mut v: Vec<(String, i64)> = by_month.into_iter().collect();
        v.sort_by_key(|(m, _)| {
            let (mm, yy) = m.split_once('/').unwrap_or(("0", "0"));
            (yy.parse::<i32>().unwrap_or(0), mm.parse::<u32>().unwrap_or(0))
        });
        v.into_iter()
            .map(|(m, n)| context! { label => m, items => n })
            .collect()
    };
    let topics: Vec<minijinja::Value> = by_topic
        .into_iter()
        .map(|(t, n)| context! { label => t, items => n })
        .collect();
    let html = app.views.render(
        "dashboard.html",
        context! {
            user => user_ctx(&user),
            period_label => period.label_vn(),
            from => range.from.to_string(),
            to => range.to.to_string(),
            s => minijinja::Value::from_serialize(&s),
            max_items,
            months,
            month_max,
            topics,
            topic_max,
            outlet_names => outlet_names(&app.store).await?,
            newest => minijinja::Value::from_serialize(&newest),
            due,
            open_cases => minijinja::Value::from_serialize(&open_cases),
            status_labels => status_labels(),
        },
    );
    Ok(Html(html).into_response())
}

/// Takedown re-checks whose day has come: the latest check of each link
/// that asked to look again on or before `today`.
async fn due_rechecks<S: Store>(store: &S, today: Date) -> Result<Vec<minijinja::Value>, WebError> {
    let checks = store
        .list::<canhgiac_domain::TakedownCheck>(&ListQuery {
            limit: Some(1000),
            ..Default::default()
        })
        .await?;
    let mut latest: HashMap<(String, String), &canhgiac_store::Stored<canhgiac_domain::TakedownCheck>> = HashMap::new();
    for c in &checks {
        let k = (c.record.case.to_string(), c.record.url.to_string());
        match latest.get(&k) {
            Some(prev) if prev.record.checked_at >= c.record.checked_at => {}
            _ => {
                latest.insert(k, c);
            }
        }
    }
    let mut due: Vec<_> = latest
        .into_values()
        .filter(|c| c.record.next_check_on.is_some_and(|d| d <= today))
        .collect();
    due.sort_by_key(|c| c.record.next_check_on);
    Ok(due
        .iter()
        .map(|c| {
            context! {
                id => c.id, case => c.record.case.as_str(), url => c.record.url.as_str(),
                on => c.record.next_check_on.map(|d| d.to_string()), result => c.record.result.label_vn(),
            }
        })
        .collect())
}

#[derive(Deserialize, Default, serde::Serialize)]
pub struct ItemFilter {
    q: Option<String>,
    outlet: Option<String>,
    topic: Option<String>,
    kind: Option<String>,
    from: Option<String>,
    to: Option<String>,
    featured: Option<String>,
    before: Option<i64>,
}

pub async fn items<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PageQuery(f): PageQuery<ItemFilter>,
) -> Result<Response, WebError> {
    let mut error = String::new();
    let mut q = ListQuery {
        limit: Some(PAGE),
        before_id: f.before,
        ..Default::default()
    };
    if let Some(s) = f.q.as_deref().filter(|s| !s.trim().is_empty()) {
        if s.chars().count() > 200 {
            return Err(WebError::BadRequest("Từ khóa tìm kiếm dài quá 200 ký tự".into()));
        }
        q.search = Some(canhgiac_domain::nfc(s));
    }
    if let Some(o) = f.outlet.as_deref().filter(|s| !s.is_empty()) {
        q.filters.push(("outlet".into(), o.chars().take(64).collect()));
    }
    if let Some(t) = f.topic.as_deref().filter(|s| !s.is_empty()) {
        q.topic = Some(t.chars().take(64).collect());
    }
    if let Some(k) = f.kind.as_deref().filter(|s| !s.is_empty()) {
        let kind = canhgiac_domain::ItemKind::parse(k).map_err(|e| WebError::BadRequest(e.message))?;
        q.filters.push(("kind".into(), kind.code().into()));
    }
    if f.featured.as_deref() == Some("true") {
        q.filters.push(("featured".into(), "true".into()));
    }
    for (raw, slot, label) in [
        (&f.from, &mut q.date_from, "Từ ngày"),
        (&f.to, &mut q.date_to, "Đến ngày"),
    ] {
        if let Some(s) = raw.as_deref().filter(|s| !s.trim().is_empty()) {
            match Date::parse(s) {
                Ok(d) => *slot = Some(d),
                Err(e) => error = format!("{label}: {e}"),
            }
        }
    }
    let list = if error.is_empty() {
        app.store.list::<MediaItem>(&q).await?
    } else {
        Vec::new()
    };
    let next = (list.len() as u32 == PAGE).then(|| {
        let mut params: Vec<(String, String)> = Vec::new();
        for (k, v) in [
            ("q", &f.q),
            ("outlet", &f.outlet),
            ("from", &f.from),
            ("to", &f.to),
            ("featured", &f.featured),
        ] {
            if let Some(v) = v {
                params.push((k.to_owned(), v.clone()));
            }
        }
        if let Some(last) = list.last() {
            params.push(("before".into(), last.id.to_string()));
        }
        format!(
            "/tin-bai?{}",
            form_urlencoded::Serializer::new(String::new())
                .extend_pairs(&params)
                .finish()
        )
    });
    let outlets: Vec<_> = app
        .store
        .list::<Outlet>(&ListQuery {
            limit: Some(1000),
            ..Default::default()
        })
        .await?
        .into_iter()
        .map(|o| context! { code => o.record.code.as_str(), name => o.record.name.as_str() })
        .collect();
    let html = app.views.render(
        "items.html",
        context! {
            user => user_ctx(&user),
            items => minijinja::Value::from_serialize(&list),
            outlets,
            topics => topic_options(&app.store).await?,
            kinds => options(canhgiac_domain::ItemKind::ALL, canhgiac_domain::ItemKind::code, canhgiac_domain::ItemKind::label_vn),
            outlet_names => outlet_names(&app.store).await?,
            f => minijinja::Value::from_serialize(&f),
            error,
            next,
        },
    );
    Ok(Html(html).into_response())
}

pub async fn item<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PagePath(id): PagePath<i64>,
) -> Result<Response, WebError> {
    let it = app.store.get::<MediaItem>(id).await?.ok_or(WebError::NotFound)?;
    let names = outlet_names(&app.store).await?;
    let html = app.views.render(
        "item.html",
        context! {
            user => user_ctx(&user),
            outlet_name => names.get(it.record.outlet.as_str()).cloned().unwrap_or_else(|| it.record.outlet.to_string()),
            kind_label => it.record.kind.label_vn(),
            item => minijinja::Value::from_serialize(&it),
            kinds => options(canhgiac_domain::ItemKind::ALL, canhgiac_domain::ItemKind::code, canhgiac_domain::ItemKind::label_vn),
            can_edit => user.require(Role::Editor).is_ok(),
        },
    );
    Ok(Html(html).into_response())
}

#[derive(Deserialize)]
pub struct CaseFilter {
    status: Option<String>,
}

pub async fn cases<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PageQuery(f): PageQuery<CaseFilter>,
) -> Result<Response, WebError> {
    let mut q = ListQuery {
        limit: Some(500),
        ..Default::default()
    };
    let status = f.status.filter(|s| !s.is_empty());
    if let Some(s) = &status {
        let st = CaseStatus::parse(s).map_err(|e| WebError::BadRequest(e.message))?;
        q.filters.push(("status".into(), st.code().into()));
    }
    let list = app.store.list::<Case>(&q).await?;
    let html = app.views.render(
        "cases.html",
        context! {
            user => user_ctx(&user),
            cases => minijinja::Value::from_serialize(&list),
            statuses => options(CaseStatus::ALL, CaseStatus::code, CaseStatus::label_vn),
            status,
            status_labels => status_labels(),
            platform_labels => platform_labels(),
            can_edit => user.require(Role::Editor).is_ok(),
        },
    );
    Ok(Html(html).into_response())
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
    match app.store.create(&Actor::new(&user.username, "web"), &case).await {
        Ok(id) => Ok(Redirect::to(&format!("/vu-viec/{id}")).into_response()),
        Err(e @ (canhgiac_store::StoreError::Conflict { .. } | canhgiac_store::StoreError::Invalid { .. })) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Html(case_form_page(&app, &user, &f, &e.to_string())),
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}

pub async fn case_detail<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PagePath(id): PagePath<i64>,
) -> Result<Response, WebError> {
    let case = app.store.get::<Case>(id).await?.ok_or(WebError::NotFound)?;
    let evidence = app
        .store
        .list::<Evidence>(&ListQuery {
            filters: vec![("case".into(), case.record.code.to_string())],
            limit: Some(500),
            ..Default::default()
        })
        .await?;
    let sanctions = app
        .store
        .list::<canhgiac_domain::SanctionDecision>(&ListQuery {
            filters: vec![("case".into(), case.record.code.to_string())],
            limit: Some(100),
            ..Default::default()
        })
        .await?;
    let mut checks = app
        .store
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
        .store
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
    let case = app.store.get::<Case>(id).await?.ok_or(WebError::NotFound)?;
    let mut rec = case.record.clone();
    rec.status = status;
    if matches!(
        status,
        CaseStatus::Closed | CaseStatus::Removed | CaseStatus::Sanctioned
    ) && rec.closed_on.is_none()
    {
        rec.closed_on = Some(Date::today().max(rec.opened_on));
    }
    app.store
        .update(&Actor::new(&user.username, "web"), id, version, &rec)
        .await?;
    Ok(Redirect::to(&format!("/vu-viec/{id}")).into_response())
}

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

pub async fn report_form<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PageQuery(q): PageQuery<ReportQuery>,
) -> Result<Response, WebError> {
    let issued = app.store.issued_reports(None).await?;
    let html = app.views.render(
        "report.html",
        context! {
            user => user_ctx(&user),
            f => minijinja::Value::from_serialize(&q),
            error => "",
            today => Date::today().to_string(),
            kinds => options(ReportKind::ALL, ReportKind::code, ReportKind::label_vn),
            issued => minijinja::Value::from_serialize(&issued),
        },
    );
    Ok(Html(html).into_response())
}

/// The report as HTML. Its style sheet is inline, so this response allows
/// exactly that style sheet by hash, and no script at all.
pub async fn report_preview<S: Store>(
    State(app): State<AppState<S>>,
    _user: CurrentUser,
    PageQuery(q): PageQuery<ReportQuery>,
) -> Result<Response, WebError> {
    let spec = report_spec(&q)?;
    let report = canhgiac_report::build(&app.store, &spec, None, None, false).await?;
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
    _user: CurrentUser,
    PageQuery(q): PageQuery<ReportQuery>,
) -> Result<Response, WebError> {
    let spec = report_spec(&q)?;
    let format = canhgiac_report::Format::from_extension(q.format.as_deref().unwrap_or("docx"))
        .ok_or_else(|| WebError::BadRequest("Định dạng không hỗ trợ".into()))?;
    let report = canhgiac_report::build(&app.store, &spec, None, None, false).await?;
    let bytes = if format == canhgiac_report::Format::Pdf {
        let r = report.clone();
        tokio::task::spawn_blocking(move || r.render(format))
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
    user.require(Role::Viewer)?;
    user.check_write(q.csrf.as_deref(), "write")?;
    let spec = report_spec(&q)?;
    if spec.number.is_none() {
        return Err(WebError::BadRequest("Báo cáo ban hành cần số văn bản".into()));
    }
    let report = canhgiac_report::build(&app.store, &spec, None, None, true).await?;
    let formats = [
        canhgiac_report::Format::Docx,
        canhgiac_report::Format::Html,
        canhgiac_report::Format::Xlsx,
    ];
    canhgiac_report::issue(&app.store, &Actor::new(&user.username, "web"), &report, &formats).await?;
    Ok(Redirect::to("/bao-cao").into_response())
}

#[derive(Deserialize, Default, serde::Serialize)]
pub struct AuditFilter {
    actor: Option<String>,
    kind: Option<String>,
    before: Option<i64>,
}

pub async fn audit_log<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PageQuery(f): PageQuery<AuditFilter>,
) -> Result<Response, WebError> {
    user.require(Role::Admin)?;
    let kind = match f.kind.as_deref().filter(|k| !k.is_empty()) {
        Some(k) => {
            Some(RecordKind::from_code(k).ok_or_else(|| WebError::BadRequest("Loại bản ghi không hợp lệ".into()))?)
        }
        None => None,
    };
    let list = app
        .store
        .audit(&AuditQuery {
            kind,
            actor: f
                .actor
                .clone()
                .filter(|a| !a.is_empty())
                .map(|a| a.chars().take(64).collect()),
            before_seq: f.before,
            limit: Some(PAGE),
            ..Default::default()
        })
        .await?;
    let check = app.store.verify_audit().await?;
    let next = (list.len() as u32 == PAGE)
        .then(|| list.last().map(|a| format!("/nhat-ky?before={}", a.seq)))
        .flatten();
    let kinds: Vec<_> = RecordKind::ALL
        .iter()
        .chain([RecordKind::IssuedReport].iter())
        .map(|k| context! { code => k.code(), label => k.label_vn() })
        .collect();
    let html = app.views.render(
        "audit.html",
        context! {
            user => user_ctx(&user),
            audit => minijinja::Value::from_serialize(&list),
            f => minijinja::Value::from_serialize(&f),
            kinds,
            action_labels => action_labels(),
            chain_ok => check.broken_at.is_none(),
            broken_at => check.broken_at,
            entries => check.entries,
            next,
        },
    );
    Ok(Html(html).into_response())
}

const CSS: &str = include_str!("../assets/app.css");
const JS: &str = include_str!("../assets/app.js");

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
