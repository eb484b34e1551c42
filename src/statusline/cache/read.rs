//! Reading what one transcript appended since the status line last looked:
//! where reading stopped is saved in the cache, so each call reads only
//! new bytes, and a file that was replaced or cut short is read again.
//!
//! A small, self-contained tail: the status line keeps its own file states
//! (a few numbers each) rather than the engine's reader state, so its cache
//! stays small and its format is its own.
//!
//! Like the engine's tailer it reads bytes after the last newline that are
//! already complete objects (spec §2, v2), and remembers that it did, so
//! the newline that may follow later adds nothing.

use crate::parse::{FileContext, Parsed, Want, parse_line};
use crate::source::complete::is_complete;
use crate::source::tail::{FileIdentity, open_transcript, read_head};
use serde::{Deserialize, Serialize};
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

const CHUNK: usize = 1 << 20;

/// A modification time in whole seconds and nanoseconds since the epoch.
pub use crate::source::tail::modified_of as mtime;

/// Where reading a file stopped.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FileState {
    pub identity: Option<FileIdentity>,
    /// Just past the last complete line read.
    pub committed: u64,
    /// The last line read had no newline yet: whitespace up to the next
    /// newline belongs to it.
    pub open: bool,
    /// Length and modification time when last looked at: both unchanged
    /// means nothing was written.
    pub seen_len: u64,
    pub seen_mtime: Option<(u64, u32)>,
    /// The file's first bytes as last read (empty for files never read).
    pub head: Vec<u8>,
}

impl FileState {
    pub fn unchanged(&self, meta: &std::fs::Metadata) -> bool {
        self.seen_len == meta.len()
            && self.seen_mtime == mtime(meta)
            && self.identity == FileIdentity::of(meta)
    }
}

