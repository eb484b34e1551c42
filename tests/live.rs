//! The live engine keeps the numbers exact while files grow, shrink and
//! move: `ccwatch events --json` runs while a test writes transcripts in
//! random-sized chunks (cutting lines and UTF-8 sequences anywhere), then
//! truncates one file, replaces another, deletes a third and adds a
//! directory. The state rebuilt from the event stream must equal a fresh
//! `ccwatch status --json` of the same files.

mod common;
use common::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// The running `events` process; killed when dropped, even on failure.
struct Events {
    child: Child,
    lines: Receiver<Value>,
    /// Latest snapshot per session, and the latest totals line.
    sessions: BTreeMap<String, Value>,
    totals: Option<Value>,
    seen: Vec<Value>,
}

impl Drop for Events {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Events {
    fn start(root: &Path, extra_env: &[(&str, &str)]) -> Events {
        let mut cmd = ccwatch(root);
        cmd.args(["events", "--json", "--dir"])
            .arg(root)
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let v: Value = serde_json::from_str(&line).expect("every events line is JSON");
                if tx.send(v).is_err() {
                    break;
                }
            }
        });
        let mut ev = Events {
            child,
            lines: rx,
            sessions: BTreeMap::new(),
            totals: None,
            seen: Vec::new(),
        };
        ev.wait_for(|e| e["event"] == "ready", "the ready event");
        ev
    }

    fn take(&mut self, v: Value) {
        match v["event"].as_str().unwrap() {
            "appeared" | "context" | "usage" | "compaction" | "threshold" | "state" => {
                self.sessions.insert(
                    v["sessionId"].as_str().unwrap().to_owned(),
                    v["session"].clone(),
                );
            }
            "removed" => {
                self.sessions.remove(v["sessionId"].as_str().unwrap());
            }
            "totals" | "ready" => {
                self.totals = Some(serde_json::json!({
                    "totals": v["totals"], "files": v["files"],
                    "bytes": v["bytes"], "skipped": v["skipped"],
                }));
            }
            _ => {}
        }
        self.seen.push(v);
    }

    /// Read events until `done` says so (true for one event), or fail.
    fn wait_for(&mut self, done: impl Fn(&Value) -> bool, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(v) => {
                    let hit = done(&v);
                    self.take(v);
                    if hit {
                        return;
                    }
                }
                Err(RecvTimeoutError::Timeout) => panic!("timed out waiting for {what}"),
                Err(RecvTimeoutError::Disconnected) => panic!("events exited waiting for {what}"),
            }
        }
    }

    /// The state the stream describes, in `status --json`'s shape.
    fn state(&self) -> Value {
        let mut sessions: Vec<&Value> = self.sessions.values().collect();
        sessions.sort_by_key(|s| s["sessionId"].as_str().unwrap().to_owned());
        let t = self.totals.clone().unwrap_or(Value::Null);
        serde_json::json!({
            "sessions": sessions, "totals": t["totals"], "files": t["files"],
            "bytes": t["bytes"], "skipped": t["skipped"],
        })
    }

    /// Keep reading until the stream's state equals a fresh scan's.
    fn settle_to(&mut self, root: &Path) {
        let expected = comparable(status_json(root));
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.state() != expected {
            let left = deadline.saturating_duration_since(Instant::now());
            match self
                .lines
                .recv_timeout(left.min(Duration::from_millis(200)))
            {
                Ok(v) => self.take(v),
                Err(RecvTimeoutError::Timeout) if Instant::now() < deadline => {}
                _ => {
                    assert_eq!(
                        serde_json::to_string_pretty(&self.state()).unwrap(),
                        serde_json::to_string_pretty(&expected).unwrap(),
                        "the live state never matched a fresh scan"
                    );
                }
            }
        }
    }
}

