//! The main chain of one session as a list of turns: each response's
//! occupancy (the gauge's number, spec §4) and the pieces that arrived
//! since the response before it. Fed one JSON object at a time, in file
//! order, so it can go on from where it stopped as the session grows.
//!
//! A turn is one API response (one dedup key). Claude Code writes a
//! response as one line per content block; the blocks after the first join
//! the pending pieces like everything else, because a response's own output
//! enters the context of the request after it.

use super::content::{Category, LineContent, Piece};
use super::target::ToolCall;
use crate::record::{DedupKey, Millis, UsageRecord};
use rustc_hash::FxHashMap as HashMap;

/// A compaction boundary as the timeline marks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compaction {
    pub timestamp: Millis,
    pub pre_tokens: Option<u64>,
    pub trigger: Option<String>,
}

/// One main-chain response and what came before it.
#[derive(Debug, Clone, PartialEq)]
pub struct Turn {
    pub timestamp: Millis,
    /// Input + cache writes + cache reads of the response (spec §4).
    pub occupancy: u64,
    pub output_tokens: u64,
    key: Option<DedupKey>,
    /// What arrived since the previous response (or since the boundary).
    pub pieces: Vec<Piece>,
    /// A compaction before this turn: it starts a new cycle.
    pub compaction: Option<Compaction>,
    /// A `microcompact_boundary` between this turn and the one before, with
    /// the tokens it says it saved.
    pub microcompact: Option<Option<u64>>,
}

/// One session's main chain, built line by line.
#[derive(Debug, Default)]
pub struct Timeline {
    pub turns: Vec<Turn>,
    pending: Vec<Piece>,
    pending_compaction: Option<Compaction>,
    pending_microcompact: Option<Option<u64>>,
    /// Tool calls not yet answered, by id: a result takes its call's name
    /// and target.
    calls: HashMap<String, ToolCall>,
    /// Ids of the calls the newest response made: a streaming copy of the
    /// response repeats its blocks, which must count once.
    response_calls: Vec<String>,
}

/// What one JSON object of the session's main file says, for the timeline.
pub struct LineFacts<'a> {
    /// The response's usage when the object is a main-chain usage record.
    pub usage: Option<&'a UsageRecord>,
    pub compaction: Option<Compaction>,
    pub content: LineContent,
}

impl Timeline {
    pub fn new() -> Timeline {
        Timeline::default()
    }

