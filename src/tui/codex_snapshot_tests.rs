//! The dashboard with a Codex session beside Claude Code's: its mark in
//! the list (`cx` in the id's room), its gauge against the window Codex
//! reported, its agent and rate limits in the zoomed pane, and Codex's
//! plan windows in the status line.

use super::app::tests::{NOW, config};
use super::app::{App, Mode};
use super::draw::draw;
use super::sessions::tests::view;
use crate::agent::{Agent, RateLimits, RateWindow};
use crate::gauge::WindowSource;
use crate::record::Millis;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const MIN: Millis = 60_000;

fn both() -> App {
    let mut app = App::new(config(), NOW);
    app.upsert(view(
        "323dbc2a-5849-4465-bd7a-e3c4e932cf0a",
        "/home/dev/src/webapp",
        57.77,
        NOW - 2 * MIN,
    ));
    let mut codex = view(
        "0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
        "/home/dev/src/api",
        68.0,
        NOW - MIN,
    );
    codex.snap.agent = Agent::Codex;
    codex.snap.models = [("gpt-5-codex".to_owned(), 12)].into();
    if let Some(c) = codex.snap.context.as_mut() {
        c.model = "gpt-5-codex".into();
        c.tokens = 136_000;
        c.window = 272_000;
        c.window_source = WindowSource::Agent;
        c.percent = 50.0;
    }
    codex.snap.rate_limits = Some(RateLimits {
        primary: Some(RateWindow {
            used_percent: 21.0,
            window_minutes: Some(300),
            resets_at: Some((NOW + 125 * MIN) / 1000),
        }),
        secondary: Some(RateWindow {
            used_percent: 41.0,
            window_minutes: Some(10080),
            resets_at: None,
        }),
    });
    app.upsert(codex);
    app
}

fn text(app: &App, (w, h): (u16, u16)) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("a test terminal");
    t.draw(|f| draw(f, app)).expect("drawing");
    let buf = t.backend().buffer();
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_codex_session_is_marked_in_the_list_and_measured_against_its_window() {
    let app = both();
    let screen = text(&app, (80, 24));
    let codex_row = screen
        .lines()
        .find(|l| l.contains("api"))
        .expect("the Codex session is listed");
    assert!(codex_row.contains("cx f4a5b"), "{screen}");
    assert!(codex_row.contains("50.0%"), "{screen}");
    let claude_row = screen
        .lines()
        .find(|l| l.contains("webapp"))
        .expect("the Claude Code session is listed");
    assert!(claude_row.contains("323dbc2a"), "{screen}");
    assert!(!claude_row.contains("cx "), "{screen}");
    // Codex's plan windows in the status line, beside Claude Code's.
    assert!(screen.contains("cx 5h 21%"), "{screen}");
    assert!(screen.contains("cx wk 41%"), "{screen}");
    insta::assert_snapshot!("codex_list_80x24", screen);
    // Once the 5-hour window has reset, its old figure is not shown.
    let mut later = both();
    later.now = NOW + 3 * 60 * MIN;
    let screen = text(&later, (80, 24));
    assert!(!screen.contains("cx 5h"), "{screen}");
    assert!(screen.contains("cx wk ▰▰▱▱▱ 41%"), "{screen}");
}

#[test]
fn the_zoomed_codex_session_shows_its_agent_and_rate_limits() {
    let mut app = both();
    app.selected = Some("0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b".into());
    app.mode = Mode::Zoom;
    let screen = text(&app, (120, 40));
    assert!(screen.contains("codex"), "{screen}");
    assert!(
        screen.contains("5h 21% (resets in 2h05m) · week 41%"),
        "{screen}"
    );
    assert!(
        screen.contains("136k / 272k") || screen.contains("136k"),
        "{screen}"
    );
    insta::assert_snapshot!("codex_zoom_120x40", screen);
}
