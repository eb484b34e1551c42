//! The `?` overlay: every key, straight from the key table.

use crate::tui::app::App;
use crate::tui::keys;
use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

pub fn draw(f: &mut Frame, area: Rect, app: &App) {
    let theme = app.config.theme;
    let mut lines = Vec::new();
    let groups = keys::help();
    let roomy = area.height as usize >= groups.iter().map(|g| g.1.len() + 2).sum::<usize>() + 2;
    for (i, (heading, rows)) in groups.into_iter().enumerate() {
        // The first group needs no heading when room is short: the
        // title says what the keys are for.
        if i > 0 && roomy {
            lines.push(Line::raw(""));
        }
        if i > 0 || roomy {
            lines.push(Line::styled(heading, theme.title()));
        }
        for (label, help) in rows {
            lines.push(Line::from(vec![
                Span::styled(format!(" {label:<7}"), theme.key()),
                Span::raw(help),
            ]));
        }
    }
    if roomy {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            "A mouse click on a row selects it.",
            theme.dim(),
        ));
        lines.push(Line::styled(super::mark::LEGEND.to_owned(), theme.dim()));
    }
    let width = lines.iter().map(Line::width).max().unwrap_or(0) as u16 + 2;
    let height = lines.len() as u16 + 2;
    let [popup] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(popup);
    let block = Block::new()
        .borders(Borders::ALL)
        .title(Span::styled(" Keys ", theme.title()))
        .title_bottom(Line::from(" any key closes ").right_aligned());
    f.render_widget(Clear, popup);
    f.render_widget(Paragraph::new(lines).block(block), popup);
}
