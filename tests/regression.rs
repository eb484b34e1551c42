//! One test per bug that was fixed, each named after the bug and with a
//! comment saying what went wrong, so it cannot come back unnoticed.

mod common;

use common::*;
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

const SID: &str = "0b5e7c1a-2f55-4d8e-9a3b-1c2d3e4f5a6b";
const CWD: &str = "/home/dev/src/app";

fn assistant(ts: &str, id: &str, usage: &str) -> String {
    format!(
        r#"{{"isSidechain":false,"cwd":"{CWD}","sessionId":"{SID}","type":"assistant","message":{{"model":"claude-sonnet-4-5-20250929","id":"{id}","type":"message","role":"assistant","content":[],"usage":{usage}}},"requestId":"req_{id}","uuid":"u-{id}","timestamp":"{ts}"}}"#
    )
}

fn status(root: &Path) -> Value {
    status_json(root)
}

fn session(st: &Value) -> Value {
    st["sessions"]
        .as_array()
        .and_then(|all| all.iter().find(|s| s["sessionId"] == SID))
        .cloned()
        .unwrap_or(Value::Null)
}

fn transcript(root: &Path, lines: &[String]) {
    write(
        &root.join(format!("projects/-home-dev-src-app/{SID}.jsonl")),
        lines.join("\n") + "\n",
    );
}

// Bug: subagent responses that Claude Code 2.1.x copies into the parent's
// `progress` lines were not read, so where the subagent's own file was
// gone its work vanished from every total.
#[test]
fn progress_line_copies_of_subagent_work_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let progress = format!(
        r#"{{"cwd":"{CWD}","sessionId":"{SID}","type":"progress","data":{{"message":{{"type":"assistant","timestamp":"2026-11-20T10:00:10.000Z","message":{{"model":"claude-haiku-4-5-20251001","id":"msg_sub","usage":{{"input_tokens":5,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":7}}}},"requestId":"req_sub"}},"type":"agent_progress","agentId":"a1"}},"uuid":"p1","timestamp":"2026-11-20T10:00:11.000Z"}}"#
    );
    transcript(dir.path(), &[progress]);
    let s = session(&status(dir.path()));
    assert_eq!(s["records"], 1);
    assert_eq!(s["tokens"]["output"], 7);
    assert_eq!(
        s["context"],
        Value::Null,
        "a subagent's copy is never context"
    );
}

// Bug: advisor steps (`usage.iterations[]` of type `advisor_message`,
// another model's tokens not in the top-level usage) were not counted.
#[test]
fn advisor_steps_are_counted_once_each() {
    let dir = tempfile::tempdir().unwrap();
    let usage = r#"{"input_tokens":1,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":2,"iterations":[{"type":"message","input_tokens":1,"output_tokens":2},{"type":"advisor_message","model":"claude-opus-4-8","input_tokens":100,"output_tokens":20}]}"#;
    let line = assistant("2026-11-20T10:00:00.000Z", "msg_a", usage);
    transcript(dir.path(), &[line.clone(), line]);
    let s = session(&status(dir.path()));
    assert_eq!(s["records"], 2);
    assert_eq!(s["tokens"]["input"], 101);
    assert_eq!(s["models"]["claude-opus-4-8"], 1);
}

// Bug: a line holding two objects back to back (`…}{"type":…`, written by
// Claude Code 2.1.7 and 2.1.12) was dropped whole as malformed.
#[test]
fn two_objects_on_one_line_both_count() {
    let dir = tempfile::tempdir().unwrap();
    let u = r#"{"input_tokens":1,"output_tokens":1}"#;
    let line = assistant("2026-11-20T10:00:00.000Z", "msg_1", u)
        + &assistant("2026-11-20T10:00:01.000Z", "msg_2", u);
    transcript(dir.path(), &[line]);
    let st = status(dir.path());
    assert_eq!(st["totals"]["records"], 2);
    assert_eq!(st["skipped"], serde_json::json!({}));
}

// Bug: a file whose first line starts with a UTF-8 byte order mark lost
// that line as malformed.
#[test]
fn a_byte_order_mark_does_not_cost_the_first_line() {
    let dir = tempfile::tempdir().unwrap();
    let line = assistant(
        "2026-11-20T10:00:00.000Z",
        "msg_1",
        r#"{"input_tokens":1,"output_tokens":1}"#,
    );
    transcript(dir.path(), &[format!("\u{feff}{line}")]);
    let st = status(dir.path());
    assert_eq!(st["totals"]["records"], 1);
    assert_eq!(st["skipped"], serde_json::json!({}));
}

// Bug (also faults #6): `output_tokens: 1e+19` was read as ten quintillion
// tokens (and $1.5e14), swamping every total, and 18446744073709551615
// plus 10 wrapped around to 9; counts must be integers below 2^53.
#[test]
fn a_token_count_of_1e19_is_invalid_not_summed() {
    let dir = tempfile::tempdir().unwrap();
    transcript(
        dir.path(),
        &[
            assistant(
                "2026-11-20T10:00:00.000Z",
                "msg_1",
                r#"{"input_tokens":1,"output_tokens":1e+19}"#,
            ),
            assistant(
                "2026-11-20T10:00:01.000Z",
                "msg_2",
                r#"{"input_tokens":1,"output_tokens":18446744073709551615}"#,
            ),
            assistant(
                "2026-11-20T10:00:02.000Z",
                "msg_3",
                r#"{"input_tokens":1,"output_tokens":10}"#,
            ),
        ],
    );
    let st = status(dir.path());
    assert_eq!(st["totals"]["records"], 1);
    assert_eq!(st["totals"]["output"], 10);
    assert_eq!(st["skipped"]["invalidUsage"], 2);
}

// Bug: a session whose first lines carry no `cwd` (a queue operation, a
// summary) showed the lossy encoded folder (`-home-dev-src-app`) although
// a later line carried its `cwd`.
#[test]
fn the_project_comes_from_a_later_line_when_the_first_has_no_cwd() {
    let dir = tempfile::tempdir().unwrap();
    let queue = format!(
        r#"{{"type":"queue-operation","operation":"enqueue","timestamp":"2026-11-20T09:59:00.000Z","sessionId":"{SID}"}}"#
    );
    let prompt = format!(
        r#"{{"type":"user","cwd":"{CWD}","sessionId":"{SID}","message":{{"role":"user","content":"hi"}},"uuid":"u1","timestamp":"2026-11-20T10:00:00.000Z"}}"#
    );
    transcript(dir.path(), &[queue, prompt]);
    let s = session(&status(dir.path()));
    assert_eq!(s["project"], CWD);
    assert_eq!(s["lastActivity"], "2026-11-20T10:00:00.000Z");
}

// Bug: sessions in git worktrees were labelled `1`, `2`, `3`: the last
// folder name alone, which names no project.
#[test]
fn worktree_sessions_are_labelled_with_their_repository() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = "/home/dev/src/api-server/.worktrees/3";
    let line = assistant(
        "2026-11-20T10:00:00.000Z",
        "msg_1",
        r#"{"input_tokens":1,"output_tokens":1}"#,
    )
    .replace(CWD, cwd);
    write(
        &dir.path().join(format!(
            "projects/-home-dev-src-api-server--worktrees-3/{SID}.jsonl"
        )),
        line + "\n",
    );
    let s = session(&status(dir.path()));
    assert_eq!(s["label"], "api-server/.worktrees/3");
}

// Bug: a session made only of subagent files read "no reply yet" (it has
// replies, only no main chain) and was not told apart in the JSON.
#[test]
fn a_session_of_subagent_files_only_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let line = assistant(
        "2026-11-20T10:00:00.000Z",
        "msg_1",
        r#"{"input_tokens":1,"output_tokens":1}"#,
    )
    .replace(r#""isSidechain":false"#, r#""isSidechain":true"#);
    write(
        &dir.path().join(format!(
            "projects/-home-dev-src-app/{SID}/subagents/agent-x.jsonl"
        )),
        line + "\n",
    );
    let s = session(&status(dir.path()));
    assert_eq!(s["subagentsOnly"], true);
    assert_eq!(s["records"], 1);
    assert_eq!(s["context"], Value::Null);
}

// Bug (faults #12): a default config file that could not be read was
// fatal, even for a run that needs no config. (Root reads any mode, so the
// test makes the file unreadable by being a directory, and a FIFO, which
// must not even be opened: opening one blocks.)
#[test]
fn an_unreadable_default_config_is_a_warning_not_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    transcript(
        &data,
        &[assistant(
            "2026-11-20T10:00:00.000Z",
            "msg_1",
            r#"{"input_tokens":1,"output_tokens":1}"#,
        )],
    );
    let config = tmp.path().join("xdg-config/ccwatch/config.toml");
    std::fs::create_dir_all(&config).unwrap();
    let check = |what: &str| {
        let out = ccwatch(tmp.path())
            .args(["status", "--json", "--no-cache", "--dir"])
            .arg(&data)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{what}: {stderr}");
        assert!(
            stderr.contains("config.toml") && stderr.contains("using the defaults"),
            "{what}: {stderr}"
        );
        let st: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(st["totals"]["records"], 1, "{what}");
    };
    check("a directory");
    std::fs::remove_dir(&config).unwrap();
    let made = std::process::Command::new("mkfifo").arg(&config).status();
    if made.is_ok_and(|s| s.success()) {
        check("a FIFO");
    }
    std::fs::remove_file(&config).unwrap();
    // The issue's own reproduction: a config file of mode 000, read by a
    // user who may not (root reads any mode, so the run drops to nobody).
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path, m: u32| {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap()
        };
        write(&config, "[budget]\ndaily = 5\n");
        mode(&config, 0o000);
        let mut dir = config.parent();
        while let Some(d) = dir {
            mode(d, 0o755);
            if d == tmp.path() {
                break;
            }
            dir = d.parent();
        }
        for d in [data.clone(), data.join("projects")] {
            mode(&d, 0o755);
        }
        mode(&data.join("projects/-home-dev-src-app"), 0o755);
        let mut cmd = ccwatch(tmp.path());
        cmd.args(["status", "--json", "--no-cache", "--dir"])
            .arg(&data);
        if let Some(mut cmd) = unprivileged(&cmd) {
            let out = cmd.output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "mode 000: {stderr}");
            assert!(
                stderr.contains("config.toml") && stderr.contains("using the defaults"),
                "mode 000: {stderr}"
            );
        }
        mode(&config, 0o644);
    }
    // Given with --config, the same file is an error the user asked for.
    let out = ccwatch(tmp.path())
        .args(["status", "--no-cache", "--dir"])
        .arg(&data)
        .arg("--config")
        .arg(tmp.path().join("missing.toml"))
        .output()
        .unwrap();
    assert!(!out.status.success());
}

// Bug (faults #1): with a relative `--dir` (or CLAUDE_CONFIG_DIR entry) the
// live engine never updated: the watcher reports absolute paths, which
// never matched the relative root.
#[test]
fn a_relative_dir_is_watched_live() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let first = assistant(
        "2026-11-20T10:00:00.000Z",
        "msg_1",
        r#"{"input_tokens":1,"output_tokens":1}"#,
    );
    transcript(&data, &[first]);
    let mut child = ccwatch(tmp.path())
        .current_dir(&data)
        .args(["events", "--json", "--no-cache", "--dir", "."])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let wait = |what: &str, done: &dyn Fn(&Value) -> bool| {
        let end = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while let Ok(line) =
            rx.recv_timeout(end.saturating_duration_since(std::time::Instant::now()))
        {
            let v: Value = serde_json::from_str(&line).unwrap();
            if done(&v) {
                return true;
            }
        }
        panic!("no {what} event");
    };
    wait("ready", &|v| v["event"] == "ready");
    let path = data.join(format!("projects/-home-dev-src-app/{SID}.jsonl"));
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    let second = assistant(
        "2026-11-20T10:01:00.000Z",
        "msg_2",
        r#"{"input_tokens":1,"output_tokens":1}"#,
    );
    f.write_all(format!("{second}\n").as_bytes()).unwrap();
    drop(f);
    let seen = wait("update", &|v| v["session"]["records"] == 2);
    let _ = child.kill();
    let _ = child.wait();
    assert!(seen);
}

// Shapes of the files themselves (the source layer).

const SESSION: &str = "22222222-2222-4222-8222-222222222222";

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

// Faults of the cache and the status line.

/// A data directory with one response, for runs that only need some data.
fn one_response(root: &Path) {
    transcript(
        root,
        &[assistant(
            "2026-11-20T10:00:00.000Z",
            "msg_1",
            r#"{"input_tokens":1,"output_tokens":1}"#,
        )],
    );
}

/// Run `cmd` to its end, or fail the test if it hangs.
fn finishes(cmd: &mut std::process::Command, what: &str) -> std::process::Output {
    let child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(Duration::from_secs(20)) {
        Ok(out) => out.unwrap(),
        Err(_) => {
            let _ = std::process::Command::new("kill")
                .args(["-9", &pid.to_string()])
                .status();
            panic!("{what} hung");
        }
    }
}

fn mkfifo(path: &Path) -> bool {
    std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success())
}

