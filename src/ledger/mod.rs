//! The accumulator: what every file contributed, deduplicated across files,
//! summed per session and per UTC day (spec §3–4).
//!
//! The ledger is fed `FileUpdate`s (from a one-shot scan or the live tailer)
//! and is independent of their order: it keeps every copy of every response
//! and which file each came from, so a file can be withdrawn (truncated,
//! replaced, deleted) and the totals equal a fresh scan of what remains.

mod agents;
mod dedup;
mod export;
pub mod image;
mod limits;
mod names;
mod session;
pub mod snapshot;
pub mod turn;
pub mod window;
mod wire;

pub use agents::{AgentFile, AgentResponse};
pub use dedup::{Copy, FileId};
pub use export::FileFacts;
pub use limits::SessionLimits;
pub use names::{NameId, Names};
pub use session::{Boundary, ContextPoint, ModelUse, SessionContext, is_large_drop};
pub use snapshot::{ContextSnapshot, SessionSnapshot, TokenJson};
pub use turn::{Phase, SessionTurn, TurnTrack};
pub use window::WindowPolicy;

use crate::parse::{Parsed, SkipCounts, SkipReason, TitleKind};
use crate::record::{Billing, CompactionMark, DedupKey, Millis, Tokens, UsageRecord};
use chrono::NaiveDate;
use dedup::{CopyParts, DedupIndex, Key, WinnerChange};
use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What happened to one file since the ledger last heard of it.
#[derive(Debug, Clone, PartialEq)]
pub struct FileUpdate {
    pub path: PathBuf,
    /// The encoded project directory, the project's name of last resort.
    pub encoded_project: String,
    pub change: FileChange,
    /// Facts from lines read, each with its byte offset, in file order.
    pub facts: Vec<(u64, Parsed)>,
    /// How many bytes of the file have been read so far.
    pub size: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileChange {
    /// Lines appended after what was read before.
    Appended,
    /// The file was truncated or replaced: withdraw what it contributed,
    /// then apply the facts read from byte 0.
    Reset,
    /// The file is gone: withdraw what it contributed.
    Gone,
    /// The file could not be read: withdraw it and count it as skipped.
    Unreadable,
}

/// A compaction boundary and the files (with offsets) it was read from.
#[derive(Debug, Serialize, Deserialize)]
struct BoundaryCopies {
    session: Arc<str>,
    boundary: Boundary,
    seen_in: Vec<(FileId, u64)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
enum BoundaryKey {
    Uuid(u128),
    Unkeyed(FileId, u64),
}

impl BoundaryKey {
    fn as_u128(self) -> u128 {
        match self {
            BoundaryKey::Uuid(u) => u,
            BoundaryKey::Unkeyed(f, o) => ((f.0 as u128) << 64) | o as u128,
        }
    }
}

/// What the ledger knows of one file.
#[derive(Debug, Default, Serialize, Deserialize)]
struct FileEntry {
    path: Arc<str>,
    path_hash: u64,
    encoded_project: String,
    live: bool,
    unreadable: bool,
    size: u64,
    /// Not stored: rebuilt from the dedup index on load.
    #[serde(skip)]
    keys: Vec<Key>,
    boundaries: Vec<BoundaryKey>,
    sessions: BTreeSet<Arc<str>>,
    #[serde(with = "image::stored_skips")]
    skipped: SkipCounts,
    /// The newest state of the file's chain (see `turn.rs`).
    turn: TurnTrack,
    /// A Codex rollout's newest window and rate limits (see `limits.rs`).
    limits: limits::FileLimits,
}

/// Per-day sums.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct DaySums {
    pub records: u64,
    pub tokens: Tokens,
}

#[derive(Debug, Default)]
pub struct Ledger {
    files: Vec<FileEntry>,
    file_ids: HashMap<PathBuf, FileId>,
    dedup: DedupIndex,
    boundaries: HashMap<BoundaryKey, BoundaryCopies>,
    sessions: HashMap<Arc<str>, SessionContext>,
    /// Interned session ids: what copies refer to their session by.
    session_names: Names,
    /// Interned model names.
    models: Names,
    /// By days since the Unix epoch (UTC): an integer key is cheap per record.
    daily_utc: BTreeMap<i64, DaySums>,
    totals: Tokens,
    records: u64,
    /// Every change of which copy wins a response since the last
    /// `take_winner_moves`, when a consumer asked for them.
    winner_log: Option<Vec<WinnerMove>>,
}

/// A record that started or stopped counting: what running sums (the
/// dashboard's costs) add or take back, so that a batch costs what it
/// holds rather than what the history holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WinnerMove {
    /// `true` when the record now counts, `false` when it no longer does.
    pub counts: bool,
    pub session_ix: NameId,
    pub model_ix: NameId,
    pub timestamp: Millis,
    pub tokens: Tokens,
    pub billing: Billing,
    pub cost_usd: Option<f64>,
}

