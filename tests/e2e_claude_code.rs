//! The real writer: a pinned Claude Code from the npm registry, run offline
//! against a fake Messages API, with ccwatch checked against what the fake
//! served.
//!
//! How it is put together (all of it on this machine, nothing leaves it):
//! - `scripts/install-claude-code.sh` (run by `.ci/run`, and by the test
//!   itself when the binary is missing) installs
//!   `@anthropic-ai/claude-code` and its platform package
//!   `@anthropic-ai/claude-code-linux-x64` at the pinned version into
//!   `<target>/e2e-claude`; the test runs the platform package's native binary.
//! - `unshare --net` makes a network namespace; a shell in it brings `lo` up
//!   and then waits on a pipe (it ends when the test drops it or dies). The
//!   test checks it is another namespace whose only interface is `lo`.
//! - The fake API (axum, in this process) listens on a socket bound from a
//!   thread that joined that namespace with `setns`, so it is reachable only
//!   from inside. Claude Code, and tmux for the interactive session, are
//!   started with `setns` between fork and exec: they see only that
//!   loopback. Claude Code is never started any other way (see
//!   `claude::Claude::command`), always with a throwaway `HOME` and
//!   `CLAUDE_CONFIG_DIR`, `ANTHROPIC_BASE_URL` at the fake, a dummy key,
//!   and `CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 DISABLE_AUTOUPDATER=1
//!   DISABLE_ERROR_REPORTING=1`.
//! - The fake answers from a script of turns chosen by a tag in the prompt
//!   (`E2E:<name>`) and the number of assistant turns since it, streaming SSE
//!   like the real API, and records every usage it served: the truth.
//! - ccwatch (`events --json` alongside, then `status --json --no-cache`)
//!   must equal that truth.
//! - Automatic compaction: with the window taken from the model (no
//!   configured auto-compact window), Claude Code 2.1.197 does not compact
//!   ahead of the limit; it compacts when the API refuses a prompt as too
//!   long, then retries. So the fake refuses one request (HTTP 400, "prompt
//!   is too long") after a response that filled 85% of a 200k window.
//!
//! - Interactive sessions run in tmux with `ccwatch statusline` (behind a
//!   script that keeps each input) as the status line; OTLP goes to the fake
//!   as `http/json`. With a subscription token instead of a key, the fake
//!   adds `anthropic-ratelimit-unified-*` headers.
//! - Every process is ended on drop (tmux server, `events`, the namespace's
//!   holder) and the temporary directories are removed. The file takes
//!   15–25 s on two cores.
//! - What only the status line tells reaches `status --json`: the 1M window
//!   of the `[1m]` default, the plan's limits (top-level `rateLimits`, from
//!   a subscription's headers), and the cost no transcript records
//!   (`costUnlogged`: the title and compaction-summary calls, priced from
//!   what the fake served), also for a session resumed interactively (whose
//!   status line carries the earlier run's cost). No test here is ignored.
//! - `CCWATCH_E2E_DUMP=DIR` keeps the requests, transcripts, status-line
//!   inputs and OTLP pushes of a run (the source of
//!   `fixtures/claude-code-2.1.197`).
//!
//! Needs root (for `unshare --net` and `setns`), `unshare` and `ip`. Where a
//! piece is missing the test prints a SKIP line naming it; with `CI=true` it
//! fails instead.

#[path = "common/mod.rs"]
mod common;

#[path = "e2e_claude_code/claude.rs"]
mod claude;
#[path = "e2e_claude_code/fake_api.rs"]
mod fake_api;
#[path = "e2e_claude_code/netns.rs"]
mod netns;
#[path = "e2e_claude_code/otel.rs"]
mod otel;
#[path = "e2e_claude_code/tmux.rs"]
mod tmux;

use claude::Claude;
use fake_api::{Block, FakeApi, Kind, Reply, Request, Served, Usage};
use netns::Netns;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------
// The script: what the fake answers, per tagged prompt and step.

/// The usage of everything the script did not expect.
const OTHER: Usage = Usage::new(1, 0, 0, 0, 1);
/// The compaction summary call (manual and automatic alike).
const COMPACT: Usage = Usage::new(7, 0, 0, 17_000, 420);
/// A turn well under 200k, then one at 92.5% of a 1M window.
const SMALL: Usage = Usage::new(3, 1_000, 0, 50_000, 20);
const FULL: Usage = Usage::new(5, 4_995, 0, 920_000, 40);
/// The session title call.
const TITLE: Usage = Usage::new(250, 0, 0, 0, 12);

fn tool(name: &str, input: Value) -> Block {
    Block::Tool {
        name: name.to_owned(),
        input,
    }
}

/// Is this the request that writes a compaction summary?
fn is_compact(req: &Request) -> bool {
    let last = req.last_user_text();
    last.contains("summary of the conversation") || last.contains("detailed summary")
}

/// Is this the request that names the session?
fn is_title(req: &Request) -> bool {
    req.system()
        .contains("Generate a concise, sentence-case title")
}

