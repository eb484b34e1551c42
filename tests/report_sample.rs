//! The reports on the sample data directory, against its expected answers:
//! days in UTC, weeks and months as sums of their days, sessions, and the
//! cost from the built-in prices.

mod common;
use common::*;
use serde_json::Value;
use std::collections::BTreeMap;

fn report(args: &[&str]) -> Value {
    let tmp = tempfile::tempdir().unwrap();
    json_of(
        ccwatch(tmp.path())
            .args(args)
            .args(["--json", "--dir"])
            .arg(fixtures().join("sample-logs")),
    )
}

/// The four sums of a report row, in expected.json's names.
fn sums(v: &Value) -> Value {
    serde_json::json!({
        "input": v["inputTokens"], "output": v["outputTokens"],
        "cache_creation": v["cacheCreationTokens"], "cache_read": v["cacheReadTokens"],
    })
}

fn add(into: &mut [u64; 4], v: &Value) {
    for (i, k) in ["input", "output", "cache_creation", "cache_read"]
        .iter()
        .enumerate()
    {
        into[i] += v[k].as_u64().unwrap();
    }
}

#[test]
fn utc_daily_sums_equal_expected_json() {
    let r = report(&["daily", "--timezone", "UTC"]);
    let e = sample_expected();
    let days: serde_json::Map<String, Value> = r["daily"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["date"].as_str().unwrap().to_owned(), sums(d)))
        .collect();
    assert_eq!(Value::Object(days), e["daily"]);
    assert_eq!(sums(&r["totals"]), e["totals"]);
    let total: u64 = ["input", "output", "cache_creation", "cache_read"]
        .iter()
        .map(|k| e["totals"][k].as_u64().unwrap())
        .sum();
    assert_eq!(r["totals"]["totalTokens"], total);
    assert_eq!(r["unpriced"]["tokens"], 0);
}

#[test]
fn the_cost_is_the_expected_tokens_at_the_published_prices() {
    // claude-{haiku,sonnet}-4-5 as LiteLLM lists them, USD per token:
    // input, output, cache write, cache read.
    let prices: BTreeMap<&str, [f64; 4]> = [
        ("claude-haiku-4-5-20251001", [1e-6, 5e-6, 1.25e-6, 0.1e-6]),
        ("claude-sonnet-4-5-20250929", [3e-6, 15e-6, 3.75e-6, 0.3e-6]),
    ]
    .into();
    let e = sample_expected();
    let mut want = 0.0;
    for (model, t) in e["models"].as_object().unwrap() {
        let p = prices[model.as_str()];
        let mut n = [0; 4];
        add(&mut n, t);
        want += (0..4).map(|i| n[i] as f64 * p[i]).sum::<f64>();
    }
    let r = report(&["daily", "--timezone", "UTC"]);
    let got = r["totals"]["totalCost"].as_f64().unwrap();
    assert!((got - want).abs() < 1e-9, "{got} vs {want}");
    let by_model: f64 = r["daily"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["modelBreakdowns"].as_array().unwrap().clone())
        .map(|m| m["cost"].as_f64().unwrap())
        .sum();
    assert!((by_model - want).abs() < 1e-9);
    // status --json prices the same way.
    let st = status_json(&fixtures().join("sample-logs"));
    assert!((st["totals"]["costUSD"].as_f64().unwrap() - want).abs() < 1e-9);
}

