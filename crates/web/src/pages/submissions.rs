//! Báo cáo đơn vị: requests a parent agency sends to its children, the
//! completeness of their answers (DHIS2's reporting rates), answering from
//! the records or by typing figures (or uploading the sheet), review
//! (approve, return with a reason), and signed packages through the API.

use std::collections::{BTreeMap, HashMap};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use canhgiac_domain::submission::{self, FigureValue, SubmissionSource, SubmissionStatus, SECTIONS};
use canhgiac_domain::{Agency, Date, Period, ReportKind, Role, Timestamp};
use canhgiac_report::rollup;
use canhgiac_store::{Actor, Decision, ListQuery, NewCall, NewSubmission, ReportCall, Store, Submission};
use minijinja::context;

use super::*;
use crate::auth::{ApiUser, CurrentUser};
use crate::error::ApiError;
use crate::extract::{body_bytes, PageForm, PagePath, PageQuery};
use crate::{AppState, WebError};

/// The agency tree, read whole: who the user's agency's children are.
async fn agencies<S: Store>(app: &AppState<S>) -> Result<Vec<Agency>, WebError> {
    Ok(app
        .store
        .list::<Agency>(&ListQuery {
            limit: Some(1000),
            ..Default::default()
        })
        .await?
        .into_iter()
        .map(|a| a.record)
        .collect())
}

/// The children of `code` on `day`: (code, name on that day).
fn children(all: &[Agency], code: &str, day: Date) -> Vec<(String, String)> {
    Agency::children_on(all, code, day)
        .into_iter()
        .map(|a| {
            let name = a
                .name_on(day)
                .map_or_else(|| a.code.to_string(), |n| n.name.to_string());
            (a.code.to_string(), name)
        })
        .collect()
}

/// Every agency that has reported to `code` in some period, with its
/// latest name: whose keys the parent may register (a late answer may come
/// after a merger).
fn ever_children(all: &[Agency], code: &str) -> Vec<(String, String)> {
    all.iter()
        .filter(|a| {
            a.names
                .iter()
                .any(|n| n.parent.as_ref().is_some_and(|p| p.as_str() == code))
        })
        .map(|a| {
            let name = a
                .names
                .last()
                .map_or_else(|| a.code.to_string(), |n| n.name.to_string());
            (a.code.to_string(), name)
        })
        .collect()
}

/// The periods people pick from: the last two years' months, quarters,
/// halves, nine months and years, newest first.
fn period_options(today: Date) -> Vec<minijinja::Value> {
    let mut out = Vec::new();
    for y in [today.year(), today.year() - 1, today.year() - 2] {
        let mut ps = vec![
            Period::Year(y),
            Period::NineMonths(y),
            Period::Half(y, 2),
            Period::Half(y, 1),
        ];
        ps.extend((1..=4).rev().map(|q| Period::Quarter(y, q)));
        ps.extend((1..=12).rev().map(|m| Period::Month(y, m)));
        for p in ps {
            out.push(context! { code => p.to_string(), label => p.label_vn() });
        }
    }
    out
}

fn call_ctx(c: &ReportCall) -> minijinja::Value {
    context! {
        id => c.id, number => &c.number, issued_on => c.issued_on.to_string(), subject => &c.subject,
        kind => c.report_kind.label_vn(), period => c.period.label_vn(), period_code => c.period.to_string(),
        kind_code => c.report_kind.code(), deadline => c.deadline.to_string(), owner => &c.owner,
        owner_name => &c.owner_name, asked => c.targets.len(),
        sections => c.sections.iter().map(|s| context! { code => s, label => submission::section_label(s) }).collect::<Vec<_>>(),
    }
}

pub async fn calls<S: Store>(State(app): State<AppState<S>>, user: CurrentUser) -> Result<Response, WebError> {
    Ok(Html(calls_page(&app, &user, &HashMap::new(), "").await?).into_response())
}

