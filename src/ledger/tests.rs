//! Ledger rules (spec §3–4), each test named after the rule it holds.

use super::*;
use crate::record::DedupKey;

fn rec(session: &str, msg: &str, ts: Millis, prompt: u64, output: u64, sidechain: bool) -> Parsed {
    Parsed::Usage(UsageRecord {
        key: Some(DedupKey::new(msg, Some("req"))),
        timestamp: ts,
        session_id: session.into(),
        model: "claude-sonnet-4-5-20250929".into(),
        tokens: Tokens {
            input: 1,
            output,
            cache_creation: 0,
            cache_read: prompt - 1,
        },
        billing: Default::default(),
        sidechain,
        cost_usd: None,
        cwd: Some(format!("/src/{session}")),
    })
}

fn boundary(session: &str, uuid: u128, ts: Millis) -> Parsed {
    Parsed::Compaction(CompactionMark {
        uuid: Some(uuid),
        timestamp: ts,
        session_id: session.into(),
        trigger: Some("auto".into()),
        pre_tokens: Some(150_000),
        cwd: None,
    })
}

fn update(path: &str, change: FileChange, facts: Vec<Parsed>) -> FileUpdate {
    super::test_facts::batch(path, change, facts)
}

fn appended(path: &str, facts: Vec<Parsed>) -> FileUpdate {
    update(path, FileChange::Appended, facts)
}

/// Everything observable about a ledger, for comparing two of them.
fn state(l: &Ledger) -> String {
    let policy = WindowPolicy::default();
    format!(
        "{:?} {} {:?} {} {} {:?} {}",
        l.totals(),
        l.records(),
        l.daily_utc(),
        l.files(),
        l.bytes(),
        l.skipped(),
        serde_json::to_string(&l.snapshots(&policy)).unwrap()
    )
}

#[test]
fn streamed_copies_count_once_with_the_largest_output() {
    let mut l = Ledger::new();
    l.apply(appended(
        "/p/a.jsonl",
        vec![
            rec("s", "m1", 1000, 5000, 10, false),
            rec("s", "m1", 1000, 5000, 200, false),
            rec("s", "m1", 1000, 5000, 50, false),
        ],
    ));
    assert_eq!(l.records(), 1);
    assert_eq!(l.totals().output, 200);
    assert_eq!(l.session("s").unwrap().tokens.output, 200);
}

#[test]
fn copies_in_other_files_count_once() {
    let mut l = Ledger::new();
    l.apply(appended(
        "/p/a.jsonl",
        vec![rec("s", "m1", 1000, 5000, 10, false)],
    ));
    l.apply(appended(
        "/p/b.jsonl",
        vec![rec("s", "m1", 1000, 5000, 10, false)],
    ));
    assert_eq!(l.records(), 1);
    assert_eq!(l.totals().total(), 5010);
}

#[test]
fn records_without_a_message_id_are_never_merged() {
    let mut l = Ledger::new();
    let mut r = rec("s", "m", 1000, 5000, 10, false);
    if let Parsed::Usage(u) = &mut r {
        u.key = None;
    }
    l.apply(appended("/p/a.jsonl", vec![r.clone(), r]));
    assert_eq!(l.records(), 2);
}

#[test]
fn sidechain_usage_counts_toward_tokens_but_never_the_context() {
    let mut l = Ledger::new();
    l.apply(appended(
        "/p/a.jsonl",
        vec![
            rec("s", "m1", 1000, 40_000, 10, false),
            rec("s", "m2", 2000, 90_000, 10, true),
        ],
    ));
    let snap = l.snapshot("s", &WindowPolicy::default()).unwrap();
    assert_eq!(snap.context.unwrap().tokens, 40_000);
    assert_eq!(snap.tokens.cache_read, 40_000 - 1 + 90_000 - 1);
    assert_eq!(snap.records, 2);
}

