//! [`Store`] on SQLite or PostgreSQL, through the portable layer in `db`.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use std::time::Duration;

use canhgiac_domain::{
    fold, with_record, AuditAction, AuditEntry, Dataset, Ownership, Record, RecordKind, Storage, TakedownCheck,
    Timestamp, SHARED_OWNER,
};
use serde_json::{Map, Value as Json};

use crate::audit::{self, AuditCheck, AuditQuery};
use crate::db::{single_int, Engine, Pool, Tx, Ty, Value};
use crate::jobs::{self, JobCount, JobState, Lease, NewJob, Outcome, WorkerInfo};
use crate::summary::{self, Summary};
use crate::{batch, derived, schema};
use crate::{
    Access, Actor, AuditLog, Figures, Health, ImportSummary, IssuedReports, Jobs, ListQuery, Put, Records, Result,
    StoreError, Stored, Worklists,
};

/// Largest page a list returns.
pub const MAX_PAGE: u32 = 1000;
/// How far into a list an offset may reach; further is by filter or `before_id`.
pub const MAX_OFFSET: u32 = 100_000;

/// The file of the embedded store inside the data folder.
pub const SQLITE_FILE: &str = "canhgiac.sqlite";

/// The store on one database. A store is *scoped* to an agency
/// ([`SqlStore::scoped`]): it then reads and writes only that agency's
/// records (and the shared kinds), everywhere — lists, figures, exports,
/// references. An unscoped store is the installation's own view (the
/// command line), and sees every agency.
#[derive(Clone, Debug)]
pub struct SqlStore {
    pool: Pool,
    scope: Option<String>,
}

impl SqlStore {
    /// Opens (creating if needed) the embedded store in `dir`, and migrates.
    pub async fn open_sqlite(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Schema(format!("không tạo được thư mục dữ liệu {}: {e}", dir.display())))?;
        let pool = Pool::connect_sqlite(&dir.join(SQLITE_FILE)).await?;
        Self::ready(pool).await
    }

    /// Connects to PostgreSQL (optionally inside `schema`), and migrates.
    pub async fn open_postgres(url: &str, schema: Option<&str>) -> Result<Self> {
        let pool = Pool::connect_postgres(url, schema).await?;
        Self::ready(pool).await
    }

    async fn ready(pool: Pool) -> Result<Self> {
        schema::migrate(&pool).await?;
        Ok(SqlStore { pool, scope: None })
    }

    pub fn engine(&self) -> Engine {
        self.pool.engine()
    }

    /// The same store, seeing only `agency`'s records and the shared ones.
    pub fn scoped(&self, agency: &str) -> SqlStore {
        SqlStore {
            pool: self.pool.for_agency(agency),
            scope: Some(agency.to_owned()),
        }
    }

    /// The agency this store is scoped to, if any.
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await
    }

    /// Runs `f` in one transaction, committing only if it succeeds.
    async fn in_tx<T, F>(&self, f: F) -> Result<T>
    where
        F: for<'a> FnOnce(&'a mut Tx) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<T>> + Send + 'a>>,
    {
        let mut tx = self.pool.begin().await?;
        if let Err(e) = crate::audit::lock_head(&mut tx).await {
            if let Err(rb) = tx.rollback().await {
                tracing::warn!(error = %rb, "rollback failed");
            }
            return Err(e);
        }
        match f(&mut tx).await {
            Ok(v) => {
                tx.commit().await?;
                Ok(v)
            }
            Err(e) => {
                if let Err(rb) = tx.rollback().await {
                    tracing::warn!(error = %rb, "rollback failed");
                }
                Err(e)
            }
        }
    }
}

/// What sharing an outlet did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharedOutlet {
    /// The agencies whose own outlet of that code became the shared one.
    pub agencies: Vec<String>,
    /// Their records (programmes, items, sub-outlets) now naming it.
    pub references: u64,
}

impl SqlStore {
    /// Makes outlet `key` shared by every agency (the installation's step,
    /// on an unscoped store): one record, copied from the agency that made
    /// it first, replaces every agency's outlet of that code; their
    /// programmes, items and sub-outlets now name the shared one, and their
    /// own records stay theirs. Its parent, if any, must be shared first.
    /// Audited: the shared outlet's creation, and each agency's outlet's
    /// removal in that agency's trail.
    pub async fn share_outlet(&self, actor: &Actor, key: &str) -> Result<SharedOutlet> {
        if self.scope.is_some() {
            return Err(StoreError::Refused(
                "chỉ quản trị hệ thống (không chọn cơ quan) mới dùng chung được nguồn tin".into(),
            ));
        }
        let (actor, key) = (actor.clone(), key.to_owned());
        self.in_tx(move |tx| Box::pin(async move { share_outlet_in_tx(tx, &actor, &key).await }))
            .await
    }
}

async fn share_outlet_in_tx(tx: &mut Tx, actor: &Actor, key: &str) -> Result<SharedOutlet> {
    use canhgiac_domain::Outlet;
    let rows = tx
        .rows(
            "SELECT id, COALESCE(owner, '') FROM outlets WHERE \"key\" = $1 ORDER BY id",
            &[Value::from(key)],
            &[Ty::Int, Ty::Text],
        )
        .await?;
    let mut held = Vec::new();
    for row in rows {
        let mut c = crate::db::Cols::new(row, "outlets");
        let (id, owner) = (c.int()?, c.text()?);
        if owner.is_empty() {
            return Err(StoreError::Refused(format!("nguồn tin «{key}» đã được dùng chung")));
        }
        held.push((id, owner));
    }
    let Some((first, _)) = held.first() else {
        return Err(StoreError::Refused(format!("không có nguồn tin «{key}»")));
    };
    let source: Stored<Outlet> = fetch_by_id(tx, *first, None)
        .await?
        .ok_or_else(|| internal(RecordKind::Outlet, "vanished"))?;
    if let Some(parent) = &source.record.parent {
        let shared_parent = tx
            .row(
                "SELECT id FROM outlets WHERE \"key\" = $1 AND owner = ''",
                &[Value::from(parent.as_str())],
                &[Ty::Int],
            )
            .await?;
        if shared_parent.is_none() {
            return Err(StoreError::Refused(format!(
                "hãy dùng chung nguồn tin cấp trên «{parent}» trước"
            )));
        }
    }
    write_insert(tx, actor, key, &source.record, Some(SHARED_OWNER.to_owned())).await?;
    let mut references = 0;
    for (id, owner) in &held {
        for (table, column, owner_column) in SHAREABLE_REFS {
            let sql = format!("UPDATE {table} SET {owner_column} = '' WHERE {column} = $1 AND {owner_column} = $2");
            references += tx.exec(&sql, &[Value::from(key), Value::from(owner.as_str())]).await?;
        }
        delete_in_tx::<Outlet>(tx, actor, *id, None).await?;
    }
    Ok(SharedOutlet {
        agencies: held.into_iter().map(|(_, o)| o).collect(),
        references,
    })
}

// ------------------------------------------------------------------ mapping
//
// A record's row holds the storage columns (id, key, version, times,
// search) and one column per declared field (`KindMeta::fields`), typed by
// the field's `Storage`. Records reach their row through their serde form,
// field by field; every mismatch is an error, never a default.

pub(crate) fn quoted(c: &str) -> String {
    format!("\"{c}\"")
}

pub(crate) fn select_list(kind: RecordKind) -> String {
    select_list_in(kind, "")
}

/// The columns `decode` reads, each prefixed with `alias` (`t.`): the
/// storage columns, whether the record is shared, then the fields.
fn select_list_in(kind: RecordKind, alias: &str) -> String {
    let shared = match kind.meta().owner {
        Ownership::Shared => "CAST(1 AS BIGINT)".to_owned(),
        Ownership::Shareable => format!("CAST(CASE WHEN {alias}owner = '' THEN 1 ELSE 0 END AS BIGINT)"),
        Ownership::Agency | Ownership::Itself => "CAST(0 AS BIGINT)".to_owned(),
    };
    let mut s = format!("{alias}id, {alias}\"key\", {alias}version, {alias}created_at, {alias}updated_at, {shared}");
    for f in kind.meta().fields {
        s.push_str(", ");
        s.push_str(alias);
        s.push_str(&quoted(f.name));
    }
    s
}

fn ty_of(st: Storage) -> Ty {
    match st {
        Storage::Text | Storage::Json => Ty::Text,
        Storage::Int => Ty::Int,
        Storage::Bool => Ty::Bool,
    }
}

pub(crate) fn row_types(kind: RecordKind) -> Vec<Ty> {
    let mut t = vec![Ty::Int, Ty::Text, Ty::Int, Ty::Text, Ty::Text, Ty::Int];
    t.extend(kind.meta().fields.iter().map(|f| ty_of(f.ty.storage())));
    t
}

pub(crate) fn internal(kind: RecordKind, what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{}: {what}", kind.code()))
}

/// The record as a JSON object whose fields are exactly the kind's fields.
pub(crate) fn record_json<R: Record>(rec: &R) -> Result<Map<String, Json>> {
    match serde_json::to_value(rec) {
        Ok(Json::Object(m)) => Ok(m),
        Ok(_) => Err(internal(R::KIND, "not an object")),
        Err(e) => Err(internal(R::KIND, e)),
    }
}

pub(crate) fn column_values(kind: RecordKind, obj: &Map<String, Json>) -> Result<Vec<Value>> {
    let meta = kind.meta();
    if let Some(extra) = obj.keys().find(|k| meta.field(k).is_none()) {
        return Err(internal(kind, format!("field {extra} is not declared")));
    }
    meta.fields
        .iter()
        .map(|f| {
            let st = f.ty.storage();
            let v = obj.get(f.name).unwrap_or(&Json::Null);
            Ok(match (st, v) {
                (_, Json::Null) => Value::Null(ty_of(st)),
                (Storage::Json, v) => Value::Text(v.to_string()),
                (Storage::Text, Json::String(s)) => Value::Text(s.clone()),
                (Storage::Int, Json::Number(n)) => Value::Int(
                    n.as_i64()
                        .ok_or_else(|| internal(kind, format!("{} out of range", f.name)))?,
                ),
                (Storage::Bool, Json::Bool(b)) => Value::Bool(*b),
                _ => return Err(internal(kind, format!("field {} has the wrong type", f.name))),
            })
        })
        .collect()
}

pub(crate) fn search_text(kind: RecordKind, obj: &Map<String, Json>) -> String {
    let mut s = String::new();
    for f in kind.meta().search_fields() {
        if let Some(v) = obj.get(f.name) {
            collect_strings(v, &mut s);
        }
    }
    if full_text(kind) {
        crate::fulltext::search_text_of(&s)
    } else {
        fold(&s)
    }
}

