//! Sessions and API tokens: secrets are random, only their SHA-256 is stored.

use canhgiac_domain::Timestamp;
use serde::Serialize;

use crate::db::{Cols, Pool, Ty, Value};
use crate::Result;

pub use canhgiac_secrets::hash_secret;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Session {
    pub username: String,
    pub csrf: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    pub name: String,
    pub username: String,
    pub scopes: Vec<String>,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub revoked: bool,
}

pub(crate) async fn session_create(pool: &Pool, secret: &str, s: &Session) -> Result<()> {
    let mut tx = pool.begin().await?;
    tx.exec(
        "INSERT INTO sessions (token_hash, username, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        &[
            Value::Text(hash_secret(secret)),
            Value::from(s.username.as_str()),
            Value::from(s.csrf.as_str()),
            Value::Text(s.created_at.rfc3339()),
            Value::Text(s.expires_at.rfc3339()),
        ],
    )
    .await?;
    // Expired sessions are removed as new ones start.
    tx.exec(
        "DELETE FROM sessions WHERE expires_at < $1",
        &[Value::Text(Timestamp::now().rfc3339())],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn session_get(pool: &Pool, secret: &str) -> Result<Option<Session>> {
    let rows = pool
        .rows(
            "SELECT username, csrf, created_at, expires_at FROM sessions WHERE token_hash = $1",
            &[Value::Text(hash_secret(secret))],
            &[Ty::Text, Ty::Text, Ty::Text, Ty::Text],
        )
        .await?;
    let Some(r) = rows.into_iter().next() else {
        return Ok(None);
    };
    let mut c = Cols::new(r, "sessions");
    let s = Session {
        username: c.text()?,
        csrf: c.text()?,
        created_at: c.ts()?,
        expires_at: c.ts()?,
    };
    Ok((s.expires_at > Timestamp::now()).then_some(s))
}

pub(crate) async fn session_delete(pool: &Pool, secret: &str) -> Result<()> {
    let mut tx = pool.begin().await?;
    tx.exec(
        "DELETE FROM sessions WHERE token_hash = $1",
        &[Value::Text(hash_secret(secret))],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn token_create(pool: &Pool, secret: &str, t: &ApiToken) -> Result<()> {
    let mut tx = pool.begin().await?;
    tx.exec(
        "INSERT INTO api_tokens (token_hash, name, username, scopes, created_at, expires_at, revoked) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            Value::Text(hash_secret(secret)),
            Value::from(t.name.as_str()),
            Value::from(t.username.as_str()),
            Value::Text(t.scopes.join(" ")),
            Value::Text(t.created_at.rfc3339()),
            Value::from(t.expires_at.map(|e| e.rfc3339())),
            Value::Bool(t.revoked),
        ],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn token_get(pool: &Pool, secret: &str) -> Result<Option<ApiToken>> {
    let rows = pool
        .rows(
            "SELECT name, username, scopes, created_at, expires_at, revoked FROM api_tokens WHERE token_hash = $1",
            &[Value::Text(hash_secret(secret))],
            &[Ty::Text, Ty::Text, Ty::Text, Ty::Text, Ty::Text, Ty::Bool],
        )
        .await?;
    let Some(r) = rows.into_iter().next() else {
        return Ok(None);
    };
    let t = token_of(&mut Cols::new(r, "api_tokens"))?;
    let live = !t.revoked && t.expires_at.is_none_or(|e| e > Timestamp::now());
    Ok(live.then_some(t))
}

/// Every token, newest first, with its hash (the hash identifies a token
/// to revoke it; the secret itself is never stored).
pub(crate) async fn token_list(pool: &Pool, scope: Option<&str>) -> Result<Vec<(String, ApiToken)>> {
    let (filter, args) = match scope {
        Some(s) => (
            " WHERE username IN (SELECT \"key\" FROM users WHERE owner = $1)",
            vec![Value::from(s)],
        ),
        None => ("", vec![]),
    };
    let rows = pool
        .rows(
            &format!(
                "SELECT token_hash, name, username, scopes, created_at, expires_at, revoked FROM api_tokens{filter} \
                 ORDER BY created_at DESC"
            ),
            &args,
            &[Ty::Text, Ty::Text, Ty::Text, Ty::Text, Ty::Text, Ty::Text, Ty::Bool],
        )
        .await?;
    rows.into_iter()
        .map(|r| {
            let mut c = Cols::new(r, "api_tokens");
            Ok((c.text()?, token_of(&mut c)?))
        })
        .collect()
}

/// name, username, scopes, created_at, expires_at, revoked.
fn token_of(c: &mut Cols) -> Result<ApiToken> {
    Ok(ApiToken {
        name: c.text()?,
        username: c.text()?,
        scopes: c.text()?.split_whitespace().map(str::to_owned).collect(),
        created_at: c.ts()?,
        expires_at: c.opt_ts()?,
        revoked: c.bool()?,
    })
}

/// The agency a user belongs to (the owner of the user's record).
pub(crate) async fn agency_of_user(pool: &Pool, username: &str) -> Result<Option<String>> {
    let rows = pool
        .rows(
            "SELECT owner FROM users WHERE \"key\" = $1",
            &[Value::from(username.to_ascii_lowercase())],
            &[Ty::Text],
        )
        .await?;
    match rows.into_iter().next() {
        Some(r) => Cols::new(r, "users.owner").opt_text(),
        None => Ok(None),
    }
}

/// Revokes a token; a scoped store only its own agency's users' tokens.
pub(crate) async fn token_revoke(pool: &Pool, hash: &str, scope: Option<&str>) -> Result<bool> {
    let mut tx = pool.begin().await?;
    let mut args = vec![Value::Bool(true), Value::from(hash)];
    let mut sql = "UPDATE api_tokens SET revoked = $1 WHERE token_hash = $2".to_owned();
    if let Some(s) = scope {
        args.push(Value::from(s));
        sql.push_str(" AND username IN (SELECT \"key\" FROM users WHERE owner = $3)");
    }
    let n = tx.exec(&sql, &args).await?;
    tx.commit().await?;
    Ok(n > 0)
}

/// Counts one attempt for each key in one statement per key, and returns,
/// per key, the attempts counted before this one and when the previous was.
pub(crate) async fn attempt(pool: &Pool, keys: &[String]) -> Result<Vec<(i64, Option<Timestamp>)>> {
    let mut tx = pool.begin().await?;
    let now = Timestamp::now().rfc3339();
    let mut out = Vec::new();
    for k in keys {
        let row = tx
            .row(
                "INSERT INTO sign_in_attempts (\"key\", failures, last_at, prev_at) VALUES ($1, 1, $2, NULL) \
                 ON CONFLICT (\"key\") DO UPDATE SET failures = sign_in_attempts.failures + 1, \
                 prev_at = sign_in_attempts.last_at, last_at = excluded.last_at \
                 RETURNING failures, prev_at",
                &[Value::from(k.as_str()), Value::from(now.as_str())],
                &[Ty::Int, Ty::Text],
            )
            .await?
            .ok_or_else(|| crate::StoreError::Corrupt("sign_in_attempts".into()))?;
        let mut c = Cols::new(row, "sign_in_attempts");
        out.push((c.int()? - 1, c.opt_ts()?));
    }
    tx.commit().await?;
    Ok(out)
}

/// Forgets the attempts of `keys` (after a successful sign-in).
pub(crate) async fn attempts_clear(pool: &Pool, keys: &[String]) -> Result<()> {
    let mut tx = pool.begin().await?;
    for k in keys {
        tx.exec(
            "DELETE FROM sign_in_attempts WHERE \"key\" = $1",
            &[Value::from(k.as_str())],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// `AND username IN (the scope's users)` for a scoped store.
fn users_of(scope: Option<&str>, args: &mut Vec<Value>) -> String {
    match scope {
        Some(s) => {
            args.push(Value::from(s));
            format!(
                " AND username IN (SELECT \"key\" FROM users WHERE owner = ${})",
                args.len()
            )
        }
        None => String::new(),
    }
}

pub(crate) async fn sessions_end_for(
    pool: &Pool,
    username: &str,
    keep_csrf: Option<&str>,
    scope: Option<&str>,
) -> Result<u64> {
    let mut args = vec![Value::from(username)];
    let mut sql = "DELETE FROM sessions WHERE username = $1".to_owned();
    if let Some(c) = keep_csrf {
        args.push(Value::from(c));
        sql.push_str(&format!(" AND csrf <> ${}", args.len()));
    }
    sql.push_str(&users_of(scope, &mut args));
    let mut tx = pool.begin().await?;
    let n = tx.exec(&sql, &args).await?;
    tx.commit().await?;
    Ok(n)
}

pub(crate) async fn tokens_revoke_for(pool: &Pool, username: &str, scope: Option<&str>) -> Result<u64> {
    let mut args = vec![Value::Bool(true), Value::from(username)];
    let mut sql = "UPDATE api_tokens SET revoked = $1 WHERE username = $2".to_owned();
    sql.push_str(&users_of(scope, &mut args));
    let mut tx = pool.begin().await?;
    let n = tx.exec(&sql, &args).await?;
    tx.commit().await?;
    Ok(n)
}
