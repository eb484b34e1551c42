//! Codex CLI sessions beside Claude Code's, through the binary: where the
//! rollouts are found (`--codex-dir`, `$CODEX_HOME`, `~/.codex`), which
//! agents are read (`--agents`), what each view says of a Codex session
//! (`status --json`, reports split by agent, `--agent`), a restart that
//! resumes a rollout from the index, and the live engine following one.
//! The accounting rules themselves are pinned by `fixtures/cases/codex-*`.

mod common;
use common::*;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

const CODEX_ID: &str = "0199a1b2-0000-7000-8000-00000000000a";
const CLAUDE_ID: &str = "11111111-1111-4111-8111-111111111111";

/// A home with Claude Code's `other-provider-model` case under
/// `~/.claude` and Codex's `codex-basic-session` under `~/.codex`.
fn home_with_both(isolate: &Path) -> PathBuf {
    let home = isolate.join("home");
    copy_dir(
        &fixtures().join("cases/other-provider-model/projects"),
        &home.join(".claude/projects"),
    );
    copy_dir(
        &fixtures().join("cases/codex-basic-session/sessions"),
        &home.join(".codex/sessions"),
    );
    home
}

fn sessions(status: &Value) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = status["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["sessionId"].as_str().unwrap().to_owned(),
                s["agent"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn both_agents_are_read_from_their_default_homes_and_marked() {
    let tmp = tempfile::tempdir().unwrap();
    home_with_both(tmp.path());
    let st = json_of(ccwatch(tmp.path()).args(["status", "--json", "--no-cache"]));
    assert_eq!(
        sessions(&st),
        vec![
            (CODEX_ID.to_owned(), "codex".to_owned()),
            (CLAUDE_ID.to_owned(), "claude".to_owned()),
        ]
    );
    let codex = st["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["agent"] == "codex")
        .unwrap();
    // The newest response's input, of the window Codex reported, and
    // Codex's own auto-compact point (90% of it).
    assert_eq!(codex["context"]["tokens"], 15000);
    assert_eq!(codex["context"]["window"], 272000);
    assert_eq!(codex["context"]["windowSource"], "agent");
    assert_eq!(codex["context"]["autoCompactAt"], 244800);
    // The human table marks it too.
    let out = ccwatch(tmp.path())
        .args(["status", "--no-cache"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("0000000a codex"), "{text}");
}

#[test]
fn agents_chooses_and_codex_home_moves_the_rollouts() {
    let tmp = tempfile::tempdir().unwrap();
    let home = home_with_both(tmp.path());
    let only = |agents: &str| {
        sessions(&json_of(ccwatch(tmp.path()).args([
            "status",
            "--json",
            "--no-cache",
            "--agents",
            agents,
        ])))
    };
    assert_eq!(only("claude"), vec![(CLAUDE_ID.into(), "claude".into())]);
    assert_eq!(only("codex"), vec![(CODEX_ID.into(), "codex".into())]);
    // $CODEX_HOME moves Codex's data: ~/.codex is no longer read.
    let moved = tmp.path().join("codex-home");
    std::fs::rename(home.join(".codex"), &moved).unwrap();
    let st = json_of(ccwatch(tmp.path()).env("CODEX_HOME", &moved).args([
        "status",
        "--json",
        "--no-cache",
    ]));
    assert_eq!(sessions(&st).len(), 2);
    let st = json_of(ccwatch(tmp.path()).args(["status", "--json", "--no-cache"]));
    assert_eq!(sessions(&st), vec![(CLAUDE_ID.into(), "claude".into())]);
    // --codex-dir takes a Codex home or its sessions folder.
    let st = json_of(
        ccwatch(tmp.path())
            .args(["status", "--json", "--no-cache", "--codex-dir"])
            .arg(moved.join("sessions")),
    );
    assert_eq!(sessions(&st).len(), 2);
}

#[test]
fn dir_alone_reads_only_that_directory() {
    let tmp = tempfile::tempdir().unwrap();
    home_with_both(tmp.path());
    let st = json_of(
        ccwatch(tmp.path())
            .args(["status", "--json", "--no-cache", "--dir"])
            .arg(fixtures().join("cases/other-provider-model")),
    );
    assert_eq!(sessions(&st), vec![(CLAUDE_ID.into(), "claude".into())]);
}

#[test]
fn wrong_agent_choices_are_one_sentence_and_a_failure() {
    let tmp = tempfile::tempdir().unwrap();
    let fail = |args: &[&str]| {
        let out = ccwatch(tmp.path()).args(args).output().unwrap();
        assert!(!out.status.success(), "{args:?} succeeded");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    // A name clap cannot read: its usual error, naming the agents.
    let err = fail(&["status", "--agents", "claude,gemini"]);
    assert!(
        err.lines()
            .next()
            .unwrap()
            .contains("unknown agent \"gemini\": the agents are claude and codex"),
        "{err}"
    );
    let fail = |args: &[&str]| {
        let err = fail(args);
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        err
    };
    let err = fail(&["status", "--agents", "codex"]);
    assert!(err.contains("--codex-dir"), "{err}");
    let missing = tmp.path().join("nowhere");
    let err = fail(&[
        "status",
        "--agents",
        "codex",
        "--codex-dir",
        missing.to_str().unwrap(),
    ]);
    assert!(err.contains("does not exist"), "{err}");
}

#[test]
fn daily_breakdown_splits_by_agent_and_model_to_the_hand_count() {
    let tmp = tempfile::tempdir().unwrap();
    home_with_both(tmp.path());
    let daily = json_of(ccwatch(tmp.path()).args([
        "daily",
        "--json",
        "--no-cache",
        "--breakdown",
        "--timezone",
        "UTC",
    ]));
    let day = &daily["daily"][0];
    assert_eq!(day["date"], "2026-11-22");
    let agents = day["agentBreakdowns"].as_array().unwrap();
    let by = |name: &str| agents.iter().find(|a| a["agent"] == name).unwrap().clone();
    // The two cases' own hand counts: Claude Code's $0.0188, Codex's $0.04079.
    let claude = by("claude");
    assert_eq!(claude["inputTokens"], 20500);
    assert!((claude["cost"].as_f64().unwrap() - 0.0188).abs() < 1e-9);
    assert_eq!(claude["modelBreakdowns"].as_array().unwrap().len(), 3);
    let codex = by("codex");
    assert_eq!(
        (
            &codex["inputTokens"],
            &codex["outputTokens"],
            &codex["cacheReadTokens"]
        ),
        (&Value::from(15480), &Value::from(2000), &Value::from(11520))
    );
    assert!((codex["cost"].as_f64().unwrap() - 0.04079).abs() < 1e-9);
    assert_eq!(codex["modelBreakdowns"][0]["modelName"], "gpt-5-codex");
    assert!((day["totalCost"].as_f64().unwrap() - 0.05959).abs() < 1e-9);
    // The table shows each agent with its models under it.
    let out = ccwatch(tmp.path())
        .args(["daily", "--breakdown", "--no-cache", "--timezone", "UTC"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("└ codex"), "{text}");
    assert!(text.contains("  └ gpt-5-codex"), "{text}");
    // --agent keeps one agent's sessions.
    let codex_only =
        json_of(ccwatch(tmp.path()).args(["session", "--json", "--no-cache", "--agent", "codex"]));
    let rows = codex_only["sessions"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["sessionId"], CODEX_ID);
}

fn line(ts: &str, kind: &str, payload: Value) -> String {
    serde_json::json!({"timestamp": ts, "type": kind, "payload": payload}).to_string() + "\n"
}

fn count(ts: &str, total: [u64; 3], last: [u64; 3]) -> String {
    let usage = |[i, c, o]: [u64; 3]| {
        serde_json::json!({"input_tokens": i, "cached_input_tokens": c, "output_tokens": o,
            "reasoning_output_tokens": 0, "total_tokens": i + o})
    };
    line(
        ts,
        "event_msg",
        serde_json::json!({"type": "token_count", "info": {
            "total_token_usage": usage(total), "last_token_usage": usage(last),
            "model_context_window": 272000}, "rate_limits": null}),
    )
}

fn rollout_start(id: &str) -> String {
    line(
        "2026-11-22T10:00:00Z",
        "session_meta",
        serde_json::json!({"id": id, "cwd": "/home/dev/api", "cli_version": "0.63.0"}),
    ) + &line(
        "2026-11-22T10:00:01Z",
        "turn_context",
        serde_json::json!({"cwd": "/home/dev/api", "model": "gpt-5-codex"}),
    )
}

fn append(path: &Path, text: &str) {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

/// The running `events --json` process, killed when dropped (a failing
/// test leaves none behind), and its lines as JSON.
struct Events {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<Value>,
}

impl Drop for Events {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Events {
    fn start(isolate: &Path, codex: &Path) -> Events {
        let mut child = ccwatch(isolate)
            .args(["events", "--json", "--agents", "codex", "--codex-dir"])
            .arg(codex)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel::<Value>();
        std::thread::spawn(move || {
            for l in BufReader::new(stdout).lines() {
                let Ok(l) = l else { break };
                if tx.send(serde_json::from_str(&l).unwrap()).is_err() {
                    break;
                }
            }
        });
        Events { child, lines }
    }

    /// The first event `done` says yes to, within 20 seconds.
    fn wait(&self, done: &dyn Fn(&Value) -> bool, what: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(v) if done(&v) => return v,
                Ok(_) => {}
                Err(_) => panic!("timed out waiting for {what}"),
            }
        }
    }
}

#[test]
fn a_restart_resumes_a_rollout_with_its_model_and_session_from_the_index() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("codex/sessions/2026/11/22");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("rollout-2026-11-22T10-00-00-{CODEX_ID}.jsonl"));
    append(&file, &rollout_start(CODEX_ID));
    append(
        &file,
        &count("2026-11-22T10:00:10Z", [1000, 0, 10], [1000, 0, 10]),
    );
    let status = || {
        json_of(
            ccwatch(tmp.path())
                .args(["status", "--json", "--agents", "codex", "--codex-dir"])
                .arg(tmp.path().join("codex")),
        )
    };
    assert_eq!(status()["totals"]["records"], 1);
    // Appended: the model and the session are only in the lines already
    // read, which the restart does not read again.
    append(
        &file,
        &count("2026-11-22T10:01:00Z", [3000, 0, 30], [2000, 0, 20]),
    );
    let st = status();
    assert_eq!(st["totals"]["records"], 2);
    let s = &st["sessions"][0];
    assert_eq!(s["sessionId"], CODEX_ID);
    assert_eq!(s["models"], serde_json::json!({"gpt-5-codex": 2}));
    assert_eq!(s["project"], "/home/dev/api");
    assert_eq!(s["context"]["tokens"], 2000);
}

#[test]
fn the_live_engine_follows_a_new_rollout_in_a_new_days_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let codex = tmp.path().join("codex/sessions");
    std::fs::create_dir_all(&codex).unwrap();
    let events = Events::start(tmp.path(), &codex);
    let wait = |done: &dyn Fn(&Value) -> bool, what: &str| events.wait(done, what);
    wait(&|v| v["event"] == "ready", "ready");
    // Codex makes a folder per day: the watcher must see the new one.
    let day = codex.join("2026/11/22");
    std::fs::create_dir_all(&day).unwrap();
    let file = day.join(format!("rollout-2026-11-22T10-00-00-{CODEX_ID}.jsonl"));
    append(
        &file,
        &(rollout_start(CODEX_ID) + &count("2026-11-22T10:00:10Z", [9000, 0, 100], [9000, 0, 100])),
    );
    let first = wait(
        &|v| v["session"]["context"]["tokens"] == 9000,
        "the first response",
    );
    assert_eq!(first["session"]["agent"], "codex");
    assert_eq!(first["session"]["context"]["window"], 272000);
    // A re-emitted count adds nothing; the next response replaces the gauge.
    append(
        &file,
        &(count("2026-11-22T10:00:11Z", [9000, 0, 100], [9000, 0, 100])
            + &count(
                "2026-11-22T10:01:00Z",
                [19000, 8000, 300],
                [10000, 8000, 200],
            )),
    );
    let second = wait(
        &|v| v["session"]["context"]["tokens"] == 10000,
        "the second response",
    );
    assert_eq!(second["session"]["records"], 2);
    assert_eq!(second["session"]["tokens"]["input"], 9000 + 2000);
    assert_eq!(second["session"]["tokens"]["cacheRead"], 8000);
}

#[test]
fn a_generated_codex_corpus_is_accounted_exactly() {
    use ccwatch_corpus::{CodexSpec, generate_codex};
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("codex");
    let spec = CodexSpec {
        target_bytes: 8 << 20,
        sessions: 8,
        seed: 11,
        projects: 3,
    };
    let want = generate_codex(&home, &spec).unwrap();
    // The corpus holds what the rules are about: compactions, and forks
    // (every fourth session) copying them.
    assert!(want.compactions > 0);
    let st = json_of(
        ccwatch(tmp.path())
            .args([
                "status",
                "--json",
                "--no-cache",
                "--agents",
                "codex",
                "--codex-dir",
            ])
            .arg(&home),
    );
    let t = &st["totals"];
    assert_eq!(
        (
            &t["input"],
            &t["output"],
            &t["cacheCreation"],
            &t["cacheRead"]
        ),
        (
            &Value::from(want.totals.input),
            &Value::from(want.totals.output),
            &Value::from(0),
            &Value::from(want.totals.cache_read)
        )
    );
    assert_eq!(t["records"], want.records);
    assert_eq!(st["files"], want.files);
    assert_eq!(st["skipped"], serde_json::json!({}));
    let cost = want.cost_picodollars as f64 / 1e12;
    assert!(
        (t["costUSD"].as_f64().unwrap() - cost).abs() < 1e-6,
        "{t} vs {cost}"
    );
    let got = st["sessions"].as_array().unwrap();
    assert_eq!(got.len(), want.sessions.len());
    for s in got {
        let id = s["sessionId"].as_str().unwrap();
        let w = &want.sessions[id];
        assert_eq!(s["agent"], "codex");
        assert_eq!(s["project"], w.project.as_str(), "{id}");
        assert_eq!(s["records"], w.records, "{id}");
        assert_eq!(s["compactions"], w.compactions, "{id}");
        assert_eq!(s["tokens"]["input"], w.tokens.input, "{id}");
        assert_eq!(s["tokens"]["output"], w.tokens.output, "{id}");
        assert_eq!(s["tokens"]["cacheRead"], w.tokens.cache_read, "{id}");
        assert_eq!(s["context"]["tokens"], w.context_occupancy.unwrap(), "{id}");
        assert_eq!(
            s["context"]["timestamp"],
            w.context_timestamp.as_deref().unwrap(),
            "{id}"
        );
    }
}

#[test]
fn a_codex_sessions_state_follows_its_turn_events() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("codex/sessions/2026/11/22");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("rollout-2026-11-22T10-00-00-{CODEX_ID}.jsonl"));
    let now = chrono::Utc::now();
    let at = |secs_ago: i64| (now - chrono::Duration::seconds(secs_ago)).to_rfc3339();
    let event = |ts: String, kind: &str| {
        line(
            &ts,
            "event_msg",
            serde_json::json!({"type": kind, "turn_id": "1"}),
        )
    };
    append(&file, &rollout_start(CODEX_ID));
    append(&file, &event(at(30), "task_started"));
    append(&file, &count(&at(20), [1000, 0, 10], [1000, 0, 10]));
    // Codex holds its rollout open while it runs: so does this test.
    let _held = std::fs::File::open(&file).unwrap();
    let state = || {
        let st = json_of(
            ccwatch(tmp.path())
                .args([
                    "status",
                    "--json",
                    "--no-cache",
                    "--agents",
                    "codex",
                    "--codex-dir",
                ])
                .arg(tmp.path().join("codex")),
        );
        st["sessions"][0]["state"]
            .as_str()
            .unwrap_or("none")
            .to_owned()
    };
    assert_eq!(state(), "working");
    append(&file, &event(at(10), "task_complete"));
    assert_eq!(state(), "waiting");
    append(&file, &event(at(5), "task_started"));
    append(&file, &event(at(2), "turn_aborted"));
    assert_eq!(state(), "waiting");
}

#[test]
fn context_and_audit_say_they_read_claude_code_only() {
    let tmp = tempfile::tempdir().unwrap();
    home_with_both(tmp.path());
    // By its id's start, or by its end as lists show a Codex id.
    for (command, id) in [("context", "0199a1b2"), ("audit", "0000000a")] {
        let out = ccwatch(tmp.path())
            .args([command, id, "--no-cache"])
            .output()
            .unwrap();
        assert!(!out.status.success(), "{command} {id}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(err.contains("is a Codex session"), "{err}");
    }
    // A Claude Code session of the same home is still looked at.
    let out = ccwatch(tmp.path())
        .args(["context", "11111111", "--no-cache"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
}

#[test]
fn codex_plan_windows_alert_as_they_cross_a_level() {
    let tmp = tempfile::tempdir().unwrap();
    let day = tmp.path().join("codex/sessions/2026/11/22");
    std::fs::create_dir_all(&day).unwrap();
    let file = day.join(format!("rollout-2026-11-22T10-00-00-{CODEX_ID}.jsonl"));
    let resets = chrono::Utc::now().timestamp() + 3 * 3600;
    let limited = |ts: &str, n: u64, used: f64| {
        let usage = serde_json::json!({"input_tokens": n, "cached_input_tokens": 0,
            "output_tokens": 1, "reasoning_output_tokens": 0, "total_tokens": n + 1});
        line(
            ts,
            "event_msg",
            serde_json::json!({"type": "token_count",
                "info": {"total_token_usage": usage, "last_token_usage": usage,
                         "model_context_window": 272000},
                "rate_limits": {"primary": {"used_percent": used, "window_minutes": 300,
                                            "resets_at": resets},
                                "secondary": null}}),
        )
    };
    append(&file, &rollout_start(CODEX_ID));
    append(&file, &limited("2026-11-22T10:00:10Z", 1000, 50.0));
    let events = Events::start(tmp.path(), &tmp.path().join("codex"));
    events.wait(&|v| v["event"] == "ready", "ready");
    // 50% when ccwatch started: below every level, nothing to say. Then 85%.
    append(&file, &limited("2026-11-22T10:01:00Z", 3000, 85.0));
    let alert = events.wait(&|v| v["event"] == "limit", "the limit alert");
    assert_eq!(alert["alert"], "rate-limit-80");
    assert_eq!(alert["period"], "codex_primary");
    assert_eq!(alert["percent"], 85.0);
}

#[test]
fn an_archived_session_keeps_counting() {
    let tmp = tempfile::tempdir().unwrap();
    let home = home_with_both(tmp.path());
    let before = json_of(ccwatch(tmp.path()).args(["status", "--json"]));
    // `codex archive` moves the rollout, flat, to archived_sessions/.
    let day = home.join(".codex/sessions/2026/11/22");
    let name = std::fs::read_dir(&day)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .file_name();
    let archived = home.join(".codex/archived_sessions");
    std::fs::create_dir_all(&archived).unwrap();
    std::fs::rename(day.join(&name), archived.join(&name)).unwrap();
    // Read again from the index, and from scratch: the same answer.
    let uncached: &[&str] = &["status", "--json", "--no-cache"];
    for args in [&["status", "--json"], uncached] {
        let after = json_of(ccwatch(tmp.path()).args(args));
        assert_eq!(after["totals"], before["totals"], "{args:?}");
        assert_eq!(sessions(&after), sessions(&before), "{args:?}");
    }
}
