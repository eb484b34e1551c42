//! Whose move it is: the turn facts of a line (spec §2 line types, and what
//! Claude Code 2.1.x writes around a turn).
//!
//! Assistant lines are parsed anyway for their usage, so their tool calls
//! and `stop_reason` come from that same parse (`response`). Every other
//! line is left to the byte pre-filter on the hot path: the reader keeps
//! the positions of the lines written since the newest response began and
//! parses only those with `parse_turn` when its read is done. Tool results
//! (the bulk of a transcript's bytes) are thus parsed only while they can
//! still change a session's state.

use super::lenient::{Bool, Object, Str};
use super::{FileContext, RawMessage, SYNTHETIC_MODEL};
use crate::record::{TurnEvent, TurnFact, id_hash, parse_timestamp};
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, SeqAccess, Visitor};
use std::fmt;

/// One block of an assistant's `message.content`: only what says which
/// tool runs.
#[derive(Deserialize, Default, Debug)]
#[serde(default)]
pub(super) struct RawBlock<'a> {
    #[serde(rename = "type", borrow)]
    kind: Str<'a>,
    #[serde(borrow)]
    id: Str<'a>,
    #[serde(borrow)]
    name: Str<'a>,
}

/// One block of a user line's `message.content`.
#[derive(Deserialize, Default, Debug)]
#[serde(default)]
struct UserBlock<'a> {
    #[serde(rename = "type", borrow)]
    kind: Str<'a>,
    #[serde(borrow)]
    tool_use_id: Str<'a>,
    #[serde(borrow)]
    text: Str<'a>,
}

/// `stop_reason` values after which the person is next. `tool_use` (the
/// tools run next) and `null` (a line written before the response ended,
/// or by a version that never fills it in) are not among them.
const TURN_OVER: &[&str] = &["end_turn", "stop_sequence", "max_tokens", "refusal"];

/// The turn fact of an assistant line, from its already parsed `message`.
pub(super) fn response(message: &RawMessage, error: bool, timestamp: Option<&str>) -> TurnFact {
    let tools = message
        .content
        .0
        .iter()
        .filter(|b| b.kind.as_deref() == Some("tool_use"))
        .filter_map(|b| {
            let id = b.id.as_deref()?;
            Some((id_hash(id), b.name.as_deref().unwrap_or("tool").to_owned()))
        })
        .collect();
    let stop = message.stop_reason.as_deref();
    let ended = error
        || message.model.as_deref() == Some(SYNTHETIC_MODEL)
        || stop.is_some_and(|s| TURN_OVER.contains(&s));
    TurnFact {
        timestamp: timestamp.and_then(parse_timestamp),
        event: TurnEvent::Response {
            key: message.id.as_deref().map(id_hash),
            ended,
            tools,
        },
    }
}

/// A line that is not an assistant response, as far as turns go.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct RawTurnLine<'a> {
    #[serde(rename = "type", borrow)]
    kind: Str<'a>,
    #[serde(borrow)]
    subtype: Str<'a>,
    #[serde(borrow)]
    timestamp: Str<'a>,
    is_sidechain: Bool,
    is_meta: Bool,
    is_compact_summary: Bool,
    #[serde(borrow)]
    message: Object<RawUserMessage<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawUserMessage<'a> {
    #[serde(borrow)]
    content: Content<'a>,
}

/// `message.content` of a user line: a string, or blocks.
#[derive(Default)]
enum Content<'a> {
    #[default]
    Absent,
    /// The first characters of a plain-string prompt (enough to recognise
    /// Claude Code's own markers).
    Text(String),
    Blocks(Vec<UserBlock<'a>>),
}

/// How much of a prompt is kept to recognise the markers below.
const PREFIX: usize = 48;

fn prefix(s: &str) -> String {
    s.chars().take(PREFIX).collect()
}

