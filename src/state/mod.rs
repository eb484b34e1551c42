//! A session's state as people see it: working, waiting, compacting, idle
//! or ended, from what its transcripts say (`ledger/turn.rs`), the clock
//! (idle) and, on Linux, whether any process still has the transcript
//! open (ended). The README's "Session state" section states these rules.

pub mod agents;
pub mod open_files;

use crate::ledger::{Phase, SessionTurn};
use crate::record::{Millis, format_timestamp};
use serde::{Serialize, Serializer};

/// The state of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Claude is waiting for the person.
    Waiting,
    /// A response is being written or a tool runs.
    Working,
    /// A compaction started and its summary has not arrived.
    Compacting,
    /// Nothing new for longer than the idle timeout.
    Idle,
    /// No process has the transcript open (Linux only).
    Ended,
}

impl State {
    pub const ALL: [State; 5] = [
        State::Waiting,
        State::Working,
        State::Compacting,
        State::Idle,
        State::Ended,
    ];

    pub fn name(self) -> &'static str {
        match self {
            State::Waiting => "waiting",
            State::Working => "working",
            State::Compacting => "compacting",
            State::Idle => "idle",
            State::Ended => "ended",
        }
    }
}

/// A tool call without a result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ToolJson {
    pub name: String,
    #[serde(serialize_with = "opt_timestamp")]
    pub since: Option<Millis>,
}

/// The state fields of a session object in `status --json` and `events`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StateJson {
    pub state: State,
    /// When the state began (for idle and ended: when the session went
    /// quiet).
    #[serde(serialize_with = "opt_timestamp")]
    pub state_since: Option<Millis>,
    /// What the session waits on: `you`, `model` (a response is being
    /// written), the running tools' names, `compaction`; `null` once ended.
    pub waiting_for: Option<String>,
    /// The tool calls without a result, oldest first.
    pub tools: Vec<ToolJson>,
    /// When the current or last stretch of work began (not in the JSON:
    /// for the alert on a long turn's end).
    #[serde(skip)]
    pub working_since: Option<Millis>,
}

fn opt_timestamp<S: Serializer>(ms: &Option<Millis>, s: S) -> Result<S::Ok, S::Error> {
    match ms {
        Some(ms) => s.serialize_str(&format_timestamp(*ms)),
        None => s.serialize_none(),
    }
}

/// What decides the clock-dependent states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    pub now: Millis,
    pub idle_timeout_ms: Millis,
}

/// The state of a session whose transcripts say `turn`, last active at
/// `last_activity`; `ended` is `Some(true)` when it is known that no
/// process has its transcript open, `None` where that cannot be known.
///
/// - ended: known closed, whatever the transcript said last;
/// - idle: nothing new for longer than the idle timeout, whatever the
///   transcript said last (a session stuck or gone looks the same);
/// - otherwise what the transcript says.
pub fn present(
    turn: Option<&SessionTurn>,
    last_activity: Option<Millis>,
    clock: Clock,
    ended: Option<bool>,
) -> Option<StateJson> {
    let turn = turn?;
    let quiet_since = last_activity.max(turn.since);
    let stale = quiet_since.is_none_or(|t| clock.now.saturating_sub(t) > clock.idle_timeout_ms);
    let state = match turn.phase {
        _ if ended == Some(true) => State::Ended,
        _ if stale => State::Idle,
        Phase::Working => State::Working,
        Phase::Waiting | Phase::Unknown => State::Waiting,
        Phase::Compacting => State::Compacting,
    };
    let since = match state {
        State::Idle | State::Ended => quiet_since,
        _ => turn.since,
    };
    let tools: Vec<ToolJson> = match state {
        State::Working => turn
            .tools
            .iter()
            .map(|(name, since)| ToolJson {
                name: name.clone(),
                since: *since,
            })
            .collect(),
        _ => Vec::new(),
    };
    let waiting_for = match state {
        State::Waiting | State::Idle => Some("you".to_owned()),
        State::Compacting => Some("compaction".to_owned()),
        State::Working if tools.is_empty() => Some("model".to_owned()),
        State::Working => {
            let mut names: Vec<&str> = Vec::new();
            for t in &tools {
                if !names.contains(&t.name.as_str()) {
                    names.push(&t.name);
                }
            }
            Some(names.join(", "))
        }
        State::Ended => None,
    };
    Some(StateJson {
        state,
        state_since: since,
        waiting_for,
        tools,
        working_since: turn.working_since,
    })
}

