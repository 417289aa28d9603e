//! Administration: users and roles, and the agency's settings. Only the
//! quản trị role reaches these pages.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use canhgiac_domain::*;
use canhgiac_store::{Actor, ListQuery, Store};
use minijinja::context;

use crate::auth::CurrentUser;
use crate::extract::{PageForm, PagePath};
use crate::pages::user_ctx;
use crate::{AppState, WebError};
use canhgiac_secrets::{generate_password, hash_password, new_token};

fn roles() -> Vec<minijinja::Value> {
    Role::ALL
        .iter()
        .map(|r| context! { code => r.code(), label => r.label_vn() })
        .collect()
}

async fn users_page<S: Store>(
    app: &AppState<S>,
    user: &CurrentUser,
    notice: &str,
    error: &str,
) -> Result<String, WebError> {
    let users = app
        .store_for(user)
        .list::<User>(&ListQuery {
            limit: Some(1000),
            ..Default::default()
        })
        .await?;
    let rows: Vec<minijinja::Value> = users
        .iter()
        .map(|u| {
            context! {
                id => u.id, username => u.record.username.as_str(), full_name => u.record.full_name.as_str(),
                role => u.record.role.code(), role_label => u.record.role.label_vn(), active => u.record.active,
                has_password => u.record.password_hash.is_some(), version => u.version,
            }
        })
        .collect();
    Ok(app.views.render(
        "admin_users.html",
        context! { user => user_ctx(user), users => rows, roles => roles(), notice, error },
    ))
}

pub async fn users<S: Store>(State(app): State<AppState<S>>, user: CurrentUser) -> Result<Response, WebError> {
    user.require(Role::Admin)?;
    Ok(Html(users_page(&app, &user, "", "").await?).into_response())
}

pub async fn user_create<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PageForm(f): PageForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    user.may_submit(Role::Admin, &f)?;
    let get = |k: &str| f.get(k).map(|s| s.trim().to_owned()).unwrap_or_default();
    let parsed = (|| -> Result<User, String> {
        let username = get("username").to_ascii_lowercase();
        Ok(User {
            username: Code::parse(&username).map_err(|e| format!("Tên đăng nhập: {}", e.message))?,
            full_name: Text::parse(&get("full_name").chars().take(201).collect::<String>())
                .map_err(|e| format!("Họ và tên: {}", e.message))
                .and_then(|t| {
                    if t.as_str().chars().count() > 200 {
                        Err("Họ và tên dài quá 200 ký tự".into())
                    } else {
                        Ok(t)
                    }
                })?,
            role: Role::parse(&get("role")).map_err(|e| format!("Vai trò: {}", e.message))?,
            password_hash: None,
            email: None,
            active: true,
            // The password below is generated: the user chooses their own.
            must_change_password: true,
        })
    })();
    let mut new_user = match parsed {
        Ok(u) => u,
        Err(msg) => {
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Html(users_page(&app, &user, "", &msg).await?),
            )
                .into_response())
        }
    };
    let password = generate_password();
    new_user.password_hash = Some(Text::parse(&hash_password(&password)?).map_err(|e| WebError::Internal(e.message))?);
    match app
        .store_for(&user)
        .create(&Actor::new(&user.username, "web"), &new_user)
        .await
    {
        Ok(_) => {
            let notice = format!(
                "Đã tạo tài khoản «{}». Mật khẩu ban đầu (chỉ hiển thị một lần): {password}",
                new_user.username
            );
            Ok(Html(users_page(&app, &user, &notice, "").await?).into_response())
        }
        Err(e @ canhgiac_store::StoreError::Conflict { .. }) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Html(users_page(&app, &user, "", &e.to_string()).await?),
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}