/// Storage columns a kind keeps beside its fields, computed from the
/// record on every write: a media item's folded title (`title_key`), which
/// the collector's same-title check looks up.
pub(crate) fn derived_columns(kind: RecordKind, obj: &Map<String, Json>) -> Vec<(&'static str, Value)> {
    if kind != RecordKind::MediaItem {
        return Vec::new();
    }
    let title = obj.get("title").and_then(Json::as_str).unwrap_or_default();
    vec![("title_key", Value::Text(fold(title)))]
}

/// Kinds searched word by word (see `fulltext`): their search text is
/// folded words then exact tokens, and a list's search words are split
/// the same way.
pub(crate) fn full_text(kind: RecordKind) -> bool {
    kind == RecordKind::MediaItem
}

fn collect_strings(v: &Json, out: &mut String) {
    match v {
        Json::String(s) => {
            out.push_str(s);
            out.push(' ');
        }
        Json::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        Json::Object(o) => o.values().for_each(|x| collect_strings(x, out)),
        _ => {}
    }
}

pub(crate) fn decode<R: Record>(row: Vec<Value>) -> Result<Stored<R>> {
    let kind = R::KIND;
    let mut it = row.into_iter();
    let mut next = |what: &str| it.next().ok_or_else(|| internal(kind, format!("row lacks {what}")));
    let id = next("id")?.as_i64().ok_or_else(|| internal(kind, "id"))?;
    let key = next("key")?.into_string().ok_or_else(|| internal(kind, "key"))?;
    let version = next("version")?.as_i64().ok_or_else(|| internal(kind, "version"))?;
    let mut ts = |what: &str| -> Result<Timestamp> {
        let s = next(what)?.into_string().ok_or_else(|| internal(kind, what))?;
        Timestamp::parse(&s).map_err(|e| internal(kind, e))
    };
    let created_at = ts("created_at")?;
    let updated_at = ts("updated_at")?;
    let shared = next("shared")?.as_i64().ok_or_else(|| internal(kind, "shared"))? == 1;
    let mut obj = Map::new();
    for f in kind.meta().fields {
        let v = next(f.name)?;
        let j = match (f.ty.storage(), v) {
            (_, Value::Null(_)) => Json::Null,
            (Storage::Json, Value::Text(s)) => serde_json::from_str(&s).map_err(|e| internal(kind, e))?,
            (Storage::Text, Value::Text(s)) => Json::String(s),
            (Storage::Int, Value::Int(i)) => Json::from(i),
            (Storage::Bool, Value::Bool(b)) => Json::Bool(b),
            (_, other) => return Err(internal(kind, format!("{} holds {other:?}", f.name))),
        };
        obj.insert(f.name.to_owned(), j);
    }
    let record: R = serde_json::from_value(Json::Object(obj))
        .map_err(|e| StoreError::Corrupt(format!("{} mã số {id}: {e}", kind.label_vn())))?;
    Ok(Stored {
        id,
        key,
        version,
        created_at,
        updated_at,
        shared,
        record,
    })
}

/// Maps an engine error to what the user should hear.
fn map_db(e: sqlx::Error, kind: RecordKind, key: &str) -> StoreError {
    use sqlx::error::ErrorKind;
    if let Some(db) = e.as_database_error() {
        match db.kind() {
            ErrorKind::UniqueViolation => {
                return StoreError::Conflict {
                    kind,
                    key: key.to_owned(),
                }
            }
            ErrorKind::ForeignKeyViolation => {
                return StoreError::InUse {
                    kind,
                    key: key.to_owned(),
                }
            }
            _ => {}
        }
    }
    // Busy (locked, deadlock) or a plain database error.
    StoreError::from(e)
}

// ------------------------------------------------------------------ owners

/// `owner = $n` for a scoped read of an owned kind (`alias.` prefixed when
/// given); nothing for shared kinds or an unscoped store.
pub(crate) fn owner_clause(
    kind: RecordKind,
    scope: Option<&str>,
    alias: &str,
    args: &mut Vec<Value>,
) -> Option<String> {
    let scope = scope?;
    match kind.meta().owner {
        Ownership::Shared => None,
        Ownership::Shareable => {
            args.push(Value::from(scope));
            Some(format!("({alias}owner = ${} OR {alias}owner = '')", args.len()))
        }
        Ownership::Agency | Ownership::Itself => {
            args.push(Value::from(scope));
            Some(format!("{alias}owner = ${}", args.len()))
        }
    }
}

/// A scoped store changes only its agency's own records: a shared one
/// (which it reads) is the installation's to change.
fn writable<R: Record>(old: &Stored<R>, scope: Option<&str>) -> Result<()> {
    if old.shared && scope.is_some() && R::META.owner == Ownership::Shareable {
        return Err(StoreError::SharedRecord {
            kind: R::KIND,
            key: old.key.clone(),
        });
    }
    Ok(())
}

/// For a change to user row `id`: its agency, and how many active
/// administrators that agency has now; `None` for other kinds.
async fn admins_before<R: Record>(tx: &mut Tx, id: i64) -> Result<Option<(String, i64)>> {
    if R::KIND != RecordKind::User {
        return Ok(None);
    }
    let rows = tx
        .rows(
            "SELECT COALESCE(owner, '') FROM users WHERE id = $1",
            &[Value::Int(id)],
            &[Ty::Text],
        )
        .await?;
    let Some(row) = rows.into_iter().next() else {
        return Ok(None);
    };
    let owner = crate::db::Cols::new(row, "users.owner").text()?;
    let n = active_admins(tx, &owner).await?;
    Ok(Some((owner, n)))
}

async fn active_admins(tx: &mut Tx, owner: &str) -> Result<i64> {
    let rows = tx
        .rows(
            "SELECT COUNT(*) FROM users WHERE role = 'admin' AND active AND COALESCE(owner, '') = $1",
            &[Value::from(owner)],
            &[Ty::Int],
        )
        .await?;
    single_int(rows, "users.admins")
}

/// Refuses (so the transaction rolls back) a change that left an agency
/// which had an active administrator with none: nobody could then manage
/// its accounts, and `serve` would not start.
async fn still_an_admin(tx: &mut Tx, before: Option<(String, i64)>) -> Result<()> {
    if let Some((owner, n)) = before {
        if n > 0 && active_admins(tx, &owner).await? == 0 {
            return Err(StoreError::Refused(
                "đây là quản trị viên cuối cùng còn hoạt động của cơ quan; hãy giao quyền quản trị cho người khác trước".into(),
            ));
        }
    }
    Ok(())
}

/// References to a `Shareable` kind: (table, column, the column holding
/// the owner of the record it names). The store fills the owner column on
/// every write, and the composite foreign key goes through it.
pub(crate) const SHAREABLE_REFS: &[(&str, &str, &str)] = &[
    ("outlets", "parent", "parent_owner"),
    ("programmes", "outlet", "outlet_owner"),
    ("media_items", "outlet", "outlet_owner"),
    ("sources", "outlet", "outlet_owner"),
];

/// The subquery that finds the owner of the outlet `$key_arg` names, as seen
/// by a row owned by `owner` (an expression): its own, or the shared one.
pub(crate) fn outlet_owner_sql(key_arg: usize, owner: &str) -> String {
    format!(
        "(SELECT o.owner FROM outlets o WHERE o.\"key\" = ${key_arg} AND (o.owner = {owner} OR o.owner = '') \
         ORDER BY o.owner DESC LIMIT 1)"
    )
}

/// The owner a new record gets: itself for an agency, none for shared
/// kinds, else the store's scope — or, unscoped, the one agency the store
/// holds (refused when it holds several: the command must name one).
async fn owner_of_new(tx: &mut Tx, kind: RecordKind, key: &str, scope: Option<&str>) -> Result<Option<String>> {
    match kind.meta().owner {
        Ownership::Shared => Ok(None),
        Ownership::Itself => Ok(Some(key.to_owned())),
        Ownership::Agency | Ownership::Shareable => {
            if let Some(s) = scope {
                return Ok(Some(s.to_owned()));
            }
            let rows = tx
                .rows("SELECT \"key\" FROM agencies ORDER BY id LIMIT 2", &[], &[Ty::Text])
                .await?;
            let mut keys = rows
                .into_iter()
                .map(|r| crate::db::Cols::new(r, "agencies.key").text())
                .collect::<Result<Vec<_>>>()?;
            match keys.len() {
                0 => Ok(None),
                1 => Ok(keys.pop()),
                _ => Err(StoreError::Schema(
                    "kho có nhiều cơ quan; hãy chọn cơ quan sở hữu bản ghi".into(),
                )),
            }
        }
    }
}

/// When the first agency arrives, the records made before it (the first
/// administrator, made by `init`) become its, as migration 0009 did for
/// stores that held one agency.
async fn adopt_orphans(tx: &mut Tx, agency: &str) -> Result<()> {
    let rows = tx.rows("SELECT COUNT(*) FROM agencies", &[], &[Ty::Int]).await?;
    if single_int(rows, "agencies.count")? != 1 {
        return Ok(());
    }
    for kind in RecordKind::ALL.iter().filter(|k| k.meta().owner.per_agency()) {
        let sql = format!("UPDATE {} SET owner = $1 WHERE owner IS NULL", kind.plural());
        tx.exec(&sql, &[Value::from(agency)]).await?;
    }
    // Rows kept beside records carry their record's owner.
    for table in ["source_health", "watch_hits"] {
        let sql = format!("UPDATE {table} SET owner = $1 WHERE owner IS NULL");
        tx.exec(&sql, &[Value::from(agency)]).await?;
    }
    for (table, column, owner_column) in SHAREABLE_REFS {
        let sql = format!(
            "UPDATE {table} SET {owner_column} = $1 WHERE {owner_column} IS NULL AND {column} IS NOT NULL AND owner = $1"
        );
        tx.exec(&sql, &[Value::from(agency)]).await?;
    }
    let mut args = vec![Value::from(agency)];
    let mut shared = Vec::new();
    for kind in RecordKind::ALL.iter().filter(|k| k.meta().owner == Ownership::Shared) {
        args.push(Value::from(kind.code()));
        shared.push(format!("${}", args.len()));
    }
    let sql = if shared.is_empty() {
        "UPDATE audit_log SET owner = $1 WHERE owner IS NULL".to_owned()
    } else {
        format!(
            "UPDATE audit_log SET owner = $1 WHERE owner IS NULL AND kind NOT IN ({})",
            shared.join(", ")
        )
    };
    tx.exec(&sql, &args).await?;
    Ok(())
}

// ------------------------------------------------------------------ writes

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Create,
    Upsert,
    /// Create what is new, leave what exists as it is (the collector's
    /// writes: a fetch never overwrites a stored record).
    AddNew,
}

