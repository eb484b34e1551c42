//! `ccwatch completions SHELL` and `ccwatch man`: generated from the CLI
//! definition, installable as the README says, needing no data directory.

mod common;
use common::*;
use std::process::Command;

fn stdout_of(args: &[&str]) -> String {
    let tmp = tempfile::tempdir().unwrap();
    // No data anywhere: these commands must not look for any.
    let out = ccwatch(tmp.path()).args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn every_shell_gets_a_script_that_knows_the_subcommands_and_flags() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = stdout_of(&["completions", shell]);
        for word in ["daily", "statusline", "line-cap", "start-of-week"] {
            assert!(script.contains(word), "{shell} script lacks {word}");
        }
    }
}

#[test]
fn the_bash_script_is_valid_bash_and_completes_subcommands() {
    let script = stdout_of(&["completions", "bash"]);
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("ccwatch.bash");
    std::fs::write(&file, script).unwrap();
    // Source it and ask it to complete `ccwatch da`, as bash would on Tab.
    let probe = format!(
        "source {f} && COMP_WORDS=(ccwatch da) && COMP_CWORD=1 && COMP_LINE='ccwatch da' \
         && COMP_POINT=10 && _ccwatch ccwatch da ccwatch && printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        f = file.display()
    );
    let out = Command::new("bash").args(["-c", &probe]).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let words = String::from_utf8_lossy(&out.stdout);
    assert!(words.lines().any(|w| w == "daily"), "{words}");
}

#[test]
fn an_unknown_shell_is_one_sentence_naming_the_choices() {
    let tmp = tempfile::tempdir().unwrap();
    let out = ccwatch(tmp.path())
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("tcsh") && err.contains("bash"), "{err}");
}

#[test]
fn the_man_page_is_roff_with_every_subcommand() {
    let page = stdout_of(&["man"]);
    assert!(
        page.starts_with(".ie") || page.contains(".TH ccwatch"),
        "{page}"
    );
    assert!(
        page.contains(".TH ccwatch 1"),
        "{}",
        &page[..200.min(page.len())]
    );
    for word in ["status", "daily", "blocks", "statusline", "completions"] {
        assert!(page.contains(word), "man page lacks {word}");
    }
    // A closed pipe is not an error.
    let tmp = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("ccwatch"))
        .arg("man")
        .env("HOME", tmp.path())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}
