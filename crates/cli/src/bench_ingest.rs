//! `canhgiac bench --stage ingest`: the collector's speed on a generated,
//! deterministic Vietnamese corpus of RSS files — parsing and classifying
//! alone (one core), then end to end (fetched from a local HTTP server,
//! parsed, classified, deduplicated, stored) on a fresh embedded store,
//! then a second pass where nothing changed; and Python's feedparser over
//! the same files, in a virtual environment made for it, as the baseline.
//! Figures are printed (or written as JSON), never asserted.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};
use axum::response::IntoResponse;
use canhgiac_domain::query::{Query, Words};
use canhgiac_domain::watch::{Rule, RuleSet};
use canhgiac_domain::{Code, ItemKind, Source, SourceKind, Text};
use canhgiac_ingest::{Collector, FetchConfig, Fetcher, Lexicon};
use canhgiac_store::prelude::*;
use canhgiac_store::{Actor, SqlStore};
use serde::Serialize;

use canhgiac_ingest::corpus::{feed, PER_FEED};

/// What the bench measured.
#[derive(Debug, Serialize)]
pub struct IngestFigures {
    pub machine: String,
    pub files: usize,
    pub items: u64,
    pub parse_classify_items_per_second: f64,
    /// The same with 10,000 watch rules matched against every item.
    pub with_watch_rules_items_per_second: f64,
    pub watch_rules: usize,
    /// How many times slower the rules make parsing and classifying.
    pub watch_rules_slowdown: f64,
    pub end_to_end_items_per_second: f64,
    pub end_to_end_new: u64,
    /// The watch job over the items the end-to-end pass brought, with
    /// 10,000 rules stored (most rarely matching, 1% crowded): seconds, and
    /// the matches it kept.
    pub watch_job_seconds: f64,
    pub watch_job_hits: usize,
    /// The end-to-end pass and the watch job one after the other.
    pub end_to_end_with_watch_items_per_second: f64,
    /// How many times slower the rules make the whole ingest.
    pub end_to_end_watch_slowdown: f64,
    pub unchanged_pass_seconds: f64,
    pub feedparser_items_per_second: Option<f64>,
    pub ratio_to_feedparser: Option<f64>,
    pub lexicon_phrases: usize,
}

pub async fn run(items: u64, json: bool) -> Result<IngestFigures> {
    let files = items.div_ceil(PER_FEED).max(1);
    let lexicon = Arc::new(Lexicon::default_vi()?);
    // The corpus, as files (for the baseline) and in memory (for the server).
    let dir = tempfile::tempdir()?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let host = listener.local_addr()?.to_string();
    let mut bodies: HashMap<String, Vec<u8>> = HashMap::new();
    for f in 0..files {
        let text = feed(f, &host);
        let name = format!("feed-{f:05}.xml");
        std::fs::write(dir.path().join(&name), &text)?;
        bodies.insert(name, text.into_bytes());
    }
    let n_items = files * PER_FEED;
    if !json {
        eprintln!("Kho tin: {files} tệp RSS, {n_items} tin, bài");
    }

    let parse_rate = parse_classify(&bodies, &lexicon, None)?;
    let rules = watch_rules(10_000);
    let watch_rate = parse_classify(&bodies, &lexicon, Some(&rules))?;
    let e2e = end_to_end(listener, &host, bodies, files, lexicon.clone()).await?;
    let (e2e_rate, new, unchanged) = (e2e.rate, e2e.new, e2e.unchanged);
    let with_watch = new as f64 / (new as f64 / e2e_rate.max(1e-9) + e2e.watch_seconds);
    let baseline = feedparser(dir.path());
    let figures = IngestFigures {
        machine: crate::bench::machine(),
        files: files as usize,
        items: n_items,
        parse_classify_items_per_second: parse_rate.round(),
        with_watch_rules_items_per_second: watch_rate.round(),
        watch_rules: rules.len(),
        watch_rules_slowdown: (parse_rate / watch_rate.max(1e-9) * 100.0).round() / 100.0,
        end_to_end_items_per_second: e2e_rate.round(),
        end_to_end_new: new,
        watch_job_seconds: (e2e.watch_seconds * 1000.0).round() / 1000.0,
        watch_job_hits: e2e.watch_hits,
        end_to_end_with_watch_items_per_second: with_watch.round(),
        end_to_end_watch_slowdown: (e2e_rate / with_watch.max(1e-9) * 100.0).round() / 100.0,
        unchanged_pass_seconds: (unchanged * 1000.0).round() / 1000.0,
        feedparser_items_per_second: baseline.map(f64::round),
        ratio_to_feedparser: baseline.map(|b| (parse_rate / b * 10.0).round() / 10.0),
        lexicon_phrases: lexicon.len(),
    };
    print(&figures, json)?;
    Ok(figures)
}

