//! `ccwatch context` on the hand-made cases in `fixtures/context-cases/`:
//! each a small session whose content sizes were chosen so every turn's
//! attribution can be worked out by hand (`expected.json` shows how).
//! Checked through the binary: every turn's items, the baseline, the
//! drop, the categories, the top item, and that the parts of each turn
//! add up to its Δ exactly and the occupancy agrees with `status`. Then
//! on a generated corpus, whose generator knows each session's top item.

mod common;

use common::{ccwatch, fixtures, json_of, status_json};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn cases() -> Vec<PathBuf> {
    let mut dirs: Vec<_> = std::fs::read_dir(fixtures().join("context-cases"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("expected.json").is_file())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 3, "the context cases are missing");
    dirs
}

fn context(dir: &Path, extra: &[&str]) -> Value {
    let isolate = tempfile::tempdir().unwrap();
    json_of(
        ccwatch(isolate.path())
            .args(["context", "latest", "--json", "--no-cache", "--dir"])
            .arg(dir)
            .args(extra),
    )
}

fn expected(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join("expected.json")).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
}

/// Categories as `{"category tool": tokens}`, the form expected.json uses.
fn categories(report: &Value) -> Value {
    let mut map = serde_json::Map::new();
    for c in report["categories"].as_array().unwrap() {
        let key = match c["tool"].as_str() {
            Some(tool) => format!("{} {tool}", c["category"].as_str().unwrap()),
            None => c["category"].as_str().unwrap().to_owned(),
        };
        map.insert(key, c["tokens"].clone());
    }
    Value::Object(map)
}

