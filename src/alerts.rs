//! Threshold alerts (70/85/95% by default): when each fires, and when it
//! may fire again.
//!
//! Each level fires once per context cycle, on the way up. It re-arms when
//! the cycle ends (a compaction, or a large drop in occupancy) or when the
//! occupancy falls back below it, so a user is warned once per fill, not on
//! every response above the line.

use crate::ledger::SessionSnapshot;
use crate::record::Millis;
use std::collections::HashMap;

/// A threshold crossed upward.
#[derive(Debug, Clone, PartialEq)]
pub struct Crossing {
    pub level: u8,
    pub percent: f64,
    pub tokens: u64,
    pub window: u64,
}

#[derive(Debug, Clone, PartialEq)]
struct Armed {
    cycle: (u64, Option<Millis>),
    /// Levels that have fired in this cycle and not re-armed yet.
    fired: Vec<u8>,
}

#[derive(Debug, Clone)]
pub struct ThresholdTracker {
    levels: Vec<u8>,
    sessions: HashMap<String, Armed>,
}

impl ThresholdTracker {
    /// `levels` in percent; sorted and deduplicated here.
    pub fn new(mut levels: Vec<u8>) -> ThresholdTracker {
        levels.sort_unstable();
        levels.dedup();
        ThresholdTracker {
            levels,
            sessions: HashMap::new(),
        }
    }

    pub fn levels(&self) -> &[u8] {
        &self.levels
    }

    /// Take in a session's state without reporting crossings: for state that
    /// was already there when ccwatch started.
    pub fn prime(&mut self, s: &SessionSnapshot) {
        self.observe(s);
    }

    /// Take in a session's new state; returns the levels crossed upward
    /// since the last observation, lowest first.
    pub fn observe(&mut self, s: &SessionSnapshot) -> Vec<Crossing> {
        let cycle = (s.compactions, s.cycle_start);
        let armed = self
            .sessions
            .entry(s.session_id.clone())
            .or_insert_with(|| Armed {
                cycle,
                fired: Vec::new(),
            });
        if armed.cycle != cycle {
            armed.cycle = cycle;
            armed.fired.clear();
        }
        let Some(c) = s.context.as_ref().filter(|c| !c.compacted) else {
            return Vec::new();
        };
        armed.fired.retain(|level| c.percent >= *level as f64);
        let mut crossed = Vec::new();
        for &level in &self.levels {
            if c.percent >= level as f64 && !armed.fired.contains(&level) {
                armed.fired.push(level);
                crossed.push(Crossing {
                    level,
                    percent: c.percent,
                    tokens: c.tokens,
                    window: c.window,
                });
            }
        }
        crossed
    }

    pub fn forget(&mut self, session_id: &str) {
        self.sessions.remove(session_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::ContextSnapshot;

    fn snap(percent: f64, compactions: u64, cycle_start: Option<Millis>) -> SessionSnapshot {
        SessionSnapshot {
            session_id: "s".into(),
            label: String::new(),
            subagents_only: false,
            project: "/p".into(),
            records: 1,
            models: Default::default(),
            tokens: Default::default(),
            context: Some(ContextSnapshot {
                tokens: (percent * 2000.0) as u64,
                window: 200_000,
                percent,
                input: 0,
                cache_creation: 0,
                cache_read: 0,
                output: 0,
                model: "m".into(),
                timestamp: 0,
                compacted: false,
            }),
            compactions,
            last_activity: None,
            last_compaction: None,
            cycle_start,
            host: None,
            telemetry: None,
        }
    }

    fn levels(c: Vec<Crossing>) -> Vec<u8> {
        c.into_iter().map(|c| c.level).collect()
    }

    #[test]
    fn each_level_fires_once_on_the_way_up() {
        let mut t = ThresholdTracker::new(vec![95, 70, 85]);
        assert_eq!(levels(t.observe(&snap(60.0, 0, None))), Vec::<u8>::new());
        assert_eq!(levels(t.observe(&snap(72.0, 0, None))), vec![70]);
        assert_eq!(levels(t.observe(&snap(80.0, 0, None))), Vec::<u8>::new());
        assert_eq!(levels(t.observe(&snap(96.0, 0, None))), vec![85, 95]);
        assert_eq!(levels(t.observe(&snap(97.0, 0, None))), Vec::<u8>::new());
    }

    #[test]
    fn a_level_rearms_when_occupancy_falls_below_it() {
        let mut t = ThresholdTracker::new(vec![70, 85, 95]);
        t.observe(&snap(72.0, 0, None));
        t.observe(&snap(65.0, 0, None));
        assert_eq!(levels(t.observe(&snap(71.0, 0, None))), vec![70]);
    }

    #[test]
    fn a_new_cycle_rearms_every_level() {
        let mut t = ThresholdTracker::new(vec![70, 85, 95]);
        t.observe(&snap(90.0, 0, None));
        // Compacted, then refilled past 70 without us seeing a lower point.
        assert_eq!(levels(t.observe(&snap(75.0, 1, Some(5)))), vec![70]);
    }

    #[test]
    fn primed_state_does_not_alert_again() {
        let mut t = ThresholdTracker::new(vec![70, 85, 95]);
        t.prime(&snap(88.0, 0, None));
        assert_eq!(levels(t.observe(&snap(89.0, 0, None))), Vec::<u8>::new());
        assert_eq!(levels(t.observe(&snap(95.5, 0, None))), vec![95]);
    }
}
