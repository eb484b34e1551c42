//! The global dedup index (spec §3): every file's best copy of every
//! response, and which copy wins.
//!
//! Each file's best copy is kept, not just the winner, so that when a file
//! is truncated or deleted the next-best copy from another file can take
//! over: the ledger then equals a fresh scan of the files that remain,
//! whatever order they were read in. Only the best copy *per file* is kept
//! because a file's copies are always withdrawn together: a streamed
//! partial that lost to a later line of its own file can never win again,
//! and dropping it halves the index (most responses are written 2–3 times).

use super::names::NameId;
use super::wire::{self, Reader, Writer};
use crate::record::{Billing, DedupKey, Millis, Tokens};
use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use smallvec::SmallVec;
use std::cmp::Ordering;
use std::sync::Arc;

/// Index of a file in the ledger's file table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FileId(pub u32);

/// What a copy is deduplicated under. Records without a `message.id` are
/// never merged with anything: their key is their own position.
///
/// A response key is held as two `u64` halves rather than a `u128` so the
/// key is 8-byte aligned: 24 bytes instead of 32, per response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Key {
    Response(u64, u64),
    Unkeyed(FileId, u64),
}

impl Key {
    pub fn response(k: DedupKey) -> Key {
        Key::Response((k.0 >> 64) as u64, k.0 as u64)
    }

    pub fn dedup_key(self) -> Option<DedupKey> {
        match self {
            Key::Response(hi, lo) => Some(DedupKey(((hi as u128) << 64) | lo as u128)),
            Key::Unkeyed(..) => None,
        }
    }
}

/// One line's copy of a response.
///
/// Names are ids into the ledger's tables, the logged cost is a flag plus a
/// bare `f64` (an `Option<f64>` would take 16 bytes) and the billing facts
/// are spread over the padding: 88 bytes a copy instead of 136, which is
/// most of the ledger's memory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Copy {
    pub file: FileId,
    pub session: NameId,
    pub model: NameId,
    web_searches: u32,
    pub sidechain: bool,
    logged: bool,
    fast: bool,
    /// Byte offset of the line in its file.
    pub offset: u64,
    pub timestamp: Millis,
    pub tokens: Tokens,
    cost: f64,
    cache_write_1h: u64,
}

/// What a copy is made of, before its cost is packed.
#[derive(Debug, Clone)]
pub struct CopyParts {
    pub file: FileId,
    pub offset: u64,
    pub timestamp: Millis,
    pub session: NameId,
    pub model: NameId,
    pub tokens: Tokens,
    pub billing: Billing,
    pub sidechain: bool,
    pub cost_usd: Option<f64>,
}

impl Copy {
    pub fn new(p: CopyParts) -> Copy {
        Copy {
            file: p.file,
            session: p.session,
            model: p.model,
            web_searches: p.billing.web_searches.min(u32::MAX.into()) as u32,
            sidechain: p.sidechain,
            logged: p.cost_usd.is_some(),
            fast: p.billing.fast,
            offset: p.offset,
            timestamp: p.timestamp,
            tokens: p.tokens,
            cost: p.cost_usd.unwrap_or(0.0),
            cache_write_1h: p.billing.cache_write_1h,
        }
    }

    /// What besides the tokens decides the copy's price.
    pub fn billing(&self) -> Billing {
        Billing {
            cache_write_1h: self.cache_write_1h,
            web_searches: self.web_searches.into(),
            fast: self.fast,
        }
    }

    /// `costUSD` as the line logged it.
    pub fn cost_usd(&self) -> Option<f64> {
        self.logged.then_some(self.cost)
    }

    /// The shortest a stored copy can be: 10 one-byte fields.
    const MIN_STORED: usize = 10;

    /// Flag bits of the stored copy.
    const SIDECHAIN: u8 = 1;
    const LOGGED: u8 = 2;
    const FAST: u8 = 4;
    /// Set when the 1-hour writes and web searches follow; most copies have
    /// neither, and store two bytes less.
    const BILLED: u8 = 8;

    fn write(&self, w: &mut Writer) {
        w.u64(self.file.0.into());
        w.u64(self.session.0.into());
        w.u64(self.model.0.into());
        let billed = self.cache_write_1h != 0 || self.web_searches != 0;
        let flags = [
            (self.sidechain, Self::SIDECHAIN),
            (self.logged, Self::LOGGED),
            (self.fast, Self::FAST),
            (billed, Self::BILLED),
        ];
        w.byte(flags.iter().filter(|(on, _)| *on).map(|(_, bit)| bit).sum());
        w.u64(self.offset);
        w.i64(self.timestamp);
        for t in [
            self.tokens.input,
            self.tokens.output,
            self.tokens.cache_creation,
            self.tokens.cache_read,
        ] {
            w.u64(t);
        }
        if self.logged {
            w.fixed64(self.cost.to_bits());
        }
        if billed {
            w.u64(self.cache_write_1h);
            w.u64(self.web_searches.into());
        }
    }

