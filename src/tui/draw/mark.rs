//! A session's state at a glance: one glyph per state, each a different
//! shape so that it reads without colour (`NO_COLOR`), and a colour on top.

use crate::format;
use crate::record::Millis;
use crate::state::{State, StateJson};
use crate::tui::theme::Theme;
use ratatui::style::{Color, Modifier, Style};

/// What the marks mean, for the help overlay.
pub const LEGEND: &str = "● waiting  ◐ working  ◌ compacting  ○ idle  × ended";

/// The glyph of a state; a blank for a session whose state is not known.
pub fn glyph(state: Option<State>) -> &'static str {
    match state {
        Some(State::Waiting) => "●",
        Some(State::Working) => "◐",
        Some(State::Compacting) => "◌",
        Some(State::Idle) => "○",
        Some(State::Ended) => "×",
        None => " ",
    }
}

/// How the glyph looks: waiting stands out most, in colour or not.
pub fn style(theme: Theme, state: Option<State>) -> Style {
    let fg = |c: Color| {
        if theme.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    };
    match state {
        Some(State::Waiting) => fg(Color::Yellow).add_modifier(Modifier::BOLD),
        Some(State::Working) => fg(Color::Green),
        Some(State::Compacting) => fg(Color::Cyan),
        Some(State::Idle) | Some(State::Ended) | None => theme.dim(),
    }
}

/// The state in words: "waiting for you 3m", "working on Bash 12s",
/// "writing a reply 4s", "compacting 20s", "idle 2h", "ended 1d".
pub fn words(state: &StateJson, now: Millis) -> String {
    let age = state
        .state_since
        .map(|t| format!(" {}", format::age(now, t)))
        .unwrap_or_default();
    match state.state {
        State::Waiting => format!("waiting for you{age}"),
        State::Working => match state.waiting_for.as_deref() {
            Some("model") | None => format!("writing a reply{age}"),
            Some(tools) => {
                let oldest = state.tools.iter().filter_map(|t| t.since).min();
                let ran = oldest
                    .map(|t| format!(" {}", format::age(now, t)))
                    .unwrap_or_default();
                format!("working on {tools}{ran}")
            }
        },
        State::Compacting => format!("compacting{age}"),
        State::Idle => format!("idle{age}"),
        State::Ended => format!("ended{age}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::ToolJson;

    #[test]
    fn every_state_has_its_own_shape() {
        let shapes: std::collections::BTreeSet<&str> =
            State::ALL.iter().map(|s| glyph(Some(*s))).collect();
        assert_eq!(shapes.len(), State::ALL.len());
        assert_eq!(glyph(None), " ");
    }

    #[test]
    fn words_say_what_and_for_how_long() {
        let st = |state, waiting_for: Option<&str>, tools: Vec<ToolJson>| StateJson {
            state,
            state_since: Some(0),
            waiting_for: waiting_for.map(str::to_owned),
            tools,
            working_since: None,
        };
        assert_eq!(
            words(&st(State::Waiting, Some("you"), vec![]), 180_000),
            "waiting for you 3m"
        );
        let bash = ToolJson {
            name: "Bash".into(),
            since: Some(168_000),
        };
        assert_eq!(
            words(&st(State::Working, Some("Bash"), vec![bash]), 180_000),
            "working on Bash 12s"
        );
        assert_eq!(
            words(&st(State::Working, Some("model"), vec![]), 4_000),
            "writing a reply 4s"
        );
    }
}
