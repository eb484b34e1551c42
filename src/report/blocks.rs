//! 5-hour blocks (spec §5): the windows Claude's usage limits are counted
//! in, the gaps between them, and for the active block its burn rate, its
//! projection to the block's end and how that compares with a token limit.

use super::{Entry, Usage};
use crate::record::Millis;

pub const HOUR_MS: Millis = 3_600_000;
pub const BLOCK_MS: Millis = 5 * HOUR_MS;

/// A block with usage, or a gap between two of them.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub start: Millis,
    pub end: Millis,
    pub gap: bool,
    pub active: bool,
    /// Times of the block's first and last records (`None` for a gap).
    pub first: Option<Millis>,
    pub last: Option<Millis>,
    pub usage: Usage,
}

impl Block {
    fn open(e: &Entry) -> Block {
        let start = e.timestamp.div_euclid(HOUR_MS) * HOUR_MS;
        let mut b = Block {
            start,
            end: start + BLOCK_MS,
            gap: false,
            active: false,
            first: Some(e.timestamp),
            last: Some(e.timestamp),
            usage: Usage::default(),
        };
        b.usage.add(e);
        b
    }

    /// Does a record at `t` still belong here? Not when it is more than 5 h
    /// after the block start or more than 5 h after the previous record.
    fn takes(&self, t: Millis) -> bool {
        t - self.start <= BLOCK_MS && self.last.is_none_or(|last| t - last <= BLOCK_MS)
    }
}

/// Split entries (oldest first) into blocks and the gaps between them. At
/// most the last block is active: `now` is before its end and its last
/// record is less than 5 h old.
pub fn build(entries: &[Entry], now: Millis) -> Vec<Block> {
    let mut blocks: Vec<Block> = Vec::new();
    let mut current: Option<Block> = None;
    for e in entries {
        match &mut current {
            Some(b) if b.takes(e.timestamp) => {
                b.last = Some(e.timestamp);
                b.usage.add(e);
            }
            _ => {
                let next = Block::open(e);
                if let Some(done) = current.take() {
                    let end = done.end;
                    blocks.push(done);
                    if next.start > end {
                        blocks.push(gap(end, next.start));
                    }
                }
                current = Some(next);
            }
        }
    }
    blocks.extend(current);
    // The active one is the newest block that has begun: a block dated
    // after now (a wrong clock, a hand-edited line) is never active, so it
    // cannot claim years "left" nor hide the block really in use.
    if let Some(b) = blocks.iter_mut().rev().find(|b| !b.gap && b.start <= now) {
        b.active = now < b.end && b.last.is_some_and(|l| now - l < BLOCK_MS);
    }
    blocks
}

fn gap(start: Millis, end: Millis) -> Block {
    Block {
        start,
        end,
        gap: true,
        active: false,
        first: None,
        last: None,
        usage: Usage::default(),
    }
}

/// How fast a block is using tokens, from its first record to its last.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BurnRate {
    pub tokens_per_minute: f64,
    /// Input + output tokens only: cache reads dwarf everything else and
    /// would make every session look hot.
    pub tokens_per_minute_for_indicator: f64,
    pub cost_per_hour: f64,
}

pub fn burn_rate(b: &Block) -> Option<BurnRate> {
    let minutes = (b.last? - b.first?) as f64 / 60_000.0;
    if b.gap || minutes <= 0.0 {
        return None;
    }
    let t = &b.usage.tokens;
    Some(BurnRate {
        tokens_per_minute: t.total() as f64 / minutes,
        tokens_per_minute_for_indicator: (t.input + t.output) as f64 / minutes,
        cost_per_hour: b.usage.cost / minutes * 60.0,
    })
}

/// Where an active block ends up if it keeps its burn rate until its end.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Projection {
    pub total_tokens: u64,
    pub total_cost: f64,
    pub remaining_minutes: u64,
}

pub fn projection(b: &Block, now: Millis) -> Option<Projection> {
    if !b.active {
        return None;
    }
    let rate = burn_rate(b)?;
    let remaining = (b.end - now).max(0) as f64 / 60_000.0;
    Some(Projection {
        total_tokens: b.usage.tokens.total() + (rate.tokens_per_minute * remaining).round() as u64,
        total_cost: b.usage.cost + rate.cost_per_hour / 60.0 * remaining,
        remaining_minutes: remaining.round() as u64,
    })
}

/// `--token-limit N|max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenLimit {
    Tokens(u64),
    /// The most tokens any finished block used.
    Max,
}

impl TokenLimit {
    pub fn parse(s: &str) -> Result<TokenLimit, String> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("max") {
            return Ok(TokenLimit::Max);
        }
        match t.replace('_', "").parse::<u64>() {
            Ok(n) if n > 0 => Ok(TokenLimit::Tokens(n)),
            _ => Err(format!("`{s}` is not a token count or `max`")),
        }
    }

    pub fn resolve(&self, blocks: &[Block]) -> Option<u64> {
        match self {
            TokenLimit::Tokens(n) => Some(*n),
            TokenLimit::Max => blocks
                .iter()
                .filter(|b| !b.gap && !b.active)
                .map(|b| b.usage.tokens.total())
                .max()
                .filter(|n| *n > 0),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitLevel {
    Ok,
    /// Above 80% of the limit.
    Warning,
    /// Above 100%.
    Exceeds,
}

impl LimitLevel {
    pub fn of(tokens: u64, limit: u64) -> LimitLevel {
        match tokens.saturating_mul(100) {
            t if t > limit.saturating_mul(100) => LimitLevel::Exceeds,
            t if t > limit.saturating_mul(80) => LimitLevel::Warning,
            _ => LimitLevel::Ok,
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            LimitLevel::Ok => "ok",
            LimitLevel::Warning => "warning",
            LimitLevel::Exceeds => "exceeds",
        }
    }
}

#[cfg(test)]
#[path = "blocks_tests.rs"]
mod tests;
