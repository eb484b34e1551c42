//! Reading one session's files for attribution and the audit: from byte 0
//! the first time, then only what was appended, as the session grows. A
//! file that shrank is read again from the start (with everything else, so
//! the answer equals a fresh read).
//!
//! Lines are parsed twice on purpose: once by the accounting parser, so a
//! response's occupancy is exactly what the gauge shows, and once as a
//! JSON value for its content, which is reduced to sizes and targets at
//! once and dropped.

use super::content::{LineContent, content_of};
use super::target::ToolCall;
use super::timeline::{Compaction, LineFacts, Timeline};
use crate::parse::{FileContext, Parsed, Want, parse_line};
use crate::record::{Millis, parse_timestamp};
use serde_json::Value;
use std::io::{BufRead, Seek};
use std::path::PathBuf;

/// A file of the session and whether it is a subagent's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionFile {
    pub path: PathBuf,
    pub subagent: bool,
}

/// The files to read for a session: its own main file (named after its
/// id) when there is one — another session's file may hold copies of its
/// lines, which would count twice — else every main file that mentions it;
/// then its subagents' files.
pub fn session_files(ledger: &crate::ledger::Ledger, id: &str) -> Vec<SessionFile> {
    let all = ledger.session_files(id);
    let own = |p: &std::path::Path| p.file_stem().is_some_and(|s| s == id);
    let has_own = all.iter().any(|(p, sub)| !sub && own(p));
    all.into_iter()
        .filter(|(p, sub)| *sub || !has_own || own(p))
        .map(|(path, subagent)| SessionFile { path, subagent })
        .collect()
}

/// A tool call the audit lists.
#[derive(Debug, Clone, PartialEq)]
pub struct CallRecord {
    pub call: ToolCall,
    pub timestamp: Option<Millis>,
    /// Made by a subagent (its own file, or a sidechain line).
    pub subagent: bool,
}

#[derive(Debug)]
struct Cursor {
    file: SessionFile,
    offset: u64,
}

/// One session, read incrementally.
#[derive(Debug)]
pub struct SessionReader {
    session: String,
    files: Vec<Cursor>,
    line_cap: usize,
    pub timeline: Timeline,
    pub calls: Vec<CallRecord>,
    /// The session's working directory: the first `cwd` of its main file.
    pub cwd: Option<String>,
    /// Lines that could not be read (broken JSON, too long).
    pub skipped: u64,
}

impl SessionReader {
    /// A reader of `session` over `files` (main files first, in the order
    /// their lines should be taken). Nothing is read until `update`.
    pub fn new(session: &str, files: Vec<SessionFile>, line_cap: usize) -> SessionReader {
        SessionReader {
            session: session.to_owned(),
            files: files
                .into_iter()
                .map(|file| Cursor { file, offset: 0 })
                .collect(),
            line_cap,
            timeline: Timeline::new(),
            calls: Vec::new(),
            cwd: None,
            skipped: 0,
        }
    }

    pub fn session(&self) -> &str {
        &self.session
    }

    /// Bytes read so far, over all files.
    pub fn bytes_read(&self) -> u64 {
        self.files.iter().map(|c| c.offset).sum()
    }

    /// Follow a file found after the reader was made (a new subagent).
    pub fn add_file(&mut self, file: SessionFile) {
        if !self.files.iter().any(|c| c.file == file) {
            self.files.push(Cursor { file, offset: 0 });
        }
    }

    /// Read what was appended since the last call. Returns whether anything
    /// new was read. A file that cannot be read is an error in words; the
    /// other files are still read.
    pub fn update(&mut self) -> Result<bool, String> {
        let shrank = self
            .files
            .iter()
            .any(|c| std::fs::metadata(&c.file.path).is_ok_and(|m| m.len() < c.offset));
        if shrank {
            self.restart();
        }
        let mut changed = false;
        let mut errors = Vec::new();
        for i in 0..self.files.len() {
            match self.read_file(i) {
                Ok(more) => changed |= more,
                Err(e) => errors.push(e),
            }
        }
        match errors.into_iter().next() {
            Some(e) => Err(e),
            None => Ok(changed),
        }
    }

    fn restart(&mut self) {
        self.timeline = Timeline::new();
        self.calls.clear();
        self.cwd = None;
        self.skipped = 0;
        for c in &mut self.files {
            c.offset = 0;
        }
    }

    fn read_file(&mut self, i: usize) -> Result<bool, String> {
        let path = self.files[i].file.path.clone();
        let describe = |e: std::io::Error| {
            format!(
                "{} {}",
                path.display(),
                crate::source::discover::describe_io(&e)
            )
        };
        let file = match std::fs::File::open(&path) {
            Ok(f) => f,
            // A file deleted since it was listed has nothing more to give.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(describe(e)),
        };
        let mut reader = std::io::BufReader::with_capacity(1 << 20, file);
        let start = self.files[i].offset;
        reader
            .seek(std::io::SeekFrom::Start(start))
            .map_err(describe)?;
        let ctx = FileContext {
            fallback_session: self.session.clone(),
            subagent: self.files[i].file.subagent,
        };
        let mut line = Vec::new();
        let mut offset = start;
        loop {
            line.clear();
            let n = reader.read_until(b'\n', &mut line).map_err(describe)?;
            if n == 0 {
                break;
            }
            let ended = line.last() == Some(&b'\n');
            if !ended && !crate::source::complete::is_complete(&line) {
                // A line still being written waits, whole, for its newline.
                break;
            }
            offset += n as u64;
            if line.len() > self.line_cap {
                self.skipped += 1;
                continue;
            }
            let body = line.strip_suffix(b"\n").unwrap_or(&line);
            self.take_line(body, &ctx);
        }
        self.files[i].offset = offset;
        Ok(offset > start)
    }

