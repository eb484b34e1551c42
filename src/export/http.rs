//! The HTTP face of `ccwatch serve`: `/metrics` and `/healthz`.

use super::metrics::SharedState;
use crate::record::Millis;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

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
    let text = match state.metrics.lock() {
        Ok(m) => m.render(now, state.idle_timeout_ms),
        Err(_) => Err(std::fmt::Error),
    };
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
