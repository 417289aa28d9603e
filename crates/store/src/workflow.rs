//! The case workflow held by the store: every change of a case's status,
//! from a page, the API or an import, is checked by
//! [`canhgiac_domain::workflow::check_move`] against the facts read in the
//! same transaction (the case's evidence, sanction decisions and takedown
//! checks, in the case's agency).

use std::any::Any;

use canhgiac_domain::workflow::{check_move, CaseFacts};
use canhgiac_domain::{Case, Record, RecordKind, TakedownResult, Text, Timestamp, ValidationErrors};

use crate::db::{Cols, Tx, Ty, Value};
use crate::{Result, StoreError};

fn as_case<R: Record>(r: &R) -> Option<&Case> {
    (r as &dyn Any).downcast_ref::<Case>()
}

/// Refuses the update of record `id` from `before` to `after` when it moves
/// a case's status in a way the workflow does not allow.
pub(crate) async fn check<R: Record>(tx: &mut Tx, id: i64, before: &R, after: &R) -> Result<()> {
    let (Some(before), Some(after)) = (as_case(before), as_case(after)) else {
        return Ok(());
    };
    if before.status == after.status {
        return Ok(());
    }
    let facts = facts(tx, id, before).await?;
    check_move(before, after, &facts).map_err(|message| {
        let mut errors = ValidationErrors::default();
        errors.push("status", message);
        StoreError::Invalid {
            kind: RecordKind::Case,
            key: after.key(),
            errors,
        }
    })
}

/// What is on record for case `id` (whose stored code is `case.code`), in
/// its agency.
async fn facts(tx: &mut Tx, id: i64, case: &Case) -> Result<CaseFacts> {
    let owner = tx
        .row("SELECT owner FROM cases WHERE id = $1", &[Value::Int(id)], &[Ty::Text])
        .await?
        .map(|row| Cols::new(row, "cases.owner").opt_text())
        .transpose()?
        .flatten();
    // The same agency's records; an installation without agencies has none.
    let (mine, args) = match owner {
        Some(o) => ("owner = $2", vec![Value::from(case.code.as_str()), Value::Text(o)]),
        None => ("owner IS NULL", vec![Value::from(case.code.as_str())]),
    };
    let count = |table: &str| format!("SELECT COUNT(*) FROM {table} WHERE \"case\" = $1 AND {mine}");
    let evidence = one_count(tx, &count("evidence"), &args).await?;
    let sanctions = one_count(tx, &count("sanction_decisions"), &args).await?;
    let rows = tx
        .rows(
            &format!("SELECT url, checked_at, result FROM takedown_checks WHERE \"case\" = $1 AND {mine}"),
            &args,
            &[Ty::Text, Ty::Text, Ty::Text],
        )
        .await?;
    let corrupt = |what: &str, e: String| StoreError::Corrupt(format!("takedown_checks.{what}: {e}"));
    let mut checks = Vec::with_capacity(rows.len());
    for row in rows {
        let mut c = Cols::new(row, "takedown_checks");
        let url = Text::parse(&c.text()?).map_err(|e| corrupt("url", e.message))?;
        let at = Timestamp::parse(&c.text()?).map_err(|e| corrupt("checked_at", e.message))?;
        let result = TakedownResult::parse(&c.text()?).map_err(|e| corrupt("result", e.message))?;
        checks.push((url, at, result));
    }
    Ok(CaseFacts {
        evidence,
        sanctions,
        checks,
    })
}

async fn one_count(tx: &mut Tx, sql: &str, args: &[Value]) -> Result<u32> {
    let n = tx
        .row(sql, args, &[Ty::Int])
        .await?
        .map(|row| Cols::new(row, "count").int())
        .transpose()?
        .unwrap_or(0);
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}
