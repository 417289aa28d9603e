//! `canhgiac source` and `canhgiac ingest`: the collector from the command
//! line, and its place in `serve` and `worker` (the job handler and the
//! scheduler that queues due sources).

use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use canhgiac_domain::{fold, numbers::count, ItemKind, Outlet, Source, SourceKind, Text, Timestamp};
use canhgiac_ingest::{Collector, FetchConfig, Fetcher, Lexicon};
use canhgiac_store::prelude::*;
use canhgiac_store::{ListQuery, SqlStore};

use crate::{Cli, SourceAction};

/// How often the scheduler looks for due sources.
const SCHEDULE_EVERY: Duration = Duration::from_secs(30);

/// The fetcher's settings: the defaults, and loopback and private
/// addresses allowed only when `CANHGIAC_FETCH_ALLOW_PRIVATE=1` (an
/// intranet portal; the tests' local server).
pub fn fetch_config() -> FetchConfig {
    FetchConfig {
        allow_private: std::env::var("CANHGIAC_FETCH_ALLOW_PRIVATE").is_ok_and(|v| v == "1"),
        ..FetchConfig::default()
    }
}

/// The lexicon: `lexicon.csv` in the data folder if there is one (the
/// agency's own, edited as a file), else the one shipped.
pub fn lexicon(cli: &Cli) -> Result<Lexicon> {
    let own = cli.data.join("lexicon.csv");
    if own.exists() {
        let text = std::fs::read_to_string(&own).with_context(|| format!("không đọc được {}", own.display()))?;
        return Lexicon::from_csv(&canhgiac_domain::nfc(&text))
            .with_context(|| format!("bộ từ khóa {} không hợp lệ", own.display()));
    }
    Ok(Lexicon::default_vi()?)
}

pub fn collector(cli: &Cli, store: &SqlStore) -> Result<Collector<SqlStore>> {
    Ok(Collector::new(
        store.clone(),
        Fetcher::new(fetch_config())?,
        Arc::new(lexicon(cli)?),
    ))
}

/// Queues due sources, and the matching of new items with watch rules,
/// every [`SCHEDULE_EVERY`] until `stop`.
pub async fn scheduler(store: SqlStore, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        match canhgiac_ingest::schedule::enqueue_due(&store, 500).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(queued = n, "sources due"),
            Err(e) => tracing::warn!(error = %e, "scheduling sources failed"),
        }
        if let Err(e) = canhgiac_ingest::watch::enqueue_if_behind(&store).await {
            tracing::warn!(error = %e, "scheduling watch rules failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(SCHEDULE_EVERY) => {}
            _ = stop.changed() => return,
        }
    }
}

pub async fn source(store: &SqlStore, action: &SourceAction) -> Result<()> {
    match action {
        SourceAction::Add {
            outlet,
            url,
            kind,
            link_selector,
            title_selector,
            date_selector,
        } => {
            let outlet = find_outlet(store, outlet).await?;
            let kind = SourceKind::parse(kind).map_err(|e| anyhow::anyhow!("{e}"))?;
            let text = |s: &Option<String>| s.as_deref().map(Text::parse).transpose();
            let src = Source {
                outlet: outlet.code.clone(),
                kind,
                url: Text::parse(url)?,
                item_kind: ItemKind::News,
                link_selector: text(link_selector)?,
                title_selector: text(title_selector)?,
                date_selector: text(date_selector)?,
                fetch_articles: true,
                active: true,
                note: None,
            };
            let id = store.create(&crate::federation::actor("cli:source add"), &src).await?;
            println!("Đã thêm nguồn tin số {id} của «{}»: {}", outlet.name, src.url);
        }
        SourceAction::List { json } => list(store, *json).await?,
    }
    Ok(())
}

/// An outlet by its code or its name (diacritics and case ignored).
async fn find_outlet(store: &SqlStore, name: &str) -> Result<Outlet> {
    let outlets = store
        .list::<Outlet>(&ListQuery {
            limit: Some(canhgiac_store::MAX_PAGE),
            ..ListQuery::default()
        })
        .await?;
    let wanted = fold(name);
    if let Some(o) = outlets
        .iter()
        .find(|o| o.record.code.as_str() == name.trim() || o.record.name.folded() == wanted)
    {
        return Ok(o.record.clone());
    }
    let near: Vec<&Outlet> = outlets
        .iter()
        .map(|o| &o.record)
        .filter(|o| o.name.folded().contains(&wanted))
        .collect();
    match near.as_slice() {
        [one] => Ok((*one).clone()),
        [] => bail!("không có cơ quan báo chí nào tên «{name}»"),
        many => bail!(
            "«{name}» ứng với nhiều cơ quan báo chí: {}; hãy ghi đủ tên",
            many.iter().map(|o| o.name.as_str()).collect::<Vec<_>>().join("; ")
        ),
    }
}

