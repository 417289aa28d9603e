//! The subcommands.

use std::io::Write;

use anyhow::{bail, Context, Result};
use canhgiac_domain::{numbers::count, Agency, Date, DateRange, Period, PeriodRule, Record, Role, Text, User};
use canhgiac_interchange::{read_file, read_json, write_json, Envelope};
use canhgiac_store::prelude::*;
use canhgiac_store::{Actor, AuditQuery, ImportSummary, ListQuery, SqlStore, Summary};

use crate::{Cli, Command};

/// The seed dataset: the facts of report 180/BC-STTTT, in the import format.
pub const SEED: &str = include_str!("../../../fixtures/seed-2024-h1.json");

/// The store the command works on: scoped to `--agency` when given (which
/// must exist), else the whole installation.
pub async fn open(cli: &Cli) -> Result<SqlStore> {
    let store = open_unscoped(cli).await?;
    match &cli.agency {
        Some(code) => {
            if store.get_by_key::<Agency>(code).await?.is_none() {
                bail!("không có cơ quan mã «{code}»");
            }
            Ok(store.scoped(code))
        }
        None => Ok(store),
    }
}

async fn open_unscoped(cli: &Cli) -> Result<SqlStore> {
    match &cli.database_url {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            SqlStore::open_postgres(url, cli.database_schema.as_deref())
                .await
                .context("không kết nối được PostgreSQL")
        }
        Some(url) => bail!("địa chỉ cơ sở dữ liệu phải bắt đầu bằng postgres:// (nhận được «{url}»)"),
        None => {
            let fresh = (!cli.data.exists(), !cli.data.join(canhgiac_store::SQLITE_FILE).exists());
            let store = SqlStore::open_sqlite(&cli.data)
                .await
                .with_context(|| format!("không mở được kho dữ liệu tại {}", cli.data.display()))?;
            guard_data_folder(&cli.data, fresh);
            Ok(store)
        }
    }
}

/// The data folder holds password hashes, evidence and signing keys: a new
/// folder or database is made readable by its owner only (0700, 0600), and
/// an existing one that others may read is named on stderr at every start,
/// with the fix, without refusing to run.
fn guard_data_folder(dir: &std::path::Path, (new_dir, new_db): (bool, bool)) {
    use std::os::unix::fs::PermissionsExt;
    let db = dir.join(canhgiac_store::SQLITE_FILE);
    let wal = dir.join(format!("{}-wal", canhgiac_store::SQLITE_FILE));
    let shm = dir.join(format!("{}-shm", canhgiac_store::SQLITE_FILE));
    for (path, mode, new) in [
        (dir.to_path_buf(), 0o700, new_dir),
        (db.clone(), 0o600, new_db),
        (wal, 0o600, new_db),
        (shm, 0o600, new_db),
    ] {
        if new {
            if let Err(e) = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)) {
                tracing::warn!(path = %path.display(), error = %e, "could not restrict permissions");
            }
        }
    }
    for path in [dir.to_path_buf(), db] {
        let Ok(meta) = std::fs::metadata(&path) else { continue };
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            tracing::warn!(path = %path.display(), mode = format!("{mode:o}"), "data readable by others");
            eprintln!(
                "Cảnh báo: {} cho người khác đọc được (quyền {mode:o}); dữ liệu có mật khẩu băm, chứng cứ và khóa ký. Hãy chạy: chmod -R go-rwx {}",
                path.display(),
                dir.display()
            );
        }
    }
}

