//! The persistent index: the ledger as the last run left it, and where
//! each file's reader stopped, kept in the platform cache dir so that a
//! restart reads only what changed.
//!
//! Storing the ledger itself (not the facts each file contributed) makes
//! a restart one decode instead of a replay of every response; see
//! `ledger/image.rs`. A file that changed since is then an ordinary update
//! to that ledger, as in the live watcher: appended lines are added, a
//! truncated or replaced file is withdrawn and read again, a deleted one
//! is withdrawn, so the answer equals a full read.
//!
//! The index is a cache, never a source of truth. It is versioned, tied to
//! the roots and line cap it was made with, and checksummed; a file is
//! trusted only while its identity, size and modification time match what
//! was recorded (and a file that changed is resumed by a tailer that
//! re-checks it: the same length with another modification time, another
//! inode, other first bytes or other bytes before the offset mean a rewrite,
//! read again from the start). Anything else, including a corrupt index,
//! means reading again. Writes go to a temporary file renamed into place,
//! so a crash mid-write leaves the old index or none, never half of one.

use super::discover::{ProjectsDir, describe_io};
use super::reader::FileReader;
use super::scan::{Scan, Transcript, list_all, note_unlisted, read_into};
use super::tail::{FileIdentity, TailState, modified_of};
use crate::ledger::image::StoredPath;
use crate::ledger::{FileChange, FileUpdate, Ledger};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Bump when the stored layout or what a fact means changes. It is the
/// first thing in the file, so any older index is recognised as one and
/// rebuilt without a word.
const FORMAT: u32 = 10;
const MAGIC: &[u8; 8] = b"CCWATCH\x01";

/// Where the index for a set of roots lives. `CCWATCH_CACHE_DIR` overrides
/// the platform cache dir (tests use it to stay out of the user's cache).
pub fn default_path(roots: &[ProjectsDir], line_cap: usize) -> Option<PathBuf> {
    cache_file("index", roots, line_cap)
}

/// A cache file named for what it holds and for the roots and line cap it
/// was made with, so runs over different data never share one.
pub fn cache_file(kind: &str, roots: &[ProjectsDir], line_cap: usize) -> Option<PathBuf> {
    let dir = cache_dir()?;
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for r in roots {
        h.update(r.0.to_string_lossy().as_bytes());
        h.update(&[0]);
    }
    h.update(&line_cap.to_le_bytes());
    Some(dir.join(format!("{kind}-{:016x}.bin", h.digest())))
}

/// ccwatch's cache directory: `CCWATCH_CACHE_DIR`, else the platform's.
pub fn cache_dir() -> Option<PathBuf> {
    match std::env::var_os("CCWATCH_CACHE_DIR").filter(|v| !v.is_empty()) {
        Some(d) => Some(PathBuf::from(d)),
        None => {
            // With HOME pointing nowhere (`HOME=/nonexistent` in services),
            // keep no cache rather than create a home directory.
            let base = directories::BaseDirs::new()?;
            if !base.home_dir().is_dir() {
                return None;
            }
            Some(
                directories::ProjectDirs::from("", "", "ccwatch")?
                    .cache_dir()
                    .to_path_buf(),
            )
        }
    }
}

/// Make ccwatch's cache folder (and those above it). When something on
/// the way is a file, the error says so in words rather than as the
/// system's "File exists" or "Not a directory".
pub fn make_cache_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| match not_a_folder(dir) {
        Some(file) if file == dir => std::io::Error::new(
            e.kind(),
            format!("the cache path {} is a file, not a folder", dir.display()),
        ),
        Some(file) => std::io::Error::new(
            e.kind(),
            format!(
                "{} is a file, not a folder, so the cache folder {} cannot be made",
                file.display(),
                dir.display()
            ),
        ),
        None => e,
    })
}

/// The first of `dir` and the folders above it that exists and is not a
/// folder (following links, as making the folder would).
fn not_a_folder(dir: &Path) -> Option<&Path> {
    dir.ancestors()
        .filter(|p| !p.as_os_str().is_empty())
        .find_map(|p| match std::fs::metadata(p) {
            Ok(meta) if meta.is_dir() => Some(None),
            Ok(_) => Some(Some(p)),
            Err(_) => None,
        })
        .flatten()
}

/// What the index was made for: checked before the rest is decoded.
#[derive(Debug, Serialize, Deserialize)]
struct Header {
    format: u32,
    version: String,
    roots: Vec<String>,
    line_cap: u64,
    /// How long the payload after the checksum is: the whole file's length
    /// is known from the header alone, so a file of any other length is
    /// refused before its bulk is read.
    payload_len: u64,
}

