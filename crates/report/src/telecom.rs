//! The telecom part of section II.2: awareness messages the operators sent,
//! their spam reports against the same months a year before, the
//! subscriber-registration checks with their sanctions, and the BTS
//! stations (inspections, certificates that expired or will). Every
//! number is a figure with the records behind it.

use std::collections::BTreeMap;

use canhgiac_domain::{
    BtsStation, Date, DateRange, Inspection, InspectionScope, InspectionSubject, RecordKind, SanctionDecision,
    SpamReport, TelecomCampaign, TelecomOperator, EXPIRY_WARNING_DAYS,
};
use canhgiac_store::{ListQuery, Store, Stored};
use serde::Serialize;

use crate::data::{all, in_range, list_all, Figures};
use crate::ReportError;

/// The spam figures of a set of monthly reports, added up.
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq, Eq)]
pub struct SpamTotals {
    pub sms_reports: i64,
    pub call_reports: i64,
    pub numbers_blocked: i64,
    pub sims_revoked: i64,
    pub fraud_calls_handled: i64,
}

impl SpamTotals {
    fn add(&mut self, r: &SpamReport) {
        let n = |v: u32| i64::from(v);
        self.sms_reports = self.sms_reports.saturating_add(n(r.sms_reports));
        self.call_reports = self.call_reports.saturating_add(n(r.call_reports));
        self.numbers_blocked = self.numbers_blocked.saturating_add(n(r.numbers_blocked));
        self.sims_revoked = self.sims_revoked.saturating_add(n(r.sims_revoked));
        self.fraud_calls_handled = self.fraud_calls_handled.saturating_add(n(r.fraud_calls_handled));
    }

    fn of<'a>(reports: impl IntoIterator<Item = &'a SpamReport>) -> SpamTotals {
        let mut t = SpamTotals::default();
        for r in reports {
            t.add(r);
        }
        t
    }

    pub fn reports(&self) -> i64 {
        self.sms_reports.saturating_add(self.call_reports)
    }
}

/// One operator's line in the annex's telecom table.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct TelecomRow {
    pub operator: String,
    pub campaigns: i64,
    pub messages_sent: i64,
    pub spam: SpamTotals,
    pub stations: i64,
}

/// Everything the report says of telecom in a period.
#[derive(Clone, Debug, Default, Serialize)]
pub struct TelecomView {
    /// Whether anything happened: otherwise the report says «Không phát sinh».
    pub any: bool,
    pub campaigns: i64,
    pub messages_sent: i64,
    pub subscribers_reached: i64,
    /// The operators that sent them, by name.
    pub campaign_operators: Vec<String>,
    /// The topics, as the report words them (`phòng, chống ma túy`).
    pub campaign_topics: Vec<String>,
    pub spam_reports: i64,
    pub spam: SpamTotals,
    /// The same months a year before, when the operators reported them.
    pub previous_spam: Option<SpamTotals>,
    pub subscriber_checks: i64,
    pub subscriber_subjects: i64,
    pub wrong_sims: i64,
    pub subscriber_sanctions: i64,
    pub subscriber_fines: i64,
    pub station_inspections: i64,
    pub stations_inspected: i64,
    pub stations: i64,
    pub station_operators: i64,
    pub certificates_expired: i64,
    pub certificates_expiring: i64,
    /// The last day the «expiring» count looks to.
    pub expiring_until: Option<Date>,
    pub rows: Vec<TelecomRow>,
    /// Spam reports (messages and calls) per month of the period: `2024-01`.
    pub spam_by_month: Vec<(String, i64)>,
}

fn n(v: u32) -> i64 {
    i64::from(v)
}