/// Changes a user's role, active flag, or password (reset).
pub async fn user_update<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PagePath(id): PagePath<i64>,
    PageForm(f): PageForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    user.may_submit(Role::Admin, &f)?;
    let stored = app.store_for(&user).get::<User>(id).await?.ok_or(WebError::NotFound)?;
    let mut rec = stored.record.clone();
    let mut notice = String::new();
    match f.get("action").map(String::as_str) {
        Some("role") => {
            rec.role = Role::parse(f.get("role").map(String::as_str).unwrap_or(""))
                .map_err(|e| WebError::BadRequest(e.message))?;
        }
        Some("toggle") => {
            if rec.username.as_str() == user.username {
                return Err(WebError::BadRequest("Không thể tự khóa tài khoản của mình".into()));
            }
            rec.active = !rec.active;
        }
        Some("reset") => {
            let password = generate_password();
            rec.password_hash =
                Some(Text::parse(&hash_password(&password)?).map_err(|e| WebError::Internal(e.message))?);
            rec.must_change_password = true;
            notice = format!(
                "Mật khẩu mới của «{}» (chỉ hiển thị một lần; người dùng phải đổi khi đăng nhập): {password}",
                rec.username
            );
        }
        _ => return Err(WebError::BadRequest("Thao tác không hợp lệ".into())),
    }
    let version = f.get("_version").and_then(|v| v.parse().ok());
    let store = app.store_for(&user);
    store
        .update(&Actor::new(&user.username, "web"), id, version, &rec)
        .await?;
    // A reset or a lock ends every session and token of the account, so
    // neither an old cookie nor an unlock brings access back.
    if f.get("action").map(String::as_str) == Some("reset") || !rec.active {
        let name = rec.username.to_string();
        let (s, t) = (
            store.sessions_end_for(&name, None).await?,
            store.tokens_revoke_for(&name).await?,
        );
        tracing::info!(username = %name, sessions = s, tokens = t, "access ended");
    }
    if notice.is_empty() {
        Ok(Redirect::to("/quan-tri/nguoi-dung").into_response())
    } else {
        Ok(Html(users_page(&app, &user, &notice, "").await?).into_response())
    }
}

async fn the_agency<S: Store>(
    app: &AppState<S>,
    user: &CurrentUser,
) -> Result<canhgiac_store::Stored<Agency>, WebError> {
    app.store_for(user)
        .list::<Agency>(&ListQuery {
            limit: Some(1),
            ..Default::default()
        })
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| WebError::BadRequest("Chưa có thông tin cơ quan; hãy nhập dữ liệu cơ quan".into()))
}

fn agency_page<S: Store>(
    app: &AppState<S>,
    user: &CurrentUser,
    a: &canhgiac_store::Stored<Agency>,
    v: &HashMap<String, String>,
    error: &str,
    notice: &str,
) -> String {
    let rules: Vec<minijinja::Value> = [
        ("calendar", "Theo năm dương lịch"),
        ("national", "Theo quy định thống nhất (15/12 – 14/6, 15/12 – 14/12)"),
    ]
    .iter()
    .map(|(c, l)| context! { code => c, label => l })
    .collect();
    let prefixes: Vec<minijinja::Value> = std::iter::once(context! { code => "", label => "(Người đứng đầu ký)" })
        .chain(
            AuthorityPrefix::ALL
                .iter()
                .map(|p| context! { code => p.code(), label => p.label_vn() }),
        )
        .collect();
    app.views.render(
        "admin_agency.html",
        context! { user => user_ctx(user), v => v, version => a.version, rules, prefixes, error, notice },
    )
}

fn agency_values(a: &Agency) -> HashMap<String, String> {
    let mut v = HashMap::new();
    if let Some(n) = a.names.last() {
        v.insert("name".into(), n.name.to_string());
        v.insert(
            "short_name".into(),
            n.short_name.as_ref().map(ToString::to_string).unwrap_or_default(),
        );
        v.insert("parent_name".into(), n.parent_name.to_string());
        v.insert("symbol".into(), n.symbol.to_string());
        v.insert("place".into(), n.place.to_string());
    }
    v.insert(
        "authority".into(),
        a.signer.authority.map(|p| p.code().to_owned()).unwrap_or_default(),
    );
    v.insert("head_title".into(), a.signer.head_title.to_string());
    v.insert("position".into(), a.signer.position.to_string());
    v.insert("full_name".into(), a.signer.full_name.to_string());
    v.insert(
        "recipients".into(),
        a.recipients
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n"),
    );
    v.insert(
        "period_rule".into(),
        match a.period_rule {
            PeriodRule::Calendar => "calendar".into(),
            PeriodRule::National => "national".into(),
        },
    );
    v
}

pub async fn agency<S: Store>(State(app): State<AppState<S>>, user: CurrentUser) -> Result<Response, WebError> {
    user.require(Role::Admin)?;
    let a = the_agency(&app, &user).await?;
    Ok(Html(agency_page(&app, &user, &a, &agency_values(&a.record), "", "")).into_response())
}

