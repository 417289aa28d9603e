//! Issued reports: immutable, hashed snapshots of rendered reports.

use canhgiac_domain::{AuditAction, RecordKind, Timestamp};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::audit;
use crate::db::{Cols, Pool, Tx, Ty, Value};
use crate::{Actor, Result, StoreError};

/// A report to freeze.
#[derive(Clone, Debug)]
pub struct NewIssuedReport {
    pub agency: String,
    /// `180/BC-STTTT`
    pub number: String,
    pub year: i32,
    pub kind: String,
    pub period: Option<String>,
    pub period_from: String,
    pub period_to: String,
    pub signed_on: String,
    pub summary: String,
    /// Every figure with the ids behind it.
    pub figures: serde_json::Value,
    /// (file name, media type, bytes)
    pub files: Vec<(String, String, Vec<u8>)>,
}

/// A file of an issued report, by hash: the same entry a submission's
/// manifest lists.
pub use canhgiac_domain::submission::FileEntry as IssuedFile;

/// The entry of a file: its name, type, SHA-256 and size.
pub(crate) fn entry(name: &str, media_type: &str, bytes: &[u8]) -> IssuedFile {
    IssuedFile {
        name: name.to_owned(),
        media_type: media_type.to_owned(),
        sha256: sha(bytes),
        size: bytes.len() as i64,
    }
}

/// The file entries of one report or submission: `sql` selects name,
/// media type, SHA-256 and size for the id `$1`, ordered by name.
pub(crate) async fn entries(pool: &Pool, sql: &str, id: i64) -> Result<Vec<IssuedFile>> {
    pool.rows(sql, &[Value::Int(id)], &[Ty::Text, Ty::Text, Ty::Text, Ty::Int])
        .await?
        .into_iter()
        .map(|row| {
            let mut c = Cols::new(row, "files");
            Ok(IssuedFile {
                name: c.text()?,
                media_type: c.text()?,
                sha256: c.text()?,
                size: c.int()?,
            })
        })
        .collect()
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IssuedReport {
    pub id: i64,
    pub agency: String,
    pub number: String,
    pub year: i64,
    pub version: i64,
    pub kind: String,
    pub period: Option<String>,
    pub period_from: String,
    pub period_to: String,
    pub signed_on: String,
    pub issued_at: Timestamp,
    pub issued_by: String,
    pub summary: String,
    pub figures: serde_json::Value,
    pub sha256: String,
    pub files: Vec<IssuedFile>,
}

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The hash of a snapshot: over its identity, figures and file hashes.
pub(crate) fn manifest_hash(r: &IssuedReport) -> String {
    #[derive(Serialize)]
    struct Manifest<'a> {
        agency: &'a str,
        number: &'a str,
        year: i64,
        version: i64,
        kind: &'a str,
        period: &'a Option<String>,
        period_from: &'a str,
        period_to: &'a str,
        signed_on: &'a str,
        issued_at: &'a Timestamp,
        issued_by: &'a str,
        summary: &'a str,
        figures: &'a serde_json::Value,
        files: &'a [IssuedFile],
    }
    let m = Manifest {
        agency: &r.agency,
        number: &r.number,
        year: r.year,
        version: r.version,
        kind: &r.kind,
        period: &r.period,
        period_from: &r.period_from,
        period_to: &r.period_to,
        signed_on: &r.signed_on,
        issued_at: &r.issued_at,
        issued_by: &r.issued_by,
        summary: &r.summary,
        figures: &r.figures,
        files: &r.files,
    };
    sha(&serde_json::to_vec(&m).unwrap_or_default())
}

/// A number, symbol and year belong to one report: a new version is that
/// report again (its kind and period), never another one.
async fn same_report(tx: &mut Tx, new: &NewIssuedReport) -> Result<()> {
    let prev = tx
        .row(
            "SELECT kind, period_from, period_to FROM issued_reports \
             WHERE agency = $1 AND number = $2 AND year = $3 ORDER BY version DESC LIMIT 1",
            &[
                Value::from(new.agency.as_str()),
                Value::from(new.number.as_str()),
                Value::Int(i64::from(new.year)),
            ],
            &[Ty::Text, Ty::Text, Ty::Text],
        )
        .await?
        .ok_or_else(|| StoreError::Corrupt("báo cáo đã ban hành: không đọc được phiên bản trước".into()))?;
    let mut c = Cols::new(prev, "issued_reports");
    let (kind, from, to) = (c.text()?, c.text()?, c.text()?);
    if kind != new.kind || from != new.period_from || to != new.period_to {
        return Err(StoreError::Refused(format!(
            "số «{}» năm {} đã dùng cho một báo cáo khác kỳ hoặc khác loại; phiên bản mới phải giữ nguyên loại và kỳ báo cáo, báo cáo khác cần số khác",
            new.number, new.year
        )));
    }
    Ok(())
}

