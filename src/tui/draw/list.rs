//! The session list: one row per session with its state mark, project,
//! short id, title (when wide enough), model, a mini gauge, the percentage
//! and the age (for a session waiting for the person, how long it has
//! waited); idle rows dimmed.

use super::mark;
use super::text::{bar, cut, cut_middle, fit, right};
use crate::format;
use crate::tui::app::App;
use crate::tui::sessions::{SessionView, Show};
use crate::tui::theme::Band;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

/// Column widths for a list `w` cells wide.
struct Columns {
    project: usize,
    /// With its leading space; 0 when the list is too narrow for titles.
    title: usize,
    model: usize,
    gauge: usize,
}

/// Marker, state mark, " id", " 100.0%" and " 12d" take this much
/// whatever the width.
const FIXED: usize = 2 + 2 + 9 + 7 + 5;

impl Columns {
    /// `titles`: some session has one. A title says more than the model,
    /// so it takes the model's room and some of the project's first, and
    /// leaves the gauge 10 cells; a list too narrow for that has none.
    fn for_width(w: usize, titles: bool) -> Columns {
        let rest = w.saturating_sub(FIXED);
        if titles {
            let model = if rest >= 80 { 12 } else { 0 };
            let project = ((rest - model) * 2 / 5).clamp(6, 22).min(rest);
            let free = rest.saturating_sub(model + project + 1);
            if free >= 20 {
                let title = (free - 10).min(41);
                return Columns {
                    project,
                    title,
                    model,
                    gauge: free - title,
                };
            }
        }
        let model = if rest >= 34 { 12 } else { 0 };
        let project = ((rest - model) * 3 / 5).clamp(6, 22).min(rest);
        let gauge = rest.saturating_sub(model + project + 1);
        let title = 0;
        Columns {
            project,
            title,
            model,
            gauge,
        }
    }
}

/// The first row shown, so that the selection is always on screen.
fn offset(selected: Option<usize>, height: usize) -> usize {
    selected.map_or(0, |s| (s + 1).saturating_sub(height))
}

fn inner(area: Rect) -> Rect {
    Block::new().borders(Borders::TOP).inner(area)
}

pub fn draw(f: &mut Frame, area: Rect, app: &App) {
    let rows = app.rows();
    let theme = app.config.theme;
    let title = match app.show {
        Show::Live if app.showing_recent() => {
            format!(" None live · recent sessions ({}) ", rows.len())
        }
        Show::Live => format!(" Live sessions ({}) ", rows.len()),
        Show::All => format!(" All sessions ({}) ", rows.len()),
    };
    let block = Block::new()
        .borders(Borders::TOP)
        .border_style(theme.dim())
        .title(Span::styled(title, theme.title()));
    let body = inner(area);
    f.render_widget(block, area);
    if rows.is_empty() {
        let text = Paragraph::new(empty_text(app)).wrap(Wrap { trim: true });
        f.render_widget(text, body);
        return;
    }
    let titles = rows.iter().any(|s| s.snap.title.is_some());
    let cols = Columns::for_width(body.width as usize, titles);
    let selected = app.selected_row(&rows);
    let skip = offset(selected, body.height as usize);
    let lines: Vec<Line> = rows
        .iter()
        .enumerate()
        .skip(skip)
        .take(body.height as usize)
        .map(|(i, s)| row(app, s, &cols, Some(i) == selected))
        .collect();
    f.render_widget(Paragraph::new(lines), body);
}