#[test]
fn a_session_with_only_sidechain_usage_has_no_context() {
    let mut l = Ledger::new();
    l.apply(appended(
        "/p/agent-1.jsonl",
        vec![rec("s", "m2", 2000, 90_000, 10, true)],
    ));
    let snap = l.snapshot("s", &WindowPolicy::default()).unwrap();
    assert!(snap.context.is_none());
    let json = serde_json::to_value(&snap).unwrap();
    assert!(json["context"].is_null());
}

#[test]
fn context_is_the_newest_record_by_timestamp_not_by_arrival() {
    let mut l = Ledger::new();
    l.apply(appended(
        "/p/b.jsonl",
        vec![rec("s", "m2", 5000, 70_000, 10, false)],
    ));
    l.apply(appended(
        "/p/a.jsonl",
        vec![rec("s", "m1", 1000, 30_000, 10, false)],
    ));
    let c = l
        .snapshot("s", &WindowPolicy::default())
        .unwrap()
        .context
        .unwrap();
    assert_eq!(c.tokens, 70_000);
    assert_eq!(c.percent, 35.0);
    assert_eq!(c.output, 10);
}

#[test]
fn window_is_1m_once_any_main_chain_prompt_exceeded_200k() {
    let mut l = Ledger::new();
    l.apply(appended(
        "/p/a.jsonl",
        vec![
            rec("s", "m1", 1000, 250_000, 10, false),
            rec("s", "m2", 2000, 20_000, 10, false),
        ],
    ));
    let c = l
        .snapshot("s", &WindowPolicy::default())
        .unwrap()
        .context
        .unwrap();
    assert_eq!((c.tokens, c.window), (20_000, 1_000_000));
}

#[test]
fn compaction_boundaries_count_once_per_uuid_and_mark_the_context_compacted() {
    let mut l = Ledger::new();
    l.apply(appended(
        "/p/a.jsonl",
        vec![
            rec("s", "m1", 1000, 150_000, 10, false),
            boundary("s", 7, 2000),
        ],
    ));
    // A resumed session copies the boundary line into its own file.
    l.apply(appended("/p/b.jsonl", vec![boundary("s", 7, 2000)]));
    let snap = l.snapshot("s", &WindowPolicy::default()).unwrap();
    assert_eq!(snap.compactions, 1);
    assert!(snap.context.as_ref().unwrap().compacted);
    assert_eq!(snap.last_compaction.unwrap().pre_tokens, Some(150_000));
    l.apply(appended(
        "/p/a.jsonl",
        vec![rec("s", "m2", 3000, 30_000, 10, false)],
    ));
    let snap = l.snapshot("s", &WindowPolicy::default()).unwrap();
    assert!(!snap.context.unwrap().compacted);
    assert_eq!(snap.cycle_start, Some(2000));
}

#[test]
fn a_reset_file_is_withdrawn_before_it_is_reread() {
    let mut l = Ledger::new();
    let facts = vec![
        rec("s", "m1", 1000, 5000, 10, false),
        boundary("s", 1, 1500),
    ];
    l.apply(appended("/p/a.jsonl", facts.clone()));
    let before = state(&l);
    l.apply(update("/p/a.jsonl", FileChange::Reset, facts));
    assert_eq!(state(&l), before);
    l.apply(update(
        "/p/a.jsonl",
        FileChange::Reset,
        vec![rec("s", "m9", 900, 100, 1, false)],
    ));
    assert_eq!(l.records(), 1);
    assert_eq!(l.totals().output, 1);
    assert_eq!(l.session("s").unwrap().boundaries.len(), 0);
}

#[test]
fn a_deleted_file_hands_its_responses_to_surviving_copies() {
    let mut l = Ledger::new();
    l.apply(appended(
        "/p/a.jsonl",
        vec![rec("s", "m1", 1000, 5000, 10, false)],
    ));
    l.apply(appended(
        "/p/b.jsonl",
        vec![rec("s", "m1", 1000, 5000, 300, false)],
    ));
    assert_eq!(l.totals().output, 300);
    l.apply(update("/p/b.jsonl", FileChange::Gone, vec![]));
    assert_eq!(l.totals().output, 10);
    assert_eq!(l.records(), 1);
    assert_eq!(l.files(), 1);
    l.apply(update("/p/a.jsonl", FileChange::Gone, vec![]));
    assert_eq!(l.records(), 0);
    assert!(
        l.session("s").is_none(),
        "a session with nothing left disappears"
    );
    assert!(l.daily_utc().is_empty());
}

