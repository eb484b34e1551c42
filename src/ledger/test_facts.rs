//! What unit tests feed the ledger: one usage record, one batch of a
//! file's facts. One place, so every test builds them the same way.

use super::{FileChange, FileUpdate};
use crate::parse::Parsed;
use crate::record::{DedupKey, Millis, Tokens, UsageRecord};
use std::path::PathBuf;

/// A Sonnet 4.5 reply of `session` with message id `msg`; `tokens` are
/// `[input, output, cache write, cache read]`; `logged` is a `costUSD`.
pub fn reply(
    session: &str,
    msg: &str,
    at: Millis,
    tokens: [u64; 4],
    logged: Option<f64>,
) -> Parsed {
    reply_of(
        "claude-sonnet-4-5-20250929",
        session,
        msg,
        at,
        tokens,
        logged,
    )
}

/// [`reply`] by another model.
pub fn reply_of(
    model: &str,
    session: &str,
    msg: &str,
    at: Millis,
    tokens: [u64; 4],
    logged: Option<f64>,
) -> Parsed {
    Parsed::Usage(UsageRecord {
        key: Some(DedupKey::new(msg, Some("req"))),
        timestamp: at,
        session_id: session.into(),
        model: model.into(),
        tokens: Tokens::from(tokens),
        billing: Default::default(),
        sidechain: false,
        cost_usd: logged,
        cwd: Some(format!("/src/{session}")),
    })
}

/// A read of `path` that gave `facts`, 100 bytes apart.
pub fn batch(path: &str, change: FileChange, facts: Vec<Parsed>) -> FileUpdate {
    FileUpdate {
        path: PathBuf::from(path),
        encoded_project: "-src-x".into(),
        change,
        facts: facts
            .into_iter()
            .enumerate()
            .map(|(i, f)| (i as u64 * 100, f))
            .collect(),
        size: 10,
    }
}
