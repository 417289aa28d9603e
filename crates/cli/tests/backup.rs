//! Backup while the server runs, restore into an empty folder or schema:
//! the same export (every agency's), a chain that verifies; and a damaged,
//! swollen or misdirected backup changes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)] // a failed unwrap in a test is a failed test

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

mod common;
use common::{canhgiac, ok, run};

const AGENCIES: &[&str] = &[
    "stttt-bacgiang",
    "bcd-pctp-bacgiang",
    "so-vhttdl-bacgiang",
    "so-gddt-bacgiang",
];

/// Every agency's export, without its timestamp; `pre` are the global
/// options naming the store.
fn exports(pre: &[&str]) -> Vec<serde_json::Value> {
    AGENCIES
        .iter()
        .map(|a| {
            let mut args = pre.to_vec();
            args.extend(["--agency", a, "export"]);
            let out = run(&args);
            let mut v: serde_json::Value = serde_json::from_str(&ok(&out)).expect("json");
            v["exported_at"] = serde_json::Value::Null;
            v
        })
        .collect()
}

fn err(out: &std::process::Output) -> String {
    assert!(
        !out.status.success(),
        "must fail: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A copy of `file` whose part `name` is replaced by `bytes`, keeping the
/// manifest as it was.
fn with_part(file: &Path, name: &str, bytes: &[u8], out: &Path) {
    let mut src = zip::ZipArchive::new(std::fs::File::open(file).unwrap()).unwrap();
    let mut dst = zip::ZipWriter::new(std::fs::File::create(out).unwrap());
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in 0..src.len() {
        let mut e = src.by_index(i).unwrap();
        let entry = e.name().to_owned();
        dst.start_file(entry.as_str(), opts).unwrap();
        if entry == name {
            dst.write_all(bytes).unwrap();
        } else {
            std::io::copy(&mut e, &mut dst).unwrap();
        }
    }
    dst.finish().unwrap();
}

#[test]
fn a_backup_taken_while_serving_restores_to_the_same_records() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("du-lieu");
    ok(&canhgiac(&data, &["demo"]));
    std::fs::create_dir_all(data.join("templates")).unwrap();
    std::fs::write(data.join("templates/stttt-bacgiang.md.j2"), "# Mẫu riêng\n").unwrap();
    let data_s = data.to_str().unwrap();
    let before = exports(&["--data", data_s]);
    // The server runs (and writes its sessions) while the copy is taken.
    let (mut server, _) = common::serve(env!("CARGO_BIN_EXE_canhgiac"), &data, &[]);
    let file = dir.path().join("sao-luu.zip");
    let said = ok(&canhgiac(&data, &["backup", "--out", file.to_str().unwrap()]));
    assert!(
        said.contains("Đã sao lưu") && said.contains("canhgiac.sqlite"),
        "{said}"
    );
    let _ = server.kill();
    let _ = server.wait();
    // Never over an existing file.
    assert!(err(&canhgiac(&data, &["backup", "--out", file.to_str().unwrap()])).contains("đã có"));

    let restored = dir.path().join("phuc-hoi");
    let said = ok(&canhgiac(&restored, &["restore", file.to_str().unwrap()]));
    assert!(said.contains("nhật ký toàn vẹn"), "{said}");
    assert_eq!(exports(&["--data", restored.to_str().unwrap()]), before);
    assert!(restored.join("templates/stttt-bacgiang.md.j2").is_file());
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&restored), 0o700, "the restored folder is private");
        assert_eq!(mode(&restored.join("canhgiac.sqlite")), 0o600);
    }
    ok(&canhgiac(&restored, &["audit", "--verify"]));

    // Only into an empty folder.
    assert!(err(&canhgiac(&restored, &["restore", file.to_str().unwrap()])).contains("không trống"));
    // A changed byte, a swollen part, a stranger's file: refused, and the
    // target folder stays empty.
    let bad = dir.path().join("hong.zip");
    let mut db = std::fs::read(restored.join("canhgiac.sqlite")).unwrap();
    let mid = db.len() / 2;
    db[mid] ^= 0x55;
    with_part(&file, "canhgiac.sqlite", &db, &bad);
    let empty = dir.path().join("trong");
    assert!(err(&canhgiac(&empty, &["restore", bad.to_str().unwrap()])).contains("bị hỏng"));
    let swollen = dir.path().join("phinh.zip");
    with_part(&file, "canhgiac.sqlite", &vec![0u8; 8 << 20], &swollen);
    assert!(err(&canhgiac(&empty, &["restore", swollen.to_str().unwrap()])).contains("bị hỏng"));
    let stranger = dir.path().join("la.zip");
    std::fs::write(&stranger, b"PK\x03\x04 not really").unwrap();
    assert!(err(&canhgiac(&empty, &["restore", stranger.to_str().unwrap()])).contains("ZIP"));
    assert!(std::fs::read_dir(&empty)
        .map(|mut d| d.next().is_none())
        .unwrap_or(true));
}

