//! A thin portable layer over the two engines: one SQL text (with `$1`
//! placeholders, which both accept), values of four types, rows decoded by
//! the types the caller expects. Everything above this file is written once.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Row, Sqlite, SqlitePool};

/// The column types the schema uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    Int,
    Text,
    Bool,
    Bytes,
}

/// One bound or fetched value. Nulls carry their type, which PostgreSQL needs.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null(Ty),
    Int(i64),
    Text(String),
    Bool(bool),
    Bytes(Vec<u8>),
}

impl Value {
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(v) => Some(*v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    pub fn into_string(self) -> Option<String> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}

impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Self {
        v.map(Value::Text).unwrap_or(Value::Null(Ty::Text))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Connection pools. SQLite gets one writer connection (writers queue
/// instead of failing with SQLITE_BUSY) and several readers (WAL).
#[derive(Clone, Debug)]
pub enum Pool {
    Sqlite {
        write: SqlitePool,
        read: SqlitePool,
    },
    /// With `agency` set, every statement runs in a transaction that first
    /// sets `canhgiac.agency`, which the row-level security policies read:
    /// a query that forgot its owner filter still sees only that agency's
    /// rows (migration 0011).
    Postgres {
        pool: PgPool,
        agency: Option<std::sync::Arc<str>>,
    },
}

pub enum Tx {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

macro_rules! bind_all {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                Value::Null(Ty::Int) => q.bind(None::<i64>),
                Value::Null(Ty::Text) => q.bind(None::<String>),
                Value::Null(Ty::Bool) => q.bind(None::<bool>),
                Value::Null(Ty::Bytes) => q.bind(None::<Vec<u8>>),
                Value::Bytes(v) => q.bind(v.as_slice()),
                Value::Int(v) => q.bind(*v),
                Value::Text(v) => q.bind(v.as_str()),
                Value::Bool(v) => q.bind(*v),
            };
        }
        q
    }};
}

macro_rules! decode_row {
    ($row:expr, $tys:expr) => {{
        let row = $row;
        let mut out = Vec::with_capacity($tys.len());
        for (i, t) in $tys.iter().enumerate() {
            out.push(match t {
                Ty::Int => row
                    .try_get::<Option<i64>, _>(i)?
                    .map(Value::Int)
                    .unwrap_or(Value::Null(Ty::Int)),
                Ty::Text => row
                    .try_get::<Option<String>, _>(i)?
                    .map(Value::Text)
                    .unwrap_or(Value::Null(Ty::Text)),
                Ty::Bool => row
                    .try_get::<Option<bool>, _>(i)?
                    .map(Value::Bool)
                    .unwrap_or(Value::Null(Ty::Bool)),
                Ty::Bytes => row
                    .try_get::<Option<Vec<u8>>, _>(i)?
                    .map(Value::Bytes)
                    .unwrap_or(Value::Null(Ty::Bytes)),
            });
        }
        out
    }};
}

pub type Rows = Vec<Vec<Value>>;

