//! Submissions and the roll-up: a child answers a parent's request with
//! the figures its report computes (or figures typed into the data-entry
//! form); the parent's report adds up the approved answers, per figure and
//! per agency, and says who reported and who did not.

use std::collections::BTreeMap;

use canhgiac_domain::submission::{
    self, check_rules, DataElement, FigureSource, FigureValue, FineCheck, Manifest, RuleInput, RuleNote,
    SubmissionSource, SubmissionStatus, Timeliness, Violation,
};
use canhgiac_domain::{Date, LegalBasis, Timestamp, Topic};
use canhgiac_store::{Actor, ListQuery, NewSubmission, ReportCall, Store, Submission};
use serde::Serialize;

use crate::data::{ReportData, ReportSpec};
use crate::{Format, ReportError};

/// The data set every request asks for: the report's figures, one per
/// shared topic for the items.
pub async fn data_set<S: Store>(store: &S) -> Result<Vec<DataElement>, ReportError> {
    let mut topics = store
        .list::<Topic>(&ListQuery {
            limit: Some(canhgiac_store::MAX_PAGE),
            ..Default::default()
        })
        .await?;
    topics.sort_by_key(|t| (t.record.ordinal, t.id));
    let pairs: Vec<(String, String)> = topics
        .iter()
        .map(|t| (t.record.code.to_string(), t.record.short_name.to_string()))
        .collect();
    Ok(submission::data_set(&pairs))
}

/// The data set's figures as the report computed them, with the number of
/// records behind each.
pub fn computed_figures(data: &ReportData, elements: &[DataElement]) -> Vec<FigureValue> {
    elements
        .iter()
        .map(|e| {
            let f = data.figures.get(&e.code);
            FigureValue {
                code: e.code.clone(),
                label: e.label.clone(),
                value: f.map_or(0, |f| f.value),
                records: Some(f.map_or(0, |f| f.ids.len() as i64)),
                source: FigureSource::Computed,
            }
        })
        .collect()
}

/// The same figures one year earlier, where the report knows them.
fn previous_of(data: &ReportData) -> BTreeMap<String, i64> {
    let mut prev = BTreeMap::new();
    for t in &data.topics {
        if let Some(p) = t.previous {
            prev.insert(format!("items-{}", t.code), p);
        }
    }
    if let Some(p) = data.previous_inspections {
        prev.insert("inspections".into(), p);
    }
    if let Some(p) = data.previous_sanctions {
        prev.insert("sanctions".into(), p);
    }
    if let Some(p) = data.previous_fine_total {
        prev.insert("fine-total".into(), p);
    }
    prev
}

/// The fines of the agency's own decisions, each with the range of the
/// provision it cites, when the legal catalogue has it.
async fn fine_checks<S: Store>(store: &S, data: &ReportData) -> Result<Vec<FineCheck>, ReportError> {
    let catalogue = store
        .list::<LegalBasis>(&ListQuery {
            limit: Some(canhgiac_store::MAX_PAGE),
            ..Default::default()
        })
        .await?;
    let records: Vec<LegalBasis> = catalogue.iter().map(|b| b.record.clone()).collect();
    let mut out = Vec::new();
    for s in &data.annex.sanctions {
        let Some(rec) = store.get::<canhgiac_domain::SanctionDecision>(s.id).await? else {
            continue;
        };
        let r = &rec.record;
        // The rule of the violation's day (the decision's, when the
        // violation's is not recorded).
        let day = r.violation_on.unwrap_or(r.issued_on);
        let chosen = match &r.provision {
            Some(code) => records.iter().find(|b| &b.code == code),
            None => r
                .legal_basis
                .as_ref()
                .map(|t| canhgiac_domain::fold(t.as_str()))
                .and_then(|cited| {
                    records.iter().filter(|b| b.valid_on(day)).find(|b| {
                        cited == canhgiac_domain::fold(b.code.as_str())
                            || cited.contains(&canhgiac_domain::fold(&b.citation()))
                    })
                }),
        };
        let Some(chosen) = chosen else { continue };
        let applies = LegalBasis::in_force(&records, chosen, day);
        let (min, max) = applies.fine_range(r.subject_kind);
        out.push(FineCheck {
            decision: r.number.to_string(),
            fine: r.fine,
            basis: Some((applies.citation(), min, max)),
        });
    }
    Ok(out)
}

