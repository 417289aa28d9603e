//! The conformance suite: one set of tests, run against SQLite and against
//! PostgreSQL. Every test is a generic function; the `conformance!` macro
//! instantiates it once per engine.
//!
//! PostgreSQL: `CANHGIAC_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`). When the server cannot be
//! reached the PostgreSQL tests are skipped, unless
//! `CANHGIAC_REQUIRE_POSTGRES=1` (set by CI), which makes them fail instead.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)] // a failed unwrap in a test is a failed test

use canhgiac_domain::*;
use canhgiac_store::db::{Ty, Value};
use canhgiac_store::prelude::*;
use canhgiac_store::{Actor, AuditQuery, ListQuery, NewJob, Order, Outcome, Put, SqlStore, StoreError, WorkerInfo};

const SEED: &str = include_str!("../../../fixtures/seed-2024-h1.json");

fn seed() -> Dataset {
    canhgiac_interchange::read_json("seed-2024-h1.json", SEED.as_bytes())
        .expect("seed parses")
        .records
}

fn actor() -> Actor {
    Actor::new("tester", "test")
}

struct Harness {
    store: SqlStore,
    _dir: Option<tempfile::TempDir>,
    pg_schema: Option<(String, String)>,
}

impl Harness {
    async fn sqlite() -> Harness {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = SqlStore::open_sqlite(dir.path()).await.expect("open sqlite");
        Harness {
            store,
            _dir: Some(dir),
            pg_schema: None,
        }
    }

    async fn postgres() -> Option<Harness> {
        let required = std::env::var("CANHGIAC_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
        let url = std::env::var("CANHGIAC_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let schema = format!("t_{}", rand::random::<u64>());
        let admin = match sqlx::PgPool::connect(&url).await {
            Ok(p) => p,
            Err(e) if !required => {
                eprintln!("PostgreSQL unavailable at {url} ({e}); skipping (set CANHGIAC_REQUIRE_POSTGRES=1 to fail)");
                return None;
            }
            Err(e) => panic!("PostgreSQL required but unavailable at {url}: {e}"),
        };
        admin.close().await;
        // The application's own role: not a superuser, so the row-level
        // security policies bind it (a superuser bypasses them).
        let app_url = canhgiac_store::testing::app_schema(&url, &schema)
            .await
            .expect("schema");
        let store = SqlStore::open_postgres(&app_url, Some(&schema))
            .await
            .expect("open postgres as the application role");
        Some(Harness {
            store,
            _dir: None,
            pg_schema: Some((url, schema)),
        })
    }

    async fn finish(self) {
        self.store.close().await;
        if let Some((url, schema)) = self.pg_schema {
            if let Ok(p) = sqlx::PgPool::connect(&url).await {
                let _ = sqlx::query(&format!("DROP SCHEMA {schema} CASCADE")).execute(&p).await;
                p.close().await;
            }
        }
    }

    /// Runs statements as someone with direct access to the database (the
    /// superuser on PostgreSQL, whom row-level security does not bind): how
    /// the tests tamper with stored rows.
    async fn tamper(&self, statements: &[(&str, Vec<Value>)]) {
        let pool = match &self.pg_schema {
            Some((url, schema)) => canhgiac_store::db::Pool::connect_postgres(url, Some(schema))
                .await
                .expect("admin pool"),
            None => self.store.pool().clone(),
        };
        let mut tx = pool.begin().await.expect("begin");
        for (sql, args) in statements {
            tx.exec(sql, args).await.expect("tamper");
        }
        tx.commit().await.expect("commit");
    }

    /// A second store on the same database (a restart, or another node).
    async fn reopen(&self) -> SqlStore {
        match &self.pg_schema {
            Some((url, schema)) => SqlStore::open_postgres(
                &canhgiac_store::testing::url_as(url, canhgiac_store::testing::APP_ROLE),
                Some(schema),
            )
            .await
            .expect("reopen"),
            None => SqlStore::open_sqlite(self._dir.as_ref().expect("dir").path())
                .await
                .expect("reopen"),
        }
    }
}

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let h = super::Harness::sqlite().await;
                    super::$name(&h).await;
                    h.finish().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(h) = super::Harness::postgres().await else { return };
                    super::$name(&h).await;
                    h.finish().await;
                }
            )*
        }
    };
}

conformance!(
    telecom_months_station_expiries_and_references,
    migrations_are_recorded_and_rerun_safely,
    crud_for_every_kind,
    natural_keys_are_unique,
    reimport_is_idempotent,
    every_change_is_audited_with_before_and_after,
    audit_chain_detects_tampering,
    failed_import_leaves_nothing_behind,
    failed_import_keeps_existing_data_intact,
    references_are_checked,
    stale_edits_are_refused,
    search_ignores_diacritics_and_pages_by_key,
    sorted_pages_and_bounded_totals,
    deleted_records_wait_in_the_bin_and_come_back_once,
    hostile_search_and_filters_are_harmless,
    summary_matches_the_seed,
    export_round_trips_into_an_empty_store,
    concurrent_writers_keep_the_chain,
    issued_reports_are_versioned_hashed_and_immutable,
    item_figures_count_originals_only,
    sessions_and_tokens_keep_only_hashes,
    jobs_lease_once_retry_and_expire,
    jobs_leased_by_many_nodes_complete_once,
    unknown_kinds_and_bad_rows_are_errors,
    health_checks_answer,
    worklists_are_queries,
    two_agencies_in_one_store_see_only_their_own,
    the_same_codes_in_two_agencies_do_not_collide,
    a_shared_outlet_is_one_record_every_agency_reads,
    an_agency_keeps_an_active_administrator,
    the_trail_never_keeps_a_password_hash,
    an_older_store_gives_its_records_to_its_one_agency,
    sources_keep_their_health_and_items_their_originals,
    watch_matches_are_kept_once_per_agency_and_reviewed,
    a_batch_import_writes_what_one_by_one_writes,
    a_refused_batch_names_its_record_and_keeps_nothing,
    case_moves_follow_the_workflow_on_every_path,
);

async fn count_all(s: &SqlStore) -> Vec<i64> {
    let mut v = Vec::new();
    for k in RecordKind::ALL {
        v.push(s.count(*k).await.expect("count"));
    }
    v
}

async fn audit_len(s: &SqlStore) -> i64 {
    s.verify_audit().await.expect("verify").entries
}

async fn migrations_are_recorded_and_rerun_safely(h: &Harness) {
    let rows = h
        .store
        .pool()
        .rows("SELECT version FROM schema_migrations", &[], &[Ty::Int])
        .await
        .expect("read migrations");
    assert_eq!(rows.len() as i64, canhgiac_store::schema::latest_version());
    h.store.import(&actor(), &seed()).await.expect("import");
    let before = count_all(&h.store).await;
    let again = h.reopen().await;
    assert_eq!(count_all(&again).await, before, "reopening must not change data");
    again.close().await;
}

/// Create, read, update, list and delete one record of kind R, built from
/// a seed record by `rekey` (a new natural key) and changed by `edit`.
async fn crud<R: Record>(s: &SqlStore, from: &R, rekey: impl Fn(&mut R), edit: impl Fn(&mut R)) {
    let mut rec = from.clone();
    rekey(&mut rec);
    assert_ne!(rec.key(), from.key(), "{:?}: rekey must change the key", R::KIND);
    let id = s
        .create(&actor(), &rec)
        .await
        .unwrap_or_else(|e| panic!("create {:?}: {e}", R::KIND));
    let got = s.get::<R>(id).await.expect("get").expect("present");
    assert_eq!(got.record, rec, "{:?} round trip", R::KIND);
    assert_eq!(got.version, 1);
    let by_key = s
        .get_by_key::<R>(&rec.key())
        .await
        .expect("get by key")
        .expect("present");
    assert_eq!(by_key.id, id);

    let mut changed = rec.clone();
    edit(&mut changed);
    assert_ne!(changed, rec, "{:?}: edit must change something", R::KIND);
    s.update(&actor(), id, Some(1), &changed)
        .await
        .unwrap_or_else(|e| panic!("update {:?}: {e}", R::KIND));
    let got = s.get::<R>(id).await.expect("get").expect("present");
    assert_eq!(got.record, changed);
    assert_eq!(got.version, 2);

    let listed = s
        .list::<R>(&ListQuery {
            limit: Some(1000),
            ..Default::default()
        })
        .await
        .expect("list");
    assert!(listed.iter().any(|x| x.id == id), "{:?} listed", R::KIND);

    s.delete::<R>(&actor(), id)
        .await
        .unwrap_or_else(|e| panic!("delete {:?}: {e}", R::KIND));
    assert!(s.get::<R>(id).await.expect("get").is_none());
    assert!(matches!(
        s.delete::<R>(&actor(), id).await,
        Err(StoreError::NotFound { .. })
    ));

    let trail = s
        .audit(&AuditQuery {
            kind: Some(R::KIND),
            record_id: Some(id),
            ..Default::default()
        })
        .await
        .expect("audit");
    let actions: Vec<AuditAction> = trail.iter().rev().map(|e| e.action).collect();
    assert_eq!(
        actions,
        [AuditAction::Create, AuditAction::Update, AuditAction::Delete],
        "{:?}",
        R::KIND
    );
}

async fn crud_for_every_kind(h: &Harness) {
    let s = &h.store;
    let d = seed();
    s.import(&actor(), &d).await.expect("import seed");
    crud(
        s,
        &d.agencies[0],
        |a| a.code = Code::lit("so-test"),
        |a| a.recipients.push(Text::lit("Lưu VT")),
    )
    .await;
    crud(
        s,
        &d.users[0],
        |u| u.username = Code::lit("nguoidung-test"),
        |u| u.active = false,
    )
    .await;
    crud(
        s,
        &d.topics[0],
        |t| t.code = Code::lit("ATGT"),
        |t| t.name = Text::lit("An toàn giao thông"),
    )
    .await;
    crud(
        s,
        &d.outlets[0],
        |o| o.code = Code::lit("bao-test"),
        |o| o.level = Level::District,
    )
    .await;
    crud(
        s,
        &d.programmes[0],
        |p| p.code = Code::lit("ct-test"),
        |p| p.duration_minutes = Some(30),
    )
    .await;
    crud(
        s,
        &d.media_items[0],
        |m| m.url = Some(Text::lit("https://baobacgiang.vn/bai-thu-nghiem")),
        |m| m.topics = vec![Code::lit("PCMT"), Code::lit("PCMBN")],
    )
    .await;
    crud(
        s,
        &d.directives[0],
        |x| x.number = Some(Text::lit("99/KH-STTTT")),
        |x| x.note = None,
    )
    .await;
    crud(
        s,
        &d.report_requests[0],
        |r| r.number = Text::lit("1/BC-TEST"),
        |r| r.deadline = Date::from_ymd(2024, 6, 30),
    )
    .await;
    crud(
        s,
        &d.plan_items[0],
        |p| p.ordinal = 99,
        |p| p.text = Text::lit("Nhiệm vụ đã sửa"),
    )
    .await;
    crud(
        s,
        &d.cases[0],
        |c| c.code = Code::lit("VV-TEST"),
        |c| {
            c.status = CaseStatus::Closed;
            c.status_reason = Some(Text::lit("Đã xử phạt, không cần gỡ bỏ"));
        },
    )
    .await;
    crud(
        s,
        &d.case_comments[0],
        |c| c.posted_at = Timestamp::parse("2024-06-11T00:00:00Z").expect("t"),
        |c| c.body = Text::lit("Ý kiến đã sửa"),
    )
    .await;
    crud(
        s,
        &d.evidence[0],
        |e| e.code = Code::lit("CC-TEST"),
        |e| e.item_count = Some(4),
    )
    .await;
    crud(
        s,
        &d.takedown_checks[0],
        |t| t.checked_at = Timestamp::parse("2024-05-01T00:00:00Z").expect("t"),
        |t| t.result = TakedownResult::StillOnline,
    )
    .await;
    crud(
        s,
        &d.inspections[0],
        |i| i.code = Code::lit("KT-TEST"),
        |i| i.findings = Some(Text::lit("Không vi phạm")),
    )
    .await;
    crud(
        s,
        &d.inspection_subjects[0],
        |x| x.name = Text::lit("Tổ chức thử nghiệm"),
        |x| x.violation_found = true,
    )
    .await;
    crud(
        s,
        &d.sanction_decisions[0],
        |x| x.number = Text::lit("99/QĐ-XPHC"),
        |x| x.fine = Dong::new(5_000_000).expect("fine"),
    )
    .await;
}

async fn natural_keys_are_unique(h: &Harness) {
    let s = &h.store;
    let d = seed();
    s.import(&actor(), &d).await.expect("import");
    let err = s.create(&actor(), &d.topics[0]).await.unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Conflict {
                kind: RecordKind::Topic,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("Đã có chủ đề"), "{err}");
    // Renaming a record onto another's key is refused too.
    let second = s.get_by_key::<Case>("VV-2024-02").await.expect("get").expect("present");
    let mut clash = second.record.clone();
    clash.code = Code::lit("VV-2024-01");
    let err = s.update(&actor(), second.id, None, &clash).await.unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict { .. } | StoreError::InUse { .. }),
        "{err}"
    );
    // The same natural key twice within one file is refused.
    let dup = Dataset {
        topics: vec![d.topics[0].clone(), d.topics[0].clone()],
        ..Default::default()
    };
    let err = s.import(&actor(), &dup).await.unwrap_err();
    assert!(err.to_string().contains("trùng khóa"), "{err}");
    // Media items without a URL are keyed by outlet, day and folded title.
    let mut m = d.media_items[0].clone();
    m.url = None;
    m.title = Text::lit(&m.title.as_str().to_uppercase());
    assert_eq!(m.key(), d.media_items[0].key());
}

