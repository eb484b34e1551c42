//! What ccwatch exports, as plain numbers: refreshed from the monitor after
//! each batch, read as [`Sample`]s by both exporters (the Prometheus
//! endpoint and the OTLP push), so the two always show the same values
//! under the same names.
//!
//! Token and cost counters carry Claude Code's own OpenTelemetry names, so
//! dashboards built for that telemetry read ccwatch. They are totals
//! recomputed from the ledger, exposed as counters whose value is the
//! current total: when a transcript file disappears its records leave the
//! totals and a counter can go down. ccwatch prefers the correct number to
//! a monotonic one; Prometheus treats the drop as a reset.

use crate::cost::book::SessionUsage;
use crate::cost::{Dollars, Pricer};
use crate::hints::rate::PlanLimits;
use crate::ledger::SessionSnapshot;
use crate::monitor::{Change, Monitor};
use crate::parse::SkipReason;
use crate::record::Millis;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

/// Every metric ccwatch exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Metric {
    Tokens,
    Cost,
    ContextTokens,
    ContextWindow,
    ContextRatio,
    Compactions,
    ThresholdCrossings,
    SkippedLines,
    FilesWatched,
    Sessions,
    SessionState,
    /// The plan's usage windows, from the newest status-line hint.
    RateLimitRatio,
}

/// Whether a metric only counts up (between resets) or goes up and down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Counter,
    Gauge,
}

impl Metric {
    pub const ALL: [Metric; 12] = [
        Metric::Tokens,
        Metric::Cost,
        Metric::ContextTokens,
        Metric::ContextWindow,
        Metric::ContextRatio,
        Metric::Compactions,
        Metric::ThresholdCrossings,
        Metric::SkippedLines,
        Metric::FilesWatched,
        Metric::Sessions,
        Metric::SessionState,
        Metric::RateLimitRatio,
    ];

    /// The OpenTelemetry instrument name. With its unit, Prometheus's
    /// OTLP translation turns it into [`Metric::prometheus_name`] (plus
    /// `_total` for counters): `claude_code.token.usage` in `tokens` is
    /// `claude_code_token_usage_tokens_total`, as Claude Code's own.
    pub fn otel_name(self) -> &'static str {
        match self {
            Metric::Tokens => "claude_code.token.usage",
            Metric::Cost => "claude_code.cost.usage",
            Metric::ContextTokens => "ccwatch.context.tokens",
            Metric::ContextWindow => "ccwatch.context.window.tokens",
            Metric::ContextRatio => "ccwatch.context.ratio",
            Metric::Compactions => "ccwatch.compactions",
            Metric::ThresholdCrossings => "ccwatch.threshold.crossings",
            Metric::SkippedLines => "ccwatch.skipped.lines",
            Metric::FilesWatched => "ccwatch.files.watched",
            Metric::Sessions => "ccwatch.sessions",
            Metric::SessionState => "ccwatch.session.state",
            Metric::RateLimitRatio => "ccwatch.rate_limit",
        }
    }

    /// The Prometheus name, without the `_total` that counters get.
    pub fn prometheus_name(self) -> &'static str {
        match self {
            Metric::Tokens => "claude_code_token_usage_tokens",
            Metric::Cost => "claude_code_cost_usage_USD",
            Metric::ContextTokens => "ccwatch_context_tokens",
            Metric::ContextWindow => "ccwatch_context_window_tokens",
            Metric::ContextRatio => "ccwatch_context_ratio",
            Metric::Compactions => "ccwatch_compactions",
            Metric::ThresholdCrossings => "ccwatch_threshold_crossings",
            Metric::SkippedLines => "ccwatch_skipped_lines",
            Metric::FilesWatched => "ccwatch_files_watched",
            Metric::Sessions => "ccwatch_sessions",
            Metric::SessionState => "ccwatch_session_state",
            Metric::RateLimitRatio => "ccwatch_rate_limit_ratio",
        }
    }

    /// The unit, in UCUM as OpenTelemetry wants it.
    pub fn unit(self) -> &'static str {
        match self {
            Metric::Tokens | Metric::ContextTokens | Metric::ContextWindow => "tokens",
            Metric::Cost => "USD",
            Metric::ContextRatio | Metric::RateLimitRatio => "1",
            Metric::Compactions => "{compaction}",
            Metric::ThresholdCrossings => "{crossing}",
            Metric::SkippedLines => "{line}",
            Metric::FilesWatched => "{file}",
            Metric::Sessions => "{session}",
            Metric::SessionState => "{state}",
        }
    }

    pub fn help(self) -> &'static str {
        match self {
            Metric::Tokens => {
                "Tokens used, by type, session and model (current totals from the transcripts)"
            }
            Metric::Cost => "Cost in US dollars at ccwatch's built-in prices, by session and model",
            Metric::ContextTokens => "Tokens in the context window of each live session",
            Metric::ContextWindow => "Size of the context window of each live session",
            Metric::ContextRatio => "Context occupancy of each live session, 0 to 1",
            Metric::Compactions => "Compactions of each session",
            Metric::ThresholdCrossings => {
                "Upward crossings of an alert threshold since ccwatch started"
            }
            Metric::SkippedLines => "Transcript lines ccwatch could not use, by reason",
            Metric::FilesWatched => "Transcript files ccwatch reads",
            Metric::Sessions => {
                "Sessions in each state (working, waiting, compacting, idle, ended)"
            }
            Metric::SessionState => "1 for the state each live session is in, 0 for the others",
            Metric::RateLimitRatio => {
                "The plan's usage of its 5-hour and 7-day limits, 0 to 1, as Claude Code's status line last reported it"
            }
        }
    }

    pub fn kind(self) -> Kind {
        match self {
            Metric::ContextTokens
            | Metric::ContextWindow
            | Metric::ContextRatio
            | Metric::FilesWatched
            | Metric::Sessions
            | Metric::SessionState => Kind::Gauge,
            Metric::RateLimitRatio => Kind::Gauge,
            _ => Kind::Counter,
        }
    }

    /// Whether values are fractions rather than whole counts.
    pub fn is_float(self) -> bool {
        matches!(
            self,
            Metric::Cost | Metric::ContextRatio | Metric::RateLimitRatio
        )
    }
}

