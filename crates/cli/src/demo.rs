//! The demo's steering committee: the provincial steering committee for
//! crime prevention as the seed agency's parent (its standing office sits in
//! the provincial police), and two more member agencies with small datasets
//! of their own. The committee asked for the half-year report (the seed's
//! request 2023/BCĐ-CAT); the seed agency and the culture department
//! answered on time and were approved; the education department is late.
//! Idempotent: nothing is added twice.

use std::collections::BTreeMap;

use anyhow::Result;
use canhgiac_domain::{Agency, Code, Dataset, Date, Outlet, Period, ReportKind, Role, Text, Timestamp, User};
use canhgiac_report::rollup;
use canhgiac_store::prelude::*;
use canhgiac_store::{Actor, Decision, NewCall, SqlStore};

pub const COMMITTEE: &str = "bcd-pctp-bacgiang";
const CULTURE: &str = "so-vhttdl-bacgiang";
const EDUCATION: &str = "so-gddt-bacgiang";

fn agency(
    code: &str,
    name: &str,
    short: &str,
    symbol: &str,
    parent: Option<&str>,
    signer: [&str; 2],
) -> Result<Agency> {
    Ok(serde_json::from_value(serde_json::json!({
        "code": code,
        "names": [{
            "name": name, "short_name": short, "parent_name": "UBND tỉnh Bắc Giang",
            "symbol": symbol, "place": "Bắc Giang", "parent": parent
        }],
        "signer": {"authority": "kt", "head_title": signer[0], "position": signer[1], "full_name": "Nguyễn Văn A"},
        "recipients": ["Lưu VT"],
        "period_rule": "national",
        "heading_case": "sentence"
    }))?)
}

fn member_data(outlet: &str, outlet_name: &str, items: &[(&str, &str, &str)]) -> Result<Dataset> {
    let items: Vec<serde_json::Value> = items
        .iter()
        .map(|(day, topic, title)| {
            serde_json::json!({
                "outlet": outlet, "kind": "article", "title": title, "published_on": day,
                "topics": [topic], "source": "manual"
            })
        })
        .collect();
    Ok(serde_json::from_value(serde_json::json!({
        "outlets": [{"code": outlet, "name": outlet_name, "kind": "portal", "level": "province", "active": true}],
        "media_items": items,
    }))?)
}

async fn ensure_agency(store: &SqlStore, a: &Agency) -> Result<()> {
    if store.get_by_key::<Agency>(a.code.as_str()).await?.is_none() {
        store.create(&Actor::system("cli:demo"), a).await?;
    }
    Ok(())
}

/// A user of the committee to sign in with; its password is printed once.
async fn committee_user(store: &SqlStore) -> Result<()> {
    let scoped = store.scoped(COMMITTEE);
    if scoped.get_by_key::<User>("bandieu").await?.is_some() {
        return Ok(());
    }
    let password = canhgiac_secrets::generate_password();
    let user = User {
        username: Code::lit("bandieu"),
        full_name: Text::lit("Cơ quan thường trực Ban Chỉ đạo"),
        role: Role::Editor,
        password_hash: Some(
            Text::parse(&canhgiac_secrets::hash_password(&password)?).map_err(|e| anyhow::anyhow!("{e}"))?,
        ),
        email: None,
        active: true,
        must_change_password: true,
    };
    scoped.create(&Actor::system("cli:demo"), &user).await?;
    println!("Tài khoản của Ban Chỉ đạo: bandieu, mật khẩu (chỉ hiển thị một lần): {password}");
    Ok(())
}

/// Adds the committee, its members, the request and the answers.
pub async fn committee(store: &SqlStore, seed_agency: &str) -> Result<()> {
    let sys = Actor::system("cli:demo");
    ensure_agency(
        store,
        &agency(
            COMMITTEE,
            "Ban chỉ đạo Phòng chống tội phạm, TNXH và xây dựng PT TDBVANTQ",
            "Ban Chỉ đạo tỉnh",
            "BCĐ",
            None,
            ["Trưởng ban", "Phó Trưởng ban thường trực"],
        )?,
    )
    .await?;
    let seed = store.scoped(seed_agency);
    if let Some(mut a) = seed.get_by_key::<Agency>(seed_agency).await? {
        if let Some(first) = a.record.names.first_mut().filter(|n| n.parent.is_none()) {
            first.parent = Some(Code::lit(COMMITTEE));
            seed.update(&sys, a.id, Some(a.version), &a.record).await?;
        }
    }
    ensure_agency(
        store,
        &agency(
            CULTURE,
            "Sở Văn hóa, Thể thao và Du lịch",
            "Sở VHTTDL",
            "SVHTTDL",
            Some(COMMITTEE),
            ["Giám đốc", "Phó Giám đốc"],
        )?,
    )
    .await?;
    ensure_agency(
        store,
        &agency(
            EDUCATION,
            "Sở Giáo dục và Đào tạo",
            "Sở GDĐT",
            "SGDĐT",
            Some(COMMITTEE),
            ["Giám đốc", "Phó Giám đốc"],
        )?,
    )
    .await?;
    // The provincial newspaper is every member's to follow: one shared
    // record (its electronic edition with it) instead of one per agency.
    for outlet in ["bao-bac-giang", "bao-bac-giang-dien-tu"] {
        if let Some(o) = seed.get_by_key::<Outlet>(outlet).await? {
            if !o.shared && store.scope().is_none() {
                store.share_outlet(&sys, outlet).await?;
            }
        }
    }
    let culture = store.scoped(CULTURE);
    culture
        .import(
            &sys,
            &member_data(
                "cong-ttdt-svhttdl",
                "Cổng thông tin điện tử Sở VHTTDL",
                &[
                    (
                        "2024-02-20",
                        "PCTP",
                        "Tuyên truyền phòng, chống tội phạm trong hoạt động văn hóa, lễ hội",
                    ),
                    (
                        "2024-04-08",
                        "PCMT",
                        "Liên hoan tuyên truyền phòng, chống ma túy năm 2024",
                    ),
                    ("2024-05-16", "PCMBN", "Triển lãm ảnh phòng, chống mua bán người"),
                ],
            )?,
        )
        .await?;
    store
        .scoped(EDUCATION)
        .import(
            &sys,
            &member_data(
                "cong-ttdt-sgddt",
                "Cổng thông tin điện tử Sở GDĐT",
                &[
                    ("2024-03-12", "PCMT", "Ngoại khóa phòng, chống ma túy học đường"),
                    ("2024-05-28", "PCTP", "Phòng, chống lừa đảo trực tuyến cho học sinh"),
                ],
            )?,
        )
        .await?;
    committee_user(store).await?;
    request_and_answers(store, seed_agency).await
}

