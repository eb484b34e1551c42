//! How big a session's context window is (spec §4).
//!
//! The logs never state the window, so it is inferred: 1M when the model
//! string says `[1m]` or when the session's prompt has ever exceeded 200k
//! (impossible in a 200k window), else 200k. Users can override per model.
//! Better sources than the logs (status-line hints, Claude Code's settings,
//! the built-in model table) are weighed in `crate::gauge`.

use crate::gauge::model_name::comparable;
use crate::gauge::{GaugeSources, SessionFacts, WindowSource};

/// The standard Claude context window.
pub const STANDARD_WINDOW: u64 = 200_000;
/// The extended (1M) window, opted into per request.
pub const EXTENDED_WINDOW: u64 = 1_000_000;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct WindowPolicy {
    /// `(model substring, window)`: the first override whose text occurs in
    /// the model name wins over inference.
    pub overrides: Vec<(String, u64)>,
    /// What else is known: hints, settings, learned auto-compact points.
    pub sources: GaugeSources,
}

impl WindowPolicy {
    /// A session's window from the best source at hand, and that source.
    pub fn resolve(&self, facts: &SessionFacts) -> (u64, WindowSource) {
        crate::gauge::resolve(self, facts)
    }

    /// The user's window for `model`: the first override whose text occurs
    /// in the model name, as logged or as [`comparable`] reads it (so
    /// `opus-4.7=…` and `opus-4-7=…` both fit `claude-opus-4.7`).
    pub fn override_for(&self, model: &str) -> Option<u64> {
        let name = comparable(model).name;
        self.overrides
            .iter()
            .find(|(pattern, _)| {
                let wanted = comparable(pattern).name;
                model.contains(pattern.as_str()) || (!wanted.is_empty() && name.contains(&wanted))
            })
            .map(|(_, w)| *w)
    }

    /// From the model name and the largest prompt alone (the status line,
    /// which has no other source at hand). An override is taken as given
    /// and the inferred 1M is 1M, even when a prompt passed them: the
    /// gauge then reads over 100% (spec §4).
    pub fn window(&self, model: &str, max_prompt: u64) -> u64 {
        if let Some(w) = self.override_for(model) {
            return w;
        }
        if comparable(model).one_m || max_prompt > STANDARD_WINDOW {
            EXTENDED_WINDOW
        } else {
            STANDARD_WINDOW
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_is_200k_unless_the_model_or_the_history_says_1m() {
        let p = WindowPolicy::default();
        assert_eq!(p.window("claude-sonnet-4-5-20250929", 150_000), 200_000);
        assert_eq!(p.window("claude-sonnet-4-5-20250929[1m]", 10), 1_000_000);
        assert_eq!(p.window("claude-sonnet-4-5-20250929", 200_000), 200_000);
        assert_eq!(p.window("claude-sonnet-4-5-20250929", 200_001), 1_000_000);
    }

    #[test]
    fn overrides_win_by_substring() {
        let p = WindowPolicy {
            overrides: vec![("opus".into(), 500_000)],
            ..WindowPolicy::default()
        };
        assert_eq!(p.window("claude-opus-4-1-20250805", 10), 500_000);
        assert_eq!(p.window("claude-haiku-4-5", 10), 200_000);
        // Spec §4: the override is the window, even under a larger prompt
        // (this asserted the window grew to the prompt, 600k).
        assert_eq!(p.window("claude-opus-4-1-20250805", 600_000), 500_000);
    }

    #[test]
    fn the_inferred_1m_is_exactly_1m() {
        // Issue 11 audit: a 1.2M prompt made the window 1.2M (100%).
        let p = WindowPolicy::default();
        assert_eq!(p.window("claude-sonnet-4-5", 1_200_010), 1_000_000);
        assert_eq!(p.window("claude-sonnet-4-5[1m]", 1_200_010), 1_000_000);
    }

    #[test]
    fn overrides_and_the_1m_tag_read_names_as_prices_do() {
        let p = WindowPolicy {
            overrides: vec![("opus-4-7".into(), 300_000), ("Sonnet-4.5".into(), 400_000)],
            ..WindowPolicy::default()
        };
        assert_eq!(p.override_for("claude-opus-4.7"), Some(300_000));
        assert_eq!(p.override_for("anthropic/claude-opus-4-7"), Some(300_000));
        assert_eq!(p.override_for("claude-sonnet-4-5-20250929"), Some(400_000));
        assert_eq!(p.override_for("claude-opus-4-6"), None);
        // A pattern that normalises to nothing matches only as written.
        let tag = WindowPolicy {
            overrides: vec![("[1m]".into(), 700_000)],
            ..WindowPolicy::default()
        };
        assert_eq!(tag.override_for("claude-opus-4-6"), None);
        assert_eq!(tag.override_for("claude-opus-4-6[1m]"), Some(700_000));
        let none = WindowPolicy::default();
        assert_eq!(none.window("claude-opus-4.6[1M]", 10), 1_000_000);
    }
}