// Bug (faults #10): a FIFO (or a link to /dev/zero) in place of the index
// file hung `status` (or read without end).
#[test]
fn a_fifo_or_a_device_in_place_of_the_index_is_ignored() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    one_response(&data);
    let status = |what: &str| {
        finishes(
            ccwatch(tmp.path())
                .args(["status", "--json", "--dir"])
                .arg(&data),
            what,
        )
    };
    assert!(status("the first run").status.success());
    let cache = tmp.path().join("ccwatch-cache");
    let index = std::fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("index-"))
        .expect("an index file");
    std::fs::remove_file(&index).unwrap();
    if mkfifo(&index) {
        let out = status("status with a FIFO for its index");
        assert!(out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("not a regular file"), "{stderr}");
        let st: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(st["totals"]["records"], 1);
        std::fs::remove_file(&index).unwrap();
    }
    std::os::unix::fs::symlink("/dev/zero", &index).unwrap();
    let out = status("status with /dev/zero for its index");
    assert!(out.status.success());
}

// Bug (faults #9): `statusline` with a `transcript_path` naming a FIFO hung.
#[test]
fn the_status_line_does_not_hang_on_a_fifo_transcript() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    one_response(&data);
    let fifo = data.join(format!("projects/-home-dev-src-app/{SID}-fifo.jsonl"));
    if !mkfifo(&fifo) {
        return;
    }
    let input = format!(
        r#"{{"session_id":"{SID}","transcript_path":"{}","model":{{"id":"claude-sonnet-4-5","display_name":"Sonnet"}}}}"#,
        fifo.display()
    );
    let mut cmd = ccwatch(tmp.path());
    cmd.args(["statusline", "--dir"]).arg(&data);
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let Ok(out) = rx.recv_timeout(Duration::from_secs(20)) else {
        let _ = std::process::Command::new("kill")
            .args(["-9", &pid.to_string()])
            .status();
        panic!("statusline hung on a FIFO");
    };
    assert!(out.unwrap().status.success());
}

// Bug (faults #11): when the index could be read but not written (a
// read-only or full cache dir), every run said it "ignored the index … it
// is rebuilt", which was not true.
#[test]
fn an_index_that_cannot_be_written_is_not_called_ignored() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    one_response(&data);
    let blocked = tmp.path().join("not-a-dir");
    write(&blocked, "a file where the cache dir should be");
    let out = ccwatch(tmp.path())
        .env("CCWATCH_CACHE_DIR", &blocked)
        .args(["status", "--json", "--dir"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("could not update the index"), "{stderr}");
    assert!(!stderr.contains("ignored the index"), "{stderr}");
}

/// `cmd` run as an unprivileged user (`nobody`) when the tests run as
/// root, who may write into any folder whatever its mode; as itself
/// otherwise. `None` when root cannot drop privileges here (no `setpriv`).
fn unprivileged(cmd: &std::process::Command) -> Option<std::process::Command> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        let mut same = std::process::Command::new(cmd.get_program());
        same.args(cmd.get_args());
        for (k, v) in cmd.get_envs() {
            match v {
                Some(v) => same.env(k, v),
                None => same.env_remove(k),
            };
        }
        return Some(same);
    }
    let found = std::process::Command::new("setpriv")
        .arg("--version")
        .output();
    if !found.is_ok_and(|o| o.status.success()) {
        return None;
    }
    let mut drop = std::process::Command::new("setpriv");
    drop.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => drop.env(k, v),
            None => drop.env_remove(k),
        };
    }
    Some(drop)
}

// Bug (faults #11), as the issue reproduced it: with the cache dir made
// read-only (`chmod a-w`) after an index was saved, every run said it
// "ignored the index … it is rebuilt from the transcripts" although the
// index was read and used. Proof that it is used: a transcript made
// unreadable since the index was saved still counts (the index vouches
// for it unchanged), and is not skipped as unreadable.
#[test]
fn a_read_only_cache_dir_keeps_using_the_index_and_says_only_that_it_cannot_save() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let mode =
        |p: &Path, m: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    mode(tmp.path(), 0o777);
    let data = tmp.path().join("data");
    let project = data.join("projects/-home-dev-src-app");
    let kept = project.join("11111111-1111-4111-8111-111111111111.jsonl");
    let grows = project.join(format!("{SID}.jsonl"));
    let reply = |id: &str| {
        assistant(
            "2026-11-20T10:00:00.000Z",
            id,
            r#"{"input_tokens":1,"output_tokens":1}"#,
        ) + "\n"
    };
    write(&kept, reply("msg_kept"));
    write(&grows, reply("msg_1"));
    for dir in [&data, &data.join("projects"), &project] {
        mode(dir, 0o755);
    }
    let cache = tmp.path().join("cache");
    let status = || {
        let mut cmd = ccwatch(tmp.path());
        cmd.env("CCWATCH_CACHE_DIR", &cache)
            .args(["status", "--json", "--dir"])
            .arg(&data);
        cmd
    };
    let Some(mut first) = unprivileged(&status()) else {
        eprintln!("note: no setpriv to drop root's privileges; skipping");
        return;
    };
    let out = first.output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(
        std::fs::read_dir(&cache).unwrap().next().is_some(),
        "no index saved"
    );
    // The cache dir turns read-only; one transcript grows (so the run
    // wants to save), the other becomes unreadable to the user.
    mode(&cache, 0o555);
    let more = std::fs::OpenOptions::new().append(true).open(&grows);
    more.unwrap().write_all(reply("msg_2").as_bytes()).unwrap();
    mode(&kept, 0o000);
    let out = unprivileged(&status()).unwrap().output().unwrap();
    // Without the index, the same user cannot read that transcript: the
    // setup really took its reading away.
    let mut fresh = status();
    fresh.arg("--no-cache");
    let fresh = unprivileged(&fresh).unwrap().output().unwrap();
    mode(&cache, 0o755);
    mode(&kept, 0o644);
    let fresh: Value = serde_json::from_slice(&fresh.stdout).unwrap();
    assert_eq!(fresh["totals"]["records"], 2, "{fresh}");
    assert_eq!(fresh["skipped"]["unreadableFile"], 1, "{fresh}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("could not update the index"), "{stderr}");
    assert!(!stderr.contains("ignored the index"), "{stderr}");
    let st: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(st["totals"]["records"], 3, "{st}");
    assert_eq!(st["skipped"], serde_json::json!({}), "{st}");
}

// Bug (faults #14): `HOME=/nonexistent` made ccwatch create
// /nonexistent/.cache/ccwatch, and a save killed mid-write left its
// multi-megabyte temporary file behind for ever.
#[test]
fn no_home_directory_is_created_and_stale_temporaries_are_removed() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    one_response(&data);
    let home = tmp.path().join("nonexistent");
    let out = ccwatch(tmp.path())
        .env_remove("CCWATCH_CACHE_DIR")
        .env_remove("XDG_CACHE_HOME")
        .env("HOME", &home)
        .args(["status", "--json", "--dir"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(!home.exists(), "a home directory was created");
    // A temporary file of a save that never finished, an hour old.
    let cache = tmp.path().join("ccwatch-cache");
    let status = || {
        ccwatch(tmp.path())
            .args(["status", "--json", "--dir"])
            .arg(&data)
            .output()
            .unwrap()
    };
    assert!(status().status.success());
    let index = std::fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|n| n.starts_with("index-"))
        .unwrap();
    let stale = cache.join(format!(".{index}.999999.tmp"));
    write(&stale, vec![0u8; 1024]);
    let hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&stale)
        .unwrap()
        .set_modified(hour_ago)
        .unwrap();
    // A change makes the next run save the index.
    let path = data.join(format!("projects/-home-dev-src-app/{SID}.jsonl"));
    let more = assistant(
        "2026-11-20T10:05:00.000Z",
        "msg_2",
        r#"{"input_tokens":1,"output_tokens":1}"#,
    );
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    f.write_all(format!("{more}\n").as_bytes()).unwrap();
    drop(f);
    assert!(status().status.success());
    assert!(!stale.exists(), "the stale temporary is still there");
}

// Issue 15: words and numbers a user reads.

fn text_of(root: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = ccwatch(root);
    cmd.args(args).arg("--dir").arg(root);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

// Bug: `status` said "1 responses in 1 files" and "1 malformed lines".
#[test]
fn counts_of_one_are_singular() {
    let tmp = tempfile::tempdir().unwrap();
    let usage = r#"{"input_tokens":5,"output_tokens":7}"#;
    transcript(
        tmp.path(),
        &[
            assistant("2026-11-20T10:00:00.000Z", "msg_a", usage),
            "{broken".into(),
        ],
    );
    let (code, out, _) = text_of(tmp.path(), &["status"], &[]);
    assert_eq!(code, 0);
    assert!(out.contains("1 session, 1 response in 1 file ("), "{out}");
    assert!(out.contains("1 malformed line."), "{out}");
}

// Bug: with the system zone set to Etc/UTC, reports said "Times and days in
// Etc/UTC."
#[test]
fn the_utc_zone_is_called_utc() {
    let tmp = tempfile::tempdir().unwrap();
    let usage = r#"{"input_tokens":5,"output_tokens":7}"#;
    transcript(
        tmp.path(),
        &[assistant("2026-11-20T10:00:00.000Z", "msg_a", usage)],
    );
    let (_, out, _) = text_of(tmp.path(), &["daily"], &[("TZ", "Etc/UTC")]);
    assert!(out.contains("Times and days in UTC."), "{out}");
}

// Bug: a gap of ten days between blocks read "gap (228h00m)".
#[test]
fn long_gaps_between_blocks_are_in_days() {
    let tmp = tempfile::tempdir().unwrap();
    let usage = r#"{"input_tokens":5,"output_tokens":7}"#;
    transcript(
        tmp.path(),
        &[
            assistant("2026-11-10T10:00:00.000Z", "msg_a", usage),
            assistant("2026-11-20T10:00:00.000Z", "msg_b", usage),
        ],
    );
    let env = [("CCWATCH_NOW", "2026-11-25T00:00:00Z"), ("COLUMNS", "160")];
    let (_, out, _) = text_of(tmp.path(), &["blocks", "--timezone", "UTC"], &env);
    // The first block ends at 15:00 on the 10th; the next starts at 10:00 on the 20th.
    assert!(out.contains("gap (9d19h)"), "{out}");
    assert!(!out.contains("235h"), "{out}");
}

// Bug: `--project nosuch` printed "No usage found." and exited 0.
#[test]
fn an_unknown_project_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let usage = r#"{"input_tokens":5,"output_tokens":7}"#;
    transcript(
        tmp.path(),
        &[assistant("2026-11-20T10:00:00.000Z", "msg_a", usage)],
    );
    let (code, out, err) = text_of(tmp.path(), &["daily", "--project", "nosuch"], &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        err.contains("--project nosuch matches no project; the closest: /home/dev/src/app"),
        "{err}"
    );
}

// Bug: `--since` after `--until` printed "No usage found." and exited 0.
#[test]
fn since_after_until_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let usage = r#"{"input_tokens":5,"output_tokens":7}"#;
    transcript(
        tmp.path(),
        &[assistant("2026-11-20T10:00:00.000Z", "msg_a", usage)],
    );
    let args = ["session", "--since", "2026-11-21", "--until", "2026-11-20"];
    let (code, _, err) = text_of(tmp.path(), &args, &[]);
    assert_eq!(code, 1);
    assert!(err.contains("is after --until"), "{err}");
}

// Bug: errors leaked Rust's words: `invalid digit found in string` for
// `--thresholds x`, `expected u8` / `expected a sequence` for config values,
// humantime's `expected number at 0` for a bad duration.
#[test]
fn user_errors_are_in_the_users_words() {
    let tmp = tempfile::tempdir().unwrap();
    let mut cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["--thresholds".into(), "x".into()],
            "is not a percentage from 1 to 100",
        ),
        (
            vec!["--idle-timeout".into(), "5 parsecs".into()],
            "is not a duration like 30m",
        ),
    ];
    for (text, wanted) in [
        ("thresholds = \"x\"\n", "expected a list of percentages"),
        ("thresholds = [70, 300]\n", "expected a list of percentages"),
        ("[windows]\nopus = \"a\"\n", "expected a number of tokens"),
    ] {
        let file = tmp.path().join(format!("c{}.toml", cases.len()));
        std::fs::write(&file, text).unwrap();
        cases.push((
            vec![
                "--config".into(),
                file.display().to_string(),
                "status".into(),
            ],
            wanted,
        ));
    }
    for (args, wanted) in cases {
        let out = ccwatch(tmp.path()).args(&args).output().unwrap();
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(wanted), "{args:?}: {err}");
        for rust in [
            "invalid digit",
            "expected u8",
            "expected u64",
            "sequence",
            "expected number at",
        ] {
            assert!(!err.contains(rust), "{args:?}: {err}");
        }
    }
}

// Bug: an empty projects/ printed "No sessions found." and then a line of
// zeros ("0 sessions, 0 responses in 0 files (0 B).").
#[test]
fn no_sessions_is_one_line_without_zeros() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("projects")).unwrap();
    let (code, out, _) = text_of(tmp.path(), &["status"], &[]);
    assert_eq!(code, 0);
    assert_eq!(out, "No sessions found: there are no transcripts yet.\n");
}