/// The telecom figures of `range`.
pub(crate) async fn telecom<S: Store>(
    store: &S,
    range: DateRange,
    figs: &mut Figures,
) -> Result<TelecomView, ReportError> {
    let operators: BTreeMap<String, Stored<TelecomOperator>> = list_all::<TelecomOperator, S>(store, all())
        .await?
        .into_iter()
        .map(|o| (o.record.code.to_string(), o))
        .collect();
    let name = |code: &str| {
        operators
            .get(code)
            .map_or_else(|| code.to_owned(), |o| o.record.name.to_string())
    };
    let mut v = TelecomView::default();

    let campaigns = list_all::<TelecomCampaign, S>(store, in_range(range)).await?;
    v.campaigns = campaigns.len() as i64;
    v.messages_sent = campaigns.iter().map(|c| n(c.record.messages_sent)).sum();
    v.subscribers_reached = campaigns
        .iter()
        .filter_map(|c| c.record.subscribers_reached)
        .map(n)
        .sum();
    for c in &campaigns {
        let op = name(c.record.operator.as_str());
        if !v.campaign_operators.contains(&op) {
            v.campaign_operators.push(op);
        }
        let topic = c.record.topic.label_vn().to_lowercase();
        if !v.campaign_topics.contains(&topic) {
            v.campaign_topics.push(topic);
        }
    }
    let campaign_ids: Vec<i64> = campaigns.iter().map(|c| c.id).collect();
    let kind = RecordKind::TelecomCampaign;
    figs.add(
        "telecom-campaigns",
        "Đợt tuyên truyền qua dịch vụ viễn thông",
        kind,
        v.campaigns,
        campaign_ids.clone(),
    );
    figs.add_sum(
        "telecom-messages",
        "Tin nhắn tuyên truyền đã gửi",
        kind,
        v.messages_sent,
        campaign_ids.clone(),
    );
    figs.add_sum(
        "telecom-subscribers",
        "Thuê bao nhận tin nhắn tuyên truyền",
        kind,
        v.subscribers_reached,
        campaign_ids,
    );

    let spam = list_all::<SpamReport, S>(store, in_range(range)).await?;
    let previous = list_all::<SpamReport, S>(store, in_range(range.previous_year())).await?;
    v.spam_reports = spam.len() as i64;
    v.spam = SpamTotals::of(spam.iter().map(|s| &s.record));
    v.previous_spam = (!previous.is_empty()).then(|| SpamTotals::of(previous.iter().map(|s| &s.record)));
    let spam_ids: Vec<i64> = spam.iter().map(|s| s.id).collect();
    let kind = RecordKind::SpamReport;
    for (id, label, value) in [
        ("spam-sms", "Phản ánh tin nhắn rác", v.spam.sms_reports),
        ("spam-calls", "Phản ánh cuộc gọi rác", v.spam.call_reports),
        (
            "spam-blocked",
            "Số thuê bao bị chặn do phát tán rác",
            v.spam.numbers_blocked,
        ),
        (
            "spam-sims",
            "SIM bị thu hồi, khóa do sai thông tin thuê bao",
            v.spam.sims_revoked,
        ),
        (
            "spam-fraud",
            "Cuộc gọi lừa đảo, giả mạo đã xử lý",
            v.spam.fraud_calls_handled,
        ),
    ] {
        figs.add_sum(id, label, kind, value, spam_ids.clone());
    }
    let mut by_month: BTreeMap<String, i64> = range.months().iter().map(|m| (m.iso(), 0)).collect();
    for s in &spam {
        *by_month.entry(s.record.month.iso()).or_default() +=
            n(s.record.sms_reports).saturating_add(n(s.record.call_reports));
    }
    v.spam_by_month = by_month.into_iter().collect();

    checks(store, range, figs, &mut v).await?;
    // Counted once: the register's size and the annex's column both read it.
    let station_counts = station_counts(store, operators.keys()).await?;
    stations(store, range, &station_counts, figs, &mut v).await?;

    let mut rows: BTreeMap<String, TelecomRow> = BTreeMap::new();
    for c in &campaigns {
        let r = rows
            .entry(c.record.operator.to_string())
            .or_insert_with(|| empty_row(name(c.record.operator.as_str())));
        r.campaigns += 1;
        r.messages_sent = r.messages_sent.saturating_add(n(c.record.messages_sent));
    }
    for s in &spam {
        rows.entry(s.record.operator.to_string())
            .or_insert_with(|| empty_row(name(s.record.operator.as_str())))
            .spam
            .add(&s.record);
    }
    for (code, count) in station_counts {
        if count > 0 {
            rows.entry(code.clone())
                .or_insert_with(|| empty_row(name(&code)))
                .stations = count;
        }
    }
    v.rows = rows.into_values().collect();
    v.any = v.campaigns > 0
        || v.spam_reports > 0
        || v.subscriber_checks > 0
        || v.station_inspections > 0
        || v.certificates_expired > 0;
    Ok(v)
}

