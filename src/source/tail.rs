//! Reading only what was appended to one transcript since the last read.
//!
//! A `Tailer` remembers how far it has read. Each `read_new` call delivers the
//! complete lines that arrived since, holds back an incomplete last line until
//! its newline arrives (so a line split anywhere, even inside a UTF-8
//! sequence, is parsed once, whole), and notices when the file was truncated,
//! replaced or rewritten, in which case it says `Reset` and starts again from
//! byte 0, so the consumer can drop what the old content contributed and
//! nothing is counted twice.
//!
//! Bytes after the last newline that already form complete JSON objects
//! are a line too (spec §2, v2: many real files end that way for good):
//! they are delivered at once, and the tailer remembers that it stopped
//! right after them, so the newline that may follow later adds nothing,
//! while anything else that follows is the next line.

use super::complete::{ObjectScan, scanned_complete};
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// How much of a file's start we remember to notice in-place rewrites that
/// keep or grow the length (a truncation alone is caught by the size).
const HEAD_LEN: usize = 256;

/// How many bytes just before the remembered offset are fingerprinted, so
/// that a rewrite keeping the first bytes is noticed too: the last few
/// records, where an edit of a live transcript lands.
const MARK_LEN: u64 = 4096;

/// Size of each read; large enough that a full scan is a few syscalls per MB.
const CHUNK: usize = 1 << 20;

/// What a read delivers, in file order.
#[derive(Debug, PartialEq, Eq)]
pub enum TailEvent<'a> {
    /// The file is not the one read before (shorter, another inode, its
    /// first bytes or the bytes before the offset changed, or written
    /// without growing): forget everything it contributed. Lines follow
    /// from byte 0.
    Reset,
    /// One complete line without its `\n` (or, at the end of the file,
    /// complete JSON objects whose newline has not arrived); `offset` is
    /// where it starts.
    Line { offset: u64, bytes: &'a [u8] },
    /// A line longer than the cap, skipped without being held in memory.
    Oversized { offset: u64 },
}

/// Whether the file was there to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TailStatus {
    Read,
    /// The file no longer exists; its contributions should be dropped.
    Gone,
}

/// Where a tailer stands, for saving and resuming.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TailState {
    pub identity: Option<FileIdentity>,
    /// Just past the last complete line delivered.
    pub committed: u64,
    /// The last line delivered had no newline yet: whitespace up to the
    /// next newline still belongs to it and is not a line of its own.
    pub open: bool,
    pub head: Vec<u8>,
    /// A fingerprint of the bytes just before `committed`.
    pub mark: Option<Mark>,
    /// The file's length and modification time when it was last read: if
    /// both still match, nothing was written since.
    pub seen_len: u64,
    pub seen_modified: Option<(u64, u32)>,
}

/// A fingerprint of the bytes just before an offset: how many, and their
/// xxh3 hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Mark {
    pub len: u32,
    pub hash: u64,
}

impl Mark {
    /// The fingerprint of the bytes before `end` in `file`.
    fn of(file: &File, end: u64) -> io::Result<Option<Mark>> {
        let len = end.min(MARK_LEN);
        if len == 0 {
            return Ok(None);
        }
        let mut bytes = vec![0; len as usize];
        if !read_exact_at(file, &mut bytes, end - len)? {
            return Ok(None);
        }
        Ok(Some(Mark {
            len: len as u32,
            hash: xxhash_rust::xxh3::xxh3_64(&bytes),
        }))
    }

    /// Do the bytes before `end` in `file` still have this fingerprint?
    fn matches(&self, file: &File, end: u64) -> io::Result<bool> {
        let len = u64::from(self.len);
        if len > end {
            return Ok(false);
        }
        let mut bytes = vec![0; len as usize];
        Ok(read_exact_at(file, &mut bytes, end - len)?
            && xxhash_rust::xxh3::xxh3_64(&bytes) == self.hash)
    }
}