/// The parts of one turn: baseline, items, unlogged growth, drop.
fn turn_sum(turn: &Value) -> i64 {
    let items: i64 = turn["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["tokens"].as_i64().unwrap())
        .sum();
    turn["baseline"].as_i64().unwrap()
        + items
        + turn["unlogged"].as_i64().unwrap()
        + turn["dropped"].as_i64().unwrap()
}

#[test]
fn every_case_is_attributed_as_worked_out_by_hand() {
    for dir in cases() {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let want = expected(&dir);
        let got = context(&dir, &[]);
        assert_eq!(got["estimated"], true, "{name}");
        for key in ["occupancy", "accounted", "tokensPerByte"] {
            assert_eq!(got[key], want[key], "{name}: {key}");
        }
        if let Some(n) = want.get("compactions") {
            assert_eq!(&got["compactions"], n, "{name}: compactions");
        }
        let turns = got["turns"].as_array().unwrap();
        let want_turns = want["turns"].as_array().unwrap();
        assert_eq!(turns.len(), want_turns.len(), "{name}: turns");
        for (i, (t, w)) in turns.iter().zip(want_turns).enumerate() {
            for key in ["occupancy", "delta", "baseline", "dropped", "microcompact"] {
                assert_eq!(t[key], w[key], "{name}: turn {i} {key}");
            }
            assert_eq!(
                t["compaction"].is_object(),
                w["compaction"].as_bool().unwrap(),
                "{name}: turn {i} compaction"
            );
            let items: Vec<Value> = t["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| serde_json::json!([i["label"], i["bytes"], i["tokens"]]))
                .collect();
            assert_eq!(Value::Array(items), w["items"], "{name}: turn {i} items");
        }
        assert_eq!(categories(&got), want["categories"], "{name}: categories");
        let top = &got["top"][0];
        assert_eq!(
            serde_json::json!([top["label"], top["tokens"]]),
            want["top"],
            "{name}: top item"
        );
        if let Some(all) = want.get("all") {
            let whole = context(&dir, &["--all"]);
            assert_eq!(whole["scope"], "session");
            assert_eq!(whole["accounted"], all["accounted"], "{name}: --all");
            assert_eq!(
                whole["turns"].as_array().unwrap().len() as u64,
                all["turns"].as_u64().unwrap()
            );
            assert_eq!(
                categories(&whole),
                all["categories"],
                "{name}: --all categories"
            );
        }
    }
}

#[test]
fn each_turn_adds_up_to_its_delta_and_the_occupancy_agrees_with_status() {
    for dir in cases() {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let got = context(&dir, &["--all"]);
        let turns = got["turns"].as_array().unwrap();
        for (i, t) in turns.iter().enumerate() {
            let whole = match t["delta"].as_i64() {
                Some(d) => d,
                None => t["occupancy"].as_i64().unwrap(),
            };
            assert_eq!(turn_sum(t), whole, "{name}: turn {i} parts");
            if i > 0 && t["compaction"].is_null() {
                let prev = turns[i - 1]["occupancy"].as_i64().unwrap();
                assert_eq!(
                    t["delta"].as_i64().unwrap(),
                    t["occupancy"].as_i64().unwrap() - prev
                );
            }
        }
        let status = status_json(&dir);
        let session = got["sessionId"].as_str().unwrap();
        let row = status["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["sessionId"] == session)
            .unwrap_or_else(|| panic!("{name}: {session} not in status"));
        assert_eq!(
            row["context"]["tokens"], got["occupancy"],
            "{name}: the gauge and the attribution disagree"
        );
    }
}

#[test]
fn a_session_is_named_by_id_prefix_or_latest_and_a_bad_name_is_one_sentence() {
    let dir = fixtures().join("context-cases/large-read-ranks-first");
    let isolate = tempfile::tempdir().unwrap();
    let by = |arg: &str| {
        ccwatch(isolate.path())
            .args(["context", arg, "--json", "--no-cache", "--dir"])
            .arg(&dir)
            .output()
            .unwrap()
    };
    for arg in ["11111111-1111-4111-8111-000000000001", "1111", "latest"] {
        let out = by(arg);
        assert!(out.status.success(), "{arg}");
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["sessionId"], "11111111-1111-4111-8111-000000000001");
    }
    let out = by("ffff");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("no session id starts with `ffff`"), "{err}");
}

#[test]
fn the_table_says_its_figures_are_estimates_and_lists_the_big_read_first() {
    let dir = fixtures().join("context-cases/large-read-ranks-first");
    let isolate = tempfile::tempdir().unwrap();
    let out = ccwatch(isolate.path())
        .args(["context", "latest", "--no-cache", "--dir"])
        .arg(&dir)
        .env("COLUMNS", "80")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Estimated from content sizes"), "{text}");
    let top = text.split("Top items").nth(1).expect("a top-items table");
    let first_row = top
        .lines()
        .skip_while(|l| !l.starts_with('╞'))
        .nth(1)
        .unwrap();
    assert!(first_row.contains("Read src/big.rs"), "{text}");
}

#[test]
fn a_session_without_a_main_chain_response_says_so_instead_of_an_empty_table() {
    let dir = fixtures().join("cases/only-subagent-files");
    let isolate = tempfile::tempdir().unwrap();
    let out = ccwatch(isolate.path())
        .args(["context", "latest", "--no-cache", "--dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("No main-chain response to attribute yet"),
        "{text}"
    );
    assert!(!text.contains('┌'), "{text}");
    let v = context(&dir, &[]);
    assert_eq!(v["occupancy"], Value::Null);
    assert_eq!(v["turns"], serde_json::json!([]));
}

/// Every session of a generated corpus (resumed ones, subagents, big
/// results and compactions earlier on) ends with a compaction and one
/// large `Read` the generator recorded: `context --json` must rank that
/// read first, by tool, target (relative to the project) and size.
#[test]
fn the_generators_top_item_ranks_first_in_every_generated_session() {
    for seed in [1, 2] {
        let data = tempfile::tempdir().unwrap();
        let spec = ccwatch_corpus::CorpusSpec {
            target_bytes: 1 << 20,
            sessions: 5,
            seed,
            ..ccwatch_corpus::CorpusSpec::default()
        };
        let expected = ccwatch_corpus::generate(data.path(), &spec).unwrap();
        let isolate = tempfile::tempdir().unwrap();
        // The generator also writes sessions without a conversation of
        // their own (only subagent files, or no response yet): they have
        // no main-chain response, so no closing read and no occupancy.
        let (talks, remnants): (Vec<_>, Vec<_>) = expected
            .sessions
            .iter()
            .partition(|(_, s)| !s.subagents_only && s.records > 0);
        assert_eq!(talks.len(), 5);
        assert!(!remnants.is_empty());
        for (id, session) in remnants {
            assert_eq!(session.top_item, None);
            let got = json_of(
                ccwatch(isolate.path())
                    .args(["context", id, "--json", "--no-cache", "--dir"])
                    .arg(data.path()),
            );
            assert_eq!(got["sessionId"], id.as_str());
            assert_eq!(got["occupancy"], Value::Null, "seed {seed}, session {id}");
        }
        for (id, session) in talks {
            let want = session.top_item.as_ref().expect("the generator's top item");
            let got = json_of(
                ccwatch(isolate.path())
                    .args(["context", id, "--json", "--no-cache", "--dir"])
                    .arg(data.path()),
            );
            assert_eq!(got["sessionId"], id.as_str());
            assert_eq!(got["scope"], "sinceCompaction");
            let relative = want
                .target
                .strip_prefix(&format!("{}/", session.project))
                .expect("the read is inside the project");
            let top = &got["top"][0];
            assert_eq!(
                serde_json::json!([top["category"], top["tool"], top["target"], top["count"]]),
                serde_json::json!(["toolResult", want.tool, relative, 1]),
                "seed {seed}, session {id}: {}",
                got["top"]
            );
            assert_eq!(top["bytes"], want.bytes, "seed {seed}, session {id}");
            assert_eq!(top["label"], format!("Read {relative}"));
            // First by a margin, not by a tie-break.
            let second = got["top"][1]["tokens"].as_u64().unwrap_or(0);
            assert!(
                top["tokens"].as_u64().unwrap() > 2 * second,
                "seed {seed}, session {id}: {}",
                got["top"]
            );
        }
    }
}