async fn calls_page<S: Store>(
    app: &AppState<S>,
    user: &CurrentUser,
    f: &HashMap<String, String>,
    error: &str,
) -> Result<String, WebError> {
    let store = app.store_for(user);
    let list = store.calls().await?;
    let own = user.agency.clone().unwrap_or_default();
    let mut sent = Vec::new();
    let mut received = Vec::new();
    for c in &list {
        let subs = store.submissions(c.id).await?;
        let approved = c
            .targets
            .iter()
            .filter(|t| {
                subs.iter()
                    .any(|s| s.agency == t.agency && s.status == SubmissionStatus::Approved)
            })
            .count();
        let sent_by: std::collections::BTreeSet<&str> = subs.iter().map(|s| s.agency.as_str()).collect();
        let row = context! { call => call_ctx(c), answered => sent_by.len(), approved };
        if c.owner == own {
            sent.push(row);
        } else {
            received.push(row);
        }
    }
    let today = Date::today();
    let all = agencies(app).await?;
    let kids = children(&all, &own, today);
    // Signing keys: the agency's own, and those registered for its children.
    let key_rows = |keys: Vec<canhgiac_store::AgencyKey>| -> Vec<minijinja::Value> {
        keys.iter()
            .map(|k| {
                context! {
                    fingerprint => canhgiac_secrets::signing::fingerprint(&k.public_key),
                    public_key => &k.public_key, can_sign => k.can_sign,
                    created_at => k.created_at.vn_text(), created_by => &k.created_by,
                }
            })
            .collect()
    };
    let own_keys = if own.is_empty() {
        Vec::new()
    } else {
        key_rows(store.keys(&own).await?)
    };
    let mut child_keys = Vec::new();
    for (code, name) in ever_children(&all, &own) {
        let keys = key_rows(store.keys(&code).await?);
        child_keys.push(context! { code, name, keys });
    }
    let kids: Vec<minijinja::Value> = kids.iter().map(|(code, name)| context! { code, name }).collect();
    Ok(app.views.render(
        "calls.html",
        context! {
            user => user_ctx(user),
            sent, received, children => kids, f, error, own_keys, child_keys,
            is_admin => user.require(Role::Admin).is_ok(),
            today => today.to_string(),
            kinds => options(ReportKind::ALL, ReportKind::code, ReportKind::label_vn),
            periods => period_options(today),
            sections => SECTIONS.iter().map(|(c, l)| context! { code => c, label => l }).collect::<Vec<_>>(),
            can_edit => user.require(Role::Editor).is_ok(),
        },
    ))
}

fn parse_call(f: &HashMap<String, String>) -> Result<NewCall, WebError> {
    let bad = |m: String| WebError::BadRequest(m);
    let date = |name: &str, label: &str| -> Result<Date, WebError> {
        Date::parse(&field(f, name, 10)?).map_err(|e| bad(format!("{label}: {}", e.message)))
    };
    let sections: Vec<String> = SECTIONS
        .iter()
        .filter(|(c, _)| f.contains_key(&format!("muc_{c}")))
        .map(|(c, _)| (*c).to_owned())
        .collect();
    let targets: Vec<String> = f
        .keys()
        .filter_map(|k| k.strip_prefix("don_vi_"))
        .map(str::to_owned)
        .collect();
    Ok(NewCall {
        number: field(f, "number", 100)?,
        issued_on: date("issued_on", "Ngày ban hành")?,
        subject: field(f, "subject", 2000)?,
        report_kind: ReportKind::parse(&field(f, "kind", 32)?)
            .map_err(|e| bad(format!("Loại báo cáo: {}", e.message)))?,
        period: field(f, "period", 16)?
            .parse()
            .map_err(|e: canhgiac_domain::FieldError| bad(e.message))?,
        deadline: date("deadline", "Hạn gửi")?,
        sections,
        targets,
    })
}

