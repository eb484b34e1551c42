//! The live source: a scan at start-up, then a task that turns watcher
//! events into file reads and sends the resulting updates down a channel
//! to whoever accumulates them (the `events` printer, the dashboard).
//!
//! Bursts are coalesced by draining every event already queued before
//! reading, so a quiet file costs one read per event and a busy one no more
//! than one read per batch, with no fixed delay added to either.

use super::discover::{
    ProjectsDir, describe_io, file_role, is_plain_dir_under, is_plain_file_under, is_transcript,
};
use super::index::scan_cached;
use super::reader::FileReader;
use super::scan::Scan;
use super::watch::{self, Watch, WatchEvent, WatchMode};
use crate::ledger::{FileChange, FileUpdate, Ledger};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use tokio::sync::mpsc;

/// What the live source sends to the accumulator.
#[derive(Debug)]
pub enum SourceMsg {
    /// Updates read after one batch of watcher events.
    Updates(Vec<FileUpdate>),
    /// Something the user should be told once (e.g. the polling fallback).
    Notice(String),
    /// The OTLP receiver's store changed (`--otlp-receive`): read it again.
    Telemetry,
}

/// The transcripts being followed, each with its reader, and the watcher
/// that says when to look at them.
#[derive(Debug)]
pub struct LiveFiles {
    roots: Vec<ProjectsDir>,
    watch: Watch,
    /// Roots whose directory disappeared: looked for every second, and
    /// watched and read again when they come back.
    missing: BTreeSet<PathBuf>,
    /// Why the OS watcher cannot go on (it ran out of watches), once seen.
    watch_failure: Option<String>,
    readers: HashMap<PathBuf, FileReader>,
    line_cap: usize,
    buf: Vec<u8>,
    /// Files whose last read failed, with why: retried until they read.
    failing: HashMap<PathBuf, String>,
    /// Folders that could not be listed (no permission), with why: listed
    /// again with the failed files until they can be, when their
    /// `unreadableFile` count goes away as a file's does.
    unlisted: HashMap<PathBuf, String>,
    /// What listing folders changed in the ledger (a folder counted as
    /// unreadable, or no longer): sent with the next reads.
    listing_updates: Vec<FileUpdate>,
    /// What to tell the user once: a file that cannot be read, and again
    /// when it can.
    notices: Vec<String>,
}

impl LiveFiles {
    /// `errors` are the places the scan could not read: files among them
    /// (those with a reader) and folders are tried again until they read.
    pub fn new(
        roots: Vec<ProjectsDir>,
        watch: Watch,
        readers: Vec<FileReader>,
        line_cap: usize,
        errors: &[(PathBuf, String)],
    ) -> LiveFiles {
        let readers: HashMap<PathBuf, FileReader> = readers
            .into_iter()
            .map(|r| (r.path().to_path_buf(), r))
            .collect();
        let (failing, unlisted) = errors
            .iter()
            .cloned()
            .partition(|(path, _)| readers.contains_key(path));
        LiveFiles {
            roots,
            watch,
            missing: BTreeSet::new(),
            watch_failure: None,
            readers,
            line_cap,
            buf: Vec::new(),
            failing,
            unlisted,
            listing_updates: Vec::new(),
            notices: Vec::new(),
        }
    }