    fn read(r: &mut Reader) -> Option<Copy> {
        let (file, session, model) = (r.u32()?, r.u32()?, r.u32()?);
        let flags = r.byte()?;
        let (offset, timestamp) = (r.u64()?, r.i64()?);
        let tokens = Tokens {
            input: r.u64()?,
            output: r.u64()?,
            cache_creation: r.u64()?,
            cache_read: r.u64()?,
        };
        let logged = flags & Self::LOGGED != 0;
        let cost = if logged {
            f64::from_bits(r.fixed64()?)
        } else {
            0.0
        };
        let (cache_write_1h, web_searches) = if flags & Self::BILLED != 0 {
            (r.u64()?, r.u32()?)
        } else {
            (0, 0)
        };
        Some(Copy {
            file: FileId(file),
            session: NameId(session),
            model: NameId(model),
            web_searches,
            sidechain: flags & Self::SIDECHAIN != 0,
            logged,
            fast: flags & Self::FAST != 0,
            offset,
            timestamp,
            tokens,
            cost,
            cache_write_1h,
        })
    }
}

/// The spec's preference between two copies of one response: larger token
/// sum, then main chain over sidechain, then earlier timestamp, then smaller
/// file path, then earlier in the file. `Greater` means `a` wins.
pub fn preference(a: &Copy, b: &Copy, path: &dyn Fn(FileId) -> Arc<str>) -> Ordering {
    a.tokens
        .total()
        .cmp(&b.tokens.total())
        .then_with(|| b.sidechain.cmp(&a.sidechain))
        .then_with(|| b.timestamp.cmp(&a.timestamp))
        .then_with(|| {
            if a.file == b.file {
                Ordering::Equal
            } else {
                path(b.file).cmp(&path(a.file))
            }
        })
        .then_with(|| b.offset.cmp(&a.offset))
}

/// The change in which copy wins a key.
#[derive(Debug, Default)]
pub struct WinnerChange {
    pub lost: Option<Copy>,
    pub won: Option<Copy>,
}

#[derive(Debug, Default)]
pub struct DedupIndex {
    /// Almost every response has one copy: keep it inline, not on the heap.
    copies: HashMap<Key, SmallVec<[Copy; 1]>>,
}