pub async fn run(cli: Cli) -> Result<()> {
    if let Command::Report(crate::ReportArgs {
        action: Some(crate::ReportAction::Template),
        ..
    }) = &cli.command
    {
        print!("{}", canhgiac_report::template::DEFAULT_TEMPLATE);
        return Ok(());
    }
    // A restore writes into an empty target: opening the store first would
    // create one there.
    if let Command::Restore { file } = &cli.command {
        return crate::backup::restore(&cli, file).await;
    }
    let store = open(&cli).await?;
    let result = match &cli.command {
        Command::Restore { .. } => Ok(()),
        Command::Backup {
            out,
            schedule,
            every_hours,
            keep,
        } => match (out, schedule) {
            (Some(out), _) => crate::backup::backup(&cli, &store, out).await,
            (None, Some(dir)) => schedule_backups(&store, dir, *every_hours, *keep).await,
            (None, None) => bail!("hãy cho --out TỆP hoặc --schedule THƯ-MỤC"),
        },
        Command::Init { admin } => init(&store, admin).await.map(|_| ()),
        Command::Demo => demo(&store).await,
        Command::Serve {
            bind,
            demo: with_demo,
            secure_cookies,
            no_workers,
            max_connections,
            workers,
        } => {
            let workers = (!no_workers).then_some(workers);
            let settings = canhgiac_web::Settings {
                secure_cookies: *secure_cookies,
                workers_expected: workers.is_some(),
                max_connections: *max_connections,
                templates_dir: Some(cli.data.join("templates")),
                ..Default::default()
            };
            let target = crate::backup::Target::of(&cli);
            let collector = crate::ingest::collector(&cli, &store)?;
            let search = crate::search::open(&cli, &store)?;
            serve(
                store.clone(),
                bind,
                *with_demo,
                settings,
                workers,
                (target, collector),
                search,
            )
            .await
        }
        Command::Worker { workers } => {
            let node = (crate::backup::Target::of(&cli), crate::ingest::collector(&cli, &store)?);
            crate::jobs::worker(store.clone(), workers, node).await
        }
        Command::Jobs { action } => crate::jobs::action(&store, action).await,
        Command::Import { file, kind, dry_run } => import(&store, file, kind.as_deref(), *dry_run).await,
        Command::Export { format, out } => export(&store, format, out.as_deref()).await,
        Command::Stats { period, from, to, json } => {
            let own = own_agency(&store).await?;
            stats(&own, period.as_deref(), from.as_deref(), to.as_deref(), *json).await
        }
        Command::Audit { limit, verify } => audit(&store, *limit, *verify).await,
        Command::Token {
            user,
            scopes,
            name,
            days,
        } => token(&store, user, scopes, name, *days).await,
        Command::Report(args) => crate::report::run(&own_agency(&store).await?, &cli, args).await,
        Command::Request { action } => crate::federation::request(&store, action).await,
        Command::Submission { action } => crate::federation::submission(&store, action).await,
        Command::Key { action } => crate::federation::key(&store, action).await,
        Command::Outlet { action } => outlet(&store, action).await,
        Command::Case { action } => crate::cases::run(&store, action).await,
        Command::Source { action } => crate::ingest::source(&store, action).await,
        Command::Ingest { once, source } => crate::ingest::ingest(&cli, &store, *once, *source).await,
        Command::User { action } => user(&store, action).await,
        Command::Search { .. } => crate::search::command(&cli, &store).await,
        Command::Index { action } => crate::search::index(&cli, &store, action).await,
        Command::Bench {
            items,
            runs,
            stations,
            stage,
            feed_items,
            json,
        } => match stage.as_str() {
            "report" => crate::bench::run(&store, *items, (*runs).max(1), *stations).await,
            "ingest" => crate::bench_ingest::run(*feed_items, *json).await.map(|_| ()),
            "search" => crate::bench_search::run(*items, *runs, *json).map(|_| ()),
            "import" => crate::bench_import::run(*feed_items, *json).await.map(|_| ()),
            "all" => {
                crate::bench_ingest::run(*feed_items, *json).await?;
                crate::bench_import::run(*feed_items, *json).await?;
                crate::bench_search::run(*items, *runs, *json)?;
                crate::bench::run(&store, *items, (*runs).max(1), *stations).await
            }
            other => bail!("phần đo «{other}» không có; chọn report, ingest, import, search hoặc all"),
        },
    };
    store.close().await;
    result
}

