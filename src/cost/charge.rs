//! What one response costs at one model's prices (spec §6), including the
//! higher tier some models charge past a prompt size.
//!
//! Only arithmetic lives here: finding the prices is `table`/`lookup`'s job,
//! choosing between a logged `costUSD` and a calculation is `Pricer`'s.

use crate::record::{Billing, Tokens};
use serde::{Deserialize, Serialize};

/// USD per token of each kind. A price the list does not give is 0, except
/// cache writes: see [`five_minute_write`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rates {
    #[serde(default)]
    pub input: f64,
    #[serde(default)]
    pub output: f64,
    /// A cache write that lives 5 minutes (and one whose life the log
    /// does not say). Price files may leave it out: [`five_minute_write`].
    #[serde(default)]
    pub cache_write: f64,
    /// A cache write that lives 1 hour, when the price list gives it; see
    /// [`Rates::write_1h`] for when it does not.
    #[serde(
        default,
        rename = "cacheWrite1h",
        skip_serializing_if = "Option::is_none"
    )]
    pub cache_write_1h: Option<f64>,
    #[serde(default)]
    pub cache_read: f64,
}

/// The price of a 5-minute cache write: the listed one (0 included: some
/// providers do not charge for writes), else 1.25× the input price.
///
/// Why a rule and not 0: Claude Code talks the Anthropic API to every model
/// it is routed to, and a provider that reports `cache_creation_input_tokens`
/// bills them. Anthropic charges 1.25× input for a 5-minute write (spec §6),
/// and so do the providers whose write price LiteLLM does list (MiniMax's
/// M2.5 at $0.375 against $0.30 input). LiteLLM leaves the price out for
/// others of the same family (MiniMax-M2.7, M3) and for models that never
/// report writes (OpenAI's); charging those writes nothing made a routed
/// session's cost low wherever it wrote its cache.
pub fn five_minute_write(listed: Option<f64>, input: f64) -> f64 {
    listed.unwrap_or(1.25 * input)
}

impl Rates {
    /// The price of a 1-hour cache write: the listed one, else twice the
    /// input price (what Anthropic charges, spec §6) for a model that
    /// prices cache writes at all, else the 5-minute price (0).
    pub fn write_1h(&self) -> f64 {
        match self.cache_write_1h {
            Some(p) => p,
            None if self.cache_write > 0.0 => 2.0 * self.input,
            None => self.cache_write,
        }
    }
}

/// Prices that apply past a prompt size.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(from = "TierFields")]
pub struct Tier {
    /// The prompt size (input + cache writes + cache reads) past which the
    /// tier applies.
    pub above: u64,
    #[serde(flatten)]
    pub rates: Rates,
}

/// One model's prices.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", from = "PriceFields")]
pub struct ModelPrice {
    #[serde(flatten)]
    pub base: Rates,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<Tier>,
    /// Fast mode (`usage.speed: "fast"`) multiplies every token price by
    /// this. A model the list gives no multiplier has no fast mode: its
    /// fast responses are charged at the standard prices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fast: Option<f64>,
    /// USD per web search request (`server_tool_use.web_search_requests`).
    #[serde(default)]
    pub web_search: f64,
}

/// A model's prices as the price file writes them: flat, so that reading
/// the built-in table's 1,500 models does not go through serde's buffering
/// of `flatten` (which made every command start ~6 ms slower).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PriceFields {
    #[serde(default)]
    input: f64,
    #[serde(default)]
    output: f64,
    #[serde(default)]
    cache_write: Option<f64>,
    #[serde(default, rename = "cacheWrite1h")]
    cache_write_1h: Option<f64>,
    #[serde(default)]
    cache_read: f64,
    #[serde(default)]
    tier: Option<Tier>,
    #[serde(default)]
    fast: Option<f64>,
    #[serde(default)]
    web_search: f64,
}

impl From<PriceFields> for ModelPrice {
    fn from(f: PriceFields) -> ModelPrice {
        ModelPrice {
            base: Rates {
                input: f.input,
                output: f.output,
                cache_write: five_minute_write(f.cache_write, f.input),
                cache_write_1h: f.cache_write_1h,
                cache_read: f.cache_read,
            },
            tier: f.tier,
            fast: f.fast,
            web_search: f.web_search,
        }
    }
}

/// A tier as the price file writes it, flat.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TierFields {
    above: u64,
    #[serde(default)]
    input: f64,
    #[serde(default)]
    output: f64,
    #[serde(default)]
    cache_write: Option<f64>,
    #[serde(default, rename = "cacheWrite1h")]
    cache_write_1h: Option<f64>,
    #[serde(default)]
    cache_read: f64,
}

impl From<TierFields> for Tier {
    fn from(f: TierFields) -> Tier {
        Tier {
            above: f.above,
            rates: Rates {
                input: f.input,
                output: f.output,
                cache_write: five_minute_write(f.cache_write, f.input),
                cache_write_1h: f.cache_write_1h,
                cache_read: f.cache_read,
            },
        }
    }
}

