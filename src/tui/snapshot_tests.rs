//! Whole screens, drawn from fixed states at a fixed instant into
//! ratatui's `TestBackend`, at the three sizes the dashboard is designed
//! for: a 40×20 side pane, a standard 80×24 terminal, a roomy 120×40.
//! The `.snap` files under `snapshots/` are the reviewed pictures.

use super::app::tests::{NOW, config};
use super::app::{App, Banner, Mode, Screen};
use super::draw::draw;
use super::sessions::SessionView;
use super::sessions::tests::view;
use super::theme::Theme;
use crate::alerts::Crossing;
use crate::ledger::snapshot::CompactionSnapshot;
use crate::record::Millis;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::{Color, Modifier};

const MIN: Millis = 60_000;
const SIZES: [(u16, u16); 3] = [(40, 20), (80, 24), (120, 40)];

/// A session that grew steadily to `percent` over the last hour, with a
/// burst of growth ten minutes ago.
fn growing(id: &str, project: &str, percent: f64, ago: Millis) -> SessionView {
    let mut v = view(id, project, percent, NOW - ago);
    let end = v.snap.context.as_ref().map_or(0, |c| c.tokens);
    let start = end * 2 / 3;
    let steps = 20;
    let weight = |i: i64| if (14..=16).contains(&i) { 3 } else { 1 };
    let total: i64 = (1..=steps).map(weight).sum();
    v.series = (0..=steps)
        .map(|i| {
            let t = NOW - ago - (steps - i) * 3 * MIN;
            let done: i64 = (1..=i).map(weight).sum();
            (t, start + (end - start) * done as u64 / total as u64)
        })
        .collect();
    v
}

fn several() -> App {
    let mut app = App::new(config(), NOW);
    app.upsert(growing(
        "323dbc2a-5849-4465-bd7a-e3c4e932cf0a",
        "/home/dev/src/webapp",
        57.77,
        40_000,
    ));
    let mut api = growing(
        "e74fe3cb-4e36-4857-a823-f10030cca662",
        "/home/dev/src/api-server",
        78.4,
        4 * MIN,
    );
    if let Some(c) = api.snap.context.as_mut() {
        c.model = "claude-haiku-4-5-20251001".into();
    }
    api.snap.models = [("claude-haiku-4-5-20251001".to_owned(), 40)].into();
    app.upsert(api);
    app.upsert(growing(
        "7cebab92-a04e-4e0c-bd47-0d949563ebbc",
        "/home/dev/src/infra.tools",
        91.2,
        12 * MIN,
    ));
    app.upsert(view(
        "da09fdbc-7f0f-4c3b-851d-1b41de3571ca",
        "/home/dev/src/a-project-with-a-very-long-name",
        21.0,
        NOW - 25 * MIN,
    ));
    // Idle: hidden until `a`.
    app.upsert(view(
        "6a687323-8bdb-4f1c-a4b7-52b5b21e86d6",
        "/home/dev/src/old",
        96.0,
        NOW - 3 * 24 * 60 * MIN,
    ));
    app
}

/// One live session at `percent`, selected.
fn band(percent: f64) -> App {
    let mut app = App::new(config(), NOW);
    app.upsert(growing(
        "8f3c2a1b-0000-4000-8000-000000000001",
        "/home/dev/src/webapp",
        percent,
        30_000,
    ));
    app
}

fn compacted() -> App {
    let mut app = several();
    let id = "323dbc2a-5849-4465-bd7a-e3c4e932cf0a";
    if let Some(s) = app.sessions.get_mut(id) {
        s.snap.compactions = 2;
        s.snap.last_compaction = Some(CompactionSnapshot {
            timestamp: NOW - 20_000,
            pre_tokens: Some(187_400),
            trigger: Some("auto".into()),
        });
        if let Some(c) = s.snap.context.as_mut() {
            c.compacted = true;
        }
        s.series.clear();
    }
    app
}

fn alerted() -> App {
    let mut app = several();
    app.alert(Banner {
        session_id: "7cebab92-a04e-4e0c-bd47-0d949563ebbc".into(),
        project: "/home/dev/src/infra.tools".into(),
        crossing: Crossing {
            level: 85,
            percent: 91.2,
            tokens: 182_400,
            window: 200_000,
        },
    });
    app
}

fn with_mode(mut app: App, mode: Mode) -> App {
    app.mode = mode;
    app
}

fn filtering() -> App {
    let mut app = with_mode(several(), Mode::Filter);
    app.filter = "web".into();
    app
}

fn all_shown() -> App {
    let mut app = several();
    app.apply(super::keys::Action::ToggleIdle);
    app.apply(super::keys::Action::Jump(5));
    app
}

fn screen(app: &App, (w, h): (u16, u16)) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("a test terminal");
    t.draw(|f| draw(f, app)).expect("drawing");
    t
}

