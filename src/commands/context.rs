//! `ccwatch context SESSION`: what filled one session's context, as a
//! table for a person or `--json` for a script. Reads that session's
//! content on demand (see `attribution`); every per-item figure is an
//! estimate from sizes and is labelled so.

use super::{pick, print_out, scan_once};
use crate::attribution::{
    Category, Scope, SessionReader, Summary, TurnShares, attribute, label, read::SessionFile,
};
use crate::error::UserError;
use crate::format;
use crate::settings::Settings;
use serde::Serialize;
use std::process::ExitCode;

/// What every figure of the output is, said once at the top.
pub const ESTIMATE_NOTE: &str =
    "occupancy is measured; how it splits over items is estimated from content sizes";

/// A session's reader, read to the end, from the SESSION argument.
pub fn open(
    settings: &Settings,
    arg: &str,
) -> Result<(String, SessionReader, Option<u64>), UserError> {
    let scan = scan_once(settings);
    let id = pick::session(&scan.ledger, arg)?;
    if scan.ledger.agent(&id) == crate::agent::Agent::Codex {
        return Err(UserError(format!(
            "session {} is a Codex session: `context` and `audit` read Claude Code transcripts only",
            crate::format::short_id(&id)
        )));
    }
    let files: Vec<SessionFile> = crate::attribution::session_files(&scan.ledger, &id);
    let window = scan
        .ledger
        .snapshot(&id, &settings.options.window)
        .and_then(|s| s.context.map(|c| c.window));
    // The ledger is no longer needed; freeing it piece by piece would
    // take longer than the rest of the command.
    std::mem::forget(scan);
    let mut reader = SessionReader::new(&id, files, settings.options.line_cap);
    reader.update().map_err(UserError)?;
    Ok((id, reader, window))
}

