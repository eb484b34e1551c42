//! The command that continues a session: `cd '<folder>' && claude --resume
//! <id>`, quoted for POSIX shells so it can be pasted or `eval`ed as is.

/// The resume command for a session that ran in `cwd` (when known).
pub fn resume_command(cwd: Option<&str>, session_id: &str) -> String {
    let resume = format!("claude --resume {}", shell_word(session_id));
    match cwd {
        Some(dir) if !dir.is_empty() => format!("cd {} && {resume}", quoted(dir)),
        _ => resume,
    }
}

/// `s` in single quotes; a single quote inside becomes `'\''` (close the
/// quotes, an escaped quote, open them again). Nothing else is special
/// between single quotes.
pub fn quoted(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// `s` bare when it is plainly safe (a session id), else quoted.
fn shell_word(s: &str) -> String {
    let plain = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if plain { s.to_owned() } else { quoted(s) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_single_quoted_and_quotes_inside_escaped() {
        assert_eq!(
            resume_command(Some("/home/dev/src/app"), "0b1c-2d"),
            "cd '/home/dev/src/app' && claude --resume 0b1c-2d"
        );
        assert_eq!(
            resume_command(Some("/home/dev/my project/it's"), "id"),
            r"cd '/home/dev/my project/it'\''s' && claude --resume id"
        );
        assert_eq!(resume_command(None, "id"), "claude --resume id");
        assert_eq!(
            resume_command(Some("/x"), "a b;rm"),
            "cd '/x' && claude --resume 'a b;rm'"
        );
    }

    /// What a POSIX shell makes of the command: run it through `sh` with
    /// `cd` and `claude` replaced by echoes of their arguments.
    #[cfg(unix)]
    #[test]
    fn the_shell_reads_back_the_exact_folder() {
        let dir = "/tmp/with space/it's \"odd\" $HOME `x` \\ end";
        let cmd = resume_command(Some(dir), "abc-123");
        let script = format!(
            "cd() {{ printf '%s\\n' \"$1\"; }}; claude() {{ printf '%s\\n' \"$2\"; }}; {cmd}"
        );
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(script)
            .output()
            .expect("sh runs");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            format!("{dir}\nabc-123\n")
        );
    }
}