async fn reimport_is_idempotent(h: &Harness) {
    let s = &h.store;
    let d = seed();
    let first = s.import(&actor(), &d).await.expect("import");
    assert_eq!(first.total_created(), d.len());
    let counts = count_all(s).await;
    let audits = audit_len(s).await;
    let second = s.import(&actor(), &d).await.expect("import again");
    assert_eq!(second.total_created(), 0);
    assert_eq!(second.total_updated(), 0);
    assert_eq!(second.total_unchanged(), d.len());
    assert_eq!(count_all(s).await, counts);
    assert_eq!(audit_len(s).await, audits, "an unchanged import writes no audit entry");
    // One changed record: one update, one audit entry.
    let mut d2 = d.clone();
    d2.cases[0].status = CaseStatus::Closed;
    d2.cases[0].status_reason = Some(Text::lit("Đã xử phạt, không cần gỡ bỏ"));
    let third = s.import(&actor(), &d2).await.expect("import changed");
    assert_eq!(third.total_updated(), 1);
    assert_eq!(audit_len(s).await, audits + 1);
    assert_eq!(
        s.upsert(&actor(), &d2.cases[0]).await.expect("upsert"),
        Put::Unchanged(
            s.get_by_key::<Case>("VV-2024-01")
                .await
                .expect("get")
                .expect("present")
                .id
        )
    );
}

async fn every_change_is_audited_with_before_and_after(h: &Harness) {
    let s = &h.store;
    let d = seed();
    s.import(&Actor::new("chuyenvien", "cli:import seed.json"), &d)
        .await
        .expect("import");
    assert_eq!(audit_len(s).await, d.len() as i64);
    let case = s.get_by_key::<Case>("VV-2024-04").await.expect("get").expect("present");
    let mut edited = case.record.clone();
    edited.status = CaseStatus::Transferred;
    s.update(&Actor::new("lanhdao", "web"), case.id, None, &edited)
        .await
        .expect("update");
    let trail = s
        .audit(&AuditQuery {
            kind: Some(RecordKind::Case),
            record_id: Some(case.id),
            ..Default::default()
        })
        .await
        .expect("audit");
    assert_eq!(trail.len(), 2);
    let upd = &trail[0];
    assert_eq!(upd.action, AuditAction::Update);
    assert_eq!(upd.actor, "lanhdao");
    assert_eq!(upd.origin, "web");
    assert_eq!(
        upd.before.as_ref().and_then(|b| b["status"].as_str()),
        Some("evidence_collected")
    );
    assert_eq!(
        upd.after.as_ref().and_then(|a| a["status"].as_str()),
        Some("transferred")
    );
    let created = &trail[1];
    assert_eq!(created.action, AuditAction::Create);
    assert_eq!(created.actor, "chuyenvien");
    assert!(created.before.is_none());
    assert_eq!(upd.prev_hash.len(), 64);
    let by_actor = s
        .audit(&AuditQuery {
            actor: Some("lanhdao".into()),
            ..Default::default()
        })
        .await
        .expect("audit by actor");
    assert_eq!(by_actor.len(), 1);
}

async fn audit_chain_detects_tampering(h: &Harness) {
    let s = &h.store;
    s.import(&actor(), &seed()).await.expect("import");
    assert_eq!(s.verify_audit().await.expect("verify").broken_at, None);
    h.tamper(&[(
        "UPDATE audit_log SET actor = $1 WHERE seq = 7",
        vec![Value::from("kẻ gian")],
    )])
    .await;
    assert_eq!(s.verify_audit().await.expect("verify").broken_at, Some(7));
    // Restoring the row restores the chain; deleting the last one breaks it.
    h.tamper(&[
        (
            "UPDATE audit_log SET actor = $1 WHERE seq = 7",
            vec![Value::from("tester")],
        ),
        (
            "DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)",
            vec![],
        ),
    ])
    .await;
    assert!(s.verify_audit().await.expect("verify").broken_at.is_some());
}

async fn failed_import_leaves_nothing_behind(h: &Harness) {
    let s = &h.store;
    let mut d = seed();
    // The very last record refers to an inspection that does not exist.
    let last = d.sanction_decisions.len() - 1;
    d.sanction_decisions[last].inspection = Some(Code::lit("KHONG-CO"));
    d.sanction_decisions[last].case = None;
    let err = s.import(&actor(), &d).await.unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("sanction_decisions") && msg.contains("KHONG-CO"), "{msg}");
    assert!(count_all(s).await.iter().all(|n| *n == 0), "nothing half-imported");
    assert_eq!(audit_len(s).await, 0, "no audit entry either");
}

async fn failed_import_keeps_existing_data_intact(h: &Harness) {
    let s = &h.store;
    let d = seed();
    s.import(&actor(), &d).await.expect("import");
    let counts = count_all(s).await;
    let audits = audit_len(s).await;
    let mut bad = d.clone();
    bad.cases[0].status = CaseStatus::Closed; // would be an update…
    bad.cases[0].status_reason = Some(Text::lit("Đã xử phạt, không cần gỡ bỏ"));
    bad.media_items.push(MediaItem {
        outlet: Code::lit("khong-ton-tai"), // …but this fails later in the same file
        ..d.media_items[0].clone()
    });
    assert!(s.import(&actor(), &bad).await.is_err());
    assert_eq!(count_all(s).await, counts);
    assert_eq!(audit_len(s).await, audits);
    let case = s.get_by_key::<Case>("VV-2024-01").await.expect("get").expect("present");
    assert_eq!(
        case.record.status, d.cases[0].status,
        "the earlier update was rolled back"
    );
}

async fn references_are_checked(h: &Harness) {
    let s = &h.store;
    let d = seed();
    s.import(&actor(), &d).await.expect("import");
    let mut m = d.media_items[0].clone();
    m.url = Some(Text::lit("https://example.vn/khac"));
    m.topics = vec![Code::lit("KHONG-CO")];
    let err = s.create(&actor(), &m).await.unwrap_err();
    assert!(
        matches!(&err, StoreError::MissingReference { target_kind: RecordKind::Topic, target, .. } if target == "KHONG-CO"),
        "{err}"
    );
    let outlet = s
        .get_by_key::<Outlet>("dai-ptth-bac-giang")
        .await
        .expect("get")
        .expect("present");
    let err = s.delete::<Outlet>(&actor(), outlet.id).await.unwrap_err();
    assert!(matches!(err, StoreError::InUse { .. }), "{err}");
    assert!(s.get::<Outlet>(outlet.id).await.expect("get").is_some());
}

async fn stale_edits_are_refused(h: &Harness) {
    let s = &h.store;
    s.import(&actor(), &seed()).await.expect("import");
    let t = s.get_by_key::<Topic>("PCMT").await.expect("get").expect("present");
    let mut a = t.record.clone();
    a.description = Some(Text::lit("Sửa lần 1"));
    s.update(&actor(), t.id, Some(t.version), &a).await.expect("first edit");
    let mut b = t.record.clone();
    b.description = Some(Text::lit("Sửa lần 2, trên bản cũ"));
    let err = s.update(&actor(), t.id, Some(t.version), &b).await.unwrap_err();
    assert!(matches!(err, StoreError::StaleVersion { .. }), "{err}");
    let now = s.get::<Topic>(t.id).await.expect("get").expect("present");
    assert_eq!(now.record, a);
}

async fn search_ignores_diacritics_and_pages_by_key(h: &Harness) {
    let s = &h.store;
    let d = seed();
    s.import(&actor(), &d).await.expect("import");
    let q = |search: &str| ListQuery {
        search: Some(search.into()),
        limit: Some(1000),
        ..Default::default()
    };
    let with_marks = s.list::<MediaItem>(&q("ma túy")).await.expect("list");
    let without = s.list::<MediaItem>(&q("ma tuy")).await.expect("list");
    assert!(!with_marks.is_empty());
    assert_eq!(with_marks, without);
    assert!(without.iter().all(|m| fold(m.record.title.as_str()).contains("ma tuy")
        || m.record
            .summary
            .as_ref()
            .is_some_and(|x| fold(x.as_str()).contains("ma tuy"))));
    let mut extra = d.media_items[0].clone();
    extra.url = Some(Text::lit("https://baobacgiang.vn/dat-dai"));
    extra.title = Text::lit("Hòa giải tranh chấp đất đai ở Hiệp Hoà");
    s.create(&actor(), &extra).await.expect("create");
    assert_eq!(s.list::<MediaItem>(&q("dat dai")).await.expect("list").len(), 1);
    assert_eq!(s.list::<MediaItem>(&q("ĐẤT")).await.expect("list").len(), 1);
    assert_eq!(
        s.list::<MediaItem>(&q("hoa giai hiep hòa")).await.expect("list").len(),
        1
    );
    // Keyset pages cover everything once.
    let total = s.count(RecordKind::MediaItem).await.expect("count");
    let mut seen = std::collections::HashSet::new();
    let mut before = None;
    loop {
        let page = s
            .list::<MediaItem>(&ListQuery {
                before_id: before,
                limit: Some(50),
                ..Default::default()
            })
            .await
            .expect("page");
        if page.is_empty() {
            break;
        }
        before = page.last().map(|x| x.id);
        for x in page {
            assert!(seen.insert(x.id));
        }
    }
    assert_eq!(seen.len() as i64, total);
    // Date and equality filters.
    let june = s
        .list::<MediaItem>(&ListQuery {
            date_from: Date::from_ymd(2024, 6, 1),
            date_to: Date::from_ymd(2024, 6, 30),
            filters: vec![
                ("outlet".into(), "dai-ptth-bac-giang".into()),
                ("featured".into(), "true".into()),
            ],
            limit: Some(1000),
            ..Default::default()
        })
        .await
        .expect("filtered");
    assert!(june.iter().all(|m| m.record.published_on.month() == 6
        && m.record.featured
        && m.record.outlet.as_str() == "dai-ptth-bac-giang"));
}

