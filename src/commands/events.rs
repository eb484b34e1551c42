//! `ccwatch events`: the live engine without a screen. One line per change,
//! flushed as it happens: the scriptable face of the dashboard.

use super::print_out;
use super::status::{Totals, totals};
use crate::alerts::CrossingKind;
use crate::alerts::limits::{LimitCrossing, LimitKind};
use crate::budget::Spend;
use crate::cli::ExportArgs;
use crate::error::UserError;
use crate::export::ExportPlan;
use crate::format;
use crate::ledger::{Ledger, SessionSnapshot};
use crate::monitor::Change;
use crate::parse::SkipCounts;
use crate::record::{Millis, format_timestamp};
use crate::settings::Settings;
use crate::source::live::SourceMsg;
use serde::Serialize;
use std::process::ExitCode;
use std::sync::Arc;

/// One line of `events --json`.
#[derive(Debug, Serialize)]
#[serde(tag = "event", rename_all = "camelCase")]
pub enum EventJson<'a> {
    /// A session exists: at start-up for each one found, later when new.
    #[serde(rename_all = "camelCase")]
    Appeared {
        time: String,
        session_id: &'a str,
        session: &'a SessionSnapshot,
    },
    #[serde(rename_all = "camelCase")]
    Context {
        time: String,
        session_id: &'a str,
        previous_tokens: Option<u64>,
        session: &'a SessionSnapshot,
    },
    #[serde(rename_all = "camelCase")]
    Compaction {
        time: String,
        session_id: &'a str,
        timestamp: String,
        trigger: Option<&'a str>,
        pre_tokens: Option<u64>,
        session: &'a SessionSnapshot,
    },
    #[serde(rename_all = "camelCase")]
    Threshold {
        time: String,
        session_id: &'a str,
        /// As `CCWATCH_LEVEL` says it: `85`, `auto-compact`.
        alert: String,
        /// For `auto-compact`: the point it warns of, in tokens.
        #[serde(skip_serializing_if = "Option::is_none")]
        auto_compact_at: Option<u64>,
        level: u8,
        percent: f64,
        tokens: u64,
        window: u64,
        session: &'a SessionSnapshot,
    },
    #[serde(rename_all = "camelCase")]
    Usage {
        time: String,
        session_id: &'a str,
        session: &'a SessionSnapshot,
    },
    /// The session's state changed (working, waiting, compacting, idle,
    /// ended), or what it works on.
    #[serde(rename_all = "camelCase")]
    State {
        time: String,
        session_id: &'a str,
        state: Option<crate::state::State>,
        previous: Option<crate::state::State>,
        session: &'a SessionSnapshot,
    },
    #[serde(rename_all = "camelCase")]
    Removed { time: String, session_id: &'a str },
    /// The plan's usage or a cost budget crossed an alert level.
    #[serde(rename_all = "camelCase")]
    Limit {
        time: String,
        /// As `CCWATCH_LEVEL` says it: `budget-80`, `rate-limit-95`.
        alert: String,
        /// `five_hour`, `seven_day`, `daily`, `weekly`.
        period: &'static str,
        level: u8,
        percent: f64,
        #[serde(skip_serializing_if = "Option::is_none")]
        resets: Option<String>,
        #[serde(rename = "spentUSD", skip_serializing_if = "Option::is_none")]
        spent_usd: Option<f64>,
        #[serde(rename = "budgetUSD", skip_serializing_if = "Option::is_none")]
        budget_usd: Option<f64>,
    },
    /// After each batch: the totals as `status --json` would print them.
    #[serde(rename_all = "camelCase")]
    Totals {
        time: String,
        totals: Totals,
        files: u64,
        bytes: u64,
        skipped: SkipCounts,
        /// Spend against the configured budgets, when there are any.
        #[serde(skip_serializing_if = "<[Spend]>::is_empty")]
        budgets: &'a [Spend],
    },
    /// The start-up scan is done and watching has begun.
    #[serde(rename_all = "camelCase")]
    Ready {
        time: String,
        sessions: usize,
        totals: Totals,
        files: u64,
        bytes: u64,
        skipped: SkipCounts,
        watcher: &'static str,
        #[serde(skip_serializing_if = "<[Spend]>::is_empty")]
        budgets: &'a [Spend],
    },
    #[serde(rename_all = "camelCase")]
    Notice { time: String, message: &'a str },
}

fn now() -> String {
    format_timestamp(chrono::Utc::now().timestamp_millis())
}

fn change_json(c: &Change) -> EventJson<'_> {
    let time = now();
    match c {
        Change::Appeared(s) => EventJson::Appeared {
            time,
            session_id: &s.session_id,
            session: s,
        },
        Change::Context {
            session,
            previous_tokens,
        } => EventJson::Context {
            time,
            session_id: &session.session_id,
            previous_tokens: *previous_tokens,
            session,
        },
        Change::Compaction { session, boundary } => EventJson::Compaction {
            time,
            session_id: &session.session_id,
            timestamp: format_timestamp(boundary.timestamp),
            trigger: boundary.trigger.as_deref(),
            pre_tokens: boundary.pre_tokens,
            session,
        },
        Change::Threshold { session, crossing } => EventJson::Threshold {
            time,
            session_id: &session.session_id,
            alert: crossing.name(),
            auto_compact_at: match crossing.kind {
                CrossingKind::AutoCompact { at } => Some(at),
                CrossingKind::Percent => None,
            },
            level: crossing.level,
            percent: crossing.percent,
            tokens: crossing.tokens,
            window: crossing.window,
            session,
        },
        Change::Usage(s) => EventJson::Usage {
            time,
            session_id: &s.session_id,
            session: s,
        },
        Change::State { session, previous } => EventJson::State {
            time,
            session_id: &session.session_id,
            state: session.state.as_ref().map(|s| s.state),
            previous: *previous,
            session,
        },
        Change::Removed { session_id } => EventJson::Removed { time, session_id },
        Change::Limit(l) => EventJson::Limit {
            time,
            alert: l.name(),
            period: l.reading.kind.period(),
            level: l.level,
            percent: l.reading.percent,
            resets: l.reading.resets_at.map(format_timestamp),
            spent_usd: l.reading.spend.map(|s| s.0),
            budget_usd: l.reading.spend.map(|s| s.1),
        },
    }
}

