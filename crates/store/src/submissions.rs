//! Report requests to child agencies, the submissions that answer them,
//! their review (approve, return), and the agencies' signing keys.
//!
//! Who sees what: a request is seen by the agency that sent it and by the
//! agencies it is addressed to; a submission by the agency that sent it and
//! by the request's sender. Only the sender of a request decides on its
//! submissions. An unscoped store (the CLI on a one-agency store, tests)
//! sees everything.

use canhgiac_domain::submission::{FileEntry, Manifest, SubmissionSource, SubmissionStatus};
use canhgiac_domain::{Agency, AuditAction, Date, Period, RecordKind, ReportKind, Timestamp};
use canhgiac_secrets::sha256_hex;
use serde::{Deserialize, Serialize};

use crate::audit;
use crate::db::{Cols, Pool, Tx, Ty, Value};
use crate::{Actor, Result, StoreError};

/// A request to send.
#[derive(Clone, Debug)]
pub struct NewCall {
    /// `2023/BCĐ-CAT`
    pub number: String,
    pub issued_on: Date,
    pub subject: String,
    pub report_kind: ReportKind,
    pub period: Period,
    pub deadline: Date,
    /// Free-text sections asked for (codes of `submission::SECTIONS`).
    pub sections: Vec<String>,
    /// The children asked; empty asks every child of the sender on the
    /// day the request is issued.
    pub targets: Vec<String>,
}

/// A request as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportCall {
    pub id: i64,
    /// The sending agency's code, and its name on the day of the request.
    pub owner: String,
    pub owner_name: String,
    pub number: String,
    pub issued_on: Date,
    pub subject: String,
    pub report_kind: ReportKind,
    pub period: Period,
    pub deadline: Date,
    pub sections: Vec<String>,
    /// The children asked, with their names on the day of the request.
    pub targets: Vec<CallTarget>,
    pub created_at: Timestamp,
    pub created_by: String,
}

/// A child asked by a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallTarget {
    pub agency: String,
    pub name: String,
}

impl ReportCall {
    pub fn asks(&self, agency: &str) -> bool {
        self.targets.iter().any(|t| t.agency == agency)
    }

    pub fn target_name(&self, agency: &str) -> String {
        self.targets
            .iter()
            .find(|t| t.agency == agency)
            .map_or_else(|| agency.to_owned(), |t| t.name.clone())
    }
}

/// A submission to record.
#[derive(Clone, Debug)]
pub struct NewSubmission {
    pub call_id: i64,
    pub source: SubmissionSource,
    /// When it was received: `Timestamp::now()` for anything a person or
    /// another installation sends; an earlier instant only where history
    /// is loaded (the demo dataset, tests).
    pub received_at: Timestamp,
    pub manifest: Manifest,
    /// (public key, signature) over the manifest's canonical bytes; a
    /// package from another installation must carry one.
    pub signature: Option<(String, String)>,
    /// (name, media type, bytes); each must match the manifest's entry.
    pub files: Vec<(String, String, Vec<u8>)>,
}

/// A submission as stored: one sending of one child's answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Submission {
    pub id: i64,
    pub call_id: i64,
    pub agency: String,
    /// 1 for the first sending, 2 after a return, …
    pub version: i64,
    pub status: SubmissionStatus,
    pub source: SubmissionSource,
    pub submitted_at: Timestamp,
    pub submitted_by: String,
    pub manifest: Manifest,
    /// SHA-256 of the manifest's canonical bytes.
    pub manifest_sha256: String,
    pub public_key: Option<String>,
    pub signature: Option<String>,
    pub decided_at: Option<Timestamp>,
    pub decided_by: Option<String>,
    pub comment: Option<String>,
}

/// What the parent decides on a submission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Approve,
    /// Returned for correction, with the reason.
    Return(String),
}