impl Clock {
    pub fn now(idle_timeout: std::time::Duration) -> Clock {
        Clock {
            now: chrono::Utc::now().timestamp_millis(),
            idle_timeout_ms: Millis::try_from(idle_timeout.as_millis()).unwrap_or(Millis::MAX),
        }
    }
}

/// Whether the session has ended, where that can be known (`procs` is
/// `None` off Linux).
pub fn ended(
    ledger: &crate::ledger::Ledger,
    id: &str,
    project: &str,
    procs: Option<&open_files::Processes>,
) -> Option<bool> {
    procs.map(|p| p.ended(ledger.main_transcripts(id), project))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Millis = 60_000;

    fn turn(phase: Phase, since: Millis, tools: &[&str]) -> SessionTurn {
        SessionTurn {
            phase,
            since: Some(since),
            working_since: Some(since - MIN),
            tools: tools.iter().map(|t| (t.to_string(), Some(since))).collect(),
        }
    }

    fn clock(now: Millis) -> Clock {
        Clock {
            now,
            idle_timeout_ms: 30 * MIN,
        }
    }

    #[test]
    fn the_transcript_says_working_waiting_or_compacting() {
        let s = present(
            Some(&turn(Phase::Working, 100 * MIN, &["Bash", "Read", "Bash"])),
            None,
            clock(101 * MIN),
            None,
        )
        .unwrap();
        assert_eq!(s.state, State::Working);
        assert_eq!(s.waiting_for.as_deref(), Some("Bash, Read"));
        assert_eq!(s.tools.len(), 3);
        let s = present(
            Some(&turn(Phase::Working, 100 * MIN, &[])),
            None,
            clock(101 * MIN),
            None,
        )
        .unwrap();
        assert_eq!(s.waiting_for.as_deref(), Some("model"));
        let s = present(
            Some(&turn(Phase::Waiting, 100 * MIN, &[])),
            None,
            clock(101 * MIN),
            None,
        )
        .unwrap();
        assert_eq!((s.state, s.state_since), (State::Waiting, Some(100 * MIN)));
        assert_eq!(s.waiting_for.as_deref(), Some("you"));
        let s = present(
            Some(&turn(Phase::Compacting, 100 * MIN, &[])),
            None,
            clock(101 * MIN),
            None,
        )
        .unwrap();
        assert_eq!(s.waiting_for.as_deref(), Some("compaction"));
        assert!(present(None, Some(1), clock(2), None).is_none());
    }

    #[test]
    fn quiet_past_the_timeout_is_idle_and_closed_is_ended() {
        let t = turn(Phase::Waiting, 100 * MIN, &[]);
        let s = present(Some(&t), Some(100 * MIN), clock(131 * MIN), None).unwrap();
        assert_eq!((s.state, s.state_since), (State::Idle, Some(100 * MIN)));
        let s = present(Some(&t), Some(100 * MIN), clock(130 * MIN), None).unwrap();
        assert_eq!(s.state, State::Waiting);
        // Newer activity (a subagent's line) keeps it from going idle.
        let s = present(Some(&t), Some(125 * MIN), clock(131 * MIN), None).unwrap();
        assert_eq!(s.state, State::Waiting);
        let w = turn(Phase::Working, 100 * MIN, &["Bash"]);
        let s = present(Some(&w), None, clock(101 * MIN), Some(true)).unwrap();
        assert_eq!((s.state, s.waiting_for), (State::Ended, None));
        assert!(s.tools.is_empty());
        let s = present(Some(&w), None, clock(101 * MIN), Some(false)).unwrap();
        assert_eq!(s.state, State::Working);
    }
}
