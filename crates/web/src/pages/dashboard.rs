//! Tổng quan: the figures of a chosen period (by default the half-year
//! being reported on), compared with the same period a year earlier, drawn
//! as charts; and, kept apart, what is open now: cases in progress and the
//! takedown re-checks that are due or overdue.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use canhgiac_domain::{Case, CaseStatus, Date, DateRange, Dong, MediaItem, Period, PeriodRule, SanctionDecision};
use std::sync::Arc;

use canhgiac_store::{ListQuery, Store};
use minijinja::context;
use serde::Deserialize;

use super::*;
use crate::auth::CurrentUser;
use crate::charts::{self, Bar, Series};
use crate::extract::PageQuery;
use crate::{AppState, WebError};

#[derive(Deserialize, Default)]
pub struct DashboardQuery {
    /// The period, as the picker sends it (`2024-H1`).
    ky: Option<String>,
}

/// The agency's rule for period boundaries.
pub(crate) async fn period_rule<S: Store>(store: &S) -> Result<PeriodRule, WebError> {
    Ok(store
        .list::<canhgiac_domain::Agency>(&ListQuery {
            limit: Some(1),
            ..Default::default()
        })
        .await?
        .first()
        .map(|a| a.record.period_rule)
        .unwrap_or_default())
}

/// The periods a picker offers: every period of the years from `newest`
/// back five years, grouped by year, `chosen` selected.
pub(crate) fn period_choices(chosen: Period, newest: i32) -> Vec<minijinja::Value> {
    let newest = newest.max(chosen.year());
    let oldest = (newest - 5).min(chosen.year());
    (oldest..=newest)
        .rev()
        .map(|y| {
            let options: Vec<minijinja::Value> = Period::all_of_year(y)
                .into_iter()
                .map(|p| {
                    let label = crate::views::first_upper(&p.label_vn());
                    context! { code => p.to_string(), label, selected => p == chosen }
                })
                .collect();
            context! { year => y, options }
        })
        .collect()
}

/// The months a range covers, in order, as (year, month).
fn months_of(range: DateRange) -> Vec<(i32, u32)> {
    let mut out = Vec::new();
    let (mut y, mut m) = (range.from.year(), range.from.month());
    while (y, m) <= (range.to.year(), range.to.month()) && out.len() < 24 {
        out.push((y, m));
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    out
}

/// Items per month of `range` from the kept day counts: (year, month) → n.
async fn items_by_month<S: Store>(store: &S, range: DateRange) -> Result<BTreeMap<(i32, u32), i64>, WebError> {
    let mut out = BTreeMap::new();
    for (month, n) in store.item_months(range).await? {
        let (y, m) = month.split_once('-').unwrap_or(("0", "0"));
        *out.entry((y.parse().unwrap_or(0), m.parse().unwrap_or(0))).or_default() += n;
    }
    Ok(out)
}

pub async fn dashboard<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PageQuery(q): PageQuery<DashboardQuery>,
) -> Result<Response, WebError> {
    let store = app.store_for(&user);
    let today = Date::today();
    let rule = period_rule(&store).await?;
    let current = Period::current_half(today, rule);
    let (period, error) = match q.ky.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        None => (current, String::new()),
        Some(k) => match k.parse::<Period>() {
            Ok(p) => (p, String::new()),
            Err(e) => (current, e.message),
        },
    };
    let range = period.range(rule);
    // The period's figures hold while no record has changed: computed once
    // per audit head, agency and period, on each node.
    let head = store.head_seq().await?;
    let key = format!("{:?}|{period}|{rule:?}", user.agency);
    let cached = app
        .period_figures
        .lock()
        .ok()
        .and_then(|c| c.get(&key).filter(|(seq, _)| *seq == head).map(|(_, f)| Arc::clone(f)));
    let part = match cached {
        Some(p) => p,
        None => {
            let p = Arc::new(period_part(&store, period, range).await?);
            if let Ok(mut c) = app.period_figures.lock() {
                // Entries of an older head are stale: dropped as they are met.
                c.retain(|_, (seq, _)| *seq == head);
                if c.len() >= FIGURE_CACHE_ENTRIES {
                    c.clear();
                }
                c.insert(key, (head, Arc::clone(&p)));
            }
            p
        }
    };
    let now = open_now(&store, today).await?;
    let stations = super::telecom::station_alerts(&store, today).await?;
    let sources = super::sources::source_alerts(&store, today).await?;
    let watch_waiting = super::watch::waiting(&store).await?;
    let newest = store
        .list::<MediaItem>(&ListQuery {
            limit: Some(10),
            ..Default::default()
        })
        .await?;
    let html = app.views.render(
        "dashboard.html",
        context! {
            user => user_ctx(&user),
            period_label => period.label_vn(),
            periods => period_choices(period, today.year()),
            is_current => period == current,
            current_label => current.label_vn(),
            error,
            from => range.from.to_string(),
            to => range.to.to_string(),
            figures => part.figures(),
            fine_total => part.summary.fine_total.to_string(),
            month_chart => &part.month_chart, topic_chart => &part.topic_chart, fine_chart => &part.fine_chart, now,
            newest => minijinja::Value::from_serialize(&newest),
            outlet_names => &part.outlet_names,
            status_labels => status_labels(),
            telecom => context! {
                any => part.telecom.any, figures => part.telecom.figures(), chart => &part.telecom.chart,
            },
            stations, sources, watch_waiting,
        },
    );
    Ok(Html(html).into_response())
}

