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

/// Statements with more parameters than this are bound by position on SQLite.
const NAMED_PARAMS_MAX: usize = 32;

/// The statement for SQLite, and its arguments in binding order.
///
/// SQLite finds a numbered parameter's name (`$7`) by walking the list of
/// names, and sqlx asks for every parameter's name: binding a statement of
/// n parameters costs n², which at a batch insert's ten thousand was most
/// of an import's time. Past a few dozen, each `$n` outside quotes becomes
/// an anonymous `?`, bound in order of appearance (its argument repeated
/// where a `$n` recurs). Small statements are left as written.
fn positional<'s, 'a>(sql: &'s str, args: &'a [Value]) -> (std::borrow::Cow<'s, str>, Vec<&'a Value>) {
    if args.len() <= NAMED_PARAMS_MAX {
        return (std::borrow::Cow::Borrowed(sql), args.iter().collect());
    }
    let mut out = String::with_capacity(sql.len());
    let mut order = Vec::with_capacity(args.len());
    let mut quote: Option<char> = None;
    let mut chars = sql.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '$') if chars.peek().is_some_and(|(_, d)| d.is_ascii_digit()) => {
                let mut n = 0_usize;
                while let Some((_, d)) = chars.peek().copied().filter(|(_, d)| d.is_ascii_digit()) {
                    n = n.saturating_mul(10).saturating_add(d as usize - '0' as usize);
                    chars.next();
                }
                match n.checked_sub(1).and_then(|i| args.get(i)) {
                    Some(a) => {
                        order.push(a);
                        out.push('?');
                    }
                    // Left for SQLite to refuse, as it would have.
                    None => {
                        out.push('$');
                        out.push_str(&n.to_string());
                    }
                }
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    (std::borrow::Cow::Owned(out), order)
}

impl Pool {
    /// `sqlite:` path (created if missing) or `postgres://` URL.
    pub async fn connect_sqlite(path: &std::path::Path) -> Result<Pool, sqlx::Error> {
        let opts = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            // 32 MiB of page cache per connection (SQLite's default is
            // 2 MiB): a store of a few hundred thousand items keeps its
            // indexes' upper pages in memory instead of reading them back
            // from the file for every statement.
            .pragma("cache_size", "-32768")
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
                let (sql, args) = positional(sql, args);
                let rows = bind_all!(sqlx::query(&sql), args.iter().copied())
                    .fetch_all(read)
                    .await?;
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
            Tx::Sqlite(tx) => {
                let (sql, args) = positional(sql, args);
                bind_all!(sqlx::query(&sql), args.iter().copied())
                    .execute(&mut **tx)
                    .await?
                    .rows_affected()
            }
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
                let (sql, args) = positional(sql, args);
                let rows = bind_all!(sqlx::query(&sql), args.iter().copied())
                    .fetch_all(&mut **tx)
                    .await?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_statements_bind_by_position_and_quotes_are_left_alone() {
        let args: Vec<Value> = (0..40).map(Value::Int).collect();
        let sql = format!(
            "SELECT '$1', \"$2\" FROM t WHERE a = $3 AND b IN ({}) AND c = $3 AND d = 'it''s $4'",
            (4..=40).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
        );
        let (out, order) = positional(&sql, &args);
        assert!(
            out.starts_with("SELECT '$1', \"$2\" FROM t WHERE a = ? AND b IN (?, ?"),
            "{out}"
        );
        assert!(out.ends_with("AND c = ? AND d = 'it''s $4'"), "{out}");
        let ints: Vec<i64> = order.iter().filter_map(|v| v.as_i64()).collect();
        let mut want = vec![2];
        want.extend(3..40);
        want.push(2);
        assert_eq!(ints, want);
        // Small statements are untouched.
        let (small, order) = positional("SELECT $2, $1", &args[..2]);
        assert_eq!(small, "SELECT $2, $1");
        assert_eq!(order.len(), 2);
    }
}
