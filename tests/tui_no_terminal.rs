//! `ccwatch` with no command when its output is not a terminal.

use std::path::Path;

/// Regression: with stdout piped, the dashboard failed only after writing
/// its terminal-restoring escape sequences into the pipe. It now says it
/// needs a terminal, names the commands that suit a pipe, and writes
/// nothing to stdout.
#[test]
fn the_dashboard_refuses_a_pipe_and_writes_nothing_to_it() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/sample-logs");
    let home = tempfile::tempdir().expect("a temp home");
    let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_ccwatch"))
        .arg("--dir")
        .arg(&fixtures)
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path())
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .expect("running ccwatch");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stdout.is_empty(),
        "{:?}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("needs a terminal") && err.contains("ccwatch status"),
        "{err}"
    );
}
