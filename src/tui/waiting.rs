//! The optional alert when a session starts waiting for the person after
//! a long stretch of work (`--alert-waiting`): which state changes of a
//! batch call for it. Once per turn: a turn ends in one change to waiting.

use crate::monitor::Change;
use crate::record::Millis;
use crate::state::State;

/// A session that has just started waiting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitAlert {
    pub session_id: String,
    pub project: String,
    /// How long it worked before it stopped.
    pub worked_ms: Millis,
}

/// The alerts a batch of changes calls for, when `after_ms` is set: a
/// session that went from working (or compacting) to waiting, after
/// working at least `after_ms`.
pub fn alerts(changes: &[Change], after_ms: Option<Millis>) -> Vec<WaitAlert> {
    let Some(after_ms) = after_ms else {
        return Vec::new();
    };
    changes
        .iter()
        .filter_map(|c| match c {
            Change::State { session, previous } => {
                let st = session.state.as_ref()?;
                let was_busy = matches!(previous, Some(State::Working | State::Compacting));
                if st.state != State::Waiting || !was_busy {
                    return None;
                }
                let worked_ms = st.state_since?.saturating_sub(st.working_since?);
                (worked_ms >= after_ms).then(|| WaitAlert {
                    session_id: session.session_id.clone(),
                    project: session.project.clone(),
                    worked_ms,
                })
            }
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::StateJson;
    use crate::tui::sessions::tests::view;

    fn change(previous: Option<State>, state: State, worked_s: Millis) -> Change {
        let mut snap = view("s1", "/src/app", 10.0, 1_000_000).snap;
        snap.state = Some(StateJson {
            state,
            state_since: Some(1_000_000),
            waiting_for: None,
            tools: vec![],
            working_since: Some(1_000_000 - worked_s * 1000),
        });
        Change::State {
            session: snap,
            previous,
        }
    }

    #[test]
    fn a_long_turn_ending_alerts_once_a_short_one_or_none_set_does_not() {
        let long = [change(Some(State::Working), State::Waiting, 300)];
        let got = alerts(&long, Some(120_000));
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].worked_ms, 300_000);
        assert!(alerts(&long, None).is_empty());
        let short = [change(Some(State::Working), State::Waiting, 30)];
        assert!(alerts(&short, Some(120_000)).is_empty());
        // Already waiting, or newly seen: no turn ended here.
        let seen = [
            change(Some(State::Waiting), State::Waiting, 300),
            change(None, State::Waiting, 300),
            change(Some(State::Working), State::Idle, 300),
        ];
        assert!(alerts(&seen, Some(120_000)).is_empty());
    }
}
