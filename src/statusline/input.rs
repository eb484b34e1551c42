//! The JSON Claude Code sends a status-line command on stdin, read
//! leniently: every field is optional, a field of the wrong type reads as
//! absent, and only input that is not a JSON object at all is an error.
//!
//! Older versions send `session_id`, `transcript_path`, `cwd`, `model`,
//! `workspace` and `cost`; newer ones add `context_window` (window size,
//! percentages and `current_usage`, the four counts of the last response),
//! `exceeds_200k_tokens`, and with subscription sign-in `rate_limits`.

use crate::record::{Millis, Tokens, parse_timestamp};
use serde_json::Value;
use std::path::PathBuf;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Input {
    pub session_id: Option<String>,
    pub transcript_path: Option<PathBuf>,
    pub model_id: Option<String>,
    pub model_name: Option<String>,
    /// `workspace.current_dir`, else `cwd`.
    pub cwd: Option<String>,
    /// `cost.total_cost_usd`: Claude Code's own estimate for the session.
    pub session_cost: Option<f64>,
    pub context: Option<ContextInput>,
    pub exceeds_200k: Option<bool>,
    /// Claude Code's version, as it says it.
    pub version: Option<String>,
    pub rate_limits: Option<RateLimitsInput>,
}

/// `rate_limits`: the plan's usage windows, with subscription sign-in only.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RateLimitsInput {
    pub five_hour: Option<RateWindowInput>,
    pub seven_day: Option<RateWindowInput>,
}

/// One of `rate_limits`' windows.
#[derive(Debug, Clone, PartialEq)]
pub struct RateWindowInput {
    pub used_percentage: f64,
    /// When the window resets, in ms since the epoch.
    pub resets_at: Option<Millis>,
}

/// `context_window`, when the version sends it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContextInput {
    pub size: Option<u64>,
    pub used_percentage: Option<f64>,
    /// The last response's usage: `null` before the first one.
    pub current: Option<Tokens>,
}

fn text(v: &Value, path: &[&str]) -> Option<String> {
    let mut v = v;
    for key in path {
        v = v.get(key)?;
    }
    v.as_str().filter(|s| !s.is_empty()).map(str::to_owned)
}

fn number(v: &Value, path: &[&str]) -> Option<f64> {
    let mut v = v;
    for key in path {
        v = v.get(key)?;
    }
    v.as_f64().filter(|n| n.is_finite() && *n >= 0.0)
}

fn count(v: &Value, key: &str) -> Option<u64> {
    let n = v.get(key)?;
    n.as_u64().or_else(|| {
        n.as_f64()
            .filter(|f| f.is_finite() && *f >= 0.0)
            .map(|f| f as u64)
    })
}

/// `resets_at` as seconds since the epoch, milliseconds, or an RFC 3339 time.
fn instant(v: &Value) -> Option<Millis> {
    if let Some(s) = v.as_str() {
        return parse_timestamp(s);
    }
    let n = v.as_f64().filter(|n| n.is_finite() && *n > 0.0)?;
    // Seconds until the year 33658; anything larger is milliseconds.
    Some(if n < 1e12 {
        (n * 1000.0) as Millis
    } else {
        n as Millis
    })
}

fn rate_window(v: &Value, key: &str) -> Option<RateWindowInput> {
    let w = v.get(key)?;
    Some(RateWindowInput {
        used_percentage: number(w, &["used_percentage"])?,
        resets_at: w.get("resets_at").and_then(instant),
    })
}

