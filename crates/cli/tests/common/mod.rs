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
pub fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).expect("utf-8 output")
}
