//! The binary, run as a user would: a fresh data folder, real SQLite files.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)] // a failed unwrap in a test is a failed test

use std::path::Path;

mod common;
use common::{canhgiac, ok};

fn stats_json(data: &Path, period: &str) -> serde_json::Value {
    serde_json::from_str(&ok(&canhgiac(data, &["stats", "--period", period, "--json"]))).expect("json")
}

/// The seed agency's export without its timestamp, for comparing stores.
fn export_records(data: &Path) -> serde_json::Value {
    let mut v: serde_json::Value =
        serde_json::from_str(&ok(&canhgiac(data, &["--agency", "stttt-bacgiang", "export"]))).expect("json");
    v["exported_at"] = serde_json::Value::Null;
    v
}

#[test]
fn demo_then_a_query_shows_the_seed_figures() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("du-lieu");
    let out = ok(&canhgiac(&data, &["demo"]));
    assert!(out.contains("Mật khẩu"), "first run creates the admin: {out}");
    assert!(
        out.contains("05 cuộc, đối với 21 tổ chức, cá nhân (14 tổ chức, 07 cá nhân)"),
        "{out}"
    );
    assert!(
        out.contains("06 tổ chức, cá nhân (02 tổ chức, 04 cá nhân), tổng số tiền 19,5 triệu đồng"),
        "{out}"
    );
    assert!(data.join("canhgiac.sqlite").exists());

    let s = stats_json(&data, "2024-H1");
    assert_eq!(s["directives"], 6);
    assert_eq!(s["inspections"], 5);
    assert_eq!(s["inspection_subjects"]["organisations"], 14);
    assert_eq!(s["inspection_subjects"]["individuals"], 7);
    assert_eq!(s["sanctions"]["organisations"], 2);
    assert_eq!(s["sanctions"]["individuals"], 4);
    assert_eq!(s["fine_total"], 19_500_000);
    assert_eq!(
        s["range"]["from"], "2023-12-15",
        "the seed agency follows the national cut-off rule"
    );
    assert_eq!(s["range"]["to"], "2024-06-14");

    // The second half of 2024 has nothing yet: zeros, not an error.
    let h2 = stats_json(&data, "2024-H2");
    assert_eq!(h2["directives"], 0);
    assert_eq!(h2["fine_total"], 0);
}

/// Issue 11, item 7: the demo loads only into an empty store; over a store
/// in use it says so and changes nothing — no password, lock, setting or
/// deleted record is brought back.
#[test]
fn demo_loads_only_into_an_empty_store() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("d");
    ok(&canhgiac(&data, &["demo"]));
    // The store is used: a password reset, a lock.
    ok(&canhgiac(&data, &["user", "reset-password", "bandieu"]));
    ok(&canhgiac(&data, &["user", "unlock", "bandieu", "--lock"]));
    let used = export_records(&data);
    let audit_used = ok(&canhgiac(&data, &["audit", "--verify"]));
    // The trail in words and Vietnam time: no UTC stamp, no origin code.
    let trail = ok(&canhgiac(&data, &["audit", "--limit", "500"]));
    assert!(trail.contains("Dòng lệnh: nạp dữ liệu mẫu"), "{trail}");
    assert!(trail.contains("Dòng lệnh: quản lý tài khoản"), "{trail}");
    assert!(!trail.contains("cli:") && !trail.contains("Z  "), "{trail}");
    let again = canhgiac(&data, &["demo"]);
    assert!(!again.status.success());
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(err.contains("chỉ nạp vào kho trống"), "{err}");
    assert!(!String::from_utf8_lossy(&again.stdout).contains("Mật khẩu"));
    assert_eq!(export_records(&data), used);
    assert_eq!(ok(&canhgiac(&data, &["audit", "--verify"])), audit_used);
    let list = ok(&canhgiac(&data, &["user", "list"]));
    assert!(
        list.lines().any(|l| l.starts_with("bandieu") && l.contains("đã khóa")),
        "{list}"
    );
}

