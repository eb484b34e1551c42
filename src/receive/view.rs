//! A telemetry session as the rest of ccwatch sees it: the same
//! [`SessionSnapshot`] transcripts give, marked with its host; or, for a
//! session the transcripts also know, the extras telemetry adds to it.

use super::store::{TelemetrySession, TokenSums};
use crate::ledger::snapshot::{CompactionSnapshot, ContextSnapshot, TokenJson, percent};
use crate::ledger::{SessionSnapshot, WindowPolicy};
use serde::Serialize;

/// What telemetry knows that transcripts do not: shown in the session
/// panel and in `--json` output under `telemetry`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TelemetryExtras {
    pub host: String,
    pub version: Option<String>,
    /// Claude Code's own cost figure (`claude_code.cost.usage`).
    pub cost_usd: f64,
    pub active_time_secs: f64,
    pub lines_added: u64,
    pub lines_removed: u64,
    pub commits: u64,
    pub pull_requests: u64,
    pub edits_accepted: u64,
    pub edits_rejected: u64,
    pub api_requests: u64,
    pub api_errors: u64,
    /// Mean duration of the API requests seen, in milliseconds.
    pub mean_request_ms: Option<u64>,
    /// Tokens and cost per model, for the per-model metrics of a session
    /// known only from telemetry (not in the JSON: `tokens` has the sums).
    #[serde(skip)]
    pub by_model: Vec<(String, TokenJson, f64)>,
}

fn whole(x: f64) -> u64 {
    if x.is_finite() && x > 0.0 {
        x.round() as u64
    } else {
        0
    }
}

impl TelemetryExtras {
    pub fn of(t: &TelemetrySession) -> TelemetryExtras {
        TelemetryExtras {
            host: t.host.clone(),
            version: t.version.clone(),
            cost_usd: t.cost_usd(),
            active_time_secs: t.active_time_s,
            lines_added: whole(t.lines_added),
            lines_removed: whole(t.lines_removed),
            commits: whole(t.commits),
            pull_requests: whole(t.pull_requests),
            edits_accepted: whole(t.edits_accepted),
            edits_rejected: whole(t.edits_rejected),
            api_requests: t.api_requests,
            api_errors: t.api_errors,
            mean_request_ms: (t.api_requests > 0).then(|| t.api_duration_ms / t.api_requests),
            by_model: t
                .models
                .iter()
                .map(|(name, m)| {
                    let (tokens, cost) = if t.has_counters {
                        (&m.tokens, m.cost_usd)
                    } else {
                        (&m.event_tokens, m.event_cost_usd)
                    };
                    (name.clone(), token_json(tokens), cost)
                })
                .collect(),
        }
    }
}

fn token_json(t: &TokenSums) -> TokenJson {
    TokenJson {
        input: whole(t.input),
        output: whole(t.output),
        cache_creation: whole(t.cache_creation),
        cache_read: whole(t.cache_read),
    }
}

/// How a telemetry-only session is labelled in lists: `⇄ devbox`.
pub fn host_label(host: &str) -> String {
    format!("⇄ {host}")
}

/// The snapshot of a session known only from telemetry: tokens from the
/// counters, context from the newest main-thread request (none when no
/// such request came: "context unknown", not a guess).
pub fn telemetry_only(id: &str, t: &TelemetrySession, policy: &WindowPolicy) -> SessionSnapshot {
    let tokens = t.tokens();
    let context = t.context.as_ref().map(|c| {
        let occupancy = c.input + c.cache_read + c.cache_creation;
        let model = window_model(t, &c.model);
        let (window, window_source) = policy.resolve(&crate::gauge::SessionFacts {
            session_id: id,
            cwd: "",
            model: &model,
            max_prompt: occupancy,
            newest_at: c.at,
        });
        let (auto_compact_at, auto_compact_source) =
            policy
                .sources
                .auto_compact
                .point(&model, window, policy.sources.auto_compact_percent);
        ContextSnapshot {
            tokens: occupancy,
            window,
            window_source,
            percent: percent(occupancy, window),
            auto_compact_at,
            auto_compact_source,
            input: c.input,
            cache_creation: c.cache_creation,
            cache_read: c.cache_read,
            output: c.output,
            model: c.model.clone(),
            timestamp: c.at,
            compacted: t.compacted,
        }
    });
    SessionSnapshot {
        records: t.api_requests,
        models: t
            .models
            .iter()
            .map(|(m, u)| (m.clone(), u.requests))
            .collect(),
        tokens: token_json(&tokens),
        context,
        compactions: t.compactions,
        last_activity: Some(t.last_seen),
        last_compaction: t.last_compaction.map(|at| CompactionSnapshot {
            timestamp: at,
            pre_tokens: None,
            trigger: None,
        }),
        host: Some(t.host.clone()),
        telemetry: Some(TelemetryExtras::of(t)),
        ..SessionSnapshot::empty(id, &host_label(&t.host))
    }
}

/// The model name to size the window by: Claude Code's events drop the
/// `[1m]` tag its metrics keep (`claude-opus-4-8` in `api_request`,
/// `claude-opus-4-8[1m]` in `token.usage`), so the tagged name is taken
/// when the counters carry it.
fn window_model(t: &TelemetrySession, model: &str) -> String {
    let tagged = format!("{model}[1m]");
    if t.models.contains_key(&tagged) {
        tagged
    } else {
        model.to_owned()
    }
}

/// A transcript session that telemetry also reports: the transcripts'
/// numbers stay, telemetry adds its extras and the host.
pub fn enrich(snap: &mut SessionSnapshot, t: &TelemetrySession) {
    snap.host = Some(t.host.clone());
    snap.telemetry = Some(TelemetryExtras::of(t));
}
