//! `ccwatch serve`: the live engine behind a Prometheus endpoint.
//!
//! The engine runs as in `events`; after each batch the metric state is
//! refreshed from the monitor, and each scrape renders it.

use crate::export::http::{AppState, router};
use crate::export::metrics::{MetricState, SharedState};
use crate::monitor::Monitor;
use crate::record::Millis;
use crate::settings::{Settings, UserError};
use crate::source::live::{self, SourceMsg};
use crate::source::scan::default_threads;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

pub const DEFAULT_LISTEN: &str = "127.0.0.1:9464";

/// Where to listen, refusing a non-loopback address unless allowed.
pub fn listen_addr(listen: &str, allow_remote: bool) -> Result<SocketAddr, UserError> {
    let addr: SocketAddr = listen.parse().map_err(|_| {
        UserError(format!(
            "--listen wants an IP address and port such as {DEFAULT_LISTEN}, not {listen:?}"
        ))
    })?;
    if !addr.ip().is_loopback() && !allow_remote {
        return Err(UserError(format!(
            "{addr} is reachable from other machines; pass --allow-remote to serve metrics there"
        )));
    }
    Ok(addr)
}

pub fn run(settings: &Settings, listen: &str, allow_remote: bool) -> Result<ExitCode, UserError> {
    let addr = listen_addr(listen, allow_remote)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| UserError(format!("cannot start: {e}")))?;
    runtime.block_on(serve(settings, addr))
}

async fn serve(settings: &Settings, addr: SocketAddr) -> Result<ExitCode, UserError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| UserError(format!("cannot listen on {addr}: {e}")))?;
    let bound = listener
        .local_addr()
        .map_err(|e| UserError(format!("cannot listen on {addr}: {e}")))?;

    let index = settings.index_path();
    let live = live::start_indexed(
        &settings.roots,
        default_threads(),
        settings.options.line_cap,
        index.as_deref(),
    )
    .map_err(UserError)?;
    for note in &live.notes {
        eprintln!("ccwatch: {note}");
    }
    let mut monitor = Monitor::new(
        live.ledger,
        settings.options.window.clone(),
        settings.options.thresholds.clone(),
    );
    let mut metrics = MetricState::default();
    metrics.update(&monitor, &[]);
    let shared: SharedState = Arc::new(Mutex::new(metrics));
    let idle_timeout_ms =
        Millis::try_from(settings.options.idle_timeout.as_millis()).unwrap_or(Millis::MAX);
    let app = router(AppState {
        metrics: shared.clone(),
        idle_timeout_ms,
    });
    eprintln!(
        "ccwatch: serving metrics on http://{bound}/metrics ({} sessions, {} files, {} watcher). Ctrl-C to stop.",
        monitor.sessions().len(),
        live.files,
        live.mode.name()
    );

    let mut server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(super::events::shutdown())
            .await
    });
    let mut updates = live.updates;
    loop {
        let msg = tokio::select! {
            msg = updates.recv() => msg,
            done = &mut server => {
                return match done {
                    Ok(Ok(())) => Ok(ExitCode::SUCCESS),
                    Ok(Err(e)) => Err(UserError(format!("the metrics server stopped: {e}"))),
                    Err(e) => Err(UserError(format!("the metrics server stopped: {e}"))),
                };
            }
        };
        match msg {
            Some(SourceMsg::Updates(batch)) => {
                let changes = monitor.apply(batch);
                if let Ok(mut m) = shared.lock() {
                    m.update(&monitor, &changes);
                }
            }
            Some(SourceMsg::Notice(message)) => eprintln!("ccwatch: {message}"),
            None => break,
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_is_allowed_and_other_addresses_need_the_flag() {
        assert!(listen_addr("127.0.0.1:9464", false).is_ok());
        assert!(listen_addr("[::1]:9464", false).is_ok());
        assert!(listen_addr("0.0.0.0:9464", false).is_err());
        assert!(listen_addr("192.168.1.5:9464", false).is_err());
        assert!(listen_addr("0.0.0.0:9464", true).is_ok());
        assert!(listen_addr("localhost", false).is_err());
    }
}
