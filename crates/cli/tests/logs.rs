//! What the server logs never holds a secret: run it at the most verbose
//! level, sign in wrongly and rightly, use an API token, change a password,
//! and search everything it wrote for those secrets.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)] // a failed unwrap in a test is a failed test

use std::process::{Command, Stdio};

mod common;
use common::{canhgiac, ok};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_logs_never_hold_passwords_tokens_or_cookies() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("d");
    ok(&canhgiac(&data, &["demo"]));
    let reset = ok(&canhgiac(&data, &["user", "reset-password", "chuyenvien"]));
    let password = reset.rsplit(": ").next().expect("password").trim().to_owned();
    let made = ok(&canhgiac(
        &data,
        &["token", "--user", "chuyenvien", "--scopes", "read,write"],
    ));
    let token = common::token_in(&made);
    let port = common::free_port();
    let log_path = dir.path().join("serve.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut server = Command::new(env!("CARGO_BIN_EXE_canhgiac"))
        .args(["--data", data.to_str().unwrap(), "--log-format", "json", "serve"])
        .args(["--bind", &format!("127.0.0.1:{port}")])
        .env("RUST_LOG", "trace")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("serve");
    let base = format!("http://127.0.0.1:{port}");
    common::wait_for_port(port);
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let wrong = "doan-sai-Mat-Khau-7731";
    let res = c
        .post(format!("{base}/dang-nhap"))
        .form(&[("username", "chuyenvien"), ("password", wrong)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::UNAUTHORIZED, "the form again");
    let res = c
        .post(format!("{base}/dang-nhap"))
        .form(&[("username", "chuyenvien"), ("password", password.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::SEE_OTHER);
    let cookie = res
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .and_then(|kv| kv.split_once('='))
        .map(|(_, v)| v.to_owned())
        .expect("session cookie");
    let page = c
        .get(format!("{base}/tai-khoan/mat-khau"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = page
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("csrf")
        .to_owned();
    let new_password = "Mat-Khau-Moi-Rat-Dai-9046";
    let res = c
        .post(format!("{base}/tai-khoan/mat-khau"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("current", password.as_str()),
            ("new", new_password),
            ("again", new_password),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    let api = reqwest::Client::new();
    let res = api
        .get(format!("{base}/api/v1/outlets"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    let res = api
        .get(format!("{base}/api/v1/outlets"))
        .bearer_auth("ma-gia-mao-0123456789abcdef")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::UNAUTHORIZED);
    let _ = server.kill();
    let _ = server.wait();
    let logged = std::fs::read_to_string(&log_path).unwrap();
    assert!(logged.lines().count() > 10, "the server logged: {logged:.500}");
    assert!(logged.contains("sign-in failed"), "refusals are logged");
    for secret in [
        wrong,
        password.as_str(),
        new_password,
        token.as_str(),
        "ma-gia-mao-0123456789abcdef",
        cookie.as_str(),
        csrf.as_str(),
        "$argon2",
    ] {
        assert!(!logged.contains(secret), "the log holds a secret ({:.6}…)", secret);
    }
}
