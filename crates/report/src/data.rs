//! The report's data: every figure computed from records, with the ids of
//! the records behind it.

use std::collections::{BTreeMap, HashMap};

use canhgiac_domain::{
    numbers, Agency, Case, CaseStatus, Date, DateRange, Directive, Inspection, InspectionSubject, MediaItem, Outlet,
    OutletKind, Period, PlanItem, Programme, Record, RecordKind, ReportKind, ReportRequest, SanctionDecision,
    SubjectKind, Topic,
};
use canhgiac_store::{ListQuery, Store, Stored};
use serde::Serialize;

use crate::ReportError;

/// What to report on.
#[derive(Clone, Debug)]
pub struct ReportSpec {
    /// The agency's code; `None` takes the only agency in the store.
    pub agency: Option<String>,
    pub kind: ReportKind,
    /// A named period, or `None` with `range` set for a custom range.
    pub period: Option<Period>,
    /// The days covered; derived from `period` and the agency's rule when `None`.
    pub range: Option<DateRange>,
    /// The document number (`180` → `180/BC-STTTT`).
    pub number: Option<u32>,
    /// The date the report is signed.
    pub date: Date,
}

/// How many record ids a figure keeps for drill-down when rendering; an
/// issued snapshot keeps them all.
pub const DRILL_LIMIT: u32 = 200;

/// A figure and the records behind it.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Figure {
    pub label: String,
    pub kind: RecordKind,
    pub value: i64,
    /// Ids of the records counted (all of them, or the first
    /// [`DRILL_LIMIT`] when `complete` is false).
    pub ids: Vec<i64>,
    pub complete: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct AgencyView {
    pub code: String,
    pub name: String,
    pub short_name: String,
    pub parent_name: String,
    pub place: String,
    pub symbol: String,
    pub heading_upper: bool,
    pub drafting_unit: Option<String>,
    /// The agency's layout, or the decree's defaults.
    pub layout: canhgiac_domain::layout::Layout,
}

