//! The command line as the user types it (clap derive). Resolving these raw
//! arguments into settings happens in `settings.rs`; running them in
//! `commands/`.

use crate::units::{parse_duration, parse_size};
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "ccwatch",
    version,
    about = "Watch Claude Code sessions' context windows live, and account their usage.",
    long_about = "Watch Claude Code sessions' context windows live, and account their usage.\n\n\
        With no command, opens the live dashboard. Reads the JSONL transcripts \
        Claude Code writes under ~/.claude/projects (and $CLAUDE_CONFIG_DIR/projects). \
        No network, no API key."
)]
pub struct Cli {
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub window: WindowArgs,
    #[command(flatten)]
    pub alert: ThresholdArgs,
    #[command(flatten)]
    pub ui: UiArgs,
    #[command(flatten)]
    pub export: ExportArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Where the data is and how to read it; accepted by every command.
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "Data")]
pub struct DataArgs {
    /// Read this data directory (a Claude config root or its projects/
    /// folder) instead of the default locations, e.g. --dir ~/.claude.
    #[arg(long, global = true, value_name = "PATH")]
    pub dir: Option<PathBuf>,

    /// Skip (and count) transcript lines longer than this, e.g. 16MiB
    /// [default: 64MiB].
    #[arg(long, global = true, value_name = "SIZE", value_parser = parse_size)]
    pub line_cap: Option<usize>,

    /// Read every transcript in full, neither using nor updating the index
    /// kept in the cache dir.
    #[arg(long, global = true)]
    pub no_cache: bool,

    /// Read settings from this file instead of the default config file.
    #[arg(long, global = true, value_name = "FILE", env = "CCWATCH_CONFIG")]
    pub config: Option<PathBuf>,

    /// Read OpenAI Codex CLI rollouts from this folder (a Codex home or its
    /// sessions/ folder) [default: $CODEX_HOME/sessions, else
    /// ~/.codex/sessions, when it exists and --dir is not given].
    #[arg(long, global = true, value_name = "PATH")]
    pub codex_dir: Option<PathBuf>,

    /// Which agents' sessions to read, comma-separated: claude, codex
    /// [default: both].
    #[arg(long, global = true, value_name = "LIST", value_parser = crate::agent::Agent::parse_list)]
    pub agents: Option<std::vec::Vec<crate::agent::Agent>>,
}

/// The context window the gauge measures against: for the commands that
/// show a context percentage (not the reports).
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Context window")]
pub struct WindowArgs {
    /// Context window for models whose name contains TEXT, e.g.
    /// --window opus=1000000 (repeatable).
    #[arg(long = "window", value_name = "TEXT=TOKENS", value_parser = parse_window)]
    pub windows: Vec<(String, u64)>,
}

/// Alert levels: for the commands that alert (the dashboard and `events`).
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Context window")]
pub struct ThresholdArgs {
    /// Alert thresholds in percent of the context window, comma-separated,
    /// e.g. --thresholds 60,80,95 [default: 70,85,95].
    #[arg(long, value_name = "PCT", value_delimiter = ',', value_parser = parse_percent)]
    pub thresholds: Option<Vec<u8>>,

    /// Also alert once per context cycle when a session comes within TOKENS
    /// of its auto-compact point, e.g. --before-auto-compact 10k.
    #[arg(long, value_name = "TOKENS", value_parser = crate::alerts::parse_tokens)]
    pub before_auto_compact: Option<u64>,
}

/// The gauge settings as given, wherever on the command line: after the
/// subcommand's name or before it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Gauge {
    pub windows: Vec<(String, u64)>,
    pub thresholds: Option<Vec<u8>>,
    pub before_auto_compact: Option<u64>,
}

/// Settings of the live dashboard (`ccwatch` with no command).
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Dashboard")]
pub struct UiArgs {
    /// Do not ring the terminal bell on an alert.
    #[arg(long)]
    pub no_bell: bool,

    /// Also show a desktop notification on an alert.
    #[arg(long)]
    pub notify: bool,

    /// Run CMD on each alert (no shell; details in CCWATCH_* variables).
    #[arg(long, value_name = "CMD")]
    pub on_alert: Option<String>,

    /// Alert (bell, --notify, --on-alert with CCWATCH_LEVEL=waiting) when a
    /// session starts waiting for you after working longer than this; off
    /// unless given, e.g. --alert-waiting 2m.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub alert_waiting: Option<std::time::Duration>,

    /// Sessions idle longer than this are dimmed or hidden [default: 30m].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub idle_timeout: Option<std::time::Duration>,

    /// How far back the burn-rate sparkline reaches [default: 60m].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub span: Option<std::time::Duration>,