/// Runs `statements` in one transaction as the PostgreSQL administrator.
fn as_admin(rt: &tokio::runtime::Runtime, admin_url: &str, statements: &[String]) {
    rt.block_on(async {
        let admin = canhgiac_store::db::Pool::connect_postgres(admin_url, None)
            .await
            .unwrap();
        let mut tx = admin.begin().await.unwrap();
        for sql in statements {
            tx.exec(sql, &[]).await.unwrap();
        }
        tx.commit().await.unwrap();
        admin.close().await;
    });
}

#[test]
fn postgres_backup_restores_into_an_empty_schema() {
    let required = std::env::var("CANHGIAC_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
    let admin_url = std::env::var("CANHGIAC_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let tools = Command::new("pg_dump")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let up = std::net::TcpStream::connect_timeout(&"127.0.0.1:5432".parse().unwrap(), Duration::from_secs(2)).is_ok();
    if !(tools && up) {
        assert!(
            !required,
            "PostgreSQL and pg_dump are required (CANHGIAC_REQUIRE_POSTGRES=1)"
        );
        eprintln!("PostgreSQL or pg_dump missing: skipping");
        return;
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let schema = format!("sao_luu_{}", std::process::id());
    let url = rt
        .block_on(canhgiac_store::testing::app_schema(&admin_url, &schema))
        .expect("schema");
    let pre = ["--database-url", url.as_str(), "--database-schema", schema.as_str()];
    let with = |rest: &[&str]| {
        let mut a = pre.to_vec();
        a.extend(rest);
        run(&a)
    };
    ok(&with(&["demo"]));
    let before = exports(&pre);
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("pg.zip");
    let said = ok(&with(&["backup", "--out", file.to_str().unwrap()]));
    assert!(said.contains("postgres.dump"), "{said}");
    // Not over a schema in use.
    assert!(err(&with(&["restore", file.to_str().unwrap()])).contains("đã có bảng"));
    // Lost: the schema is dropped, then restored from the file.
    as_admin(
        &rt,
        &admin_url,
        &[
            format!("DROP SCHEMA {schema} CASCADE"),
            format!(
                "CREATE SCHEMA {schema} AUTHORIZATION {}",
                canhgiac_store::testing::APP_ROLE
            ),
        ],
    );
    let said = ok(&with(&["restore", file.to_str().unwrap()]));
    assert!(said.contains("nhật ký toàn vẹn"), "{said}");
    assert_eq!(exports(&pre), before);
    // A PostgreSQL backup does not go into an embedded store.
    assert!(err(&canhgiac(
        &dir.path().join("khac"),
        &["restore", file.to_str().unwrap()]
    ))
    .contains("postgres"));
    as_admin(&rt, &admin_url, &[format!("DROP SCHEMA {schema} CASCADE")]);
}

#[test]
fn scheduled_backups_run_as_a_job_and_keep_the_newest() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("du-lieu");
    ok(&canhgiac(&data, &["demo"]));
    let backups = dir.path().join("sao-luu");
    std::fs::create_dir_all(&backups).unwrap();
    for old in [
        "canhgiac-20240101-010000.zip",
        "canhgiac-20240102-010000.zip",
        "canhgiac-20240103-010000.zip",
    ] {
        std::fs::write(backups.join(old), b"cu").unwrap();
    }
    std::fs::write(backups.join("ghi-chu.txt"), b"not ours").unwrap();
    let b = backups.to_str().unwrap();
    let said = ok(&canhgiac(
        &data,
        &["backup", "--schedule", b, "--every-hours", "24", "--keep", "2"],
    ));
    assert!(said.contains("Đã lập lịch sao lưu"), "{said}");
    assert!(err(&canhgiac(&data, &["backup", "--schedule", b])).contains("đã có lịch"));
    let (mut server, _) = common::serve(env!("CARGO_BIN_EXE_canhgiac"), &data, &[]);
    let newest = || {
        let mut ours: Vec<String> = std::fs::read_dir(&backups)
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.starts_with("canhgiac-") && n.ends_with(".zip"))
            .collect();
        ours.sort();
        ours
    };
    let mut done = false;
    for _ in 0..300 {
        if newest().len() == 2 && !newest().contains(&"canhgiac-20240102-010000.zip".to_owned()) {
            done = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let status = ok(&canhgiac(&data, &["jobs", "status"]));
    let _ = server.kill();
    let _ = server.wait();
    assert!(done, "a backup was taken and the oldest pruned: {:?}", newest());
    let kept = newest();
    assert_eq!(kept[0], "canhgiac-20240103-010000.zip");
    assert!(backups.join("ghi-chu.txt").exists(), "other files are left alone");
    assert!(status.contains("backup"), "the next run is queued: {status}");
    // The scheduled backup restores like any other.
    let restored = dir.path().join("phuc-hoi");
    let file = backups.join(&kept[1]);
    let said = ok(&canhgiac(&restored, &["restore", file.to_str().unwrap()]));
    assert!(said.contains("nhật ký toàn vẹn"), "{said}");
}
