//! `ccwatch audit SESSION`: the tool calls of one session by kind (files
//! read, written and edited; commands; URLs; searches; subagents; MCP
//! tools) with counts, and the calls that match a flag pattern.

use super::{context, print_out};
use crate::attribution::label;
use crate::audit::{Audit, Flag, FlagKind, Use, audit};
use crate::error::UserError;
use crate::settings::Settings;
use serde::Serialize;
use std::process::ExitCode;

pub fn run(settings: &Settings, arg: &str, json: bool) -> Result<ExitCode, UserError> {
    let (id, reader, _) = context::open(settings, arg)?;
    let result = audit(
        &reader.calls,
        reader.cwd.as_deref(),
        &settings.options.audit,
    );
    let report = AuditJson::of(&id, reader.cwd.as_deref(), &result);
    let text = if json {
        serde_json::to_string_pretty(&report).map_err(|e| UserError(e.to_string()))? + "\n"
    } else {
        render_human(&report, reader.cwd.as_deref())
    };
    print_out(&text);
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditJson<'a> {
    pub session_id: String,
    pub project: Option<String>,
    pub calls: usize,
    pub read: &'a [Use],
    pub written: &'a [Use],
    pub edited: &'a [Use],
    pub commands: &'a [Use],
    pub fetched: &'a [Use],
    pub web_searches: &'a [Use],
    pub searches: &'a [Use],
    pub subagents: &'a [Use],
    pub mcp: &'a [Use],
    pub flags: Vec<FlagJson>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FlagJson {
    pub kind: FlagKind,
    pub tool: String,
    pub target: String,
    pub because: String,
    pub timestamp: Option<String>,
    pub subagent: bool,
}

impl<'a> AuditJson<'a> {
    pub fn of(id: &str, project: Option<&str>, a: &'a Audit) -> AuditJson<'a> {
        AuditJson {
            session_id: id.to_owned(),
            project: project.map(str::to_owned),
            calls: a.calls,
            read: &a.read,
            written: &a.written,
            edited: &a.edited,
            commands: &a.commands,
            fetched: &a.fetched,
            web_searches: &a.web_searches,
            searches: &a.searches,
            subagents: &a.subagents,
            mcp: &a.mcp,
            flags: a.flags.iter().map(flag_json).collect(),
        }
    }
}

fn flag_json(f: &Flag) -> FlagJson {
    FlagJson {
        kind: f.kind,
        tool: f.tool.clone(),
        target: f.target.clone(),
        because: f.because.clone(),
        timestamp: f.timestamp.map(crate::record::format_timestamp),
        subagent: f.subagent,
    }
}

/// Sections for a person, flags first.
pub fn render_human(r: &AuditJson, project: Option<&str>) -> String {
    let mut out = format!(
        "Session {} · {} tool calls\n",
        crate::format::short_id(&r.session_id),
        r.calls
    );
    if r.flags.is_empty() {
        out.push_str("No flags.\n");
    } else {
        out.push_str(&format!("\nFlags ({})\n", r.flags.len()));
        for f in &r.flags {
            out.push_str(&format!(
                "  ! {:<21} {} {}{}  ({})\n",
                f.kind.label(),
                f.tool,
                label::relative(&f.target, project),
                if f.subagent { " [subagent]" } else { "" },
                f.because
            ));
        }
    }
    let sections: [(&str, &[Use]); 9] = [
        ("Files read", r.read),
        ("Files written", r.written),
        ("Files edited", r.edited),
        ("Commands run", r.commands),
        ("URLs fetched", r.fetched),
        ("Web searches", r.web_searches),
        ("Searches", r.searches),
        ("Subagents started", r.subagents),
        ("MCP tools", r.mcp),
    ];
    for (title, uses) in sections {
        if uses.is_empty() {
            continue;
        }
        out.push_str(&format!("\n{title} ({})\n", uses.len()));
        for u in uses {
            let sub = if u.by_subagents > 0 {
                format!("  ({} by subagents)", u.by_subagents)
            } else {
                String::new()
            };
            out.push_str(&format!(
                "  {:>4}×  {}{sub}\n",
                u.count,
                label::relative(&u.target, project)
            ));
        }
    }
    out
}
