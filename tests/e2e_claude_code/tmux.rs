//! Interactive Claude Code in a tmux server of its own, started inside the
//! namespace (its panes inherit it), read back with `capture-pane`.

use super::claude::Claude;
use super::netns::Netns;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// Killed (server and all its panes) on drop.
pub struct Tmux {
    socket: PathBuf,
}

impl Tmux {
    /// Start `program args` in a detached session, in `cwd`, with Claude
    /// Code's environment.
    pub fn start(
        netns: &Netns,
        claude: &Claude,
        socket: &Path,
        cwd: &Path,
        args: &[&str],
    ) -> Result<Tmux, String> {
        let mut cmd = netns.command("tmux");
        claude.environment(&mut cmd);
        cmd.arg("-S")
            .arg(socket)
            .args([
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                "cc",
                "-x",
                "150",
                "-y",
                "45",
                "-c",
            ])
            .arg(cwd)
            .arg(&claude.binary)
            .args(args);
        let out = cmd.output().map_err(|e| format!("cannot run tmux: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "tmux new-session: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(Tmux {
            socket: socket.to_path_buf(),
        })
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("running tmux")
    }

    pub fn capture(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "cc"]).stdout).into_owned()
    }

    /// Type `text` (literally), then Enter.
    pub fn type_line(&self, text: &str) {
        assert!(
            self.run(&["send-keys", "-t", "cc", "-l", text])
                .status
                .success()
        );
        std::thread::sleep(Duration::from_millis(300));
        assert!(
            self.run(&["send-keys", "-t", "cc", "Enter"])
                .status
                .success()
        );
    }

    /// Poll until `ok` holds, for at most `secs` seconds; the last screen
    /// in the panic message otherwise.
    pub fn wait_for(&self, what: &str, secs: u64, mut ok: impl FnMut(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let screen = self.capture();
            if ok(&screen) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("waited {secs}s for {what}; the screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Whether the pane's program is still running.
    pub fn alive(&self) -> bool {
        self.run(&["has-session", "-t", "cc"]).status.success()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
        let _ = std::fs::remove_file(&self.socket);
    }
}
