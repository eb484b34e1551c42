//! From the engine to the dashboard: copying the monitor's sessions (and
//! their occupancy series) into the app, and picking out the alerts.

use super::app::{Alert, App, Banner};
use super::sessions::SessionView;
use super::skipped::SkippedLines;
use crate::burn;
use crate::cost::Pricer;
use crate::cost::unlogged;
use crate::hints::HintBook;
use crate::monitor::{Change, Monitor};
use std::collections::BTreeSet;
use std::sync::Arc;

/// What the feed keeps between batches: the status-line hints its
/// sessions' unlogged costs were taken from. (Each session's running cost
/// is the monitor's usage book.)
#[derive(Debug)]
pub struct Feed {
    hints: Arc<HintBook>,
}

impl Feed {
    /// Load every session, at start-up, and price them all once (in the
    /// default mode with the built-in prices, like `status`); from then on
    /// only what each batch changes is priced.
    pub fn load_all(app: &mut App, monitor: &mut Monitor) -> Feed {
        monitor.keep_usage();
        for s in monitor.sessions() {
            if let Some(v) = view(app, monitor, &s.session_id) {
                app.upsert(v);
            }
        }
        for id in app.sessions.keys().cloned().collect::<Vec<_>>() {
            refresh_agents(app, monitor, &id);
        }
        app.spend = monitor.spend().to_vec();
        app.skipped = SkippedLines::of(&monitor.ledger);
        Feed {
            hints: Arc::clone(&monitor.window.sources.hints),
        }
    }

    /// When the status-line hints changed, take every session's unlogged
    /// cost from them again (a new figure may leave the sessions' snapshots
    /// as they were); returns whether anything moved.
    fn follow_hints(&mut self, app: &mut App, monitor: &Monitor) -> bool {
        if Arc::ptr_eq(&self.hints, &monitor.window.sources.hints) {
            return false;
        }
        self.hints = Arc::clone(&monitor.window.sources.hints);
        let mut moved = false;
        for (id, v) in app.sessions.iter_mut() {
            let now = unlogged::of_session(&self.hints, &monitor.ledger, id, v.cost_usd);
            moved |= now != v.cost_unlogged;
            v.cost_unlogged = now;
        }
        moved
    }

    /// Bring the sessions a batch touched up to date; returns the levels
    /// crossed, in the order they happened.
    pub fn apply(
        &mut self,
        app: &mut App,
        monitor: &mut Monitor,
        changes: &[Change],
    ) -> Vec<Alert> {
        app.spend = monitor.spend().to_vec();
        self.follow_hints(app, monitor);
        let moved = monitor.usage_moved().clone();
        let mut touched: BTreeSet<&str> = changes
            .iter()
            .filter(|c| !matches!(c, Change::Limit(_)))
            .map(Change::session_id)
            .collect();
        touched.extend(moved.iter().map(|id| &**id));
        for id in touched {
            match view(app, monitor, id) {
                Some(v) => {
                    app.upsert(v);
                    refresh_agents(app, monitor, id);
                }
                None => app.remove(id),
            }
        }
        // A walk over the files, not the records: cheap per batch.
        app.skipped = SkippedLines::of(&monitor.ledger);
        changes
            .iter()
            .filter_map(|c| match c {
                Change::Threshold { session, crossing } => Some(Alert::Session(Banner {
                    session_id: session.session_id.clone(),
                    project: session.project.clone(),
                    crossing: crossing.clone(),
                })),
                Change::Limit(l) => Some(Alert::Limit(l.clone())),
                _ => None,
            })
            .collect()
    }
}

/// The banner to show for a batch: the highest level crossed, the latest
/// among equals.
pub fn headline(crossed: &[Alert]) -> Option<&Alert> {
    crossed.iter().rev().max_by_key(|a| a.rank())
}

/// Rebuild a session's agent tree (its sidecars are read once, then kept).
fn refresh_agents(app: &mut App, monitor: &Monitor, id: &str) {
    let clock = crate::state::Clock {
        now: app.now,
        idle_timeout_ms: app.config.idle_timeout_ms,
    };
    let mut sidecars = std::mem::take(&mut app.sidecars);
    let tree = crate::state::agents::tree(
        &monitor.ledger,
        id,
        clock,
        &mut Pricer::default_prices(),
        &mut sidecars,
    );
    app.sidecars = sidecars;
    if let Some(v) = app.sessions.get_mut(id) {
        v.agents = tree;
    }
}

