//! Kernels on every input path: folding for search and keys, parsing dates
//! and money, canonical URLs for natural keys.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)] // a failed unwrap in a test is a failed test

use std::hint::black_box;

use canhgiac_domain::{canonical_url, fold, nfc, Date, Dong};
use criterion::{criterion_group, criterion_main, Criterion};

const TITLE: &str = "Tháng hành động phòng, chống ma túy: Chung tay xây dựng xã, phường, thị trấn sạch ma túy";

fn kernels(c: &mut Criterion) {
    let nfd: String = unicode_normalization::UnicodeNormalization::nfd(TITLE).collect();
    c.bench_function("fold title", |b| b.iter(|| fold(black_box(TITLE))));
    c.bench_function("nfc already NFC", |b| b.iter(|| nfc(black_box(TITLE))));
    c.bench_function("nfc from NFD", |b| b.iter(|| nfc(black_box(&nfd))));
    c.bench_function("date dd/mm/yyyy", |b| b.iter(|| Date::parse(black_box("11/06/2024"))));
    c.bench_function("money parse short form", |b| {
        b.iter(|| Dong::parse(black_box("19,5 triệu đồng")))
    });
    let fine = Dong::new(19_500_000).unwrap_or_default();
    c.bench_function("money short form", |b| b.iter(|| black_box(fine).short()));
    c.bench_function("canonical url", |b| {
        b.iter(|| {
            canonical_url(black_box(
                "https://BaoBacGiang.vn/phap-luat/bai-1/?utm_source=fb&id=7#top",
            ))
        })
    });
}

criterion_group!(benches, kernels);
criterion_main!(benches);