/// Runs the validation rules on figures, against the report they came from.
pub async fn violations<S: Store>(
    store: &S,
    data: &ReportData,
    figures: &[FigureValue],
    directives_listed: Option<usize>,
) -> Result<Vec<Violation>, ReportError> {
    let input = RuleInput {
        figures: figures.iter().map(|f| (f.code.clone(), f.value)).collect(),
        previous: Some(previous_of(data)),
        directives_listed,
        fines: fine_checks(store, data).await?,
        labels: figures.iter().map(|f| (f.code.clone(), f.label.clone())).collect(),
    };
    Ok(check_rules(&input))
}

/// The report a child writes to answer a request: its own agency, the
/// request's kind and period, signed on `date`.
pub fn spec_for(call: &ReportCall, agency: &str, date: Date) -> ReportSpec {
    ReportSpec {
        agency: Some(agency.to_owned()),
        kind: call.report_kind,
        period: Some(call.period),
        range: None,
        number: None,
        date,
    }
}

/// Notes for the violations, with the agency's explanations by rule.
pub fn notes(violations: &[Violation], explanations: &BTreeMap<String, String>) -> Vec<RuleNote> {
    violations
        .iter()
        .map(|v| RuleNote {
            rule: v.rule.to_owned(),
            message: v.message.clone(),
            explanation: explanations
                .get(v.rule)
                .map(|e| canhgiac_domain::nfc(e.trim()))
                .filter(|e| !e.is_empty()),
        })
        .collect()
}

/// What a child is about to send.
#[derive(Clone, Debug)]
pub struct Answer {
    pub agency: String,
    pub agency_name: String,
    pub figures: Vec<FigureValue>,
    pub sections: BTreeMap<String, String>,
    pub directives: Vec<String>,
    pub notes: Vec<RuleNote>,
    /// When it is sent (see `NewSubmission::received_at`).
    pub at: Timestamp,
}

/// The manifest of an answer to `call`.
pub fn manifest(call: &ReportCall, actor: &Actor, a: &Answer) -> Manifest {
    Manifest {
        format: submission::MANIFEST_FORMAT.into(),
        call: submission::CallRef {
            requester: call.owner.clone(),
            number: call.number.clone(),
            issued_on: call.issued_on,
            report_kind: call.report_kind,
            period: call.period,
        },
        agency: a.agency.clone(),
        agency_name: a.agency_name.clone(),
        submitted_at: a.at,
        submitted_by: actor.username.clone(),
        figures: a.figures.clone(),
        sections: a
            .sections
            .iter()
            .map(|(k, v)| (k.clone(), canhgiac_domain::nfc(v.trim())))
            .filter(|(_, v)| !v.is_empty())
            .collect(),
        directives: a.directives.clone(),
        notes: a.notes.clone(),
        files: Vec::new(),
        issued_report: None,
    }
}

/// What a unit that keeps no records here sends: figures by code, the
/// directives it lists, free text, and the files it attaches (its sheet).
#[derive(Clone, Debug, Default)]
pub struct Typed {
    pub values: BTreeMap<String, i64>,
    pub directives: Vec<String>,
    pub sections: BTreeMap<String, String>,
    pub files: Vec<(String, String, Vec<u8>)>,
}

/// The submission of typed figures for `agency`: the figures in data-set
/// order, marked as typed, the rules run on them with the explanations
/// given, the files listed in the manifest. `None` when no figure was given.
pub fn typed_submission(
    call: &ReportCall,
    agency: &str,
    actor: &Actor,
    elements: &[DataElement],
    typed: Typed,
    explanations: &BTreeMap<String, String>,
    at: Timestamp,
) -> Option<NewSubmission> {
    let figures: Vec<FigureValue> = elements
        .iter()
        .filter_map(|e| {
            typed.values.get(&e.code).map(|v| FigureValue {
                code: e.code.clone(),
                label: e.label.clone(),
                value: *v,
                records: None,
                source: FigureSource::Entered,
            })
        })
        .collect();
    if figures.is_empty() {
        return None;
    }
    let input = RuleInput {
        figures: figures.iter().map(|f| (f.code.clone(), f.value)).collect(),
        directives_listed: (!typed.directives.is_empty()).then_some(typed.directives.len()),
        labels: figures.iter().map(|f| (f.code.clone(), f.label.clone())).collect(),
        ..Default::default()
    };
    let answer = Answer {
        agency: agency.to_owned(),
        agency_name: call.target_name(agency),
        figures,
        sections: typed.sections,
        directives: typed.directives,
        notes: notes(&check_rules(&input), explanations),
        at,
    };
    let mut manifest = manifest(call, actor, &answer);
    manifest.files = canhgiac_interchange::package::entries(&typed.files);
    Some(NewSubmission {
        call_id: call.id,
        source: SubmissionSource::Form,
        received_at: at,
        manifest,
        signature: None,
        files: typed.files,
    })
}