/// Keys known to exist in this transaction, so a bulk import checks each
/// reference once.
type RefCache = HashSet<(RecordKind, String)>;

/// The query for one record of `R` by `id` or `"key"`, within the scope.
fn select_one<R: Record>(column: &str, value: Value, scope: Option<&str>) -> (String, Vec<Value>) {
    let mut args = vec![value];
    let owner = owner_clause(R::KIND, scope, "", &mut args).map_or(String::new(), |c| format!(" AND {c}"));
    let sql = format!(
        "SELECT {} FROM {} WHERE {column} = $1{owner} ORDER BY id LIMIT 1",
        select_list(R::KIND),
        R::META.plural
    );
    (sql, args)
}

async fn fetch_one<R: Record>(
    tx: &mut Tx,
    column: &str,
    value: Value,
    scope: Option<&str>,
) -> Result<Option<Stored<R>>> {
    let (sql, args) = select_one::<R>(column, value, scope);
    tx.row(&sql, &args, &row_types(R::KIND)).await?.map(decode).transpose()
}

async fn fetch_by_key<R: Record>(tx: &mut Tx, key: &str, scope: Option<&str>) -> Result<Option<Stored<R>>> {
    fetch_one(tx, "\"key\"", Value::from(key), scope).await
}

/// An agency by code, unscoped: the agency tree is shared knowledge.
pub(crate) async fn agency_in_tx(tx: &mut Tx, code: &str) -> Result<Option<canhgiac_domain::Agency>> {
    Ok(fetch_by_key::<canhgiac_domain::Agency>(tx, code, None)
        .await?
        .map(|s| s.record))
}

/// Every agency, unscoped, in one query: the tree is shared knowledge.
pub(crate) async fn agencies_in_tx(tx: &mut Tx) -> Result<Vec<canhgiac_domain::Agency>> {
    let sql = format!("SELECT {} FROM agencies ORDER BY id", select_list(RecordKind::Agency));
    tx.rows(&sql, &[], &row_types(RecordKind::Agency))
        .await?
        .into_iter()
        .map(|r| decode::<canhgiac_domain::Agency>(r).map(|s| s.record))
        .collect()
}

async fn fetch_by_id<R: Record>(tx: &mut Tx, id: i64, scope: Option<&str>) -> Result<Option<Stored<R>>> {
    fetch_one(tx, "id", Value::Int(id), scope).await
}

/// Every record this one refers to exists — and, in a scoped store, belongs
/// to the same agency or is shared: nobody refers into another agency.
async fn check_references<R: Record>(
    tx: &mut Tx,
    rec: &R,
    key: &str,
    scope: Option<&str>,
    cache: &mut RefCache,
) -> Result<()> {
    for (target_kind, target) in rec.references() {
        if cache.contains(&(target_kind, target.clone())) {
            continue;
        }
        let mut args = vec![Value::from(target.as_str())];
        // Agencies are named across the tree (a parent, the issuer of a
        // directive): naming one reveals nothing of its records.
        let within = if target_kind.meta().owner == Ownership::Itself {
            None
        } else {
            owner_clause(target_kind, scope, "", &mut args)
        };
        let owner = within.map_or(String::new(), |c| format!(" AND {c}"));
        let sql = format!("SELECT id FROM {} WHERE \"key\" = $1{owner}", target_kind.plural());
        if tx.row(&sql, &args, &[Ty::Int]).await?.is_none() {
            return Err(StoreError::MissingReference {
                kind: R::KIND,
                key: key.to_owned(),
                target_kind,
                target,
            });
        }
        cache.insert((target_kind, target));
    }
    Ok(())
}

fn validated<R: Record>(rec: &R) -> Result<String> {
    let key = rec.key();
    rec.validate().map_err(|errors| StoreError::Invalid {
        kind: R::KIND,
        key: key.clone(),
        errors,
    })?;
    Ok(key)
}

async fn put_in_tx<R: Record>(
    tx: &mut Tx,
    actor: &Actor,
    rec: &R,
    mode: Mode,
    scope: Option<&str>,
    cache: &mut RefCache,
) -> Result<Put> {
    let key = validated(rec)?;
    check_references(tx, rec, &key, scope, cache).await?;
    let existing: Option<Stored<R>> = fetch_by_key(tx, &key, scope).await?;
    match existing {
        Some(_) if mode == Mode::Create => Err(StoreError::Conflict { kind: R::KIND, key }),
        Some(old) if &old.record == rec || mode == Mode::AddNew => Ok(Put::Unchanged(old.id)),
        Some(old) => {
            writable(&old, scope)?;
            write_update(tx, actor, &old, &key, rec).await?;
            Ok(Put::Updated(old.id))
        }
        None => {
            let owner = owner_of_new(tx, R::KIND, &key, scope).await?;
            let id = write_insert(tx, actor, &key, rec, owner).await?;
            cache.insert((R::KIND, key));
            Ok(Put::Created(id))
        }
    }
}

async fn write_insert<R: Record>(tx: &mut Tx, actor: &Actor, key: &str, rec: &R, owner: Option<String>) -> Result<i64> {
    let obj = record_json(rec)?;
    let values = column_values(R::KIND, &obj)?;
    let now = Timestamp::now().rfc3339();
    let mut cols = vec![
        "\"key\"".to_owned(),
        "version".into(),
        "created_at".into(),
        "updated_at".into(),
        "search".into(),
    ];
    let mut args = vec![
        Value::from(key),
        Value::Int(1),
        Value::Text(now.clone()),
        Value::Text(now),
        Value::Text(search_text(R::KIND, &obj)),
    ];
    // Shared kinds have no owner column.
    let owner_arg = (R::META.owner != Ownership::Shared).then(|| {
        cols.push("owner".into());
        args.push(Value::from(owner));
        args.len()
    });
    for (f, v) in R::META.fields.iter().zip(values) {
        cols.push(quoted(f.name));
        args.push(v);
    }
    for (column, v) in derived_columns(R::KIND, &obj) {
        cols.push(column.to_owned());
        args.push(v);
    }
    let mut placeholders: Vec<String> = (1..=args.len()).map(|i| format!("${i}")).collect();
    for (_, column, owner_column) in SHAREABLE_REFS.iter().filter(|r| r.0 == R::META.plural) {
        let (Some(owner_arg), Some(at)) = (owner_arg, R::META.fields.iter().position(|f| f.name == *column)) else {
            return Err(internal(R::KIND, format!("{column} has no owner")));
        };
        // The field arguments follow the owner's, in declared order.
        cols.push((*owner_column).to_owned());
        placeholders.push(outlet_owner_sql(owner_arg + 1 + at, &format!("${owner_arg}")));
    }
    let sql = format!(
        "INSERT INTO {} ({}) VALUES ({}) RETURNING id",
        R::META.plural,
        cols.join(", "),
        placeholders.join(", ")
    );
    let row = tx
        .row(&sql, &args, &[Ty::Int])
        .await
        .map_err(|e| map_db(e, R::KIND, key))?
        .ok_or_else(|| internal(R::KIND, "insert returned no id"))?;
    let id = row
        .first()
        .and_then(Value::as_i64)
        .ok_or_else(|| internal(R::KIND, "id"))?;
    derived::follow(tx, id, None, Some(rec)).await?;
    if R::META.owner == Ownership::Itself {
        adopt_orphans(tx, key).await?;
    }
    audit::append(
        tx,
        actor,
        AuditAction::Create,
        R::KIND,
        key,
        id,
        None,
        Some(Json::Object(obj)),
    )
    .await?;
    Ok(id)
}

async fn update_in_tx<R: Record>(
    tx: &mut Tx,
    actor: &Actor,
    id: i64,
    expected: Option<i64>,
    rec: &R,
    scope: Option<&str>,
) -> Result<()> {
    let key = validated(rec)?;
    let old: Stored<R> = fetch_by_id(tx, id, scope)
        .await?
        .ok_or(StoreError::NotFound { kind: R::KIND, id })?;
    writable(&old, scope)?;
    if let Some(v) = expected {
        if v != old.version {
            return Err(StoreError::StaleVersion {
                kind: R::KIND,
                id,
                actual: old.version,
            });
        }
    }
    if &old.record == rec {
        return Ok(());
    }
    check_references(tx, rec, &key, scope, &mut RefCache::new()).await?;
    write_update(tx, actor, &old, &key, rec).await
}

/// Replaces a stored record (`old`) with `rec`, if its version has not
/// moved, and keeps the derived tables and the audit trail in step.
async fn write_update<R: Record>(tx: &mut Tx, actor: &Actor, old: &Stored<R>, key: &str, rec: &R) -> Result<()> {
    crate::workflow::check(tx, old.id, &old.record, rec).await?;
    let admins = admins_before::<R>(tx, old.id).await?;
    let obj = record_json(rec)?;
    let values = column_values(R::KIND, &obj)?;
    let mut sets = vec![
        "version = version + 1".to_owned(),
        "updated_at = $1".to_owned(),
        "search = $2".to_owned(),
        "\"key\" = $3".to_owned(),
    ];
    let mut args = vec![
        Value::Text(Timestamp::now().rfc3339()),
        Value::Text(search_text(R::KIND, &obj)),
        Value::from(key),
    ];
    for (f, v) in R::META.fields.iter().zip(values) {
        args.push(v);
        sets.push(format!("{} = ${}", quoted(f.name), args.len()));
        if let Some((_, _, owner_column)) = SHAREABLE_REFS.iter().find(|r| r.0 == R::META.plural && r.1 == f.name) {
            let owner = format!("{}.owner", R::META.plural);
            sets.push(format!("{owner_column} = {}", outlet_owner_sql(args.len(), &owner)));
        }
    }
    for (column, v) in derived_columns(R::KIND, &obj) {
        args.push(v);
        sets.push(format!("{column} = ${}", args.len()));
    }
    args.push(Value::Int(old.id));
    args.push(Value::Int(old.version));
    let sql = format!(
        "UPDATE {} SET {} WHERE id = ${} AND version = ${}",
        R::META.plural,
        sets.join(", "),
        args.len() - 1,
        args.len()
    );
    let n = tx.exec(&sql, &args).await.map_err(|e| {
        // A changed key that others refer to, or that another record has.
        match map_db(e, R::KIND, key) {
            StoreError::InUse { kind, .. } => StoreError::InUse {
                kind,
                key: old.key.clone(),
            },
            other => other,
        }
    })?;
    if n == 0 {
        return Err(StoreError::StaleVersion {
            kind: R::KIND,
            id: old.id,
            actual: old.version + 1,
        });
    }
    still_an_admin(tx, admins).await?;
    derived::follow(tx, old.id, Some(&old.record), Some(rec)).await?;
    let before = serde_json::to_value(&old.record).map_err(|e| internal(R::KIND, e))?;
    audit::append(
        tx,
        actor,
        AuditAction::Update,
        R::KIND,
        key,
        old.id,
        Some(before),
        Some(Json::Object(obj)),
    )
    .await
}

