//! One transcript's tail and parser together: each read turns the bytes
//! appended since last time into a `FileUpdate` for the ledger.
//!
//! Both the one-shot scan and the live watcher use this, so a file read
//! live and a file read at start-up go through exactly the same code.

use super::discover::FileRole;
use super::tail::{TailEvent, TailStatus, Tailer};
use crate::agent::Agent;
use crate::ledger::{FileChange, FileUpdate};
use crate::parse::{
    FileContext, Parsed, RolloutState, SkipReason, Want, first_prompt, parse_line_with_turns,
    parse_rollout_line, parse_turn,
};
use crate::record::TurnEvent;
use std::path::{Path, PathBuf};

/// The default cap on one line's length (64 MiB): longer lines are skipped
/// and counted without being held in memory.
pub const DEFAULT_LINE_CAP: usize = 64 << 20;

/// How far into a file its first typed prompt is looked for.
const PROMPT_SEARCH_BYTES: u64 = 4 << 20;

#[derive(Debug)]
pub struct FileReader {
    tailer: Tailer,
    context: FileContext,
    encoded_project: String,
    /// Until a line has given the file's session with its `cwd` and a
    /// time, lines that only name it are parsed too, so that a session
    /// appears (with its project and last activity) before its first
    /// response, and a file whose first lines carry no `cwd` (a summary, a
    /// queue operation) still finds the one a later line carries.
    session_named: bool,
    /// The message id (hashed) of the newest main-chain response read:
    /// lines before its first line cannot change the session's state.
    response: Option<u64>,
    /// Until the file has given its first typed prompt (a session's title
    /// of last resort), `user` lines are also read for one. Not stored in
    /// the index: after a restart the search goes on in what is appended,
    /// and the ledger keeps the earliest prompt of each file.
    prompt_found: bool,
    /// For a Codex rollout, what its lines so far said (`parse/codex.rs`).
    rollout: Option<RolloutState>,
}

impl FileReader {
    pub fn new(path: PathBuf, role: FileRole, line_cap: usize) -> FileReader {
        let rollout = (role.agent == Agent::Codex).then(RolloutState::default);
        FileReader {
            rollout,
            tailer: Tailer::new(path, line_cap),
            context: FileContext {
                fallback_session: role.fallback_session,
                subagent: role.subagent,
            },
            encoded_project: role.encoded_project,
            session_named: false,
            response: None,
            prompt_found: false,
        }
    }

    /// A reader that continues from a saved position (see `index.rs`).
    pub fn resume(
        path: PathBuf,
        role: FileRole,
        line_cap: usize,
        state: super::tail::TailState,
        (session_named, response): (bool, Option<u64>),
        rollout: Option<RolloutState>,
    ) -> FileReader {
        let fresh = FileReader::new(path.clone(), role, line_cap);
        FileReader {
            tailer: Tailer::resume(path, line_cap, state),
            session_named,
            response,
            // A rollout resumes with what its earlier lines said.
            rollout: fresh.rollout.is_some().then(|| rollout.unwrap_or_default()),
            ..fresh
        }
    }

    /// What a Codex rollout's lines so far said (`None` for Claude Code).
    pub fn rollout(&self) -> Option<&RolloutState> {
        self.rollout.as_ref()
    }

    pub fn session_named(&self) -> bool {
        self.session_named
    }

