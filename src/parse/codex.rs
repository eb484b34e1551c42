//! One Codex CLI rollout line in, the facts it holds out
//! (docs/codex-rollouts.md): the session's id and project from its
//! `session_meta`, the model from `turn_context`, from each `token_count` a
//! usage record of the newest response plus the window and rate limits it
//! reports, and from the turn events whose move it is (working, waiting).
//!
//! Unlike a Claude Code line, a rollout line does not say everything about
//! itself: the model and the session come from earlier lines of the same
//! file. That memory is `RolloutState`, a plain value the file's reader
//! keeps (and the index stores) beside its offset.

use super::lenient::{Count, Float, Object, Str};
use super::{BOM, Facts, FileContext, Parsed, SkipReason, shallow_check};
use crate::agent::{AgentLimits, RateLimits, RateWindow};
use crate::record::{
    Billing, CompactionMark, DedupKey, Millis, Tokens, TurnEvent, TurnFact, UsageRecord,
    parse_timestamp,
};
use memchr::memmem;
use serde::{Deserialize, Serialize};

/// What a rollout's earlier lines said that its later lines need.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolloutState {
    /// `id` of the file's first `session_meta`: the file's own session.
    pub session: Option<String>,
    /// `cwd` of that line.
    pub cwd: Option<String>,
    /// `id` of the newest `session_meta` read: in a fork, the parent's, whose
    /// copied history follows it (the lineage in a record's key).
    pub lineage: Option<String>,
    /// `model` of the newest `turn_context`.
    pub model: Option<String>,
    /// `input_tokens` of the newest response: what a compaction replaced.
    #[serde(default)]
    pub last_input: Option<u64>,
    /// `compacted` lines read so far: each one's identity in the file.
    #[serde(default)]
    pub compactions: u64,
}

/// The model of responses no `turn_context` preceded.
pub const UNKNOWN_MODEL: &str = "unknown";

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawRollout<'a> {
    #[serde(borrow)]
    timestamp: Str<'a>,
    #[serde(rename = "type", borrow)]
    kind: Str<'a>,
    #[serde(borrow)]
    payload: Object<RawPayload<'a>>,
}

