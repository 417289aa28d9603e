//! One source, fetched and written: the pipeline of the collector.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use canhgiac_domain::{
    canonical_url, fold, Code, Dataset, Date, Failure, ItemSource, LexiconPhrase, MediaItem, Record, RecordKind,
    Source, SourceHealth, SourceKind, Text, Timestamp, Topic,
};
use canhgiac_store::{Actor, ListQuery, Records, Sources};
use sha2::{Digest, Sha256};

use crate::classify::Phrase;
use crate::fetch::{Fetched, Fetcher, Validators};
use crate::{feed, page, Entry, IngestError, Lexicon};

/// At most this many article pages are read per fetch of a source; the
/// rest keep the feed's text (a new source's first fetch can list 100).
pub const ARTICLES_PER_FETCH: usize = 30;

/// After this many article pages fail in one fetch, the rest keep the
/// feed's text without trying.
pub const ARTICLE_FAILURES: usize = 3;

/// What one fetch of a source did.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Collected {
    pub source_id: i64,
    /// Entries the source listed.
    pub read: u32,
    /// Items written.
    pub new: u32,
    /// Entries already stored (same link, or same title from the outlet
    /// within 7 days).
    pub known: u32,
    /// Entries refused (no usable link, invalid).
    pub skipped: u32,
    /// The server said, or the body's hash showed, nothing changed.
    pub not_modified: bool,
    /// Why the fetch failed, as recorded on the source.
    pub error: Option<String>,
}

/// Fetches sources and writes their new items.
#[derive(Clone)]
pub struct Collector<S> {
    store: S,
    fetcher: Fetcher,
    lexicon: Arc<Lexicon>,
}

impl<S> std::fmt::Debug for Collector<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Collector").field("lexicon", &self.lexicon).finish()
    }
}