/// `n` generated watch rules of the agency `a`: the lexicon's phrases
/// with words of the corpus and words found nowhere, in AND, OR and NOT.
fn watch_rules(n: usize) -> RuleSet {
    let rules = rule_texts(n)
        .into_iter()
        .enumerate()
        .filter_map(|(k, text)| {
            Some(Rule {
                id: i64::try_from(k).ok()?,
                owner: Some("a".into()),
                query: Query::parse(&text).ok()?,
            })
        })
        .collect();
    RuleSet::new(rules)
}

/// The texts of [`watch_rules`].
fn rule_texts(n: usize) -> Vec<String> {
    let phrases: Vec<&str> = canhgiac_ingest::classify::DEFAULT_LEXICON
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(1))
        .filter(|p| !p.trim().is_empty())
        .collect();
    let words = [
        "bắt", "giữ", "đối", "tượng", "mạng", "xã", "huyện", "tài", "sản", "cán", "bộ", "hội", "nghị", "vụ", "án",
    ];
    (0..n)
        .map(|k| {
            let p = phrases.get(k % phrases.len().max(1)).copied().unwrap_or("ma túy");
            let (a, b) = (words[k % words.len()], words[(k * 7 + 3) % words.len()]);
            match k % 4 {
                0 => format!("\"{p}\" AND ({a} OR {b}) NOT tukhac{k}"),
                1 => format!("{a} tuhiem{k}"),
                2 => format!("tuhiem{k} OR \"{p}\" tuhiem{}", k + 1),
                _ => format!("\"{p}\" -{b}"),
            }
        })
        .collect()
}

/// Decoding, parsing and classifying every body, on one core, and
/// matching `rules` against each item when given: items/s.
fn parse_classify(bodies: &HashMap<String, Vec<u8>>, lexicon: &Lexicon, rules: Option<&RuleSet>) -> Result<f64> {
    let started = Instant::now();
    let mut parsed = 0u64;
    let all = |_: &Code| true;
    for body in bodies.values() {
        let text = canhgiac_ingest::charset::decode(body, Some("application/rss+xml"))?;
        let p = canhgiac_ingest::feed::parse(&text, "http://127.0.0.1/")?;
        for e in &p.entries {
            let summary = e.summary.as_deref().unwrap_or("");
            let c = lexicon.classify(&e.title, summary, &all);
            std::hint::black_box(c);
            if let Some(rules) = rules {
                let words = Words::of(&[&e.title, summary]);
                std::hint::black_box(rules.matching(Some("a"), &words));
            }
        }
        parsed += p.entries.len() as u64;
    }
    Ok(parsed as f64 / started.elapsed().as_secs_f64().max(1e-9))
}

