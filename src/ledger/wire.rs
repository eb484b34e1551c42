//! A hand-rolled byte layout for the ledger's two big tables (the dedup
//! index and each session's occupancy series), stored as one byte string
//! each inside the index.
//!
//! Through serde, every field of ~100k copies is a visitor call, maps
//! grow from a cautious capacity, and a B-tree is built one insert at a
//! time; that was most of a warm start. Here a table is a tight loop over
//! LEB128 varints into a map reserved at its final size, and a series is
//! collected sorted and bulk-built. Any malformed input is an error, never
//! a panic.

use serde::de::{Error as _, Visitor};
use serde::{Deserializer, Serializer};

/// Appends values to a byte string.
#[derive(Debug, Default)]
pub struct Writer(pub Vec<u8>);

impl Writer {
    pub fn u64(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.0.push(v as u8 | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
    }

    /// Zig-zag, so small negative numbers stay short.
    pub fn i64(&mut self, v: i64) {
        self.u64(((v << 1) ^ (v >> 63)) as u64);
    }

    /// Hashes are random: a fixed width is shorter than a varint.
    pub fn fixed64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }

    pub fn byte(&mut self, v: u8) {
        self.0.push(v);
    }
}

/// Reads what a `Writer` wrote; `None` when the bytes end early or a
/// varint is too long.
#[derive(Debug)]
pub struct Reader<'a>(pub &'a [u8]);

impl Reader<'_> {
    pub fn u64(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let (&b, rest) = self.0.split_first()?;
            self.0 = rest;
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Some(v);
            }
        }
        None
    }

    pub fn u32(&mut self) -> Option<u32> {
        u32::try_from(self.u64()?).ok()
    }

    pub fn i64(&mut self) -> Option<i64> {
        let v = self.u64()?;
        Some((v >> 1) as i64 ^ -((v & 1) as i64))
    }

    pub fn fixed64(&mut self) -> Option<u64> {
        let (b, rest) = self.0.split_first_chunk::<8>()?;
        self.0 = rest;
        Some(u64::from_le_bytes(*b))
    }

    pub fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A count of items each at least `min_len` bytes long: capped by what
    /// the remaining bytes can hold, so a bad count cannot reserve gigabytes.
    pub fn count(&mut self, min_len: usize) -> Option<usize> {
        let n = usize::try_from(self.u64()?).ok()?;
        (n <= self.0.len() / min_len.max(1)).then_some(n)
    }
}

/// Write a table as one byte string.
pub fn serialize<S: Serializer>(s: S, write: impl FnOnce(&mut Writer)) -> Result<S::Ok, S::Error> {
    let mut w = Writer::default();
    write(&mut w);
    s.serialize_bytes(&w.0)
}

/// Read a table from one byte string; `read` must consume it exactly.
pub fn deserialize<'de, D, T>(
    d: D,
    read: impl FnOnce(&mut Reader) -> Option<T>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    struct Bytes<F>(F);
    impl<'de, T, F: FnOnce(&mut Reader) -> Option<T>> Visitor<'de> for Bytes<F> {
        type Value = Option<T>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a ledger table")
        }
        fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Option<T>, E> {
            let mut r = Reader(v);
            Ok((self.0)(&mut r).filter(|_| r.is_empty()))
        }
    }
    d.deserialize_bytes(Bytes(read))?
        .ok_or_else(|| D::Error::custom("a ledger table is malformed"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_and_bad_input_is_none() {
        let mut w = Writer::default();
        for v in [0, 1, 127, 128, u64::MAX] {
            w.u64(v);
        }
        for v in [0, -1, i64::MIN, i64::MAX] {
            w.i64(v);
        }
        w.fixed64(0xdead_beef);
        let mut r = Reader(&w.0);
        for v in [0, 1, 127, 128, u64::MAX] {
            assert_eq!(r.u64(), Some(v));
        }
        for v in [0, -1, i64::MIN, i64::MAX] {
            assert_eq!(r.i64(), Some(v));
        }
        assert_eq!(r.fixed64(), Some(0xdead_beef));
        assert!(r.is_empty() && r.byte().is_none());
        assert_eq!(Reader(&[0xff; 11]).u64(), None);
        assert_eq!(Reader(&[200]).count(1), None);
    }
}
