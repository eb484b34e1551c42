//! The live dashboard (`ccwatch` with no command): one more consumer of the
//! engine's channel, drawing instead of printing.
//!
//! The parts: `app` is the state, `keys` maps keys to actions, `draw` turns
//! state into a frame, `feed` copies the engine's sessions into the state,
//! `alert` rings, notifies and runs the hook, `event` waits for whatever
//! comes next and `terminal` takes the terminal over and gives it back.
//! This file is the loop that ties them together.

pub mod action;
pub mod alert;
pub mod app;
pub mod clipboard;
pub mod content_search;
pub mod draw;
pub mod event;
pub mod feed;
pub mod filled;
pub mod filled_load;
pub mod keys;
pub mod overlay;
pub mod pace;
pub mod sessions;
pub mod skipped;
pub mod terminal;
pub mod theme;
pub mod waiting;

#[cfg(test)]
mod codex_snapshot_tests;
#[cfg(test)]
mod gauge_snapshot_tests;
#[cfg(test)]
mod snapshot_tests;

use crate::cli::ExportArgs;
use crate::error::UserError;
use crate::export::{ExportPlan, Exporter};
use crate::monitor::Monitor;
use crate::record::Millis;
use crate::settings::Settings;
use crate::source::discover::DiscoveryEnv;
use crate::source::live::SourceMsg;
use action::Action;
use alert::Alerter;
use app::{App, Config, Effect};
use crossterm::event::{MouseButton, MouseEventKind};
use event::{Event, Events};
use ratatui::layout::Rect;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};
use terminal::{Takeover, Term};

pub fn run(settings: &Settings, export: &ExportArgs) -> Result<ExitCode, UserError> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        return Err(UserError(
            "the dashboard needs a terminal; for a pipe or a file use `ccwatch status` or `ccwatch events`.".into(),
        ));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| UserError(format!("cannot start: {e}")))?;
    let mut app = App::new(config(settings), clock());
    let result = runtime.block_on(async {
        // A port already taken is said plainly, before the screen changes.
        let plan =
            ExportPlan::bind(export.serve.as_deref(), export.allow_remote, &export.push).await?;
        let receiver = crate::receive::bind_asked(
            &export.receive.or(&settings.options.otlp_receive),
            export.allow_remote,
        )
        .await?;
        let mut screen =
            Takeover::enter().map_err(|e| UserError(format!("cannot use this terminal: {e}")))?;
        dashboard(&mut screen.term, settings, &mut app, plan, receiver).await
    });
    result.map(|()| ExitCode::SUCCESS)
}

fn config(settings: &Settings) -> Config {
    let o = &settings.options;
    let ms = |d: Duration| Millis::try_from(d.as_millis()).unwrap_or(Millis::MAX);
    Config {
        thresholds: o.thresholds.clone(),
        idle_timeout_ms: ms(o.idle_timeout),
        span_ms: ms(o.spark_span).max(60_000),
        home: DiscoveryEnv::from_process()
            .home
            .map(|h| h.to_string_lossy().into_owned()),
        roots: settings
            .roots
            .iter()
            .map(|r| r.0.display().to_string())
            .collect(),
        utc_offset_secs: chrono::Local::now().offset().local_minus_utc(),
        alert_waiting_ms: o.alert_waiting.map(ms),
        theme: theme::Theme::from_env(),
    }
}

fn clock() -> Millis {
    chrono::Utc::now().timestamp_millis()
}

fn redraw(term: &mut Term, app: &mut App) -> Result<(), UserError> {
    app.now = clock();
    terminal::draw_frame(|| term.draw(|f| draw::draw(f, app)).map(|_| ()))
        .map(|_| ())
        .map_err(|e| UserError(format!("cannot draw: {e}")))
}

