//! The persistent index: what every transcript contributed, and where its
//! reader stopped, kept in the platform cache dir so that a restart reads
//! only what changed.
//!
//! The index is a cache, never a source of truth. It is versioned and tied
//! to the roots and line cap it was made with; a file is trusted only while
//! its identity, size and modification time match what was recorded (and
//! a grown file is resumed by a tailer that re-checks its identity and
//! first bytes). Anything else, including a corrupt index, means reading
//! the file again. Writes go to a temporary file renamed into place, so a
//! crash mid-write leaves the old index or none, never half of one.

use super::discover::{ProjectsDir, describe_io};
use super::reader::FileReader;
use super::scan::{Scan, list_all, read_into};
use super::tail::{FileIdentity, TailState, modified_of};
use crate::ledger::{FileFacts, Ledger};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Bump when the stored layout or what a fact means changes.
const FORMAT: u32 = 1;
const MAGIC: &[u8; 8] = b"CCWATCH\x01";

/// Where the index for a set of roots lives. `CCWATCH_CACHE_DIR` overrides
/// the platform cache dir (tests use it to stay out of the user's cache).
pub fn default_path(roots: &[ProjectsDir], line_cap: usize) -> Option<PathBuf> {
    cache_file("index", roots, line_cap)
}

/// A cache file named for what it holds and for the roots and line cap it
/// was made with, so runs over different data never share one.
pub fn cache_file(kind: &str, roots: &[ProjectsDir], line_cap: usize) -> Option<PathBuf> {
    let dir = match std::env::var_os("CCWATCH_CACHE_DIR").filter(|v| !v.is_empty()) {
        Some(d) => PathBuf::from(d),
        None => directories::ProjectDirs::from("", "", "ccwatch")?
            .cache_dir()
            .to_path_buf(),
    };
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for r in roots {
        h.update(r.0.to_string_lossy().as_bytes());
        h.update(&[0]);
    }
    h.update(&line_cap.to_le_bytes());
    Some(dir.join(format!("{kind}-{:016x}.bin", h.digest())))
}

#[derive(Debug, Serialize, Deserialize)]
struct IndexFile {
    format: u32,
    version: String,
    roots: Vec<String>,
    line_cap: u64,
    files: Vec<IndexedFile>,
}

#[derive(Debug, Serialize, Deserialize)]
struct IndexedFile {
    path: String,
    tail: TailState,
    session_named: bool,
    facts: FileFacts,
}

/// Has the file been written since the tailer last read it?
fn unchanged(meta: &std::fs::Metadata, tail: &TailState) -> bool {
    FileIdentity::of(meta) == tail.identity
        && meta.len() == tail.seen_len
        && modified_of(meta) == tail.seen_modified
}

/// How the index was used, for the user and for tests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexUse {
    /// Files whose facts came from the index without reading them.
    pub reused: usize,
    /// Files resumed from their recorded offset.
    pub resumed: usize,
    /// Files read from the start.
    pub read: usize,
    /// Why the index could not be used, if it existed but was not.
    pub ignored: Option<String>,
    pub saved: bool,
}

