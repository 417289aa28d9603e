//! The report from the seed dataset: its figures and wording (golden), its
//! DOCX layout read back from the file, real readers (LibreOffice, poppler),
//! periods at their edges, comparisons, templates and hostile text.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)] // a failed unwrap in a test is a failed test

use std::io::Read;

use canhgiac_domain::*;
use canhgiac_report::{build, Format, Report, ReportSpec};
use canhgiac_store::prelude::*;
use canhgiac_store::{Actor, SqlStore};

const SEED: &str = include_str!("../../../fixtures/seed-2024-h1.json");

async fn seeded() -> (tempfile::TempDir, SqlStore) {
    let dir = tempfile::tempdir().expect("dir");
    let store = SqlStore::open_sqlite(dir.path()).await.expect("store");
    let data = canhgiac_interchange::read_json("seed.json", SEED.as_bytes())
        .expect("seed")
        .records;
    store.import(&Actor::system("test"), &data).await.expect("import");
    (dir, store)
}

fn spec_h1() -> ReportSpec {
    ReportSpec {
        agency: None,
        kind: ReportKind::HalfYear,
        period: Some(Period::Half(2024, 1)),
        range: None,
        number: Some(180),
        date: Date::parse("11/06/2024").expect("date"),
    }
}

async fn seed_report() -> (tempfile::TempDir, SqlStore, Report) {
    let (dir, store) = seeded().await;
    let r = build(&store, &spec_h1(), None, None, false).await.expect("report");
    (dir, store, r)
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

const SEED_PHRASES: &[&str] = &[
    "Thực hiện Công văn số 2023/BCĐ-CAT ngày 05/6/2024 của Ban chỉ đạo Phòng chống tội phạm, TNXH và xây dựng PT TDBVANTQ về báo cáo sơ kết công tác phòng chống tội phạm",
    "Sở Thông tin và Truyền thông báo cáo kết quả như sau:",
    "6 tháng đầu năm 2024, Sở Thông tin và Truyền thông ban hành 06 văn bản chỉ đạo tuyên truyền phòng chống tội phạm, ma túy, mua bán người tới các cơ quan báo chí và hệ thống thông tin cơ sở.",
    "đăng tải gần 100 tin, bài, phóng sự... về công tác phòng, chống tội phạm",
    "Đài Phát thanh và Truyền hình tỉnh Bắc Giang tuyên truyền gần 70 tin, bài",
    "Báo Bắc Giang đăng tải 50 tin, bài, ảnh",
    "phát sóng định kỳ 01 chuyên mục/tuần, thời lượng 15 phút/1 chuyên mục",
    "Tiến hành 05 cuộc thanh tra, kiểm tra, đối với 21 tổ chức, cá nhân (14 tổ chức, 07 cá nhân)",
    "xử phạt vi phạm hành chính đối với 06 tổ chức, cá nhân (02 tổ chức, 04 cá nhân) với tổng số tiền là 19,5 triệu đồng và buộc gỡ bỏ thông tin sai sự thật",
    "Tiêu biểu một số vụ việc như:",
    "số tiền là 7,5 triệu đồng",
    "09 video",
    "III. Phương hướng nhiệm vụ 6 tháng cuối năm 2024",
    "Biểu dương kịp thời các tập thể, cá nhân điển hình, sáng tạo trong thực hiện nhiệm vụ./.",
];

#[tokio::test]
async fn golden_every_seed_figure_with_its_wording() {
    let (_d, _s, r) = seed_report().await;
    let text = squash(&r.plain_text());
    for p in SEED_PHRASES {
        assert!(text.contains(&squash(p)), "missing: {p}\n\n{text}");
    }
    assert!(
        r.summary.starts_with("Sơ kết công tác phòng, chống tội phạm"),
        "{}",
        r.summary
    );
    assert!(
        r.summary
            .ends_with("6 tháng đầu năm; chương trình công tác 6 tháng cuối năm 2024"),
        "{}",
        r.summary
    );
    // Every italic title of the seed is printed, in italics.
    let seed: serde_json::Value = serde_json::from_str(SEED).expect("json");
    let featured: Vec<&str> = seed["records"]["media_items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|m| m["featured"] == true)
        .map(|m| m["title"].as_str().expect("title"))
        .collect();
    assert_eq!(featured.len(), 35);
    for t in featured {
        assert!(text.contains(t), "featured title missing: {t}");
    }
    assert!(
        r.markdown.contains("*Rao bán “Xe máy giá rẻ” trên mạng xã hội"),
        "titles in italics"
    );
}

#[tokio::test]
async fn directive_count_and_footnote_come_from_the_same_rows() {
    let (_d, _s, r) = seed_report().await;
    let f = &r.data.figures["directives"];
    assert_eq!(f.value, 6);
    assert_eq!(f.ids.len(), 6);
    assert_eq!(r.data.directives.len(), 6);
    let note = canhgiac_report::doc::plain(&r.doc.footnotes[0]);
    for d in &r.data.directives {
        assert!(note.contains(&d.title), "{note}");
    }
    let listed: Vec<&str> = r.data.directives.iter().map(|d| d.title.as_str()).collect();
    assert_eq!(
        note,
        format!("{}.", listed.join("; ")),
        "the footnote lists exactly the counted documents"
    );
    // The drill-down of every figure lists as many records as it counts
    // (all figures of the seed are small enough to list whole).
    for (id, f) in &r.data.figures {
        if !f.sum {
            assert!(f.complete, "{id}");
            assert_eq!(f.ids.len() as i64, f.value, "{id}");
        }
        assert_eq!(r.drill[id].len(), f.ids.len(), "{id}");
    }
}

/// A tiny XML tree, to read the DOCX back rather than trust the writer.
#[derive(Debug, Default, Clone)]
struct Node {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
    text: String,
}

impl Node {
    fn attr(&self, k: &str) -> Option<&str> {
        self.attrs.iter().find(|(a, _)| a == k).map(|(_, v)| v.as_str())
    }
    fn all<'a>(&'a self, name: &str, out: &mut Vec<&'a Node>) {
        for c in &self.children {
            if c.name == name {
                out.push(c);
            }
            c.all(name, out);
        }
    }
    fn find_all(&self, name: &str) -> Vec<&Node> {
        let mut v = Vec::new();
        self.all(name, &mut v);
        v
    }
    fn first(&self, name: &str) -> Option<&Node> {
        self.find_all(name).into_iter().next()
    }
    fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }
    fn texts(&self) -> String {
        let mut s = self.text.clone();
        for c in &self.children {
            s.push_str(&c.texts());
        }
        s
    }
}

