//! The plan's usage and the cost budgets in the status line: `5h ▰▰▱▱ 42%
//! ↻14:00 · 7d 12% ↻Mon 09:00 · day ▰▰▰▰▱ $16.00/$20.00`. The plan's
//! windows come from the newest status-line hint (nothing without one),
//! Codex's (`cx 5h`, `cx wk`) from the Codex session that reported them
//! last, the budgets from the config (nothing without them).

use super::text::{clock, width};
use crate::budget::Spend;
use crate::hints::rate::{PlanLimits, PlanWindow};
use crate::tui::app::App;
use crate::tui::theme::Band;
use ratatui::text::Span;

const BAR: usize = 5;

/// How much of a piece is said: everything, no bar, the bare figure.
#[derive(Debug, Clone, Copy)]
enum Detail {
    Full,
    NoBar,
    Bare,
}

fn small_bar(ratio: f64) -> String {
    let filled = (ratio.clamp(0.0, 1.0) * BAR as f64).round() as usize;
    format!("{}{}", "▰".repeat(filled), "▱".repeat(BAR - filled))
}

fn window_piece(label: &str, w: &PlanWindow, app: &App, detail: Detail) -> String {
    let mut s = format!("{label} ");
    if let Detail::Full = detail {
        s.push_str(&small_bar(w.ratio));
        s.push(' ');
    }
    s.push_str(&format!("{:.0}%", w.ratio * 100.0));
    if !matches!(detail, Detail::Bare)
        && let Some(r) = w.resets_at
    {
        s.push_str(&format!(
            " ↻{}",
            clock(r, app.now, app.config.utc_offset_secs)
        ));
    }
    s
}

fn budget_piece(s: &Spend, detail: Detail) -> String {
    let label = s.period.short();
    let money = |v: f64| crate::format::usd(v);
    match detail {
        Detail::Full => format!(
            "{label} {} {}/{}",
            small_bar(s.ratio),
            money(s.spent_usd),
            money(s.budget_usd)
        ),
        Detail::NoBar => format!("{label} {}/{}", money(s.spent_usd), money(s.budget_usd)),
        Detail::Bare => format!("{label} {:.0}%", s.ratio * 100.0),
    }
}

/// The plan's windows and the budgets as one piece of text fitting in
/// `room` columns, with the band of the fullest; `None` without any, or
/// without room.
pub fn plan_text(
    limits: Option<&PlanLimits>,
    codex: Option<&crate::agent::RateLimits>,
    spend: &[Spend],
    app: &App,
    room: usize,
) -> Option<(String, Band)> {
    // A window whose reset time has passed says nothing of now.
    let codex_window = |w: Option<crate::agent::RateWindow>| {
        w.map(|w| PlanWindow {
            ratio: w.used_percent / 100.0,
            resets_at: w.resets_at.map(|s| s * 1000),
        })
        .filter(|w| w.resets_at.is_none_or(|at| at > app.now))
    };
    let windows: Vec<(&str, PlanWindow)> = limits
        .map(|l| [("5h", l.five_hour), ("7d", l.seven_day)])
        .into_iter()
        .flatten()
        .chain(
            codex
                .map(|c| {
                    [
                        ("cx 5h", codex_window(c.primary)),
                        ("cx wk", codex_window(c.secondary)),
                    ]
                })
                .into_iter()
                .flatten(),
        )
        .filter_map(|(k, w)| w.map(|w| (k, w)))
        .collect();
    if windows.is_empty() && spend.is_empty() {
        return None;
    }
    let worst = windows
        .iter()
        .map(|(_, w)| w.ratio)
        .chain(spend.iter().map(|s| s.ratio))
        .fold(0.0, f64::max);
    let band = Band::of(worst * 100.0, &app.config.thresholds);
    for detail in [Detail::Full, Detail::NoBar, Detail::Bare] {
        let text = windows
            .iter()
            .map(|(k, w)| window_piece(k, w, app, detail))
            .chain(spend.iter().map(|s| budget_piece(s, detail)))
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
    // Codex's windows as its most recently active session reported them.
    let codex = app
        .sessions
        .values()
        .filter_map(|s| Some((s.snap.last_activity, s.snap.rate_limits.as_ref()?)))
        .max_by_key(|(at, _)| *at)
        .map(|(_, r)| r);
    let (text, band) = plan_text(app.plan.as_ref(), codex, &app.spend, app, room)?;
    Some(Span::styled(text, app.config.theme.band(band)))
}
