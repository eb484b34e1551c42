//! What an alert does outside the screen: the terminal bell, a desktop
//! notification (`--notify`) and the user's hook (`--on-alert`).
//!
//! None of it may stall the dashboard: the notification is sent from its own
//! thread, the hook is spawned and reaped without being waited on, and
//! failures come back as notices for the status line.

use super::app::Banner;
use crate::format;
use crate::settings::Options;
use std::io::Write;
use std::process::{Command, Stdio};
use tokio::sync::mpsc::UnboundedSender;

pub struct Alerter {
    bell: bool,
    notify: bool,
    hook: Option<Vec<String>>,
    /// Where failures are reported.
    notices: UnboundedSender<String>,
}

impl Alerter {
    pub fn new(options: &Options, notices: UnboundedSender<String>) -> Alerter {
        Alerter {
            bell: options.bell,
            notify: options.notify,
            hook: options.on_alert.clone().filter(|argv| !argv.is_empty()),
            notices,
        }
    }

    /// Everything crossed in one batch: one bell, one notification per
    /// session (its highest level), one hook run per crossing.
    pub fn fire(&self, crossed: &[Banner]) {
        if crossed.is_empty() {
            return;
        }
        if self.bell {
            let mut out = std::io::stdout();
            let _ = out.write_all(b"\x07").and_then(|_| out.flush());
        }
        if self.notify {
            for b in highest_per_session(crossed) {
                self.notify(b);
            }
        }
        if let Some(argv) = &self.hook {
            for b in crossed {
                if let Err(e) = run_hook(argv, b) {
                    let _ = self
                        .notices
                        .send(format!("--on-alert: cannot run {}: {e}.", argv[0]));
                }
            }
        }
    }

    fn notify(&self, b: &Banner) {
        let summary = format!(
            "{} passed {}% of its context",
            format::project_name(&b.project),
            b.crossing.level
        );
        let body = format!(
            "Session {}: {} of {} tokens ({:.1}%).",
            format::short_id(&b.session_id),
            format::tokens(b.crossing.tokens),
            format::tokens(b.crossing.window),
            b.crossing.percent
        );
        let notices = self.notices.clone();
        std::thread::spawn(move || {
            let sent = notify_rust::Notification::new()
                .appname("ccwatch")
                .summary(&summary)
                .body(&body)
                .show();
            if let Err(e) = sent {
                let _ = notices.send(format!("Desktop notification failed: {e}."));
            }
        });
    }
}

impl Alerter {
    /// A session started waiting after a long turn: the bell, a desktop
    /// notification, the hook (`CCWATCH_LEVEL=waiting`). Returns the line
    /// for the status bar.
    pub fn fire_waiting(&self, w: &super::waiting::WaitAlert) -> String {
        let line = format!(
            "{} {} is waiting for you (worked {}).",
            format::project_name(&w.project),
            format::short_id(&w.session_id),
            format::age(w.worked_ms, 0)
        );
        if self.bell {
            let mut out = std::io::stdout();
            let _ = out.write_all(b"\x07").and_then(|_| out.flush());
        }
        if self.notify {
            let (summary, notices) = (line.clone(), self.notices.clone());
            std::thread::spawn(move || {
                let sent = notify_rust::Notification::new()
                    .appname("ccwatch")
                    .summary(&summary)
                    .show();
                if let Err(e) = sent {
                    let _ = notices.send(format!("Desktop notification failed: {e}."));
                }
            });
        }
        if let Some(argv) = &self.hook {
            let env = vec![
                ("CCWATCH_SESSION_ID", w.session_id.clone()),
                ("CCWATCH_PROJECT", w.project.clone()),
                ("CCWATCH_LEVEL", "waiting".to_owned()),
                ("CCWATCH_WORKED_SECS", (w.worked_ms / 1000).to_string()),
            ];
            if let Err(e) = spawn_hook(argv, env) {
                let _ = self
                    .notices
                    .send(format!("--on-alert: cannot run {}: {e}.", argv[0]));
            }
        }
        line
    }
}

