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

use crate::agent::Agent;
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
    /// The agent of the record's session.
    pub agent: Agent,
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

/// Sums of one agent's entries, in all and per model.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AgentSums {
    pub sums: ModelSums,
    pub models: BTreeMap<Arc<str>, ModelSums>,
}

/// Sums of a group of entries, in all, per model and per agent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Usage {
    pub tokens: Tokens,
    pub cost: f64,
    pub entries: u64,
    pub models: BTreeMap<Arc<str>, ModelSums>,
    pub agents: BTreeMap<Agent, AgentSums>,
}

impl ModelSums {
    fn add(&mut self, e: &Entry) {
        self.tokens += e.tokens;
        self.cost += e.cost;
        self.entries += 1;
    }
}

impl Usage {
    pub fn add(&mut self, e: &Entry) {
        self.tokens += e.tokens;
        self.cost += e.cost;
        self.entries += 1;
        self.models.entry(e.model.clone()).or_default().add(e);
        let agent = self.agents.entry(e.agent).or_default();
        agent.sums.add(e);
        agent.models.entry(e.model.clone()).or_default().add(e);
    }

    /// Whether the entries come from another agent than Claude Code alone:
    /// then breakdowns are split by agent.
    pub fn has_other_agents(&self) -> bool {
        self.agents.keys().any(|a| *a != Agent::Claude)
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
    let mut agents: HashMap<Arc<str>, Agent> = HashMap::new();
    let mut entries: Vec<Entry> = ledger
        .records_iter()
        .map(|c| {
            let cost = pricer.cost(c.model, &c.tokens, &c.billing, c.cost_usd);
            let project = projects
                .entry(c.session.clone())
                .or_insert_with(|| ledger.project(c.session).into())
                .clone();
            let agent = *agents
                .entry(c.session.clone())
                .or_insert_with(|| ledger.agent(c.session));
            Entry {
                agent,
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
    /// Only this agent's sessions (`--agent`).
    pub agent: Option<Agent>,
}

impl Filter {
    pub fn keeps(&self, e: &Entry, zone: &Zone) -> bool {
        if self.since.is_some() || self.until.is_some() {
            let day = zone.date(e.timestamp);
            if self.since.is_some_and(|s| day < s) || self.until.is_some_and(|u| day > u) {
                return false;
            }
        }
        if self.agent.is_some_and(|a| a != e.agent) {
            return false;
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

impl Filter {
    /// A filter that cannot match anything is the user's mistake, not an
    /// empty report: `--since` after `--until`, or a `--project` that names
    /// no project of `entries`.
    pub fn check(&self, entries: &[Entry]) -> Result<(), String> {
        if let (Some(since), Some(until)) = (self.since, self.until)
            && since > until
        {
            return Err(format!(
                "--since {since} is after --until {until}: give the earlier day first"
            ));
        }
        let Some(wanted) = &self.project else {
            return Ok(());
        };
        if entries.iter().any(|e| project_matches(&e.project, wanted)) {
            return Ok(());
        }
        let mut names: Vec<&str> = entries.iter().map(|e| &*e.project).collect();
        names.sort_unstable();
        names.dedup();
        Err(match closest(&names, wanted).as_slice() {
            [] => format!("--project {wanted}: no project has usage"),
            near => format!(
                "--project {wanted} matches no project; the closest: {}",
                near.join(", ")
            ),
        })
    }
}

/// Up to three project paths whose last folders look most like `wanted`
/// (by Jaro-Winkler similarity, which favours a shared beginning: the way
/// people misremember a name).
fn closest<'a>(projects: &[&'a str], wanted: &str) -> Vec<&'a str> {
    let wanted = wanted.trim_end_matches('/').to_lowercase();
    let tail = |p: &str| -> String {
        let depth = wanted.matches('/').count() + 1;
        let parts: Vec<&str> = p.trim_end_matches('/').rsplit('/').take(depth).collect();
        parts
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("/")
            .to_lowercase()
    };
    let mut scored: Vec<(f64, &str)> = projects
        .iter()
        .map(|p| (strsim::jaro_winkler(&tail(p), &wanted), *p))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.into_iter().take(3).map(|(_, p)| p).collect()
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
            agent: Agent::Claude,
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
    fn a_filter_that_cannot_match_is_an_error_naming_the_closest_projects() {
        let entries = vec![
            entry("2026-11-20T10:00:00Z", "webapp", "m1", 100, 1.0),
            entry("2026-11-20T10:00:00Z", "api-server", "m1", 100, 1.0),
            entry("2026-11-20T10:00:00Z", "infra", "m1", 100, 1.0),
            entry("2026-11-20T10:00:00Z", "webapp-old", "m1", 100, 1.0),
        ];
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d);
        let mut f = Filter {
            since: day(20),
            until: day(20),
            project: Some("webapp".into()),
            agent: None,
        };
        assert_eq!(f.check(&entries), Ok(()));
        f.project = Some("webap".into());
        let err = f.check(&entries).unwrap_err();
        assert!(
            err.starts_with("--project webap matches no project"),
            "{err}"
        );
        let near = err.split("closest: ").nth(1).unwrap();
        assert!(near.starts_with("/home/dev/webapp"), "{err}");
        assert_eq!(near.split(", ").count(), 3, "{err}");
        f.project = None;
        f.since = day(21);
        let err = f.check(&entries).unwrap_err();
        assert!(
            err.contains("--since 2026-11-21 is after --until 2026-11-20"),
            "{err}"
        );
        assert!(f.check(&[]).is_err(), "dates are checked without data too");
    }

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

    #[test]
    fn the_agent_filter_keeps_one_agents_entries_and_usage_splits_by_agent() {
        let mut codex = entry("2026-11-20T10:00:00Z", "c", "gpt-5-codex", 100, 2.0);
        codex.agent = Agent::Codex;
        let entries = vec![
            entry("2026-11-20T09:00:00Z", "a", "claude-sonnet-4-5", 100, 1.0),
            codex.clone(),
        ];
        let zone = Zone::parse("UTC").unwrap();
        let only = Filter {
            agent: Some(Agent::Codex),
            ..Filter::default()
        };
        assert_eq!(only.apply(entries.clone(), &zone), vec![codex]);
        let u = Usage::of(&entries);
        assert!(u.has_other_agents());
        assert_eq!(u.agents[&Agent::Codex].sums.cost, 2.0);
        assert_eq!(u.agents[&Agent::Claude].sums.entries, 1);
        assert_eq!(u.agents[&Agent::Codex].models.len(), 1);
        assert!(!Usage::of(&entries[..1]).has_other_agents());
    }
}