fn view(app: &App, monitor: &Monitor, id: &str) -> Option<SessionView> {
    let snap = monitor.session(id)?.clone();
    // The sparkline's span and the rate's window, whichever reaches back further.
    let since = app.now - app.config.span_ms.max(burn::RATE_WINDOW_MS);
    let series = monitor
        .ledger
        .session(id)
        .map(|s| s.series_window(snap.cycle_start, since))
        .unwrap_or_default();
    // A session known only from telemetry has Claude Code's own figure.
    let cost_usd = match &snap.telemetry {
        Some(t) if monitor.ledger.session(id).is_none() => t.cost_usd,
        _ => monitor.usage().map_or(0.0, |b| b.usd(id)),
    };
    let unpriced = match monitor.usage() {
        Some(book) if snap.telemetry.is_none() => snap
            .models
            .keys()
            .filter(|m| !book.has_price(m))
            .cloned()
            .collect(),
        _ => Vec::new(),
    };
    let hints = &monitor.window.sources.hints;
    Some(SessionView {
        cost_unlogged: unlogged::of_session(hints, &monitor.ledger, id, cost_usd),
        snap,
        series,
        cost_usd,
        unpriced,
        agents: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::{FileChange, FileUpdate, Ledger, WindowPolicy, test_facts};
    use crate::parse::Parsed;
    use crate::record::Tokens;
    use crate::tui::app::tests::{NOW, config};

    fn reply(session: &str, msg: &str, output: u64, logged: Option<f64>) -> Parsed {
        let tokens = [10, output, 2_000, 30_000];
        test_facts::reply(session, msg, NOW - 60_000, tokens, logged)
    }

    fn appended(path: &str, facts: Vec<Parsed>) -> FileUpdate {
        test_facts::batch(path, FileChange::Appended, facts)
    }

    fn cost_of(app: &App, id: &str) -> f64 {
        app.sessions[id].cost_usd
    }

    #[test]
    fn sessions_carry_their_cost_and_it_follows_new_replies() {
        let mut ledger = Ledger::new();
        ledger.apply(appended(
            "/p/a.jsonl",
            vec![
                reply("a", "m1", 100, Some(0.5)),
                reply("a", "m2", 100, Some(0.25)),
            ],
        ));
        ledger.apply(appended("/p/b.jsonl", vec![reply("b", "m3", 100, None)]));
        let mut monitor = Monitor::new(ledger, WindowPolicy::default(), vec![70, 85, 95]);
        let mut app = App::new(config(), NOW);
        let mut feed = Feed::load_all(&mut app, &mut monitor);
        assert_eq!(cost_of(&app, "a"), 0.75);
        // Without a logged cost, the built-in prices, like `status`.
        let mut pricer = Pricer::default_prices();
        let b = pricer
            .cost(
                "claude-sonnet-4-5-20250929",
                &Tokens {
                    input: 10,
                    output: 100,
                    cache_creation: 2_000,
                    cache_read: 30_000,
                },
                &Default::default(),
                None,
            )
            .unwrap();
        assert!(b > 0.0);
        assert_eq!(cost_of(&app, "b"), b);

        // A new reply, and a bigger streamed copy of m2 that replaces it.
        let changes = monitor.apply(vec![appended(
            "/p/a.jsonl",
            vec![
                reply("a", "m4", 100, Some(1.0)),
                reply("a", "m2", 900, Some(0.4)),
            ],
        )]);
        feed.apply(&mut app, &mut monitor, &changes);
        assert!(
            (cost_of(&app, "a") - 1.9).abs() < 1e-12,
            "{}",
            cost_of(&app, "a")
        );
        assert_eq!(cost_of(&app, "b"), b);
    }

    fn hint_costing(session: &str, usd: f64) -> crate::hints::Hint {
        crate::hints::Hint {
            format: crate::hints::hint::HINT_FORMAT,
            session_id: session.into(),
            time: NOW,
            model_id: None,
            model_name: None,
            window: None,
            used_percentage: None,
            current_tokens: Some(32_010),
            cost_usd: Some(usd),
            exceeds_200k: None,
            version: None,
            five_hour: None,
            seven_day: None,
        }
    }

    #[test]
    fn a_new_status_line_cost_moves_the_unlogged_cost_without_a_new_reply() {
        let mut ledger = Ledger::new();
        ledger.apply(appended(
            "/p/a.jsonl",
            vec![reply("a", "m1", 100, Some(0.5))],
        ));
        let mut monitor = Monitor::new(ledger, WindowPolicy::default(), vec![70]);
        let mut app = App::new(config(), NOW);
        let mut feed = Feed::load_all(&mut app, &mut monitor);
        assert_eq!(app.sessions["a"].cost_unlogged, None);
        assert!(!feed.follow_hints(&mut app, &monitor), "nothing changed");

        // What `Monitor::refresh_hints` does when the folder changed: the
        // snapshots stay as they were, the book is new.
        let book = |usd| crate::hints::HintBook {
            hints: [("a".to_owned(), hint_costing("a", usd))].into(),
        };
        monitor.window.sources.hints = Arc::new(book(0.64));
        assert!(feed.follow_hints(&mut app, &monitor));
        let shown = app.sessions["a"].cost_unlogged.unwrap();
        assert!((shown - 0.14).abs() < 1e-12, "{shown}");

        // Claude Code's figure no higher than ccwatch's: no gap.
        monitor.window.sources.hints = Arc::new(book(0.5));
        assert!(feed.follow_hints(&mut app, &monitor));
        assert_eq!(app.sessions["a"].cost_unlogged, None);
    }

    #[test]
    fn skipped_lines_follow_each_batch() {
        use crate::parse::SkipReason;
        let mut monitor = Monitor::new(Ledger::new(), WindowPolicy::default(), vec![70]);
        let mut app = App::new(config(), NOW);
        let mut feed = Feed::load_all(&mut app, &mut monitor);
        assert_eq!(app.skipped.total(), 0);
        let changes = monitor.apply(vec![appended(
            "/p/a.jsonl",
            vec![
                reply("a", "m1", 100, None),
                Parsed::Skipped(SkipReason::Malformed),
                Parsed::Skipped(SkipReason::Blank),
            ],
        )]);
        feed.apply(&mut app, &mut monitor, &changes);
        assert_eq!(app.skipped.total(), 1);
        assert_eq!(&*app.skipped.by_file[0].0, "/p/a.jsonl");
    }
}