    /// Print the effective configuration (defaults, file, flags) and exit.
    #[arg(long)]
    pub print_config: bool,
}

/// Exporting the live numbers while the dashboard or `events` runs.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Export")]
pub struct ExportArgs {
    /// Also serve Prometheus metrics at ADDR, e.g. 127.0.0.1:9464 (as
    /// `ccwatch serve` does). Only loopback addresses unless
    /// --allow-remote is given.
    #[arg(long, value_name = "ADDR")]
    pub serve: Option<String>,
    /// Allow serving metrics on an address other machines can reach.
    #[arg(long)]
    pub allow_remote: bool,
    #[command(flatten)]
    pub push: PushArgs,
    #[command(flatten)]
    pub receive: ReceiveArgs,
}

/// Receiving Claude Code's own OpenTelemetry, for sessions on other machines.
#[derive(Debug, Args, Clone, Default, PartialEq)]
#[command(next_help_heading = "Receive")]
pub struct ReceiveArgs {
    /// Receive Claude Code's OpenTelemetry (OTLP/HTTP) at ADDR, e.g.
    /// 127.0.0.1:4318, and show those sessions too. Only loopback addresses
    /// unless --allow-remote is given.
    #[arg(long, value_name = "ADDR")]
    pub otlp_receive: Option<String>,
    /// Take OTLP only from senders presenting `Authorization: Bearer
    /// TOKEN`.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "CCWATCH_OTLP_RECEIVE_TOKEN",
        hide_env_values = true
    )]
    pub otlp_receive_token: Option<String>,
}

impl ReceiveArgs {
    pub fn or(&self, outer: &ReceiveArgs) -> ReceiveArgs {
        ReceiveArgs {
            otlp_receive: self
                .otlp_receive
                .clone()
                .or_else(|| outer.otlp_receive.clone()),
            otlp_receive_token: self
                .otlp_receive_token
                .clone()
                .or_else(|| outer.otlp_receive_token.clone()),
        }
    }
}

