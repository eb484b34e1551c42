//! The one-shot read of every transcript, files in parallel.
//!
//! Workers each take the next file, read and parse it whole, and send the
//! update to the calling thread, which applies it to the ledger. The ledger
//! does not depend on the order updates arrive in, so the answer is the
//! same as a sequential read (a test holds us to that).

use super::discover::{FileRole, ProjectsDir, file_role, list_transcripts};
use super::reader::FileReader;
use crate::ledger::{FileChange, FileUpdate, Ledger};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A transcript to read, with what its path says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transcript {
    pub path: PathBuf,
    pub role: FileRole,
}

/// Every transcript under the roots, and the places that could not be listed.
pub fn list_all(roots: &[ProjectsDir]) -> (Vec<Transcript>, Vec<(PathBuf, String)>) {
    let mut all = Vec::new();
    let mut errors = Vec::new();
    for root in roots {
        let (files, errs) = list_transcripts(root);
        errors.extend(errs);
        all.extend(files.into_iter().map(|path| Transcript {
            role: file_role(&root.0, &path),
            path,
        }));
    }
    (all, errors)
}

/// What a scan leaves behind: the ledger, and each file's reader positioned
/// after what was read, for the live watcher to continue from.
#[derive(Debug, Default)]
pub struct Scan {
    pub ledger: Ledger,
    pub readers: Vec<FileReader>,
    /// Files and directories that could not be read, with the reason.
    pub errors: Vec<(PathBuf, String)>,
    /// Things to tell the user once (e.g. an unusable index was ignored).
    pub notes: Vec<String>,
}

/// How many threads to read with: all cores, at most one per file.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Read every transcript into a fresh ledger.
pub fn scan(transcripts: Vec<Transcript>, threads: usize, line_cap: usize) -> Scan {
    let readers = transcripts
        .into_iter()
        .map(|t| FileReader::new(t.path, t.role, line_cap))
        .collect();
    let mut out = Scan::default();
    out.readers = read_into(&mut out.ledger, readers, threads, &mut out.errors);
    out
}

/// Let each reader read what is new, in parallel, applying the updates to
/// `ledger`; returns the readers in their original order.
pub fn read_into(
    ledger: &mut Ledger,
    readers: Vec<FileReader>,
    threads: usize,
    errors: &mut Vec<(PathBuf, String)>,
) -> Vec<FileReader> {
    let threads = threads.clamp(1, readers.len().max(1));
    // Each index is claimed exactly once through `next`, so the mutexes are
    // never contended; they only let a worker take its reader out.
    let slots: Vec<Mutex<Option<FileReader>>> =
        readers.into_iter().map(|r| Mutex::new(Some(r))).collect();
    let next = AtomicUsize::new(0);
    let (tx, rx) = std::sync::mpsc::sync_channel(threads * 4);
    let mut done: Vec<(usize, FileReader)> = Vec::with_capacity(slots.len());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let tx = tx.clone();
            let (next, slots) = (&next, &slots);
            scope.spawn(move || {
                let mut buf = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(slot) = slots.get(i) else { break };
                    let Some(mut reader) = slot.lock().ok().and_then(|mut s| s.take()) else {
                        continue;
                    };
                    let (update, error) = reader.read(&mut buf);
                    if tx.send((i, reader, update, error)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for (i, reader, update, error) in rx {
            if let Some(e) = error {
                errors.push((update.path.clone(), super::discover::describe_io(&e)));
            }
            ledger.apply(update);
            done.push((i, reader));
        }
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// Record places that could not even be listed as unreadable, so they are
/// counted and shown like any other skipped input.
pub fn note_unlisted(ledger: &mut Ledger, errors: &[(PathBuf, String)]) {
    for (path, _) in errors {
        ledger.apply(FileUpdate {
            path: path.clone(),
            encoded_project: String::new(),
            change: FileChange::Unreadable,
            facts: Vec::new(),
            size: 0,
        });
    }
}

/// List and read every transcript under the roots. Places that could not be
/// listed are counted as unreadable and returned with the reason.
pub fn scan_roots(roots: &[ProjectsDir], threads: usize, line_cap: usize) -> Scan {
    let (transcripts, unlisted) = list_all(roots);
    let mut scan = scan(transcripts, threads, line_cap);
    note_unlisted(&mut scan.ledger, &unlisted);
    scan.errors.extend(unlisted);
    scan
}
