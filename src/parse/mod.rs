//! One transcript line in, the facts it holds out (spec §2–3).
//!
//! Most lines hold one fact or none. Some hold more: two JSON objects
//! written back to back on one line, and a response whose advisor steps are
//! usage records of their own. Each fact comes with its position in the
//! line, so that facts from one line stay distinct and in order.
//!
//! The parser is the only place that knows Claude Code's JSON shapes. It is
//! lenient about input (bad lines are skipped and counted by reason, fields of
//! the wrong type read as absent) and exact about output (a usage count that is
//! present but not a count skips the line rather than guessing).
//!
//! Speed matters because heavy users have gigabytes of transcripts: a byte
//! pre-filter rejects lines that cannot carry usage or a compaction before any
//! JSON is parsed, and the lines that are parsed borrow their strings and skip
//! `message.content` (the bulk of every line) without allocating.

pub mod codex;
mod lenient;
mod skip;
mod title;
mod turn;

pub use codex::{RolloutState, parse_rollout_line};
pub use skip::{SkipCounts, SkipReason};
pub use title::{TitleKind, first_prompt, may_title, one_line};
pub use turn::parse_turn;

use crate::record::{
    Billing, CompactionMark, DedupKey, Millis, Tokens, TurnFact, UsageRecord, parse_timestamp,
};
use lenient::{Bool, Count, Float, List, Object, Str};
use memchr::memmem;
use serde::Deserialize;
use smallvec::SmallVec;

/// What the parser needs to know about the file a line came from.
#[derive(Debug, Clone)]
pub struct FileContext {
    /// The session a line belongs to when it has no `sessionId` field.
    pub fallback_session: String,
    /// Every line of a subagent file is sidechain (spec §3).
    pub subagent: bool,
}

/// One fact a line contributes.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    Usage(UsageRecord),
    Compaction(CompactionMark),
    /// Any other entry that names its session; lets a session appear (with
    /// its project) before its first response arrives.
    Entry {
        session_id: String,
        cwd: Option<String>,
        timestamp: Option<Millis>,
    },
    /// A step of the turn-taking (only from `parse_line_with_turns`).
    Turn(TurnFact),
    /// A name for the session: a title line, or the first typed prompt.
    Title {
        session_id: String,
        kind: TitleKind,
        text: String,
    },
    /// A Codex session's window and rate limits (docs/codex-rollouts.md).
    Limits(crate::agent::AgentLimits),
    Skipped(SkipReason),
}

/// The facts of one line, each with its byte position in the line.
///
/// The position of a JSON object is where it starts; an advisor step of a
/// response sits at the response's position plus one plus its index. Those
/// positions are inside the response's own bytes (an object with k steps is
/// far longer than k + 1 bytes), so no two facts of a file share a position.
pub type Facts = SmallVec<[(u64, Parsed); 1]>;

/// How much of a line the caller wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// Usage and compactions only: the fast path for most lines.
    Accounting,
    /// Also `Parsed::Entry` for lines that only name their session.
    Entries,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct RawLine<'a> {
    #[serde(rename = "type", borrow)]
    kind: Str<'a>,
    #[serde(borrow)]
    subtype: Str<'a>,
    #[serde(borrow)]
    session_id: Str<'a>,
    #[serde(borrow)]
    cwd: Str<'a>,
    #[serde(borrow)]
    timestamp: Str<'a>,
    #[serde(borrow)]
    uuid: Str<'a>,
    is_sidechain: Bool,
    #[serde(borrow)]
    request_id: Str<'a>,
    is_api_error_message: Bool,
    #[serde(rename = "costUSD")]
    cost_usd: Float,
    #[serde(borrow)]
    message: Object<RawMessage<'a>>,
    #[serde(borrow)]
    compact_metadata: Object<RawCompactMetadata<'a>>,
    /// Of `progress` lines: a subagent's response copied into the parent.
    #[serde(borrow)]
    data: Object<RawProgress<'a>>,
    #[serde(borrow)]
    ai_title: Str<'a>,
    #[serde(borrow)]
    custom_title: Str<'a>,
    #[serde(borrow)]
    summary: Str<'a>,
}