/// A registered key.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AgencyKey {
    pub agency: String,
    pub public_key: String,
    /// True when this installation holds the secret and can sign.
    pub can_sign: bool,
    pub created_at: Timestamp,
    pub created_by: String,
}

fn refused(msg: impl Into<String>) -> StoreError {
    StoreError::Refused(msg.into())
}

fn not_found(kind: RecordKind, id: i64) -> StoreError {
    StoreError::NotFound { kind, id }
}

const CALL_SELECT: &str = "SELECT id, owner, owner_name, number, issued_on, subject, report_kind, period, deadline, sections, created_at, created_by FROM report_calls";
const CALL_TYPES: &[Ty] = &[
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
    Ty::Text,
];

fn decode_call(row: Vec<Value>) -> Result<ReportCall> {
    let bad = |w: &str| StoreError::Corrupt(format!("yêu cầu báo cáo: {w}"));
    let mut c = Cols::new(row, "report_calls");
    Ok(ReportCall {
        id: c.int()?,
        owner: c.text()?,
        owner_name: c.text()?,
        number: c.text()?,
        issued_on: Date::parse(&c.text()?).map_err(|_| bad("issued_on"))?,
        subject: c.text()?,
        report_kind: ReportKind::parse(&c.text()?).map_err(|_| bad("report_kind"))?,
        period: c.text()?.parse().map_err(|_| bad("period"))?,
        deadline: Date::parse(&c.text()?).map_err(|_| bad("deadline"))?,
        sections: serde_json::from_str(&c.text()?).map_err(|_| bad("sections"))?,
        targets: Vec::new(),
        created_at: c.ts()?,
        created_by: c.text()?,
    })
}

async fn with_targets(tx: &mut Tx, mut call: ReportCall) -> Result<ReportCall> {
    let rows = tx
        .rows(
            "SELECT agency, name FROM report_call_targets WHERE call_id = $1 ORDER BY agency",
            &[Value::Int(call.id)],
            &[Ty::Text, Ty::Text],
        )
        .await?;
    call.targets = rows
        .into_iter()
        .map(|r| {
            let mut c = Cols::new(r, "report_call_targets");
            Ok(CallTarget {
                agency: c.text()?,
                name: c.text()?,
            })
        })
        .collect::<Result<_>>()?;
    Ok(call)
}

/// Visibility of requests to `scope`, as a WHERE clause on `report_calls`.
fn call_visible(scope: Option<&str>, args: &mut Vec<Value>) -> String {
    match scope {
        None => "1 = 1".into(),
        Some(s) => {
            args.push(Value::from(s));
            let n = args.len();
            format!("(owner = ${n} OR id IN (SELECT call_id FROM report_call_targets WHERE agency = ${n}))")
        }
    }
}

pub(crate) async fn call_get(tx: &mut Tx, id: i64, scope: Option<&str>) -> Result<Option<ReportCall>> {
    let mut args = vec![Value::Int(id)];
    let vis = call_visible(scope, &mut args);
    let row = tx
        .row(&format!("{CALL_SELECT} WHERE id = $1 AND {vis}"), &args, CALL_TYPES)
        .await?;
    match row {
        Some(r) => Ok(Some(with_targets(tx, decode_call(r)?).await?)),
        None => Ok(None),
    }
}

pub(crate) async fn calls(tx: &mut Tx, scope: Option<&str>) -> Result<Vec<ReportCall>> {
    let mut args = Vec::new();
    let vis = call_visible(scope, &mut args);
    let rows = tx
        .rows(
            &format!("{CALL_SELECT} WHERE {vis} ORDER BY issued_on DESC, id DESC LIMIT 500"),
            &args,
            CALL_TYPES,
        )
        .await?;
    let mut out = Vec::new();
    for r in rows {
        out.push(with_targets(tx, decode_call(r)?).await?);
    }
    Ok(out)
}

