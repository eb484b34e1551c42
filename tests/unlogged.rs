//! What only Claude Code's status line tells, through the binary: the cost
//! no transcript records (`costUnlogged` per session in `status --json`,
//! Claude Code's own session cost less ccwatch's) and the plan's limits
//! (top-level `rateLimits`). The hint files are written here by hand, in
//! the format `ccwatch statusline` keeps, or by `ccwatch statusline` itself.

mod common;
use common::*;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

const SID: &str = "6d1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b";
const OTHER: &str = "9e8d7c6b-5a49-4382-9176-5e4d3c2b1a00";

/// What each transcript session below costs at the built-in prices
/// (claude-opus-4-6: $5 input, $25 output, $0.50 cache read per million):
/// 10 × 5 + 149,990 × 0.5 + 5 × 25 = 75,170 per million.
const SESSION_USD: f64 = 0.075_17;

fn iso(ms: i64) -> String {
    ccwatch::record::format_timestamp(ms)
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// One Opus 4.6 response with a 150k-token prompt at `at`.
fn response(session: &str, id: &str, at: i64) -> String {
    format!(
        r#"{{"isSidechain":false,"cwd":"/work/app","sessionId":"{session}","type":"assistant","message":{{"model":"claude-opus-4-6","id":"{id}","type":"message","role":"assistant","content":[],"usage":{{"input_tokens":10,"cache_creation_input_tokens":0,"cache_read_input_tokens":149990,"output_tokens":5}}}},"requestId":"req_{id}","uuid":"u-{id}","timestamp":"{}"}}"#,
        iso(at)
    ) + "\n"
}

/// A data dir with two sessions, each one response at `at`.
fn data(root: &Path, at: i64) -> PathBuf {
    let data = root.join("claude");
    write(
        &data.join(format!("projects/-work-app/{SID}.jsonl")),
        response(SID, "msg_1", at),
    );
    write(
        &data.join(format!("projects/-work-app/{OTHER}.jsonl")),
        response(OTHER, "msg_2", at),
    );
    data
}

/// A hint file as `ccwatch statusline` keeps it.
fn hint(root: &Path, session: &str, fields: Value) {
    let mut h = json!({"format": 1, "sessionId": session});
    h.as_object_mut()
        .unwrap()
        .extend(fields.as_object().unwrap().clone());
    write(
        &root.join(format!("ccwatch-cache/hints/{session}.json")),
        h.to_string(),
    );
}

fn status(root: &Path, data: &Path) -> Value {
    json_of(
        ccwatch(root)
            .args(["status", "--json", "--no-cache", "--dir"])
            .arg(data),
    )
}

fn session<'a>(status: &'a Value, id: &str) -> &'a Value {
    status["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["sessionId"] == id)
        .unwrap_or_else(|| panic!("no session {id} in {status}"))
}

fn close(a: &Value, b: f64) -> bool {
    a.as_f64().is_some_and(|a| (a - b).abs() < 1e-9)
}

#[test]
fn claude_codes_cost_above_the_transcripts_is_shown_for_its_session_only() {
    let tmp = tempfile::tempdir().unwrap();
    let now = now_ms();
    let data = data(tmp.path(), now - 60_000);
    hint(
        tmp.path(),
        SID,
        json!({"time": now - 30_000, "currentTokens": 150_000, "costUSD": 0.215_17}),
    );
    let st = status(tmp.path(), &data);
    let s = session(&st, SID);
    assert!(close(&s["costUSD"], SESSION_USD), "{s}");
    // $0.21517 − $0.07517: the title and compaction calls Claude Code paid.
    assert!(close(&s["costUnlogged"], 0.14), "{s}");
    let other = session(&st, OTHER);
    assert!(close(&other["costUSD"], SESSION_USD), "{other}");
    assert_eq!(other.get("costUnlogged"), None, "{other}");
}

#[test]
fn a_figure_from_before_the_newest_response_is_not_compared() {
    let tmp = tempfile::tempdir().unwrap();
    let now = now_ms();
    let data = data(tmp.path(), now - 60_000);
    // Reported five minutes before the newest response: Claude Code had
    // not counted it yet, so the two figures are of different moments.
    hint(
        tmp.path(),
        SID,
        json!({"time": now - 360_000, "currentTokens": 150_000, "costUSD": 0.5}),
    );
    let st = status(tmp.path(), &data);
    assert_eq!(session(&st, SID).get("costUnlogged"), None, "{st}");
}

#[test]
fn a_figure_counting_a_response_not_in_the_transcripts_is_not_compared() {
    let tmp = tempfile::tempdir().unwrap();
    let now = now_ms();
    let data = data(tmp.path(), now - 60_000);
    // Claude Code's last response had a 170k prompt; the transcript's
    // newest has 150k: that response is not written (or not read) yet.
    hint(
        tmp.path(),
        SID,
        json!({"time": now - 30_000, "currentTokens": 170_000, "costUSD": 0.5}),
    );
    let st = status(tmp.path(), &data);
    assert_eq!(session(&st, SID).get("costUnlogged"), None, "{st}");
}

