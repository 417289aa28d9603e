//! `canhgiac case`: cases from the command line — add, list, show, move —
//! through the same store rules as the pages (the workflow, the next free
//! code, the audit trail).

use anyhow::{anyhow, bail, Result};
use canhgiac_domain::workflow;
use canhgiac_domain::{
    Case, CaseCategory, CaseComment, CaseStatus, Code, Date, Evidence, Platform, RecordKind, SanctionDecision,
    TakedownCheck, Text,
};
use canhgiac_store::prelude::*;
use canhgiac_store::{AuditQuery, ListQuery, SqlStore, Stored};

use crate::federation::actor;
use crate::CaseAction;

pub async fn run(store: &SqlStore, action: &CaseAction) -> Result<()> {
    match action {
        CaseAction::Add {
            platform,
            account,
            urls,
            summary,
            title,
            category,
            code,
            opened,
        } => {
            let text = |s: &str, label: &str| Text::parse(s).map_err(|e| anyhow!("{label}: {}", e.message));
            let summary = text(summary, "Tóm tắt")?;
            let title = match title {
                Some(t) => text(t, "Tiêu đề")?,
                None => text(&summary.as_str().chars().take(120).collect::<String>(), "Tiêu đề")?,
            };
            let case = Case {
                code: Code::lit("VV-0"),
                title,
                platform: Platform::parse(platform).map_err(|e| anyhow!("Nền tảng: {}", e.message))?,
                account: text(account, "Tài khoản")?,
                account_url: None,
                urls: urls.iter().map(|u| text(u, "Đường dẫn")).collect::<Result<_>>()?,
                summary,
                category: CaseCategory::parse(category).map_err(|e| anyhow!("Loại vi phạm: {}", e.message))?,
                origin: None,
                source: None,
                legal_basis: None,
                coordinating: Vec::new(),
                assignee: None,
                status: CaseStatus::New,
                status_reason: None,
                opened_on: match opened {
                    Some(d) => Date::parse(d).map_err(|e| anyhow!("Ngày phát hiện: {}", e.message))?,
                    None => Date::today(),
                },
                closed_on: None,
                notable: false,
                outcome: None,
            };
            let code = code
                .as_deref()
                .map(|c| Code::parse(c).map_err(|e| anyhow!("Mã vụ việc: {}", e.message)))
                .transpose()?;
            let (id, code) = canhgiac_store::cases::create_numbered(store, &actor("cli:case add"), case, code).await?;
            println!("{id}");
            eprintln!("Đã thêm vụ việc {code} (số {id}).");
            Ok(())
        }
        CaseAction::List { status } => {
            let mut q = ListQuery {
                order: Some(canhgiac_store::Order {
                    field: "opened_on".into(),
                    descending: true,
                }),
                limit: Some(canhgiac_store::MAX_PAGE),
                ..Default::default()
            };
            if let Some(s) = status {
                let s = CaseStatus::parse(s).map_err(|e| anyhow!("Trạng thái: {}", e.message))?;
                q.filters.push(("status".into(), s.code().into()));
            }
            let cases = store.list::<Case>(&q).await?;
            if cases.is_empty() {
                println!("Chưa có vụ việc nào.");
            }
            for c in &cases {
                let r = &c.record;
                println!(
                    "{:>6}  {}  {}  {}  {} — {}",
                    c.id,
                    r.code,
                    r.opened_on,
                    r.status.label_vn(),
                    r.platform.label_vn(),
                    r.title
                );
            }
            Ok(())
        }
        CaseAction::Show { case } => show(store, &find(store, case).await?).await,
        CaseAction::Move { case, status, reason } => {
            let found = find(store, case).await?;
            let to = CaseStatus::parse(status).map_err(|e| anyhow!("Trạng thái: {}", e.message))?;
            if to == found.record.status {
                bail!("vụ việc {} đã ở trạng thái «{}»", found.record.code, to.label_vn());
            }
            let reason = reason
                .as_deref()
                .map(|r| Text::parse(r).map_err(|e| anyhow!("Lý do: {}", e.message)))
                .transpose()?;
            let moved = workflow::moved(&found.record, to, reason, Date::today());
            store
                .update(&actor("cli:case move"), found.id, Some(found.version), &moved)
                .await?;
            println!(
                "Đã chuyển vụ việc {} từ «{}» sang «{}».",
                found.record.code,
                found.record.status.label_vn(),
                to.label_vn()
            );
            Ok(())
        }
    }
}

