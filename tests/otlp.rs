//! `--otlp-endpoint`: a real ccwatch pushes to a collector inside the test
//! (an HTTP server decoding the protobuf with the OpenTelemetry project's
//! proto crate), and a dead collector never stops the live engine.

mod common;

use common::{Line, ccwatch, fixtures};
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::common::v1::{KeyValue, any_value};
use opentelemetry_proto::tonic::metrics::v1::{Metric, metric, number_data_point};
use prost::Message;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(30);
const SESSION: &str = "323dbc2a-5849-4465-bd7a-e3c4e932cf0a";
/// Pushes every 200 ms, so the tests take moments, not minutes.
const INTERVAL_MS: &str = "200";

/// Every request body the collector received, decoded.
type Received = Arc<Mutex<Vec<ExportMetricsServiceRequest>>>;

/// A collector on a free loopback port: POST /v1/metrics, protobuf.
struct Collector {
    url: String,
    received: Received,
    _runtime: tokio::runtime::Runtime,
}

impl Collector {
    fn start() -> Collector {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let received: Received = Arc::default();
        let store = received.clone();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let app = axum::Router::new().route(
            "/v1/metrics",
            axum::routing::post(move |body: axum::body::Bytes| {
                let store = store.clone();
                async move {
                    let request = ExportMetricsServiceRequest::decode(body)
                        .expect("the body is an OTLP metrics request");
                    store.lock().unwrap().push(request);
                    "" // An empty ExportMetricsServiceResponse.
                }
            }),
        );
        runtime.spawn(async move { axum::serve(listener, app).await });
        Collector {
            url,
            received,
            _runtime: runtime,
        }
    }

    /// The newest request for which `done` holds, within the bounded wait.
    fn wait_for(
        &self,
        what: &str,
        done: impl Fn(&ExportMetricsServiceRequest) -> bool,
    ) -> ExportMetricsServiceRequest {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(r) = self.received.lock().unwrap().iter().rev().find(|r| done(r)) {
                return r.clone();
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// `ccwatch events --json` with stdout and stderr read on threads.
struct Events {
    child: Child,
    stdout: std::sync::mpsc::Receiver<String>,
    stderr: Arc<Mutex<Vec<String>>>,
    _isolate: tempfile::TempDir,
}

impl Drop for Events {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Events {
    fn start(dir: &Path, extra: &[&str]) -> Events {
        Events::start_with(dir, extra, &[])
    }

    fn start_with(dir: &Path, extra: &[&str], vars: &[(&str, &str)]) -> Events {
        let isolate = tempfile::tempdir().unwrap();
        let mut child = ccwatch(isolate.path())
            .env("OTEL_METRIC_EXPORT_INTERVAL", INTERVAL_MS)
            .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT")
            .env_remove("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT")
            .env_remove("OTEL_EXPORTER_OTLP_PROTOCOL")
            .envs(vars.iter().copied())
            .args(["--idle-timeout", "1000000h", "events", "--json", "--dir"])
            .arg(dir)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, stdout) = std::sync::mpsc::channel();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let stderr: Arc<Mutex<Vec<String>>> = Arc::default();
        let err = child.stderr.take().unwrap();
        let lines = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                lines.lock().unwrap().push(line);
            }
        });
        Events {
            child,
            stdout,
            stderr,
            _isolate: isolate,
        }
    }

    /// The next event whose type is `kind`.
    fn next(&self, kind: &str) -> serde_json::Value {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self
                .stdout
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no {kind} event; stderr: {:?}", self.stderr));
            let event: serde_json::Value = serde_json::from_str(&line).unwrap();
            if event["event"] == kind {
                return event;
            }
        }
    }
}

fn append(dir: &Path, text: &str) {
    let path = dir.join(format!("projects/-home-dev-src-webapp/{SESSION}.jsonl"));
    let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

fn metrics(r: &ExportMetricsServiceRequest) -> impl Iterator<Item = &Metric> {
    r.resource_metrics
        .iter()
        .flat_map(|rm| &rm.scope_metrics)
        .flat_map(|sm| &sm.metrics)
}

fn metric<'a>(r: &'a ExportMetricsServiceRequest, name: &str) -> Option<&'a Metric> {
    metrics(r).find(|m| m.name == name)
}

