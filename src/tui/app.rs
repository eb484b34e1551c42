//! The dashboard's state: plain data that drawing reads and actions change.
//!
//! No terminal, no clock, no channels here: `now` is set by the loop, so
//! every state can be built in a test and drawn at a fixed instant.

use super::action::Action;
use super::content_search::ContentSearch;
use super::overlay::{self, Overlay, Row};
use super::sessions::{self, ListQuery, SessionView, Show, Sort};
use super::skipped::SkippedLines;
use super::theme::Theme;
use crate::alerts::Crossing;
use crate::alerts::limits::LimitCrossing;
use crate::record::Millis;
use crate::search::resume::resume_command;
use std::collections::BTreeMap;

/// What the screen is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    List,
    /// The selected session full-screen.
    Zoom,
    /// Typing into the filter.
    Filter,
    /// Typing a search of prompts and replies.
    Search,
    /// The key overlay, over the screen it was opened from.
    Help(Screen),
    /// The skipped lines overlay, likewise.
    Skipped(Screen),
}

impl Mode {
    /// The overlay open in this mode, if any.
    pub fn overlay(self) -> Option<Overlay> {
        match self {
            Mode::Help(_) => Some(Overlay::Keys),
            Mode::Skipped(_) => Some(Overlay::Skipped),
            _ => None,
        }
    }
}

/// The screens the help overlay can return to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    List,
    Zoom,
}

/// A session's alert: a threshold or the before-auto-compact margin.
#[derive(Debug, Clone, PartialEq)]
pub struct Banner {
    pub session_id: String,
    pub project: String,
    pub crossing: Crossing,
}

/// An alert the user has not acknowledged yet.
#[derive(Debug, Clone, PartialEq)]
pub enum Alert {
    Session(Banner),
    /// The plan's usage or a cost budget: about the account, no session.
    Limit(LimitCrossing),
}

impl From<Banner> for Alert {
    fn from(b: Banner) -> Alert {
        Alert::Session(b)
    }
}

impl Alert {
    /// How urgent it is, for picking one of a batch: the level in percent.
    pub fn rank(&self) -> u8 {
        match self {
            Alert::Session(b) => b.crossing.level,
            Alert::Limit(l) => l.level.min(100),
        }
    }

    /// `CCWATCH_LEVEL`: `85`, `auto-compact`, `budget-80`, `rate-limit-95`.
    pub fn name(&self) -> String {
        match self {
            Alert::Session(b) => b.crossing.name(),
            Alert::Limit(l) => l.name(),
        }
    }
}

/// Settings the dashboard reads, fixed for the run.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub thresholds: Vec<u8>,
    pub idle_timeout_ms: Millis,
    pub span_ms: Millis,
    /// The home directory, shown as `~`.
    pub home: Option<String>,
    /// Where transcripts are read from, for the empty state.
    pub roots: Vec<String>,
    /// Local time's offset from UTC, for clock times.
    pub utc_offset_secs: i32,
    pub theme: Theme,
    /// `--alert-waiting`: alert when a session starts waiting after
    /// working this long; `None`: off.
    pub alert_waiting_ms: Option<Millis>,
}

#[derive(Debug, Clone)]
pub struct App {
    pub config: Config,
    pub sessions: BTreeMap<String, SessionView>,
    /// The selected session; when it is not shown, the first row is.
    pub selected: Option<String>,
    pub mode: Mode,
    pub sort: Sort,
    pub show: Show,
    pub filter: String,
    pub banner: Option<Alert>,
    /// Something the user should know about the watching itself.
    pub notice: Option<String>,
    /// Subagent sidecars already read (they do not change).
    pub sidecars: crate::state::agents::Sidecars,
    pub now: Millis,
    pub quit: bool,
    /// The plan's usage limits from the newest status-line hint.
    pub plan: Option<crate::hints::rate::PlanLimits>,
    /// Spend against the configured budgets.
    pub spend: Vec<crate::budget::Spend>,
    /// Lines the engine could not use.
    pub skipped: SkippedLines,
    /// How far the open overlay is scrolled, in rows.
    pub scroll: usize,
    /// The screen's height, set by the loop like `now`: how far an
    /// overlay can scroll depends on it.
    pub height: u16,
    /// The zoomed session's "what filled it" panel.
    pub filled: super::filled::Filled,
    /// The panel shows the turn timeline instead of the summary.
    pub timeline: bool,
    /// How far the timeline is scrolled up, in rows from the newest; at 0
    /// it follows the newest turn, above it stays on the same turns as
    /// new ones arrive.
    pub timeline_back: usize,
    /// The timeline panel's rows, set by the loop like `height` (from the
    /// geometry it is drawn with): how far a page goes and the top is.
    pub panel_rows: u16,
    /// The search of prompts and replies (search mode).
    pub content: ContentSearch,
    /// What the event loop must do outside the state, oldest first.
    pub effects: Vec<Effect>,
}

