//! `canhgiac search` and `canhgiac index rebuild`: full-text search over
//! media items from the command line, and the index rebuilt from the store.

use std::collections::HashMap;
use std::io::Write;

use anyhow::{anyhow, Context, Result};
use canhgiac_domain::query::{Query, Segment};
use canhgiac_domain::{numbers::count, Date, Outlet};
use canhgiac_search::{Found, Search};
use canhgiac_store::prelude::*;
use canhgiac_store::{SqlStore, TextSearch};

use crate::{Cli, IndexAction};

/// The search of this installation: tantivy in the data folder on SQLite,
/// the database itself on PostgreSQL.
pub fn open(cli: &Cli, store: &SqlStore) -> Result<Search> {
    Search::open(store, &cli.data).context("không mở được chỉ mục tìm kiếm")
}

/// How often the server brings its index up to the store's changes (a
/// search does so too, first thing).
const FOLLOW_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

/// Keeps the index of a server up to date until `stop`: what the collector
/// and other nodes' imports wrote is indexed within [`FOLLOW_EVERY`].
pub async fn follow(search: Search, store: SqlStore, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        match search.sync(&store).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(items = n, "search index updated"),
            Err(e) => tracing::warn!(error = %e, "search index not updated"),
        }
        tokio::select! {
            _ = tokio::time::sleep(FOLLOW_EVERY) => {}
            _ = stop.changed() => return,
        }
    }
}

/// What `canhgiac search` was asked.
pub struct Ask<'a> {
    pub query: &'a str,
    pub outlet: Option<&'a str>,
    pub topic: Option<&'a str>,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    pub limit: u32,
    pub json: bool,
}

/// `canhgiac search …`.
pub async fn command(cli: &Cli, store: &SqlStore) -> Result<()> {
    let crate::Command::Search {
        query,
        outlet,
        topic,
        from,
        to,
        limit,
        json,
    } = &cli.command
    else {
        return Ok(());
    };
    let ask = Ask {
        query,
        outlet: outlet.as_deref(),
        topic: topic.as_deref(),
        from: from.as_deref(),
        to: to.as_deref(),
        limit: *limit,
        json: *json,
    };
    search(cli, store, &ask).await
}

pub async fn search(cli: &Cli, store: &SqlStore, ask: &Ask<'_>) -> Result<()> {
    let query = Query::parse(&canhgiac_domain::nfc(ask.query)).map_err(|e| anyhow!("{e}"))?;
    let day = |s: Option<&str>, what: &str| -> Result<Option<Date>> {
        s.map(|s| Date::parse(s).map_err(|e| anyhow!("{what}: {e}")))
            .transpose()
    };
    let q = TextSearch {
        outlet: ask.outlet.map(str::to_owned),
        topic: ask.topic.map(str::to_owned),
        from: day(ask.from, "--from")?,
        to: day(ask.to, "--to")?,
        limit: ask.limit.clamp(1, 1000),
        ..TextSearch::of(query)
    };
    let found = open(cli, store)?.found(store, &q).await?;
    let names = outlet_names(store).await?;
    let topics: HashMap<String, String> = store
        .list::<canhgiac_domain::Topic>(&canhgiac_store::ListQuery {
            limit: Some(canhgiac_store::MAX_PAGE),
            ..Default::default()
        })
        .await?
        .into_iter()
        .map(|t| (t.record.code.as_str().to_owned(), t.record.name.as_str().to_owned()))
        .collect();
    let mut out = std::io::stdout().lock();
    if ask.json {
        serde_json::to_writer_pretty(&mut out, &json(&found, &names))?;
        writeln!(out)?;
        return Ok(());
    }
    for (n, h) in found.hits.iter().enumerate() {
        let r = &h.item.record;
        let outlet = names.get(r.outlet.as_str()).map_or(r.outlet.as_str(), String::as_str);
        writeln!(out, "{}. {} — {} — {}", n + 1, r.published_on, outlet, marked(&h.title))?;
        if let Some(u) = &r.url {
            writeln!(out, "   {}", u.as_str())?;
        }
        if !r.topics.is_empty() {
            let t: Vec<&str> = r
                .topics
                .iter()
                .map(|t| topics.get(t.as_str()).map_or(t.as_str(), String::as_str))
                .collect();
            writeln!(out, "   Chủ đề: {}", t.join("; "))?;
        }
        let s = marked(&h.snippet);
        if !s.trim().is_empty() {
            writeln!(out, "   {s}")?;
        }
    }
    let total = if found.more_than {
        format!("hơn {}", count(found.total - 1))
    } else {
        count(found.total)
    };
    writeln!(
        out,
        "Tìm thấy {total} tin, bài{}.",
        if found.hits.len() as u64 == found.total {
            String::new()
        } else {
            format!(" (hiện {})", count(found.hits.len() as u64))
        }
    )?;
    Ok(())
}

/// Marked words between `[` and `]`.
fn marked(segments: &[Segment]) -> String {
    segments
        .iter()
        .map(|s| if s.hit { format!("[{}]", s.text) } else { s.text.clone() })
        .collect()
}

async fn outlet_names(store: &SqlStore) -> Result<HashMap<String, String>> {
    let outlets = store
        .list::<Outlet>(&canhgiac_store::ListQuery {
            limit: Some(canhgiac_store::MAX_PAGE),
            ..Default::default()
        })
        .await?;
    Ok(outlets
        .into_iter()
        .map(|o| (o.record.code.as_str().to_owned(), o.record.name.as_str().to_owned()))
        .collect())
}

fn json(found: &Found, names: &HashMap<String, String>) -> serde_json::Value {
    let hits: Vec<serde_json::Value> = found
        .hits
        .iter()
        .map(|h| {
            let r = &h.item.record;
            serde_json::json!({
                "id": h.item.id,
                "title": r.title.as_str(),
                "url": r.url.as_ref().map(|u| u.as_str()),
                "outlet": r.outlet.as_str(),
                "outlet_name": names.get(r.outlet.as_str()),
                "published_on": r.published_on.iso(),
                "topics": r.topics,
                "snippet": h.snippet,
                "title_marked": h.title,
                "score": h.score,
            })
        })
        .collect();
    serde_json::json!({ "total": found.total, "more_than": found.more_than, "hits": hits })
}

pub async fn index(cli: &Cli, store: &SqlStore, action: &IndexAction) -> Result<()> {
    match action {
        IndexAction::Rebuild => {
            let search = open(cli, store)?;
            let started = std::time::Instant::now();
            let n = search.rebuild(store).await?;
            match search.engine() {
                "tantivy" => println!(
                    "Đã dựng lại chỉ mục tìm kiếm: {} tin, bài ({} giây).",
                    count(n as u64),
                    canhgiac_domain::numbers::decimal(started.elapsed().as_secs_f64())
                ),
                _ => println!(
                    "PostgreSQL tự tìm kiếm; đã tính lại nội dung tìm kiếm của {} tin, bài.",
                    count(n as u64)
                ),
            }
            Ok(())
        }
    }
}
