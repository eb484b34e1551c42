//! Every hand-made case in `fixtures/cases/`, each a small data directory
//! of one real-log shape with its answer worked out by hand in
//! `expected.json`, checked through the binary: `status --json`,
//! `daily --json`, `session --json`, `events --json` (the live engine's
//! start), a warm restart from the index, and the status line's session
//! cost (to the cent) where a session has a `costUSD` and a main file.
//!
//! `expected.json` holds only what the case is about; every key it has is
//! checked, and keys it leaves out are not:
//! - `case`: what the fixture shows and how its answer was worked out.
//! - `totals`: token sums (`input`, `output`, `cache_creation`,
//!   `cache_read`); `records`: distinct usage records; `files`.
//! - `skipped`: the skip counts by reason, exactly (`{}` for none).
//! - `sessions.<id>`: `agent`, `rateLimits`, `project`, `label`, `title`,
//!   `records`, `tokens`, `models`
//!   (records per model), `compactions`, `compacted`, `lastActivity`,
//!   `costUSD`, and `context`: `null`, or `occupancy`, `model`,
//!   `timestamp`, `window`.
//! - `daily.<UTC date>`: token sums and `costUSD`.
//! - `unpriced`: the models `daily` lists as unpriced.

mod common;

use common::{ccwatch, fixtures, json_of};
use serde_json::Value;
use std::path::Path;

/// Dollar figures are compared to a millionth of a cent: the hand-worked
/// answers are exact, the binary's are sums of floats.
const CENT_FRACTION: f64 = 1e-8;

fn cases() -> Vec<std::path::PathBuf> {
    let mut dirs: Vec<_> = std::fs::read_dir(fixtures().join("cases"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("expected.json").is_file())
        .collect();
    dirs.sort();
    dirs
}

fn expected(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join("expected.json")).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
}

/// The four sums in the fixtures' naming.
fn tokens(v: &Value) -> Value {
    serde_json::json!({
        "input": v["input"],
        "output": v["output"],
        "cache_creation": v["cacheCreation"],
        "cache_read": v["cacheRead"],
    })
}

fn close(got: &Value, want: &Value) -> bool {
    match (got.as_f64(), want.as_f64()) {
        (Some(g), Some(w)) => (g - w).abs() <= CENT_FRACTION.max(w.abs() * 1e-12),
        _ => false,
    }
}

fn run(args: &[&str], dir: &Path, isolate: &Path) -> Value {
    json_of(ccwatch(isolate).args(args).arg("--dir").arg(dir))
}

fn same(wrong: &mut Vec<String>, what: String, got: Value, want: &Value) {
    if got != *want {
        wrong.push(format!("{what}: got {got}, want {want}"));
    }
}

