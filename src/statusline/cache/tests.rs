//! The status-line cache: incremental reads, dedup, the horizon, sweeps,
//! and a cache file that cannot be trusted.

use super::*;
use crate::record::parse_timestamp;
use std::io::Write;

const NOW: &str = "2026-11-20T12:00:00Z";

fn now() -> Millis {
    parse_timestamp(NOW).unwrap()
}

fn line(msg: &str, ts: &str, output: u64, sidechain: bool) -> String {
    format!(
        r#"{{"type":"assistant","sessionId":"s1","cwd":"/w","isSidechain":{sidechain},"timestamp":"{ts}","requestId":"r-{msg}","message":{{"id":"{msg}","model":"claude-sonnet-4-5-20250929","usage":{{"input_tokens":10,"cache_read_input_tokens":1000,"output_tokens":{output}}}}}}}"#
    ) + "\n"
}

struct Fixture {
    dir: tempfile::TempDir,
    roots: Vec<ProjectsDir>,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let projects = dir.path().join("projects");
        std::fs::create_dir_all(projects.join("-w")).unwrap();
        Fixture {
            roots: vec![ProjectsDir(projects)],
            dir,
        }
    }

    fn file(&self, name: &str) -> PathBuf {
        self.roots[0].0.join("-w").join(name)
    }

    fn append(&self, name: &str, text: &str) {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.file(name))
            .unwrap();
        f.write_all(text.as_bytes()).unwrap();
    }

    fn cache_path(&self) -> PathBuf {
        self.dir.path().join("cache/statusline.bin")
    }
}

fn outputs(c: &Cache) -> Vec<u64> {
    c.recent().iter().map(|r| r.tokens[1]).collect()
}

#[test]
fn appended_lines_are_read_and_copies_count_once() {
    let fx = Fixture::new();
    fx.append("s1.jsonl", &line("m1", "2026-11-20T10:00:00Z", 5, false));
    fx.append("s1.jsonl", &line("m1", "2026-11-20T10:00:00Z", 50, false));
    let mut c = Cache::load(None, &fx.roots, 1 << 20);
    assert_eq!(c.refresh(&fx.roots, 1 << 20, now(), &[]), 1);
    assert_eq!(outputs(&c), [50]);
    // A resumed session copies the response into another file; a new one
    // is appended to the first.
    fx.append("s2.jsonl", &line("m1", "2026-11-20T10:00:00Z", 50, false));
    fx.append("s1.jsonl", &line("m2", "2026-11-20T11:00:00Z", 7, false));
    let later = now() + SWEEP_MS;
    assert_eq!(c.refresh(&fx.roots, 1 << 20, later, &[]), 2);
    assert_eq!(outputs(&c), [50, 7]);
    // Nothing new: nothing read.
    assert_eq!(c.refresh(&fx.roots, 1 << 20, later + SWEEP_MS, &[]), 0);
}

#[test]
fn between_sweeps_only_hot_files_are_checked() {
    let fx = Fixture::new();
    let mut c = Cache::load(None, &fx.roots, 1 << 20);
    c.refresh(&fx.roots, 1 << 20, now(), &[]);
    fx.append("new.jsonl", &line("m1", "2026-11-20T11:58:00Z", 5, false));
    assert_eq!(c.refresh(&fx.roots, 1 << 20, now() + 1000, &[]), 0);
    // ... unless it is the session's own transcript,
    let hot = [fx.file("new.jsonl")];
    assert_eq!(c.refresh(&fx.roots, 1 << 20, now() + 2000, &hot), 1);
    // and the next sweep finds everything.
    fx.append("other.jsonl", &line("m2", "2026-11-20T11:59:00Z", 6, false));
    c.refresh(&fx.roots, 1 << 20, now() + SWEEP_MS, &[]);
    assert_eq!(outputs(&c), [5, 6]);
}

#[test]
fn files_last_written_before_the_horizon_are_not_read() {
    let fx = Fixture::new();
    fx.append("old.jsonl", &line("m1", "2026-11-20T10:00:00Z", 5, false));
    let long_ago = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
    std::fs::File::options()
        .write(true)
        .open(fx.file("old.jsonl"))
        .unwrap()
        .set_modified(long_ago)
        .unwrap();
    let mut c = Cache::load(None, &fx.roots, 1 << 20);
    assert_eq!(c.refresh(&fx.roots, 1 << 20, now(), &[]), 0);
    assert!(c.recent().is_empty());
    // Appending later reads only the new bytes.
    fx.append("old.jsonl", &line("m2", "2026-11-20T11:00:00Z", 9, false));
    c.refresh(&fx.roots, 1 << 20, now() + SWEEP_MS, &[]);
    assert_eq!(outputs(&c), [9]);
}

