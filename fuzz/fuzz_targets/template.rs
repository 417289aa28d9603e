//! The report template an agency edits: any template over the seed's data
//! renders or gives an error, in bounded time (fuel), and what it renders
//! goes through the Markdown reader the documents use.
#![no_main]

use std::sync::OnceLock;

use canhgiac_domain::{Date, Period, ReportKind};
use canhgiac_report::{ReportData, ReportSpec};
use canhgiac_store::prelude::*;
use canhgiac_store::{Actor, SqlStore};
use libfuzzer_sys::fuzz_target;

const SEED: &str = include_str!("../../fixtures/seed-2024-h1.json");

fn seed_data() -> &'static ReportData {
    static DATA: OnceLock<ReportData> = OnceLock::new();
    DATA.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let dir = tempfile::tempdir().expect("dir");
            let store = SqlStore::open_sqlite(dir.path()).await.expect("store");
            let set = canhgiac_interchange::read_json("seed.json", SEED.as_bytes())
                .expect("seed")
                .records;
            store.import(&Actor::system("fuzz"), &set).await.expect("import");
            let spec = ReportSpec {
                agency: None,
                kind: ReportKind::HalfYear,
                period: Some(Period::Half(2024, 1)),
                range: None,
                number: Some(180),
                date: Date::parse("11/06/2024").expect("date"),
            };
            let data = canhgiac_report::compute(&store, &spec, false).await.expect("data");
            store.close().await;
            data
        })
    })
}

fuzz_target!(|template: &str| {
    if let Ok(n) = canhgiac_report::template::render(seed_data(), Some(template)) {
        assert!(n.fuel_used <= canhgiac_report::template::TEMPLATE_FUEL);
        let _ = canhgiac_report::doc::parse(&n.body);
    }
});