    /// Take in one JSON object of the main chain, in file order.
    pub fn feed(&mut self, facts: LineFacts) {
        let LineFacts {
            usage,
            compaction,
            content,
        } = facts;
        if let Some(c) = compaction {
            // What was said before a compaction is not in the context after
            // it: only the summary and what follows are.
            self.pending.clear();
            self.pending_microcompact = None;
            self.pending_compaction = Some(c);
            return;
        }
        if let Some(m) = content.microcompact {
            self.pending_microcompact = Some(m);
        }
        let mut pieces = content.pieces;
        let same = usage.is_some_and(|r| {
            r.key.is_some()
                && self.pending_compaction.is_none()
                && self.turns.last().is_some_and(|t| t.key == r.key)
        });
        if usage.is_some() && !same {
            self.response_calls.clear();
        }
        let mut repeated = Vec::new();
        for call in content.calls {
            if self.response_calls.contains(&call.id) {
                repeated.push(call.piece);
                continue;
            }
            if usage.is_some() {
                self.response_calls.push(call.id.clone());
            }
            self.calls.insert(call.id, call.call);
        }
        for (id, at) in content.results {
            if let (Some(call), Some(piece)) = (self.calls.remove(&id), pieces.get_mut(at)) {
                piece.tool = Some(call.tool);
                piece.target = call.target;
            }
        }
        for piece in &mut pieces {
            if piece.category == Category::ToolResult && piece.tool.is_none() {
                piece.tool = Some("unknown tool".to_owned());
            }
        }
        let pieces: Vec<Piece> = pieces
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !repeated.contains(i))
            .map(|(_, p)| p)
            .collect();
        let Some(record) = usage else {
            self.pending.extend(pieces);
            return;
        };
        if same {
            if let Some(turn) = self.turns.last_mut() {
                // Streaming copies repeat the prompt and grow the output.
                turn.occupancy = turn.occupancy.max(record.tokens.prompt());
                turn.output_tokens = turn.output_tokens.max(record.tokens.output);
            }
            self.pending.extend(pieces);
            return;
        }
        self.turns.push(Turn {
            timestamp: record.timestamp,
            occupancy: record.tokens.prompt(),
            output_tokens: record.tokens.output,
            key: record.key,
            pieces: std::mem::take(&mut self.pending),
            compaction: self.pending_compaction.take(),
            microcompact: self.pending_microcompact.take(),
        });
        self.pending = pieces;
    }

    /// A compaction after the newest response: the context is unknown
    /// until the next one.
    pub fn compacted_since(&self) -> Option<&Compaction> {
        self.pending_compaction.as_ref()
    }

    /// Pieces waiting for the next response.
    pub fn pending(&self) -> &[Piece] {
        &self.pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attribution::content::CallSeen;
    use crate::attribution::target::target_of;
    use crate::record::Tokens;

    fn record(key: &str, prompt: u64, output: u64, ts: Millis) -> UsageRecord {
        UsageRecord {
            key: Some(DedupKey::new(key, None)),
            timestamp: ts,
            session_id: "s".into(),
            model: "m".into(),
            tokens: Tokens {
                input: prompt,
                output,
                ..Default::default()
            },
            billing: Default::default(),
            sidechain: false,
            cost_usd: None,
            cwd: None,
        }
    }

    fn piece(category: Category, bytes: u64) -> Piece {
        Piece {
            category,
            tool: None,
            target: None,
            bytes,
        }
    }

    fn plain(pieces: Vec<Piece>) -> LineFacts<'static> {
        LineFacts {
            usage: None,
            compaction: None,
            content: LineContent {
                pieces,
                ..Default::default()
            },
        }
    }

    #[test]
    fn copies_of_one_response_make_one_turn_and_their_blocks_wait_for_the_next() {
        let mut t = Timeline::new();
        t.feed(plain(vec![piece(Category::Prompt, 10)]));
        let a = record("m1", 100, 5, 1);
        let b = record("m1", 100, 9, 1);
        t.feed(LineFacts {
            usage: Some(&a),
            compaction: None,
            content: LineContent {
                pieces: vec![piece(Category::Output, 3)],
                ..Default::default()
            },
        });
        t.feed(LineFacts {
            usage: Some(&b),
            compaction: None,
            content: LineContent {
                pieces: vec![piece(Category::Output, 4)],
                ..Default::default()
            },
        });
        assert_eq!(t.turns.len(), 1);
        assert_eq!(t.turns[0].output_tokens, 9);
        assert_eq!(t.turns[0].pieces, vec![piece(Category::Prompt, 10)]);
        let sizes: Vec<u64> = t.pending().iter().map(|p| p.bytes).collect();
        assert_eq!(sizes, vec![3, 4]);
    }

    #[test]
    fn a_result_takes_its_calls_name_and_target() {
        let mut t = Timeline::new();
        let call = target_of("Read", &serde_json::json!({"file_path":"/p/x.rs"}));
        let r = record("m1", 100, 5, 1);
        t.feed(LineFacts {
            usage: Some(&r),
            compaction: None,
            content: LineContent {
                calls: vec![CallSeen {
                    id: "t1".into(),
                    call,
                    piece: 0,
                }],
                ..Default::default()
            },
        });
        t.feed(LineFacts {
            usage: None,
            compaction: None,
            content: LineContent {
                pieces: vec![
                    piece(Category::ToolResult, 50),
                    piece(Category::ToolResult, 1),
                ],
                results: vec![("t1".into(), 0), ("t9".into(), 1)],
                ..Default::default()
            },
        });
        let p = t.pending();
        assert_eq!(p[0].tool.as_deref(), Some("Read"));
        assert_eq!(p[0].target.as_deref(), Some("/p/x.rs"));
        assert_eq!(p[1].tool.as_deref(), Some("unknown tool"));
    }

    #[test]
    fn a_boundary_drops_what_came_before_it_and_marks_the_next_turn() {
        let mut t = Timeline::new();
        let r1 = record("m1", 100, 5, 1);
        let r2 = record("m2", 30, 5, 3);
        t.feed(LineFacts {
            usage: Some(&r1),
            compaction: None,
            content: LineContent::default(),
        });
        t.feed(plain(vec![piece(Category::Prompt, 99)]));
        let mark = Compaction {
            timestamp: 2,
            pre_tokens: Some(100),
            trigger: Some("manual".into()),
        };
        t.feed(LineFacts {
            usage: None,
            compaction: Some(mark.clone()),
            content: LineContent::default(),
        });
        assert_eq!(t.compacted_since(), Some(&mark));
        t.feed(plain(vec![piece(Category::CompactSummary, 7)]));
        t.feed(LineFacts {
            usage: Some(&r2),
            compaction: None,
            content: LineContent::default(),
        });
        assert_eq!(t.turns[1].compaction, Some(mark));
        assert_eq!(t.turns[1].pieces, vec![piece(Category::CompactSummary, 7)]);
        assert_eq!(t.compacted_since(), None);
    }
}
