//! `canhgiac report`: the periodic report from the records.

use anyhow::{anyhow, bail, Context, Result};
use canhgiac_domain::{Date, DateRange, Period, ReportKind};
use canhgiac_report::{Format, ReportSpec};
use canhgiac_store::SqlStore;

use crate::{Cli, ReportArgs, ReportSpecArgs};

pub fn spec_of(a: &ReportSpecArgs, agency: Option<&str>) -> Result<ReportSpec> {
    let kind = ReportKind::parse(&a.kind).map_err(|e| anyhow!("--kind: {e}"))?;
    let (period, range) = match (&a.period, &a.from, &a.to) {
        (Some(p), None, None) => (Some(p.parse::<Period>().map_err(|e| anyhow!("--period: {e}"))?), None),
        (None, Some(f), Some(t)) => {
            let f = Date::parse(f).map_err(|e| anyhow!("--from: {e}"))?;
            let t = Date::parse(t).map_err(|e| anyhow!("--to: {e}"))?;
            (None, Some(DateRange::new(f, t).map_err(|e| anyhow!("{e}"))?))
        }
        _ => bail!("cần --period, hoặc cả --from và --to"),
    };
    let date = match &a.date {
        Some(d) => Date::parse(d).map_err(|e| anyhow!("--date: {e}"))?,
        None => Date::today(),
    };
    if a.number == Some(0) {
        bail!("--number phải từ 1 trở lên");
    }
    Ok(ReportSpec {
        agency: agency.map(str::to_owned),
        kind,
        period,
        range,
        number: a.number,
        date,
    })
}

pub fn format_of(a: &ReportSpecArgs) -> Result<Format> {
    if let Some(f) = &a.format {
        return Format::from_extension(f)
            .with_context(|| format!("định dạng «{f}» không hỗ trợ (docx, pdf, html, md, xlsx)"));
    }
    let out = a
        .out
        .as_ref()
        .context("cần --out TỆP (đuôi .docx, .pdf, .html, .md hoặc .xlsx)")?;
    let ext = out.extension().and_then(|e| e.to_str()).unwrap_or_default();
    Format::from_extension(ext).with_context(|| format!("không suy ra được định dạng từ «{}»", out.display()))
}

pub fn template_of(cli: &Cli, a: &ReportSpecArgs, agency: Option<&str>) -> Result<Option<String>> {
    if let Some(p) = &a.template {
        let t = std::fs::read_to_string(p).with_context(|| format!("không đọc được mẫu {}", p.display()))?;
        return Ok(Some(t));
    }
    // A template saved for the agency in the data folder overrides the default.
    if let Some(code) = agency {
        let p = cli.data.join("templates").join(format!("{code}.md.j2"));
        if p.is_file() {
            return Ok(Some(std::fs::read_to_string(&p)?));
        }
    }
    Ok(None)
}

pub async fn run(store: &SqlStore, cli: &Cli, args: &ReportArgs) -> Result<()> {
    use crate::ReportAction;
    match &args.action {
        None | Some(ReportAction::Template) => render(store, cli, args).await,
        Some(ReportAction::Issue { formats }) => issue(store, cli, &args.spec, formats).await,
        Some(ReportAction::List) => list(store).await,
        Some(ReportAction::Get { id, file }) => get(store, *id, file, args.spec.out.as_deref()).await,
        Some(ReportAction::Verify { id }) => verify(store, *id).await,
    }
}