pub async fn call_send<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PageForm(f): PageForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    user.may_submit(Role::Editor, &f)?;
    let result = match parse_call(&f) {
        Ok(new) => app
            .store_for(&user)
            .call_send(&Actor::new(&user.username, "web"), &new)
            .await
            .map_err(WebError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(c) => Ok(Redirect::to(&format!("/bao-cao-don-vi/{}", c.id)).into_response()),
        Err(e) if e.status().is_client_error() => {
            let mut shown = f.clone();
            shown.remove("_csrf");
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Html(calls_page(&app, &user, &shown, &e.public_message()).await?),
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}

/// One child's row on the completeness page.
fn completeness_row(r: &rollup::RollupRow) -> minijinja::Value {
    context! {
        agency => &r.agency, name => &r.name, submission => r.submission, version => r.version,
        status => &r.status, timeliness => &r.timeliness, timeliness_code => &r.timeliness_code,
        first_sent => &r.first_sent, approved => r.approved, entered => r.entered,
    }
}

/// The completeness page's figures: one row per child, counts and rates.
fn completeness_ctx(view: &rollup::RollupView) -> minijinja::Value {
    let pct = |n: usize| (n * 100 + view.asked / 2).checked_div(view.asked).unwrap_or(0);
    let answered = view.rows.iter().filter(|r| r.submission.is_some()).count();
    context! {
        rows => view.rows.iter().map(completeness_row).collect::<Vec<_>>(),
        asked => view.asked, answered, approved => view.reported.len(),
        on_time => view.on_time, late => view.late, missing => view.missing, pending => view.pending,
        rate => pct(answered), on_time_rate => pct(view.on_time),
    }
}

#[derive(serde::Deserialize, Default)]
pub struct CallQuery {
    /// The child the parent types figures for.
    don_vi: Option<String>,
}

pub async fn call_detail<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PagePath(id): PagePath<i64>,
    PageQuery(q): PageQuery<CallQuery>,
) -> Result<Response, WebError> {
    let html = call_page(&app, &user, id, q.don_vi.as_deref(), &HashMap::new(), "").await?;
    Ok(Html(html).into_response())
}

/// What the answering agency is about to send: the figures its report
/// computes and the rules they break.
async fn preview<S: Store>(
    store: &S,
    c: &ReportCall,
    agency: &str,
) -> Result<(Vec<FigureValue>, Vec<submission::Violation>), WebError> {
    let report = canhgiac_report::build(store, &rollup::spec_for(c, agency, Date::today()), None, None, false).await?;
    let elements = rollup::data_set(store).await?;
    let figures = rollup::computed_figures(&report.data, &elements);
    let v = rollup::violations(store, &report.data, &figures, Some(report.data.directives.len())).await?;
    Ok((figures, v))
}

async fn call_page<S: Store>(
    app: &AppState<S>,
    user: &CurrentUser,
    id: i64,
    for_child: Option<&str>,
    f: &HashMap<String, String>,
    error: &str,
) -> Result<String, WebError> {
    let store = app.store_for(user);
    let c = store.call(id).await?.ok_or(WebError::NotFound)?;
    let own = user.agency.clone().unwrap_or_default();
    let is_owner = c.owner == own;
    // Only the request's sender sees the completeness of all its children.
    let completeness = if is_owner {
        Some(completeness_ctx(&rollup::rollup(&store, &c, Date::today()).await?))
    } else {
        None
    };
    // The agency answering: itself, or (for the parent) a child without records.
    let answering = if is_owner {
        for_child.filter(|a| c.asks(a)).map(str::to_owned)
    } else if c.asks(&own) {
        Some(own.clone())
    } else {
        None
    };
    let mut computed = Vec::new();
    let mut violations = Vec::new();
    // A report that cannot be computed (no name in force, say) leaves the
    // typed form usable and says why.
    let mut preview_error = String::new();
    if let Some(a) = answering.as_deref().filter(|a| *a == own) {
        match preview(&store, &c, a).await {
            Ok((figs, v)) => {
                computed = figs;
                violations = v;
            }
            Err(e) if e.status().is_client_error() => preview_error = e.public_message(),
            Err(e) => return Err(e),
        }
    }
    let elements = rollup::data_set(&store).await?;
    // The answering agency's earlier sendings, with any reason for return.
    let history: Vec<minijinja::Value> = store
        .submissions(c.id)
        .await?
        .iter()
        .filter(|s| answering.as_deref() == Some(s.agency.as_str()))
        .map(submission_ctx)
        .collect();
    Ok(app.views.render(
        "call.html",
        context! {
            user => user_ctx(user),
            call => call_ctx(&c), is_owner, completeness,
            answering, answering_name => answering.as_deref().map(|a| c.target_name(a)),
            computed => minijinja::Value::from_serialize(&computed),
            violations => minijinja::Value::from_serialize(&violations),
            elements => minijinja::Value::from_serialize(&elements),
            history, f, error, preview_error,
            can_edit => user.require(Role::Editor).is_ok(),
            report_link => format!("/bao-cao/xem?period={}&kind={}", c.period, c.report_kind.code()),
        },
    ))
}

fn submission_ctx(s: &Submission) -> minijinja::Value {
    context! {
        id => s.id, agency => &s.agency, name => &s.manifest.agency_name, version => s.version,
        status => s.status.label_vn(), status_code => s.status.code(), source => s.source.label_vn(),
        submitted_at => s.submitted_at.vn_text(), submitted_by => &s.submitted_by,
        decided_at => s.decided_at.map(Timestamp::vn_text), decided_by => &s.decided_by, comment => &s.comment,
    }
}

fn explanations(f: &HashMap<String, String>) -> Result<BTreeMap<String, String>, WebError> {
    let mut out = BTreeMap::new();
    for k in f.keys().filter(|k| k.starts_with("giai_trinh_")) {
        out.insert(k.trim_start_matches("giai_trinh_").to_owned(), field(f, k, 4000)?);
    }
    Ok(out)
}

fn sections_of(c: &ReportCall, f: &HashMap<String, String>) -> Result<BTreeMap<String, String>, WebError> {
    let mut out = BTreeMap::new();
    for s in &c.sections {
        let v = field(f, &format!("muc_{s}"), 20_000)?;
        if !v.is_empty() {
            out.insert(s.clone(), v);
        }
    }
    Ok(out)
}

/// The answering agency sends the figures its records give.
pub async fn answer_records<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PagePath(id): PagePath<i64>,
    PageForm(f): PageForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    user.may_submit(Role::Editor, &f)?;
    let store = app.store_for(&user);
    let c = store.call(id).await?.ok_or(WebError::NotFound)?;
    let sections = sections_of(&c, &f)?;
    let result = rollup::answer_from_records(
        &store,
        &Actor::new(&user.username, "web"),
        &c,
        sections,
        &explanations(&f)?,
        Timestamp::now(),
        field(&f, "so_van_ban", 6)?
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=99_999).contains(n)),
    )
    .await;
    match result {
        Ok(s) => Ok(Redirect::to(&format!("/bao-cao-don-vi/nop/{}", s.id)).into_response()),
        Err(e) => {
            let e = WebError::from(e);
            if !e.status().is_client_error() {
                return Err(e);
            }
            let html = call_page(&app, &user, id, None, &f, &e.public_message()).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
    }
}

