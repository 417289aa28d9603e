//! Storage for canhgiac.
//!
//! One trait, [`Store`], and one implementation, [`SqlStore`], which runs the
//! same SQL and the same schema history on SQLite (the embedded default) and
//! PostgreSQL. The conformance suite in `tests/conformance.rs` holds both
//! engines to the same behaviour.
//!
//! Invariants:
//! - every change to a record writes an audit entry in the same transaction,
//!   with the record before and after; the audit log is a SHA-256 hash chain;
//! - a write either happens whole or not at all (imports included);
//! - a record is validated, and its references checked, before it is written;
//! - natural keys are unique per kind; writing an unchanged record is a no-op.

pub mod access;
mod audit;
mod batch;
pub mod cases;
pub mod db;
mod derived;
pub mod fulltext;
mod issued;
mod jobs;
pub mod schema;
mod sql_store;
mod submissions;
mod summary;
pub mod testing;
pub mod watch;
mod workflow;

use std::future::Future;

use canhgiac_domain::{AuditEntry, Dataset, Record, RecordKind, Timestamp, ValidationErrors};
use serde::Serialize;

pub use access::{ApiToken, Session};
pub use audit::{AuditCheck, AuditQuery};
pub use fulltext::{Changes, FullText, IndexDoc, TextHits, TextSearch};
pub use issued::{IssuedFile, IssuedReport, NewIssuedReport};
pub use jobs::{JobCount, JobState, Lease, NewJob, Outcome, WorkerInfo};
pub use sql_store::{SharedOutlet, SqlStore, MAX_OFFSET, MAX_PAGE, SQLITE_FILE};
pub use submissions::{AgencyKey, CallTarget, Decision, NewCall, NewSubmission, ReportCall, Submission};
pub use summary::{CountByKind, ItemCount, Summary, TopicOutletCount};
pub use watch::{ActiveRule, HitQuery, NewHit, Watch, WatchHit};

/// Who makes a change, and through which path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub username: String,
    /// `cli`, `cli:import seed.json`, `web`, `api`…
    pub origin: String,
}

impl Actor {
    pub fn new(username: impl Into<String>, origin: impl Into<String>) -> Self {
        Actor {
            username: username.into(),
            origin: origin.into(),
        }
    }

    pub fn system(origin: impl Into<String>) -> Self {
        Actor::new("system", origin)
    }
}

/// A record as stored, with its storage metadata.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stored<R> {
    pub id: i64,
    pub key: String,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Reference data every agency reads and none owns: a record of a
    /// `Shared` kind, or a shared one of a `Shareable` kind.
    pub shared: bool,
    pub record: R,
}

/// What an upsert did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Put {
    Created(i64),
    Updated(i64),
    Unchanged(i64),
}

impl Put {
    pub fn id(self) -> i64 {
        match self {
            Put::Created(i) | Put::Updated(i) | Put::Unchanged(i) => i,
        }
    }
}

/// What an import would do to one record of a file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Preview {
    Create,
    Update,
    Unchanged,
    /// Why it would be refused (Vietnamese).
    Refused(String),
}

/// One record of a previewed file: its kind, its place in the file's
/// section of that kind (from 0), its natural key, and what would happen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PreviewRow {
    pub kind: RecordKind,
    pub index: usize,
    pub key: String,
    pub outcome: Preview,
}

/// Counts of what an import did, per kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub created: Vec<(RecordKind, usize)>,
    pub updated: Vec<(RecordKind, usize)>,
    pub unchanged: Vec<(RecordKind, usize)>,
}

impl ImportSummary {
    pub fn total_created(&self) -> usize {
        self.created.iter().map(|(_, n)| n).sum()
    }
    pub fn total_updated(&self) -> usize {
        self.updated.iter().map(|(_, n)| n).sum()
    }
    pub fn total_unchanged(&self) -> usize {
        self.unchanged.iter().map(|(_, n)| n).sum()
    }
}

