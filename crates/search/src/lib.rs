//! Full-text search over media items, one behaviour on both shapes.
//!
//! - Embedded default (SQLite): a tantivy index in the data folder
//!   (`index/items`). It follows the audit log: each sync reads the media
//!   items created, changed, deleted or restored since the audit entry it
//!   last saw (kept in the index's commit payload) and replaces their
//!   documents. It is a cache: deleting it loses nothing, the next sync
//!   rebuilds it, and `canhgiac index rebuild` does so at once.
//! - Many nodes (PostgreSQL): the database searches itself (a generated
//!   `tsvector` with a GIN index, `canhgiac_store::fulltext`); every node
//!   answers the same and nothing is synced.
//!
//! Both index the same words: the folded syllables of title, summary and
//! body ([`canhgiac_domain::text::folded_words`]) and the exact tokens of
//! the words written with diacritics ([`canhgiac_domain::query::exact_token`]),
//! so `ma tuy` finds `ma túy`, `hòa` finds `hoà`, and an exact spelling
//! ranks first. Queries are [`canhgiac_domain::query::Query`]: words,
//! `"phrases"`, `AND`/`OR`/`NOT`, parentheses; filters by outlet, topic and
//! days. The conformance suite (`tests/search.rs`) runs one set of cases on
//! both.
//!
//! Invariants:
//! - the index holds nothing the store does not: every document is rebuilt
//!   from a stored record;
//! - an agency's search sees its own items only (the owner is a filter of
//!   every query on tantivy, row-level security on PostgreSQL);
//! - a query is parsed before it reaches an engine, and the engines receive
//!   terms, never query text.

use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use canhgiac_domain::query::{exact_tokens, snippet, Query, Segment};
use canhgiac_domain::text::folded_words;
use canhgiac_domain::MediaItem;
use canhgiac_store::fulltext::COUNT_CAP;
use canhgiac_store::{FullText, IndexDoc, Records, StoreError, Stored, TextHits, TextSearch};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, BoostQuery, Occur, PhraseQuery, Query as TQuery, RangeQuery, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, Value as _, FAST, INDEXED,
    STORED, STRING,
};
use tantivy::{doc, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

/// The index's layout; a different number in an index on disk means it is
/// rebuilt.
pub const INDEX_SCHEMA: u32 = 1;

/// Changes read from the audit log per step of a sync.
const SYNC_BATCH: u32 = 5_000;

/// Why a search failed (Vietnamese: it reaches the user).
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("Chỉ mục tìm kiếm: {0}")]
    Index(String),
    #[error("Chỉ mục tìm kiếm đang được một tiến trình khác cập nhật; hãy thử lại sau ít phút")]
    Busy,
}

impl From<tantivy::TantivyError> for SearchError {
    fn from(e: tantivy::TantivyError) -> Self {
        match e {
            tantivy::TantivyError::LockFailure(..) => SearchError::Busy,
            other => SearchError::Index(other.to_string()),
        }
    }
}

pub type Result<T, E = SearchError> = std::result::Result<T, E>;

/// Full-text search, on whichever engine the store is.
#[derive(Clone)]
pub struct Search {
    index: Option<Arc<Tantivy>>,
}

impl std::fmt::Debug for Search {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Search")
            .field("engine", &if self.index.is_some() { "tantivy" } else { "database" })
            .finish()
    }
}

impl Search {
    /// The database searches itself (PostgreSQL).
    pub fn in_database() -> Search {
        Search { index: None }
    }

    /// Opens (or creates) the index in `data_dir/index/items` for a store
    /// that does not search itself; for one that does, no index at all.
    pub fn open<S: FullText>(store: &S, data_dir: &Path) -> Result<Search> {
        if store.searches_itself() {
            return Ok(Search::in_database());
        }
        Ok(Search {
            index: Some(Arc::new(Tantivy::open(Some(&data_dir.join("index").join("items")))?)),
        })
    }

    /// For a store without a data folder (tests, a server built in
    /// memory): the index in memory, built from the store at the first
    /// search; none on a store that searches itself.
    pub fn in_memory<S: FullText>(store: &S) -> Result<Search> {
        if store.searches_itself() {
            return Ok(Search::in_database());
        }
        Ok(Search {
            index: Some(Arc::new(Tantivy::open(None)?)),
        })
    }

