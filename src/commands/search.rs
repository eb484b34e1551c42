//! `ccwatch search QUERY` and `ccwatch resume [QUERY|ID]`: the search
//! engine's answers as blocks a person reads, JSON, or one command to run.

use super::{print_out, scan_once};
use crate::error::UserError;
use crate::format;
use crate::ledger::SessionSnapshot;
use crate::record::{Millis, format_timestamp};
use crate::report::{Zone, project_matches};
use crate::search::resume::resume_command;
use crate::search::snippet::{Snippet, Where};
use crate::search::{self, Found, Query, matcher::Matcher, newest_first};
use crate::settings::Settings;
use crate::source::discover::DiscoveryEnv;
use crate::source::scan::default_threads;
use clap::Args;
use serde::Serialize;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

/// Exit status of `resume` when several sessions match equally well.
pub const AMBIGUOUS: u8 = 3;

#[derive(Debug, Args, Clone)]
pub struct SearchArgs {
    /// Words to find in prompts and replies (case-insensitive).
    #[arg(value_name = "QUERY")]
    pub query: String,
    /// QUERY is a regular expression (Rust regex syntax), e.g. --regex
    /// 'migrat(e|ion)'.
    #[arg(long)]
    pub regex: bool,
    /// Also look in tool inputs: commands, file paths, search patterns.
    #[arg(long)]
    pub tools: bool,
    /// Only sessions of this project (its path, last folder name, or
    /// trailing folders), e.g. --project webapp.
    #[arg(long, value_name = "NAME")]
    pub project: Option<String>,
    /// Only sessions last active on or after this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = crate::report::zone::parse_date)]
    pub since: Option<chrono::NaiveDate>,
    /// Only sessions last active on or before this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = crate::report::zone::parse_date)]
    pub until: Option<chrono::NaiveDate>,
    /// Time zone of --since and --until (an IANA name, or UTC) [default:
    /// the system's].
    #[arg(long, value_name = "ZONE", value_parser = crate::report::Zone::parse)]
    pub timezone: Option<Zone>,
    /// Show at most this many sessions.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub limit: usize,
    /// Machine-readable output (documented in the README).
    #[arg(long)]
    pub json: bool,
    /// Highlight matches in colour, or between » and «.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorWhen {
    /// When printing to a terminal and NO_COLOR is not set.
    Auto,
    Always,
    Never,
}