impl WinnerMove {
    fn of(c: &Copy, counts: bool) -> WinnerMove {
        WinnerMove {
            counts,
            session_ix: c.session,
            model_ix: c.model,
            timestamp: c.timestamp,
            tokens: c.tokens,
            billing: c.billing(),
            cost_usd: c.cost_usd(),
        }
    }
}

impl Ledger {
    pub fn new() -> Ledger {
        Ledger::default()
    }

    /// Apply one update; returns the sessions whose state may have changed
    /// (including sessions that disappeared).
    pub fn apply(&mut self, update: FileUpdate) -> BTreeSet<Arc<str>> {
        let mut touched = BTreeSet::new();
        let id = self.file_id(&update.path, &update.encoded_project);
        if matches!(update.change, FileChange::Reset | FileChange::Gone) {
            self.withdraw_file(id, &mut touched);
        }
        let entry = &mut self.files[id.0 as usize];
        match update.change {
            FileChange::Gone => {
                entry.live = false;
                return touched;
            }
            // A read error never withdraws data (it may be a passing lack of
            // file descriptors): the file keeps what it gave, plus what was
            // read before the error, and counts once as unreadable until a
            // read succeeds.
            FileChange::Unreadable => {
                entry.live = true;
                if !entry.unreadable {
                    entry.unreadable = true;
                    entry.skipped.add(SkipReason::UnreadableFile);
                }
                entry.size = entry.size.max(update.size);
            }
            FileChange::Appended | FileChange::Reset => {
                entry.live = true;
                if entry.unreadable {
                    entry.unreadable = false;
                    entry.skipped.remove(SkipReason::UnreadableFile);
                }
                entry.size = update.size;
            }
        }
        let mut turned = false;
        for (offset, fact) in update.facts {
            match fact {
                Parsed::Turn(t) => {
                    self.files[id.0 as usize].turn.apply(&t);
                    turned = true;
                }
                Parsed::Usage(r) => self.add_usage(id, offset, &r, &mut touched),
                Parsed::Compaction(m) => self.add_boundary(id, offset, m, &mut touched),
                Parsed::Entry {
                    session_id,
                    cwd,
                    timestamp,
                } => {
                    let session = self.mention(id, &session_id, cwd.as_deref(), offset);
                    if let Some(ts) = timestamp
                        && let Some(s) = self.sessions.get_mut(&session)
                    {
                        s.saw(ts, id);
                    }
                    touched.insert(session);
                }
                Parsed::Title {
                    session_id,
                    kind,
                    text,
                } => {
                    let session = self.mention(id, &session_id, None, offset);
                    if let Some(s) = self.sessions.get_mut(&session) {
                        s.add_title(id, offset, kind, text);
                    }
                    touched.insert(session);
                }
                Parsed::Skipped(reason) => self.files[id.0 as usize].skipped.add(reason),
                Parsed::Limits(l) => {
                    self.note_limits(id, &l);
                    touched.extend(self.files[id.0 as usize].sessions.iter().cloned());
                }
            }
        }
        if turned {
            touched.extend(self.files[id.0 as usize].sessions.iter().cloned());
        }
        touched
    }

    fn file_id(&mut self, path: &Path, encoded_project: &str) -> FileId {
        if let Some(id) = self.file_ids.get(path) {
            return *id;
        }
        let id = FileId(self.files.len() as u32);
        let text: Arc<str> = path.to_string_lossy().into();
        self.files.push(FileEntry {
            path_hash: xxhash_rust::xxh3::xxh3_64(text.as_bytes()),
            path: text,
            encoded_project: encoded_project.to_owned(),
            ..Default::default()
        });
        self.file_ids.insert(path.to_path_buf(), id);
        id
    }

    /// Record that a file mentions a session (creating the session), with
    /// the `cwd` its line at `offset` gave; returns the interned session id.
    fn mention(
        &mut self,
        file: FileId,
        session_id: &str,
        cwd: Option<&str>,
        offset: u64,
    ) -> Arc<str> {
        let id = self.session_names.intern(session_id);
        self.mention_id(file, id, cwd, offset)
    }