#[test]
fn records_past_the_horizon_are_dropped() {
    let fx = Fixture::new();
    fx.append("s1.jsonl", &line("m1", "2026-11-16T10:00:00Z", 5, false));
    fx.append("s1.jsonl", &line("m2", "2026-11-19T10:00:00Z", 6, false));
    let mut c = Cache::load(None, &fx.roots, 1 << 20);
    c.refresh(&fx.roots, 1 << 20, now(), &[]);
    assert_eq!(outputs(&c), [6]);
    c.refresh(&fx.roots, 1 << 20, now() + HORIZON_MS, &[]);
    assert!(c.recent().is_empty());
}

#[test]
fn the_cache_survives_a_round_trip_and_a_corrupt_one_is_ignored() {
    let fx = Fixture::new();
    fx.append("s1.jsonl", &line("m1", "2026-11-20T10:00:00Z", 5, false));
    let path = fx.cache_path();
    let mut c = Cache::load(Some(&path), &fx.roots, 1 << 20);
    c.refresh(&fx.roots, 1 << 20, now(), &[]);
    c.save().unwrap();
    let mut back = Cache::load(Some(&path), &fx.roots, 1 << 20);
    assert_eq!(outputs(&back), [5]);
    assert_eq!(back.refresh(&fx.roots, 1 << 20, now() + 1, &[]), 0);
    // Other roots: not this cache.
    let other = vec![ProjectsDir(fx.dir.path().join("elsewhere"))];
    assert_eq!(Cache::load(Some(&path), &other, 1 << 20).files(), 0);
    std::fs::write(&path, b"\x01garbage").unwrap();
    let mut c = Cache::load(Some(&path), &fx.roots, 1 << 20);
    assert_eq!(c.files(), 0);
    c.refresh(&fx.roots, 1 << 20, now(), &[]);
    assert_eq!(outputs(&c), [5]);
}

#[test]
fn a_rewritten_file_is_read_again_from_the_start() {
    let fx = Fixture::new();
    fx.append("s1.jsonl", &line("m1", "2026-11-20T10:00:00Z", 5, false));
    let mut c = Cache::load(None, &fx.roots, 1 << 20);
    c.refresh(&fx.roots, 1 << 20, now(), &[]);
    std::fs::write(
        fx.file("s1.jsonl"),
        line("m9", "2026-11-20T10:30:00Z", 3, false),
    )
    .unwrap();
    c.refresh(&fx.roots, 1 << 20, now() + SWEEP_MS, &[]);
    assert_eq!(outputs(&c), [3]);
}

#[test]
fn quiet_files_live_in_their_own_table_that_only_sweeps_read() {
    let fx = Fixture::new();
    fx.append("old.jsonl", &line("m1", "2026-11-20T10:00:00Z", 5, false));
    let long_ago = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
    std::fs::File::options()
        .write(true)
        .open(fx.file("old.jsonl"))
        .unwrap()
        .set_modified(long_ago)
        .unwrap();
    fx.append("busy.jsonl", &line("m2", "2026-11-20T11:00:00Z", 6, false));
    let path = fx.cache_path();
    let mut c = Cache::load(Some(&path), &fx.roots, 1 << 20);
    c.refresh(&fx.roots, 1 << 20, now(), &[]);
    assert_eq!(c.files(), 2);
    c.save().unwrap();
    // Between sweeps only the busy file is loaded.
    let mut c = Cache::load(Some(&path), &fx.roots, 1 << 20);
    assert_eq!(c.files(), 1);
    assert_eq!(c.refresh(&fx.roots, 1 << 20, now() + 1, &[]), 0);
    // A sweep brings the quiet one back without reading it.
    assert_eq!(c.refresh(&fx.roots, 1 << 20, now() + SWEEP_MS, &[]), 0);
    assert_eq!(c.files(), 2);
    assert_eq!(outputs(&c), [6]);
}
