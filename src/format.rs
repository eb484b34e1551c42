//! How numbers, times and names look to a person, shared by every human
//! output (status table, dashboard, events text) so they never disagree.

use crate::record::Millis;

/// Token counts compactly: 950, 12.3k, 115.5k, 1.2M.
pub fn tokens(n: u64) -> String {
    match n {
        0..=999 => n.to_string(),
        1_000..=999_999 => trim_zero(format!("{:.1}", n as f64 / 1e3)) + "k",
        _ => trim_zero(format!("{:.1}", n as f64 / 1e6)) + "M",
    }
}

fn trim_zero(s: String) -> String {
    s.strip_suffix(".0").map(str::to_owned).unwrap_or(s)
}

/// Bytes with a binary unit: 512 B, 7.3 MiB.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

/// Dollars to the cent: `$4.44`. An empty sum of floats is -0.0 in Rust,
/// which must never show as `$-0.00`.
pub fn usd(cost: f64) -> String {
    let cost = if cost == 0.0 { 0.0 } else { cost };
    format!("${cost:.2}")
}

/// How long ago, coarsely: 12s, 5m, 3h, 12d.
pub fn age(now: Millis, then: Millis) -> String {
    let s = (now - then).max(0) / 1000;
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m", s / 60),
        3600..=86_399 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

/// Time until something happens, finer as it nears: "40s" under a minute,
/// "4m30s" under ten, then as `minutes`. Two moments a few seconds apart
/// near the end must not both read "5m".
pub fn eta(minutes_left: f64) -> String {
    let secs = (minutes_left.max(0.0) * 60.0).round() as u64;
    match secs {
        0..=9 => "<10s".to_owned(),
        10..=59 => format!("{}s", secs / 5 * 5),
        60..=599 => format!("{}m{:02}s", secs / 60, secs % 60 / 5 * 5),
        _ => minutes(minutes_left),
    }
}

/// A duration in minutes as "45m", "2h05m", or past two days "9d12h"
/// (`228h00m` is not a length anyone reads at a glance).
pub fn minutes(m: f64) -> String {
    let m = m.max(0.0).round() as u64;
    if m < 60 {
        format!("{m}m")
    } else if m < 48 * 60 {
        format!("{}h{:02}m", m / 60, m % 60)
    } else {
        let h = (m + 30) / 60;
        format!("{}d{:02}h", h / 24, h % 24)
    }
}

/// `1 reply`, `2 replies`: a count with the noun that agrees with it.
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A model name without the `claude-` prefix and the date suffix:
/// `claude-sonnet-4-5-20250929` → `sonnet-4-5`.
pub fn short_model(model: &str) -> &str {
    let m = model.strip_prefix("claude-").unwrap_or(model);
    match m.rsplit_once('-') {
        Some((head, date)) if date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit()) => head,
        _ => m,
    }
}

/// The first 8 characters of a session id, as Claude Code shows them.
pub fn short_id(id: &str) -> &str {
    match id.char_indices().nth(8) {
        Some((i, _)) => &id[..i],
        None => id,
    }
}

/// A project path with the home directory shown as `~`.
pub fn project(path: &str, home: Option<&str>) -> String {
    match home {
        Some(h) if !h.is_empty() && path.starts_with(h) && path[h.len()..].starts_with('/') => {
            format!("~{}", &path[h.len()..])
        }
        _ => path.to_owned(),
    }
}

/// What a narrow list calls a project: the last component of its path,
/// with as much in front as it takes to say which repository it is.
///
/// Git worktrees are common (`/repo/.worktrees/3`, `/repo-worktrees/x`,
/// `/repo/.claude/worktrees/x`): their last component alone (`3`) names no
/// project, so the label reaches back to the repository:
/// `repo/.worktrees/3`. A last component that is only digits or one or two
/// characters gets its parent in front too.
pub fn project_name(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    // Components with where each starts.
    let mut parts: Vec<(usize, &str)> = Vec::new();
    let mut start = 0;
    for (i, c) in trimmed.char_indices() {
        if c == '/' {
            if i > start {
                parts.push((start, &trimmed[start..i]));
            }
            start = i + 1;
        }
    }
    if start < trimmed.len() {
        parts.push((start, &trimmed[start..]));
    }
    let Some(mut k) = parts.len().checked_sub(1) else {
        return path;
    };
    let name = |k: usize| parts[k].1.to_ascii_lowercase();
    let container = |n: &str| matches!(n, ".worktrees" | "worktrees" | ".worktree" | "worktree");
    if k > 0 && name(k - 1).contains("worktree") {
        k -= 1;
        if k > 0 && container(&name(k)) {
            k -= 1;
            if k > 0 && name(k) == ".claude" {
                k -= 1;
            }
        }
    } else if k > 0 {
        let last = name(k);
        if last.len() <= 2 || last.bytes().all(|b| b.is_ascii_digit()) {
            k -= 1;
        }
    }
    &trimmed[parts[k].0..]
}