async fn issue(store: &SqlStore, cli: &Cli, a: &ReportSpecArgs, formats: &str) -> Result<()> {
    let spec = spec_of(a, cli.agency.as_deref())?;
    if spec.number.is_none() {
        bail!("báo cáo ban hành cần số văn bản (--number)");
    }
    let mut list = Vec::new();
    for f in formats.split(',').map(str::trim).filter(|f| !f.is_empty()) {
        let format = Format::from_extension(f).with_context(|| format!("định dạng «{f}» không hỗ trợ"))?;
        if format == Format::Pdf && canhgiac_report::pdf::soffice().is_none() {
            eprintln!("Cảnh báo: không có LibreOffice nên bản chốt không kèm PDF.");
            continue;
        }
        list.push(format);
    }
    let template = template_of(cli, a, spec.agency.as_deref().or(store.scope()))?;
    let report = canhgiac_report::build(store, &spec, template.as_deref(), None, true).await?;
    let actor = canhgiac_store::Actor::system("cli:report issue");
    let issued = canhgiac_report::issue(store, &actor, &report, &list).await?;
    println!(
        "Đã ban hành báo cáo {} (phiên bản {}, mã số {}).\nSHA-256: {}",
        issued.number, issued.version, issued.id, issued.sha256
    );
    for f in &issued.files {
        println!("  {}  {} byte  {}", f.name, f.size, f.sha256);
    }
    Ok(())
}

async fn list(store: &SqlStore) -> Result<()> {
    use canhgiac_store::prelude::*;
    let all = store.issued_reports(None).await?;
    if all.is_empty() {
        println!("Chưa có báo cáo nào được ban hành.");
    }
    for r in all {
        println!(
            "{:>4}  {}  phiên bản {}  kỳ {} – {}  ban hành {}  {}",
            r.id,
            r.number,
            r.version,
            r.period_from,
            r.period_to,
            r.issued_at.rfc3339(),
            &r.sha256[..16]
        );
    }
    Ok(())
}

async fn get(store: &SqlStore, id: i64, file: &str, out: Option<&std::path::Path>) -> Result<()> {
    use canhgiac_store::prelude::*;
    let bytes = store
        .issued_report_file(id, file)
        .await?
        .with_context(|| format!("báo cáo mã số {id} không có tệp «{file}»"))?;
    let out = out
        .map(std::path::Path::to_path_buf)
        .unwrap_or_else(|| std::path::PathBuf::from(file));
    std::fs::write(&out, bytes).with_context(|| format!("không ghi được {}", out.display()))?;
    eprintln!("Đã ghi {}.", out.display());
    Ok(())
}

async fn verify(store: &SqlStore, id: i64) -> Result<()> {
    use canhgiac_store::prelude::*;
    if store.verify_issued_report(id).await? {
        println!("Báo cáo mã số {id} nguyên vẹn: mã băm khớp.");
        Ok(())
    } else {
        bail!("báo cáo mã số {id} đã bị thay đổi: mã băm không khớp")
    }
}

async fn render(store: &SqlStore, cli: &Cli, args: &ReportArgs) -> Result<()> {
    let a = &args.spec;
    let spec = spec_of(a, cli.agency.as_deref())?;
    let format = format_of(a)?;
    let template = template_of(cli, a, spec.agency.as_deref().or(store.scope()))?;
    let started = std::time::Instant::now();
    let report = canhgiac_report::build(store, &spec, template.as_deref(), None, false).await?;
    let bytes = report.render(format)?;
    let out = a.out.clone().unwrap_or_else(|| {
        std::path::PathBuf::from(format!(
            "bao-cao-{}.{}",
            report.data.report.period.clone().unwrap_or_else(|| "tuy-chon".into()),
            format.extension()
        ))
    });
    let tmp = out.with_extension(format!("{}.part", format.extension()));
    std::fs::write(&tmp, &bytes).with_context(|| format!("không ghi được {}", tmp.display()))?;
    std::fs::rename(&tmp, &out)?;
    eprintln!(
        "Đã lập báo cáo {} ({}, {} đến {}) vào {} ({} byte, {} ms).",
        report.data.report.symbol,
        report.data.report.period_label,
        report.data.report.from,
        report.data.report.to,
        out.display(),
        bytes.len(),
        started.elapsed().as_millis()
    );
    Ok(())
}