/// The committee's request, and the answers of the seed agency and the
/// culture department, approved; the education department is late.
async fn request_and_answers(store: &SqlStore, seed_agency: &str) -> Result<()> {
    let sys = Actor::system("cli:demo");
    let committee = store.scoped(COMMITTEE);
    if committee.calls().await?.iter().any(|c| c.number == "2023/BCĐ-CAT") {
        return Ok(());
    }
    let call = committee
        .call_send(
            &sys,
            &NewCall {
                number: "2023/BCĐ-CAT".into(),
                issued_on: Date::parse("05/06/2024").map_err(|e| anyhow::anyhow!("{e}"))?,
                subject: "báo cáo sơ kết công tác phòng chống tội phạm; phòng chống ma túy, phòng chống mua bán người 6 tháng đầu năm 2024".into(),
                report_kind: ReportKind::HalfYear,
                period: Period::Half(2024, 1),
                deadline: Date::parse("12/06/2024").map_err(|e| anyhow::anyhow!("{e}"))?,
                sections: vec!["kho-khan".into()],
                targets: Vec::new(),
            },
        )
        .await?;
    // The seed agency's answer is its report 180/BC-STTTT of 11/06/2024.
    for (member, at, number) in [
        (seed_agency, "11/06/2024 16:00", Some(180)),
        (CULTURE, "11/06/2024 15:30", None),
    ] {
        let at = Timestamp::parse_local(at).map_err(|e| anyhow::anyhow!("{e}"))?;
        let s = rollup::answer_from_records(
            &store.scoped(member),
            &sys,
            &call,
            BTreeMap::new(),
            &BTreeMap::new(),
            at,
            number,
        )
        .await?;
        committee.decide(&sys, s.id, &Decision::Approve).await?;
    }
    println!(
        "Ban Chỉ đạo đã gửi yêu cầu số {} tới {} cơ quan thành viên; 02 cơ quan đã gửi và được duyệt, Sở Giáo dục và Đào tạo chưa gửi (quá hạn).",
        call.number,
        canhgiac_domain::numbers::count(call.targets.len() as u64)
    );
    Ok(())
}

/// The demo's monitoring: the shipped lexicon as the seed agency's own (to
/// be edited on its register), and watch rules matched against the seed's
/// items so that the review queue has something to show (a real
/// installation's rules watch what arrives after them).
pub async fn watch_rules(store: &SqlStore, seed_agency: &str) -> Result<()> {
    use canhgiac_store::Watch;
    let scoped = store.scoped(seed_agency);
    let actor = Actor::system("cli:demo");
    let lexicon = Dataset {
        lexicon_phrases: canhgiac_ingest::Lexicon::default_vi()?.to_records(),
        ..Dataset::default()
    };
    scoped.import(&actor, &lexicon).await?;
    for (name, query) in [
        (
            "Mua bán, vận chuyển ma túy",
            "\"ma túy\" AND (bán OR mua OR \"vận chuyển\") NOT \"phòng chống\"",
        ),
        ("Lừa đảo qua mạng", "\"lừa đảo\" AND (mạng OR \"trực tuyến\" OR online)"),
        ("Mua bán người", "\"mua bán người\" OR \"buôn người\""),
    ] {
        let rule = canhgiac_domain::WatchRule {
            name: Text::parse(name)?,
            query: Text::parse(query)?,
            active: true,
            webhook: None,
            note: Some(Text::parse("Quy tắc mẫu")?),
        };
        scoped.upsert(&actor, &rule).await?;
    }
    // From the start of the log: the seed's items are matched too.
    if store.watch_mark().await?.is_none() {
        store.watch_record(None, 0, &[]).await?;
    }
    let done = canhgiac_ingest::watch::run(store).await?;
    println!(
        "Quy tắc theo dõi mẫu: {} tin, bài khớp chờ xem xét.",
        canhgiac_domain::numbers::count(done.hits.len() as u64)
    );
    Ok(())
}