/// A label: its name on `/metrics`, and the attribute key in OTLP, which
/// follows Claude Code's own (`session.id`, which Prometheus's OTLP
/// translation shows as `session_id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Label {
    Type,
    SessionId,
    Project,
    Model,
    Level,
    Reason,
    State,
    Window,
    /// `claude` or `codex`: which agent a session's series come from.
    Agent,
}

impl Label {
    pub fn prometheus_name(self) -> &'static str {
        match self {
            Label::Type => "type",
            Label::SessionId => "session_id",
            Label::Project => "project",
            Label::Model => "model",
            Label::Level => "level",
            Label::Reason => "reason",
            Label::State => "state",
            Label::Window => "window",
            Label::Agent => "agent",
        }
    }

    pub fn otel_key(self) -> &'static str {
        match self {
            Label::SessionId => "session.id",
            other => other.prometheus_name(),
        }
    }
}

/// One value of one metric under one set of labels.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub metric: Metric,
    pub labels: Vec<(Label, String)>,
    pub value: f64,
}

/// One session's numbers, copied from its snapshot.
#[derive(Debug, Clone, PartialEq)]
struct SessionMetrics {
    project: String,
    last_activity: Option<Millis>,
    /// Context occupancy: (model, tokens, window), when known.
    context: Option<(String, u64, u64)>,
    compactions: u64,
    state: Option<crate::state::State>,
    agent: crate::agent::Agent,
    rate_limits: Option<crate::agent::RateLimits>,
}

/// Token sums of one session and model.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct ModelSums {
    input: u64,
    output: u64,
    cache_read: u64,
    cache_creation: u64,
    cost: Dollars,
}