/// The WHERE conditions and their arguments for a list query (everything
/// but its order and page).
pub(crate) fn list_where<R: Record>(q: &ListQuery, scope: Option<&str>) -> Result<(String, Vec<Value>)> {
    let meta = &R::META;
    let mut wh: Vec<String> = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    wh.extend(owner_clause(R::KIND, scope, "", &mut args));
    if let Some(s) = &q.search {
        let words = if full_text(R::KIND) {
            canhgiac_domain::text::folded_words(s)
        } else {
            fold(s)
        };
        if words.split_whitespace().next().is_none() {
            // Punctuation only: a search for nothing finds nothing.
            wh.push("1 = 0".to_owned());
        }
        for word in words.split_whitespace().take(10) {
            args.push(Value::Text(format!("%{}%", escape_like(word))));
            wh.push(format!("search LIKE ${} ESCAPE '\\'", args.len()));
        }
    }
    if let Some(b) = q.before_id {
        args.push(Value::Int(b));
        wh.push(format!("id < ${}", args.len()));
    }
    // A monthly record (`2024-05`) is in a range when its month is one the
    // range reports on: the month's last day falls in it.
    let monthly = meta
        .date_field
        .and_then(|f| meta.field(f))
        .is_some_and(|f| matches!(f.ty, canhgiac_domain::FieldTy::Month));
    if let (Some(field), true) = (meta.date_field, monthly) {
        if let Some(f) = q.date_from {
            args.push(Value::Text(canhgiac_domain::Month::of(f).iso()));
            wh.push(format!("{} >= ${}", quoted(field), args.len()));
        }
        if let Some(t) = q.date_to {
            args.push(Value::Text(canhgiac_domain::Month::of(t.succ()).prev().iso()));
            wh.push(format!("{} <= ${}", quoted(field), args.len()));
        }
    } else if let Some(field) = meta.date_field {
        if let Some(f) = q.date_from {
            args.push(Value::Text(f.iso()));
            wh.push(format!("{} >= ${}", quoted(field), args.len()));
        }
        if let Some(t) = q.date_to {
            args.push(Value::Text(t.succ().iso()));
            wh.push(format!("{} < ${}", quoted(field), args.len()));
        }
    }
    for (col, val) in &q.filters {
        let Some(f) = meta.field(col) else {
            return Err(StoreError::Schema(format!("không lọc được theo trường «{col}»")));
        };
        let c = f.name;
        let v = match f.ty.storage() {
            Storage::Text => Value::Text(val.clone()),
            Storage::Bool => Value::Bool(matches!(val.as_str(), "true" | "1" | "co" | "có")),
            Storage::Int => Value::Int(
                val.parse()
                    .map_err(|_| StoreError::Schema(format!("«{val}» không phải số")))?,
            ),
            // A nested value matches its JSON text exactly (`topics` = `[]`).
            Storage::Json => Value::Text(val.clone()),
        };
        args.push(v);
        wh.push(format!("{} = ${}", quoted(c), args.len()));
    }
    for (col, vals) in &q.not_in {
        let Some(f) = meta.field(col) else {
            return Err(StoreError::Schema(format!("không lọc được theo trường «{col}»")));
        };
        if f.ty.storage() != Storage::Text || vals.is_empty() {
            return Err(StoreError::Schema(format!("không loại trừ được theo trường «{col}»")));
        }
        let mut ph = Vec::new();
        for v in vals.iter().take(100) {
            args.push(Value::Text(v.clone()));
            ph.push(format!("${}", args.len()));
        }
        wh.push(format!("{} NOT IN ({})", quoted(f.name), ph.join(", ")));
    }
    if let Some(t) = &q.topic {
        if R::KIND != RecordKind::MediaItem {
            return Err(StoreError::Schema("chỉ lọc theo chủ đề với tin, bài".into()));
        }
        args.push(Value::Text(t.clone()));
        wh.push(format!(
            "id IN (SELECT item_id FROM media_item_topics WHERE topic = ${})",
            args.len()
        ));
    }
    let wh = if wh.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", wh.join(" AND "))
    };
    Ok((wh, args))
}

/// The ORDER BY of a list: the declared scalar field asked for, then the id
/// (so equal values keep one order between pages); newest first by default.
fn list_order<R: Record>(q: &ListQuery) -> Result<String> {
    let Some(o) = &q.order else {
        return Ok("id DESC".into());
    };
    let f = R::META
        .field(&o.field)
        .filter(|f| f.ty.storage() != Storage::Json)
        .ok_or_else(|| StoreError::Schema(format!("không sắp xếp được theo trường «{}»", o.field)))?;
    let dir = if o.descending { "DESC" } else { "ASC" };
    Ok(format!("{} {dir}, id {dir}", quoted(f.name)))
}

/// Kinds whose audit entries hold the whole record, so a delete can be
/// undone. A user's entry leaves out the password hash: accounts are
/// deactivated, not deleted and restored.
fn restorable_kind(kind: RecordKind) -> bool {
    kind != RecordKind::User
}

/// Whether anything has happened to a deleted record's kind and code since
/// its delete entry (a restore, a new record with that code): the query.
fn changed_since_query(entry: &AuditEntry, scope: Option<&str>) -> (String, Vec<Value>) {
    let mut args = vec![
        Value::from(entry.kind.code()),
        Value::from(entry.record_key.as_str()),
        Value::Int(entry.seq),
    ];
    let owner = match scope {
        Some(s) => {
            args.push(Value::from(s));
            " AND owner = $4"
        }
        None => "",
    };
    (
        format!("SELECT COUNT(*) FROM audit_log WHERE kind = $1 AND record_key = $2 AND seq > $3{owner}"),
        args,
    )
}

/// [`changed_since_query`] inside a writing transaction (a restore).
async fn changed_since_in(tx: &mut Tx, entry: &AuditEntry, scope: Option<&str>) -> Result<bool> {
    let (sql, args) = changed_since_query(entry, scope);
    Ok(single_int(tx.rows(&sql, &args, &[Ty::Int]).await?, "count")? > 0)
}

impl SqlStore {
    /// [`changed_since_query`] as a plain read (the bin's list).
    async fn changed_since(&self, entry: &AuditEntry) -> Result<bool> {
        let (sql, args) = changed_since_query(entry, self.scope());
        Ok(single_int(self.pool.rows(&sql, &args, &[Ty::Int]).await?, "count")? > 0)
    }
}

async fn delete_in_tx<R: Record>(tx: &mut Tx, actor: &Actor, id: i64, scope: Option<&str>) -> Result<()> {
    let old: Stored<R> = fetch_by_id(tx, id, scope)
        .await?
        .ok_or(StoreError::NotFound { kind: R::KIND, id })?;
    writable(&old, scope)?;
    if R::KIND == RecordKind::MediaItem {
        // Copies name their original by key, which no foreign key guards:
        // an original with copies stays, or they would count as nothing.
        let copy = tx
            .row(
                "SELECT c.id FROM media_items o JOIN media_items c ON c.duplicate_of = o.\"key\" \
                 AND (c.owner = o.owner OR (c.owner IS NULL AND o.owner IS NULL)) WHERE o.id = $1 LIMIT 1",
                &[Value::Int(id)],
                &[Ty::Int],
            )
            .await?;
        if copy.is_some() {
            return Err(StoreError::InUse {
                kind: R::KIND,
                key: old.key.clone(),
            });
        }
    }
    let admins = admins_before::<R>(tx, id).await?;
    let before = serde_json::to_value(&old.record).map_err(|e| internal(R::KIND, e))?;
    // The entry first, while the row still names its owner; a refused
    // delete rolls both back.
    audit::append(
        tx,
        actor,
        AuditAction::Delete,
        R::KIND,
        &old.key,
        id,
        Some(before),
        None,
    )
    .await?;
    // The derived rows follow while the row still names its owner.
    derived::follow(tx, id, Some(&old.record), None).await?;
    let sql = format!("DELETE FROM {} WHERE id = $1", R::META.plural);
    tx.exec(&sql, &[Value::Int(id)])
        .await
        .map_err(|e| map_db(e, R::KIND, &old.key))?;
    still_an_admin(tx, admins).await
}

/// Writes one section of a dataset, numbering errors by position.
///
/// Records are looked up [`batch::ROWS`] keys at a time; the new ones are
/// written together ([`batch::insert`]) and those that exist are updated
/// or left as they are, one by one. A record that refers to a record of
/// its own kind still waiting to be written sends the waiting ones first,
/// so references are checked against what is stored.
async fn import_section<R: Record>(
    tx: &mut Tx,
    actor: &Actor,
    recs: &[R],
    (scope, mode): (Option<&str>, Mode),
    cache: &mut RefCache,
    summary: &mut ImportSummary,
) -> Result<()> {
    if recs.is_empty() {
        return Ok(());
    }
    let at = |index: usize| {
        move |source: StoreError| StoreError::AtRecord {
            kind: R::KIND,
            index,
            inner: Box::new(source),
        }
    };
    let mut seen: HashMap<String, usize> = HashMap::with_capacity(recs.len());
    let mut keys = Vec::with_capacity(recs.len());
    for (index, rec) in recs.iter().enumerate() {
        let key = rec.key();
        if let Some(first) = seen.insert(key.clone(), index) {
            return Err(at(index)(StoreError::Schema(format!(
                "trùng khóa «{key}» với bản ghi thứ {} trong cùng tệp",
                first + 1
            ))));
        }
        keys.push(validated(rec).map_err(at(index))?);
    }
    let (mut created, mut updated, mut unchanged) = (0, 0, 0);
    if batch::batchable(R::KIND) {
        let mut w = Pending::<R> {
            recs,
            keys: &keys,
            waiting: Vec::new(),
            owner: None,
        };
        for start in (0..recs.len()).step_by(batch::ROWS) {
            let end = (start + batch::ROWS).min(recs.len());
            let stored = existing::<R>(tx, &keys[start..end], scope).await?;
            for index in start..end {
                let (rec, key) = (&recs[index], &keys[index]);
                if rec
                    .references()
                    .iter()
                    .any(|(k, t)| *k == R::KIND && w.waiting.iter().any(|i| keys[*i] == *t))
                {
                    created += w.flush(tx, actor, scope, cache).await?;
                }
                check_references(tx, rec, key, scope, cache).await.map_err(at(index))?;
                match stored.get(key) {
                    Some(_) if mode == Mode::Create => {
                        return Err(at(index)(StoreError::Conflict {
                            kind: R::KIND,
                            key: key.clone(),
                        }))
                    }
                    Some(old) if &old.record == rec || mode == Mode::AddNew => unchanged += 1,
                    Some(old) => {
                        writable(old, scope).map_err(at(index))?;
                        write_update(tx, actor, old, key, rec).await.map_err(at(index))?;
                        updated += 1;
                    }
                    None => w.waiting.push(index),
                }
                if w.waiting.len() >= batch::ROWS {
                    created += w.flush(tx, actor, scope, cache).await?;
                }
            }
        }
        created += w.flush(tx, actor, scope, cache).await?;
    } else {
        for (index, rec) in recs.iter().enumerate() {
            match put_in_tx(tx, actor, rec, mode, scope, cache).await.map_err(at(index))? {
                Put::Created(_) => created += 1,
                Put::Updated(_) => updated += 1,
                Put::Unchanged(_) => unchanged += 1,
            }
        }
    }
    for (list, n) in [
        (&mut summary.created, created),
        (&mut summary.updated, updated),
        (&mut summary.unchanged, unchanged),
    ] {
        if n > 0 {
            list.push((R::KIND, n));
        }
    }
    Ok(())
}

