//! Why a line was skipped, and how many were, so that what could not be read
//! is always shown to the user instead of silently dropped.

use serde::ser::{Serialize, SerializeMap, Serializer};
use std::ops::AddAssign;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SkipReason {
    /// An empty or whitespace-only line.
    Blank,
    /// Not valid JSON: truncated, garbled, or not an object.
    Malformed,
    /// Bytes that are not UTF-8.
    InvalidUtf8,
    /// Longer than the configured line cap; skipped without being held whole.
    Oversized,
    /// An assistant line whose `message`/`usage` is present but unusable.
    InvalidUsage,
    /// A usage or compaction line without a readable timestamp.
    BadTimestamp,
    /// A file (or directory) that could not be opened or read.
    UnreadableFile,
}

impl SkipReason {
    pub const ALL: [SkipReason; 7] = [
        SkipReason::Blank,
        SkipReason::Malformed,
        SkipReason::InvalidUtf8,
        SkipReason::Oversized,
        SkipReason::InvalidUsage,
        SkipReason::BadTimestamp,
        SkipReason::UnreadableFile,
    ];

    /// The name used in JSON output and on screen.
    pub fn name(self) -> &'static str {
        match self {
            SkipReason::Blank => "blank",
            SkipReason::Malformed => "malformed",
            SkipReason::InvalidUtf8 => "invalidUtf8",
            SkipReason::Oversized => "oversized",
            SkipReason::InvalidUsage => "invalidUsage",
            SkipReason::BadTimestamp => "badTimestamp",
            SkipReason::UnreadableFile => "unreadableFile",
        }
    }

    /// What a skip of this reason is called, in the singular and the
    /// plural, for people.
    pub fn words(self) -> (&'static str, &'static str) {
        match self {
            SkipReason::Blank => ("blank line", "blank lines"),
            SkipReason::Malformed => ("malformed line", "malformed lines"),
            SkipReason::InvalidUtf8 => ("line of invalid UTF-8", "lines of invalid UTF-8"),
            SkipReason::Oversized => ("over-long line", "over-long lines"),
            SkipReason::InvalidUsage => ("line with unusable usage", "lines with unusable usage"),
            SkipReason::BadTimestamp => ("line without a timestamp", "lines without a timestamp"),
            SkipReason::UnreadableFile => {
                ("unreadable file or folder", "unreadable files or folders")
            }
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Counts per reason. Serialises as a map of the non-zero counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SkipCounts([u64; SkipReason::ALL.len()]);

impl SkipCounts {
    pub fn add(&mut self, reason: SkipReason) {
        self.0[reason.index()] += 1;
    }

    /// Take one count of `reason` back (never below zero).
    pub fn remove(&mut self, reason: SkipReason) {
        let n = &mut self.0[reason.index()];
        *n = n.saturating_sub(1);
    }

    pub fn get(&self, reason: SkipReason) -> u64 {
        self.0[reason.index()]
    }

    /// Lines that held data we could not use (blank lines are not counted:
    /// they held nothing).
    pub fn lost(&self) -> u64 {
        SkipReason::ALL
            .iter()
            .filter(|r| **r != SkipReason::Blank)
            .map(|r| self.get(*r))
            .sum()
    }

    /// The counts in `SkipReason::ALL` order, for storing.
    pub fn to_vec(&self) -> Vec<u64> {
        self.0.to_vec()
    }

    /// Counts stored by `to_vec`; missing trailing reasons read as zero.
    pub fn from_slice(counts: &[u64]) -> SkipCounts {
        let mut out = SkipCounts::default();
        for (slot, n) in out.0.iter_mut().zip(counts) {
            *slot = *n;
        }
        out
    }

    pub fn iter(&self) -> impl Iterator<Item = (SkipReason, u64)> + '_ {
        SkipReason::ALL
            .iter()
            .map(|r| (*r, self.get(*r)))
            .filter(|(_, n)| *n > 0)
    }
}

impl AddAssign for SkipCounts {
    fn add_assign(&mut self, o: SkipCounts) {
        for (a, b) in self.0.iter_mut().zip(o.0) {
            *a += b;
        }
    }
}

impl Serialize for SkipCounts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        for (reason, n) in self.iter() {
            map.serialize_entry(reason.name(), &n)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_only_nonzero_counts_by_name() {
        let mut c = SkipCounts::default();
        c.add(SkipReason::Malformed);
        c.add(SkipReason::Malformed);
        c.add(SkipReason::InvalidUtf8);
        c.add(SkipReason::Blank);
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            r#"{"blank":1,"malformed":2,"invalidUtf8":1}"#
        );
        assert_eq!(c.lost(), 3);
    }
}
