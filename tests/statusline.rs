//! `ccwatch statusline` on fixed stdin samples from old and new Claude Code
//! versions, on garbage, and on a transcript that is not there. Whatever
//! the input, it prints one line and exits 0.

mod common;
use common::*;
use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};

/// Just after the sample data's last response (2026-11-15 18:51 UTC).
const NOW: &str = "2026-11-15T19:00:00Z";

fn sample(name: &str) -> Vec<u8> {
    let text = std::fs::read_to_string(fixtures().join("statusline").join(name)).unwrap();
    let data = fixtures().join("sample-logs");
    text.replace("__DATA__", data.to_str().unwrap())
        .into_bytes()
}

fn statusline(isolate: &Path, stdin: &[u8], extra: &[&str]) -> Output {
    let mut child = ccwatch(isolate)
        .env("CCWATCH_NOW", NOW)
        .env("CCWATCH_CACHE_DIR", isolate.join("cache"))
        .args(["statusline", "--timezone", "UTC", "--dir"])
        .arg(fixtures().join("sample-logs"))
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn line(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    assert_eq!(text.lines().count(), 1, "{text:?}");
    text.trim_end().to_owned()
}

#[test]
fn an_old_version_without_context_window_reads_the_transcript() {
    let tmp = tempfile::tempdir().unwrap();
    let out = statusline(tmp.path(), &sample("old-version.json"), &[]);
    let l = line(&out);
    // The newest main-chain record of 323dbc2a: 115_532 of 200k.
    assert!(
        l.starts_with("Sonnet 4.5 │ ctx 115.5k/200k 58% │ $1.10 session"),
        "{l}"
    );
    // Today (the 15th, UTC) and the block from 18:00 are e74fe3cb's.
    assert!(l.contains("$0.50 today"), "{l}");
    assert!(l.contains("$0.50 block, 4h00m left"), "{l}");
    assert!(l.contains("tok/min"), "{l}");
    assert!(out.stderr.is_empty());
}

#[test]
fn a_new_version_gives_the_context_itself() {
    let tmp = tempfile::tempdir().unwrap();
    let l = line(&statusline(tmp.path(), &sample("new-version.json"), &[]));
    // current_usage: 4 + 1_000 + 121_996 = 123_000 of 200_000.
    assert!(
        l.starts_with("Haiku 4.5 │ ctx 123k/200k 62% │ $0.50 session"),
        "{l}"
    );
    // Before the session's first response: the transcript says the rest.
    let l = line(&statusline(
        tmp.path(),
        &sample("new-version-no-usage-yet.json"),
        &[],
    ));
    assert!(l.starts_with("Haiku 4.5 │ ctx 121.3k/200k 61%"), "{l}");
}

#[test]
fn without_a_session_cost_it_is_computed_from_the_logs() {
    let tmp = tempfile::tempdir().unwrap();
    let l = line(&statusline(tmp.path(), &sample("no-cost.json"), &[]));
    // 323dbc2a at the built-in prices: $1.0994.
    assert!(
        l.starts_with("sonnet-4-5 │ ctx 115.5k/200k 58% │ $1.10 session"),
        "{l}"
    );
}

#[test]
fn garbage_stdin_prints_the_fallback_line_and_exits_0() {
    let tmp = tempfile::tempdir().unwrap();
    for input in [sample("garbage.txt"), Vec::new(), b"[1,2,3]".to_vec()] {
        let out = statusline(tmp.path(), &input, &[]);
        assert_eq!(
            line(&out),
            "ccwatch: no status (see ccwatch statusline --debug)"
        );
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = statusline(tmp.path(), &sample("garbage.txt"), &["--debug"]);
    line(&out);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("stdin is not JSON"), "{err}");
}

#[test]
fn a_missing_transcript_loses_only_the_context() {
    let tmp = tempfile::tempdir().unwrap();
    let out = statusline(tmp.path(), &sample("missing-transcript.json"), &["--debug"]);
    let l = line(&out);
    assert!(
        l.starts_with("Opus 4.7 │ ctx ? │ $0.00 session │ $0.50 today"),
        "{l}"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot read the transcript"), "{err}");
}

#[test]
fn no_data_and_a_broken_config_still_give_a_line() {
    let tmp = tempfile::tempdir().unwrap();
    let bad_config = tmp.path().join("bad.toml");
    std::fs::write(&bad_config, "thresholds = \"loud\"").unwrap();
    let mut child = ccwatch(tmp.path())
        .env("CCWATCH_NOW", NOW)
        .env("CCWATCH_CACHE_DIR", tmp.path().join("cache"))
        .args(["statusline", "--config"])
        .arg(&bad_config)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&sample("new-version.json"))
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(line(&out), "Haiku 4.5 │ ctx 123k/200k 62% │ $0.50 session");
}

#[test]
fn the_second_call_reads_nothing_again() {
    let tmp = tempfile::tempdir().unwrap();
    let first = statusline(tmp.path(), &sample("old-version.json"), &["--debug"]);
    let err = String::from_utf8_lossy(&first.stderr);
    assert!(err.contains("10 files known"), "{err}");
    let second = statusline(tmp.path(), &sample("old-version.json"), &["--debug"]);
    let err = String::from_utf8_lossy(&second.stderr);
    assert!(err.contains("10 files known, 0 read"), "{err}");
    assert_eq!(line(&first), line(&second));
}
