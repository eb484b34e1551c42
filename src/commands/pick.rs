//! Which session a SESSION argument names: a full id, a unique prefix of
//! one, or `latest` (the session active most recently). Shared by the
//! commands that look at one session (`context`, `audit`).

use crate::error::UserError;
use crate::ledger::Ledger;

/// The session `arg` names in `ledger`, or a sentence saying why none.
pub fn session(ledger: &Ledger, arg: &str) -> Result<String, UserError> {
    let arg = arg.trim();
    if arg.is_empty() {
        return Err(UserError(
            "name a session: its id, a unique prefix of it, or `latest`".into(),
        ));
    }
    if arg == "latest" {
        return ledger
            .session_ids()
            .filter_map(|id| Some((ledger.session(id)?.last_activity()?, id)))
            .max()
            .map(|(_, id)| id.to_string())
            .ok_or_else(|| UserError("there are no sessions yet, so no latest one".into()));
    }
    if ledger.session(arg).is_some() {
        return Ok(arg.to_owned());
    }
    let mut matches: Vec<&str> = ledger
        .session_ids()
        .map(|id| id.as_ref())
        .filter(|id| id.starts_with(arg))
        .collect();
    if matches.is_empty() {
        // Codex sessions are listed by the end of their id.
        matches = ledger
            .session_ids()
            .map(|id| id.as_ref())
            .filter(|id| id.ends_with(arg))
            .collect();
    }
    matches.sort_unstable();
    match matches.as_slice() {
        [] => Err(UserError(format!(
            "no session id starts with `{arg}` (`ccwatch status` lists them)"
        ))),
        [one] => Ok((*one).to_owned()),
        many => Err(UserError(format!(
            "`{arg}` starts {} session ids ({}{}); give more of the id",
            many.len(),
            many.iter().take(3).copied().collect::<Vec<_>>().join(", "),
            if many.len() > 3 { ", …" } else { "" }
        ))),
    }
}
