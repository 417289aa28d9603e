//! Due sources become `fetch_source` jobs: one queued or running job per
//! source (the job's dedupe key), so nodes sharing one PostgreSQL never
//! fetch a source twice at once. The handler runs the collector as the
//! source's owner.

use canhgiac_domain::Timestamp;
use canhgiac_jobs::{JobError, JobFuture, Registry};
use canhgiac_store::{Lease, NewJob, Store};

use crate::Collector;

/// The job kind.
pub const FETCH_SOURCE: &str = "fetch_source";

/// The job that fetches source `id` as `agency` (its owner): one queued
/// or running per source, by its dedupe key. The scheduler and the
/// source page's «Thu thập ngay» both queue this.
pub fn fetch_job(id: i64, agency: Option<&str>) -> NewJob {
    let mut job = NewJob::new(FETCH_SOURCE, serde_json::json!({ "source": id, "agency": agency }));
    job.dedupe_key = Some(format!("{FETCH_SOURCE}:{id}"));
    job.max_attempts = 3;
    job
}

/// Queues a job for every due source (at most `limit`); returns how many
/// were queued (a source already queued is not queued again).
pub async fn enqueue_due<S: Store>(store: &S, limit: u32) -> Result<usize, canhgiac_store::StoreError> {
    let due = store.sources_due(Timestamp::now(), limit).await?;
    let mut queued = 0;
    for (id, owner) in due {
        if store.enqueue(&fetch_job(id, owner.as_deref())).await?.is_some() {
            queued += 1;
        }
    }
    Ok(queued)
}

/// Adds the `fetch_source` handler to a runner's registry.
pub fn register<S: Store>(registry: &mut Registry, collector: Collector<S>) {
    registry.add(FETCH_SOURCE, move |lease: Lease| -> JobFuture {
        let collector = collector.clone();
        Box::pin(async move {
            let id = lease
                .payload
                .get("source")
                .and_then(serde_json::Value::as_i64)
                .ok_or_else(|| JobError::Fatal("công việc thiếu mã nguồn tin".into()))?;
            let scoped = match lease.payload.get("agency").and_then(serde_json::Value::as_str) {
                Some(agency) => collector.scoped(agency),
                None => collector,
            };
            match scoped.collect(id).await {
                Ok(done) => {
                    tracing::info!(source = id, read = done.read, new = done.new, error = ?done.error, "source fetched");
                    Ok(())
                }
                // Deleted since it was queued: nothing to do.
                Err(crate::IngestError::Store(canhgiac_store::StoreError::NotFound { .. })) => Ok(()),
                Err(e) => Err(JobError::Retry(e.to_string())),
            }
        })
    });
}
