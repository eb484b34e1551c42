//! Being told when transcripts change, without polling when we can help it.
//!
//! The OS watcher (inotify, FSEvents, ReadDirectoryChanges, via `notify`)
//! wakes us only when something changes. With inotify, which watches one
//! directory at a time, ccwatch adds each directory's watch itself, and
//! the caller lists a new directory only after its watch is in place, so a
//! file written right after `mkdir` is never missed (notify's own recursive
//! mode adds the watch after reporting the directory, leaving a gap). Other
//! systems watch whole trees natively. If the OS watcher cannot start, or
//! runs out of watches later, a stat-based poll every second takes over,
//! and the user is told once, in words, what to do about it.

use super::discover::ProjectsDir;
use notify::event::{ModifyKind, RenameMode};
use notify::{EventKind, RecursiveMode, Watcher};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;

/// How often the fallback looks at the files.
pub const POLL_INTERVAL: Duration = Duration::from_secs(1);

/// Set to force the polling fallback (used by tests of that path).
pub const FORCE_POLL_ENV: &str = "CCWATCH_FORCE_POLL";

/// Set to a number to watch at most that many directories, as if the
/// system's limit were that low (used by tests of running out of watches).
pub const MAX_WATCHES_ENV: &str = "CCWATCH_MAX_WATCHES";

pub use super::event::WatchEvent;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatchMode {
    Native,
    Polling,
}

impl WatchMode {
    pub fn name(self) -> &'static str {
        match self {
            WatchMode::Native => "native",
            WatchMode::Polling => "polling",
        }
    }
}

/// What does the watching; dropping it stops it.
enum Backend {
    /// One watch per directory, added by us (inotify).
    PerDirectory {
        watcher: Box<dyn Watcher + Send>,
        dirs: HashSet<PathBuf>,
        cap: usize,
    },
    /// The OS watches each root's whole tree.
    Recursive {
        watcher: Box<dyn Watcher + Send>,
        roots: Vec<PathBuf>,
    },
    Polling {
        _poller: super::poll::Poller,
    },
}

/// A running watcher. Dropping it stops the watching.
pub struct Watch {
    backend: Backend,
    pub mode: WatchMode,
    /// Why we are polling, when we are.
    pub fallback_reason: Option<String>,
}

impl std::fmt::Debug for Watch {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.debug_struct("Watch").field("mode", &self.mode).finish()
    }
}

impl Watch {
    /// Make sure every directory of the tree at `dir` (reached without
    /// following links) is watched. Call it before listing `dir`: then a
    /// file is either there when listed or reported when written. An error
    /// is a sentence saying the system ran out of watches.
    pub fn cover(&mut self, dir: &Path) -> Result<(), String> {
        match &mut self.backend {
            Backend::PerDirectory { watcher, dirs, cap } => {
                let listing = walkdir::WalkDir::new(dir)
                    .follow_links(false)
                    .into_iter()
                    .filter_entry(|e| e.file_type().is_dir());
                for entry in listing.flatten() {
                    if dirs.contains(entry.path()) {
                        continue;
                    }
                    if dirs.len() >= *cap {
                        return Err(WATCH_LIMIT.into());
                    }
                    match watcher.watch(entry.path(), RecursiveMode::NonRecursive) {
                        Ok(()) => {
                            dirs.insert(entry.into_path());
                        }
                        Err(e) if matches!(e.kind, notify::ErrorKind::MaxFilesWatch) => {
                            return Err(describe_watch_error(&e));
                        }
                        // Removed while we looked: nothing to watch.
                        Err(_) => {}
                    }
                }
                Ok(())
            }
            Backend::Recursive { watcher, roots } => {
                // Only a root that came back needs its watch again.
                if roots.iter().any(|r| r == dir) {
                    let _ = watcher.unwatch(dir);
                    if let Err(e) = watcher.watch(dir, RecursiveMode::Recursive)
                        && matches!(e.kind, notify::ErrorKind::MaxFilesWatch)
                    {
                        return Err(describe_watch_error(&e));
                    }
                }
                Ok(())
            }
            Backend::Polling { .. } => Ok(()),
        }
    }

