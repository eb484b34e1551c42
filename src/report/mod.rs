//! Usage reports: the ledger's deduplicated records, priced, filtered and
//! grouped by day, week, month, session or 5-hour block (spec §5–6).
//!
//! The grouping modules are pure: records, a time zone and `now` in, plain
//! structs out. Turning those into JSON (`json.rs`) or a table (`table.rs`)
//! is separate, and reading the data is the command's job.

pub mod blocks;
pub mod json;
pub mod period;
pub mod session;
pub mod table;
pub mod zone;

pub use zone::Zone;

use crate::cost::{Pricer, Unpriced};
use crate::ledger::Ledger;
use crate::record::{Millis, Tokens};
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// One deduplicated, priced usage record.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub timestamp: Millis,
    pub session: Arc<str>,
    pub project: Arc<str>,
    pub model: Arc<str>,
    pub tokens: Tokens,
    /// USD; 0 when the record has no price.
    pub cost: f64,
    pub priced: bool,
}

/// Token and cost sums of one model.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ModelSums {
    pub tokens: Tokens,
    pub cost: f64,
    pub entries: u64,
}

/// Sums of a group of entries, in all and per model.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Usage {
    pub tokens: Tokens,
    pub cost: f64,
    pub entries: u64,
    pub models: BTreeMap<Arc<str>, ModelSums>,
}

impl Usage {
    pub fn add(&mut self, e: &Entry) {
        self.tokens += e.tokens;
        self.cost += e.cost;
        self.entries += 1;
        let m = self.models.entry(e.model.clone()).or_default();
        m.tokens += e.tokens;
        m.cost += e.cost;
        m.entries += 1;
    }

    pub fn of<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> Usage {
        let mut u = Usage::default();
        for e in entries {
            u.add(e);
        }
        u
    }
}

/// Every record of the ledger, priced, oldest first.
pub fn priced_entries(ledger: &Ledger, pricer: &mut Pricer) -> Vec<Entry> {
    let mut projects: HashMap<Arc<str>, Arc<str>> = HashMap::new();
    let mut entries: Vec<Entry> = ledger
        .records_iter()
        .map(|c| {
            let cost = pricer.cost(c.model, &c.tokens, &c.billing, c.cost_usd);
            let project = projects
                .entry(c.session.clone())
                .or_insert_with(|| ledger.project(c.session).into())
                .clone();
            Entry {
                timestamp: c.timestamp,
                session: c.session.clone(),
                project,
                model: c.model.clone(),
                tokens: c.tokens,
                cost: cost.unwrap_or(0.0),
                priced: cost.is_some(),
            }
        })
        .collect();
    // A total order, so equal inputs give byte-identical reports.
    entries.sort_by(|a, b| {
        sort_key(a)
            .cmp(&sort_key(b))
            .then_with(|| a.cost.total_cmp(&b.cost))
    });
    entries
}

/// What of these entries had no price.
pub fn unpriced(entries: &[Entry]) -> Unpriced {
    let mut u = Unpriced::default();
    for e in entries.iter().filter(|e| !e.priced) {
        u.add(&e.model, &e.tokens);
    }
    u
}

fn sort_key(e: &Entry) -> (Millis, &str, &str, u64) {
    (e.timestamp, &e.session, &e.model, e.tokens.total())
}

/// Which records a report covers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// First and last calendar day included, in the report's zone.
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub project: Option<String>,
}

impl Filter {
    pub fn keeps(&self, e: &Entry, zone: &Zone) -> bool {
        if self.since.is_some() || self.until.is_some() {
            let day = zone.date(e.timestamp);
            if self.since.is_some_and(|s| day < s) || self.until.is_some_and(|u| day > u) {
                return false;
            }
        }
        match &self.project {
            Some(p) => project_matches(&e.project, p),
            None => true,
        }
    }

    pub fn apply(&self, entries: Vec<Entry>, zone: &Zone) -> Vec<Entry> {
        entries
            .into_iter()
            .filter(|e| self.keeps(e, zone))
            .collect()
    }
}

/// `--project NAME` matches the whole project path, its last component, or
/// a trailing run of components (`src/webapp`).
pub fn project_matches(path: &str, wanted: &str) -> bool {
    let wanted = wanted.trim_end_matches('/');
    let path = path.trim_end_matches('/');
    if wanted.is_empty() || wanted.starts_with('/') {
        return path == wanted;
    }
    path == wanted || path.strip_suffix(wanted).is_some_and(|h| h.ends_with('/'))
}

#[cfg(test)]
pub(crate) mod testing {
    use super::*;
    use crate::record::parse_timestamp;

    /// An entry at an RFC 3339 time with `total` tokens split over the kinds.
    pub fn entry(ts: &str, session: &str, model: &str, total: u64, cost: f64) -> Entry {
        Entry {
            timestamp: parse_timestamp(ts).unwrap(),
            session: session.into(),
            project: format!("/home/dev/{session}").into(),
            model: model.into(),
            tokens: Tokens {
                input: total / 10,
                output: total / 10,
                cache_creation: total / 10,
                cache_read: total - 3 * (total / 10),
            },
            priced: true,
            cost,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::entry;
    use super::*;

    #[test]
    fn usage_sums_in_all_and_per_model() {
        let a = entry("2026-11-20T10:00:00Z", "s", "m1", 100, 1.0);
        let b = entry("2026-11-20T11:00:00Z", "s", "m2", 50, 0.5);
        let c = entry("2026-11-20T12:00:00Z", "s", "m1", 10, 0.25);
        let u = Usage::of([&a, &b, &c]);
        assert_eq!(u.tokens.total(), 160);
        assert_eq!(u.cost, 1.75);
        assert_eq!(u.entries, 3);
        assert_eq!(u.models["m1"].tokens.total(), 110);
        assert_eq!(u.models["m1"].entries, 2);
        assert_eq!(u.models["m2"].cost, 0.5);
    }

    #[test]
    fn filters_by_local_day_and_project() {
        let utc = Zone::parse("UTC").unwrap();
        let la = Zone::parse("America/Los_Angeles").unwrap();
        let e = entry("2026-11-20T05:00:00Z", "webapp", "m", 10, 0.0);
        let on = |d: &str| zone::parse_date(d).ok();
        let f = Filter {
            since: on("20261120"),
            ..Default::default()
        };
        assert!(f.keeps(&e, &utc));
        assert!(!f.keeps(&e, &la)); // still the 19th in Los Angeles
        let f = Filter {
            until: on("20261119"),
            ..Default::default()
        };
        assert!(!f.keeps(&e, &utc) && f.keeps(&e, &la));
        assert!(project_matches("/home/dev/webapp", "webapp"));
        assert!(project_matches("/home/dev/webapp", "dev/webapp"));
        assert!(project_matches("/home/dev/webapp", "/home/dev/webapp/"));
        assert!(!project_matches("/home/dev/mywebapp", "webapp"));
        assert!(!project_matches("/home/dev/webapp", ""));
        assert!(!project_matches("/x/home/dev/webapp", "/home/dev/webapp"));
    }
}
