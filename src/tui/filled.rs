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
    /// The session's turns, oldest first: the newest `TURNS_KEPT`.
    pub turns: Vec<TurnLine>,
    /// Older turns of the session not kept.
    pub turns_left_out: usize,
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

/// How many turns the timeline keeps: sizes and a short label each
/// (about 100 bytes), so a session's whole day fits; older ones are
/// counted, not kept.
pub const TURNS_KEPT: usize = 2_000;

/// How many of the timeline's turns `turn_lines` leaves out.
pub fn turns_left_out(timeline: &crate::attribution::Timeline) -> usize {
    timeline.turns.len().saturating_sub(TURNS_KEPT)
}

/// The newest turns of a session as the timeline shows them.
pub fn turn_lines(
    timeline: &crate::attribution::Timeline,
    shares: &[crate::attribution::TurnShares],
    cwd: Option<&str>,
) -> Vec<TurnLine> {
    let skip = turns_left_out(timeline);
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
            turns_left_out: 0,
        }
    }

    /// The timeline's rows, oldest first: a line counting the turns not
    /// kept, then each turn with the compaction mark before it.
    pub fn turn_rows(&self) -> Vec<TurnRow> {
        let mut rows = Vec::with_capacity(self.turns.len() + 1);
        if self.turns_left_out > 0 {
            rows.push(TurnRow::LeftOut);
        }
        for (i, t) in self.turns.iter().enumerate() {
            if t.compaction.is_some() {
                rows.push(TurnRow::Compaction(i));
            }
            rows.push(TurnRow::Turn(i));
        }
        rows
    }

    /// How many rows the turns that `self` has and `old` (an earlier read
    /// of the same session) had not take: what a view scrolled up must
    /// move by to stay on the same turns.
    pub fn rows_newer_than(&self, old: &FilledView) -> usize {
        let total = |v: &FilledView| v.turns_left_out + v.turns.len();
        let new = total(self).saturating_sub(total(old)).min(self.turns.len());
        self.turns[self.turns.len() - new..]
            .iter()
            .map(|t| 1 + usize::from(t.compaction.is_some()))
            .sum()
    }
}

/// One row of the turn timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TurnRow {
    /// How many older turns were not kept.
    LeftOut,
    /// The compaction before turn `i`.
    Compaction(usize),
    /// Turn `i`.
    Turn(usize),
}

/// Which of a timeline's rows a panel shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TurnWindow {
    /// The rows shown, `start..end`.
    pub start: usize,
    pub end: usize,
    /// Rows below the window; when some, the panel's last row says so.
    pub below: usize,
}

/// How far up (in rows, from the newest) a timeline of `rows` can scroll
/// in a panel of `height`: to where the oldest row is at the top, the
/// last row of the panel saying how many are newer.
pub fn max_back(rows: usize, height: usize) -> usize {
    if rows <= height {
        0
    } else {
        rows - height.saturating_sub(1).max(1)
    }
}

/// The rows of a timeline of `rows` a panel of `height` shows when it is
/// scrolled `back` rows up from the newest (clamped).
pub fn turn_window(rows: usize, height: usize, back: usize) -> TurnWindow {
    let back = back.min(max_back(rows, height));
    let end = rows - back;
    // The mark saying what is below takes the panel's last row.
    let room = if back > 0 {
        height.saturating_sub(1).max(1)
    } else {
        height
    };
    TurnWindow {
        start: end.saturating_sub(room),
        end,
        below: back,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_ends_at_the_newest_or_keeps_a_row_for_what_is_below() {
        // Following: the last 10 of 30 rows.
        assert_eq!(
            turn_window(30, 10, 0),
            TurnWindow {
                start: 20,
                end: 30,
                below: 0
            }
        );
        // Scrolled up 5: nine rows, then the mark.
        assert_eq!(
            turn_window(30, 10, 5),
            TurnWindow {
                start: 16,
                end: 25,
                below: 5
            }
        );
        // As far up as it goes, the oldest row at the top; past that is
        // the same.
        assert_eq!(max_back(30, 10), 21);
        assert_eq!(turn_window(30, 10, 99), turn_window(30, 10, 21));
        assert_eq!(turn_window(30, 10, 21).start, 0);
        // What fits shows whole.
        assert_eq!(max_back(8, 10), 0);
        assert_eq!(
            turn_window(8, 10, 3),
            TurnWindow {
                start: 0,
                end: 8,
                below: 0
            }
        );
    }
}
