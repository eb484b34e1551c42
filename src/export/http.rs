//! The HTTP face of `ccwatch serve`: `/metrics` and `/healthz`.

use super::metrics::SharedState;
use crate::error::UserError;
use crate::record::Millis;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::net::SocketAddr;

/// Where `ccwatch serve` listens unless told otherwise.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:9464";

/// Where to listen, refusing a non-loopback address unless allowed: the
/// metrics name the user's projects, which is nobody else's business.
pub fn listen_addr(listen: &str, allow_remote: bool) -> Result<SocketAddr, UserError> {
    let addr: SocketAddr = listen.parse().map_err(|_| {
        UserError(format!(
            "metrics are served on an IP address and port such as {DEFAULT_LISTEN}, not {listen:?}"
        ))
    })?;
    if !addr.ip().is_loopback() && !allow_remote {
        return Err(UserError(format!(
            "{addr} is reachable from other machines; pass --allow-remote to serve metrics there"
        )));
    }
    Ok(addr)
}

/// What the handlers need: the metric state and the idle timeout.
#[derive(Clone)]
pub struct AppState {
    pub metrics: SharedState,
    pub idle_timeout_ms: Millis,
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .route("/healthz", get(healthz))
        .with_state(state)
}

/// The OpenMetrics text `prometheus-client` writes; Prometheus reads it.
const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

async fn metrics(State(state): State<AppState>) -> Response {
    let now = chrono::Utc::now().timestamp_millis();
    let samples = match state.metrics.lock() {
        Ok(m) => Ok(m.samples(now, state.idle_timeout_ms)),
        Err(_) => Err(std::fmt::Error),
    };
    let text = samples.and_then(|s| super::prometheus::render(&s));
    match text {
        Ok(text) => ([(header::CONTENT_TYPE, CONTENT_TYPE)], text).into_response(),
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "ccwatch could not render its metrics\n",
        )
            .into_response(),
    }
}

async fn healthz() -> &'static str {
    "ok\n"
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