impl<'de: 'a, 'a> Deserialize<'de> for Content<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Content<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("message content")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Content<'a>, E> {
                Ok(Content::Text(prefix(v)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Content<'a>, A::Error> {
                let mut blocks = Vec::new();
                while let Some(b) = seq.next_element::<Object<UserBlock<'de>>>()? {
                    blocks.extend(b.0);
                }
                Ok(Content::Blocks(blocks))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut m: A) -> Result<Content<'a>, A::Error> {
                while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Content::Absent)
            }
            fn visit_unit<E>(self) -> Result<Content<'a>, E> {
                Ok(Content::Absent)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Content<'a>, E> {
                Ok(Content::Absent)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Content<'a>, E> {
                Ok(Content::Absent)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Content<'a>, E> {
                Ok(Content::Absent)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Content<'a>, E> {
                Ok(Content::Absent)
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// Text Claude Code writes as a user line when the person stops a response.
const INTERRUPTED: &str = "[Request interrupted by user";

/// Prompts Claude Code writes for commands it runs itself (`/cost`,
/// `/context`…): no response follows them.
const LOCAL_COMMAND: &[&str] = &[
    "<command-name>",
    "<command-message>",
    "<local-command-stdout>",
    "<local-command-stderr>",
    "<local-command-caveat>",
];

/// The turn fact of a line that is not an assistant response, if it has
/// one: a tool result, a prompt, an interrupt, the end of a turn, or a
/// compaction summary. Lines of other chains, and of other types, give none.
pub fn parse_turn(line: &[u8], file: &FileContext) -> Option<TurnFact> {
    let line = line.strip_prefix(b"\xef\xbb\xbf").unwrap_or(line);
    let text = simdutf8::basic::from_utf8(line).ok()?;
    // Of objects back to back, the last one is the newest step.
    let mut last = None;
    for raw in serde_json::Deserializer::from_str(text).into_iter::<RawTurnLine>() {
        let Ok(raw) = raw else { break };
        if let Some(fact) = turn_of(raw, file) {
            last = Some(fact);
        }
    }
    last
}

fn turn_of(raw: RawTurnLine, file: &FileContext) -> Option<TurnFact> {
    if !file.subagent && raw.is_sidechain.0 == Some(true) {
        return None;
    }
    let timestamp = raw.timestamp.as_deref().and_then(parse_timestamp);
    let event = match (raw.kind.as_deref()?, raw.subtype.as_deref()) {
        ("system", Some("turn_duration")) => TurnEvent::TurnEnd,
        ("user", _) if raw.is_compact_summary.0 == Some(true) => TurnEvent::CompactSummary,
        ("user", _) if raw.is_meta.0 == Some(true) => return None,
        ("user", _) => user_event(raw.message.0.map(|m| m.content).unwrap_or_default())?,
        _ => return None,
    };
    Some(TurnFact { timestamp, event })
}

