//! The dashboard end to end: the real binary in a real (tmux) terminal,
//! fed by transcript lines appended while it runs, read back with
//! `capture-pane`. Skipped with a note when tmux is missing, except on CI.

mod common;
use common::tmux::{Tmux, tmux_available};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const WEBAPP: &str = "5e55101a-0000-4000-8000-00000000000a";
const API: &str = "5e55101b-0000-4000-8000-00000000000b";

/// One assistant reply with `prompt` tokens in the context, written
/// `seconds_ago`.
fn reply_at(session: &str, project: &str, n: u32, prompt: u64, seconds_ago: i64) -> String {
    let at = chrono::Utc::now() - chrono::Duration::seconds(seconds_ago);
    let ts = at.format("%Y-%m-%dT%H:%M:%S%.3fZ");
    let line = serde_json::json!({
        "parentUuid": null, "isSidechain": false, "userType": "external",
        "cwd": format!("/home/dev/src/{project}"), "sessionId": session,
        "version": "2.0.14", "type": "assistant",
        "uuid": format!("{session}-u{n}"), "timestamp": ts.to_string(),
        "requestId": format!("req_{session}_{n}"),
        "message": {
            "model": "claude-sonnet-4-5-20250929", "id": format!("msg_{session}_{n}"),
            "type": "message", "role": "assistant",
            "content": [{"type": "text", "text": "done"}],
            "usage": {
                "input_tokens": 3, "cache_creation_input_tokens": 1_000,
                "cache_read_input_tokens": prompt - 1_003, "output_tokens": 250
            }
        }
    });
    line.to_string() + "\n"
}

/// One assistant reply with `prompt` tokens in the context, written now.
fn reply(session: &str, project: &str, n: u32, prompt: u64) -> String {
    reply_at(session, project, n, prompt, 0)
}

fn append(path: &Path, text: &str) {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .expect("opening a transcript");
    f.write_all(text.as_bytes()).expect("appending");
}

fn transcript(root: &Path, project: &str, session: &str) -> PathBuf {
    let dir = root
        .join("projects")
        .join(format!("-home-dev-src-{project}"));
    std::fs::create_dir_all(&dir).expect("creating a project folder");
    dir.join(format!("{session}.jsonl"))
}

/// ccwatch on `data` (plus `args`) in a tmux pane of `size`, with a home
/// of its own so no user config file changes what is tested. When it
/// exits, the pane shows `CCWATCH-EXITED <status>`, then runs `after` (a
/// shell snippet) and stays open.
fn dashboard_in_tmux(
    name: &str,
    data: &Path,
    home: &Path,
    args: &str,
    after: &str,
    extra_env: &[(&str, &str)],
    size: (u16, u16),
) -> Tmux {
    let command = format!(
        "{} --dir {} {args}; echo CCWATCH-EXITED $?; {after} sleep 30",
        env!("CARGO_BIN_EXE_ccwatch"),
        data.display()
    );
    let home = home.display().to_string();
    let mut env = vec![("HOME", home.clone()), ("XDG_CONFIG_HOME", home)];
    env.extend(extra_env.iter().map(|(k, v)| (*k, v.to_string())));
    Tmux::start(name, &command, &env, size)
}

/// The line of the list that holds the selection marker.
fn selected(screen: &str) -> String {
    screen
        .lines()
        .find(|l| l.starts_with('▸'))
        .unwrap_or("")
        .to_owned()
}

#[test]
fn the_dashboard_follows_appended_replies_switches_sessions_and_alerts() {
    if !tmux_available() {
        return;
    }
    let data = tempfile::tempdir().expect("a temp dir");
    let home = tempfile::tempdir().expect("a temp home");
    let webapp = transcript(data.path(), "webapp", WEBAPP);
    let api = transcript(data.path(), "api", API);
    append(
        &webapp,
        &(reply(WEBAPP, "webapp", 1, 80_000) + &reply(WEBAPP, "webapp", 2, 100_000)),
    );
    // Older, so the webapp session is the first row and selected.
    append(&api, &reply_at(API, "api", 1, 40_000, 60));

    let tmux = dashboard_in_tmux(
        "follow",
        data.path(),
        home.path(),
        "--no-bell",
        "",
        &[],
        (120, 40),
    );

    // Both sessions listed; the selected one's gauge at 50%.
    // (Waited for together: on a loaded machine a capture can catch a frame
    // half written.)
    tmux.wait_for("both sessions and the gauge", |s| {
        s.contains("webapp")
            && s.contains("api")
            && s.contains("50.0%")
            && s.contains("100k / 200k tokens")
    });
    assert_eq!(tmux.display("#{alternate_on}"), "1");

    // A new reply moves the gauge within a moment.
    append(&webapp, &reply(WEBAPP, "webapp", 3, 120_000));
    tmux.wait_for("the gauge at 60%", |s| {
        s.contains("60.0%") && s.contains("120k / 200k")
    });

    // Keys move the selection: j down, k up, Tab wraps.
    let first = selected(&tmux.capture());
    tmux.keys(&["j"]);
    let second = tmux.wait_for("j to move", |s| selected(s) != first);
    assert!(selected(&second).contains("api"), "{second}");
    tmux.keys(&["k"]);
    tmux.wait_for("k to move back", |s| selected(s) == first);
    tmux.keys(&["Tab", "Tab"]);
    tmux.wait_for("Tab twice to wrap", |s| selected(s) == first);
    tmux.keys(&["Tab"]);
    tmux.wait_for("Tab to move", |s| selected(s).contains("api"));
    tmux.keys(&["1"]);
    tmux.wait_for("1 to jump", |s| selected(s) == first);

    // Past 70 and then 85%: the banner names the session and the level.
    append(&webapp, &reply(WEBAPP, "webapp", 4, 150_000));
    tmux.wait_for("the 70% banner", |s| s.contains("passed 70%"));
    append(&webapp, &reply(WEBAPP, "webapp", 5, 176_000));
    tmux.wait_for("the 85% banner naming the session", |s| {
        s.contains("passed 85%") && s.contains("webapp 5e55101a") && s.contains("88.0%")
    });
    // Any key dismisses it (and does nothing else).
    tmux.keys(&["x"]);
    tmux.wait_for("the banner to go", |s| !s.contains("passed 85%"));

    // A 50-column pane: list and detail stacked, nothing wider than the pane.
    tmux.resize(50, 24);
    // (Waiting for all of it: tmux shows the old rows reflowed until the
    // redraw has arrived.)
    tmux.wait_for("the narrow layout", |s| {
        s.lines()
            .next()
            .is_some_and(|l| l.contains("Live sessions"))
            && s.lines()
                .nth(3)
                .is_some_and(|l| l.contains("webapp · 5e55101a"))
            && s.lines().all(|l| l.chars().count() <= 50)
            && s.contains("88.0%")
            && s.contains("eta")
    });

    // q quits and gives the terminal back.
    tmux.keys(&["q"]);
    tmux.wait_for("ccwatch to exit", |s| s.contains("CCWATCH-EXITED 0"));
    assert_eq!(tmux.display("#{alternate_on}"), "0");
    let screen = tmux.capture();
    let left: Vec<&str> = screen.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(left, ["CCWATCH-EXITED 0"], "{screen}");
}