fn script(req: &Request, refused: &AtomicBool) -> (Kind, Reply) {
    if is_compact(req) {
        return (
            Kind::Compact,
            Reply::text(
                "<analysis>E2E</analysis>\n<summary>1. The user asked to read files.</summary>",
                COMPACT,
            ),
        );
    }
    if is_title(req) {
        return (
            Kind::Title,
            Reply::text(r#"{"title": "Read two files"}"#, TITLE),
        );
    }
    let Some((tag, step)) = req.tagged_prompt() else {
        return (Kind::Other, Reply::text("ok", OTHER));
    };
    let main = |blocks: Vec<Block>, usage| (Kind::Main, Reply { blocks, usage });
    match (tag.as_str(), step) {
        // Two parallel tool calls.
        ("A", 0) => main(
            vec![
                Block::Text("Reading both.".into()),
                tool("Read", json!({"file_path": "__CWD__/one.txt"})),
                tool("Read", json!({"file_path": "__CWD__/two.txt"})),
            ],
            Usage::new(3, 4_000, 0, 12_000, 150),
        ),
        // A subagent.
        ("A", 1) => main(
            vec![tool(
                "Agent",
                json!({"description": "Count the files", "subagent_type": "general-purpose",
                       "prompt": "E2E:SUB Count the files in this directory."}),
            )],
            Usage::new(5, 600, 0, 16_000, 90),
        ),
        ("SUB", 0) => (
            Kind::Subagent,
            Reply::text("There are two files.", Usage::new(8, 3_000, 0, 5_000, 40)),
        ),
        ("A", _) => main(
            vec![Block::Text("Both read; the subagent counted two.".into())],
            Usage::new(2, 900, 0, 16_600, 60),
        ),
        // The resumed session.
        ("B", _) => main(
            vec![Block::Text("Resumed.".into())],
            Usage::new(4, 500, 0, 17_500, 30),
        ),
        // After the manual compaction.
        ("C", _) => main(
            vec![Block::Text("After the compaction.".into())],
            Usage::new(3, 2_500, 0, 9_000, 20),
        ),
        // Near the window of a 200k model: the tool result would overflow
        // it, the API refuses the next request once, Claude Code compacts
        // and retries.
        ("F", 0) => main(
            vec![tool("Read", json!({"file_path": "__CWD__/one.txt"}))],
            Usage::new(10, 1_000, 0, 170_000, 50),
        ),
        ("F", _) if !refused.swap(true, Ordering::SeqCst) => {
            (Kind::TooLong, Reply::text("", Usage::default()))
        }
        ("F", _) => main(
            vec![Block::Text("Read it after the compaction.".into())],
            Usage::new(6, 2_000, 0, 3_000, 35),
        ),
        ("D", _) => main(
            vec![Block::Text("A first turn.".into())],
            Usage::new(9, 2_200, 0, 6_000, 70),
        ),
        // Interactive: a read, an answer; after /compact, one more.
        ("I", 0) => main(
            vec![tool("Read", json!({"file_path": "__CWD__/one.txt"}))],
            Usage::new(4, 5_000, 0, 20_000, 80),
        ),
        ("I", _) => main(
            vec![Block::Text("It says one.".into())],
            Usage::new(3, 700, 0, 25_000, 45),
        ),
        ("J", _) => main(
            vec![Block::Text("Still here after the compaction.".into())],
            Usage::new(6, 3_100, 0, 12_345, 33),
        ),
        // Cache writes of both lifetimes.
        ("H", _) => main(
            vec![Block::Text("Cached for an hour.".into())],
            Usage::new(3, 1_000, 6_000, 10_000, 70),
        ),
        // A model whose price Claude Code and ccwatch's table disagree on.
        ("S", _) => main(
            vec![Block::Text("Sonnet here.".into())],
            Usage::new(3, 2_000, 0, 30_000, 100),
        ),
        ("L", _) => main(vec![Block::Text("Small.".into())], SMALL),
        ("K", _) => main(vec![Block::Text("Nearly full.".into())], FULL),
        ("E", _) => main(
            vec![Block::Text("Going on.".into())],
            Usage::new(5, 3_000, 0, 4_000, 25),
        ),
        _ => (Kind::Other, Reply::text("ok", OTHER)),
    }
}

// ---------------------------------------------------------------------------
// The harness.

/// Everything one run needs; dropping it ends every process and removes
/// every directory it made.
struct Harness {
    // Field order is drop order: processes before the namespace, the
    // namespace before the directories.
    events: Option<EventsRun>,
    fake: FakeApi,
    claude: Claude,
    netns: Netns,
    work: PathBuf,
    _tmp: tempfile::TempDir,
}

/// The pieces the harness needs, or why it cannot run here.
fn pieces() -> Result<(PathBuf, Netns), String> {
    let binary = claude::binary()?;
    for tool in ["unshare", "ip"] {
        let found = std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
            .unwrap_or(false);
        if !found {
            return Err(format!("`{tool}` is not installed"));
        }
    }
    let netns = Netns::new().map_err(|e| format!("no network namespace ({e}); needs root"))?;
    Ok((binary, netns))
}

impl Harness {
    /// None (after a loud SKIP line) where the pieces are missing; a panic
    /// instead on CI.
    fn new() -> Option<Harness> {
        Harness::with(None)
    }

    /// With `rate_limits`, the fake sends a subscription's rate-limit
    /// headers and Claude Code signs in with a (dummy) subscription token
    /// instead of an API key.
    fn with(rate_limits: Option<fake_api::RateLimits>) -> Option<Harness> {
        let (binary, netns) = match pieces() {
            Ok(p) => p,
            Err(why) => {
                if std::env::var("CI").is_ok_and(|v| v == "true") {
                    panic!("e2e_claude_code cannot run on CI: {why}");
                }
                // Past the test harness's capture, so it shows on a pass too.
                let line = format!("\n*** SKIP e2e_claude_code: {why} ***\n\n");
                let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
                return None;
            }
        };
        let tmp = tempfile::tempdir().unwrap();
        let work = tmp.path().join("work/demo-project");
        std::fs::create_dir_all(&work).unwrap();
        std::fs::write(work.join("one.txt"), "one\n").unwrap();
        std::fs::write(work.join("two.txt"), "two\n").unwrap();
        let cwd = work.to_str().unwrap().to_owned();
        let refused = AtomicBool::new(false);
        let script = move |req: &Request| {
            let (kind, mut reply) = script(req, &refused);
            for b in &mut reply.blocks {
                if let Block::Tool { input, .. } = b {
                    *input =
                        serde_json::from_str(&input.to_string().replace("__CWD__", &cwd)).unwrap();
                }
            }
            (kind, reply)
        };
        let fake = FakeApi::start(netns.listen().unwrap(), Box::new(script), rate_limits).unwrap();
        let home = tmp.path().join("home");
        let claude = Claude {
            binary,
            home,
            base_url: fake.url(),
            env: Vec::new(),
            subscription: rate_limits.is_some(),
        };
        std::fs::create_dir_all(claude.projects()).unwrap();
        Some(Harness {
            events: None,
            fake,
            claude,
            netns,
            work,
            _tmp: tmp,
        })
    }

    /// Settings for interactive mode: onboarding done, the folder trusted,
    /// the dummy key approved, and the status line a script that keeps
    /// each input in `captured` and pipes it to `ccwatch statusline`.
    fn interactive_settings(&self, captured: &Path) {
        let script = self._tmp.path().join("statusline.sh");
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\nf=\"{dir}/$(date +%s%N)-$$\"\ncat > \"$f.tmp\"\nCCWATCH_CACHE_DIR='{cache}' '{bin}' statusline --dir '{projects}' < \"$f.tmp\" > \"$f.out\"\nmv \"$f.tmp\" \"$f.json\"\ncat \"$f.out\"\n",
                dir = captured.display(),
                cache = self._tmp.path().join("ccwatch-cache").display(),
                bin = common::bin().display(),
                projects = self.claude.projects().display(),
            ),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let settings = json!({
            "statusLine": {"type": "command", "command": script, "padding": 0},
        });
        std::fs::write(
            self.claude.config_dir().join("settings.json"),
            settings.to_string(),
        )
        .unwrap();
        let key = claude::API_KEY;
        let state = json!({
            "hasCompletedOnboarding": true,
            "lastOnboardingVersion": claude::VERSION,
            "theme": "dark",
            "customApiKeyResponses": {"approved": [&key[key.len() - 20..]], "rejected": []},
            "projects": {self.work.to_str().unwrap(): {
                "hasTrustDialogAccepted": true,
                "hasCompletedProjectOnboarding": true,
            }},
        });
        std::fs::write(
            self.claude.config_dir().join(".claude.json"),
            state.to_string(),
        )
        .unwrap();
    }

    /// Have Claude Code push its OpenTelemetry (OTLP/HTTP JSON) to the fake.
    fn export_otlp(&mut self) {
        let url = self.fake.url();
        self.claude.env.extend(
            [
                ("CLAUDE_CODE_ENABLE_TELEMETRY", "1"),
                ("OTEL_METRICS_EXPORTER", "otlp"),
                ("OTEL_LOGS_EXPORTER", "otlp"),
                ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"),
                ("OTEL_EXPORTER_OTLP_ENDPOINT", &url),
                ("OTEL_METRIC_EXPORT_INTERVAL", "1000"),
                ("OTEL_LOGS_EXPORT_INTERVAL", "500"),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned())),
        );
    }

    /// Claude Code, interactive, in tmux in the namespace, at its prompt.
    fn interactive(&self, args: &[&str]) -> tmux::Tmux {
        let socket = self._tmp.path().join("tmux.sock");
        let tmux = tmux::Tmux::start(&self.netns, &self.claude, &socket, &self.work, args).unwrap();
        tmux.wait_for("the prompt", 30, prompt_ready);
        tmux
    }

    /// Type `prompt`, wait for `answer` on the screen and the prompt back.
    fn ask(&self, tmux: &tmux::Tmux, prompt: &str, answer: &str) {
        tmux.type_line(prompt);
        tmux.wait_for(answer, 30, |s| s.contains(answer) && prompt_ready(s));
    }

    /// `claude -p` with `args`, its JSON result.
    fn print(&self, args: &[&str]) -> Value {
        let out = self
            .claude
            .command(&self.netns, &self.work)
            .args(["-p", "--output-format", "json", "--allowedTools=Read"])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "claude {args:?} failed: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_str(stdout.trim())
            .unwrap_or_else(|e| panic!("claude {args:?} printed no JSON ({e}): {stdout}"))
    }

    fn served(&self) -> Vec<Served> {
        self.fake.record(|r| r.served.clone())
    }

    fn ccwatch(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(common::bin());
        cmd.env("CCWATCH_CACHE_DIR", self._tmp.path().join("ccwatch-cache"))
            .env("HOME", &self.claude.home)
            .env_remove("CLAUDE_CONFIG_DIR")
            .env_remove("XDG_CONFIG_HOME")
            .arg("--dir")
            .arg(self.claude.projects());
        cmd
    }

    fn status(&self) -> Value {
        let out = self
            .ccwatch()
            .args(["status", "--json", "--no-cache"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Start `ccwatch events --json` on the throwaway projects directory.
    fn watch_events(&mut self) {
        let mut child = self
            .ccwatch()
            .args(["events", "--json"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let stdout = child.stdout.take().unwrap();
        let sink = Arc::clone(&lines);
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Ok(v) = serde_json::from_str::<Value>(&line) {
                    sink.lock().unwrap().push(v);
                }
            }
        });
        // Wait for its start-up scan, so nothing Claude Code writes is
        // read by the scan rather than the live watcher.
        let start = Instant::now();
        while !lines.lock().unwrap().iter().any(|v| v["event"] == "ready") {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "events never got ready"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        self.events = Some(EventsRun { child, lines });
    }
}

struct EventsRun {
    child: Child,
    lines: Arc<Mutex<Vec<Value>>>,
}

impl Drop for EventsRun {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl EventsRun {
    /// The newest `session` object per session id seen on the stream.
    fn sessions(&self) -> BTreeMap<String, Value> {
        let mut out = BTreeMap::new();
        for v in self.lines.lock().unwrap().iter() {
            if let (Some(id), Some(s)) = (v["sessionId"].as_str(), v.get("session")) {
                out.insert(id.to_owned(), s.clone());
            }
        }
        out
    }

    fn events(&self, name: &str) -> Vec<Value> {
        self.lines
            .lock()
            .unwrap()
            .iter()
            .filter(|v| v["event"] == name)
            .cloned()
            .collect()
    }
}

// ---------------------------------------------------------------------------
// The truth, per session, in the shape of `status --json`.

#[derive(Default, Debug)]
struct Truth {
    records: u64,
    input: u64,
    output: u64,
    cache_creation: u64,
    cache_read: u64,
    models: BTreeMap<String, u64>,
    /// The newest main-conversation usage.
    last_main: Option<Usage>,
    /// A compaction came after it.
    compacted: bool,
    compactions: u64,
    /// Served calls no transcript records.
    unlogged: Vec<Served>,
}

fn truth(served: &[Served]) -> BTreeMap<String, Truth> {
    let mut out: BTreeMap<String, Truth> = BTreeMap::new();
    for s in served {
        let Some(session) = &s.session else { continue };
        let t = out.entry(session.clone()).or_default();
        match s.kind {
            Kind::Main | Kind::Subagent => {
                t.records += 1;
                t.input += s.usage.input;
                t.output += s.usage.output;
                t.cache_creation += s.usage.cache_creation();
                t.cache_read += s.usage.cache_read;
                *t.models.entry(s.model.clone()).or_default() += 1;
                if s.kind == Kind::Main {
                    t.last_main = Some(s.usage);
                    t.compacted = false;
                }
            }
            Kind::Compact => {
                t.compactions += 1;
                t.compacted = true;
                t.unlogged.push(s.clone());
            }
            Kind::Title | Kind::Other => t.unlogged.push(s.clone()),
            Kind::TooLong => {}
        }
    }
    out
}

/// USD per million tokens: input, output, 5-minute cache write, 1-hour
/// cache write, cache read. Anthropic's published prices for the models the
/// script uses, the same in ccwatch's table and in Claude Code's.
fn price(model: &str) -> [f64; 5] {
    match model {
        // Claude Code's own price; ccwatch's table (from LiteLLM) has
        // $2/$10 (see claude_sonnet_5_is_priced_differently_by_claude_code).
        m if m.starts_with("claude-sonnet-5") => [3.0, 15.0, 3.75, 6.0, 0.3],
        m if m.starts_with("claude-opus-4-8") => [5.0, 25.0, 6.25, 10.0, 0.5],
        m if m.starts_with("claude-haiku-4-5") => [1.0, 5.0, 1.25, 2.0, 0.1],
        m => panic!("no price in the test for {m}"),
    }
}

fn cost(s: &Served) -> f64 {
    let p = price(&s.model);
    let u = s.usage;
    (u.input as f64 * p[0]
        + u.output as f64 * p[1]
        + u.cache_5m as f64 * p[2]
        + u.cache_1h as f64 * p[3]
        + u.cache_read as f64 * p[4])
        / 1e6
}

/// The session object `status --json` (and `events`) must show for `t`.
fn expected_session(t: &Truth) -> Value {
    let last = t.last_main.expect("a session with main-chain usage");
    json!({
        "records": t.records,
        "models": t.models,
        "tokens": {"input": t.input, "output": t.output,
                   "cacheCreation": t.cache_creation, "cacheRead": t.cache_read},
        "context": {"tokens": last.context(), "input": last.input,
                    "cacheCreation": last.cache_creation(), "cacheRead": last.cache_read,
                    "output": last.output, "compacted": t.compacted},
        "compactions": t.compactions,
    })
}

/// The part of a ccwatch session object the truth speaks to.
fn observed_session(s: &Value) -> Value {
    let c = &s["context"];
    json!({
        "records": s["records"],
        "models": s["models"],
        "tokens": s["tokens"],
        "context": {"tokens": c["tokens"], "input": c["input"],
                    "cacheCreation": c["cacheCreation"], "cacheRead": c["cacheRead"],
                    "output": c["output"], "compacted": c["compacted"]},
        "compactions": s["compactions"],
    })
}

fn status_sessions(status: &Value) -> BTreeMap<String, Value> {
    status["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["sessionId"].as_str().unwrap().to_owned(), s.clone()))
        .collect()
}

/// `status --json --no-cache`, and the newest state of the `events` stream
/// that ran alongside, equal `truth` session by session. Returns the status.
fn assert_ccwatch_equals(h: &Harness, truth: &BTreeMap<String, Truth>) -> Value {
    let status = h.status();
    let sessions = status_sessions(&status);
    assert_eq!(sessions.len(), truth.len(), "{status}");
    for (id, t) in truth {
        assert_eq!(
            observed_session(&sessions[id]),
            expected_session(t),
            "status of {id}"
        );
    }
    assert_eq!(status["skipped"], json!({}), "{status}");

    // The live stream, running while Claude Code wrote, ends in the same
    // state (it may trail the files by a moment).
    let events = h.events.as_ref().expect("events ran alongside");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let live = events.sessions();
        let same = truth
            .iter()
            .all(|(id, t)| live.get(id).map(observed_session) == Some(expected_session(t)));
        if same {
            return status;
        }
        if Instant::now() > deadline {
            for (id, t) in truth {
                assert_eq!(
                    live.get(id).map(observed_session),
                    Some(expected_session(t)),
                    "events of {id}"
                );
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Every `*.jsonl` under `dir`, as text.
fn transcripts(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "jsonl") {
                out.push((p.clone(), std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// With `CCWATCH_E2E_DUMP=DIR`, keep what a run saw in `DIR/<name>`: the
/// requests, the OTLP pushes, the status-line inputs and the transcripts
/// (how the fixtures under fixtures/claude-code-2.1.197 were made).
fn dump_requests(h: &Harness, name: &str) {
    if let Some(dir) = std::env::var_os("CCWATCH_E2E_DUMP") {
        let dir = PathBuf::from(dir).join(name);
        std::fs::create_dir_all(&dir).unwrap();
        h.fake.record(|r| {
            for (i, (req, s)) in r.requests.iter().zip(&r.served).enumerate() {
                std::fs::write(
                    dir.join(format!("{i:03}-{:?}-{}.json", s.kind, s.tag)),
                    serde_json::to_string_pretty(req).unwrap(),
                )
                .unwrap();
            }
        });
        h.fake.record(|r| {
            for (i, p) in r.otlp.iter().enumerate() {
                let name = format!("otlp-{i:02}{}.json", p.path.replace('/', "-"));
                std::fs::write(dir.join(name), &p.body).unwrap();
            }
        });
        let captured = h._tmp.path().join("statusline");
        for e in std::fs::read_dir(&captured).into_iter().flatten().flatten() {
            let name = format!("statusline-{}", e.file_name().to_string_lossy());
            std::fs::copy(e.path(), dir.join(name)).unwrap();
        }
        let mut stack = vec![h.claude.projects()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.to_string_lossy().ends_with(".meta.json") {
                    let name = p
                        .strip_prefix(h.claude.projects())
                        .unwrap()
                        .to_string_lossy()
                        .replace('/', "__");
                    std::fs::copy(&p, dir.join(name)).unwrap();
                }
            }
        }
        for (p, text) in transcripts(&h.claude.projects()) {
            let name = p
                .strip_prefix(h.claude.projects())
                .unwrap()
                .to_string_lossy()
                .replace('/', "__");
            std::fs::write(dir.join(name), text).unwrap();
        }
    }
}

// ---------------------------------------------------------------------------
// The sessions.

/// Headless: parallel tool calls and a subagent with the default model, a
/// resume, a manual `/compact`, and an automatic compaction near the window
/// of a 200k model. ccwatch's live stream and its status equal what was
/// served; Claude Code's own cost equals ccwatch's plus exactly the calls
/// no transcript records.
#[test]
fn headless_sessions_equal_what_the_api_served() {
    let Some(mut h) = Harness::new() else { return };
    let started = Instant::now();
    h.export_otlp();
    h.watch_events();

    // (a) The default model, two parallel reads, a subagent.
    let a = h.print(&["E2E:A Read one.txt and two.txt, then have a subagent count the files."]);
    let first = a["session_id"].as_str().unwrap().to_owned();
    // (b) A resume.
    let b = h.print(&["--resume", &first, "E2E:B Still there?"]);
    // (d) A manual compaction, then one more turn.
    let compact = h.print(&["--resume", &first, "/compact"]);
    let c = h.print(&["--resume", &first, "E2E:C And now?"]);
    // (d) A 200k model: two turns, then one whose tool result overflows
    // the window, so that Claude Code compacts by itself.
    let d = h.print(&["--model", "claude-haiku-4-5", "E2E:D Start."]);
    let second = d["session_id"].as_str().unwrap().to_owned();
    let e = h.print(&[
        "--resume",
        &second,
        "--model",
        "claude-haiku-4-5",
        "E2E:E Go on.",
    ]);
    let f = h.print(&[
        "--resume",
        &second,
        "--model",
        "claude-haiku-4-5",
        "E2E:F Read one.txt.",
    ]);
    dump_requests(&h, "headless");
    eprintln!("claude runs took {:?}", started.elapsed());

    let served = h.served();
    let truth = truth(&served);
    assert_eq!(truth.len(), 2, "two sessions served: {served:#?}");
    let t1 = &truth[&first];
    let t2 = &truth[&second];
    // The script ran as written: 3 main turns and a subagent, a resumed
    // turn, one compaction, one turn after it; then 2 turns of the second,
    // a tool call, the refusal, its compaction and the retried answer.
    assert_eq!((t1.records, t1.compactions), (6, 1), "{served:#?}");
    assert_eq!((t2.records, t2.compactions), (4, 1), "{served:#?}");
    let tail: Vec<Kind> = served[served.len() - 4..].iter().map(|s| s.kind).collect();
    assert_eq!(tail, [Kind::Main, Kind::TooLong, Kind::Compact, Kind::Main]);
    // Headless with an API key, the default model is the 1M Opus; its
    // transcript and its requests say `claude-opus-4-8`; resumed, it is 200k.
    assert_eq!(
        a["modelUsage"]["claude-opus-4-8[1m]"]["contextWindow"], 1_000_000,
        "{a}"
    );
    assert_eq!(
        b["modelUsage"]["claude-opus-4-8"]["contextWindow"], 200_000,
        "{b}"
    );
    assert!(
        t1.models.keys().all(|m| m == "claude-opus-4-8"),
        "{:?}",
        t1.models
    );

    // The two parallel reads were run, and answered in one message.
    let results = h.fake.record(|r| {
        let second_a = &r.requests[1];
        second_a["messages"]
            .as_array()
            .and_then(|m| m.last())
            .and_then(|m| m["content"].as_array())
            .map(|blocks| blocks.iter().filter(|b| b["type"] == "tool_result").count())
    });
    assert_eq!(results, Some(2));

    // The calls no transcript records are in none.
    let files = transcripts(&h.claude.projects());
    for s in served
        .iter()
        .filter(|s| matches!(s.kind, Kind::Compact | Kind::Title))
    {
        assert!(
            files.iter().all(|(_, text)| !text.contains(&s.message_id)),
            "{} ({:?}) is in a transcript",
            s.message_id,
            s.kind
        );
    }
    // Every served main and subagent response is.
    for s in served
        .iter()
        .filter(|s| matches!(s.kind, Kind::Main | Kind::Subagent))
    {
        assert!(
            files.iter().any(|(_, text)| text.contains(&s.message_id)),
            "{} is in no transcript",
            s.message_id
        );
    }

    let status = assert_ccwatch_equals(&h, &truth);
    let sessions = status_sessions(&status);
    let events = h.events.as_ref().unwrap();
    // Live, the context moved through the served contexts in order (a
    // batch read at once may skip some) and ended at the last.
    for id in [&first, &second] {
        let served_contexts: Vec<u64> = served
            .iter()
            .filter(|s| s.session.as_ref() == Some(id) && s.kind == Kind::Main)
            .map(|s| s.usage.context())
            .collect();
        let mut seen: Vec<u64> = events
            .events("context")
            .iter()
            .filter(|e| e["sessionId"] == id.as_str())
            .filter_map(|e| e["session"]["context"]["tokens"].as_u64())
            .collect();
        // (A compaction is a change too, with the same tokens.)
        seen.dedup();
        let mut rest = served_contexts.iter();
        assert!(
            seen.iter().all(|c| rest.any(|s| s == c)),
            "{id}: seen {seen:?}, served {served_contexts:?}"
        );
        assert_eq!(seen.last(), served_contexts.last(), "{id}");
    }
    // The manual compaction came through live, with the context it ended
    // (Claude Code counts the last response's output in: 18,004 + 30).
    let compactions = events.events("compaction");
    assert_eq!(compactions.len(), 2, "{compactions:?}");
    let before = served
        .iter()
        .rfind(|s| s.kind == Kind::Main && s.tag == "B")
        .unwrap();
    assert_eq!(compactions[0]["sessionId"], first.as_str());
    assert_eq!(compactions[0]["trigger"], "manual");
    assert_eq!(
        compactions[0]["preTokens"],
        before.usage.context() + before.usage.output
    );
    // The automatic one, at the refused request: the last response's
    // context and output plus Claude Code's estimate of the tool result.
    let full = served
        .iter()
        .rfind(|s| s.kind == Kind::Main && s.tag == "F" && s.usage.cache_read > 100_000)
        .unwrap();
    assert_eq!(compactions[1]["sessionId"], second.as_str());
    assert_eq!(compactions[1]["trigger"], "auto");
    let pre = compactions[1]["preTokens"].as_u64().unwrap();
    let floor = full.usage.context() + full.usage.output;
    assert!((floor..floor + 100).contains(&pre), "{pre} vs {floor}");

    // Cost: ccwatch prices every logged response as the published table
    // does; Claude Code's own total for the session is that plus exactly
    // the calls no transcript records (here: the compaction summary).
    for (id, t, runs) in [
        (&first, t1, vec![&a, &b, &compact, &c]),
        (&second, t2, vec![&d, &e, &f]),
    ] {
        let logged: f64 = served
            .iter()
            .filter(|s| {
                s.session.as_ref() == Some(id) && matches!(s.kind, Kind::Main | Kind::Subagent)
            })
            .map(cost)
            .sum();
        let unlogged: f64 = t.unlogged.iter().map(cost).sum();
        let ours = sessions[id]["costUSD"].as_f64().unwrap();
        let claude_code: f64 = runs
            .iter()
            .map(|r| r["total_cost_usd"].as_f64().unwrap())
            .sum();
        assert!(
            (ours - logged).abs() < 1e-9,
            "{id}: ccwatch ${ours} vs the table's ${logged}"
        );
        assert!(
            (claude_code - (ours + unlogged)).abs() < 1e-9,
            "{id}: Claude Code's ${claude_code} is not ccwatch's ${ours} + the unlogged ${unlogged}"
        );
    }
    let summary = served.iter().find(|s| s.kind == Kind::Compact).unwrap();
    assert!((t1.unlogged.iter().map(cost).sum::<f64>() - cost(summary)).abs() < 1e-12);

    // Claude Code's OTel names what each call was for.
    let pushes = h.fake.record(|r| r.otlp.clone());
    let events = otel::events(&pushes);
    for s in served.iter().filter(|s| s.kind != Kind::TooLong) {
        let e = events
            .iter()
            .find(|e| e.get("request_id") == Some(&json!(s.request_id)))
            .unwrap_or_else(|| panic!("no api_request for {s:?}"));
        let source = match s.kind {
            Kind::Main => "sdk",
            Kind::Subagent => "agent:builtin:general-purpose",
            _ => "compact",
        };
        assert_eq!(e["query_source"], source, "{s:?}");
    }
    // Nothing but the Messages API (and the OTLP pushes) was called.
    assert_eq!(
        h.fake.record(|r| r.other_paths.clone()),
        Vec::<String>::new()
    );
}

/// Interactive mode in tmux, with `ccwatch statusline` as Claude Code's
/// status line (the JSON it is sent is kept) and OTLP export to the fake:
/// the status line's numbers, Claude Code's own cost and its OTel events
/// agree with ccwatch and with what was served.
#[test]
fn interactive_session_with_status_line_and_otlp() {
    let Some(mut h) = Harness::new() else { return };
    let started = Instant::now();
    let captured = h._tmp.path().join("statusline");
    std::fs::create_dir_all(&captured).unwrap();
    h.interactive_settings(&captured);
    h.export_otlp();
    let (sample, shown) = read_compact_and_go_on(&mut h, &captured);
    dump_requests(&h, "interactive");
    eprintln!("interactive run took {:?}", started.elapsed());

    let served = h.served();
    let truth = truth(&served);
    assert_eq!(truth.len(), 1, "{served:#?}");
    let (id, t) = truth.iter().next().unwrap();
    // The script ran as written: a title, two turns, /compact, one turn.
    let kinds: Vec<(Kind, &str)> = served.iter().map(|s| (s.kind, s.tag.as_str())).collect();
    assert_eq!(
        kinds,
        [
            (Kind::Title, "I"),
            (Kind::Main, "I"),
            (Kind::Main, "I"),
            (Kind::Compact, "I"),
            (Kind::Main, "J")
        ],
        "{served:#?}"
    );
    // Every call streams, the title and the summary too.
    assert!(served.iter().all(|s| s.stream), "{served:#?}");
    let status = assert_ccwatch_equals(&h, &truth);
    let session = &status_sessions(&status)[id];

    // The status line Claude Code sent: its session, the 1M default model
    // (the transcript says `claude-opus-4-8`), the last answer's usage.
    assert_eq!(sample["session_id"], id.as_str());
    assert_eq!(sample["model"]["id"], "claude-opus-4-8[1m]");
    assert_eq!(sample["context_window"]["context_window_size"], 1_000_000);
    assert_eq!(session["context"]["model"], "claude-opus-4-8");
    let u = served.iter().rfind(|s| s.kind == Kind::Main).unwrap().usage;
    assert_eq!(
        sample["context_window"]["current_usage"],
        json!({"input_tokens": u.input, "output_tokens": u.output,
               "cache_creation_input_tokens": u.cache_creation(), "cache_read_input_tokens": u.cache_read})
    );
    assert_eq!(sample["context_window"]["total_input_tokens"], u.context());
    // Its percentage, and ccwatch's line for that input, agree:
    // 15,451 of 1M is 1.55%, shown as 2.
    let used = sample["context_window"]["used_percentage"]
        .as_u64()
        .unwrap();
    assert_eq!(used, ((u.context() as f64) * 100.0 / 1e6).round() as u64);
    assert!(shown.contains(&format!("ctx 15.5k/1M {used}%")), "{shown}");

    // Cost: Claude Code's own figure is ccwatch's plus exactly the title
    // and compaction calls no transcript records.
    let claude_code = sample["cost"]["total_cost_usd"].as_f64().unwrap();
    let ours = session["costUSD"].as_f64().unwrap();
    let unlogged: f64 = t.unlogged.iter().map(cost).sum();
    let kinds: Vec<Kind> = t.unlogged.iter().map(|s| s.kind).collect();
    assert_eq!(kinds, [Kind::Title, Kind::Compact]);
    assert!(
        (claude_code - (ours + unlogged)).abs() < 1e-9,
        "Claude Code's ${claude_code} is not ccwatch's ${ours} + the unlogged ${unlogged}"
    );
    assert!(
        shown.contains(&format!("${claude_code:.2} session")),
        "{shown}"
    );

    // OTLP: one api_request event per response served, with its tokens,
    // its price, and what it was for; the metrics add up to the same.
    let pushes = h.fake.record(|r| r.otlp.clone());
    let requests: Vec<_> = otel::events(&pushes)
        .into_iter()
        .filter(|e| e.get("event.name") == Some(&json!("api_request")))
        .collect();
    assert_eq!(requests.len(), served.len(), "{requests:#?}");
    let mut otel_cost = 0.0;
    for s in &served {
        let e = requests
            .iter()
            .find(|e| e.get("request_id") == Some(&json!(s.request_id)))
            .unwrap_or_else(|| panic!("no api_request for {}", s.request_id));
        let source = match s.kind {
            Kind::Title => "generate_session_title",
            Kind::Compact => "compact",
            _ => "repl_main_thread",
        };
        assert_eq!(e["query_source"], source, "{e:?}");
        assert_eq!(e["session.id"], id.as_str());
        assert_eq!(e["model"], s.model.as_str());
        let tokens = [
            &e["input_tokens"],
            &e["output_tokens"],
            &e["cache_read_tokens"],
            &e["cache_creation_tokens"],
        ];
        assert_eq!(
            tokens,
            [
                &json!(s.usage.input),
                &json!(s.usage.output),
                &json!(s.usage.cache_read),
                &json!(s.usage.cache_creation())
            ]
        );
        let c = e["cost_usd"].as_f64().unwrap();
        assert!(
            (c - cost(s)).abs() < 1e-9,
            "{}: OTel ${c}, table ${}",
            s.request_id,
            cost(s)
        );
        otel_cost += c;
    }
    assert!((otel_cost - claude_code).abs() < 1e-9);
    let metric_cost: f64 = otel::metric_sum(&pushes, "claude_code.cost.usage", "")
        .values()
        .sum();
    assert!(
        (metric_cost - claude_code).abs() < 1e-6,
        "{metric_cost} vs {claude_code}"
    );
    assert_eq!(
        h.fake.record(|r| r.other_paths.clone()),
        Vec::<String>::new()
    );
    let by_type = otel::metric_sum(&pushes, "claude_code.token.usage", "type");
    let all = |f: fn(&Usage) -> u64| served.iter().map(|s| f(&s.usage)).sum::<u64>() as f64;
    assert_eq!(by_type.get("input"), Some(&all(|u| u.input)), "{by_type:?}");
    assert_eq!(
        by_type.get("output"),
        Some(&all(|u| u.output)),
        "{by_type:?}"
    );
    assert_eq!(
        by_type.get("cacheRead"),
        Some(&all(|u| u.cache_read)),
        "{by_type:?}"
    );
    assert_eq!(
        by_type.get("cacheCreation"),
        Some(&all(|u| u.cache_creation())),
        "{by_type:?}"
    );
}

/// The interactive script, with `events` running alongside: a Read and an
/// answer, `/compact`, one more turn, `/exit`. Returns the status-line input
/// that showed the last answer, and what ccwatch printed for it.
fn read_compact_and_go_on(h: &mut Harness, captured: &Path) -> (Value, String) {
    h.watch_events();
    let tmux = h.interactive(&[]);
    h.ask(&tmux, "E2E:I What does one.txt say?", "It says one.");
    tmux.type_line("/compact");
    tmux.wait_for("the compaction", 30, |_| {
        h.served().iter().any(|s| s.kind == Kind::Compact)
    });
    tmux.wait_for("the prompt after /compact", 30, |s| {
        prompt_ready(s) && s.contains("Compacted")
    });
    h.ask(&tmux, "E2E:J Still there?", "Still here after");
    let last_served = h
        .served()
        .iter()
        .rfind(|s| s.kind == Kind::Main)
        .unwrap()
        .clone();
    let (sample, shown) = statusline_showing(captured, last_served.usage);
    exit(tmux);
    (sample, shown)
}

/// Claude Code's input box is there and idle.
fn prompt_ready(screen: &str) -> bool {
    screen.lines().any(|l| l.starts_with("❯")) && !screen.contains("esc to interrupt")
}

/// `/exit`, and wait (a while) for Claude Code to flush and end.
fn exit(tmux: tmux::Tmux) {
    tmux.type_line("/exit");
    let deadline = Instant::now() + Duration::from_secs(20);
    while tmux.alive() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Wait for the status line to be sent the context of `usage`: that
/// input, and what ccwatch printed for it.
fn statusline_showing(captured: &Path, usage: Usage) -> (Value, String) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some((json, out)) = last_statusline(captured) {
            let cu = &json["context_window"]["current_usage"];
            if cu["input_tokens"] == usage.input
                && cu["cache_read_input_tokens"] == usage.cache_read
            {
                return (json, out);
            }
        }
        assert!(
            Instant::now() < deadline,
            "the status line never showed {usage:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The newest status-line input kept by the capture script, and what
/// ccwatch printed for it.
fn last_statusline(dir: &Path) -> Option<(Value, String)> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    names.sort();
    let newest = names.pop()?;
    let json = serde_json::from_str(&std::fs::read_to_string(&newest).ok()?).ok()?;
    let out = std::fs::read_to_string(newest.with_extension("out")).ok()?;
    if out.is_empty() {
        return None;
    }
    Some((json, out))
}

/// What the status line tells that transcripts cannot: the 1M window of the
/// default `claude-opus-4-8[1m]` (the transcript says `claude-opus-4-8`),
/// Claude Code's own rounding of the percentage (half up: 92.5 → 93), and,
/// signed in with a subscription, the rate limits from the API's headers.
#[test]
fn status_line_hints_give_window_rounding_and_rate_limits() {
    let now = chrono::Utc::now().timestamp();
    let limits = fake_api::RateLimits {
        five_hour: 0.42,
        five_hour_reset: now + 3_600,
        seven_day: 0.17,
        seven_day_reset: now + 3 * 86_400,
    };
    let Some(mut h) = Harness::with(Some(limits)) else {
        return;
    };
    let captured = h._tmp.path().join("statusline");
    std::fs::create_dir_all(&captured).unwrap();
    h.interactive_settings(&captured);
    h.watch_events();
    // Signed in with a subscription the default is `claude-sonnet-5`.
    let tmux = h.interactive(&["--model", "claude-opus-4-8[1m]"]);
    // Well under 200k: only the status line can tell the window is 1M.
    h.ask(&tmux, "E2E:L A small turn.", "Small.");
    let (small, _) = statusline_showing(&captured, SMALL);
    assert_eq!(small["context_window"]["context_window_size"], 1_000_000);
    let status = h.status();
    let session = status["sessions"][0].clone();
    assert_eq!(session["context"]["model"], "claude-opus-4-8", "{session}");
    assert_eq!(session["context"]["tokens"], SMALL.context(), "{session}");
    let small_context = session["context"].clone();
    h.ask(&tmux, "E2E:K Fill it up.", "Nearly full.");
    let (sample, shown) = statusline_showing(&captured, FULL);
    exit(tmux);
    dump_requests(&h, "subscription");
    // 51,003 of 1M: 5.1%.
    assert_eq!(
        (&small_context["window"], &small_context["percent"]),
        (&json!(1_000_000), &json!(5.1)),
        "the [1m] window from the status line: {small_context}"
    );

    // What Claude Code sent (facts of 2.1.197).
    assert_eq!(sample["model"]["id"], "claude-opus-4-8[1m]");
    assert_eq!(sample["context_window"]["context_window_size"], 1_000_000);
    assert_eq!(sample["context_window"]["used_percentage"], 93);
    assert_eq!(sample["rate_limits"]["five_hour"]["used_percentage"], 42);
    assert_eq!(
        sample["rate_limits"]["five_hour"]["resets_at"],
        limits.five_hour_reset
    );
    assert_eq!(sample["rate_limits"]["seven_day"]["used_percentage"], 17);

    // What ccwatch must make of it.
    assert!(shown.contains("ctx 925k/1M 93%"), "{shown}");
    let status = h.status();
    let session = status["sessions"][0].clone();
    assert_eq!(session["context"]["tokens"], 925_000, "{session}");
    assert_eq!(session["context"]["window"], 1_000_000, "{session}");
    assert_eq!(session["context"]["percent"], 92.5, "{session}");
    // The plan's limits are the account's, not the session's: one
    // top-level `rateLimits`, its reset times in ISO 8601 like every time
    // in `status --json`.
    let iso = |secs: i64| {
        chrono::DateTime::from_timestamp(secs, 0)
            .unwrap()
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string()
    };
    let shown = &status["rateLimits"];
    assert_eq!(
        (&shown["fiveHour"], &shown["sevenDay"]),
        (
            &json!({"usedPercentage": 42.0, "resetsAt": iso(limits.five_hour_reset)}),
            &json!({"usedPercentage": 17.0, "resetsAt": iso(limits.seven_day_reset)})
        ),
        "{status}"
    );
    assert!(shown["reportedAt"].is_string(), "{status}");
}

/// Where ccwatch's price table and Claude Code's disagree, the test names
/// the model (and the README lists it): `claude-sonnet-5`, $3/$15 per
/// million input/output tokens in Claude Code, $2/$10 in LiteLLM's list.
#[test]
fn claude_sonnet_5_is_priced_differently_by_claude_code() {
    let Some(h) = Harness::new() else { return };
    let run = h.print(&["--model", "claude-sonnet-5", "E2E:S Hello."]);
    let served = h.served();
    assert_eq!(served.len(), 1, "{served:#?}");
    let s = &served[0];
    let claude_code = run["total_cost_usd"].as_f64().unwrap();
    assert!(
        (claude_code - cost(s)).abs() < 1e-9,
        "Claude Code ${claude_code}"
    );
    let ccwatch = h.status()["sessions"][0]["costUSD"].as_f64().unwrap();
    let u = s.usage;
    let litellm = (u.input as f64 * 2.0
        + u.output as f64 * 10.0
        + u.cache_creation() as f64 * 2.5
        + u.cache_read as f64 * 0.2)
        / 1e6;
    assert!((ccwatch - litellm).abs() < 1e-9, "ccwatch ${ccwatch}");
    assert!(claude_code > ccwatch * 1.4, "${claude_code} vs ${ccwatch}");
}

/// Cache writes kept for an hour cost twice the input price (Claude Code
/// charges them so): ccwatch's cost of a session equals Claude Code's.
#[test]
fn one_hour_cache_writes_cost_what_claude_code_charges() {
    let Some(h) = Harness::new() else { return };
    let run = h.print(&["--model", "claude-opus-4-8", "E2E:H Cache it."]);
    let served = h.served();
    assert_eq!(served.len(), 1, "{served:#?}");
    let claude_code = run["total_cost_usd"].as_f64().unwrap();
    // 3 × $5 + 70 × $25 + 1,000 × $6.25 + 6,000 × $10 + 10,000 × $0.50, per million.
    assert!(
        (claude_code - 0.073015).abs() < 1e-9,
        "Claude Code ${claude_code}"
    );
    let ccwatch = h.status()["sessions"][0]["costUSD"].as_f64().unwrap();
    assert!(
        (ccwatch - claude_code).abs() < 1e-9,
        "ccwatch ${ccwatch}, Claude Code ${claude_code}"
    );
}

/// The kept transcripts of these sessions (fixtures/claude-code-2.1.197)
/// read as the hand-worked answer: runs without Claude Code.
#[test]
fn kept_claude_code_transcripts_read_as_served() {
    let dir = common::fixtures().join("claude-code-2.1.197");
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    let out = std::process::Command::new(common::bin())
        .env("CCWATCH_CACHE_DIR", tempfile::tempdir().unwrap().path())
        .args(["status", "--json", "--no-cache", "--dir"])
        .arg(dir.join("projects"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let status: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["skipped"], json!({}), "{status}");
    let sessions = status_sessions(&status);
    let want = expected["sessions"].as_object().unwrap();
    assert_eq!(sessions.len(), want.len());
    for (id, w) in want {
        let s = &sessions[id];
        let c = &s["context"];
        let got = json!({
            "records": s["records"], "models": s["models"], "tokens": s["tokens"],
            "context": {"tokens": c["tokens"], "output": c["output"], "compacted": c["compacted"]},
            "compactions": s["compactions"],
        });
        let mut w = w.clone();
        let cost = w.as_object_mut().unwrap().remove("costUSD").unwrap();
        w.as_object_mut().unwrap().remove("what");
        assert_eq!(got, w, "{id}");
        let ours = s["costUSD"].as_f64().unwrap();
        assert!(
            (ours - cost.as_f64().unwrap()).abs() < 1e-9,
            "{id}: ${ours}"
        );
    }
}

/// Where Claude Code's own session cost is at hand (its status line), the
/// part of it no transcript records is shown: here the title and the
/// compaction-summary calls, priced from what was served.
#[test]
fn cost_not_in_transcripts_is_shown_from_the_status_line() {
    let Some(mut h) = Harness::new() else { return };
    let captured = h._tmp.path().join("statusline");
    std::fs::create_dir_all(&captured).unwrap();
    h.interactive_settings(&captured);
    let (sample, _) = read_compact_and_go_on(&mut h, &captured);
    let truth = truth(&h.served());
    let (id, t) = truth.iter().next().unwrap();
    let unlogged: f64 = t.unlogged.iter().map(cost).sum();
    let status = h.status();
    let session = &status_sessions(&status)[id];
    let ours = session["costUSD"].as_f64().unwrap();
    let claude_code = sample["cost"]["total_cost_usd"].as_f64().unwrap();
    assert!((claude_code - ours - unlogged).abs() < 1e-9);
    let shown = session["costUnlogged"].as_f64().unwrap_or(f64::NAN);
    assert!(
        (shown - unlogged).abs() < 1e-9,
        "costUnlogged {shown}, served {unlogged}: {session}"
    );
}

/// The kept status-line inputs Claude Code sent, through `ccwatch
/// statusline` over the kept transcripts: its own numbers come through.
#[test]
fn kept_status_line_inputs_show_claude_codes_numbers() {
    let dir = common::fixtures().join("claude-code-2.1.197");
    let cache = tempfile::tempdir().unwrap();
    let line = |name: &str| {
        let input = std::fs::read(dir.join("statusline").join(name)).unwrap();
        let mut child = std::process::Command::new(common::bin())
            .env("CCWATCH_CACHE_DIR", cache.path())
            // Half an hour after the sessions (2026-12-05, 08:2x–08:5x UTC).
            .env("CCWATCH_NOW", "2026-12-05T09:00:00Z")
            .args(["statusline", "--timezone", "UTC", "--dir"])
            .arg(dir.join("projects"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), &input).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    // Today and the block (from 08:00) are all four sessions:
    // 0.1198 + 0.02948 + 0.0876875 + 0.49224375 = $0.73.
    let after = line("after-compact-and-turn.json");
    assert!(
        after.starts_with(
            "Opus 4.8 (1M context) │ ctx 15.5k/1M 2% │ $0.11 session │ $0.73 today │ $0.73 block, 4h00m left"
        ),
        "{after}"
    );
    let full = line("subscription-92.5-percent.json");
    assert!(
        full.starts_with("Opus 4.8 (1M context) │ ctx 925k/1M "),
        "{full}"
    );
    assert!(full.contains(" │ $0.49 session │ "), "{full}");
    // Before the first turn Claude Code sends no usage and a zero cost.
    let first = line("before-first-turn.json");
    assert!(first.starts_with("Opus 4.8 (1M context) │ "), "{first}");
    assert!(first.contains(" │ $0.00 session │ "), "{first}");
}

// ---------------------------------------------------------------------------
// Claude Code exporting its own telemetry to `ccwatch --otlp-receive`.

/// `ccwatch events --json --otlp-receive` inside the namespace, reading an
/// empty transcript folder: what it shows comes from telemetry alone.
struct ReceiverRun {
    child: Child,
    addr: String,
    lines: Arc<Mutex<Vec<Value>>>,
    _empty: tempfile::TempDir,
}

impl Drop for ReceiverRun {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl ReceiverRun {
    fn start(h: &Harness, token: &str) -> ReceiverRun {
        let empty = tempfile::tempdir().unwrap();
        let mut child = h
            .netns
            .command(common::bin())
            .env("CCWATCH_CACHE_DIR", h._tmp.path().join("ccwatch-cache"))
            .env("HOME", &h.claude.home)
            .env_remove("CLAUDE_CONFIG_DIR")
            .env_remove("XDG_CONFIG_HOME")
            .args(["events", "--json", "--otlp-receive", "127.0.0.1:0"])
            .args(["--otlp-receive-token", token, "--dir"])
            .arg(empty.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&lines);
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Ok(v) = serde_json::from_str::<Value>(&line) {
                    sink.lock().unwrap().push(v);
                }
            }
        });
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut first = String::new();
        stderr.read_line(&mut first).unwrap();
        let addr = first
            .split("receiving OTLP on http://")
            .nth(1)
            .unwrap_or_else(|| panic!("ccwatch did not say where it receives: {first}"))
            .trim()
            .to_owned();
        std::thread::spawn(move || for _ in stderr.lines().map_while(Result::ok) {});
        ReceiverRun {
            child,
            addr,
            lines,
            _empty: empty,
        }
    }

    /// The newest snapshot of `id` that `done` accepts, waiting for it.
    fn wait_for(&self, id: &str, done: impl Fn(&Value) -> bool) -> Value {
        let start = Instant::now();
        loop {
            let newest = self
                .lines
                .lock()
                .unwrap()
                .iter()
                .rev()
                .find(|v| v["sessionId"] == id && v.get("session").is_some())
                .map(|v| v["session"].clone());
            match newest {
                Some(s) if done(&s) => return s,
                _ if start.elapsed() > Duration::from_secs(30) => {
                    panic!("no telemetry session {id} as expected; last: {newest:#?}")
                }
                _ => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }
}

/// Claude Code started with the README's three variables (and the token
/// header) pointing at `ccwatch --otlp-receive`, in both OTLP encodings:
/// its session appears from telemetry alone with every token the fake
/// served it, its cost equal to the one Claude Code reports itself, and
/// its context from the main thread's `api_request` (not the subagent's).
#[test]
fn claude_code_exports_its_session_to_otlp_receive() {
    let Some(mut h) = Harness::new() else { return };
    let base_env = h.claude.env.clone();
    for protocol in ["http/json", "http/protobuf"] {
        let token = "e2e-receive-token";
        let receiver = ReceiverRun::start(&h, token);
        h.claude.env = base_env.clone();
        h.claude.env.extend(
            [
                ("CLAUDE_CODE_ENABLE_TELEMETRY", "1"),
                ("OTEL_METRICS_EXPORTER", "otlp"),
                ("OTEL_LOGS_EXPORTER", "otlp"),
                ("OTEL_EXPORTER_OTLP_PROTOCOL", protocol),
                (
                    "OTEL_EXPORTER_OTLP_ENDPOINT",
                    &format!("http://{}", receiver.addr),
                ),
                (
                    "OTEL_EXPORTER_OTLP_HEADERS",
                    &format!("Authorization=Bearer {token}"),
                ),
                ("OTEL_METRIC_EXPORT_INTERVAL", "1000"),
                ("OTEL_LOGS_EXPORT_INTERVAL", "500"),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned())),
        );
        let run =
            h.print(&["E2E:A Read one.txt and two.txt, then have a subagent count the files."]);
        let id = run["session_id"].as_str().unwrap().to_owned();
        let served: Vec<Served> = h
            .served()
            .into_iter()
            .filter(|s| s.session.as_deref() == Some(&id) && s.kind != Kind::TooLong)
            .collect();
        assert!(
            served.iter().any(|s| s.kind == Kind::Subagent),
            "{served:#?}"
        );
        let sum = |f: fn(&Usage) -> u64| served.iter().map(|s| f(&s.usage)).sum::<u64>();
        let tokens = json!({
            "input": sum(|u| u.input),
            "output": sum(|u| u.output),
            "cacheCreation": sum(|u| u.cache_creation()),
            "cacheRead": sum(|u| u.cache_read),
        });
        let session = receiver.wait_for(&id, |s| s["tokens"] == tokens);
        assert_eq!(
            session["host"], "127.0.0.1",
            "{protocol}: no host.name sent"
        );
        assert_eq!(session["label"], "⇄ 127.0.0.1");
        let claude_code = run["total_cost_usd"].as_f64().unwrap();
        let ours = session["telemetry"]["costUsd"].as_f64().unwrap();
        assert!(
            (ours - claude_code).abs() < 1e-9,
            "{protocol}: received ${ours}, Claude Code says ${claude_code}"
        );
        let main = served.iter().rfind(|s| s.kind == Kind::Main).unwrap().usage;
        let context = receiver.wait_for(&id, |s| s["context"]["tokens"] == main.context());
        assert_eq!(
            context["context"]["window"], 1_000_000,
            "{protocol}: the [1m] default"
        );
        assert_eq!(context["context"]["output"], main.output);
    }
}

/// Resumed in interactive mode, Claude Code's status line carries the
/// session's cost from its earlier run too (2.1.197 restores it), so the
/// part no transcript records is still exactly the title and the
/// compaction summary, whichever run made them.
#[test]
fn a_resumed_session_keeps_claude_codes_running_cost() {
    let Some(mut h) = Harness::new() else { return };
    let captured = h._tmp.path().join("statusline");
    std::fs::create_dir_all(&captured).unwrap();
    h.interactive_settings(&captured);
    h.watch_events();
    let tmux = h.interactive(&[]);
    h.ask(&tmux, "E2E:L A small turn.", "Small.");
    let (first, _) = statusline_showing(&captured, SMALL);
    exit(tmux);
    let id = first["session_id"].as_str().unwrap().to_owned();

    let tmux = h.interactive(&["--resume", &id]);
    h.ask(&tmux, "E2E:B Still there?", "Resumed.");
    tmux.type_line("/compact");
    tmux.wait_for("the compaction", 30, |_| {
        h.served().iter().any(|s| s.kind == Kind::Compact)
    });
    tmux.wait_for("the prompt after /compact", 30, |s| {
        prompt_ready(s) && s.contains("Compacted")
    });
    h.ask(&tmux, "E2E:J Still there?", "Still here after");
    let last = h
        .served()
        .iter()
        .rfind(|s| s.kind == Kind::Main)
        .unwrap()
        .usage;
    let (second, _) = statusline_showing(&captured, last);
    exit(tmux);

    let served = h.served();
    let truth = truth(&served);
    assert_eq!(truth.len(), 1, "{served:#?}");
    let t = &truth[&id];
    let kinds: Vec<Kind> = t.unlogged.iter().map(|s| s.kind).collect();
    assert_eq!(kinds, [Kind::Title, Kind::Compact], "{served:#?}");
    // Both runs in Claude Code's figure.
    let all: f64 = served.iter().map(cost).sum();
    let claude_code = second["cost"]["total_cost_usd"].as_f64().unwrap();
    assert!((claude_code - all).abs() < 1e-9, "${claude_code} vs ${all}");
    let status = assert_ccwatch_equals(&h, &truth);
    let session = &status_sessions(&status)[&id];
    let unlogged: f64 = t.unlogged.iter().map(cost).sum();
    let shown = session["costUnlogged"].as_f64().unwrap_or(f64::NAN);
    assert!(
        (shown - unlogged).abs() < 1e-9,
        "costUnlogged {shown}, served {unlogged}: {session}"
    );
}