/// Everything the exporters show, as plain numbers.
#[derive(Debug, Default)]
pub struct MetricState {
    sessions: BTreeMap<String, SessionMetrics>,
    /// (session, model) → sums.
    usage: BTreeMap<(String, String), ModelSums>,
    /// (session, level) → upward crossings seen since ccwatch started.
    crossings: BTreeMap<(String, u8), u64>,
    skipped: Vec<(&'static str, u64)>,
    files: u64,
    plan: Option<PlanLimits>,
    /// Whether every session has been taken once.
    started: bool,
}

/// Shared between the engine loop and the exporters.
pub type SharedState = Arc<Mutex<MetricState>>;

impl MetricState {
    /// Refresh from the monitor after a batch; `changes` are the batch's
    /// changes. The first call takes every session; later ones only those
    /// the batch touched, from the monitor's running sums (see
    /// [`Monitor::keep_usage`]), so a batch costs what it holds. Without
    /// running sums every call takes everything.
    pub fn update(&mut self, monitor: &Monitor, changes: &[Change]) {
        if self.started && monitor.usage().is_some() {
            let mut touched: BTreeSet<&str> = changes
                .iter()
                .filter(|c| !matches!(c, Change::Limit(_)))
                .map(Change::session_id)
                .collect();
            touched.extend(monitor.usage_moved().iter().map(|id| &**id));
            for id in touched {
                self.refresh_session(monitor, id);
            }
        } else {
            self.sessions = monitor
                .sessions()
                .into_iter()
                .map(|s| (s.session_id.clone(), session_metrics(s)))
                .collect();
            self.usage = match monitor.usage() {
                Some(book) => book
                    .sessions()
                    .flat_map(|(id, s)| model_sums(id, s))
                    .collect(),
                None => usage_by_session_and_model(monitor),
            };
            telemetry_usage(monitor, &mut self.usage);
            self.started = true;
        }
        for c in changes {
            // Percentage levels only: the before-auto-compact alert has no
            // percentage of its own to label the series with.
            if let Change::Threshold { session, crossing } = c
                && crossing.kind == crate::alerts::CrossingKind::Percent
            {
                *self
                    .crossings
                    .entry((session.session_id.clone(), crossing.level))
                    .or_default() += 1;
            }
        }
        // Sessions whose files are gone leave every series.
        let sessions = &self.sessions;
        self.crossings
            .retain(|(id, _), _| sessions.contains_key(id));
        let skipped = monitor.ledger.skipped();
        self.skipped = SkipReason::ALL
            .iter()
            .map(|r| (r.name(), skipped.get(*r)))
            .collect();
        self.files = monitor.ledger.files();
        let now = chrono::Utc::now().timestamp_millis();
        self.plan = PlanLimits::of(&monitor.window.sources.hints, now);
    }

