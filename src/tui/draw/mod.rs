//! Drawing: pure functions from `&App` into a `Frame`. Nothing here changes
//! state or reads the clock; what the screen shows at an instant is decided
//! entirely by the `App` (including its `now`).
//!
//! `layout` is public because mouse clicks are mapped back to rows with the
//! very same geometry the list was drawn with.

mod agents;
mod banner;
mod context_gauge;
mod detail;
mod filled;
mod list;
pub mod mark;
mod overlay;
mod plan;
mod status;
mod telemetry;
mod text;

use super::app::{App, Mode, Screen};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};

/// From this width on, the list and the detail sit side by side.
const WIDE: u16 = 100;
/// Rows the detail keeps when the list is stacked above it.
const DETAIL_MIN: u16 = 10;

/// Where each part of the screen goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Areas {
    pub banner: Rect,
    pub list: Rect,
    pub detail: Rect,
    pub status: Rect,
    pub footer: Rect,
}

pub fn layout(area: Rect, app: &App) -> Areas {
    let banner_h = if app.banner.is_some() {
        banner::height(area.width)
    } else {
        0
    };
    let [banner, main, status, footer] = Layout::vertical([
        Constraint::Length(banner_h),
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let rows = app.rows().len() as u16;
    let zoomed = matches!(
        app.mode,
        Mode::Zoom | Mode::Help(Screen::Zoom) | Mode::Skipped(Screen::Zoom)
    );
    let (list, detail) = if zoomed && rows > 0 {
        (Rect::default(), main)
    } else if rows == 0 {
        (main, Rect::default())
    } else if main.width >= WIDE {
        let w = (main.width / 2).clamp(40, 64);
        let [l, d] = Layout::horizontal([Constraint::Length(w), Constraint::Fill(1)]).areas(main);
        (
            l,
            Rect {
                x: d.x + 1,
                width: d.width.saturating_sub(1),
                ..d
            },
        )
    } else {
        let room = main
            .height
            .saturating_sub(DETAIL_MIN)
            .max(main.height.min(3));
        let h = (rows + 1).min(room);
        let [l, d] = Layout::vertical([Constraint::Length(h), Constraint::Fill(1)]).areas(main);
        (l, d)
    };
    Areas {
        banner,
        list,
        detail,
        status,
        footer,
    }
}

/// The whole screen.
pub fn draw(f: &mut Frame, app: &App) {
    let areas = layout(f.area(), app);
    if let Some(b) = &app.banner {
        banner::draw(f, areas.banner, app, b);
    }
    if !areas.list.is_empty() {
        list::draw(f, areas.list, app);
    }
    if !areas.detail.is_empty()
        && let Some(s) = app.selected_session()
    {
        let (detail_area, panel) = filled_split(areas.detail, app);
        // Zoomed, the session's state and agent tree take the bottom.
        let zoomed = matches!(app.mode, Mode::Zoom | Mode::Help(Screen::Zoom));
        let want = if zoomed { agents::wanted_height(s) } else { 0 };
        let room = want.min(detail_area.height / 2);
        if room >= 2 {
            let [top, bottom] = Layout::vertical([Constraint::Fill(1), Constraint::Length(room)])
                .areas(detail_area);
            detail::draw(f, top, app, s);
            agents::draw(f, bottom, app, s);
        } else {
            detail::draw(f, detail_area, app, s);
        }
        if !panel.is_empty() {
            filled::draw(
                f,
                panel,
                app.config.theme,
                &app.filled,
                app.timeline.then_some(app.timeline_back),
                app.config.utc_offset_secs,
            );
        }
    }
    status::draw_status(f, areas.status, app);
    status::draw_footer(f, areas.footer, app);
    if let Some(which) = app.mode.overlay() {
        overlay::draw(f, f.area(), app, which);
    }
}

/// Rows the "what filled it" panel needs to be worth showing.
const FILLED_MIN: u16 = 8;

/// In the zoom view, the detail and the "what filled it" panel: side by
/// side when wide, stacked (the panel below) when tall enough.
fn filled_split(detail: Rect, app: &App) -> (Rect, Rect) {
    let zoomed = matches!(app.mode, Mode::Zoom | Mode::Help(Screen::Zoom));
    if !zoomed || app.filled == super::filled::Filled::None {
        return (detail, Rect::default());
    }
    if detail.width >= WIDE {
        let w = (detail.width / 2).min(64);
        let [d, _gap, p] = Layout::horizontal([
            Constraint::Fill(1),
            Constraint::Length(1),
            Constraint::Length(w),
        ])
        .areas(detail);
        return (d, p);
    }
    if detail.height < 2 * FILLED_MIN {
        return (detail, Rect::default());
    }
    let [d, p] = Layout::vertical([Constraint::Fill(1), Constraint::Length(detail.height / 2)])
        .areas(detail);
    (d, p)
}

/// The turn timeline's rows (the panel less its title), for the state
/// to page and clamp with the geometry it is drawn with.
pub fn timeline_rows(area: Rect, app: &App) -> u16 {
    let panel = filled_split(layout(area, app).detail, app).1;
    panel.height.saturating_sub(1)
}

/// The row of the list at a screen position, for mouse clicks.
pub fn row_at(area: Rect, app: &App, column: u16, row: u16) -> Option<usize> {
    if app.mode != Mode::List {
        return None;
    }
    let list = layout(area, app).list;
    list::row_at(list, app, column, row)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::app::tests::{NOW, config};
    use crate::tui::sessions::tests::view;

    fn app(n: usize) -> App {
        let mut app = App::new(config(), NOW);
        for i in 0..n {
            let id = format!("{i:08}-0000");
            app.upsert(view(&id, "/p", 10.0, NOW - i as i64 * 1000));
        }
        app
    }

    #[test]
    fn narrow_screens_stack_and_wide_ones_sit_side_by_side() {
        let a = app(6);
        let narrow = layout(Rect::new(0, 0, 40, 20), &a);
        assert_eq!(narrow.list, Rect::new(0, 0, 40, 7));
        assert_eq!(narrow.detail, Rect::new(0, 7, 40, 11));
        let wide = layout(Rect::new(0, 0, 120, 40), &a);
        assert_eq!(wide.list.height, 38);
        assert_eq!(wide.list.width + wide.detail.width + 1, 120);
    }

    #[test]
    fn clicks_map_to_rows_even_when_the_list_is_scrolled() {
        let mut a = app(20);
        let area = Rect::new(0, 0, 40, 20);
        // The list shows rows 0..7 below its title line.
        assert_eq!(row_at(area, &a, 5, 1), Some(0));
        assert_eq!(row_at(area, &a, 5, 7), Some(6));
        assert_eq!(row_at(area, &a, 5, 0), None);
        a.apply(crate::tui::action::Action::Jump(9));
        // Row 8 selected: scrolled by two.
        assert_eq!(row_at(area, &a, 5, 1), Some(2));
    }
}
