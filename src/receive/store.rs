//! What ccwatch keeps of the telemetry Claude Code sends: per session, the
//! counters summed (delta and cumulative alike), the newest main-thread
//! request for the context gauge, and the few facts transcripts lack.
//!
//! Only numbers, model names and the host label are kept: never prompt
//! text, tool inputs or the user's id. Memory is bounded: sessions idle
//! past the idle timeout are dropped, each host has a session cap, and each
//! session a cap on models and cumulative series.

use super::attrs::Attrs;
use crate::record::Millis;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Sessions one host may have in the store at once; past it new ones are
/// rejected (and said so in the answer), old ones keep updating.
pub const SESSIONS_PER_HOST: usize = 200;
/// Sessions in the store at once, all hosts together: a sender can name
/// any number of hosts, so the per-host cap alone does not bound memory.
pub const SESSIONS_IN_ALL: usize = 5_000;
/// Models tracked per session; a session naming more is unusual and the
/// rest are folded into the last one.
const MODELS_PER_SESSION: usize = 16;
/// Cumulative series remembered per session (one per metric and attribute
/// set), to turn running totals into increments.
const SERIES_PER_SESSION: usize = 256;

/// Token kinds in the order of Claude Code's `type` attribute values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Input,
    Output,
    CacheRead,
    CacheCreation,
}

impl TokenKind {
    fn parse(s: &str) -> Option<TokenKind> {
        match s {
            "input" => Some(TokenKind::Input),
            "output" => Some(TokenKind::Output),
            "cacheRead" => Some(TokenKind::CacheRead),
            "cacheCreation" => Some(TokenKind::CacheCreation),
            _ => None,
        }
    }
}

/// Token sums of one model (or a whole session), as floats because OTLP
/// sums arrive as doubles.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TokenSums {
    pub input: f64,
    pub output: f64,
    pub cache_read: f64,
    pub cache_creation: f64,
}

impl TokenSums {
    fn add(&mut self, kind: TokenKind, n: f64) {
        match kind {
            TokenKind::Input => self.input += n,
            TokenKind::Output => self.output += n,
            TokenKind::CacheRead => self.cache_read += n,
            TokenKind::CacheCreation => self.cache_creation += n,
        }
    }

    fn plus(&self, o: &TokenSums) -> TokenSums {
        TokenSums {
            input: self.input + o.input,
            output: self.output + o.output,
            cache_read: self.cache_read + o.cache_read,
            cache_creation: self.cache_creation + o.cache_creation,
        }
    }
}

/// One model's share of a session.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelUsage {
    /// From `claude_code.token.usage`.
    pub tokens: TokenSums,
    /// From `claude_code.cost.usage`.
    pub cost_usd: f64,
    /// From `api_request` events, for when metrics are not exported.
    pub event_tokens: TokenSums,
    pub event_cost_usd: f64,
    pub requests: u64,
}

impl ModelUsage {
    fn absorb(&mut self, o: ModelUsage) {
        self.tokens = self.tokens.plus(&o.tokens);
        self.cost_usd += o.cost_usd;
        self.event_tokens = self.event_tokens.plus(&o.event_tokens);
        self.event_cost_usd += o.event_cost_usd;
        self.requests += o.requests;
    }
}

/// The newest main-thread API request: what the context window holds.
#[derive(Debug, Clone, PartialEq)]
pub struct MainRequest {
    pub input: u64,
    pub output: u64,
    pub cache_read: u64,
    pub cache_creation: u64,
    /// As Claude Code names it, `[1m]` window hint included.
    pub model: String,
    pub at: Millis,
}

