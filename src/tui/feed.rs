//! From the engine to the dashboard: copying the monitor's sessions (and
//! their occupancy series) into the app, and picking out the alerts.

use super::app::{App, Banner};
use super::sessions::SessionView;
use crate::burn;
use crate::cost::{self, Dollars, Pricer};
use crate::monitor::{Change, Monitor};
use crate::record::Millis;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// Load every session, at start-up.
pub fn load_all(app: &mut App, monitor: &Monitor) {
    let costs = cost::sum::by_session(&monitor.ledger, &mut Pricer::default_prices(), |_| true);
    for s in monitor.sessions() {
        if let Some(v) = view(app, monitor, &s.session_id, &costs) {
            app.upsert(v);
        }
    }
}

/// Bring the sessions a batch touched up to date; returns the thresholds
/// crossed, in the order they happened.
pub fn apply(app: &mut App, monitor: &Monitor, changes: &[Change]) -> Vec<Banner> {
    let touched: BTreeSet<&str> = changes.iter().map(Change::session_id).collect();
    // One pass over the records prices every touched session (in the
    // default mode with the built-in prices, like `status`).
    let costs = cost::sum::by_session(&monitor.ledger, &mut Pricer::default_prices(), |id| {
        touched.contains(id)
    });
    for id in touched {
        match view(app, monitor, id, &costs) {
            Some(v) => app.upsert(v),
            None => app.remove(id),
        }
    }
    changes
        .iter()
        .filter_map(|c| match c {
            Change::Threshold { session, crossing } => Some(Banner {
                session_id: session.session_id.clone(),
                project: session.project.clone(),
                crossing: crossing.clone(),
            }),
            _ => None,
        })
        .collect()
}

/// The banner to show for a batch: the highest level crossed, the latest
/// session among equals.
pub fn headline(crossed: &[Banner]) -> Option<&Banner> {
    crossed.iter().rev().max_by_key(|b| b.crossing.level)
}

fn view(
    app: &App,
    monitor: &Monitor,
    id: &str,
    costs: &HashMap<Arc<str>, Dollars>,
) -> Option<SessionView> {
    let snap = monitor.session(id)?.clone();
    // The sparkline's span and the rate's window, whichever reaches back further.
    let since = app.now - app.config.span_ms.max(burn::RATE_WINDOW_MS);
    let series = monitor
        .ledger
        .session(id)
        .map(|s| burn::trim(&s.series_since(Millis::MIN), since))
        .unwrap_or_default();
    // A session known only from telemetry has Claude Code's own figure.
    let cost_usd = match (costs.get(id), &snap.telemetry) {
        (None, Some(t)) if monitor.ledger.session(id).is_none() => t.cost_usd,
        (c, _) => c.copied().unwrap_or_default().usd(),
    };
    Some(SessionView {
        snap,
        series,
        cost_usd,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::{FileChange, FileUpdate, Ledger, WindowPolicy};
    use crate::parse::Parsed;
    use crate::record::{DedupKey, Tokens, UsageRecord};
    use crate::tui::app::tests::{NOW, config};
    use std::path::PathBuf;

    fn reply(session: &str, msg: &str, output: u64, logged: Option<f64>) -> Parsed {
        Parsed::Usage(UsageRecord {
            key: Some(DedupKey::new(msg, Some("req"))),
            timestamp: NOW - 60_000,
            session_id: session.into(),
            model: "claude-sonnet-4-5-20250929".into(),
            tokens: Tokens {
                input: 10,
                output,
                cache_creation: 2_000,
                cache_read: 30_000,
            },
            billing: Default::default(),
            sidechain: false,
            cost_usd: logged,
            cwd: Some(format!("/src/{session}")),
        })
    }

    fn appended(path: &str, facts: Vec<Parsed>) -> FileUpdate {
        FileUpdate {
            path: PathBuf::from(path),
            encoded_project: "-src-x".into(),
            change: FileChange::Appended,
            facts: facts
                .into_iter()
                .enumerate()
                .map(|(i, f)| (i as u64 * 100, f))
                .collect(),
            size: 10,
        }
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
        load_all(&mut app, &monitor);
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
        apply(&mut app, &monitor, &changes);
        assert!(
            (cost_of(&app, "a") - 1.9).abs() < 1e-12,
            "{}",
            cost_of(&app, "a")
        );
        assert_eq!(cost_of(&app, "b"), b);
    }
}
