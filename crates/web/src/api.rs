//! The JSON API under `/api/v1/{kind}`: the same validation and audit as
//! the pages; errors are `{code, message}` with a Vietnamese message.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use canhgiac_domain::*;
use canhgiac_store::{Actor, ListQuery, Store, StoreError};
use serde::Deserialize;

use crate::auth::{ApiUser, CurrentUser, Via};
use crate::error::ApiError;
use crate::extract::{body_bytes, ApiPath, ApiQuery};
use crate::{AppState, WebError};

/// Largest JSON body accepted (a media item with its full text fits).
pub const MAX_BODY: usize = 1024 * 1024;

#[derive(Deserialize, Default)]
pub struct ListParams {
    q: Option<String>,
    before: Option<i64>,
    limit: Option<u32>,
    from: Option<String>,
    to: Option<String>,
}

/// The kinds on the API: every kind whose declaration allows it (accounts
/// are managed on the admin pages, never with their hashes here).
pub fn api_kinds() -> impl Iterator<Item = RecordKind> {
    RecordKind::ALL
        .iter()
        .copied()
        .filter(|k| k.meta().api != ApiAccess::None)
}

fn kind_of(path: &str) -> Result<RecordKind, ApiError> {
    api_kinds()
        .find(|k| k.meta().api_path() == path)
        .ok_or(ApiError(WebError::NotFound))
}

fn can_read(user: &CurrentUser) -> Result<(), ApiError> {
    match &user.via {
        Via::Token { scopes } if !scopes.iter().any(|s| s == "read" || s == "write") => Err(WebError::Forbidden.into()),
        _ => Ok(()),
    }
}

/// Who may change a kind, as its declaration says: settings need an
/// administrator, the rest an editor; an `ingest` token may only add
/// collected kinds.
fn can_write(user: &CurrentUser, kind: RecordKind, headers: &HeaderMap) -> Result<(), ApiError> {
    let access = kind.meta().api;
    let min = match access {
        ApiAccess::Admin => Role::Admin,
        _ => Role::Editor,
    };
    user.require(min)?;
    let csrf = headers.get("x-csrf-token").and_then(|v| v.to_str().ok());
    let scope = if access == ApiAccess::Ingest { "ingest" } else { "write" };
    user.check_write(csrf, scope)?;
    Ok(())
}

/// Editing or deleting needs the `write` scope even for media items
/// (`ingest` only adds).
fn can_change(user: &CurrentUser, kind: RecordKind, headers: &HeaderMap) -> Result<(), ApiError> {
    can_write(user, kind, headers)?;
    if matches!(&user.via, Via::Token { scopes } if !scopes.iter().any(|s| s == "write")) {
        return Err(WebError::Forbidden.into());
    }
    Ok(())
}

/// A body must say it is JSON.
fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
    let json = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json {
        return Err(WebError::BadRequest("Cần nội dung JSON (Content-Type: application/json)".into()).into());
    }
    Ok(())
}

fn parse_body<R: Record>(headers: &HeaderMap, body: &Bytes) -> Result<R, ApiError> {
    require_json(headers)?;
    if body.len() > MAX_BODY {
        return Err(WebError::BadRequest("Nội dung quá lớn (tối đa 1 MB)".into()).into());
    }
    let text = std::str::from_utf8(body).map_err(|_| WebError::BadRequest("Nội dung không phải UTF-8".into()))?;
    if !text.trim_start().starts_with('{') {
        return Err(WebError::BadRequest("Nội dung phải là một đối tượng JSON (kiểu {…})".into()).into());
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let rec: R = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let msg = if inner.classify() == serde_json::error::Category::Data {
            format!(
                "trường «{path}»: {}",
                canhgiac_interchange::vietnamese(&inner.to_string())
            )
        } else {
            "JSON sai cú pháp".to_owned()
        };
        WebError::BadRequest(msg)
    })?;
    de.end().map_err(|_| WebError::BadRequest("JSON sai cú pháp".into()))?;
    Ok(rec)
}

