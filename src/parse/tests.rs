//! One test per parsing rule of the spec (§2–3), named after the rule.

use super::*;

fn file() -> FileContext {
    FileContext {
        fallback_session: "file-stem".into(),
        subagent: false,
    }
}

/// The one fact of a line that holds at most one.
fn one(line: &[u8], file: &FileContext, want: Want) -> Option<Parsed> {
    let facts = parse_line(line, file, want);
    assert!(facts.len() <= 1, "{facts:?}");
    facts.into_iter().next().map(|(at, p)| {
        assert_eq!(at, 0);
        p
    })
}

/// Every fact of a line, with its position.
fn all(line: &str) -> Vec<(u64, Parsed)> {
    parse_line(line.as_bytes(), &file(), Want::Accounting).into_vec()
}

fn usage(line: &str) -> UsageRecord {
    match one(line.as_bytes(), &file(), Want::Accounting) {
        Some(Parsed::Usage(u)) => u,
        other => panic!("expected usage, got {other:?}"),
    }
}

const ASSISTANT: &str = r#"{"parentUuid":"p","isSidechain":false,"cwd":"/home/dev/src/webapp","sessionId":"s1","type":"assistant","message":{"model":"claude-sonnet-4-5-20250929","id":"msg_1","type":"message","role":"assistant","content":[{"type":"text","text":"hi \"usage\" {"}],"usage":{"input_tokens":6,"cache_creation_input_tokens":2378,"cache_read_input_tokens":16627,"output_tokens":94}},"requestId":"req_1","uuid":"u1","timestamp":"2026-10-15T07:52:27.000Z"}"#;

#[test]
fn assistant_line_with_usage_is_a_record() {
    let u = usage(ASSISTANT);
    assert_eq!(
        u.tokens,
        Tokens {
            input: 6,
            output: 94,
            cache_creation: 2378,
            cache_read: 16627
        }
    );
    assert_eq!(u.model, "claude-sonnet-4-5-20250929");
    assert_eq!(u.session_id, "s1");
    assert_eq!(u.cwd.as_deref(), Some("/home/dev/src/webapp"));
    assert_eq!(u.key, Some(DedupKey::new("msg_1", Some("req_1"))));
    assert!(!u.sidechain);
    assert_eq!(
        u.timestamp,
        parse_timestamp("2026-10-15T07:52:27.000Z").unwrap()
    );
}

#[test]
fn spaced_json_counts_the_same_as_compact() {
    let v: serde_json::Value = serde_json::from_str(ASSISTANT).unwrap();
    let spaced = serde_json::to_string_pretty(&v).unwrap().replace('\n', " ");
    assert!(spaced.contains("\"type\": \"assistant\""));
    assert_eq!(usage(&spaced), usage(ASSISTANT));
}

#[test]
fn missing_cache_counts_are_zero() {
    let u = usage(
        r#"{"type":"assistant","sessionId":"s","timestamp":"2026-01-01T00:00:00Z","message":{"id":"m","model":"x","usage":{"input_tokens":3,"output_tokens":4}}}"#,
    );
    assert_eq!(u.tokens.cache_creation, 0);
    assert_eq!(u.tokens.cache_read, 0);
    assert_eq!(u.tokens.total(), 7);
}

#[test]
fn cache_creation_split_is_used_when_the_total_is_zero() {
    let u = usage(
        r#"{"type":"assistant","sessionId":"s","timestamp":"2026-01-01T00:00:00Z","message":{"id":"m","model":"x","usage":{"input_tokens":1,"output_tokens":1,"cache_creation_input_tokens":0,"cache_creation":{"ephemeral_5m_input_tokens":100,"ephemeral_1h_input_tokens":20}}}}"#,
    );
    assert_eq!(u.tokens.cache_creation, 120);
    // When the total is filled in, it wins over the split.
    let u = usage(
        r#"{"type":"assistant","sessionId":"s","timestamp":"2026-01-01T00:00:00Z","message":{"id":"m","model":"x","usage":{"input_tokens":1,"output_tokens":1,"cache_creation_input_tokens":50,"cache_creation":{"ephemeral_5m_input_tokens":100,"ephemeral_1h_input_tokens":20}}}}"#,
    );
    assert_eq!(u.tokens.cache_creation, 50);
}

