//! Turning ledger updates into changes a person cares about: a session
//! appeared, its context moved, it compacted, it crossed a threshold, the
//! plan's usage or a cost budget crossed an alert level.
//!
//! The monitor keeps the last snapshot of every session and compares after
//! each batch, so every consumer (the `events` stream, the dashboard) sees
//! the same changes computed the same way.

use crate::alerts::limits::{LimitCrossing, LimitTracker, Reading};
use crate::alerts::{Crossing, ThresholdTracker};
use crate::budget::{Budgets, Spend};
use crate::cost::book::UsageBook;
use crate::hints::HintWatch;
use crate::ledger::snapshot::CompactionSnapshot;
use crate::ledger::{FileUpdate, Ledger, SessionSnapshot, WindowPolicy};
use crate::receive::{SharedTelemetry, view};
use crate::record::Millis;
use crate::state::open_files::Processes;
use crate::state::{Clock, State};
use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Appeared(SessionSnapshot),
    /// A compaction boundary arrived.
    Compaction {
        session: SessionSnapshot,
        boundary: CompactionSnapshot,
    },
    /// The context occupancy, window or compacted state changed.
    Context {
        session: SessionSnapshot,
        previous_tokens: Option<u64>,
    },
    /// An alert threshold was crossed upward.
    Threshold {
        session: SessionSnapshot,
        crossing: Crossing,
    },
    /// Token totals changed without the context moving (a subagent's work).
    Usage(SessionSnapshot),
    /// The session's state changed (working, waiting…), or what it works on.
    State {
        session: SessionSnapshot,
        previous: Option<State>,
    },
    /// Every file that mentioned the session is gone.
    Removed {
        session_id: String,
    },
    /// The plan's usage or a cost budget crossed an alert level: about the
    /// account, no session.
    Limit(LimitCrossing),
}

impl Change {
    /// The session the change is about; empty for [`Change::Limit`].
    pub fn session_id(&self) -> &str {
        match self {
            Change::Appeared(s) | Change::Usage(s) => &s.session_id,
            Change::Compaction { session, .. }
            | Change::Context { session, .. }
            | Change::State { session, .. }
            | Change::Threshold { session, .. } => &session.session_id,
            Change::Removed { session_id } => session_id,
            Change::Limit(_) => "",
        }
    }
}

#[derive(Debug)]
pub struct Monitor {
    pub ledger: Ledger,
    pub window: WindowPolicy,
    last: HashMap<Arc<str>, SessionSnapshot>,
    alerts: ThresholdTracker,
    idle_timeout_ms: Millis,
    /// What `/proc` said last (Linux), for `ended`.
    processes: Option<Processes>,
    /// The status-line hints folder, read again when it changes.
    hints: Option<HintWatch>,
    limits: LimitTracker,
    budgets: Budgets,
    /// What the budgets' periods have spent, as of the last batch.
    spend: Vec<Spend>,
    /// Telemetry received over OTLP (`--otlp-receive`), when asked for.
    telemetry: Option<SharedTelemetry>,
    /// Running tokens and cost per session and model, once a consumer
    /// asks for them (`keep_usage`): the dashboard's costs and the exports.
    usage: Option<UsageBook>,
    /// The sessions whose sums moved in the last batch.
    usage_moved: BTreeSet<Arc<str>>,
}

/// The alerts beyond the percentage thresholds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MoreAlerts {
    pub before_auto_compact: Option<u64>,
    pub rate_limit_levels: Vec<u8>,
    pub budgets: Budgets,
}

impl Monitor {
    /// Start from a scanned ledger. What is already there is the baseline:
    /// no alerts fire for levels a session had crossed before we started.
    pub fn new(ledger: Ledger, window: WindowPolicy, thresholds: Vec<u8>) -> Monitor {
        let alerts = ThresholdTracker::new(thresholds);
        let mut monitor = Monitor {
            ledger,
            window,
            last: HashMap::new(),
            alerts,
            idle_timeout_ms: Millis::MAX,
            processes: None,
            hints: None,
            limits: LimitTracker::default(),
            budgets: Budgets::default(),
            usage: None,
            usage_moved: BTreeSet::new(),
            spend: Vec::new(),
            telemetry: None,
        };
        monitor.prime();
        monitor
    }

