//! Every key the dashboard understands, in one table: lookup, the footer
//! and the `?` help overlay are all built from it, so they cannot disagree.
//!
//! Nothing here changes state: a key becomes an `Action`, and `App::apply`
//! is what acts on it.

use super::action::Action;
use super::app::Mode;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// How a binding recognises a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Code(KeyCode),
    /// A character without Ctrl or Alt.
    Char(char),
    Ctrl(char),
    /// The digits 1 to 9.
    Digit,
    /// Any printable character (filter text).
    AnyChar,
    /// Anything at all.
    Any,
}

/// Where keys land: the mode, and whether the zoomed session's turn
/// timeline is shown (its scrolling keys then take ↑↓ from the list).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Focus {
    pub mode: Mode,
    pub timeline: bool,
}

impl From<Mode> for Focus {
    fn from(mode: Mode) -> Focus {
        Focus {
            mode,
            timeline: false,
        }
    }
}

/// Which modes a binding applies in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// The list and the zoomed detail.
    Browse,
    /// Likewise, but not while the turn timeline takes the same keys.
    Select,
    /// The zoomed session's turn timeline.
    Timeline,
    Filter,
    Help,
    Everywhere,
}

impl Scope {
    fn covers(self, focus: Focus) -> bool {
        let timeline = focus.timeline && focus.mode == Mode::Zoom;
        match self {
            Scope::Browse => matches!(focus.mode, Mode::List | Mode::Zoom),
            Scope::Select => matches!(focus.mode, Mode::List | Mode::Zoom) && !timeline,
            Scope::Timeline => timeline,
            Scope::Filter => matches!(focus.mode, Mode::Filter | Mode::Search),
            Scope::Help => focus.mode.overlay().is_some(),
            Scope::Everywhere => true,
        }
    }
}

pub struct Binding {
    keys: &'static [Key],
    scope: Scope,
    action: Action,
    /// The keys as the help overlay shows them.
    pub label: &'static str,
    /// What the binding does, for the help overlay.
    pub help: &'static str,
    /// A word or two for the footer; empty to leave it out.
    pub short: &'static str,
}

const fn bind(
    keys: &'static [Key],
    scope: Scope,
    action: Action,
    label: &'static str,
    help: &'static str,
    short: &'static str,
) -> Binding {
    Binding {
        keys,
        scope,
        action,
        label,
        help,
        short,
    }
}

use Key::{AnyChar, Char, Code, Ctrl, Digit};

