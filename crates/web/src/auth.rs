//! Accounts: sign-in with Argon2 hashes, cookie sessions, CSRF tokens,
//! throttling of repeated failures, roles and API tokens.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method};
use axum::response::{Html, IntoResponse, Redirect, Response};
use canhgiac_domain::{Role, Timestamp, User};
use canhgiac_store::{Session, Store};
use serde::Deserialize;

use crate::{AppState, WebError};

pub const COOKIE: &str = "canhgiac_phien";

/// How a request is authenticated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Via {
    /// A browser session, with its CSRF token.
    Session { csrf: String },
    /// An API token with its scopes (`read`, `write`, `ingest`).
    Token { scopes: Vec<String> },
}

/// The signed-in user of a request. Handlers that take it cannot be reached
/// anonymously.
#[derive(Clone, Debug)]
pub struct CurrentUser {
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub via: Via,
    /// The agency the user belongs to: every record the user reads or
    /// writes is that agency's (or shared).
    pub agency: Option<String>,
}

fn rank(r: Role) -> u8 {
    match r {
        Role::Viewer => 1,
        Role::Editor => 2,
        Role::Admin => 3,
    }
}

impl CurrentUser {
    /// Refuses users below `min` (lãnh đạo < chuyên viên < quản trị).
    pub fn require(&self, min: Role) -> Result<(), WebError> {
        if rank(self.role) >= rank(min) {
            Ok(())
        } else {
            Err(WebError::Forbidden)
        }
    }

    pub fn csrf(&self) -> &str {
        match &self.via {
            Via::Session { csrf } => csrf,
            Via::Token { .. } => "",
        }
    }

    /// For a state-changing request: a session must present its CSRF token
    /// (form field or `X-CSRF-Token`); a token needs the scope.
    pub fn check_write(&self, presented: Option<&str>, scope: &str) -> Result<(), WebError> {
        match &self.via {
            Via::Session { csrf } => {
                if presented.is_some_and(|p| constant_eq(p.as_bytes(), csrf.as_bytes())) {
                    Ok(())
                } else {
                    Err(WebError::Csrf)
                }
            }
            Via::Token { scopes } => {
                if scopes.iter().any(|s| s == scope || s == "write") {
                    Ok(())
                } else {
                    Err(WebError::Forbidden)
                }
            }
        }
    }
}

impl CurrentUser {
    /// For a submitted form: the role is at least `min`, and the form
    /// carries this session's CSRF token (`_csrf`).
    pub fn may_submit(&self, min: Role, form: &HashMap<String, String>) -> Result<(), WebError> {
        self.require(min)?;
        self.check_write(form.get("_csrf").map(String::as_str), "write")
    }
}

use canhgiac_secrets::{constant_eq, random_hex};

fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

async fn user_of<S: Store>(store: &S, username: &str) -> Result<Option<User>, WebError> {
    Ok(store
        .get_by_key::<User>(&username.to_ascii_lowercase())
        .await?
        .map(|s| s.record)
        .filter(|u| u.active))
}

/// Where a user with a generated password is sent.
pub const PASSWORD_PAGE: &str = "/tai-khoan/mat-khau";

/// The user of a browser session (the session cookie); an
/// `Authorization` header plays no part here, so a proxy's Basic auth does
/// not get in the way and a Bearer token never opens a page.
impl<S: Store> FromRequestParts<AppState<S>> for CurrentUser {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState<S>) -> Result<Self, Self::Rejection> {
        let secret = cookie_value(&parts.headers, COOKIE).ok_or(WebError::Unauthenticated)?;
        let session = app.store.session_get(&secret).await?.ok_or(WebError::Unauthenticated)?;
        let user = user_of(&app.store, &session.username)
            .await?
            .ok_or(WebError::Unauthenticated)?;
        // A generated password is replaced before anything else is done.
        if user.must_change_password && !matches!(parts.uri.path(), PASSWORD_PAGE | "/dang-xuat") {
            return Err(WebError::MustChangePassword);
        }
        let agency = app.store.agency_of_user(user.username.as_str()).await?;
        Ok(CurrentUser {
            username: user.username.to_string(),
            full_name: user.full_name.to_string(),
            role: user.role,
            via: Via::Session { csrf: session.csrf },
            agency,
        })
    }
}

