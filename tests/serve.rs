//! `ccwatch serve`: a real process on a free loopback port, scraped over
//! HTTP and read with a Prometheus text-format parser.

mod common;

use common::{Line, ccwatch, fixtures};
use prometheus_parse::{Sample, Scrape, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(30);
const SESSION: &str = "323dbc2a-5849-4465-bd7a-e3c4e932cf0a";
const SONNET: &str = "claude-sonnet-4-5-20250929";

/// A running `ccwatch serve`, killed when dropped.
struct Server {
    child: Child,
    addr: String,
    _isolate: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Start on port 0 and read the bound address from stderr.
    fn start(dir: &Path, idle_timeout: &str) -> Server {
        let isolate = tempfile::tempdir().unwrap();
        let mut child = ccwatch(isolate.path())
            .args([
                "--idle-timeout",
                idle_timeout,
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--dir",
            ])
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut server = Server {
            child,
            addr: String::new(),
            _isolate: isolate,
        };
        let deadline = Instant::now() + WAIT;
        let mut seen = Vec::new();
        while server.addr.is_empty() {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => {
                    if let Some(rest) = line.split("http://").nth(1) {
                        server.addr = rest.split('/').next().unwrap().to_owned();
                    }
                    seen.push(line);
                }
                Err(_) => panic!("ccwatch serve did not say where it listens: {seen:?}"),
            }
        }
        server
    }

    /// GET a path; the status code and the body.
    fn get(&self, path: &str) -> (u16, String) {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        stream.set_read_timeout(Some(WAIT)).unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let (head, body) = response.split_once("\r\n\r\n").unwrap();
        let code = head.split(' ').nth(1).unwrap().parse().unwrap();
        (code, body.to_owned())
    }

    fn scrape(&self) -> Scrape {
        let (code, body) = self.get("/metrics");
        assert_eq!(code, 200, "{body}");
        Scrape::parse(body.lines().map(|l| Ok(l.to_owned()))).unwrap()
    }
}

fn num(v: &Value) -> f64 {
    match v {
        Value::Counter(n) | Value::Gauge(n) | Value::Untyped(n) => *n,
        other => panic!("not a plain number: {other:?}"),
    }
}

/// Sum of the samples of `metric` whose labels include all of `labels`.
fn sum(scrape: &Scrape, metric: &str, labels: &[(&str, &str)]) -> f64 {
    matching(scrape, metric, labels)
        .map(|s| num(&s.value))
        .sum()
}

fn matching<'a>(
    scrape: &'a Scrape,
    metric: &'a str,
    labels: &'a [(&str, &str)],
) -> impl Iterator<Item = &'a Sample> + 'a {
    scrape.samples.iter().filter(move |s| {
        s.metric == metric && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v))
    })
}

