//! A tmux server of the test's own, for the tests that drive the real
//! dashboard in a real terminal and read it back with `capture-pane`.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// A tmux server of our own, killed when the test ends, pass or fail.
pub struct Tmux {
    socket: String,
    /// The server's socket file, removed at the end.
    socket_path: Option<PathBuf>,
}

impl Tmux {
    /// `name` keeps the servers of tests running in parallel apart.
    pub fn start(name: &str, command: &str, env: &[(&str, String)], (w, h): (u16, u16)) -> Tmux {
        let mut tmux = Tmux {
            socket: format!("ccwatch-test-{}-{name}", std::process::id()),
            socket_path: None,
        };
        let mut args: Vec<String> = ["-f", "/dev/null", "new-session", "-d", "-s", "t"]
            .map(String::from)
            .to_vec();
        args.extend(["-x".into(), w.to_string(), "-y".into(), h.to_string()]);
        for (k, v) in env {
            args.extend(["-e".into(), format!("{k}={v}")]);
        }
        args.push(command.into());
        let out = tmux.run(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(out.status.success(), "tmux new-session: {out:?}");
        tmux.socket_path = Some(PathBuf::from(tmux.display("#{socket_path}")));
        tmux
    }

    pub fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("running tmux")
    }

    pub fn capture(&self) -> String {
        let out = self.run(&["capture-pane", "-p", "-t", "t"]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend(keys);
        assert!(self.run(&args).status.success());
    }

    pub fn resize(&self, w: u16, h: u16) {
        let (w, h) = (w.to_string(), h.to_string());
        let out = self.run(&["resize-window", "-t", "t", "-x", &w, "-y", &h]);
        assert!(out.status.success(), "{out:?}");
    }

    pub fn display(&self, format: &str) -> String {
        let out = self.run(&["display-message", "-p", "-t", "t", format]);
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// Poll the pane until `ok` holds, for at most 30 seconds (a loaded
    /// 2-core machine can take seconds to start a process).
    pub fn wait_for(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.capture();
            if ok(&screen) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; the pane shows:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
        if let Some(p) = &self.socket_path {
            let _ = std::fs::remove_file(p);
        }
    }
}

pub fn tmux_available() -> bool {
    let found = Command::new("tmux").arg("-V").output().is_ok();
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "tmux is required on CI for the dashboard test"
        );
        eprintln!("note: tmux is not installed; skipping the dashboard end-to-end test");
    }
    found
}