    /// Sessions idle longer than this are `idle`; `ended` is known after
    /// the first `look_at_processes` (Linux).
    pub fn with_state_rules(mut self, idle_timeout: std::time::Duration) -> Monitor {
        self.idle_timeout_ms = Clock::now(idle_timeout).idle_timeout_ms;
        self.processes = Processes::probe();
        self.prime();
        self
    }

    fn prime(&mut self) {
        self.last.clear();
        let ids: Vec<Arc<str>> = self.ledger.session_ids().cloned().collect();
        for id in ids {
            if let Some(s) = self.present(&id) {
                self.alerts.prime(&s);
                self.last.insert(id, s);
            }
        }
    }

    /// Read sessions from this telemetry store too, from the next
    /// [`Monitor::apply_telemetry`] on.
    pub fn attach_telemetry(&mut self, store: SharedTelemetry) {
        self.telemetry = Some(store);
    }

    /// Look at the telemetry store again and report what changed: sessions
    /// known only from telemetry appear, move and go like any other.
    pub fn apply_telemetry(&mut self) -> Vec<Change> {
        self.usage_moved.clear();
        let touched: BTreeSet<Arc<str>> = match self.telemetry.as_ref().map(|s| s.lock()) {
            Some(Ok(mut store)) => store
                .take_changed()
                .into_iter()
                .map(|id| Arc::from(id.as_str()))
                .collect(),
            _ => BTreeSet::new(),
        };
        self.resnapshot(touched)
    }

    /// A session as the transcripts give it, with what telemetry adds; or
    /// as telemetry alone gives it. Transcripts stay the source of numbers.
    fn snapshot_of(&self, id: &str) -> Option<SessionSnapshot> {
        let from_logs = self.ledger.snapshot(id, &self.window);
        let store = match self.telemetry.as_ref().map(|s| s.lock()) {
            Some(Ok(store)) => store,
            _ => return from_logs,
        };
        match (from_logs, store.session(id)) {
            (Some(mut s), Some(t)) => {
                view::enrich(&mut s, t);
                Some(s)
            }
            (None, Some(t)) => Some(view::telemetry_only(id, t, &self.window)),
            (s, None) => s,
        }
    }

    fn clock(&self) -> Clock {
        Clock {
            now: chrono::Utc::now().timestamp_millis(),
            idle_timeout_ms: self.idle_timeout_ms,
        }
    }

    /// The session's snapshot with its state at this moment.
    fn present(&self, id: &str) -> Option<SessionSnapshot> {
        let mut s = self.snapshot_of(id)?;
        let ended = crate::state::ended(&self.ledger, id, &s.project, self.processes.as_ref());
        s.present_state(self.clock(), ended);
        Some(s)
    }

    /// Look at `/proc` again (Linux) and report the states that changed
    /// with time or with processes ending: a session gone idle or ended.
    /// Callers do this no more often than they redraw ages.
    pub fn look_at_processes(&mut self) -> Vec<Change> {
        if self.processes.is_some() {
            self.processes = Processes::probe();
        }
        let ids: BTreeSet<Arc<str>> = self.last.keys().cloned().collect();
        self.resnapshot(ids)
    }

    /// Also alert before auto-compact, on the plan's usage and on the
    /// budgets. What is there already is the baseline, as in [`Monitor::new`].
    pub fn with_alerts(mut self, more: MoreAlerts) -> Monitor {
        let levels = self.alerts.levels().to_vec();
        self.alerts =
            ThresholdTracker::new(levels).with_before_auto_compact(more.before_auto_compact);
        for s in self.last.values() {
            self.alerts.prime(s);
        }
        self.limits = LimitTracker::new(more.rate_limit_levels, more.budgets.levels.clone());
        self.budgets = more.budgets;
        self.spend = self.current_spend();
        let readings = self.readings();
        self.limits.prime(&readings);
        self
    }

    /// The budgets' periods so far (empty without budgets).
    pub fn spend(&self) -> &[Spend] {
        &self.spend
    }

