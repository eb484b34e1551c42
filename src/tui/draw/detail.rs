//! The selected session: a large gauge, the burn rate and ETA, and the
//! facts behind them. When the panel is short, the least useful lines go
//! first (see `Item::priority`); the gauge and the ETA stay.

use super::context_gauge;
use super::text::{clock, cut, width};
use crate::burn;
use crate::cost::unlogged;
use crate::format;
use crate::tui::app::App;
use crate::tui::sessions::SessionView;
use crate::tui::theme::Band;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Sparkline};

/// One piece of the panel.
enum Part {
    Text(Line<'static>),
    /// The sparkline, as tall as its item.
    Spark,
}

struct Item {
    /// Lower is kept longer.
    priority: u8,
    height: u16,
    part: Part,
}

fn text(priority: u8, line: Line<'static>) -> Item {
    Item {
        priority,
        height: 1,
        part: Part::Text(line),
    }
}

pub fn draw(f: &mut Frame, area: Rect, app: &App, s: &SessionView) {
    let theme = app.config.theme;
    let title = format!(
        " {} · {} ",
        format::project_name(&s.snap.project),
        s.snap.agent.short_id(&s.snap.session_id)
    );
    let block = Block::new()
        .borders(Borders::TOP)
        .border_style(theme.dim())
        .title(Span::styled(title, theme.title()));
    let body = block.inner(area);
    f.render_widget(block, area);
    let items = items(app, s, body.width as usize, body.height);
    let keep = fit(&items, body.height);
    let mut y = body.y;
    for (item, _) in items.iter().zip(keep).filter(|(_, k)| *k) {
        let at = Rect::new(body.x, y, body.width, item.height);
        match &item.part {
            Part::Text(line) => f.render_widget(Paragraph::new(line.clone()), at),
            Part::Spark => draw_spark(f, at, app, s),
        }
        y += item.height;
    }
}

/// Which items fit in `height` rows, most important first.
fn fit(items: &[Item], height: u16) -> Vec<bool> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|&i| items[i].priority);
    let mut keep = vec![false; items.len()];
    let mut used = 0;
    for i in order {
        if used + items[i].height <= height {
            used += items[i].height;
            keep[i] = true;
        }
    }
    keep
}

fn items(app: &App, s: &SessionView, w: usize, height: u16) -> Vec<Item> {
    let (tall, very_tall) = (height >= 24, height >= 30);
    let theme = app.config.theme;
    let now = app.now;
    let mut out = Vec::new();
    match s.snap.context.as_ref() {
        Some(c) if !c.compacted => {
            let band = Band::of(c.percent, &app.config.thresholds);
            let pct = format!("{:.1}%", c.percent);
            let bar_width = w.saturating_sub(pct.len() + 1);
            for row in 0..if tall { 3 } else { 1 } {
                let label = if row == u8::from(tall) {
                    pct.clone()
                } else {
                    String::new()
                };
                let mut spans = context_gauge::bar_spans(c, band, bar_width, theme);
                spans.push(Span::raw(" "));
                spans.push(Span::styled(label, theme.band(band)));
                out.push(text(0, Line::from(spans)));
            }
            out.push(text(0, context_gauge::tokens_line(c, w, theme)));
        }
        Some(_) => {
            let from = s
                .snap
                .last_compaction
                .as_ref()
                .and_then(|b| b.pre_tokens)
                .map_or(String::new(), |t| format!(" from {}", format::tokens(t)));
            let said = context_gauge::fitting(
                vec![
                    format!("Compacted{from} · waiting for the next reply"),
                    format!("Compacted{from} · waiting"),
                    format!("Compacted{from}"),
                ],
                w,
            );
            out.push(text(0, Line::styled(said, theme.title())));
        }
        // A session kept only as subagent files has replies but no main
        // chain, so nothing says what its window held.
        None if s.snap.subagents_only => out.push(text(
            0,
            Line::styled("Subagent files only: no context to show", theme.dim()),
        )),
        // Telemetry without a main-thread request says nothing of the window.
        None if s.snap.telemetry.is_some() => out.push(text(
            0,
            Line::styled("Context unknown: no main-thread request yet", theme.dim()),
        )),
        None if s.snap.records > 0 => out.push(text(
            0,
            Line::styled(
                "Subagent replies only: no main-chain context to show",
                theme.dim(),
            ),
        )),
        None if s.snap.replies_elsewhere => out.push(text(
            0,
            Line::styled("Replies counted in its resumed copy", theme.dim()),
        )),
        None => out.push(text(0, Line::styled("No replies yet", theme.dim()))),
    }
    out.push(text(9, Line::raw("")));
    let rate = s.rate(now);
    let rate_text = match rate {
        Some(r) if r >= 1.0 => format!("{} tok/min", format::tokens(r.round() as u64)),
        Some(_) => "not growing".to_owned(),
        None => "—".to_owned(),
    };
    let peak = burn::peak_rate(&s.series, now, app.config.span_ms, w, rate)
        .filter(|p| *p > 0 && w >= 50)
        .map_or(String::new(), |p| format!("  peak {}", format::tokens(p)));
    let span = format!("past {}", span_text(app.config.span_ms));
    let used = width(&rate_text) + width(&peak) + width(&span) + 5;
    out.push(text(
        3,
        Line::from(vec![
            Span::styled("burn ", theme.dim()),
            Span::raw(rate_text),
            Span::styled(peak, theme.dim()),
            Span::raw(" ".repeat(w.saturating_sub(used).max(1))),
            Span::styled(span, theme.dim()),
        ]),
    ));
    out.push(Item {
        priority: 2,
        height: if very_tall {
            6
        } else if tall {
            4
        } else {
            1
        },
        part: Part::Spark,
    });
    if let Some(c) = s.snap.context.as_ref() {
        let replies = s.series.len();
        let eta = context_gauge::eta_line(c, &app.config.thresholds, rate, replies, w, theme);
        out.push(text(1, eta));
    }
    out.push(text(9, Line::raw("")));
    // After a compaction the last reply's numbers describe the old context.
    if let Some(c) = s.snap.context.as_ref().filter(|c| !c.compacted) {
        let t = format::tokens;
        let input = format!("input {} · last output {}", t(c.input), t(c.output));
        let cache = format!(
            "cache write {} · read {}",
            t(c.cache_creation),
            t(c.cache_read)
        );
        if w >= 60 {
            out.push(text(4, Line::raw(format!("{input} · {cache}"))));
        } else {
            out.push(text(4, Line::raw(cache)));
            out.push(text(4, Line::raw(input)));
        }
    }
    out.push(text(5, compactions_line(s)));
    if let Some(title) = &s.snap.title {
        out.push(text(5, fact("title", &cut(title, w.saturating_sub(7)))));
    }
    out.push(text(6, fact("model", &models(s))));
    if let Some(mark) = s.snap.agent.mark() {
        out.push(text(6, fact("agent", mark)));
    }
    if let Some(limits) = s.snap.rate_limits.filter(|l| !l.is_empty()) {
        out.push(text(5, fact("limits", &limits.describe(now))));
    }
    let age = s.snap.last_activity.map_or("never".to_owned(), |t| {
        format!(
            "{} ago · {}",
            format::age(now, t),
            clock(t, now, app.config.utc_offset_secs)
        )
    });
    out.push(text(6, fact("active", &age)));
    let home = app.config.home.as_deref();
    out.push(text(
        7,
        fact("path", &format::project(&s.snap.project, home)),
    ));
    let id = &s.snap.session_id;
    // A full id is 36 characters: in a narrow pane it goes without its label.
    let id_line = if width(id) + 7 > w {
        Line::raw(id.clone())
    } else {
        fact("id", id)
    };
    out.push(text(8, id_line));
    for (name, value) in super::telemetry::facts(&s.snap) {
        out.push(text(7, fact(name, &value)));
    }
    // Cost at the built-in prices, like `ccwatch status` and `session`.
    out.push(text(
        6,
        fact(
            "cost",
            &format!(
                "{} · {}",
                format::usd(s.cost_usd),
                format::count(s.snap.records, "reply", "replies")
            ),
        ),
    ));
    // Spec §6: an unknown model costs $0, and the user is told so.
    if !s.unpriced.is_empty() {
        let said = format!("no price for {}: counted as $0", s.unpriced.join(", "));
        out.push(text(7, fact("", &said)));
    }
    // What Claude Code paid beyond the transcripts (`cost::unlogged`),
    // under the cost it adds to.
    if let Some(usd) = s.cost_unlogged {
        let said = context_gauge::fitting(
            vec![
                unlogged::sentence(usd),
                format!("+{} unlogged", format::usd(usd)),
            ],
            w.saturating_sub(7),
        );
        out.push(text(7, fact("", &said)));
    }
    let t = &s.snap.tokens;
    out.push(text(
        7,
        fact(
            "total",
            &format!(
                "in {} · out {}",
                format::tokens(t.input),
                format::tokens(t.output)
            ),
        ),
    ));
    out.push(text(
        8,
        fact(
            "cache",
            &format!(
                "write {} · read {}",
                format::tokens(t.cache_creation),
                format::tokens(t.cache_read)
            ),
        ),
    ));
    out
}

