//! The sessions the dashboard knows, and which of them the list shows in
//! what order: live first, then by the chosen sort, narrowed by the filter.

use crate::burn;
use crate::format;
use crate::ledger::SessionSnapshot;
use crate::record::Millis;
use std::cmp::Ordering;

/// One session as the dashboard holds it: the monitor's snapshot and the
/// occupancy points the burn rate is computed from.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionView {
    pub snap: SessionSnapshot,
    /// The current cycle from the start of the sparkline span on, plus the
    /// point before it.
    pub series: Vec<(Millis, u64)>,
    /// What the session's responses cost, subagents included.
    pub cost_usd: f64,
}

impl SessionView {
    pub fn id(&self) -> &str {
        &self.snap.session_id
    }

    pub fn last_activity(&self) -> Millis {
        self.snap.last_activity.unwrap_or(Millis::MIN)
    }

    pub fn is_live(&self, now: Millis, idle_timeout_ms: Millis) -> bool {
        self.snap
            .last_activity
            .is_some_and(|t| now.saturating_sub(t) <= idle_timeout_ms)
    }

    /// The occupancy percentage, when it is known.
    pub fn percent(&self) -> Option<f64> {
        self.snap
            .context
            .as_ref()
            .filter(|c| !c.compacted)
            .map(|c| c.percent)
    }

    /// The recent growth rate, tokens per minute.
    pub fn rate(&self, now: Millis) -> Option<f64> {
        burn::current_rate(&self.series, now)
    }

    fn matches(&self, filter: &str) -> bool {
        let f = filter.to_lowercase();
        self.snap.project.to_lowercase().contains(&f)
            || self.snap.session_id.to_lowercase().contains(&f)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Activity,
    Context,
    Project,
}

impl Sort {
    pub fn next(self) -> Sort {
        match self {
            Sort::Activity => Sort::Context,
            Sort::Context => Sort::Project,
            Sort::Project => Sort::Activity,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Sort::Activity => "activity",
            Sort::Context => "context %",
            Sort::Project => "project",
        }
    }

    fn compare(self, a: &SessionView, b: &SessionView) -> Ordering {
        let recent = b.last_activity().cmp(&a.last_activity());
        let by = match self {
            Sort::Activity => Ordering::Equal,
            Sort::Context => {
                let p = |s: &SessionView| s.percent().unwrap_or(-1.0);
                p(b).total_cmp(&p(a))
            }
            Sort::Project => {
                format::project_name(&a.snap.project).cmp(format::project_name(&b.snap.project))
            }
        };
        by.then(recent).then_with(|| a.id().cmp(b.id()))
    }
}

/// Which sessions the list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Show {
    Live,
    All,
}

/// What decides the list: everything but the sessions themselves.
#[derive(Debug, Clone, Copy)]
pub struct ListQuery<'a> {
    pub now: Millis,
    pub idle_timeout_ms: Millis,
    pub show: Show,
    pub sort: Sort,
    pub filter: &'a str,
}

/// The rows of the list, in order.
pub fn visible<'a>(
    sessions: impl Iterator<Item = &'a SessionView>,
    q: ListQuery,
) -> Vec<&'a SessionView> {
    let live = |s: &SessionView| s.is_live(q.now, q.idle_timeout_ms);
    let mut rows: Vec<&SessionView> = sessions
        .filter(|s| q.show == Show::All || live(s))
        .filter(|s| q.filter.is_empty() || s.matches(q.filter))
        .collect();
    rows.sort_by(|a, b| live(b).cmp(&live(a)).then_with(|| q.sort.compare(a, b)));
    rows
}

/// How long until something on screen changes by itself: an age ticks over
/// or a session goes idle. At most once a second, at least once a minute
/// (the burn rate decays with time), never when nothing is shown.
pub fn next_tick(rows: &[&SessionView], now: Millis, idle_timeout_ms: Millis) -> Option<Millis> {
    let soonest = rows
        .iter()
        .filter_map(|s| s.snap.last_activity)
        .map(|then| {
            let age = now - then;
            let idle_in = idle_timeout_ms - age;
            let tick = age_tick(age);
            if idle_in > 0 {
                tick.min(idle_in + 1)
            } else {
                tick
            }
        })
        .min();
    if rows.is_empty() {
        return None;
    }
    Some(soonest.unwrap_or(60_000).clamp(1_000, 60_000))
}

