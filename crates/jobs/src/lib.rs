//! The job runner: workers that lease background work from the store's job
//! table and run it, on one node or many.
//!
//! `canhgiac serve` runs a [`Runner`] in-process; `canhgiac worker` runs one
//! alone, so that several nodes share one PostgreSQL. A job kind is a
//! [`Handler`]; a [`Registry`] maps kinds to handlers.
//!
//! Invariants:
//! - a job runs under a lease that the runner renews while it runs; a
//!   worker that dies lets its lease expire, and another worker takes the
//!   job over;
//! - a run completes only while its lease is held, so each job completes
//!   once (the store refuses a completion from a lost lease);
//! - a failing run is retried with exponential backoff and jitter until its
//!   attempts are spent; a panicking handler is a failed run, not a dead
//!   worker.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use canhgiac_domain::Timestamp;
use canhgiac_store::{Lease, Outcome, Store, WorkerInfo};
use tokio::sync::watch;

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Worth another try later (network, a busy server).
    #[error("{0}")]
    Retry(String),
    /// Will fail again (bad payload): no more attempts.
    #[error("{0}")]
    Fatal(String),
}

pub type JobFuture = Pin<Box<dyn Future<Output = Result<(), JobError>> + Send + 'static>>;

/// Runs one kind of job.
pub trait Handler: Send + Sync + 'static {
    fn run(&self, lease: Lease) -> JobFuture;
}

impl<F> Handler for F
where
    F: Fn(Lease) -> JobFuture + Send + Sync + 'static,
{
    fn run(&self, lease: Lease) -> JobFuture {
        self(lease)
    }
}

/// Job kinds and their handlers.
#[derive(Clone, Default)]
pub struct Registry {
    handlers: BTreeMap<String, Arc<dyn Handler>>,
}

impl Registry {
    /// The handlers every node has: `probe`.
    pub fn standard() -> Self {
        let mut r = Registry::default();
        r.add(PROBE, probe);
        r
    }

    pub fn add(&mut self, kind: &str, handler: impl Handler) -> &mut Self {
        self.handlers.insert(kind.to_owned(), Arc::new(handler));
        self
    }

    pub fn kinds(&self) -> Vec<String> {
        self.handlers.keys().cloned().collect()
    }
}

/// The probe job: waits `sleep_ms` (at most a minute) and completes. Used
/// to check that the job layer runs end to end on a deployment.
pub const PROBE: &str = "probe";

fn probe(lease: Lease) -> JobFuture {
    Box::pin(async move {
        let ms = lease
            .payload
            .get("sleep_ms")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0)
            .min(60_000);
        tokio::time::sleep(Duration::from_millis(ms)).await;
        Ok(())
    })
}

/// How a runner behaves.
#[derive(Clone, Debug)]
pub struct Config {
    /// Names this worker in leases and heartbeats.
    pub worker_id: String,
    /// Jobs run at once.
    pub concurrency: usize,
    /// How long a lease lasts unless renewed; renewed every third of it.
    pub lease: Duration,
    /// Pause when no job is due.
    pub poll: Duration,
    /// How often the worker says it is alive.
    pub heartbeat: Duration,
}

impl Config {
    pub fn new(worker_id: impl Into<String>) -> Self {
        Config {
            worker_id: worker_id.into(),
            concurrency: 2,
            lease: Duration::from_secs(60),
            poll: Duration::from_millis(500),
            heartbeat: Duration::from_secs(10),
        }
    }
}

/// A worker id that is unique across nodes: host, process, random suffix.
pub fn default_worker_id() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "may".into());
    format!("{host}:{}:{:04x}", std::process::id(), rand::random::<u16>())
}

/// When a failed attempt runs again: 2^attempt seconds, a quarter of
/// jitter, at most an hour.
pub fn backoff(attempt: i64) -> Duration {
    let base = 2f64.powi(attempt.clamp(0, 12) as i32).min(3600.0);
    let jitter = 1.0 + rand::random::<f64>() * 0.25;
    Duration::from_secs_f64((base * jitter).min(3600.0))
}

/// Workers leasing from one store until `stop` turns true.
pub struct Runner<S> {
    store: S,
    registry: Registry,
    config: Config,
}

impl<S: Store + Clone> Runner<S> {
    pub fn new(store: S, registry: Registry, config: Config) -> Self {
        Runner {
            store,
            registry,
            config,
        }
    }

    /// Runs until `stop` becomes true; jobs under way finish first.
    pub async fn run(self, stop: watch::Receiver<bool>) {
        let this = Arc::new(self);
        let mut tasks = tokio::task::JoinSet::new();
        tasks.spawn(Arc::clone(&this).heartbeat(stop.clone()));
        for slot in 0..this.config.concurrency.max(1) {
            tasks.spawn(Arc::clone(&this).slot(slot, stop.clone()));
        }
        tracing::info!(worker = %this.config.worker_id, kinds = ?this.registry.kinds(), "workers started");
        while tasks.join_next().await.is_some() {}
        tracing::info!(worker = %this.config.worker_id, "workers stopped");
    }