    /// Every sample at `now`, in [`Metric::ALL`] order. Sessions idle for
    /// longer than `idle_timeout_ms` leave the context gauges, so the
    /// number of series stays bounded; their counters stay.
    pub fn samples(&self, now: Millis, idle_timeout_ms: Millis) -> Vec<Sample> {
        let mut out = Vec::new();
        let project = |id: &str| {
            self.sessions
                .get(id)
                .map(|s| s.project.clone())
                .unwrap_or_default()
        };
        let agent = |id: &str| {
            let a = self.sessions.get(id).map(|s| s.agent).unwrap_or_default();
            (Label::Agent, a.name().to_owned())
        };
        let mut push = |metric, labels, value| {
            out.push(Sample {
                metric,
                labels,
                value,
            })
        };
        for ((id, model), sums) in &self.usage {
            for (kind, n) in [
                ("input", sums.input),
                ("output", sums.output),
                ("cacheRead", sums.cache_read),
                ("cacheCreation", sums.cache_creation),
            ] {
                let labels = vec![
                    (Label::Type, kind.to_owned()),
                    (Label::SessionId, id.clone()),
                    (Label::Project, project(id)),
                    (Label::Model, model.clone()),
                    agent(id),
                ];
                push(Metric::Tokens, labels, n as f64);
            }
        }
        for ((id, model), sums) in &self.usage {
            let labels = vec![
                (Label::SessionId, id.clone()),
                (Label::Project, project(id)),
                (Label::Model, model.clone()),
                agent(id),
            ];
            push(Metric::Cost, labels, sums.cost.usd());
        }
        let live = |s: &SessionMetrics| {
            s.last_activity
                .is_some_and(|t| now.saturating_sub(t) <= idle_timeout_ms)
        };
        let contexts: Vec<(&String, &SessionMetrics, &(String, u64, u64))> = self
            .sessions
            .iter()
            .filter(|(_, s)| live(s))
            .filter_map(|(id, s)| Some((id, s, s.context.as_ref()?)))
            .collect();
        let context_labels = |id: &String, s: &SessionMetrics, model: &String| {
            vec![
                (Label::SessionId, id.clone()),
                (Label::Project, s.project.clone()),
                (Label::Model, model.clone()),
                (Label::Agent, s.agent.name().to_owned()),
            ]
        };
        for (id, s, (model, used, _)) in &contexts {
            push(
                Metric::ContextTokens,
                context_labels(id, s, model),
                *used as f64,
            );
        }
        for (id, s, (model, _, window)) in &contexts {
            push(
                Metric::ContextWindow,
                context_labels(id, s, model),
                *window as f64,
            );
        }
        for (id, s, (model, used, window)) in &contexts {
            if *window > 0 {
                let ratio = *used as f64 / *window as f64;
                push(Metric::ContextRatio, context_labels(id, s, model), ratio);
            }
        }
        for (id, s) in &self.sessions {
            let labels = vec![
                (Label::SessionId, id.clone()),
                (Label::Project, s.project.clone()),
                (Label::Agent, s.agent.name().to_owned()),
            ];
            push(Metric::Compactions, labels, s.compactions as f64);
        }
        for ((id, level), n) in &self.crossings {
            let labels = vec![
                (Label::Level, level.to_string()),
                (Label::SessionId, id.clone()),
                (Label::Project, project(id)),
                agent(id),
            ];
            push(Metric::ThresholdCrossings, labels, *n as f64);
        }
        for (reason, n) in &self.skipped {
            let labels = vec![(Label::Reason, (*reason).to_owned())];
            push(Metric::SkippedLines, labels, *n as f64);
        }
        push(Metric::FilesWatched, Vec::new(), self.files as f64);
        use crate::state::State;
        for state in State::ALL {
            let n = self
                .sessions
                .values()
                .filter(|s| s.state == Some(state))
                .count();
            push(
                Metric::Sessions,
                vec![(Label::State, state.name().to_owned())],
                n as f64,
            );
        }
        // Live: working, waiting or compacting (idle and ended sessions
        // leave, so the number of series stays bounded).
        let is_live = |s: &SessionMetrics| {
            matches!(
                s.state,
                Some(State::Working | State::Waiting | State::Compacting)
            )
        };
        for (id, s) in self.sessions.iter().filter(|(_, s)| is_live(s)) {
            for state in State::ALL {
                let labels = vec![
                    (Label::SessionId, id.clone()),
                    (Label::State, state.name().to_owned()),
                ];
                let on = s.state == Some(state);
                push(Metric::SessionState, labels, f64::from(u8::from(on)));
            }
        }
        for (window, w) in self.plan.iter().flat_map(|p| p.windows()) {
            let labels = vec![(Label::Window, window.to_owned())];
            push(Metric::RateLimitRatio, labels, w.ratio);
        }
        // Codex's plan windows, as its most recently active session with
        // rate limits last reported them (a window past its reset time
        // says nothing of now).
        let codex = self
            .sessions
            .values()
            .filter(|s| s.agent == crate::agent::Agent::Codex)
            .filter_map(|s| Some((s.last_activity, s.rate_limits?)))
            .max_by_key(|(at, _)| *at);
        if let Some((_, limits)) = codex {
            for (window, w) in [("primary", limits.primary), ("secondary", limits.secondary)] {
                let current = |w: &crate::agent::RateWindow| {
                    w.resets_at.is_none_or(|at| at.saturating_mul(1000) > now)
                };
                if let Some(w) = w.filter(current) {
                    let labels = vec![
                        (Label::Window, window.to_owned()),
                        (Label::Agent, "codex".to_owned()),
                    ];
                    push(Metric::RateLimitRatio, labels, w.used_percent / 100.0);
                }
            }
        }
        out
    }
}

fn session_metrics(s: &SessionSnapshot) -> SessionMetrics {
    SessionMetrics {
        project: s.project.clone(),
        last_activity: s.last_activity,
        context: s
            .context
            .as_ref()
            .map(|c| (c.model.clone(), c.tokens, c.window)),
        compactions: s.compactions,
        state: s.state.as_ref().map(|st| st.state),
        agent: s.agent,
        rate_limits: s.rate_limits,
    }
}

/// Sessions known only from received telemetry (`--otlp-receive`) have
/// no records: their sums are Claude Code's own counters.
impl MetricState {
    /// Take one session again: its numbers from its snapshot, its usage
    /// from the running sums (or, known from telemetry alone, from that).
    fn refresh_session(&mut self, monitor: &Monitor, id: &str) {
        let theirs: Vec<(String, String)> = self
            .usage
            .range((id.to_owned(), String::new())..)
            .take_while(|((s, _), _)| s == id)
            .map(|(k, _)| k.clone())
            .collect();
        for k in theirs {
            self.usage.remove(&k);
        }
        let Some(snap) = monitor.session(id) else {
            self.sessions.remove(id);
            return;
        };
        self.sessions.insert(id.to_owned(), session_metrics(snap));
        match monitor.usage().and_then(|b| b.session(id)) {
            Some(s) if monitor.ledger.session(id).is_some() => {
                let id: Arc<str> = Arc::from(id);
                self.usage.extend(model_sums(&id, s));
            }
            _ => {
                if let Some(t) = &snap.telemetry {
                    for (model, tokens, cost) in &t.by_model {
                        self.usage.insert(
                            (id.to_owned(), model.clone()),
                            telemetry_sums(tokens, *cost),
                        );
                    }
                }
            }
        }
    }
}

/// A session's (session, model) pairs from the running sums.
fn model_sums<'a>(
    id: &'a Arc<str>,
    s: &'a SessionUsage,
) -> impl Iterator<Item = ((String, String), ModelSums)> + 'a {
    s.models.iter().map(move |(model, m)| {
        (
            (id.to_string(), model.to_string()),
            ModelSums {
                input: m.tokens.input,
                output: m.tokens.output,
                cache_read: m.tokens.cache_read,
                cache_creation: m.tokens.cache_creation,
                cost: m.cost,
            },
        )
    })
}

