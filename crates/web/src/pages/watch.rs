//! The review queue of watch-rule matches (`/theo-doi`): what each rule
//! found among incoming items, newest first; one click makes a case of a
//! match, another puts it aside, and a decision can be taken back. The
//! API's `GET /api/v1/watch-hits` ([`crate::api::watch_hits`]) reads the
//! same queue.

use std::collections::HashMap;

use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use canhgiac_domain::{Case, HitStatus, Role, WatchRule};
use canhgiac_store::{Actor, HitQuery, Store};
use minijinja::context;

use crate::auth::CurrentUser;
use crate::extract::{PageForm, PagePath, PageQuery};
use crate::listing::{self, Paging, PER_PAGE};
use crate::pages::{outlet_names, user_ctx};
use crate::{AppState, WebError};

#[derive(serde::Deserialize)]
pub struct HitParams {
    /// `new` (the default), `case`, `dismissed` or `all`.
    #[serde(rename = "trang-thai")]
    status: Option<String>,
    /// One rule's matches.
    #[serde(rename = "quy-tac")]
    rule: Option<i64>,
    #[serde(flatten)]
    paging: Paging,
}

/// The status a list asks for; `all` is none. Refused in Vietnamese.
fn status_of(s: Option<&str>) -> Result<Option<HitStatus>, WebError> {
    match s.map(str::trim) {
        None | Some("") => Ok(Some(HitStatus::New)),
        Some("all") => Ok(None),
        Some(s) => HitStatus::parse(s)
            .map(Some)
            .map_err(|e| WebError::BadRequest(format!("Trạng thái: {}", e.message))),
    }
}

/// `/theo-doi`: the matches of the agency's rules.
pub async fn hits<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PageQuery(p): PageQuery<HitParams>,
) -> Result<Response, WebError> {
    let store = app.store_for(&user);
    let status = status_of(p.status.as_deref())?;
    let q = HitQuery {
        status,
        rule: p.rule,
        offset: (p.paging.page() - 1) * PER_PAGE,
        limit: PER_PAGE,
    };
    let (hits, total) = store.watch_hits(&q).await?;
    let outlets = outlet_names(&store).await?;
    let mut rows = Vec::with_capacity(hits.len());
    for h in &hits {
        let case_id = match &h.case_key {
            Some(k) => store.get_by_key::<Case>(k).await?.map(|c| c.id),
            None => None,
        };
        rows.push(context! {
            id => h.id,
            rule => h.rule,
            rule_name => &h.rule_name,
            query => &h.query,
            search => listing::url("/tin-bai", &[("q", h.query.clone())]),
            item => h.item,
            title => &h.title,
            url => &h.url,
            outlet => outlets.get(&h.outlet).unwrap_or(&h.outlet),
            day => h.published_on.to_string(),
            found => h.found_at.vn_text(),
            status => h.status.label_vn(),
            new => h.status == HitStatus::New,
            case_key => &h.case_key,
            case_id,
            reviewed_by => &h.reviewed_by,
            reviewed_at => h.reviewed_at.map(|t| t.vn_text()),
        });
    }
    let status_code = status.map_or("all", HitStatus::code);
    let rule_param = p.rule.map(|r| r.to_string()).unwrap_or_default();
    let link = |page: u32| {
        listing::url(
            "/theo-doi",
            &[
                ("trang-thai", status_code.to_owned()),
                ("quy-tac", rule_param.clone()),
                ("trang", if page > 1 { page.to_string() } else { String::new() }),
            ],
        )
    };
    let pager = listing::pager(total, u32::MAX, &p.paging, &link);
    let rule_name = match p.rule {
        Some(r) => store.get::<WatchRule>(r).await?.map(|s| s.record.name.to_string()),
        None => None,
    };
    let tabs: Vec<minijinja::Value> = [
        Some(HitStatus::New),
        Some(HitStatus::Case),
        Some(HitStatus::Dismissed),
        None,
    ]
    .iter()
    .map(|s| {
        let code = s.map_or("all", HitStatus::code);
        context! {
            label => s.map_or("Tất cả", HitStatus::label_vn),
            href => listing::url("/theo-doi", &[("trang-thai", code.to_owned()), ("quy-tac", rule_param.clone())]),
            current => code == status_code,
        }
    })
    .collect();
    let html = app.views.render(
        "watch_hits.html",
        context! {
            user => user_ctx(&user),
            rows,
            total => listing::total_text(total, u32::MAX),
            tabs,
            rule_name,
            pager,
            can_edit => user.require(Role::Editor).is_ok(),
        },
    );
    Ok(Html(html).into_response())
}

/// «Tạo vụ việc»: the match becomes a case, whose page opens.
pub async fn hit_case<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PagePath(id): PagePath<i64>,
    PageForm(f): PageForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    user.may_submit(Role::Editor, &f)?;
    let store = app.store_for(&user);
    let (case, _) = canhgiac_ingest::watch::case_from_hit(&store, &Actor::new(&user.username, "web"), id).await?;
    Ok(Redirect::to(&format!("/vu-viec/{case}")).into_response())
}

/// «Bỏ qua» (not a case), or «Xem xét lại» (back to the queue).
pub async fn hit_review<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PagePath(id): PagePath<i64>,
    PageForm(f): PageForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    user.may_submit(Role::Editor, &f)?;
    let store = app.store_for(&user);
    let status = match f.get("action").map(String::as_str) {
        Some("dismiss") => HitStatus::Dismissed,
        Some("reopen") => HitStatus::New,
        _ => return Err(WebError::BadRequest("Thao tác không hợp lệ".into())),
    };
    let Some(hit) = store.watch_hits_by_id(&[id]).await?.into_iter().next() else {
        return Err(WebError::NotFound);
    };
    if status == HitStatus::Dismissed && hit.status != HitStatus::New {
        return Err(WebError::BadRequest(format!(
            "Tin khớp này đã được xem xét ({})",
            hit.status.label_vn().to_lowercase()
        )));
    }
    // A match made into a case keeps its case: taking it back means the case.
    if status == HitStatus::New && hit.status == HitStatus::Case {
        return Err(WebError::BadRequest(
            "Tin khớp này đã thành vụ việc; hãy xử lý ở trang vụ việc".into(),
        ));
    }
    if !store.watch_review(id, status, None, &user.username).await? {
        return Err(WebError::BadRequest(
            "Tin khớp này vừa được người khác xem xét; hãy tải lại trang".into(),
        ));
    }
    let back = if status == HitStatus::New { "dismissed" } else { "new" };
    Ok(Redirect::to(&format!("/theo-doi?trang-thai={back}")).into_response())
}

/// How many matches wait for review: the menu's and dashboard's count.
pub async fn waiting<S: Store>(store: &S) -> Result<u64, WebError> {
    Ok(store
        .watch_hits(&HitQuery {
            status: Some(HitStatus::New),
            limit: 1,
            ..HitQuery::default()
        })
        .await?
        .1)
}
