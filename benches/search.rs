//! Search benchmarks: `ccwatch search` (the engine, in process) over a
//! generated corpus, with `rg -i` over the same files beside it as the
//! yardstick (left out when `rg` is not installed).
//!
//! Corpus size: `CCWATCH_BENCH_BYTES` (default 256 MiB; BENCHMARKS.md
//! uses 1 GiB). The corpus is page-cached after the first iteration, as a
//! habitual search would find it. Queries: a phrase no transcript holds
//! (the whole corpus scanned, nothing parsed), a pair of words that many
//! lines hold (many lines parsed), and a regular expression.

use ccwatch::search::matcher::Matcher;
use ccwatch::search::{Query, search, searchable};
use ccwatch::source::discover::ProjectsDir;
use ccwatch::source::scan::default_threads;
use ccwatch_corpus::{CorpusSpec, generate};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::path::Path;
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

fn corpus_bytes() -> u64 {
    std::env::var("CCWATCH_BENCH_BYTES")
        .ok()
        .and_then(|v| ccwatch::units::parse_size(&v).ok())
        .map_or(256 << 20, |n| n as u64)
}

const QUERIES: [(&str, &str, bool); 3] = [
    ("rare-phrase", "flaky migration test", false),
    ("common-words", "parse config", false),
    ("regex", r"impl\s+\w+\s+for", true),
];

/// `rg -i` over the files `ccwatch search` reads (main transcripts only),
/// counting matching lines so every byte is read.
fn rg(projects: &Path, query: &str, regex: bool) -> Command {
    let mut cmd = Command::new("rg");
    cmd.args(["-i", "-c", "--no-messages"]);
    if !regex {
        cmd.arg("-F");
    }
    cmd.args(["--glob", "!**/subagents/**", "--glob", "!agent-*.jsonl"])
        .arg("--")
        .arg(query)
        .arg(projects);
    cmd
}

fn rg_installed() -> bool {
    Command::new("rg").arg("--version").output().is_ok()
}

fn searching(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let spec = CorpusSpec {
        target_bytes: corpus_bytes(),
        sessions: 300,
        ..CorpusSpec::default()
    };
    let expected = generate(dir.path(), &spec).expect("corpus");
    let projects = dir.path().join("projects");
    let files = searchable(&[ProjectsDir(projects.clone())]);
    let with_rg = rg_installed();
    if !with_rg {
        eprintln!("note: rg is not installed; the rg lines are left out");
    }
    let mut g = c.benchmark_group("search");
    g.throughput(Throughput::Bytes(expected.bytes));
    g.sample_size(10).measurement_time(Duration::from_secs(15));
    for (name, query, regex) in QUERIES {
        let q = Query {
            matcher: Matcher::new(query, regex).expect("a valid query"),
            tools: false,
        };
        g.bench_function(format!("ccwatch/{name}"), |b| {
            b.iter(|| {
                let mut n = 0usize;
                search(
                    &files,
                    &q,
                    default_threads(),
                    &AtomicBool::new(false),
                    |_| n += 1,
                );
                n
            })
        });
        if with_rg {
            g.bench_function(format!("rg-i/{name}"), |b| {
                b.iter(|| rg(&projects, query, regex).output().expect("rg runs"))
            });
        }
    }
    g.finish();
}

criterion_group!(benches, searching);
criterion_main!(benches);
