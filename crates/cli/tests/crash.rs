//! Crash safety: a large import and writes through the API run together,
//! and both processes are killed with SIGKILL at a point chosen by a seed.
//! After the restart nothing acknowledged is lost, nothing is written twice,
//! the import is all or nothing, the derived counts agree with the items,
//! the audit chain verifies, and the work resumes: the import runs again to
//! the same records and the API takes new writes.
//!
//! The seeds are fixed, so a failure names the seed that reproduces it.
//! SQLite always; PostgreSQL too where it runs (mandatory in CI).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)] // a failed unwrap in a test is a failed test

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use canhgiac_store::db::{Cols, Ty, Value};
use canhgiac_store::prelude::*;
use canhgiac_store::SqlStore;

mod common;
use common::{free_port, ok, pg_url, token_in, wait_for_port};

/// Items in the import: large enough that a kill usually lands inside it.
const IMPORTED: usize = 6000;

/// The seeds CI runs. Each picks when the kill comes and which process dies first.
const SEEDS: [u64; 4] = [180, 2024, 7304, 48];

/// splitmix64: a fixed sequence per seed, with no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Where the store lives: a data folder, or a PostgreSQL schema beside it.
#[derive(Clone)]
struct Target {
    data: std::path::PathBuf,
    pg: Option<(String, String)>,
}

impl Target {
    fn command(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_canhgiac"));
        c.arg("--data").arg(&self.data);
        if let Some((url, schema)) = &self.pg {
            c.args(["--database-url", url, "--database-schema", schema]);
        } else {
            c.env_remove("CANHGIAC_DATABASE_URL");
        }
        c.env_remove("CANHGIAC_DATA").env_remove("CANHGIAC_AGENCY");
        c
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        self.command().args(args).output().expect("run canhgiac")
    }

    async fn open(&self) -> SqlStore {
        match &self.pg {
            Some((url, schema)) => SqlStore::open_postgres(url, Some(schema)).await.expect("store"),
            None => SqlStore::open_sqlite(&self.data).await.expect("store"),
        }
    }
}

fn import_file(dir: &Path) -> std::path::PathBuf {
    let items: Vec<serde_json::Value> = (0..IMPORTED)
        .map(|i| {
            serde_json::json!({
                "outlet": "bao-bac-giang-dien-tu",
                "kind": "news",
                "title": format!("Tin nhập số {i} về phòng, chống ma túy"),
                "url": format!("https://crash.example/nhap/{i}"),
                "published_on": format!("2024-0{}-{:02}", 1 + i % 6, 1 + i % 28),
                "topics": ["PCMT"],
                "source": "import"
            })
        })
        .collect();
    let doc = serde_json::json!({
        "format": "canhgiac",
        "schema_version": 1,
        "records": { "media_items": items }
    });
    let path = dir.join("nhap.json");
    std::fs::write(&path, serde_json::to_vec(&doc).expect("json")).expect("write");
    path
}

fn serve(t: &Target, port: u16) -> Child {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(t.data.parent().expect("parent").join("serve.log"))
        .expect("log");
    let child = t
        .command()
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("serve");
    wait_for_port(port);
    child
}

fn token(t: &Target) -> String {
    token_in(&ok(&t.run(&[
        "token",
        "--user",
        "chuyenvien",
        "--scopes",
        "read,write",
    ])))
}

fn api_item(seed: u64, i: usize) -> serde_json::Value {
    serde_json::json!({
        "outlet": "bao-bac-giang-dien-tu", "kind": "news",
        "title": format!("Tin qua API {seed}-{i}"),
        "url": format!("https://crash.example/api/{seed}/{i}"),
        "published_on": "12/06/2024", "topics": ["PCTP"], "source": "api"
    })
}

/// Posts items one after another until the server stops answering; returns
/// the URLs the server acknowledged (201) and how many were sent.
async fn writer(base: String, token: String, seed: u64) -> (Vec<String>, usize) {
    let c = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    let mut acked = Vec::new();
    let mut sent = 0;
    for i in 0.. {
        let item = api_item(seed, i);
        sent += 1;
        match c
            .post(format!("{base}/api/v1/media-items"))
            .bearer_auth(&token)
            .json(&item)
            .send()
            .await
        {
            Ok(r) if r.status() == reqwest::StatusCode::CREATED => {
                acked.push(item["url"].as_str().expect("url").to_owned());
            }
            // Busy while the import holds the database: try the next one.
            Ok(r) if r.status() == reqwest::StatusCode::SERVICE_UNAVAILABLE => {}
            Ok(r) => {
                let status = r.status();
                panic!(
                    "seed {seed}: write {i} answered {status}: {}",
                    r.text().await.unwrap_or_default()
                )
            }
            Err(_) => break,
        }
    }
    (acked, sent)
}

async fn count(store: &SqlStore, sql: &str, args: &[&str]) -> i64 {
    let args: Vec<Value> = args.iter().map(|a| Value::Text((*a).to_owned())).collect();
    let rows = store.pool().rows(sql, &args, &[Ty::Int]).await.expect("count");
    rows.into_iter()
        .next()
        .map(|r| Cols::new(r, "count").int().expect("int"))
        .unwrap_or(0)
}

const IMPORTED_SQL: &str = "SELECT COUNT(*) FROM media_items WHERE url LIKE 'https://crash.example/nhap/%'";