/// Everything kept of one session.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TelemetrySession {
    /// `host.name` from the resource, else the sender's address.
    pub host: String,
    /// Claude Code's version (`service.version`).
    pub version: Option<String>,
    pub models: BTreeMap<String, ModelUsage>,
    /// Whether any `claude_code.token.usage` or `cost.usage` point came:
    /// then the counters are the numbers, else the events' sums.
    pub has_counters: bool,
    pub active_time_s: f64,
    pub lines_added: f64,
    pub lines_removed: f64,
    pub commits: f64,
    pub pull_requests: f64,
    pub edits_accepted: f64,
    pub edits_rejected: f64,
    pub api_requests: u64,
    pub api_errors: u64,
    pub api_duration_ms: u64,
    pub context: Option<MainRequest>,
    /// A compaction came after the newest main request.
    pub compacted: bool,
    pub compactions: u64,
    pub last_compaction: Option<Millis>,
    pub user_prompts: u64,
    pub tool_results: u64,
    /// When ccwatch last heard of the session (its own clock: a remote
    /// machine's may be off).
    pub last_seen: Millis,
    /// Cumulative series: key → (start time, last value).
    cumulative: HashMap<String, (u64, f64)>,
}

impl TelemetrySession {
    /// Token sums of the whole session: the counters when Claude Code sent
    /// metrics, else what its `api_request` events add up to.
    pub fn tokens(&self) -> TokenSums {
        self.models.values().fold(TokenSums::default(), |acc, m| {
            acc.plus(if self.has_counters {
                &m.tokens
            } else {
                &m.event_tokens
            })
        })
    }

    pub fn cost_usd(&self) -> f64 {
        self.models
            .values()
            .map(|m| {
                if self.has_counters {
                    m.cost_usd
                } else {
                    m.event_cost_usd
                }
            })
            .sum()
    }

    fn model(&mut self, name: &str) -> &mut ModelUsage {
        // Claude Code's events name the model without the `[1m]` window
        // tag its metrics keep: one entry either way, under the tagged name.
        let mut name = printable(name, 128);
        let tagged = format!("{name}[1m]");
        if self.models.contains_key(&tagged) {
            name = tagged;
        } else if let Some(bare) = name.strip_suffix("[1m]")
            && let Some(earlier) = self.models.remove(bare)
        {
            self.models.entry(name.clone()).or_default().absorb(earlier);
        }
        let name = name.as_str();
        if !self.models.contains_key(name) && self.models.len() >= MODELS_PER_SESSION {
            let last = self.models.keys().next_back().cloned().unwrap_or_default();
            return self.models.entry(last).or_default();
        }
        self.models.entry(name.to_owned()).or_default()
    }

    /// The increment a point brings: its value for a delta, the change
    /// since the last value of the same series for a cumulative one (the
    /// whole value when the series restarted).
    fn increment(&mut self, series: Option<(String, u64)>, value: f64) -> f64 {
        let Some((key, start)) = series else {
            return value;
        };
        let before = self.cumulative.get(&key).copied();
        if before.is_none() && self.cumulative.len() >= SERIES_PER_SESSION {
            // No room to remember it: count nothing rather than everything
            // again on the next export.
            return 0.0;
        }
        self.cumulative.insert(key, (start, value));
        match before {
            Some((s, v)) if s == start && value >= v => value - v,
            _ => value,
        }
    }
}

/// What was sent but not kept: counted, never fatal.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ignored {
    /// Metrics whose name ccwatch does not know.
    pub metrics: u64,
    /// Events whose name ccwatch does not know.
    pub events: u64,
    /// Attributes of known metrics and events that ccwatch does not read.
    pub attributes: u64,
}

/// Why a data point or log record was rejected (the partial-success answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    NoSession,
    BadValue,
    TooManySessions,
}

impl Rejection {
    pub fn message(self) -> &'static str {
        match self {
            Rejection::NoSession => "a claude_code data point or event had no session.id",
            Rejection::BadValue => "a claude_code sum had a negative or non-finite value",
            Rejection::TooManySessions => "this host has too many sessions open in ccwatch",
        }
    }
}

/// The store every receiver request writes into and the engine reads from.
#[derive(Debug, Default)]
pub struct TelemetryStore {
    sessions: HashMap<String, TelemetrySession>,
    pub ignored: Ignored,
    /// Bumped on every change, so readers can tell whether to look again.
    pub generation: u64,
    /// Sessions changed or dropped since the engine last looked.
    changed: BTreeSet<String>,
}