/// Queues the first scheduled backup (now); each run queues the next.
/// One schedule at a time: a second is refused while one is queued.
async fn schedule_backups(store: &SqlStore, dir: &std::path::Path, every_hours: u32, keep: u32) -> Result<()> {
    let pending = store
        .job_counts()
        .await?
        .into_iter()
        .filter(|c| c.kind == crate::backup::JOB && (c.state == "queued" || c.state == "running"))
        .map(|c| c.count)
        .sum::<i64>();
    if pending > 0 {
        bail!("đã có lịch sao lưu đang chờ; xem `canhgiac jobs status`");
    }
    let dir = std::path::absolute(dir).with_context(|| format!("đường dẫn {} không hợp lệ", dir.display()))?;
    let schedule = crate::backup::Schedule {
        dir: dir.clone(),
        every_hours: every_hours.clamp(1, 24 * 366),
        keep: keep.max(1),
    };
    store
        .enqueue(&crate::backup::next_job(&schedule, std::time::Duration::ZERO)?)
        .await?;
    println!(
        "Đã lập lịch sao lưu mỗi {} giờ vào {}, giữ {} bản mới nhất; công việc chạy trong `canhgiac serve` hoặc `canhgiac worker`.",
        schedule.every_hours,
        dir.display(),
        schedule.keep
    );
    Ok(())
}

/// Recovery of accounts from the shell, where the web pages cannot help
/// (the only administrator forgot the password or was locked). Every
/// change goes through the store: audited, and never leaving an agency
/// without an active administrator.
async fn user(store: &SqlStore, action: &crate::UserAction) -> Result<()> {
    use crate::UserAction;
    let sys = crate::federation::actor("cli:user");
    let find = |name: &str| {
        let name = name.trim().to_lowercase();
        async move {
            store
                .get_by_key::<User>(&name)
                .await?
                .with_context(|| format!("không có tài khoản «{name}»"))
        }
    };
    match action {
        UserAction::List => {
            let users = store
                .list::<User>(&ListQuery {
                    limit: Some(canhgiac_store::MAX_PAGE),
                    ..Default::default()
                })
                .await?;
            for u in users.iter().rev() {
                let r = &u.record;
                println!(
                    "{}\t{}\t{}\t{}{}",
                    r.username,
                    r.full_name,
                    r.role.label_vn(),
                    if r.active { "đang hoạt động" } else { "đã khóa" },
                    if r.must_change_password {
                        ", phải đổi mật khẩu được cấp"
                    } else {
                        ""
                    }
                );
            }
        }
        UserAction::ResetPassword { name, password_stdin } => {
            let u = find(name).await?;
            // A generated password is shown once and must be changed at the
            // next sign-in; one the operator gives (stdin) is theirs to pass on.
            let password = if *password_stdin {
                let mut line = String::new();
                std::io::stdin().read_line(&mut line)?;
                let p = line.trim_end_matches(['\r', '\n']).to_owned();
                if p.chars().count() < 12 || p.len() > 1024 {
                    bail!("mật khẩu cần từ 12 ký tự trở lên");
                }
                p
            } else {
                canhgiac_secrets::generate_password()
            };
            let mut rec = u.record.clone();
            rec.password_hash =
                Some(Text::parse(&canhgiac_secrets::hash_password(&password)?).map_err(|e| anyhow::anyhow!("{e}"))?);
            rec.must_change_password = !*password_stdin;
            store.update(&sys, u.id, Some(u.version), &rec).await?;
            let username = rec.username.to_string();
            let (s, t) = (
                store.sessions_end_for(&username, None).await?,
                store.tokens_revoke_for(&username).await?,
            );
            println!("Đã đặt mật khẩu mới cho «{username}»; đã chấm dứt {s} phiên và thu hồi {t} mã truy cập API.");
            if !*password_stdin {
                println!("Mật khẩu mới (chỉ hiển thị một lần, phải đổi khi đăng nhập): {password}");
            }
        }
        UserAction::SetRole { name, role } => {
            let role = Role::parse(role).map_err(|e| anyhow::anyhow!("vai trò «{role}»: {}", e.message))?;
            let u = find(name).await?;
            let mut rec = u.record.clone();
            rec.role = role;
            store.update(&sys, u.id, Some(u.version), &rec).await?;
            println!("«{}» nay có vai trò {}.", rec.username, rec.role.label_vn());
        }
        UserAction::Unlock { name, lock } => {
            let u = find(name).await?;
            let mut rec = u.record.clone();
            rec.active = !lock;
            store.update(&sys, u.id, Some(u.version), &rec).await?;
            if *lock {
                let username = rec.username.to_string();
                store.sessions_end_for(&username, None).await?;
                store.tokens_revoke_for(&username).await?;
                println!("Đã khóa «{username}» và chấm dứt mọi phiên, mã truy cập của tài khoản.");
            } else {
                println!("Đã mở khóa «{}».", rec.username);
            }
        }
    }
    Ok(())
}