/// The payload of the three line kinds read, in one shape: each reads the
/// fields it has and leaves the others absent.
#[derive(Deserialize, Default)]
#[serde(default)]
struct RawPayload<'a> {
    #[serde(rename = "type", borrow)]
    kind: Str<'a>,
    #[serde(borrow)]
    id: Str<'a>,
    #[serde(borrow)]
    cwd: Str<'a>,
    #[serde(borrow)]
    model: Str<'a>,
    info: Object<RawInfo>,
    rate_limits: Object<RawRateLimits>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawInfo {
    total_token_usage: Object<RawTokenUsage>,
    last_token_usage: Object<RawTokenUsage>,
    model_context_window: Count,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawTokenUsage {
    input_tokens: Count,
    /// Newer versions (0.171): the part of the input written to the cache.
    cache_write_input_tokens: Count,
    cached_input_tokens: Count,
    output_tokens: Count,
    reasoning_output_tokens: Count,
    total_tokens: Count,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawRateLimits {
    primary: Object<RawRateWindow>,
    secondary: Object<RawRateWindow>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawRateWindow {
    used_percent: Float,
    window_minutes: Float,
    resets_at: Float,
    /// Older Codex versions wrote the seconds left instead of the time.
    resets_in_seconds: Float,
}

/// Codex's counts: input, cached input, output, reasoning, total, and
/// (newer versions, 0 before) cache writes.
type Counts = [u64; 6];

impl RawTokenUsage {
    /// `Err` when a count is present but not a count: the line is skipped.
    fn counts(&self) -> Result<Counts, ()> {
        Ok([
            self.input_tokens.get()?,
            self.cached_input_tokens.get()?,
            self.output_tokens.get()?,
            self.reasoning_output_tokens.get()?,
            self.total_tokens.get()?,
            self.cache_write_input_tokens.get()?,
        ])
    }
}

/// Codex's counts as ccwatch's four kinds: the cached part of the input is
/// a cache read, the part written to the cache a cache write, the rest
/// input; output already holds the reasoning (never added again). The
/// parts never add up to more than the input.
pub fn tokens_of(input: u64, cached: u64, written: u64, output: u64) -> Tokens {
    let cache_read = cached.min(input);
    let cache_creation = written.min(input - cache_read);
    Tokens {
        input: input - cache_read - cache_creation,
        output,
        cache_creation,
        cache_read,
    }
}

/// A response's identity: its lineage and both usages (see the spec, §4),
/// so a re-emitted count and a fork's copy of its parent's history are the
/// same record.
fn key_of(lineage: &str, total: &Counts, last: &Counts) -> DedupKey {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(b"codex\xff");
    h.update(lineage.as_bytes());
    h.update(&[0xff]);
    for n in total.iter().chain(last) {
        h.update(&n.to_le_bytes());
    }
    DedupKey(h.digest128())
}

/// The `event_msg` types that say whose move it is, and what they say:
/// a turn began (the model's move), ended, or was interrupted (the
/// person's). Codex writes `task_started`/`task_complete` and reads the
/// `turn_` names too (`EventMsg::TurnStarted`, `TurnComplete`,
/// `TurnAborted` in `codex-rs/protocol/src/protocol.rs`).
fn turn_event(kind: &str) -> Option<TurnEvent> {
    match kind {
        "task_started" | "turn_started" => Some(TurnEvent::Prompt),
        "task_complete" | "turn_complete" => Some(TurnEvent::TurnEnd),
        "turn_aborted" => Some(TurnEvent::Interrupted),
        _ => None,
    }
}

/// The JSON strings one of the lines read must hold.
const NEEDLES: [&[u8]; 9] = [
    b"\"token_count\"",
    b"\"compacted\"",
    b"\"session_meta\"",
    b"\"turn_context\"",
    b"\"task_started\"",
    b"\"task_complete\"",
    b"\"turn_started\"",
    b"\"turn_complete\"",
    b"\"turn_aborted\"",
];

/// Could the line be one of the kinds read? Byte search only. Codex writes
/// `timestamp`, then `type`, first: a `response_item` (most of a rollout's
/// bytes: messages, reasoning, tool output) says so in its first bytes and
/// is not searched further. A line written in another key order is
/// searched whole, so it is never missed, only slower.
fn may_matter(line: &[u8]) -> bool {
    let head = &line[..line.len().min(96)];
    if memmem::find(head, b"\"response_item\"").is_some() {
        return false;
    }
    NEEDLES.iter().any(|n| memmem::find(line, n).is_some())
}

/// Parse one rollout line (without its `\n`) into its facts, updating the
/// file's `state`. Lines of no interest give nothing; broken ones are
/// skipped and counted as for Claude Code.
pub fn parse_rollout_line(line: &[u8], file: &FileContext, state: &mut RolloutState) -> Facts {
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
    if !may_matter(line) {
        if let Err(reason) = shallow_check(line) {
            facts.push((0, Parsed::Skipped(reason)));
        }
        return facts;
    }
    let at = skip + (line.len() - line.trim_ascii_start().len()) as u64;
    let raw = match serde_json::from_slice::<RawRollout>(line) {
        Ok(raw) => raw,
        Err(_) => {
            let reason = match simdutf8::basic::from_utf8(line) {
                Ok(_) => SkipReason::Malformed,
                Err(_) => SkipReason::InvalidUtf8,
            };
            facts.push((at, Parsed::Skipped(reason)));
            return facts;
        }
    };
    let Some(payload) = raw.payload.0 else {
        return facts;
    };
    let timestamp = raw.timestamp.as_deref().and_then(parse_timestamp);
    match raw.kind.as_deref() {
        Some("session_meta") => {
            let id = payload.id.as_deref().map(str::to_owned);
            if state.session.is_none() {
                state.session = id.clone();
                state.cwd = payload.cwd.as_deref().map(str::to_owned);
                facts.push((
                    at,
                    Parsed::Entry {
                        session_id: session_of(state, file),
                        cwd: state.cwd.clone(),
                        timestamp,
                    },
                ));
            }
            if id.is_some() {
                state.lineage = id;
            }
        }
        Some("compacted") => {
            // Codex replaced the history with a summary: what the gauge
            // showed is gone until the next response. Each file counts its
            // own (a fork's copies included: its context went through them).
            if let Some(timestamp) = timestamp {
                state.compactions += 1;
                let session = session_of(state, file);
                let mut h = xxhash_rust::xxh3::Xxh3::new();
                h.update(b"codex-compaction\xff");
                h.update(session.as_bytes());
                h.update(&state.compactions.to_le_bytes());
                facts.push((
                    at,
                    Parsed::Compaction(CompactionMark {
                        uuid: Some(h.digest128()),
                        timestamp,
                        session_id: session,
                        trigger: None,
                        pre_tokens: state.last_input,
                        cwd: state.cwd.clone(),
                    }),
                ));
            } else {
                facts.push((at, Parsed::Skipped(SkipReason::BadTimestamp)));
            }
        }
        Some("turn_context") => {
            if let Some(model) = payload.model.as_deref().filter(|m| !m.is_empty()) {
                state.model = Some(model.to_owned());
            }
        }
        Some("event_msg") if payload.kind.as_deref() == Some("token_count") => {
            token_count(payload, timestamp, at, file, state, &mut facts);
        }
        Some("event_msg") => {
            if let Some(event) = payload.kind.as_deref().and_then(turn_event) {
                facts.push((at, Parsed::Turn(TurnFact { timestamp, event })));
            }
        }
        _ => {}
    }
    facts
}

fn session_of(state: &RolloutState, file: &FileContext) -> String {
    state
        .session
        .clone()
        .unwrap_or_else(|| file.fallback_session.clone())
}

fn token_count(
    payload: RawPayload,
    timestamp: Option<Millis>,
    at: u64,
    file: &FileContext,
    state: &mut RolloutState,
    facts: &mut Facts,
) {
    let info = payload.info.0;
    let rate_limits = payload.rate_limits.0.map(|r| RateLimits {
        primary: r.primary.0.and_then(|w| rate_window(w, timestamp)),
        secondary: r.secondary.0.and_then(|w| rate_window(w, timestamp)),
    });
    let window = info
        .as_ref()
        .and_then(|i| i.model_context_window.get().ok())
        .filter(|w| *w > 0);
    let Some(timestamp) = timestamp else {
        if info.is_some() {
            facts.push((at, Parsed::Skipped(SkipReason::BadTimestamp)));
        }
        return;
    };
    if let Some(info) = info {
        let total = info.total_token_usage.0.unwrap_or_default().counts();
        let last = info.last_token_usage.0.map(|l| l.counts());
        match (total, last) {
            (Ok(total), Some(Ok(last))) => {
                // An all-zero "last" is no response (a window filled by an
                // error, or nothing yet): nothing to count.
                if last[..4].iter().any(|n| *n > 0) {
                    state.last_input = Some(last[0]);
                    let lineage = state.lineage.as_deref().unwrap_or(&file.fallback_session);
                    facts.push((
                        at,
                        Parsed::Usage(UsageRecord {
                            key: Some(key_of(lineage, &total, &last)),
                            timestamp,
                            session_id: session_of(state, file),
                            model: state.model.as_deref().unwrap_or(UNKNOWN_MODEL).to_owned(),
                            tokens: tokens_of(last[0], last[1], last[5], last[2]),
                            billing: Billing::default(),
                            sidechain: false,
                            cost_usd: None,
                            cwd: state.cwd.clone(),
                        }),
                    ));
                }
            }
            // `info` without the newest response's usage: nothing to count.
            (Ok(_), None) => {}
            _ => {
                facts.push((at, Parsed::Skipped(SkipReason::InvalidUsage)));
                return;
            }
        }
    }
    let rate_limits = rate_limits.filter(|r| !r.is_empty());
    if window.is_some() || rate_limits.is_some() {
        // One past the line's start: inside its bytes, apart from the usage.
        facts.push((
            at + 1,
            Parsed::Limits(AgentLimits {
                session_id: session_of(state, file),
                timestamp,
                window,
                rate_limits,
            }),
        ));
    }
}

fn rate_window(w: RawRateWindow, timestamp: Option<Millis>) -> Option<RateWindow> {
    let used_percent = w.used_percent.0.filter(|p| p.is_finite())?;
    let resets_at = match (w.resets_at.0, w.resets_in_seconds.0, timestamp) {
        (Some(at), _, _) if at.is_finite() => Some(at as i64),
        (_, Some(left), Some(now)) if left.is_finite() => Some(now / 1000 + left as i64),
        _ => None,
    };
    Some(RateWindow {
        used_percent: used_percent.clamp(0.0, 100.0),
        window_minutes: w
            .window_minutes
            .0
            .filter(|m| m.is_finite() && *m >= 0.0)
            .map(|m| m as u64),
        resets_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> FileContext {
        FileContext {
            fallback_session: "from-name".into(),
            subagent: false,
        }
    }

    fn usage(n: [u64; 5]) -> String {
        format!(
            r#"{{"input_tokens":{},"cached_input_tokens":{},"output_tokens":{},"reasoning_output_tokens":{},"total_tokens":{}}}"#,
            n[0], n[1], n[2], n[3], n[4]
        )
    }

    fn count_line(total: [u64; 5], last: [u64; 5]) -> String {
        format!(
            r#"{{"timestamp":"2026-11-22T10:00:05.000Z","type":"event_msg","payload":{{"type":"token_count","info":{{"total_token_usage":{},"last_token_usage":{},"model_context_window":272000}},"rate_limits":{{"primary":{{"used_percent":12.5,"window_minutes":300,"resets_at":1795000000}},"secondary":null}}}}}}"#,
            usage(total),
            usage(last)
        )
    }

    const META: &str = r#"{"timestamp":"2026-11-22T10:00:00.000Z","type":"session_meta","payload":{"id":"sess-a","cwd":"/home/dev/app","cli_version":"0.60.0","instructions":null}}"#;
    const TURN: &str = r#"{"timestamp":"2026-11-22T10:00:01.000Z","type":"turn_context","payload":{"cwd":"/home/dev/app","model":"gpt-5-codex","effort":"medium"}}"#;

    fn read(lines: &[&str], state: &mut RolloutState) -> Vec<Parsed> {
        lines
            .iter()
            .flat_map(|l| parse_rollout_line(l.as_bytes(), &file(), state))
            .map(|(_, p)| p)
            .collect()
    }

    #[test]
    fn a_token_count_is_the_newest_response_by_kind_without_reasoning_added() {
        let mut state = RolloutState::default();
        let line = count_line([9000, 6000, 700, 300, 9700], [9000, 6000, 700, 300, 9700]);
        let facts = read(&[META, TURN, &line], &mut state);
        let Parsed::Usage(r) = &facts[1] else {
            panic!("{facts:?}")
        };
        assert_eq!(r.session_id, "sess-a");
        assert_eq!(r.model, "gpt-5-codex");
        assert_eq!(r.cwd.as_deref(), Some("/home/dev/app"));
        assert_eq!(
            r.tokens,
            Tokens {
                input: 3000,
                output: 700,
                cache_creation: 0,
                cache_read: 6000
            }
        );
        // The prompt is Codex's input_tokens; the total its total_tokens.
        assert_eq!(r.tokens.prompt(), 9000);
        assert_eq!(r.tokens.total(), 9700);
        let Parsed::Limits(l) = &facts[2] else {
            panic!("{facts:?}")
        };
        assert_eq!(l.window, Some(272000));
        let primary = l.rate_limits.unwrap().primary.unwrap();
        assert_eq!(primary.used_percent, 12.5);
        assert_eq!(primary.window_minutes, Some(300));
        assert_eq!(primary.resets_at, Some(1795000000));
        assert_eq!(l.rate_limits.unwrap().secondary, None);
    }

    #[test]
    fn cache_writes_are_a_part_of_the_input_as_cached_input_is() {
        assert_eq!(
            tokens_of(20_000, 8_000, 3_000, 500),
            Tokens {
                input: 9_000,
                output: 500,
                cache_creation: 3_000,
                cache_read: 8_000
            }
        );
        // Parts larger than the input are cut to it, never summed past it.
        let odd = tokens_of(100, 80, 50, 1);
        assert_eq!((odd.input, odd.cache_read, odd.cache_creation), (0, 80, 20));
        assert_eq!(odd.prompt(), 100);
    }

    #[test]
    fn a_re_emitted_count_has_the_same_key_and_a_new_response_another() {
        let mut state = RolloutState::default();
        let first = count_line([100, 0, 10, 0, 110], [100, 0, 10, 0, 110]);
        let second = count_line([300, 100, 30, 0, 330], [200, 100, 20, 0, 220]);
        let keys: Vec<_> = read(&[META, &first, &first, &second], &mut state)
            .into_iter()
            .filter_map(|p| match p {
                Parsed::Usage(r) => r.key,
                _ => None,
            })
            .collect();
        assert_eq!(keys.len(), 3);
        assert_eq!(keys[0], keys[1]);
        assert_ne!(keys[1], keys[2]);
    }

    #[test]
    fn a_forks_copy_of_its_parents_history_has_the_parents_keys() {
        let count = count_line([100, 0, 10, 0, 110], [100, 0, 10, 0, 110]);
        let mut parent = RolloutState::default();
        let original = read(&[META, TURN, &count], &mut parent);
        let fork_meta = META.replace("sess-a", "sess-b");
        let mut fork = RolloutState::default();
        let copied = read(&[&fork_meta, META, TURN, &count], &mut fork);
        let key = |facts: &[Parsed]| {
            facts.iter().find_map(|p| match p {
                Parsed::Usage(r) => Some((r.key, r.session_id.clone())),
                _ => None,
            })
        };
        let (k1, s1) = key(&original).unwrap();
        let (k2, s2) = key(&copied).unwrap();
        assert_eq!(k1, k2);
        assert_eq!((s1.as_str(), s2.as_str()), ("sess-a", "sess-b"));
        // The fork's own session is its first session_meta, not the copy.
        assert_eq!(fork.session.as_deref(), Some("sess-b"));
        assert_eq!(fork.lineage.as_deref(), Some("sess-a"));
        // The same usage in an unrelated session is another record.
        let mut other = RolloutState::default();
        let other_facts = read(&[&META.replace("sess-a", "sess-c"), &count], &mut other);
        assert_ne!(key(&other_facts).unwrap().0, k1);
    }

    #[test]
    fn info_null_gives_only_the_rate_limits() {
        let mut state = RolloutState::default();
        let line = r#"{"timestamp":"2026-11-22T10:00:02Z","type":"event_msg","payload":{"type":"token_count","info":null,"rate_limits":{"primary":{"used_percent":3.0,"window_minutes":300,"resets_in_seconds":600},"secondary":{"used_percent":40,"window_minutes":10080,"resets_at":1795500000}}}}"#;
        let facts = read(&[META, line], &mut state);
        assert_eq!(facts.len(), 2, "{facts:?}");
        let Parsed::Limits(l) = &facts[1] else {
            panic!("{facts:?}")
        };
        assert_eq!(l.window, None);
        let limits = l.rate_limits.unwrap();
        // 2026-11-22T10:00:02Z is 1795341602 s; 600 s later it resets.
        assert_eq!(limits.primary.unwrap().resets_at, Some(1795341602 + 600));
        assert_eq!(limits.secondary.unwrap().used_percent, 40.0);
        // No rate limits and no info: nothing at all.
        let bare = r#"{"timestamp":"2026-11-22T10:00:02Z","type":"event_msg","payload":{"type":"token_count","info":null,"rate_limits":null}}"#;
        assert!(read(&[bare], &mut state).is_empty());
    }

    #[test]
    fn without_session_meta_or_turn_context_the_name_and_unknown_model_stand_in() {
        let mut state = RolloutState::default();
        let line = count_line([5, 0, 1, 0, 6], [5, 0, 1, 0, 6]);
        let facts = read(&[&line], &mut state);
        let Parsed::Usage(r) = &facts[0] else {
            panic!("{facts:?}")
        };
        assert_eq!(r.session_id, "from-name");
        assert_eq!(r.model, UNKNOWN_MODEL);
    }

    #[test]
    fn broken_lines_are_skipped_by_reason_and_other_lines_ignored() {
        let mut state = RolloutState::default();
        let bad_count = count_line([1, 0, 1, 0, 2], [1, 0, 1, 0, 2]).replace(
            r#""output_tokens":1,"reasoning"#,
            r#""output_tokens":-1,"reasoning"#,
        );
        let no_time = count_line([1, 0, 1, 0, 2], [1, 0, 1, 0, 2])
            .replace(r#""timestamp":"2026-11-22T10:00:05.000Z","#, "");
        let facts = read(
            &[
                "",
                r#"{"timestamp":"2026-11-22T10:00:05Z","type":"token_count""#,
                &bad_count,
                &no_time,
                r#"{"timestamp":"2026-11-22T10:00:05Z","type":"response_item","payload":{"type":"message"}}"#,
                "not json",
            ],
            &mut state,
        );
        let skipped: Vec<_> = facts
            .iter()
            .filter_map(|p| match p {
                Parsed::Skipped(r) => Some(*r),
                _ => None,
            })
            .collect();
        assert_eq!(
            skipped,
            vec![
                SkipReason::Blank,
                SkipReason::Malformed,
                SkipReason::InvalidUsage,
                SkipReason::BadTimestamp,
                SkipReason::Malformed
            ]
        );
    }

    #[test]
    fn turn_events_say_whose_move_it_is() {
        let mut state = RolloutState::default();
        let event = |kind: &str| {
            format!(
                r#"{{"timestamp":"2026-11-22T10:00:00Z","type":"event_msg","payload":{{"type":"{kind}","turn_id":"1"}}}}"#
            )
        };
        let events: Vec<TurnEvent> = [
            "task_started",
            "turn_complete",
            "turn_aborted",
            "agent_message",
        ]
        .iter()
        .flat_map(|k| read(&[&event(k)], &mut state))
        .map(|p| match p {
            Parsed::Turn(t) => t.event,
            other => panic!("{other:?}"),
        })
        .collect();
        assert_eq!(
            events,
            vec![
                TurnEvent::Prompt,
                TurnEvent::TurnEnd,
                TurnEvent::Interrupted
            ]
        );
    }

    #[test]
    fn a_compacted_line_is_a_boundary_with_the_input_it_replaced() {
        let mut state = RolloutState::default();
        let count = count_line([9000, 0, 100, 0, 9100], [9000, 0, 100, 0, 9100]);
        let compacted = r#"{"timestamp":"2026-11-22T10:02:00Z","type":"compacted","payload":{"message":"The user asked for the cache; it is done.","replacement_history":[]}}"#;
        let facts = read(&[META, TURN, &count, compacted, compacted], &mut state);
        let marks: Vec<&CompactionMark> = facts
            .iter()
            .filter_map(|p| match p {
                Parsed::Compaction(m) => Some(m),
                _ => None,
            })
            .collect();
        assert_eq!(marks.len(), 2);
        assert_eq!(marks[0].session_id, "sess-a");
        assert_eq!(marks[0].pre_tokens, Some(9000));
        assert_eq!(marks[0].cwd.as_deref(), Some("/home/dev/app"));
        // Two compactions of one file are two boundaries.
        assert_ne!(marks[0].uuid, marks[1].uuid);
        // The same file read again gives the same boundaries.
        let mut again = RolloutState::default();
        let facts2 = read(&[META, TURN, &count, compacted], &mut again);
        assert!(
            facts2
                .iter()
                .any(|p| matches!(p, Parsed::Compaction(m) if m.uuid == marks[0].uuid))
        );
    }

    #[test]
    fn an_all_zero_response_is_not_a_record() {
        let mut state = RolloutState::default();
        let line = count_line([0, 0, 0, 0, 272000], [0, 0, 0, 0, 5000]);
        let facts = read(&[META, &line], &mut state);
        assert!(facts.iter().all(|p| !matches!(p, Parsed::Usage(_))));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            /// Bad input never crashes: any bytes give facts (or none),
            /// each placed inside the line.
            #[test]
            fn any_bytes_are_read_without_a_crash(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
                let mut state = RolloutState::default();
                for (at, _) in parse_rollout_line(&bytes, &file(), &mut state) {
                    prop_assert!(at <= bytes.len() as u64);
                }
            }

            /// A rollout cut anywhere into two reads, the state between
            /// them stored and restored (as the index does), gives the
            /// same facts as one read; and re-emitted counts (the same
            /// info again) never add a distinct record.
            #[test]
            fn a_resumed_read_equals_one_read_and_re_emits_add_nothing(
                responses in proptest::collection::vec((1u64..50_000, 0u64..100, 1u64..5_000, 0u8..3), 1..12),
                cut in 0usize..40,
            ) {
                let mut lines = vec![META.to_owned(), TURN.to_owned()];
                let mut total = [0u64; 5];
                for (input, cached_pct, output, repeats) in &responses {
                    let cached = input * cached_pct / 100;
                    let last = [*input, cached, *output, 0, input + output];
                    for (t, l) in total.iter_mut().zip(last) {
                        *t += l;
                    }
                    for _ in 0..=*repeats {
                        lines.push(count_line(total, last));
                    }
                }
                let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
                let mut whole = RolloutState::default();
                let one = read(&refs, &mut whole);
                let cut = cut.min(refs.len());
                let mut first = RolloutState::default();
                let mut facts = read(&refs[..cut], &mut first);
                let stored = serde_json::to_string(&first).unwrap();
                let mut resumed: RolloutState = serde_json::from_str(&stored).unwrap();
                facts.extend(read(&refs[cut..], &mut resumed));
                prop_assert_eq!(&facts, &one);
                prop_assert_eq!(resumed, whole);
                let keys: std::collections::BTreeSet<_> = one
                    .iter()
                    .filter_map(|p| match p {
                        Parsed::Usage(r) => r.key.map(|k| k.0),
                        _ => None,
                    })
                    .collect();
                prop_assert_eq!(keys.len(), responses.len());
            }
        }
    }
}
