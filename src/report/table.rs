//! The reports as tables for a person: comfy-table, fitted to the terminal,
//! with a compact layout for narrow panes. Nothing here is parsed by
//! scripts; `json.rs` is the stable format.

use super::blocks::{self, Block, LimitLevel};
use super::period::PeriodRow;
use super::session::SessionRow;
use super::{Usage, Zone};
use crate::format;
use crate::record::Millis;
use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets};

/// Below this many columns the compact layout is used unless asked otherwise.
pub const COMPACT_BELOW: u16 = 100;

/// Titles are cut to this many characters in tables.
pub const TITLE_CHARS: usize = 32;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Layout {
    pub compact: bool,
    /// A row per model under each row.
    pub breakdown: bool,
}

/// The terminal's width, when stdout is one.
pub fn terminal_width() -> Option<u16> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        return None;
    }
    crossterm::terminal::size().ok().map(|(w, _)| w)
}

/// 1241079 → "1,241,079".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A long duration: "5h20m", "3d 4h".
pub fn span(ms: Millis) -> String {
    let minutes = ms.max(0) / 60_000;
    if minutes >= 48 * 60 {
        format!("{}d {}h", minutes / (24 * 60), minutes % (24 * 60) / 60)
    } else {
        format::minutes(minutes as f64)
    }
}

pub fn usd(cost: f64) -> String {
    crate::format::usd(cost)
}

fn new_table(header: Vec<&str>, right_from: usize) -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.clone());
    if let Some(w) = terminal_width() {
        t.set_width(w);
    }
    for i in right_from..header.len() {
        if let Some(col) = t.column_mut(i) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    t
}

fn models_text(u: &Usage) -> String {
    let names: Vec<&str> = u.models.keys().map(|m| format::short_model(m)).collect();
    names.join(", ")
}

/// The numeric cells of a row, in the layout's columns.
fn numbers(u: &Usage, layout: Layout) -> Vec<String> {
    let t = &u.tokens;
    if layout.compact {
        vec![thousands(t.total()), usd(u.cost)]
    } else {
        vec![
            thousands(t.input),
            thousands(t.output),
            thousands(t.cache_creation),
            thousands(t.cache_read),
            thousands(t.total()),
            usd(u.cost),
        ]
    }
}

fn number_headers(layout: Layout) -> Vec<&'static str> {
    if layout.compact {
        vec!["Tokens", "Cost"]
    } else {
        vec![
            "Input",
            "Output",
            "Cache write",
            "Cache read",
            "Tokens",
            "Cost",
        ]
    }
}

/// Per-model rows under a row: label in the first column, `lead` blank
/// cells. With another agent than Claude Code among the entries, a row per
/// agent comes first, its models under it.
fn breakdown_rows(t: &mut Table, u: &Usage, lead: usize, layout: Layout) {
    let mut add = |label: String, sums: &crate::report::ModelSums| {
        let usage = Usage {
            tokens: sums.tokens,
            cost: sums.cost,
            entries: sums.entries,
            ..Default::default()
        };
        let mut row = vec![label];
        row.extend(std::iter::repeat_n(String::new(), lead));
        row.extend(numbers(&usage, layout));
        t.add_row(row);
    };
    if !u.has_other_agents() {
        for (model, sums) in &u.models {
            add(format!("  └ {}", format::short_model(model)), sums);
        }
        return;
    }
    for (agent, a) in &u.agents {
        add(format!("  └ {}", agent.name()), &a.sums);
        for (model, sums) in &a.models {
            add(format!("    └ {}", format::short_model(model)), sums);
        }
    }
}

/// Daily, weekly and monthly tables; `what` names the first column.
pub fn periods(rows: &[PeriodRow], what: &str, totals: &Usage, layout: Layout) -> String {
    let mut header = vec![what, "Models"];
    header.extend(number_headers(layout));
    let mut t = new_table(header, 2);
    for r in rows {
        let mut row = vec![r.label.clone(), models_text(&r.usage)];
        row.extend(numbers(&r.usage, layout));
        t.add_row(row);
        if layout.breakdown {
            breakdown_rows(&mut t, &r.usage, 1, layout);
        }
    }
    let mut total = vec!["Total".to_owned(), String::new()];
    total.extend(numbers(totals, layout));
    t.add_row(total);
    t.to_string() + "\n"
}