async fn outlet(store: &SqlStore, action: &crate::OutletAction) -> Result<()> {
    match action {
        crate::OutletAction::Share { key } => {
            if store.scope().is_some() {
                bail!("dùng chung nguồn tin là việc của quản trị hệ thống: chạy lệnh không kèm --agency");
            }
            let done = store
                .share_outlet(&crate::federation::actor("cli:outlet share"), key)
                .await?;
            println!(
                "Đã dùng chung nguồn tin «{key}» cho mọi cơ quan; gộp bản ghi của {} cơ quan ({}), {} bản ghi tham chiếu chuyển sang bản dùng chung.",
                done.agencies.len(),
                done.agencies.join(", "),
                done.references
            );
        }
    }
    Ok(())
}

/// The store a report or figures are read from: the `--agency` given, or
/// else the installation's own agency (the first one created, which took
/// the records made before it), named on stderr when there are several.
/// Writes that add records never take this default: they need `--agency`.
async fn own_agency(store: &SqlStore) -> Result<SqlStore> {
    if store.scope().is_some() {
        return Ok(store.clone());
    }
    let mut agencies = store
        .list::<Agency>(&ListQuery {
            limit: Some(canhgiac_store::MAX_PAGE),
            ..Default::default()
        })
        .await?;
    if agencies.len() < 2 {
        return Ok(store.clone());
    }
    agencies.sort_by_key(|a| a.id);
    let first = &agencies[0].record;
    let name = first
        .name_on(Date::today())
        .map_or_else(|| first.code.to_string(), |n| n.name.to_string());
    eprintln!(
        "(Cơ quan: {name} — «{}»; kho có {} cơ quan, chọn cơ quan khác bằng --agency)",
        first.code,
        count(agencies.len() as u64)
    );
    Ok(store.scoped(first.code.as_str()))
}

/// Creates the first admin if there is none; prints its password once.
async fn init(store: &SqlStore, admin: &str) -> Result<bool> {
    let admins = store
        .list::<User>(&ListQuery {
            filters: vec![("role".into(), Role::Admin.code().into())],
            limit: Some(1),
            ..Default::default()
        })
        .await?;
    if !admins.is_empty() {
        println!(
            "Kho dữ liệu đã được khởi tạo (đã có tài khoản quản trị «{}»).",
            admins[0].record.username
        );
        return Ok(false);
    }
    let password = canhgiac_secrets::generate_password();
    let user = User {
        username: canhgiac_domain::Code::parse(admin).map_err(|e| anyhow::anyhow!("tên đăng nhập: {e}"))?,
        full_name: Text::lit("Quản trị hệ thống"),
        role: Role::Admin,
        password_hash: Some(
            Text::parse(&canhgiac_secrets::hash_password(&password)?).map_err(|e| anyhow::anyhow!("{e}"))?,
        ),
        email: None,
        active: true,
        must_change_password: true,
    };
    store.create(&Actor::system("cli:init"), &user).await?;
    println!("Đã khởi tạo kho dữ liệu.");
    println!("Tài khoản quản trị: {}", user.username);
    println!("Mật khẩu (chỉ hiển thị một lần, hãy đổi sau khi đăng nhập): {password}");
    Ok(true)
}

async fn serve(
    store: SqlStore,
    bind: &str,
    with_demo: bool,
    settings: canhgiac_web::Settings,
    workers: Option<&crate::WorkerArgs>,
    node: crate::jobs::Node,
    search: canhgiac_search::Search,
) -> Result<()> {
    if with_demo && !holds_records(&store).await? {
        load_demo(&store).await?;
    } else {
        if with_demo {
            // A restarted demo server keeps what its users did.
            eprintln!("{DEMO_REFUSED}");
        }
        init(&store, "admin").await?;
    }
    let addr: std::net::SocketAddr = bind
        .parse()
        .with_context(|| format!("địa chỉ «{bind}» không hợp lệ (ví dụ 127.0.0.1:8080)"))?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("không mở được cổng {addr}"))?;
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    let indexer = tokio::spawn(crate::search::follow(search.clone(), store.clone(), stop.clone()));
    let runner = workers.map(|w| crate::jobs::spawn(store.clone(), w, node, stop));
    println!("Đang phục vụ tại http://{}/ (dừng bằng Ctrl+C)", listener.local_addr()?);
    let served = canhgiac_web::serve_until(
        canhgiac_web::state_with(store, settings, search),
        listener,
        crate::jobs::shutdown_signal(),
    )
    .await;
    let _ = stop_tx.send(true);
    if let Some(r) = runner {
        let _ = r.await;
    }
    let _ = indexer.await;
    served?;
    Ok(())
}

