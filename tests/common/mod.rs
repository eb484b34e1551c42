//! Shared helpers for the integration tests: transcript lines shaped like
//! Claude Code's, data directories, and the binary.
#![allow(dead_code)]

pub mod tmux;

use std::path::{Path, PathBuf};

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ccwatch"))
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// One assistant line with usage, compact JSON like Claude Code writes.
pub struct Line<'a> {
    pub session: &'a str,
    pub msg: &'a str,
    pub ts: &'a str,
    pub input: u64,
    pub cache_read: u64,
    pub output: u64,
    pub sidechain: bool,
    pub text: &'a str,
}

impl<'a> Line<'a> {
    pub fn new(session: &'a str, msg: &'a str, ts: &'a str, prompt: u64, output: u64) -> Line<'a> {
        Line {
            session,
            msg,
            ts,
            input: 3,
            cache_read: prompt - 3,
            output,
            sidechain: false,
            text: "ok",
        }
    }

    pub fn json(&self) -> String {
        let text = serde_json::to_string(self.text).unwrap();
        format!(
            r#"{{"parentUuid":null,"isSidechain":{},"userType":"external","cwd":"/home/dev/src/{}","sessionId":"{}","version":"2.0.1","type":"assistant","message":{{"model":"claude-sonnet-4-5-20250929","id":"{}","type":"message","role":"assistant","content":[{{"type":"text","text":{}}}],"usage":{{"input_tokens":{},"cache_creation_input_tokens":0,"cache_read_input_tokens":{},"output_tokens":{}}}}},"requestId":"req_{}","uuid":"u-{}","timestamp":"{}"}}"#,
            self.sidechain,
            self.session,
            self.session,
            self.msg,
            text,
            self.input,
            self.cache_read,
            self.output,
            self.msg,
            self.msg,
            self.ts
        ) + "\n"
    }
}

pub fn user_line(session: &str, ts: &str, text: &str) -> String {
    let text = serde_json::to_string(text).unwrap();
    format!(
        r#"{{"parentUuid":null,"isSidechain":false,"cwd":"/home/dev/src/{session}","sessionId":"{session}","type":"user","message":{{"role":"user","content":{text}}},"uuid":"u","timestamp":"{ts}"}}"#
    ) + "\n"
}

pub fn boundary_line(session: &str, uuid: &str, ts: &str, pre: u64) -> String {
    format!(
        r#"{{"parentUuid":null,"isSidechain":false,"cwd":"/home/dev/src/{session}","sessionId":"{session}","type":"system","subtype":"compact_boundary","content":"Conversation compacted","timestamp":"{ts}","uuid":"{uuid}","level":"info","compactMetadata":{{"trigger":"auto","preTokens":{pre}}}}}"#
    ) + "\n"
}

/// The sample data directory's expected answers (`expected.json`).
pub fn sample_expected() -> serde_json::Value {
    let path = fixtures().join("sample-logs/expected.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The sample logs copied into a scratch directory, so lines can be
/// appended without touching `fixtures/`.
pub fn sample_logs_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &fixtures().join("sample-logs/projects"),
        &dir.path().join("projects"),
    );
    dir
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

pub fn write(path: &Path, content: impl AsRef<[u8]>) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

/// The binary with an environment that cannot see the user's own data or
/// config: no CLAUDE_CONFIG_DIR, and config dirs pointing at `isolate`.
pub fn ccwatch(isolate: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(bin());
    cmd.env_remove("CLAUDE_CONFIG_DIR")
        .env_remove("CODEX_HOME")
        .env_remove("CCWATCH_CONFIG")
        .env("XDG_CONFIG_HOME", isolate.join("xdg-config"))
        .env("XDG_CACHE_HOME", isolate.join("xdg-cache"))
        .env("CCWATCH_CACHE_DIR", isolate.join("ccwatch-cache"))
        .env("HOME", isolate.join("home"));
    cmd
}

/// Run `cmd` with `input` on its standard input (as Claude Code feeds the
/// status line) and wait for it: its output, whatever its exit status.
pub fn fed(cmd: &mut std::process::Command, input: &str) -> std::process::Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input.as_bytes()).unwrap();
    drop(stdin);
    child.wait_with_output().unwrap()
}

/// Run `cmd`, insist that it succeeds (showing its stderr if not), and parse
/// its stdout as JSON; its stderr comes back too, for the notes on it.
pub fn run_json(cmd: &mut std::process::Command) -> (serde_json::Value, String) {
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{cmd:?} failed: {stderr}");
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{cmd:?} printed no JSON ({e}): {stderr}"));
    (json, stderr)
}

/// [`run_json`] without the stderr.
pub fn json_of(cmd: &mut std::process::Command) -> serde_json::Value {
    run_json(cmd).0
}

pub fn status_json(dir: &Path) -> serde_json::Value {
    let isolate = tempfile::tempdir().unwrap();
    json_of(
        ccwatch(isolate.path())
            .args(["status", "--json", "--dir"])
            .arg(dir),
    )
}

/// A tiny deterministic PRNG (xorshift), enough to cut files into random chunks.
pub struct Rng(pub u64);

impl Rng {
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

/// Has the server closed this connection (a read sees its end)?
pub fn closed_by_server(mut s: &std::net::TcpStream) -> bool {
    use std::io::Read;
    s.set_read_timeout(Some(std::time::Duration::from_millis(20)))
        .unwrap();
    let mut byte = [0u8; 1];
    match s.read(&mut byte) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => e.kind() == std::io::ErrorKind::ConnectionReset,
    }
}
