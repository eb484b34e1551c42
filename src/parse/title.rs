//! Session titles as the transcript states them (spec §2): `custom-title`,
//! `ai-title` and `summary` lines, and the first prompt a person typed.
//!
//! Title lines are short, so the main scan finds them with a byte search
//! limited to short lines and never looks inside long ones. The first
//! prompt needs a parse of a `user` line, which the reader asks for only
//! until a file has given one.

use super::{FileContext, Parsed};
use memchr::memmem;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::sync::LazyLock;

/// Where a title came from, weakest first: a session is named by its
/// newest custom title, else its AI title, else its newest summary, else
/// its first prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum TitleKind {
    Prompt,
    Summary,
    Ai,
    Custom,
}

/// Title lines longer than this are not looked for: real ones are a type,
/// a session id and a few words.
pub const TITLE_LINE_MAX: usize = 4096;

/// How many characters of a first prompt make a title.
pub const PROMPT_TITLE_CHARS: usize = 60;

/// Could this line be a title line? Byte search on short lines only. The
/// needles are JSON tokens (`"aiTitle"`/`"customTitle"` end in `Title"`),
/// so text inside a prompt, where quotes are escaped, does not match.
pub fn may_title(line: &[u8]) -> bool {
    static TITLE: LazyLock<memmem::Finder<'static>> =
        LazyLock::new(|| memmem::Finder::new(b"Title\""));
    static SUMMARY: LazyLock<memmem::Finder<'static>> =
        LazyLock::new(|| memmem::Finder::new(b"\"summary\""));
    line.len() <= TITLE_LINE_MAX && (TITLE.find(line).is_some() || SUMMARY.find(line).is_some())
}