/// Whether the store holds records beyond the accounts `init` makes: the
/// demo loads only into such an empty store, never over real work.
async fn holds_records(store: &SqlStore) -> Result<bool> {
    for kind in canhgiac_domain::RecordKind::ALL {
        if *kind != canhgiac_domain::RecordKind::User && store.count(*kind).await? > 0 {
            return Ok(true);
        }
    }
    Ok(false)
}

const DEMO_REFUSED: &str =
    "Kho dữ liệu đã có dữ liệu: dữ liệu mẫu chỉ nạp vào kho trống, nên không thay đổi gì. Hãy dùng một thư mục dữ liệu mới (--data) để xem bản mẫu.";

async fn demo(store: &SqlStore) -> Result<()> {
    if holds_records(store).await? {
        bail!(DEMO_REFUSED);
    }
    load_demo(store).await
}

async fn load_demo(store: &SqlStore) -> Result<()> {
    init(store, "admin").await?;
    let mut env = read_json("seed-2024-h1.json", SEED.as_bytes()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let seed_agency = env
        .records
        .agencies
        .first()
        .map(|a| a.code.to_string())
        .context("dữ liệu mẫu thiếu cơ quan")?;
    // Once the committee exists, the seed agency sits under it.
    if store.get_by_key::<Agency>(crate::demo::COMMITTEE).await?.is_some() {
        if let Some(n) = env.records.agencies.first_mut().and_then(|a| a.names.first_mut()) {
            n.parent = Some(canhgiac_domain::Code::lit(crate::demo::COMMITTEE));
        }
    }
    // The seed is its agency's, whatever else the store holds.
    let scoped = store.scoped(&seed_agency);
    let summary = scoped
        .import(&Actor::system("cli:demo"), &env.records)
        .await
        .context("không nạp được dữ liệu mẫu")?;
    print_import(&summary);
    crate::demo::committee(store, &seed_agency)
        .await
        .context("không tạo được dữ liệu mẫu của Ban Chỉ đạo")?;
    crate::demo::watch_rules(store, &seed_agency)
        .await
        .context("không tạo được quy tắc theo dõi mẫu")?;
    let store = &scoped;
    println!();
    let range = Period::Half(2024, 1).range(rule_of(store).await?);
    let s = store.summary(range).await?;
    print_summary(store, "6 tháng đầu năm 2024", &s).await?;
    println!();
    println!("Xem lại: canhgiac stats --period 2024-H1");
    Ok(())
}

fn print_import(s: &ImportSummary) {
    println!(
        "Đã nhập: {} bản ghi mới, {} bản ghi cập nhật, {} bản ghi không đổi.",
        s.total_created(),
        s.total_updated(),
        s.total_unchanged()
    );
    for (kind, n) in &s.created {
        println!("  + {n} {}", kind.label_vn());
    }
    for (kind, n) in &s.updated {
        println!("  ~ {n} {}", kind.label_vn());
    }
}

async fn import(store: &SqlStore, file: &std::path::Path, kind: Option<&str>, dry_run: bool) -> Result<()> {
    let kind = match kind {
        Some(k) => Some(canhgiac_domain::RecordKind::from_table_code(k).with_context(|| {
            let codes: Vec<&str> = canhgiac_domain::RecordKind::with_tables()
                .filter_map(|k| k.meta().table.as_ref().map(|t| t.code))
                .collect();
            format!("loại «{k}» không hợp lệ; chọn một trong: {}", codes.join(", "))
        })?),
        None => None,
    };
    let data = read_file(file, kind).map_err(|e| anyhow::anyhow!("{e}"))?;
    let origin = format!("cli:import {}", canhgiac_interchange::display_name(file));
    if dry_run {
        let rows = store.import_preview(&Actor::system(origin), &data).await?;
        let n = |want: fn(&canhgiac_store::Preview) -> bool| rows.iter().filter(|r| want(&r.outcome)).count() as u64;
        println!(
            "Xem trước (chưa ghi gì): {} bản ghi sẽ thêm mới, {} sẽ cập nhật, {} không đổi, {} bị từ chối.",
            count(n(|o| *o == canhgiac_store::Preview::Create)),
            count(n(|o| *o == canhgiac_store::Preview::Update)),
            count(n(|o| *o == canhgiac_store::Preview::Unchanged)),
            count(n(|o| matches!(o, canhgiac_store::Preview::Refused(_)))),
        );
        for r in &rows {
            if let canhgiac_store::Preview::Refused(why) = &r.outcome {
                println!("  {} thứ {}: {why}", r.kind.label_vn(), r.index + 1);
            }
        }
        return Ok(());
    }
    let summary = store
        .import(&Actor::system(origin), &data)
        .await
        .map_err(|e| anyhow::anyhow!("{e}. Không bản ghi nào được ghi."))?;
    print_import(&summary);
    Ok(())
}

async fn export(store: &SqlStore, format: &str, out: Option<&std::path::Path>) -> Result<()> {
    if format != "json" {
        bail!("định dạng «{format}» chưa được hỗ trợ; dùng --format json");
    }
    // The import format says nothing of owners: one agency per file.
    if store.scope().is_none() && store.count(canhgiac_domain::RecordKind::Agency).await? > 1 {
        bail!(
            "kho có nhiều cơ quan; hãy xuất dữ liệu của từng cơ quan bằng --agency \
             (sao lưu toàn bộ kho: sao chép thư mục dữ liệu, hoặc pg_dump với PostgreSQL)"
        );
    }
    let env = Envelope::new(store.export().await?);
    match out {
        Some(path) => {
            let tmp = path.with_extension("json.part");
            let f = std::fs::File::create(&tmp).with_context(|| format!("không tạo được {}", tmp.display()))?;
            let mut w = std::io::BufWriter::new(f);
            write_json(&mut w, &env)?;
            w.flush()?;
            drop(w);
            std::fs::rename(&tmp, path)?;
            eprintln!("Đã xuất {} bản ghi vào {}.", env.records.len(), path.display());
        }
        None => {
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::new(stdout.lock());
            write_json(&mut w, &env)?;
            writeln!(w)?;
        }
    }
    Ok(())
}

/// The period rule of the agency the command works for: the `--agency`
/// one, or the store's only agency; several agencies need `--agency`.
async fn rule_of(store: &SqlStore) -> Result<PeriodRule> {
    let agencies = store
        .list::<Agency>(&ListQuery {
            limit: Some(2),
            ..Default::default()
        })
        .await?;
    match agencies.as_slice() {
        [] => Ok(PeriodRule::default()),
        [one] => Ok(one.record.period_rule),
        _ => bail!("kho có nhiều cơ quan; hãy chọn bằng --agency"),
    }
}

async fn stats(store: &SqlStore, period: Option<&str>, from: Option<&str>, to: Option<&str>, json: bool) -> Result<()> {
    let (label, range) = match (period, from, to) {
        (Some(p), _, _) => {
            let p: Period = p
                .parse()
                .map_err(|e: canhgiac_domain::FieldError| anyhow::anyhow!("{e}"))?;
            (p.label_vn(), p.range(rule_of(store).await?))
        }
        (None, Some(f), Some(t)) => {
            let f = Date::parse(f).map_err(|e| anyhow::anyhow!("--from: {e}"))?;
            let t = Date::parse(t).map_err(|e| anyhow::anyhow!("--to: {e}"))?;
            (
                format!("từ {f} đến {t}"),
                DateRange::new(f, t).map_err(|e| anyhow::anyhow!("{e}"))?,
            )
        }
        _ => bail!("cần --period hoặc --from và --to"),
    };
    let s = store.summary(range).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&s)?);
    } else {
        print_summary(store, &label, &s).await?;
    }
    Ok(())
}