/// A case by its number (id) or its code.
async fn find(store: &SqlStore, which: &str) -> Result<Stored<Case>> {
    let which = which.trim();
    let found = match which.parse::<i64>() {
        Ok(id) => store.get::<Case>(id).await?,
        Err(_) => store.get_by_key::<Case>(which).await?,
    };
    found.ok_or_else(|| anyhow!("không có vụ việc «{which}»; xem canhgiac case list"))
}

async fn show(store: &SqlStore, c: &Stored<Case>) -> Result<()> {
    let r = &c.record;
    println!("Vụ việc {} (số {}) — {}", r.code, c.id, r.title);
    println!("  Trạng thái: {}", r.status.label_vn());
    if let Some(why) = &r.status_reason {
        println!("  Lý do: {why}");
    }
    let next: Vec<&str> = workflow::next_statuses(r.status).iter().map(|s| s.label_vn()).collect();
    println!("  Có thể chuyển sang: {}", next.join(", "));
    println!("  Nền tảng: {}; tài khoản: {}", r.platform.label_vn(), r.account);
    for u in &r.urls {
        println!("  Đường dẫn: {u}");
    }
    println!("  Loại vi phạm: {}", r.category.label_vn());
    println!("  Ngày phát hiện: {}", r.opened_on);
    if let Some(d) = r.closed_on {
        println!("  Ngày kết thúc: {d}");
    }
    println!("  Tóm tắt: {}", r.summary);
    let of_case = ListQuery {
        filters: vec![("case".into(), r.code.to_string())],
        limit: Some(500),
        ..Default::default()
    };
    let evidence = store.list::<Evidence>(&of_case).await?;
    println!("Chứng cứ: {}", evidence.len());
    for e in &evidence {
        println!(
            "  {} — {} ({})",
            e.record.code,
            e.record.description,
            e.record.captured_at.vn_text()
        );
    }
    let sanctions = store.list::<SanctionDecision>(&of_case).await?;
    println!("Quyết định xử phạt: {}", sanctions.len());
    for s in &sanctions {
        println!("  {}", canhgiac_domain::Record::describe(&s.record));
    }
    let mut checks = store.list::<TakedownCheck>(&of_case).await?;
    checks.sort_by_key(|k| k.record.checked_at);
    println!("Kiểm tra gỡ bỏ: {}", checks.len());
    for k in &checks {
        println!(
            "  {} — {}: {}",
            k.record.checked_at.vn_text(),
            k.record.url,
            k.record.result.label_vn()
        );
    }
    let mut comments = store.list::<CaseComment>(&of_case).await?;
    comments.sort_by_key(|k| k.record.posted_at);
    for k in &comments {
        println!(
            "Ý kiến {} — {}: {}",
            k.record.posted_at.vn_text(),
            k.record.author,
            k.record.body
        );
    }
    let mut trail = store
        .audit(&AuditQuery {
            kind: Some(RecordKind::Case),
            record_id: Some(c.id),
            limit: Some(200),
            ..Default::default()
        })
        .await?;
    trail.reverse();
    println!("Diễn biến:");
    for a in &trail {
        let step = workflow::step(a.before.as_ref(), a.after.as_ref())
            .map(|(f, t)| format!(" ({} → {})", f.label_vn(), t.label_vn()))
            .unwrap_or_default();
        println!("  {} — {}: {}{step}", a.at.vn_text(), a.actor, a.action.label_vn());
    }
    Ok(())
}
