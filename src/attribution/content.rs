//! One transcript line's message content reduced to what attribution keeps:
//! each piece's kind, size in bytes, and the tool and target it concerns.
//! The text itself is dropped here, before anything is stored.
//!
//! This is the only place that looks inside `message.content`, and only for
//! the one session a user asked about: the main scan never calls it.

use super::target::{ToolCall, target_of};
use serde_json::Value;

/// What one piece of a line is, for the categories users see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Category {
    /// System prompt, tool definitions, CLAUDE.md and memory: what the
    /// first request held beyond what its prompt explains.
    Baseline,
    /// What the user typed (and slash commands' words).
    Prompt,
    /// A response's own text, thinking and tool calls: they join the context
    /// of the next request.
    Output,
    /// A tool's result, with the tool's name and target.
    ToolResult,
    /// Files, listings and other attachments Claude Code adds.
    Attachment,
    /// System reminders and other meta lines the user did not type.
    Reminder,
    /// Output of the user's hooks.
    Hook,
    /// The summary a compaction left.
    CompactSummary,
    /// Growth no line of the transcript explains.
    Unlogged,
    /// A fall without a compaction boundary (microcompact, cleared results).
    Drop,
}

impl Category {
    pub const ALL: [Category; 10] = [
        Category::Baseline,
        Category::Prompt,
        Category::Output,
        Category::ToolResult,
        Category::Attachment,
        Category::Reminder,
        Category::Hook,
        Category::CompactSummary,
        Category::Unlogged,
        Category::Drop,
    ];

    /// The word tables and the dashboard show.
    pub fn label(self) -> &'static str {
        match self {
            Category::Baseline => "baseline",
            Category::Prompt => "prompts",
            Category::Output => "assistant output",
            Category::ToolResult => "tool results",
            Category::Attachment => "attachments",
            Category::Reminder => "reminders",
            Category::Hook => "hook output",
            Category::CompactSummary => "compaction summary",
            Category::Unlogged => "not in the transcript",
            Category::Drop => "dropped",
        }
    }
}

/// One piece of content: no text, only its size and what it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub category: Category,
    /// The tool a result or call belongs to; the block kind for output
    /// (`text`, `thinking`); the attachment's type.
    pub tool: Option<String>,
    /// What the tool worked on: a path, a command, a URL, a description.
    pub target: Option<String>,
    /// Bytes of the content as the model sees it (see `size_of`).
    pub bytes: u64,
}

/// A tool call seen in a response: its id (to match the result) and what
/// it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallSeen {
    pub id: String,
    pub call: ToolCall,
    /// Its index in the line's `pieces`.
    pub piece: usize,
}

/// What attribution needs from one JSON object of a transcript.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LineContent {
    pub pieces: Vec<Piece>,
    /// Tool calls made in this line (assistant lines).
    pub calls: Vec<CallSeen>,
    /// Tool results in this line, by the id of the call they answer, with
    /// their index in `pieces` (so the tool's name can be filled in).
    pub results: Vec<(String, usize)>,
    /// A `microcompact_boundary`: tokens it saved, when it says.
    pub microcompact: Option<Option<u64>>,
}

/// The content of one parsed JSON object. Lines that carry nothing for the
/// context (titles, snapshots, queue operations) give nothing.
pub fn content_of(line: &Value) -> LineContent {
    let mut out = LineContent::default();
    let kind = line.get("type").and_then(Value::as_str).unwrap_or("");
    match kind {
        "assistant" => {
            if let Some(content) = message_content(line) {
                assistant_blocks(content, &mut out);
            }
        }
        "user" => {
            let meta = line.get("isMeta").and_then(Value::as_bool) == Some(true);
            let summary = line.get("isCompactSummary").and_then(Value::as_bool) == Some(true);
            if let Some(content) = message_content(line) {
                user_content(content, meta, summary, &mut out);
            }
        }
        "attachment" => {
            if let Some(a) = line.get("attachment") {
                out.pieces.push(attachment_piece(a));
            }
        }
        "system"
            if line.get("subtype").and_then(Value::as_str) == Some("microcompact_boundary") =>
        {
            let saved = line
                .get("microcompactMetadata")
                .and_then(|m| m.get("tokensSaved"))
                .and_then(Value::as_u64);
            out.microcompact = Some(saved);
        }
        _ => {}
    }
    out
}

