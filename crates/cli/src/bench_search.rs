//! `canhgiac bench --stage search`: full-text search latency on the
//! embedded index at N items (1,000,000 by default). The items are
//! generated, deterministic Vietnamese: headlines of the collector's
//! corpus (`canhgiac_ingest::corpus`), and bodies drawn from some 4,700 Vietnamese syllables with a
//! skewed (Zipf-like) frequency, so that common words match a large share
//! of the items and rare ones few. They are loaded straight into a tantivy
//! index in a temporary folder (the store is not what is measured), then a
//! fixed set of queries runs: common and rare words, words found nowhere,
//! phrases, OR, NOT, and filters by outlet, topic and days; each query
//! several times, p50 and p99 over all runs. Figures are printed (or
//! written as JSON), never asserted.

use std::time::Instant;

use anyhow::{anyhow, Result};
use canhgiac_domain::numbers::{count, decimal};
use canhgiac_domain::query::Query;
use canhgiac_domain::{Date, MediaItem};
use canhgiac_ingest::corpus::{PLACES, SUBJECTS};
use canhgiac_search::Search;
use canhgiac_store::{IndexDoc, TextSearch};
use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

const ONSETS: [&str; 24] = [
    "b", "c", "ch", "d", "đ", "g", "gi", "h", "k", "kh", "l", "m", "n", "ng", "nh", "ph", "qu", "r", "s", "t", "th",
    "tr", "v", "x",
];
const RHYMES: [&str; 33] = [
    "a", "an", "anh", "ao", "at", "ay", "ăn", "âm", "ân", "ât", "e", "em", "en", "ê", "ên", "i", "inh", "it", "o",
    "oa", "oan", "oc", "ôi", "ông", "ơ", "ơi", "u", "uân", "uc", "ung", "ưa", "ương", "ươc",
];
/// No tone, sắc, huyền, hỏi, ngã, nặng (combining marks, composed by NFC).
const TONES: [&str; 6] = ["", "\u{301}", "\u{300}", "\u{309}", "\u{303}", "\u{323}"];
const OUTLETS: [&str; 4] = [
    "bao-bac-giang",
    "bao-bac-giang-dien-tu",
    "dai-ptth-bac-giang",
    "cong-ttdt-tinh",
];
const TOPICS: [&str; 3] = ["PCTP", "PCMT", "PCMBN"];
const WORDS_PER_BODY: usize = 80;

/// What the bench measured.
#[derive(Debug, Serialize)]
pub struct SearchFigures {
    pub machine: String,
    pub items: u64,
    pub index_seconds: f64,
    pub index_bytes: u64,
    pub queries: usize,
    pub runs_per_query: u32,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// The slowest query's text and median.
    pub slowest: String,
    pub slowest_p50_ms: f64,
}

fn vocabulary() -> Vec<String> {
    let mut v = Vec::with_capacity(ONSETS.len() * RHYMES.len() * TONES.len());
    for o in ONSETS {
        for r in RHYMES {
            for t in TONES {
                // The tone mark on the rhyme's first letter: NFC composes it.
                let mut chars = r.chars();
                let first = chars.next().map(String::from).unwrap_or_default();
                let w: String = format!("{o}{first}{t}{}", chars.as_str()).nfc().collect();
                v.push(w);
            }
        }
    }
    v
}

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// An index below `n`, small ones far more often (rank ~ u³).
    fn skewed(&mut self, n: usize) -> usize {
        #[allow(clippy::cast_precision_loss)]
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let i = (u * u * u * n as f64) as usize;
        i.min(n - 1)
    }
}

fn item(i: u64, rng: &mut Rng, vocab: &[String]) -> Result<IndexDoc> {
    let place = PLACES[usize::try_from(i % 8)?];
    let subject = SUBJECTS[usize::try_from(i.wrapping_mul(7) % 10)?];
    let mut body = String::with_capacity(WORDS_PER_BODY * 6);
    for k in 0..WORDS_PER_BODY {
        if k > 0 {
            body.push(if k % 12 == 0 { '.' } else { ' ' });
            if k % 12 == 0 {
                body.push(' ');
            }
        }
        body.push_str(&vocab[rng.skewed(vocab.len())]);
    }
    let day = Date::from_ymd(
        2020 + i32::try_from(i % 6)?,
        1 + u32::try_from(i % 12)?,
        1 + u32::try_from(i % 28)?,
    )
    .ok_or_else(|| anyhow!("day"))?;
    let topic = TOPICS[usize::try_from(i % 3)?];
    let item: MediaItem = serde_json::from_value(serde_json::json!({
        "outlet": OUTLETS[usize::try_from(i % 4)?],
        "kind": "article",
        "title": format!("{place}: {subject} (tin số {i})"),
        "published_on": day.iso(),
        "topics": [topic],
        "body": body,
    }))?;
    Ok(IndexDoc {
        id: i64::try_from(i + 1)?,
        owner: Some("stttt-bacgiang".into()),
        item,
    })
}

