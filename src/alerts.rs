//! Threshold alerts (70/85/95% by default, and optionally a margin before
//! the auto-compact point): when each fires, and when it may fire again.
//!
//! Each level fires once per context cycle, on the way up. It re-arms when
//! the cycle ends (a compaction, or a large drop in occupancy) or when the
//! occupancy falls back below it, so a user is warned once per fill, not on
//! every response above the line.

use crate::ledger::SessionSnapshot;
use crate::record::Millis;
use std::collections::HashMap;

pub mod limits;

/// A threshold crossed upward.
#[derive(Debug, Clone, PartialEq)]
pub struct Crossing {
    /// The level in percent of the window; for [`CrossingKind::AutoCompact`]
    /// the auto-compact point's, so it ranks and colours like one.
    pub level: u8,
    pub percent: f64,
    pub tokens: u64,
    pub window: u64,
    pub kind: CrossingKind,
}

/// Which kind of level was crossed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CrossingKind {
    /// A percentage of the window (`level`).
    Percent,
    /// Within the configured margin of the auto-compact point (`at` tokens).
    AutoCompact { at: u64 },
}

impl Crossing {
    /// The level as `--on-alert` (`CCWATCH_LEVEL`) and `events` name it:
    /// `85`, or `auto-compact`.
    pub fn name(&self) -> String {
        match self.kind {
            CrossingKind::Percent => self.level.to_string(),
            CrossingKind::AutoCompact { .. } => "auto-compact".to_owned(),
        }
    }
}

/// A number of tokens as the config and `--before-auto-compact` take it:
/// `10000`, `10_000`, `10k`, `1.5k`, `1m`.
pub fn parse_tokens(s: &str) -> Result<u64, String> {
    let t = s.trim().replace('_', "").to_ascii_lowercase();
    let (number, mult) = match t.strip_suffix('k') {
        Some(n) => (n, 1e3),
        None => match t.strip_suffix('m') {
            Some(n) => (n, 1e6),
            None => (t.as_str(), 1.0),
        },
    };
    let n: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a number of tokens like 10k or 10000"))?;
    let tokens = (n * mult).round();
    if !(1.0..1e12).contains(&tokens) {
        return Err(format!("`{s}` is not a usable number of tokens"));
    }
    Ok(tokens as u64)
}

#[derive(Debug, Clone, PartialEq)]
struct Armed {
    cycle: (u64, Option<Millis>),
    /// Levels that have fired in this cycle and not re-armed yet.
    fired: Vec<u8>,
    /// The before-auto-compact alert fired in this cycle.
    auto_compact_fired: bool,
}

#[derive(Debug, Clone)]
pub struct ThresholdTracker {
    levels: Vec<u8>,
    /// Alert this many tokens before the auto-compact point.
    before_auto_compact: Option<u64>,
    sessions: HashMap<String, Armed>,
}

impl ThresholdTracker {
    /// `levels` in percent; sorted and deduplicated here.
    pub fn new(mut levels: Vec<u8>) -> ThresholdTracker {
        levels.sort_unstable();
        levels.dedup();
        ThresholdTracker {
            levels,
            before_auto_compact: None,
            sessions: HashMap::new(),
        }
    }

    /// Also alert once per cycle when a session comes within `margin`
    /// tokens of its auto-compact point.
    pub fn with_before_auto_compact(mut self, margin: Option<u64>) -> ThresholdTracker {
        self.before_auto_compact = margin;
        self
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
                auto_compact_fired: false,
            });
        if armed.cycle != cycle {
            armed.cycle = cycle;
            armed.fired.clear();
            armed.auto_compact_fired = false;
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
                    kind: CrossingKind::Percent,
                });
            }
        }
        // Once per cycle: only a compaction (a new cycle) re-arms it, since
        // the point itself moves as ccwatch learns it.
        if let Some(margin) = self.before_auto_compact
            && !armed.auto_compact_fired
            && c.auto_compact_at > 0
            && c.tokens.saturating_add(margin) >= c.auto_compact_at
        {
            armed.auto_compact_fired = true;
            let level = (c.auto_compact_at as f64 * 100.0 / c.window.max(1) as f64).round();
            crossed.push(Crossing {
                level: level.clamp(1.0, 100.0) as u8,
                percent: c.percent,
                tokens: c.tokens,
                window: c.window,
                kind: CrossingKind::AutoCompact {
                    at: c.auto_compact_at,
                },
            });
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
            label: String::new(),
            records: 1,
            context: Some(ContextSnapshot {
                tokens: (percent * 2000.0) as u64,
                window: 200_000,
                window_source: crate::gauge::WindowSource::Default,
                auto_compact_at: 155_000,
                auto_compact_source: crate::gauge::auto_compact::AutoCompactSource::Default,
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
            cycle_start,
            ..SessionSnapshot::empty("s", "/p")
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

    fn names(c: Vec<Crossing>) -> Vec<String> {
        c.iter().map(Crossing::name).collect()
    }

    #[test]
    fn before_auto_compact_fires_once_per_cycle() {
        // The point is 155k; alert 10k before it, at 145k (72.5%).
        let mut t = ThresholdTracker::new(vec![70]).with_before_auto_compact(Some(10_000));
        assert_eq!(names(t.observe(&snap(71.0, 0, None))), ["70"]);
        let c = t.observe(&snap(72.5, 0, None));
        assert_eq!(names(c.clone()), ["auto-compact"]);
        assert_eq!(c[0].kind, CrossingKind::AutoCompact { at: 155_000 });
        assert_eq!(c[0].level, 78);
        assert_eq!(c[0].tokens, 145_000);
        assert_eq!(names(t.observe(&snap(76.0, 0, None))), Vec::<String>::new());
        // Falling back below the margin does not re-arm it within a cycle.
        t.observe(&snap(60.0, 0, None));
        assert_eq!(names(t.observe(&snap(74.0, 0, None))), ["70"]);
        // A compaction does.
        t.observe(&snap(20.0, 1, Some(5)));
        assert_eq!(
            names(t.observe(&snap(73.0, 1, Some(5)))),
            ["70", "auto-compact"]
        );
    }

    #[test]
    fn token_counts_take_k_and_m() {
        assert_eq!(parse_tokens("10k"), Ok(10_000));
        assert_eq!(parse_tokens("1.5K"), Ok(1_500));
        assert_eq!(parse_tokens("10_000"), Ok(10_000));
        assert_eq!(parse_tokens("1m"), Ok(1_000_000));
        assert!(parse_tokens("lots").is_err());
        assert!(parse_tokens("0").is_err());
        assert!(parse_tokens("-5k").is_err());
    }

    #[test]
    fn no_margin_no_auto_compact_alert() {
        let mut t = ThresholdTracker::new(vec![]);
        assert!(t.observe(&snap(99.0, 0, None)).is_empty());
    }

    #[test]
    fn primed_state_does_not_alert_again() {
        let mut t = ThresholdTracker::new(vec![70, 85, 95]);
        t.prime(&snap(88.0, 0, None));
        assert_eq!(levels(t.observe(&snap(89.0, 0, None))), Vec::<u8>::new());
        assert_eq!(levels(t.observe(&snap(95.5, 0, None))), vec![95]);
    }
}
