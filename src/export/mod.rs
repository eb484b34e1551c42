//! Exporting ccwatch's numbers to the observability stack people already
//! run. `metrics` keeps them as plain numbers, refreshed after each batch;
//! `prometheus` and `http` serve them for scraping; `otlp` pushes them to
//! an OpenTelemetry collector. Only numbers and names leave the process,
//! never transcript content.

pub mod connections;
pub mod cycle;
pub mod http;
pub mod metrics;
pub mod otlp;
pub mod prometheus;

use crate::cli::PushArgs;
use crate::error::UserError;
use crate::monitor::{Change, Monitor};
use crate::record::Millis;
use metrics::{MetricState, SharedState};
use otlp::{OtlpPush, Say, Target};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// The exports a command asked for, set up in two steps: [`ExportPlan::bind`]
/// first, so that a port already taken is an error before the dashboard
/// takes the terminal or the scan starts; [`ExportPlan::start`] once the
/// engine has its first numbers.
pub struct ExportPlan {
    listener: Option<tokio::net::TcpListener>,
    address: Option<SocketAddr>,
    push: Option<Target>,
}

impl ExportPlan {
    /// Listen on `listen` (loopback only unless `allow_remote`) and note
    /// where to push. Must run inside the tokio runtime.
    pub async fn bind(
        listen: Option<&str>,
        allow_remote: bool,
        push: &PushArgs,
    ) -> Result<ExportPlan, UserError> {
        let (listener, address) = match listen {
            None => (None, None),
            Some(listen) => {
                let addr = http::listen_addr(listen, allow_remote)?;
                let listener = tokio::net::TcpListener::bind(addr)
                    .await
                    .map_err(|e| UserError(format!("cannot listen on {addr}: {e}")))?;
                let bound = listener
                    .local_addr()
                    .map_err(|e| UserError(format!("cannot listen on {addr}: {e}")))?;
                (Some(listener), Some(bound))
            }
        };
        Ok(ExportPlan {
            listener,
            address,
            push: Target::from_args(push),
        })
    }

    /// Where metrics are served, once bound (port 0 resolved).
    pub fn address(&self) -> Option<SocketAddr> {
        self.address
    }

    /// Serve and push from the monitor's current numbers on. `say` tells
    /// the user about trouble later on (a push failing, the server
    /// stopping) without ever blocking.
    pub fn start(
        self,
        monitor: &mut Monitor,
        idle_timeout_ms: Millis,
        say: Say,
    ) -> Result<Exporter, UserError> {
        if self.listener.is_none() && self.push.is_none() {
            return Ok(Exporter::default());
        }
        // Running sums, so a batch refreshes only what it touched.
        monitor.keep_usage();
        let mut state = MetricState::default();
        state.update(monitor, &[]);
        let state: SharedState = Arc::new(Mutex::new(state));
        let push = match &self.push {
            Some(target) => Some(OtlpPush::start(
                target,
                state.clone(),
                idle_timeout_ms,
                say.clone(),
            )?),
            None => None,
        };
        if let Some(listener) = self.listener {
            let app = http::router(http::AppState {
                metrics: state.clone(),
                idle_timeout_ms,
            });
            // Bounded: no client can hold the process's descriptors or
            // keep a scrape waiting (see `connections.rs`).
            tokio::spawn(connections::serve(
                listener,
                app,
                connections::Limits::for_this_process(),
            ));
        }
        Ok(Exporter {
            state: Some(state),
            _push: push,
        })
    }
}

/// The running exports: refreshed after each batch. With none asked for it
/// does nothing, so the engine loop pays nothing for it.
#[derive(Default)]
pub struct Exporter {
    state: Option<SharedState>,
    _push: Option<OtlpPush>,
}

impl Exporter {
    pub fn update(&self, monitor: &Monitor, changes: &[Change]) {
        if let Some(state) = &self.state
            && let Ok(mut m) = state.lock()
        {
            m.update(monitor, changes);
        }
    }
}
