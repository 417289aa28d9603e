//! What watch rules found: the review queue of matches, and the mark up to
//! which the audit log has been read for them.
//!
//! Rules are records ([`canhgiac_domain::WatchRule`]); a match (rule, item)
//! is kept once, whatever number of times the item changes, and goes when
//! its rule or its item does (foreign keys with `ON DELETE CASCADE`). The
//! mark moves forward only from where the reader found it, in the same
//! transaction as the matches it read: two readers racing write nothing
//! twice and lose nothing.

use canhgiac_domain::{Date, HitStatus, RecordKind, Timestamp};
use serde::Serialize;

use crate::db::{Cols, Ty, Value};
use crate::sql_store::owner_clause;
use crate::{Result, SqlStore, StoreError};

/// An active rule as the matcher loads it, with its agency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActiveRule {
    pub id: i64,
    pub owner: Option<String>,
    pub name: String,
    pub query: String,
    pub webhook: Option<String>,
}

/// A match to keep: rule `rule` matched item `item`. Its agency is the
/// rule's, and the item must be the same agency's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewHit {
    pub rule: i64,
    pub item: i64,
}

/// A match in the review queue, with what a reviewer needs to see of its
/// rule and its item.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WatchHit {
    pub id: i64,
    pub rule: i64,
    pub rule_name: String,
    pub query: String,
    pub item: i64,
    pub title: String,
    pub url: Option<String>,
    /// The outlet's code.
    pub outlet: String,
    pub published_on: Date,
    pub published_at: Option<Timestamp>,
    pub found_at: Timestamp,
    #[serde(serialize_with = "status_code")]
    pub status: HitStatus,
    /// The case made of it.
    pub case_key: Option<String>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<Timestamp>,
}

fn status_code<S: serde::Serializer>(s: &HitStatus, ser: S) -> std::result::Result<S::Ok, S::Error> {
    ser.serialize_str(s.code())
}

/// Which matches to list: newest first.
#[derive(Clone, Debug, Default)]
pub struct HitQuery {
    pub status: Option<HitStatus>,
    pub rule: Option<i64>,
    pub offset: u32,
    pub limit: u32,
}

/// The review queue's store.
pub trait Watch: Send + Sync + 'static {
    /// The active rules this store sees, with their agencies.
    fn active_rules(&self) -> impl std::future::Future<Output = Result<Vec<ActiveRule>>> + Send;

    /// The audit sequence number up to which items have been matched;
    /// `None` before the first reading.
    fn watch_mark(&self) -> impl std::future::Future<Output = Result<Option<i64>>> + Send;

    /// Keeps `hits` (those already kept are left as they are) and moves the
    /// mark from `from` to `to`, in one transaction. Returns the ids of the
    /// matches new to the queue, or `None` (and writes nothing) when the mark
    /// was no longer at `from`: another reader got there first.
    fn watch_record(
        &self,
        from: Option<i64>,
        to: i64,
        hits: &[NewHit],
    ) -> impl std::future::Future<Output = Result<Option<Vec<i64>>>> + Send;

    /// A page of the matches this store sees, newest first, and how many
    /// there are in all.
    fn watch_hits(&self, q: &HitQuery) -> impl std::future::Future<Output = Result<(Vec<WatchHit>, u64)>> + Send;

    /// The matches `ids` this store sees.
    fn watch_hits_by_id(&self, ids: &[i64]) -> impl std::future::Future<Output = Result<Vec<WatchHit>>> + Send;

    /// Records a reviewer's decision on match `id`, where it is allowed
    /// from where the match stands: not yet reviewed → made into a case or
    /// put aside; put aside → back to review; made into a case without its
    /// code yet (claimed, [`HitStatus::Case`] with `None`) → its code, or
    /// back to review when the case could not be made. False when the match
    /// is not this store's to see, or stands elsewhere (another reviewer
    /// got there first).
    fn watch_review(
        &self,
        id: i64,
        status: HitStatus,
        case_key: Option<&str>,
        by: &str,
    ) -> impl std::future::Future<Output = Result<bool>> + Send;
}

/// Matches written by one statement (two parameters each).
const HITS_PER_INSERT: usize = 500;

const HIT_COLUMNS: &str = "h.id, h.rule_id, r.name, r.query, h.item_id, m.title, m.url, m.outlet, m.published_on, \
     m.published_at, h.found_at, h.status, h.case_key, h.reviewed_by, h.reviewed_at";