/// Pushing metrics to an OpenTelemetry collector.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Export")]
pub struct PushArgs {
    /// Push metrics over OTLP/HTTP to the collector at URL, e.g.
    /// http://localhost:4318.
    #[arg(long, value_name = "URL")]
    pub otlp_endpoint: Option<String>,
    /// Push metrics over OTLP/HTTP to where the OTEL_EXPORTER_OTLP_*
    /// variables say.
    #[arg(long)]
    pub otlp: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print every session's context and usage, newest first, and exit.
    Status {
        /// Machine-readable output (documented in the README).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        window: WindowArgs,
    },
    /// Watch live and print one line per change (context moved, session
    /// appeared, threshold crossed, compaction), flushed as it happens.
    Events {
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        window: WindowArgs,
        #[command(flatten)]
        alert: ThresholdArgs,
        #[command(flatten)]
        export: ExportArgs,
    },
    /// Serve live metrics for Prometheus at /metrics (and /healthz).
    Serve {
        /// Address and port to listen on. Only loopback addresses unless
        /// --allow-remote is given.
        #[arg(long, value_name = "ADDR", default_value = crate::export::http::DEFAULT_LISTEN)]
        listen: String,
        /// Allow listening on an address other machines can reach.
        #[arg(long)]
        allow_remote: bool,
        #[command(flatten)]
        window: WindowArgs,
        #[command(flatten)]
        push: PushArgs,
        #[command(flatten)]
        receive: ReceiveArgs,
    },
    /// Usage and cost per day.
    Daily(ReportArgs),
    /// Usage and cost per week.
    Weekly {
        #[command(flatten)]
        report: ReportArgs,
        /// The day weeks begin on, e.g. --start-of-week monday.
        #[arg(long, value_enum, value_name = "DAY", default_value_t = WeekStart::Sunday)]
        start_of_week: WeekStart,
    },
    /// Usage and cost per month.
    Monthly(ReportArgs),
    /// Usage and cost per session (subagents included).
    Session(ReportArgs),
    /// What filled one session's context: its share by category and the
    /// largest items (file reads, commands, results), estimated from sizes.
    Context(ContextArgs),
    /// One session's tool calls: files read, written and edited, commands,
    /// URLs, searches, subagents, MCP tools, and the calls worth a look.
    Audit(AuditArgs),
    /// Usage and cost per 5-hour block, with the active block's burn rate
    /// and projection.
    Blocks(BlocksArgs),
    /// One line for Claude Code's status bar: reads its JSON on stdin.
    Statusline(StatuslineArgs),
    /// Find past sessions by what was said in them, newest first, each with
    /// the command that resumes it, e.g. `ccwatch search "flaky test"`.
    Search(crate::commands::search::SearchArgs),
    /// Print the command that resumes the newest session whose id, title or
    /// content matches (the newest session of all without a QUERY), e.g.
    /// `eval "$(ccwatch resume migration)"`.
    Resume(crate::commands::search::ResumeArgs),
    /// Print a shell completion script, e.g. `ccwatch completions bash >
    /// ~/.local/share/bash-completion/completions/ccwatch`.
    Completions {
        /// The shell to complete in.
        #[arg(value_enum, value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `ccwatch man >
    /// ~/.local/share/man/man1/ccwatch.1`.
    Man,
}

/// The command line of this process, with the help's closing words naming
/// this machine's config file (its place depends on the platform).
pub fn parse() -> Cli {
    let config = crate::config::default_path().map_or_else(
        || "none on this system".to_owned(),
        |p| p.display().to_string(),
    );
    let cmd = Cli::command().after_help(format!(
        "Run `ccwatch` with no command to open the live dashboard; `ccwatch help COMMAND` \
         for one command's options.\nConfig file: {config} (--config FILE or CCWATCH_CONFIG \
         to use another; every key is in the README)."
    ));
    Cli::from_arg_matches(&cmd.get_matches()).unwrap_or_else(|e| e.exit())
}

impl Cli {
    /// The window and threshold flags, from after the subcommand's name or,
    /// where not given there, from before it.
    pub fn gauge(&self) -> Gauge {
        let (window, alert) = match &self.command {
            Some(Command::Status { window, .. } | Command::Serve { window, .. }) => {
                (Some(window), None)
            }
            Some(Command::Events { window, alert, .. }) => (Some(window), Some(alert)),
            Some(Command::Statusline(a)) => (Some(&a.window), None),
            _ => (None, None),
        };
        let mut windows = window.map(|w| w.windows.clone()).unwrap_or_default();
        windows.extend(self.window.windows.iter().cloned());
        Gauge {
            windows,
            thresholds: alert
                .and_then(|a| a.thresholds.clone())
                .or_else(|| self.alert.thresholds.clone()),
            before_auto_compact: alert
                .and_then(|a| a.before_auto_compact)
                .or(self.alert.before_auto_compact),
        }
    }
}

impl ExportArgs {
    /// These, with what is missing taken from `outer` (the same flags given
    /// before the subcommand's name).
    pub fn or(&self, outer: &ExportArgs) -> ExportArgs {
        ExportArgs {
            serve: self.serve.clone().or_else(|| outer.serve.clone()),
            allow_remote: self.allow_remote || outer.allow_remote,
            push: self.push.or(&outer.push),
            receive: self.receive.or(&outer.receive),
        }
    }
}

impl PushArgs {
    pub fn or(&self, outer: &PushArgs) -> PushArgs {
        PushArgs {
            otlp_endpoint: self
                .otlp_endpoint
                .clone()
                .or_else(|| outer.otlp_endpoint.clone()),
            otlp: self.otlp || outer.otlp,
        }
    }
}

/// How reports price records.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Cost")]
pub struct CostArgs {
    /// Where costs come from.
    #[arg(long, value_enum, value_name = "MODE", default_value_t = crate::cost::CostMode::Auto)]
    pub mode: crate::cost::CostMode,

    /// Prices to use over the built-in ones: ccwatch's price format or
    /// LiteLLM's model_prices_and_context_window.json, e.g.
    /// --pricing ~/prices.json.
    #[arg(long, value_name = "FILE")]
    pub pricing: Option<PathBuf>,
}

/// What every report takes.
#[derive(Debug, Args, Clone)]
pub struct ReportArgs {
    /// Machine-readable output (documented in the README).
    #[arg(long)]
    pub json: bool,

    /// First day to include (YYYYMMDD or YYYY-MM-DD, in --timezone), e.g.
    /// --since 2026-11-01.
    #[arg(long, value_name = "DATE", value_parser = crate::report::zone::parse_date)]
    pub since: Option<chrono::NaiveDate>,

    /// Last day to include (YYYYMMDD or YYYY-MM-DD, in --timezone), e.g.
    /// --until 20261130.
    #[arg(long, value_name = "DATE", value_parser = crate::report::zone::parse_date)]
    pub until: Option<chrono::NaiveDate>,

    /// Time zone days are counted in (an IANA name, or UTC), e.g.
    /// --timezone Europe/Paris [default: the system's].
    #[arg(long, value_name = "ZONE", value_parser = crate::report::Zone::parse)]
    pub timezone: Option<crate::report::Zone>,

    /// Only sessions of this project (its path, last folder name, or
    /// trailing folders), e.g. --project webapp.
    #[arg(long, value_name = "NAME")]
    pub project: Option<String>,