// Bug: a record dated 9999 made `blocks` print "ACTIVE, 69890601h37m left"
// for itself, and the block really in use was not active.
#[test]
fn a_record_from_the_future_is_counted_but_never_active() {
    let tmp = tempfile::tempdir().unwrap();
    let usage = r#"{"input_tokens":5,"output_tokens":7}"#;
    transcript(
        tmp.path(),
        &[
            assistant("2026-11-20T10:00:00.000Z", "msg_a", usage),
            assistant("9999-12-31T10:00:00.000Z", "msg_b", usage),
        ],
    );
    let env = [("CCWATCH_NOW", "2026-11-20T11:00:00Z"), ("COLUMNS", "160")];
    let (code, out, _) = text_of(tmp.path(), &["blocks", "--timezone", "UTC"], &env);
    assert_eq!(code, 0);
    assert!(
        out.contains("ACTIVE, 4h00m left"),
        "the real block is active: {out}"
    );
    assert_eq!(out.matches("ACTIVE").count(), 1, "{out}");
    assert!(out.contains("1 response is dated after now"), "{out}");
    let (_, json, _) = text_of(tmp.path(), &["daily", "--json", "--timezone", "UTC"], &env);
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["totals"]["outputTokens"], 14, "both still count: {v}");
}

// Bug: a JSON object with a key twice was dropped as malformed; JSON readers
// take the last value, and so does ccwatch.
#[test]
fn a_duplicate_key_takes_the_last_value() {
    let tmp = tempfile::tempdir().unwrap();
    let line = assistant(
        "2026-11-20T10:00:00.000Z",
        "msg_a",
        r#"{"input_tokens":5,"output_tokens":1,"output_tokens":7}"#,
    );
    transcript(tmp.path(), &[line]);
    let st = status(tmp.path());
    assert_eq!(st["totals"]["output"], 7, "{st}");
    assert_eq!(st["skipped"], serde_json::json!({}), "{st}");
}

// Bug: the burn line read "burn 28.6k tok/min  peak 25k": the current rate
// (over at least a minute) and the peak (the widest sparkline bucket) were
// different definitions, so the peak could be below the current rate.
#[test]
fn the_peak_burn_rate_is_never_below_the_current_one() {
    use ccwatch::burn::{current_rate, peak_rate};
    let min = 60_000;
    // A session that began a minute ago: the rate is over that minute, a
    // bucket of a narrow pane's sparkline spans 1.5 minutes.
    let now = 60 * min;
    let series = [(59 * min, 10_000), (now, 38_600)];
    let current = current_rate(&series, now).unwrap();
    assert_eq!(current.round(), 28_600.0);
    let tallest = ccwatch::burn::growth_per_minute(&series, now, 60 * min, 40);
    assert!(
        tallest.iter().all(|b| (*b as f64) < current),
        "the old peak was lower"
    );
    for buckets in [10, 20, 40, 50, 120] {
        let peak = peak_rate(&series, now, 60 * min, buckets, Some(current)).unwrap();
        assert!(
            peak as f64 >= current.round(),
            "{buckets}: {peak} < {current}"
        );
    }
}

// Bug: the ETA line could read "95% in 5m · full in 5m" for two different
// moments; near the end it now counts in seconds.
#[test]
fn etas_near_the_end_are_told_apart() {
    use ccwatch::format::eta;
    assert_ne!(eta(5.2), eta(5.45));
    assert_eq!(eta(0.7), "40s");
}

// ---- price: cost as billed (issue 11 item 2, issue 15) ----

// Bug (issue 11, found comparing with ccusage): cache writes of a model
// routed through Claude Code whose price list gives no cache-write price
// (MiniMax-M2.7, MiniMax-M3) cost $0, although the provider bills them
// (MiniMax: 1.25x input, as Anthropic). A listed price of 0 (GLM) stays 0.
#[test]
fn a_routed_models_cache_writes_are_priced_when_the_list_gives_no_write_price() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let routed = |id: &str, model: &str| {
        assistant(
            "2026-11-20T10:00:00.000Z",
            id,
            r#"{"input_tokens":0,"output_tokens":0,"cache_creation_input_tokens":1000000,"cache_creation":{"ephemeral_5m_input_tokens":600000,"ephemeral_1h_input_tokens":400000}}"#,
        )
        .replace("claude-sonnet-4-5-20250929", model)
    };
    transcript(
        &data,
        &[routed("msg_m", "MiniMax-M2.7"), routed("msg_g", "glm-4.6")],
    );
    let daily = json_of(
        ccwatch(tmp.path())
            .args([
                "daily",
                "--json",
                "--no-cache",
                "--timezone",
                "UTC",
                "--dir",
            ])
            .arg(&data),
    );
    let by_model = |name: &str| {
        daily["daily"][0]["modelBreakdowns"]
            .as_array()
            .and_then(|all| all.iter().find(|m| m["modelName"] == name))
            .map(|m| m["cost"].as_f64().unwrap_or(f64::NAN))
    };
    // MiniMax-M2.7 at $0.30 input: 600k x $0.375/M + 400k x $0.60/M = $0.465.
    let minimax = by_model("MiniMax-M2.7").expect("a MiniMax row");
    assert!((minimax - 0.465).abs() < 1e-9, "{minimax}");
    assert_eq!(by_model("glm-4.6"), Some(0.0));
    assert_eq!(daily["unpriced"]["records"], 0);
}

// Bug (issue 15): without `cost` on stdin the status line priced the
// session from its transcript and the newer layout's subagents only, so
// the older layout's `agent-*.jsonl` beside the transcript were missing
// from "$… session" while `session` counted them.
#[test]
fn the_status_line_session_cost_includes_older_layout_subagent_files() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let dir = data.join("projects/-home-dev-src-app");
    // Main: 100k output at $15/M = $1.50.
    transcript(
        &data,
        &[assistant(
            "2026-11-20T10:00:00.000Z",
            "msg_main",
            r#"{"input_tokens":0,"output_tokens":100000}"#,
        )],
    );
    let agent = |session: &str, id: &str, usage: &str| {
        format!(
            r#"{{"isSidechain":true,"agentId":"a1","cwd":"{CWD}","sessionId":"{session}","type":"assistant","message":{{"model":"claude-sonnet-4-5-20250929","id":"{id}","type":"message","role":"assistant","content":[],"usage":{usage}}},"requestId":"req_{id}","uuid":"u-{id}","timestamp":"2026-11-20T10:01:00.000Z"}}"#
        )
    };
    // This session's subagent, older layout: $1.50 + 10 searches × $0.01.
    write(
        &dir.join("agent-a1.jsonl"),
        agent(
            SID,
            "msg_agent",
            r#"{"input_tokens":0,"output_tokens":100000,"server_tool_use":{"web_search_requests":10}}"#,
        ) + "\n",
    );
    // Another session's subagent in the same folder: not this session's.
    write(
        &dir.join("agent-b2.jsonl"),
        agent(
            "99999999-9999-4999-8999-999999999999",
            "msg_other",
            r#"{"input_tokens":0,"output_tokens":200000}"#,
        ) + "\n",
    );
    let stdin = format!(
        r#"{{"session_id":"{SID}","transcript_path":"{}","cwd":"{CWD}","model":{{"id":"claude-sonnet-4-5-20250929"}}}}"#,
        dir.join(format!("{SID}.jsonl")).display()
    );
    let out = fed(
        ccwatch(tmp.path())
            .env("CCWATCH_NOW", "2026-11-20T10:05:00Z")
            .env("CCWATCH_CACHE_DIR", tmp.path().join("cache"))
            .args(["statusline", "--timezone", "UTC", "--dir"])
            .arg(&data),
        &stdin,
    );
    let line = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(line.contains("$3.10 session"), "{line}");
    // The reports price the session the same way.
    let report = json_of(
        ccwatch(tmp.path())
            .args(["session", "--json", "--no-cache", "--dir"])
            .arg(&data),
    );
    let cost = report["sessions"]
        .as_array()
        .and_then(|all| all.iter().find(|s| s["sessionId"] == SID))
        .map(|s| s["totalCost"].as_f64().unwrap_or(0.0))
        .unwrap_or(0.0);
    assert!((cost - 3.10).abs() < 1e-9, "{cost}");
}

// Faults of the live engine (issue 12).

/// The events of a running `events --json` until one matches, or a panic.
fn wait_event(
    lines: &std::sync::mpsc::Receiver<Value>,
    what: &str,
    ok: &dyn Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let v = lines
            .recv_timeout(left)
            .unwrap_or_else(|e| panic!("never saw {what}: {e}"));
        if ok(&v) {
            return v;
        }
    }
}

/// Set a running process's limit on open files (soft and hard).
fn limit_open_files(pid: u32, n: u64) {
    let limit = libc::rlimit {
        rlim_cur: n,
        rlim_max: 4096.max(n),
    };
    // SAFETY: plain system call on another process; the struct outlives it.
    let rc = unsafe {
        libc::prlimit(
            pid as libc::pid_t,
            libc::RLIMIT_NOFILE,
            &limit,
            std::ptr::null_mut(),
        )
    };
    assert_eq!(rc, 0, "prlimit failed");
}

/// The lowest descriptor number a process has free: a limit at it makes
/// its next open fail.
fn lowest_free_descriptor(pid: u32) -> u64 {
    let used: std::collections::BTreeSet<u64> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    (0..).find(|n| !used.contains(n)).unwrap()
}

// Bug (faults #4 and #13): running out of file descriptors (any read
// error) made a transcript count as unreadable and withdrew everything it
// had contributed, silently, until its next write; and once readable again
// its `unreadableFile` skip stayed counted. (The test runs as root, which
// reads any mode, so the read error is made by lowering the running
// process's descriptor limit, as `prlimit --nofile` does.)
#[test]
fn a_read_error_keeps_the_files_share_and_heals_without_a_write() {
    let root = tempfile::tempdir().unwrap();
    let isolate = tempfile::tempdir().unwrap();
    let file = main_file(root.path());
    write(&file, record(1, 1000));
    let (child, lines) = start_events(root.path(), isolate.path());
    wait_for_records(&lines, 1);
    std::thread::sleep(Duration::from_millis(300));
    let pid = child.0.id();
    limit_open_files(pid, lowest_free_descriptor(pid));
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&file)
        .unwrap();
    f.write_all(record(2, 2000).as_bytes()).unwrap();
    drop(f);
    let notice = wait_event(&lines, "a notice of the read error", &|v| {
        v["event"] == "notice"
    });
    let message = notice["message"].as_str().unwrap_or_default();
    assert!(message.contains("keeping what it gave"), "{message}");
    let totals = wait_event(&lines, "totals after the error", &|v| {
        v["event"] == "totals"
    });
    assert_eq!(totals["totals"]["records"], 1, "{totals}");
    assert_eq!(totals["files"], 1, "{totals}");
    assert_eq!(totals["skipped"]["unreadableFile"], 1, "{totals}");
    // Descriptors come back; nothing is written: the retry reads it.
    limit_open_files(pid, 1024);
    let healed = wait_for_records(&lines, 2);
    let still = healed["skipped"]["unreadableFile"].as_u64().unwrap_or(0);
    assert_eq!(still, 0, "{healed}");
}

