//! The price table: the one built into the binary (`data/prices.json`,
//! generated from LiteLLM's list and `data/price-overlay.json` by
//! `scripts/update-prices.py`) and the files `--pricing FILE` reads, in
//! ccwatch's format or LiteLLM's own.

use super::charge::{ModelPrice, Rates, Tier, five_minute_write};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::LazyLock;

/// The price table compiled into the binary.
pub const EMBEDDED: &str = include_str!("../../data/prices.json");

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PriceTable {
    pub models: HashMap<String, ModelPrice>,
    /// Where the prices came from, in words.
    pub source: String,
}

/// ccwatch's own format: see `scripts/update-prices.py`.
#[derive(Deserialize)]
struct CompactFile {
    #[serde(default)]
    source: String,
    models: HashMap<String, ModelPrice>,
}

/// One entry of LiteLLM's `model_prices_and_context_window.json`: only the
/// fields ccwatch uses; the rest are ignored.
#[derive(Deserialize)]
struct LiteLlmEntry {
    input_cost_per_token: Option<f64>,
    output_cost_per_token: Option<f64>,
    cache_creation_input_token_cost: Option<f64>,
    cache_creation_input_token_cost_above_1hr: Option<f64>,
    cache_read_input_token_cost: Option<f64>,
    input_cost_per_token_above_200k_tokens: Option<f64>,
    output_cost_per_token_above_200k_tokens: Option<f64>,
    cache_creation_input_token_cost_above_200k_tokens: Option<f64>,
    cache_creation_input_token_cost_above_1hr_above_200k_tokens: Option<f64>,
    cache_read_input_token_cost_above_200k_tokens: Option<f64>,
    #[serde(default)]
    provider_specific_entry: Option<LiteLlmProviderSpecific>,
    #[serde(default)]
    search_context_cost_per_query: Option<LiteLlmSearchCost>,
}

/// LiteLLM keeps the fast-mode multiplier here (`{"us": 1.1, "fast": 2}`).
#[derive(Deserialize)]
struct LiteLlmProviderSpecific {
    fast: Option<f64>,
}

/// Web search per query, by search context size; ccwatch takes the medium
/// size (LiteLLM's default; Anthropic charges one price for all).
#[derive(Deserialize)]
struct LiteLlmSearchCost {
    search_context_size_medium: Option<f64>,
}

impl LiteLlmEntry {
    fn price(&self) -> Option<ModelPrice> {
        let base = Rates {
            input: self.input_cost_per_token?,
            output: self.output_cost_per_token?,
            cache_write: five_minute_write(
                self.cache_creation_input_token_cost,
                self.input_cost_per_token?,
            ),
            cache_write_1h: self.cache_creation_input_token_cost_above_1hr,
            cache_read: self.cache_read_input_token_cost.unwrap_or(0.0),
        };
        let tier = self
            .input_cost_per_token_above_200k_tokens
            .map(|input| Tier {
                above: 200_000,
                rates: Rates {
                    input,
                    output: self
                        .output_cost_per_token_above_200k_tokens
                        .unwrap_or(base.output),
                    cache_write: self
                        .cache_creation_input_token_cost_above_200k_tokens
                        .unwrap_or(base.cache_write),
                    cache_write_1h: self
                        .cache_creation_input_token_cost_above_1hr_above_200k_tokens,
                    cache_read: self
                        .cache_read_input_token_cost_above_200k_tokens
                        .unwrap_or(base.cache_read),
                },
            });
        Some(ModelPrice {
            base,
            tier,
            fast: self
                .provider_specific_entry
                .as_ref()
                .and_then(|p| p.fast)
                .filter(|m| m.is_finite() && *m > 0.0),
            web_search: self
                .search_context_cost_per_query
                .as_ref()
                .and_then(|s| s.search_context_size_medium)
                .unwrap_or(0.0),
        })
    }
}

