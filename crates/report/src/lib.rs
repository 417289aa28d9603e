//! The periodic official report.
//!
//! [`build`] computes every figure from the store ([`data`]), renders the
//! agency's template into Markdown ([`template`]), parses it into a
//! document model ([`doc`]), and draws the annex chart; [`Report::render`]
//! then writes DOCX, PDF, HTML, Markdown or the XLSX annex.
//!
//! Invariants:
//! - figures are computed, never typed: the template prints numbers only
//!   through `fig(...)` and the helpers, over data from aggregate queries;
//! - a count and its list come from the same rows (the directives and
//!   their footnote; each figure and its drill-down ids);
//! - the template's output is data, never markup of the output format:
//!   DOCX and HTML escape every character they write.

pub mod annex;
pub mod chart;
pub mod data;
pub mod doc;
pub mod docx;
pub mod html;
pub mod layout;
pub mod markdown;
pub mod pdf;
pub mod rollup;
pub mod telecom;
pub mod template;
pub mod xlsx;

use std::collections::BTreeMap;

use canhgiac_domain::{with_record, Record, RecordKind};
use canhgiac_store::{Store, StoreError};

pub use data::{compute, Figure, ReportData, ReportSpec};
pub use layout::Layout;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{0}")]
    Input(String),
    #[error("Mẫu báo cáo bị lỗi: {0}")]
    Template(String),
    #[error("Không tạo được tệp báo cáo: {0}")]
    Render(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Docx,
    Pdf,
    Html,
    Markdown,
    /// The statistical annex as a workbook.
    Xlsx,
}

impl Format {
    pub fn from_extension(ext: &str) -> Option<Format> {
        match ext.to_ascii_lowercase().as_str() {
            "docx" => Some(Format::Docx),
            "pdf" => Some(Format::Pdf),
            "html" | "htm" => Some(Format::Html),
            "md" | "markdown" => Some(Format::Markdown),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Docx => "docx",
            Format::Pdf => "pdf",
            Format::Html => "html",
            Format::Markdown => "md",
            Format::Xlsx => "xlsx",
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Format::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Format::Pdf => "application/pdf",
            Format::Html => "text/html; charset=utf-8",
            Format::Markdown => "text/markdown; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// One record shown under a figure in the drill-down.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct DrillRow {
    pub id: i64,
    pub text: String,
}

/// A report ready to render.
#[derive(Clone, Debug)]
pub struct Report {
    pub data: ReportData,
    /// The trích yếu.
    pub summary: String,
    /// The narrative as the template produced it.
    pub markdown: String,
    pub doc: doc::Doc,
    pub chart_png: Vec<u8>,
    /// The telecom chart (spam reports per month).
    pub telecom_chart_png: Vec<u8>,
    pub drill: BTreeMap<String, Vec<DrillRow>>,
    pub layout: Layout,
}

/// One line per record behind a figure, fetched in one query per figure.
async fn describe<S: Store>(store: &S, kind: RecordKind, ids: &[i64]) -> Result<Vec<DrillRow>, ReportError> {
    fn rows<R: Record>(list: Vec<canhgiac_store::Stored<R>>) -> Vec<DrillRow> {
        list.into_iter()
            .map(|s| DrillRow {
                id: s.id,
                text: s.record.describe(),
            })
            .collect()
    }
    Ok(with_record!(kind, R => rows(store.get_many::<R>(ids).await?), Vec::new()))
}

/// Computes the data and renders the narrative. `template` replaces the
/// default template; `layout` replaces the agency's layout; `full_ids`
/// keeps every record id behind each figure (for an issued snapshot)
/// instead of the first [`data::DRILL_LIMIT`].
pub async fn build<S: Store>(
    store: &S,
    spec: &ReportSpec,
    template: Option<&str>,
    layout: Option<Layout>,
    full_ids: bool,
) -> Result<Report, ReportError> {
    let started = std::time::Instant::now();
    let data = data::compute(store, spec, full_ids).await?;
    let narrative = template::render(&data, template)?;
    let doc = doc::parse(&narrative.body);
    tracing::debug!(ms = started.elapsed().as_millis() as u64, "template");
    let chart_png = chart::render(&data)?;
    let telecom_chart_png = chart::render_spam(&data)?;
    tracing::debug!(ms = started.elapsed().as_millis() as u64, "chart");
    let mut drill = BTreeMap::new();
    for (id, f) in &data.figures {
        let ids: Vec<i64> = f.ids.iter().take(data::DRILL_LIMIT as usize).copied().collect();
        let rows = match (f.kind, id.strip_prefix("rollup-")) {
            (RecordKind::Submission, Some(code)) => rollup::drill(store, code, &ids).await?,
            _ => describe(store, f.kind, &ids).await?,
        };
        drill.insert(id.clone(), rows);
    }
    tracing::debug!(ms = started.elapsed().as_millis() as u64, "drill-down");
    let data_layout = data.agency.layout.clone();
    Ok(Report {
        data,
        summary: narrative.summary,
        markdown: narrative.body,
        doc,
        chart_png,
        telecom_chart_png,
        drill,
        layout: layout.unwrap_or_else(|| data_layout.clone()),
    })
}

/// Freezes a report built with `full_ids`: renders `formats`, and stores
/// the files with every figure and its record ids as a new version.
pub async fn issue<S: Store>(
    store: &S,
    actor: &canhgiac_store::Actor,
    report: &Report,
    formats: &[Format],
) -> Result<canhgiac_store::IssuedReport, ReportError> {
    let mut files = Vec::new();
    for f in formats {
        let bytes = report.render(*f)?;
        files.push((format!("bao-cao.{}", f.extension()), f.media_type().to_owned(), bytes));
    }
    let d = &report.data;
    let figures = serde_json::to_value(&d.figures).map_err(|e| ReportError::Render(e.to_string()))?;
    let new = canhgiac_store::NewIssuedReport {
        agency: d.agency.code.clone(),
        number: d.report.symbol.clone(),
        year: d.report.date.year(),
        kind: d.report.kind.clone(),
        period: d.report.period.clone(),
        period_from: d.report.from.iso(),
        period_to: d.report.to.iso(),
        signed_on: d.report.date.iso(),
        summary: report.summary.clone(),
        figures,
        files,
    };
    Ok(store.issue_report(actor, &new).await?)
}

impl Report {
    pub fn render(&self, format: Format) -> Result<Vec<u8>, ReportError> {
        match format {
            Format::Docx => docx::render(self),
            Format::Pdf => pdf::from_docx(&docx::render(self)?),
            Format::Html => html::render(self),
            Format::Markdown => markdown::render(self),
            Format::Xlsx => xlsx::render(self),
        }
    }

    /// The text of the report as a reader sees it: summary, body and
    /// footnotes, for checks and search.
    pub fn plain_text(&self) -> String {
        let mut s = format!("{}\n", self.summary);
        for b in &self.doc.blocks {
            let (doc::Block::Heading { inlines, .. } | doc::Block::Para(inlines) | doc::Block::Bullet(inlines)) = b;
            s.push_str(&doc::plain(inlines));
            s.push('\n');
        }
        for (i, f) in self.doc.footnotes.iter().enumerate() {
            s.push_str(&format!("({}) {}\n", i + 1, doc::plain(f)));
        }
        s
    }
}
