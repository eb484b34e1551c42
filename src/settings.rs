//! Resolved settings: flags, environment and config file merged once (flags
//! win, then the file, then defaults) into the values the commands use.

use crate::cli::{DataArgs, Gauge, UiArgs};
use crate::config::{self, ConfigFile, parse_command};
use crate::ledger::WindowPolicy;
use crate::source::discover::{DiscoveryEnv, ProjectsDir, Roots, find_roots};
use crate::source::reader::DEFAULT_LINE_CAP;
use crate::units::{parse_duration, parse_size};
use serde::Serialize;
use std::path::PathBuf;
use std::time::Duration;

pub use crate::error::UserError;

pub const DEFAULT_THRESHOLDS: [u8; 3] = [70, 85, 95];
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(30 * 60);
pub const DEFAULT_SPAN: Duration = Duration::from_secs(60 * 60);

/// Everything but the data roots, which are found separately so that
/// `--print-config` works without any data.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub line_cap: usize,
    pub window: WindowPolicy,
    /// Alert thresholds in percent, ascending, without duplicates.
    pub thresholds: Vec<u8>,
    pub idle_timeout: Duration,
    pub spark_span: Duration,
    pub bell: bool,
    pub notify: bool,
    /// Program and arguments to run on an alert.
    pub on_alert: Option<Vec<String>>,
    /// Alert when a session starts waiting after working this long.
    pub alert_waiting: Option<Duration>,
    /// The config file that was read, if any.
    pub config_path: Option<PathBuf>,
    /// Neither read nor write the persistent index.
    pub no_cache: bool,
    /// Alert this many tokens before the auto-compact point.
    pub before_auto_compact: Option<u64>,
    /// Alert levels of the plan's usage windows, in percent, ascending.
    pub rate_limit_alerts: Vec<u8>,
    pub budgets: crate::budget::Budgets,
    /// What `ccwatch audit` flags.
    pub audit: crate::audit::AuditPatterns,
    /// Receiving OTLP as the config file says (flags win over it).
    pub otlp_receive: crate::cli::ReceiveArgs,
}

/// Rate-limit alert levels when the config names none.
pub const DEFAULT_RATE_LIMIT_ALERTS: [u8; 2] = [80, 95];

#[derive(Debug, Clone)]
pub struct Settings {
    pub roots: Vec<ProjectsDir>,
    pub options: Options,
}

impl Options {
    pub fn resolve(data: &DataArgs, gauge: &Gauge, ui: &UiArgs) -> Result<Options, UserError> {
        let (file, config_path) = match &data.config {
            Some(p) => (config::load(p, true).map_err(UserError)?, Some(p.clone())),
            None => match config::default_path() {
                Some(p) => {
                    // A default config that cannot be read (its mode, a
                    // dangling link) is no reason to refuse to run: say so
                    // and use the defaults. One given with --config, or one
                    // whose contents are wrong, is still an error.
                    let f = match config::readable(&p) {
                        Ok(()) => config::load(&p, false).map_err(UserError)?,
                        Err(why) => {
                            eprintln!("ccwatch: {why}; using the defaults.");
                            None
                        }
                    };
                    let path = f.as_ref().map(|_| p);
                    (f, path)
                }
                None => (None, None),
            },
        };
        let file = file.unwrap_or_default();
        Options::merge(data, gauge, ui, file, config_path)
    }

