//! Reading what Claude Code pushed over OTLP/HTTP JSON: its events (log
//! records) as flat attribute maps, and its delta-temporality sums added up.

use super::fake_api::OtlpPush;
use serde_json::Value;
use std::collections::BTreeMap;

/// An OTLP `AnyValue` as plain JSON (int64s come as strings).
fn plain(v: &Value) -> Value {
    if let Some(s) = v.get("stringValue") {
        return s.clone();
    }
    if let Some(i) = v.get("intValue") {
        return match i {
            Value::String(s) => s.parse::<i64>().map(Value::from).unwrap_or(i.clone()),
            _ => i.clone(),
        };
    }
    for k in ["doubleValue", "boolValue"] {
        if let Some(x) = v.get(k) {
            return x.clone();
        }
    }
    v.clone()
}

fn attributes(list: &Value) -> BTreeMap<String, Value> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| Some((a["key"].as_str()?.to_owned(), plain(&a["value"]))))
        .collect()
}

fn json_pushes<'a>(pushes: &'a [OtlpPush], path: &'a str) -> impl Iterator<Item = Value> + 'a {
    pushes
        .iter()
        .filter(move |p| p.path == path && p.content_type.contains("json"))
        .filter_map(|p| serde_json::from_slice(&p.body).ok())
}

/// Every event (log record) with its attributes, `event.name` among them.
pub fn events(pushes: &[OtlpPush]) -> Vec<BTreeMap<String, Value>> {
    let mut out = Vec::new();
    for doc in json_pushes(pushes, "/v1/logs") {
        for rl in doc["resourceLogs"].as_array().into_iter().flatten() {
            for sl in rl["scopeLogs"].as_array().into_iter().flatten() {
                for r in sl["logRecords"].as_array().into_iter().flatten() {
                    out.push(attributes(&r["attributes"]));
                }
            }
        }
    }
    out
}

/// The sum of every data point of the metric `name`, by the value of its
/// attribute `by` (`""` when absent). Claude Code's sums are deltas, so
/// adding all pushes gives the total.
pub fn metric_sum(pushes: &[OtlpPush], name: &str, by: &str) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for doc in json_pushes(pushes, "/v1/metrics") {
        for rm in doc["resourceMetrics"].as_array().into_iter().flatten() {
            for sm in rm["scopeMetrics"].as_array().into_iter().flatten() {
                for m in sm["metrics"].as_array().into_iter().flatten() {
                    if m["name"] != name {
                        continue;
                    }
                    assert_eq!(
                        m["sum"]["aggregationTemporality"], 1,
                        "{name} is not a delta sum"
                    );
                    for p in m["sum"]["dataPoints"].as_array().into_iter().flatten() {
                        let key = attributes(&p["attributes"])
                            .get(by)
                            .and_then(|v| v.as_str().map(str::to_owned))
                            .unwrap_or_default();
                        let value = p["asDouble"]
                            .as_f64()
                            .or_else(|| plain(&json_int(&p["asInt"])).as_f64())
                            .unwrap_or(0.0);
                        *out.entry(key).or_insert(0.0) += value;
                    }
                }
            }
        }
    }
    out
}

fn json_int(v: &Value) -> Value {
    serde_json::json!({"intValue": v})
}