/// `message` of an assistant line. Of `content` only each block's `type`,
/// `id` and `name` are read (the tool calls); the text and tool inputs are
/// skipped as unknown fields without being built.
#[derive(Deserialize, Default)]
#[serde(default)]
struct RawMessage<'a> {
    #[serde(borrow)]
    id: Str<'a>,
    #[serde(borrow)]
    model: Str<'a>,
    #[serde(borrow)]
    usage: Object<RawUsage<'a>>,
    #[serde(borrow)]
    stop_reason: Str<'a>,
    #[serde(borrow)]
    content: List<turn::RawBlock<'a>>,
}

/// A `usage` object, and also one step of its `iterations` (which has the
/// same counts plus `type` and `model`).
#[derive(Deserialize, Default)]
#[serde(default)]
struct RawUsage<'a> {
    #[serde(rename = "type", borrow)]
    kind: Str<'a>,
    #[serde(borrow)]
    model: Str<'a>,
    input_tokens: Count,
    output_tokens: Count,
    cache_creation_input_tokens: Count,
    cache_read_input_tokens: Count,
    cache_creation: Object<RawCacheSplit>,
    #[serde(borrow)]
    speed: Str<'a>,
    server_tool_use: Object<RawServerTools>,
    #[serde(borrow)]
    iterations: List<RawUsage<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawCacheSplit {
    ephemeral_5m_input_tokens: Count,
    ephemeral_1h_input_tokens: Count,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawServerTools {
    web_search_requests: Count,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct RawCompactMetadata<'a> {
    #[serde(borrow)]
    trigger: Str<'a>,
    pre_tokens: Count,
}

/// `data` of a `progress` line of `type: "agent_progress"`.
#[derive(Deserialize, Default)]
#[serde(default)]
struct RawProgress<'a> {
    #[serde(borrow)]
    message: Object<RawCopiedLine<'a>>,
}

/// The subagent's line as copied into `data.message`.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct RawCopiedLine<'a> {
    #[serde(rename = "type", borrow)]
    kind: Str<'a>,
    #[serde(borrow)]
    timestamp: Str<'a>,
    #[serde(borrow)]
    request_id: Str<'a>,
    is_api_error_message: Bool,
    #[serde(rename = "costUSD")]
    cost_usd: Float,
    #[serde(borrow)]
    message: Object<RawMessage<'a>>,
}

/// The model name Claude Code writes for locally generated (error) messages.
const SYNTHETIC_MODEL: &str = "<synthetic>";

/// `usage.iterations[].type` of a step by another model, not included in
/// the response's top-level usage (spec §3, v2).
const ADVISOR_STEP: &str = "advisor_message";

/// Could this line carry usage or a compaction boundary? Byte search only.
///
/// The needles are JSON string tokens, not `"key":"value"` pairs, so lines
/// re-serialised with spaces after `:` and `,` still pass (spec §2). False
/// positives only cost a parse.
pub fn may_account(line: &[u8]) -> bool {
    static USAGE: std::sync::LazyLock<memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memmem::Finder::new(b"\"usage\""));
    static COMPACT: std::sync::LazyLock<memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memmem::Finder::new(b"\"compact_boundary\""));
    USAGE.find(line).is_some() || COMPACT.find(line).is_some() || escapes_a_key_letter(line)
}

/// Whether the line writes one of the needles' letters as a `\u00XX`
/// escape (`"\u0075sage"` is `"usage"` to a JSON reader): valid JSON the
/// needles would miss. Control characters (`\u001b` of terminal colours,
/// common in tool output) are not letters, so such lines still skip the
/// parse.
fn escapes_a_key_letter(line: &[u8]) -> bool {
    static ESCAPE: std::sync::LazyLock<memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memmem::Finder::new(b"\\u00"));
    // The letters of "usage" and "compact_boundary", as hex.
    const LETTERS: [&[u8; 2]; 16] = [
        b"75", b"73", b"61", b"67", b"65", b"63", b"6f", b"6d", b"70", b"74", b"5f", b"62", b"6e",
        b"64", b"72", b"79",
    ];
    ESCAPE.find_iter(line).any(|at| {
        line.get(at + 4..at + 6).is_some_and(|hex| {
            let hex = [hex[0].to_ascii_lowercase(), hex[1].to_ascii_lowercase()];
            LETTERS.iter().any(|l| **l == hex)
        })
    })
}