pub(crate) async fn call_send(tx: &mut Tx, actor: &Actor, new: &NewCall, scope: Option<&str>) -> Result<ReportCall> {
    let all = crate::sql_store::agencies_in_tx(tx).await?;
    let owner = match scope {
        Some(s) => s.to_owned(),
        None if all.len() == 1 => all[0].code.to_string(),
        None => return Err(refused("kho có nhiều cơ quan; hãy chọn cơ quan gửi yêu cầu")),
    };
    let children: Vec<String> = Agency::children_on(&all, &owner, new.issued_on)
        .into_iter()
        .map(|a| a.code.to_string())
        .collect();
    let mut targets = if new.targets.is_empty() {
        children.clone()
    } else {
        new.targets.clone()
    };
    targets.sort();
    targets.dedup();
    if targets.is_empty() {
        return Err(refused(format!(
            "cơ quan không có đơn vị trực thuộc hoặc thành viên vào ngày {}",
            new.issued_on
        )));
    }
    if let Some(t) = targets.iter().find(|t| !children.contains(t)) {
        return Err(refused(format!(
            "«{t}» không phải đơn vị trực thuộc hoặc thành viên của cơ quan gửi vào ngày {}",
            new.issued_on
        )));
    }
    if new.deadline < new.issued_on {
        return Err(refused("hạn gửi báo cáo phải sau ngày ban hành yêu cầu"));
    }
    if new.number.trim().is_empty() || new.subject.trim().is_empty() {
        return Err(refused("cần số, ký hiệu và nội dung yêu cầu"));
    }
    let dup = tx
        .row(
            "SELECT id FROM report_calls WHERE owner = $1 AND number = $2 AND issued_on = $3",
            &[
                Value::from(owner.as_str()),
                Value::from(new.number.trim()),
                Value::Text(new.issued_on.iso()),
            ],
            &[Ty::Int],
        )
        .await?;
    if dup.is_some() {
        return Err(StoreError::Conflict {
            kind: RecordKind::ReportCall,
            key: new.number.trim().to_owned(),
        });
    }
    let name_of = |code: &str| {
        all.iter()
            .find(|a| a.code.as_str() == code)
            .and_then(|a| a.name_on(new.issued_on))
            .map_or_else(|| code.to_owned(), |n| n.name.to_string())
    };
    let now = Timestamp::now();
    let row = tx
        .row(
            "INSERT INTO report_calls (owner, owner_name, number, issued_on, subject, report_kind, period, deadline, sections, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            &[
                Value::from(owner.as_str()),
                Value::from(name_of(&owner)),
                Value::from(canhgiac_domain::nfc(new.number.trim()).as_str()),
                Value::Text(new.issued_on.iso()),
                Value::from(canhgiac_domain::nfc(new.subject.trim()).as_str()),
                Value::from(new.report_kind.code()),
                Value::Text(new.period.to_string()),
                Value::Text(new.deadline.iso()),
                Value::Text(serde_json::to_string(&new.sections).unwrap_or_else(|_| "[]".into())),
                Value::Text(now.rfc3339()),
                Value::from(actor.username.as_str()),
            ],
            &[Ty::Int],
        )
        .await?
        .ok_or_else(|| StoreError::Corrupt("không ghi được yêu cầu báo cáo".into()))?;
    let id = Cols::new(row, "report_calls.id").int()?;
    for t in &targets {
        let name = name_of(t);
        tx.exec(
            "INSERT INTO report_call_targets (call_id, agency, name) VALUES ($1, $2, $3)",
            &[Value::Int(id), Value::from(t.as_str()), Value::from(name)],
        )
        .await?;
    }
    let call = call_get(tx, id, None)
        .await?
        .ok_or_else(|| StoreError::Corrupt("yêu cầu vừa ghi không đọc lại được".into()))?;
    audit::append(
        tx,
        actor,
        AuditAction::Send,
        RecordKind::ReportCall,
        &format!("{}|{}", call.owner, call.number),
        id,
        None,
        serde_json::to_value(&call).ok(),
    )
    .await?;
    Ok(call)
}