/// Fill `buf` from `offset` without moving the file's position; `false`
/// when the file ends first.
fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<bool> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        match file.read_exact_at(buf, offset) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(false),
            Err(e) => Err(e),
        }
    }
    #[cfg(not(unix))]
    {
        let mut f = file;
        f.seek(SeekFrom::Start(offset))?;
        match f.read_exact(buf) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(false),
            Err(e) => Err(e),
        }
    }
}

/// A modification time as whole seconds and nanoseconds since the epoch.
pub fn modified_of(meta: &std::fs::Metadata) -> Option<(u64, u32)> {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| (d.as_secs(), d.subsec_nanos()))
}

/// Which file this is, beyond its name: a rename over it gives another inode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileIdentity {
    dev: u64,
    ino: u64,
}

impl FileIdentity {
    #[cfg(unix)]
    pub fn of(meta: &std::fs::Metadata) -> Option<FileIdentity> {
        use std::os::unix::fs::MetadataExt;
        Some(FileIdentity {
            dev: meta.dev(),
            ino: meta.ino(),
        })
    }

    #[cfg(not(unix))]
    pub fn of(_meta: &std::fs::Metadata) -> Option<FileIdentity> {
        None
    }
}

#[derive(Debug)]
pub struct Tailer {
    path: PathBuf,
    identity: Option<FileIdentity>,
    /// Every byte before this has been read (delivered or held in `pending`).
    read_to: u64,
    /// The start of an incomplete last line, held until its newline arrives.
    pending: Vec<u8>,
    /// True while skipping the rest of an over-long line.
    discarding: bool,
    /// Where the objects in `pending` stand, so that telling whether they
    /// are complete costs only the bytes that arrived since.
    scan: ObjectScan,
    /// See `TailState::open`.
    open: bool,
    /// The first bytes of the file as last seen.
    head: Vec<u8>,
    /// The fingerprint of the bytes before `mark_end` (the committed offset
    /// when it was taken).
    mark: Option<Mark>,
    mark_end: u64,
    line_cap: usize,
    seen_len: u64,
    seen_modified: Option<(u64, u32)>,
}

impl Tailer {
    pub fn new(path: impl Into<PathBuf>, line_cap: usize) -> Tailer {
        Tailer {
            path: path.into(),
            identity: None,
            read_to: 0,
            pending: Vec::new(),
            discarding: false,
            scan: ObjectScan::default(),
            open: false,
            head: Vec::new(),
            mark: None,
            mark_end: 0,
            line_cap: line_cap.max(1),
            seen_len: 0,
            seen_modified: None,
        }
    }

    /// A tailer that continues where an earlier one stopped (from the
    /// persistent index). If the file is no longer the one described, the
    /// first read says `Reset`.
    pub fn resume(path: impl Into<PathBuf>, line_cap: usize, state: TailState) -> Tailer {
        Tailer {
            identity: state.identity,
            read_to: state.committed,
            open: state.open,
            head: state.head,
            mark: state.mark,
            mark_end: state.committed,
            seen_len: state.seen_len,
            seen_modified: state.seen_modified,
            ..Tailer::new(path, line_cap)
        }
    }

