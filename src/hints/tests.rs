//! The hints folder: atomic writes, pruning, and what reading ignores.

use super::*;
use crate::statusline::input::Input;

fn hint(id: &str, time: Millis) -> Hint {
    let input = Input {
        session_id: Some(id.into()),
        model_id: Some("claude-opus-4-8[1m]".into()),
        ..Input::default()
    };
    Hint::of(&input, time).unwrap()
}

fn now() -> Millis {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_millis() as Millis
}

#[test]
fn a_written_hint_reads_back_and_a_rewrite_replaces_it() {
    let dir = tempfile::tempdir().unwrap();
    let t = now();
    write(dir.path(), &hint("s1", t - 10)).unwrap();
    let mut newer = hint("s1", t);
    newer.used_percentage = Some(12.0);
    write(dir.path(), &newer).unwrap();
    let book = HintBook::load(dir.path(), t);
    assert_eq!(book.hints.len(), 1);
    assert_eq!(book.get("s1").unwrap().time, t);
    // Nothing but the hint is left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("s1.json")]);
}

#[test]
fn an_unchanged_hint_is_not_rewritten_until_it_ages() {
    let dir = tempfile::tempdir().unwrap();
    let t = now();
    write(dir.path(), &hint("s1", t)).unwrap();
    write(dir.path(), &hint("s1", t + 5_000)).unwrap();
    assert_eq!(HintBook::load(dir.path(), t).get("s1").unwrap().time, t);
    let mut changed = hint("s1", t + 6_000);
    changed.window = Some(200_000);
    write(dir.path(), &changed).unwrap();
    assert_eq!(
        HintBook::load(dir.path(), t).get("s1").unwrap().time,
        t + 6_000
    );
    write(dir.path(), &hint("s1", t + 70_000)).unwrap();
    write(dir.path(), &hint("s1", t + 200_000)).unwrap();
    assert_eq!(
        HintBook::load(dir.path(), t).get("s1").unwrap().time,
        t + 200_000
    );
}

#[test]
fn corrupt_foreign_renamed_and_old_hints_are_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let t = now();
    write(dir.path(), &hint("good", t)).unwrap();
    std::fs::write(dir.path().join("corrupt.json"), b"{\"format\":1,\"sess").unwrap();
    let mut other = hint("future", t);
    other.format = 99;
    std::fs::write(
        dir.path().join("future.json"),
        serde_json::to_vec(&other).unwrap(),
    )
    .unwrap();
    // A file whose name is not its session's.
    std::fs::write(
        dir.path().join("renamed.json"),
        serde_json::to_vec(&hint("good", t)).unwrap(),
    )
    .unwrap();
    let old = hint("old", t - MAX_AGE_MS - 1);
    std::fs::write(
        dir.path().join("old.json"),
        serde_json::to_vec(&old).unwrap(),
    )
    .unwrap();
    let book = HintBook::load(dir.path(), t);
    let mut ids: Vec<_> = book.hints.keys().cloned().collect();
    ids.sort();
    assert_eq!(ids, vec!["good"]);
}

#[test]
fn a_new_session_prunes_hints_past_their_age() {
    let dir = tempfile::tempdir().unwrap();
    let t = now();
    write(dir.path(), &hint("old", t - MAX_AGE_MS - 60_000)).unwrap();
    write(dir.path(), &hint("recent", t - 60_000)).unwrap();
    std::fs::write(dir.path().join(".x.tmp1"), b"").unwrap();
    let age = |name: &str, ms: u64| {
        std::fs::File::options()
            .write(true)
            .open(dir.path().join(name))
            .unwrap()
            .set_modified(SystemTime::now() - std::time::Duration::from_millis(ms))
            .unwrap();
    };
    age("old.json", MAX_AGE_MS as u64 + 60_000);
    age(".x.tmp1", 120_000);
    // A rewrite of a known session does not sweep.
    write(dir.path(), &hint("recent", t)).unwrap();
    assert!(dir.path().join("old.json").exists());
    write(dir.path(), &hint("new", t)).unwrap();
    assert!(!dir.path().join("old.json").exists());
    assert!(!dir.path().join(".x.tmp1").exists());
    assert!(dir.path().join("new.json").exists());
    assert!(dir.path().join("recent.json").exists());
}

#[test]
fn the_watch_reads_again_only_after_a_change() {
    let dir = tempfile::tempdir().unwrap();
    let hints = dir.path().join("hints");
    let mut w = HintWatch::new(hints.clone());
    let t = now();
    assert_eq!(w.poll(t), None, "no folder yet: nothing to read");
    write(&hints, &hint("s1", t)).unwrap();
    assert_eq!(w.poll(t).unwrap().hints.len(), 1);
    assert_eq!(w.poll(t), None);
    // Let the folder's time move on coarse file systems.
    std::thread::sleep(std::time::Duration::from_millis(20));
    write(&hints, &hint("s2", t)).unwrap();
    assert_eq!(w.poll(t).unwrap().hints.len(), 2);
}