/// A page of a list: newest first by id with keyset paging (`before_id`),
/// or in a declared order with an offset.
#[derive(Clone, Debug, Default)]
pub struct ListQuery {
    /// Diacritic- and case-insensitive words, all of which must match.
    pub search: Option<String>,
    /// Only ids below this (the last id of the previous page).
    pub before_id: Option<i64>,
    /// Inclusive bounds on the kind's date field, ISO text.
    pub date_from: Option<canhgiac_domain::Date>,
    pub date_to: Option<canhgiac_domain::Date>,
    /// Equality filters on columns (`outlet = bao-bac-giang`).
    pub filters: Vec<(String, String)>,
    /// Exclusions: the column's value is none of these (`status` not
    /// `closed`, `removed`).
    pub not_in: Vec<(String, Vec<String>)>,
    /// Media items only: items tagged with this topic.
    pub topic: Option<String>,
    /// The order; newest first (by id) when none.
    pub order: Option<Order>,
    /// Rows to skip (at most [`MAX_OFFSET`]).
    pub offset: Option<u32>,
    pub limit: Option<u32>,
}

/// A deleted record: the audit entry of its deletion, which holds its
/// fields (`before`), and whether it can still be restored (nothing of that
/// kind and code has happened since).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Deleted {
    pub entry: AuditEntry,
    pub restorable: bool,
}

/// A list's order: one of the kind's declared scalar fields, then the id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Order {
    pub field: String,
    pub descending: bool,
}

/// Why the store refused. Messages are Vietnamese: they reach users.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{} «{key}» không hợp lệ: {}", kind.label_vn(), errors.in_words(*kind))]
    Invalid {
        kind: RecordKind,
        key: String,
        errors: ValidationErrors,
    },
    #[error("Đã có {} với mã «{key}»", kind.label_vn())]
    Conflict { kind: RecordKind, key: String },
    #[error("Không tìm thấy {} có mã số {id}", kind.label_vn())]
    NotFound { kind: RecordKind, id: i64 },
    #[error("{} «{key}» tham chiếu tới {} «{target}» chưa có trong hệ thống", kind.label_vn(), target_kind.label_vn())]
    MissingReference {
        kind: RecordKind,
        key: String,
        target_kind: RecordKind,
        target: String,
    },
    #[error("Không thể xóa hoặc đổi mã {} «{key}» vì bản ghi khác đang tham chiếu tới nó", kind.label_vn())]
    InUse { kind: RecordKind, key: String },
    /// An agency changing a record it reads but the installation keeps
    /// (a shared outlet).
    #[error("{} «{key}» được dùng chung cho mọi cơ quan; chỉ quản trị hệ thống sửa hoặc xóa được", kind.label_vn())]
    SharedRecord { kind: RecordKind, key: String },
    #[error("{} mã số {id} đã được người khác sửa (phiên bản {actual}); hãy tải lại rồi sửa", kind.label_vn())]
    StaleVersion { kind: RecordKind, id: i64, actual: i64 },
    #[error("Bản ghi thứ {} trong mục «{}»: {inner}", index + 1, kind.plural())]
    AtRecord {
        kind: RecordKind,
        index: usize,
        inner: Box<StoreError>,
    },
    /// A workflow step that is not allowed now (sending an approved
    /// report again, deciding on another agency's request…).
    #[error("Không thực hiện được: {0}")]
    Refused(String),
    #[error("Lược đồ cơ sở dữ liệu: {0}")]
    Schema(String),
    #[error("Dữ liệu lưu trữ bị hỏng: {0}")]
    Corrupt(String),
    /// The database is held by a long write (an import on the embedded
    /// store) or out of connections: worth trying again shortly.
    #[error("Cơ sở dữ liệu đang bận; hãy thử lại sau ít giây")]
    Busy(sqlx::Error),
    #[error("Lỗi cơ sở dữ liệu: {0}")]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if is_busy(&e) {
            StoreError::Busy(e)
        } else {
            StoreError::Database(e)
        }
    }
}