/// The same change as one line of text for a person.
fn change_text(c: &Change) -> String {
    let clock = chrono::Local::now().format("%H:%M:%S");
    let who = |s: &SessionSnapshot| {
        let mark = s
            .agent
            .mark()
            .map(|m| format!(" [{m}]"))
            .unwrap_or_default();
        format!(
            "{} {}{mark}",
            format::project_name(&s.project),
            s.agent.short_id(&s.session_id)
        )
    };
    let context = |s: &SessionSnapshot| match &s.context {
        // The last reply's figure is the old context's: say what it was.
        Some(c) if c.compacted => match s.last_compaction.as_ref().and_then(|b| b.pre_tokens) {
            Some(pre) => format!(
                "compacted from {} · waiting for the next reply",
                format::tokens(pre)
            ),
            None => "compacted · waiting for the next reply".to_owned(),
        },
        Some(c) => format!(
            "{} / {} ({:.1}%)",
            format::tokens(c.tokens),
            format::tokens(c.window),
            c.percent
        ),
        None if s.subagents_only => "subagent files only: no context".to_owned(),
        None if s.records > 0 => "subagent replies only: no context".to_owned(),
        None if s.replies_elsewhere => "replies counted in its resumed copy".to_owned(),
        None => "no context yet".to_owned(),
    };
    match c {
        Change::Appeared(s) => format!("{clock} new        {}  {}", who(s), context(s)),
        Change::Context { session, .. } => {
            format!("{clock} context    {}  {}", who(session), context(session))
        }
        Change::Compaction { session, boundary } => format!(
            "{clock} compacted  {}  from {}",
            who(session),
            boundary.pre_tokens.map_or("?".into(), format::tokens)
        ),
        Change::Threshold { session, crossing } => match crossing.kind {
            CrossingKind::Percent => format!(
                "{clock} ALERT {}%  {}  {}",
                crossing.level,
                who(session),
                context(session)
            ),
            CrossingKind::AutoCompact { at } => format!(
                "{clock} ALERT auto-compact  {}  {}, auto-compact at {}",
                who(session),
                context(session),
                format::tokens(at)
            ),
        },
        Change::Limit(l) => format!("{clock} ALERT {}  {}", l.name(), limit_text(l)),
        Change::Usage(s) => format!(
            "{clock} usage      {}  {}",
            who(s),
            format::count(s.records, "response", "responses")
        ),
        Change::State { session, .. } => {
            let state = session.state.as_ref();
            format!(
                "{clock} {:<10} {}{}",
                state.map_or("unknown", |s| s.state.name()),
                who(session),
                state
                    .and_then(|s| s.waiting_for.as_deref())
                    .map(|w| format!("  waiting for {w}"))
                    .unwrap_or_default()
            )
        }
        Change::Removed { session_id } => {
            format!("{clock} removed    {}", format::short_id(session_id))
        }
    }
}