#[test]
fn weeks_and_months_are_the_sums_of_their_days() {
    let days = report(&["daily", "--timezone", "UTC"]);
    for (cmd, key, label_of_day) in [
        (
            "monthly",
            "monthly",
            (|d: &str| d[..7].to_owned()) as fn(&str) -> String,
        ),
        ("weekly", "weekly", |d: &str| {
            // Weeks begin on Sunday by default.
            let day = chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
            use chrono::Datelike;
            let back = day.weekday().num_days_from_sunday();
            (day - chrono::Duration::days(back.into())).to_string()
        }),
    ] {
        let r = report(&[cmd, "--timezone", "UTC"]);
        let mut want: BTreeMap<String, [u64; 4]> = BTreeMap::new();
        let mut cost: BTreeMap<String, f64> = BTreeMap::new();
        for d in days["daily"].as_array().unwrap() {
            let label = label_of_day(d["date"].as_str().unwrap());
            add(want.entry(label.clone()).or_default(), &sums(d));
            *cost.entry(label).or_default() += d["totalCost"].as_f64().unwrap();
        }
        let field = if cmd == "monthly" { "month" } else { "week" };
        let rows = r[key].as_array().unwrap();
        assert_eq!(rows.len(), want.len(), "{cmd}");
        for row in rows {
            let label = row[field].as_str().unwrap();
            let mut got = [0; 4];
            add(&mut got, &sums(row));
            assert_eq!(got, want[label], "{cmd} {label}");
            assert!((row["totalCost"].as_f64().unwrap() - cost[label]).abs() < 1e-9);
        }
        assert_eq!(r["totals"], days["totals"], "{cmd}");
    }
}

#[test]
fn session_sums_equal_expected_json_with_subagents_in_their_parent() {
    let r = report(&["session"]);
    let e = sample_expected();
    let rows = r["sessions"].as_array().unwrap();
    assert_eq!(rows.len(), e["sessions"].as_object().unwrap().len());
    for row in rows {
        let id = row["sessionId"].as_str().unwrap();
        let es = &e["sessions"][id];
        assert_eq!(sums(row), es["tokens"], "{id}");
        assert_eq!(row["projectPath"], es["project"], "{id}");
        let models: Vec<&str> = es["models"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(row["modelsUsed"], serde_json::json!(models), "{id}");
        assert!(row["totalCost"].as_f64().unwrap() > 0.0);
    }
    // Ordered by last activity, oldest first; --order desc reverses.
    let last: Vec<&str> = rows
        .iter()
        .map(|r| r["lastActivity"].as_str().unwrap())
        .collect();
    assert!(last.windows(2).all(|w| w[0] <= w[1]), "{last:?}");
    let desc = report(&["session", "--order", "desc"]);
    assert_eq!(
        desc["sessions"][0]["sessionId"],
        rows.last().unwrap()["sessionId"]
    );
}

#[test]
fn project_and_date_filters_narrow_the_report() {
    let r = report(&["daily", "--timezone", "UTC", "--project", "webapp"]);
    let days: Vec<&str> = r["daily"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["date"].as_str().unwrap())
        .collect();
    assert_eq!(days, ["2026-10-15", "2026-11-09", "2026-11-12"]);
    let r = report(&[
        "daily",
        "--timezone",
        "UTC",
        "--since",
        "20261109",
        "--until",
        "2026-11-13",
    ]);
    let days: Vec<&str> = r["daily"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["date"].as_str().unwrap())
        .collect();
    assert_eq!(days, ["2026-11-09", "2026-11-12", "2026-11-13"]);
    assert_eq!(
        r["totals"]["inputTokens"].as_u64().unwrap(),
        147 + 165 + 106
    );
}

#[test]
fn human_reports_are_tables_with_totals() {
    let tmp = tempfile::tempdir().unwrap();
    for (cmd, first) in [
        ("daily", "2026-10-12"),
        ("weekly", "2026-10-11"),
        ("monthly", "2026-10"),
        ("session", "6a687323"),
        ("blocks", "2026-10-12 03:00"),
    ] {
        let out = ccwatch(tmp.path())
            .args([cmd, "--timezone", "UTC", "--breakdown", "--dir"])
            .arg(fixtures().join("sample-logs"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{cmd}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains(first), "{cmd}: {text}");
        assert!(text.contains("Times and days in UTC."), "{cmd}: {text}");
        if cmd != "blocks" {
            assert!(
                text.contains("Total") && text.contains("$4.44"),
                "{cmd}: {text}"
            );
            assert!(text.contains("└ haiku-4-5"), "{cmd}: {text}");
        }
    }
}