    fn current_spend(&self) -> Vec<Spend> {
        if self.budgets.is_empty() {
            return Vec::new();
        }
        let now = chrono::Utc::now().timestamp_millis();
        crate::budget::spend(
            &self.ledger,
            &self.budgets,
            now,
            &crate::report::Zone::system(),
        )
    }

    fn readings(&self) -> Vec<Reading> {
        let now = chrono::Utc::now().timestamp_millis();
        let plan = crate::hints::rate::PlanLimits::of(&self.window.sources.hints, now);
        let mut readings = Reading::all(plan.as_ref(), &self.spend);
        if let Some(codex) = self.ledger.newest_rate_limits() {
            readings.extend(Reading::codex(&codex));
        }
        readings
    }

    /// Levels the plan's usage and the budgets crossed.
    fn check_limits(&mut self, changes: &mut Vec<Change>) {
        let readings = self.readings();
        changes.extend(
            self.limits
                .observe(&readings)
                .into_iter()
                .map(Change::Limit),
        );
    }

    /// Follow the status-line hints in `dir` (see [`Monitor::refresh_hints`]).
    pub fn watch_hints(&mut self, dir: Option<PathBuf>) {
        self.hints = dir.map(|d| {
            let mut w = HintWatch::new(d);
            // What is there now was read when the policy was prepared.
            let _ = w.poll(chrono::Utc::now().timestamp_millis());
            w
        });
    }

    /// A wake-up for when the hints folder changes (none without hints).
    pub fn hint_wake(&self) -> crate::hints::wake::HintWake {
        crate::hints::wake::HintWake::new(self.hints.as_ref().map(|w| w.dir()))
    }

    /// How long until a budget's period ends, when one is set: the spend
    /// starts again then, with no line written.
    pub fn next_period_end(&self) -> Option<std::time::Duration> {
        let now = chrono::Utc::now().timestamp_millis();
        self.spend
            .iter()
            .map(|s| s.resets_at.saturating_sub(now).max(250))
            .min()
            .map(|ms| std::time::Duration::from_millis(ms.unsigned_abs()))
    }

    /// When the hints folder changed (or a budget's period ended), take
    /// that in and return the changes: sessions whose window moved report a
    /// context change, levels crossed a limit change; the list may be empty
    /// when only the plan's limits or the spend moved. `None` when nothing
    /// new came. One `stat` otherwise, so it may be called on every wake-up.
    pub fn refresh_hints(&mut self) -> Option<Vec<Change>> {
        let now = chrono::Utc::now().timestamp_millis();
        // A budget's period ended (midnight, a new week): its spend starts
        // again, or the gauge would show yesterday's until the next reply.
        let new_period = self.spend.iter().any(|s| now >= s.resets_at);
        if new_period {
            self.spend = self.current_spend();
        }
        let book = self
            .hints
            .as_mut()
            .and_then(|w| w.poll(now))
            .filter(|b| *self.window.sources.hints != *b);
        let mut changes = match book {
            Some(book) => {
                self.window.sources.hints = Arc::new(book);
                self.refresh_all()
            }
            None if new_period => Vec::new(),
            None => return None,
        };
        self.check_limits(&mut changes);
        Some(changes)
    }

    /// Snapshot every session again (the policy changed).
    fn refresh_all(&mut self) -> Vec<Change> {
        let ids: Vec<Arc<str>> = self.last.keys().cloned().collect();
        self.resnapshot(ids)
    }

    /// The current snapshot of every session, newest activity first.
    pub fn sessions(&self) -> Vec<&SessionSnapshot> {
        let mut all: Vec<&SessionSnapshot> = self.last.values().collect();
        all.sort_by(|a, b| {
            b.last_activity
                .cmp(&a.last_activity)
                .then_with(|| a.session_id.cmp(&b.session_id))
        });
        all
    }

    pub fn session(&self, id: &str) -> Option<&SessionSnapshot> {
        self.last.get(id)
    }

    pub fn thresholds(&self) -> &[u8] {
        self.alerts.levels()
    }