/// "daily $16.20 of $20.00 (81%)", "five_hour 82% (resets 2026-12-05T14:00:00.000Z)".
fn limit_text(l: &LimitCrossing) -> String {
    let r = &l.reading;
    match (r.kind, r.spend) {
        (LimitKind::Budget(p), Some((spent, budget))) => format!(
            "{} {} of {} ({:.0}%)",
            p.name(),
            format::usd(spent),
            format::usd(budget),
            r.percent
        ),
        (kind, _) => match r.resets_at {
            Some(at) => format!(
                "{} {:.0}% (resets {})",
                kind.period(),
                r.percent,
                format_timestamp(at)
            ),
            None => format!("{} {:.0}%", kind.period(), r.percent),
        },
    }
}

struct Printer {
    json: bool,
    /// The last totals line printed, so unchanged totals are not repeated.
    last_totals: Option<String>,
}

impl Printer {
    fn line(&self, event: &EventJson, text: impl FnOnce() -> String) {
        let line = if self.json {
            serde_json::to_string(event).unwrap_or_default()
        } else {
            text()
        };
        print_out(&(line + "\n"));
    }

    /// After a batch: the totals, when they changed. People read totals in
    /// `status`; the stream carries them for scripts only.
    fn totals(&mut self, ledger: &Ledger, budgets: &[Spend]) {
        if !self.json {
            return;
        }
        let key = totals_key(ledger, budgets);
        if self.last_totals.as_ref() == Some(&key) {
            return;
        }
        self.last_totals = Some(key);
        let event = EventJson::Totals {
            time: now(),
            totals: totals(ledger),
            files: ledger.files(),
            bytes: ledger.bytes(),
            skipped: ledger.skipped(),
            budgets,
        };
        self.line(&event, String::new);
    }
}

fn totals_key(ledger: &Ledger, budgets: &[Spend]) -> String {
    let all = (
        totals(ledger),
        ledger.files(),
        ledger.bytes(),
        ledger.skipped(),
        budgets,
    );
    serde_json::to_string(&all).unwrap_or_default()
}

pub fn run(settings: &Settings, json: bool, export: &ExportArgs) -> Result<ExitCode, UserError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| UserError(format!("cannot start: {e}")))?;
    runtime.block_on(follow(
        settings,
        export,
        Printer {
            json,
            last_totals: None,
        },
    ))
}

