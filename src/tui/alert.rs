//! What an alert does outside the screen: the terminal bell, a desktop
//! notification (`--notify`) and the user's hook (`--on-alert`).
//!
//! None of it may stall the dashboard: the notification is sent from its own
//! thread, the hook is spawned and reaped without being waited on, and
//! failures come back as notices for the status line.

use super::app::{Alert, Banner};
use crate::alerts::CrossingKind;
use crate::alerts::limits::{LimitCrossing, LimitKind};
use crate::format;
use crate::record::format_timestamp;
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
    /// session or limit (its highest level), one hook run per crossing.
    pub fn fire(&self, crossed: &[Alert]) {
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

    fn notify(&self, a: &Alert) {
        let (summary, body) = notification(a);
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

/// A notification's summary and body.
fn notification(a: &Alert) -> (String, String) {
    match a {
        Alert::Session(b) => {
            let c = &b.crossing;
            let project = format::project_name(&b.project);
            let summary = match c.kind {
                CrossingKind::Percent => format!("{project} passed {}% of its context", c.level),
                CrossingKind::AutoCompact { at } => format!(
                    "{project} is {} tokens from auto-compact",
                    format::tokens(at.saturating_sub(c.tokens))
                ),
            };
            let body = format!(
                "Session {}: {} of {} tokens ({:.1}%).",
                format::short_id(&b.session_id),
                format::tokens(c.tokens),
                format::tokens(c.window),
                c.percent
            );
            (summary, body)
        }
        Alert::Limit(l) => {
            let r = &l.reading;
            let summary = format!("Your {} passed {}%", r.kind.label(), l.level);
            let body = match (r.spend, r.resets_at) {
                (Some((spent, budget)), _) => format!(
                    "{} of {} spent ({:.0}%).",
                    format::usd(spent),
                    format::usd(budget),
                    r.percent
                ),
                (None, Some(at)) => format!(
                    "{:.0}% used; resets at {}.",
                    r.percent,
                    format::local_time(at)
                ),
                (None, None) => format!("{:.0}% used.", r.percent),
            };
            (summary, body)
        }
    }
}

/// What one notification stands for: a session, or one limit.
fn subject(a: &Alert) -> (&str, Option<LimitKind>) {
    match a {
        Alert::Session(b) => (b.session_id.as_str(), None),
        Alert::Limit(l) => ("", Some(l.reading.kind)),
    }
}

fn highest_per_session(crossed: &[Alert]) -> Vec<&Alert> {
    let mut best: Vec<&Alert> = Vec::new();
    for a in crossed {
        match best.iter_mut().find(|k| subject(k) == subject(a)) {
            Some(k) if k.rank() < a.rank() => *k = a,
            Some(_) => {}
            None => best.push(a),
        }
    }
    best
}

/// What the hook is told, in its environment.
pub fn hook_env(a: &Alert) -> Vec<(&'static str, String)> {
    match a {
        Alert::Session(b) => session_env(b),
        Alert::Limit(l) => limit_env(l),
    }
}

fn session_env(b: &Banner) -> Vec<(&'static str, String)> {
    let c = &b.crossing;
    let mut env = vec![
        ("CCWATCH_SESSION_ID", b.session_id.clone()),
        ("CCWATCH_PROJECT", b.project.clone()),
        ("CCWATCH_LEVEL", c.name()),
        ("CCWATCH_PERCENT", format!("{:.2}", c.percent)),
        ("CCWATCH_TOKENS", c.tokens.to_string()),
        ("CCWATCH_WINDOW", c.window.to_string()),
    ];
    if let CrossingKind::AutoCompact { at } = c.kind {
        env.push(("CCWATCH_AUTO_COMPACT_AT", at.to_string()));
    }
    env
}

/// A limit is about the account: no session, the period instead.
fn limit_env(l: &LimitCrossing) -> Vec<(&'static str, String)> {
    let r = &l.reading;
    let mut env = vec![
        ("CCWATCH_LEVEL", l.name()),
        ("CCWATCH_PERIOD", r.kind.period().to_owned()),
        ("CCWATCH_PERCENT", format!("{:.2}", r.percent)),
    ];
    if let Some(at) = r.resets_at {
        env.push(("CCWATCH_RESETS_AT", format_timestamp(at)));
    }
    if let Some((spent, budget)) = r.spend {
        env.push(("CCWATCH_SPENT_USD", format!("{spent:.2}")));
        env.push(("CCWATCH_BUDGET_USD", format!("{budget:.2}")));
    }
    env
}

/// Start the hook from its argv (no shell, so nothing in a project path can
/// be taken as a command) and reap it in the background.
fn run_hook(argv: &[String], a: &Alert) -> std::io::Result<()> {
    spawn_hook(argv, hook_env(a))
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

    fn banner(id: &str, project: &str, level: u8) -> Alert {
        Alert::Session(Banner {
            session_id: id.into(),
            project: project.into(),
            crossing: Crossing {
                level,
                percent: 86.5,
                tokens: 173_000,
                window: 200_000,
                kind: CrossingKind::Percent,
            },
        })
    }

    fn budget(level: u8, spent: f64) -> Alert {
        Alert::Limit(LimitCrossing {
            level,
            reading: crate::alerts::limits::Reading {
                kind: LimitKind::Budget(crate::budget::BudgetPeriod::Daily),
                percent: spent * 5.0,
                resets_at: Some(1_796_000_000_000),
                spend: Some((spent, 20.0)),
            },
        })
    }

    fn env_of(a: &Alert) -> Vec<String> {
        hook_env(a)
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect()
    }

    #[test]
    fn the_hook_hears_which_kind_of_alert_it_is() {
        let mut near = banner("abc", "/p", 78);
        if let Alert::Session(b) = &mut near {
            b.crossing.kind = CrossingKind::AutoCompact { at: 155_000 };
            b.crossing.tokens = 147_000;
        }
        let env = env_of(&near);
        assert!(
            env.contains(&"CCWATCH_LEVEL=auto-compact".to_owned()),
            "{env:?}"
        );
        assert!(env.contains(&"CCWATCH_AUTO_COMPACT_AT=155000".to_owned()));
        assert_eq!(
            env_of(&budget(80, 16.5)),
            [
                "CCWATCH_LEVEL=budget-80",
                "CCWATCH_PERIOD=daily",
                "CCWATCH_PERCENT=82.50",
                "CCWATCH_RESETS_AT=2026-11-30T00:53:20.000Z",
                "CCWATCH_SPENT_USD=16.50",
                "CCWATCH_BUDGET_USD=20.00",
            ]
        );
        let (summary, body) = notification(&budget(80, 16.5));
        assert_eq!(summary, "Your daily budget passed 80%");
        assert_eq!(body, "$16.50 of $20.00 spent (82%).");
        let (summary, _) = notification(&near);
        assert_eq!(summary, "p is 8k tokens from auto-compact");
    }

    #[test]
    fn each_limit_gets_its_own_notification() {
        let all = [budget(80, 16.0), budget(100, 21.0), banner("a", "/p", 70)];
        let kept: Vec<String> = highest_per_session(&all).iter().map(|a| a.name()).collect();
        assert_eq!(kept, ["budget-100", "70"]);
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
            .map(|a| (subject(a).0, a.rank()))
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