/// The title a title line gives, cleaned for one-line display; `None`
/// when the text is empty.
pub fn title_fact(session_id: String, kind: TitleKind, text: &str) -> Option<Parsed> {
    let text = one_line(text, usize::MAX);
    (!text.is_empty()).then_some(Parsed::Title {
        session_id,
        kind,
        text,
    })
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct RawUserLine<'a> {
    #[serde(rename = "type", borrow)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    session_id: Option<Cow<'a, str>>,
    is_meta: Option<bool>,
    is_compact_summary: Option<bool>,
    is_sidechain: Option<bool>,
    #[serde(borrow)]
    message: Option<RawUserMessage<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawUserMessage<'a> {
    #[serde(borrow)]
    content: Option<RawContent<'a>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawContent<'a> {
    #[serde(borrow)]
    Text(Cow<'a, str>),
    #[serde(borrow)]
    Blocks(Vec<RawBlock<'a>>),
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawBlock<'a> {
    #[serde(rename = "type", borrow)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    text: Option<Cow<'a, str>>,
}

/// The prompt a person typed, if this line is one: a `user` line of the
/// main chain whose content is text (not a tool result, not a compaction
/// summary, not a command Claude Code wrote on the user's behalf).
pub fn first_prompt(line: &[u8], file: &FileContext) -> Option<Parsed> {
    static USER: LazyLock<memmem::Finder<'static>> =
        LazyLock::new(|| memmem::Finder::new(b"\"user\""));
    if file.subagent || USER.find(line).is_none() {
        return None;
    }
    let line = line.strip_prefix(b"\xef\xbb\xbf").unwrap_or(line);
    let text = simdutf8::basic::from_utf8(line).ok()?;
    let raw: RawUserLine = serde_json::from_str(text.trim()).ok()?;
    if raw.kind.as_deref() != Some("user")
        || raw.is_meta == Some(true)
        || raw.is_compact_summary == Some(true)
        || raw.is_sidechain == Some(true)
    {
        return None;
    }
    let prompt = match raw.message?.content? {
        RawContent::Text(t) => t,
        RawContent::Blocks(blocks) => {
            blocks
                .into_iter()
                .find(|b| b.kind.as_deref() == Some("text"))?
                .text?
        }
    };
    let trimmed = prompt.trim_start();
    // Slash commands, their output, interruptions and caveats are written
    // by Claude Code, not typed.
    if trimmed.is_empty() || trimmed.starts_with('<') || trimmed.starts_with("[Request interrupted")
    {
        return None;
    }
    let session_id = raw
        .session_id
        .map_or_else(|| file.fallback_session.clone(), Cow::into_owned);
    Some(Parsed::Title {
        session_id,
        kind: TitleKind::Prompt,
        text: one_line(trimmed, PROMPT_TITLE_CHARS),
    })
}

/// `text` on one line: runs of whitespace (newlines included) become one
/// space, and beyond `max` characters it is cut with `…`, at a word break
/// where there is one in the second half.
pub fn one_line(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut chars = 0usize;
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
            chars += 1;
        }
        for c in word.chars() {
            if chars >= max {
                // Cut at the last word break when that keeps at least half.
                let cut = match out.rfind(' ') {
                    Some(space) if out[..space].chars().count() >= max / 2 => space,
                    _ => out.len(),
                };
                out.truncate(cut);
                out.push('…');
                return out;
            }
            out.push(c);
            chars += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> FileContext {
        FileContext {
            fallback_session: "from-path".into(),
            subagent: false,
        }
    }

    fn prompt_of(line: &str) -> Option<String> {
        match first_prompt(line.as_bytes(), &file()) {
            Some(Parsed::Title { text, kind, .. }) => {
                assert_eq!(kind, TitleKind::Prompt);
                Some(text)
            }
            _ => None,
        }
    }

    #[test]
    fn one_line_collapses_whitespace_and_cuts_with_an_ellipsis() {
        assert_eq!(one_line("  fix\n\tthe   bug ", 60), "fix the bug");
        assert_eq!(one_line("abcdef ghij", 6), "abcdef…");
        assert_eq!(one_line("abc defgh", 5), "abc…");
        assert_eq!(one_line("a bcdefgh", 5), "a bcd…");
        assert_eq!(one_line("abc defgh", 4), "abc…");
        assert_eq!(one_line("ééé", 2), "éé…");
    }

    #[test]
    fn typed_prompt_is_found_as_text_or_text_block() {
        let s = r#"{"type":"user","sessionId":"s1","message":{"role":"user","content":"Fix the\nmigration bug"}}"#;
        assert_eq!(prompt_of(s).as_deref(), Some("Fix the migration bug"));
        let b = r#"{"type":"user","message":{"role":"user","content":[{"type":"image"},{"type":"text","text":"look at this"}]}}"#;
        assert_eq!(prompt_of(b).as_deref(), Some("look at this"));
    }

    #[test]
    fn lines_not_typed_by_a_person_give_no_prompt() {
        for line in [
            r#"{"type":"user","message":{"content":[{"type":"tool_result","content":"x"}]}}"#,
            r#"{"type":"user","isMeta":true,"message":{"content":"Caveat"}}"#,
            r#"{"type":"user","isCompactSummary":true,"message":{"content":"This session is being continued"}}"#,
            r#"{"type":"user","message":{"content":"<command-name>/clear</command-name>"}}"#,
            r#"{"type":"user","message":{"content":"[Request interrupted by user]"}}"#,
            r#"{"type":"assistant","message":{"content":"user"}}"#,
            r#"{"type":"user","message":{"content":"   "}}"#,
            r#"{"type":"user","message":{"content":"cut"#,
        ] {
            assert_eq!(prompt_of(line), None, "{line}");
        }
    }

    #[test]
    fn subagent_files_give_no_prompt() {
        let ctx = FileContext {
            fallback_session: "s".into(),
            subagent: true,
        };
        let s = r#"{"type":"user","message":{"content":"do the task"}}"#;
        assert_eq!(first_prompt(s.as_bytes(), &ctx), None);
    }

    #[test]
    fn title_filter_passes_title_lines_and_not_escaped_text_or_long_lines() {
        assert!(may_title(br#"{"type":"ai-title","aiTitle":"x"}"#));
        assert!(may_title(br#"{"type":"custom-title","customTitle":"x"}"#));
        assert!(may_title(br#"{"type": "summary", "summary": "x"}"#));
        assert!(!may_title(
            br#"{"type":"user","message":{"content":"say \"summary\" and \"aiTitle\" here"}}"#
        ));
        let mut long = br#"{"type":"summary","summary":""#.to_vec();
        long.resize(TITLE_LINE_MAX + 1, b'x');
        assert!(!may_title(&long));
    }
}
