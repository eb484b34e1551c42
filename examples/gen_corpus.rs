//! Write a deterministic, realistic Claude Code data directory and print the
//! expected answers as JSON (totals, per day, per session, skipped lines by
//! reason). Every transcript shape of `claude-code-logs.md`, version 2
//! included, is in it: see the `ccwatch-corpus` crate's documentation.
//!
//! ```text
//! cargo run --release --example gen_corpus -- <dir> [--size 1G|500M|10M|123456]
//!     [--sessions N] [--seed N] [--projects N] [--no-bad-lines] [--no-big]
//!     [--codex SIZE] [--codex-sessions N]
//! ```
//!
//! Sizes use binary units (`1G` = 1 GiB). `<dir>` becomes a data root: the
//! files go under `<dir>/projects/`. With `--codex`, Codex CLI rollouts of
//! that size go under `<dir>/codex/sessions/` too (read them with
//! `--codex-dir <dir>/codex`), and the answers printed are for both.
//! Timing goes to stderr.

use ccwatch_corpus::{CodexSpec, CorpusSpec, generate, generate_codex};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "usage: gen_corpus <dir> [--size 1G|500M|10M|BYTES] [--sessions N] \
                     [--seed N] [--projects N] [--no-bad-lines] [--no-big] \
                     [--codex SIZE] [--codex-sessions N]";

fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let (num, mult) = match s.char_indices().last()? {
        (i, 'k' | 'K') => (&s[..i], 1u64 << 10),
        (i, 'm' | 'M') => (&s[..i], 1 << 20),
        (i, 'g' | 'G') => (&s[..i], 1 << 30),
        _ => (s, 1),
    };
    let v: f64 = num.parse().ok()?;
    (v.is_finite() && v >= 0.0).then_some((v * mult as f64) as u64)
}

fn parse_args() -> Result<(PathBuf, CorpusSpec, Option<CodexSpec>), String> {
    let mut spec = CorpusSpec::default();
    let mut codex: Option<CodexSpec> = None;
    let mut dir = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--size" => {
                let v = value("--size")?;
                spec.target_bytes = parse_size(&v).ok_or(format!("bad size: {v}"))?;
            }
            "--sessions" => {
                let v = value("--sessions")?;
                spec.sessions = v.parse().map_err(|_| format!("bad --sessions: {v}"))?;
            }
            "--seed" => {
                let v = value("--seed")?;
                spec.seed = v.parse().map_err(|_| format!("bad --seed: {v}"))?;
            }
            "--projects" => {
                let v = value("--projects")?;
                spec.projects = v.parse().map_err(|_| format!("bad --projects: {v}"))?;
            }
            "--codex" => {
                let v = value("--codex")?;
                let bytes = parse_size(&v).ok_or(format!("bad size: {v}"))?;
                codex.get_or_insert_with(CodexSpec::default).target_bytes = bytes;
            }
            "--codex-sessions" => {
                let v = value("--codex-sessions")?;
                let n = v
                    .parse()
                    .map_err(|_| format!("bad --codex-sessions: {v}"))?;
                codex.get_or_insert_with(CodexSpec::default).sessions = n;
            }
            "--no-bad-lines" => spec.bad_lines = false,
            "--no-big" => spec.big_tool_results = false,
            "-h" | "--help" => return Err(USAGE.to_string()),
            s if s.starts_with('-') => return Err(format!("unknown option {s}\n{USAGE}")),
            s if dir.is_none() => dir = Some(PathBuf::from(s)),
            s => return Err(format!("unexpected argument {s}\n{USAGE}")),
        }
    }
    Ok((dir.ok_or(USAGE.to_string())?, spec, codex))
}

fn main() -> ExitCode {
    let (dir, spec, codex) = match parse_args() {
        Ok(x) => x,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let t0 = Instant::now();
    let expected = match generate(&dir, &spec) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("gen_corpus: {}: {e}", dir.display());
            return ExitCode::FAILURE;
        }
    };
    let expected = match codex {
        None => expected,
        Some(c) => match generate_codex(&dir.join("codex"), &c) {
            Ok(e) => expected.merge(e),
            Err(e) => {
                eprintln!("gen_corpus: {}: {e}", dir.join("codex").display());
                return ExitCode::FAILURE;
            }
        },
    };
    let secs = t0.elapsed().as_secs_f64();
    eprintln!(
        "wrote {} files, {} bytes in {secs:.2}s ({:.0} MB/s)",
        expected.files,
        expected.bytes,
        expected.bytes as f64 / 1e6 / secs.max(1e-9)
    );
    match serde_json::to_string_pretty(&expected) {
        Ok(s) => {
            println!("{s}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gen_corpus: {e}");
            ExitCode::FAILURE
        }
    }
}