    /// `mention` for a session id already interned.
    fn mention_id(&mut self, file: FileId, id: NameId, cwd: Option<&str>, offset: u64) -> Arc<str> {
        let key = self.session_names.get(id).clone();
        let session = self.sessions.entry(key.clone()).or_default();
        let seen = session.files.entry(file).or_default();
        if let Some(cwd) = cwd {
            // The file's first `cwd` in line order (spec §3).
            let earlier = seen.as_ref().is_none_or(|(at, _)| offset < *at as u64);
            if earlier {
                *seen = Some((offset as Millis, cwd.to_owned()));
            }
        }
        self.files[file.0 as usize].sessions.insert(key.clone());
        key
    }

    fn add_usage(
        &mut self,
        file: FileId,
        offset: u64,
        r: &UsageRecord,
        touched: &mut BTreeSet<Arc<str>>,
    ) {
        let session = self.session_names.intern(&r.session_id);
        let name = self.mention_id(file, session, r.cwd.as_deref(), offset);
        // Its time counts for the session's activity even when another
        // file's copy wins (a resumed session's copy of its history).
        if let Some(s) = self.sessions.get_mut(&name) {
            s.saw(r.timestamp, file);
        }
        let copy = Copy::new(CopyParts {
            file,
            offset,
            timestamp: r.timestamp,
            session,
            model: self.models.intern(&r.model),
            tokens: r.tokens,
            billing: r.billing,
            sidechain: r.sidechain,
            cost_usd: r.cost_usd,
        });
        self.add_copy(r.key, copy, touched);
    }

    /// Enter one copy of a response under its key (or its own position when
    /// it has none) and move the sums if it now wins.
    fn add_copy(&mut self, key: Option<DedupKey>, copy: Copy, touched: &mut BTreeSet<Arc<str>>) {
        let key = match key {
            Some(k) => Key::response(k),
            None => Key::Unkeyed(copy.file, copy.offset),
        };
        let file = copy.file;
        let files = &self.files;
        let path = |f: FileId| files[f.0 as usize].path.clone();
        let (change, first_in_file) = self.dedup.insert(key, copy, &path);
        if first_in_file {
            self.files[file.0 as usize].keys.push(key);
        }
        self.settle(change, touched);
    }

    fn add_boundary(
        &mut self,
        file: FileId,
        offset: u64,
        m: CompactionMark,
        touched: &mut BTreeSet<Arc<str>>,
    ) {
        let session = self.mention(file, &m.session_id, m.cwd.as_deref(), offset);
        self.files[file.0 as usize]
            .turn
            .compaction(m.timestamp, m.trigger.as_deref());
        touched.insert(session.clone());
        let key = match m.uuid {
            Some(u) => BoundaryKey::Uuid(u),
            None => BoundaryKey::Unkeyed(file, offset),
        };
        self.files[file.0 as usize].boundaries.push(key);
        let copies = self
            .boundaries
            .entry(key)
            .or_insert_with(|| BoundaryCopies {
                session: session.clone(),
                boundary: Boundary {
                    timestamp: m.timestamp,
                    pre_tokens: m.pre_tokens,
                    trigger: m.trigger,
                },
                seen_in: Vec::new(),
            });
        copies.seen_in.push((file, offset));
        if copies.seen_in.len() == 1 {
            let (ts, owner, boundary) = (
                copies.boundary.timestamp,
                copies.session.clone(),
                copies.boundary.clone(),
            );
            if let Some(s) = self.sessions.get_mut(&owner) {
                s.boundaries.insert((ts, key.as_u128()), boundary);
            }
            touched.insert(owner);
        }
    }

    /// Start keeping every change of winner for `take_winner_moves`. Only
    /// a consumer that takes them regularly should: they pile up otherwise.
    pub fn log_winner_moves(&mut self) {
        self.winner_log.get_or_insert_with(Vec::new);
    }

    /// The changes of winner since the last call, oldest first.
    pub fn take_winner_moves(&mut self) -> Vec<WinnerMove> {
        self.winner_log
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// A change of winner as the record it adds or takes back.
    pub fn record_of(&self, m: &WinnerMove) -> Record<'_> {
        Record {
            session: self.session_names.get(m.session_ix),
            model: self.models.get(m.model_ix),
            session_ix: m.session_ix,
            model_ix: m.model_ix,
            timestamp: m.timestamp,
            tokens: m.tokens,
            billing: m.billing,
            sidechain: false,
            cost_usd: m.cost_usd,
        }
    }

