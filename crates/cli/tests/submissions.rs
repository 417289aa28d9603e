//! Two installations, as a province's steering committee and a member
//! department would run them: the request travels as a file, the answer as a
//! signed package. A package with one changed byte, one signed by a key the
//! committee did not register, and one without a signature are refused with
//! a Vietnamese message, and nothing is recorded.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)] // a failed unwrap in a test is a failed test

use std::path::Path;
use std::process::Output;

mod common;
use common::{canhgiac, ok};

fn refused(out: &Output) -> String {
    assert!(
        !out.status.success(),
        "accepted: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn agency(code: &str, name: &str, parent: Option<&str>) -> serde_json::Value {
    serde_json::json!({
        "code": code,
        "names": [{"name": name, "parent_name": "UBND tỉnh Bắc Giang", "symbol": "X", "place": "Bắc Giang", "parent": parent}],
        "signer": {"head_title": "Giám đốc", "position": "Giám đốc", "full_name": "Nguyễn Văn A"}
    })
}

fn write_dataset(path: &Path, records: &serde_json::Value) {
    let env = serde_json::json!({"format": "canhgiac", "schema_version": 1, "records": records});
    std::fs::write(path, serde_json::to_vec(&env).unwrap()).unwrap();
}

const TOPICS: &str = r#"[{"code": "PCTP", "name": "Công tác phòng, chống tội phạm", "short_name": "phòng, chống tội phạm", "ordinal": 1},
  {"code": "PCMT", "name": "Công tác phòng, chống ma túy", "short_name": "phòng, chống ma túy", "ordinal": 2}]"#;

fn public_key(out: &str) -> String {
    out.lines()
        .find_map(|l| l.split("cấp trên để đăng ký): ").nth(1))
        .expect("public key printed")
        .trim()
        .to_owned()
}

