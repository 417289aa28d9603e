//! The job table (migration 0007): enqueue, lease, renew, complete.
//!
//! A job is leased with one statement that picks the oldest due job of the
//! worker's kinds and marks it running with a lease expiry. On PostgreSQL
//! the pick takes `FOR UPDATE SKIP LOCKED`, so workers on many nodes never
//! pick the same row; on SQLite the single writer serialises the statement.
//! A job whose lease has expired is due again: a dead worker's job is taken
//! over. Completion is conditional on still holding the lease, and writes
//! the run's history row in the same transaction, so a job completes once.

use std::time::Duration;

use canhgiac_domain::Timestamp;
use serde::Serialize;

use crate::db::{single_int, Cols, Engine, Pool, Ty, Value};
use crate::{Result, StoreError};

/// A job to run.
#[derive(Clone, Debug, PartialEq)]
pub struct NewJob {
    /// What runs it: `probe`, `fetch_source`…
    pub kind: String,
    pub payload: serde_json::Value,
    /// Not before this instant (now if `None`).
    pub run_at: Option<Timestamp>,
    pub max_attempts: u32,
    /// At most one queued or running job per key.
    pub dedupe_key: Option<String>,
}

impl NewJob {
    pub fn new(kind: impl Into<String>, payload: serde_json::Value) -> Self {
        NewJob {
            kind: kind.into(),
            payload,
            run_at: None,
            max_attempts: 5,
            dedupe_key: None,
        }
    }
}

/// A job held by one worker until `until`.
#[derive(Clone, Debug, PartialEq)]
pub struct Lease {
    pub job_id: i64,
    pub kind: String,
    pub payload: serde_json::Value,
    /// 1 on the first run.
    pub attempt: i64,
    pub max_attempts: i64,
    pub holder: String,
    pub until: Timestamp,
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// Failed this time; runs again after `after` unless attempts are spent.
    Retry {
        error: String,
        after: Duration,
    },
    /// Failed for good.
    Fail {
        error: String,
    },
}

/// Jobs of one kind in one state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JobCount {
    pub kind: String,
    pub state: String,
    pub count: i64,
}

/// A worker announcing itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkerInfo {
    pub id: String,
    pub host: String,
    pub pid: u32,
    pub kinds: Vec<String>,
    pub started_at: Timestamp,
}

fn at(t: Timestamp) -> Value {
    Value::Text(t.rfc3339())
}

fn after(d: Duration) -> Timestamp {
    let ms = i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 2);
    Timestamp::now().plus_millis(ms)
}

pub(crate) async fn enqueue(pool: &Pool, job: &NewJob) -> Result<Option<i64>> {
    if job.kind.is_empty() || job.kind.len() > 100 {
        return Err(StoreError::Schema(format!(
            "loại công việc «{}» không hợp lệ",
            job.kind
        )));
    }
    let now = Timestamp::now();
    let mut tx = pool.begin().await?;
    let sql = "INSERT INTO jobs (kind, payload, state, run_at, attempts, max_attempts, dedupe_key, created_at) \
               VALUES ($1, $2, 'queued', $3, 0, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING id";
    let rows = tx
        .rows(
            sql,
            &[
                Value::from(job.kind.as_str()),
                Value::Text(job.payload.to_string()),
                at(job.run_at.unwrap_or(now)),
                Value::Int(i64::from(job.max_attempts.max(1))),
                Value::from(job.dedupe_key.clone()),
                at(now),
            ],
            &[Ty::Int],
        )
        .await?;
    tx.commit().await?;
    match rows.into_iter().next() {
        Some(r) => Ok(Some(Cols::new(r, "jobs.enqueue").int()?)),
        None => Ok(None),
    }
}