    /// Move the sums from the copy that lost a key to the one that won it.
    fn settle(&mut self, change: WinnerChange, touched: &mut BTreeSet<Arc<str>>) {
        if let Some(log) = &mut self.winner_log {
            log.extend(change.lost.iter().map(|c| WinnerMove::of(c, false)));
            log.extend(change.won.iter().map(|c| WinnerMove::of(c, true)));
        }
        if let Some(lost) = change.lost {
            let hash = self.files[lost.file.0 as usize].path_hash;
            let name = self.session_names.get(lost.session);
            if let Some(s) = self.sessions.get_mut(name) {
                s.remove(&lost, hash);
            }
            touched.insert(name.clone());
            self.count(&lost, false);
        }
        if let Some(won) = change.won {
            let hash = self.files[won.file.0 as usize].path_hash;
            let name = self.session_names.get(won.session);
            self.sessions
                .entry(name.clone())
                .or_default()
                .add(&won, hash);
            touched.insert(name.clone());
            self.count(&won, true);
        }
    }

    fn count(&mut self, c: &Copy, add: bool) {
        let day = utc_day(c.timestamp);
        let sums = self.daily_utc.entry(day).or_default();
        if add {
            self.totals += c.tokens;
            self.records += 1;
            sums.tokens += c.tokens;
            sums.records += 1;
        } else {
            self.totals -= c.tokens;
            self.records = self.records.saturating_sub(1);
            sums.tokens -= c.tokens;
            sums.records = sums.records.saturating_sub(1);
            if sums.records == 0 {
                self.daily_utc.remove(&day);
            }
        }
    }

    /// Withdraw everything a file contributed.
    fn withdraw_file(&mut self, id: FileId, touched: &mut BTreeSet<Arc<str>>) {
        let entry = &mut self.files[id.0 as usize];
        let keys = std::mem::take(&mut entry.keys);
        let boundaries = std::mem::take(&mut entry.boundaries);
        let sessions = std::mem::take(&mut entry.sessions);
        entry.skipped = SkipCounts::default();
        entry.size = 0;
        entry.turn = TurnTrack::default();
        entry.limits = limits::FileLimits::default();
        for key in keys {
            let files = &self.files;
            let path = |f: FileId| files[f.0 as usize].path.clone();
            let change = self.dedup.remove_file(key, id, &path);
            self.settle(change, touched);
        }
        for key in boundaries {
            let Some(copies) = self.boundaries.get_mut(&key) else {
                continue;
            };
            copies.seen_in.retain(|(f, _)| *f != id);
            if copies.seen_in.is_empty() {
                let ts = copies.boundary.timestamp;
                let owner = copies.session.clone();
                self.boundaries.remove(&key);
                if let Some(s) = self.sessions.get_mut(&owner) {
                    s.boundaries.remove(&(ts, key.as_u128()));
                }
                touched.insert(owner);
            }
        }
        for name in sessions {
            if let Some(s) = self.sessions.get_mut(&name) {
                s.files.remove(&id);
                s.entry_seen.remove(&id);
                s.titles.retain(|(f, _), _| *f != id);
                if s.is_empty() {
                    self.sessions.remove(&name);
                }
            }
            touched.insert(name);
        }
    }

    /// Make room for `responses` more usage copies (a restart knows how many).
    pub fn reserve(&mut self, responses: usize) {
        self.dedup.reserve(responses);
    }

    pub fn session(&self, id: &str) -> Option<&SessionContext> {
        self.sessions.get(id)
    }

    /// The model name a record's id stands for.
    pub fn model_name(&self, id: NameId) -> &str {
        self.models.get(id)
    }

    pub fn session_ids(&self) -> impl Iterator<Item = &Arc<str>> {
        self.sessions.keys()
    }