/// A stored submission as a package signed with its agency's key here:
/// (the package, the public key), or `None` when the agency has no key.
pub async fn signed_package<S: Store>(store: &S, s: &Submission) -> Result<Option<(Vec<u8>, String)>, ReportError> {
    let Some((public, secret)) = store.signing_secret(&s.agency).await? else {
        return Ok(None);
    };
    let mut files = Vec::new();
    for f in store.submission_files(s.id).await? {
        let bytes = store
            .submission_file(s.id, &f.name)
            .await?
            .ok_or_else(|| ReportError::Input(format!("thiếu tệp {} của báo cáo", f.name)))?;
        files.push((f.name, f.media_type, bytes));
    }
    let bytes = canhgiac_interchange::package::seal(&s.manifest, &files, &public, &secret)
        .map_err(|e| ReportError::Render(e.to_string()))?;
    Ok(Some((bytes, public)))
}

/// A child's answer computed from its records: the report is issued (DOCX
/// and Markdown, under `number` if given), and the submission carries its
/// figures, files and hash.
/// `store` is scoped to the child.
pub async fn answer_from_records<S: Store>(
    store: &S,
    actor: &Actor,
    call: &ReportCall,
    sections: BTreeMap<String, String>,
    explanations: &BTreeMap<String, String>,
    at: Timestamp,
    number: Option<u32>,
) -> Result<Submission, ReportError> {
    let agency = store
        .scope()
        .map(str::to_owned)
        .ok_or_else(|| ReportError::Input("cần chọn cơ quan gửi báo cáo".into()))?;
    let spec = ReportSpec {
        number,
        ..spec_for(call, &agency, at.vn_date())
    };
    let report = crate::build(store, &spec, None, None, true).await?;
    let elements = data_set(store).await?;
    let figures = computed_figures(&report.data, &elements);
    let listed = report.data.directives.len();
    let v = violations(store, &report.data, &figures, Some(listed)).await?;
    let issued = crate::issue(store, actor, &report, &[Format::Docx, Format::Markdown]).await?;
    let answer = Answer {
        agency: agency.clone(),
        agency_name: report.data.agency.name.clone(),
        figures,
        sections,
        directives: report.data.directives.iter().map(|d| d.title.clone()).collect(),
        notes: notes(&v, explanations),
        at,
    };
    let mut m = manifest(call, actor, &answer);
    let mut files = Vec::new();
    for f in &issued.files {
        let bytes = store
            .issued_report_file(issued.id, &f.name)
            .await?
            .ok_or_else(|| ReportError::Input(format!("thiếu tệp {} của báo cáo đã ban hành", f.name)))?;
        files.push((f.name.clone(), f.media_type.clone(), bytes));
    }
    m.files = canhgiac_interchange::package::entries(&files);
    m.issued_report = Some(submission::IssuedRef {
        number: issued.number.clone(),
        version: issued.version,
        sha256: issued.sha256.clone(),
    });
    let new = NewSubmission {
        call_id: call.id,
        source: SubmissionSource::Records,
        received_at: at,
        manifest: m,
        signature: None,
        files,
    };
    Ok(store.submit(actor, &new).await?)
}

/// One child in the roll-up.
#[derive(Clone, Debug, Serialize)]
pub struct RollupRow {
    pub agency: String,
    pub name: String,
    /// The latest sending, if any.
    pub submission: Option<i64>,
    pub version: i64,
    pub status: Option<String>,
    pub timeliness: String,
    pub timeliness_code: String,
    pub first_sent: Option<String>,
    pub approved: bool,
    /// Figures of the approved sending, in data-set order.
    pub values: Vec<(String, i64)>,
    /// True when the figures were typed in rather than computed.
    pub entered: bool,
    pub notes: Vec<RuleNote>,
}

/// One figure added up.
#[derive(Clone, Debug, Serialize)]
pub struct RollupTotal {
    pub code: String,
    pub label: String,
    pub money: bool,
    pub value: i64,
    /// The part typed in by units that keep no records here.
    pub entered: i64,
    pub figure: String,
}

/// The roll-up of one request.
#[derive(Clone, Debug, Serialize)]
pub struct RollupView {
    pub call_id: i64,
    pub number: String,
    pub issued_on: Date,
    pub subject: String,
    pub deadline: Date,
    pub rows: Vec<RollupRow>,
    pub totals: Vec<RollupTotal>,
    /// Names of the agencies whose answer is approved.
    pub reported: Vec<String>,
    /// Names of the others.
    pub not_reported: Vec<String>,
    pub asked: usize,
    pub on_time: usize,
    pub late: usize,
    pub missing: usize,
    pub pending: usize,
}

