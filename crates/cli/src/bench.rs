//! `canhgiac bench`: a reproducible end-to-end benchmark of the report over
//! a large generated store. Timings are printed, never asserted.

use std::time::{Duration, Instant};

use anyhow::Result;
use canhgiac_domain::{Code, Dataset, Date, ItemKind, ItemSource, MediaItem, Period, RecordKind, ReportKind, Text};
use canhgiac_report::{Format, ReportSpec};
use canhgiac_store::prelude::*;
use canhgiac_store::{Actor, SqlStore};

const OUTLETS: [&str; 4] = [
    "bao-bac-giang",
    "bao-bac-giang-dien-tu",
    "dai-ptth-bac-giang",
    "ttcs-bac-giang",
];
const TOPICS: [&str; 3] = ["PCTP", "PCMT", "PCMBN"];
const PLACES: [&str; 10] = [
    "Lục Ngạn",
    "Lạng Giang",
    "Yên Dũng",
    "Sơn Động",
    "Yên Thế",
    "Việt Yên",
    "Tân Yên",
    "Hiệp Hòa",
    "Lục Nam",
    "TP Bắc Giang",
];
const KINDS: [ItemKind; 4] = [ItemKind::News, ItemKind::Article, ItemKind::Report, ItemKind::Photo];

/// A deterministic item number `n`, dated inside 15/12/2023 – 14/06/2024.
pub(crate) fn item(n: u64) -> Result<MediaItem> {
    let start = Date::from_ymd(2023, 12, 15).map(Date::naive).unwrap_or_default();
    let day = start + chrono::Duration::days((n.wrapping_mul(2_654_435_761) % 183) as i64);
    let day = Date::parse(&day.format("%Y-%m-%d").to_string()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let topic = TOPICS[(n % 3) as usize];
    Ok(MediaItem {
        outlet: Code::lit(OUTLETS[(n / 3 % 4) as usize]),
        programme: None,
        kind: KINDS[(n / 12 % 4) as usize],
        title: Text::lit(&format!(
            "{}: tin tuyên truyền {} số {n}",
            PLACES[(n / 48 % 10) as usize],
            match topic {
                "PCTP" => "phòng, chống tội phạm",
                "PCMT" => "phòng, chống ma túy",
                _ => "phòng, chống mua bán người",
            }
        )),
        url: None,
        published_on: day,
        published_at: None,
        topics: vec![Code::lit(topic)],
        featured: false,
        summary: None,
        body: None,
        duplicate_of: None,
        source: ItemSource::Import,
        author: None,
        fetch_note: None,
        classification: None,
    })
}

fn stats(mut v: Vec<Duration>) -> String {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!(
        "min {:>7.1} ms  median {:>7.1} ms  max {:>7.1} ms",
        ms(v[0]),
        ms(v[v.len() / 2]),
        ms(v[v.len() - 1])
    )
}

pub(crate) fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "?".into());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .next()
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_owned())
        })
        .and_then(|kb| kb.parse::<u64>().ok())
        .map(|kb| kb / 1024 / 1024)
        .unwrap_or(0);
    format!("{cpu}, {cores} nhân, {mem} GiB RAM")
}

/// The peak resident memory of this process so far, in MiB (Linux).
fn peak_mib() -> Option<u64> {
    std::fs::read_to_string("/proc/self/status")
        .ok()?
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse::<u64>()
        .ok()
        .map(|kb| kb / 1024)
}

/// A station list as an operator sends it: CSV with Vietnamese headers,
/// `n` rows over the seed's three operators.
fn station_csv(n: u64) -> String {
    let ops = ["viettel-bacgiang", "vnpt-bacgiang", "mobifone-bacgiang"];
    let mut s = String::from(
        "Doanh nghiệp,Mã trạm,Địa chỉ,\"Xã, phường\",\"Tọa độ (vĩ độ, kinh độ)\",Số giấy phép tần số,\
         Giấy phép tần số hết hạn,Số giấy chứng nhận kiểm định,Ngày cấp giấy chứng nhận kiểm định,\
         Giấy chứng nhận kiểm định hết hạn\n",
    );
    for i in 0..n {
        let place = PLACES[(i % 10) as usize];
        let (y, m, d) = (2020 + i % 5, 1 + i % 12, 1 + i % 28);
        s.push_str(&format!(
            "{},BENCH{i:06},\"Thôn {}, {place}\",Xã {place},\"{:.5}, {:.5}\",{}/GP-CTS,31/12/{},\
             {i}/KĐ,{d:02}/{m:02}/{y},{:02}/{m:02}/{}\n",
            ops[(i % 3) as usize],
            1 + i % 9,
            21.05 + (i % 4500) as f64 / 10_000.0,
            106.0 + (i % 8500) as f64 / 10_000.0,
            10_000 + i,
            2025 + i % 4,
            d.min(28),
            y + 5
        ));
    }
    s
}