fn message_content(line: &Value) -> Option<&Value> {
    line.get("message")?.get("content")
}

fn assistant_blocks(content: &Value, out: &mut LineContent) {
    let blocks: &[Value] = match content {
        Value::Array(a) => a,
        Value::String(s) => {
            out.pieces.push(output("text", None, s.len()));
            return;
        }
        _ => return,
    };
    for block in blocks {
        match block.get("type").and_then(Value::as_str).unwrap_or("") {
            "text" => out
                .pieces
                .push(output("text", None, str_len(block, "text"))),
            "thinking" => out
                .pieces
                .push(output("thinking", None, str_len(block, "thinking"))),
            "redacted_thinking" => {
                out.pieces
                    .push(output("thinking", None, str_len(block, "data")))
            }
            "tool_use" | "server_tool_use" => {
                let name = block.get("name").and_then(Value::as_str).unwrap_or("tool");
                let input = block.get("input").unwrap_or(&Value::Null);
                let call = target_of(name, input);
                let bytes = name.len() + json_len(input);
                if let Some(id) = block.get("id").and_then(Value::as_str) {
                    out.calls.push(CallSeen {
                        id: id.to_owned(),
                        call: call.clone(),
                        piece: out.pieces.len(),
                    });
                }
                out.pieces.push(output(name, call.target, bytes));
            }
            _ => out.pieces.push(output("other", None, json_len(block))),
        }
    }
}

fn output(kind: &str, target: Option<String>, bytes: usize) -> Piece {
    Piece {
        category: Category::Output,
        tool: Some(kind.to_owned()),
        target,
        bytes: bytes as u64,
    }
}

fn user_content(content: &Value, meta: bool, summary: bool, out: &mut LineContent) {
    let text_category = |text: &str| {
        if summary {
            Category::CompactSummary
        } else if meta || text.trim_start().starts_with("<system-reminder>") {
            Category::Reminder
        } else if text.trim_start().starts_with("<user-prompt-submit-hook>") {
            Category::Hook
        } else {
            Category::Prompt
        }
    };
    let blocks: &[Value] = match content {
        Value::String(s) => {
            out.pieces.push(plain(text_category(s), s.len()));
            return;
        }
        Value::Array(a) => a,
        _ => return,
    };
    for block in blocks {
        match block.get("type").and_then(Value::as_str).unwrap_or("") {
            "text" => {
                let text = block.get("text").and_then(Value::as_str).unwrap_or("");
                out.pieces.push(plain(text_category(text), text.len()));
            }
            "tool_result" => {
                let bytes = block.get("content").map_or(0, result_len);
                if let Some(id) = block.get("tool_use_id").and_then(Value::as_str) {
                    out.results.push((id.to_owned(), out.pieces.len()));
                }
                out.pieces.push(Piece {
                    category: Category::ToolResult,
                    tool: None,
                    target: None,
                    bytes: bytes as u64,
                });
            }
            "image" => out.pieces.push(plain(text_category(""), image_len(block))),
            _ => out.pieces.push(plain(text_category(""), json_len(block))),
        }
    }
}

fn plain(category: Category, bytes: usize) -> Piece {
    Piece {
        category,
        tool: None,
        target: None,
        bytes: bytes as u64,
    }
}

fn attachment_piece(a: &Value) -> Piece {
    let kind = a
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("attachment");
    let category = if kind.contains("hook") {
        Category::Hook
    } else {
        Category::Attachment
    };
    let target = ["filename", "path", "displayPath"]
        .iter()
        .find_map(|k| a.get(*k).and_then(Value::as_str))
        .map(str::to_owned);
    Piece {
        category,
        tool: Some(kind.to_owned()),
        target,
        bytes: json_len(a) as u64,
    }
}

/// Size of a tool result's content: its text, or the text and image data
/// of its blocks.
fn result_len(content: &Value) -> usize {
    match content {
        Value::String(s) => s.len(),
        Value::Array(blocks) => blocks
            .iter()
            .map(|b| match b.get("type").and_then(Value::as_str) {
                Some("text") => str_len(b, "text"),
                Some("image") => image_len(b),
                _ => json_len(b),
            })
            .sum(),
        Value::Null => 0,
        other => json_len(other),
    }
}

