//! The dashboard's search mode: the sessions whose prompts or replies
//! match what is typed, found by the search engine on a background thread
//! and streamed in, so the screen never waits for it.
//!
//! State (`ContentSearch`) is plain data the list reads; `start` runs one
//! search and sends what it finds as events, tagged with the generation
//! of the query it was for, so hits of a query since changed are dropped.

use crate::search::{self, Query, Searchable, matcher::Matcher};
use crate::source::discover::ProjectsDir;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::mpsc::UnboundedSender;

/// What a running search reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchMsg {
    /// A session whose content matches the query of `generation`.
    Hit { generation: u64, session_id: String },
    /// The search of `generation` has read every file.
    Done { generation: u64 },
}

/// The search typed so far and what it has found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContentSearch {
    pub query: String,
    /// Bumped at every change of `query`.
    pub generation: u64,
    pub matched: BTreeSet<String>,
    pub done: bool,
}

impl ContentSearch {
    /// The query changed: forget what the old one found.
    pub fn edit(&mut self, change: impl FnOnce(&mut String)) {
        change(&mut self.query);
        self.generation += 1;
        self.matched.clear();
        self.done = self.query.trim().is_empty();
    }

    /// Take in a report; returns whether it was for the current query.
    pub fn receive(&mut self, msg: SearchMsg) -> bool {
        match msg {
            SearchMsg::Hit {
                generation,
                session_id,
            } if generation == self.generation => {
                self.matched.insert(session_id);
                true
            }
            SearchMsg::Done { generation } if generation == self.generation => {
                self.done = true;
                true
            }
            _ => false,
        }
    }

    /// Whether a session is shown: every session while nothing is typed.
    pub fn keeps(&self, session_id: &str) -> bool {
        self.query.trim().is_empty() || self.matched.contains(session_id)
    }
}

/// Runs searches one at a time: starting one stops the one before.
#[derive(Default)]
pub struct Searcher {
    stop: Option<Arc<AtomicBool>>,
}

impl Searcher {
    /// Search for `query` (as typed: a literal) on a background thread.
    pub fn start(
        &mut self,
        roots: Vec<ProjectsDir>,
        query: &str,
        generation: u64,
        tx: UnboundedSender<SearchMsg>,
    ) {
        self.cancel();
        let Ok(matcher) = Matcher::new(query.trim(), false) else {
            drop(tx.send(SearchMsg::Done { generation }));
            return;
        };
        let stop = Arc::new(AtomicBool::new(false));
        self.stop = Some(stop.clone());
        let threads = crate::source::scan::default_threads()
            .saturating_sub(1)
            .max(1);
        std::thread::spawn(move || {
            let files: Vec<Searchable> = search::searchable(&roots);
            let query = Query {
                matcher,
                tools: false,
            };
            search::search(&files, &query, threads, &stop, |found| {
                let hit = SearchMsg::Hit {
                    generation,
                    session_id: found.session_id,
                };
                if tx.send(hit).is_err() {
                    stop.store(true, Ordering::Relaxed);
                }
            });
            drop(tx.send(SearchMsg::Done { generation }));
        });
    }

    pub fn cancel(&mut self) {
        if let Some(stop) = self.stop.take() {
            stop.store(true, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hits_of_an_older_query_are_dropped() {
        let mut s = ContentSearch::default();
        s.edit(|q| q.push_str("fla"));
        let old = s.generation;
        s.edit(|q| q.push('k'));
        assert!(!s.receive(SearchMsg::Hit {
            generation: old,
            session_id: "a".into()
        }));
        assert!(s.receive(SearchMsg::Hit {
            generation: s.generation,
            session_id: "b".into()
        }));
        assert!(!s.keeps("a"));
        assert!(s.keeps("b"));
        assert!(!s.done);
        assert!(s.receive(SearchMsg::Done {
            generation: s.generation
        }));
        assert!(s.done);
        // Nothing typed: everything shows.
        s.edit(String::clear);
        assert!(s.keeps("a") && s.done);
    }

    #[test]
    fn a_search_streams_hits_then_done() {
        let root = ProjectsDir(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/search/projects"),
        );
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        Searcher::default().start(vec![root], "flaky test", 7, tx);
        let mut got = Vec::new();
        while let Some(m) = rx.blocking_recv() {
            got.push(m);
        }
        let done = got.pop();
        assert_eq!(done, Some(SearchMsg::Done { generation: 7 }));
        let mut ids: Vec<String> = got
            .into_iter()
            .map(|m| match m {
                SearchMsg::Hit { session_id, .. } => session_id,
                other => panic!("{other:?}"),
            })
            .collect();
        ids.sort();
        assert_eq!(
            ids,
            [
                "aaaa1111-0000-4000-8000-000000000001",
                "bbbb2222-0000-4000-8000-000000000002"
            ]
        );
    }
}
