//! One test per parsing rule of the spec (§2–3), named after the rule.

use super::*;

fn file() -> FileContext {
    FileContext {
        fallback_session: "file-stem".into(),
        subagent: false,
    }
}

fn usage(line: &str) -> UsageRecord {
    match parse_line(line.as_bytes(), &file(), Want::Accounting) {
        Parsed::Usage(u) => u,
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
        assert_eq!(
            parse_line(line.as_bytes(), &file(), Want::Accounting),
            Parsed::Ignored
        );
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
    match parse_line(ASSISTANT.as_bytes(), &sub, Want::Accounting) {
        Parsed::Usage(u) => assert!(u.sidechain),
        other => panic!("{other:?}"),
    }
}

#[test]
fn compact_boundary_is_a_compaction_mark() {
    let line = r#"{"parentUuid":null,"logicalParentUuid":"a","isSidechain":false,"cwd":"/w","sessionId":"s1","type":"system","subtype":"compact_boundary","content":"Conversation compacted","timestamp":"2026-10-15T08:56:14.000Z","uuid":"b73a","level":"info","compactMetadata":{"trigger":"auto","preTokens":156705}}"#;
    match parse_line(line.as_bytes(), &file(), Want::Accounting) {
        Parsed::Compaction(c) => {
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
            parse_line(line, &file(), Want::Accounting),
            Parsed::Skipped(reason),
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
        parse_line(&line, &file(), Want::Accounting),
        Parsed::Skipped(SkipReason::InvalidUtf8)
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
            parse_line(line.as_bytes(), &file(), Want::Accounting),
            Parsed::Ignored,
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
            parse_line(line.as_bytes(), &file(), Want::Accounting),
            Parsed::Skipped(SkipReason::InvalidUsage),
            "{bad}"
        );
    }
    let line = ASSISTANT.replace(r#""message":{"model""#, r#""message":"oops","m":{"model""#);
    assert_eq!(
        parse_line(line.as_bytes(), &file(), Want::Accounting),
        Parsed::Skipped(SkipReason::InvalidUsage)
    );
}

#[test]
fn usage_without_a_readable_timestamp_is_skipped() {
    let line = ASSISTANT.replace("2026-10-15T07:52:27.000Z", "last tuesday");
    assert_eq!(
        parse_line(line.as_bytes(), &file(), Want::Accounting),
        Parsed::Skipped(SkipReason::BadTimestamp)
    );
}

#[test]
fn entries_name_their_session_only_when_asked() {
    let line = br#"{"type":"user","sessionId":"s9","cwd":"/p","timestamp":"2026-01-01T00:00:00Z","message":{"role":"user","content":"x"}}"#;
    assert_eq!(parse_line(line, &file(), Want::Accounting), Parsed::Ignored);
    assert_eq!(
        parse_line(line, &file(), Want::Entries),
        Parsed::Entry {
            session_id: "s9".into(),
            cwd: Some("/p".into()),
            timestamp: parse_timestamp("2026-01-01T00:00:00Z"),
        }
    );
}

#[test]
fn pre_filter_never_rejects_a_line_with_usage_or_a_boundary() {
    assert!(may_account(ASSISTANT.as_bytes()));
    assert!(may_account(br#"{"subtype": "compact_boundary"}"#));
    assert!(!may_account(
        br#"{"type":"user","message":{"content":"say \"usage\" please"}}"#
    ));
}