async fn dashboard(
    term: &mut Term,
    settings: &Settings,
    app: &mut App,
    plan: ExportPlan,
    receiver: Option<crate::receive::ReceivePlan>,
) -> Result<(), UserError> {
    app.notice = Some("Reading transcripts…".to_owned());
    redraw(term, app)?;
    let o = &settings.options;
    let (live, mut monitor) = tokio::task::block_in_place(|| crate::engine::start_live(settings))?;
    // An ignored index is worth a line in the status bar, nothing more.
    app.notice = live.notes.first().cloned();
    app.now = clock();
    let mut feed = feed::Feed::load_all(app, &mut monitor);
    app.plan = crate::hints::rate::PlanLimits::of(&monitor.window.sources.hints, app.now);
    crash_test();
    let (notice_tx, notice_rx) = tokio::sync::mpsc::unbounded_channel();
    if let Some(address) = plan.address() {
        app.notice
            .get_or_insert(format!("Serving metrics on http://{address}/metrics"));
    }
    if let Some(r) = &receiver {
        app.notice
            .get_or_insert(format!("Receiving OTLP on http://{}", r.address()));
    }
    let exporter = {
        let notices = notice_tx.clone();
        let say = Arc::new(move |message: String| drop(notices.send(message)));
        plan.start(&mut monitor, app.config.idle_timeout_ms, say)?
    };
    let idle = app.config.idle_timeout_ms;
    let updates = crate::engine::receive_into(receiver, live.updates, &mut monitor, idle);
    let alerter = Alerter::new(o, notice_tx);
    let (search_tx, search_rx) = tokio::sync::mpsc::unbounded_channel();
    let mut searcher = content_search::Searcher::default();
    let mut events = Events::new(updates, notice_rx, search_rx, monitor.hint_wake());
    let mut filled = filled_load::FilledLoader::new(o.line_cap, o.audit.clone());
    let mut dirty = true;
    let mut urgent = true;
    let mut pace = pace::Pace::default();
    loop {
        for effect in std::mem::take(&mut app.effects) {
            match effect {
                Effect::Copy(text) => {
                    use std::io::Write;
                    let mut out = std::io::stdout();
                    // A terminal that refuses OSC 52 ignores it; the
                    // command stays on screen to copy by hand.
                    drop(
                        out.write_all(clipboard::osc52(&text).as_bytes())
                            .and_then(|_| out.flush()),
                    );
                }
                Effect::Search { query, .. } if query.is_empty() => searcher.cancel(),
                Effect::Search { query, generation } => searcher.start(
                    settings.roots.clone(),
                    &query,
                    generation,
                    search_tx.clone(),
                ),
            }
        }
        if pace.should_draw(dirty, urgent, Instant::now()) {
            redraw(term, app)?;
            pace.drawn(Instant::now());
        }
        if app.quit {
            return Ok(());
        }
        let tick = app
            .next_tick()
            .map(|ms| Duration::from_millis(ms.unsigned_abs()));
        let held = pace.wait(Instant::now());
        let tick = match (tick, held) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        // The panel's read comes back on its own channel.
        let event = tokio::select! {
            e = events.next(tick, monitor.next_period_end()) => Ok(e),
            Some(r) = filled.rx.recv() => Err(r),
        };
        app.now = clock();
        let files = |id: &str| crate::attribution::session_files(&monitor.ledger, id);
        let event = match event {
            Ok(e) => e,
            Err(result) => {
                dirty = filled.arrived(app, result, files);
                urgent = true;
                continue;
            }
        };
        // Only the transcripts' news waits for the next data frame.
        urgent = !matches!(event, Event::Source(SourceMsg::Updates(_)));
        let grew = !urgent;
        let area = term
            .size()
            .map(|s| Rect::new(0, 0, s.width, s.height))
            .unwrap_or_default();
        app.height = area.height;
        app.panel_rows = draw::timeline_rows(area, app);
        dirty = handle(
            event,
            app,
            &mut monitor,
            &mut feed,
            &alerter,
            &exporter,
            area,
        );
        let files = |id: &str| crate::attribution::session_files(&monitor.ledger, id);
        dirty |= filled.follow(app, files, grew);
    }
}