#[test]
fn export_loads_back_into_an_empty_store() {
    let dir = tempfile::tempdir().expect("dir");
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    ok(&canhgiac(&a, &["demo"]));
    // The demo holds the committee and its members: one agency per file.
    let out = canhgiac(&a, &["export"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("--agency"));
    let file = dir.path().join("xuat.json");
    ok(&canhgiac(
        &a,
        &[
            "--agency",
            "stttt-bacgiang",
            "export",
            "--out",
            file.to_str().expect("path"),
        ],
    ));
    ok(&canhgiac(&b, &["import", file.to_str().expect("path")]));
    assert_eq!(export_records(&b), export_records(&a));
}

#[test]
fn a_bad_import_says_why_in_vietnamese_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("d");
    ok(&canhgiac(&data, &["demo"]));
    let before = export_records(&data);
    let bad = dir.path().join("xu-phat.csv");
    std::fs::write(
        &bad,
        "Số quyết định,Ngày ban hành,Loại đối tượng,Tên đối tượng,Hành vi vi phạm,Số tiền phạt,Người ra quyết định\n\
         20/QĐ-XPHC,10/06/2024,Cá nhân,Nguyễn Văn A,Vi phạm,5.000.000,Chánh Thanh tra\n\
         21/QĐ-XPHC,31/02/2024,Cá nhân,Nguyễn Văn B,Vi phạm,5.000.000,Chánh Thanh tra\n",
    )
    .expect("write");
    let out = canhgiac(
        &data,
        &["--agency", "stttt-bacgiang", "import", bad.to_str().expect("path")],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Tệp «xu-phat.csv», dòng 3, cột «Ngày ban hành»: Ngày không tồn tại: «31/02/2024»"),
        "{err}"
    );
    assert_eq!(export_records(&data), before);

    // A file that parses but refers to a case that does not exist: the store refuses it whole.
    std::fs::write(
        &bad,
        "Số quyết định,Ngày ban hành,Loại đối tượng,Tên đối tượng,Hành vi vi phạm,Số tiền phạt,Người ra quyết định,Vụ việc\n\
         20/QĐ-XPHC,10/06/2024,Cá nhân,Nguyễn Văn A,Vi phạm,5.000.000,Chánh Thanh tra,\n\
         21/QĐ-XPHC,11/06/2024,Cá nhân,Nguyễn Văn B,Vi phạm,5.000.000,Chánh Thanh tra,VV-KHONG-CO\n",
    )
    .expect("write");
    let out = canhgiac(
        &data,
        &["--agency", "stttt-bacgiang", "import", bad.to_str().expect("path")],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("VV-KHONG-CO") && err.contains("Không bản ghi nào được ghi"),
        "{err}"
    );
    assert_eq!(export_records(&data), before);
}

#[test]
fn a_good_csv_import_adds_and_reimporting_adds_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("d");
    ok(&canhgiac(&data, &["demo"]));
    let file = dir.path().join("tin.csv");
    std::fs::write(
        &file,
        "Cơ quan báo chí,Loại tin bài,Tiêu đề,Đường dẫn,Ngày đăng,Chủ đề\n\
         bao-bac-giang-dien-tu,Tin,Bắt đối tượng tàng trữ ma túy,https://baobacgiang.vn/bai-1?utm_source=fb,12/06/2024,PCMT\n",
    )
    .expect("write");
    let out = ok(&canhgiac(
        &data,
        &["--agency", "stttt-bacgiang", "import", file.to_str().expect("path")],
    ));
    assert!(out.contains("1 bản ghi mới"), "{out}");
    let out = ok(&canhgiac(
        &data,
        &["--agency", "stttt-bacgiang", "import", file.to_str().expect("path")],
    ));
    assert!(
        out.contains("0 bản ghi mới") && out.contains("1 bản ghi không đổi"),
        "{out}"
    );
    let s = stats_json(&data, "2024-H1");
    assert_eq!(s["items"], 240);
}

