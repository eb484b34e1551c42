//! What the file-system side tells the live source. Its own module so the
//! OS watcher (`watch.rs`) and its polling fallback (`poll.rs`) speak the
//! same language without depending on each other both ways.

use std::path::PathBuf;

/// What the watcher, or the poller standing in for it, tells the live
/// source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchEvent {
    /// Something at these paths changed (a file or a directory): look.
    Paths(Vec<PathBuf>),
    /// These paths were removed or renamed away: whatever was watched
    /// there is not any more; look.
    Gone(Vec<PathBuf>),
    /// Events may have been lost (queue overflow): look at everything.
    Rescan,
    /// The OS watcher stopped working; switch to polling. The reason is a
    /// sentence for the user.
    Failed(String),
}
