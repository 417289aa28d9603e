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

/// A headless Chromium driven through its own chromedriver, with its own
/// profile and download directory; `None` (the test skips) when either is
/// missing, unless `CANHGIAC_REQUIRE_BROWSER=1`.
struct Browser {
    c: fantoccini::Client,
    downloads: tempfile::TempDir,
    _profile: tempfile::TempDir,
    _driver: Driver,
}

async fn open_browser(width: u32, height: u32) -> Option<Browser> {
    let required = std::env::var("CANHGIAC_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    let (Some(chromium), Some(chromedriver)) = (which("chromium"), which("chromedriver")) else {
        assert!(
            !required,
            "chromium and chromedriver are required (CANHGIAC_REQUIRE_BROWSER=1)"
        );
        eprintln!("chromium or chromedriver missing: skipping the browser test");
        return None;
    };
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
        l.local_addr().expect("addr").port()
    };
    let driver = Driver(
        Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver"),
    );
    let downloads = tempfile::tempdir().expect("downloads");
    let profile = tempfile::tempdir().expect("profile");
    let caps = serde_json::json!({
        "goog:chromeOptions": {
            "binary": chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--lang=vi-VN",
                format!("--window-size={width},{height}"),
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
    // Two TLS back ends are built into the workspace's tests (the
    // collector's client brings ring, the WebDriver client aws-lc-rs):
    // name one, as rustls asks when it cannot tell.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    for _ in 0..50 {
        match ClientBuilder::rustls()
            .expect("tls")
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => {
                return Some(Browser {
                    c,
                    downloads,
                    _profile: profile,
                    _driver: driver,
                })
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    panic!("chromedriver never answered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_workflow_in_a_real_browser() {
    let Some(browser) = open_browser(1280, 1000).await else {
        return;
    };
    let (base, store, _dir) = spawn_app().await;
    let c = browser.c.clone();
    let downloads = &browser.downloads;
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
        ("urls", "https://www.facebook.com/taikhoan_g/posts/9"),
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

    // Change its status (the page asks for confirmation): only the moves
    // the workflow allows are offered.
    assert!(c
        .find(Locator::Css("input[name=status][value=sanctioned]"))
        .await
        .is_err());
    c.find(Locator::Css("input[name=status][value=verifying]"))
        .await
        .expect("radio")
        .click()
        .await
        .expect("choose");
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
    assert!(body.contains("Mới phát hiện → Đang xác minh"), "{body}");
    let stored = store
        .get_by_key::<Case>("VV-2024-20")
        .await
        .expect("get")
        .expect("case");
    assert_eq!(stored.record.status, CaseStatus::Verifying);

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
    c.find(Locator::Css("form#bao-cao select[name=period]"))
        .await
        .expect("period")
        .select_by_label("6 tháng đầu năm 2024")
        .await
        .expect("pick the period by name");
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
    // The preview page keeps the menu; the report is in its frame.
    let frame = c
        .wait()
        .for_element(Locator::Css("iframe.xem-truoc"))
        .await
        .expect("preview")
        .attr("src")
        .await
        .expect("src")
        .expect("a frame source");
    c.goto(&format!("{base}{frame}")).await.expect("goto");
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
    let frame = c
        .wait()
        .for_element(Locator::Css("iframe.xem-truoc"))
        .await
        .expect("roll-up preview")
        .attr("src")
        .await
        .expect("src")
        .expect("a frame source");
    c.goto(&format!("{base}{frame}")).await.expect("goto");
    let body = text_after(&c, "/bao-cao/van-ban", "body").await;
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

const AXE: &str = include_str!("vendor/axe.min.js");

async fn sign_in(c: &fantoccini::Client, base: &str, user: &str) {
    c.goto(&format!("{base}/dang-nhap")).await.expect("goto");
    c.find(Locator::Css("input[name=username]"))
        .await
        .expect("user")
        .send_keys(user)
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
}

/// Types into a form field found by name.
async fn fill(c: &fantoccini::Client, name: &str, value: &str) {
    let el = c
        .find(Locator::Css(&format!("form.bieu-mau [name='{name}']")))
        .await
        .unwrap_or_else(|_| panic!("field {name}"));
    el.clear().await.expect("clear");
    el.send_keys(value).await.expect("type");
}

/// Picks an option of a select by what people read, never its code.
async fn pick(c: &fantoccini::Client, name: &str, label: &str) {
    c.find(Locator::Css(&format!("form.bieu-mau select[name='{name}']")))
        .await
        .unwrap_or_else(|_| panic!("select {name}"))
        .select_by_label(label)
        .await
        .unwrap_or_else(|_| panic!("«{label}» in {name}"));
}

/// Sets a picker (date, date and time) as a person picking it would leave it.
async fn set_picker(c: &fantoccini::Client, name: &str, value: &str) {
    let el = c
        .find(Locator::Css(&format!("form.bieu-mau input[name='{name}']")))
        .await
        .unwrap_or_else(|_| panic!("picker {name}"));
    c.execute(
        "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change'));",
        vec![serde_json::to_value(&el).expect("element"), serde_json::json!(value)],
    )
    .await
    .expect("set");
}

async fn submit_form(c: &fantoccini::Client) {
    c.find(Locator::Css("form.bieu-mau button[type=submit]"))
        .await
        .expect("save")
        .click()
        .await
        .expect("click");
}

async fn body_text(c: &fantoccini::Client) -> String {
    c.find(Locator::Css("body"))
        .await
        .expect("body")
        .text()
        .await
        .expect("text")
}

/// Waits until the address contains `part`, then returns the page's text.
async fn page_after(c: &fantoccini::Client, part: &str) -> String {
    text_after(c, part, "body").await
}

/// axe-core's serious and critical violations on the page shown.
async fn axe_violations(c: &fantoccini::Client) -> Vec<String> {
    c.execute(&format!("{AXE}\n;return true;"), vec![])
        .await
        .expect("axe loads");
    let found = c
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             axe.run(document, { resultTypes: ['violations'] })\
               .then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')\
                 .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))))\
               .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .expect("axe runs");
    serde_json::from_value(found).expect("a list")
}

/// The page's width against its window's: more means sideways scrolling.
async fn widths(c: &fantoccini::Client) -> (i64, i64) {
    let v = c
        .execute(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];",
            vec![],
        )
        .await
        .expect("widths");
    let v: Vec<i64> = serde_json::from_value(v).expect("two numbers");
    (v[0], v[1])
}

/// The main workflows, done with the mouse and keyboard and never a typed
/// code: the dashboard's period changed, an item added by form and a file
/// of items uploaded, an inspection recorded with two subjects and a
/// sanction, a takedown check at a local date and time, a list exported to
/// XLSX. Then every page visited is photographed at 1366×900 and 390×844
/// (`target/screenshots/`), checked by axe-core (no serious violation) and,
/// on the phone, for sideways scrolling.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_main_workflows_at_desktop_and_phone_sizes() {
    let Some(browser) = open_browser(1366, 900).await else {
        return;
    };
    let (base, store, _dir) = spawn_app().await;
    let c = browser.c.clone();
    let shots = screenshots_dir();
    let mut visited: Vec<(&str, String)> = Vec::new();
    sign_in(&c, &base, "chuyenvien").await;
    visited.push(("tong-quan", "/".into()));

    // The dashboard's period, picked by name.
    c.find(Locator::Css("select#ky"))
        .await
        .expect("period picker")
        .select_by_label("6 tháng đầu năm 2024")
        .await
        .expect("pick");
    c.find(Locator::Css("form.bo-loc button[type=submit]"))
        .await
        .expect("show")
        .click()
        .await
        .expect("click");
    let body = page_after(&c, "ky=2024-H1").await;
    assert!(body.contains("Tổng quan 6 tháng đầu năm 2024"), "{body:.300}");
    visited.push(("tong-quan-2024-h1", "/?ky=2024-H1".into()));

    // An item by form: the outlet picked by name, a topic ticked, the day picked.
    c.goto(&format!("{base}/tin-bai/moi")).await.expect("goto");
    pick(&c, "outlet", "Báo Bắc Giang").await;
    // A long list has a search box: typing without diacritics narrows it.
    let programme = store
        .list::<Programme>(&canhgiac_store::ListQuery::default())
        .await
        .expect("programmes")
        .remove(0)
        .record;
    let visible =
        "return Array.from(document.querySelector('select[name=programme]').options).filter(o => !o.hidden).length;";
    let all: u64 = serde_json::from_value(c.execute(visible, vec![]).await.expect("count")).expect("n");
    c.find(Locator::Css("input.tim-trong-danh-sach"))
        .await
        .expect("a search box over the programmes")
        .send_keys(&fold(programme.name.as_str()))
        .await
        .expect("type");
    let narrowed: u64 = serde_json::from_value(c.execute(visible, vec![]).await.expect("count")).expect("n");
    assert!(narrowed >= 2 && narrowed < all, "{narrowed} of {all}");
    pick(&c, "programme", "— Chọn —").await;
    pick(&c, "kind", "Bài").await;
    fill(
        &c,
        "title",
        "Người dân Yên Dũng cảnh giác với thủ đoạn lừa đảo qua mạng",
    )
    .await;
    set_picker(&c, "published_on", "2024-06-20").await;
    c.find(Locator::Css("input[name='topics:PCTP']"))
        .await
        .expect("topic box")
        .click()
        .await
        .expect("tick");
    submit_form(&c).await;
    let body = page_after(&c, "da-luu=1").await;
    assert!(body.contains("Đã lưu.") && body.contains("20/06/2024"), "{body:.600}");
    let item: Vec<_> = store
        .list::<MediaItem>(&canhgiac_store::ListQuery {
            search: Some("yen dung thu doan lua dao qua mang".into()),
            ..Default::default()
        })
        .await
        .expect("list")
        .into_iter()
        .filter(|i| i.record.title.as_str() == "Người dân Yên Dũng cảnh giác với thủ đoạn lừa đảo qua mạng")
        .collect();
    assert_eq!(item.len(), 1);
    assert_eq!(item[0].record.topics[0].as_str(), "PCTP");
    visited.push(("tin-bai-moi", "/tin-bai/moi".into()));
    visited.push(("tin-bai", format!("/tin-bai/{}", item[0].id)));

    // A file of items, uploaded.
    let file = tempfile::Builder::new().suffix(".csv").tempfile().expect("file");
    std::fs::write(
        file.path(),
        "Cơ quan báo chí,Loại tin bài,Tiêu đề,Ngày đăng,Chủ đề,Tiêu biểu\n\
         bao-bac-giang,Tin,Tuyên truyền phòng chống ma túy học đường,21/06/2024,PCMT,không\n\
         bao-bac-giang,Tin,Ra quân cao điểm trấn áp tội phạm,22/06/2024,PCTP,có\n",
    )
    .expect("write");
    c.goto(&format!("{base}/tin-bai/nhap")).await.expect("goto");
    c.find(Locator::Css("input[type=file][name=tep]"))
        .await
        .expect("file input")
        .send_keys(&file.path().display().to_string())
        .await
        .expect("choose");
    submit_form(&c).await;
    c.wait()
        .for_element(Locator::Css("p.thong-bao"))
        .await
        .expect("imported");
    assert!(body_text(&c).await.contains("2 bản ghi mới"));
    visited.push(("tin-bai-nhap", "/tin-bai/nhap".into()));

    // An inspection with two subjects and a sanction, each picked by name.
    c.goto(&format!("{base}/so/thanh-tra-kiem-tra/moi"))
        .await
        .expect("goto");
    fill(&c, "code", "TTr-2024-09").await;
    pick(&c, "kind", "Kiểm tra").await;
    fill(&c, "field", "Thông tin điện tử").await;
    fill(
        &c,
        "title",
        "Kiểm tra việc cung cấp thông tin trên trang thông tin điện tử tổng hợp",
    )
    .await;
    fill(&c, "lead", "Thanh tra Sở").await;
    set_picker(&c, "started_on", "2024-06-03").await;
    submit_form(&c).await;
    page_after(&c, "da-luu=1").await;
    let inspection_url = c.current_url().await.expect("url").path().to_owned();
    for (name, kind) in [("Công ty TNHH Truyền thông A", "Tổ chức"), ("Nguyễn Văn A", "Cá nhân")] {
        c.goto(&format!("{base}/so/doi-tuong-thanh-tra/moi"))
            .await
            .expect("goto");
        pick(
            &c,
            "inspection",
            "TTr-2024-09 — Kiểm tra việc cung cấp thông tin trên trang thông tin điện tử tổng hợp (03/06/2024)",
        )
        .await;
        fill(&c, "name", name).await;
        pick(&c, "kind", kind).await;
        submit_form(&c).await;
        page_after(&c, "da-luu=1").await;
    }
    c.goto(&format!("{base}/so/xu-phat/moi")).await.expect("goto");
    fill(&c, "number", "25/QĐ-XPVPHC").await;
    set_picker(&c, "issued_on", "2024-06-10").await;
    pick(&c, "subject_kind", "Tổ chức").await;
    fill(&c, "subject_name", "Công ty TNHH Truyền thông A").await;
    fill(
        &c,
        "violation",
        "Cung cấp thông tin sai sự thật trên trang thông tin điện tử tổng hợp",
    )
    .await;
    fill(&c, "fine", "7500000").await;
    fill(&c, "issuer", "Chánh Thanh tra Sở").await;
    pick(
        &c,
        "inspection",
        "TTr-2024-09 — Kiểm tra việc cung cấp thông tin trên trang thông tin điện tử tổng hợp (03/06/2024)",
    )
    .await;
    submit_form(&c).await;
    let body = page_after(&c, "da-luu=1").await;
    assert!(body.contains("7.500.000 đồng"), "money in Vietnamese: {body:.800}");
    c.goto(&format!("{base}{inspection_url}")).await.expect("goto");
    let body = body_text(&c).await;
    assert!(
        body.contains("Công ty TNHH Truyền thông A") && body.contains("Nguyễn Văn A") && body.contains("25/QĐ-XPVPHC"),
        "the inspection shows its subjects and its sanction: {body}"
    );
    visited.push(("thanh-tra", inspection_url.clone()));
    visited.push(("thanh-tra-moi", "/so/thanh-tra-kiem-tra/moi".into()));
    visited.push(("xu-phat-moi", "/so/xu-phat/moi".into()));

    // A takedown check at a local date and time.
    c.goto(&format!("{base}/so/kiem-tra-go-bo/moi")).await.expect("goto");
    let case_label = c
        .find(Locator::Css("form.bieu-mau select[name='case'] option:nth-child(2)"))
        .await
        .expect("a case to pick")
        .text()
        .await
        .expect("label");
    pick(&c, "case", &case_label).await;
    fill(&c, "url", "https://www.facebook.com/taikhoan_a/posts/1").await;
    set_picker(&c, "checked_at", "2024-06-20T09:30").await;
    pick(&c, "result", "Đã gỡ bỏ").await;
    fill(&c, "checked_by", "Nguyễn Thị H").await;
    submit_form(&c).await;
    let body = page_after(&c, "da-luu=1").await;
    assert!(
        body.contains("20/06/2024 09:30"),
        "Vietnam time as entered: {body:.800}"
    );
    let check = store
        .list::<TakedownCheck>(&canhgiac_store::ListQuery {
            search: Some("taikhoan_a/posts/1".into()),
            ..Default::default()
        })
        .await
        .expect("checks");
    assert_eq!(
        check[0].record.checked_at,
        Timestamp::parse("2024-06-20T02:30:00Z").expect("utc"),
        "stored in UTC"
    );
    visited.push(("kiem-tra-go-bo", c.current_url().await.expect("url").path().to_owned()));
    visited.push(("kiem-tra-go-bo-moi", "/so/kiem-tra-go-bo/moi".into()));

    // Telecom: the station register sorted by the certificate's expiry, a
    // station's page, the spam reports' upload page, and the dashboard's
    // telecom part with the expiry alerts.
    c.goto(&format!("{base}/so/tram-bts?sap-xep=certificate_expires"))
        .await
        .expect("goto");
    let first = c.find(Locator::Css("main table tbody tr a")).await.expect("a station");
    first.click().await.expect("open station");
    c.wait()
        .for_element(Locator::Css("main h1"))
        .await
        .expect("station page");
    let station_page = c.current_url().await.expect("url").path().to_owned();
    let text = c
        .find(Locator::Css("main"))
        .await
        .expect("main")
        .text()
        .await
        .expect("text");
    assert!(
        text.contains("Giấy chứng nhận kiểm định hết hạn")
            && ["Viettel Bắc Giang", "VNPT Bắc Giang", "MobiFone Bắc Giang"]
                .iter()
                .any(|o| text.contains(o))
            && !text.contains("-bacgiang"),
        "{text}"
    );
    visited.push(("tram-bts", "/so/tram-bts?sap-xep=certificate_expires".into()));
    visited.push(("tram-bts-xem", station_page));
    visited.push(("rac-vien-thong-nhap", "/so/rac-vien-thong/nhap".into()));
    c.goto(&format!("{base}/?ky=2024-H1")).await.expect("goto");
    let telecom = c.find(Locator::Css("#vien-thong")).await.expect("telecom part");
    assert!(telecom.is_displayed().await.expect("shown?"));
    let alerts = c
        .find(Locator::Css("section[aria-labelledby=tram-bts-het-han]"))
        .await
        .expect("alerts")
        .text()
        .await
        .expect("text");
    assert!(
        alerts.contains("trạm đã hết hạn") && alerts.contains("Trạm BGG"),
        "{alerts}"
    );
    visited.push(("tong-quan-vien-thong", "/?ky=2024-H1".into()));

    // A list exported to Excel.
    c.goto(&format!("{base}/so/xu-phat")).await.expect("goto");
    c.find(Locator::LinkText("Xuất Excel"))
        .await
        .expect("export")
        .click()
        .await
        .expect("click");
    let mut xlsx = None;
    for _ in 0..100 {
        if let Some(f) = std::fs::read_dir(browser.downloads.path()).ok().and_then(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .find(|p| p.extension().is_some_and(|e| e == "xlsx"))
        }) {
            xlsx = Some(f);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let bytes = std::fs::read(xlsx.expect("the XLSX was downloaded")).expect("read");
    assert!(bytes.starts_with(b"PK\x03\x04"), "a workbook");
    visited.push(("xu-phat", "/so/xu-phat".into()));
    // The collector's sources: the register and a source's page with its
    // collection health.
    let sources = store
        .list::<canhgiac_domain::Source>(&canhgiac_store::ListQuery::default())
        .await
        .expect("sources");
    visited.push(("nguon-tin", "/so/nguon-tin".into()));
    visited.push(("nguon-tin-xem", format!("/so/nguon-tin/{}", sources[0].id)));
    // Watch rules and the review queue of what they matched.
    canhgiac_ingest::watch::run(&store).await.expect("watch mark");
    let rule: canhgiac_domain::WatchRule = serde_json::from_value(serde_json::json!({
        "name": "Mua bán ma túy", "query": "\"ma túy\" AND (bán OR mua) NOT \"phòng chống\""
    }))
    .expect("rule");
    let seeded = store.scoped("stttt-bacgiang");
    seeded.create(&Actor::system("test"), &rule).await.expect("rule");
    let matched: canhgiac_domain::MediaItem = serde_json::from_value(serde_json::json!({
        "outlet": "bao-bac-giang", "kind": "news", "published_on": "2024-06-20", "source": "feed",
        "title": "Bắt quả tang đối tượng mua bán trái phép chất ma túy tại thành phố Bắc Giang",
        "url": "https://baobacgiang.vn/bat-qua-tang-doi-tuong-mua-ban-trai-phep-chat-ma-tuy"
    }))
    .expect("item");
    seeded.create(&Actor::system("test"), &matched).await.expect("item");
    canhgiac_ingest::watch::run(&store).await.expect("watch");
    visited.push(("quy-tac-theo-doi", "/so/quy-tac-theo-doi".into()));
    visited.push(("theo-doi", "/theo-doi".into()));
    for (name, path) in [
        ("danh-sach-tin-bai", "/tin-bai"),
        ("vu-viec", "/vu-viec"),
        ("so-theo-doi", "/so"),
        ("bao-cao", "/bao-cao"),
        ("bao-cao-xem", "/bao-cao/xem?period=2024-H1&kind=so_ket"),
        ("bao-cao-don-vi", "/bao-cao-don-vi"),
        ("doi-mat-khau", "/tai-khoan/mat-khau"),
    ] {
        visited.push((name, path.to_owned()));
    }

    // Every page: photographed at both sizes, checked by axe, and on the
    // phone never wider than the screen.
    let mut problems = Vec::new();
    for (name, path) in &visited {
        c.goto(&format!("{base}{path}")).await.expect("goto");
        c.wait().for_element(Locator::Css("main")).await.expect("page");
        std::fs::write(
            shots.join(format!("{name}-1366.png")),
            c.screenshot().await.expect("shot"),
        )
        .expect("save");
        for v in axe_violations(&c).await {
            problems.push(format!("{path}: {v}"));
        }
    }
    c.set_window_size(390, 844).await.expect("phone size");
    for (name, path) in &visited {
        c.goto(&format!("{base}{path}")).await.expect("goto");
        c.wait().for_element(Locator::Css("main")).await.expect("page");
        let (scroll, client) = widths(&c).await;
        assert!(client <= 390, "the window is a phone's: {client}");
        if scroll > client {
            problems.push(format!("{path}: {scroll}px wide on a {client}px screen"));
        }
        std::fs::write(
            shots.join(format!("{name}-390.png")),
            c.screenshot().await.expect("shot"),
        )
        .expect("save");
    }
    // The menu folds on the phone and opens with its button.
    let nav = c.find(Locator::Css("#menu-chinh")).await.expect("menu");
    assert!(!nav.is_displayed().await.expect("shown?"), "folded");
    c.find(Locator::Css("button.mo-menu"))
        .await
        .expect("button")
        .click()
        .await
        .expect("open");
    assert!(nav.is_displayed().await.expect("shown?"), "opened");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    c.close().await.expect("close");
}