/// SQLite's "database is locked" (SQLITE_BUSY and SQLITE_LOCKED with their
/// extended codes, after the busy timeout); PostgreSQL's deadlock,
/// serialisation failure or lock not available (the transaction was rolled
/// back whole and may simply be tried again); or no free connection in time.
fn is_busy(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut => true,
        sqlx::Error::Database(db) if db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>().is_some() => {
            matches!(db.code().as_deref(), Some("40P01" | "40001" | "55P03"))
        }
        sqlx::Error::Database(db) => {
            db.code()
                .and_then(|c| c.parse::<i64>().ok())
                .is_some_and(|c| matches!(c & 0xff, 5 | 6))
                && db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some()
        }
        _ => false,
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Records of every declared kind: create, read, update, delete, list,
/// import and export, each change audited in its own transaction.
///
/// Methods return `Send` futures so a generic web server can hold a store.
pub trait Records: Send + Sync + 'static {
    /// The same store seeing only `agency`'s records and the shared kinds:
    /// reads, writes, references, figures and exports all stay inside it.
    fn scoped(&self, agency: &str) -> Self
    where
        Self: Sized;

    /// The agency this store is scoped to; `None` sees every agency.
    fn scope(&self) -> Option<&str>;

    /// Inserts a new record; `Conflict` if its natural key exists.
    fn create<R: Record>(&self, actor: &Actor, rec: &R) -> impl Future<Output = Result<i64>> + Send;

    /// Replaces record `id`. With `expected_version`, refuses a stale edit.
    fn update<R: Record>(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: Option<i64>,
        rec: &R,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Inserts or replaces by natural key; unchanged records are left alone.
    fn upsert<R: Record>(&self, actor: &Actor, rec: &R) -> impl Future<Output = Result<Put>> + Send;

    /// Deletes record `id`; `InUse` if another record refers to it.
    fn delete<R: Record>(&self, actor: &Actor, id: i64) -> impl Future<Output = Result<()>> + Send;

    fn get<R: Record>(&self, id: i64) -> impl Future<Output = Result<Option<Stored<R>>>> + Send;

    /// The records with these ids that exist, in id order.
    fn get_many<R: Record>(&self, ids: &[i64]) -> impl Future<Output = Result<Vec<Stored<R>>>> + Send;

    fn get_by_key<R: Record>(&self, key: &str) -> impl Future<Output = Result<Option<Stored<R>>>> + Send;

    fn list<R: Record>(&self, q: &ListQuery) -> impl Future<Output = Result<Vec<Stored<R>>>> + Send;

    /// Records deleted and not since restored or replaced, newest first
    /// (the bin an administrator restores from), with their audit entry.
    fn deleted(&self, before_seq: Option<i64>, limit: u32) -> impl Future<Output = Result<Vec<Deleted>>> + Send;

    /// Brings a deleted record back from its delete entry (`seq`): a new
    /// record with the same fields, checked like any other, audited. Refused
    /// when the entry is not a restorable delete or the record has been
    /// restored or replaced since.
    fn restore(&self, actor: &Actor, seq: i64) -> impl Future<Output = Result<(RecordKind, i64)>> + Send;

    /// How many records a list query matches (its order and page aside),
    /// counting no further than `cap + 1`: a result above `cap` means "more
    /// than `cap`".
    fn count_matching<R: Record>(&self, q: &ListQuery, cap: u32) -> impl Future<Output = Result<u64>> + Send;

    fn count(&self, kind: RecordKind) -> impl Future<Output = Result<i64>> + Send;

    /// Writes a whole dataset in one transaction: all of it, or nothing.
    fn import(&self, actor: &Actor, data: &Dataset) -> impl Future<Output = Result<ImportSummary>> + Send;

    /// Like `import`, but a record whose key exists is left as it is, never
    /// updated (counted unchanged): what a collector writes.
    fn import_new(&self, actor: &Actor, data: &Dataset) -> impl Future<Output = Result<ImportSummary>> + Send;

    /// What `import` would do, record by record — created, updated,
    /// unchanged or refused with the reason — going on past refusals, and
    /// writing nothing: the file's dry run.
    fn import_preview(&self, actor: &Actor, data: &Dataset) -> impl Future<Output = Result<Vec<PreviewRow>>> + Send;

    /// Every record, in dependency order, as the import format holds them.
    fn export(&self) -> impl Future<Output = Result<Dataset>> + Send;
}

/// The hash-chained audit trail.
pub trait AuditLog: Send + Sync + 'static {
    fn audit(&self, q: &AuditQuery) -> impl Future<Output = Result<Vec<AuditEntry>>> + Send;

    /// Recomputes the audit hash chain from the first entry.
    fn verify_audit(&self) -> impl Future<Output = Result<AuditCheck>> + Send;

    /// The sequence number of the newest audit entry: it moves with every
    /// change to any record, so figures computed at one value still hold
    /// while it has not moved (a cache's validator, on every node).
    fn head_seq(&self) -> impl Future<Output = Result<i64>> + Send;
}

