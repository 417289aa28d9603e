//! The statistical annex as plain tables, shared by every renderer.

use canhgiac_domain::Dong;

use crate::data::ReportData;

/// `2024-03` → `T3/2024`.
pub fn month_label(m: &str) -> String {
    match m.split_once('-') {
        Some((y, mm)) => format!("{}/{y}", mm.trim_start_matches('0')),
        None => m.to_owned(),
    }
}

fn topic_code_name(d: &ReportData, code: &str) -> String {
    d.topics
        .iter()
        .find(|t| t.code == code)
        .map_or_else(|| code.to_owned(), |t| t.code.clone())
}

/// Items by outlet × topic × month, with totals.
pub fn items_table(d: &ReportData) -> (Vec<String>, Vec<Vec<String>>) {
    let mut h = vec!["Cơ quan – chủ đề".to_owned()];
    h.extend(d.annex.months.iter().map(|m| month_label(m)));
    h.push("Cộng".into());
    let mut rows: Vec<Vec<String>> = d
        .annex
        .items
        .iter()
        .map(|r| {
            let mut row = vec![format!("{} – {}", r.outlet, topic_code_name(d, &r.topic))];
            row.extend(r.per_month.iter().map(|n| n.to_string()));
            row.push(r.total.to_string());
            row
        })
        .collect();
    let mut total = vec!["Tổng cộng".to_owned()];
    for i in 0..d.annex.months.len() {
        total.push(d.annex.items.iter().map(|r| r.per_month[i]).sum::<i64>().to_string());
    }
    total.push(d.annex.items.iter().map(|r| r.total).sum::<i64>().to_string());
    rows.push(total);
    (h, rows)
}

pub fn cases_table(d: &ReportData) -> (Vec<String>, Vec<Vec<String>>) {
    let h = vec!["Trạng thái".to_owned(), "Số vụ việc".to_owned()];
    let mut rows: Vec<Vec<String>> = d
        .annex
        .cases_by_status
        .iter()
        .map(|(s, n)| vec![s.clone(), n.to_string()])
        .collect();
    rows.push(vec![
        "Tổng cộng".into(),
        d.annex.cases_by_status.iter().map(|(_, n)| n).sum::<i64>().to_string(),
    ]);
    (h, rows)
}

pub fn sanctions_table(d: &ReportData) -> (Vec<String>, Vec<Vec<String>>) {
    let h = [
        "STT",
        "Số quyết định",
        "Ngày",
        "Đối tượng",
        "Hành vi vi phạm",
        "Số tiền (đồng)",
    ]
    .map(str::to_owned)
    .to_vec();
    let mut rows: Vec<Vec<String>> = d
        .annex
        .sanctions
        .iter()
        .enumerate()
        .map(|(i, s)| {
            vec![
                (i + 1).to_string(),
                s.number.clone(),
                s.date.to_string(),
                s.subject_kind.clone(),
                s.violation.clone(),
                canhgiac_domain::money::group_thousands(s.fine),
            ]
        })
        .collect();
    rows.push(vec![
        String::new(),
        "Tổng cộng".into(),
        String::new(),
        String::new(),
        String::new(),
        canhgiac_domain::money::group_thousands(Dong::new(d.fine_total).map(Dong::get).unwrap_or(0)),
    ]);
    (h, rows)
}

/// The telecom work per operator: campaigns, messages, spam reports,
/// blocked numbers, SIMs revoked and stations, with totals.
pub fn telecom_table(d: &ReportData) -> (Vec<String>, Vec<Vec<String>>) {
    let h = [
        "Doanh nghiệp",
        "Đợt tuyên truyền",
        "Tin nhắn tuyên truyền",
        "Phản ánh tin nhắn rác",
        "Phản ánh cuộc gọi rác",
        "Thuê bao bị chặn",
        "SIM thu hồi, khóa",
        "Trạm BTS",
    ]
    .map(str::to_owned)
    .to_vec();
    let n = |v: i64| canhgiac_domain::money::group_thousands(v);
    let t = &d.telecom;
    if t.rows.is_empty() {
        let mut row = vec!["Không phát sinh".to_owned()];
        row.extend(std::iter::repeat_n(String::new(), h.len() - 1));
        return (h, vec![row]);
    }
    let mut rows: Vec<Vec<String>> = t
        .rows
        .iter()
        .map(|r| {
            vec![
                r.operator.clone(),
                n(r.campaigns),
                n(r.messages_sent),
                n(r.spam.sms_reports),
                n(r.spam.call_reports),
                n(r.spam.numbers_blocked),
                n(r.spam.sims_revoked),
                n(r.stations),
            ]
        })
        .collect();
    let sum = |f: fn(&crate::telecom::TelecomRow) -> i64| t.rows.iter().map(f).fold(0, i64::saturating_add);
    rows.push(vec![
        "Tổng cộng".into(),
        n(sum(|r| r.campaigns)),
        n(sum(|r| r.messages_sent)),
        n(sum(|r| r.spam.sms_reports)),
        n(sum(|r| r.spam.call_reports)),
        n(sum(|r| r.spam.numbers_blocked)),
        n(sum(|r| r.spam.sims_revoked)),
        n(sum(|r| r.stations)),
    ]);
    (h, rows)
}
