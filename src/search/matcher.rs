//! What a search looks for: the query compiled twice, once to find
//! candidate lines in a transcript's raw bytes (where text is JSON-escaped)
//! and once to find matches in the decoded text of those lines.
//!
//! The raw search is the fast part and runs over whole files, so it must
//! never miss a line that holds a match: a literal is searched for in its
//! JSON-escaped form, a regular expression by literals every match must
//! start with. It may let through lines that do not match in text (the
//! word was in a tool result, or only in the JSON around it); the text
//! search decides.

use regex::bytes::Regex as BytesRegex;
use regex::{Regex, RegexBuilder};
use regex_syntax::hir::literal::{ExtractKind, Extractor};

/// A compiled query. Always case-insensitive.
#[derive(Debug, Clone)]
pub struct Matcher {
    /// Over raw lines; `None` when no literal narrows the search (every
    /// message line is a candidate).
    raw: Option<BytesRegex>,
    text: Regex,
}

/// Regex size limit: generous, but a pathological pattern is refused with
/// a sentence rather than eating memory.
const SIZE_LIMIT: usize = 32 << 20;

impl Matcher {
    /// `query` as a literal (`regex == false`) or a regular expression.
    /// Errors are one sentence for the user.
    pub fn new(query: &str, regex: bool) -> Result<Matcher, String> {
        if query.is_empty() {
            return Err("the search query is empty: give a word or phrase to look for".into());
        }
        let pattern = if regex {
            query.to_owned()
        } else {
            regex::escape(query)
        };
        let text = RegexBuilder::new(&pattern)
            .case_insensitive(true)
            .size_limit(SIZE_LIMIT)
            .build()
            .map_err(|e| {
                format!(
                    "--regex {query:?} is not a valid regular expression: {}",
                    first_line(&e.to_string())
                )
            })?;
        let raw = if regex {
            raw_for_regex(&pattern)?
        } else {
            Some(raw_for_literal(query)?)
        };
        Ok(Matcher { raw, text })
    }

    /// Could this raw line (or buffer) hold a match? Where does the first
    /// candidate start at or after `from`?
    pub fn next_candidate(&self, haystack: &[u8], from: usize) -> Option<usize> {
        match &self.raw {
            Some(r) => r.find_at(haystack, from).map(|m| m.start()),
            None => (from < haystack.len()).then_some(from),
        }
    }

    /// Whether the raw search narrows anything (for callers that pick a
    /// different strategy when it does not).
    pub fn has_raw_filter(&self) -> bool {
        self.raw.is_some()
    }

    /// Byte ranges of the matches in decoded text.
    pub fn find_iter<'t>(&'t self, text: &'t str) -> impl Iterator<Item = (usize, usize)> + 't {
        self.text
            .find_iter(text)
            .filter(|m| !m.is_empty())
            .map(|m| (m.start(), m.end()))
    }

    pub fn is_match(&self, text: &str) -> bool {
        self.find_iter(text).next().is_some()
    }
}

/// `s` as it appears inside a JSON string that Claude Code wrote.
fn json_escaped(s: &str) -> String {
    let quoted = serde_json::to_string(s).unwrap_or_default();
    quoted
        .strip_prefix('"')
        .and_then(|q| q.strip_suffix('"'))
        .unwrap_or(&quoted)
        .to_owned()
}

fn raw_for_literal(query: &str) -> Result<BytesRegex, String> {
    regex::bytes::RegexBuilder::new(&regex::escape(&json_escaped(query)))
        .case_insensitive(true)
        .size_limit(SIZE_LIMIT)
        .build()
        .map_err(|e| {
            format!(
                "the query is too large to search for: {}",
                first_line(&e.to_string())
            )
        })
}

/// The literals every match of `pattern` starts with, as one raw search;
/// `None` when there is no finite set of them (e.g. `.*x` or `\w+`).
fn raw_for_regex(pattern: &str) -> Result<Option<BytesRegex>, String> {
    let hir = regex_syntax::ParserBuilder::new()
        .case_insensitive(true)
        .build()
        .parse(pattern)
        .map_err(|e| {
            format!(
                "--regex {pattern:?} is not a valid regular expression: {}",
                first_line(&e.to_string())
            )
        })?;
    let mut extractor = Extractor::new();
    extractor.kind(ExtractKind::Prefix);
    let seq = extractor.extract(&hir);
    let Some(literals) = seq.literals() else {
        return Ok(None);
    };
    let mut alternatives = Vec::new();
    for lit in literals {
        // A literal that is not text, or empty, narrows nothing.
        let Ok(text) = std::str::from_utf8(lit.as_bytes()) else {
            return Ok(None);
        };
        if text.is_empty() {
            return Ok(None);
        }
        alternatives.push(regex::escape(&json_escaped(text)));
    }
    if alternatives.is_empty() {
        return Ok(None);
    }
    let raw = regex::bytes::RegexBuilder::new(&alternatives.join("|"))
        .size_limit(SIZE_LIMIT)
        .build()
        .ok();
    Ok(raw)
}

fn first_line(s: &str) -> String {
    s.lines().last().unwrap_or(s).trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw_hits(m: &Matcher, line: &str) -> bool {
        m.next_candidate(line.as_bytes(), 0).is_some()
    }

    #[test]
    fn literal_is_case_insensitive_and_found_in_escaped_json() {
        let m = Matcher::new("Flaky \"test\"", false).unwrap();
        assert!(m.is_match("the flaky \"TEST\" again"));
        assert!(!m.is_match("flaky tests"));
        assert!(raw_hits(&m, r#"{"text":"a FLAKY \"Test\" b"}"#));
        assert!(!raw_hits(&m, r#"{"text":"a flaky test b"}"#));
    }

    #[test]
    fn literal_metacharacters_are_literal() {
        let m = Matcher::new("a.b(c)", false).unwrap();
        assert!(m.is_match("x a.b(c) y"));
        assert!(!m.is_match("x aXb(c) y"));
    }

    #[test]
    fn regex_narrows_by_its_prefix_literals() {
        let m = Matcher::new(r"^migrat(e|ion)\s+bug", true).unwrap();
        assert!(m.has_raw_filter());
        assert!(m.is_match("Migration   bug in orders"));
        assert!(!m.is_match("the migration bug"));
        // The raw line holds the text after a JSON key: still a candidate.
        assert!(raw_hits(&m, r#"{"content":"MIGRATE bug"}"#));
        assert!(!raw_hits(&m, r#"{"content":"nothing here"}"#));
    }

    #[test]
    fn regex_without_literals_has_no_raw_filter() {
        let m = Matcher::new(r"\d{3}-\d{4}", true).unwrap();
        assert!(!m.has_raw_filter());
        assert!(raw_hits(&m, "anything"));
        assert!(m.is_match("call 555-1234"));
    }

    #[test]
    fn bad_queries_are_one_sentence() {
        let e = Matcher::new("(unclosed", true).unwrap_err();
        assert!(
            e.starts_with("--regex \"(unclosed\" is not a valid regular expression"),
            "{e}"
        );
        assert!(!e.contains('\n'));
        assert!(Matcher::new("", false).is_err());
        // The same text as a literal is fine.
        assert!(Matcher::new("(unclosed", false).is_ok());
    }
}
