//! Turning sizes into tokens: each turn's growth Δ split over what arrived
//! before it, in proportion to size, so the parts add up to Δ exactly.
//! Every number made here is an estimate from sizes, and says so where it
//! is shown.

use super::timeline::{Timeline, Turn};

/// Tokens per byte when a session has no turn to learn it from: about
/// four bytes of English or code per token.
pub const DEFAULT_TOKENS_PER_BYTE: f64 = 0.25;
const MIN_TOKENS_PER_BYTE: f64 = 0.05;
const MAX_TOKENS_PER_BYTE: f64 = 1.0;

/// How one turn's tokens were shared out.
#[derive(Debug, Clone, PartialEq)]
pub struct TurnShares {
    /// Occupancy minus the previous turn's; `None` for the first turn of a
    /// cycle (the first turn, or the first after a compaction).
    pub delta: Option<i64>,
    /// What the request held that its pieces do not explain: the system
    /// prompt, tools, CLAUDE.md and memory. Only at a cycle's first turn.
    pub baseline: u64,
    /// Tokens of each piece of the turn, in the turn's order.
    pub pieces: Vec<u64>,
    /// Growth with no piece to carry it (`Category::Unlogged`).
    pub unlogged: u64,
    /// A fall without a boundary: the negative Δ, shown as one drop.
    pub dropped: i64,
}

impl TurnShares {
    /// Everything this turn accounts for: Δ, or the whole occupancy at the
    /// start of a cycle.
    pub fn sum(&self) -> i64 {
        let pieces: u64 = self.pieces.iter().sum();
        (self.baseline + pieces + self.unlogged) as i64 + self.dropped
    }
}

/// Split `total` over `weights` in proportion, by largest remainder: the
/// parts add up to `total` exactly; ties go to the earlier weight. All
/// zero when the weights are.
pub fn proportional(total: u64, weights: &[u64]) -> Vec<u64> {
    let sum: u128 = weights.iter().map(|w| *w as u128).sum();
    if sum == 0 {
        return vec![0; weights.len()];
    }
    let mut parts = Vec::with_capacity(weights.len());
    let mut rest: Vec<(u128, usize)> = Vec::with_capacity(weights.len());
    let mut given: u64 = 0;
    for (i, w) in weights.iter().enumerate() {
        let exact = total as u128 * *w as u128;
        let part = (exact / sum) as u64;
        parts.push(part);
        rest.push((exact % sum, i));
        given += part;
    }
    // Largest remainder first, then the earlier piece.
    rest.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in rest.iter().take((total - given) as usize) {
        parts[*i] += 1;
    }
    parts
}

/// Tokens per byte in this session: the growth of ordinary turns (no
/// compaction, Δ > 0, something arrived) over the bytes that arrived.
pub fn tokens_per_byte(turns: &[Turn]) -> f64 {
    let (mut tokens, mut bytes) = (0u64, 0u64);
    for pair in turns.windows(2) {
        let (prev, turn) = (&pair[0], &pair[1]);
        let b: u64 = turn.pieces.iter().map(|p| p.bytes).sum();
        if turn.compaction.is_none() && turn.occupancy > prev.occupancy && b > 0 {
            tokens += turn.occupancy - prev.occupancy;
            bytes += b;
        }
    }
    if bytes == 0 {
        DEFAULT_TOKENS_PER_BYTE
    } else {
        // A token is rarely less than a byte or more than twenty: a figure
        // outside that says the turns are too few or too odd to learn from.
        (tokens as f64 / bytes as f64).clamp(MIN_TOKENS_PER_BYTE, MAX_TOKENS_PER_BYTE)
    }
}

