//! The config file: TOML at the platform config dir (on Linux
//! `~/.config/ccwatch/config.toml`), or `--config FILE`.
//!
//! Every key is optional; flags override the file, the file overrides the
//! defaults. A file that cannot be used is an error naming the file, line
//! and key, never a silent fallback: the user wrote it for a reason.

use crate::units::{parse_duration, parse_size};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Alert thresholds in percent of the context window.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thresholds: Option<Vec<u8>>,
    /// A session with no activity for this long is idle (e.g. "30m").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idle_timeout: Option<String>,
    /// How far back the burn-rate sparkline reaches (e.g. "60m").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sparkline_span: Option<String>,
    /// Ring the terminal bell on an alert.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bell: Option<bool>,
    /// Show a desktop notification on an alert.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify: Option<bool>,
    /// A command run on each alert (split into words, never through a shell).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_alert: Option<String>,
    /// Lines longer than this are skipped and counted (e.g. "64MiB").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line_cap: Option<String>,
    /// Receive Claude Code's OpenTelemetry at this address (`--otlp-receive`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub otlp_receive: Option<String>,
    /// The bearer token OTLP senders must present (`--otlp-receive-token`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub otlp_receive_token: Option<String>,
    /// Context window per model-name substring, e.g. `opus = 1000000`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub windows: Option<BTreeMap<String, u64>>,
    /// Where Claude Code auto-compacts, in percent of the window (learned
    /// from past compactions when not set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_compact: Option<f64>,
    /// Alert this many tokens before the auto-compact point ("10k", or a
    /// plain number).
    #[serde(
        default,
        deserialize_with = "number_or_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub before_auto_compact: Option<String>,
    /// Alert levels for the plan's 5-hour and 7-day usage, in percent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limit_alerts: Option<Vec<u8>>,
    /// Daily and weekly cost budgets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget: Option<BudgetFile>,
    /// What `ccwatch audit` flags: each list replaces its defaults.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit: Option<crate::audit::AuditConfig>,
}

/// `[budget]`: USD per day and per week, and the alert levels in percent.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetFile {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub daily: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weekly: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alerts: Option<Vec<u8>>,
}

/// A value written either as a number (`10000`) or as text (`"10k"`),
/// kept as text for the parser that checks it.
fn number_or_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct Tokens;
    impl serde::de::Visitor<'_> for Tokens {
        type Value = Option<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a number of tokens like 10000 or \"10k\"")
        }
        fn visit_u64<E>(self, n: u64) -> Result<Self::Value, E> {
            Ok(Some(n.to_string()))
        }
        fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<Self::Value, E> {
            u64::try_from(n)
                .map(|n| Some(n.to_string()))
                .map_err(|_| E::invalid_value(serde::de::Unexpected::Signed(n), &self))
        }
        fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
            Ok(Some(s.to_owned()))
        }
    }
    d.deserialize_any(Tokens)
}

/// Where the config file is looked for when `--config` is not given.
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "ccwatch").map(|d| d.config_dir().join("config.toml"))
}

/// Whether a config file that may exist can be read: `Ok` when it can, or
/// when it does not exist (nothing to read); otherwise why not, in words.
pub fn readable(path: &Path) -> Result<(), String> {
    let describe = |e: &std::io::Error| {
        format!(
            "the config file {} {}",
            path.display(),
            crate::source::discover::describe_io(e)
        )
    };
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(describe(&e)),
        // Opening a FIFO would block until something writes to it.
        Ok(meta) if !meta.is_file() => {
            return Err(format!(
                "the config file {} is not a regular file",
                path.display()
            ));
        }
        Ok(_) => {}
    }
    std::fs::File::open(path)
        .map(drop)
        .map_err(|e| describe(&e))
}

/// Read a config file. A missing file is `Ok(None)` unless `required`.
pub fn load(path: &Path, required: bool) -> Result<Option<ConfigFile>, String> {
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        // Reading a FIFO would block until something writes to it.
        return Err(format!(
            "the config file {} is not a regular file",
            path.display()
        ));
    }
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => return Ok(None),
        Err(e) => {
            return Err(format!(
                "config file {} {}",
                path.display(),
                crate::source::discover::describe_io(&e)
            ));
        }
    };
    let config: ConfigFile = toml::from_str(&text).map_err(|e| {
        let raw = e.message().trim_end_matches('.');
        let mut what = plain_words(raw);
        let place = e
            .span()
            .map(|span| {
                let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
                let key = key_on_line(&text, line);
                let table = table_above(&text, line);
                if let Some(k) = &key
                    && let Some(wanted) = accepted(table.as_deref(), k)
                    && (raw.starts_with("invalid type") || raw.starts_with("invalid value"))
                {
                    what = format!("expected {wanted}");
                }
                match key {
                    Some(k) => format!(" line {line}, key `{k}`"),
                    None => format!(" line {line}"),
                }
            })
            .unwrap_or_default();
        format!("config file {}{place}: {what}", path.display())
    })?;
    validate(&config).map_err(|msg| format!("config file {}: {msg}", path.display()))?;
    Ok(Some(config))
}