    /// What `resume` needs to continue from the last complete line.
    pub fn state(&self) -> TailState {
        TailState {
            identity: self.identity,
            committed: self.committed(),
            open: self.open,
            head: self.head.clone(),
            mark: self.mark.filter(|_| self.mark_end == self.committed()),
            seen_len: self.seen_len,
            seen_modified: self.seen_modified,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn line_cap(&self) -> usize {
        self.line_cap
    }

    /// Bytes read so far, including an incomplete last line.
    pub fn bytes_read(&self) -> u64 {
        self.read_to
    }

    /// Offset just past the last complete line delivered: where a restart
    /// would resume.
    pub fn committed(&self) -> u64 {
        self.read_to - self.pending_len()
    }

    /// Bytes of an unterminated last line (or of a line being discarded)
    /// waiting for their newline.
    pub fn pending_len(&self) -> u64 {
        if self.discarding {
            0
        } else {
            self.pending.len() as u64
        }
    }

    /// Deliver everything appended since the last call. `buf` is a scratch
    /// buffer the caller reuses across files to avoid re-allocating.
    pub fn read_new(
        &mut self,
        buf: &mut Vec<u8>,
        sink: &mut dyn FnMut(TailEvent),
    ) -> io::Result<TailStatus> {
        // A path that is no longer a regular file (a FIFO or a link put in
        // its place) is no transcript: what it gave is withdrawn like a
        // deleted file's.
        let Some(mut file) = open_transcript(&self.path, false)? else {
            return Ok(TailStatus::Gone);
        };
        let meta = file.metadata()?;
        let identity = FileIdentity::of(&meta);
        if self.read_to > 0 || self.identity.is_some() {
            let replaced = identity != self.identity;
            let shrunk = meta.len() < self.read_to;
            if replaced
                || shrunk
                || self.written_without_growing(&meta)
                || !self.head_matches(&mut file)?
                || !self.tail_matches(&file)?
            {
                self.restart();
                sink(TailEvent::Reset);
            }
        }
        self.identity = identity;
        self.seen_len = meta.len();
        self.seen_modified = modified_of(&meta);
        if meta.len() == self.read_to {
            return Ok(TailStatus::Read);
        }
        file.seek(SeekFrom::Start(self.read_to))?;
        buf.resize(CHUNK, 0);
        loop {
            let n = match file.read(buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            self.split_lines(&buf[..n], sink);
            self.read_to += n as u64;
        }
        self.deliver_complete_rest(sink);
        if self.head.len() < HEAD_LEN && self.read_to > self.head.len() as u64 {
            self.head = read_head(&mut file)?;
        }
        let committed = self.committed();
        if committed != self.mark_end {
            self.mark = Mark::of(&file, committed)?;
            self.mark_end = committed;
        }
        Ok(TailStatus::Read)
    }

    /// Empty the pending line. A long line's buffer is given back rather
    /// than kept: thousands of idle readers each holding the capacity of
    /// their largest line would add up to hundreds of megabytes.
    fn release_pending(&mut self) {
        if self.pending.capacity() > 64 << 10 {
            self.pending = Vec::new();
        } else {
            self.pending.clear();
        }
    }

    fn restart(&mut self) {
        self.read_to = 0;
        self.release_pending();
        self.discarding = false;
        self.scan = ObjectScan::default();
        self.open = false;
        self.head.clear();
        self.mark = None;
        self.mark_end = 0;
    }

    /// At the end of what the file holds: if the bytes after its last
    /// newline are complete objects, they are the next line, now.
    fn deliver_complete_rest(&mut self, sink: &mut dyn FnMut(TailEvent)) {
        if self.discarding || self.pending.is_empty() {
            return;
        }
        if !scanned_complete(&self.scan, &self.pending) {
            return;
        }
        sink(TailEvent::Line {
            offset: self.read_to - self.pending.len() as u64,
            bytes: &self.pending,
        });
        self.release_pending();
        self.scan = ObjectScan::default();
        self.open = true;
    }

    /// Was the file written since it was last looked at without growing?
    /// An append always makes a file longer, so the same length with
    /// another modification time means bytes already read were written
    /// over (an edit in place at the same length, anywhere in the file,
    /// which neither the first bytes nor the fingerprint may cover). A
    /// `touch` alone looks the same and costs a read from the start, which
    /// gives the same answer.
    fn written_without_growing(&self, meta: &std::fs::Metadata) -> bool {
        self.seen_modified.is_some()
            && meta.len() == self.seen_len
            && modified_of(meta) != self.seen_modified
    }

    fn head_matches(&self, file: &mut File) -> io::Result<bool> {
        if self.head.is_empty() {
            return Ok(true);
        }
        let mut now = vec![0; self.head.len()];
        file.seek(SeekFrom::Start(0))?;
        match file.read_exact(&mut now) {
            Ok(()) => Ok(now == self.head),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Are the bytes read so far still what the file holds there, as far as
    /// the fingerprint before the committed offset and a held incomplete
    /// line (when short) can tell?
    fn tail_matches(&self, file: &File) -> io::Result<bool> {
        if let Some(mark) = &self.mark
            && !mark.matches(file, self.mark_end)?
        {
            return Ok(false);
        }
        let held = self.pending_len();
        if held == 0 || held > MARK_LEN {
            return Ok(true);
        }
        let mut now = vec![0; held as usize];
        Ok(read_exact_at(file, &mut now, self.committed())? && now == self.pending)
    }

    /// Split one chunk (which starts at `self.read_to`) into lines.
    fn split_lines(&mut self, chunk: &[u8], sink: &mut dyn FnMut(TailEvent)) {
        let mut start = 0;
        for nl in memchr::memchr_iter(b'\n', chunk) {
            let piece = &chunk[start..nl];
            let line_start = self.read_to + start as u64 - self.pending.len() as u64;
            let open = std::mem::take(&mut self.open);
            if self.discarding {
                self.discarding = false;
            } else if open && self.pending.trim_ascii().is_empty() && piece.trim_ascii().is_empty()
            {
                // The newline (or CRLF) of a line delivered before it came.
                self.release_pending();
            } else if self.pending.len() + piece.len() > self.line_cap {
                sink(TailEvent::Oversized { offset: line_start });
                self.release_pending();
            } else if self.pending.is_empty() {
                sink(TailEvent::Line {
                    offset: line_start,
                    bytes: piece,
                });
            } else {
                self.pending.extend_from_slice(piece);
                sink(TailEvent::Line {
                    offset: line_start,
                    bytes: &self.pending,
                });
                self.release_pending();
            }
            start = nl + 1;
        }
        if start > 0 {
            self.scan = ObjectScan::default();
        }
        let rest = &chunk[start..];
        if self.discarding || rest.is_empty() {
            return;
        }
        if self.pending.len() + rest.len() > self.line_cap {
            let line_start = self.read_to + start as u64 - self.pending.len() as u64;
            sink(TailEvent::Oversized { offset: line_start });
            self.pending = Vec::new(); // give the memory back, not just the length
            self.discarding = true;
            self.open = false;
        } else {
            self.pending.extend_from_slice(rest);
            self.scan.feed(rest);
        }
    }
}

/// Open `path` for reading if it is a regular file; `None` if there is
/// none (missing, or a FIFO, socket or device, or, unless `follow_link`, a
/// symbolic link). Never blocks: opening a FIFO for reading normally waits
/// for a writer, so the open is non-blocking and the kind checked after.
pub fn open_transcript(path: &Path, follow_link: bool) -> io::Result<Option<File>> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let nofollow = if follow_link { 0 } else { libc::O_NOFOLLOW };
        options.custom_flags(libc::O_NONBLOCK | nofollow);
    }
    let file = match options.open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        // A link refused by O_NOFOLLOW, or a socket, which cannot be opened.
        #[cfg(unix)]
        Err(e) if matches!(e.raw_os_error(), Some(libc::ELOOP | libc::ENXIO)) => return Ok(None),
        Err(e) => return Err(e),
    };
    if !file.metadata()?.is_file() {
        return Ok(None);
    }
    Ok(Some(file))
}

/// The first bytes of a file, as remembered to notice in-place rewrites.
pub fn read_head(file: &mut File) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(HEAD_LEN);
    file.seek(SeekFrom::Start(0))?;
    file.take(HEAD_LEN as u64).read_to_end(&mut head)?;
    Ok(head)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// What a sequence of reads delivered, as owned values.
    #[derive(Debug, PartialEq, Eq)]
    enum Got {
        Reset,
        Line(u64, String),
        Oversized(u64),
    }

    fn read(t: &mut Tailer) -> Vec<Got> {
        let mut got = Vec::new();
        let mut buf = Vec::new();
        let status = t
            .read_new(&mut buf, &mut |e| {
                got.push(match e {
                    TailEvent::Reset => Got::Reset,
                    TailEvent::Line { offset, bytes } => {
                        Got::Line(offset, String::from_utf8_lossy(bytes).into_owned())
                    }
                    TailEvent::Oversized { offset } => Got::Oversized(offset),
                })
            })
            .unwrap();
        assert_eq!(status, TailStatus::Read);
        got
    }

    fn append(path: &Path, bytes: &[u8]) {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .unwrap();
        f.write_all(bytes).unwrap();
    }

    fn line(offset: u64, s: &str) -> Got {
        Got::Line(offset, s.to_owned())
    }

    #[test]
    fn reads_only_appended_complete_lines() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl");
        append(&p, b"one\ntwo\nthr");
        let mut t = Tailer::new(&p, 1024);
        assert_eq!(read(&mut t), vec![line(0, "one"), line(4, "two")]);
        assert_eq!(t.committed(), 8);
        assert_eq!(t.pending_len(), 3);
        assert_eq!(read(&mut t), vec![]);
        append(&p, b"ee\nfour\n");
        assert_eq!(read(&mut t), vec![line(8, "three"), line(14, "four")]);
        assert_eq!(t.committed(), 19);
    }