    /// The newest main-chain response read (its hashed message id).
    pub fn response(&self) -> Option<u64> {
        self.response
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
    /// alongside) so one bad file never stops the others. What was read
    /// before an error is delivered and the position kept, so the next
    /// read retries from there and nothing is lost or counted twice.
    pub fn read(&mut self, buf: &mut Vec<u8>) -> (FileUpdate, Option<std::io::Error>) {
        let mut facts = Vec::new();
        let mut change = FileChange::Appended;
        let context = &self.context;
        let named = &mut self.session_named;
        let response = &mut self.response;
        let rollout = &mut self.rollout;
        let line_cap = self.tailer.line_cap();
        // Lines other than responses written since the newest response
        // began: only these can still change the state, so only these are
        // parsed for their turn, after the read (see `parse/turn.rs`).
        let mut since_response: Vec<(u64, usize)> = Vec::new();
        let prompt_found = &mut self.prompt_found;
        let result = self.tailer.read_new(buf, &mut |event| match event {
            TailEvent::Reset => {
                facts.clear();
                since_response.clear();
                change = FileChange::Reset;
                *named = false;
                *response = None;
                *prompt_found = false;
                if let Some(r) = rollout.as_mut() {
                    *r = RolloutState::default();
                }
            }
            TailEvent::Line { offset, bytes } if rollout.is_some() => {
                // A Codex rollout: its parser keeps the file's memory and
                // gives the turn facts itself (its turn events are small).
                if let Some(state) = rollout.as_mut() {
                    for (at, fact) in parse_rollout_line(bytes, context, state) {
                        facts.push((offset + at, fact));
                    }
                }
            }
            TailEvent::Line { offset, bytes } => {
                let want = if *named {
                    Want::Accounting
                } else {
                    Want::Entries
                };
                let mut turn = None;
                for (at, fact) in parse_line_with_turns(bytes, context, want) {
                    *named |= names_project(&fact);
                    if let Parsed::Turn(t) = &fact
                        && let TurnEvent::Response { key, .. } = t.event
                    {
                        turn = Some(key);
                    }
                    facts.push((offset + at, fact));
                }
                match turn {
                    // A new response: what came before it no longer matters.
                    Some(key) if key.is_none() || key != *response => {
                        since_response.clear();
                        *response = key;
                    }
                    Some(_) => {}
                    None if bytes.len() <= line_cap => since_response.push((offset, bytes.len())),
                    None => {}
                }
                if !*prompt_found {
                    if let Some(prompt) = first_prompt(bytes, context) {
                        *prompt_found = true;
                        facts.push((offset, prompt));
                    } else if offset >= PROMPT_SEARCH_BYTES {
                        // A file that opens with that much and no typed
                        // prompt (only commands and tool results) is not
                        // parsed line by line to its end for one.
                        *prompt_found = true;
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
            // A replaced file whose new content failed part-way: what was
            // read replaces the old, and the next read goes on from there.
            Err(e) if change == FileChange::Reset => (FileChange::Reset, Some(e)),
            Err(e) => (FileChange::Unreadable, Some(e)),
        };
        if change != FileChange::Gone && !since_response.is_empty() {
            self.read_turns(&since_response, &mut facts);
        }
        if change == FileChange::Gone {
            facts.clear();
            // Start over if the file comes back or becomes readable.
            self.tailer = Tailer::new(self.tailer.path().to_path_buf(), self.tailer.line_cap());
            self.session_named = false;
            self.response = None;
            self.prompt_found = false;
            if let Some(r) = self.rollout.as_mut() {
                *r = RolloutState::default();
            }
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

impl FileReader {
    /// Read the turn facts of the lines at `lines` (offset, length) again
    /// from the file and put them among `facts` in file order. The bytes
    /// were just read, so they come from the page cache; should the file
    /// have changed meanwhile, a line that no longer parses gives nothing
    /// and the next read sees the change.
    fn read_turns(&self, lines: &[(u64, usize)], facts: &mut Vec<(u64, Parsed)>) {
        use std::io::{Read, Seek, SeekFrom};
        let Ok(Some(mut file)) = super::tail::open_transcript(self.path(), false) else {
            return;
        };
        let mut bytes = Vec::new();
        let mut found = false;
        for &(offset, len) in lines {
            bytes.resize(len, 0);
            let read = file
                .seek(SeekFrom::Start(offset))
                .and_then(|_| file.read_exact(&mut bytes));
            if read.is_err() {
                break;
            }
            if let Some(turn) = parse_turn(&bytes, &self.context) {
                facts.push((offset, Parsed::Turn(turn)));
                found = true;
            }
        }
        if found {
            // Stable, and nearly sorted already: the facts stay in file order.
            facts.sort_by_key(|(offset, _)| *offset);
        }
    }
}

/// Does this fact give the session's project and a time? Then the file's
/// remaining lines need only be read for accounting.
fn names_project(fact: &Parsed) -> bool {
    match fact {
        Parsed::Usage(r) => r.cwd.is_some(),
        Parsed::Compaction(m) => m.cwd.is_some(),
        Parsed::Entry { cwd, timestamp, .. } => cwd.is_some() && timestamp.is_some(),
        Parsed::Turn(_) | Parsed::Title { .. } | Parsed::Skipped(_) | Parsed::Limits(_) => false,
    }
}
