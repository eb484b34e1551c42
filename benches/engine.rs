//! Engine benchmarks: full-scan throughput (cold, no index), a warm restart
//! through the persistent index, single-line parsing, and the OTLP
//! receiver's decoding and accounting of Claude Code's pushes.
//!
//! The corpus is generated (see `crates/corpus/`) into a temp dir; its size
//! is `CCWATCH_BENCH_BYTES` (default 256 MiB, BENCHMARKS.md uses 1 GiB).
//! Whole-process numbers (RSS, latency, idle CPU) come from
//! `scripts/bench.sh`.

use ccwatch::parse::{FileContext, Want, parse_line};
use ccwatch::source::discover::ProjectsDir;
use ccwatch::source::index::scan_indexed;
use ccwatch::source::reader::DEFAULT_LINE_CAP;
use ccwatch::source::scan::{default_threads, list_all, scan};
use ccwatch_corpus::{CorpusSpec, generate};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use std::time::Duration;

fn corpus_bytes() -> u64 {
    std::env::var("CCWATCH_BENCH_BYTES")
        .ok()
        .and_then(|v| ccwatch::units::parse_size(&v).ok())
        .map_or(256 << 20, |n| n as u64)
}

fn engine(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let spec = CorpusSpec {
        target_bytes: corpus_bytes(),
        sessions: 300,
        ..CorpusSpec::default()
    };
    let expected = generate(dir.path(), &spec).expect("corpus");
    let roots = [ProjectsDir(dir.path().join("projects"))];

    let mut g = c.benchmark_group("scan");
    g.throughput(Throughput::Bytes(expected.bytes));
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    for threads in [1, default_threads()] {
        g.bench_function(format!("cold/{threads}-threads"), |b| {
            b.iter(|| {
                let (files, _) = list_all(&roots);
                let s = scan(files, threads, DEFAULT_LINE_CAP);
                assert_eq!(s.ledger.records(), expected.records);
                s
            })
        });
    }
    let index = dir.path().join("bench-index.bin");
    scan_indexed(&roots, default_threads(), DEFAULT_LINE_CAP, &index);
    g.bench_function("warm-restart-with-index", |b| {
        b.iter(|| {
            let (s, used) = scan_indexed(&roots, default_threads(), DEFAULT_LINE_CAP, &index);
            assert_eq!(used.read + used.resumed, 0);
            s
        })
    });
    // Every file grew since (one line appended to each, as after a
    // restart while sessions ran on): each is resumed, so its rewrite
    // checks (identity, first bytes, the bytes before the remembered
    // offset) run and only the new line is read.
    let (transcripts, _) = list_all(&roots);
    eprintln!("corpus: {} transcripts", transcripts.len());
    let summary = br#"{"type":"summary","summary":"bench restart","leafUuid":"bench"}"#;
    g.bench_function("warm-restart-every-file-grew", |b| {
        b.iter_batched(
            || {
                use std::io::Write;
                use std::os::unix::fs::FileExt;
                for t in &transcripts {
                    let mut f = std::fs::File::options()
                        .read(true)
                        .append(true)
                        .open(&t.path)
                        .expect("open");
                    let len = f.metadata().expect("stat").len();
                    let mut last = [b'\n'];
                    if len > 0 {
                        f.read_exact_at(&mut last, len - 1).expect("last byte");
                    }
                    // Close an unterminated last line first, so the new
                    // one is a line of its own.
                    let start: &[u8] = if last[0] == b'\n' { b"" } else { b"\n" };
                    f.write_all(&[start, summary.as_slice(), b"\n"].concat())
                        .expect("append");
                }
            },
            |()| {
                let (s, used) = scan_indexed(&roots, default_threads(), DEFAULT_LINE_CAP, &index);
                assert_eq!((used.read, used.resumed), (0, transcripts.len()));
                assert_eq!(s.ledger.records(), expected.records);
                s
            },
            BatchSize::PerIteration,
        )
    });
    // Every file touched (a new modification time, nothing added): the
    // same length with another time is a file written without growing,
    // so each is read again from the start, withdrawing what it gave.
    // This is the price of noticing edits in place (issue 12 row 7).
    let mut tick = 0u64;
    g.bench_function("warm-restart-every-file-touched", |b| {
        b.iter_batched(
            || {
                tick += 1;
                let when = std::time::UNIX_EPOCH + Duration::from_secs(1_800_000_000 + tick);
                for t in &transcripts {
                    let f = std::fs::File::options().write(true).open(&t.path);
                    f.and_then(|f| f.set_modified(when)).expect("touch");
                }
            },
            |()| {
                let (s, used) = scan_indexed(&roots, default_threads(), DEFAULT_LINE_CAP, &index);
                assert_eq!((used.read, used.resumed), (0, transcripts.len()));
                assert_eq!(s.ledger.records(), expected.records);
                s
            },
            BatchSize::PerIteration,
        )
    });
    // The rewrite check's own share of that: per file, one 4 KiB read just
    // before the remembered offset and its hash (the file is open anyway
    // for the identity and first-bytes checks), for every transcript.
    let open: Vec<(std::fs::File, u64)> = transcripts
        .iter()
        .filter_map(|t| {
            let f = std::fs::File::open(&t.path).ok()?;
            let len = f.metadata().ok()?.len();
            Some((f, len))
        })
        .collect();
    g.bench_function("rewrite-check-alone-every-file", |b| {
        use std::os::unix::fs::FileExt;
        let mut buf = vec![0u8; 4096];
        b.iter(|| {
            let mut acc = 0u64;
            for (f, len) in &open {
                let n = (*len).min(4096);
                let bytes = &mut buf[..n as usize];
                f.read_exact_at(bytes, len - n).expect("read");
                acc ^= xxhash_rust::xxh3::xxh3_64(bytes);
            }
            acc
        })
    });
    g.finish();

    let line = br#"{"parentUuid":"p","isSidechain":false,"cwd":"/home/dev/src/webapp","sessionId":"s1","type":"assistant","message":{"model":"claude-sonnet-4-5-20250929","id":"msg_1","type":"message","role":"assistant","content":[{"type":"text","text":"Let me look at the failing test first."}],"usage":{"input_tokens":6,"cache_creation_input_tokens":2378,"cache_read_input_tokens":16627,"output_tokens":94}},"requestId":"req_1","uuid":"u1","timestamp":"2026-10-15T07:52:27.000Z"}"#;
    let user = format!(
        r#"{{"type":"user","sessionId":"s1","message":{{"role":"user","content":"{}"}}}}"#,
        "tool output ".repeat(2000)
    );
    let ctx = FileContext {
        fallback_session: "s1".into(),
        subagent: false,
    };
    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Bytes(line.len() as u64));
    g.bench_function("usage-line", |b| {
        b.iter(|| parse_line(line, &ctx, Want::Accounting))
    });
    g.throughput(Throughput::Bytes(user.len() as u64));
    g.bench_function("prefiltered-24kb-user-line", |b| {
        b.iter(|| parse_line(user.as_bytes(), &ctx, Want::Accounting))
    });
    g.finish();
}

