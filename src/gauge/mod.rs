//! What a session's gauge measures against: its context window, with where
//! that figure came from, and the point where Claude Code auto-compacts.
//!
//! The window comes from the best source at hand, per session: a
//! `--window`/config override; the session's status-line hint (Claude
//! Code's own figure); the model in Claude Code's `settings.json` files;
//! the built-in table of models with no 200k window; then the transcript
//! (1M once a prompt passed 200k, else 200k). An override is taken as
//! given and no source grows to a prompt, so a prompt past the window reads
//! over 100% (spec §4). Model names are compared as
//! [`model_name::comparable`] reads them. A source contradicted by the
//! transcript (a window smaller than a prompt the session sent) is passed
//! over; where the sources leave a doubt the smaller window is taken, so the
//! gauge warns early rather than letting auto-compact arrive unannounced.

pub mod auto_compact;
pub mod model_name;
pub mod model_table;
pub mod settings_model;

use crate::hints::{Hint, HintBook};
use crate::ledger::window::{EXTENDED_WINDOW, STANDARD_WINDOW};
use crate::ledger::{Ledger, WindowPolicy};
use crate::record::Millis;
use crate::source::discover::ProjectsDir;
use auto_compact::{AutoCompactTable, Sample, family};
use model_name::comparable;
use serde::Serialize;
use settings_model::SettingsModels;
use std::sync::Arc;

/// A hint this much older than the session's newest response was left by
/// an earlier run of the session (the status line runs after every
/// message), so it may describe another model or window.
pub const HINT_LAG_MS: Millis = 10 * 60_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WindowSource {
    Override,
    Statusline,
    Settings,
    Model,
    Observed,
    Default,
    /// Reported by the agent itself in its files (Codex's
    /// `model_context_window`).
    Agent,
}

impl WindowSource {
    /// Whether the window is inferred rather than told (by the user or by
    /// Claude Code itself).
    pub fn is_guess(self) -> bool {
        !matches!(
            self,
            WindowSource::Override | WindowSource::Statusline | WindowSource::Agent
        )
    }

    pub fn describe(self) -> &'static str {
        match self {
            WindowSource::Override => "set by you",
            WindowSource::Statusline => "from Claude Code's status line",
            WindowSource::Settings => "guessed from settings.json",
            WindowSource::Model => "guessed from the model",
            WindowSource::Observed => "guessed: a prompt passed 200k",
            WindowSource::Default => "guessed: 200k default",
            WindowSource::Agent => "reported by Codex",
        }
    }
}

/// What the engine knows besides the transcripts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GaugeSources {
    pub hints: Arc<HintBook>,
    pub settings: Arc<SettingsModels>,
    pub auto_compact: Arc<AutoCompactTable>,
    /// `auto_compact` of the config: percent of the window.
    pub auto_compact_percent: Option<f64>,
}

impl GaugeSources {
    /// The settings files of the Claude Code data dirs read (the user's
    /// `settings.json` sits beside `projects/`) and the hints at hand.
    pub fn for_roots(roots: &[ProjectsDir], hints: HintBook) -> GaugeSources {
        let user_files = roots
            .iter()
            .filter_map(|r| r.0.parent().map(|p| p.join("settings.json")))
            .collect();
        GaugeSources {
            hints: Arc::new(hints),
            settings: Arc::new(SettingsModels::new(user_files)),
            ..GaugeSources::default()
        }
    }
}

/// One session as the window resolution needs it.
#[derive(Debug, Clone, Copy)]
pub struct SessionFacts<'a> {
    pub session_id: &'a str,
    /// The session's working directory (its project path).
    pub cwd: &'a str,
    /// The model of its newest main-chain response.
    pub model: &'a str,
    /// The largest prompt it sent.
    pub max_prompt: u64,
    /// When its newest main-chain response came.
    pub newest_at: Millis,
}

/// Whether a hint's model id is the session's model, both read as
/// [`model_name::comparable`] reads them (`claude-opus-4-6[1m]` in the
/// status line is `claude-opus-4.6` in the transcript).
fn same_model(hint_model: &str, model: &str) -> bool {
    let (h, m) = (comparable(hint_model).name, comparable(model).name);
    h.is_empty() || m.is_empty() || m == "<synthetic>" || h.starts_with(&m) || m.starts_with(&h)
}

