//! The collector against a real HTTP server on 127.0.0.1 serving fixture
//! feeds in every format, and hostile ones: item counts, topics, dedupe,
//! conditional GET, and failures recorded on the source with nothing
//! stored harmed. The store is real SQLite; the store's own methods are
//! held on PostgreSQL too by the store's conformance suite.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)] // a failed unwrap in a test is a failed test

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use canhgiac_domain::{Code, ItemKind, MediaItem, Source, SourceKind, Text};
use canhgiac_ingest::{Collector, FetchConfig, Fetcher, Lexicon};
use canhgiac_store::prelude::*;
use canhgiac_store::{Actor, ListQuery, SqlStore};

const SEED: &str = include_str!("../../../fixtures/seed-2024-h1.json");

#[derive(Clone)]
struct Fixture {
    host: String,
    hits: Arc<AtomicUsize>,
}

fn fixture(name: &str, host: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(path).expect("fixture");
    // Byte-wise replace, so the windows-1258 fixture stays as it is.
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"HOST") {
            out.extend_from_slice(host.as_bytes());
            i += 4;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

fn typed(ct: &str, body: impl Into<Body>) -> Response {
    ([(header::CONTENT_TYPE, ct.to_owned())], body.into()).into_response()
}

async fn rss2(State(f): State<Fixture>, headers: HeaderMap) -> Response {
    f.hits.fetch_add(1, Ordering::SeqCst);
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some("\"v1\"") {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    (
        [
            (header::CONTENT_TYPE, "application/rss+xml; charset=utf-8"),
            (header::ETAG, "\"v1\""),
        ],
        fixture("rss2.xml", &f.host),
    )
        .into_response()
}

/// Sends a new ETag every time and never 304: only the body's hash shows
/// that nothing changed.
async fn atom(State(f): State<Fixture>) -> Response {
    let n = f.hits.fetch_add(1, Ordering::SeqCst);
    (
        [
            (header::CONTENT_TYPE, "application/atom+xml".to_owned()),
            (header::ETAG, format!("\"x{n}\"")),
        ],
        fixture("atom.xml", &f.host),
    )
        .into_response()
}

/// Other sites' article pages: plain text, no topic words.
async fn other_article(Path(n): Path<String>) -> Response {
    article_page(&n)
}

fn article_page(n: &str) -> Response {
    typed(
        "text/html; charset=utf-8",
        format!("<html><body><div><p>Nội dung chi tiết của bài viết «{n}», đăng trên trang.</p></div></body></html>"),
    )
}

async fn article(Path(n): Path<String>) -> Response {
    if n == "2.html" {
        return (StatusCode::INTERNAL_SERVER_ERROR, "lỗi").into_response();
    }
    if n == "1.html" {
        return typed("text/html; charset=utf-8", fixture("article.html", ""));
    }
    article_page(&n)
}

async fn slow() -> Response {
    let stream = futures_util::stream::unfold(0u32, |n| async move {
        if n > 0 {
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        (n < 600).then(|| (Ok::<_, std::io::Error>(axum::body::Bytes::from_static(b"<")), n + 1))
    });
    typed("application/rss+xml", Body::from_stream(stream))
}

fn endless(chunks: usize) -> Body {
    let chunk = axum::body::Bytes::from(vec![b' '; 64 * 1024]);
    Body::from_stream(futures_util::stream::iter(
        (0..chunks).map(move |_| Ok::<_, std::io::Error>(chunk.clone())),
    ))
}

fn gzip_bomb() -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![b' '; 1024 * 1024];
    for _ in 0..64 {
        enc.write_all(&zeros).expect("gzip");
    }
    enc.finish().expect("gzip")
}

async fn server() -> (String, Fixture, Fixture) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let host = format!("127.0.0.1:{}", listener.local_addr().expect("addr").port());
    let rss_state = Fixture {
        host: host.clone(),
        hits: Arc::new(AtomicUsize::new(0)),
    };
    let atom_state = Fixture {
        host: host.clone(),
        hits: Arc::new(AtomicUsize::new(0)),
    };
    let h = host.clone();
    let bomb = gzip_bomb();
    let app = Router::new()
        .route("/rss2.xml", get(rss2).with_state(rss_state.clone()))
        .route("/atom.xml", get(atom).with_state(atom_state.clone()))
        .route("/bai/{n}", get(article))
        .route("/ban-in/{n}", get(other_article))
        .route("/ptth/{n}", get(other_article))
        .route("/cong/{n}", get(other_article))
        .route("/ttcs/{n}", get(other_article))
        .route("/watch", get(|| async { article_page("video") }))
        .route(
            "/rss1.rdf",
            get({
                let h = h.clone();
                move || async move { typed("application/rdf+xml", fixture("rss1.rdf", &h)) }
            }),
        )
        .route(
            "/feed.json",
            get({
                let h = h.clone();
                move || async move { typed("application/feed+json", fixture("feed.json", &h)) }
            }),
        )
        .route(
            "/youtube.xml",
            get({
                let h = h.clone();
                move || async move { typed("application/atom+xml", fixture("youtube.xml", &h)) }
            }),
        )
        .route(
            "/tin-tuc",
            get({
                let h = h.clone();
                move || async move { typed("text/html; charset=utf-8", fixture("listing.html", &h)) }
            }),
        )
        // Hostile sources.
        .route(
            "/bomb.xml",
            get(|| async {
                let mut s = String::from("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">");
                for i in 1..10 {
                    s.push_str(&format!(
                        "<!ENTITY lol{i} \"{}\">",
                        format!("&lol{};", i - 1).repeat(10)
                    ));
                }
                s.push_str("]><rss version=\"2.0\"><channel><title>&lol9;</title></channel></rss>");
                typed("application/rss+xml", s.replace("&lol0;", "&lol;"))
            }),
        )
        .route(
            "/gzip-bomb.xml",
            get(move || {
                let bomb = bomb.clone();
                async move {
                    (
                        [
                            (header::CONTENT_TYPE, "application/rss+xml"),
                            (header::CONTENT_ENCODING, "gzip"),
                        ],
                        bomb,
                    )
                        .into_response()
                }
            }),
        )
        .route(
            "/huge.xml",
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "application/rss+xml".to_owned()),
                        (header::CONTENT_LENGTH, (2u64 << 30).to_string()),
                    ],
                    endless(32 * 1024),
                )
                    .into_response()
            }),
        )
        .route(
            "/huge-chunked.xml",
            get(|| async { typed("application/rss+xml", endless(32 * 1024)) }),
        )
        .route("/slow.xml", get(slow))
        .route(
            "/loop.xml",
            get(|| async { (StatusCode::FOUND, [(header::LOCATION, "/loop.xml")]).into_response() }),
        )
        .route(
            "/invalid-utf8.xml",
            get(|| async {
                typed(
                    "application/rss+xml; charset=utf-8",
                    b"<rss version=\"2.0\"><channel><title>\xff\xfe\xc3\x28</title></channel></rss>".to_vec(),
                )
            }),
        )
        .route(
            "/wrong-charset.xml",
            get({
                let h = h.clone();
                // windows-1258 bytes under a header that says UTF-8.
                move || async move { typed("application/rss+xml; charset=utf-8", fixture("rss1.rdf", &h)) }
            }),
        )
        .route(
            "/utf8-under-latin1.xml",
            get({
                let h = h.clone();
                move || async move { typed("application/atom+xml; charset=iso-8859-1", fixture("youtube.xml", &h)) }
            }),
        )
        .route(
            "/page-as-feed.xml",
            get(|| async {
                typed(
                    "application/rss+xml",
                    "<!DOCTYPE html><html><body><h1>Trang chủ</h1></body></html>",
                )
            }),
        )
        .route("/empty.xml", get(|| async { typed("application/rss+xml", "") }))
        .route("/gone.xml", get(|| async { StatusCode::NOT_FOUND.into_response() }))
        .route(
            "/busy.xml",
            get(|| async { (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, "3600")]).into_response() }),
        );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{host}"), rss_state, atom_state)
}