/// Regression: after the pane grew while the dashboard ran (50x24 to
/// 120x40), quitting left the dashboard's top rows on the normal screen,
/// because tmux keeps the rows above the cursor of a resized alternate
/// screen. The alternate screen is now cleared before it is left.
#[test]
fn quitting_after_the_pane_grew_leaves_nothing_behind() {
    if !tmux_available() {
        return;
    }
    let data = tempfile::tempdir().expect("a temp dir");
    let home = tempfile::tempdir().expect("a temp home");
    append(
        &transcript(data.path(), "webapp", WEBAPP),
        &reply(WEBAPP, "webapp", 1, 90_000),
    );
    let tmux = dashboard_in_tmux(
        "grow",
        data.path(),
        home.path(),
        "--no-bell",
        "",
        &[],
        (50, 24),
    );
    tmux.wait_for("the session", |s| s.contains("45.0%"));
    tmux.resize(120, 40);
    tmux.wait_for("the wide layout", |s| {
        s.lines()
            .next()
            .is_some_and(|l| l.contains("webapp · 5e55101a"))
    });
    tmux.keys(&["q"]);
    let screen = tmux.wait_for("ccwatch to exit", |s| s.contains("CCWATCH-EXITED 0"));
    let left: Vec<&str> = screen.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(left, ["CCWATCH-EXITED 0"], "{screen}");
}

/// How the dashboard ends: the pane's screen afterwards, with the exit
/// status and whether the terminal is back in cooked (line) mode.
fn ending(name: &str, extra_env: &[(&str, &str)], end: impl FnOnce(&Tmux)) -> String {
    let data = tempfile::tempdir().expect("a temp dir");
    let home = tempfile::tempdir().expect("a temp home");
    append(
        &transcript(data.path(), "webapp", WEBAPP),
        &reply(WEBAPP, "webapp", 1, 90_000),
    );
    let tmux = dashboard_in_tmux(
        name,
        data.path(),
        home.path(),
        "--no-bell",
        "stty -a | grep -q -- ' icanon' && echo COOKED;",
        extra_env,
        (80, 24),
    );
    if extra_env.is_empty() {
        tmux.wait_for("the session", |s| s.contains("45.0%"));
        assert_eq!(tmux.display("#{alternate_on}"), "1");
    }
    end(&tmux);
    let screen = tmux.wait_for("ccwatch to exit", |s| s.contains("COOKED"));
    assert_eq!(tmux.display("#{alternate_on}"), "0", "{screen}");
    screen
}

