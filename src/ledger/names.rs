//! Interned names (session ids, model names): a copy of a response holds a
//! 4-byte `NameId` instead of a 16-byte `Arc<str>` per name.
//!
//! With ~100k responses per GiB of transcripts, two names per copy and per
//! context point are a large share of the ledger; an index is also cheaper
//! to store and load in the persistent index than a string, and cheaper to
//! group by (an array slot instead of a hashed string).

use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::sync::Arc;

/// An index into a `Names` table. Names are never removed, so an id stays
/// valid for the life of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct NameId(pub u32);

impl NameId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A table of distinct names.
#[derive(Debug, Default, Clone)]
pub struct Names {
    list: Vec<Arc<str>>,
    ids: HashMap<Arc<str>, NameId>,
}

impl Names {
    /// The id of `name`, adding it if new.
    pub fn intern(&mut self, name: &str) -> NameId {
        if let Some(id) = self.ids.get(name) {
            return *id;
        }
        let id = NameId(self.list.len() as u32);
        let shared: Arc<str> = name.into();
        self.list.push(shared.clone());
        self.ids.insert(shared, id);
        id
    }

    /// The id of `name`, if it was ever interned.
    pub fn find(&self, name: &str) -> Option<NameId> {
        self.ids.get(name).copied()
    }

    /// The shared copy of a name. Ids come from this table, so the lookup
    /// cannot miss; `EMPTY` keeps a foreign id from panicking all the same.
    pub fn get(&self, id: NameId) -> &Arc<str> {
        static EMPTY: std::sync::LazyLock<Arc<str>> = std::sync::LazyLock::new(|| "".into());
        self.list.get(id.index()).unwrap_or(&EMPTY)
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

/// Stored as the list alone; the lookup map is rebuilt on load.
impl Serialize for Names {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.list.iter().map(|name| &**name))
    }
}

impl<'de> Deserialize<'de> for Names {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Names, D::Error> {
        let strings: Vec<String> = Vec::deserialize(d)?;
        let mut names = Names::default();
        names.list.reserve(strings.len());
        for s in strings {
            let shared: Arc<str> = s.into();
            let id = NameId(names.list.len() as u32);
            if names.ids.insert(shared.clone(), id).is_some() {
                return Err(serde::de::Error::custom("a name is stored twice"));
            }
            names.list.push(shared);
        }
        Ok(names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interning_gives_one_id_per_name_and_survives_a_round_trip() {
        let mut n = Names::default();
        let a = n.intern("a");
        let b = n.intern("b");
        assert_eq!(n.intern("a"), a);
        assert_ne!(a, b);
        let bytes = postcard::to_stdvec(&n).unwrap();
        let back: Names = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(back.find("b"), Some(b));
        assert_eq!(&**back.get(a), "a");
        assert_eq!(&**back.get(NameId(99)), "");
    }
}
