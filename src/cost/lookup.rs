//! Which price-table entry a model name in the logs means.
//!
//! Exact names first; then the name with what providers and Claude Code add
//! around it taken off (`anthropic/`, Bedrock's `us.anthropic.` and `-v1:0`,
//! Vertex's `@20250929`, Claude Code's `[1m]`); then without its date
//! suffix, or a dated entry of the same model; then all of that again with
//! a dot between digits read as a dash (`claude-opus-4.8` is
//! `claude-opus-4-8`, spec §6). No substring guessing: a
//! model that matches nothing is reported as unpriced, never priced as some
//! other model.

use super::charge::ModelPrice;
use super::model_name::normalize;
use super::model_name::strip_date;
use super::table::PriceTable;

/// Find the prices of `model`.
pub fn find<'a>(table: &'a PriceTable, model: &str) -> Option<&'a ModelPrice> {
    if let Some(p) = table.models.get(model) {
        return Some(p);
    }
    let name = normalize(model);
    if let Some(p) = find_plain(table, &name) {
        return Some(p);
    }
    // Other vendors write dots in their own names (`glm-4.6`, `gpt-5.1`):
    // those were matched as written above; only a name that matched
    // nothing is tried with dashes.
    let dashed = dots_between_digits_as_dashes(&name);
    if dashed != name {
        return find_plain(table, &dashed);
    }
    None
}

/// A normalised name as listed, without its date, or a dated entry of it.
fn find_plain<'a>(table: &'a PriceTable, name: &str) -> Option<&'a ModelPrice> {
    if let Some(p) = table.models.get(name) {
        return Some(p);
    }
    let undated = strip_date(name);
    if undated != name
        && let Some(p) = table.models.get(undated)
    {
        return Some(p);
    }
    // A dated entry of the same model; the newest date when there are several.
    table
        .models
        .iter()
        .filter(|(k, _)| strip_date(k) == undated && k.len() > undated.len())
        .max_by(|a, b| a.0.cmp(b.0))
        .map(|(_, p)| p)
}

/// `claude-opus-4.8` → `claude-opus-4-8`: a `.` with a digit on each side
/// becomes `-`.
pub fn dots_between_digits_as_dashes(name: &str) -> String {
    let b = name.as_bytes();
    name.char_indices()
        .map(|(i, c)| {
            let digit_before = i > 0 && b[i - 1].is_ascii_digit();
            let digit_after = b.get(i + 1).is_some_and(u8::is_ascii_digit);
            if c == '.' && digit_before && digit_after {
                '-'
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cost::charge::Rates;

    fn table(names: &[&str]) -> PriceTable {
        let mut t = PriceTable::default();
        for (i, n) in names.iter().enumerate() {
            let rates = Rates {
                input: i as f64 + 1.0,
                ..Default::default()
            };
            t.models.insert((*n).into(), ModelPrice::flat(rates));
        }
        t
    }

    fn which(t: &PriceTable, model: &str) -> Option<f64> {
        find(t, model).map(|p| p.base.input)
    }

    /// Models real transcripts hold, found in the built-in table with the
    /// maker's own prices (update-prices.py's choices, checked here so a
    /// regenerated table cannot quietly lose them).
    #[test]
    fn routed_and_aliased_models_get_their_makers_prices() {
        let t = PriceTable::embedded();
        let base = |m: &str| find(t, m).map(|p| p.base).expect(m);
        // zai's GLM, not dashscope's listing of it: writes free.
        let glm = base("glm-5.1");
        assert_eq!((glm.cache_write, glm.cache_read), (0.0, 2.6e-7));
        assert_eq!(base("glm-4.5").cache_write, 0.0);
        assert_eq!(base("deepseek-reasoner").cache_write, 0.0);
        // MiniMax lists no write price for M2.7 and M3: 1.25x input.
        for m in ["MiniMax-M2.7", "MiniMax-M3"] {
            let p = base(m);
            assert!((p.cache_write - 1.25 * p.input).abs() < 1e-18, "{m}");
        }
        // Sonnet 4.5's long-context tier (from the overlay).
        let tier = find(t, "claude-sonnet-4-5-20250929").and_then(|p| p.tier);
        let tier = tier.expect("a tier");
        assert_eq!((tier.above, tier.rates.input), (200_000, 6e-6));
        // A reseller's undated alias no longer hides the dated vendor entry.
        let sonnet4 = base("claude-sonnet-4");
        assert_eq!((sonnet4.input, sonnet4.cache_write), (3e-6, 3.75e-6));
    }

    #[test]
    fn exact_first_then_normalized_then_undated_then_dated() {
        let t = table(&[
            "claude-sonnet-4-5",
            "claude-sonnet-4-5-20250929",
            "claude-opus-4-1-20250805",
            "claude-opus-4-1-20240101",
            "claude-haiku-4-5",
        ]);
        assert_eq!(which(&t, "claude-sonnet-4-5-20250929"), Some(2.0));
        assert_eq!(which(&t, "claude-sonnet-4-5-20250929[1m]"), Some(2.0));
        assert_eq!(which(&t, "claude-haiku-4-5-20991231"), Some(5.0));
        assert_eq!(which(&t, "claude-opus-4-1"), Some(3.0));
        assert_eq!(which(&t, "anthropic/claude-opus-4-1"), Some(3.0));
    }

    #[test]
    fn no_substring_guessing() {
        let t = table(&["claude-sonnet-4-5", "claude-opus-4"]);
        assert_eq!(which(&t, "claude-sonnet-4"), None);
        assert_eq!(which(&t, "claude-opus-4-1"), None);
        assert_eq!(which(&t, "<synthetic>"), None);
        assert_eq!(which(&t, "gpt-4o"), None);
    }

    #[test]
    fn a_dot_between_digits_is_a_dash() {
        let t = table(&["claude-opus-4-8", "glm-4.6", "minimax-m2.7", "minimax-m2-7"]);
        assert_eq!(which(&t, "claude-opus-4.8"), Some(1.0));
        assert_eq!(which(&t, "anthropic/claude-opus-4.8[1m]"), Some(1.0));
        assert_eq!(which(&t, "claude-opus-4.8-20261001"), Some(1.0));
        // Names listed with their dots are found as written, first.
        assert_eq!(which(&t, "GLM-4.6"), Some(2.0));
        assert_eq!(which(&t, "MiniMax-M2.7"), Some(3.0));
        assert_eq!(which(&t, "minimax-m2-7"), Some(4.0));
        // Only dots between digits: no other guessing.
        assert_eq!(which(&t, "claude-opus-4.9"), None);
        assert_eq!(which(&t, "claude.opus-4-8"), None);
        assert_eq!(dots_between_digits_as_dashes("a.1.2.b"), "a.1-2.b");
    }
}
