//! The alert banner: which session crossed which level, across the top in
//! the level's colour until a key is pressed or a newer alert replaces it.

use crate::format;
use crate::tui::app::{App, Banner};
use crate::tui::theme::Band;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

/// From this width on the banner fits on one line.
const ONE_LINE: u16 = 80;

pub fn height(width: u16) -> u16 {
    if width >= ONE_LINE { 1 } else { 2 }
}

pub fn draw(f: &mut Frame, area: Rect, app: &App, b: &Banner) {
    let c = &b.crossing;
    let band = Band::of(f64::from(c.level), &app.config.thresholds);
    let who = format!(
        "{} {}",
        format::project_name(&b.project),
        format::short_id(&b.session_id)
    );
    let numbers = format!(
        "{:.1}% · {} / {}",
        c.percent,
        format::tokens(c.tokens),
        format::tokens(c.window)
    );
    let lines = if height(area.width) == 1 {
        vec![Line::raw(format!(
            " ⚠ {who} passed {}%: {numbers} · any key dismisses",
            c.level
        ))]
    } else {
        vec![
            Line::raw(format!(" ⚠ {who} passed {}%", c.level)),
            Line::raw(format!("   {numbers} · any key")),
        ]
    };
    let style = app.config.theme.banner(band);
    f.render_widget(Paragraph::new(lines).style(style), area);
}
