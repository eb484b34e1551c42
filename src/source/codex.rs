//! Where Codex CLI keeps its rollouts and what a rollout's path says
//! (docs/codex-rollouts.md §1). The rollouts are then read by the same
//! tailer, index and watcher as Claude Code's transcripts: a Codex root is
//! one more root, and a file is told apart by its name.

use super::discover::{FileRole, ProjectsDir, UnusableRoot, describe_io};
use crate::agent::Agent;
use std::path::{Path, PathBuf};

/// Where to look for Codex's rollouts.
#[derive(Debug, Clone, Default)]
pub struct CodexEnv {
    /// `$CODEX_HOME`.
    pub codex_home: Option<PathBuf>,
    pub home: Option<PathBuf>,
}

impl CodexEnv {
    pub fn from_process() -> CodexEnv {
        CodexEnv {
            codex_home: std::env::var_os("CODEX_HOME")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
            home: directories::BaseDirs::new().map(|b| b.home_dir().to_path_buf()),
        }
    }
}

/// The Codex root: `--codex-dir` (which must exist), else
/// `$CODEX_HOME/sessions`, else `~/.codex/sessions`, those two only when
/// they exist. `Err` says why a named directory cannot be used.
pub fn find_codex_root(
    flag: Option<&Path>,
    env: &CodexEnv,
) -> Result<Option<ProjectsDir>, UnusableRoot> {
    if let Some(dir) = flag {
        // A Codex home holding `sessions/`, or the sessions folder itself.
        let sessions = dir.join("sessions");
        let chosen = if sessions.is_dir() {
            sessions
        } else {
            dir.to_path_buf()
        };
        return match std::fs::metadata(&chosen) {
            Ok(m) if m.is_dir() => Ok(Some(ProjectsDir(chosen))),
            Ok(_) => Err(UnusableRoot {
                path: chosen,
                reason: "is not a directory".into(),
            }),
            Err(e) => Err(UnusableRoot {
                path: chosen,
                reason: describe_io(&e),
            }),
        };
    }
    let home = env
        .codex_home
        .clone()
        .or_else(|| env.home.as_ref().map(|h| h.join(".codex")));
    Ok(home
        .map(|h| h.join("sessions"))
        .filter(|s| s.is_dir())
        .map(ProjectsDir))
}

/// `archived_sessions/` beside a Codex home's `sessions/`, when it exists:
/// `codex archive` moves a rollout there (flat, same name), and an
/// archived session's usage still happened. The move is a file gone from
/// one root and a file come in the other, whose responses are the same
/// records: the totals do not change.
pub fn archived_beside(sessions: &ProjectsDir) -> Option<ProjectsDir> {
    if sessions.0.file_name()? != "sessions" {
        return None;
    }
    let archived = sessions.0.parent()?.join("archived_sessions");
    archived.is_dir().then_some(ProjectsDir(archived))
}

/// Which agents to read, and where Codex's rollouts are.
#[derive(Debug, Clone)]
pub struct AgentChoice {
    pub agents: Vec<Agent>,
    /// `--agents` was given (so `--dir` does not turn Codex's default off).
    pub explicit: bool,
    pub codex_dir: Option<PathBuf>,
    pub env: CodexEnv,
}

impl AgentChoice {
    /// What the command line asks for, in this process's environment.
    pub fn of(data: &crate::cli::DataArgs) -> AgentChoice {
        AgentChoice {
            agents: data.agents.clone().unwrap_or_else(|| Agent::ALL.to_vec()),
            explicit: data.agents.is_some(),
            codex_dir: data.codex_dir.clone(),
            env: CodexEnv::from_process(),
        }
    }

    /// Claude Code alone, as before Codex was read.
    pub fn claude_only() -> AgentChoice {
        AgentChoice {
            agents: vec![Agent::Claude],
            explicit: true,
            codex_dir: None,
            env: CodexEnv::default(),
        }
    }

    pub fn wants(&self, agent: Agent) -> bool {
        self.agents.contains(&agent)
    }

    /// Add Codex's root to `roots` when Codex is wanted: the named one (or
    /// why it cannot be used), else the default one when it exists, unless
    /// `--dir` alone asked for one directory.
    pub fn add_codex_root(&self, roots: &mut super::discover::Roots, dir_given: bool) {
        if !self.wants(Agent::Codex) {
            return;
        }
        if self.codex_dir.is_none() && dir_given && !self.explicit {
            return;
        }
        match find_codex_root(self.codex_dir.as_deref(), &self.env) {
            Ok(Some(root)) => {
                let archived = archived_beside(&root);
                for root in std::iter::once(root).chain(archived) {
                    let same = |r: &ProjectsDir| {
                        std::fs::canonicalize(&r.0).ok() == std::fs::canonicalize(&root.0).ok()
                    };
                    if !roots.usable.iter().any(same) {
                        roots.usable.push(root);
                    }
                }
            }
            Ok(None) => {}
            Err(bad) => roots.unusable.push(bad),
        }
    }

