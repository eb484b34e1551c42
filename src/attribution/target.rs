//! What a tool call worked on, from its name and input: the file, command,
//! URL, search or subagent that attribution groups by and the audit lists.
//! Only these short targets are kept, never the input's other content.

use serde_json::Value;

/// Longest target kept (a long shell command is cut, on a char boundary).
const TARGET_CAP: usize = 240;

/// One tool call, as far as ccwatch keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolCall {
    pub tool: String,
    pub target: Option<String>,
    pub action: Action,
}

/// What kind of thing a call did, for the audit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Read(String),
    Write(String),
    Edit(String),
    Shell(String),
    Fetch(String),
    WebSearch(String),
    Search {
        pattern: String,
        scope: Option<String>,
    },
    Subagent(String),
    Mcp,
    Other,
}

/// The call `name` with `input`, reduced to its target.
pub fn target_of(name: &str, input: &Value) -> ToolCall {
    let s = |key: &str| input.get(key).and_then(Value::as_str).map(cap);
    let action = match name {
        "Read" => s("file_path").map_or(Action::Other, Action::Read),
        "Write" => s("file_path").map_or(Action::Other, Action::Write),
        "Edit" | "MultiEdit" => s("file_path").map_or(Action::Other, Action::Edit),
        "NotebookEdit" => s("notebook_path").map_or(Action::Other, Action::Edit),
        "Bash" | "BashOutput" | "PowerShell" => s("command").map_or(Action::Other, Action::Shell),
        "WebFetch" => s("url").map_or(Action::Other, Action::Fetch),
        "WebSearch" => s("query").map_or(Action::Other, Action::WebSearch),
        "Grep" | "Glob" => match s("pattern") {
            Some(pattern) => Action::Search {
                pattern,
                scope: s("path").or_else(|| s("glob")),
            },
            None => Action::Other,
        },
        "Task" | "Agent" => s("description")
            .or_else(|| s("subagent_type"))
            .map_or(Action::Other, Action::Subagent),
        n if n.starts_with("mcp__") => Action::Mcp,
        _ => Action::Other,
    };
    let target = match &action {
        Action::Read(t)
        | Action::Write(t)
        | Action::Edit(t)
        | Action::Fetch(t)
        | Action::WebSearch(t)
        | Action::Subagent(t) => Some(t.clone()),
        Action::Shell(c) => Some(first_line(c)),
        Action::Search { pattern, scope } => Some(match scope {
            Some(scope) => format!("{pattern} in {scope}"),
            None => pattern.clone(),
        }),
        Action::Mcp | Action::Other => None,
    };
    ToolCall {
        tool: name.to_owned(),
        target,
        action,
    }
}

fn cap(s: &str) -> String {
    if s.len() <= TARGET_CAP {
        return s.to_owned();
    }
    let mut end = TARGET_CAP;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// A multi-line command shown by its first line.
fn first_line(c: &str) -> String {
    match c.split_once('\n') {
        Some((first, _)) => format!("{first} …"),
        None => c.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_tool_kind_has_its_target() {
        let t = |name: &str, input: Value| target_of(name, &input).target;
        assert_eq!(t("Read", json!({"file_path":"/a"})).as_deref(), Some("/a"));
        assert_eq!(
            t("Bash", json!({"command":"cargo test\ncargo fmt"})).as_deref(),
            Some("cargo test …")
        );
        assert_eq!(
            t("Grep", json!({"pattern":"fn main","path":"src"})).as_deref(),
            Some("fn main in src")
        );
        assert_eq!(
            t("Task", json!({"description":"Explore","prompt":"long"})).as_deref(),
            Some("Explore")
        );
        assert_eq!(t("mcp__github__list_issues", json!({"repo":"x"})), None);
        assert_eq!(
            target_of("mcp__github__list_issues", &json!({})).action,
            Action::Mcp
        );
    }

    #[test]
    fn long_targets_are_cut_on_a_char_boundary() {
        let long = "é".repeat(300);
        let got = target_of("Read", &json!({ "file_path": long }))
            .target
            .unwrap();
        assert!(got.ends_with('…'));
        assert!(got.len() <= TARGET_CAP + '…'.len_utf8());
    }
}
