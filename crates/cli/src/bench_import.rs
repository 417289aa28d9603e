//! `canhgiac bench --stage import`: bulk import of generated items (the
//! report bench's deterministic items), on fresh embedded stores with the
//! seed — from a JSON file as `canhgiac import` reads it, the same file
//! again (every record unchanged), and through `POST /api/v1/import` of a
//! server on 127.0.0.1 in batches, as a collector or a partner system
//! would send them. Figures are printed (or written as JSON), never
//! asserted.

use std::time::Instant;

use anyhow::{bail, Context, Result};
use canhgiac_domain::{Code, Dataset, Role, Text, User};
use canhgiac_store::prelude::*;
use canhgiac_store::{Actor, ApiToken, SqlStore};
use serde::Serialize;

/// Items per API request.
const API_BATCH: usize = 5_000;

/// What the bench measured.
#[derive(Debug, Serialize)]
pub struct ImportFigures {
    pub machine: String,
    pub items: u64,
    pub file_bytes: u64,
    /// Reading the file (decode, parse, NFC, validate the shape) alone.
    pub file_read_seconds: f64,
    /// Reading and importing it (one transaction, audited).
    pub file_items_per_second: f64,
    /// The same file again: every record found unchanged.
    pub file_again_items_per_second: f64,
    pub api_batch: usize,
    pub api_items_per_second: f64,
    /// Audit entries the imports wrote (one per record).
    pub audit_entries: i64,
}

async fn seeded_store(dir: &std::path::Path) -> Result<SqlStore> {
    let store = SqlStore::open_sqlite(dir).await?;
    let seed = canhgiac_interchange::read_json("seed.json", crate::commands::SEED.as_bytes())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    store.import(&Actor::system("cli:bench"), &seed.records).await?;
    Ok(store)
}

fn generated(from: u64, to: u64) -> Result<Dataset> {
    let mut ds = Dataset::default();
    for n in from..to {
        ds.media_items.push(crate::bench::item(n)?);
    }
    Ok(ds)
}

pub async fn run(items: u64, json: bool) -> Result<ImportFigures> {
    let tmp = tempfile::tempdir()?;
    let actor = Actor::system("cli:bench");

    // From a file.
    let file = tmp.path().join("tin-bai.json");
    {
        let env = canhgiac_interchange::Envelope::new(generated(0, items)?);
        let w = std::io::BufWriter::new(std::fs::File::create(&file)?);
        canhgiac_interchange::write_json(w, &env)?;
    }
    let file_bytes = std::fs::metadata(&file)?.len();
    let store_dir = tmp.path().join("kho-tep");
    std::fs::create_dir_all(&store_dir)?;
    let store = seeded_store(&store_dir).await?;
    let audit_before = store.verify_audit().await?.entries;
    let t = Instant::now();
    let bytes = canhgiac_interchange::read_limited(&file).map_err(|e| anyhow::anyhow!("{e}"))?;
    let data = canhgiac_interchange::read_json("tin-bai.json", &bytes)
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .records;
    let file_read_seconds = t.elapsed().as_secs_f64();
    let summary = store.import(&actor, &data).await?;
    let file_secs = t.elapsed().as_secs_f64();
    if summary.total_created() as u64 != items {
        bail!("nhập tệp: tạo {} thay vì {items}", summary.total_created());
    }
    let t = Instant::now();
    let again = store.import(&actor, &data).await?;
    let again_secs = t.elapsed().as_secs_f64();
    if again.total_unchanged() as u64 != items {
        bail!("nhập lại: giữ nguyên {} thay vì {items}", again.total_unchanged());
    }
    let audit_entries = store.verify_audit().await?.entries - audit_before;
    store.close().await;

    let api_secs = through_api(tmp.path(), items, &actor).await?;

    let rate = |secs: f64| items as f64 / secs.max(1e-9);
    let figures = ImportFigures {
        machine: crate::bench::machine(),
        items,
        file_bytes,
        file_read_seconds,
        file_items_per_second: rate(file_secs),
        file_again_items_per_second: rate(again_secs),
        api_batch: API_BATCH,
        api_items_per_second: rate(api_secs),
        audit_entries,
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&figures)?);
    } else {
        println!("Máy: {}", figures.machine);
        println!(
            "Nhập {items} tin, bài từ tệp JSON ({:.1} MB; đọc {:.2} giây): {:.0} bản ghi/giây",
            file_bytes as f64 / 1e6,
            file_read_seconds,
            figures.file_items_per_second
        );
        println!(
            "Nhập lại cùng tệp (không đổi gì): {:.0} bản ghi/giây",
            figures.file_again_items_per_second
        );
        println!(
            "Qua API (POST /api/v1/import, {API_BATCH} tin, bài mỗi lần gửi): {:.0} bản ghi/giây",
            figures.api_items_per_second
        );
        println!("Nhật ký: {audit_entries} mục (một mục mỗi bản ghi)");
    }
    Ok(figures)
}

/// Seconds to send `items` through `POST /api/v1/import` of a server on
/// 127.0.0.1 over a fresh store, [`API_BATCH`] at a time, with an `ingest`
/// token as a collector would hold.
async fn through_api(tmp: &std::path::Path, items: u64, actor: &Actor) -> Result<f64> {
    let api_dir = tmp.join("kho-api");
    std::fs::create_dir_all(&api_dir)?;
    let store = seeded_store(&api_dir).await?;
    store
        .upsert(
            actor,
            &User {
                username: Code::lit("do-hieu-nang"),
                full_name: Text::lit("Đo hiệu năng"),
                role: Role::Editor,
                password_hash: None,
                email: None,
                active: true,
                must_change_password: false,
            },
        )
        .await?;
    let secret = canhgiac_secrets::new_token();
    store
        .token_create(
            &secret,
            &ApiToken {
                name: "bench".into(),
                username: "do-hieu-nang".into(),
                scopes: vec!["ingest".into()],
                created_at: canhgiac_domain::Timestamp::now(),
                expires_at: None,
                revoked: false,
            },
        )
        .await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let app = canhgiac_web::state(store.clone(), canhgiac_web::Settings::default());
    let server = tokio::spawn(async move { canhgiac_web::serve(app, listener).await });
    let client = reqwest::Client::new();
    // The request bodies are made before the clock starts: the client's
    // work is not the server's.
    let mut bodies = Vec::new();
    let mut n = 0;
    while n < items {
        let end = (n + API_BATCH as u64).min(items);
        let mut body = Vec::new();
        canhgiac_interchange::write_json(&mut body, &canhgiac_interchange::Envelope::new(generated(n, end)?))?;
        bodies.push(body);
        n = end;
    }
    let t = Instant::now();
    for body in bodies {
        let res = client
            .post(format!("{base}/api/v1/import"))
            .bearer_auth(&secret)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .context("POST /api/v1/import")?;
        if !res.status().is_success() {
            bail!("API trả {}: {}", res.status(), res.text().await.unwrap_or_default());
        }
    }
    let secs = t.elapsed().as_secs_f64();
    server.abort();
    store.close().await;
    Ok(secs)
}