#[test]
fn a_figure_at_or_below_the_transcripts_shows_no_gap() {
    let tmp = tempfile::tempdir().unwrap();
    let now = now_ms();
    let data = data(tmp.path(), now - 60_000);
    // Less than half a cent above; and, for the other session, below
    // (a resumed session whose earlier runs Claude Code no longer counts).
    hint(
        tmp.path(),
        SID,
        json!({"time": now - 30_000, "currentTokens": 150_000, "costUSD": 0.079}),
    );
    hint(
        tmp.path(),
        OTHER,
        json!({"time": now - 30_000, "currentTokens": 150_000, "costUSD": 0.01}),
    );
    let st = status(tmp.path(), &data);
    assert_eq!(session(&st, SID).get("costUnlogged"), None, "{st}");
    assert_eq!(session(&st, OTHER).get("costUnlogged"), None, "{st}");
}

#[test]
fn the_status_lines_own_cost_reaches_status_json() {
    let tmp = tempfile::tempdir().unwrap();
    let data = data(tmp.path(), now_ms() - 60_000);
    let input = format!(
        r#"{{"session_id":"{SID}","model":{{"id":"claude-opus-4-6","display_name":"Opus 4.6"}},
        "cost":{{"total_cost_usd":0.11517}},
        "context_window":{{"context_window_size":200000,"used_percentage":75,
        "current_usage":{{"input_tokens":10,"output_tokens":5,"cache_creation_input_tokens":0,"cache_read_input_tokens":149990}}}}}}"#
    );
    let out = fed(
        ccwatch(tmp.path()).args(["statusline", "--dir"]).arg(&data),
        &input,
    );
    assert!(out.status.success());
    let st = status(tmp.path(), &data);
    assert!(close(&session(&st, SID)["costUnlogged"], 0.04), "{st}");
}

#[test]
fn the_plans_limits_are_one_top_level_object_with_iso_times() {
    let tmp = tempfile::tempdir().unwrap();
    let now = now_ms();
    let data = data(tmp.path(), now - 60_000);
    let st = status(tmp.path(), &data);
    assert_eq!(st.get("rateLimits"), None, "no hint, no limits: {st}");

    // Whole seconds, as Claude Code reports resets.
    let reported = now / 1000 * 1000 - 10_000;
    let five = reported + 3_600_000;
    let seven = reported + 3 * 86_400_000;
    hint(
        tmp.path(),
        OTHER,
        json!({"time": reported,
               "fiveHour": {"usedPercentage": 42.0, "resetsAt": five},
               "sevenDay": {"usedPercentage": 17.0, "resetsAt": seven}}),
    );
    let st = status(tmp.path(), &data);
    assert_eq!(
        st["rateLimits"],
        json!({"fiveHour": {"usedPercentage": 42.0, "resetsAt": iso(five)},
               "sevenDay": {"usedPercentage": 17.0, "resetsAt": iso(seven)},
               "reportedAt": iso(reported)}),
        "{st}"
    );
    // Not repeated per session.
    assert_eq!(session(&st, OTHER).get("rateLimits"), None);

    // A window that has reset since says nothing; the other still counts.
    hint(
        tmp.path(),
        OTHER,
        json!({"time": reported,
               "fiveHour": {"usedPercentage": 42.0, "resetsAt": now - 1_000},
               "sevenDay": {"usedPercentage": 17.0, "resetsAt": seven}}),
    );
    let st = status(tmp.path(), &data);
    assert_eq!(st["rateLimits"].get("fiveHour"), None, "{st}");
    assert_eq!(st["rateLimits"]["sevenDay"]["usedPercentage"], 17.0);
}

#[test]
fn the_session_report_shows_it_for_whole_sessions_only() {
    let tmp = tempfile::tempdir().unwrap();
    let now = now_ms();
    let data = data(tmp.path(), now - 60_000);
    hint(
        tmp.path(),
        SID,
        json!({"time": now - 30_000, "currentTokens": 150_000, "costUSD": 0.215_17}),
    );
    let report = |extra: &[&str]| {
        json_of(
            ccwatch(tmp.path())
                .args(["session", "--json", "--dir"])
                .arg(&data)
                .args(extra),
        )
    };
    let row = |r: &Value, id: &str| {
        r["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["sessionId"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no {id} in {r}"))
    };
    let r = report(&[]);
    let s = row(&r, SID);
    assert!(close(&s["totalCost"], SESSION_USD), "{s}");
    assert!(close(&s["costUnlogged"], 0.14), "{s}");
    assert_eq!(row(&r, OTHER).get("costUnlogged"), None);
    // A report cut by date may hold part of a session: nothing to compare.
    let day = chrono::DateTime::from_timestamp_millis(now - 86_400_000)
        .unwrap()
        .format("%Y%m%d")
        .to_string();
    let r = report(&["--since", &day]);
    assert_eq!(row(&r, SID).get("costUnlogged"), None, "{r}");
}