/// The table, in the order the help overlay lists it. Earlier rows win.
pub const BINDINGS: &[Binding] = &[
    bind(
        &[Ctrl('c')],
        Scope::Everywhere,
        Action::Quit,
        "Ctrl-C",
        "quit, from anywhere",
        "",
    ),
    bind(
        &[Code(KeyCode::Up), Char('k')],
        Scope::Select,
        Action::Up,
        "↑ k",
        "previous session",
        "",
    ),
    bind(
        &[Code(KeyCode::Down), Char('j')],
        Scope::Select,
        Action::Down,
        "↓ j",
        "next session",
        "↑↓ move",
    ),
    bind(
        &[Code(KeyCode::Up), Char('k')],
        Scope::Timeline,
        Action::ScrollUp,
        "↑ k",
        "an older turn (the view stays put)",
        "",
    ),
    bind(
        &[Code(KeyCode::Down), Char('j')],
        Scope::Timeline,
        Action::ScrollDown,
        "↓ j",
        "a newer turn",
        "↑↓ scroll",
    ),
    bind(
        &[Code(KeyCode::PageUp)],
        Scope::Timeline,
        Action::PageUp,
        "PgUp",
        "older turns, a panel at a time",
        "",
    ),
    bind(
        &[Code(KeyCode::PageDown)],
        Scope::Timeline,
        Action::PageDown,
        "PgDn",
        "newer turns, a panel at a time",
        "",
    ),
    bind(
        &[Code(KeyCode::Home), Char('g')],
        Scope::Timeline,
        Action::ScrollTop,
        "Home g",
        "the oldest turn kept",
        "",
    ),
    bind(
        &[Code(KeyCode::End), Char('G')],
        Scope::Timeline,
        Action::ScrollBottom,
        "End G",
        "the newest, following new turns",
        "",
    ),
    bind(
        &[Code(KeyCode::Tab)],
        Scope::Browse,
        Action::Next,
        "Tab",
        "next, wrapping around",
        "",
    ),
    bind(
        &[Code(KeyCode::BackTab)],
        Scope::Browse,
        Action::Prev,
        "S-Tab",
        "previous, wrapping",
        "",
    ),
    bind(
        &[Digit],
        Scope::Browse,
        Action::Jump(0),
        "1-9",
        "jump to that row",
        "",
    ),
    bind(
        &[Code(KeyCode::Enter)],
        Scope::Browse,
        Action::Zoom,
        "Enter",
        "zoom in / back",
        "⏎ zoom",
    ),
    bind(
        &[Char('t')],
        Scope::Browse,
        Action::Timeline,
        "t",
        "zoomed: what filled it / turns",
        "",
    ),
    bind(
        &[Char('/')],
        Scope::Browse,
        Action::Filter,
        "/",
        "filter by project or id",
        "/ filter",
    ),
    bind(
        &[Char('f')],
        Scope::Browse,
        Action::Search,
        "f",
        "find in prompts and replies",
        "",
    ),
    bind(
        &[Char('r')],
        Scope::Browse,
        Action::Resume,
        "r",
        "resume command: show and copy",
        "",
    ),
    bind(
        &[Char('s')],
        Scope::Browse,
        Action::Sort,
        "s",
        "sort: activity/context/project/waiting first",
        "s sort",
    ),
    bind(
        &[Char('a')],
        Scope::Browse,
        Action::ToggleIdle,
        "a",
        "show idle sessions / live only",
        "a all",
    ),
    bind(
        &[Char('?')],
        Scope::Browse,
        Action::Help,
        "?",
        "this help",
        "? help",
    ),
    bind(
        &[Char('!')],
        Scope::Browse,
        Action::Skipped,
        "!",
        "skipped lines: why and where",
        "",
    ),
    bind(
        &[Code(KeyCode::Esc)],
        Scope::Browse,
        Action::Back,
        "Esc",
        "unzoom, clear filter, or quit",
        "",
    ),
    bind(
        &[Char('q')],
        Scope::Browse,
        Action::Quit,
        "q",
        "quit",
        "q quit",
    ),
    bind(
        &[AnyChar],
        Scope::Filter,
        Action::Type(' '),
        "text",
        "narrows the list as you type",
        "",
    ),
    bind(
        &[Code(KeyCode::Backspace)],
        Scope::Filter,
        Action::Erase,
        "Bksp",
        "delete a character",
        "",
    ),
    bind(
        &[Code(KeyCode::Enter)],
        Scope::Filter,
        Action::Apply,
        "Enter",
        "keep the filter",
        "⏎ keep",
    ),
    bind(
        &[Code(KeyCode::Esc)],
        Scope::Filter,
        Action::Clear,
        "Esc",
        "clear the filter",
        "Esc clear",
    ),
    bind(
        &[Char('q')],
        Scope::Help,
        Action::Quit,
        "q",
        "quit",
        "q quit",
    ),
    bind(
        &[Code(KeyCode::Up), Char('k')],
        Scope::Help,
        Action::ScrollUp,
        "↑ k",
        "scroll up",
        "",
    ),
    bind(
        &[Code(KeyCode::Down), Char('j')],
        Scope::Help,
        Action::ScrollDown,
        "↓ j",
        "scroll down",
        "↑↓ scroll",
    ),
    bind(
        &[Code(KeyCode::PageUp)],
        Scope::Help,
        Action::PageUp,
        "PgUp",
        "scroll up a screen",
        "",
    ),
    bind(
        &[Code(KeyCode::PageDown)],
        Scope::Help,
        Action::PageDown,
        "PgDn",
        "scroll down a screen",
        "",
    ),
    bind(
        &[Code(KeyCode::Home), Char('g')],
        Scope::Help,
        Action::ScrollTop,
        "Home g",
        "scroll to the top",
        "",
    ),
    bind(
        &[Code(KeyCode::End), Char('G')],
        Scope::Help,
        Action::ScrollBottom,
        "End G",
        "scroll to the end",
        "",
    ),
    bind(
        &[Key::Any],
        Scope::Help,
        Action::CloseHelp,
        "any",
        "close this help",
        "any key: close",
    ),
];

