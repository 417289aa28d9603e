//! Hostile and malformed input: each is refused with a Vietnamese message
//! naming the file, row and column, or read safely as plain text.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)] // a failed unwrap in a test is a failed test

use canhgiac_domain::RecordKind;
use canhgiac_interchange::{read_csv, read_file, read_json, read_xlsx, ImportError, MAX_FILE_BYTES};
use unicode_normalization::UnicodeNormalization;

const SEED: &str = include_str!("../../../fixtures/seed-2024-h1.json");

fn json_err(text: &str) -> ImportError {
    read_json("t.json", text.as_bytes()).expect_err("must be refused")
}

fn directive_doc(directive: &str) -> String {
    format!(r#"{{"format":"canhgiac","schema_version":1,"records":{{"directives":[{directive}]}}}}"#)
}

#[test]
fn the_seed_reads() {
    let env = read_json("seed.json", SEED.as_bytes()).expect("seed");
    assert_eq!(env.records.directives.len(), 6);
    assert!(!env.notes.is_empty());
}

#[test]
fn broken_json_is_refused_with_its_line() {
    let cut = &SEED[..SEED.len() / 2];
    let e = json_err(cut);
    assert!(e.message.contains("JSON sai cú pháp"), "{e}");
    assert!(e.row.is_some());
    let e = json_err("{\"format\": \"canhgiac\", \"schema_version\": 1, \"records\": {}} trailing");
    assert!(e.message.contains("JSON"), "{e}");
    let e = json_err("[1, 2, 3]");
    assert!(e.message.contains("format"), "{e}");
}

#[test]
fn wrong_schema_version_or_format_is_named() {
    let e = json_err(r#"{"format":"canhgiac","schema_version":2,"records":{}}"#);
    assert!(e.message.contains("phiên bản định dạng 2"), "{e}");
    let e = json_err(r#"{"format":"canhgiac","schema_version":"1","records":{}}"#);
    assert!(e.message.contains("schema_version"), "{e}");
    let e = json_err(r#"{"format":"khac","schema_version":1,"records":{}}"#);
    assert!(e.message.contains("không phải tệp dữ liệu canhgiac"), "{e}");
}

#[test]
fn impossible_dates_are_refused_with_record_and_field() {
    let e = json_err(&directive_doc(
        r#"{"kind":"plan","issued_on":"31/02/2024","title":"Kế hoạch","issuer":"so"}"#,
    ));
    assert_eq!(e.row, Some(1));
    assert_eq!(e.column.as_deref(), Some("directives[0].issued_on"));
    assert!(e.message.contains("Ngày không tồn tại: «31/02/2024»"), "{e}");
    assert!(
        e.to_string()
            .starts_with("Tệp «t.json», dòng 1, cột «directives[0].issued_on»"),
        "{e}"
    );
}

#[test]
fn negative_fines_wrong_types_and_unknown_fields_are_refused() {
    let doc = r#"{"format":"canhgiac","schema_version":1,"records":{"sanction_decisions":[
        {"number":"1/QĐ","issued_on":"2024-01-02","subject_kind":"individual","subject_name":"Nguyễn Văn A",
         "violation":"x","fine":-7500000,"issuer":"Thanh tra Sở"}]}}"#;
    let e = json_err(doc);
    assert!(e.message.contains("Số tiền không được âm"), "{e}");
    let e = json_err(&directive_doc(
        r#"{"kind":"plan","issued_on":"2024-02-01","title":42,"issuer":"so"}"#,
    ));
    assert!(e.message.contains("sai kiểu dữ liệu"), "{e}");
    let e = json_err(&directive_doc(
        r#"{"kind":"plan","issued_on":"2024-02-01","title":"x","issuer":"so","admin":true}"#,
    ));
    assert!(e.message.contains("«admin» không có trong định dạng"), "{e}");
    let e = json_err(&directive_doc(
        r#"{"kind":"plan","issued_on":"2024-02-01","issuer":"so"}"#,
    ));
    assert!(e.message.contains("thiếu trường bắt buộc «title»"), "{e}");
    let e = json_err(&directive_doc(
        r#"{"kind":"bí mật","issued_on":"2024-02-01","title":"x","issuer":"so"}"#,
    ));
    assert!(e.message.contains("Kế hoạch"), "lists the allowed kinds: {e}");
}

#[test]
fn deeply_nested_json_is_refused_not_a_crash() {
    let bomb = format!(
        r#"{{"format":"canhgiac","schema_version":1,"records":{}}}"#,
        "[".repeat(100_000)
    );
    let e = json_err(&bomb);
    assert!(!e.message.is_empty());
}

#[test]
fn huge_files_are_refused_before_reading() {
    let dir = tempfile::tempdir().expect("dir");
    let p = dir.path().join("lon.json");
    let f = std::fs::File::create(&p).expect("create");
    f.set_len(100 * 1024 * 1024).expect("sparse 100 MB");
    const { assert!(100 * 1024 * 1024 > MAX_FILE_BYTES) };
    let e = read_file(&p, None).expect_err("too big");
    assert!(e.message.contains("tệp quá lớn"), "{e}");
    let p = dir.path().join("bang.csv");
    std::fs::File::create(&p)
        .expect("create")
        .set_len(100 * 1024 * 1024)
        .expect("sparse");
    assert!(read_file(&p, None)
        .expect_err("too big")
        .message
        .contains("tệp quá lớn"));
}

const MEDIA_HEADER: &str = "Cơ quan báo chí,Loại tin bài,Tiêu đề,Ngày đăng,Chủ đề,Tiêu biểu";

/// Encodes text as Windows-1258 the way legacy Vietnamese software does:
/// base letters precomposed where the code page has them, tone marks as
/// combining characters.
fn to_windows_1258(s: &str) -> Vec<u8> {
    const TONES: [char; 5] = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];
    let mut out = String::new();
    for c in s.nfc() {
        let d: String = c.to_string().nfd().collect();
        let tone: Option<char> = d.chars().find(|ch| TONES.contains(ch));
        let base: String = d
            .chars()
            .filter(|ch| !TONES.contains(ch))
            .collect::<String>()
            .nfc()
            .collect();
        out.push_str(&base);
        if let Some(t) = tone {
            out.push(t);
        }
    }
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1258.encode(&out);
    assert!(!unmappable, "test text fits Windows-1258");
    bytes.into_owned()
}