pub fn sessions(
    rows: &[SessionRow],
    totals: &Usage,
    zone: &Zone,
    home: Option<&str>,
    layout: Layout,
) -> String {
    let mut header = vec!["Session", "Project", "Last activity"];
    if !layout.compact {
        header.insert(1, "Title");
        header.push("Models");
    }
    header.extend(number_headers(layout));
    let lead = header.len() - number_headers(layout).len();
    let mut t = new_table(header, lead);
    for r in rows {
        let project = if layout.compact {
            format::project_name(&r.project).to_owned()
        } else {
            format::project(&r.project, home)
        };
        let mut row = vec![
            format::short_id(&r.session).to_owned(),
            project,
            zone.minute(r.last),
        ];
        if !layout.compact {
            let title = r.title.as_deref().unwrap_or("-");
            row.insert(1, crate::parse::one_line(title, TITLE_CHARS));
            row.push(models_text(&r.usage));
        }
        row.extend(numbers(&r.usage, layout));
        t.add_row(row);
        if layout.breakdown {
            breakdown_rows(&mut t, &r.usage, lead - 1, layout);
        }
    }
    let mut total = vec!["Total".to_owned()];
    total.extend(std::iter::repeat_n(String::new(), lead - 1));
    total.extend(numbers(totals, layout));
    t.add_row(total);
    t.to_string() + "\n"
}

/// The blocks table, and under it the active block's rate and projection.
pub fn blocks(
    list: &[Block],
    now: Millis,
    limit: Option<u64>,
    zone: &Zone,
    layout: Layout,
) -> String {
    let mut header = vec!["Block start", "Status"];
    if !layout.compact {
        header.push("Models");
    }
    header.push("Tokens");
    if limit.is_some() {
        header.push("% of limit");
    }
    header.push("Cost");
    let right_from = if layout.compact { 2 } else { 3 };
    let mut t = new_table(header, right_from);
    for b in list {
        let status = if b.gap {
            format!(
                "gap ({})",
                format::minutes((b.end - b.start) as f64 / 60_000.0)
            )
        } else if b.active {
            format!(
                "ACTIVE, {} left",
                format::minutes((b.end - now) as f64 / 60_000.0)
            )
        } else {
            let span = b.last.unwrap_or(b.start) - b.first.unwrap_or(b.start);
            format!("{} of use", format::minutes(span as f64 / 60_000.0))
        };
        let mut row = vec![Cell::new(zone.minute(b.start)), Cell::new(status)];
        if !layout.compact {
            row.push(Cell::new(models_text(&b.usage)));
        }
        row.push(Cell::new(if b.gap {
            "-".into()
        } else {
            thousands(b.usage.tokens.total())
        }));
        if let Some(limit) = limit {
            row.push(Cell::new(if b.gap {
                "-".to_owned()
            } else {
                format!(
                    "{:.1}%",
                    b.usage.tokens.total() as f64 * 100.0 / limit as f64
                )
            }));
        }
        row.push(Cell::new(if b.gap {
            "-".into()
        } else {
            usd(b.usage.cost)
        }));
        t.add_row(row);
    }
    let mut out = t.to_string() + "\n";
    if let Some(active) = list.iter().find(|b| b.active) {
        out.push_str(&active_summary(active, now, limit));
    }
    out
}

fn active_summary(b: &Block, now: Millis, limit: Option<u64>) -> String {
    let mut out = String::new();
    if let Some(rate) = blocks::burn_rate(b) {
        out.push_str(&format!(
            "Burn rate: {} tokens/min ({} input+output), {}/hour.\n",
            thousands(rate.tokens_per_minute.round() as u64),
            thousands(rate.tokens_per_minute_for_indicator.round() as u64),
            usd(rate.cost_per_hour)
        ));
    }
    if let Some(p) = blocks::projection(b, now) {
        out.push_str(&format!(
            "Projected by the block's end ({} left): {} tokens, {}.\n",
            format::minutes(p.remaining_minutes as f64),
            thousands(p.total_tokens),
            usd(p.total_cost)
        ));
        if let Some(limit) = limit {
            let pct = p.total_tokens as f64 * 100.0 / limit as f64;
            match LimitLevel::of(p.total_tokens, limit) {
                LimitLevel::Exceeds => out.push_str(&format!(
                    "The projection exceeds the token limit of {} ({pct:.0}%).\n",
                    thousands(limit)
                )),
                LimitLevel::Warning => out.push_str(&format!(
                    "Warning: the projection is {pct:.0}% of the token limit of {}.\n",
                    thousands(limit)
                )),
                LimitLevel::Ok => {}
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_easily() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(1_241_079), "1,241,079");
        assert_eq!(usd(1.234), "$1.23");
        assert_eq!(usd(0.0), "$0.00");
        assert_eq!(span(71 * 3_600_000), "2d 23h");
        assert_eq!(span(30 * 3_600_000), "30h00m");
    }
}
