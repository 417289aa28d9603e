//! The audit trail: one hash-chained entry per change.

use canhgiac_domain::{AuditAction, AuditEntry, RecordKind, Timestamp};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::{Cols, Tx, Ty, Value};
use crate::{Actor, Result, StoreError};

/// Filters for reading the audit trail, newest first.
#[derive(Clone, Debug, Default)]
pub struct AuditQuery {
    pub kind: Option<RecordKind>,
    pub record_id: Option<i64>,
    pub actor: Option<String>,
    pub before_seq: Option<i64>,
    pub limit: Option<u32>,
}

/// The result of recomputing the chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditCheck {
    pub entries: i64,
    /// The first entry whose hash does not follow, if any.
    pub broken_at: Option<i64>,
}

/// The bytes an entry's hash covers: every field but the hash, in order.
pub(crate) fn entry_hash(e: &AuditEntry) -> String {
    #[derive(Serialize)]
    struct Hashed<'a> {
        seq: i64,
        at: &'a Timestamp,
        actor: &'a str,
        origin: &'a str,
        action: AuditAction,
        kind: RecordKind,
        record_key: &'a str,
        record_id: i64,
        before: &'a Option<serde_json::Value>,
        after: &'a Option<serde_json::Value>,
        prev_hash: &'a str,
    }
    let h = Hashed {
        seq: e.seq,
        at: &e.at,
        actor: &e.actor,
        origin: &e.origin,
        action: e.action,
        kind: e.kind,
        record_key: &e.record_key,
        record_id: e.record_id,
        before: &e.before,
        after: &e.after,
        prev_hash: &e.prev_hash,
    };
    let bytes = serde_json::to_vec(&h).unwrap_or_default();
    hex::encode(Sha256::digest(&bytes))
}

/// Fields the trail never keeps. It says that such a field is set, with
/// a short fingerprint of the stored value so that a change shows (a
/// password changed), never the value itself: a password hash kept for
/// ever could be attacked offline.
pub(crate) const SECRET_FIELDS: &[&str] = &["password_hash"];

pub(crate) fn redact(mut v: serde_json::Value) -> serde_json::Value {
    if let Some(obj) = v.as_object_mut() {
        for f in SECRET_FIELDS {
            if let Some(val) = obj.get_mut(*f) {
                if let Some(h) = val.as_str() {
                    let digest = canhgiac_secrets::sha256_hex(h.as_bytes());
                    *val = serde_json::Value::String(format!("(đã đặt, dấu {})", &digest[..8]));
                }
            }
        }
    }
    v
}

/// Takes the chain head's write lock first thing in a writing transaction
/// on PostgreSQL. Every audited write ends at the head; taken late, after
/// the records and their derived counts, two writers could each hold what
/// the other waits for (an import and an API write deadlocked on
/// `media_item_day_counts` and `audit_head`). Taken first, writers queue in
/// one order. SQLite has one writer and needs nothing.
pub(crate) async fn lock_head(tx: &mut Tx) -> Result<()> {
    if matches!(tx, Tx::Postgres(_)) {
        tx.exec("SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE", &[])
            .await?;
    }
    Ok(())
}