/// `status --json` without the parts the event stream does not carry.
fn comparable(mut st: Value) -> Value {
    let mut sessions = st["sessions"].as_array().unwrap().clone();
    sessions.sort_by_key(|s| s["sessionId"].as_str().unwrap().to_owned());
    st["sessions"] = Value::Array(sessions);
    st.as_object_mut().unwrap().remove("daily");
    // Costs are priced when status runs; events carry tokens only (and so
    // say nothing of what had no price).
    st.as_object_mut().unwrap().remove("unpriced");
    for s in st["sessions"].as_array_mut().unwrap() {
        s.as_object_mut().unwrap().remove("costUSD");
        s.as_object_mut().unwrap().remove("agents");
    }
    st["totals"].as_object_mut().unwrap().remove("costUSD");
    st
}

fn append(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    f.write_all(bytes).unwrap();
}

/// A conversation with multi-byte text, streamed copies, a subagent line
/// and a compaction, as one byte string.
fn conversation(session: &str, turns: u64, start_minute: u64) -> Vec<u8> {
    let mut out = String::new();
    let mut prompt = 20_000;
    for t in 0..turns {
        let minute = start_minute + t;
        let ts = format!(
            "2026-11-20T{:02}:{:02}:00.000Z",
            8 + minute / 60,
            minute % 60
        );
        out += &user_line(session, &ts, "héllo ✓ 日本語 — ünïcödé");
        let msg = format!("{session}-m{t}");
        let mut first = Line::new(session, &msg, &ts, prompt, 5);
        first.text = "partiél ✓";
        out += &first.json();
        let mut full = Line::new(session, &msg, &ts, prompt, 120 + t);
        full.text = "done 日本 ✓✓";
        out += &full.json();
        if t % 4 == 3 {
            let side_msg = format!("{session}-side{t}");
            let mut side = Line::new(session, &side_msg, &ts, 9_000, 33);
            side.sidechain = true;
            out += &side.json();
        }
        if t == turns / 2 {
            let bts = format!(
                "2026-11-20T{:02}:{:02}:30.000Z",
                8 + minute / 60,
                minute % 60
            );
            out += &boundary_line(session, &format!("{session}-b"), &bts, prompt);
            prompt = 15_000;
        }
        prompt += 11_000;
    }
    out.into_bytes()
}

#[test]
fn live_state_equals_a_fresh_scan_through_appends_truncation_replacement_deletion() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let p = root.join("projects");
    // Files that exist before ccwatch starts.
    let truncated = p.join("-home-dev-src-a/t1.jsonl");
    let replaced = p.join("-home-dev-src-a/r1.jsonl");
    let deleted = p.join("-home-dev-src-b/d1.jsonl");
    write(&truncated, conversation("t1", 6, 0));
    write(&replaced, conversation("r1", 5, 10));
    write(&deleted, conversation("d1", 4, 20));
    let mut events = Events::start(root, &[]);
    events.settle_to(root);

    // Grow a new transcript in random-sized chunks, cutting anywhere.
    let growing = p.join("-home-dev-src-c/g1.jsonl");
    let data = conversation("g1", 12, 30);
    let mut rng = Rng(0x9e3779b97f4a7c15);
    let mut at = 0;
    while at < data.len() {
        let n = 1 + rng.below(700) as usize;
        let end = (at + n).min(data.len());
        append(&growing, &data[at..end]);
        at = end;
        if rng.below(4) == 0 {
            std::thread::sleep(Duration::from_millis(3));
        }
    }
    events.settle_to(root);
    let g1 = &events.sessions["g1"];
    assert_eq!(g1["compactions"], 1);
    assert_eq!(g1["records"], 12 + 3);

    // Truncate one file to fewer lines.
    let keep = conversation("t1", 2, 0);
    std::fs::write(&truncated, &keep).unwrap();
    events.settle_to(root);
    assert_eq!(events.sessions["t1"]["records"], 2);

    // Replace another by renaming a different, longer file over it.
    let tmp_file = p.join("-home-dev-src-a/.r1.tmp");
    write(&tmp_file, conversation("r1", 8, 40));
    std::fs::rename(&tmp_file, &replaced).unwrap();
    events.settle_to(root);
    assert_eq!(events.sessions["r1"]["records"], 8 + 2);

    // Delete a third.
    std::fs::remove_file(&deleted).unwrap();
    events.settle_to(root);
    assert!(!events.sessions.contains_key("d1"));
    assert!(
        events
            .seen
            .iter()
            .any(|e| e["event"] == "removed" && e["sessionId"] == "d1")
    );

    // Add a directory with a session and a subagent in the newer layout.
    let new_dir = p.join("-home-dev-src-new");
    std::fs::create_dir_all(new_dir.join("n1/subagents")).unwrap();
    write(&new_dir.join("n1.jsonl"), conversation("n1", 3, 50));
    let mut side = Line::new("n1", "n1-agent", "2026-11-20T09:00:00.000Z", 4_000, 7);
    side.sidechain = true;
    write(&new_dir.join("n1/subagents/agent-z.jsonl"), side.json());
    events.settle_to(root);
    assert_eq!(events.sessions["n1"]["records"], 4);
}

