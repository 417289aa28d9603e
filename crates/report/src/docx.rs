//! DOCX written by hand (WordprocessingML), so every rule of Decree 30 is
//! ours to set: A4, margins, Times New Roman, the two-column header with
//! its rule lines, page numbers from page 2, real footnotes, recipients and
//! signature, and the annex with its chart.

use std::fmt::Write as _;
use std::io::Write as _;

use crate::doc::{Block, Inline};
use crate::layout::{mm_to_twips, pt_to_half_points, text_width_pt, Layout};
use crate::{Report, ReportError};

const NS: &str = concat!(
    r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" "#,
    r#"xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" "#,
    r#"xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" "#,
    r#"xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" "#,
    r#"xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture""#
);

use crate::html::esc;

/// Run properties.
#[derive(Clone, Copy, Default)]
struct R {
    size: Option<f64>,
    bold: bool,
    italic: bool,
    caps: bool,
}

fn run(text: &str, r: R) -> String {
    let mut p = String::new();
    if r.bold {
        p.push_str("<w:b/><w:bCs/>");
    }
    if r.italic {
        p.push_str("<w:i/><w:iCs/>");
    }
    if let Some(s) = r.size {
        let hp = pt_to_half_points(s);
        let _ = write!(p, r#"<w:sz w:val="{hp}"/><w:szCs w:val="{hp}"/>"#);
    }
    let text = if r.caps { text.to_uppercase() } else { text.to_owned() };
    format!(
        r#"<w:r><w:rPr>{p}</w:rPr><w:t xml:space="preserve">{}</w:t></w:r>"#,
        esc(&text)
    )
}

/// A centred paragraph without indent or spacing (header, title, tables).
fn centred(runs: &str, after_pt: f64) -> String {
    format!(
        r#"<w:p><w:pPr><w:pStyle w:val="Plain"/><w:jc w:val="center"/><w:spacing w:before="0" w:after="{}" w:line="240" w:lineRule="auto"/></w:pPr>{runs}</w:p>"#,
        (after_pt * 20.0).round() as i64
    )
}

/// A solid rule of `len_tw` twips centred in a box `box_tw` wide: an empty
/// paragraph with a top border, indented from both sides.
fn rule(len_tw: i64, box_tw: i64) -> String {
    let side = ((box_tw - len_tw) / 2).max(0);
    format!(
        r#"<w:p><w:pPr><w:pStyle w:val="Plain"/><w:pBdr><w:top w:val="single" w:sz="6" w:space="1" w:color="000000"/></w:pBdr><w:spacing w:before="0" w:after="0" w:line="120" w:lineRule="exact"/><w:ind w:left="{side}" w:right="{side}" w:firstLine="0"/><w:rPr><w:sz w:val="4"/></w:rPr></w:pPr></w:p>"#
    )
}

/// Splits a header line that would wrap into lines of balanced width,
/// breaking between words (`SỞ THÔNG TIN VÀ` / `TRUYỀN THÔNG`), never inside
/// a word pair the word processor would pick.
pub fn balanced_lines(text: &str, size_pt: f64, bold: bool, box_tw: i64) -> Vec<String> {
    let width = |s: &str| (text_width_pt(s, size_pt, bold) * 20.0) as i64;
    if width(text) <= box_tw {
        return vec![text.to_owned()];
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut best: Option<(i64, usize)> = None;
    for cut in 1..words.len() {
        let a = words[..cut].join(" ");
        let b = words[cut..].join(" ");
        let worst = width(&a).max(width(&b));
        if best.is_none_or(|(w, _)| worst < w) {
            best = Some((worst, cut));
        }
    }
    match best {
        Some((_, cut)) => vec![words[..cut].join(" "), words[cut..].join(" ")],
        None => vec![text.to_owned()],
    }
}

fn pt_to_tw(pt: f64) -> i64 {
    (pt * 20.0).round() as i64
}

fn cell(width: i64, content: &str) -> String {
    format!(r#"<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>{content}</w:tc>"#)
}

fn borderless_table(widths: &[i64], rows: &[Vec<String>]) -> String {
    let total: i64 = widths.iter().sum();
    let mut t = format!(
        r#"<w:tbl><w:tblPr><w:tblW w:w="{total}" w:type="dxa"/><w:jc w:val="center"/><w:tblBorders><w:top w:val="nil"/><w:left w:val="nil"/><w:bottom w:val="nil"/><w:right w:val="nil"/><w:insideH w:val="nil"/><w:insideV w:val="nil"/></w:tblBorders><w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar><w:tblLook w:val="0000"/></w:tblPr><w:tblGrid>"#
    );
    for w in widths {
        let _ = write!(t, r#"<w:gridCol w:w="{w}"/>"#);
    }
    t.push_str("</w:tblGrid>");
    for r in rows {
        t.push_str("<w:tr>");
        for (w, c) in widths.iter().zip(r) {
            t.push_str(&cell(*w, c));
        }
        t.push_str("</w:tr>");
    }
    t.push_str("</w:tbl>");
    t
}

fn grid_table(widths: &[i64], header: &[String], rows: &[Vec<String>], size: f64) -> String {
    let total: i64 = widths.iter().sum();
    let mut t = format!(
        r#"<w:tbl><w:tblPr><w:tblW w:w="{total}" w:type="dxa"/><w:jc w:val="center"/><w:tblBorders><w:top w:val="single" w:sz="4"/><w:left w:val="single" w:sz="4"/><w:bottom w:val="single" w:sz="4"/><w:right w:val="single" w:sz="4"/><w:insideH w:val="single" w:sz="4"/><w:insideV w:val="single" w:sz="4"/></w:tblBorders><w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>"#
    );
    for w in widths {
        let _ = write!(t, r#"<w:gridCol w:w="{w}"/>"#);
    }
    t.push_str("</w:tblGrid>");
    let para = |s: &str, bold: bool, right: bool| {
        format!(
            r#"<w:p><w:pPr><w:pStyle w:val="Plain"/><w:jc w:val="{}"/><w:spacing w:before="20" w:after="20"/></w:pPr>{}</w:p>"#,
            if right {
                "right"
            } else if bold {
                "center"
            } else {
                "left"
            },
            run(
                s,
                R {
                    size: Some(size),
                    bold,
                    ..R::default()
                }
            )
        )
    };
    t.push_str(r#"<w:tr><w:trPr><w:tblHeader/></w:trPr>"#);
    for (w, h) in widths.iter().zip(header) {
        t.push_str(&cell(*w, &para(h, true, false)));
    }
    t.push_str("</w:tr>");
    for r in rows {
        t.push_str("<w:tr>");
        for (i, (w, c)) in widths.iter().zip(r).enumerate() {
            let numeric = i > 0 && !c.is_empty() && c.chars().all(|ch| ch.is_ascii_digit() || ch == '.');
            t.push_str(&cell(*w, &para(c, false, numeric)));
        }
        t.push_str("</w:tr>");
    }
    t.push_str("</w:tbl>");
    t
}

fn inlines(list: &[Inline], base: R) -> String {
    let mut s = String::new();
    for i in list {
        match i {
            Inline::Span(sp) => s.push_str(&run(
                &sp.text,
                R {
                    bold: base.bold || sp.bold,
                    italic: base.italic || sp.italic,
                    ..base
                },
            )),
            Inline::Note(n) => {
                // An automatic footnote reference, in superscript parentheses
                // as the seed writes ⁽¹⁾: the number stays the word processor's.
                let _ = write!(
                    s,
                    r#"<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:t>(</w:t></w:r><w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteReference w:id="{n}"/></w:r><w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:t>)</w:t></w:r>"#
                );
            }
        }
    }
    s
}

fn body_para(content: &str, indent: bool) -> String {
    let ind = if indent { "" } else { r#"<w:ind w:firstLine="0"/>"# };
    format!(r#"<w:p><w:pPr><w:pStyle w:val="Normal"/>{ind}</w:pPr>{content}</w:p>"#)
}

/// The two-column, borderless header: agency and number on the left,
/// national title, motto and place-date on the right.
fn header_table(rep: &Report, lay: &Layout, content_w: i64) -> String {
    let d = &rep.data;
    let left_w = mm_to_twips(lay.header_left_mm);
    let right_w = content_w - left_w;
    let mut x = String::new();
    // ----- header: two columns, borderless
    let agency_style = R {
        size: Some(lay.agency_pt),
        bold: true,
        ..R::default()
    };
    let agency_lines = balanced_lines(&d.agency.name.to_uppercase(), lay.agency_pt, true, left_w - 114);
    let widest = agency_lines
        .iter()
        .map(|l| (text_width_pt(l, lay.agency_pt, true) * 20.0) as i64)
        .max()
        .unwrap_or(0);
    let agency_line = ((widest.min(left_w - 114)) as f64 * 0.4) as i64;
    let mut left1 = centred(
        &run(
            &d.agency.parent_name.to_uppercase(),
            R {
                size: Some(lay.agency_pt),
                ..R::default()
            },
        ),
        0.0,
    );
    for l in &agency_lines {
        left1.push_str(&centred(&run(l, agency_style), 0.0));
    }
    left1.push_str(&rule(agency_line, left_w - 114));
    let motto = "Độc lập - Tự do - Hạnh phúc";
    let motto_w = (text_width_pt(motto, lay.motto_pt, true) * 20.0) as i64;
    let right1 = format!(
        "{}{}{}",
        centred(
            &run(
                "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                R {
                    size: Some(lay.national_title_pt),
                    bold: true,
                    ..R::default()
                }
            ),
            0.0
        ),
        centred(
            &run(
                motto,
                R {
                    size: Some(lay.motto_pt),
                    bold: true,
                    ..R::default()
                }
            ),
            0.0
        ),
        rule(motto_w.min(right_w - 114), right_w - 114)
    );
    let left2 = centred(
        &run(
            &format!("Số: {}", d.report.symbol),
            R {
                size: Some(lay.number_pt),
                ..R::default()
            },
        ),
        0.0,
    );
    let right2 = centred(
        &run(
            &format!("{}, {}", d.agency.place, d.report.date.vn_long()),
            R {
                size: Some(lay.place_date_pt),
                italic: true,
                ..R::default()
            },
        ),
        0.0,
    );
    x.push_str(&borderless_table(
        &[left_w, right_w],
        &[vec![left1, right1], vec![left2, right2]],
    ));

    x
}

/// `BÁO CÁO`, the trích yếu and the rule under it.
fn title_block(rep: &Report, lay: &Layout, content_w: i64) -> String {
    let mut x = String::new();
    // ----- title and summary
    let title = format!(
        r#"<w:p><w:pPr><w:pStyle w:val="Plain"/><w:jc w:val="center"/><w:spacing w:before="480" w:after="0"/></w:pPr>{}</w:p>"#,
        run(
            "BÁO CÁO",
            R {
                size: Some(lay.title_pt),
                bold: true,
                ..R::default()
            }
        )
    );
    x.push_str(&title);
    x.push_str(&centred(
        &run(
            &rep.summary,
            R {
                size: Some(lay.title_pt),
                bold: true,
                ..R::default()
            },
        ),
        0.0,
    ));
    let summary_w = (text_width_pt(&rep.summary, lay.title_pt, true) * 20.0) as i64;
    x.push_str(&rule((summary_w.min(content_w) as f64 * 0.4) as i64, content_w));
    x.push_str(r#"<w:p><w:pPr><w:pStyle w:val="Plain"/><w:spacing w:before="0" w:after="120"/></w:pPr></w:p>"#);

    x
}

/// The narrative: headings, paragraphs and bullets.
fn body_blocks(rep: &Report) -> String {
    let d = &rep.data;
    let mut x = String::new();
    // ----- body
    let upper = d.agency.heading_upper;
    for b in &rep.doc.blocks {
        match b {
            Block::Heading { level, inlines: inl } => {
                let list: Vec<Inline> = if *level == 1 && upper {
                    inl.iter()
                        .map(|i| match i {
                            Inline::Span(s) => Inline::Span(crate::doc::Span {
                                text: s.text.to_uppercase(),
                                ..s.clone()
                            }),
                            other => other.clone(),
                        })
                        .collect()
                } else {
                    inl.clone()
                };
                x.push_str(&body_para(
                    &inlines(
                        &list,
                        R {
                            bold: true,
                            ..R::default()
                        },
                    ),
                    true,
                ));
            }
            Block::Para(inl) => x.push_str(&body_para(&inlines(inl, R::default()), true)),
            Block::Bullet(inl) => {
                let mut list = vec![Inline::Span(crate::doc::Span {
                    text: "- ".into(),
                    ..Default::default()
                })];
                list.extend(inl.iter().cloned());
                x.push_str(&body_para(&inlines(&list, R::default()), true));
            }
        }
    }

    x
}

/// `Nơi nhận` beside the signature, in one borderless table.
fn signature_block(rep: &Report, lay: &Layout, content_w: i64) -> String {
    let d = &rep.data;
    let mut x = String::new();
    // ----- recipients and signature
    let mut left = centred(
        &run(
            "Nơi nhận:",
            R {
                size: Some(lay.recipients_label_pt),
                bold: true,
                italic: true,
                ..R::default()
            },
        ),
        0.0,
    )
    .replace(r#"<w:jc w:val="center"/>"#, r#"<w:jc w:val="left"/>"#);
    let n = d.recipients.len();
    for (i, r) in d.recipients.iter().enumerate() {
        let end = if i + 1 == n { "." } else { ";" };
        let text = format!("- {}{end}", r.trim_end_matches(['.', ';']));
        left.push_str(
            &centred(
                &run(
                    &text,
                    R {
                        size: Some(lay.recipients_pt),
                        ..R::default()
                    },
                ),
                0.0,
            )
            .replace(r#"<w:jc w:val="center"/>"#, r#"<w:jc w:val="left"/>"#),
        );
    }
    let sign = R {
        size: Some(lay.signer_pt),
        bold: true,
        ..R::default()
    };
    let mut right = String::new();
    if d.signer.authority.is_empty() {
        right.push_str(&centred(&run(&d.signer.position.to_uppercase(), sign), 0.0));
    } else {
        right.push_str(&centred(
            &run(
                &format!("{} {}", d.signer.authority, d.signer.head_title.to_uppercase()),
                sign,
            ),
            0.0,
        ));
        right.push_str(&centred(&run(&d.signer.position.to_uppercase(), sign), 0.0));
    }
    for _ in 0..4 {
        right.push_str(&centred("", 12.0));
    }
    right.push_str(&centred(&run(&d.signer.full_name, sign), 0.0));
    x.push_str(r#"<w:p><w:pPr><w:pStyle w:val="Plain"/><w:spacing w:before="0" w:after="0"/></w:pPr></w:p>"#);
    let half = content_w / 2 - 300;
    x.push_str(&borderless_table(&[half, content_w - half], &[vec![left, right]]));

    x
}

/// The statistical annex on its own page: tables and the chart.
fn annex_block(rep: &Report, lay: &Layout, content_w: i64) -> String {
    let d = &rep.data;
    let mut x = String::new();
    // ----- annex
    x.push_str(r#"<w:p><w:r><w:br w:type="page"/></w:r></w:p>"#);
    x.push_str(&centred(
        &run(
            "PHỤ LỤC",
            R {
                size: Some(lay.title_pt),
                bold: true,
                ..R::default()
            },
        ),
        0.0,
    ));
    x.push_str(&centred(
        &run(
            &format!(
                "Số liệu thống kê kèm theo Báo cáo số {} ngày {} ({} đến {})",
                d.report.symbol,
                d.report.date.vn_text(),
                d.report.from,
                d.report.to
            ),
            R {
                size: Some(13.0),
                italic: true,
                ..R::default()
            },
        ),
        12.0,
    ));
    let small = 11.0;
    let heading = |s: &str| {
        body_para(
            &run(
                s,
                R {
                    bold: true,
                    ..R::default()
                },
            ),
            false,
        )
    };
    x.push_str(&heading("Bảng 1. Tin, bài theo cơ quan, chủ đề và tháng"));
    let (h, rows) = crate::annex::items_table(d);
    let first = 2600;
    let other = ((content_w - first) / (h.len() as i64 - 1).max(1)).max(400);
    let mut widths = vec![first];
    widths.extend(std::iter::repeat_n(other, h.len() - 1));
    x.push_str(&grid_table(&widths, &h, &rows, 10.0));
    if !rep.chart_png.is_empty() {
        x.push_str(&heading("Biểu đồ 1. Tin, bài theo chủ đề và cơ quan"));
        x.push_str(&inline_chart(1));
    }
    x.push_str(&heading("Bảng 2. Vụ việc thông tin xấu, độc theo trạng thái"));
    let (h, rows) = crate::annex::cases_table(d);
    x.push_str(&grid_table(&[content_w - 2000, 2000], &h, &rows, small));
    x.push_str(&heading("Bảng 3. Quyết định xử phạt vi phạm hành chính"));
    let (h, rows) = crate::annex::sanctions_table(d);
    let w = [600, 1600, 1200, 1200, content_w - 600 - 1600 - 1200 - 1200 - 1700, 1700];
    x.push_str(&grid_table(&w, &h, &rows, small));
    x.push_str(&heading("Bảng 4. Công tác viễn thông theo doanh nghiệp"));
    let (h, rows) = crate::annex::telecom_table(d);
    let other = (content_w - 2200) / 7;
    let mut w = vec![content_w - other * 7];
    w.extend(std::iter::repeat_n(other, 7));
    x.push_str(&grid_table(&w, &h, &rows, small));
    if !rep.telecom_chart_png.is_empty() {
        x.push_str(&heading("Biểu đồ 2. Phản ánh tin nhắn, cuộc gọi rác theo tháng"));
        x.push_str(&inline_chart(2));
    }

    x
}

/// Chart `n` (`word/media/bieu-do-{n}.png`, relationship `rIdChart{n}`)
/// as a centred picture 16 cm wide.
fn inline_chart(n: u32) -> String {
    let cx = 160 * 36_000i64;
    let cy = cx * i64::from(crate::chart::HEIGHT) / i64::from(crate::chart::WIDTH);
    format!(
        r#"<w:p><w:pPr><w:pStyle w:val="Plain"/><w:jc w:val="center"/></w:pPr><w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="{cx}" cy="{cy}"/><wp:docPr id="{n}" name="Biểu đồ {n}"/><wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic><pic:nvPicPr><pic:cNvPr id="{n}" name="bieu-do-{n}.png"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed="rIdChart{n}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>"#
    )
}

/// A4, the margins, and the header on pages 2 and after only.
fn section_props(lay: &Layout) -> String {
    let mut x = String::new();
    // ----- section: A4, margins, header on pages 2+ only
    let _ = write!(
        x,
        r#"<w:sectPr><w:headerReference w:type="default" r:id="rIdHeaderDefault"/><w:headerReference w:type="first" r:id="rIdHeaderFirst"/><w:footnotePr><w:numFmt w:val="decimal"/></w:footnotePr><w:pgSz w:w="{}" w:h="{}"/><w:pgMar w:top="{}" w:right="{}" w:bottom="{}" w:left="{}" w:header="567" w:footer="567" w:gutter="0"/><w:titlePg/></w:sectPr></w:body></w:document>"#,
        mm_to_twips(lay.page_width_mm),
        mm_to_twips(lay.page_height_mm),
        mm_to_twips(lay.margin_top_mm),
        mm_to_twips(lay.margin_right_mm),
        mm_to_twips(lay.margin_bottom_mm),
        mm_to_twips(lay.margin_left_mm),
    );
    x
}

fn document_xml(rep: &Report, lay: &Layout) -> String {
    let content_w = mm_to_twips(lay.page_width_mm - lay.margin_left_mm - lay.margin_right_mm);
    let mut x = String::new();
    let _ = write!(
        x,
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {NS}><w:body>"#
    );
    x.push_str(&header_table(rep, lay, content_w));
    x.push_str(&title_block(rep, lay, content_w));
    x.push_str(&body_blocks(rep));
    x.push_str(&signature_block(rep, lay, content_w));
    x.push_str(&annex_block(rep, lay, content_w));
    x.push_str(&section_props(lay));
    x
}

fn styles_xml(lay: &Layout) -> String {
    let f = esc(&lay.font);
    let body = pt_to_half_points(lay.body_pt);
    let note = pt_to_half_points(lay.footnote_pt);
    let indent = (lay.first_line_indent_cm * 1440.0 / 2.54).round() as i64;
    let after = pt_to_tw(lay.paragraph_after_pt);
    let line = (lay.line_spacing * 240.0).round() as i64;
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="{f}" w:hAnsi="{f}" w:cs="{f}" w:eastAsia="{f}"/><w:color w:val="000000"/><w:sz w:val="{body}"/><w:szCs w:val="{body}"/><w:lang w:val="vi-VN" w:eastAsia="vi-VN" w:bidi="ar-SA"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/><w:pPr><w:jc w:val="both"/><w:spacing w:before="0" w:after="{after}" w:line="{line}" w:lineRule="auto"/><w:ind w:firstLine="{indent}"/></w:pPr><w:rPr><w:sz w:val="{body}"/><w:szCs w:val="{body}"/></w:rPr></w:style><w:style w:type="paragraph" w:customStyle="1" w:styleId="Plain"><w:name w:val="Plain"/><w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="left"/><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/><w:ind w:firstLine="0"/></w:pPr></w:style><w:style w:type="paragraph" w:styleId="FootnoteText"><w:name w:val="footnote text"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/><w:ind w:firstLine="0"/></w:pPr><w:rPr><w:sz w:val="{note}"/><w:szCs w:val="{note}"/></w:rPr></w:style><w:style w:type="character" w:styleId="FootnoteReference"><w:name w:val="footnote reference"/><w:rPr><w:vertAlign w:val="superscript"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Header"><w:name w:val="header"/><w:basedOn w:val="Plain"/><w:pPr><w:jc w:val="center"/></w:pPr></w:style></w:styles>"#
    )
}

fn footnotes_xml(rep: &Report, lay: &Layout) -> String {
    let mut x = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/><w:ind w:firstLine="0"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote><w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/><w:ind w:firstLine="0"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>"#,
    );
    for (i, note) in rep.doc.footnotes.iter().enumerate() {
        let n = i + 1;
        let _ = write!(
            x,
            r#"<w:footnote w:id="{n}"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/><w:jc w:val="both"/></w:pPr><w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:t>(</w:t></w:r><w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteRef/></w:r><w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:t>)</w:t></w:r><w:r><w:t xml:space="preserve"> </w:t></w:r>{}</w:p></w:footnote>"#,
            inlines(
                note,
                R {
                    size: Some(lay.footnote_pt),
                    ..R::default()
                }
            )
        );
    }
    x.push_str("</w:footnotes>");
    x
}

fn header_xml(with_number: bool, lay: &Layout) -> String {
    let hp = pt_to_half_points(lay.page_number_pt);
    let content = if with_number {
        format!(
            r#"<w:fldSimple w:instr=" PAGE "><w:r><w:rPr><w:sz w:val="{hp}"/><w:szCs w:val="{hp}"/></w:rPr><w:t>2</w:t></w:r></w:fldSimple>"#
        )
    } else {
        String::new()
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:hdr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:p><w:pPr><w:pStyle w:val="Header"/><w:jc w:val="center"/></w:pPr>{content}</w:p></w:hdr>"#
    )
}

const SETTINGS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:defaultTabStop w:val="720"/><w:characterSpacingControl w:val="doNotCompress"/><w:footnotePr><w:footnote w:id="-1"/><w:footnote w:id="0"/></w:footnotePr><w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat></w:settings>"#;

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/><Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/><Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/><Override PartName="/word/header2.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>"#;

const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>"#;

const DOC_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rIdSettings" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/><Relationship Id="rIdFootnotes" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/><Relationship Id="rIdHeaderDefault" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/><Relationship Id="rIdHeaderFirst" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header2.xml"/><Relationship Id="rIdChart1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/bieu-do-1.png"/><Relationship Id="rIdChart2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/bieu-do-2.png"/></Relationships>"#;

fn core_xml(rep: &Report) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>Báo cáo số {}</dc:title><dc:subject>{}</dc:subject><dc:creator>{}</dc:creator><dc:language>vi-VN</dc:language></cp:coreProperties>"#,
        esc(&rep.data.report.symbol),
        esc(&rep.summary),
        esc(&rep.data.agency.name)
    )
}

/// The DOCX file's bytes.
pub fn render(rep: &Report) -> Result<Vec<u8>, ReportError> {
    let lay = &rep.layout;
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(zip::DateTime::default());
        let mut put = |name: &str, bytes: &[u8]| -> Result<(), ReportError> {
            z.start_file(name, opts)
                .map_err(|e| ReportError::Render(e.to_string()))?;
            z.write_all(bytes).map_err(|e| ReportError::Render(e.to_string()))
        };
        put("[Content_Types].xml", CONTENT_TYPES.as_bytes())?;
        put("_rels/.rels", ROOT_RELS.as_bytes())?;
        put("docProps/core.xml", core_xml(rep).as_bytes())?;
        put("word/_rels/document.xml.rels", DOC_RELS.as_bytes())?;
        put("word/document.xml", document_xml(rep, lay).as_bytes())?;
        put("word/styles.xml", styles_xml(lay).as_bytes())?;
        put("word/settings.xml", SETTINGS.as_bytes())?;
        put("word/footnotes.xml", footnotes_xml(rep, lay).as_bytes())?;
        put("word/header1.xml", header_xml(true, lay).as_bytes())?;
        put("word/header2.xml", header_xml(false, lay).as_bytes())?;
        put("word/media/bieu-do-1.png", &rep.chart_png)?;
        put("word/media/bieu-do-2.png", &rep.telecom_chart_png)?;
        z.finish().map_err(|e| ReportError::Render(e.to_string()))?;
    }
    Ok(buf.into_inner())
}