/// Append `text` to `path`, creating it.
fn append_to(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

/// `events --json` on `root` with extra environment.
fn start_events_with(
    root: &Path,
    isolate: &Path,
    env: &[(&str, &str)],
) -> (KillOnDrop, std::sync::mpsc::Receiver<Value>) {
    let mut cmd = ccwatch(isolate);
    cmd.args(["events", "--json", "--no-cache", "--dir"])
        .arg(root)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
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

// issue 12 row 2: when `projects/` was deleted and made again, the native
// watcher silently stopped ("No sessions yet." for ever): its watch went
// with the directory and nothing watched for it to come back.
#[test]
fn a_deleted_and_recreated_projects_dir_is_followed_again() {
    let root = tempfile::tempdir().unwrap();
    let isolate = tempfile::tempdir().unwrap();
    let file = main_file(root.path());
    write(&file, record(1, 1000));
    let (_child, lines) = start_events(root.path(), isolate.path());
    wait_for_records(&lines, 1);
    let projects = root.path().join("projects");
    // Gone and back at once, before ccwatch looks.
    std::fs::remove_dir_all(&projects).unwrap();
    append_to(&file, &record(2, 2000));
    wait_for_records(&lines, 1);
    append_to(&file, &record(3, 3000));
    wait_for_records(&lines, 2);
    // Gone for a while (said), then back.
    std::fs::remove_dir_all(&projects).unwrap();
    // The notice and the totals without the file come in either order: the
    // files' removal is an event, the root's absence is looked for.
    let (mut gone, mut emptied) = (None, false);
    while gone.is_none() || !emptied {
        let v = wait_event(&lines, "the notice and the emptied totals", &|v| {
            (v["event"] == "notice" && v["message"].as_str().is_some_and(|m| m.contains("is gone")))
                || (v["event"] == "totals" && v["totals"]["records"] == 0)
        });
        if v["event"] == "notice" {
            gone = Some(v);
        } else {
            emptied = true;
        }
    }
    let gone = gone.unwrap();
    assert!(
        gone["message"].as_str().unwrap().contains("projects"),
        "{gone}"
    );
    std::thread::sleep(Duration::from_millis(300));
    append_to(&file, &record(4, 4000));
    wait_for_records(&lines, 1);
    append_to(&file, &record(5, 5000));
    let totals = wait_for_records(&lines, 2);
    assert_eq!(totals["totals"]["output"], 14 + 15, "{totals}");
}

// issue 12 row 3: a transcript written right after `mkdir -p
// <sid>/subagents` was missed until written again: the new directory's
// watch was added after its first file appeared, and nothing listed it
// again (about 1 run in 4).
#[test]
fn a_file_written_right_after_its_directory_is_not_missed() {
    let root = tempfile::tempdir().unwrap();
    let isolate = tempfile::tempdir().unwrap();
    let file = main_file(root.path());
    write(&file, record(1, 1000));
    let (_child, lines) = start_events(root.path(), isolate.path());
    wait_for_records(&lines, 1);
    let session_dir = file.with_extension("");
    // Each directory and its file made at a different pace, so that some
    // file lands in the gap whatever the timing of the machine.
    let mut rng = Rng(0x5eed_0003);
    for n in 2..=101u64 {
        let dir = session_dir.join(format!("s{n}/subagents"));
        std::fs::create_dir_all(&dir).unwrap();
        let spin = Instant::now() + Duration::from_micros(rng.below(400));
        while Instant::now() < spin {
            std::hint::spin_loop();
        }
        let msg = format!("msg_side_{n}");
        let mut side = Line::new(SESSION, &msg, "2026-11-20T10:01:00.000Z", 100, n);
        side.sidechain = true;
        append_to(
            &dir.join(format!("agent-a{n}.jsonl")),
            &(side.json() + "\n"),
        );
        std::thread::sleep(Duration::from_micros(rng.below(3000)));
    }
    let totals = wait_for_records(&lines, 101);
    assert_eq!(totals["files"], 101, "{totals}");
}

// issue 12 row 15: running out of inotify watches was told in notify's own
// words (`OS file watch limit reached. about ["…/-extra-49"]`), which say
// neither what happened nor what to do. (The limit is set low for ccwatch
// alone, not for the machine.)
#[test]
fn running_out_of_watches_is_said_in_words_and_polling_takes_over() {
    let root = tempfile::tempdir().unwrap();
    let isolate = tempfile::tempdir().unwrap();
    let file = main_file(root.path());
    write(&file, record(1, 1000));
    // projects/ and its one project folder: no room for a third.
    let (_child, lines) =
        start_events_with(root.path(), isolate.path(), &[("CCWATCH_MAX_WATCHES", "2")]);
    let ready = wait_for_records(&lines, 1);
    assert_eq!(ready["watcher"], "native", "{ready}");
    let other = root.path().join("projects/-home-dev-src-other/s2.jsonl");
    append_to(&other, &record(2, 2000));
    let notice = wait_event(&lines, "a notice of the watch limit", &|v| {
        v["event"] == "notice"
    });
    let message = notice["message"].as_str().unwrap();
    assert!(
        message.starts_with("Watching by polling every second"),
        "{message}"
    );
    assert!(message.contains("fs.inotify.max_user_watches"), "{message}");
    assert!(
        !message.contains("about [") && !message.contains("-other"),
        "{message}"
    );
    wait_for_records(&lines, 2);
    append_to(&other, &record(3, 3000));
    wait_for_records(&lines, 3);
}

/// `ccwatch serve` on a free loopback port: the process and its address.
fn start_serve(root: &Path, isolate: &Path) -> (KillOnDrop, String) {
    let mut child = ccwatch(isolate)
        .args(["serve", "--listen", "127.0.0.1:0", "--no-cache", "--dir"])
        .arg(root)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let addr = loop {
        let line = lines.next().expect("serve said where it listens").unwrap();
        if let Some(rest) = line.split("http://").nth(1) {
            break rest.split('/').next().unwrap().to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    (KillOnDrop(child), addr)
}

/// One GET on a new connection; the whole answer, or why there is none.
fn get(addr: &str, path: &str) -> Result<String, String> {
    use std::io::Read;
    let mut s = std::net::TcpStream::connect(addr).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| e.to_string())?;
    let mut answer = String::new();
    s.read_to_string(&mut answer).map_err(|e| e.to_string())?;
    Ok(answer)
}

// issue 12 row 4 (serve): `serve` never closed idle or half-open
// connections and took any number of them, so one client holding many
// could use up the process's file descriptors (and then its transcripts
// could not be read) and keep scrapes from being answered.
#[test]
fn serve_closes_idle_connections_and_answers_a_scrape_under_a_flood() {
    let root = tempfile::tempdir().unwrap();
    let isolate = tempfile::tempdir().unwrap();
    write(&main_file(root.path()), record(1, 1000));
    let (server, addr) = start_serve(root.path(), isolate.path());
    // 300 connections that never send a byte, and one half a request.
    let idle: Vec<std::net::TcpStream> = (0..300)
        .map(|_| std::net::TcpStream::connect(&addr).unwrap())
        .collect();
    (&idle[0])
        .write_all(b"GET /metrics HTTP/1.1\r\nHo")
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let fds = std::fs::read_dir(format!("/proc/{}/fd", server.0.id()))
        .unwrap()
        .count();
    assert!(fds < 150, "{fds} descriptors open for 300 idle connections");
    let started = Instant::now();
    let answer = get(&addr, "/metrics").expect("a scrape during the flood");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        answer.contains("claude_code_token_usage_tokens_total"),
        "{answer}"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
    // Most were closed at once to make room; the rest go when their
    // header deadline passes, well within ten seconds.
    let closed = idle.iter().filter(|s| closed_by_server(s)).count();
    assert!(
        closed >= 200,
        "only {closed} of 300 idle connections closed"
    );
    std::thread::sleep(Duration::from_secs(7));
    let open = idle.iter().filter(|s| !closed_by_server(s)).count();
    assert_eq!(open, 0, "{open} idle connections still open");
    assert!(get(&addr, "/healthz").unwrap().ends_with("ok\n"));
}

/// The transcript rewritten where it stands (no new inode), its first
/// bytes kept: the last record's output count changed, same width.
fn rewrite_last_output(path: &Path, extra: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    let at = text.rfind("\"output_tokens\":").unwrap() + "\"output_tokens\":".len();
    let mut bytes = text.into_bytes();
    assert!(at > 256 && bytes[at].is_ascii_digit());
    bytes[at] = if bytes[at] == b'9' { b'1' } else { b'9' };
    bytes.extend_from_slice(extra.as_bytes());
    let mut f = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    f.write_all(&bytes).unwrap();
}

/// `status --json` through the index in `isolate`, or without it.
fn status_in(root: &Path, isolate: &Path, cached: bool) -> Value {
    let mut cmd = ccwatch(isolate);
    cmd.args(["status", "--json"]);
    if !cached {
        cmd.arg("--no-cache");
    }
    json_of(cmd.arg("--dir").arg(root))
}

// issue 12 row 7: an in-place rewrite that kept the first 256 bytes and
// was not shorter was taken for an append, live and after a restart: the
// edited records kept their old numbers (and a rewrite cutting a line made
// a phantom malformed one), so `status` and `status --no-cache` differed.
#[test]
fn an_in_place_rewrite_keeping_the_head_is_read_again() {
    let root = tempfile::tempdir().unwrap();
    let isolate = tempfile::tempdir().unwrap();
    let file = main_file(root.path());
    write(&file, record(1, 1000) + &record(2, 20000));
    // After a restart through the index: same length, then longer.
    status_in(root.path(), isolate.path(), true);
    std::thread::sleep(Duration::from_millis(20));
    rewrite_last_output(&file, "");
    let fresh = status_in(root.path(), isolate.path(), false);
    assert_eq!(
        status_in(root.path(), isolate.path(), true)["totals"],
        fresh["totals"]
    );
    std::thread::sleep(Duration::from_millis(20));
    rewrite_last_output(&file, &record(3, 3000));
    let fresh = status_in(root.path(), isolate.path(), false);
    assert_eq!(fresh["totals"]["records"], 3);
    let cached = status_in(root.path(), isolate.path(), true);
    assert_eq!(cached["totals"], fresh["totals"]);
    assert_eq!(cached["skipped"], fresh["skipped"]);
    // Live: the same rewrite while `events` follows the file.
    let (_child, lines) = start_events(root.path(), isolate.path());
    let ready = wait_for_records(&lines, 3);
    let before = ready["totals"]["output"].as_u64().unwrap();
    rewrite_last_output(&file, "");
    let fresh = status_in(root.path(), isolate.path(), false);
    let after = fresh["totals"]["output"].as_u64().unwrap();
    assert_ne!(before, after);
    wait_event(&lines, "the rewritten totals", &|v| {
        v["event"] == "totals" && v["totals"]["output"] == after
    });
}

/// Send `signal` to the process and wait for it to end; whether it did
/// within ten seconds.
fn ends_on(child: &mut std::process::Child, signal: i32) -> bool {
    // SAFETY: a signal to our own child.
    unsafe { libc::kill(child.id() as libc::pid_t, signal) };
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

// issue 12 row 8: a FIFO named `*.jsonl` under `projects/` blocked the live
// engine (it opened the FIFO and waited for a writer): no more updates,
// and Ctrl-C or SIGTERM no longer ended the process.
#[test]
fn a_fifo_under_projects_never_blocks_the_engine_or_its_end() {
    for signal in [libc::SIGTERM, libc::SIGINT] {
        let root = tempfile::tempdir().unwrap();
        let isolate = tempfile::tempdir().unwrap();
        let file = main_file(root.path());
        write(&file, record(1, 1000));
        // One there from the start, one made while it runs.
        assert!(mkfifo(&file.with_file_name("early.jsonl")));
        let (mut child, lines) = start_events(root.path(), isolate.path());
        wait_for_records(&lines, 1);
        let late = file.with_file_name("late.jsonl");
        assert!(mkfifo(&late));
        std::fs::write(file.with_file_name("next.jsonl"), record(2, 2000)).unwrap();
        let totals = wait_for_records(&lines, 2);
        assert_eq!(totals["files"], 2);
        // Touch the FIFO's metadata: the event names it again.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&late, std::fs::Permissions::from_mode(0o600)).unwrap();
        append_to(&file, &record(3, 3000));
        wait_for_records(&lines, 3);
        // The signal lands while batches are being handled.
        let busy = file.with_file_name("busy.jsonl");
        let writer = std::thread::spawn(move || {
            for n in 0..400 {
                append_to(&busy, &record(10 + n % 50, 1000));
                std::thread::sleep(Duration::from_millis(1));
            }
        });
        // Right as a batch's totals are printed, while the next is handled.
        wait_event(&lines, "a batch of the busy file", &|v| {
            v["event"] == "totals"
        });
        assert!(
            ends_on(&mut child.0, signal),
            "signal {signal} did not end it"
        );
        writer.join().unwrap();
    }
}

// issue 12 row 5: links were handled differently by the scan and the live
// engine: the live engine followed links made while it ran, and a link
// loop (`ln -s DIR projects/x/loop`) counted lines twice. Now neither
// follows a link, to a file or to a folder, and both agree.
#[test]
fn links_and_link_loops_are_never_followed_live_or_in_the_scan() {
    let root = tempfile::tempdir().unwrap();
    let isolate = tempfile::tempdir().unwrap();
    let file = main_file(root.path());
    write(&file, record(1, 1000));
    let project = file.parent().unwrap().to_path_buf();
    // A linked project folder there from the start.
    std::os::unix::fs::symlink(&project, root.path().join("projects/-linked")).unwrap();
    let (_child, lines) = start_events(root.path(), isolate.path());
    let ready = wait_for_records(&lines, 1);
    assert_eq!(ready["files"], 1, "{ready}");
    // A loop made live, then a folder inside it, then writes.
    std::os::unix::fs::symlink(&project, project.join("loop")).unwrap();
    std::os::unix::fs::symlink(root.path().join("projects"), project.join("up")).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let sub = project.join(format!("{SESSION}/subagents"));
    std::fs::create_dir_all(&sub).unwrap();
    let mut side = Line::new(SESSION, "msg_side", "2026-11-20T10:01:00.000Z", 500, 7);
    side.sidechain = true;
    append_to(&sub.join("agent-a1.jsonl"), &side.json());
    append_to(&file, &record(2, 2000));
    wait_for_records(&lines, 3);
    std::thread::sleep(Duration::from_millis(300));
    append_to(&file, &record(3, 3000));
    let live = wait_for_records(&lines, 4);
    let scan = status_in(root.path(), isolate.path(), false);
    assert_eq!(live["files"], 2, "{live}");
    assert_eq!(scan["files"], 2, "{scan}");
    assert_eq!(live["totals"]["output"], 11 + 12 + 13 + 7, "{live}");
    assert_eq!(scan["totals"]["output"], live["totals"]["output"]);
    assert_eq!(scan["skipped"], live["skipped"]);
}

// ---- session state and the agent tree (issue 20) ----

/// Bug: an agent whose open tool call named a parent that had already been
/// nested under its own parent was dropped from the agent tree (taken out
/// of its slot, then not put anywhere). Every agent must stay listed.
#[test]
fn an_agent_named_by_a_nested_agents_call_stays_in_the_tree() {
    let dir = tempfile::tempdir().unwrap();
    let sid = "5e551021-0000-4000-8000-000000000021";
    let sub = dir
        .path()
        .join(format!("projects/-home-dev-src-app/{sid}/subagents"));
    let line = |agent: &str, msg: &str, ts: &str, tools: &str| {
        serde_json::json!({
            "type": "assistant", "sessionId": sid, "isSidechain": true, "agentId": agent,
            "cwd": "/home/dev/src/app", "timestamp": ts, "requestId": format!("req_{msg}"),
            "message": {"id": msg, "model": "claude-sonnet-4-5-20250929", "role": "assistant",
                "stop_reason": "tool_use",
                "content": [{"type": "tool_use", "id": tools, "name": "Task", "input": {}}],
                "usage": {"input_tokens": 1, "output_tokens": 1}}
        })
        .to_string()
            + "\n"
    };
    // mid (depth 2) starts first; deep (depth 3) nests under it and has
    // the open call toolu_x; c (depth 2) was started by that call.
    for (agent, ts, depth, call, from) in [
        ("mid", "2026-11-30T10:00:05.000Z", 2, "toolu_m", None),
        ("deep", "2026-11-30T10:00:10.000Z", 3, "toolu_x", None),
        (
            "c",
            "2026-11-30T10:00:20.000Z",
            2,
            "toolu_c",
            Some("toolu_x"),
        ),
    ] {
        write(
            &sub.join(format!("agent-{agent}.jsonl")),
            line(agent, &format!("msg_{agent}"), ts, call),
        );
        let mut meta = serde_json::json!({"agentType": "Explore", "spawnDepth": depth});
        if let Some(from) = from {
            meta["toolUseId"] = from.into();
        }
        write(
            &sub.join(format!("agent-{agent}.meta.json")),
            meta.to_string(),
        );
    }
    let status = status_json(dir.path());
    fn ids(nodes: &Value, out: &mut Vec<String>) {
        for n in nodes.as_array().unwrap() {
            out.push(n["agentId"].as_str().unwrap().to_owned());
            ids(&n["agents"], out);
        }
    }
    let mut all = Vec::new();
    ids(&status["sessions"][0]["agents"], &mut all);
    all.sort();
    assert_eq!(all, ["c", "deep", "mid"]);
}

// Gauge: the window, the status line's figures, auto-compact, limits.

// Bug (gauge, issue 13): the status line printed 185k of 200k (92.5%) as
// "92%" (Rust rounds a tie to even) where Claude Code's own status line says
// 93%: the two disagreed by one point on every exact half.
#[test]
fn the_status_line_rounds_a_half_percent_up_as_claude_code_does() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir_all(data.join("projects")).unwrap();
    let input = format!(
        r#"{{"session_id":"{SID}","model":{{"id":"claude-sonnet-4-5","display_name":"Sonnet"}},
        "context_window":{{"context_window_size":200000,"used_percentage":93,
        "current_usage":{{"input_tokens":5000,"output_tokens":1,"cache_creation_input_tokens":0,"cache_read_input_tokens":180000}}}}}}"#
    );
    let out = fed(
        ccwatch(tmp.path()).args(["statusline", "--dir"]).arg(&data),
        &input,
    );
    let line = String::from_utf8(out.stdout).unwrap();
    assert!(line.contains("ctx 185k/200k 93%"), "{line}");
}

// ---- Issue 15 (polish) ----

/// `ccwatch statusline` with `stdin`, in a fresh cache, at a fixed instant.
fn statusline_line(isolate: &Path, data: &Path, stdin: &str) -> String {
    let out = fed(
        ccwatch(isolate)
            .env("CCWATCH_NOW", "2026-11-20T10:05:00Z")
            .env("CCWATCH_CACHE_DIR", isolate.join("cache"))
            .args(["statusline", "--timezone", "UTC", "--dir"])
            .arg(data),
        stdin,
    );
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).trim_end().to_owned()
}

