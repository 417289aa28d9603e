//! [`Store`] on SQLite or PostgreSQL, through the portable layer in `db`.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use canhgiac_domain::{fold, AuditAction, AuditEntry, Dataset, Record, RecordKind, Timestamp};
use serde_json::{Map, Value as Json};

use crate::audit::{self, AuditCheck, AuditQuery};
use crate::db::{Engine, Pool, Tx, Ty, Value};
use crate::schema::{self, ColTy, TableDef};
use crate::summary::{self, Summary};
use crate::{Actor, ImportSummary, ListQuery, Put, Result, Store, StoreError, Stored};

/// Largest page a list returns.
pub const MAX_PAGE: u32 = 1000;

/// The file of the embedded store inside the data folder.
pub const SQLITE_FILE: &str = "canhgiac.sqlite";

#[derive(Clone, Debug)]
pub struct SqlStore {
    pool: Pool,
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
        Ok(SqlStore { pool })
    }

    pub fn engine(&self) -> Engine {
        self.pool.engine()
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

// ------------------------------------------------------------------ mapping

fn quoted(c: &str) -> String {
    format!("\"{c}\"")
}

fn select_list(def: &TableDef) -> String {
    let mut s = String::from("id, \"key\", version, created_at, updated_at");
    for (c, _) in def.columns {
        s.push_str(", ");
        s.push_str(&quoted(c));
    }
    s
}

fn row_types(def: &TableDef) -> Vec<Ty> {
    let mut t = vec![Ty::Int, Ty::Text, Ty::Int, Ty::Text, Ty::Text];
    t.extend(def.columns.iter().map(|(_, c)| c.ty()));
    t
}

fn internal(kind: RecordKind, what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{}: {what}", kind.code()))
}

/// The record as a JSON object whose fields are exactly the table's columns.
fn record_json<R: Record>(rec: &R) -> Result<Map<String, Json>> {
    match serde_json::to_value(rec) {
        Ok(Json::Object(m)) => Ok(m),
        Ok(_) => Err(internal(R::KIND, "not an object")),
        Err(e) => Err(internal(R::KIND, e)),
    }
}

fn column_values(def: &TableDef, obj: &Map<String, Json>) -> Result<Vec<Value>> {
    if let Some(extra) = obj.keys().find(|k| !def.columns.iter().any(|(c, _)| c == k)) {
        return Err(internal(def.kind, format!("field {extra} has no column")));
    }
    def.columns
        .iter()
        .map(|(c, ty)| {
            let v = obj.get(*c).unwrap_or(&Json::Null);
            Ok(match (ty, v) {
                (_, Json::Null) => Value::Null(ty.ty()),
                (ColTy::Json, v) => Value::Text(v.to_string()),
                (ColTy::Text, Json::String(s)) => Value::Text(s.clone()),
                (ColTy::Int, Json::Number(n)) => Value::Int(
                    n.as_i64()
                        .ok_or_else(|| internal(def.kind, format!("{c} out of range")))?,
                ),
                (ColTy::Bool, Json::Bool(b)) => Value::Bool(*b),
                _ => return Err(internal(def.kind, format!("field {c} has the wrong type"))),
            })
        })
        .collect()
}

fn search_text(def: &TableDef, obj: &Map<String, Json>) -> String {
    let mut s = String::new();
    for f in def.search {
        match obj.get(*f) {
            Some(Json::String(v)) => {
                s.push_str(v);
                s.push(' ');
            }
            Some(v @ (Json::Array(_) | Json::Object(_))) => {
                collect_strings(v, &mut s);
            }
            _ => {}
        }
    }
    fold(&s)
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

fn decode<R: Record>(def: &TableDef, row: Vec<Value>) -> Result<Stored<R>> {
    let mut it = row.into_iter();
    let id = it
        .next()
        .and_then(|v| v.as_i64())
        .ok_or_else(|| internal(R::KIND, "id"))?;
    let key = it
        .next()
        .and_then(Value::into_string)
        .ok_or_else(|| internal(R::KIND, "key"))?;
    let version = it
        .next()
        .and_then(|v| v.as_i64())
        .ok_or_else(|| internal(R::KIND, "version"))?;
    let ts = |v: Option<Value>| -> Result<Timestamp> {
        let s = v
            .and_then(Value::into_string)
            .ok_or_else(|| internal(R::KIND, "timestamp"))?;
        Timestamp::parse(&s).map_err(|e| internal(R::KIND, e))
    };
    let created_at = ts(it.next())?;
    let updated_at = ts(it.next())?;
    let mut obj = Map::new();
    for ((c, ty), v) in def.columns.iter().zip(it) {
        let j = match (ty, v) {
            (_, Value::Null(_)) => Json::Null,
            (ColTy::Json, Value::Text(s)) => serde_json::from_str(&s).map_err(|e| internal(R::KIND, e))?,
            (_, Value::Text(s)) => Json::String(s),
            (_, Value::Int(i)) => Json::from(i),
            (_, Value::Bool(b)) => Json::Bool(b),
            (_, Value::Bytes(_)) => return Err(internal(R::KIND, format!("{c} holds bytes"))),
        };
        obj.insert((*c).to_owned(), j);
    }
    let record: R = serde_json::from_value(Json::Object(obj))
        .map_err(|e| StoreError::Corrupt(format!("{} mã số {id}: {e}", R::KIND.label_vn())))?;
    Ok(Stored {
        id,
        key,
        version,
        created_at,
        updated_at,
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
    StoreError::Database(e)
}

// ------------------------------------------------------------------ writes

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Create,
    Upsert,
}

/// Keys known to exist in this transaction, so a bulk import checks each
/// reference once.
type RefCache = HashSet<(RecordKind, String)>;

async fn fetch_by_key<R: Record>(tx: &mut Tx, def: &TableDef, key: &str) -> Result<Option<Stored<R>>> {
    let sql = format!("SELECT {} FROM {} WHERE \"key\" = $1", select_list(def), def.table);
    match tx.row(&sql, &[Value::from(key)], &row_types(def)).await? {
        Some(row) => Ok(Some(decode(def, row)?)),
        None => Ok(None),
    }
}

async fn fetch_by_id<R: Record>(tx: &mut Tx, def: &TableDef, id: i64) -> Result<Option<Stored<R>>> {
    let sql = format!("SELECT {} FROM {} WHERE id = $1", select_list(def), def.table);
    match tx.row(&sql, &[Value::Int(id)], &row_types(def)).await? {
        Some(row) => Ok(Some(decode(def, row)?)),
        None => Ok(None),
    }
}

async fn check_references<R: Record>(tx: &mut Tx, rec: &R, key: &str, cache: &mut RefCache) -> Result<()> {
    for (target_kind, target) in rec.references() {
        if cache.contains(&(target_kind, target.clone())) {
            continue;
        }
        let t = schema::table(target_kind);
        let sql = format!("SELECT id FROM {} WHERE \"key\" = $1", t.table);
        if tx
            .row(&sql, &[Value::from(target.as_str())], &[Ty::Int])
            .await?
            .is_none()
        {
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

/// Keeps `media_item_topics` equal to the item's topic list.
async fn sync_links(tx: &mut Tx, def: &TableDef, id: i64, obj: &Map<String, Json>) -> Result<()> {
    if def.kind != RecordKind::MediaItem {
        return Ok(());
    }
    tx.exec("DELETE FROM media_item_topics WHERE item_id = $1", &[Value::Int(id)])
        .await?;
    let day = obj
        .get("published_on")
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_owned();
    let outlet = obj.get("outlet").and_then(Json::as_str).unwrap_or_default().to_owned();
    let original = obj.get("duplicate_of").is_none_or(Json::is_null);
    let mut seen = HashSet::new();
    if let Some(Json::Array(topics)) = obj.get("topics") {
        for t in topics.iter().filter_map(Json::as_str) {
            if seen.insert(t) {
                tx.exec(
                    "INSERT INTO media_item_topics (item_id, topic, published_on, outlet, original) VALUES ($1, $2, $3, $4, $5)",
                    &[
                        Value::Int(id),
                        Value::from(t),
                        Value::from(day.as_str()),
                        Value::from(outlet.as_str()),
                        Value::Bool(original),
                    ],
                )
                .await?;
            }
        }
    }
    Ok(())
}

/// The day-count rows a media item contributes: (day, topic, outlet,
/// featured); topic "" is the item itself. Copies contribute nothing.
fn day_count_rows(obj: &Map<String, Json>) -> Vec<(String, String, String, bool)> {
    if !obj.get("duplicate_of").is_none_or(Json::is_null) {
        return Vec::new();
    }
    let s = |k: &str| obj.get(k).and_then(Json::as_str).unwrap_or_default().to_owned();
    let (day, outlet) = (s("published_on"), s("outlet"));
    let featured = obj.get("featured").and_then(Json::as_bool).unwrap_or(false);
    let mut rows = vec![(day.clone(), String::new(), outlet.clone(), featured)];
    let mut seen = HashSet::new();
    if let Some(Json::Array(topics)) = obj.get("topics") {
        for t in topics.iter().filter_map(Json::as_str) {
            if seen.insert(t) {
                rows.push((day.clone(), t.to_owned(), outlet.clone(), featured));
            }
        }
    }
    rows
}

/// Adds (`sign` = 1) or removes (-1) a media item from the day counts.
async fn adjust_day_counts(tx: &mut Tx, def: &TableDef, obj: &Map<String, Json>, sign: i64) -> Result<()> {
    if def.kind != RecordKind::MediaItem {
        return Ok(());
    }
    for (day, topic, outlet, featured) in day_count_rows(obj) {
        tx.exec(
            "INSERT INTO media_item_day_counts (day, topic, outlet, items, featured) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (day, topic, outlet) DO UPDATE SET items = media_item_day_counts.items + excluded.items, \
             featured = media_item_day_counts.featured + excluded.featured",
            &[
                Value::Text(day),
                Value::Text(topic),
                Value::Text(outlet),
                Value::Int(sign),
                Value::Int(if featured { sign } else { 0 }),
            ],
        )
        .await?;
    }
    Ok(())
}

async fn put_in_tx<R: Record>(tx: &mut Tx, actor: &Actor, rec: &R, mode: Mode, cache: &mut RefCache) -> Result<Put> {
    let def = schema::table(R::KIND);
    let key = rec.key();
    rec.validate().map_err(|errors| StoreError::Invalid {
        kind: R::KIND,
        key: key.clone(),
        errors,
    })?;
    check_references(tx, rec, &key, cache).await?;
    let obj = record_json(rec)?;
    let values = column_values(def, &obj)?;
    let search = search_text(def, &obj);
    let now = Timestamp::now().rfc3339();
    let existing: Option<Stored<R>> = fetch_by_key(tx, def, &key).await?;
    match existing {
        Some(_) if mode == Mode::Create => Err(StoreError::Conflict { kind: R::KIND, key }),
        Some(old) if &old.record == rec => Ok(Put::Unchanged(old.id)),
        Some(old) => {
            write_update(tx, actor, def, &old, &key, obj, values).await?;
            Ok(Put::Updated(old.id))
        }
        None => {
            let mut cols = vec![
                "\"key\"".to_owned(),
                "version".into(),
                "created_at".into(),
                "updated_at".into(),
                "search".into(),
            ];
            let mut args = vec![
                Value::Text(key.clone()),
                Value::Int(1),
                Value::Text(now.clone()),
                Value::Text(now),
                Value::Text(search),
            ];
            for ((c, _), v) in def.columns.iter().zip(values) {
                cols.push(quoted(c));
                args.push(v);
            }
            let placeholders: Vec<String> = (1..=args.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "INSERT INTO {} ({}) VALUES ({}) RETURNING id",
                def.table,
                cols.join(", "),
                placeholders.join(", ")
            );
            let row = tx
                .row(&sql, &args, &[Ty::Int])
                .await
                .map_err(|e| map_db(e, R::KIND, &key))?
                .ok_or_else(|| internal(R::KIND, "insert returned no id"))?;
            let id = row[0].as_i64().ok_or_else(|| internal(R::KIND, "id"))?;
            sync_links(tx, def, id, &obj).await?;
            adjust_day_counts(tx, def, &obj, 1).await?;
            audit::append(
                tx,
                actor,
                AuditAction::Create,
                R::KIND,
                &key,
                id,
                None,
                Some(Json::Object(obj)),
            )
            .await?;
            cache.insert((R::KIND, key));
            Ok(Put::Created(id))
        }
    }
}

async fn update_in_tx<R: Record>(tx: &mut Tx, actor: &Actor, id: i64, expected: Option<i64>, rec: &R) -> Result<()> {
    let def = schema::table(R::KIND);
    let key = rec.key();
    rec.validate().map_err(|errors| StoreError::Invalid {
        kind: R::KIND,
        key: key.clone(),
        errors,
    })?;
    let old: Stored<R> = fetch_by_id(tx, def, id)
        .await?
        .ok_or(StoreError::NotFound { kind: R::KIND, id })?;
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
    check_references(tx, rec, &key, &mut RefCache::new()).await?;
    let obj = record_json(rec)?;
    let values = column_values(def, &obj)?;
    write_update(tx, actor, def, &old, &key, obj, values).await
}

/// Replaces a stored record (`old`) with new values, if its version has not
/// moved, and keeps the derived tables and the audit trail in step.
async fn write_update<R: Record>(
    tx: &mut Tx,
    actor: &Actor,
    def: &TableDef,
    old: &Stored<R>,
    key: &str,
    obj: Map<String, Json>,
    values: Vec<Value>,
) -> Result<()> {
    let mut sets = vec![
        "version = version + 1".to_owned(),
        "updated_at = $1".to_owned(),
        "search = $2".to_owned(),
        "\"key\" = $3".to_owned(),
    ];
    let mut args = vec![
        Value::Text(Timestamp::now().rfc3339()),
        Value::Text(search_text(def, &obj)),
        Value::Text(key.to_owned()),
    ];
    for ((c, _), v) in def.columns.iter().zip(values) {
        args.push(v);
        sets.push(format!("{} = ${}", quoted(c), args.len()));
    }
    args.push(Value::Int(old.id));
    args.push(Value::Int(old.version));
    let sql = format!(
        "UPDATE {} SET {} WHERE id = ${} AND version = ${}",
        def.table,
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
    sync_links(tx, def, old.id, &obj).await?;
    adjust_day_counts(tx, def, &record_json(&old.record)?, -1).await?;
    adjust_day_counts(tx, def, &obj, 1).await?;
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

async fn delete_in_tx<R: Record>(tx: &mut Tx, actor: &Actor, id: i64) -> Result<()> {
    let def = schema::table(R::KIND);
    let old: Stored<R> = fetch_by_id(tx, def, id)
        .await?
        .ok_or(StoreError::NotFound { kind: R::KIND, id })?;
    let sql = format!("DELETE FROM {} WHERE id = $1", def.table);
    tx.exec(&sql, &[Value::Int(id)])
        .await
        .map_err(|e| map_db(e, R::KIND, &old.key))?;
    adjust_day_counts(tx, def, &record_json(&old.record)?, -1).await?;
    let before = serde_json::to_value(&old.record).map_err(|e| internal(R::KIND, e))?;
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
    .await
}

/// Writes one section of a dataset, numbering errors by position.
async fn import_section<R: Record>(
    tx: &mut Tx,
    actor: &Actor,
    recs: &[R],
    cache: &mut RefCache,
    summary: &mut ImportSummary,
) -> Result<()> {
    if recs.is_empty() {
        return Ok(());
    }
    let mut seen: HashMap<String, usize> = HashMap::with_capacity(recs.len());
    let (mut created, mut updated, mut unchanged) = (0, 0, 0);
    for (index, rec) in recs.iter().enumerate() {
        let at = |source: StoreError| StoreError::AtRecord {
            kind: R::KIND,
            index,
            inner: Box::new(source),
        };
        let key = rec.key();
        if let Some(first) = seen.insert(key.clone(), index) {
            return Err(at(StoreError::Schema(format!(
                "trùng khóa «{key}» với bản ghi thứ {} trong cùng tệp",
                first + 1
            ))));
        }
        match put_in_tx(tx, actor, rec, Mode::Upsert, cache).await.map_err(at)? {
            Put::Created(_) => created += 1,
            Put::Updated(_) => updated += 1,
            Put::Unchanged(_) => unchanged += 1,
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

async fn export_kind<R: Record>(pool: &Pool) -> Result<Vec<R>> {
    let def = schema::table(R::KIND);
    let sql = format!("SELECT {} FROM {} ORDER BY id", select_list(def), def.table);
    let rows = pool.rows(&sql, &[], &row_types(def)).await?;
    rows.into_iter()
        .map(|r| decode::<R>(def, r).map(|s| s.record))
        .collect()
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

impl Store for SqlStore {
    async fn create<R: Record>(&self, actor: &Actor, rec: &R) -> Result<i64> {
        let (actor, rec) = (actor.clone(), rec.clone());
        self.in_tx(move |tx| {
            Box::pin(async move {
                put_in_tx(tx, &actor, &rec, Mode::Create, &mut RefCache::new())
                    .await
                    .map(Put::id)
            })
        })
        .await
    }

    async fn update<R: Record>(&self, actor: &Actor, id: i64, expected_version: Option<i64>, rec: &R) -> Result<()> {
        let (actor, rec) = (actor.clone(), rec.clone());
        self.in_tx(move |tx| Box::pin(async move { update_in_tx(tx, &actor, id, expected_version, &rec).await }))
            .await
    }

    async fn upsert<R: Record>(&self, actor: &Actor, rec: &R) -> Result<Put> {
        let (actor, rec) = (actor.clone(), rec.clone());
        self.in_tx(move |tx| {
            Box::pin(async move { put_in_tx(tx, &actor, &rec, Mode::Upsert, &mut RefCache::new()).await })
        })
        .await
    }

    async fn delete<R: Record>(&self, actor: &Actor, id: i64) -> Result<()> {
        let actor = actor.clone();
        self.in_tx(move |tx| Box::pin(async move { delete_in_tx::<R>(tx, &actor, id).await }))
            .await
    }

    async fn get<R: Record>(&self, id: i64) -> Result<Option<Stored<R>>> {
        let def = schema::table(R::KIND);
        let sql = format!("SELECT {} FROM {} WHERE id = $1", select_list(def), def.table);
        let rows = self.pool.rows(&sql, &[Value::Int(id)], &row_types(def)).await?;
        rows.into_iter().next().map(|r| decode(def, r)).transpose()
    }

    async fn get_many<R: Record>(&self, ids: &[i64]) -> Result<Vec<Stored<R>>> {
        let def = schema::table(R::KIND);
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let ph: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT {} FROM {} WHERE id IN ({}) ORDER BY id",
                select_list(def),
                def.table,
                ph.join(", ")
            );
            let args: Vec<Value> = chunk.iter().map(|i| Value::Int(*i)).collect();
            for row in self.pool.rows(&sql, &args, &row_types(def)).await? {
                out.push(decode(def, row)?);
            }
        }
        out.sort_by_key(|s| s.id);
        Ok(out)
    }

    async fn get_by_key<R: Record>(&self, key: &str) -> Result<Option<Stored<R>>> {
        let def = schema::table(R::KIND);
        let sql = format!("SELECT {} FROM {} WHERE \"key\" = $1", select_list(def), def.table);
        let rows = self.pool.rows(&sql, &[Value::from(key)], &row_types(def)).await?;
        rows.into_iter().next().map(|r| decode(def, r)).transpose()
    }

    async fn list<R: Record>(&self, q: &ListQuery) -> Result<Vec<Stored<R>>> {
        let def = schema::table(R::KIND);
        let mut wh: Vec<String> = Vec::new();
        let mut args: Vec<Value> = Vec::new();
        if let Some(s) = &q.search {
            for word in fold(s).split_whitespace().take(10) {
                args.push(Value::Text(format!("%{}%", escape_like(word))));
                wh.push(format!("search LIKE ${} ESCAPE '\\'", args.len()));
            }
        }
        if let Some(b) = q.before_id {
            args.push(Value::Int(b));
            wh.push(format!("id < ${}", args.len()));
        }
        if let Some(field) = def.date_field {
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
            let Some((c, ty)) = def.columns.iter().find(|(c, _)| c == col) else {
                return Err(StoreError::Schema(format!("không lọc được theo trường «{col}»")));
            };
            let v = match ty {
                ColTy::Text => Value::Text(val.clone()),
                ColTy::Bool => Value::Bool(matches!(val.as_str(), "true" | "1" | "co" | "có")),
                ColTy::Int => Value::Int(
                    val.parse()
                        .map_err(|_| StoreError::Schema(format!("«{val}» không phải số")))?,
                ),
                // A nested value matches its JSON text exactly (`topics` = `[]`).
                ColTy::Json => Value::Text(val.clone()),
            };
            args.push(v);
            wh.push(format!("{} = ${}", quoted(c), args.len()));
        }
        if let Some(t) = &q.topic {
            if def.kind != RecordKind::MediaItem {
                return Err(StoreError::Schema("chỉ lọc theo chủ đề với tin, bài".into()));
            }
            args.push(Value::Text(t.clone()));
            wh.push(format!(
                "id IN (SELECT item_id FROM media_item_topics WHERE topic = ${})",
                args.len()
            ));
        }
        let limit = q.limit.unwrap_or(100).clamp(1, MAX_PAGE);
        let sql = format!(
            "SELECT {} FROM {}{} ORDER BY id DESC LIMIT {limit}",
            select_list(def),
            def.table,
            if wh.is_empty() {
                String::new()
            } else {
                format!(" WHERE {}", wh.join(" AND "))
            }
        );
        let rows = self.pool.rows(&sql, &args, &row_types(def)).await?;
        rows.into_iter().map(|r| decode(def, r)).collect()
    }

    async fn count(&self, kind: RecordKind) -> Result<i64> {
        let sql = format!("SELECT COUNT(*) FROM {}", schema::table(kind).table);
        let rows = self.pool.rows(&sql, &[], &[Ty::Int]).await?;
        Ok(rows.first().and_then(|r| r[0].as_i64()).unwrap_or(0))
    }

    async fn import(&self, actor: &Actor, data: &Dataset) -> Result<ImportSummary> {
        let (actor, data) = (actor.clone(), data.clone());
        self.in_tx(move |tx| {
            Box::pin(async move {
                let mut s = ImportSummary::default();
                let mut c = RefCache::new();
                let d = &data;
                import_section(tx, &actor, &d.agencies, &mut c, &mut s).await?;
                import_section(tx, &actor, &d.users, &mut c, &mut s).await?;
                import_section(tx, &actor, &d.topics, &mut c, &mut s).await?;
                import_section(tx, &actor, &d.outlets, &mut c, &mut s).await?;
                import_section(tx, &actor, &d.programmes, &mut c, &mut s).await?;
                import_section(tx, &actor, &d.media_items, &mut c, &mut s).await?;
                import_section(tx, &actor, &d.directives, &mut c, &mut s).await?;
                import_section(tx, &actor, &d.report_requests, &mut c, &mut s).await?;
                import_section(tx, &actor, &d.plan_items, &mut c, &mut s).await?;
                import_section(tx, &actor, &d.cases, &mut c, &mut s).await?;
                import_section(tx, &actor, &d.evidence, &mut c, &mut s).await?;
                import_section(tx, &actor, &d.takedown_checks, &mut c, &mut s).await?;
                import_section(tx, &actor, &d.inspections, &mut c, &mut s).await?;
                import_section(tx, &actor, &d.inspection_subjects, &mut c, &mut s).await?;
                import_section(tx, &actor, &d.sanction_decisions, &mut c, &mut s).await?;
                Ok(s)
            })
        })
        .await
    }

    async fn export(&self) -> Result<Dataset> {
        let p = &self.pool;
        Ok(Dataset {
            agencies: export_kind(p).await?,
            users: export_kind(p).await?,
            topics: export_kind(p).await?,
            outlets: export_kind(p).await?,
            programmes: export_kind(p).await?,
            media_items: export_kind(p).await?,
            directives: export_kind(p).await?,
            report_requests: export_kind(p).await?,
            plan_items: export_kind(p).await?,
            cases: export_kind(p).await?,
            evidence: export_kind(p).await?,
            takedown_checks: export_kind(p).await?,
            inspections: export_kind(p).await?,
            inspection_subjects: export_kind(p).await?,
            sanction_decisions: export_kind(p).await?,
        })
    }

    async fn audit(&self, q: &AuditQuery) -> Result<Vec<AuditEntry>> {
        let mut wh = Vec::new();
        let mut args = Vec::new();
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

    async fn verify_audit(&self) -> Result<AuditCheck> {
        let mut prev = "0".repeat(64);
        let mut after = 0i64;
        let mut entries = 0i64;
        loop {
            let sql = format!("{} WHERE seq > $1 ORDER BY seq LIMIT 5000", audit::SELECT);
            let rows = self.pool.rows(&sql, &[Value::Int(after)], audit::TYPES).await?;
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
        let head = self
            .pool
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

    async fn summary(&self, range: canhgiac_domain::DateRange) -> Result<Summary> {
        summary::compute(&self.pool, range).await
    }

    async fn issue_report(&self, actor: &Actor, new: &crate::NewIssuedReport) -> Result<crate::IssuedReport> {
        let (actor, new) = (actor.clone(), new.clone());
        self.in_tx(move |tx| Box::pin(async move { crate::issued::issue(tx, &actor, &new).await }))
            .await
    }

    async fn issued_reports(&self, number: Option<&str>) -> Result<Vec<crate::IssuedReport>> {
        crate::issued::list(&self.pool, number).await
    }

    async fn issued_report(&self, id: i64) -> Result<Option<crate::IssuedReport>> {
        crate::issued::get(&self.pool, id).await
    }

    async fn issued_report_file(&self, id: i64, name: &str) -> Result<Option<Vec<u8>>> {
        crate::issued::file(&self.pool, id, name).await
    }

    async fn verify_issued_report(&self, id: i64) -> Result<bool> {
        crate::issued::verify(&self.pool, id).await
    }

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
        crate::access::token_list(&self.pool).await
    }

    async fn token_revoke(&self, hash: &str) -> Result<bool> {
        crate::access::token_revoke(&self.pool, hash).await
    }

    async fn item_counts(&self, range: canhgiac_domain::DateRange) -> Result<Vec<crate::ItemCount>> {
        summary::item_counts(&self.pool, range).await
    }

    async fn item_ids(
        &self,
        range: canhgiac_domain::DateRange,
        topic: Option<&str>,
        outlets: &[String],
        limit: Option<u32>,
    ) -> Result<Vec<i64>> {
        summary::item_ids(&self.pool, range, topic, outlets, limit).await
    }
}