/// What is open now, whatever the period: cases in progress by status, and
/// the takedown re-checks due, overdue ones marked.
async fn open_now<S: Store>(store: &S, today: Date) -> Result<minijinja::Value, WebError> {
    // One read of the open cases (few), counted by status here.
    let open_cases = store
        .list::<Case>(&ListQuery {
            not_in: vec![(
                "status".into(),
                CaseStatus::ALL
                    .iter()
                    .filter(|s| canhgiac_domain::workflow::is_finished(**s))
                    .map(|s| s.code().to_owned())
                    .collect(),
            )],
            limit: Some(canhgiac_store::MAX_PAGE),
            ..Default::default()
        })
        .await?;
    let open_total = open_cases.len() as i64;
    let status_bars: Vec<Bar> = CaseStatus::ALL
        .iter()
        .filter_map(|st| {
            let n = open_cases.iter().filter(|c| c.record.status == *st).count() as i64;
            (n > 0).then(|| Bar::count(st.label_vn(), n))
        })
        .collect();
    let status_chart = charts::bars("Vụ việc đang xử lý theo trạng thái", &status_bars);
    let open_cases: Vec<_> = open_cases.into_iter().take(20).collect();
    let due = store.due_rechecks(today, 200).await?;
    let overdue = due
        .iter()
        .filter(|c| c.record.next_check_on.is_some_and(|d| d < today))
        .count();
    let due_rows: Vec<minijinja::Value> = due
        .iter()
        .map(|c| {
            let on = c.record.next_check_on;
            context! {
                id => c.id, case => c.record.case.as_str(), url => c.record.url.as_str(),
                on => on.map(|d| d.to_string()), result => c.record.result.label_vn(),
                overdue => on.is_some_and(|d| d < today),
            }
        })
        .collect();
    Ok(context! {
        status_chart, open_total, overdue, due_total => due.len(), due => due_rows,
        open_cases => minijinja::Value::from_serialize(&open_cases),
    })
}

/// Fines by month: the decisions the agency itself issued in the period.
async fn fine_chart<S: Store>(
    store: &S,
    period: Period,
    range: DateRange,
    months: &[(i32, u32)],
) -> Result<String, WebError> {
    let sanctions = store
        .list::<SanctionDecision>(&ListQuery {
            date_from: Some(range.from),
            date_to: Some(range.to),
            filters: vec![("issued_by_agency".into(), "true".into())],
            limit: Some(canhgiac_store::MAX_PAGE),
            ..Default::default()
        })
        .await?;
    let mut fines: BTreeMap<(i32, u32), i64> = BTreeMap::new();
    for d in &sanctions {
        *fines
            .entry((d.record.issued_on.year(), d.record.issued_on.month()))
            .or_default() += d.record.fine.get();
    }
    Ok(charts::columns(
        &format!("Tiền phạt theo tháng, {}", period.label_vn()),
        &months.iter().map(|(y, m)| format!("{m:02}/{y}")).collect::<Vec<_>>(),
        &[Series {
            name: "Tiền phạt (đồng)".into(),
            values: months.iter().map(|k| fines.get(k).copied().unwrap_or(0)).collect(),
        }],
        &|v| Dong::new(v).map(|d| d.short()).unwrap_or_default(),
    ))
}

