//! The status line's usage records of the last three days, as the cache
//! stores them, and their deduplication (spec §3) into what "today" and
//! the active block are summed from.

use crate::record::{Billing, Millis, Tokens};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hash::BuildHasherDefault;

/// One usage copy, small and flat: the cache holds tens of thousands.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rec {
    /// `message.id` + `requestId` hash; `None` is never merged.
    pub key: Option<u128>,
    /// Hash of the file's path: which file the copy came from.
    pub file: u64,
    pub offset: u64,
    pub ts: Millis,
    /// Input, output, cache writes, cache reads.
    pub tokens: [u64; 4],
    /// Index into the cache's model names.
    pub model: u32,
    pub sidechain: bool,
    pub cost_usd: Option<f64>,
    pub billing: Billing,
}

impl Rec {
    pub fn tokens(&self) -> Tokens {
        Tokens::from(self.tokens)
    }

    /// The spec's preference: larger token sum, main chain, earlier. Ties
    /// past that are broken by file and offset only to be deterministic:
    /// copies that tie that far are verbatim copies of one line (a resumed
    /// session's history), so every figure the status line shows is the
    /// same whichever wins.
    fn rank(&self) -> (u64, bool, std::cmp::Reverse<(Millis, u64, u64)>) {
        (
            self.tokens.iter().sum(),
            !self.sidechain,
            std::cmp::Reverse((self.ts, self.file, self.offset)),
        )
    }
}

/// Keys are already xxh3 hashes: hashing them again is wasted work on the
/// status line's few-millisecond budget.
#[derive(Default)]
struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }

    fn write_u128(&mut self, n: u128) {
        self.0 ^= n as u64 ^ (n >> 64) as u64;
    }
}

/// The winning copy of every response, oldest first.
pub fn winners(records: &[Rec]) -> Vec<Rec> {
    let mut best: HashMap<u128, usize, BuildHasherDefault<KeyHasher>> =
        HashMap::with_capacity_and_hasher(records.len(), Default::default());
    let mut out: Vec<Rec> = Vec::with_capacity(records.len());
    for r in records {
        let Some(key) = r.key else {
            out.push(*r);
            continue;
        };
        match best.get(&key) {
            Some(&i) if out[i].rank() >= r.rank() => {}
            Some(&i) => out[i] = *r,
            None => {
                best.insert(key, out.len());
                out.push(*r);
            }
        }
    }
    out.sort_by_key(|r| (r.ts, r.file, r.offset, r.key, r.tokens));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(key: u128, file: u64, ts: Millis, output: u64, sidechain: bool) -> Rec {
        Rec {
            key: Some(key),
            file,
            offset: 0,
            ts,
            tokens: [1, output, 0, 0],
            model: 0,
            sidechain,
            cost_usd: None,
            billing: Billing::default(),
        }
    }

    #[test]
    fn the_largest_copy_wins_then_main_chain_then_earlier() {
        let w = winners(&[
            rec(1, 1, 10, 5, false),
            rec(1, 2, 11, 50, false),
            rec(2, 1, 20, 9, true),
            rec(2, 2, 21, 9, false),
            rec(3, 1, 30, 9, false),
            rec(3, 2, 29, 9, false),
        ]);
        let got: Vec<(Millis, u64)> = w.iter().map(|r| (r.ts, r.tokens[1])).collect();
        assert_eq!(got, [(11, 50), (21, 9), (29, 9)]);
    }

    #[test]
    fn unkeyed_copies_all_count_and_the_order_of_input_does_not_matter() {
        let mut all = vec![
            rec(1, 1, 10, 5, false),
            rec(1, 2, 10, 5, false),
            rec(7, 3, 5, 1, true),
        ];
        all.push(Rec {
            key: None,
            ..all[0]
        });
        all.push(Rec {
            key: None,
            ..all[0]
        });
        let a = winners(&all);
        all.reverse();
        assert_eq!(winners(&all), a);
        assert_eq!(a.len(), 4);
    }
}
