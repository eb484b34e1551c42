//! `--otlp-receive`: the real binary (`ccwatch events --json`) taking OTLP
//! over HTTP on a loopback port, fed Claude Code's captured JSON pushes and
//! messages built with the OpenTelemetry proto crate.

mod common;

use common::{ccwatch, closed_by_server, copy_dir, fixtures};
use opentelemetry_proto::tonic::collector::metrics::v1::{
    ExportMetricsServiceRequest, ExportMetricsServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::metrics::v1::{
    AggregationTemporality, Metric, NumberDataPoint, ResourceMetrics, ScopeMetrics, Sum,
    metric::Data, number_data_point,
};
use opentelemetry_proto::tonic::resource::v1::Resource;
use prost::Message;
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(30);
const SESSION: &str = "fae3d101-5191-4935-8e51-1cb6526b3a02";

/// A running `ccwatch events --json --otlp-receive 127.0.0.1:0`.
struct Receiver {
    child: Child,
    addr: String,
    /// Its stderr after the line saying where it receives.
    stderr: mpsc::Receiver<String>,
    events: mpsc::Receiver<Value>,
    /// Every event read so far.
    seen: std::cell::RefCell<Vec<Value>>,
    _isolate: tempfile::TempDir,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Receiver {
    fn start(dir: &Path, extra: &[&str]) -> Receiver {
        let events = ["events", "--json", "--otlp-receive", "127.0.0.1:0"];
        Receiver::command(&events, dir, extra)
    }

    fn command(command: &[&str], dir: &Path, extra: &[&str]) -> Receiver {
        let isolate = tempfile::tempdir().unwrap();
        let mut child = ccwatch(isolate.path())
            .args(command)
            .arg("--dir")
            .arg(dir)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (etx, events) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Ok(v) = serde_json::from_str(&line) {
                    let _ = etx.send(v);
                }
            }
        });
        let (tx, rx) = mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let line = rx.recv_timeout(WAIT).expect("ccwatch said nothing");
        let addr = line
            .split("receiving OTLP on http://")
            .nth(1)
            .unwrap_or_else(|| panic!("not where it receives: {line}"))
            .trim()
            .to_owned();
        Receiver {
            child,
            addr,
            stderr: rx,
            events,
            seen: Default::default(),
            _isolate: isolate,
        }
    }

    /// POST a body; the status code, the content type and the body.
    fn post(&self, path: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, String, Vec<u8>) {
        post(&self.addr, path, headers, body)
    }

    fn post_json(&self, path: &str, body: &[u8]) -> u16 {
        self.post(path, &[("Content-Type", "application/json")], body)
            .0
    }

    /// Wait for a session event about `id` that `done` accepts.
    fn wait_for(&self, id: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok(e) => {
                    self.seen.borrow_mut().push(e.clone());
                    if e["sessionId"] == id && done(&e["session"]) {
                        return e;
                    }
                }
                Err(_) => panic!("no matching event for {id}; saw {:#?}", self.seen.borrow()),
            }
        }
    }
}

/// POST a body to `addr`; the status code, the content type and the body.
fn post(addr: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, String, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    let mut head = format!(
        "POST {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
        addr,
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    // Written while the answer is read: a server refusing early
    // answers before reading it all, and may close on the rest.
    let mut writer = stream.try_clone().unwrap();
    let body = body.to_vec();
    let writing = std::thread::spawn(move || drop(writer.write_all(&body)));
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let _ = writing.join();
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP answer");
    let head = String::from_utf8_lossy(&response[..split]).into_owned();
    let code = head.split(' ').nth(1).unwrap().parse().unwrap();
    let content_type = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-type: ")
                .map(str::to_owned)
        })
        .unwrap_or_default();
    (code, content_type, response[split + 4..].to_vec())
}

fn otlp_fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixtures().join("claude-code-2.1.197/otlp").join(name)).unwrap()
}