/// The most of an index's start read to find its header: the header is a
/// few numbers and the roots' paths, far below this.
const HEADER_MAX: u64 = 64 << 10;

/// Where a file's reader stopped.
#[derive(Debug, Serialize, Deserialize)]
struct IndexedFile {
    path: StoredPath,
    tail: TailState,
    session_named: bool,
    /// The newest response the reader saw (see `FileReader`).
    response: Option<u64>,
    /// A Codex rollout's memory of its earlier lines.
    rollout: Option<crate::parse::RolloutState>,
}

/// The index after its header and checksum.
#[derive(Debug, Default, Deserialize)]
struct Payload {
    files: Vec<IndexedFile>,
    ledger: Ledger,
}

#[derive(Serialize)]
struct PayloadRef<'a> {
    files: Vec<IndexedFile>,
    ledger: &'a Ledger,
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
    /// Files whose contribution came from the index without reading them.
    pub reused: usize,
    /// Files resumed from their recorded offset.
    pub resumed: usize,
    /// Files read from the start.
    pub read: usize,
    /// Why the index could not be used, if it existed but was not.
    pub ignored: Option<String>,
    pub saved: bool,
    /// Why the index could not be written (a read-only or full cache dir):
    /// it was still used if `ignored` is `None`.
    pub unsaved: Option<String>,
}

/// Every transcript with what `stat` says of it now (`None`: it could not
/// be asked), and the places that could not be listed.
type Listing = (
    Vec<(Transcript, Option<std::fs::Metadata>)>,
    Vec<(PathBuf, String)>,
);

fn list_with_metadata(roots: &[ProjectsDir]) -> Listing {
    let (transcripts, unlisted) = list_all(roots);
    let listed = transcripts
        .into_iter()
        .map(|t| {
            let meta = std::fs::metadata(&t.path).ok();
            (t, meta)
        })
        .collect();
    (listed, unlisted)
}

/// Scan the roots, using and then refreshing the index at `path`.
pub fn scan_indexed(
    roots: &[ProjectsDir],
    threads: usize,
    line_cap: usize,
    path: &Path,
) -> (Scan, IndexUse) {
    let mut usage = IndexUse::default();
    // Listing and stat-ing thousands of files waits on the kernel, decoding
    // the index on the CPU: do both at once.
    let ((listed, unlisted), loaded) = std::thread::scope(|s| {
        let listing = s.spawn(|| list_with_metadata(roots));
        let loaded = load(path, roots, line_cap);
        let listed = listing
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (listed, loaded)
    });
    let had_index = loaded.is_ok();
    let Payload { files, ledger } = loaded.unwrap_or_else(|why| {
        usage.ignored = why;
        Payload::default()
    });
    let mut scan = Scan {
        ledger,
        ..Scan::default()
    };
    // A reader state is only worth resuming if the ledger holds what the
    // file contributed up to it.
    let mut known: HashMap<PathBuf, IndexedFile> = files
        .into_iter()
        .filter(|f| scan.ledger.has_file(&f.path.0))
        .map(|f| (f.path.0.clone(), f))
        .collect();
    let mut continuing = HashSet::new();
    let mut to_read = Vec::new();
    for (t, meta) in listed {
        match (known.remove(&t.path), meta) {
            (Some(entry), Some(meta)) => {
                let unchanged = unchanged(&meta, &entry.tail);
                continuing.insert(t.path.clone());
                let reader = FileReader::resume(
                    t.path,
                    t.role,
                    line_cap,
                    entry.tail,
                    (entry.session_named, entry.response),
                    entry.rollout,
                );
                if unchanged {
                    usage.reused += 1;
                    scan.readers.push(reader);
                } else {
                    usage.resumed += 1;
                    to_read.push(reader);
                }
            }
            _ => {
                usage.read += 1;
                to_read.push(FileReader::new(t.path, t.role, line_cap));
            }
        }
    }
    // Whatever the stored ledger has from a file that does not continue
    // from it (deleted, unlisted, unreadable, or about to be read from the
    // start) is withdrawn first, so nothing counts twice.
    let stale: Vec<PathBuf> = scan
        .ledger
        .file_paths()
        .filter(|p| !continuing.contains(*p))
        .map(Path::to_path_buf)
        .collect();
    let changed = !stale.is_empty() || usage.resumed > 0 || usage.read > 0 || !had_index;
    for path in stale {
        scan.ledger.apply(FileUpdate {
            path,
            encoded_project: String::new(),
            change: FileChange::Gone,
            facts: Vec::new(),
            size: 0,
        });
    }
    let read = read_into(&mut scan.ledger, to_read, threads, &mut scan.errors);
    scan.readers.extend(read);
    note_unlisted(&mut scan.ledger, &unlisted);
    scan.errors.extend(unlisted);
    if changed {
        match save(path, roots, line_cap, &scan.ledger, &scan.readers) {
            Ok(()) => usage.saved = true,
            Err(e) => usage.unsaved = Some(e.to_string()),
        }
    }
    (scan, usage)
}