    /// A row per model under each row (per agent and model when Codex
    /// sessions are among them).
    #[arg(long)]
    pub breakdown: bool,

    /// Only sessions of this agent: claude or codex.
    #[arg(long, value_name = "AGENT", value_parser = crate::agent::Agent::parse)]
    pub agent: Option<crate::agent::Agent>,

    /// Oldest first (asc) or newest first (desc).
    #[arg(long, value_enum, value_name = "asc|desc", default_value_t = Order::Asc)]
    pub order: Order,

    /// Fewer columns, for narrow panes (automatic below 100 columns).
    #[arg(long)]
    pub compact: bool,

    #[command(flatten)]
    pub cost: CostArgs,
}

/// What `context` takes.
#[derive(Debug, Args, Clone)]
pub struct ContextArgs {
    /// The session: its id, a unique prefix of it, or `latest`.
    #[arg(value_name = "SESSION")]
    pub session: String,
    /// Machine-readable output (documented in the README).
    #[arg(long)]
    pub json: bool,
    /// The whole session instead of only since the last compaction.
    #[arg(long)]
    pub all: bool,
}

/// What `audit` takes.
#[derive(Debug, Args, Clone)]
pub struct AuditArgs {
    /// The session: its id, a unique prefix of it, or `latest`.
    #[arg(value_name = "SESSION")]
    pub session: String,
    /// Machine-readable output (documented in the README).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args, Clone)]
pub struct BlocksArgs {
    #[command(flatten)]
    pub report: ReportArgs,

    /// Compare each block with this many tokens, or with the largest past
    /// block (`max`): a warning above 80%, "exceeds" above 100%.
    #[arg(long, value_name = "N|max", value_parser = crate::report::blocks::TokenLimit::parse)]
    pub token_limit: Option<crate::report::blocks::TokenLimit>,

    /// Only the active block.
    #[arg(long)]
    pub active: bool,

    /// Only blocks of the last 3 days (and the active one).
    #[arg(long)]
    pub recent: bool,
}

#[derive(Debug, Args, Clone)]
pub struct StatuslineArgs {
    #[command(flatten)]
    pub window: WindowArgs,
    #[command(flatten)]
    pub cost: CostArgs,

    /// Time zone "today" is counted in [default: the system's].
    #[arg(long, value_name = "ZONE", value_parser = crate::report::Zone::parse)]
    pub timezone: Option<crate::report::Zone>,

    /// On bad input, say what went wrong (on stderr) besides the fallback line.
    #[arg(long)]
    pub debug: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Order {
    Asc,
    Desc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum WeekStart {
    Sunday,
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
}

impl WeekStart {
    pub fn weekday(self) -> chrono::Weekday {
        use chrono::Weekday::*;
        match self {
            WeekStart::Sunday => Sun,
            WeekStart::Monday => Mon,
            WeekStart::Tuesday => Tue,
            WeekStart::Wednesday => Wed,
            WeekStart::Thursday => Thu,
            WeekStart::Friday => Fri,
            WeekStart::Saturday => Sat,
        }
    }
}

/// A whole percentage from 1 to 100, as alert thresholds are given.
fn parse_percent(s: &str) -> Result<u8, String> {
    s.trim()
        .trim_end_matches('%')
        .parse::<u8>()
        .ok()
        .filter(|p| (1..=100).contains(p))
        .ok_or_else(|| format!("`{s}` is not a percentage from 1 to 100"))
}

fn parse_window(s: &str) -> Result<(String, u64), String> {
    let (text, tokens) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}` should look like opus=1000000"))?;
    let tokens: u64 = tokens
        .trim()
        .replace('_', "")
        .parse()
        .map_err(|_| format!("`{tokens}` is not a number of tokens"))?;
    if text.trim().is_empty() || tokens == 0 {
        return Err(format!("`{s}` should look like opus=1000000"));
    }
    Ok((text.trim().to_owned(), tokens))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_are_whole_percentages() {
        assert_eq!(parse_percent("85"), Ok(85));
        assert_eq!(parse_percent("95%"), Ok(95));
        for bad in ["x", "0", "150", "-5", "7.5"] {
            assert_eq!(
                parse_percent(bad),
                Err(format!("`{bad}` is not a percentage from 1 to 100"))
            );
        }
    }

    #[test]
    fn window_overrides_are_text_equals_tokens() {
        assert_eq!(
            parse_window("opus=1_000_000"),
            Ok(("opus".into(), 1_000_000))
        );
        assert!(parse_window("opus").is_err());
        assert!(parse_window("=5").is_err());
    }

    #[test]
    fn the_cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