fn telemetry_sums(tokens: &crate::ledger::snapshot::TokenJson, cost: f64) -> ModelSums {
    ModelSums {
        input: tokens.input,
        output: tokens.output,
        cache_read: tokens.cache_read,
        cache_creation: tokens.cache_creation,
        cost: Dollars::from_usd(cost),
    }
}

fn telemetry_usage(monitor: &Monitor, usage: &mut BTreeMap<(String, String), ModelSums>) {
    for s in monitor.sessions() {
        let Some(t) = &s.telemetry else { continue };
        if monitor.ledger.session(&s.session_id).is_some() {
            continue;
        }
        for (model, tokens, cost) in &t.by_model {
            usage.insert(
                (s.session_id.clone(), model.clone()),
                telemetry_sums(tokens, *cost),
            );
        }
    }
}

/// A (session, model) pair's sums with its two names.
type NamedSums<'a> = (&'a Arc<str>, &'a Arc<str>, ModelSums);

/// Token and cost sums per (session, model), in one pass over the records
/// that looks each model's price up once and names each pair once (not
/// an allocation and a price look-up per record).
fn usage_by_session_and_model(monitor: &Monitor) -> BTreeMap<(String, String), ModelSums> {
    let mut pricer = Pricer::default_prices();
    let (_, models) = monitor.ledger.name_counts();
    let mut prices = vec![None; models];
    let mut pairs: HashMap<(usize, usize), NamedSums> = HashMap::new();
    for c in monitor.ledger.records_iter() {
        let cost = crate::cost::sum::charge(&mut pricer, &mut prices, &c);
        let (_, _, sums) = pairs
            .entry((c.session_ix.index(), c.model_ix.index()))
            .or_insert_with(|| (c.session, c.model, ModelSums::default()));
        sums.input += c.tokens.input;
        sums.output += c.tokens.output;
        sums.cache_read += c.tokens.cache_read;
        sums.cache_creation += c.tokens.cache_creation;
        sums.cost += cost;
    }
    pairs
        .into_values()
        .map(|(session, model, sums)| ((session.to_string(), model.to_string()), sums))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> MetricState {
        let session = |last, context| SessionMetrics {
            project: "/src/app".into(),
            agent: crate::agent::Agent::Claude,
            rate_limits: None,
            last_activity: Some(last),
            context,
            compactions: 2,
            state: None,
        };
        MetricState {
            sessions: [
                (
                    "live".to_owned(),
                    session(1_000, Some(("m".into(), 50, 200))),
                ),
                ("idle".to_owned(), session(0, Some(("m".into(), 10, 200)))),
            ]
            .into(),
            usage: [(
                ("live".to_owned(), "m".to_owned()),
                ModelSums {
                    input: 1,
                    output: 2,
                    cache_read: 3,
                    cache_creation: 4,
                    cost: Dollars::from_usd(0.5),
                },
            )]
            .into(),
            crossings: [(("live".to_owned(), 70), 1)].into(),
            skipped: vec![("malformed", 3)],
            files: 7,
            plan: Some(PlanLimits {
                five_hour: Some(crate::hints::rate::PlanWindow {
                    ratio: 0.42,
                    resets_at: Some(5_000),
                }),
                seven_day: None,
                reported_at: 1_000,
            }),
            started: true,
        }
    }

    fn value(samples: &[Sample], metric: Metric, label: (Label, &str)) -> Vec<f64> {
        samples
            .iter()
            .filter(|s| s.metric == metric)
            .filter(|s| s.labels.iter().any(|(l, v)| (*l, v.as_str()) == label))
            .map(|s| s.value)
            .collect()
    }

    #[test]
    fn a_codex_sessions_series_carry_its_agent_and_its_rate_limits_are_exported() {
        use crate::agent::{Agent, RateLimits, RateWindow};
        let mut st = state();
        let window = |p| {
            Some(RateWindow {
                used_percent: p,
                window_minutes: Some(300),
                resets_at: None,
            })
        };
        let codex = SessionMetrics {
            agent: Agent::Codex,
            rate_limits: Some(RateLimits {
                primary: window(21.0),
                secondary: None,
            }),
            ..st.sessions["live"].clone()
        };
        st.sessions.insert("cx".into(), codex);
        st.usage.insert(
            ("cx".into(), "gpt-5-codex".into()),
            ModelSums {
                output: 9,
                ..ModelSums::default()
            },
        );
        let samples = st.samples(1_500, 1_000);
        let of = |id: &str, metric| {
            samples
                .iter()
                .find(|s| s.metric == metric && s.labels.contains(&(Label::SessionId, id.into())))
                .map(|s| s.labels.clone())
                .unwrap()
        };
        for metric in [
            Metric::Tokens,
            Metric::Cost,
            Metric::ContextTokens,
            Metric::Compactions,
        ] {
            assert!(
                of("cx", metric).contains(&(Label::Agent, "codex".into())),
                "{metric:?}"
            );
            assert!(
                of("live", metric).contains(&(Label::Agent, "claude".into())),
                "{metric:?}"
            );
        }
        let codex_limits: Vec<_> = samples
            .iter()
            .filter(|s| s.metric == Metric::RateLimitRatio)
            .filter(|s| s.labels.contains(&(Label::Agent, "codex".into())))
            .map(|s| (s.labels[0].1.clone(), s.value))
            .collect();
        assert_eq!(codex_limits, vec![("primary".to_owned(), 0.21)]);
        // Past its reset time, the window leaves the export.
        let mut past = st.sessions["cx"].clone();
        if let Some(p) = past.rate_limits.as_mut().and_then(|r| r.primary.as_mut()) {
            p.resets_at = Some(1);
        }
        st.sessions.insert("cx".into(), past);
        let later = st.samples(1_500, 1_000);
        assert!(!later.iter().any(|s| s.metric == Metric::RateLimitRatio
            && s.labels.contains(&(Label::Agent, "codex".into()))));
        // Claude Code's plan windows keep their series as they were.
        assert_eq!(
            value(
                &samples,
                Metric::RateLimitRatio,
                (Label::Window, "five_hour")
            ),
            [0.42]
        );
    }

    #[test]
    fn idle_sessions_leave_the_context_gauges_but_keep_their_counters() {
        let samples = state().samples(1_500, 1_000);
        let live = (Label::SessionId, "live");
        let idle = (Label::SessionId, "idle");
        assert_eq!(value(&samples, Metric::ContextTokens, live), [50.0]);
        assert_eq!(value(&samples, Metric::ContextWindow, live), [200.0]);
        assert_eq!(value(&samples, Metric::ContextRatio, live), [0.25]);
        assert!(value(&samples, Metric::ContextRatio, idle).is_empty());
        assert_eq!(value(&samples, Metric::Compactions, idle), [2.0]);
    }

    #[test]
    fn every_metric_has_its_samples_with_the_right_labels() {
        let samples = state().samples(1_500, 1_000);
        let output = (Label::Type, "output");
        assert_eq!(value(&samples, Metric::Tokens, output), [2.0]);
        assert_eq!(value(&samples, Metric::Cost, (Label::Model, "m")), [0.5]);
        assert_eq!(
            value(&samples, Metric::ThresholdCrossings, (Label::Level, "70")),
            [1.0]
        );
        assert_eq!(
            value(&samples, Metric::SkippedLines, (Label::Reason, "malformed")),
            [3.0]
        );
        let files: Vec<f64> = samples
            .iter()
            .filter(|s| s.metric == Metric::FilesWatched)
            .map(|s| s.value)
            .collect();
        assert_eq!(files, [7.0]);
        let five = (Label::Window, "five_hour");
        assert_eq!(value(&samples, Metric::RateLimitRatio, five), [0.42]);
        assert!(
            value(
                &samples,
                Metric::RateLimitRatio,
                (Label::Window, "seven_day")
            )
            .is_empty()
        );
        // In catalogue order, so each exporter can take a metric's run.
        let order: Vec<Metric> = samples.iter().map(|s| s.metric).collect();
        assert!(order.is_sorted());
    }

    #[test]
    fn sessions_are_counted_by_state_and_live_ones_say_theirs() {
        use crate::state::State;
        let mut st = state();
        st.sessions.get_mut("live").unwrap().state = Some(State::Waiting);
        st.sessions.get_mut("idle").unwrap().state = Some(State::Idle);
        let samples = st.samples(1_500, 1_000);
        let count = |name: &str| value(&samples, Metric::Sessions, (Label::State, name));
        assert_eq!(count("waiting"), [1.0]);
        assert_eq!(count("idle"), [1.0]);
        assert_eq!(count("working"), [0.0]);
        let of = |id: &str| -> Vec<(String, f64)> {
            samples
                .iter()
                .filter(|s| s.metric == Metric::SessionState)
                .filter(|s| s.labels.contains(&(Label::SessionId, id.to_owned())))
                .map(|s| (s.labels[1].1.clone(), s.value))
                .collect()
        };
        let live = of("live");
        assert_eq!(live.len(), 5);
        assert_eq!(
            live.iter().filter(|(_, v)| *v == 1.0).collect::<Vec<_>>(),
            [&("waiting".to_owned(), 1.0)]
        );
        // An idle session has no state series.
        assert!(of("idle").is_empty());
    }

    #[test]
    fn prometheus_names_are_what_otlp_translation_makes_of_the_otel_names() {
        for m in Metric::ALL {
            let mut translated = m.otel_name().replace('.', "_");
            let unit = match m.unit() {
                "1" => "ratio",
                u if u.starts_with('{') => "",
                u => u,
            };
            if !unit.is_empty() && !translated.ends_with(unit) {
                translated = format!("{translated}_{unit}");
            }
            assert_eq!(translated, m.prometheus_name(), "{m:?}");
        }
    }
}