fn image_len(block: &Value) -> usize {
    block
        .get("source")
        .and_then(|s| s.get("data"))
        .and_then(Value::as_str)
        .map_or_else(|| json_len(block), str::len)
}

fn str_len(v: &Value, key: &str) -> usize {
    v.get(key).and_then(Value::as_str).map_or(0, str::len)
}

/// Bytes of a value written as compact JSON: the size of structured
/// content (tool inputs, attachments) as the transcript holds it.
pub fn json_len(v: &Value) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut c = Count(0);
    match serde_json::to_writer(&mut c, v) {
        Ok(()) => c.0,
        Err(_) => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_tool_result_is_sized_by_its_text_and_keeps_the_call_id() {
        let line = json!({"type":"user","message":{"content":[
            {"type":"tool_result","tool_use_id":"t1","content":"abcdef"},
            {"type":"tool_result","tool_use_id":"t2","content":[{"type":"text","text":"xy"},{"type":"text","text":"z"}]}
        ]}});
        let c = content_of(&line);
        assert_eq!(c.pieces.len(), 2);
        assert_eq!(c.pieces[0].bytes, 6);
        assert_eq!(c.pieces[1].bytes, 3);
        assert_eq!(c.results, vec![("t1".to_owned(), 0), ("t2".to_owned(), 1)]);
    }

    #[test]
    fn assistant_blocks_are_output_with_their_calls() {
        let line = json!({"type":"assistant","message":{"content":[
            {"type":"text","text":"hello"},
            {"type":"thinking","thinking":"hmm"},
            {"type":"tool_use","id":"t1","name":"Read","input":{"file_path":"/p/a.rs"}}
        ]}});
        let c = content_of(&line);
        let sizes: Vec<u64> = c.pieces.iter().map(|p| p.bytes).collect();
        // `{"file_path":"/p/a.rs"}` is 23 bytes, plus the name's 4.
        assert_eq!(sizes, vec![5, 3, 27]);
        assert!(c.pieces.iter().all(|p| p.category == Category::Output));
        assert_eq!(c.calls[0].id, "t1");
        assert_eq!(c.calls[0].call.target.as_deref(), Some("/p/a.rs"));
    }

    #[test]
    fn user_lines_are_told_apart_by_their_flags() {
        let prompt = json!({"type":"user","message":{"content":"fix it"}});
        let meta = json!({"type":"user","isMeta":true,"message":{"content":"caveat"}});
        let summary = json!({"type":"user","isCompactSummary":true,"message":{"content":"so far"}});
        let reminder = json!({"type":"user","message":{"content":[{"type":"text","text":"<system-reminder>x</system-reminder>"}]}});
        let cat = |v: &Value| content_of(v).pieces[0].category;
        assert_eq!(cat(&prompt), Category::Prompt);
        assert_eq!(cat(&meta), Category::Reminder);
        assert_eq!(cat(&summary), Category::CompactSummary);
        assert_eq!(cat(&reminder), Category::Reminder);
    }

    #[test]
    fn attachments_and_hooks_keep_their_type_and_file() {
        let file = json!({"type":"attachment","attachment":{"type":"file","filename":"/p/b.rs","content":"x"}});
        let hook = json!({"type":"attachment","attachment":{"type":"hook_additional_context","content":"y"}});
        let f = &content_of(&file).pieces[0];
        assert_eq!(f.category, Category::Attachment);
        assert_eq!(f.target.as_deref(), Some("/p/b.rs"));
        assert_eq!(
            f.bytes,
            r#"{"type":"file","filename":"/p/b.rs","content":"x"}"#.len() as u64
        );
        assert_eq!(content_of(&hook).pieces[0].category, Category::Hook);
    }

    #[test]
    fn lines_without_context_give_nothing() {
        for v in [
            json!({"type":"ai-title","aiTitle":"x"}),
            json!({"type":"user"}),
            json!({"type":"assistant","message":{"content":7}}),
            json!("not an object"),
        ] {
            assert!(content_of(&v).pieces.is_empty(), "{v}");
        }
        let mc = json!({"type":"system","subtype":"microcompact_boundary","microcompactMetadata":{"tokensSaved":900}});
        assert_eq!(content_of(&mc).microcompact, Some(Some(900)));
    }
}
