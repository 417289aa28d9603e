//! The figures of a period, computed by aggregate queries (never by loading
//! records), so they stay fast on a store of a million items.

use canhgiac_domain::{DateRange, Dong, SubjectKind};
use serde::Serialize;

use crate::db::{single_int, Cols, Pool, Ty, Value};
use crate::{Result, StoreError};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CountByKind {
    pub organisations: i64,
    pub individuals: i64,
}

impl CountByKind {
    pub fn total(&self) -> i64 {
        self.organisations + self.individuals
    }

    fn add(&mut self, kind: &str, n: i64) -> Result<()> {
        match SubjectKind::parse(kind) {
            Ok(SubjectKind::Organisation) => self.organisations += n,
            Ok(SubjectKind::Individual) => self.individuals += n,
            Err(_) => return Err(StoreError::Corrupt(format!("loại đối tượng «{kind}»"))),
        }
        Ok(())
    }
}

/// Items of one topic at one outlet (counted under the outlet's parent).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TopicOutletCount {
    pub topic: String,
    pub outlet: String,
    pub items: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub range: DateRange,
    pub directives: i64,
    /// Original items (syndicated copies excluded) in the period.
    pub items: i64,
    pub featured_items: i64,
    pub items_by_topic_outlet: Vec<TopicOutletCount>,
    pub inspections: i64,
    pub inspection_subjects: CountByKind,
    /// Decisions the agency itself issued.
    pub sanctions: CountByKind,
    pub fine_total: Dong,
    pub cases_opened: i64,
}

async fn one(pool: &Pool, sql: &str, args: &[Value]) -> Result<i64> {
    single_int(pool.rows(sql, args, &[Ty::Int]).await?, "summary")
}

/// `AND <alias>owner = $3` when scoped: the range takes `$1` and `$2`.
fn owned(alias: &str, scope: Option<&str>) -> String {
    scope.map_or(String::new(), |_| format!(" AND {alias}owner = $3"))
}

/// The range, and the scope as `$3` when there is one.
fn range_args(range: DateRange, scope: Option<&str>) -> Vec<Value> {
    let mut r = vec![Value::Text(range.from.iso()), Value::Text(range.to.iso())];
    r.extend(scope.map(Value::from));
    r
}

/// Inspections with their subjects, and the agency's own sanctions with
/// their fines, in the range (`r`: range and scope arguments).
async fn enforcement(pool: &Pool, r: &[Value], scope: Option<&str>) -> Result<(i64, CountByKind, CountByKind, Dong)> {
    let inspections = one(
        pool,
        &format!(
            "SELECT COUNT(*) FROM inspections WHERE started_on >= $1 AND started_on <= $2{}",
            owned("", scope)
        ),
        r,
    )
    .await?;
    let mut inspection_subjects = CountByKind::default();
    for row in pool
        .rows(
            &format!(
                "SELECT s.kind, COUNT(*) FROM inspection_subjects s JOIN inspections i ON i.\"key\" = s.inspection \
                 AND COALESCE(i.owner, '') = COALESCE(s.owner, '') \
                 WHERE i.started_on >= $1 AND i.started_on <= $2{} GROUP BY s.kind",
                owned("i.", scope)
            ),
            r,
            &[Ty::Text, Ty::Int],
        )
        .await?
    {
        let mut c = Cols::new(row, "summary.inspection_subjects");
        inspection_subjects.add(&c.text()?, c.int()?)?;
    }
    let mut sanctions = CountByKind::default();
    let mut fine = 0i64;
    for row in pool
        .rows(
            &format!(
                "SELECT subject_kind, COUNT(*), CAST(COALESCE(SUM(fine), 0) AS BIGINT) FROM sanction_decisions \
                 WHERE issued_on >= $1 AND issued_on <= $2{} AND issued_by_agency = TRUE GROUP BY subject_kind",
                owned("", scope)
            ),
            r,
            &[Ty::Text, Ty::Int, Ty::Int],
        )
        .await?
    {
        let mut c = Cols::new(row, "summary.sanctions");
        sanctions.add(&c.text()?, c.int()?)?;
        fine = fine.saturating_add(c.int()?);
    }
    let fine_total = Dong::new(fine).map_err(|e| StoreError::Corrupt(e.message))?;
    Ok((inspections, inspection_subjects, sanctions, fine_total))
}

