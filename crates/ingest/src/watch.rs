//! Watch rules at work: every item written (collected, imported, typed in,
//! by any node) is matched against the agencies' active rules, and each
//! match goes to the review queue and, when its rule has one, to a webhook.
//!
//! The matcher follows the audit log, as the search index does
//! ([`canhgiac_store::FullText::item_changes`]), from a mark kept in the
//! database: the `watch_items` job reads what changed since the mark,
//! matches it with the rules indexed by their trigger words
//! ([`canhgiac_domain::watch::RuleSet`]: ten thousand rules are not ten
//! thousand checks per item), and keeps the matches and the new mark in one
//! transaction. One such job is queued or running at a time (its dedupe
//! key), and a second reader that raced it writes nothing, so no item is
//! matched twice or skipped, however many nodes run.
//!
//! A new installation starts its mark at the audit log's head: rules watch
//! what arrives, and what is already stored is found with the search, in
//! the same language.

use canhgiac_domain::query::Words;
use canhgiac_domain::watch::{Rule, RuleSet};
use canhgiac_domain::{Case, CaseCategory, CaseOrigin, CaseStatus, Date, HitStatus, Outlet, Platform, Text};
use canhgiac_jobs::{JobError, JobFuture, Registry};
use canhgiac_store::{Actor, Lease, NewHit, NewJob, Store, StoreError, WatchHit};

use crate::Fetcher;

/// The job that matches new items against the rules.
pub const WATCH_ITEMS: &str = "watch_items";
/// The job that sends one match to its rule's webhook.
pub const WATCH_WEBHOOK: &str = "watch_webhook";

/// Items read from the audit log per step.
const STEP: u32 = 2000;

/// The `watch_items` job: one queued or running at a time.
pub fn watch_job() -> NewJob {
    let mut job = NewJob::new(WATCH_ITEMS, serde_json::json!({}));
    job.dedupe_key = Some(WATCH_ITEMS.to_owned());
    job.max_attempts = 3;
    job
}

/// Queues [`watch_job`] when the audit log has moved past the mark (or
/// there is none yet); returns whether a job was queued.
pub async fn enqueue_if_behind<S: Store>(store: &S) -> Result<bool, StoreError> {
    let head = store.item_changes(i64::MAX, 1).await?.next;
    if store.watch_mark().await?.is_some_and(|m| m >= head) {
        return Ok(false);
    }
    Ok(store.enqueue(&watch_job()).await?.is_some())
}

/// What a matching pass did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Watched {
    /// Items matched against the rules.
    pub items: usize,
    /// Matches new to the queue.
    pub hits: Vec<i64>,
    /// Webhook deliveries queued.
    pub webhooks: usize,
}

/// Matches every item changed since the mark against the active rules,
/// keeps the matches, moves the mark, and queues a webhook delivery for
/// each new match whose rule has one. The store must see every agency
/// (the job's store is the installation's).
pub async fn run<S: Store>(store: &S) -> Result<Watched, StoreError> {
    let mut done = Watched::default();
    let Some(mut from) = store.watch_mark().await? else {
        let head = store.item_changes(i64::MAX, 1).await?.next;
        store.watch_record(None, head, &[]).await?;
        return Ok(done);
    };
    let mut rules: Option<(RuleSet, Vec<canhgiac_store::ActiveRule>)> = None;
    loop {
        let changes = store.item_changes(from, STEP).await?;
        if changes.next == from {
            break;
        }
        let mut hits = Vec::new();
        if !changes.ids.is_empty() {
            if rules.is_none() {
                rules = Some(load_rules(store).await?);
            }
            let (set, _) = rules
                .as_ref()
                .ok_or_else(|| StoreError::Refused("quy tắc chưa nạp".into()))?;
            if !set.is_empty() {
                for doc in store.index_docs(&changes.ids).await? {
                    let item = &doc.item;
                    let words = Words::of(&[
                        item.title.as_str(),
                        item.summary.as_ref().map_or("", |s| s.as_str()),
                        item.body.as_ref().map_or("", |s| s.as_str()),
                    ]);
                    done.items += 1;
                    for rule in set.matching(doc.owner.as_deref(), &words) {
                        hits.push(NewHit { rule, item: doc.id });
                    }
                }
            }
        }
        match store.watch_record(Some(from), changes.next, &hits).await? {
            Some(new) => done.hits.extend(new),
            // Another reader moved the mark: what follows is its to read.
            None => break,
        }
        from = changes.next;
    }
    if let Some((_, active)) = &rules {
        done.webhooks = queue_webhooks(store, active, &done.hits).await?;
    }
    Ok(done)
}

/// The active rules, parsed and indexed. A rule that no longer parses (the
/// language changed under it) is left out and logged, not fatal.
async fn load_rules<S: Store>(store: &S) -> Result<(RuleSet, Vec<canhgiac_store::ActiveRule>), StoreError> {
    let active = store.active_rules().await?;
    let mut rules = Vec::with_capacity(active.len());
    for r in &active {
        match canhgiac_domain::query::Query::parse(&r.query) {
            Ok(query) => rules.push(Rule {
                id: r.id,
                owner: r.owner.clone(),
                query,
            }),
            Err(e) => tracing::warn!(rule = r.id, error = %e, "watch rule left out"),
        }
    }
    Ok((RuleSet::new(rules), active))
}