#[test]
fn synthetic_and_api_error_records_are_ignored() {
    let synthetic = r#"{"type":"assistant","sessionId":"s","timestamp":"2026-01-01T00:00:00Z","message":{"id":"m","model":"<synthetic>","usage":{"input_tokens":0,"output_tokens":0}}}"#;
    let api_error = r#"{"type":"assistant","isApiErrorMessage":true,"sessionId":"s","timestamp":"2026-01-01T00:00:00Z","message":{"id":"m","model":"claude-x","usage":{"input_tokens":0,"output_tokens":0}}}"#;
    for line in [synthetic, api_error] {
        assert_eq!(one(line.as_bytes(), &file(), Want::Accounting), None);
    }
}

#[test]
fn dedup_key_is_message_id_plus_request_id_or_message_id_alone() {
    let with = usage(ASSISTANT);
    let without = usage(&ASSISTANT.replace(r#""requestId":"req_1","#, ""));
    assert_eq!(without.key, Some(DedupKey::new("msg_1", None)));
    assert_ne!(with.key, without.key);
    let no_id = usage(&ASSISTANT.replace(r#""id":"msg_1","#, ""));
    assert_eq!(no_id.key, None);
}

#[test]
fn session_falls_back_to_the_file_stem() {
    let u = usage(&ASSISTANT.replace(r#""sessionId":"s1","#, ""));
    assert_eq!(u.session_id, "file-stem");
}

#[test]
fn sidechain_lines_and_subagent_files_are_sidechain() {
    assert!(usage(&ASSISTANT.replace(r#""isSidechain":false"#, r#""isSidechain":true"#)).sidechain);
    let sub = FileContext {
        fallback_session: "x".into(),
        subagent: true,
    };
    match one(ASSISTANT.as_bytes(), &sub, Want::Accounting) {
        Some(Parsed::Usage(u)) => assert!(u.sidechain),
        other => panic!("{other:?}"),
    }
}

#[test]
fn compact_boundary_is_a_compaction_mark() {
    let line = r#"{"parentUuid":null,"logicalParentUuid":"a","isSidechain":false,"cwd":"/w","sessionId":"s1","type":"system","subtype":"compact_boundary","content":"Conversation compacted","timestamp":"2026-10-15T08:56:14.000Z","uuid":"b73a","level":"info","compactMetadata":{"trigger":"auto","preTokens":156705}}"#;
    match one(line.as_bytes(), &file(), Want::Accounting) {
        Some(Parsed::Compaction(c)) => {
            assert_eq!(c.session_id, "s1");
            assert_eq!(c.pre_tokens, Some(156705));
            assert_eq!(c.trigger.as_deref(), Some("auto"));
            assert_eq!(c.uuid, Some(xxhash_rust::xxh3::xxh3_128(b"b73a")));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn bad_lines_are_skipped_by_reason() {
    let cases: [(&[u8], SkipReason); 6] = [
        (b"", SkipReason::Blank),
        (b"   \t", SkipReason::Blank),
        (&ASSISTANT.as_bytes()[..200], SkipReason::Malformed),
        (
            b"{\"type\":\"user\",\"text\":\"\xff\xfe\"}",
            SkipReason::InvalidUtf8,
        ),
        (b"[1,2,3]", SkipReason::Malformed),
        (b"{\"type\":\"user\"", SkipReason::Malformed),
    ];
    for (line, reason) in cases {
        assert_eq!(
            one(line, &file(), Want::Accounting),
            Some(Parsed::Skipped(reason)),
            "{}",
            String::from_utf8_lossy(line)
        );
    }
}

#[test]
fn invalid_utf8_in_a_usage_line_is_counted() {
    let mut line = ASSISTANT.as_bytes().to_vec();
    let at = line.windows(2).position(|w| w == b"hi").unwrap();
    line[at] = 0xc3; // a lead byte with no continuation
    assert_eq!(
        one(&line, &file(), Want::Accounting),
        Some(Parsed::Skipped(SkipReason::InvalidUtf8))
    );
}

#[test]
fn unknown_types_and_missing_fields_are_not_errors() {
    for line in [
        r#"{"type":"queue-operation","operation":"enqueue"}"#,
        r#"{"type":"some-future-type","usage":{"input_tokens":5}}"#,
        r#"{"no_type":true}"#,
        r#"{"type":"assistant","message":{"id":"m","content":[]}}"#,
    ] {
        assert_eq!(
            one(line.as_bytes(), &file(), Want::Accounting),
            None,
            "{line}"
        );
    }
}

#[test]
fn wrong_typed_optional_fields_read_as_absent() {
    let u = usage(&ASSISTANT.replace(r#""isSidechain":false"#, r#""isSidechain":"no""#));
    assert!(!u.sidechain);
    let u = usage(&ASSISTANT.replace(r#""cwd":"/home/dev/src/webapp""#, r#""cwd":42"#));
    assert_eq!(u.cwd, None);
    let u = usage(&ASSISTANT.replace(r#""requestId":"req_1""#, r#""requestId":["x"]"#));
    assert_eq!(u.key, Some(DedupKey::new("msg_1", None)));
}

#[test]
fn wrong_typed_token_counts_skip_the_line_instead_of_guessing() {
    for bad in [
        r#""output_tokens":"94""#,
        r#""output_tokens":-94"#,
        r#""output_tokens":{}"#,
    ] {
        let line = ASSISTANT.replace(r#""output_tokens":94"#, bad);
        assert_eq!(
            one(line.as_bytes(), &file(), Want::Accounting),
            Some(Parsed::Skipped(SkipReason::InvalidUsage)),
            "{bad}"
        );
    }
    let line = ASSISTANT.replace(r#""message":{"model""#, r#""message":"oops","m":{"model""#);
    assert_eq!(
        one(line.as_bytes(), &file(), Want::Accounting),
        Some(Parsed::Skipped(SkipReason::InvalidUsage))
    );
}

#[test]
fn usage_without_a_readable_timestamp_is_skipped() {
    let line = ASSISTANT.replace("2026-10-15T07:52:27.000Z", "last tuesday");
    assert_eq!(
        one(line.as_bytes(), &file(), Want::Accounting),
        Some(Parsed::Skipped(SkipReason::BadTimestamp))
    );
}

#[test]
fn entries_name_their_session_only_when_asked() {
    let line = br#"{"type":"user","sessionId":"s9","cwd":"/p","timestamp":"2026-01-01T00:00:00Z","message":{"role":"user","content":"x"}}"#;
    assert_eq!(one(line, &file(), Want::Accounting), None);
    assert_eq!(
        one(line, &file(), Want::Entries),
        Some(Parsed::Entry {
            session_id: "s9".into(),
            cwd: Some("/p".into()),
            timestamp: parse_timestamp("2026-01-01T00:00:00Z"),
        })
    );
}

#[test]
fn pre_filter_never_rejects_a_line_with_usage_or_a_boundary() {
    assert!(may_account(ASSISTANT.as_bytes()));
    assert!(may_account(br#"{"subtype": "compact_boundary"}"#));
    assert!(!may_account(
        br#"{"type":"user","message":{"content":"say \"usage\" please"}}"#
    ));
    // A key written with escaped letters is the same key to a JSON reader.
    let escaped = ASSISTANT.replace("\"usage\":{", "\"\\u0075s\\u0061ge\":{");
    assert!(escaped.contains(r#""\u0075s\u0061ge""#), "{escaped}");
    assert!(may_account(escaped.as_bytes()));
    assert_eq!(usage(&escaped).tokens, usage(ASSISTANT).tokens);
    assert!(may_account(br#"{"subtype":"\u0063ompact_boundary"}"#));
    // Terminal colours in tool output are escapes too, but not letters.
    assert!(!may_account(
        br#"{"type":"user","message":{"content":"\u001b[31mFAILED\u001b[0m"}}"#
    ));
}

// Spec version 2.

const PROGRESS: &str = r#"{"parentUuid":"p","isSidechain":false,"cwd":"/w","sessionId":"parent","type":"progress","data":{"message":{"type":"assistant","timestamp":"2026-10-14T09:50:22.886Z","message":{"model":"claude-sonnet-4-5-20250929","id":"msg_sub","type":"message","role":"assistant","content":[],"usage":{"input_tokens":8,"cache_creation_input_tokens":2426,"cache_read_input_tokens":10887,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":2426},"output_tokens":342}},"requestId":"req_sub","uuid":"x"},"type":"agent_progress","agentId":"a37a9c9"},"uuid":"y","timestamp":"2026-10-14T09:50:23.889Z"}"#;

#[test]
fn a_subagent_response_copied_into_a_progress_line_is_a_sidechain_record() {
    let u = usage(PROGRESS);
    assert_eq!(u.session_id, "parent");
    assert!(u.sidechain, "a progress copy never counts toward context");
    assert_eq!(u.key, Some(DedupKey::new("msg_sub", Some("req_sub"))));
    assert_eq!(u.model, "claude-sonnet-4-5-20250929");
    // The copy's own timestamp, not the progress line's.
    assert_eq!(
        u.timestamp,
        parse_timestamp("2026-10-14T09:50:22.886Z").unwrap()
    );
    assert_eq!(u.tokens.prompt(), 8 + 2426 + 10887);
    assert_eq!(u.billing.cache_write_1h, 2426);
    assert_eq!(u.cwd.as_deref(), Some("/w"));
}

#[test]
fn a_progress_copy_without_its_own_timestamp_is_skipped() {
    let line = PROGRESS.replace(r#""timestamp":"2026-10-14T09:50:22.886Z","#, "");
    assert_eq!(one(line.as_bytes(), &file(), Want::Accounting), None);
    // Progress lines of other kinds (a tool's output) carry nothing.
    let other = r#"{"type":"progress","sessionId":"s","data":{"type":"bash_progress","output":"usage"},"timestamp":"2026-10-14T09:50:23.889Z"}"#;
    assert_eq!(one(other.as_bytes(), &file(), Want::Accounting), None);
}

const ADVISED: &str = r#"{"cwd":"/w","sessionId":"s1","message":{"model":"claude-opus-4.8","id":"msg_a","usage":{"input_tokens":1,"cache_creation_input_tokens":5960,"cache_read_input_tokens":143233,"output_tokens":375,"speed":"standard","iterations":[{"type":"message","input_tokens":1,"cache_creation_input_tokens":5960,"cache_read_input_tokens":143233,"output_tokens":375},{"type":"advisor_message","model":"claude-opus-4-8","input_tokens":11366,"cache_creation_input_tokens":140,"cache_read_input_tokens":36919,"output_tokens":433},{"type":"advisor_message","model":"claude-opus-4-8","input_tokens":44020,"cache_creation_input_tokens":729,"cache_read_input_tokens":12859,"output_tokens":428}]}},"requestId":"req_a","type":"assistant","uuid":"u","timestamp":"2026-10-14T09:14:21.000Z"}"#;

#[test]
fn advisor_steps_are_records_of_their_own_and_message_steps_are_not() {
    let facts = all(ADVISED);
    assert_eq!(facts.len(), 3, "{facts:?}");
    let records: Vec<(u64, UsageRecord)> = facts
        .into_iter()
        .map(|(at, p)| match p {
            Parsed::Usage(u) => (at, u),
            other => panic!("{other:?}"),
        })
        .collect();
    let (at, response) = &records[0];
    assert_eq!(*at, 0);
    assert!(!response.sidechain);
    assert_eq!(response.tokens.total(), 1 + 5960 + 143233 + 375);
    let base = DedupKey::new("msg_a", Some("req_a"));
    for (i, (at, step)) in records[1..].iter().enumerate() {
        // Step index in `iterations` (1 and 2), each one past the response.
        assert_eq!(step.key, Some(base.step(i + 1)));
        assert_eq!(*at, 1 + i as u64);
        assert!(
            step.sidechain,
            "an advisor never fills the session's window"
        );
        assert_eq!(step.model, "claude-opus-4-8");
        assert_eq!(step.timestamp, response.timestamp);
        assert_eq!(step.session_id, "s1");
    }
    assert_eq!(records[1].1.tokens.total(), 11366 + 140 + 36919 + 433);
    assert_eq!(records[2].1.tokens.total(), 44020 + 729 + 12859 + 428);
}

#[test]
fn a_bad_count_in_an_advisor_step_or_the_cache_split_skips_the_line() {
    let bad_step = ADVISED.replace(r#""output_tokens":433"#, r#""output_tokens":-4"#);
    assert_eq!(
        all(&bad_step),
        vec![(0, Parsed::Skipped(SkipReason::InvalidUsage))]
    );
    let bad_split = ASSISTANT.replace(
        r#""output_tokens":94"#,
        r#""output_tokens":94,"cache_creation":{"ephemeral_5m_input_tokens":"1","ephemeral_1h_input_tokens":0}"#,
    );
    assert_eq!(
        all(&bad_split),
        vec![(0, Parsed::Skipped(SkipReason::InvalidUsage))]
    );
}

#[test]
fn two_objects_on_one_line_are_both_read() {
    let second = ASSISTANT
        .replace("msg_1", "msg_2")
        .replace(r#""sessionId":"s1""#, r#""sessionId":"s2""#);
    let line = format!("{ASSISTANT}{second}");
    let facts = all(&line);
    assert_eq!(facts.len(), 2, "{facts:?}");
    assert_eq!(facts[0].0, 0);
    assert_eq!(facts[1].0, ASSISTANT.len() as u64);
    let sessions: Vec<&str> = facts
        .iter()
        .map(|(_, p)| match p {
            Parsed::Usage(u) => u.session_id.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(sessions, ["s1", "s2"]);
}

#[test]
fn a_broken_object_after_a_good_one_keeps_the_good_one_and_counts_the_line() {
    let line = format!("{ASSISTANT}{}", &ASSISTANT[..120]);
    let facts = all(&line);
    assert_eq!(facts.len(), 2, "{facts:?}");
    assert!(matches!(facts[0], (0, Parsed::Usage(_))));
    assert_eq!(
        facts[1],
        (
            ASSISTANT.len() as u64,
            Parsed::Skipped(SkipReason::Malformed)
        )
    );
}

#[test]
fn a_byte_order_mark_and_a_carriage_return_are_ignored() {
    let plain = usage(ASSISTANT);
    let mut bom = b"\xef\xbb\xbf".to_vec();
    bom.extend_from_slice(ASSISTANT.as_bytes());
    let facts = parse_line(&bom, &file(), Want::Accounting);
    assert_eq!(facts.len(), 1);
    assert_eq!(facts[0].1, Parsed::Usage(plain.clone()));
    let crlf = format!("{ASSISTANT}\r");
    assert_eq!(usage(&crlf), plain);
    // A BOM before a line that carries no usage is no error either (a
    // summary line: its title is read, nothing is skipped).
    let mut quiet = b"\xef\xbb\xbf".to_vec();
    quiet.extend_from_slice(br#"{"type":"summary","summary":"x"}"#);
    let facts = parse_line(&quiet, &file(), Want::Accounting);
    assert!(
        facts
            .iter()
            .all(|(_, f)| matches!(f, Parsed::Title { text, .. } if text == "x")),
        "{facts:?}"
    );
}

#[test]
fn token_counts_must_be_integers_below_2_pow_53() {
    for bad in [
        "null",
        "5.0",
        "1e3",
        "1e19",
        "1e+19",
        "9007199254740992",
        "18446744073709551616",
    ] {
        let line = ASSISTANT.replace(
            r#""output_tokens":94"#,
            &format!(r#""output_tokens":{bad}"#),
        );
        assert_eq!(
            one(line.as_bytes(), &file(), Want::Accounting),
            Some(Parsed::Skipped(SkipReason::InvalidUsage)),
            "{bad}"
        );
    }
    let line = ASSISTANT.replace(
        r#""output_tokens":94"#,
        r#""output_tokens":9007199254740991"#,
    );
    assert_eq!(usage(&line).tokens.output, 9007199254740991);
}

#[test]
fn billing_facts_are_read_from_usage() {
    let line = ASSISTANT.replace(
        r#""output_tokens":94"#,
        r#""output_tokens":94,"cache_creation":{"ephemeral_5m_input_tokens":378,"ephemeral_1h_input_tokens":2000},"speed":"fast","server_tool_use":{"web_search_requests":3,"web_fetch_requests":1}"#,
    );
    let u = usage(&line);
    assert_eq!(u.tokens.cache_creation, 2378);
    assert_eq!(
        u.billing,
        Billing {
            cache_write_1h: 2000,
            web_searches: 3,
            fast: true
        }
    );
    // A 1-hour part larger than the stated writes cannot be more than them.
    let over = ASSISTANT.replace(
        r#""output_tokens":94"#,
        r#""output_tokens":94,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":9999}"#,
    );
    assert_eq!(usage(&over).billing.cache_write_1h, 2378);
    assert!(usage(ASSISTANT).billing.is_plain());
}

#[test]
fn a_key_given_twice_takes_its_last_value_as_json_readers_do() {
    // At the top level, inside `message` and inside `usage`.
    let twice = ASSISTANT
        .replace(
            r#""sessionId":"s1""#,
            r#""sessionId":"old","sessionId":"s1""#,
        )
        .replace(
            r#""output_tokens":94"#,
            r#""output_tokens":1,"output_tokens":94"#,
        )
        .replace(r#""id":"msg_1""#, r#""id":"msg_0","id":"msg_1""#);
    assert_eq!(usage(&twice), usage(ASSISTANT));
    // Back to back with a second object, both still read, at their offsets.
    let pair = format!("{twice}{ASSISTANT}");
    let facts = all(&pair);
    assert_eq!(facts.len(), 2, "{facts:?}");
    assert_eq!(facts[1].0, twice.len() as u64);
    // A duplicate in a broken object is still malformed.
    let broken = &twice[..twice.len() - 1];
    assert!(matches!(
        all(broken)[..],
        [(_, Parsed::Skipped(SkipReason::Malformed))]
    ));
}

#[test]
fn title_lines_name_their_session_and_are_found_without_a_full_parse() {
    let title = |line: &str, f: &FileContext| match one(line.as_bytes(), f, Want::Accounting) {
        Some(Parsed::Title {
            session_id,
            kind,
            text,
        }) => Some((session_id, kind, text)),
        None => None,
        other => panic!("expected a title, got {other:?}"),
    };
    assert_eq!(
        title(
            r#"{"type":"custom-title","customTitle":"Mine","sessionId":"s1"}"#,
            &file()
        ),
        Some(("s1".into(), TitleKind::Custom, "Mine".into()))
    );
    assert_eq!(
        title(
            r#"{"type": "ai-title", "aiTitle": "Fix\n tests", "sessionId": "s1"}"#,
            &file()
        ),
        Some(("s1".into(), TitleKind::Ai, "Fix tests".into()))
    );
    // A summary names no session: it is the file's.
    assert_eq!(
        title(
            r#"{"type":"summary","summary":"Work on it","leafUuid":"u"}"#,
            &file()
        ),
        Some(("file-stem".into(), TitleKind::Summary, "Work on it".into()))
    );
    // Empty or non-string titles, and titles in a subagent's file, name nothing.
    assert_eq!(
        title(r#"{"type":"ai-title","aiTitle":"  "}"#, &file()),
        None
    );
    assert_eq!(title(r#"{"type":"ai-title","aiTitle":7}"#, &file()), None);
    let sub = FileContext {
        fallback_session: "s".into(),
        subagent: true,
    };
    assert_eq!(title(r#"{"type":"ai-title","aiTitle":"task"}"#, &sub), None);
}