fn check(name: &str, app: &App) {
    for size in SIZES {
        let t = screen(app, size);
        insta::assert_snapshot!(format!("{name}_{}x{}", size.0, size.1), t.backend());
    }
}

#[test]
fn empty() {
    check("empty", &App::new(config(), NOW));
}

#[test]
fn only_idle_sessions() {
    let mut app = App::new(config(), NOW);
    app.upsert(view(
        "6a687323-8bdb",
        "/home/dev/src/old",
        40.0,
        NOW - 90 * MIN,
    ));
    check("only_idle", &app);
}

#[test]
fn several_sessions() {
    check("several", &several());
    check("all_shown", &all_shown());
}

#[test]
fn each_band() {
    check("band_calm", &band(42.0));
    check("band_warm", &band(76.5));
    check("band_hot", &band(89.9));
    check("band_critical", &band(97.3));
}

#[test]
fn compacted_session() {
    check("compacted", &compacted());
}

#[test]
fn alert_banner() {
    check("banner", &alerted());
}

#[test]
fn help_overlay() {
    check("help", &with_mode(several(), Mode::Help(Screen::List)));
}

#[test]
fn filter_active() {
    check("filter", &filtering());
}

#[test]
fn zoomed() {
    check("zoom", &with_mode(several(), Mode::Zoom));
}

#[test]
fn polling_notice() {
    let mut app = several();
    app.notice = Some("Watching by polling every second: too many open files.".into());
    check("notice", &app);
}

/// The gauge's filled cells carry the band's colour; the last band is
/// emphasised, and without colour only the emphasis is left.
#[test]
fn gauges_are_coloured_by_band() {
    let cases = [
        (42.0, Color::Green),
        (76.5, Color::Yellow),
        (89.9, Color::Indexed(208)),
        (97.3, Color::Red),
    ];
    for (percent, colour) in cases {
        let t = screen(&band(percent), (80, 24));
        // The detail's big gauge starts at the left edge, below the list.
        let cell = &t.backend().buffer()[(0, 3)];
        assert_eq!(cell.symbol(), "█", "{percent}");
        assert_eq!(cell.fg, colour, "{percent}");
    }
    let mut plain = band(97.3);
    plain.config.theme = Theme { color: false };
    let t = screen(&plain, (80, 24));
    let cell = &t.backend().buffer()[(0, 3)];
    assert_eq!(cell.fg, Color::Reset);
    assert!(cell.modifier.contains(Modifier::REVERSED | Modifier::BOLD));
}

/// Everything drawn, one string per row.
fn text_of(t: &Terminal<TestBackend>) -> String {
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

#[test]
fn a_session_of_subagent_files_only_says_so_in_the_list_and_the_panel() {
    let mut app = App::new(config(), NOW);
    let mut only = view(
        "5ada3ad4-b994-4572-8aeb-a640847f2eb2",
        "/home/dev/src/webapp",
        10.0,
        NOW - 2 * MIN,
    );
    only.snap.context = None;
    only.snap.subagents_only = true;
    only.snap.records = 2;
    app.upsert(only);
    let shown = text_of(&screen(&app, (80, 24)));
    assert!(shown.contains("subagents only"), "{shown}");
    assert!(shown.contains("Subagent files only"), "{shown}");
    assert!(shown.contains("2 replies"), "{shown}");
    assert!(!shown.contains("no reply yet"), "{shown}");
}

#[test]
fn a_telemetry_session_shows_its_host_and_says_when_its_context_is_unknown() {
    let mut app = App::new(config(), NOW);
    let mut remote = view(
        "9c1f0e2a-1b7d-4c55-9a3e-5d2b8f6a7e10",
        "⇄ devbox",
        10.0,
        NOW - MIN,
    );
    remote.snap.label = "⇄ devbox".into();
    remote.snap.context = None;
    remote.snap.host = Some("devbox".into());
    remote.snap.telemetry = Some(crate::receive::view::TelemetryExtras {
        host: "devbox".into(),
        version: Some("2.1.197".into()),
        cost_usd: 0.42,
        active_time_secs: 61.0,
        lines_added: 12,
        lines_removed: 3,
        commits: 1,
        pull_requests: 0,
        edits_accepted: 2,
        edits_rejected: 0,
        api_requests: 9,
        api_errors: 1,
        mean_request_ms: Some(850),
        by_model: Vec::new(),
    });
    app.upsert(remote);
    let shown = text_of(&screen(&app, (120, 40)));
    assert!(shown.contains("⇄ devbox"), "{shown}");
    assert!(shown.contains("context unknown"), "{shown}");
    assert!(
        shown.contains("Context unknown: no main-thread request yet"),
        "{shown}"
    );
    assert!(!shown.contains("no reply yet"), "{shown}");
    assert!(
        shown.contains("otel   $0.42 · 9 requests · 1 error · 850 ms"),
        "{shown}"
    );
    assert!(shown.contains("+12 −3 lines"), "{shown}");
}
