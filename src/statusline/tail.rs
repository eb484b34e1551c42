//! The context of one session from the end of its transcript: read
//! backwards, a chunk at a time, until the newest main-chain usage record
//! (spec §4), so the cost does not grow with the transcript's length.
//! Bytes after the last newline count when they are complete objects
//! (spec §2, v2), as in the engine.

use crate::parse::{FileContext, Parsed, Want, parse_line};
use crate::record::{Millis, Tokens};
use crate::source::complete::is_complete;
use crate::source::tail::open_transcript;
use serde::{Deserialize, Serialize};
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

/// The first read; each further one doubles, up to `MAX_CHUNK`, so a line
/// of megabytes is assembled in a few reads rather than re-copied in many.
const CHUNK: usize = 64 << 10;
const MAX_CHUNK: usize = 8 << 20;
/// How far back to look before giving up: a response is rarely followed by
/// more than a few megabytes of tool output.
const MAX_BACK: u64 = 32 << 20;

/// What the end of a transcript says about its context.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LastContext {
    /// Input, output, cache writes, cache reads of the record.
    pub tokens: [u64; 4],
    pub model: String,
    pub timestamp: Millis,
    /// A compaction boundary comes after this record (with its `preTokens`):
    /// the real occupancy is unknown until the next response.
    pub compacted_before: Option<Option<u64>>,
}

impl LastContext {
    pub fn tokens(&self) -> Tokens {
        Tokens::from(self.tokens)
    }
}

/// What a backward read found between `floor` and the end.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Found {
    /// The newest main-chain usage record past `floor`.
    pub context: Option<LastContext>,
    /// A compaction boundary newer than any such record, with `preTokens`.
    pub compaction: Option<Option<u64>>,
    /// Just past the last complete line (complete objects without their
    /// newline included): the next call's `floor`.
    pub end: u64,
}

