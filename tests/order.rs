//! The answer does not depend on the order files are read in (spec §3):
//! forward, reversed, shuffled, sequential or parallel.

mod common;
use ccwatch::commands::status::StatusJson;
use ccwatch::ledger::WindowPolicy;
use ccwatch::source::discover::ProjectsDir;
use ccwatch::source::reader::DEFAULT_LINE_CAP;
use ccwatch::source::scan::{Transcript, list_all, scan};
use common::*;

fn answer(files: Vec<Transcript>, threads: usize) -> String {
    let s = scan(files, threads, DEFAULT_LINE_CAP);
    serde_json::to_string_pretty(&StatusJson::of(&s.ledger, &WindowPolicy::default())).unwrap()
}

fn shuffled(mut v: Vec<Transcript>, seed: u64) -> Vec<Transcript> {
    let mut rng = Rng(seed);
    for i in (1..v.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        v.swap(i, j);
    }
    v
}

fn check_all_orders(projects: ProjectsDir) {
    let (files, errors) = list_all(&[projects]);
    assert!(errors.is_empty());
    assert!(files.len() > 2);
    let forward = answer(files.clone(), 1);
    let mut reversed = files.clone();
    reversed.reverse();
    assert_eq!(answer(reversed, 1), forward, "reversed");
    for seed in [1, 7, 42, 1234] {
        assert_eq!(
            answer(shuffled(files.clone(), seed), 1),
            forward,
            "shuffled {seed}"
        );
    }
    for threads in [2, 4, 8] {
        assert_eq!(answer(files.clone(), threads), forward, "{threads} threads");
        assert_eq!(
            answer(shuffled(files.clone(), threads as u64), threads),
            forward
        );
    }
}

#[test]
fn sample_logs_give_one_answer_in_every_order() {
    check_all_orders(ProjectsDir(fixtures().join("sample-logs/projects")));
}

/// Copies of the same responses across files, with every tie the spec's
/// preference has to break: a streamed partial, a sidechain copy, a later
/// copy, a copy in a file with a larger path.
#[test]
fn cross_file_copies_and_ties_give_one_answer_in_every_order() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("projects");
    let a = Line::new("s1", "m1", "2026-11-20T10:00:00.000Z", 5000, 10);
    let a_full = Line::new("s1", "m1", "2026-11-20T10:00:00.000Z", 5000, 90);
    let mut a_side = Line::new("s1", "m1", "2026-11-20T10:00:00.000Z", 5000, 90);
    a_side.sidechain = true;
    let a_later = Line::new("s1", "m1", "2026-11-20T10:00:05.000Z", 5000, 90);
    let b = Line::new("s1", "m2", "2026-11-20T10:02:00.000Z", 8000, 40);
    let c = Line::new("s2", "m3", "2026-11-21T23:59:59.999Z", 3000, 5);
    write(
        &p.join("-w/s1.jsonl"),
        a.json() + &a_full.json() + &b.json(),
    );
    write(
        &p.join("-w/s2.jsonl"),
        a_side.json() + &c.json() + &boundary_line("s2", "b1", "2026-11-22T00:00:00.000Z", 3005),
    );
    write(
        &p.join("-w/s3.jsonl"),
        a_later.json() + &b.json() + &boundary_line("s2", "b1", "2026-11-22T00:00:00.000Z", 3005),
    );
    write(&p.join("-w/s1/subagents/agent-x.jsonl"), a_full.json());
    write(&p.join("-v/agent-y.jsonl"), c.json() + &a.json());
    check_all_orders(ProjectsDir(p.clone()));
    let st = status_json(tmp.path());
    assert_eq!(st["totals"]["records"], 3);
    assert_eq!(st["totals"]["output"], 90 + 40 + 5);
    let s2 = st["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["sessionId"] == "s2")
        .unwrap();
    assert_eq!(s2["compactions"], 1);
}
