//! Three `canhgiac worker` processes share one PostgreSQL and 500 jobs; one
//! is killed with SIGKILL while it holds jobs. Every job must complete
//! exactly once, and the killed worker's leases must expire and be taken
//! over by the others.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)] // a failed unwrap in a test is a failed test

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use canhgiac_store::db::Cols;
use canhgiac_store::prelude::*;
use canhgiac_store::{NewJob, SqlStore};

const JOBS: usize = 500;

mod common;
use common::pg_url;

fn worker(url: &str, schema: &str, id: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_canhgiac"))
        .args(["--database-url", url, "--database-schema", schema, "worker"])
        .args(["--concurrency", "2", "--lease-seconds", "2", "--worker-id", id])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn worker")
}

async fn held_by(store: &SqlStore, prefix: &str) -> Vec<i64> {
    let rows = store
        .pool()
        .rows(
            "SELECT id FROM jobs WHERE state = 'running' AND lease_holder LIKE $1 ORDER BY id",
            &[canhgiac_store::db::Value::Text(format!("{prefix}/%"))],
            &[canhgiac_store::db::Ty::Int],
        )
        .await
        .expect("held");
    rows.into_iter()
        .map(|r| Cols::new(r, "held").int().expect("id"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_worker_leases_expire_and_every_job_completes_once() {
    let Some(url) = pg_url() else { return };
    let schema = format!("jobs_{}", std::process::id());
    let admin = canhgiac_store::db::Pool::connect_postgres(&url, None)
        .await
        .expect("connect");
    {
        let mut tx = admin.begin().await.expect("begin");
        tx.exec(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"), &[])
            .await
            .expect("drop");
        tx.exec(&format!("CREATE SCHEMA {schema}"), &[]).await.expect("schema");
        tx.commit().await.expect("commit");
    }
    let store = SqlStore::open_postgres(&url, Some(&schema)).await.expect("store");
    for _ in 0..JOBS {
        store
            .enqueue(&NewJob::new("probe", serde_json::json!({ "sleep_ms": 100 })))
            .await
            .expect("enqueue");
    }
    let mut workers: Vec<Child> = ["w1", "w2", "w3"].iter().map(|id| worker(&url, &schema, id)).collect();

    // Wait until w1 is at work, then kill it without warning.
    let deadline = Instant::now() + Duration::from_secs(60);
    while held_by(&store, "w1").await.is_empty() {
        assert!(Instant::now() < deadline, "w1 never leased a job");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    workers[0].kill().expect("SIGKILL");
    workers[0].wait().expect("reaped");
    let orphans = held_by(&store, "w1").await;
    assert!(!orphans.is_empty(), "w1 held no job when it was killed");

    // The others finish everything, the orphans included.
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let states = store.job_states("probe").await.expect("states");
        if states.iter().all(|j| j.state == "done") {
            assert_eq!(states.len(), JOBS);
            for j in &states {
                assert_eq!(j.completions, 1, "job {} completed {} times", j.id, j.completions);
            }
            for id in &orphans {
                let j = states.iter().find(|j| j.id == *id).expect("orphan");
                assert!(j.attempts >= 2, "job {id} was not taken over (attempts {})", j.attempts);
            }
            break;
        }
        assert!(
            states.iter().all(|j| j.state != "failed"),
            "a job failed: {:?}",
            states.iter().find(|j| j.state == "failed")
        );
        assert!(Instant::now() < deadline, "jobs still unfinished after 180 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // The orphans' completing runs belong to the survivors.
    for id in &orphans {
        let rows = store
            .pool()
            .rows(
                "SELECT holder FROM job_runs WHERE job_id = $1 AND outcome = 'done'",
                &[canhgiac_store::db::Value::Int(*id)],
                &[canhgiac_store::db::Ty::Text],
            )
            .await
            .expect("runs");
        let holders: Vec<String> = rows
            .into_iter()
            .map(|r| Cols::new(r, "runs").text().expect("holder"))
            .collect();
        assert_eq!(holders.len(), 1);
        assert!(!holders[0].starts_with("w1/"), "job {id} completed by the dead worker");
    }
    for w in workers.iter_mut().skip(1) {
        let _ = w.kill();
        let _ = w.wait();
    }
    store.close().await;
    let mut tx = admin.begin().await.expect("begin");
    tx.exec(&format!("DROP SCHEMA {schema} CASCADE"), &[])
        .await
        .expect("drop");
    tx.commit().await.expect("commit");
    admin.close().await;
}
