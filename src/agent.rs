//! Which coding agent wrote a file or a session (Claude Code or OpenAI's
//! Codex CLI), and the facts only Codex writes into its files: the window
//! its model has and its plan's rate limits. Everything that shows a
//! session asks this module for its agent's name, so the two agents are
//! told apart the same way everywhere.

use crate::record::Millis;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The agent a session comes from.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Agent {
    /// Claude Code: transcripts under `projects/`.
    #[default]
    Claude,
    /// OpenAI's Codex CLI: rollouts under `sessions/` (docs/codex-rollouts.md).
    Codex,
}

impl Agent {
    pub const ALL: [Agent; 2] = [Agent::Claude, Agent::Codex];

    /// The name in JSON, labels, filters and on screen.
    pub fn name(self) -> &'static str {
        match self {
            Agent::Claude => "claude",
            Agent::Codex => "codex",
        }
    }

    /// The mark a session of this agent carries in lists of people's
    /// sessions: none for Claude Code (where ccwatch began, and what most
    /// lists hold), `codex` for Codex.
    pub fn mark(self) -> Option<&'static str> {
        match self {
            Agent::Claude => None,
            Agent::Codex => Some("codex"),
        }
    }

    /// A session id cut short for lists. Claude Code's ids are random, so
    /// their first 8 characters (`format::short_id`) tell them apart;
    /// Codex's are UUIDv7, whose first 8 characters are the clock and are
    /// the same for sessions started within a minute of each other (a
    /// fork and its parent), so its last 8, which are random, are shown.
    pub fn short_id(self, id: &str) -> &str {
        match self {
            Agent::Claude => crate::format::short_id(id),
            Agent::Codex => match id.char_indices().rev().nth(7) {
                Some((i, _)) => &id[i..],
                None => id,
            },
        }
    }

    /// The agent a file's name says: Codex names every rollout
    /// `rollout-*.jsonl`; Claude Code names transcripts after a UUID or
    /// `agent-*`, never so.
    pub fn of_path(path: &Path) -> Agent {
        let rollout = path
            .file_name()
            .map(|n| n.to_string_lossy())
            .is_some_and(|n| n.starts_with("rollout-") && n.ends_with(".jsonl"));
        if rollout { Agent::Codex } else { Agent::Claude }
    }

    /// Read one name as `--agents` and `--agent` take it.
    pub fn parse(name: &str) -> Result<Agent, String> {
        match name.trim().to_ascii_lowercase().as_str() {
            "claude" | "claude-code" => Ok(Agent::Claude),
            "codex" => Ok(Agent::Codex),
            other => Err(format!(
                "unknown agent {other:?}: the agents are claude and codex"
            )),
        }
    }

    /// Read a comma-separated list (`claude,codex`), each named once.
    pub fn parse_list(list: &str) -> Result<Vec<Agent>, String> {
        let mut agents = Vec::new();
        for part in list.split(',').filter(|p| !p.trim().is_empty()) {
            let agent = Agent::parse(part)?;
            if !agents.contains(&agent) {
                agents.push(agent);
            }
        }
        if agents.is_empty() {
            return Err("--agents needs at least one of claude and codex".into());
        }
        Ok(agents)
    }
}

/// Where Codex compacts a session by itself when not configured otherwise:
/// 90% of the window (docs/codex-rollouts.md §6).
pub fn codex_auto_compact_at(window: u64) -> u64 {
    window / 10 * 9 + window % 10 * 9 / 10
}

/// One rate-limit window of a Codex plan, as its newest `token_count` said.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RateWindow {
    /// 0–100.
    pub used_percent: f64,
    pub window_minutes: Option<u64>,
    /// Unix seconds.
    pub resets_at: Option<i64>,
}

/// Codex's two rate-limit windows (`primary`, usually 5 hours, and
/// `secondary`, usually a week).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct RateLimits {
    pub primary: Option<RateWindow>,
    pub secondary: Option<RateWindow>,
}

impl RateLimits {
    pub fn is_empty(&self) -> bool {
        self.primary.is_none() && self.secondary.is_none()
    }

