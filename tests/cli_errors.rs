//! Errors the user can act on: one clear sentence, a non-zero exit, never a
//! panic or a backtrace.

mod common;
use common::*;

fn run(tmp: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = ccwatch(tmp).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn one_sentence(stderr: &str) {
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("RUST_BACKTRACE"), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("ccwatch: "), "{stderr}");
}

#[test]
fn a_missing_dir_is_one_sentence_and_exit_1() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("nope");
    let (code, _, err) = run(tmp.path(), &["status", "--dir", missing.to_str().unwrap()]);
    assert_eq!(code, 1);
    one_sentence(&err);
    assert!(
        err.contains("does not exist") && err.contains("--dir"),
        "{err}"
    );
}

#[test]
fn no_data_anywhere_says_where_it_looked() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, err) = run(tmp.path(), &["status"]);
    assert_eq!(code, 1);
    one_sentence(&err);
    assert!(err.contains("no Claude Code data found"), "{err}");
    assert!(err.contains(".claude/projects"), "{err}");
}

#[test]
fn a_bad_claude_config_dir_entry_is_reported_but_others_are_used() {
    let tmp = tempfile::tempdir().unwrap();
    let good = fixtures().join("sample-logs");
    let out = ccwatch(tmp.path())
        .args(["status", "--json"])
        .env(
            "CLAUDE_CONFIG_DIR",
            format!("{},{}", tmp.path().join("gone").display(), good.display()),
        )
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    one_sentence(&err);
    assert!(
        err.contains("gone/projects") && err.contains("does not exist"),
        "{err}"
    );
}

#[test]
fn a_bad_flag_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, err) = run(tmp.path(), &["status", "--frobnicate"]);
    assert_eq!(code, 2);
    assert!(err.contains("--frobnicate"), "{err}");
    let (code, _, err) = run(tmp.path(), &["--thresholds", "70,170", "status"]);
    assert_eq!(code, 2);
    assert!(err.contains("170"), "{err}");
    let (code, _, err) = run(tmp.path(), &["--line-cap", "lots", "status"]);
    assert_eq!(code, 2);
    assert!(err.contains("lots"), "{err}");
}

#[test]
fn a_bad_config_file_names_file_line_and_key() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("config.toml");
    std::fs::write(&cfg, "bell = true\nidle_timeout = 5\n").unwrap();
    let (code, _, err) = run(tmp.path(), &["--config", cfg.to_str().unwrap(), "status"]);
    assert_eq!(code, 1);
    one_sentence(&err);
    assert!(
        err.contains("config.toml line 2, key `idle_timeout`"),
        "{err}"
    );
}

#[test]
fn the_default_config_file_is_read_from_the_platform_config_dir() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        &tmp.path().join("xdg-config/ccwatch/config.toml"),
        "thresholds = [50]\n",
    );
    let (code, out, _) = run(tmp.path(), &["--print-config"]);
    assert_eq!(code, 0);
    assert!(out.contains("thresholds = [50]"), "{out}");
    assert!(out.contains("xdg-config/ccwatch/config.toml"), "{out}");
}

#[test]
fn output_into_a_closed_pipe_is_not_a_crash() {
    use std::io::Read;
    use std::process::Stdio;
    let tmp = tempfile::tempdir().unwrap();
    let mut child = ccwatch(tmp.path())
        .args(["status", "--json", "--dir"])
        .arg(fixtures().join("sample-logs"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(!err.contains("panicked"), "{err}");
    assert!(status.code().is_some(), "killed by a signal");
}

#[test]
fn a_project_that_matches_nothing_names_the_closest_ones() {
    let data = sample_logs_copy();
    let dir = data.path().to_str().unwrap();
    let (code, out, err) = run(data.path(), &["daily", "--dir", dir, "--project", "webap"]);
    assert_eq!(code, 1, "{out}");
    one_sentence(&err);
    assert!(err.contains("--project webap matches no project"), "{err}");
    assert!(err.contains("webapp"), "the near miss is offered: {err}");
    // A project that does match still reports.
    let (code, out, _) = run(
        data.path(),
        &["session", "--dir", dir, "--project", "webapp"],
    );
    assert_eq!(code, 0);
    assert!(out.contains("webapp"), "{out}");
}

#[test]
fn since_after_until_is_an_error_not_an_empty_report() {
    let data = sample_logs_copy();
    let dir = data.path().to_str().unwrap();
    let args = [
        "daily", "--dir", dir, "--since", "20261125", "--until", "20261120",
    ];
    let (code, out, err) = run(data.path(), &args);
    assert_eq!(code, 1, "{out}");
    one_sentence(&err);
    assert!(
        err.contains("--since 2026-11-25 is after --until 2026-11-20"),
        "{err}"
    );
}

/// `ccwatch help COMMAND` shows the options that command takes and no other.
fn help_of(args: &[&str]) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let out = ccwatch(tmp.path())
        .args(args)
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn each_command_lists_only_the_options_it_uses_under_headings() {
    let daily = help_of(&["daily"]);
    for absent in ["--thresholds", "--window", "--serve", "--no-bell"] {
        assert!(
            !daily.contains(absent),
            "daily --help lists {absent}:\n{daily}"
        );
    }
    assert_eq!(daily.matches("--mode").count(), 1, "{daily}");
    for heading in ["Cost:", "Data:"] {
        assert!(daily.contains(heading), "{daily}");
    }
    let status = help_of(&["status"]);
    assert!(
        status.contains("--window") && !status.contains("--thresholds"),
        "{status}"
    );
    let events = help_of(&["events"]);
    assert!(
        events.contains("--window") && events.contains("--thresholds"),
        "{events}"
    );
    // Every value has a real placeholder: no <START_OF_WEEK>, no <PCT,PCT,..>.
    for cmd in [
        vec![],
        vec!["weekly"],
        vec!["blocks"],
        vec!["serve"],
        vec!["statusline"],
    ] {
        let help = help_of(&cmd);
        assert!(!help.contains(".."), "{cmd:?}: {help}");
        let placeholders = help.split('<').skip(1).filter_map(|p| p.split_once('>'));
        for (name, _) in placeholders {
            assert!(
                !name.contains('_'),
                "{cmd:?} shows a Rust name <{name}>:\n{help}"
            );
        }
    }
    let top = help_of(&[]);
    assert!(
        top.contains("with no command to open the live dashboard"),
        "{top}"
    );
    assert!(top.contains("Config file: "), "{top}");
}

#[test]
fn window_and_thresholds_work_before_or_after_the_command() {
    let data = sample_logs_copy();
    let dir = data.path().to_str().unwrap();
    let window_of = |args: &[&str]| {
        let v = json_of(ccwatch(data.path()).args(args).args(["--dir", dir]));
        let sessions = v["sessions"].as_array().unwrap().clone();
        let sonnet = sessions
            .iter()
            .find(|s| {
                s["context"]["model"]
                    .as_str()
                    .is_some_and(|m| m.contains("sonnet"))
            })
            .unwrap();
        sonnet["context"]["window"].clone()
    };
    assert_eq!(
        window_of(&["status", "--json", "--window", "sonnet=400000"]),
        400_000
    );
    assert_eq!(
        window_of(&["--window", "sonnet=400000", "status", "--json"]),
        400_000
    );
    let (code, _, err) = run(data.path(), &["daily", "--window", "opus=1000000"]);
    assert_eq!(code, 2, "reports take no window: {err}");
}
