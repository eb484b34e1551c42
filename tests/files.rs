//! Which files are transcripts and where their lines end (spec §1–§2, v2),
//! through the real binary: a last record without its newline counts once
//! (in a scan, live while its newline arrives, and across a warm restart);
//! FIFOs, links and workflow journals are not transcripts.

mod common;
use common::*;
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

const SESSION: &str = "11111111-1111-4111-8111-111111111111";

fn record(n: u64) -> String {
    let msg = format!("msg_{n}");
    let ts = format!("2026-11-20T10:00:{n:02}.000Z");
    Line::new(SESSION, &msg, &ts, 1000 + n, 10 + n).json()
}

fn transcript(root: &Path) -> PathBuf {
    root.join(format!("projects/-home-dev-src-app/{SESSION}.jsonl"))
}

fn append(path: &Path, bytes: &str) {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    f.write_all(bytes.as_bytes()).unwrap();
}

/// `status --json --no-cache`, failing instead of hanging if the scan
/// blocks (as it would on opening a FIFO).
fn status_no_cache(root: &Path) -> Value {
    let isolate = tempfile::tempdir().unwrap();
    let mut child = ccwatch(isolate.path())
        .args(["status", "--json", "--no-cache", "--dir"])
        .arg(root)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("status hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut out = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut out).unwrap();
    serde_json::from_str(&out).unwrap()
}

/// A running `events --json`, killed when dropped.
struct Events {
    child: Child,
    lines: Receiver<Value>,
    /// The latest `totals`/`ready` line.
    last: Value,
}

impl Drop for Events {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Events {
    fn start(root: &Path, isolate: &Path) -> Events {
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
                let v: Value = serde_json::from_str(&line).expect("every events line is JSON");
                if tx.send(v).is_err() {
                    break;
                }
            }
        });
        let mut ev = Events {
            child,
            lines: rx,
            last: Value::Null,
        };
        ev.until(|t| t["event"] == "ready", "the ready event");
        ev
    }

    /// Read events until the latest totals satisfy `done`.
    fn until(&mut self, done: impl Fn(&Value) -> bool, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(v) => {
                    if matches!(v["event"].as_str(), Some("totals" | "ready")) {
                        self.last = v;
                        if done(&self.last) {
                            return;
                        }
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    panic!("timed out waiting for {what}; last totals: {}", self.last)
                }
                Err(RecvTimeoutError::Disconnected) => panic!("events exited waiting for {what}"),
            }
        }
    }

    fn records(&self) -> u64 {
        self.last["totals"]["records"].as_u64().unwrap_or(0)
    }
}

fn records(status: &Value) -> u64 {
    status["totals"]["records"].as_u64().unwrap()
}

#[test]
fn a_last_record_without_its_newline_is_counted_by_status() {
    let root = tempfile::tempdir().unwrap();
    let file = transcript(root.path());
    write(&file, record(1) + record(2).trim_end());
    let st = status_no_cache(root.path());
    assert_eq!(records(&st), 2);
    assert_eq!(st["totals"]["output"], 23);
    assert_eq!(st["skipped"], serde_json::json!({}));
    // A fragment that is not yet whole is not.
    append(&file, &format!("\n{}", &record(3)[..40]));
    let st = status_no_cache(root.path());
    assert_eq!(records(&st), 2);
    assert_eq!(st["skipped"], serde_json::json!({}));
}

#[test]
fn live_a_record_appended_without_newline_counts_once_when_its_newline_comes() {
    let root = tempfile::tempdir().unwrap();
    let isolate = tempfile::tempdir().unwrap();
    let file = transcript(root.path());
    write(&file, record(1));
    let mut ev = Events::start(root.path(), isolate.path());
    assert_eq!(ev.records(), 1);
    append(&file, record(2).trim_end());
    ev.until(|t| t["totals"]["records"] == 2, "the unterminated record");
    // Its newline, then the next record: counted once, no blank line.
    append(&file, "\n");
    append(&file, &record(3));
    ev.until(|t| t["totals"]["records"] == 3, "the third record");
    assert_eq!(ev.last["skipped"], serde_json::json!({}));
    let st = status_no_cache(root.path());
    assert_eq!(ev.last["totals"]["output"], st["totals"]["output"]);
    assert_eq!(ev.last["totals"]["records"], st["totals"]["records"]);
    // `{a}` then `{b}\n`: the second object is a record of its own.
    append(&file, record(4).trim_end());
    ev.until(|t| t["totals"]["records"] == 4, "the fourth record");
    append(&file, &record(5));
    ev.until(|t| t["totals"]["records"] == 5, "the fifth record");
    assert_eq!(ev.last["skipped"], serde_json::json!({}));
    assert_eq!(records(&status_no_cache(root.path())), 5);
}

