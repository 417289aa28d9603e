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
    /// The value adds up a quantity the records hold (đồng of fines,
    /// messages sent), rather than counting them: its records are all of
    /// `ids`, however large the value.
    pub sum: bool,
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
    /// Partners' sanctions of the period that no notable case cites: named
    /// apart, never added to the agency's own figures.
    pub partner_sanctions: Vec<SanctionView>,
    pub partner_fine_total: i64,
    /// Who issued them, each once, in order.
    pub partner_issuers: Vec<String>,
    pub plan_items: Vec<String>,
    pub annex: Annex,
    /// The approved answers of the agency's children to its request for
    /// this period, added up; `None` when it sent no request.
    pub rollup: Option<crate::rollup::RollupView>,
    /// The telecom work of the period (section II.2).
    pub telecom: crate::telecom::TelecomView,
    /// Drill-down: figure id → the records behind it.
    pub figures: BTreeMap<String, Figure>,
}

pub(crate) fn all() -> ListQuery {
    ListQuery {
        limit: Some(canhgiac_store::MAX_PAGE),
        ..Default::default()
    }
}

pub(crate) fn in_range(range: DateRange) -> ListQuery {
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
pub(crate) async fn list_all<R: Record, S: Store>(store: &S, mut q: ListQuery) -> Result<Vec<Stored<R>>, ReportError> {
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

/// The figures of a report, by id, with the records behind each.
#[derive(Default)]
pub(crate) struct Figures(BTreeMap<String, Figure>);

impl Figures {
    pub(crate) fn add(
        &mut self,
        id: impl Into<String>,
        label: impl Into<String>,
        kind: RecordKind,
        value: i64,
        ids: Vec<i64>,
    ) {
        let f = Figure {
            label: label.into(),
            kind,
            value,
            complete: ids.len() as i64 >= value,
            ids,
            sum: false,
        };
        self.0.insert(id.into(), f);
    }

    /// A figure that adds up a quantity of `ids`' records (every one listed).
    pub(crate) fn add_sum(
        &mut self,
        id: impl Into<String>,
        label: impl Into<String>,
        kind: RecordKind,
        value: i64,
        ids: Vec<i64>,
    ) {
        let f = Figure {
            label: label.into(),
            kind,
            value,
            complete: true,
            ids,
            sum: true,
        };
        self.0.insert(id.into(), f);
    }
}

/// Who reports, for which days, under which number and request.
struct Heading {
    agency: Stored<Agency>,
    range: DateRange,
    next: Option<Period>,
    agency_view: AgencyView,
    signer: SignerView,
    report: ReportView,
    request: Option<RequestView>,
}

async fn pick_agency<S: Store>(store: &S, code: Option<&str>) -> Result<Stored<Agency>, ReportError> {
    let mut agencies = list_all::<Agency, S>(store, all()).await?;
    match code {
        Some(code) => agencies
            .into_iter()
            .find(|a| a.record.code.as_str() == code)
            .ok_or_else(|| ReportError::Input(format!("không có cơ quan mã «{code}»"))),
        None if agencies.len() == 1 => Ok(agencies.remove(0)),
        None if agencies.is_empty() => Err(ReportError::Input(
            "chưa có thông tin cơ quan; hãy nhập dữ liệu cơ quan trước".into(),
        )),
        None => Err(ReportError::Input("có nhiều cơ quan; hãy chọn bằng --agency".into())),
    }
}

fn agency_view(a: &Agency, name: &canhgiac_domain::AgencyName) -> (AgencyView, SignerView) {
    let view = AgencyView {
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
    (view, signer)
}

/// The request this report answers: of the same kind, for the same period
/// (or, without one, issued within the range before the report's date).
async fn find_request<S: Store>(
    store: &S,
    a: &Agency,
    spec: &ReportSpec,
    range: DateRange,
) -> Result<Option<RequestView>, ReportError> {
    let requests = list_all::<ReportRequest, S>(
        store,
        ListQuery {
            filters: vec![("agency".into(), a.code.to_string())],
            ..all()
        },
    )
    .await?;
    let typed = requests
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
    if typed.is_some() {
        return Ok(typed);
    }
    // Otherwise a request the parent agency sent here through the system.
    Ok(store
        .calls()
        .await?
        .into_iter()
        .filter(|c| c.asks(a.code.as_str()) && c.report_kind == spec.kind && Some(c.period) == spec.period)
        .max_by_key(|c| (c.issued_on, c.id))
        .map(|c| RequestView {
            number: c.number,
            date: c.issued_on,
            requester: c.owner_name,
            subject: c.subject,
        }))
}

fn report_view(spec: &ReportSpec, range: DateRange, next: Option<Period>, symbol: &str) -> ReportView {
    let period_label = spec.period.map_or_else(|| label_of_range(range), Period::label_vn);
    let period_label_short = match (spec.period, next) {
        (Some(p), Some(n)) if p.year() == n.year() => {
            period_label.trim_end_matches(&format!(" {}", p.year())).to_owned()
        }
        _ => period_label.clone(),
    };
    ReportView {
        number: spec.number,
        // A draft without a number leaves room for the clerk to write it
        // in when the report is issued (`Số:      /BC-STTTT`), as drafts do.
        symbol: format!(
            "{}/BC-{symbol}",
            spec.number
                .map_or_else(|| "\u{a0}".repeat(6), |n| numbers::count(u64::from(n)))
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
        next_period_label: next.map_or_else(|| "kỳ tới".to_owned(), Period::label_vn),
        year: range.to.year(),
        previous_year: range.to.year() - 1,
    }
}

async fn heading<S: Store>(store: &S, spec: &ReportSpec) -> Result<Heading, ReportError> {
    let agency = pick_agency(store, spec.agency.as_deref()).await?;
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
    let (agency_view, signer) = agency_view(a, name);
    let report = report_view(spec, range, next, name.symbol.as_str());
    let request = find_request(store, a, spec, range).await?;
    Ok(Heading {
        agency,
        range,
        next,
        agency_view,
        signer,
        report,
        request,
    })
}

/// Section I: the directives the agency issued; the count and the
/// footnote come from the same rows.
async fn directives<S: Store>(store: &S, h: &Heading, figs: &mut Figures) -> Result<Vec<DirectiveView>, ReportError> {
    let mut directives = list_all::<Directive, S>(store, in_range(h.range)).await?;
    directives.retain(|d| d.record.issuer == h.agency.record.code);
    directives.sort_by_key(|d| (d.record.issued_on, d.id));
    let views: Vec<DirectiveView> = directives
        .iter()
        .map(|d| DirectiveView {
            id: d.id,
            number: d.record.number.as_ref().map(ToString::to_string),
            kind: d.record.kind.label_vn().to_owned(),
            date: d.record.issued_on,
            title: d.record.title.to_string(),
        })
        .collect();
    figs.add(
        "directives",
        "Văn bản chỉ đạo",
        RecordKind::Directive,
        views.len() as i64,
        views.iter().map(|d| d.id).collect(),
    );
    Ok(views)
}

/// What section II.1 works from: outlets, counts, featured items, programmes.
struct ItemSources {
    outlets: HashMap<String, Stored<Outlet>>,
    counts: Vec<canhgiac_store::ItemCount>,
    previous_counts: Vec<canhgiac_store::ItemCount>,
    topics: Vec<Stored<Topic>>,
    featured: Vec<Stored<MediaItem>>,
    programmes: Vec<Stored<Programme>>,
}

impl ItemSources {
    fn outlet_name(&self, code: &str) -> String {
        self.outlets
            .get(code)
            .map_or_else(|| code.to_owned(), |o| o.record.name.to_string())
    }

    fn featured_titles(&self, topic: &str, outlet: Option<&str>) -> Vec<String> {
        self.featured
            .iter()
            .filter(|m| m.record.topics.iter().any(|x| x.as_str() == topic))
            .filter(|m| outlet.is_none_or(|o| top_outlet(&self.outlets, m.record.outlet.as_str()) == o))
            .map(|m| m.record.title.to_string())
            .collect()
    }
}

async fn item_sources<S: Store>(store: &S, range: DateRange) -> Result<ItemSources, ReportError> {
    let outlets = list_all::<Outlet, S>(store, all())
        .await?
        .into_iter()
        .map(|o| (o.record.key(), o))
        .collect();
    let (counts, previous_counts) =
        tokio::try_join!(store.item_counts(range), store.item_counts(range.previous_year()))?;
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
    Ok(ItemSources {
        outlets,
        counts,
        previous_counts,
        topics,
        featured,
        programmes,
    })
}

/// Section II.1: items per topic and outlet, and the annex's item table.
struct ItemSection {
    topics: Vec<TopicView>,
    total: i64,
    months: Vec<String>,
    annex: Vec<AnnexRow>,
}

async fn items<S: Store>(
    store: &S,
    range: DateRange,
    id_limit: Option<u32>,
    figs: &mut Figures,
) -> Result<ItemSection, ReportError> {
    let src = item_sources(store, range).await?;
    let months = months_between(range);
    let mut annex: BTreeMap<(String, String), AnnexRow> = BTreeMap::new();
    let mut total = 0;
    let mut topics = Vec::new();
    for t in &src.topics {
        let code = t.record.code.to_string();
        let mut per_outlet: BTreeMap<String, i64> = BTreeMap::new();
        for c in src.counts.iter().filter(|c| c.topic == code) {
            let top = top_outlet(&src.outlets, &c.outlet);
            *per_outlet.entry(top.clone()).or_default() += c.items;
            let row = annex.entry((top.clone(), code.clone())).or_insert_with(|| AnnexRow {
                outlet: src.outlet_name(&top),
                topic: code.clone(),
                per_month: vec![0; months.len()],
                total: 0,
            });
            if let Some(i) = months.iter().position(|m| *m == c.month) {
                row.per_month[i] += c.items;
            }
            row.total += c.items;
        }
        let view = topic(store, &src, t, per_outlet, range, id_limit, figs).await?;
        total += view.total;
        topics.push(view);
    }
    Ok(ItemSection {
        topics,
        total,
        months,
        annex: annex.into_values().collect(),
    })
}

/// One topic of section II.1: its outlets, featured titles and programmes.
async fn topic<S: Store>(
    store: &S,
    src: &ItemSources,
    t: &Stored<Topic>,
    per_outlet: BTreeMap<String, i64>,
    range: DateRange,
    id_limit: Option<u32>,
    figs: &mut Figures,
) -> Result<TopicView, ReportError> {
    let code = t.record.code.to_string();
    let total: i64 = per_outlet.values().sum();
    let previous: i64 = src
        .previous_counts
        .iter()
        .filter(|c| c.topic == code)
        .map(|c| c.items)
        .sum();
    let topic_fig = format!("items-{code}");
    let ids = store.item_ids(range, Some(&code), &[], id_limit).await?;
    figs.add(
        topic_fig.clone(),
        format!("Tin, bài về {}", t.record.short_name),
        RecordKind::MediaItem,
        total,
        ids,
    );
    let mut outlets = Vec::new();
    let mut ordered: Vec<(String, i64)> = per_outlet.into_iter().collect();
    ordered.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    for (o, n) in ordered {
        let members: Vec<String> = src
            .outlets
            .keys()
            .filter(|k| top_outlet(&src.outlets, k) == o)
            .cloned()
            .collect();
        let ids = store.item_ids(range, Some(&code), &members, id_limit).await?;
        let f = format!("items-{code}-{o}");
        figs.add(
            f.clone(),
            format!("Tin, bài về {} của {}", t.record.short_name, src.outlet_name(&o)),
            RecordKind::MediaItem,
            n,
            ids,
        );
        let (noun, verb) = match src.outlets.get(&o).map(|x| x.record.kind) {
            Some(OutletKind::Print | OutletKind::Online | OutletKind::Portal) => ("tin, bài, ảnh", "đăng tải"),
            Some(OutletKind::Grassroots) => ("tin, bài", "phát sóng"),
            _ => ("tin, bài", "tuyên truyền"),
        };
        outlets.push(OutletView {
            code: o.clone(),
            name: src.outlet_name(&o),
            noun: noun.into(),
            verb: verb.into(),
            items: n,
            figure: f,
            featured: src.featured_titles(&code, Some(&o)),
        });
    }
    let programmes: Vec<ProgrammeView> = src
        .programmes
        .iter()
        .filter(|p| p.record.topics.iter().any(|x| x.as_str() == code) && active_in(&p.record, range))
        .map(|p| ProgrammeView {
            name: p.record.name.to_string(),
            kind: p.record.kind.label_vn().to_owned(),
            outlet: p.record.outlet.to_string(),
            outlet_name: src.outlet_name(p.record.outlet.as_str()),
            schedule: schedule(&p.record),
            co_producer: p.record.co_producer.as_ref().map(ToString::to_string),
        })
        .collect();
    Ok(TopicView {
        code: code.clone(),
        ordinal: t.record.ordinal,
        name: t.record.name.to_string(),
        short_name: t.record.short_name.to_string(),
        total,
        figure: topic_fig,
        previous: (previous > 0).then_some(previous),
        outlets,
        programme_groups: group_programmes(programmes),
        featured: src.featured_titles(&code, None),
    })
}

/// Section II.2: inspections with their subjects, and the agency's own
/// sanctions with their remedies.
struct Enforcement {
    inspections: Counts,
    inspections_count: i64,
    previous_inspections: Option<i64>,
    sanctions: Counts,
    fine_total: i64,
    previous_fine_total: Option<i64>,
    previous_sanctions: Option<i64>,
    remedies: Vec<String>,
    own_sanctions: Vec<SanctionView>,
    /// Every partner's sanction of the period.
    partner_sanctions: Vec<SanctionView>,
}

fn counts_of(c: &canhgiac_store::CountByKind) -> Counts {
    Counts {
        total: c.total(),
        organisations: c.organisations,
        individuals: c.individuals,
    }
}

/// Adds a figure in three: everyone, organisations, individuals.
fn by_subject_kind<T>(
    figs: &mut Figures,
    id: &str,
    labels: [&str; 3],
    kind: RecordKind,
    counts: &canhgiac_store::CountByKind,
    rows: &[(i64, SubjectKind, T)],
) {
    let ids = |k: Option<SubjectKind>| -> Vec<i64> {
        rows.iter()
            .filter(|(_, sk, _)| k.is_none_or(|k| *sk == k))
            .map(|(id, _, _)| *id)
            .collect()
    };
    figs.add(id, labels[0], kind, counts.total(), ids(None));
    figs.add(
        format!("{id}-org"),
        labels[1],
        kind,
        counts.organisations,
        ids(Some(SubjectKind::Organisation)),
    );
    figs.add(
        format!("{id}-ind"),
        labels[2],
        kind,
        counts.individuals,
        ids(Some(SubjectKind::Individual)),
    );
}

async fn enforcement<S: Store>(store: &S, range: DateRange, figs: &mut Figures) -> Result<Enforcement, ReportError> {
    let (summary, previous) = tokio::try_join!(store.summary(range), store.summary(range.previous_year()))?;
    let inspections = list_all::<Inspection, S>(store, in_range(range)).await?;
    figs.add(
        "inspections",
        "Cuộc thanh tra, kiểm tra",
        RecordKind::Inspection,
        summary.inspections,
        inspections.iter().map(|i| i.id).collect(),
    );
    let mut subjects = Vec::new();
    for i in &inspections {
        let q = ListQuery {
            filters: vec![("inspection".into(), i.record.code.to_string())],
            ..all()
        };
        for s in list_all::<InspectionSubject, S>(store, q).await? {
            subjects.push((s.id, s.record.kind, ()));
        }
    }
    by_subject_kind(
        figs,
        "inspection-subjects",
        [
            "Tổ chức, cá nhân được thanh tra, kiểm tra",
            "Tổ chức được thanh tra, kiểm tra",
            "Cá nhân được thanh tra, kiểm tra",
        ],
        RecordKind::InspectionSubject,
        &summary.inspection_subjects,
        &subjects,
    );
    let mut sanctions = list_all::<SanctionDecision, S>(store, in_range(range)).await?;
    sanctions.sort_by_key(|s| (s.record.issued_on, s.id));
    let partner_sanctions = sanctions
        .iter()
        .filter(|s| !s.record.issued_by_agency)
        .map(sanction_view)
        .collect();
    sanctions.retain(|s| s.record.issued_by_agency);
    let own: Vec<(i64, SubjectKind, &Stored<SanctionDecision>)> =
        sanctions.iter().map(|s| (s.id, s.record.subject_kind, s)).collect();
    by_subject_kind(
        figs,
        "sanctions",
        [
            "Tổ chức, cá nhân bị xử phạt",
            "Tổ chức bị xử phạt",
            "Cá nhân bị xử phạt",
        ],
        RecordKind::SanctionDecision,
        &summary.sanctions,
        &own,
    );
    figs.add_sum(
        "fine-total",
        "Tổng số tiền xử phạt (đồng)",
        RecordKind::SanctionDecision,
        summary.fine_total.get(),
        own.iter().map(|(id, _, _)| *id).collect(),
    );
    let mut remedies: Vec<String> = Vec::new();
    for r in sanctions.iter().flat_map(|s| &s.record.remedies) {
        let r = r.to_string();
        if !remedies.contains(&r) {
            remedies.push(r);
        }
    }
    let positive = |n: i64| (n > 0).then_some(n);
    Ok(Enforcement {
        inspections: counts_of(&summary.inspection_subjects),
        inspections_count: summary.inspections,
        previous_inspections: positive(previous.inspections),
        sanctions: counts_of(&summary.sanctions),
        fine_total: summary.fine_total.get(),
        previous_fine_total: positive(previous.fine_total.get()),
        previous_sanctions: positive(previous.sanctions.total()),
        remedies,
        own_sanctions: sanctions.iter().map(sanction_view).collect(),
        partner_sanctions,
    })
}

/// Notable cases active in the period, with every sanction in them, and
/// the cases of the period by status.
async fn cases<S: Store>(
    store: &S,
    range: DateRange,
    figs: &mut Figures,
) -> Result<(Vec<CaseView>, Vec<(String, i64)>), ReportError> {
    let all_sanctions = list_all::<SanctionDecision, S>(store, all()).await?;
    let mut cases = list_all::<Case, S>(store, all()).await?;
    cases.retain(|c| c.record.opened_on <= range.to && c.record.closed_on.is_none_or(|d| d >= range.from));
    cases.sort_by_key(|c| (c.record.opened_on, c.id));
    let mut by_status: BTreeMap<CaseStatus, i64> = BTreeMap::new();
    for c in &cases {
        *by_status.entry(c.record.status).or_default() += 1;
    }
    let notable: Vec<CaseView> = cases
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
    figs.add(
        "cases-notable",
        "Vụ việc tiêu biểu",
        RecordKind::Case,
        notable.len() as i64,
        notable.iter().map(|c| c.id).collect(),
    );
    let by_status = by_status
        .into_iter()
        .map(|(s, n)| (s.label_vn().to_owned(), n))
        .collect();
    Ok((notable, by_status))
}

/// The partners' sanctions of the period that the notable cases' footnote
/// does not already cite, with their figures: a partner's decision is
/// reported whether or not a case links it, and never counted as the
/// agency's own.
fn uncited_partner_sanctions(
    partner: Vec<SanctionView>,
    notable: &[CaseView],
    figs: &mut Figures,
) -> Vec<SanctionView> {
    let cited = |id: i64| notable.iter().any(|c| c.sanctions.iter().any(|s| s.id == id));
    let uncited: Vec<SanctionView> = partner.into_iter().filter(|s| !cited(s.id)).collect();
    let ids: Vec<i64> = uncited.iter().map(|s| s.id).collect();
    figs.add(
        "partner-sanctions",
        "Tổ chức, cá nhân bị cơ quan phối hợp xử phạt",
        RecordKind::SanctionDecision,
        uncited.len() as i64,
        ids.clone(),
    );
    figs.add_sum(
        "partner-fine-total",
        "Tổng số tiền cơ quan phối hợp xử phạt (đồng)",
        RecordKind::SanctionDecision,
        uncited.iter().map(|s| s.fine).sum(),
        ids,
    );
    uncited
}

/// Section III: the agency's tasks for the next period.
async fn plan<S: Store>(store: &S, agency: &Agency, next: Option<Period>) -> Result<Vec<String>, ReportError> {
    let Some(n) = next else { return Ok(Vec::new()) };
    let mut p = list_all::<PlanItem, S>(
        store,
        ListQuery {
            filters: vec![
                ("agency".into(), agency.code.to_string()),
                ("period".into(), n.to_string()),
            ],
            ..all()
        },
    )
    .await?;
    p.sort_by_key(|x| x.record.ordinal);
    Ok(p.into_iter().map(|x| x.record.text.to_string()).collect())
}

/// Computes the report's data from the store, section by section.
pub async fn compute<S: Store>(store: &S, spec: &ReportSpec, full_ids: bool) -> Result<ReportData, ReportError> {
    let id_limit = if full_ids { None } else { Some(DRILL_LIMIT) };
    let started = std::time::Instant::now();
    let lap = |what: &str| tracing::debug!(ms = started.elapsed().as_millis() as u64, "{what}");
    let mut figs = Figures::default();
    let h = heading(store, spec).await?;
    let directives = directives(store, &h, &mut figs).await?;
    lap("heading, directives");
    let items = items(store, h.range, id_limit, &mut figs).await?;
    lap("items");
    let e = enforcement(store, h.range, &mut figs).await?;
    let (notable_cases, cases_by_status) = cases(store, h.range, &mut figs).await?;
    let partner_sanctions = uncited_partner_sanctions(e.partner_sanctions, &notable_cases, &mut figs);
    let partner_fine_total = partner_sanctions.iter().map(|s| s.fine).sum();
    let mut partner_issuers: Vec<String> = Vec::new();
    for s in &partner_sanctions {
        if !partner_issuers.contains(&s.issuer) {
            partner_issuers.push(s.issuer.clone());
        }
    }
    let plan_items = plan(store, &h.agency.record, h.next).await?;
    let telecom = crate::telecom::telecom(store, h.range, &mut figs).await?;
    lap("enforcement, cases, plan");
    let rollup = rollup_section(store, spec, &h, &mut figs).await?;
    Ok(ReportData {
        recipients: h.agency.record.recipients.iter().map(ToString::to_string).collect(),
        agency: h.agency_view,
        signer: h.signer,
        report: h.report,
        request: h.request,
        directives,
        topics: items.topics,
        items_total: items.total,
        inspections: e.inspections,
        inspections_count: e.inspections_count,
        previous_inspections: e.previous_inspections,
        sanctions: e.sanctions,
        fine_total: e.fine_total,
        previous_fine_total: e.previous_fine_total,
        previous_sanctions: e.previous_sanctions,
        remedies: e.remedies,
        notable_cases,
        partner_sanctions,
        partner_fine_total,
        partner_issuers,
        plan_items,
        annex: Annex {
            months: items.months,
            items: items.annex,
            cases_by_status,
            sanctions: e.own_sanctions,
        },
        rollup,
        telecom,
        figures: figs.0,
    })
}

/// The roll-up of the children's approved answers, with a figure per
/// data-set element whose drill-down lists the submissions.
async fn rollup_section<S: Store>(
    store: &S,
    spec: &ReportSpec,
    h: &Heading,
    figs: &mut Figures,
) -> Result<Option<crate::rollup::RollupView>, ReportError> {
    let code = h.agency.record.code.to_string();
    let Some(call) = crate::rollup::call_for_report(store, &code, spec).await? else {
        return Ok(None);
    };
    let view = crate::rollup::rollup(store, &call, Date::today()).await?;
    for t in &view.totals {
        let ids: Vec<i64> = view
            .rows
            .iter()
            .filter(|r| r.approved && r.values.iter().any(|(c, v)| *c == t.code && *v != 0))
            .filter_map(|r| r.submission)
            .collect();
        figs.0.insert(
            t.figure.clone(),
            Figure {
                label: format!("{} (tổng hợp)", t.label),
                kind: RecordKind::Submission,
                value: t.value,
                complete: true,
                // A total of the children's figures, whatever they count.
                sum: true,
                ids,
            },
        );
    }
    Ok(Some(view))
}
