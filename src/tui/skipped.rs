//! The lines the engine could not use, as the dashboard shows them: a
//! count for the bottom line and, for the `!` overlay, the counts by
//! reason and by file. Blank lines held nothing and are left out.

use crate::ledger::Ledger;
use crate::parse::{SkipCounts, SkipReason};
use std::sync::Arc;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SkippedLines {
    /// Every reason with a non-zero count, in `SkipReason::ALL` order.
    pub by_reason: Vec<(SkipReason, u64)>,
    /// Each file with skipped lines, most first, then by path.
    pub by_file: Vec<(Arc<str>, u64)>,
}

/// What counts as skipped here: lost lines, not blank ones.
fn lost(counts: &SkipCounts) -> impl Iterator<Item = (SkipReason, u64)> + '_ {
    counts.iter().filter(|(r, _)| *r != SkipReason::Blank)
}

impl SkippedLines {
    /// Read from the ledger: a walk over its files, not its records.
    pub fn of(ledger: &Ledger) -> SkippedLines {
        let mut total = SkipCounts::default();
        let mut by_file: Vec<(Arc<str>, u64)> = Vec::new();
        for (path, counts) in ledger.skipped_by_file() {
            let n = counts.lost();
            if n > 0 {
                by_file.push((path.clone(), n));
                total += counts;
            }
        }
        by_file.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        SkippedLines {
            by_reason: lost(&total).collect(),
            by_file,
        }
    }

    pub fn total(&self) -> u64 {
        self.by_reason.iter().map(|(_, n)| n).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::{FileChange, FileUpdate};
    use crate::parse::Parsed;
    use std::path::PathBuf;

    fn skips(path: &str, reasons: &[SkipReason]) -> FileUpdate {
        FileUpdate {
            path: PathBuf::from(path),
            encoded_project: "-p".into(),
            change: FileChange::Appended,
            facts: reasons
                .iter()
                .enumerate()
                .map(|(i, r)| (i as u64 * 10, Parsed::Skipped(*r)))
                .collect(),
            size: 100,
        }
    }

    #[test]
    fn counts_by_reason_and_by_file_without_blank_lines() {
        let mut ledger = Ledger::new();
        assert_eq!(SkippedLines::of(&ledger), SkippedLines::default());
        ledger.apply(skips(
            "/p/a.jsonl",
            &[SkipReason::Malformed, SkipReason::Blank],
        ));
        ledger.apply(skips(
            "/p/b.jsonl",
            &[
                SkipReason::Malformed,
                SkipReason::InvalidUtf8,
                SkipReason::Malformed,
            ],
        ));
        ledger.apply(skips("/p/c.jsonl", &[SkipReason::Blank]));
        let s = SkippedLines::of(&ledger);
        assert_eq!(s.total(), 4);
        assert_eq!(
            s.by_reason,
            [(SkipReason::Malformed, 3), (SkipReason::InvalidUtf8, 1)]
        );
        let files: Vec<(&str, u64)> = s.by_file.iter().map(|(p, n)| (&**p, *n)).collect();
        assert_eq!(files, [("/p/b.jsonl", 3), ("/p/a.jsonl", 1)]);
        // A file that is gone takes its skipped lines with it.
        ledger.apply(FileUpdate {
            change: FileChange::Gone,
            ..skips("/p/b.jsonl", &[])
        });
        assert_eq!(SkippedLines::of(&ledger).total(), 1);
    }
}
