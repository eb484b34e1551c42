//! Cost in USD (spec §6): the price table, finding a model's prices, the
//! arithmetic of one response, and the mode that decides between a logged
//! `costUSD` and a calculation.
//!
//! Everything that needs a dollar figure (reports, `status --json`, the
//! status line) goes through one `Pricer`, so they always agree.

pub mod book;
pub mod charge;
pub mod lookup;
pub mod model_name;
pub mod sum;
pub mod table;
pub mod unlogged;

pub use charge::{ModelPrice, Rates, Tier};
pub use sum::Dollars;
pub use table::PriceTable;

use crate::record::{Billing, Tokens};
use serde::Serialize;
use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

/// Where a record's cost comes from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum CostMode {
    /// The record's `costUSD` when the log has one, else calculated.
    #[default]
    Auto,
    /// Always calculated from the tokens and the price table.
    Calculate,
    /// Only the logged `costUSD`; records without one cost 0.
    Display,
}

/// Tokens that got no price: their model is not in the table (or, in the
/// `display` mode, the log gave no `costUSD`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Unpriced {
    pub tokens: u64,
    pub records: u64,
    pub models: BTreeSet<String>,
}

impl Unpriced {
    pub fn add(&mut self, model: &str, tokens: &Tokens) {
        self.tokens += tokens.total();
        self.records += 1;
        if !self.models.contains(model) {
            self.models.insert(model.to_owned());
        }
    }

    /// "12.3k tokens of claude-x had no price (counted as $0)." or nothing.
    pub fn sentence(&self) -> Option<String> {
        if self.records == 0 {
            return None;
        }
        let models: Vec<&str> = self.models.iter().map(String::as_str).collect();
        Some(format!(
            "{} tokens ({}) had no price and count as $0: {}.",
            crate::format::tokens(self.tokens),
            crate::format::count(self.records, "response", "responses"),
            models.join(", ")
        ))
    }
}

/// Prices records under one table and mode, remembering each model's
/// lookup.
#[derive(Debug)]
pub struct Pricer {
    /// The built-in table is borrowed, not copied: copying its 1,500
    /// models cost every command start time.
    table: Cow<'static, PriceTable>,
    mode: CostMode,
    found: HashMap<String, Option<ModelPrice>>,
}

impl Pricer {
    pub fn new(table: PriceTable, mode: CostMode) -> Pricer {
        Pricer {
            table: Cow::Owned(table),
            mode,
            found: HashMap::new(),
        }
    }

    /// The built-in prices in `mode`.
    pub fn builtin(mode: CostMode) -> Pricer {
        Pricer {
            table: Cow::Borrowed(PriceTable::embedded()),
            mode,
            found: HashMap::new(),
        }
    }

    /// The built-in prices in the `auto` mode.
    pub fn default_prices() -> Pricer {
        Pricer::builtin(CostMode::Auto)
    }

    /// The built-in prices, overlaid with a `--pricing` file when given.
    pub fn load(file: Option<&Path>, mode: CostMode) -> Result<Pricer, String> {
        let builtin = PriceTable::embedded();
        let table = match file {
            None => return Ok(Pricer::builtin(mode)),
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                let file =
                    PriceTable::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
                builtin.overlaid_with(file, &path.display().to_string())
            }
        };
        Ok(Pricer::new(table, mode))
    }

    pub fn mode(&self) -> CostMode {
        self.mode
    }

    pub fn table(&self) -> &PriceTable {
        &self.table
    }

    /// The model's prices, if the table has them.
    pub fn price_of(&mut self, model: &str) -> Option<ModelPrice> {
        if let Some(p) = self.found.get(model) {
            return *p;
        }
        let p = lookup::find(&self.table, model).copied();
        self.found.insert(model.to_owned(), p);
        p
    }

    /// One record's cost; `None` when it has no price (it then counts as 0).
    pub fn cost(
        &mut self,
        model: &str,
        tokens: &Tokens,
        billing: &Billing,
        logged: Option<f64>,
    ) -> Option<f64> {
        let needs_price = match self.mode {
            CostMode::Display => false,
            CostMode::Auto => trusted(logged).is_none(),
            CostMode::Calculate => true,
        };
        let price = if needs_price {
            self.price_of(model)
        } else {
            None
        };
        self.charge(price, tokens, billing, logged)
    }

    /// One record's cost when its model's prices are already known: the
    /// mode's choice between the logged cost and a calculation.
    pub fn charge(
        &self,
        price: Option<ModelPrice>,
        tokens: &Tokens,
        billing: &Billing,
        logged: Option<f64>,
    ) -> Option<f64> {
        let logged = trusted(logged);
        match self.mode {
            CostMode::Display => logged,
            CostMode::Auto if logged.is_some() => logged,
            CostMode::Auto | CostMode::Calculate => price.map(|p| p.cost(tokens, billing)),
        }
    }
}

