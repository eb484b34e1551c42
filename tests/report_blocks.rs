//! `ccwatch blocks` end to end, with the clock fixed by `CCWATCH_NOW`.

mod common;
use common::*;
use serde_json::Value;

fn blocks(dir: &std::path::Path, now: &str, extra: &[&str]) -> Value {
    json_of(
        ccwatch(dir)
            .env("CCWATCH_NOW", now)
            .args(["blocks", "--json", "--dir"])
            .arg(dir)
            .args(extra),
    )
}

fn data() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let lines = [
        // A finished block: 01:00-06:00.
        Line::new("s1", "m1", "2026-11-20T01:10:00.000Z", 100_000, 1_000).json(),
        Line::new("s1", "m2", "2026-11-20T02:10:00.000Z", 100_000, 1_000).json(),
        // Over 5 h later: a gap, then a block from 10:00.
        Line::new("s1", "m3", "2026-11-20T10:15:00.000Z", 20_000, 500).json(),
        Line::new("s1", "m4", "2026-11-20T11:15:00.000Z", 40_000, 500).json(),
    ];
    write(&tmp.path().join("projects/-w/s1.jsonl"), lines.concat());
    tmp
}

#[test]
fn blocks_gaps_and_the_active_one_with_its_rate_and_projection() {
    let tmp = data();
    let r = blocks(tmp.path(), "2026-11-20T12:15:00Z", &[]);
    let b = r["blocks"].as_array().unwrap();
    let ids: Vec<&str> = b.iter().map(|x| x["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "2026-11-20T01:00:00.000Z",
            "gap-2026-11-20T06:00:00.000Z",
            "2026-11-20T10:00:00.000Z"
        ]
    );
    assert_eq!(b[0]["isActive"], false);
    assert_eq!(b[0]["entries"], 2);
    assert_eq!(b[0]["actualEndTime"], "2026-11-20T02:10:00.000Z");
    assert_eq!(b[1]["isGap"], true);
    assert_eq!(b[1]["endTime"], "2026-11-20T10:00:00.000Z");
    let active = &b[2];
    assert_eq!(active["isActive"], true);
    assert_eq!(active["endTime"], "2026-11-20T15:00:00.000Z");
    assert_eq!(active["totalTokens"], 61_000);
    // 61_000 tokens over the 60 minutes between its records.
    let rate = &active["burnRate"];
    assert!((rate["tokensPerMinute"].as_f64().unwrap() - 61_000.0 / 60.0).abs() < 1e-6);
    let p = &active["projection"];
    assert_eq!(p["remainingMinutes"], 165);
    assert_eq!(
        p["totalTokens"],
        61_000 + (61_000.0_f64 / 60.0 * 165.0).round() as u64
    );
    assert!(b[0]["burnRate"].is_null() && b[0]["projection"].is_null());
}

#[test]
fn after_5h_without_records_nothing_is_active() {
    let tmp = data();
    let r = blocks(tmp.path(), "2026-11-20T16:15:01Z", &[]);
    assert!(
        r["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|b| b["isActive"] == false)
    );
    let r = blocks(tmp.path(), "2026-11-20T16:15:01Z", &["--active"]);
    assert_eq!(r["blocks"], serde_json::json!([]));
}

#[test]
fn token_limits_say_ok_warning_or_exceeds() {
    let tmp = data();
    let now = "2026-11-20T12:15:00Z";
    let status = |limit: &str| {
        let r = blocks(tmp.path(), now, &["--active", "--token-limit", limit]);
        r["blocks"][0]["tokenLimitStatus"]["status"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    // Projected: 61_000 + 167_750 = 228_750 tokens.
    assert_eq!(status("1000000"), "ok");
    assert_eq!(status("250000"), "warning");
    assert_eq!(status("max"), "exceeds"); // max = the first block's 202_000
    let out = ccwatch(tmp.path())
        .env("CCWATCH_NOW", now)
        .args(["blocks", "--token-limit", "max", "--dir"])
        .arg(tmp.path())
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("ACTIVE, 2h45m left"), "{text}");
    assert!(
        text.contains("exceeds the token limit of 202,000"),
        "{text}"
    );
    assert!(text.contains("Burn rate:"), "{text}");
}