#[test]
fn thresholds_and_compactions_are_reported_as_they_happen() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let f = root.join("projects/-w/s1.jsonl");
    write(
        &f,
        Line::new("s1", "m0", "2026-11-20T10:00:00.000Z", 100_000, 10).json(),
    );
    let mut events = Events::start(root, &[]);
    append(
        &f,
        Line::new("s1", "m1", "2026-11-20T10:01:00.000Z", 150_000, 10)
            .json()
            .as_bytes(),
    );
    events.wait_for(|e| e["event"] == "threshold", "the 70% alert");
    let alert = events.seen.last().unwrap().clone();
    assert_eq!(alert["level"], 70);
    assert_eq!(alert["percent"], 75.0);
    append(
        &f,
        Line::new("s1", "m2", "2026-11-20T10:02:00.000Z", 192_000, 10)
            .json()
            .as_bytes(),
    );
    events.wait_for(
        |e| e["event"] == "threshold" && e["level"] == 95,
        "85 and 95",
    );
    let levels: Vec<&Value> = events
        .seen
        .iter()
        .filter(|e| e["event"] == "threshold")
        .map(|e| &e["level"])
        .collect();
    assert_eq!(levels, [70, 85, 95]);
    append(
        &f,
        boundary_line("s1", "b1", "2026-11-20T10:03:00.000Z", 192_010).as_bytes(),
    );
    events.wait_for(|e| e["event"] == "compaction", "the compaction");
    let c = events.seen.last().unwrap().clone();
    assert_eq!(c["preTokens"], 192_010);
    assert_eq!(c["session"]["context"]["compacted"], true);
    // After the compaction the levels re-arm.
    append(
        &f,
        Line::new("s1", "m3", "2026-11-20T10:04:00.000Z", 30_000, 10)
            .json()
            .as_bytes(),
    );
    append(
        &f,
        Line::new("s1", "m4", "2026-11-20T10:05:00.000Z", 145_000, 10)
            .json()
            .as_bytes(),
    );
    events.wait_for(
        |e| e["event"] == "threshold",
        "the 70% alert of the new cycle",
    );
    assert_eq!(events.seen.last().unwrap()["level"], 70);
}

#[test]
fn the_polling_fallback_keeps_up_too() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let f = root.join("projects/-w/s1.jsonl");
    write(
        &f,
        Line::new("s1", "m0", "2026-11-20T10:00:00.000Z", 10_000, 10).json(),
    );
    let mut events = Events::start(root, &[("CCWATCH_FORCE_POLL", "1")]);
    assert!(
        events
            .seen
            .iter()
            .any(|e| e["event"] == "ready" && e["watcher"] == "polling")
    );
    append(
        &f,
        Line::new("s1", "m1", "2026-11-20T10:01:00.000Z", 12_000, 10)
            .json()
            .as_bytes(),
    );
    write(&root.join("projects/-x/s2.jsonl"), conversation("s2", 2, 5));
    events.settle_to(root);
    assert_eq!(events.sessions["s1"]["context"]["tokens"], 12_000);
    assert!(events.seen.iter().any(|e| e["event"] == "notice"));
}