    async fn heartbeat(self: Arc<Self>, mut stop: watch::Receiver<bool>) {
        let info = WorkerInfo {
            id: self.config.worker_id.clone(),
            host: std::env::var("HOSTNAME").unwrap_or_default(),
            pid: std::process::id(),
            kinds: self.registry.kinds(),
            started_at: Timestamp::now(),
        };
        loop {
            if let Err(e) = self.store.worker_heartbeat(&info).await {
                tracing::warn!(error = %e, "heartbeat failed");
            }
            match self.store.reap_jobs().await {
                Ok(0) => {}
                Ok(n) => tracing::warn!(jobs = n, "jobs failed after their last lease expired"),
                Err(e) => tracing::warn!(error = %e, "reaping jobs failed"),
            }
            if wait(&mut stop, self.config.heartbeat).await {
                return;
            }
        }
    }

    async fn slot(self: Arc<Self>, slot: usize, mut stop: watch::Receiver<bool>) {
        let kinds = self.registry.kinds();
        let holder = format!("{}/{slot}", self.config.worker_id);
        let mut idle = self.config.poll;
        loop {
            if *stop.borrow() {
                return;
            }
            match self.store.lease(&holder, &kinds, self.config.lease).await {
                Ok(Some(lease)) => {
                    idle = self.config.poll;
                    self.run_one(lease).await;
                    continue;
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "leasing a job failed");
                    idle = (idle * 2).min(Duration::from_secs(30));
                }
            }
            // A little jitter keeps many idle workers from polling in step.
            let pause = idle.mul_f64(0.75 + rand::random::<f64>() * 0.5);
            if wait(&mut stop, pause).await {
                return;
            }
        }
    }

    #[tracing::instrument(skip_all, fields(job = lease.job_id, kind = %lease.kind, attempt = lease.attempt))]
    async fn run_one(&self, lease: Lease) {
        let Some(handler) = self.registry.handlers.get(&lease.kind).cloned() else {
            return;
        };
        let started = std::time::Instant::now();
        // The handler runs in its own task: a panic there is a failed run.
        let work = tokio::spawn(handler.run(lease.clone()));
        let renewing = self.renew_while(lease.clone(), work);
        let outcome = match renewing.await {
            Ok(Ok(())) => Outcome::Done,
            Ok(Err(JobError::Retry(error))) => Outcome::Retry {
                error,
                after: backoff(lease.attempt),
            },
            Ok(Err(JobError::Fatal(error))) => Outcome::Fail { error },
            Err(e) => Outcome::Retry {
                error: format!("công việc dừng bất thường: {e}"),
                after: backoff(lease.attempt),
            },
        };
        let label = match &outcome {
            Outcome::Done => "done",
            Outcome::Retry { .. } => "retry",
            Outcome::Fail { .. } => "failed",
        };
        metrics::histogram!("canhgiac_job_seconds", "kind" => lease.kind.clone())
            .record(started.elapsed().as_secs_f64());
        match self.store.complete(&lease, &outcome).await {
            Ok(true) => {
                metrics::counter!("canhgiac_job_runs_total", "kind" => lease.kind.clone(), "outcome" => label)
                    .increment(1);
                if let Outcome::Retry { error, .. } | Outcome::Fail { error } = &outcome {
                    tracing::warn!(%error, outcome = label, "job run failed");
                }
            }
            Ok(false) => {
                metrics::counter!("canhgiac_job_runs_total", "kind" => lease.kind.clone(), "outcome" => "lease_lost")
                    .increment(1);
                tracing::warn!("lease lost before completion; another worker's run counts");
            }
            Err(e) => tracing::error!(error = %e, "recording the job's outcome failed"),
        }
    }

    /// Awaits the handler, renewing the lease every third of its length.
    async fn renew_while(
        &self,
        lease: Lease,
        mut work: tokio::task::JoinHandle<Result<(), JobError>>,
    ) -> Result<Result<(), JobError>, tokio::task::JoinError> {
        let every = self.config.lease / 3;
        loop {
            tokio::select! {
                res = &mut work => return res,
                _ = tokio::time::sleep(every) => {
                    match self.store.renew(&lease, self.config.lease).await {
                        Ok(true) => {}
                        Ok(false) => tracing::warn!("lease lost while running"),
                        Err(e) => tracing::warn!(error = %e, "renewing the lease failed"),
                    }
                }
            }
        }
    }
}

/// Sleeps `d` or until `stop` turns true; true when stopping.
async fn wait(stop: &mut watch::Receiver<bool>, d: Duration) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(d) => *stop.borrow(),
        r = stop.changed() => r.is_err() || *stop.borrow(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let a = backoff(1).as_secs_f64();
        assert!((2.0..=2.5).contains(&a), "{a}");
        let b = backoff(5).as_secs_f64();
        assert!((32.0..=40.0).contains(&b), "{b}");
        assert!(backoff(40).as_secs_f64() <= 3600.0);
    }
}