/// Every feed served on `listener`, fetched and written on a fresh
/// embedded store, two at a time; then again with nothing changed.
/// Returns (new items/s, new items, seconds of the second pass).
/// 10,000 watch rules as an agency keeps them, stored, and the watch mark
/// set: most name what they watch (a person, an account, a place) and
/// rarely match; one in a hundred is one of the crowded rules above. About
/// one match per item.
async fn store_rules(store: &SqlStore, actor: &Actor) -> Result<()> {
    let crowded = rule_texts(10_000);
    let mut rules = canhgiac_domain::Dataset::default();
    for (k, text) in crowded.into_iter().enumerate() {
        let text = if k % 100 == 0 {
            text
        } else {
            format!("\"đối tượng tenrieng{k}\" OR taikhoan{k}")
        };
        rules.watch_rules.push(canhgiac_domain::WatchRule {
            name: Text::parse(&format!("Quy tắc {k}"))?,
            query: Text::parse(&text)?,
            active: true,
            webhook: None,
            note: None,
        });
    }
    store.import(actor, &rules).await?;
    canhgiac_ingest::watch::run(store).await?;
    Ok(())
}

/// What the end-to-end run measured.
struct EndToEnd {
    rate: f64,
    new: u64,
    unchanged: f64,
    watch_seconds: f64,
    watch_hits: usize,
}

