//! The alerts beyond the percentage thresholds, through the real binary:
//! before auto-compact (once per context cycle), on the plan's 5-hour and
//! 7-day usage (once per reset period) and on cost budgets (once per
//! period), as `events --json` and `status --json` report them.

mod common;
use common::*;
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

const SID: &str = "6d1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b";

fn iso(ms: i64) -> String {
    ccwatch::record::format_timestamp(ms)
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// One Opus response of `prompt` tokens at `at`, with a logged cost.
fn response(id: &str, at: i64, prompt: u64, usd: f64) -> String {
    format!(
        r#"{{"isSidechain":false,"cwd":"/work/app","sessionId":"{SID}","type":"assistant","costUSD":{usd},"message":{{"model":"claude-opus-4-6","id":"{id}","type":"message","role":"assistant","content":[],"usage":{{"input_tokens":10,"cache_creation_input_tokens":0,"cache_read_input_tokens":{},"output_tokens":5}}}},"requestId":"req_{id}","uuid":"u-{id}","timestamp":"{}"}}"#,
        prompt - 10,
        iso(at)
    ) + "\n"
}

fn boundary(uuid: &str, at: i64, pre: u64) -> String {
    format!(
        r#"{{"isSidechain":false,"cwd":"/work/app","sessionId":"{SID}","type":"system","subtype":"compact_boundary","content":"Conversation compacted","timestamp":"{}","uuid":"{uuid}","level":"info","compactMetadata":{{"trigger":"auto","preTokens":{pre}}}}}"#,
        iso(at)
    ) + "\n"
}

fn transcript(data: &Path) -> PathBuf {
    data.join(format!("projects/-work-app/{SID}.jsonl"))
}

fn append(path: &Path, text: &str) {
    let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

/// `ccwatch events --json`, killed when dropped.
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
    fn start(isolate: &Path, data: &Path, args: &[&str]) -> (Events, Value) {
        let mut child = ccwatch(isolate)
            .env("TZ", "UTC")
            .args(["events", "--json", "--dir"])
            .arg(data)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let v: Value = serde_json::from_str(&line).expect("every events line is JSON");
                if tx.send(v).is_err() {
                    break;
                }
            }
        });
        let mut ev = Events { child, lines: rx };
        let ready = ev.next_where(|e| e["event"] == "ready", "the ready event");
        (ev, ready)
    }

    /// The next event `want` accepts; the ones before it are returned too.
    fn until(&mut self, want: impl Fn(&Value) -> bool, what: &str) -> (Vec<Value>, Value) {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut before = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(v) if want(&v) => return (before, v),
                Ok(v) => before.push(v),
                Err(RecvTimeoutError::Timeout) => {
                    panic!("timed out waiting for {what}: {before:#?}")
                }
                Err(RecvTimeoutError::Disconnected) => panic!("events exited waiting for {what}"),
            }
        }
    }

    fn next_where(&mut self, want: impl Fn(&Value) -> bool, what: &str) -> Value {
        self.until(want, what).1
    }
}

fn alerts(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .filter(|e| e["event"] == "threshold" || e["event"] == "limit")
        .map(|e| e["alert"].as_str().unwrap().to_owned())
        .collect()
}

fn context_of(sid_event: &Value) -> u64 {
    sid_event["session"]["context"]["tokens"]
        .as_u64()
        .unwrap_or(0)
}