impl Input {
    pub fn parse(bytes: &[u8]) -> Result<Input, String> {
        let v: Value =
            serde_json::from_slice(bytes).map_err(|e| format!("stdin is not JSON: {e}"))?;
        if !v.is_object() {
            return Err("stdin is JSON but not an object".into());
        }
        let context = v.get("context_window").filter(|c| c.is_object()).map(|c| {
            let current = c
                .get("current_usage")
                .filter(|u| u.is_object())
                .map(|u| Tokens {
                    input: count(u, "input_tokens").unwrap_or(0),
                    output: count(u, "output_tokens").unwrap_or(0),
                    cache_creation: count(u, "cache_creation_input_tokens").unwrap_or(0),
                    cache_read: count(u, "cache_read_input_tokens").unwrap_or(0),
                });
            ContextInput {
                size: count(c, "context_window_size").filter(|n| *n > 0),
                used_percentage: number(c, &["used_percentage"]),
                current,
            }
        });
        Ok(Input {
            session_id: text(&v, &["session_id"]),
            transcript_path: text(&v, &["transcript_path"]).map(PathBuf::from),
            model_id: text(&v, &["model", "id"]),
            model_name: text(&v, &["model", "display_name"]),
            cwd: text(&v, &["workspace", "current_dir"]).or_else(|| text(&v, &["cwd"])),
            session_cost: number(&v, &["cost", "total_cost_usd"]),
            context,
            exceeds_200k: v.get("exceeds_200k_tokens").and_then(Value::as_bool),
            version: text(&v, &["version"]),
            rate_limits: v
                .get("rate_limits")
                .filter(|r| r.is_object())
                .map(|r| RateLimitsInput {
                    five_hour: rate_window(r, "five_hour"),
                    seven_day: rate_window(r, "seven_day"),
                })
                .filter(|r| r.five_hour.is_some() || r.seven_day.is_some()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_version_sample_reads_completely() {
        let s = br#"{"session_id":"abc","transcript_path":"/t/abc.jsonl","cwd":"/w",
            "model":{"id":"claude-sonnet-4-5-20250929","display_name":"Sonnet 4.5"},
            "workspace":{"current_dir":"/w/sub","project_dir":"/w"},"version":"2.0.40",
            "cost":{"total_cost_usd":1.25,"total_duration_ms":1000},
            "context_window":{"total_input_tokens":9,"context_window_size":200000,
              "used_percentage":42.5,"current_usage":{"input_tokens":3,"output_tokens":7,
              "cache_creation_input_tokens":100,"cache_read_input_tokens":84897}}}"#;
        let i = Input::parse(s).unwrap();
        assert_eq!(i.session_id.as_deref(), Some("abc"));
        assert_eq!(i.model_name.as_deref(), Some("Sonnet 4.5"));
        assert_eq!(i.cwd.as_deref(), Some("/w/sub"));
        assert_eq!(i.session_cost, Some(1.25));
        let c = i.context.unwrap();
        assert_eq!(c.size, Some(200_000));
        assert_eq!(c.current.unwrap().prompt(), 85_000);
    }

    #[test]
    fn rate_limits_read_in_seconds_milliseconds_or_text() {
        let i = Input::parse(
            br#"{"exceeds_200k_tokens":true,"version":"2.1.197",
            "rate_limits":{"five_hour":{"used_percentage":42,"resets_at":1764932400},
              "seven_day":{"used_percentage":12.5,"resets_at":"2025-12-08T10:00:00Z"}}}"#,
        )
        .unwrap();
        assert_eq!(i.exceeds_200k, Some(true));
        assert_eq!(i.version.as_deref(), Some("2.1.197"));
        let r = i.rate_limits.unwrap();
        let five = r.five_hour.unwrap();
        assert_eq!(five.used_percentage, 42.0);
        assert_eq!(five.resets_at, Some(1_764_932_400_000));
        let seven = r.seven_day.unwrap();
        assert_eq!(seven.resets_at, parse_timestamp("2025-12-08T10:00:00Z"));
        let ms = Input::parse(
            br#"{"rate_limits":{"five_hour":{"used_percentage":1,"resets_at":1764932400000}}}"#,
        )
        .unwrap();
        assert_eq!(
            ms.rate_limits.unwrap().five_hour.unwrap().resets_at,
            Some(1_764_932_400_000)
        );
        let none = Input::parse(br#"{"rate_limits":{"five_hour":{"resets_at":1}}}"#).unwrap();
        assert_eq!(none.rate_limits, None);
    }

    #[test]
    fn wrong_types_read_as_absent_and_garbage_is_an_error() {
        let i = Input::parse(br#"{"model":"opus","cost":{"total_cost_usd":"1"},"context_window":{"current_usage":null}}"#)
            .unwrap();
        assert_eq!(i.model_id, None);
        assert_eq!(i.session_cost, None);
        assert_eq!(i.context.unwrap().current, None);
        assert!(Input::parse(b"not json").is_err());
        assert!(Input::parse(b"[1]").is_err());
        assert!(Input::parse(b"").is_err());
    }
}
