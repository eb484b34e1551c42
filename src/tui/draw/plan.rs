//! The plan's usage in the status line: `5h ▰▰▱▱ 42% ↻14:00 · 7d 12% ↻Mon
//! 09:00`, from the newest status-line hint. Nothing without one.

use super::text::{clock, width};
use crate::hints::rate::{PlanLimits, PlanWindow};
use crate::tui::app::App;
use crate::tui::theme::Band;
use ratatui::text::Span;

const BAR: usize = 5;

fn small_bar(ratio: f64) -> String {
    let filled = (ratio.clamp(0.0, 1.0) * BAR as f64).round() as usize;
    format!("{}{}", "▰".repeat(filled), "▱".repeat(BAR - filled))
}

fn one(label: &str, w: &PlanWindow, app: &App, with_bar: bool, with_reset: bool) -> String {
    let mut s = format!("{label} ");
    if with_bar {
        s.push_str(&small_bar(w.ratio));
        s.push(' ');
    }
    s.push_str(&format!("{:.0}%", w.ratio * 100.0));
    if with_reset && let Some(r) = w.resets_at {
        s.push_str(&format!(
            " ↻{}",
            clock(r, app.now, app.config.utc_offset_secs)
        ));
    }
    s
}

/// The plan's windows as one piece of text fitting in `room` columns, with
/// the band of the fuller window; `None` without limits or room.
pub fn plan_text(limits: Option<&PlanLimits>, app: &App, room: usize) -> Option<(String, Band)> {
    let l = limits?;
    let windows = [("5h", l.five_hour), ("7d", l.seven_day)];
    let worst = windows
        .iter()
        .filter_map(|(_, w)| w.map(|w| w.ratio * 100.0))
        .fold(0.0, f64::max);
    let band = Band::of(worst, &app.config.thresholds);
    for (with_bar, with_reset) in [(true, true), (false, true), (false, false)] {
        let text = windows
            .iter()
            .filter_map(|(k, w)| w.as_ref().map(|w| one(k, w, app, with_bar, with_reset)))
            .collect::<Vec<_>>()
            .join(" · ");
        if width(&text) <= room {
            return Some((text, band));
        }
    }
    None
}

/// The span to draw, styled by band.
pub fn plan_span(app: &App, room: usize) -> Option<Span<'static>> {
    let (text, band) = plan_text(app.plan.as_ref(), app, room)?;
    Some(Span::styled(text, app.config.theme.band(band)))
}
