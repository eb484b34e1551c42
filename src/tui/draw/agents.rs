//! The zoom view's bottom panel: what the session is doing ("working on
//! Bash 12s", "waiting for you 3m") and its agent tree, one row per
//! subagent, nested by depth, running ones first.

use super::mark;
use super::text::{cut, fit, right, width};
use crate::format;
use crate::state::agents::{AgentNode, AgentState};
use crate::tui::app::App;
use crate::tui::sessions::SessionView;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

/// Rows the panel wants: its title, the state line and one per agent.
pub fn wanted_height(s: &SessionView) -> u16 {
    if s.state().is_none() && s.agents.is_empty() {
        return 0;
    }
    let agents = count(&s.agents);
    let rows = 2 + agents + usize::from(agents == 0 && !s.agents.is_empty());
    u16::try_from(rows).unwrap_or(u16::MAX)
}

fn count(nodes: &[AgentNode]) -> usize {
    nodes.iter().map(|n| 1 + count(&n.agents)).sum()
}

/// The glyph of a subagent's state: its own shape, as in the list.
fn glyph(state: AgentState) -> &'static str {
    match state {
        AgentState::Working => "◐",
        AgentState::Compacting => "◌",
        AgentState::Idle => "○",
        AgentState::Done => "✓",
    }
}

fn style(app: &App, state: AgentState) -> Style {
    let theme = app.config.theme;
    match state {
        AgentState::Working if theme.color => Style::new().fg(Color::Green),
        AgentState::Compacting if theme.color => Style::new().fg(Color::Cyan),
        AgentState::Working | AgentState::Compacting => Style::new().add_modifier(Modifier::BOLD),
        AgentState::Idle | AgentState::Done => theme.dim(),
    }
}

pub fn draw(f: &mut Frame, area: Rect, app: &App, s: &SessionView) {
    let theme = app.config.theme;
    let running = flat(&s.agents, 0)
        .iter()
        .filter(|(_, n)| n.state == AgentState::Working)
        .count();
    let title = match s.agents.len() {
        0 => " state ".to_owned(),
        _ => format!(" agents ({} · {running} running) ", count(&s.agents)),
    };
    let block = Block::new()
        .borders(Borders::TOP)
        .border_style(theme.dim())
        .title(Span::styled(title, theme.title()));
    let body = block.inner(area);
    f.render_widget(block, area);
    let w = body.width as usize;
    let mut lines = Vec::new();
    if let Some(st) = s.state() {
        lines.push(Line::from(vec![
            Span::styled(
                mark::glyph(Some(st.state)),
                mark::style(theme, Some(st.state)),
            ),
            Span::raw(" "),
            Span::raw(cut(&mark::words(st, app.now), w.saturating_sub(2))),
        ]));
    }
    for (depth, n) in flat(&s.agents, 0) {
        lines.push(row(app, n, depth, w));
    }
    let skip = lines.len().saturating_sub(body.height as usize);
    // Keep the state line; drop the last agents when short of room.
    lines.truncate(lines.len() - skip);
    f.render_widget(Paragraph::new(lines), body);
}

/// The tree in display order, with each node's nesting level.
fn flat(nodes: &[AgentNode], level: usize) -> Vec<(usize, &AgentNode)> {
    let mut out = Vec::new();
    for n in nodes {
        out.push((level, n));
        out.extend(flat(&n.agents, level + 1));
    }
    out
}

/// "◐ Explore  find the failing test      sonnet-4-5  12.3k  $0.04   1m"
fn row(app: &App, n: &AgentNode, level: usize, w: usize) -> Line<'static> {
    let indent = "  ".repeat(level.min(6));
    let tail = format!(
        " {} {} {}",
        right(
            &format::tokens(
                n.tokens.input + n.tokens.output + n.tokens.cache_creation + n.tokens.cache_read
            ),
            6
        ),
        right(&format!("${:.2}", n.cost_usd), 6),
        right(
            &n.elapsed_ms.map_or("-".to_owned(), |ms| format::age(ms, 0)),
            4
        ),
    );
    let model = n.model.as_deref().map(format::short_model).unwrap_or("");
    let model = if w >= 70 {
        format!(" {}", fit(model, 12))
    } else {
        String::new()
    };
    let what = match (&n.agent_type, &n.description) {
        (Some(t), Some(d)) => format!("{t}  {d}"),
        (Some(t), None) => t.clone(),
        (None, Some(d)) => d.clone(),
        (None, None) => n.agent_id.clone(),
    };
    let what = match (&n.workflow, n.tools.is_empty()) {
        (Some(wf), _) => format!("{what} [{wf}]"),
        (None, false) => format!("{what} · {}", n.tools.join(", ")),
        (None, true) => what,
    };
    let room = w.saturating_sub(width(&indent) + 2 + width(&model) + width(&tail));
    Line::from(vec![
        Span::raw(indent),
        Span::styled(glyph(n.state), style(app, n.state)),
        Span::raw(" "),
        Span::raw(fit(&what, room)),
        Span::styled(model, app.config.theme.dim()),
        Span::raw(tail),
    ])
}