/// What the dashboard shows of a period: its figures and charts, the same
/// until a record changes.
pub struct PeriodPart {
    summary: canhgiac_store::Summary,
    items_before: i64,
    month_chart: String,
    topic_chart: String,
    fine_chart: String,
    outlet_names: std::collections::HashMap<String, String>,
    telecom: super::telecom::TelecomPart,
}

/// Period figures by agency and period, with the audit head they hold at.
pub type FigureCache = std::sync::Mutex<std::collections::HashMap<String, (i64, Arc<PeriodPart>)>>;

/// Periods kept at once; past it the cache starts again.
const FIGURE_CACHE_ENTRIES: usize = 256;

impl PeriodPart {
    fn figures(&self) -> Vec<minijinja::Value> {
        let s = &self.summary;
        let vs = versus(s.items, self.items_before);
        vec![
            context! { n => s.directives, label => "văn bản chỉ đạo" },
            context! { n => s.items, label => "tin, bài", vs },
            context! { n => s.inspections, label => "cuộc thanh tra, kiểm tra" },
            context! { n => s.sanctions.organisations + s.sanctions.individuals, label => "tổ chức, cá nhân bị xử phạt" },
        ]
    }
}

/// A figure against the same period a year earlier, in words.
pub(crate) fn versus(now: i64, before: i64) -> String {
    match canhgiac_domain::numbers::change_percent(now.max(0).unsigned_abs(), before.max(0).unsigned_abs()) {
        Some(p) if p > 0 => format!("tăng {p}% so với cùng kỳ"),
        Some(p) if p < 0 => format!("giảm {}% so với cùng kỳ", -p),
        Some(_) => "bằng cùng kỳ".to_owned(),
        None => "cùng kỳ không phát sinh".to_owned(),
    }
}

/// Computes a period's figures and charts from the store.
async fn period_part<S: Store>(store: &S, period: Period, range: DateRange) -> Result<PeriodPart, WebError> {
    let last_year = range.previous_year();
    let s = store.summary(range).await?;

    // Items by month, this period and the same months a year earlier.
    let months = months_of(range);
    let now_by_month = items_by_month(store, range).await?;
    let then_by_month = items_by_month(store, last_year).await?;
    let month_chart = charts::columns(
        &format!("Tin, bài theo tháng, {} và cùng kỳ năm trước", period.label_vn()),
        &months.iter().map(|(y, m)| format!("{m:02}/{y}")).collect::<Vec<_>>(),
        &[
            Series {
                name: "Kỳ này".into(),
                values: months
                    .iter()
                    .map(|k| now_by_month.get(k).copied().unwrap_or(0))
                    .collect(),
            },
            Series {
                name: "Cùng kỳ năm trước".into(),
                values: months
                    .iter()
                    .map(|(y, m)| then_by_month.get(&(y - 1, *m)).copied().unwrap_or(0))
                    .collect(),
            },
        ],
        &|v| canhgiac_domain::money::group_thousands(v),
    );

    // Items by topic, by name.
    let topic_names = topic_names(store).await?;
    let mut by_topic: BTreeMap<String, i64> = BTreeMap::new();
    for c in &s.items_by_topic_outlet {
        *by_topic.entry(c.topic.clone()).or_default() += c.items;
    }
    let mut topic_bars: Vec<Bar> = by_topic
        .into_iter()
        .map(|(t, n)| Bar::count(topic_names.get(&t).cloned().unwrap_or(t), n))
        .collect();
    topic_bars.sort_by_key(|b| std::cmp::Reverse(b.value));
    let topic_chart = charts::bars("Tin, bài theo chủ đề", &topic_bars);

    let fine_chart = fine_chart(store, period, range, &months).await?;
    // The same period a year earlier, from the kept day counts: the item
    // figure is compared, as in the report.
    let items_before: i64 = then_by_month.values().sum();
    Ok(PeriodPart {
        summary: s,
        items_before,
        month_chart,
        topic_chart,
        fine_chart,
        outlet_names: outlet_names(store).await?,
        telecom: super::telecom::period_part(store, period, range).await?,
    })
}
