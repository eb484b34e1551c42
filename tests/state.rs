//! Session state (working, waiting, compacting, idle, ended) through the
//! real binary: `status --json` after each append, in the order Claude Code
//! writes lines (a tool result between two lines of one response), through
//! the index and without it, and `events --json` while lines arrive.

mod common;
use common::*;
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

const SESSION: &str = "5e551017-0000-4000-8000-000000000001";

/// A timestamp `secs_ago` seconds before the tests started, as Claude Code
/// writes them (one base, so the same call gives the same text).
fn ago(secs_ago: i64) -> String {
    static BASE: std::sync::OnceLock<chrono::DateTime<chrono::Utc>> = std::sync::OnceLock::new();
    let base = *BASE.get_or_init(chrono::Utc::now);
    let t = base - chrono::Duration::seconds(secs_ago);
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

fn head(kind: &str, ts: &str) -> String {
    format!(
        r#""parentUuid":null,"isSidechain":false,"userType":"external","cwd":"/home/dev/src/app","sessionId":"{SESSION}","version":"2.1.197","type":"{kind}","uuid":"u-{ts}","timestamp":"{ts}""#
    )
}

/// One line of a response: `blocks` are `("text", _)` or `(tool id, name)`.
fn response(msg: &str, ts: &str, stop: &str, blocks: &[(&str, &str)]) -> String {
    let content: Vec<String> = blocks
        .iter()
        .map(|(id, name)| match *id {
            "text" => format!(r#"{{"type":"text","text":"{name}"}}"#),
            _ => format!(
                r#"{{"type":"tool_use","id":"{id}","name":"{name}","input":{{"command":"ls \"x\""}}}}"#
            ),
        })
        .collect();
    format!(
        r#"{{{},"message":{{"model":"claude-opus-4-8","id":"{msg}","type":"message","role":"assistant","content":[{}],"stop_reason":{stop},"usage":{{"input_tokens":5,"cache_creation_input_tokens":100,"cache_read_input_tokens":20000,"output_tokens":40}}}},"requestId":"req_{msg}"}}"#,
        head("assistant", ts),
        content.join(",")
    ) + "\n"
}

fn result(ts: &str, tool: &str) -> String {
    format!(
        r#"{{{},"message":{{"role":"user","content":[{{"tool_use_id":"{tool}","type":"tool_result","content":"total 0\nusage: none"}}]}},"toolUseResult":{{"stdout":"total 0"}}}}"#,
        head("user", ts)
    ) + "\n"
}

fn prompt(ts: &str, text: &str) -> String {
    format!(
        r#"{{{},"message":{{"role":"user","content":"{text}"}}}}"#,
        head("user", ts)
    ) + "\n"
}

fn boundary(ts: &str, trigger: &str) -> String {
    format!(
        r#"{{{},"subtype":"compact_boundary","content":"Conversation compacted","compactMetadata":{{"trigger":"{trigger}","preTokens":160000}}}}"#,
        head("system", ts)
    ) + "\n"
}

fn summary(ts: &str) -> String {
    format!(
        r#"{{{},"isCompactSummary":true,"message":{{"role":"user","content":"This session is being continued from a previous conversation."}}}}"#,
        head("user", ts)
    ) + "\n"
}

fn append(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

/// A process that holds a file open, as a running Claude Code is seen on
/// Linux; killed when dropped.
struct Holder(Child);

impl Holder {
    fn open(path: &Path) -> Holder {
        let file = std::fs::File::open(path).unwrap();
        Holder(
            std::process::Command::new("sleep")
                .arg("600")
                .stdin(file)
                .spawn()
                .unwrap(),
        )
    }
}

impl Drop for Holder {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct Data {
    dir: tempfile::TempDir,
    transcript: PathBuf,
}

fn data() -> Data {
    let dir = tempfile::tempdir().unwrap();
    let transcript = dir
        .path()
        .join("projects/-home-dev-src-app")
        .join(format!("{SESSION}.jsonl"));
    append(&transcript, "");
    Data { dir, transcript }
}

fn session(d: &Data, extra: &[&str]) -> Value {
    let mut cmd = ccwatch(d.dir.path());
    cmd.args(["status", "--json", "--dir"])
        .arg(d.dir.path())
        .args(extra);
    let v = json_of(&mut cmd);
    v["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["sessionId"] == SESSION)
        .cloned()
        .unwrap_or(Value::Null)
}

/// State, what it waits for, and the names of the tools without a result.
fn state(s: &Value) -> (String, String, Vec<String>) {
    let tools = s["tools"]
        .as_array()
        .map(|t| {
            t.iter()
                .map(|t| t["name"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default();
    (
        s["state"].as_str().unwrap_or("none").to_owned(),
        s["waitingFor"].as_str().unwrap_or("null").to_owned(),
        tools,
    )
}

fn expect(d: &Data, want: (&str, &str, &[&str])) -> Value {
    let want = (
        want.0.to_owned(),
        want.1.to_owned(),
        want.2.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
    );
    // Through the index (each run resumes where the last stopped) and
    // from scratch: the same state.
    let indexed = session(d, &[]);
    assert_eq!(state(&indexed), want, "through the index: {indexed}");
    // Nothing changed since: the state comes from the stored ledger alone.
    let reused = session(d, &[]);
    assert_eq!(state(&reused), want, "from the stored index: {reused}");
    let fresh = session(d, &["--no-cache"]);
    assert_eq!(state(&fresh), want, "without the index: {fresh}");
    indexed
}

#[test]
fn every_state_and_transition_in_claude_codes_order() {
    let d = data();
    let _running = Holder::open(&d.transcript);
    append(&d.transcript, &prompt(&ago(100), "fix the build"));
    let s = expect(&d, ("working", "model", &[]));
    assert_eq!(s["stateSince"], ago(100));

    // A tool call without a result.
    append(
        &d.transcript,
        &response(
            "msg_1",
            &ago(95),
            "null",
            &[("text", "Let me look."), ("toolu_a", "Bash")],
        ),
    );
    expect(&d, ("working", "Bash", &["Bash"]));
    // The table for people says it too.
    let out = ccwatch(d.dir.path())
        .args(["status", "--dir"])
        .arg(d.dir.path())
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains(" STATE ") && table.contains("working (Bash)"),
        "{table}"
    );
    append(&d.transcript, &result(&ago(90), "toolu_a"));
    expect(&d, ("working", "model", &[]));

    // A parallel pair, its first result written between the response's two
    // lines, the second result missing.
    append(
        &d.transcript,
        &response("msg_2", &ago(80), "null", &[("toolu_b", "Read")]),
    );
    append(&d.transcript, &result(&ago(79), "toolu_b"));
    append(
        &d.transcript,
        &response("msg_2", &ago(80), "\"tool_use\"", &[("toolu_c", "Grep")]),
    );
    let s = expect(&d, ("working", "Grep", &["Grep"]));
    assert_eq!(s["tools"][0]["since"], ago(80));
    append(&d.transcript, &result(&ago(70), "toolu_c"));
    expect(&d, ("working", "model", &[]));

    // end_turn: waiting for the person, since that response.
    append(
        &d.transcript,
        &response("msg_3", &ago(60), "\"end_turn\"", &[("text", "Done.")]),
    );
    let s = expect(&d, ("waiting", "you", &[]));
    assert_eq!(s["stateSince"], ago(60));

    // A prompt, then a compaction in flight, then its summary.
    append(&d.transcript, &prompt(&ago(50), "/compact"));
    expect(&d, ("working", "model", &[]));
    append(&d.transcript, &boundary(&ago(40), "manual"));
    let s = expect(&d, ("compacting", "compaction", &[]));
    assert_eq!(s["stateSince"], ago(40));
    append(&d.transcript, &summary(&ago(39)));
    expect(&d, ("waiting", "you", &[]));
}

#[test]
fn an_automatic_compaction_goes_on_working_and_a_long_silence_is_idle() {
    let d = data();
    let _running = Holder::open(&d.transcript);
    append(
        &d.transcript,
        &response("msg_1", &ago(3000), "null", &[("toolu_a", "Bash")]),
    );
    // Quiet for 50 minutes, longer than the default idle timeout.
    let s = session(&d, &[]);
    assert_eq!(state(&s).0, "idle");
    let config = d.dir.path().join("two-hours.toml");
    std::fs::write(&config, "idle_timeout = \"2h\"\n").unwrap();
    let config = config.to_str().unwrap();
    assert_eq!(state(&session(&d, &["--config", config])).0, "working");
    append(&d.transcript, &boundary(&ago(20), "auto"));
    expect(&d, ("compacting", "compaction", &[]));
    append(&d.transcript, &summary(&ago(10)));
    expect(&d, ("working", "model", &[]));
}

#[cfg(target_os = "linux")]
#[test]
fn a_session_ends_when_no_process_holds_its_transcript() {
    let d = data();
    append(&d.transcript, &prompt(&ago(10), "hello"));
    let running = Holder::open(&d.transcript);
    assert_eq!(state(&session(&d, &[])).0, "working");
    drop(running);
    let s = session(&d, &[]);
    assert_eq!(state(&s), ("ended".into(), "null".into(), vec![]));
    assert_eq!(s["stateSince"], ago(10));
}

/// The running `events --json`; killed when dropped.
struct Events {
    child: Child,
    lines: Receiver<Value>,
}

impl Drop for Events {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Events {
    fn start(root: &Path, extra: &[&str]) -> Events {
        let mut child = ccwatch(root)
            .args(["events", "--json"])
            .args(extra)
            .arg("--dir")
            .arg(root)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let Ok(v) = serde_json::from_str::<Value>(&line) else {
                    break;
                };
                if tx.send(v).is_err() {
                    break;
                }
            }
        });
        let mut ev = Events { child, lines: rx };
        ev.next_where(|e| e["event"] == "ready", "ready");
        ev
    }

    fn next_where(&mut self, want: impl Fn(&Value) -> bool, what: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(v) if want(&v) => return v,
                Ok(_) => {}
                Err(_) => panic!("no {what} event"),
            }
        }
    }

    fn next_state(&mut self) -> (String, String) {
        let v = self.next_where(|e| e["event"] == "state", "state");
        (
            v["state"].as_str().unwrap_or("none").to_owned(),
            v["session"]["waitingFor"]
                .as_str()
                .unwrap_or("null")
                .to_owned(),
        )
    }
}

#[test]
fn events_follow_the_state_line_by_line() {
    let d = data();
    let _running = Holder::open(&d.transcript);
    append(&d.transcript, &prompt(&ago(30), "go"));
    let mut events = Events::start(d.dir.path(), &[]);
    append(
        &d.transcript,
        &response("msg_1", &ago(20), "null", &[("toolu_a", "Bash")]),
    );
    assert_eq!(events.next_state(), ("working".into(), "Bash".into()));
    append(&d.transcript, &result(&ago(19), "toolu_a"));
    assert_eq!(events.next_state(), ("working".into(), "model".into()));
    append(
        &d.transcript,
        &response("msg_2", &ago(18), "\"end_turn\"", &[("text", "ok")]),
    );
    let v = events.next_where(|e| e["event"] == "state", "state");
    assert_eq!(v["state"], "waiting");
    assert_eq!(v["previous"], "working");
    assert_eq!(v["session"]["stateSince"], ago(18));
}

/// Every key `want` has, `got` has too, with the same value; arrays of
/// objects element by element and of the same length.
fn subset(got: &Value, want: &Value, at: &str, wrong: &mut Vec<String>) {
    match (got, want) {
        (Value::Object(g), Value::Object(w)) => {
            for (k, wv) in w {
                subset(
                    g.get(k).unwrap_or(&Value::Null),
                    wv,
                    &format!("{at}.{k}"),
                    wrong,
                );
            }
        }
        (Value::Array(g), Value::Array(w)) if w.iter().all(Value::is_object) => {
            if g.len() != w.len() {
                wrong.push(format!("{at}: {} items, want {}", g.len(), w.len()));
            }
            for (i, (gv, wv)) in g.iter().zip(w).enumerate() {
                subset(gv, wv, &format!("{at}[{i}]"), wrong);
            }
        }
        _ if got != want => wrong.push(format!("{at}: got {got}, want {want}")),
        _ => {}
    }
}

#[test]
fn the_agent_tree_nests_both_layouts_and_workflow_agents_running_first() {
    let case = fixtures().join("cases/agent-tree-nested");
    let want: Value =
        serde_json::from_str(&std::fs::read_to_string(case.join("expected.json")).unwrap())
            .unwrap();
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&case.join("projects"), &dir.path().join("projects"));
    let main = dir
        .path()
        .join("projects/-home-dev-src-app/a9e3c1d0-1111-4222-8333-444455556666.jsonl");
    let _running = Holder::open(&main);
    // The fixture's day counts as now.
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "idle_timeout = \"3650d\"\n").unwrap();
    let status = json_of(
        ccwatch(dir.path())
            .args(["status", "--json", "--config"])
            .arg(&config)
            .arg("--dir")
            .arg(dir.path()),
    );
    let s = &status["sessions"][0];
    let mut wrong = Vec::new();
    subset(&s["state"], &want["state"]["state"], "state", &mut wrong);
    subset(
        &s["waitingFor"],
        &want["state"]["waitingFor"],
        "waitingFor",
        &mut wrong,
    );
    subset(&s["agents"], &want["agents"], "agents", &mut wrong);
    assert!(wrong.is_empty(), "{}\n{}", wrong.join("\n"), s["agents"]);
    let a3 = &s["agents"][0]["agents"][0];
    assert_eq!(a3["tokens"]["cacheRead"], 500);
    assert_eq!(a3["model"], "claude-sonnet-4-5-20250929");
    assert!(a3["costUSD"].as_f64().unwrap() > 0.0);
    // a3 has worked from its prompt (10:00:31) to now: days.
    assert!(a3["elapsedMs"].as_i64().unwrap() > 86_400_000);
    // a1 is done: from its prompt to its answer, 104 s.
    assert_eq!(s["agents"][2]["elapsedMs"], 104_000);
    // With the default idle timeout the old day is long quiet: no agent runs.
    let quiet = json_of(
        ccwatch(dir.path())
            .args(["status", "--json", "--dir"])
            .arg(dir.path()),
    );
    let states: Vec<&str> = quiet["sessions"][0]["agents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["state"].as_str().unwrap())
        .collect();
    assert!(!states.contains(&"working"), "{states:?}");
}

#[test]
fn events_say_when_a_waiting_session_goes_idle_without_a_line_written() {
    let d = data();
    let _running = Holder::open(&d.transcript);
    let config = d.dir.path().join("config.toml");
    std::fs::write(&config, "idle_timeout = \"3s\"\n").unwrap();
    let mut events = Events::start(d.dir.path(), &["--config", config.to_str().unwrap()]);
    let now = chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    append(
        &d.transcript,
        &response("msg_1", &now, "\"end_turn\"", &[("text", "ok")]),
    );
    let v = events.next_where(|e| e["event"] == "appeared", "appeared");
    assert_eq!(v["session"]["state"], "waiting");
    let v = events.next_where(|e| e["event"] == "state", "state");
    assert_eq!(
        (&v["state"], &v["previous"]),
        (&Value::from("idle"), &Value::from("waiting"))
    );
    assert_eq!(v["session"]["stateSince"], now.as_str());
}

// ---- gaps: state events while lines are appended (issue 20) ----

impl Events {
    /// The next `state` event, whole, waiting at most `secs` seconds.
    fn state_within(&mut self, secs: u64) -> Value {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(v) if v["event"] == "state" => return v,
                Ok(_) => {}
                Err(_) => panic!("no state event within {secs} s"),
            }
        }
    }

    /// No `state` event comes for `ms` milliseconds.
    fn no_state_for(&mut self, ms: u64) {
        let deadline = Instant::now() + Duration::from_millis(ms);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(v) if v["event"] == "state" => panic!("unexpected state event: {v}"),
                Ok(_) => {}
                Err(_) => return,
            }
        }
    }
}