/// The pid of the pane's child process (ccwatch, under the pane's shell).
fn dashboard_pid(tmux: &Tmux) -> String {
    let shell = tmux.display("#{pane_pid}");
    let children = format!("/proc/{shell}/task/{shell}/children");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let found = std::fs::read_to_string(&children).unwrap_or_default();
        if let Some(pid) = found.split_whitespace().next() {
            return pid.to_owned();
        }
        assert!(Instant::now() < deadline, "no child under the pane's shell");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn ctrl_c_sigterm_and_a_panic_all_give_the_terminal_back() {
    if !tmux_available() {
        return;
    }
    let screen = ending("ctrl-c", &[], |t| t.keys(&["C-c"]));
    assert!(screen.contains("CCWATCH-EXITED 0"), "{screen}");

    let screen = ending("sigterm", &[], |t| {
        let pid = dashboard_pid(t);
        let out = Command::new("kill")
            .args(["-TERM", &pid])
            .output()
            .expect("kill");
        assert!(out.status.success(), "{out:?}");
    });
    assert!(screen.contains("CCWATCH-EXITED 0"), "{screen}");

    // A panic on a background task: the message is readable on the normal
    // screen and the process ends instead of drawing on.
    let quiet = ("RUST_BACKTRACE", "0");
    let screen = ending("panic", &[("CCWATCH_TEST_PANIC", "engine"), quiet], |_| {});
    assert!(
        screen.contains("CCWATCH_TEST_PANIC in a background task"),
        "{screen}"
    );
    assert!(screen.contains("CCWATCH-EXITED 101"), "{screen}");

    let screen = ending("panic-ui", &[("CCWATCH_TEST_PANIC", "ui"), quiet], |_| {});
    assert!(
        screen.contains("CCWATCH_TEST_PANIC in the dashboard"),
        "{screen}"
    );
    assert!(screen.contains("CCWATCH-EXITED 101"), "{screen}");
}

/// GET `path` from `addr`; the response body.
fn http_get(addr: &str, path: &str) -> String {
    use std::io::Read;
    let mut stream = std::net::TcpStream::connect(addr).expect("connecting to --serve");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("sending the request");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("reading");
    response
        .split_once("\r\n\r\n")
        .map_or(String::new(), |(_, body)| body.to_owned())
}

#[test]
fn the_dashboard_serves_metrics_beside_the_screen() {
    if !tmux_available() {
        return;
    }
    let data = tempfile::tempdir().expect("a temp dir");
    let home = tempfile::tempdir().expect("a temp home");
    let webapp = transcript(data.path(), "webapp", WEBAPP);
    append(&webapp, &reply(WEBAPP, "webapp", 1, 90_000));
    let tmux = dashboard_in_tmux(
        "serve",
        data.path(),
        home.path(),
        "--no-bell --serve 127.0.0.1:0",
        "",
        &[],
        (100, 30),
    );
    let screen = tmux.wait_for("the metrics address", |s| {
        s.contains("Serving metrics on http://127.0.0.1:")
    });
    let addr = screen
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .expect("an address on screen")
        .to_owned();
    let ratio = |body: &str| {
        body.lines()
            .find(|l| l.starts_with("ccwatch_context_ratio{") && l.contains(WEBAPP))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse::<f64>().ok())
    };
    assert_eq!(ratio(&http_get(&addr, "/metrics")), Some(0.45));

    // A new reply moves the screen and the metrics alike.
    append(&webapp, &reply(WEBAPP, "webapp", 2, 120_000));
    tmux.wait_for("the gauge at 60%", |s| s.contains("60.0%"));
    let deadline = Instant::now() + Duration::from_secs(10);
    while ratio(&http_get(&addr, "/metrics")) != Some(0.6) {
        assert!(Instant::now() < deadline, "the metrics did not follow");
        std::thread::sleep(Duration::from_millis(100));
    }
    tmux.keys(&["q"]);
    tmux.wait_for("ccwatch to exit", |s| s.contains("CCWATCH-EXITED 0"));
}

#[test]
fn a_taken_port_is_said_before_the_screen_changes() {
    if !tmux_available() {
        return;
    }
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let addr = taken.local_addr().expect("its address").to_string();
    let data = tempfile::tempdir().expect("a temp dir");
    let home = tempfile::tempdir().expect("a temp home");
    let tmux = dashboard_in_tmux(
        "taken",
        data.path(),
        home.path(),
        &format!("--serve {addr}"),
        "",
        &[],
        (100, 20),
    );
    let screen = tmux.wait_for("ccwatch to exit", |s| s.contains("CCWATCH-EXITED"));
    let said: Vec<&str> = screen.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(said.len(), 2, "{screen}");
    assert!(
        said[0].starts_with(&format!("ccwatch: cannot listen on {addr}")),
        "{screen}"
    );
    assert_eq!(said[1], "CCWATCH-EXITED 1");
    drop(taken);
}

/// A line of a turn, written `seconds_ago`: a prompt (`None`) or a
/// response that calls Bash (`Some(false)`) or ends the turn (`Some(true)`).
fn turn_line(session: &str, n: u32, response: Option<bool>, seconds_ago: i64) -> String {
    let at = chrono::Utc::now() - chrono::Duration::seconds(seconds_ago);
    let ts = at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    let head = serde_json::json!({
        "parentUuid": null, "isSidechain": false, "userType": "external",
        "cwd": "/home/dev/src/webapp", "sessionId": session, "version": "2.1.197",
        "uuid": format!("{session}-t{n}"), "timestamp": ts,
    });
    let mut line = head.as_object().unwrap().clone();
    match response {
        None => {
            line.insert("type".into(), "user".into());
            line.insert(
                "message".into(),
                serde_json::json!({"role": "user", "content": "go"}),
            );
        }
        Some(ended) => {
            let content = if ended {
                serde_json::json!([{"type": "text", "text": "done"}])
            } else {
                serde_json::json!([{"type": "tool_use", "id": format!("toolu_{n}"), "name": "Bash", "input": {}}])
            };
            line.insert("type".into(), "assistant".into());
            line.insert("requestId".into(), format!("req_t{n}").into());
            line.insert(
                "message".into(),
                serde_json::json!({
                    "model": "claude-sonnet-4-5-20250929", "id": format!("msg_t{n}"),
                    "type": "message", "role": "assistant", "content": content,
                    "stop_reason": if ended { "end_turn" } else { "tool_use" },
                    "usage": {"input_tokens": 3, "cache_creation_input_tokens": 1_000,
                              "cache_read_input_tokens": 20_000, "output_tokens": 50}
                }),
            );
        }
    }
    serde_json::Value::Object(line).to_string() + "\n"
}

