//! One status-line hint: what Claude Code told its status-line command
//! about one session at one moment (the true window, the model id with its
//! `[1m]` tag, its own cost, the plan's rate limits). Figures only: nothing
//! of the conversation, not even the transcript's path.

use crate::record::Millis;
use crate::statusline::input::{Input, RateWindowInput};
use serde::{Deserialize, Serialize};

/// Bumped when a field changes meaning; files of another format are ignored.
pub const HINT_FORMAT: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Hint {
    pub format: u32,
    pub session_id: String,
    /// When the status line was asked, ms since the epoch.
    pub time: Millis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_name: Option<String>,
    /// `context_window.context_window_size`: the window Claude Code runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_percentage: Option<f64>,
    /// Prompt tokens of the last response (input + cache writes + reads).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_tokens: Option<u64>,
    #[serde(default, rename = "costUSD", skip_serializing_if = "Option::is_none")]
    pub cost_usd: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exceeds_200k: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub five_hour: Option<RateWindow>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seven_day: Option<RateWindow>,
}

/// A plan usage window as Claude Code reported it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RateWindow {
    pub used_percentage: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resets_at: Option<Millis>,
}

impl From<&RateWindowInput> for RateWindow {
    fn from(w: &RateWindowInput) -> RateWindow {
        RateWindow {
            used_percentage: w.used_percentage,
            resets_at: w.resets_at,
        }
    }
}

/// A session id usable as a file name: what Claude Code writes (a UUID)
/// and nothing that could leave the hints folder.
pub fn valid_session_id(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl Hint {
    /// The hint of one status-line call; `None` without a usable session id.
    pub fn of(input: &Input, now: Millis) -> Option<Hint> {
        let id = input
            .session_id
            .as_deref()
            .filter(|id| valid_session_id(id))?;
        let context = input.context.as_ref();
        let limits = input.rate_limits.as_ref();
        Some(Hint {
            format: HINT_FORMAT,
            session_id: id.to_owned(),
            time: now,
            model_id: input.model_id.clone(),
            model_name: input.model_name.clone(),
            window: context.and_then(|c| c.size),
            used_percentage: context.and_then(|c| c.used_percentage),
            current_tokens: context.and_then(|c| c.current).map(|t| t.prompt()),
            cost_usd: input.session_cost,
            exceeds_200k: input.exceeds_200k,
            version: input.version.clone(),
            five_hour: limits.and_then(|r| r.five_hour.as_ref()).map(Into::into),
            seven_day: limits.and_then(|r| r.seven_day.as_ref()).map(Into::into),
        })
    }

    /// The window this hint vouches for: the size Claude Code sent, else
    /// 1M when the model id carries `[1m]`.
    pub fn window(&self) -> Option<u64> {
        self.window.or_else(|| {
            self.model_id
                .as_deref()
                .filter(|m| crate::gauge::model_name::comparable(m).one_m)
                .map(|_| crate::ledger::window::EXTENDED_WINDOW)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hint_keeps_figures_and_no_paths() {
        let input = Input::parse(
            br#"{"session_id":"3f2a-b","transcript_path":"/home/u/.claude/projects/x/3f2a-b.jsonl",
            "cwd":"/home/u/secret-project","model":{"id":"claude-opus-4-8[1m]","display_name":"Opus 4.8"},
            "cost":{"total_cost_usd":2.5},"exceeds_200k_tokens":false,
            "context_window":{"context_window_size":1000000,"used_percentage":16,
              "current_usage":{"input_tokens":10,"output_tokens":5,"cache_creation_input_tokens":90,"cache_read_input_tokens":159900}},
            "rate_limits":{"five_hour":{"used_percentage":42,"resets_at":1764932400}}}"#,
        )
        .unwrap();
        let h = Hint::of(&input, 1_000).unwrap();
        assert_eq!(h.window(), Some(1_000_000));
        assert_eq!(h.current_tokens, Some(160_000));
        assert_eq!(h.cost_usd, Some(2.5));
        assert_eq!(h.five_hour.unwrap().used_percentage, 42.0);
        assert_eq!(h.seven_day, None);
        let text = serde_json::to_string(&h).unwrap();
        assert!(
            !text.contains("secret-project") && !text.contains(".jsonl"),
            "{text}"
        );
    }

    #[test]
    fn an_id_that_could_escape_the_folder_gives_no_hint() {
        for bad in ["", "../x", "a/b", "a\\b", ".", "x y"] {
            let input = Input {
                session_id: Some(bad.into()),
                ..Input::default()
            };
            assert_eq!(Hint::of(&input, 0), None, "{bad:?}");
        }
        assert!(valid_session_id("0b6c3c8e-5a5e-4d7e-9a43-6f2f2f1c0a11"));
    }

    #[test]
    fn the_model_tag_vouches_for_1m_when_no_size_came() {
        let h = Hint::of(
            &Input {
                session_id: Some("s".into()),
                model_id: Some("claude-opus-4-6[1m]".into()),
                ..Input::default()
            },
            0,
        )
        .unwrap();
        assert_eq!(h.window(), Some(1_000_000));
    }
}
