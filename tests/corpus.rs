//! Data the project has never seen: a generated corpus (streamed copies,
//! both subagent layouts, resumed sessions, compactions, bad lines, big
//! tool results, 1-hour and mixed cache writes, fast mode, web searches,
//! and every shape of spec v2: progress copies of subagent responses with
//! and without the subagent's file, advisor steps, files without a final
//! newline, objects back to back, BOMs, CRLF, workflow and compaction
//! agents, sessions of subagent files only or without usage, worktrees,
//! dotted and other providers' model names, token counts that are not
//! counts) whose expected answers, costs included, the generator worked
//! out while writing it. `status --json` and `daily --json` must give
//! those numbers.

mod common;
use ccwatch_corpus::{CorpusSpec, Expected, Tokens4, generate};
use common::*;
use serde_json::Value;

fn tokens(v: &Value) -> Tokens4 {
    let n = |k: &str| v[k].as_u64().unwrap();
    Tokens4 {
        input: n("input"),
        output: n("output"),
        cache_creation: n("cacheCreation"),
        cache_read: n("cacheRead"),
    }
}

/// A cost in USD against the generator's exact picodollars: ccwatch rounds
/// each record's float cost to a picodollar, so a sum may be off by one per
/// record.
fn same_cost(got: &Value, picodollars: u64, records: u64, what: &str) {
    let got = got.as_f64().unwrap_or(f64::NAN);
    let want = picodollars as f64 / 1e12;
    let slack = (records + 1) as f64 * 1e-12 + want * 1e-12;
    assert!(
        (got - want).abs() <= slack,
        "{what}: got {got}, want {want}"
    );
}

fn check_cost(st: &Value, daily: &Value, ex: &Expected) {
    same_cost(
        &st["totals"]["costUSD"],
        ex.cost_picodollars,
        ex.records,
        "total",
    );
    for s in st["sessions"].as_array().unwrap() {
        let id = s["sessionId"].as_str().unwrap();
        let e = &ex.sessions[id];
        same_cost(&s["costUSD"], e.cost_picodollars, e.records, id);
    }
    let days = daily["daily"].as_array().unwrap();
    assert_eq!(days.len(), ex.daily_cost_utc.len());
    for d in days {
        let day = d["date"].as_str().unwrap();
        same_cost(&d["totalCost"], ex.daily_cost_utc[day], ex.records, day);
    }
}

fn check(st: &Value, ex: &Expected) {
    assert_eq!(tokens(&st["totals"]), ex.totals);
    assert_eq!(st["totals"]["records"], ex.records);
    assert_eq!(st["files"], ex.files);
    assert_eq!(st["bytes"], ex.bytes);
    // Broken lines by reason; BOMs, CRLF, objects back to back, lines
    // without a final newline and workflow journals are none of them.
    assert_eq!(st["skipped"], serde_json::json!(ex.skipped));
    let daily: Vec<(String, Tokens4)> = st["daily"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(d, v)| (d.clone(), tokens(v)))
        .collect();
    let expected_daily: Vec<(String, Tokens4)> = ex.daily_utc.clone().into_iter().collect();
    assert_eq!(daily, expected_daily);
    let sessions = st["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), ex.sessions.len());
    for s in sessions {
        let id = s["sessionId"].as_str().unwrap();
        let e = &ex.sessions[id];
        assert_eq!(s["project"], e.project.as_str(), "{id}");
        assert_eq!(s["subagentsOnly"], e.subagents_only, "{id}");
        // A worktree's label names its repository too (spec §1):
        // `repo/.worktrees/3`, `repo-worktrees/feature-x`, never `3`.
        let label = s["label"].as_str().unwrap();
        if e.project.contains("worktrees/") {
            let tail: Vec<&str> = e.project.rsplit('/').take(3).collect();
            let want = if tail[1] == ".worktrees" {
                format!("{}/.worktrees/{}", tail[2], tail[0])
            } else {
                format!("{}/{}", tail[1], tail[0])
            };
            assert_eq!(label, want, "{id}");
        }
        assert_eq!(tokens(&s["tokens"]), e.tokens, "{id}");
        assert_eq!(s["records"], e.records, "{id}");
        assert_eq!(s["compactions"], e.compactions, "{id}");
        assert_eq!(s["context"]["tokens"].as_u64(), e.context_occupancy, "{id}");
        assert_eq!(
            s["context"]["timestamp"].as_str(),
            e.context_timestamp.as_deref(),
            "{id}"
        );
    }
}

#[test]
fn a_generated_corpus_is_accounted_exactly() {
    for seed in [1, 2, 3] {
        let tmp = tempfile::tempdir().unwrap();
        let spec = CorpusSpec {
            target_bytes: 6 << 20,
            sessions: 12,
            seed,
            ..CorpusSpec::default()
        };
        let expected = generate(tmp.path(), &spec).unwrap();
        // The generator's v2 shapes are all here (see its own tests).
        let kinds = |f: fn(&ccwatch_corpus::ExpectedSession) -> bool| {
            expected.sessions.values().filter(|s| f(s)).count()
        };
        assert!(kinds(|s| s.subagents_only) >= 1);
        assert!(kinds(|s| s.records == 0) >= 1);
        assert!(kinds(|s| s.project.contains("worktrees/")) >= 2);
        let st = status_json(tmp.path());
        check(&st, &expected);
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
        check_cost(&st, &daily, &expected);
    }
}