    /// An index in `dir` (emptied first) filled with `docs` without a
    /// store: what the search benchmark measures. Committed once.
    pub fn load(dir: &Path, docs: impl Iterator<Item = IndexDoc>) -> Result<Search> {
        if dir.exists() {
            std::fs::remove_dir_all(dir).map_err(|e| SearchError::Index(format!("{}: {e}", dir.display())))?;
        }
        let ix = Tantivy::open(Some(dir))?;
        let mut w = ix.index.writer_with_num_threads(2, 400_000_000)?;
        for d in docs {
            w.add_document(ix.document(&d))?;
        }
        ix.commit(&mut w, 0)?;
        w.wait_merging_threads()?;
        ix.reader.reload()?;
        Ok(Search {
            index: Some(Arc::new(ix)),
        })
    }

    /// Searches what is indexed now, without syncing first (benchmarks;
    /// an index without a store). `None` on PostgreSQL.
    pub fn search_indexed(&self, scope: Option<&str>, q: &TextSearch) -> Option<Result<TextHits>> {
        self.index.as_ref().map(|ix| ix.search(scope, q))
    }

    /// Whether an index outside the database is kept (`tantivy`) or the
    /// database searches itself (`database`).
    pub fn engine(&self) -> &'static str {
        if self.index.is_some() {
            "tantivy"
        } else {
            "database"
        }
    }

    /// Brings the index up to the store's latest change; how many items'
    /// documents were replaced. Nothing to do on PostgreSQL.
    pub async fn sync<S: FullText>(&self, store: &S) -> Result<usize> {
        match &self.index {
            Some(ix) => ix.sync(store).await,
            None => Ok(0),
        }
    }

    /// Rebuilds the index from the store; how many items it holds. On
    /// PostgreSQL, recomputes every item's search text instead.
    pub async fn rebuild<S: FullText>(&self, store: &S) -> Result<usize> {
        match &self.index {
            Some(ix) => ix.rebuild(store).await,
            None => Ok(usize::try_from(store.refresh_search_text().await?).unwrap_or(usize::MAX)),
        }
    }

    /// The items matching, best first, among those `store` (scoped to an
    /// agency, or the whole installation) sees. Syncs first, so what was
    /// just written is found.
    pub async fn search<S: FullText + Records>(&self, store: &S, q: &TextSearch) -> Result<TextHits> {
        match &self.index {
            Some(ix) => {
                if let Err(e) = ix.sync(store).await {
                    // Another process holds the writer (a server beside a
                    // command): search what is indexed.
                    tracing::warn!(error = %e, "search index not synced before searching");
                }
                ix.search(store.scope(), q)
            }
            None => Ok(store.text_search(q).await?),
        }
    }

    /// A page of hits as items with their snippets, in the hits' order
    /// (items deleted since the index saw them are left out).
    pub async fn found<S: FullText + Records>(&self, store: &S, q: &TextSearch) -> Result<Found> {
        let hits = self.search(store, q).await?;
        let ids: Vec<i64> = hits.hits.iter().map(|(id, _)| *id).collect();
        let items = store.get_many::<MediaItem>(&ids).await?;
        let mut by_id: std::collections::HashMap<i64, Stored<MediaItem>> =
            items.into_iter().map(|s| (s.id, s)).collect();
        let mut out = Vec::with_capacity(ids.len());
        for (id, score) in hits.hits {
            if let Some(s) = by_id.remove(&id) {
                out.push(hit_of(s, score, &q.query));
            }
        }
        Ok(Found {
            total: hits.total,
            more_than: hits.total > u64::from(COUNT_CAP),
            hits: out,
        })
    }
}

/// One found item: the item, its title and a snippet of its text with the
/// matching words marked, and its score.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Hit {
    pub item: Stored<MediaItem>,
    pub title: Vec<Segment>,
    pub snippet: Vec<Segment>,
    pub score: f32,
}

/// A page of found items and how many match in all.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Found {
    pub total: u64,
    /// More than [`COUNT_CAP`] match (the total is a floor).
    pub more_than: bool,
    pub hits: Vec<Hit>,
}