/// Every turn's shares.
pub fn share_out(timeline: &Timeline) -> Vec<TurnShares> {
    let turns = &timeline.turns;
    let rate = tokens_per_byte(turns);
    let mut baseline: Option<u64> = None;
    let mut out = Vec::with_capacity(turns.len());
    for (i, turn) in turns.iter().enumerate() {
        let weights: Vec<u64> = turn.pieces.iter().map(|p| p.bytes).collect();
        let bytes: u64 = weights.iter().sum();
        let starts_cycle = i == 0 || turn.compaction.is_some();
        let shares = if starts_cycle {
            let o = turn.occupancy;
            // The first baseline is what the pieces' estimated size leaves;
            // after a compaction the same system prompt and tools are sent
            // again, so the first baseline is taken again (as far as fits).
            let base = match baseline {
                Some(b) => b.min(o),
                None => {
                    let explained = ((bytes as f64) * rate).round() as u64;
                    let b = o.saturating_sub(explained);
                    baseline = Some(b);
                    b
                }
            };
            cycle_start(o, base, &weights)
        } else {
            let prev = turns[i - 1].occupancy;
            let delta = turn.occupancy as i64 - prev as i64;
            growth(delta, &weights)
        };
        out.push(shares);
    }
    out
}

fn cycle_start(occupancy: u64, baseline: u64, weights: &[u64]) -> TurnShares {
    let rest = occupancy - baseline;
    let pieces = proportional(rest, weights);
    let unlogged = if weights.iter().all(|w| *w == 0) {
        rest
    } else {
        0
    };
    TurnShares {
        delta: None,
        baseline,
        pieces,
        unlogged,
        dropped: 0,
    }
}

fn growth(delta: i64, weights: &[u64]) -> TurnShares {
    if delta < 0 {
        return TurnShares {
            delta: Some(delta),
            baseline: 0,
            pieces: vec![0; weights.len()],
            unlogged: 0,
            dropped: delta,
        };
    }
    let d = delta as u64;
    let pieces = proportional(d, weights);
    let unlogged = if weights.iter().all(|w| *w == 0) {
        d
    } else {
        0
    };
    TurnShares {
        delta: Some(delta),
        baseline: 0,
        pieces,
        unlogged,
        dropped: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_add_up_exactly_and_follow_the_weights() {
        assert_eq!(proportional(10, &[1, 1, 1]), vec![4, 3, 3]);
        assert_eq!(proportional(100, &[3, 1]), vec![75, 25]);
        assert_eq!(proportional(7, &[0, 0]), vec![0, 0]);
        assert_eq!(proportional(0, &[5, 5]), vec![0, 0]);
        // 1000 × 2/3 = 666.67 and × 1/3 = 333.33: the larger remainder wins.
        assert_eq!(proportional(1000, &[2, 1]), vec![667, 333]);
        for (total, w) in [
            (12345u64, vec![7u64, 11, 13, 1]),
            (1, vec![1, 1]),
            (u64::MAX / 4, vec![u64::MAX / 8, 3]),
        ] {
            assert_eq!(proportional(total, &w).iter().sum::<u64>(), total);
        }
    }

    #[test]
    fn a_first_turn_its_pieces_over_explain_has_no_baseline_and_still_adds_up() {
        use crate::attribution::content::{Category, Piece};
        use crate::attribution::timeline::{LineFacts, Timeline};
        use crate::record::{DedupKey, Tokens, UsageRecord};
        let mut t = Timeline::new();
        t.feed(LineFacts {
            usage: None,
            compaction: None,
            content: crate::attribution::content::LineContent {
                pieces: vec![Piece {
                    category: Category::Prompt,
                    tool: None,
                    target: None,
                    bytes: 40_000,
                }],
                ..Default::default()
            },
        });
        let r = UsageRecord {
            key: Some(DedupKey::new("m", None)),
            timestamp: 1,
            session_id: "s".into(),
            model: "m".into(),
            tokens: Tokens {
                input: 5000,
                ..Default::default()
            },
            billing: Default::default(),
            sidechain: false,
            cost_usd: None,
            cwd: None,
        };
        t.feed(LineFacts {
            usage: Some(&r),
            compaction: None,
            content: Default::default(),
        });
        let shares = share_out(&t);
        // 40,000 bytes at the default 0.25 would be 10,000 tokens: more than
        // the request held, so no baseline and the prompt takes it all.
        assert_eq!(shares[0].baseline, 0);
        assert_eq!(shares[0].pieces, vec![5000]);
        assert_eq!(shares[0].sum(), 5000);
    }
}