pub(crate) async fn compute(pool: &Pool, range: DateRange, scope: Option<&str>) -> Result<Summary> {
    let r = range_args(range, scope);
    let directives = one(
        pool,
        &format!(
            "SELECT COUNT(*) FROM directives WHERE issued_on >= $1 AND issued_on <= $2{}",
            owned("", scope)
        ),
        &r,
    )
    .await?;
    // Item figures come from the day counts the store keeps with every
    // media item change (migration 0003): their cost does not grow with
    // the number of items.
    let items = one(
        pool,
        &format!(
            "SELECT CAST(COALESCE(SUM(c.items), 0) AS BIGINT) FROM media_item_day_counts c \
             WHERE c.day >= $1 AND c.day <= $2 AND c.topic = ''{}",
            counts_owned(scope)
        ),
        &r,
    )
    .await?;
    let featured_items = one(
        pool,
        &format!(
            "SELECT CAST(COALESCE(SUM(c.featured), 0) AS BIGINT) FROM media_item_day_counts c \
             WHERE c.day >= $1 AND c.day <= $2 AND c.topic = ''{}",
            counts_owned(scope)
        ),
        &r,
    )
    .await?;
    let rows = pool
        .rows(
            &format!(
                "SELECT c.topic, COALESCE(o.parent, o.\"key\") AS top, CAST(SUM(c.items) AS BIGINT) \
                 FROM media_item_day_counts c \
                 JOIN outlets o ON o.\"key\" = c.outlet AND (COALESCE(o.owner, '') = c.owner OR o.owner = '') \
                 WHERE c.day >= $1 AND c.day <= $2 AND c.topic <> ''{} \
                 GROUP BY c.topic, COALESCE(o.parent, o.\"key\") HAVING SUM(c.items) > 0 ORDER BY 1, 2",
                counts_owned(scope)
            ),
            &r,
            &[Ty::Text, Ty::Text, Ty::Int],
        )
        .await?;
    let items_by_topic_outlet = rows
        .into_iter()
        .map(|row| {
            let mut c = Cols::new(row, "summary.items_by_topic_outlet");
            Ok(TopicOutletCount {
                topic: c.text()?,
                outlet: c.text()?,
                items: c.int()?,
            })
        })
        .collect::<Result<_>>()?;
    let (inspections, inspection_subjects, sanctions, fine_total) = enforcement(pool, &r, scope).await?;
    let cases_opened = one(
        pool,
        &format!(
            "SELECT COUNT(*) FROM cases WHERE opened_on >= $1 AND opened_on <= $2{}",
            owned("", scope)
        ),
        &r,
    )
    .await?;
    Ok(Summary {
        range,
        directives,
        items,
        featured_items,
        items_by_topic_outlet,
        inspections,
        inspection_subjects,
        sanctions,
        fine_total,
        cases_opened,
    })
}

/// Original items of one topic, at one outlet (as recorded, not its
/// parent), in one month (`2024-03`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ItemCount {
    pub topic: String,
    pub outlet: String,
    pub month: String,
    pub items: i64,
}

/// Keeps the day counts (`c`) to the scope's agency (`$3`): the counts
/// carry their owner.
fn counts_owned(scope: Option<&str>) -> &'static str {
    if scope.is_some() {
        " AND c.owner = $3"
    } else {
        ""
    }
}