fn text(kv: &KeyValue) -> Option<&str> {
    match kv.value.as_ref()?.value.as_ref()? {
        any_value::Value::StringValue(s) => Some(s),
        _ => None,
    }
}

fn attribute<'a>(attributes: &'a [KeyValue], key: &str) -> Option<&'a str> {
    attributes.iter().find(|kv| kv.key == key).and_then(text)
}

/// (attributes, value) of every data point of `name`.
fn points<'a>(r: &'a ExportMetricsServiceRequest, name: &str) -> Vec<(&'a [KeyValue], f64)> {
    let Some(m) = metric(r, name) else {
        return Vec::new();
    };
    let points = match &m.data {
        Some(metric::Data::Sum(s)) => &s.data_points,
        Some(metric::Data::Gauge(g)) => &g.data_points,
        other => panic!("{name} is neither a sum nor a gauge: {other:?}"),
    };
    points
        .iter()
        .map(|p| {
            let value = match p.value {
                Some(number_data_point::Value::AsInt(n)) => n as f64,
                Some(number_data_point::Value::AsDouble(x)) => x,
                None => panic!("{name} has a point without a value"),
            };
            (p.attributes.as_slice(), value)
        })
        .collect()
}

/// Sum of the points of `name` whose attributes include all of `want`.
fn sum(r: &ExportMetricsServiceRequest, name: &str, want: &[(&str, &str)]) -> f64 {
    points(r, name)
        .into_iter()
        .filter(|(attrs, _)| want.iter().all(|(k, v)| attribute(attrs, k) == Some(v)))
        .map(|(_, v)| v)
        .sum()
}

const TOKENS: &str = "claude_code.token.usage";

#[test]
fn pushed_metrics_carry_the_names_attributes_and_values_of_the_fixture() {
    let collector = Collector::start();
    let dir = common::sample_logs_copy();
    let expected = common::sample_expected();
    let events = Events::start(dir.path(), &["--otlp-endpoint", &collector.url]);
    events.next("ready");

    let request = collector.wait_for("a push with token usage", |r| metric(r, TOKENS).is_some());

    // Who is speaking: ccwatch, on this host.
    let resource = request.resource_metrics[0].resource.as_ref().unwrap();
    assert_eq!(
        attribute(&resource.attributes, "service.name"),
        Some("ccwatch")
    );
    let host = attribute(&resource.attributes, "host.name").unwrap_or("");
    assert!(!host.is_empty(), "{:?}", resource.attributes);

    // Claude Code's own instrument, unit and attribute names.
    let tokens = metric(&request, TOKENS).unwrap();
    assert_eq!(tokens.unit, "tokens");
    match &tokens.data {
        Some(metric::Data::Sum(s)) => {
            assert!(s.is_monotonic);
            assert_eq!(s.aggregation_temporality, 2, "cumulative");
        }
        other => panic!("token usage is not a sum: {other:?}"),
    }
    assert_eq!(
        metric(&request, "claude_code.cost.usage").unwrap().unit,
        "USD"
    );
    for (kind, key) in [
        ("input", "input"),
        ("output", "output"),
        ("cacheRead", "cache_read"),
        ("cacheCreation", "cache_creation"),
    ] {
        let want = expected["totals"][key].as_u64().unwrap() as f64;
        assert_eq!(sum(&request, TOKENS, &[("type", kind)]), want, "{kind}");
        for (id, s) in expected["sessions"].as_object().unwrap() {
            let want = s["tokens"][key].as_u64().unwrap() as f64;
            let project = s["project"].as_str().unwrap();
            let got = sum(
                &request,
                TOKENS,
                &[("type", kind), ("session.id", id), ("project", project)],
            );
            assert_eq!(got, want, "{kind} of {id}");
        }
    }

    // The context gauges, per session, as on /metrics.
    let status = common::status_json(dir.path());
    let sessions = status["sessions"].as_array().unwrap();
    let ratios = points(&request, "ccwatch.context.ratio");
    assert_eq!(ratios.len(), sessions.len());
    for s in sessions {
        let id = s["sessionId"].as_str().unwrap();
        let c = &s["context"];
        let want = c["tokens"].as_f64().unwrap() / c["window"].as_f64().unwrap();
        let got = sum(&request, "ccwatch.context.ratio", &[("session.id", id)]);
        assert!((got - want).abs() < 1e-9, "{id}: {got} vs {want}");
        let model = c["model"].as_str().unwrap();
        let labels = [("session.id", id), ("model", model)];
        assert_eq!(
            sum(&request, "ccwatch.context.tokens", &labels),
            c["tokens"].as_f64().unwrap()
        );
    }
    let cost = sum(&request, "claude_code.cost.usage", &[]);
    let want = status["totals"]["costUSD"].as_f64().unwrap();
    assert!((cost - want).abs() < 1e-6, "cost {cost} vs {want}");
    assert_eq!(
        sum(&request, "ccwatch.files.watched", &[]),
        expected["files"].as_u64().unwrap() as f64
    );

    // A new reply: the next pushes carry its tokens.
    let before = sum(
        &request,
        TOKENS,
        &[("type", "output"), ("session.id", SESSION)],
    );
    let stamp = chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    append(
        dir.path(),
        &Line::new(SESSION, "msg_otlp_1", &stamp, 150_000, 700).json(),
    );
    let moved = collector.wait_for("the appended reply's tokens", |r| {
        sum(r, TOKENS, &[("type", "output"), ("session.id", SESSION)]) == before + 700.0
    });
    let labels = [("session.id", SESSION)];
    assert_eq!(sum(&moved, "ccwatch.context.tokens", &labels), 150_000.0);
    // Nothing said in a session leaves the machine.
    let body = moved.encode_to_vec();
    assert!(!String::from_utf8_lossy(&body).contains("Conversation compacted"));
}