const HIT_TYPES: &[Ty] = &[
    Ty::Int,
    Ty::Int,
    Ty::Text,
    Ty::Text,
    Ty::Int,
    Ty::Text,
    Ty::Text,
    Ty::Text,
    Ty::Text,
    Ty::Text,
    Ty::Text,
    Ty::Text,
    Ty::Text,
    Ty::Text,
    Ty::Text,
];
const HIT_FROM: &str = "watch_hits h JOIN watch_rules r ON r.id = h.rule_id JOIN media_items m ON m.id = h.item_id";

fn hit_of(row: Vec<Value>) -> Result<WatchHit> {
    let mut c = Cols::new(row, "watch_hits");
    let id = c.int()?;
    let rule = c.int()?;
    let rule_name = c.text()?;
    let query = c.text()?;
    let item = c.int()?;
    let title = c.text()?;
    let url = c.opt_text()?;
    let outlet = c.text()?;
    let day = c.text()?;
    let published_on =
        Date::parse(&day).map_err(|e| StoreError::Corrupt(format!("ngày đăng «{day}» của tin khớp {id}: {e}")))?;
    let published_at = c.opt_ts()?;
    let found_at = c.ts()?;
    let status = c.text()?;
    let status = HitStatus::parse(&status)
        .map_err(|e| StoreError::Corrupt(format!("trạng thái «{status}» của tin khớp {id}: {}", e.message)))?;
    Ok(WatchHit {
        id,
        rule,
        rule_name,
        query,
        item,
        title,
        url,
        outlet,
        published_on,
        published_at,
        found_at,
        status,
        case_key: c.opt_text()?,
        reviewed_by: c.opt_text()?,
        reviewed_at: c.opt_ts()?,
    })
}

impl Watch for SqlStore {
    #[tracing::instrument(skip(self))]
    async fn active_rules(&self) -> Result<Vec<ActiveRule>> {
        let mut args = Vec::new();
        let owner = owner_clause(RecordKind::WatchRule, self.scope(), "", &mut args)
            .map_or(String::new(), |c| format!(" AND {c}"));
        let sql = format!("SELECT id, owner, name, query, webhook FROM watch_rules WHERE active{owner} ORDER BY id");
        let rows = self
            .pool()
            .rows(&sql, &args, &[Ty::Int, Ty::Text, Ty::Text, Ty::Text, Ty::Text])
            .await?;
        rows.into_iter()
            .map(|r| {
                let mut c = Cols::new(r, "watch_rules");
                Ok(ActiveRule {
                    id: c.int()?,
                    owner: c.opt_text()?,
                    name: c.text()?,
                    query: c.text()?,
                    webhook: c.opt_text()?,
                })
            })
            .collect()
    }

    async fn watch_mark(&self) -> Result<Option<i64>> {
        let rows = self
            .pool()
            .rows("SELECT seq FROM watch_mark WHERE id = 1", &[], &[Ty::Int])
            .await?;
        rows.into_iter()
            .next()
            .map(|r| Cols::new(r, "watch_mark").int())
            .transpose()
    }

    #[tracing::instrument(skip(self, hits), fields(hits = hits.len()))]
    async fn watch_record(&self, from: Option<i64>, to: i64, hits: &[NewHit]) -> Result<Option<Vec<i64>>> {
        let now = Timestamp::now().rfc3339();
        let mut tx = self.pool().begin().await?;
        let moved = match from {
            None => {
                tx.exec(
                    "INSERT INTO watch_mark (id, seq, updated_at) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING",
                    &[Value::Int(to), Value::Text(now.clone())],
                )
                .await?
            }
            Some(from) => {
                tx.exec(
                    "UPDATE watch_mark SET seq = $1, updated_at = $2 WHERE id = 1 AND seq = $3",
                    &[Value::Int(to), Value::Text(now.clone()), Value::Int(from)],
                )
                .await?
            }
        };
        if moved != 1 {
            tx.rollback().await?;
            return Ok(None);
        }
        let mut new = Vec::new();
        // Many rows a statement: a crowded rule set keeps many matches.
        for chunk in hits.chunks(HITS_PER_INSERT) {
            let mut args = vec![Value::Text(now.clone())];
            let mut pairs = Vec::with_capacity(chunk.len());
            for h in chunk {
                args.push(Value::Int(h.rule));
                args.push(Value::Int(h.item));
                pairs.push(format!("(${}, ${})", args.len() - 1, args.len()));
            }
            // The rule and the item must still be there and the same agency's.
            let sql = format!(
                "INSERT INTO watch_hits (owner, rule_id, item_id, found_at, status) \
                 SELECT r.owner, r.id, m.id, $1, 'new' FROM (VALUES {}) AS v \
                 JOIN watch_rules r ON r.id = v.column1 JOIN media_items m ON m.id = v.column2 \
                 WHERE r.owner = m.owner OR (r.owner IS NULL AND m.owner IS NULL) \
                 ON CONFLICT (rule_id, item_id) DO NOTHING RETURNING id",
                pairs.join(", ")
            );
            for r in tx.rows(&sql, &args, &[Ty::Int]).await? {
                new.push(Cols::new(r, "watch_hits").int()?);
            }
        }
        new.sort_unstable();
        tx.commit().await?;
        Ok(Some(new))
    }