/// Claude Code's ten captured pushes (one interactive session), decoded
/// and added to a fresh store, as JSON and as the same messages in
/// protobuf: the receiver's work per request, without the HTTP around it.
fn receive(c: &mut Criterion) {
    use ccwatch::receive::decode::{Encoding, message};
    use ccwatch::receive::{ingest, store::TelemetryStore};
    use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest as Logs;
    use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest as Metrics;
    use prost::Message;
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/claude-code-2.1.197/otlp"
    );
    let mut pushes: Vec<(bool, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("fixtures")
        .map(|e| {
            let path = e.expect("entry").path();
            let is_metrics = path.to_string_lossy().contains("metrics");
            (is_metrics, std::fs::read(path).expect("fixture"))
        })
        .collect();
    pushes.sort();
    let proto: Vec<(bool, Vec<u8>)> = pushes
        .iter()
        .map(|(m, json)| {
            let bytes = if *m {
                message::<Metrics>(Encoding::Json, json)
                    .expect("json")
                    .encode_to_vec()
            } else {
                message::<Logs>(Encoding::Json, json)
                    .expect("json")
                    .encode_to_vec()
            };
            (*m, bytes)
        })
        .collect();
    let peer = std::net::IpAddr::from([127, 0, 0, 1]);
    let mut g = c.benchmark_group("receive");
    for (name, encoding, set) in [
        ("claude-code-10-pushes/json", Encoding::Json, &pushes),
        ("claude-code-10-pushes/protobuf", Encoding::Protobuf, &proto),
    ] {
        g.throughput(Throughput::Bytes(
            set.iter().map(|(_, b)| b.len() as u64).sum(),
        ));
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut store = TelemetryStore::default();
                for (is_metrics, body) in set.iter() {
                    if *is_metrics {
                        let req: Metrics = message(encoding, body).expect("decodes");
                        ingest::metrics(&mut store, &req, peer, 1);
                    } else {
                        let req: Logs = message(encoding, body).expect("decodes");
                        ingest::logs(&mut store, &req, peer, 1);
                    }
                }
                assert_eq!(store.len(), 1);
                store
            })
        });
    }
    g.finish();
}

criterion_group!(benches, engine, receive);
criterion_main!(benches);
