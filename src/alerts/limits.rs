//! Account-wide alerts: the plan's 5-hour and 7-day usage (from status-line
//! hints), Codex's plan windows (from its rollouts) and the cost budgets. Each level fires once per period, on the way
//! up: a new period (the window reset, the next day or week) re-arms it.
//! A period whose reset time is unknown re-arms when usage falls below the
//! level instead.

use crate::budget::{BudgetPeriod, Spend};
use crate::hints::rate::PlanLimits;
use crate::record::Millis;
use std::collections::HashMap;

/// Reset times that differ by less than this name the same period (Claude
/// Code may round its `resets_at` differently from one call to the next).
const SAME_RESET_MS: Millis = 60_000;

/// What a limit alert measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LimitKind {
    /// The plan's usage window: `five_hour` or `seven_day`.
    RateLimit(&'static str),
    Budget(BudgetPeriod),
}

impl LimitKind {
    /// What a person calls it: "5-hour limit", "daily budget".
    pub fn label(self) -> &'static str {
        match self {
            LimitKind::RateLimit("five_hour") => "5-hour limit",
            LimitKind::RateLimit("seven_day") => "7-day limit",
            LimitKind::RateLimit(CODEX_PRIMARY) => "Codex 5-hour limit",
            LimitKind::RateLimit(CODEX_SECONDARY) => "Codex weekly limit",
            LimitKind::RateLimit(_) => "plan limit",
            LimitKind::Budget(BudgetPeriod::Daily) => "daily budget",
            LimitKind::Budget(BudgetPeriod::Weekly) => "weekly budget",
        }
    }

    /// The period's name as the hook (`CCWATCH_PERIOD`) and `events` say it.
    pub fn period(self) -> &'static str {
        match self {
            LimitKind::RateLimit(w) => w,
            LimitKind::Budget(p) => p.name(),
        }
    }
}

/// The periods of Codex's two plan windows (`rate_limits.primary`, usually
/// 5 hours, and `secondary`, usually a week).
pub const CODEX_PRIMARY: &str = "codex_primary";
pub const CODEX_SECONDARY: &str = "codex_secondary";

/// One measure now.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    pub kind: LimitKind,
    /// Percent used (above 100 when over).
    pub percent: f64,
    pub resets_at: Option<Millis>,
    /// USD spent and budgeted, for budgets.
    pub spend: Option<(f64, f64)>,
}

impl Reading {
    /// The plan's windows and the budgets as readings.
    pub fn all(plan: Option<&PlanLimits>, spend: &[Spend]) -> Vec<Reading> {
        let mut out: Vec<Reading> = plan
            .map(|p| p.windows())
            .unwrap_or_default()
            .into_iter()
            .map(|(name, w)| Reading {
                kind: LimitKind::RateLimit(name),
                percent: w.ratio * 100.0,
                resets_at: w.resets_at,
                spend: None,
            })
            .collect();
        out.extend(spend.iter().map(|s| Reading {
            kind: LimitKind::Budget(s.period),
            percent: s.ratio * 100.0,
            resets_at: Some(s.resets_at),
            spend: Some((s.spent_usd, s.budget_usd)),
        }));
        out
    }

    /// Codex's plan windows as readings.
    pub fn codex(limits: &crate::agent::RateLimits) -> Vec<Reading> {
        [
            (CODEX_PRIMARY, limits.primary),
            (CODEX_SECONDARY, limits.secondary),
        ]
        .into_iter()
        .filter_map(|(period, w)| {
            let w = w?;
            Some(Reading {
                kind: LimitKind::RateLimit(period),
                percent: w.used_percent,
                resets_at: w.resets_at.map(|s| s.saturating_mul(1000)),
                spend: None,
            })
        })
        .collect()
    }
}

/// A level crossed upward.
#[derive(Debug, Clone, PartialEq)]
pub struct LimitCrossing {
    pub level: u8,
    pub reading: Reading,
}

impl LimitCrossing {
    /// `CCWATCH_LEVEL`: `budget-80`, `rate-limit-95`.
    pub fn name(&self) -> String {
        match self.reading.kind {
            LimitKind::Budget(_) => format!("budget-{}", self.level),
            LimitKind::RateLimit(_) => format!("rate-limit-{}", self.level),
        }
    }
}

#[derive(Debug, Clone, Default)]
struct Armed {
    resets_at: Option<Millis>,
    fired: Vec<u8>,
}

#[derive(Debug, Clone, Default)]
pub struct LimitTracker {
    rate_levels: Vec<u8>,
    budget_levels: Vec<u8>,
    armed: HashMap<LimitKind, Armed>,
}

impl LimitTracker {
    /// Levels in percent; sorted and deduplicated here.
    pub fn new(mut rate_levels: Vec<u8>, mut budget_levels: Vec<u8>) -> LimitTracker {
        for l in [&mut rate_levels, &mut budget_levels] {
            l.sort_unstable();
            l.dedup();
        }
        LimitTracker {
            rate_levels,
            budget_levels,
            armed: HashMap::new(),
        }
    }

    /// Take in readings that were there before ccwatch started, without
    /// alerting.
    pub fn prime(&mut self, readings: &[Reading]) {
        self.observe(readings);
    }

