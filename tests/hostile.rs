//! Bad input never crashes and never loses data: what cannot be read is
//! skipped and counted, and everything else is still counted exactly.

mod common;
use common::*;
use serde_json::Value;

#[test]
fn a_50_mb_line_is_read_or_skipped_without_losing_its_neighbours() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("projects/-w/s1.jsonl");
    let big = user_line("s1", "2026-11-20T10:00:30.000Z", &"x".repeat(50 << 20));
    let content = Line::new("s1", "m1", "2026-11-20T10:00:00.000Z", 5000, 10).json()
        + &big
        + &Line::new("s1", "m2", "2026-11-20T10:01:00.000Z", 6000, 20).json();
    write(&f, content);
    // Under the default 64 MiB cap the line is read (and carries no usage).
    let st = status_json(tmp.path());
    assert_eq!(st["totals"]["records"], 2);
    assert_eq!(st["totals"]["output"], 30);
    assert_eq!(st["sessions"][0]["context"]["tokens"], 6000);
    assert!(
        st["skipped"].as_object().unwrap().is_empty(),
        "{}",
        st["skipped"]
    );
    // Under a 1 MiB cap it is skipped and counted, and nothing else is lost.
    let out = ccwatch(tmp.path())
        .args(["status", "--json", "--line-cap", "1MiB", "--dir"])
        .arg(tmp.path())
        .output()
        .unwrap();
    let st: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(st["skipped"]["oversized"], 1);
    assert_eq!(st["totals"]["records"], 2);
    assert_eq!(st["totals"]["output"], 30);
}

#[test]
fn ten_thousand_small_files_are_all_counted() {
    let tmp = tempfile::tempdir().unwrap();
    for i in 0..10_000 {
        let session = format!("s{i:05}");
        let msg = format!("m{i}");
        let line = Line::new(&session, &msg, "2026-11-20T10:00:00.000Z", 1000, 1);
        let dir = tmp.path().join(format!("projects/-p{}", i % 100));
        write(&dir.join(format!("{session}.jsonl")), line.json());
    }
    let st = status_json(tmp.path());
    assert_eq!(st["files"], 10_000);
    assert_eq!(st["totals"]["records"], 10_000);
    assert_eq!(st["totals"]["output"], 10_000);
    assert_eq!(st["sessions"].as_array().unwrap().len(), 10_000);
}

#[test]
fn invalid_utf8_and_garbage_are_counted_by_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let mut content = Line::new("s1", "m1", "2026-11-20T10:00:00.000Z", 5000, 10)
        .json()
        .into_bytes();
    content.extend_from_slice(b"\xff\xfe\xfd not text at all \x80\n");
    content.extend_from_slice(b"{\"type\":\"assistant\",\"message\":{\"usage\":\n");
    content.extend_from_slice(b"\n   \n");
    let mut bad_usage = Line::new("s1", "m3", "2026-11-20T10:02:00.000Z", 5000, 10).json();
    bad_usage = bad_usage.replace("\"output_tokens\":10", "\"output_tokens\":\"ten\"");
    content.extend_from_slice(bad_usage.as_bytes());
    content.extend_from_slice(
        Line::new("s1", "m2", "2026-11-20T10:01:00.000Z", 7000, 20)
            .json()
            .as_bytes(),
    );
    write(&tmp.path().join("projects/-w/s1.jsonl"), &content);
    // A whole file that is not UTF-8 at all.
    write(
        &tmp.path().join("projects/-w/binary.jsonl"),
        [0xffu8, 0x00, 0xc3, b'\n', 0x80, b'\n'],
    );
    let st = status_json(tmp.path());
    assert_eq!(st["totals"]["records"], 2);
    assert_eq!(st["totals"]["output"], 30);
    assert_eq!(st["skipped"]["invalidUtf8"], 3);
    assert_eq!(st["skipped"]["malformed"], 1);
    assert_eq!(st["skipped"]["invalidUsage"], 1);
    assert_eq!(st["skipped"]["blank"], 2);
}

#[test]
fn an_unterminated_last_line_waits_for_its_newline() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = Line::new("s1", "m1", "2026-11-20T10:00:00.000Z", 5000, 10).json();
    let partial = Line::new("s1", "m2", "2026-11-20T10:01:00.000Z", 6000, 20).json();
    let f = tmp.path().join("projects/-w/s1.jsonl");
    // Cut before the closing brace: not yet a complete object (spec §2, v2:
    // a complete one without its newline would already count).
    write(&f, whole.clone() + &partial[..partial.len() - 2]);
    let st = status_json(tmp.path());
    assert_eq!(st["totals"]["records"], 1);
    write(&f, whole + &partial);
    assert_eq!(status_json(tmp.path())["totals"]["records"], 2);
}

/// Runs the binary as an unprivileged user when we are root (permissions do
/// not stop root), using util-linux's setpriv.
fn as_unprivileged(tmp: &std::path::Path) -> Option<std::process::Command> {
    let uid = effective_uid();
    if uid != 0 {
        return Some(ccwatch(tmp));
    }
    let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())?;
    let mut cmd = std::process::Command::new(setpriv);
    cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(bin())
        .env_remove("CLAUDE_CONFIG_DIR")
        .env_remove("CCWATCH_CONFIG")
        .env("XDG_CONFIG_HOME", tmp.join("xdg-config"))
        .env("HOME", tmp.join("home"));
    Some(cmd)
}

fn effective_uid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    // The owner of a file we just created is our effective uid.
    let probe = tempfile::NamedTempFile::new().unwrap();
    std::fs::metadata(probe.path()).unwrap().uid()
}

#[test]
fn unreadable_directories_and_files_are_counted_not_fatal() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        &root.join("projects/-ok/s1.jsonl"),
        Line::new("s1", "m1", "2026-11-20T10:00:00.000Z", 5000, 10).json(),
    );
    write(
        &root.join("projects/-locked/s2.jsonl"),
        Line::new("s2", "m2", "2026-11-20T10:00:00.000Z", 5000, 10).json(),
    );
    write(
        &root.join("projects/-ok/s3.jsonl"),
        Line::new("s3", "m3", "2026-11-20T10:00:00.000Z", 5000, 10).json(),
    );
    let set = |p: &std::path::Path, mode| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    // Let an unprivileged user reach the data: temp dirs start as 0700.
    for p in [root, &root.join("projects"), &root.join("projects/-ok")] {
        set(p, 0o755);
    }
    set(&root.join("projects/-ok/s1.jsonl"), 0o644);
    set(&root.join("projects/-locked"), 0o000);
    set(&root.join("projects/-ok/s3.jsonl"), 0o000);
    let Some(mut cmd) = as_unprivileged(root) else {
        set(&root.join("projects/-locked"), 0o755);
        eprintln!("skipped: running as root without setpriv, permissions cannot be tested");
        return;
    };
    let out = cmd
        .args(["status", "--json", "--dir"])
        .arg(root)
        .output()
        .unwrap();
    set(&root.join("projects/-locked"), 0o755);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let st: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(st["totals"]["records"], 1, "{st}");
    assert_eq!(st["skipped"]["unreadableFile"], 2, "{st}");
}