    #[test]
    fn a_line_split_inside_a_utf8_sequence_arrives_whole() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl");
        let text = "{\"t\":\"héllo ✓\"}\n".as_bytes();
        let mut t = Tailer::new(&p, 1024);
        let mut all = Vec::new();
        for byte in text {
            append(&p, std::slice::from_ref(byte));
            all.extend(read(&mut t));
        }
        assert_eq!(all, vec![line(0, "{\"t\":\"héllo ✓\"}")]);
    }

    #[test]
    fn truncation_resets_and_rereads_from_zero() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl");
        append(&p, b"aaaa\nbbbb\n");
        let mut t = Tailer::new(&p, 1024);
        assert_eq!(read(&mut t).len(), 2);
        std::fs::write(&p, b"cc\n").unwrap();
        assert_eq!(read(&mut t), vec![Got::Reset, line(0, "cc")]);
    }

    #[test]
    fn replacement_by_rename_resets_even_when_longer() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl");
        append(&p, b"aaaa\n");
        let mut t = Tailer::new(&p, 1024);
        assert_eq!(read(&mut t).len(), 1);
        let tmp = dir.path().join("new");
        std::fs::write(&tmp, b"aaaa\nbbbb\n").unwrap();
        std::fs::rename(&tmp, &p).unwrap();
        assert_eq!(
            read(&mut t),
            vec![Got::Reset, line(0, "aaaa"), line(5, "bbbb")]
        );
    }

    #[test]
    fn in_place_rewrite_with_new_first_bytes_resets() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl");
        append(&p, b"aaaa\n");
        let mut t = Tailer::new(&p, 1024);
        read(&mut t);
        let mut f = std::fs::OpenOptions::new().write(true).open(&p).unwrap();
        f.write_all(b"zzzz\nmore\n").unwrap();
        drop(f);
        assert_eq!(
            read(&mut t),
            vec![Got::Reset, line(0, "zzzz"), line(5, "more")]
        );
    }

    #[test]
    fn an_in_place_rewrite_keeping_the_head_and_the_length_resets() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl");
        let head = "h".repeat(300);
        append(&p, format!("{head}\nline 1\n").as_bytes());
        let mut t = Tailer::new(&p, 1024);
        assert_eq!(read(&mut t).len(), 2);
        // Same first 256 bytes, same length, one byte changed near the end.
        let mut f = std::fs::OpenOptions::new().write(true).open(&p).unwrap();
        f.write_all(format!("{head}\nline 2\n").as_bytes()).unwrap();
        drop(f);
        assert_eq!(
            read(&mut t),
            vec![Got::Reset, line(0, &head), line(301, "line 2")]
        );
        // Longer, with the change: the same, and the rest is new lines.
        let mut f = std::fs::OpenOptions::new().write(true).open(&p).unwrap();
        f.write_all(format!("{head}\nline 3\nmore\n").as_bytes())
            .unwrap();
        drop(f);
        let got = read(&mut t);
        assert_eq!(got[0], Got::Reset);
        assert_eq!(got[2..], [line(301, "line 3"), line(308, "more")]);
        // A resumed tailer checks the same fingerprint.
        let state = t.state();
        assert!(state.mark.is_some());
        let mut f = std::fs::OpenOptions::new().write(true).open(&p).unwrap();
        f.write_all(format!("{head}\nline 3\nMORE\n").as_bytes())
            .unwrap();
        drop(f);
        let mut resumed = Tailer::resume(&p, 1024, state.clone());
        assert_eq!(read(&mut resumed)[0], Got::Reset);
        // And a plain append after the fingerprint is no rewrite.
        std::fs::write(&p, format!("{head}\nline 3\nmore\n")).unwrap();
        append(&p, b"next\n");
        let mut resumed = Tailer::resume(&p, 1024, state);
        assert_eq!(read(&mut resumed), vec![line(313, "next")]);
    }

    /// Move a file's modification time, as a write one second later would.
    fn bump_modified(path: &Path) {
        let f = std::fs::OpenOptions::new().write(true).open(path).unwrap();
        let then = f.metadata().unwrap().modified().unwrap();
        f.set_modified(then + std::time::Duration::from_secs(1))
            .unwrap();
    }

    #[test]
    fn an_edit_in_the_middle_at_the_same_length_resets_live_and_resumed() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl");
        // Past the first bytes and far before the fingerprint's 4 KiB.
        let pad = "p".repeat(MARK_LEN as usize * 2);
        let text = |n: u8| format!("{}\nvalue {n}\n{pad}\nlast\n", "h".repeat(300));
        std::fs::write(&p, text(1)).unwrap();
        let mut t = Tailer::new(&p, 1 << 16);
        assert_eq!(read(&mut t).len(), 4);
        let state = t.state();
        let edit = |n: u8| {
            let mut f = std::fs::OpenOptions::new().write(true).open(&p).unwrap();
            f.write_all(text(n).as_bytes()).unwrap();
            drop(f);
            bump_modified(&p);
        };
        edit(2);
        let got = read(&mut t);
        assert_eq!(got[0], Got::Reset);
        assert_eq!(got[2], line(301, "value 2"));
        // From the index: the same check against what was recorded.
        let mut resumed = Tailer::resume(&p, 1 << 16, state);
        let got = read(&mut resumed);
        assert_eq!(got[0], Got::Reset);
        assert_eq!(got[2], line(301, "value 2"));
        // Nothing written since: nothing read.
        assert_eq!(read(&mut t), vec![]);
        // An append is never taken for a rewrite.
        append(&p, b"next\n");
        let at = text(2).len() as u64;
        assert_eq!(read(&mut t), vec![line(at, "next")]);
        // A touch alone is read again from the start, to the same lines.
        bump_modified(&p);
        let got = read(&mut t);
        assert_eq!(got[0], Got::Reset);
        assert_eq!(got.len(), 6);
    }

    #[test]
    fn a_rewritten_incomplete_last_line_resets() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl");
        append(&p, b"one\n{\"a\":");
        let mut t = Tailer::new(&p, 1024);
        assert_eq!(read(&mut t), vec![line(0, "one")]);
        let mut f = std::fs::OpenOptions::new().write(true).open(&p).unwrap();
        f.write_all(b"one\n{\"b\":").unwrap();
        drop(f);
        append(&p, b"1}\n");
        assert_eq!(
            read(&mut t),
            vec![Got::Reset, line(0, "one"), line(4, "{\"b\":1}")]
        );
    }

    #[test]
    fn oversized_lines_are_skipped_whether_in_one_read_or_many() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl");
        append(&p, b"ok\n0123456789abcdef\nok2\n");
        let mut t = Tailer::new(&p, 8);
        assert_eq!(
            read(&mut t),
            vec![line(0, "ok"), Got::Oversized(3), line(20, "ok2")]
        );
        // The same, arriving a few bytes at a time.
        append(&p, b"0123");
        assert_eq!(read(&mut t), vec![]);
        append(&p, b"456789");
        assert_eq!(read(&mut t), vec![Got::Oversized(24)]);
        assert_eq!(t.pending_len(), 0);
        append(&p, b"abc\nend\n");
        assert_eq!(read(&mut t), vec![line(38, "end")]);
    }

    #[test]
    fn a_resumed_tailer_continues_or_resets() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl");
        append(&p, b"one\ntw");
        let mut t = Tailer::new(&p, 1024);
        read(&mut t);
        let state = t.state();
        assert_eq!(state.committed, 4);
        append(&p, b"o\n");
        let mut resumed = Tailer::resume(&p, 1024, state.clone());
        assert_eq!(read(&mut resumed), vec![line(4, "two")]);
        // The same state against a file that was replaced meanwhile.
        std::fs::remove_file(&p).unwrap();
        append(&p, b"new\n");
        let mut stale = Tailer::resume(&p, 1024, state);
        assert_eq!(read(&mut stale), vec![Got::Reset, line(0, "new")]);
    }

    #[test]
    fn a_deleted_file_is_gone() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl");
        append(&p, b"x\n");
        let mut t = Tailer::new(&p, 1024);
        read(&mut t);
        std::fs::remove_file(&p).unwrap();
        let status = t.read_new(&mut Vec::new(), &mut |_| {}).unwrap();
        assert_eq!(status, TailStatus::Gone);
    }

    #[test]
    fn lines_longer_than_a_chunk_arrive_whole() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl");
        let long = "x".repeat(CHUNK * 2 + 17);
        append(&p, format!("{long}\nshort\n").as_bytes());
        let mut t = Tailer::new(&p, CHUNK * 4);
        let got = read(&mut t);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0], line(0, &long));
        assert_eq!(got[1], line(long.len() as u64 + 1, "short"));
    }

    const A: &str = r#"{"type":"assistant","n":1}"#;
    const B: &str = r#"{"type":"user","t":"}{"}"#;

    #[test]
    fn a_complete_object_at_the_end_is_delivered_once() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl");
        append(&p, format!("one\n{A}").as_bytes());
        let mut t = Tailer::new(&p, 1024);
        assert_eq!(read(&mut t), vec![line(0, "one"), line(4, A)]);
        assert_eq!(t.committed(), t.bytes_read());
        assert!(t.state().open);
        assert_eq!(read(&mut t), vec![]);
        // Its newline, arriving later, is no line (no blank line either);
        // a real blank line after it still is one.
        append(&p, b"\n");
        assert_eq!(read(&mut t), vec![]);
        assert!(!t.state().open);
        append(&p, b"\n");
        assert_eq!(read(&mut t), vec![line(A.len() as u64 + 5, "")]);
    }

    #[test]
    fn bytes_after_a_delivered_object_are_the_next_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl");
        append(&p, A.as_bytes());
        let mut t = Tailer::new(&p, 1024);
        assert_eq!(read(&mut t), vec![line(0, A)]);
        append(&p, format!("{B}\n").as_bytes());
        assert_eq!(read(&mut t), vec![line(A.len() as u64, B)]);
        append(&p, b"\n");
        assert_eq!(read(&mut t), vec![line((A.len() + B.len() + 1) as u64, "")]);
    }

    #[test]
    fn an_incomplete_fragment_waits_whole() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl");
        let mut t = Tailer::new(&p, 1024);
        // Cut inside a string right after a `}`, then inside the object.
        append(&p, &B.as_bytes()[..18]);
        assert_eq!(read(&mut t), vec![]);
        assert_eq!(t.pending_len(), 18);
        append(&p, &B.as_bytes()[18..B.len() - 1]);
        assert_eq!(read(&mut t), vec![]);
        append(&p, b"}");
        assert_eq!(read(&mut t), vec![line(0, B)]);
        // Two objects back to back, the second still being written.
        append(&p, format!("\n{A}{}", &B[..5]).as_bytes());
        assert_eq!(read(&mut t), vec![]);
        append(&p, &B.as_bytes()[5..]);
        let both = format!("{A}{B}");
        assert_eq!(read(&mut t), vec![line(B.len() as u64 + 1, &both)]);
    }

    #[test]
    fn a_resumed_tailer_swallows_the_newline_of_an_object_it_read() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl");
        append(&p, format!("{A}\n{B}").as_bytes());
        let mut t = Tailer::new(&p, 1024);
        assert_eq!(read(&mut t).len(), 2);
        let state = t.state();
        assert_eq!(state.committed, (A.len() + 1 + B.len()) as u64);
        assert!(state.open);
        append(&p, format!("\n{A}\n").as_bytes());
        let mut resumed = Tailer::resume(&p, 1024, state.clone());
        let at = (A.len() + B.len() + 2) as u64;
        assert_eq!(read(&mut resumed), vec![line(at, A)]);
        // The same state when the next line came without a newline first.
        std::fs::write(&p, format!("{A}\n{B}{A}\n")).unwrap();
        let mut resumed = Tailer::resume(&p, 1024, state.clone());
        assert_eq!(read(&mut resumed), vec![line(state.committed, A)]);
    }

    #[test]
    fn crlf_after_a_delivered_object_is_its_line_end() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl");
        append(&p, format!("{A}\r").as_bytes());
        let mut t = Tailer::new(&p, 1024);
        assert_eq!(read(&mut t), vec![line(0, &format!("{A}\r"))]);
        append(&p, format!("\n{B}\r\n").as_bytes());
        assert_eq!(
            read(&mut t),
            vec![line(A.len() as u64 + 2, &format!("{B}\r"))]
        );
        // An object delivered, then a CRLF arriving in two pieces.
        append(&p, A.as_bytes());
        assert_eq!(read(&mut t).len(), 1);
        append(&p, b"\r");
        assert_eq!(read(&mut t), vec![]);
        let state = t.state();
        append(&p, b"\n");
        assert_eq!(read(&mut t), vec![]);
        let mut resumed = Tailer::resume(&p, 1024, state);
        assert_eq!(read(&mut resumed), vec![]);
        assert_eq!(resumed.committed(), t.committed());
    }

    #[test]
    fn offsets_are_the_same_whether_read_before_or_after_the_newline() {
        let dir = tempfile::tempdir().unwrap();
        let (early, late) = (dir.path().join("e.jsonl"), dir.path().join("l.jsonl"));
        let all = format!("{A}\n{B}{A}\n{B}\n");
        append(&late, all.as_bytes());
        let mut t = Tailer::new(&early, 1024);
        let mut got = Vec::new();
        for piece in [&all[..A.len() + 1 + B.len()], &all[A.len() + 1 + B.len()..]] {
            append(&early, piece.as_bytes());
            got.extend(read(&mut t));
        }
        // Where each object starts, as the parser counts it.
        let starts = |g: &[Got]| -> Vec<u64> {
            let mut out = Vec::new();
            for e in g {
                let Got::Line(o, text) = e else { continue };
                let mut objects =
                    serde_json::Deserializer::from_str(text).into_iter::<serde_json::Value>();
                let mut at = 0;
                while let Some(Ok(_)) = objects.next() {
                    out.push(o + at);
                    at = objects.byte_offset() as u64;
                }
            }
            out
        };
        let b_at = (A.len() + 1) as u64;
        let want = vec![
            0,
            b_at,
            b_at + B.len() as u64,
            b_at + (A.len() + B.len() + 1) as u64,
        ];
        assert_eq!(starts(&got), want);
        assert_eq!(starts(&read(&mut Tailer::new(&late, 1024))), want);
    }

    #[test]
    fn a_fifo_is_not_opened_and_reads_as_gone() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.jsonl");
        let status = std::process::Command::new("mkfifo")
            .arg(&p)
            .status()
            .unwrap();
        assert!(status.success());
        let mut t = Tailer::new(&p, 1024);
        let status = t.read_new(&mut Vec::new(), &mut |_| {}).unwrap();
        assert_eq!(status, TailStatus::Gone);
        let target = dir.path().join("real.jsonl");
        append(&target, b"x\n");
        let link = dir.path().join("link.jsonl");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(open_transcript(&link, false).unwrap().is_none());
        assert!(open_transcript(&link, true).unwrap().is_some());
    }
}