#[cfg(test)]
mod usage_tests {
    use super::*;
    use crate::ledger::{FileChange, FileUpdate, Ledger, WindowPolicy, test_facts};
    use crate::parse::Parsed;

    fn reply(session: &str, msg: &str, model: &str, output: u64, logged: Option<f64>) -> Parsed {
        let at = 1_700_000_000_000 + output as i64;
        test_facts::reply_of(model, session, msg, at, [10, output, 2_000, 30_000], logged)
    }

    fn file(path: &str, facts: Vec<Parsed>) -> FileUpdate {
        test_facts::batch(path, FileChange::Appended, facts)
    }

    /// The per-record computation the one-pass sums replaced.
    fn record_by_record(monitor: &Monitor) -> BTreeMap<(String, String), ModelSums> {
        let mut pricer = Pricer::default_prices();
        let mut usage: BTreeMap<(String, String), ModelSums> = BTreeMap::new();
        for c in monitor.ledger.records_iter() {
            let cost = pricer
                .cost(c.model, &c.tokens, &c.billing, c.cost_usd)
                .unwrap_or(0.0);
            let sums = usage
                .entry((c.session.to_string(), c.model.to_string()))
                .or_default();
            sums.input += c.tokens.input;
            sums.output += c.tokens.output;
            sums.cache_read += c.tokens.cache_read;
            sums.cache_creation += c.tokens.cache_creation;
            sums.cost += Dollars::from_usd(cost);
        }
        usage
    }

