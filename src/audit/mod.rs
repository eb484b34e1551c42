//! The tool audit of one session: what was read, written, edited, run,
//! fetched, searched and delegated, with counts, and the calls that match
//! a flag pattern. Built from the tool calls `attribution` reads (main
//! chain and subagents alike), never from anything the main scan keeps.

pub mod patterns;

use crate::attribution::{Action, CallRecord};
use crate::record::Millis;
pub use patterns::{AuditConfig, AuditPatterns};
use std::collections::BTreeMap;

/// One target and how often it was used.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Use {
    pub target: String,
    pub count: u32,
    /// How many of those calls a subagent made.
    pub by_subagents: u32,
}

/// Why a call is flagged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum FlagKind {
    SecretFile,
    RiskyCommand,
    OutsideHost,
    WriteOutsideProject,
}

impl FlagKind {
    pub fn label(self) -> &'static str {
        match self {
            FlagKind::SecretFile => "secret file",
            FlagKind::RiskyCommand => "risky command",
            FlagKind::OutsideHost => "outside host",
            FlagKind::WriteOutsideProject => "write outside project",
        }
    }
}

/// A call worth a look.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    pub kind: FlagKind,
    pub tool: String,
    pub target: String,
    /// The pattern that matched (or the host, or the project root).
    pub because: String,
    pub timestamp: Option<Millis>,
    pub subagent: bool,
}

/// The audit of one session.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Audit {
    pub read: Vec<Use>,
    pub written: Vec<Use>,
    pub edited: Vec<Use>,
    pub commands: Vec<Use>,
    pub fetched: Vec<Use>,
    pub web_searches: Vec<Use>,
    pub searches: Vec<Use>,
    pub subagents: Vec<Use>,
    pub mcp: Vec<Use>,
    pub flags: Vec<Flag>,
    pub calls: usize,
}

#[derive(Default)]
struct Tally(BTreeMap<String, (u32, u32)>);

impl Tally {
    fn add(&mut self, target: &str, subagent: bool) {
        let e = self.0.entry(target.to_owned()).or_default();
        e.0 += 1;
        e.1 += u32::from(subagent);
    }

    /// Most used first, then by name.
    fn into_uses(self) -> Vec<Use> {
        let mut v: Vec<Use> = self
            .0
            .into_iter()
            .map(|(target, (count, by_subagents))| Use {
                target,
                count,
                by_subagents,
            })
            .collect();
        v.sort_by(|a, b| b.count.cmp(&a.count).then(a.target.cmp(&b.target)));
        v
    }
}

/// The audit of `calls`, made in the project at `project`.
pub fn audit(calls: &[CallRecord], project: Option<&str>, patterns: &AuditPatterns) -> Audit {
    let mut t: [Tally; 9] = Default::default();
    let mut flags = Vec::new();
    for c in calls {
        let sub = c.subagent;
        let mut flag = |kind: FlagKind, target: &str, because: &str| {
            flags.push(Flag {
                kind,
                tool: c.call.tool.clone(),
                target: target.to_owned(),
                because: because.to_owned(),
                timestamp: c.timestamp,
                subagent: sub,
            })
        };
        match &c.call.action {
            Action::Read(p) => {
                t[0].add(p, sub);
                if let Some(pat) = patterns.secret_file(p) {
                    flag(FlagKind::SecretFile, p, pat);
                }
            }
            Action::Write(p) | Action::Edit(p) => {
                let i = if matches!(c.call.action, Action::Write(_)) {
                    1
                } else {
                    2
                };
                t[i].add(p, sub);
                if patterns.write_outside(p, project) {
                    flag(
                        FlagKind::WriteOutsideProject,
                        p,
                        project.unwrap_or("unknown project"),
                    );
                }
            }
            Action::Shell(cmd) => {
                t[3].add(cmd, sub);
                if let Some(pat) = patterns.risky_command(cmd) {
                    flag(FlagKind::RiskyCommand, cmd, pat);
                }
                if let Some(pat) = patterns.secret_in_command(cmd) {
                    flag(FlagKind::SecretFile, cmd, pat);
                }
            }
            Action::Fetch(url) => {
                t[4].add(url, sub);
                if let Some(host) = patterns.outside_host(url) {
                    flag(FlagKind::OutsideHost, url, &host);
                }
            }
            Action::WebSearch(q) => t[5].add(q, sub),
            Action::Search { .. } => {
                t[6].add(c.call.target.as_deref().unwrap_or(""), sub);
                if let Action::Search {
                    scope: Some(scope), ..
                } = &c.call.action
                    && let Some(pat) = patterns.secret_file(scope)
                {
                    flag(FlagKind::SecretFile, scope, pat);
                }
            }
            Action::Subagent(d) => t[7].add(d, sub),
            Action::Mcp => t[8].add(&c.call.tool, sub),
            Action::Other => {}
        }
    }
    let [
        read,
        written,
        edited,
        commands,
        fetched,
        web_searches,
        searches,
        subagents,
        mcp,
    ] = t.map(Tally::into_uses);
    Audit {
        read,
        written,
        edited,
        commands,
        fetched,
        web_searches,
        searches,
        subagents,
        mcp,
        flags,
        calls: calls.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attribution::target::target_of;
    use serde_json::json;

    fn call(name: &str, input: serde_json::Value, subagent: bool) -> CallRecord {
        CallRecord {
            call: target_of(name, &input),
            timestamp: Some(1),
            subagent,
        }
    }

    #[test]
    fn calls_are_counted_by_kind_and_flagged() {
        let calls = vec![
            call("Read", json!({"file_path":"/p/a.rs"}), false),
            call("Read", json!({"file_path":"/p/a.rs"}), true),
            call("Read", json!({"file_path":"/p/.env"}), false),
            call("Write", json!({"file_path":"/etc/x"}), false),
            call("Edit", json!({"file_path":"/p/a.rs"}), false),
            call("Bash", json!({"command":"rm -rf /tmp/x"}), false),
            call("WebFetch", json!({"url":"https://example.com/a"}), false),
            call("Grep", json!({"pattern":"TODO","path":"src"}), false),
            call("Task", json!({"description":"Explore"}), false),
            call("mcp__gh__issues", json!({}), false),
            call("TodoWrite", json!({"todos":[]}), false),
        ];
        let a = audit(&calls, Some("/p"), &AuditPatterns::default());
        assert_eq!(a.calls, 11);
        assert_eq!(
            a.read[0],
            Use {
                target: "/p/a.rs".into(),
                count: 2,
                by_subagents: 1
            }
        );
        assert_eq!(a.written.len(), 1);
        assert_eq!(a.edited[0].target, "/p/a.rs");
        assert_eq!(a.searches[0].target, "TODO in src");
        assert_eq!(a.subagents[0].target, "Explore");
        assert_eq!(a.mcp[0].target, "mcp__gh__issues");
        let kinds: Vec<FlagKind> = a.flags.iter().map(|f| f.kind).collect();
        assert_eq!(
            kinds,
            vec![
                FlagKind::SecretFile,
                FlagKind::WriteOutsideProject,
                FlagKind::RiskyCommand,
                FlagKind::OutsideHost
            ]
        );
        assert_eq!(a.flags[3].because, "example.com");
    }
}
