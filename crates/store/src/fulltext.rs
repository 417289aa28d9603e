//! Full-text search over media items, as the store sees it.
//!
//! Every item row keeps its search text (`search`): the folded words of its
//! title, summary and body, then the exact tokens of the words written with
//! diacritics ([`canhgiac_domain::query::exact_tokens`]). On PostgreSQL a
//! generated `tsvector` of that text, with a GIN index (migration 20), is
//! the search itself: every node answers the same and nothing needs
//! syncing. On SQLite an index outside the database (tantivy, in the
//! `canhgiac-search` crate) follows the audit log ([`FullText::item_changes`]).

use canhgiac_domain::query::{exact_tokens, Query};
use canhgiac_domain::text::folded_words;
use canhgiac_domain::{Date, MediaItem, Record, RecordKind};

use crate::db::{single_int, Engine, Ty, Value};
use crate::sql_store::{decode, list_where, row_types, select_list};
use crate::{ListQuery, Result, SqlStore, StoreError};

/// A full-text search: the query, filters and page.
#[derive(Clone, Debug)]
pub struct TextSearch {
    pub query: Query,
    pub outlet: Option<String>,
    pub topic: Option<String>,
    pub from: Option<Date>,
    pub to: Option<Date>,
    /// The item kind's code (`article`).
    pub kind: Option<String>,
    /// Featured items only.
    pub featured: bool,
    /// By day (newest first when `true`) instead of by relevance.
    pub by_date: Option<bool>,
    pub offset: u32,
    pub limit: u32,
}

impl TextSearch {
    /// The first page of the best matches of `query`, no filter.
    pub fn of(query: Query) -> TextSearch {
        TextSearch {
            query,
            outlet: None,
            topic: None,
            from: None,
            to: None,
            kind: None,
            featured: false,
            by_date: None,
            offset: 0,
            limit: 20,
        }
    }
}

/// A page of hits, best first: item ids with their scores, and how many
/// items match in all (counted up to [`COUNT_CAP`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TextHits {
    pub total: u64,
    pub hits: Vec<(i64, f32)>,
}

/// Matches are counted up to this many; more shows as «hơn 10.000».
pub const COUNT_CAP: u32 = 10_000;

/// What changed in the audit log after a sequence number, for an index
/// that follows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// The media items created, changed, deleted or restored.
    pub ids: Vec<i64>,
    /// The sequence number to continue from.
    pub next: i64,
    /// The first agency was created in that span: records made before it,
    /// items included, became its own without an entry of their own, so an
    /// index that keeps owners must be rebuilt.
    pub owners_changed: bool,
}

/// A media item with its owner, as an external index keeps it.
#[derive(Clone, Debug)]
pub struct IndexDoc {
    pub id: i64,
    pub owner: Option<String>,
    pub item: MediaItem,
}

/// The search text kept in the row of a full-text kind.
pub(crate) fn search_text_of(parts: &str) -> String {
    let folded = folded_words(parts);
    let exact = exact_tokens(parts);
    let mut s = folded.trim().to_owned();
    if !exact.is_empty() {
        s.push(' ');
        s.push_str(&exact);
    }
    s
}

/// The PostgreSQL `tsquery` text of a query over the folded words (and of
/// its exact tokens, for ranking). Words are letters and digits only
/// ([`folded_words`]); quotes are doubled all the same.
pub(crate) fn tsquery(q: &Query) -> String {
    match q {
        Query::Word(t) => lexeme(&t.folded),
        Query::Phrase(ts) => {
            let parts: Vec<String> = ts.iter().map(|t| lexeme(&t.folded)).collect();
            format!("({})", parts.join(" <-> "))
        }
        Query::And(qs) => format!("({})", qs.iter().map(tsquery).collect::<Vec<_>>().join(" & ")),
        Query::Or(qs) => format!("({})", qs.iter().map(tsquery).collect::<Vec<_>>().join(" | ")),
        Query::Not(q) => format!("!{}", tsquery(q)),
    }
}

/// A `tsquery` lexeme, quoted.
fn lexeme(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''").replace('\\', "\\\\"))
}

fn exact_tsquery(q: &Query) -> String {
    let mut lexemes: Vec<String> = q
        .positive()
        .into_iter()
        .flatten()
        .filter_map(|t| t.exact.as_ref())
        .map(|e| lexeme(e))
        .collect();
    lexemes.sort();
    lexemes.dedup();
    lexemes.join(" | ")
}