pub(crate) async fn item_counts(pool: &Pool, range: DateRange, scope: Option<&str>) -> Result<Vec<ItemCount>> {
    let rows = pool
        .rows(
            &format!(
                "SELECT c.topic, c.outlet, substr(c.day, 1, 7) AS month, CAST(SUM(c.items) AS BIGINT) \
                 FROM media_item_day_counts c WHERE c.day >= $1 AND c.day <= $2 AND c.topic <> ''{} \
                 GROUP BY c.topic, c.outlet, substr(c.day, 1, 7) HAVING SUM(c.items) > 0 ORDER BY 1, 2, 3",
                counts_owned(scope)
            ),
            &range_args(range, scope),
            &[Ty::Text, Ty::Text, Ty::Text, Ty::Int],
        )
        .await?;
    rows.into_iter()
        .map(|r| {
            let mut c = Cols::new(r, "item_counts");
            Ok(ItemCount {
                topic: c.text()?,
                outlet: c.text()?,
                month: c.text()?,
                items: c.int()?,
            })
        })
        .collect()
}

/// Original items per month (`2024-03`) in a period, each counted once
/// whatever its topics, from the kept per-item day counts.
pub(crate) async fn item_months(pool: &Pool, range: DateRange, scope: Option<&str>) -> Result<Vec<(String, i64)>> {
    let rows = pool
        .rows(
            &format!(
                "SELECT substr(c.day, 1, 7) AS month, CAST(SUM(c.items) AS BIGINT) \
                 FROM media_item_day_counts c WHERE c.day >= $1 AND c.day <= $2 AND c.topic = ''{} \
                 GROUP BY substr(c.day, 1, 7) ORDER BY 1",
                counts_owned(scope)
            ),
            &range_args(range, scope),
            &[Ty::Text, Ty::Int],
        )
        .await?;
    rows.into_iter()
        .map(|r| {
            let mut c = Cols::new(r, "item_months");
            Ok((c.text()?, c.int()?))
        })
        .collect()
}

/// Ids of the original items behind a figure: in the period, of `topic`
/// (any if `None`), at any of `outlets` (any if empty); sorted by id.
pub(crate) async fn item_ids(
    pool: &Pool,
    scope: Option<&str>,
    range: DateRange,
    topic: Option<&str>,
    outlets: &[String],
    limit: Option<u32>,
) -> Result<Vec<i64>> {
    let mut args = vec![
        Value::Text(range.from.iso()),
        Value::Text(range.to.iso()),
        Value::Bool(true),
    ];
    // One row per (item, topic): with a topic the ids are already distinct.
    let distinct = if topic.is_some() { "" } else { "DISTINCT " };
    let mut sql = format!(
        "SELECT {distinct}item_id FROM media_item_topics WHERE published_on >= $1 AND published_on <= $2 AND original = $3"
    );
    if let Some(t) = topic {
        args.push(Value::from(t));
        sql.push_str(&format!(" AND topic = ${}", args.len()));
    }
    if let Some(s) = scope {
        args.push(Value::from(s));
        sql.push_str(&format!(
            " AND item_id IN (SELECT id FROM media_items WHERE owner = ${})",
            args.len()
        ));
    }
    if !outlets.is_empty() {
        let mut ph = Vec::new();
        for o in outlets {
            args.push(Value::from(o.as_str()));
            ph.push(format!("${}", args.len()));
        }
        sql.push_str(&format!(" AND outlet IN ({})", ph.join(", ")));
    }
    // A capped list is a sample for drill-down: any ids will do, and the
    // scan stops early. A full list is sorted here, not by the engine.
    if let Some(l) = limit {
        sql.push_str(&format!(" LIMIT {l}"));
    }
    let rows = pool.rows(&sql, &args, &[Ty::Int]).await?;
    let mut ids: Vec<i64> = rows
        .into_iter()
        .map(|r| Cols::new(r, "item_ids").int())
        .collect::<Result<_>>()?;
    ids.sort_unstable();
    Ok(ids)
}