/// Read the complete lines appended since `state`, handing each usage
/// record to `sink` with its offset. Returns the new state and whether the
/// file was read from the start again (what it gave before is void).
pub fn read_appended(
    path: &Path,
    state: &FileState,
    line_cap: usize,
    context: &FileContext,
    sink: &mut dyn FnMut(u64, Parsed),
) -> io::Result<(FileState, bool)> {
    // Never a FIFO (opening one would hang the status line).
    let mut file = open_transcript(path, true)?
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "not a regular file"))?;
    let meta = file.metadata()?;
    let len = meta.len();
    let head = read_head(&mut file)?;
    let same = state.identity == FileIdentity::of(&meta)
        && state.committed <= len
        && (state.head.is_empty() || head.starts_with(&state.head));
    let reset = !same && (state.committed > 0 || !state.head.is_empty());
    let mut pos = if same { state.committed } else { 0 };
    file.seek(SeekFrom::Start(pos))?;
    let mut buf = vec![0; CHUNK];
    let mut line: Vec<u8> = Vec::new();
    let mut line_start = pos;
    let mut discarding = false;
    let mut open = same && state.open;
    let mut read_to = pos;
    while read_to < len {
        let want = CHUNK.min((len - read_to) as usize);
        let n = file.read(&mut buf[..want])?;
        if n == 0 {
            break;
        }
        let mut start = 0;
        for nl in memchr::memchr_iter(b'\n', &buf[..n]) {
            if !discarding {
                line.extend_from_slice(&buf[start..nl]);
                let already_read = open && line.trim_ascii().is_empty();
                if line.len() <= line_cap && !already_read {
                    for (at, fact) in parse_line(&line, context, Want::Accounting) {
                        sink(line_start + at, fact);
                    }
                }
            }
            open = false;
            discarding = false;
            line.clear();
            start = nl + 1;
            line_start = read_to + start as u64;
            pos = line_start;
        }
        if !discarding {
            line.extend_from_slice(&buf[start..n]);
            if line.len() > line_cap {
                // Skip the rest of an over-long line without holding it.
                line = Vec::new();
                discarding = true;
            }
        }
        read_to += n as u64;
    }
    // What follows the last newline is a line already if it is whole.
    if !discarding && !line.is_empty() && is_complete(&line) {
        for (at, fact) in parse_line(&line, context, Want::Accounting) {
            sink(line_start + at, fact);
        }
        pos = read_to;
        open = true;
    }
    let state = FileState {
        identity: FileIdentity::of(&meta),
        committed: pos,
        open,
        seen_len: len,
        seen_mtime: mtime(&meta),
        head,
    };
    Ok((state, reset))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn usage(msg: &str, output: u64) -> String {
        format!(
            r#"{{"type":"assistant","sessionId":"s","timestamp":"2026-11-20T10:00:00.000Z","message":{{"id":"{msg}","model":"m","usage":{{"input_tokens":1,"output_tokens":{output}}}}}}}"#
        ) + "\n"
    }

    fn outputs(path: &Path, state: &FileState, cap: usize) -> (Vec<(u64, u64)>, FileState, bool) {
        let ctx = FileContext {
            fallback_session: "s".into(),
            subagent: false,
        };
        let mut got = Vec::new();
        let (s, reset) = read_appended(path, state, cap, &ctx, &mut |off, p| {
            if let Parsed::Usage(r) = p {
                got.push((off, r.tokens.output));
            }
        })
        .unwrap();
        (got, s, reset)
    }

    #[test]
    fn only_appended_complete_lines_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.jsonl");
        let (a, b) = (usage("a", 1), usage("b", 2));
        std::fs::write(&path, format!("{a}{}", &b[..10])).unwrap();
        let (got, s, reset) = outputs(&path, &FileState::default(), 1 << 20);
        assert_eq!(got, [(0, 1)]);
        assert!(!reset);
        assert_eq!(s.committed, a.len() as u64);
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(&b.as_bytes()[10..]).unwrap();
        let (got, s, _) = outputs(&path, &s, 1 << 20);
        assert_eq!(got, [(a.len() as u64, 2)]);
        assert_eq!(s.committed, (a.len() + b.len()) as u64);
    }

    #[test]
    fn a_replaced_or_shortened_file_is_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.jsonl");
        std::fs::write(&path, usage("a", 1) + &usage("b", 2)).unwrap();
        let (_, s, _) = outputs(&path, &FileState::default(), 1 << 20);
        std::fs::write(&path, usage("c", 3)).unwrap();
        let (got, _, reset) = outputs(&path, &s, 1 << 20);
        assert!(reset);
        assert_eq!(got, [(0, 3)]);
    }

    #[test]
    fn over_long_lines_are_skipped_not_held() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.jsonl");
        let big = format!("{{\"pad\":\"{}\"}}\n", "x".repeat(3 * CHUNK));
        std::fs::write(&path, big.clone() + &usage("a", 7)).unwrap();
        let (got, s, _) = outputs(&path, &FileState::default(), 1 << 20);
        assert_eq!(got, [(big.len() as u64, 7)]);
        assert_eq!(s.committed, s.seen_len);
    }

    fn append(path: &Path, bytes: &str) {
        let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
        f.write_all(bytes.as_bytes()).unwrap();
    }

    /// Every fact's offset, blank lines included, so a swallowed newline
    /// can be told from a blank line.
    fn facts(path: &Path, state: &FileState) -> (Vec<(u64, String)>, FileState) {
        let ctx = FileContext {
            fallback_session: "s".into(),
            subagent: false,
        };
        let mut got = Vec::new();
        let (s, _) = read_appended(path, state, 1 << 20, &ctx, &mut |off, p| {
            got.push((off, format!("{p:?}").chars().take(12).collect()));
        })
        .unwrap();
        (got, s)
    }

    #[test]
    fn a_complete_object_without_its_newline_is_read_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.jsonl");
        let (a, b) = (usage("a", 1), usage("b", 2));
        let a0 = a.trim_end();
        std::fs::write(&path, a0).unwrap();
        let (got, s, _) = outputs(&path, &FileState::default(), 1 << 20);
        assert_eq!(got, [(0, 1)]);
        assert_eq!((s.committed, s.open), (a0.len() as u64, true));
        let (got, s, _) = outputs(&path, &s, 1 << 20);
        assert_eq!(got, []);
        // Its newline adds nothing, not even a blank line.
        append(&path, "\n");
        let (got, s) = facts(&path, &s);
        assert_eq!(got, []);
        assert_eq!((s.committed, s.open), (a.len() as u64, false));
        // `{a}` then `{b}\n`: the new bytes are the next line.
        std::fs::write(&path, a0).unwrap();
        let (_, s, _) = outputs(&path, &FileState::default(), 1 << 20);
        append(&path, &b);
        let (got, s, _) = outputs(&path, &s, 1 << 20);
        assert_eq!(got, [(a0.len() as u64, 2)]);
        assert!(!s.open);
    }

    #[test]
    fn an_incomplete_fragment_waits_and_crlf_ends_a_read_object() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.jsonl");
        let a = usage("a", 1);
        let a0 = a.trim_end();
        std::fs::write(&path, &a0[..a0.len() - 1]).unwrap();
        let (got, s, _) = outputs(&path, &FileState::default(), 1 << 20);
        assert_eq!(got, []);
        assert_eq!((s.committed, s.open), (0, false));
        append(&path, "}\r");
        let (got, s, _) = outputs(&path, &s, 1 << 20);
        assert_eq!(got, [(0, 1)]);
        assert_eq!(s.committed, a0.len() as u64 + 1);
        append(&path, "\n\r\n");
        let (got, s) = facts(&path, &s);
        assert_eq!(got.len(), 1, "one blank line, not two: {got:?}");
        assert_eq!(got[0].0, a0.len() as u64 + 2);
        assert_eq!(s.committed, a0.len() as u64 + 4);
    }
}