#[test]
fn a_warm_restart_after_an_unterminated_record_equals_a_fresh_read() {
    let root = tempfile::tempdir().unwrap();
    let isolate = tempfile::tempdir().unwrap();
    let file = transcript(root.path());
    let warm = || {
        json_of(
            ccwatch(isolate.path())
                .args(["status", "--json", "--dir"])
                .arg(root.path()),
        )
    };
    let same = |warm: Value| {
        let fresh = status_no_cache(root.path());
        for key in ["totals", "skipped", "files", "bytes"] {
            assert_eq!(warm[key], fresh[key], "{key}");
        }
        records(&fresh)
    };
    write(&file, record(1) + record(2).trim_end());
    assert_eq!(same(warm()), 2);
    assert_eq!(same(warm()), 2);
    // The newline arrives: it adds nothing, not even a blank line.
    append(&file, "\n");
    assert_eq!(same(warm()), 2);
    assert_eq!(warm()["skipped"], serde_json::json!({}));
    // Another record without newline, then one right after it.
    append(&file, record(3).trim_end());
    assert_eq!(same(warm()), 3);
    append(&file, &(record(4) + "\r\n"));
    assert_eq!(same(warm()), 4);
    assert_eq!(warm()["skipped"], serde_json::json!({"blank": 1}));
}

fn mkfifo(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap()
        .success();
    assert!(ok, "mkfifo failed");
}

#[test]
fn a_fifo_named_jsonl_neither_hangs_nor_counts() {
    let root = tempfile::tempdir().unwrap();
    let isolate = tempfile::tempdir().unwrap();
    let file = transcript(root.path());
    write(&file, record(1));
    mkfifo(&root.path().join("projects/-home-dev-src-app/x.jsonl"));
    let st = status_no_cache(root.path());
    assert_eq!((st["files"].as_u64(), records(&st)), (Some(1), 1));
    let mut ev = Events::start(root.path(), isolate.path());
    assert_eq!(ev.last["files"], 1);
    // One made while the engine runs is not opened either: the engine
    // still sees the next record.
    mkfifo(&root.path().join("projects/-home-dev-src-app/y.jsonl"));
    mkfifo(&root.path().join("projects/-home-dev-src-other/z.jsonl"));
    std::thread::sleep(Duration::from_millis(300));
    append(&file, &record(2));
    ev.until(|t| t["totals"]["records"] == 2, "a record after the FIFOs");
    assert_eq!(ev.last["files"], 1);
}

#[test]
fn links_inside_projects_are_not_followed() {
    let root = tempfile::tempdir().unwrap();
    let isolate = tempfile::tempdir().unwrap();
    let file = transcript(root.path());
    write(&file, record(1));
    let projects = root.path().join("projects");
    std::os::unix::fs::symlink(&file, projects.join("-home-dev-src-app/link.jsonl")).unwrap();
    std::os::unix::fs::symlink(
        projects.join("-home-dev-src-app"),
        projects.join("-home-dev-src-alias"),
    )
    .unwrap();
    let st = status_no_cache(root.path());
    assert_eq!((st["files"].as_u64(), records(&st)), (Some(1), 1));
    assert_eq!(st["totals"]["output"], 11);
    let mut ev = Events::start(root.path(), isolate.path());
    assert_eq!(ev.last["files"], 1);
    // Links made while the engine runs are not followed either.
    std::os::unix::fs::symlink(&file, projects.join("-home-dev-src-app/link2.jsonl")).unwrap();
    std::os::unix::fs::symlink(
        projects.join("-home-dev-src-app"),
        projects.join("-home-dev-src-alias2"),
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    append(&file, &record(2));
    ev.until(|t| t["totals"]["records"] == 2, "the appended record");
    // Give a double count through a link time to show.
    std::thread::sleep(Duration::from_millis(500));
    append(&file, &record(3));
    ev.until(|t| t["totals"]["records"] == 3, "the third record");
    assert_eq!(ev.last["files"], 1);
    assert_eq!(ev.last["totals"]["output"], 11 + 12 + 13);
    // The root itself may be a link.
    let linked = isolate.path().join("root-link");
    std::os::unix::fs::symlink(root.path(), &linked).unwrap();
    let st = status_no_cache(&linked);
    assert_eq!((st["files"].as_u64(), records(&st)), (Some(1), 3));
}

#[test]
fn a_workflow_journal_is_not_a_transcript() {
    let root = tempfile::tempdir().unwrap();
    let file = transcript(root.path());
    write(&file, record(1));
    let wf = file
        .with_extension("")
        .join("subagents/workflows/wf_1a2b3c4d-e5f");
    let mut side = Line::new(SESSION, "msg_wf", "2026-11-20T10:01:00.000Z", 5000, 7);
    side.sidechain = true;
    write(&wf.join("agent-a0123456789abcdef.jsonl"), side.json());
    write(
        &wf.join("agent-a0123456789abcdef.meta.json"),
        r#"{"agentType":"workflow-subagent"}"#,
    );
    write(
        &wf.join("journal.jsonl"),
        concat!(
            r#"{"type":"started","key":"v2:ab","agentId":"a0123456789abcdef"}"#,
            "\n",
            r#"{"type":"result","key":"v2:ab","agentId":"a0123456789abcdef","result":{"summary":"done"#,
        ),
    );
    let st = status_no_cache(root.path());
    assert_eq!(st["files"], 2);
    assert_eq!(records(&st), 2);
    assert_eq!(st["skipped"], serde_json::json!({}));
    let session = &st["sessions"].as_array().unwrap()[0];
    assert_eq!(session["sessionId"], SESSION);
    assert_eq!(session["records"], 2);
}
