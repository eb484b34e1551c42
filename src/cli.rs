//! The command line as the user types it (clap derive). Resolving these raw
//! arguments into settings happens in `settings.rs`; running them in
//! `commands/`.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "ccwatch",
    version,
    about = "Watch Claude Code sessions' context windows live, and account their usage.",
    long_about = "Watch Claude Code sessions' context windows live, and account their usage.\n\n\
        Reads the JSONL transcripts Claude Code writes under ~/.claude/projects \
        (and $CLAUDE_CONFIG_DIR/projects). No network, no API key."
)]
pub struct Cli {
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub ui: UiArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Where the data is and how to read it; accepted by every command.
#[derive(Debug, Args, Clone)]
pub struct DataArgs {
    /// Read this data directory (a Claude config root or its projects/
    /// folder) instead of the default locations.
    #[arg(long, global = true, value_name = "PATH")]
    pub dir: Option<PathBuf>,

    /// Skip (and count) transcript lines longer than this [default: 64MiB].
    #[arg(long, global = true, value_name = "SIZE", value_parser = parse_size)]
    pub line_cap: Option<usize>,

    /// Context window for models whose name contains TEXT, e.g.
    /// --window opus=1000000 (repeatable).
    #[arg(long = "window", global = true, value_name = "TEXT=TOKENS", value_parser = parse_window)]
    pub windows: Vec<(String, u64)>,

    /// Alert thresholds in percent of the context window [default: 70,85,95].
    #[arg(
        long,
        global = true,
        value_name = "PCT,PCT,..",
        value_delimiter = ',',
        value_parser = clap::value_parser!(u8).range(1..=100)
    )]
    pub thresholds: Option<Vec<u8>>,

    /// Read settings from this file instead of the default config file.
    #[arg(long, global = true, value_name = "FILE", env = "CCWATCH_CONFIG")]
    pub config: Option<PathBuf>,
}

/// Settings of the live dashboard (`ccwatch` with no command).
#[derive(Debug, Args, Clone, Default)]
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

    /// Sessions idle longer than this are dimmed or hidden [default: 30m].
    #[arg(long, value_name = "DURATION", value_parser = crate::config::parse_duration)]
    pub idle_timeout: Option<std::time::Duration>,

    /// How far back the burn-rate sparkline reaches [default: 60m].
    #[arg(long, value_name = "DURATION", value_parser = crate::config::parse_duration)]
    pub span: Option<std::time::Duration>,

    /// Print the effective configuration (defaults, file, flags) and exit.
    #[arg(long)]
    pub print_config: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print every session's context and usage, newest first, and exit.
    Status {
        /// Machine-readable output (documented in the README).
        #[arg(long)]
        json: bool,
    },
    /// Watch live and print one line per change (context moved, session
    /// appeared, threshold crossed, compaction), flushed as it happens.
    Events {
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
    },
}

/// A byte size: a number with an optional K/M/G (or KiB/MiB/GiB) suffix,
/// all binary multiples.
pub fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: usize = digits
        .parse()
        .map_err(|_| format!("`{s}` is not a size like 64MiB or 1048576"))?;
    let mult: usize = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        _ => return Err(format!("`{s}` has an unknown unit (use K, M or G)")),
    };
    n.checked_mul(mult)
        .filter(|v| *v > 0)
        .ok_or_else(|| format!("`{s}` is not a usable size"))
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
    fn sizes_take_binary_suffixes() {
        assert_eq!(parse_size("64MiB"), Ok(64 << 20));
        assert_eq!(parse_size("10k"), Ok(10 << 10));
        assert_eq!(parse_size("123"), Ok(123));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("0").is_err());
        assert!(parse_size("5 parsecs").is_err());
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
