//! The facts one transcript line can contribute: a usage record, a compaction
//! boundary, or the session/project it belongs to.
//!
//! These are plain values with no lifetimes so they can cross threads and
//! channels (scan workers and the live tailer send them to the ledger).

use serde::{Deserialize, Serialize};
use std::ops::{AddAssign, SubAssign};

/// Milliseconds since the Unix epoch, UTC. Kept as an integer so records are
/// cheap to copy, compare and hash; converted to `chrono` types at the edges.
pub type Millis = i64;

/// The four token counts Claude Code reports for one API response.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tokens {
    pub input: u64,
    pub output: u64,
    pub cache_creation: u64,
    pub cache_read: u64,
}

impl Tokens {
    /// Sum of all four kinds; the dedup rule keeps the copy where this is largest.
    pub fn total(&self) -> u64 {
        self.input
            .saturating_add(self.output)
            .saturating_add(self.cache_creation)
            .saturating_add(self.cache_read)
    }

    /// The prompt size of the request: what the context window held (spec §4).
    pub fn prompt(&self) -> u64 {
        self.input
            .saturating_add(self.cache_creation)
            .saturating_add(self.cache_read)
    }
}

/// The four counts in a fixed order (input, output, cache write, cache
/// read): the compact form the status line's cache stores.
impl From<Tokens> for [u64; 4] {
    fn from(t: Tokens) -> Self {
        [t.input, t.output, t.cache_creation, t.cache_read]
    }
}

impl From<[u64; 4]> for Tokens {
    fn from([input, output, cache_creation, cache_read]: [u64; 4]) -> Self {
        Tokens {
            input,
            output,
            cache_creation,
            cache_read,
        }
    }
}

impl AddAssign for Tokens {
    /// Saturating: counts are below 2^53 (the parser refuses larger ones),
    /// so real sums never come near the limit, but a sum must never wrap.
    fn add_assign(&mut self, o: Tokens) {
        self.input = self.input.saturating_add(o.input);
        self.output = self.output.saturating_add(o.output);
        self.cache_creation = self.cache_creation.saturating_add(o.cache_creation);
        self.cache_read = self.cache_read.saturating_add(o.cache_read);
    }
}

impl SubAssign for Tokens {
    /// Saturating, so a bookkeeping slip can never wrap a counter to 2^64.
    fn sub_assign(&mut self, o: Tokens) {
        self.input = self.input.saturating_sub(o.input);
        self.output = self.output.saturating_sub(o.output);
        self.cache_creation = self.cache_creation.saturating_sub(o.cache_creation);
        self.cache_read = self.cache_read.saturating_sub(o.cache_read);
    }
}

/// What besides the four counts decides a response's price (spec §6).
///
/// Kept apart from `Tokens` because none of it is a token count of its own:
/// 1-hour cache writes are a part of `Tokens::cache_creation`, and fast mode
/// and web searches change the bill without changing what the context holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Billing {
    /// Cache writes with a 1-hour life (`ephemeral_1h_input_tokens`), at
    /// most `Tokens::cache_creation`; the rest of the writes live 5 minutes.
    pub cache_write_1h: u64,
    /// `usage.server_tool_use.web_search_requests`, charged per request.
    pub web_searches: u64,
    /// `usage.speed: "fast"`: billed at a multiple of the model's prices.
    pub fast: bool,
}

impl Billing {
    /// True when nothing here changes the price from the four counts alone.
    pub fn is_plain(&self) -> bool {
        *self == Billing::default()
    }
}

/// The identity of one API response for deduplication (spec §3).
///
/// `message.id` + `requestId` are hashed to 128 bits: compact in memory, and a
/// collision is astronomically unlikely for the few million responses a heavy
/// user accumulates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DedupKey(pub u128);

impl DedupKey {
    pub fn new(message_id: &str, request_id: Option<&str>) -> DedupKey {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        h.update(message_id.as_bytes());
        // 0xff cannot occur in UTF-8, so it separates the two ids unambiguously;
        // the following tag byte keeps "no requestId" apart from an empty one.
        match request_id {
            Some(r) => {
                h.update(&[0xff, 1]);
                h.update(r.as_bytes());
            }
            None => h.update(&[0xff, 0]),
        }
        DedupKey(h.digest128())
    }

    /// The key of step `index` of a response's `usage.iterations` (an
    /// advisor step, spec §3): the response's key and the index, so every
    /// copy of the response gives its steps the same keys.
    pub fn step(self, index: usize) -> DedupKey {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        h.update(&self.0.to_le_bytes());
        h.update(&[0xfe]);
        h.update(&(index as u64).to_le_bytes());
        DedupKey(h.digest128())
    }
}