/// What a key accepts, in the words the README uses, for a wrong value.
fn accepted(table: Option<&str>, key: &str) -> Option<&'static str> {
    Some(match (table, key) {
        (Some("windows"), _) => "a number of tokens, like 1000000",
        (None, "thresholds") => "a list of percentages from 1 to 100, like [70, 85, 95]",
        (None, "idle_timeout" | "sparkline_span") => "a duration in quotes, like \"30m\"",
        (None, "bell" | "notify") => "true or false",
        (None, "on_alert") => "a command in quotes, like \"notify-send ccwatch\"",
        (None, "line_cap") => "a size in quotes, like \"64MiB\"",
        (None, "otlp_receive") => "an address in quotes, like \"127.0.0.1:4318\"",
        (None, "otlp_receive_token") => "a token in quotes",
        (None, "windows") => "a table of model names and tokens, like [windows] opus = 1000000",
        (Some("audit"), _) => "a list of patterns in quotes, like [\"*.pem\"]",
        _ => return None,
    })
}

/// The TOML parser's words for types (`u8`, `sequence`, `map`) in the
/// user's terms, for the errors `accepted` has no sentence for.
fn plain_words(message: &str) -> String {
    let mut out = message.to_owned();
    for (rust, plain) in [
        ("expected u8", "expected a whole number from 0 to 255"),
        ("expected u16", "expected a whole number"),
        ("expected u32", "expected a whole number"),
        ("expected u64", "expected a whole number"),
        ("expected usize", "expected a whole number"),
        ("expected i64", "expected a whole number"),
        ("expected a sequence", "expected a list like [1, 2]"),
        ("expected a map", "expected a table"),
        ("expected a boolean", "expected true or false"),
        ("invalid type: string", "found the text"),
        ("invalid type: integer", "found the number"),
        ("invalid type: sequence", "found a list"),
        ("invalid type: map", "found a table"),
    ] {
        out = out.replace(rust, plain);
    }
    out
}

/// The `[table]` a line belongs to, if any.
fn table_above(text: &str, line: usize) -> Option<String> {
    text.lines()
        .take(line.checked_sub(1)?)
        .filter_map(|l| {
            let l = l.trim();
            l.strip_prefix('[')?
                .strip_suffix(']')
                .map(|t| t.trim().to_owned())
        })
        .last()
}

fn key_on_line(text: &str, line: usize) -> Option<String> {
    let l = text.lines().nth(line.checked_sub(1)?)?;
    let (key, _) = l.split_once('=')?;
    let key = key.trim().trim_matches('"');
    (!key.is_empty()).then(|| key.to_owned())
}

/// Checks serde cannot express: ranges and value syntax.
fn validate(c: &ConfigFile) -> Result<(), String> {
    let budget = c.budget.clone().unwrap_or_default();
    for (key, levels, max) in [
        ("thresholds", &c.thresholds, 100),
        ("rate_limit_alerts", &c.rate_limit_alerts, 100),
        // Over budget is worth a level of its own (150%).
        ("budget.alerts", &budget.alerts, 250),
    ] {
        if let Some(t) = levels
            && let Some(bad) = t.iter().find(|v| !(1..=max).contains(*v))
        {
            return Err(format!(
                "key `{key}`: {bad} is not a percentage from 1 to {max}"
            ));
        }
    }
    for (key, usd) in [
        ("budget.daily", budget.daily),
        ("budget.weekly", budget.weekly),
    ] {
        if let Some(v) = usd
            && !(v.is_finite() && v > 0.0)
        {
            return Err(format!("key `{key}`: {v} is not an amount of USD above 0"));
        }
    }
    if let Some(v) = &c.before_auto_compact {
        crate::alerts::parse_tokens(v).map_err(|e| format!("key `before_auto_compact`: {e}"))?;
    }
    for (key, value) in [
        ("idle_timeout", &c.idle_timeout),
        ("sparkline_span", &c.sparkline_span),
    ] {
        if let Some(v) = value {
            parse_duration(v).map_err(|e| format!("key `{key}`: {e}"))?;
        }
    }
    if let Some(v) = &c.line_cap {
        parse_size(v).map_err(|e| format!("key `line_cap`: {e}"))?;
    }
    if let Some(cmd) = &c.on_alert {
        parse_command(cmd).map_err(|e| format!("key `on_alert`: {e}"))?;
    }
    if let Some(p) = c.auto_compact
        && !(p > 0.0 && p <= 100.0)
    {
        return Err(format!(
            "key `auto_compact`: {p} is not a percentage above 0 and up to 100"
        ));
    }
    if let Some(a) = &c.audit {
        crate::audit::AuditPatterns::from_config(a)?;
    }
    if let Some(w) = &c.windows
        && let Some((k, _)) = w.iter().find(|(_, v)| **v == 0)
    {
        return Err(format!(
            "key `windows.{k}`: a window must be more than 0 tokens"
        ));
    }
    Ok(())
}