/// Cheap structural check for lines the pre-filter lets through unparsed, so
/// that truncated or non-UTF-8 lines are counted even when they carry nothing
/// we account.
pub(crate) fn shallow_check(line: &[u8]) -> Result<(), SkipReason> {
    if simdutf8::basic::from_utf8(line).is_err() {
        return Err(SkipReason::InvalidUtf8);
    }
    let t = line.trim_ascii();
    if t.first() != Some(&b'{') || t.last() != Some(&b'}') {
        return Err(SkipReason::Malformed);
    }
    Ok(())
}

/// The UTF-8 byte order mark some editors put before a file's first byte.
pub(crate) const BOM: &[u8] = b"\xef\xbb\xbf";

/// Parse one line (without its `\n`; a `\r` before it and a leading byte
/// order mark are allowed) into its facts. A line that carries nothing
/// ccwatch accounts gives no facts.
pub fn parse_line(line: &[u8], file: &FileContext, want: Want) -> Facts {
    parse(line, file, want, false)
}

/// `parse_line`, plus a `Parsed::Turn` for each main-chain assistant line
/// (at the line's position, before its usage). The other lines' turns are
/// read by `parse_turn`, only for the lines that can still matter.
pub fn parse_line_with_turns(line: &[u8], file: &FileContext, want: Want) -> Facts {
    parse(line, file, want, true)
}

fn parse(line: &[u8], file: &FileContext, want: Want, turns: bool) -> Facts {
    let mut facts = Facts::new();
    let (skip, line) = match line.strip_prefix(BOM) {
        Some(rest) => (BOM.len() as u64, rest),
        None => (0, line),
    };
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.trim_ascii().is_empty() {
        facts.push((0, Parsed::Skipped(SkipReason::Blank)));
        return facts;
    }
    if want == Want::Accounting && !may_account(line) && !title::may_title(line) {
        if let Err(reason) = shallow_check(line) {
            facts.push((0, Parsed::Skipped(reason)));
        }
        return facts;
    }
    let Ok(text) = simdutf8::basic::from_utf8(line) else {
        facts.push((0, Parsed::Skipped(SkipReason::InvalidUtf8)));
        return facts;
    };
    // Objects back to back (`…}{"type":…`) are read one after the other; a
    // broken one ends the line, keeping those before it (spec §2, v2).
    let mut at = 0usize;
    loop {
        let rest = &text[at..];
        let start = skip + (at as u64) + leading_space(rest);
        let mut objects = serde_json::Deserializer::from_str(rest).into_iter::<RawLine>();
        match objects.next() {
            None => break,
            Some(Ok(raw)) => {
                interpret(raw, file, want, turns, start, &mut facts);
                at += objects.byte_offset();
            }
            Some(Err(e)) if e.to_string().starts_with("duplicate field") => {
                let Some((json, used)) = last_value_wins(rest) else {
                    facts.push((start, Parsed::Skipped(SkipReason::Malformed)));
                    break;
                };
                match serde_json::from_str::<RawLine>(&json) {
                    Ok(raw) => interpret(raw, file, want, turns, start, &mut facts),
                    Err(_) => {
                        facts.push((start, Parsed::Skipped(SkipReason::Malformed)));
                        break;
                    }
                }
                at += used;
            }
            Some(Err(_)) => {
                facts.push((start, Parsed::Skipped(SkipReason::Malformed)));
                break;
            }
        }
    }
    facts
}

/// An object with a key twice, as JSON readers take it: the last value
/// wins. Rare (serde refuses such an object outright, so this slow path
/// runs only then): the next object of `text` rewritten with each key
/// once, and how many bytes of `text` it took.
fn last_value_wins(text: &str) -> Option<(String, usize)> {
    let mut values = serde_json::Deserializer::from_str(text).into_iter::<serde_json::Value>();
    let value = values.next()?.ok()?;
    Some((value.to_string(), values.byte_offset()))
}

/// Bytes of whitespace before the next object.
fn leading_space(s: &str) -> u64 {
    (s.len() - s.trim_start().len()) as u64
}