/// Scan the roots, using and then refreshing the index at `path`.
pub fn scan_indexed(
    roots: &[ProjectsDir],
    threads: usize,
    line_cap: usize,
    path: &Path,
) -> (Scan, IndexUse) {
    let mut usage = IndexUse::default();
    let mut known = match load(path, roots, line_cap) {
        Ok(files) => files,
        Err(Some(reason)) => {
            usage.ignored = Some(reason);
            HashMap::new()
        }
        Err(None) => HashMap::new(),
    };
    let had_index = !known.is_empty();
    let responses: usize = known.values().map(|f| f.facts.usage.len()).sum();
    let mut scan = Scan::default();
    scan.ledger.reserve(responses);
    let (transcripts, unlisted) = list_all(roots);
    let mut to_read = Vec::new();
    for t in transcripts {
        let meta = std::fs::metadata(&t.path).ok();
        let (reader, needs_read) = match (known.remove(t.path.to_string_lossy().as_ref()), meta) {
            (Some(entry), Some(meta)) => {
                scan.ledger
                    .restore_file(&t.path, &t.role.encoded_project, &entry.facts);
                let unchanged = unchanged(&meta, &entry.tail);
                let reader = FileReader::resume(
                    t.path.clone(),
                    t.role.clone(),
                    line_cap,
                    entry.tail,
                    entry.session_named,
                );
                if unchanged {
                    usage.reused += 1;
                } else {
                    usage.resumed += 1;
                }
                (reader, !unchanged)
            }
            _ => {
                usage.read += 1;
                (
                    FileReader::new(t.path.clone(), t.role.clone(), line_cap),
                    true,
                )
            }
        };
        if needs_read {
            to_read.push(reader);
        } else {
            scan.readers.push(reader);
        }
    }
    let changed = !known.is_empty() || usage.resumed > 0 || usage.read > 0 || !had_index;
    let read = read_into(&mut scan.ledger, to_read, threads, &mut scan.errors);
    scan.readers.extend(read);
    super::scan::note_unlisted(&mut scan.ledger, &unlisted);
    scan.errors.extend(unlisted);
    if changed {
        match save(path, roots, line_cap, &scan.ledger, &scan.readers) {
            Ok(()) => usage.saved = true,
            Err(e) => {
                usage
                    .ignored
                    .get_or_insert(format!("it could not be written ({e})"));
            }
        }
    }
    (scan, usage)
}

/// The index's files by path. `Err(None)`: there is none; `Err(Some)`: there
/// is one we cannot use, and why.
fn load(
    path: &Path,
    roots: &[ProjectsDir],
    line_cap: usize,
) -> Result<HashMap<String, IndexedFile>, Option<String>> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(None),
        Err(e) => return Err(Some(describe_io(&e))),
    };
    let body = bytes
        .strip_prefix(MAGIC.as_slice())
        .ok_or_else(|| Some("it is not a ccwatch index".to_owned()))?;
    let index: IndexFile =
        postcard::from_bytes(body).map_err(|e| Some(format!("it is corrupt ({e})")))?;
    if index.format != FORMAT || index.version != env!("CARGO_PKG_VERSION") {
        // Another version's index: rebuilt without fuss, it is expected.
        return Err(None);
    }
    if index.roots != root_names(roots) || index.line_cap != line_cap as u64 {
        return Err(Some("it was made for other roots or settings".to_owned()));
    }
    Ok(index
        .files
        .into_iter()
        .map(|f| (f.path.clone(), f))
        .collect())
}

fn root_names(roots: &[ProjectsDir]) -> Vec<String> {
    roots
        .iter()
        .map(|r| r.0.to_string_lossy().into_owned())
        .collect()
}

/// Write the index for the ledger's current state, atomically.
pub fn save(
    path: &Path,
    roots: &[ProjectsDir],
    line_cap: usize,
    ledger: &Ledger,
    readers: &[FileReader],
) -> std::io::Result<()> {
    let mut files = Vec::with_capacity(readers.len());
    for r in readers {
        let Some(facts) = ledger.export_file(r.path()) else {
            continue;
        };
        // The tailer's own record of what it saw at its last read: anything
        // written after that makes the file look changed next time.
        files.push(IndexedFile {
            path: r.path().to_string_lossy().into_owned(),
            tail: r.tailer().state(),
            session_named: r.session_named(),
            facts,
        });
    }
    let index = IndexFile {
        format: FORMAT,
        version: env!("CARGO_PKG_VERSION").to_owned(),
        roots: root_names(roots),
        line_cap: line_cap as u64,
        files,
    };
    let body = postcard::to_stdvec(&index).map_err(std::io::Error::other)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name()
            .map_or("index".into(), |n| n.to_string_lossy()),
        std::process::id()
    ));
    let written = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(MAGIC)?;
        f.write_all(&body)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}
