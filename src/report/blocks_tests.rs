//! The block rules of spec §5, one test per rule, with an injected clock.

use super::*;
use crate::record::parse_timestamp;
use crate::report::testing::entry;

fn at(ts: &str) -> Millis {
    parse_timestamp(ts).unwrap()
}

fn e(ts: &str) -> Entry {
    entry(ts, "s", "m", 1_000, 0.5)
}

/// (start, end, gap, entries) of each block.
fn shape(blocks: &[Block]) -> Vec<(String, String, bool, u64)> {
    let f = |t: Millis| crate::record::format_timestamp(t)[11..16].to_owned();
    blocks
        .iter()
        .map(|b| (f(b.start), f(b.end), b.gap, b.usage.entries))
        .collect()
}

const LATER: &str = "2026-12-01T00:00:00Z";

#[test]
fn a_block_starts_at_its_first_record_floored_to_the_utc_hour() {
    let b = build(&[e("2026-11-20T10:47:13.500Z")], at(LATER));
    assert_eq!(b[0].start, at("2026-11-20T10:00:00Z"));
    assert_eq!(b[0].end, at("2026-11-20T15:00:00Z"));
    assert_eq!(b[0].first, Some(at("2026-11-20T10:47:13.500Z")));
}

#[test]
fn a_record_more_than_5h_after_the_block_start_opens_a_new_block() {
    let entries = [
        e("2026-11-20T10:30:00Z"),
        e("2026-11-20T13:00:00Z"),
        e("2026-11-20T15:00:00Z"), // exactly 5 h after the start: same block
        e("2026-11-20T15:00:00.001Z"),
    ];
    let blocks = build(&entries, at(LATER));
    assert_eq!(
        shape(&blocks),
        [
            ("10:00".into(), "15:00".into(), false, 3),
            ("15:00".into(), "20:00".into(), false, 1)
        ]
    );
}

#[test]
fn a_record_more_than_5h_after_the_previous_one_opens_a_new_block_after_a_gap() {
    let entries = [e("2026-11-20T01:10:00Z"), e("2026-11-20T09:20:00Z")];
    let blocks = build(&entries, at(LATER));
    assert_eq!(
        shape(&blocks),
        [
            ("01:00".into(), "06:00".into(), false, 1),
            ("06:00".into(), "09:00".into(), true, 0),
            ("09:00".into(), "14:00".into(), false, 1)
        ]
    );
    assert!(blocks[1].first.is_none() && !blocks[1].active);
}

#[test]
fn back_to_back_blocks_have_no_gap() {
    let entries = [e("2026-11-20T01:10:00Z"), e("2026-11-20T06:05:00Z")];
    let blocks = build(&entries, at(LATER));
    assert_eq!(blocks.len(), 2);
    assert!(blocks.iter().all(|b| !b.gap));
}

#[test]
fn the_last_block_is_active_while_now_is_before_its_end_and_it_is_fresh() {
    let entries = [e("2026-11-20T10:30:00Z"), e("2026-11-20T11:30:00Z")];
    assert!(build(&entries, at("2026-11-20T14:59:59Z"))[0].active);
    assert!(!build(&entries, at("2026-11-20T15:00:00Z"))[0].active);
    // Older blocks are never active.
    let two = [e("2026-11-20T01:00:00Z"), e("2026-11-20T10:30:00Z")];
    let blocks = build(&two, at("2026-11-20T11:00:00Z"));
    assert!(!blocks[0].active && blocks.last().unwrap().active);
    assert!(build(&[], at(LATER)).is_empty());
}

#[test]
fn burn_rate_and_projection_of_the_active_block() {
    // 2 entries of 1_000 tokens, $0.5 each, 60 minutes apart.
    let entries = [e("2026-11-20T10:00:00Z"), e("2026-11-20T11:00:00Z")];
    let now = at("2026-11-20T12:00:00Z");
    let b = &build(&entries, now)[0];
    let rate = burn_rate(b).unwrap();
    assert!((rate.tokens_per_minute - 2_000.0 / 60.0).abs() < 1e-9);
    assert!((rate.tokens_per_minute_for_indicator - 400.0 / 60.0).abs() < 1e-9);
    assert!((rate.cost_per_hour - 1.0).abs() < 1e-9);
    let p = projection(b, now).unwrap();
    assert_eq!(p.remaining_minutes, 180);
    assert_eq!(p.total_tokens, 2_000 + 6_000);
    assert!((p.total_cost - 4.0).abs() < 1e-9);
    // A single record has no rate; an inactive block no projection.
    let one = &build(&entries[..1], now)[0];
    assert!(burn_rate(one).is_none());
    let old = &build(&entries, at(LATER))[0];
    assert!(projection(old, at(LATER)).is_none());
}

#[test]
fn token_limits_warn_above_80_and_exceed_above_100_percent() {
    assert_eq!(TokenLimit::parse("max"), Ok(TokenLimit::Max));
    assert_eq!(
        TokenLimit::parse("500_000"),
        Ok(TokenLimit::Tokens(500_000))
    );
    assert!(TokenLimit::parse("0").is_err() && TokenLimit::parse("lots").is_err());
    assert_eq!(LimitLevel::of(800, 1_000), LimitLevel::Ok);
    assert_eq!(LimitLevel::of(801, 1_000), LimitLevel::Warning);
    assert_eq!(LimitLevel::of(1_000, 1_000), LimitLevel::Warning);
    assert_eq!(LimitLevel::of(1_001, 1_000), LimitLevel::Exceeds);
    let entries = [
        e("2026-11-20T01:00:00Z"),
        e("2026-11-20T02:00:00Z"),
        e("2026-11-20T10:00:00Z"),
    ];
    let blocks = build(&entries, at("2026-11-20T10:30:00Z"));
    // The largest finished block, not the active one.
    assert_eq!(TokenLimit::Max.resolve(&blocks), Some(2_000));
    assert_eq!(TokenLimit::Tokens(7).resolve(&blocks), Some(7));
}
