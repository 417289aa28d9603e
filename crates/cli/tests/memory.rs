//! Memory under a sign-in flood (issue 11, defect 1): 200 parallel wrong
//! sign-ins, each of which would run a 19 MiB Argon2 hash, keep the server's
//! peak resident memory (VmHWM) under 500 MB, and a right sign-in works
//! afterwards.
//!
//! CI runs it against the release binary (`CANHGIAC_RELEASE_BIN`); without
//! that variable it uses the test build of the same code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)] // a failed unwrap in a test is a failed test

use std::process::Command;
use std::time::Duration;

mod common;

const LIMIT_KB: u64 = 500 * 1024;

fn binary() -> String {
    std::env::var("CANHGIAC_RELEASE_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_canhgiac").to_owned())
}

/// A field of /proc/PID/status, in kB.
fn status_kb(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|r| r.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("field")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_parallel_wrong_sign_ins_stay_under_500_mb() {
    let bin = binary();
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("d");
    let run = |args: &[&str]| {
        Command::new(&bin)
            .arg("--data")
            .arg(&data)
            .args(args)
            .env_remove("CANHGIAC_DATABASE_URL")
            .output()
            .expect("run")
    };
    common::ok(&run(&["demo"]));
    let reset = common::ok(&run(&["user", "reset-password", "chuyenvien"]));
    let password = reset.rsplit(": ").next().expect("password").trim().to_owned();
    let (mut server, port) = common::serve(&bin, &data, &[]);
    let base = format!("http://127.0.0.1:{port}");
    let before = status_kb(server.id(), "VmRSS:");

    // 200 at once, each from its own loopback address, so that no throttle
    // stops them before the hash: only the bound on concurrent hashes can.
    let tasks: Vec<_> = (0..200u8)
        .map(|i| {
            let url = format!("{base}/dang-nhap");
            tokio::spawn(async move {
                let c = reqwest::Client::builder()
                    .local_address(std::net::IpAddr::from([127, 0, 1, i]))
                    .timeout(Duration::from_secs(120))
                    .build()
                    .expect("client");
                let user = if i % 2 == 0 {
                    "chuyenvien".to_owned()
                } else {
                    format!("khach{i}")
                };
                c.post(url)
                    .form(&[("username", user.as_str()), ("password", "sai-mat-khau-1234")])
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
            })
        })
        .collect();
    let mut answers = std::collections::BTreeMap::new();
    for t in tasks {
        let code = t.await.expect("task").expect("an answer, not a dropped connection");
        *answers.entry(code).or_insert(0) += 1;
    }
    let peak = status_kb(server.id(), "VmHWM:");
    let after = status_kb(server.id(), "VmRSS:");
    eprintln!("answers {answers:?}; resident before {before} kB, peak {peak} kB, after {after} kB");
    assert!(
        answers.keys().all(|c| [401, 503].contains(c)) && answers.contains_key(&401),
        "every wrong sign-in is refused: {answers:?}"
    );
    assert!(peak < LIMIT_KB, "peak resident memory {peak} kB (limit {LIMIT_KB} kB)");

    // The right password still signs in at once, from an address of its own.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let r = client
        .post(format!("{base}/dang-nhap"))
        .form(&[("username", "chuyenvien"), ("password", password.as_str())])
        .send()
        .await
        .expect("sign in");
    assert_eq!(
        r.status(),
        reqwest::StatusCode::SEE_OTHER,
        "the right sign-in after the flood"
    );
    let _ = server.kill();
    let _ = server.wait();
}