/// What a key means in a mode; `banner` says whether an alert is showing
/// (any key but Ctrl-C dismisses it first).
pub fn action(focus: impl Into<Focus>, banner: bool, key: &KeyEvent) -> Option<Action> {
    let focus = focus.into();
    let ctrl_c = key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c');
    if banner && !ctrl_c {
        return Some(Action::Acknowledge);
    }
    BINDINGS
        .iter()
        .filter(|b| b.scope.covers(focus))
        .find_map(|b| b.keys.iter().find_map(|k| matches(*k, b.action, key)))
}

fn matches(k: Key, action: Action, key: &KeyEvent) -> Option<Action> {
    let plain = !key
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
    let hit = match (k, key.code) {
        (Code(want), got) => want == got,
        (Char(want), KeyCode::Char(got)) => plain && want == got,
        (Ctrl(want), KeyCode::Char(got)) => {
            key.modifiers.contains(KeyModifiers::CONTROL) && want == got.to_ascii_lowercase()
        }
        (Digit, KeyCode::Char(d @ '1'..='9')) if plain => {
            return Some(Action::Jump(d as u8 - b'0'));
        }
        (AnyChar, KeyCode::Char(c)) if plain => return Some(Action::Type(c)),
        (Key::Any, _) => true,
        _ => false,
    };
    hit.then_some(action)
}

/// The footer entries for a mode, in table order.
pub fn footer(focus: impl Into<Focus>) -> Vec<(Action, &'static str)> {
    let focus = focus.into();
    BINDINGS
        .iter()
        .filter(|b| b.scope.covers(focus) && !b.short.is_empty())
        .map(|b| (b.action, b.short))
        .collect()
}

