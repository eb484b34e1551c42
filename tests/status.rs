//! `ccwatch status` on the realistic sample data directory, checked against
//! its expected answers, and on small hand-written edge cases.

mod common;
use common::*;
use serde_json::Value;

fn tokens(v: &Value) -> Value {
    serde_json::json!({
        "input": v["input"], "output": v["output"],
        "cache_creation": v["cacheCreation"], "cache_read": v["cacheRead"],
    })
}

fn check_against_expected(st: &Value) {
    let expected = sample_expected();
    assert_eq!(tokens(&st["totals"]), expected["totals"]);
    assert_eq!(st["totals"]["records"], expected["records"]);
    assert_eq!(st["files"], expected["files"]);
    assert_eq!(st["bytes"], expected["bytes"]);
    let daily: serde_json::Map<String, Value> = st["daily"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(d, v)| (d.clone(), tokens(v)))
        .collect();
    assert_eq!(Value::Object(daily), expected["daily"]);
    let sessions = st["sessions"].as_array().unwrap();
    assert_eq!(
        sessions.len(),
        expected["sessions"].as_object().unwrap().len()
    );
    for s in sessions {
        let id = s["sessionId"].as_str().unwrap();
        let e = &expected["sessions"][id];
        assert_eq!(s["project"], e["project"], "{id}");
        assert_eq!(tokens(&s["tokens"]), e["tokens"], "{id}");
        assert_eq!(s["models"], e["models"], "{id}");
        assert_eq!(s["compactions"], e["compactions"], "{id}");
        let c = &s["context"];
        let ec = &e["context"];
        assert_eq!(c["tokens"], ec["occupancy"], "{id}");
        assert_eq!(c["input"], ec["input"], "{id}");
        assert_eq!(c["cacheCreation"], ec["cache_creation"], "{id}");
        assert_eq!(c["cacheRead"], ec["cache_read"], "{id}");
        assert_eq!(c["output"], ec["output"], "{id}");
        assert_eq!(c["model"], ec["model"], "{id}");
        assert_eq!(c["timestamp"], ec["timestamp"], "{id}");
        assert_eq!(c["compacted"], e["ends_compacted"], "{id}");
        assert_eq!(c["window"], 200_000, "{id}");
        let pct = ec["occupancy"].as_f64().unwrap() / 2000.0;
        assert!((c["percent"].as_f64().unwrap() - pct).abs() < 0.006, "{id}");
        assert_eq!(s["lastActivity"], ec["timestamp"], "{id}");
    }
    // Newest first.
    let times: Vec<&str> = sessions
        .iter()
        .map(|s| s["lastActivity"].as_str().unwrap())
        .collect();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted);
}

#[test]
fn sample_logs_match_expected_json_with_dir() {
    let st = status_json(&fixtures().join("sample-logs"));
    check_against_expected(&st);
    assert_eq!(st["skipped"]["malformed"], 1);
}

#[test]
fn sample_logs_match_expected_json_with_claude_config_dir() {
    let tmp = tempfile::tempdir().unwrap();
    let status = json_of(ccwatch(tmp.path()).args(["status", "--json"]).env(
        "CLAUDE_CONFIG_DIR",
        format!(" {} ,", fixtures().join("sample-logs").display()),
    ));
    check_against_expected(&status);
}

#[test]
fn the_same_data_in_two_roots_counts_once() {
    let tmp = tempfile::tempdir().unwrap();
    let a = fixtures().join("sample-logs");
    let status = json_of(ccwatch(tmp.path()).args(["status", "--json"]).env(
        "CLAUDE_CONFIG_DIR",
        format!("{},{}", a.display(), a.display()),
    ));
    check_against_expected(&status);
}

#[test]
fn human_status_lists_sessions_newest_first_with_context() {
    let dir = fixtures().join("sample-logs");
    let tmp = tempfile::tempdir().unwrap();
    let out = ccwatch(tmp.path())
        .args(["status", "--dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].contains("PROJECT") && lines[0].contains("CONTEXT"),
        "{text}"
    );
    assert!(
        lines[1].contains("e74fe3cb") && lines[1].contains("121.3k / 200k"),
        "{text}"
    );
    assert!(lines[1].contains("60.6%"), "{text}");
    assert!(
        text.contains("6 sessions, 148 responses in 10 files"),
        "{text}"
    );
    assert!(
        text.contains("1 malformed line,") || text.contains("1 malformed line."),
        "{text}"
    );
}

#[test]
fn a_session_still_compacted_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("projects/-w/s1.jsonl");
    let content = Line::new("s1", "m1", "2026-11-20T10:00:00.000Z", 160_000, 10).json()
        + &boundary_line("s1", "b1", "2026-11-20T10:01:00.000Z", 160_010);
    write(&f, content);
    let st = status_json(tmp.path());
    let s = &st["sessions"][0];
    assert_eq!(s["compactions"], 1);
    assert_eq!(s["context"]["compacted"], true);
    assert_eq!(s["context"]["tokens"], 160_000);
}