    fn merge(
        data: &DataArgs,
        gauge: &Gauge,
        ui: &UiArgs,
        file: ConfigFile,
        config_path: Option<PathBuf>,
    ) -> Result<Options, UserError> {
        // The file was validated on load, so these parses cannot fail; map
        // errors anyway rather than unwrap.
        let bad = |e: String| UserError(e);
        let mut thresholds = gauge
            .thresholds
            .clone()
            .or(file.thresholds)
            .unwrap_or(DEFAULT_THRESHOLDS.to_vec());
        thresholds.sort_unstable();
        thresholds.dedup();
        let mut overrides = gauge.windows.clone();
        overrides.extend(file.windows.unwrap_or_default());
        let on_alert = match ui.on_alert.as_ref().or(file.on_alert.as_ref()) {
            Some(cmd) => {
                Some(parse_command(cmd).map_err(|e| UserError(format!("--on-alert: {e}")))?)
            }
            None => None,
        };
        let before_auto_compact = match (gauge.before_auto_compact, &file.before_auto_compact) {
            (Some(n), _) => Some(n),
            (None, Some(s)) => Some(crate::alerts::parse_tokens(s).map_err(bad)?),
            (None, None) => None,
        };
        let levels = |v: Option<Vec<u8>>, default: &[u8]| {
            let mut v = v.unwrap_or(default.to_vec());
            v.sort_unstable();
            v.dedup();
            v
        };
        let budget = file.budget.clone().unwrap_or_default();
        let budgets = crate::budget::Budgets {
            daily: budget.daily,
            weekly: budget.weekly,
            levels: levels(budget.alerts, &crate::budget::DEFAULT_LEVELS),
        };
        Ok(Options {
            before_auto_compact,
            rate_limit_alerts: levels(file.rate_limit_alerts, &DEFAULT_RATE_LIMIT_ALERTS),
            budgets,
            line_cap: match (data.line_cap, file.line_cap) {
                (Some(n), _) => n,
                (None, Some(s)) => parse_size(&s).map_err(bad)?,
                (None, None) => DEFAULT_LINE_CAP,
            },
            window: WindowPolicy {
                overrides,
                sources: crate::gauge::GaugeSources {
                    auto_compact_percent: file.auto_compact,
                    ..Default::default()
                },
            },
            thresholds,
            idle_timeout: match (ui.idle_timeout, file.idle_timeout) {
                (Some(d), _) => d,
                (None, Some(s)) => parse_duration(&s).map_err(bad)?,
                (None, None) => DEFAULT_IDLE_TIMEOUT,
            },
            spark_span: match (ui.span, file.sparkline_span) {
                (Some(d), _) => d,
                (None, Some(s)) => parse_duration(&s).map_err(bad)?,
                (None, None) => DEFAULT_SPAN,
            },
            bell: !ui.no_bell && file.bell.unwrap_or(true),
            notify: ui.notify || file.notify.unwrap_or(false),
            on_alert,
            alert_waiting: ui.alert_waiting,
            config_path,
            no_cache: data.no_cache,
            audit: crate::audit::AuditPatterns::from_config(&file.audit.unwrap_or_default())
                .map_err(bad)?,
            otlp_receive: crate::cli::ReceiveArgs {
                otlp_receive: file.otlp_receive,
                otlp_receive_token: file.otlp_receive_token,
            },
        })
    }

    /// The effective settings as a config file would say them.
    pub fn to_toml(&self) -> String {
        #[derive(Serialize)]
        struct Effective<'a> {
            thresholds: &'a [u8],
            idle_timeout: String,
            sparkline_span: String,
            bell: bool,
            notify: bool,
            #[serde(skip_serializing_if = "Option::is_none")]
            on_alert: Option<String>,
            line_cap: String,
            #[serde(skip_serializing_if = "Option::is_none")]
            auto_compact: Option<f64>,
            #[serde(skip_serializing_if = "Option::is_none")]
            before_auto_compact: Option<String>,
            rate_limit_alerts: &'a [u8],
            otlp_receive: Option<&'a str>,
            windows: std::collections::BTreeMap<&'a str, u64>,
            #[serde(skip_serializing_if = "Option::is_none")]
            budget: Option<crate::config::BudgetFile>,
            audit: crate::audit::AuditConfig,
        }
        let effective = Effective {
            thresholds: &self.thresholds,
            idle_timeout: humantime::format_duration(self.idle_timeout).to_string(),
            sparkline_span: humantime::format_duration(self.spark_span).to_string(),
            bell: self.bell,
            notify: self.notify,
            on_alert: self.on_alert.as_ref().map(shell_words::join),
            line_cap: size_text(self.line_cap),
            auto_compact: self.window.sources.auto_compact_percent,
            before_auto_compact: self.before_auto_compact.map(|n| n.to_string()),
            rate_limit_alerts: &self.rate_limit_alerts,
            budget: (!self.budgets.is_empty()).then(|| crate::config::BudgetFile {
                daily: self.budgets.daily,
                weekly: self.budgets.weekly,
                alerts: Some(self.budgets.levels.clone()),
            }),
            otlp_receive: self.otlp_receive.otlp_receive.as_deref(),
            windows: self
                .window
                .overrides
                .iter()
                .map(|(k, v)| (k.as_str(), *v))
                .collect(),
            audit: self.audit.to_config(),
        };
        let source = match &self.config_path {
            Some(p) => format!("# read from {}\n", p.display()),
            None => match config::default_path() {
                Some(p) => format!("# no config file at {} (defaults and flags)\n", p.display()),
                None => "# no config file (defaults and flags)\n".to_owned(),
            },
        };
        // Unset, the point is learned: say so rather than print nothing.
        let learned = match self.window.sources.auto_compact_percent {
            Some(_) => String::new(),
            None => format!(
                "# auto_compact is not set: learned from your past automatic compactions, else {}% of the window\n",
                crate::gauge::auto_compact::DEFAULT_RATIO * 100.0
            ),
        };
        source + &learned + &toml::to_string(&effective).unwrap_or_default()
    }
}

