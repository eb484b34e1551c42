//! The model Claude Code is started with, from its `settings.json` files:
//! the user's (`settings.json` beside the `projects/` folder ccwatch reads,
//! `~/.claude/settings.json` by default) and the project's
//! (`<cwd>/.claude/settings.json` and `settings.local.json`, which win, in
//! Claude Code's own order). Transcripts drop the `[1m]` tag of a 1M
//! session; these files keep it (`opus[1m]`, `claude-opus-4-8[1m]`).
//!
//! Project files are read at most every [`REREAD_MS`] per folder, so a
//! live dashboard sees an edit without reading files on every change.

use super::model_name::comparable;
use crate::record::Millis;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// How long a folder's answer is trusted before its files are read again.
pub const REREAD_MS: Millis = 30_000;
/// Larger than any settings file.
const MAX_SETTINGS_BYTES: u64 = 1 << 20;

/// The `model` key of one settings file, if it has a usable one.
pub fn model_in(path: &Path) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_SETTINGS_BYTES {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    v.get("model")?
        .as_str()
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(str::to_owned)
}

/// Whether a settings model names the model a session runs: an alias
/// (`opus`, `sonnet[1m]`) by the family in the session's model id, a full
/// id by the id itself (a dated id and its undated name match). Both are
/// compared as [`super::model_name::comparable`] reads them, so
/// `claude-sonnet-4-5[1m]` names a session logged as `claude-sonnet-4.5`.
pub fn names(setting: &str, session_model: &str) -> bool {
    let wanted = comparable(setting).name;
    let running = comparable(session_model).name;
    if wanted.is_empty() || running.is_empty() {
        return false;
    }
    if wanted.starts_with("claude-") {
        return running.starts_with(&wanted) || wanted.starts_with(&running);
    }
    matches!(wanted.as_str(), "opus" | "sonnet" | "haiku") && running.contains(&wanted)
}

/// Whether a settings model asks for the 1M window (`opus[1m]`,
/// `claude-sonnet-4-5[1M]`).
pub fn says_1m(setting: &str) -> bool {
    comparable(setting).one_m
}

/// The settings files' models, per project folder, with a short memory.
#[derive(Debug, Default)]
pub struct SettingsModels {
    /// The user's settings files, in order of precedence.
    user_files: Vec<PathBuf>,
    /// The user's model, read when this was made.
    user: Option<String>,
    projects: Mutex<HashMap<String, (Millis, Option<String>)>>,
}

impl PartialEq for SettingsModels {
    fn eq(&self, other: &SettingsModels) -> bool {
        self.user_files == other.user_files && self.user == other.user
    }
}

impl SettingsModels {
    pub fn new(user_files: Vec<PathBuf>) -> SettingsModels {
        let user = user_files.iter().find_map(|f| model_in(f));
        SettingsModels {
            user_files,
            user,
            projects: Mutex::new(HashMap::new()),
        }
    }

    /// The model a session in `cwd` is started with: the project's local
    /// settings, the project's, then the user's.
    pub fn model_for(&self, cwd: &str, now: Millis) -> Option<String> {
        let project = self.project_model(cwd, now);
        project.or_else(|| self.user.clone())
    }

    fn project_model(&self, cwd: &str, now: Millis) -> Option<String> {
        if !Path::new(cwd).is_absolute() {
            return None;
        }
        let Ok(mut memo) = self.projects.lock() else {
            return None;
        };
        if let Some((at, model)) = memo.get(cwd)
            && now - at < REREAD_MS
        {
            return model.clone();
        }
        let dir = Path::new(cwd).join(".claude");
        let model = ["settings.local.json", "settings.json"]
            .iter()
            .find_map(|f| model_in(&dir.join(f)));
        memo.insert(cwd.to_owned(), (now, model.clone()));
        model
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_match_by_family_and_ids_by_name() {
        assert!(names("opus[1m]", "claude-opus-4-8"));
        assert!(names("opus", "claude-opus-4-6-20260205"));
        assert!(!names("sonnet[1m]", "claude-opus-4-8"));
        assert!(names("claude-opus-4-8[1m]", "claude-opus-4-8"));
        assert!(names("claude-opus-4-6[1m]", "claude-opus-4-6-20260205"));
        assert!(!names("claude-opus-4-7[1m]", "claude-opus-4-8"));
        assert!(!names("default", "claude-opus-4-8"));
        assert!(!names("opus", ""));
    }

    #[test]
    fn settings_and_session_models_are_compared_normalised() {
        // Issue 11 audit: the transcript's dotted name missed the settings'.
        assert!(names("claude-sonnet-4-5[1m]", "claude-sonnet-4.5"));
        assert!(names("claude-sonnet-4.5[1m]", "claude-sonnet-4-5-20250929"));
        assert!(names("claude-opus-4-6[1m]", "anthropic/claude-opus-4-6"));
        assert!(names("Opus[1M]", "us.anthropic.claude-opus-4-6-v1:0"));
        assert!(!names("claude-sonnet-4-5[1m]", "claude-sonnet-4.6"));
        assert!(says_1m("claude-sonnet-4-5[1m]"));
        assert!(says_1m("opus[1M]"));
        assert!(!says_1m("claude-sonnet-4-5"));
    }

    #[test]
    fn the_project_local_file_wins_then_the_project_then_the_user() {
        let tmp = tempfile::tempdir().unwrap();
        let user = tmp.path().join("user-settings.json");
        std::fs::write(&user, r#"{"model":"sonnet"}"#).unwrap();
        let project = tmp.path().join("proj");
        std::fs::create_dir_all(project.join(".claude")).unwrap();
        let cwd = project.to_str().unwrap();
        let m = SettingsModels::new(vec![user.clone()]);
        assert_eq!(m.model_for(cwd, 0).as_deref(), Some("sonnet"));
        std::fs::write(
            project.join(".claude/settings.json"),
            r#"{"model":"opus[1m]"}"#,
        )
        .unwrap();
        std::fs::write(
            project.join(".claude/settings.local.json"),
            r#"{"model":"claude-opus-4-8[1m]"}"#,
        )
        .unwrap();
        // Remembered for a while, then read again.
        assert_eq!(m.model_for(cwd, 1).as_deref(), Some("sonnet"));
        assert_eq!(
            m.model_for(cwd, REREAD_MS).as_deref(),
            Some("claude-opus-4-8[1m]")
        );
        std::fs::write(project.join(".claude/settings.local.json"), "{ not json").unwrap();
        assert_eq!(m.model_for(cwd, 2 * REREAD_MS).as_deref(), Some("opus[1m]"));
        assert_eq!(m.model_for("relative/path", 0).as_deref(), Some("sonnet"));
    }
}
