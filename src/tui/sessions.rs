//! The sessions the dashboard knows, and which of them the list shows in
//! what order: live first, then by the chosen sort, narrowed by the filter.

use super::content_search::ContentSearch;
use crate::burn;
use crate::format;
use crate::ledger::SessionSnapshot;
use crate::record::Millis;
use crate::state::{State, StateJson};
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
    /// What Claude Code's own figure adds beyond that (see
    /// `cost::unlogged`), when its status line told it.
    pub cost_unlogged: Option<f64>,
    /// Its models the price table does not know: their replies count as
    /// $0, and the panel says so.
    pub unpriced: Vec<String>,
    /// The subagents it started, nested (see `state::agents`).
    pub agents: Vec<crate::state::agents::AgentNode>,
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

    /// The session's state, when its transcript says anything of turns.
    pub fn state(&self) -> Option<&StateJson> {
        self.snap.state.as_ref()
    }

    /// How long the session has been in its state, when known.
    pub fn in_state_for(&self, now: Millis) -> Option<Millis> {
        let since = self.state()?.state_since?;
        Some(now.saturating_sub(since).max(0))
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
    /// Sessions waiting for the person first, the longest waiting first.
    Waiting,
}

impl Sort {
    pub fn next(self) -> Sort {
        match self {
            Sort::Activity => Sort::Context,
            Sort::Context => Sort::Project,
            Sort::Project => Sort::Waiting,
            Sort::Waiting => Sort::Activity,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Sort::Activity => "activity",
            Sort::Context => "context %",
            Sort::Project => "project",
            Sort::Waiting => "waiting",
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
            Sort::Waiting => {
                // Waiting, then working, compacting, idle, ended, unknown;
                // among the waiting the longest wait first.
                let rank = |s: &SessionView| s.state().map_or(usize::MAX, |st| st.state as usize);
                let since = |s: &SessionView| {
                    let waiting = s.state().is_some_and(|st| st.state == State::Waiting);
                    waiting
                        .then(|| s.state().and_then(|st| st.state_since))
                        .flatten()
                };
                rank(a).cmp(&rank(b)).then_with(|| {
                    since(a)
                        .unwrap_or(Millis::MAX)
                        .cmp(&since(b).unwrap_or(Millis::MAX))
                })
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
    /// Search mode's matches: while a search is typed, only these show,
    /// idle or not.
    pub content: &'a ContentSearch,
}

/// How many sessions the live list shows, dimmed, when none is live: enough
/// to pick up yesterday's work, few enough that the list is not the history.
pub const RECENT: usize = 10;

/// Whether the list stands in the most recent sessions for live ones: it
/// shows live sessions only and none is live.
pub fn showing_recent<'a>(
    mut sessions: impl Iterator<Item = &'a SessionView>,
    q: ListQuery,
) -> bool {
    q.show == Show::Live && !sessions.any(|s| s.is_live(q.now, q.idle_timeout_ms))
}

/// The rows of the list, in order. With live sessions only and none live,
/// the `RECENT` most recently active stand in for them, so the list never
/// opens blank on a data directory full of yesterday's sessions.
pub fn visible<'a>(
    sessions: impl Iterator<Item = &'a SessionView> + Clone,
    q: ListQuery,
) -> Vec<&'a SessionView> {
    let live = |s: &SessionView| s.is_live(q.now, q.idle_timeout_ms);
    let recent = showing_recent(sessions.clone(), q);
    let searching = !q.content.query.trim().is_empty();
    let mut rows: Vec<&SessionView> = sessions
        .filter(|s| q.show == Show::All || recent || searching || live(s))
        .filter(|s| q.filter.is_empty() || s.matches(q.filter))
        .filter(|s| q.content.keeps(&s.snap.session_id))
        .collect();
    if recent && !searching && rows.len() > RECENT {
        rows.sort_by(|a, b| Sort::Activity.compare(a, b));
        rows.truncate(RECENT);
    }
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
                label: String::new(),
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
                    window_source: crate::gauge::WindowSource::Default,
                    auto_compact_at: 155_000,
                    auto_compact_source: crate::gauge::auto_compact::AutoCompactSource::Default,
                    percent,
                    input: 12,
                    cache_creation: tokens / 10,
                    cache_read: tokens - tokens / 10 - 12,
                    output: 850,
                    model: "claude-sonnet-4-5-20250929".into(),
                    timestamp: at,
                    compacted: false,
                }),
                last_activity: Some(at),
                ..SessionSnapshot::empty(id, project)
            },
            series: vec![(at - 600_000, tokens / 2), (at, tokens)],
            cost_usd: 4.87,
            cost_unlogged: None,
            unpriced: Vec::new(),
            agents: Vec::new(),
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
            content: &NO_SEARCH,
        }
    }

    static NO_SEARCH: std::sync::LazyLock<ContentSearch> =
        std::sync::LazyLock::new(ContentSearch::default);

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
    fn with_none_live_the_most_recent_stand_in_for_live_ones() {
        let q = query(Show::Live, Sort::Context, "");
        // Twelve idle sessions, the later ones more recent and fuller.
        let idle: Vec<SessionView> = (0..12)
            .map(|i| view(&format!("s{i:02}"), "/src/p", 10.0 + i as f64, i * MIN))
            .collect();
        assert!(showing_recent(idle.iter(), q));
        let rows = visible(idle.iter(), q);
        // The ten most recent, in the chosen sort.
        assert_eq!(rows.len(), RECENT);
        assert_eq!(rows[0].id(), "s11");
        assert_eq!(rows[9].id(), "s02");
        // The filter still narrows them.
        let rows = visible(idle.iter(), query(Show::Live, Sort::Activity, "s0"));
        assert_eq!(
            ids(&rows),
            [
                "s09", "s08", "s07", "s06", "s05", "s04", "s03", "s02", "s01", "s00"
            ]
        );
        // One live session and the idle ones are hidden again.
        let mut mixed = idle.clone();
        mixed.push(view("live", "/src/p", 1.0, 99 * MIN));
        assert!(!showing_recent(mixed.iter(), q));
        assert_eq!(ids(&visible(mixed.iter(), q)), ["live"]);
        // Showing all is never "recent".
        assert!(!showing_recent(
            idle.iter(),
            query(Show::All, Sort::Activity, "")
        ));
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
