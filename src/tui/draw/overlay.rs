//! The overlays (`?` keys, `!` skipped lines) drawn over the screen: a
//! centred box of their rows, scrolled by the state's offset when the
//! screen is too short to hold them.

use crate::tui::app::App;
use crate::tui::overlay::{self, Overlay, Row};
use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

pub fn draw(f: &mut Frame, area: Rect, app: &App, which: Overlay) {
    let theme = app.config.theme;
    let rows = app.overlay_rows();
    let area_width = usize::from(area.width);
    let key_width = rows
        .iter()
        .filter_map(|r| match r {
            Row::Entry(key, _) => Some(super::text::width(key)),
            _ => None,
        })
        .max()
        .unwrap_or(0)
        .max(6)
        .min(area_width / 3);
    let lines: Vec<Line> = rows
        .iter()
        .map(|r| match r {
            Row::Heading(h) => Line::styled(h.clone(), theme.title()),
            Row::Entry(key, what) => {
                let pad = key_width - super::text::width(key);
                let key = match which {
                    // Counts line up on the right, key names on the left.
                    Overlay::Skipped => format!(" {}{key} ", " ".repeat(pad)),
                    Overlay::Keys => format!(" {key}{} ", " ".repeat(pad)),
                };
                // Paths lose their middle rather than their file name.
                let room = area_width.saturating_sub(key_width + 4);
                let what = match which {
                    Overlay::Skipped => super::text::cut_middle(what, room),
                    Overlay::Keys => what.clone(),
                };
                Line::from(vec![Span::styled(key, theme.key()), Span::raw(what)])
            }
            Row::Blank => Line::raw(""),
            Row::Note(n) => Line::styled(n.clone(), theme.dim()),
        })
        .collect();
    let body = overlay::body_height(area.height);
    let scroll = app
        .scroll
        .min(overlay::max_scroll(lines.len(), area.height));
    let scrolls = lines.len() > body;
    let width = lines.iter().map(Line::width).max().unwrap_or(0) as u16 + 2;
    let height = lines.len() as u16 + 2;
    let [popup] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(popup);
    let mut block = Block::new()
        .borders(Borders::ALL)
        .title(Span::styled(which.title(), theme.title()));
    if scrolls {
        // Where the view is, and how to move it.
        let last = (scroll + body).min(lines.len());
        block = block
            .title(Line::from(format!(" {}-{last}/{} ", scroll + 1, lines.len())).right_aligned())
            .title_bottom(Line::from(" ↑↓ scroll · any key closes ").right_aligned());
    } else {
        block = block.title_bottom(Line::from(" any key closes ").right_aligned());
    }
    let visible: Vec<Line> = lines.into_iter().skip(scroll).take(body).collect();
    f.render_widget(Clear, popup);
    f.render_widget(Paragraph::new(visible).block(block), popup);
}