/// A UTC timestamp in the local zone, to the minute.
pub fn local_time(ms: Millis) -> String {
    match chrono::DateTime::from_timestamp_millis(ms) {
        Some(t) => t
            .with_timezone(&chrono::Local)
            .format("%Y-%m-%d %H:%M")
            .to_string(),
        None => "?".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_compact() {
        assert_eq!(tokens(950), "950");
        assert_eq!(tokens(115_532), "115.5k");
        assert_eq!(tokens(200_000), "200k");
        assert_eq!(tokens(1_000_000), "1M");
        assert_eq!(tokens(1_234_567), "1.2M");
    }

    #[test]
    fn names_are_shortened() {
        assert_eq!(short_model("claude-sonnet-4-5-20250929"), "sonnet-4-5");
        assert_eq!(short_model("claude-opus-4-1"), "opus-4-1");
        assert_eq!(short_model("<synthetic>"), "<synthetic>");
        assert_eq!(short_id("323dbc2a-5849-4465"), "323dbc2a");
        assert_eq!(short_id("ab"), "ab");
        assert_eq!(project("/home/dev/src/x", Some("/home/dev")), "~/src/x");
        assert_eq!(
            project("/home/devx/src", Some("/home/dev")),
            "/home/devx/src"
        );
        assert_eq!(project_name("/home/dev/src/webapp/"), "webapp");
    }

    #[test]
    fn counts_agree_with_their_noun() {
        assert_eq!(count(1, "reply", "replies"), "1 reply");
        assert_eq!(count(0, "reply", "replies"), "0 replies");
        assert_eq!(count(12, "reply", "replies"), "12 replies");
    }

    #[test]
    fn worktree_labels_say_which_repository() {
        for (path, label) in [
            (
                "/home/dev/src/api-server/.worktrees/1",
                "api-server/.worktrees/1",
            ),
            (
                "/home/dev/src/infra.tools/.worktrees/3/",
                "infra.tools/.worktrees/3",
            ),
            ("/work/repo-worktrees/feature-x", "repo-worktrees/feature-x"),
            (
                "/work/repo/.claude/worktrees/fix-login",
                "repo/.claude/worktrees/fix-login",
            ),
            ("/work/repo/worktrees/12", "repo/worktrees/12"),
            ("/tmp/build/7", "build/7"),
            ("/srv/app", "app"),
            ("app", "app"),
            ("/", "/"),
            ("", ""),
        ] {
            assert_eq!(project_name(path), label, "{path}");
        }
    }

    #[test]
    fn dollars_never_show_a_negative_zero() {
        // Regression: the status line printed "$-0.00 today" for no usage.
        let empty: f64 = std::iter::empty::<f64>().sum();
        assert_eq!(usd(empty), "$0.00");
        assert_eq!(usd(4.444), "$4.44");
    }

    #[test]
    fn ages_and_durations() {
        assert_eq!(age(100_000, 40_000), "1m");
        assert_eq!(age(100_000, 41_000), "59s");
        assert_eq!(age(0, 0), "0s");
        assert_eq!(age(86_400_000 * 3, 0), "3d");
        assert_eq!(minutes(45.2), "45m");
        assert_eq!(minutes(125.0), "2h05m");
        assert_eq!(minutes(47.0 * 60.0 + 59.0), "47h59m");
        assert_eq!(eta(5.2), "5m10s");
        assert_eq!(eta(5.4), "5m20s");
        assert_eq!(eta(40.0 / 60.0), "40s");
        assert_eq!(eta(0.05), "<10s");
        assert_eq!(eta(12.0), "12m");
        assert_eq!(eta(125.0), "2h05m");
        // Gaps in `blocks` can last days: 228h is 9d12h.
        assert_eq!(minutes(228.0 * 60.0), "9d12h");
        assert_eq!(minutes(48.0 * 60.0), "2d00h");
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(7_259_801), "6.9 MiB");
    }
}
