//! A standalone HTML page of the report. Every figure links to the list of
//! records it counts, so an auditor can check each number.

use std::fmt::Write as _;

use base64::Engine as _;

use crate::doc::{Block, Inline};
use crate::{Report, ReportError};

pub use canhgiac_domain::markup::escape as esc;

fn safe_id(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

fn inlines(list: &[Inline], upper: bool) -> String {
    let mut s = String::new();
    for i in list {
        match i {
            Inline::Span(sp) => {
                let text = if upper { sp.text.to_uppercase() } else { sp.text.clone() };
                let mut t = esc(&text);
                if sp.italic {
                    t = format!("<em>{t}</em>");
                }
                if sp.bold {
                    t = format!("<strong>{t}</strong>");
                }
                if let Some(f) = &sp.figure {
                    t = format!(
                        r##"<a class="so-lieu" href="#{}" title="Xem các bản ghi">{t}</a>"##,
                        safe_id(f)
                    );
                }
                s.push_str(&t);
            }
            Inline::Note(n) => {
                let _ = write!(s, r##"<sup id="fnref-{n}"><a href="#fn-{n}">({n})</a></sup>"##);
            }
        }
    }
    s
}

fn table(h: &[String], rows: &[Vec<String>]) -> String {
    let mut t = String::from("<table class=\"luoi\"><thead><tr>");
    for x in h {
        let _ = write!(t, "<th>{}</th>", esc(x));
    }
    t.push_str("</tr></thead><tbody>");
    for r in rows {
        t.push_str("<tr>");
        for (i, c) in r.iter().enumerate() {
            let num = i > 0 && !c.is_empty() && c.chars().all(|ch| ch.is_ascii_digit() || ch == '.');
            let _ = write!(t, "<td{}>{}</td>", if num { " class=\"so\"" } else { "" }, esc(c));
        }
        t.push_str("</tr>");
    }
    t.push_str("</tbody></table>");
    t
}

const STYLE: &str = r#"
body { font-family: "Times New Roman", "Liberation Serif", serif; font-size: 14pt; color: #000; background: #eee; margin: 0; }
.trang { background: #fff; max-width: 165mm; margin: 12px auto; padding: 20mm 15mm 20mm 30mm; }
.dau { width: 100%; border-collapse: collapse; }
.dau td { vertical-align: top; text-align: center; padding: 0; }
.dau .trai { width: 40%; font-size: 13pt; } .dau .phai { font-size: 13pt; }
.quoc-hieu { font-size: 12pt; font-weight: bold; } .tieu-ngu { font-size: 14pt; font-weight: bold; }
.gach { border-top: 1px solid #000; margin: 2px auto 6px; }
.gach-40 { width: 40%; } .gach-62 { width: 62%; } .gach-35 { width: 35%; } .giua { text-align: center; }
.ngay { font-style: italic; font-size: 14pt; }
h1.loai { font-size: 14pt; text-align: center; margin: 24px 0 0; }
p.trich-yeu { font-weight: bold; text-align: center; margin: 0; }
.noi-dung p { text-align: justify; text-indent: 1.27cm; margin: 0 0 6pt; line-height: 1.15; }
.noi-dung .muc { font-weight: bold; }
a.so-lieu { color: inherit; text-decoration: underline dotted; }
.chu-thich { font-size: 12pt; border-top: 1px solid #000; margin-top: 12pt; padding-top: 4pt; }
.ky { width: 100%; border-collapse: collapse; margin-top: 12pt; }
.ky td { vertical-align: top; width: 50%; }
.noi-nhan { font-size: 11pt; } .noi-nhan b { font-size: 12pt; font-style: italic; }
.chu-ky { text-align: center; font-weight: bold; }
.chu-ky .ten { margin-top: 80px; }
table.luoi { border-collapse: collapse; width: 100%; font-size: 11pt; margin: 6pt 0 12pt; }
table.luoi th, table.luoi td { border: 1px solid #000; padding: 2px 4px; }
table.luoi td.so { text-align: right; }
.phu-luc h2, .doi-chieu h2 { font-size: 14pt; text-align: center; }
.phu-luc h3, .doi-chieu h3 { font-size: 13pt; }
.doi-chieu ol { font-size: 12pt; }
img.bieu-do { width: 100%; height: auto; }
@media print { body { background: #fff; } .trang { margin: 0; box-shadow: none; } .doi-chieu { display: none; } }
"#;

/// The CSP source that allows exactly the page's inline style sheet.
pub fn style_hash() -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(STYLE.as_bytes()))
    )
}

pub fn render(rep: &Report) -> Result<Vec<u8>, ReportError> {
    let d = &rep.data;
    let mut h = String::new();
    let _ = write!(
        h,
        r#"<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Báo cáo số {}</title><style>{STYLE}</style></head><body><main class="trang">"#,
        esc(&d.report.symbol)
    );
    let _ = write!(
        h,
        r#"<table class="dau"><tr><td class="trai"><div>{}</div><div><b>{}</b></div><div class="gach gach-40"></div></td><td class="phai"><div class="quoc-hieu">CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</div><div class="tieu-ngu">Độc lập - Tự do - Hạnh phúc</div><div class="gach gach-62"></div></td></tr><tr><td class="trai">Số: {}</td><td class="ngay">{}, {}</td></tr></table>"#,
        esc(&d.agency.parent_name.to_uppercase()),
        esc(&d.agency.name.to_uppercase()),
        esc(&d.report.symbol),
        esc(&d.agency.place),
        esc(&d.report.date.vn_long())
    );
    let _ = write!(
        h,
        r#"<h1 class="loai">BÁO CÁO</h1><p class="trich-yeu">{}</p><div class="gach gach-35"></div><div class="noi-dung">"#,
        esc(&rep.summary)
    );
    for b in &rep.doc.blocks {
        match b {
            Block::Heading { level, inlines: inl } => {
                let upper = *level == 1 && d.agency.heading_upper;
                let _ = write!(h, r#"<p class="muc muc-{level}">{}</p>"#, inlines(inl, upper));
            }
            Block::Para(inl) => {
                let _ = write!(h, "<p>{}</p>", inlines(inl, false));
            }
            Block::Bullet(inl) => {
                let _ = write!(h, "<p>- {}</p>", inlines(inl, false));
            }
        }
    }
    h.push_str("</div>");
    if !rep.doc.footnotes.is_empty() {
        h.push_str(r#"<div class="chu-thich">"#);
        for (i, f) in rep.doc.footnotes.iter().enumerate() {
            let n = i + 1;
            let _ = write!(
                h,
                r##"<p id="fn-{n}"><sup>({n})</sup> {} <a href="#fnref-{n}" aria-label="Quay lại">↩</a></p>"##,
                inlines(f, false)
            );
        }
        h.push_str("</div>");
    }
    h.push_str(r#"<table class="ky"><tr><td class="noi-nhan"><b>Nơi nhận:</b><br>"#);
    let n = d.recipients.len();
    for (i, r) in d.recipients.iter().enumerate() {
        let end = if i + 1 == n { "." } else { ";" };
        let _ = write!(h, "- {}{end}<br>", esc(r.trim_end_matches(['.', ';'])));
    }
    h.push_str(r#"</td><td class="chu-ky">"#);
    if !d.signer.authority.is_empty() {
        let _ = write!(
            h,
            "<div>{} {}</div>",
            esc(&d.signer.authority),
            esc(&d.signer.head_title.to_uppercase())
        );
    }
    let _ = write!(
        h,
        r#"<div>{}</div><div class="ten">{}</div></td></tr></table>"#,
        esc(&d.signer.position.to_uppercase()),
        esc(&d.signer.full_name)
    );
    h.push_str(&annex_section(rep));
    h.push_str(&drill_section(rep));
    h.push_str("</section></main></body></html>\n");
    Ok(h.into_bytes())
}

/// The statistical annex: tables and the chart.
fn annex_section(rep: &Report) -> String {
    let d = &rep.data;
    let mut h = String::new();
    // Annex
    let _ = write!(
        h,
        r#"<section class="phu-luc"><h2>PHỤ LỤC</h2><p class="giua"><i>Số liệu thống kê kèm theo Báo cáo số {} ngày {}</i></p><h3>Bảng 1. Tin, bài theo cơ quan, chủ đề và tháng</h3>"#,
        esc(&d.report.symbol),
        esc(&d.report.date.vn_text())
    );
    let (th, rows) = crate::annex::items_table(d);
    h.push_str(&table(&th, &rows));
    if !rep.chart_png.is_empty() {
        let _ = write!(
            h,
            r#"<h3>Biểu đồ 1. Tin, bài theo chủ đề và cơ quan</h3><img class="bieu-do" alt="Biểu đồ tin, bài theo chủ đề và cơ quan" src="data:image/png;base64,{}">"#,
            base64::engine::general_purpose::STANDARD.encode(&rep.chart_png)
        );
    }
    h.push_str("<h3>Bảng 2. Vụ việc thông tin xấu, độc theo trạng thái</h3>");
    let (th, rows) = crate::annex::cases_table(d);
    h.push_str(&table(&th, &rows));
    h.push_str("<h3>Bảng 3. Quyết định xử phạt vi phạm hành chính</h3>");
    let (th, rows) = crate::annex::sanctions_table(d);
    h.push_str(&table(&th, &rows));
    h.push_str("<h3>Bảng 4. Công tác viễn thông theo doanh nghiệp</h3>");
    let (th, rows) = crate::annex::telecom_table(d);
    h.push_str(&table(&th, &rows));
    if !rep.telecom_chart_png.is_empty() {
        let _ = write!(
            h,
            r#"<h3>Biểu đồ 2. Phản ánh tin nhắn, cuộc gọi rác theo tháng</h3><img class="bieu-do" alt="Biểu đồ phản ánh tin nhắn, cuộc gọi rác theo tháng" src="data:image/png;base64,{}">"#,
            base64::engine::general_purpose::STANDARD.encode(&rep.telecom_chart_png)
        );
    }
    h.push_str("</section>");
    h
}

/// Every figure with the records behind it, so each number can be checked.
fn drill_section(rep: &Report) -> String {
    let d = &rep.data;
    let mut h = String::new();
    // Drill-down
    h.push_str(r#"<section class="doi-chieu"><h2>ĐỐI CHIẾU SỐ LIỆU VỚI BẢN GHI</h2>"#);
    for (id, f) in &d.figures {
        let rows = rep.drill.get(id).map(Vec::as_slice).unwrap_or_default();
        let _ = write!(
            h,
            r#"<section id="fig-{}"><h3>{}: {}</h3><ol>"#,
            safe_id(id),
            esc(&f.label),
            esc(&canhgiac_domain::money::group_thousands(f.value))
        );
        for r in rows {
            let _ = write!(h, r#"<li data-id="{}">{}</li>"#, r.id, esc(&r.text));
        }
        h.push_str("</ol>");
        let shown = rows.len() as i64;
        let counted = if f.sum { f.ids.len() as i64 } else { f.value };
        if counted > shown {
            let _ = write!(h, "<p>… và {} bản ghi khác.</p>", counted - shown);
        }
        h.push_str("</section>");
    }
    h
}