fn row<'a>(app: &App, s: &SessionView, cols: &Columns, selected: bool) -> Line<'a> {
    let theme = app.config.theme;
    let mut spans = vec![Span::raw(if selected { "▸ " } else { "  " })];
    let state = s.state().map(|st| st.state);
    spans.push(Span::styled(
        mark::glyph(state),
        mark::style(theme, state).patch(if selected {
            theme.selected()
        } else {
            Style::new()
        }),
    ));
    spans.push(Span::raw(" "));
    // A label with a folder in it (`repo/.worktrees/12`) loses its middle,
    // not its end: the end is what tells worktrees apart.
    let project = format::project_name(&s.snap.project);
    let project = if project.contains('/') {
        cut_middle(project, cols.project)
    } else {
        project.to_owned()
    };
    spans.push(Span::raw(fit(&project, cols.project)));
    // Another agent's session is marked in the id's room: `cx 4a5b…`
    // (the end of a Codex id, see `Agent::short_id`).
    let id = s.snap.agent.short_id(&s.snap.session_id);
    let id = match s.snap.agent.mark() {
        Some(_) => format!("cx {}", id.get(id.len().saturating_sub(5)..).unwrap_or(id)),
        None => id.to_owned(),
    };
    spans.push(Span::raw(format!(" {}", fit(&id, 8))));
    if cols.title > 0 {
        let title = s.snap.title.as_deref().unwrap_or("");
        spans.push(Span::raw(format!(" {}", fit(title, cols.title - 1))));
    }
    let model = s
        .snap
        .context
        .as_ref()
        .map_or("", |c| format::short_model(&c.model));
    if cols.model > 0 {
        spans.push(Span::raw(format!(" {}", fit(model, cols.model - 1))));
    }
    spans.push(Span::raw(" "));
    match (&s.snap.context, s.percent()) {
        (_, Some(p)) => {
            let band = Band::of(p, &app.config.thresholds);
            let (full, empty) = bar(p, cols.gauge);
            spans.push(Span::styled(full, theme.band(band)));
            spans.push(Span::styled(empty, theme.track()));
            spans.push(Span::raw(" "));
            spans.push(Span::styled(percent_cell(p), theme.band(band)));
        }
        // The words take the gauge's and the percentage's room.
        (Some(_), None) => spans.push(Span::styled(fit("compacted", cols.gauge + 7), theme.dim())),
        (None, _) => {
            let words = if s.snap.subagents_only {
                "subagents only"
            } else if s.snap.telemetry.is_some() {
                "context unknown"
            } else if s.snap.records > 0 {
                // Replies, but none on the main chain: subagents' work
                // (progress copies, sidechain lines) fills no window.
                "subagent replies"
            } else if s.snap.replies_elsewhere {
                "counted in copy"
            } else {
                "no reply yet"
            };
            spans.push(Span::styled(fit(words, cols.gauge + 7), theme.dim()))
        }
    }
    // A session waiting for the person shows how long it has waited.
    let waiting_since = s
        .state()
        .filter(|st| st.state == crate::state::State::Waiting)
        .and_then(|st| st.state_since);
    let age = waiting_since
        .or(s.snap.last_activity)
        .map_or("?".to_owned(), |t| format::age(app.now, t));
    spans.push(Span::raw(right(&cut(&age, 4), 5)));
    let mut style = Style::new();
    if !app.is_live(s) {
        style = style.patch(theme.dim());
    }
    if selected {
        style = style.patch(theme.selected());
    }
    Line::from(spans).style(style)
}

/// What an empty list says, and how to get something into it.
/// The percentage of the list's gauge in its six columns: `57.8%`, and
/// past 100% (a prompt over an override or the 1M window, spec §4) the
/// figure as it is, whole from 1000% on so the row keeps its width.
fn percent_cell(p: f64) -> String {
    if p < 999.95 {
        right(&format!("{p:.1}%"), 6)
    } else {
        right(&format!("{p:.0}%"), 6)
    }
}

fn empty_text(app: &App) -> Vec<Line<'static>> {
    let theme = app.config.theme;
    let hidden = app.hidden_idle();
    if app.sessions.is_empty() {
        let roots: Vec<String> = app
            .config
            .roots
            .iter()
            .map(|r| format::project(r, app.config.home.as_deref()))
            .collect();
        return vec![
            Line::styled("No sessions yet.", theme.title()),
            Line::raw(format!(
                "Watching {}. Start Claude Code and its session appears here.",
                roots.join(" and ")
            )),
        ];
    }
    if !app.filter.is_empty() {
        return vec![Line::raw(format!(
            "Nothing matches \"{}\". Esc clears the filter.",
            app.filter
        ))];
    }
    vec![
        Line::styled("No live sessions.", theme.title()),
        Line::raw(format!(
            "{} hidden: press a to show {}.",
            format::count(hidden as u64, "idle session", "idle sessions"),
            if hidden == 1 { "it" } else { "them" }
        )),
    ]
}

/// The row under a screen position inside the list `area`.
pub fn row_at(area: Rect, app: &App, column: u16, y: u16) -> Option<usize> {
    let body = inner(area);
    let inside = column >= body.x && column < body.right() && y >= body.y && y < body.bottom();
    if !inside {
        return None;
    }
    let rows = app.rows();
    let i = offset(app.selected_row(&rows), body.height as usize) + usize::from(y - body.y);
    (i < rows.len()).then_some(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_percentage_past_100_is_shown_as_it_is_in_six_columns() {
        assert_eq!(percent_cell(57.77), " 57.8%");
        assert_eq!(percent_cell(120.0), "120.0%");
        assert_eq!(percent_cell(999.94), "999.9%");
        assert_eq!(percent_cell(1200.01), " 1200%");
        assert_eq!(percent_cell(15000.0), "15000%");
    }
}