    /// What happened since the last call that the user should be told.
    pub fn take_notices(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notices)
    }

    /// Whether some file's last read, or some folder's listing, failed
    /// (and is worth retrying).
    pub fn has_failures(&self) -> bool {
        !self.failing.is_empty() || !self.unlisted.is_empty()
    }

    /// Read again every file whose last read failed, and list again every
    /// folder that could not be listed (reading what it holds once it can).
    pub fn retry_failed(&mut self) -> Vec<FileUpdate> {
        let mut paths: BTreeSet<PathBuf> = self.failing.keys().cloned().collect();
        let folders: BTreeSet<PathBuf> = self.unlisted.keys().cloned().collect();
        for folder in folders {
            self.expand(&folder, &mut paths);
        }
        self.read_all(paths)
    }

    pub fn watched_files(&self) -> usize {
        self.readers.len()
    }

    /// Look at what a batch of watcher events names.
    pub fn handle(&mut self, events: Vec<WatchEvent>) -> Vec<FileUpdate> {
        let mut files = BTreeSet::new();
        let mut rescan = false;
        for event in events {
            match event {
                WatchEvent::Paths(paths) => {
                    for p in paths {
                        self.expand(&p, &mut files);
                    }
                }
                WatchEvent::Gone(paths) => {
                    for p in paths {
                        self.watch.uncover(&p);
                        self.expand(&p, &mut files);
                    }
                }
                WatchEvent::Rescan | WatchEvent::Failed(_) => rescan = true,
            }
        }
        let mut updates = if rescan {
            self.rescan()
        } else {
            self.read_all(files)
        };
        updates.extend(self.check_roots());
        updates
    }

    /// Whether some root's directory is gone (and is looked for).
    pub fn has_missing_roots(&self) -> bool {
        !self.missing.is_empty()
    }

    /// Notice roots that disappeared (deleted, or their data directory
    /// was) and roots that came back: a root that is back is watched
    /// again and read whole. Said once each way.
    pub fn check_roots(&mut self) -> Vec<FileUpdate> {
        let mut back = BTreeSet::new();
        for root in self.roots.clone() {
            let there = root.0.is_dir();
            if !there && self.missing.insert(root.0.clone()) {
                self.watch.uncover(&root.0);
                self.notices.push(format!(
                    "{} is gone; ccwatch looks for it every second and follows it again when it is back.",
                    root.0.display()
                ));
            } else if there && self.missing.remove(&root.0) {
                self.notices
                    .push(format!("{} is back; following it again.", root.0.display()));
                self.expand(&root.0, &mut back);
            }
        }
        self.read_all(back)
    }

    /// The watcher cannot go on (it ran out of watches): why, once.
    pub fn take_watch_failure(&mut self) -> Option<String> {
        self.watch_failure.take()
    }

    /// Watch by polling from now on.
    fn poll_instead(&mut self, wtx: &mpsc::UnboundedSender<WatchEvent>, reason: String) -> String {
        match watch::start_polling(&self.roots, wtx.clone(), reason.clone()) {
            Ok(poll) => {
                self.watch = poll;
                format!("Watching by polling every second: {reason}.")
            }
            Err(e) => format!("Stopped watching for changes: {e}."),
        }
    }

    /// Everything: every known file (to notice deletions) and every file
    /// on disk (to notice new ones).
    pub fn rescan(&mut self) -> Vec<FileUpdate> {
        let mut files: BTreeSet<PathBuf> = self.readers.keys().cloned().collect();
        for root in self.roots.clone() {
            self.expand(&root.0, &mut files);
        }
        self.read_all(files)
    }

    /// The transcripts a changed path stands for: itself if it is one; if it
    /// is a directory, every transcript below it on disk and every known
    /// one below it (which may be gone). As in the scan, only regular files
    /// reached without passing through a link count (spec §1, v2): a FIFO
    /// would block its reader, a link would count a file twice.
    fn expand(&mut self, path: &Path, files: &mut BTreeSet<PathBuf>) {
        let Some(root) = self.root_of(path).cloned() else {
            return;
        };
        let known = |p: &Path| self.readers.contains_key(p);
        if is_transcript(path) && (known(path) || is_plain_file_under(&root.0, path)) {
            files.insert(path.to_path_buf());
            return;
        }
        if is_plain_dir_under(&root.0, path) {
            // Watch first, then list: a file made in between is reported.
            if let Err(why) = self.watch.cover(path) {
                self.watch_failure.get_or_insert(why);
            }
            let mut listed = Vec::new();
            let mut failed = Vec::new();
            for entry in walkdir::WalkDir::new(path).follow_links(false) {
                match entry {
                    Ok(e) if e.file_type().is_file() && is_transcript(e.path()) => {
                        files.insert(e.into_path());
                    }
                    Ok(e) if e.file_type().is_dir() => listed.push(e.into_path()),
                    Ok(_) => {}
                    Err(e) => {
                        // A folder removed while listed is not unreadable.
                        let io = e.io_error();
                        if let Some(at) = e.path()
                            && io.is_none_or(|io| io.kind() != std::io::ErrorKind::NotFound)
                        {
                            let why = io.map(describe_io).unwrap_or_else(|| e.to_string());
                            failed.push((at.to_path_buf(), why));
                        }
                    }
                }
            }
            self.note_listing(&listed, failed);
        }
        self.forget_vanished_folders(&root.0, path);
        files.extend(
            self.readers
                .keys()
                .filter(|known| known.starts_with(path))
                .cloned(),
        );
    }

    /// After listing: folders that could not be listed count once as
    /// unreadable and are said once; those that failed before and were
    /// listed now are said to read again, and their count goes away.
    fn note_listing(&mut self, listed: &[PathBuf], failed: Vec<(PathBuf, String)>) {
        for dir in listed {
            if failed.iter().any(|(at, _)| at == dir) {
                continue;
            }
            if self.unlisted.remove(dir).is_some() {
                self.notices
                    .push(format!("{} can be read again.", dir.display()));
                self.listing_updates
                    .push(listing_update(dir, FileChange::Gone));
            }
        }
        for (at, why) in failed {
            if self.unlisted.insert(at.clone(), why.clone()).is_none() {
                self.notices.push(format!(
                    "{} {why}; the transcripts in it are not read until it can be listed, and ccwatch tries again.",
                    at.display()
                ));
                self.listing_updates
                    .push(listing_update(&at, FileChange::Unreadable));
            }
        }
    }

    /// Folders at or below `path` that could not be listed and are gone
    /// now (deleted, or no longer a folder): no longer counted.
    fn forget_vanished_folders(&mut self, root: &Path, path: &Path) {
        let gone: Vec<PathBuf> = self
            .unlisted
            .keys()
            .filter(|d| d.starts_with(path) && !is_plain_dir_under(root, d))
            .cloned()
            .collect();
        for dir in gone {
            self.unlisted.remove(&dir);
            self.listing_updates
                .push(listing_update(&dir, FileChange::Gone));
        }
    }

    fn root_of(&self, path: &Path) -> Option<&ProjectsDir> {
        self.roots.iter().find(|r| path.starts_with(&r.0))
    }

    fn read_all(&mut self, files: BTreeSet<PathBuf>) -> Vec<FileUpdate> {
        let mut updates = std::mem::take(&mut self.listing_updates);
        for path in files {
            let Some(root) = self.root_of(&path).cloned() else {
                continue;
            };
            let line_cap = self.line_cap;
            let reader = self.readers.entry(path.clone()).or_insert_with(|| {
                FileReader::new(path.clone(), file_role(&root.0, &path), line_cap)
            });
            // A read error is carried by the update itself (as Unreadable),
            // which the ledger counts without dropping what the file gave;
            // the live source keeps going and retries it.
            let (update, error) = reader.read(&mut self.buf);
            match error {
                Some(e) => {
                    let why = super::discover::describe_io(&e);
                    if self.failing.insert(path.clone(), why.clone()).is_none() {
                        self.notices.push(format!(
                            "{} {why}; keeping what it gave so far and trying again.",
                            path.display()
                        ));
                    }
                }
                None => {
                    if self.failing.remove(&path).is_some() {
                        self.notices
                            .push(format!("{} can be read again.", path.display()));
                    }
                }
            }
            if update.change == FileChange::Gone {
                self.readers.remove(&path);
            }
            updates.push(update);
        }
        updates
    }
}