#[test]
fn before_auto_compact_fires_once_per_cycle_in_events() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("claude");
    let now = now_ms();
    let file = transcript(&data);
    write(&file, response("m1", now - 60_000, 100_000, 0.0));
    // No compactions yet: the point is the default, 77.5% of 200k = 155k.
    let (mut ev, _) = Events::start(tmp.path(), &data, &["--before-auto-compact", "10k"]);

    append(&file, &response("m2", now - 50_000, 146_000, 0.0));
    let (before, alert) = ev.until(
        |e| e["event"] == "threshold" && e["alert"] == "auto-compact",
        "the auto-compact alert",
    );
    assert_eq!(alert["autoCompactAt"], 155_000);
    assert_eq!(alert["tokens"], 146_000);
    assert_eq!(alerts(&before), ["70"], "{before:#?}");

    // Nearer still: no second alert in this cycle.
    append(&file, &response("m3", now - 40_000, 150_000, 0.0));
    let (before, _) = ev.until(
        |e| e["event"] == "context" && context_of(e) == 150_000,
        "the 150k context",
    );
    assert_eq!(alerts(&before), Vec::<String>::new());

    // Claude Code compacts at 151k; the point is now learned there, and
    // the next cycle warns again 10k before it.
    append(&file, &boundary("b1", now - 30_000, 151_000));
    append(&file, &response("m4", now - 20_000, 30_000, 0.0));
    append(&file, &response("m5", now - 10_000, 142_000, 0.0));
    let (before, alert) = ev.until(
        |e| e["event"] == "threshold" && e["alert"] == "auto-compact",
        "the second cycle's alert",
    );
    assert_eq!(alert["autoCompactAt"], 151_000);
    assert_eq!(alert["tokens"], 142_000);
    assert_eq!(alerts(&before), ["70"], "{before:#?}");
}

#[test]
fn without_the_setting_there_is_no_auto_compact_alert() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("claude");
    let now = now_ms();
    let file = transcript(&data);
    write(&file, response("m1", now - 60_000, 100_000, 0.0));
    let (mut ev, _) = Events::start(tmp.path(), &data, &[]);
    append(&file, &response("m2", now - 50_000, 154_000, 0.0));
    let (before, _) = ev.until(
        |e| e["event"] == "context" && context_of(e) == 154_000,
        "the 154k context",
    );
    let (more, _) = ev.until(|e| e["event"] == "totals", "the totals");
    let all: Vec<Value> = before.into_iter().chain(more).collect();
    assert_eq!(alerts(&all), ["70"], "{all:#?}");
}

fn budget_config(isolate: &Path) -> PathBuf {
    let path = isolate.join("config.toml");
    write(&path, "[budget]\ndaily = 20\nweekly = 100\n");
    path
}

#[test]
fn budgets_carry_the_spend_in_status_and_events_and_alert_once_per_day() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("claude");
    let now = now_ms();
    let file = transcript(&data);
    // $10 today.
    write(&file, response("m1", now - 1_000, 100_000, 10.0));
    let config = budget_config(tmp.path());

    let st = json_of(
        ccwatch(tmp.path())
            .env("TZ", "UTC")
            .args(["status", "--json", "--dir"])
            .arg(&data)
            .arg("--config")
            .arg(&config),
    );
    let budgets = st["budgets"].as_array().unwrap();
    assert_eq!(budgets.len(), 2);
    assert_eq!(budgets[0]["period"], "daily");
    assert_eq!(budgets[0]["spentUSD"], 10.0);
    assert_eq!(budgets[0]["budgetUSD"], 20.0);
    assert_eq!(budgets[0]["ratio"], 0.5);
    assert_eq!(budgets[1]["period"], "weekly");
    assert_eq!(budgets[1]["budgetUSD"], 100.0);
    let today = iso(now)[..10].to_owned();
    assert_eq!(budgets[0]["since"], format!("{today}T00:00:00.000Z"));

    let text = ccwatch(tmp.path())
        .env("TZ", "UTC")
        .args(["status", "--dir"])
        .arg(&data)
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("Daily budget: $10.00 of $20.00 spent (50%).\nWeekly budget: $10.00 of $100.00 spent (10%).\n"),
        "{text}"
    );

    let config_arg = config.display().to_string();
    let (mut ev, ready) = Events::start(tmp.path(), &data, &["--config", &config_arg]);
    assert_eq!(ready["budgets"][0]["spentUSD"], 10.0);
    // +$7: 85% of the day's budget.
    append(&file, &response("m2", now, 101_000, 7.0));
    let (_, limit) = ev.until(|e| e["event"] == "limit", "the budget alert");
    assert_eq!(limit["alert"], "budget-80");
    assert_eq!(limit["period"], "daily");
    assert_eq!(limit["spentUSD"], 17.0);
    assert_eq!(limit["budgetUSD"], 20.0);
    let (_, totals) = ev.until(|e| e["event"] == "totals", "the totals");
    assert_eq!(totals["budgets"][0]["spentUSD"], 17.0);
    // +$1: still 80-something, no second alert; the spend moves on.
    append(&file, &response("m3", now, 102_000, 1.0));
    let (before, totals) = ev.until(|e| e["event"] == "totals", "the totals");
    assert_eq!(alerts(&before), Vec::<String>::new(), "{before:#?}");
    assert_eq!(totals["budgets"][0]["spentUSD"], 18.0);
    // Over budget: the 100% level.
    append(&file, &response("m4", now, 103_000, 3.0));
    let (_, limit) = ev.until(|e| e["event"] == "limit", "the over-budget alert");
    assert_eq!(limit["alert"], "budget-100");
}

