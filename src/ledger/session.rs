//! One session's accumulated state (spec §3–4): token sums, models, the
//! main-chain occupancy series the context gauge and burn rate read, and its
//! compaction boundaries.
//!
//! Everything here is maintained incrementally from winning copies being
//! added and withdrawn, so a live session costs O(log n) per response.

use super::dedup::{Copy, FileId};
use super::names::NameId;
use crate::parse::TitleKind;
use crate::record::{Millis, Tokens};
use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A point of the main-chain occupancy series. Its time is in its key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContextPoint {
    pub tokens: Tokens,
    pub model: NameId,
}

/// Orders main-chain points: by time, then by file, then by position in the
/// file ("ties by file order"). The file is identified by a hash of its path
/// so the order does not depend on which file was read first.
pub type PointKey = (Millis, u64, u64);

/// A compaction boundary as the session knows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Boundary {
    pub timestamp: Millis,
    pub pre_tokens: Option<u64>,
    pub trigger: Option<String>,
}

/// Per-model sums within a session.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ModelUse {
    pub records: u64,
    pub tokens: Tokens,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct SessionContext {
    pub tokens: Tokens,
    pub records: u64,
    pub models: HashMap<NameId, ModelUse>,
    /// Winning main-chain usage records: the context occupancy series.
    #[serde(with = "stored_series")]
    pub main_chain: BTreeMap<PointKey, ContextPoint>,
    /// Largest main-chain prompt seen: above 200k the window must be 1M.
    pub max_prompt: u64,
    /// Distinct boundaries, by (time, boundary key) so two at one instant both count.
    pub boundaries: BTreeMap<(Millis, u128), Boundary>,
    /// Timestamps of winning records (a multiset), for the last activity.
    #[serde(with = "stored_activity")]
    activity: BTreeMap<Millis, u32>,
    /// Files that mention the session, with the first `cwd` each gave and
    /// the byte offset of the line that gave it.
    pub files: BTreeMap<FileId, Option<(Millis, String)>>,
    /// Per file, the earliest and the latest timestamp of any line of the
    /// session there (usage lines whose copy lost to another file's
    /// included): when it was first and last seen, whatever won the dedup.
    pub entry_seen: BTreeMap<FileId, (Millis, Millis)>,
    /// Per file and kind, the title that counts there with the offset of
    /// its line: the last one written, but the first prompt.
    pub titles: BTreeMap<(FileId, TitleKind), (u64, String)>,
}

impl SessionContext {
    pub fn add(&mut self, c: &Copy, path_hash: u64) {
        self.tokens += c.tokens;
        self.records += 1;
        let m = self.models.entry(c.model).or_default();
        m.records += 1;
        m.tokens += c.tokens;
        *self.activity.entry(c.timestamp).or_default() += 1;
        if !c.sidechain {
            self.max_prompt = self.max_prompt.max(c.tokens.prompt());
            self.main_chain.insert(
                (c.timestamp, path_hash, c.offset),
                ContextPoint {
                    tokens: c.tokens,
                    model: c.model,
                },
            );
        }
    }

    pub fn remove(&mut self, c: &Copy, path_hash: u64) {
        self.tokens -= c.tokens;
        self.records = self.records.saturating_sub(1);
        if let Some(m) = self.models.get_mut(&c.model) {
            m.records = m.records.saturating_sub(1);
            m.tokens -= c.tokens;
            if m.records == 0 {
                self.models.remove(&c.model);
            }
        }
        if let Some(n) = self.activity.get_mut(&c.timestamp) {
            *n -= 1;
            if *n == 0 {
                self.activity.remove(&c.timestamp);
            }
        }
        if !c.sidechain {
            self.main_chain.remove(&(c.timestamp, path_hash, c.offset));
            if c.tokens.prompt() >= self.max_prompt {
                self.max_prompt = self
                    .main_chain
                    .values()
                    .map(|p| p.tokens.prompt())
                    .max()
                    .unwrap_or(0);
            }
        }
    }

    /// The newest main-chain usage record and its time: what the context
    /// window holds.
    pub fn newest(&self) -> Option<(Millis, &ContextPoint)> {
        self.main_chain.iter().next_back().map(|(k, p)| (k.0, p))
    }

    pub fn last_boundary(&self) -> Option<&Boundary> {
        self.boundaries.values().next_back()
    }

    /// True when a compaction came after the newest main-chain record: the
    /// occupancy is unknown until the next response.
    pub fn compacted(&self) -> bool {
        match (self.last_boundary(), self.newest()) {
            (Some(b), Some((at, _))) => b.timestamp > at,
            (Some(_), None) => true,
            _ => false,
        }
    }