async fn seeded() -> (tempfile::TempDir, SqlStore) {
    let dir = tempfile::tempdir().expect("dir");
    let store = SqlStore::open_sqlite(dir.path()).await.expect("store");
    let data = canhgiac_interchange::read_json("seed.json", SEED.as_bytes())
        .expect("seed")
        .records;
    store.import(&Actor::system("test"), &data).await.expect("import");
    (dir, store)
}

fn test_config() -> FetchConfig {
    FetchConfig {
        connect_timeout: Duration::from_secs(2),
        read_timeout: Duration::from_secs(3),
        total_timeout: Duration::from_secs(4),
        max_body: 1024 * 1024,
        allow_private: true,
        ..FetchConfig::default()
    }
}

fn collector(store: &SqlStore) -> Collector<SqlStore> {
    Collector::new(
        store.clone(),
        Fetcher::new(test_config()).expect("fetcher"),
        Arc::new(Lexicon::default_vi().expect("lexicon")),
    )
}

async fn add_source(store: &SqlStore, outlet: &str, kind: SourceKind, url: &str) -> i64 {
    let mut s = Source {
        outlet: Code::parse(outlet).expect("outlet"),
        kind,
        url: Text::parse(url).expect("url"),
        item_kind: ItemKind::News,
        link_selector: None,
        title_selector: None,
        date_selector: None,
        fetch_articles: true,
        active: true,
        note: None,
    };
    if kind == SourceKind::Page {
        s.link_selector = Some(Text::lit("ul.news h3 a"));
        s.date_selector = Some(Text::lit(".date"));
    }
    store.create(&Actor::system("test"), &s).await.expect("source")
}

