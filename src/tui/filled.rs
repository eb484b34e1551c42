//! State of the zoomed session's "what filled it" panel: the attribution
//! summary reduced to what the panel draws (category totals and the top
//! items' labels), made off the drawing path by a background read.

use crate::attribution::{Category, Summary, label};

/// What the panel shows for one session. Every figure is an estimate
/// from sizes except `occupancy`.
#[derive(Debug, Clone, PartialEq)]
pub struct FilledView {
    pub session: String,
    pub occupancy: Option<u64>,
    /// Positive shares by category, largest first (drops are left out of
    /// the bar and said in `dropped`).
    pub categories: Vec<(Category, u64)>,
    pub dropped: u64,
    /// Label, count, tokens; largest first.
    pub top: Vec<(String, u32, u64)>,
    pub compacted: bool,
    /// Calls the audit flags, as `secret file · Read .env`.
    pub flags: Vec<String>,
    /// The session's newest turns, oldest first.
    pub turns: Vec<TurnLine>,
}

/// One turn of the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct TurnLine {
    pub at: crate::record::Millis,
    pub occupancy: u64,
    /// None where a cycle starts.
    pub delta: Option<i64>,
    /// A compaction before this turn, with the size it compacted from.
    pub compaction: Option<Option<u64>>,
    /// The item that took most of the turn's tokens.
    pub top: Option<(String, u64)>,
}

/// How many turns the timeline keeps.
const TURNS_KEPT: usize = 200;

/// The newest turns of a session as the timeline shows them.
pub fn turn_lines(
    timeline: &crate::attribution::Timeline,
    shares: &[crate::attribution::TurnShares],
    cwd: Option<&str>,
) -> Vec<TurnLine> {
    let skip = timeline.turns.len().saturating_sub(TURNS_KEPT);
    timeline
        .turns
        .iter()
        .zip(shares)
        .skip(skip)
        .map(|(t, s)| {
            let top = t
                .pieces
                .iter()
                .zip(&s.pieces)
                .max_by_key(|(_, tokens)| **tokens)
                .filter(|(_, tokens)| **tokens > 0)
                .map(|(p, tokens)| {
                    (
                        label::item(p.category, p.tool.as_deref(), p.target.as_deref(), cwd),
                        *tokens,
                    )
                });
            TurnLine {
                at: t.timestamp,
                occupancy: t.occupancy,
                delta: s.delta,
                compaction: t.compaction.as_ref().map(|c| c.pre_tokens),
                top,
            }
        })
        .collect()
}

/// What the panel knows about the selected session.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Filled {
    /// Nothing asked for yet.
    #[default]
    None,
    /// A read of this session is under way.
    Loading(String),
    Ready(FilledView),
    /// The read failed: one sentence.
    Failed(String, String),
}

impl Filled {
    /// The session this state is about.
    pub fn session(&self) -> Option<&str> {
        match self {
            Filled::None => None,
            Filled::Loading(s) | Filled::Failed(s, _) => Some(s),
            Filled::Ready(v) => Some(&v.session),
        }
    }
}

/// How many top items the panel keeps (it draws as many as fit).
const TOP_KEPT: usize = 20;

impl FilledView {
    /// With the audit's flags of the same session.
    pub fn flagged(mut self, audit: &crate::audit::Audit, cwd: Option<&str>) -> FilledView {
        self.flags = audit
            .flags
            .iter()
            .map(|f| {
                format!(
                    "{} · {} {}",
                    f.kind.label(),
                    f.tool,
                    label::relative(&f.target, cwd)
                )
            })
            .collect();
        self
    }

    pub fn of(session: &str, summary: &Summary, cwd: Option<&str>) -> FilledView {
        let mut by: Vec<(Category, u64)> = Vec::new();
        let mut dropped = 0u64;
        for c in &summary.categories {
            if c.tokens < 0 {
                dropped += c.tokens.unsigned_abs();
                continue;
            }
            match by.iter_mut().find(|(cat, _)| *cat == c.category) {
                Some((_, t)) => *t += c.tokens as u64,
                None => by.push((c.category, c.tokens as u64)),
            }
        }
        by.retain(|(_, t)| *t > 0);
        by.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        FilledView {
            session: session.to_owned(),
            occupancy: summary.occupancy,
            categories: by,
            dropped,
            top: summary
                .top
                .iter()
                .take(TOP_KEPT)
                .map(|t| {
                    (
                        label::item(t.category, t.tool.as_deref(), t.target.as_deref(), cwd),
                        t.count,
                        t.tokens,
                    )
                })
                .collect(),
            compacted: summary.compacted.is_some(),
            flags: Vec::new(),
            turns: Vec::new(),
        }
    }
}
