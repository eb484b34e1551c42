//! Key-to-screen work in the dashboard: from a key's action to a finished
//! frame (the state change, the layout and drawing of every widget, and
//! ratatui's diff against the previous frame), with 2,000 sessions loaded
//! from a generated corpus. What it leaves out is the terminal's own write
//! of the changed cells, which no code of ccwatch controls.
//!
//! Beside it, what `/metrics` and OTLP pay per batch of new lines: the
//! monitor taking one new reply and the metric state refreshing, from the
//! monitor's running sums (as shipped) and by walking the whole history
//! (as before).
//!
//! `CCWATCH_BENCH_SESSIONS` sets the number of sessions (default 2,000,
//! the load case of BENCHMARKS.md); the corpus is 64 MiB.

use ccwatch::export::metrics::MetricState;
use ccwatch::ledger::{FileChange, FileUpdate, Ledger, WindowPolicy};
use ccwatch::monitor::Monitor;
use ccwatch::parse::Parsed;
use ccwatch::record::{DedupKey, Tokens, UsageRecord};
use ccwatch::source::discover::ProjectsDir;
use ccwatch::source::reader::DEFAULT_LINE_CAP;
use ccwatch::source::scan::{default_threads, list_all, scan};
use ccwatch::tui::action::Action;
use ccwatch::tui::app::{App, Config};
use ccwatch::tui::draw::draw;
use ccwatch::tui::feed::Feed;
use ccwatch::tui::sessions::Show;
use ccwatch::tui::theme::Theme;
use ccwatch_corpus::{CorpusSpec, generate};
use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn sessions() -> usize {
    std::env::var("CCWATCH_BENCH_SESSIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000)
}

fn corpus(dir: &std::path::Path) -> (CorpusSpec, [ProjectsDir; 1]) {
    let spec = CorpusSpec {
        target_bytes: 64 << 20,
        sessions: sessions(),
        ..CorpusSpec::default()
    };
    generate(dir, &spec).expect("corpus");
    (spec, [ProjectsDir(dir.join("projects"))])
}

fn ledger_of(roots: &[ProjectsDir]) -> Ledger {
    let (files, _) = list_all(roots);
    scan(files, default_threads(), DEFAULT_LINE_CAP).ledger
}

fn dashboard(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (spec, roots) = corpus(dir.path());
    let ledger = ledger_of(&roots);
    let mut monitor = Monitor::new(ledger, WindowPolicy::default(), vec![70, 85, 95]);
    let now = chrono::Utc::now().timestamp_millis();
    let config = Config {
        thresholds: vec![70, 85, 95],
        idle_timeout_ms: 30 * 60 * 1000,
        span_ms: 60 * 60 * 1000,
        home: None,
        roots: vec![],
        utc_offset_secs: 0,
        theme: Theme { color: true },
        alert_waiting_ms: None,
    };
    let mut app = App::new(config, now);
    Feed::load_all(&mut app, &mut monitor);
    // The corpus is old: list every session, as `a` does.
    app.show = Show::All;
    assert!(
        app.sessions.len() >= spec.sessions / 2,
        "{}",
        app.sessions.len()
    );

    let mut g = c.benchmark_group("key-to-frame");
    for (w, h) in [(120, 40), (80, 24)] {
        let mut term = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        term.draw(|f| draw(f, &app)).expect("draw");
        let mut down = true;
        g.bench_function(format!("list-move/{w}x{h}"), |b| {
            b.iter(|| {
                // Down and up in turn, so the selection never stops moving.
                app.apply(if down { Action::Down } else { Action::Up });
                down = !down;
                term.draw(|f| draw(f, &app)).expect("draw");
            })
        });
        g.bench_function(format!("zoom-toggle/{w}x{h}"), |b| {
            b.iter(|| {
                app.apply(Action::Zoom);
                term.draw(|f| draw(f, &app)).expect("draw");
            })
        });
    }
    g.finish();
}

/// One new reply appended to a session's main file: the `n`-th batch.
fn one_reply(path: &std::path::Path, session: &str, n: u64) -> FileUpdate {
    let at = 1u64 << 40;
    let record = UsageRecord {
        key: Some(DedupKey::new(&format!("msg_bench_{n}"), None)),
        timestamp: chrono::Utc::now().timestamp_millis(),
        session_id: session.to_owned(),
        model: "claude-sonnet-4-5-20250929".to_owned(),
        tokens: Tokens {
            input: 10,
            output: 500,
            cache_creation: 1_000,
            cache_read: 50_000,
        },
        billing: Default::default(),
        sidechain: false,
        cost_usd: None,
        cwd: None,
    };
    FileUpdate {
        path: path.to_path_buf(),
        encoded_project: "-bench".to_owned(),
        change: FileChange::Appended,
        facts: vec![(at + n * 1_000, Parsed::Usage(record))],
        size: at + (n + 1) * 1_000,
    }
}

fn metrics(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_, roots) = corpus(dir.path());
    let mut g = c.benchmark_group("metrics-after-a-batch");
    for running_sums in [true, false] {
        let mut monitor = Monitor::new(ledger_of(&roots), WindowPolicy::default(), vec![70]);
        if running_sums {
            monitor.keep_usage();
        }
        let session = monitor.sessions()[0].session_id.clone();
        let (path, _) = monitor.ledger.session_files(&session)[0].clone();
        let mut state = MetricState::default();
        state.update(&monitor, &[]);
        let mut n = 0;
        let name = if running_sums {
            "running-sums"
        } else {
            "whole-history"
        };
        g.bench_function(name, |b| {
            b.iter(|| {
                n += 1;
                let changes = monitor.apply(vec![one_reply(&path, &session, n)]);
                state.update(&monitor, &changes);
            })
        });
    }
    g.finish();
}

criterion_group!(benches, dashboard, metrics);
criterion_main!(benches);
