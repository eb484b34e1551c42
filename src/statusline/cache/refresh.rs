//! Bringing the cache up to date: which files to look at (the busy ones on
//! every call, all of them on a sweep), and reading what each appended.

use super::read::{FileState, mtime, read_appended};
use super::{
    Cache, CachedFile, HORIZON_MS, HOT_MS, SWEEP_MS, written_since, written_since_modified,
};
use crate::parse::FileContext;
use crate::parse::Parsed;
use crate::record::Millis;
use crate::source::discover::{ProjectsDir, file_role, list_transcripts};
use crate::source::tail::FileIdentity;
use crate::statusline::recent::Rec;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

impl Cache {
    /// Bring the cache up to date at `now`. `hot` are files to check
    /// whatever the sweep schedule (the session's transcript and its
    /// subagents). Returns how many files were read.
    pub fn refresh(
        &mut self,
        roots: &[ProjectsDir],
        line_cap: usize,
        now: Millis,
        hot: &[PathBuf],
    ) -> usize {
        let full = now - self.last_sweep >= SWEEP_MS || now < self.last_sweep;
        if full {
            self.load_quiet();
        }
        // (path, root, slot in `files`)
        let mut targets: Vec<(PathBuf, &ProjectsDir, Option<usize>)> = Vec::new();
        if full {
            self.last_sweep = now;
            self.changed = true;
            let mut listed: Vec<(PathBuf, &ProjectsDir)> = Vec::new();
            for root in roots {
                let (files, _) = list_transcripts(root);
                listed.extend(files.into_iter().map(|f| (f, root)));
            }
            let names: std::collections::HashSet<String> = listed
                .iter()
                .map(|(p, _)| p.to_string_lossy().into_owned())
                .collect();
            self.forget_files(|f| !names.contains(&f.path));
            let index: HashMap<&str, usize> = self
                .files
                .iter()
                .enumerate()
                .map(|(i, f)| (f.path.as_str(), i))
                .collect();
            for (p, root) in listed {
                let slot = index.get(p.to_string_lossy().as_ref()).copied();
                targets.push((p, root, slot));
            }
        } else {
            let hot_since = now - HOT_MS;
            for (i, f) in self.files.iter().enumerate() {
                let busy = written_since(&f.state, hot_since)
                    || hot.iter().any(|h| h.as_os_str() == f.path.as_str());
                if !busy {
                    continue;
                }
                let path = PathBuf::from(&f.path);
                if let Some(root) = roots.iter().find(|r| path.starts_with(&r.0)) {
                    targets.push((path, root, Some(i)));
                }
            }
            for h in hot {
                let known = self.files.iter().any(|f| h.as_os_str() == f.path.as_str());
                if !known && let Some(root) = roots.iter().find(|r| h.starts_with(&r.0)) {
                    targets.push((h.clone(), root, None));
                }
            }
        }
        let mut read = 0;
        for (path, root, slot) in targets {
            if self.update_file(slot, &path, root, line_cap, now) {
                read += 1;
            }
        }
        self.prune(now);
        read
    }

    /// Drop files (and their records) that `gone` says no longer exist.
    fn forget_files(&mut self, gone: impl Fn(&CachedFile) -> bool) {
        let dropped: std::collections::HashSet<u64> = self
            .files
            .iter()
            .filter(|f| gone(f))
            .map(|f| f.hash)
            .collect();
        if dropped.is_empty() {
            return;
        }
        self.files.retain(|f| !dropped.contains(&f.hash));
        self.records.retain(|r| !dropped.contains(&r.file));
        self.changed = true;
    }

    /// Check one file; true if it was read.
    fn update_file(
        &mut self,
        slot: Option<usize>,
        path: &Path,
        root: &ProjectsDir,
        line_cap: usize,
        now: Millis,
    ) -> bool {
        let key = path.to_string_lossy().into_owned();
        let hash = xxhash_rust::xxh3::xxh3_64(key.as_bytes());
        let Ok(meta) = std::fs::metadata(path) else {
            if let Some(i) = slot {
                // Gone: emptied now, dropped by the next full sweep.
                self.files[i].state = FileState::default();
                self.records.retain(|r| r.file != hash);
                self.changed = true;
            }
            return false;
        };
        if let Some(i) = slot {
            if self.files[i].state.unchanged(&meta) {
                return false;
            }
        } else if !written_since_modified(mtime(&meta), now - HORIZON_MS) {
            // Last written before the horizon: nothing in it is recent.
            let state = FileState {
                identity: FileIdentity::of(&meta),
                committed: line_boundary(path, meta.len()),
                open: false,
                seen_len: meta.len(),
                seen_mtime: mtime(&meta),
                head: Vec::new(),
            };
            self.files.push(CachedFile {
                path: key,
                hash,
                state,
            });
            self.changed = true;
            return false;
        }
        let role = file_role(&root.0, path);
        let context = FileContext {
            fallback_session: role.fallback_session,
            subagent: role.subagent,
        };
        let before = slot
            .map(|i| self.files[i].state.clone())
            .unwrap_or_default();
        let mut found = Vec::new();
        let read = read_appended(path, &before, line_cap, &context, &mut |offset, p| {
            if let Parsed::Usage(r) = p {
                found.push((offset, r));
            }
        });
        let Ok((state, reset)) = read else {
            return false;
        };
        if slot.is_none() || reset {
            // Read from byte 0: whatever the file gave before is replaced.
            self.records.retain(|r| r.file != hash);
        }
        let horizon = now - HORIZON_MS;
        for (offset, r) in found {
            if r.timestamp < horizon {
                continue;
            }
            let rec = Rec {
                key: r.key.map(|k| k.0),
                file: hash,
                offset,
                ts: r.timestamp,
                tokens: r.tokens.into(),
                model: self.model_index(&r.model),
                sidechain: r.sidechain,
                cost_usd: r.cost_usd,
                billing: r.billing,
            };
            self.records.push(rec);
        }
        let entry = CachedFile {
            path: key,
            hash,
            state,
        };
        match slot {
            Some(i) => self.files[i] = entry,
            None => self.files.push(entry),
        }
        self.changed = true;
        true
    }

    /// Forget records past the horizon, and the first bytes of files gone
    /// quiet (they only matter for files still being written).
    fn prune(&mut self, now: Millis) {
        let horizon = now - HORIZON_MS;
        let before = self.records.len();
        self.records.retain(|r| r.ts >= horizon);
        self.changed |= self.records.len() != before;
        for f in &mut self.files {
            if !written_since(&f.state, horizon) && !f.state.head.is_empty() {
                f.state.head.clear();
                self.changed = true;
            }
        }
    }
}

/// Just past the last newline at or before `len`: where reading resumes if
/// the file grows. A file not ending in a newline resumes at its last line.
fn line_boundary(path: &Path, len: u64) -> u64 {
    use std::io::{Read, Seek, SeekFrom};
    let back = len.min(64 << 10);
    // Never a FIFO: opening one for reading would wait for a writer.
    let Ok(Some(mut f)) = crate::source::tail::open_transcript(path, true) else {
        return len;
    };
    let mut tail = vec![0; back as usize];
    if f.seek(SeekFrom::Start(len - back)).is_err() || f.read_exact(&mut tail).is_err() {
        return len;
    }
    match memchr::memrchr(b'\n', &tail) {
        Some(i) => len - back + i as u64 + 1,
        None if back == len => 0,
        None => len,
    }
}
