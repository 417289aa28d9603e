//! Cases made by people and by the watch queue: a case without a code gets
//! the next free `VV-năm-số` of its agency.

use canhgiac_domain::{Case, Code, Date};

use crate::{Actor, ListQuery, Records, Result, StoreError};

/// `VV-2024-05`: the case code of number `n` in `year`.
pub fn case_code(year: i32, n: u32) -> String {
    format!("VV-{year}-{n:02}")
}

/// Creates `case`, under its own code when it has one (`Some`), else under
/// the next free code of the year it was opened in: one past the cases
/// already opened that year, moving on while a code is taken (by a case made
/// meanwhile, or one of another year's numbering). Returns the id and code.
pub async fn create_numbered<S: Records>(
    store: &S,
    actor: &Actor,
    mut case: Case,
    code: Option<Code>,
) -> Result<(i64, String)> {
    if let Some(code) = code {
        case.code = code;
        let id = store.create(actor, &case).await?;
        return Ok((id, case.code.to_string()));
    }
    let year = case.opened_on.year();
    let this_year = ListQuery {
        date_from: Date::from_ymd(year, 1, 1),
        date_to: Date::from_ymd(year, 12, 31),
        ..ListQuery::default()
    };
    let start = store.count_matching::<Case>(&this_year, 100_000).await?;
    let mut n = u32::try_from(start).unwrap_or(u32::MAX - 200).saturating_add(1);
    for _ in 0..200 {
        let code = case_code(year, n);
        case.code = Code::parse(&code).map_err(|e| StoreError::Refused(e.message))?;
        match store.create(actor, &case).await {
            Ok(id) => return Ok((id, code)),
            Err(StoreError::Conflict { .. }) => n += 1,
            Err(e) => return Err(e),
        }
    }
    Err(StoreError::Refused("không tìm được mã vụ việc còn trống".into()))
}
