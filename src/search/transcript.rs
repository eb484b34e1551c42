//! One transcript searched: the raw search finds candidate lines, only
//! those are parsed, and only prompts, assistant text and (when asked)
//! tool inputs are matched. A file with a match is then read once more,
//! cheaply, for what names its session: title, folder, last activity.

use super::matcher::Matcher;
use super::snippet::{Snippet, Where, snippets_of};
use crate::parse::{FileContext, Parsed, TitleKind, Want, first_prompt, parse_line};
use crate::record::{Millis, parse_timestamp};
use memchr::{memchr, memrchr};
use serde::Deserialize;
use std::borrow::Cow;

/// Snippets kept per session.
pub const SNIPPETS: usize = 3;

/// A session whose transcript matched.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub session_id: String,
    pub title: Option<String>,
    /// The folder the session ran in (its first `cwd`), if any line says.
    pub cwd: Option<String>,
    pub last_activity: Option<Millis>,
    /// Texts (prompts, replies, tool inputs) that matched.
    pub matches: usize,
    pub snippets: Vec<Snippet>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct RawLine<'a> {
    #[serde(rename = "type", borrow)]
    kind: Option<Cow<'a, str>>,
    is_meta: Option<bool>,
    is_compact_summary: Option<bool>,
    #[serde(borrow)]
    message: Option<RawMessage<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawMessage<'a> {
    #[serde(borrow)]
    content: Option<RawContent<'a>>,
}

/// `message.content`: a string, or a list of blocks. Read by hand rather
/// than as an untagged enum, which would first copy the whole content
/// (tool results of megabytes) into a buffer.
enum RawContent<'a> {
    Text(Cow<'a, str>),
    Blocks(Vec<RawBlock<'a>>),
}

impl<'de: 'a, 'a> Deserialize<'de> for RawContent<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Content<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Content<'a> {
            type Value = RawContent<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string or a list of content blocks")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(RawContent::Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(RawContent::Text(Cow::Owned(v.to_owned())))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Self::Value, A::Error> {
                let mut blocks = Vec::new();
                while let Some(b) = seq.next_element()? {
                    blocks.push(b);
                }
                Ok(RawContent::Blocks(blocks))
            }
        }
        d.deserialize_any(Content(std::marker::PhantomData))
    }
}

/// A content block; a tool result's `content` is not named, so it is
/// skipped without being built.
#[derive(Deserialize, Default)]
#[serde(default)]
struct RawBlock<'a> {
    #[serde(rename = "type", borrow)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    text: Option<Cow<'a, str>>,
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
    /// Kept as raw JSON: only built into values with `--tools`.
    #[serde(borrow)]
    input: Option<&'a serde_json::value::RawValue>,
}

/// Search one transcript held in `bytes`. `None` when nothing matched.
pub fn search_bytes(
    bytes: &[u8],
    context: &FileContext,
    matcher: &Matcher,
    tools: bool,
) -> Option<Found> {
    let mut matches = 0usize;
    let mut snippets = Vec::new();
    let mut at = 0usize;
    while let Some(hit) = matcher.next_candidate(bytes, at) {
        let start = memrchr(b'\n', &bytes[..hit]).map_or(0, |i| i + 1);
        let end = memchr(b'\n', &bytes[hit..]).map_or(bytes.len(), |i| hit + i);
        at = end + 1;
        for (place, text) in texts(&bytes[start..end], tools) {
            let found = snippets_of(
                matcher,
                &text,
                place,
                SNIPPETS - snippets.len().min(SNIPPETS),
            );
            if found.0 > 0 {
                matches += 1;
                snippets.extend(found.1);
            }
        }
        if at >= bytes.len() {
            break;
        }
    }
    if matches == 0 {
        return None;
    }
    let names = SessionNames::read(bytes, context);
    Some(Found {
        session_id: context.fallback_session.clone(),
        title: names.title,
        cwd: names.cwd,
        last_activity: names.last_activity,
        matches,
        snippets,
    })
}