/// Work for the event loop: terminal output and background searches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Put this on the clipboard (OSC 52).
    Copy(String),
    /// Search for `query` (empty: stop searching), tagged `generation`.
    Search { query: String, generation: u64 },
}

impl App {
    pub fn new(config: Config, now: Millis) -> App {
        App {
            config,
            sessions: BTreeMap::new(),
            selected: None,
            mode: Mode::List,
            sort: Sort::Activity,
            show: Show::Live,
            filter: String::new(),
            banner: None,
            notice: None,
            sidecars: Default::default(),
            now,
            quit: false,
            plan: None,
            spend: Vec::new(),
            skipped: SkippedLines::default(),
            scroll: 0,
            height: 0,
            filled: Default::default(),
            timeline: false,
            timeline_back: 0,
            panel_rows: 0,
            content: ContentSearch::default(),
            effects: Vec::new(),
        }
    }

    /// The rows of the open overlay.
    pub fn overlay_rows(&self) -> Vec<Row> {
        match self.mode.overlay() {
            Some(Overlay::Keys) => overlay::key_rows(),
            Some(Overlay::Skipped) => overlay::skipped_rows(
                &self.skipped,
                &self.config.roots,
                self.config.home.as_deref(),
            ),
            None => Vec::new(),
        }
    }

    fn scroll_by(&mut self, delta: isize) {
        let max = overlay::max_scroll(self.overlay_rows().len(), self.height);
        self.scroll = self.scroll.saturating_add_signed(delta).min(max);
    }

    /// Whether the zoomed session's turn timeline is shown and takes the
    /// scrolling keys.
    pub fn timeline_shown(&self) -> bool {
        self.mode == Mode::Zoom && self.timeline
    }

    /// How far up the timeline can scroll in its panel.
    fn timeline_max_back(&self) -> usize {
        match &self.filled {
            super::filled::Filled::Ready(v) => {
                super::filled::max_back(v.turn_rows().len(), usize::from(self.panel_rows))
            }
            _ => 0,
        }
    }

    /// Scroll the overlay or the timeline, whichever is showing; `down`
    /// rows towards the end (negative: up).
    fn scroll(&mut self, down: isize) {
        if self.mode.overlay().is_some() {
            self.scroll_by(down);
        } else if self.timeline_shown() {
            let max = self.timeline_max_back();
            self.timeline_back = self
                .timeline_back
                .min(max)
                .saturating_add_signed(down.saturating_neg())
                .min(max);
        }
    }

    /// A screenful of the overlay or the timeline.
    fn page(&self) -> isize {
        let rows = if self.mode.overlay().is_some() {
            overlay::body_height(self.height)
        } else {
            // Less the row that says what is below.
            usize::from(self.panel_rows.saturating_sub(1))
        };
        rows.max(1) as isize
    }

    /// A new state of the "what filled it" panel: a scrolled-up timeline
    /// of the same session moves up by the rows of the new turns, so it
    /// stays on the turns the user was reading; otherwise it starts at
    /// the newest.
    pub fn set_filled(&mut self, filled: super::filled::Filled) {
        use super::filled::Filled::Ready;
        self.timeline_back = match (&self.filled, &filled) {
            (Ready(old), Ready(new)) if old.session == new.session && self.timeline_back > 0 => {
                self.timeline_back + new.rows_newer_than(old)
            }
            _ => 0,
        };
        self.filled = filled;
    }

    fn open(&mut self, overlay: Overlay) {
        let screen = self.screen();
        self.scroll = 0;
        self.mode = match overlay {
            Overlay::Keys => Mode::Help(screen),
            Overlay::Skipped => Mode::Skipped(screen),
        };
    }

    /// The list's rows, in order.
    pub fn rows(&self) -> Vec<&SessionView> {
        sessions::visible(self.sessions.values(), self.query())
    }

    /// The row of the selected session.
    pub fn selected_row(&self, rows: &[&SessionView]) -> Option<usize> {
        if rows.is_empty() {
            return None;
        }
        let chosen = self.selected.as_deref();
        Some(
            rows.iter()
                .position(|s| Some(s.id()) == chosen)
                .unwrap_or(0),
        )
    }