    /// When its newest winning response was written, subagents' included.
    pub fn newest_record(&self) -> Option<Millis> {
        self.activity.keys().next_back().copied()
    }

    /// Newest timestamp of anything the session did.
    pub fn last_activity(&self) -> Option<Millis> {
        let records = self.activity.keys().next_back().copied();
        let boundaries = self.boundaries.keys().next_back().map(|k| k.0);
        let entries = self.entry_seen.values().map(|(_, latest)| *latest).max();
        records.max(boundaries).max(entries)
    }

    /// A line of the session in `file` was written at `at`.
    pub fn saw(&mut self, at: Millis, file: FileId) {
        self.entry_seen
            .entry(file)
            .and_modify(|(first, last)| {
                *first = (*first).min(at);
                *last = (*last).max(at);
            })
            .or_insert((at, at));
    }

    /// Start of the current context cycle: the last compaction boundary, or
    /// the last large drop in occupancy without one (spec §4), whichever is
    /// later. `None` when the session has had a single cycle.
    pub fn cycle_start(&self) -> Option<Millis> {
        let boundary = self.last_boundary().map(|b| b.timestamp);
        let mut later = self.main_chain.iter().rev().map(|(k, p)| (k.0, p));
        let mut next = later.next();
        for (at, point) in later {
            let Some((next_at, n)) = next else { break };
            if boundary.is_some_and(|b| at < b) {
                break;
            }
            if is_large_drop(point.tokens.prompt(), n.tokens.prompt()) {
                return Some(next_at.max(boundary.unwrap_or(Millis::MIN)));
            }
            next = Some((at, point));
        }
        boundary
    }

    /// The occupancy series of the current cycle from `since` on.
    pub fn series_since(&self, since: Millis) -> Vec<(Millis, u64)> {
        let start = self.cycle_start().unwrap_or(Millis::MIN).max(since);
        self.main_chain
            .range((start, 0, 0)..)
            .map(|(k, p)| (k.0, p.tokens.prompt()))
            .collect()
    }

    /// The occupancy points of the cycle that began at `cycle_start` (as
    /// the session's snapshot has it) from `since` on, plus the one before
    /// `since`: what the sparkline and the rate read, found without a walk
    /// over the cycle.
    pub fn series_window(&self, cycle_start: Option<Millis>, since: Millis) -> Vec<(Millis, u64)> {
        let start = cycle_start.unwrap_or(Millis::MIN);
        let from = start.max(since);
        let before = self
            .main_chain
            .range((start, 0, 0)..(from, 0, 0))
            .next_back();
        before
            .into_iter()
            .chain(self.main_chain.range((from, 0, 0)..))
            .map(|(k, p)| (k.0, p.tokens.prompt()))
            .collect()
    }

