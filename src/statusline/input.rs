//! The JSON Claude Code sends a status-line command on stdin, read
//! leniently: every field is optional, a field of the wrong type reads as
//! absent, and only input that is not a JSON object at all is an error.
//!
//! Older versions send `session_id`, `transcript_path`, `cwd`, `model`,
//! `workspace` and `cost`; newer ones add `context_window` (window size,
//! percentages and `current_usage`, the four counts of the last response).

use crate::record::Tokens;
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