/// The figures of a period, by aggregate queries over the records.
pub trait Figures: Send + Sync + 'static {
    /// The figures of a period, computed from the records.
    fn summary(&self, range: canhgiac_domain::DateRange) -> impl Future<Output = Result<Summary>> + Send;

    /// Original items per topic, outlet and month in a period.
    fn item_counts(&self, range: canhgiac_domain::DateRange) -> impl Future<Output = Result<Vec<ItemCount>>> + Send;

    /// Original items per month (`2024-03`) in a period, each once.
    fn item_months(&self, range: canhgiac_domain::DateRange)
        -> impl Future<Output = Result<Vec<(String, i64)>>> + Send;

    /// The ids behind an item figure (see [`ItemCount`]); `limit` caps the list.
    fn item_ids(
        &self,
        range: canhgiac_domain::DateRange,
        topic: Option<&str>,
        outlets: &[String],
        limit: Option<u32>,
    ) -> impl Future<Output = Result<Vec<i64>>> + Send;
}

/// Issued reports: immutable, versioned snapshots.
pub trait IssuedReports: Send + Sync + 'static {
    /// Freezes a rendered report as a new version of its number: files,
    /// figures with their record ids, and a SHA-256 over the manifest.
    fn issue_report(&self, actor: &Actor, new: &NewIssuedReport) -> impl Future<Output = Result<IssuedReport>> + Send;

    /// Issued reports, newest first; all versions of `number` if given.
    fn issued_reports(&self, number: Option<&str>) -> impl Future<Output = Result<Vec<IssuedReport>>> + Send;

    fn issued_report(&self, id: i64) -> impl Future<Output = Result<Option<IssuedReport>>> + Send;

    fn issued_report_file(&self, id: i64, name: &str) -> impl Future<Output = Result<Option<Vec<u8>>>> + Send;

    /// Recomputes the hashes of an issued report; false if anything changed.
    fn verify_issued_report(&self, id: i64) -> impl Future<Output = Result<bool>> + Send;
}

/// Sign-in sessions and API tokens, kept only as hashes of their secrets.
pub trait Access: Send + Sync + 'static {
    /// Starts a sign-in session identified by `secret` (only its hash is kept).
    fn session_create(&self, secret: &str, s: &Session) -> impl Future<Output = Result<()>> + Send;

    /// The live session for `secret`, if any (expired ones are not returned).
    fn session_get(&self, secret: &str) -> impl Future<Output = Result<Option<Session>>> + Send;

    fn session_delete(&self, secret: &str) -> impl Future<Output = Result<()>> + Send;

    /// Records an API token identified by `secret` (only its hash is kept).
    fn token_create(&self, secret: &str, t: &ApiToken) -> impl Future<Output = Result<()>> + Send;

    /// The live (not revoked, not expired) token for `secret`, if any.
    fn token_get(&self, secret: &str) -> impl Future<Output = Result<Option<ApiToken>>> + Send;

    /// Every API token with its hash, newest first.
    fn token_list(&self) -> impl Future<Output = Result<Vec<(String, ApiToken)>>> + Send;

    /// The agency a user belongs to.
    fn agency_of_user(&self, username: &str) -> impl Future<Output = Result<Option<String>>> + Send;

    /// Revokes the token with this hash; false if there is none.
    fn token_revoke(&self, hash: &str) -> impl Future<Output = Result<bool>> + Send;

    /// Ends the sign-in sessions of `username`, all but the one with
    /// `keep_csrf` if given (a password change keeps the session it was
    /// made in); returns how many ended.
    fn sessions_end_for(&self, username: &str, keep_csrf: Option<&str>) -> impl Future<Output = Result<u64>> + Send;

    /// Revokes every API token of `username`; returns how many.
    fn tokens_revoke_for(&self, username: &str) -> impl Future<Output = Result<u64>> + Send;

    /// Counts a sign-in attempt under each key before the password is
    /// checked (atomically, shared by every node); returns per key the
    /// attempts counted before and when the previous one was.
    fn sign_in_attempt(&self, keys: &[String]) -> impl Future<Output = Result<Vec<(i64, Option<Timestamp>)>>> + Send;

    /// Forgets the attempts under `keys` (after a successful sign-in).
    fn sign_in_clear(&self, keys: &[String]) -> impl Future<Output = Result<()>> + Send;
}

