//! Turning ledger updates into changes a person cares about: a session
//! appeared, its context moved, it compacted, it crossed a threshold.
//!
//! The monitor keeps the last snapshot of every session and compares after
//! each batch, so every consumer (the `events` stream, the dashboard) sees
//! the same changes computed the same way.

use crate::alerts::{Crossing, ThresholdTracker};
use crate::ledger::snapshot::CompactionSnapshot;
use crate::ledger::{FileUpdate, Ledger, SessionSnapshot, WindowPolicy};
use crate::receive::{SharedTelemetry, view};
use std::collections::{BTreeSet, HashMap};
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
    /// Every file that mentioned the session is gone.
    Removed {
        session_id: String,
    },
}

impl Change {
    pub fn session_id(&self) -> &str {
        match self {
            Change::Appeared(s) | Change::Usage(s) => &s.session_id,
            Change::Compaction { session, .. }
            | Change::Context { session, .. }
            | Change::Threshold { session, .. } => &session.session_id,
            Change::Removed { session_id } => session_id,
        }
    }
}

#[derive(Debug)]
pub struct Monitor {
    pub ledger: Ledger,
    pub window: WindowPolicy,
    last: HashMap<Arc<str>, SessionSnapshot>,
    alerts: ThresholdTracker,
    /// Telemetry received over OTLP (`--otlp-receive`), when asked for.
    telemetry: Option<SharedTelemetry>,
}

impl Monitor {
    /// Start from a scanned ledger. What is already there is the baseline:
    /// no alerts fire for levels a session had crossed before we started.
    pub fn new(ledger: Ledger, window: WindowPolicy, thresholds: Vec<u8>) -> Monitor {
        let mut alerts = ThresholdTracker::new(thresholds);
        let mut last = HashMap::new();
        for id in ledger.session_ids() {
            if let Some(s) = ledger.snapshot(id, &window) {
                alerts.prime(&s);
                last.insert(id.clone(), s);
            }
        }
        Monitor {
            ledger,
            window,
            last,
            alerts,
            telemetry: None,
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
        let touched: BTreeSet<Arc<str>> = match self.telemetry.as_ref().map(|s| s.lock()) {
            Some(Ok(mut store)) => store
                .take_changed()
                .into_iter()
                .map(|id| Arc::from(id.as_str()))
                .collect(),
            _ => BTreeSet::new(),
        };
        self.refresh(touched)
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

    /// Apply a batch of file updates and report what changed.
    pub fn apply(&mut self, updates: Vec<FileUpdate>) -> Vec<Change> {
        let mut touched = BTreeSet::new();
        for u in updates {
            touched.extend(self.ledger.apply(u));
        }
        self.refresh(touched)
    }

    /// Snapshot the `touched` sessions again and compare.
    fn refresh(&mut self, touched: BTreeSet<Arc<str>>) -> Vec<Change> {
        let mut changes = Vec::new();
        for id in touched {
            let now = self.snapshot_of(&id);
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
