//! A model name in the form every window source compares: what the logs,
//! Claude Code's status line and its `settings.json` write is read the way
//! prices read it (`crate::cost::model_name::normalize`: provider prefixes,
//! Bedrock and Vertex wrappings and case taken off; a dot between digits
//! read as a dash, spec §6), so `claude-opus-4.7`,
//! `anthropic/claude-opus-4-7` and `claude-opus-4-7` are one model to the
//! gauge as they are to the price table. What a `[1m]` tag says (the 1M
//! window, spec §4) is kept apart, since normalising drops the tag.

use crate::cost::lookup::dots_between_digits_as_dashes;
use crate::cost::model_name::normalize;

/// A model name as the window sources compare it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparable {
    /// The plain name, dots between digits as dashes: `claude-opus-4-7`.
    pub name: String,
    /// Whether the name carried Claude Code's `[1m]` tag (any case).
    pub one_m: bool,
}

/// The comparable form of any logged, hinted or configured model name.
pub fn comparable(model: &str) -> Comparable {
    Comparable {
        name: dots_between_digits_as_dashes(&normalize(model)),
        one_m: model.to_ascii_lowercase().contains("[1m]"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_model_compare_equal() {
        let plain = comparable("claude-opus-4-7");
        assert_eq!(plain.name, "claude-opus-4-7");
        assert!(!plain.one_m);
        for spelling in [
            "claude-opus-4.7",
            "anthropic/claude-opus-4-7",
            "anthropic/claude-opus-4.7",
            "Claude-Opus-4-7",
            "us.anthropic.claude-opus-4-7-v1:0",
            "claude-opus-4-7@default",
        ] {
            assert_eq!(comparable(spelling), plain, "{spelling}");
        }
    }

    #[test]
    fn the_1m_tag_is_kept_apart_from_the_name() {
        for tagged in [
            "claude-opus-4-6[1m]",
            "claude-opus-4.6[1m]",
            "anthropic/claude-opus-4-6[1M]",
        ] {
            let c = comparable(tagged);
            assert_eq!(c.name, "claude-opus-4-6", "{tagged}");
            assert!(c.one_m, "{tagged}");
        }
        let alias = comparable("sonnet[1m]");
        assert_eq!((alias.name.as_str(), alias.one_m), ("sonnet", true));
        // Another bracketed tag is no 1M window.
        assert!(!comparable("claude-opus-4-6[200k]").one_m);
    }

    #[test]
    fn dates_stay_and_only_dots_between_digits_change() {
        assert_eq!(
            comparable("claude-sonnet-4.5-20250929").name,
            "claude-sonnet-4-5-20250929"
        );
        assert_eq!(
            comparable("vertex_ai/claude-sonnet-4-5@20250929").name,
            "claude-sonnet-4-5-20250929"
        );
        assert_eq!(comparable("<synthetic>").name, "<synthetic>");
        assert_eq!(comparable("").name, "");
    }
}