pub(crate) async fn lease(pool: &Pool, holder: &str, kinds: &[String], lease_for: Duration) -> Result<Option<Lease>> {
    if kinds.is_empty() {
        return Ok(None);
    }
    let now = Timestamp::now();
    let until = after(lease_for);
    let mut args = vec![Value::from(holder), at(until), at(now)];
    let mut ph = Vec::new();
    for k in kinds {
        args.push(Value::from(k.as_str()));
        ph.push(format!("${}", args.len()));
    }
    let lock = match pool.engine() {
        Engine::Postgres => " FOR UPDATE SKIP LOCKED",
        Engine::Sqlite => "",
    };
    let sql = format!(
        "UPDATE jobs SET state = 'running', lease_holder = $1, lease_until = $2, attempts = attempts + 1 \
         WHERE id = (SELECT id FROM jobs WHERE kind IN ({}) AND attempts < max_attempts AND \
         ((state = 'queued' AND run_at <= $3) OR (state = 'running' AND lease_until < $3)) \
         ORDER BY run_at, id LIMIT 1{lock}) \
         RETURNING id, kind, payload, attempts, max_attempts",
        ph.join(", ")
    );
    let mut tx = pool.begin().await?;
    let rows = tx
        .rows(&sql, &args, &[Ty::Int, Ty::Text, Ty::Text, Ty::Int, Ty::Int])
        .await?;
    tx.commit().await?;
    let Some(row) = rows.into_iter().next() else {
        return Ok(None);
    };
    let mut c = Cols::new(row, "jobs.lease");
    let job_id = c.int()?;
    let kind = c.text()?;
    let payload = serde_json::from_str(&c.text()?)
        .map_err(|e| StoreError::Corrupt(format!("công việc {job_id}: dữ liệu kèm theo hỏng: {e}")))?;
    Ok(Some(Lease {
        job_id,
        kind,
        payload,
        attempt: c.int()?,
        max_attempts: c.int()?,
        holder: holder.to_owned(),
        until,
    }))
}

pub(crate) async fn renew(pool: &Pool, lease: &Lease, lease_for: Duration) -> Result<bool> {
    let mut tx = pool.begin().await?;
    let n = tx
        .exec(
            "UPDATE jobs SET lease_until = $1 WHERE id = $2 AND lease_holder = $3 AND state = 'running'",
            &[
                at(after(lease_for)),
                Value::Int(lease.job_id),
                Value::from(lease.holder.as_str()),
            ],
        )
        .await?;
    tx.commit().await?;
    Ok(n == 1)
}

