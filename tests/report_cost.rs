//! Cost and grouping rules on small hand-written data: one test per rule.

mod common;
use common::*;
use serde_json::Value;
use std::path::Path;

/// One usage line with every count and an optional logged `costUSD`.
#[allow(clippy::too_many_arguments)]
fn rec(
    msg: &str,
    ts: &str,
    model: &str,
    input: u64,
    write: u64,
    read: u64,
    output: u64,
    cost: Option<f64>,
) -> String {
    let cost = cost.map_or(String::new(), |c| format!(r#""costUSD":{c},"#));
    format!(
        r#"{{"type":"assistant","sessionId":"s1","cwd":"/home/dev/w",{cost}"timestamp":"{ts}","requestId":"r-{msg}","uuid":"u-{msg}","message":{{"id":"{msg}","model":"{model}","usage":{{"input_tokens":{input},"cache_creation_input_tokens":{write},"cache_read_input_tokens":{read},"output_tokens":{output}}}}}}}"#
    ) + "\n"
}

fn run(dir: &Path, args: &[&str]) -> Value {
    json_of(ccwatch(dir).args(args).args(["--json", "--dir"]).arg(dir))
}

fn data(lines: &[String]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    write(
        &tmp.path().join("projects/-home-dev-w/s1.jsonl"),
        lines.concat(),
    );
    tmp
}

fn close(a: &Value, b: f64) -> bool {
    (a.as_f64().unwrap() - b).abs() < 1e-12
}

const SONNET: &str = "claude-sonnet-4-5-20250929";

#[test]
fn a_record_crossing_200k_is_tiered_from_the_embedded_table() {
    // claude-sonnet-4-20250514 has a 200k tier. Prompt 250_005: the 50_005
    // past 200k are the 5 input, the 10_000 cache writes and 40_000 reads.
    let tmp = data(&[rec(
        "m1",
        "2026-11-20T10:00:00Z",
        "claude-sonnet-4-20250514",
        5,
        10_000,
        240_000,
        2_000,
        None,
    )]);
    let r = run(tmp.path(), &["daily", "--timezone", "UTC"]);
    let want =
        5.0 * 6e-6 + 10_000.0 * 7.5e-6 + 40_000.0 * 0.6e-6 + 200_000.0 * 0.3e-6 + 2_000.0 * 22.5e-6;
    assert!(close(&r["totals"]["totalCost"], want), "{}", r["totals"]);
}

#[test]
fn modes_choose_between_logged_and_calculated_costs() {
    let tmp = data(&[
        rec(
            "m1",
            "2026-11-20T10:00:00Z",
            SONNET,
            1000,
            0,
            0,
            1000,
            Some(0.5),
        ),
        rec("m2", "2026-11-20T11:00:00Z", SONNET, 1000, 0, 0, 1000, None),
    ]);
    let calc = 1000.0 * 3e-6 + 1000.0 * 15e-6;
    let cost =
        |mode: &str| run(tmp.path(), &["daily", "--mode", mode])["totals"]["totalCost"].clone();
    assert!(close(&cost("auto"), 0.5 + calc));
    assert!(close(&cost("calculate"), 2.0 * calc));
    assert!(close(&cost("display"), 0.5));
    let display = run(tmp.path(), &["daily", "--mode", "display"]);
    assert_eq!(display["unpriced"]["records"], 1);
}

#[test]
fn unknown_models_cost_nothing_and_are_reported() {
    let tmp = data(&[
        rec(
            "m1",
            "2026-11-20T10:00:00Z",
            "my-proxy-model",
            100,
            0,
            0,
            50,
            None,
        ),
        rec("m2", "2026-11-20T11:00:00Z", SONNET, 1000, 0, 0, 0, None),
    ]);
    let r = run(tmp.path(), &["daily"]);
    assert!(close(&r["totals"]["totalCost"], 1000.0 * 3e-6));
    assert_eq!(r["unpriced"]["tokens"], 150);
    assert_eq!(
        r["unpriced"]["models"],
        serde_json::json!(["my-proxy-model"])
    );
    let out = ccwatch(tmp.path())
        .args(["daily", "--dir"])
        .arg(tmp.path())
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("150 tokens (1 response) had no price") && text.contains("my-proxy-model"),
        "{text}"
    );
}

#[test]
fn pricing_files_override_the_built_in_prices_in_either_format() {
    let tmp = data(&[
        rec(
            "m1",
            "2026-11-20T10:00:00Z",
            "my-proxy-model",
            100,
            0,
            0,
            50,
            None,
        ),
        rec("m2", "2026-11-20T11:00:00Z", SONNET, 1000, 0, 0, 0, None),
    ]);
    let ours = fixtures().join("pricing/ccwatch-format.json");
    let r = run(tmp.path(), &["daily", "--pricing", ours.to_str().unwrap()]);
    assert!(close(
        &r["totals"]["totalCost"],
        150.0 * 2e-6 + 1000.0 * 1e-6
    ));
    assert_eq!(r["unpriced"]["tokens"], 0);
    let litellm = fixtures().join("pricing/litellm-format.json");
    let r = run(
        tmp.path(),
        &["daily", "--pricing", litellm.to_str().unwrap()],
    );
    // The file adds my-proxy-model; sonnet keeps its built-in price.
    assert!(close(
        &r["totals"]["totalCost"],
        150.0 * 3e-6 + 1000.0 * 3e-6
    ));
    let out = ccwatch(tmp.path())
        .args(["daily", "--pricing", "/nonexistent/prices.json", "--dir"])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--pricing"));
}

#[test]
fn a_record_near_midnight_lands_on_different_days_by_timezone() {
    // 05:30 UTC on the 20th is 21:30 on the 19th in Los Angeles.
    let tmp = data(&[
        rec("m1", "2026-11-20T05:30:00Z", SONNET, 1, 0, 0, 1, None),
        rec("m2", "2026-11-20T12:00:00Z", SONNET, 1, 0, 0, 1, None),
    ]);
    let days = |zone: &str| -> Vec<(String, u64)> {
        run(tmp.path(), &["daily", "--timezone", zone])["daily"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["date"].as_str().unwrap().to_owned(),
                    d["totalTokens"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(days("UTC"), [("2026-11-20".to_owned(), 4)]);
    assert_eq!(
        days("America/Los_Angeles"),
        [("2026-11-19".to_owned(), 2), ("2026-11-20".to_owned(), 2)]
    );
    // The same instant passes --since in one zone and not in the other.
    let since = |zone: &str| {
        run(
            tmp.path(),
            &["daily", "--timezone", zone, "--since", "20261120"],
        )["totals"]["totalTokens"]
            .clone()
    };
    assert_eq!(since("UTC"), 4);
    assert_eq!(since("America/Los_Angeles"), 2);
}

#[test]
fn bad_report_flags_are_one_sentence_errors() {
    let tmp = data(&[]);
    for args in [
        ["daily", "--timezone", "Mars/Olympus"],
        ["daily", "--since", "yesterday"],
        ["blocks", "--token-limit", "lots"],
    ] {
        let out = ccwatch(tmp.path()).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}