pub(crate) async fn issue(tx: &mut Tx, actor: &Actor, new: &NewIssuedReport) -> Result<IssuedReport> {
    let row = tx
        .row(
            "SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) FROM issued_reports WHERE agency = $1 AND number = $2 AND year = $3",
            &[
                Value::from(new.agency.as_str()),
                Value::from(new.number.as_str()),
                Value::Int(i64::from(new.year)),
            ],
            &[Ty::Int],
        )
        .await?;
    let row = row.ok_or_else(|| StoreError::Corrupt("báo cáo đã ban hành: không đọc được phiên bản".into()))?;
    let version = Cols::new(row, "issued_reports.version").int()? + 1;
    if version > 1 {
        same_report(tx, new).await?;
    }
    let mut files: Vec<IssuedFile> = new
        .files
        .iter()
        .map(|(name, media_type, bytes)| entry(name, media_type, bytes))
        .collect();
    files.sort_by(|a, b| a.name.cmp(&b.name));
    let mut rep = IssuedReport {
        id: 0,
        agency: new.agency.clone(),
        number: new.number.clone(),
        year: i64::from(new.year),
        version,
        kind: new.kind.clone(),
        period: new.period.clone(),
        period_from: new.period_from.clone(),
        period_to: new.period_to.clone(),
        signed_on: new.signed_on.clone(),
        issued_at: Timestamp::now(),
        issued_by: actor.username.clone(),
        summary: new.summary.clone(),
        figures: new.figures.clone(),
        sha256: String::new(),
        files,
    };
    rep.sha256 = manifest_hash(&rep);
    let row = tx
        .row(
            "INSERT INTO issued_reports (agency, number, year, version, kind, period, period_from, period_to, signed_on, issued_at, issued_by, summary, figures, sha256) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
            &[
                Value::from(rep.agency.as_str()),
                Value::from(rep.number.as_str()),
                Value::Int(rep.year),
                Value::Int(rep.version),
                Value::from(rep.kind.as_str()),
                Value::from(rep.period.clone()),
                Value::from(rep.period_from.as_str()),
                Value::from(rep.period_to.as_str()),
                Value::from(rep.signed_on.as_str()),
                Value::Text(rep.issued_at.rfc3339()),
                Value::from(rep.issued_by.as_str()),
                Value::from(rep.summary.as_str()),
                Value::Text(rep.figures.to_string()),
                Value::from(rep.sha256.as_str()),
            ],
            &[Ty::Int],
        )
        .await?
        .ok_or_else(|| StoreError::Corrupt("không ghi được báo cáo".into()))?;
    rep.id = Cols::new(row, "issued_reports.id").int()?;
    for (name, media_type, bytes) in &new.files {
        let f = rep.files.iter().find(|f| &f.name == name).cloned();
        let Some(f) = f else { continue };
        tx.exec(
            "INSERT INTO issued_report_files (report_id, name, media_type, sha256, size, content) VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                Value::Int(rep.id),
                Value::from(name.as_str()),
                Value::from(media_type.as_str()),
                Value::Text(f.sha256),
                Value::Int(f.size),
                Value::Bytes(bytes.clone()),
            ],
        )
        .await?;
    }
    let key = format!("{}|{}|{}|v{}", rep.agency, rep.year, rep.number, rep.version);
    let after = serde_json::json!({
        "number": rep.number, "version": rep.version, "sha256": rep.sha256,
        "period_from": rep.period_from, "period_to": rep.period_to,
        "files": rep.files,
    });
    audit::append(
        tx,
        actor,
        AuditAction::Create,
        RecordKind::IssuedReport,
        &key,
        rep.id,
        None,
        Some(after),
    )
    .await?;
    Ok(rep)
}

