//! The whole workflow in a real headless Chromium, driven through
//! chromedriver: sign in, create a case with a link, change its status,
//! search items without diacritics, generate the 2024-H1 report and
//! download its DOCX, sign out; then, as the steering committee, open the
//! completeness page of its request and the roll-up report. Screenshots of
//! the dashboard, the report preview, the completeness page and the roll-up
//! go to `target/screenshots/` for a person to look at.
//!
//! Skipped when chromium or chromedriver is missing, unless
//! `CANHGIAC_REQUIRE_BROWSER=1` (set by CI), which makes that a failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)] // a failed unwrap in a test is a failed test

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use argon2::password_hash::{PasswordHasher, SaltString};
use canhgiac_domain::*;
use canhgiac_store::prelude::*;
use canhgiac_store::{Actor, SqlStore};
use fantoccini::{ClientBuilder, Locator};

const SEED: &str = include_str!("../../../fixtures/seed-2024-h1.json");

fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join(name)).find(|p| p.is_file())
}

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `target/screenshots/` of the workspace, whatever the build directory.
fn screenshots_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).expect("screenshots dir");
    dir
}

async fn spawn_app() -> (String, SqlStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("dir");
    let store = SqlStore::open_sqlite(dir.path()).await.expect("store");
    let data = canhgiac_interchange::read_json("seed.json", SEED.as_bytes())
        .expect("seed")
        .records;
    store.import(&Actor::system("test"), &data).await.expect("import");
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    let hash = argon2::Argon2::default()
        .hash_password(b"mat-khau-trinh-duyet", &salt)
        .expect("hash")
        .to_string();
    store
        .upsert(
            &Actor::system("test"),
            &User {
                username: Code::lit("chuyenvien"),
                full_name: Text::lit("Nguyễn Thị H"),
                role: Role::Editor,
                password_hash: Some(Text::lit(&hash)),
                email: None,
                active: true,
                must_change_password: false,
            },
        )
        .await
        .expect("user");
    committee(&store, &hash).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr: SocketAddr = listener.local_addr().expect("addr");
    let app = canhgiac_web::state(store.clone(), canhgiac_web::Settings::default());
    tokio::spawn(async move {
        let _ = canhgiac_web::serve(app, listener).await;
    });
    (format!("http://{addr}"), store, dir)
}