    pub fn selected_session(&self) -> Option<&SessionView> {
        let rows = self.rows();
        self.selected_row(&rows).map(|i| rows[i])
    }

    fn query(&self) -> ListQuery<'_> {
        ListQuery {
            now: self.now,
            idle_timeout_ms: self.config.idle_timeout_ms,
            show: self.show,
            sort: self.sort,
            filter: &self.filter,
            content: &self.content,
        }
    }

    /// No session is live and the list shows the most recent ones instead.
    pub fn showing_recent(&self) -> bool {
        !self.sessions.is_empty() && sessions::showing_recent(self.sessions.values(), self.query())
    }

    pub fn is_live(&self, s: &SessionView) -> bool {
        s.is_live(self.now, self.config.idle_timeout_ms)
    }

    /// Idle sessions the list leaves out.
    pub fn hidden_idle(&self) -> usize {
        match self.show {
            Show::All => 0,
            Show::Live if self.showing_recent() && self.filter.is_empty() => {
                self.sessions.len() - self.rows().len()
            }
            Show::Live => self.sessions.values().filter(|s| !self.is_live(s)).count(),
        }
    }

    /// Milliseconds until the screen needs redrawing by itself.
    pub fn next_tick(&self) -> Option<Millis> {
        sessions::next_tick(&self.rows(), self.now, self.config.idle_timeout_ms)
    }

    pub fn upsert(&mut self, view: SessionView) {
        self.sessions.insert(view.id().to_owned(), view);
    }

    pub fn remove(&mut self, id: &str) {
        self.sessions.remove(id);
        if matches!(&self.banner, Some(Alert::Session(b)) if b.session_id == id) {
            self.banner = None;
        }
    }

    /// A level was crossed: show it, over any older banner.
    pub fn alert(&mut self, alert: impl Into<Alert>) {
        self.banner = Some(alert.into());
    }

    /// Select the n-th row (0-based), if there is one.
    pub fn select_row(&mut self, i: usize) -> bool {
        let id = self.rows().get(i).map(|s| s.id().to_owned());
        let changed = id.is_some() && id != self.selected;
        if id.is_some() {
            self.selected = id;
        }
        changed
    }

    fn step(&mut self, delta: isize, wrap: bool) {
        let rows = self.rows();
        let Some(at) = self.selected_row(&rows) else {
            return;
        };
        let n = rows.len() as isize;
        let to = at as isize + delta;
        let to = if wrap {
            to.rem_euclid(n)
        } else {
            to.clamp(0, n - 1)
        };
        self.select_row(to as usize);
    }

    fn edit_search(&mut self, change: impl FnOnce(&mut String)) {
        self.content.edit(change);
        self.effects.push(Effect::Search {
            query: self.content.query.trim().to_owned(),
            generation: self.content.generation,
        });
    }

    fn screen(&self) -> Screen {
        match self.mode {
            Mode::Zoom | Mode::Help(Screen::Zoom) | Mode::Skipped(Screen::Zoom) => Screen::Zoom,
            _ => Screen::List,
        }
    }

    /// Act on what the user asked; returns whether anything may look different.
    pub fn apply(&mut self, action: Action) -> bool {
        match action {
            Action::Up => self.step(-1, false),
            Action::Down => self.step(1, false),
            Action::Next => self.step(1, true),
            Action::Prev => self.step(-1, true),
            Action::Jump(n) => return n > 0 && self.select_row(usize::from(n) - 1),
            Action::Zoom => {
                self.mode = match self.mode {
                    Mode::Zoom => Mode::List,
                    _ if self.selected_session().is_some() => Mode::Zoom,
                    other => other,
                }
            }
            Action::Back => match self.mode {
                Mode::Zoom => self.mode = Mode::List,
                _ if !self.content.query.is_empty() => self.edit_search(String::clear),
                _ if !self.filter.is_empty() => self.filter.clear(),
                _ => self.quit = true,
            },
            Action::Filter => self.mode = Mode::Filter,
            Action::Sort => self.sort = self.sort.next(),
            Action::ToggleIdle => {
                self.show = match self.show {
                    Show::Live => Show::All,
                    Show::All => Show::Live,
                }
            }
            Action::Help => self.open(Overlay::Keys),
            Action::Skipped => self.open(Overlay::Skipped),
            Action::ScrollUp => self.scroll(-1),
            Action::ScrollDown => self.scroll(1),
            Action::PageUp => self.scroll(-self.page()),
            Action::PageDown => self.scroll(self.page()),
            Action::ScrollTop => self.scroll(isize::MIN),
            Action::ScrollBottom => self.scroll(isize::MAX),
            Action::CloseHelp => {
                self.mode = match self.screen() {
                    Screen::List => Mode::List,
                    Screen::Zoom => Mode::Zoom,
                }
            }
            Action::Quit => self.quit = true,
            Action::Type(c) if self.mode == Mode::Search => self.edit_search(|q| q.push(c)),
            Action::Type(c) => self.filter.push(c),
            Action::Erase if self.mode == Mode::Search => {
                self.edit_search(|q| {
                    q.pop();
                });
            }
            Action::Erase => {
                self.filter.pop();
            }
            Action::Apply => self.mode = Mode::List,
            Action::Clear if self.mode == Mode::Search => {
                self.edit_search(String::clear);
                self.mode = Mode::List;
            }
            Action::Clear => {
                self.filter.clear();
                self.mode = Mode::List;
            }
            Action::Search => self.mode = Mode::Search,
            Action::Resume => {
                let Some(s) = self.selected_session() else {
                    return false;
                };
                let cwd = std::path::Path::new(&s.snap.project)
                    .is_absolute()
                    .then_some(s.snap.project.as_str());
                let command = resume_command(cwd, &s.snap.session_id);
                self.notice = Some(format!("{command}  (copied with OSC 52)"));
                self.effects.push(Effect::Copy(command));
            }
            Action::Acknowledge => self.banner = None,
            Action::Timeline => {
                if self.mode != Mode::Zoom {
                    return false;
                }
                self.timeline = !self.timeline;
                self.timeline_back = 0;
            }
        }
        true
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use crate::tui::sessions::tests::view;

    pub const NOW: Millis = 1_795_000_000_000;
    const MIN: Millis = 60_000;

    pub fn config() -> Config {
        Config {
            thresholds: vec![70, 85, 95],
            idle_timeout_ms: 30 * MIN,
            span_ms: 60 * MIN,
            home: Some("/home/dev".into()),
            roots: vec!["/home/dev/.claude/projects".into()],
            utc_offset_secs: 0,
            theme: Theme { color: true },
            alert_waiting_ms: None,
        }
    }

    fn app() -> App {
        let mut app = App::new(config(), NOW);
        app.upsert(view("aaa", "/home/dev/src/webapp", 40.0, NOW - MIN));
        app.upsert(view("bbb", "/home/dev/src/api", 75.0, NOW - 2 * MIN));
        app.upsert(view("ccc", "/home/dev/src/infra", 20.0, NOW - 3 * MIN));
        app.upsert(view("ddd", "/home/dev/src/old", 90.0, NOW - 300 * MIN));
        app
    }

    fn selected(app: &App) -> &str {
        app.selected_session().map(|s| s.id()).unwrap_or("")
    }

    #[test]
    fn moving_stops_at_the_ends_and_tab_wraps() {
        let mut a = app();
        assert_eq!(selected(&a), "aaa");
        a.apply(Action::Up);
        assert_eq!(selected(&a), "aaa");
        a.apply(Action::Down);
        a.apply(Action::Down);
        a.apply(Action::Down);
        assert_eq!(selected(&a), "ccc");
        a.apply(Action::Next);
        assert_eq!(selected(&a), "aaa");
        a.apply(Action::Prev);
        assert_eq!(selected(&a), "ccc");
        a.apply(Action::Jump(2));
        assert_eq!(selected(&a), "bbb");
        assert!(!a.apply(Action::Jump(9)));
        assert_eq!(selected(&a), "bbb");
    }

    #[test]
    fn the_selection_follows_the_session_when_rows_reorder() {
        let mut a = app();
        a.apply(Action::Jump(2));
        a.apply(Action::Sort); // by context: bbb (75%) comes first
        assert_eq!(selected(&a), "bbb");
        assert_eq!(a.selected_row(&a.rows()), Some(0));
    }

    #[test]
    fn idle_sessions_toggle_and_a_hidden_selection_falls_back() {
        let mut a = app();
        assert_eq!(a.rows().len(), 3);
        assert_eq!(a.hidden_idle(), 1);
        a.apply(Action::ToggleIdle);
        assert_eq!(a.rows().len(), 4);
        a.apply(Action::Jump(4));
        assert_eq!(selected(&a), "ddd");
        a.apply(Action::ToggleIdle);
        assert_eq!(selected(&a), "aaa");
    }

    #[test]
    fn filter_types_keeps_and_clears() {
        let mut a = app();
        a.apply(Action::Filter);
        assert_eq!(a.mode, Mode::Filter);
        for c in "API".chars() {
            a.apply(Action::Type(c));
        }
        assert_eq!(a.rows().len(), 1);
        a.apply(Action::Erase);
        assert_eq!(a.filter, "AP");
        a.apply(Action::Apply);
        assert_eq!((a.mode, a.filter.as_str()), (Mode::List, "AP"));
        // Esc in the list clears a kept filter before it quits.
        a.apply(Action::Back);
        assert_eq!((a.filter.as_str(), a.quit), ("", false));
        a.apply(Action::Back);
        assert!(a.quit);
    }

    #[test]
    fn zoom_and_help_return_where_they_came_from() {
        let mut a = app();
        a.apply(Action::Zoom);
        assert_eq!(a.mode, Mode::Zoom);
        a.apply(Action::Help);
        assert_eq!(a.mode, Mode::Help(Screen::Zoom));
        a.apply(Action::CloseHelp);
        assert_eq!(a.mode, Mode::Zoom);
        a.apply(Action::Back);
        assert_eq!((a.mode, a.quit), (Mode::List, false));
        let mut empty = App::new(config(), NOW);
        empty.apply(Action::Zoom);
        assert_eq!(empty.mode, Mode::List);
    }

    #[test]
    fn a_banner_goes_on_acknowledge_or_when_its_session_does() {
        let mut a = app();
        let banner = Banner {
            session_id: "bbb".into(),
            project: "/home/dev/src/api".into(),
            crossing: Crossing {
                level: 70,
                percent: 75.0,
                tokens: 150_000,
                window: 200_000,
                kind: crate::alerts::CrossingKind::Percent,
            },
        };
        a.alert(banner.clone());
        a.apply(Action::Acknowledge);
        assert_eq!(a.banner, None);
        a.alert(banner);
        a.remove("bbb");
        assert_eq!(a.banner, None);
    }

    #[test]
    fn search_mode_narrows_to_what_the_background_search_finds() {
        use crate::tui::content_search::SearchMsg;
        let mut a = app();
        a.apply(Action::Search);
        assert_eq!(a.mode, Mode::Search);
        a.apply(Action::Type('f'));
        a.apply(Action::Type('x'));
        a.apply(Action::Erase);
        let generation = a.content.generation;
        assert_eq!(
            a.effects.last(),
            Some(&Effect::Search {
                query: "f".into(),
                generation
            })
        );
        // Nothing found yet: nothing shown; hits stream in one by one.
        assert!(a.rows().is_empty());
        a.content.receive(SearchMsg::Hit {
            generation,
            session_id: "bbb".into(),
        });
        assert_eq!(a.rows().len(), 1);
        assert_eq!(selected(&a), "bbb");
        // Enter keeps the search in the list; Esc there clears it first.
        a.apply(Action::Apply);
        assert_eq!((a.mode, a.rows().len()), (Mode::List, 1));
        a.apply(Action::Back);
        assert_eq!(
            (a.quit, a.rows().len(), a.content.query.as_str()),
            (false, 3, "")
        );
        assert_eq!(
            a.effects.last(),
            Some(&Effect::Search {
                query: String::new(),
                generation: a.content.generation
            })
        );
    }

    /// A zoomed app showing the timeline of `n` turns (no compaction) in
    /// a panel of 10 rows.
    fn timeline(n: usize) -> App {
        let mut a = app();
        a.apply(Action::Zoom);
        a.apply(Action::Timeline);
        a.panel_rows = 10;
        a.set_filled(super::super::filled::Filled::Ready(turns("aaa", n)));
        a
    }

    fn turns(session: &str, n: usize) -> super::super::filled::FilledView {
        super::super::filled::FilledView {
            session: session.to_owned(),
            occupancy: None,
            categories: Vec::new(),
            dropped: 0,
            top: Vec::new(),
            compacted: false,
            flags: Vec::new(),
            turns_left_out: 0,
            turns: (0..n)
                .map(|i| super::super::filled::TurnLine {
                    at: NOW + i as Millis,
                    occupancy: 1_000 * i as u64,
                    delta: Some(1_000),
                    compaction: None,
                    top: None,
                })
                .collect(),
        }
    }

    /// Issue 16: the timeline scrolls by row and page, no further than its
    /// oldest row at the top (the last row says what is newer), and Home
    /// and End go to either end.
    #[test]
    fn the_timeline_scrolls_within_its_bounds() {
        let mut a = timeline(30);
        a.apply(Action::ScrollDown);
        assert_eq!(a.timeline_back, 0, "already at the newest");
        a.apply(Action::ScrollUp);
        a.apply(Action::ScrollUp);
        assert_eq!(a.timeline_back, 2);
        a.apply(Action::PageUp);
        assert_eq!(a.timeline_back, 11, "a page is the panel less the mark");
        a.apply(Action::PageUp);
        a.apply(Action::PageUp);
        // 30 rows, 9 of them above the mark at the top.
        assert_eq!(a.timeline_back, 21);
        a.apply(Action::ScrollUp);
        assert_eq!(a.timeline_back, 21);
        a.apply(Action::PageDown);
        assert_eq!(a.timeline_back, 12);
        a.apply(Action::ScrollBottom);
        assert_eq!(a.timeline_back, 0);
        a.apply(Action::ScrollTop);
        assert_eq!(a.timeline_back, 21);
        // What fits does not scroll.
        let mut short = timeline(10);
        short.apply(Action::ScrollUp);
        short.apply(Action::ScrollTop);
        assert_eq!(short.timeline_back, 0);
    }

    /// Issue 16: at the bottom the timeline follows new turns; scrolled up
    /// it stays on the turns it shows; a new session starts at the bottom.
    #[test]
    fn the_timeline_follows_at_the_bottom_and_stays_put_when_scrolled_up() {
        use super::super::filled::{Filled, turn_window};
        let mut a = timeline(30);
        a.set_filled(Filled::Ready(turns("aaa", 33)));
        assert_eq!(a.timeline_back, 0, "following");
        a.apply(Action::PageUp);
        let shown = |a: &App| {
            let Filled::Ready(v) = &a.filled else {
                return 0..0;
            };
            let w = turn_window(v.turn_rows().len(), 10, a.timeline_back);
            w.start..w.end
        };
        let before = shown(&a);
        // Two more turns, one after a compaction: three more rows.
        let mut grown = turns("aaa", 35);
        grown.turns[33].compaction = Some(Some(150_000));
        a.set_filled(Filled::Ready(grown.clone()));
        assert_eq!(a.timeline_back, 9 + 3);
        assert_eq!(shown(&a), before, "the same turns stay on screen");
        // Past the kept turns, the oldest go and the view still stays.
        let mut capped = grown.clone();
        capped.turns.remove(0);
        capped.turns_left_out = 1;
        capped.turns.push(grown.turns[34].clone());
        a.set_filled(Filled::Ready(capped));
        assert_eq!(a.timeline_back, 13);
        // Another session, or the timeline opened again: the newest.
        a.set_filled(Filled::Ready(turns("bbb", 40)));
        assert_eq!(a.timeline_back, 0);
        a.apply(Action::ScrollUp);
        a.apply(Action::Timeline);
        a.apply(Action::Timeline);
        assert_eq!(a.timeline_back, 0);
    }

    /// Issue 16: with the summary shown (or outside the zoom) the
    /// scrolling actions leave the timeline alone.
    #[test]
    fn the_timeline_scrolls_only_while_it_shows() {
        let mut a = timeline(30);
        a.apply(Action::Timeline);
        a.apply(Action::ScrollUp);
        assert_eq!(a.timeline_back, 0);
        a.apply(Action::Timeline);
        a.apply(Action::Help);
        a.apply(Action::ScrollDown);
        assert_eq!((a.timeline_back, a.scroll), (0, 1), "the help scrolls");
    }

    #[test]
    fn r_shows_and_copies_the_selected_sessions_resume_command() {
        let mut a = app();
        a.apply(Action::Jump(2));
        let id = selected(&a).to_owned();
        let project = a
            .selected_session()
            .map(|s| s.snap.project.clone())
            .unwrap();
        a.apply(Action::Resume);
        let command = format!("cd '{project}' && claude --resume {id}");
        assert_eq!(a.effects, [Effect::Copy(command.clone())]);
        assert!(a.notice.as_deref().is_some_and(|n| n.starts_with(&command)));
        // With nothing to resume, nothing happens.
        let mut empty = App::new(config(), NOW);
        assert!(!empty.apply(Action::Resume));
        assert!(empty.effects.is_empty());
    }
}