fn parse_xml(xml: &str) -> Node {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack = vec![Node::default()];
    let node_of = |e: &quick_xml::events::BytesStart| Node {
        name: String::from_utf8_lossy(e.name().as_ref()).into_owned(),
        attrs: e
            .attributes()
            .filter_map(Result::ok)
            .map(|a| {
                (
                    String::from_utf8_lossy(a.key.as_ref()).into_owned(),
                    a.unescape_value().map(|v| v.into_owned()).unwrap_or_default(),
                )
            })
            .collect(),
        ..Node::default()
    };
    loop {
        match reader.read_event().expect("xml") {
            Event::Start(e) => stack.push(node_of(&e)),
            Event::Empty(e) => {
                let n = node_of(&e);
                stack.last_mut().expect("parent").children.push(n);
            }
            Event::End(_) => {
                let n = stack.pop().expect("node");
                stack.last_mut().expect("parent").children.push(n);
            }
            Event::Text(t) => {
                let s = t.unescape().expect("text").into_owned();
                stack.last_mut().expect("node").text.push_str(&s);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    stack.pop().expect("root")
}

fn unzip(bytes: &[u8], name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut f = z.by_name(name).unwrap_or_else(|_| panic!("{name} in docx"));
    let mut s = String::new();
    f.read_to_string(&mut s).expect("read");
    s
}

/// (size in half-points, bold, italic) of the first run of a paragraph.
fn run_style(p: &Node) -> (Option<String>, bool, bool) {
    let r = p.child("w:r").expect("run");
    let rpr = r.child("w:rPr");
    let sz = rpr
        .and_then(|x| x.child("w:sz"))
        .and_then(|x| x.attr("w:val"))
        .map(str::to_owned);
    (
        sz,
        rpr.and_then(|x| x.child("w:b")).is_some(),
        rpr.and_then(|x| x.child("w:i")).is_some(),
    )
}

fn para_text(p: &Node) -> String {
    p.find_all("w:t").iter().map(|t| t.texts()).collect()
}

#[tokio::test]
async fn docx_layout_read_back_from_the_file() {
    let (_d, _s, r) = seed_report().await;
    let bytes = r.render(Format::Docx).expect("docx");
    let doc = parse_xml(&unzip(&bytes, "word/document.xml"));
    // Page: A4, margins 20/20/30/15 mm, a distinct first page.
    let sect = doc.first("w:sectPr").expect("sectPr");
    let pg = sect.child("w:pgSz").expect("pgSz");
    assert_eq!((pg.attr("w:w"), pg.attr("w:h")), (Some("11906"), Some("16838")));
    let m = sect.child("w:pgMar").expect("pgMar");
    assert_eq!(m.attr("w:top"), Some("1134"));
    assert_eq!(m.attr("w:bottom"), Some("1134"));
    assert_eq!(m.attr("w:left"), Some("1701"));
    assert_eq!(m.attr("w:right"), Some("850"));
    assert!(sect.child("w:titlePg").is_some(), "first page has its own header");
    // Page numbers: the default header has a PAGE field, the first page's none.
    let rels = unzip(&bytes, "word/_rels/document.xml.rels");
    for h in sect
        .find_all("w:headerReference")
        .into_iter()
        .chain(sect.children.iter().filter(|c| c.name == "w:headerReference"))
    {
        let rid = h.attr("r:id").expect("rid");
        let target = rels
            .split("<Relationship ")
            .find(|x| x.contains(&format!("Id=\"{rid}\"")))
            .and_then(|x| x.split("Target=\"").nth(1))
            .and_then(|x| x.split('"').next())
            .expect("target");
        let header = unzip(&bytes, &format!("word/{target}"));
        let has_page = header.contains("PAGE");
        match h.attr("w:type") {
            Some("first") => assert!(!has_page, "no page number on page 1"),
            Some("default") => {
                assert!(has_page, "page numbers from page 2");
                assert!(header.contains(r#"<w:jc w:val="center"/>"#) && header.contains(r#"w:val="28""#));
            }
            other => panic!("unexpected header {other:?}"),
        }
    }
    // Header: a borderless two-column table.
    let tbl = doc.first("w:tbl").expect("header table");
    let borders = tbl.first("w:tblBorders").expect("borders");
    assert!(borders.children.iter().all(|b| b.attr("w:val") == Some("nil")));
    let rows = tbl.find_all("w:tr");
    let cells: Vec<&Node> = rows[0].children.iter().filter(|c| c.name == "w:tc").collect();
    assert_eq!(cells.len(), 2);
    let left: Vec<&Node> = cells[0].children.iter().filter(|c| c.name == "w:p").collect();
    assert_eq!(para_text(left[0]), "UBND TỈNH BẮC GIANG");
    assert_eq!(
        run_style(left[0]),
        (Some("26".into()), false, false),
        "parent agency: 13 pt regular"
    );
    let agency: String = left[1..left.len() - 1]
        .iter()
        .map(|p| para_text(p))
        .collect::<Vec<_>>()
        .join(" ");
    assert_eq!(agency, "SỞ THÔNG TIN VÀ TRUYỀN THÔNG");
    assert_eq!(
        run_style(left[1]),
        (Some("26".into()), true, false),
        "agency: 13 pt bold"
    );
    let rule = left.last().expect("rule");
    assert!(rule.first("w:pBdr").is_some(), "a solid line under the agency");
    let right: Vec<&Node> = cells[1].children.iter().filter(|c| c.name == "w:p").collect();
    assert_eq!(para_text(right[0]), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
    assert_eq!(
        run_style(right[0]),
        (Some("24".into()), true, false),
        "national title: 12 pt bold"
    );
    assert_eq!(para_text(right[1]), "Độc lập - Tự do - Hạnh phúc");
    assert_eq!(
        run_style(right[1]),
        (Some("28".into()), true, false),
        "motto: 14 pt bold"
    );
    assert!(right[2].first("w:pBdr").is_some(), "a solid line under the motto");
    let row2: Vec<&Node> = rows[1].children.iter().filter(|c| c.name == "w:tc").collect();
    let number = row2[0].first("w:p").expect("p");
    assert_eq!(para_text(number), "Số: 180/BC-STTTT");
    assert_eq!(run_style(number), (Some("26".into()), false, false));
    let place = row2[1].first("w:p").expect("p");
    assert_eq!(para_text(place), "Bắc Giang, ngày 11 tháng 6 năm 2024");
    assert_eq!(
        run_style(place),
        (Some("28".into()), false, true),
        "place and date: 14 pt italic"
    );
    // Title and summary: 14 pt bold, centred.
    let body = doc.first("w:body").expect("body");
    let paras: Vec<&Node> = body.children.iter().filter(|c| c.name == "w:p").collect();
    let title = paras.iter().find(|p| para_text(p) == "BÁO CÁO").expect("title");
    assert_eq!(run_style(title), (Some("28".into()), true, false));
    assert_eq!(title.first("w:jc").and_then(|j| j.attr("w:val")), Some("center"));
    let summary = paras
        .iter()
        .find(|p| para_text(p).starts_with("Sơ kết công tác"))
        .expect("summary");
    assert_eq!(run_style(summary), (Some("28".into()), true, false));
    // Footnotes are footnotes of the word processor.
    let refs = doc.find_all("w:footnoteReference");
    assert_eq!(refs.len(), 2);
    let notes = parse_xml(&unzip(&bytes, "word/footnotes.xml"));
    let real: Vec<&Node> = notes
        .find_all("w:footnote")
        .into_iter()
        .filter(|n| n.attr("w:type").is_none())
        .collect();
    assert_eq!(real.len(), 2);
    assert!(real[0].texts().contains("Kế hoạch tuyên truyền thực hiện Chương trình"));
    assert!(real[1].texts().contains("Tiêu biểu một số vụ việc như"));
    for n in &real {
        assert!(n.first("w:footnoteRef").is_some());
    }
    // Body defaults: Times New Roman 14, justified, 1.27 cm indent, 6 pt after, 1.15 lines.
    let styles = parse_xml(&unzip(&bytes, "word/styles.xml"));
    let fonts = styles.first("w:rFonts").expect("fonts");
    assert_eq!(fonts.attr("w:ascii"), Some("Times New Roman"));
    let normal = styles
        .find_all("w:style")
        .into_iter()
        .find(|s| s.attr("w:styleId") == Some("Normal"))
        .expect("Normal");
    assert_eq!(normal.first("w:jc").and_then(|j| j.attr("w:val")), Some("both"));
    assert_eq!(normal.first("w:ind").and_then(|j| j.attr("w:firstLine")), Some("720"));
    let sp = normal.first("w:spacing").expect("spacing");
    assert_eq!((sp.attr("w:after"), sp.attr("w:line")), (Some("120"), Some("276")));
    assert_eq!(normal.first("w:sz").and_then(|j| j.attr("w:val")), Some("28"));
    // Recipients and signature.
    let all_text = doc.texts();
    for s in [
        "Nơi nhận:",
        "- Công an tỉnh (congan_tm@bacgiang.gov.vn);",
        "- Lưu VT.",
        "KT. GIÁM ĐỐC",
        "PHÓ GIÁM ĐỐC",
        "Ngô Đình Tiến",
    ] {
        assert!(all_text.contains(s), "{s}");
    }
    // The annex chart is a real PNG inside the package.
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).expect("zip");
    let mut png = Vec::new();
    z.by_name("word/media/bieu-do-1.png")
        .expect("chart")
        .read_to_end(&mut png)
        .expect("read");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
}

fn tool(name: &str) -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join(name)).find(|p| p.is_file())
}

#[tokio::test]
async fn libreoffice_reads_the_docx() {
    let required = std::env::var("CANHGIAC_REQUIRE_LIBREOFFICE").is_ok_and(|v| v == "1");
    if canhgiac_report::pdf::soffice().is_none() || tool("pdftotext").is_none() {
        assert!(
            !required,
            "LibreOffice and poppler-utils are required (CANHGIAC_REQUIRE_LIBREOFFICE=1)"
        );
        eprintln!("LibreOffice or pdftotext missing: skipping");
        return;
    }
    let (_d, _s, r) = seed_report().await;
    let pdf = r.render(Format::Pdf).expect("pdf");
    assert!(pdf.starts_with(b"%PDF"));
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("bc.pdf");
    std::fs::write(&path, &pdf).expect("write");
    let info = std::process::Command::new("pdfinfo")
        .arg(&path)
        .output()
        .expect("pdfinfo");
    let info = String::from_utf8_lossy(&info.stdout);
    let pages: u32 = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|p| p.trim().parse().ok())
        .expect("page count");
    assert!((4..=10).contains(&pages), "{pages} pages");
    assert!(info.contains("(A4)"), "A4: {info}");
    let text = |first: u32, last: u32| {
        let o = std::process::Command::new("pdftotext")
            .args(["-layout", "-f", &first.to_string(), "-l", &last.to_string()])
            .arg(&path)
            .arg("-")
            .output()
            .expect("pdftotext");
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let all = squash(&text(1, pages));
    for p in [
        "05 cuộc thanh tra, kiểm tra, đối với 21 tổ chức, cá nhân (14 tổ chức, 07 cá nhân)",
        "19,5 triệu đồng",
        "Ngô Đình Tiến",
        "PHỤ LỤC",
    ] {
        assert!(all.contains(p), "{p} not in the PDF text");
    }
    let page1 = text(1, 1);
    let page2 = text(2, 2);
    assert!(
        page1.trim_start().starts_with("UBND TỈNH BẮC GIANG"),
        "page 1 has no number: {page1:.80}"
    );
    assert!(
        page2.trim_start().starts_with('2'),
        "page 2 starts with its number: {page2:.80}"
    );
}

#[tokio::test]
async fn html_links_every_figure_to_its_records_and_escapes_text() {
    let (_d, store, _) = seed_report().await;
    let mut evil = canhgiac_interchange::read_json("seed.json", SEED.as_bytes())
        .expect("seed")
        .records
        .media_items[0]
        .clone();
    evil.title = Text::lit("<script>alert(1)</script> \"><img src=x onerror=alert(2)> *đậm* [liên kết](javascript:x)");
    evil.featured = true;
    evil.topics = vec![Code::lit("PCTP")];
    store.create(&Actor::system("test"), &evil).await.expect("create");
    let r = build(&store, &spec_h1(), None, None, false).await.expect("report");
    let html = String::from_utf8(r.render(Format::Html).expect("html")).expect("utf8");
    assert!(!html.contains("<script>alert"), "script escaped");
    assert!(!html.contains("<img src=x"), "markup escaped");
    assert!(!html.contains("href=\"javascript"), "no link from data");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    for id in r.data.figures.keys() {
        assert!(
            html.contains(&format!("id=\"fig-{id}\"")),
            "{id} has a drill-down section"
        );
    }
    assert!(html.contains(r##"href="#fig-directives""##));
    assert!(html.contains(r##"href="#fig-inspection-subjects-org""##));
    assert!(html.contains("data:image/png;base64,"), "the chart is embedded");
    assert!(
        !html.contains("http://") && !html.contains("https://cdn"),
        "nothing loads from elsewhere"
    );
    // The DOCX carries the same text, escaped for XML.
    let docx = r.render(Format::Docx).expect("docx");
    let xml = unzip(&docx, "word/document.xml");
    assert!(xml.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(xml.contains("*đậm*"), "markdown in data stays literal");
}

/// Issue 11, item 11: the agency's own fields reach the Markdown escaped:
/// rendered by a CommonMark reader, they make no link, image or HTML.
#[tokio::test]
async fn a_draft_without_a_number_leaves_room_for_it() {
    let (_d, store) = seeded().await;
    let spec = ReportSpec {
        number: None,
        ..spec_h1()
    };
    let r = build(&store, &spec, None, None, false).await.expect("report");
    let html = String::from_utf8(r.render(Format::Html).expect("html")).expect("utf8");
    assert!(!html.contains("Số: /BC"), "no bare slash");
    assert!(
        html.contains("Số: \u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}/BC-"),
        "room for the number"
    );
    let numbered = build(&store, &spec_h1(), None, None, false).await.expect("report");
    let html = String::from_utf8(numbered.render(Format::Html).expect("html")).expect("utf8");
    assert!(html.contains("Số: 180/BC-"), "a numbered report keeps its number");
}

#[tokio::test]
async fn markdown_escapes_the_agency_fields() {
    let (_d, store, _) = seed_report().await;
    let mut a = store
        .list::<Agency>(&canhgiac_store::ListQuery::default())
        .await
        .expect("agencies")
        .remove(0);
    let evil = "[bấm](javascript:alert(1)) <img src=x onerror=alert(2)> ![ảnh](http://x/y.png)";
    a.record.names[0].name = Text::lit(&format!("Sở {evil}"));
    a.record.names[0].parent_name = Text::lit("UBND <script>alert(3)</script>");
    a.record.signer.full_name = Text::lit(&format!("Nguyễn Văn A {evil}"));
    a.record.signer.position = Text::lit("<b>Giám đốc</b>");
    store
        .update(&Actor::system("test"), a.id, Some(a.version), &a.record)
        .await
        .expect("update");
    let r = build(&store, &spec_h1(), None, None, false).await.expect("report");
    let md = String::from_utf8(r.render(Format::Markdown).expect("md")).expect("utf8");
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(&md));
    for bad in ["href=\"javascript", "<img", "<script", "<b>", "src=\"http"] {
        assert!(!html.contains(bad), "{bad} in {html:.2000}");
    }
    assert!(html.contains("Nguyễn Văn A"), "the text itself stays");
}

#[tokio::test]
async fn xlsx_annex_has_numeric_cells() {
    use calamine::{Data, Reader, Xlsx};
    let (_d, _s, r) = seed_report().await;
    let bytes = r.render(Format::Xlsx).expect("xlsx");
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("open");
    let sheet = wb.worksheet_range("Tin bai").expect("sheet");
    let mut total = 0.0;
    for row in sheet.rows().skip(1) {
        match row.last() {
            Some(Data::Float(f)) => total += f,
            other => panic!("numeric total expected, got {other:?}"),
        }
    }
    assert_eq!(total, 239.0);
    let xp = wb.worksheet_range("Xu phat").expect("sheet");
    let fines: f64 = xp
        .rows()
        .skip(1)
        .filter_map(|r| match &r[4] {
            Data::Float(f) => Some(*f),
            _ => None,
        })
        .sum();
    assert_eq!(fines, 2.0 * 19_500_000.0, "six fines and their total row");
}

async fn add_item(store: &SqlStore, day: &str, topic: &str, title: &str) {
    let item = MediaItem {
        outlet: Code::lit("bao-bac-giang"),
        programme: None,
        kind: ItemKind::News,
        title: Text::lit(title),
        url: None,
        published_on: Date::parse(day).expect("day"),
        published_at: None,
        topics: vec![Code::lit(topic)],
        featured: false,
        summary: None,
        body: None,
        duplicate_of: None,
        source: ItemSource::Manual,
        author: None,
        fetch_note: None,
        classification: None,
    };
    store.create(&Actor::system("test"), &item).await.expect("item");
}

#[tokio::test]
async fn periods_at_their_edges() {
    let (_d, store) = seeded().await;
    for (day, n) in [
        ("14/12/2023", 1),
        ("15/12/2023", 2),
        ("29/02/2024", 3),
        ("14/06/2024", 4),
        ("15/06/2024", 5),
    ] {
        add_item(&store, day, "PCMBN", &format!("Tin biên {n}")).await;
    }
    let national = build(&store, &spec_h1(), None, None, false).await.expect("report");
    let pcmbn = |r: &Report| {
        r.data
            .topics
            .iter()
            .find(|t| t.code == "PCMBN")
            .map(|t| t.total)
            .unwrap_or(0)
    };
    // 15/12/2023, 29/02/2024 and 14/06/2024 are inside; 14/12/2023 and 15/06/2024 are not.
    assert_eq!(pcmbn(&national), 15 + 3);
    assert_eq!(national.data.report.from, Date::parse("15/12/2023").expect("d"));
    // A custom calendar range: the same days, cut another way.
    let calendar = ReportSpec {
        period: None,
        range: Some(Period::Half(2024, 1).range(PeriodRule::Calendar)),
        ..spec_h1()
    };
    let cal = build(&store, &calendar, None, None, false).await.expect("report");
    assert_eq!(pcmbn(&cal), 15 + 3, "29/02, 14/06 and 15/06 in; December out");
    assert!(cal
        .data
        .report
        .period_label
        .contains("từ ngày 01/01/2024 đến ngày 30/06/2024"));
    // February of a leap year, as a month.
    let feb = ReportSpec {
        kind: ReportKind::Month,
        period: Some(Period::Month(2024, 2)),
        ..spec_h1()
    };
    let f = build(&store, &feb, None, None, false).await.expect("report");
    assert_eq!(
        f.data.report.to,
        Date::parse("14/02/2024").expect("d"),
        "national rule: 15/01 – 14/02"
    );
    // An empty period renders, saying there is nothing.
    let empty = ReportSpec {
        period: Some(Period::Half(2020, 1)),
        ..spec_h1()
    };
    let e = build(&store, &empty, None, None, false).await.expect("report");
    let text = e.plain_text();
    assert!(text.contains("Không phát sinh"), "{text}");
    assert!(text.contains("Không tiến hành cuộc thanh tra, kiểm tra nào"), "{text}");
    for f in [Format::Docx, Format::Html, Format::Markdown, Format::Xlsx] {
        assert!(!e.render(f).expect("renders").is_empty());
    }
    // A year crossing into the next: 15/12/2023 – 14/12/2024.
    let year = ReportSpec {
        kind: ReportKind::Year,
        period: Some(Period::Year(2024)),
        ..spec_h1()
    };
    let y = build(&store, &year, None, None, false).await.expect("report");
    assert_eq!(pcmbn(&y), 15 + 4);
    assert!(y.summary.starts_with("Tổng kết"));
}

#[tokio::test]
async fn comparison_with_the_same_period_a_year_earlier() {
    let (_d, store) = seeded().await;
    let r = build(&store, &spec_h1(), None, None, false).await.expect("report");
    // No 2023 items, no comparison of items (the seed's 2023 spam reports
    // are compared in the telecom sentence, tested below).
    assert!(
        r.plain_text()
            .lines()
            .filter(|l| l.contains("tin, bài, phóng sự"))
            .all(|l| !l.contains("so với cùng kỳ")),
        "no 2023 data, no comparison"
    );
    for i in 0..12 {
        add_item(
            &store,
            &format!("{:02}/03/2023", i + 1),
            "PCMBN",
            &format!("Tin năm trước {i}"),
        )
        .await;
    }
    let r = build(&store, &spec_h1(), None, None, false).await.expect("report");
    // 15 items now against 12 a year earlier.
    assert!(
        r.plain_text().contains(
            "15 tin, bài, phóng sự... về công tác phòng, chống mua bán người, tăng 25% so với cùng kỳ năm 2023"
        ),
        "{}",
        r.plain_text()
    );
}

#[tokio::test]
async fn agency_templates_replace_the_default_and_errors_are_clear() {
    let (_d, store) = seeded().await;
    let custom = "{% set summary %}Báo cáo riêng{% endset %}# I. Số liệu\n\nCó {{ fig(\"inspections\") }} cuộc, tổng tiền {{ fine_total | money_full }}.\n";
    let r = build(&store, &spec_h1(), Some(custom), None, false)
        .await
        .expect("report");
    assert_eq!(r.summary, "Báo cáo riêng");
    assert!(r.plain_text().contains("Có 05 cuộc, tổng tiền 19.500.000 đồng."));
    let err = build(&store, &spec_h1(), Some("{{ fig(\"khong-co\") }}"), None, false)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("Mẫu báo cáo bị lỗi") && err.to_string().contains("khong-co"),
        "{err}"
    );
    let err = build(&store, &spec_h1(), Some("{% for %}"), None, false)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("Mẫu báo cáo bị lỗi"), "{err}");
    // A runaway loop (10^10 steps) stops with an error instead of holding a worker.
    let runaway = "{% for a in range(100000) %}{% for b in range(100000) %}{{ b }}{% endfor %}{% endfor %}";
    let err = build(&store, &spec_h1(), Some(runaway), None, false).await.unwrap_err();
    assert!(err.to_string().contains("vòng lặp quá lớn"), "{err}");
    // Found by the `template` fuzz target: this broken template made
    // minijinja's error printer panic. It is refused with a message instead.
    let broken = "\x1a\x1a{% set %}Báo cáo riêng{% endset %}#I . \n    360/BC-STTrn topic{ t.name }}S*";
    let err = build(&store, &spec_h1(), Some(broken), None, false).await.unwrap_err();
    assert!(err.to_string().contains("Mẫu báo cáo bị lỗi"), "{err}");
    // The default template stays far below the bound.
    let data = canhgiac_report::compute(&store, &spec_h1(), false).await.expect("data");
    let used = canhgiac_report::template::render(&data, None)
        .expect("render")
        .fuel_used;
    assert!(
        used > 1000 && used < canhgiac_report::template::TEMPLATE_FUEL / 50,
        "{used}"
    );
}

#[tokio::test]
async fn the_agency_layout_drives_the_docx_and_bad_layouts_are_refused() {
    let (_d, store) = seeded().await;
    let agency = store
        .get_by_key::<Agency>("stttt-bacgiang")
        .await
        .expect("get")
        .expect("agency");
    let mut a = agency.record.clone();
    a.layout = Some(canhgiac_domain::layout::Layout {
        margin_left_mm: 35.0,
        margin_top_mm: 25.0,
        body_pt: 13.0,
        ..Default::default()
    });
    store
        .update(&Actor::system("test"), agency.id, None, &a)
        .await
        .expect("update");
    let r = build(&store, &spec_h1(), None, None, false).await.expect("report");
    let bytes = r.render(Format::Docx).expect("docx");
    let doc = parse_xml(&unzip(&bytes, "word/document.xml"));
    let m = doc.first("w:pgMar").expect("pgMar");
    assert_eq!((m.attr("w:left"), m.attr("w:top")), (Some("1984"), Some("1417")));
    let styles = unzip(&bytes, "word/styles.xml");
    assert!(styles.contains(r#"<w:sz w:val="26"/>"#), "13 pt body");
    // Outside the decree's range: refused, naming the field.
    a.layout = Some(canhgiac_domain::layout::Layout {
        margin_right_mm: 5.0,
        ..Default::default()
    });
    let err = store
        .update(&Actor::system("test"), agency.id, None, &a)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("layout.margin_right_mm"), "{err}");
}

/// Sums a numeric field of the seed's records of `section` whose `field`
/// (a month, `2024-05`) lies between `from` and `to`.
fn seed_sum(section: &str, month_from: &str, month_to: &str, field: &str) -> i64 {
    let seed: serde_json::Value = serde_json::from_str(SEED).expect("json");
    seed["records"][section]
        .as_array()
        .expect("section")
        .iter()
        .filter(|r| {
            let m = r["month"].as_str().expect("month");
            month_from <= m && m <= month_to
        })
        .map(|r| r[field].as_i64().expect("count"))
        .sum()
}

fn grouped(n: i64) -> String {
    canhgiac_domain::numbers::count(n.unsigned_abs())
}

#[tokio::test]
async fn telecom_sentences_with_data_without_and_compared() {
    let (_d, store) = seeded().await;
    let r = build(&store, &spec_h1(), None, None, false).await.expect("report");
    let text = squash(&r.plain_text());
    // The seed's agency reports from 15/12 to 14/06: the months December to May.
    let sms = seed_sum("spam_reports", "2023-12", "2024-05", "sms_reports");
    let calls = seed_sum("spam_reports", "2023-12", "2024-05", "call_reports");
    let sims = seed_sum("spam_reports", "2023-12", "2024-05", "sims_revoked");
    let before = seed_sum("spam_reports", "2022-12", "2023-05", "sms_reports")
        + seed_sum("spam_reports", "2022-12", "2023-05", "call_reports");
    assert_eq!(r.data.figures["spam-sms"].value, sms);
    assert_eq!(
        r.data.figures["spam-sms"].ids.len(),
        18,
        "six months of three operators"
    );
    assert!(
        text.contains(&format!(
            "tiếp nhận {} phản ánh tin nhắn rác và {} phản ánh cuộc gọi rác",
            grouped(sms),
            grouped(calls)
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "thu hồi, khóa {} SIM có thông tin thuê bao không đúng quy định",
            grouped(sims)
        )),
        "{text}"
    );
    // The seed has no December 2022: the year before is five months, and the
    // comparison says what those months hold.
    let pct =
        canhgiac_domain::numbers::change_percent((sms + calls).unsigned_abs(), before.unsigned_abs()).expect("pct");
    let word = if pct >= 0 {
        format!("tăng {pct}%")
    } else {
        format!("giảm {}%", -pct)
    };
    assert!(
        text.contains(&format!("phản ánh cuộc gọi rác, {word} so với cùng kỳ năm 2023")),
        "{text}"
    );
    // Campaigns of the range only (five: two in March–April, three in June before the 14th).
    assert_eq!(r.data.telecom.campaigns, 5);
    assert!(text.contains("thực hiện 05 đợt tuyên truyền"), "{text}");
    assert!(
        text.contains(&format!("gửi {} tin nhắn", grouped(r.data.telecom.messages_sent))),
        "{text}"
    );
    // The subscriber-registration check is one of the inspections counted above.
    assert!(text.contains("có 01 cuộc kiểm tra việc đăng ký, lưu giữ thông tin thuê bao tại 06 điểm cung cấp dịch vụ, phát hiện 12 SIM sai thông tin thuê bao, xử phạt 01 tổ chức, cá nhân với số tiền 1,5 triệu đồng"), "{text}");
    assert!(
        text.contains("trên địa bàn có 200 trạm BTS của 03 doanh nghiệp"),
        "{text}"
    );
    for id in [
        "spam-sms",
        "telecom-messages",
        "subscriber-checks",
        "stations",
        "certificates-expired",
    ] {
        assert!(
            r.markdown.contains(&format!("(#fig-{id})")),
            "{id} is linked to its records"
        );
    }

    // The annex: a table per operator in every format, real numbers in the
    // workbook (its total row adds up the operators), the chart in the DOCX.
    let md = String::from_utf8(r.render(Format::Markdown).expect("md")).expect("utf-8");
    assert!(md.contains("Bảng 4. Công tác viễn thông theo doanh nghiệp"), "{md}");
    let viettel = r
        .data
        .telecom
        .rows
        .iter()
        .find(|x| x.operator == "Viettel Bắc Giang")
        .expect("viettel's row");
    assert!(
        md.contains(&format!(
            "Viettel Bắc Giang | {} | {} |",
            viettel.campaigns,
            canhgiac_domain::money::group_thousands(viettel.messages_sent)
        )),
        "{md}"
    );
    assert_eq!(viettel.stations, 110, "the seed's Viettel stations");
    let html = String::from_utf8(r.render(Format::Html).expect("html")).expect("utf-8");
    assert!(html.contains("Biểu đồ 2. Phản ánh tin nhắn, cuộc gọi rác theo tháng"));
    {
        use calamine::{Data, Reader, Xlsx};
        let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(r.render(Format::Xlsx).expect("xlsx"))).expect("open");
        let sheet = wb.worksheet_range("Vien thong").expect("sheet");
        let sms: Vec<f64> = sheet
            .rows()
            .skip(1)
            .map(|row| match &row[3] {
                Data::Float(f) => *f,
                other => panic!("a number, not {other:?}"),
            })
            .collect();
        let (total, parts) = sms.split_last().expect("rows");
        assert_eq!(*total, parts.iter().sum::<f64>());
        assert_eq!(*total as i64, sms_total(&r));
    }
    let docx = r.render(Format::Docx).expect("docx");
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("zip");
    assert!(z.by_name("word/media/bieu-do-2.png").expect("chart").size() > 1000);

    // A period with no telecom record at all says so.
    let empty = ReportSpec {
        period: Some(Period::Half(2021, 1)),
        ..spec_h1()
    };
    let r = build(&store, &empty, None, None, false).await.expect("report");
    assert!(
        r.plain_text().contains("Về viễn thông: không phát sinh."),
        "{}",
        r.plain_text()
    );
    assert!(!r.data.telecom.any);

    // A corrected month replaces the earlier report: the sum follows it.
    let may = SpamReport {
        operator: Code::parse("viettel-bacgiang").expect("code"),
        month: Month::parse("05/2024").expect("month"),
        sms_reports: 0,
        call_reports: 0,
        numbers_blocked: 0,
        sims_revoked: 0,
        fraud_calls_handled: 0,
        note: Some(Text::parse("Số liệu điều chỉnh").expect("text")),
    };
    let old_may = seed_sum("spam_reports", "2024-05", "2024-05", "sms_reports");
    let viettel_may: serde_json::Value = serde_json::from_str::<serde_json::Value>(SEED).expect("json")["records"]
        ["spam_reports"]
        .as_array()
        .expect("list")
        .iter()
        .find(|r| r["operator"] == "viettel-bacgiang" && r["month"] == "2024-05")
        .cloned()
        .expect("viettel's May");
    store.upsert(&Actor::system("test"), &may).await.expect("replace");
    let r = build(&store, &spec_h1(), None, None, false).await.expect("report");
    assert_eq!(
        r.data.figures["spam-sms"].value,
        sms - viettel_may["sms_reports"].as_i64().expect("n")
    );
    assert!(old_may > 0);
    assert_eq!(r.data.figures["spam-sms"].ids.len(), 18, "replaced, not added");
}

fn sms_total(r: &Report) -> i64 {
    r.data.figures["spam-sms"].value
}

/// Issue 10: a partner's sanction is reported whether or not a case links
/// it, apart from the agency's own and never added to them; one the notable
/// cases already cite is not told twice.
#[tokio::test]
async fn partner_sanctions_are_reported_apart_from_the_agencys_own() {
    let (_d, store) = seeded().await;
    let before = build(&store, &spec_h1(), None, None, false).await.expect("report");
    let text = squash(&before.plain_text());
    assert!(
        !text.contains("ngoài ra,"),
        "the seed's partner sanction is cited with its case"
    );
    let seed: SanctionDecision = serde_json::from_value(
        serde_json::from_str::<serde_json::Value>(SEED).expect("json")["records"]["sanction_decisions"][0].clone(),
    )
    .expect("decision");
    let partner = SanctionDecision {
        number: Text::lit("45/QĐ-XPHC"),
        issued_on: Date::parse("20/05/2024").expect("date"),
        subject_kind: SubjectKind::Individual,
        subject_name: Text::lit("Nguyễn Văn E"),
        fine: Dong::new(5_000_000).expect("money"),
        issuer: Text::lit("Công an tỉnh Bắc Giang"),
        issued_by_agency: false,
        case: None,
        inspection: None,
        ..seed
    };
    store.create(&Actor::system("test"), &partner).await.expect("partner");
    let r = build(&store, &spec_h1(), None, None, false).await.expect("report");
    let text = squash(&r.plain_text());
    assert!(
        text.contains(
            "xử phạt vi phạm hành chính đối với 06 tổ chức, cá nhân (02 tổ chức, 04 cá nhân) với tổng số tiền là 19,5 triệu đồng"
        ),
        "the agency's own figures are unchanged: {text}"
    );
    assert!(
        text.contains(
            "ngoài ra, Công an tỉnh Bắc Giang đã xử phạt vi phạm hành chính 01 tổ chức, cá nhân với tổng số tiền là 5 triệu đồng (không tính vào số liệu xử phạt của cơ quan)"
        ),
        "{text}"
    );
    let fig = &r.data.figures["partner-fine-total"];
    assert_eq!(fig.ids.len(), 1);
}