/// A folder's entry in the ledger, which holds no lines of its own: counted
/// as unreadable while it cannot be listed (as the scan counts it), or
/// withdrawn, with that count, once it can be or is gone.
fn listing_update(folder: &Path, change: FileChange) -> FileUpdate {
    FileUpdate {
        path: folder.to_path_buf(),
        encoded_project: String::new(),
        change,
        facts: Vec::new(),
        size: 0,
    }
}

/// A started live source: the scanned state, and the channel that carries
/// everything after it.
#[derive(Debug)]
pub struct Live {
    pub ledger: Ledger,
    pub updates: mpsc::Receiver<SourceMsg>,
    pub mode: WatchMode,
    pub files: usize,
    /// Files and folders the scan could not read, with reasons.
    pub errors: Vec<(PathBuf, String)>,
    /// Things to tell the user once (see `Scan::notes`).
    pub notes: Vec<String>,
}

/// Start watching, scan (through the persistent index at `index`, when
/// given), and spawn the task that follows changes. The watcher starts
/// before the scan so nothing written during the scan is missed (reading a
/// file twice is harmless: readers resume at their offset). Must be called
/// inside a multi-threaded tokio runtime.
pub fn start_indexed(
    roots: &[ProjectsDir],
    threads: usize,
    line_cap: usize,
    index: Option<&Path>,
) -> Result<Live, String> {
    let (wtx, wrx) = mpsc::unbounded_channel();
    let watch = watch::start(roots, wtx.clone())?;
    let Scan {
        ledger,
        readers,
        errors,
        notes,
    } = scan_cached(roots, threads, line_cap, index);
    let mode = watch.mode;
    let files = LiveFiles::new(roots.to_vec(), watch, readers, line_cap, &errors);
    let (tx, rx) = mpsc::channel(64);
    let count = files.watched_files();
    tokio::spawn(follow(files, wtx, wrx, tx));
    Ok(Live {
        ledger,
        updates: rx,
        mode,
        files: count,
        errors,
        notes,
    })
}