/// The typed figures as a submission; a message for the form otherwise.
async fn typed_answer<S: Store>(
    store: &S,
    user: &CurrentUser,
    c: &ReportCall,
    agency: &str,
    f: &HashMap<String, String>,
) -> Result<Result<NewSubmission, String>, WebError> {
    if !c.asks(agency) {
        return Ok(Err("Yêu cầu này không gửi tới đơn vị đã chọn".into()));
    }
    let elements = rollup::data_set(store).await?;
    let mut values = BTreeMap::new();
    for e in &elements {
        let raw = field(f, &format!("so_{}", e.code), 32)?;
        if raw.is_empty() {
            continue;
        }
        match canhgiac_interchange::figures::parse_count(&raw) {
            Ok(v) => {
                values.insert(e.code.clone(), v);
            }
            Err(m) => return Ok(Err(format!("{}: {m}", e.label))),
        }
    }
    let typed = rollup::Typed {
        values,
        directives: field(f, "van_ban", 20_000)?
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(canhgiac_domain::nfc)
            .collect(),
        sections: sections_of(c, f)?,
        files: Vec::new(),
    };
    let actor = Actor::new(&user.username, "web");
    Ok(
        rollup::typed_submission(c, agency, &actor, &elements, typed, &explanations(f)?, Timestamp::now())
            .ok_or_else(|| "Chưa nhập số liệu nào".to_owned()),
    )
}