#[test]
fn the_ledger_does_not_depend_on_update_order() {
    let updates = [
        appended(
            "/p/a.jsonl",
            vec![
                rec("s", "m1", 1000, 5000, 10, false),
                rec("s", "m2", 86_400_000 + 5, 9000, 20, false),
                boundary("s", 3, 2000),
            ],
        ),
        appended(
            "/p/b.jsonl",
            vec![
                rec("s", "m1", 1000, 5000, 10, true),
                rec("t", "m3", 3000, 7000, 30, false),
                Parsed::Skipped(SkipReason::Malformed),
            ],
        ),
        appended(
            "/p/s/subagents/agent-1.jsonl",
            vec![rec("s", "m4", 1500, 2000, 5, true)],
        ),
        appended(
            "/p/c.jsonl",
            vec![
                rec("t", "m3", 3000, 7000, 45, false),
                boundary("s", 3, 2000),
            ],
        ),
    ];
    let run = |order: Vec<usize>| {
        let mut l = Ledger::new();
        for i in order {
            l.apply(updates[i].clone());
        }
        state(&l)
    };
    let forward = run(vec![0, 1, 2, 3]);
    assert_eq!(run(vec![3, 2, 1, 0]), forward);
    assert_eq!(run(vec![2, 0, 3, 1]), forward);
    assert_eq!(run(vec![1, 3, 0, 2]), forward);
}

#[test]
fn daily_sums_are_by_utc_day() {
    let mut l = Ledger::new();
    let day = 86_400_000;
    l.apply(appended(
        "/p/a.jsonl",
        vec![
            rec("s", "m1", day - 1, 100, 1, false),
            rec("s", "m2", day, 200, 2, false),
        ],
    ));
    let days: Vec<_> = l
        .daily_utc()
        .iter()
        .map(|(d, s)| (d.to_string(), s.tokens.output))
        .collect();
    assert_eq!(
        days,
        vec![("1970-01-01".into(), 1), ("1970-01-02".into(), 2)]
    );
}

#[test]
fn project_is_the_sessions_cwd_else_the_encoded_directory() {
    let mut l = Ledger::new();
    l.apply(appended(
        "/p/a.jsonl",
        vec![rec("s", "m1", 1000, 100, 1, false)],
    ));
    assert_eq!(l.project("s"), "/src/s");
    let mut r = rec("u", "m2", 1000, 100, 1, false);
    if let Parsed::Usage(u) = &mut r {
        u.cwd = None;
    }
    l.apply(appended("/p/b.jsonl", vec![r]));
    assert_eq!(l.project("u"), "-src-x");
}

#[test]
fn an_entry_makes_a_session_appear_before_its_first_response() {
    let mut l = Ledger::new();
    let touched = l.apply(appended(
        "/p/a.jsonl",
        vec![Parsed::Entry {
            session_id: "new".into(),
            cwd: Some("/w".into()),
            timestamp: Some(42),
        }],
    ));
    assert!(touched.contains("new"));
    let snap = l.snapshot("new", &WindowPolicy::default()).unwrap();
    assert_eq!(
        (snap.project.as_str(), snap.records, snap.last_activity),
        ("/w", 0, Some(42))
    );
    assert!(snap.context.is_none());
}

#[test]
fn skipped_lines_are_counted_per_file_and_withdrawn_with_it() {
    let mut l = Ledger::new();
    l.apply(appended(
        "/p/a.jsonl",
        vec![Parsed::Skipped(SkipReason::InvalidUtf8)],
    ));
    l.apply(appended(
        "/p/b.jsonl",
        vec![Parsed::Skipped(SkipReason::Malformed)],
    ));
    assert_eq!(l.skipped().lost(), 2);
    l.apply(update("/p/a.jsonl", FileChange::Gone, vec![]));
    assert_eq!(l.skipped().get(SkipReason::InvalidUtf8), 0);
    assert_eq!(l.skipped().get(SkipReason::Malformed), 1);
}

