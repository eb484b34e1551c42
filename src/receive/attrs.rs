//! OTLP attributes as a small map the readers can ask by key, with the
//! loose typing senders use (Claude Code sends some numbers as strings).
//! The `prompt` attribute is never copied in, so prompt text that Claude
//! Code was told to log goes no further than the decoded request.

use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value::Value};
use std::collections::BTreeMap;

/// Attributes whose values ccwatch must never hold, even briefly.
const NEVER_KEPT: &[&str] = &["prompt"];

#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Str(String),
    Int(i64),
    Double(f64),
    Bool(bool),
    /// Arrays, maps and bytes: present, but nothing ccwatch reads.
    Other,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Attrs(BTreeMap<String, Val>);

fn val(v: Option<&AnyValue>) -> Val {
    match v.and_then(|v| v.value.as_ref()) {
        Some(Value::StringValue(s)) => Val::Str(s.clone()),
        Some(Value::IntValue(i)) => Val::Int(*i),
        Some(Value::DoubleValue(d)) => Val::Double(*d),
        Some(Value::BoolValue(b)) => Val::Bool(*b),
        _ => Val::Other,
    }
}

impl Attrs {
    pub fn of(list: &[KeyValue]) -> Attrs {
        Attrs(
            list.iter()
                .filter(|kv| !NEVER_KEPT.contains(&kv.key.as_str()))
                .map(|kv| (kv.key.clone(), val(kv.value.as_ref())))
                .collect(),
        )
    }

    #[cfg(test)]
    pub fn from_strs(pairs: &[(&str, &str)]) -> Attrs {
        Attrs(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), Val::Str(v.to_string())))
                .collect(),
        )
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    pub fn str(&self, key: &str) -> Option<&str> {
        match self.0.get(key)? {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A whole non-negative number, whether sent as an int, a double or a
    /// string of digits.
    pub fn int(&self, key: &str) -> Option<u64> {
        match self.0.get(key)? {
            Val::Int(i) => u64::try_from(*i).ok(),
            Val::Double(d) if d.is_finite() && *d >= 0.0 => Some(d.round() as u64),
            Val::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    pub fn float(&self, key: &str) -> Option<f64> {
        match self.0.get(key)? {
            Val::Int(i) => Some(*i as f64),
            Val::Double(d) => Some(*d).filter(|d| d.is_finite()),
            Val::Str(s) => s.trim().parse().ok().filter(|d: &f64| d.is_finite()),
            _ => None,
        }
    }

    /// A stable text of every attribute but `skip`, to tell series apart.
    pub fn series_key(&self, skip: &[&str]) -> String {
        let mut out = String::new();
        for (k, v) in &self.0 {
            if skip.contains(&k.as_str()) {
                continue;
            }
            out.push_str(k);
            out.push('=');
            match v {
                Val::Str(s) => out.push_str(s),
                Val::Int(i) => out.push_str(&i.to_string()),
                Val::Double(d) => out.push_str(&d.to_string()),
                Val::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
                Val::Other => out.push('?'),
            }
            out.push('\u{1f}');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(key: &str, value: Value) -> KeyValue {
        KeyValue {
            key: key.into(),
            value: Some(AnyValue { value: Some(value) }),
            ..Default::default()
        }
    }

    #[test]
    fn numbers_read_from_any_encoding_and_prompts_are_not_copied() {
        let a = Attrs::of(&[
            kv("input_tokens", Value::IntValue(250)),
            kv("prompt_length", Value::StringValue("28".into())),
            kv("cost_usd", Value::DoubleValue(0.00031)),
            kv("prompt", Value::StringValue("secret plans".into())),
        ]);
        assert_eq!(a.int("input_tokens"), Some(250));
        assert_eq!(a.int("prompt_length"), Some(28));
        assert_eq!(a.float("cost_usd"), Some(0.00031));
        assert_eq!(a.str("prompt"), None);
        assert!(!format!("{a:?}").contains("secret"));
        assert_eq!(a.int("cost_usd"), Some(0));
        assert_eq!(a.str("input_tokens"), None);
    }
}