/// Figures typed in (or read from an uploaded sheet) for a unit that keeps
/// no records here: by the unit itself, or by the parent for it.
pub async fn answer_form<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PagePath(id): PagePath<i64>,
    PageForm(f): PageForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    user.may_submit(Role::Editor, &f)?;
    let store = app.store_for(&user);
    let c = store.call(id).await?.ok_or(WebError::NotFound)?;
    let own = user.agency.clone().unwrap_or_default();
    let agency = if c.owner == own {
        field(&f, "don_vi", 100)?
    } else {
        own.clone()
    };
    let msg = match typed_answer(&store, &user, &c, &agency, &f).await? {
        Ok(new) => match store.submit(&Actor::new(&user.username, "web"), &new).await {
            Ok(s) => return Ok(Redirect::to(&format!("/bao-cao-don-vi/nop/{}", s.id)).into_response()),
            Err(e @ canhgiac_store::StoreError::Refused(_)) => e.to_string(),
            Err(e) => return Err(e.into()),
        },
        Err(msg) => msg,
    };
    let for_child = (c.owner == own).then_some(agency.as_str());
    let html = call_page(&app, &user, id, for_child, &f, &msg).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
}

/// The empty sheet of the data set, for units that answer by spreadsheet.
pub async fn sheet<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PagePath(id): PagePath<i64>,
) -> Result<Response, WebError> {
    let store = app.store_for(&user);
    store.call(id).await?.ok_or(WebError::NotFound)?;
    let csv = canhgiac_interchange::figures::template_csv(&rollup::data_set(&store).await?);
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"bieu-so-lieu.csv\""),
            ),
        ],
        csv,
    )
        .into_response())
}

/// An uploaded sheet (multipart field `tep`) fills the form; nothing is
/// written until the form is sent.
pub async fn sheet_upload<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PagePath(id): PagePath<i64>,
    PageQuery(q): PageQuery<CallQuery>,
    form: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, WebError> {
    user.require(Role::Editor)?;
    let mut form = form.map_err(|e| {
        tracing::info!(reason = %e, "not a file upload");
        WebError::BadRequest("Hãy chọn tệp biểu số liệu để tải lên".into())
    })?;
    let bad = |e: axum::extract::multipart::MultipartError| {
        tracing::info!(reason = %e, "malformed upload refused");
        WebError::BadRequest("Tệp tải lên không hợp lệ hoặc quá lớn".into())
    };
    let mut fields: HashMap<String, String> = HashMap::new();
    let mut file: Option<Bytes> = None;
    while let Some(part) = form.next_field().await.map_err(bad)? {
        let name = part.name().unwrap_or_default().to_owned();
        if name == "tep" {
            file = Some(part.bytes().await.map_err(bad)?);
        } else if name == "_csrf" {
            fields.insert(name, part.text().await.map_err(bad)?);
        }
    }
    user.may_submit(Role::Editor, &fields)?;
    let store = app.store_for(&user);
    store.call(id).await?.ok_or(WebError::NotFound)?;
    let elements = rollup::data_set(&store).await?;
    let mut f: HashMap<String, String> = HashMap::new();
    let read = match &file {
        Some(bytes) => canhgiac_interchange::figures::read_figures("bieu-so-lieu", bytes, &elements),
        None => Err(canhgiac_interchange::ImportError::file("bieu-so-lieu", "chưa chọn tệp")),
    };
    let (msg, status) = match read {
        Ok(values) => {
            for (code, v) in values {
                f.insert(format!("so_{code}"), v.to_string());
            }
            (String::new(), StatusCode::OK)
        }
        Err(e) => {
            tracing::info!(reason = %e, "figures sheet refused");
            (e.to_string(), StatusCode::UNPROCESSABLE_ENTITY)
        }
    };
    let html = call_page(&app, &user, id, q.don_vi.as_deref(), &f, &msg).await?;
    Ok((status, Html(html)).into_response())
}

