//! How an item reads to a person and in JSON: `Read src/big.rs`,
//! `call Bash cargo test`, `prompt`. Paths inside the session's project are
//! shown relative to it.

use super::content::Category;

/// `target` without the project directory in front, when it is inside.
pub fn relative(target: &str, cwd: Option<&str>) -> String {
    if let Some(root) = cwd.map(|c| c.trim_end_matches('/'))
        && !root.is_empty()
        && let Some(rest) = target.strip_prefix(root)
        && let Some(rest) = rest.strip_prefix('/')
        && !rest.is_empty()
    {
        return rest.to_owned();
    }
    target.to_owned()
}

/// One line naming an item (without its count and tokens).
pub fn item(
    category: Category,
    tool: Option<&str>,
    target: Option<&str>,
    cwd: Option<&str>,
) -> String {
    let target = target.map(|t| relative(t, cwd));
    let with = |head: String| match &target {
        Some(t) => format!("{head} {t}"),
        None => head,
    };
    match category {
        Category::ToolResult => with(tool.unwrap_or("tool").to_owned()),
        Category::Output => match tool {
            Some("text") => "assistant text".to_owned(),
            Some("thinking") => "assistant thinking".to_owned(),
            Some("other") | None => "assistant output".to_owned(),
            Some(name) => with(format!("call {name}")),
        },
        Category::Attachment => with(tool.unwrap_or("attachment").to_owned()),
        Category::Hook => with(format!("hook {}", tool.unwrap_or("output"))),
        Category::Prompt => "prompt".to_owned(),
        Category::Reminder => "reminder".to_owned(),
        Category::CompactSummary => "compaction summary".to_owned(),
        Category::Baseline => "baseline (system prompt, tools, memory)".to_owned(),
        Category::Unlogged => "not in the transcript".to_owned(),
        Category::Drop => "dropped".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_inside_the_project_are_relative() {
        assert_eq!(relative("/p/src/a.rs", Some("/p")), "src/a.rs");
        assert_eq!(relative("/p/src/a.rs", Some("/p/")), "src/a.rs");
        assert_eq!(relative("/pq/a.rs", Some("/p")), "/pq/a.rs");
        assert_eq!(relative("/p", Some("/p")), "/p");
        assert_eq!(relative("cargo test", None), "cargo test");
    }

    #[test]
    fn items_read_as_tool_and_target() {
        let cwd = Some("/p");
        assert_eq!(
            item(Category::ToolResult, Some("Read"), Some("/p/big.rs"), cwd),
            "Read big.rs"
        );
        assert_eq!(
            item(Category::Output, Some("Bash"), Some("ls"), cwd),
            "call Bash ls"
        );
        assert_eq!(
            item(Category::Output, Some("text"), None, cwd),
            "assistant text"
        );
        assert_eq!(item(Category::Prompt, None, None, cwd), "prompt");
    }
}