#[test]
fn the_mark_and_the_bell_follow_a_session_from_working_to_waiting() {
    if !tmux_available() {
        return;
    }
    let data = tempfile::tempdir().expect("a temp dir");
    let home = tempfile::tempdir().expect("a temp home");
    let webapp = transcript(data.path(), "webapp", WEBAPP);
    // A finished turn: the session waits for the person.
    append(
        &webapp,
        &(turn_line(WEBAPP, 1, None, 600) + &turn_line(WEBAPP, 2, Some(true), 590)),
    );
    // A process holding the transcript, as a running Claude Code is seen.
    let mut holder = Command::new("sleep")
        .arg("60")
        .stdin(std::fs::File::open(&webapp).expect("opening the transcript"))
        .spawn()
        .expect("starting a holder");
    let hook_out = data.path().join("hook.txt");
    let args = format!(
        "--alert-waiting 1m --on-alert \"sh -c 'echo \\$CCWATCH_LEVEL >> {}'\"",
        hook_out.display()
    );
    let tmux = dashboard_in_tmux(
        "waiting",
        data.path(),
        home.path(),
        &args,
        "",
        &[],
        (80, 24),
    );
    tmux.run(&["set-option", "-g", "monitor-bell", "on"]);
    tmux.wait_for("the waiting mark", |s| {
        selected(s).starts_with("▸ ● webapp")
    });
    // The person answers; Claude works on a Bash call for a minute and a half.
    append(
        &webapp,
        &(turn_line(WEBAPP, 3, None, 90) + &turn_line(WEBAPP, 4, Some(false), 60)),
    );
    let screen = tmux.wait_for("the working mark", |s| {
        selected(s).starts_with("▸ ◐ webapp")
    });
    assert!(!screen.contains("▸ ●"), "{screen}");
    assert_eq!(tmux.display("#{window_bell_flag}"), "0");

    append(&webapp, &turn_line(WEBAPP, 5, Some(true), 0));
    let screen = tmux.wait_for("the waiting mark", |s| {
        selected(s).starts_with("▸ ● webapp")
    });
    assert!(
        screen.contains("is waiting for you (worked 1m)"),
        "{screen}"
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::fs::read_to_string(&hook_out)
        .unwrap_or_default()
        .is_empty()
    {
        assert!(Instant::now() < deadline, "the hook never ran");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(std::fs::read_to_string(&hook_out).unwrap(), "waiting\n");
    assert_eq!(tmux.display("#{window_bell_flag}"), "1", "the bell rang");
    let _ = holder.kill();
    let _ = holder.wait();
}

// ---- gauge (issue 13): budgets and the alerts beyond the thresholds ----

/// A daily budget in the config: the footer gauge, and an alert through the
/// banner and the `--on-alert` hook (`CCWATCH_LEVEL=budget-80`, then
/// `budget-100`) when a reply takes the day past it.
#[test]
fn a_daily_budget_shows_as_a_gauge_and_alerts_through_the_hook() {
    if !tmux_available() {
        return;
    }
    let data = tempfile::tempdir().expect("a temp dir");
    let home = tempfile::tempdir().expect("a temp home");
    let webapp = transcript(data.path(), "webapp", WEBAPP);
    // Two replies of about $0.03 each at the built-in Sonnet 4.5 prices.
    append(
        &webapp,
        &(reply(WEBAPP, "webapp", 1, 80_000) + &reply(WEBAPP, "webapp", 2, 100_000)),
    );
    let out = home.path().join("hook.out");
    let hook = home.path().join("hook.sh");
    std::fs::write(
        &hook,
        format!(
            "#!/bin/sh\nprintf '%s|%s|%s|%s\\n' \"$CCWATCH_LEVEL\" \"$CCWATCH_PERIOD\" \"$CCWATCH_BUDGET_USD\" \"${{CCWATCH_SESSION_ID-none}}\" >> {}\n",
            out.display()
        ),
    )
    .expect("writing the hook");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755))
            .expect("making the hook runnable");
    }
    let config = home.path().join("ccwatch/config.toml");
    std::fs::create_dir_all(config.parent().unwrap()).expect("a config dir");
    std::fs::write(
        &config,
        format!("on_alert = \"{}\"\n[budget]\ndaily = 0.1\n", hook.display()),
    )
    .expect("writing the config");

    let tmux = dashboard_in_tmux(
        "budget",
        data.path(),
        home.path(),
        "--no-bell",
        "",
        &[("TZ", "UTC")],
        (120, 40),
    );
    // About $0.07 of $0.10: the gauge, and no alert for what was there.
    let screen = tmux.wait_for("the budget gauge", |s| s.contains("day ▰"));
    assert!(screen.contains("/$0.10"), "{screen}");
    assert!(!screen.contains("budget passed"), "{screen}");

    append(&webapp, &reply(WEBAPP, "webapp", 3, 100_000));
    let screen = tmux.wait_for("the budget banner", |s| {
        s.contains("Your daily budget passed 100%")
    });
    assert!(screen.contains("of $0.10"), "{screen}");
    let deadline = Instant::now() + Duration::from_secs(10);
    let lines = loop {
        let text = std::fs::read_to_string(&out).unwrap_or_default();
        if text.lines().count() >= 2 || Instant::now() > deadline {
            break text;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    // Each hook is its own process, started without waiting: two started
    // close together may write in either order.
    let mut got: Vec<&str> = lines.lines().collect();
    got.sort_unstable();
    assert_eq!(
        got,
        ["budget-100|daily|0.10|none", "budget-80|daily|0.10|none"],
        "{lines}"
    );
    // The first key dismisses the banner, the next quits.
    tmux.keys(&["x"]);
    tmux.wait_for("the banner to go", |s| !s.contains("budget passed"));
    tmux.keys(&["q"]);
    tmux.wait_for("ccwatch to exit", |s| s.contains("CCWATCH-EXITED 0"));
}

// Bug (issue 15): on a data directory where no session was live the
// dashboard opened blank until `a` was pressed. It now shows the most
// recent sessions, dimmed, and says none is live.
#[test]
fn with_no_live_session_the_most_recent_ones_show() {
    if !tmux_available() {
        return;
    }
    let data = tempfile::tempdir().expect("a temp dir");
    let home = tempfile::tempdir().expect("a temp home");
    // Both last replied yesterday, the API session more recently.
    append(
        &transcript(data.path(), "webapp", WEBAPP),
        &reply_at(WEBAPP, "webapp", 1, 90_000, 30 * 3600),
    );
    append(
        &transcript(data.path(), "api", API),
        &reply_at(API, "api", 1, 40_000, 26 * 3600),
    );
    let tmux = dashboard_in_tmux(
        "recent",
        data.path(),
        home.path(),
        "--no-bell",
        "",
        &[],
        (80, 24),
    );
    let screen = tmux.wait_for("the recent sessions", |s| {
        s.contains("None live · recent sessions (2)") && s.contains("45.0%")
    });
    assert!(selected(&screen).contains("api"), "{screen}");
    assert!(
        screen.contains("none live · 2 most recent shown"),
        "{screen}"
    );
    // A reply makes its session live: the list is the live one again.
    append(
        &transcript(data.path(), "webapp", WEBAPP),
        &reply(WEBAPP, "webapp", 2, 100_000),
    );
    let screen = tmux.wait_for("the live list", |s| s.contains("Live sessions (1)"));
    assert!(selected(&screen).contains("webapp"), "{screen}");
    assert!(screen.contains("1 idle hidden (a)"), "{screen}");
    tmux.keys(&["q"]);
    tmux.wait_for("ccwatch to exit", |s| s.contains("CCWATCH-EXITED 0"));
}

// Bug (issue 15): the dashboard never said that lines were skipped, and
// its help overlay was cut off in panes under 24 rows. The bottom line now
// counts skipped lines, `!` lists them by reason and file, and the help
// scrolls with j/k.
#[test]
fn skipped_lines_are_counted_and_listed_and_the_help_scrolls() {
    if !tmux_available() {
        return;
    }
    let data = tempfile::tempdir().expect("a temp dir");
    let home = tempfile::tempdir().expect("a temp home");
    let path = transcript(data.path(), "webapp", WEBAPP);
    append(&path, &reply(WEBAPP, "webapp", 1, 90_000));
    append(&path, "{\"type\":\"assistant\", cut off\n\u{1}not json\n");
    let tmux = dashboard_in_tmux(
        "skips",
        data.path(),
        home.path(),
        "--no-bell",
        "",
        &[],
        (40, 16),
    );
    tmux.wait_for("the skipped count", |s| s.contains("2 lines skipped (!)"));
    tmux.keys(&["!"]);
    let screen = tmux.wait_for("the skipped overlay", |s| s.contains("By file"));
    assert!(screen.contains("2 malformed lines"), "{screen}");
    assert!(
        screen.contains("2 -home-dev-src-w…0000000a.jsonl"),
        "{screen}"
    );
    tmux.keys(&["x"]);
    tmux.wait_for("the overlay closed", |s| !s.contains("By file"));
    tmux.keys(&["?"]);
    let top = tmux.wait_for("the help", |s| s.contains("Keys") && s.contains("1-14/"));
    assert!(top.contains("Ctrl-C"), "{top}");
    tmux.keys(&["j", "j"]);
    let down = tmux.wait_for("the help scrolled", |s| s.contains("3-16/"));
    assert!(!down.contains("Ctrl-C"), "{down}");
    tmux.keys(&["Up"]);
    tmux.wait_for("the help scrolled back", |s| s.contains("2-15/"));
    tmux.keys(&["q"]);
    tmux.wait_for("ccwatch to exit", |s| s.contains("CCWATCH-EXITED 0"));
}

// ---- attrib: the zoomed session's "what filled it" panel ----

/// A reply (with usage, written now) that calls `tool` on `target`.
fn calling(session: &str, n: u32, prompt: u64, tool: &str, input: serde_json::Value) -> String {
    let ts = chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    let line = serde_json::json!({
        "type": "assistant", "isSidechain": false, "cwd": "/home/dev/src/webapp",
        "sessionId": session, "timestamp": ts, "requestId": format!("req_{n}"),
        "message": {
            "model": "claude-sonnet-4-5-20250929", "id": format!("msg_{n}"), "role": "assistant",
            "content": [{"type": "tool_use", "id": format!("toolu_{n}"), "name": tool, "input": input}],
            "usage": {"input_tokens": 3, "cache_read_input_tokens": prompt - 3, "output_tokens": 50}
        }
    });
    line.to_string() + "\n"
}

/// The result of call `n`, `bytes` long.
fn result_of(session: &str, n: u32, bytes: usize) -> String {
    let ts = chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    let line = serde_json::json!({
        "type": "user", "isSidechain": false, "cwd": "/home/dev/src/webapp",
        "sessionId": session, "timestamp": ts,
        "message": {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": format!("toolu_{n}"), "content": "x".repeat(bytes)}
        ]}
    });
    line.to_string() + "\n"
}