fn append(path: &Path, text: &str) {
    let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

fn session_file(dir: &Path) -> std::path::PathBuf {
    dir.join(format!("projects/-home-dev-src-webapp/{SESSION}.jsonl"))
}

fn now_stamp() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// Scrape until `done` holds, within the bounded wait.
fn wait_for(server: &Server, what: &str, done: impl Fn(&Scrape) -> bool) -> Scrape {
    let deadline = Instant::now() + WAIT;
    loop {
        let scrape = server.scrape();
        if done(&scrape) {
            return scrape;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

const TOKENS: &str = "claude_code_token_usage_tokens_total";
const KINDS: [(&str, &str); 4] = [
    ("input", "input"),
    ("output", "output"),
    ("cacheRead", "cache_read"),
    ("cacheCreation", "cache_creation"),
];

#[test]
fn metrics_match_the_fixture_and_counters_move_on_append() {
    let dir = common::sample_logs_copy();
    let expected = common::sample_expected();
    let server = Server::start(dir.path(), "1000000h");

    let (code, body) = server.get("/healthz");
    assert_eq!((code, body.as_str()), (200, "ok\n"));

    let scrape = server.scrape();
    for (kind, key) in KINDS {
        let want = expected["totals"][key].as_u64().unwrap() as f64;
        assert_eq!(sum(&scrape, TOKENS, &[("type", kind)]), want, "{kind}");
        for (model, sums) in expected["models"].as_object().unwrap() {
            let want = sums[key].as_u64().unwrap() as f64;
            let got = sum(&scrape, TOKENS, &[("type", kind), ("model", model)]);
            assert_eq!(got, want, "{kind} of {model}");
        }
    }
    let sessions = expected["sessions"].as_object().unwrap();
    for (id, s) in sessions {
        let project = s["project"].as_str().unwrap();
        for (kind, key) in KINDS {
            let want = s["tokens"][key].as_u64().unwrap() as f64;
            let got = sum(
                &scrape,
                TOKENS,
                &[("type", kind), ("session_id", id), ("project", project)],
            );
            assert_eq!(got, want, "{kind} of {id}");
        }
        let labels = [("session_id", id.as_str())];
        assert_eq!(
            sum(&scrape, "ccwatch_compactions_total", &labels),
            s["compactions"].as_u64().unwrap() as f64,
            "compactions of {id}"
        );
        let occupancy = s["context"]["occupancy"].as_u64().unwrap() as f64;
        let model = s["context"]["model"].as_str().unwrap();
        let labels = [("session_id", id.as_str()), ("model", model)];
        assert_eq!(sum(&scrape, "ccwatch_context_tokens", &labels), occupancy);
        let window = sum(&scrape, "ccwatch_context_window_tokens", &labels);
        assert!(window > 0.0, "{id} has a window");
        let ratio = sum(&scrape, "ccwatch_context_ratio", &labels);
        assert!((ratio - occupancy / window).abs() < 1e-6, "ratio of {id}");
    }
    assert_eq!(
        matching(&scrape, "ccwatch_context_ratio", &[]).count(),
        sessions.len()
    );
    assert_eq!(
        sum(&scrape, "ccwatch_files_watched", &[]),
        expected["files"].as_u64().unwrap() as f64
    );

    // Cost agrees with `status --json`, which prices the same way.
    let status = common::status_json(dir.path());
    let cost = sum(&scrape, "claude_code_cost_usage_USD_total", &[]);
    let want = status["totals"]["costUSD"].as_f64().unwrap();
    assert!((cost - want).abs() < 1e-6, "cost {cost} vs {want}");

    // Nothing in the exposition comes from what was said in the sessions.
    let (_, body) = server.get("/metrics");
    for line in body.lines().filter(|l| !l.starts_with('#')) {
        assert!(!line.contains("Conversation"), "{line}");
    }

    // One more response in a session: its counters move by its tokens, its
    // context follows, and the climb to 90% crosses the 70% and 85% alerts.
    let before = |kind| sum(&scrape, TOKENS, &[("type", kind), ("session_id", SESSION)]);
    let (input0, read0, output0) = (before("input"), before("cacheRead"), before("output"));
    let stamp = now_stamp();
    let mut line = Line::new(SESSION, "msg_serve_1", &stamp, 180_000, 700);
    line.text = "the answer";
    append(&session_file(dir.path()), &line.json());
    let moved = |s: &Scrape| {
        sum(s, TOKENS, &[("type", "output"), ("session_id", SESSION)]) == output0 + 700.0
    };
    let scrape = wait_for(&server, "the appended line's tokens", moved);
    let after = |kind| sum(&scrape, TOKENS, &[("type", kind), ("session_id", SESSION)]);
    assert_eq!(after("input"), input0 + 3.0);
    assert_eq!(after("cacheRead"), read0 + 179_997.0);
    let labels = [("session_id", SESSION), ("model", SONNET)];
    assert_eq!(sum(&scrape, "ccwatch_context_tokens", &labels), 180_000.0);
    let crossings = "ccwatch_threshold_crossings_total";
    for level in ["70", "85"] {
        let labels = [("session_id", SESSION), ("level", level)];
        assert_eq!(sum(&scrape, crossings, &labels), 1.0, "level {level}");
    }
    assert_eq!(
        sum(
            &scrape,
            crossings,
            &[("session_id", SESSION), ("level", "95")]
        ),
        0.0
    );
    let total = |s: &Scrape, kind| sum(s, TOKENS, &[("type", kind)]);
    assert_eq!(
        total(&scrape, "output"),
        expected["totals"]["output"].as_u64().unwrap() as f64 + 700.0
    );
}

#[test]
fn idle_sessions_leave_the_gauges_and_return_when_active() {
    let dir = common::sample_logs_copy();
    // The sample sessions are weeks old: idle under a 30-minute timeout.
    let server = Server::start(dir.path(), "30m");
    let scrape = server.scrape();
    assert_eq!(matching(&scrape, "ccwatch_context_tokens", &[]).count(), 0);
    assert_eq!(matching(&scrape, "ccwatch_context_ratio", &[]).count(), 0);
    // Their usage still counts.
    assert!(sum(&scrape, TOKENS, &[("session_id", SESSION)]) > 0.0);

    let stamp = now_stamp();
    let line = Line::new(SESSION, "msg_serve_2", &stamp, 100_000, 10);
    append(&session_file(dir.path()), &line.json());
    let labels = [("session_id", SESSION)];
    let scrape = wait_for(&server, "the session to be live again", |s| {
        matching(s, "ccwatch_context_ratio", &labels).count() == 1
    });
    assert_eq!(sum(&scrape, "ccwatch_context_ratio", &labels), 0.5);
    assert_eq!(matching(&scrape, "ccwatch_context_ratio", &[]).count(), 1);
}

#[test]
fn a_non_loopback_address_needs_allow_remote() {
    let isolate = tempfile::tempdir().unwrap();
    let out = ccwatch(isolate.path())
        .args(["serve", "--listen", "0.0.0.0:0", "--dir"])
        .arg(fixtures().join("sample-logs"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--allow-remote"), "{err}");
}

/// A real Prometheus server, killed when dropped.
struct Prometheus {
    child: Child,
    addr: String,
    dir: tempfile::TempDir,
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Prometheus {
    /// Start one scraping `target` every second, on a free loopback port.
    fn start(target: &str) -> Prometheus {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("prometheus.yml");
        common::write(
            &config,
            format!(
                "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n\
                 scrape_configs:\n  - job_name: ccwatch\n    static_configs:\n      - targets: [\"{target}\"]\n"
            ),
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr = format!("127.0.0.1:{port}");
        let log = std::fs::File::create(dir.path().join("prometheus.log")).unwrap();
        let child = std::process::Command::new("prometheus")
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address={addr}"))
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("starting prometheus");
        Prometheus { child, addr, dir }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("prometheus.log")).unwrap_or_default()
    }

    /// An instant query through the HTTP API: each series' labels and value.
    /// `None` while Prometheus is not answering yet.
    fn query(&self, promql: &str) -> Option<Vec<(serde_json::Value, f64)>> {
        let mut stream = TcpStream::connect(&self.addr).ok()?;
        stream.set_read_timeout(Some(WAIT)).ok()?;
        write!(
            stream,
            "GET /api/v1/query?query={} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            percent_encode(promql),
            self.addr
        )
        .ok()?;
        let mut response = String::new();
        stream.read_to_string(&mut response).ok()?;
        let (_, body) = response.split_once("\r\n\r\n")?;
        let body: serde_json::Value = serde_json::from_str(body).ok()?;
        if body["status"] != "success" {
            return None;
        }
        let series = body["data"]["result"].as_array()?;
        series
            .iter()
            .map(|s| Some((s["metric"].clone(), s["value"][1].as_str()?.parse().ok()?)))
            .collect()
    }

    /// Query until `done` holds for the answer, within a bounded wait.
    fn wait_for(
        &self,
        promql: &str,
        done: impl Fn(&[(serde_json::Value, f64)]) -> bool,
    ) -> Vec<(serde_json::Value, f64)> {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut last = None;
        loop {
            if let Some(answer) = self.query(promql) {
                if done(&answer) {
                    return answer;
                }
                last = Some(answer);
            }
            assert!(
                Instant::now() < deadline,
                "Prometheus never answered {promql} as expected; last answer {last:?}; its log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }
}

/// Enough of URL encoding for a PromQL query string.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn prometheus_available() -> bool {
    let found = std::process::Command::new("prometheus")
        .arg("--version")
        .output()
        .is_ok();
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "prometheus is required on CI for the end-to-end scrape test"
        );
        eprintln!("note: prometheus is not installed; skipping the end-to-end scrape test");
    }
    found
}

/// A stock Prometheus scrapes `ccwatch serve` on loopback, and the queries
/// the README gives for Grafana answer with the fixture's numbers.
#[test]
fn a_real_prometheus_scrapes_context_and_tokens_per_session() {
    if !prometheus_available() {
        return;
    }
    let dir = common::sample_logs_copy();
    let expected = common::sample_expected();
    let status = common::status_json(dir.path());
    let server = Server::start(dir.path(), "1000000h");
    let prometheus = Prometheus::start(&server.addr);

    // The README's panel query: context % per session.
    let sessions = expected["sessions"].as_object().unwrap();
    let answer = prometheus.wait_for("100 * ccwatch_context_ratio", |series| {
        series.len() == sessions.len()
    });
    for (labels, percent) in &answer {
        let id = labels["session_id"].as_str().unwrap();
        let session = status["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["sessionId"] == id)
            .unwrap_or_else(|| panic!("{id} is not in status"));
        let context = &session["context"];
        let want =
            100.0 * context["tokens"].as_f64().unwrap() / context["window"].as_f64().unwrap();
        assert!((percent - want).abs() < 1e-6, "{id}: {percent} vs {want}");
        assert_eq!(labels["project"], sessions[id]["project"], "{id}");
        assert_eq!(labels["model"], sessions[id]["context"]["model"], "{id}");
        assert_eq!(labels["job"], "ccwatch");
    }

    // Tokens per session, summed over models, as a dashboard would.
    let answer = prometheus.wait_for(
        "sum by (session_id) (claude_code_token_usage_tokens_total{type=\"output\"})",
        |series| series.len() == sessions.len(),
    );
    for (labels, output) in &answer {
        let id = labels["session_id"].as_str().unwrap();
        let want = sessions[id]["tokens"]["output"].as_f64().unwrap();
        assert_eq!(*output, want, "output tokens of {id}");
    }
}

// ---- session state (issue 20) ----

#[test]
fn metrics_count_sessions_by_state_and_give_each_live_ones() {
    let data = tempfile::tempdir().unwrap();
    let id = "5e551020-0000-4000-8000-000000000020";
    let path = data
        .path()
        .join("projects/-home-dev-src-app")
        .join(format!("{id}.jsonl"));
    let ts = (chrono::Utc::now() - chrono::Duration::seconds(30))
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    let line = serde_json::json!({
        "type": "assistant", "sessionId": id, "cwd": "/home/dev/src/app", "timestamp": ts,
        "isSidechain": false, "requestId": "req_1",
        "message": {"id": "msg_1", "model": "claude-sonnet-4-5-20250929", "role": "assistant",
            "content": [{"type": "text", "text": "done"}], "stop_reason": "end_turn",
            "usage": {"input_tokens": 1, "output_tokens": 2}}
    });
    common::write(&path, line.to_string() + "\n");
    // Held open, as a running Claude Code is seen on Linux.
    let mut holder = std::process::Command::new("sleep")
        .arg("60")
        .stdin(std::fs::File::open(&path).unwrap())
        .spawn()
        .unwrap();
    let server = Server::start(data.path(), "30m");
    let (_, body) = server.get("/metrics");
    let _ = holder.kill();
    let _ = holder.wait();
    assert!(
        body.contains("ccwatch_sessions{state=\"waiting\"} 1"),
        "{body}"
    );
    assert!(
        body.contains("ccwatch_sessions{state=\"working\"} 0"),
        "{body}"
    );
    let mine = format!("ccwatch_session_state{{session_id=\"{id}\",state=\"waiting\"}} 1");
    assert!(body.contains(&mine), "{body}");
    let working = format!("ccwatch_session_state{{session_id=\"{id}\",state=\"working\"}} 0");
    assert!(body.contains(&working), "{body}");
}