#[test]
fn windows_1258_csv_is_decoded_to_nfc() {
    let text = format!("{MEDIA_HEADER}\nbao-bac-giang,Tin,Phòng chống ma túy ở Lạng Giang,05/06/2024,PCMT,có\n");
    let bytes = to_windows_1258(&text);
    assert!(std::str::from_utf8(&bytes).is_err(), "really not UTF-8");
    let d = read_csv("cu.csv", &bytes, None).expect("reads");
    let title = d.media_items[0].title.as_str();
    assert_eq!(title, "Phòng chống ma túy ở Lạng Giang");
    assert_eq!(title, title.nfc().collect::<String>());
    assert!(d.media_items[0].featured);
}

#[test]
fn nfd_csv_is_stored_as_nfc() {
    let text: String =
        format!("{MEDIA_HEADER}\nbao-bac-giang,Bài,Tuyên truyền phòng chống mua bán người,05/06/2024,PCMBN,không\n")
            .nfd()
            .collect();
    let d = read_csv("nfd.csv", text.as_bytes(), None).expect("reads");
    assert_eq!(
        d.media_items[0].title.as_str(),
        "Tuyên truyền phòng chống mua bán người"
    );
    assert!(!d.media_items[0].featured);
}

#[test]
fn csv_errors_name_row_and_column() {
    let text =
        format!("{MEDIA_HEADER}\nbao-bac-giang,Tin,Một,05/06/2024,PCMT,có\nbao-bac-giang,Tin,Hai,31/02/2024,PCMT,có\n");
    let e = read_csv("tin.csv", text.as_bytes(), None).expect_err("bad date");
    assert_eq!((e.row, e.column.as_deref()), (Some(3), Some("Ngày đăng")));
    assert!(e.message.contains("31/02/2024"), "{e}");
    let text = format!("{MEDIA_HEADER}\nbao-bac-giang,Tin,,05/06/2024,PCMT,có\n");
    let e = read_csv("tin.csv", text.as_bytes(), None).expect_err("empty title");
    assert_eq!((e.row, e.column.as_deref()), (Some(2), Some("Tiêu đề")));
    let text = format!("{MEDIA_HEADER}\nbao-bac-giang,Tin,Ba,05/06/2024,PCMT,có lẽ\n");
    let e = read_csv("tin.csv", text.as_bytes(), None).expect_err("bad bool");
    assert_eq!(e.column.as_deref(), Some("Tiêu biểu"));
    let text = format!("{MEDIA_HEADER},Mật khẩu\nbao-bac-giang,Tin,Ba,05/06/2024,PCMT,có,x\n");
    let e = read_csv("tin.csv", text.as_bytes(), None).expect_err("unknown header");
    assert_eq!((e.row, e.column.as_deref()), (Some(1), Some("Mật khẩu")));
    let e = read_csv("tin.csv", "Cột lạ,Khác\n1,2\n".as_bytes(), None).expect_err("no template");
    assert!(e.message.contains("không khớp mẫu"), "{e}");
    let text = format!("{MEDIA_HEADER}\nbao-bac-giang,Tin,Bốn,05/06/2024,PCMT,có,thừa\n");
    let e = read_csv("tin.csv", text.as_bytes(), None).expect_err("extra cell");
    assert_eq!(e.row, Some(2));
    let e = read_csv("tin.csv", "Tiêu đề,\"chưa đóng\n".as_bytes(), None).expect_err("bad csv");
    assert!(!e.message.is_empty());
}