async fn follow(
    mut files: LiveFiles,
    wtx: mpsc::UnboundedSender<WatchEvent>,
    mut wrx: mpsc::UnboundedReceiver<WatchEvent>,
    tx: mpsc::Sender<SourceMsg>,
) {
    if let Some(reason) = &files.watch.fallback_reason {
        let msg = format!("Watching by polling every second: {reason}.");
        if tx.send(SourceMsg::Notice(msg)).await.is_err() {
            return;
        }
    }
    // Files that failed to read are retried, waiting longer each time they
    // fail again (1 s, 2 s, … up to a minute), so a lack of descriptors
    // heals without a write to the file and a broken file costs nothing.
    // A root that disappeared is looked for every second.
    let mut backoff = RETRY_FIRST;
    loop {
        let wake = match (files.has_failures(), files.has_missing_roots()) {
            (false, false) => None,
            (true, false) => Some(backoff),
            (_, true) => Some(backoff.min(watch::POLL_INTERVAL)),
        };
        let first = match wake {
            Some(wait) => tokio::select! {
                event = wrx.recv() => event,
                () = tokio::time::sleep(wait) => {
                    let mut updates = Vec::new();
                    if files.has_failures() {
                        updates = tokio::task::block_in_place(|| files.retry_failed());
                        backoff = if files.has_failures() { (backoff * 2).min(RETRY_MAX) } else { RETRY_FIRST };
                    }
                    updates.extend(tokio::task::block_in_place(|| files.check_roots()));
                    if !send_all(&tx, &mut files, updates).await {
                        return;
                    }
                    continue;
                }
            },
            None => {
                backoff = RETRY_FIRST;
                wrx.recv().await
            }
        };
        let Some(first) = first else { break };
        let mut batch = vec![first];
        while let Ok(more) = wrx.try_recv() {
            batch.push(more);
        }
        let failure = batch.iter().find_map(|e| match e {
            WatchEvent::Failed(reason) => Some(reason.clone()),
            _ => None,
        });
        if let Some(reason) = failure.filter(|_| files.watch.mode == WatchMode::Native) {
            let notice = files.poll_instead(&wtx, reason);
            if tx.send(SourceMsg::Notice(notice)).await.is_err() {
                return;
            }
        }
        let mut updates = tokio::task::block_in_place(|| files.handle(batch));
        // Out of watches while covering a new directory: poll from now on,
        // and look at everything once, since what was not watched may
        // have changed before the poll's first look.
        if let Some(reason) = files.take_watch_failure()
            && files.watch.mode == WatchMode::Native
        {
            let notice = files.poll_instead(&wtx, reason);
            if tx.send(SourceMsg::Notice(notice)).await.is_err() {
                return;
            }
            updates.extend(tokio::task::block_in_place(|| files.rescan()));
        }
        if !send_all(&tx, &mut files, updates).await {
            return;
        }
    }
}

/// The first wait before a failed read is tried again, and the longest.
const RETRY_FIRST: std::time::Duration = std::time::Duration::from_secs(1);
const RETRY_MAX: std::time::Duration = std::time::Duration::from_secs(60);

/// Send the notices gathered while reading, then the updates; `false` when
/// nobody listens any more.
async fn send_all(
    tx: &mpsc::Sender<SourceMsg>,
    files: &mut LiveFiles,
    updates: Vec<FileUpdate>,
) -> bool {
    for notice in files.take_notices() {
        if tx.send(SourceMsg::Notice(notice)).await.is_err() {
            return false;
        }
    }
    updates.is_empty() || tx.send(SourceMsg::Updates(updates)).await.is_ok()
}
