//! What one file contributed to the ledger, as plain serialisable data, and
//! putting it back: the persistent index stores this so a restart applies a
//! file's facts without reading the file again.
//!
//! Exporting from the ledger (rather than keeping a second copy of every
//! fact) means the index can be written at any time, live or after a scan,
//! and restoring reproduces exactly the state the file's lines produced.

use super::dedup::{Copy, CopyParts, Key};
use super::names::NameId;
use super::{BoundaryKey, Ledger};
use crate::parse::{SkipCounts, TitleKind};
use crate::record::{Billing, CompactionMark, DedupKey, Millis, Tokens};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::Path;

/// One usage copy; strings are indexes into `FileFacts::strings`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsageFact {
    pub key: Option<u128>,
    pub offset: u64,
    pub timestamp: Millis,
    pub session: u32,
    pub model: u32,
    pub tokens: [u64; 4],
    pub billing: Billing,
    pub sidechain: bool,
    pub cost_usd: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoundaryFact {
    pub uuid: Option<u128>,
    pub offset: u64,
    pub timestamp: Millis,
    pub session: u32,
    pub trigger: Option<u32>,
    pub pre_tokens: Option<u64>,
}

/// A session the file names, with the first `cwd` it gave (and the byte
/// offset of the line that gave it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MentionFact {
    pub session: u32,
    pub cwd: Option<(Millis, u32)>,
    /// Timestamps of entries that only named the session.
    pub entries: Vec<Millis>,
    /// The titles the file gave the session: kind, line offset, text.
    pub titles: Vec<(TitleKind, u64, u32)>,
}

/// Everything one file contributed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FileFacts {
    pub strings: Vec<String>,
    pub usage: Vec<UsageFact>,
    pub boundaries: Vec<BoundaryFact>,
    pub mentions: Vec<MentionFact>,
    pub skipped: Vec<u64>,
    pub size: u64,
    /// The newest state of the file's chain.
    pub turn: super::TurnTrack,
}

impl FileFacts {
    fn intern(&mut self, s: &str) -> u32 {
        match self.strings.iter().position(|x| x == s) {
            Some(i) => i as u32,
            None => {
                self.strings.push(s.to_owned());
                (self.strings.len() - 1) as u32
            }
        }
    }

    fn string(&self, i: u32) -> &str {
        self.strings.get(i as usize).map_or("", String::as_str)
    }
}

impl Ledger {
    /// What a file contributed, or `None` if the ledger does not know it.
    pub fn export_file(&self, path: &Path) -> Option<FileFacts> {
        let id = *self.file_ids.get(path)?;
        let entry = &self.files[id.0 as usize];
        if !entry.live || (entry.unreadable && entry.size == 0) {
            return None;
        }
        // What the file gave is kept; that it could not be read the last
        // time is not: the next run reads it again.
        let mut skipped = entry.skipped;
        if entry.unreadable {
            skipped.remove(crate::parse::SkipReason::UnreadableFile);
        }
        let mut facts = FileFacts {
            size: entry.size,
            turn: entry.turn.clone(),
            skipped: skipped.to_vec(),
            ..FileFacts::default()
        };
        let keys: BTreeSet<Key> = entry.keys.iter().copied().collect();
        for key in keys {
            for c in self.dedup.copies_of(key).iter().filter(|c| c.file == id) {
                let usage = UsageFact {
                    key: key.dedup_key().map(|k| k.0),
                    offset: c.offset,
                    timestamp: c.timestamp,
                    session: facts.intern(self.session_names.get(c.session)),
                    model: facts.intern(self.models.get(c.model)),
                    tokens: [
                        c.tokens.input,
                        c.tokens.output,
                        c.tokens.cache_creation,
                        c.tokens.cache_read,
                    ],
                    billing: c.billing(),
                    sidechain: c.sidechain,
                    cost_usd: c.cost_usd(),
                };
                facts.usage.push(usage);
            }
        }
        let boundaries: BTreeSet<BoundaryKey> = entry.boundaries.iter().copied().collect();
        for key in boundaries {
            let Some(b) = self.boundaries.get(&key) else {
                continue;
            };
            for (_, offset) in b.seen_in.iter().filter(|(f, _)| *f == id) {
                let fact = BoundaryFact {
                    uuid: match key {
                        BoundaryKey::Uuid(u) => Some(u),
                        BoundaryKey::Unkeyed(..) => None,
                    },
                    offset: *offset,
                    timestamp: b.boundary.timestamp,
                    session: facts.intern(&b.session),
                    trigger: b.boundary.trigger.as_deref().map(|t| facts.intern(t)),
                    pre_tokens: b.boundary.pre_tokens,
                };
                facts.boundaries.push(fact);
            }
        }
        for name in &entry.sessions {
            let Some(s) = self.sessions.get(name) else {
                continue;
            };
            let cwd = s.files.get(&id).cloned().flatten();
            let mention = MentionFact {
                session: facts.intern(name),
                cwd: cwd.map(|(ts, cwd)| (ts, facts.intern(&cwd))),
                entries: s
                    .entry_seen
                    .get(&id)
                    .map_or_else(Vec::new, |(first, last)| vec![*first, *last]),
                titles: s
                    .titles
                    .range((id, TitleKind::Prompt)..=(id, TitleKind::Custom))
                    .map(|((_, kind), (at, text))| (*kind, *at, facts.intern(text)))
                    .collect(),
            };
            facts.mentions.push(mention);
        }
        Some(facts)
    }