#[test]
fn a_session_with_only_subagent_usage_has_null_context() {
    let tmp = tempfile::tempdir().unwrap();
    let mut line = Line::new("s9", "m1", "2026-11-20T10:00:00.000Z", 5000, 10);
    line.sidechain = true;
    write(
        &tmp.path().join("projects/-w/s9/subagents/agent-a1.jsonl"),
        line.json(),
    );
    let st = status_json(tmp.path());
    assert_eq!(st["sessions"][0]["sessionId"], "s9");
    assert!(st["sessions"][0]["context"].is_null());
    assert_eq!(st["sessions"][0]["tokens"]["cacheRead"], 4997);
}

#[test]
fn spaced_json_lines_count_like_compact_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let compact = Line::new("s1", "m1", "2026-11-20T10:00:00.000Z", 5000, 10).json();
    let v: Value = serde_json::from_str(&compact).unwrap();
    let spaced = serde_json::to_string_pretty(&v).unwrap().replace('\n', " ") + "\n";
    write(&tmp.path().join("projects/-w/s1.jsonl"), spaced);
    let st = status_json(tmp.path());
    assert_eq!(st["totals"]["records"], 1);
    assert_eq!(st["totals"]["output"], 10);
}

#[test]
fn a_session_over_200k_has_a_1m_window() {
    let tmp = tempfile::tempdir().unwrap();
    let content = Line::new("s1", "m1", "2026-11-20T10:00:00.000Z", 420_000, 10).json();
    write(&tmp.path().join("projects/-w/s1.jsonl"), content);
    let st = status_json(tmp.path());
    assert_eq!(st["sessions"][0]["context"]["window"], 1_000_000);
    assert_eq!(st["sessions"][0]["context"]["percent"], 42.0);
}

#[test]
fn window_overrides_apply_by_model_substring() {
    let tmp = tempfile::tempdir().unwrap();
    let content = Line::new("s1", "m1", "2026-11-20T10:00:00.000Z", 100_000, 10).json();
    write(&tmp.path().join("projects/-w/s1.jsonl"), content);
    let out = ccwatch(tmp.path())
        .args(["status", "--json", "--window", "sonnet=400000", "--dir"])
        .arg(tmp.path())
        .output()
        .unwrap();
    let st: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(st["sessions"][0]["context"]["window"], 400_000);
    assert_eq!(st["sessions"][0]["context"]["percent"], 25.0);
}

/// Spec version 2's sample data directory (progress copies, advisor steps,
/// 5m/1h splits, fast mode, unterminated last lines, objects back to back,
/// BOM, CRLF, workflow agents with journals, a session of subagent files
/// only, worktrees, invalid counts, a dotted model name), against its
/// `expected.json`.
#[test]
fn sample_logs_v2_match_expected_json() {
    let dir = fixtures().join("sample-logs-v2");
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    let st = status_json(&dir);
    assert_eq!(tokens(&st["totals"]), expected["totals"]);
    assert_eq!(st["totals"]["records"], expected["records"]);
    assert_eq!(st["files"], expected["files"]);
    // `expected.json`'s `bytes` also counts the workflow journals and the
    // `.meta.json` sidecars, which are not transcripts: the bytes read are
    // those of the transcripts.
    let transcript_bytes: u64 = walk(&dir.join("projects"))
        .into_iter()
        .filter(|p| {
            p.extension().is_some_and(|e| e == "jsonl")
                && p.file_name().is_some_and(|n| n != "journal.jsonl")
        })
        .map(|p| std::fs::metadata(p).unwrap().len())
        .sum();
    assert_eq!(st["bytes"], transcript_bytes);
    let daily: serde_json::Map<String, Value> = st["daily"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(d, v)| (d.clone(), tokens(v)))
        .collect();
    assert_eq!(Value::Object(daily), expected["daily"]);
    let sessions = st["sessions"].as_array().unwrap();
    assert_eq!(
        sessions.len(),
        expected["sessions"].as_object().unwrap().len()
    );
    for s in sessions {
        let id = s["sessionId"].as_str().unwrap();
        let e = &expected["sessions"][id];
        assert_eq!(s["project"], e["project"], "{id}");
        assert_eq!(tokens(&s["tokens"]), e["tokens"], "{id}");
        assert_eq!(s["records"], e["records"], "{id}");
        assert_eq!(s["models"], e["models"], "{id}");
        assert_eq!(s["compactions"], e["compactions"], "{id}");
        assert_eq!(s["subagentsOnly"], e["only_subagent_files"], "{id}");
        let (c, ec) = (&s["context"], &e["context"]);
        if ec.is_null() {
            assert!(c.is_null(), "{id}: {c}");
            continue;
        }
        assert_eq!(c["tokens"], ec["occupancy"], "{id}");
        assert_eq!(c["cacheCreation"], ec["cache_creation"], "{id}");
        assert_eq!(c["cacheRead"], ec["cache_read"], "{id}");
        assert_eq!(c["output"], ec["output"], "{id}");
        assert_eq!(c["model"], ec["model"], "{id}");
        assert_eq!(c["timestamp"], ec["timestamp"], "{id}");
        assert_eq!(c["compacted"], e["compacted"], "{id}");
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
