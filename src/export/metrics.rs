//! The metric state behind `ccwatch serve`: refreshed from the monitor
//! after each batch, rendered with `prometheus-client` on each scrape.
//!
//! Token and cost counters carry Claude Code's own OpenTelemetry names as
//! Prometheus sees them, so dashboards built for that telemetry read
//! ccwatch. They are totals recomputed from the ledger, exposed as counters
//! whose value is the current total: when a transcript file disappears its
//! records leave the totals and a counter can go down. ccwatch prefers the
//! correct number to a monotonic one; Prometheus treats the drop as a reset.

use crate::cost::Pricer;
use crate::ledger::SessionSnapshot;
use crate::monitor::{Change, Monitor};
use crate::parse::SkipReason;
use crate::record::Millis;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

type Labels = Vec<(&'static str, String)>;

/// One session's numbers, copied from its snapshot.
#[derive(Debug, Clone, PartialEq)]
struct SessionMetrics {
    project: String,
    last_activity: Option<Millis>,
    /// Context occupancy: (model, tokens, window), when known.
    context: Option<(String, u64, u64)>,
    compactions: u64,
}

/// Token sums of one session and model.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct ModelSums {
    input: u64,
    output: u64,
    cache_read: u64,
    cache_creation: u64,
    /// Whole picodollars, so the sum does not depend on record order.
    cost_pico: i128,
}

/// Everything `/metrics` shows, as plain numbers.
#[derive(Debug, Default)]
pub struct MetricState {
    sessions: BTreeMap<String, SessionMetrics>,
    /// (session, model) → sums.
    usage: BTreeMap<(String, String), ModelSums>,
    /// (session, level) → upward crossings seen since ccwatch started.
    crossings: BTreeMap<(String, u8), u64>,
    skipped: Vec<(&'static str, u64)>,
    files: u64,
}

const PICO: f64 = 1e12;

impl MetricState {
    /// Refresh from the monitor after a batch; `changes` are the batch's
    /// changes, for the threshold crossings.
    pub fn update(&mut self, monitor: &Monitor, changes: &[Change]) {
        self.sessions = monitor
            .sessions()
            .into_iter()
            .map(|s| (s.session_id.clone(), session_metrics(s)))
            .collect();
        let mut pricer = Pricer::default_prices();
        let mut usage: BTreeMap<(String, String), ModelSums> = BTreeMap::new();
        for c in monitor.ledger.records_iter() {
            let cost = pricer.cost(&c.model, &c.tokens, c.cost_usd).unwrap_or(0.0);
            let sums = usage
                .entry((c.session.to_string(), c.model.to_string()))
                .or_default();
            sums.input += c.tokens.input;
            sums.output += c.tokens.output;
            sums.cache_read += c.tokens.cache_read;
            sums.cache_creation += c.tokens.cache_creation;
            sums.cost_pico += (cost * PICO).round() as i128;
        }
        self.usage = usage;
        for c in changes {
            if let Change::Threshold { session, crossing } = c {
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
    }

    /// The Prometheus text exposition at `now`. Sessions idle for longer
    /// than `idle_timeout_ms` leave the context gauges.
    pub fn render(&self, now: Millis, idle_timeout_ms: Millis) -> Result<String, std::fmt::Error> {
        let mut registry = Registry::default();
        let project = |id: &str| {
            self.sessions
                .get(id)
                .map(|s| s.project.clone())
                .unwrap_or_default()
        };

        let tokens = Family::<Labels, Counter>::default();
        let cost = Family::<Labels, Counter<f64, AtomicU64>>::default();
        for ((id, model), sums) in &self.usage {
            let base = |kind: &'static str| -> Labels {
                vec![
                    ("type", kind.to_owned()),
                    ("session_id", id.clone()),
                    ("project", project(id)),
                    ("model", model.clone()),
                ]
            };
            for (kind, n) in [
                ("input", sums.input),
                ("output", sums.output),
                ("cacheRead", sums.cache_read),
                ("cacheCreation", sums.cache_creation),
            ] {
                tokens.get_or_create(&base(kind)).inc_by(n);
            }
            let labels = vec![
                ("session_id", id.clone()),
                ("project", project(id)),
                ("model", model.clone()),
            ];
            cost.get_or_create(&labels)
                .inc_by(sums.cost_pico as f64 / PICO);
        }
        registry.register(
            "claude_code_token_usage_tokens",
            "Tokens used, by type, session and model (current totals from the transcripts)",
            tokens,
        );
        registry.register(
            "claude_code_cost_usage_USD",
            "Cost in US dollars at ccwatch's built-in prices, by session and model",
            cost,
        );

        let context = Family::<Labels, Gauge>::default();
        let window = Family::<Labels, Gauge>::default();
        let ratio = Family::<Labels, Gauge<f64, AtomicU64>>::default();
        let compactions = Family::<Labels, Counter>::default();
        for (id, s) in &self.sessions {
            let labels = vec![("session_id", id.clone()), ("project", s.project.clone())];
            compactions.get_or_create(&labels).inc_by(s.compactions);
            let live = s
                .last_activity
                .is_some_and(|t| now.saturating_sub(t) <= idle_timeout_ms);
            if !live {
                continue;
            }
            if let Some((model, used, size)) = &s.context {
                let labels = vec![
                    ("session_id", id.clone()),
                    ("project", s.project.clone()),
                    ("model", model.clone()),
                ];
                context.get_or_create(&labels).set(clamp_i64(*used));
                window.get_or_create(&labels).set(clamp_i64(*size));
                if *size > 0 {
                    ratio
                        .get_or_create(&labels)
                        .set(*used as f64 / *size as f64);
                }
            }
        }
        registry.register(
            "ccwatch_context_tokens",
            "Tokens in the context window of each live session",
            context,
        );
        registry.register(
            "ccwatch_context_window_tokens",
            "Size of the context window of each live session",
            window,
        );
        registry.register(
            "ccwatch_context_ratio",
            "Context occupancy of each live session, 0 to 1",
            ratio,
        );
        registry.register(
            "ccwatch_compactions",
            "Compactions of each session",
            compactions,
        );

        let crossings = Family::<Labels, Counter>::default();
        for ((id, level), n) in &self.crossings {
            let labels = vec![
                ("level", level.to_string()),
                ("session_id", id.clone()),
                ("project", project(id)),
            ];
            crossings.get_or_create(&labels).inc_by(*n);
        }
        registry.register(
            "ccwatch_threshold_crossings",
            "Upward crossings of an alert threshold since ccwatch started",
            crossings,
        );

        let skipped = Family::<Labels, Counter>::default();
        for (reason, n) in &self.skipped {
            skipped
                .get_or_create(&vec![("reason", (*reason).to_owned())])
                .inc_by(*n);
        }
        registry.register(
            "ccwatch_skipped_lines",
            "Transcript lines ccwatch could not use, by reason",
            skipped,
        );

        let files = Gauge::<i64>::default();
        files.set(clamp_i64(self.files));
        registry.register(
            "ccwatch_files_watched",
            "Transcript files ccwatch reads",
            files,
        );

        let mut out = String::new();
        encode(&mut out, &registry)?;
        Ok(out)
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
    }
}

fn clamp_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Shared between the engine loop and the HTTP handlers.
pub type SharedState = Arc<std::sync::Mutex<MetricState>>;
