//! `canhgiac worker` and `canhgiac jobs`: background workers alone, and the
//! queue's state.

use std::time::Duration;

use anyhow::{Context, Result};
use canhgiac_jobs::{Config, Registry, Runner};
use canhgiac_store::prelude::*;
use canhgiac_store::{NewJob, SqlStore};

use crate::{JobsAction, WorkerArgs};

/// What a node's workers need beyond the store: where backups go, and the
/// collector that fetches sources.
pub type Node = (crate::backup::Target, canhgiac_ingest::Collector<SqlStore>);

/// Starts a node's background work: the runner, and the scheduler that
/// queues due sources; both end when `stop` turns true.
pub fn spawn(
    store: SqlStore,
    args: &WorkerArgs,
    node: Node,
    stop: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    let scheduler = tokio::spawn(crate::ingest::scheduler(store.clone(), stop.clone()));
    let run = runner(store, args, node).run(stop);
    tokio::spawn(async move {
        run.await;
        let _ = scheduler.await;
    })
}

/// The node's runner: the standard handlers, scheduled backups of the
/// store it serves, fetching sources, and matching items with watch rules.
pub fn runner(store: SqlStore, args: &WorkerArgs, (target, collector): Node) -> Runner<SqlStore> {
    let mut registry = Registry::standard();
    canhgiac_ingest::watch::register(&mut registry, store.clone(), collector.fetcher().clone());
    canhgiac_ingest::schedule::register(&mut registry, collector);
    let backup_store = store.clone();
    registry.add(
        crate::backup::JOB,
        move |lease: canhgiac_store::Lease| -> canhgiac_jobs::JobFuture {
            let (store, target) = (backup_store.clone(), target.clone());
            Box::pin(async move {
                let schedule: crate::backup::Schedule = serde_json::from_value(lease.payload)
                    .map_err(|e| canhgiac_jobs::JobError::Fatal(format!("lịch sao lưu không hợp lệ: {e}")))?;
                match crate::backup::scheduled(&target, &store, &schedule).await {
                    Ok(path) => {
                        tracing::info!(path = %path.display(), "scheduled backup written");
                        Ok(())
                    }
                    Err(e) => Err(canhgiac_jobs::JobError::Retry(format!("{e:#}"))),
                }
            })
        },
    );
    let mut config = Config::new(args.worker_id.clone().unwrap_or_else(canhgiac_jobs::default_worker_id));
    config.concurrency = args.concurrency.clamp(1, 64);
    config.lease = Duration::from_secs(args.lease_seconds.clamp(1, 3600));
    config.heartbeat = config.heartbeat.min(config.lease);
    Runner::new(store, registry, config)
}

/// Resolves on Ctrl+C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("stopping");
}

pub async fn worker(store: SqlStore, args: &WorkerArgs, node: Node) -> Result<()> {
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    let run = spawn(store, args, node, stop);
    println!("Đang chạy công việc nền (dừng bằng Ctrl+C)");
    shutdown_signal().await;
    let _ = stop_tx.send(true);
    run.await.context("tiến trình làm việc dừng bất thường")?;
    Ok(())
}

pub async fn action(store: &SqlStore, action: &JobsAction) -> Result<()> {
    match action {
        JobsAction::Status => {
            let counts = store.job_counts().await?;
            if counts.is_empty() {
                println!("Hàng đợi trống.");
            }
            for c in counts {
                println!("{:<20} {:<10} {}", c.kind, state_vn(&c.state), c.count);
            }
            let alive = store.workers_alive(Duration::from_secs(60)).await?;
            println!("Tiến trình làm việc đang hoạt động: {alive}");
        }
        JobsAction::Probe { count, sleep_ms } => {
            for _ in 0..*count {
                store
                    .enqueue(&NewJob::new(
                        canhgiac_jobs::PROBE,
                        serde_json::json!({ "sleep_ms": sleep_ms }),
                    ))
                    .await?;
            }
            println!("Đã xếp hàng {count} công việc thử.");
        }
    }
    Ok(())
}

fn state_vn(s: &str) -> &str {
    match s {
        "queued" => "chờ chạy",
        "running" => "đang chạy",
        "done" => "xong",
        "failed" => "thất bại",
        other => other,
    }
}