#[test]
fn semicolon_csv_headers_without_diacritics_and_sanctions() {
    let text = "so quyet dinh;ngay ban hanh;loai doi tuong;ten doi tuong;hanh vi vi pham;so tien phat;nguoi ra quyet dinh;bien phap khac phuc\n\
                01/QĐ-XPHC;08/03/2024;Cá nhân;Nguyễn Văn A;Chia sẻ thông tin sai sự thật;7.500.000;Chánh Thanh tra;Buộc gỡ bỏ thông tin sai sự thật\n\
                02/QĐ-XPHC;09/03/2024;Tổ chức;Công ty A;Vi phạm;\"1,5 triệu đồng\";Chánh Thanh tra;\n";
    let d = read_csv("xp.csv", text.as_bytes(), None).expect("reads");
    assert_eq!(d.sanction_decisions.len(), 2);
    assert_eq!(d.sanction_decisions[0].fine.get(), 7_500_000);
    assert_eq!(d.sanction_decisions[1].fine.get(), 1_500_000);
    assert_eq!(d.sanction_decisions[0].remedies.len(), 1);
    let neg = text.replace("7.500.000", "-7.500.000");
    let e = read_csv("xp.csv", neg.as_bytes(), None).expect_err("negative");
    assert_eq!((e.row, e.column.as_deref()), (Some(2), Some("Số tiền phạt")));
    assert!(e.message.contains("không được âm"), "{e}");
}

#[test]
fn script_and_sql_in_cells_stay_plain_text() {
    let text = format!(
        "{MEDIA_HEADER}\nbao-bac-giang,Tin,\"<script>alert(1)</script>\"\"><img src=x onerror=alert(2)>'; DROP TABLE media_items; --\",05/06/2024,PCMT,có\n"
    );
    let d = read_csv("x.csv", text.as_bytes(), None).expect("reads");
    assert_eq!(
        d.media_items[0].title.as_str(),
        "<script>alert(1)</script>\"><img src=x onerror=alert(2)>'; DROP TABLE media_items; --"
    );
}