impl<S: Records + Sources + Clone> Collector<S> {
    pub fn new(store: S, fetcher: Fetcher, lexicon: Arc<Lexicon>) -> Self {
        Collector {
            store,
            fetcher,
            lexicon,
        }
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    pub fn fetcher(&self) -> &Fetcher {
        &self.fetcher
    }

    /// The same collector writing as `agency` (a source's owner).
    pub fn scoped(&self, agency: &str) -> Self {
        Collector {
            store: self.store.scoped(agency),
            fetcher: self.fetcher.clone(),
            lexicon: self.lexicon.clone(),
        }
    }

    /// The lexicon this store's agency classifies with: its own active
    /// phrases when it has any, else the installation's.
    pub async fn lexicon(&self) -> Result<Arc<Lexicon>, IngestError> {
        let mut phrases = Vec::new();
        let mut before = None;
        loop {
            let page = self
                .store
                .list::<LexiconPhrase>(&ListQuery {
                    filters: vec![("active".into(), "true".into())],
                    before_id: before,
                    limit: Some(canhgiac_store::MAX_PAGE),
                    ..ListQuery::default()
                })
                .await?;
            let full = page.len() == canhgiac_store::MAX_PAGE as usize;
            before = page.last().map(|p| p.id);
            phrases.extend(page.into_iter().map(|p| Phrase {
                topic: p.record.topic,
                phrase: p.record.phrase,
                weight: p.record.weight.value(),
            }));
            if !full {
                break;
            }
        }
        if phrases.is_empty() {
            return Ok(self.lexicon.clone());
        }
        Ok(Arc::new(Lexicon::new(phrases)?))
    }

    /// Fetches source `id` once and writes what is new. A failed fetch is
    /// recorded on the source's health and returned in `error`; `Err` is
    /// for the store failing (or the source not existing).
    pub async fn collect(&self, id: i64) -> Result<Collected, IngestError> {
        let source = self
            .store
            .get::<Source>(id)
            .await?
            .ok_or(canhgiac_store::StoreError::NotFound {
                kind: RecordKind::Source,
                id,
            })?;
        let now = Timestamp::now();
        let mut health = self
            .store
            .source_health(&[id])
            .await?
            .into_iter()
            .next()
            .map_or_else(|| SourceHealth::new(now), |(_, h)| h);
        let mut done = Collected {
            source_id: id,
            ..Collected::default()
        };
        let validators = Validators {
            etag: health.etag.clone(),
            last_modified: health.last_modified.clone(),
        };
        let url = source.record.fetch_url();
        let fetched = self.fetcher.fetch(&url, &validators).await;
        let body = match fetched {
            Err(e) => {
                health.failed(now, e.failure, &e.message, e.retry_after);
                done.error = Some(e.message);
                self.store.put_source_health(id, &health).await?;
                return Ok(done);
            }
            Ok(Fetched::NotModified { max_age }) => {
                health.unchanged(now, max_age);
                done.not_modified = true;
                self.store.put_source_health(id, &health).await?;
                return Ok(done);
            }
            Ok(Fetched::Body(b)) => b,
        };
        let hash = hex::encode(Sha256::digest(&body.bytes));
        if health.body_hash.as_deref() == Some(hash.as_str()) {
            health.etag = body.validators.etag;
            health.last_modified = body.validators.last_modified;
            health.unchanged(now, body.max_age);
            done.not_modified = true;
            self.store.put_source_health(id, &health).await?;
            return Ok(done);
        }
        let read = crate::charset::decode(&body.bytes, body.content_type.as_deref()).and_then(|text| {
            match source.record.kind {
                SourceKind::Feed | SourceKind::YouTube => {
                    feed::parse(&text, &body.final_url).map(|p| (p.entries, p.ttl_minutes))
                }
                SourceKind::Page => {
                    let sel = page::Listing {
                        link: source.record.link_selector.as_ref().map_or("a", Text::as_str),
                        title: source.record.title_selector.as_ref().map(Text::as_str),
                        date: source.record.date_selector.as_ref().map(Text::as_str),
                    };
                    page::parse_listing(&text, &body.final_url, &sel).map(|e| (e, None))
                }
            }
        });
        let (entries, ttl) = match read {
            Ok(r) => r,
            Err(e) => {
                let message = e.to_string();
                tracing::info!(source = id, reason = %message, "source body refused");
                health.failed(now, Failure::Hard, &message, None);
                done.error = Some(message);
                self.store.put_source_health(id, &health).await?;
                return Ok(done);
            }
        };
        done.read = u32::try_from(entries.len()).unwrap_or(u32::MAX);
        let items = self.new_items(&source.record, entries, &mut done).await?;
        done.new = u32::try_from(items.len()).unwrap_or(u32::MAX);
        if !items.is_empty() {
            let actor = Actor::system(format!("thu thập: {}", source.record.url));
            let mut data = Dataset::default();
            *data.section_mut::<MediaItem>() = items;
            // Create only: an item stored meanwhile (another source of the
            // outlet listing the same link) is left as it is.
            self.store.import_new(&actor, &data).await?;
        }
        let hint = [ttl.map(|m| Duration::from_secs(u64::from(m) * 60)), body.max_age]
            .into_iter()
            .flatten()
            .max();
        health.etag = body.validators.etag;
        health.last_modified = body.validators.last_modified;
        health.body_hash = Some(hash);
        health.succeeded(now, done.read, done.new, hint);
        self.store.put_source_health(id, &health).await?;
        Ok(done)
    }

    /// The entries not yet stored, as media items: classified, with their
    /// article's text where it could be read.
    async fn new_items(
        &self,
        source: &Source,
        entries: Vec<Entry>,
        done: &mut Collected,
    ) -> Result<Vec<MediaItem>, IngestError> {
        let today = Timestamp::now().vn_date();
        let mut fresh: Vec<(Entry, String)> = Vec::new();
        let mut in_batch = HashSet::new();
        for e in entries {
            match canonical_url(&e.url) {
                Ok(u) if in_batch.insert(u.clone()) && !e.title.is_empty() => fresh.push((e, u)),
                _ => done.skipped += 1,
            }
        }
        // Same link (the natural key) already stored.
        let keys: Vec<String> = fresh.iter().map(|(_, u)| format!("{}|{u}", source.outlet)).collect();
        let stored = self.store.existing_keys(RecordKind::MediaItem, &keys).await?;
        // The same link from another outlet (syndicated, or the site of the
        // outlet's parent): one story, kept once.
        let urls: Vec<String> = fresh.iter().map(|(_, u)| u.clone()).collect();
        let linked = self.store.items_with_urls(&urls).await?;
        // Same title from the outlet within 7 days.
        let days: Vec<Date> = fresh
            .iter()
            .map(|(e, _)| e.published.map_or(today, Timestamp::vn_date))
            .collect();
        let asked: Vec<String> = fresh.iter().map(|(e, _)| fold(&e.title)).collect();
        let titles = match (days.iter().min(), days.iter().max()) {
            (Some(lo), Some(hi)) => {
                self.recent_titles(source, &asked, lo.plus_days(-7), hi.plus_days(7))
                    .await?
            }
            _ => HashMap::new(),
        };
        let known_topics: HashSet<String> = self
            .store
            .list::<Topic>(&ListQuery {
                limit: Some(500),
                ..ListQuery::default()
            })
            .await?
            .into_iter()
            .map(|t| t.key)
            .collect();
        let is_known = |c: &Code| known_topics.contains(c.as_str());
        let lexicon = self.lexicon().await?;
        let mut items = Vec::new();
        let (mut articles, mut article_failures) = (0, 0);
        for ((mut e, url), day) in fresh.into_iter().zip(days) {
            let near_title = titles
                .get(&fold(&e.title))
                .is_some_and(|seen| seen.iter().any(|d| (d.naive() - day.naive()).num_days().abs() <= 7));
            if stored.contains(&format!("{}|{url}", source.outlet)) || linked.contains(&url) || near_title {
                done.known += 1;
                continue;
            }
            let mut note = None;
            // A site whose article pages keep failing is not waited on for
            // every entry: after a few failures the feed's text stands.
            if source.fetch_articles && articles < ARTICLES_PER_FETCH && article_failures < ARTICLE_FAILURES {
                articles += 1;
                match self.article(&e.url).await {
                    Ok(a) => {
                        if e.body
                            .as_deref()
                            .is_none_or(|b| a.text.as_ref().is_some_and(|t| t.len() > b.len()))
                        {
                            e.body = a.text.or(e.body);
                        }
                        e.author = e.author.or(a.author);
                        e.published = e.published.or(a.published);
                    }
                    Err(why) => {
                        article_failures += 1;
                        note = Some(format!(
                            "Không lấy được nội dung bài ({why}); giữ nội dung của nguồn tin"
                        ));
                    }
                }
            }
            match to_item(source, e, &url, today, note, &lexicon, &is_known) {
                Some(item) => items.push(item),
                None => done.skipped += 1,
            }
        }
        Ok(items)
    }

    async fn recent_titles(
        &self,
        source: &Source,
        asked: &[String],
        from: Date,
        to: Date,
    ) -> Result<HashMap<String, Vec<Date>>, IngestError> {
        let mut titles: HashMap<String, Vec<Date>> = HashMap::new();
        for (title, day) in self.store.item_titles(source.outlet.as_str(), asked, from, to).await? {
            titles.entry(fold(&title)).or_default().push(day);
        }
        Ok(titles)
    }

    async fn article(&self, url: &str) -> Result<page::Article, String> {
        match self.fetcher.fetch(url, &Validators::default()).await {
            Ok(Fetched::Body(b)) => {
                let text = crate::charset::decode(&b.bytes, b.content_type.as_deref()).map_err(|e| e.to_string())?;
                Ok(page::extract_article(&text))
            }
            Ok(Fetched::NotModified { .. }) => Err("máy chủ không gửi nội dung".into()),
            Err(e) => Err(e.message),
        }
    }
}

/// An entry as a media item of `source`'s outlet, or `None` when it would
/// not be valid (it is counted as skipped and logged).
fn to_item(
    source: &Source,
    e: Entry,
    url: &str,
    today: Date,
    fetch_note: Option<String>,
    lexicon: &Lexicon,
    known: &dyn Fn(&Code) -> bool,
) -> Option<MediaItem> {
    let text_of = |s: Option<String>, max: usize| -> Option<Text> {
        s.map(|s| s.chars().take(max).collect::<String>())
            .and_then(|s| Text::parse(&s).ok())
    };
    let mut words = e.summary.clone().unwrap_or_default();
    if let Some(b) = &e.body {
        words.push('\n');
        words.push_str(b);
    }
    let classification = lexicon.classify(&e.title, &words, known);
    let item = MediaItem {
        outlet: source.outlet.clone(),
        programme: None,
        kind: source.item_kind,
        title: Text::parse(&e.title.chars().take(1000).collect::<String>()).ok()?,
        url: Some(Text::parse(url).ok()?),
        published_on: e.published.map_or(today, Timestamp::vn_date),
        published_at: e.published,
        topics: classification.topics.clone(),
        featured: false,
        summary: text_of(e.summary, 5_000),
        body: text_of(e.body, 200_000),
        duplicate_of: None,
        source: ItemSource::Feed,
        author: text_of(e.author, 200),
        fetch_note: text_of(fetch_note, 1_000),
        classification: Some(classification),
    };
    match item.validate() {
        Ok(()) => Some(item),
        Err(why) => {
            tracing::info!(url, reason = %why, "collected entry refused");
            None
        }
    }
}