pub async fn agency_save<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PageForm(f): PageForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    user.may_submit(Role::Admin, &f)?;
    let a = the_agency(&app, &user).await?;
    let get = |k: &str| f.get(k).map(|s| s.trim().to_owned()).unwrap_or_default();
    let text = |k: &str, label: &str| -> Result<Text, String> {
        let v = get(k);
        if v.chars().count() > 500 {
            return Err(format!("«{label}» dài quá 500 ký tự"));
        }
        Text::parse(&v).map_err(|e| format!("«{label}»: {}", e.message))
    };
    let built = (|| -> Result<Agency, String> {
        let mut rec = a.record.clone();
        // The names in force now are edited in place; a rename with a start
        // date belongs in the import file, where validity dates are kept.
        let mut name = rec.names.pop().ok_or("Cơ quan chưa có tên")?;
        name.name = text("name", "Tên cơ quan")?;
        name.short_name = Some(text("short_name", "Tên viết tắt")?);
        name.parent_name = text("parent_name", "Cơ quan chủ quản")?;
        name.symbol = text("symbol", "Ký hiệu")?;
        name.place = text("place", "Địa danh")?;
        rec.names.push(name);
        rec.signer.authority = match get("authority").as_str() {
            "" => None,
            p => Some(AuthorityPrefix::parse(p).map_err(|e| e.message)?),
        };
        rec.signer.head_title = text("head_title", "Chức danh người đứng đầu")?;
        rec.signer.position = text("position", "Chức vụ người ký")?;
        rec.signer.full_name = text("full_name", "Họ tên người ký")?;
        let recipients = get("recipients");
        if recipients.chars().count() > 5000 {
            return Err("«Nơi nhận» quá dài".into());
        }
        rec.recipients = recipients
            .lines()
            .map(|l| l.trim().trim_start_matches('-').trim())
            .filter(|l| !l.is_empty())
            .map(|l| Text::parse(l).map_err(|e| format!("«Nơi nhận»: {}", e.message)))
            .collect::<Result<_, _>>()?;
        rec.period_rule = match get("period_rule").as_str() {
            "national" => PeriodRule::National,
            "calendar" => PeriodRule::Calendar,
            _ => return Err("Cách tính kỳ báo cáo không hợp lệ".into()),
        };
        Ok(rec)
    })();
    let rec = match built {
        Ok(r) => r,
        Err(msg) => {
            let shown: HashMap<String, String> = f
                .iter()
                .filter(|(_, v)| v.len() <= 5000)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Html(agency_page(&app, &user, &a, &shown, &msg, "")),
            )
                .into_response());
        }
    };
    let version = f.get("_version").and_then(|v| v.parse().ok());
    match app
        .store_for(&user)
        .update(&Actor::new(&user.username, "web"), a.id, version, &rec)
        .await
    {
        Ok(()) => {
            let a = the_agency(&app, &user).await?;
            Ok(Html(agency_page(
                &app,
                &user,
                &a,
                &agency_values(&a.record),
                "",
                "Đã lưu thông tin cơ quan",
            ))
            .into_response())
        }
        Err(e @ (canhgiac_store::StoreError::Invalid { .. } | canhgiac_store::StoreError::StaleVersion { .. })) => {
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Html(agency_page(&app, &user, &a, &f, &e.to_string(), "")),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn tokens_page<S: Store>(
    app: &AppState<S>,
    user: &CurrentUser,
    notice: &str,
    error: &str,
) -> Result<String, WebError> {
    let tokens: Vec<minijinja::Value> = app
        .store_for(user)
        .token_list()
        .await?
        .into_iter()
        .map(|(hash, t)| {
            context! {
                hash, short => hash.chars().take(12).collect::<String>(), name => t.name, username => t.username,
                scopes => t.scopes.join(", "), created_at => t.created_at.vn_date().to_string(),
                expires_at => t.expires_at.map(|e| e.vn_date().to_string()), revoked => t.revoked,
            }
        })
        .collect();
    Ok(app.views.render(
        "admin_tokens.html",
        context! { user => user_ctx(user), tokens, notice, error },
    ))
}

pub async fn tokens<S: Store>(State(app): State<AppState<S>>, user: CurrentUser) -> Result<Response, WebError> {
    user.require(Role::Admin)?;
    Ok(Html(tokens_page(&app, &user, "", "").await?).into_response())
}

/// Creates a token (its secret is shown once) or revokes one.
pub async fn token_action<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PageForm(f): PageForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    user.may_submit(Role::Admin, &f)?;
    let get = |k: &str| f.get(k).map(|s| s.trim().to_owned()).unwrap_or_default();
    if get("action") == "revoke" {
        let hash = get("hash");
        if hash.len() != 64 || !app.store_for(&user).token_revoke(&hash).await? {
            return Err(WebError::NotFound);
        }
        return Ok(Redirect::to("/quan-tri/ma-truy-cap").into_response());
    }
    let owner = get("username").to_ascii_lowercase();
    let owner_ok = app
        .store_for(&user)
        .get_by_key::<User>(&owner)
        .await?
        .filter(|u| u.record.active)
        .is_some();
    let checked = (|| -> Result<(String, Vec<String>, Option<u32>), String> {
        if !owner_ok {
            return Err(format!(
                "Không có người dùng đang hoạt động «{}»",
                owner.chars().take(64).collect::<String>()
            ));
        }
        let name = get("name");
        if name.is_empty() || name.chars().count() > 100 {
            return Err("Tên gợi nhớ cần từ 1 đến 100 ký tự".into());
        }
        let scopes: Vec<String> = ["read", "write", "ingest"]
            .iter()
            .filter(|s| f.contains_key(&format!("scope_{s}")))
            .map(|s| (*s).to_owned())
            .collect();
        if scopes.is_empty() {
            return Err("Chọn ít nhất một phạm vi".into());
        }
        let days = match get("days").as_str() {
            "" => None,
            d => match d.parse::<u32>() {
                Ok(n) if (1..=3650).contains(&n) => Some(n),
                _ => return Err("Số ngày hiệu lực phải từ 1 đến 3650".into()),
            },
        };
        Ok((name, scopes, days))
    })();
    let (name, scopes, days) = match checked {
        Ok(v) => v,
        Err(msg) => {
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Html(tokens_page(&app, &user, "", &msg).await?),
            )
                .into_response())
        }
    };
    let secret = new_token();
    let now = Timestamp::now();
    app.store_for(&user)
        .token_create(
            &secret,
            &canhgiac_store::ApiToken {
                name: canhgiac_domain::nfc(&name),
                username: owner,
                scopes,
                created_at: now,
                expires_at: days.map(|d| now.plus_hours(i64::from(d) * 24)),
                revoked: false,
            },
        )
        .await?;
    let notice = format!("Mã truy cập mới (chỉ hiển thị một lần): {secret}");
    Ok(Html(tokens_page(&app, &user, &notice, "").await?).into_response())
}

