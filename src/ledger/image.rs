//! The whole ledger as the persistent index stores it, so that a restart
//! loads the accumulated state instead of replaying every stored fact.
//!
//! Replaying ~100k responses through the dedup rule and the session
//! bookkeeping was most of a warm start. Storing the ledger's own tables
//! (every file's best copies, the winners' sums, each session's series)
//! costs one decode, and because the loaded ledger is the same value the
//! scan built, it still withdraws a truncated or deleted file exactly and
//! takes appends like any other: a changed file is then just an update.
//!
//! A loaded image is checked before it is trusted: every file and name a
//! record refers to must exist, so a damaged index cannot make the ledger
//! index out of bounds (the index file also carries a checksum).

use super::{BoundaryCopies, BoundaryKey, DaySums, FileEntry, FileId, Ledger, Names};
use super::{DedupIndex, SessionContext};
use crate::record::Tokens;
use rustc_hash::FxHashMap as HashMap;
use serde::de::{Error as _, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A path stored as its bytes: a lossy string would not find the file
/// again when its name is not UTF-8.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StoredPath(pub PathBuf);

impl StoredPath {
    fn bytes(path: &Path) -> std::borrow::Cow<'_, [u8]> {
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            std::borrow::Cow::Borrowed(path.as_os_str().as_bytes())
        }
        #[cfg(not(unix))]
        {
            match path.to_string_lossy() {
                std::borrow::Cow::Borrowed(s) => std::borrow::Cow::Borrowed(s.as_bytes()),
                std::borrow::Cow::Owned(s) => std::borrow::Cow::Owned(s.into_bytes()),
            }
        }
    }

    fn from_bytes(bytes: Vec<u8>) -> PathBuf {
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStringExt;
            PathBuf::from(std::ffi::OsString::from_vec(bytes))
        }
        #[cfg(not(unix))]
        {
            PathBuf::from(String::from_utf8_lossy(&bytes).into_owned())
        }
    }
}

/// Serialises a borrowed path the way `StoredPath` does.
struct PathRef<'a>(&'a Path);

impl Serialize for PathRef<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(&StoredPath::bytes(self.0))
    }
}

impl Serialize for StoredPath {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        PathRef(&self.0).serialize(s)
    }
}

impl<'de> Deserialize<'de> for StoredPath {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<StoredPath, D::Error> {
        struct Bytes;
        impl<'de> Visitor<'de> for Bytes {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a path's bytes")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
                Ok(v.to_vec())
            }
            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
                Ok(v)
            }
        }
        let bytes = d.deserialize_byte_buf(Bytes)?;
        Ok(StoredPath(StoredPath::from_bytes(bytes)))
    }
}

/// Skip counts in `SkipReason::ALL` order: their JSON form is a map by
/// name, which a compact binary format does not need.
pub(super) mod stored_skips {
    use crate::parse::SkipCounts;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(c: &SkipCounts, s: S) -> Result<S::Ok, S::Error> {
        c.to_vec().serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SkipCounts, D::Error> {
        let counts: Vec<u64> = Vec::deserialize(d)?;
        Ok(SkipCounts::from_slice(&counts))
    }
}

/// The ledger's tables, borrowed for writing. `paths` are the files' paths
/// in `FileId` order; the path-to-id map is rebuilt from them on load.
#[derive(Serialize)]
struct ImageRef<'a> {
    files: &'a [FileEntry],
    paths: Vec<PathRef<'a>>,
    dedup: &'a DedupIndex,
    boundaries: &'a HashMap<BoundaryKey, BoundaryCopies>,
    sessions: &'a HashMap<Arc<str>, SessionContext>,
    session_names: &'a Names,
    models: &'a Names,
    daily_utc: &'a BTreeMap<i64, DaySums>,
    totals: Tokens,
    records: u64,
}

#[derive(Deserialize)]
struct Image {
    files: Vec<FileEntry>,
    paths: Vec<StoredPath>,
    dedup: DedupIndex,
    boundaries: HashMap<BoundaryKey, BoundaryCopies>,
    sessions: HashMap<Arc<str>, SessionContext>,
    session_names: Names,
    models: Names,
    daily_utc: BTreeMap<i64, DaySums>,
    totals: Tokens,
    records: u64,
}