fn highest_per_session(crossed: &[Banner]) -> Vec<&Banner> {
    let mut best: Vec<&Banner> = Vec::new();
    for b in crossed {
        match best.iter_mut().find(|k| k.session_id == b.session_id) {
            Some(k) if k.crossing.level < b.crossing.level => *k = b,
            Some(_) => {}
            None => best.push(b),
        }
    }
    best
}

/// What the hook is told, in its environment.
pub fn hook_env(b: &Banner) -> Vec<(&'static str, String)> {
    let c = &b.crossing;
    vec![
        ("CCWATCH_SESSION_ID", b.session_id.clone()),
        ("CCWATCH_PROJECT", b.project.clone()),
        ("CCWATCH_LEVEL", c.level.to_string()),
        ("CCWATCH_PERCENT", format!("{:.2}", c.percent)),
        ("CCWATCH_TOKENS", c.tokens.to_string()),
        ("CCWATCH_WINDOW", c.window.to_string()),
    ]
}

/// Start the hook from its argv (no shell, so nothing in a project path can
/// be taken as a command) and reap it in the background.
fn run_hook(argv: &[String], b: &Banner) -> std::io::Result<()> {
    spawn_hook(argv, hook_env(b))
}

fn spawn_hook(argv: &[String], env: Vec<(&'static str, String)>) -> std::io::Result<()> {
    let (program, args) = argv
        .split_first()
        .ok_or_else(|| std::io::Error::other("empty command"))?;
    let mut child = Command::new(program)
        .args(args)
        .envs(env)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    std::thread::spawn(move || child.wait());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::Crossing;
    use std::time::{Duration, Instant};

    fn banner(id: &str, project: &str, level: u8) -> Banner {
        Banner {
            session_id: id.into(),
            project: project.into(),
            crossing: Crossing {
                level,
                percent: 86.5,
                tokens: 173_000,
                window: 200_000,
            },
        }
    }

    #[test]
    fn one_notification_per_session_at_its_highest_level() {
        let all = [
            banner("a", "/p", 70),
            banner("a", "/p", 85),
            banner("b", "/q", 70),
        ];
        let levels: Vec<(&str, u8)> = highest_per_session(&all)
            .iter()
            .map(|b| (b.session_id.as_str(), b.crossing.level))
            .collect();
        assert_eq!(levels, [("a", 85), ("b", 70)]);
    }

    #[cfg(unix)]
    #[test]
    fn the_hook_gets_the_details_in_its_environment_and_no_shell() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("env.txt");
        let pwned = dir.path().join("pwned");
        // A project path that a shell would run as a second command.
        let project = format!("/src/x; touch {}", pwned.display());
        let script = "printf '%s|%s|%s|%s|%s|%s' \"$CCWATCH_SESSION_ID\" \"$CCWATCH_PROJECT\" \
                      \"$CCWATCH_LEVEL\" \"$CCWATCH_PERCENT\" \"$CCWATCH_TOKENS\" \"$CCWATCH_WINDOW\" > \"$0\"";
        let argv: Vec<String> = vec![
            "sh".into(),
            "-c".into(),
            script.into(),
            out.display().to_string(),
        ];
        run_hook(&argv, &banner("abc", &project, 85)).unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        let text = loop {
            match std::fs::read_to_string(&out) {
                Ok(t) if !t.is_empty() => break t,
                _ if Instant::now() > deadline => panic!("the hook never wrote its output"),
                _ => std::thread::sleep(Duration::from_millis(20)),
            }
        };
        assert_eq!(text, format!("abc|{project}|85|86.50|173000|200000"));
        assert!(!pwned.exists());
    }

    #[test]
    fn a_missing_hook_program_is_reported_not_fatal() {
        let argv = vec!["/nonexistent/ccwatch-hook".to_owned()];
        assert!(run_hook(&argv, &banner("a", "/p", 70)).is_err());
    }
}