impl DedupIndex {
    fn winner<'a>(copies: &'a [Copy], path: &dyn Fn(FileId) -> Arc<str>) -> Option<&'a Copy> {
        Self::winner_at(copies, path).map(|i| &copies[i])
    }

    fn winner_at(copies: &[Copy], path: &dyn Fn(FileId) -> Arc<str>) -> Option<usize> {
        (0..copies.len()).max_by(|a, b| preference(&copies[*a], &copies[*b], path))
    }

    /// Add a copy; report if the winner of its key changed, and whether the
    /// key is new to the copy's file (the file then has to remember it).
    pub fn insert(
        &mut self,
        key: Key,
        copy: Copy,
        path: &dyn Fn(FileId) -> Arc<str>,
    ) -> (WinnerChange, bool) {
        let copies = self.copies.entry(key).or_default();
        let Some(before) = Self::winner_at(copies, path) else {
            // The common case: the first copy of a response wins outright.
            copies.push(copy.clone());
            let won = WinnerChange {
                lost: None,
                won: Some(copy),
            };
            return (won, true);
        };
        let same_file = copies.iter().position(|c| c.file == copy.file);
        if let Some(i) = same_file {
            if preference(&copy, &copies[i], path).is_le() {
                // The file already has a better copy: this one can never win.
                return (WinnerChange::default(), false);
            }
            let old = std::mem::replace(&mut copies[i], copy.clone());
            if i == before {
                // It beat the copy that beat all others.
                let change = WinnerChange {
                    lost: Some(old),
                    won: Some(copy),
                };
                return (change, false);
            }
        } else {
            copies.push(copy.clone());
        }
        let first_in_file = same_file.is_none();
        if preference(&copy, &copies[before], path).is_le() {
            return (WinnerChange::default(), first_in_file);
        }
        let change = WinnerChange {
            lost: Some(copies[before].clone()),
            won: Some(copy),
        };
        (change, first_in_file)
    }

    /// Remove the copy a file contributed under `key`; report if the winner
    /// changed.
    pub fn remove_file(
        &mut self,
        key: Key,
        file: FileId,
        path: &dyn Fn(FileId) -> Arc<str>,
    ) -> WinnerChange {
        let Some(copies) = self.copies.get_mut(&key) else {
            return WinnerChange::default();
        };
        let before = Self::winner(copies, path).cloned();
        copies.retain(|c| c.file != file);
        let after = Self::winner(copies, path).cloned();
        if copies.is_empty() {
            self.copies.remove(&key);
        }
        // A copy is identified by its file and line.
        let place = |c: &Option<Copy>| c.as_ref().map(|c| (c.file, c.offset));
        if place(&before) == place(&after) {
            return WinnerChange::default();
        }
        WinnerChange {
            lost: before,
            won: after,
        }
    }

    /// Whether every file and name the copies refer to is below the given
    /// table sizes: a loaded index is checked before it is trusted.
    pub fn refers_within(&self, files: usize, sessions: usize, models: usize) -> bool {
        self.copies.iter().all(|(key, copies)| {
            let key_ok = match key {
                Key::Unkeyed(f, _) => (f.0 as usize) < files,
                Key::Response(..) => true,
            };
            key_ok
                && !copies.is_empty()
                && copies.iter().all(|c| {
                    (c.file.0 as usize) < files
                        && c.session.index() < sessions
                        && c.model.index() < models
                })
        })
    }

    /// Every key each file has a copy under, for rebuilding the files'
    /// key lists (they are not stored: this is the same information).
    pub fn keys_by_file(&self) -> impl Iterator<Item = (Key, FileId)> + '_ {
        self.copies
            .iter()
            .flat_map(|(k, copies)| copies.iter().map(move |c| (*k, c.file)))
    }

    /// Make room for `n` more responses (a restart knows how many).
    pub fn reserve(&mut self, n: usize) {
        self.copies.reserve(n);
    }

    /// Every copy of one key.
    pub fn copies_of(&self, key: Key) -> &[Copy] {
        self.copies.get(&key).map_or(&[], |c| c.as_slice())
    }

    /// Every winning copy, in no particular order.
    pub fn winners<'a, P>(&'a self, path: P) -> impl Iterator<Item = &'a Copy> + 'a
    where
        P: Fn(FileId) -> Arc<str> + 'a,
    {
        self.copies
            .values()
            .filter_map(move |c| Self::winner(c, &path))
    }
}

/// Stored in the `wire` layout (see there for why): the number of keys,
/// then each key and its copies.
impl Serialize for DedupIndex {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        wire::serialize(s, |w| {
            w.u64(self.copies.len() as u64);
            for (key, copies) in &self.copies {
                match key {
                    Key::Response(hi, lo) => {
                        w.byte(0);
                        w.fixed64(*hi);
                        w.fixed64(*lo);
                    }
                    Key::Unkeyed(f, offset) => {
                        w.byte(1);
                        w.u64(f.0.into());
                        w.u64(*offset);
                    }
                }
                w.u64(copies.len() as u64);
                for c in copies {
                    c.write(w);
                }
            }
        })
    }
}

