//! Support for tests that need a PostgreSQL schema of their own, run as the
//! application's ordinary role (which row-level security binds, unlike a
//! superuser). Used by the test suites of several crates; not by the
//! program itself.

use crate::db::Pool;
use crate::StoreError;

/// The role the tests run the application as.
pub const APP_ROLE: &str = "canhgiac_app";

/// `url` with `role` as its user; the role's password is its name, for a
/// server that asks for one (a trusting server ignores it).
pub fn url_as(url: &str, role: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
    let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
    format!("{scheme}://{role}:{role}@{host}")
}

/// Creates (once) the application role and a fresh schema it owns, using
/// the administrator's `url`; returns the application's URL.
pub async fn app_schema(url: &str, schema: &str) -> Result<String, StoreError> {
    let admin = Pool::connect_postgres(url, None).await?;
    let mut tx = admin.begin().await?;
    tx.exec_script(&format!(
        "DO $$ BEGIN CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD '{APP_ROLE}'; \
         EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
    ))
    .await?;
    tx.commit().await?;
    let mut tx = admin.begin().await?;
    tx.exec_script(&format!("CREATE SCHEMA {schema} AUTHORIZATION {APP_ROLE}"))
        .await?;
    tx.commit().await?;
    admin.close().await;
    Ok(url_as(url, APP_ROLE))
}