/// Imports a generated station list twice (new, then unchanged) and says
/// how long each part took and how much memory the process peaked at.
async fn stations(store: &SqlStore, n: u64) -> Result<()> {
    let csv = station_csv(n);
    let before = peak_mib();
    let t = Instant::now();
    let ds = canhgiac_interchange::read_csv("tram.csv", csv.as_bytes(), Some(RecordKind::BtsStation))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let parse = t.elapsed();
    let t = Instant::now();
    let first = store.import(&Actor::system("cli:bench"), &ds).await?;
    let write = t.elapsed();
    let t = Instant::now();
    let again = store.import(&Actor::system("cli:bench"), &ds).await?;
    let rerun = t.elapsed();
    let per_s = |d: Duration| n as f64 / d.as_secs_f64().max(0.001);
    println!(
        "Danh sách trạm BTS: {n} dòng, {:.1} MB CSV",
        csv.len() as f64 / 1_000_000.0
    );
    println!(
        "  đọc CSV           {:>8.0} ms ({:.0} dòng/giây)",
        parse.as_secs_f64() * 1000.0,
        per_s(parse)
    );
    println!(
        "  ghi lần đầu       {:>8.0} ms ({:.0} dòng/giây; {} mới, {} cập nhật)",
        write.as_secs_f64() * 1000.0,
        per_s(write),
        first.total_created(),
        first.total_updated()
    );
    println!(
        "  nhập lại y nguyên {:>8.0} ms ({:.0} dòng/giây; {} không đổi)",
        rerun.as_secs_f64() * 1000.0,
        per_s(rerun),
        again.total_unchanged()
    );
    if let (Some(b), Some(a)) = (before, peak_mib()) {
        println!("  bộ nhớ đỉnh của tiến trình: {a} MiB (trước khi nhập {b} MiB)");
    }
    Ok(())
}

pub async fn run(store: &SqlStore, items: u64, runs: u32, station_rows: u64) -> Result<()> {
    let seed = canhgiac_interchange::read_json("seed.json", crate::commands::SEED.as_bytes())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    store.import(&Actor::system("cli:bench"), &seed.records).await?;
    if station_rows > 0 {
        println!("Máy: {}", machine());
        stations(store, station_rows).await?;
    }
    let have = store.count(RecordKind::MediaItem).await? as u64;
    if have < items {
        let missing = items - have;
        eprintln!("Sinh {missing} tin, bài (đang có {have})…");
        let started = Instant::now();
        let mut n = have;
        const BATCH: u64 = 25_000;
        while n < items {
            let end = (n + BATCH).min(items);
            let mut ds = Dataset::default();
            for i in n..end {
                ds.media_items.push(item(i)?);
            }
            store.import(&Actor::system("cli:bench"), &ds).await?;
            n = end;
            let secs = started.elapsed().as_secs_f64();
            eprintln!(
                "  {n}/{items} ({:.0} bản ghi/giây)",
                (n - have) as f64 / secs.max(0.001)
            );
        }
    }
    let total = store.count(RecordKind::MediaItem).await?;
    let spec = ReportSpec {
        agency: None,
        kind: ReportKind::HalfYear,
        period: Some(Period::Half(2024, 1)),
        range: None,
        number: Some(180),
        date: Date::from_ymd(2024, 6, 11).unwrap_or_else(Date::today),
    };
    println!("Máy: {}", machine());
    println!(
        "Kho: {:?}, {total} tin, bài; báo cáo 2024-H1; {runs} lần đo mỗi mục",
        store.engine()
    );
    // Warm the caches once, as a served report would be.
    let warm = canhgiac_report::build(store, &spec, None, None, false).await?;
    println!("Tin, bài trong kỳ: {}", warm.data.items_total);
    let mut build = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        canhgiac_report::build(store, &spec, None, None, false).await?;
        build.push(t.elapsed());
    }
    println!("{:<26} {}", "tính số liệu + mẫu", stats(build));
    let mut formats = vec![Format::Markdown, Format::Html, Format::Docx, Format::Xlsx];
    if canhgiac_report::pdf::soffice().is_some() {
        formats.push(Format::Pdf);
    } else {
        println!("(không có LibreOffice: bỏ qua PDF)");
    }
    for f in formats {
        let mut v = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            let r = canhgiac_report::build(store, &spec, None, None, false).await?;
            let bytes = r.render(f)?;
            v.push(t.elapsed());
            std::hint::black_box(bytes);
        }
        println!("{:<26} {}", format!("toàn bộ, ra {}", f.extension()), stats(v));
    }
    Ok(())
}