    /// Note a title read at `offset` of `file`.
    pub fn add_title(&mut self, file: FileId, offset: u64, kind: TitleKind, text: String) {
        let slot = self.titles.entry((file, kind));
        match slot {
            std::collections::btree_map::Entry::Vacant(v) => {
                v.insert((offset, text));
            }
            std::collections::btree_map::Entry::Occupied(mut o) => {
                let later = offset > o.get().0;
                // The newest title line counts, but the first prompt.
                if later != (kind == TitleKind::Prompt) {
                    o.insert((offset, text));
                }
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.records == 0 && self.boundaries.is_empty() && self.files.is_empty()
    }
}

/// The occupancy series in the `wire` layout, bulk-built on load.
mod stored_series {
    use super::{BTreeMap, ContextPoint, NameId, PointKey, Tokens};
    use crate::ledger::wire;
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(
        m: &BTreeMap<PointKey, ContextPoint>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        wire::serialize(s, |w| {
            w.u64(m.len() as u64);
            for ((at, file, offset), p) in m {
                w.i64(*at);
                w.fixed64(*file);
                w.u64(*offset);
                let t = p.tokens;
                for v in [t.input, t.output, t.cache_creation, t.cache_read] {
                    w.u64(v);
                }
                w.u64(p.model.0.into());
            }
        })
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<PointKey, ContextPoint>, D::Error> {
        wire::deserialize(d, |r| {
            let n = r.count(15)?;
            let mut points = Vec::with_capacity(n);
            for _ in 0..n {
                let key = (r.i64()?, r.fixed64()?, r.u64()?);
                let tokens = Tokens {
                    input: r.u64()?,
                    output: r.u64()?,
                    cache_creation: r.u64()?,
                    cache_read: r.u64()?,
                };
                let model = NameId(r.u32()?);
                points.push((key, ContextPoint { tokens, model }));
            }
            // Stored in order: collecting sorted pairs builds the tree in bulk.
            Some(points.into_iter().collect())
        })
    }
}

/// The activity multiset in the `wire` layout.
mod stored_activity {
    use super::{BTreeMap, Millis};
    use crate::ledger::wire;
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(m: &BTreeMap<Millis, u32>, s: S) -> Result<S::Ok, S::Error> {
        wire::serialize(s, |w| {
            w.u64(m.len() as u64);
            for (at, n) in m {
                w.i64(*at);
                w.u64((*n).into());
            }
        })
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<Millis, u32>, D::Error> {
        wire::deserialize(d, |r| {
            let n = r.count(2)?;
            let mut all = Vec::with_capacity(n);
            for _ in 0..n {
                all.push((r.i64()?, r.u32()?));
            }
            Some(all.into_iter().collect())
        })
    }
}

/// A fall in occupancy that means the context was reset (a compaction whose
/// boundary line we never saw, or a `/clear`): to under half, by at least 20k.
pub fn is_large_drop(before: u64, after: u64) -> bool {
    after < before / 2 && before - after >= 20_000
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::ledger::dedup::CopyParts;

    fn copy(ts: Millis, prompt: u64, sidechain: bool) -> Copy {
        Copy::new(CopyParts {
            file: FileId(0),
            offset: ts as u64,
            timestamp: ts,
            session: NameId(0),
            model: NameId(0),
            tokens: Tokens {
                input: prompt,
                output: 10,
                ..Default::default()
            },
            billing: Default::default(),
            sidechain,
            cost_usd: None,
        })
    }

    #[test]
    fn occupancy_is_the_newest_main_chain_prompt_never_a_sum() {
        let mut s = SessionContext::default();
        s.add(&copy(1, 1000, false), 0);
        s.add(&copy(3, 3000, false), 0);
        s.add(&copy(5, 90_000, true), 0); // a subagent's prompt is not our context
        s.add(&copy(2, 2000, false), 0); // arrives late, is older
        assert_eq!(s.newest().unwrap().1.tokens.prompt(), 3000);
        assert_eq!(s.tokens.input, 96_000);
        assert_eq!(s.records, 4);
        assert_eq!(s.last_activity(), Some(5));
    }

    #[test]
    fn withdrawing_the_newest_record_restores_the_previous_one() {
        let mut s = SessionContext::default();
        s.add(&copy(1, 1000, false), 0);
        s.add(&copy(2, 250_000, false), 0);
        assert_eq!(s.max_prompt, 250_000);
        s.remove(&copy(2, 250_000, false), 0);
        assert_eq!(s.newest().unwrap().1.tokens.prompt(), 1000);
        assert_eq!(s.max_prompt, 1000);
        assert_eq!(s.records, 1);
        assert!(s.models.contains_key(&NameId(0)));
    }

    #[test]
    fn a_boundary_after_the_newest_record_means_compacted() {
        let mut s = SessionContext::default();
        s.add(&copy(1, 150_000, false), 0);
        let b = Boundary {
            timestamp: 2,
            pre_tokens: Some(150_000),
            trigger: Some("auto".into()),
        };
        s.boundaries.insert((2, 9), b);
        assert!(s.compacted());
        assert_eq!(s.cycle_start(), Some(2));
        s.add(&copy(3, 20_000, false), 0);
        assert!(!s.compacted());
        assert_eq!(s.series_since(0), vec![(3, 20_000)]);
    }

    #[test]
    fn a_large_drop_without_a_boundary_starts_a_new_cycle() {
        let mut s = SessionContext::default();
        for (ts, p) in [(1, 50_000), (2, 120_000), (3, 30_000), (4, 40_000)] {
            s.add(&copy(ts, p, false), 0);
        }
        assert_eq!(s.cycle_start(), Some(3));
        assert_eq!(s.series_since(0), vec![(3, 30_000), (4, 40_000)]);
        // A small dip is just noise.
        assert!(!is_large_drop(120_000, 110_000));
    }

    #[test]
    fn the_series_window_is_the_trimmed_cycle_without_walking_it() {
        let mut s = SessionContext::default();
        let points = [
            (1, 50_000),
            (2, 120_000),
            (3, 30_000),
            (4, 40_000),
            (6, 45_000),
            (9, 60_000),
        ];
        for (ts, p) in points {
            s.add(&copy(ts, p, false), 0);
        }
        let start = s.cycle_start();
        for since in [Millis::MIN, 0, 3, 4, 5, 6, 7, 9, 10] {
            assert_eq!(
                s.series_window(start, since),
                crate::burn::trim(&s.series_since(Millis::MIN), since),
                "since {since}"
            );
        }
        assert_eq!(
            s.series_window(start, 5),
            vec![(4, 40_000), (6, 45_000), (9, 60_000)]
        );
    }
}