fn empty_row(operator: String) -> TelecomRow {
    TelecomRow {
        operator,
        campaigns: 0,
        messages_sent: 0,
        spam: SpamTotals::default(),
        stations: 0,
    }
}

/// Stations in the register, per operator code (counted, not loaded: a
/// province has thousands).
async fn station_counts<'a, S: Store>(
    store: &S,
    operators: impl Iterator<Item = &'a String>,
) -> Result<BTreeMap<String, i64>, ReportError> {
    let mut out = BTreeMap::new();
    for code in operators {
        let q = ListQuery {
            filters: vec![("operator".into(), code.clone())],
            ..ListQuery::default()
        };
        let count = store.count_matching::<BtsStation>(&q, u32::MAX - 1).await?;
        out.insert(code.clone(), i64::try_from(count).unwrap_or(i64::MAX));
    }
    Ok(out)
}

/// Subscriber-registration checks and station inspections of the period,
/// with their subjects and the sanctions that name them.
async fn checks<S: Store>(
    store: &S,
    range: DateRange,
    figs: &mut Figures,
    v: &mut TelecomView,
) -> Result<(), ReportError> {
    let inspections = list_all::<Inspection, S>(store, in_range(range)).await?;
    let (mut subscriber, mut station_checks) = (Vec::new(), Vec::new());
    for i in inspections {
        match i.record.scope {
            Some(InspectionScope::SubscriberRegistration) => subscriber.push(i),
            Some(InspectionScope::Stations | InspectionScope::Frequencies) => station_checks.push(i),
            None => {}
        }
    }
    let subjects_of = |list: &[Stored<Inspection>]| {
        list.iter()
            .map(|i| ListQuery {
                filters: vec![("inspection".into(), i.record.code.to_string())],
                ..all()
            })
            .collect::<Vec<_>>()
    };
    let mut sub_subjects: Vec<Stored<InspectionSubject>> = Vec::new();
    for q in subjects_of(&subscriber) {
        sub_subjects.extend(list_all::<InspectionSubject, S>(store, q).await?);
    }
    let mut station_subjects: Vec<Stored<InspectionSubject>> = Vec::new();
    for q in subjects_of(&station_checks) {
        station_subjects.extend(list_all::<InspectionSubject, S>(store, q).await?);
    }
    let codes: Vec<String> = subscriber.iter().map(|i| i.record.code.to_string()).collect();
    let sanctions: Vec<Stored<SanctionDecision>> = list_all::<SanctionDecision, S>(store, in_range(range))
        .await?
        .into_iter()
        .filter(|s| {
            s.record.issued_by_agency
                && s.record
                    .inspection
                    .as_ref()
                    .is_some_and(|c| codes.contains(&c.to_string()))
        })
        .collect();

    v.subscriber_checks = subscriber.len() as i64;
    v.subscriber_subjects = sub_subjects.len() as i64;
    v.wrong_sims = sub_subjects.iter().filter_map(|s| s.record.wrong_sims).map(n).sum();
    v.subscriber_sanctions = sanctions.len() as i64;
    v.subscriber_fines = sanctions.iter().map(|s| s.record.fine.get()).sum();
    v.station_inspections = station_checks.len() as i64;
    v.stations_inspected = station_subjects.iter().filter(|s| s.record.station.is_some()).count() as i64;

    let ids = |l: &[Stored<Inspection>]| l.iter().map(|i| i.id).collect::<Vec<_>>();
    let sids = |l: &[Stored<InspectionSubject>]| l.iter().map(|i| i.id).collect::<Vec<_>>();
    figs.add(
        "subscriber-checks",
        "Cuộc kiểm tra đăng ký, lưu giữ thông tin thuê bao",
        RecordKind::Inspection,
        v.subscriber_checks,
        ids(&subscriber),
    );
    figs.add(
        "subscriber-subjects",
        "Điểm cung cấp dịch vụ được kiểm tra",
        RecordKind::InspectionSubject,
        v.subscriber_subjects,
        sids(&sub_subjects),
    );
    figs.add_sum(
        "wrong-sims",
        "SIM sai thông tin thuê bao phát hiện qua kiểm tra",
        RecordKind::InspectionSubject,
        v.wrong_sims,
        sub_subjects
            .iter()
            .filter(|s| s.record.wrong_sims.is_some_and(|w| w > 0))
            .map(|s| s.id)
            .collect(),
    );
    let sanction_ids: Vec<i64> = sanctions.iter().map(|s| s.id).collect();
    figs.add(
        "subscriber-sanctions",
        "Tổ chức, cá nhân bị xử phạt về thông tin thuê bao",
        RecordKind::SanctionDecision,
        v.subscriber_sanctions,
        sanction_ids.clone(),
    );
    figs.add_sum(
        "subscriber-fines",
        "Số tiền xử phạt về thông tin thuê bao (đồng)",
        RecordKind::SanctionDecision,
        v.subscriber_fines,
        sanction_ids,
    );
    figs.add(
        "station-inspections",
        "Cuộc kiểm tra trạm BTS, tần số",
        RecordKind::Inspection,
        v.station_inspections,
        ids(&station_checks),
    );
    figs.add(
        "stations-inspected",
        "Trạm BTS được kiểm tra",
        RecordKind::InspectionSubject,
        v.stations_inspected,
        station_subjects
            .iter()
            .filter(|s| s.record.station.is_some())
            .map(|s| s.id)
            .collect(),
    );
    Ok(())
}