/// A state event's state, previous state, what it waits for, and the
/// names of the tools still without a result.
fn event_state(v: &Value) -> (String, String, String, Vec<String>) {
    let (_, waiting_for, tools) = state(&v["session"]);
    (
        v["state"].as_str().unwrap_or("none").to_owned(),
        v["previous"].as_str().unwrap_or("none").to_owned(),
        waiting_for,
        tools,
    )
}

fn want(
    state: &str,
    previous: &str,
    waiting_for: &str,
    tools: &[&str],
) -> (String, String, String, Vec<String>) {
    (
        state.to_owned(),
        previous.to_owned(),
        waiting_for.to_owned(),
        tools.iter().map(|s| s.to_string()).collect(),
    )
}

#[test]
fn events_follow_a_parallel_pair_whose_second_result_comes_late() {
    let d = data();
    let _running = Holder::open(&d.transcript);
    append(&d.transcript, &prompt(&ago(30), "look around"));
    let mut events = Events::start(d.dir.path(), &[]);
    // Claude Code writes each tool call of one response as a line of its
    // own, the same message id on both.
    append(
        &d.transcript,
        &response("msg_1", &ago(25), "null", &[("toolu_r", "Read")]),
    );
    let v = events.state_within(20);
    assert_eq!(
        event_state(&v),
        want("working", "working", "Read", &["Read"])
    );
    append(
        &d.transcript,
        &response("msg_1", &ago(25), "\"tool_use\"", &[("toolu_g", "Grep")]),
    );
    let v = events.state_within(20);
    assert_eq!(
        event_state(&v),
        want("working", "working", "Read, Grep", &["Read", "Grep"])
    );
    // The first result arrives, the second does not: still working, on
    // the tool whose result is missing, since its call.
    append(&d.transcript, &result(&ago(20), "toolu_r"));
    let v = events.state_within(20);
    assert_eq!(
        event_state(&v),
        want("working", "working", "Grep", &["Grep"])
    );
    assert_eq!(v["session"]["tools"][0]["since"], ago(25));
    events.no_state_for(1500);
    // The second result: the model works on.
    append(&d.transcript, &result(&ago(10), "toolu_g"));
    let v = events.state_within(20);
    assert_eq!(event_state(&v), want("working", "working", "model", &[]));

    // Again with the first result written between the response's two
    // lines, as Claude Code does when a tool ends before the model has
    // finished writing.
    append(
        &d.transcript,
        &response("msg_2", &ago(9), "null", &[("toolu_b", "Bash")]),
    );
    assert_eq!(
        event_state(&events.state_within(20)),
        want("working", "working", "Bash", &["Bash"])
    );
    append(&d.transcript, &result(&ago(8), "toolu_b"));
    assert_eq!(
        event_state(&events.state_within(20)),
        want("working", "working", "model", &[])
    );
    append(
        &d.transcript,
        &response("msg_2", &ago(9), "\"tool_use\"", &[("toolu_w", "WebFetch")]),
    );
    assert_eq!(
        event_state(&events.state_within(20)),
        want("working", "working", "WebFetch", &["WebFetch"])
    );
    append(&d.transcript, &result(&ago(5), "toolu_w"));
    assert_eq!(
        event_state(&events.state_within(20)),
        want("working", "working", "model", &[])
    );
    append(
        &d.transcript,
        &response("msg_3", &ago(4), "\"end_turn\"", &[("text", "Found it.")]),
    );
    let v = events.state_within(20);
    assert_eq!(event_state(&v), want("waiting", "working", "you", &[]));
    assert_eq!(v["session"]["stateSince"], ago(4));
}