async fn print_summary(store: &SqlStore, label: &str, s: &Summary) -> Result<()> {
    let n = |v: i64| count(v.max(0) as u64);
    println!("Số liệu {label} (từ {} đến {}):", s.range.from, s.range.to);
    println!("- Văn bản chỉ đạo: {}", n(s.directives));
    println!("- Tin, bài: {} (tiêu biểu: {})", n(s.items), n(s.featured_items));
    let mut outlet_names = std::collections::HashMap::new();
    for o in store
        .list::<canhgiac_domain::Outlet>(&ListQuery {
            limit: Some(1000),
            ..Default::default()
        })
        .await?
    {
        outlet_names.insert(o.record.key(), o.record.name.to_string());
    }
    let mut topics = store
        .list::<canhgiac_domain::Topic>(&ListQuery {
            limit: Some(1000),
            ..Default::default()
        })
        .await?;
    topics.sort_by_key(|t| (t.record.ordinal, t.id));
    let order = |code: &str| {
        topics
            .iter()
            .position(|t| t.record.code.as_str() == code)
            .unwrap_or(usize::MAX)
    };
    let mut rows: Vec<&canhgiac_store::TopicOutletCount> = s.items_by_topic_outlet.iter().collect();
    rows.sort_by_key(|c| (order(&c.topic), std::cmp::Reverse(c.items)));
    for c in rows {
        let name = outlet_names.get(&c.outlet).cloned().unwrap_or_else(|| c.outlet.clone());
        println!("    {} · {}: {}", c.topic, name, n(c.items));
    }
    println!(
        "- Thanh tra, kiểm tra: {} cuộc, đối với {} tổ chức, cá nhân ({} tổ chức, {} cá nhân)",
        n(s.inspections),
        n(s.inspection_subjects.total()),
        n(s.inspection_subjects.organisations),
        n(s.inspection_subjects.individuals)
    );
    println!(
        "- Xử phạt vi phạm hành chính: {} tổ chức, cá nhân ({} tổ chức, {} cá nhân), tổng số tiền {} ({})",
        n(s.sanctions.total()),
        n(s.sanctions.organisations),
        n(s.sanctions.individuals),
        s.fine_total.short(),
        s.fine_total.full()
    );
    println!("- Vụ việc thông tin xấu, độc mới phát sinh: {}", n(s.cases_opened));
    Ok(())
}

