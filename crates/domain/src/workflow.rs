//! The case workflow: which status may follow which, when a reason is asked,
//! and what must be on record before a move.
//!
//! ```text
//! mới → đang xác minh → đã thu thập chứng cứ → đã chuyển, phối hợp → đã xử phạt → đã gỡ bỏ → đã đóng
//!                  ↘ không vi phạm        ↘ tạm dừng (and back)
//! ```
//!
//! The store applies [`check_move`] to every change of a case's status,
//! whatever the path (a page, the API, an import), with the facts it reads
//! in the same transaction; a case is created in any status (records of past
//! years are imported as they ended).

use crate::records::{canonical_url, Case, CaseStatus, TakedownResult};
use crate::{Date, Text, Timestamp};

use CaseStatus as S;

/// What must be on record before some moves, read by the store.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CaseFacts {
    /// Evidence records of the case.
    pub evidence: u32,
    /// Sanction decisions linked to the case, the agency's or a partner's.
    pub sanctions: u32,
    /// Every takedown check of the case: its link, when, and what was seen.
    pub checks: Vec<(Text, Timestamp, TakedownResult)>,
}

/// The statuses a case in `from` may move to, in the order a person reads
/// them.
pub fn next_statuses(from: CaseStatus) -> &'static [CaseStatus] {
    match from {
        S::New => &[S::Verifying, S::NoViolation, S::OnHold],
        S::Verifying => &[S::EvidenceCollected, S::NoViolation, S::OnHold],
        S::EvidenceCollected => &[S::Transferred, S::Sanctioned, S::Verifying, S::NoViolation, S::OnHold],
        S::Transferred => &[S::Sanctioned, S::EvidenceCollected, S::Closed, S::OnHold],
        S::Sanctioned => &[S::Removed, S::Closed],
        S::Removed => &[S::Closed],
        S::Closed | S::NoViolation => &[S::Verifying],
        S::OnHold => &[S::Verifying, S::EvidenceCollected, S::Transferred],
    }
}

/// A step along the way, for telling forward moves from backward ones.
fn rank(s: CaseStatus) -> u8 {
    match s {
        S::New => 0,
        S::Verifying => 1,
        S::EvidenceCollected => 2,
        S::Transferred => 3,
        S::Sanctioned => 4,
        S::Removed => 5,
        S::Closed | S::NoViolation => 6,
        S::OnHold => 7,
    }
}

/// Whether moving `from` → `to` asks for a reason: ending without a removal
/// (không vi phạm, đóng before the content is gone), pausing, resuming,
/// reopening and going back.
pub fn needs_reason(from: CaseStatus, to: CaseStatus) -> bool {
    matches!(to, S::NoViolation | S::OnHold)
        || (to == S::Closed && from != S::Removed)
        || matches!(from, S::Closed | S::NoViolation | S::OnHold)
        || rank(to) < rank(from)
}

/// Whether a case in this status is finished (a date it ended is kept).
pub fn is_finished(s: CaseStatus) -> bool {
    matches!(s, S::Sanctioned | S::Removed | S::Closed | S::NoViolation)
}

/// The case after moving to `to` on `today`: the status, the reason (cleared
/// when none is given) and the end date (set when the case is finished,
/// cleared when it is taken up again). Whether the move is allowed is
/// [`check_move`]'s to say.
pub fn moved(case: &Case, to: CaseStatus, reason: Option<Text>, today: Date) -> Case {
    let mut c = case.clone();
    c.status = to;
    c.status_reason = reason;
    if is_finished(to) {
        if c.closed_on.is_none() {
            c.closed_on = Some(today.max(c.opened_on));
        }
    } else {
        c.closed_on = None;
    }
    c
}

/// The move an audit entry of a case records, from its record before and
/// after: none when the status stayed (or the entry is not a case's).
pub fn step(before: Option<&serde_json::Value>, after: Option<&serde_json::Value>) -> Option<(CaseStatus, CaseStatus)> {
    let status = |v: Option<&serde_json::Value>| {
        v.and_then(|v| v.get("status"))
            .and_then(serde_json::Value::as_str)
            .and_then(|s| CaseStatus::parse(s).ok())
    };
    match (status(before), status(after)) {
        (Some(f), Some(t)) if f != t => Some((f, t)),
        _ => None,
    }
}

