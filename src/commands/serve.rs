//! `ccwatch serve`: the live engine behind a Prometheus endpoint (and,
//! with `--otlp-endpoint`, pushing to a collector too).
//!
//! The engine runs as in `events`; after each batch the exporter refreshes
//! its numbers from the monitor, and each scrape renders them.

use crate::cli::{PushArgs, ReceiveArgs};
use crate::error::UserError;
use crate::export::ExportPlan;
use crate::record::Millis;
use crate::settings::Settings;
use crate::source::live::SourceMsg;
use std::process::ExitCode;
use std::sync::Arc;

pub fn run(
    settings: &Settings,
    listen: &str,
    allow_remote: bool,
    push: &PushArgs,
    receive: &ReceiveArgs,
) -> Result<ExitCode, UserError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| UserError(format!("cannot start: {e}")))?;
    runtime.block_on(serve(settings, listen, allow_remote, push, receive))
}

async fn serve(
    settings: &Settings,
    listen: &str,
    allow_remote: bool,
    push: &PushArgs,
    receive: &ReceiveArgs,
) -> Result<ExitCode, UserError> {
    let plan = ExportPlan::bind(Some(listen), allow_remote, push).await?;
    let receiver =
        crate::receive::bind_asked(&receive.or(&settings.options.otlp_receive), allow_remote)
            .await?;
    if let Some(r) = &receiver {
        eprintln!("ccwatch: receiving OTLP on http://{}", r.address());
    }
    let (live, mut monitor) = crate::engine::start_live(settings)?;
    for note in &live.notes {
        eprintln!("ccwatch: {note}");
    }
    let idle_timeout_ms =
        Millis::try_from(settings.options.idle_timeout.as_millis()).unwrap_or(Millis::MAX);
    let bound = plan.address();
    let exporter = plan.start(
        &mut monitor,
        idle_timeout_ms,
        Arc::new(|message| eprintln!("ccwatch: {message}")),
    )?;
    if let Some(bound) = bound {
        eprintln!(
            "ccwatch: serving metrics on http://{bound}/metrics ({}, {}, {} watcher). Ctrl-C to stop.",
            crate::format::count(monitor.sessions().len() as u64, "session", "sessions"),
            crate::format::count(live.files as u64, "file", "files"),
            live.mode.name()
        );
    }
    let mut updates =
        crate::engine::receive_into(receiver, live.updates, &mut monitor, idle_timeout_ms);
    // One listener for the whole run: a signal arriving while a batch is
    // handled is kept for the next wait, not lost with a dropped future.
    let stop = super::events::shutdown();
    tokio::pin!(stop);
    let mut hints = monitor.hint_wake();
    loop {
        // States change with time and processes too (idle, ended).
        let check = monitor.next_state_check();
        let msg = tokio::select! {
            msg = updates.recv() => msg,
            _ = &mut stop => break,
            () = super::events::sleep_or_never(check) => {
                let changes = monitor.look_at_processes();
                exporter.update(&monitor, &changes);
                continue;
            }
            () = hints.changed_or(monitor.next_period_end()) => {
                if let Some(changes) = monitor.refresh_hints() {
                    exporter.update(&monitor, &changes);
                }
                continue;
            }
        };
        match msg {
            Some(SourceMsg::Updates(batch)) => {
                let mut changes = monitor.apply(batch);
                changes.extend(monitor.refresh_hints().unwrap_or_default());
                exporter.update(&monitor, &changes);
            }
            Some(SourceMsg::Telemetry) => {
                let changes = monitor.apply_telemetry();
                exporter.update(&monitor, &changes);
            }
            Some(SourceMsg::Notice(message)) => eprintln!("ccwatch: {message}"),
            None => break,
        }
    }
    Ok(ExitCode::SUCCESS)
}
