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
    /// When the rate limits were reported.
    pub rate_limits_at: Option<Millis>,
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
            rate_limits_at: rates.map(|(at, _)| at),
        }
    }
}