// Bug (issue 15): when the transcript named on stdin could not be read,
// the status line still printed `$0.00 session`, as if the session had
// cost nothing; it now leaves the session's cost out (today's stays).
#[test]
fn the_status_line_leaves_the_session_cost_out_when_the_transcript_is_unreadable() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    // Another session today, so there is a today figure: 100k output, $1.50.
    write(
        &data.join("projects/-home-dev-src-app/other.jsonl"),
        assistant(
            "2026-11-20T10:00:00.000Z",
            "msg_other",
            r#"{"input_tokens":0,"output_tokens":100000}"#,
        ) + "\n",
    );
    let gone = data.join(format!("projects/-home-dev-src-app/{SID}.jsonl"));
    let without_cost = format!(
        r#"{{"session_id":"{SID}","transcript_path":"{}","cwd":"{CWD}","model":{{"id":"claude-sonnet-4-5-20250929"}}}}"#,
        gone.display()
    );
    let line = statusline_line(tmp.path(), &data, &without_cost);
    assert!(!line.contains("session"), "{line}");
    assert!(line.contains("ctx ? │ $1.50 today"), "{line}");
    // A directory where the transcript should be is no transcript either.
    std::fs::create_dir_all(&gone).unwrap();
    let line = statusline_line(tmp.path(), &data, &without_cost);
    assert!(!line.contains("session"), "{line}");
    // Claude Code's own figure is its own reading, transcript or not
    // (before the first turn it sends 0 and has written nothing yet).
    std::fs::remove_dir(&gone).unwrap();
    let zero = without_cost.replace(r#""model":"#, r#""cost":{"total_cost_usd":0.0},"model":"#);
    let line = statusline_line(tmp.path(), &data, &zero);
    assert!(
        line.contains("ctx ? │ $0.00 session │ $1.50 today"),
        "{line}"
    );
    // Once the transcript is there, its cost is shown again.
    write(
        &gone,
        assistant(
            "2026-11-20T10:01:00.000Z",
            "msg_main",
            r#"{"input_tokens":0,"output_tokens":100000}"#,
        ) + "\n",
    );
    let line = statusline_line(tmp.path(), &data, &without_cost);
    assert!(line.contains("$1.50 session"), "{line}");
}

/// A session priced in every view: its transcript (a reply, a streamed
/// copy of it, a reply with a logged cost), an older-layout
/// `agent-*.jsonl` beside it, a newer-layout subagent, and another
/// session's older-layout subagent in the same folder.
fn priced_everywhere(data: &Path) {
    let dir = data.join("projects/-home-dev-src-app");
    let line = |session: &str, side: bool, model: &str, id: &str, extra: &str, usage: &str| {
        format!(
            r#"{{"isSidechain":{side},"cwd":"{CWD}","sessionId":"{session}","type":"assistant",{extra}"message":{{"model":"{model}","id":"{id}","type":"message","role":"assistant","content":[],"usage":{usage}}},"requestId":"req_{id}","uuid":"u-{id}-{}","timestamp":"2026-11-20T10:00:00.000Z"}}"#,
            usage.len()
        ) + "\n"
    };
    let sonnet = "claude-sonnet-4-5-20250929";
    let main_usage = r#"{"input_tokens":1000,"cache_creation_input_tokens":5000,"cache_read_input_tokens":100000,"output_tokens":20000}"#;
    write(
        &dir.join(format!("{SID}.jsonl")),
        // The streamed partial first; the full copy wins.
        line(
            SID,
            false,
            sonnet,
            "msg_main",
            "",
            r#"{"input_tokens":1000,"cache_creation_input_tokens":5000,"cache_read_input_tokens":100000,"output_tokens":3}"#,
        ) + &line(SID, false, sonnet, "msg_main", "", main_usage)
            + &line(
                SID,
                false,
                sonnet,
                "msg_logged",
                r#""costUSD":0.5,"#,
                r#"{"input_tokens":10,"output_tokens":10}"#,
            ),
    );
    write(
        &dir.join("agent-a1.jsonl"),
        line(
            SID,
            true,
            sonnet,
            "msg_agent",
            "",
            r#"{"input_tokens":0,"output_tokens":100000,"server_tool_use":{"web_search_requests":10}}"#,
        ),
    );
    write(
        &dir.join(format!("{SID}/subagents/agent-b7.jsonl")),
        line(
            SID,
            true,
            "claude-haiku-4-5-20251001",
            "msg_haiku",
            "",
            r#"{"input_tokens":2000,"output_tokens":10000}"#,
        ),
    );
    write(
        &dir.join("agent-c3.jsonl"),
        line(
            "99999999-9999-4999-8999-999999999999",
            true,
            sonnet,
            "msg_other",
            "",
            r#"{"input_tokens":0,"output_tokens":200000}"#,
        ),
    );
}

/// The session's cost in the dashboard's state: read at start-up, and
/// read file by file into a dashboard already running.
fn dashboard_costs(data: &Path) -> (f64, f64) {
    use ccwatch::monitor::Monitor;
    use ccwatch::source::discover::ProjectsDir;
    use ccwatch::source::reader::FileReader;
    use ccwatch::source::scan::{list_all, scan};
    use ccwatch::tui::app::{App, Config};
    use ccwatch::tui::feed::Feed;
    let config = Config {
        thresholds: vec![70, 85, 95],
        idle_timeout_ms: 30 * 60_000,
        span_ms: 60 * 60_000,
        home: None,
        roots: Vec::new(),
        utc_offset_secs: 0,
        theme: ccwatch::tui::theme::Theme { color: false },
        alert_waiting_ms: None,
    };
    let now = 1_795_000_000_000;
    let roots = [ProjectsDir(data.join("projects"))];
    let (files, _) = list_all(&roots);
    let window = ccwatch::ledger::WindowPolicy::default();
    let scanned = scan(files.clone(), 1, 1 << 20);
    let mut monitor = Monitor::new(scanned.ledger, window.clone(), vec![70]);
    let mut app = App::new(config.clone(), now);
    Feed::load_all(&mut app, &mut monitor);
    let at_start = app.sessions[SID].cost_usd;
    let mut monitor = Monitor::new(ccwatch::ledger::Ledger::new(), window, vec![70]);
    let mut app = App::new(config, now);
    let mut feed = Feed::load_all(&mut app, &mut monitor);
    let mut buf = Vec::new();
    for t in files {
        let (update, _) = FileReader::new(t.path, t.role, 1 << 20).read(&mut buf);
        let changes = monitor.apply(vec![update]);
        feed.apply(&mut app, &mut monitor, &changes);
    }
    (at_start, app.sessions[SID].cost_usd)
}

/// The session's cost on `/metrics` of `ccwatch serve`, summed over models.
fn served_cost(isolate: &Path, data: &Path) -> f64 {
    let mut child = ccwatch(isolate)
        .args(["serve", "--listen", "127.0.0.1:0", "--dir"])
        .arg(data)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let addr = stderr
        .lines()
        .map_while(Result::ok)
        .find_map(|l| {
            l.split("http://")
                .nth(1)
                .map(|r| r.split('/').next().unwrap_or("").to_owned())
        })
        .unwrap();
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET /metrics HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut body = String::new();
    std::io::Read::read_to_string(&mut stream, &mut body).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    body.lines()
        .filter(|l| l.starts_with("claude_code_cost_usage_USD"))
        .filter(|l| l.contains(&format!("session_id=\"{SID}\"")))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

// Bug (issue 15): views priced a session each their own way (the status
// line missed the older layout's `agent-*.jsonl`). One function prices a
// record everywhere; this holds `status --json`, `session`, the status
// line, `/metrics` and the dashboard's state to the same figure.
#[test]
fn every_view_prices_a_session_the_same() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    priced_everywhere(&data);
    // Worked by hand, at the built-in prices: the main reply 1000×$3/M +
    // 5000×$3.75/M + 100000×$0.30/M + 20000×$15/M = $0.35175; the logged
    // $0.50; the older-layout subagent 100000×$15/M + 10 searches×$0.01 =
    // $1.60; the haiku subagent 2000×$1/M + 10000×$5/M = $0.052.
    let want = 0.35175 + 0.5 + 1.6 + 0.052;
    let close =
        |what: &str, got: f64| assert!((got - want).abs() < 1e-9, "{what}: {got}, want {want}");
    let status = status_json(&data);
    close(
        "status --json",
        session(&status)["costUSD"].as_f64().unwrap_or(-1.0),
    );
    let report = json_of(
        ccwatch(tmp.path())
            .args(["session", "--json", "--no-cache", "--dir"])
            .arg(&data),
    );
    let row = report["sessions"]
        .as_array()
        .and_then(|all| all.iter().find(|s| s["sessionId"] == SID))
        .cloned()
        .unwrap_or(Value::Null);
    close("session --json", row["totalCost"].as_f64().unwrap_or(-1.0));
    let stdin = format!(
        r#"{{"session_id":"{SID}","transcript_path":"{}","cwd":"{CWD}","model":{{"id":"claude-sonnet-4-5-20250929"}}}}"#,
        data.join(format!("projects/-home-dev-src-app/{SID}.jsonl"))
            .display()
    );
    let line = statusline_line(tmp.path(), &data, &stdin);
    assert!(line.contains("$2.50 session"), "{line}");
    close("/metrics", served_cost(tmp.path(), &data));
    let (at_start, fed) = dashboard_costs(&data);
    close("dashboard, at start-up", at_start);
    close("dashboard, fed file by file", fed);
}

// ---- lead: hints watched, not polled ----

/// Context switches of each thread of `pid` that still runs.
#[cfg(target_os = "linux")]
fn switches(pid: u32) -> std::collections::HashMap<String, u64> {
    let mut out = std::collections::HashMap::new();
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return out;
    };
    for t in tasks.flatten() {
        let status = std::fs::read_to_string(t.path().join("status")).unwrap_or_default();
        let n: u64 = status
            .lines()
            .filter(|l| l.contains("ctxt_switches"))
            .filter_map(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
            .sum();
        out.insert(t.file_name().to_string_lossy().into_owned(), n);
    }
    out
}

