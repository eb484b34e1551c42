//! Receiving Claude Code's own OpenTelemetry (`--otlp-receive`): an
//! OTLP/HTTP endpoint for sessions whose transcripts are on another
//! machine (a container, a dev box, a CI runner).
//!
//! `http` answers requests, `decode` turns bodies into OTLP messages,
//! `ingest` walks them into the `store`, `view` turns stored sessions into
//! the snapshots every consumer already shows. The engine hears of new
//! telemetry as one more message on its channel ([`SourceMsg::Telemetry`]).

pub mod attrs;
pub mod decode;
pub mod http;
pub mod ingest;
pub mod store;
pub mod view;

use crate::error::UserError;
use crate::record::Millis;
use crate::source::live::SourceMsg;
pub use http::SharedTelemetry;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

/// Where Claude Code's OTLP exporter sends by default.
pub const DEFAULT_RECEIVE: &str = "127.0.0.1:4318";
/// How often idle telemetry sessions are looked for: every half idle
/// timeout, between once a second and every 15 seconds.
fn expiry_every(idle_timeout_ms: Millis) -> Duration {
    Duration::from_millis((idle_timeout_ms / 2).clamp(1_000, 15_000).unsigned_abs())
}

/// The receiver asked for, bound before the scan (a port already taken is
/// an error before anything else happens), started once the engine runs.
pub struct ReceivePlan {
    listener: tokio::net::TcpListener,
    address: SocketAddr,
    token: Option<Arc<str>>,
}

impl ReceivePlan {
    /// Listen on `addr`: loopback only unless `allow_remote`, since what
    /// arrives there lands on this user's screen. Must run inside tokio.
    pub async fn bind(
        addr: &str,
        allow_remote: bool,
        token: Option<&str>,
    ) -> Result<ReceivePlan, UserError> {
        let parsed: SocketAddr = addr.parse().map_err(|_| {
            UserError(format!(
                "OTLP is received on an IP address and port such as {DEFAULT_RECEIVE}, not {addr:?}"
            ))
        })?;
        if !parsed.ip().is_loopback() && !allow_remote {
            return Err(UserError(format!(
                "{parsed} is reachable from other machines; pass --allow-remote to receive OTLP there"
            )));
        }
        let token = match token.map(str::trim) {
            Some("") => {
                return Err(UserError(
                    "--otlp-receive-token is empty; give a token or leave the flag out".into(),
                ));
            }
            t => t.map(Arc::from),
        };
        let listener = tokio::net::TcpListener::bind(parsed)
            .await
            .map_err(|e| UserError(format!("cannot receive OTLP on {parsed}: {e}")))?;
        let address = listener
            .local_addr()
            .map_err(|e| UserError(format!("cannot receive OTLP on {parsed}: {e}")))?;
        Ok(ReceivePlan {
            listener,
            address,
            token,
        })
    }

    /// Where the receiver listens (port 0 resolved).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Serve, and hand back the engine's channel with telemetry merged in:
    /// the engine's own messages pass through, and a
    /// [`SourceMsg::Telemetry`] comes after each change to the store
    /// (requests, and sessions dropped after `idle_timeout_ms` quiet).
    pub fn start(
        self,
        mut updates: mpsc::Receiver<SourceMsg>,
        idle_timeout_ms: Millis,
    ) -> (mpsc::Receiver<SourceMsg>, SharedTelemetry) {
        let store: SharedTelemetry = Arc::new(Mutex::new(store::TelemetryStore::default()));
        let changed = Arc::new(tokio::sync::Notify::new());
        let app = http::router(http::ReceiverState {
            store: store.clone(),
            token: self.token,
            limit: http::BODY_LIMIT,
            changed: changed.clone(),
        });
        let listener = self.listener;
        // The same bounds as `/metrics`: a cap on connections and a
        // deadline for headers, so no sender can hold ccwatch's descriptors.
        tokio::spawn(crate::export::connections::serve(
            listener,
            app,
            crate::export::connections::Limits::for_this_process(),
        ));
        let (tx, rx) = mpsc::channel(64);
        let expiring = store.clone();
        tokio::spawn(async move {
            let mut expiry = tokio::time::interval(expiry_every(idle_timeout_ms));
            loop {
                let msg = tokio::select! {
                    msg = updates.recv() => match msg {
                        Some(m) => m,
                        None => break,
                    },
                    _ = changed.notified() => SourceMsg::Telemetry,
                    _ = expiry.tick() => {
                        let now = chrono::Utc::now().timestamp_millis();
                        let dropped = expiring
                            .lock()
                            .map(|mut s| s.expire(now.saturating_sub(idle_timeout_ms)))
                            .unwrap_or(0);
                        if dropped == 0 {
                            continue;
                        }
                        SourceMsg::Telemetry
                    }
                };
                if tx.send(msg).await.is_err() {
                    break;
                }
            }
        });
        (rx, store)
    }
}

/// Bind the receiver `args` ask for, if any.
pub async fn bind_asked(
    args: &crate::cli::ReceiveArgs,
    allow_remote: bool,
) -> Result<Option<ReceivePlan>, UserError> {
    // A token without an address is unused, not an error: it may come from
    // CCWATCH_OTLP_RECEIVE_TOKEN or the config file for the runs that receive.
    match &args.otlp_receive {
        Some(addr) => ReceivePlan::bind(addr, allow_remote, args.otlp_receive_token.as_deref())
            .await
            .map(Some),
        None => Ok(None),
    }
}
