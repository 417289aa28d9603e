//! Backup and restore: one file holding a consistent copy of the store and
//! a manifest naming each part with its size and SHA-256.
//!
//! - SQLite: `VACUUM INTO` copies the database while the server runs; the
//!   agencies' own report templates (`<data>/templates`) go with it.
//! - PostgreSQL: `pg_dump --format=custom` of the store's schema (row-level
//!   security admits every row to the installation, so the dump is whole).
//!
//! Everything the store holds — records, the audit chain, issued reports
//! and their files, submissions, signing keys, sessions — is in the
//! database, so these parts are the whole installation.
//!
//! A restore goes only into an empty target, checks every part against the
//! manifest (size and hash, reading no more than declared) before it
//! writes anything, and verifies the audit chain afterwards.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use canhgiac_store::prelude::*;
use canhgiac_store::SqlStore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::Cli;

const FORMAT: &str = "canhgiac-backup";
const MANIFEST: &str = "manifest.json";
const SQLITE_FILE: &str = "canhgiac.sqlite";
const PG_DUMP: &str = "postgres.dump";
const MAX_MANIFEST: u64 = 1024 * 1024;

#[derive(Serialize, Deserialize, Debug)]
struct Manifest {
    format: String,
    version: u32,
    /// `sqlite` or `postgres`.
    engine: String,
    schema_version: i64,
    created_at: String,
    program: String,
    files: Vec<Part>,
}

#[derive(Serialize, Deserialize, Debug)]
struct Part {
    name: String,
    size: u64,
    sha256: String,
}

fn sha256_file(path: &Path) -> Result<(u64, String)> {
    let mut f = std::fs::File::open(path).with_context(|| format!("không đọc được {}", path.display()))?;
    let mut h = Sha256::new();
    let n = std::io::copy(&mut f, &mut h)?;
    Ok((n, hex::encode(h.finalize())))
}

/// Where the store lives: what a backup copies.
#[derive(Clone, Debug)]
pub struct Target {
    pub data: PathBuf,
    pub database_url: Option<String>,
    pub database_schema: Option<String>,
}

impl Target {
    pub fn of(cli: &Cli) -> Target {
        Target {
            data: cli.data.clone(),
            database_url: cli.database_url.clone(),
            database_schema: cli.database_schema.clone(),
        }
    }
}

/// `canhgiac backup --out FILE`.
pub async fn backup(cli: &Cli, store: &SqlStore, out: &Path) -> Result<()> {
    let (size, sha256, names) = backup_to(&Target::of(cli), store, out).await?;
    println!(
        "Đã sao lưu {} phần ({}) vào {} ({size} byte, SHA-256 {sha256}).",
        names.len(),
        names.join(", "),
        out.display()
    );
    Ok(())
}

