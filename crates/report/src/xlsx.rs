//! The statistical annex as a workbook with real numeric cells.

use rust_xlsxwriter::{Format, Workbook};

use crate::annex::month_label;
use crate::{Report, ReportError};

fn e(err: rust_xlsxwriter::XlsxError) -> ReportError {
    ReportError::Render(format!("xlsx: {err}"))
}

/// A cell of text, protected against being read as a formula.
fn text(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

pub fn render(rep: &Report) -> Result<Vec<u8>, ReportError> {
    let d = &rep.data;
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0");

    let ws = wb.add_worksheet();
    ws.set_name("Tin bai").map_err(e)?;
    ws.write_string_with_format(0, 0, "Cơ quan", &bold).map_err(e)?;
    ws.write_string_with_format(0, 1, "Chủ đề", &bold).map_err(e)?;
    for (i, m) in d.annex.months.iter().enumerate() {
        ws.write_string_with_format(0, (i + 2) as u16, month_label(m), &bold)
            .map_err(e)?;
    }
    let total_col = (d.annex.months.len() + 2) as u16;
    ws.write_string_with_format(0, total_col, "Cộng", &bold).map_err(e)?;
    for (r, row) in d.annex.items.iter().enumerate() {
        let r = (r + 1) as u32;
        ws.write_string(r, 0, text(&row.outlet)).map_err(e)?;
        ws.write_string(r, 1, text(&row.topic)).map_err(e)?;
        for (i, n) in row.per_month.iter().enumerate() {
            ws.write_number(r, (i + 2) as u16, *n as f64).map_err(e)?;
        }
        ws.write_number(r, total_col, row.total as f64).map_err(e)?;
    }
    ws.set_column_width(0, 42).map_err(e)?;

    let ws = wb.add_worksheet();
    ws.set_name("Vu viec").map_err(e)?;
    ws.write_string_with_format(0, 0, "Trạng thái", &bold).map_err(e)?;
    ws.write_string_with_format(0, 1, "Số vụ việc", &bold).map_err(e)?;
    for (r, (s, n)) in d.annex.cases_by_status.iter().enumerate() {
        ws.write_string((r + 1) as u32, 0, text(s)).map_err(e)?;
        ws.write_number((r + 1) as u32, 1, *n as f64).map_err(e)?;
    }
    ws.set_column_width(0, 30).map_err(e)?;

    let ws = wb.add_worksheet();
    ws.set_name("Xu phat").map_err(e)?;
    for (c, h) in [
        "Số quyết định",
        "Ngày",
        "Loại đối tượng",
        "Hành vi vi phạm",
        "Số tiền (đồng)",
        "Người ra quyết định",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string_with_format(0, c as u16, *h, &bold).map_err(e)?;
    }
    for (r, s) in d.annex.sanctions.iter().enumerate() {
        let r = (r + 1) as u32;
        ws.write_string(r, 0, text(&s.number)).map_err(e)?;
        ws.write_string(r, 1, s.date.to_string()).map_err(e)?;
        ws.write_string(r, 2, text(&s.subject_kind)).map_err(e)?;
        ws.write_string(r, 3, text(&s.violation)).map_err(e)?;
        ws.write_number_with_format(r, 4, s.fine as f64, &money).map_err(e)?;
        ws.write_string(r, 5, text(&s.issuer)).map_err(e)?;
    }
    let last = (d.annex.sanctions.len() + 1) as u32;
    ws.write_string_with_format(last, 3, "Tổng cộng", &bold).map_err(e)?;
    ws.write_number_with_format(last, 4, d.fine_total as f64, &money)
        .map_err(e)?;
    ws.set_column_width(3, 60).map_err(e)?;

    let ws = wb.add_worksheet();
    ws.set_name("Vien thong").map_err(e)?;
    let (headers, _) = crate::annex::telecom_table(d);
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, text(h), &bold).map_err(e)?;
    }
    let rows = &d.telecom.rows;
    let values = |r: &crate::telecom::TelecomRow| {
        [
            r.campaigns,
            r.messages_sent,
            r.spam.sms_reports,
            r.spam.call_reports,
            r.spam.numbers_blocked,
            r.spam.sims_revoked,
            r.stations,
        ]
    };
    let mut totals = [0i64; 7];
    for (i, r) in rows.iter().enumerate() {
        let row = (i + 1) as u32;
        ws.write_string(row, 0, text(&r.operator)).map_err(e)?;
        for (c, v) in values(r).iter().enumerate() {
            ws.write_number_with_format(row, (c + 1) as u16, *v as f64, &money)
                .map_err(e)?;
            totals[c] = totals[c].saturating_add(*v);
        }
    }
    let last = (rows.len() + 1) as u32;
    ws.write_string_with_format(
        last,
        0,
        if rows.is_empty() {
            "Không phát sinh"
        } else {
            "Tổng cộng"
        },
        &bold,
    )
    .map_err(e)?;
    if !rows.is_empty() {
        for (c, v) in totals.iter().enumerate() {
            ws.write_number_with_format(last, (c + 1) as u16, *v as f64, &money)
                .map_err(e)?;
        }
    }
    ws.set_column_width(0, 34).map_err(e)?;
    wb.save_to_buffer().map_err(e)
}
