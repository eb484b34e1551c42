//! What the status line remembers between calls, so that "today" and "the
//! active block" never need a scan of the whole history: for every
//! transcript, where reading stopped, and the usage records of the last
//! 30 hours (today in any time zone, and the blocks leading to now).
//!
//! A call re-reads only bytes appended since. Files last written before the
//! horizon are never read (their records cannot be recent); on each call
//! only files written in the last hour (and the session's own) are checked,
//! and a full sweep of the folders, which also finds new files, runs at most
//! every 20 seconds. The cache is two postcard files, each replaced
//! atomically: a small one read on every call (records, recently written
//! files) and the table of quiet files, read only by the sweep. A cache
//! that cannot be read is ignored and rebuilt.

use super::recent::{Rec, winners};
use crate::record::Millis;
use crate::source::discover::ProjectsDir;
use crate::source::tail::FileIdentity;
use crate::statusline::tail::LastContext;
use read::FileState;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

const FORMAT: u32 = 5;
/// The first byte of both cache files: postcard writes `format` (a number
/// below 128) as that byte. A file that starts otherwise is not read on,
/// whatever its size.
const MARK: [u8; 1] = [FORMAT as u8];
const _: () = assert!(FORMAT < 128);
const HOUR_MS: Millis = 3_600_000;
/// Records older than this are dropped; files last written before it are
/// not read.
pub const HORIZON_MS: Millis = 30 * HOUR_MS;
/// Files written this recently are checked on every call.
const HOT_MS: Millis = HOUR_MS;
/// How often every file and folder is checked.
pub const SWEEP_MS: Millis = 20_000;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct CachedFile {
    path: String,
    /// Hash of `path`, what the file's records are tagged with.
    hash: u64,
    state: FileState,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Cache {
    format: u32,
    roots: Vec<String>,
    line_cap: u64,
    last_sweep: Millis,
    /// Model names the records index.
    models: Vec<String>,
    files: Vec<CachedFile>,
    records: Vec<Rec>,
    /// The context found at the end of recently shown transcripts, newest
    /// last, so the next call reads only what was appended since.
    contexts: Vec<CachedContext>,
    #[serde(skip)]
    interned: HashMap<String, u32>,
    /// Where the cache was loaded from; the quiet files sit beside it.
    #[serde(skip)]
    path: Option<PathBuf>,
    /// The quiet files were merged into `files` (by a sweep) and must be
    /// written back.
    #[serde(skip)]
    swept: bool,
    #[serde(skip)]
    changed: bool,
}

/// Where a transcript's backward read got to, and what it found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedContext {
    pub path: String,
    pub identity: Option<FileIdentity>,
    /// Just past the last complete line read.
    pub end: u64,
    pub last: Option<LastContext>,
    /// A compaction boundary seen with no usage record before it.
    pub orphan_compaction: Option<Option<u64>>,
}

/// How many transcripts' contexts are remembered.
const CONTEXTS_KEPT: usize = 32;

/// Where the cache for these roots lives (`CCWATCH_CACHE_DIR` overrides the
/// platform cache dir).
pub fn default_path(roots: &[ProjectsDir], line_cap: usize) -> Option<PathBuf> {
    crate::source::index::cache_file("statusline", roots, line_cap)
}

fn root_names(roots: &[ProjectsDir]) -> Vec<String> {
    roots
        .iter()
        .map(|r| r.0.to_string_lossy().into_owned())
        .collect()
}

impl Cache {
    /// The cache at `path`, or an empty one if it is missing, unreadable or
    /// was written for other roots or by another format.
    pub fn load(path: Option<&Path>, roots: &[ProjectsDir], line_cap: usize) -> Cache {
        let fresh = Cache {
            format: FORMAT,
            roots: root_names(roots),
            line_cap: line_cap as u64,
            path: path.map(Path::to_path_buf),
            ..Cache::default()
        };
        let read = |p: &Path| crate::source::index::read_regular_starting_with(p, &MARK).ok();
        let Some(bytes) = path.and_then(read) else {
            return fresh;
        };
        match postcard::from_bytes::<Cache>(&bytes) {
            Ok(mut c)
                if c.format == FORMAT && c.roots == fresh.roots && c.line_cap == fresh.line_cap =>
            {
                c.path = fresh.path;
                c
            }
            _ => fresh,
        }
    }