async fn end_to_end(
    listener: tokio::net::TcpListener,
    host: &str,
    bodies: HashMap<String, Vec<u8>>,
    files: u64,
    lexicon: Arc<Lexicon>,
) -> Result<EndToEnd> {
    let bodies = Arc::new(bodies);
    let served = bodies.clone();
    let app = axum::Router::new().route(
        "/{name}",
        axum::routing::get(move |axum::extract::Path(name): axum::extract::Path<String>| {
            let served = served.clone();
            async move {
                match served.get(&name) {
                    Some(b) => ([("content-type", "application/rss+xml")], b.clone()).into_response(),
                    None => axum::http::StatusCode::NOT_FOUND.into_response(),
                }
            }
        }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let store_dir = tempfile::tempdir()?;
    let store = SqlStore::open_sqlite(store_dir.path()).await?;
    let seed = canhgiac_interchange::read_json("seed.json", crate::commands::SEED.as_bytes())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let actor = Actor::system("cli:bench");
    store.import(&actor, &seed.records).await?;
    store_rules(&store, &actor).await?;
    let outlets = [
        "bao-bac-giang",
        "bao-bac-giang-dien-tu",
        "dai-ptth-bac-giang",
        "ttcs-bac-giang",
    ];
    let mut ids = Vec::new();
    for f in 0..files {
        let s = Source {
            outlet: Code::lit(outlets[(f % 4) as usize]),
            kind: SourceKind::Feed,
            url: Text::parse(&format!("http://{host}/feed-{f:05}.xml"))?,
            item_kind: ItemKind::News,
            link_selector: None,
            title_selector: None,
            date_selector: None,
            fetch_articles: false,
            active: true,
            note: None,
        };
        ids.push(store.create(&actor, &s).await?);
    }
    let fetcher = Fetcher::new(FetchConfig {
        allow_private: true,
        ..FetchConfig::default()
    })?;
    let collector = Collector::new(store.clone(), fetcher, lexicon.clone());
    let pass = |ids: Vec<i64>| {
        let collector = collector.clone();
        async move {
            let queue = Arc::new(std::sync::Mutex::new(ids));
            let mut tasks = Vec::new();
            for _ in 0..2 {
                let (queue, collector) = (queue.clone(), collector.clone());
                tasks.push(tokio::spawn(async move {
                    let mut new = 0u64;
                    loop {
                        let next = queue.lock().ok().and_then(|mut q| q.pop());
                        let Some(id) = next else { break };
                        let done = collector.collect(id).await?;
                        if let Some(e) = done.error {
                            anyhow::bail!("nguồn tin {id}: {e}");
                        }
                        new += u64::from(done.new);
                    }
                    Ok::<u64, anyhow::Error>(new)
                }));
            }
            let mut new = 0;
            for t in tasks {
                new += t.await.context("tác vụ đo")??;
            }
            Ok::<u64, anyhow::Error>(new)
        }
    };
    let started = Instant::now();
    let new = pass(ids.clone()).await?;
    let e2e_rate = new as f64 / started.elapsed().as_secs_f64().max(1e-9);
    let started = Instant::now();
    let watched = canhgiac_ingest::watch::run(&store).await?;
    let watch_seconds = started.elapsed().as_secs_f64();
    anyhow::ensure!(
        watched.items as u64 == new,
        "quy tắc theo dõi đối chiếu {} trên {new} tin, bài",
        watched.items
    );
    // Nothing changed: every source is read, hashed, and left.
    for id in &ids {
        let mut h = store.source_health(&[*id]).await?.remove(0).1;
        h.etag = None;
        h.last_modified = None;
        store.put_source_health(*id, &h).await?;
    }
    let started = Instant::now();
    let again = pass(ids).await?;
    let unchanged = started.elapsed().as_secs_f64();
    anyhow::ensure!(again == 0, "lượt thứ hai thêm {again} tin, bài");
    store.close().await;
    Ok(EndToEnd {
        rate: e2e_rate,
        new,
        unchanged,
        watch_seconds,
        watch_hits: watched.hits.len(),
    })
}

fn print(figures: &IngestFigures, json: bool) -> Result<()> {
    let new = figures.end_to_end_new;
    if json {
        println!("{}", serde_json::to_string_pretty(&figures)?);
    } else {
        println!("Máy: {}", figures.machine);
        println!(
            "Kho tin: {} tệp RSS, {} tin, bài; bộ từ khóa {} cụm từ",
            figures.files, figures.items, figures.lexicon_phrases
        );
        println!(
            "Đọc + phân loại (1 lõi):      {:>10.0} tin, bài/giây",
            figures.parse_classify_items_per_second
        );
        println!(
            "… và {} quy tắc theo dõi:  {:>10.0} tin, bài/giây — chậm hơn {} lần",
            figures.watch_rules,
            figures.with_watch_rules_items_per_second,
            canhgiac_domain::numbers::decimal(figures.watch_rules_slowdown)
        );
        println!(
            "Trọn quy trình (2 luồng):     {:>10.0} tin, bài/giây ({} tin, bài mới)",
            figures.end_to_end_items_per_second, new
        );
        println!(
            "… và việc đối chiếu {} quy tắc lưu trong kho (1% dày đặc): {:.3} giây ({} tin khớp) — cả quy trình {:.0} tin, bài/giây, chậm hơn {} lần",
            figures.watch_rules,
            figures.watch_job_seconds,
            figures.watch_job_hits,
            figures.end_to_end_with_watch_items_per_second,
            canhgiac_domain::numbers::decimal(figures.end_to_end_watch_slowdown)
        );
        println!(
            "Lượt lại, không có gì mới:    {:>10.3} giây",
            figures.unchanged_pass_seconds
        );
        match (figures.feedparser_items_per_second, figures.ratio_to_feedparser) {
            (Some(b), Some(r)) => println!("feedparser (Python):          {b:>10.0} tin, bài/giây — nhanh gấp {r} lần"),
            _ => println!("feedparser (Python): không chạy được (cần python3 và mạng tới PyPI)"),
        }
    }
    Ok(())
}

/// feedparser's items/s over the files in `dir`, in a virtual environment
/// made for it under the cache folder; `None` when Python or PyPI is out
/// of reach (said on stderr).
fn feedparser(dir: &std::path::Path) -> Option<f64> {
    let venv = std::env::temp_dir().join("canhgiac-bench-venv");
    let python = venv.join("bin/python");
    let run = |cmd: &mut std::process::Command| cmd.output().ok().filter(|o| o.status.success());
    if !python.exists() {
        run(std::process::Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    }
    if run(std::process::Command::new(&python).args(["-c", "import feedparser"])).is_none() {
        run(std::process::Command::new(&python).args(["-m", "pip", "install", "--quiet", "feedparser"]))?;
    }
    let script = dir.join("bench_feedparser.py");
    std::fs::write(&script, include_str!("../../../tools/bench_feedparser.py")).ok()?;
    let out = run(std::process::Command::new(&python).arg(&script).arg(dir))?;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    v.get("items_per_second").and_then(serde_json::Value::as_f64)
}
