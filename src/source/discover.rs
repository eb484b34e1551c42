//! Where the transcripts are (spec §1): the data roots, the `.jsonl` files
//! under each root's `projects/`, and what each file's path says about it.

use std::path::{Path, PathBuf};

/// A data root's `projects/` directory, the tree ccwatch reads and watches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectsDir(pub PathBuf);

/// A root that was asked for but cannot be used, and why, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnusableRoot {
    pub path: PathBuf,
    pub reason: String,
}

/// The outcome of looking for roots: the usable ones, and what was tried.
#[derive(Debug, Clone, Default)]
pub struct Roots {
    pub usable: Vec<ProjectsDir>,
    pub unusable: Vec<UnusableRoot>,
    /// Every place looked at, for the "nothing found" message.
    pub looked_at: Vec<PathBuf>,
}

/// The environment discovery depends on, passed in so tests don't touch the
/// real home directory.
#[derive(Debug, Clone, Default)]
pub struct DiscoveryEnv {
    pub claude_config_dir: Option<String>,
    pub xdg_config_home: Option<PathBuf>,
    pub home: Option<PathBuf>,
}

impl DiscoveryEnv {
    pub fn from_process() -> DiscoveryEnv {
        DiscoveryEnv {
            claude_config_dir: std::env::var("CLAUDE_CONFIG_DIR").ok(),
            xdg_config_home: std::env::var_os("XDG_CONFIG_HOME")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
            home: directories::BaseDirs::new().map(|b| b.home_dir().to_path_buf()),
        }
    }
}

/// Find the roots: `--dir` if given, else `CLAUDE_CONFIG_DIR`'s entries,
/// else the XDG config location and `~/.claude`.
pub fn find_roots(dir_flag: Option<&Path>, env: &DiscoveryEnv) -> Roots {
    let mut roots = Roots::default();
    if let Some(dir) = dir_flag {
        // An explicit path may be a root, a projects/ directory, or any
        // directory of transcripts: the user pointed at it, so read it.
        roots.looked_at.push(dir.to_path_buf());
        match std::fs::metadata(dir) {
            Ok(m) if m.is_dir() => {
                let projects = dir.join("projects");
                let chosen = if projects.is_dir() {
                    projects
                } else {
                    dir.to_path_buf()
                };
                roots.usable.push(ProjectsDir(chosen));
            }
            Ok(_) => roots.unusable.push(UnusableRoot {
                path: dir.to_path_buf(),
                reason: "is not a directory".into(),
            }),
            Err(e) => roots.unusable.push(UnusableRoot {
                path: dir.to_path_buf(),
                reason: describe_io(&e),
            }),
        }
        return roots;
    }
    let candidates: Vec<(PathBuf, bool)> = match env
        .claude_config_dir
        .as_deref()
        .map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(PathBuf::from)
                .collect::<Vec<_>>()
        })
        .filter(|v| !v.is_empty())
    {
        // Explicitly named roots must work; a missing one is reported.
        Some(named) => named.into_iter().map(|p| (p, true)).collect(),
        None => {
            let xdg = env
                .xdg_config_home
                .clone()
                .or_else(|| env.home.as_ref().map(|h| h.join(".config")))
                .map(|c| c.join("claude"));
            let dot = env.home.as_ref().map(|h| h.join(".claude"));
            // Default locations are only reported when none of them works.
            xdg.into_iter().chain(dot).map(|p| (p, false)).collect()
        }
    };
    let mut seen = Vec::new();
    for (root, named) in candidates {
        roots.looked_at.push(root.clone());
        let projects = root.join("projects");
        match std::fs::metadata(&projects) {
            Ok(m) if m.is_dir() => {
                let canonical = std::fs::canonicalize(&projects).unwrap_or(projects.clone());
                if !seen.contains(&canonical) {
                    seen.push(canonical);
                    roots.usable.push(ProjectsDir(projects));
                }
            }
            Ok(_) => roots.unusable.push(UnusableRoot {
                path: projects,
                reason: "is not a directory".into(),
            }),
            Err(e) if named || e.kind() != std::io::ErrorKind::NotFound => {
                roots.unusable.push(UnusableRoot {
                    path: projects,
                    reason: describe_io(&e),
                })
            }
            Err(_) => {}
        }
    }
    roots
}

