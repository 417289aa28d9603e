//! Sessions and API tokens: secrets are random, only their SHA-256 is stored.

use canhgiac_domain::Timestamp;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::{Pool, Ty, Value};
use crate::{Result, StoreError};

pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

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
    let ts = |v: &Value| Timestamp::parse(v.as_str().unwrap_or_default()).map_err(|e| StoreError::Corrupt(e.message));
    let s = Session {
        username: r[0].as_str().unwrap_or_default().to_owned(),
        csrf: r[1].as_str().unwrap_or_default().to_owned(),
        created_at: ts(&r[2])?,
        expires_at: ts(&r[3])?,
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
    let t = ApiToken {
        name: r[0].as_str().unwrap_or_default().to_owned(),
        username: r[1].as_str().unwrap_or_default().to_owned(),
        scopes: r[2]
            .as_str()
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
        created_at: Timestamp::parse(r[3].as_str().unwrap_or_default()).map_err(|e| StoreError::Corrupt(e.message))?,
        expires_at: r[4].as_str().and_then(|s| Timestamp::parse(s).ok()),
        revoked: matches!(r[5], Value::Bool(true)),
    };
    let live = !t.revoked && t.expires_at.is_none_or(|e| e > Timestamp::now());
    Ok(live.then_some(t))
}

/// Every token, newest first, with its hash (the hash identifies a token
/// to revoke it; the secret itself is never stored).
pub(crate) async fn token_list(pool: &Pool) -> Result<Vec<(String, ApiToken)>> {
    let rows = pool
        .rows(
            "SELECT token_hash, name, username, scopes, created_at, expires_at, revoked FROM api_tokens ORDER BY created_at DESC",
            &[],
            &[Ty::Text, Ty::Text, Ty::Text, Ty::Text, Ty::Text, Ty::Text, Ty::Bool],
        )
        .await?;
    rows.into_iter()
        .map(|r| {
            Ok((
                r[0].as_str().unwrap_or_default().to_owned(),
                ApiToken {
                    name: r[1].as_str().unwrap_or_default().to_owned(),
                    username: r[2].as_str().unwrap_or_default().to_owned(),
                    scopes: r[3]
                        .as_str()
                        .unwrap_or_default()
                        .split_whitespace()
                        .map(str::to_owned)
                        .collect(),
                    created_at: Timestamp::parse(r[4].as_str().unwrap_or_default())
                        .map_err(|e| StoreError::Corrupt(e.message))?,
                    expires_at: r[5].as_str().and_then(|s| Timestamp::parse(s).ok()),
                    revoked: matches!(r[6], Value::Bool(true)),
                },
            ))
        })
        .collect()
}

pub(crate) async fn token_revoke(pool: &Pool, hash: &str) -> Result<bool> {
    let mut tx = pool.begin().await?;
    let n = tx
        .exec(
            "UPDATE api_tokens SET revoked = $1 WHERE token_hash = $2",
            &[Value::Bool(true), Value::from(hash)],
        )
        .await?;
    tx.commit().await?;
    Ok(n > 0)
}