    #[tracing::instrument(skip(self))]
    async fn watch_hits(&self, q: &HitQuery) -> Result<(Vec<WatchHit>, u64)> {
        let mut args = Vec::new();
        let mut conds = Vec::new();
        if let Some(c) = owner_clause(RecordKind::WatchRule, self.scope(), "h.", &mut args) {
            conds.push(c);
        }
        if let Some(s) = q.status {
            args.push(Value::from(s.code()));
            conds.push(format!("h.status = ${}", args.len()));
        }
        if let Some(r) = q.rule {
            args.push(Value::Int(r));
            conds.push(format!("h.rule_id = ${}", args.len()));
        }
        let wh = if conds.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conds.join(" AND "))
        };
        let total = crate::db::single_int(
            self.pool()
                .rows(&format!("SELECT COUNT(*) FROM watch_hits h{wh}"), &args, &[Ty::Int])
                .await?,
            "watch_hits",
        )?;
        let sql = format!(
            "SELECT {HIT_COLUMNS} FROM {HIT_FROM}{wh} ORDER BY h.id DESC LIMIT {} OFFSET {}",
            q.limit.clamp(1, crate::MAX_PAGE),
            q.offset.min(crate::MAX_OFFSET)
        );
        let hits = self
            .pool()
            .rows(&sql, &args, HIT_TYPES)
            .await?
            .into_iter()
            .map(hit_of)
            .collect::<Result<Vec<_>>>()?;
        Ok((hits, u64::try_from(total).unwrap_or(0)))
    }

    async fn watch_hits_by_id(&self, ids: &[i64]) -> Result<Vec<WatchHit>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let mut args: Vec<Value> = chunk.iter().map(|i| Value::Int(*i)).collect();
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let owner = owner_clause(RecordKind::WatchRule, self.scope(), "h.", &mut args)
                .map_or(String::new(), |c| format!(" AND {c}"));
            let sql = format!(
                "SELECT {HIT_COLUMNS} FROM {HIT_FROM} WHERE h.id IN ({}){owner} ORDER BY h.id",
                marks.join(", ")
            );
            for row in self.pool().rows(&sql, &args, HIT_TYPES).await? {
                out.push(hit_of(row)?);
            }
        }
        Ok(out)
    }

    #[tracing::instrument(skip(self))]
    async fn watch_review(&self, id: i64, status: HitStatus, case_key: Option<&str>, by: &str) -> Result<bool> {
        let reviewed = (status != HitStatus::New).then(|| Timestamp::now().rfc3339());
        let mut args = vec![
            Value::from(status.code()),
            case_key.map_or(Value::Null(Ty::Text), Value::from),
            reviewed.as_ref().map_or(Value::Null(Ty::Text), |_| Value::from(by)),
            reviewed.map_or(Value::Null(Ty::Text), Value::Text),
            Value::Int(id),
        ];
        let owner = owner_clause(RecordKind::WatchRule, self.scope(), "", &mut args)
            .map_or(String::new(), |c| format!(" AND {c}"));
        let from = match status {
            HitStatus::Dismissed => "status = 'new'",
            HitStatus::Case if case_key.is_some() => "status = 'case' AND case_key IS NULL",
            HitStatus::Case => "status = 'new'",
            HitStatus::New => "(status = 'dismissed' OR (status = 'case' AND case_key IS NULL))",
        };
        let mut tx = self.pool().begin().await?;
        let n = tx
            .exec(
                &format!(
                    "UPDATE watch_hits SET status = $1, case_key = $2, reviewed_by = $3, reviewed_at = $4 \
                     WHERE id = $5 AND {from}{owner}"
                ),
                &args,
            )
            .await?;
        tx.commit().await?;
        Ok(n == 1)
    }
}