async fn list(store: &SqlStore, json: bool) -> Result<()> {
    let sources = store
        .list::<Source>(&ListQuery {
            limit: Some(canhgiac_store::MAX_PAGE),
            ..ListQuery::default()
        })
        .await?;
    let ids: Vec<i64> = sources.iter().map(|s| s.id).collect();
    let health: std::collections::HashMap<i64, canhgiac_domain::SourceHealth> =
        store.source_health(&ids).await?.into_iter().collect();
    if json {
        let rows: Vec<serde_json::Value> = sources
            .iter()
            .map(|s| {
                serde_json::json!({
                    "id": s.id, "outlet": s.record.outlet, "kind": s.record.kind, "url": s.record.url,
                    "active": s.record.active, "health": health.get(&s.id),
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(());
    }
    if sources.is_empty() {
        println!("Chưa có nguồn tin nào. Thêm bằng: canhgiac source add --outlet TÊN --url ĐỊA-CHỈ");
    }
    for s in &sources {
        let h = health.get(&s.id);
        let status = match (s.record.active, h) {
            (false, _) => "Ngừng theo dõi".to_owned(),
            (true, Some(h)) => h.status(),
            (true, None) => "Chưa thu thập".to_owned(),
        };
        println!(
            "{:>4}  {}  [{}]  {}",
            s.id,
            s.record.url,
            s.record.kind.label_vn(),
            status
        );
        if let Some(h) = h {
            let when = |t: Option<Timestamp>| t.map_or_else(|| "—".to_owned(), Timestamp::vn_text);
            println!(
                "      lần thành công gần nhất: {}; lần tới: {}; mỗi {} phút; tin, bài mới lần gần nhất: {}, tổng: {}",
                when(h.last_success),
                h.next_due.vn_text(),
                h.interval_secs / 60,
                count(u64::from(h.last_new)),
                count(h.total_new)
            );
            if let Some(e) = &h.last_error {
                println!("      lỗi gần nhất ({}): {e}", when(h.last_error_at));
            }
        }
    }
    Ok(())
}

/// `canhgiac ingest --once`: every active source (or one) fetched now,
/// with a progress bar; a summary line at the end.
pub async fn ingest(cli: &Cli, store: &SqlStore, once: bool, only: Option<i64>) -> Result<()> {
    if !once {
        bail!("thu thập định kỳ chạy trong `canhgiac serve` hoặc `canhgiac worker`; chạy một lượt ngay bằng --once");
    }
    let collector = collector(cli, store)?;
    // The watch rules' mark is set before anything is collected, so what
    // this run brings is matched after it.
    canhgiac_ingest::watch::run(store).await?;
    // Every active source, due or not (a due time a century away).
    let all = store
        .sources_due(Timestamp::now().plus_hours(24 * 365 * 100), canhgiac_store::MAX_PAGE)
        .await?;
    let targets: Vec<(i64, Option<String>)> = match only {
        Some(id) => {
            let found: Vec<_> = all.into_iter().filter(|(i, _)| *i == id).collect();
            if found.is_empty() {
                bail!("không có nguồn tin số {id} đang theo dõi (xem: canhgiac source list)");
            }
            found
        }
        None => all,
    };
    let bar = indicatif::ProgressBar::new(targets.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} nguồn tin  {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let (mut new, mut failed) = (0u64, 0u64);
    for (id, owner) in targets {
        let c = owner
            .as_deref()
            .map_or_else(|| collector.clone(), |o| collector.scoped(o));
        let done = c.collect(id).await?;
        new += u64::from(done.new);
        if let Some(e) = &done.error {
            failed += 1;
            bar.println(format!("Nguồn tin số {id}: {e}"));
        }
        bar.set_message(format!("{} tin, bài mới", count(new)));
        bar.inc(1);
    }
    bar.finish_and_clear();
    println!(
        "Đã thu thập: {} tin, bài mới; {} nguồn tin lỗi (xem: canhgiac source list).",
        count(new),
        count(failed)
    );
    let watched = canhgiac_ingest::watch::run(store).await?;
    if !watched.hits.is_empty() {
        println!(
            "Khớp quy tắc theo dõi: {} tin, bài chờ xem xét (trang «Theo dõi từ khóa»){}.",
            count(watched.hits.len() as u64),
            if watched.webhooks > 0 {
                format!(
                    "; {} lượt gửi webhook chờ máy chủ gửi đi",
                    count(watched.webhooks as u64)
                )
            } else {
                String::new()
            }
        );
    }
    Ok(())
}
