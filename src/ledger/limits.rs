//! The agent of each session and what only Codex reports of it: the
//! window its model has and its plan's rate limits, kept per file (newest
//! by time) and read per session. A Claude Code session has neither; its
//! window comes from the gauge's model table.

use super::{FileId, Ledger};
use crate::agent::{Agent, AgentLimits, RateLimits};
use crate::record::Millis;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The newest window and rate limits one file reported, each with its time.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FileLimits {
    window: Option<(Millis, u64)>,
    rate_limits: Option<(Millis, RateLimits)>,
}

impl FileLimits {
    /// Take what a line reports where it is not older than what is kept.
    pub fn note(&mut self, l: &AgentLimits) {
        if let Some(w) = l.window
            && self.window.is_none_or(|(at, _)| at <= l.timestamp)
        {
            self.window = Some((l.timestamp, w));
        }
        if let Some(r) = l.rate_limits
            && self.rate_limits.is_none_or(|(at, _)| at <= l.timestamp)
        {
            self.rate_limits = Some((l.timestamp, r));
        }
    }
}

/// What a session's agent reported about its limits.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SessionLimits {
    /// The model's window as the agent reported it (Codex only).
    pub window: Option<u64>,
    pub rate_limits: Option<RateLimits>,
}

impl Ledger {
    pub(super) fn note_limits(&mut self, file: FileId, limits: &AgentLimits) {
        self.files[file.0 as usize].limits.note(limits);
    }

    /// The agent a session comes from: Codex when any of its files is a
    /// rollout, else Claude Code.
    pub fn agent(&self, id: &str) -> Agent {
        let Some(s) = self.sessions.get(id) else {
            return Agent::Claude;
        };
        let codex = s
            .files
            .keys()
            .any(|f| Agent::of_path(Path::new(&*self.files[f.0 as usize].path)) == Agent::Codex);
        if codex { Agent::Codex } else { Agent::Claude }
    }

    /// The newest rate limits any file reported: Codex's plan as it was
    /// last seen, whichever session saw it.
    pub fn newest_rate_limits(&self) -> Option<RateLimits> {
        self.files
            .iter()
            .filter_map(|f| f.limits.rate_limits)
            .max_by_key(|(at, _)| *at)
            .map(|(_, r)| r)
    }

    /// The newest window and rate limits the session's files reported.
    pub fn limits(&self, id: &str) -> SessionLimits {
        let Some(s) = self.sessions.get(id) else {
            return SessionLimits::default();
        };
        let files = || s.files.keys().map(|f| &self.files[f.0 as usize].limits);
        let window = files().filter_map(|l| l.window).max_by_key(|(at, _)| *at);
        let rates = files()
            .filter_map(|l| l.rate_limits)
            .max_by_key(|(at, _)| *at);
        SessionLimits {
            window: window.map(|(_, w)| w),
            rate_limits: rates.map(|(_, r)| r),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::RateWindow;
    use crate::ledger::{FileChange, FileUpdate};
    use crate::parse::Parsed;

    fn limits(ts: Millis, window: Option<u64>, used: Option<f64>) -> Parsed {
        Parsed::Limits(AgentLimits {
            session_id: "cx".into(),
            timestamp: ts,
            window,
            rate_limits: used.map(|p| RateLimits {
                primary: Some(RateWindow {
                    used_percent: p,
                    window_minutes: Some(300),
                    resets_at: None,
                }),
                secondary: None,
            }),
        })
    }

    fn update(path: &str, change: FileChange, facts: Vec<Parsed>) -> FileUpdate {
        FileUpdate {
            path: path.into(),
            encoded_project: String::new(),
            change,
            facts: facts
                .into_iter()
                .enumerate()
                .map(|(i, f)| (i as u64 * 100, f))
                .collect(),
            size: 1,
        }
    }

    fn entry() -> Parsed {
        Parsed::Entry {
            session_id: "cx".into(),
            cwd: Some("/src/api".into()),
            timestamp: Some(1),
        }
    }

    #[test]
    fn the_newest_window_and_rate_limits_win_and_a_rewrite_withdraws_them() {
        let path = "/c/sessions/2026/11/22/rollout-2026-11-22T10-00-00-cx.jsonl";
        let mut l = Ledger::new();
        l.apply(update(
            path,
            FileChange::Appended,
            vec![
                entry(),
                limits(30, Some(272_000), Some(20.0)),
                // Older lines (a fork's copies) do not replace newer ones;
                // a line without rate limits keeps the ones before it.
                limits(10, Some(400_000), Some(90.0)),
                limits(40, None, None),
            ],
        ));
        assert_eq!(l.agent("cx"), Agent::Codex);
        let got = l.limits("cx");
        assert_eq!(got.window, Some(272_000));
        assert_eq!(got.rate_limits.unwrap().primary.unwrap().used_percent, 20.0);
        l.apply(update(path, FileChange::Reset, vec![entry()]));
        assert_eq!(l.limits("cx"), SessionLimits::default());
        // A Claude Code transcript's session is Claude's, without limits.
        l.apply(update(
            "/p/-src-app/0b5e.jsonl",
            FileChange::Appended,
            vec![Parsed::Entry {
                session_id: "cl".into(),
                cwd: None,
                timestamp: None,
            }],
        ));
        assert_eq!(l.agent("cl"), Agent::Claude);
        assert_eq!(l.agent("nobody"), Agent::Claude);
    }
}