async fn follow(
    settings: &Settings,
    export: &ExportArgs,
    mut printer: Printer,
) -> Result<ExitCode, UserError> {
    let plan = ExportPlan::bind(export.serve.as_deref(), export.allow_remote, &export.push).await?;
    let receiver = crate::receive::bind_asked(
        &export.receive.or(&settings.options.otlp_receive),
        export.allow_remote,
    )
    .await?;
    if let Some(r) = &receiver {
        eprintln!("ccwatch: receiving OTLP on http://{}", r.address());
    }
    let (live, mut monitor) = crate::engine::start_live(settings)?;
    for note in &live.notes {
        printer.line(
            &EventJson::Notice {
                time: now(),
                message: note,
            },
            || note.clone(),
        );
    }
    for s in monitor.sessions() {
        printer.line(&change_json(&Change::Appeared(s.clone())), || {
            change_text(&Change::Appeared(s.clone()))
        });
    }
    let ledger = &monitor.ledger;
    let ready = EventJson::Ready {
        time: now(),
        sessions: monitor.sessions().len(),
        totals: totals(ledger),
        files: ledger.files(),
        bytes: ledger.bytes(),
        skipped: ledger.skipped(),
        watcher: live.mode.name(),
        budgets: monitor.spend(),
    };
    printer.line(&ready, || {
        format!(
            "Watching {} in {} ({} watcher). Ctrl-C to stop.",
            format::count(monitor.sessions().len() as u64, "session", "sessions"),
            format::count(live.files as u64, "file", "files"),
            live.mode.name()
        )
    });
    printer.last_totals = Some(totals_key(&monitor.ledger, monitor.spend()));
    let idle_timeout_ms =
        Millis::try_from(settings.options.idle_timeout.as_millis()).unwrap_or(Millis::MAX);
    // Export trouble goes to stderr: stdout is the event stream.
    let exporter = plan.start(
        &mut monitor,
        idle_timeout_ms,
        Arc::new(|message| eprintln!("ccwatch: {message}")),
    )?;
    let mut updates =
        crate::engine::receive_into(receiver, live.updates, &mut monitor, idle_timeout_ms);
    // One listener for the whole run: a signal arriving while a batch is
    // handled is kept for the next wait, not lost with a dropped future.
    let stop = shutdown();
    tokio::pin!(stop);
    let mut hints = monitor.hint_wake();
    loop {
        // A state can change with no line written (idle, ended): wake for
        // that only while some session could, never on a fixed tick.
        let check = monitor.next_state_check();
        let msg = tokio::select! {
            msg = updates.recv() => msg,
            _ = &mut stop => break,
            () = sleep_or_never(check) => {
                let changes = monitor.look_at_processes();
                exporter.update(&monitor, &changes);
                for c in &changes {
                    printer.line(&change_json(c), || change_text(c));
                }
                continue;
            }
            () = hints.changed_or(monitor.next_period_end()) => {
                if let Some(changes) = monitor.refresh_hints() {
                    exporter.update(&monitor, &changes);
                    for c in &changes {
                        printer.line(&change_json(c), || change_text(c));
                    }
                    // A budget's new period changes the spend.
                    printer.totals(&monitor.ledger, monitor.spend());
                }
                continue;
            }
        };
        let mut changes = match msg {
            Some(SourceMsg::Updates(batch)) => monitor.apply(batch),
            Some(SourceMsg::Telemetry) => monitor.apply_telemetry(),
            Some(SourceMsg::Notice(message)) => {
                printer.line(
                    &EventJson::Notice {
                        time: now(),
                        message: &message,
                    },
                    || message.clone(),
                );
                continue;
            }
            None => break,
        };
        changes.extend(monitor.refresh_hints().unwrap_or_default());
        exporter.update(&monitor, &changes);
        for c in &changes {
            printer.line(&change_json(c), || change_text(c));
        }
        printer.totals(&monitor.ledger, monitor.spend());
    }
    Ok(ExitCode::SUCCESS)
}

/// Sleep this long, or for ever.
pub(crate) async fn sleep_or_never(d: Option<std::time::Duration>) {
    match d {
        Some(d) => tokio::time::sleep(d).await,
        None => std::future::pending().await,
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub(crate) async fn shutdown() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
