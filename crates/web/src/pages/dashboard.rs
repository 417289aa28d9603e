//! Tổng quan: the figures of the period, items by topic and month, open
//! cases and the re-checks due.

use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use canhgiac_domain::{Case, CaseStatus, Date, MediaItem, Period};
use canhgiac_store::{ListQuery, Store};
use minijinja::context;

use super::*;
use crate::auth::CurrentUser;
use crate::{AppState, WebError};

pub async fn dashboard<S: Store>(State(app): State<AppState<S>>, user: CurrentUser) -> Result<Response, WebError> {
    let today = Date::today();
    let rule = app
        .store_for(&user)
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
        .store_for(&user)
        .list::<MediaItem>(&ListQuery {
            limit: Some(10),
            ..Default::default()
        })
        .await?;
    let mut s = app.store_for(&user).summary(period.range(rule)).await?;
    if s.items == 0 {
        if let Some(latest) = newest.iter().map(|i| i.record.published_on).max() {
            period = Period::Half(latest.year(), if latest.month() <= 6 { 1 } else { 2 });
            s = app.store_for(&user).summary(period.range(rule)).await?;
        }
    }
    let range = period.range(rule);
    let open_cases = app
        .store_for(&user)
        .list::<Case>(&ListQuery {
            not_in: vec![(
                "status".into(),
                [CaseStatus::Closed, CaseStatus::Removed, CaseStatus::Sanctioned]
                    .iter()
                    .map(|s| s.code().to_owned())
                    .collect(),
            )],
            limit: Some(200),
            ..Default::default()
        })
        .await?;
    let max_items = s.items_by_topic_outlet.iter().map(|c| c.items).max().unwrap_or(1);
    let due = due_rechecks(&app.store_for(&user), today).await?;
    // Items per month and per topic, from the same day counts as the report.
    let counts = app.store_for(&user).item_counts(range).await?;
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
    let topic_names = super::topic_names(&app.store_for(&user)).await?;
    let topics: Vec<minijinja::Value> = by_topic
        .into_iter()
        .map(|(t, n)| context! { label => topic_names.get(&t).cloned().unwrap_or(t), items => n })
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
            outlet_names => outlet_names(&app.store_for(&user)).await?,
            topic_names,
            newest => minijinja::Value::from_serialize(&newest),
            due,
            open_cases => minijinja::Value::from_serialize(&open_cases),
            status_labels => status_labels(),
        },
    );
    Ok(Html(html).into_response())
}

/// Takedown re-checks whose day has come (one query: the latest check of
/// each link that asked to look again on or before `today`).
async fn due_rechecks<S: Store>(store: &S, today: Date) -> Result<Vec<minijinja::Value>, WebError> {
    let due = store.due_rechecks(today, 200).await?;
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