#[test]
fn the_zoomed_session_shows_what_filled_it_and_follows_a_new_turn() {
    if !tmux_available() {
        return;
    }
    let data = tempfile::tempdir().expect("a temp dir");
    let home = tempfile::tempdir().expect("a temp home");
    let webapp = transcript(data.path(), "webapp", WEBAPP);
    let read = serde_json::json!({"file_path": "/home/dev/src/webapp/src/big.rs"});
    append(
        &webapp,
        &(calling(WEBAPP, 1, 20_000, "Read", read)
            + &result_of(WEBAPP, 1, 40_000)
            + &calling(
                WEBAPP,
                2,
                30_000,
                "Bash",
                serde_json::json!({"command": "ls"}),
            )),
    );
    let tmux = dashboard_in_tmux("filled", data.path(), home.path(), "", "", &[], (60, 40));
    tmux.wait_for("the dashboard", |s| s.contains("webapp"));
    tmux.keys(&["Enter"]);
    tmux.wait_for("the panel with the big read first", |s| {
        s.contains("What filled it")
            && s.lines()
                .skip_while(|l| !l.starts_with("Top items"))
                .nth(1)
                .is_some_and(|l| l.starts_with("Read src/big.rs"))
    });
    // A new turn: the command's result arrives, then the next reply.
    append(
        &webapp,
        &(result_of(WEBAPP, 2, 80_000)
            + &calling(
                WEBAPP,
                3,
                50_000,
                "Grep",
                serde_json::json!({"pattern": "x"}),
            )),
    );
    tmux.wait_for("the new turn's result on top", |s| {
        s.lines()
            .skip_while(|l| !l.starts_with("Top items"))
            .nth(1)
            .is_some_and(|l| l.starts_with("Bash ls"))
    });
}