/// Writes one backup to `out`; returns its size, SHA-256 and parts.
pub async fn backup_to(target: &Target, store: &SqlStore, out: &Path) -> Result<(u64, String, Vec<String>)> {
    if out.exists() {
        bail!(
            "tệp {} đã có; hãy chọn tên khác (bản sao lưu không ghi đè)",
            out.display()
        );
    }
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let work = tempfile::tempdir_in(dir).context("không tạo được thư mục tạm cạnh tệp sao lưu")?;
    let mut parts: Vec<(String, PathBuf)> = Vec::new();
    let engine = match &target.database_url {
        None => {
            let db = work.path().join(SQLITE_FILE);
            store
                .pool()
                .sqlite_copy_to(&db)
                .await
                .context("không sao chép được cơ sở dữ liệu SQLite")?;
            parts.push((SQLITE_FILE.into(), db));
            let templates = target.data.join("templates");
            if templates.is_dir() {
                let mut names: Vec<_> = std::fs::read_dir(&templates)?
                    .filter_map(|e| e.ok())
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                    .filter_map(|e| e.file_name().into_string().ok())
                    .collect();
                names.sort();
                for n in names {
                    parts.push((format!("templates/{n}"), templates.join(&n)));
                }
            }
            "sqlite"
        }
        Some(url) => {
            let dump = work.path().join(PG_DUMP);
            let schema = target.database_schema.as_deref().unwrap_or("public");
            let status = std::process::Command::new("pg_dump")
                .args([
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    "--enable-row-security",
                ])
                .arg(format!("--schema={schema}"))
                .arg("--file")
                .arg(&dump)
                .arg("--dbname")
                .arg(url)
                .status()
                .context("không chạy được pg_dump (gói postgresql-client)")?;
            if !status.success() {
                bail!("pg_dump không thành công ({status})");
            }
            parts.push((PG_DUMP.into(), dump));
            "postgres"
        }
    };
    let mut files = Vec::new();
    for (name, path) in &parts {
        let (size, sha256) = sha256_file(path)?;
        files.push(Part {
            name: name.clone(),
            size,
            sha256,
        });
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        version: 1,
        engine: engine.into(),
        schema_version: canhgiac_store::schema::latest_version(),
        created_at: canhgiac_domain::Timestamp::now().rfc3339(),
        program: format!("canhgiac {}", env!("CARGO_PKG_VERSION")),
        files,
    };
    // Written beside the target and renamed at the end: a crash leaves no
    // half backup under the final name.
    let partial = work.path().join("sao-luu.zip");
    {
        let file = std::fs::File::create(&partial)?;
        let mut zip = zip::ZipWriter::new(file);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        zip.start_file(MANIFEST, opts)?;
        zip.write_all(&serde_json::to_vec_pretty(&manifest)?)?;
        for (name, path) in &parts {
            zip.start_file(name.as_str(), opts)?;
            std::io::copy(&mut std::fs::File::open(path)?, &mut zip)?;
        }
        zip.finish()?.sync_all()?;
    }
    std::fs::rename(&partial, out).with_context(|| format!("không ghi được {}", out.display()))?;
    let (size, sha256) = sha256_file(out)?;
    Ok((size, sha256, manifest.files.into_iter().map(|f| f.name).collect()))
}

/// The job that takes scheduled backups.
pub const JOB: &str = "backup";

/// A scheduled backup's settings, the job's payload.
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct Schedule {
    /// The folder the backups go to.
    pub dir: PathBuf,
    pub every_hours: u32,
    /// How many of the newest backups are kept.
    pub keep: u32,
}

/// The next scheduled backup, `after` from now.
pub fn next_job(schedule: &Schedule, after: Duration) -> Result<canhgiac_store::NewJob> {
    let mut job = canhgiac_store::NewJob::new(JOB, serde_json::to_value(schedule)?);
    let ms = i64::try_from(after.as_millis()).unwrap_or(i64::MAX);
    job.run_at = Some(canhgiac_domain::Timestamp::now().plus_millis(ms));
    job.max_attempts = 3;
    Ok(job)
}

/// One scheduled run: a backup named by its Vietnam time, the oldest
/// beyond `keep` removed, and the next run queued.
pub async fn scheduled(target: &Target, store: &SqlStore, schedule: &Schedule) -> Result<PathBuf> {
    std::fs::create_dir_all(&schedule.dir)
        .with_context(|| format!("không tạo được thư mục sao lưu {}", schedule.dir.display()))?;
    let stamp = (chrono::Utc::now() + chrono::Duration::hours(7)).format("%Y%m%d-%H%M%S");
    let out = schedule.dir.join(format!("canhgiac-{stamp}.zip"));
    backup_to(target, store, &out).await?;
    let mut ours: Vec<PathBuf> = std::fs::read_dir(&schedule.dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("canhgiac-") && n.ends_with(".zip"))
        })
        .collect();
    ours.sort();
    let keep = usize::try_from(schedule.keep.max(1)).unwrap_or(usize::MAX);
    if ours.len() > keep {
        for old in &ours[..ours.len() - keep] {
            std::fs::remove_file(old).with_context(|| format!("không xóa được {}", old.display()))?;
            tracing::info!(path = %old.display(), "old backup removed");
        }
    }
    let every = Duration::from_secs(u64::from(schedule.every_hours.max(1)) * 3600);
    store.enqueue(&next_job(schedule, every)?).await?;
    Ok(out)
}