fn row_for(call: &ReportCall, agency: &str, sent: &[&Submission], today: Date) -> RollupRow {
    let latest = sent.iter().max_by_key(|s| s.version);
    let first = sent.iter().map(|s| s.submitted_at.vn_date()).min();
    let t = submission::timeliness(call.deadline, first, today);
    let approved = latest.filter(|s| s.status == SubmissionStatus::Approved);
    RollupRow {
        agency: agency.to_owned(),
        name: latest.map_or_else(|| call.target_name(agency), |s| s.manifest.agency_name.clone()),
        submission: latest.map(|s| s.id),
        version: latest.map_or(0, |s| s.version),
        status: latest.map(|s| s.status.label_vn().to_owned()),
        timeliness: t.label_vn().to_owned(),
        timeliness_code: t.code().to_owned(),
        first_sent: first.map(|d| d.to_string()),
        approved: approved.is_some(),
        values: approved.map_or_else(Vec::new, |s| {
            s.manifest.figures.iter().map(|f| (f.code.clone(), f.value)).collect()
        }),
        entered: approved.is_some_and(|s| s.source == SubmissionSource::Form),
        notes: approved.map_or_else(Vec::new, |s| s.manifest.notes.clone()),
    }
}

/// Adds up the approved answers to `call`. `store` is scoped to the parent.
pub async fn rollup<S: Store>(store: &S, call: &ReportCall, today: Date) -> Result<RollupView, ReportError> {
    let elements = data_set(store).await?;
    let subs = store.submissions(call.id).await?;
    let mut rows = Vec::new();
    for t in &call.targets {
        let sent: Vec<&Submission> = subs.iter().filter(|s| s.agency == t.agency).collect();
        rows.push(row_for(call, &t.agency, &sent, today));
    }
    let mut totals = Vec::new();
    for e in &elements {
        let mut total = RollupTotal {
            code: e.code.clone(),
            label: e.label.clone(),
            money: e.money,
            value: 0,
            entered: 0,
            figure: format!("rollup-{}", e.code),
        };
        for r in rows.iter().filter(|r| r.approved) {
            let v = r.values.iter().find(|(c, _)| *c == e.code).map_or(0, |(_, v)| *v);
            total.value = total.value.saturating_add(v);
            if r.entered {
                total.entered = total.entered.saturating_add(v);
            }
        }
        totals.push(total);
    }
    let count = |t: Timeliness| rows.iter().filter(|r| r.timeliness_code == t.code()).count();
    Ok(RollupView {
        call_id: call.id,
        number: call.number.clone(),
        issued_on: call.issued_on,
        subject: call.subject.clone(),
        deadline: call.deadline,
        reported: rows.iter().filter(|r| r.approved).map(|r| r.name.clone()).collect(),
        not_reported: rows.iter().filter(|r| !r.approved).map(|r| r.name.clone()).collect(),
        asked: rows.len(),
        on_time: count(Timeliness::OnTime),
        late: count(Timeliness::Late),
        missing: count(Timeliness::Missing),
        pending: count(Timeliness::Pending),
        rows,
        totals,
    })
}

/// The request of the agency's own for the report's kind and period: the
/// one whose answers its report adds up.
pub async fn call_for_report<S: Store>(
    store: &S,
    agency: &str,
    spec: &ReportSpec,
) -> Result<Option<ReportCall>, ReportError> {
    let Some(period) = spec.period else { return Ok(None) };
    Ok(store
        .calls()
        .await?
        .into_iter()
        .filter(|c| c.owner == agency && c.period == period && c.report_kind == spec.kind)
        .max_by_key(|c| (c.issued_on, c.id)))
}

/// Drill-down lines for a roll-up figure: each approved submission and
/// its value.
pub async fn drill<S: Store>(store: &S, code: &str, ids: &[i64]) -> Result<Vec<crate::DrillRow>, ReportError> {
    let mut out = Vec::new();
    for id in ids {
        if let Some(s) = store.submission(*id).await? {
            let v = s.manifest.value(code).unwrap_or(0);
            out.push(crate::DrillRow {
                id: s.id,
                text: format!(
                    "{} — báo cáo lần {} ({}, {}): {}",
                    s.manifest.agency_name,
                    s.version,
                    s.source.label_vn(),
                    s.status.label_vn(),
                    canhgiac_domain::money::group_thousands(v)
                ),
            });
        }
    }
    Ok(out)
}
