//! Reviewing media items: the queue of items without a topic, editing one
//! item's topics and flags, and bulk actions on a selection.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use canhgiac_domain::*;
use canhgiac_store::{Actor, ListQuery, Store};
use minijinja::context;

use crate::auth::CurrentUser;
use crate::extract::{PageForm, PagePath, PageQuery};
use crate::pages::{topic_options, user_ctx};
use crate::{AppState, WebError};

/// Most items one bulk action may touch.
pub const MAX_BULK: usize = 200;

#[derive(serde::Deserialize)]
pub struct QueueParams {
    before: Option<i64>,
}

/// Items nobody has tagged yet, newest first.
pub async fn queue<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PageQuery(p): PageQuery<QueueParams>,
) -> Result<Response, WebError> {
    let items = app
        .store_for(&user)
        .list::<MediaItem>(&ListQuery {
            filters: vec![("topics".into(), "[]".into())],
            before_id: p.before,
            limit: Some(50),
            ..Default::default()
        })
        .await?;
    let next = (items.len() == 50)
        .then(|| items.last().map(|i| format!("/tin-bai/duyet?before={}", i.id)))
        .flatten();
    let outlets = crate::pages::outlet_names(&app.store_for(&user)).await?;
    let rows: Vec<minijinja::Value> = items
        .iter()
        .map(|i| {
            context! {
                id => i.id,
                day => i.record.published_on.to_string(),
                title => i.record.title.as_str(),
                outlet => outlets.get(i.record.outlet.as_str()).map_or(i.record.outlet.as_str(), String::as_str),
                source => i.record.source.label_vn(),
            }
        })
        .collect();
    let html = app.views.render(
        "review.html",
        context! {
            user => user_ctx(&user),
            items => rows,
            topics => topic_options(&app.store_for(&user)).await?,
            next,
            can_edit => user.require(Role::Editor).is_ok(),
        },
    );
    Ok(Html(html).into_response())
}

/// Sets an item's topics, featured flag and kind (chuyên viên confirms or
/// corrects what a collector guessed).
pub async fn update_item<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PagePath(id): PagePath<i64>,
    PageForm(f): PageForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    user.may_submit(Role::Editor, &f)?;
    let item = app
        .store_for(&user)
        .get::<MediaItem>(id)
        .await?
        .ok_or(WebError::NotFound)?;
    let mut rec = item.record.clone();
    // Topics come as one box per topic (`topics:PCMT`), as on the item
    // form, or, from an older client, as the field itself.
    let f = crate::registers::gather_ticked(crate::registers::item_register(), &f);
    let topics = f.get("topics").map(String::as_str).unwrap_or("");
    if topics.len() > 1000 {
        return Err(WebError::BadRequest("Danh sách chủ đề quá dài".into()));
    }
    rec.topics = topics
        .split([';', ','])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| Code::parse(t).map_err(|e| WebError::BadRequest(format!("Chủ đề: {}", e.message))))
        .collect::<Result<_, _>>()?;
    rec.featured = f.get("featured").is_some_and(|v| v == "on" || v == "true");
    if let Some(k) = f.get("kind").filter(|k| !k.is_empty()) {
        rec.kind = ItemKind::parse(k).map_err(|e| WebError::BadRequest(e.message))?;
    }
    let version = f.get("_version").and_then(|v| v.parse().ok());
    app.store_for(&user)
        .update(&Actor::new(&user.username, "web"), id, version, &rec)
        .await?;
    Ok(Redirect::to(&format!("/tin-bai/{id}?da-luu=1")).into_response())
}

/// One action on many items: add a topic, mark or unmark as featured.
/// Every item is saved (and audited) on its own; a missing item stops the
/// batch with a message, the items before it stay saved.
pub async fn bulk<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    body: Bytes,
) -> Result<Response, WebError> {
    user.require(Role::Editor)?;
    if body.len() > 64 * 1024 {
        return Err(WebError::TooLarge(64 * 1024));
    }
    let mut csrf = None;
    let mut action = String::new();
    let mut topic = String::new();
    let mut ids: Vec<i64> = Vec::new();
    for (k, v) in form_urlencoded::parse(&body) {
        match k.as_ref() {
            "_csrf" => csrf = Some(v.into_owned()),
            "action" => action = v.into_owned(),
            "topic" => topic = v.into_owned(),
            "id" => ids.push(
                v.parse()
                    .map_err(|_| WebError::BadRequest("Mã tin, bài không hợp lệ".into()))?,
            ),
            _ => {}
        }
    }
    user.check_write(csrf.as_deref(), "write")?;
    if ids.is_empty() {
        return Err(WebError::BadRequest("Chưa chọn tin, bài nào".into()));
    }
    if ids.len() > MAX_BULK {
        return Err(WebError::BadRequest(format!(
            "Mỗi lần chỉ thao tác tối đa {MAX_BULK} tin, bài"
        )));
    }
    let topic_code = if action == "add_topic" {
        let code = Code::parse(&topic).map_err(|e| WebError::BadRequest(format!("Chủ đề: {}", e.message)))?;
        if app.store_for(&user).get_by_key::<Topic>(code.as_str()).await?.is_none() {
            return Err(WebError::BadRequest(format!("Chủ đề «{code}» không có")));
        }
        Some(code)
    } else {
        None
    };
    let actor = Actor::new(&user.username, "web:hang-loat");
    for id in ids {
        let item = app
            .store_for(&user)
            .get::<MediaItem>(id)
            .await?
            .ok_or(WebError::NotFound)?;
        let mut rec = item.record.clone();
        match action.as_str() {
            "add_topic" => {
                if let Some(c) = &topic_code {
                    if !rec.topics.contains(c) {
                        rec.topics.push(c.clone());
                    }
                }
            }
            "feature" => rec.featured = true,
            "unfeature" => rec.featured = false,
            _ => return Err(WebError::BadRequest("Thao tác không hợp lệ".into())),
        }
        app.store_for(&user)
            .update(&actor, id, Some(item.version), &rec)
            .await?;
    }
    Ok(Redirect::to("/tin-bai/duyet").into_response())
}