    fn quiet_path(&self) -> Option<PathBuf> {
        self.path.as_ref().map(|p| p.with_extension("quiet.bin"))
    }

    /// Add the quiet files' table to `files` (those not already there).
    fn load_quiet(&mut self) {
        self.swept = true;
        let Some(bytes) = self
            .quiet_path()
            .and_then(|p| crate::source::index::read_regular_starting_with(&p, &MARK).ok())
        else {
            return;
        };
        let Ok(quiet) = postcard::from_bytes::<Quiet>(&bytes) else {
            return;
        };
        if quiet.format != FORMAT || quiet.roots != self.roots || quiet.line_cap != self.line_cap {
            return;
        }
        let known: std::collections::HashSet<u64> = self.files.iter().map(|f| f.hash).collect();
        self.files
            .extend(quiet.files.into_iter().filter(|f| !known.contains(&f.hash)));
    }

    /// Write the cache if it changed; errors are not the user's problem (the
    /// next call rebuilds). Files quiet since the horizon go to the second
    /// file, written only after a sweep.
    pub fn save(&mut self) -> std::io::Result<()> {
        let Some(path) = self.path.clone() else {
            return Ok(());
        };
        if !self.changed {
            return Ok(());
        }
        if let Some(dir) = path.parent() {
            crate::source::index::make_cache_dir(dir)?;
        }
        if self.swept {
            let horizon = self.last_sweep - HORIZON_MS;
            let (busy, quiet): (Vec<CachedFile>, Vec<CachedFile>) = std::mem::take(&mut self.files)
                .into_iter()
                .partition(|f| written_since(&f.state, horizon));
            self.files = busy;
            let quiet = Quiet {
                format: FORMAT,
                roots: self.roots.clone(),
                line_cap: self.line_cap,
                files: quiet,
            };
            if let Some(q) = self.quiet_path() {
                write_atomically(
                    &q,
                    &postcard::to_stdvec(&quiet).map_err(std::io::Error::other)?,
                )?;
            }
            self.swept = false;
        }
        write_atomically(
            &path,
            &postcard::to_stdvec(self).map_err(std::io::Error::other)?,
        )?;
        self.changed = false;
        Ok(())
    }

    fn model_index(&mut self, model: &str) -> u32 {
        if self.interned.is_empty() && !self.models.is_empty() {
            self.interned = self
                .models
                .iter()
                .enumerate()
                .map(|(i, s)| (s.clone(), i as u32))
                .collect();
        }
        if let Some(i) = self.interned.get(model) {
            return *i;
        }
        let i = self.models.len() as u32;
        self.models.push(model.to_owned());
        self.interned.insert(model.to_owned(), i);
        i
    }

    /// The recent records, deduplicated (spec §3), oldest first.
    pub fn recent(&self) -> Vec<Rec> {
        winners(&self.records)
    }

    /// The model name a record's `model` indexes.
    pub fn model(&self, i: u32) -> &str {
        self.models.get(i as usize).map_or("", String::as_str)
    }

    /// What an earlier call found at the end of this transcript.
    pub fn context_of(&self, path: &str) -> Option<&CachedContext> {
        self.contexts.iter().rev().find(|c| c.path == path)
    }

    pub fn remember_context(&mut self, c: CachedContext) {
        if self.context_of(&c.path) == Some(&c) {
            return;
        }
        self.contexts.retain(|old| old.path != c.path);
        self.contexts.push(c);
        if self.contexts.len() > CONTEXTS_KEPT {
            self.contexts.remove(0);
        }
        self.changed = true;
    }

    pub fn files(&self) -> usize {
        self.files.len()
    }
}

/// The table of files quiet since the horizon: only sweeps need it.
#[derive(Debug, Serialize, Deserialize)]
struct Quiet {
    format: u32,
    roots: Vec<String>,
    line_cap: u64,
    files: Vec<CachedFile>,
}

fn written_since(state: &FileState, since: Millis) -> bool {
    written_since_modified(state.seen_mtime, since)
}

fn written_since_modified(modified: Option<(u64, u32)>, since: Millis) -> bool {
    modified.is_some_and(|(s, _)| (s as i64).saturating_mul(1000) >= since)
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

mod read;
mod refresh;

#[cfg(test)]
mod tests;
