//! What a budget costs the live engine: `budget::spend` runs after every
//! batch when the config sets a budget, so it is timed against the pricing
//! of every session the dashboard already does per batch
//! (`cost::sum::by_session`), on the same generated corpus
//! (`CCWATCH_BENCH_BYTES`, default 64 MiB).

use ccwatch::budget::{Budgets, spend};
use ccwatch::cost::{Pricer, sum};
use ccwatch::report::Zone;
use ccwatch::source::discover::ProjectsDir;
use ccwatch::source::reader::DEFAULT_LINE_CAP;
use ccwatch::source::scan::{default_threads, list_all, scan};
use ccwatch_corpus::{CorpusSpec, generate};
use criterion::{Criterion, criterion_group, criterion_main};

fn budget(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let bytes = std::env::var("CCWATCH_BENCH_BYTES")
        .ok()
        .and_then(|v| ccwatch::units::parse_size(&v).ok())
        .map_or(64 << 20, |n| n as u64);
    let spec = CorpusSpec {
        target_bytes: bytes,
        sessions: 100,
        ..CorpusSpec::default()
    };
    generate(dir.path(), &spec).expect("corpus");
    let (files, _) = list_all(&[ProjectsDir(dir.path().join("projects"))]);
    let ledger = scan(files, default_threads(), DEFAULT_LINE_CAP).ledger;
    // "Now" is the corpus's newest record, so the periods hold some of it.
    let now = ledger
        .records_iter()
        .map(|r| r.timestamp)
        .max()
        .expect("records");
    eprintln!("{} records, {bytes} bytes", ledger.records());
    let budgets = Budgets {
        daily: Some(20.0),
        weekly: Some(100.0),
        ..Budgets::default()
    };
    let zone = Zone::parse("UTC").expect("UTC");
    let mut g = c.benchmark_group("budget");
    g.sample_size(20);
    g.bench_function("spend-daily-and-weekly", |b| {
        b.iter(|| spend(&ledger, &budgets, now, &zone))
    });
    g.bench_function("price-every-session", |b| {
        b.iter(|| sum::by_session(&ledger, &mut Pricer::default_prices(), |_| true))
    });
    g.finish();
}

criterion_group!(benches, budget);
criterion_main!(benches);
