//! The session panel's telemetry lines (`--otlp-receive`): where the
//! session runs and what its OpenTelemetry adds to the transcripts. Pure
//! text from the snapshot; the panel decides where they go.

use crate::format;
use crate::ledger::SessionSnapshot;

/// `(name, value)` facts, none for a session without telemetry.
pub fn facts(s: &SessionSnapshot) -> Vec<(&'static str, String)> {
    let Some(t) = &s.telemetry else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let version = t
        .version
        .as_ref()
        .map_or(String::new(), |v| format!(" · Claude Code {v}"));
    out.push(("host", format!("⇄ {}{version}", t.host)));
    let latency = t
        .mean_request_ms
        .map_or(String::new(), |ms| format!(" · {ms} ms"));
    out.push((
        "otel",
        format!(
            "{} · {} · {}{latency}",
            format::usd(t.cost_usd),
            format::count(t.api_requests, "request", "requests"),
            format::count(t.api_errors, "error", "errors"),
        ),
    ));
    out.push((
        "edits",
        format!(
            "+{} −{} lines · {} kept · {} refused",
            t.lines_added, t.lines_removed, t.edits_accepted, t.edits_rejected,
        ),
    ));
    out.push((
        "git",
        format!(
            "{} · {} · active {}s",
            format::count(t.commits, "commit", "commits"),
            format::count(t.pull_requests, "PR", "PRs"),
            t.active_time_secs.round(),
        ),
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::receive::view::TelemetryExtras;

    fn snap(telemetry: Option<TelemetryExtras>) -> SessionSnapshot {
        SessionSnapshot {
            host: telemetry.as_ref().map(|t| t.host.clone()),
            telemetry,
            ..SessionSnapshot::empty("s", "⇄ devbox")
        }
    }

    #[test]
    fn telemetry_sessions_name_their_host_and_what_their_otel_adds() {
        assert!(facts(&snap(None)).is_empty());
        let t = TelemetryExtras {
            host: "devbox".into(),
            version: Some("2.1.197".into()),
            cost_usd: 0.1070325,
            active_time_secs: 7.1,
            lines_added: 12,
            lines_removed: 3,
            commits: 1,
            pull_requests: 0,
            edits_accepted: 2,
            edits_rejected: 1,
            api_requests: 5,
            api_errors: 0,
            mean_request_ms: Some(120),
            by_model: Vec::new(),
        };
        let lines = facts(&snap(Some(t)));
        let text: Vec<String> = lines.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        assert_eq!(
            text,
            [
                "host: ⇄ devbox · Claude Code 2.1.197",
                "otel: $0.11 · 5 requests · 0 errors · 120 ms",
                "edits: +12 −3 lines · 2 kept · 1 refused",
                "git: 1 commit · 0 PRs · active 7s",
            ]
        );
    }
}