/// The links of a case whose newest check did not see them gone, when its
/// removal is claimed: every content link must have been seen removed (a
/// case without links needs one removal seen).
fn not_seen_removed(case: &Case, facts: &CaseFacts) -> Vec<String> {
    let canon = |u: &str| canonical_url(u).unwrap_or_else(|_| u.to_owned());
    let newest = |url: &str| {
        facts
            .checks
            .iter()
            .filter(|(u, _, _)| canon(u.as_str()) == url)
            .max_by_key(|(_, at, _)| *at)
            .map(|(_, _, r)| *r)
    };
    if case.urls.is_empty() {
        let any = facts.checks.iter().any(|(_, _, r)| *r == TakedownResult::Removed);
        return if any { Vec::new() } else { vec![String::new()] };
    }
    case.urls
        .iter()
        .map(|u| canon(u.as_str()))
        .filter(|u| newest(u) != Some(TakedownResult::Removed))
        .collect()
}

/// Checks the change of `before` into `after` against the workflow: only the
/// moves [`next_statuses`] lists, a new reason where [`needs_reason`] asks for
/// one, and what must be on record (evidence before «đã thu thập chứng cứ»,
/// a sanction decision before «đã xử phạt», every link seen removed before
/// «đã gỡ bỏ»). The refusal is a sentence in Vietnamese.
pub fn check_move(before: &Case, after: &Case, facts: &CaseFacts) -> Result<(), String> {
    let (from, to) = (before.status, after.status);
    if from == to {
        return Ok(());
    }
    let next = next_statuses(from);
    if !next.contains(&to) {
        let names: Vec<String> = next.iter().map(|s| format!("«{}»", s.label_vn())).collect();
        return Err(format!(
            "Không thể chuyển vụ việc từ «{}» sang «{}»; từ «{}» chỉ chuyển được sang {}",
            from.label_vn(),
            to.label_vn(),
            from.label_vn(),
            names.join(", ")
        ));
    }
    if needs_reason(from, to) {
        let given = after.status_reason.as_ref();
        if given.is_none() || given == before.status_reason.as_ref() {
            return Err(format!(
                "Chuyển vụ việc từ «{}» sang «{}» cần ghi lý do",
                from.label_vn(),
                to.label_vn()
            ));
        }
    }
    match to {
        S::EvidenceCollected if facts.evidence == 0 => {
            Err("Chưa có chứng cứ nào của vụ việc; hãy thu thập hoặc tải lên chứng cứ trước".into())
        }
        S::Sanctioned if facts.sanctions == 0 => Err(
            "Chưa có quyết định xử phạt nào gắn với vụ việc; hãy nhập quyết định xử phạt (của Sở hoặc cơ quan phối hợp) trước"
                .into(),
        ),
        S::Removed => {
            let left = not_seen_removed(after, facts);
            match left.as_slice() {
                [] => Ok(()),
                [one] if one.is_empty() => {
                    Err("Chưa có lần kiểm tra nào xác nhận nội dung đã bị gỡ bỏ".into())
                }
                _ => Err(format!(
                    "Chưa xác nhận được nội dung đã bị gỡ bỏ tại: {}; lần kiểm tra gần nhất của các đường dẫn này chưa thấy gỡ bỏ",
                    left.join(", ")
                )),
            }
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::records::{CaseCategory, Platform};
    use crate::Code;

    fn case(status: CaseStatus) -> Case {
        Case {
            code: Code::lit("VV-2026-01"),
            title: Text::lit("Tin giả"),
            platform: Platform::Facebook,
            account: Text::lit("@taikhoan_a"),
            account_url: None,
            urls: vec![Text::lit("https://facebook.com/p/1")],
            summary: Text::lit("Đăng tin sai sự thật"),
            category: CaseCategory::False,
            origin: None,
            source: None,
            legal_basis: None,
            coordinating: Vec::new(),
            assignee: None,
            status,
            status_reason: None,
            opened_on: Date::from_ymd(2026, 1, 5).unwrap(),
            closed_on: None,
            notable: false,
            outcome: None,
        }
    }

    fn full() -> CaseFacts {
        let at = Timestamp::parse("2026-02-01T03:00:00Z").unwrap();
        CaseFacts {
            evidence: 1,
            sanctions: 1,
            checks: vec![(Text::lit("https://facebook.com/p/1"), at, TakedownResult::Removed)],
        }
    }

    #[test]
    fn only_listed_moves_pass_and_every_other_is_refused_in_vietnamese() {
        let mut allowed = 0;
        for &from in CaseStatus::ALL {
            for &to in CaseStatus::ALL {
                if from == to {
                    continue;
                }
                let after = moved(
                    &case(from),
                    to,
                    Some(Text::lit("Lý do")),
                    Date::from_ymd(2026, 2, 2).unwrap(),
                );
                let r = check_move(&case(from), &after, &full());
                if next_statuses(from).contains(&to) {
                    assert!(r.is_ok(), "{from:?} → {to:?}: {r:?}");
                    allowed += 1;
                } else {
                    let msg = r.expect_err("forbidden");
                    assert!(msg.starts_with("Không thể chuyển vụ việc từ «"), "{msg}");
                    assert!(msg.contains(to.label_vn()), "{msg}");
                }
            }
        }
        assert_eq!(allowed, 23);
        // The case in the issue: straight from «mới» to «đã xử phạt».
        let jump = moved(&case(S::New), S::Sanctioned, None, Date::from_ymd(2026, 2, 2).unwrap());
        assert!(check_move(&case(S::New), &jump, &full()).is_err());
    }

    #[test]
    fn reasons_are_asked_for_pausing_ending_without_removal_and_going_back() {
        let today = Date::from_ymd(2026, 2, 2).unwrap();
        for (from, to) in [
            (S::Verifying, S::NoViolation),
            (S::New, S::OnHold),
            (S::OnHold, S::Verifying),
            (S::EvidenceCollected, S::Verifying),
            (S::Sanctioned, S::Closed),
            (S::Closed, S::Verifying),
        ] {
            let without = moved(&case(from), to, None, today);
            let msg = check_move(&case(from), &without, &full()).expect_err("no reason");
            assert!(msg.contains("cần ghi lý do"), "{msg}");
            // The reason of the previous move does not count again.
            let mut before = case(from);
            before.status_reason = Some(Text::lit("Cũ"));
            let same = moved(&before, to, Some(Text::lit("Cũ")), today);
            assert!(check_move(&before, &same, &full()).is_err());
            let with = moved(&case(from), to, Some(Text::lit("Chờ Công an xác minh")), today);
            assert!(check_move(&case(from), &with, &full()).is_ok(), "{from:?} → {to:?}");
        }
        for (from, to) in [
            (S::New, S::Verifying),
            (S::Verifying, S::EvidenceCollected),
            (S::Sanctioned, S::Removed),
            (S::Removed, S::Closed),
        ] {
            let plain = moved(&case(from), to, None, today);
            assert!(check_move(&case(from), &plain, &full()).is_ok(), "{from:?} → {to:?}");
        }
    }

    #[test]
    fn what_must_be_on_record_first() {
        let today = Date::from_ymd(2026, 2, 2).unwrap();
        let none = CaseFacts::default();
        let to_evidence = moved(&case(S::Verifying), S::EvidenceCollected, None, today);
        assert!(check_move(&case(S::Verifying), &to_evidence, &none)
            .expect_err("no evidence")
            .contains("Chưa có chứng cứ"));
        let to_sanction = moved(&case(S::EvidenceCollected), S::Sanctioned, None, today);
        assert!(check_move(&case(S::EvidenceCollected), &to_sanction, &none)
            .expect_err("no sanction")
            .contains("quyết định xử phạt"));
        // Removed: the newest check of each link decides.
        let early = Timestamp::parse("2026-02-01T03:00:00Z").unwrap();
        let late = Timestamp::parse("2026-02-08T03:00:00Z").unwrap();
        let url = Text::lit("https://facebook.com/p/1/");
        let to_removed = moved(&case(S::Sanctioned), S::Removed, None, today);
        let online_only = CaseFacts {
            checks: vec![(url.clone(), early, TakedownResult::StillOnline)],
            ..CaseFacts::default()
        };
        let msg = check_move(&case(S::Sanctioned), &to_removed, &online_only).expect_err("still online");
        assert!(msg.contains("facebook.com/p/1"), "{msg}");
        let then_gone = CaseFacts {
            checks: vec![
                (url.clone(), early, TakedownResult::StillOnline),
                (url.clone(), late, TakedownResult::Removed),
            ],
            ..CaseFacts::default()
        };
        assert!(check_move(&case(S::Sanctioned), &to_removed, &then_gone).is_ok());
        let back_online = CaseFacts {
            checks: vec![
                (url.clone(), early, TakedownResult::Removed),
                (url, late, TakedownResult::StillOnline),
            ],
            ..CaseFacts::default()
        };
        assert!(check_move(&case(S::Sanctioned), &to_removed, &back_online).is_err());
    }

    #[test]
    fn an_audit_entry_tells_its_move() {
        let before = serde_json::json!({"status": "verifying"});
        let after = serde_json::json!({"status": "on_hold"});
        assert_eq!(step(Some(&before), Some(&after)), Some((S::Verifying, S::OnHold)));
        assert_eq!(step(Some(&before), Some(&before)), None);
        assert_eq!(step(None, Some(&after)), None);
    }

    #[test]
    fn the_end_date_follows_the_status() {
        let today = Date::from_ymd(2026, 2, 2).unwrap();
        let done = moved(&case(S::Removed), S::Closed, None, today);
        assert_eq!(done.closed_on, Some(today));
        let reopened = moved(&done, S::Verifying, Some(Text::lit("Tái phạm")), today);
        assert_eq!(reopened.closed_on, None);
        assert_eq!(reopened.status_reason, Some(Text::lit("Tái phạm")));
    }
}
