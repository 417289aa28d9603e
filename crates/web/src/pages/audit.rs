//! Nhật ký: the audit trail with filters and the chain check.

use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use canhgiac_domain::{RecordKind, Role};
use canhgiac_store::{AuditQuery, Store};
use minijinja::context;
use serde::Deserialize;

use super::*;
use crate::auth::CurrentUser;
use crate::extract::PageQuery;
use crate::{AppState, WebError};

#[derive(Deserialize, Default, serde::Serialize)]
pub struct AuditFilter {
    actor: Option<String>,
    kind: Option<String>,
    before: Option<i64>,
    /// Present: recompute the hash chain and show the result.
    verify: Option<String>,
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
        .store_for(&user)
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
    // Recomputing the whole chain reads every entry: on request only.
    let check = if f.verify.is_some() {
        Some(app.store_for(&user).verify_audit().await?)
    } else {
        None
    };
    let next = (list.len() as u32 == PAGE)
        .then(|| list.last().map(|a| format!("/nhat-ky?before={}", a.seq)))
        .flatten();
    let kind_labels: std::collections::BTreeMap<_, _> = RecordKind::ALL
        .iter()
        .chain(RecordKind::AUDITED_APART.iter())
        .map(|k| (k.code(), k.label_vn()))
        .collect();
    let kinds: Vec<_> = RecordKind::ALL
        .iter()
        .chain(RecordKind::AUDITED_APART.iter())
        .map(|k| context! { code => k.code(), label => k.label_vn() })
        .collect();
    let store = app.store_for(&user);
    let mut rows = Vec::with_capacity(list.len());
    for a in &list {
        let changes = if a.action == canhgiac_domain::AuditAction::Update {
            crate::registers::changes_in_words(&store, a.kind, a.before.as_ref(), a.after.as_ref()).await?
        } else {
            Vec::new()
        };
        let href = (a.action != canhgiac_domain::AuditAction::Delete)
            .then(|| crate::registers::record_href(a.kind, a.record_id))
            .flatten();
        rows.push(context! {
            seq => a.seq, at => a.at.vn_text(), actor => &a.actor, action => a.action.label_vn(),
            kind => a.kind.label_vn(), name => crate::registers::entry_name(a), href,
            origin => crate::views::origin_vn(&a.origin), changes,
        });
    }
    let html = app.views.render(
        "audit.html",
        context! {
            user => user_ctx(&user),
            audit => rows,
            f => minijinja::Value::from_serialize(&f),
            kinds,
            action_labels => action_labels(),
            checked => check.is_some(),
            chain_ok => check.as_ref().is_some_and(|c| c.broken_at.is_none()),
            broken_at => check.as_ref().and_then(|c| c.broken_at),
            entries => check.as_ref().map(|c| c.entries),
            kind_labels,
            next,
        },
    );
    Ok(Html(html).into_response())
}
