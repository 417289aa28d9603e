//! The batch write path of imports: new records of one kind written with
//! multi-row statements — the rows, their derived rows, and one audit entry
//! per record, hash-chained as if written one by one — instead of a dozen
//! statements per record.
//!
//! What it writes is exactly what the record-by-record path writes (the
//! store's conformance tests import through it on both engines); only the
//! number of statements changes. A batch that the database refuses is
//! undone to its savepoint and written again record by record, so the
//! refusal names its record.

use canhgiac_domain::{AuditAction, MediaItem, Ownership, Record, RecordKind, Timestamp};
use serde_json::{Map, Value as Json};

use crate::db::{Cols, Tx, Ty, Value};
use crate::sql_store::{
    column_values, derived_columns, internal, outlet_owner_sql, quoted, record_json, search_text, SHAREABLE_REFS,
};
use crate::{audit, Actor, Result, StoreError};

/// Records a statement carries at most: bounded again by the parameter
/// limits (SQLite 32,766; PostgreSQL 65,535) through [`PARAMS`].
pub(crate) const ROWS: usize = 500;
const PARAMS: usize = 30_000;

/// Kinds the batch path writes: those whose row holds the owner that
/// their audit entries carry. An agency adopts the records made before
/// it, so it is written alone.
pub(crate) fn batchable(kind: RecordKind) -> bool {
    !matches!(kind.meta().owner, Ownership::Itself)
        && !matches!(
            kind,
            RecordKind::IssuedReport | RecordKind::ReportCall | RecordKind::Submission
        )
}

/// A new record ready to be written.
pub(crate) struct NewRow<'a, R> {
    pub key: &'a str,
    pub rec: &'a R,
}