    /// The project path of a session (spec §1): the first `cwd` its lines
    /// carry, main files before subagent files, in path then line order;
    /// else the encoded directory name of its first file.
    pub fn project(&self, id: &str) -> String {
        let Some(s) = self.sessions.get(id) else {
            return String::new();
        };
        let path = |f: &FileId| self.files[f.0 as usize].path.as_ref();
        let first = s
            .files
            .iter()
            .filter_map(|(f, seen)| seen.as_ref().map(|(at, cwd)| (f, *at, cwd)))
            .min_by(|a, b| {
                let order = |(f, at, _): &(&FileId, Millis, &String)| {
                    (is_subagent_path(path(f)), path(f), *at)
                };
                order(a).cmp(&order(b))
            });
        if let Some((_, _, cwd)) = first {
            return cwd.clone();
        }
        s.files
            .keys()
            .map(|f| self.files[f.0 as usize].encoded_project.as_str())
            .min()
            .unwrap_or("")
            .to_owned()
    }

    /// What the session is doing, from its newest main transcript; a
    /// compaction agent at work makes it compacting (see `turn.rs`).
    pub fn turn(&self, id: &str) -> Option<SessionTurn> {
        let s = self.sessions.get(id)?;
        let entries = || s.files.keys().map(|f| &self.files[f.0 as usize]);
        let stem_is = |e: &FileEntry| {
            let name = e.path.rsplit(['/', '\\']).next().unwrap_or(&e.path);
            name.strip_suffix(".jsonl") == Some(id)
        };
        let main = |e: &&FileEntry| !is_subagent_path(&e.path) && e.turn.phase != Phase::Unknown;
        // A file named after the session is its own; others (a resumed
        // session's copy of this one's lines) only when there is none.
        let own = entries().filter(main).any(stem_is);
        let track = entries()
            .filter(main)
            .filter(|e| !own || stem_is(e))
            .max_by_key(|e| (e.turn.last, e.path.clone()))
            .map(|e| &e.turn);
        let compactor = entries()
            .filter(|e| is_compaction_agent(&e.path) && e.turn.phase == Phase::Working)
            .map(|e| &e.turn)
            .filter(|c| track.is_none_or(|t| c.last >= t.last))
            .max_by_key(|c| c.last);
        SessionTurn::of(track, compactor)
    }

    /// The session's own transcripts (not its subagents').
    pub fn main_transcripts(&self, id: &str) -> Vec<&Path> {
        let Some(s) = self.sessions.get(id) else {
            return Vec::new();
        };
        s.files
            .keys()
            .map(|f| &self.files[f.0 as usize])
            .filter(|e| e.live && !is_subagent_path(&e.path))
            .map(|e| Path::new(e.path.as_ref()))
            .collect()
    }

    /// The files that mention a session, each with whether it is a
    /// subagent's: main files first, then by path. What `context` and
    /// `audit` read (they read content, which the ledger never holds).
    pub fn session_files(&self, id: &str) -> Vec<(PathBuf, bool)> {
        let Some(s) = self.sessions.get(id) else {
            return Vec::new();
        };
        let mut files: Vec<(PathBuf, bool)> = s
            .files
            .keys()
            .map(|f| &self.files[f.0 as usize])
            .filter(|e| e.live)
            .map(|e| (PathBuf::from(e.path.as_ref()), is_subagent_path(&e.path)))
            .collect();
        files.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
        files
    }

    /// The session's title: the strongest kind any of its files gave (a
    /// custom title, then the AI's, then a summary, then the first prompt);
    /// between files, the later path's, except the first prompt, which is
    /// the earlier path's.
    pub fn title(&self, id: &str) -> Option<String> {
        let s = self.sessions.get(id)?;
        let kind = s.titles.keys().map(|(_, k)| *k).max()?;
        let path = |f: &FileId| self.files[f.0 as usize].path.as_ref();
        let candidates = s
            .titles
            .iter()
            .filter(|((_, k), _)| *k == kind)
            .map(|((f, _), (at, text))| ((path(f), *at), text));
        let chosen = if kind == TitleKind::Prompt {
            candidates.min_by(|a, b| a.0.cmp(&b.0))
        } else {
            candidates.max_by(|a, b| a.0.cmp(&b.0))
        };
        chosen.map(|(_, text)| text.clone())
    }

    /// Whether every file of the session is a subagent's (spec §1, v2).
    fn subagents_only(&self, s: &SessionContext) -> bool {
        !s.files.is_empty()
            && s.files
                .keys()
                .all(|f| is_subagent_path(&self.files[f.0 as usize].path))
    }

