//! Waking the live commands when the status line writes a hint: a
//! file-system watch on the hints folder, so an idle ccwatch does no work
//! between hints. Only when the OS watcher cannot be had (no inotify
//! instance left, an unwritable cache dir) does it fall back to looking
//! every [`POLL_MS`](super::POLL_MS).
//!
//! A wake-up says only "look again": [`HintWatch`](super::HintWatch)
//! decides whether anything changed, so extra or coalesced events are
//! harmless.

use notify::{RecommendedWatcher, RecursiveMode, Watcher};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// How a [`HintWake`] learns of changes.
enum How {
    /// Events from the OS; the watcher lives as long as this.
    Watch {
        _watcher: RecommendedWatcher,
        changed: Arc<Notify>,
    },
    /// A timer, made on first use (it needs the runtime).
    Poll(Option<tokio::time::Interval>),
    /// No hints folder at all: never wakes.
    Never,
}

pub struct HintWake {
    how: How,
}

impl HintWake {
    /// Watch `dir` (created if missing: it is ccwatch's own cache folder,
    /// and the status line writes into it later).
    pub fn new(dir: Option<&Path>) -> HintWake {
        let Some(dir) = dir else {
            return HintWake { how: How::Never };
        };
        let how = match watch(dir) {
            Ok((watcher, changed)) => How::Watch {
                _watcher: watcher,
                changed,
            },
            Err(_) => How::Poll(None),
        };
        HintWake { how }
    }

    /// Whether the OS tells of changes (false: the polling fallback).
    pub fn is_watching(&self) -> bool {
        matches!(self.how, How::Watch { .. })
    }

    /// Resolves when the folder may have changed, or after `deadline` (a
    /// budget's period ending: the caller looks again then too).
    pub async fn changed_or(&mut self, deadline: Option<Duration>) {
        let timer = async {
            match deadline {
                Some(d) => tokio::time::sleep(d).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = self.changed() => {}
            () = timer => {}
        }
    }

    async fn changed(&mut self) {
        match &mut self.how {
            How::Watch { changed, .. } => changed.notified().await,
            How::Poll(timer) => {
                timer.get_or_insert_with(super::poll_interval).tick().await;
            }
            How::Never => std::future::pending().await,
        }
    }
}

fn watch(dir: &Path) -> notify::Result<(RecommendedWatcher, Arc<Notify>)> {
    std::fs::create_dir_all(dir).map_err(notify::Error::io)?;
    let changed = Arc::new(Notify::new());
    let wake = changed.clone();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        // An error is worth a look too: the folder may have gone.
        let _ = event;
        // `notify_one` keeps one permit: events in a burst wake once.
        wake.notify_one();
    })?;
    watcher.watch(dir, RecursiveMode::NonRecursive)?;
    Ok((watcher, changed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hint_written_into_the_folder_wakes_it() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("hints");
        let mut wake = HintWake::new(Some(&dir));
        assert!(wake.is_watching(), "the folder was created and watched");
        // Nothing written: no wake-up within the deadline's stand-in.
        let quiet = tokio::time::timeout(Duration::from_millis(200), wake.changed()).await;
        assert!(quiet.is_err(), "woke with nothing written");
        std::fs::write(dir.join("s.json.tmp"), b"{}").unwrap();
        std::fs::rename(dir.join("s.json.tmp"), dir.join("s.json")).unwrap();
        tokio::time::timeout(Duration::from_secs(10), wake.changed())
            .await
            .expect("a write into the folder wakes it");
    }

    #[tokio::test]
    async fn the_deadline_wakes_it_without_a_change() {
        let tmp = tempfile::tempdir().unwrap();
        let mut wake = HintWake::new(Some(tmp.path()));
        tokio::time::timeout(
            Duration::from_secs(10),
            wake.changed_or(Some(Duration::from_millis(50))),
        )
        .await
        .expect("the deadline passed");
    }

    #[tokio::test]
    async fn without_a_folder_it_never_wakes() {
        let mut wake = HintWake::new(None);
        let r = tokio::time::timeout(Duration::from_millis(100), wake.changed_or(None)).await;
        assert!(r.is_err());
    }

    #[tokio::test]
    async fn a_folder_that_cannot_be_made_is_polled() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("a-file");
        std::fs::write(&file, b"").unwrap();
        let mut wake = HintWake::new(Some(&file.join("hints")));
        assert!(!wake.is_watching());
        // The first tick of the fallback timer comes at once.
        tokio::time::timeout(Duration::from_secs(5), wake.changed())
            .await
            .expect("the polling fallback ticks");
    }
}