/// The new records of an import section waiting to be written together.
struct Pending<'a, R> {
    recs: &'a [R],
    keys: &'a [String],
    /// Their positions in the section.
    waiting: Vec<usize>,
    /// The owner new records get, found once.
    owner: Option<Option<String>>,
}

impl<R: Record> Pending<'_, R> {
    /// Writes the waiting records; returns how many.
    async fn flush(&mut self, tx: &mut Tx, actor: &Actor, scope: Option<&str>, cache: &mut RefCache) -> Result<usize> {
        if self.waiting.is_empty() {
            return Ok(0);
        }
        let at = |index: usize| {
            move |source: StoreError| StoreError::AtRecord {
                kind: R::KIND,
                index,
                inner: Box::new(source),
            }
        };
        let first = self.waiting[0];
        let owner = match &self.owner {
            Some(o) => o.clone(),
            None => {
                let o = owner_of_new(tx, R::KIND, &self.keys[first], scope)
                    .await
                    .map_err(at(first))?;
                self.owner = Some(o.clone());
                o
            }
        };
        let rows: Vec<batch::NewRow<'_, R>> = self
            .waiting
            .iter()
            .map(|i| batch::NewRow {
                key: &self.keys[*i],
                rec: &self.recs[*i],
            })
            .collect();
        if batch::insert(tx, actor, &rows, owner.as_deref()).await?.is_none() {
            // Refused as a whole: once more one by one, for the record to blame.
            for i in &self.waiting {
                write_insert(tx, actor, &self.keys[*i], &self.recs[*i], owner.clone())
                    .await
                    .map_err(at(*i))?;
            }
        }
        for i in &self.waiting {
            cache.insert((R::KIND, self.keys[*i].clone()));
        }
        let n = self.waiting.len();
        self.waiting.clear();
        Ok(n)
    }
}

/// The stored records of `R` with these keys, within the scope (the first
/// by id where an agency's and a shared one have the same key, as
/// [`fetch_by_key`] reads).
async fn existing<R: Record>(tx: &mut Tx, keys: &[String], scope: Option<&str>) -> Result<HashMap<String, Stored<R>>> {
    let mut out = HashMap::new();
    if keys.is_empty() {
        return Ok(out);
    }
    let mut args = Vec::with_capacity(keys.len() + 1);
    let owner = owner_clause(R::KIND, scope, "", &mut args).map_or(String::new(), |c| format!(" AND {c}"));
    let first = args.len();
    args.extend(keys.iter().map(|k| Value::from(k.as_str())));
    let marks: Vec<String> = (first + 1..=args.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT {} FROM {} WHERE \"key\" IN ({}){owner} ORDER BY id",
        select_list(R::KIND),
        R::META.plural,
        marks.join(", ")
    );
    for row in tx.rows(&sql, &args, &row_types(R::KIND)).await? {
        let s: Stored<R> = decode(row)?;
        out.entry(s.key.clone()).or_insert(s);
    }
    Ok(out)
}

impl SqlStore {
    /// An import in one transaction: `Upsert` (files) or `AddNew` (the
    /// collector).
    async fn import_as(&self, actor: &Actor, data: &Dataset, mode: Mode) -> Result<ImportSummary> {
        let (actor, data, scope) = (actor.clone(), data.clone(), self.scope.clone());

        self.in_tx(move |tx| {
            Box::pin(async move {
                let mut s = ImportSummary::default();
                let mut c = RefCache::new();
                for kind in RecordKind::ALL {
                    with_record!(
                        *kind,
                        R => import_section::<R>(tx, &actor, data.section::<R>(), (scope.as_deref(), mode), &mut c, &mut s)
                            .await?,
                        ()
                    );
                }
                Ok(s)
            })
        })
        .await
    }
}

/// One section of a previewed file, each record under its own savepoint so
/// that a refusal undoes that record only.
async fn preview_section<R: Record>(
    tx: &mut Tx,
    actor: &Actor,
    recs: &[R],
    scope: Option<&str>,
    cache: &mut RefCache,
    rows: &mut Vec<crate::PreviewRow>,
) -> Result<()> {
    let mut seen: HashMap<String, usize> = HashMap::with_capacity(recs.len());
    for (index, rec) in recs.iter().enumerate() {
        let key = rec.key();
        let outcome = if let Some(first) = seen.insert(key.clone(), index) {
            crate::Preview::Refused(format!("trùng khóa với bản ghi thứ {} trong cùng tệp", first + 1))
        } else {
            tx.exec("SAVEPOINT xem_truoc", &[]).await?;
            match put_in_tx(tx, actor, rec, Mode::Upsert, scope, cache).await {
                Ok(put) => {
                    tx.exec("RELEASE SAVEPOINT xem_truoc", &[]).await?;
                    match put {
                        Put::Created(_) => crate::Preview::Create,
                        Put::Updated(_) => crate::Preview::Update,
                        Put::Unchanged(_) => crate::Preview::Unchanged,
                    }
                }
                Err(
                    e @ (StoreError::Invalid { .. }
                    | StoreError::Conflict { .. }
                    | StoreError::MissingReference { .. }
                    | StoreError::InUse { .. }
                    | StoreError::SharedRecord { .. }
                    | StoreError::Refused(_)
                    | StoreError::Schema(_)),
                ) => {
                    tx.exec("ROLLBACK TO SAVEPOINT xem_truoc", &[]).await?;
                    tx.exec("RELEASE SAVEPOINT xem_truoc", &[]).await?;
                    crate::Preview::Refused(e.to_string())
                }
                Err(e) => return Err(e),
            }
        };
        rows.push(crate::PreviewRow {
            kind: R::KIND,
            index,
            key,
            outcome,
        });
    }
    Ok(())
}

async fn export_kind<R: Record>(pool: &Pool, scope: Option<&str>) -> Result<Vec<R>> {
    let mut args = Vec::new();
    let owner = owner_clause(R::KIND, scope, "", &mut args).map_or(String::new(), |c| format!(" WHERE {c}"));
    let sql = format!(
        "SELECT {} FROM {}{owner} ORDER BY id",
        select_list(R::KIND),
        R::META.plural
    );
    let rows = pool.rows(&sql, &args, &row_types(R::KIND)).await?;
    let recs: Vec<R> = rows
        .into_iter()
        .map(|r| decode::<R>(r).map(|s| s.record))
        .collect::<Result<_>>()?;
    Ok(referenced_first(recs))
}