/// Full-text search and the feed an external index follows.
pub trait FullText: Send + Sync + 'static {
    /// Whether the database searches itself ([`FullText::text_search`]);
    /// false on SQLite, where an external index does.
    fn searches_itself(&self) -> bool;

    /// The items matching, best first (exact spellings, then relevance,
    /// then the newest), among those this store sees.
    fn text_search(&self, q: &TextSearch) -> impl std::future::Future<Output = Result<TextHits>> + Send;

    /// The ids of the media items created, changed, deleted or restored
    /// after audit entry `after_seq` (at most `limit` entries), and the
    /// sequence number to continue from: the last entry read when `limit`
    /// were, else the audit log's head (`item_changes(i64::MAX, 1)` reads
    /// the head alone).
    fn item_changes(&self, after_seq: i64, limit: u32) -> impl std::future::Future<Output = Result<Changes>> + Send;

    /// The items `ids` that still exist, with their owners.
    fn index_docs(&self, ids: &[i64]) -> impl std::future::Future<Output = Result<Vec<IndexDoc>>> + Send;

    /// Up to `limit` items with ids above `after_id`, in id order.
    fn index_docs_after(
        &self,
        after_id: i64,
        limit: u32,
    ) -> impl std::future::Future<Output = Result<Vec<IndexDoc>>> + Send;

    /// Recomputes the search text of every item (after the way it is built
    /// changed); returns how many rows changed. Not a change of any record:
    /// nothing is audited.
    fn refresh_search_text(&self) -> impl std::future::Future<Output = Result<u64>> + Send;
}

impl FullText for SqlStore {
    fn searches_itself(&self) -> bool {
        self.engine() == Engine::Postgres
    }

