//! `ccwatch audit` through the binary: every tool kind and every default
//! flag pattern on the hand-made session in
//! `fixtures/audit-cases/every-kind/`, and a pattern from a config file
//! replacing the defaults.

mod common;

use common::{ccwatch, fixtures, json_of};
use serde_json::{Value, json};
use std::path::Path;

fn audit(isolate: &Path, extra: &[&str]) -> Value {
    json_of(
        ccwatch(isolate)
            .args(["audit", "latest", "--json", "--no-cache", "--dir"])
            .arg(fixtures().join("audit-cases/every-kind"))
            .args(extra),
    )
}

fn rows(v: &Value) -> Value {
    Value::Array(
        v.as_array()
            .unwrap()
            .iter()
            .map(|u| json!([u["target"], u["count"], u["bySubagents"]]))
            .collect(),
    )
}

fn flags(v: &Value) -> Value {
    Value::Array(
        v["flags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| json!([f["kind"], f["tool"], f["target"], f["because"]]))
            .collect(),
    )
}

#[test]
fn every_tool_kind_is_listed_and_every_default_pattern_flags() {
    let isolate = tempfile::tempdir().unwrap();
    let got = audit(isolate.path(), &[]);
    let text =
        std::fs::read_to_string(fixtures().join("audit-cases/every-kind/expected.json")).unwrap();
    let want: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(got["calls"], want["calls"]);
    for key in [
        "read",
        "written",
        "edited",
        "commands",
        "fetched",
        "webSearches",
        "searches",
        "subagents",
        "mcp",
    ] {
        assert_eq!(rows(&got[key]), want[key], "{key}");
    }
    assert_eq!(flags(&got), want["flags"]);
    // Each default pattern is the reason for at least one flag.
    let reasons: Vec<&str> = got["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["because"].as_str().unwrap())
        .collect();
    for pattern in ccwatch::audit::patterns::DEFAULT_SECRET_FILES
        .iter()
        .chain(ccwatch::audit::patterns::DEFAULT_RISKY_COMMANDS)
    {
        assert!(reasons.contains(pattern), "no flag for {pattern}");
    }
}

#[test]
fn a_pattern_from_the_config_file_replaces_the_defaults() {
    let isolate = tempfile::tempdir().unwrap();
    let config = isolate.path().join("config.toml");
    std::fs::write(
        &config,
        "[audit]\nrisky_commands = ['\\bdocker\\s+system\\s+prune\\b']\nallowed_hosts = [\"docs.rs\"]\n",
    )
    .unwrap();
    let got = audit(isolate.path(), &["--config", config.to_str().unwrap()]);
    let kinds: Vec<(String, String)> = got["flags"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] != "secretFile")
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_owned(),
                f["target"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("writeOutsideProject".into(), "/etc/hosts".into()),
            ("riskyCommand".into(), "docker system prune -a".into()),
            ("outsideHost".into(), "http://localhost:8080/health".into()),
        ]
    );
}

#[test]
fn a_pattern_that_is_not_a_regular_expression_is_one_sentence() {
    let isolate = tempfile::tempdir().unwrap();
    let config = isolate.path().join("config.toml");
    std::fs::write(&config, "[audit]\nrisky_commands = [\"(\"]\n").unwrap();
    let out = ccwatch(isolate.path())
        .args(["audit", "latest", "--no-cache", "--config"])
        .arg(&config)
        .arg("--dir")
        .arg(fixtures().join("audit-cases/every-kind"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("key `audit.risky_commands`: `(` is not a regular expression"),
        "{err}"
    );
}