fn corrupt(e: impl std::fmt::Display) -> Option<String> {
    Some(format!("it is corrupt ({e})"))
}

/// The stored ledger and reader states. `Err(None)`: there is no index (or
/// one of another version, which is rebuilt without fuss); `Err(Some)`:
/// there is one we cannot use, and why.
///
/// Only the first bytes are read before the index is known to be one:
/// its magic, then its header, which says how long the whole file must be.
/// Anything else in its place (a gigabyte of zeros, say) costs one small
/// read, never its size in memory.
fn load(path: &Path, roots: &[ProjectsDir], line_cap: usize) -> Result<Payload, Option<String>> {
    let (file, len) = open_regular(path).map_err(|e| match e {
        // No index (its folder may not exist, or be something else).
        Some(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) =>
        {
            None
        }
        Some(e) => Some(describe_io(&e)),
        None => Some("it is not a regular file".to_owned()),
    })?;
    let read_error = |e: std::io::Error| Some(describe_io(&e));
    let mut bytes = Vec::new();
    read_up_to(&file, &mut bytes, len.min(HEADER_MAX)).map_err(read_error)?;
    let body = bytes
        .strip_prefix(MAGIC.as_slice())
        .ok_or_else(|| Some("it is not a ccwatch index".to_owned()))?;
    // The format first: an index of another format is rebuilt silently,
    // whatever its header looks like.
    let (format, _) = postcard::take_from_bytes::<u32>(body).map_err(corrupt)?;
    if format != FORMAT {
        return Err(None);
    }
    let (header, rest) = postcard::take_from_bytes::<Header>(body).map_err(corrupt)?;
    if header.version != env!("CARGO_PKG_VERSION") {
        return Err(None);
    }
    if header.roots != root_names(roots) || header.line_cap != line_cap as u64 {
        return Err(Some("it was made for other roots or settings".to_owned()));
    }
    let start = (bytes.len() - rest.len()) as u64;
    let expected = start
        .checked_add(8)
        .and_then(|n| n.checked_add(header.payload_len));
    if expected != Some(len) {
        return Err(corrupt(format!(
            "it is {len} bytes long where its header says {}",
            expected.map_or_else(|| "more than can be".to_owned(), |n| n.to_string())
        )));
    }
    read_up_to(&file, &mut bytes, len).map_err(read_error)?;
    if (bytes.len() as u64) < len {
        return Err(corrupt("it ends early"));
    }
    let (sum, payload) = bytes[start as usize..]
        .split_first_chunk::<8>()
        .ok_or_else(|| corrupt("it ends early"))?;
    if u64::from_le_bytes(*sum) != xxhash_rust::xxh3::xxh3_64(payload) {
        return Err(corrupt("its checksum does not match"));
    }
    postcard::from_bytes(payload).map_err(corrupt)
}

/// Read `file` on from what `bytes` holds until it holds `until` bytes or
/// the file ends.
fn read_up_to(file: &std::fs::File, bytes: &mut Vec<u8>, until: u64) -> std::io::Result<()> {
    use std::io::Read;
    let have = bytes.len() as u64;
    if until <= have {
        return Ok(());
    }
    bytes.reserve((until - have) as usize);
    file.take(until - have).read_to_end(bytes)?;
    Ok(())
}

/// A cache file opened for reading, with the length it had when looked at,
/// if it is a regular file (`Err(None)` if it is not): opening a FIFO put
/// in its place would block for ever, and a link to a device is no file.
fn open_regular(path: &Path) -> Result<(std::fs::File, u64), Option<std::io::Error>> {
    let meta = std::fs::metadata(path).map_err(Some)?;
    if !meta.is_file() {
        return Err(None);
    }
    let file = crate::source::tail::open_transcript(path, true)
        .map_err(Some)?
        .ok_or(None)?;
    Ok((file, meta.len()))
}

