//! What each session has used and cost so far, per model, kept as running
//! sums that the ledger's changes of winner move: a batch is priced by what
//! it holds, not by walking the history again. Each record is priced by
//! `sum::charge`, as in every other view, so the sums equal a fresh pass
//! over the records at any time (a test holds them to that). The dashboard
//! reads a session's cost from it, the exports its tokens and cost by model.

use super::Pricer;
use super::sum::{self, Dollars, PriceCache};
use crate::ledger::{Ledger, Record};
use crate::record::Tokens;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// One model's share of a session.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ModelUsage {
    /// How many records are summed: a model whose records all went
    /// elsewhere is no longer the session's.
    pub records: u64,
    pub tokens: Tokens,
    pub cost: Dollars,
}

/// A session's cost, and its tokens and cost by model.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SessionUsage {
    pub cost: Dollars,
    pub models: HashMap<Arc<str>, ModelUsage>,
}

impl SessionUsage {
    fn add(&mut self, r: &Record<'_>, cost: Dollars) {
        self.cost += cost;
        let m = self.models.entry(r.model.clone()).or_default();
        m.records += 1;
        m.tokens += r.tokens;
        m.cost += cost;
    }

    fn take_back(&mut self, r: &Record<'_>, cost: Dollars) {
        self.cost -= cost;
        if let Some(m) = self.models.get_mut(&**r.model) {
            m.records = m.records.saturating_sub(1);
            m.tokens -= r.tokens;
            m.cost -= cost;
            if m.records == 0 {
                self.models.remove(&**r.model);
            }
        }
    }
}

#[derive(Debug)]
pub struct UsageBook {
    pricer: Pricer,
    prices: PriceCache,
    sessions: HashMap<Arc<str>, SessionUsage>,
}

impl UsageBook {
    /// Every record of the ledger priced once, and the ledger set to log
    /// its changes of winner for `update` from now on.
    pub fn start(ledger: &mut Ledger, mut pricer: Pricer) -> UsageBook {
        ledger.log_winner_moves();
        ledger.take_winner_moves();
        let (_, models) = ledger.name_counts();
        let mut prices: PriceCache = vec![None; models];
        let mut sessions: HashMap<Arc<str>, SessionUsage> = HashMap::new();
        for r in ledger.records_iter() {
            let cost = sum::charge(&mut pricer, &mut prices, &r);
            match sessions.get_mut(&**r.session) {
                Some(s) => s.add(&r, cost),
                None => sessions.entry(r.session.clone()).or_default().add(&r, cost),
            }
        }
        UsageBook {
            pricer,
            prices,
            sessions,
        }
    }

    /// Take in the changes of winner since the last call; returns the
    /// sessions whose sums moved.
    pub fn update(&mut self, ledger: &mut Ledger) -> BTreeSet<Arc<str>> {
        let mut moved = BTreeSet::new();
        for m in ledger.take_winner_moves() {
            let r = ledger.record_of(&m);
            let cost = sum::charge(&mut self.pricer, &mut self.prices, &r);
            let s = self.sessions.entry(r.session.clone()).or_default();
            if m.counts {
                s.add(&r, cost);
            } else {
                s.take_back(&r, cost);
            }
            if !moved.contains(r.session) {
                moved.insert(r.session.clone());
            }
        }
        moved
    }

    /// A session's cost in USD (0 for a session without records).
    pub fn usd(&self, id: &str) -> f64 {
        self.sessions.get(id).map_or(0.0, |s| s.cost.usd())
    }

    /// Whether the book's price table knows `model` (else its records
    /// count as $0).
    pub fn has_price(&self, model: &str) -> bool {
        super::lookup::find(self.pricer.table(), model).is_some()
    }

    /// A session's sums (`None` for a session without records).
    pub fn session(&self, id: &str) -> Option<&SessionUsage> {
        self.sessions.get(id)
    }

    /// Every session's sums.
    pub fn sessions(&self) -> impl Iterator<Item = (&Arc<str>, &SessionUsage)> {
        self.sessions.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::{FileChange, FileUpdate, test_facts};
    use crate::parse::Parsed;

    fn reply(session: &str, msg: &str, output: u64, logged: Option<f64>) -> Parsed {
        test_facts::reply(session, msg, 1_000, [10, output, 2_000, 30_000], logged)
    }

    fn update(path: &str, change: FileChange, facts: Vec<Parsed>) -> FileUpdate {
        test_facts::batch(path, change, facts)
    }

    fn fresh(ledger: &Ledger) -> HashMap<Arc<str>, Dollars> {
        sum::by_session(ledger, &mut Pricer::default_prices(), |_| true)
    }

    fn agrees(costs: &UsageBook, ledger: &Ledger) {
        let want = fresh(ledger);
        for (id, d) in &want {
            assert_eq!(costs.usd(id), d.usd(), "{id}");
        }
        for (id, s) in &costs.sessions {
            assert_eq!(want.get(id).copied().unwrap_or_default(), s.cost, "{id}");
        }
        // By model: tokens and cost as a fresh pass over the records.
        let mut by_model: HashMap<(Arc<str>, Arc<str>), ModelUsage> = HashMap::new();
        let mut pricer = Pricer::default_prices();
        let mut prices: PriceCache = vec![None; ledger.name_counts().1];
        for r in ledger.records_iter() {
            let m = by_model
                .entry((r.session.clone(), r.model.clone()))
                .or_default();
            m.records += 1;
            m.tokens += r.tokens;
            m.cost += sum::charge(&mut pricer, &mut prices, &r);
        }
        for ((id, model), want) in &by_model {
            let got = costs.session(id).and_then(|s| s.models.get(model));
            assert_eq!(got, Some(want), "{id} {model}");
        }
        for (id, s) in &costs.sessions {
            for (model, got) in &s.models {
                let want = by_model
                    .get(&(id.clone(), model.clone()))
                    .copied()
                    .unwrap_or_default();
                assert_eq!(*got, want, "{id} {model}");
            }
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
        let mut costs = UsageBook::start(&mut ledger, Pricer::default_prices());
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
