//! Which sessions still have a Claude Code behind them (Linux only): read
//! from `/proc`, once per call, never on a timer of its own.
//!
//! Claude Code appends to its transcript with open-write-close
//! (`fs.appendFile`), so between writes no process holds it open; a
//! running Claude Code is therefore recognised two ways: a process has the
//! transcript open, or a process whose command line names `claude` runs in
//! the session's project directory. When neither holds, the session has
//! ended. Several sessions in one directory with one Claude Code running
//! all count as running: the rule may miss an end, never invent one.
//! Elsewhere nothing is known and `probe` returns `None`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// What `/proc` said at one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Processes {
    /// Every `.jsonl` file some process has open.
    pub open: HashSet<PathBuf>,
    /// The working directories of processes whose command line names Claude.
    pub claude_dirs: HashSet<PathBuf>,
}

impl Processes {
    /// Look at every process we may look at (other users' are skipped).
    #[cfg(target_os = "linux")]
    pub fn probe() -> Option<Processes> {
        let me = std::process::id().to_string();
        let mut out = Processes::default();
        for entry in std::fs::read_dir("/proc").ok()?.flatten() {
            let name = entry.file_name();
            let Some(pid) = name
                .to_str()
                .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
            else {
                continue;
            };
            if pid == me {
                continue;
            }
            let dir = entry.path();
            if let Ok(fds) = std::fs::read_dir(dir.join("fd")) {
                for fd in fds.flatten() {
                    if let Ok(target) = std::fs::read_link(fd.path())
                        && target.extension().is_some_and(|e| e == "jsonl")
                    {
                        out.open.insert(target);
                    }
                }
            }
            let names_claude = std::fs::read(dir.join("cmdline"))
                .is_ok_and(|c| memchr::memmem::find(&c, b"claude").is_some());
            if names_claude && let Ok(cwd) = std::fs::read_link(dir.join("cwd")) {
                out.claude_dirs.insert(cwd);
            }
        }
        Some(out)
    }

    #[cfg(not(target_os = "linux"))]
    pub fn probe() -> Option<Processes> {
        None
    }

    /// Whether a session with these main transcripts, in this project
    /// directory, has ended.
    pub fn ended<'a>(
        &self,
        transcripts: impl IntoIterator<Item = &'a Path>,
        project: &str,
    ) -> bool {
        let open = transcripts.into_iter().any(|p| self.open.contains(p));
        let running = !project.is_empty() && self.claude_dirs.contains(Path::new(project));
        !open && !running
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_runs_while_its_file_is_open_or_claude_runs_in_its_project() {
        let mut p = Processes::default();
        let file = Path::new("/p/s.jsonl");
        assert!(p.ended([file], "/src/app"));
        p.open.insert(file.to_path_buf());
        assert!(!p.ended([file], "/src/app"));
        let q = Processes {
            claude_dirs: [PathBuf::from("/src/app")].into(),
            ..Processes::default()
        };
        assert!(!q.ended([file], "/src/app"));
        assert!(q.ended([file], "/src/other"));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_probe_sees_a_file_this_test_process_holds_open_through_a_child() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("held.jsonl");
        std::fs::write(&path, "{}\n").unwrap();
        let path = path.canonicalize().unwrap();
        let held = std::fs::File::open(&path).unwrap();
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .stdin(held)
            .spawn()
            .unwrap();
        let seen = Processes::probe().unwrap();
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(!seen.ended([path.as_path()], ""));
        let after = Processes::probe().unwrap();
        assert!(after.ended([path.as_path()], ""));
    }
}
