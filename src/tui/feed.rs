//! From the engine to the dashboard: copying the monitor's sessions (and
//! their occupancy series) into the app, and picking out the alerts.

use super::app::{App, Banner};
use super::sessions::SessionView;
use crate::burn;
use crate::monitor::{Change, Monitor};
use crate::record::Millis;
use std::collections::BTreeSet;

/// Load every session, at start-up.
pub fn load_all(app: &mut App, monitor: &Monitor) {
    for s in monitor.sessions() {
        if let Some(v) = view(app, monitor, &s.session_id) {
            app.upsert(v);
        }
    }
}

/// Bring the sessions a batch touched up to date; returns the thresholds
/// crossed, in the order they happened.
pub fn apply(app: &mut App, monitor: &Monitor, changes: &[Change]) -> Vec<Banner> {
    let touched: BTreeSet<&str> = changes.iter().map(Change::session_id).collect();
    for id in touched {
        match view(app, monitor, id) {
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

fn view(app: &App, monitor: &Monitor, id: &str) -> Option<SessionView> {
    let snap = monitor.session(id)?.clone();
    // The sparkline's span and the rate's window, whichever reaches back further.
    let since = app.now - app.config.span_ms.max(burn::RATE_WINDOW_MS);
    let series = monitor
        .ledger
        .session(id)
        .map(|s| burn::trim(&s.series_since(Millis::MIN), since))
        .unwrap_or_default();
    Some(SessionView { snap, series })
}