/// An I/O error as the end of a sentence a user can act on.
pub fn describe_io(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "does not exist".into(),
        std::io::ErrorKind::PermissionDenied => "cannot be read (permission denied)".into(),
        _ => format!("cannot be read ({e})"),
    }
}

/// Every `*.jsonl` file under a projects directory, sorted by path, plus the
/// places that could not be read (a directory without permission, say).
/// Only regular files count, and links are not followed (spec §1, v2): a
/// FIFO would block the reader that opens it, and a link would count one
/// file twice. The directory given may itself be a link.
pub fn list_transcripts(projects: &ProjectsDir) -> (Vec<PathBuf>, Vec<(PathBuf, String)>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for entry in walkdir::WalkDir::new(&projects.0).follow_links(false) {
        match entry {
            Ok(e) if e.file_type().is_file() && is_transcript(e.path()) => {
                files.push(e.into_path())
            }
            Ok(_) => {}
            Err(e) => {
                let path = e.path().map(Path::to_path_buf).unwrap_or_default();
                let reason = e
                    .io_error()
                    .map(describe_io)
                    .unwrap_or_else(|| e.to_string());
                errors.push((path, reason));
            }
        }
    }
    files.sort();
    (files, errors)
}

/// Does the name say transcript? `*.jsonl`, except a workflow's
/// `journal.jsonl` (`subagents/workflows/wf_<id>/journal.jsonl`), which
/// records the workflow's steps and carries no usage (spec §1, v2).
pub fn is_transcript(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "jsonl") && !is_workflow_journal(path)
}

fn is_workflow_journal(path: &Path) -> bool {
    fn named(p: Option<&Path>, test: impl Fn(&str) -> bool) -> bool {
        p.and_then(Path::file_name)
            .is_some_and(|n| test(&n.to_string_lossy()))
    }
    let dir = path.parent();
    named(Some(path), |n| n == "journal.jsonl")
        && named(dir, |n| n.starts_with("wf_"))
        && named(dir.and_then(Path::parent), |n| n == "workflows")
}

/// Is `path` a regular file reached from `root` without passing through a
/// symbolic link? What the watcher reports is checked with this, so that
/// the live view counts what the scan counts (spec §1, v2). `root` itself
/// may be a link.
pub fn is_plain_file_under(root: &Path, path: &Path) -> bool {
    plain_below(root, path, true)
}

/// Is `path` a directory reached from `root` (or `root` itself) without
/// passing through a symbolic link?
pub fn is_plain_dir_under(root: &Path, path: &Path) -> bool {
    path == root || plain_below(root, path, false)
}

fn plain_below(root: &Path, path: &Path, file: bool) -> bool {
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    let mut at = root.to_path_buf();
    let mut parts = rel.components().peekable();
    while let Some(part) = parts.next() {
        at.push(part);
        let Ok(meta) = std::fs::symlink_metadata(&at) else {
            return false;
        };
        let last = parts.peek().is_none();
        let ok = match (last, file) {
            (true, true) => meta.file_type().is_file(),
            _ => meta.file_type().is_dir(),
        };
        if !ok {
            return false;
        }
    }
    !rel.as_os_str().is_empty()
}

/// What a transcript's path says about it (spec §1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRole {
    /// A subagent transcript (`agent-*.jsonl` in any layout, or anything
    /// under a session's `subagents/`): all sidechain.
    pub subagent: bool,
    /// The session its lines belong to when they don't say.
    pub fallback_session: String,
    /// The encoded working directory (first component under `projects/`),
    /// the project's name of last resort.
    pub encoded_project: String,
    /// Which agent wrote the file (a Codex rollout by its name).
    pub agent: crate::agent::Agent,
}