const SELECT: &str = "SELECT id, agency, number, year, version, kind, period, period_from, period_to, signed_on, issued_at, issued_by, summary, figures, sha256 FROM issued_reports";
const TYPES: &[Ty] = &[
    Ty::Int,
    Ty::Text,
    Ty::Text,
    Ty::Int,
    Ty::Int,
    Ty::Text,
    Ty::Text,
    Ty::Text,
    Ty::Text,
    Ty::Text,
    Ty::Text,
    Ty::Text,
    Ty::Text,
    Ty::Text,
    Ty::Text,
];

fn decode(row: Vec<Value>) -> Result<IssuedReport> {
    let bad = |w: &str| StoreError::Corrupt(format!("báo cáo đã ban hành: {w}"));
    let mut c = Cols::new(row, "issued_reports");
    let id = c.int()?;
    let agency = c.text()?;
    let number = c.text()?;
    let year = c.int()?;
    let version = c.int()?;
    let kind = c.text()?;
    let period = c.opt_text()?;
    let period_from = c.text()?;
    let period_to = c.text()?;
    let signed_on = c.text()?;
    let issued_at = c.ts()?;
    let issued_by = c.text()?;
    let summary = c.text()?;
    let figures = serde_json::from_str(&c.text()?).map_err(|_| bad("figures"))?;
    let sha256 = c.text()?;
    Ok(IssuedReport {
        id,
        agency,
        number,
        year,
        version,
        kind,
        period,
        period_from,
        period_to,
        signed_on,
        issued_at,
        issued_by,
        summary,
        figures,
        sha256,
        files: Vec::new(),
    })
}

async fn with_files(pool: &Pool, mut r: IssuedReport) -> Result<IssuedReport> {
    r.files = entries(
        pool,
        "SELECT name, media_type, sha256, size FROM issued_report_files WHERE report_id = $1 ORDER BY name",
        r.id,
    )
    .await?;
    Ok(r)
}

pub(crate) async fn list(pool: &Pool, number: Option<&str>, scope: Option<&str>) -> Result<Vec<IssuedReport>> {
    let mut wh = Vec::new();
    let mut args = Vec::new();
    if let Some(n) = number {
        args.push(Value::from(n));
        wh.push(format!("number = ${}", args.len()));
    }
    if let Some(s) = scope {
        args.push(Value::from(s));
        wh.push(format!("agency = ${}", args.len()));
    }
    let filter = if wh.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", wh.join(" AND "))
    };
    let sql = format!("{SELECT}{filter} ORDER BY id DESC LIMIT 500");
    let mut out = Vec::new();
    for row in pool.rows(&sql, &args, TYPES).await? {
        out.push(with_files(pool, decode(row)?).await?);
    }
    Ok(out)
}

pub(crate) async fn get(pool: &Pool, id: i64) -> Result<Option<IssuedReport>> {
    let rows = pool
        .rows(&format!("{SELECT} WHERE id = $1"), &[Value::Int(id)], TYPES)
        .await?;
    match rows.into_iter().next() {
        Some(row) => Ok(Some(with_files(pool, decode(row)?).await?)),
        None => Ok(None),
    }
}

pub(crate) async fn file(pool: &Pool, id: i64, name: &str) -> Result<Option<Vec<u8>>> {
    let rows = pool
        .rows(
            "SELECT content FROM issued_report_files WHERE report_id = $1 AND name = $2",
            &[Value::Int(id), Value::from(name)],
            &[Ty::Bytes],
        )
        .await?;
    Ok(rows.into_iter().next().and_then(|r| match r.into_iter().next() {
        Some(Value::Bytes(b)) => Some(b),
        _ => None,
    }))
}

/// Recomputes every file hash and the manifest hash.
pub(crate) async fn verify(pool: &Pool, id: i64) -> Result<bool> {
    let Some(r) = get(pool, id).await? else {
        return Err(StoreError::Corrupt(format!("không có báo cáo đã ban hành mã số {id}")));
    };
    for f in &r.files {
        match file(pool, id, &f.name).await? {
            Some(bytes) if sha(&bytes) == f.sha256 && bytes.len() as i64 == f.size => {}
            _ => return Ok(false),
        }
    }
    Ok(manifest_hash(&r) == r.sha256)
}
