//! A session as consumers see it: plain data, computed from the ledger on
//! demand, serialised as the `status --json` session object.

use super::names::Names;
use super::{SessionContext, SessionTurn, WindowPolicy};
use crate::gauge::auto_compact::AutoCompactSource;
use crate::gauge::{SessionFacts, WindowSource};
use crate::record::{Millis, Tokens, format_timestamp};
use crate::state::{Clock, StateJson};
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;

/// Token sums under the JSON names ccwatch prints.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenJson {
    pub input: u64,
    pub output: u64,
    pub cache_creation: u64,
    pub cache_read: u64,
}

impl From<Tokens> for TokenJson {
    fn from(t: Tokens) -> TokenJson {
        TokenJson {
            input: t.input,
            output: t.output,
            cache_creation: t.cache_creation,
            cache_read: t.cache_read,
        }
    }
}

fn timestamp<S: Serializer>(ms: &Millis, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_timestamp(*ms))
}

fn opt_timestamp<S: Serializer>(ms: &Option<Millis>, s: S) -> Result<S::Ok, S::Error> {
    match ms {
        Some(ms) => s.serialize_str(&format_timestamp(*ms)),
        None => s.serialize_none(),
    }
}

/// What the context window holds now (spec §4).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContextSnapshot {
    /// Occupancy: input + cache writes + cache reads of the newest main-chain record.
    pub tokens: u64,
    pub window: u64,
    /// Where `window` came from (`crate::gauge`).
    pub window_source: WindowSource,
    /// `tokens / window` in percent, to two decimals.
    pub percent: f64,
    /// Where Claude Code is expected to auto-compact, in tokens.
    pub auto_compact_at: u64,
    pub auto_compact_source: AutoCompactSource,
    pub input: u64,
    pub cache_creation: u64,
    pub cache_read: u64,
    /// Output of that record: it joins the context on the next turn.
    pub output: u64,
    pub model: String,
    #[serde(serialize_with = "timestamp")]
    pub timestamp: Millis,
    /// A compaction came after this record: the real occupancy is unknown.
    pub compacted: bool,
}

/// The last compaction boundary of a session.
#[derive(Debug, Clone, PartialEq)]
pub struct CompactionSnapshot {
    pub timestamp: Millis,
    pub pre_tokens: Option<u64>,
    pub trigger: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionSnapshot {
    pub session_id: String,
    /// The agent the session comes from: `claude` or `codex`.
    pub agent: crate::agent::Agent,
    pub project: String,
    /// The project as lists show it: the folder's name, with the
    /// repository in front for a worktree (`api-server/.worktrees/1`).
    pub label: String,
    /// What the session is about (see `Ledger::title`); `null` when its
    /// transcript names nothing.
    pub title: Option<String>,
    /// The session exists only as subagent files (its main transcript was
    /// deleted or never copied): tokens and cost, but no context.
    pub subagents_only: bool,
    /// The session has no records of its own because another session's
    /// copies of its responses won the dedup (a resumed or forked session
    /// copies its history): it has replied, they are counted there.
    #[serde(skip)]
    pub replies_elsewhere: bool,
    pub records: u64,
    pub models: BTreeMap<String, u64>,
    pub tokens: TokenJson,
    pub context: Option<ContextSnapshot>,
    pub compactions: u64,
    #[serde(serialize_with = "opt_timestamp")]
    pub last_activity: Option<Millis>,
    /// `state`, `stateSince`, `waitingFor`, `tools`: set by `present_state`
    /// where the clock is known; absent for a session whose transcripts
    /// say nothing of turns.
    #[serde(flatten)]
    pub state: Option<StateJson>,
    /// What the transcripts say the session is doing.
    #[serde(skip)]
    pub turn: Option<SessionTurn>,
    /// Not in the JSON: for the dashboard.
    #[serde(skip)]
    pub last_compaction: Option<CompactionSnapshot>,
    #[serde(skip)]
    pub cycle_start: Option<Millis>,
    /// Where the session runs, when its telemetry came over OTLP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// What its telemetry adds (`--otlp-receive`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub telemetry: Option<crate::receive::view::TelemetryExtras>,
    /// The plan's rate limits as a Codex session last reported them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limits: Option<crate::agent::RateLimits>,
}

/// What the ledger knows of a session beyond its context: where it runs,
/// what it is called, which agent wrote it and what that agent reported.
pub struct SessionAbout {
    pub project: String,
    pub title: Option<String>,
    pub subagents_only: bool,
    /// See [`SessionSnapshot::replies_elsewhere`].
    pub replies_elsewhere: bool,
    pub agent: crate::agent::Agent,
    pub reported: super::SessionLimits,
}

impl SessionSnapshot {
    /// A Claude Code session in `project` of which nothing is known yet: no
    /// records, no context, no state. The start of a snapshot built from
    /// elsewhere than the ledger (telemetry, tests), filled in with
    /// `..SessionSnapshot::empty(id, project)`.
    pub fn empty(id: &str, project: &str) -> SessionSnapshot {
        SessionSnapshot {
            session_id: id.to_owned(),
            agent: crate::agent::Agent::Claude,
            project: project.to_owned(),
            label: project.to_owned(),
            title: None,
            subagents_only: false,
            replies_elsewhere: false,
            records: 0,
            models: BTreeMap::new(),
            tokens: TokenJson::default(),
            context: None,
            compactions: 0,
            last_activity: None,
            state: None,
            turn: None,
            last_compaction: None,
            cycle_start: None,
            host: None,
            telemetry: None,
            rate_limits: None,
        }
    }