/// The lists that pages show as work to do, each one query.
pub trait Worklists: Send + Sync + 'static {
    /// Takedown re-checks whose day has come: the latest check of each
    /// (case, link) that asked to look again on or before `today`, soonest
    /// first.
    fn due_rechecks(
        &self,
        today: canhgiac_domain::Date,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Stored<canhgiac_domain::TakedownCheck>>>> + Send;

    /// BTS stations whose kiểm định certificate or frequency licence
    /// expires within `from..=to` (from the beginning when `from` is none),
    /// soonest first: the dashboard's alerts and the report's count.
    fn stations_expiring(
        &self,
        from: Option<canhgiac_domain::Date>,
        to: canhgiac_domain::Date,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Stored<canhgiac_domain::BtsStation>>>> + Send;
}

/// What the collector keeps of each source beside its record (its polling
/// state and health), and the lookups it needs to keep items unique.
pub trait Sources: Send + Sync + 'static {
    /// The health of the sources `ids` that this store sees.
    fn source_health(
        &self,
        ids: &[i64],
    ) -> impl Future<Output = Result<Vec<(i64, canhgiac_domain::SourceHealth)>>> + Send;

    /// Keeps a source's health (the source must be this store's to see).
    fn put_source_health(
        &self,
        id: i64,
        health: &canhgiac_domain::SourceHealth,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Active sources due by `now` (never fetched, or their time has come),
    /// most overdue first, with their owner: the scheduler's list, across
    /// the agencies this store sees.
    fn sources_due(
        &self,
        now: Timestamp,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<(i64, Option<String>)>>> + Send;

    /// The titles (as stored) and days of the items `outlet` published
    /// within `from..=to` whose folded title is one of `titles` (folded):
    /// what the collector compares a new title with. Items stored before
    /// the folded title was kept come whatever their title.
    fn item_titles(
        &self,
        outlet: &str,
        titles: &[String],
        from: canhgiac_domain::Date,
        to: canhgiac_domain::Date,
    ) -> impl Future<Output = Result<Vec<(String, canhgiac_domain::Date)>>> + Send;

    /// Which of `urls` (canonical) an item of any outlet this store sees
    /// already has: a link is one story whoever publishes it.
    fn items_with_urls(
        &self,
        urls: &[String],
    ) -> impl Future<Output = Result<std::collections::HashSet<String>>> + Send;

    /// Which of `keys` name a record of `kind` this store sees.
    fn existing_keys(
        &self,
        kind: RecordKind,
        keys: &[String],
    ) -> impl Future<Output = Result<std::collections::HashSet<String>>> + Send;
}

/// Background work: a durable queue that any node's workers lease from.
pub trait Jobs: Send + Sync + 'static {
    /// Queues a job; `None` when a job with the same dedupe key is already
    /// queued or running.
    fn enqueue(&self, job: &NewJob) -> impl Future<Output = Result<Option<i64>>> + Send;

    /// Takes the oldest due job of `kinds` (or one whose lease expired),
    /// holding it for `lease_for`.
    fn lease(
        &self,
        holder: &str,
        kinds: &[String],
        lease_for: std::time::Duration,
    ) -> impl Future<Output = Result<Option<Lease>>> + Send;

    /// Extends a lease still held; false if it was lost.
    fn renew(&self, lease: &Lease, lease_for: std::time::Duration) -> impl Future<Output = Result<bool>> + Send;

    /// Ends a run; false if the lease was lost (nothing is written then).
    fn complete(&self, lease: &Lease, outcome: &Outcome) -> impl Future<Output = Result<bool>> + Send;

    /// Fails the jobs whose last lease expired with no attempts left.
    fn reap_jobs(&self) -> impl Future<Output = Result<u64>> + Send;

    /// Jobs by kind and state.
    fn job_counts(&self) -> impl Future<Output = Result<Vec<JobCount>>> + Send;

    /// Every job of a kind with its state and completions.
    fn job_states(&self, kind: &str) -> impl Future<Output = Result<Vec<JobState>>> + Send;

    fn worker_heartbeat(&self, w: &WorkerInfo) -> impl Future<Output = Result<()>> + Send;

    /// Workers heard from within `within`.
    fn workers_alive(&self, within: std::time::Duration) -> impl Future<Output = Result<i64>> + Send;
}

/// What readiness checks ask of the storage.
pub trait Health: Send + Sync + 'static {
    /// A round trip to the database.
    fn ping(&self) -> impl Future<Output = Result<()>> + Send;

    /// (applied, known by this build) schema versions.
    fn schema_versions(&self) -> impl Future<Output = Result<(i64, i64)>> + Send;
}