impl<'de> Deserialize<'de> for DedupIndex {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<DedupIndex, D::Error> {
        wire::deserialize(d, |r| {
            let n = r.count(Copy::MIN_STORED + 4)?;
            let mut copies = HashMap::with_capacity_and_hasher(n, Default::default());
            for _ in 0..n {
                let key = match r.byte()? {
                    0 => Key::Response(r.fixed64()?, r.fixed64()?),
                    1 => Key::Unkeyed(FileId(r.u32()?), r.u64()?),
                    _ => return None,
                };
                let k = r.count(Copy::MIN_STORED)?;
                let mut list = SmallVec::with_capacity(k);
                for _ in 0..k {
                    list.push(Copy::read(r)?);
                }
                if copies.insert(key, list).is_some() {
                    return None;
                }
            }
            Some(DedupIndex { copies })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn copy(file: u32, offset: u64, out: u64, sidechain: bool, ts: Millis) -> Copy {
        Copy::new(CopyParts {
            file: FileId(file),
            offset,
            timestamp: ts,
            session: NameId(0),
            model: NameId(0),
            tokens: Tokens {
                output: out,
                ..Default::default()
            },
            billing: Default::default(),
            sidechain,
            cost_usd: None,
        })
    }

    fn paths(f: FileId) -> Arc<str> {
        format!("/p/{}", 9 - f.0).into()
    }

    fn best(copies: &[Copy]) -> Copy {
        let mut idx = DedupIndex::default();
        let key = Key::response(DedupKey(1));
        for c in copies {
            idx.insert(key, c.clone(), &paths);
        }
        idx.winners(paths).next().unwrap().clone()
    }

    #[test]
    fn largest_token_sum_wins() {
        let w = best(&[
            copy(0, 0, 5, false, 0),
            copy(0, 10, 50, false, 0),
            copy(0, 20, 7, false, 0),
        ]);
        assert_eq!(w.tokens.output, 50);
    }

    #[test]
    fn ties_prefer_main_chain_then_earlier_then_smaller_path_then_earlier_line() {
        assert!(!best(&[copy(0, 0, 5, true, 0), copy(1, 0, 5, false, 9)]).sidechain);
        assert_eq!(
            best(&[copy(0, 0, 5, false, 9), copy(1, 0, 5, false, 3)]).timestamp,
            3
        );
        // paths: file 0 is "/p/9", file 1 is "/p/8": the smaller path wins.
        assert_eq!(
            best(&[copy(0, 0, 5, false, 3), copy(1, 0, 5, false, 3)]).file,
            FileId(1)
        );
        assert_eq!(
            best(&[copy(0, 40, 5, false, 3), copy(0, 8, 5, false, 3)]).offset,
            8
        );
    }

    #[test]
    fn the_winner_does_not_depend_on_insertion_order() {
        let all = [
            copy(0, 0, 5, true, 1),
            copy(1, 0, 9, true, 2),
            copy(2, 0, 9, false, 3),
            copy(3, 0, 9, false, 3),
            copy(3, 5, 2, false, 0),
        ];
        let expect = best(&all);
        let mut rev = all.to_vec();
        rev.reverse();
        assert_eq!(best(&rev), expect);
        let mut rot = all.to_vec();
        rot.rotate_left(2);
        assert_eq!(best(&rot), expect);
    }

    #[test]
    fn removing_a_file_hands_the_key_to_the_next_best_copy() {
        let mut idx = DedupIndex::default();
        let key = Key::response(DedupKey(7));
        idx.insert(key, copy(0, 0, 5, false, 0), &paths);
        let (change, first) = idx.insert(key, copy(1, 0, 9, false, 0), &paths);
        assert!(first);
        assert_eq!(change.lost.unwrap().tokens.output, 5);
        assert_eq!(change.won.unwrap().tokens.output, 9);
        let change = idx.remove_file(key, FileId(1), &paths);
        assert_eq!(change.won.unwrap().file, FileId(0));
        let change = idx.remove_file(key, FileId(0), &paths);
        assert!(change.won.is_none() && change.lost.is_some());
        assert_eq!(idx.winners(paths).count(), 0);
    }

    /// Only a file's best copy is kept, and the winner moves exactly as if
    /// every copy were kept.
    #[test]
    fn a_file_keeps_only_its_best_copy() {
        let mut idx = DedupIndex::default();
        let key = Key::response(DedupKey(3));
        let (change, first) = idx.insert(key, copy(0, 0, 5, false, 0), &paths);
        assert!(first && change.won.is_some());
        let (change, first) = idx.insert(key, copy(1, 0, 7, false, 0), &paths);
        assert!(first && change.won.is_some());
        // File 0's better copy still loses to file 1's: no change.
        let (change, first) = idx.insert(key, copy(0, 10, 6, false, 0), &paths);
        assert!(!first && change.won.is_none() && change.lost.is_none());
        // A worse copy of file 1 is dropped.
        let (change, _) = idx.insert(key, copy(1, 10, 1, false, 0), &paths);
        assert!(change.won.is_none());
        assert_eq!(idx.copies_of(key).len(), 2);
        // File 1's streamed final copy replaces its partial and wins.
        let (change, first) = idx.insert(key, copy(1, 20, 50, false, 0), &paths);
        assert!(!first);
        assert_eq!(change.lost.unwrap().offset, 0);
        assert_eq!(change.won.unwrap().offset, 20);
        assert_eq!(idx.copies_of(key).len(), 2);
        // Withdrawing file 1 hands the key to file 0's best copy.
        let change = idx.remove_file(key, FileId(1), &paths);
        assert_eq!(change.won.unwrap().offset, 10);
    }
}