impl Serialize for Ledger {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut paths: Vec<Option<&Path>> = vec![None; self.files.len()];
        for (path, id) in &self.file_ids {
            if let Some(slot) = paths.get_mut(id.0 as usize) {
                *slot = Some(path);
            }
        }
        let paths = paths
            .into_iter()
            .map(|p| p.map(PathRef))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| serde::ser::Error::custom("a file of the ledger has no path"))?;
        ImageRef {
            files: &self.files,
            paths,
            dedup: &self.dedup,
            boundaries: &self.boundaries,
            sessions: &self.sessions,
            session_names: &self.session_names,
            models: &self.models,
            daily_utc: &self.daily_utc,
            totals: self.totals,
            records: self.records,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Ledger {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Ledger, D::Error> {
        let mut image = Image::deserialize(d)?;
        if !image.refers_within_its_tables() {
            return Err(D::Error::custom(
                "a record refers to a file or name it does not have",
            ));
        }
        let mut file_ids = HashMap::default();
        file_ids.reserve(image.paths.len());
        for (i, p) in image.paths.into_iter().enumerate() {
            if file_ids.insert(p.0, FileId(i as u32)).is_some() {
                return Err(D::Error::custom("a file is stored twice"));
            }
        }
        for (key, file) in image.dedup.keys_by_file() {
            image.files[file.0 as usize].keys.push(key);
        }
        Ok(Ledger {
            files: image.files,
            file_ids,
            dedup: image.dedup,
            boundaries: image.boundaries,
            sessions: image.sessions,
            session_names: image.session_names,
            models: image.models,
            daily_utc: image.daily_utc,
            totals: image.totals,
            records: image.records,
            winner_log: None,
        })
    }
}

impl Image {
    /// Every `FileId` and `NameId` in range, and one path per file.
    fn refers_within_its_tables(&self) -> bool {
        let files = self.files.len();
        let (sessions, models) = (self.session_names.len(), self.models.len());
        let file_ok = |f: &FileId| (f.0 as usize) < files;
        let boundary_ok = |k: &BoundaryKey| match k {
            BoundaryKey::Unkeyed(f, _) => file_ok(f),
            BoundaryKey::Uuid(_) => true,
        };
        self.paths.len() == files
            && self.dedup.refers_within(files, sessions, models)
            && self
                .files
                .iter()
                .all(|e| e.boundaries.iter().all(boundary_ok))
            && self
                .boundaries
                .iter()
                .all(|(k, b)| boundary_ok(k) && b.seen_in.iter().all(|(f, _)| file_ok(f)))
            && self.sessions.values().all(|s| {
                s.files.keys().all(file_ok)
                    && s.entry_seen.keys().all(file_ok)
                    && s.titles.keys().all(|(f, _)| file_ok(f))
                    && s.models.keys().all(|m| m.index() < models)
                    && s.main_chain.values().all(|p| p.model.index() < models)
            })
    }
}

impl Ledger {
    /// The files the ledger holds something of (read, or counted as
    /// unreadable), whatever the ledger keeps of files that went away.
    pub fn file_paths(&self) -> impl Iterator<Item = &Path> {
        self.file_ids
            .iter()
            .filter(|(_, id)| self.files[id.0 as usize].live)
            .map(|(p, _)| p.as_path())
    }

    /// Whether the ledger holds what a file contributed (it was read, is
    /// still there, and was readable).
    pub fn has_file(&self, path: &Path) -> bool {
        self.file_ids.get(path).is_some_and(|id| {
            let f = &self.files[id.0 as usize];
            f.live && (!f.unreadable || f.size > 0)
        })
    }

    /// The same ledger without the entries of files that went away or
    /// could not be read, or `None` when it has none. Ids are kept for the
    /// life of a ledger, so a stored ledger would otherwise grow with every
    /// file ever deleted; rebuilding from the files' exported facts drops
    /// them and gives the same answers (see `export.rs`).
    pub fn compacted(&self) -> Option<Ledger> {
        if self.files.iter().all(|f| f.live && !f.unreadable) {
            return None;
        }
        let mut ids: Vec<(&PathBuf, &FileId)> = self.file_ids.iter().collect();
        ids.sort_by_key(|(_, id)| **id);
        let mut out = Ledger::new();
        for (path, id) in ids {
            if let Some(facts) = self.export_file(path) {
                let project = &self.files[id.0 as usize].encoded_project;
                out.restore_file(path, project, &facts);
            }
        }
        Some(out)
    }
}