pub fn run(settings: &Settings, arg: &str, json: bool, all: bool) -> Result<ExitCode, UserError> {
    let (id, reader, window) = open(settings, arg)?;
    let scope = if all {
        Scope::Session
    } else {
        Scope::SinceCompaction
    };
    let (shares, summary) = attribute(&reader.timeline, scope);
    let report = ContextJson::of(&id, &reader, &shares, &summary, window);
    let text = if json {
        serde_json::to_string_pretty(&report).map_err(|e| UserError(e.to_string()))? + "\n"
    } else {
        render_human(&report, crate::report::table::terminal_width())
    };
    print_out(&text);
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContextJson {
    pub session_id: String,
    pub project: Option<String>,
    pub estimated: bool,
    pub note: &'static str,
    /// `sinceCompaction` (the default) or `session` (`--all`).
    pub scope: &'static str,
    pub occupancy: Option<u64>,
    pub window: Option<u64>,
    /// Sum of every share in scope; equals `occupancy` since a compaction.
    pub accounted: i64,
    pub compactions: usize,
    pub compacted: Option<CompactionJson>,
    pub tokens_per_byte: f64,
    pub categories: Vec<CategoryJson>,
    pub top: Vec<TopJson>,
    pub turns: Vec<TurnJson>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CompactionJson {
    pub timestamp: String,
    pub pre_tokens: Option<u64>,
    pub trigger: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CategoryJson {
    pub category: Category,
    pub tool: Option<String>,
    pub tokens: i64,
    /// Of `accounted`.
    pub percent: f64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TopJson {
    pub label: String,
    pub category: Category,
    pub tool: Option<String>,
    pub target: Option<String>,
    pub count: u32,
    pub tokens: u64,
    pub bytes: u64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TurnJson {
    pub index: usize,
    pub timestamp: String,
    pub occupancy: u64,
    /// Occupancy minus the previous turn's; null where a cycle starts.
    pub delta: Option<i64>,
    pub baseline: u64,
    pub unlogged: u64,
    pub dropped: i64,
    pub compaction: Option<CompactionJson>,
    pub microcompact: bool,
    pub items: Vec<ItemJson>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemJson {
    pub label: String,
    pub category: Category,
    pub tool: Option<String>,
    pub target: Option<String>,
    pub bytes: u64,
    pub tokens: u64,
}

fn compaction_json(c: &crate::attribution::Compaction) -> CompactionJson {
    CompactionJson {
        timestamp: crate::record::format_timestamp(c.timestamp),
        pre_tokens: c.pre_tokens,
        trigger: c.trigger.clone(),
    }
}

impl ContextJson {
    pub fn of(
        id: &str,
        reader: &SessionReader,
        shares: &[TurnShares],
        summary: &Summary,
        window: Option<u64>,
    ) -> ContextJson {
        let cwd = reader.cwd.as_deref();
        let rel = |t: &Option<String>| t.as_deref().map(|t| label::relative(t, cwd));
        let whole = summary.accounted.max(1) as f64;
        let turns = reader
            .timeline
            .turns
            .iter()
            .zip(shares)
            .enumerate()
            .skip(summary.first_turn)
            .map(|(index, (turn, share))| TurnJson {
                index,
                timestamp: crate::record::format_timestamp(turn.timestamp),
                occupancy: turn.occupancy,
                delta: share.delta,
                baseline: share.baseline,
                unlogged: share.unlogged,
                dropped: share.dropped,
                compaction: turn.compaction.as_ref().map(compaction_json),
                microcompact: turn.microcompact.is_some(),
                items: turn
                    .pieces
                    .iter()
                    .zip(&share.pieces)
                    .map(|(p, tokens)| ItemJson {
                        label: label::item(p.category, p.tool.as_deref(), p.target.as_deref(), cwd),
                        category: p.category,
                        tool: p.tool.clone(),
                        target: rel(&p.target),
                        bytes: p.bytes,
                        tokens: *tokens,
                    })
                    .collect(),
            })
            .collect();
        ContextJson {
            session_id: id.to_owned(),
            project: reader.cwd.clone(),
            estimated: true,
            note: ESTIMATE_NOTE,
            scope: match summary.scope {
                Scope::SinceCompaction => "sinceCompaction",
                Scope::Session => "session",
            },
            occupancy: summary.occupancy,
            window,
            accounted: summary.accounted,
            compactions: summary.compactions,
            compacted: summary.compacted.as_ref().map(compaction_json),
            tokens_per_byte: summary.tokens_per_byte,
            categories: summary
                .categories
                .iter()
                .map(|c| CategoryJson {
                    category: c.category,
                    tool: c.tool.clone(),
                    tokens: c.tokens,
                    percent: round1(c.tokens as f64 * 100.0 / whole),
                })
                .collect(),
            top: summary
                .top
                .iter()
                .map(|t| TopJson {
                    label: label::item(t.category, t.tool.as_deref(), t.target.as_deref(), cwd),
                    category: t.category,
                    tool: t.tool.clone(),
                    target: rel(&t.target),
                    count: t.count,
                    tokens: t.tokens,
                    bytes: t.bytes,
                })
                .collect(),
            turns,
        }
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// How many top items the table lists.
const TOP_ROWS: usize = 15;

/// The report for a person: a heading, the categories, the top items.
pub fn render_human(r: &ContextJson, width: Option<u16>) -> String {
    use comfy_table::{CellAlignment, ContentArrangement, Table, presets};
    let mut out = String::new();
    let occupancy = match (r.occupancy, r.window) {
        (Some(o), Some(w)) if w > 0 => format!(
            "{} of {} ({:.0}%)",
            format::tokens(o),
            format::tokens(w),
            o as f64 * 100.0 / w as f64
        ),
        (Some(o), _) => format::tokens(o),
        (None, _) => "no main-chain response yet".to_owned(),
    };
    let scope = match r.scope {
        "session" => "over the whole session",
        _ => "since the last compaction",
    };
    out.push_str(&format!(
        "Session {} · context {occupancy} · {scope}\n",
        format::short_id(&r.session_id)
    ));
    if let Some(c) = &r.compacted {
        out.push_str(&format!(
            "Compacted{} after the newest response: the context is unknown until the next one; shown is the cycle before.\n",
            c.pre_tokens.map(|p| format!(" from {}", format::tokens(p))).unwrap_or_default()
        ));
    }
    if r.categories.is_empty() {
        out.push_str("No main-chain response to attribute yet (a subagent's work shows in the session as its Task result).\n");
        return out;
    }
    out.push_str("Estimated from content sizes (the occupancy itself is measured).\n\n");
    let table = |header: Vec<&str>| {
        let mut t = Table::new();
        t.load_style(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_header(header);
        if let Some(w) = width {
            t.set_width(w);
        }
        t
    };
    let mut cats = table(vec!["What", "≈ tokens", "share"]);
    for c in &r.categories {
        let what = match &c.tool {
            Some(tool) => format!("{} · {tool}", c.category.label()),
            None => c.category.label().to_owned(),
        };
        cats.add_row(vec![
            what,
            signed_tokens(c.tokens),
            format!("{:.1}%", c.percent),
        ]);
    }
    for i in 1..3 {
        if let Some(col) = cats.column_mut(i) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    out.push_str(&cats.to_string());
    out.push('\n');
    if !r.top.is_empty() {
        out.push_str("\nTop items\n");
        let mut top = table(vec!["Item", "×", "≈ tokens"]);
        for t in r.top.iter().take(TOP_ROWS) {
            top.add_row(vec![
                t.label.clone(),
                t.count.to_string(),
                format!("≈ {}", format::tokens(t.tokens)),
            ]);
        }
        for i in 1..3 {
            if let Some(col) = top.column_mut(i) {
                col.set_cell_alignment(CellAlignment::Right);
            }
        }
        out.push_str(&top.to_string());
        out.push('\n');
        if r.top.len() > TOP_ROWS {
            out.push_str(&format!(
                "… and {} more (--json lists every item and turn)\n",
                r.top.len() - TOP_ROWS
            ));
        }
    }
    out
}

fn signed_tokens(n: i64) -> String {
    if n < 0 {
        format!("−{}", format::tokens(n.unsigned_abs()))
    } else {
        format::tokens(n as u64)
    }
}