async fn list_kind<R: Record, S: Store>(
    app: &AppState<S>,
    user: &CurrentUser,
    p: &ListParams,
) -> Result<Response, ApiError> {
    let mut q = ListQuery {
        search: p.q.clone().filter(|s| !s.is_empty() && s.chars().count() <= 200),
        before_id: p.before,
        limit: Some(p.limit.unwrap_or(100).clamp(1, 1000)),
        ..Default::default()
    };
    for (raw, slot) in [(&p.from, &mut q.date_from), (&p.to, &mut q.date_to)] {
        if let Some(s) = raw {
            *slot = Some(Date::parse(s).map_err(|e| WebError::BadRequest(e.message))?);
        }
    }
    let items = app.store_for(user).list::<R>(&q).await?;
    let next = items.last().map(|s| s.id);
    Ok(Json(serde_json::json!({ "items": items, "next_before": next })).into_response())
}

/// What `GET /api/v1/search` takes.
#[derive(Deserialize, Debug)]
pub struct SearchParams {
    q: String,
    outlet: Option<String>,
    topic: Option<String>,
    kind: Option<String>,
    featured: Option<bool>,
    from: Option<String>,
    to: Option<String>,
    /// `newest` or `oldest`; relevance when none.
    order: Option<String>,
    offset: Option<u32>,
    limit: Option<u32>,
}