impl ColorWhen {
    fn colour(self) -> bool {
        match self {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => {
                std::io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }
}

#[derive(Debug, Args, Clone)]
pub struct ResumeArgs {
    /// A session id (or its beginning), or words from its title or
    /// content. Without it: the newest session.
    #[arg(value_name = "QUERY|ID")]
    pub query: Option<String>,
}

/// Sessions that matched, newest first, after the filters.
fn matching(settings: &Settings, args: &SearchArgs) -> Result<Vec<Found>, UserError> {
    if let (Some(since), Some(until)) = (args.since, args.until)
        && since > until
    {
        return Err(UserError(format!(
            "--since {since} is after --until {until}: give the earlier day first"
        )));
    }
    let query = Query {
        matcher: Matcher::new(&args.query, args.regex).map_err(UserError)?,
        tools: args.tools,
    };
    let files = search::searchable(&settings.roots);
    let zone = args.timezone.unwrap_or_else(Zone::system);
    let keep = |f: &Found| {
        let day = f.last_activity.map(|t| zone.date(t));
        let in_days = match day {
            Some(d) => args.since.is_none_or(|s| d >= s) && args.until.is_none_or(|u| d <= u),
            None => args.since.is_none() && args.until.is_none(),
        };
        let in_project = match &args.project {
            Some(p) => f.cwd.as_deref().is_some_and(|c| project_matches(c, p)),
            None => true,
        };
        in_days && in_project
    };
    let mut found = Vec::new();
    search::search(
        &files,
        &query,
        default_threads(),
        &AtomicBool::new(false),
        |f| {
            if keep(&f) {
                found.push(f);
            }
        },
    );
    newest_first(&mut found);
    Ok(found)
}

pub fn run(
    settings: &Settings,
    env: &DiscoveryEnv,
    args: &SearchArgs,
) -> Result<ExitCode, UserError> {
    let mut found = matching(settings, args)?;
    let total = found.len();
    found.truncate(args.limit.max(1));
    let more = total - found.len();
    if args.json {
        let json = SearchJson {
            query: &args.query,
            regex: args.regex,
            sessions: found.iter().map(SessionJson::of).collect(),
            more,
        };
        let text = serde_json::to_string_pretty(&json).map_err(|e| UserError(e.to_string()))?;
        print_out(&(text + "\n"));
    } else if total > 0 {
        let home = env.home.as_ref().map(|h| h.to_string_lossy().into_owned());
        let now = chrono::Utc::now().timestamp_millis();
        print_out(&render(
            &found,
            more,
            now,
            home.as_deref(),
            args.color.colour(),
        ));
    }
    if total == 0 {
        eprintln!("ccwatch: {}", no_match(args));
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// The one sentence for a search that found nothing.
fn no_match(args: &SearchArgs) -> String {
    let what = if args.tools {
        "prompts, replies or tool inputs"
    } else {
        "prompts or replies"
    };
    let verb = if args.regex { "match" } else { "contain" };
    let filtered = args.project.is_some() || args.since.is_some() || args.until.is_some();
    format!(
        "no session's {what} {verb} {:?}{}.",
        args.query,
        if filtered {
            " within --project/--since/--until"
        } else {
            ""
        }
    )
}

/// Highlighting: bold red in colour, `»…«` without.
fn marks(colour: bool) -> (&'static str, &'static str) {
    if colour {
        ("\x1b[1;31m", "\x1b[0m")
    } else {
        ("»", "«")
    }
}

/// One block per session: title, where and when, snippets, the command.
pub fn render(
    found: &[Found],
    more: usize,
    now: Millis,
    home: Option<&str>,
    colour: bool,
) -> String {
    let (open, close) = marks(colour);
    let (bold, dim, reset) = if colour {
        ("\x1b[1m", "\x1b[2m", "\x1b[0m")
    } else {
        ("", "", "")
    };
    let mut out = String::new();
    for (i, f) in found.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let title = f.title.as_deref().unwrap_or("(untitled)");
        out.push_str(&format!("{bold}{title}{reset}\n"));
        let project = f
            .cwd
            .as_deref()
            .map_or_else(|| "?".to_owned(), |c| format::project(c, home));
        let when = f.last_activity.map_or_else(
            || "never".to_owned(),
            |t| format!("{} ({} ago)", format::local_time(t), format::age(now, t)),
        );
        out.push_str(&format!(
            "  {dim}{project} · {when} · {}{reset}\n",
            f.session_id
        ));
        for s in &f.snippets {
            out.push_str(&format!(
                "  {dim}{}:{reset} {}\n",
                s.place.label(),
                s.render(open, close)
            ));
        }
        let hidden = f.matches.saturating_sub(f.snippets.len());
        if hidden > 0 {
            out.push_str(&format!(
                "  {dim}(and {}){reset}\n",
                format::count(hidden as u64, "more match", "more matches")
            ));
        }
        out.push_str(&format!(
            "  {}\n",
            resume_command(f.cwd.as_deref(), &f.session_id)
        ));
    }
    if more > 0 {
        out.push_str(&format!(
            "\n{}; --limit shows them.\n",
            format::count(more as u64, "more session matches", "more sessions match")
        ));
    }
    out
}

#[derive(Serialize)]
struct SearchJson<'a> {
    query: &'a str,
    regex: bool,
    sessions: Vec<SessionJson>,
    /// Sessions that matched beyond --limit.
    more: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SessionJson {
    session_id: String,
    title: Option<String>,
    project: Option<String>,
    last_activity: Option<String>,
    matches: usize,
    snippets: Vec<SnippetJson>,
    resume: String,
}

#[derive(Serialize)]
struct SnippetJson {
    /// `prompt`, `reply` or `tool`.
    #[serde(rename = "in")]
    place: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool: Option<String>,
    before: String,
    #[serde(rename = "match")]
    matched: String,
    after: String,
}

impl SessionJson {
    fn of(f: &Found) -> SessionJson {
        SessionJson {
            session_id: f.session_id.clone(),
            title: f.title.clone(),
            project: f.cwd.clone(),
            last_activity: f.last_activity.map(format_timestamp),
            matches: f.matches,
            snippets: f.snippets.iter().map(SnippetJson::of).collect(),
            resume: resume_command(f.cwd.as_deref(), &f.session_id),
        }
    }
}

impl SnippetJson {
    fn of(s: &Snippet) -> SnippetJson {
        let (place, tool) = match &s.place {
            Where::Prompt => ("prompt", None),
            Where::Reply => ("reply", None),
            Where::Tool(name) => ("tool", Some(name.clone())),
        };
        SnippetJson {
            place,
            tool,
            before: s.before.clone(),
            matched: s.matched.clone(),
            after: s.after.clone(),
        }
    }
}

/// The folder to `cd` to for a session: its project when that is a path
/// (a session whose lines never gave a `cwd` has only its folder's
/// encoded name, which cannot be turned back into a path).
fn cwd_of(s: &SessionSnapshot) -> Option<&str> {
    std::path::Path::new(&s.project)
        .is_absolute()
        .then_some(s.project.as_str())
}

/// How well a session answers `ccwatch resume QUERY`, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    /// The id, or an id's beginning.
    Id,
    /// The whole title (several sessions often share an AI title).
    TitleIs,
    /// Words of the title. (Content comes after all of these: it is only
    /// searched when nothing matched by id or title.)
    TitleHas,
}

pub fn resume(settings: &Settings, args: &ResumeArgs) -> Result<ExitCode, UserError> {
    let scan = scan_once(settings);
    let sessions: Vec<SessionSnapshot> = scan
        .ledger
        .snapshots(&settings.options.window)
        .into_iter()
        .filter(|s| !s.subagents_only)
        .collect();
    std::mem::forget(scan);
    let Some(query) = args
        .query
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty())
    else {
        return match sessions.first() {
            Some(s) => {
                print_out(&(resume_command(cwd_of(s), &s.session_id) + "\n"));
                Ok(ExitCode::SUCCESS)
            }
            None => Err(UserError("there are no sessions to resume yet.".into())),
        };
    };
    let mut ranked = rank(&sessions, query);
    if ranked.is_empty() {
        // Content: the same engine as `search`, newest first.
        let search_args = SearchArgs {
            query: query.to_owned(),
            regex: false,
            tools: false,
            project: None,
            since: None,
            until: None,
            timezone: None,
            limit: usize::MAX,
            json: false,
            color: ColorWhen::Never,
        };
        let found = matching(settings, &search_args)?;
        if let Some(f) = found.first() {
            print_out(&(resume_command(f.cwd.as_deref(), &f.session_id) + "\n"));
            return Ok(ExitCode::SUCCESS);
        }
        eprintln!("ccwatch: no session's id, title, prompts or replies match {query:?}.");
        return Ok(ExitCode::from(1));
    }
    let best = ranked[0].0;
    ranked.retain(|(r, _)| *r == best);
    // The newest wins among title words; ids and whole titles must be
    // unambiguous, since "newest" is not what the person meant by them.
    if ranked.len() == 1 || best == Rank::TitleHas {
        let s = ranked[0].1;
        print_out(&(resume_command(cwd_of(s), &s.session_id) + "\n"));
        return Ok(ExitCode::SUCCESS);
    }
    let mut text = format!(
        "ccwatch: {} match {query:?} equally well; give more of an id:\n",
        format::count(ranked.len() as u64, "session", "sessions")
    );
    let now = chrono::Utc::now().timestamp_millis();
    for (_, s) in &ranked {
        let when = s.last_activity.map_or_else(
            || "never".to_owned(),
            |t| format!("{} ago", format::age(now, t)),
        );
        text.push_str(&format!(
            "  {}  {}  {}  {when}\n",
            s.session_id,
            s.title.as_deref().unwrap_or("(untitled)"),
            s.label
        ));
    }
    eprint!("{text}");
    Ok(ExitCode::from(AMBIGUOUS))
}

/// Sessions that match `query` by id or title, best rank first, newest
/// first within a rank (`sessions` is newest first already).
fn rank<'a>(sessions: &'a [SessionSnapshot], query: &str) -> Vec<(Rank, &'a SessionSnapshot)> {
    let q = query.to_lowercase();
    let looks_like_id = q.len() >= 4 && q.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
    let mut out: Vec<(Rank, &SessionSnapshot)> = sessions
        .iter()
        .filter_map(|s| {
            let title = s.title.as_deref().map(str::to_lowercase);
            let rank = if s.session_id == query || (looks_like_id && s.session_id.starts_with(&q)) {
                Rank::Id
            } else if title.as_deref() == Some(q.as_str()) {
                Rank::TitleIs
            } else if title.as_deref().is_some_and(|t| t.contains(&q)) {
                Rank::TitleHas
            } else {
                return None;
            };
            Some((rank, s))
        })
        .collect();
    out.sort_by_key(|(r, _)| *r);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(id: &str, title: Option<&str>) -> SessionSnapshot {
        SessionSnapshot {
            label: "p".into(),
            title: title.map(str::to_owned),
            ..SessionSnapshot::empty(id, "/p")
        }
    }

    #[test]
    fn ids_beat_whole_titles_beat_title_words() {
        let s = [
            snap("abcd1234-0000", Some("Fix the build")),
            snap("ffff0000-0000", Some("fix")),
            snap("abcd9999-0000", Some("Refactor")),
        ];
        let ids = |q: &str| -> Vec<(Rank, &str)> {
            rank(&s, q)
                .into_iter()
                .map(|(r, x)| (r, x.session_id.as_str()))
                .collect()
        };
        assert_eq!(
            ids("FIX"),
            [
                (Rank::TitleIs, "ffff0000-0000"),
                (Rank::TitleHas, "abcd1234-0000")
            ]
        );
        assert_eq!(
            ids("abcd"),
            [(Rank::Id, "abcd1234-0000"), (Rank::Id, "abcd9999-0000")]
        );
        assert_eq!(ids("abcd12"), [(Rank::Id, "abcd1234-0000")]);
        // Too short to be an id's beginning; not in any title.
        assert!(ids("abc").is_empty());
    }

    fn found(title: Option<&str>, cwd: Option<&str>) -> Found {
        Found {
            session_id: "s1".into(),
            title: title.map(str::to_owned),
            cwd: cwd.map(str::to_owned),
            last_activity: None,
            matches: 5,
            snippets: vec![Snippet {
                place: Where::Prompt,
                before: "the ".into(),
                matched: "flaky".into(),
                after: " test".into(),
            }],
        }
    }

    #[test]
    fn a_block_has_title_place_snippets_and_the_command() {
        let text = render(
            &[found(Some("Flaky"), Some("/home/me/src/a b"))],
            2,
            0,
            Some("/home/me"),
            false,
        );
        assert_eq!(
            text,
            "Flaky\n  ~/src/a b · never · s1\n  you: the »flaky« test\n  (and 4 more matches)\n  cd '/home/me/src/a b' && claude --resume s1\n\n2 more sessions match; --limit shows them.\n"
        );
        let coloured = render(&[found(None, None)], 0, 0, None, true);
        assert!(coloured.contains("\x1b[1;31mflaky\x1b[0m"), "{coloured:?}");
        assert!(
            coloured.starts_with("\x1b[1m(untitled)\x1b[0m\n"),
            "{coloured:?}"
        );
        assert!(coloured.ends_with("  claude --resume s1\n"), "{coloured:?}");
    }
}
