//! `ccwatch statusline`: read Claude Code's JSON from stdin, print one line,
//! exit 0, whatever happens. Nothing here may fail out loud: a bad config
//! file, missing data or a broken cache only lose figures from the line,
//! and `--debug` says why on stderr.

use super::print_out;
use crate::cli::{DataArgs, Gauge, StatuslineArgs, UiArgs};
use crate::cost::Pricer;
use crate::ledger::WindowPolicy;
use crate::report::Zone;
use crate::settings::Options;
use crate::source::discover::{DiscoveryEnv, find_roots};
use crate::source::reader::DEFAULT_LINE_CAP;
use crate::statusline::{self, Env, FALLBACK};
use std::io::{IsTerminal, Read};
use std::process::ExitCode;

/// More than any status JSON; a runaway pipe is cut here.
const STDIN_CAP: u64 = 4 << 20;

pub fn run(data: &DataArgs, gauge: &Gauge, ui: &UiArgs, args: &StatuslineArgs) -> ExitCode {
    if !args.debug {
        // A panic must not put a backtrace where the status line goes.
        std::panic::set_hook(Box::new(|_| {}));
    }
    let mut notes = Vec::new();
    let line = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        answer(data, gauge, ui, args, &mut notes)
    }))
    .unwrap_or_else(|_| FALLBACK.to_owned());
    print_out(&(line + "\n"));
    if args.debug {
        for n in &notes {
            eprintln!("ccwatch statusline: {n}");
        }
    }
    ExitCode::SUCCESS
}

fn answer(
    data: &DataArgs,
    gauge: &Gauge,
    ui: &UiArgs,
    args: &StatuslineArgs,
    notes: &mut Vec<String>,
) -> String {
    let started = std::time::Instant::now();
    let mut stdin = Vec::new();
    if std::io::stdin().is_terminal() {
        notes.push("stdin is a terminal: pipe Claude Code's status JSON in".into());
        return FALLBACK.to_owned();
    }
    if let Err(e) = std::io::stdin().take(STDIN_CAP).read_to_end(&mut stdin) {
        notes.push(format!("cannot read stdin: {e}"));
        return FALLBACK.to_owned();
    }
    let (line_cap, window) = match Options::resolve(data, gauge, ui) {
        Ok(o) => (o.line_cap, o.window),
        Err(e) => {
            notes.push(format!("config ignored: {e}"));
            (
                data.line_cap.unwrap_or(DEFAULT_LINE_CAP),
                WindowPolicy {
                    overrides: gauge.windows.clone(),
                    ..WindowPolicy::default()
                },
            )
        }
    };
    let roots = find_roots(data.dir.as_deref(), &DiscoveryEnv::from_process()).usable;
    let pricer = Pricer::load(args.cost.pricing.as_deref(), args.cost.mode).unwrap_or_else(|e| {
        notes.push(format!("--pricing ignored: {e}"));
        Pricer::builtin(args.cost.mode)
    });
    let cache_path = match data.no_cache {
        true => None,
        false => statusline::cache::default_path(&roots, line_cap),
    };
    let mut env = Env {
        roots,
        line_cap,
        window,
        cache_path,
        hints_dir: crate::hints::default_dir(),
        zone: args.timezone.unwrap_or_else(Zone::system),
        now: super::report::now(),
        pricer,
    };
    let line = match statusline::facts(&stdin, &mut env, notes) {
        Ok(f) => statusline::render(&f),
        Err(e) => {
            notes.push(e);
            FALLBACK.to_owned()
        }
    };
    notes.push(format!("answered in {:.2?}", started.elapsed()));
    line
}
