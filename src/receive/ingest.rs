//! From a decoded OTLP request to the store: walking resources, scopes,
//! metrics and log records, picking out Claude Code's and counting the
//! rest. Returns what the partial-success answer says.

use super::attrs::Attrs;
use super::store::{Event, Host, KNOWN_METRICS, Rejection, SumPoint, TelemetryStore};
use crate::record::Millis;
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value as AnyValue;
use opentelemetry_proto::tonic::metrics::v1::{
    AggregationTemporality, metric::Data, number_data_point::Value,
};
use opentelemetry_proto::tonic::resource::v1::Resource;
use std::net::IpAddr;

/// How much of a request was rejected, and the first reason why.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub rejected: i64,
    pub message: String,
}

impl Outcome {
    fn reject(&mut self, why: Rejection) {
        if self.rejected == 0 {
            self.message = why.message().to_owned();
        }
        self.rejected += 1;
    }
}

/// The host label of a resource: its `host.name` when the sender set one,
/// else the address the request came from.
fn host_of(resource: Option<&Resource>, peer: IpAddr) -> Host {
    let attrs = resource
        .map(|r| Attrs::of(&r.attributes))
        .unwrap_or_default();
    let label = attrs
        .str("host.name")
        .filter(|h| !h.trim().is_empty())
        .map(|h| super::store::printable(h, 64))
        .unwrap_or_else(|| peer.to_string());
    Host {
        label,
        version: attrs
            .str("service.version")
            .map(|v| super::store::printable(v, 32)),
    }
}

fn nanos_to_millis(ns: u64) -> Option<Millis> {
    Millis::try_from(ns / 1_000_000).ok().filter(|ms| *ms > 0)
}

pub fn metrics(
    store: &mut TelemetryStore,
    req: &ExportMetricsServiceRequest,
    peer: IpAddr,
    now: Millis,
) -> Outcome {
    let mut out = Outcome::default();
    for rm in &req.resource_metrics {
        let host = host_of(rm.resource.as_ref(), peer);
        for sm in &rm.scope_metrics {
            for m in &sm.metrics {
                if !KNOWN_METRICS.contains(&m.name.as_str()) {
                    store.ignored.metrics += 1;
                    continue;
                }
                // Claude Code's metrics are all sums (counters); another
                // shape under the same name is nothing ccwatch can add up.
                let Some(Data::Sum(sum)) = &m.data else {
                    store.ignored.metrics += 1;
                    continue;
                };
                let cumulative =
                    sum.aggregation_temporality == AggregationTemporality::Cumulative as i32;
                for p in &sum.data_points {
                    let value = match p.value {
                        Some(Value::AsDouble(d)) => d,
                        Some(Value::AsInt(i)) => i as f64,
                        None => continue,
                    };
                    let attrs = Attrs::of(&p.attributes);
                    let series = cumulative.then(|| {
                        let key = format!("{}\u{1e}{}", m.name, attrs.series_key(&[]));
                        (key, p.start_time_unix_nano)
                    });
                    let point = SumPoint {
                        metric: &m.name,
                        attrs: &attrs,
                        value,
                        cumulative: series,
                    };
                    if let Err(why) = store.add_point(&point, &host, now) {
                        out.reject(why);
                    }
                }
            }
        }
    }
    out
}

pub fn logs(
    store: &mut TelemetryStore,
    req: &ExportLogsServiceRequest,
    peer: IpAddr,
    now: Millis,
) -> Outcome {
    let mut out = Outcome::default();
    for rl in &req.resource_logs {
        let host = host_of(rl.resource.as_ref(), peer);
        for sl in &rl.scope_logs {
            let claude_scope = sl
                .scope
                .as_ref()
                .is_some_and(|s| s.name.starts_with("com.anthropic.claude_code"));
            for r in &sl.log_records {
                let body = match r.body.as_ref().and_then(|b| b.value.as_ref()) {
                    Some(AnyValue::StringValue(s)) => s.as_str(),
                    _ => "",
                };
                let attrs = Attrs::of(&r.attributes);
                let from_body = body.strip_prefix("claude_code.");
                let name = match (attrs.str("event.name"), from_body) {
                    (Some(n), _) if claude_scope || from_body.is_some() => n,
                    (None, Some(n)) => n,
                    _ => {
                        store.ignored.events += 1;
                        continue;
                    }
                };
                let at = nanos_to_millis(r.time_unix_nano)
                    .or_else(|| nanos_to_millis(r.observed_time_unix_nano))
                    .unwrap_or(now);
                let event = Event {
                    name,
                    attrs: &attrs,
                    at,
                };
                if let Err(why) = store.add_event(&event, &host, now) {
                    out.reject(why);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::WindowPolicy;
    use crate::receive::decode::{Encoding, message};
    use std::net::Ipv4Addr;

    const SESSION: &str = "fae3d101-5191-4935-8e51-1cb6526b3a02";

    /// Every push of the interactive session, in the order Claude Code
    /// sent them.
    fn fixture_store() -> TelemetryStore {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/claude-code-2.1.197/otlp"
        );
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        let mut store = TelemetryStore::default();
        let peer = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 7));
        for f in files {
            let bytes = std::fs::read(&f).unwrap();
            let out = if f.to_string_lossy().contains("metrics") {
                metrics(
                    &mut store,
                    &message(Encoding::Json, &bytes).unwrap(),
                    peer,
                    5,
                )
            } else {
                logs(
                    &mut store,
                    &message(Encoding::Json, &bytes).unwrap(),
                    peer,
                    5,
                )
            };
            assert_eq!(out, Outcome::default(), "{f:?}");
        }
        store
    }

    /// The numbers worked out by hand from the fixture's pushes: the title
    /// call (haiku, 250 in / 12 out) and the compaction call count, as
    /// Claude Code bills them; the context is the last main-thread request
    /// (6 + 12345 + 3100), after the compaction, in the 1M window the
    /// counters' `[1m]` names.
    #[test]
    fn claude_codes_pushes_add_up_to_its_own_numbers() {
        let store = fixture_store();
        assert_eq!(store.len(), 1);
        let s = store.session(SESSION).unwrap();
        assert_eq!(s.host, "10.0.0.7", "no host.name: the sender's address");
        assert_eq!(s.version.as_deref(), Some("2.1.197"));
        let t = s.tokens();
        assert_eq!(
            (t.input, t.output, t.cache_read, t.cache_creation),
            (270.0, 590.0, 74345.0, 8800.0)
        );
        assert!((s.cost_usd() - 0.1070325).abs() < 1e-9, "{}", s.cost_usd());
        assert_eq!((s.api_requests, s.compactions, s.user_prompts), (5, 1, 4));
        assert!((s.active_time_s - 7.138).abs() < 1e-9);
        let snap = crate::receive::view::telemetry_only(SESSION, s, &WindowPolicy::default());
        let c = snap.context.unwrap();
        assert_eq!((c.tokens, c.window, c.output), (15451, 1_000_000, 33));
        assert!(!c.compacted);
        assert_eq!(snap.label, "⇄ 10.0.0.7");
        assert_eq!(store.ignored.metrics + store.ignored.events, 0);
    }
}