/// Records, at a child's own installation, a request its parent sent from
/// another one: the same request, addressed to this agency only.
pub(crate) async fn call_receive(
    tx: &mut Tx,
    actor: &Actor,
    call: &ReportCall,
    scope: Option<&str>,
) -> Result<ReportCall> {
    let Some(me) = scope else {
        return Err(refused("hãy chọn cơ quan nhận yêu cầu (--agency)"));
    };
    let Some(target) = call.targets.iter().find(|t| t.agency == me) else {
        return Err(refused(format!(
            "yêu cầu số {} không gửi tới cơ quan «{me}»",
            call.number
        )));
    };
    if crate::sql_store::agency_in_tx(tx, &call.owner).await?.is_none() {
        return Err(refused(format!(
            "chưa có cơ quan gửi yêu cầu «{}» ({}) trong hệ thống; hãy thêm cơ quan cấp trên trước",
            call.owner, call.owner_name
        )));
    }
    let dup = tx
        .row(
            "SELECT id FROM report_calls WHERE owner = $1 AND number = $2 AND issued_on = $3",
            &[
                Value::from(call.owner.as_str()),
                Value::from(call.number.as_str()),
                Value::Text(call.issued_on.iso()),
            ],
            &[Ty::Int],
        )
        .await?;
    if let Some(row) = dup {
        let id = Cols::new(row, "report_calls.id").int()?;
        return call_get(tx, id, None)
            .await?
            .ok_or_else(|| StoreError::Corrupt("yêu cầu không đọc lại được".into()));
    }
    let row = tx
        .row(
            "INSERT INTO report_calls (owner, owner_name, number, issued_on, subject, report_kind, period, deadline, sections, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            &[
                Value::from(call.owner.as_str()),
                Value::from(canhgiac_domain::nfc(&call.owner_name)),
                Value::from(canhgiac_domain::nfc(&call.number)),
                Value::Text(call.issued_on.iso()),
                Value::from(canhgiac_domain::nfc(&call.subject)),
                Value::from(call.report_kind.code()),
                Value::Text(call.period.to_string()),
                Value::Text(call.deadline.iso()),
                Value::Text(serde_json::to_string(&call.sections).unwrap_or_else(|_| "[]".into())),
                Value::Text(Timestamp::now().rfc3339()),
                Value::from(actor.username.as_str()),
            ],
            &[Ty::Int],
        )
        .await?
        .ok_or_else(|| StoreError::Corrupt("không ghi được yêu cầu báo cáo".into()))?;
    let id = Cols::new(row, "report_calls.id").int()?;
    tx.exec(
        "INSERT INTO report_call_targets (call_id, agency, name) VALUES ($1, $2, $3)",
        &[Value::Int(id), Value::from(me), Value::from(target.name.as_str())],
    )
    .await?;
    let got = call_get(tx, id, None)
        .await?
        .ok_or_else(|| StoreError::Corrupt("yêu cầu vừa ghi không đọc lại được".into()))?;
    audit::append(
        tx,
        actor,
        AuditAction::Create,
        RecordKind::ReportCall,
        &format!("{}|{}", got.owner, got.number),
        id,
        None,
        serde_json::to_value(&got).ok(),
    )
    .await?;
    Ok(got)
}

const SUB_SELECT: &str = "SELECT id, call_id, agency, version, status, source, submitted_at, submitted_by, manifest, manifest_sha256, public_key, signature, decided_at, decided_by, comment FROM submissions";
const SUB_TYPES: &[Ty] = &[
    Ty::Int,
    Ty::Int,
    Ty::Text,
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
    Ty::Text,
];