    pub fn snapshot(&self, id: &str, window: &WindowPolicy) -> Option<SessionSnapshot> {
        let s = self.sessions.get(id)?;
        let about = snapshot::SessionAbout {
            project: self.project(id),
            title: self.title(id),
            subagents_only: self.subagents_only(s),
            replies_elsewhere: s.records == 0
                && s.files
                    .keys()
                    .any(|f| !self.files[f.0 as usize].keys.is_empty()),
            agent: self.agent(id),
            reported: self.limits(id),
        };
        let mut snap = SessionSnapshot::of(id, about, s, window, &self.models);
        snap.turn = self.turn(id);
        Some(snap)
    }

    /// Every session's snapshot, newest activity first.
    pub fn snapshots(&self, window: &WindowPolicy) -> Vec<SessionSnapshot> {
        let mut all: Vec<SessionSnapshot> = self
            .sessions
            .keys()
            .filter_map(|id| self.snapshot(id, window))
            .collect();
        all.sort_by(|a, b| {
            b.last_activity
                .cmp(&a.last_activity)
                .then_with(|| a.session_id.cmp(&b.session_id))
        });
        all
    }

    pub fn totals(&self) -> Tokens {
        self.totals
    }

    /// Distinct usage records after deduplication.
    pub fn records(&self) -> u64 {
        self.records
    }

    pub fn daily_utc(&self) -> BTreeMap<NaiveDate, DaySums> {
        self.daily_utc
            .iter()
            .filter_map(|(day, sums)| {
                let date = chrono::DateTime::from_timestamp(day * 86_400, 0)?.date_naive();
                Some((date, *sums))
            })
            .collect()
    }

    /// Transcript files currently known (a file that cannot be read just
    /// now still counts when it gave something before).
    pub fn files(&self) -> u64 {
        self.files
            .iter()
            .filter(|f| f.live && (!f.unreadable || f.size > 0))
            .count() as u64
    }

    /// Bytes read from the files currently known.
    pub fn bytes(&self) -> u64 {
        self.files.iter().filter(|f| f.live).map(|f| f.size).sum()
    }

    pub fn skipped(&self) -> SkipCounts {
        let mut all = SkipCounts::default();
        for f in self.files.iter().filter(|f| f.live) {
            all += f.skipped;
        }
        all
    }

    /// The files currently known that had lines skipped, with their
    /// counts, in the order they were first read.
    pub fn skipped_by_file(&self) -> impl Iterator<Item = (&Arc<str>, SkipCounts)> {
        self.files
            .iter()
            .filter(|f| f.live && f.skipped != SkipCounts::default())
            .map(|f| (&f.path, f.skipped))
    }

    /// Every deduplicated usage record (the winning copies), in no
    /// particular order: what reports are computed from.
    pub fn records_iter(&self) -> impl Iterator<Item = Record<'_>> {
        let files = &self.files;
        self.dedup
            .winners(move |f: FileId| files[f.0 as usize].path.clone())
            .map(|c| Record {
                session: self.session_names.get(c.session),
                model: self.models.get(c.model),
                session_ix: c.session,
                model_ix: c.model,
                timestamp: c.timestamp,
                tokens: c.tokens,
                billing: c.billing(),
                sidechain: c.sidechain,
                cost_usd: c.cost_usd(),
            })
    }

    /// How many distinct session ids and model names `Record::session_ix`
    /// and `Record::model_ix` range over: callers that group records can
    /// use arrays instead of maps of strings.
    pub fn name_counts(&self) -> (usize, usize) {
        (self.session_names.len(), self.models.len())
    }
}

/// One deduplicated usage record, with its names resolved.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Record<'a> {
    pub session: &'a Arc<str>,
    pub model: &'a Arc<str>,
    /// The session's and the model's index in the ledger's name tables.
    pub session_ix: NameId,
    pub model_ix: NameId,
    pub timestamp: Millis,
    pub tokens: Tokens,
    pub billing: Billing,
    pub sidechain: bool,
    pub cost_usd: Option<f64>,
}

/// A subagent's transcript (spec §1): `agent-*.jsonl`, or anything under a
/// session's `subagents/` folder.
fn is_subagent_path(path: &str) -> bool {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    name.starts_with("agent-") || path.contains("/subagents/") || path.contains("\\subagents\\")
}

/// The subagent that writes a compaction's summary (spec §1, v2).
fn is_compaction_agent(path: &str) -> bool {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    name.starts_with("agent-acompact-")
}

/// Days since the Unix epoch of a UTC timestamp.
fn utc_day(ts: Millis) -> i64 {
    ts.div_euclid(86_400_000)
}

#[cfg(test)]
pub mod test_facts;
#[cfg(test)]
mod tests;