impl PriceTable {
    /// The built-in table, parsed once.
    pub fn embedded() -> &'static PriceTable {
        // Read straight into the table's types: going through a
        // `serde_json::Value` first, as `parse` does to tell the formats
        // apart, doubles the time every command spends here.
        static TABLE: LazyLock<PriceTable> = LazyLock::new(|| {
            serde_json::from_str::<CompactFile>(EMBEDDED)
                .map(|f| PriceTable {
                    models: f.models,
                    source: f.source,
                })
                .unwrap_or_default()
        });
        &TABLE
    }

    /// Read a price file: ccwatch's format (an object with `models`), or
    /// LiteLLM's (model name → entry with `input_cost_per_token`, ...).
    pub fn parse(text: &str) -> Result<PriceTable, String> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        if value.get("models").is_some_and(|m| m.is_object()) {
            let file: CompactFile = serde_json::from_value(value)
                .map_err(|e| format!("not a ccwatch price table: {e}"))?;
            return Ok(PriceTable {
                models: file.models,
                source: file.source,
            });
        }
        let Some(entries) = value.as_object() else {
            return Err("expected a JSON object of model prices".into());
        };
        let mut models = HashMap::new();
        for (name, entry) in entries {
            // LiteLLM's file has a documentation entry and non-chat models;
            // anything without both token prices is skipped.
            let Ok(entry) = LiteLlmEntry::deserialize(entry) else {
                continue;
            };
            if let Some(price) = entry.price() {
                models.insert(name.clone(), price);
            }
        }
        // `provider/model` keys also answer to the plain model name, as
        // lookup normalises it, unless the file lists that name itself.
        let mut aliases: Vec<(String, String, ModelPrice)> = models
            .iter()
            .filter(|(k, _)| k.contains('/'))
            .map(|(k, v)| (super::model_name::normalize(k), k.clone(), *v))
            .collect();
        // Several providers may list one model: the first key in name
        // order wins, so the answer does not depend on the hash order.
        aliases.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        for (k, _, v) in aliases {
            models.entry(k).or_insert(v);
        }
        if models.is_empty() {
            return Err("no model with input and output prices".into());
        }
        Ok(PriceTable {
            models,
            source: "LiteLLM-format price file".into(),
        })
    }

    /// This table with `other`'s models added, replacing same-named ones.
    pub fn overlaid_with(&self, other: PriceTable, name: &str) -> PriceTable {
        let mut models = self.models.clone();
        models.extend(other.models);
        PriceTable {
            models,
            source: format!("{name} over {}", self.source),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_table_parses_and_has_the_models_claude_code_uses() {
        let t = PriceTable::embedded();
        assert!(t.models.len() > 10, "{}", t.models.len());
        assert!(t.source.contains("litellm"), "{}", t.source);
        let sonnet = t.models["claude-sonnet-4-5-20250929"];
        assert_eq!(sonnet.base.input, 3e-6);
        assert_eq!(sonnet.base.output, 15e-6);
        assert_eq!(sonnet.base.cache_write, 3.75e-6);
        assert_eq!(sonnet.base.cache_read, 0.3e-6);
        let haiku = t.models["claude-haiku-4-5-20251001"];
        assert_eq!(haiku.base.input, 1e-6);
        let tiered = t.models["claude-sonnet-4-20250514"].tier.unwrap();
        assert_eq!(tiered.above, 200_000);
        assert_eq!(tiered.rates.input, 6e-6);
    }

    #[test]
    fn the_embedded_table_has_what_billing_needs() {
        let t = PriceTable::embedded();
        // Every chat model LiteLLM prices, not only Claude's.
        assert!(t.models.len() > 1_000, "{}", t.models.len());
        for name in [
            "minimax-m2.7",
            "minimax-m3",
            "glm-4.6",
            "kimi-k2.5",
            "gpt-5",
            // Codex CLI's models, which LiteLLM lists as Responses-API models.
            "gpt-5-codex",
            "gpt-5.1-codex-max",
            "gpt-5.1-codex-mini",
        ] {
            assert!(t.models.contains_key(name), "{name} missing");
        }
        let codex = t.models["gpt-5-codex"];
        assert_eq!(codex.base.input, 1.25e-6);
        assert_eq!(codex.base.cache_read, 0.125e-6);
        let opus48 = t.models["claude-opus-4-8"];
        assert_eq!(opus48.base.cache_write_1h, Some(10e-6));
        assert_eq!(opus48.fast, Some(2.0));
        assert_eq!(opus48.web_search, 0.01);
        // Fast mode on Opus 4.6 and 4.7 comes from data/price-overlay.json.
        assert_eq!(t.models["claude-opus-4-6"].fast, Some(6.0));
        assert_eq!(t.models["claude-opus-4-7-20260416"].fast, Some(6.0));
        assert_eq!(t.models["claude-sonnet-4-5-20250929"].fast, None);
        // Web search on every Claude model, also where LiteLLM lacks it.
        assert_eq!(t.models["claude-haiku-4-5-20251001"].web_search, 0.01);
    }

    #[test]
    fn litellm_format_is_read_too() {
        let text = r#"{
            "sample_spec": {"input_cost_per_token": 0.0, "litellm_provider": "x"},
            "anthropic/my-model": {"input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6,
              "input_cost_per_token_above_200k_tokens": 4e-6},
            "embedding-thing": {"output_cost_per_token": 1e-6},
            "odd": "not an entry"
        }"#;
        let t = PriceTable::parse(text).unwrap();
        let p = t.models["my-model"];
        assert_eq!(p.base.output, 2e-6);
        assert_eq!(p.base.cache_read, 0.0);
        let tier = p.tier.unwrap();
        assert_eq!(
            (tier.above, tier.rates.input, tier.rates.output),
            (200_000, 4e-6, 2e-6)
        );
        assert!(!t.models.contains_key("embedding-thing"));
    }

    #[test]
    fn litellm_format_gives_one_hour_fast_and_search_prices() {
        let text = r#"{
            "minimax/MiniMax-M9": {"input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6,
              "cache_creation_input_token_cost": 1.25e-6,
              "cache_creation_input_token_cost_above_1hr": 2e-6,
              "input_cost_per_token_above_200k_tokens": 4e-6,
              "cache_creation_input_token_cost_above_1hr_above_200k_tokens": 8e-6,
              "provider_specific_entry": {"us": 1.1, "fast": 6},
              "search_context_cost_per_query": {"search_context_size_low": 0.005,
                "search_context_size_medium": 0.01}}
        }"#;
        let t = PriceTable::parse(text).unwrap();
        // Found under its plain name, as the lookup normalises it.
        let p = t.models["minimax-m9"];
        assert_eq!(p.base.cache_write_1h, Some(2e-6));
        assert_eq!(p.tier.unwrap().rates.cache_write_1h, Some(8e-6));
        assert_eq!((p.fast, p.web_search), (Some(6.0), 0.01));
    }

    #[test]
    fn an_unlisted_cache_write_price_is_a_quarter_above_input_and_a_listed_zero_stays() {
        // ccwatch's own format and LiteLLM's alike.
        let ours = PriceTable::parse(
            r#"{"models": {"routed": {"input": 3e-7, "output": 1.2e-6, "cacheRead": 6e-8},
                           "free-writes": {"input": 6e-7, "output": 2.2e-6, "cacheWrite": 0},
                           "tiered": {"input": 3e-7, "output": 1e-6,
                                      "tier": {"above": 512000, "input": 6e-7, "output": 2e-6}}}}"#,
        )
        .unwrap();
        let routed = ours.models["routed"].base;
        assert!((routed.cache_write - 3.75e-7).abs() < 1e-18);
        assert!((routed.write_1h() - 6e-7).abs() < 1e-18);
        let free = ours.models["free-writes"].base;
        assert_eq!((free.cache_write, free.write_1h()), (0.0, 0.0));
        let tier = ours.models["tiered"].tier.unwrap().rates;
        assert!((tier.cache_write - 7.5e-7).abs() < 1e-18);
        let litellm = PriceTable::parse(
            r#"{"minimax/MiniMax-M7": {"input_cost_per_token": 4e-7, "output_cost_per_token": 1e-6},
                "zai/glm-9": {"input_cost_per_token": 4e-7, "output_cost_per_token": 1e-6,
                              "cache_creation_input_token_cost": 0}}"#,
        )
        .unwrap();
        assert!((litellm.models["minimax-m7"].base.cache_write - 5e-7).abs() < 1e-18);
        assert_eq!(litellm.models["glm-9"].base.cache_write, 0.0);
    }

    #[test]
    fn a_bad_file_is_an_error_not_an_empty_table() {
        assert!(PriceTable::parse("nope").is_err());
        assert!(PriceTable::parse("[1,2]").is_err());
        assert!(PriceTable::parse(r#"{"models": {"m": {"input": "x"}}}"#).is_err());
        assert!(PriceTable::parse(r#"{"a": {"b": 1}}"#).is_err());
    }

    #[test]
    fn an_override_replaces_same_named_models_and_keeps_the_rest() {
        let base = PriceTable::embedded();
        let file = PriceTable::parse(
            r#"{"models": {"claude-sonnet-4-5-20250929": {"input": 1, "output": 1}, "mine": {"input": 2, "output": 2}}}"#,
        )
        .unwrap();
        let t = base.overlaid_with(file, "f.json");
        assert_eq!(t.models["claude-sonnet-4-5-20250929"].base.input, 1.0);
        assert_eq!(t.models["mine"].base.output, 2.0);
        assert_eq!(t.models["claude-haiku-4-5-20251001"].base.input, 1e-6);
    }
}
