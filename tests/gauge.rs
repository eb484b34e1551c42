//! The window a session is measured against, end to end: a status-line call
//! leaves a hint that `status --json` then uses for that session only;
//! Claude Code's settings.json stands in without hints; hints that cannot
//! be trusted are ignored. Also the learned auto-compact point.

mod common;
use common::tmux::{Tmux, tmux_available};
use common::*;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;

const SID: &str = "6d1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b";
const OTHER: &str = "9e8d7c6b-5a49-4382-9176-5e4d3c2b1a00";

fn iso(ms: i64) -> String {
    ccwatch::record::format_timestamp(ms)
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// One Opus 4.6 response of `prompt` tokens at `at`, in `cwd`.
fn response(session: &str, cwd: &str, id: &str, at: i64, prompt: u64) -> String {
    format!(
        r#"{{"isSidechain":false,"cwd":"{cwd}","sessionId":"{session}","type":"assistant","message":{{"model":"claude-opus-4-6","id":"{id}","type":"message","role":"assistant","content":[],"usage":{{"input_tokens":10,"cache_creation_input_tokens":0,"cache_read_input_tokens":{},"output_tokens":5}}}},"requestId":"req_{id}","uuid":"u-{id}","timestamp":"{}"}}"#,
        prompt - 10,
        iso(at)
    ) + "\n"
}

/// A data dir (a Claude config root) with one 150k-token session.
fn data_with_session(root: &Path, at: i64) -> std::path::PathBuf {
    let data = root.join("claude");
    write(
        &data.join(format!("projects/-work-app/{SID}.jsonl")),
        response(SID, "/work/app", "msg_1", at, 150_000),
    );
    data
}

fn hint_input(session: &str) -> String {
    format!(
        r#"{{"session_id":"{session}","model":{{"id":"claude-opus-4-6[1m]","display_name":"Opus 4.6 (1M context)"}},
        "context_window":{{"context_window_size":1000000,"used_percentage":15,
        "current_usage":{{"input_tokens":10,"output_tokens":5,"cache_creation_input_tokens":0,"cache_read_input_tokens":149990}}}},
        "rate_limits":{{"five_hour":{{"used_percentage":42,"resets_at":{}}}}}}}"#,
        now_ms() / 1000 + 3600
    )
}

fn statusline(isolate: &Path, data: &Path, input: &str, now: Option<i64>) -> String {
    let mut cmd = ccwatch(isolate);
    if let Some(t) = now {
        cmd.env("CCWATCH_NOW", iso(t));
    }
    let out = fed(cmd.args(["statusline", "--dir"]).arg(data), input);
    String::from_utf8(out.stdout).unwrap()
}

fn context(isolate: &Path, data: &Path) -> Value {
    let st = json_of(
        ccwatch(isolate)
            .args(["status", "--json", "--dir"])
            .arg(data),
    );
    st["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["sessionId"] == SID)
        .unwrap()["context"]
        .clone()
}

fn window_of(c: &Value) -> (u64, String) {
    (
        c["window"].as_u64().unwrap(),
        c["windowSource"].as_str().unwrap().to_owned(),
    )
}

#[test]
fn without_any_source_the_window_is_the_200k_default() {
    let tmp = tempfile::tempdir().unwrap();
    let data = data_with_session(tmp.path(), now_ms() - 60_000);
    let c = context(tmp.path(), &data);
    assert_eq!(window_of(&c), (200_000, "default".into()));
    assert_eq!(c["percent"], 75.0);
}

#[test]
fn a_status_line_hint_gives_its_session_the_true_window() {
    let tmp = tempfile::tempdir().unwrap();
    let data = data_with_session(tmp.path(), now_ms() - 60_000);
    let line = statusline(tmp.path(), &data, &hint_input(SID), None);
    assert!(line.contains("/1M 15%"), "{line}");
    let hint = tmp.path().join(format!("ccwatch-cache/hints/{SID}.json"));
    assert!(hint.is_file(), "no hint written");
    let c = context(tmp.path(), &data);
    assert_eq!(window_of(&c), (1_000_000, "statusline".into()));
    assert_eq!(c["percent"], 15.0);
}

#[test]
fn a_hint_for_another_session_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let data = data_with_session(tmp.path(), now_ms() - 60_000);
    statusline(tmp.path(), &data, &hint_input(OTHER), None);
    assert!(
        tmp.path()
            .join(format!("ccwatch-cache/hints/{OTHER}.json"))
            .is_file()
    );
    let c = context(tmp.path(), &data);
    assert_eq!(window_of(&c), (200_000, "default".into()));
}