async fn items_of(store: &SqlStore, outlet: &str) -> Vec<MediaItem> {
    store
        .list::<MediaItem>(&ListQuery {
            filters: vec![("outlet".into(), outlet.into())],
            limit: Some(500),
            ..ListQuery::default()
        })
        .await
        .expect("items")
        .into_iter()
        .filter(|s| s.record.source == canhgiac_domain::ItemSource::Feed)
        .map(|s| s.record)
        .collect()
}

fn find<'a>(items: &'a [MediaItem], title: &str) -> &'a MediaItem {
    items.iter().find(|i| i.title.as_str() == title).unwrap_or_else(|| {
        panic!(
            "no item «{title}» in {:?}",
            items.iter().map(|i| i.title.as_str()).collect::<Vec<_>>()
        )
    })
}

fn topics(i: &MediaItem) -> Vec<&str> {
    i.topics.iter().map(Code::as_str).collect()
}

#[tokio::test]
async fn every_feed_format_is_collected_classified_and_kept_unique() {
    let (base, rss_hits, atom_hits) = server().await;
    let (_dir, store) = seeded().await;
    let c = collector(&store);
    let before = store
        .count(canhgiac_domain::RecordKind::MediaItem)
        .await
        .expect("count");

    // RSS 2.0: three usable items, two refused (no link, javascript:).
    let rss = add_source(
        &store,
        "bao-bac-giang-dien-tu",
        SourceKind::Feed,
        &format!("{base}/rss2.xml"),
    )
    .await;
    let done = c.collect(rss).await.expect("rss");
    assert_eq!(
        (done.read, done.new, done.skipped, done.known),
        (4, 3, 1, 0),
        "{done:?}"
    );
    let items = items_of(&store, "bao-bac-giang-dien-tu").await;
    let drugs = find(&items, "Bắt giữ 02 đối tượng mua bán trái phép chất ma túy");
    assert_eq!(topics(drugs), ["PCMT"]);
    assert_eq!(
        drugs.url.as_ref().map(Text::as_str),
        Some(format!("{base}/bai/1.html").as_str()),
        "tracking dropped"
    );
    assert_eq!(
        drugs.published_on.vn_text(),
        "01/7/2024",
        "17:30 UTC on 30 June is 1 July in Vietnam"
    );
    assert_eq!(
        drugs.published_at.map(|t| t.vn_text()).as_deref(),
        Some("01/07/2024 00:30")
    );
    assert!(
        drugs
            .body
            .as_ref()
            .is_some_and(|b| b.as_str().contains("05 gói heroin")),
        "article text read"
    );
    assert_eq!(drugs.author.as_ref().map(Text::as_str), Some("Nguyễn Văn A"));
    let why = drugs.classification.as_ref().expect("explanation");
    assert!(
        why.scores[0].phrases.iter().any(|p| p.as_str().contains("ma túy")),
        "{why:?}"
    );
    let people = find(&items, "Tuyên truyền phòng, chống mua bán người tại xã biên giới");
    assert_eq!(topics(people), ["PCMBN"]);
    assert!(
        people
            .fetch_note
            .as_ref()
            .is_some_and(|n| n.as_str().contains("Không lấy được nội dung bài")),
        "{people:?}"
    );
    assert!(
        people
            .summary
            .as_ref()
            .is_some_and(|s| s.as_str().contains("việc nhẹ lương cao")),
        "feed text kept"
    );
    assert!(topics(find(&items, "Khai mạc hội chợ nông sản")).is_empty());

    // A second fetch: 304 Not Modified, nothing added.
    let again = c.collect(rss).await.expect("again");
    assert!(again.not_modified && again.new == 0, "{again:?}");
    assert_eq!(rss_hits.hits.load(Ordering::SeqCst), 2);

    // Atom, same outlet: the print copy with the same title within 7 days
    // is the same story; a second fetch with a new ETag but the same body
    // adds nothing either.
    let atom = add_source(
        &store,
        "bao-bac-giang-dien-tu",
        SourceKind::Feed,
        &format!("{base}/atom.xml"),
    )
    .await;
    let done = c.collect(atom).await.expect("atom");
    assert_eq!((done.read, done.new, done.known), (2, 1, 1), "{done:?}");
    let items = items_of(&store, "bao-bac-giang-dien-tu").await;
    let gambling = find(&items, "Triệt phá đường dây đánh bạc qua mạng");
    assert_eq!(topics(gambling), ["PCTP"]);
    assert_eq!(
        gambling.author.as_ref().map(Text::as_str),
        Some("Nguyễn Văn C"),
        "the feed's author first"
    );
    let again = c.collect(atom).await.expect("atom again");
    assert!(again.not_modified && again.new == 0, "{again:?}");
    assert_eq!(atom_hits.hits.load(Ordering::SeqCst), 2);

    // RSS 1.0 in windows-1258; JSON Feed; a YouTube channel; a listing page.
    let rdf = add_source(
        &store,
        "dai-ptth-bac-giang",
        SourceKind::Feed,
        &format!("{base}/rss1.rdf"),
    )
    .await;
    assert_eq!(c.collect(rdf).await.expect("rdf").new, 1);
    let ptth = items_of(&store, "dai-ptth-bac-giang").await;
    assert_eq!(
        topics(find(&ptth, "Phát hiện vụ buôn lậu pháo nổ qua biên giới")),
        ["PCTP"]
    );
    let yt = add_source(
        &store,
        "dai-ptth-bac-giang",
        SourceKind::YouTube,
        &format!("{base}/youtube.xml"),
    )
    .await;
    assert_eq!(c.collect(yt).await.expect("yt").new, 1);
    let ptth = items_of(&store, "dai-ptth-bac-giang").await;
    assert_eq!(
        topics(find(&ptth, "Phóng sự: Cai nghiện ma túy tại cộng đồng")),
        ["PCMT"]
    );
    let json = add_source(&store, "bao-bac-giang", SourceKind::Feed, &format!("{base}/feed.json")).await;
    let done = c.collect(json).await.expect("json");
    assert_eq!(
        (done.new, done.known),
        (2, 1),
        "a link another outlet has is the same story: {done:?}"
    );
    let bbg = items_of(&store, "bao-bac-giang").await;
    assert_eq!(
        topics(find(&bbg, "Ra quân cao điểm tấn công, trấn áp tội phạm")),
        ["PCTP"]
    );
    assert!(
        bbg.iter()
            .any(|i| i.title.as_str() == "Thông báo lịch tiếp công dân tháng 7."),
        "untitled: its text"
    );
    let page = add_source(&store, "ttcs-bac-giang", SourceKind::Page, &format!("{base}/tin-tuc")).await;
    assert_eq!(c.collect(page).await.expect("page").new, 2);
    let ttcs = items_of(&store, "ttcs-bac-giang").await;
    let school = find(&ttcs, "Loa phát thanh tuyên truyền phòng chống ma túy học đường");
    assert_eq!(
        school.published_at.map(|t| t.vn_text()).as_deref(),
        Some("24/06/2024 07:30")
    );

    let after = store
        .count(canhgiac_domain::RecordKind::MediaItem)
        .await
        .expect("count");
    assert_eq!(after - before, 3 + 1 + 1 + 1 + 2 + 2);

    // A specialist's correction stays: nothing overwrites a stored item.
    let stored = store
        .list::<MediaItem>(&ListQuery {
            search: Some("hoi cho nong san".into()),
            ..ListQuery::default()
        })
        .await
        .expect("find");
    let mut fixed = stored[0].record.clone();
    fixed.topics = vec![Code::parse("PCTP").expect("code")];
    store
        .update(
            &Actor::system("chuyenvien"),
            stored[0].id,
            Some(stored[0].version),
            &fixed,
        )
        .await
        .expect("fix");
    let health = store.source_health(&[rss]).await.expect("health");
    let mut h = health[0].1.clone();
    h.etag = None;
    h.body_hash = None;
    store.put_source_health(rss, &h).await.expect("reset");
    let rerun = c.collect(rss).await.expect("rerun");
    assert_eq!((rerun.new, rerun.known), (0, 3), "{rerun:?}");
    let kept = store.get::<MediaItem>(stored[0].id).await.expect("get").expect("item");
    assert_eq!(topics(&kept.record), ["PCTP"]);

    // The health says what happened.
    let health = store.source_health(&[rss, atom]).await.expect("health");
    for (_, h) in &health {
        assert_eq!(h.status(), "Bình thường");
        assert!(
            h.last_success.is_some() && h.interval_secs >= 15 * 60,
            "TTL honoured: {h:?}"
        );
    }
}