async fn queue_webhooks<S: Store>(
    store: &S,
    active: &[canhgiac_store::ActiveRule],
    new: &[i64],
) -> Result<usize, StoreError> {
    let hooked: std::collections::HashMap<i64, &str> = active
        .iter()
        .filter_map(|r| r.webhook.as_deref().map(|w| (r.id, w)))
        .collect();
    if hooked.is_empty() || new.is_empty() {
        return Ok(0);
    }
    let mut queued = 0;
    for hit in store.watch_hits_by_id(new).await? {
        let Some(url) = hooked.get(&hit.rule) else { continue };
        let mut job = NewJob::new(
            WATCH_WEBHOOK,
            serde_json::json!({ "url": url, "body": webhook_body(&hit) }),
        );
        job.dedupe_key = Some(format!("{WATCH_WEBHOOK}:{}", hit.id));
        job.max_attempts = 5;
        if store.enqueue(&job).await?.is_some() {
            queued += 1;
        }
    }
    Ok(queued)
}

/// What a webhook receives for a match: machine-readable (ISO days, RFC
/// 3339 instants, codes).
pub fn webhook_body(hit: &WatchHit) -> serde_json::Value {
    serde_json::json!({
        "event": "watch_hit",
        "hit": hit.id,
        "found_at": hit.found_at.rfc3339(),
        "rule": { "id": hit.rule, "name": hit.rule_name, "query": hit.query },
        "item": {
            "id": hit.item,
            "title": hit.title,
            "url": hit.url,
            "outlet": hit.outlet,
            "published_on": hit.published_on.iso(),
            "published_at": hit.published_at.map(|t| t.rfc3339()),
        },
    })
}

/// Adds the `watch_items` and `watch_webhook` handlers to a runner's
/// registry; `store` must see every agency.
pub fn register<S: Store>(registry: &mut Registry, store: S, fetcher: Fetcher) {
    registry.add(WATCH_ITEMS, move |_lease: Lease| -> JobFuture {
        let store = store.clone();
        Box::pin(async move {
            match run(&store).await {
                Ok(done) => {
                    if done.items > 0 {
                        tracing::info!(
                            items = done.items,
                            hits = done.hits.len(),
                            webhooks = done.webhooks,
                            "items watched"
                        );
                    }
                    Ok(())
                }
                Err(e) => Err(JobError::Retry(e.to_string())),
            }
        })
    });
    registry.add(WATCH_WEBHOOK, move |lease: Lease| -> JobFuture {
        let fetcher = fetcher.clone();
        Box::pin(async move {
            let url = lease
                .payload
                .get("url")
                .and_then(serde_json::Value::as_str)
                .ok_or_else(|| JobError::Fatal("công việc thiếu địa chỉ nhận".into()))?;
            let body = lease.payload.get("body").cloned().unwrap_or_default();
            match fetcher.post_json(url, &body).await {
                Ok(_) => Ok(()),
                Err(e) if e.failure == canhgiac_domain::Failure::Hard => Err(JobError::Fatal(e.message)),
                Err(e) => Err(JobError::Retry(e.message)),
            }
        })
    });
}

/// Makes a case of match `hit` (as `actor`, in the store's agency): the
/// item's title and link, its outlet as the account, the rule as how it was
/// found, a fresh code; the match is marked as made into that case.
/// Returns the case's id and code. A match already made into a case, or
/// dismissed, is refused.
pub async fn case_from_hit<S: Store>(store: &S, actor: &Actor, hit: i64) -> Result<(i64, String), StoreError> {
    let Some(h) = store.watch_hits_by_id(&[hit]).await?.into_iter().next() else {
        return Err(StoreError::Refused(format!("không có tin khớp số {hit}")));
    };
    // Claimed first: of two clicks, one makes the case.
    if !store.watch_review(hit, HitStatus::Case, None, &actor.username).await? {
        return Err(StoreError::Refused(format!(
            "tin khớp này đã được xem xét ({})",
            h.status.label_vn().to_lowercase()
        )));
    }
    match make_case(store, actor, &h).await {
        Ok((id, code)) => {
            store
                .watch_review(hit, HitStatus::Case, Some(&code), &actor.username)
                .await?;
            Ok((id, code))
        }
        Err(e) => {
            store.watch_review(hit, HitStatus::New, None, &actor.username).await?;
            Err(e)
        }
    }
}

/// The case of match `h`, under the next free code of the year.
async fn make_case<S: Store>(store: &S, actor: &Actor, h: &WatchHit) -> Result<(i64, String), StoreError> {
    let outlet = store
        .get_by_key::<Outlet>(&h.outlet)
        .await?
        .map_or_else(|| h.outlet.clone(), |o| o.record.name.to_string());
    let today = Date::today();
    let text = |s: &str| Text::parse(s).map_err(|e| StoreError::Refused(e.message));
    let summary = format!(
        "{} ({}, {}). Phát hiện qua quy tắc theo dõi «{}» ngày {}.",
        h.title, outlet, h.published_on, h.rule_name, today
    );
    let case = Case {
        code: canhgiac_domain::Code::lit("VV-0"),
        title: text(&h.title)?,
        platform: Platform::Website,
        account: text(&outlet)?,
        account_url: None,
        urls: h.url.iter().map(|u| text(u)).collect::<Result<_, _>>()?,
        summary: text(&summary)?,
        category: CaseCategory::Other,
        origin: Some(CaseOrigin::WatchHit),
        source: Some(text(&format!("Quy tắc theo dõi «{}»", h.rule_name))?),
        legal_basis: None,
        coordinating: Vec::new(),
        assignee: None,
        status: CaseStatus::New,
        status_reason: None,
        opened_on: today,
        closed_on: None,
        notable: false,
        outcome: None,
    };
    canhgiac_store::cases::create_numbered(store, actor, case, None).await
}