    /// Forget the watches at and below `path`, which was removed or renamed
    /// away (a directory put back there is covered again when seen).
    pub fn uncover(&mut self, path: &Path) {
        if let Backend::PerDirectory { watcher, dirs, .. } = &mut self.backend {
            let gone: Vec<PathBuf> = dirs
                .iter()
                .filter(|d| d.starts_with(path))
                .cloned()
                .collect();
            for d in gone {
                dirs.remove(&d);
                // Usually already dropped by the system with the directory.
                let _ = watcher.unwatch(&d);
            }
        }
    }

    /// How many directories are watched one by one (0 for other backends).
    pub fn watched_dirs(&self) -> usize {
        match &self.backend {
            Backend::PerDirectory { dirs, .. } => dirs.len(),
            _ => 0,
        }
    }
}

/// What running out of inotify watches means, and what to do about it.
const WATCH_LIMIT: &str = "the system's limit on file watches is reached \
    (fs.inotify.max_user_watches); to be told of changes at once again, raise it \
    (for example `sudo sysctl fs.inotify.max_user_watches=524288`) and restart ccwatch";

/// A watcher error as the end of a sentence a user can act on, never
/// notify's own text with its list of paths.
pub fn describe_watch_error(e: &notify::Error) -> String {
    match &e.kind {
        notify::ErrorKind::MaxFilesWatch => WATCH_LIMIT.into(),
        notify::ErrorKind::Io(io) if io.raw_os_error() == Some(libc_emfile()) => {
            "the system allows no more file watchers or open files for this user \
             (fs.inotify.max_user_instances, `ulimit -n`); raise the limit and restart \
             ccwatch to be told of changes at once"
                .into()
        }
        notify::ErrorKind::Io(io) => format!("the system's file watcher failed ({io})"),
        notify::ErrorKind::Generic(text) => format!("the system's file watcher failed ({text})"),
        notify::ErrorKind::PathNotFound => "a folder disappeared while it was being watched".into(),
        notify::ErrorKind::WatchNotFound | notify::ErrorKind::InvalidConfig(_) => {
            "the system's file watcher failed".into()
        }
    }
}

#[cfg(unix)]
fn libc_emfile() -> i32 {
    libc::EMFILE
}

#[cfg(not(unix))]
fn libc_emfile() -> i32 {
    24
}

/// Start watching the roots: natively if possible, else by polling.
pub fn start(roots: &[ProjectsDir], tx: UnboundedSender<WatchEvent>) -> Result<Watch, String> {
    let forced = std::env::var_os(FORCE_POLL_ENV).is_some_and(|v| !v.is_empty());
    let native_error = if forced {
        format!("{FORCE_POLL_ENV} is set")
    } else {
        match native(roots, tx.clone()) {
            Ok(watch) => return Ok(watch),
            Err(e) => e,
        }
    };
    start_polling(roots, tx, native_error)
}

/// Start the polling fallback; `reason` says why the OS watcher is not used.
pub fn start_polling(
    roots: &[ProjectsDir],
    tx: UnboundedSender<WatchEvent>,
    reason: String,
) -> Result<Watch, String> {
    let poller = super::poll::start(roots, POLL_INTERVAL, tx)
        .map_err(|e| format!("cannot watch for changes: {e}"))?;
    Ok(Watch {
        backend: Backend::Polling { _poller: poller },
        mode: WatchMode::Polling,
        fallback_reason: Some(reason),
    })
}

/// Does the OS watcher watch one directory at a time?
const PER_DIRECTORY: bool = cfg!(any(target_os = "linux", target_os = "android"));

