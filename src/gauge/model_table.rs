//! The built-in table of models that have no 200k window at all: Claude
//! Code runs them at 1M on the Anthropic API without any `[1m]` tag
//! (`data/model-windows.json`, regenerated from Claude Code's own model
//! table by `scripts/update-model-windows.py`). A model that runs at 200k
//! unless started as `[1m]` is not in it, whatever other lists say.

use crate::cost::model_name::strip_date;
use std::collections::BTreeMap;
use std::sync::LazyLock;

#[derive(Debug, serde::Deserialize)]
struct TableFile {
    models: BTreeMap<String, u64>,
}

static TABLE: LazyLock<BTreeMap<String, u64>> = LazyLock::new(|| {
    serde_json::from_str::<TableFile>(include_str!("../../data/model-windows.json"))
        .map(|t| t.models)
        .unwrap_or_default()
});

/// The window of a model in the table: by its name, or its name with a
/// date after it (`claude-opus-4-8-20260601`), however the logs spell it
/// (`claude-opus-4.8`, `anthropic/claude-opus-4-8`: see
/// [`super::model_name::comparable`]).
pub fn native_window(model: &str) -> Option<u64> {
    let name = super::model_name::comparable(model).name;
    if name.is_empty() {
        return None;
    }
    TABLE
        .get(&name)
        .or_else(|| TABLE.get(strip_date(&name)))
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_table_reads_and_matches_names_and_dated_names_only() {
        assert!(!TABLE.is_empty(), "data/model-windows.json did not parse");
        assert_eq!(native_window("claude-opus-4-8"), Some(1_000_000));
        assert_eq!(native_window("claude-opus-4-8-20260601"), Some(1_000_000));
        assert_eq!(native_window("claude-opus-4-8[1m]"), Some(1_000_000));
        // 200k unless started with [1m]: not in the table.
        assert_eq!(native_window("claude-opus-4-6"), None);
        assert_eq!(native_window("claude-sonnet-4-5-20250929"), None);
        // A longer name is another model.
        assert_eq!(native_window("claude-sonnet-5-5"), None);
        assert_eq!(native_window(""), None);
    }

    #[test]
    fn names_are_read_as_prices_read_them() {
        // Issue 11 audit: a dotted or provider-prefixed name of a 1M-only
        // model fell through to the 200k default.
        for spelling in [
            "claude-opus-4.7",
            "anthropic/claude-opus-4-7",
            "Claude-Opus-4.7-20260101",
            "us.anthropic.claude-opus-4-7-v1:0",
        ] {
            assert_eq!(native_window(spelling), Some(1_000_000), "{spelling}");
        }
        assert_eq!(native_window("claude-opus-4.6"), None);
        assert_eq!(native_window("claude-opus-4.7.1"), None);
    }
}