/// The station register at the end of the period: its size, and the
/// certificates that expired in the period or will within
/// [`EXPIRY_WARNING_DAYS`] after it.
async fn stations<S: Store>(
    store: &S,
    range: DateRange,
    counts: &BTreeMap<String, i64>,
    figs: &mut Figures,
    v: &mut TelecomView,
) -> Result<(), ReportError> {
    v.stations = counts.values().sum();
    v.station_operators = counts.values().filter(|c| **c > 0).count() as i64;
    let until = range.to.plus_days(EXPIRY_WARNING_DAYS);
    v.expiring_until = Some(until);
    let listed = store
        .stations_expiring(Some(range.from), until, canhgiac_store::MAX_PAGE)
        .await?;
    let cert = |s: &Stored<BtsStation>, from: Date, to: Date| {
        s.record.certificate_expires.is_some_and(|d| from <= d && d <= to)
    };
    let expired: Vec<i64> = listed
        .iter()
        .filter(|s| cert(s, range.from, range.to))
        .map(|s| s.id)
        .collect();
    let expiring: Vec<i64> = listed
        .iter()
        .filter(|s| cert(s, range.to.succ(), until))
        .map(|s| s.id)
        .collect();
    v.certificates_expired = expired.len() as i64;
    v.certificates_expiring = expiring.len() as i64;
    figs.add(
        "certificates-expired",
        "Trạm BTS có giấy chứng nhận kiểm định hết hạn trong kỳ",
        RecordKind::BtsStation,
        v.certificates_expired,
        expired,
    );
    figs.add(
        "certificates-expiring",
        "Trạm BTS có giấy chứng nhận kiểm định sắp hết hạn",
        RecordKind::BtsStation,
        v.certificates_expiring,
        expiring,
    );
    // The drill-down lists the first page of the register.
    let listed = store
        .list::<BtsStation>(&ListQuery {
            limit: Some(canhgiac_store::MAX_PAGE),
            ..ListQuery::default()
        })
        .await?;
    figs.add(
        "stations",
        "Trạm BTS trên địa bàn",
        RecordKind::BtsStation,
        v.stations,
        listed.iter().map(|s| s.id).collect(),
    );
    Ok(())
}