/// How many tokens of each kind one request was charged for at one set of
/// rates.
#[derive(Debug, Clone, Copy, Default)]
struct Part {
    input: u64,
    write_5m: u64,
    write_1h: u64,
    read: u64,
}

impl Part {
    fn at(&self, r: &Rates) -> f64 {
        self.input as f64 * r.input
            + self.write_5m as f64 * r.cache_write
            + self.write_1h as f64 * r.write_1h()
            + self.read as f64 * r.cache_read
    }
}

impl ModelPrice {
    pub fn flat(base: Rates) -> ModelPrice {
        ModelPrice {
            base,
            tier: None,
            fast: None,
            web_search: 0.0,
        }
    }

    /// The cost of one response, in USD.
    ///
    /// Cache writes are split by their life: `billing.cache_write_1h` of
    /// them at the 1-hour price, the rest, including any part the log's
    /// split does not explain, at the 5-minute price. Fast mode multiplies
    /// the token cost by the model's `fast`; web searches are added per
    /// request, at the same price in either mode.
    ///
    /// The spec charges "the part above 200k" at the tier. How ccwatch reads
    /// that, token kind by token kind:
    /// - The threshold is on the request's prompt, input + cache writes +
    ///   cache reads: the same sum as the context occupancy (§4), and the
    ///   size Anthropic's long-context prices are conditioned on.
    /// - Only the prompt tokens past the threshold are charged at the tier.
    ///   A prompt is laid out as the cached prefix (cache reads), then the
    ///   newly cached part (1-hour writes, which the API requires before
    ///   5-minute ones, then 5-minute writes), then the uncached rest
    ///   (input), so the part past the threshold is taken from input first,
    ///   then 5-minute writes, then 1-hour writes, then cache reads.
    /// - Output is generated after the whole prompt: when the prompt is past
    ///   the threshold, so is every output token, and all of it is charged
    ///   at the tier.
    ///
    /// For comparison, LiteLLM charges the whole request at the tier once the
    /// prompt passes the threshold, and ccusage compares each kind's own count
    /// with the threshold (so 150k cache reads + 100k cache writes are never
    /// tiered there). All three agree below the threshold.
    pub fn cost(&self, t: &Tokens, billing: &Billing) -> f64 {
        let write_1h = billing.cache_write_1h.min(t.cache_creation);
        let all = Part {
            input: t.input,
            write_5m: t.cache_creation - write_1h,
            write_1h,
            read: t.cache_read,
        };
        let prompt = t.prompt();
        let tokens = match &self.tier {
            Some(tier) if prompt > tier.above => {
                let mut over = prompt - tier.above;
                let mut take = |n: u64| {
                    let hi = n.min(over);
                    over -= hi;
                    hi
                };
                let hi = Part {
                    input: take(all.input),
                    write_5m: take(all.write_5m),
                    write_1h: take(all.write_1h),
                    read: take(all.read),
                };
                let lo = Part {
                    input: all.input - hi.input,
                    write_5m: all.write_5m - hi.write_5m,
                    write_1h: all.write_1h - hi.write_1h,
                    read: all.read - hi.read,
                };
                lo.at(&self.base) + hi.at(&tier.rates) + t.output as f64 * tier.rates.output
            }
            _ => all.at(&self.base) + t.output as f64 * self.base.output,
        };
        let speed = match self.fast {
            Some(m) if billing.fast => m,
            _ => 1.0,
        };
        tokens * speed + billing.web_searches as f64 * self.web_search
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sonnet4() -> ModelPrice {
        ModelPrice {
            tier: Some(Tier {
                above: 200_000,
                rates: Rates {
                    input: 6e-6,
                    output: 22.5e-6,
                    cache_write: 7.5e-6,
                    cache_write_1h: None,
                    cache_read: 0.6e-6,
                },
            }),
            ..ModelPrice::flat(Rates {
                input: 3e-6,
                output: 15e-6,
                cache_write: 3.75e-6,
                cache_write_1h: None,
                cache_read: 0.3e-6,
            })
        }
    }

    /// Opus 4.8 as the built-in table lists it.
    fn opus48() -> ModelPrice {
        ModelPrice {
            fast: Some(2.0),
            web_search: 0.01,
            ..ModelPrice::flat(Rates {
                input: 5e-6,
                output: 25e-6,
                cache_write: 6.25e-6,
                cache_write_1h: Some(10e-6),
                cache_read: 0.5e-6,
            })
        }
    }

    fn bill(cache_write_1h: u64, web_searches: u64, fast: bool) -> Billing {
        Billing {
            cache_write_1h,
            web_searches,
            fast,
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

    #[test]
    fn one_hour_cache_writes_have_their_own_price() {
        // 10 input, 100 output, 3_000 writes of which 2_000 live an hour,
        // 20_000 reads: 10×$5 + 100×$25 + 1_000×$6.25 + 2_000×$10 +
        // 20_000×$0.50 per million = $0.0388.
        let c = opus48().cost(&t(10, 100, 3_000, 20_000), &bill(2_000, 0, false));
        assert!(close(c, 0.0388), "{c}");
        // Without the split, every write is a 5-minute one: 3_000 × $6.25
        // per million instead, $0.0313.
        let c = opus48().cost(&t(10, 100, 3_000, 20_000), &Billing::default());
        assert!(close(c, 0.0313), "{c}");
    }

    #[test]
    fn a_one_hour_price_the_list_lacks_is_twice_the_input_price() {
        // Sonnet 4 here lists no 1-hour price: 2 × $3 = $6 per million.
        let c = sonnet4().cost(&t(0, 0, 1_000, 0), &bill(1_000, 0, false));
        assert!(close(c, 1_000.0 * 6e-6), "{c}");
        // A model that prices no cache writes charges none, of either life.
        let free = ModelPrice::flat(Rates {
            input: 1e-6,
            output: 2e-6,
            ..Default::default()
        });
        assert_eq!(free.cost(&t(0, 0, 1_000, 0), &bill(1_000, 0, false)), 0.0);
    }

    #[test]
    fn writes_the_split_does_not_explain_are_five_minute_writes() {
        // 5_000 writes, the split says 1_000 for 5 minutes and 2_000 for
        // an hour: the 2_000 it does not explain join the 5-minute ones.
        // 3_000 × $6.25 + 2_000 × $10 per million = $0.03875.
        let c = opus48().cost(&t(0, 0, 5_000, 0), &bill(2_000, 0, false));
        assert!(close(c, 0.03875), "{c}");
        // A 1-hour count larger than the writes is capped at the writes.
        let c = opus48().cost(&t(0, 0, 5_000, 0), &bill(9_000, 0, false));
        assert!(close(c, 0.05), "{c}");
    }

    #[test]
    fn fast_mode_multiplies_the_token_prices_and_not_the_searches() {
        // 1_000 in, 1_000 out: $0.005 + $0.025 = $0.03 standard.
        let standard = opus48().cost(&t(1_000, 1_000, 0, 0), &Billing::default());
        assert!(close(standard, 0.03), "{standard}");
        let fast = opus48().cost(&t(1_000, 1_000, 0, 0), &bill(0, 0, true));
        assert!(close(fast, 0.06), "{fast}");
        // Three searches at $10 per 1,000 are $0.03 in either mode.
        let searched = opus48().cost(&t(1_000, 1_000, 0, 0), &bill(0, 3, true));
        assert!(close(searched, 0.09), "{searched}");
        // A model without a fast multiplier is charged standard prices.
        let c = sonnet4().cost(&t(1_000, 1_000, 0, 0), &bill(0, 0, true));
        assert!(close(c, 1_000.0 * 3e-6 + 1_000.0 * 15e-6), "{c}");
    }

    #[test]
    fn web_searches_are_charged_per_request() {
        let c = opus48().cost(&t(0, 0, 0, 0), &bill(0, 7, false));
        assert!(close(c, 0.07), "{c}");
        // No search price listed: searches cost nothing.
        assert_eq!(sonnet4().cost(&t(0, 0, 0, 0), &bill(0, 7, false)), 0.0);
    }

    #[test]
    fn one_hour_writes_past_the_threshold_have_the_tiers_one_hour_price() {
        // Prompt 10 + 5_000 + 245_000 = 250_010, 50_010 past 200k: the 10
        // input, the 2_000 5-minute writes, the 3_000 1-hour writes and
        // 45_000 reads are tiered; 1-hour at 2 × the tier's $6 = $12.
        let c = sonnet4().cost(&t(10, 1_000, 5_000, 245_000), &bill(3_000, 0, false));
        let want = 10.0 * 6e-6
            + 2_000.0 * 7.5e-6
            + 3_000.0 * 12e-6
            + 45_000.0 * 0.6e-6
            + 200_000.0 * 0.3e-6
            + 1_000.0 * 22.5e-6;
        assert!(close(c, want) && close(c, 0.16056), "{c} vs {want}");
        // 3_010 past it: input, 5-minute writes, then 1_000 of the 1-hour
        // writes are tiered; the other 2_000 1-hour writes are at 2 × $3.
        let c = sonnet4().cost(&t(10, 0, 5_000, 198_000), &bill(3_000, 0, false));
        let want =
            10.0 * 6e-6 + 2_000.0 * 7.5e-6 + 1_000.0 * 12e-6 + 2_000.0 * 6e-6 + 198_000.0 * 0.3e-6;
        assert!(close(c, want) && close(c, 0.09846), "{c} vs {want}");
    }

    #[test]
    fn fast_mode_multiplies_tiered_prices_too() {
        let fast_tiered = ModelPrice {
            fast: Some(6.0),
            ..sonnet4()
        };
        let plain = sonnet4().cost(&t(300_000, 10, 0, 0), &Billing::default());
        let fast = fast_tiered.cost(&t(300_000, 10, 0, 0), &bill(0, 0, true));
        assert!(close(fast, 6.0 * plain), "{fast} vs {plain}");
    }
}