    #[tracing::instrument(skip_all)]
    async fn text_search(&self, q: &TextSearch) -> Result<TextHits> {
        if !self.searches_itself() {
            return Err(StoreError::Refused(
                "cơ sở dữ liệu nhúng tìm kiếm qua chỉ mục riêng".into(),
            ));
        }
        let mut filters: Vec<(String, String)> = q.outlet.iter().map(|o| ("outlet".to_owned(), o.clone())).collect();
        filters.extend(q.kind.iter().map(|k| ("kind".to_owned(), k.clone())));
        if q.featured {
            filters.push(("featured".to_owned(), "true".to_owned()));
        }
        let list = ListQuery {
            filters,
            topic: q.topic.clone(),
            date_from: q.from,
            date_to: q.to,
            ..ListQuery::default()
        };
        let (wh, mut args) = list_where::<MediaItem>(&list, self.scope())?;
        args.push(Value::Text(tsquery(&q.query)));
        let tsq = args.len();
        let cond = format!(
            "{} search_tsv @@ to_tsquery('simple', ${tsq})",
            if wh.is_empty() {
                " WHERE".to_owned()
            } else {
                format!("{wh} AND")
            }
        );
        let count_sql = format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM media_items{cond} LIMIT {}) AS matching",
            u64::from(COUNT_CAP) + 1
        );
        let total = single_int(self.pool().rows(&count_sql, &args, &[Ty::Int]).await?, "count")?;
        let exact = exact_tsquery(&q.query);
        let exact_rank = if exact.is_empty() {
            "0".to_owned()
        } else {
            args.push(Value::Text(exact));
            format!("ts_rank(search_tsv, to_tsquery('simple', ${}))", args.len())
        };
        let order = match q.by_date {
            None => "score DESC, published_on DESC, id DESC",
            Some(true) => "published_on DESC, id DESC",
            Some(false) => "published_on, id",
        };
        let sql = format!(
            "SELECT id, CAST(({exact_rank}) * 1000000 + ts_rank(search_tsv, to_tsquery('simple', ${tsq})) * 1000 AS BIGINT) AS score \
             FROM media_items{cond} ORDER BY {order} LIMIT {} OFFSET {}",
            q.limit.clamp(1, crate::MAX_PAGE),
            q.offset.min(crate::MAX_OFFSET)
        );
        let rows = self.pool().rows(&sql, &args, &[Ty::Int, Ty::Int]).await?;
        let mut hits = Vec::with_capacity(rows.len());
        for r in rows {
            let mut it = r.into_iter();
            let id = it.next().and_then(|v| v.as_i64()).unwrap_or_default();
            let score = it.next().and_then(|v| v.as_i64()).unwrap_or_default();
            #[allow(clippy::cast_precision_loss)]
            hits.push((id, score as f32 / 1000.0));
        }
        Ok(TextHits {
            total: u64::try_from(total).unwrap_or(0),
            hits,
        })
    }

    #[tracing::instrument(skip_all)]
    async fn item_changes(&self, after_seq: i64, limit: u32) -> Result<Changes> {
        let pool = self.pool().installation();
        let head = single_int(
            pool.rows("SELECT seq FROM audit_head WHERE id = 1", &[], &[Ty::Int])
                .await?,
            "seq",
        )?;
        let rows = pool
            .rows(
                &format!(
                    "SELECT seq, record_id FROM audit_log WHERE seq > $1 AND seq <= $2 AND kind = $3 ORDER BY seq LIMIT {}",
                    limit.max(1)
                ),
                &[
                    Value::Int(after_seq),
                    Value::Int(head),
                    Value::from(RecordKind::MediaItem.code()),
                ],
                &[Ty::Int, Ty::Int],
            )
            .await?;
        let full = rows.len() >= limit.max(1) as usize;
        let mut ids = Vec::with_capacity(rows.len());
        let mut last = after_seq;
        for r in rows {
            let mut it = r.into_iter();
            last = it.next().and_then(|v| v.as_i64()).unwrap_or(last);
            if let Some(id) = it.next().and_then(|v| v.as_i64()) {
                ids.push(id);
            }
        }
        ids.sort_unstable();
        ids.dedup();
        let next = if full { last } else { head };
        if next <= after_seq {
            // Nothing written since: no agency either.
            return Ok(Changes {
                ids,
                next,
                owners_changed: false,
            });
        }
        // The store adopts ownerless records when its first agency is
        // created (`adopt_orphans`), in that creation's transaction.
        let adopted = pool
            .rows(
                "SELECT COUNT(*) FROM audit_log WHERE seq > $1 AND seq <= $2 AND kind = $3 AND action = 'create'",
                &[
                    Value::Int(after_seq),
                    Value::Int(next),
                    Value::from(RecordKind::Agency.code()),
                ],
                &[Ty::Int],
            )
            .await?;
        Ok(Changes {
            ids,
            next,
            owners_changed: single_int(adopted, "count")? > 0,
        })
    }

    #[tracing::instrument(skip_all)]
    async fn index_docs(&self, ids: &[i64]) -> Result<Vec<IndexDoc>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let ph: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let args: Vec<Value> = chunk.iter().map(|i| Value::Int(*i)).collect();
            let sql = format!(
                "SELECT {}, owner FROM media_items WHERE id IN ({}) ORDER BY id",
                select_list(RecordKind::MediaItem),
                ph.join(", ")
            );
            out.extend(docs(self, &sql, &args).await?);
        }
        Ok(out)
    }

    #[tracing::instrument(skip_all)]
    async fn index_docs_after(&self, after_id: i64, limit: u32) -> Result<Vec<IndexDoc>> {
        let sql = format!(
            "SELECT {}, owner FROM media_items WHERE id > $1 ORDER BY id LIMIT {}",
            select_list(RecordKind::MediaItem),
            limit.clamp(1, 10_000)
        );
        docs(self, &sql, &[Value::Int(after_id)]).await
    }

    #[tracing::instrument(skip_all)]
    async fn refresh_search_text(&self) -> Result<u64> {
        let mut changed = 0u64;
        let mut after = 0i64;
        loop {
            let batch = self.index_docs_after(after, 1000).await?;
            let Some(last) = batch.last() else { break };
            after = last.id;
            let mut tx = self.pool().installation().begin().await?;
            for d in &batch {
                let obj = crate::sql_store::record_json(&d.item)?;
                let text = crate::sql_store::search_text(MediaItem::KIND, &obj);
                let title_key = crate::sql_store::derived_columns(MediaItem::KIND, &obj)
                    .into_iter()
                    .map(|(_, v)| v)
                    .next()
                    .unwrap_or(Value::Null(Ty::Text));
                changed += tx
                    .exec(
                        "UPDATE media_items SET search = $1, title_key = $3 WHERE id = $2 \
                         AND (search <> $1 OR title_key IS NULL OR title_key <> $3)",
                        &[Value::Text(text), Value::Int(d.id), title_key],
                    )
                    .await?;
            }
            tx.commit().await?;
        }
        Ok(changed)
    }
}

async fn docs(store: &SqlStore, sql: &str, args: &[Value]) -> Result<Vec<IndexDoc>> {
    let mut tys = row_types(RecordKind::MediaItem);
    tys.push(Ty::Text);
    let rows = store.pool().installation().rows(sql, args, &tys).await?;
    let mut out = Vec::with_capacity(rows.len());
    for mut row in rows {
        let owner = row.pop().and_then(|v| v.into_string()).filter(|o| !o.is_empty());
        let s = decode::<MediaItem>(row)?;
        out.push(IndexDoc {
            id: s.id,
            owner,
            item: s.record,
        });
    }
    Ok(out)
}