/// Any signed-in user changes their own password.
pub async fn password_page<S: Store>(State(app): State<AppState<S>>, user: CurrentUser) -> Result<Response, WebError> {
    let must = app
        .store_for(&user)
        .get_by_key::<User>(&user.username.to_ascii_lowercase())
        .await?
        .is_some_and(|u| u.record.must_change_password);
    let notice = if must {
        "Mật khẩu hiện tại do hệ thống cấp: hãy đặt mật khẩu của riêng bạn để bắt đầu làm việc."
    } else {
        ""
    };
    Ok(Html(app.views.render(
        "password.html",
        context! { user => user_ctx(&user), error => "", notice },
    ))
    .into_response())
}

pub async fn password_change<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PageForm(f): PageForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    user.may_submit(Role::Viewer, &f)?;
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let (current, new, again) = (get("current"), get("new"), get("again"));
    let stored = app
        .store_for(&user)
        .get_by_key::<User>(&user.username.to_ascii_lowercase())
        .await?
        .ok_or(WebError::Unauthenticated)?;
    let refuse = |msg: &str| {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Html(app.views.render(
                "password.html",
                context! { user => user_ctx(&user), error => msg, notice => "" },
            )),
        )
            .into_response()
    };
    let hash = stored
        .record
        .password_hash
        .as_ref()
        .map(|h| h.to_string())
        .unwrap_or_default();
    // Guessing the current password from a borrowed session is slowed as a
    // sign-in is: counted before the check, a growing wait after five.
    let keys = vec![format!("password:{}", user.username.to_ascii_lowercase())];
    let counted = app.store.sign_in_attempt(&keys).await?;
    let wait = crate::auth::Throttle::wait(&[crate::auth::Throttle::FREE], &counted, Timestamp::now());
    if wait > 0 {
        tracing::warn!(username = %user.username, wait, "password change throttled");
        return Err(WebError::Throttled(wait));
    }
    let ok = current.len() <= 1024 && crate::auth::verify_password_bounded(&app.hash_slots, hash, current).await?;
    if !ok {
        return Ok(refuse("Mật khẩu hiện tại không đúng"));
    }
    app.store.sign_in_clear(&keys).await?;
    if new.chars().count() < 12 || new.len() > 1024 {
        return Ok(refuse("Mật khẩu mới cần từ 12 ký tự trở lên"));
    }
    if new != again {
        return Ok(refuse("Hai lần nhập mật khẩu mới không khớp"));
    }
    let mut rec = stored.record.clone();
    rec.password_hash = Some(Text::parse(&hash_password(&new)?).map_err(|e| WebError::Internal(e.message))?);
    rec.must_change_password = false;
    app.store_for(&user)
        .update(
            &Actor::new(&user.username, "web"),
            stored.id,
            Some(stored.version),
            &rec,
        )
        .await?;
    // Other sessions of the account end; this one goes on.
    app.store_for(&user)
        .sessions_end_for(&stored.record.username.to_string(), Some(user.csrf()))
        .await?;
    Ok(Html(app.views.render(
        "password.html",
        context! { user => user_ctx(&user), error => "", notice => "Đã đổi mật khẩu; các phiên đăng nhập khác đã kết thúc" },
    ))
    .into_response())
}
