//! A steering committee and three member agencies in one store: one
//! answers on time from its records, one (a unit without records) types its
//! figures in late, one is returned and answers again. The committee's
//! report adds up exactly the approved answers, says who reported, and its
//! drill-down goes to the submissions. Runs on SQLite, and on PostgreSQL
//! when it is there (`CANHGIAC_REQUIRE_POSTGRES=1` makes it required).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)] // a failed unwrap in a test is a failed test

use std::collections::BTreeMap;

use canhgiac_domain::submission::{FigureSource, FigureValue, SubmissionSource, SubmissionStatus};
use canhgiac_domain::*;
use canhgiac_report::rollup::{self, Answer};
use canhgiac_store::prelude::*;
use canhgiac_store::{Actor, Decision, NewCall, NewSubmission, SqlStore, StoreError};

const SEED: &str = include_str!("../../../fixtures/seed-2024-h1.json");
const PARENT: &str = "bcd-pctp-bacgiang";
const SEED_AGENCY: &str = "stttt-bacgiang";
const UNIT: &str = "dai-tt-yen-the";
const THIRD: &str = "so-vhttdl-bacgiang";

async fn open_postgres() -> Option<SqlStore> {
    let required = std::env::var("CANHGIAC_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
    let url = std::env::var("CANHGIAC_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let admin = match canhgiac_store::db::Pool::connect_postgres(&url, None).await {
        Ok(p) => p,
        Err(e) if !required => {
            eprintln!("PostgreSQL unavailable at {url} ({e}); skipping (set CANHGIAC_REQUIRE_POSTGRES=1 to fail)");
            return None;
        }
        Err(e) => panic!("PostgreSQL required but unavailable at {url}: {e}"),
    };
    let schema = format!(
        "t_rollup_{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    admin.close().await;
    // As the application's role, which row-level security binds.
    let app_url = canhgiac_store::testing::app_schema(&url, &schema)
        .await
        .expect("schema");
    Some(
        SqlStore::open_postgres(&app_url, Some(&schema))
            .await
            .expect("open postgres"),
    )
}

fn agency(code: &str, name: &str, symbol: &str, parent: Option<&str>) -> Agency {
    serde_json::from_value(serde_json::json!({
        "code": code,
        "names": [{
            "name": name, "parent_name": "UBND tỉnh Bắc Giang", "symbol": symbol,
            "place": "Bắc Giang", "parent": parent
        }],
        "signer": {"head_title": "Trưởng ban", "position": "Trưởng ban", "full_name": "Nguyễn Văn A"},
        "recipients": ["Lưu VT"],
        "period_rule": "national",
        "heading_case": "sentence"
    }))
    .unwrap()
}

fn at(s: &str) -> Timestamp {
    Timestamp::parse_local(s).unwrap()
}

fn actor(name: &str) -> Actor {
    Actor::new(name, "test")
}

/// The seed agency under the committee, and two more members; the third
/// keeps a few items of its own.
async fn federation(store: &SqlStore) {
    let data = canhgiac_interchange::read_json("seed.json", SEED.as_bytes())
        .unwrap()
        .records;
    store.import(&Actor::system("test"), &data).await.unwrap();
    store
        .create(
            &Actor::system("test"),
            &agency(PARENT, "Ban Chỉ đạo phòng, chống tội phạm tỉnh Bắc Giang", "BCĐ", None),
        )
        .await
        .unwrap();
    let seed_scope = store.scoped(SEED_AGENCY);
    let mut a = seed_scope.get_by_key::<Agency>(SEED_AGENCY).await.unwrap().unwrap();
    a.record.names[0].parent = Some(Code::parse(PARENT).unwrap());
    seed_scope
        .update(&Actor::system("test"), a.id, Some(a.version), &a.record)
        .await
        .unwrap();
    for (code, name, symbol) in [
        (UNIT, "Đài Truyền thanh huyện Yên Thế", "ĐTT"),
        (THIRD, "Sở Văn hóa, Thể thao và Du lịch", "SVHTTDL"),
    ] {
        store
            .create(&Actor::system("test"), &agency(code, name, symbol, Some(PARENT)))
            .await
            .unwrap();
    }
    let third = store.scoped(THIRD);
    let own: Dataset = serde_json::from_value(serde_json::json!({
        "outlets": [{"code": "cong-tt-svhttdl", "name": "Cổng thông tin Sở VHTTDL", "kind": "portal", "level": "province", "active": true}],
        "media_items": [
            {"outlet": "cong-tt-svhttdl", "kind": "article", "title": "Tuyên truyền phòng chống ma túy học đường", "published_on": "2024-03-04", "topics": ["PCMT"], "source": "manual"},
            {"outlet": "cong-tt-svhttdl", "kind": "article", "title": "Cảnh giác lừa đảo qua mạng", "published_on": "2024-04-10", "topics": ["PCTP"], "source": "manual"}
        ]
    }))
    .unwrap();
    third.import(&Actor::system("test"), &own).await.unwrap();
}

fn call() -> NewCall {
    NewCall {
        number: "2023/BCĐ-CAT".into(),
        issued_on: Date::parse("05/06/2024").unwrap(),
        subject: "Báo cáo sơ kết công tác phòng chống tội phạm 6 tháng đầu năm 2024".into(),
        report_kind: ReportKind::HalfYear,
        period: Period::Half(2024, 1),
        deadline: Date::parse("12/06/2024").unwrap(),
        sections: vec!["chi-dao".into(), "kho-khan".into()],
        targets: vec![],
    }
}

async fn scenario(store: &SqlStore) {
    federation(store).await;
    let parent = store.scoped(PARENT);
    let c = parent.call_send(&actor("bcd"), &call()).await.unwrap();
    let asked: Vec<&str> = c.targets.iter().map(|t| t.agency.as_str()).collect();
    assert_eq!(
        asked,
        [UNIT, THIRD, SEED_AGENCY]
            .iter()
            .copied()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
    );
    assert_eq!(c.owner_name, "Ban Chỉ đạo phòng, chống tội phạm tỉnh Bắc Giang");

    // 1. The seed agency answers from its records, on time.
    let seed = store.scoped(SEED_AGENCY);
    let sections: BTreeMap<String, String> = [("chi-dao".to_owned(), "Ban hành 06 văn bản chỉ đạo".to_owned())].into();
    let a1 = rollup::answer_from_records(
        &seed,
        &actor("stttt"),
        &c,
        sections,
        &BTreeMap::new(),
        at("10/06/2024 09:00"),
        None,
    )
    .await
    .unwrap();
    assert_eq!(a1.source, SubmissionSource::Records);
    assert_eq!(a1.manifest.value("inspections"), Some(5));
    assert_eq!(a1.manifest.value("inspection-subjects"), Some(21));
    assert_eq!(a1.manifest.value("fine-total"), Some(19_500_000));
    assert!(a1.manifest.issued_report.is_some(), "the issued report travels with it");
    assert_eq!(a1.manifest.files.len(), 2);
    assert_eq!(seed.submission_files(a1.id).await.unwrap().len(), 2);
    // A member may not decide; the committee approves.
    assert!(matches!(
        seed.decide(&actor("stttt"), a1.id, &Decision::Approve).await,
        Err(StoreError::Refused(_))
    ));
    parent.decide(&actor("bcd"), a1.id, &Decision::Approve).await.unwrap();
    // An approved answer cannot be sent again.
    let again = rollup::answer_from_records(
        &seed,
        &actor("stttt"),
        &c,
        BTreeMap::new(),
        &BTreeMap::new(),
        at("11/06/2024 09:00"),
        None,
    )
    .await;
    assert!(format!("{:?}", again.unwrap_err()).contains("đã được duyệt"));

    // 2. The radio station keeps no records: it types its figures, late.
    let unit_figures = vec![
        FigureValue {
            code: "items-PCTP".into(),
            label: "Tin, bài về PCTP".into(),
            value: 25,
            records: None,
            source: FigureSource::Entered,
        },
        FigureValue {
            code: "items-PCMT".into(),
            label: "Tin, bài về PCMT".into(),
            value: 12,
            records: None,
            source: FigureSource::Entered,
        },
    ];
    let unit = store.scoped(UNIT);
    let m = rollup::manifest(
        &c,
        &actor("dtt"),
        &Answer {
            agency: UNIT.into(),
            agency_name: "Đài Truyền thanh huyện Yên Thế".into(),
            figures: unit_figures,
            sections: BTreeMap::new(),
            directives: vec![],
            notes: vec![],
            at: at("15/06/2024 08:00"),
        },
    );
    let a2 = unit
        .submit(
            &actor("dtt"),
            &NewSubmission {
                call_id: c.id,
                source: SubmissionSource::Form,
                received_at: at("15/06/2024 08:00"),
                manifest: m,
                signature: None,
                files: vec![],
            },
        )
        .await
        .unwrap();
    // The unit sees only its own answer.
    let seen: Vec<String> = unit
        .submissions(c.id)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.agency)
        .collect();
    assert_eq!(seen, [UNIT]);
    assert!(unit.submission(a1.id).await.unwrap().is_none());
    parent.decide(&actor("bcd"), a2.id, &Decision::Approve).await.unwrap();

    // 3. The third member answers on time, is returned, and answers again.
    let third = store.scoped(THIRD);
    let v1 = rollup::answer_from_records(
        &third,
        &actor("vh"),
        &c,
        BTreeMap::new(),
        &BTreeMap::new(),
        at("11/06/2024 10:00"),
        None,
    )
    .await
    .unwrap();
    assert_eq!(v1.manifest.value("items-PCTP"), Some(1));
    // A member without a request of its own typed in names the committee's.
    let third_report = canhgiac_report::build(
        &third,
        &rollup::spec_for(&c, THIRD, Date::parse("11/06/2024").unwrap()),
        None,
        None,
        false,
    )
    .await
    .unwrap();
    assert!(
        third_report.markdown.contains(
            "Thực hiện Công văn số 2023/BCĐ-CAT ngày 05/6/2024 của Ban Chỉ đạo phòng, chống tội phạm tỉnh Bắc Giang"
        ),
        "{}",
        third_report.markdown
    );
    assert!(matches!(
        parent
            .decide(&actor("bcd"), v1.id, &Decision::Return("  ".into()))
            .await,
        Err(StoreError::Refused(_))
    ));
    parent
        .decide(&actor("bcd"), v1.id, &Decision::Return("Thiếu tin, bài tháng 6".into()))
        .await
        .unwrap();
    let more: Dataset = serde_json::from_value(serde_json::json!({
        "media_items": [{"outlet": "cong-tt-svhttdl", "kind": "article", "title": "Phòng, chống tội phạm mua bán người", "published_on": "2024-06-02", "topics": ["PCTP"], "source": "manual"}],
        // Below the legal range of the provision it cites (5–10 triệu đồng).
        "sanction_decisions": [{"number": "07/QĐ-XPHC", "issued_on": "2024-05-10", "subject_kind": "individual",
            "subject_name": "Nguyễn Văn C", "violation": "Chia sẻ thông tin sai sự thật", "fine": 3000000,
            "legal_basis": "nd15-2020-d101-k1", "issuer": "Chánh Thanh tra Sở"}]
    }))
    .unwrap();
    third.import(&Actor::system("test"), &more).await.unwrap();
    let explained: BTreeMap<String, String> = [("muc-phat".to_owned(), "Áp dụng tình tiết giảm nhẹ".to_owned())].into();
    let v2 = rollup::answer_from_records(
        &third,
        &actor("vh"),
        &c,
        BTreeMap::new(),
        &explained,
        at("14/06/2024 10:00"),
        None,
    )
    .await
    .unwrap();
    assert_eq!((v2.version, v2.manifest.value("items-PCTP")), (2, Some(2)));
    // The fine below its legal range is flagged, and the explanation travels.
    let note = v2
        .manifest
        .notes
        .iter()
        .find(|n| n.rule == "muc-phat")
        .expect("fine flagged");
    assert!(
        note.message.contains("3.000.000 đồng") && note.message.contains("Điều 101"),
        "{}",
        note.message
    );
    assert_eq!(note.explanation.as_deref(), Some("Áp dụng tình tiết giảm nhẹ"));
    assert!(
        a1.manifest.notes.iter().all(|n| n.rule != "muc-phat"),
        "the seed's fines are within range"
    );
    parent.decide(&actor("bcd"), v2.id, &Decision::Approve).await.unwrap();

    // The roll-up adds up exactly the approved answers.
    let view = rollup::rollup(&parent, &c, Date::parse("20/06/2024").unwrap())
        .await
        .unwrap();
    let approved = [&a1, &a2, &v2];
    for t in &view.totals {
        let sum: i64 = approved.iter().map(|s| s.manifest.value(&t.code).unwrap_or(0)).sum();
        assert_eq!(t.value, sum, "{}", t.code);
    }
    let pctp = view.totals.iter().find(|t| t.code == "items-PCTP").unwrap();
    assert_eq!(pctp.entered, 25);
    assert_eq!((view.asked, view.on_time, view.late, view.missing), (3, 2, 1, 0));
    let status: Vec<(String, String)> = view
        .rows
        .iter()
        .map(|r| (r.agency.clone(), r.timeliness_code.clone()))
        .collect();
    assert!(status.contains(&(UNIT.to_owned(), "late".to_owned())));
    assert!(status.contains(&(THIRD.to_owned(), "on_time".to_owned())));

    // The committee's report says who reported and drills down to submissions.
    let spec = canhgiac_report::ReportSpec {
        agency: Some(PARENT.into()),
        kind: ReportKind::HalfYear,
        period: Some(Period::Half(2024, 1)),
        range: None,
        number: Some(15),
        date: Date::parse("20/06/2024").unwrap(),
    };
    let report = canhgiac_report::build(&parent, &spec, None, None, false).await.unwrap();
    let md = &report.markdown;
    assert!(md.contains("có 03/03 cơ quan, đơn vị có báo cáo được duyệt"), "{md}");
    assert!(md.contains("01 cơ quan, đơn vị gửi báo cáo muộn"), "{md}");
    assert!(md.contains("do đơn vị nhập trực tiếp"), "{md}");
    assert!(
        md.contains("Đài Truyền thanh huyện Yên Thế (gửi muộn, số liệu do đơn vị nhập trực tiếp)"),
        "{md}"
    );
    let fig = &report.data.figures["rollup-items-PCTP"];
    assert_eq!(fig.kind, RecordKind::Submission);
    assert_eq!(fig.value, pctp.value);
    let drill: Vec<i64> = report.drill["rollup-items-PCTP"].iter().map(|r| r.id).collect();
    assert!(
        drill.contains(&a2.id) && drill.contains(&v2.id) && !drill.contains(&v1.id),
        "{drill:?}"
    );
    // The committee's own records hold none of its members' figures.
    assert_eq!(report.data.inspections_count, 0);
    assert_eq!(report.data.items_total, 0);
    // Every step is in the committee's audit log.
    let log = parent.audit(&canhgiac_store::AuditQuery::default()).await.unwrap();
    let actions: Vec<AuditAction> = log
        .iter()
        .filter(|e| e.kind == RecordKind::Submission)
        .map(|e| e.action)
        .collect();
    assert_eq!(actions.iter().filter(|a| **a == AuditAction::Approve).count(), 3);
    assert_eq!(actions.iter().filter(|a| **a == AuditAction::Return).count(), 1);
    assert_eq!(v1.status, SubmissionStatus::Submitted);
    assert_eq!(
        parent.submission(v1.id).await.unwrap().unwrap().status,
        SubmissionStatus::Returned
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollup_adds_up_the_approved_answers_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqlStore::open_sqlite(dir.path()).await.unwrap();
    scenario(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollup_adds_up_the_approved_answers_on_postgres() {
    if let Some(store) = open_postgres().await {
        scenario(&store).await;
    }
}