/// Claude Code's pushes of its interactive session, in order.
fn send_claude_code_pushes(addr: &str) {
    let dir = fixtures().join("claude-code-2.1.197/otlp");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    for f in files {
        let path = if f.contains("metrics") {
            "/v1/metrics"
        } else {
            "/v1/logs"
        };
        let json = [("Content-Type", "application/json")];
        assert_eq!(post(addr, path, &json, &otlp_fixture(&f)).0, 200, "{f}");
    }
}

fn kv(key: &str, v: any_value::Value) -> KeyValue {
    KeyValue {
        key: key.into(),
        value: Some(AnyValue { value: Some(v) }),
        ..Default::default()
    }
}

fn s(key: &str, v: &str) -> KeyValue {
    kv(key, any_value::Value::StringValue(v.into()))
}

/// A `claude_code.token.usage` push in Claude Code's shape, built with the
/// proto crate: one point per (type, value), the given temporality.
fn token_push(
    session: &str,
    host: Option<&str>,
    temporality: AggregationTemporality,
    points: &[(&str, f64)],
) -> ExportMetricsServiceRequest {
    let mut resource = vec![
        s("service.name", "claude-code"),
        s("service.version", "2.1.197"),
    ];
    if let Some(h) = host {
        resource.push(s("host.name", h));
    }
    let data_points = points
        .iter()
        .map(|(kind, v)| NumberDataPoint {
            attributes: vec![
                s("session.id", session),
                s("model", "claude-sonnet-4-5-20250929"),
                s("type", kind),
            ],
            start_time_unix_nano: 1_796_460_000_000_000_000,
            time_unix_nano: 1_796_460_001_000_000_000,
            value: Some(number_data_point::Value::AsDouble(*v)),
            ..Default::default()
        })
        .collect();
    ExportMetricsServiceRequest {
        resource_metrics: vec![ResourceMetrics {
            resource: Some(Resource {
                attributes: resource,
                ..Default::default()
            }),
            scope_metrics: vec![ScopeMetrics {
                metrics: vec![Metric {
                    name: "claude_code.token.usage".into(),
                    unit: "tokens".into(),
                    data: Some(Data::Sum(Sum {
                        data_points,
                        aggregation_temporality: temporality as i32,
                        is_monotonic: true,
                    })),
                    ..Default::default()
                }],
                ..Default::default()
            }],
            ..Default::default()
        }],
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

const PROTOBUF: (&str, &str) = ("Content-Type", "application/x-protobuf");

/// The numbers worked out by hand in src/receive/ingest.rs: Claude Code's
/// own totals (title and compaction calls included), the last main-thread
/// request's context in the 1M window.
#[test]
fn claude_codes_json_pushes_make_a_session_marked_with_its_host() {
    let empty = tempfile::tempdir().unwrap();
    let r = Receiver::start(empty.path(), &[]);
    send_claude_code_pushes(&r.addr);
    // The last push with tokens comes before the last main-thread request.
    let e = r.wait_for(SESSION, |s| {
        s["tokens"]["output"] == 590 && s["context"]["tokens"] == 15451
    });
    let s = &e["session"];
    assert_eq!(s["host"], "127.0.0.1");
    assert_eq!(s["label"], "⇄ 127.0.0.1");
    assert_eq!(
        s["tokens"],
        serde_json::json!({"input": 270, "output": 590, "cacheCreation": 8800, "cacheRead": 74345})
    );
    let cost = s["telemetry"]["costUsd"].as_f64().unwrap();
    assert!((cost - 0.1070325).abs() < 1e-9, "{cost}");
    assert_eq!(s["context"]["tokens"], 15451);
    assert_eq!(s["context"]["window"], 1_000_000);
    assert_eq!(s["compactions"], 1);
}

#[test]
fn cumulative_protobuf_counts_increases_and_gzip_is_read() {
    let empty = tempfile::tempdir().unwrap();
    let r = Receiver::start(empty.path(), &[]);
    let cumulative = AggregationTemporality::Cumulative;
    for (input, output) in [(100.0, 10.0), (250.0, 10.0), (400.0, 30.0)] {
        let push = token_push(
            "cum-1",
            Some("devbox"),
            cumulative,
            &[("input", input), ("output", output)],
        );
        let body = gzip(&push.encode_to_vec());
        let (code, content_type, answer) = r.post(
            "/v1/metrics",
            &[PROTOBUF, ("Content-Encoding", "gzip")],
            &body,
        );
        assert_eq!(code, 200);
        assert_eq!(content_type, "application/x-protobuf");
        let answer = ExportMetricsServiceResponse::decode(answer.as_slice()).unwrap();
        assert_eq!(answer.partial_success, None);
    }
    let e = r.wait_for("cum-1", |s| s["tokens"]["input"] == 400);
    assert_eq!(e["session"]["tokens"]["output"], 30);
    assert_eq!(e["session"]["label"], "⇄ devbox");
    // Context unknown: no api_request event came, so none is guessed.
    assert!(e["session"]["context"].is_null());
    // Deltas, as Claude Code sends by default, add up.
    let delta = AggregationTemporality::Delta;
    for _ in 0..3 {
        let push = token_push("delta-1", None, delta, &[("input", 7.0)]);
        assert_eq!(
            r.post("/v1/metrics", &[PROTOBUF], &push.encode_to_vec()).0,
            200
        );
    }
    r.wait_for("delta-1", |s| s["tokens"]["input"] == 21);
}

#[test]
fn a_wrong_token_is_refused_and_the_right_one_accepted() {
    let empty = tempfile::tempdir().unwrap();
    let r = Receiver::start(empty.path(), &["--otlp-receive-token", "s3cret"]);
    let body = token_push(
        "tok",
        None,
        AggregationTemporality::Delta,
        &[("input", 1.0)],
    )
    .encode_to_vec();
    for auth in [
        None,
        Some("Bearer wrong"),
        Some("Bearer s3cre"),
        Some("s3cret"),
    ] {
        let mut headers = vec![PROTOBUF];
        if let Some(a) = auth {
            headers.push(("Authorization", a));
        }
        assert_eq!(r.post("/v1/metrics", &headers, &body).0, 401, "{auth:?}");
    }
    // Nothing else is answered before the token is checked.
    let text = [("Content-Type", "text/plain")];
    assert_eq!(r.post("/v1/metrics", &text, b"x").0, 401);
    let ok = [PROTOBUF, ("Authorization", "Bearer s3cret")];
    assert_eq!(r.post("/v1/metrics", &ok, &body).0, 200);
    r.wait_for("tok", |s| s["tokens"]["input"] == 1);
}

#[test]
fn bad_and_oversized_bodies_are_refused_and_the_receiver_keeps_serving() {
    let empty = tempfile::tempdir().unwrap();
    let r = Receiver::start(empty.path(), &[]);
    let huge = vec![b' '; 9 << 20];
    assert_eq!(r.post_json("/v1/metrics", &huge), 413);
    let bomb = gzip(&vec![0u8; 9 << 20]);
    let gz = [PROTOBUF, ("Content-Encoding", "gzip")];
    assert_eq!(
        r.post("/v1/metrics", &gz, &bomb).0,
        413,
        "too large once unzipped"
    );
    assert_eq!(r.post_json("/v1/logs", b"{not json"), 400);
    assert_eq!(
        r.post("/v1/metrics", &[PROTOBUF], b"\xff\xff\xff garbage")
            .0,
        400
    );
    assert_eq!(r.post("/v1/metrics", &gz, b"not gzip at all").0, 400);
    let text = [("Content-Type", "text/plain")];
    assert_eq!(r.post("/v1/metrics", &text, b"hello").0, 415);
    // Still serving: Claude Code's own push lands.
    assert_eq!(
        r.post_json("/v1/metrics", &otlp_fixture("00-metrics.json")),
        200
    );
    r.wait_for(SESSION, |s| s["tokens"]["input"] == 250);
}

#[test]
fn points_without_a_session_get_a_partial_success_answer() {
    let empty = tempfile::tempdir().unwrap();
    let r = Receiver::start(empty.path(), &[]);
    let mut push = token_push(
        "kept",
        None,
        AggregationTemporality::Delta,
        &[("input", 5.0)],
    );
    let sum = match &mut push.resource_metrics[0].scope_metrics[0].metrics[0].data {
        Some(Data::Sum(sum)) => sum,
        _ => unreachable!(),
    };
    let mut anonymous = sum.data_points[0].clone();
    anonymous.attributes.retain(|kv| kv.key != "session.id");
    sum.data_points.push(anonymous);
    let json = serde_json::to_vec(&push).unwrap();
    let (code, content_type, body) = r.post(
        "/v1/metrics",
        &[("Content-Type", "application/json")],
        &json,
    );
    assert_eq!((code, content_type.as_str()), (200, "application/json"));
    let answer: Value = serde_json::from_slice(&body).unwrap();
    let rejected = &answer["partialSuccess"]["rejectedDataPoints"];
    assert!(rejected == 1 || rejected == "1", "{answer}");
    assert!(
        answer["partialSuccess"]["errorMessage"]
            .as_str()
            .unwrap()
            .contains("session.id")
    );
    r.wait_for("kept", |s| s["tokens"]["input"] == 5);
}

/// A session whose transcripts ccwatch reads and whose telemetry arrives
/// too is one session: the transcripts' numbers, telemetry's extras.
#[test]
fn a_session_in_transcripts_and_telemetry_counts_once() {
    let data = tempfile::tempdir().unwrap();
    copy_dir(
        &fixtures().join("claude-code-2.1.197/projects"),
        &data.path().join("projects"),
    );
    let r = Receiver::start(&data.path().join("projects"), &[]);
    send_claude_code_pushes(&r.addr);
    let e = r.wait_for(SESSION, |s| {
        !s["telemetry"].is_null() && s["telemetry"]["apiRequests"] == 5
    });
    let s = &e["session"];
    // The transcripts' sums (expected.json), not telemetry's 270/590.
    assert_eq!(
        s["tokens"],
        serde_json::json!({"input": 13, "output": 158, "cacheCreation": 8800, "cacheRead": 57345})
    );
    assert_eq!(s["label"], "demo-project");
    assert_eq!(s["host"], "127.0.0.1");
    let cost = s["telemetry"]["costUsd"].as_f64().unwrap();
    assert!((cost - 0.1070325).abs() < 1e-9);
    // It appeared once, from the transcripts, and never again.
    let seen = r.seen.borrow();
    let appeared: Vec<_> = seen
        .iter()
        .filter(|e| e["event"] == "appeared")
        .map(|e| e["sessionId"].as_str().unwrap())
        .collect();
    assert_eq!(appeared.len(), 4, "{appeared:?}");
    assert_eq!(appeared.iter().filter(|id| **id == SESSION).count(), 1);
    assert!(seen.iter().all(|e| e["event"] != "removed"));
}

#[test]
fn a_non_loopback_receive_address_needs_allow_remote() {
    let empty = tempfile::tempdir().unwrap();
    let out = ccwatch(empty.path())
        .args(["events", "--otlp-receive", "0.0.0.0:0", "--dir"])
        .arg(empty.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--allow-remote"), "{stderr}");
}

/// The Python virtualenv `scripts/install-otel-python.sh` makes (it is run
/// here when missing, as `.ci/run` runs it before the tests).
fn otel_python() -> Option<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("otel-python");
    let python = dir.join("bin/python");
    if !python.is_file() {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/install-otel-python.sh");
        let _ = std::process::Command::new("bash")
            .arg(script)
            .env("CCWATCH_OTEL_PYTHON_DIR", &dir)
            .status();
    }
    if python.is_file() {
        return Some(python);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("the OpenTelemetry Python SDK is not installed");
    }
    let line = "\n*** SKIP receive: the OpenTelemetry Python SDK could not be installed ***\n\n";
    let _ = std::io::stderr().write_all(line.as_bytes());
    None
}

/// A real OpenTelemetry SDK (Python's, from PyPI) exporting cumulative
/// sums over protobuf with gzip and a token: each export repeats the
/// running total, and ccwatch counts each increase once.
#[test]
fn a_real_sdks_cumulative_metrics_count_once() {
    let Some(python) = otel_python() else { return };
    let empty = tempfile::tempdir().unwrap();
    let r = Receiver::start(empty.path(), &["--otlp-receive-token", "sdk-token"]);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/otel_sdk/send_cumulative.py");
    let out = std::process::Command::new(python)
        .arg(script)
        .args([&format!("http://{}", r.addr), "sdk-session", "sdk-token"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the SDK could not export: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let e = r.wait_for("sdk-session", |s| s["tokens"]["input"] == 250);
    let s = &e["session"];
    assert_eq!(s["tokens"]["output"], 15);
    assert_eq!(s["label"], "⇄ sdk-box");
    assert_eq!(s["telemetry"]["costUsd"], 0.75);
    // The exporter has shut down (every export answered): no later event
    // moves the totals past the last running total.
    std::thread::sleep(Duration::from_millis(500));
    r.seen.borrow_mut().extend(r.events.try_iter());
    let seen = r.seen.borrow();
    let last = seen
        .iter()
        .rev()
        .find(|e| e["sessionId"] == "sdk-session")
        .unwrap();
    assert_eq!(last["session"]["tokens"]["input"], 250);
}

/// `serve` with `--otlp-receive`: a session known only from telemetry is
/// in `/metrics` with Claude Code's own per-model counters and its context.
#[test]
fn telemetry_sessions_are_in_the_prometheus_metrics() {
    let empty = tempfile::tempdir().unwrap();
    let serve = [
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--otlp-receive",
        "127.0.0.1:0",
    ];
    let r = Receiver::command(&serve, empty.path(), &[]);
    let metrics_addr = loop {
        let line = r
            .stderr
            .recv_timeout(WAIT)
            .expect("serve said where it serves");
        if let Some(rest) = line.split("serving metrics on http://").nth(1) {
            break rest.split('/').next().unwrap().to_owned();
        }
    };
    send_claude_code_pushes(&r.addr);
    // Scrape until every line is there (the pushes land one by one).
    let scrape_for = |want: &[String]| {
        let deadline = Instant::now() + WAIT;
        loop {
            let mut stream = TcpStream::connect(&metrics_addr).unwrap();
            write!(
                stream,
                "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            )
            .unwrap();
            let mut text = String::new();
            stream.read_to_string(&mut text).unwrap();
            if want.iter().all(|w| text.contains(w.as_str())) {
                return;
            }
            assert!(Instant::now() < deadline, "not all of {want:#?} in {text}");
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    let mut want = vec![format!(
        "ccwatch_context_tokens{{session_id=\"{SESSION}\",project=\"⇄ 127.0.0.1\",model=\"claude-opus-4-8\",agent=\"claude\"}} 15451"
    )];
    for (kind, model, n) in [
        ("input", "claude-haiku-4-5-20251001", 250),
        ("input", "claude-opus-4-8[1m]", 20),
        ("cacheRead", "claude-opus-4-8[1m]", 74345),
    ] {
        want.push(format!(
            "claude_code_token_usage_tokens_total{{type=\"{kind}\",session_id=\"{SESSION}\",project=\"⇄ 127.0.0.1\",model=\"{model}\",agent=\"claude\"}} {n}"
        ));
    }
    scrape_for(&want);
}

/// Telemetry sessions quiet past the idle timeout leave the live view
/// (and the store: memory stays bounded).
#[test]
fn quiet_telemetry_sessions_are_dropped_after_the_idle_timeout() {
    let empty = tempfile::tempdir().unwrap();
    let events = [
        "--idle-timeout",
        "2s",
        "events",
        "--json",
        "--otlp-receive",
        "127.0.0.1:0",
    ];
    let r = Receiver::command(&events, empty.path(), &[]);
    assert_eq!(
        r.post_json("/v1/metrics", &otlp_fixture("00-metrics.json")),
        200
    );
    r.wait_for(SESSION, |s| s["tokens"]["input"] == 250);
    let deadline = Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let e = r
            .events
            .recv_timeout(left)
            .expect("the session was never removed");
        if e["event"] == "removed" {
            assert_eq!(e["sessionId"], SESSION);
            break;
        }
    }
}

/// The dashboard in a real terminal (tmux) with `--otlp-receive`: Claude
/// Code's pushes make a row marked with the sender, its gauge from the
/// main thread's last request (15,451 of 1M: 1.55%, shown as 1.6%).
#[test]
fn the_dashboard_lists_a_telemetry_session_with_its_host_and_gauge() {
    if !common::tmux::tmux_available() {
        return;
    }
    let empty = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    // A free port, handed to ccwatch (the dashboard prints no address).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let command = format!(
        "{} --dir {} --no-bell --otlp-receive {addr}; sleep 30",
        env!("CARGO_BIN_EXE_ccwatch"),
        empty.path().display()
    );
    let home = home.path().display().to_string();
    let env = [("HOME", home.clone()), ("XDG_CONFIG_HOME", home)];
    let tmux = common::tmux::Tmux::start("receive", &command, &env, (120, 40));
    let capture = || tmux.capture();
    let deadline = Instant::now() + WAIT;
    while TcpStream::connect(&addr).is_err() {
        assert!(Instant::now() < deadline, "never listened: {}", capture());
        std::thread::sleep(Duration::from_millis(100));
    }
    send_claude_code_pushes(&addr);
    loop {
        let screen = capture();
        // The selected row (the panel's title names the session too).
        let row = screen.lines().find(|l| l.starts_with('▸'));
        let row = row.filter(|l| l.contains("⇄ 127.0.0.1") && l.contains("fae3d101"));
        if row.is_some_and(|l| l.contains("1.6%")) && screen.contains("Claude Code 2.1.197") {
            break;
        }
        assert!(Instant::now() < deadline, "the pane shows:\n{screen}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

// Bug: the OTLP receiver took any number of connections and never closed
// an idle one, so a sender holding many could use up ccwatch's file
// descriptors (and then its transcripts could not be opened). It now has
// `serve`'s bounds: a cap on connections, a deadline for headers.
#[test]
fn the_receiver_closes_idle_connections_and_takes_a_push_under_a_flood() {
    let empty = tempfile::tempdir().unwrap();
    let r = Receiver::start(empty.path(), &[]);
    let idle: Vec<TcpStream> = (0..300)
        .map(|_| TcpStream::connect(&r.addr).unwrap())
        .collect();
    (&idle[0])
        .write_all(b"POST /v1/metrics HTTP/1.1\r\nHo")
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let fds = std::fs::read_dir(format!("/proc/{}/fd", r.child.id()))
        .map(|d| d.count())
        .unwrap_or(0);
    assert!(fds < 150, "{fds} descriptors open for 300 idle connections");
    assert_eq!(
        r.post_json("/v1/metrics", &otlp_fixture("00-metrics.json")),
        200,
        "a push during the flood"
    );
    r.wait_for(SESSION, |s| s["tokens"]["input"] == 250);
    // The rest go when their header deadline (5 s) passes.
    std::thread::sleep(Duration::from_secs(7));
    let open = idle.iter().filter(|s| !closed_by_server(s)).count();
    assert_eq!(open, 0, "{open} idle connections still open");
}