/// Read a transcript backwards from its last complete line down to `floor`
/// (a line start, 0 for the whole file), stopping at the newest main-chain
/// usage record, and at most `MAX_BACK` bytes. Bytes after the last
/// newline are read if they are complete objects, else (a line being
/// written) left for later. A newline arriving after such an object is
/// read as a blank line, which carries nothing this looks for.
pub fn last_context(path: &Path, floor: u64) -> io::Result<Found> {
    // Never a FIFO (opening one would hang the status line).
    let mut file = open_transcript(path, true)?
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "not a regular file"))?;
    let len = file.metadata()?.len();
    let mut found = Found {
        end: len,
        ..Found::default()
    };
    if floor >= len {
        found.end = floor.min(len);
        return Ok(found);
    }
    let context = FileContext {
        fallback_session: String::new(),
        subagent: false,
    };
    // `tail` holds the bytes from `pos` to the end of the last complete
    // line not yet parsed.
    let mut pos = len;
    let mut tail: Vec<u8> = Vec::new();
    let mut first_chunk = true;
    let mut want = CHUNK;
    while pos > floor && len - pos < MAX_BACK {
        let n = want.min((pos - floor) as usize);
        want = (want * 2).min(MAX_CHUNK);
        pos -= n as u64;
        let mut chunk = vec![0; n];
        file.seek(SeekFrom::Start(pos))?;
        file.read_exact(&mut chunk)?;
        chunk.extend_from_slice(&tail);
        tail = chunk;
        // Past the bytes just read, `tail` is one partial line: no need to
        // search it for a newline again.
        let mut clean_from = n;
        if first_chunk {
            // Leave an unterminated last line for later, unless whole.
            match memchr::memrchr(b'\n', &tail) {
                Some(i) if is_complete(&tail[i + 1..]) => {}
                Some(i) => tail.truncate(i + 1),
                None if pos > floor => continue,
                None if is_complete(&tail) => {}
                None => tail.clear(),
            }
            found.end = pos + tail.len() as u64;
            clean_from = tail.len();
            first_chunk = false;
        }
        // Parse the complete lines of `tail`, newest first; keep the first
        // (possibly partial) line for the next round unless at the floor.
        let mut end = tail.len();
        loop {
            let line_end = if end > 0 && tail[end - 1] == b'\n' {
                end - 1
            } else {
                end
            };
            let search_end = line_end.min(clean_from);
            clean_from = usize::MAX;
            let start = match memchr::memrchr(b'\n', &tail[..search_end]) {
                Some(i) => i + 1,
                None if pos == floor => 0,
                None => break,
            };
            let facts = parse_line(&tail[start..line_end], &context, Want::Accounting);
            for (_, fact) in facts.into_iter().rev() {
                match fact {
                    Parsed::Usage(r) if !r.sidechain => {
                        found.context = Some(LastContext {
                            tokens: r.tokens.into(),
                            model: r.model,
                            timestamp: r.timestamp,
                            compacted_before: found.compaction,
                        });
                        return Ok(found);
                    }
                    Parsed::Compaction(m) if found.compaction.is_none() => {
                        found.compaction = Some(m.pre_tokens);
                    }
                    _ => {}
                }
            }
            end = start;
            if start == 0 {
                break;
            }
        }
        tail.truncate(end);
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(msg: &str, prompt: u64, sidechain: bool) -> String {
        format!(
            r#"{{"type":"assistant","sessionId":"s","isSidechain":{sidechain},"timestamp":"2026-11-20T10:00:00.000Z","requestId":"r{msg}","message":{{"id":"{msg}","model":"claude-sonnet-4-5-20250929","usage":{{"input_tokens":{prompt},"output_tokens":5}}}}}}"#
        ) + "\n"
    }

    fn write(content: &str) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), content).unwrap();
        f
    }

    #[test]
    fn the_newest_main_chain_record_wins_over_later_sidechain_ones() {
        let big = format!(r#"{{"type":"user","content":"{}"}}"#, "x".repeat(200_000)) + "\n";
        let f = write(
            &(usage("a", 1000, false) + &usage("b", 2000, false) + &big + &usage("c", 9000, true)),
        );
        let c = last_context(f.path(), 0).unwrap().context.unwrap();
        assert_eq!(c.tokens().input, 2000);
        assert_eq!(c.compacted_before, None);
    }

    #[test]
    fn an_unterminated_last_line_is_ignored_and_a_later_boundary_noticed() {
        let boundary = r#"{"type":"system","subtype":"compact_boundary","sessionId":"s","uuid":"b","timestamp":"2026-11-20T10:01:00.000Z","compactMetadata":{"trigger":"auto","preTokens":2005}}"#;
        let partial = &usage("z", 7, false)[..40];
        let text = usage("a", 2000, false) + boundary + "\n";
        let f = write(&(text.clone() + partial));
        let found = last_context(f.path(), 0).unwrap();
        let c = found.context.unwrap();
        assert_eq!(c.tokens().input, 2000);
        assert_eq!(c.compacted_before, Some(Some(2005)));
        assert_eq!(found.end, text.len() as u64);
    }

    #[test]
    fn a_transcript_without_usage_has_no_context() {
        let f = write("{\"type\":\"user\"}\n\n");
        assert_eq!(last_context(f.path(), 0).unwrap().context, None);
        let f = write("");
        assert_eq!(last_context(f.path(), 0).unwrap().context, None);
        assert!(last_context(Path::new("/nonexistent/x.jsonl"), 0).is_err());
    }

    #[test]
    fn a_record_in_the_very_first_line_is_found() {
        let f = write(&usage("a", 1234, false));
        let c = last_context(f.path(), 0).unwrap().context.unwrap();
        assert_eq!(c.tokens().input, 1234);
    }

    #[test]
    fn a_floor_limits_the_read_to_what_was_appended() {
        let first = usage("a", 1000, false);
        let f = write(&(first.clone() + &usage("b", 2000, true)));
        let found = last_context(f.path(), first.len() as u64).unwrap();
        assert_eq!(found.context, None);
        let found = last_context(f.path(), 0).unwrap();
        assert_eq!(found.context.unwrap().tokens().input, 1000);
        let end = found.end;
        assert_eq!(last_context(f.path(), end).unwrap().end, end);
    }

    #[test]
    fn a_complete_last_record_without_its_newline_is_the_context() {
        let (a, b) = (usage("a", 1000, false), usage("b", 2000, false));
        let f = write(&(a.clone() + b.trim_end()));
        let found = last_context(f.path(), 0).unwrap();
        assert_eq!(found.context.unwrap().tokens().input, 2000);
        assert_eq!(found.end, (a.len() + b.len() - 1) as u64);
        // Its newline arriving later finds nothing new, and ends right.
        std::fs::write(f.path(), a.clone() + &b).unwrap();
        let again = last_context(f.path(), found.end).unwrap();
        assert_eq!(again.context, None);
        assert_eq!(again.end, (a.len() + b.len()) as u64);
        // A single-line file, and CRLF before the end.
        let f = write(&(b.trim_end().to_owned() + "\r"));
        assert_eq!(
            last_context(f.path(), 0)
                .unwrap()
                .context
                .unwrap()
                .tokens()
                .input,
            2000
        );
        // `{a}` then `{b}` without a newline between: the next line.
        let f = write(a.trim_end());
        let end = last_context(f.path(), 0).unwrap().end;
        std::fs::write(f.path(), a.trim_end().to_owned() + &b).unwrap();
        let next = last_context(f.path(), end).unwrap();
        assert_eq!(next.context.unwrap().tokens().input, 2000);
        // An incomplete fragment waits.
        let f = write(&(a.clone() + &b[..b.len() - 3]));
        let found = last_context(f.path(), 0).unwrap();
        assert_eq!(found.context.unwrap().tokens().input, 1000);
        assert_eq!(found.end, a.len() as u64);
    }
}
