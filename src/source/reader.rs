//! One transcript's tail and parser together: each read turns the bytes
//! appended since last time into a `FileUpdate` for the ledger.
//!
//! Both the one-shot scan and the live watcher use this, so a file read
//! live and a file read at start-up go through exactly the same code.

use super::discover::FileRole;
use super::tail::{TailEvent, TailStatus, Tailer};
use crate::ledger::{FileChange, FileUpdate};
use crate::parse::{FileContext, Parsed, SkipReason, Want, parse_line};
use std::path::{Path, PathBuf};

/// The default cap on one line's length (64 MiB): longer lines are skipped
/// and counted without being held in memory.
pub const DEFAULT_LINE_CAP: usize = 64 << 20;

#[derive(Debug)]
pub struct FileReader {
    tailer: Tailer,
    context: FileContext,
    encoded_project: String,
    /// Until a line has named the file's session, lines that only name it
    /// are parsed too, so a session appears before its first response.
    session_named: bool,
}

impl FileReader {
    pub fn new(path: PathBuf, role: FileRole, line_cap: usize) -> FileReader {
        FileReader {
            tailer: Tailer::new(path, line_cap),
            context: FileContext {
                fallback_session: role.fallback_session,
                subagent: role.subagent,
            },
            encoded_project: role.encoded_project,
            session_named: false,
        }
    }

    /// A reader that continues from a saved position (see `index.rs`).
    pub fn resume(
        path: PathBuf,
        role: FileRole,
        line_cap: usize,
        state: super::tail::TailState,
        session_named: bool,
    ) -> FileReader {
        FileReader {
            tailer: Tailer::resume(path.clone(), line_cap, state),
            session_named,
            ..FileReader::new(path, role, line_cap)
        }
    }

    pub fn session_named(&self) -> bool {
        self.session_named
    }

    pub fn encoded_project(&self) -> &str {
        &self.encoded_project
    }

    pub fn path(&self) -> &Path {
        self.tailer.path()
    }

    pub fn tailer(&self) -> &Tailer {
        &self.tailer
    }

    /// Read what is new. `buf` is scratch space reused across calls.
    /// Errors become `FileChange::Unreadable` (with the reason returned
    /// alongside) so one bad file never stops the others.
    pub fn read(&mut self, buf: &mut Vec<u8>) -> (FileUpdate, Option<std::io::Error>) {
        let mut facts = Vec::new();
        let mut change = FileChange::Appended;
        let context = &self.context;
        let named = &mut self.session_named;
        let result = self.tailer.read_new(buf, &mut |event| match event {
            TailEvent::Reset => {
                facts.clear();
                change = FileChange::Reset;
                *named = false;
            }
            TailEvent::Line { offset, bytes } => {
                let want = if *named {
                    Want::Accounting
                } else {
                    Want::Entries
                };
                let parsed = parse_line(bytes, context, want);
                match parsed {
                    Parsed::Ignored => {}
                    Parsed::Skipped(_) => facts.push((offset, parsed)),
                    _ => {
                        *named = true;
                        facts.push((offset, parsed));
                    }
                }
            }
            TailEvent::Oversized { offset } => {
                facts.push((offset, Parsed::Skipped(SkipReason::Oversized)));
            }
        });
        let (change, error) = match result {
            Ok(TailStatus::Read) => (change, None),
            Ok(TailStatus::Gone) => (FileChange::Gone, None),
            Err(e) => (FileChange::Unreadable, Some(e)),
        };
        if change == FileChange::Gone || change == FileChange::Unreadable {
            facts.clear();
            // Start over if the file comes back or becomes readable.
            self.tailer = Tailer::new(self.tailer.path().to_path_buf(), self.tailer.line_cap());
            self.session_named = false;
        }
        let update = FileUpdate {
            path: self.tailer.path().to_path_buf(),
            encoded_project: self.encoded_project.clone(),
            change,
            facts,
            size: self.tailer.bytes_read(),
        };
        (update, error)
    }
}
