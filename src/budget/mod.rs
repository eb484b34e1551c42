//! Cost budgets: what was spent today and this week against the optional
//! daily and weekly USD budgets of the config (`[budget] daily = 20`).
//!
//! Spend is priced the way `status` prices sessions (the default mode with
//! the built-in prices, subagents included) and counted in the system's time
//! zone; weeks begin on Sunday, as `ccwatch weekly` counts them by default.

use crate::cost::{Dollars, Pricer};
use crate::ledger::Ledger;
use crate::record::{Millis, format_timestamp};
use crate::report::Zone;
use crate::report::period::Period;
use serde::Serialize;

/// Alert levels of a budget when the config names none, in percent.
pub const DEFAULT_LEVELS: [u8; 2] = [80, 100];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BudgetPeriod {
    Daily,
    Weekly,
}

impl BudgetPeriod {
    pub fn name(self) -> &'static str {
        match self {
            BudgetPeriod::Daily => "daily",
            BudgetPeriod::Weekly => "weekly",
        }
    }

    /// The short label of the footer gauge.
    pub fn short(self) -> &'static str {
        match self {
            BudgetPeriod::Daily => "day",
            BudgetPeriod::Weekly => "week",
        }
    }

    fn calendar(self) -> Period {
        match self {
            BudgetPeriod::Daily => Period::Day,
            BudgetPeriod::Weekly => Period::Week(chrono::Weekday::Sun),
        }
    }
}

/// The budgets the user set, in USD, and where they alert.
#[derive(Debug, Clone, PartialEq)]
pub struct Budgets {
    pub daily: Option<f64>,
    pub weekly: Option<f64>,
    /// Alert levels in percent of a budget, ascending.
    pub levels: Vec<u8>,
}

impl Default for Budgets {
    fn default() -> Budgets {
        Budgets {
            daily: None,
            weekly: None,
            levels: DEFAULT_LEVELS.to_vec(),
        }
    }
}

impl Budgets {
    pub fn is_empty(&self) -> bool {
        self.daily.is_none() && self.weekly.is_none()
    }

    fn each(&self) -> impl Iterator<Item = (BudgetPeriod, f64)> {
        [
            (BudgetPeriod::Daily, self.daily),
            (BudgetPeriod::Weekly, self.weekly),
        ]
        .into_iter()
        .filter_map(|(p, b)| b.map(|b| (p, b)))
    }
}

/// One budget's period so far.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Spend {
    pub period: BudgetPeriod,
    #[serde(rename = "spentUSD")]
    pub spent_usd: f64,
    #[serde(rename = "budgetUSD")]
    pub budget_usd: f64,
    /// spent / budget (above 1.0 when over).
    pub ratio: f64,
    /// When the period began and when the next one begins (UTC, ISO 8601).
    pub since: String,
    pub resets: String,
    #[serde(skip)]
    pub starts_at: Millis,
    #[serde(skip)]
    pub resets_at: Millis,
}

/// The start of the period `now` falls in, and of the next one.
fn bounds(period: BudgetPeriod, now: Millis, zone: &Zone) -> (Millis, Millis) {
    let calendar = period.calendar();
    let first = calendar.start(zone.date(now));
    let days = match period {
        BudgetPeriod::Daily => 1,
        BudgetPeriod::Weekly => 7,
    };
    let next = first + chrono::Duration::days(days);
    (zone.start_of(first), zone.start_of(next))
}

/// What each configured budget's current period has spent so far; empty
/// without budgets (and then the records are not even looked at).
pub fn spend(ledger: &Ledger, budgets: &Budgets, now: Millis, zone: &Zone) -> Vec<Spend> {
    let periods: Vec<(BudgetPeriod, f64, Millis, Millis)> = budgets
        .each()
        .map(|(p, b)| {
            let (from, to) = bounds(p, now, zone);
            (p, b, from, to)
        })
        .collect();
    let Some(earliest) = periods.iter().map(|p| p.2).min() else {
        return Vec::new();
    };
    let mut pricer = Pricer::default_prices();
    let mut sums = vec![Dollars::default(); periods.len()];
    for r in ledger.records_iter().filter(|r| r.timestamp >= earliest) {
        let cost = pricer
            .cost(r.model, &r.tokens, &r.billing, r.cost_usd)
            .unwrap_or(0.0);
        for (sum, (_, _, from, to)) in sums.iter_mut().zip(&periods) {
            if (*from..*to).contains(&r.timestamp) {
                *sum += Dollars::from_usd(cost);
            }
        }
    }
    periods
        .into_iter()
        .zip(sums)
        .map(|((period, budget, from, to), sum)| Spend {
            period,
            spent_usd: sum.usd(),
            budget_usd: budget,
            ratio: sum.usd() / budget,
            since: format_timestamp(from),
            resets: format_timestamp(to),
            starts_at: from,
            resets_at: to,
        })
        .collect()
}

#[cfg(test)]
mod tests;
