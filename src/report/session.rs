//! Usage per session: a conversation and its subagents, with its project
//! and when it was active.

use super::{Entry, Usage};
use crate::record::Millis;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq)]
pub struct SessionRow {
    pub session: Arc<str>,
    pub project: Arc<str>,
    /// What the session is about (see `Ledger::title`), filled in by the
    /// caller that has the ledger.
    pub title: Option<String>,
    pub first: Millis,
    pub last: Millis,
    pub usage: Usage,
}

/// Usage per session, ordered by last activity, oldest first (ties by id).
pub fn group(entries: &[Entry]) -> Vec<SessionRow> {
    let mut by: HashMap<Arc<str>, SessionRow> = HashMap::new();
    for e in entries {
        let row = by.entry(e.session.clone()).or_insert_with(|| SessionRow {
            session: e.session.clone(),
            project: e.project.clone(),
            title: None,
            first: e.timestamp,
            last: e.timestamp,
            usage: Usage::default(),
        });
        row.first = row.first.min(e.timestamp);
        row.last = row.last.max(e.timestamp);
        row.usage.add(e);
    }
    let mut rows: Vec<SessionRow> = by.into_values().collect();
    rows.sort_by(|a, b| a.last.cmp(&b.last).then_with(|| a.session.cmp(&b.session)));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing::entry;

    #[test]
    fn sessions_sum_their_records_and_sort_by_last_activity() {
        let entries = vec![
            entry("2026-10-11T06:00:00Z", "a", "m1", 100, 1.0),
            entry("2026-10-12T07:30:00Z", "b", "m1", 10, 0.5),
            entry("2026-10-13T07:30:00Z", "a", "m2", 20, 0.5),
        ];
        let rows = group(&entries);
        assert_eq!(rows.len(), 2);
        assert_eq!(&*rows[0].session, "b");
        let a = &rows[1];
        assert_eq!(a.usage.tokens.total(), 120);
        assert_eq!(a.usage.cost, 1.5);
        assert_eq!(a.usage.models.len(), 2);
        assert_eq!(a.first, entries[0].timestamp);
        assert_eq!(a.last, entries[2].timestamp);
        assert_eq!(&*a.project, "/home/dev/a");
    }
}