    pub fn of(
        id: &str,
        about: SessionAbout,
        s: &SessionContext,
        policy: &WindowPolicy,
        models: &Names,
    ) -> SessionSnapshot {
        let SessionAbout {
            project,
            title,
            subagents_only,
            replies_elsewhere,
            agent,
            reported,
        } = about;
        let context = s.newest().map(|(at, p)| {
            let tokens = p.tokens.prompt();
            let model = models.get(p.model);
            let resolved = policy.resolve(&SessionFacts {
                session_id: id,
                cwd: &project,
                model,
                max_prompt: s.max_prompt,
                newest_at: at,
            });
            let (window, window_source) = match (resolved, reported.window) {
                // The window Codex reported, unless the user set one.
                ((_, source), Some(w)) if source != WindowSource::Override => {
                    (w, WindowSource::Agent)
                }
                (told, _) => told,
            };
            let (auto_compact_at, auto_compact_source) = match policy.sources.auto_compact.point(
                model,
                window,
                policy.sources.auto_compact_percent,
            ) {
                // Codex compacts at 90% of the window unless configured
                // lower; what Claude Code taught ccwatch does not apply.
                (_, source)
                    if agent == crate::agent::Agent::Codex
                        && source != AutoCompactSource::Config =>
                {
                    (
                        crate::agent::codex_auto_compact_at(window),
                        AutoCompactSource::Default,
                    )
                }
                point => point,
            };
            ContextSnapshot {
                tokens,
                window,
                window_source,
                percent: percent(tokens, window),
                auto_compact_at,
                auto_compact_source,
                input: p.tokens.input,
                cache_creation: p.tokens.cache_creation,
                cache_read: p.tokens.cache_read,
                output: p.tokens.output,
                model: model.to_string(),
                timestamp: at,
                compacted: s.compacted(),
            }
        });
        SessionSnapshot {
            session_id: id.to_owned(),
            agent,
            rate_limits: reported.rate_limits,
            label: crate::format::project_name(&project).to_owned(),
            project,
            title,
            subagents_only,
            replies_elsewhere,
            records: s.records,
            models: s
                .models
                .iter()
                .map(|(m, u)| (models.get(*m).to_string(), u.records))
                .collect(),
            tokens: s.tokens.into(),
            context,
            compactions: s.boundaries.len() as u64,
            last_activity: s.last_activity(),
            state: None,
            turn: None,
            last_compaction: s.last_boundary().map(|b| CompactionSnapshot {
                timestamp: b.timestamp,
                pre_tokens: b.pre_tokens,
                trigger: b.trigger.clone(),
            }),
            cycle_start: s.cycle_start(),
            host: None,
            telemetry: None,
        }
    }
}

impl SessionSnapshot {
    /// Fill in `state` for this moment (see `state::present`).
    pub fn present_state(&mut self, clock: Clock, ended: Option<bool>) {
        self.state = crate::state::present(self.turn.as_ref(), self.last_activity, clock, ended);
    }
}

/// Percentage to two decimals, as shown and as serialised.
pub fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    (part as f64 * 10_000.0 / whole as f64).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_rounds_to_two_decimals() {
        assert_eq!(percent(115_532, 200_000), 57.77);
        assert_eq!(percent(0, 200_000), 0.0);
        assert_eq!(percent(1, 0), 0.0);
    }
}