#[test]
fn a_read_error_keeps_what_the_file_gave_and_counts_it_once_until_it_reads() {
    let mut l = Ledger::new();
    l.apply(appended(
        "/p/a.jsonl",
        vec![rec("s", "m1", 10, 1_000, 5, false)],
    ));
    let before = l.totals();
    // Three failed reads in a row (no descriptors, say): nothing is
    // withdrawn, and the file counts once as unreadable.
    for _ in 0..3 {
        l.apply(update("/p/a.jsonl", FileChange::Unreadable, vec![]));
    }
    assert_eq!(l.totals(), before);
    assert_eq!(l.records(), 1);
    assert_eq!(l.files(), 1);
    assert_eq!(l.skipped().get(SkipReason::UnreadableFile), 1);
    // What a failed read got through before its error still counts.
    l.apply(update(
        "/p/a.jsonl",
        FileChange::Unreadable,
        vec![rec("s", "m2", 20, 2_000, 5, false)],
    ));
    assert_eq!(l.records(), 2);
    // Readable again: the count goes away.
    l.apply(appended("/p/a.jsonl", vec![]));
    assert_eq!(l.skipped().get(SkipReason::UnreadableFile), 0);
    assert_eq!(l.records(), 2);
    // The index keeps the data of a file that failed its last read, but
    // not the failure.
    l.apply(update("/p/a.jsonl", FileChange::Unreadable, vec![]));
    let facts = l.export_file(Path::new("/p/a.jsonl")).unwrap();
    assert_eq!(facts.usage.len(), 2);
    assert_eq!(facts.skipped[SkipReason::UnreadableFile as usize], 0);
}

#[test]
fn titles_follow_precedence_and_leave_with_their_file() {
    use crate::parse::TitleKind;
    let title = |kind, text: &str| Parsed::Title {
        session_id: "s1".into(),
        kind,
        text: text.into(),
    };
    // Appends come at growing offsets.
    let at = |from: u64, change, facts: Vec<Parsed>| {
        let mut u = update("/p/s1.jsonl", change, facts);
        for (offset, _) in &mut u.facts {
            *offset += from;
        }
        u
    };
    let mut ledger = Ledger::new();
    ledger.apply(at(
        0,
        FileChange::Appended,
        vec![title(TitleKind::Prompt, "first")],
    ));
    assert_eq!(ledger.title("s1").as_deref(), Some("first"));
    // A later prompt does not replace the first; a summary beats a prompt,
    // the newest summary the older; an AI title beats a summary.
    ledger.apply(at(
        1000,
        FileChange::Appended,
        vec![
            title(TitleKind::Prompt, "second"),
            title(TitleKind::Summary, "old summary"),
            title(TitleKind::Summary, "new summary"),
        ],
    ));
    assert_eq!(ledger.title("s1").as_deref(), Some("new summary"));
    ledger.apply(at(
        2000,
        FileChange::Appended,
        vec![title(TitleKind::Ai, "ai")],
    ));
    assert_eq!(ledger.title("s1").as_deref(), Some("ai"));
    ledger.apply(at(
        3000,
        FileChange::Appended,
        vec![title(TitleKind::Custom, "mine")],
    ));
    assert_eq!(ledger.title("s1").as_deref(), Some("mine"));
    assert_eq!(
        ledger
            .snapshot("s1", &WindowPolicy::default())
            .and_then(|s| s.title),
        Some("mine".into())
    );
    // A file read again from scratch gives its titles anew.
    ledger.apply(at(
        0,
        FileChange::Reset,
        vec![title(TitleKind::Summary, "only")],
    ));
    assert_eq!(ledger.title("s1").as_deref(), Some("only"));
    assert_eq!(ledger.title("nobody"), None);
}