async fn token(store: &SqlStore, user: &str, scopes: &str, name: &str, days: Option<u32>) -> Result<()> {
    let owner = store
        .get_by_key::<User>(&user.to_ascii_lowercase())
        .await?
        .with_context(|| format!("không có người dùng «{user}»"))?;
    let scopes: Vec<String> = scopes
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    if let Some(bad) = scopes
        .iter()
        .find(|s| !["read", "write", "ingest"].contains(&s.as_str()))
    {
        bail!("phạm vi «{bad}» không hợp lệ (read, write, ingest)");
    }
    let secret = canhgiac_secrets::new_token();
    let now = canhgiac_domain::Timestamp::now();
    store
        .token_create(
            &secret,
            &canhgiac_store::ApiToken {
                name: name.to_owned(),
                username: owner.record.username.to_string(),
                scopes: scopes.clone(),
                created_at: now,
                expires_at: days.map(|d| now.plus_hours(i64::from(d) * 24)),
                revoked: false,
            },
        )
        .await?;
    println!("Mã truy cập (chỉ hiển thị một lần): {secret}");
    println!("Người dùng: {}; phạm vi: {}", owner.record.username, scopes.join(", "));
    Ok(())
}

async fn audit(store: &SqlStore, limit: u32, verify: bool) -> Result<()> {
    if verify {
        let check = store.verify_audit().await?;
        match check.broken_at {
            None => println!("Nhật ký toàn vẹn: {} mục, chuỗi băm khớp.", check.entries),
            Some(seq) => bail!("nhật ký bị sửa hoặc mất dữ liệu tại mục số {seq}"),
        }
        return Ok(());
    }
    let entries = store
        .audit(&AuditQuery {
            limit: Some(limit),
            ..Default::default()
        })
        .await?;
    for e in entries {
        println!(
            "{:>6}  {}  {:<10} {:<8} {} «{}» ({})",
            e.seq,
            e.at.vn_text(),
            e.actor,
            e.action.label_vn(),
            e.kind.label_vn(),
            e.record_key,
            canhgiac_web::views::origin_vn(&e.origin)
        );
    }
    Ok(())
}
