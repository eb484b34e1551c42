//! The polling fallback: when the OS watcher cannot be used, look at every
//! transcript's size, modification time and identity once a second.
//!
//! notify's own PollWatcher compares modification times in whole seconds,
//! so two appends within one second would go unseen until the next write;
//! comparing size and nanosecond times as well misses nothing.

use super::discover::{ProjectsDir, is_transcript};
use super::event::WatchEvent;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};
use tokio::sync::mpsc::UnboundedSender;

/// What we compare between two looks at a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    identity: Option<super::tail::FileIdentity>,
}

/// A running poller; dropping it stops the thread within one interval.
#[derive(Debug)]
pub struct Poller {
    stop: Arc<AtomicBool>,
}

impl Drop for Poller {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

pub fn start(
    roots: &[ProjectsDir],
    interval: Duration,
    tx: UnboundedSender<WatchEvent>,
) -> std::io::Result<Poller> {
    let stop = Arc::new(AtomicBool::new(false));
    let roots = roots.to_vec();
    let flag = stop.clone();
    let mut known = look(&roots);
    std::thread::Builder::new()
        .name("ccwatch-poll".into())
        .spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                std::thread::sleep(interval);
                let now = look(&roots);
                let mut changed: Vec<PathBuf> = now
                    .iter()
                    .filter(|(p, s)| known.get(*p) != Some(s))
                    .map(|(p, _)| p.clone())
                    .collect();
                changed.extend(known.keys().filter(|p| !now.contains_key(*p)).cloned());
                known = now;
                if !changed.is_empty() && tx.send(WatchEvent::Paths(changed)).is_err() {
                    return;
                }
            }
        })?;
    Ok(Poller { stop })
}

fn look(roots: &[ProjectsDir]) -> HashMap<PathBuf, Stamp> {
    let mut out = HashMap::new();
    for root in roots {
        // As in the scan: links are not followed, only regular files count.
        let listing = walkdir::WalkDir::new(&root.0).follow_links(false);
        for entry in listing.into_iter().flatten() {
            if !entry.file_type().is_file() || !is_transcript(entry.path()) {
                continue;
            }
            if let Ok(meta) = entry.metadata() {
                let stamp = Stamp {
                    len: meta.len(),
                    modified: meta.modified().ok(),
                    identity: super::tail::FileIdentity::of(&meta),
                };
                out.insert(entry.into_path(), stamp);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_within_one_second_are_seen() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("s.jsonl");
        std::fs::write(&f, "a\n").unwrap();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let _poller = start(
            &[ProjectsDir(dir.path().to_path_buf())],
            Duration::from_millis(20),
            tx,
        )
        .unwrap();
        std::fs::write(&f, "a\nb\n").unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        loop {
            if let Ok(WatchEvent::Paths(p)) = rx.try_recv() {
                assert_eq!(p, vec![f.clone()]);
                break;
            }
            assert!(std::time::Instant::now() < deadline, "no event");
            std::thread::sleep(Duration::from_millis(5));
        }
        std::fs::remove_file(&f).unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        loop {
            if let Ok(WatchEvent::Paths(p)) = rx.try_recv() {
                assert_eq!(p, vec![f.clone()]);
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no event for the deletion"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}