/// The searchable texts of one line: a typed prompt, assistant text, and
/// with `tools` the string values of tool inputs.
fn texts(line: &[u8], tools: bool) -> Vec<(Where, String)> {
    if only_tool_results(line) {
        return Vec::new();
    }
    let Ok(text) = simdutf8::basic::from_utf8(line) else {
        return Vec::new();
    };
    let Ok(raw) = serde_json::from_str::<RawLine>(text.trim()) else {
        return Vec::new();
    };
    let place = match raw.kind.as_deref() {
        Some("user") if raw.is_meta != Some(true) && raw.is_compact_summary != Some(true) => {
            Where::Prompt
        }
        Some("assistant") => Where::Reply,
        _ => return Vec::new(),
    };
    let mut out = Vec::new();
    match raw.message.and_then(|m| m.content) {
        Some(RawContent::Text(t)) => out.push((place, t.into_owned())),
        Some(RawContent::Blocks(blocks)) => {
            for b in blocks {
                match (b.kind.as_deref(), b.text, b.input) {
                    (Some("text"), Some(t), _) => out.push((place.clone(), t.into_owned())),
                    (Some("tool_use"), _, Some(input)) if tools => {
                        let name = b.name.map(Cow::into_owned).unwrap_or_default();
                        let mut leaves = Vec::new();
                        if let Ok(input) = serde_json::from_str(input.get()) {
                            string_leaves(&input, &mut leaves);
                        }
                        out.extend(leaves.into_iter().map(|s| (Where::Tool(name.clone()), s)));
                    }
                    _ => {}
                }
            }
        }
        None => {}
    }
    out
}

/// A line of tool results and nothing searchable: it names a
/// `tool_use_id` and holds no `"text"` token (a text block's type or key).
/// Both needles are JSON tokens with bare quotes, which text inside a
/// string cannot hold (its quotes are escaped), so this never skips a
/// prompt or a reply. It spares parsing the largest lines there are: tool
/// results of megabytes that a common word hits.
fn only_tool_results(line: &[u8]) -> bool {
    use std::sync::LazyLock;
    static RESULT: LazyLock<memchr::memmem::Finder<'static>> =
        LazyLock::new(|| memchr::memmem::Finder::new(b"\"tool_use_id\""));
    static TEXT: LazyLock<memchr::memmem::Finder<'static>> =
        LazyLock::new(|| memchr::memmem::Finder::new(b"\"text\""));
    RESULT.find(line).is_some() && TEXT.find(line).is_none()
}

/// Every string inside a JSON value: a tool's command, path, pattern…
fn string_leaves(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| string_leaves(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| string_leaves(x, out)),
        _ => {}
    }
}

/// What names a session, read from its whole transcript.
#[derive(Debug, Default, PartialEq)]
pub struct SessionNames {
    pub title: Option<String>,
    pub cwd: Option<String>,
    pub last_activity: Option<Millis>,
}

impl SessionNames {
    /// One pass over the lines: title lines are found by the same byte
    /// filter as the main scan, the `cwd` on the first line that has one,
    /// the first typed prompt; the last activity is the last timestamp.
    pub fn read(bytes: &[u8], context: &FileContext) -> SessionNames {
        let mut best: Option<(TitleKind, String)> = None;
        let mut prompt = None;
        let mut cwd = None;
        let mut start = 0;
        let ends = memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len()));
        for end in ends {
            let line = &bytes[start..end];
            start = end + 1;
            if cwd.is_none() {
                cwd = string_field(line, b"\"cwd\":");
            }
            if prompt.is_none()
                && best.is_none()
                && let Some(Parsed::Title { text, .. }) = first_prompt(line, context)
            {
                prompt = Some(text);
            }
            if crate::parse::may_title(line) {
                for (_, fact) in parse_line(line, context, Want::Accounting) {
                    if let Parsed::Title { kind, text, .. } = fact
                        && kind != TitleKind::Prompt
                        && best.as_ref().is_none_or(|(k, _)| kind >= *k)
                    {
                        best = Some((kind, text));
                    }
                }
            }
        }
        SessionNames {
            title: best.map(|(_, t)| t).or(prompt),
            cwd,
            last_activity: last_timestamp(bytes),
        }
    }
}

/// The string value after `key` on a line, when it is a plain string.
fn string_field(line: &[u8], key: &[u8]) -> Option<String> {
    let at = memchr::memmem::find(line, key)? + key.len();
    let rest = &line[at..];
    let rest = &rest[rest.iter().take_while(|b| b.is_ascii_whitespace()).count()..];
    let mut de = serde_json::Deserializer::from_slice(rest);
    String::deserialize(&mut de).ok()
}

