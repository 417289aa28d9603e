//! Running the binary as a user would: a data folder, real SQLite files.

use std::path::Path;
use std::process::{Command, Output};

/// `canhgiac --data DIR ARGS…`, with the environment's store settings removed.
#[allow(dead_code)] // not every test binary uses it
pub fn canhgiac(data: &Path, args: &[&str]) -> Output {
    let data = data.to_str().expect("a UTF-8 path");
    let mut all = vec!["--data", data];
    all.extend(args);
    run(&all)
}

/// `canhgiac ARGS…` (naming the store itself), with the environment's
/// store settings removed.
#[allow(dead_code)] // not every test binary uses it
pub fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_canhgiac"))
        .args(args)
        .env_remove("CANHGIAC_DATABASE_URL")
        .env_remove("CANHGIAC_DATA")
        .env_remove("CANHGIAC_AGENCY")
        .output()
        .expect("run canhgiac")
}

/// The standard output of a run that must succeed.
#[allow(dead_code)] // not every test binary uses it
pub fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).expect("utf-8 output")
}

/// The PostgreSQL to test against, or `None` (the test skips) when none
/// answers and `CANHGIAC_REQUIRE_POSTGRES=1` is not set; with it, a missing
/// server fails the test.
#[allow(dead_code)] // not every test binary uses it
pub fn pg_url() -> Option<String> {
    let required = std::env::var("CANHGIAC_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
    let url = std::env::var("CANHGIAC_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], 5432));
    match std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_secs(2)) {
        Ok(_) => Some(url),
        Err(e) if !required => {
            eprintln!("PostgreSQL unavailable ({e}); skipping (CANHGIAC_REQUIRE_POSTGRES=1 makes this fail)");
            None
        }
        Err(e) => panic!("PostgreSQL required: {e}"),
    }
}

/// A loopback port nobody listens on.
#[allow(dead_code)] // not every test binary uses it
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

/// Waits up to a minute for a server to listen on `port`.
#[allow(dead_code)] // not every test binary uses it
pub fn wait_for_port(port: u16) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(std::time::Instant::now() < deadline, "the server did not start");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Starts `BIN --data DATA serve --bind 127.0.0.1:PORT EXTRA…` on a free
/// port, quiet and with the environment's store settings removed, and waits
/// until it listens.
#[allow(dead_code)] // not every test binary uses it
pub fn serve(bin: &str, data: &Path, extra: &[&str]) -> (std::process::Child, u16) {
    let port = free_port();
    let child = Command::new(bin)
        .arg("--data")
        .arg(data)
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .args(extra)
        .env_remove("CANHGIAC_DATABASE_URL")
        .env_remove("CANHGIAC_DATA")
        .env_remove("CANHGIAC_AGENCY")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("serve");
    wait_for_port(port);
    (child, port)
}

/// The API token `canhgiac token` printed (`Mã truy cập …: SECRET`).
#[allow(dead_code)] // not every test binary uses it
pub fn token_in(printed: &str) -> String {
    printed
        .lines()
        .find_map(|l| {
            l.strip_prefix("Mã truy cập")
                .and_then(|r| r.split_once(": "))
                .map(|(_, t)| t.trim().to_owned())
        })
        .expect("token printed")
}
