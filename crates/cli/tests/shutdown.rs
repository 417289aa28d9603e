//! Graceful shutdown: on SIGTERM, `serve` stops taking connections, lets a
//! request under way finish with its answer, lets the jobs under way finish
//! (each completed once), leaves the queued jobs queued, and exits cleanly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)] // a failed unwrap in a test is a failed test

use std::io::{Read, Write};
use std::process::Command;
use std::time::{Duration, Instant};

use canhgiac_store::prelude::*;
use canhgiac_store::SqlStore;

mod common;
use common::{canhgiac, ok};

const JOBS: usize = 6;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_the_request_and_the_jobs_under_way_finish() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("d");
    ok(&canhgiac(&data, &["demo"]));
    ok(&canhgiac(
        &data,
        &["jobs", "probe", "--count", &JOBS.to_string(), "--sleep-ms", "2500"],
    ));
    let (mut server, port) = common::serve(env!("CARGO_BIN_EXE_canhgiac"), &data, &["--concurrency", "2"]);
    let store = SqlStore::open_sqlite(&data).await.expect("store");
    let running = || async {
        store
            .job_states(canhgiac_jobs::PROBE)
            .await
            .expect("states")
            .iter()
            .filter(|j| j.state == "running")
            .count()
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while running().await < 2 {
        assert!(Instant::now() < deadline, "the jobs did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // A sign-in whose body is half sent when the signal comes.
    let body = "username=chuyenvien&password=sai-mat-khau-1234";
    let (first, rest) = body.split_at(20);
    let mut conn = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    conn.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
    write!(
        conn,
        "POST /dang-nhap HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{first}",
        body.len()
    )
    .expect("send");
    conn.flush().expect("flush");
    std::thread::sleep(Duration::from_millis(200));
    let term = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .expect("kill -TERM");
    assert!(term.success());
    std::thread::sleep(Duration::from_millis(500));
    // No new connection is taken once the signal is in.
    let refused = std::net::TcpStream::connect(("127.0.0.1", port));
    assert!(refused.is_err(), "a new connection was accepted after SIGTERM");
    conn.write_all(rest.as_bytes()).expect("send the rest");
    let mut answer = String::new();
    let _ = conn.read_to_string(&mut answer);
    assert!(
        answer.starts_with("HTTP/1.1 401"),
        "the request under way got its answer: {answer:?}"
    );

    // The server ends by itself, cleanly, once the jobs under way are done.
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = server.try_wait().expect("wait") {
            break s;
        }
        assert!(Instant::now() < deadline, "the server did not stop within 30 s");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "exit status {status}");
    let states = store.job_states(canhgiac_jobs::PROBE).await.expect("states");
    assert_eq!(states.len(), JOBS);
    let done = states.iter().filter(|j| j.state == "done").count();
    let queued = states.iter().filter(|j| j.state == "queued").count();
    assert!(done >= 2, "the jobs under way finished: {states:?}");
    assert_eq!(done + queued, JOBS, "none left running or failed: {states:?}");
    assert!(states
        .iter()
        .all(|j| j.completions <= 1 && (j.state != "done" || j.completions == 1)));
    store.close().await;
}