/// A logged `costUSD` worth using: a finite, non-negative number.
fn trusted(logged: Option<f64>) -> Option<f64> {
    logged.filter(|c| c.is_finite() && *c >= 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks() -> Tokens {
        Tokens {
            input: 1_000,
            output: 1_000,
            cache_creation: 0,
            cache_read: 0,
        }
    }

    #[test]
    fn modes_choose_between_logged_and_calculated_cost() {
        let sonnet = "claude-sonnet-4-5-20250929";
        let calc = 1_000.0 * 3e-6 + 1_000.0 * 15e-6;
        let mut auto = Pricer::default_prices();
        assert_eq!(
            auto.cost(sonnet, &toks(), &Billing::default(), Some(0.5)),
            Some(0.5)
        );
        assert!(
            (auto
                .cost(sonnet, &toks(), &Billing::default(), None)
                .unwrap()
                - calc)
                .abs()
                < 1e-12
        );
        let mut calculate = Pricer::new(PriceTable::embedded().clone(), CostMode::Calculate);
        assert!(
            (calculate
                .cost(sonnet, &toks(), &Billing::default(), Some(0.5))
                .unwrap()
                - calc)
                .abs()
                < 1e-12
        );
        let mut display = Pricer::new(PriceTable::embedded().clone(), CostMode::Display);
        assert_eq!(
            display.cost(sonnet, &toks(), &Billing::default(), Some(0.5)),
            Some(0.5)
        );
        assert_eq!(
            display.cost(sonnet, &toks(), &Billing::default(), None),
            None
        );
    }

    #[test]
    fn unknown_models_have_no_price_and_are_counted() {
        let mut p = Pricer::default_prices();
        assert_eq!(
            p.cost("my-local-model", &toks(), &Billing::default(), None),
            None
        );
        let mut u = Unpriced::default();
        u.add("my-local-model", &toks());
        u.add("my-local-model", &toks());
        assert_eq!((u.tokens, u.records, u.models.len()), (4_000, 2, 1));
        let s = u.sentence().unwrap();
        assert!(
            s.contains("4k tokens") && s.contains("my-local-model"),
            "{s}"
        );
        assert!(Unpriced::default().sentence().is_none());
    }

    #[test]
    fn embedded_prices_per_model_and_tier() {
        let mut p = Pricer::new(PriceTable::embedded().clone(), CostMode::Calculate);
        let t = Tokens {
            input: 100,
            output: 200,
            cache_creation: 300,
            cache_read: 400,
        };
        let haiku = p
            .cost("claude-haiku-4-5-20251001", &t, &Billing::default(), None)
            .unwrap();
        let want = 100.0 * 1e-6 + 200.0 * 5e-6 + 300.0 * 1.25e-6 + 400.0 * 0.1e-6;
        assert!((haiku - want).abs() < 1e-15, "{haiku} vs {want}");
        // claude-sonnet-4 has a 200k tier in the table: a record crossing it.
        let big = Tokens {
            input: 5,
            output: 2_000,
            cache_creation: 10_000,
            cache_read: 240_000,
        };
        let c = p
            .cost("claude-sonnet-4-20250514", &big, &Billing::default(), None)
            .unwrap();
        // 50_005 past 200k: all 5 input, all 10_000 writes, 40_000 reads.
        let want = 5.0 * 6e-6
            + 10_000.0 * 7.5e-6
            + 40_000.0 * 0.6e-6
            + 200_000.0 * 0.3e-6
            + 2_000.0 * 22.5e-6;
        assert!((c - want).abs() < 1e-12, "{c} vs {want}");
    }

    #[test]
    fn a_negative_or_nan_logged_cost_is_not_trusted() {
        let mut p = Pricer::default_prices();
        let c = p.cost(
            "claude-sonnet-4-5-20250929",
            &toks(),
            &Billing::default(),
            Some(f64::NAN),
        );
        assert!(c.unwrap() > 0.0);
    }

    #[test]
    fn a_dotted_name_gets_the_vendors_prices_and_fast_multiplier() {
        // LiteLLM also lists a reseller's `claude-opus-4.8` without fast
        // mode; the built-in table leaves it out so the dotted name is
        // priced as Anthropic's claude-opus-4-8.
        let mut p = Pricer::default_prices();
        let dotted = p.price_of("claude-opus-4.8").unwrap();
        assert_eq!(Some(dotted), p.price_of("claude-opus-4-8"));
        assert_eq!(dotted.fast, Some(2.0));
        let fast = Billing {
            fast: true,
            ..Billing::default()
        };
        let c = p.cost("claude-opus-4.8", &toks(), &fast, None).unwrap();
        // (1_000 × $5 + 1_000 × $25 per million) × 2.
        assert!((c - 0.06).abs() < 1e-12, "{c}");
    }
}