/// What must hold after any crash: returns how many imported items are stored.
async fn check_consistent(t: &Target, seed: u64, acked: &[String], sent: usize) -> i64 {
    let store = t.open().await;
    let imported = count(&store, IMPORTED_SQL, &[]).await;
    assert!(
        imported == 0 || imported == IMPORTED as i64,
        "seed {seed}: the import is all or nothing, yet {imported} of {IMPORTED} items are stored"
    );
    let prefix = format!("https://crash.example/api/{seed}/%");
    let through_api = count(&store, "SELECT COUNT(*) FROM media_items WHERE url LIKE $1", &[&prefix]).await;
    let distinct = count(
        &store,
        "SELECT COUNT(DISTINCT url) FROM media_items WHERE url LIKE $1",
        &[&prefix],
    )
    .await;
    assert_eq!(through_api, distinct, "seed {seed}: an API write is stored twice");
    assert!(
        through_api >= acked.len() as i64 && through_api <= sent as i64,
        "seed {seed}: {through_api} API items stored, {} acknowledged, {sent} sent",
        acked.len()
    );
    for url in acked {
        let n = count(&store, "SELECT COUNT(*) FROM media_items WHERE url = $1", &[url]).await;
        assert_eq!(n, 1, "seed {seed}: acknowledged {url} is stored {n} times");
    }
    // The derived day counts agree with the items they count.
    let items = count(
        &store,
        "SELECT COUNT(*) FROM media_items WHERE duplicate_of IS NULL",
        &[],
    )
    .await;
    let counted = count(
        &store,
        "SELECT CAST(COALESCE(SUM(items), 0) AS BIGINT) FROM media_item_day_counts WHERE topic = ''",
        &[],
    )
    .await;
    assert_eq!(items, counted, "seed {seed}: the day counts disagree with the items");
    let check = store.verify_audit().await.expect("verify");
    assert_eq!(check.broken_at, None, "seed {seed}: the audit chain is broken");
    store.close().await;
    imported
}

async fn crash_once(t: &Target, dir: &Path, seed: u64) {
    let mut rng = Rng(seed);
    let file = import_file(dir);
    let token = token(t);
    let port = free_port();
    let mut server = serve(t, port);
    let write = tokio::spawn(writer(format!("http://127.0.0.1:{port}"), token.clone(), seed));
    // Let some API writes land before the import starts.
    tokio::time::sleep(Duration::from_millis(100 + rng.below(300))).await;
    let mut import = t
        .command()
        .args(["--agency", "stttt-bacgiang", "import"])
        .arg(&file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("import");
    tokio::time::sleep(Duration::from_millis(rng.below(2500))).await;
    // SIGKILL both, in the order the seed says.
    if rng.below(2) == 0 {
        import.kill().expect("kill import");
        server.kill().expect("kill server");
    } else {
        server.kill().expect("kill server");
        import.kill().expect("kill import");
    }
    let import_status = import.wait().expect("reap import");
    server.wait().expect("reap server");
    let (acked, sent) = write.await.expect("writer");
    assert!(!acked.is_empty(), "seed {seed}: no API write landed before the kill");

    let imported = check_consistent(t, seed, &acked, sent).await;
    eprintln!(
        "seed {seed}: import {} ({imported} of {IMPORTED} stored), {} of {sent} API writes acknowledged",
        if import_status.success() {
            "had finished"
        } else {
            "killed"
        },
        acked.len()
    );

    // The work resumes: the import runs again to the same records, once each.
    let again = t
        .command()
        .args(["--agency", "stttt-bacgiang", "import"])
        .arg(&file)
        .output()
        .expect("import again");
    ok(&again);
    let store = t.open().await;
    let after = count(&store, IMPORTED_SQL, &[]).await;
    assert_eq!(after, IMPORTED as i64, "seed {seed}: the import again");
    store.close().await;
    // The API takes writes again.
    let port = free_port();
    let mut server = serve(t, port);
    let res = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/api/v1/media-items"))
        .bearer_auth(&token)
        .json(&api_item(seed, 1_000_000))
        .send()
        .await
        .expect("write after restart");
    assert_eq!(
        res.status(),
        reqwest::StatusCode::CREATED,
        "seed {seed}: write after restart"
    );
    let _ = server.kill();
    let _ = server.wait();
    check_consistent(t, seed, &acked, sent + 1).await;
    let verify = t.run(&["audit", "--verify"]);
    assert!(
        verify.status.success(),
        "seed {seed}: audit --verify: {}",
        String::from_utf8_lossy(&verify.stdout)
    );
}

async fn crash_run(t: &Target, dir: &Path) {
    ok(&t.run(&["demo"]));
    for seed in SEEDS {
        crash_once(t, dir, seed).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_survives_sigkill_during_import_and_api_writes() {
    let dir = tempfile::tempdir().expect("dir");
    let t = Target {
        data: dir.path().join("d"),
        pg: None,
    };
    crash_run(&t, dir.path()).await;
}

async fn exec(pool: &canhgiac_store::db::Pool, sql: String) {
    let mut tx = pool.begin().await.expect("begin");
    tx.exec(&sql, &[]).await.expect("schema");
    tx.commit().await.expect("commit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_survives_sigkill_during_import_and_api_writes() {
    let Some(url) = pg_url() else { return };
    let dir = tempfile::tempdir().expect("dir");
    let schema = format!("crash_{}", std::process::id());
    let admin = canhgiac_store::db::Pool::connect_postgres(&url, None)
        .await
        .expect("connect");
    exec(&admin, format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).await;
    exec(&admin, format!("CREATE SCHEMA {schema}")).await;
    let t = Target {
        data: dir.path().join("d"),
        pg: Some((url, schema.clone())),
    };
    crash_run(&t, dir.path()).await;
    exec(&admin, format!("DROP SCHEMA {schema} CASCADE")).await;
}
