//! Adding up dollars so that the order of the records does not matter.
//!
//! The ledger hands records out in hash order, and a sum of `f64`s depends
//! on the order it is added in: two runs on the same data could print
//! different last digits. Whole picodollars are integers, and integer sums
//! do not depend on the order.

use super::{ModelPrice, Pricer};
use crate::ledger::{Ledger, Record};
use std::collections::HashMap;
use std::ops::AddAssign;
use std::sync::Arc;

const PICO_PER_USD: f64 = 1e12;

/// An amount of USD, held in whole picodollars.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Dollars(i128);

impl Dollars {
    pub fn from_usd(usd: f64) -> Dollars {
        Dollars((usd * PICO_PER_USD).round() as i128)
    }

    pub fn usd(self) -> f64 {
        self.0 as f64 / PICO_PER_USD
    }
}

impl std::ops::SubAssign for Dollars {
    fn sub_assign(&mut self, other: Dollars) {
        self.0 -= other.0;
    }
}

impl AddAssign for Dollars {
    fn add_assign(&mut self, other: Dollars) {
        self.0 += other.0;
    }
}

/// Model prices looked up once per model index of the ledger.
pub type PriceCache = Vec<Option<Option<ModelPrice>>>;

/// What one record costs, the way every view prices it (`status`,
/// `session`, the status line, the dashboard, `/metrics`): the mode's
/// choice between the logged cost and the table, in whole picodollars.
pub fn charge(pricer: &mut Pricer, prices: &mut PriceCache, r: &Record<'_>) -> Dollars {
    let ix = r.model_ix.index();
    if prices.len() <= ix {
        prices.resize(ix + 1, None);
    }
    let price = match prices[ix] {
        Some(p) => p,
        None => *prices[ix].insert(pricer.price_of(r.model)),
    };
    let cost = pricer
        .charge(price, &r.tokens, &r.billing, r.cost_usd)
        .unwrap_or(0.0);
    Dollars::from_usd(cost)
}

/// A session's running sum, or `None` when the session is not wanted (the
/// slot itself is `None` until the session's first record).
type SessionSum = Option<(Arc<str>, Dollars)>;

/// What each session's records cost (subagents included), for the sessions
/// `wanted` accepts; one pass over the ledger.
///
/// `status` runs this over every record, so it hashes no strings per
/// record: sessions are summed in an array by the ledger's name index, and
/// each model is priced once.
/// What of the ledger's records got no price and count as $0 (spec §6:
/// "say so").
pub fn unpriced(ledger: &Ledger, pricer: &mut Pricer) -> super::Unpriced {
    let mut u = super::Unpriced::default();
    let by_table = pricer.mode() != super::CostMode::Display;
    for c in ledger.records_iter() {
        // A model the table prices prices every record of it: only the
        // others need a look at the record (a logged `costUSD` prices it).
        if by_table && pricer.price_of(c.model).is_some() {
            continue;
        }
        if pricer
            .cost(c.model, &c.tokens, &c.billing, c.cost_usd)
            .is_none()
        {
            u.add(c.model, &c.tokens);
        }
    }
    u
}

pub fn by_session(
    ledger: &Ledger,
    pricer: &mut Pricer,
    wanted: impl Fn(&str) -> bool,
) -> HashMap<Arc<str>, Dollars> {
    let (sessions, models) = ledger.name_counts();
    let mut sums: Vec<Option<SessionSum>> = vec![None; sessions];
    let mut prices: PriceCache = vec![None; models];
    for c in ledger.records_iter() {
        let Some(slot) = sums.get_mut(c.session_ix.index()) else {
            continue;
        };
        let Some((_, sum)) = slot.get_or_insert_with(|| {
            wanted(c.session).then(|| (c.session.clone(), Dollars::default()))
        }) else {
            continue;
        };
        *sum += charge(pricer, &mut prices, &c);
    }
    sums.into_iter().flatten().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_do_not_depend_on_the_order() {
        let amounts = [0.1, 0.2, 0.3, 1e-7, 12.345678, 0.000003];
        let forward = amounts.iter().fold(Dollars::default(), |mut s, a| {
            s += Dollars::from_usd(*a);
            s
        });
        let backward = amounts.iter().rev().fold(Dollars::default(), |mut s, a| {
            s += Dollars::from_usd(*a);
            s
        });
        assert_eq!(forward, backward);
        assert!((forward.usd() - 12.9456811).abs() < 1e-12);
    }

    #[test]
    fn a_picodollar_survives_and_zero_is_zero() {
        assert_eq!(Dollars::from_usd(1e-12).usd(), 1e-12);
        assert_eq!(Dollars::default().usd(), 0.0);
    }
}
