//! The collector's kernels on the generated corpus: decoding a body,
//! parsing a feed of 100 items, classifying them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)] // a failed unwrap in a bench is a failed bench

use std::hint::black_box;

use canhgiac_domain::Code;
use canhgiac_ingest::{charset, corpus, feed, Lexicon};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn kernels(c: &mut Criterion) {
    let body = corpus::feed(7, "127.0.0.1:8080").into_bytes();
    let text = charset::decode(&body, None).unwrap();
    let parsed = feed::parse(&text, "http://127.0.0.1/").unwrap();
    let lexicon = Lexicon::default_vi().unwrap();
    let all = |_: &Code| true;
    let mut g = c.benchmark_group("feed of 100 items");
    g.throughput(Throughput::Elements(corpus::PER_FEED));
    g.bench_function("decode", |b| b.iter(|| charset::decode(black_box(&body), None)));
    g.bench_function("parse", |b| {
        b.iter(|| feed::parse(black_box(&text), "http://127.0.0.1/"))
    });
    g.bench_function("classify", |b| {
        b.iter(|| {
            for e in &parsed.entries {
                black_box(lexicon.classify(&e.title, e.summary.as_deref().unwrap_or(""), &all));
            }
        })
    });
    g.bench_function("decode + parse + classify", |b| {
        b.iter(|| {
            let text = charset::decode(black_box(&body), None).unwrap();
            for e in feed::parse(&text, "http://127.0.0.1/").unwrap().entries {
                black_box(lexicon.classify(&e.title, e.summary.as_deref().unwrap_or(""), &all));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, kernels);
criterion_main!(benches);
