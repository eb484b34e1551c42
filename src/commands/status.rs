//! `ccwatch status`: scan once, print every session, exit.

use crate::cost::{Dollars, Pricer, sum, unlogged};
use crate::format;
use crate::ledger::{Ledger, SessionSnapshot, TokenJson, WindowPolicy};
use crate::parse::{SkipCounts, SkipReason};
use crate::record::Millis;
use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Totals across all sessions, as printed by `status --json` and `events`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    #[serde(flatten)]
    pub tokens: TokenJson,
    pub records: u64,
    /// USD in the default mode with the built-in prices; only `status`
    /// prices its totals.
    #[serde(rename = "costUSD", skip_serializing_if = "Option::is_none")]
    pub cost_usd: Option<f64>,
}

/// A session of `status --json`: its snapshot and what it cost (default
/// mode, built-in prices, subagents included).
#[derive(Debug, Serialize)]
pub struct SessionCost {
    #[serde(flatten)]
    pub session: SessionSnapshot,
    #[serde(rename = "costUSD")]
    pub cost_usd: f64,
    /// What Claude Code's own figure adds beyond the transcripts (see
    /// `cost::unlogged`), when its status line told it.
    #[serde(rename = "costUnlogged", skip_serializing_if = "Option::is_none")]
    pub cost_unlogged: Option<f64>,
    /// The subagents it started, nested (see `state::agents`).
    pub agents: Vec<crate::state::agents::AgentNode>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusJson {
    pub sessions: Vec<SessionCost>,
    pub daily: BTreeMap<String, TokenJson>,
    pub totals: Totals,
    pub files: u64,
    pub bytes: u64,
    pub skipped: SkipCounts,
    /// Tokens whose model has no price (counted as $0), as the reports
    /// give them.
    pub unpriced: crate::cost::Unpriced,
    /// Spend against the configured budgets, when there are any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub budgets: Vec<crate::budget::Spend>,
    /// The plan's usage limits, from the newest status-line hint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limits: Option<crate::hints::rate::PlanLimitsJson>,
}

impl StatusJson {
    pub fn of(ledger: &Ledger, window: &WindowPolicy) -> StatusJson {
        let (per_session, total) = costs(ledger);
        let mut totals = totals(ledger);
        totals.cost_usd = Some(total);
        StatusJson {
            sessions: ledger
                .snapshots(window)
                .into_iter()
                .map(|session| {
                    let id = session.session_id.as_str();
                    let cost_usd = per_session.get(id).copied().unwrap_or(0.0);
                    let hints = &window.sources.hints;
                    SessionCost {
                        cost_unlogged: unlogged::of_session(hints, ledger, id, cost_usd),
                        cost_usd,
                        session,
                        agents: Vec::new(),
                    }
                })
                .collect(),
            daily: ledger
                .daily_utc()
                .iter()
                .map(|(day, sums)| (day.to_string(), sums.tokens.into()))
                .collect(),
            totals,
            files: ledger.files(),
            bytes: ledger.bytes(),
            skipped: ledger.skipped(),
            unpriced: sum::unpriced(ledger, &mut Pricer::default_prices()),
            budgets: Vec::new(),
            rate_limits: None,
        }
    }
}

impl StatusJson {
    /// Every session's state and agent tree at this moment (see
    /// `state::present` and `state::agents`).
    pub fn present_states(
        &mut self,
        ledger: &Ledger,
        clock: crate::state::Clock,
        procs: Option<&crate::state::open_files::Processes>,
    ) {
        let mut pricer = Pricer::default_prices();
        let mut sidecars = crate::state::agents::Sidecars::default();
        for s in &mut self.sessions {
            let id = s.session.session_id.clone();
            s.agents = crate::state::agents::tree(ledger, &id, clock, &mut pricer, &mut sidecars);
            let s = &mut s.session;
            let ended = crate::state::ended(ledger, &s.session_id, &s.project, procs);
            s.present_state(clock, ended);
        }
    }
}

pub fn totals(ledger: &Ledger) -> Totals {
    Totals {
        tokens: ledger.totals().into(),
        records: ledger.records(),
        cost_usd: None,
    }
}

/// Cost per session and in all, in the default mode with the built-in prices.
fn costs(ledger: &Ledger) -> (HashMap<Arc<str>, f64>, f64) {
    let per_session = sum::by_session(ledger, &mut Pricer::default_prices(), |_| true);
    let mut total = Dollars::default();
    for cost in per_session.values() {
        total += *cost;
    }
    let per_session = per_session.into_iter().map(|(k, v)| (k, v.usd())).collect();
    (per_session, total.usd())
}

/// The human table: one row per session, newest first, then a summary.
pub fn render_human(status: &StatusJson, now: Millis, home: Option<&str>) -> String {
    let mut out = String::new();
    if status.sessions.is_empty() {
        // A line of zeros under "none found" says nothing more.
        out.push_str(&match status.files {
            0 => "No sessions found: there are no transcripts yet.\n".to_owned(),
            n => format!(
                "No sessions found in {} ({}).\n",
                format::count(n, "transcript", "transcripts"),
                format::bytes(status.bytes)
            ),
        });
        if let Some(skips) = skipped_sentence(&status.skipped) {
            out.push_str(&skips);
            out.push('\n');
        }
        return out;
    } else {
        let mut table = Table::new();
        table
            .load_style(presets::NOTHING)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_header([
                "PROJECT",
                "SESSION",
                "STATE",
                "TITLE",
                "MODEL",
                "CONTEXT",
                "USED",
                "COMPACT",
                "LAST ACTIVITY",
            ]);
        for s in &status.sessions {
            table.add_row(row(&s.session, now, home));
        }
        for i in [4, 5, 6] {
            if let Some(col) = table.column_mut(i) {
                col.set_cell_alignment(CellAlignment::Right);
            }
        }
        out.push_str(&table.trim_fmt());
        out.push('\n');
    }
    out.push_str(&summary_line(status));
    for s in &status.budgets {
        out.push_str(&format!(
            "{} budget: {} of {} spent ({:.0}%).\n",
            capitalized(s.period.name()),
            format::usd(s.spent_usd),
            format::usd(s.budget_usd),
            s.ratio * 100.0
        ));
    }
    out
}

fn capitalized(word: &str) -> String {
    let mut c = word.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn row(s: &SessionSnapshot, now: Millis, home: Option<&str>) -> Vec<Cell> {
    let (model, context, used) = match &s.context {
        // After a compaction the last reply's figure is the old context's.
        Some(c) if c.compacted => (
            format::short_model(&c.model).to_owned(),
            s.last_compaction
                .as_ref()
                .and_then(|b| b.pre_tokens)
                .map_or("compacted".to_owned(), |t| {
                    format!("compacted from {}", format::tokens(t))
                }),
            "waiting".to_owned(),
        ),
        Some(c) => (
            format::short_model(&c.model).to_owned(),
            format!(
                "{} / {}",
                format::tokens(c.tokens),
                format::tokens(c.window)
            ),
            format!("{:.1}%", c.percent),
        ),
        None => (
            s.models
                .keys()
                .next()
                .map(|m| format::short_model(m).to_owned())
                .unwrap_or_else(|| "-".into()),
            "-".into(),
            "-".into(),
        ),
    };
    let last = match s.last_activity {
        Some(t) => format!("{} ({} ago)", format::local_time(t), format::age(now, t)),
        None => "-".into(),
    };
    let state = match &s.state {
        Some(st) if !st.tools.is_empty() => {
            format!(
                "{} ({})",
                st.state.name(),
                st.waiting_for.as_deref().unwrap_or("")
            )
        }
        Some(st) => st.state.name().to_owned(),
        None => "-".into(),
    };
    vec![
        Cell::new(format::project(&s.project, home)),
        Cell::new(match s.agent.mark() {
            Some(mark) => format!("{} {mark}", s.agent.short_id(&s.session_id)),
            None => format::short_id(&s.session_id).to_owned(),
        }),
        Cell::new(state),
        Cell::new(match &s.title {
            Some(t) => crate::parse::one_line(t, crate::report::table::TITLE_CHARS),
            None => "-".into(),
        }),
        Cell::new(model),
        Cell::new(context),
        Cell::new(used),
        Cell::new(s.compactions),
        Cell::new(last),
    ]
}

/// "6 sessions, 148 responses in 10 files (6.9 MiB)", and what was skipped.
pub fn summary_line(status: &StatusJson) -> String {
    let mut line = format!(
        "{}, {} in {} ({}).\n",
        format::count(status.sessions.len() as u64, "session", "sessions"),
        format::count(status.totals.records, "response", "responses"),
        format::count(status.files, "file", "files"),
        format::bytes(status.bytes)
    );
    if let Some(skips) = skipped_sentence(&status.skipped) {
        line.push_str(&skips);
        line.push('\n');
    }
    if let Some(unpriced) = status.unpriced.sentence() {
        line.push_str(&unpriced);
        line.push('\n');
    }
    line
}

/// "Skipped 4 unreadable lines: 3 malformed, 1 invalid UTF-8." or nothing.
pub fn skipped_sentence(skipped: &SkipCounts) -> Option<String> {
    let parts: Vec<String> = skipped
        .iter()
        .filter(|(r, _)| *r != SkipReason::Blank)
        .map(|(r, n)| {
            let (one, many) = r.words();
            format::count(n, one, many)
        })
        .collect();
    if parts.is_empty() {
        return None;
    }
    Some(format!(
        "Skipped what could not be read: {}.",
        parts.join(", ")
    ))
}
