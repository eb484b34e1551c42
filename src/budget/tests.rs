use super::*;
use crate::ledger::{FileChange, FileUpdate};
use crate::parse::Parsed;
use crate::record::{DedupKey, Tokens, UsageRecord, parse_timestamp};
use std::path::PathBuf;

fn at(iso: &str) -> Millis {
    parse_timestamp(iso).unwrap()
}

fn reply(msg: &str, when: &str, usd: f64) -> Parsed {
    Parsed::Usage(UsageRecord {
        key: Some(DedupKey::new(msg, Some("req"))),
        timestamp: at(when),
        session_id: "s".into(),
        model: "claude-sonnet-4-5-20250929".into(),
        tokens: Tokens {
            input: 10,
            output: 10,
            cache_creation: 0,
            cache_read: 0,
        },
        billing: Default::default(),
        sidechain: false,
        cost_usd: Some(usd),
        cwd: Some("/src/s".into()),
    })
}

fn ledger(facts: Vec<Parsed>) -> Ledger {
    let mut l = Ledger::new();
    l.apply(FileUpdate {
        path: PathBuf::from("/p/s.jsonl"),
        encoded_project: "-src-s".into(),
        change: FileChange::Appended,
        facts: facts
            .into_iter()
            .enumerate()
            .map(|(i, f)| (i as u64 * 100, f))
            .collect(),
        size: 10,
    });
    l
}

fn utc() -> Zone {
    Zone::parse("UTC").unwrap()
}

#[test]
fn today_and_this_week_are_summed_apart() {
    // 2026-12-05 is a Saturday: the week began on Sunday 2026-11-29.
    let l = ledger(vec![
        reply("a", "2026-11-28T23:00:00Z", 100.0), // the week before
        reply("b", "2026-11-29T00:00:00Z", 30.0),  // this week, not today
        reply("c", "2026-12-04T23:59:59Z", 12.0),  // yesterday
        reply("d", "2026-12-05T00:00:00Z", 4.5),   // today
        reply("e", "2026-12-05T12:00:00Z", 11.5),  // today
    ]);
    let budgets = Budgets {
        daily: Some(20.0),
        weekly: Some(100.0),
        ..Budgets::default()
    };
    let s = spend(&l, &budgets, at("2026-12-05T13:00:00Z"), &utc());
    assert_eq!(s.len(), 2);
    assert_eq!(s[0].period, BudgetPeriod::Daily);
    assert_eq!(s[0].spent_usd, 16.0);
    assert_eq!(s[0].ratio, 0.8);
    assert_eq!(s[0].since, "2026-12-05T00:00:00.000Z");
    assert_eq!(s[0].resets, "2026-12-06T00:00:00.000Z");
    assert_eq!(s[1].period, BudgetPeriod::Weekly);
    assert_eq!(s[1].spent_usd, 58.0);
    assert_eq!(s[1].since, "2026-11-29T00:00:00.000Z");
    assert_eq!(s[1].resets_at, at("2026-12-06T00:00:00Z"));
}

#[test]
fn days_are_the_zones_days() {
    // 23:30 UTC on the 4th is already the 5th in Tokyo (UTC+9).
    let l = ledger(vec![reply("a", "2026-12-04T23:30:00Z", 3.0)]);
    let budgets = Budgets {
        daily: Some(10.0),
        ..Budgets::default()
    };
    let tokyo = Zone::parse("Asia/Tokyo").unwrap();
    let s = spend(&l, &budgets, at("2026-12-05T01:00:00Z"), &tokyo);
    assert_eq!(s[0].spent_usd, 3.0);
    assert_eq!(s[0].since, "2026-12-04T15:00:00.000Z");
    let s = spend(&l, &budgets, at("2026-12-05T01:00:00Z"), &utc());
    assert_eq!(s[0].spent_usd, 0.0);
}

#[test]
fn no_budget_no_spend() {
    let l = ledger(vec![reply("a", "2026-12-05T00:00:00Z", 3.0)]);
    assert!(spend(&l, &Budgets::default(), at("2026-12-05T01:00:00Z"), &utc()).is_empty());
}