/// The rows of the turn timeline, each as its words (time, occupancy, Δ,
/// then the largest item): the panel's lines below its title, cut to the
/// panel's columns (it may stand beside the session's detail).
fn timeline_rows(screen: &str) -> Vec<Vec<String>> {
    let lines: Vec<&str> = screen.lines().collect();
    let Some((top, col)) = lines.iter().enumerate().find_map(|(i, l)| {
        l.find(" Turns · ")
            .map(|byte| (i, l[..byte].chars().count()))
    }) else {
        return Vec::new();
    };
    lines[top + 1..]
        .iter()
        .map(|l| {
            let row: String = l.chars().skip(col).collect();
            row.split_whitespace()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .take_while(|words| !words.is_empty())
        .collect()
}

/// A timeline row's occupancy, Δ and item, for comparing.
fn turn_of(row: &[String]) -> (String, String, String) {
    (
        row.get(1).cloned().unwrap_or_default(),
        row.get(2).cloned().unwrap_or_default(),
        row.get(3..).map(|w| w.join(" ")).unwrap_or_default(),
    )
}

fn turn(occupancy: &str, delta: &str, item: &str) -> (String, String, String) {
    (occupancy.into(), delta.into(), item.into())
}

/// Issue 16: `t` in the zoomed session opens the turn timeline, and the
/// timeline follows the transcript: a turn appended while it is open shows
/// up as a new row with its occupancy, its Δ and its largest item.
#[test]
fn the_timeline_follows_a_growing_session_turn_by_turn() {
    if !tmux_available() {
        return;
    }
    let data = tempfile::tempdir().expect("a temp dir");
    let home = tempfile::tempdir().expect("a temp home");
    let webapp = transcript(data.path(), "webapp", WEBAPP);
    let read = serde_json::json!({"file_path": "/home/dev/src/webapp/src/big.rs"});
    append(
        &webapp,
        &(calling(WEBAPP, 1, 20_000, "Read", read)
            + &result_of(WEBAPP, 1, 40_000)
            + &calling(
                WEBAPP,
                2,
                30_000,
                "Bash",
                serde_json::json!({"command": "ls"}),
            )),
    );
    let tmux = dashboard_in_tmux(
        "timeline",
        data.path(),
        home.path(),
        "--no-bell",
        "",
        &[],
        (100, 40),
    );
    tmux.wait_for("the dashboard", |s| s.contains("webapp"));
    tmux.keys(&["Enter"]);
    tmux.wait_for("the zoomed panel", |s| s.contains("What filled it"));
    tmux.keys(&["t"]);
    let screen = tmux.wait_for("the timeline with two turns", |s| {
        timeline_rows(s).len() == 2
    });
    let before: Vec<_> = timeline_rows(&screen).iter().map(|r| turn_of(r)).collect();
    assert_eq!(
        before,
        [
            turn("20k", "start", ""),
            turn("30k", "+10k", "Read src/big.rs")
        ],
        "{screen}"
    );
    // A new turn: the command's result arrives, then the next reply.
    append(
        &webapp,
        &(result_of(WEBAPP, 2, 70_000)
            + &calling(
                WEBAPP,
                3,
                47_500,
                "Grep",
                serde_json::json!({"pattern": "x"}),
            )),
    );
    let screen = tmux.wait_for("the new turn in the timeline", |s| {
        timeline_rows(s).len() == 3
    });
    let after: Vec<_> = timeline_rows(&screen).iter().map(|r| turn_of(r)).collect();
    assert_eq!(after[..2], before[..], "{screen}");
    assert_eq!(after[2], turn("47.5k", "+17.5k", "Bash ls"), "{screen}");
}

/// Issue 17: `r` shows the selected session's resume command and copies
/// it with OSC 52 (tmux keeps it as a paste buffer), and `f` narrows the
/// list to the sessions whose prompts or replies match, as you type.
#[test]
fn r_copies_the_resume_command_and_f_narrows_the_list_as_you_type() {
    if !tmux_available() {
        return;
    }
    let home = tempfile::tempdir().expect("a temp home");
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/search");
    let tmux = dashboard_in_tmux(
        "search",
        &data,
        home.path(),
        "--no-bell",
        "",
        &[],
        (120, 40),
    );
    let out = tmux.run(&["set-option", "-g", "set-clipboard", "on"]);
    assert!(out.status.success(), "{out:?}");
    // Every session of the fixture is long idle: they show as the recent
    // ones (none is live); `a` shows them all.
    tmux.wait_for("the recent sessions", |s| {
        s.contains("None live · recent sessions (3)")
    });
    tmux.keys(&["a"]);
    tmux.wait_for("all three listed", |s| s.contains("All sessions (3)"));

    // The newest session is selected; its folder has a space and a quote.
    tmux.keys(&["r"]);
    let command = r"cd '/home/dev/my project/it'\''s odd' && claude --resume bbbb2222-0000-4000-8000-000000000002";
    tmux.wait_for("the resume command on screen", |s| s.contains(command));
    let buffer = tmux.run(&["show-buffer"]);
    assert_eq!(
        String::from_utf8_lossy(&buffer.stdout),
        command,
        "{buffer:?}"
    );

    // "in" is in a prompt of each session; "inj" only in one reply.
    tmux.keys(&["f", "i", "n"]);
    tmux.wait_for("three matches", |s| {
        s.contains("find: in") && s.contains("All sessions (3)") && !s.contains("searching")
    });
    tmux.keys(&["j"]);
    let screen = tmux.wait_for("one match", |s| {
        s.contains("find: inj") && s.contains("All sessions (1)") && !s.contains("searching")
    });
    assert!(selected(&screen).contains("bbbb2222"), "{screen}");
    // Esc drops the search: all three again.
    tmux.keys(&["Escape"]);
    tmux.wait_for("the search cleared", |s| {
        s.contains("All sessions (3)") && !s.contains("find:")
    });
}

// costUnlogged (issue 14): Claude Code's own cost of a session, kept by the
// status line as a hint, shows in the panel as what the transcripts miss,
// and follows a new figure with no new reply.
#[test]
fn the_panel_shows_what_claude_code_paid_beyond_the_transcripts() {
    if !tmux_available() {
        return;
    }
    let data = tempfile::tempdir().expect("a temp dir");
    let home = tempfile::tempdir().expect("a temp home");
    let cache = tempfile::tempdir().expect("a temp cache");
    append(
        &transcript(data.path(), "webapp", WEBAPP),
        &reply_at(WEBAPP, "webapp", 1, 100_000, 60),
    );
    // ccwatch's own figure for the session, to put Claude Code's above it.
    let status = Command::new(env!("CARGO_BIN_EXE_ccwatch"))
        .env("HOME", home.path())
        .env("CCWATCH_CACHE_DIR", cache.path())
        .args(["status", "--json", "--dir"])
        .arg(data.path())
        .output()
        .expect("ccwatch status");
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).expect("status JSON");
    let ours = status["sessions"][0]["costUSD"].as_f64().expect("a cost");
    let cache_dir = cache.path().display().to_string();
    let tmux = dashboard_in_tmux(
        "unlogged",
        data.path(),
        home.path(),
        "--no-bell",
        "",
        &[("CCWATCH_CACHE_DIR", &cache_dir)],
        (80, 30),
    );
    let screen = tmux.wait_for("the session's cost", |s| s.contains("cost   $"));
    assert!(!screen.contains("not in transcripts"), "{screen}");
    let hint = serde_json::json!({
        "format": 1, "sessionId": WEBAPP,
        "time": chrono::Utc::now().timestamp_millis(),
        "currentTokens": 100_000, "costUSD": ours + 0.14,
    });
    let dir = cache.path().join("hints");
    std::fs::create_dir_all(&dir).expect("the hints folder");
    let tmp = dir.join(".hint.tmp");
    std::fs::write(&tmp, hint.to_string()).expect("writing the hint");
    std::fs::rename(&tmp, dir.join(format!("{WEBAPP}.json"))).expect("placing the hint");
    let screen = tmux.wait_for("the unlogged cost", |s| {
        s.contains("+$0.14 not in transcripts")
    });
    let cost_row = screen
        .lines()
        .position(|l| l.starts_with("cost   $"))
        .expect("the cost row");
    assert!(
        screen
            .lines()
            .nth(cost_row + 1)
            .is_some_and(|l| l.trim() == "+$0.14 not in transcripts"),
        "{screen}"
    );
    tmux.keys(&["q"]);
    tmux.wait_for("ccwatch to exit", |s| s.contains("CCWATCH-EXITED 0"));
}

// ---- ctx: the turn timeline scrolls (issue 16) ----

/// Turn `n` of a session: a reply calling `echo n` with `20k + n·1k` in
/// the context, then the call's small result.
fn numbered_turn(n: u32) -> String {
    let command = serde_json::json!({"command": format!("echo {n}")});
    calling(WEBAPP, n, 20_000 + u64::from(n) * 1_000, "Bash", command) + &result_of(WEBAPP, n, 100)
}

/// The timeline's turn rows' occupancies, and its "↓ N newer" mark.
fn timeline_occupancies(screen: &str) -> (Vec<String>, Option<String>) {
    let rows = timeline_rows(screen);
    let mark = rows
        .iter()
        .find(|r| r.first().is_some_and(|w| w == "↓"))
        .map(|r| r.join(" "));
    let turns = rows
        .iter()
        .filter(|r| r.first().is_some_and(|w| w != "↓"))
        .map(|r| turn_of(r).0)
        .collect();
    (turns, mark)
}

/// Issue 16: a session with more turns than the panel has rows. The
/// timeline first shows the newest; ↑ and k scroll it up to older turns
/// that were not on screen and say how many are newer; a turn arriving
/// while scrolled up leaves the view where it is (the mark counts it);
/// End goes back to the newest and follows again, Home to the oldest.
#[test]
fn the_timeline_scrolls_to_older_turns_and_stays_put_as_new_ones_arrive() {
    if !tmux_available() {
        return;
    }
    let data = tempfile::tempdir().expect("a temp dir");
    let home = tempfile::tempdir().expect("a temp home");
    let webapp = transcript(data.path(), "webapp", WEBAPP);
    append(&webapp, &(1..=60).map(numbered_turn).collect::<String>());
    let tmux = dashboard_in_tmux(
        "timeline-scroll",
        data.path(),
        home.path(),
        "--no-bell",
        "",
        &[],
        (100, 30),
    );
    tmux.wait_for("the dashboard", |s| s.contains("webapp"));
    tmux.keys(&["Enter"]);
    tmux.wait_for("the zoomed panel", |s| s.contains("What filled it"));
    tmux.keys(&["t"]);
    let screen = tmux.wait_for("the newest turns", |s| {
        timeline_occupancies(s).0.last().is_some_and(|o| o == "80k")
    });
    let (newest, mark) = timeline_occupancies(&screen);
    assert_eq!(mark, None, "{screen}");
    assert!(newest.len() < 60, "the panel is shorter than the session");
    assert!(!newest.contains(&"40k".to_owned()), "{screen}");
    // Five rows up: one for the mark, four more turns at the top.
    tmux.keys(&["Up", "k", "Up", "k", "k"]);
    let screen = tmux.wait_for("the view five rows up", |s| {
        timeline_occupancies(s)
            .1
            .is_some_and(|m| m.starts_with("↓ 5 newer"))
    });
    let (older, _) = timeline_occupancies(&screen);
    assert_eq!(older.last().map(String::as_str), Some("75k"), "{screen}");
    let first = older.first().cloned().unwrap_or_default();
    assert!(!newest.contains(&first), "{first} was not shown: {screen}");
    assert_eq!(older.len(), newest.len() - 1, "{screen}");
    // A new turn while scrolled up: the same turns stay on screen.
    append(&webapp, &numbered_turn(61));
    let screen = tmux.wait_for("the new turn counted below", |s| {
        timeline_occupancies(s)
            .1
            .is_some_and(|m| m.starts_with("↓ 6 newer"))
    });
    assert_eq!(timeline_occupancies(&screen).0, older, "{screen}");
    // End: the newest again, and it follows.
    tmux.keys(&["End"]);
    tmux.wait_for("the newest turn at the bottom", |s| {
        let (turns, mark) = timeline_occupancies(s);
        mark.is_none() && turns.last().is_some_and(|o| o == "81k")
    });
    append(&webapp, &numbered_turn(62));
    tmux.wait_for("the next turn followed", |s| {
        timeline_occupancies(s).0.last().is_some_and(|o| o == "82k")
    });
    // Home (g): the oldest turn at the top.
    tmux.keys(&["g"]);
    tmux.wait_for("the oldest turn at the top", |s| {
        timeline_occupancies(s)
            .0
            .first()
            .is_some_and(|o| o == "21k")
    });
}

// issue 12 row 8, under the dashboard itself: a FIFO named `*.jsonl` in a
// project folder must neither stop the screen from following the real
// transcript nor keep `q` from ending it (the engine once opened the FIFO
// and waited for a writer for ever).
#[test]
fn a_fifo_named_like_a_transcript_never_stalls_the_dashboard_or_its_quit() {
    if !tmux_available() {
        return;
    }
    let data = tempfile::tempdir().expect("a temp dir");
    let home = tempfile::tempdir().expect("a temp home");
    let path = transcript(data.path(), "webapp", WEBAPP);
    append(&path, &reply(WEBAPP, "webapp", 1, 90_000));
    let tmux = dashboard_in_tmux(
        "fifo",
        data.path(),
        home.path(),
        "--no-bell",
        "",
        &[],
        (100, 30),
    );
    tmux.wait_for("the session", |s| s.contains("45.0%"));
    let fifo = path.with_file_name("0f1f0f1f-0000-4000-8000-000000000000.jsonl");
    let made = Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    // Touch it again so the watcher names it once more.
    let touched = Command::new("touch").arg(&fifo).status();
    assert!(touched.is_ok_and(|s| s.success()), "touch");
    append(&path, &reply(WEBAPP, "webapp", 2, 120_000));
    tmux.wait_for("the next reply", |s| s.contains("60.0%"));
    tmux.keys(&["q"]);
    tmux.wait_for("ccwatch to exit", |s| s.contains("CCWATCH-EXITED 0"));
}