/// Appends an entry inside the caller's transaction.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn append(
    tx: &mut Tx,
    actor: &Actor,
    action: AuditAction,
    kind: RecordKind,
    record_key: &str,
    record_id: i64,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<()> {
    let (before, after) = (before.map(redact), after.map(redact));
    // Taking the head row's write lock serialises writers on PostgreSQL;
    // SQLite has one writer anyway.
    let head = tx
        .row(
            "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash",
            &[],
            &[Ty::Int, Ty::Text],
        )
        .await?
        .ok_or_else(|| StoreError::Corrupt("thiếu dòng đầu chuỗi nhật ký".into()))?;
    let mut head = Cols::new(head, "audit_head");
    let seq = head.int()?;
    let prev_hash = head.text()?;
    let mut entry = AuditEntry {
        seq,
        at: Timestamp::now(),
        actor: actor.username.clone(),
        action,
        kind,
        record_key: record_key.to_owned(),
        record_id,
        before,
        after,
        origin: actor.origin.clone(),
        prev_hash,
        hash: String::new(),
    };
    entry.hash = entry_hash(&entry);
    // The entry is seen by the agency that owns the record (outside the
    // hash: who may read an entry is not part of what it says).
    // Shared kinds (topics, the legal catalogue) belong to nobody: their
    // entries are the installation's.
    let owner_sql = match kind {
        RecordKind::IssuedReport => Some("SELECT agency FROM issued_reports WHERE id = $1".to_owned()),
        RecordKind::ReportCall => Some("SELECT owner FROM report_calls WHERE id = $1".to_owned()),
        // Submissions are the requesting agency's to review and audit.
        RecordKind::Submission => {
            Some("SELECT c.owner FROM submissions s JOIN report_calls c ON c.id = s.call_id WHERE s.id = $1".to_owned())
        }
        k if k.meta().owner == canhgiac_domain::Ownership::Shared => None,
        k => Some(format!("SELECT owner FROM {} WHERE id = $1", k.plural())),
    };
    let owner = match owner_sql {
        Some(sql) => match tx.row(&sql, &[Value::Int(record_id)], &[Ty::Text]).await? {
            Some(row) => Cols::new(row, "audit.owner").opt_text()?,
            None => None,
        },
        None => None,
    };
    tx.exec(
        &format!("{INSERT} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"),
        &entry_values(&entry, owner.as_deref()),
    )
    .await?;
    tx.exec(
        "UPDATE audit_head SET hash = $1 WHERE id = 1",
        &[Value::Text(entry.hash)],
    )
    .await?;
    Ok(())
}

/// The columns of an entry's row, in the order of [`entry_values`].
pub(crate) const INSERT: &str =
    "INSERT INTO audit_log (seq, at, actor, origin, action, kind, record_key, record_id, before, after, prev_hash, hash, owner)";

/// An entry's row, seen by `owner` (outside the hash).
pub(crate) fn entry_values(e: &AuditEntry, owner: Option<&str>) -> [Value; 13] {
    let json = |v: &Option<serde_json::Value>| -> Value {
        match v {
            Some(v) => Value::Text(v.to_string()),
            None => Value::Null(Ty::Text),
        }
    };
    [
        Value::Int(e.seq),
        Value::Text(e.at.rfc3339()),
        Value::Text(e.actor.clone()),
        Value::Text(e.origin.clone()),
        Value::from(e.action.code()),
        Value::from(e.kind.code()),
        Value::Text(e.record_key.clone()),
        Value::Int(e.record_id),
        json(&e.before),
        json(&e.after),
        Value::Text(e.prev_hash.clone()),
        Value::Text(e.hash.clone()),
        Value::from(owner.map(str::to_owned)),
    ]
}

pub(crate) const SELECT: &str =
    "SELECT seq, at, actor, origin, action, kind, record_key, record_id, before, after, prev_hash, hash FROM audit_log";

pub(crate) const TYPES: &[Ty] = &[
    Ty::Int,
    Ty::Text,
    Ty::Text,
    Ty::Text,
    Ty::Text,
    Ty::Text,
    Ty::Text,
    Ty::Int,
    Ty::Text,
    Ty::Text,
    Ty::Text,
    Ty::Text,
];

pub(crate) fn decode(row: Vec<Value>) -> Result<AuditEntry> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("nhật ký: {what}"));
    let mut c = Cols::new(row, "audit_log");
    let seq = c.int()?;
    let at = c.ts()?;
    let actor = c.text()?;
    let origin = c.text()?;
    let action = AuditAction::parse(&c.text()?).map_err(|_| corrupt("action"))?;
    let kind_s = c.text()?;
    let kind = RecordKind::from_code(&kind_s).ok_or_else(|| corrupt(&format!("loại bản ghi «{kind_s}»")))?;
    let record_key = c.text()?;
    let record_id = c.int()?;
    let mut json = || -> Result<Option<serde_json::Value>> {
        match c.opt_text()? {
            Some(s) => serde_json::from_str(&s).map(Some).map_err(|_| corrupt("before/after")),
            None => Ok(None),
        }
    };
    let before = json()?;
    let after = json()?;
    let prev_hash = c.text()?;
    let hash = c.text()?;
    Ok(AuditEntry {
        seq,
        at,
        actor,
        action,
        kind,
        record_key,
        record_id,
        before,
        after,
        origin,
        prev_hash,
        hash,
    })
}