/// Orders records so that one a record of the same kind refers to comes
/// before it (an agency's parent, an outlet's parent, the item another
/// duplicates), so an export imports back in one pass; otherwise keeps
/// the order. A cycle, which validation forbids, is left as found.
fn referenced_first<R: Record>(recs: Vec<R>) -> Vec<R> {
    let index: HashMap<String, usize> = recs.iter().enumerate().map(|(i, r)| (r.key(), i)).collect();
    let deps: Vec<Vec<usize>> = recs
        .iter()
        .map(|r| {
            r.references()
                .into_iter()
                .filter(|(k, _)| *k == R::KIND)
                .filter_map(|(_, key)| index.get(&key).copied())
                .collect()
        })
        .collect();
    if deps.iter().all(Vec::is_empty) {
        return recs;
    }
    // Depth-first, post-order, with an explicit stack: 0 new, 1 open, 2 done.
    let mut state = vec![0u8; recs.len()];
    let mut order = Vec::with_capacity(recs.len());
    for start in 0..recs.len() {
        let mut stack = vec![(start, 0usize)];
        while let Some((node, next)) = stack.pop() {
            if next == 0 {
                if state[node] != 0 {
                    continue;
                }
                state[node] = 1;
            }
            match deps[node].get(next) {
                Some(&d) => {
                    stack.push((node, next + 1));
                    if state[d] == 0 {
                        stack.push((d, 0));
                    }
                }
                None => {
                    state[node] = 2;
                    order.push(node);
                }
            }
        }
    }
    let mut slots: Vec<Option<R>> = recs.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl Records for SqlStore {
    fn scoped(&self, agency: &str) -> Self {
        SqlStore::scoped(self, agency)
    }

    fn scope(&self) -> Option<&str> {
        SqlStore::scope(self)
    }

    #[tracing::instrument(skip_all, fields(kind = R::KIND.code()))]
    async fn create<R: Record>(&self, actor: &Actor, rec: &R) -> Result<i64> {
        let (actor, rec, scope) = (actor.clone(), rec.clone(), self.scope.clone());
        self.in_tx(move |tx| {
            Box::pin(async move {
                put_in_tx(tx, &actor, &rec, Mode::Create, scope.as_deref(), &mut RefCache::new())
                    .await
                    .map(Put::id)
            })
        })
        .await
    }

    #[tracing::instrument(skip_all, fields(kind = R::KIND.code()))]
    async fn update<R: Record>(&self, actor: &Actor, id: i64, expected_version: Option<i64>, rec: &R) -> Result<()> {
        let (actor, rec, scope) = (actor.clone(), rec.clone(), self.scope.clone());
        self.in_tx(move |tx| {
            Box::pin(async move { update_in_tx(tx, &actor, id, expected_version, &rec, scope.as_deref()).await })
        })
        .await
    }

    #[tracing::instrument(skip_all, fields(kind = R::KIND.code()))]
    async fn upsert<R: Record>(&self, actor: &Actor, rec: &R) -> Result<Put> {
        let (actor, rec, scope) = (actor.clone(), rec.clone(), self.scope.clone());
        self.in_tx(move |tx| {
            Box::pin(
                async move { put_in_tx(tx, &actor, &rec, Mode::Upsert, scope.as_deref(), &mut RefCache::new()).await },
            )
        })
        .await
    }

    #[tracing::instrument(skip_all, fields(kind = R::KIND.code()))]
    async fn delete<R: Record>(&self, actor: &Actor, id: i64) -> Result<()> {
        let (actor, scope) = (actor.clone(), self.scope.clone());
        self.in_tx(move |tx| Box::pin(async move { delete_in_tx::<R>(tx, &actor, id, scope.as_deref()).await }))
            .await
    }

    #[tracing::instrument(skip_all, fields(kind = R::KIND.code()))]
    async fn get<R: Record>(&self, id: i64) -> Result<Option<Stored<R>>> {
        let (sql, args) = select_one::<R>("id", Value::Int(id), self.scope());
        let rows = self.pool.rows(&sql, &args, &row_types(R::KIND)).await?;
        rows.into_iter().next().map(decode).transpose()
    }

    #[tracing::instrument(skip_all, fields(kind = R::KIND.code()))]
    async fn get_many<R: Record>(&self, ids: &[i64]) -> Result<Vec<Stored<R>>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let ph: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let mut args: Vec<Value> = chunk.iter().map(|i| Value::Int(*i)).collect();
            let owner =
                owner_clause(R::KIND, self.scope(), "", &mut args).map_or(String::new(), |c| format!(" AND {c}"));
            let sql = format!(
                "SELECT {} FROM {} WHERE id IN ({}){owner} ORDER BY id",
                select_list(R::KIND),
                R::META.plural,
                ph.join(", ")
            );
            for row in self.pool.rows(&sql, &args, &row_types(R::KIND)).await? {
                out.push(decode(row)?);
            }
        }
        out.sort_by_key(|s| s.id);
        Ok(out)
    }

    #[tracing::instrument(skip_all, fields(kind = R::KIND.code()))]
    async fn get_by_key<R: Record>(&self, key: &str) -> Result<Option<Stored<R>>> {
        let (sql, args) = select_one::<R>("\"key\"", Value::from(key), self.scope());
        let rows = self.pool.rows(&sql, &args, &row_types(R::KIND)).await?;
        rows.into_iter().next().map(decode).transpose()
    }

    #[tracing::instrument(skip_all, fields(kind = R::KIND.code()))]
    async fn list<R: Record>(&self, q: &ListQuery) -> Result<Vec<Stored<R>>> {
        let (wh, args) = list_where::<R>(q, self.scope())?;
        let order = list_order::<R>(q)?;
        let limit = q.limit.unwrap_or(100).clamp(1, MAX_PAGE);
        let offset = q.offset.unwrap_or(0).min(MAX_OFFSET);
        let sql = format!(
            "SELECT {} FROM {}{wh} ORDER BY {order} LIMIT {limit} OFFSET {offset}",
            select_list(R::KIND),
            R::META.plural,
        );
        let rows = self.pool.rows(&sql, &args, &row_types(R::KIND)).await?;
        rows.into_iter().map(decode).collect()
    }

    #[tracing::instrument(skip_all, fields(kind = R::KIND.code()))]
    async fn count_matching<R: Record>(&self, q: &ListQuery, cap: u32) -> Result<u64> {
        let (wh, args) = list_where::<R>(q, self.scope())?;
        // Counting stops after `cap + 1` rows, so a total costs at most
        // that many index entries, whatever the table's size. Newest first,
        // as the list reads them: the rows come in storage order, not
        // through another index's order (a search reads each row).
        let sql = format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM {}{wh} ORDER BY id DESC LIMIT {}) AS matching",
            R::META.plural,
            u64::from(cap) + 1
        );
        let n = single_int(self.pool.rows(&sql, &args, &[Ty::Int]).await?, "count")?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    #[tracing::instrument(skip_all)]
    async fn deleted(&self, before_seq: Option<i64>, limit: u32) -> Result<Vec<crate::Deleted>> {
        let mut args = vec![Value::from(AuditAction::Delete.code())];
        let mut wh = vec!["action = $1".to_owned()];
        if let Some(s) = self.scope() {
            args.push(Value::from(s));
            wh.push(format!("owner = ${}", args.len()));
        }
        if let Some(b) = before_seq {
            args.push(Value::Int(b));
            wh.push(format!("seq < ${}", args.len()));
        }
        let sql = format!(
            "{} WHERE {} ORDER BY seq DESC LIMIT {}",
            audit::SELECT,
            wh.join(" AND "),
            limit.clamp(1, MAX_PAGE)
        );
        let entries: Vec<AuditEntry> = self
            .pool
            .rows(&sql, &args, audit::TYPES)
            .await?
            .into_iter()
            .map(audit::decode)
            .collect::<Result<_>>()?;
        let mut out = Vec::with_capacity(entries.len());
        for entry in entries {
            let restorable =
                restorable_kind(entry.kind) && entry.before.is_some() && !self.changed_since(&entry).await?;
            out.push(crate::Deleted { entry, restorable });
        }
        Ok(out)
    }

    #[tracing::instrument(skip_all)]
    async fn restore(&self, actor: &Actor, seq: i64) -> Result<(RecordKind, i64)> {
        let mut args = vec![Value::Int(seq), Value::from(AuditAction::Delete.code())];
        let owner = match self.scope() {
            Some(s) => {
                args.push(Value::from(s));
                " AND owner = $3"
            }
            None => "",
        };
        let sql = format!("{} WHERE seq = $1 AND action = $2{owner}", audit::SELECT);
        let entry = self
            .pool
            .rows(&sql, &args, audit::TYPES)
            .await?
            .into_iter()
            .next()
            .map(audit::decode)
            .transpose()?
            .ok_or_else(|| StoreError::Refused(format!("không có bản ghi đã xóa số {seq}")))?;
        let kind = entry.kind;
        let before = match entry.before.clone() {
            Some(b) if restorable_kind(kind) => b,
            _ => {
                return Err(StoreError::Refused(format!(
                    "{} này không khôi phục được",
                    kind.label_vn()
                )))
            }
        };
        let (actor, scope) = (actor.clone(), self.scope.clone());
        self.in_tx(move |tx| {
            Box::pin(async move {
                // Checked inside the transaction that writes, so two
                // restores of one record cannot both pass.
                if changed_since_in(tx, &entry, scope.as_deref()).await? {
                    return Err(StoreError::Refused(format!(
                        "{} này đã được khôi phục hoặc đã có bản ghi mới cùng mã",
                        kind.label_vn()
                    )));
                }
                let id = with_record!(kind, R => {
                    let rec: R = serde_json::from_value(before).map_err(|e| StoreError::Corrupt(format!("nhật ký số {seq}: {e}")))?;
                    put_in_tx(tx, &actor, &rec, Mode::Create, scope.as_deref(), &mut RefCache::new()).await.map(Put::id)?
                }, return Err(StoreError::Refused("loại bản ghi không khôi phục được".into())));
                Ok((kind, id))
            })
        })
        .await
    }

    async fn count(&self, kind: RecordKind) -> Result<i64> {
        let mut args = Vec::new();
        let owner = owner_clause(kind, self.scope(), "", &mut args).map_or(String::new(), |c| format!(" WHERE {c}"));
        let sql = format!("SELECT COUNT(*) FROM {}{owner}", kind.plural());
        single_int(self.pool.rows(&sql, &args, &[Ty::Int]).await?, "count")
    }

    #[tracing::instrument(skip_all)]
    async fn import(&self, actor: &Actor, data: &Dataset) -> Result<ImportSummary> {
        self.import_as(actor, data, Mode::Upsert).await
    }

    async fn import_new(&self, actor: &Actor, data: &Dataset) -> Result<ImportSummary> {
        self.import_as(actor, data, Mode::AddNew).await
    }

    #[tracing::instrument(skip_all)]
    async fn import_preview(&self, actor: &Actor, data: &Dataset) -> Result<Vec<crate::PreviewRow>> {
        let mut tx = self.pool.begin().await?;
        let mut rows = Vec::with_capacity(data.len());
        let mut cache = RefCache::new();
        let mut done = crate::audit::lock_head(&mut tx).await;
        for kind in RecordKind::ALL {
            if done.is_err() {
                break;
            }
            done = with_record!(
                *kind,
                R => preview_section::<R>(&mut tx, actor, data.section::<R>(), self.scope(), &mut cache, &mut rows).await,
                Ok(())
            );
        }
        // Nothing of a preview stays.
        if let Err(rb) = tx.rollback().await {
            tracing::warn!(error = %rb, "rollback failed");
        }
        done.map(|()| rows)
    }

    #[tracing::instrument(skip_all)]
    async fn export(&self) -> Result<Dataset> {
        let mut ds = Dataset::default();
        for kind in RecordKind::ALL {
            with_record!(*kind, R => *ds.section_mut::<R>() = export_kind::<R>(&self.pool, self.scope()).await?, ());
        }
        Ok(ds)
    }
}

impl AuditLog for SqlStore {
    async fn head_seq(&self) -> Result<i64> {
        single_int(
            self.pool
                .rows("SELECT seq FROM audit_head WHERE id = 1", &[], &[Ty::Int])
                .await?,
            "audit_head",
        )
    }

    #[tracing::instrument(skip_all)]
    async fn audit(&self, q: &AuditQuery) -> Result<Vec<AuditEntry>> {
        let mut wh = Vec::new();
        let mut args = Vec::new();
        if let Some(s) = self.scope() {
            args.push(Value::from(s));
            wh.push(format!("owner = ${}", args.len()));
        }
        if let Some(k) = q.kind {
            args.push(Value::from(k.code()));
            wh.push(format!("kind = ${}", args.len()));
        }
        if let Some(id) = q.record_id {
            args.push(Value::Int(id));
            wh.push(format!("record_id = ${}", args.len()));
        }
        if let Some(a) = &q.actor {
            args.push(Value::Text(a.clone()));
            wh.push(format!("actor = ${}", args.len()));
        }
        if let Some(s) = q.before_seq {
            args.push(Value::Int(s));
            wh.push(format!("seq < ${}", args.len()));
        }
        let limit = q.limit.unwrap_or(100).clamp(1, MAX_PAGE);
        let sql = format!(
            "{}{} ORDER BY seq DESC LIMIT {limit}",
            audit::SELECT,
            if wh.is_empty() {
                String::new()
            } else {
                format!(" WHERE {}", wh.join(" AND "))
            }
        );
        let rows = self.pool.rows(&sql, &args, audit::TYPES).await?;
        rows.into_iter().map(audit::decode).collect()
    }