#[test]
fn a_corrupt_or_stale_hint_is_ignored() {
    let tmp = tempfile::tempdir().unwrap();
    let now = now_ms();
    let data = data_with_session(tmp.path(), now - 60_000);
    let hint = tmp.path().join(format!("ccwatch-cache/hints/{SID}.json"));
    write(&hint, b"{\"format\":1,\"sessionId\":\"6d1f");
    assert_eq!(
        window_of(&context(tmp.path(), &data)),
        (200_000, "default".into())
    );
    // Written two hours before the session's newest response: an earlier run.
    std::fs::remove_file(&hint).unwrap();
    statusline(tmp.path(), &data, &hint_input(SID), Some(now - 7_200_000));
    assert!(hint.is_file());
    assert_eq!(
        window_of(&context(tmp.path(), &data)),
        (200_000, "default".into())
    );
}

#[test]
fn settings_json_with_opus_1m_gives_the_window_without_hints() {
    let tmp = tempfile::tempdir().unwrap();
    let data = data_with_session(tmp.path(), now_ms() - 60_000);
    write(&data.join("settings.json"), r#"{"model":"opus[1m]"}"#);
    let c = context(tmp.path(), &data);
    assert_eq!(window_of(&c), (1_000_000, "settings".into()));
    assert_eq!(c["percent"], 15.0);
}

#[test]
fn the_auto_compact_point_is_learned_from_past_automatic_compactions() {
    let tmp = tempfile::tempdir().unwrap();
    let now = now_ms();
    let data = data_with_session(tmp.path(), now - 60_000);
    // An earlier session compacted automatically at 170k, then at 160k a
    // week later (counted twice as much); a manual one says nothing.
    let old = "1f2e3d4c-5b6a-4798-8877-665544332211";
    let week = 7 * 86_400_000;
    let mut lines = response(old, "/work/app", "m1", now - 2 * week, 169_000);
    lines += &boundary(old, "b1", now - 2 * week + 1, "auto", 170_000);
    lines += &response(old, "/work/app", "m2", now - week - 10, 159_000);
    lines += &boundary(old, "b2", now - week, "auto", 160_000);
    lines += &response(old, "/work/app", "m3", now - week + 10, 100_000);
    lines += &boundary(old, "b3", now - week + 20, "manual", 110_000);
    write(&data.join(format!("projects/-work-app/{old}.jsonl")), lines);
    let c = context(tmp.path(), &data);
    // (170k × 0.5 + 160k × 1) / 1.5
    assert_eq!(c["autoCompactAt"], 163_333);
    assert_eq!(c["autoCompactSource"], "learned");
}

#[test]
fn without_compactions_the_auto_compact_point_is_the_default_or_the_config() {
    let tmp = tempfile::tempdir().unwrap();
    let data = data_with_session(tmp.path(), now_ms() - 60_000);
    let c = context(tmp.path(), &data);
    assert_eq!(c["autoCompactAt"], 155_000);
    assert_eq!(c["autoCompactSource"], "default");
    let config = tmp.path().join("config.toml");
    write(&config, "auto_compact = 90\n");
    let st = json_of(
        ccwatch(tmp.path())
            .args(["status", "--json", "--config"])
            .arg(&config)
            .arg("--dir")
            .arg(&data),
    );
    let c = &st["sessions"][0]["context"];
    assert_eq!(c["autoCompactAt"], 180_000);
    assert_eq!(c["autoCompactSource"], "config");
}

fn boundary(session: &str, uuid: &str, at: i64, trigger: &str, pre: u64) -> String {
    format!(
        r#"{{"isSidechain":false,"cwd":"/work/app","sessionId":"{session}","type":"system","subtype":"compact_boundary","content":"Conversation compacted","timestamp":"{}","uuid":"{uuid}","level":"info","compactMetadata":{{"trigger":"{trigger}","preTokens":{pre}}}}}"#,
        iso(at)
    ) + "\n"
}

/// `ccwatch serve` on a free port; the address it printed.
struct Serve {
    child: std::process::Child,
    addr: String,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(isolate: &Path, data: &Path) -> Serve {
    use std::io::{BufRead, BufReader};
    let child = ccwatch(isolate)
        .args(["serve", "--listen", "127.0.0.1:0", "--dir"])
        .arg(data)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Killed and waited for on drop, whatever happens below.
    let mut server = Serve {
        child,
        addr: String::new(),
    };
    let stderr = server.child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while server.addr.is_empty() {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let line = rx.recv_timeout(left).expect("serve said where it listens");
        if let Some(rest) = line.split("http://").nth(1) {
            server.addr = rest.split('/').next().unwrap().to_owned();
        }
    }
    server
}

/// The `ccwatch_rate_limit_ratio` samples of one scrape, by window.
fn rate_limits(addr: &str) -> Vec<(String, f64)> {
    use std::io::Read;
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET /metrics HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let body = response.split_once("\r\n\r\n").unwrap().1;
    let scrape = prometheus_parse::Scrape::parse(body.lines().map(|l| Ok(l.to_owned()))).unwrap();
    scrape
        .samples
        .iter()
        .filter(|s| s.metric == "ccwatch_rate_limit_ratio")
        .map(|s| {
            let v = match s.value {
                prometheus_parse::Value::Gauge(v) | prometheus_parse::Value::Untyped(v) => v,
                ref other => panic!("{other:?}"),
            };
            (s.labels.get("window").unwrap_or("").to_owned(), v)
        })
        .collect()
}

#[test]
fn metrics_export_the_plan_limits_of_the_newest_hint_and_follow_new_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let data = data_with_session(tmp.path(), now_ms() - 60_000);
    let server = serve(tmp.path(), &data);
    assert_eq!(rate_limits(&server.addr), vec![], "nothing without a hint");
    statusline(tmp.path(), &data, &hint_input(SID), None);
    // The live engine looks at the hints folder every two seconds.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let got = rate_limits(&server.addr);
        if got == vec![("five_hour".to_owned(), 0.42)] {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "still {got:?}");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

#[test]
fn a_compacted_session_reads_compacted_from_not_tokens_of_the_window() {
    let tmp = tempfile::tempdir().unwrap();
    let now = now_ms();
    let data = data_with_session(tmp.path(), now - 60_000);
    let old = "1f2e3d4c-5b6a-4798-8877-665544332211";
    let mut lines = response(old, "/work/app", "m1", now - 120_000, 157_900);
    lines += &boundary(old, "b1", now - 100_000, "auto", 157_900);
    write(&data.join(format!("projects/-work-app/{old}.jsonl")), lines);
    let out = ccwatch(tmp.path())
        .args(["status", "--dir"])
        .arg(&data)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let row = text.lines().find(|l| l.contains("1f2e3d4c")).unwrap();
    assert!(row.contains("compacted from 157.9k"), "{row}");
    assert!(row.contains("waiting"), "{row}");
    assert!(!row.contains("/ 200k"), "{row}");
}

#[test]
fn the_status_line_of_a_compacted_session_says_compacted_from_and_waiting() {
    let tmp = tempfile::tempdir().unwrap();
    let now = now_ms();
    let data = tmp.path().join("claude");
    let path = data.join(format!("projects/-work-app/{SID}.jsonl"));
    let mut lines = response(SID, "/work/app", "m1", now - 120_000, 157_900);
    lines += &boundary(SID, "b1", now - 100_000, "auto", 157_900);
    write(&path, lines);
    // An older Claude Code: no context figures, so the transcript speaks.
    let input = format!(
        r#"{{"session_id":"{SID}","transcript_path":"{}","model":{{"id":"claude-opus-4-6","display_name":"Opus 4.6"}}}}"#,
        path.display()
    );
    let line = statusline(tmp.path(), &data, &input, None);
    assert!(
        line.starts_with("Opus 4.6 │ ctx compacted from 157.9k · waiting │"),
        "{line}"
    );
    assert!(!line.contains("/200k"), "{line}");
}

#[test]
fn the_events_text_of_a_compaction_says_compacted_from_and_waiting() {
    use std::io::{BufRead, BufReader};
    let tmp = tempfile::tempdir().unwrap();
    let now = now_ms();
    let data = data_with_session(tmp.path(), now - 60_000);
    let mut child = ccwatch(tmp.path())
        .args(["events", "--dir"])
        .arg(&data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let next = |want: &str| loop {
        let line = rx
            .recv_timeout(std::time::Duration::from_secs(20))
            .unwrap_or_else(|_| panic!("no line with {want:?}"));
        if line.contains(want) {
            break line;
        }
    };
    next("Watching");
    let path = data.join(format!("projects/-work-app/{SID}.jsonl"));
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    f.write_all(boundary(SID, "b1", now - 30_000, "auto", 150_000).as_bytes())
        .unwrap();
    drop(f);
    let line = next("context ");
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        line.ends_with("compacted from 150k · waiting for the next reply"),
        "{line}"
    );
    assert!(!line.contains("/ 200k"), "{line}");
}

// Bug: `events` and `serve` looked at the hints folder on a 2-second
// timer, so an idle ccwatch woke every two seconds with nothing to do. The
// folder is watched now: a hint the status line writes reaches `events` at
// once, with no transcript line written.
#[test]
fn events_takes_a_new_status_line_hint_without_a_transcript_line() {
    use std::io::{BufRead, BufReader};
    let tmp = tempfile::tempdir().unwrap();
    let data = data_with_session(tmp.path(), now_ms() - 60_000);
    let mut child = ccwatch(tmp.path())
        .args(["events", "--json", "--dir"])
        .arg(&data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let next = |want: &dyn Fn(&serde_json::Value) -> bool| loop {
        let line = rx
            .recv_timeout(std::time::Duration::from_secs(20))
            .expect("an event");
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        if want(&v) {
            break v;
        }
    };
    let ready = next(&|v| v["event"] == "ready");
    assert_eq!(ready["sessions"], 1, "{ready}");
    statusline(tmp.path(), &data, &hint_input(SID), None);
    let moved = next(&|v| v["event"] == "context");
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(moved["sessionId"], SID, "{moved}");
    assert_eq!(moved["session"]["context"]["window"], 1_000_000, "{moved}");
}

// ---- gaps: the dashboard shows the true window (issue 13) ----

/// The dashboard on `data` in a tmux pane of 80×30 (the panel below the
/// list, wide enough to say where a guess came from), with the cache
/// directory `ccwatch(isolate)` gives every other command, so a real
/// `ccwatch statusline` call reaches it. `None` (with a note) without
/// tmux, except on CI.
fn dashboard(name: &str, isolate: &Path, data: &Path) -> Option<Tmux> {
    if !tmux_available() {
        return None;
    }
    let command = format!(
        "{} --no-bell --dir {}; sleep 30",
        bin().display(),
        data.display()
    );
    let env = |k: &'static str, v: PathBuf| (k, v.display().to_string());
    let env = [
        env("HOME", isolate.join("home")),
        env("XDG_CONFIG_HOME", isolate.join("xdg-config")),
        env("XDG_CACHE_HOME", isolate.join("xdg-cache")),
        env("CCWATCH_CACHE_DIR", isolate.join("ccwatch-cache")),
    ];
    Some(Tmux::start(
        &format!("gauge-{name}"),
        &command,
        &env,
        (80, 30),
    ))
}

/// The session's row in the list.
fn row(screen: &str) -> &str {
    screen
        .lines()
        .find(|l| l.contains(&SID[..8]) && l.contains('%'))
        .unwrap_or("")
}

#[test]
fn the_dashboard_takes_the_1m_window_from_a_status_line_call() {
    let tmp = tempfile::tempdir().unwrap();
    let data = data_with_session(tmp.path(), now_ms() - 60_000);
    let Some(pane) = dashboard("hint", tmp.path(), &data) else {
        return;
    };
    // No hint yet: 150k of a guessed 200k.
    let screen = pane.wait_for("the 200k guess", |s| {
        s.contains("150k / 200k tokens") && s.contains("window guessed")
    });
    assert!(row(&screen).contains("75.0%"), "{screen}");
    // Claude Code calls the status line with its 1M window; the dashboard
    // reads the hint that call leaves, with no transcript line written.
    let line = statusline(tmp.path(), &data, &hint_input(SID), None);
    assert!(line.contains("/1M 15%"), "{line}");
    let screen = pane.wait_for("the 1M window", |s| s.contains("150k / 1M tokens"));
    assert!(row(&screen).contains("15.0%"), "{screen}");
    // Known for sure now: no guess is shown.
    assert!(!screen.contains("window guessed"), "{screen}");
    assert!(!screen.contains("200k"), "{screen}");
}

#[test]
fn the_dashboard_takes_the_1m_window_from_settings_json_without_hints() {
    let tmp = tempfile::tempdir().unwrap();
    let data = data_with_session(tmp.path(), now_ms() - 60_000);
    write(&data.join("settings.json"), r#"{"model":"opus[1m]"}"#);
    let Some(pane) = dashboard("settings", tmp.path(), &data) else {
        return;
    };
    let screen = pane.wait_for("the 1M window", |s| s.contains("150k / 1M tokens"));
    assert!(row(&screen).contains("15.0%"), "{screen}");
    assert!(
        screen.contains("window guessed from settings.json"),
        "{screen}"
    );
    // The dashboard watches the hints folder; nothing is in it.
    let hints = std::fs::read_dir(tmp.path().join("ccwatch-cache/hints"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(hints, 0, "no hint was written");
}
