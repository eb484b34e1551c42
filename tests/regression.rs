//! One test per bug fixed, each named for what went wrong (ripgrep style).

mod common;
use common::*;
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

const SESSION: &str = "22222222-2222-4222-8222-222222222222";

fn status(root: &Path) -> Value {
    let isolate = tempfile::tempdir().unwrap();
    json_of(
        ccwatch(isolate.path())
            .args(["status", "--json", "--no-cache", "--dir"])
            .arg(root),
    )
}

fn main_file(root: &Path) -> std::path::PathBuf {
    root.join(format!("projects/-home-dev-src-app/{SESSION}.jsonl"))
}

fn record(n: u64, prompt: u64) -> String {
    let msg = format!("msg_{n}");
    let ts = format!("2026-11-20T10:00:{n:02}.000Z");
    Line::new(SESSION, &msg, &ts, prompt, 10 + n).json()
}

/// Waits for `events --json` to print a totals line with `records`.
fn wait_for_records(lines: &std::sync::mpsc::Receiver<Value>, records: u64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let v = lines
            .recv_timeout(left)
            .unwrap_or_else(|e| panic!("no totals with {records} records: {e}"));
        if matches!(v["event"].as_str(), Some("totals" | "ready"))
            && v["totals"]["records"] == records
        {
            return v;
        }
    }
}

fn start_events(root: &Path, isolate: &Path) -> (KillOnDrop, std::sync::mpsc::Receiver<Value>) {
    let mut child = ccwatch(isolate)
        .args(["events", "--json", "--no-cache", "--dir"])
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
            if tx.send(serde_json::from_str(&line).unwrap()).is_err() {
                break;
            }
        }
    });
    (KillOnDrop(child), rx)
}

struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

// Bug: the last record of a file without a final newline (23 of 189 real
// files) was never counted: bytes after the last `\n` always waited.
#[test]
fn a_last_record_without_newline_was_never_counted() {
    let root = tempfile::tempdir().unwrap();
    write(
        &main_file(root.path()),
        record(1, 1000) + record(2, 2000).trim_end(),
    );
    let st = status(root.path());
    assert_eq!(st["totals"]["records"], 2);
    assert_eq!(st["sessions"][0]["context"]["tokens"], 2000);
}

// Bug: a workflow's `journal.jsonl` was read as a transcript, counted in
// `files` (38 instead of 35 on sample-logs-v2).
#[test]
fn a_workflow_journal_was_counted_as_a_transcript() {
    let root = tempfile::tempdir().unwrap();
    write(&main_file(root.path()), record(1, 1000));
    let wf = main_file(root.path())
        .with_extension("")
        .join("subagents/workflows/wf_0a1b2c3d-4e5");
    write(
        &wf.join("journal.jsonl"),
        "{\"type\":\"started\",\"key\":\"v2:1\",\"agentId\":\"a1\"}\n",
    );
    assert_eq!(status(root.path())["files"], 1);
}

// Bug: a workflow subagent's lines without `sessionId` went to a session
// named after the file (`agent-…`), not to the session whose folder holds it.
#[test]
fn a_workflow_subagent_line_without_session_id_made_its_own_session() {
    let root = tempfile::tempdir().unwrap();
    write(&main_file(root.path()), record(1, 1000));
    let wf = main_file(root.path())
        .with_extension("")
        .join("subagents/workflows/wf_0a1b2c3d-4e5");
    let mut side = Line::new(SESSION, "msg_side", "2026-11-20T10:01:00.000Z", 5000, 7);
    side.sidechain = true;
    let line = side
        .json()
        .replace(&format!("\"sessionId\":\"{SESSION}\","), "");
    assert!(!line.contains("sessionId"));
    write(&wf.join("agent-a0123456789abcdef.jsonl"), line);
    let st = status(root.path());
    let ids: Vec<&Value> = st["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["sessionId"])
        .collect();
    assert_eq!(ids, vec![SESSION]);
    assert_eq!(st["sessions"][0]["records"], 2);
}

// Bug: the live engine opened a FIFO named `*.jsonl` that appeared while it
// ran, and blocked there forever: nothing after it was ever seen.
#[test]
fn a_fifo_appearing_live_blocked_the_engine() {
    let root = tempfile::tempdir().unwrap();
    let isolate = tempfile::tempdir().unwrap();
    let file = main_file(root.path());
    write(&file, record(1, 1000));
    let (_child, lines) = start_events(root.path(), isolate.path());
    wait_for_records(&lines, 1);
    let fifo = file.with_file_name("x.jsonl");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    std::thread::sleep(Duration::from_millis(300));
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&file)
        .unwrap();
    f.write_all(record(2, 2000).as_bytes()).unwrap();
    let totals = wait_for_records(&lines, 2);
    assert_eq!(totals["files"], 1);
}

// Bug: the live engine followed a symbolic link made inside `projects/`
// while it ran, counting the linked file's records a second time.
#[test]
fn a_link_made_live_counted_a_file_twice() {
    let root = tempfile::tempdir().unwrap();
    let isolate = tempfile::tempdir().unwrap();
    let file = main_file(root.path());
    write(&file, record(1, 1000));
    let (_child, lines) = start_events(root.path(), isolate.path());
    wait_for_records(&lines, 1);
    std::os::unix::fs::symlink(&file, file.with_file_name("copy.jsonl")).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&file)
        .unwrap();
    f.write_all(record(2, 2000).as_bytes()).unwrap();
    let totals = wait_for_records(&lines, 2);
    std::thread::sleep(Duration::from_millis(500));
    f.write_all(record(3, 3000).as_bytes()).unwrap();
    let totals_after = wait_for_records(&lines, 3);
    assert_eq!(totals["files"], 1);
    assert_eq!(totals_after["files"], 1);
    assert_eq!(totals_after["totals"]["output"], 11 + 12 + 13);
}

// Bug: the status line's context ignored a last record without newline,
// showing the one before it.
#[test]
fn the_status_line_missed_a_last_record_without_newline() {
    let root = tempfile::tempdir().unwrap();
    let file = main_file(root.path());
    write(&file, record(1, 10_000) + record(2, 50_000).trim_end());
    let stdin = serde_json::json!({
        "session_id": SESSION,
        "transcript_path": file,
        "cwd": "/home/dev/src/app",
        "model": {"id": "claude-sonnet-4-5-20250929", "display_name": "Sonnet 4.5"},
        "version": "1.0.88",
    });
    let isolate = tempfile::tempdir().unwrap();
    let mut child = ccwatch(isolate.path())
        .env("CCWATCH_NOW", "2026-11-20T10:05:00Z")
        .env("CCWATCH_CACHE_DIR", isolate.path().join("cache"))
        .args(["statusline", "--timezone", "UTC", "--dir"])
        .arg(root.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let line = String::from_utf8_lossy(&out.stdout);
    assert!(line.contains("ctx 50k/200k"), "{line}");
}
