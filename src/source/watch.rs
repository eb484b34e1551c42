//! Being told when transcripts change, without polling when we can help it.
//!
//! The OS watcher (inotify, FSEvents, ReadDirectoryChanges, via `notify`)
//! watches each root's `projects/` recursively and wakes us only when
//! something changes. If it cannot start, or runs out of watches later, a
//! stat-based poll every second takes over, and the user is told once.

use super::discover::ProjectsDir;
use notify::{EventKind, RecursiveMode, Watcher};
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;

/// How often the fallback looks at the files.
pub const POLL_INTERVAL: Duration = Duration::from_secs(1);

/// Set to force the polling fallback (used by tests of that path).
pub const FORCE_POLL_ENV: &str = "CCWATCH_FORCE_POLL";

/// What the watcher tells the live source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchEvent {
    /// Something at these paths changed (a file or a directory): look.
    Paths(Vec<PathBuf>),
    /// Events may have been lost (queue overflow): look at everything.
    Rescan,
    /// The OS watcher stopped working; switch to polling.
    Failed(String),
}

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
    Native { _watcher: Box<dyn Watcher + Send> },
    Polling { _poller: super::poll::Poller },
}

/// A running watcher. Dropping it stops the watching.
pub struct Watch {
    _backend: Backend,
    pub mode: WatchMode,
    /// Why we are polling, when we are.
    pub fallback_reason: Option<String>,
}

impl std::fmt::Debug for Watch {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.debug_struct("Watch").field("mode", &self.mode).finish()
    }
}

/// Start watching the roots: natively if possible, else by polling.
pub fn start(roots: &[ProjectsDir], tx: UnboundedSender<WatchEvent>) -> Result<Watch, String> {
    let forced = std::env::var_os(FORCE_POLL_ENV).is_some_and(|v| !v.is_empty());
    let native_error = if forced {
        format!("{FORCE_POLL_ENV} is set")
    } else {
        match native(roots, tx.clone()) {
            Ok(w) => {
                return Ok(Watch {
                    _backend: Backend::Native { _watcher: w },
                    mode: WatchMode::Native,
                    fallback_reason: None,
                });
            }
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
        _backend: Backend::Polling { _poller: poller },
        mode: WatchMode::Polling,
        fallback_reason: Some(reason),
    })
}

fn native(
    roots: &[ProjectsDir],
    tx: UnboundedSender<WatchEvent>,
) -> Result<Box<dyn Watcher + Send>, String> {
    // Links inside the roots are not followed (spec §1, v2); the roots
    // themselves may be links, and are.
    let config = notify::Config::default().with_follow_symlinks(false);
    let mut w = notify::RecommendedWatcher::new(handler(tx), config).map_err(|e| e.to_string())?;
    for root in roots {
        w.watch(&root.0, RecursiveMode::Recursive)
            .map_err(|e| e.to_string())?;
    }
    Ok(Box::new(w))
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
            Ok(e) => WatchEvent::Paths(e.paths),
            Err(e) => match e.kind {
                notify::ErrorKind::MaxFilesWatch => {
                    WatchEvent::Failed("the system ran out of file watches".into())
                }
                // A path vanished while being watched, or similar: look again.
                _ => WatchEvent::Rescan,
            },
        };
        // The receiver is gone only when ccwatch is shutting down.
        let _ = tx.send(event);
    }
}
