//! The health and metrics endpoints, on a real server: `/healthz` and
//! `/readyz` answer anonymously and reveal nothing; `/readyz` fails while
//! the database is unreachable (PostgreSQL behind a TCP relay that the test
//! cuts) or while no worker is alive; `/metrics` counts requests per route.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)] // a failed unwrap in a test is a failed test

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use canhgiac_domain::Timestamp;
use canhgiac_store::prelude::*;
use canhgiac_store::{SqlStore, WorkerInfo};

async fn spawn(store: SqlStore, workers_expected: bool) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr: SocketAddr = listener.local_addr().expect("addr");
    let settings = canhgiac_web::Settings {
        workers_expected,
        ..Default::default()
    };
    let app = canhgiac_web::state(store, settings);
    tokio::spawn(async move {
        let _ = canhgiac_web::serve(app, listener).await;
    });
    format!("http://{addr}")
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(15))
        .build()
        .expect("client")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_metrics_answer_as_described() {
    let dir = tempfile::tempdir().expect("dir");
    let store = SqlStore::open_sqlite(dir.path()).await.expect("store");
    let base = spawn(store.clone(), false).await;
    let c = client();
    let r = c.get(format!("{base}/healthz")).send().await.expect("healthz");
    assert_eq!(r.status(), 200);
    assert!(r.headers().contains_key("x-request-id"));
    assert_eq!(r.text().await.expect("body"), "ok\n");
    let r = c.get(format!("{base}/readyz")).send().await.expect("readyz");
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.expect("body"), "{\"status\":\"ok\"}");
    // A request id sent by the client is kept.
    let r = c
        .get(format!("{base}/healthz"))
        .header("x-request-id", "yeu-cau-1")
        .send()
        .await
        .expect("healthz");
    assert_eq!(r.headers()["x-request-id"], "yeu-cau-1");
    // Pages still need a sign-in.
    let r = c.get(format!("{base}/tin-bai")).send().await.expect("page");
    assert_ne!(r.status(), 200);
    // Metrics from loopback: requests per route template, never raw paths.
    c.get(format!("{base}/so/xu-phat/12345")).send().await.expect("page");
    let m = c.get(format!("{base}/metrics")).send().await.expect("metrics");
    assert_eq!(m.status(), 200);
    let text = m.text().await.expect("body");
    assert!(
        text.contains("canhgiac_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"}"),
        "{text}"
    );
    assert!(text.contains("route=\"/so/{slug}/{id}\""), "{text}");
    assert!(!text.contains("12345"), "a raw path leaked into the metrics");
    assert!(text.contains("canhgiac_http_request_duration_seconds_bucket"), "{text}");
    assert!(text.contains("canhgiac_workers_alive 0"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_needs_a_live_worker_when_workers_are_expected() {
    let dir = tempfile::tempdir().expect("dir");
    let store = SqlStore::open_sqlite(dir.path()).await.expect("store");
    let base = spawn(store.clone(), true).await;
    let c = client();
    let r = c.get(format!("{base}/readyz")).send().await.expect("readyz");
    assert_eq!(r.status(), 503);
    assert_eq!(r.text().await.expect("body"), "{\"status\":\"unavailable\"}");
    store
        .worker_heartbeat(&WorkerInfo {
            id: "w".into(),
            host: "may".into(),
            pid: 1,
            kinds: vec!["probe".into()],
            started_at: Timestamp::now(),
        })
        .await
        .expect("heartbeat");
    let r = c.get(format!("{base}/readyz")).send().await.expect("readyz");
    assert_eq!(r.status(), 200);
}

/// A TCP relay to PostgreSQL that the test can cut and restore.
struct Relay {
    addr: SocketAddr,
    open: Arc<Mutex<bool>>,
    conns: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Relay {
    async fn start(target: SocketAddr) -> Relay {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind relay");
        let addr = listener.local_addr().expect("addr");
        let open = Arc::new(Mutex::new(true));
        let conns: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>> = Arc::default();
        let (o, cs) = (open.clone(), conns.clone());
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !*o.lock().expect("lock") {
                    drop(inbound);
                    continue;
                }
                let h = tokio::spawn(async move {
                    if let Ok(mut out) = tokio::net::TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut out).await;
                    }
                });
                cs.lock().expect("lock").push(h);
            }
        });
        Relay { addr, open, conns }
    }

    fn cut(&self) {
        *self.open.lock().expect("lock") = false;
        for h in self.conns.lock().expect("lock").drain(..) {
            h.abort();
        }
    }

    fn restore(&self) {
        *self.open.lock().expect("lock") = true;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_fails_while_the_database_is_unreachable() {
    let required = std::env::var("CANHGIAC_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
    let url = std::env::var("CANHGIAC_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let parsed = url::Url::parse(&url).expect("url");
    let host = parsed.host_str().unwrap_or("127.0.0.1").to_owned();
    let port = parsed.port().unwrap_or(5432);
    let target: SocketAddr = match tokio::net::lookup_host((host.as_str(), port))
        .await
        .ok()
        .and_then(|mut a| a.next())
    {
        Some(a) => a,
        None if !required => return,
        None => panic!("PostgreSQL host {host} does not resolve"),
    };
    if tokio::net::TcpStream::connect(target).await.is_err() {
        assert!(!required, "PostgreSQL required at {target}");
        eprintln!("PostgreSQL unavailable; skipping");
        return;
    }
    let schema = format!("r_{}", rand::random::<u64>());
    let admin = canhgiac_store::db::Pool::connect_postgres(&url, None)
        .await
        .expect("admin");
    let ddl = |sql: String| {
        let admin = admin.clone();
        async move {
            let mut tx = admin.begin().await.expect("begin");
            tx.exec(&sql, &[]).await.expect("ddl");
            tx.commit().await.expect("commit");
        }
    };
    ddl(format!("CREATE SCHEMA {schema}")).await;
    let relay = Relay::start(target).await;
    let mut via = parsed.clone();
    via.set_host(Some("127.0.0.1")).expect("host");
    via.set_port(Some(relay.addr.port())).expect("port");
    let store = SqlStore::open_postgres(via.as_str(), Some(&schema))
        .await
        .expect("store via relay");
    let base = spawn(store.clone(), false).await;
    let c = client();
    assert_eq!(
        c.get(format!("{base}/readyz")).send().await.expect("readyz").status(),
        200
    );
    relay.cut();
    let r = c.get(format!("{base}/readyz")).send().await.expect("readyz");
    assert_eq!(r.status(), 503);
    // The process itself is alive.
    assert_eq!(
        c.get(format!("{base}/healthz")).send().await.expect("healthz").status(),
        200
    );
    relay.restore();
    let mut ok = false;
    for _ in 0..50 {
        if c.get(format!("{base}/readyz")).send().await.expect("readyz").status() == 200 {
            ok = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(ok, "readyz did not recover once the database came back");
    store.close().await;
    ddl(format!("DROP SCHEMA {schema} CASCADE")).await;
    admin.close().await;
}