/// The user of an API token (`Authorization: Bearer …`), if the request
/// carries one: `None` without a Bearer header, an error for a bad token.
async fn token_user<S: Store>(parts: &Parts, app: &AppState<S>) -> Option<Result<CurrentUser, WebError>> {
    let auth = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, secret) = auth.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let secret = secret.trim();
    Some(
        async {
            if secret.len() > 256 {
                return Err(WebError::Unauthenticated);
            }
            let token = app.store.token_get(secret).await?.ok_or(WebError::Unauthenticated)?;
            let user = user_of(&app.store, &token.username)
                .await?
                .ok_or(WebError::Unauthenticated)?;
            let agency = app.store.agency_of_user(user.username.as_str()).await?;
            Ok(CurrentUser {
                username: user.username.to_string(),
                full_name: user.full_name.to_string(),
                role: user.role,
                via: Via::Token { scopes: token.scopes },
                agency,
            })
        }
        .await,
    )
}

/// Sign-in attempts are counted in the store before the password is
/// checked, per address and account (`pair:`) and per address
/// (`address:`): after [`Throttle::FREE`] attempts for one account from one
/// address (or [`Throttle::FREE_ADDRESS`] from one address across
/// accounts), each further attempt must wait 2, 4, 8… seconds after the
/// previous one (at most five minutes), even with the right password. A
/// success forgets them. Failures from other addresses never slow a real
/// user down: there is no account-wide lock.
pub struct Throttle;

impl Throttle {
    pub const FREE: u32 = 5;
    pub const FREE_ADDRESS: u32 = 20;

    fn delay(before: i64, free: u32) -> Duration {
        let free = i64::from(free);
        if before < free {
            Duration::ZERO
        } else {
            let step = u32::try_from((before - free + 1).min(9)).unwrap_or(9);
            Duration::from_secs((1u64 << step).min(300))
        }
    }

    /// The keys of one attempt, with the attempts each allows freely.
    pub fn keys(ip: &str, username: &str) -> Vec<(String, u32)> {
        vec![
            (format!("pair:{ip}|{username}"), Self::FREE),
            (format!("address:{ip}"), Self::FREE_ADDRESS),
        ]
    }

    /// Seconds still to wait, given per key the attempts counted before this
    /// one and when the previous was.
    pub fn wait(frees: &[u32], counted: &[(i64, Option<Timestamp>)], now: Timestamp) -> u64 {
        frees
            .iter()
            .zip(counted)
            .map(|(free, (before, prev))| {
                let delay = Self::delay(*before, *free).as_millis() as i64;
                let since = prev.map_or(i64::MAX, |p| now.millis_since(p));
                let rest = delay.saturating_sub(since).max(0);
                u64::try_from(rest).unwrap_or(0).div_ceil(1000)
            })
            .max()
            .unwrap_or(0)
    }
}

pub async fn login_page<S: Store>(State(app): State<AppState<S>>) -> Response {
    Html(app.views.render("login.html", minijinja::context! { error => "" })).into_response()
}

/// Checks `password` against a PHC hash, off the async threads (Argon2 is
/// slow on purpose). A malformed hash never matches.
pub async fn verify_password(hash: String, password: String) -> Result<bool, WebError> {
    tokio::task::spawn_blocking(move || canhgiac_secrets::verify_password(&hash, &password))
        .await
        .map_err(|e| WebError::Internal(e.to_string()))
}

/// Verifies a password within the bound on concurrent hashes: each Argon2
/// verification holds 19 MiB, so past `slots` permits the request is
/// refused at once (503, retry shortly) instead of queueing without limit.
pub async fn verify_password_bounded(
    slots: &std::sync::Arc<tokio::sync::Semaphore>,
    hash: String,
    password: String,
) -> Result<bool, WebError> {
    let Ok(_permit) = slots.clone().try_acquire_owned() else {
        tracing::warn!("password hashing at capacity; request refused");
        return Err(WebError::Busy);
    };
    verify_password(hash, password).await
}

/// A real Argon2 hash of a random password, made once, to verify against
/// when the user does not exist.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| canhgiac_secrets::hash_password(&random_hex(16)).unwrap_or_default())
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

fn same_origin(headers: &HeaderMap) -> bool {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|o| o.to_str().ok());
    match (host, origin) {
        (_, None) => true,
        (Some(h), Some(o)) => {
            let rest = o.split_once("://").map_or(o, |(_, r)| r);
            rest.split('/').next() == Some(h)
        }
        (None, Some(_)) => false,
    }
}

