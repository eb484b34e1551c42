//! Whose move it is in one transcript: the newest state of its main chain
//! (working, waiting for the person, compacting), kept from turn facts as
//! they arrive.
//!
//! Only the newest state is kept, with the tool calls still without a
//! result: memory stays a few words per file however long the session.
//! Facts of lines before the newest response may be missing (the reader
//! parses only what can still matter, see `parse/turn.rs`); every response
//! line starts afresh, so the outcome is the same as reading every line.

use crate::record::{Millis, TurnEvent, TurnFact};
use serde::{Deserialize, Serialize};

/// What a transcript says its session is doing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Phase {
    /// Nothing said yet (no response, no prompt).
    #[default]
    Unknown,
    /// A response is being written, or a tool call has no result yet.
    Working,
    /// The turn is over: the person is next.
    Waiting,
    /// A compaction started and its summary has not arrived.
    Compacting,
}

/// A tool call without a result yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingTool {
    pub id: u64,
    pub name: String,
    pub since: Option<Millis>,
}

/// The newest state of one file's chain.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TurnTrack {
    pub phase: Phase,
    /// When the current phase began.
    pub since: Option<Millis>,
    /// When the session last started working after the person's move: how
    /// long a turn worked, for the alert on its end.
    pub working_since: Option<Millis>,
    /// The newest response's message id (hashed).
    response: Option<u64>,
    /// Tool calls of the newest response still without a result.
    pub pending: Vec<PendingTool>,
    /// Whether the compaction in flight was asked for by the person (after
    /// it the person is next) rather than automatic (the turn goes on).
    manual_compaction: bool,
    /// Time of the newest fact: the newest of a session's files wins.
    pub last: Option<Millis>,
}

impl TurnTrack {
    fn enter(&mut self, phase: Phase, at: Option<Millis>) {
        if self.phase != phase {
            if phase == Phase::Working && self.phase != Phase::Compacting {
                self.working_since = at;
            }
            self.phase = phase;
            self.since = at;
        }
    }

    pub fn apply(&mut self, fact: &TurnFact) {
        let at = fact.timestamp;
        if at.is_some() {
            self.last = self.last.max(at);
        }
        match &fact.event {
            TurnEvent::Response { key, ended, tools } => {
                if key.is_none() || *key != self.response {
                    self.response = *key;
                    self.pending.clear();
                }
                self.pending
                    .extend(tools.iter().map(|(id, name)| PendingTool {
                        id: *id,
                        name: name.clone(),
                        since: at,
                    }));
                if *ended {
                    self.pending.clear();
                    self.enter(Phase::Waiting, at);
                } else {
                    self.enter(Phase::Working, at);
                }
            }
            TurnEvent::Results(ids) => {
                self.pending.retain(|p| !ids.contains(&p.id));
                self.enter(Phase::Working, at);
            }
            TurnEvent::Prompt => {
                self.pending.clear();
                self.enter(Phase::Working, at);
            }
            TurnEvent::Interrupted | TurnEvent::TurnEnd => {
                self.pending.clear();
                self.enter(Phase::Waiting, at);
            }
            TurnEvent::CompactSummary => {
                let next = if self.manual_compaction {
                    Phase::Waiting
                } else {
                    Phase::Working
                };
                self.enter(next, at);
            }
        }
    }

    /// A compaction boundary of this file's chain.
    pub fn compaction(&mut self, at: Millis, trigger: Option<&str>) {
        self.last = self.last.max(Some(at));
        self.manual_compaction = trigger == Some("manual");
        self.pending.clear();
        self.enter(Phase::Compacting, Some(at));
    }
}

/// What a session is doing, as its transcripts tell it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionTurn {
    /// Never `Unknown`.
    pub phase: Phase,
    pub since: Option<Millis>,
    /// When its current or last stretch of work began.
    pub working_since: Option<Millis>,
    /// Tool calls without a result: name and when each was made.
    pub tools: Vec<(String, Option<Millis>)>,
}