/// Full-text search over the caller's media items: the best matches with
/// their snippets (the words found marked), and how many match in all.
pub async fn search<S: Store>(
    State(app): State<AppState<S>>,
    ApiUser(user): ApiUser,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> Result<Response, ApiError> {
    can_read(&user)?;
    let bad = |m: String| ApiError(WebError::BadRequest(m));
    let query = canhgiac_domain::query::Query::parse(&canhgiac_domain::nfc(&p.q)).map_err(|e| bad(e.to_string()))?;
    let day = |s: &Option<String>| s.as_deref().map(Date::parse).transpose().map_err(|e| bad(e.message));
    let kind = p
        .kind
        .as_deref()
        .map(|k| canhgiac_domain::ItemKind::parse(k).map(|k| k.code().to_owned()))
        .transpose()
        .map_err(|e| bad(e.message))?;
    let by_date = match p.order.as_deref() {
        None | Some("") => None,
        Some("newest") => Some(true),
        Some("oldest") => Some(false),
        Some(o) => return Err(bad(format!("Thứ tự «{o}» không hợp lệ (newest hoặc oldest)"))),
    };
    let q = canhgiac_store::TextSearch {
        outlet: p.outlet.clone().filter(|s| !s.is_empty()),
        topic: p.topic.clone().filter(|s| !s.is_empty()),
        kind,
        featured: p.featured.unwrap_or(false),
        from: day(&p.from)?,
        to: day(&p.to)?,
        by_date,
        offset: p.offset.unwrap_or(0).min(canhgiac_store::MAX_OFFSET),
        limit: p.limit.unwrap_or(20).clamp(1, 100),
        ..canhgiac_store::TextSearch::of(query)
    };
    let found = app
        .search
        .found(&app.store_for(&user), &q)
        .await
        .map_err(WebError::from)?;
    let hits: Vec<serde_json::Value> = found
        .hits
        .iter()
        .map(|h| {
            serde_json::json!({
                "id": h.item.id, "key": h.item.key, "title": h.item.record.title,
                "url": h.item.record.url, "outlet": h.item.record.outlet,
                "published_on": h.item.record.published_on.iso(), "topics": h.item.record.topics,
                "score": h.score, "title_marked": h.title, "snippet": h.snippet,
            })
        })
        .collect();
    Ok(Json(serde_json::json!({ "total": found.total, "more_than": found.more_than, "hits": hits })).into_response())
}

/// Runs `$f::<R, S>(args)` for the record type of `kind`.
macro_rules! dispatch {
    ($kind:expr, $f:ident, $($arg:expr),*) => {
        with_record!($kind, R => $f::<R, S>($($arg),*).await, Err(ApiError(WebError::NotFound)))
    };
}

pub async fn list<S: Store>(
    State(app): State<AppState<S>>,
    ApiUser(user): ApiUser,
    ApiPath(kind): ApiPath<String>,
    ApiQuery(p): ApiQuery<ListParams>,
) -> Result<Response, ApiError> {
    can_read(&user)?;
    let kind = kind_of(&kind)?;
    dispatch!(kind, list_kind, &app, &user, &p)
}

async fn get_kind<R: Record, S: Store>(app: &AppState<S>, user: &CurrentUser, id: i64) -> Result<Response, ApiError> {
    let s = app
        .store_for(user)
        .get::<R>(id)
        .await?
        .ok_or(ApiError(WebError::NotFound))?;
    let etag = format!("\"{}\"", s.version);
    Ok(([(axum::http::header::ETAG, etag)], Json(s)).into_response())
}

pub async fn get_one<S: Store>(
    State(app): State<AppState<S>>,
    ApiUser(user): ApiUser,
    ApiPath((kind, id)): ApiPath<(String, i64)>,
) -> Result<Response, ApiError> {
    can_read(&user)?;
    let kind = kind_of(&kind)?;
    dispatch!(kind, get_kind, &app, &user, id)
}

/// A refusal of `rec` on its `field`, as the store words its own.
fn refused<R: Record>(rec: &R, field: &str, message: &str) -> ApiError {
    let mut errors = canhgiac_domain::ValidationErrors::default();
    errors.push(field, message);
    WebError::Store(StoreError::Invalid {
        kind: R::KIND,
        key: rec.key(),
        errors,
    })
    .into()
}

fn as_comment<R: Record>(rec: &R) -> Option<&canhgiac_domain::CaseComment> {
    (rec as &dyn std::any::Any).downcast_ref::<canhgiac_domain::CaseComment>()
}

/// A comment is signed by whoever sends it: no caller writes one in
/// another user's name.
fn written_by_caller<R: Record>(rec: &R, user: &CurrentUser) -> Result<(), ApiError> {
    match as_comment(rec) {
        Some(c) if c.author.as_str() != user.username => Err(refused(
            rec,
            "author",
            "Người viết phải là chính người dùng gửi yêu cầu",
        )),
        _ => Ok(()),
    }
}

/// A comment edited keeps the name it was written under.
async fn keeps_its_writer<R: Record, S: Store>(
    app: &AppState<S>,
    user: &CurrentUser,
    id: i64,
    rec: &R,
) -> Result<(), ApiError> {
    let Some(c) = as_comment(rec) else { return Ok(()) };
    // None: the update answers 404.
    match app.store_for(user).get::<canhgiac_domain::CaseComment>(id).await? {
        Some(stored) if stored.record.author != c.author => Err(refused(
            rec,
            "author",
            "Không đổi được người viết của một ý kiến đã gửi",
        )),
        _ => Ok(()),
    }
}

async fn create_kind<R: Record, S: Store>(
    app: &AppState<S>,
    user: &CurrentUser,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Response, ApiError> {
    let rec: R = parse_body(headers, body)?;
    written_by_caller(&rec, user)?;
    let id = app
        .store_for(user)
        .create(&Actor::new(&user.username, "api"), &rec)
        .await?;
    // Where the record now is, and the version to send back when editing.
    let location = format!("/api/v1/{}/{id}", R::META.api_path());
    Ok((
        StatusCode::CREATED,
        [
            (axum::http::header::LOCATION, location),
            (axum::http::header::ETAG, "\"1\"".to_owned()),
        ],
        Json(serde_json::json!({ "id": id, "key": rec.key(), "version": 1 })),
    )
        .into_response())
}

pub async fn create<S: Store>(
    State(app): State<AppState<S>>,
    ApiUser(user): ApiUser,
    ApiPath(kind): ApiPath<String>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Response, ApiError> {
    let kind = kind_of(&kind)?;
    can_write(&user, kind, &headers)?;
    let body = body_bytes(body, MAX_BODY).await?;
    dispatch!(kind, create_kind, &app, &user, &headers, &body)
}

async fn update_kind<R: Record, S: Store>(
    app: &AppState<S>,
    user: &CurrentUser,
    id: i64,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Response, ApiError> {
    let rec: R = parse_body(headers, body)?;
    keeps_its_writer(app, user, id, &rec).await?;
    // The version being edited is required, as the forms send it: without
    // it, concurrent writers would overwrite each other unseen. `*` (RFC
    // 9110, 13.1.1) is the client saying, in so many words, that it means to
    // replace whatever version is there.
    let tag = headers
        .get(axum::http::header::IF_MATCH)
        .ok_or(WebError::PreconditionRequired)?
        .to_str()
        .map(str::trim)
        .unwrap_or_default();
    let version = if tag == "*" {
        None
    } else {
        Some(
            tag.trim_start_matches("W/")
                .trim_matches('"')
                .parse::<i64>()
                .map_err(|_| WebError::BadRequest("If-Match phải là số phiên bản hoặc *".into()))?,
        )
    };
    app.store_for(user)
        .update(&Actor::new(&user.username, "api"), id, version, &rec)
        .await?;
    get_kind::<R, S>(app, user, id).await
}

pub async fn update<S: Store>(
    State(app): State<AppState<S>>,
    ApiUser(user): ApiUser,
    ApiPath((kind, id)): ApiPath<(String, i64)>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Response, ApiError> {
    let kind = kind_of(&kind)?;
    can_change(&user, kind, &headers)?;
    let body = body_bytes(body, MAX_BODY).await?;
    dispatch!(kind, update_kind, &app, &user, id, &headers, &body)
}

async fn delete_kind<R: Record, S: Store>(
    app: &AppState<S>,
    user: &CurrentUser,
    id: i64,
) -> Result<Response, ApiError> {
    app.store_for(user)
        .delete::<R>(&Actor::new(&user.username, "api"), id)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn delete<S: Store>(
    State(app): State<AppState<S>>,
    ApiUser(user): ApiUser,
    ApiPath((kind, id)): ApiPath<(String, i64)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let kind = kind_of(&kind)?;
    can_change(&user, kind, &headers)?;
    dispatch!(kind, delete_kind, &app, &user, id)
}

#[derive(Deserialize, Default)]
pub struct DocParams {
    /// `1`: list the values that exist now for the caller.
    live: Option<String>,
}

/// The OpenAPI document, for signed-in users and tokens; with `?live=1`,
/// narrowed to the keys and ids that exist now for the caller.
pub async fn openapi<S: Store>(
    State(app): State<AppState<S>>,
    ApiUser(user): ApiUser,
    ApiQuery(p): ApiQuery<DocParams>,
) -> Result<Response, ApiError> {
    static DOC: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    let doc = DOC.get_or_init(crate::openapi::document).clone();
    if !matches!(p.live.as_deref(), Some("1" | "true")) {
        return Ok(Json(doc).into_response());
    }
    let store = app.store_for(&user);
    let mut live = crate::openapi::Live {
        me: Some(user.username.clone()),
        ..Default::default()
    };
    let q = ListQuery {
        limit: Some(crate::openapi::LIVE_VALUES),
        ..Default::default()
    };
    // What the caller may change: its agency's records and the reference
    // data every agency shares (topics, provisions), for which the role
    // decides; an outlet shared by several agencies only a user of no
    // agency changes.
    let unscoped = user.agency.is_none();
    for kind in crate::openapi::live_kinds() {
        let changes_shared = unscoped || kind.meta().owner == canhgiac_domain::Ownership::Shared;
        let page = with_record!(kind, R => store
            .list::<R>(&q)
            .await
            .map(|page| page.into_iter().map(|s| {
                let own = (!s.shared || changes_shared).then(|| crate::openapi::OwnRecord {
                    id: s.id,
                    key: s.key.clone(),
                    record: serde_json::to_value(&s.record).unwrap_or_default(),
                });
                (s.key, own)
            }).collect::<Vec<_>>()), Ok(Vec::new()))?;
        live.keys.insert(kind, page.iter().map(|r| r.0.clone()).collect());
        live.own.insert(kind, page.into_iter().filter_map(|r| r.1).collect());
    }
    Ok(Json(crate::openapi::with_live_values(doc, &live)).into_response())
}

#[derive(Debug, serde::Deserialize)]
pub struct WatchHitParams {
    /// `new`, `case` or `dismissed`; all when absent.
    status: Option<String>,
    rule: Option<i64>,
    offset: Option<u32>,
    limit: Option<u32>,
}

/// The caller's watch-rule matches, newest first, and how many in all.
pub async fn watch_hits<S: Store>(
    State(app): State<AppState<S>>,
    ApiUser(user): ApiUser,
    ApiQuery(p): ApiQuery<WatchHitParams>,
) -> Result<Response, ApiError> {
    can_read(&user)?;
    let bad = |m: String| ApiError(WebError::BadRequest(m));
    let status = match p.status.as_deref() {
        None | Some("") => None,
        Some(s) => Some(
            canhgiac_domain::HitStatus::ALL
                .iter()
                .copied()
                .find(|v| v.code() == s)
                .ok_or_else(|| bad(format!("Trạng thái «{s}» không hợp lệ (new, case hoặc dismissed)")))?,
        ),
    };
    let q = canhgiac_store::HitQuery {
        status,
        rule: p.rule,
        offset: p.offset.unwrap_or(0).min(canhgiac_store::MAX_OFFSET),
        limit: p.limit.unwrap_or(50).clamp(1, 100),
    };
    let (hits, total) = app.store_for(&user).watch_hits(&q).await.map_err(WebError::from)?;
    let hits: Vec<serde_json::Value> = hits
        .into_iter()
        .map(|h| {
            serde_json::json!({
                "id": h.id, "rule": h.rule, "rule_name": h.rule_name, "query": h.query,
                "item": h.item, "title": h.title, "url": h.url, "outlet": h.outlet,
                "published_on": h.published_on.iso(), "found_at": h.found_at.rfc3339(),
                "status": h.status.code(), "case": h.case_key,
                "reviewed_by": h.reviewed_by, "reviewed_at": h.reviewed_at.map(|t| t.rfc3339()),
            })
        })
        .collect();
    Ok(Json(serde_json::json!({ "total": total, "hits": hits })).into_response())
}

/// Largest body of a bulk import: the upload page's limit.
pub const MAX_IMPORT: usize = crate::pages::MAX_UPLOAD;

#[derive(Debug, Deserialize)]
pub struct ImportParams {
    /// `true`: records that exist are updated to what is sent; otherwise
    /// they are left as they are (counted unchanged).
    update: Option<bool>,
}

/// `POST /api/v1/import`: records of any kinds in one request, in the JSON
/// format of the file import (`docs/import-format.md`), written in one
/// transaction — all of them or, on the first refusal, none — with the
/// same validation, references and audit as one by one.
pub async fn import<S: Store>(
    State(app): State<AppState<S>>,
    ApiUser(user): ApiUser,
    ApiQuery(p): ApiQuery<ImportParams>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Response, ApiError> {
    // Nobody below an editor writes anything: refused before the body is read.
    user.require(Role::Editor)?;
    let update = p.update.unwrap_or(false);
    require_json(&headers)?;
    let body = body_bytes(body, MAX_IMPORT).await?;
    let env = canhgiac_interchange::read_json("api", &body).map_err(|e| {
        tracing::info!(reason = %e, "bulk import refused");
        WebError::BadRequest(e.to_string())
    })?;
    let data = env.records;
    let counts: Vec<(RecordKind, usize)> = data.counts().into_iter().filter(|(_, n)| *n > 0).collect();
    for (kind, _) in &counts {
        if kind.meta().api == ApiAccess::None {
            return Err(WebError::BadRequest(format!("Không nhập được {} qua API", kind.label_vn())).into());
        }
        if update {
            can_change(&user, *kind, &headers)?;
        } else {
            can_write(&user, *kind, &headers)?;
        }
    }
    let store = app.store_for(&user);
    let actor = Actor::new(&user.username, "api");
    let summary = if update {
        store.import(&actor, &data).await?
    } else {
        store.import_new(&actor, &data).await?
    };
    let by_kind = |list: &[(RecordKind, usize)]| -> serde_json::Map<String, serde_json::Value> {
        list.iter()
            .map(|(k, n)| (k.meta().api_path(), serde_json::Value::from(*n)))
            .collect()
    };
    tracing::info!(
        user = %user.username,
        created = summary.total_created(),
        updated = summary.total_updated(),
        unchanged = summary.total_unchanged(),
        "bulk import"
    );
    Ok(Json(serde_json::json!({
        "created": by_kind(&summary.created),
        "updated": by_kind(&summary.updated),
        "unchanged": by_kind(&summary.unchanged),
    }))
    .into_response())
}