fn hit_of(s: Stored<MediaItem>, score: f32, q: &Query) -> Hit {
    let title = snippet(s.record.title.as_str(), q, 1000);
    let text = [s.record.summary.as_ref(), s.record.body.as_ref()]
        .into_iter()
        .flatten()
        .map(canhgiac_domain::Text::as_str)
        .collect::<Vec<_>>()
        .join(" ");
    let snippet = snippet(&text, q, 240);
    Hit {
        item: s,
        title,
        snippet,
        score,
    }
}

/// Folded words and exact tokens of an item, as both engines index them.
pub fn item_text(item: &MediaItem) -> [String; 3] {
    let mut all = item.title.as_str().to_owned();
    for t in [item.summary.as_ref(), item.body.as_ref()].into_iter().flatten() {
        all.push(' ');
        all.push_str(t.as_str());
    }
    let body: String = [item.summary.as_ref(), item.body.as_ref()]
        .into_iter()
        .flatten()
        .map(|t| folded_words(t.as_str()))
        .collect::<Vec<_>>()
        .join(" ");
    [folded_words(item.title.as_str()), body, exact_tokens(&all)]
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    owner: Field,
    outlet: Field,
    topic: Field,
    kind: Field,
    featured: Field,
    day: Field,
    text: Field,
    exact: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let id = b.add_i64_field("id", NumericOptions::default() | INDEXED | STORED | FAST);
    let owner = b.add_text_field("owner", STRING);
    let outlet = b.add_text_field("outlet", STRING);
    let topic = b.add_text_field("topic", STRING);
    let kind = b.add_text_field("kind", STRING);
    let featured = b.add_text_field("featured", STRING);
    let day = b.add_i64_field("day", INDEXED | FAST);
    let words = |opt| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("whitespace")
                .set_index_option(opt),
        )
    };
    let text = b.add_text_field("text", words(IndexRecordOption::WithFreqsAndPositions));
    let exact = b.add_text_field("exact", words(IndexRecordOption::WithFreqs));
    (
        b.build(),
        Fields {
            id,
            owner,
            outlet,
            topic,
            kind,
            featured,
            day,
            text,
            exact,
        },
    )
}