    /// The windows in a few words for the dashboard, as of `now`:
    /// "5h 21% (resets in 2h05m) · week 41%". A reset time already past
    /// is left out: the percentage was true before it.
    pub fn describe(&self, now: Millis) -> String {
        let piece = |w: &RateWindow| {
            let name = match w.window_minutes {
                Some(300) => "5h".to_owned(),
                Some(10080) => "week".to_owned(),
                Some(m) if m % 1440 == 0 && m > 0 => format!("{}d", m / 1440),
                Some(m) if m % 60 == 0 && m > 0 => format!("{}h", m / 60),
                Some(m) => format!("{m}m"),
                None => "window".to_owned(),
            };
            let resets = w
                .resets_at
                .map(|at| at * 1000 - now)
                .filter(|left| *left > 0)
                .map(|left| {
                    let minutes = left as f64 / 60_000.0;
                    format!(" (resets in {})", crate::format::minutes(minutes))
                })
                .unwrap_or_default();
            format!("{name} {:.0}%{resets}", w.used_percent)
        };
        [self.primary, self.secondary]
            .iter()
            .flatten()
            .map(piece)
            .collect::<Vec<_>>()
            .join(" · ")
    }
}

/// What a Codex `token_count` line says besides usage: the model's window
/// and the plan's rate limits, each when present.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentLimits {
    pub session_id: String,
    pub timestamp: Millis,
    pub window: Option<u64>,
    pub rate_limits: Option<RateLimits>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rollouts_are_codex_and_everything_else_claude() {
        let codex =
            Path::new("/h/.codex/sessions/2026/11/22/rollout-2026-11-22T10-00-00-abc.jsonl");
        assert_eq!(Agent::of_path(codex), Agent::Codex);
        assert_eq!(
            Agent::of_path(Path::new("/h/.claude/projects/-w/0b1e.jsonl")),
            Agent::Claude
        );
        assert_eq!(
            Agent::of_path(Path::new("/h/.claude/projects/-w/agent-rollout.jsonl")),
            Agent::Claude
        );
        assert_eq!(
            Agent::of_path(Path::new("/h/x/rollout-notes.txt")),
            Agent::Claude
        );
    }

    #[test]
    fn rate_limits_read_as_their_windows_and_the_time_left() {
        let now = 1_795_341_600_000;
        let limits = RateLimits {
            primary: Some(RateWindow {
                used_percent: 21.4,
                window_minutes: Some(300),
                resets_at: Some(now / 1000 + 125 * 60),
            }),
            secondary: Some(RateWindow {
                used_percent: 41.0,
                window_minutes: Some(10080),
                resets_at: Some(now / 1000 - 60),
            }),
        };
        assert_eq!(limits.describe(now), "5h 21% (resets in 2h05m) · week 41%");
        let odd = RateLimits {
            primary: Some(RateWindow {
                used_percent: 3.0,
                window_minutes: Some(90),
                resets_at: None,
            }),
            secondary: None,
        };
        assert_eq!(odd.describe(now), "90m 3%");
    }

    #[test]
    fn codex_ids_are_cut_to_their_random_end() {
        let fork = "01a247c1-5683-79c0-80e7-63b5277a36c3";
        let parent = "01a247c1-5482-7760-9eec-8616ec424b1e";
        assert_eq!(Agent::Codex.short_id(fork), "277a36c3");
        assert_ne!(Agent::Codex.short_id(fork), Agent::Codex.short_id(parent));
        assert_eq!(Agent::Claude.short_id(fork), "01a247c1");
        assert_eq!(Agent::Codex.short_id("abc"), "abc");
    }

    #[test]
    fn agent_lists_are_read_once_each_and_unknown_names_refused() {
        assert_eq!(
            Agent::parse_list("claude, Codex,claude").unwrap(),
            vec![Agent::Claude, Agent::Codex]
        );
        assert_eq!(Agent::parse_list("codex").unwrap(), vec![Agent::Codex]);
        assert!(Agent::parse_list("gemini").unwrap_err().contains("gemini"));
        assert!(Agent::parse_list(" , ").is_err());
    }
}