/// What a case gets wrong, one line per mismatch.
fn check(dir: &Path) -> Vec<String> {
    let want = expected(dir);
    let isolate = tempfile::tempdir().unwrap();
    let status = run(&["status", "--json", "--no-cache"], dir, isolate.path());
    let mut wrong = Vec::new();
    if let Some(t) = want.get("totals") {
        same(&mut wrong, "totals".into(), tokens(&status["totals"]), t);
    }
    if let Some(r) = want.get("records") {
        same(
            &mut wrong,
            "records".into(),
            status["totals"]["records"].clone(),
            r,
        );
    }
    if let Some(f) = want.get("files") {
        same(&mut wrong, "files".into(), status["files"].clone(), f);
    }
    if let Some(s) = want.get("skipped") {
        same(&mut wrong, "skipped".into(), status["skipped"].clone(), s);
    }
    let sessions = status["sessions"].as_array().cloned().unwrap_or_default();
    let by_id = |id: &str| sessions.iter().find(|s| s["sessionId"] == id).cloned();
    let mut session_costs = Vec::new();
    for (id, w) in want["sessions"].as_object().cloned().unwrap_or_default() {
        let Some(s) = by_id(&id) else {
            wrong.push(format!("session {id}: missing"));
            continue;
        };
        for key in [
            "project",
            "label",
            "records",
            "models",
            "compactions",
            "lastActivity",
            "title",
            "agent",
            "rateLimits",
            "subagentsOnly",
        ] {
            if let Some(v) = w.get(key) {
                same(&mut wrong, format!("{id} {key}"), s[key].clone(), v);
            }
        }
        if let Some(t) = w.get("tokens") {
            same(&mut wrong, format!("{id} tokens"), tokens(&s["tokens"]), t);
        }
        if let Some(c) = w.get("compacted") {
            same(
                &mut wrong,
                format!("{id} compacted"),
                s["context"]["compacted"].clone(),
                c,
            );
        }
        if let Some(c) = w.get("costUSD") {
            if !close(&s["costUSD"], c) {
                wrong.push(format!("{id} costUSD: got {}, want {c}", s["costUSD"]));
            }
            session_costs.push((id.clone(), c.clone()));
        }
        match w.get("context") {
            None => {}
            Some(Value::Null) => same(
                &mut wrong,
                format!("{id} context"),
                s["context"].clone(),
                &Value::Null,
            ),
            Some(c) => {
                let got = &s["context"];
                for (key, field) in [
                    ("occupancy", "tokens"),
                    ("model", "model"),
                    ("timestamp", "timestamp"),
                    ("window", "window"),
                ] {
                    if let Some(v) = c.get(key) {
                        same(
                            &mut wrong,
                            format!("{id} context {key}"),
                            got[field].clone(),
                            v,
                        );
                    }
                }
            }
        }
    }
    if want.get("daily").is_some() || want.get("unpriced").is_some() {
        let daily = run(
            &["daily", "--json", "--no-cache", "--timezone", "UTC"],
            dir,
            isolate.path(),
        );
        let days = daily["daily"].as_array().cloned().unwrap_or_default();
        for (day, w) in want["daily"].as_object().cloned().unwrap_or_default() {
            let Some(d) = days.iter().find(|d| d["date"] == day.as_str()) else {
                wrong.push(format!("day {day}: missing"));
                continue;
            };
            let got = serde_json::json!({
                "input": d["inputTokens"],
                "output": d["outputTokens"],
                "cache_creation": d["cacheCreationTokens"],
                "cache_read": d["cacheReadTokens"],
            });
            let mut want_tokens = w.clone();
            if let Some(o) = want_tokens.as_object_mut() {
                o.remove("costUSD");
            }
            if want_tokens.as_object().is_some_and(|o| !o.is_empty()) {
                same(&mut wrong, format!("day {day} tokens"), got, &want_tokens);
            }
            if let Some(c) = w.get("costUSD")
                && !close(&d["totalCost"], c)
            {
                wrong.push(format!(
                    "day {day} costUSD: got {}, want {c}",
                    d["totalCost"]
                ));
            }
        }
        if let Some(u) = want.get("unpriced") {
            same(
                &mut wrong,
                "unpriced".into(),
                daily["unpriced"]["models"].clone(),
                u,
            );
        }
    }
    if !session_costs.is_empty() {
        // `session` prices a session as `status` does.
        let report = run(&["session", "--json", "--no-cache"], dir, isolate.path());
        let rows = report["sessions"].as_array().cloned().unwrap_or_default();
        for (id, c) in session_costs {
            let got = rows
                .iter()
                .find(|r| r["sessionId"] == id.as_str())
                .map(|r| r["totalCost"].clone())
                .unwrap_or(Value::Null);
            if !close(&got, &c) {
                wrong.push(format!(
                    "session report {id} totalCost: got {got}, want {c}"
                ));
            }
        }
    }
    // The status line prices a session from its files the same way, when
    // Claude Code sends no cost (to the cent it shows).
    for (id, c) in statusline_session_costs(dir, isolate.path(), &want) {
        let want = c.as_f64().unwrap_or(f64::NAN);
        match id.1 {
            Some(got) if (got - want).abs() <= 0.005 + 1e-9 => {}
            got => wrong.push(format!(
                "status line {} session cost: got {got:?}, want {want}",
                id.0
            )),
        }
    }
    // The live engine starts from the same numbers.
    let (appeared, ready) = events_until_ready(dir, isolate.path());
    let mut totals = status["totals"].clone();
    if let Some(t) = totals.as_object_mut() {
        t.remove("costUSD");
    }
    same(
        &mut wrong,
        "events totals".into(),
        ready["totals"].clone(),
        &totals,
    );
    for s in &sessions {
        let mut s = s.clone();
        // Costs and the agent tree are worked out by `status` only.
        if let Some(o) = s.as_object_mut() {
            o.remove("costUSD");
            o.remove("agents");
        }
        let live = appeared.iter().find(|a| a["sessionId"] == s["sessionId"]);
        same(
            &mut wrong,
            format!("events session {}", s["sessionId"]),
            live.cloned().unwrap_or(Value::Null),
            &s,
        );
    }
    // A warm restart from the index says what a full read says.
    let cold = run(&["status", "--json"], dir, isolate.path());
    let warm = run(&["status", "--json"], dir, isolate.path());
    for (name, got) in [("first indexed run", &cold), ("warm restart", &warm)] {
        if got["sessions"] != status["sessions"] || got["totals"] != status["totals"] {
            wrong.push(format!("{name} differs from --no-cache"));
        }
    }
    wrong
}