/// The queries: (text, outlet, topic, days).
fn queries(vocab: &[String]) -> Vec<(String, Option<&'static str>, Option<&'static str>, bool)> {
    let common = &vocab[0];
    let mid = &vocab[vocab.len() / 50];
    let rare = &vocab[vocab.len() - 1];
    let mut q = vec![
        ("ma túy".to_owned(), None, None, false),
        ("ma tuy".to_owned(), None, None, false),
        ("\"mua bán người\"".to_owned(), None, None, false),
        ("lừa đảo OR đánh bạc".to_owned(), None, None, false),
        (
            "\"ma túy\" AND (bắt OR cai) NOT \"cộng đồng\"".to_owned(),
            None,
            None,
            false,
        ),
        ("tài sản".to_owned(), Some("bao-bac-giang"), None, false),
        ("tội phạm".to_owned(), None, Some("PCTP"), true),
        ("khôngcótừnày".to_owned(), None, None, false),
        ("xyzxyz qwerty".to_owned(), None, None, false),
        (common.clone(), None, None, false),
        (format!("{common} {mid}"), None, None, false),
        (format!("\"{common} {mid}\""), None, None, false),
        (rare.clone(), None, None, false),
        (format!("{mid} NOT {common}"), None, None, true),
        (
            format!("{rare} OR {mid}"),
            Some("dai-ptth-bac-giang"),
            Some("PCMT"),
            false,
        ),
    ];
    for k in 0..25 {
        let w = &vocab[(k * 131) % vocab.len()];
        q.push((w.clone(), None, None, k % 5 == 0));
    }
    q
}

pub fn run(items: u64, runs: u32, json: bool) -> Result<SearchFigures> {
    let vocab = vocabulary();
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("index");
    let started = Instant::now();
    let mut rng = Rng(7304);
    let mut failed = None;
    let docs = (0..items).map_while(|i| match item(i, &mut rng, &vocab) {
        Ok(d) => Some(d),
        Err(e) => {
            failed = Some(e);
            None
        }
    });
    let search = Search::load(&path, docs)?;
    if let Some(e) = failed {
        return Err(e);
    }
    let index_seconds = started.elapsed().as_secs_f64();
    let index_bytes = folder_size(&path);
    if !json {
        eprintln!(
            "Chỉ mục: {} tin, bài trong {} giây, {} MiB",
            count(items),
            decimal(index_seconds),
            count(index_bytes / (1024 * 1024))
        );
    }
    let qs = queries(&vocab);
    let mut all = Vec::new();
    let mut slowest = (String::new(), 0.0f64);
    for (text, outlet, topic, days) in &qs {
        let mut ts = TextSearch::of(Query::parse(text).map_err(|e| anyhow!("{text}: {e}"))?);
        ts.outlet = outlet.map(str::to_owned);
        ts.topic = topic.map(str::to_owned);
        if *days {
            ts.from = Date::from_ymd(2022, 1, 1);
            ts.to = Date::from_ymd(2023, 6, 30);
        }
        let mut own = Vec::new();
        for _ in 0..runs.max(1) {
            let t = Instant::now();
            let hits = search
                .search_indexed(Some("stttt-bacgiang"), &ts)
                .ok_or_else(|| anyhow!("no index"))??;
            std::hint::black_box(hits);
            own.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        own.sort_by(f64::total_cmp);
        let median = own[own.len() / 2];
        if median > slowest.1 {
            slowest = (text.clone(), median);
        }
        all.extend(own);
    }
    all.sort_by(f64::total_cmp);
    let at = |p: f64| {
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let i = ((all.len() as f64 - 1.0) * p).round() as usize;
        all[i]
    };
    let figures = SearchFigures {
        machine: crate::bench::machine(),
        items,
        index_seconds,
        index_bytes,
        queries: qs.len(),
        runs_per_query: runs.max(1),
        p50_ms: at(0.5),
        p90_ms: at(0.9),
        p99_ms: at(0.99),
        max_ms: all.last().copied().unwrap_or_default(),
        slowest: slowest.0,
        slowest_p50_ms: slowest.1,
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&figures)?);
    } else {
        println!(
            "Tìm kiếm trên {} tin, bài ({} câu × {} lần): p50 {} ms, p90 {} ms, p99 {} ms, chậm nhất {} ms",
            count(figures.items),
            figures.queries,
            figures.runs_per_query,
            decimal(figures.p50_ms),
            decimal(figures.p90_ms),
            decimal(figures.p99_ms),
            decimal(figures.max_ms)
        );
        println!(
            "Câu chậm nhất (trung vị): {} — {} ms",
            figures.slowest,
            decimal(figures.slowest_p50_ms)
        );
    }
    Ok(figures)
}

fn folder_size(p: &std::path::Path) -> u64 {
    std::fs::read_dir(p)
        .map(|rd| rd.filter_map(|e| e.ok()?.metadata().ok()).map(|m| m.len()).sum())
        .unwrap_or(0)
}