async fn sorted_pages_and_bounded_totals(h: &Harness) {
    let s = &h.store;
    s.import(&actor(), &seed()).await.expect("import");
    let total = s.count(RecordKind::MediaItem).await.expect("count");
    assert!(total > 20, "the seed has enough items to page");
    let all = ListQuery::default();
    assert_eq!(
        s.count_matching::<MediaItem>(&all, 10_000).await.expect("count"),
        total as u64
    );
    // The cap bounds the count: one more than the cap means "more".
    assert_eq!(s.count_matching::<MediaItem>(&all, 5).await.expect("capped"), 6);
    let search = ListQuery {
        search: Some("ma tuy".into()),
        ..Default::default()
    };
    let found = s
        .list::<MediaItem>(&ListQuery {
            limit: Some(1000),
            ..search.clone()
        })
        .await
        .expect("list");
    assert_eq!(
        s.count_matching::<MediaItem>(&search, 10_000).await.expect("count"),
        found.len() as u64
    );
    // Pages in title order, by offset, cover every item once, in order.
    let mut seen = Vec::new();
    for page in 0.. {
        let rows = s
            .list::<MediaItem>(&ListQuery {
                order: Some(Order {
                    field: "title".into(),
                    descending: false,
                }),
                offset: Some(page * 7),
                limit: Some(7),
                ..Default::default()
            })
            .await
            .expect("page");
        if rows.is_empty() {
            break;
        }
        seen.extend(rows.into_iter().map(|r| (r.record.title.to_string(), r.id)));
    }
    assert_eq!(seen.len() as i64, total);
    // The same order as one long page (text order is the engine's
    // collation; dates below show the direction).
    let one: Vec<(String, i64)> = s
        .list::<MediaItem>(&ListQuery {
            order: Some(Order {
                field: "title".into(),
                descending: false,
            }),
            limit: Some(1000),
            ..Default::default()
        })
        .await
        .expect("one page")
        .into_iter()
        .map(|r| (r.record.title.to_string(), r.id))
        .collect();
    assert_eq!(seen, one);
    let newest_day = s
        .list::<MediaItem>(&ListQuery {
            order: Some(Order {
                field: "published_on".into(),
                descending: true,
            }),
            limit: Some(1),
            ..Default::default()
        })
        .await
        .expect("by date");
    let days: Vec<Date> = s
        .list::<MediaItem>(&ListQuery {
            limit: Some(1000),
            ..Default::default()
        })
        .await
        .expect("list")
        .into_iter()
        .map(|m| m.record.published_on)
        .collect();
    assert_eq!(Some(newest_day[0].record.published_on), days.iter().max().copied());
    // Only declared scalar fields order a list; anything else is refused.
    for bad in ["title\" DESC; DROP TABLE media_items; --", "topics", "nope"] {
        let err = s
            .list::<MediaItem>(&ListQuery {
                order: Some(Order {
                    field: bad.into(),
                    descending: false,
                }),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert!(err.to_string().contains("không sắp xếp được"), "{err}");
    }
    assert_eq!(s.count(RecordKind::MediaItem).await.expect("count"), total);
}

async fn deleted_records_wait_in_the_bin_and_come_back_once(h: &Harness) {
    let s = &h.store;
    s.import(&actor(), &seed()).await.expect("import");
    let d = s
        .list::<Directive>(&ListQuery::default())
        .await
        .expect("list")
        .remove(0);
    let items_before = s.count(RecordKind::MediaItem).await.expect("count");
    s.delete::<Directive>(&Actor::new("chuyenvien", "web"), d.id)
        .await
        .expect("delete");
    assert!(s.get::<Directive>(d.id).await.expect("get").is_none());
    let bin = s.deleted(None, 50).await.expect("bin");
    let entry = bin.iter().find(|x| x.entry.record_key == d.key).expect("in the bin");
    assert!(entry.restorable);
    assert_eq!(entry.entry.actor, "chuyenvien");
    let (kind, id) = s
        .restore(&Actor::new("quantri", "web"), entry.entry.seq)
        .await
        .expect("restore");
    assert_eq!(kind, RecordKind::Directive);
    let back = s.get::<Directive>(id).await.expect("get").expect("restored");
    assert_eq!(back.record, d.record, "every field comes back");
    assert_eq!(back.key, d.key);
    // Once: the entry is no longer restorable, and a second try is refused.
    let bin = s.deleted(None, 50).await.expect("bin");
    assert!(
        !bin.iter()
            .find(|x| x.entry.seq == entry.entry.seq)
            .expect("still listed")
            .restorable
    );
    let err = s.restore(&actor(), entry.entry.seq).await.unwrap_err();
    assert!(err.to_string().contains("đã được khôi phục"), "{err}");
    // The restore is audited as a creation by the administrator.
    let trail = s
        .audit(&AuditQuery {
            kind: Some(RecordKind::Directive),
            record_id: Some(id),
            ..Default::default()
        })
        .await
        .expect("audit");
    assert!(trail
        .iter()
        .any(|a| a.action == AuditAction::Create && a.actor == "quantri"));
    // Not a delete entry, or none at all: refused, nothing written.
    let audit_len_before = audit_len(s).await;
    let create_seq = trail[0].seq;
    assert!(s.restore(&actor(), create_seq).await.is_err());
    assert!(s.restore(&actor(), 999_999_999).await.is_err());
    assert_eq!(audit_len(s).await, audit_len_before);
    // A record others refer to is not deleted at all.
    let outlet = s.list::<Outlet>(&ListQuery::default()).await.expect("outlets");
    let used = outlet
        .iter()
        .find(|o| o.record.code.as_str() == "bao-bac-giang")
        .expect("outlet");
    let err = s.delete::<Outlet>(&actor(), used.id).await.unwrap_err();
    assert!(matches!(err, StoreError::InUse { .. }), "{err}");
    assert_eq!(s.count(RecordKind::MediaItem).await.expect("count"), items_before);
}

async fn hostile_search_and_filters_are_harmless(h: &Harness) {
    let s = &h.store;
    s.import(&actor(), &seed()).await.expect("import");
    let before = count_all(s).await;
    for evil in [
        "'; DROP TABLE media_items; --",
        "%",
        "_",
        "\\",
        "\" OR 1=1 --",
        "<script>alert(1)</script>",
    ] {
        let r = s
            .list::<MediaItem>(&ListQuery {
                search: Some(evil.into()),
                ..Default::default()
            })
            .await
            .expect("search runs");
        assert!(r.is_empty(), "{evil} matched {} items", r.len());
    }
    let err = s
        .list::<MediaItem>(&ListQuery {
            filters: vec![("title\" OR 1=1 --".into(), "x".into())],
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(err.to_string().contains("không lọc được"), "{err}");
    assert_eq!(count_all(s).await, before);
}

async fn summary_matches_the_seed(h: &Harness) {
    let s = &h.store;
    s.import(&actor(), &seed()).await.expect("import");
    let range = Period::Half(2024, 1).range(PeriodRule::National);
    let f = s.summary(range).await.expect("summary");
    assert_eq!(f.directives, 6, "footnote 1 lists six documents");
    assert_eq!(f.inspections, 5);
    assert_eq!(
        (f.inspection_subjects.organisations, f.inspection_subjects.individuals),
        (14, 7)
    );
    assert_eq!((f.sanctions.organisations, f.sanctions.individuals), (2, 4));
    assert_eq!(f.fine_total.get(), 19_500_000);
    assert_eq!(f.fine_total.short(), "19,5 triệu đồng");
    let per = |topic: &str, outlet: &str| {
        f.items_by_topic_outlet
            .iter()
            .find(|c| c.topic == topic && c.outlet == outlet)
            .map_or(0, |c| c.items)
    };
    assert_eq!(per("PCMT", "dai-ptth-bac-giang"), 68, "gần 70 tin, bài");
    assert_eq!(per("PCMT", "bao-bac-giang"), 50, "50 tin, bài, ảnh (print and e-paper)");
    let pctp: i64 = f
        .items_by_topic_outlet
        .iter()
        .filter(|c| c.topic == "PCTP")
        .map(|c| c.items)
        .sum();
    assert!((90..100).contains(&pctp), "gần 100 tin, bài: {pctp}");
    // An empty period is all zeros, not an error.
    let empty = s
        .summary(
            DateRange::new(
                Date::from_ymd(2020, 1, 1).expect("d"),
                Date::from_ymd(2020, 12, 31).expect("d"),
            )
            .expect("r"),
        )
        .await
        .expect("summary");
    assert_eq!((empty.directives, empty.items, empty.fine_total.get()), (0, 0, 0));
}

async fn export_round_trips_into_an_empty_store(h: &Harness) {
    let s = &h.store;
    let d = seed();
    s.import(&actor(), &d).await.expect("import");
    let exported = s.export().await.expect("export");
    assert_eq!(exported.len(), d.len());
    let mut text = Vec::new();
    canhgiac_interchange::write_json(&mut text, &canhgiac_interchange::Envelope::new(exported.clone())).expect("write");
    let back = canhgiac_interchange::read_json("export.json", &text)
        .expect("read back")
        .records;
    assert_eq!(back, exported);
    let other = Harness::sqlite().await;
    other.store.import(&actor(), &back).await.expect("import into empty");
    assert_eq!(other.store.export().await.expect("export again"), exported);
    assert_eq!(count_all(&other.store).await, count_all(s).await);
    other.finish().await;
}

async fn concurrent_writers_keep_the_chain(h: &Harness) {
    let s = &h.store;
    s.import(&actor(), &seed()).await.expect("import");
    let base = s
        .get_by_key::<Topic>("PCTP")
        .await
        .expect("get")
        .expect("present")
        .record;
    let mut tasks = Vec::new();
    for i in 0..8 {
        let s = s.clone();
        let mut t = base.clone();
        tasks.push(tokio::spawn(async move {
            for j in 0..5 {
                t.code = Code::lit(&format!("T{i}-{j}"));
                s.create(&Actor::new(format!("u{i}"), "test"), &t)
                    .await
                    .expect("create");
            }
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    let check = s.verify_audit().await.expect("verify");
    assert_eq!(check.broken_at, None);
    assert_eq!(s.count(RecordKind::Topic).await.expect("count"), 3 + 40);
}

fn new_issue(figures: serde_json::Value, content: &[u8]) -> canhgiac_store::NewIssuedReport {
    canhgiac_store::NewIssuedReport {
        agency: "stttt-bacgiang".into(),
        number: "180/BC-STTTT".into(),
        year: 2024,
        kind: "so_ket".into(),
        period: Some("2024-H1".into()),
        period_from: "2023-12-15".into(),
        period_to: "2024-06-14".into(),
        signed_on: "2024-06-11".into(),
        summary: "Sơ kết công tác".into(),
        figures,
        files: vec![
            (
                "bao-cao.docx".into(),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document".into(),
                content.to_vec(),
            ),
            ("bao-cao.md".into(), "text/markdown".into(), b"# I.".to_vec()),
        ],
    }
}

async fn issued_reports_are_versioned_hashed_and_immutable(h: &Harness) {
    let s = &h.store;
    let bytes: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
    let first = s
        .issue_report(
            &actor(),
            &new_issue(
                serde_json::json!({"directives": {"value": 6, "ids": [1, 2, 3, 4, 5, 6]}}),
                &bytes,
            ),
        )
        .await
        .expect("issue");
    assert_eq!(first.version, 1);
    assert_eq!(first.sha256.len(), 64);
    let second = s
        .issue_report(
            &actor(),
            &new_issue(serde_json::json!({"directives": {"value": 7}}), b"khac"),
        )
        .await
        .expect("issue again");
    assert_eq!(second.version, 2, "regenerating makes a new version");
    assert_ne!(second.sha256, first.sha256);
    // The first version is untouched, byte for byte.
    let back = s
        .issued_report_file(first.id, "bao-cao.docx")
        .await
        .expect("file")
        .expect("present");
    assert_eq!(back, bytes);
    let got = s.issued_report(first.id).await.expect("get").expect("present");
    assert_eq!(got.figures["directives"]["ids"].as_array().map(Vec::len), Some(6));
    assert_eq!(got.files.len(), 2);
    assert!(s.verify_issued_report(first.id).await.expect("verify"));
    assert_eq!(s.issued_reports(Some("180/BC-STTTT")).await.expect("list").len(), 2);
    // Issue 11, item 5: the number, symbol and year belong to one report;
    // a "version" for another period or kind is refused.
    let mut other_period = new_issue(serde_json::json!({}), b"x");
    other_period.period_from = "2024-07-01".into();
    other_period.period_to = "2024-12-31".into();
    let mut other_kind = new_issue(serde_json::json!({}), b"x");
    other_kind.kind = "quy".into();
    for wrong in [other_period, other_kind] {
        let err = s.issue_report(&actor(), &wrong).await.expect_err("refused");
        assert!(matches!(err, StoreError::Refused(_)), "{err}");
        assert!(err.to_string().contains("giữ nguyên loại và kỳ"), "{err}");
    }
    assert_eq!(s.issued_reports(Some("180/BC-STTTT")).await.expect("list").len(), 2);
    // Neither rows nor files can be changed or removed.
    for sql in [
        "UPDATE issued_reports SET summary = 'sửa' WHERE id = $1",
        "DELETE FROM issued_reports WHERE id = $1",
        "UPDATE issued_report_files SET sha256 = 'x' WHERE report_id = $1",
        "DELETE FROM issued_report_files WHERE report_id = $1",
    ] {
        let mut tx = s.pool().begin().await.expect("begin");
        let r = tx.exec(sql, &[Value::Int(first.id)]).await;
        assert!(r.is_err(), "{sql} must be refused");
        let _ = tx.rollback().await;
    }
    assert!(s.verify_issued_report(first.id).await.expect("verify"));
    // Issuing is audited.
    let trail = s
        .audit(&AuditQuery {
            kind: Some(RecordKind::IssuedReport),
            ..Default::default()
        })
        .await
        .expect("audit");
    assert_eq!(trail.len(), 2);
    assert_eq!(s.verify_audit().await.expect("verify").broken_at, None);
}

async fn item_figures_count_originals_only(h: &Harness) {
    let s = &h.store;
    let d = seed();
    s.import(&actor(), &d).await.expect("import");
    let range = Period::Half(2024, 1).range(PeriodRule::National);
    let before = s.item_counts(range).await.expect("counts");
    let total: i64 = before.iter().map(|c| c.items).sum();
    assert_eq!(total, d.media_items.len() as i64);
    let dai: Vec<i64> = s
        .item_ids(range, Some("PCMT"), &["dai-ptth-bac-giang".to_owned()], None)
        .await
        .expect("ids");
    assert_eq!(dai.len(), 68);
    assert_eq!(
        s.item_ids(range, Some("PCMT"), &[], Some(10)).await.expect("ids").len(),
        10
    );
    // A syndicated copy is kept but not counted.
    let mut copy = d.media_items[0].clone();
    copy.outlet = Code::lit("ttcs-bac-giang");
    copy.duplicate_of = Some(Text::lit(&d.media_items[0].key()));
    s.create(&actor(), &copy).await.expect("copy");
    let after: i64 = s
        .item_counts(range)
        .await
        .expect("counts")
        .iter()
        .map(|c| c.items)
        .sum();
    assert_eq!(after, total);
    assert_eq!(s.summary(range).await.expect("summary").items, total);
}

async fn sessions_and_tokens_keep_only_hashes(h: &Harness) {
    use canhgiac_store::{ApiToken, Session};
    let s = &h.store;
    s.import(&actor(), &seed()).await.expect("import");
    let now = Timestamp::now();
    let later = Timestamp::parse("2099-01-01T00:00:00Z").expect("t");
    let past = Timestamp::parse("2000-01-01T00:00:00Z").expect("t");
    let live = Session {
        username: "chuyenvien".into(),
        csrf: "csrf-1".into(),
        created_at: now,
        expires_at: later,
    };
    s.session_create("bi-mat-phien", &live).await.expect("session");
    assert_eq!(s.session_get("bi-mat-phien").await.expect("get"), Some(live.clone()));
    assert_eq!(s.session_get("khac").await.expect("get"), None);
    s.session_create(
        "het-han",
        &Session {
            expires_at: past,
            ..live.clone()
        },
    )
    .await
    .expect("session");
    assert_eq!(
        s.session_get("het-han").await.expect("get"),
        None,
        "expired sessions are not returned"
    );
    let raw = s
        .pool()
        .rows("SELECT token_hash FROM sessions", &[], &[Ty::Text])
        .await
        .expect("raw");
    assert!(
        raw.iter().all(|r| r[0].as_str() != Some("bi-mat-phien")),
        "only hashes are stored"
    );
    s.session_delete("bi-mat-phien").await.expect("delete");
    assert_eq!(s.session_get("bi-mat-phien").await.expect("get"), None);
    // A session for an unknown user is refused by the database.
    assert!(s
        .session_create(
            "x",
            &Session {
                username: "khong-co".into(),
                ..live.clone()
            }
        )
        .await
        .is_err());
    let token = ApiToken {
        name: "thu thap".into(),
        username: "chuyenvien".into(),
        scopes: vec!["ingest".into(), "read".into()],
        created_at: now,
        expires_at: None,
        revoked: false,
    };
    s.token_create("ma-api", &token).await.expect("token");
    assert_eq!(s.token_get("ma-api").await.expect("get"), Some(token.clone()));
    s.token_create(
        "thu-hoi",
        &ApiToken {
            revoked: true,
            ..token.clone()
        },
    )
    .await
    .expect("token");
    assert_eq!(
        s.token_get("thu-hoi").await.expect("get"),
        None,
        "revoked tokens do not work"
    );
}

async fn jobs_lease_once_retry_and_expire(h: &Harness) {
    use std::time::Duration;
    let s = &h.store;
    let kinds = vec!["probe".to_owned()];
    let long = Duration::from_secs(60);
    // Nothing due: nothing leased.
    assert!(s.lease("a", &kinds, long).await.expect("lease").is_none());
    let id = s
        .enqueue(&NewJob::new("probe", serde_json::json!({"n": 1})))
        .await
        .expect("enqueue")
        .expect("queued");
    // Other kinds are not leased by a worker that cannot run them.
    assert!(s.lease("a", &["other".into()], long).await.expect("lease").is_none());
    let l = s.lease("a", &kinds, long).await.expect("lease").expect("a job");
    assert_eq!((l.job_id, l.attempt, l.payload["n"].as_i64()), (id, 1, Some(1)));
    // Held: a second worker gets nothing.
    assert!(s.lease("b", &kinds, long).await.expect("lease").is_none());
    // A failed run goes back to the queue, due after its backoff.
    let retry = Outcome::Retry {
        error: "mạng lỗi".into(),
        after: Duration::from_millis(300),
    };
    assert!(s.complete(&l, &retry).await.expect("complete"));
    assert!(
        s.lease("b", &kinds, long).await.expect("lease").is_none(),
        "not yet due"
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    let l2 = s
        .lease("b", &kinds, Duration::from_millis(200))
        .await
        .expect("lease")
        .expect("due again");
    assert_eq!(l2.attempt, 2);
    // b dies: its lease expires and c takes the job over.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let l3 = s.lease("c", &kinds, long).await.expect("lease").expect("taken over");
    assert_eq!((l3.job_id, l3.attempt), (id, 3));
    // The dead holder's late completion is refused; the live one counts.
    assert!(!s.complete(&l2, &Outcome::Done).await.expect("complete"));
    assert!(s.renew(&l3, long).await.expect("renew"));
    assert!(!s.renew(&l2, long).await.expect("renew"));
    assert!(s.complete(&l3, &Outcome::Done).await.expect("complete"));
    let st = s.job_states("probe").await.expect("states");
    assert_eq!(st.len(), 1);
    assert_eq!(
        (st[0].state.as_str(), st[0].completions, st[0].attempts),
        ("done", 1, 3)
    );
    // A dedupe key admits one queued job at a time.
    let mut j = NewJob::new("probe", serde_json::json!({}));
    j.dedupe_key = Some("nguon-1".into());
    assert!(s.enqueue(&j).await.expect("enqueue").is_some());
    assert!(s.enqueue(&j).await.expect("enqueue").is_none());
    // Spent attempts end in failure, not in another retry.
    let mut f = NewJob::new("flaky", serde_json::json!({}));
    f.max_attempts = 1;
    s.enqueue(&f).await.expect("enqueue");
    let l = s
        .lease("a", &["flaky".into()], long)
        .await
        .expect("lease")
        .expect("job");
    assert!(s.complete(&l, &retry).await.expect("complete"));
    let st = s.job_states("flaky").await.expect("states");
    assert_eq!(st[0].state, "failed");
    assert_eq!(st[0].last_error.as_deref(), Some("mạng lỗi"));
    let counts = s.job_counts().await.expect("counts");
    assert!(counts
        .iter()
        .any(|c| c.kind == "flaky" && c.state == "failed" && c.count == 1));
    // Workers announce themselves.
    let w = WorkerInfo {
        id: "w1".into(),
        host: "may".into(),
        pid: 1,
        kinds: kinds.clone(),
        started_at: Timestamp::now(),
    };
    s.worker_heartbeat(&w).await.expect("heartbeat");
    assert_eq!(s.workers_alive(Duration::from_secs(5)).await.expect("alive"), 1);
    // A garbage kind name is refused.
    assert!(s.enqueue(&NewJob::new("", serde_json::json!({}))).await.is_err());
}

async fn jobs_leased_by_many_nodes_complete_once(h: &Harness) {
    use std::time::Duration;
    let s = &h.store;
    for i in 0..60 {
        s.enqueue(&NewJob::new("probe", serde_json::json!({ "i": i })))
            .await
            .expect("enqueue");
    }
    let mut tasks = Vec::new();
    for node in 0..3 {
        let other = h.reopen().await;
        tasks.push(tokio::spawn(async move {
            let kinds = vec!["probe".to_owned()];
            let holder = format!("node-{node}");
            let mut done = 0;
            while let Some(l) = other
                .lease(&holder, &kinds, Duration::from_secs(30))
                .await
                .expect("lease")
            {
                if other.complete(&l, &Outcome::Done).await.expect("complete") {
                    done += 1;
                }
            }
            other.close().await;
            done
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.expect("task");
    }
    assert_eq!(total, 60);
    let st = s.job_states("probe").await.expect("states");
    assert!(st
        .iter()
        .all(|j| j.state == "done" && j.completions == 1 && j.attempts == 1));
}

async fn unknown_kinds_and_bad_rows_are_errors(h: &Harness) {
    let s = &h.store;
    s.import(&actor(), &seed()).await.expect("import");
    // A stored value the record type refuses is an error, never a default.
    h.tamper(&[("UPDATE topics SET ordinal = -5 WHERE \"key\" = 'PCTP'", vec![])])
        .await;
    let err = s.list::<Topic>(&ListQuery::default()).await.expect_err("corrupt row");
    assert!(matches!(err, StoreError::Corrupt(_)), "{err}");
    // An audit entry naming a kind nobody declared is an error too.
    h.tamper(&[("UPDATE audit_log SET kind = 'khong_co' WHERE seq = 1", vec![])])
        .await;
    let first = AuditQuery {
        before_seq: Some(2),
        ..Default::default()
    };
    let err = s.audit(&first).await.expect_err("unknown kind");
    assert!(err.to_string().contains("khong_co"), "{err}");
}

async fn health_checks_answer(h: &Harness) {
    h.store.ping().await.expect("ping");
    let (applied, known) = h.store.schema_versions().await.expect("versions");
    assert_eq!(applied, known);
    assert!(known >= 7);
}

async fn worklists_are_queries(h: &Harness) {
    let s = &h.store;
    s.import(&actor(), &seed()).await.expect("import");
    let case = s
        .list::<Case>(&ListQuery::default())
        .await
        .expect("cases")
        .into_iter()
        .next()
        .expect("a case");
    let check = |url: &str, at: &str, next: Option<&str>| TakedownCheck {
        case: case.record.code.clone(),
        url: Text::lit(url),
        checked_at: Timestamp::parse(at).unwrap(),
        result: TakedownResult::StillOnline,
        checked_by: Text::lit("Người kiểm tra"),
        next_check_on: next.map(|d| Date::parse(d).unwrap()),
        evidence: None,
        note: None,
    };
    let before = s
        .due_rechecks(Date::parse("01/01/2030").unwrap(), 100)
        .await
        .expect("due")
        .len();
    // Link A: an old check asked for a re-check, a newer one did not → not due.
    s.create(
        &actor(),
        &check("https://a.vn/1", "2029-01-01T00:00:00Z", Some("02/01/2029")),
    )
    .await
    .expect("a1");
    s.create(&actor(), &check("https://a.vn/1", "2029-01-03T00:00:00Z", None))
        .await
        .expect("a2");
    // Link B: the latest check asks for 05/01/2029 → due from that day.
    s.create(
        &actor(),
        &check("https://b.vn/1", "2029-01-01T00:00:00Z", Some("03/01/2029")),
    )
    .await
    .expect("b1");
    s.create(
        &actor(),
        &check("https://b.vn/1", "2029-01-04T00:00:00Z", Some("05/01/2029")),
    )
    .await
    .expect("b2");
    let due = |d: &str| {
        let d = Date::parse(d).unwrap();
        async move { s.due_rechecks(d, 100).await.expect("due") }
    };
    assert!(due("04/01/2029")
        .await
        .iter()
        .all(|c| !c.record.url.as_str().contains(".vn/1")));
    let on5: Vec<_> = due("05/01/2029")
        .await
        .into_iter()
        .filter(|c| c.record.url.as_str().contains(".vn/1"))
        .collect();
    assert_eq!(on5.len(), 1);
    assert_eq!(on5[0].record.url.as_str(), "https://b.vn/1");
    assert_eq!(
        s.due_rechecks(Date::parse("01/01/2030").unwrap(), 100)
            .await
            .expect("due")
            .len(),
        before + 1
    );
    // Exclusions filter in the query, before the page limit.
    let open = s
        .list::<Case>(&ListQuery {
            not_in: vec![(
                "status".into(),
                vec!["closed".into(), "sanctioned".into(), "removed".into()],
            )],
            ..Default::default()
        })
        .await
        .expect("open");
    assert!(open.iter().all(|c| !matches!(
        c.record.status,
        CaseStatus::Closed | CaseStatus::Sanctioned | CaseStatus::Removed
    )));
    let all = s.list::<Case>(&ListQuery::default()).await.expect("all");
    let expected = all
        .iter()
        .filter(|c| {
            !matches!(
                c.record.status,
                CaseStatus::Closed | CaseStatus::Sanctioned | CaseStatus::Removed
            )
        })
        .count();
    assert_eq!(open.len(), expected);
    let bad = ListQuery {
        not_in: vec![("khong-co".into(), vec!["x".into()])],
        ..Default::default()
    };
    assert!(s.list::<Case>(&bad).await.is_err());
}

/// A second agency, with one outlet, one item and one case of its own.
fn second_agency() -> Dataset {
    let a: Agency = serde_json::from_value(serde_json::json!({
        "code": "so-vhttdl",
        "names": [{"name": "Sở Văn hóa, Thể thao và Du lịch", "parent_name": "UBND tỉnh Bắc Giang",
                   "symbol": "SVHTTDL", "place": "Bắc Giang"}],
        "signer": {"head_title": "Giám đốc", "position": "Giám đốc", "full_name": "Nguyễn Văn D"},
        "period_rule": "calendar"
    }))
    .expect("agency");
    let o: Outlet = serde_json::from_value(serde_json::json!({
        "code": "tap-chi-van-hoa", "name": "Tạp chí Văn hóa", "kind": "print", "level": "province"
    }))
    .expect("outlet");
    let m: MediaItem = serde_json::from_value(serde_json::json!({
        "outlet": "tap-chi-van-hoa", "kind": "article", "title": "Văn hóa học đường phòng, chống ma túy",
        "published_on": "2024-03-01", "topics": ["PCMT"]
    }))
    .expect("item");
    let c: Case = serde_json::from_value(serde_json::json!({
        "code": "VH-2024-01", "title": "Bài đăng sai sự thật về lễ hội", "platform": "facebook",
        "account": "@taikhoan_d", "summary": "Thông tin sai sự thật", "category": "false_information",
        "status": "new", "opened_on": "2024-04-02"
    }))
    .expect("case");
    Dataset {
        agencies: vec![a],
        // Shared: the same topics as the seed's.
        topics: seed().topics,
        outlets: vec![o],
        media_items: vec![m],
        cases: vec![c],
        ..Default::default()
    }
}

async fn two_agencies_in_one_store_see_only_their_own(h: &Harness) {
    // The second agency first: the order of creation must not matter.
    let b = h.store.scoped("so-vhttdl");
    b.import(&actor(), &second_agency()).await.expect("second agency");
    let a = h.store.scoped("stttt-bacgiang");
    a.import(&actor(), &seed()).await.expect("seed");
    let range = Period::Half(2024, 1).range(PeriodRule::National);
    // Each agency's figures are exactly its own.
    let fa = a.summary(range).await.expect("a");
    assert_eq!((fa.directives, fa.inspections, fa.fine_total.get()), (6, 5, 19_500_000));
    assert_eq!(fa.items, a.summary(range).await.expect("again").items);
    let fb = b.summary(range).await.expect("b");
    assert_eq!(
        (fb.directives, fb.inspections, fb.fine_total.get(), fb.cases_opened),
        (0, 0, 0, 1)
    );
    assert_eq!(fb.items, 1);
    assert_eq!(b.item_counts(range).await.expect("counts").len(), 1);
    assert_eq!(b.item_ids(range, None, &[], None).await.expect("ids").len(), 1);
    let all = h.store.summary(range).await.expect("all");
    assert_eq!(all.items, fa.items + fb.items, "the installation sees both");
    // Lists, gets, counts, search and exports stay inside.
    let b_cases = b.list::<Case>(&ListQuery::default()).await.expect("cases");
    assert_eq!(b_cases.len(), 1);
    let a_case = a.list::<Case>(&ListQuery::default()).await.expect("a cases").remove(0);
    assert!(b.get::<Case>(a_case.id).await.expect("get").is_none());
    assert!(b.get_by_key::<Case>(&a_case.key).await.expect("by key").is_none());
    assert!(b.get_many::<Case>(&[a_case.id]).await.expect("many").is_empty());
    assert_eq!(b.count(RecordKind::Case).await.expect("count"), 1);
    let q = ListQuery {
        search: Some("ma tuy".into()),
        ..Default::default()
    };
    assert_eq!(b.list::<MediaItem>(&q).await.expect("search").len(), 1);
    let exported = b.export().await.expect("export");
    assert_eq!(exported.agencies.len(), 1);
    assert_eq!(exported.cases.len(), 1);
    assert!(exported.directives.is_empty() && exported.users.is_empty());
    assert_eq!(exported.topics.len(), 3, "shared kinds travel with every agency");
    // Changes across the line are refused as if the record did not exist.
    let mut edited = a_case.record.clone();
    edited.title = Text::lit("Sửa trộm");
    assert!(matches!(
        b.update(&actor(), a_case.id, None, &edited).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        b.delete::<Case>(&actor(), a_case.id).await,
        Err(StoreError::NotFound { .. })
    ));
    // Nobody refers into another agency.
    let mut stolen = second_agency().media_items.remove(0);
    stolen.outlet = Code::lit("bao-bac-giang");
    stolen.title = Text::lit("Tin gắn vào cơ quan báo chí của cơ quan khác");
    assert!(matches!(
        b.create(&actor(), &stolen).await,
        Err(StoreError::MissingReference { .. })
    ));
    assert_eq!(
        a.get::<Case>(a_case.id).await.expect("a").expect("kept").record,
        a_case.record
    );
    // The audit trail is read per agency; the chain stays whole.
    let trail = b.audit(&AuditQuery::default()).await.expect("audit");
    assert!(!trail.is_empty());
    assert!(trail.iter().all(|e| e.record_key != a_case.key));
    assert!(h.store.verify_audit().await.expect("verify").broken_at.is_none());
    // Unscoped, a store of several agencies asks whose a new record is.
    let err = h.store.create(&actor(), &second_agency().outlets.remove(0)).await;
    assert!(err.is_err());
    // One agency's administrator cannot revoke another agency's API token.
    let user = User {
        username: Code::lit("may-thu-thap"),
        full_name: Text::lit("Máy thu thập"),
        role: Role::Editor,
        password_hash: None,
        email: None,
        active: true,
        must_change_password: false,
    };
    a.create(&actor(), &user).await.expect("user of a");
    let token = canhgiac_store::ApiToken {
        name: "thu thap".into(),
        username: "may-thu-thap".into(),
        scopes: vec!["ingest".into()],
        created_at: Timestamp::now(),
        expires_at: None,
        revoked: false,
    };
    a.token_create("ma-cua-a", &token).await.expect("token");
    let hash = canhgiac_secrets::hash_secret("ma-cua-a");
    assert!(!b.token_revoke(&hash).await.expect("revoke"), "refused across agencies");
    assert!(a.token_get("ma-cua-a").await.expect("get").is_some(), "still valid");
    assert!(a.token_revoke(&hash).await.expect("revoke"));
    assert!(a.token_get("ma-cua-a").await.expect("get").is_none());
}

/// A store as the build before ownership left it (schema 8, one agency
/// with an outlet and an audit entry), opened by this build: every record
/// becomes the agency's.
async fn an_older_store_gives_its_records_to_its_one_agency(h: &Harness) {
    use canhgiac_store::db::{Pool, Value as V};
    let old_schema = h
        .pg_schema
        .as_ref()
        .map(|(url, _)| (url.clone(), format!("old_{}", rand::random::<u64>())));
    let pool = match &old_schema {
        Some((url, schema)) => {
            let admin = Pool::connect_postgres(url, None).await.expect("admin");
            let mut tx = admin.begin().await.expect("begin");
            tx.exec(&format!("CREATE SCHEMA {schema}"), &[]).await.expect("schema");
            tx.commit().await.expect("commit");
            admin.close().await;
            Pool::connect_postgres(url, Some(schema)).await.expect("pool")
        }
        None => {
            let dir = h._dir.as_ref().expect("dir").path().join("cu");
            std::fs::create_dir_all(&dir).expect("dir");
            Pool::connect_sqlite(&dir.join("canhgiac.sqlite")).await.expect("pool")
        }
    };
    canhgiac_store::schema::migrate_to(&pool, 8).await.expect("schema 8");
    let now = "2024-06-01T00:00:00.000000Z";
    let mut tx = pool.begin().await.expect("begin");
    tx.exec(
        "INSERT INTO agencies (\"key\", version, created_at, updated_at, search, code, names, signer, recipients, period_rule, heading_case) \
         VALUES ($1, 1, $2, $2, '', $1, $3, $4, '[]', 'calendar', 'sentence')",
        &[
            V::from("so-cu"),
            V::from(now),
            V::from(r#"[{"name":"Sở Thông tin và Truyền thông","parent_name":"UBND tỉnh","symbol":"STTTT","place":"Bắc Giang"}]"#),
            V::from(r#"{"head_title":"Giám đốc","position":"Giám đốc","full_name":"Nguyễn Văn A"}"#),
        ],
    )
    .await
    .expect("agency");
    tx.exec(
        "INSERT INTO outlets (\"key\", version, created_at, updated_at, search, code, name, kind, level, feeds, active) \
         VALUES ('bao-cu', 1, $1, $1, 'bao cu', 'bao-cu', 'Báo cũ', 'print', 'province', '[]', TRUE)",
        &[V::from(now)],
    )
    .await
    .expect("outlet");
    tx.commit().await.expect("commit");
    pool.close().await;
    let store = match &old_schema {
        Some((url, schema)) => SqlStore::open_postgres(url, Some(schema)).await.expect("open"),
        None => SqlStore::open_sqlite(&h._dir.as_ref().expect("dir").path().join("cu"))
            .await
            .expect("open"),
    };
    let mine = store.scoped("so-cu");
    assert_eq!(mine.list::<Outlet>(&ListQuery::default()).await.expect("list").len(), 1);
    assert_eq!(mine.list::<Agency>(&ListQuery::default()).await.expect("list").len(), 1);
    assert!(store
        .scoped("khac")
        .list::<Outlet>(&ListQuery::default())
        .await
        .expect("list")
        .is_empty());
    // The references rebuilt by the later migrations hold: an item names
    // the old outlet, which then cannot be deleted from under it.
    let item: MediaItem = serde_json::from_value(serde_json::json!({
        "outlet": "bao-cu", "kind": "article", "title": "Tin sau nâng cấp", "published_on": "2024-03-02"
    }))
    .expect("item");
    mine.create(&actor(), &item).await.expect("item at the old outlet");
    let outlet = mine.get_by_key::<Outlet>("bao-cu").await.expect("get").expect("outlet");
    assert!(matches!(
        mine.delete::<Outlet>(&actor(), outlet.id).await,
        Err(StoreError::InUse { .. })
    ));
    store.close().await;
    if let Some((url, schema)) = old_schema {
        let admin = Pool::connect_postgres(&url, None).await.expect("admin");
        let mut tx = admin.begin().await.expect("begin");
        tx.exec(&format!("DROP SCHEMA {schema} CASCADE"), &[])
            .await
            .expect("drop");
        tx.commit().await.expect("commit");
        admin.close().await;
    }
}

/// PostgreSQL's row-level security holds even for a query that forgets its
/// owner filter: run raw, as the application's role, inside a store acting
/// for one agency. Without an acting agency the installation sees all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_row_level_security_is_a_second_line() {
    let Some(h) = Harness::postgres().await else { return };
    h.store
        .scoped("so-vhttdl")
        .import(&actor(), &second_agency())
        .await
        .expect("second agency");
    h.store
        .scoped("stttt-bacgiang")
        .import(&actor(), &seed())
        .await
        .expect("seed");
    let count = |s: SqlStore, sql: &'static str| async move {
        let rows = s.pool().rows(sql, &[], &[Ty::Int]).await.expect("query");
        rows[0][0].as_i64().expect("count")
    };
    let all = count(h.store.clone(), "SELECT COUNT(*) FROM cases").await;
    let b = h.store.scoped("so-vhttdl");
    let seen = count(b.clone(), "SELECT COUNT(*) FROM cases").await;
    assert_eq!(seen, 1, "no WHERE clause, yet only its own case");
    assert!(all > seen);
    assert_eq!(count(b.clone(), "SELECT COUNT(*) FROM media_items").await, 1);
    assert_eq!(
        count(
            b.clone(),
            "SELECT COUNT(*) FROM audit_log WHERE owner = 'stttt-bacgiang'"
        )
        .await,
        0
    );
    // The agency tree is shared; other agencies' rows are not writable.
    assert_eq!(count(b.clone(), "SELECT COUNT(*) FROM agencies").await, 2);
    let mut tx = b.pool().begin().await.expect("begin");
    let changed = tx
        .exec(
            "UPDATE cases SET title = 'sửa trộm' WHERE owner = 'stttt-bacgiang'",
            &[],
        )
        .await
        .expect("update runs");
    assert_eq!(changed, 0, "another agency's rows are invisible to UPDATE");
    let err = tx
        .exec(
            "INSERT INTO plan_items (\"key\", created_at, updated_at, agency, period, ordinal, \"text\", topics, owner) \
             VALUES ('x', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z', 'stttt-bacgiang', '2024-H2', 1, 'x', '[]', 'stttt-bacgiang')",
            &[],
        )
        .await;
    let err = err.expect_err("a row for another agency is refused").to_string();
    assert!(err.contains("row-level security"), "{err}");
    drop(tx);
    // A secret signing key is its agency's alone; public keys are for all.
    let (secret, public) = canhgiac_secrets::signing::generate_keypair();
    h.store
        .scoped("stttt-bacgiang")
        .key_register(&actor(), "stttt-bacgiang", &public, Some(&secret))
        .await
        .expect("key");
    assert_eq!(count(b.clone(), "SELECT COUNT(*) FROM agency_signing_keys").await, 0);
    assert_eq!(
        count(b.clone(), "SELECT COUNT(*) FROM agency_keys").await,
        1,
        "public keys are for all"
    );
    assert!(b.signing_secret("stttt-bacgiang").await.expect("secret").is_none());
    assert!(!b.keys("stttt-bacgiang").await.expect("keys")[0].can_sign);
    assert_eq!(
        count(h.store.clone(), "SELECT COUNT(*) FROM agency_signing_keys").await,
        1
    );
    h.finish().await;
}

/// Natural keys are unique per agency: a second agency may track an outlet
/// of the same code, open a case of the same code, and its items count
/// only for it; references stay within the agency, down to the database.
async fn the_same_codes_in_two_agencies_do_not_collide(h: &Harness) {
    let a = h.store.scoped("stttt-bacgiang");
    a.import(&actor(), &seed()).await.expect("seed");
    let b = h.store.scoped("so-vhttdl");
    b.import(&actor(), &second_agency()).await.expect("second agency");
    let range = Period::Half(2024, 1).range(PeriodRule::National);
    let a_before = a.summary(range).await.expect("a");
    let a_counts = a.item_counts(range).await.expect("a counts");
    let a_outlet = a
        .get_by_key::<Outlet>("bao-bac-giang")
        .await
        .expect("get")
        .expect("a's outlet");
    // The same outlet code and case code in the second agency.
    let mut own = a_outlet.record.clone();
    own.name = Text::lit("Báo Bắc Giang (bản theo dõi của Sở VHTTDL)");
    own.parent = None;
    b.create(&actor(), &own).await.expect("same outlet code, other agency");
    let a_case = a.list::<Case>(&ListQuery::default()).await.expect("cases").remove(0);
    let mut case = a_case.record.clone();
    case.title = Text::lit("Vụ việc của Sở VHTTDL");
    case.assignee = None; // a's user is not b's
    b.create(&actor(), &case).await.expect("same case code, other agency");
    // Still one per agency: a second with the same code is a conflict.
    assert!(matches!(
        b.create(&actor(), &own).await,
        Err(StoreError::Conflict { .. })
    ));
    let item: MediaItem = serde_json::from_value(serde_json::json!({
        "outlet": "bao-bac-giang", "kind": "article", "title": "Bài theo dõi của Sở VHTTDL",
        "published_on": "2024-03-02", "topics": ["PCTP"]
    }))
    .expect("item");
    b.create(&actor(), &item).await.expect("item at its own outlet");
    // Each sees its own record under the code; the figures do not mix.
    assert_eq!(
        b.get_by_key::<Outlet>("bao-bac-giang")
            .await
            .expect("get")
            .expect("b's")
            .record
            .name,
        own.name
    );
    assert_eq!(
        a.get_by_key::<Outlet>("bao-bac-giang")
            .await
            .expect("get")
            .expect("a's")
            .record,
        a_outlet.record
    );
    assert_eq!(a.summary(range).await.expect("a"), a_before);
    assert_eq!(a.item_counts(range).await.expect("a counts"), a_counts);
    let b_counts = b.item_counts(range).await.expect("b counts");
    let at_outlet: i64 = b_counts
        .iter()
        .filter(|c| c.outlet == "bao-bac-giang")
        .map(|c| c.items)
        .sum();
    assert_eq!(at_outlet, 1);
    assert_eq!(
        b.item_ids(range, Some("PCTP"), &["bao-bac-giang".to_owned()], None)
            .await
            .expect("ids")
            .len(),
        1
    );
    // The database refuses to delete b's outlet while b's item refers to it,
    // and a's records are untouched by b's attempt.
    let b_outlet = b
        .get_by_key::<Outlet>("bao-bac-giang")
        .await
        .expect("get")
        .expect("b's");
    assert!(matches!(
        b.delete::<Outlet>(&actor(), b_outlet.id).await,
        Err(StoreError::InUse { .. })
    ));
    assert_eq!(
        a.get_by_key::<Case>(&a_case.key)
            .await
            .expect("get")
            .expect("a's")
            .record,
        a_case.record
    );
}

/// An outlet several agencies track becomes one shared record: every
/// agency reads it, none changes it, each one's items and programmes stay
/// its own and keep counting for it alone; references to it hold down to
/// the database, and on PostgreSQL row-level security lets an agency read
/// it but not write it.
async fn a_shared_outlet_is_one_record_every_agency_reads(h: &Harness) {
    let a = h.store.scoped("stttt-bacgiang");
    a.import(&actor(), &seed()).await.expect("seed");
    let b = h.store.scoped("so-vhttdl");
    b.import(&actor(), &second_agency()).await.expect("second agency");
    let range = Period::Half(2024, 1).range(PeriodRule::National);
    let a_summary = a.summary(range).await.expect("a");
    let a_counts = a.item_counts(range).await.expect("a counts");
    let a_outlet = a
        .get_by_key::<Outlet>("bao-bac-giang")
        .await
        .expect("get")
        .expect("a's outlet");
    assert!(!a_outlet.shared);
    // b tracks the same newspaper on its own, with an item there.
    let mut own = a_outlet.record.clone();
    own.name = Text::lit("Báo Bắc Giang (bản của Sở VHTTDL)");
    b.create(&actor(), &own).await.expect("b's own copy");
    let item: MediaItem = serde_json::from_value(serde_json::json!({
        "outlet": "bao-bac-giang", "kind": "article", "title": "Bài theo dõi của Sở VHTTDL",
        "published_on": "2024-03-02", "topics": ["PCTP"]
    }))
    .expect("item");
    b.create(&actor(), &item).await.expect("b's item");
    let b_counts = b.item_counts(range).await.expect("b counts");

    // Only the installation shares.
    assert!(matches!(
        a.share_outlet(&actor(), "bao-bac-giang").await,
        Err(StoreError::Refused(_))
    ));
    // A sub-outlet waits for its parent.
    assert!(matches!(
        h.store.share_outlet(&actor(), "bao-bac-giang-dien-tu").await,
        Err(StoreError::Refused(_))
    ));
    let done = h.store.share_outlet(&actor(), "bao-bac-giang").await.expect("share");
    assert_eq!(done.agencies, vec!["stttt-bacgiang".to_owned(), "so-vhttdl".to_owned()]);
    assert!(done.references >= 2, "a's sub-outlet and items, b's item: {done:?}");
    assert!(matches!(
        h.store.share_outlet(&actor(), "bao-bac-giang").await,
        Err(StoreError::Refused(_))
    ));
    h.store
        .share_outlet(&actor(), "bao-bac-giang-dien-tu")
        .await
        .expect("the sub-outlet, once its parent is shared");

    // One record, the first agency's version, read by both.
    for s in [&a, &b] {
        let o = s
            .get_by_key::<Outlet>("bao-bac-giang")
            .await
            .expect("get")
            .expect("shared outlet");
        assert!(o.shared);
        assert_eq!(o.record, a_outlet.record);
        let listed = s.list::<Outlet>(&ListQuery::default()).await.expect("list");
        assert_eq!(listed.iter().filter(|o| o.key == "bao-bac-giang").count(), 1);
    }
    // The figures of each agency are exactly what they were.
    assert_eq!(a.summary(range).await.expect("a"), a_summary);
    assert_eq!(a.item_counts(range).await.expect("a counts"), a_counts);
    assert_eq!(b.item_counts(range).await.expect("b counts"), b_counts);
    assert_eq!(
        b.item_ids(range, Some("PCTP"), &["bao-bac-giang".to_owned()], None)
            .await
            .expect("ids")
            .len(),
        1
    );
    // Nobody but the installation changes or removes it, and a second
    // outlet of the same code is a conflict.
    let shared = b
        .get_by_key::<Outlet>("bao-bac-giang")
        .await
        .expect("get")
        .expect("shared");
    let mut renamed = shared.record.clone();
    renamed.name = Text::lit("Đổi tên trộm");
    assert!(matches!(
        b.update(&actor(), shared.id, Some(shared.version), &renamed).await,
        Err(StoreError::SharedRecord { .. })
    ));
    assert!(matches!(
        b.delete::<Outlet>(&actor(), shared.id).await,
        Err(StoreError::SharedRecord { .. })
    ));
    let mut again = a_outlet.record.clone();
    again.name = Text::lit("Bản riêng");
    assert!(matches!(
        a.create(&actor(), &again).await,
        Err(StoreError::Conflict { .. })
    ));
    let mut ds = Dataset::default();
    ds.outlets.push(renamed.clone());
    assert!(b.import(&actor(), &ds).await.is_err(), "an import may not rewrite it");
    // Items of both agencies refer to it, so even the installation cannot
    // delete it; it can rename it for all.
    assert!(matches!(
        h.store.delete::<Outlet>(&actor(), shared.id).await,
        Err(StoreError::InUse { .. })
    ));
    h.store
        .update(&actor(), shared.id, Some(shared.version), &renamed)
        .await
        .expect("the installation renames it");
    assert_eq!(
        a.get_by_key::<Outlet>("bao-bac-giang")
            .await
            .expect("get")
            .expect("shared")
            .record
            .name,
        renamed.name
    );
    // A new item of either agency may name it; it stays that agency's.
    let mut later = item.clone();
    later.title = Text::lit("Bài sau khi dùng chung");
    let id = a.create(&actor(), &later).await.expect("a's new item");
    assert!(b.get::<MediaItem>(id).await.expect("get").is_none());
    // The exports carry the shared outlet with each agency's records, so
    // each imports elsewhere on its own.
    let exported = b.export().await.expect("export");
    assert!(exported.outlets.iter().any(|o| o.code.as_str() == "bao-bac-giang"));
    if h.pg_schema.is_some() {
        let mut tx = b.pool().begin().await.expect("begin");
        let changed = tx
            .exec("UPDATE outlets SET name = 'x' WHERE \"key\" = 'bao-bac-giang'", &[])
            .await
            .expect("update runs");
        assert_eq!(changed, 0, "row-level security: read, not write");
        let seen = tx
            .rows("SELECT COUNT(*) FROM outlets WHERE owner = ''", &[], &[Ty::Int])
            .await
            .expect("read");
        assert_eq!(seen[0][0].as_i64(), Some(2));
    }
}

/// Issue 11, item 8: no change leaves an agency that had an active
/// administrator without one — not a demotion, a lock, a deletion or an
/// import — and each agency counts its own.
async fn an_agency_keeps_an_active_administrator(h: &Harness) {
    let a = h.store.scoped("stttt-bacgiang");
    a.import(&actor(), &seed()).await.expect("seed");
    let b = h.store.scoped("so-vhttdl");
    b.import(&actor(), &second_agency()).await.expect("second agency");
    let person = |name: &str, role: Role| User {
        username: Code::lit(name),
        full_name: Text::lit("Nguyễn Văn A"),
        role,
        password_hash: None,
        email: None,
        active: true,
        must_change_password: false,
    };
    let id = a
        .create(&actor(), &person("quantri-a", Role::Admin))
        .await
        .expect("admin of a");
    b.create(&actor(), &person("quantri-b", Role::Admin))
        .await
        .expect("admin of b");
    let last = a.get::<User>(id).await.expect("get").expect("admin");
    let refused = |r: canhgiac_store::Result<()>| {
        let err = r.expect_err("refused");
        assert!(err.to_string().contains("quản trị viên cuối cùng"), "{err}");
    };
    let mut demoted = last.record.clone();
    demoted.role = Role::Viewer;
    refused(a.update(&actor(), id, Some(last.version), &demoted).await);
    let mut locked = last.record.clone();
    locked.active = false;
    refused(a.update(&actor(), id, Some(last.version), &locked).await);
    refused(a.delete::<User>(&actor(), id).await);
    let mut ds = Dataset::default();
    ds.users.push(demoted.clone());
    refused(a.import(&actor(), &ds).await.map(|_| ()));
    assert_eq!(a.get::<User>(id).await.expect("get").expect("kept").record, last.record);
    // Another agency's administrator does not count for this one.
    let b_admin = b.get_by_key::<User>("quantri-b").await.expect("get").expect("b's");
    let mut b_demoted = b_admin.record.clone();
    b_demoted.role = Role::Editor;
    refused(b.update(&actor(), b_admin.id, Some(b_admin.version), &b_demoted).await);
    // With a second administrator, the first may step down.
    a.create(&actor(), &person("quantri-a2", Role::Admin))
        .await
        .expect("second admin");
    a.update(&actor(), id, Some(last.version), &demoted)
        .await
        .expect("no longer the last");
}

/// Issue 11, item 11: the audit trail says that a password changed, never
/// the hash, and the chain still verifies.
async fn the_trail_never_keeps_a_password_hash(h: &Harness) {
    let s = &h.store;
    let first = canhgiac_secrets::hash_password("mat-khau-mot").expect("hash");
    let second = canhgiac_secrets::hash_password("mat-khau-hai").expect("hash");
    let mut user = User {
        username: Code::lit("nguoi-dung-a"),
        full_name: Text::lit("Nguyễn Văn A"),
        role: Role::Editor,
        password_hash: Some(Text::lit(&first)),
        email: None,
        active: true,
        must_change_password: false,
    };
    let id = s.create(&actor(), &user).await.expect("user");
    user.password_hash = Some(Text::lit(&second));
    s.update(&actor(), id, Some(1), &user).await.expect("new password");
    let trail = s
        .audit(&AuditQuery {
            kind: Some(RecordKind::User),
            record_id: Some(id),
            ..Default::default()
        })
        .await
        .expect("audit");
    assert_eq!(trail.len(), 2);
    let text = serde_json::to_string(&trail).expect("json");
    assert!(
        !text.contains("argon2") && !text.contains(&first) && !text.contains(&second),
        "{text}"
    );
    let update = trail.iter().find(|e| e.action == AuditAction::Update).expect("update");
    let (was, now) = (
        &update.before.as_ref().expect("before")["password_hash"],
        &update.after.as_ref().expect("after")["password_hash"],
    );
    assert!(was.as_str().expect("marker").starts_with("(đã đặt"));
    assert_ne!(was, now, "the change shows");
    assert!(s.verify_audit().await.expect("verify").broken_at.is_none());
    // The stored record keeps its hash, of course.
    let stored = s.get::<User>(id).await.expect("get").expect("user");
    assert_eq!(
        stored.record.password_hash.as_ref().map(|t| t.as_str()),
        Some(second.as_str())
    );
}

/// Monthly reports fall in the months a range reports on; stations expire
/// on the warning's edges; a station or an operator others name stays.
async fn telecom_months_station_expiries_and_references(h: &Harness) {
    let s = &h.store;
    s.import(&actor(), &seed()).await.expect("import");
    let national = ListQuery {
        date_from: Some(Date::parse("15/12/2023").expect("d")),
        date_to: Some(Date::parse("14/06/2024").expect("d")),
        limit: Some(1000),
        ..Default::default()
    };
    let months: std::collections::BTreeSet<String> = s
        .list::<SpamReport>(&national)
        .await
        .expect("list")
        .iter()
        .map(|r| r.record.month.iso())
        .collect();
    assert_eq!(
        months.into_iter().collect::<Vec<_>>(),
        ["2023-12", "2024-01", "2024-02", "2024-03", "2024-04", "2024-05"],
        "December to May: the months whose last day is in the range"
    );

    let today = Date::parse("10/01/2030").expect("d");
    let station = |code: &str, cert: Option<Date>, licence: Option<Date>| BtsStation {
        operator: Code::parse("viettel-bacgiang").expect("c"),
        code: Code::parse(code).expect("c"),
        address: Text::parse("Thôn Thử").expect("t"),
        commune: Text::parse("Xã Thử").expect("t"),
        coordinates: None,
        licence_number: None,
        licence_expires: licence,
        certificate_number: None,
        certificate_issued_on: None,
        certificate_expires: cert,
    };
    for st in [
        station("T60", Some(today.plus_days(60)), None),
        station("T59", Some(today.plus_days(59)), None),
        station("T61", Some(today.plus_days(61)), None),
        station("TQUA", Some(today.plus_days(-1)), None),
        station("TGP", Some(today.plus_days(400)), Some(today.plus_days(10))),
    ] {
        s.create(&actor(), &st).await.expect("station");
    }
    let found: Vec<String> = s
        .stations_expiring(Some(Date::parse("01/12/2029").expect("d")), today.plus_days(60), 100)
        .await
        .expect("expiring")
        .iter()
        .map(|x| x.record.code.to_string())
        .collect();
    assert_eq!(
        found,
        ["TQUA", "TGP", "T59", "T60"],
        "soonest first, 61 days out not yet"
    );

    // References hold on both engines: a station an inspection names, an
    // operator with stations.
    let subject = InspectionSubject {
        inspection: Code::parse("KT-2024-01").expect("c"),
        name: Text::parse("Trạm T60").expect("t"),
        kind: SubjectKind::Organisation,
        address: None,
        violation_found: false,
        findings: None,
        wrong_sims: None,
        station: Some(Code::parse("T60").expect("c")),
    };
    s.create(&actor(), &subject).await.expect("subject");
    let t60 = s
        .list::<BtsStation>(&ListQuery {
            filters: vec![("code".into(), "T60".into())],
            ..Default::default()
        })
        .await
        .expect("list")[0]
        .id;
    let err = s
        .delete::<BtsStation>(&actor(), t60)
        .await
        .expect_err("named by a subject");
    assert!(matches!(err, StoreError::InUse { .. }), "{err}");
    let viettel = s
        .list::<TelecomOperator>(&ListQuery {
            filters: vec![("code".into(), "viettel-bacgiang".into())],
            ..Default::default()
        })
        .await
        .expect("list")[0]
        .id;
    let err = s
        .delete::<TelecomOperator>(&actor(), viettel)
        .await
        .expect_err("has stations");
    assert!(matches!(err, StoreError::InUse { .. }), "{err}");
    let missing = BtsStation {
        operator: Code::parse("khong-co").expect("c"),
        ..station("TX", None, None)
    };
    let err = s.create(&actor(), &missing).await.expect_err("unknown operator");
    assert!(matches!(err, StoreError::MissingReference { .. }), "{err}");

    // A station list giving one code twice is refused whole, naming both rows.
    let stations_before = s.count(RecordKind::BtsStation).await.expect("count");
    let file = Dataset {
        bts_stations: vec![
            station("TDUP1", None, None),
            station("TDUP2", None, None),
            station("TDUP1", None, None),
        ],
        ..Dataset::default()
    };
    let err = s.import(&actor(), &file).await.expect_err("duplicate code");
    let msg = err.to_string();
    assert!(msg.contains("trùng khóa «TDUP1»") && msg.contains("thứ 1"), "{msg}");
    assert_eq!(
        s.count(RecordKind::BtsStation).await.expect("count"),
        stations_before,
        "nothing stored"
    );
}

/// The collector's store: a source's health beside it (per agency, gone
/// with the source), the sources due, keys and titles to dedupe against;
/// an item's original must exist and stays while copies name it.
async fn sources_keep_their_health_and_items_their_originals(h: &Harness) {
    let a = h.store.scoped("stttt-bacgiang");
    a.import(&actor(), &seed()).await.expect("seed");
    let b = h.store.scoped("so-vhttdl");
    b.import(&actor(), &second_agency()).await.expect("second agency");
    let seeded = a.list::<Source>(&ListQuery::default()).await.expect("sources");
    assert_eq!(seeded.len(), 2, "the seed's two sources");
    assert!(
        a.sources_due(Timestamp::now(), 100).await.expect("due").is_empty(),
        "neither is followed"
    );
    let mut src = seeded[0].record.clone();
    src.url = Text::parse("https://baobacgiang.vn/rss/thoi-su.rss").expect("url");
    src.active = true;
    let id = a.create(&actor(), &src).await.expect("source");
    // Never fetched: due now, with its owner.
    let due = h.store.sources_due(Timestamp::now(), 100).await.expect("due");
    assert_eq!(due, vec![(id, Some("stttt-bacgiang".to_owned()))]);
    assert!(b.sources_due(Timestamp::now(), 100).await.expect("b due").is_empty());
    let t0 = Timestamp::now();
    let mut health = SourceHealth::new(t0);
    health.succeeded(t0, 10, 10, None);
    health.etag = Some("\"v1\"".into());
    a.put_source_health(id, &health).await.expect("put");
    assert_eq!(a.source_health(&[id]).await.expect("get"), vec![(id, health.clone())]);
    assert!(
        b.source_health(&[id]).await.expect("b get").is_empty(),
        "another agency's"
    );
    assert!(b.put_source_health(id, &health).await.is_err(), "nor writes it");
    assert!(
        a.sources_due(Timestamp::now(), 100).await.expect("due").is_empty(),
        "not due for a while"
    );
    assert_eq!(
        a.sources_due(health.next_due.plus_millis(1), 100)
            .await
            .expect("due")
            .len(),
        1
    );
    health.failed(t0, Failure::Hard, "404", None);
    a.put_source_health(id, &health).await.expect("put again");
    assert_eq!(a.source_health(&[id]).await.expect("get")[0].1.failures_in_row, 1);
    // Keys and titles the collector dedupes against stay inside the agency.
    let items = a
        .list::<MediaItem>(&ListQuery {
            limit: Some(5),
            ..ListQuery::default()
        })
        .await
        .expect("items");
    let keys: Vec<String> = items
        .iter()
        .map(|i| i.key.clone())
        .chain(["khong|co".to_owned()])
        .collect();
    assert_eq!(
        a.existing_keys(RecordKind::MediaItem, &keys).await.expect("keys").len(),
        items.len()
    );
    assert!(b
        .existing_keys(RecordKind::MediaItem, &keys)
        .await
        .expect("b keys")
        .is_empty());
    let mut with_link = items[1].record.clone();
    with_link.title = Text::parse("Bài có đường dẫn").expect("t");
    with_link.url = Some(Text::parse("https://baobacgiang.vn/bai/1").expect("url"));
    let link_id = a.create(&actor(), &with_link).await.expect("item with a link");
    let asked = vec![
        "https://baobacgiang.vn/bai/1".to_owned(),
        "https://khong-co.vn/bai".to_owned(),
    ];
    assert_eq!(
        a.items_with_urls(&asked)
            .await
            .expect("urls")
            .into_iter()
            .collect::<Vec<_>>(),
        ["https://baobacgiang.vn/bai/1"]
    );
    assert!(b.items_with_urls(&asked).await.expect("b urls").is_empty());
    // What a collector writes: the new ones; an existing key stays as it is.
    let mut again = with_link.clone();
    again.title = Text::parse("Tiêu đề khác từ nguồn tin").expect("t");
    let mut fresh = with_link.clone();
    fresh.url = Some(Text::parse("https://baobacgiang.vn/bai/2").expect("url"));
    let data = Dataset {
        media_items: vec![again, fresh],
        ..Dataset::default()
    };
    let done = a.import_new(&actor(), &data).await.expect("import new");
    assert_eq!(
        (done.total_created(), done.total_updated(), done.total_unchanged()),
        (1, 0, 1)
    );
    let kept = a.get::<MediaItem>(link_id).await.expect("get").expect("item");
    assert_eq!(kept.record.title.as_str(), "Bài có đường dẫn", "never overwritten");
    assert_eq!(kept.version, 1);
    let second = a
        .get_by_key::<MediaItem>(&data.media_items[1].key())
        .await
        .expect("by key")
        .expect("created");
    a.delete::<MediaItem>(&actor(), second.id).await.expect("delete");
    a.delete::<MediaItem>(&actor(), link_id).await.expect("delete");
    let first = &items[0].record;
    let titles = a
        .item_titles(
            first.outlet.as_str(),
            &[fold(first.title.as_str()), "khong co".into()],
            first.published_on,
            first.published_on,
        )
        .await
        .expect("titles");
    assert!(titles
        .iter()
        .any(|(t, d)| t == first.title.as_str() && *d == first.published_on));
    assert!(a
        .item_titles(
            first.outlet.as_str(),
            &["khong co".into()],
            first.published_on,
            first.published_on
        )
        .await
        .expect("other titles")
        .is_empty());
    // A row stored before the folded title was kept is read whatever its
    // title, until the rebuild gives it one.
    h.tamper(&[(
        "UPDATE media_items SET title_key = NULL WHERE id = $1",
        vec![Value::Int(items[0].id)],
    )])
    .await;
    let unkept = a
        .item_titles(
            first.outlet.as_str(),
            &["khong co".into()],
            first.published_on,
            first.published_on,
        )
        .await
        .expect("unkept titles");
    assert_eq!(unkept.len(), 1);
    assert!(
        canhgiac_store::fulltext::FullText::refresh_search_text(&a)
            .await
            .expect("refresh")
            >= 1
    );
    assert!(a
        .item_titles(
            first.outlet.as_str(),
            &["khong co".into()],
            first.published_on,
            first.published_on
        )
        .await
        .expect("kept again")
        .is_empty());
    assert!(b
        .item_titles(
            first.outlet.as_str(),
            &[fold(first.title.as_str())],
            first.published_on,
            first.published_on
        )
        .await
        .expect("b titles")
        .is_empty());
    // A copy names an existing original, which then stays.
    let mut copy = first.clone();
    copy.title = Text::parse("Bản đăng lại trên báo in").expect("t");
    copy.url = None;
    copy.duplicate_of = Some(Text::parse("khong-co|bai").expect("t"));
    assert!(matches!(
        a.create(&actor(), &copy).await,
        Err(StoreError::MissingReference { .. })
    ));
    copy.duplicate_of = Some(Text::parse(&items[0].key).expect("t"));
    let copy_id = a.create(&actor(), &copy).await.expect("copy");
    assert!(matches!(
        a.delete::<MediaItem>(&actor(), items[0].id).await,
        Err(StoreError::InUse { .. })
    ));
    a.delete::<MediaItem>(&actor(), copy_id).await.expect("the copy goes");
    a.delete::<MediaItem>(&actor(), items[0].id)
        .await
        .expect("then the original");
    // The health goes with its source.
    a.delete::<Source>(&actor(), id).await.expect("delete source");
    assert!(h.store.source_health(&[id]).await.expect("gone").is_empty());
}

fn watch_rule(name: &str, query: &str) -> WatchRule {
    WatchRule {
        name: Text::parse(name).expect("name"),
        query: Text::parse(query).expect("query"),
        active: true,
        webhook: None,
        note: None,
    }
}

async fn watch_matches_are_kept_once_per_agency_and_reviewed(h: &Harness) {
    use canhgiac_store::{HitQuery, NewHit, Watch};
    let a = h.store.scoped("stttt-bacgiang");
    a.import(&actor(), &seed()).await.expect("seed");
    let b = h.store.scoped("so-vhttdl");
    b.import(&actor(), &second_agency()).await.expect("second agency");
    // A rule that does not parse is refused, in Vietnamese, naming the field.
    let bad = a.create(&actor(), &watch_rule("Hỏng", "\"ma túy")).await;
    assert!(
        matches!(&bad, Err(StoreError::Invalid { errors, .. }) if errors.to_string().contains("ngoặc kép")),
        "{bad:?}"
    );
    let ra = a
        .create(&actor(), &watch_rule("Ma túy", "ma tuy"))
        .await
        .expect("rule a");
    // The same name in another agency is another rule.
    let rb = b
        .create(&actor(), &watch_rule("Ma túy", "ma tuy"))
        .await
        .expect("rule b");
    let mut off = watch_rule("Tắt", "cờ bạc");
    off.active = false;
    a.create(&actor(), &off).await.expect("inactive rule");
    let all = h.store.active_rules().await.expect("rules");
    assert_eq!(
        all.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![ra, rb],
        "active rules only"
    );
    assert_eq!(all[0].owner.as_deref(), Some("stttt-bacgiang"));
    assert_eq!(a.active_rules().await.expect("a's").len(), 1, "an agency loads its own");

    let item_of = |s: &SqlStore| {
        let s = s.clone();
        async move {
            s.list::<MediaItem>(&ListQuery {
                limit: Some(1),
                ..ListQuery::default()
            })
            .await
            .expect("items")[0]
                .id
        }
    };
    let (ia, ib) = (item_of(&a).await, item_of(&b).await);

    // The mark starts where the first reader puts it, and moves only from
    // where a reader found it.
    assert_eq!(h.store.watch_mark().await.expect("mark"), None);
    assert_eq!(h.store.watch_record(None, 10, &[]).await.expect("start"), Some(vec![]));
    assert_eq!(h.store.watch_record(None, 11, &[]).await.expect("twice"), None);
    assert_eq!(h.store.watch_mark().await.expect("mark"), Some(10));
    let hits = [
        NewHit { rule: ra, item: ia },
        // A rule never matches another agency's item.
        NewHit { rule: ra, item: ib },
        NewHit { rule: rb, item: ib },
    ];
    assert_eq!(
        h.store.watch_record(Some(9), 12, &hits).await.expect("stale"),
        None,
        "a stale reader writes nothing"
    );
    let new = h
        .store
        .watch_record(Some(10), 12, &hits)
        .await
        .expect("record")
        .expect("moved");
    assert_eq!(new.len(), 2, "{new:?}");
    assert_eq!(
        h.store.watch_record(Some(12), 13, &hits).await.expect("again"),
        Some(vec![]),
        "a match is kept once"
    );
    assert_eq!(h.store.watch_mark().await.expect("mark"), Some(13));

    let (mine, total) = a
        .watch_hits(&HitQuery {
            limit: 50,
            ..HitQuery::default()
        })
        .await
        .expect("a's hits");
    assert_eq!(total, 1);
    assert_eq!((mine[0].rule, mine[0].item, mine[0].status), (ra, ia, HitStatus::New));
    assert_eq!(mine[0].rule_name, "Ma túy");
    let (theirs, _) = b
        .watch_hits(&HitQuery {
            limit: 50,
            ..HitQuery::default()
        })
        .await
        .expect("b's hits");
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0].title, "Văn hóa học đường phòng, chống ma túy");
    assert!(
        a.watch_hits_by_id(&[theirs[0].id]).await.expect("by id").is_empty(),
        "another agency's match is not seen"
    );
    assert!(
        !a.watch_review(theirs[0].id, HitStatus::Dismissed, None, "tester")
            .await
            .expect("review"),
        "nor reviewed"
    );
    // Only the moves a match can make from where it stands: claimed for a
    // case, then given its code, once.
    let review = |to: HitStatus, key: Option<&'static str>, by: &'static str| {
        let a = a.clone();
        let id = mine[0].id;
        async move { a.watch_review(id, to, key, by).await.expect("review") }
    };
    assert!(
        !review(HitStatus::Case, Some("VV-2024-09"), "tester").await,
        "a code before the claim"
    );
    assert!(review(HitStatus::Case, None, "tester").await, "the claim");
    assert!(
        !review(HitStatus::Case, None, "other").await,
        "of two clicks, one claims"
    );
    assert!(review(HitStatus::Case, Some("VV-2024-09"), "tester").await, "its code");
    for (to, key) in [
        (HitStatus::Case, Some("VV-2024-10")),
        (HitStatus::Dismissed, None),
        (HitStatus::New, None),
    ] {
        assert!(
            !review(to, key, "tester").await,
            "a match made into a case stays so: {to:?}"
        );
    }
    let (reviewed, _) = a
        .watch_hits(&HitQuery {
            status: Some(HitStatus::Case),
            limit: 50,
            ..HitQuery::default()
        })
        .await
        .expect("reviewed");
    assert_eq!(reviewed[0].case_key.as_deref(), Some("VV-2024-09"));
    assert_eq!(reviewed[0].reviewed_by.as_deref(), Some("tester"));
    assert!(reviewed[0].reviewed_at.is_some());
    let (waiting, n) = a
        .watch_hits(&HitQuery {
            status: Some(HitStatus::New),
            limit: 50,
            ..HitQuery::default()
        })
        .await
        .expect("waiting");
    assert_eq!((waiting.len(), n), (0, 0));

    // A match goes with its rule.
    a.delete::<WatchRule>(&actor(), ra).await.expect("delete rule");
    assert_eq!(
        a.watch_hits(&HitQuery {
            limit: 50,
            ..HitQuery::default()
        })
        .await
        .expect("after")
        .1,
        0
    );
    assert_eq!(
        b.watch_hits(&HitQuery {
            limit: 50,
            ..HitQuery::default()
        })
        .await
        .expect("b after")
        .1,
        1
    );
}

/// Generated items of one outlet: every third featured, topics in turn,
/// days across the half-year, every tenth a copy of the item before it
/// (a reference inside the same batch).
fn generated_items(outlet: &str, n: usize) -> Vec<MediaItem> {
    let topics = ["PCTP", "PCMT", "PCMBN"];
    let mut out: Vec<MediaItem> = Vec::with_capacity(n);
    for i in 0..n {
        let day = Date::from_ymd(2024, 1 + (i % 5) as u32, 1 + (i % 28) as u32).unwrap();
        let mut topics_of = vec![Code::lit(topics[i % 3])];
        if i % 4 == 0 {
            topics_of.push(Code::lit(topics[(i + 1) % 3]));
        }
        let duplicate_of = (i % 10 == 9).then(|| Text::lit(&out[i - 1].key()));
        out.push(MediaItem {
            outlet: Code::lit(outlet),
            programme: None,
            kind: ItemKind::Article,
            title: Text::lit(&format!("Tin thử lô số {i}: phòng chống ma túy")),
            url: (i % 2 == 0).then(|| Text::lit(&format!("https://example.vn/lo/{i}?utm_source=x"))),
            published_on: day,
            published_at: None,
            topics: topics_of,
            featured: i % 3 == 0,
            summary: None,
            body: None,
            duplicate_of,
            source: ItemSource::Manual,
            author: None,
            fetch_note: None,
            classification: None,
        });
    }
    out
}

async fn a_batch_import_writes_what_one_by_one_writes(h: &Harness) {
    let s = &h.store;
    let mut d = seed();
    // Two outlets of their own, so their counts are the test's alone.
    for code in ["lo-mot", "lo-hai"] {
        let mut o = d.outlets[0].clone();
        o.code = Code::lit(code);
        o.name = Text::lit(&format!("Báo thử {code}"));
        d.outlets.push(o);
    }
    s.import(&actor(), &d).await.expect("seed");
    let before = audit_len(s).await;
    // More than two statements' worth, so the batches and their edges show.
    let n = 1_234;
    let batched = generated_items("lo-mot", n);
    let single = generated_items("lo-hai", n);
    let d = Dataset {
        media_items: batched.clone(),
        ..Dataset::default()
    };
    let summary = s.import(&actor(), &d).await.expect("batch import");
    assert_eq!(summary.total_created(), n);
    for item in &single {
        s.create(&actor(), item).await.expect("one by one");
    }
    // One audit entry per record, the chain whole.
    let check = s.verify_audit().await.expect("verify");
    assert_eq!(check.broken_at, None);
    assert_eq!(check.entries, before + 2 * n as i64);
    // The records read back as written, and their entries hold them.
    for item in batched.iter().step_by(97) {
        let stored = s
            .get_by_key::<MediaItem>(&item.key())
            .await
            .expect("get")
            .expect("stored");
        assert_eq!(&stored.record, item);
        let entries = s
            .audit(&AuditQuery {
                kind: Some(RecordKind::MediaItem),
                record_id: Some(stored.id),
                ..AuditQuery::default()
            })
            .await
            .expect("audit");
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].action, AuditAction::Create);
        assert_eq!(entries[0].after, Some(serde_json::to_value(item).unwrap()));
    }
    // The derived rows and counts agree with the record-by-record path's.
    let range = Period::Half(2024, 1).range(PeriodRule::National);
    let counts = s.item_counts(range).await.expect("counts");
    let of = |outlet: &str| {
        let mut v: Vec<(String, String, i64)> = counts
            .iter()
            .filter(|c| c.outlet == outlet)
            .map(|c| (c.topic.clone(), c.month.clone(), c.items))
            .collect();
        v.sort();
        v
    };
    assert!(!of("lo-hai").is_empty());
    assert_eq!(of("lo-mot"), of("lo-hai"));
    for topic in ["PCTP", "PCMT", "PCMBN"] {
        let ids = |outlet: &str| {
            let outlet = outlet.to_owned();
            async move {
                let all = s.item_ids(range, Some(topic), &[outlet], None).await.expect("ids");
                let ours = s.get_many::<MediaItem>(&all).await.expect("items");
                ours.iter()
                    .filter(|i| i.record.title.as_str().starts_with("Tin thử lô"))
                    .count()
            }
        };
        assert_eq!(ids("lo-mot").await, ids("lo-hai").await, "{topic}");
        assert!(ids("lo-mot").await > 0);
    }
    let summary = s.summary(range).await.expect("summary");
    let originals = batched.iter().filter(|i| i.duplicate_of.is_none()).count() as i64;
    let seed_originals = seed().media_items.iter().filter(|i| i.duplicate_of.is_none()).count() as i64;
    assert_eq!(summary.items, seed_originals + 2 * originals);
    // The search text is the same too.
    for outlet in ["lo-mot", "lo-hai"] {
        let q = ListQuery {
            search: Some("tin thu lo so".into()),
            filters: vec![("outlet".into(), outlet.into())],
            ..ListQuery::default()
        };
        assert_eq!(
            s.count_matching::<MediaItem>(&q, 10_000).await.expect("count"),
            n as u64
        );
    }
    // Importing the same file again changes nothing and writes no entry.
    let again = s.import(&actor(), &d).await.expect("again");
    assert_eq!(again.total_unchanged(), n);
    assert_eq!(audit_len(s).await, before + 2 * n as i64);
}

async fn a_refused_batch_names_its_record_and_keeps_nothing(h: &Harness) {
    let s = &h.store;
    s.import(&actor(), &seed()).await.expect("seed");
    let counts = count_all(s).await;
    let audits = audit_len(s).await;
    // A rule only the database knows: the batch is refused as a whole,
    // then written one by one to find the record to blame.
    h.tamper(&[(
        "CREATE UNIQUE INDEX test_one_summary ON media_items (summary) WHERE summary = 'trùng'",
        vec![],
    )])
    .await;
    let mut items = generated_items("bao-bac-giang", 5);
    items[1].summary = Some(Text::lit("trùng"));
    items[3].summary = Some(Text::lit("trùng"));
    let d = Dataset {
        media_items: items,
        ..Dataset::default()
    };
    let err = s.import(&actor(), &d).await.unwrap_err();
    match &err {
        StoreError::AtRecord { index, .. } => assert_eq!(*index, 3, "{err}"),
        other => panic!("expected the fourth record to be named: {other}"),
    }
    assert!(err.to_string().contains("Bản ghi thứ 4"), "{err}");
    assert_eq!(count_all(s).await, counts);
    assert_eq!(audit_len(s).await, audits);
    h.tamper(&[("DROP INDEX test_one_summary", vec![])]).await;
    // Once the rule is gone the same file goes in whole.
    assert_eq!(s.import(&actor(), &d).await.expect("import").total_created(), 5);
    assert_eq!(audit_len(s).await, audits + 5);
}

/// The workflow holds whatever the path: an update, an upsert, an import.
async fn case_moves_follow_the_workflow_on_every_path(h: &Harness) {
    let s = &h.store;
    let d = seed();
    s.import(&actor(), &d).await.expect("import");
    let case = s.get_by_key::<Case>("VV-2024-04").await.expect("get").expect("present");
    assert_eq!(case.record.status, CaseStatus::EvidenceCollected);
    let today = Date::from_ymd(2024, 6, 20).expect("date");
    let refusal = |r: Result<(), StoreError>| match r {
        Err(StoreError::Invalid { errors, .. }) => errors.to_string(),
        other => panic!("expected a refusal, got {other:?}"),
    };
    let mv = |from: &Case, to, reason: Option<&str>| workflow::moved(from, to, reason.map(Text::lit), today);
    // A jump the workflow does not allow, and back to the start.
    let msg = refusal(
        s.update(&actor(), case.id, None, &mv(&case.record, CaseStatus::Removed, None))
            .await,
    );
    assert!(
        msg.contains("Không thể chuyển vụ việc từ «Đã thu thập chứng cứ» sang «Đã gỡ bỏ»"),
        "{msg}"
    );
    let msg = refusal(
        s.update(&actor(), case.id, None, &mv(&case.record, CaseStatus::New, Some("x")))
            .await,
    );
    assert!(msg.contains("Không thể chuyển"), "{msg}");
    // Sanctioned needs a decision on record: the partner's counts.
    let msg = refusal(
        s.update(&actor(), case.id, None, &mv(&case.record, CaseStatus::Sanctioned, None))
            .await,
    );
    assert!(msg.contains("Chưa có quyết định xử phạt"), "{msg}");
    let upsert = s
        .upsert(&actor(), &mv(&case.record, CaseStatus::Sanctioned, None))
        .await;
    assert!(matches!(upsert, Err(StoreError::Invalid { .. })), "{upsert:?}");
    let mut through_import = d.clone();
    through_import.cases[3] = mv(&case.record, CaseStatus::Sanctioned, None);
    let imported = s.import(&actor(), &through_import).await;
    assert!(imported.is_err(), "an import may not skip the workflow");
    let mut decision = d.sanction_decisions[0].clone();
    decision.number = Text::lit("99/QĐ-XPHC");
    decision.case = Some(Code::lit("VV-2024-04"));
    decision.issued_by_agency = false;
    s.create(&actor(), &decision).await.expect("a partner's decision");
    let sanctioned = mv(&case.record, CaseStatus::Sanctioned, None);
    s.update(&actor(), case.id, None, &sanctioned)
        .await
        .expect("sanctioned");
    // Removed needs the content seen gone: the stored check saw it online.
    let msg = refusal(
        s.update(&actor(), case.id, None, &mv(&sanctioned, CaseStatus::Removed, None))
            .await,
    );
    assert!(msg.contains("gỡ bỏ"), "{msg}");
    let mut gone = d.takedown_checks[1].clone();
    gone.checked_at = Timestamp::parse("2024-06-17T02:00:00Z").expect("t");
    gone.result = TakedownResult::Removed;
    gone.next_check_on = None;
    s.create(&actor(), &gone).await.expect("check");
    let removed = mv(&sanctioned, CaseStatus::Removed, None);
    s.update(&actor(), case.id, None, &removed).await.expect("removed");
    let closed = mv(&removed, CaseStatus::Closed, None);
    s.update(&actor(), case.id, None, &closed).await.expect("closed");
    assert!(s
        .get::<Case>(case.id)
        .await
        .expect("get")
        .expect("present")
        .record
        .closed_on
        .is_some());
    // Reopening asks for a reason.
    let msg = refusal(
        s.update(&actor(), case.id, None, &mv(&closed, CaseStatus::Verifying, None))
            .await,
    );
    assert!(msg.contains("cần ghi lý do"), "{msg}");
    let reopened = mv(&closed, CaseStatus::Verifying, Some("Tài khoản đăng lại nội dung"));
    s.update(&actor(), case.id, None, &reopened).await.expect("reopened");
    let stored = s.get::<Case>(case.id).await.expect("get").expect("present").record;
    assert_eq!(stored.status, CaseStatus::Verifying);
    assert_eq!(stored.closed_on, None);
    // Every move is in the trail, with its reason.
    let trail = s
        .audit(&AuditQuery {
            kind: Some(RecordKind::Case),
            record_id: Some(case.id),
            ..Default::default()
        })
        .await
        .expect("audit");
    let moves: Vec<&str> = trail
        .iter()
        .rev()
        .filter_map(|a| a.after.as_ref().and_then(|v| v["status"].as_str()))
        .collect();
    assert_eq!(
        moves,
        ["evidence_collected", "sanctioned", "removed", "closed", "verifying"]
    );
    assert_eq!(
        trail[0].after.as_ref().and_then(|v| v["status_reason"].as_str()),
        Some("Tài khoản đăng lại nội dung")
    );
}