impl Pool {
    /// `sqlite:` path (created if missing) or `postgres://` URL.
    pub async fn connect_sqlite(path: &std::path::Path) -> Result<Pool, sqlx::Error> {
        let opts = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts.clone())
            .await?;
        let read = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(opts.read_only(true))
            .await?;
        Ok(Pool::Sqlite { write, read })
    }

    pub async fn connect_postgres(url: &str, schema: Option<&str>) -> Result<Pool, sqlx::Error> {
        let mut opts = PgConnectOptions::from_str(url)?;
        if let Some(s) = schema {
            opts = opts.options([("search_path", s)]);
        }
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(opts)
            .await?;
        Ok(Pool::Postgres { pool, agency: None })
    }

    /// The same connections, acting for `agency` (PostgreSQL row-level
    /// security); SQLite has none and is returned as is.
    pub fn for_agency(&self, agency: &str) -> Pool {
        match self {
            Pool::Postgres { pool, .. } => Pool::Postgres {
                pool: pool.clone(),
                agency: Some(agency.into()),
            },
            other => other.clone(),
        }
    }

    /// SQLite: a consistent copy of the whole database into `path` (which
    /// must not exist) while others go on reading and writing (`VACUUM
    /// INTO`). PostgreSQL has `pg_dump` for this.
    pub async fn sqlite_copy_to(&self, path: &std::path::Path) -> Result<(), sqlx::Error> {
        match self {
            Pool::Sqlite { write, .. } => {
                let target = path
                    .to_str()
                    .ok_or_else(|| sqlx::Error::Protocol("đường dẫn không phải UTF-8".into()))?;
                sqlx::query("VACUUM INTO ?1").bind(target).execute(write).await?;
                Ok(())
            }
            Pool::Postgres { .. } => Err(sqlx::Error::Protocol("VACUUM INTO is SQLite's".into())),
        }
    }

    /// The same connections, acting for the installation (no agency): for
    /// the few reads that span agencies by design, such as recomputing the
    /// audit chain, which links every agency's entries in one sequence.
    pub(crate) fn installation(&self) -> Pool {
        match self {
            Pool::Postgres { pool, .. } => Pool::Postgres {
                pool: pool.clone(),
                agency: None,
            },
            other => other.clone(),
        }
    }

    pub fn engine(&self) -> Engine {
        match self {
            Pool::Sqlite { .. } => Engine::Sqlite,
            Pool::Postgres { .. } => Engine::Postgres,
        }
    }

    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            // IMMEDIATE takes the write lock at the start, where the busy
            // timeout applies; a deferred transaction that reads first and
            // then writes after another process (an import) committed fails
            // at once with SQLITE_BUSY, whatever the timeout.
            Pool::Sqlite { write, .. } => Tx::Sqlite(write.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres { pool, agency } => {
                let mut tx = pool.begin().await?;
                if let Some(a) = agency {
                    sqlx::query("SELECT set_config('canhgiac.agency', $1, true)")
                        .bind(a.as_ref())
                        .execute(&mut *tx)
                        .await?;
                }
                Tx::Postgres(tx)
            }
        })
    }

    /// A read outside any transaction.
    pub async fn rows(&self, sql: &str, args: &[Value], tys: &[Ty]) -> Result<Rows, sqlx::Error> {
        match self {
            Pool::Sqlite { read, .. } => {
                let rows = bind_all!(sqlx::query(sql), args).fetch_all(read).await?;
                rows.iter().map(|r| Ok(decode_row!(r, tys))).collect()
            }
            Pool::Postgres { pool, agency: None } => {
                let rows = bind_all!(sqlx::query(sql), args).fetch_all(pool).await?;
                rows.iter().map(|r| Ok(decode_row!(r, tys))).collect()
            }
            Pool::Postgres { agency: Some(_), .. } => {
                let mut tx = self.begin().await?;
                let rows = tx.rows(sql, args, tys).await?;
                tx.commit().await?;
                Ok(rows)
            }
        }
    }

    pub async fn close(&self) {
        match self {
            Pool::Sqlite { write, read } => {
                write.close().await;
                read.close().await;
            }
            Pool::Postgres { pool, .. } => pool.close().await,
        }
    }
}

impl Tx {
    pub async fn exec(&mut self, sql: &str, args: &[Value]) -> Result<u64, sqlx::Error> {
        Ok(match self {
            Tx::Sqlite(tx) => bind_all!(sqlx::query(sql), args)
                .execute(&mut **tx)
                .await?
                .rows_affected(),
            Tx::Postgres(tx) => bind_all!(sqlx::query(sql), args)
                .execute(&mut **tx)
                .await?
                .rows_affected(),
        })
    }

    /// Runs a script of several statements with no parameters (migrations).
    pub async fn exec_script(&mut self, sql: &str) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => {
                sqlx::raw_sql(sql).execute(&mut **tx).await?;
            }
            Tx::Postgres(tx) => {
                sqlx::raw_sql(sql).execute(&mut **tx).await?;
            }
        }
        Ok(())
    }

    pub async fn rows(&mut self, sql: &str, args: &[Value], tys: &[Ty]) -> Result<Rows, sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => {
                let rows = bind_all!(sqlx::query(sql), args).fetch_all(&mut **tx).await?;
                rows.iter().map(|r| Ok(decode_row!(r, tys))).collect()
            }
            Tx::Postgres(tx) => {
                let rows = bind_all!(sqlx::query(sql), args).fetch_all(&mut **tx).await?;
                rows.iter().map(|r| Ok(decode_row!(r, tys))).collect()
            }
        }
    }

    pub async fn row(&mut self, sql: &str, args: &[Value], tys: &[Ty]) -> Result<Option<Vec<Value>>, sqlx::Error> {
        Ok(self.rows(sql, args, tys).await?.into_iter().next())
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await,
            Tx::Postgres(tx) => tx.commit().await,
        }
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => tx.rollback().await,
            Tx::Postgres(tx) => tx.rollback().await,
        }
    }

    pub fn engine(&self) -> Engine {
        match self {
            Tx::Sqlite(_) => Engine::Sqlite,
            Tx::Postgres(_) => Engine::Postgres,
        }
    }
}