    /// One line: each JSON object on it, in order.
    fn take_line(&mut self, line: &[u8], ctx: &FileContext) {
        let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.trim_ascii().is_empty() {
            return;
        }
        let facts = parse_line(line, ctx, Want::Accounting);
        let mut objects = serde_json::Deserializer::from_slice(line).into_iter::<Value>();
        loop {
            let before = objects.byte_offset();
            let start = before
                + line[before..]
                    .iter()
                    .take_while(|b| b.is_ascii_whitespace())
                    .count();
            match objects.next() {
                Some(Ok(value)) => {
                    let usage = facts.iter().find_map(|(at, f)| match f {
                        Parsed::Usage(r) if *at == start as u64 && !r.sidechain => Some(r),
                        _ => None,
                    });
                    let compaction = facts.iter().find_map(|(at, f)| match f {
                        Parsed::Compaction(m) if *at == start as u64 => Some(Compaction {
                            timestamp: m.timestamp,
                            pre_tokens: m.pre_tokens,
                            trigger: m.trigger.clone(),
                        }),
                        _ => None,
                    });
                    self.take_object(&value, ctx.subagent, usage, compaction);
                }
                Some(Err(_)) => {
                    self.skipped += 1;
                    break;
                }
                None => break,
            }
        }
    }

    fn take_object(
        &mut self,
        value: &Value,
        subagent_file: bool,
        usage: Option<&crate::record::UsageRecord>,
        compaction: Option<Compaction>,
    ) {
        let session = value.get("sessionId").and_then(Value::as_str);
        if session.is_some_and(|s| s != self.session) {
            return;
        }
        let sidechain =
            subagent_file || value.get("isSidechain").and_then(Value::as_bool) == Some(true);
        let content: LineContent = content_of(value);
        let timestamp = value
            .get("timestamp")
            .and_then(Value::as_str)
            .and_then(parse_timestamp);
        for c in &content.calls {
            self.calls.push(CallRecord {
                call: c.call.clone(),
                timestamp,
                subagent: sidechain,
            });
        }
        if sidechain {
            return;
        }
        if self.cwd.is_none() {
            self.cwd = value.get("cwd").and_then(Value::as_str).map(str::to_owned);
        }
        self.timeline.feed(LineFacts {
            usage,
            compaction,
            content,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prompt(text: &str) -> String {
        format!(
            r#"{{"type":"user","sessionId":"s","cwd":"/p","timestamp":"2026-12-01T10:00:00.000Z","message":{{"content":"{text}"}}}}"#
        )
    }

    fn reply(id: &str, prompt_tokens: u64) -> String {
        format!(
            r#"{{"type":"assistant","sessionId":"s","timestamp":"2026-12-01T10:00:01.000Z","requestId":"r{id}","message":{{"id":"{id}","model":"claude-sonnet-4-5","content":[{{"type":"tool_use","id":"t{id}","name":"Bash","input":{{"command":"ls"}}}}],"usage":{{"input_tokens":{prompt_tokens},"output_tokens":5}}}}}}"#
        )
    }

    fn summary_of(r: &SessionReader) -> (Vec<u64>, Vec<usize>, usize) {
        let occupancies = r.timeline.turns.iter().map(|t| t.occupancy).collect();
        let pieces = r.timeline.turns.iter().map(|t| t.pieces.len()).collect();
        (occupancies, pieces, r.calls.len())
    }

    #[test]
    fn reading_on_from_an_offset_equals_reading_the_whole_file_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.jsonl");
        let lines = [
            prompt("hello"),
            reply("m1", 1000),
            prompt("more"),
            reply("m2", 1200),
        ];
        let file = || SessionFile {
            path: path.clone(),
            subagent: false,
        };
        // The first two lines, then half of the third: it waits, whole.
        let third = &lines[2];
        std::fs::write(
            &path,
            format!("{}\n{}\n{}", lines[0], lines[1], &third[..10]),
        )
        .unwrap();
        let mut growing = SessionReader::new("s", vec![file()], 1 << 20);
        assert!(growing.update().unwrap());
        assert_eq!(growing.timeline.turns.len(), 1);
        assert!(!growing.update().unwrap(), "nothing new, nothing read");
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        assert!(growing.update().unwrap());
        let mut fresh = SessionReader::new("s", vec![file()], 1 << 20);
        fresh.update().unwrap();
        assert_eq!(summary_of(&growing), summary_of(&fresh));
        assert_eq!(summary_of(&fresh), (vec![1000, 1200], vec![1, 2], 2));
        assert_eq!(growing.cwd.as_deref(), Some("/p"));
        // Rewritten shorter: read again from the start.
        std::fs::write(&path, format!("{}\n{}\n", lines[0], lines[1])).unwrap();
        growing.update().unwrap();
        assert_eq!(summary_of(&growing).0, vec![1000]);
    }

    #[test]
    fn broken_lines_and_other_sessions_are_passed_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.jsonl");
        let other = reply("x9", 99).replace(r#""sessionId":"s""#, r#""sessionId":"other""#);
        std::fs::write(
            &path,
            format!(
                "{{\"type\":\"us\n\u{1}\u{2}\n{other}\n{}\n",
                reply("m1", 500)
            ),
        )
        .unwrap();
        let mut r = SessionReader::new(
            "s",
            vec![SessionFile {
                path,
                subagent: false,
            }],
            1 << 20,
        );
        r.update().unwrap();
        assert_eq!(summary_of(&r).0, vec![500]);
        assert_eq!(r.skipped, 2);
    }
}
