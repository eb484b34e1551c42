//! What one response costs at one model's prices (spec §6), including the
//! higher tier some models charge past a prompt size.
//!
//! Only arithmetic lives here: finding the prices is `table`/`lookup`'s job,
//! choosing between a logged `costUSD` and a calculation is `Pricer`'s.

use crate::record::{Billing, Tokens};
use serde::{Deserialize, Serialize};

/// USD per token of each kind. A price the list does not give is 0.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rates {
    #[serde(default)]
    pub input: f64,
    #[serde(default)]
    pub output: f64,
    #[serde(default)]
    pub cache_write: f64,
    #[serde(default)]
    pub cache_read: f64,
}

/// Prices that apply past a prompt size.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Tier {
    /// The prompt size (input + cache writes + cache reads) past which the
    /// tier applies.
    pub above: u64,
    #[serde(flatten)]
    pub rates: Rates,
}

/// One model's prices.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ModelPrice {
    #[serde(flatten)]
    pub base: Rates,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<Tier>,
}

impl ModelPrice {
    pub fn flat(base: Rates) -> ModelPrice {
        ModelPrice { base, tier: None }
    }

    /// The cost of one response, in USD.
    ///
    /// The spec charges "the part above 200k" at the tier. How ccwatch reads
    /// that, token kind by token kind:
    /// - The threshold is on the request's prompt, input + cache writes +
    ///   cache reads: the same sum as the context occupancy (§4), and the
    ///   size Anthropic's long-context prices are conditioned on.
    /// - Only the prompt tokens past the threshold are charged at the tier.
    ///   A prompt is laid out as the cached prefix (cache reads), then the
    ///   newly cached part (cache writes), then the uncached rest (input),
    ///   so the part past the threshold is taken from input first, then
    ///   from cache writes, then from cache reads.
    /// - Output is generated after the whole prompt: when the prompt is past
    ///   the threshold, so is every output token, and all of it is charged
    ///   at the tier.
    ///
    /// For comparison, LiteLLM charges the whole request at the tier once the
    /// prompt passes the threshold, and ccusage compares each kind's own count
    /// with the threshold (so 150k cache reads + 100k cache writes are never
    /// tiered there). All three agree below the threshold.
    pub fn cost(&self, t: &Tokens, _billing: &Billing) -> f64 {
        let b = &self.base;
        let flat = |input: u64, write: u64, read: u64, r: &Rates| {
            input as f64 * r.input + write as f64 * r.cache_write + read as f64 * r.cache_read
        };
        let prompt = t.prompt();
        match &self.tier {
            Some(tier) if prompt > tier.above => {
                let mut over = prompt - tier.above;
                let mut take = |n: u64| {
                    let hi = n.min(over);
                    over -= hi;
                    hi
                };
                let input_hi = take(t.input);
                let write_hi = take(t.cache_creation);
                let read_hi = take(t.cache_read);
                flat(
                    t.input - input_hi,
                    t.cache_creation - write_hi,
                    t.cache_read - read_hi,
                    b,
                ) + flat(input_hi, write_hi, read_hi, &tier.rates)
                    + t.output as f64 * tier.rates.output
            }
            _ => flat(t.input, t.cache_creation, t.cache_read, b) + t.output as f64 * b.output,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sonnet4() -> ModelPrice {
        ModelPrice {
            base: Rates {
                input: 3e-6,
                output: 15e-6,
                cache_write: 3.75e-6,
                cache_read: 0.3e-6,
            },
            tier: Some(Tier {
                above: 200_000,
                rates: Rates {
                    input: 6e-6,
                    output: 22.5e-6,
                    cache_write: 7.5e-6,
                    cache_read: 0.6e-6,
                },
            }),
        }
    }

    fn t(input: u64, output: u64, cache_creation: u64, cache_read: u64) -> Tokens {
        Tokens {
            input,
            output,
            cache_creation,
            cache_read,
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn below_the_threshold_every_kind_has_its_base_price() {
        let c = sonnet4().cost(&t(1_000, 2_000, 3_000, 190_000), &Billing::default());
        let want = 1_000.0 * 3e-6 + 2_000.0 * 15e-6 + 3_000.0 * 3.75e-6 + 190_000.0 * 0.3e-6;
        assert!(close(c, want), "{c} vs {want}");
        // Exactly at the threshold is not above it.
        let c = sonnet4().cost(&t(0, 10, 0, 200_000), &Billing::default());
        assert!(close(c, 10.0 * 15e-6 + 200_000.0 * 0.3e-6));
    }

    #[test]
    fn the_part_of_the_prompt_past_the_threshold_is_tiered_from_the_tail() {
        // Prompt 250_010: 50_010 past 200k. Input (10) and cache writes
        // (5_000) are the tail, then 45_000 of the cache reads.
        let c = sonnet4().cost(&t(10, 1_000, 5_000, 245_000), &Billing::default());
        let want = 10.0 * 6e-6
            + 5_000.0 * 7.5e-6
            + 45_000.0 * 0.6e-6
            + 200_000.0 * 0.3e-6
            + 1_000.0 * 22.5e-6;
        assert!(close(c, want), "{c} vs {want}");
    }

    #[test]
    fn a_large_uncached_prompt_is_split_within_input() {
        let c = sonnet4().cost(&t(300_000, 0, 0, 0), &Billing::default());
        assert!(close(c, 100_000.0 * 6e-6 + 200_000.0 * 3e-6), "{c}");
    }

    #[test]
    fn models_without_a_tier_are_flat() {
        let flat = ModelPrice::flat(sonnet4().base);
        let c = flat.cost(&t(10, 1_000, 5_000, 245_000), &Billing::default());
        let want = 10.0 * 3e-6 + 1_000.0 * 15e-6 + 5_000.0 * 3.75e-6 + 245_000.0 * 0.3e-6;
        assert!(close(c, want));
    }
}
