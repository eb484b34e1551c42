//! Resolved settings: the raw command line (and, later, the config file)
//! turned once into the values the commands use, plus the data roots.

use crate::cli::DataArgs;
use crate::ledger::WindowPolicy;
use crate::source::discover::{DiscoveryEnv, ProjectsDir, Roots, find_roots};
use std::fmt;

/// A problem the user can fix: printed as one sentence, exit code 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserError(pub String);

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UserError {}

#[derive(Debug, Clone)]
pub struct Settings {
    pub roots: Vec<ProjectsDir>,
    pub line_cap: usize,
    pub window: WindowPolicy,
    /// Alert thresholds in percent, ascending, without duplicates.
    pub thresholds: Vec<u8>,
}

impl Settings {
    /// Resolve the arguments against the environment. Unusable roots that
    /// were asked for by name are reported on stderr; having none usable at
    /// all is an error.
    pub fn resolve(args: &DataArgs, env: &DiscoveryEnv) -> Result<Settings, UserError> {
        let roots = find_roots(args.dir.as_deref(), env);
        for bad in &roots.unusable {
            if !roots.usable.is_empty() {
                eprintln!(
                    "ccwatch: skipping {}: it {}.",
                    bad.path.display(),
                    bad.reason
                );
            }
        }
        if roots.usable.is_empty() {
            return Err(no_roots_error(&roots));
        }
        let mut thresholds = args.thresholds.clone();
        thresholds.sort_unstable();
        thresholds.dedup();
        Ok(Settings {
            roots: roots.usable,
            line_cap: args.line_cap,
            window: WindowPolicy {
                overrides: args.windows.clone(),
            },
            thresholds,
        })
    }
}

fn no_roots_error(roots: &Roots) -> UserError {
    if let [only] = roots.unusable.as_slice() {
        return UserError(format!(
            "{} {}; point ccwatch at your Claude Code data with --dir PATH or CLAUDE_CONFIG_DIR.",
            only.path.display(),
            only.reason
        ));
    }
    let places: Vec<String> = roots
        .looked_at
        .iter()
        .map(|p| p.join("projects").display().to_string())
        .collect();
    UserError(format!(
        "no Claude Code data found (looked in {}); point ccwatch at it with --dir PATH or CLAUDE_CONFIG_DIR.",
        if places.is_empty() {
            "no place: the home directory is unknown".to_owned()
        } else {
            places.join(" and ")
        }
    ))
}