fn interpret(
    raw: RawLine,
    file: &FileContext,
    want: Want,
    turns: bool,
    at: u64,
    facts: &mut Facts,
) {
    let session_id = || {
        raw.session_id
            .as_deref()
            .unwrap_or(&file.fallback_session)
            .to_owned()
    };
    // An empty `cwd` names no folder: the project comes from another line
    // or the folder name (spec §3).
    let cwd = || {
        raw.cwd
            .as_deref()
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
    };
    let line = Line {
        session_id: &session_id,
        cwd: &cwd,
        at,
    };
    match (raw.kind.as_deref(), raw.subtype.as_deref()) {
        (Some("assistant"), _) => {
            let Some(message) = &raw.message.0 else {
                facts.push((at, Parsed::Skipped(SkipReason::InvalidUsage)));
                return;
            };
            let error = raw.is_api_error_message.0 == Some(true);
            if turns && (file.subagent || raw.is_sidechain.0 != Some(true)) {
                let fact = turn::response(message, error, raw.timestamp.as_deref());
                facts.push((at, Parsed::Turn(fact)));
            }
            if error {
                return;
            }
            let response = Response {
                message,
                request_id: raw.request_id.as_deref(),
                timestamp: raw.timestamp.as_deref(),
                cost_usd: raw.cost_usd.0,
                sidechain: file.subagent || raw.is_sidechain.0 == Some(true),
            };
            line.usage(&response, facts);
        }
        (Some("progress"), _) => {
            let copied = raw
                .data
                .0
                .as_ref()
                .and_then(|d| d.message.0.as_ref())
                .filter(|m| m.kind.as_deref() == Some("assistant"));
            let Some((copied, message)) = copied.and_then(|c| Some((c, c.message.0.as_ref()?)))
            else {
                if want == Want::Entries {
                    line.entry(raw.session_id.as_deref(), raw.timestamp.as_deref(), facts);
                }
                return;
            };
            // A copy without a timestamp of its own is skipped (spec §3):
            // the progress line's own time is when it was copied, not when
            // the subagent's response was written. A copy of an API error
            // is ignored like the error itself.
            if copied.timestamp.as_deref().is_none() || copied.is_api_error_message.0 == Some(true)
            {
                return;
            }
            let response = Response {
                message,
                request_id: copied.request_id.as_deref(),
                timestamp: copied.timestamp.as_deref(),
                cost_usd: copied.cost_usd.0,
                sidechain: true,
            };
            line.usage(&response, facts);
        }
        (Some("system"), Some("compact_boundary")) => {
            let Some(timestamp) = raw.timestamp.as_deref().and_then(parse_timestamp) else {
                facts.push((at, Parsed::Skipped(SkipReason::BadTimestamp)));
                return;
            };
            let meta = raw.compact_metadata.0.as_ref();
            let mark = CompactionMark {
                uuid: raw
                    .uuid
                    .as_deref()
                    .map(|u| xxhash_rust::xxh3::xxh3_128(u.as_bytes())),
                timestamp,
                session_id: session_id(),
                trigger: meta.and_then(|m| m.trigger.as_deref().map(str::to_owned)),
                pre_tokens: meta.and_then(|m| match m.pre_tokens {
                    Count::Value(v) => Some(v),
                    _ => None,
                }),
                cwd: cwd(),
            };
            facts.push((at, Parsed::Compaction(mark)));
        }
        (Some(kind @ ("ai-title" | "custom-title" | "summary")), _) => {
            let (kind, text) = match kind {
                "ai-title" => (TitleKind::Ai, &raw.ai_title),
                "custom-title" => (TitleKind::Custom, &raw.custom_title),
                _ => (TitleKind::Summary, &raw.summary),
            };
            // A subagent's title names its task, not the session.
            if !file.subagent
                && let Some(fact) = text
                    .as_deref()
                    .and_then(|t| title::title_fact(session_id(), kind, t))
            {
                facts.push((at, fact));
            }
            if want == Want::Entries {
                line.entry(raw.session_id.as_deref(), raw.timestamp.as_deref(), facts);
            }
        }
        _ if want == Want::Entries => {
            line.entry(raw.session_id.as_deref(), raw.timestamp.as_deref(), facts)
        }
        _ => {}
    }
}

/// What every fact of one JSON object shares.
struct Line<'f> {
    session_id: &'f dyn Fn() -> String,
    cwd: &'f dyn Fn() -> Option<String>,
    at: u64,
}