// Bug: `events` woke every two seconds to look at the hints folder, with
// nothing changed. Idle means idle: over six quiet seconds its threads
// (those alive at both looks) are not switched in at all.
#[cfg(target_os = "linux")]
#[test]
fn an_idle_events_process_does_not_wake() {
    use std::io::{BufRead, BufReader};
    let root = tempfile::tempdir().unwrap();
    let isolate = tempfile::tempdir().unwrap();
    // Weeks old: idle, so no state can change with time either.
    write(&main_file(root.path()), record(1, 1000));
    let mut child = ccwatch(isolate.path())
        .args(["events", "--json", "--dir"])
        .arg(root.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    while let Some(Ok(line)) = lines.next() {
        if line.contains("\"ready\"") {
            break;
        }
    }
    // Let start-up work (index writes, pool threads) settle.
    std::thread::sleep(std::time::Duration::from_secs(2));
    let before = switches(child.id());
    std::thread::sleep(std::time::Duration::from_secs(6));
    let after = switches(child.id());
    let _ = child.kill();
    let _ = child.wait();
    let woke: Vec<(String, u64)> = after
        .iter()
        .filter_map(|(t, n)| Some((t.clone(), n - before.get(t)?)))
        .filter(|(_, d)| *d > 0)
        .collect();
    assert!(woke.is_empty(), "threads woke while idle: {woke:?}");
}

// ---------------------------------------------------------------------------
// Codex CLI sessions (issue 19)

// Bug (issue 19): the price table kept only LiteLLM's "chat" models, and
// LiteLLM lists OpenAI's Codex models (gpt-5-codex, gpt-5.1-codex-max, …)
// as "responses" models, so every response of them cost $0 and was listed
// as unpriced, in a Claude Code transcript routed to them as in a Codex
// session.
#[test]
fn codex_models_were_unpriced() {
    let tmp = tempfile::tempdir().unwrap();
    let line = assistant(
        "2026-11-22T10:00:00.000Z",
        "msg_codex",
        r#"{"input_tokens":10000,"cache_read_input_tokens":80000,"output_tokens":2000}"#,
    )
    .replace("claude-sonnet-4-5-20250929", "gpt-5.1-codex-max");
    transcript(tmp.path(), &[line]);
    let daily = json_of(
        ccwatch(tmp.path())
            .args([
                "daily",
                "--json",
                "--no-cache",
                "--timezone",
                "UTC",
                "--dir",
            ])
            .arg(tmp.path()),
    );
    assert_eq!(daily["unpriced"]["models"], serde_json::json!([]));
    // 10000×$1.25/M + 80000×$0.125/M + 2000×$10/M = $0.0425.
    let cost = daily["totals"]["totalCost"].as_f64().unwrap();
    assert!((cost - 0.0425).abs() < 1e-9, "{cost}");
}

// ---- status-line hints in the dashboard (issue 14: costUnlogged) ----

// Bug (issue 14): the dashboard looked at the status-line hints only when a
// transcript grew or an age on screen ticked over (up to a minute apart),
// while `events` and `serve` look every 2 seconds; and on an age tick it
// took in new hints that changed no session's snapshot (the plan's limits)
// without showing them. So the plan's limits appeared only with the next
// reply, and the window and the unlogged cost up to a minute late. Fixed:
// the dashboard watches the hints folder (see
// `an_idle_events_process_does_not_wake`), and any new hints reach the
// screen.
#[test]
fn the_dashboard_shows_a_new_hint_within_seconds_without_a_new_reply() {
    if !common::tmux::tmux_available() {
        return;
    }

    let tmp = tempfile::tempdir().unwrap();
    let now = chrono::Utc::now().timestamp_millis();
    // One reply 61 seconds ago: its age ("1m") next changes in a minute.
    let ts = ccwatch::record::format_timestamp(now - 61_000);
    let usage = r#"{"input_tokens":10,"cache_creation_input_tokens":0,"cache_read_input_tokens":50000,"output_tokens":5}"#;
    let data = tmp.path().join("claude");
    write(
        &data.join(format!("projects/-home-dev-src-app/{SID}.jsonl")),
        assistant(&ts, "msg_1", usage) + "\n",
    );
    let cache = tmp.path().join("cache");
    let command = format!(
        "{} --no-bell --dir {}; sleep 30",
        bin().display(),
        data.display()
    );
    let home = tmp.path().join("home").display().to_string();
    let env = [
        ("HOME", home.clone()),
        ("XDG_CONFIG_HOME", home),
        ("CCWATCH_CACHE_DIR", cache.display().to_string()),
    ];
    let pane = common::tmux::Tmux::start("regression-hint", &command, &env, (120, 30));
    let screen = pane.wait_for("the dashboard", |s| s.contains("1 live"));
    assert!(!screen.contains("5h "), "{screen}");
    // What `ccwatch statusline` leaves for a subscription's session.
    let hint = serde_json::json!({
        "format": 1, "sessionId": SID, "time": now,
        "fiveHour": {"usedPercentage": 42.0, "resetsAt": now + 3_600_000},
    });
    let dir = cache.join("hints");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(".h.tmp"), hint.to_string()).unwrap();
    std::fs::rename(dir.join(".h.tmp"), dir.join(format!("{SID}.json"))).unwrap();
    let seen = Instant::now();
    pane.wait_for("the plan's limits", |s| {
        s.contains("5h ") && s.contains("42%")
    });
    // Within the hints' poll (2 s) and a loaded machine's slack, well
    // before the age tick that used to bring it.
    assert!(
        seen.elapsed() < Duration::from_secs(15),
        "{:?}",
        seen.elapsed()
    );
}

// ---- gaps: faults row 13 (issue 12) ----

/// `events --json --no-cache` on `root` as a user that file modes bind:
/// ourselves, or, when we are root (which reads any mode), nobody
/// (65534) through util-linux's `setpriv`. `None` when neither works.
fn events_bound_by_modes(
    root: &Path,
    isolate: &Path,
) -> Option<(KillOnDrop, std::sync::mpsc::Receiver<Value>)> {
    let mut events = ccwatch(isolate);
    events
        .args(["events", "--json", "--no-cache", "--dir"])
        .arg(root);
    let mut cmd = unprivileged(&events)?;
    cmd.stdout(Stdio::piped()).stderr(Stdio::null());
    let mut child = cmd.spawn().ok()?;
    let stdout = child.stdout.take()?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(serde_json::from_str(&line).unwrap()).is_err() {
                break;
            }
        }
    });
    Some((KillOnDrop(child), rx))
}

// Bug (faults #13): a transcript made unreadable (`chmod 000`) counted
// once as an `unreadableFile` skip, and after `chmod 644` the live engine
// read it again but kept the skip counted for ever. The file's mode is
// changed for real: as root (which reads any mode) the engine runs as
// nobody through `setpriv`, and only without it is the test skipped.
#[test]
fn an_unreadable_file_skip_is_uncounted_once_chmod_makes_it_readable() {
    use std::os::unix::fs::PermissionsExt;
    let root = tempfile::tempdir().unwrap();
    let isolate = tempfile::tempdir().unwrap();
    let file = main_file(root.path());
    write(&file, record(1, 1000));
    let mode =
        |p: &Path, m: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    // Let an unprivileged user reach the data and its own home: temp dirs
    // start as 0700.
    for dir in [
        root.path(),
        &root.path().join("projects"),
        file.parent().unwrap(),
    ] {
        mode(dir, 0o755);
    }
    mode(isolate.path(), 0o777);
    mode(&file, 0o644);
    let Some((_child, lines)) = events_bound_by_modes(root.path(), isolate.path()) else {
        eprintln!("skipped: running as root without setpriv, so a file's mode cannot stop a read");
        return;
    };
    wait_for_records(&lines, 1);
    std::thread::sleep(Duration::from_millis(300));
    mode(&file, 0o000);
    // A write while it cannot be read (root, or the owner, still writes).
    append_to(&file, &record(2, 2000));
    // The notice and the totals keeping the file's share, in either order.
    let (notice, totals) = notice_and_totals(&lines, "the unreadable file", &|v| {
        v["skipped"]["unreadableFile"] == 1
    });
    assert!(
        notice.contains("keeping what it gave") && notice.contains(&*file.to_string_lossy()),
        "{notice}"
    );
    assert_eq!(totals["totals"]["records"], 1, "{totals}");
    // Readable again, with no write after it: the new line is read and the
    // skip is gone.
    mode(&file, 0o644);
    let (notice, healed) = notice_and_totals(&lines, "the file read again", &|v| {
        v["totals"]["records"] == 2
    });
    assert!(notice.contains("can be read again"), "{notice}");
    assert_eq!(healed["files"], 1, "{healed}");
    let still = healed["skipped"]["unreadableFile"].as_u64().unwrap_or(0);
    assert_eq!(still, 0, "{healed}");
}

/// The next notice and the next totals line that passes `ok`, which a live
/// engine may print in either order.
fn notice_and_totals(
    lines: &std::sync::mpsc::Receiver<Value>,
    what: &str,
    ok: &dyn Fn(&Value) -> bool,
) -> (String, Value) {
    let (mut notice, mut totals) = (None, None);
    while notice.is_none() || totals.is_none() {
        let v = wait_event(lines, what, &|v| {
            v["event"] == "notice" || (v["event"] == "totals" && ok(v))
        });
        if v["event"] == "notice" {
            notice.get_or_insert(v["message"].as_str().unwrap_or_default().to_owned());
        } else {
            totals.get_or_insert(v);
        }
    }
    (notice.unwrap(), totals.unwrap())
}

// ---- found by an audit of issue 11 against the spec ----