/// `CCWATCH_TEST_PANIC=engine` (or `ui`) makes a background task (or the
/// dashboard itself) panic once it is running, so the end-to-end tests can
/// see the terminal restored and the message printed. Nothing else reads it.
fn crash_test() {
    match std::env::var("CCWATCH_TEST_PANIC").as_deref() {
        Ok("engine") => drop(tokio::spawn(async {
            panic!("CCWATCH_TEST_PANIC in a background task")
        })),
        Ok("ui") => panic!("CCWATCH_TEST_PANIC in the dashboard"),
        _ => {}
    }
}

/// Show what changed, alert, and export.
fn take_changes(
    app: &mut App,
    monitor: &mut Monitor,
    feed: &mut feed::Feed,
    alerter: &Alerter,
    exporter: &Exporter,
    changes: &[crate::monitor::Change],
) {
    exporter.update(monitor, changes);
    app.plan = crate::hints::rate::PlanLimits::of(&monitor.window.sources.hints, app.now);
    let crossed = feed.apply(app, monitor, changes);
    alerter.fire(&crossed);
    for w in waiting::alerts(changes, app.config.alert_waiting_ms) {
        app.notice = Some(alerter.fire_waiting(&w));
    }
    if let Some(a) = feed::headline(&crossed) {
        app.alert(a.clone());
    }
}

/// Update the state for one event; returns whether to redraw.
fn handle(
    event: Event,
    app: &mut App,
    monitor: &mut Monitor,
    feed: &mut feed::Feed,
    alerter: &Alerter,
    exporter: &Exporter,
    area: Rect,
) -> bool {
    match event {
        Event::Key(key) => {
            let focus = keys::Focus {
                mode: app.mode,
                timeline: app.timeline,
            };
            match keys::action(focus, app.banner.is_some(), &key) {
                Some(action) => app.apply(action),
                None => false,
            }
        }
        // The wheel scrolls the turn timeline when it shows, else moves
        // the selection.
        Event::Mouse(m) => match m.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                draw::row_at(area, app, m.column, m.row).is_some_and(|i| app.select_row(i))
            }
            MouseEventKind::ScrollDown if app.banner.is_none() && app.timeline_shown() => {
                app.apply(Action::ScrollDown)
            }
            MouseEventKind::ScrollUp if app.banner.is_none() && app.timeline_shown() => {
                app.apply(Action::ScrollUp)
            }
            MouseEventKind::ScrollDown if app.banner.is_none() => app.apply(Action::Down),
            MouseEventKind::ScrollUp if app.banner.is_none() => app.apply(Action::Up),
            _ => false,
        },
        Event::Resize => true,
        // The ages moved on: states may too (idle, or ended on Linux).
        Event::Tick => {
            let changes = monitor.look_at_processes();
            if !changes.is_empty() {
                take_changes(app, monitor, feed, alerter, exporter, &changes);
            }
            true
        }
        // A new hint (window, plan limits) or a budget's new period.
        Event::Hints => match monitor.refresh_hints() {
            Some(changes) => {
                take_changes(app, monitor, feed, alerter, exporter, &changes);
                true
            }
            None => false,
        },
        Event::Source(msg @ (SourceMsg::Updates(_) | SourceMsg::Telemetry)) => {
            let mut changes = match msg {
                SourceMsg::Updates(batch) => monitor.apply(batch),
                _ => monitor.apply_telemetry(),
            };
            changes.extend(monitor.refresh_hints().unwrap_or_default());
            take_changes(app, monitor, feed, alerter, exporter, &changes);
            !changes.is_empty()
        }
        Event::Search(m) => app.content.receive(m),
        Event::Source(SourceMsg::Notice(n)) | Event::Notice(n) => {
            app.notice = Some(n);
            true
        }
        Event::SourceEnded => {
            app.notice = Some("Stopped watching for changes.".to_owned());
            true
        }
        Event::Quit => {
            app.quit = true;
            true
        }
        Event::Ignored => false,
    }
}