fn media_workbook(title_cell: impl Fn(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (i, h) in MEDIA_HEADER.split(',').enumerate() {
        ws.write_string(0, i as u16, h).expect("header");
    }
    ws.write_string(1, 0, "bao-bac-giang").expect("cell");
    ws.write_string(1, 1, "Tin").expect("cell");
    title_cell(ws);
    ws.write_string(1, 3, "05/06/2024").expect("cell");
    ws.write_string(1, 4, "PCMT; PCTP").expect("cell");
    ws.write_boolean(1, 5, true).expect("cell");
    wb.save_to_buffer().expect("xlsx")
}

#[test]
fn xlsx_formulas_stay_text() {
    let bytes = media_workbook(|ws| {
        ws.write_formula(1, 2, "=HYPERLINK(\"http://evil.example/\",\"Bấm vào đây\")")
            .expect("formula");
    });
    let d = read_xlsx("bang.xlsx", &bytes, None).expect("reads");
    let title = d.media_items[0].title.as_str();
    assert!(title.starts_with("=HYPERLINK("), "formula kept as its text: {title}");
    assert!(title.contains("http://evil.example/"));
    assert_eq!(d.media_items[0].topics.len(), 2);
    let bytes = media_workbook(|ws| {
        ws.write_string(1, 2, "=1+1 là công thức").expect("string");
    });
    let d = read_xlsx("bang.xlsx", &bytes, None).expect("reads");
    assert_eq!(d.media_items[0].title.as_str(), "=1+1 là công thức");
}

#[test]
fn xlsx_dates_and_bad_rows() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (i, h) in [
        "Cuộc thanh tra, kiểm tra",
        "Tên đối tượng",
        "Loại đối tượng",
        "Có vi phạm",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, i as u16, *h).expect("header");
    }
    ws.write_string(1, 0, "KT-2024-01").expect("c");
    ws.write_string(1, 1, "Đại lý A").expect("c");
    ws.write_string(1, 2, "Tổ chức").expect("c");
    ws.write_string(1, 3, "x").expect("c");
    ws.write_string(2, 0, "KT-2024-01").expect("c");
    ws.write_string(2, 1, "Ông B").expect("c");
    ws.write_string(2, 2, "Doanh nghiệp").expect("c");
    let bytes = wb.save_to_buffer().expect("xlsx");
    let e = read_xlsx("dt.xlsx", &bytes, Some(RecordKind::InspectionSubject)).expect_err("bad kind");
    assert_eq!((e.row, e.column.as_deref()), (Some(3), Some("Loại đối tượng")));
    assert!(e.message.contains("Cá nhân"), "{e}");
}

#[test]
fn garbage_that_claims_to_be_xlsx_is_refused() {
    let e = read_xlsx("gia.xlsx", b"PK\x03\x04 this is not a workbook", None).expect_err("garbage");
    assert!(e.message.contains("không đọc được tệp Excel"), "{e}");
    let e = read_xlsx("rong.xlsx", b"", None).expect_err("empty");
    assert!(e.message.contains("Excel"), "{e}");
}

#[test]
fn xlsx_zip_bomb_is_refused_while_inflating() {
    use std::io::Write;
    use zip::write::SimpleFileOptions;
    // A workbook whose sheet inflates to 600 MiB of spaces: under 1 MB on disk.
    let opts = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9));
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file("[Content_Types].xml", opts).expect("part");
    w.write_all(b"<?xml version=\"1.0\"?><Types/>").expect("write");
    w.start_file("xl/worksheets/sheet1.xml", opts).expect("part");
    let mib = vec![b' '; 1 << 20];
    for _ in 0..600 {
        w.write_all(&mib).expect("write");
    }
    let bytes = w.finish().expect("zip").into_inner();
    assert!(bytes.len() < 4 << 20, "the bomb is {} bytes", bytes.len());
    let e = read_xlsx("bom.xlsx", &bytes, None).expect_err("bomb");
    assert!(e.message.contains("bom nén") && e.message.contains("512 MB"), "{e}");
    // The figures form reads XLSX through the same check.
    let e = canhgiac_interchange::figures::read_figures("bom.xlsx", &bytes, &[]).expect_err("bomb");
    assert!(e.message.contains("bom nén"), "{e}");
}

#[test]
fn an_archive_of_too_many_parts_is_refused() {
    use zip::write::SimpleFileOptions;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..=canhgiac_interchange::MAX_ZIP_ENTRIES {
        w.start_file(format!("p{i}"), SimpleFileOptions::default())
            .expect("part");
    }
    let bytes = w.finish().expect("zip").into_inner();
    let e = read_xlsx("nhieu.xlsx", &bytes, None).expect_err("parts");
    assert!(e.message.contains("quá nhiều phần"), "{e}");
}

// ------------------------------------------------------------- telecom files

/// As operators send them: semicolon-separated, since two headers hold commas.
const SPAM_HEADER: &str = "Doanh nghiệp;Tháng;Phản ánh tin nhắn rác;Phản ánh cuộc gọi rác;Số thuê bao bị chặn;\
SIM bị thu hồi, khóa do sai thông tin;Cuộc gọi lừa đảo, giả mạo đã xử lý";

fn spam_csv(rows: &[&str]) -> String {
    let mut s = SPAM_HEADER.to_owned();
    for r in rows {
        s.push('\n');
        s.push_str(r);
    }
    s.push('\n');
    s
}