/// The help overlay: a heading per group, then `(keys, what)` rows.
pub fn help() -> Vec<(&'static str, Vec<(&'static str, &'static str)>)> {
    let group = |scopes: &[Scope]| {
        BINDINGS
            .iter()
            .filter(|b| scopes.contains(&b.scope))
            .map(|b| (b.label, b.help))
            .collect::<Vec<_>>()
    };
    vec![
        (
            "Sessions",
            group(&[Scope::Everywhere, Scope::Browse, Scope::Select]),
        ),
        ("Turn timeline (zoomed, t)", group(&[Scope::Timeline])),
        ("Filter (/) and find (f)", group(&[Scope::Filter])),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::app::Screen;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn ctrl(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    #[test]
    fn browsing_keys() {
        let m = Mode::List;
        assert_eq!(
            action(m, false, &key(KeyCode::Char('j'))),
            Some(Action::Down)
        );
        assert_eq!(action(m, false, &key(KeyCode::Up)), Some(Action::Up));
        assert_eq!(action(m, false, &key(KeyCode::BackTab)), Some(Action::Prev));
        assert_eq!(
            action(m, false, &key(KeyCode::Char('7'))),
            Some(Action::Jump(7))
        );
        assert_eq!(action(m, false, &key(KeyCode::Char('0'))), None);
        assert_eq!(action(m, false, &key(KeyCode::Esc)), Some(Action::Back));
        assert_eq!(
            action(Mode::Zoom, false, &key(KeyCode::Esc)),
            Some(Action::Back)
        );
        assert_eq!(action(m, false, &ctrl('c')), Some(Action::Quit));
        assert_eq!(action(m, false, &ctrl('j')), None);
    }

    #[test]
    fn filter_mode_takes_text_but_not_ctrl_c() {
        let m = Mode::Filter;
        assert_eq!(
            action(m, false, &key(KeyCode::Char('q'))),
            Some(Action::Type('q'))
        );
        assert_eq!(
            action(m, false, &key(KeyCode::Char('j'))),
            Some(Action::Type('j'))
        );
        assert_eq!(action(m, false, &key(KeyCode::Esc)), Some(Action::Clear));
        assert_eq!(action(m, false, &key(KeyCode::Enter)), Some(Action::Apply));
        assert_eq!(action(m, false, &ctrl('c')), Some(Action::Quit));
    }

    #[test]
    fn help_closes_on_any_key_but_q_still_quits() {
        let m = Mode::Help(Screen::List);
        assert_eq!(
            action(m, false, &key(KeyCode::Char('x'))),
            Some(Action::CloseHelp)
        );
        assert_eq!(
            action(m, false, &key(KeyCode::Char('q'))),
            Some(Action::Quit)
        );
    }

    /// Issue 16: with the turn timeline shown, ↑↓ and the paging keys
    /// scroll it; without it (or outside the zoom) ↑↓ still move the
    /// selection, and Tab still changes the session.
    #[test]
    fn the_timeline_takes_the_scrolling_keys_only_while_it_shows() {
        let timeline = Focus {
            mode: Mode::Zoom,
            timeline: true,
        };
        let cases = [
            (KeyCode::Up, Action::ScrollUp),
            (KeyCode::Char('k'), Action::ScrollUp),
            (KeyCode::Down, Action::ScrollDown),
            (KeyCode::Char('j'), Action::ScrollDown),
            (KeyCode::PageUp, Action::PageUp),
            (KeyCode::PageDown, Action::PageDown),
            (KeyCode::Home, Action::ScrollTop),
            (KeyCode::Char('g'), Action::ScrollTop),
            (KeyCode::End, Action::ScrollBottom),
            (KeyCode::Char('G'), Action::ScrollBottom),
            (KeyCode::Tab, Action::Next),
            (KeyCode::Char('t'), Action::Timeline),
        ];
        for (code, want) in cases {
            assert_eq!(action(timeline, false, &key(code)), Some(want), "{code:?}");
        }
        let shifted = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(
            action(timeline, false, &shifted),
            Some(Action::ScrollBottom)
        );
        let summary = Focus {
            mode: Mode::Zoom,
            timeline: false,
        };
        assert_eq!(action(summary, false, &key(KeyCode::Up)), Some(Action::Up));
        // A timeline left open in the zoom does not take the list's keys.
        let list = Focus {
            mode: Mode::List,
            timeline: true,
        };
        assert_eq!(action(list, false, &key(KeyCode::Down)), Some(Action::Down));
        assert_eq!(action(list, false, &key(KeyCode::Home)), None);
        let words: Vec<_> = footer(timeline).into_iter().map(|e| e.1).collect();
        assert!(words.contains(&"↑↓ scroll") && !words.contains(&"↑↓ move"));
    }

    #[test]
    fn a_banner_swallows_the_key_that_dismisses_it() {
        let m = Mode::List;
        assert_eq!(
            action(m, true, &key(KeyCode::Char('q'))),
            Some(Action::Acknowledge)
        );
        assert_eq!(action(m, true, &ctrl('c')), Some(Action::Quit));
    }

    #[test]
    fn footer_and_help_come_from_the_table() {
        let words = |m| footer(m).into_iter().map(|e| e.1).collect::<Vec<_>>();
        assert_eq!(
            words(Mode::List),
            vec![
                "↑↓ move",
                "⏎ zoom",
                "/ filter",
                "s sort",
                "a all",
                "? help",
                "q quit"
            ]
        );
        assert_eq!(words(Mode::Filter), vec!["⏎ keep", "Esc clear"]);
        let listed: usize = help().iter().map(|(_, rows)| rows.len()).sum();
        let help_only = BINDINGS.iter().filter(|b| b.scope == Scope::Help).count();
        assert_eq!(listed + help_only, BINDINGS.len());
    }

    #[test]
    fn no_key_is_bound_twice_in_one_mode() {
        let timeline = Focus {
            mode: Mode::Zoom,
            timeline: true,
        };
        let modes = [
            Mode::List.into(),
            Mode::Zoom.into(),
            timeline,
            Mode::Filter.into(),
            Mode::Search.into(),
            Mode::Help(Screen::Zoom).into(),
        ];
        for mode in modes {
            let keys: Vec<Key> = BINDINGS
                .iter()
                .filter(|b| b.scope.covers(mode))
                .flat_map(|b| b.keys.iter().copied())
                .filter(|k| !matches!(k, AnyChar | Key::Any))
                .collect();
            for (i, k) in keys.iter().enumerate() {
                assert!(!keys[i + 1..].contains(k), "{k:?} twice in {mode:?}");
            }
        }
    }
}