    #[test]
    fn one_pass_sums_equal_the_record_by_record_ones() {
        let sonnet = "claude-sonnet-4-5-20250929";
        let opus = "claude-opus-4-1-20250805";
        let mut ledger = Ledger::new();
        ledger.apply(file(
            "/p/a.jsonl",
            vec![
                reply("a", "m1", sonnet, 100, Some(0.5)),
                reply("a", "m2", opus, 200, None),
                reply("a", "m3", sonnet, 300, None),
                reply("a", "m9", "a-model-nobody-prices", 5, None),
            ],
        ));
        // A bigger copy of m1 elsewhere wins over the first.
        ledger.apply(file(
            "/p/b.jsonl",
            vec![
                reply("b", "m4", opus, 50, None),
                reply("a", "m1", sonnet, 900, None),
            ],
        ));
        let monitor = Monitor::new(ledger, WindowPolicy::default(), vec![70, 85, 95]);
        let expected = record_by_record(&monitor);
        assert_eq!(expected.len(), 4, "{expected:?}");
        assert!(expected.values().any(|s| s.cost.usd() > 0.0));
        assert_eq!(usage_by_session_and_model(&monitor), expected);
    }

    /// What a batch-by-batch refresh holds, and what a fresh one does.
    fn both(state: &MetricState, monitor: &Monitor) {
        let mut fresh = MetricState::default();
        fresh.update(monitor, &[]);
        assert_eq!(state.sessions, fresh.sessions);
        assert_eq!(state.usage, fresh.usage);
        assert!(fresh.started);
    }

