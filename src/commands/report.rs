//! `ccwatch daily|weekly|monthly|session|blocks`: scan, price, filter,
//! group, print as a table or as JSON.

use super::print_out;
use crate::cli::{BlocksArgs, Order, ReportArgs};
use crate::cost::{Pricer, unlogged};
use crate::error::UserError;
use crate::hints::HintBook;
use crate::ledger::Ledger;
use crate::record::Millis;
use crate::report::blocks::{self, Block};
use crate::report::period::{self, Period};
use crate::report::table::{self, Layout};
use crate::report::{Entry, Filter, Usage, Zone, json, priced_entries, session, unpriced};
use crate::settings::Settings;
use crate::source::discover::DiscoveryEnv;
use std::process::ExitCode;

/// Which report to print.
#[derive(Debug, Clone)]
pub enum Kind {
    Period(Period),
    Session,
    Blocks(BlocksArgs),
}

/// The current time; `CCWATCH_NOW` (RFC 3339) stands in for the clock in
/// tests, so "active" and "today" can be checked on fixed data.
pub fn now() -> Millis {
    std::env::var("CCWATCH_NOW")
        .ok()
        .and_then(|s| crate::record::parse_timestamp(&s))
        .unwrap_or_else(|| chrono::Utc::now().timestamp_millis())
}

pub fn run(
    settings: &Settings,
    env: &DiscoveryEnv,
    kind: Kind,
    args: &ReportArgs,
) -> Result<ExitCode, UserError> {
    let mut pricer = Pricer::load(args.cost.pricing.as_deref(), args.cost.mode)
        .map_err(|e| UserError(format!("--pricing: {e}")))?;
    let scan = super::scan_once(settings);
    let zone = args.timezone.unwrap_or_else(Zone::system);
    let filter = Filter {
        since: args.since,
        until: args.until,
        project: args.project.clone(),
        agent: args.agent,
    };
    let all = priced_entries(&scan.ledger, &mut pricer);
    filter.check(&all).map_err(UserError)?;
    let entries = filter.apply(all, &zone);
    let home = env.home.as_ref().map(|h| h.to_string_lossy().into_owned());
    let layout = Layout {
        compact: args.compact || table::terminal_width().is_some_and(|w| w < table::COMPACT_BELOW),
        breakdown: args.breakdown,
    };
    let text = match kind {
        Kind::Period(p) => period_report(&entries, &zone, p, args, layout),
        Kind::Session => {
            let title = |id: &str| scan.ledger.title(id);
            let whole = args.since.is_none() && args.until.is_none();
            let compare_with = whole.then_some(&scan.ledger);
            session_report(
                &entries,
                &title,
                &zone,
                home.as_deref(),
                args,
                layout,
                compare_with,
            )
        }
        Kind::Blocks(b) => blocks_report(&entries, &zone, &b, layout),
    };
    print_out(&text);
    // Freeing a large ledger piece by piece takes longer than the report.
    std::mem::forget(scan);
    Ok(ExitCode::SUCCESS)
}

fn ordered<T>(mut rows: Vec<T>, order: Order) -> Vec<T> {
    if order == Order::Desc {
        rows.reverse();
    }
    rows
}

/// What follows every human table: what had no price, and the zone.
fn footer(entries: &[Entry], zone: Option<&Zone>) -> String {
    let mut out = String::new();
    if let Some(s) = unpriced(entries).sentence() {
        out.push_str(&s);
        out.push('\n');
    }
    // Counted as logged, but said: a date after now is a clock to check.
    let future = entries
        .iter()
        .filter(|e| e.timestamp > now() + 60_000)
        .count();
    if future > 0 {
        out.push_str(&format!(
            "{} dated after now; counted on the day logged.\n",
            crate::format::count(future as u64, "response is", "responses are")
        ));
    }
    if let Some(z) = zone {
        out.push_str(&format!("Times and days in {}.\n", z.name()));
    }
    out
}

fn period_report(
    entries: &[Entry],
    zone: &Zone,
    p: Period,
    args: &ReportArgs,
    layout: Layout,
) -> String {
    let rows = ordered(period::group(entries, zone, p), args.order);
    let totals = Usage::of(entries);
    let (name, what, key): (&str, &str, fn(String) -> json::PeriodKey) = match p {
        Period::Day => ("daily", "Date", json::PeriodKey::Date),
        Period::Week(_) => ("weekly", "Week of", json::PeriodKey::Week),
        Period::Month => ("monthly", "Month", json::PeriodKey::Month),
    };
    if args.json {
        return json::report(
            name,
            json::period_rows(&rows, key),
            &totals,
            &unpriced(entries),
        );
    }
    if rows.is_empty() {
        return "No usage found.\n".to_owned();
    }
    table::periods(&rows, what, &totals, layout) + &footer(entries, Some(zone))
}

fn session_report(
    entries: &[Entry],
    title: &dyn Fn(&str) -> Option<String>,
    zone: &Zone,
    home: Option<&str>,
    args: &ReportArgs,
    layout: Layout,
    unlogged_from: Option<&Ledger>,
) -> String {
    let mut rows = ordered(session::group(entries), args.order);
    for r in &mut rows {
        r.title = title(&r.session);
    }
    let totals = Usage::of(entries);
    if args.json {
        // Only a whole session's cost compares with Claude Code's figure.
        let hints = unlogged_from.map(|_| {
            crate::hints::default_dir()
                .map(|d| HintBook::load(&d, now()))
                .unwrap_or_default()
        });
        let unlogged = |r: &session::SessionRow| {
            let (ledger, hints) = (unlogged_from?, hints.as_ref()?);
            unlogged::of_session(hints, ledger, &r.session, r.usage.cost)
        };
        return json::report(
            "sessions",
            json::session_rows(&rows, unlogged),
            &totals,
            &unpriced(entries),
        );
    }
    if rows.is_empty() {
        return "No usage found.\n".to_owned();
    }
    table::sessions(&rows, &totals, zone, home, layout) + &footer(entries, Some(zone))
}

fn blocks_report(entries: &[Entry], zone: &Zone, b: &BlocksArgs, layout: Layout) -> String {
    let now = now();
    let all = blocks::build(entries, now);
    let limit = b.token_limit.and_then(|l| l.resolve(&all));
    let recent_from = now - 3 * 24 * blocks::HOUR_MS;
    let shown: Vec<Block> = all
        .into_iter()
        .filter(|x| !b.active || x.active)
        .filter(|x| !b.recent || x.active || x.end > recent_from)
        .collect();
    let shown = ordered(shown, b.report.order);
    if b.report.json {
        let rows: Vec<json::BlockJson> = shown.iter().map(|x| json::block(x, now, limit)).collect();
        return json::blocks_report(&rows, &unpriced(entries));
    }
    if shown.is_empty() {
        return if b.active {
            "No active block.\n".to_owned()
        } else if b.recent {
            "No blocks in the last 3 days.\n".to_owned()
        } else {
            "No usage found.\n".to_owned()
        };
    }
    table::blocks(&shown, now, limit, zone, layout) + &footer(entries, Some(zone))
}