/// The session's hint when it speaks for the session as it is now.
fn usable_hint(hint: &Hint, f: &SessionFacts) -> Option<u64> {
    if hint.time + HINT_LAG_MS < f.newest_at {
        return None;
    }
    if let Some(m) = &hint.model_id
        && !same_model(m, f.model)
    {
        return None;
    }
    hint.window()
}

/// The session's window and where it came from.
pub fn resolve(policy: &WindowPolicy, f: &SessionFacts) -> (u64, WindowSource) {
    if let Some(w) = policy.override_for(f.model) {
        // The user's figure as given, even when a prompt passed it: the
        // gauge then reads over 100% (spec §4).
        return (w, WindowSource::Override);
    }
    let possible = |w: u64| w >= f.max_prompt;
    let sources = &policy.sources;
    if let Some(w) = sources
        .hints
        .get(f.session_id)
        .and_then(|h| usable_hint(h, f))
        .filter(|w| possible(*w))
    {
        return (w, WindowSource::Statusline);
    }
    let now = chrono::Utc::now().timestamp_millis();
    let table = model_table::native_window(f.model).filter(|w| possible(*w));
    if let Some(setting) = sources
        .settings
        .model_for(f.cwd, now)
        .filter(|m| settings_model::names(m, f.model))
    {
        if settings_model::says_1m(&setting) {
            return (EXTENDED_WINDOW, WindowSource::Settings);
        }
        if table.is_none() && possible(STANDARD_WINDOW) {
            return (STANDARD_WINDOW, WindowSource::Settings);
        }
    }
    if let Some(w) = table {
        return (w, WindowSource::Model);
    }
    if comparable(f.model).one_m {
        return (EXTENDED_WINDOW, WindowSource::Model);
    }
    if f.max_prompt > STANDARD_WINDOW {
        // 1M exactly: a prompt past it reads over 100% rather than
        // stretching the window (spec §4).
        return (EXTENDED_WINDOW, WindowSource::Observed);
    }
    (STANDARD_WINDOW, WindowSource::Default)
}

/// Every past automatic compaction in the ledger, with the model that ran
/// just before it and the session's window.
pub fn samples(ledger: &Ledger, policy: &WindowPolicy) -> Vec<Sample> {
    let mut out = Vec::new();
    for id in ledger.session_ids() {
        let Some(s) = ledger.session(id) else {
            continue;
        };
        let autos: Vec<_> = s
            .boundaries
            .values()
            .filter(|b| b.trigger.as_deref() == Some("auto"))
            .filter_map(|b| Some((b.timestamp, b.pre_tokens?)))
            .collect();
        if autos.is_empty() {
            continue;
        }
        let Some((newest_at, newest)) = s.newest() else {
            continue;
        };
        let cwd = ledger.project(id);
        let newest_model = ledger.model_name(newest.model);
        let (window, _) = resolve(
            policy,
            &SessionFacts {
                session_id: id,
                cwd: &cwd,
                model: newest_model,
                max_prompt: s.max_prompt,
                newest_at,
            },
        );
        for (at, pre) in autos {
            let model = s
                .main_chain
                .range(..(at, 0, 0))
                .next_back()
                .map_or(newest_model, |(_, p)| ledger.model_name(p.model));
            out.push(Sample {
                family: family(model),
                window,
                pre_tokens: pre,
                at,
            });
        }
    }
    out
}

/// Learn the auto-compact points from the ledger's history into `policy`.
pub fn learn_auto_compact(policy: &mut WindowPolicy, ledger: &Ledger) {
    let learned = AutoCompactTable::learn(&samples(ledger, policy));
    policy.sources.auto_compact = Arc::new(learned);
}

#[cfg(test)]
mod tests;

/// The policy a command measures with: the configured one, with the hints
/// in ccwatch's cache dir, Claude Code's settings, and the auto-compact
/// points learned from `ledger`.
pub fn prepared(base: &WindowPolicy, roots: &[ProjectsDir], ledger: &Ledger) -> WindowPolicy {
    let now = chrono::Utc::now().timestamp_millis();
    let hints = crate::hints::default_dir()
        .map(|d| HintBook::load(&d, now))
        .unwrap_or_default();
    let mut policy = WindowPolicy {
        overrides: base.overrides.clone(),
        sources: GaugeSources {
            auto_compact_percent: base.sources.auto_compact_percent,
            ..GaugeSources::for_roots(roots, hints)
        },
    };
    learn_auto_compact(&mut policy, ledger);
    policy
}
