//! The telecom part of the dashboard: a period's awareness messages and
//! spam reports (against the same months a year earlier), and — whatever
//! the period — the BTS stations whose kiểm định certificate or frequency
//! licence has expired or will within 60 days.

use canhgiac_domain::{
    Date, DateRange, Expiry, Month, Period, SpamReport, TelecomCampaign, TelecomOperator, EXPIRY_WARNING_DAYS,
};
use canhgiac_store::{ListQuery, Store, Stored};
use minijinja::context;

use crate::charts::{self, Series};
use crate::WebError;

/// A period's telecom figures and its chart.
pub struct TelecomPart {
    figures: Vec<(i64, &'static str, Option<String>)>,
    pub chart: String,
    pub any: bool,
}

impl TelecomPart {
    pub fn figures(&self) -> Vec<minijinja::Value> {
        self.figures
            .iter()
            .map(|(n, label, vs)| context! { n, label, vs })
            .collect()
    }
}

async fn in_range<R: canhgiac_domain::Record, S: Store>(
    store: &S,
    range: DateRange,
) -> Result<Vec<Stored<R>>, WebError> {
    Ok(store
        .list::<R>(&ListQuery {
            date_from: Some(range.from),
            date_to: Some(range.to),
            limit: Some(canhgiac_store::MAX_PAGE),
            ..Default::default()
        })
        .await?)
}

fn total(list: &[Stored<SpamReport>], f: fn(&SpamReport) -> u32) -> i64 {
    list.iter()
        .map(|s| i64::from(f(&s.record)))
        .fold(0, i64::saturating_add)
}

/// Against the same months a year earlier, once the operators reported them.
fn versus(now: i64, before: i64, any_before: bool) -> Option<String> {
    Some(if any_before {
        super::dashboard::versus(now, before)
    } else {
        "cùng kỳ không có báo cáo".to_owned()
    })
}

/// The telecom figures of a period.
pub async fn period_part<S: Store>(store: &S, period: Period, range: DateRange) -> Result<TelecomPart, WebError> {
    let campaigns = in_range::<TelecomCampaign, S>(store, range).await?;
    let spam = in_range::<SpamReport, S>(store, range).await?;
    let before = in_range::<SpamReport, S>(store, range.previous_year()).await?;
    let messages: i64 = campaigns
        .iter()
        .map(|c| i64::from(c.record.messages_sent))
        .fold(0, i64::saturating_add);
    let reports = |l: &[Stored<SpamReport>]| total(l, |s| s.sms_reports).saturating_add(total(l, |s| s.call_reports));
    let sims = |l: &[Stored<SpamReport>]| total(l, |s| s.sims_revoked);
    let figures = vec![
        (messages, "tin nhắn tuyên truyền qua doanh nghiệp viễn thông", None),
        (
            reports(&spam),
            "phản ánh tin nhắn, cuộc gọi rác",
            versus(reports(&spam), reports(&before), !before.is_empty()),
        ),
        (
            total(&spam, |s| s.numbers_blocked),
            "thuê bao phát tán rác bị chặn",
            None,
        ),
        (
            sims(&spam),
            "SIM bị thu hồi, khóa do sai thông tin",
            versus(sims(&spam), sims(&before), !before.is_empty()),
        ),
    ];
    // Reports per month, this period and the same months a year earlier.
    let months: Vec<Month> = range.months().into_iter().take(24).collect();
    let per_month = |list: &[Stored<SpamReport>], m: Month| -> i64 {
        list.iter()
            .filter(|s| s.record.month == m)
            .map(|s| i64::from(s.record.sms_reports) + i64::from(s.record.call_reports))
            .fold(0, i64::saturating_add)
    };
    let chart = charts::columns(
        &format!(
            "Phản ánh tin nhắn, cuộc gọi rác theo tháng, {} và cùng kỳ năm trước",
            period.label_vn()
        ),
        &months.iter().map(ToString::to_string).collect::<Vec<_>>(),
        &[
            Series {
                name: "Kỳ này".into(),
                values: months.iter().map(|m| per_month(&spam, *m)).collect(),
            },
            Series {
                name: "Cùng kỳ năm trước".into(),
                values: months.iter().map(|m| per_month(&before, m.year_before())).collect(),
            },
        ],
        &|v| canhgiac_domain::money::group_thousands(v),
    );
    Ok(TelecomPart {
        any: !campaigns.is_empty() || !spam.is_empty() || !before.is_empty(),
        figures,
        chart,
    })
}

/// How many alerts the dashboard lists.
const ALERTS_SHOWN: usize = 20;

/// Stations whose certificate or licence expired or expires within
/// [`EXPIRY_WARNING_DAYS`] of `today`: counts and the soonest.
pub async fn station_alerts<S: Store>(store: &S, today: Date) -> Result<minijinja::Value, WebError> {
    let listed = store
        .stations_expiring(None, today.plus_days(EXPIRY_WARNING_DAYS), canhgiac_store::MAX_PAGE)
        .await?;
    let operators: std::collections::HashMap<String, String> = store
        .list::<TelecomOperator>(&ListQuery {
            limit: Some(canhgiac_store::MAX_PAGE),
            ..Default::default()
        })
        .await?
        .into_iter()
        .map(|o| (o.record.code.to_string(), o.record.name.to_string()))
        .collect();
    let (mut expired, mut soon) = (0usize, 0usize);
    let mut rows = Vec::new();
    for s in &listed {
        let mut notes = Vec::new();
        let mut worst: Option<Expiry> = None;
        for (what, on) in [
            ("Giấy chứng nhận kiểm định", s.record.certificate_expires),
            ("Giấy phép tần số", s.record.licence_expires),
        ] {
            let Some(on) = on else { continue };
            if let Some(e) = Expiry::of(on, today) {
                notes.push(format!("{what} {} (ngày {on})", e.words()));
                if worst.is_none_or(|w| matches!((w, e), (Expiry::Soon(_), Expiry::Expired(_)))) {
                    worst = Some(e);
                }
            }
        }
        let is_expired = matches!(worst, Some(Expiry::Expired(_)));
        if is_expired {
            expired += 1;
        } else {
            soon += 1;
        }
        if rows.len() < ALERTS_SHOWN {
            let op = s.record.operator.as_str();
            rows.push(context! {
                id => s.id, code => s.record.code.as_str(),
                operator => operators.get(op).cloned().unwrap_or_else(|| op.to_owned()),
                commune => s.record.commune.as_str(),
                notes, expired => is_expired,
            });
        }
    }
    Ok(context! {
        expired, soon, rows, more => listed.len() > ALERTS_SHOWN,
        capped => listed.len() >= canhgiac_store::MAX_PAGE as usize,
        days => EXPIRY_WARNING_DAYS,
    })
}
