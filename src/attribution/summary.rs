//! What a user acts on: the share of the context by category and the
//! largest items grouped by target, since the last compaction or over the
//! whole session. Pure functions of the timeline and its shares.

use super::content::Category;
use super::split::{TurnShares, share_out, tokens_per_byte};
use super::timeline::{Compaction, Timeline};
use std::collections::HashMap;

/// Which turns a summary covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// From the last compaction (or the start) to now: what the context
    /// holds.
    SinceCompaction,
    /// Every turn: what went into the context over the session.
    Session,
}

/// Tokens of one category (tool results split by tool).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryShare {
    pub category: Category,
    pub tool: Option<String>,
    pub tokens: i64,
}

/// Items with one category, tool and target, summed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopItem {
    pub category: Category,
    pub tool: Option<String>,
    pub target: Option<String>,
    pub count: u32,
    pub tokens: u64,
    pub bytes: u64,
}

/// A session's attribution over one scope.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub scope: Scope,
    /// Index of the first turn covered.
    pub first_turn: usize,
    pub turns: usize,
    /// The newest response's occupancy: what the gauge shows.
    pub occupancy: Option<u64>,
    /// The sum of every share of the scope. Since the last compaction it
    /// equals `occupancy`.
    pub accounted: i64,
    pub categories: Vec<CategoryShare>,
    pub top: Vec<TopItem>,
    pub compactions: usize,
    /// A compaction after the newest response.
    pub compacted: Option<Compaction>,
    pub tokens_per_byte: f64,
}

/// The first turn of the cycle the newest turn is in.
pub fn cycle_start(timeline: &Timeline) -> usize {
    timeline
        .turns
        .iter()
        .rposition(|t| t.compaction.is_some())
        .unwrap_or(0)
}

/// Summarise `timeline` over `scope`, with `shares` from `share_out`.
pub fn summarize(timeline: &Timeline, shares: &[TurnShares], scope: Scope) -> Summary {
    let first = match scope {
        Scope::SinceCompaction => cycle_start(timeline),
        Scope::Session => 0,
    };
    let mut by_category: HashMap<(Category, Option<String>), i64> = HashMap::new();
    let mut items: HashMap<(Category, Option<String>, Option<String>), TopItem> = HashMap::new();
    for (turn, share) in timeline.turns.iter().zip(shares).skip(first) {
        let mut add = |category: Category, tool: Option<String>, tokens: i64| {
            if tokens != 0 {
                *by_category.entry((category, tool)).or_default() += tokens;
            }
        };
        add(Category::Baseline, None, share.baseline as i64);
        add(Category::Unlogged, None, share.unlogged as i64);
        add(Category::Drop, None, share.dropped);
        for (piece, tokens) in turn.pieces.iter().zip(&share.pieces) {
            let tool = (piece.category == Category::ToolResult)
                .then(|| piece.tool.clone())
                .flatten();
            add(piece.category, tool, *tokens as i64);
            let key = (piece.category, piece.tool.clone(), piece.target.clone());
            let item = items.entry(key).or_insert_with(|| TopItem {
                category: piece.category,
                tool: piece.tool.clone(),
                target: piece.target.clone(),
                count: 0,
                tokens: 0,
                bytes: 0,
            });
            item.count += 1;
            item.tokens += tokens;
            item.bytes += piece.bytes;
        }
    }
    let mut categories: Vec<CategoryShare> = by_category
        .into_iter()
        .map(|((category, tool), tokens)| CategoryShare {
            category,
            tool,
            tokens,
        })
        .collect();
    categories.sort_by(|a, b| {
        a.category
            .cmp(&b.category)
            .then(b.tokens.cmp(&a.tokens))
            .then(a.tool.cmp(&b.tool))
    });
    let mut top: Vec<TopItem> = items.into_values().filter(|i| i.tokens > 0).collect();
    top.sort_by(|a, b| {
        b.tokens
            .cmp(&a.tokens)
            .then(b.bytes.cmp(&a.bytes))
            .then(a.category.cmp(&b.category))
            .then(a.tool.cmp(&b.tool))
            .then(a.target.cmp(&b.target))
    });
    let accounted = shares.iter().skip(first).map(TurnShares::sum).sum();
    Summary {
        scope,
        first_turn: first,
        turns: timeline.turns.len() - first.min(timeline.turns.len()),
        occupancy: timeline.turns.last().map(|t| t.occupancy),
        accounted,
        categories,
        top,
        compactions: timeline
            .turns
            .iter()
            .filter(|t| t.compaction.is_some())
            .count()
            + usize::from(timeline.compacted_since().is_some()),
        compacted: timeline.compacted_since().cloned(),
        tokens_per_byte: tokens_per_byte(&timeline.turns),
    }
}

/// Shares and summary in one call.
pub fn attribute(timeline: &Timeline, scope: Scope) -> (Vec<TurnShares>, Summary) {
    let shares = share_out(timeline);
    let summary = summarize(timeline, &shares, scope);
    (shares, summary)
}