    /// The error for finding nothing, when only Codex was asked for.
    pub fn no_roots_error(
        &self,
        roots: &super::discover::Roots,
    ) -> Option<crate::error::UserError> {
        if self.wants(Agent::Claude) {
            return None;
        }
        let place = match (&self.codex_dir, roots.unusable.last()) {
            (Some(_), Some(bad)) => format!("{} {}", bad.path.display(), bad.reason),
            _ => "no Codex sessions folder was found".to_owned(),
        };
        Some(crate::error::UserError(format!(
            "{place}; point ccwatch at your Codex data with --codex-dir PATH or CODEX_HOME."
        )))
    }
}

/// A rollout's role: never a subagent; its session is the UUID at the end
/// of its name (`rollout-<time>-<uuid>.jsonl`) until its `session_meta`
/// says; no encoded project (the `cwd` names it).
pub fn rollout_role(file: &Path) -> FileRole {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    FileRole {
        subagent: false,
        fallback_session: session_of_name(&stem),
        encoded_project: String::new(),
        agent: Agent::Codex,
    }
}

/// The UUID at the end of a rollout's stem, or the whole stem.
fn session_of_name(stem: &str) -> String {
    let uuid_len = 36;
    if stem.len() > uuid_len && stem.is_char_boundary(stem.len() - uuid_len) {
        let tail = &stem[stem.len() - uuid_len..];
        let shaped = tail.chars().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        });
        if shaped {
            return tail.to_owned();
        }
    }
    stem.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_is_the_uuid_at_the_end_of_the_name() {
        let role = rollout_role(Path::new(
            "/h/.codex/sessions/2026/11/22/rollout-2026-11-22T10-00-00-0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b.jsonl",
        ));
        assert_eq!(
            role.fallback_session,
            "0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
        );
        assert_eq!(role.agent, Agent::Codex);
        assert!(!role.subagent);
        assert_eq!(
            rollout_role(Path::new("/x/rollout-odd.jsonl")).fallback_session,
            "rollout-odd"
        );
    }

    #[test]
    fn codex_home_then_dot_codex_and_only_when_they_exist() {
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().join("home");
        let env = CodexEnv {
            codex_home: None,
            home: Some(home.clone()),
        };
        assert_eq!(find_codex_root(None, &env).unwrap(), None);
        std::fs::create_dir_all(home.join(".codex/sessions")).unwrap();
        assert_eq!(
            find_codex_root(None, &env).unwrap(),
            Some(ProjectsDir(home.join(".codex/sessions")))
        );
        let moved = tmp.path().join("elsewhere");
        let env = CodexEnv {
            codex_home: Some(moved.clone()),
            home: Some(home.clone()),
        };
        // $CODEX_HOME moves it: the default is not read then.
        assert_eq!(find_codex_root(None, &env).unwrap(), None);
        std::fs::create_dir_all(moved.join("sessions")).unwrap();
        assert_eq!(
            find_codex_root(None, &env).unwrap(),
            Some(ProjectsDir(moved.join("sessions")))
        );
    }

    #[test]
    fn archived_sessions_beside_sessions_are_read_too() {
        let tmp = tempfile::tempdir().unwrap();
        let sessions = ProjectsDir(tmp.path().join("sessions"));
        std::fs::create_dir_all(&sessions.0).unwrap();
        assert_eq!(archived_beside(&sessions), None);
        std::fs::create_dir_all(tmp.path().join("archived_sessions")).unwrap();
        assert_eq!(
            archived_beside(&sessions),
            Some(ProjectsDir(tmp.path().join("archived_sessions")))
        );
        // A folder of rollouts named otherwise has nothing beside it.
        assert_eq!(
            archived_beside(&ProjectsDir(tmp.path().to_path_buf())),
            None
        );
    }

    #[test]
    fn the_flag_takes_a_codex_home_or_its_sessions_and_must_exist() {
        let tmp = tempfile::tempdir().unwrap();
        let env = CodexEnv::default();
        let sessions = tmp.path().join("sessions");
        std::fs::create_dir_all(&sessions).unwrap();
        let want = Some(ProjectsDir(sessions.clone()));
        assert_eq!(find_codex_root(Some(tmp.path()), &env).unwrap(), want);
        assert_eq!(find_codex_root(Some(&sessions), &env).unwrap(), want);
        let missing = find_codex_root(Some(&tmp.path().join("nope")), &env).unwrap_err();
        assert_eq!(missing.reason, "does not exist");
    }
}