fn native(roots: &[ProjectsDir], tx: UnboundedSender<WatchEvent>) -> Result<Watch, String> {
    // Links inside the roots are not followed (spec §1, v2); the roots
    // themselves may be links, and are.
    let config = notify::Config::default().with_follow_symlinks(false);
    let watcher = notify::RecommendedWatcher::new(handler(tx), config)
        .map_err(|e| describe_watch_error(&e))?;
    let watcher: Box<dyn Watcher + Send> = Box::new(watcher);
    let backend = if PER_DIRECTORY {
        let cap = std::env::var(MAX_WATCHES_ENV)
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(usize::MAX);
        Backend::PerDirectory {
            watcher,
            dirs: HashSet::new(),
            cap,
        }
    } else {
        Backend::Recursive {
            watcher,
            roots: roots.iter().map(|r| r.0.clone()).collect(),
        }
    };
    let mut watch = Watch {
        backend,
        mode: WatchMode::Native,
        fallback_reason: None,
    };
    for root in roots {
        if let Backend::Recursive { watcher, .. } = &mut watch.backend {
            watcher
                .watch(&root.0, RecursiveMode::Recursive)
                .map_err(|e| describe_watch_error(&e))?;
        } else {
            watch.cover(&root.0)?;
        }
    }
    Ok(watch)
}

/// Map notify's events to ours. Runs on notify's thread.
fn handler(tx: UnboundedSender<WatchEvent>) -> impl notify::EventHandler {
    move |res: notify::Result<notify::Event>| {
        let event = match res {
            Ok(e) if e.need_rescan() => WatchEvent::Rescan,
            // Our own reads open and close files: reacting to access
            // events would wake us for our own work, forever.
            Ok(e) if matches!(e.kind, EventKind::Access(_)) => return,
            Ok(e) if e.paths.is_empty() => return,
            Ok(e) if is_departure(&e.kind) => WatchEvent::Gone(e.paths),
            Ok(e) => WatchEvent::Paths(e.paths),
            Err(e) => match e.kind {
                notify::ErrorKind::MaxFilesWatch => WatchEvent::Failed(describe_watch_error(&e)),
                // A path vanished while being watched, or similar: look again.
                _ => WatchEvent::Rescan,
            },
        };
        // The receiver is gone only when ccwatch is shutting down.
        let _ = tx.send(event);
    }
}

/// Does the event say its path no longer names what it did?
fn is_departure(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::Remove(_) | EventKind::Modify(ModifyKind::Name(RenameMode::From))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn running_out_of_watches_is_said_in_words_without_paths() {
        let e = notify::Error::new(notify::ErrorKind::MaxFilesWatch)
            .add_path(PathBuf::from("/home/u/.claude/projects/-extra-49"));
        let said = describe_watch_error(&e);
        assert!(said.contains("fs.inotify.max_user_watches"), "{said}");
        assert!(said.contains("sysctl"), "{said}");
        assert!(
            !said.contains("-extra-49") && !said.contains("about"),
            "{said}"
        );
        let io = notify::Error::io(std::io::Error::from_raw_os_error(libc_emfile()));
        assert!(describe_watch_error(&io).contains("max_user_instances"));
    }

    #[cfg(any(target_os = "linux", target_os = "android"))]
    #[test]
    fn a_directory_is_watched_before_it_is_listed_and_forgotten_when_gone() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("projects");
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        std::os::unix::fs::symlink(tmp.path(), root.join("loop")).unwrap();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let mut watch = start(&[ProjectsDir(root.clone())], tx).unwrap();
        assert_eq!(watch.mode, WatchMode::Native);
        // The root, a and a/b; the link is not followed.
        assert_eq!(watch.watched_dirs(), 3);
        std::fs::create_dir_all(root.join("c/d")).unwrap();
        watch.cover(&root.join("c")).unwrap();
        assert_eq!(watch.watched_dirs(), 5);
        // A file in the new directory, written after the cover, is reported.
        std::fs::write(root.join("c/d/x.jsonl"), "{}\n").unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        let mut seen = false;
        while !seen && std::time::Instant::now() < deadline {
            match rx.try_recv() {
                Ok(WatchEvent::Paths(p)) => seen = p.contains(&root.join("c/d/x.jsonl")),
                Ok(_) => {}
                Err(_) => std::thread::sleep(Duration::from_millis(10)),
            }
        }
        assert!(seen, "no event for a file in a covered directory");
        watch.uncover(&root.join("c"));
        assert_eq!(watch.watched_dirs(), 3);
    }
}
