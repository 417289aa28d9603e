//! Tin, bài: the list with filters and search, and one item.

use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use canhgiac_domain::{Date, MediaItem, Outlet, Role};
use canhgiac_store::{ListQuery, Store};
use minijinja::context;
use serde::Deserialize;

use super::*;
use crate::auth::CurrentUser;
use crate::extract::{PagePath, PageQuery};
use crate::{AppState, WebError};

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
        app.store_for(&user).list::<MediaItem>(&q).await?
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
        .store_for(&user)
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
            topics => topic_options(&app.store_for(&user)).await?,
            kinds => options(canhgiac_domain::ItemKind::ALL, canhgiac_domain::ItemKind::code, canhgiac_domain::ItemKind::label_vn),
            outlet_names => outlet_names(&app.store_for(&user)).await?,
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
    let it = app
        .store_for(&user)
        .get::<MediaItem>(id)
        .await?
        .ok_or(WebError::NotFound)?;
    let names = outlet_names(&app.store_for(&user)).await?;
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
