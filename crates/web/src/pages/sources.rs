//! The collector on the dashboard: the sources followed, those failing or
//! put aside (soonest failing first), and outlets whose collected volume
//! this week is far from their recent weeks — a feed that went silent is
//! the usual failure nobody sees.

use std::collections::{BTreeMap, HashMap};

use canhgiac_domain::{numbers::count, sources::volume_alert, Date, MediaItem, Outlet, Source};
use canhgiac_store::{ListQuery, Store};
use minijinja::context;

use crate::WebError;

/// The outlets whose weekly volume is watched, at most.
const WATCHED_OUTLETS: usize = 30;
/// The recent weeks a week is compared with.
const RECENT_WEEKS: i64 = 4;

pub async fn source_alerts<S: Store>(store: &S, today: Date) -> Result<minijinja::Value, WebError> {
    let sources = store
        .list::<Source>(&ListQuery {
            filters: vec![("active".into(), "true".into())],
            limit: Some(canhgiac_store::MAX_PAGE),
            ..ListQuery::default()
        })
        .await?;
    if sources.is_empty() {
        return Ok(context! { followed => 0 });
    }
    let ids: Vec<i64> = sources.iter().map(|s| s.id).collect();
    let health: HashMap<i64, canhgiac_domain::SourceHealth> = store.source_health(&ids).await?.into_iter().collect();
    let mut failing: Vec<(&canhgiac_store::Stored<Source>, &canhgiac_domain::SourceHealth)> = sources
        .iter()
        .filter_map(|s| health.get(&s.id).filter(|h| h.failures_in_row > 0).map(|h| (s, h)))
        .collect();
    failing.sort_by(|a, b| b.1.failures_in_row.cmp(&a.1.failures_in_row).then(a.0.id.cmp(&b.0.id)));
    let put_aside = failing.iter().filter(|(_, h)| h.put_aside).count();
    let failing_rows: Vec<minijinja::Value> = failing
        .iter()
        .take(20)
        .map(|(s, h)| {
            context! {
                id => s.id, url => s.record.url.as_str(), status => h.status(), put_aside => h.put_aside,
                error => h.last_error.as_deref(),
                since => h.last_success.map_or_else(|| "chưa lần nào thành công".to_owned(), |t| format!("thành công lần cuối {}", t.vn_text())),
            }
        })
        .collect();
    let volume = volume_rows(store, &sources, today).await?;
    Ok(context! {
        followed => sources.len(), failing => failing_rows, failing_total => failing.len(), put_aside,
        never => sources.iter().filter(|s| !health.contains_key(&s.id)).count(),
        volume,
    })
}

/// Outlets with a source whose collected items this week (the 7 days to
/// `today`) are far below or above their previous weeks.
async fn volume_rows<S: Store>(
    store: &S,
    sources: &[canhgiac_store::Stored<Source>],
    today: Date,
) -> Result<Vec<minijinja::Value>, WebError> {
    let outlets: BTreeMap<&str, ()> = sources.iter().map(|s| (s.record.outlet.as_str(), ())).collect();
    let mut rows = Vec::new();
    for outlet in outlets.keys().take(WATCHED_OUTLETS) {
        let mut weeks = Vec::new();
        for w in 0..=RECENT_WEEKS {
            let to = today.plus_days(-7 * w);
            let q = ListQuery {
                date_from: Some(to.plus_days(-6)),
                date_to: Some(to),
                filters: vec![
                    ("outlet".into(), (*outlet).to_owned()),
                    ("source".into(), "feed".into()),
                ],
                ..ListQuery::default()
            };
            weeks.push(store.count_matching::<MediaItem>(&q, 10_000).await?);
        }
        let (this, recent) = weeks.split_at(1);
        if let Some(alert) = volume_alert(this[0], recent) {
            let name = store
                .get_by_key::<Outlet>(outlet)
                .await?
                .map_or_else(|| (*outlet).to_owned(), |o| o.record.name.to_string());
            rows.push(context! { outlet => name, alert, this_week => count(this[0]) });
        }
    }
    Ok(rows)
}