#[test]
fn a_dead_collector_never_stops_the_events_and_is_reported_once() {
    let dir = common::sample_logs_copy();
    // Nothing listens on port 1 of loopback: every push is refused.
    let events = Events::start(dir.path(), &["--otlp-endpoint", "http://127.0.0.1:1"]);
    events.next("ready");
    let deadline = Instant::now() + WAIT;
    while !events
        .stderr
        .lock()
        .unwrap()
        .iter()
        .any(|l| l.contains("cannot push metrics"))
    {
        assert!(
            Instant::now() < deadline,
            "the failing push was not reported"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // The live engine goes on while pushes keep failing.
    let stamp = chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    append(
        dir.path(),
        &Line::new(SESSION, "msg_otlp_2", &stamp, 120_000, 10).json(),
    );
    let event = events.next("context");
    assert_eq!(event["sessionId"], SESSION);
    assert_eq!(event["session"]["context"]["tokens"], 120_000);
    // Several more push intervals: still said only once.
    std::thread::sleep(Duration::from_millis(1_500));
    let said = events.stderr.lock().unwrap().clone();
    let reports = said.iter().filter(|l| l.contains("cannot push")).count();
    assert_eq!(reports, 1, "{said:?}");
}

#[test]
fn a_bad_endpoint_is_one_sentence_and_a_non_zero_exit() {
    let isolate = tempfile::tempdir().unwrap();
    let out = ccwatch(isolate.path())
        .args(["events", "--json", "--otlp-endpoint", "not a url", "--dir"])
        .arg(fixtures().join("sample-logs"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("ccwatch: cannot push metrics to"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn otlp_alone_pushes_where_the_environment_says() {
    let collector = Collector::start();
    let dir = common::sample_logs_copy();
    let vars = [("OTEL_EXPORTER_OTLP_ENDPOINT", collector.url.as_str())];
    // `--otlp` takes no value, so a command name after it stays a command.
    let events = Events::start_with(dir.path(), &["--otlp"], &vars);
    events.next("ready");
    collector.wait_for("a push to the environment's endpoint", |r| {
        metric(r, TOKENS).is_some()
    });
}

#[test]
fn a_grpc_protocol_in_the_environment_is_refused_in_one_sentence() {
    let isolate = tempfile::tempdir().unwrap();
    let out = ccwatch(isolate.path())
        .env("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
        .env_remove("OTEL_EXPORTER_OTLP_METRICS_PROTOCOL")
        .args(["--otlp", "events", "--json", "--dir"])
        .arg(fixtures().join("sample-logs"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("OTEL_EXPORTER_OTLP_PROTOCOL is \"grpc\""),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}