/// Reads the manifest, then checks every part it names against its size
/// and hash, extracting into `into`; nothing else in the file is read.
fn unpack(file: &Path, into: &Path) -> Result<Manifest> {
    let f = std::fs::File::open(file).with_context(|| format!("không mở được {}", file.display()))?;
    let mut zip = zip::ZipArchive::new(f).context("tệp sao lưu không phải tệp nén ZIP hợp lệ")?;
    let manifest: Manifest = {
        let entry = zip.by_name(MANIFEST).context("tệp sao lưu thiếu manifest.json")?;
        let mut buf = Vec::new();
        entry.take(MAX_MANIFEST).read_to_end(&mut buf)?;
        serde_json::from_slice(&buf).context("manifest.json không hợp lệ")?
    };
    if manifest.format != FORMAT || manifest.version != 1 {
        bail!("tệp không phải bản sao lưu canhgiac (định dạng «{}»)", manifest.format);
    }
    if manifest.schema_version > canhgiac_store::schema::latest_version() {
        bail!(
            "bản sao lưu từ phiên bản lược đồ {}, mới hơn chương trình này; hãy cập nhật chương trình",
            manifest.schema_version
        );
    }
    for part in &manifest.files {
        let safe = !part.name.is_empty()
            && !part.name.starts_with('/')
            && part.name.split('/').all(|c| !c.is_empty() && c != "." && c != "..");
        if !safe {
            bail!("tên phần «{}» trong bản sao lưu không hợp lệ", part.name);
        }
        let target = into.join(&part.name);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let entry = zip
            .by_name(&part.name)
            .with_context(|| format!("bản sao lưu thiếu phần «{}»", part.name))?;
        let mut out = std::fs::File::create(&target)?;
        let mut h = Sha256::new();
        // Never more than declared: a bomb stops at the declared size.
        let mut limited = entry.take(part.size.saturating_add(1));
        let mut buf = vec![0u8; 1 << 16];
        let mut n: u64 = 0;
        loop {
            let k = limited.read(&mut buf)?;
            if k == 0 {
                break;
            }
            n += k as u64;
            h.update(&buf[..k]);
            out.write_all(&buf[..k])?;
        }
        if n != part.size || hex::encode(h.finalize()) != part.sha256 {
            bail!(
                "phần «{}» của bản sao lưu bị hỏng hoặc bị sửa (sai kích thước hoặc SHA-256)",
                part.name
            );
        }
        out.sync_all()?;
    }
    Ok(manifest)
}

/// The restore's target holds nothing yet: an empty data folder, or an
/// existing PostgreSQL schema without tables.
async fn ensure_empty(cli: &Cli) -> Result<()> {
    use canhgiac_store::db::{single_int, Pool, Ty, Value};
    match &cli.database_url {
        None => {
            let holds = std::fs::read_dir(&cli.data)
                .map(|mut d| d.next().is_some())
                .unwrap_or(false);
            if holds {
                bail!(
                    "thư mục dữ liệu {} không trống; chỉ phục hồi vào thư mục trống để không ghi đè dữ liệu đang có",
                    cli.data.display()
                );
            }
        }
        Some(url) => {
            let probe = Pool::connect_postgres(url, None).await?;
            let schema = cli.database_schema.clone().unwrap_or_else(|| "public".into());
            let count = |sql: &'static str| {
                let (probe, schema) = (&probe, schema.clone());
                async move {
                    let rows = probe.rows(sql, &[Value::from(schema.as_str())], &[Ty::Int]).await?;
                    single_int(rows, "count").map_err(anyhow::Error::from)
                }
            };
            let tables = count("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = $1").await?;
            let exists = count("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = $1").await?;
            probe.close().await;
            if tables > 0 {
                bail!("lược đồ «{schema}» đã có bảng; chỉ phục hồi vào lược đồ trống");
            }
            if exists == 0 {
                bail!("chưa có lược đồ «{schema}»; hãy tạo lược đồ trống (thuộc vai trò của ứng dụng) rồi phục hồi");
            }
        }
    }
    Ok(())
}