/// The "$X session" figure of `ccwatch statusline` for every session with
/// an expected `costUSD` and a main transcript, fed the stdin of a Claude
/// Code version that sends no cost.
fn statusline_session_costs(
    dir: &Path,
    isolate: &Path,
    want: &Value,
) -> Vec<((String, Option<f64>), Value)> {
    use std::io::Write;
    let mut out = Vec::new();
    for (id, w) in want["sessions"].as_object().cloned().unwrap_or_default() {
        let Some(cost) = w.get("costUSD") else {
            continue;
        };
        let Some(transcript) = find_file(&dir.join("projects"), &format!("{id}.jsonl")) else {
            continue;
        };
        let stdin = serde_json::json!({
            "session_id": id,
            "transcript_path": transcript,
            "model": {"id": "claude-sonnet-4-5-20250929"},
        });
        let mut child = ccwatch(isolate)
            .args(["statusline", "--timezone", "UTC", "--dir"])
            .arg(dir)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.to_string().as_bytes())
            .unwrap();
        let line = String::from_utf8_lossy(&child.wait_with_output().unwrap().stdout).into_owned();
        let got = line.split(" │ ").find_map(|part| {
            part.strip_suffix(" session")?
                .strip_prefix('$')?
                .parse()
                .ok()
        });
        out.push(((id.clone(), got), cost.clone()));
    }
    out
}

fn find_file(dir: &Path, name: &str) -> Option<std::path::PathBuf> {
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if let Some(found) = find_file(&path, name) {
                return Some(found);
            }
        } else if path.file_name().is_some_and(|n| n == name) {
            return Some(path);
        }
    }
    None
}

/// `events --json` from its start to its `ready` line: the sessions it
/// says appeared, and the `ready` line.
fn events_until_ready(dir: &Path, isolate: &Path) -> (Vec<Value>, Value) {
    use std::io::BufRead;
    let mut child = ccwatch(isolate)
        .args(["events", "--json", "--no-cache", "--dir"])
        .arg(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut appeared = Vec::new();
    let mut ready = Value::Null;
    for line in std::io::BufReader::new(stdout).lines() {
        let Ok(line) = line else { break };
        let event: Value = serde_json::from_str(&line).unwrap();
        match event["event"].as_str() {
            Some("appeared") => appeared.push(event["session"].clone()),
            Some("ready") => {
                ready = event;
                break;
            }
            _ => {}
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    (appeared, ready)
}

#[test]
fn every_case_gives_its_hand_worked_answer() {
    let all = cases();
    assert!(
        all.len() >= 5,
        "fixtures/cases has only {} cases",
        all.len()
    );
    let mut failures = Vec::new();
    for dir in &all {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let want = expected(dir);
        assert!(
            want["case"].as_str().is_some_and(|c| c.len() > 20),
            "{name}: expected.json must say what the case is and how its answer was worked out"
        );
        for w in check(dir) {
            failures.push(format!("{name}: {w}"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