/// The storage every layer above is written against: all of the focused
/// traits together. Anything that implements them all is a `Store`.
/// Requests to child agencies and their submissions (see `submissions`).
pub trait Submissions: Send + Sync + 'static {
    /// Sends a request from the scope's agency to its children.
    fn call_send(&self, actor: &Actor, new: &NewCall) -> impl Future<Output = Result<ReportCall>> + Send;

    /// Records a request received from another installation, addressed to
    /// the scope's agency.
    fn call_receive(&self, actor: &Actor, call: &ReportCall) -> impl Future<Output = Result<ReportCall>> + Send;

    /// Requests sent by or addressed to the scope's agency, newest first.
    fn calls(&self) -> impl Future<Output = Result<Vec<ReportCall>>> + Send;

    fn call(&self, id: i64) -> impl Future<Output = Result<Option<ReportCall>>> + Send;

    /// Records one sending of a child's answer (checked against the
    /// request, its files and, when signed, the registered key).
    fn submit(&self, actor: &Actor, new: &NewSubmission) -> impl Future<Output = Result<Submission>> + Send;

    /// Every sending the scope may see for a request, by agency and version.
    fn submissions(&self, call_id: i64) -> impl Future<Output = Result<Vec<Submission>>> + Send;

    fn submission(&self, id: i64) -> impl Future<Output = Result<Option<Submission>>> + Send;

    fn submission_files(
        &self,
        id: i64,
    ) -> impl Future<Output = Result<Vec<canhgiac_domain::submission::FileEntry>>> + Send;

    fn submission_file(&self, id: i64, name: &str) -> impl Future<Output = Result<Option<Vec<u8>>>> + Send;

    /// Approves or returns a waiting submission (the request's sender only).
    fn decide(&self, actor: &Actor, id: i64, decision: &Decision) -> impl Future<Output = Result<Submission>> + Send;

    /// Registers an agency's public key (and, to sign here, its secret).
    fn key_register(
        &self,
        actor: &Actor,
        agency: &str,
        public_key: &str,
        secret: Option<&str>,
    ) -> impl Future<Output = Result<()>> + Send;

    fn keys(&self, agency: &str) -> impl Future<Output = Result<Vec<AgencyKey>>> + Send;

    /// (public key, secret) an agency signs with here, if any.
    fn signing_secret(&self, agency: &str) -> impl Future<Output = Result<Option<(String, String)>>> + Send;
}

pub trait Store:
    Records
    + AuditLog
    + Figures
    + IssuedReports
    + Access
    + Jobs
    + Health
    + Worklists
    + Sources
    + FullText
    + Submissions
    + Watch
    + Clone
{
}

impl<
        T: Records
            + AuditLog
            + Figures
            + IssuedReports
            + Access
            + Jobs
            + Health
            + Worklists
            + Sources
            + FullText
            + Submissions
            + Watch
            + Clone,
    > Store for T
{
}

/// The traits, for code that holds a concrete store (`SqlStore`).
pub mod prelude {
    pub use crate::{
        Access, AuditLog, Figures, FullText, Health, IssuedReports, Jobs, Records, Sources, Store, Submissions, Watch,
        Worklists,
    };
}