#[test]
fn init_prints_the_password_once() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("d");
    let first = ok(&canhgiac(&data, &["init"]));
    assert!(first.contains("Mật khẩu"));
    let second = ok(&canhgiac(&data, &["init"]));
    assert!(
        !second.contains("Mật khẩu") && second.contains("đã được khởi tạo"),
        "{second}"
    );
    let out = canhgiac(&data, &["--database-url", "mysql://x", "stats", "--period", "2024"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("postgres://"));
    let out = canhgiac(&data, &["stats", "--period", "2024-Q5"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("Kỳ báo cáo không hợp lệ"));
}

/// Issue 11, item 8: the last administrator cannot demote or lock
/// themselves out, and the shell recovers an account the web cannot.
#[test]
fn the_last_administrator_stays_and_the_shell_recovers_accounts() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("d");
    let first = ok(&canhgiac(&data, &["init"]));
    let old_password = first.rsplit(": ").next().expect("password").trim().to_owned();
    for args in [
        &["user", "set-role", "admin", "viewer"][..],
        &["user", "unlock", "admin", "--lock"][..],
    ] {
        let out = canhgiac(&data, args);
        assert!(!out.status.success(), "{args:?} must be refused");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("quản trị viên cuối cùng"), "{err}");
    }
    let list = ok(&canhgiac(&data, &["user", "list"]));
    assert!(
        list.contains("admin") && list.contains("Quản trị") && list.contains("đang hoạt động"),
        "{list}"
    );
    assert!(
        list.contains("phải đổi mật khẩu được cấp"),
        "the generated password must be changed: {list}"
    );
    let out = canhgiac(&data, &["user", "set-role", "admin", "sieu-quan-tri"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("vai trò"));
    let out = canhgiac(&data, &["user", "reset-password", "khong-co"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("không có tài khoản «khong-co»"));
    let reset = ok(&canhgiac(&data, &["user", "reset-password", "ADMIN"]));
    let new_password = reset.rsplit(": ").next().expect("password").trim().to_owned();
    assert!(new_password.len() >= 12 && new_password != old_password, "{reset}");
    // Both changes are in the audit trail, and it verifies.
    let audit = ok(&canhgiac(&data, &["audit", "--verify"]));
    assert!(!audit.is_empty());
}

/// Issue 11, item 11: the template an agency saved in the data folder is
/// used without `--agency` too, for the installation's own agency.
#[test]
fn the_saved_agency_template_applies_without_agency() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("d");
    ok(&canhgiac(&data, &["demo"]));
    let default = ok(&canhgiac(&data, &["report", "template"]));
    std::fs::create_dir_all(data.join("templates")).expect("dir");
    std::fs::write(
        data.join("templates/stttt-bacgiang.md.j2"),
        format!("{default}\n\nĐoạn riêng trong mẫu của Sở.\n"),
    )
    .expect("template");
    let out = dir.path().join("bao-cao.md");
    ok(&canhgiac(
        &data,
        &["report", "--period", "2024-H1", "--out", out.to_str().expect("path")],
    ));
    let text = std::fs::read_to_string(&out).expect("report");
    assert!(text.contains("Đoạn riêng trong mẫu của Sở"), "{text:.300}");
}

