//! What each subcommand does, on top of the engine.

pub mod audit;
pub mod context;
pub mod docs;
pub mod events;
pub mod pick;
pub mod report;
pub mod search;
pub mod serve;
pub mod status;
pub mod statusline;

use crate::cli::{Cli, Command};
use crate::error::UserError;
use crate::report::period::Period;
use crate::settings::{Options, Settings};
use crate::source::discover::DiscoveryEnv;
use crate::source::index::scan_cached;
use crate::source::scan::default_threads;
use report::Kind;
use std::io::Write;
use std::process::ExitCode;

/// Run the parsed command line. Errors are for the user: one sentence.
pub fn run(cli: Cli) -> Result<ExitCode, UserError> {
    if let Some(Command::Statusline(args)) = &cli.command {
        // Before anything that can fail: the status bar never shows an error.
        return Ok(statusline::run(&cli.data, &cli.gauge(), &cli.ui, args));
    }
    // Documents about ccwatch itself need no data and no config.
    match &cli.command {
        Some(Command::Completions { shell }) => return docs::completions(*shell),
        Some(Command::Man) => return docs::man(),
        _ => {}
    }
    let options = Options::resolve(&cli.data, &cli.gauge(), &cli.ui)?;
    if cli.ui.print_config {
        print_out(&options.to_toml());
        return Ok(ExitCode::SUCCESS);
    }
    let env = DiscoveryEnv::from_process();
    let choice = crate::source::codex::AgentChoice::of(&cli.data);
    let settings = Settings::resolve_agents(options, cli.data.dir.as_deref(), &env, &choice)?;
    match cli.command {
        Some(Command::Status { json, .. }) => status(&settings, &env, json),
        Some(Command::Events { json, export, .. }) => {
            events::run(&settings, json, &export.or(&cli.export))
        }
        Some(Command::Serve {
            listen,
            allow_remote,
            push,
            receive,
            ..
        }) => serve::run(
            &settings,
            &listen,
            allow_remote || cli.export.allow_remote,
            &push.or(&cli.export.push),
            &receive.or(&cli.export.receive),
        ),
        Some(Command::Daily(a)) => report::run(&settings, &env, Kind::Period(Period::Day), &a),
        Some(Command::Weekly {
            report: a,
            start_of_week,
        }) => {
            let kind = Kind::Period(Period::Week(start_of_week.weekday()));
            report::run(&settings, &env, kind, &a)
        }
        Some(Command::Monthly(a)) => report::run(&settings, &env, Kind::Period(Period::Month), &a),
        Some(Command::Session(a)) => report::run(&settings, &env, Kind::Session, &a),
        Some(Command::Context(a)) => context::run(&settings, &a.session, a.json, a.all),
        Some(Command::Audit(a)) => audit::run(&settings, &a.session, a.json),
        Some(Command::Search(a)) => search::run(&settings, &env, &a),
        Some(Command::Resume(a)) => search::resume(&settings, &a),
        Some(Command::Blocks(b)) => {
            let a = b.report.clone();
            report::run(&settings, &env, Kind::Blocks(b), &a)
        }
        // Answered above, before the settings were resolved.
        Some(Command::Statusline(_) | Command::Completions { .. } | Command::Man) => {
            Ok(ExitCode::SUCCESS)
        }
        None => crate::tui::run(&settings, &cli.export),
    }
}

/// The one-shot scan every report starts from: through the persistent
/// index unless `--no-cache`, with anything worth knowing on stderr.
pub fn scan_once(settings: &Settings) -> crate::source::scan::Scan {
    let index = settings.index_path();
    let scan = scan_cached(
        &settings.roots,
        default_threads(),
        settings.options.line_cap,
        index.as_deref(),
    );
    for note in &scan.notes {
        eprintln!("ccwatch: {note}");
    }
    scan
}

fn status(settings: &Settings, env: &DiscoveryEnv, json: bool) -> Result<ExitCode, UserError> {
    let scan = scan_once(settings);
    let window = crate::gauge::prepared(&settings.options.window, &settings.roots, &scan.ledger);
    let mut report = status::StatusJson::of(&scan.ledger, &window);
    let procs = crate::state::open_files::Processes::probe();
    let clock = crate::state::Clock::now(settings.options.idle_timeout);
    report.present_states(&scan.ledger, clock, procs.as_ref());
    let now = chrono::Utc::now().timestamp_millis();
    let zone = crate::report::Zone::system();
    report.budgets = crate::budget::spend(&scan.ledger, &settings.options.budgets, now, &zone);
    report.rate_limits = crate::hints::rate::PlanLimits::of(&window.sources.hints, now)
        .as_ref()
        .map(Into::into);
    let text = if json {
        serde_json::to_string_pretty(&report).map_err(|e| UserError(e.to_string()))? + "\n"
    } else {
        let home = env.home.as_ref().map(|h| h.to_string_lossy().into_owned());
        let now = chrono::Utc::now().timestamp_millis();
        status::render_human(&report, now, home.as_deref())
    };
    print_out(&text);
    // The process ends here: freeing a large ledger piece by piece would
    // take longer than the rest of a warm start.
    std::mem::forget(scan);
    Ok(ExitCode::SUCCESS)
}

/// Write to stdout; a closed pipe (`ccwatch status | head`) ends the
/// process quietly instead of panicking.
pub fn print_out(text: &str) {
    let mut out = std::io::stdout().lock();
    if out
        .write_all(text.as_bytes())
        .and_then(|_| out.flush())
        .is_err()
    {
        std::process::exit(0);
    }
}