/// The newest `timestamp` in the file: files are written in time order,
/// so the last line that has one.
fn last_timestamp(bytes: &[u8]) -> Option<Millis> {
    let finder = memchr::memmem::FinderRev::new(b"\"timestamp\":");
    let mut end = bytes.len();
    while let Some(at) = finder.rfind(&bytes[..end]) {
        if let Some(ts) =
            string_field(&bytes[at..], b"\"timestamp\":").and_then(|s| parse_timestamp(&s))
        {
            return Some(ts);
        }
        end = at;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> FileContext {
        FileContext {
            fallback_session: "s1".into(),
            subagent: false,
        }
    }

    const FILE: &str = concat!(
        r#"{"type":"user","cwd":"/home/dev/it's here","sessionId":"s1","timestamp":"2026-11-20T10:00:00.000Z","message":{"role":"user","content":"Why is the login test flaky?"}}"#,
        "\n",
        r#"{"type":"assistant","timestamp":"2026-11-20T10:00:05.000Z","message":{"content":[{"type":"text","text":"The FLAKY part is a race."},{"type":"tool_use","name":"Bash","input":{"command":"cargo test flaky_login"}}]}}"#,
        "\n",
        r#"{"type":"user","timestamp":"2026-11-20T10:00:06.000Z","message":{"content":[{"tool_use_id":"t","type":"tool_result","content":"test flaky_login ... ok"}]}}"#,
        "\n",
        r#"{"type":"summary","summary":"Flaky login test","leafUuid":"x"}"#,
        "\n",
    );

    #[test]
    fn prompts_and_replies_match_tool_results_never_tool_inputs_on_request() {
        let m = Matcher::new("flaky", false).unwrap();
        let found = search_bytes(FILE.as_bytes(), &ctx(), &m, false).unwrap();
        assert_eq!(found.matches, 2);
        assert_eq!(found.snippets.len(), 2);
        assert_eq!(found.snippets[0].place, Where::Prompt);
        assert_eq!(found.snippets[1].place, Where::Reply);
        let with_tools = search_bytes(FILE.as_bytes(), &ctx(), &m, true).unwrap();
        assert_eq!(with_tools.matches, 3);
        assert_eq!(with_tools.snippets[2].place, Where::Tool("Bash".into()));
        // Only in a tool result and the summary: no match.
        let m = Matcher::new("... ok", false).unwrap();
        assert_eq!(search_bytes(FILE.as_bytes(), &ctx(), &m, true), None);
    }

    #[test]
    fn tool_result_lines_are_skipped_unparsed_but_never_prompts() {
        let result = r#"{"type":"user","message":{"content":[{"tool_use_id":"t","type":"tool_result","content":"x"}]}}"#;
        assert!(only_tool_results(result.as_bytes()));
        // Text blocks beside (or inside) the results: parsed.
        let mixed = r#"{"type":"user","message":{"content":[{"tool_use_id":"t","type":"tool_result","content":[{"type":"text","text":"x"}]}]}}"#;
        assert!(!only_tool_results(mixed.as_bytes()));
        // A prompt that talks about tool_use_id: the quotes are escaped.
        let prompt = r#"{"type":"user","message":{"content":"what is \"tool_use_id\"?"}}"#;
        assert!(!only_tool_results(prompt.as_bytes()));
    }

    #[test]
    fn a_match_names_its_session() {
        let m = Matcher::new("race", false).unwrap();
        let found = search_bytes(FILE.as_bytes(), &ctx(), &m, false).unwrap();
        assert_eq!(found.session_id, "s1");
        assert_eq!(found.title.as_deref(), Some("Flaky login test"));
        assert_eq!(found.cwd.as_deref(), Some("/home/dev/it's here"));
        assert_eq!(
            found.last_activity,
            parse_timestamp("2026-11-20T10:00:06.000Z")
        );
    }

    #[test]
    fn without_title_lines_the_first_prompt_names_it() {
        let no_summary: String = FILE.lines().take(3).map(|l| format!("{l}\n")).collect();
        let names = SessionNames::read(no_summary.as_bytes(), &ctx());
        assert_eq!(names.title.as_deref(), Some("Why is the login test flaky?"));
    }

    #[test]
    fn broken_lines_and_a_file_without_newline_at_the_end_are_fine() {
        let text = b"{\"type\":\"user\",\"message\":{\"content\":\"flaky\n\xff flaky\n{\"type\":\"user\",\"message\":{\"content\":\"flaky end\"}}";
        let m = Matcher::new("flaky", false).unwrap();
        let found = search_bytes(text, &ctx(), &m, false).unwrap();
        assert_eq!(found.matches, 1);
        assert_eq!(found.last_activity, None);
    }
}