    /// The levels crossed since the last observation, lowest first.
    pub fn observe(&mut self, readings: &[Reading]) -> Vec<LimitCrossing> {
        let mut crossed = Vec::new();
        for r in readings {
            let levels = match r.kind {
                LimitKind::RateLimit(_) => &self.rate_levels,
                LimitKind::Budget(_) => &self.budget_levels,
            };
            let armed = self.armed.entry(r.kind).or_default();
            let same_period = match (armed.resets_at, r.resets_at) {
                (Some(a), Some(b)) => (a - b).abs() < SAME_RESET_MS,
                (None, None) => true,
                _ => false,
            };
            if !same_period {
                armed.fired.clear();
                armed.resets_at = r.resets_at;
            }
            if r.resets_at.is_none() {
                armed.fired.retain(|l| r.percent >= f64::from(*l));
            }
            for &level in levels {
                if r.percent >= f64::from(level) && !armed.fired.contains(&level) {
                    armed.fired.push(level);
                    crossed.push(LimitCrossing {
                        level,
                        reading: r.clone(),
                    });
                }
            }
        }
        crossed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codex_windows_are_readings_of_their_own_named_for_people() {
        use crate::agent::{RateLimits, RateWindow};
        let limits = RateLimits {
            primary: Some(RateWindow {
                used_percent: 85.0,
                window_minutes: Some(300),
                resets_at: Some(1_000),
            }),
            secondary: None,
        };
        let readings = Reading::codex(&limits);
        assert_eq!(readings.len(), 1);
        assert_eq!(readings[0].kind, LimitKind::RateLimit(CODEX_PRIMARY));
        assert_eq!(readings[0].resets_at, Some(1_000_000));
        assert_eq!(readings[0].kind.label(), "Codex 5-hour limit");
        assert_eq!(
            LimitKind::RateLimit(CODEX_SECONDARY).label(),
            "Codex weekly limit"
        );
        // Its own period: Claude Code's 5-hour window is armed apart.
        let mut t = LimitTracker::new(vec![80], vec![]);
        let crossed = t.observe(&readings);
        assert_eq!(crossed.len(), 1);
        assert_eq!(crossed[0].name(), "rate-limit-80");
        assert!(t.observe(&readings).is_empty());
    }

    fn rate(percent: f64, resets_at: Option<Millis>) -> Reading {
        Reading {
            kind: LimitKind::RateLimit("five_hour"),
            percent,
            resets_at,
            spend: None,
        }
    }

    fn budget(spent: f64, resets_at: Millis) -> Reading {
        Reading {
            kind: LimitKind::Budget(BudgetPeriod::Daily),
            percent: spent * 5.0,
            resets_at: Some(resets_at),
            spend: Some((spent, 20.0)),
        }
    }

    fn names(c: Vec<LimitCrossing>) -> Vec<String> {
        c.iter().map(LimitCrossing::name).collect()
    }

    #[test]
    fn each_level_fires_once_per_reset_period() {
        let mut t = LimitTracker::new(vec![95, 80], vec![]);
        assert!(t.observe(&[rate(50.0, Some(1_000_000))]).is_empty());
        assert_eq!(
            names(t.observe(&[rate(81.0, Some(1_000_000))])),
            ["rate-limit-80"]
        );
        // The same period, its reset time rounded differently: no repeat.
        assert!(t.observe(&[rate(85.0, Some(1_000_500))]).is_empty());
        assert_eq!(
            names(t.observe(&[rate(96.0, Some(1_000_000))])),
            ["rate-limit-95"]
        );
        // The window reset: usage climbs again and alerts again.
        assert!(t.observe(&[rate(10.0, Some(9_000_000))]).is_empty());
        assert_eq!(
            names(t.observe(&[rate(99.0, Some(9_000_000))])),
            ["rate-limit-80", "rate-limit-95"]
        );
    }

    #[test]
    fn budgets_alert_once_a_day_and_separately_from_rate_limits() {
        let mut t = LimitTracker::new(vec![80], vec![80, 100]);
        let day = 86_400_000;
        let c = t.observe(&[budget(16.0, day), rate(80.0, None)]);
        assert_eq!(names(c.clone()), ["budget-80", "rate-limit-80"]);
        assert_eq!(c[0].reading.spend, Some((16.0, 20.0)));
        assert!(t.observe(&[budget(19.0, day)]).is_empty());
        assert_eq!(names(t.observe(&[budget(21.0, day)])), ["budget-100"]);
        // The next day.
        assert!(t.observe(&[budget(1.0, 2 * day)]).is_empty());
        assert_eq!(names(t.observe(&[budget(17.0, 2 * day)])), ["budget-80"]);
    }

    #[test]
    fn without_a_reset_time_falling_below_rearms() {
        let mut t = LimitTracker::new(vec![80], vec![]);
        assert_eq!(names(t.observe(&[rate(81.0, None)])), ["rate-limit-80"]);
        assert!(t.observe(&[rate(82.0, None)]).is_empty());
        t.observe(&[rate(5.0, None)]);
        assert_eq!(names(t.observe(&[rate(81.0, None)])), ["rate-limit-80"]);
    }

    #[test]
    fn primed_readings_do_not_alert() {
        let mut t = LimitTracker::new(vec![80], vec![80]);
        t.prime(&[rate(90.0, Some(5)), budget(17.0, 7)]);
        assert!(
            t.observe(&[rate(91.0, Some(5)), budget(18.0, 7)])
                .is_empty()
        );
    }
}