fn user_event(content: Content) -> Option<TurnEvent> {
    let text = match content {
        Content::Blocks(blocks) => {
            let ids: Vec<u64> = blocks
                .iter()
                .filter(|b| b.kind.as_deref() == Some("tool_result"))
                .filter_map(|b| b.tool_use_id.as_deref().map(id_hash))
                .collect();
            if !ids.is_empty() {
                return Some(TurnEvent::Results(ids));
            }
            blocks.iter().find_map(|b| b.text.as_deref().map(prefix))
        }
        Content::Text(t) => Some(t),
        Content::Absent => None,
    };
    let text = text.unwrap_or_default();
    let text = text.trim_start();
    if text.starts_with(INTERRUPTED) {
        return Some(TurnEvent::Interrupted);
    }
    if LOCAL_COMMAND.iter().any(|m| text.starts_with(m)) {
        return None;
    }
    Some(TurnEvent::Prompt)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{Parsed, Want, parse_line_with_turns};

    fn main_file() -> FileContext {
        FileContext {
            fallback_session: "s".into(),
            subagent: false,
        }
    }

    fn event(line: &str) -> Option<TurnEvent> {
        parse_turn(line.as_bytes(), &main_file()).map(|f| f.event)
    }

    const TS: &str = r#""timestamp":"2026-12-01T10:00:00.000Z""#;

    #[test]
    fn tool_results_name_the_calls_they_answer() {
        let line = format!(
            r#"{{"type":"user",{TS},"message":{{"role":"user","content":[{{"tool_use_id":"toolu_1","type":"tool_result","content":"big \" output"}},{{"tool_use_id":"toolu_2","type":"tool_result","content":[{{"type":"text","text":"x"}}]}}]}}}}"#
        );
        assert_eq!(
            event(&line),
            Some(TurnEvent::Results(vec![
                id_hash("toolu_1"),
                id_hash("toolu_2")
            ]))
        );
        let fact = parse_turn(line.as_bytes(), &main_file()).unwrap();
        assert_eq!(fact.timestamp, parse_timestamp("2026-12-01T10:00:00.000Z"));
    }

    #[test]
    fn prompts_interrupts_and_local_commands_are_told_apart() {
        let user = |content: &str| {
            format!(r#"{{"type":"user",{TS},"message":{{"role":"user","content":{content}}}}}"#)
        };
        assert_eq!(event(&user(r#""fix the test""#)), Some(TurnEvent::Prompt));
        assert_eq!(
            event(&user(r#"[{"type":"text","text":"look at this"}]"#)),
            Some(TurnEvent::Prompt)
        );
        assert_eq!(
            event(&user(
                r#"[{"type":"text","text":"[Request interrupted by user]"}]"#
            )),
            Some(TurnEvent::Interrupted)
        );
        assert_eq!(
            event(&user(r#""<command-name>/cost</command-name>""#)),
            None
        );
        let meta = format!(r#"{{"type":"user","isMeta":true,{TS},"message":{{"content":"x"}}}}"#);
        assert_eq!(event(&meta), None);
    }

    #[test]
    fn summaries_turn_ends_and_other_chains() {
        let summary = format!(
            r#"{{"type":"user","isCompactSummary":true,{TS},"message":{{"content":"This session is being continued"}}}}"#
        );
        assert_eq!(event(&summary), Some(TurnEvent::CompactSummary));
        let end = format!(r#"{{"type":"system","subtype":"turn_duration",{TS},"durationMs":5}}"#);
        assert_eq!(event(&end), Some(TurnEvent::TurnEnd));
        let side =
            format!(r#"{{"type":"user","isSidechain":true,{TS},"message":{{"content":"x"}}}}"#);
        assert_eq!(event(&side), None);
        let sub = FileContext {
            fallback_session: "s".into(),
            subagent: true,
        };
        assert_eq!(
            parse_turn(side.as_bytes(), &sub).map(|f| f.event),
            Some(TurnEvent::Prompt)
        );
        assert_eq!(event(r#"{"type":"progress","data":{}}"#), None);
        assert_eq!(event("{\"type\":\"user\""), None);
        assert_eq!(event("\u{ff}"), None);
    }

    #[test]
    fn assistant_lines_give_their_tool_calls_and_whether_the_turn_ended() {
        let line = |stop: &str, model: &str| {
            format!(
                r#"{{"type":"assistant","sessionId":"s",{TS},"message":{{"id":"msg_1","model":"{model}","stop_reason":{stop},"content":[{{"type":"text","text":"hi"}},{{"type":"tool_use","id":"toolu_9","name":"Bash","input":{{"command":"ls"}}}}],"usage":{{"input_tokens":1,"output_tokens":2}}}}}}"#
            )
        };
        let turn = |l: &str| {
            parse_line_with_turns(l.as_bytes(), &main_file(), Want::Accounting)
                .into_iter()
                .find_map(|(_, p)| match p {
                    Parsed::Turn(t) => Some(t.event),
                    _ => None,
                })
        };
        assert_eq!(
            turn(&line("null", "claude-x")),
            Some(TurnEvent::Response {
                key: Some(id_hash("msg_1")),
                ended: false,
                tools: vec![(id_hash("toolu_9"), "Bash".into())],
            })
        );
        let ended = |l: &str| matches!(turn(l), Some(TurnEvent::Response { ended: true, .. }));
        assert!(ended(&line("\"end_turn\"", "claude-x")));
        assert!(!ended(&line("\"tool_use\"", "claude-x")));
        assert!(ended(&line("null", "<synthetic>")));
        // The usage is still there, and plain `parse_line` gives no turns.
        let facts =
            parse_line_with_turns(line("null", "x").as_bytes(), &main_file(), Want::Accounting);
        assert_eq!(facts.len(), 2);
        assert_eq!(
            crate::parse::parse_line(line("null", "x").as_bytes(), &main_file(), Want::Accounting)
                .len(),
            1
        );
    }
}