fn decode_sub(row: Vec<Value>) -> Result<Submission> {
    let bad = |w: &str| StoreError::Corrupt(format!("báo cáo của đơn vị: {w}"));
    let mut c = Cols::new(row, "submissions");
    Ok(Submission {
        id: c.int()?,
        call_id: c.int()?,
        agency: c.text()?,
        version: c.int()?,
        status: SubmissionStatus::parse(&c.text()?).map_err(|_| bad("status"))?,
        source: SubmissionSource::parse(&c.text()?).map_err(|_| bad("source"))?,
        submitted_at: c.ts()?,
        submitted_by: c.text()?,
        manifest: serde_json::from_str(&c.text()?).map_err(|_| bad("manifest"))?,
        manifest_sha256: c.text()?,
        public_key: c.opt_text()?,
        signature: c.opt_text()?,
        decided_at: c.opt_ts()?,
        decided_by: c.opt_text()?,
        comment: c.opt_text()?,
    })
}

/// The submissions of a request that `scope` may see, oldest first.
pub(crate) async fn submissions(tx: &mut Tx, call_id: i64, scope: Option<&str>) -> Result<Vec<Submission>> {
    let Some(call) = call_get(tx, call_id, scope).await? else {
        return Err(not_found(RecordKind::ReportCall, call_id));
    };
    let mut args = vec![Value::Int(call_id)];
    let mut sql = format!("{SUB_SELECT} WHERE call_id = $1");
    if let Some(s) = scope.filter(|s| *s != call.owner) {
        args.push(Value::from(s));
        sql.push_str(" AND agency = $2");
    }
    sql.push_str(" ORDER BY agency, version");
    tx.rows(&sql, &args, SUB_TYPES)
        .await?
        .into_iter()
        .map(decode_sub)
        .collect()
}

pub(crate) async fn submission_get(tx: &mut Tx, id: i64, scope: Option<&str>) -> Result<Option<Submission>> {
    let Some(row) = tx
        .row(&format!("{SUB_SELECT} WHERE id = $1"), &[Value::Int(id)], SUB_TYPES)
        .await?
    else {
        return Ok(None);
    };
    let sub = decode_sub(row)?;
    let Some(call) = call_get(tx, sub.call_id, scope).await? else {
        return Ok(None);
    };
    let visible = match scope {
        None => true,
        Some(s) => s == call.owner || s == sub.agency,
    };
    Ok(visible.then_some(sub))
}

pub(crate) async fn submission_files(pool: &Pool, id: i64) -> Result<Vec<FileEntry>> {
    crate::issued::entries(
        pool,
        "SELECT name, media_type, sha256, size FROM submission_files WHERE submission_id = $1 ORDER BY name",
        id,
    )
    .await
}

pub(crate) async fn submission_file(pool: &Pool, id: i64, name: &str) -> Result<Option<Vec<u8>>> {
    let rows = pool
        .rows(
            "SELECT content FROM submission_files WHERE submission_id = $1 AND name = $2",
            &[Value::Int(id), Value::from(name)],
            &[Ty::Bytes],
        )
        .await?;
    match rows.into_iter().next() {
        Some(row) => Ok(Some(Cols::new(row, "submission_files.content").bytes()?)),
        None => Ok(None),
    }
}

/// Checks that the manifest answers this request and carries exactly
/// these files.
fn check_manifest(call: &ReportCall, new: &NewSubmission) -> Result<()> {
    let m = &new.manifest;
    if m.format != canhgiac_domain::submission::MANIFEST_FORMAT {
        return Err(refused(format!("định dạng báo cáo «{}» không được hỗ trợ", m.format)));
    }
    let c = &m.call;
    if c.requester != call.owner
        || c.number != call.number
        || c.issued_on != call.issued_on
        || c.period != call.period
        || c.report_kind != call.report_kind
    {
        return Err(refused(format!(
            "báo cáo trả lời yêu cầu số {} ngày {}, không phải yêu cầu số {} ngày {}",
            c.number, c.issued_on, call.number, call.issued_on
        )));
    }
    if !call.asks(&m.agency) {
        return Err(refused(format!(
            "yêu cầu số {} không gửi tới cơ quan «{}»",
            call.number, m.agency
        )));
    }
    let mut given: Vec<FileEntry> = new
        .files
        .iter()
        .map(|(name, media_type, bytes)| crate::issued::entry(name, media_type, bytes))
        .collect();
    let mut listed = m.files.clone();
    given.sort_by(|a, b| a.name.cmp(&b.name));
    listed.sort_by(|a, b| a.name.cmp(&b.name));
    if given != listed {
        return Err(refused(
            "tệp kèm theo không khớp với danh mục (tên, dung lượng hoặc mã SHA-256 khác)",
        ));
    }
    Ok(())
}