#[tokio::test]
async fn hostile_sources_fail_cleanly_and_harm_nothing() {
    let (base, _, _) = server().await;
    let (_dir, store) = seeded().await;
    let c = collector(&store);
    let good = add_source(
        &store,
        "bao-bac-giang-dien-tu",
        SourceKind::Feed,
        &format!("{base}/rss2.xml"),
    )
    .await;
    assert_eq!(c.collect(good).await.expect("good").new, 3);
    let snapshot = store.export().await.expect("export");
    let cases = [
        ("bomb.xml", "thực thể XML"),
        ("gzip-bomb.xml", "lớn quá"),
        ("huge.xml", "lớn quá"),
        ("huge-chunked.xml", "lớn quá"),
        ("slow.xml", "hết thời gian"),
        ("loop.xml", "chuyển hướng"),
        ("invalid-utf8.xml", "UTF-8"),
        ("page-as-feed.xml", "trang HTML"),
        ("empty.xml", "trống"),
        ("gone.xml", "không còn"),
        ("busy.xml", "bận"),
    ];
    for (path, expected) in cases {
        let id = add_source(&store, "bao-bac-giang", SourceKind::Feed, &format!("{base}/{path}")).await;
        let started = std::time::Instant::now();
        let done = c.collect(id).await.expect("collect returns");
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "{path} took {:?}",
            started.elapsed()
        );
        let error = done
            .error
            .clone()
            .unwrap_or_else(|| panic!("{path}: no error in {done:?}"));
        assert!(error.contains(expected), "{path}: «{error}»");
        assert_eq!(done.new, 0);
        let (_, h) = store.source_health(&[id]).await.expect("health").remove(0);
        assert_eq!(h.last_error.as_deref(), Some(error.as_str()));
        assert!(
            h.failures_in_row == 1 && h.next_due > canhgiac_domain::Timestamp::now(),
            "{path}: {h:?}"
        );
        if path == "busy.xml" {
            assert!(
                h.next_due.millis_since(canhgiac_domain::Timestamp::now()) > 3_500_000,
                "Retry-After honoured"
            );
        }
    }
    // A wrong charset header is not believed over the bytes: windows-1258
    // under «charset=utf-8» is read by its prolog, UTF-8 under a latin-1
    // header as UTF-8.
    let wrong = add_source(
        &store,
        "dai-ptth-bac-giang",
        SourceKind::Feed,
        &format!("{base}/wrong-charset.xml"),
    )
    .await;
    assert_eq!(c.collect(wrong).await.expect("wrong").new, 1);
    find(
        &items_of(&store, "dai-ptth-bac-giang").await,
        "Phát hiện vụ buôn lậu pháo nổ qua biên giới",
    );
    let latin = add_source(
        &store,
        "bao-bac-giang",
        SourceKind::Feed,
        &format!("{base}/utf8-under-latin1.xml"),
    )
    .await;
    let done = c.collect(latin).await.expect("latin");
    assert_eq!(done.new, 1, "{done:?}");
    find(
        &items_of(&store, "bao-bac-giang").await,
        "Phóng sự: Cai nghiện ma túy tại cộng đồng",
    );
    // Nothing stored before was harmed: every earlier record is as it was.
    let now = store.export().await.expect("export");
    for before in snapshot.section::<MediaItem>() {
        assert!(now.section::<MediaItem>().contains(before), "changed: {before:?}");
    }
    // SSRF: without the test's permission, loopback is refused.
    let strict = Collector::new(
        store.clone(),
        Fetcher::new(FetchConfig {
            allow_private: false,
            ..test_config()
        })
        .expect("fetcher"),
        Arc::new(Lexicon::default_vi().expect("lexicon")),
    );
    let done = strict.collect(good).await.expect("strict");
    assert!(done.error.as_deref().is_some_and(|e| e.contains("nội bộ")), "{done:?}");
}