/// One data point of a `claude_code.*` sum, as the metric reader hands it on.
#[derive(Debug, Clone)]
pub struct SumPoint<'a> {
    pub metric: &'a str,
    pub attrs: &'a Attrs,
    pub value: f64,
    /// `Some((series key, start time))` for cumulative temporality.
    pub cumulative: Option<(String, u64)>,
}

/// One `claude_code.*` event, as the log reader hands it on.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub name: &'a str,
    pub attrs: &'a Attrs,
    pub at: Millis,
}

/// The metric names ccwatch reads; others are counted as ignored.
pub const KNOWN_METRICS: &[&str] = &[
    "claude_code.token.usage",
    "claude_code.cost.usage",
    "claude_code.session.count",
    "claude_code.lines_of_code.count",
    "claude_code.commit.count",
    "claude_code.pull_request.count",
    "claude_code.active_time.total",
    "claude_code.code_edit_tool.decision",
];

/// Attributes the metric and event readers use, and those Claude Code
/// sends that are deliberately dropped (prompt text among them).
const READ_ATTRIBUTES: &[&str] = &[
    "session.id",
    "model",
    "type",
    "decision",
    "query_source",
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_creation_tokens",
    "cost_usd",
    "duration_ms",
    "event.name",
];
const EXPECTED_ATTRIBUTES: &[&str] = &[
    "user.id",
    "terminal.type",
    "start_type",
    "effort",
    "agent.name",
    "event.timestamp",
    "event.sequence",
    "prompt.id",
    "prompt",
    "prompt_length",
    "cost_usd_micros",
    "request_id",
    "speed",
    "organization.id",
    "user.account_uuid",
    "user.email",
    "app.version",
    "source",
    "tool_name",
    "language",
];

impl TelemetryStore {
    pub fn sessions(&self) -> impl Iterator<Item = (&String, &TelemetrySession)> {
        self.sessions.iter()
    }

