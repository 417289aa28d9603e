//! Watch rules at work on a real SQLite store: items written by any path
//! are matched once, within their agency; matches reach a webhook served by
//! a real HTTP server on 127.0.0.1 through the job layer; a private address
//! is refused without permission; a match becomes a case with a fresh code.
//! The store's side (marks, matches, review) is held on PostgreSQL too by
//! the store's conformance suite.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)] // a failed unwrap in a test is a failed test

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use canhgiac_domain::{Case, HitStatus, MediaItem, Text, WatchRule};
use canhgiac_ingest::watch::{self, case_from_hit};
use canhgiac_ingest::{FetchConfig, Fetcher};
use canhgiac_store::prelude::*;
use canhgiac_store::{Actor, HitQuery, SqlStore};
use unicode_normalization::UnicodeNormalization;

const SEED: &str = include_str!("../../../fixtures/seed-2024-h1.json");

async fn seeded() -> (tempfile::TempDir, SqlStore) {
    let dir = tempfile::tempdir().expect("dir");
    let store = SqlStore::open_sqlite(dir.path()).await.expect("store");
    let data = canhgiac_interchange::read_json("seed.json", SEED.as_bytes())
        .expect("seed")
        .records;
    store.import(&Actor::system("test"), &data).await.expect("import");
    (dir, store)
}

fn rule(name: &str, query: &str, webhook: Option<String>) -> WatchRule {
    WatchRule {
        name: Text::parse(name).expect("name"),
        query: Text::parse(query).expect("query"),
        active: true,
        webhook: webhook.map(|w| Text::parse(&w).expect("webhook")),
        note: None,
    }
}

fn item(title: &str, url: &str, summary: Option<&str>) -> MediaItem {
    serde_json::from_value(serde_json::json!({
        "outlet": "bao-bac-giang", "kind": "news", "title": title, "url": url,
        "published_on": "2024-06-03", "summary": summary, "source": "feed"
    }))
    .expect("item")
}

async fn queue(store: &SqlStore) -> Vec<canhgiac_store::WatchHit> {
    store
        .watch_hits(&HitQuery {
            limit: 100,
            ..HitQuery::default()
        })
        .await
        .expect("hits")
        .0
}

#[tokio::test]
async fn new_items_are_matched_once_and_only_by_matching_rules() {
    let (_dir, store) = seeded().await;
    let actor = Actor::system("test");
    // The first pass only sets the mark: the seed is not matched.
    assert_eq!(watch::run(&store).await.expect("start"), watch::Watched::default());
    let trade = store
        .create(
            &actor,
            &rule(
                "Mua bán ma túy",
                "\"ma túy\" AND (bán OR mua) NOT \"phòng chống\"",
                None,
            ),
        )
        .await
        .expect("rule");
    let fraud = store
        .create(&actor, &rule("Lừa đảo", "lua dao -\"ngan hang\"", None))
        .await
        .expect("rule");
    let mut off = rule("Tắt", "ma tuy", None);
    off.active = false;
    store.create(&actor, &off).await.expect("inactive");

    let a = store
        .create(
            &actor,
            &item("Bắt đối tượng mua bán ma túy đá", "https://baobacgiang.vn/a", None),
        )
        .await
        .expect("a");
    store
        .create(
            &actor,
            &item(
                "Tuyên truyền phòng chống ma túy",
                "https://baobacgiang.vn/b",
                Some("Không mua bán, sử dụng"),
            ),
        )
        .await
        .expect("b");
    // NFD, without the rule's diacritics, in the summary.
    let c = store
        .create(
            &actor,
            &item(
                "Cảnh báo thủ đoạn mới",
                "https://baobacgiang.vn/c",
                Some(&"Lừa đảo qua mạng xã hội".nfd().collect::<String>()),
            ),
        )
        .await
        .expect("c");
    store
        .create(
            &actor,
            &item("Lừa đảo giả danh ngân hàng", "https://baobacgiang.vn/d", None),
        )
        .await
        .expect("d");
    let done = watch::run(&store).await.expect("run");
    assert_eq!(done.items, 4);
    let hits = queue(&store).await;
    let mut pairs: Vec<(i64, i64)> = hits.iter().map(|h| (h.rule, h.item)).collect();
    pairs.sort_unstable();
    assert_eq!(pairs, vec![(trade, a), (fraud, c)], "{hits:#?}");
    assert!(hits.iter().all(|h| h.status == HitStatus::New));

    // An edit of a matched item, and a second pass: nothing twice.
    let mut again = store.get::<MediaItem>(a).await.expect("get").expect("a").record;
    again.summary = Some(Text::lit("Thu giữ ma túy, bán lẻ"));
    store.update(&actor, a, None, &again).await.expect("edit");
    let done = watch::run(&store).await.expect("again");
    assert_eq!((done.items, done.hits.len()), (1, 0));
    assert_eq!(watch::run(&store).await.expect("idle"), watch::Watched::default());
    assert_eq!(queue(&store).await.len(), 2);

    // The job is queued only when something was written since the mark.
    assert!(!watch::enqueue_if_behind(&store).await.expect("idle"));
    store
        .create(&actor, &item("Một tin khác", "https://baobacgiang.vn/e", None))
        .await
        .expect("e");
    assert!(watch::enqueue_if_behind(&store).await.expect("behind"));
    assert!(
        !watch::enqueue_if_behind(&store).await.expect("queued once"),
        "one job at a time"
    );
}

