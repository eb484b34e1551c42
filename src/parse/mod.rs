//! One transcript line in, at most one fact out (spec §2–3).
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

mod lenient;
mod skip;

pub use skip::{SkipCounts, SkipReason};

use crate::record::{CompactionMark, DedupKey, Millis, Tokens, UsageRecord, parse_timestamp};
use lenient::{Bool, Count, Float, Object, Str};
use memchr::memmem;
use serde::Deserialize;

/// What the parser needs to know about the file a line came from.
#[derive(Debug, Clone)]
pub struct FileContext {
    /// The session a line belongs to when it has no `sessionId` field.
    pub fallback_session: String,
    /// Every line of a subagent file is sidechain (spec §3).
    pub subagent: bool,
}

/// The one fact a line contributes.
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
    /// A valid line that carries nothing ccwatch accounts.
    Ignored,
    Skipped(SkipReason),
}

/// How much of a line the caller wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// Usage and compactions only: the fast path for everything but the
    /// first lines of a file.
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
}

/// `message` of an assistant line. `content` is not named, so serde skips it
/// as an unknown field without building it.
#[derive(Deserialize, Default)]
#[serde(default)]
struct RawMessage<'a> {
    #[serde(borrow)]
    id: Str<'a>,
    #[serde(borrow)]
    model: Str<'a>,
    usage: Object<RawUsage>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawUsage {
    input_tokens: Count,
    output_tokens: Count,
    cache_creation_input_tokens: Count,
    cache_read_input_tokens: Count,
    cache_creation: Object<RawCacheSplit>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawCacheSplit {
    ephemeral_5m_input_tokens: Count,
    ephemeral_1h_input_tokens: Count,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct RawCompactMetadata<'a> {
    #[serde(borrow)]
    trigger: Str<'a>,
    pre_tokens: Count,
}

/// The model name Claude Code writes for locally generated (error) messages.
const SYNTHETIC_MODEL: &str = "<synthetic>";

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
    USAGE.find(line).is_some() || COMPACT.find(line).is_some()
}

/// Cheap structural check for lines the pre-filter lets through unparsed, so
/// that truncated or non-UTF-8 lines are counted even when they carry nothing
/// we account.
fn shallow_check(line: &[u8]) -> Result<(), SkipReason> {
    if simdutf8::basic::from_utf8(line).is_err() {
        return Err(SkipReason::InvalidUtf8);
    }
    let t = line.trim_ascii();
    if t.first() != Some(&b'{') || t.last() != Some(&b'}') {
        return Err(SkipReason::Malformed);
    }
    Ok(())
}

/// Parse one line (without its `\n`).
pub fn parse_line(line: &[u8], file: &FileContext, want: Want) -> Parsed {
    if line.trim_ascii().is_empty() {
        return Parsed::Skipped(SkipReason::Blank);
    }
    if want == Want::Accounting && !may_account(line) {
        return match shallow_check(line) {
            Ok(()) => Parsed::Ignored,
            Err(reason) => Parsed::Skipped(reason),
        };
    }
    let Ok(text) = simdutf8::basic::from_utf8(line) else {
        return Parsed::Skipped(SkipReason::InvalidUtf8);
    };
    let raw: RawLine = match serde_json::from_str(text) {
        Ok(raw) => raw,
        Err(_) => return Parsed::Skipped(SkipReason::Malformed),
    };
    interpret(raw, file, want)
}

fn interpret(raw: RawLine, file: &FileContext, want: Want) -> Parsed {
    let session_id = || {
        raw.session_id
            .as_deref()
            .unwrap_or(&file.fallback_session)
            .to_owned()
    };
    let cwd = || raw.cwd.as_deref().map(str::to_owned);
    match (raw.kind.as_deref(), raw.subtype.as_deref()) {
        (Some("assistant"), _) => {
            let Some(message) = &raw.message.0 else {
                return Parsed::Skipped(SkipReason::InvalidUsage);
            };
            let Some(usage) = &message.usage.0 else {
                // An assistant line without usage carries nothing to account.
                return Parsed::Ignored;
            };
            let model = message.model.as_deref().unwrap_or("unknown");
            if model == SYNTHETIC_MODEL || raw.is_api_error_message.0 == Some(true) {
                return Parsed::Ignored;
            }
            let Some(tokens) = tokens(usage) else {
                return Parsed::Skipped(SkipReason::InvalidUsage);
            };
            let Some(timestamp) = raw.timestamp.as_deref().and_then(parse_timestamp) else {
                return Parsed::Skipped(SkipReason::BadTimestamp);
            };
            Parsed::Usage(UsageRecord {
                key: message
                    .id
                    .as_deref()
                    .map(|id| DedupKey::new(id, raw.request_id.as_deref())),
                timestamp,
                session_id: session_id(),
                model: model.to_owned(),
                tokens,
                sidechain: file.subagent || raw.is_sidechain.0 == Some(true),
                cost_usd: raw.cost_usd.0,
                cwd: cwd(),
            })
        }
        (Some("system"), Some("compact_boundary")) => {
            let Some(timestamp) = raw.timestamp.as_deref().and_then(parse_timestamp) else {
                return Parsed::Skipped(SkipReason::BadTimestamp);
            };
            let meta = raw.compact_metadata.0.as_ref();
            Parsed::Compaction(CompactionMark {
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
            })
        }
        _ if want == Want::Entries => match raw.session_id.as_deref() {
            Some(id) => Parsed::Entry {
                session_id: id.to_owned(),
                cwd: cwd(),
                timestamp: raw.timestamp.as_deref().and_then(parse_timestamp),
            },
            None => Parsed::Ignored,
        },
        _ => Parsed::Ignored,
    }
}

/// The four counts of a `usage` object, or `None` if any is not a count.
fn tokens(u: &RawUsage) -> Option<Tokens> {
    let mut cache_creation = u.cache_creation_input_tokens.get().ok()?;
    if cache_creation == 0
        && let Some(split) = &u.cache_creation.0
    {
        // Newer versions split cache writes by lifetime; when only the split
        // is filled in, it is the count (spec §3).
        cache_creation = split.ephemeral_5m_input_tokens.get().ok()?
            + split.ephemeral_1h_input_tokens.get().ok()?;
    }
    Some(Tokens {
        input: u.input_tokens.get().ok()?,
        output: u.output_tokens.get().ok()?,
        cache_creation,
        cache_read: u.cache_read_input_tokens.get().ok()?,
    })
}

#[cfg(test)]
mod tests;
