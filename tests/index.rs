//! The persistent index: a restart reads only what changed, gives the same
//! answer as a full read, and never trusts a stale or corrupt index.

mod common;
use common::*;
use serde_json::Value;
use std::path::Path;

fn status(root: &Path, cache: &Path, extra: &[&str]) -> (Value, String) {
    run_json(
        ccwatch(root)
            .env("CCWATCH_CACHE_DIR", cache)
            .args(["status", "--json", "--dir"])
            .arg(root)
            .args(extra),
    )
}

fn index_files(cache: &Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(cache)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default()
}

#[test]
fn a_restart_with_the_index_gives_the_same_answer_and_follows_changes() {
    let data = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let root = data.path();
    let a = root.join("projects/-w/a.jsonl");
    let b = root.join("projects/-w/b.jsonl");
    let c = root.join("projects/-w/c.jsonl");
    write(
        &a,
        Line::new("a", "m1", "2026-11-20T10:00:00.000Z", 5000, 10).json(),
    );
    write(
        &b,
        Line::new("b", "m2", "2026-11-20T10:00:00.000Z", 7000, 20).json(),
    );
    write(
        &c,
        Line::new("c", "m3", "2026-11-20T10:00:00.000Z", 9000, 30).json(),
    );
    let (first, _) = status(root, cache.path(), &[]);
    assert_eq!(index_files(cache.path()).len(), 1, "the index was written");
    let (second, err) = status(root, cache.path(), &[]);
    assert_eq!(second, first);
    assert!(err.is_empty(), "{err}");

    // Append to one file (partial line first), truncate another, replace a
    // third, add a fourth: each restart must equal a full read.
    let more = Line::new("a", "m4", "2026-11-20T10:05:00.000Z", 6000, 40).json();
    std::fs::OpenOptions::new()
        .append(true)
        .open(&a)
        .and_then(|mut f| std::io::Write::write_all(&mut f, &more.as_bytes()[..50]))
        .unwrap();
    let (partial, _) = status(root, cache.path(), &[]);
    assert_eq!(partial, status(root, cache.path(), &["--no-cache"]).0);
    std::fs::OpenOptions::new()
        .append(true)
        .open(&a)
        .and_then(|mut f| std::io::Write::write_all(&mut f, &more.as_bytes()[50..]))
        .unwrap();
    std::fs::write(&b, "").unwrap();
    let tmp = root.join("projects/-w/.c");
    write(
        &tmp,
        Line::new("c", "m9", "2026-11-21T10:00:00.000Z", 1000, 1).json(),
    );
    std::fs::rename(&tmp, &c).unwrap();
    write(
        &root.join("projects/-x/d.jsonl"),
        Line::new("d", "m5", "2026-11-22T10:00:00.000Z", 3000, 5).json(),
    );
    let (after, _) = status(root, cache.path(), &[]);
    let (full, _) = status(root, cache.path(), &["--no-cache"]);
    assert_eq!(after, full);
    assert_eq!(after["totals"]["records"], 4);
    assert_eq!(after["totals"]["output"], 10 + 40 + 1 + 5);

    // A deleted file disappears from a restart too.
    std::fs::remove_file(&a).unwrap();
    let (gone, _) = status(root, cache.path(), &[]);
    assert_eq!(gone, status(root, cache.path(), &["--no-cache"]).0);
    assert_eq!(gone["totals"]["records"], 2);
}

#[test]
fn a_corrupt_index_is_ignored_with_one_line_and_rebuilt() {
    let data = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let root = data.path();
    write(
        &root.join("projects/-w/a.jsonl"),
        Line::new("a", "m1", "2026-11-20T10:00:00.000Z", 5000, 10).json(),
    );
    let (first, _) = status(root, cache.path(), &[]);
    let index = index_files(cache.path()).pop().unwrap();
    let mut bytes = std::fs::read(&index).unwrap();
    let n = bytes.len();
    bytes.truncate(n / 2);
    bytes.extend_from_slice(&[0xff; 7]);
    std::fs::write(&index, &bytes).unwrap();
    let (second, err) = status(root, cache.path(), &[]);
    assert_eq!(second, first);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("ignored the index") && err.contains("corrupt"),
        "{err}"
    );
    // It was rebuilt: the next run is quiet.
    let (third, err) = status(root, cache.path(), &[]);
    assert_eq!(third, first);
    assert!(err.is_empty(), "{err}");
    // Something that is not an index at all.
    std::fs::write(&index, "hello").unwrap();
    let (_, err) = status(root, cache.path(), &[]);
    assert!(err.contains("not a ccwatch index"), "{err}");
}

#[test]
fn no_cache_neither_reads_nor_writes_the_index() {
    let data = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let root = data.path();
    write(
        &root.join("projects/-w/a.jsonl"),
        Line::new("a", "m1", "2026-11-20T10:00:00.000Z", 5000, 10).json(),
    );
    status(root, cache.path(), &["--no-cache"]);
    assert!(index_files(cache.path()).is_empty());
}