pub async fn submission_detail<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PagePath(id): PagePath<i64>,
) -> Result<Response, WebError> {
    let html = submission_page(&app, &user, id, "").await?;
    Ok(Html(html).into_response())
}

async fn submission_page<S: Store>(
    app: &AppState<S>,
    user: &CurrentUser,
    id: i64,
    error: &str,
) -> Result<String, WebError> {
    let store = app.store_for(user);
    let s = store.submission(id).await?.ok_or(WebError::NotFound)?;
    let c = store.call(s.call_id).await?.ok_or(WebError::NotFound)?;
    let files = store.submission_files(id).await?;
    let is_owner = user.agency.as_deref() == Some(c.owner.as_str());
    let figures: Vec<minijinja::Value> = s
        .manifest
        .figures
        .iter()
        .map(|x| {
            let money = x.code == "fine-total";
            context! {
                label => &x.label, code => &x.code,
                value => if money { canhgiac_domain::Dong::new(x.value).map(|d| d.full()).unwrap_or_default() } else { canhgiac_domain::numbers::count(x.value.max(0) as u64) },
                records => x.records, source => x.source.label_vn(),
            }
        })
        .collect();
    let sections: Vec<minijinja::Value> = s
        .manifest
        .sections
        .iter()
        .map(|(k, v)| context! { label => submission::section_label(k), text => v })
        .collect();
    Ok(app.views.render(
        "submission.html",
        context! {
            user => user_ctx(user),
            s => submission_ctx(&s), call => call_ctx(&c), figures, sections,
            notes => minijinja::Value::from_serialize(&s.manifest.notes),
            directives => &s.manifest.directives,
            files => files.iter().map(|f| context! {
                name => &f.name, size => f.size, sha256 => &f.sha256,
                href => format!("/bao-cao-don-vi/nop/{}/tep/{}", s.id, form_urlencoded::byte_serialize(f.name.as_bytes()).collect::<String>().replace('+', "%20")),
            }).collect::<Vec<_>>(),
            sha256 => &s.manifest_sha256,
            signed => s.signature.is_some(),
            key => s.public_key.as_deref().map(canhgiac_secrets::signing::fingerprint),
            issued => minijinja::Value::from_serialize(&s.manifest.issued_report),
            own => user.agency.as_deref() == Some(s.agency.as_str()),
            can_decide => is_owner && s.status == SubmissionStatus::Submitted && user.require(Role::Editor).is_ok(),
            error,
        },
    ))
}

