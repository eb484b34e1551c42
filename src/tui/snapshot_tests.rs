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
            kind: crate::alerts::CrossingKind::Percent,
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
    app.apply(super::action::Action::ToggleIdle);
    app.apply(super::action::Action::Jump(5));
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

/// More idle sessions than the list stands in for live ones: the most
/// recent show, dimmed, under a title and a status line saying none is live.
fn yesterdays() -> App {
    let mut app = App::new(config(), NOW);
    for i in 0..(super::sessions::RECENT as i64 + 3) {
        app.upsert(view(
            &format!("{i:08x}-1111-4000-8000-000000000000"),
            &format!("/home/dev/src/project-{i}"),
            20.0 + 5.0 * i as f64,
            NOW - (2 + i) * 60 * MIN,
        ));
    }
    app
}

#[test]
fn none_live_shows_the_most_recent_dimmed() {
    let app = yesterdays();
    check("none_live", &app);
    let t = screen(&app, (80, 24));
    let shown = text_of(&t);
    assert!(
        shown.contains("None live · recent sessions (10)"),
        "{shown}"
    );
    assert!(
        shown.contains("none live · 10 most recent shown · 3 older (a)"),
        "{shown}"
    );
    // The most recent first; the three oldest left out.
    assert!(shown.contains("▸   project-0 "), "{shown}");
    assert!(!shown.contains("project-10 "), "{shown}");
    // Rows other than the selected one are dimmed.
    let cell = &t.backend().buffer()[(5, 2)];
    assert!(cell.modifier.contains(Modifier::DIM), "{cell:?}");
    // `a` shows them all; a session turning live hides the others again.
    let mut all = app.clone();
    all.apply(super::action::Action::ToggleIdle);
    assert_eq!(all.rows().len(), super::sessions::RECENT + 3);
    let mut woke = app;
    woke.upsert(view("f0000000-aaaa", "/home/dev/src/live", 50.0, NOW - MIN));
    assert!(!woke.showing_recent());
    assert_eq!(woke.rows().len(), 1);
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

/// Titles take the model's room in the list and have a line in the panel.
#[test]
fn titled_sessions() {
    let mut app = several();
    for (id, title) in [
        (
            "323dbc2a-5849-4465-bd7a-e3c4e932cf0a",
            "Fix the flaky login test",
        ),
        (
            "e74fe3cb-4e36-4857-a823-f10030cca662",
            "Migration bug in the orders table",
        ),
    ] {
        if let Some(s) = app.sessions.get_mut(id) {
            s.snap.title = Some(title.into());
        }
    }
    check("titled", &app);
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

/// Keys pressed in order, with the screen `height` rows high.
fn pressed(mut app: App, height: u16, keys: &[super::action::Action]) -> App {
    app.height = height;
    for k in keys {
        app.apply(*k);
    }
    app
}

#[test]
fn help_scrolls_in_a_short_pane() {
    use super::action::Action::{Help, PageDown, ScrollDown, ScrollUp};
    let size = (40, 16);
    let top = pressed(several(), size.1, &[Help]);
    insta::assert_snapshot!("help_40x16_top", screen(&top, size).backend());
    let down = pressed(several(), size.1, &[Help, ScrollDown, ScrollDown]);
    insta::assert_snapshot!("help_40x16_down_2", screen(&down, size).backend());
    // Scrolling stops with the last row at the bottom, and comes back.
    let end = pressed(several(), size.1, &[Help, PageDown, PageDown, PageDown]);
    let shown = text_of(&screen(&end, size));
    assert!(shown.contains("A mouse click on a row"), "{shown}");
    let rows = end.overlay_rows().len();
    assert_eq!(end.scroll, rows - 14);
    let back = pressed(end, size.1, &[ScrollUp]);
    assert_eq!(back.scroll, rows - 15);
    // The first rows are not shown once scrolled, and are again at the top.
    assert!(!text_of(&screen(&down, size)).contains("Ctrl-C"));
    assert!(text_of(&screen(&top, size)).contains("Ctrl-C"));
    // Arrows and j/k scroll; any other key closes.
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let key = |c| KeyEvent::new(c, KeyModifiers::NONE);
    let m = down.mode;
    assert_eq!(
        super::keys::action(m, false, &key(KeyCode::Down)),
        Some(ScrollDown)
    );
    assert_eq!(
        super::keys::action(m, false, &key(KeyCode::Char('k'))),
        Some(ScrollUp)
    );
    assert_eq!(
        super::keys::action(m, false, &key(KeyCode::Char('x'))),
        Some(super::action::Action::CloseHelp)
    );
}

fn with_skips() -> App {
    use crate::parse::SkipReason;
    let mut app = several();
    app.skipped = super::skipped::SkippedLines {
        by_reason: vec![
            (SkipReason::Malformed, 3),
            (SkipReason::Oversized, 1),
            (SkipReason::UnreadableFile, 1),
        ],
        by_file: vec![
            (
                "/home/dev/.claude/projects/-home-dev-src-webapp/323dbc2a-5849-4465-bd7a-e3c4e932cf0a.jsonl".into(),
                4,
            ),
            ("/home/dev/.claude/projects/-home-dev-src-api/agent-7f.jsonl".into(), 1),
        ],
    };
    app
}

#[test]
fn skipped_lines_show_on_the_bottom_line_and_in_their_overlay() {
    let app = with_skips();
    check("skipped_count", &app);
    let shown = text_of(&screen(&app, (80, 24)));
    assert!(shown.contains("5 lines skipped (!)"), "{shown}");
    // None skipped: nothing said.
    assert!(!text_of(&screen(&several(), (80, 24))).contains("skipped"));
    let open = pressed(app, 24, &[super::action::Action::Skipped]);
    assert_eq!(open.mode, Mode::Skipped(Screen::List));
    check("skipped_overlay", &open);
    let shown = text_of(&screen(&open, (120, 40)));
    assert!(shown.contains("3 malformed lines"), "{shown}");
    assert!(shown.contains("1 unreadable file or folder"), "{shown}");
    assert!(
        shown.contains("4 -home-dev-src-webapp/323dbc2a-5849"),
        "{shown}"
    );
    // Any key closes it, back where it was opened.
    let closed = pressed(open, 24, &[super::action::Action::CloseHelp]);
    assert_eq!(closed.mode, Mode::List);
}

#[test]
fn filter_active() {
    check("filter", &filtering());
}

#[test]
fn zoomed() {
    check("zoom", &with_mode(several(), Mode::Zoom));
}

/// Claude Code's own cost of the selected session is $0.14 above its
/// transcripts': the panel says so under the cost.
#[test]
fn unlogged_cost_in_the_panel() {
    let mut app = several();
    if let Some(s) = app.sessions.get_mut("323dbc2a-5849-4465-bd7a-e3c4e932cf0a") {
        s.cost_unlogged = Some(0.14);
    }
    check("unlogged", &app);
    check("unlogged_zoom", &with_mode(app, Mode::Zoom));
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
fn replies_without_a_main_chain_reply_are_never_called_no_reply_yet() {
    // Replies only as subagent work in the main file (progress copies,
    // sidechain lines): no context, but replies.
    let mut app = App::new(config(), NOW);
    let mut sub = view(
        "5ada3ad4-0000-4000-8000-000000000001",
        "/home/dev/src/webapp",
        10.0,
        NOW - 2 * MIN,
    );
    sub.snap.context = None;
    sub.snap.records = 1;
    app.upsert(sub);
    let shown = text_of(&screen(&app, (80, 24)));
    assert!(shown.contains("subagent replies"), "{shown}");
    assert!(shown.contains("Subagent replies only"), "{shown}");
    assert!(!shown.contains("no reply yet"), "{shown}");
    assert!(!shown.contains("No replies yet"), "{shown}");
    // Replies counted in the session that copied them.
    let mut app = App::new(config(), NOW);
    let mut copied = view(
        "11111111-0000-4000-8000-000000000002",
        "/home/dev/src/webapp",
        10.0,
        NOW - 2 * MIN,
    );
    copied.snap.context = None;
    copied.snap.records = 0;
    copied.snap.replies_elsewhere = true;
    app.upsert(copied);
    let shown = text_of(&screen(&app, (100, 24)));
    assert!(shown.contains("counted in copy"), "{shown}");
    assert!(
        shown.contains("Replies counted in its resumed copy"),
        "{shown}"
    );
    assert!(!shown.contains("no reply yet"), "{shown}");
}

// Bug (audit of issue 11): in a narrow project column two worktrees of
// one repository both read `repo/.worktree…`; the end tells them apart.
#[test]
fn worktree_labels_keep_their_end_when_the_column_is_narrow() {
    let mut app = App::new(config(), NOW);
    for (id, n) in [
        ("5e55101a-0000-4000-8000-000000000012", "12"),
        ("5e55101b-0000-4000-8000-000000000003", "3"),
    ] {
        let project = format!("/home/u/a/b/c/repo/.worktrees/{n}");
        app.upsert(view(id, &project, 10.0, NOW - MIN));
    }
    let shown = text_of(&screen(&app, (60, 24)));
    assert!(shown.contains("ees/12 "), "{shown}");
    assert!(shown.contains("rees/3 "), "{shown}");
}

#[test]
fn a_model_without_a_price_is_named_under_the_cost() {
    let mut app = App::new(config(), NOW);
    let mut s = view(
        "5e55101a-0000-4000-8000-00000000000a",
        "/home/dev/src/webapp",
        10.0,
        NOW - MIN,
    );
    s.unpriced = vec!["totally-unknown-model-9".into()];
    app.upsert(s);
    let shown = text_of(&screen(&app, (100, 30)));
    assert!(
        shown.contains("no price for totally-unknown-model-9"),
        "{shown}"
    );
}

/// Sessions in every state, for the marks: waiting 3 minutes, working on
/// a tool for 12 seconds, writing a reply, compacting, idle and ended.
fn in_states() -> App {
    use crate::state::{State, StateJson, ToolJson};
    let mut app = App::new(config(), NOW);
    let cases: [(&str, &str, State, Option<&str>, Millis); 6] = [
        (
            "a1000000-0000-4000-8000-000000000001",
            "/home/dev/src/webapp",
            State::Working,
            Some("Bash"),
            12_000,
        ),
        (
            "b2000000-0000-4000-8000-000000000002",
            "/home/dev/src/api-server",
            State::Waiting,
            Some("you"),
            3 * MIN,
        ),
        (
            "c3000000-0000-4000-8000-000000000003",
            "/home/dev/src/infra.tools",
            State::Working,
            Some("model"),
            4_000,
        ),
        (
            "d4000000-0000-4000-8000-000000000004",
            "/home/dev/src/docs",
            State::Compacting,
            Some("compaction"),
            20_000,
        ),
        (
            "e5000000-0000-4000-8000-000000000005",
            "/home/dev/src/old",
            State::Idle,
            Some("you"),
            2 * 60 * MIN,
        ),
        (
            "f6000000-0000-4000-8000-000000000006",
            "/home/dev/src/gone",
            State::Ended,
            None,
            3 * 60 * MIN,
        ),
    ];
    for (i, (id, project, state, waiting_for, ago)) in cases.into_iter().enumerate() {
        let active = if matches!(state, State::Idle | State::Ended) {
            NOW - ago
        } else {
            NOW - 2_000
        };
        let mut v = view(id, project, 20.0 + 12.0 * i as f64, active);
        let tools = match waiting_for {
            Some("Bash") => vec![ToolJson {
                name: "Bash".into(),
                since: Some(NOW - ago),
            }],
            _ => vec![],
        };
        v.snap.state = Some(StateJson {
            state,
            state_since: Some(NOW - ago),
            waiting_for: waiting_for.map(str::to_owned),
            tools,
            working_since: None,
        });
        app.upsert(v);
    }
    app.apply(super::action::Action::ToggleIdle);
    app
}

#[test]
fn state_marks_at_50_and_120_columns() {
    let app = in_states();
    for size in [(50, 16), (120, 16)] {
        let t = screen(&app, size);
        insta::assert_snapshot!(format!("states_{}x{}", size.0, size.1), t.backend());
    }
    // Waiting sessions first when sorted so.
    let mut sorted = in_states();
    for _ in 0..3 {
        sorted.apply(super::action::Action::Sort);
    }
    assert_eq!(sorted.sort, super::sessions::Sort::Waiting);
    let rows: Vec<String> = sorted.rows().iter().map(|s| s.id().to_owned()).collect();
    assert!(rows[0].starts_with("b2"), "{rows:?}");
    assert!(
        rows[1].starts_with("a1") || rows[1].starts_with("c3"),
        "{rows:?}"
    );
}

/// Without colour the glyph alone tells the states apart, and the waiting
/// mark still stands out by weight.
#[test]
fn state_marks_read_without_colour() {
    let mut app = in_states();
    app.config.theme = Theme { color: false };
    let t = screen(&app, (50, 40));
    let buf = t.backend().buffer();
    let marks: Vec<(String, Modifier, Color)> = (1..7)
        .map(|y| {
            let c = &buf[(2, y)];
            (c.symbol().to_owned(), c.modifier, c.fg)
        })
        .filter(|(s, _, _)| s != " ")
        .collect();
    let shapes: std::collections::BTreeSet<&str> = marks.iter().map(|m| m.0.as_str()).collect();
    assert_eq!(shapes.len(), 5, "{marks:?}");
    assert!(marks.iter().all(|m| m.2 == Color::Reset), "{marks:?}");
    let waiting = marks.iter().find(|m| m.0 == "●").unwrap();
    assert!(waiting.1.contains(Modifier::BOLD));
}

/// The zoom view of a working session with nested subagents.
#[test]
fn agent_tree_in_the_zoom_view_at_50_and_120_columns() {
    use crate::state::agents::{AgentNode, AgentState};
    let mut app = in_states();
    let id = "a1000000-0000-4000-8000-000000000001";
    let mut fix = AgentNode::sample(
        "a2",
        ("general-purpose", "fix the failing test"),
        AgentState::Working,
        &["Task"],
    );
    let mut logs = AgentNode::sample(
        "a3",
        ("Explore", "read the CI logs"),
        AgentState::Working,
        &["Read"],
    );
    logs.depth = 2;
    fix.agents.push(logs);
    let mut wf = AgentNode::sample(
        "w1",
        ("workflow-subagent", "step one"),
        AgentState::Done,
        &[],
    );
    wf.workflow = Some("wf_77aa".into());
    let done = AgentNode::sample("a1", ("Explore", "map the parser"), AgentState::Done, &[]);
    if let Some(s) = app.sessions.get_mut(id) {
        s.agents = vec![fix, done, wf];
    }
    app.selected = Some(id.into());
    app.mode = Mode::Zoom;
    for size in [(50, 30), (120, 30)] {
        let t = screen(&app, size);
        insta::assert_snapshot!(format!("agents_zoom_{}x{}", size.0, size.1), t.backend());
    }
    let shown = text_of(&screen(&app, (120, 30)));
    assert!(shown.contains("working on Bash 12s"), "{shown}");
    assert!(shown.contains("agents (4 · 2 running)"), "{shown}");
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
