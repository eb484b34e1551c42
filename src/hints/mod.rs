//! Status-line hints: what Claude Code tells `ccwatch statusline` about each
//! session, kept as one small JSON file per session in ccwatch's cache dir
//! (`hints/<session id>.json`) so that the dashboard, `status` and `events`
//! learn the true window and the plan's limits.
//!
//! Writing is one file replaced atomically (temporary file + rename), so a
//! reader sees the old hint or the new one, never half of one. Reading
//! ignores what it cannot use: a corrupt file, another format, a hint older
//! than [`MAX_AGE_MS`]. Old hints are removed when a new session's first
//! hint is written, so the folder never grows without bound.

pub mod hint;
pub mod rate;
pub mod wake;

pub use hint::{Hint, RateWindow};

use crate::record::Millis;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Hints older than this are neither used nor kept.
pub const MAX_AGE_MS: Millis = 7 * 24 * 3_600_000;
/// A hint file larger than this is not a hint.
const MAX_HINT_BYTES: u64 = 16 << 10;
/// At most this many hint files are read.
const MAX_HINTS: usize = 4_096;
/// A temporary file this old was left by a killed writer.
const STALE_TEMP_MS: Millis = 60_000;

/// The hints folder: `hints/` in ccwatch's cache dir.
pub fn default_dir() -> Option<PathBuf> {
    crate::source::index::cache_dir().map(|d| d.join("hints"))
}

fn file_of(dir: &Path, session_id: &str) -> PathBuf {
    dir.join(format!("{session_id}.json"))
}

/// Write one session's hint, replacing the previous one atomically. When
/// the session had no hint yet, hints past [`MAX_AGE_MS`] are removed too.
pub fn write(dir: &Path, hint: &Hint) -> std::io::Result<()> {
    let target = file_of(dir, &hint.session_id);
    let new_session = std::fs::symlink_metadata(&target).is_err();
    if new_session {
        crate::source::index::make_cache_dir(dir)?;
    } else if read_one(&target, hint.time).is_some_and(|old| same_but_time(&old, hint)) {
        // Nothing new to tell: leave the file (and the readers) alone.
        return Ok(());
    }
    let bytes = serde_json::to_vec(hint).map_err(std::io::Error::other)?;
    let tmp = dir.join(format!(".{}.tmp{}", hint.session_id, std::process::id()));
    std::fs::write(&tmp, bytes)?;
    if let Err(e) = std::fs::rename(&tmp, &target) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    if new_session {
        prune(dir, hint.time);
    }
    Ok(())
}

/// A hint is rewritten when a figure changed, or to keep its time fresh
/// (readers take a hint far behind the transcript as stale).
const REFRESH_MS: Millis = 60_000;

fn same_but_time(old: &Hint, new: &Hint) -> bool {
    new.time - old.time < REFRESH_MS
        && old.time <= new.time
        && Hint {
            time: new.time,
            ..old.clone()
        } == *new
}

fn age_ms(meta: &std::fs::Metadata, now: Millis) -> Option<Millis> {
    let modified = meta.modified().ok()?;
    let at = modified.duration_since(SystemTime::UNIX_EPOCH).ok()?;
    Some(now - at.as_millis() as Millis)
}

/// Remove hints last written more than [`MAX_AGE_MS`] before `now`, and
/// temporaries left by writers that were killed.
pub fn prune(dir: &Path, now: Millis) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for e in entries.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        let temp = name.starts_with('.') && name.contains(".tmp");
        if !temp && !name.ends_with(".json") {
            continue;
        }
        let Ok(meta) = e.metadata() else { continue };
        let limit = if temp { STALE_TEMP_MS } else { MAX_AGE_MS };
        if meta.is_file()
            && age_ms(&meta, now).is_some_and(|a| a > limit)
            && std::fs::remove_file(e.path()).is_ok()
        {
            removed += 1;
        }
    }
    removed
}

/// Every usable hint, by session id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HintBook {
    pub hints: HashMap<String, Hint>,
}

/// Read one hint file; `None` for anything that is not a usable hint.
fn read_one(path: &Path, now: Millis) -> Option<Hint> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_HINT_BYTES {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    let hint: Hint = serde_json::from_slice(&bytes).ok()?;
    let named = path.file_stem()?.to_str()?;
    (hint.format == hint::HINT_FORMAT && hint.session_id == named && now - hint.time <= MAX_AGE_MS)
        .then_some(hint)
}

impl HintBook {
    /// The hints in `dir` (none when it is missing or unreadable).
    pub fn load(dir: &Path, now: Millis) -> HintBook {
        let mut hints = HashMap::new();
        let Ok(entries) = std::fs::read_dir(dir) else {
            return HintBook { hints };
        };
        for e in entries.flatten().take(MAX_HINTS) {
            let path = e.path();
            if path.extension().is_some_and(|x| x == "json")
                && let Some(h) = read_one(&path, now)
            {
                hints.insert(h.session_id.clone(), h);
            }
        }
        HintBook { hints }
    }

    pub fn get(&self, session_id: &str) -> Option<&Hint> {
        self.hints.get(session_id)
    }

    /// The newest hint carrying the plan's rate limits.
    pub fn newest_with_limits(&self) -> Option<&Hint> {
        self.hints
            .values()
            .filter(|h| h.five_hour.is_some() || h.seven_day.is_some())
            .max_by_key(|h| h.time)
    }
}

/// How often the live commands look at the hints folder when the OS cannot
/// watch it (see `wake.rs`; one `stat` each time).
pub const POLL_MS: u64 = 2_000;

/// A timer for [`POLL_MS`] that does not catch up missed ticks. Must be
/// made inside the tokio runtime.
fn poll_interval() -> tokio::time::Interval {
    let mut i = tokio::time::interval(std::time::Duration::from_millis(POLL_MS));
    i.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    i
}

/// Re-reads a hints folder when it changed: a rename into the folder
/// changes its modification time, so one `stat` per tick tells.
#[derive(Debug, Clone)]
pub struct HintWatch {
    dir: PathBuf,
    seen: Option<SystemTime>,
}

impl HintWatch {
    pub fn new(dir: PathBuf) -> HintWatch {
        HintWatch { dir, seen: None }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The hints anew when the folder changed since the last call.
    pub fn poll(&mut self, now: Millis) -> Option<HintBook> {
        let modified = std::fs::metadata(&self.dir).and_then(|m| m.modified()).ok();
        if modified.is_some() && modified == self.seen {
            return None;
        }
        if modified.is_none() && self.seen.is_none() {
            return None;
        }
        self.seen = modified;
        Some(HintBook::load(&self.dir, now))
    }
}

#[cfg(test)]
mod tests;