/// A package must be signed; a signature must verify against a key
/// registered for the agency.
async fn check_signature(tx: &mut Tx, new: &NewSubmission, agency: &str, bytes: &[u8]) -> Result<()> {
    match (&new.signature, new.source) {
        (None, SubmissionSource::Package) => {
            return Err(refused("gói báo cáo chưa được ký số; không tiếp nhận"));
        }
        (Some((public, signature)), _) => {
            let known = keys(tx, agency).await?;
            if !known.iter().any(|k| &k.public_key == public) {
                return Err(refused(format!(
                    "gói được ký bằng khóa chưa đăng ký cho cơ quan «{agency}» (dấu khóa {})",
                    canhgiac_secrets::signing::fingerprint(public)
                )));
            }
            canhgiac_secrets::signing::verify(public, bytes, signature)
                .map_err(|e| refused(format!("gói báo cáo bị từ chối: {e}")))?;
        }
        (None, _) => {}
    }
    Ok(())
}

pub(crate) async fn submit(tx: &mut Tx, actor: &Actor, new: &NewSubmission, scope: Option<&str>) -> Result<Submission> {
    let call = call_get(tx, new.call_id, scope)
        .await?
        .ok_or_else(|| not_found(RecordKind::ReportCall, new.call_id))?;
    let agency = new.manifest.agency.clone();
    if let Some(s) = scope {
        if s != agency && s != call.owner {
            return Err(refused(
                "chỉ cơ quan được yêu cầu hoặc cơ quan gửi yêu cầu mới ghi được báo cáo",
            ));
        }
    }
    check_manifest(&call, new)?;
    let bytes = new.manifest.canonical_bytes();
    check_signature(tx, new, &agency, &bytes).await?;
    let latest = tx
        .row(
            "SELECT version, status FROM submissions WHERE call_id = $1 AND agency = $2 ORDER BY version DESC LIMIT 1",
            &[Value::Int(call.id), Value::from(agency.as_str())],
            &[Ty::Int, Ty::Text],
        )
        .await?;
    let version = match latest {
        Some(row) => {
            let mut c = Cols::new(row, "submissions.latest");
            let v = c.int()?;
            if c.text()? == SubmissionStatus::Approved.code() {
                return Err(refused(format!(
                    "báo cáo của cơ quan «{agency}» cho yêu cầu số {} đã được duyệt; không gửi lại được",
                    call.number
                )));
            }
            v + 1
        }
        None => 1,
    };
    // Earlier sendings still waiting are superseded by this one.
    tx.exec(
        "UPDATE submissions SET status = $1 WHERE call_id = $2 AND agency = $3 AND status = $4",
        &[
            Value::from(SubmissionStatus::Returned.code()),
            Value::Int(call.id),
            Value::from(agency.as_str()),
            Value::from(SubmissionStatus::Submitted.code()),
        ],
    )
    .await?;
    let now = new.received_at;
    let (public, signature) = match &new.signature {
        Some((p, s)) => (Some(p.clone()), Some(s.clone())),
        None => (None, None),
    };
    let row = tx
        .row(
            "INSERT INTO submissions (call_id, agency, version, status, source, submitted_at, submitted_by, manifest, manifest_sha256, public_key, signature) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            &[
                Value::Int(call.id),
                Value::from(agency.as_str()),
                Value::Int(version),
                Value::from(SubmissionStatus::Submitted.code()),
                Value::from(new.source.code()),
                Value::Text(now.rfc3339()),
                Value::from(actor.username.as_str()),
                Value::Text(String::from_utf8_lossy(&bytes).into_owned()),
                Value::Text(sha256_hex(&bytes)),
                Value::from(public),
                Value::from(signature),
            ],
            &[Ty::Int],
        )
        .await?
        .ok_or_else(|| StoreError::Corrupt("không ghi được báo cáo của đơn vị".into()))?;
    let id = Cols::new(row, "submissions.id").int()?;
    for (name, media_type, content) in &new.files {
        tx.exec(
            "INSERT INTO submission_files (submission_id, name, media_type, sha256, size, content) VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                Value::Int(id),
                Value::from(name.as_str()),
                Value::from(media_type.as_str()),
                Value::Text(sha256_hex(content)),
                Value::Int(content.len() as i64),
                Value::Bytes(content.clone()),
            ],
        )
        .await?;
    }
    let sub = submission_get(tx, id, None)
        .await?
        .ok_or_else(|| StoreError::Corrupt("báo cáo vừa ghi không đọc lại được".into()))?;
    audit::append(
        tx,
        actor,
        AuditAction::Submit,
        RecordKind::Submission,
        &format!("{}|{}|v{}", call.number, agency, version),
        id,
        None,
        Some(serde_json::json!({
            "agency": agency, "version": version, "source": new.source.code(),
            "manifest_sha256": sub.manifest_sha256, "signed": sub.signature.is_some(),
            "figures": sub.manifest.values(),
        })),
    )
    .await?;
    Ok(sub)
}