#[test]
fn a_signed_answer_travels_between_installations_and_tampering_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (p, c) = (dir.path().join("ban-chi-dao"), dir.path().join("so-vhttdl"));
    let f = |name: &str| dir.path().join(name);
    let topics: serde_json::Value = serde_json::from_str(TOPICS).unwrap();

    // The committee's installation knows itself and its member.
    write_dataset(
        &f("p1.json"),
        &serde_json::json!({"agencies": [agency("bcd", "Ban Chỉ đạo tỉnh", None)], "topics": topics}),
    );
    ok(&canhgiac(&p, &["import", f("p1.json").to_str().unwrap()]));
    write_dataset(
        &f("p2.json"),
        &serde_json::json!({"agencies": [agency("so-vh", "Sở Văn hóa, Thể thao và Du lịch", Some("bcd"))]}),
    );
    ok(&canhgiac(&p, &["import", f("p2.json").to_str().unwrap()]));
    let sent = ok(&canhgiac(
        &p,
        &[
            "--agency",
            "bcd",
            "request",
            "send",
            "--number",
            "15/BCĐ",
            "--issued-on",
            "05/06/2024",
            "--subject",
            "Báo cáo sơ kết 6 tháng đầu năm 2024",
            "--period",
            "2024-H1",
            "--deadline",
            "12/06/2024",
        ],
    ));
    assert!(sent.contains("Sở Văn hóa, Thể thao và Du lịch"), "{sent}");
    ok(&canhgiac(
        &p,
        &[
            "--agency",
            "bcd",
            "request",
            "export",
            "--id",
            "1",
            "--out",
            f("yeu-cau.json").to_str().unwrap(),
        ],
    ));

    // The member's own installation: itself, its parent, its items.
    write_dataset(
        &f("c1.json"),
        &serde_json::json!({"agencies": [agency("so-vh", "Sở Văn hóa, Thể thao và Du lịch", Some("bcd"))], "topics": topics}),
    );
    ok(&canhgiac(&c, &["import", f("c1.json").to_str().unwrap()]));
    write_dataset(
        &f("c2.json"),
        &serde_json::json!({"agencies": [agency("bcd", "Ban Chỉ đạo tỉnh", None)]}),
    );
    ok(&canhgiac(&c, &["import", f("c2.json").to_str().unwrap()]));
    write_dataset(
        &f("c3.json"),
        &serde_json::json!({
            "outlets": [{"code": "cong-vh", "name": "Cổng thông tin Sở VHTTDL", "kind": "portal", "level": "province", "active": true}],
            "media_items": [
                {"outlet": "cong-vh", "kind": "article", "title": "Tuyên truyền phòng, chống tội phạm", "published_on": "2024-03-01", "topics": ["PCTP"], "source": "manual"},
                {"outlet": "cong-vh", "kind": "article", "title": "Phòng, chống ma túy học đường", "published_on": "2024-04-01", "topics": ["PCMT"], "source": "manual"}
            ]
        }),
    );
    ok(&canhgiac(
        &c,
        &["--agency", "so-vh", "import", f("c3.json").to_str().unwrap()],
    ));
    // A request file that is not one, or is addressed to someone else, is
    // refused in Vietnamese and records nothing.
    let import_request = |file: &std::path::Path, agency: &str| {
        canhgiac(&c, &["--agency", agency, "request", "import", file.to_str().unwrap()])
    };
    std::fs::write(f("hong.json"), b"{\"number\": [1, 2]").unwrap();
    let err = refused(&import_request(&f("hong.json"), "so-vh"));
    assert!(err.contains("không phải yêu cầu báo cáo hợp lệ"), "{err}");
    let err = refused(&import_request(&f("yeu-cau.json"), "bcd"));
    assert!(err.contains("không gửi tới cơ quan «bcd»"), "{err}");
    assert_eq!(ok(&canhgiac(&c, &["--agency", "so-vh", "request", "list"])).trim(), "");
    let got = ok(&import_request(&f("yeu-cau.json"), "so-vh"));
    assert!(got.contains("Đã nhận yêu cầu số 15/BCĐ của Ban Chỉ đạo tỉnh"), "{got}");
    let key1 = public_key(&ok(&canhgiac(&c, &["--agency", "so-vh", "key", "generate"])));
    let answered = ok(&canhgiac(
        &c,
        &["--agency", "so-vh", "submission", "answer", "--request", "1"],
    ));
    assert!(answered.contains("Đã gửi báo cáo lần 1"), "{answered}");
    let package = f("goi.json");
    ok(&canhgiac(
        &c,
        &[
            "--agency",
            "so-vh",
            "submission",
            "export",
            "--id",
            "1",
            "--out",
            package.to_str().unwrap(),
        ],
    ));

    // Before the committee registers the member's key, the package is refused.
    let err = refused(&canhgiac(
        &p,
        &["--agency", "bcd", "submission", "import", package.to_str().unwrap()],
    ));
    assert!(err.contains("khóa chưa đăng ký"), "{err}");
    ok(&canhgiac(
        &p,
        &[
            "--agency",
            "bcd",
            "key",
            "register",
            "--for",
            "so-vh",
            "--public-key",
            &key1,
        ],
    ));

    // One changed byte, anywhere that matters, is refused.
    let bytes = std::fs::read(&package).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    let at = |needle: &str| text.find(needle).unwrap_or_else(|| panic!("{needle} in package")) + needle.len();
    for (what, pos) in [
        ("a figure", at("\"value\":")),
        ("the signature", at("\"signature\":\"") + 5),
        ("a file", at("\"data\":\"") + 40),
        ("the agency", at("\"agency\":\"") + 1),
    ] {
        let mut changed = bytes.clone();
        changed[pos] = if changed[pos] == b'1' { b'2' } else { b'1' };
        let file = f("goi-sua.json");
        std::fs::write(&file, &changed).unwrap();
        let err = refused(&canhgiac(
            &p,
            &["--agency", "bcd", "submission", "import", file.to_str().unwrap()],
        ));
        assert!(err.contains("Gói báo cáo bị từ chối"), "{what}: {err}");
    }
    // Unsigned.
    let sig = at("\"signature\":\"");
    let end = text[sig..].find('"').unwrap() + sig;
    let unsigned = format!("{}{}", &text[..sig], &text[end..]);
    std::fs::write(f("goi-khong-ky.json"), unsigned).unwrap();
    let err = refused(&canhgiac(
        &p,
        &[
            "--agency",
            "bcd",
            "submission",
            "import",
            f("goi-khong-ky.json").to_str().unwrap(),
        ],
    ));
    assert!(err.contains("chưa được ký số"), "{err}");
    // Signed by another key of the member, which the committee never registered.
    ok(&canhgiac(&c, &["--agency", "so-vh", "key", "generate"]));
    ok(&canhgiac(
        &c,
        &[
            "--agency",
            "so-vh",
            "submission",
            "export",
            "--id",
            "1",
            "--out",
            f("goi-khoa-khac.json").to_str().unwrap(),
        ],
    ));
    let err = refused(&canhgiac(
        &p,
        &[
            "--agency",
            "bcd",
            "submission",
            "import",
            f("goi-khoa-khac.json").to_str().unwrap(),
        ],
    ));
    assert!(err.contains("khóa chưa đăng ký"), "{err}");
    // Nothing was recorded by the refusals.
    assert_eq!(
        ok(&canhgiac(
            &p,
            &["--agency", "bcd", "submission", "list", "--request", "1"]
        ))
        .trim(),
        ""
    );

    // The genuine package is received, checked and approved.
    let received = ok(&canhgiac(
        &p,
        &["--agency", "bcd", "submission", "import", package.to_str().unwrap()],
    ));
    assert!(received.contains("đã kiểm tra chữ ký số"), "{received}");
    ok(&canhgiac(
        &p,
        &["--agency", "bcd", "submission", "approve", "--id", "1"],
    ));
    let status = ok(&canhgiac(&p, &["--agency", "bcd", "request", "status", "--id", "1"]));
    assert!(status.contains("Đã duyệt 01/01"), "{status}");
    let report = f("tong-hop.md");
    ok(&canhgiac(
        &p,
        &[
            "--agency",
            "bcd",
            "report",
            "--period",
            "2024-H1",
            "--date",
            "20/06/2024",
            "--out",
            report.to_str().unwrap(),
        ],
    ));
    let md = std::fs::read_to_string(&report).unwrap();
    assert!(
        md.contains("có 01/01 cơ quan, đơn vị có báo cáo được duyệt (Sở Văn hóa, Thể thao và Du lịch)"),
        "{md}"
    );
    assert!(md.contains("tin, bài về phòng, chống tội phạm: 01;"), "{md}");
}
