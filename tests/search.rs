//! `ccwatch search` and `ccwatch resume` on `fixtures/search/` (its
//! README lists what each session holds; the answers below follow from it).

mod common;

use common::{ccwatch, fixtures};
use std::process::Output;

const S1: &str = "aaaa1111-0000-4000-8000-000000000001";
const S2: &str = "bbbb2222-0000-4000-8000-000000000002";
const S3: &str = "aaaa3333-0000-4000-8000-000000000003";

fn run(args: &[&str]) -> Output {
    let isolate = tempfile::tempdir().unwrap();
    ccwatch(isolate.path())
        .args(args)
        .arg("--dir")
        .arg(fixtures().join("search"))
        .env("TZ", "UTC")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The session ids a human search printed, in order.
fn ids(o: &Output) -> Vec<String> {
    stdout(o)
        .lines()
        .filter_map(|l| {
            l.trim()
                .strip_prefix("claude --resume ")
                .or_else(|| l.split("&& claude --resume ").nth(1))
        })
        .map(str::to_owned)
        .collect()
}

fn search(args: &[&str]) -> Output {
    let mut all = vec!["search", "--color", "never"];
    all.extend_from_slice(args);
    run(&all)
}

#[test]
fn a_phrase_finds_prompts_and_replies_newest_first_whatever_the_case() {
    for query in ["flaky test", "FLAKY TEST"] {
        let o = search(&[query]);
        assert!(o.status.success(), "{}", stderr(&o));
        // Not aaaa3333: there the phrase is only in a tool result.
        assert_eq!(ids(&o), [S2, S1], "{}", stdout(&o));
    }
    let text = stdout(&search(&["flaky test"]));
    assert!(text.starts_with("CI flakiness\n"), "{text}");
    assert!(
        text.contains("  you: fix the »Flaky Test« in CI\n"),
        "{text}"
    );
    let s1 = "Flaky login test\n  /home/dev/src/app · 2026-11-20 10:00 (";
    assert!(text.contains(s1), "{text}");
    assert!(text.contains(&format!("ago) · {S1}\n")), "{text}");
    assert!(
        text.contains("  claude: The »flaky test« races the session cleanup.\n"),
        "{text}"
    );
}

#[test]
fn the_resume_command_quotes_spaces_and_single_quotes() {
    let text = stdout(&search(&["injectable"]));
    let line = format!("  cd '/home/dev/my project/it'\\''s odd' && claude --resume {S2}\n");
    assert!(text.ends_with(&line), "{text}");
    let text = stdout(&search(&["races"]));
    assert!(
        text.ends_with(&format!(
            "  cd '/home/dev/src/app' && claude --resume {S1}\n"
        )),
        "{text}"
    );
}

#[test]
fn regex_and_tool_inputs_on_request() {
    let o = search(&["--regex", "migrat(e|ion) (bug|fails)"]);
    assert_eq!(ids(&o), [S3], "{}", stderr(&o));
    assert!(
        stdout(&o).contains("  you: »migration bug« in orders\n"),
        "{}",
        stdout(&o)
    );
    assert!(
        stdout(&o).contains("  claude: The »migration fails« because"),
        "{}",
        stdout(&o)
    );
    // A path only in an Edit call: found with --tools, labelled with the tool.
    let o = search(&["001_orders"]);
    assert_eq!(o.status.code(), Some(1));
    let o = search(&["--tools", "001_orders"]);
    assert_eq!(ids(&o), [S3]);
    assert!(
        stdout(&o).contains("  Edit: db/migrate/»001_orders«.sql\n"),
        "{}",
        stdout(&o)
    );
    // A Bash command, but never a tool's result.
    assert_eq!(
        ids(&search(&["--tools", "login_flaky ..."])),
        Vec::<String>::new()
    );
    assert_eq!(ids(&search(&["--tools", "cargo test login_flaky"])), [S1]);
}

#[test]
fn colour_highlights_instead_of_marks() {
    let o = run(&["search", "--color", "always", "injectable"]);
    let text = stdout(&o);
    assert!(text.contains("\x1b[1;31minjectable\x1b[0m"), "{text:?}");
    assert!(!text.contains('»'), "{text:?}");
}

#[test]
fn filters_limit_and_the_rest_counted() {
    assert_eq!(ids(&search(&["flaky", "--project", "app"])), [S1]);
    assert_eq!(
        ids(&search(&[
            "flaky",
            "--since",
            "2026-11-21",
            "--timezone",
            "UTC"
        ])),
        [S2]
    );
    assert_eq!(
        ids(&search(&[
            "flaky",
            "--until",
            "2026-11-20",
            "--timezone",
            "UTC"
        ])),
        [S1]
    );
    let o = search(&["flaky", "--limit", "1"]);
    assert_eq!(ids(&o), [S2]);
    assert!(
        stdout(&o).ends_with("\n1 more session matches; --limit shows them.\n"),
        "{}",
        stdout(&o)
    );
    let o = search(&["flaky", "--since", "2026-11-22", "--until", "2026-11-21"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("--since 2026-11-22 is after --until 2026-11-21"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn json_has_each_session_its_snippets_and_command() {
    let o = search(&["--json", "flaky test"]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let s = &v["sessions"];
    assert_eq!(s.as_array().unwrap().len(), 2);
    assert_eq!(s[0]["sessionId"], S2);
    assert_eq!(s[0]["title"], "CI flakiness");
    assert_eq!(s[0]["project"], "/home/dev/my project/it's odd");
    assert_eq!(s[0]["lastActivity"], "2026-11-22T09:00:05.000Z");
    assert_eq!(s[0]["matches"], 1);
    assert_eq!(
        s[0]["snippets"][0],
        serde_json::json!({"in": "prompt", "before": "fix the ", "match": "Flaky Test", "after": " in CI"})
    );
    assert_eq!(s[1]["snippets"][0]["in"], "reply");
    assert_eq!(
        s[1]["resume"],
        format!("cd '/home/dev/src/app' && claude --resume {S1}")
    );
    assert_eq!(v["more"], 0);
}

#[test]
fn no_match_is_exit_status_1_and_one_sentence() {
    let o = search(&["no such words anywhere"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "");
    assert_eq!(
        stderr(&o),
        "ccwatch: no session's prompts or replies contain \"no such words anywhere\".\n"
    );
    let o = search(&["--regex", "(broken"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
}

fn resume(args: &[&str]) -> Output {
    let mut all = vec!["resume"];
    all.extend_from_slice(args);
    run(&all)
}

#[test]
fn resume_prints_one_command_for_the_best_match() {
    let cmd = |id: &str, dir: &str| format!("cd '{dir}' && claude --resume {id}\n");
    let odd = r"/home/dev/my project/it'\''s odd";
    // Without a query: the newest session.
    assert_eq!(stdout(&resume(&[])), cmd(S2, odd));
    // Title words, the first prompt as title, content, an id's beginning.
    assert_eq!(stdout(&resume(&["flaky"])), cmd(S1, "/home/dev/src/app"));
    assert_eq!(
        stdout(&resume(&["migration"])),
        cmd(S3, "/home/dev/src/app")
    );
    assert_eq!(stdout(&resume(&["injectable"])), cmd(S2, odd));
    assert_eq!(stdout(&resume(&["aaaa3333"])), cmd(S3, "/home/dev/src/app"));
}

#[test]
fn resume_lists_equally_good_matches_and_says_so() {
    let o = resume(&["aaaa"]);
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(stdout(&o), "", "nothing for $(…) or eval to run");
    let err = stderr(&o);
    assert!(
        err.starts_with("ccwatch: 2 sessions match \"aaaa\" equally well"),
        "{err}"
    );
    assert!(err.contains(S1) && err.contains(S3), "{err}");
    let o = resume(&["nothing like this"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "");
}