/// Reads a fetched row column by column, in order. A NULL where a value is
/// needed, a value of another type, or a missing column is an error naming
/// the query (`what`), never a default.
pub struct Cols {
    it: std::vec::IntoIter<Value>,
    at: usize,
    what: &'static str,
}

impl Cols {
    pub fn new(row: Vec<Value>, what: &'static str) -> Self {
        Cols {
            it: row.into_iter(),
            at: 0,
            what,
        }
    }

    fn bad(&self, expected: &str, got: &Value) -> crate::StoreError {
        crate::StoreError::Corrupt(format!("{}: cột {} cần {expected}, gặp {got:?}", self.what, self.at))
    }

    fn next(&mut self) -> Result<Value, crate::StoreError> {
        self.at += 1;
        self.it
            .next()
            .ok_or_else(|| crate::StoreError::Corrupt(format!("{}: thiếu cột {}", self.what, self.at)))
    }

    pub fn int(&mut self) -> Result<i64, crate::StoreError> {
        match self.next()? {
            Value::Int(i) => Ok(i),
            v => Err(self.bad("số", &v)),
        }
    }

    pub fn opt_int(&mut self) -> Result<Option<i64>, crate::StoreError> {
        match self.next()? {
            Value::Int(i) => Ok(Some(i)),
            Value::Null(_) => Ok(None),
            v => Err(self.bad("số", &v)),
        }
    }

    pub fn text(&mut self) -> Result<String, crate::StoreError> {
        match self.next()? {
            Value::Text(s) => Ok(s),
            v => Err(self.bad("chuỗi", &v)),
        }
    }

    pub fn opt_text(&mut self) -> Result<Option<String>, crate::StoreError> {
        match self.next()? {
            Value::Text(s) => Ok(Some(s)),
            Value::Null(_) => Ok(None),
            v => Err(self.bad("chuỗi", &v)),
        }
    }

    pub fn bool(&mut self) -> Result<bool, crate::StoreError> {
        match self.next()? {
            Value::Bool(b) => Ok(b),
            v => Err(self.bad("đúng/sai", &v)),
        }
    }

    pub fn bytes(&mut self) -> Result<Vec<u8>, crate::StoreError> {
        match self.next()? {
            Value::Bytes(b) => Ok(b),
            v => Err(self.bad("dữ liệu nhị phân", &v)),
        }
    }

    pub fn ts(&mut self) -> Result<canhgiac_domain::Timestamp, crate::StoreError> {
        let s = self.text()?;
        canhgiac_domain::Timestamp::parse(&s)
            .map_err(|e| crate::StoreError::Corrupt(format!("{}: cột {}: {}", self.what, self.at, e.message)))
    }

    pub fn opt_ts(&mut self) -> Result<Option<canhgiac_domain::Timestamp>, crate::StoreError> {
        match self.opt_text()? {
            None => Ok(None),
            Some(s) => canhgiac_domain::Timestamp::parse(&s)
                .map(Some)
                .map_err(|e| crate::StoreError::Corrupt(format!("{}: cột {}: {}", self.what, self.at, e.message))),
        }
    }
}

/// The single value of a one-column, one-row aggregate (`COUNT(*)`).
pub fn single_int(rows: Rows, what: &'static str) -> Result<i64, crate::StoreError> {
    let row = rows
        .into_iter()
        .next()
        .ok_or_else(|| crate::StoreError::Corrupt(format!("{what}: không có dòng kết quả")))?;
    Cols::new(row, what).int()
}
