//! The report as Markdown: header lines, title, body with footnotes,
//! recipients, signature, annex tables.

use std::fmt::Write as _;

use crate::doc::{Block, Inline};
use crate::template::escape_markdown;
use crate::{Report, ReportError};

fn inlines(list: &[Inline], upper: bool) -> String {
    let mut s = String::new();
    for i in list {
        match i {
            Inline::Span(sp) => {
                let text = if upper { sp.text.to_uppercase() } else { sp.text.clone() };
                let mut t = escape_markdown(&text);
                if sp.italic && !t.trim().is_empty() {
                    t = format!("*{t}*");
                }
                if sp.bold && !t.trim().is_empty() {
                    t = format!("**{t}**");
                }
                s.push_str(&t);
            }
            Inline::Note(n) => {
                let _ = write!(s, "[^{n}]");
            }
        }
    }
    s
}

fn table(h: &[String], rows: &[Vec<String>]) -> String {
    let mut t = format!(
        "| {} |\n|{}\n",
        h.iter().map(|x| escape_markdown(x)).collect::<Vec<_>>().join(" | "),
        " --- |".repeat(h.len())
    );
    for r in rows {
        let _ = writeln!(
            t,
            "| {} |",
            r.iter().map(|x| escape_markdown(x)).collect::<Vec<_>>().join(" | ")
        );
    }
    t
}

pub fn render(rep: &Report) -> Result<Vec<u8>, ReportError> {
    let d = &rep.data;
    let mut m = String::new();
    // Every text from the records is escaped: an agency field cannot
    // smuggle a link, an image or raw HTML into the document.
    let e = |s: &str| escape_markdown(s);
    let _ = writeln!(m, "{}  ", e(&d.agency.parent_name.to_uppercase()));
    let _ = writeln!(m, "**{}**  ", e(&d.agency.name.to_uppercase()));
    let _ = writeln!(m, "Số: {}\n", e(&d.report.symbol));
    let _ = writeln!(m, "**CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM**  ");
    let _ = writeln!(m, "**Độc lập - Tự do - Hạnh phúc**\n");
    let _ = writeln!(m, "*{}, {}*\n", e(&d.agency.place), d.report.date.vn_long());
    let _ = writeln!(m, "## BÁO CÁO\n\n**{}**\n", escape_markdown(&rep.summary));
    for b in &rep.doc.blocks {
        match b {
            Block::Heading { level, inlines: inl } => {
                let upper = *level == 1 && d.agency.heading_upper;
                let _ = writeln!(m, "**{}**\n", inlines(inl, upper));
            }
            Block::Para(inl) => {
                let _ = writeln!(m, "{}\n", inlines(inl, false));
            }
            Block::Bullet(inl) => {
                let _ = writeln!(m, "\\- {}\n", inlines(inl, false));
            }
        }
    }
    let _ = writeln!(m, "***Nơi nhận:***  ");
    let n = d.recipients.len();
    for (i, r) in d.recipients.iter().enumerate() {
        let end = if i + 1 == n { "." } else { ";" };
        let _ = writeln!(m, "\\- {}{end}  ", escape_markdown(r.trim_end_matches(['.', ';'])));
    }
    m.push('\n');
    if !d.signer.authority.is_empty() {
        let _ = writeln!(
            m,
            "**{} {}**  ",
            e(&d.signer.authority),
            e(&d.signer.head_title.to_uppercase())
        );
    }
    let _ = writeln!(
        m,
        "**{}**\n\n\n**{}**\n",
        e(&d.signer.position.to_uppercase()),
        e(&d.signer.full_name)
    );
    for (i, f) in rep.doc.footnotes.iter().enumerate() {
        let _ = writeln!(m, "[^{}]: {}\n", i + 1, inlines(f, false));
    }
    let _ = writeln!(
        m,
        "---\n\n## PHỤ LỤC\n\n*Số liệu thống kê kèm theo Báo cáo số {} ngày {}*\n",
        e(&d.report.symbol),
        d.report.date.vn_text()
    );
    let _ = writeln!(m, "### Bảng 1. Tin, bài theo cơ quan, chủ đề và tháng\n");
    let (h, rows) = crate::annex::items_table(d);
    m.push_str(&table(&h, &rows));
    let _ = writeln!(m, "\n### Bảng 2. Vụ việc thông tin xấu, độc theo trạng thái\n");
    let (h, rows) = crate::annex::cases_table(d);
    m.push_str(&table(&h, &rows));
    let _ = writeln!(m, "\n### Bảng 3. Quyết định xử phạt vi phạm hành chính\n");
    let (h, rows) = crate::annex::sanctions_table(d);
    m.push_str(&table(&h, &rows));
    let _ = writeln!(m, "\n### Bảng 4. Công tác viễn thông theo doanh nghiệp\n");
    let (h, rows) = crate::annex::telecom_table(d);
    m.push_str(&table(&h, &rows));
    Ok(m.into_bytes())
}