    pub fn session(&self, id: &str) -> Option<&TelemetrySession> {
        self.sessions.get(id)
    }

    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }

    /// Drop sessions not heard of since `before`.
    pub fn expire(&mut self, before: Millis) -> usize {
        let n = self.sessions.len();
        let changed = &mut self.changed;
        self.sessions.retain(|id, s| {
            let keep = s.last_seen >= before;
            if !keep {
                changed.insert(id.clone());
            }
            keep
        });
        let dropped = n - self.sessions.len();
        if dropped > 0 {
            self.generation += 1;
        }
        dropped
    }

    /// The sessions changed or dropped since the last call.
    pub fn take_changed(&mut self) -> BTreeSet<String> {
        std::mem::take(&mut self.changed)
    }

    fn count_unread(&mut self, attrs: &Attrs) {
        self.ignored.attributes += attrs
            .keys()
            .filter(|k| !READ_ATTRIBUTES.contains(k) && !EXPECTED_ATTRIBUTES.contains(k))
            .count() as u64;
    }

    /// The session a point or event belongs to, made when new (and room).
    fn session_for(
        &mut self,
        attrs: &Attrs,
        host: &Host,
        now: Millis,
    ) -> Result<&mut TelemetrySession, Rejection> {
        let id = attrs
            .str("session.id")
            .filter(|s| !s.is_empty())
            .ok_or(Rejection::NoSession)?;
        let id = printable(id, 128);
        if !self.sessions.contains_key(&id) {
            let on_host = self
                .sessions
                .values()
                .filter(|s| s.host == host.label)
                .count();
            if on_host >= SESSIONS_PER_HOST || self.sessions.len() >= SESSIONS_IN_ALL {
                return Err(Rejection::TooManySessions);
            }
        }
        self.generation += 1;
        self.changed.insert(id.clone());
        let s = self.sessions.entry(id).or_default();
        s.host.clone_from(&host.label);
        if host.version.is_some() {
            s.version.clone_from(&host.version);
        }
        s.last_seen = s.last_seen.max(now);
        Ok(s)
    }

    /// Add one `claude_code.*` sum point.
    pub fn add_point(&mut self, p: &SumPoint, host: &Host, now: Millis) -> Result<(), Rejection> {
        if !p.value.is_finite() || p.value < 0.0 {
            return Err(Rejection::BadValue);
        }
        self.count_unread(p.attrs);
        let s = self.session_for(p.attrs, host, now)?;
        let n = s.increment(p.cumulative.clone(), p.value);
        let model = p.attrs.str("model").unwrap_or("").to_owned();
        match p.metric {
            "claude_code.token.usage" => {
                s.has_counters = true;
                if let Some(kind) = p.attrs.str("type").and_then(TokenKind::parse) {
                    s.model(&model).tokens.add(kind, n);
                }
            }
            "claude_code.cost.usage" => {
                s.has_counters = true;
                s.model(&model).cost_usd += n;
            }
            "claude_code.active_time.total" => s.active_time_s += n,
            "claude_code.lines_of_code.count" => match p.attrs.str("type") {
                Some("added") => s.lines_added += n,
                Some("removed") => s.lines_removed += n,
                _ => {}
            },
            "claude_code.commit.count" => s.commits += n,
            "claude_code.pull_request.count" => s.pull_requests += n,
            "claude_code.code_edit_tool.decision" => match p.attrs.str("decision") {
                Some("accept") => s.edits_accepted += n,
                Some("reject") => s.edits_rejected += n,
                _ => {}
            },
            // session.count: its arrival is all it says (the session exists).
            _ => {}
        }
        Ok(())
    }

    /// Add one `claude_code.*` event. Unknown event names are counted and
    /// dropped before any session is made for them.
    pub fn add_event(&mut self, e: &Event, host: &Host, now: Millis) -> Result<(), Rejection> {
        const KNOWN: &[&str] = &[
            "api_request",
            "api_error",
            "user_prompt",
            "tool_result",
            "tool_decision",
            "compaction",
            "assistant_response",
            "hook_registered",
            "hook_execution_start",
            "hook_execution_complete",
            "subagent_completed",
        ];
        if !KNOWN.contains(&e.name) {
            self.ignored.events += 1;
            return Ok(());
        }
        self.count_unread(e.attrs);
        let s = self.session_for(e.attrs, host, now)?;
        match e.name {
            "api_request" => {
                let int = |k| e.attrs.int(k).unwrap_or(0);
                let model = printable(e.attrs.str("model").unwrap_or(""), 128);
                let (input, output) = (int("input_tokens"), int("output_tokens"));
                let (read, write) = (int("cache_read_tokens"), int("cache_creation_tokens"));
                s.api_requests += 1;
                s.api_duration_ms += int("duration_ms");
                let m = s.model(&model);
                m.requests += 1;
                m.event_cost_usd += e.attrs.float("cost_usd").unwrap_or(0.0).max(0.0);
                for (kind, n) in [
                    (TokenKind::Input, input),
                    (TokenKind::Output, output),
                    (TokenKind::CacheRead, read),
                    (TokenKind::CacheCreation, write),
                ] {
                    m.event_tokens.add(kind, n as f64);
                }
                let newer = s.context.as_ref().is_none_or(|c| c.at <= e.at);
                if is_main_thread(e.attrs.str("query_source")) && newer {
                    s.context = Some(MainRequest {
                        input,
                        output,
                        cache_read: read,
                        cache_creation: write,
                        model,
                        at: e.at,
                    });
                    s.compacted = false;
                }
            }
            "api_error" => s.api_errors += 1,
            "user_prompt" => s.user_prompts += 1,
            "tool_result" => s.tool_results += 1,
            "compaction" => {
                s.compactions += 1;
                s.last_compaction = Some(e.at);
                if s.context.as_ref().is_some_and(|c| c.at <= e.at) {
                    s.compacted = true;
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// Text from a sender as ccwatch may show it: no control characters (a
/// terminal would act on them), at most `max` characters.
pub fn printable(text: &str, max: usize) -> String {
    text.chars().filter(|c| !c.is_control()).take(max).collect()
}

/// Whether an `api_request`'s `query_source` is the main conversation (the
/// one whose prompt is the context window): `repl_main_thread`
/// interactively, `sdk` headless. Older versions send none.
pub fn is_main_thread(source: Option<&str>) -> bool {
    matches!(source, None | Some("repl_main_thread") | Some("sdk"))
        || source.is_some_and(|s| s.starts_with("repl_main_thread"))
}

/// Who sent a request: the label sessions are marked with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Host {
    pub label: String,
    pub version: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host() -> Host {
        Host {
            label: "devbox".into(),
            version: Some("2.1.197".into()),
        }
    }

    fn attrs(pairs: &[(&str, &str)]) -> Attrs {
        Attrs::from_strs(pairs)
    }

    fn point<'a>(metric: &'a str, attrs: &'a Attrs, value: f64) -> SumPoint<'a> {
        SumPoint {
            metric,
            attrs,
            value,
            cumulative: None,
        }
    }

    #[test]
    fn delta_points_add_up_per_session_model_and_kind() {
        let mut store = TelemetryStore::default();
        let a_in = attrs(&[("session.id", "a"), ("model", "opus"), ("type", "input")]);
        let a_out = attrs(&[("session.id", "a"), ("model", "opus"), ("type", "output")]);
        let b_in = attrs(&[("session.id", "b"), ("model", "haiku"), ("type", "input")]);
        let m = "claude_code.token.usage";
        for (a, v) in [(&a_in, 100.0), (&a_out, 7.0), (&a_in, 50.0), (&b_in, 3.0)] {
            store.add_point(&point(m, a, v), &host(), 1).unwrap();
        }
        let a = store.session("a").unwrap();
        assert_eq!(a.models["opus"].tokens.input, 150.0);
        assert_eq!(a.tokens().output, 7.0);
        assert_eq!(store.session("b").unwrap().tokens().input, 3.0);
        assert_eq!(a.host, "devbox");
    }

    #[test]
    fn cumulative_points_count_the_increase_and_restart_on_a_new_start_time() {
        let mut store = TelemetryStore::default();
        let a = attrs(&[("session.id", "a"), ("model", "opus")]);
        let m = "claude_code.cost.usage";
        let cum = |v, start| SumPoint {
            metric: m,
            attrs: &a,
            value: v,
            cumulative: Some(("cost|opus".to_owned(), start)),
        };
        for (v, start) in [(1.0, 10), (1.5, 10), (1.5, 10), (4.0, 10), (0.25, 20)] {
            store.add_point(&cum(v, start), &host(), 1).unwrap();
        }
        // 1 + 0.5 + 0 + 2.5, then a restarted process's 0.25.
        assert_eq!(store.session("a").unwrap().cost_usd(), 4.25);
    }

    #[test]
    fn the_newest_main_thread_request_is_the_context_and_a_compaction_hides_it() {
        let mut store = TelemetryStore::default();
        let req = |src: &str, input: &str| {
            Attrs::from_strs(&[
                ("session.id", "a"),
                ("model", "claude-opus-4-8[1m]"),
                ("query_source", src),
                ("input_tokens", input),
                ("cache_read_tokens", "1000"),
                ("cache_creation_tokens", "200"),
                ("output_tokens", "5"),
                ("cost_usd", "0.5"),
            ])
        };
        let main = req("repl_main_thread", "10");
        let title = req("generate_session_title", "99999");
        let ev = |attrs, at| Event {
            name: "api_request",
            attrs,
            at,
        };
        store.add_event(&ev(&main, 100), &host(), 1).unwrap();
        store.add_event(&ev(&title, 200), &host(), 1).unwrap();
        let s = store.session("a").unwrap();
        let c = s.context.as_ref().unwrap();
        assert_eq!((c.input, c.cache_read, c.cache_creation), (10, 1000, 200));
        assert_eq!(c.model, "claude-opus-4-8[1m]");
        assert_eq!(s.api_requests, 2);
        // No counters came: the events' sums stand in.
        assert_eq!(s.tokens().input, 100_009.0);
        assert_eq!(s.cost_usd(), 1.0);
        let none = Attrs::from_strs(&[("session.id", "a")]);
        let compaction = Event {
            name: "compaction",
            attrs: &none,
            at: 300,
        };
        store.add_event(&compaction, &host(), 1).unwrap();
        assert!(store.session("a").unwrap().compacted);
    }

    #[test]
    fn unknown_names_are_counted_and_points_without_a_session_rejected() {
        let mut store = TelemetryStore::default();
        let odd = attrs(&[("session.id", "a"), ("colour", "blue")]);
        let e = Event {
            name: "something_new",
            attrs: &odd,
            at: 1,
        };
        store.add_event(&e, &host(), 1).unwrap();
        assert_eq!(store.ignored.events, 1);
        assert!(store.is_empty(), "an unknown event makes no session");
        let m = "claude_code.commit.count";
        store.add_point(&point(m, &odd, 1.0), &host(), 1).unwrap();
        assert_eq!(store.ignored.attributes, 1);
        assert_eq!(store.session("a").unwrap().commits, 1.0);
        let anon = attrs(&[("model", "x")]);
        assert_eq!(
            store.add_point(&point(m, &anon, 1.0), &host(), 1),
            Err(Rejection::NoSession)
        );
        assert_eq!(
            store.add_point(&point(m, &odd, f64::NAN), &host(), 1),
            Err(Rejection::BadValue)
        );
    }

    #[test]
    fn memory_is_bounded_per_host_and_idle_sessions_expire() {
        let mut store = TelemetryStore::default();
        let m = "claude_code.session.count";
        for i in 0..SESSIONS_PER_HOST + 5 {
            let id = format!("s{i}");
            let a = attrs(&[("session.id", id.as_str())]);
            let r = store.add_point(&point(m, &a, 1.0), &host(), i as Millis);
            assert_eq!(r.is_err(), i >= SESSIONS_PER_HOST, "session {i}");
        }
        assert_eq!(store.len(), SESSIONS_PER_HOST);
        let other = Host {
            label: "ci-runner".into(),
            version: None,
        };
        let a = attrs(&[("session.id", "elsewhere")]);
        assert!(store.add_point(&point(m, &a, 1.0), &other, 0).is_ok());
        store.take_changed();
        assert_eq!(store.expire(100), 101);
        assert_eq!(store.len(), SESSIONS_PER_HOST - 100);
        let gone = store.take_changed();
        assert!(gone.len() == 101 && gone.contains("s0") && gone.contains("elsewhere"));
        assert!(store.take_changed().is_empty());
    }

    #[test]
    fn a_model_named_with_and_without_its_window_tag_is_one_model() {
        let mut store = TelemetryStore::default();
        let bare = attrs(&[("session.id", "a"), ("model", "opus"), ("type", "input")]);
        let tagged = attrs(&[
            ("session.id", "a"),
            ("model", "opus[1m]"),
            ("type", "input"),
        ]);
        let m = "claude_code.token.usage";
        for a in [&bare, &tagged, &bare] {
            store.add_point(&point(m, a, 2.0), &host(), 0).unwrap();
        }
        let s = store.session("a").unwrap();
        assert_eq!(s.models.keys().collect::<Vec<_>>(), ["opus[1m]"]);
        assert_eq!(s.models["opus[1m]"].tokens.input, 6.0);
    }

    #[test]
    fn many_hosts_together_are_capped_too() {
        let mut store = TelemetryStore::default();
        let m = "claude_code.session.count";
        let mut refused = 0;
        for i in 0..SESSIONS_IN_ALL + 3 {
            let id = format!("s{i}");
            let a = attrs(&[("session.id", id.as_str())]);
            let h = Host {
                label: format!("host-{i}"),
                version: None,
            };
            if store.add_point(&point(m, &a, 1.0), &h, 0).is_err() {
                refused += 1;
            }
        }
        assert_eq!((store.len(), refused), (SESSIONS_IN_ALL, 3));
    }

    #[test]
    fn names_from_senders_lose_control_characters() {
        let mut store = TelemetryStore::default();
        let a = attrs(&[
            ("session.id", "ab\u{1b}[2Jcd"),
            ("model", "opus\u{7}"),
            ("type", "input"),
        ]);
        let p = point("claude_code.token.usage", &a, 1.0);
        store.add_point(&p, &host(), 0).unwrap();
        let s = store.session("ab[2Jcd").expect("the cleaned id");
        assert!(s.models.contains_key("opus"));
    }
}