impl Settings {
    /// Where the persistent index is, unless `--no-cache`.
    pub fn index_path(&self) -> Option<PathBuf> {
        if self.options.no_cache {
            return None;
        }
        crate::source::index::default_path(&self.roots, self.options.line_cap)
    }

    /// Resolve the arguments against the environment. Unusable roots that
    /// were asked for by name are reported on stderr; having none usable at
    /// all is an error.
    pub fn resolve(
        options: Options,
        dir: Option<&std::path::Path>,
        env: &DiscoveryEnv,
    ) -> Result<Settings, UserError> {
        let choice = crate::source::codex::AgentChoice::claude_only();
        Settings::resolve_agents(options, dir, env, &choice)
    }

    /// `resolve` for the agents chosen: Claude Code's roots and Codex's
    /// (see `source/codex.rs`); having none usable at all is an error.
    pub fn resolve_agents(
        options: Options,
        dir: Option<&std::path::Path>,
        env: &DiscoveryEnv,
        choice: &crate::source::codex::AgentChoice,
    ) -> Result<Settings, UserError> {
        let mut roots = match choice.wants(crate::agent::Agent::Claude) {
            true => find_roots(dir, env),
            false => Roots::default(),
        };
        choice.add_codex_root(&mut roots, dir.is_some());
        if roots.usable.is_empty() {
            return Err(choice
                .no_roots_error(&roots)
                .unwrap_or_else(|| no_roots_error(&roots)));
        }
        for bad in &roots.unusable {
            eprintln!(
                "ccwatch: skipping {}: it {}.",
                bad.path.display(),
                bad.reason
            );
        }
        // The watcher reports absolute paths: a relative root (`--dir .`,
        // a relative CLAUDE_CONFIG_DIR entry) would never match them, and the
        // live engine would never see a change.
        let roots = roots
            .usable
            .into_iter()
            .map(|ProjectsDir(p)| ProjectsDir(std::path::absolute(&p).unwrap_or(p)))
            .collect();
        Ok(Settings { roots, options })
    }
}

/// A size as `parse_size` reads it back: "64MiB", "1536KiB", "1000".
fn size_text(n: usize) -> String {
    match n {
        _ if n >= 1 << 30 && n.is_multiple_of(1 << 30) => format!("{}GiB", n >> 30),
        _ if n >= 1 << 20 && n.is_multiple_of(1 << 20) => format!("{}MiB", n >> 20),
        _ if n >= 1 << 10 && n.is_multiple_of(1 << 10) => format!("{}KiB", n >> 10),
        _ => n.to_string(),
    }
}