/// Writes `rows` (new records of `R`, none of whose keys exists) with
/// `owner`. Returns their ids in order, or `None` when the database
/// refused a row: the savepoint is then undone and nothing of the batch
/// is written, for the caller to write record by record.
pub(crate) async fn insert<R: Record>(
    tx: &mut Tx,
    actor: &Actor,
    rows: &[NewRow<'_, R>],
    owner: Option<&str>,
) -> Result<Option<Vec<i64>>> {
    if rows.is_empty() {
        return Ok(Some(Vec::new()));
    }
    let mut objs = Vec::with_capacity(rows.len());
    for r in rows {
        objs.push(record_json(r.rec)?);
    }
    tx.exec("SAVEPOINT lo_ghi", &[]).await?;
    match insert_rows::<R>(tx, rows, &objs, owner).await {
        Ok(ids) => {
            tx.exec("RELEASE SAVEPOINT lo_ghi", &[]).await?;
            let pairs: Vec<(i64, &R)> = ids.iter().copied().zip(rows.iter().map(|r| r.rec)).collect();
            follow_created(tx, &pairs, owner).await?;
            let entries = rows
                .iter()
                .zip(&ids)
                .zip(objs)
                .map(|((r, id), obj)| (r.key, *id, obj))
                .collect::<Vec<_>>();
            append_created(tx, actor, R::KIND, entries, owner).await?;
            Ok(Some(ids))
        }
        Err(StoreError::Database(e)) => {
            tracing::debug!(kind = R::KIND.code(), error = %e, "batch refused; writing record by record");
            tx.exec("ROLLBACK TO SAVEPOINT lo_ghi", &[]).await?;
            tx.exec("RELEASE SAVEPOINT lo_ghi", &[]).await?;
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// The rows themselves, `RETURNING` their ids, matched back by key.
async fn insert_rows<R: Record>(
    tx: &mut Tx,
    rows: &[NewRow<'_, R>],
    objs: &[Map<String, Json>],
    owner: Option<&str>,
) -> Result<Vec<i64>> {
    let meta = &R::META;
    let owned = meta.owner != Ownership::Shared;
    let mut cols = vec!["\"key\"", "version", "created_at", "updated_at", "search"]
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>();
    if owned {
        cols.push("owner".into());
    }
    cols.extend(meta.fields.iter().map(|f| quoted(f.name)));
    let derived: Vec<&str> = objs
        .first()
        .map(|o| derived_columns(R::KIND, o).into_iter().map(|(c, _)| c).collect())
        .unwrap_or_default();
    cols.extend(derived.iter().map(|c| (*c).to_owned()));
    let refs: Vec<(usize, &str)> = SHAREABLE_REFS
        .iter()
        .filter(|r| r.0 == meta.plural)
        .map(|(_, column, owner_column)| {
            meta.fields
                .iter()
                .position(|f| f.name == *column)
                .map(|at| (at, *owner_column))
                .ok_or_else(|| internal(R::KIND, format!("{column} has no owner")))
        })
        .collect::<Result<_>>()?;
    cols.extend(refs.iter().map(|(_, c)| (*c).to_owned()));
    let per_row = 5 + usize::from(owned) + meta.fields.len() + derived.len();
    let chunk = (PARAMS / per_row).clamp(1, ROWS);
    let now = Timestamp::now().rfc3339();
    let mut ids = std::collections::HashMap::with_capacity(rows.len());
    for (rows_chunk, objs_chunk) in rows.chunks(chunk).zip(objs.chunks(chunk)) {
        let mut args: Vec<Value> = Vec::with_capacity(rows_chunk.len() * per_row);
        let mut tuples = Vec::with_capacity(rows_chunk.len());
        for (r, obj) in rows_chunk.iter().zip(objs_chunk) {
            let base = args.len();
            args.push(Value::from(r.key));
            args.push(Value::Int(1));
            args.push(Value::Text(now.clone()));
            args.push(Value::Text(now.clone()));
            args.push(Value::Text(search_text(R::KIND, obj)));
            if owned {
                args.push(Value::from(owner.map(str::to_owned)));
            }
            args.extend(column_values(R::KIND, obj)?);
            args.extend(derived_columns(R::KIND, obj).into_iter().map(|(_, v)| v));
            let mut marks: Vec<String> = (base + 1..=args.len()).map(|i| format!("${i}")).collect();
            // The field arguments follow the owner's, in declared order.
            let owner_arg = base + 6;
            for (at, _) in &refs {
                marks.push(outlet_owner_sql(owner_arg + 1 + at, &format!("${owner_arg}")));
            }
            tuples.push(format!("({})", marks.join(", ")));
        }
        let sql = format!(
            "INSERT INTO {} ({}) VALUES {} RETURNING id, \"key\"",
            meta.plural,
            cols.join(", "),
            tuples.join(", ")
        );
        for row in tx.rows(&sql, &args, &[Ty::Int, Ty::Text]).await? {
            let mut c = Cols::new(row, "insert.returning");
            let id = c.int()?;
            ids.insert(c.text()?, id);
        }
    }
    rows.iter()
        .map(|r| {
            ids.get(r.key)
                .copied()
                .ok_or_else(|| internal(R::KIND, format!("no id returned for «{}»", r.key)))
        })
        .collect()
}

/// The derived rows of new media items (`derived::follow` for many):
/// their topics, and the day counts summed per (day, topic, outlet) before
/// they are written.
async fn follow_created<R: Record>(tx: &mut Tx, created: &[(i64, &R)], owner: Option<&str>) -> Result<()> {
    if R::KIND != MediaItem::KIND {
        return Ok(());
    }
    let items: Vec<(i64, &MediaItem)> = created
        .iter()
        .filter_map(|(id, r)| crate::derived::as_item(Some(*r)).map(|i| (*id, i)))
        .collect();
    let owner = owner.unwrap_or_default();
    let mut topic_rows: Vec<[Value; 5]> = Vec::new();
    let mut counts: std::collections::BTreeMap<(String, String, String), (i64, i64)> = Default::default();
    for (id, item) in &items {
        let day = item.published_on.iso();
        let original = item.duplicate_of.is_none();
        let topics = crate::derived::topics(item);
        for t in &topics {
            topic_rows.push([
                Value::Int(*id),
                Value::from(*t),
                Value::from(day.as_str()),
                Value::from(item.outlet.as_str()),
                Value::Bool(original),
            ]);
        }
        if original {
            for topic in std::iter::once("").chain(topics.iter().copied()) {
                let c = counts
                    .entry((day.clone(), topic.to_owned(), item.outlet.as_str().to_owned()))
                    .or_default();
                c.0 += 1;
                c.1 += i64::from(item.featured);
            }
        }
    }
    for chunk in topic_rows.chunks(ROWS) {
        let mut args = Vec::with_capacity(chunk.len() * 5);
        let mut tuples = Vec::with_capacity(chunk.len());
        for row in chunk {
            let b = args.len();
            args.extend(row.iter().cloned());
            tuples.push(format!("(${}, ${}, ${}, ${}, ${})", b + 1, b + 2, b + 3, b + 4, b + 5));
        }
        let sql = format!(
            "INSERT INTO media_item_topics (item_id, topic, published_on, outlet, original) VALUES {}",
            tuples.join(", ")
        );
        tx.exec(&sql, &args).await?;
    }
    let counts: Vec<_> = counts.into_iter().collect();
    for chunk in counts.chunks(ROWS) {
        let mut args = Vec::with_capacity(chunk.len() * 6);
        let mut tuples = Vec::with_capacity(chunk.len());
        for ((day, topic, outlet), (n, featured)) in chunk {
            let b = args.len();
            args.extend([
                Value::from(day.as_str()),
                Value::from(topic.as_str()),
                Value::from(outlet.as_str()),
                Value::from(owner),
                Value::Int(*n),
                Value::Int(*featured),
            ]);
            tuples.push(format!(
                "(${}, ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6
            ));
        }
        let sql = format!(
            "INSERT INTO media_item_day_counts (day, topic, outlet, owner, items, featured) VALUES {} \
             ON CONFLICT (day, topic, outlet, owner) DO UPDATE SET items = media_item_day_counts.items + excluded.items, \
             featured = media_item_day_counts.featured + excluded.featured",
            tuples.join(", ")
        );
        tx.exec(&sql, &args).await?;
    }
    Ok(())
}

/// One `Create` entry per record, chained in order, written with
/// multi-row statements: the chain is the one `audit::append` would have
/// made record by record. The head moves once.
async fn append_created(
    tx: &mut Tx,
    actor: &Actor,
    kind: RecordKind,
    rows: Vec<(&str, i64, Map<String, Json>)>,
    owner: Option<&str>,
) -> Result<()> {
    let n = i64::try_from(rows.len()).map_err(|_| internal(kind, "batch too large"))?;
    let head = tx
        .row(
            "UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash",
            &[Value::Int(n)],
            &[Ty::Int, Ty::Text],
        )
        .await?
        .ok_or_else(|| StoreError::Corrupt("thiếu dòng đầu chuỗi nhật ký".into()))?;
    let mut head = Cols::new(head, "audit_head");
    let last = head.int()?;
    let mut prev = head.text()?;
    let at = Timestamp::now();
    // Shared kinds' entries are the installation's.
    let owner = (kind.meta().owner != Ownership::Shared).then_some(owner).flatten();
    let mut entries = Vec::with_capacity(rows.len());
    for (i, (key, id, obj)) in (0_i64..).zip(rows) {
        let mut e = canhgiac_domain::AuditEntry {
            seq: last - n + 1 + i,
            at,
            actor: actor.username.clone(),
            action: AuditAction::Create,
            kind,
            record_key: key.to_owned(),
            record_id: id,
            before: None,
            after: Some(audit::redact(Json::Object(obj))),
            origin: actor.origin.clone(),
            prev_hash: prev,
            hash: String::new(),
        };
        e.hash = audit::entry_hash(&e);
        prev = e.hash.clone();
        entries.push(e);
    }
    for chunk in entries.chunks(ROWS) {
        let mut args = Vec::with_capacity(chunk.len() * 13);
        let mut tuples = Vec::with_capacity(chunk.len());
        for e in chunk {
            let b = args.len();
            args.extend(audit::entry_values(e, owner));
            let marks: Vec<String> = (b + 1..=args.len()).map(|i| format!("${i}")).collect();
            tuples.push(format!("({})", marks.join(", ")));
        }
        let sql = format!("{} VALUES {}", audit::INSERT, tuples.join(", "));
        tx.exec(&sql, &args).await?;
    }
    tx.exec("UPDATE audit_head SET hash = $1 WHERE id = 1", &[Value::Text(prev)])
        .await?;
    Ok(())
}