    #[tracing::instrument(skip_all)]
    async fn verify_audit(&self) -> Result<AuditCheck> {
        // One chain links every agency's entries: it is recomputed whole,
        // whoever asks; only the verdict and the count come back.
        let pool = self.pool.installation();
        let mut prev = "0".repeat(64);
        let mut after = 0i64;
        let mut entries = 0i64;
        loop {
            let sql = format!("{} WHERE seq > $1 ORDER BY seq LIMIT 5000", audit::SELECT);
            let rows = pool.rows(&sql, &[Value::Int(after)], audit::TYPES).await?;
            if rows.is_empty() {
                break;
            }
            for row in rows {
                let e = audit::decode(row)?;
                entries += 1;
                if e.seq != entries || e.prev_hash != prev || audit::entry_hash(&e) != e.hash {
                    return Ok(AuditCheck {
                        entries,
                        broken_at: Some(e.seq),
                    });
                }
                prev = e.hash.clone();
                after = e.seq;
            }
        }
        // The head must point at the last entry: a truncated tail shows here.
        let head = pool
            .rows(
                "SELECT seq, hash FROM audit_head WHERE id = 1",
                &[],
                &[Ty::Int, Ty::Text],
            )
            .await?;
        let ok = head
            .first()
            .is_some_and(|h| h[0].as_i64() == Some(entries) && h[1].as_str() == Some(prev.as_str()));
        Ok(AuditCheck {
            entries,
            broken_at: if ok { None } else { Some(entries + 1) },
        })
    }
}

impl Figures for SqlStore {
    #[tracing::instrument(skip_all)]
    async fn summary(&self, range: canhgiac_domain::DateRange) -> Result<Summary> {
        summary::compute(&self.pool, range, self.scope()).await
    }

    async fn item_counts(&self, range: canhgiac_domain::DateRange) -> Result<Vec<crate::ItemCount>> {
        summary::item_counts(&self.pool, range, self.scope()).await
    }

    async fn item_months(&self, range: canhgiac_domain::DateRange) -> Result<Vec<(String, i64)>> {
        summary::item_months(&self.pool, range, self.scope()).await
    }

    async fn item_ids(
        &self,
        range: canhgiac_domain::DateRange,
        topic: Option<&str>,
        outlets: &[String],
        limit: Option<u32>,
    ) -> Result<Vec<i64>> {
        summary::item_ids(&self.pool, self.scope(), range, topic, outlets, limit).await
    }
}

impl IssuedReports for SqlStore {
    #[tracing::instrument(skip_all)]
    async fn issue_report(&self, actor: &Actor, new: &crate::NewIssuedReport) -> Result<crate::IssuedReport> {
        let (actor, new) = (actor.clone(), new.clone());
        self.in_tx(move |tx| Box::pin(async move { crate::issued::issue(tx, &actor, &new).await }))
            .await
    }

    async fn issued_reports(&self, number: Option<&str>) -> Result<Vec<crate::IssuedReport>> {
        crate::issued::list(&self.pool, number, self.scope()).await
    }

    async fn issued_report(&self, id: i64) -> Result<Option<crate::IssuedReport>> {
        let r = crate::issued::get(&self.pool, id).await?;
        Ok(r.filter(|r| self.scope().is_none_or(|s| s == r.agency)))
    }

    async fn issued_report_file(&self, id: i64, name: &str) -> Result<Option<Vec<u8>>> {
        if IssuedReports::issued_report(self, id).await?.is_none() {
            return Ok(None);
        }
        crate::issued::file(&self.pool, id, name).await
    }

    async fn verify_issued_report(&self, id: i64) -> Result<bool> {
        crate::issued::verify(&self.pool, id).await
    }
}

impl crate::Submissions for SqlStore {
    #[tracing::instrument(skip_all)]
    async fn call_send(&self, actor: &Actor, new: &crate::NewCall) -> Result<crate::ReportCall> {
        let (actor, new, scope) = (actor.clone(), new.clone(), self.scope.clone());
        self.in_tx(move |tx| {
            Box::pin(async move { crate::submissions::call_send(tx, &actor, &new, scope.as_deref()).await })
        })
        .await
    }

    async fn call_receive(&self, actor: &Actor, call: &crate::ReportCall) -> Result<crate::ReportCall> {
        let (actor, call, scope) = (actor.clone(), call.clone(), self.scope.clone());
        self.in_tx(move |tx| {
            Box::pin(async move { crate::submissions::call_receive(tx, &actor, &call, scope.as_deref()).await })
        })
        .await
    }

    async fn calls(&self) -> Result<Vec<crate::ReportCall>> {
        let scope = self.scope.clone();
        self.in_tx(move |tx| Box::pin(async move { crate::submissions::calls(tx, scope.as_deref()).await }))
            .await
    }

    async fn call(&self, id: i64) -> Result<Option<crate::ReportCall>> {
        let scope = self.scope.clone();
        self.in_tx(move |tx| Box::pin(async move { crate::submissions::call_get(tx, id, scope.as_deref()).await }))
            .await
    }

    #[tracing::instrument(skip_all)]
    async fn submit(&self, actor: &Actor, new: &crate::NewSubmission) -> Result<crate::Submission> {
        let (actor, new, scope) = (actor.clone(), new.clone(), self.scope.clone());
        self.in_tx(move |tx| {
            Box::pin(async move { crate::submissions::submit(tx, &actor, &new, scope.as_deref()).await })
        })
        .await
    }

    async fn submissions(&self, call_id: i64) -> Result<Vec<crate::Submission>> {
        let scope = self.scope.clone();
        self.in_tx(move |tx| {
            Box::pin(async move { crate::submissions::submissions(tx, call_id, scope.as_deref()).await })
        })
        .await
    }

    async fn submission(&self, id: i64) -> Result<Option<crate::Submission>> {
        let scope = self.scope.clone();
        self.in_tx(move |tx| {
            Box::pin(async move { crate::submissions::submission_get(tx, id, scope.as_deref()).await })
        })
        .await
    }

    async fn submission_files(&self, id: i64) -> Result<Vec<canhgiac_domain::submission::FileEntry>> {
        if crate::Submissions::submission(self, id).await?.is_none() {
            return Ok(Vec::new());
        }
        crate::submissions::submission_files(&self.pool, id).await
    }

    async fn submission_file(&self, id: i64, name: &str) -> Result<Option<Vec<u8>>> {
        if crate::Submissions::submission(self, id).await?.is_none() {
            return Ok(None);
        }
        crate::submissions::submission_file(&self.pool, id, name).await
    }

    #[tracing::instrument(skip_all)]
    async fn decide(&self, actor: &Actor, id: i64, decision: &crate::Decision) -> Result<crate::Submission> {
        let (actor, decision, scope) = (actor.clone(), decision.clone(), self.scope.clone());
        self.in_tx(move |tx| {
            Box::pin(async move { crate::submissions::decide(tx, &actor, id, &decision, scope.as_deref()).await })
        })
        .await
    }

    async fn key_register(&self, actor: &Actor, agency: &str, public_key: &str, secret: Option<&str>) -> Result<()> {
        let (actor, scope) = (actor.clone(), self.scope.clone());
        let (agency, public_key, secret) = (agency.to_owned(), public_key.to_owned(), secret.map(str::to_owned));
        self.in_tx(move |tx| {
            Box::pin(async move {
                crate::submissions::key_register(tx, &actor, &agency, &public_key, secret.as_deref(), scope.as_deref())
                    .await
            })
        })
        .await
    }

    async fn keys(&self, agency: &str) -> Result<Vec<crate::AgencyKey>> {
        let agency = agency.to_owned();
        self.in_tx(move |tx| Box::pin(async move { crate::submissions::keys(tx, &agency).await }))
            .await
    }

    async fn signing_secret(&self, agency: &str) -> Result<Option<(String, String)>> {
        if self.scope.as_deref().is_some_and(|s| s != agency) {
            return Ok(None);
        }
        let agency = agency.to_owned();
        self.in_tx(move |tx| Box::pin(async move { crate::submissions::signing_secret(tx, &agency).await }))
            .await
    }
}

impl Access for SqlStore {
    async fn session_create(&self, secret: &str, s: &crate::Session) -> Result<()> {
        crate::access::session_create(&self.pool, secret, s).await
    }

    async fn session_get(&self, secret: &str) -> Result<Option<crate::Session>> {
        crate::access::session_get(&self.pool, secret).await
    }

    async fn session_delete(&self, secret: &str) -> Result<()> {
        crate::access::session_delete(&self.pool, secret).await
    }

    async fn token_create(&self, secret: &str, t: &crate::ApiToken) -> Result<()> {
        crate::access::token_create(&self.pool, secret, t).await
    }

    async fn token_get(&self, secret: &str) -> Result<Option<crate::ApiToken>> {
        crate::access::token_get(&self.pool, secret).await
    }

    async fn token_list(&self) -> Result<Vec<(String, crate::ApiToken)>> {
        crate::access::token_list(&self.pool, self.scope()).await
    }

    async fn agency_of_user(&self, username: &str) -> Result<Option<String>> {
        crate::access::agency_of_user(&self.pool, username).await
    }

    async fn token_revoke(&self, hash: &str) -> Result<bool> {
        crate::access::token_revoke(&self.pool, hash, self.scope()).await
    }

    async fn sessions_end_for(&self, username: &str, keep_csrf: Option<&str>) -> Result<u64> {
        crate::access::sessions_end_for(&self.pool, username, keep_csrf, self.scope()).await
    }

    async fn tokens_revoke_for(&self, username: &str) -> Result<u64> {
        crate::access::tokens_revoke_for(&self.pool, username, self.scope()).await
    }

    async fn sign_in_attempt(&self, keys: &[String]) -> Result<Vec<(i64, Option<Timestamp>)>> {
        crate::access::attempt(&self.pool, keys).await
    }

    async fn sign_in_clear(&self, keys: &[String]) -> Result<()> {
        crate::access::attempts_clear(&self.pool, keys).await
    }
}

impl Jobs for SqlStore {
    #[tracing::instrument(skip_all)]
    async fn enqueue(&self, job: &NewJob) -> Result<Option<i64>> {
        jobs::enqueue(&self.pool, job).await
    }

    #[tracing::instrument(skip_all)]
    async fn lease(&self, holder: &str, kinds: &[String], lease_for: Duration) -> Result<Option<Lease>> {
        jobs::lease(&self.pool, holder, kinds, lease_for).await
    }

    #[tracing::instrument(skip_all)]
    async fn renew(&self, lease: &Lease, lease_for: Duration) -> Result<bool> {
        jobs::renew(&self.pool, lease, lease_for).await
    }

    #[tracing::instrument(skip_all)]
    async fn complete(&self, lease: &Lease, outcome: &Outcome) -> Result<bool> {
        jobs::complete(&self.pool, lease, outcome).await
    }

    #[tracing::instrument(skip_all)]
    async fn reap_jobs(&self) -> Result<u64> {
        jobs::reap(&self.pool).await
    }