/// Restores a dump into the target's schema, in one transaction. The
/// schema is the target's (it exists, empty, owned by the application's
/// role): everything but its creation is restored.
fn pg_restore(url: &str, dump: &Path, work: &Path) -> Result<()> {
    let toc = std::process::Command::new("pg_restore")
        .arg("--list")
        .arg(dump)
        .output()
        .context("không chạy được pg_restore (gói postgresql-client)")?;
    if !toc.status.success() {
        bail!(
            "pg_restore không đọc được bản sao lưu: {}",
            String::from_utf8_lossy(&toc.stderr)
        );
    }
    let list: String = String::from_utf8_lossy(&toc.stdout)
        .lines()
        .filter(|l| !l.contains(" SCHEMA - "))
        .map(|l| format!("{l}\n"))
        .collect();
    let list_file = work.join("toc.list");
    std::fs::write(&list_file, list)?;
    let status = std::process::Command::new("pg_restore")
        .args([
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
        ])
        .arg("--use-list")
        .arg(&list_file)
        .arg("--dbname")
        .arg(url)
        .arg(dump)
        .status()
        .context("không chạy được pg_restore (gói postgresql-client)")?;
    if !status.success() {
        bail!("pg_restore không thành công ({status}); lược đồ không thay đổi");
    }
    Ok(())
}

/// `canhgiac restore FILE`: into an empty data folder, or an empty
/// PostgreSQL schema.
pub async fn restore(cli: &Cli, file: &Path) -> Result<()> {
    let engine_wanted = if cli.database_url.is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    ensure_empty(cli).await?;
    let parent = cli
        .data
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let work = tempfile::tempdir_in(parent).context("không tạo được thư mục tạm")?;
    let manifest = unpack(file, work.path())?;
    if manifest.engine != engine_wanted {
        bail!(
            "bản sao lưu của {} không phục hồi được vào {engine_wanted}; hãy dùng `canhgiac import` với tệp xuất dữ liệu",
            manifest.engine
        );
    }
    match &cli.database_url {
        None => {
            use std::os::unix::fs::PermissionsExt;
            // The restored folder is as private as a new one (0700, files 0600).
            std::fs::create_dir_all(&cli.data)?;
            std::fs::set_permissions(&cli.data, std::fs::Permissions::from_mode(0o700))?;
            for part in &manifest.files {
                let target = cli.data.join(&part.name);
                if let Some(p) = target.parent() {
                    std::fs::create_dir_all(p)?;
                    std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o700))?;
                }
                let from = work.path().join(&part.name);
                std::fs::rename(&from, &target).or_else(|_| std::fs::copy(&from, &target).map(|_| ()))?;
                std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600))?;
            }
        }
        Some(url) => pg_restore(url, &work.path().join(PG_DUMP), work.path())?,
    }
    // Opening migrates a backup from an older build; then the chain is
    // recomputed over everything restored.
    let store = crate::commands::open(cli).await?;
    let check = store.verify_audit().await?;
    store.close().await;
    match check.broken_at {
        None => println!(
            "Đã phục hồi bản sao lưu ngày {} ({} phần); nhật ký toàn vẹn ({} mục).",
            canhgiac_domain::Timestamp::parse(&manifest.created_at)
                .map_or(manifest.created_at.clone(), |t| t.vn_text()),
            manifest.files.len(),
            check.entries
        ),
        Some(at) => bail!("đã phục hồi, nhưng chuỗi nhật ký bị phá vỡ tại mục {at}"),
    }
    Ok(())
}