pub(crate) async fn decide(
    tx: &mut Tx,
    actor: &Actor,
    id: i64,
    decision: &Decision,
    scope: Option<&str>,
) -> Result<Submission> {
    let sub = submission_get(tx, id, scope)
        .await?
        .ok_or_else(|| not_found(RecordKind::Submission, id))?;
    let call = call_get(tx, sub.call_id, scope)
        .await?
        .ok_or_else(|| not_found(RecordKind::ReportCall, sub.call_id))?;
    if scope.is_some_and(|s| s != call.owner) {
        return Err(refused("chỉ cơ quan gửi yêu cầu mới duyệt hoặc trả lại báo cáo"));
    }
    if sub.status != SubmissionStatus::Submitted {
        return Err(refused(format!(
            "báo cáo lần {} đang ở trạng thái «{}»; chỉ báo cáo chờ duyệt mới duyệt hoặc trả lại được",
            sub.version,
            sub.status.label_vn()
        )));
    }
    let (status, action, comment) = match decision {
        Decision::Approve => (SubmissionStatus::Approved, AuditAction::Approve, None),
        Decision::Return(reason) => {
            let reason = canhgiac_domain::nfc(reason.trim());
            if reason.is_empty() {
                return Err(refused("cần ghi lý do trả lại báo cáo"));
            }
            (SubmissionStatus::Returned, AuditAction::Return, Some(reason))
        }
    };
    let now = Timestamp::now();
    tx.exec(
        "UPDATE submissions SET status = $1, decided_at = $2, decided_by = $3, comment = $4 WHERE id = $5",
        &[
            Value::from(status.code()),
            Value::Text(now.rfc3339()),
            Value::from(actor.username.as_str()),
            Value::from(comment.clone()),
            Value::Int(id),
        ],
    )
    .await?;
    audit::append(
        tx,
        actor,
        action,
        RecordKind::Submission,
        &format!("{}|{}|v{}", call.number, sub.agency, sub.version),
        id,
        Some(serde_json::json!({"status": sub.status.code()})),
        Some(serde_json::json!({"status": status.code(), "comment": comment})),
    )
    .await?;
    submission_get(tx, id, None)
        .await?
        .ok_or_else(|| not_found(RecordKind::Submission, id))
}