#[derive(Clone, Default)]
struct Received(Arc<Mutex<Vec<serde_json::Value>>>);

async fn hook(State(r): State<Received>, body: axum::body::Bytes) -> StatusCode {
    let v: serde_json::Value = serde_json::from_slice(&body).expect("json body");
    r.0.lock().unwrap().push(v);
    StatusCode::NO_CONTENT
}

#[tokio::test]
async fn matches_reach_the_webhook_through_the_job_layer() {
    let received = Received::default();
    let app = Router::new()
        .route("/hook", post(hook))
        .route("/down", post(|| async { StatusCode::SERVICE_UNAVAILABLE }))
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });

    let (_dir, store) = seeded().await;
    let actor = Actor::system("test");
    watch::run(&store).await.expect("start");
    store
        .create(
            &actor,
            &rule("Đánh bạc", "đánh bạc OR \"cá độ\"", Some(format!("{base}/hook"))),
        )
        .await
        .expect("rule");
    let item_id = store
        .create(
            &actor,
            &item(
                "Triệt phá đường dây cá độ bóng đá qua mạng",
                "https://baobacgiang.vn/x",
                None,
            ),
        )
        .await
        .expect("item");
    let done = watch::run(&store).await.expect("run");
    assert_eq!((done.hits.len(), done.webhooks), (1, 1));

    let fetcher = |allow_private| {
        Fetcher::new(FetchConfig {
            total_timeout: Duration::from_secs(5),
            allow_private,
            ..FetchConfig::default()
        })
        .expect("fetcher")
    };
    let mut registry = canhgiac_jobs::Registry::default();
    watch::register(&mut registry, store.clone(), fetcher(true));
    let mut config = canhgiac_jobs::Config::new("test-worker");
    config.poll = Duration::from_millis(50);
    let runner = canhgiac_jobs::Runner::new(store.clone(), registry, config);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let handle = tokio::spawn(async move { runner.run(stop_rx).await });
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while received.0.lock().unwrap().is_empty() {
        assert!(std::time::Instant::now() < deadline, "no webhook call");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = stop_tx.send(true);
    let _ = handle.await;
    let body = received.0.lock().unwrap()[0].clone();
    assert_eq!(body["event"], "watch_hit");
    assert_eq!(body["rule"]["name"], "Đánh bạc");
    assert_eq!(body["item"]["id"], item_id);
    assert_eq!(body["item"]["title"], "Triệt phá đường dây cá độ bóng đá qua mạng");
    assert_eq!(body["item"]["published_on"], "2024-06-03");

    // Without permission, a private address is refused before any
    // connection, as a hard failure (no retry); a server error is retried.
    let err = fetcher(false)
        .post_json(&format!("{base}/hook"), &body)
        .await
        .expect_err("private");
    assert_eq!(err.failure, canhgiac_domain::Failure::Hard);
    assert!(err.message.contains("nội bộ"), "{}", err.message);
    for hostile in [
        "http://169.254.169.254/latest",
        "http://10.0.0.1/",
        "http://[::1]/",
        "file:///etc/passwd",
    ] {
        let err = fetcher(false).post_json(hostile, &body).await.expect_err(hostile);
        assert_eq!(err.failure, canhgiac_domain::Failure::Hard, "{hostile}");
    }
    let err = fetcher(true)
        .post_json(&format!("{base}/down"), &body)
        .await
        .expect_err("503");
    assert_eq!(err.failure, canhgiac_domain::Failure::Temporary);
    assert_eq!(received.0.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_match_becomes_a_case_once() {
    let (_dir, store) = seeded().await;
    let actor = Actor::new("chuyenvien", "test");
    watch::run(&store).await.expect("start");
    store
        .create(&actor, &rule("Buôn người", "\"mua bán người\"", None))
        .await
        .expect("rule");
    store
        .create(
            &actor,
            &item(
                "Giải cứu nạn nhân bị mua bán người",
                "https://baobacgiang.vn/giai-cuu",
                Some("Hai nạn nhân được đưa về địa phương"),
            ),
        )
        .await
        .expect("item");
    watch::run(&store).await.expect("run");
    let hit = queue(&store).await.remove(0);
    let existing = store.count(canhgiac_domain::RecordKind::Case).await.expect("count");
    let (id, code) = case_from_hit(&store, &actor, hit.id).await.expect("case");
    let year = canhgiac_domain::Date::today().year();
    assert!(code.starts_with(&format!("VV-{year}-")), "{code}");
    let case = store.get::<Case>(id).await.expect("get").expect("case").record;
    assert_eq!(case.code.as_str(), code);
    assert_eq!(case.title.as_str(), "Giải cứu nạn nhân bị mua bán người");
    assert_eq!(case.urls[0].as_str(), "https://baobacgiang.vn/giai-cuu");
    assert_eq!(case.account.as_str(), "Báo Bắc Giang");
    assert!(case.source.as_ref().is_some_and(|s| s.as_str().contains("Buôn người")));
    assert_eq!(
        store.count(canhgiac_domain::RecordKind::Case).await.expect("count"),
        existing + 1
    );
    let hit = store.watch_hits_by_id(&[hit.id]).await.expect("hit").remove(0);
    assert_eq!(
        (hit.status, hit.case_key.as_deref()),
        (HitStatus::Case, Some(code.as_str()))
    );
    assert_eq!(hit.reviewed_by.as_deref(), Some("chuyenvien"));
    // A second click makes no second case.
    let again = case_from_hit(&store, &actor, hit.id).await;
    assert!(again.is_err(), "{again:?}");
    assert_eq!(
        store.count(canhgiac_domain::RecordKind::Case).await.expect("count"),
        existing + 1
    );

    // Two clicks at once on another match: one case.
    store
        .create(
            &actor,
            &item(
                "Đường dây mua bán người bị triệt phá",
                "https://baobacgiang.vn/duong-day",
                None,
            ),
        )
        .await
        .expect("item");
    watch::run(&store).await.expect("run");
    let other = queue(&store)
        .await
        .into_iter()
        .find(|h| h.status == HitStatus::New)
        .expect("a new match");
    let (x, y) = tokio::join!(
        case_from_hit(&store, &actor, other.id),
        case_from_hit(&store, &actor, other.id)
    );
    assert!(x.is_ok() != y.is_ok(), "{x:?} {y:?}");
    assert_eq!(
        store.count(canhgiac_domain::RecordKind::Case).await.expect("count"),
        existing + 2
    );
}