#[test]
fn spam_reports_read_by_their_headers_in_any_spelling() {
    let text = spam_csv(&[
        "viettel-bacgiang;05/2024;1.200;300;45;610;12",
        "vnpt-bacgiang;Tháng 6/2024;800;0;0;0;0",
    ]);
    let d = read_csv("rac.csv", text.as_bytes(), None).expect("recognised from the headers");
    assert_eq!(d.spam_reports.len(), 2);
    assert_eq!(d.spam_reports[0].month.iso(), "2024-05");
    assert_eq!(d.spam_reports[0].sms_reports, 1200);
    assert_eq!(d.spam_reports[1].month.to_string(), "06/2024");
    let folded = spam_csv(&["viettel-bacgiang;2024-05;1;2;3;4;5"])
        .replace("Tháng", "THANG")
        .replace("Phản ánh tin nhắn rác", "phan anh tin nhan rac");
    assert_eq!(
        read_csv("rac.csv", folded.as_bytes(), None)
            .expect("folded")
            .spam_reports
            .len(),
        1
    );
}

#[test]
fn a_wrong_month_or_a_negative_count_names_its_row_and_column() {
    let e = read_csv(
        "rac.csv",
        spam_csv(&[
            "viettel-bacgiang;05/2024;1;2;3;4;5",
            "viettel-bacgiang;13/2024;1;2;3;4;5",
        ])
        .as_bytes(),
        None,
    )
    .expect_err("month 13");
    assert_eq!((e.row, e.column.as_deref()), (Some(3), Some("Tháng")), "{e}");
    assert!(e.message.contains("từ 1 đến 12"), "{e}");
    let e = read_csv(
        "rac.csv",
        spam_csv(&["viettel-bacgiang;2024;1;2;3;4;5"]).as_bytes(),
        None,
    )
    .expect_err("no month");
    assert!(e.message.contains("Tháng không hợp lệ"), "{e}");
    let e = read_csv(
        "rac.csv",
        spam_csv(&["viettel-bacgiang;05/2024;1;2;-3;4;5"]).as_bytes(),
        None,
    )
    .expect_err("negative");
    assert_eq!(
        (e.row, e.column.as_deref()),
        (Some(2), Some("Số thuê bao bị chặn")),
        "{e}"
    );
    assert!(e.message.contains("không âm"), "{e}");
    let e = read_csv(
        "rac.csv",
        spam_csv(&["viettel-bacgiang;05/2024;1,5;2;3;4;5"]).as_bytes(),
        None,
    )
    .expect_err("decimal");
    assert_eq!(e.column.as_deref(), Some("Phản ánh tin nhắn rác"), "{e}");
}

#[test]
fn a_windows_1258_station_list_is_decoded_to_nfc() {
    let text =
        "Doanh nghiệp,Mã trạm,Địa chỉ,\"Xã, phường\",\"Tọa độ (vĩ độ, kinh độ)\",Giấy chứng nhận kiểm định hết hạn\n\
                viettel-bacgiang,BGG0001,\"Thôn Hạ, xã Tân Tiến\",Xã Tân Tiến,\"21.27310, 106.19460\",31/12/2026\n";
    let bytes = to_windows_1258(text);
    assert!(std::str::from_utf8(&bytes).is_err(), "really not UTF-8");
    let d = read_csv("tram.csv", &bytes, None).expect("reads");
    let s = &d.bts_stations[0];
    assert_eq!(s.commune.as_str(), "Xã Tân Tiến");
    assert_eq!(s.commune.as_str(), s.commune.as_str().nfc().collect::<String>());
    assert_eq!(
        s.coordinates.map(|c| c.to_string()).as_deref(),
        Some("21.27310, 106.19460")
    );
    let e = read_csv(
        "tram.csv",
        "Doanh nghiệp,Mã trạm,Địa chỉ,\"Xã, phường\",\"Tọa độ (vĩ độ, kinh độ)\"\nviettel-bacgiang,BGG0002,Thôn A,Xã B,\"106.1, 21.2\"\n"
            .as_bytes(),
        None,
    )
    .expect_err("coordinates the wrong way round");
    assert_eq!(e.column.as_deref(), Some("Tọa độ (vĩ độ, kinh độ)"), "{e}");
}