/// A main-chain line of `session` with usage, in the shape of `assistant`.
fn reply_of(session: &str, cwd: &str, ts: &str, id: &str, usage: &str) -> String {
    assistant(ts, id, usage)
        .replace(SID, session)
        .replace(&format!(r#""cwd":"{CWD}""#), &format!(r#""cwd":"{cwd}""#))
}

// Bug: a subagent's API error copied into the parent's `progress` line
// (`data.message.isApiErrorMessage: true`) was counted as a response,
// tokens and cost, although the same error in its own line is ignored
// (spec §3).
#[test]
fn a_progress_copy_of_an_api_error_is_ignored_like_the_error() {
    let tmp = tempfile::tempdir().unwrap();
    let error = |id: &str, usage: &str| {
        format!(
            r#"{{"type":"progress","sessionId":"{SID}","cwd":"{CWD}","uuid":"p-{id}","timestamp":"2026-11-20T10:00:30.000Z","data":{{"type":"agent_progress","agentId":"a1","message":{{"type":"assistant","timestamp":"2026-11-20T10:00:20.000Z","requestId":"req_{id}","isApiErrorMessage":true,"message":{{"model":"claude-sonnet-4-5-20250929","id":"{id}","type":"message","role":"assistant","usage":{usage}}}}}}}}}"#
        )
    };
    transcript(
        tmp.path(),
        &[
            assistant(
                "2026-11-20T10:00:00.000Z",
                "msg_1",
                r#"{"input_tokens":10,"output_tokens":20}"#,
            ),
            error("msg_e1", r#"{"input_tokens":0,"output_tokens":0}"#),
            error("msg_e2", r#"{"input_tokens":100,"output_tokens":100}"#),
        ],
    );
    let st = status(tmp.path());
    assert_eq!(st["totals"]["records"], 1, "{st}");
    assert_eq!(st["totals"]["input"], 10, "{st}");
    assert_eq!(st["totals"]["output"], 20, "{st}");
}

// Bug: an empty `cwd` ("") was taken as the session's project, which then
// showed blank, instead of the next line's `cwd` or the folder name.
#[test]
fn an_empty_cwd_names_no_project() {
    let tmp = tempfile::tempdir().unwrap();
    let usage = r#"{"input_tokens":1,"output_tokens":1}"#;
    transcript(
        tmp.path(),
        &[
            reply_of(SID, "", "2026-11-20T10:00:00.000Z", "msg_1", usage),
            reply_of(SID, "/home/u/p", "2026-11-20T10:01:00.000Z", "msg_2", usage),
        ],
    );
    assert_eq!(session(&status(tmp.path()))["project"], "/home/u/p");
    let only_empty = tempfile::tempdir().unwrap();
    transcript(
        only_empty.path(),
        &[reply_of(
            SID,
            "",
            "2026-11-20T10:00:00.000Z",
            "msg_1",
            usage,
        )],
    );
    // The folder name, as with no `cwd` at all.
    assert_eq!(
        session(&status(only_empty.path()))["project"],
        "-home-dev-src-app"
    );
}

// Bug: a session whose replies were all counted in a resumed copy of it
// (the copy's file won the dedup's tie) read "active never" with LAST
// ACTIVITY "-", although its lines carry timestamps; its panel said "No
// replies yet".
#[test]
fn a_session_whose_replies_count_in_its_resumed_copy_keeps_its_last_activity() {
    let tmp = tempfile::tempdir().unwrap();
    let original = "11111111-1111-4111-8111-111111111111";
    let resumed = "00000000-0000-4000-8000-000000000000";
    let dir = tmp.path().join("projects/-home-dev-src-app");
    let usage = r#"{"input_tokens":10,"output_tokens":20,"cache_read_input_tokens":1000}"#;
    let first = |s: &str| reply_of(s, CWD, "2026-11-20T10:01:00.000Z", "msg_1", usage);
    write(
        &dir.join(format!("{original}.jsonl")),
        first(original) + "\n",
    );
    write(
        &dir.join(format!("{resumed}.jsonl")),
        first(resumed)
            + "\n"
            + &reply_of(resumed, CWD, "2026-11-21T10:01:00.000Z", "msg_2", usage)
            + "\n",
    );
    let st = status(tmp.path());
    let of = |id: &str| {
        st["sessions"]
            .as_array()
            .and_then(|all| all.iter().find(|s| s["sessionId"] == id))
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(of(original)["records"], 0, "{st}");
    assert_eq!(of(resumed)["records"], 2, "{st}");
    assert_eq!(
        of(original)["lastActivity"],
        "2026-11-20T10:01:00.000Z",
        "{st}"
    );
}

// Bug: `status` and the dashboard said nothing of tokens whose model has
// no price (counted as $0); only the reports did (spec §6: "say so").
#[test]
fn status_says_which_tokens_had_no_price() {
    let tmp = tempfile::tempdir().unwrap();
    transcript(
        tmp.path(),
        &[assistant(
            "2026-11-20T10:00:00.000Z",
            "msg_1",
            r#"{"input_tokens":1000,"output_tokens":3000}"#,
        )
        .replace("claude-sonnet-4-5-20250929", "totally-unknown-model-9")],
    );
    let st = status(tmp.path());
    assert_eq!(
        st["unpriced"],
        serde_json::json!({"tokens": 4000, "records": 1, "models": ["totally-unknown-model-9"]}),
        "{st}"
    );
    let isolate = tempfile::tempdir().unwrap();
    let out = ccwatch(isolate.path())
        .args(["status", "--no-cache", "--dir"])
        .arg(tmp.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("had no price") && text.contains("totally-unknown-model-9"),
        "{text}"
    );
}

// Bug: a usage key written with JSON escapes (`"\u0075sage"`, valid JSON
// equal to `"usage"`) was dropped by the byte pre-filter, silently,
// unless it was the file's first line (spec §2: a pre-filter must accept
// what a JSON reader accepts).
#[test]
fn a_usage_key_written_with_escapes_counts_the_same() {
    let tmp = tempfile::tempdir().unwrap();
    let plain = assistant(
        "2026-11-20T10:00:00.000Z",
        "msg_1",
        r#"{"input_tokens":1,"output_tokens":1}"#,
    );
    let escaped = assistant(
        "2026-11-20T10:01:00.000Z",
        "msg_2",
        r#"{"input_tokens":8,"output_tokens":1}"#,
    )
    .replace(r#""usage":"#, r#""\u0075sage":"#);
    transcript(tmp.path(), &[plain, escaped]);
    let st = status(tmp.path());
    assert_eq!(st["totals"]["records"], 2, "{st}");
    assert_eq!(st["totals"]["input"], 9, "{st}");
}

// ---- gauge names (issue 11 audit) ----

/// One main-chain response of `model` with a prompt of `prompt` tokens,
/// `ago_ms` before now, in `cwd`.
fn gauge_response(cwd: &str, model: &str, id: &str, ago_ms: i64, prompt: u64) -> String {
    let at = ccwatch::record::format_timestamp(chrono::Utc::now().timestamp_millis() - ago_ms);
    format!(
        r#"{{"isSidechain":false,"cwd":"{cwd}","sessionId":"{SID}","type":"assistant","message":{{"model":"{model}","id":"{id}","type":"message","role":"assistant","content":[],"usage":{{"input_tokens":10,"cache_creation_input_tokens":0,"cache_read_input_tokens":{},"output_tokens":5}}}},"requestId":"req_{id}","uuid":"u-{id}","timestamp":"{at}"}}"#,
        prompt - 10
    )
}

/// A Claude config root (`<isolate>/claude`) holding one session of `lines`.
fn gauge_data(isolate: &Path, lines: &[String]) -> std::path::PathBuf {
    let data = isolate.join("claude");
    write(
        &data.join(format!("projects/-home-dev-src-app/{SID}.jsonl")),
        lines.join("\n") + "\n",
    );
    data
}

/// The session's context in `status --json` (with `extra` flags).
fn gauge_context(isolate: &Path, data: &Path, extra: &[&str]) -> Value {
    let st = json_of(
        ccwatch(isolate)
            .args(["status", "--json"])
            .args(extra)
            .arg("--dir")
            .arg(data),
    );
    session(&st)["context"].clone()
}

fn window_and_source(c: &Value) -> (u64, String, f64) {
    (
        c["window"].as_u64().unwrap_or(0),
        c["windowSource"].as_str().unwrap_or("").to_owned(),
        c["percent"].as_f64().unwrap_or(-1.0),
    )
}

/// `ccwatch statusline --dir data` (with `extra` flags) fed `input`.
fn gauge_statusline(isolate: &Path, data: &Path, extra: &[&str], input: &str) -> String {
    let out = fed(
        ccwatch(isolate)
            .arg("statusline")
            .args(extra)
            .arg("--dir")
            .arg(data),
        input,
    );
    String::from_utf8(out.stdout).unwrap()
}

// Bug (issue 11 audit, names): prices read `claude-opus-4.7` and
// `anthropic/claude-opus-4-7` as `claude-opus-4-7`, but the built-in model
// table compared raw names, so those sessions of a 1M-only model were
// measured against the 200k default (75% instead of 15%).
#[test]
fn a_dotted_or_prefixed_model_name_missed_the_1m_model_table() {
    for model in [
        "claude-opus-4.7",
        "anthropic/claude-opus-4-7",
        "claude-opus-4-7",
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let data = gauge_data(
            tmp.path(),
            &[gauge_response(CWD, model, "msg_1", 60_000, 150_000)],
        );
        let c = gauge_context(tmp.path(), &data, &[]);
        assert_eq!(
            window_and_source(&c),
            (1_000_000, "model".into(), 15.0),
            "{model}: {c}"
        );
    }
}

// Bug (issue 11 audit, names): a status-line call for
// `claude-opus-4-6[1m]` with Claude Code's 1M window was taken as another
// model's hint for a transcript that logs `claude-opus-4.6`, so `status`
// fell back to the 200k default.
#[test]
fn a_status_line_hint_missed_a_session_logged_with_a_dotted_name() {
    for model in ["claude-opus-4.6", "claude-opus-4-6"] {
        let tmp = tempfile::tempdir().unwrap();
        let data = gauge_data(
            tmp.path(),
            &[gauge_response(CWD, model, "msg_1", 60_000, 150_000)],
        );
        let input = format!(
            r#"{{"session_id":"{SID}","model":{{"id":"claude-opus-4-6[1m]","display_name":"Opus 4.6 (1M context)"}},
            "context_window":{{"context_window_size":1000000,"used_percentage":15,
            "current_usage":{{"input_tokens":10,"output_tokens":5,"cache_creation_input_tokens":0,"cache_read_input_tokens":149990}}}}}}"#
        );
        let line = gauge_statusline(tmp.path(), &data, &[], &input);
        assert!(line.contains("/1M 15%"), "{line}");
        let c = gauge_context(tmp.path(), &data, &[]);
        assert_eq!(
            window_and_source(&c),
            (1_000_000, "statusline".into(), 15.0),
            "{model}: {c}"
        );
    }
}

// Bug (issue 11 audit, names): a project's settings.json starting Claude
// Code as `claude-sonnet-4-5[1m]` was not taken to name a session whose
// transcript logs `claude-sonnet-4.5`, so it read 200k.
#[test]
fn settings_json_missed_a_session_logged_with_a_dotted_name() {
    for model in ["claude-sonnet-4.5", "claude-sonnet-4-5-20250929"] {
        let tmp = tempfile::tempdir().unwrap();
        let project = tmp.path().join("app");
        write(
            &project.join(".claude/settings.json"),
            r#"{"model":"claude-sonnet-4-5[1m]"}"#,
        );
        let cwd = project.to_str().unwrap();
        let data = gauge_data(
            tmp.path(),
            &[gauge_response(cwd, model, "msg_1", 60_000, 150_000)],
        );
        let c = gauge_context(tmp.path(), &data, &[]);
        assert_eq!(
            window_and_source(&c),
            (1_000_000, "settings".into(), 15.0),
            "{model}: {c}"
        );
    }
}

// Bug (issue 11 audit, window): `--window sonnet=100000` grew to the
// largest prompt the session had sent (150,010), so a 50,010-token context
// read 33% of 150,010 instead of 50% of the window the user set. Spec §4:
// the override is the window.
#[test]
fn an_override_grew_to_the_largest_prompt_of_the_session() {
    let tmp = tempfile::tempdir().unwrap();
    let data = gauge_data(
        tmp.path(),
        &[
            gauge_response(CWD, "claude-sonnet-4-5-20250929", "msg_1", 120_000, 150_010),
            gauge_response(CWD, "claude-sonnet-4-5-20250929", "msg_2", 60_000, 50_010),
        ],
    );
    let c = gauge_context(tmp.path(), &data, &["--window", "sonnet=100000"]);
    assert_eq!(c["tokens"], 50_010, "{c}");
    assert_eq!(
        window_and_source(&c),
        (100_000, "override".into(), 50.01),
        "{c}"
    );
    // Over the window, the number says so; it is not pulled down to 100%.
    let over = gauge_data(
        tmp.path(),
        &[gauge_response(
            CWD,
            "claude-sonnet-4-5-20250929",
            "msg_3",
            60_000,
            150_010,
        )],
    );
    let c = gauge_context(tmp.path(), &over, &["--window", "sonnet=100000"]);
    assert_eq!(
        window_and_source(&c),
        (100_000, "override".into(), 150.01),
        "{c}"
    );
}

// Bug (issue 11 audit, window): a 1,200,010-token prompt made the inferred
// window 1,200,010 (100%). Spec §4 says 1,000,000 once a prompt passed
// 200k: the gauge reads 120%.
#[test]
fn the_inferred_1m_window_grew_to_a_prompt_past_it() {
    let tmp = tempfile::tempdir().unwrap();
    let data = gauge_data(
        tmp.path(),
        &[gauge_response(
            CWD,
            "claude-sonnet-4-5-20250929",
            "msg_1",
            60_000,
            1_200_010,
        )],
    );
    let c = gauge_context(tmp.path(), &data, &[]);
    assert_eq!(
        window_and_source(&c),
        (1_000_000, "observed".into(), 120.0),
        "{c}"
    );
}

// Bug (issue 11 audit, window): the status line, measuring a transcript
// against `--window sonnet=100000`, grew the window to the prompt and read
// 100%. It now shows the prompt over the window the user set.
#[test]
fn the_status_line_grew_an_override_to_the_prompt() {
    let tmp = tempfile::tempdir().unwrap();
    let data = gauge_data(
        tmp.path(),
        &[gauge_response(
            CWD,
            "claude-sonnet-4-5-20250929",
            "msg_1",
            60_000,
            150_010,
        )],
    );
    let path = data.join(format!("projects/-home-dev-src-app/{SID}.jsonl"));
    let input = format!(
        r#"{{"session_id":"{SID}","transcript_path":{}}}"#,
        serde_json::to_string(&path).unwrap()
    );
    let line = gauge_statusline(tmp.path(), &data, &["--window", "sonnet=100000"], &input);
    assert!(line.contains("ctx 150k/100k 150%"), "{line}");
}

// Bug (issue 11 audit, window): the dashboard grew a `--window` override to
// the session's prompt, so a 150k context under `--window sonnet=100000`
// read 100% of a 150k window. It now reads 150% of the 100k the user set:
// the bar full, the number as it is.
#[test]
fn the_dashboard_grew_an_override_to_the_prompt() {
    if !common::tmux::tmux_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let data = gauge_data(
        tmp.path(),
        &[gauge_response(
            CWD,
            "claude-sonnet-4-5-20250929",
            "msg_1",
            60_000,
            150_010,
        )],
    );
    let command = format!(
        "{} --no-bell --window sonnet=100000 --dir {}; sleep 30",
        bin().display(),
        data.display()
    );
    let path = |p: &str| tmp.path().join(p).display().to_string();
    let env = [
        ("HOME", path("home")),
        ("XDG_CONFIG_HOME", path("xdg-config")),
        ("XDG_CACHE_HOME", path("xdg-cache")),
        ("CCWATCH_CACHE_DIR", path("ccwatch-cache")),
    ];
    let pane = common::tmux::Tmux::start("regression-over", &command, &env, (80, 30));
    let screen = pane.wait_for("the session over its window", |s| {
        s.contains("150k / 100k tokens")
    });
    let row = screen
        .lines()
        .find(|l| l.contains(&SID[..8]) && l.contains('%'))
        .unwrap_or("");
    assert!(row.contains("150.0%"), "{screen}");
    assert!(!screen.contains("100.0%"), "{screen}");
}

// ---- faults found again (issue 12 audit) ----

/// Write `with` over the first `what` found at or after byte `from`, in
/// place (the file keeps its inode and its length), as `dd conv=notrunc`
/// does.
fn overwrite_in_place(path: &Path, from: usize, what: &str, with: &str) {
    use std::io::{Seek, SeekFrom};
    assert_eq!(what.len(), with.len());
    let text = std::fs::read_to_string(path).unwrap();
    let at = from + text[from..].find(what).unwrap();
    let before = std::fs::metadata(path).unwrap();
    let mut f = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    f.seek(SeekFrom::Start(at as u64)).unwrap();
    f.write_all(with.as_bytes()).unwrap();
    drop(f);
    let after = std::fs::metadata(path).unwrap();
    assert_eq!(before.len(), after.len());
    assert_ne!(before.modified().unwrap(), after.modified().unwrap());
}

// Bug (issue 12 row 7, again): an edit in place at the same length in the
// middle of a transcript (past its first 256 bytes, before the 4 KiB the
// fingerprint covers) was taken for "nothing appended": `status` through
// the index kept the old numbers while `status --no-cache` read the new
// ones, and the live engine never changed its totals. A file that keeps
// its length but not its modification time was written without growing,
// which an append never does, so it is read again from the start.
#[test]
fn an_edit_in_place_at_the_same_length_is_read_again() {
    let root = tempfile::tempdir().unwrap();
    let isolate = tempfile::tempdir().unwrap();
    let file = main_file(root.path());
    let long = "x".repeat(1500);
    let mut text = String::new();
    for n in 1..=5 {
        let msg = format!("msg_{n}");
        let ts = format!("2026-11-20T10:00:{n:02}.000Z");
        let mut line = Line::new(SESSION, &msg, &ts, 1000 * n, 100 + n);
        line.text = &long;
        text += &line.json();
    }
    write(&file, &text);
    assert!(text.len() > 4096 + 2 * 1700);
    let second = text.find("msg_2").unwrap();
    let outputs = |v: &Value| v["totals"]["output"].as_u64().unwrap();
    // After a restart through the index.
    let before = status_in(root.path(), isolate.path(), true);
    assert_eq!(before["totals"]["records"], 5);
    std::thread::sleep(Duration::from_millis(20));
    overwrite_in_place(
        &file,
        second,
        "\"output_tokens\":102",
        "\"output_tokens\":902",
    );
    let fresh = status_in(root.path(), isolate.path(), false);
    assert_eq!(outputs(&fresh), outputs(&before) + 800);
    let cached = status_in(root.path(), isolate.path(), true);
    assert_eq!(cached["totals"], fresh["totals"]);
    assert_eq!(cached["skipped"], fresh["skipped"]);
    // Live: the same kind of edit while `events` follows the file.
    let (_child, lines) = start_events(root.path(), isolate.path());
    wait_for_records(&lines, 5);
    std::thread::sleep(Duration::from_millis(300));
    overwrite_in_place(
        &file,
        second,
        "\"output_tokens\":902",
        "\"output_tokens\":502",
    );
    let want = outputs(&fresh) - 400;
    wait_event(&lines, "the edited totals", &|v| {
        v["event"] == "totals" && v["totals"]["output"] == want && v["totals"]["records"] == 5
    });
}

// Bug (issue 12 audit, row 13's folder case): a folder under `projects/`
// that could not be listed (`chmod 000`) counted once as `unreadableFile`,
// and after `chmod 755` the live engine never listed it again: its
// transcripts stayed unread and the skip stayed counted, with no word that
// it was readable again (a file healed; a folder did not). As in the file
// case, the engine runs as nobody when the test runs as root.
#[test]
fn an_unreadable_folder_skip_is_uncounted_once_chmod_makes_it_readable() {
    use std::os::unix::fs::PermissionsExt;
    let root = tempfile::tempdir().unwrap();
    let isolate = tempfile::tempdir().unwrap();
    let file = main_file(root.path());
    write(&file, record(1, 1000));
    let other = "5d6e7f80-1a2b-4c3d-8e9f-0a1b2c3d4e5f";
    let folder = root.path().join("projects/-home-dev-src-other");
    let other_file = folder.join(format!("{other}.jsonl"));
    let line = Line::new(other, "msg_other", "2026-11-20T10:01:00.000Z", 2000, 7);
    write(&other_file, line.json());
    let mode =
        |p: &Path, m: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    for dir in [
        root.path(),
        &root.path().join("projects"),
        file.parent().unwrap(),
        &folder,
    ] {
        mode(dir, 0o755);
    }
    mode(isolate.path(), 0o777);
    mode(&file, 0o644);
    mode(&other_file, 0o644);
    mode(&folder, 0o000);
    let Some((_child, lines)) = events_bound_by_modes(root.path(), isolate.path()) else {
        mode(&folder, 0o755);
        eprintln!(
            "skipped: running as root without setpriv, so a folder's mode cannot stop a read"
        );
        return;
    };
    let unreadable = |v: &Value| v["skipped"]["unreadableFile"].as_u64().unwrap_or(0);
    // Unreadable from the start: counted once, its transcript unread.
    let ready = wait_for_records(&lines, 1);
    assert_eq!(unreadable(&ready), 1, "{ready}");
    // Readable: listed, read, uncounted and said, with no write in it.
    mode(&folder, 0o755);
    let (notice, healed) = notice_and_totals(&lines, "the folder listed again", &|v| {
        v["totals"]["records"] == 2
    });
    assert!(
        notice.contains("can be read again") && notice.contains(&*folder.to_string_lossy()),
        "{notice}"
    );
    assert_eq!(unreadable(&healed), 0, "{healed}");
    // Unreadable while followed: the share stays, the skip is counted.
    std::thread::sleep(Duration::from_millis(300));
    mode(&folder, 0o000);
    let (notice, kept) = notice_and_totals(&lines, "the folder unreadable again", &|v| {
        v["skipped"]["unreadableFile"].as_u64().unwrap_or(0) > 0
    });
    assert!(notice.contains("permission denied"), "{notice}");
    assert_eq!(kept["totals"]["records"], 2, "{kept}");
    // And readable again: the count goes away once more.
    mode(&folder, 0o755);
    let healed = wait_event(&lines, "the count gone again", &|v| {
        v["event"] == "totals" && v["skipped"]["unreadableFile"].as_u64().unwrap_or(0) == 0
    });
    assert_eq!(healed["totals"]["records"], 2, "{healed}");
}

/// Run `cmd` to its end; its stdout, its stderr and the most memory it
/// held resident (bytes), from its own `wait4`, not its siblings'.
#[allow(
    clippy::zombie_processes,
    reason = "the child is reaped by wait4, which also reports its own peak memory"
)]
fn output_and_peak(cmd: &mut std::process::Command) -> (String, String, u64) {
    use std::io::Read;
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        out.read_to_string(&mut s).unwrap();
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        err.read_to_string(&mut s).unwrap();
        s
    });
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid; wait4 fills it for our child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    // SAFETY: waiting for our own child, with valid out-pointers.
    let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(rc, pid);
    assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0);
    let peak = usage.ru_maxrss as u64 * 1024;
    (out.join().unwrap(), err.join().unwrap(), peak)
}