/// Split a command into program and arguments the way a shell would quote
/// them, without ever running a shell (no injection through values).
pub fn parse_command(s: &str) -> Result<Vec<String>, String> {
    let words =
        shell_words::split(s).map_err(|e| format!("`{s}` cannot be split into words ({e})"))?;
    if words.is_empty() {
        return Err("the command is empty".into());
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(text: &str) -> Result<Option<ConfigFile>, String> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("config.toml");
        std::fs::write(&p, text).unwrap();
        load(&p, true).map_err(|e| e.replace(&p.display().to_string(), "FILE"))
    }

    #[test]
    fn a_full_config_reads() {
        let c = load_text(
            "thresholds = [60, 80]\nidle_timeout = \"15m\"\nbell = false\non_alert = \"notify-send 'ccwatch alert'\"\n[windows]\nopus = 1000000\n",
        )
        .unwrap()
        .unwrap();
        assert_eq!(c.thresholds, Some(vec![60, 80]));
        assert_eq!(c.windows.unwrap()["opus"], 1_000_000);
        let c = load_text(
            "before_auto_compact = \"10k\"\nrate_limit_alerts = [90]\n[budget]\ndaily = 20\nweekly = 100\nalerts = [50, 100]\n",
        )
        .unwrap()
        .unwrap();
        assert_eq!(c.before_auto_compact.as_deref(), Some("10k"));
        let b = c.budget.unwrap();
        assert_eq!((b.daily, b.weekly), (Some(20.0), Some(100.0)));
        assert_eq!(b.alerts, Some(vec![50, 100]));
        let c = load_text("before_auto_compact = 12000\n").unwrap().unwrap();
        assert_eq!(c.before_auto_compact.as_deref(), Some("12000"));
    }

    #[test]
    fn errors_name_the_file_line_and_key() {
        let e = load_text("bell = true\nthresholdz = [1]\n").unwrap_err();
        assert!(
            e.starts_with("config file FILE line 2, key `thresholdz`: unknown field"),
            "{e}"
        );
        let e = load_text("bell = \"yes\"\n").unwrap_err();
        assert!(e.starts_with("config file FILE line 1, key `bell`:"), "{e}");
        let e = load_text("idle_timeout = \"soon\"\n").unwrap_err();
        assert!(
            e.starts_with("config file FILE: key `idle_timeout`:"),
            "{e}"
        );
        let e = load_text("auto_compact = 120\n").unwrap_err();
        assert!(
            e.contains("key `auto_compact`: 120 is not a percentage"),
            "{e}"
        );
        let e = load_text("before_auto_compact = true\n").unwrap_err();
        assert!(
            e.contains("key `before_auto_compact`: invalid type: boolean `true`, expected a number of tokens like 10000 or \"10k\""),
            "{e}"
        );
        let e = load_text("before_auto_compact = \"soon\"\n").unwrap_err();
        assert!(e.contains("key `before_auto_compact`"), "{e}");
        let e = load_text("[budget]\ndaily = -5\n").unwrap_err();
        assert!(e.contains("key `budget.daily`: -5 is not an amount"), "{e}");
        let e = load_text("[budget]\nmonthly = 5\n").unwrap_err();
        assert!(e.contains("key `monthly`: unknown field"), "{e}");
        let e = load_text("rate_limit_alerts = [0]\n").unwrap_err();
        assert!(e.contains("key `rate_limit_alerts`: 0 is not"), "{e}");
        let e = load_text("thresholds = [70, 150]\n").unwrap_err();
        assert!(e.contains("150 is not a percentage"), "{e}");
        // Wrong types are said in the README's words, never Rust's.
        for (text, wanted) in [
            (
                "thresholds = \"x\"\n",
                "expected a list of percentages from 1 to 100",
            ),
            (
                "thresholds = [70, 300]\n",
                "expected a list of percentages from 1 to 100",
            ),
            ("idle_timeout = 5\n", "expected a duration in quotes"),
            ("[windows]\nopus = \"a\"\n", "expected a number of tokens"),
            ("bell = 1\n", "expected true or false"),
        ] {
            let e = load_text(text).unwrap_err();
            assert!(e.contains(wanted), "{text}: {e}");
            for rust in ["u8", "u64", "sequence", "invalid type"] {
                assert!(!e.contains(rust), "{text}: {e}");
            }
        }
        let e = load_text("idle_timeout = \"5 parsecs\"\n").unwrap_err();
        assert!(e.ends_with("is not a duration like 30m, 1h or 90s"), "{e}");
        let e = load_text("on_alert = \"say 'unclosed\"\n").unwrap_err();
        assert!(e.contains("key `on_alert`"), "{e}");
    }

    #[test]
    fn a_missing_default_file_is_fine_but_a_named_one_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("nope.toml");
        assert_eq!(load(&p, false), Ok(None));
        assert!(load(&p, true).unwrap_err().contains("does not exist"));
    }

    #[test]
    fn commands_split_like_a_shell_but_run_without_one() {
        assert_eq!(
            parse_command("notify-send 'a b' \"$HOME\"").unwrap(),
            vec!["notify-send", "a b", "$HOME"]
        );
        assert!(parse_command("   ").is_err());
    }
}