fn fact(name: &str, value: &str) -> Line<'static> {
    Line::from(vec![
        Span::styled(
            format!("{name:<7}"),
            Style::new().add_modifier(Modifier::DIM),
        ),
        Span::raw(value.to_owned()),
    ])
}

/// The models the session used, most used first.
fn models(s: &SessionView) -> String {
    let mut m: Vec<(&String, &u64)> = s.snap.models.iter().collect();
    m.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let names: Vec<&str> = m
        .iter()
        .map(|(name, _)| format::short_model(name))
        .collect();
    if names.is_empty() {
        "—".to_owned()
    } else {
        names.join(", ")
    }
}

fn compactions_line(s: &SessionView) -> Line<'static> {
    let text = match (s.snap.compactions, &s.snap.last_compaction) {
        (0, _) => "no compactions yet".to_owned(),
        (n, Some(last)) => format!(
            "compacted {n}× · last from {}",
            last.pre_tokens.map_or("?".to_owned(), format::tokens)
        ),
        (n, None) => format!("compacted {n}×"),
    };
    Line::raw(text)
}

fn draw_spark(f: &mut Frame, area: Rect, app: &App, s: &SessionView) {
    let theme = app.config.theme;
    let data = burn::growth_per_minute(&s.series, app.now, app.config.span_ms, area.width as usize);
    let spark = Sparkline::default()
        .data(&data)
        .style(theme.key().remove_modifier(Modifier::BOLD));
    f.render_widget(spark, area);
    // Minutes without growth show as a dotted baseline, and growth too
    // small to reach a bar's first eighth still shows a sliver, so the
    // two never look alike.
    let buf = f.buffer_mut();
    for (i, v) in data.iter().enumerate() {
        let cell = &mut buf[(area.x + i as u16, area.bottom() - 1)];
        if *v == 0 {
            cell.set_symbol("·").set_style(theme.dim());
        } else if cell.symbol() == " " {
            cell.set_symbol("▁");
        }
    }
}

/// The sparkline's span in words: `1h`, `90m`.
fn span_text(ms: i64) -> String {
    let minutes = ms / 60_000;
    if minutes % 60 == 0 {
        format!("{}h", minutes / 60)
    } else {
        format!("{minutes}m")
    }
}
