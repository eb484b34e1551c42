//! The two bottom lines: a status line (what is being watched, notices,
//! sort and filter, or the filter being typed) and the key footer built
//! from the key table.

use super::text::{cut, width};
use crate::tui::action::Action;
use crate::tui::app::{App, Mode};
use crate::tui::keys;
use crate::tui::sessions::{Show, Sort};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn draw_status(f: &mut Frame, area: Rect, app: &App) {
    let theme = app.config.theme;
    if matches!(app.mode, Mode::Filter | Mode::Search) {
        let matches = app.rows().len();
        let (typed, searching) = match app.mode {
            Mode::Search => (
                format!("find: {}", app.content.query),
                if app.content.done {
                    ""
                } else {
                    " (searching…)"
                },
            ),
            _ => (format!("/{}", app.filter), ""),
        };
        let line = Line::from(vec![
            Span::styled(typed.clone(), theme.title()),
            Span::styled(
                format!(
                    "  {}{searching}",
                    crate::format::count(matches as u64, "match", "matches")
                ),
                theme.dim(),
            ),
        ]);
        f.render_widget(Paragraph::new(line), area);
        let x = area.x + (width(&typed) as u16).min(area.width.saturating_sub(1));
        f.set_cursor_position(Position::new(x, area.y));
        return;
    }
    let mut right = Vec::new();
    let skipped = app.skipped.total();
    if skipped > 0 {
        right.push(format!(
            "{} (!)",
            crate::format::count(skipped, "line skipped", "lines skipped")
        ));
    }
    if app.sort != Sort::Activity {
        right.push(format!("by {}", app.sort.name()));
    }
    if !app.filter.is_empty() {
        right.push(format!("/{}", app.filter));
    }
    if !app.content.query.is_empty() {
        right.push(format!("find: {}", app.content.query));
    }
    let right = right.join(" · ");
    // The plan's limits take what the left half leaves.
    let plan_room = (area.width as usize / 2).saturating_sub(width(&right) + 3);
    let plan = super::plan::plan_span(app, plan_room);
    let sep = if right.is_empty() { 0 } else { 3 };
    let right_w = width(&right) + plan.as_ref().map_or(0, |p| width(&p.content) + sep);
    let room = (area.width as usize).saturating_sub(right_w + 1);
    let left = match &app.notice {
        Some(n) => Span::styled(cut(n, room), theme.notice()),
        None => Span::styled(cut(&summary(app), room), theme.dim()),
    };
    let gap = (area.width as usize).saturating_sub(width(&left.content) + right_w);
    let mut spans = vec![left, Span::raw(" ".repeat(gap))];
    if let Some(p) = plan {
        spans.push(p);
        if sep > 0 {
            spans.push(Span::styled(" · ", theme.dim()));
        }
    }
    spans.push(Span::styled(right, theme.title()));
    let line = Line::from(spans);
    f.render_widget(Paragraph::new(line), area);
}

/// How many sessions, live and idle.
fn summary(app: &App) -> String {
    if app.sessions.is_empty() {
        return "no sessions yet".to_owned();
    }
    let live = app.sessions.values().filter(|s| app.is_live(s)).count();
    let idle = app.sessions.len() - live;
    if app.showing_recent() {
        let hidden = app.hidden_idle();
        let shown = app.sessions.len() - hidden;
        let more = if hidden > 0 {
            format!(" · {hidden} older (a)")
        } else {
            String::new()
        };
        return format!("none live · {shown} most recent shown{more}");
    }
    match (app.show, idle) {
        (_, 0) => format!("{live} live"),
        (Show::Live, _) => format!("{live} live · {idle} idle hidden (a)"),
        (Show::All, _) => format!("{live} live · {idle} idle"),
    }
}

/// The keys of the current mode, in table order; help and quit always make
/// it in, the others while there is room.
pub fn draw_footer(f: &mut Frame, area: Rect, app: &App) {
    let theme = app.config.theme;
    let entries = keys::footer(keys::Focus {
        mode: app.mode,
        timeline: app.timeline,
    });
    let cost = |t: &str| width(t) + 1;
    let mut room = area.width as usize;
    let mut keep = vec![false; entries.len()];
    let essential = |a: &Action| matches!(a, Action::Help | Action::Quit);
    for first in [true, false] {
        for (i, (action, text)) in entries.iter().enumerate() {
            if essential(action) == first && cost(text) <= room {
                room -= cost(text);
                keep[i] = true;
            }
        }
    }
    let mut spans = Vec::new();
    for ((_, text), _) in entries.iter().zip(keep).filter(|(_, k)| *k) {
        let (key, what) = text.split_once(' ').unwrap_or((text, ""));
        spans.push(Span::styled(format!(" {key}"), theme.key()));
        spans.push(Span::styled(format!(" {what}"), theme.dim()));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
