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

/// Every transcript under `root` (each `.jsonl` but workflows'
/// `journal.jsonl` sidecars, spec §1), sorted, with its size.
fn transcripts(root: &Path) -> Vec<(std::path::PathBuf, u64)> {
    let mut out = Vec::new();
    let mut dirs = vec![root.join("projects")];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "jsonl")
                && p.file_name().is_none_or(|n| n != "journal.jsonl")
            {
                out.push((p.clone(), std::fs::metadata(&p).unwrap().len()));
            }
        }
    }
    out.sort();
    out
}

/// The usage lines of a transcript with every `output_tokens` raised by
/// `more`: copies of the same responses that now win the dedup.
fn bigger_copies(path: &Path, more: u64) -> String {
    let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
    let needle = "\"output_tokens\":";
    let mut out = String::new();
    for line in text.lines().filter(|l| l.contains(needle)) {
        // Re-serialised lines have a space after the colon (spec §2).
        let mut at = line.find(needle).unwrap() + needle.len();
        at += line[at..].len() - line[at..].trim_start().len();
        let digits = line[at..].bytes().take_while(u8::is_ascii_digit).count();
        // A count that is not one (`-1`, `null`, spec §3) is left out.
        let Ok(n) = line[at..at + digits].parse::<u64>() else {
            continue;
        };
        out.push_str(&line[..at]);
        out.push_str(&(n + more).to_string());
        out.push_str(&line[at + digits..]);
        out.push('\n');
    }
    out
}

/// The stored ledger (not a replay of facts) is what a restart starts
/// from: with nothing changed it is used as is and not rewritten, and
/// after each kind of change the answer equals a full read, with the
/// dedup still global (a copy that wins in one file, then goes away, hands
/// the response back to the copy in another file).
#[test]
fn the_stored_ledger_follows_every_change_and_never_counts_twice() {
    let data = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let root = data.path();
    let spec = ccwatch_corpus::CorpusSpec {
        target_bytes: 3 << 20,
        sessions: 8,
        seed: 5,
        ..Default::default()
    };
    ccwatch_corpus::generate(root, &spec).unwrap();
    let check = |what: &str| {
        let (cached, err) = status(root, cache.path(), &[]);
        assert!(err.is_empty(), "{what}: {err}");
        let (full, _) = status(root, cache.path(), &["--no-cache"]);
        assert_eq!(cached, full, "{what}");
        cached
    };
    let first = check("first run");
    let index = index_files(cache.path()).pop().unwrap();
    let written = std::fs::metadata(&index).unwrap().modified().unwrap();
    let again = check("nothing changed");
    assert_eq!(again, first);
    assert_eq!(
        std::fs::metadata(&index).unwrap().modified().unwrap(),
        written,
        "an unchanged restart uses the index without rewriting it"
    );

    let files = transcripts(root);
    let (big, _) = files.iter().max_by_key(|(_, n)| *n).unwrap().clone();
    let small: Vec<_> = files.iter().filter(|(p, _)| *p != big).collect();
    // Appended: larger copies of another file's responses now win.
    let winner = small[0].0.clone();
    let append = bigger_copies(&big, 1000);
    assert!(!append.is_empty());
    std::fs::OpenOptions::new()
        .append(true)
        .open(&winner)
        .and_then(|mut f| std::io::Write::write_all(&mut f, append.as_bytes()))
        .unwrap();
    let appended = check("appended larger copies");
    assert!(appended["totals"]["output"].as_u64() > first["totals"]["output"].as_u64());
    // Deleted: the copies in the big file win again.
    std::fs::remove_file(&winner).unwrap();
    check("the winning file deleted");
    // Truncated, replaced (another inode), changed in place, and added.
    std::fs::write(&small[1].0, "").unwrap();
    check("truncated");
    let tmp = root.join("projects/replacement.tmp");
    std::fs::write(&tmp, bigger_copies(&big, 7)).unwrap();
    std::fs::rename(&tmp, &small[2].0).unwrap();
    check("replaced");
    let mut bytes = std::fs::read(&small[3].0).unwrap();
    let cut = bytes.len() / 2;
    bytes.truncate(cut);
    bytes.extend_from_slice(&bytes.clone()[..cut.min(300)]);
    std::fs::write(&small[3].0, &bytes).unwrap();
    check("rewritten in place");
    write(&root.join("projects/-new/n.jsonl"), bigger_copies(&big, 3));
    let last = check("a new file");
    // And the whole story again from a fresh index gives the same.
    std::fs::remove_file(&index).unwrap();
    assert_eq!(check("rebuilt"), last);
}

#[test]
fn a_foreign_or_damaged_index_is_ignored_with_one_line() {
    let data = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let root = data.path();
    write(
        &root.join("projects/-w/a.jsonl"),
        Line::new("a", "m1", "2026-11-20T10:00:00.000Z", 5000, 10).json(),
    );
    let (first, _) = status(root, cache.path(), &[]);
    let index = index_files(cache.path()).pop().unwrap();
    let good = std::fs::read(&index).unwrap();
    // One byte flipped in the stored ledger: the checksum catches it.
    let mut flipped = good.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 0x55;
    // Our magic, then something else entirely.
    let mut foreign = good[..8].to_vec();
    foreign.extend_from_slice(&[0xff; 64]);
    for (what, bytes) in [("flipped", flipped), ("foreign", foreign)] {
        std::fs::write(&index, &bytes).unwrap();
        let (again, err) = status(root, cache.path(), &[]);
        assert_eq!(again, first, "{what}");
        assert_eq!(err.lines().count(), 1, "{what}: {err}");
        assert!(err.contains("ignored the index"), "{what}: {err}");
        let (_, err) = status(root, cache.path(), &[]);
        assert!(err.is_empty(), "{what}: rebuilt, then quiet: {err}");
    }
}