    /// Put back what a file contributed (withdrawing whatever the ledger had
    /// from it before).
    pub fn restore_file(&mut self, path: &Path, encoded_project: &str, facts: &FileFacts) {
        let mut touched = BTreeSet::new();
        let id = self.file_id(path, encoded_project);
        self.withdraw_file(id, &mut touched);
        let entry = &mut self.files[id.0 as usize];
        entry.live = true;
        entry.unreadable = false;
        entry.size = facts.size;
        entry.skipped = SkipCounts::from_slice(&facts.skipped);
        entry.turn = facts.turn.clone();
        for m in &facts.mentions {
            let session = facts.string(m.session);
            let cwd = m.cwd.map(|(ts, c)| (ts, facts.string(c)));
            let at = cwd.map_or(0, |(at, _)| at as u64);
            let name = self.mention(id, session, cwd.map(|(_, c)| c), at);
            if let Some(s) = self.sessions.get_mut(&name) {
                for ts in &m.entries {
                    s.saw(*ts, id);
                }
                for (kind, at, text) in &m.titles {
                    s.add_title(id, *at, *kind, facts.string(*text).to_owned());
                }
            }
        }
        // Resolve each of the file's names once, not once per response. A
        // response counts only under a session the file mentions.
        let mut models: Vec<Option<NameId>> = vec![None; facts.strings.len()];
        let sessions: Vec<Option<NameId>> = facts
            .strings
            .iter()
            .map(|n| {
                self.session_names
                    .find(n)
                    .filter(|_| self.sessions.contains_key(n.as_str()))
            })
            .collect();
        for u in &facts.usage {
            let [input, output, cache_creation, cache_read] = u.tokens;
            let Some(Some(session)) = sessions.get(u.session as usize) else {
                continue;
            };
            let Some(slot) = models.get_mut(u.model as usize) else {
                continue;
            };
            let model = match slot {
                Some(m) => *m,
                None => *slot.insert(self.models.intern(facts.string(u.model))),
            };
            let copy = Copy::new(CopyParts {
                file: id,
                offset: u.offset,
                timestamp: u.timestamp,
                session: *session,
                model,
                tokens: Tokens {
                    input,
                    output,
                    cache_creation,
                    cache_read,
                },
                billing: u.billing,
                sidechain: u.sidechain,
                cost_usd: u.cost_usd,
            });
            self.add_copy(u.key.map(DedupKey), copy, &mut touched);
        }
        for b in &facts.boundaries {
            let mark = CompactionMark {
                uuid: b.uuid,
                timestamp: b.timestamp,
                session_id: facts.string(b.session).to_owned(),
                trigger: b.trigger.map(|t| facts.string(t).to_owned()),
                pre_tokens: b.pre_tokens,
                cwd: None,
            };
            self.add_boundary(id, b.offset, mark, &mut touched);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::{FileChange, FileUpdate, WindowPolicy};
    use crate::parse::{Parsed, SkipReason};
    use crate::record::UsageRecord;

    fn usage(session: &str, msg: Option<&str>, ts: Millis, out: u64, side: bool) -> Parsed {
        Parsed::Usage(UsageRecord {
            key: msg.map(|m| DedupKey::new(m, None)),
            timestamp: ts,
            session_id: session.into(),
            model: "claude-haiku-4-5".into(),
            tokens: Tokens {
                input: 5,
                output: out,
                cache_creation: 7,
                cache_read: 1000,
            },
            billing: Default::default(),
            sidechain: side,
            cost_usd: Some(0.25),
            cwd: Some(format!("/src/{session}")),
        })
    }

    fn updates() -> Vec<FileUpdate> {
        let mark = |uuid: u128, ts| {
            Parsed::Compaction(CompactionMark {
                uuid: Some(uuid),
                timestamp: ts,
                session_id: "s".into(),
                trigger: Some("manual".into()),
                pre_tokens: Some(99),
                cwd: None,
            })
        };
        let file = |path: &str, facts: Vec<Parsed>| FileUpdate {
            path: path.into(),
            encoded_project: "-src".into(),
            change: FileChange::Appended,
            facts: facts
                .into_iter()
                .enumerate()
                .map(|(i, f)| (i as u64 * 10, f))
                .collect(),
            size: 77,
        };
        vec![
            file(
                "/p/a.jsonl",
                vec![
                    Parsed::Entry {
                        session_id: "s".into(),
                        cwd: Some("/early".into()),
                        timestamp: Some(1),
                    },
                    usage("s", Some("m1"), 10, 5, false),
                    usage("s", Some("m1"), 10, 50, false),
                    usage("s", None, 20, 3, true),
                    mark(1, 30),
                    Parsed::Skipped(SkipReason::Malformed),
                ],
            ),
            file(
                "/p/b.jsonl",
                vec![
                    usage("s", Some("m1"), 10, 50, true),
                    mark(1, 30),
                    usage("t", Some("m2"), 40, 9, false),
                ],
            ),
        ]
    }

    fn state(l: &Ledger) -> String {
        serde_json::to_string(&crate::commands::status::StatusJson::of(
            l,
            &WindowPolicy::default(),
        ))
        .unwrap()
    }

    #[test]
    fn restoring_exported_facts_reproduces_the_ledger() {
        let mut original = Ledger::new();
        for u in updates() {
            original.apply(u);
        }
        let mut restored = Ledger::new();
        // Restore in the opposite order: the ledger does not depend on it.
        for path in ["/p/b.jsonl", "/p/a.jsonl"] {
            let facts = original.export_file(Path::new(path)).unwrap();
            let bytes = postcard::to_stdvec(&facts).unwrap();
            let back: FileFacts = postcard::from_bytes(&bytes).unwrap();
            assert_eq!(back, facts);
            restored.restore_file(Path::new(path), "-src", &back);
        }
        assert_eq!(state(&restored), state(&original));
        assert_eq!(restored.project("s"), "/early");
        // And a restored file can still be withdrawn or appended to.
        let gone = FileUpdate {
            path: "/p/a.jsonl".into(),
            encoded_project: "-src".into(),
            change: FileChange::Gone,
            facts: vec![],
            size: 0,
        };
        original.apply(gone.clone());
        restored.apply(gone);
        assert_eq!(state(&restored), state(&original));
    }

    #[test]
    fn a_stored_ledger_loads_as_the_same_ledger_and_compacts() {
        let mut original = Ledger::new();
        for u in updates() {
            original.apply(u);
        }
        let bytes = postcard::to_stdvec(&original).unwrap();
        let mut loaded: Ledger = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(state(&loaded), state(&original));
        assert!(loaded.compacted().is_none());
        // Withdrawing the file whose copy wins hands the key back, in both.
        let gone = FileUpdate {
            path: "/p/a.jsonl".into(),
            encoded_project: "-src".into(),
            change: FileChange::Gone,
            facts: vec![],
            size: 0,
        };
        original.apply(gone.clone());
        loaded.apply(gone);
        assert_eq!(state(&loaded), state(&original));
        let compact = loaded.compacted().unwrap();
        assert_eq!(state(&compact), state(&original));
        assert!(!compact.has_file(Path::new("/p/a.jsonl")));
        assert!(compact.has_file(Path::new("/p/b.jsonl")));
        // Truncated bytes are an error, never a panic.
        for cut in [1, bytes.len() / 3, bytes.len() - 1] {
            assert!(postcard::from_bytes::<Ledger>(&bytes[..cut]).is_err());
        }
    }
}