/// One usage-carrying `assistant` line, reduced to what accounting needs.
#[derive(Debug, Clone, PartialEq)]
pub struct UsageRecord {
    /// `None` when the line has no `message.id`: such a record is never deduplicated.
    pub key: Option<DedupKey>,
    pub timestamp: Millis,
    /// `sessionId` of the line, or the file's fallback session.
    pub session_id: String,
    pub model: String,
    pub tokens: Tokens,
    pub billing: Billing,
    /// True for `isSidechain: true` lines, every line of a subagent file,
    /// subagent responses copied into `progress` lines, and advisor steps.
    pub sidechain: bool,
    /// `costUSD` as written by older Claude Code versions.
    pub cost_usd: Option<f64>,
    /// `cwd` of the line, the session's project path.
    pub cwd: Option<String>,
}

/// A `system` line with `subtype: "compact_boundary"`: the end of a context cycle.
#[derive(Debug, Clone, PartialEq)]
pub struct CompactionMark {
    /// Hash of the line's `uuid`; the same boundary copied into another file
    /// counts once. `None` when the line has no uuid.
    pub uuid: Option<u128>,
    pub timestamp: Millis,
    pub session_id: String,
    /// `auto` or `manual` (or whatever a future version writes).
    pub trigger: Option<String>,
    /// Context size just before compaction, as Claude Code reported it.
    pub pre_tokens: Option<u64>,
    pub cwd: Option<String>,
}

/// One step of a transcript's turn-taking: what the session's state
/// (working, waiting, compacting) is derived from. Only the main chain of a
/// file gives these (a subagent file's own chain is its main chain).
#[derive(Debug, Clone, PartialEq)]
pub struct TurnFact {
    /// `None` when the line has no usable timestamp.
    pub timestamp: Option<Millis>,
    pub event: TurnEvent,
}

/// What a line says about whose move it is.
#[derive(Debug, Clone, PartialEq)]
pub enum TurnEvent {
    /// One line of an assistant response (Claude Code writes one line per
    /// content block, all with the same message id).
    Response {
        /// Hash of `message.id`; `None` when the line has none.
        key: Option<u64>,
        /// `stop_reason` said the turn is over (`end_turn`,
        /// `stop_sequence`, `max_tokens`, `refusal`), or the line is an
        /// error Claude Code wrote itself: the person is next.
        ended: bool,
        /// The `tool_use` blocks of this line: (hash of the id, tool name).
        tools: Vec<(u64, String)>,
    },
    /// A user line carrying `tool_result` blocks, by hash of `tool_use_id`.
    Results(Vec<u64>),
    /// A person's prompt: the model is next.
    Prompt,
    /// The person interrupted the response (`[Request interrupted by user…`).
    Interrupted,
    /// A `system` line with `subtype: "turn_duration"`: the turn is over.
    TurnEnd,
    /// The summary of a compaction (`isCompactSummary: true`) arrived.
    CompactSummary,
}

/// Hash of a tool call or message id, as turn facts carry them.
pub fn id_hash(id: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(id.as_bytes())
}

/// Parse an RFC 3339 timestamp to UTC milliseconds.
pub fn parse_timestamp(s: &str) -> Option<Millis> {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.timestamp_millis())
}

/// Format UTC milliseconds the way Claude Code writes timestamps
/// (`2026-11-20T17:59:03.120Z`), so our output round-trips with the logs.
pub fn format_timestamp(ms: Millis) -> String {
    match chrono::DateTime::from_timestamp_millis(ms) {
        Some(t) => t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        None => String::from("invalid"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip_in_claude_code_format() {
        let ms = parse_timestamp("2026-11-20T17:59:03.120Z").unwrap();
        assert_eq!(format_timestamp(ms), "2026-11-20T17:59:03.120Z");
    }

    #[test]
    fn other_rfc3339_forms_are_accepted_and_normalised_to_utc() {
        let a = parse_timestamp("2026-11-20T19:59:03+02:00").unwrap();
        assert_eq!(format_timestamp(a), "2026-11-20T17:59:03.000Z");
        assert!(parse_timestamp("yesterday").is_none());
    }

    #[test]
    fn dedup_key_separates_field_boundaries() {
        assert_ne!(
            DedupKey::new("ab", Some("c")),
            DedupKey::new("a", Some("bc"))
        );
        assert_ne!(DedupKey::new("a", None), DedupKey::new("a", Some("")));
        assert_eq!(DedupKey::new("m", Some("r")), DedupKey::new("m", Some("r")));
    }

    #[test]
    fn token_sums_saturate_instead_of_wrapping() {
        let mut t = Tokens {
            output: u64::MAX - 1,
            ..Default::default()
        };
        t += Tokens {
            output: 5,
            input: 1,
            ..Default::default()
        };
        assert_eq!(t.output, u64::MAX);
        assert_eq!(t.total(), u64::MAX);
    }

    #[test]
    fn token_subtraction_saturates() {
        let mut t = Tokens {
            input: 1,
            ..Default::default()
        };
        t -= Tokens {
            input: 5,
            output: 2,
            ..Default::default()
        };
        assert_eq!(t, Tokens::default());
    }
}
