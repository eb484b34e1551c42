//! The two overlays, the keys (`?`) and the skipped lines (`!`), as plain
//! rows of text, and how far they can scroll: a pane under 24 rows cannot
//! show the whole key table, so overlays scroll rather than cut it off.
//! Kept apart from drawing so that the state can clamp its scroll with the
//! very rows the drawing shows.

use super::keys;
use super::skipped::SkippedLines;
use crate::format;

/// One row of an overlay.
#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    Heading(String),
    /// A key (or a count) and what it stands for.
    Entry(String, String),
    Blank,
    /// A dimmed remark.
    Note(String),
}

/// Which overlay is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlay {
    Keys,
    Skipped,
}

impl Overlay {
    pub fn title(self) -> &'static str {
        match self {
            Overlay::Keys => " Keys ",
            Overlay::Skipped => " Skipped lines ",
        }
    }
}

/// Every key, by group, straight from the key table.
pub fn key_rows() -> Vec<Row> {
    let mut rows = Vec::new();
    for (i, (heading, bindings)) in keys::help().into_iter().enumerate() {
        if i > 0 {
            rows.push(Row::Blank);
        }
        rows.push(Row::Heading(heading.to_owned()));
        rows.extend(
            bindings
                .into_iter()
                .map(|(label, help)| Row::Entry(label.to_owned(), help.to_owned())),
        );
    }
    rows.push(Row::Blank);
    rows.push(Row::Note("A mouse click on a row selects it.".to_owned()));
    rows.push(Row::Note(super::draw::mark::LEGEND.to_owned()));
    rows
}

/// A transcript's path as the overlay shows it: from its project folder
/// on when it is under one of the watched `roots`, else with `~`.
fn file_label(path: &str, roots: &[String], home: Option<&str>) -> String {
    roots
        .iter()
        .find_map(|r| {
            path.strip_prefix(r.trim_end_matches(['/', '\\']))
                .and_then(|rest| rest.strip_prefix(['/', '\\']))
        })
        .map_or_else(|| format::project(path, home), str::to_owned)
}

/// The skipped lines by reason, then by file.
pub fn skipped_rows(skipped: &SkippedLines, roots: &[String], home: Option<&str>) -> Vec<Row> {
    if skipped.total() == 0 {
        return vec![Row::Note("No line has been skipped.".to_owned())];
    }
    let mut rows = vec![Row::Heading("By reason".to_owned())];
    for (reason, n) in &skipped.by_reason {
        let (one, many) = reason.words();
        rows.push(Row::Entry(
            n.to_string(),
            if *n == 1 { one } else { many }.to_owned(),
        ));
    }
    rows.push(Row::Blank);
    rows.push(Row::Heading("By file".to_owned()));
    for (path, n) in &skipped.by_file {
        rows.push(Row::Entry(n.to_string(), file_label(path, roots, home)));
    }
    rows.push(Row::Blank);
    rows.push(Row::Note("Blank lines are not counted.".to_owned()));
    rows
}

/// Rows an overlay can show on a screen `height` rows high (its border
/// takes two).
pub fn body_height(height: u16) -> usize {
    usize::from(height.saturating_sub(2))
}

/// The furthest an overlay of `rows` can scroll on a screen `height` rows
/// high: its last row at the bottom.
pub fn max_scroll(rows: usize, height: u16) -> usize {
    rows.saturating_sub(body_height(height))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::SkipReason;

    #[test]
    fn the_key_rows_hold_every_listed_binding_under_its_heading() {
        let rows = key_rows();
        let listed: usize = keys::help().iter().map(|(_, b)| b.len()).sum();
        let entries = rows.iter().filter(|r| matches!(r, Row::Entry(..))).count();
        assert_eq!(entries, listed);
        assert_eq!(rows[0], Row::Heading("Sessions".into()));
        assert!(rows.contains(&Row::Entry(
            "!".into(),
            "skipped lines: why and where".into()
        )));
    }

    #[test]
    fn skipped_rows_say_counts_in_words_and_shorten_paths() {
        let s = SkippedLines {
            by_reason: vec![(SkipReason::Malformed, 2), (SkipReason::Oversized, 1)],
            by_file: vec![("/home/dev/.claude/projects/-p/a.jsonl".into(), 3)],
        };
        let roots = ["/home/dev/.claude/projects/".to_owned()];
        let rows = skipped_rows(&s, &roots, Some("/home/dev"));
        assert_eq!(rows[1], Row::Entry("2".into(), "malformed lines".into()));
        assert_eq!(rows[2], Row::Entry("1".into(), "over-long line".into()));
        assert_eq!(rows[5], Row::Entry("3".into(), "-p/a.jsonl".into()));
        // Outside the roots, from the home directory.
        let rows = skipped_rows(&s, &[], Some("/home/dev"));
        assert_eq!(
            rows[5],
            Row::Entry("3".into(), "~/.claude/projects/-p/a.jsonl".into())
        );
        assert_eq!(
            skipped_rows(&SkippedLines::default(), &[], None),
            [Row::Note("No line has been skipped.".into())]
        );
    }

    #[test]
    fn scrolling_stops_with_the_last_row_at_the_bottom() {
        assert_eq!(max_scroll(25, 16), 11);
        assert_eq!(max_scroll(10, 16), 0);
        assert_eq!(max_scroll(3, 0), 3);
    }
}