#[tokio::test]
async fn due_sources_become_one_job_each() {
    let (base, _, _) = server().await;
    let (_dir, store) = seeded().await;
    let a = add_source(
        &store,
        "bao-bac-giang-dien-tu",
        SourceKind::Feed,
        &format!("{base}/rss2.xml"),
    )
    .await;
    let _b = add_source(&store, "bao-bac-giang", SourceKind::Feed, &format!("{base}/feed.json")).await;
    assert_eq!(
        canhgiac_ingest::schedule::enqueue_due(&store, 100)
            .await
            .expect("enqueue"),
        2
    );
    assert_eq!(
        canhgiac_ingest::schedule::enqueue_due(&store, 100)
            .await
            .expect("again"),
        0,
        "already queued"
    );
    // Once fetched, a source is not due until its interval has passed.
    collector(&store).collect(a).await.expect("collect");
    let due = store
        .sources_due(canhgiac_domain::Timestamp::now(), 100)
        .await
        .expect("due");
    assert!(!due.iter().any(|(id, _)| *id == a), "{due:?}");
    // The job runs the collector through the job layer.
    let mut registry = canhgiac_jobs::Registry::default();
    canhgiac_ingest::schedule::register(&mut registry, collector(&store));
    let mut config = canhgiac_jobs::Config::new("test-worker");
    config.poll = Duration::from_millis(50);
    let runner = canhgiac_jobs::Runner::new(store.clone(), registry, config);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let handle = tokio::spawn(async move { runner.run(stop_rx).await });
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let states = store
            .job_states(canhgiac_ingest::schedule::FETCH_SOURCE)
            .await
            .expect("states");
        if states.iter().all(|s| s.state == "done") {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "jobs not done: {states:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = stop_tx.send(true);
    let _ = handle.await;
    assert_eq!(
        items_of(&store, "bao-bac-giang").await.len(),
        2,
        "the JSON feed's items, by the job"
    );
}

#[tokio::test]
async fn an_agency_classifies_with_its_own_lexicon_once_it_has_one() {
    let (base, _, _) = server().await;
    let (_dir, store) = seeded().await;
    let c = collector(&store);
    assert_eq!(
        c.lexicon().await.expect("lexicon").len(),
        Lexicon::default_vi().expect("default").len(),
        "none of its own: the shipped lexicon"
    );
    let phrase =
        |topic: &str, p: &str, w: canhgiac_domain::LexiconWeight, active: bool| canhgiac_domain::LexiconPhrase {
            topic: Code::lit(topic),
            phrase: Text::lit(p),
            weight: w,
            active,
        };
    let actor = Actor::system("test");
    // Written without diacritics: matched all the same.
    store
        .create(
            &actor,
            &phrase("PCMBN", "hoi cho nong san", canhgiac_domain::LexiconWeight::W3, true),
        )
        .await
        .expect("phrase");
    store
        .create(
            &actor,
            &phrase("PCTP", "ma túy", canhgiac_domain::LexiconWeight::W10, false),
        )
        .await
        .expect("inactive phrase");
    // A phrase of no letters, and one of an unknown topic, are refused.
    assert!(store
        .create(&actor, &phrase("PCMT", "!!!", canhgiac_domain::LexiconWeight::W1, true))
        .await
        .is_err());
    assert!(store
        .create(
            &actor,
            &phrase("KHONG-CO", "ma túy", canhgiac_domain::LexiconWeight::W1, true)
        )
        .await
        .is_err());
    assert_eq!(c.lexicon().await.expect("lexicon").len(), 1, "its active phrases only");
    let id = add_source(
        &store,
        "bao-bac-giang-dien-tu",
        SourceKind::Feed,
        &format!("{base}/rss2.xml"),
    )
    .await;
    c.collect(id).await.expect("collect");
    let items = items_of(&store, "bao-bac-giang-dien-tu").await;
    assert_eq!(topics(find(&items, "Khai mạc hội chợ nông sản")), vec!["PCMBN"]);
    assert!(
        topics(find(&items, "Bắt giữ 02 đối tượng mua bán trái phép chất ma túy")).is_empty(),
        "the shipped lexicon is not used beside the agency's"
    );
}