pub async fn login<S: Store>(
    State(app): State<AppState<S>>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    crate::extract::PageForm(f): crate::extract::PageForm<LoginForm>,
) -> Result<Response, WebError> {
    if !same_origin(&headers) {
        return Err(WebError::Csrf);
    }
    let username = f.username.trim().to_ascii_lowercase();
    let fail_page = |msg: &str| {
        (
            axum::http::StatusCode::UNAUTHORIZED,
            Html(app.views.render(
                "login.html",
                minijinja::context! { error => msg, username => &username },
            )),
        )
            .into_response()
    };
    if username.is_empty() || username.len() > 64 || f.password.is_empty() || f.password.len() > 1024 {
        return Ok(fail_page("Tên đăng nhập hoặc mật khẩu không đúng"));
    }
    // Counted before the password is checked, in one statement per key:
    // a parallel burst cannot get past the limit.
    let (keys, frees): (Vec<String>, Vec<u32>) = Throttle::keys(&addr.ip().to_string(), &username).into_iter().unzip();
    let counted = app.store.sign_in_attempt(&keys).await?;
    let wait = Throttle::wait(&frees, &counted, Timestamp::now());
    if wait > 0 {
        tracing::warn!(%username, ip = %addr.ip(), wait, "sign-in throttled");
        return Err(WebError::Throttled(wait));
    }
    let user = user_of(&app.store, &username).await?;
    // Verify against a hash even for unknown users, so timing tells nothing.
    let stored = user
        .as_ref()
        .and_then(|u| u.password_hash.as_ref())
        .map(|h| h.to_string());
    let hash = stored.clone().unwrap_or_else(|| dummy_hash().to_owned());
    let ok = verify_password_bounded(&app.hash_slots, hash, f.password.clone()).await?;
    let Some(user) = user.filter(|_| ok && stored.is_some()) else {
        tracing::info!(%username, ip = %addr.ip(), "sign-in failed");
        return Ok(fail_page("Tên đăng nhập hoặc mật khẩu không đúng"));
    };
    app.store.sign_in_clear(&keys).await?;
    let secret = random_hex(32);
    let now = Timestamp::now();
    let expires = now.plus_hours(app.settings.session_hours);
    app.store
        .session_create(
            &secret,
            &Session {
                username: user.username.to_string(),
                csrf: random_hex(16),
                created_at: now,
                expires_at: expires,
            },
        )
        .await?;
    tracing::info!(username = %user.username, ip = %addr.ip(), "signed in");
    let cookie = format!(
        "{COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        app.settings.session_hours * 3600,
        if app.settings.secure_cookies { "; Secure" } else { "" }
    );
    let mut res = Redirect::to("/").into_response();
    if let Ok(v) = axum::http::HeaderValue::from_str(&cookie) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(res)
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

pub async fn logout<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    headers: HeaderMap,
    crate::extract::PageForm(f): crate::extract::PageForm<CsrfForm>,
) -> Result<Response, WebError> {
    user.check_write(Some(&f.csrf), "write")?;
    if let Some(secret) = cookie_value(&headers, COOKIE) {
        app.store.session_delete(&secret).await?;
    }
    let mut res = Redirect::to("/dang-nhap").into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        axum::http::HeaderValue::from_static("canhgiac_phien=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
    );
    Ok(res)
}

/// True for methods that change state.
pub fn is_write(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The user of an API request: an API token (Bearer, with its scopes), or
/// a browser session (whose writes carry the CSRF token); refused with a
/// JSON error instead of a redirect. Tokens reach only `/api/`: the pages,
/// and with them account and token administration, take [`CurrentUser`].
pub struct ApiUser(pub CurrentUser);

impl<S: Store> FromRequestParts<AppState<S>> for ApiUser {
    type Rejection = crate::error::ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState<S>) -> Result<Self, Self::Rejection> {
        let user = match token_user(parts, app).await {
            Some(token) => token,
            None => CurrentUser::from_request_parts(parts, app).await,
        };
        user.map(ApiUser).map_err(crate::error::ApiError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn verifying_runs_off_the_async_threads_and_refuses_garbage() {
        let h = canhgiac_secrets::hash_password("mat-khau-dung").unwrap();
        assert!(verify_password(h.clone(), "mat-khau-dung".into()).await.unwrap());
        assert!(!verify_password(h, "sai".into()).await.unwrap());
        assert!(!verify_password("not a hash".into(), "x".into()).await.unwrap());
    }

    #[test]
    fn throttle_grows_with_attempts_and_time_heals() {
        let now = Timestamp::parse("2024-06-10T02:00:00Z").unwrap();
        let just_before = Some(now.plus_millis(-100));
        let frees = [Throttle::FREE, Throttle::FREE_ADDRESS];
        assert_eq!(Throttle::wait(&frees, &[(4, just_before), (4, just_before)], now), 0);
        assert_eq!(Throttle::wait(&frees, &[(5, just_before), (5, just_before)], now), 2);
        assert_eq!(Throttle::wait(&frees, &[(6, just_before), (6, just_before)], now), 4);
        assert_eq!(Throttle::wait(&frees, &[(0, None), (20, just_before)], now), 2);
        let long_ago = Some(now.plus_millis(-301_000));
        assert_eq!(
            Throttle::wait(&frees, &[(40, long_ago), (40, long_ago)], now),
            0,
            "at most five minutes"
        );
    }
}
