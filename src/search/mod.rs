//! Finding past sessions by what was said in them (`ccwatch search`,
//! `ccwatch resume`, the dashboard's search mode).
//!
//! Search reads transcripts on demand, apart from the main scan: the scan
//! skips message content on purpose, and keeping every prompt and reply in
//! memory to search them would cost far more than reading the page-cached
//! files again. Files are searched in parallel; within a file the query's
//! raw form runs over the whole buffer (as `rg` would) and only lines it
//! hits are parsed (see `matcher.rs`).

pub mod matcher;
pub mod resume;
pub mod snippet;
pub mod transcript;

use crate::parse::FileContext;
use crate::source::discover::ProjectsDir;
use crate::source::scan::list_all;
use matcher::Matcher;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
pub use transcript::Found;

/// A transcript to search: main files only, since a subagent's prompts
/// are written by Claude, not typed.
#[derive(Debug, Clone)]
pub struct Searchable {
    pub path: PathBuf,
    pub context: FileContext,
}

/// Every main transcript under the roots.
pub fn searchable(roots: &[ProjectsDir]) -> Vec<Searchable> {
    let (all, _unlisted) = list_all(roots);
    all.into_iter()
        .filter(|t| !t.role.subagent)
        .map(|t| Searchable {
            path: t.path,
            context: FileContext {
                fallback_session: t.role.fallback_session,
                subagent: false,
            },
        })
        .collect()
}

/// What to look for.
#[derive(Debug, Clone)]
pub struct Query {
    pub matcher: Matcher,
    /// Also match tool inputs (commands, paths, patterns).
    pub tools: bool,
}

/// Search `files` on `threads` threads, handing each session that matched
/// to `found` as soon as its file is done (in no particular order). Stops
/// early, between files, once `stop` is set. Files that cannot be read are
/// skipped: a search answers from what it can read.
pub fn search(
    files: &[Searchable],
    query: &Query,
    threads: usize,
    stop: &AtomicBool,
    mut found: impl FnMut(Found),
) {
    let threads = threads.clamp(1, files.len().max(1));
    let next = AtomicUsize::new(0);
    let (tx, rx) = std::sync::mpsc::sync_channel::<Found>(threads * 4);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let tx = tx.clone();
            let next = &next;
            scope.spawn(move || {
                let mut buf = Vec::new();
                loop {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(file) = files.get(i) else { break };
                    if read_into(&file.path, &mut buf).is_err() {
                        continue;
                    }
                    if let Some(hit) =
                        transcript::search_bytes(&buf, &file.context, &query.matcher, query.tools)
                        && tx.send(hit).is_err()
                    {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for hit in rx {
            found(hit);
        }
    });
}

fn read_into(path: &std::path::Path, buf: &mut Vec<u8>) -> std::io::Result<()> {
    use std::io::Read;
    buf.clear();
    std::fs::File::open(path)?.read_to_end(buf)?;
    Ok(())
}

/// Newest activity first; sessions without a time last, then by id.
pub fn newest_first(found: &mut [Found]) {
    found.sort_by(|a, b| {
        b.last_activity
            .cmp(&a.last_activity)
            .then_with(|| a.session_id.cmp(&b.session_id))
    });
}