#[test]
fn events_say_compacting_until_the_summary_arrives() {
    let d = data();
    let _running = Holder::open(&d.transcript);
    append(
        &d.transcript,
        &response("msg_1", &ago(60), "\"end_turn\"", &[("text", "Done.")]),
    );
    let mut events = Events::start(d.dir.path(), &[]);
    // The person asks for a compaction.
    append(&d.transcript, &prompt(&ago(50), "/compact"));
    assert_eq!(
        event_state(&events.state_within(20)),
        want("working", "waiting", "model", &[])
    );
    append(&d.transcript, &boundary(&ago(40), "manual"));
    let v = events.state_within(20);
    assert_eq!(
        event_state(&v),
        want("compacting", "working", "compaction", &[])
    );
    assert_eq!(v["session"]["stateSince"], ago(40));
    // In flight: nothing changes until the summary is written.
    events.no_state_for(1500);
    append(&d.transcript, &summary(&ago(35)));
    assert_eq!(
        event_state(&events.state_within(20)),
        want("waiting", "compacting", "you", &[])
    );

    // An automatic compaction in the middle of a turn: the turn goes on
    // once the summary is in.
    append(&d.transcript, &prompt(&ago(30), "go on"));
    assert_eq!(
        event_state(&events.state_within(20)),
        want("working", "waiting", "model", &[])
    );
    append(&d.transcript, &boundary(&ago(20), "auto"));
    assert_eq!(
        event_state(&events.state_within(20)),
        want("compacting", "working", "compaction", &[])
    );
    events.no_state_for(1500);
    append(&d.transcript, &summary(&ago(15)));
    assert_eq!(
        event_state(&events.state_within(20)),
        want("working", "compacting", "model", &[])
    );
}

#[cfg(target_os = "linux")]
#[test]
fn events_say_ended_when_the_process_holding_the_transcript_exits() {
    let d = data();
    append(&d.transcript, &prompt(&ago(5), "hello"));
    let running = Holder::open(&d.transcript);
    let mut events = Events::start(d.dir.path(), &[]);
    // While the holder runs, the session works: nothing ends it, even
    // past a process check (every 10 s).
    events.no_state_for(11_000);
    drop(running);
    // The next process check (at most 10 s away) sees no holder.
    let v = events.state_within(30);
    assert_eq!(event_state(&v), want("ended", "working", "null", &[]));
    assert_eq!(v["sessionId"], SESSION);
    assert_eq!(v["session"]["stateSince"], ago(5));
}