// Bug (issue 12 audit): a huge file in place of the index (`truncate -s 1G
// index-….bin`) was read whole into memory (1 GB resident, seconds) before
// being found not to be an index, and so was a real index with a gigabyte
// of garbage after it. The magic and the header, which says how long the
// file must be, are read first; anything else is refused from its first
// bytes.
#[test]
fn a_huge_file_in_place_of_the_index_is_refused_from_its_first_bytes() {
    let root = tempfile::tempdir().unwrap();
    let isolate = tempfile::tempdir().unwrap();
    write(&main_file(root.path()), record(1, 1000) + &record(2, 2000));
    let fresh = status_in(root.path(), isolate.path(), false);
    status_in(root.path(), isolate.path(), true);
    let cache = isolate.path().join("ccwatch-cache");
    let index = std::fs::read_dir(&cache)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("index-")
        })
        .unwrap();
    let good = std::fs::metadata(&index).unwrap().len();
    let gib = 1u64 << 30;
    let zeros = || {
        // Sparse: a gigabyte of zeros that costs no disk.
        std::fs::File::create(&index).unwrap().set_len(gib).unwrap();
    };
    let padded = || {
        status_in(root.path(), isolate.path(), true);
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(&index)
            .unwrap();
        f.set_len(good + gib).unwrap();
    };
    let cases: [(&str, &dyn Fn(), &str); 2] = [
        ("zeros", &zeros, "not a ccwatch index"),
        (
            "an index with a gigabyte after it",
            &padded,
            "where its header says",
        ),
    ];
    for (what, make, said) in cases {
        make();
        let mut cmd = ccwatch(isolate.path());
        cmd.args(["status", "--json", "--dir"]).arg(root.path());
        let (out, err, peak) = output_and_peak(&mut cmd);
        let got: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(got["totals"], fresh["totals"], "{what}");
        assert_eq!(err.lines().count(), 1, "{what}: {err}");
        assert!(
            err.contains("ignored the index") && err.contains(said),
            "{what}: {err}"
        );
        assert!(peak < 200 << 20, "{what}: {} MB resident", peak >> 20);
        // Rebuilt in its place: the next run is quiet.
        assert!(std::fs::metadata(&index).unwrap().len() < gib, "{what}");
    }
}

// Bug (issue 12 audit): with the cache path a regular file
// (`CCWATCH_CACHE_DIR` pointing at one, or a file named like the cache
// folder), the one line said "could not update the index at …/index-….bin
// (File exists (os error 17))", the system's words for it; it says now
// that the cache path is a file, not a folder, and the answer is the same.
#[test]
fn a_cache_path_that_is_a_file_is_said_in_words() {
    let root = tempfile::tempdir().unwrap();
    let isolate = tempfile::tempdir().unwrap();
    write(&main_file(root.path()), record(1, 1000));
    let cache = isolate.path().join("ccwatch-cache");
    write(&cache, "a file, not a folder\n");
    let fresh = status_in(root.path(), isolate.path(), false);
    for (cache_dir, said) in [
        (
            cache.clone(),
            format!("the cache path {} is a file, not a folder", cache.display()),
        ),
        (
            cache.join("below"),
            format!(
                "{} is a file, not a folder, so the cache folder",
                cache.display()
            ),
        ),
    ] {
        let (got, err) = run_json(
            ccwatch(isolate.path())
                .env("CCWATCH_CACHE_DIR", &cache_dir)
                .args(["status", "--json", "--dir"])
                .arg(root.path()),
        );
        assert_eq!(got["totals"], fresh["totals"]);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains("could not update the index") && err.contains(&said),
            "{err}"
        );
        assert!(!err.contains("os error"), "{err}");
    }
}

// Bug (issue 12 audit): counts of one took the plural noun: serve's banner
// said "(1 sessions, 1 files, native watcher)", `events` "Watching 1
// sessions in 1 files", the reports "4k tokens (1 responses) had no
// price". Every such count goes through `format::count`.
#[test]
fn a_count_of_one_takes_the_singular() {
    let root = tempfile::tempdir().unwrap();
    let isolate = tempfile::tempdir().unwrap();
    let unpriced = record(1, 4000).replace("claude-sonnet-4-5-20250929", "my-proxy-model");
    write(&main_file(root.path()), unpriced);
    // The reports.
    let out = ccwatch(isolate.path())
        .args(["daily", "--no-cache", "--dir"])
        .arg(root.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("(1 response) had no price"), "{text}");
    assert!(!text.contains("1 responses"), "{text}");
    // serve's banner.
    let mut serve = KillOnDrop(
        ccwatch(isolate.path())
            .args(["serve", "--listen", "127.0.0.1:0", "--no-cache", "--dir"])
            .arg(root.path())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let stderr = serve.0.stderr.take().unwrap();
    let banner = BufReader::new(stderr)
        .lines()
        .map(Result::unwrap)
        .find(|l| l.contains("serving metrics"))
        .expect("serve's banner");
    assert!(banner.contains("(1 session, 1 file, "), "{banner}");
    drop(serve);
    // events, in words.
    let mut events = KillOnDrop(
        ccwatch(isolate.path())
            .args(["events", "--no-cache", "--dir"])
            .arg(root.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let lines = BufReader::new(events.0.stdout.take().unwrap()).lines();
    let watching = lines
        .map(Result::unwrap)
        .find(|l| l.starts_with("Watching"))
        .expect("the events banner");
    assert!(
        watching.starts_with("Watching 1 session in 1 file ("),
        "{watching}"
    );
}

// Bug (found beside issue 12's row 10): a large file in place of the
// status line's cache (`statusline-….bin`) was read whole into memory on
// every call before postcard refused it; the status line runs after every
// reply. Its first byte is now checked first.
#[test]
fn a_huge_file_in_place_of_the_status_line_cache_is_refused_from_its_first_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    one_response(&data);
    let stdin = format!(
        r#"{{"session_id":"{SID}","transcript_path":"{}","model":{{"id":"claude-sonnet-4-5-20250929"}}}}"#,
        data.join(format!("projects/-home-dev-src-app/{SID}.jsonl"))
            .display()
    );
    let first = statusline_line(tmp.path(), &data, &stdin);
    let cache = std::fs::read_dir(tmp.path().join("cache"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            name.starts_with("statusline-") && !name.ends_with(".quiet.bin")
        })
        .expect("a status-line cache");
    // Sparse: a gigabyte of zeros that costs no disk.
    std::fs::File::create(&cache)
        .unwrap()
        .set_len(1 << 30)
        .unwrap();
    let input = tmp.path().join("stdin.json");
    write(&input, &stdin);
    let mut cmd = ccwatch(tmp.path());
    cmd.env("CCWATCH_NOW", "2026-11-20T10:05:00Z")
        .env("CCWATCH_CACHE_DIR", tmp.path().join("cache"))
        .args(["statusline", "--timezone", "UTC", "--dir"])
        .arg(&data)
        .stdin(std::fs::File::open(&input).unwrap());
    let (out, _, peak) = output_and_peak(&mut cmd);
    assert_eq!(out.trim_end(), first);
    assert!(peak < 200 << 20, "peak resident {} MB", peak >> 20);
}