pub fn file_role(projects: &Path, file: &Path) -> FileRole {
    if crate::agent::Agent::of_path(file) == crate::agent::Agent::Codex {
        return crate::source::codex::rollout_role(file);
    }
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let rel = file.strip_prefix(projects).unwrap_or(file);
    let components: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    // Newer layouts: <enc>/<sessionId>/subagents/agent-<id>.jsonl, and
    // workflows below it: …/subagents/workflows/wf_<id>/agent-<id>.jsonl.
    let parent_session = match components.as_slice() {
        [_, session, sub, .., _] if sub == "subagents" => Some(session.clone()),
        _ => None,
    };
    let subagent = stem.starts_with("agent-") || parent_session.is_some();
    FileRole {
        subagent,
        fallback_session: parent_session.unwrap_or(stem),
        encoded_project: match components.len() {
            0 | 1 => String::new(),
            _ => components[0].clone(),
        },
        agent: crate::agent::Agent::Claude,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mkroot(base: &Path, name: &str) -> PathBuf {
        let root = base.join(name);
        std::fs::create_dir_all(root.join("projects")).unwrap();
        root
    }

    #[test]
    fn claude_config_dir_entries_are_the_only_roots_when_set() {
        let tmp = tempfile::tempdir().unwrap();
        let a = mkroot(tmp.path(), "a");
        let b = mkroot(tmp.path(), "b");
        mkroot(tmp.path(), "home/.claude");
        let env = DiscoveryEnv {
            claude_config_dir: Some(format!(" {} ,, {} ,", a.display(), b.display())),
            home: Some(tmp.path().join("home")),
            ..Default::default()
        };
        let roots = find_roots(None, &env);
        assert_eq!(
            roots.usable,
            vec![
                ProjectsDir(a.join("projects")),
                ProjectsDir(b.join("projects"))
            ]
        );
    }

    #[test]
    fn a_named_root_without_projects_is_reported() {
        let tmp = tempfile::tempdir().unwrap();
        let env = DiscoveryEnv {
            claude_config_dir: Some(tmp.path().join("nope").display().to_string()),
            ..Default::default()
        };
        let roots = find_roots(None, &env);
        assert!(roots.usable.is_empty());
        assert_eq!(roots.unusable.len(), 1);
        assert_eq!(roots.unusable[0].reason, "does not exist");
    }

    #[test]
    fn default_roots_are_xdg_and_dot_claude_without_duplicates() {
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().join("home");
        mkroot(&home, ".config/claude");
        mkroot(&home, ".claude");
        let env = DiscoveryEnv {
            home: Some(home.clone()),
            ..Default::default()
        };
        let roots = find_roots(None, &env);
        assert_eq!(
            roots.usable,
            vec![
                ProjectsDir(home.join(".config/claude/projects")),
                ProjectsDir(home.join(".claude/projects"))
            ]
        );
        // The same directory reached twice counts once.
        let env = DiscoveryEnv {
            xdg_config_home: Some(home.clone()),
            home: Some(home.clone()),
            ..Default::default()
        };
        std::fs::remove_dir_all(home.join(".config")).unwrap();
        std::os::unix::fs::symlink(home.join(".claude"), home.join("claude")).unwrap();
        assert_eq!(find_roots(None, &env).usable.len(), 1);
        // Missing default roots are not errors by themselves.
        let empty = DiscoveryEnv {
            home: Some(tmp.path().join("nobody")),
            ..Default::default()
        };
        let roots = find_roots(None, &empty);
        assert!(roots.usable.is_empty() && roots.unusable.is_empty());
        assert_eq!(roots.looked_at.len(), 2);
    }

    #[test]
    fn dir_flag_takes_a_root_or_a_projects_dir() {
        let tmp = tempfile::tempdir().unwrap();
        let root = mkroot(tmp.path(), "r");
        let env = DiscoveryEnv::default();
        let projects = ProjectsDir(root.join("projects"));
        assert_eq!(find_roots(Some(&root), &env).usable, vec![projects.clone()]);
        assert_eq!(
            find_roots(Some(&root.join("projects")), &env).usable,
            vec![projects]
        );
        let missing = find_roots(Some(&tmp.path().join("missing")), &env);
        assert!(missing.usable.is_empty());
        assert_eq!(missing.unusable[0].reason, "does not exist");
    }

    #[test]
    fn transcripts_are_every_jsonl_below_projects() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path();
        for f in [
            "-w/s1.jsonl",
            "-w/agent-a.jsonl",
            "-w/s1/subagents/agent-b.jsonl",
            "-w/s1/subagents/agent-b.meta.json",
            "-w/s1/subagents/workflows/wf_1/agent-c.jsonl",
            "-w/s1/subagents/workflows/wf_1/agent-c.meta.json",
            "-w/s1/subagents/workflows/wf_1/journal.jsonl",
            "-w/notes.txt",
        ] {
            let path = p.join(f);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        }
        let (files, errors) = list_transcripts(&ProjectsDir(p.to_path_buf()));
        assert!(errors.is_empty());
        let rel: Vec<_> = files.iter().map(|f| f.strip_prefix(p).unwrap()).collect();
        assert_eq!(
            rel,
            vec![
                Path::new("-w/agent-a.jsonl"),
                Path::new("-w/s1/subagents/agent-b.jsonl"),
                Path::new("-w/s1/subagents/workflows/wf_1/agent-c.jsonl"),
                Path::new("-w/s1.jsonl"),
            ]
        );
    }

    #[test]
    fn fifos_and_links_are_not_transcripts_but_a_linked_root_is_read() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("projects");
        let real = p.join("-w/s1.jsonl");
        std::fs::create_dir_all(real.parent().unwrap()).unwrap();
        std::fs::write(&real, "").unwrap();
        let fifo = p.join("-w/x.jsonl");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        std::os::unix::fs::symlink(&real, p.join("-w/link.jsonl")).unwrap();
        std::os::unix::fs::symlink(p.join("-w"), p.join("-v")).unwrap();
        let (files, _) = list_transcripts(&ProjectsDir(p.clone()));
        assert_eq!(files, vec![real.clone()]);
        let linked_root = tmp.path().join("root-link");
        std::os::unix::fs::symlink(&p, &linked_root).unwrap();
        let (files, _) = list_transcripts(&ProjectsDir(linked_root.clone()));
        assert_eq!(files, vec![linked_root.join("-w/s1.jsonl")]);
        assert!(is_plain_file_under(&p, &real));
        assert!(is_plain_file_under(
            &linked_root,
            &linked_root.join("-w/s1.jsonl")
        ));
        assert!(!is_plain_file_under(&p, &fifo));
        assert!(!is_plain_file_under(&p, &p.join("-w/link.jsonl")));
        assert!(!is_plain_file_under(&p, &p.join("-v/s1.jsonl")));
        assert!(is_plain_dir_under(&p, &p.join("-w")));
        assert!(!is_plain_dir_under(&p, &p.join("-v")));
    }

    #[test]
    fn file_roles_follow_both_subagent_layouts() {
        let p = Path::new("/r/projects");
        assert_eq!(
            file_role(p, &p.join("-home-x/abc.jsonl")),
            FileRole {
                subagent: false,
                fallback_session: "abc".into(),
                encoded_project: "-home-x".into(),
                agent: crate::agent::Agent::Claude,
            }
        );
        let old = file_role(p, &p.join("-home-x/agent-1.jsonl"));
        assert!(old.subagent);
        assert_eq!(old.fallback_session, "agent-1");
        let new = file_role(p, &p.join("-home-x/abc/subagents/agent-2.jsonl"));
        assert!(new.subagent);
        assert_eq!(new.fallback_session, "abc");
        let compact = file_role(p, &p.join("-home-x/abc/subagents/agent-acompact-9.jsonl"));
        assert!(compact.subagent);
        assert_eq!(compact.fallback_session, "abc");
        let wf = "-home-x/abc/subagents/workflows/wf_1/agent-3.jsonl";
        let workflow = file_role(p, &p.join(wf));
        assert!(workflow.subagent);
        assert_eq!(workflow.fallback_session, "abc");
        assert_eq!(workflow.encoded_project, "-home-x");
        assert!(!is_transcript(
            &p.join("-home-x/abc/subagents/workflows/wf_1/journal.jsonl")
        ));
        assert!(is_transcript(&p.join("-home-x/journal.jsonl")));
    }
}