/// The text of `css` once the address contains `url_part`, read again
/// while the element goes stale under a navigation (for up to 10 s).
async fn text_after(c: &fantoccini::Client, url_part: &str, css: &str) -> String {
    for _ in 0..100 {
        let here = c.current_url().await.expect("url");
        if here.as_str().contains(url_part) {
            if let Ok(el) = c.find(Locator::Css(css)).await {
                if let Ok(t) = el.text().await {
                    return t;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} never showed on a page whose address contains {url_part}");
}

/// The steering committee over the seed agency and one more member; its
/// request for 2024-H1 was answered on time by the seed agency (approved)
/// and not at all by the other member.
async fn committee(store: &SqlStore, hash: &str) {
    let sys = Actor::system("test");
    let agency = |code: &str, name: &str, parent: Option<&str>| -> Agency {
        serde_json::from_value(serde_json::json!({
            "code": code,
            "names": [{"name": name, "parent_name": "UBND tỉnh Bắc Giang", "symbol": "BCĐ", "place": "Bắc Giang", "parent": parent}],
            "signer": {"head_title": "Trưởng ban", "position": "Trưởng ban", "full_name": "Nguyễn Văn A"}
        }))
        .expect("agency")
    };
    store
        .create(&sys, &agency("bcd", "Ban Chỉ đạo tỉnh", None))
        .await
        .expect("committee");
    store
        .create(&sys, &agency("so-gddt", "Sở Giáo dục và Đào tạo", Some("bcd")))
        .await
        .expect("member");
    let seed = store.scoped("stttt-bacgiang");
    let mut a = seed
        .get_by_key::<Agency>("stttt-bacgiang")
        .await
        .expect("get")
        .expect("seed agency");
    a.record.names[0].parent = Some(Code::lit("bcd"));
    seed.update(&sys, a.id, Some(a.version), &a.record)
        .await
        .expect("re-parent");
    let bcd = store.scoped("bcd");
    bcd.upsert(
        &sys,
        &User {
            username: Code::lit("bandieu"),
            full_name: Text::lit("Cơ quan thường trực"),
            role: Role::Editor,
            password_hash: Some(Text::lit(hash)),
            email: None,
            active: true,
            must_change_password: false,
        },
    )
    .await
    .expect("committee user");
    let call = bcd
        .call_send(
            &sys,
            &canhgiac_store::NewCall {
                number: "2023/BCĐ-CAT".into(),
                issued_on: Date::parse("05/06/2024").expect("date"),
                subject: "Báo cáo sơ kết 6 tháng đầu năm 2024".into(),
                report_kind: ReportKind::HalfYear,
                period: Period::Half(2024, 1),
                deadline: Date::parse("12/06/2024").expect("date"),
                sections: vec![],
                targets: vec![],
            },
        )
        .await
        .expect("request");
    let answer = canhgiac_report::rollup::answer_from_records(
        &seed,
        &sys,
        &call,
        Default::default(),
        &Default::default(),
        Timestamp::parse_local("11/06/2024 16:00").expect("time"),
        Some(180),
    )
    .await
    .expect("answer");
    bcd.decide(&sys, answer.id, &canhgiac_store::Decision::Approve)
        .await
        .expect("approve");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_workflow_in_a_real_browser() {
    let required = std::env::var("CANHGIAC_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    let (Some(chromium), Some(chromedriver)) = (which("chromium"), which("chromedriver")) else {
        assert!(
            !required,
            "chromium and chromedriver are required (CANHGIAC_REQUIRE_BROWSER=1)"
        );
        eprintln!("chromium or chromedriver missing: skipping the browser test");
        return;
    };
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
        l.local_addr().expect("addr").port()
    };
    let _driver = Driver(
        Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver"),
    );
    let (base, store, _dir) = spawn_app().await;
    let downloads = tempfile::tempdir().expect("downloads");
    let profile = tempfile::tempdir().expect("profile");
    let caps = serde_json::json!({
        "goog:chromeOptions": {
            "binary": chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1280,1000",
                format!("--user-data-dir={}", profile.path().display()),
            ],
            "prefs": {
                "download.default_directory": downloads.path(),
                "download.prompt_for_download": false,
            }
        }
    });
    let caps = match caps {
        serde_json::Value::Object(m) => m,
        _ => unreachable!("an object"),
    };
    let mut client = None;
    for _ in 0..50 {
        match ClientBuilder::rustls()
            .expect("tls")
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => {
                client = Some(c);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    let c = client.expect("chromedriver answers");
    let shots = screenshots_dir();

    // Sign in.
    c.goto(&format!("{base}/dang-nhap")).await.expect("goto");
    c.find(Locator::Css("input[name=username]"))
        .await
        .expect("user")
        .send_keys("chuyenvien")
        .await
        .expect("type");
    c.find(Locator::Css("input[name=password]"))
        .await
        .expect("password")
        .send_keys("mat-khau-trinh-duyet")
        .await
        .expect("type");
    c.find(Locator::Css("form button[type=submit]"))
        .await
        .expect("button")
        .click()
        .await
        .expect("click");
    c.wait()
        .for_element(Locator::Css("section.the-so"))
        .await
        .expect("dashboard");
    let body = c
        .find(Locator::Css("body"))
        .await
        .expect("body")
        .text()
        .await
        .expect("text");
    assert!(body.contains("Tổng quan") && body.contains("Nguyễn Thị H"), "{body}");
    std::fs::write(shots.join("tong-quan.png"), c.screenshot().await.expect("shot")).expect("save");

    // Create a case with a link.
    c.goto(&format!("{base}/vu-viec/moi")).await.expect("goto");
    for (name, value) in [
        ("code", "VV-2024-20"),
        ("title", "Trang giả mạo cơ quan nhà nước"),
        ("account", "@taikhoan_g"),
        ("url", "https://www.facebook.com/taikhoan_g/posts/9"),
        ("summary", "Đăng thông tin sai sự thật về chính sách hỗ trợ"),
    ] {
        let el = c.find(Locator::Css(&format!("[name={name}]"))).await.expect("field");
        el.send_keys(value).await.expect("type");
    }
    c.find(Locator::Css("form.bieu-mau button[type=submit]"))
        .await
        .expect("save")
        .click()
        .await
        .expect("click");
    c.wait()
        .for_element(Locator::Css("form[action$='/trang-thai']"))
        .await
        .expect("case page");
    let body = c
        .find(Locator::Css("body"))
        .await
        .expect("body")
        .text()
        .await
        .expect("text");
    assert!(body.contains("VV-2024-20") && body.contains("https://www.facebook.com/taikhoan_g/posts/9"));

    // Change its status (the page asks for confirmation).
    let select = c.find(Locator::Css("select[name=status]")).await.expect("select");
    select.select_by_value("evidence_collected").await.expect("choose");
    c.find(Locator::Css("form[action$='/trang-thai'] button"))
        .await
        .expect("button")
        .click()
        .await
        .expect("click");
    c.accept_alert().await.expect("confirm");
    c.wait()
        .for_element(Locator::Css("ol.dien-bien li:nth-child(2)"))
        .await
        .expect("timeline");
    let body = c
        .find(Locator::Css("body"))
        .await
        .expect("body")
        .text()
        .await
        .expect("text");
    assert!(body.contains("Đã thu thập chứng cứ"), "{body}");
    let stored = store
        .get_by_key::<Case>("VV-2024-20")
        .await
        .expect("get")
        .expect("case");
    assert_eq!(stored.record.status, CaseStatus::EvidenceCollected);

    // Search items typed without diacritics.
    c.goto(&format!("{base}/tin-bai")).await.expect("goto");
    c.find(Locator::Css("input[name=q]"))
        .await
        .expect("q")
        .send_keys("hanh dong phong chong ma tuy")
        .await
        .expect("type");
    c.find(Locator::Css("form.bo-loc button"))
        .await
        .expect("filter")
        .click()
        .await
        .expect("click");
    // The results page replaces the list: wait for its address, then read
    // the table, again if the page was still being replaced.
    let body = text_after(&c, "q=", "table.bang").await;
    assert!(body.contains("Tháng hành động phòng, chống ma túy"), "{body}");

    // Generate the 2024-H1 report, look at it, download the DOCX.
    c.goto(&format!("{base}/bao-cao")).await.expect("goto");
    let number = c
        .find(Locator::Css("form#bao-cao input[name=number]"))
        .await
        .expect("number");
    number.send_keys("180").await.expect("type");
    let date = c
        .find(Locator::Css("form#bao-cao input[name=date]"))
        .await
        .expect("date");
    date.clear().await.expect("clear");
    date.send_keys("11/06/2024").await.expect("type");
    c.find(Locator::Css("form#bao-cao button[type=submit]:not([formaction])"))
        .await
        .expect("preview")
        .click()
        .await
        .expect("click");
    c.wait()
        .for_element(Locator::Css("section.phu-luc"))
        .await
        .expect("report");
    let text = c
        .find(Locator::Css("body"))
        .await
        .expect("body")
        .text()
        .await
        .expect("text");
    assert!(
        text.contains("05 cuộc thanh tra, kiểm tra, đối với 21 tổ chức, cá nhân (14 tổ chức, 07 cá nhân)"),
        "{text:.400}"
    );
    std::fs::write(shots.join("bao-cao.png"), c.screenshot().await.expect("shot")).expect("save");
    c.back().await.expect("back");
    c.wait().for_element(Locator::Css("form#bao-cao")).await.expect("form");
    c.find(Locator::Css("form#bao-cao button[value=docx]"))
        .await
        .expect("docx")
        .click()
        .await
        .expect("click");
    let mut docx = None;
    for _ in 0..100 {
        if let Ok(rd) = std::fs::read_dir(downloads.path()) {
            if let Some(f) = rd
                .filter_map(Result::ok)
                .map(|e| e.path())
                .find(|p| p.extension().is_some_and(|e| e == "docx"))
            {
                docx = Some(f);
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let docx = docx.expect("the DOCX was downloaded");
    let bytes = std::fs::read(&docx).expect("read");
    assert!(bytes.len() > 10_000 && bytes.starts_with(b"PK\x03\x04"), "a real DOCX");

    // Sign out.
    c.goto(&format!("{base}/")).await.expect("goto");
    c.find(Locator::Css("form.dang-xuat button"))
        .await
        .expect("logout")
        .click()
        .await
        .expect("click");
    c.wait()
        .for_element(Locator::Css("input[name=password]"))
        .await
        .expect("login page");
    c.goto(&format!("{base}/vu-viec")).await.expect("goto");
    assert!(c.current_url().await.expect("url").path().ends_with("/dang-nhap"));

    // The steering committee: the completeness of its request, the roll-up.
    c.find(Locator::Css("input[name=username]"))
        .await
        .expect("username")
        .send_keys("bandieu")
        .await
        .expect("type");
    c.find(Locator::Css("input[name=password]"))
        .await
        .expect("password")
        .send_keys("mat-khau-trinh-duyet")
        .await
        .expect("type");
    c.find(Locator::Css("form button[type=submit]"))
        .await
        .expect("button")
        .click()
        .await
        .expect("click");
    c.wait().for_element(Locator::Css("nav")).await.expect("signed in");
    c.goto(&format!("{base}/bao-cao-don-vi")).await.expect("goto");
    c.find(Locator::Css("#yeu-cau-da-gui a"))
        .await
        .expect("the request")
        .click()
        .await
        .expect("click");
    let table = c
        .wait()
        .for_element(Locator::Css("table#tinh-hinh"))
        .await
        .expect("completeness")
        .text()
        .await
        .expect("text");
    assert!(
        table.contains("Sở Thông tin và Truyền thông") && table.contains("Đúng hạn"),
        "{table}"
    );
    assert!(
        table.contains("Sở Giáo dục và Đào tạo") && table.contains("Quá hạn, chưa gửi"),
        "{table}"
    );
    let rates = c
        .find(Locator::Css("#ty-le"))
        .await
        .expect("rates")
        .text()
        .await
        .expect("text");
    assert!(rates.contains("01/02") && rates.contains("50%"), "{rates}");
    std::fs::write(shots.join("tinh-hinh-bao-cao.png"), c.screenshot().await.expect("shot")).expect("save");
    c.find(Locator::LinkText("Xem báo cáo tổng hợp"))
        .await
        .expect("roll-up link")
        .click()
        .await
        .expect("click");
    let body = text_after(&c, "/bao-cao/xem", "body").await;
    assert!(body.contains("Tổng hợp báo cáo của các cơ quan, đơn vị"), "{body}");
    assert!(
        body.contains("01/02 cơ quan, đơn vị có báo cáo được duyệt (Sở Thông tin và Truyền thông)"),
        "{body}"
    );
    assert!(
        body.contains("chưa có báo cáo được duyệt (Sở Giáo dục và Đào tạo)"),
        "{body}"
    );
    std::fs::write(shots.join("bao-cao-tong-hop.png"), c.screenshot().await.expect("shot")).expect("save");
    c.close().await.expect("close");
}