/// `2024-07-01` → 20240701.
fn day_number(d: canhgiac_domain::Date) -> i64 {
    d.iso().replace('-', "").parse().unwrap_or(0)
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Payload {
    schema: u32,
    seq: i64,
}

struct Tantivy {
    dir: PathBuf,
    index: Index,
    reader: IndexReader,
    f: Fields,
    /// The writer (held once taken: one per index, by lock file) and the
    /// audit sequence the index has seen; `None` seq: never built.
    state: tokio::sync::Mutex<WriterState>,
}

struct WriterState {
    writer: Option<IndexWriter>,
    seq: Option<i64>,
}

impl Tantivy {
    fn open(dir: Option<&Path>) -> Result<Tantivy> {
        let Some(dir) = dir else {
            let (schema, f) = schema();
            return Tantivy::with(PathBuf::from("(bộ nhớ)"), Index::create_in_ram(schema), f, None);
        };
        std::fs::create_dir_all(dir).map_err(|e| SearchError::Index(format!("{}: {e}", dir.display())))?;
        let (schema, f) = schema();
        let existing = dir.join("meta.json").exists();
        let (index, seq) = match existing.then(|| Index::open_in_dir(dir)) {
            Some(Ok(index)) => {
                let payload: Option<Payload> = index
                    .load_metas()
                    .ok()
                    .and_then(|m| m.payload)
                    .and_then(|p| serde_json::from_str(&p).ok());
                match payload {
                    Some(p) if p.schema == INDEX_SCHEMA && index.schema() == schema => (index, Some(p.seq)),
                    _ => {
                        tracing::warn!(dir = %dir.display(), "search index of another layout: rebuilt");
                        (Tantivy::recreate(dir, schema)?, None)
                    }
                }
            }
            Some(Err(e)) => {
                tracing::warn!(dir = %dir.display(), error = %e, "search index unreadable: rebuilt");
                (Tantivy::recreate(dir, schema)?, None)
            }
            None => (Index::create_in_dir(dir, schema)?, None),
        };
        Tantivy::with(dir.to_owned(), index, f, seq)
    }

    /// The index with its reader; `seq`: the audit sequence it has seen
    /// (`None`: never built).
    fn with(dir: PathBuf, index: Index, f: Fields, seq: Option<i64>) -> Result<Tantivy> {
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(Tantivy {
            dir,
            index,
            reader,
            f,
            state: tokio::sync::Mutex::new(WriterState { writer: None, seq }),
        })
    }

    fn recreate(dir: &Path, schema: Schema) -> Result<Index> {
        std::fs::remove_dir_all(dir).map_err(|e| SearchError::Index(format!("{}: {e}", dir.display())))?;
        std::fs::create_dir_all(dir).map_err(|e| SearchError::Index(format!("{}: {e}", dir.display())))?;
        Ok(Index::create_in_dir(dir, schema)?)
    }

    fn writer<'a>(&self, st: &'a mut WriterState) -> Result<&'a mut IndexWriter> {
        if st.writer.is_none() {
            st.writer = Some(self.index.writer_with_num_threads(1, 50_000_000)?);
        }
        st.writer
            .as_mut()
            .ok_or_else(|| SearchError::Index(format!("{}: no writer", self.dir.display())))
    }

    fn document(&self, d: &IndexDoc) -> TantivyDocument {
        let [title, body, exact] = item_text(&d.item);
        let mut doc = doc!(
            self.f.id => d.id,
            self.f.owner => d.owner.clone().unwrap_or_default(),
            self.f.outlet => d.item.outlet.as_str(),
            self.f.kind => d.item.kind.code(),
            self.f.featured => if d.item.featured { "1" } else { "0" },
            self.f.day => day_number(d.item.published_on),
            self.f.text => title,
            self.f.text => body,
            self.f.exact => exact,
        );
        for t in &d.item.topics {
            doc.add_text(self.f.topic, t.as_str());
        }
        doc
    }

    fn commit(&self, writer: &mut IndexWriter, seq: i64) -> Result<()> {
        let mut c = writer.prepare_commit()?;
        let payload = serde_json::to_string(&Payload {
            schema: INDEX_SCHEMA,
            seq,
        })
        .map_err(|e| SearchError::Index(e.to_string()))?;
        c.set_payload(&payload);
        c.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    async fn sync<S: FullText>(&self, store: &S) -> Result<usize> {
        let mut st = self.state.lock().await;
        let Some(mut seq) = st.seq else {
            drop(st);
            return self.rebuild(store).await;
        };
        let mut replaced = 0;
        loop {
            let canhgiac_store::Changes {
                ids,
                next,
                owners_changed,
            } = store.item_changes(seq, SYNC_BATCH).await?;
            if next < seq || (owners_changed && self.holds_ownerless()?) {
                // The store is older than the index (restored from a
                // backup), or its first agency took over the records made
                // before it: start again from the store.
                drop(st);
                return self.rebuild(store).await;
            }
            if ids.is_empty() {
                // Other kinds changed: nothing to write, and the next sync
                // starts further on (a replay would be harmless anyway).
                st.seq = Some(next);
                return Ok(replaced);
            }
            let docs = store.index_docs(&ids).await?;
            let w = self.writer(&mut st)?;
            for id in &ids {
                w.delete_term(Term::from_field_i64(self.f.id, *id));
            }
            for d in &docs {
                w.add_document(self.document(d))?;
            }
            self.commit(w, next)?;
            replaced += ids.len();
            seq = next;
            st.seq = Some(next);
        }
    }

    /// Whether any document has no owner (made before the first agency).
    fn holds_ownerless(&self) -> Result<bool> {
        let q = TermQuery::new(Term::from_field_text(self.f.owner, ""), IndexRecordOption::Basic);
        Ok(self.reader.searcher().search(&q, &Count)? > 0)
    }

    async fn rebuild<S: FullText>(&self, store: &S) -> Result<usize> {
        let mut st = self.state.lock().await;
        // The audit log's head now: changes after it are replayed by the
        // next sync (replacing a document twice is harmless).
        let head = store.item_changes(i64::MAX, 1).await?.next;
        let w = self.writer(&mut st)?;
        w.delete_all_documents()?;
        let mut after = 0;
        let mut n = 0usize;
        loop {
            let batch = store.index_docs_after(after, 2_000).await?;
            let Some(last) = batch.last() else { break };
            after = last.id;
            for d in &batch {
                w.add_document(self.document(d))?;
            }
            n += batch.len();
        }
        self.commit(w, head)?;
        st.seq = Some(head);
        Ok(n)
    }

    fn search(&self, scope: Option<&str>, q: &TextSearch) -> Result<TextHits> {
        let f = self.f;
        let mut must: Vec<(Occur, Box<dyn TQuery>)> = vec![(Occur::Must, self.query(&q.query))];
        if let Some(agency) = scope {
            must.push((Occur::Must, term(f.owner, agency)));
        }
        if let Some(o) = &q.outlet {
            must.push((Occur::Must, term(f.outlet, o)));
        }
        if let Some(t) = &q.topic {
            must.push((Occur::Must, term(f.topic, t)));
        }
        if let Some(k) = &q.kind {
            must.push((Occur::Must, term(f.kind, k)));
        }
        if q.featured {
            must.push((Occur::Must, term(f.featured, "1")));
        }
        if q.from.is_some() || q.to.is_some() {
            let bound = |d: Option<canhgiac_domain::Date>| {
                d.map_or(Bound::Unbounded, |d| {
                    Bound::Included(Term::from_field_i64(f.day, day_number(d)))
                })
            };
            must.push((Occur::Must, Box::new(RangeQuery::new(bound(q.from), bound(q.to)))));
        }
        // Exact spellings rank first: each adds to the score, none is needed.
        let mut exact: Vec<&str> = q
            .query
            .positive()
            .into_iter()
            .flatten()
            .filter_map(|t| t.exact.as_deref())
            .collect();
        exact.sort_unstable();
        exact.dedup();
        for e in exact {
            must.push((
                Occur::Should,
                Box::new(BoostQuery::new(
                    Box::new(TermQuery::new(
                        Term::from_field_text(f.exact, e),
                        IndexRecordOption::WithFreqs,
                    )),
                    10.0,
                )),
            ));
        }
        let query = BooleanQuery::new(must);
        let searcher = self.reader.searcher();
        let limit = usize::try_from(q.limit.clamp(1, canhgiac_store::MAX_PAGE)).unwrap_or(50);
        let offset = usize::try_from(q.offset.min(canhgiac_store::MAX_OFFSET)).unwrap_or(0);
        let top = TopDocs::with_limit(limit).and_offset(offset);
        let (total, top): (usize, Vec<(f32, tantivy::DocAddress)>) = match q.by_date {
            None => searcher.search(&query, &(Count, top.order_by_score()))?,
            Some(newest) => {
                let order = if newest {
                    tantivy::Order::Desc
                } else {
                    tantivy::Order::Asc
                };
                let (n, docs) = searcher.search(&query, &(Count, top.order_by_fast_field::<i64>("day", order)))?;
                #[allow(clippy::cast_precision_loss)]
                let docs = docs
                    .into_iter()
                    .map(|(d, a)| (d.unwrap_or_default() as f32, a))
                    .collect();
                (n, docs)
            }
        };
        let mut hits = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let doc: TantivyDocument = searcher.doc(addr)?;
            if let Some(id) = doc.get_first(f.id).and_then(|v| v.as_i64()) {
                hits.push((id, score));
            }
        }
        Ok(TextHits {
            total: u64::try_from(total).unwrap_or(0),
            hits,
        })
    }

    fn query(&self, q: &Query) -> Box<dyn TQuery> {
        let f = self.f;
        match q {
            Query::Word(t) => Box::new(TermQuery::new(
                Term::from_field_text(f.text, &t.folded),
                IndexRecordOption::WithFreqs,
            )),
            Query::Phrase(ts) => Box::new(PhraseQuery::new(
                ts.iter().map(|t| Term::from_field_text(f.text, &t.folded)).collect(),
            )),
            Query::And(qs) => {
                let parts = qs
                    .iter()
                    .map(|q| match q {
                        Query::Not(inner) => (Occur::MustNot, self.query(inner)),
                        q => (Occur::Must, self.query(q)),
                    })
                    .collect();
                Box::new(BooleanQuery::new(parts))
            }
            Query::Or(qs) => Box::new(BooleanQuery::new(
                qs.iter().map(|q| (Occur::Should, self.query(q))).collect(),
            )),
            // Alone (under an OR): everything but what it names.
            Query::Not(inner) => Box::new(BooleanQuery::new(vec![
                (Occur::Must, Box::new(AllQuery)),
                (Occur::MustNot, self.query(inner)),
            ])),
        }
    }
}

fn term(field: Field, value: &str) -> Box<dyn TQuery> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}
