//! A match shown in context: a short one-line excerpt of the text around
//! it, with the match's place in the excerpt so it can be highlighted.

use super::matcher::Matcher;
use serde::Serialize;

/// Characters of context on each side of a match.
const CONTEXT: usize = 40;

/// Which text a match was in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Where {
    /// A prompt the person typed.
    Prompt,
    /// Text Claude wrote.
    Reply,
    /// An input of the named tool (with `--tools`).
    Tool(String),
}

impl Where {
    pub fn label(&self) -> String {
        match self {
            Where::Prompt => "you".into(),
            Where::Reply => "claude".into(),
            Where::Tool(name) if name.is_empty() => "tool".into(),
            Where::Tool(name) => name.clone(),
        }
    }
}

/// An excerpt: `before`, the match, `after`, each on one line (runs of
/// whitespace made one space), with `…` where the text goes on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snippet {
    pub place: Where,
    pub before: String,
    #[serde(rename = "match")]
    pub matched: String,
    pub after: String,
}

impl Snippet {
    /// The excerpt with the match between `open` and `close` (colour
    /// codes, or `»` and `«`).
    pub fn render(&self, open: &str, close: &str) -> String {
        format!("{}{open}{}{close}{}", self.before, self.matched, self.after)
    }
}

/// How many matches `text` holds, and snippets of at most `room` of them
/// (a match inside the previous snippet's context gets none of its own).
pub fn snippets_of(
    matcher: &Matcher,
    text: &str,
    place: Where,
    room: usize,
) -> (usize, Vec<Snippet>) {
    let mut count = 0;
    let mut out = Vec::new();
    let mut covered = 0usize;
    for (start, end) in matcher.find_iter(text) {
        count += 1;
        if out.len() >= room || start < covered {
            continue;
        }
        let from = back_chars(text, start, CONTEXT);
        let to = forward_chars(text, end, CONTEXT);
        covered = to;
        let mut before = one_line(&text[from..start]);
        if from > 0 {
            before.insert(0, '…');
        }
        let mut after = one_line(&text[end..to]);
        if to < text.len() {
            after.push('…');
        }
        out.push(Snippet {
            place: place.clone(),
            before,
            matched: one_line(&text[start..end]),
            after,
        });
    }
    (count, out)
}

/// The byte index `n` characters before `at` (or 0).
fn back_chars(text: &str, at: usize, n: usize) -> usize {
    text[..at]
        .char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(0, |(i, _)| i)
}

/// The byte index `n` characters after `at` (or the end).
fn forward_chars(text: &str, at: usize, n: usize) -> usize {
    text[at..]
        .char_indices()
        .nth(n)
        .map_or(text.len(), |(i, _)| at + i)
}

/// Whitespace runs (newlines, tabs) as one space, keeping a leading or
/// trailing one so that the parts of a snippet join with their spacing.
fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
    }
    if space {
        out.push(' ');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snip(query: &str, text: &str, room: usize) -> (usize, Vec<String>) {
        let m = Matcher::new(query, false).unwrap();
        let (n, s) = snippets_of(&m, text, Where::Prompt, room);
        (n, s.iter().map(|s| s.render("»", "«")).collect())
    }

    #[test]
    fn short_text_is_shown_whole_with_the_match_marked() {
        assert_eq!(
            snip("flaky", "the Flaky\n\ntest", 3),
            (1, vec!["the »Flaky« test".to_owned()])
        );
    }

    #[test]
    fn long_text_is_cut_to_forty_characters_each_side() {
        let text = format!("{}needle{}", "a".repeat(100), "b".repeat(100));
        let (_, s) = snip("needle", &text, 3);
        assert_eq!(
            s[0],
            format!("…{}»needle«{}…", "a".repeat(40), "b".repeat(40))
        );
        // Multi-byte characters are counted as characters, never split.
        let text = format!("{}needle{}", "é".repeat(50), "ü".repeat(50));
        let (_, s) = snip("needle", &text, 3);
        assert_eq!(
            s[0],
            format!("…{}»needle«{}…", "é".repeat(40), "ü".repeat(40))
        );
    }

    #[test]
    fn matches_are_all_counted_but_snippets_limited_and_not_overlapping() {
        let text = format!("x y x {} x", "z".repeat(100));
        let (n, s) = snip("x", &text, 3);
        assert_eq!(n, 3);
        // The second x is within the first snippet's context.
        assert_eq!(s.len(), 2);
        assert!(s[0].starts_with("»x« y x zz"), "{}", s[0]);
        assert!(s[1].ends_with("z »x«"), "{}", s[1]);
        let (n, s) = snip("x", &text, 1);
        assert_eq!((n, s.len()), (3, 1));
        let (n, s) = snip("x", &text, 0);
        assert_eq!((n, s.len()), (3, 0));
    }
}