    /// How long until a session's state may change without a line being
    /// written (it goes idle, or its Claude Code exits): `None` when no
    /// session is working, waiting or compacting. Processes are looked at
    /// every `PROCESS_CHECK` at most.
    pub fn next_state_check(&self) -> Option<std::time::Duration> {
        let clock = self.clock();
        let active = self.last.values().filter_map(|s| {
            let st = s.state.as_ref()?;
            matches!(
                st.state,
                State::Working | State::Waiting | State::Compacting
            )
            .then(|| s.last_activity.max(st.state_since))
        });
        let mut soonest: Option<Millis> = None;
        for quiet_since in active {
            let idle_at = quiet_since.map_or(0, |t| t.saturating_add(clock.idle_timeout_ms));
            let mut wait = idle_at.saturating_sub(clock.now).max(0) + 1;
            if self.processes.is_some() {
                wait = wait.min(PROCESS_CHECK.as_millis() as Millis);
            }
            soonest = Some(soonest.map_or(wait, |s| s.min(wait)));
        }
        soonest.map(|ms| std::time::Duration::from_millis(ms as u64))
    }

    /// Keep running tokens and cost per session and model from now on
    /// (priced once here, then batch by batch): for the consumers that
    /// show them live, so none walks the history per batch.
    pub fn keep_usage(&mut self) {
        if self.usage.is_none() {
            let book = UsageBook::start(&mut self.ledger, crate::cost::Pricer::default_prices());
            self.usage = Some(book);
        }
    }

    /// The running sums, when [`Monitor::keep_usage`] was called.
    pub fn usage(&self) -> Option<&UsageBook> {
        self.usage.as_ref()
    }

    /// The sessions whose running sums the last batch moved (a cost can
    /// move without any snapshot changing).
    pub fn usage_moved(&self) -> &BTreeSet<Arc<str>> {
        &self.usage_moved
    }

    /// Apply a batch of file updates and report what changed.
    pub fn apply(&mut self, updates: Vec<FileUpdate>) -> Vec<Change> {
        let mut touched = BTreeSet::new();
        for u in updates {
            touched.extend(self.ledger.apply(u));
        }
        self.usage_moved = match &mut self.usage {
            Some(book) => book.update(&mut self.ledger),
            None => BTreeSet::new(),
        };
        let compacted = touched.iter().any(|id| {
            let before = self.last.get(id).map_or(0, |s| s.compactions);
            self.ledger
                .session(id)
                .is_some_and(|s| s.boundaries.len() as u64 > before)
        });
        if compacted {
            // A new boundary may move the learned auto-compact point of
            // every session.
            let before = self.window.sources.auto_compact.clone();
            crate::gauge::learn_auto_compact(&mut self.window, &self.ledger);
            if self.window.sources.auto_compact != before {
                touched.extend(self.last.keys().cloned());
            }
        }
        let mut changes = self.resnapshot(touched);
        if !self.budgets.is_empty() {
            self.spend = self.current_spend();
        }
        // Codex's plan windows arrive with its rollouts' lines.
        self.check_limits(&mut changes);
        changes
    }

    fn resnapshot(&mut self, touched: impl IntoIterator<Item = Arc<str>>) -> Vec<Change> {
        let mut changes = Vec::new();
        for id in touched {
            let now = self.present(&id);
            let before = self.last.get(&id);
            match (before, now) {
                (None, None) => {}
                (Some(_), None) => {
                    self.last.remove(&id);
                    self.alerts.forget(&id);
                    changes.push(Change::Removed {
                        session_id: id.to_string(),
                    });
                }
                (before, Some(now)) => {
                    if before.as_ref() == Some(&&now) {
                        continue;
                    }
                    diff(before, &now, &mut changes);
                    for crossing in self.alerts.observe(&now) {
                        changes.push(Change::Threshold {
                            session: now.clone(),
                            crossing,
                        });
                    }
                    self.last.insert(id, now);
                }
            }
        }
        changes
    }
}

/// How often a monitor without a screen looks at `/proc` while a session
/// could end: an end shows within this long. One look costs 0.65 ms with
/// about 80 processes and 4.7 ms with 371 (`examples/proc_scan.rs`), so
/// every ten seconds it is far below 0.1% of a core.
pub const PROCESS_CHECK: std::time::Duration = std::time::Duration::from_secs(10);

