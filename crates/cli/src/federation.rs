//! Requests to member agencies, their answers, review, signing keys, and
//! the files that carry requests and signed answers between installations.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{anyhow, Context, Result};
use canhgiac_domain::numbers::count;
use canhgiac_domain::{Date, Period, ReportKind, Timestamp};
use canhgiac_report::rollup;
use canhgiac_store::prelude::*;
use canhgiac_store::{Actor, Decision, NewCall, ReportCall, SqlStore};
use clap::Subcommand;

#[derive(Subcommand, Debug)]
pub enum RequestAction {
    /// Gửi yêu cầu báo cáo tới các cơ quan, đơn vị trực thuộc hoặc thành viên.
    Send {
        /// Số, ký hiệu: 2023/BCĐ-CAT.
        #[arg(long)]
        number: String,
        /// Ngày ban hành (dd/mm/yyyy).
        #[arg(long)]
        issued_on: String,
        /// Nội dung yêu cầu.
        #[arg(long)]
        subject: String,
        /// Kỳ báo cáo: 2024-H1, 2024-Q2…
        #[arg(long)]
        period: String,
        /// Loại báo cáo: so-ket, tong-ket, quy, thang, dot-xuat.
        #[arg(long, default_value = "so-ket")]
        kind: String,
        /// Hạn gửi (dd/mm/yyyy).
        #[arg(long)]
        deadline: String,
        /// Mã các đơn vị được yêu cầu, cách nhau bởi dấu phẩy; bỏ trống: tất cả.
        #[arg(long)]
        to: Option<String>,
        /// Phần thuyết minh yêu cầu: chi-dao, tuyen-truyen, dau-tranh, kho-khan, phuong-huong.
        #[arg(long)]
        sections: Option<String>,
    },
    /// Danh sách yêu cầu đã gửi và nhận.
    List,
    /// Tình hình gửi báo cáo của từng đơn vị.
    Status {
        #[arg(long)]
        id: i64,
    },
    /// Xuất yêu cầu ra tệp để đơn vị dùng hệ thống riêng nhập vào.
    Export {
        #[arg(long)]
        id: i64,
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Nhập yêu cầu nhận từ cơ quan cấp trên (tệp do `request export` tạo).
    Import { file: std::path::PathBuf },
}

#[derive(Subcommand, Debug)]
pub enum SubmissionAction {
    /// Gửi báo cáo trả lời yêu cầu: tính từ hồ sơ, hoặc từ biểu số liệu (--figures).
    Answer {
        /// Mã số yêu cầu.
        #[arg(long)]
        request: i64,
        /// Biểu số liệu CSV/XLSX (đơn vị không cập nhật hồ sơ trên hệ thống).
        #[arg(long)]
        figures: Option<std::path::PathBuf>,
        /// Đơn vị được nhập thay (khi cơ quan cấp trên nhập số liệu cho đơn vị).
        #[arg(long = "for")]
        for_agency: Option<String>,
        /// Giải trình: mã-quy-tắc=nội dung (lặp lại được).
        #[arg(long)]
        explain: Vec<String>,
        /// Số của báo cáo được ban hành kèm (180 → 180/BC-…).
        #[arg(long)]
        number: Option<u32>,
    },
    /// Các lần gửi báo cáo của một yêu cầu.
    List {
        #[arg(long)]
        request: i64,
    },
    /// Duyệt báo cáo.
    Approve {
        #[arg(long)]
        id: i64,
    },
    /// Trả lại báo cáo để bổ sung.
    Return {
        #[arg(long)]
        id: i64,
        #[arg(long)]
        comment: String,
    },
    /// Xuất báo cáo thành gói ký số (Ed25519) để gửi sang hệ thống của cơ quan cấp trên.
    Export {
        #[arg(long)]
        id: i64,
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Tiếp nhận gói báo cáo ký số của đơn vị.
    Import { file: std::path::PathBuf },
}

#[derive(Subcommand, Debug)]
pub enum KeyAction {
    /// Tạo khóa ký cho cơ quan đang chọn (--agency); in khóa công khai để gửi cơ quan cấp trên.
    Generate,
    /// Đăng ký khóa công khai của một đơn vị.
    Register {
        #[arg(long = "for")]
        agency: String,
        #[arg(long)]
        public_key: String,
    },
    /// Các khóa đã đăng ký của một đơn vị.
    List {
        #[arg(long = "for")]
        agency: String,
    },
}

pub(crate) fn actor(origin: &str) -> Actor {
    Actor::new(whoami(), origin)
}

fn whoami() -> String {
    std::env::var("USER").unwrap_or_else(|_| "cli".into())
}

fn date(s: &str, label: &str) -> Result<Date> {
    Date::parse(s).map_err(|e| anyhow!("{label}: {}", e.message))
}

pub async fn request(store: &SqlStore, action: &RequestAction) -> Result<()> {
    match action {
        RequestAction::Send {
            number,
            issued_on,
            subject,
            period,
            kind,
            deadline,
            to,
            sections,
        } => {
            let split = |s: &Option<String>| -> Vec<String> {
                s.as_deref()
                    .unwrap_or("")
                    .split(',')
                    .map(str::trim)
                    .filter(|x| !x.is_empty())
                    .map(str::to_owned)
                    .collect()
            };
            let new = NewCall {
                number: number.clone(),
                issued_on: date(issued_on, "ngày ban hành")?,
                subject: subject.clone(),
                report_kind: ReportKind::parse(kind).map_err(|e| anyhow!("{}", e.message))?,
                period: period.parse::<Period>().map_err(|e| anyhow!("{}", e.message))?,
                deadline: date(deadline, "hạn gửi")?,
                sections: split(sections),
                targets: split(to),
            };
            let c = store.call_send(&actor("cli"), &new).await?;
            println!(
                "Đã gửi yêu cầu số {} (mã số {}) tới {} đơn vị:",
                c.number,
                c.id,
                count(c.targets.len() as u64)
            );
            for t in &c.targets {
                println!("  - {}", t.name);
            }
        }
        RequestAction::List => {
            for c in store.calls().await? {
                println!(
                    "{}\t{} ngày {}\t{}\t{} — {}\thạn {}",
                    c.id,
                    c.number,
                    c.issued_on,
                    c.owner_name,
                    c.report_kind.label_vn(),
                    c.period.label_vn(),
                    c.deadline
                );
            }
        }
        RequestAction::Status { id } => status(store, *id).await?,
        RequestAction::Export { id, out } => {
            let c = store
                .call(*id)
                .await?
                .with_context(|| format!("không có yêu cầu mã số {id}"))?;
            std::fs::write(out, serde_json::to_vec_pretty(&c)?)
                .with_context(|| format!("không ghi được {}", out.display()))?;
            println!("Đã xuất yêu cầu số {} ra {}", c.number, out.display());
        }
        RequestAction::Import { file } => {
            let bytes = canhgiac_interchange::read_limited(file).map_err(|e| anyhow!("{e}"))?;
            let c: ReportCall = serde_json::from_slice(&bytes)
                .map_err(|e| anyhow!("tệp {} không phải yêu cầu báo cáo hợp lệ: {e}", file.display()))?;
            let got = store.call_receive(&actor("cli:request import"), &c).await?;
            println!(
                "Đã nhận yêu cầu số {} của {} (mã số {}), hạn gửi {}",
                got.number, got.owner_name, got.id, got.deadline
            );
        }
    }
    Ok(())
}

async fn status(store: &SqlStore, id: i64) -> Result<()> {
    let c = store
        .call(id)
        .await?
        .with_context(|| format!("không có yêu cầu mã số {id}"))?;
    let view = rollup::rollup(store, &c, Date::today()).await?;
    println!("Yêu cầu số {} ngày {} — hạn gửi {}", c.number, c.issued_on, c.deadline);
    println!(
        "Đã duyệt {}/{}; đúng hạn {}, muộn {}, quá hạn chưa gửi {}, chưa đến hạn {}",
        count(view.reported.len() as u64),
        count(view.asked as u64),
        count(view.on_time as u64),
        count(view.late as u64),
        count(view.missing as u64),
        count(view.pending as u64)
    );
    for r in &view.rows {
        println!(
            "  {}\t{}\t{}{}",
            r.name,
            r.timeliness,
            r.status.as_deref().unwrap_or("chưa gửi"),
            r.submission.map(|s| format!(" (mã số {s})")).unwrap_or_default()
        );
    }
    Ok(())
}

fn explanations(list: &[String]) -> Result<BTreeMap<String, String>> {
    list.iter()
        .map(|e| {
            let (k, v) = e
                .split_once('=')
                .with_context(|| format!("giải trình «{e}» cần dạng mã-quy-tắc=nội dung"))?;
            Ok((k.trim().to_owned(), v.trim().to_owned()))
        })
        .collect()
}

pub async fn submission(store: &SqlStore, action: &SubmissionAction) -> Result<()> {
    match action {
        SubmissionAction::Answer {
            request,
            figures,
            for_agency,
            explain,
            number,
        } => {
            answer(
                store,
                *request,
                figures.as_deref(),
                for_agency.as_deref(),
                explain,
                *number,
            )
            .await?
        }
        SubmissionAction::List { request } => {
            for s in store.submissions(*request).await? {
                println!(
                    "{}\t{}\tlần {}\t{}\t{}\t{}",
                    s.id,
                    s.manifest.agency_name,
                    s.version,
                    s.submitted_at.vn_text(),
                    s.source.label_vn(),
                    s.status.label_vn()
                );
            }
        }
        SubmissionAction::Approve { id } => {
            let s = store.decide(&actor("cli"), *id, &Decision::Approve).await?;
            println!("Đã duyệt báo cáo lần {} của {}", s.version, s.manifest.agency_name);
        }
        SubmissionAction::Return { id, comment } => {
            let s = store
                .decide(&actor("cli"), *id, &Decision::Return(comment.clone()))
                .await?;
            println!("Đã trả lại báo cáo lần {} của {}", s.version, s.manifest.agency_name);
        }
        SubmissionAction::Export { id, out } => export(store, *id, out).await?,
        SubmissionAction::Import { file } => {
            let bytes = canhgiac_interchange::read_limited(file).map_err(|e| anyhow!("{e}"))?;
            let s = canhgiac_web::pages::receive_package(store, &actor("cli:submission import"), &bytes)
                .await
                .map_err(|e| anyhow!("{}", e.public_message()))?;
            println!(
                "Đã tiếp nhận báo cáo lần {} của {} (mã số {}), đã kiểm tra chữ ký số; chờ duyệt",
                s.version, s.manifest.agency_name, s.id
            );
        }
    }
    Ok(())
}

async fn answer(
    store: &SqlStore,
    request: i64,
    figures: Option<&Path>,
    for_agency: Option<&str>,
    explain: &[String],
    number: Option<u32>,
) -> Result<()> {
    let c = store
        .call(request)
        .await?
        .with_context(|| format!("không có yêu cầu mã số {request}"))?;
    let explanations = explanations(explain)?;
    let s = match figures {
        None => {
            rollup::answer_from_records(
                store,
                &actor("cli"),
                &c,
                BTreeMap::new(),
                &explanations,
                Timestamp::now(),
                number,
            )
            .await?
        }
        Some(file) => {
            let agency = for_agency
                .or(store.scope())
                .context("hãy chọn đơn vị (--agency hoặc --for)")?
                .to_owned();
            let bytes = canhgiac_interchange::read_limited(file).map_err(|e| anyhow!("{e}"))?;
            let elements = rollup::data_set(store).await?;
            let name = canhgiac_interchange::display_name(file);
            let values =
                canhgiac_interchange::figures::read_figures(&name, &bytes, &elements).map_err(|e| anyhow!("{e}"))?;
            let sheet_type = if bytes.starts_with(b"PK") {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            } else {
                "text/csv"
            };
            let typed = rollup::Typed {
                values,
                files: vec![(name.clone(), sheet_type.to_owned(), bytes)],
                ..Default::default()
            };
            let actor = actor("cli");
            let new = rollup::typed_submission(&c, &agency, &actor, &elements, typed, &explanations, Timestamp::now())
                .with_context(|| format!("biểu {name} chưa có số liệu nào"))?;
            store.submit(&actor, &new).await?
        }
    };
    println!(
        "Đã gửi báo cáo lần {} của {} (mã số {}); SHA-256 {}",
        s.version, s.manifest.agency_name, s.id, s.manifest_sha256
    );
    for n in &s.manifest.notes {
        println!(
            "  ! {}{}",
            n.message,
            n.explanation
                .as_deref()
                .map(|e| format!(" — giải trình: {e}"))
                .unwrap_or_else(|| " — chưa giải trình".into())
        );
    }
    Ok(())
}

/// Signs a submission made here with the agency's key, as a package for
/// the parent's own installation.
async fn export(store: &SqlStore, id: i64, out: &Path) -> Result<()> {
    let s = store
        .submission(id)
        .await?
        .with_context(|| format!("không có báo cáo mã số {id}"))?;
    let (bytes, public) = rollup::signed_package(store, &s).await?.with_context(|| {
        format!(
            "cơ quan «{}» chưa có khóa ký trên hệ thống này; chạy: canhgiac --agency {} key generate",
            s.agency, s.agency
        )
    })?;
    std::fs::write(out, &bytes).with_context(|| format!("không ghi được {}", out.display()))?;
    println!(
        "Đã xuất gói báo cáo ký số ra {} ({} byte, khóa {})",
        out.display(),
        bytes.len(),
        canhgiac_secrets::signing::fingerprint(&public)
    );
    Ok(())
}

pub async fn key(store: &SqlStore, action: &KeyAction) -> Result<()> {
    match action {
        KeyAction::Generate => {
            let agency = store
                .scope()
                .context("hãy chọn cơ quan (--agency) để tạo khóa ký")?
                .to_owned();
            let (secret, public) = canhgiac_secrets::signing::generate_keypair();
            store
                .key_register(&actor("cli:key generate"), &agency, &public, Some(&secret))
                .await?;
            println!("Đã tạo khóa ký cho cơ quan «{agency}».");
            println!("Khóa công khai (gửi cơ quan cấp trên để đăng ký): {public}");
            println!("Dấu khóa: {}", canhgiac_secrets::signing::fingerprint(&public));
        }
        KeyAction::Register { agency, public_key } => {
            store
                .key_register(&actor("cli:key register"), agency, public_key, None)
                .await?;
            println!(
                "Đã đăng ký khóa {} cho cơ quan «{agency}».",
                canhgiac_secrets::signing::fingerprint(public_key)
            );
        }
        KeyAction::List { agency } => {
            for k in store.keys(agency).await? {
                println!(
                    "{}\t{}\t{}\t{}",
                    canhgiac_secrets::signing::fingerprint(&k.public_key),
                    k.public_key,
                    if k.can_sign {
                        "ký được tại đây"
                    } else {
                        "chỉ kiểm tra"
                    },
                    k.created_at.vn_text()
                );
            }
        }
    }
    Ok(())
}