/// A response as written, in its own line or copied into a progress line.
struct Response<'r, 'a> {
    message: &'r RawMessage<'a>,
    request_id: Option<&'r str>,
    timestamp: Option<&'r str>,
    cost_usd: Option<f64>,
    sidechain: bool,
}

impl Line<'_> {
    fn entry(&self, session_id: Option<&str>, timestamp: Option<&str>, facts: &mut Facts) {
        if let Some(id) = session_id {
            facts.push((
                self.at,
                Parsed::Entry {
                    session_id: id.to_owned(),
                    cwd: (self.cwd)(),
                    timestamp: timestamp.and_then(parse_timestamp),
                },
            ));
        }
    }

    /// The response's record, then one record per advisor step.
    fn usage(&self, r: &Response, facts: &mut Facts) {
        let Some(usage) = &r.message.usage.0 else {
            // An assistant line without usage carries nothing to account.
            return;
        };
        let model = r.message.model.as_deref().unwrap_or("unknown");
        if model == SYNTHETIC_MODEL {
            return;
        }
        let (Some((tokens, billing)), Some(steps)) = (counts(usage), advisor_steps(usage)) else {
            facts.push((self.at, Parsed::Skipped(SkipReason::InvalidUsage)));
            return;
        };
        let Some(timestamp) = r.timestamp.and_then(parse_timestamp) else {
            facts.push((self.at, Parsed::Skipped(SkipReason::BadTimestamp)));
            return;
        };
        let key = r
            .message
            .id
            .as_deref()
            .map(|id| DedupKey::new(id, r.request_id));
        let record = |key, model: &str, tokens, billing, sidechain, cost_usd| UsageRecord {
            key,
            timestamp,
            session_id: (self.session_id)(),
            model: model.to_owned(),
            tokens,
            billing,
            sidechain,
            cost_usd,
            cwd: (self.cwd)(),
        };
        facts.push((
            self.at,
            Parsed::Usage(record(key, model, tokens, billing, r.sidechain, r.cost_usd)),
        ));
        for (n, (index, step_model, tokens, billing)) in steps.into_iter().enumerate() {
            let step_model = step_model.unwrap_or(model);
            let usage = record(
                key.map(|k| k.step(index)),
                step_model,
                tokens,
                billing,
                true,
                None,
            );
            facts.push((self.at + 1 + n as u64, Parsed::Usage(usage)));
        }
    }
}

/// The four counts and the billing facts of a `usage` object, or `None` if
/// any count is not a count.
fn counts(u: &RawUsage) -> Option<(Tokens, Billing)> {
    let stated = u.cache_creation_input_tokens.get().ok()?;
    let (five_min, one_hour) = match &u.cache_creation.0 {
        Some(split) => (
            split.ephemeral_5m_input_tokens.get().ok()?,
            split.ephemeral_1h_input_tokens.get().ok()?,
        ),
        None => (0, 0),
    };
    // Newer versions split cache writes by lifetime; when only the split is
    // filled in, it is the count (spec §3).
    let cache_creation = if stated == 0 {
        five_min + one_hour
    } else {
        stated
    };
    let tokens = Tokens {
        input: u.input_tokens.get().ok()?,
        output: u.output_tokens.get().ok()?,
        cache_creation,
        cache_read: u.cache_read_input_tokens.get().ok()?,
    };
    let billing = Billing {
        cache_write_1h: one_hour.min(cache_creation),
        web_searches: match &u.server_tool_use.0 {
            Some(tools) => tools.web_search_requests.get().ok()?,
            None => 0,
        },
        fast: u.speed.as_deref() == Some("fast"),
    };
    Some((tokens, billing))
}

/// The advisor steps of a response (index in `iterations`, model, counts),
/// or `None` if one has a count that is not a count. Steps of type
/// `message` are already in the top-level usage and are not returned.
type Step<'u> = (usize, Option<&'u str>, Tokens, Billing);

fn advisor_steps<'u>(u: &'u RawUsage) -> Option<Vec<Step<'u>>> {
    let mut steps = Vec::new();
    for (index, step) in u.iterations.0.iter().enumerate() {
        if step.kind.as_deref() != Some(ADVISOR_STEP) {
            continue;
        }
        let (tokens, billing) = counts(step)?;
        steps.push((index, step.model.as_deref(), tokens, billing));
    }
    Some(steps)
}

#[cfg(test)]
mod tests;