#[derive(Clone, Debug, Serialize)]
pub struct SignerView {
    /// `KT.`, or empty when the head signs.
    pub authority: String,
    pub head_title: String,
    pub position: String,
    pub full_name: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ReportView {
    pub number: Option<u32>,
    /// `180/BC-STTTT`, or `/BC-STTTT` when the number is left blank.
    pub symbol: String,
    pub kind: String,
    pub kind_label: String,
    /// `Sơ kết`, `Tổng kết`, `Kết quả`: the first word of the trích yếu.
    pub kind_title: String,
    /// Whether the report closes with the next period's plan.
    pub with_plan: bool,
    pub date: Date,
    pub from: Date,
    pub to: Date,
    pub period: Option<String>,
    /// `6 tháng đầu năm 2024`
    pub period_label: String,
    /// `6 tháng đầu năm` when the next period's label carries the year.
    pub period_label_short: String,
    pub next_period: Option<String>,
    pub next_period_label: String,
    pub year: i32,
    pub previous_year: i32,
}

#[derive(Clone, Debug, Serialize)]
pub struct RequestView {
    pub number: String,
    pub date: Date,
    pub requester: String,
    pub subject: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct DirectiveView {
    pub id: i64,
    pub number: Option<String>,
    pub kind: String,
    pub date: Date,
    pub title: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct OutletView {
    pub code: String,
    pub name: String,
    /// `tin, bài` or, for the press, `tin, bài, ảnh`.
    pub noun: String,
    /// `đăng tải`, `tuyên truyền`, `phát sóng`.
    pub verb: String,
    pub items: i64,
    pub figure: String,
    pub featured: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ProgrammeView {
    pub name: String,
    pub kind: String,
    pub outlet: String,
    pub outlet_name: String,
    /// `phát sóng định kỳ 01 chuyên mục/tuần, thời lượng 15 phút/1 chuyên mục`
    pub schedule: Option<String>,
    pub co_producer: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ProgrammeGroup {
    pub outlet_name: String,
    pub programmes: Vec<ProgrammeView>,
}

#[derive(Clone, Debug, Serialize)]
pub struct TopicView {
    pub code: String,
    pub ordinal: u32,
    pub name: String,
    pub short_name: String,
    pub total: i64,
    pub figure: String,
    pub previous: Option<i64>,
    pub outlets: Vec<OutletView>,
    /// The programmes that ran, grouped by outlet.
    pub programme_groups: Vec<ProgrammeGroup>,
    pub featured: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Counts {
    pub total: i64,
    pub organisations: i64,
    pub individuals: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct SanctionView {
    pub id: i64,
    pub number: String,
    pub date: Date,
    pub subject_kind: String,
    pub subject_name: String,
    pub violation: String,
    pub fine: i64,
    pub remedies: Vec<String>,
    pub issuer: String,
    pub own: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct CaseView {
    pub id: i64,
    pub code: String,
    pub summary: String,
    pub outcome: Option<String>,
    pub status: String,
    pub sanctions: Vec<SanctionView>,
}

#[derive(Clone, Debug, Serialize)]
pub struct AnnexRow {
    pub outlet: String,
    pub topic: String,
    pub per_month: Vec<i64>,
    pub total: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Annex {
    /// `2024-01`…
    pub months: Vec<String>,
    pub items: Vec<AnnexRow>,
    pub cases_by_status: Vec<(String, i64)>,
    pub sanctions: Vec<SanctionView>,
}

/// Everything the template and the renderers need.
#[derive(Clone, Debug, Serialize)]
pub struct ReportData {
    pub agency: AgencyView,
    pub signer: SignerView,
    pub recipients: Vec<String>,
    pub report: ReportView,
    pub request: Option<RequestView>,
    pub directives: Vec<DirectiveView>,
    pub topics: Vec<TopicView>,
    pub items_total: i64,
    pub inspections: Counts,
    pub inspections_count: i64,
    pub previous_inspections: Option<i64>,
    pub sanctions: Counts,
    pub fine_total: i64,
    pub previous_fine_total: Option<i64>,
    pub previous_sanctions: Option<i64>,
    pub remedies: Vec<String>,
    pub notable_cases: Vec<CaseView>,
    pub plan_items: Vec<String>,
    pub annex: Annex,
    /// Drill-down: figure id → the records behind it.
    pub figures: BTreeMap<String, Figure>,
}

fn all() -> ListQuery {
    ListQuery {
        limit: Some(canhgiac_store::MAX_PAGE),
        ..Default::default()
    }
}

fn in_range(range: DateRange) -> ListQuery {
    ListQuery {
        date_from: Some(range.from),
        date_to: Some(range.to),
        ..all()
    }
}

fn label_of_range(range: DateRange) -> String {
    format!("từ ngày {} đến ngày {}", range.from, range.to)
}

/// Loads every page of a list (lists are capped per page).
async fn list_all<R: Record, S: Store>(store: &S, mut q: ListQuery) -> Result<Vec<Stored<R>>, ReportError> {
    let mut out = Vec::new();
    loop {
        let page = store.list::<R>(&q).await?;
        let n = page.len();
        q.before_id = page.last().map(|s| s.id);
        out.extend(page);
        if n < canhgiac_store::MAX_PAGE as usize {
            break;
        }
    }
    Ok(out)
}

fn top_outlet(outlets: &HashMap<String, Stored<Outlet>>, code: &str) -> String {
    let mut cur = code.to_owned();
    for _ in 0..8 {
        match outlets.get(&cur).and_then(|o| o.record.parent.as_ref()) {
            Some(p) => cur = p.to_string(),
            None => break,
        }
    }
    cur
}

fn months_between(range: DateRange) -> Vec<String> {
    let mut out = Vec::new();
    let (mut y, mut m) = (range.from.year(), range.from.month());
    while (y, m) <= (range.to.year(), range.to.month()) {
        out.push(format!("{y}-{m:02}"));
        if m == 12 {
            y += 1;
            m = 1;
        } else {
            m += 1;
        }
    }
    out
}

fn sanction_view(s: &Stored<SanctionDecision>) -> SanctionView {
    let r = &s.record;
    SanctionView {
        id: s.id,
        number: r.number.to_string(),
        date: r.issued_on,
        subject_kind: r.subject_kind.label_vn().to_owned(),
        subject_name: r.subject_name.to_string(),
        violation: r.violation.to_string(),
        fine: r.fine.get(),
        remedies: r.remedies.iter().map(ToString::to_string).collect(),
        issuer: r.issuer.to_string(),
        own: r.issued_by_agency,
    }
}

fn schedule(p: &Programme) -> Option<String> {
    let c = p.cadence?;
    let unit = match p.kind {
        canhgiac_domain::ProgrammeKind::Page => "số",
        _ => "chuyên mục",
    };
    let mut s = format!(
        "phát sóng định kỳ {} {unit}/{}",
        numbers::count(u64::from(c.count)),
        c.per.label_vn()
    );
    if let Some(d) = p.duration_minutes {
        s.push_str(&format!(", thời lượng {d} phút/1 {unit}"));
    }
    Some(s)
}

fn group_programmes(list: Vec<ProgrammeView>) -> Vec<ProgrammeGroup> {
    let mut groups: Vec<ProgrammeGroup> = Vec::new();
    for p in list {
        match groups.iter_mut().find(|g| g.outlet_name == p.outlet_name) {
            Some(g) => g.programmes.push(p),
            None => groups.push(ProgrammeGroup {
                outlet_name: p.outlet_name.clone(),
                programmes: vec![p],
            }),
        }
    }
    groups
}

fn active_in(p: &Programme, range: DateRange) -> bool {
    p.started_on.is_none_or(|s| s <= range.to) && p.ended_on.is_none_or(|e| e >= range.from)
}

/// Computes the report's data from the store.
pub async fn compute<S: Store>(store: &S, spec: &ReportSpec, full_ids: bool) -> Result<ReportData, ReportError> {
    let id_limit = if full_ids { None } else { Some(DRILL_LIMIT) };
    let started = std::time::Instant::now();
    let lap = |what: &str| tracing::debug!(ms = started.elapsed().as_millis() as u64, "{what}");
    // ----- agency, period, request
    let agencies = list_all::<Agency, S>(store, all()).await?;
    let agency = match &spec.agency {
        Some(code) => agencies
            .iter()
            .find(|a| a.record.code.as_str() == code)
            .ok_or_else(|| ReportError::Input(format!("không có cơ quan mã «{code}»")))?,
        None => match agencies.as_slice() {
            [one] => one,
            [] => {
                return Err(ReportError::Input(
                    "chưa có thông tin cơ quan; hãy nhập dữ liệu cơ quan trước".into(),
                ))
            }
            _ => return Err(ReportError::Input("có nhiều cơ quan; hãy chọn bằng --agency".into())),
        },
    };
    let a = &agency.record;
    let name = a
        .name_on(spec.date)
        .ok_or_else(|| ReportError::Input(format!("cơ quan không có tên hiệu lực vào ngày {}", spec.date)))?;
    let range = match (spec.range, spec.period) {
        (Some(r), _) => r,
        (None, Some(p)) => p.range(a.period_rule),
        (None, None) => return Err(ReportError::Input("cần kỳ báo cáo hoặc khoảng ngày".into())),
    };
    let next = spec.period.map(Period::next);
    let period_label = spec.period.map_or_else(|| label_of_range(range), Period::label_vn);
    let next_period_label = next.map_or_else(|| "kỳ tới".to_owned(), Period::label_vn);
    let period_label_short = match (spec.period, next) {
        (Some(p), Some(n)) if p.year() == n.year() => {
            period_label.trim_end_matches(&format!(" {}", p.year())).to_owned()
        }
        _ => period_label.clone(),
    };
    let agency_view = AgencyView {
        code: a.code.to_string(),
        name: name.name.to_string(),
        short_name: name
            .short_name
            .as_ref()
            .map_or_else(|| name.name.to_string(), ToString::to_string),
        parent_name: name.parent_name.to_string(),
        place: name.place.to_string(),
        symbol: name.symbol.to_string(),
        heading_upper: a.heading_case == canhgiac_domain::HeadingCase::Upper,
        drafting_unit: a.drafting_unit.as_ref().map(ToString::to_string),
        layout: a.layout.clone().unwrap_or_default(),
    };
    let signer = SignerView {
        authority: a.signer.authority.map(|p| p.label_vn().to_owned()).unwrap_or_default(),
        head_title: a.signer.head_title.to_string(),
        position: a.signer.position.to_string(),
        full_name: a.signer.full_name.to_string(),
    };
    let requests = list_all::<ReportRequest, S>(
        store,
        ListQuery {
            filters: vec![("agency".into(), a.code.to_string())],
            ..all()
        },
    )
    .await?;
    let request = requests
        .iter()
        .filter(|r| r.record.report_kind == spec.kind)
        .filter(|r| match (r.record.period, spec.period) {
            (Some(rp), Some(sp)) => rp == sp,
            (None, _) => r.record.issued_on <= spec.date && r.record.issued_on >= range.from,
            _ => false,
        })
        .max_by_key(|r| (r.record.issued_on, r.id))
        .map(|r| RequestView {
            number: r.record.number.to_string(),
            date: r.record.issued_on,
            requester: r.record.requester.to_string(),
            subject: r.record.subject.to_string(),
        });
    let report = ReportView {
        number: spec.number,
        symbol: format!(
            "{}/BC-{}",
            spec.number.map(|n| numbers::count(u64::from(n))).unwrap_or_default(),
            name.symbol
        ),
        kind: spec.kind.code().to_owned(),
        kind_label: spec.kind.label_vn().to_owned(),
        kind_title: match spec.kind {
            ReportKind::HalfYear => "Sơ kết",
            ReportKind::Year => "Tổng kết",
            _ => "Kết quả",
        }
        .to_owned(),
        with_plan: spec.kind != ReportKind::AdHoc && next.is_some(),
        date: spec.date,
        from: range.from,
        to: range.to,
        period: spec.period.map(|p| p.to_string()),
        period_label,
        period_label_short,
        next_period: next.map(|p| p.to_string()),
        next_period_label,
        year: range.to.year(),
        previous_year: range.to.year() - 1,
    };

    let mut figures = BTreeMap::new();
    let mut fig = |id: String, label: String, kind: RecordKind, value: i64, ids: Vec<i64>| {
        let complete = ids.len() as i64 >= value;
        figures.insert(
            id,
            Figure {
                label,
                kind,
                value,
                ids,
                complete,
            },
        );
    };

    // ----- I. directives: the count and the footnote come from the same rows
    let mut directives = list_all::<Directive, S>(store, in_range(range)).await?;
    directives.retain(|d| d.record.issuer == a.code);
    directives.sort_by_key(|d| (d.record.issued_on, d.id));
    let directives: Vec<DirectiveView> = directives
        .iter()
        .map(|d| DirectiveView {
            id: d.id,
            number: d.record.number.as_ref().map(ToString::to_string),
            kind: d.record.kind.label_vn().to_owned(),
            date: d.record.issued_on,
            title: d.record.title.to_string(),
        })
        .collect();
    fig(
        "directives".into(),
        "Văn bản chỉ đạo".into(),
        RecordKind::Directive,
        directives.len() as i64,
        directives.iter().map(|d| d.id).collect(),
    );

    lap("agency, request, directives");
    // ----- II.1 items per topic and outlet
    let outlets: HashMap<String, Stored<Outlet>> = list_all::<Outlet, S>(store, all())
        .await?
        .into_iter()
        .map(|o| (o.record.key(), o))
        .collect();
    let outlet_name = |code: &str| {
        outlets
            .get(code)
            .map_or_else(|| code.to_owned(), |o| o.record.name.to_string())
    };
    // The four aggregate queries are independent: run them at once (the
    // embedded store reads on several connections).
    let (counts, previous_counts, summary, previous) = tokio::try_join!(
        store.item_counts(range),
        store.item_counts(range.previous_year()),
        store.summary(range),
        store.summary(range.previous_year()),
    )?;
    lap("aggregates");
    let mut topics = list_all::<Topic, S>(store, all()).await?;
    topics.sort_by_key(|t| (t.record.ordinal, t.id));
    let mut featured = list_all::<MediaItem, S>(
        store,
        ListQuery {
            filters: vec![("featured".into(), "true".into())],
            ..in_range(range)
        },
    )
    .await?;
    featured.retain(|m| m.record.duplicate_of.is_none());
    featured.sort_by_key(|m| (m.record.published_on, m.id));
    let mut programmes = list_all::<Programme, S>(store, all()).await?;
    programmes.sort_by_key(|p| p.id);
    lap("featured, programmes");
    let months = months_between(range);
    let mut annex_rows: BTreeMap<(String, String), AnnexRow> = BTreeMap::new();
    let mut items_total = 0;
    let mut topic_views = Vec::new();
    for t in &topics {
        let code = t.record.code.to_string();
        let mut per_outlet: BTreeMap<String, i64> = BTreeMap::new();
        for c in counts.iter().filter(|c| c.topic == code) {
            let top = top_outlet(&outlets, &c.outlet);
            *per_outlet.entry(top.clone()).or_default() += c.items;
            let row = annex_rows
                .entry((top.clone(), code.clone()))
                .or_insert_with(|| AnnexRow {
                    outlet: outlet_name(&top),
                    topic: code.clone(),
                    per_month: vec![0; months.len()],
                    total: 0,
                });
            if let Some(i) = months.iter().position(|m| *m == c.month) {
                row.per_month[i] += c.items;
            }
            row.total += c.items;
        }
        let total: i64 = per_outlet.values().sum();
        items_total += total;
        let previous: i64 = previous_counts
            .iter()
            .filter(|c| c.topic == code)
            .map(|c| c.items)
            .sum();
        let topic_fig = format!("items-{code}");
        let ids = store.item_ids(range, Some(&code), &[], id_limit).await?;
        fig(
            topic_fig.clone(),
            format!("Tin, bài về {}", t.record.short_name),
            RecordKind::MediaItem,
            total,
            ids,
        );
        let mut outlet_views = Vec::new();
        let mut ordered: Vec<(String, i64)> = per_outlet.into_iter().collect();
        ordered.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        for (o, n) in ordered {
            let members: Vec<String> = outlets
                .keys()
                .filter(|k| top_outlet(&outlets, k) == o)
                .cloned()
                .collect();
            let ids = store.item_ids(range, Some(&code), &members, id_limit).await?;
            let f = format!("items-{code}-{o}");
            fig(
                f.clone(),
                format!("Tin, bài về {} của {}", t.record.short_name, outlet_name(&o)),
                RecordKind::MediaItem,
                n,
                ids,
            );
            let kind = outlets.get(&o).map(|x| x.record.kind);
            let (noun, verb) = match kind {
                Some(OutletKind::Print | OutletKind::Online | OutletKind::Portal) => ("tin, bài, ảnh", "đăng tải"),
                Some(OutletKind::Grassroots) => ("tin, bài", "phát sóng"),
                _ => ("tin, bài", "tuyên truyền"),
            };
            outlet_views.push(OutletView {
                code: o.clone(),
                name: outlet_name(&o),
                noun: noun.into(),
                verb: verb.into(),
                items: n,
                figure: f,
                featured: featured
                    .iter()
                    .filter(|m| m.record.topics.iter().any(|x| x.as_str() == code))
                    .filter(|m| top_outlet(&outlets, m.record.outlet.as_str()) == o)
                    .map(|m| m.record.title.to_string())
                    .collect(),
            });
        }
        let programme_views: Vec<ProgrammeView> = programmes
            .iter()
            .filter(|p| p.record.topics.iter().any(|x| x.as_str() == code) && active_in(&p.record, range))
            .map(|p| ProgrammeView {
                name: p.record.name.to_string(),
                kind: p.record.kind.label_vn().to_owned(),
                outlet: p.record.outlet.to_string(),
                outlet_name: outlet_name(p.record.outlet.as_str()),
                schedule: schedule(&p.record),
                co_producer: p.record.co_producer.as_ref().map(ToString::to_string),
            })
            .collect();
        topic_views.push(TopicView {
            code: code.clone(),
            ordinal: t.record.ordinal,
            name: t.record.name.to_string(),
            short_name: t.record.short_name.to_string(),
            total,
            figure: topic_fig,
            previous: (previous > 0).then_some(previous),
            outlets: outlet_views,
            programme_groups: group_programmes(programme_views),
            featured: featured
                .iter()
                .filter(|m| m.record.topics.iter().any(|x| x.as_str() == code))
                .map(|m| m.record.title.to_string())
                .collect(),
        });
    }

    lap("topics and item ids");
    // ----- II.2 inspections and sanctions
    let inspections = list_all::<Inspection, S>(store, in_range(range)).await?;
    fig(
        "inspections".into(),
        "Cuộc thanh tra, kiểm tra".into(),
        RecordKind::Inspection,
        summary.inspections,
        inspections.iter().map(|i| i.id).collect(),
    );
    let mut subjects: Vec<Stored<InspectionSubject>> = Vec::new();
    for i in &inspections {
        subjects.extend(
            list_all::<InspectionSubject, S>(
                store,
                ListQuery {
                    filters: vec![("inspection".into(), i.record.code.to_string())],
                    ..all()
                },
            )
            .await?,
        );
    }
    let subject_ids = |k: Option<SubjectKind>| -> Vec<i64> {
        subjects
            .iter()
            .filter(|s| k.is_none_or(|k| s.record.kind == k))
            .map(|s| s.id)
            .collect()
    };
    let si = &summary.inspection_subjects;
    fig(
        "inspection-subjects".into(),
        "Tổ chức, cá nhân được thanh tra, kiểm tra".into(),
        RecordKind::InspectionSubject,
        si.total(),
        subject_ids(None),
    );
    fig(
        "inspection-subjects-org".into(),
        "Tổ chức được thanh tra, kiểm tra".into(),
        RecordKind::InspectionSubject,
        si.organisations,
        subject_ids(Some(SubjectKind::Organisation)),
    );
    fig(
        "inspection-subjects-ind".into(),
        "Cá nhân được thanh tra, kiểm tra".into(),
        RecordKind::InspectionSubject,
        si.individuals,
        subject_ids(Some(SubjectKind::Individual)),
    );
    let mut sanctions = list_all::<SanctionDecision, S>(store, in_range(range)).await?;
    sanctions.sort_by_key(|s| (s.record.issued_on, s.id));
    let own: Vec<&Stored<SanctionDecision>> = sanctions.iter().filter(|s| s.record.issued_by_agency).collect();
    let sanction_ids = |k: Option<SubjectKind>| -> Vec<i64> {
        own.iter()
            .filter(|s| k.is_none_or(|k| s.record.subject_kind == k))
            .map(|s| s.id)
            .collect()
    };
    let sc = &summary.sanctions;
    fig(
        "sanctions".into(),
        "Tổ chức, cá nhân bị xử phạt".into(),
        RecordKind::SanctionDecision,
        sc.total(),
        sanction_ids(None),
    );
    fig(
        "sanctions-org".into(),
        "Tổ chức bị xử phạt".into(),
        RecordKind::SanctionDecision,
        sc.organisations,
        sanction_ids(Some(SubjectKind::Organisation)),
    );
    fig(
        "sanctions-ind".into(),
        "Cá nhân bị xử phạt".into(),
        RecordKind::SanctionDecision,
        sc.individuals,
        sanction_ids(Some(SubjectKind::Individual)),
    );
    fig(
        "fine-total".into(),
        "Tổng số tiền xử phạt (đồng)".into(),
        RecordKind::SanctionDecision,
        summary.fine_total.get(),
        sanction_ids(None),
    );
    let mut remedies: Vec<String> = Vec::new();
    for s in &own {
        for r in &s.record.remedies {
            let r = r.to_string();
            if !remedies.contains(&r) {
                remedies.push(r);
            }
        }
    }

    // Notable cases active in the period, with every sanction in them.
    let all_sanctions = list_all::<SanctionDecision, S>(store, all()).await?;
    let mut cases = list_all::<Case, S>(store, all()).await?;
    cases.retain(|c| c.record.opened_on <= range.to && c.record.closed_on.is_none_or(|d| d >= range.from));
    cases.sort_by_key(|c| (c.record.opened_on, c.id));
    let mut by_status: BTreeMap<CaseStatus, i64> = BTreeMap::new();
    for c in &cases {
        *by_status.entry(c.record.status).or_default() += 1;
    }
    let notable_cases: Vec<CaseView> = cases
        .iter()
        .filter(|c| c.record.notable)
        .map(|c| {
            let mut ss: Vec<SanctionView> = all_sanctions
                .iter()
                .filter(|s| s.record.case.as_ref() == Some(&c.record.code))
                .map(sanction_view)
                .collect();
            ss.sort_by_key(|s| (s.date, s.id));
            CaseView {
                id: c.id,
                code: c.record.code.to_string(),
                summary: c.record.summary.to_string(),
                outcome: c.record.outcome.as_ref().map(ToString::to_string),
                status: c.record.status.label_vn().to_owned(),
                sanctions: ss,
            }
        })
        .collect();
    fig(
        "cases-notable".into(),
        "Vụ việc tiêu biểu".into(),
        RecordKind::Case,
        notable_cases.len() as i64,
        notable_cases.iter().map(|c| c.id).collect(),
    );

    // ----- III. plan items of the next period
    let plan_items = match next {
        Some(n) => {
            let mut p = list_all::<PlanItem, S>(
                store,
                ListQuery {
                    filters: vec![("agency".into(), a.code.to_string()), ("period".into(), n.to_string())],
                    ..all()
                },
            )
            .await?;
            p.sort_by_key(|x| x.record.ordinal);
            p.into_iter().map(|x| x.record.text.to_string()).collect()
        }
        None => Vec::new(),
    };

    lap("enforcement, cases, plan");
    let recipients = a.recipients.iter().map(ToString::to_string).collect();
    let annex = Annex {
        months,
        items: annex_rows.into_values().collect(),
        cases_by_status: by_status
            .into_iter()
            .map(|(s, n)| (s.label_vn().to_owned(), n))
            .collect(),
        sanctions: own.iter().map(|s| sanction_view(s)).collect(),
    };
    Ok(ReportData {
        agency: agency_view,
        signer,
        recipients,
        report,
        request,
        directives,
        topics: topic_views,
        items_total,
        inspections: Counts {
            total: si.total(),
            organisations: si.organisations,
            individuals: si.individuals,
        },
        inspections_count: summary.inspections,
        previous_inspections: (previous.inspections > 0).then_some(previous.inspections),
        sanctions: Counts {
            total: sc.total(),
            organisations: sc.organisations,
            individuals: sc.individuals,
        },
        fine_total: summary.fine_total.get(),
        previous_fine_total: (previous.fine_total.get() > 0).then_some(previous.fine_total.get()),
        previous_sanctions: (previous.sanctions.total() > 0).then_some(previous.sanctions.total()),
        remedies,
        notable_cases,
        plan_items,
        annex,
        figures,
    })
}
