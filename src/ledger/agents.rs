//! What each subagent transcript of a session holds: its chain's newest
//! turn and its own responses, for the agent tree (`state/agents.rs`).

use super::dedup::FileId;
use super::{Ledger, TurnTrack, is_compaction_agent, is_subagent_path};
use crate::record::{Billing, Millis, Tokens};
use std::path::PathBuf;

/// One response as a subagent's own file has it.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentResponse {
    pub model: String,
    pub timestamp: Millis,
    pub tokens: Tokens,
    pub billing: Billing,
    pub logged_cost: Option<f64>,
}

/// One subagent transcript of a session.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentFile {
    pub path: PathBuf,
    pub turn: TurnTrack,
    /// The time of its first line that only names the session (its
    /// prompt, usually): when the agent started.
    pub first_seen: Option<Millis>,
    /// Its best copy of each response it wrote, oldest first.
    pub responses: Vec<AgentResponse>,
}

impl Ledger {
    /// The session's subagent transcripts (not the compaction agents',
    /// whose work is the session's compacting state), by path.
    pub fn agent_files(&self, session: &str) -> Vec<AgentFile> {
        let Some(s) = self.sessions.get(session) else {
            return Vec::new();
        };
        let mut out: Vec<AgentFile> = s
            .files
            .keys()
            .filter_map(|f| {
                let e = &self.files[f.0 as usize];
                let wanted = e.live && is_subagent_path(&e.path) && !is_compaction_agent(&e.path);
                wanted.then(|| AgentFile {
                    path: PathBuf::from(e.path.as_ref()),
                    turn: e.turn.clone(),
                    first_seen: s.entry_seen.get(f).map(|(first, _)| *first),
                    responses: self.responses_of(*f),
                })
            })
            .collect();
        out.sort_by(|a, b| a.path.cmp(&b.path));
        out
    }

    fn responses_of(&self, file: FileId) -> Vec<AgentResponse> {
        let e = &self.files[file.0 as usize];
        let mut out: Vec<AgentResponse> = e
            .keys
            .iter()
            .flat_map(|k| self.dedup.copies_of(*k).iter().filter(|c| c.file == file))
            .map(|c| AgentResponse {
                model: self.models.get(c.model).to_string(),
                timestamp: c.timestamp,
                tokens: c.tokens,
                billing: c.billing(),
                logged_cost: c.cost_usd(),
            })
            .collect();
        out.sort_by_key(|r| r.timestamp);
        out
    }
}