    #[test]
    fn a_batch_by_batch_refresh_equals_a_fresh_one_through_copies_and_removals() {
        let sonnet = "claude-sonnet-4-5-20250929";
        let opus = "claude-opus-4-1-20250805";
        let mut ledger = Ledger::new();
        ledger.apply(file(
            "/p/a.jsonl",
            vec![reply("a", "m1", sonnet, 100, None)],
        ));
        let mut monitor = Monitor::new(ledger, WindowPolicy::default(), vec![70]);
        monitor.keep_usage();
        let mut state = MetricState::default();
        state.update(&monitor, &[]);
        both(&state, &monitor);
        let steps = vec![
            // A second model in a; a new session b.
            file("/p/a.jsonl", vec![reply("a", "m2", opus, 50, None)]),
            file("/p/b.jsonl", vec![reply("b", "m3", sonnet, 7, Some(0.25))]),
            // A bigger copy of m2 replaces it: the cost moves.
            file("/p/a.jsonl", vec![reply("a", "m2", opus, 900, None)]),
            // a's file is rewritten without opus: the model leaves a.
            test_facts::batch(
                "/p/a.jsonl",
                FileChange::Reset,
                vec![reply("a", "m1", sonnet, 100, None)],
            ),
            // b goes, and with it its session.
            test_facts::batch("/p/b.jsonl", FileChange::Gone, vec![]),
        ];
        for step in steps {
            let changes = monitor.apply(vec![step]);
            state.update(&monitor, &changes);
            both(&state, &monitor);
        }
        assert_eq!(state.usage.len(), 1, "{:?}", state.usage);
        assert!(state.sessions.contains_key("a") && !state.sessions.contains_key("b"));
    }
}