/// Ends a run. False when the lease was lost (expired and taken over):
/// then nothing is written, and the other holder's run counts.
pub(crate) async fn complete(pool: &Pool, lease: &Lease, outcome: &Outcome) -> Result<bool> {
    let now = Timestamp::now();
    let spent = lease.attempt >= lease.max_attempts;
    let (state, run_at, error, label) = match outcome {
        Outcome::Done => ("done", None, None, "done"),
        Outcome::Retry { error, .. } if spent => ("failed", None, Some(error.clone()), "failed"),
        Outcome::Retry { error, after: d } => ("queued", Some(after(*d)), Some(error.clone()), "retry"),
        Outcome::Fail { error } => ("failed", None, Some(error.clone()), "failed"),
    };
    let finished = (state != "queued").then(|| now.rfc3339());
    let mut tx = pool.begin().await?;
    let n = tx
        .exec(
            "UPDATE jobs SET state = $1, run_at = COALESCE($2, run_at), last_error = COALESCE($3, last_error), \
             finished_at = $4, lease_holder = NULL, lease_until = NULL \
             WHERE id = $5 AND lease_holder = $6 AND state = 'running'",
            &[
                Value::from(state),
                Value::from(run_at.map(|t| t.rfc3339())),
                Value::from(error.clone()),
                Value::from(finished),
                Value::Int(lease.job_id),
                Value::from(lease.holder.as_str()),
            ],
        )
        .await?;
    if n == 0 {
        tx.rollback().await?;
        return Ok(false);
    }
    tx.exec(
        "INSERT INTO job_runs (job_id, attempt, holder, outcome, error, finished_at) VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            Value::Int(lease.job_id),
            Value::Int(lease.attempt),
            Value::from(lease.holder.as_str()),
            Value::from(label),
            Value::from(error),
            at(now),
        ],
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Marks as failed the jobs whose last lease expired with no attempts
/// left: nobody may take them any more.
pub(crate) async fn reap(pool: &Pool) -> Result<u64> {
    let now = Timestamp::now().rfc3339();
    let mut tx = pool.begin().await?;
    let n = tx
        .exec(
            "UPDATE jobs SET state = 'failed', finished_at = $1, last_error = COALESCE(last_error, $2), \
             lease_holder = NULL, lease_until = NULL \
             WHERE state = 'running' AND lease_until < $1 AND attempts >= max_attempts",
            &[Value::Text(now), Value::from("hết thời hạn giữ việc sau lần thử cuối")],
        )
        .await?;
    tx.commit().await?;
    Ok(n)
}

pub(crate) async fn counts(pool: &Pool) -> Result<Vec<JobCount>> {
    let rows = pool
        .rows(
            "SELECT kind, state, COUNT(*) FROM jobs GROUP BY kind, state ORDER BY kind, state",
            &[],
            &[Ty::Text, Ty::Text, Ty::Int],
        )
        .await?;
    rows.into_iter()
        .map(|r| {
            let mut c = Cols::new(r, "jobs.counts");
            Ok(JobCount {
                kind: c.text()?,
                state: c.text()?,
                count: c.int()?,
            })
        })
        .collect()
}

pub(crate) async fn heartbeat(pool: &Pool, w: &WorkerInfo) -> Result<()> {
    let mut tx = pool.begin().await?;
    tx.exec(
        "INSERT INTO workers (id, host, pid, kinds, started_at, heartbeat_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at",
        &[
            Value::from(w.id.as_str()),
            Value::from(w.host.as_str()),
            Value::Int(i64::from(w.pid)),
            Value::Text(w.kinds.join(",")),
            at(w.started_at),
            at(Timestamp::now()),
        ],
    )
    .await?;
    // Workers silent for a day are gone for good.
    tx.exec(
        "DELETE FROM workers WHERE heartbeat_at < $1",
        &[at(Timestamp::now().plus_hours(-24))],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn workers_alive(pool: &Pool, within: Duration) -> Result<i64> {
    let ms = i64::try_from(within.as_millis()).unwrap_or(i64::MAX / 2);
    let since = Timestamp::now().plus_millis(-ms);
    single_int(
        pool.rows(
            "SELECT COUNT(*) FROM workers WHERE heartbeat_at >= $1",
            &[at(since)],
            &[Ty::Int],
        )
        .await?,
        "workers.alive",
    )
}

/// One job's state, for tools and tests.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JobState {
    pub id: i64,
    pub kind: String,
    pub state: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    /// How many runs completed it (`done`): never more than one.
    pub completions: i64,
}

pub(crate) async fn job_states(pool: &Pool, kind: &str) -> Result<Vec<JobState>> {
    let rows = pool
        .rows(
            "SELECT j.id, j.kind, j.state, j.attempts, j.last_error, \
             (SELECT COUNT(*) FROM job_runs r WHERE r.job_id = j.id AND r.outcome = 'done') \
             FROM jobs j WHERE j.kind = $1 ORDER BY j.id",
            &[Value::from(kind)],
            &[Ty::Int, Ty::Text, Ty::Text, Ty::Int, Ty::Text, Ty::Int],
        )
        .await?;
    rows.into_iter()
        .map(|r| {
            let mut c = Cols::new(r, "jobs.states");
            Ok(JobState {
                id: c.int()?,
                kind: c.text()?,
                state: c.text()?,
                attempts: c.int()?,
                last_error: c.opt_text()?,
                completions: c.int()?,
            })
        })
        .collect()
}