#[test]
fn without_budgets_nothing_about_spend_is_printed() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("claude");
    write(
        &transcript(&data),
        response("m1", now_ms() - 1_000, 100_000, 10.0),
    );
    let st = json_of(
        ccwatch(tmp.path())
            .args(["status", "--json", "--dir"])
            .arg(&data),
    );
    assert!(st.get("budgets").is_none(), "{st}");
    let text = ccwatch(tmp.path())
        .args(["status", "--dir"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&text.stdout).contains("budget"));
}

fn statusline_hint(isolate: &Path, data: &Path, five_hour: f64, resets_at_s: i64) {
    let input = format!(
        r#"{{"session_id":"{SID}","model":{{"id":"claude-opus-4-6","display_name":"Opus 4.6"}},
        "context_window":{{"context_window_size":200000,"used_percentage":50}},
        "rate_limits":{{"five_hour":{{"used_percentage":{five_hour},"resets_at":{resets_at_s}}}}}}}"#
    );
    let out = fed(
        ccwatch(isolate).args(["statusline", "--dir"]).arg(data),
        &input,
    );
    assert!(out.status.success());
}

#[test]
fn the_plans_usage_alerts_once_per_reset_period() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("claude");
    let now = now_ms();
    write(
        &transcript(&data),
        response("m1", now - 1_000, 100_000, 0.0),
    );
    let reset = now / 1000 + 3_600;
    // Known when events starts: the baseline, no alert.
    statusline_hint(tmp.path(), &data, 50.0, reset);
    let config = tmp.path().join("config.toml");
    write(&config, "rate_limit_alerts = [60, 90]\n");
    let config_arg = config.display().to_string();
    let (mut ev, _) = Events::start(tmp.path(), &data, &["--config", &config_arg]);
    statusline_hint(tmp.path(), &data, 65.0, reset);
    let (before, limit) = ev.until(|e| e["event"] == "limit", "the rate-limit alert");
    assert_eq!(alerts(&before), Vec::<String>::new());
    assert_eq!(limit["alert"], "rate-limit-60");
    assert_eq!(limit["period"], "five_hour");
    assert_eq!(limit["percent"], 65.0);
    assert_eq!(limit["resets"], iso(reset * 1000));
    // Higher in the same period, still below 90: nothing; then 90.
    statusline_hint(tmp.path(), &data, 70.0, reset);
    statusline_hint(tmp.path(), &data, 91.0, reset);
    let (before, limit) = ev.until(|e| e["event"] == "limit", "the 90% alert");
    assert_eq!(alerts(&before), Vec::<String>::new(), "{before:#?}");
    assert_eq!(limit["alert"], "rate-limit-90");
}

#[test]
fn print_config_shows_the_auto_compact_setting_and_the_new_alerts() {
    let tmp = tempfile::tempdir().unwrap();
    let out = ccwatch(tmp.path()).arg("--print-config").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("# auto_compact is not set: learned from your past automatic compactions, else 77.5% of the window"),
        "{text}"
    );
    assert!(text.contains("rate_limit_alerts = [80, 95]"), "{text}");
    assert!(!text.contains("[budget]"), "{text}");

    let config = tmp.path().join("config.toml");
    write(
        &config,
        "auto_compact = 82.5\nbefore_auto_compact = \"10k\"\n[budget]\ndaily = 20\nalerts = [50, 100]\n",
    );
    let out = ccwatch(tmp.path())
        .args(["--print-config", "--before-auto-compact", "12k", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("auto_compact = 82.5\n"), "{text}");
    assert!(!text.contains("learned"), "{text}");
    assert!(text.contains("before_auto_compact = \"12000\""), "{text}");
    assert!(
        text.contains("[budget]\ndaily = 20.0\nalerts = [50, 100]"),
        "{text}"
    );
}