pub async fn decide<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PagePath(id): PagePath<i64>,
    PageForm(f): PageForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    user.may_submit(Role::Editor, &f)?;
    let decision = match field(&f, "decision", 16)?.as_str() {
        "approve" => Decision::Approve,
        "return" => Decision::Return(field(&f, "comment", 4000)?),
        _ => return Err(WebError::BadRequest("Chưa chọn duyệt hay trả lại".into())),
    };
    match app
        .store_for(&user)
        .decide(&Actor::new(&user.username, "web"), id, &decision)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/bao-cao-don-vi/nop/{id}")).into_response()),
        Err(e @ canhgiac_store::StoreError::Refused(_)) => {
            let html = submission_page(&app, &user, id, &e.to_string()).await?;
            Ok((StatusCode::CONFLICT, Html(html)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn submission_file<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PagePath((id, name)): PagePath<(i64, String)>,
) -> Result<Response, WebError> {
    let store = app.store_for(&user);
    let files = store.submission_files(id).await?;
    let entry = files.iter().find(|f| f.name == name).ok_or(WebError::NotFound)?;
    let bytes = store.submission_file(id, &name).await?.ok_or(WebError::NotFound)?;
    let disposition = format!(
        "attachment; filename=\"{}\"",
        name.replace(['"', '\\', '\r', '\n'], "_")
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_str(&entry.media_type)
                    .unwrap_or(HeaderValue::from_static("application/octet-stream")),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("attachment")),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The largest package the API accepts.
pub const MAX_PACKAGE: usize = canhgiac_interchange::package::MAX_PACKAGE_BYTES;

/// `POST /api/v1/submissions`: a signed package from a child's own
/// installation, received by the parent it answers.
pub async fn api_submit<S: Store>(
    State(app): State<AppState<S>>,
    ApiUser(user): ApiUser,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Response, ApiError> {
    user.require(Role::Editor)?;
    user.check_write(headers.get("x-csrf-token").and_then(|v| v.to_str().ok()), "write")?;
    let body = body_bytes(body, MAX_PACKAGE).await?;
    let store = app.store_for(&user);
    let s = receive_package(&store, &Actor::new(&user.username, "api"), &body).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(serde_json::json!({
            "id": s.id, "agency": s.agency, "version": s.version,
            "status": s.status.label_vn(), "manifest_sha256": s.manifest_sha256,
        })),
    )
        .into_response())
}

/// Opens a package and records it against the receiver's request.
pub async fn receive_package<S: Store>(store: &S, actor: &Actor, bytes: &[u8]) -> Result<Submission, WebError> {
    let opened = canhgiac_interchange::package::open(bytes).map_err(|e| {
        tracing::info!(reason = %e, "package refused");
        WebError::BadRequest(format!("Gói báo cáo bị từ chối: {e}"))
    })?;
    let m = &opened.manifest;
    let call = store
        .calls()
        .await?
        .into_iter()
        .find(|c| c.owner == m.call.requester && c.number == m.call.number && c.issued_on == m.call.issued_on)
        .ok_or_else(|| {
            WebError::BadRequest(format!(
                "Gói báo cáo trả lời yêu cầu số {} ngày {} không có ở cơ quan nhận",
                m.call.number, m.call.issued_on
            ))
        })?;
    let new = NewSubmission {
        call_id: call.id,
        source: SubmissionSource::Package,
        received_at: Timestamp::now(),
        manifest: opened.manifest,
        signature: Some((opened.public_key, opened.signature)),
        files: opened.files,
    };
    Ok(store.submit(actor, &new).await?)
}

/// Signing keys, for administrators: generate the agency's own (its
/// public key is then shown to pass to the parent), or register a child's.
pub async fn keys<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PageForm(f): PageForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    user.may_submit(Role::Admin, &f)?;
    let store = app.store_for(&user);
    let own = user.agency.clone().unwrap_or_default();
    let actor = Actor::new(&user.username, "web");
    let result = match field(&f, "action", 16)?.as_str() {
        "generate" => {
            let (secret, public) = canhgiac_secrets::signing::generate_keypair();
            store.key_register(&actor, &own, &public, Some(&secret)).await
        }
        "register" => {
            let child = field(&f, "agency", 100)?;
            let public = field(&f, "public_key", 200)?;
            store.key_register(&actor, &child, &public, None).await
        }
        _ => return Err(WebError::BadRequest("Thao tác không hợp lệ".into())),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/bao-cao-don-vi#khoa").into_response()),
        Err(e @ canhgiac_store::StoreError::Refused(_)) => {
            let mut shown = f.clone();
            shown.remove("_csrf");
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Html(calls_page(&app, &user, &shown, &e.to_string()).await?),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// The agency's own submission as a signed package, to carry to a parent
/// that runs another installation.
pub async fn package<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PagePath(id): PagePath<i64>,
) -> Result<Response, WebError> {
    let store = app.store_for(&user);
    let s = store.submission(id).await?.ok_or(WebError::NotFound)?;
    if user.agency.as_deref() != Some(s.agency.as_str()) {
        return Err(WebError::Forbidden);
    }
    let (bytes, _) = rollup::signed_package(&store, &s).await?.ok_or_else(|| {
        WebError::BadRequest("Cơ quan chưa có khóa ký số; quản trị viên tạo khóa ở trang Báo cáo đơn vị".into())
    })?;
    let name = format!("goi-bao-cao-{}-lan-{}.json", s.agency, s.version);
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("application/json")),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
                    .unwrap_or(HeaderValue::from_static("attachment")),
            ),
        ],
        bytes,
    )
        .into_response())
}