pub(crate) async fn keys(tx: &mut Tx, agency: &str) -> Result<Vec<AgencyKey>> {
    tx.rows(
        "SELECT k.agency, k.public_key, \
         EXISTS (SELECT 1 FROM agency_signing_keys s WHERE s.agency = k.agency AND s.public_key = k.public_key), \
         k.created_at, k.created_by FROM agency_keys k WHERE k.agency = $1 ORDER BY k.created_at",
        &[Value::from(agency)],
        &[Ty::Text, Ty::Text, Ty::Bool, Ty::Text, Ty::Text],
    )
    .await?
    .into_iter()
    .map(|row| {
        let mut c = Cols::new(row, "agency_keys");
        Ok(AgencyKey {
            agency: c.text()?,
            public_key: c.text()?,
            can_sign: c.bool()?,
            created_at: c.ts()?,
            created_by: c.text()?,
        })
    })
    .collect()
}

/// Registers a key for `agency`: the agency itself or a parent of it (in
/// any period of its names) may.
/// With `secret`, this installation can sign for the agency.
pub(crate) async fn key_register(
    tx: &mut Tx,
    actor: &Actor,
    agency: &str,
    public_key: &str,
    secret: Option<&str>,
    scope: Option<&str>,
) -> Result<()> {
    let all = crate::sql_store::agencies_in_tx(tx).await?;
    let Some(a) = all.iter().find(|a| a.code.as_str() == agency) else {
        return Err(refused(format!("không có cơ quan «{agency}»")));
    };
    if let Some(s) = scope {
        // Its parent in any period: an answer to an older request may come
        // after a merger has moved the agency.
        let under = a
            .names
            .iter()
            .any(|n| n.parent.as_ref().is_some_and(|p| p.as_str() == s));
        if s != agency && !under {
            return Err(refused("chỉ cơ quan đó hoặc cơ quan cấp trên mới đăng ký khóa được"));
        }
    }
    if let Some(sec) = secret {
        let derived = canhgiac_secrets::signing::public_key_of(sec).map_err(|e| refused(e.to_string()))?;
        if derived != public_key.trim() {
            return Err(refused("khóa bí mật không khớp với khóa công khai"));
        }
    }
    // A key that does not parse is refused before it is stored.
    canhgiac_secrets::signing::check_public_key(public_key).map_err(|e| refused(e.to_string()))?;
    let public_key = public_key.trim();
    let now = Value::Text(Timestamp::now().rfc3339());
    if !keys(tx, agency).await?.iter().any(|k| k.public_key == public_key) {
        tx.exec(
            "INSERT INTO agency_keys (agency, public_key, created_at, created_by) VALUES ($1, $2, $3, $4)",
            &[
                Value::from(agency),
                Value::from(public_key),
                now.clone(),
                Value::from(actor.username.as_str()),
            ],
        )
        .await?;
    }
    if let Some(sec) = secret {
        tx.exec(
            "INSERT INTO agency_signing_keys (agency, public_key, secret_key, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (agency, public_key) DO NOTHING",
            &[Value::from(agency), Value::from(public_key), Value::from(sec), now],
        )
        .await?;
    }
    Ok(())
}

pub(crate) async fn signing_secret(tx: &mut Tx, agency: &str) -> Result<Option<(String, String)>> {
    let row = tx
        .row(
            "SELECT public_key, secret_key FROM agency_signing_keys WHERE agency = $1 ORDER BY created_at DESC LIMIT 1",
            &[Value::from(agency)],
            &[Ty::Text, Ty::Text],
        )
        .await?;
    match row {
        Some(r) => {
            let mut c = Cols::new(r, "agency_keys");
            Ok(Some((c.text()?, c.text()?)))
        }
        None => Ok(None),
    }
}