fn diff(before: Option<&SessionSnapshot>, now: &SessionSnapshot, out: &mut Vec<Change>) {
    let Some(before) = before else {
        out.push(Change::Appeared(now.clone()));
        return;
    };
    if now.compactions > before.compactions
        && let Some(boundary) = &now.last_compaction
    {
        out.push(Change::Compaction {
            session: now.clone(),
            boundary: boundary.clone(),
        });
    }
    let state = |s: &SessionSnapshot| {
        s.state
            .as_ref()
            .map(|st| (st.state, st.waiting_for.clone(), st.state_since))
    };
    if state(now) != state(before) {
        out.push(Change::State {
            session: now.clone(),
            previous: before.state.as_ref().map(|s| s.state),
        });
    }
    if now.context != before.context {
        out.push(Change::Context {
            session: now.clone(),
            previous_tokens: before.context.as_ref().map(|c| c.tokens),
        });
    } else if now.tokens != before.tokens
        || now.records != before.records
        || now.telemetry != before.telemetry
    {
        out.push(Change::Usage(now.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::{FileChange, FileUpdate, test_facts};

    fn reply(msg: &str, at: i64, prompt: u64, usd: f64) -> FileUpdate {
        let r = test_facts::reply("s", msg, at, [prompt, 10, 0, 0], Some(usd));
        test_facts::batch("/p/s.jsonl", FileChange::Appended, vec![r])
    }

    fn monitor(more: MoreAlerts) -> Monitor {
        let now = chrono::Utc::now().timestamp_millis();
        let mut ledger = Ledger::new();
        ledger.apply(reply("m1", now - 1_000, 100_000, 5.0));
        Monitor::new(ledger, WindowPolicy::default(), vec![70]).with_alerts(more)
    }

    fn alerts(changes: &[Change]) -> Vec<String> {
        changes
            .iter()
            .filter_map(|c| match c {
                Change::Threshold { crossing, .. } => Some(crossing.name()),
                Change::Limit(l) => Some(l.name()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_budget_period_that_ended_is_counted_again_on_the_next_check() {
        let mut m = monitor(MoreAlerts {
            budgets: Budgets {
                daily: Some(20.0),
                ..Budgets::default()
            },
            ..MoreAlerts::default()
        });
        let fresh = m.spend()[0].clone();
        // Nothing ended: nothing to do.
        assert_eq!(m.refresh_hints(), None);
        // As if the day had ended with $19 spent.
        m.spend[0].spent_usd = 19.0;
        m.spend[0].resets_at = 0;
        assert_eq!(m.refresh_hints(), Some(Vec::new()));
        assert_eq!(m.spend()[0], fresh);
    }

    #[test]
    fn the_monitor_alerts_before_auto_compact_and_on_budgets_once() {
        let now = chrono::Utc::now().timestamp_millis();
        let mut m = monitor(MoreAlerts {
            before_auto_compact: Some(10_000),
            budgets: Budgets {
                daily: Some(20.0),
                ..Budgets::default()
            },
            ..MoreAlerts::default()
        });
        // 146k of 200k: 70%, and within 10k of the default 155k point;
        // $5 + $12 of $20: the 80% level.
        let changes = m.apply(vec![reply("m2", now, 146_000, 12.0)]);
        assert_eq!(alerts(&changes), ["70", "auto-compact", "budget-80"]);
        let changes = m.apply(vec![reply("m3", now, 150_000, 0.5)]);
        assert_eq!(alerts(&changes), Vec::<String>::new());
    }

    #[test]
    fn what_was_there_at_the_start_does_not_alert() {
        let now = chrono::Utc::now().timestamp_millis();
        let mut ledger = Ledger::new();
        ledger.apply(reply("m1", now - 1_000, 150_000, 18.0));
        let mut m =
            Monitor::new(ledger, WindowPolicy::default(), vec![70]).with_alerts(MoreAlerts {
                before_auto_compact: Some(10_000),
                budgets: Budgets {
                    daily: Some(20.0),
                    ..Budgets::default()
                },
                ..MoreAlerts::default()
            });
        let changes = m.apply(vec![reply("m2", now, 151_000, 0.5)]);
        assert_eq!(alerts(&changes), Vec::<String>::new());
    }
}
