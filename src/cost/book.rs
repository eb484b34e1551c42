//! What each session has cost so far, kept as running sums that the
//! ledger's changes of winner move: a batch is priced by what it holds,
//! not by walking the history again. Each record is priced by
//! `sum::charge`, as in every other view, so the sums equal a fresh
//! `sum::by_session` at any time (a test holds it to that).

use super::Pricer;
use super::sum::{self, Dollars, PriceCache};
use crate::ledger::Ledger;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

#[derive(Debug)]
pub struct SessionCosts {
    pricer: Pricer,
    prices: PriceCache,
    sums: HashMap<Arc<str>, Dollars>,
}

impl SessionCosts {
    /// Every session of the ledger priced once, and the ledger set to log
    /// its changes of winner for `update` from now on.
    pub fn start(ledger: &mut Ledger, mut pricer: Pricer) -> SessionCosts {
        ledger.log_winner_moves();
        ledger.take_winner_moves();
        let sums = sum::by_session(ledger, &mut pricer, |_| true);
        SessionCosts {
            pricer,
            prices: PriceCache::new(),
            sums,
        }
    }

    /// Take in the changes of winner since the last call; returns the
    /// sessions whose cost moved.
    pub fn update(&mut self, ledger: &mut Ledger) -> BTreeSet<Arc<str>> {
        let mut moved = BTreeSet::new();
        for m in ledger.take_winner_moves() {
            let r = ledger.record_of(&m);
            let cost = sum::charge(&mut self.pricer, &mut self.prices, &r);
            let total = self.sums.entry(r.session.clone()).or_default();
            if m.counts {
                *total += cost;
            } else {
                *total -= cost;
            }
            if !moved.contains(r.session) {
                moved.insert(r.session.clone());
            }
        }
        moved
    }

    /// A session's cost in USD (0 for a session without records).
    pub fn usd(&self, id: &str) -> f64 {
        self.sums.get(id).copied().unwrap_or_default().usd()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::{FileChange, FileUpdate};
    use crate::parse::Parsed;
    use crate::record::{DedupKey, Tokens, UsageRecord};
    use std::path::PathBuf;

    fn reply(session: &str, msg: &str, output: u64, logged: Option<f64>) -> Parsed {
        Parsed::Usage(UsageRecord {
            key: Some(DedupKey::new(msg, Some("req"))),
            timestamp: 1_000,
            session_id: session.into(),
            model: "claude-sonnet-4-5-20250929".into(),
            tokens: Tokens {
                input: 10,
                output,
                cache_creation: 2_000,
                cache_read: 30_000,
            },
            billing: Default::default(),
            sidechain: false,
            cost_usd: logged,
            cwd: None,
        })
    }

    fn update(path: &str, change: FileChange, facts: Vec<Parsed>) -> FileUpdate {
        FileUpdate {
            path: PathBuf::from(path),
            encoded_project: "-p".into(),
            change,
            facts: facts
                .into_iter()
                .enumerate()
                .map(|(i, f)| (i as u64 * 100, f))
                .collect(),
            size: 10,
        }
    }

    fn fresh(ledger: &Ledger) -> HashMap<Arc<str>, Dollars> {
        sum::by_session(ledger, &mut Pricer::default_prices(), |_| true)
    }

    fn agrees(costs: &SessionCosts, ledger: &Ledger) {
        let want = fresh(ledger);
        for (id, d) in &want {
            assert_eq!(costs.usd(id), d.usd(), "{id}");
        }
        for (id, d) in &costs.sums {
            assert_eq!(want.get(id).copied().unwrap_or_default(), *d, "{id}");
        }
    }

    #[test]
    fn running_sums_equal_a_fresh_pass_through_copies_replacements_and_withdrawals() {
        use FileChange::{Appended, Gone, Reset};
        let mut ledger = Ledger::new();
        ledger.apply(update(
            "/p/a.jsonl",
            Appended,
            vec![reply("a", "m1", 100, None)],
        ));
        let mut costs = SessionCosts::start(&mut ledger, Pricer::default_prices());
        agrees(&costs, &ledger);
        let steps = vec![
            // New replies, one with a logged cost.
            update(
                "/p/a.jsonl",
                Appended,
                vec![reply("a", "m2", 50, None), reply("a", "m3", 5, Some(0.25))],
            ),
            // A bigger streamed copy of m2 replaces it.
            update("/p/a.jsonl", Appended, vec![reply("a", "m2", 900, None)]),
            // Another file holds a copy of m1 (a resumed session) and a
            // new session's reply.
            update(
                "/p/b.jsonl",
                Appended,
                vec![reply("a", "m1", 100, None), reply("b", "m4", 7, None)],
            ),
            // The first file is rewritten shorter: m1 now wins from b.
            update("/p/a.jsonl", Reset, vec![reply("a", "m3", 5, Some(0.25))]),
            // b goes: session b is gone and m1 with it.
            update("/p/b.jsonl", Gone, vec![]),
        ];
        for step in steps {
            ledger.apply(step);
            let moved = costs.update(&mut ledger);
            assert!(!moved.is_empty());
            agrees(&costs, &ledger);
        }
        assert_eq!(costs.usd("a"), 0.25);
        assert_eq!(costs.usd("b"), 0.0);
        // Nothing new: nothing moves, and nothing was left in the log.
        assert!(costs.update(&mut ledger).is_empty());
    }
}
