//! The status-line call, warm (its cache built by an earlier call), on the
//! sample logs: without a hints folder, as before hints existed, and with
//! one, as `ccwatch statusline` runs now. The difference is what leaving a
//! hint costs each call (BENCHMARKS.md).

use ccwatch::cost::Pricer;
use ccwatch::ledger::WindowPolicy;
use ccwatch::report::Zone;
use ccwatch::source::discover::ProjectsDir;
use ccwatch::source::reader::DEFAULT_LINE_CAP;
use ccwatch::statusline::{Env, facts};
use criterion::{Criterion, criterion_group, criterion_main};
use std::path::{Path, PathBuf};

fn env(data: &Path, cache: &Path, hints: Option<PathBuf>) -> Env {
    Env {
        roots: vec![ProjectsDir(data.join("projects"))],
        line_cap: DEFAULT_LINE_CAP,
        window: WindowPolicy::default(),
        cache_path: Some(cache.join("statusline.bin")),
        hints_dir: hints,
        zone: Zone::parse("UTC").expect("UTC"),
        // Just after the sample's last response.
        now: ccwatch::record::parse_timestamp("2026-11-15T19:00:00Z").expect("time"),
        pricer: Pricer::default_prices(),
    }
}

fn statusline(c: &mut Criterion) {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let data = fixtures.join("sample-logs");
    let stdin = std::fs::read_to_string(fixtures.join("statusline/new-version.json"))
        .expect("sample input")
        .replace("__DATA__", &data.to_string_lossy());
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut g = c.benchmark_group("statusline");
    for (name, hints) in [
        ("warm-call/without-hint", None),
        ("warm-call/with-hint", Some(tmp.path().join("hints"))),
    ] {
        let mut e = env(&data, tmp.path(), hints);
        let mut notes = Vec::new();
        facts(stdin.as_bytes(), &mut e, &mut notes).expect("facts");
        g.bench_function(name, |b| {
            b.iter(|| {
                notes.clear();
                facts(stdin.as_bytes(), &mut e, &mut notes).expect("facts")
            })
        });
    }
    g.finish();
}

criterion_group!(benches, statusline);
criterion_main!(benches);