/// The data folder is its owner's alone: made so when new, and named
/// with the fix on every start when others can read it.
#[test]
fn the_data_folder_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("d");
    let out = canhgiac(&data, &["init"]);
    ok(&out);
    let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("canhgiac.sqlite")), 0o600);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("Cảnh báo"));
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let out = canhgiac(&data, &["init"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Cảnh báo") && err.contains("chmod -R go-rwx"), "{err}");
}

#[test]
fn report_renders_and_issues_versions() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("d");
    ok(&canhgiac(&data, &["demo"]));
    let md = dir.path().join("bc.md");
    let docx = dir.path().join("bc.docx");
    for out in [&md, &docx] {
        ok(&canhgiac(
            &data,
            &[
                "report",
                "--period",
                "2024-H1",
                "--kind",
                "so-ket",
                "--number",
                "180",
                "--date",
                "11/06/2024",
                "--out",
                out.to_str().expect("path"),
            ],
        ));
    }
    let text = std::fs::read_to_string(&md).expect("md");
    assert!(
        text.contains("Tiến hành 05 cuộc thanh tra, kiểm tra, đối với 21 tổ chức, cá nhân (14 tổ chức, 07 cá nhân)")
    );
    assert!(std::fs::read(&docx).expect("docx").starts_with(b"PK"));
    let args = [
        "report",
        "issue",
        "--period",
        "2024-H1",
        "--number",
        "180",
        "--date",
        "11/06/2024",
        "--formats",
        "docx,md",
    ];
    // The demo's member answer already issued 180/BC-STTTT once: each
    // issue is the next version.
    let version_and_id = |out: &str| -> (u32, String) {
        let v = out
            .split("phiên bản ")
            .nth(1)
            .and_then(|r| r.split(',').next())
            .expect("version");
        let id = out
            .split("mã số ")
            .nth(1)
            .and_then(|r| r.split(')').next())
            .expect("id");
        (v.parse().expect("number"), id.to_owned())
    };
    let (v1, id) = version_and_id(&ok(&canhgiac(&data, &args)));
    let (v2, _) = version_and_id(&ok(&canhgiac(&data, &args)));
    assert_eq!(v2, v1 + 1);
    assert!(ok(&canhgiac(&data, &["report", "verify", "--id", &id])).contains("nguyên vẹn"));
    let got = dir.path().join("v1.md");
    ok(&canhgiac(
        &data,
        &[
            "report",
            "get",
            "--id",
            &id,
            "--file",
            "bao-cao.md",
            "--out",
            got.to_str().expect("path"),
        ],
    ));
    assert_eq!(std::fs::read_to_string(&got).expect("md"), text);
    // Bad input: a period that does not exist, an unknown format.
    let out = canhgiac(&data, &["report", "--period", "2024-H3", "--out", "x.docx"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("Kỳ báo cáo không hợp lệ"));
    let out = canhgiac(&data, &["report", "--period", "2024-H1", "--out", "x.exe"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("không suy ra được định dạng"));
}

#[test]
fn two_agencies_in_one_store_each_get_their_own_figures() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("du-lieu");
    ok(&canhgiac(&data, &["demo"]));
    let agency = dir.path().join("co-quan.json");
    std::fs::write(
        &agency,
        r#"{"format": "canhgiac", "schema_version": 1, "records": {"agencies": [{
            "code": "so-vhttdl",
            "names": [{"name": "Sở Văn hóa, Thể thao và Du lịch", "parent_name": "UBND tỉnh Bắc Giang",
                       "symbol": "SVHTTDL", "place": "Bắc Giang"}],
            "signer": {"head_title": "Giám đốc", "position": "Giám đốc", "full_name": "Nguyễn Văn D"}}]}}"#,
    )
    .expect("write");
    ok(&canhgiac(&data, &["import", agency.to_str().expect("path")]));
    let cases = dir.path().join("vu-viec.json");
    std::fs::write(
        &cases,
        r#"{"format": "canhgiac", "schema_version": 1, "records": {"cases": [{
            "code": "VH-2024-01", "title": "Bài đăng sai sự thật về lễ hội", "platform": "facebook",
            "account": "@taikhoan_d", "summary": "Thông tin sai sự thật", "category": "false_information",
            "status": "new", "opened_on": "2024-04-02"}]}}"#,
    )
    .expect("write");
    // Whose the records are must be said once the store holds two agencies.
    let out = canhgiac(&data, &["import", cases.to_str().expect("path")]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nhiều cơ quan"));
    ok(&canhgiac(
        &data,
        &["--agency", "so-vhttdl", "import", cases.to_str().expect("path")],
    ));
    // Reading takes the installation's own agency, and says so.
    let out = canhgiac(&data, &["stats", "--period", "2024-H1", "--json"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("--agency"));
    let own: serde_json::Value = serde_json::from_str(&ok(&out)).expect("json");
    let stats = |code: &str| -> serde_json::Value {
        serde_json::from_str(&ok(&canhgiac(
            &data,
            &["--agency", code, "stats", "--period", "2024-H1", "--json"],
        )))
        .expect("json")
    };
    let a = stats("stttt-bacgiang");
    assert_eq!(own, a);
    assert_eq!(
        (a["directives"].as_i64(), a["inspections"].as_i64()),
        (Some(6), Some(5))
    );
    assert_eq!(a["fine_total"], 19_500_000);
    let b = stats("so-vhttdl");
    assert_eq!(
        (b["directives"].as_i64(), b["inspections"].as_i64()),
        (Some(0), Some(0))
    );
    assert_eq!(
        (b["fine_total"].as_i64(), b["cases_opened"].as_i64()),
        (Some(0), Some(1))
    );
    let out = canhgiac(&data, &["--agency", "khong-co", "stats", "--period", "2024-H1"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("không có cơ quan mã «khong-co»"));
    // The demo never loads over a store in use.
    let again = canhgiac(&data, &["demo"]);
    assert!(!again.status.success());
    assert_eq!(stats("so-vhttdl")["cases_opened"], 1);
    assert_eq!(stats("stttt-bacgiang"), a);
}

/// `canhgiac search` finds without diacritics, marks the words found,
/// prints JSON, explains a refused query in Vietnamese; the index is a
/// cache: deleted, it comes back; `index rebuild` says how many items.
#[test]
fn search_and_index_rebuild() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("du-lieu");
    ok(&canhgiac(&data, &["demo"]));
    let out = ok(&canhgiac(&data, &["search", "mua ban nguoi", "--limit", "3"]));
    assert!(out.contains("[mua bán người]"), "{out}");
    assert!(out.contains("Tìm thấy") && out.contains("(hiện 03)"), "{out}");
    assert!(
        out.contains("Chủ đề: Công tác tuyên truyền phòng, chống mua bán Người"),
        "topics by name: {out}"
    );
    let json: serde_json::Value = serde_json::from_str(&ok(&canhgiac(
        &data,
        &["search", "\"ma túy\"", "--json", "--topic", "PCMT"],
    )))
    .expect("json");
    let hits = json["hits"].as_array().expect("hits");
    assert!(!hits.is_empty());
    assert!(hits
        .iter()
        .all(|h| h["topics"].as_array().unwrap().iter().any(|t| t == "PCMT")));
    let refused = canhgiac(&data, &["search", "NOT ma"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("loại trừ"));
    let total = |out: &str| out.lines().last().unwrap_or_default().to_owned();
    let before = total(&ok(&canhgiac(&data, &["search", "ma túy"])));
    std::fs::remove_dir_all(data.join("index")).expect("remove the index");
    assert_eq!(
        total(&ok(&canhgiac(&data, &["search", "ma túy"]))),
        before,
        "rebuilt from the store"
    );
    let out = ok(&canhgiac(&data, &["index", "rebuild"]));
    assert!(out.contains("Đã dựng lại chỉ mục tìm kiếm: 244 tin, bài"), "{out}");
}

/// Issue 10: cases from the shell — added under the next free code, listed,
/// moved only as the workflow allows (a refusal says why, in Vietnamese, and
/// changes nothing), shown with their history.
#[test]
fn cases_are_added_moved_and_shown_from_the_shell() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("du-lieu");
    ok(&canhgiac(&data, &["demo"]));
    let agency = ["--agency", "stttt-bacgiang"];
    let with = |args: &[&str]| canhgiac(&data, &[&agency[..], args].concat());
    let id = ok(&with(&[
        "case",
        "add",
        "--platform",
        "facebook",
        "--account",
        "@taikhoan_x",
        "--url",
        "https://www.facebook.com/taikhoan_x/posts/1",
        "--summary",
        "Đăng tin sai sự thật về bão lũ",
        "--opened",
        "02/07/2024",
    ]))
    .trim()
    .to_owned();
    assert!(id.parse::<i64>().is_ok(), "prints the new case's id: {id}");
    let list = ok(&with(&["case", "list"]));
    assert!(list.contains("VV-2024-05") && list.contains("Mới phát hiện"), "{list}");

    // A jump the workflow refuses, then one that needs its reason.
    let jump = with(&["case", "move", &id, "đã xử phạt"]);
    assert!(!jump.status.success());
    let said = String::from_utf8_lossy(&jump.stderr);
    assert!(
        said.contains("Không thể chuyển vụ việc từ «Mới phát hiện» sang «Đã xử phạt»"),
        "{said}"
    );
    assert!(!said.contains("status"), "no internal names: {said}");
    let bare = with(&["case", "move", &id, "tam dung"]);
    assert!(String::from_utf8_lossy(&bare.stderr).contains("cần ghi lý do"));
    ok(&with(&["case", "move", &id, "verifying"]));
    ok(&with(&[
        "case",
        "move",
        "VV-2024-05",
        "tạm dừng",
        "--reason",
        "Chờ Công an tỉnh xác minh",
    ]));
    let shown = ok(&with(&["case", "show", &id]));
    assert!(
        shown.contains("Trạng thái: Tạm dừng") && shown.contains("Lý do: Chờ Công an tỉnh xác minh"),
        "{shown}"
    );
    assert!(
        shown.contains("Mới phát hiện → Đang xác minh") && shown.contains("Đang xác minh → Tạm dừng"),
        "{shown}"
    );
    assert!(shown.contains("Có thể chuyển sang: Đang xác minh"), "{shown}");
    let missing = with(&["case", "show", "VV-9999-99"]);
    assert!(String::from_utf8_lossy(&missing.stderr).contains("không có vụ việc «VV-9999-99»"));
}
