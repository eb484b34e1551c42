//! Starting the live engine, as the dashboard, `events` and `serve` all
//! do: the watcher and the scan (through the index), the monitor over what
//! the scan found, and the OTLP receiver in front of the engine's channel
//! when one is asked for. It sits above `source`, `monitor` and `receive`
//! so that none of them, nor `commands` and `tui`, reach for each other.

use crate::error::UserError;
use crate::ledger::Ledger;
use crate::monitor::Monitor;
use crate::receive::ReceivePlan;
use crate::record::Millis;
use crate::settings::Settings;
use crate::source::live::{self, Live, SourceMsg};
use crate::source::scan::default_threads;
use tokio::sync::mpsc;

/// The live engine as every long-running command starts it: the watcher,
/// the scan through the persistent index (unless `--no-cache`), and a
/// monitor over what the scan found. Must run inside the tokio runtime.
pub fn start_live(settings: &Settings) -> Result<(Live, Monitor), UserError> {
    let index = settings.index_path();
    let mut live = live::start_indexed(
        &settings.roots,
        default_threads(),
        settings.options.line_cap,
        index.as_deref(),
    )
    .map_err(UserError)?;
    let ledger = std::mem::replace(&mut live.ledger, Ledger::new());
    let window = crate::gauge::prepared(&settings.options.window, &settings.roots, &ledger);
    let o = &settings.options;
    let mut monitor = Monitor::new(ledger, window, o.thresholds.clone())
        .with_state_rules(o.idle_timeout)
        .with_alerts(crate::monitor::MoreAlerts {
            before_auto_compact: o.before_auto_compact,
            rate_limit_levels: o.rate_limit_alerts.clone(),
            budgets: o.budgets.clone(),
        });
    monitor.watch_hints(crate::hints::default_dir());
    Ok((live, monitor))
}

/// Start `plan` (if any) in front of the engine's channel, with the
/// monitor reading its store; returns the channel the command reads.
pub fn receive_into(
    plan: Option<ReceivePlan>,
    updates: mpsc::Receiver<SourceMsg>,
    monitor: &mut Monitor,
    idle_timeout_ms: Millis,
) -> mpsc::Receiver<SourceMsg> {
    match plan {
        Some(plan) => {
            let (rx, store) = plan.start(updates, idle_timeout_ms);
            monitor.attach_telemetry(store);
            rx
        }
        None => updates,
    }
}
