//! How big a session's context window is (spec §4).
//!
//! The logs never state the window, so it is inferred: 1M when the model
//! string says `[1m]` or when the session's prompt has ever exceeded 200k
//! (impossible in a 200k window), else 200k. Users can override per model.
//! Better sources than the logs (status-line hints, Claude Code's settings,
//! the built-in model table) are weighed in `crate::gauge`.

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

    /// From the model name and the largest prompt alone (the status line,
    /// which has no other source at hand).
    pub fn window(&self, model: &str, max_prompt: u64) -> u64 {
        if let Some((_, w)) = self
            .overrides
            .iter()
            .find(|(pattern, _)| model.contains(pattern.as_str()))
        {
            // Never show more than 100% because an override was too small.
            return (*w).max(max_prompt);
        }
        if model.contains("[1m]") || max_prompt > STANDARD_WINDOW {
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
        assert_eq!(p.window("claude-opus-4-1-20250805", 600_000), 600_000);
    }
}