/// A cache file's bytes, if it is a regular file that starts with `prefix`
/// (`Err(None)` if it is not). Reading a FIFO put in its place would block
/// for ever and a link to `/dev/zero` would never end, so only the length
/// the file had when it was looked at is read; and a file that does not
/// start with `prefix` is refused after its first bytes, so a large foreign
/// file in its place is never read into memory.
pub fn read_regular_starting_with(
    path: &Path,
    prefix: &[u8],
) -> Result<Vec<u8>, Option<std::io::Error>> {
    let (file, len) = open_regular(path)?;
    let mut bytes = Vec::new();
    read_up_to(&file, &mut bytes, (prefix.len() as u64).min(len)).map_err(Some)?;
    if !bytes.starts_with(prefix) {
        return Err(None);
    }
    read_up_to(&file, &mut bytes, len).map_err(Some)?;
    Ok(bytes)
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
    let compacted = ledger.compacted();
    let ledger = compacted.as_ref().unwrap_or(ledger);
    // The tailer's own record of what it saw at its last read: anything
    // written after that makes the file look changed next time.
    let files = readers
        .iter()
        .filter(|r| ledger.has_file(r.path()))
        .map(|r| IndexedFile {
            path: StoredPath(r.path().to_path_buf()),
            tail: r.tailer().state(),
            session_named: r.session_named(),
            response: r.response(),
            rollout: r.rollout().cloned(),
        })
        .collect();
    let payload =
        postcard::to_stdvec(&PayloadRef { files, ledger }).map_err(std::io::Error::other)?;
    let header = Header {
        format: FORMAT,
        version: env!("CARGO_PKG_VERSION").to_owned(),
        roots: root_names(roots),
        line_cap: line_cap as u64,
        payload_len: payload.len() as u64,
    };
    let header = postcard::to_stdvec(&header).map_err(std::io::Error::other)?;
    let sum = xxhash_rust::xxh3::xxh3_64(&payload).to_le_bytes();
    let dir = path.parent().unwrap_or(Path::new("."));
    make_cache_dir(dir)?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name()
            .map_or("index".into(), |n| n.to_string_lossy()),
        std::process::id()
    ));
    remove_stale_temporaries(dir, path);
    let written = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        for part in [MAGIC.as_slice(), &header, &sum, &payload] {
            f.write_all(part)?;
        }
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Temporary files of saves that never finished (the process was killed
/// mid-write) would stay for ever: remove those of this index that are over
/// ten minutes old (a save in progress elsewhere takes seconds at most).
fn remove_stale_temporaries(dir: &Path, index: &Path) {
    let Some(name) = index.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return;
    };
    let prefix = format!(".{name}.");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let old = std::time::Duration::from_secs(600);
    for entry in entries.flatten() {
        let file = entry.file_name();
        let file = file.to_string_lossy();
        if !(file.starts_with(&prefix) && file.ends_with(".tmp")) {
            continue;
        }
        let stale = entry
            .metadata()
            .ok()
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > old);
        if stale {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Scan the roots, through the persistent index at `index` when given.
pub fn scan_cached(
    roots: &[ProjectsDir],
    threads: usize,
    line_cap: usize,
    index: Option<&std::path::Path>,
) -> Scan {
    let Some(path) = index else {
        return super::scan::scan_roots(roots, threads, line_cap);
    };
    let (mut scan, used) = scan_indexed(roots, threads, line_cap, path);
    if let Some(why) = used.ignored {
        scan.notes.push(format!(
            "ignored the index at {}: {why}; it is rebuilt from the transcripts.",
            path.display()
        ));
    }
    if let Some(why) = used.unsaved {
        scan.notes.push(format!(
            "could not update the index at {} ({why}); the next run reads what changed again.",
            path.display()
        ));
    }
    scan
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_where_the_cache_folder_goes_is_said_in_words() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("cache");
        std::fs::write(&file, "not a folder").unwrap();
        let said = make_cache_dir(&file).unwrap_err().to_string();
        assert_eq!(
            said,
            format!("the cache path {} is a file, not a folder", file.display())
        );
        let below = file.join("ccwatch");
        let said = make_cache_dir(&below).unwrap_err().to_string();
        assert!(
            said.starts_with(&format!("{} is a file, not a folder", file.display()))
                && said.contains(&*below.to_string_lossy()),
            "{said}"
        );
        // A folder that can be made is made, quietly.
        let fine = tmp.path().join("a/b");
        make_cache_dir(&fine).unwrap();
        assert!(fine.is_dir());
    }
}
