//! Where Claude Code auto-compacts, learned from this user's own history:
//! the `preTokens` of past `trigger: "auto"` compaction boundaries, per
//! model family and window, recent ones weighted most (the point moves
//! between Claude Code versions). A configured point wins; without either,
//! the lowest point real sessions showed (spec §4: 77.5–87% of 200k), so
//! the warning comes early rather than late.

use serde::Serialize;
use std::collections::HashMap;

use crate::record::Millis;

/// Where auto-compaction is assumed to fire when nothing was learned.
pub const DEFAULT_RATIO: f64 = 0.775;
/// A boundary this much older than the newest of its kind counts half.
const HALF_LIFE_MS: f64 = 7.0 * 24.0 * 3_600_000.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AutoCompactSource {
    /// `auto_compact` in the config file.
    Config,
    /// Learned from this user's past automatic compactions.
    Learned,
    Default,
}

/// One past automatic compaction.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub family: String,
    pub window: u64,
    pub pre_tokens: u64,
    pub at: Millis,
}

/// The family of a model id: `opus`, `sonnet`, `haiku`, ... (the word after
/// `claude-`), so versions of one family share what was learned. The id is
/// read as [`super::model_name::comparable`] reads it, so a provider's
/// spelling of a model is of the same family.
pub fn family(model: &str) -> String {
    let name = super::model_name::comparable(model).name;
    let m = name.trim_start_matches("claude-");
    m.split('-').next().unwrap_or(m).to_owned()
}

/// The learned points, in tokens.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AutoCompactTable {
    by_family: HashMap<(String, u64), f64>,
    by_window: HashMap<u64, f64>,
}

fn weighted(samples: &[&Sample]) -> Option<f64> {
    let newest = samples.iter().map(|s| s.at).max()?;
    let (mut sum, mut weights) = (0.0, 0.0);
    for s in samples {
        let w = 0.5f64.powf((newest - s.at) as f64 / HALF_LIFE_MS);
        sum += w * s.pre_tokens as f64;
        weights += w;
    }
    (weights > 0.0).then(|| sum / weights)
}

impl AutoCompactTable {
    /// Learn from samples; ones that cannot be an automatic compaction of
    /// their window (above it, or below a third of it) are left out.
    pub fn learn(samples: &[Sample]) -> AutoCompactTable {
        let usable: Vec<&Sample> = samples
            .iter()
            .filter(|s| s.pre_tokens <= s.window && s.pre_tokens * 3 >= s.window)
            .collect();
        let mut groups: HashMap<(String, u64), Vec<&Sample>> = HashMap::new();
        let mut windows: HashMap<u64, Vec<&Sample>> = HashMap::new();
        for s in usable {
            groups
                .entry((s.family.clone(), s.window))
                .or_default()
                .push(s);
            windows.entry(s.window).or_default().push(s);
        }
        AutoCompactTable {
            by_family: groups
                .into_iter()
                .filter_map(|(k, v)| Some((k, weighted(&v)?)))
                .collect(),
            by_window: windows
                .into_iter()
                .filter_map(|(k, v)| Some((k, weighted(&v)?)))
                .collect(),
        }
    }

    /// Where a session of `model` in `window` auto-compacts, in tokens.
    pub fn point(
        &self,
        model: &str,
        window: u64,
        configured_percent: Option<f64>,
    ) -> (u64, AutoCompactSource) {
        if let Some(p) = configured_percent {
            return (
                (window as f64 * p / 100.0).round() as u64,
                AutoCompactSource::Config,
            );
        }
        let learned = self
            .by_family
            .get(&(family(model), window))
            .or_else(|| self.by_window.get(&window));
        match learned {
            Some(t) => (t.round() as u64, AutoCompactSource::Learned),
            None => (
                (window as f64 * DEFAULT_RATIO).round() as u64,
                AutoCompactSource::Default,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: Millis = 86_400_000;

    fn s(family: &str, window: u64, pre: u64, at: Millis) -> Sample {
        Sample {
            family: family.into(),
            window,
            pre_tokens: pre,
            at,
        }
    }

    #[test]
    fn families_are_the_word_after_claude() {
        assert_eq!(family("claude-opus-4-8"), "opus");
        assert_eq!(family("claude-sonnet-4-5-20250929"), "sonnet");
        assert_eq!(family("claude-3-5-haiku-20241022"), "3");
        assert_eq!(family("opus[1m]"), "opus");
    }

    #[test]
    fn a_providers_spelling_is_of_the_same_family() {
        // Issue 11 audit: `anthropic/claude-opus-4-7` was family
        // `anthropic/claude`, so it learned apart from its own family.
        assert_eq!(family("anthropic/claude-opus-4-7"), "opus");
        assert_eq!(
            family("us.anthropic.claude-sonnet-4-5-20250929-v1:0"),
            "sonnet"
        );
        assert_eq!(family("Claude-Opus-4.7[1m]"), "opus");
        let t = AutoCompactTable::learn(&[s("opus", 200_000, 160_000, 0)]);
        assert_eq!(
            t.point("anthropic/claude-opus-4.6", 200_000, None),
            (160_000, AutoCompactSource::Learned)
        );
    }

    #[test]
    fn recent_compactions_weigh_most() {
        // Two a week apart: the older counts half.
        let t = AutoCompactTable::learn(&[
            s("opus", 200_000, 150_000, 0),
            s("opus", 200_000, 165_000, 7 * DAY),
        ]);
        assert_eq!(
            t.point("claude-opus-4-8", 200_000, None),
            (160_000, AutoCompactSource::Learned)
        );
    }

    #[test]
    fn another_family_of_the_same_window_stands_in_and_config_wins() {
        let t = AutoCompactTable::learn(&[s("sonnet", 200_000, 170_000, 0)]);
        assert_eq!(
            t.point("claude-opus-4-8", 200_000, None),
            (170_000, AutoCompactSource::Learned)
        );
        assert_eq!(
            t.point("claude-opus-4-8", 1_000_000, None),
            (775_000, AutoCompactSource::Default)
        );
        assert_eq!(
            t.point("claude-opus-4-8", 200_000, Some(90.0)),
            (180_000, AutoCompactSource::Config)
        );
    }

    #[test]
    fn impossible_points_are_not_learned() {
        let t = AutoCompactTable::learn(&[
            s("opus", 200_000, 250_000, 0),
            s("opus", 200_000, 10_000, 0),
        ]);
        assert_eq!(
            t.point("claude-opus-4-8", 200_000, None).1,
            AutoCompactSource::Default
        );
    }
}