impl SessionTurn {
    /// From the session's main track and, when one is at work, the track
    /// of the agent writing a compaction summary.
    pub fn of(track: Option<&TurnTrack>, compactor: Option<&TurnTrack>) -> Option<SessionTurn> {
        if let Some(c) = compactor {
            return Some(SessionTurn {
                phase: Phase::Compacting,
                since: c.since,
                working_since: track.and_then(|t| t.working_since),
                tools: Vec::new(),
            });
        }
        let t = track.filter(|t| t.phase != Phase::Unknown)?;
        Some(SessionTurn {
            phase: t.phase,
            since: t.since,
            working_since: t.working_since,
            tools: t
                .pending
                .iter()
                .map(|p| (p.name.clone(), p.since))
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::id_hash;

    fn fact(at: Millis, event: TurnEvent) -> TurnFact {
        TurnFact {
            timestamp: Some(at),
            event,
        }
    }

    fn response(msg: &str, ended: bool, tools: &[&str]) -> TurnEvent {
        TurnEvent::Response {
            key: Some(id_hash(msg)),
            ended,
            tools: tools
                .iter()
                .map(|t| (id_hash(t), format!("T{t}")))
                .collect(),
        }
    }

    #[test]
    fn a_tool_call_without_result_keeps_the_session_working_on_it() {
        let mut t = TurnTrack::default();
        t.apply(&fact(1, TurnEvent::Prompt));
        t.apply(&fact(2, response("m1", false, &["a"])));
        assert_eq!(t.phase, Phase::Working);
        assert_eq!(t.since, Some(1));
        assert_eq!(t.pending.len(), 1);
        assert_eq!(t.pending[0].name, "Ta");
        assert_eq!(t.pending[0].since, Some(2));
        t.apply(&fact(3, TurnEvent::Results(vec![id_hash("a")])));
        assert!(t.pending.is_empty());
        assert_eq!(t.phase, Phase::Working);
    }

    #[test]
    fn a_result_between_two_lines_of_one_response_is_kept() {
        let mut t = TurnTrack::default();
        t.apply(&fact(2, response("m1", false, &["a"])));
        t.apply(&fact(3, TurnEvent::Results(vec![id_hash("a")])));
        // The second block of the same response: the first call stays answered.
        t.apply(&fact(4, response("m1", false, &["b"])));
        let names: Vec<&str> = t.pending.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["Tb"]);
    }

    #[test]
    fn end_turn_waits_and_a_prompt_works_again() {
        let mut t = TurnTrack::default();
        t.apply(&fact(1, TurnEvent::Prompt));
        t.apply(&fact(5, response("m1", true, &[])));
        assert_eq!(
            (t.phase, t.since, t.working_since),
            (Phase::Waiting, Some(5), Some(1))
        );
        t.apply(&fact(9, TurnEvent::Prompt));
        assert_eq!(
            (t.phase, t.since, t.working_since),
            (Phase::Working, Some(9), Some(9))
        );
        t.apply(&fact(10, TurnEvent::Interrupted));
        assert_eq!(t.phase, Phase::Waiting);
        t.apply(&fact(11, TurnEvent::Prompt));
        t.apply(&fact(12, response("m2", false, &[])));
        t.apply(&fact(13, TurnEvent::TurnEnd));
        assert_eq!((t.phase, t.since), (Phase::Waiting, Some(13)));
    }

    #[test]
    fn compaction_lasts_until_its_summary() {
        let mut t = TurnTrack::default();
        t.apply(&fact(2, response("m1", false, &["a"])));
        t.compaction(3, Some("auto"));
        assert_eq!((t.phase, t.since), (Phase::Compacting, Some(3)));
        assert!(t.pending.is_empty());
        t.apply(&fact(4, TurnEvent::CompactSummary));
        // An automatic compaction goes on with the turn…
        assert_eq!(t.phase, Phase::Working);
        t.compaction(5, Some("manual"));
        t.apply(&fact(6, TurnEvent::CompactSummary));
        // …one the person asked for leaves the next move to them.
        assert_eq!((t.phase, t.last), (Phase::Waiting, Some(6)));
    }
}