    async fn job_counts(&self) -> Result<Vec<JobCount>> {
        jobs::counts(&self.pool).await
    }

    async fn job_states(&self, kind: &str) -> Result<Vec<JobState>> {
        jobs::job_states(&self.pool, kind).await
    }

    async fn worker_heartbeat(&self, w: &WorkerInfo) -> Result<()> {
        jobs::heartbeat(&self.pool, w).await
    }

    async fn workers_alive(&self, within: Duration) -> Result<i64> {
        jobs::workers_alive(&self.pool, within).await
    }
}

impl Worklists for SqlStore {
    #[tracing::instrument(skip(self))]
    async fn due_rechecks(&self, today: canhgiac_domain::Date, limit: u32) -> Result<Vec<Stored<TakedownCheck>>> {
        let mut args = vec![Value::Text(today.iso())];
        let owner = owner_clause(RecordKind::TakedownCheck, self.scope(), "t.", &mut args);
        let sql = format!(
            "SELECT {} FROM takedown_checks t WHERE t.next_check_on IS NOT NULL AND t.next_check_on <= $1 \
             AND NOT EXISTS (SELECT 1 FROM takedown_checks u WHERE u.\"case\" = t.\"case\" AND u.url = t.url \
             AND (u.checked_at > t.checked_at OR (u.checked_at = t.checked_at AND u.id > t.id))){} \
             ORDER BY t.next_check_on, t.id LIMIT {}",
            select_list_in(RecordKind::TakedownCheck, "t."),
            owner.map_or(String::new(), |c| format!(" AND {c}")),
            limit.clamp(1, MAX_PAGE)
        );
        let rows = self
            .pool
            .rows(&sql, &args, &row_types(RecordKind::TakedownCheck))
            .await?;
        rows.into_iter().map(decode).collect()
    }

    #[tracing::instrument(skip(self))]
    async fn stations_expiring(
        &self,
        from: Option<canhgiac_domain::Date>,
        to: canhgiac_domain::Date,
        limit: u32,
    ) -> Result<Vec<Stored<canhgiac_domain::BtsStation>>> {
        // One indexed range per date column, then the earlier of the two.
        let mut args = vec![
            Value::Text(from.map_or_else(|| "0000-00-00".to_owned(), |d| d.iso())),
            Value::Text(to.iso()),
        ];
        let owner = owner_clause(RecordKind::BtsStation, self.scope(), "", &mut args)
            .map_or(String::new(), |c| format!(" AND {c}"));
        let sql = format!(
            "SELECT {cols} FROM bts_stations WHERE id IN (\
             SELECT id FROM bts_stations WHERE certificate_expires BETWEEN $1 AND $2{owner} \
             UNION SELECT id FROM bts_stations WHERE licence_expires BETWEEN $1 AND $2{owner}) \
             ORDER BY CASE WHEN licence_expires BETWEEN $1 AND $2 AND (certificate_expires IS NULL \
             OR certificate_expires NOT BETWEEN $1 AND $2 OR licence_expires < certificate_expires) \
             THEN licence_expires ELSE certificate_expires END, id LIMIT {limit}",
            cols = select_list(RecordKind::BtsStation),
            limit = limit.clamp(1, MAX_PAGE)
        );
        let rows = self.pool.rows(&sql, &args, &row_types(RecordKind::BtsStation)).await?;
        rows.into_iter().map(decode).collect()
    }
}

impl crate::Sources for SqlStore {
    #[tracing::instrument(skip_all)]
    async fn source_health(&self, ids: &[i64]) -> Result<Vec<(i64, canhgiac_domain::SourceHealth)>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let mut args: Vec<Value> = chunk.iter().map(|i| Value::Int(*i)).collect();
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let owner = owner_clause(RecordKind::Source, self.scope(), "", &mut args)
                .map_or(String::new(), |c| format!(" AND {c}"));
            let sql = format!(
                "SELECT source_id, state FROM source_health WHERE source_id IN ({}){owner}",
                marks.join(", ")
            );
            for row in self.pool.rows(&sql, &args, &[Ty::Int, Ty::Text]).await? {
                let mut c = crate::db::Cols::new(row, "source_health");
                let id = c.int()?;
                let state = c.text()?;
                let health: canhgiac_domain::SourceHealth = serde_json::from_str(&state)
                    .map_err(|e| StoreError::Corrupt(format!("tình trạng nguồn tin mã số {id}: {e}")))?;
                out.push((id, health));
            }
        }
        Ok(out)
    }

    #[tracing::instrument(skip(self, health))]
    async fn put_source_health(&self, id: i64, health: &canhgiac_domain::SourceHealth) -> Result<()> {
        let state = serde_json::to_string(health).map_err(|e| internal(RecordKind::Source, e))?;
        let mut args = vec![
            Value::Int(id),
            Value::Text(state),
            Value::Text(health.next_due.rfc3339()),
            Value::Text(Timestamp::now().rfc3339()),
        ];
        let owner = owner_clause(RecordKind::Source, self.scope(), "", &mut args)
            .map_or(String::new(), |c| format!(" AND {c}"));
        let sql = format!(
            "INSERT INTO source_health (source_id, owner, state, next_due, updated_at) \
             SELECT id, owner, $2, $3, $4 FROM sources WHERE id = $1{owner} \
             ON CONFLICT (source_id) DO UPDATE SET state = excluded.state, next_due = excluded.next_due, \
             updated_at = excluded.updated_at"
        );
        let mut tx = self.pool.begin().await?;
        let n = tx.exec(&sql, &args).await?;
        tx.commit().await?;
        if n == 0 {
            return Err(StoreError::NotFound {
                kind: RecordKind::Source,
                id,
            });
        }
        Ok(())
    }

    #[tracing::instrument(skip(self))]
    async fn sources_due(&self, now: Timestamp, limit: u32) -> Result<Vec<(i64, Option<String>)>> {
        let mut args = vec![Value::Text(now.rfc3339())];
        let owner = owner_clause(RecordKind::Source, self.scope(), "s.", &mut args)
            .map_or(String::new(), |c| format!(" AND {c}"));
        let sql = format!(
            "SELECT s.id, s.owner FROM sources s LEFT JOIN source_health h ON h.source_id = s.id \
             WHERE s.active AND (h.next_due IS NULL OR h.next_due <= $1){owner} \
             ORDER BY COALESCE(h.next_due, ''), s.id LIMIT {}",
            limit.clamp(1, MAX_PAGE)
        );
        let rows = self.pool.rows(&sql, &args, &[Ty::Int, Ty::Text]).await?;
        rows.into_iter()
            .map(|r| {
                let mut c = crate::db::Cols::new(r, "sources_due");
                Ok((c.int()?, c.opt_text()?))
            })
            .collect()
    }

    #[tracing::instrument(skip(self))]
    async fn item_titles(
        &self,
        outlet: &str,
        titles: &[String],
        from: canhgiac_domain::Date,
        to: canhgiac_domain::Date,
    ) -> Result<Vec<(String, canhgiac_domain::Date)>> {
        let mut out = Vec::new();
        // Rows stored before the folded title was kept have none: they are
        // read whatever their title, once.
        let mut unkept = true;
        for chunk in titles.chunks(500) {
            let mut args = vec![Value::from(outlet), Value::Text(from.iso()), Value::Text(to.iso())];
            let owner = owner_clause(RecordKind::MediaItem, self.scope(), "", &mut args)
                .map_or(String::new(), |c| format!(" AND {c}"));
            let first = args.len();
            args.extend(chunk.iter().map(|t| Value::from(t.as_str())));
            let marks: Vec<String> = (first + 1..=args.len()).map(|i| format!("${i}")).collect();
            let or_unkept = if std::mem::take(&mut unkept) {
                " OR title_key IS NULL"
            } else {
                ""
            };
            let sql = format!(
                "SELECT title, published_on FROM media_items WHERE outlet = $1 AND published_on BETWEEN $2 AND $3{owner} \
                 AND (title_key IN ({}){or_unkept}) LIMIT 100000",
                marks.join(", ")
            );
            for r in self.pool.rows(&sql, &args, &[Ty::Text, Ty::Text]).await? {
                let mut c = crate::db::Cols::new(r, "item_titles");
                let title = c.text()?;
                let day = c.text()?;
                let day = canhgiac_domain::Date::parse(&day)
                    .map_err(|e| StoreError::Corrupt(format!("ngày đăng «{day}»: {e}")))?;
                out.push((title, day));
            }
        }
        Ok(out)
    }

    #[tracing::instrument(skip_all)]
    async fn items_with_urls(&self, urls: &[String]) -> Result<std::collections::HashSet<String>> {
        let mut found = std::collections::HashSet::new();
        for chunk in urls.chunks(500) {
            let mut args: Vec<Value> = chunk.iter().map(|u| Value::from(u.as_str())).collect();
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let owner = owner_clause(RecordKind::MediaItem, self.scope(), "", &mut args)
                .map_or(String::new(), |c| format!(" AND {c}"));
            let sql = format!("SELECT url FROM media_items WHERE url IN ({}){owner}", marks.join(", "));
            for row in self.pool.rows(&sql, &args, &[Ty::Text]).await? {
                found.insert(crate::db::Cols::new(row, "items_with_urls").text()?);
            }
        }
        Ok(found)
    }

    #[tracing::instrument(skip_all)]
    async fn existing_keys(&self, kind: RecordKind, keys: &[String]) -> Result<std::collections::HashSet<String>> {
        let mut found = std::collections::HashSet::new();
        for chunk in keys.chunks(500) {
            let mut args: Vec<Value> = chunk.iter().map(|k| Value::from(k.as_str())).collect();
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let owner = owner_clause(kind, self.scope(), "", &mut args).map_or(String::new(), |c| format!(" AND {c}"));
            let sql = format!(
                "SELECT \"key\" FROM {} WHERE \"key\" IN ({}){owner}",
                kind.plural(),
                marks.join(", ")
            );
            for row in self.pool.rows(&sql, &args, &[Ty::Text]).await? {
                found.insert(crate::db::Cols::new(row, "existing_keys").text()?);
            }
        }
        Ok(found)
    }
}

impl Health for SqlStore {
    async fn ping(&self) -> Result<()> {
        single_int(
            self.pool.rows("SELECT CAST(1 AS BIGINT)", &[], &[Ty::Int]).await?,
            "ping",
        )
        .map(|_| ())
    }

    async fn schema_versions(&self) -> Result<(i64, i64)> {
        let applied = single_int(
            self.pool
                .rows(
                    "SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) FROM schema_migrations",
                    &[],
                    &[Ty::Int],
                )
                .await?,
            "schema_migrations",
        )?;
        Ok((applied, schema::latest_version()))
    }
}
