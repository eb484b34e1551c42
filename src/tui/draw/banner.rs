//! The alert banner: which session crossed which level (or which plan limit
//! or budget did), across the top in the level's colour until a key is
//! pressed or a newer alert replaces it.

use super::text::clock;
use crate::alerts::CrossingKind;
use crate::alerts::limits::LimitCrossing;
use crate::format;
use crate::tui::app::{Alert, App, Banner};
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

/// What happened, and the figures behind it.
fn session_text(b: &Banner) -> (String, String) {
    let c = &b.crossing;
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
    match c.kind {
        CrossingKind::Percent => (format!("{who} passed {}%", c.level), numbers),
        CrossingKind::AutoCompact { at } => (
            format!(
                "{who} is {} from auto-compact",
                format::tokens(at.saturating_sub(c.tokens))
            ),
            format!("{numbers} · compacts at {}", format::tokens(at)),
        ),
    }
}

fn limit_text(l: &LimitCrossing, app: &App) -> (String, String) {
    let r = &l.reading;
    let what = format!("Your {} passed {}%", r.kind.label(), l.level);
    let numbers = match r.spend {
        Some((spent, budget)) => format!("{} of {}", format::usd(spent), format::usd(budget)),
        None => format!("{:.0}% used", r.percent),
    };
    let numbers = match r.resets_at {
        Some(at) => format!(
            "{numbers} · resets {}",
            clock(at, app.now, app.config.utc_offset_secs)
        ),
        None => numbers,
    };
    (what, numbers)
}

pub fn draw(f: &mut Frame, area: Rect, app: &App, alert: &Alert) {
    let band = Band::of(f64::from(alert.rank()), &app.config.thresholds);
    let (what, numbers) = match alert {
        Alert::Session(b) => session_text(b),
        Alert::Limit(l) => limit_text(l, app),
    };
    let lines = if height(area.width) == 1 {
        vec![Line::raw(format!(
            " ⚠ {what}: {numbers} · any key dismisses"
        ))]
    } else {
        vec![
            Line::raw(format!(" ⚠ {what}")),
            Line::raw(format!("   {numbers} · any key")),
        ]
    };
    let style = app.config.theme.banner(band);
    f.render_widget(Paragraph::new(lines).style(style), area);
}