/// Milliseconds until `format::age` of this age shows something else.
fn age_tick(age: Millis) -> Millis {
    if age < 0 {
        return -age + 1_000;
    }
    let unit = match age / 1000 {
        0..=59 => 1_000,
        60..=3_599 => 60_000,
        3_600..=86_399 => 3_600_000,
        _ => 86_400_000,
    };
    unit - age % unit
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use crate::ledger::{ContextSnapshot, TokenJson};

    /// A session for tests: `percent` of a 200k window, last active at `at`.
    pub fn view(id: &str, project: &str, percent: f64, at: Millis) -> SessionView {
        let tokens = (percent * 2_000.0) as u64;
        SessionView {
            snap: SessionSnapshot {
                session_id: id.into(),
                label: String::new(),
                subagents_only: false,
                project: project.into(),
                records: 12,
                models: [("claude-sonnet-4-5-20250929".to_owned(), 12)].into(),
                tokens: TokenJson {
                    input: 1_200,
                    output: 18_400,
                    cache_creation: 64_000,
                    cache_read: 910_000,
                },
                context: Some(ContextSnapshot {
                    tokens,
                    window: 200_000,
                    percent,
                    input: 12,
                    cache_creation: tokens / 10,
                    cache_read: tokens - tokens / 10 - 12,
                    output: 850,
                    model: "claude-sonnet-4-5-20250929".into(),
                    timestamp: at,
                    compacted: false,
                }),
                compactions: 0,
                last_activity: Some(at),
                last_compaction: None,
                cycle_start: None,
                host: None,
                telemetry: None,
            },
            series: vec![(at - 600_000, tokens / 2), (at, tokens)],
            cost_usd: 4.87,
        }
    }

    fn ids(rows: &[&SessionView]) -> Vec<String> {
        rows.iter().map(|s| s.id().to_owned()).collect()
    }

    const MIN: Millis = 60_000;

    fn query(show: Show, sort: Sort, filter: &str) -> ListQuery<'_> {
        ListQuery {
            now: 100 * MIN,
            idle_timeout_ms: 30 * MIN,
            show,
            sort,
            filter,
        }
    }

    fn sample() -> Vec<SessionView> {
        vec![
            view("aaa", "/src/zeta", 50.0, 99 * MIN),
            view("bbb", "/src/alpha", 90.0, 90 * MIN),
            view("ccc", "/src/mid", 99.0, 10 * MIN), // idle
        ]
    }

    #[test]
    fn live_first_then_by_sort() {
        let s = sample();
        let rows = visible(s.iter(), query(Show::All, Sort::Activity, ""));
        assert_eq!(ids(&rows), ["aaa", "bbb", "ccc"]);
        let rows = visible(s.iter(), query(Show::All, Sort::Context, ""));
        assert_eq!(ids(&rows), ["bbb", "aaa", "ccc"]);
        let rows = visible(s.iter(), query(Show::All, Sort::Project, ""));
        assert_eq!(ids(&rows), ["bbb", "aaa", "ccc"]);
    }

    #[test]
    fn idle_sessions_are_hidden_unless_asked_for() {
        let s = sample();
        let rows = visible(s.iter(), query(Show::Live, Sort::Activity, ""));
        assert_eq!(ids(&rows), ["aaa", "bbb"]);
    }

    #[test]
    fn the_filter_matches_project_or_id_ignoring_case() {
        let s = sample();
        let rows = visible(s.iter(), query(Show::All, Sort::Activity, "ALP"));
        assert_eq!(ids(&rows), ["bbb"]);
        let rows = visible(s.iter(), query(Show::All, Sort::Activity, "cc"));
        assert_eq!(ids(&rows), ["ccc"]);
    }

    #[test]
    fn ticks_follow_what_the_ages_show() {
        let now = 100 * MIN;
        let fresh = view("a", "/p", 1.0, now - 12_300);
        let old = view("b", "/p", 1.0, now - 20 * MIN - 5_000);
        // Seconds are shown: tick at the next whole second, at most once a second.
        assert_eq!(next_tick(&[&fresh], now, 30 * MIN), Some(1_000));
        // Minutes are shown: tick when the minute turns over.
        assert_eq!(next_tick(&[&old], now, 30 * MIN), Some(55_000));
        // Hours are shown, but the rate still moves: once a minute.
        let older = view("c", "/p", 1.0, now - 3 * 60 * MIN);
        assert_eq!(next_tick(&[&older], now, 30 * MIN), Some(60_000));
        // About to go idle.
        let edge = view("d", "/p", 1.0, now - 29 * MIN - 50_000);
        assert_eq!(next_tick(&[&edge], now, 29 * MIN + 55_000), Some(5_001));
        assert_eq!(next_tick(&[], now, 30 * MIN), None);
    }
}