fn no_roots_error(roots: &Roots) -> UserError {
    if let [only] = roots.unusable.as_slice() {
        return UserError(format!(
            "{} {}; point ccwatch at your Claude Code data with --dir PATH or CLAUDE_CONFIG_DIR.",
            only.path.display(),
            only.reason
        ));
    }
    let places: Vec<String> = roots
        .looked_at
        .iter()
        .map(|p| p.join("projects").display().to_string())
        .collect();
    UserError(format!(
        "no Claude Code data found (looked in {}); point ccwatch at it with --dir PATH or CLAUDE_CONFIG_DIR.",
        if places.is_empty() {
            "no place: the home directory is unknown".to_owned()
        } else {
            places.join(" and ")
        }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn options(args: &[&str], file: ConfigFile) -> Options {
        let cli =
            crate::cli::Cli::parse_from(std::iter::once("ccwatch").chain(args.iter().copied()));
        Options::merge(&cli.data, &cli.gauge(), &cli.ui, file, None).unwrap()
    }

    #[test]
    fn the_otlp_receive_address_comes_from_the_file_unless_a_flag_says_otherwise() {
        let file = ConfigFile {
            otlp_receive: Some("127.0.0.1:4318".into()),
            otlp_receive_token: Some("from-file".into()),
            ..Default::default()
        };
        let o = options(&[], file.clone());
        assert!(o.to_toml().contains("otlp_receive = \"127.0.0.1:4318\""));
        assert!(
            !o.to_toml().contains("from-file"),
            "the token is not printed"
        );
        let args = ["events", "--otlp-receive", "127.0.0.1:9999"];
        let cli = crate::cli::Cli::parse_from(std::iter::once("ccwatch").chain(args));
        let Some(crate::cli::Command::Events { export, .. }) = &cli.command else {
            unreachable!()
        };
        let o = options(&[], file);
        let r = export.receive.or(&o.otlp_receive);
        assert_eq!(r.otlp_receive.as_deref(), Some("127.0.0.1:9999"));
        assert_eq!(r.otlp_receive_token.as_deref(), Some("from-file"));
    }

    #[test]
    fn defaults_apply_when_nothing_is_said() {
        let o = options(&[], ConfigFile::default());
        assert_eq!(o.thresholds, vec![70, 85, 95]);
        assert_eq!(o.idle_timeout, DEFAULT_IDLE_TIMEOUT);
        assert_eq!(o.line_cap, DEFAULT_LINE_CAP);
        assert!(o.bell && !o.notify && o.on_alert.is_none());
    }

    #[test]
    fn flags_override_the_file_which_overrides_defaults() {
        let file = ConfigFile {
            thresholds: Some(vec![90, 50]),
            idle_timeout: Some("5m".into()),
            bell: Some(false),
            line_cap: Some("1MiB".into()),
            ..Default::default()
        };
        let o = options(&[], file.clone());
        assert_eq!(o.thresholds, vec![50, 90]);
        assert_eq!(o.idle_timeout, Duration::from_secs(300));
        assert_eq!(o.line_cap, 1 << 20);
        assert!(!o.bell);
        let o = options(
            &[
                "--thresholds",
                "80",
                "--idle-timeout",
                "1h",
                "--line-cap",
                "2M",
            ],
            file,
        );
        assert_eq!(o.thresholds, vec![80]);
        assert_eq!(o.idle_timeout, Duration::from_secs(3600));
        assert_eq!(o.line_cap, 2 << 20);
    }

    #[test]
    fn print_config_round_trips_through_the_config_reader() {
        let o = options(
            &["--window", "opus=1000000", "--on-alert", "say 'hi there'"],
            ConfigFile::default(),
        );
        let text = o.to_toml();
        let back: ConfigFile = toml::from_str(&text).unwrap();
        assert_eq!(back.windows.unwrap()["opus"], 1_000_000);
        assert_eq!(back.on_alert.as_deref(), Some("say 'hi there'"));
        assert_eq!(back.line_cap.as_deref(), Some("64MiB"));
        assert!(
            text.contains("# auto_compact is not set: learned"),
            "{text}"
        );
        assert_eq!(back.auto_compact, None);
        assert_eq!(back.rate_limit_alerts, Some(vec![80, 95]));
        assert_eq!(back.budget, None);

        let file = ConfigFile {
            auto_compact: Some(80.0),
            before_auto_compact: Some("12.5k".into()),
            budget: Some(crate::config::BudgetFile {
                daily: Some(20.0),
                weekly: None,
                alerts: None,
            }),
            ..Default::default()
        };
        let text = options(&[], file).to_toml();
        let back: ConfigFile = toml::from_str(&text).unwrap();
        assert!(!text.contains("learned"), "{text}");
        assert_eq!(back.auto_compact, Some(80.0));
        assert_eq!(back.before_auto_compact.as_deref(), Some("12500"));
        let b = back.budget.unwrap();
        assert_eq!(
            (b.daily, b.weekly, b.alerts),
            (Some(20.0), None, Some(vec![80, 100]))
        );
    }

    #[test]
    fn the_flag_for_before_auto_compact_wins_over_the_file() {
        let file = ConfigFile {
            before_auto_compact: Some("5k".into()),
            ..Default::default()
        };
        assert_eq!(options(&[], file.clone()).before_auto_compact, Some(5_000));
        let o = options(&["--before-auto-compact", "20k"], file);
        assert_eq!(o.before_auto_compact, Some(20_000));
        assert_eq!(
            options(&[], ConfigFile::default()).before_auto_compact,
            None
        );
    }
}
