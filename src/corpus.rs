//! Deterministic generator of realistic Claude Code data directories, for
//! benchmarks and large tests that must not depend on checked-in data.
//!
//! [`generate`] writes `dir/projects/<encoded-cwd>/...` transcripts shaped like
//! the real ones (see `claude-code-logs.md`): streamed copies of one response,
//! subagents in both file layouts, sidechain lines inside main files,
//! compaction boundaries, resumed sessions that copy history verbatim,
//! `<synthetic>` API-error lines, malformed lines and multi-megabyte tool
//! results. It returns the [`Expected`] answers computed *by construction*:
//! every usage line it writes is offered to an in-memory dedup table that
//! applies the spec's rule (largest four-token sum wins per
//! `message.id`+`requestId`; ties: main chain, earlier timestamp, smaller
//! path), so nothing is parsed back.
//!
//! The same [`CorpusSpec`] always yields byte-identical files. Sizes below
//! about 1 MiB overshoot `target_bytes`, because session 0 always carries one
//! instance of every feature.

use memchr::memmem;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CorpusSpec {
    /// Total bytes of `.jsonl` to write; reached within a few percent.
    pub target_bytes: u64,
    /// Number of main session files (resumed sessions included).
    pub sessions: usize,
    /// PRNG seed: the same spec gives the same bytes.
    pub seed: u64,
    /// Number of distinct project directories (at least 1 is used).
    pub projects: usize,
    /// Blank lines, truncated JSON, invalid UTF-8 and a spaced-out (valid) line.
    pub bad_lines: bool,
    /// Occasional tool results of 100 KB – 2 MB.
    pub big_tool_results: bool,
}

impl Default for CorpusSpec {
    fn default() -> Self {
        CorpusSpec {
            target_bytes: 8 << 20,
            sessions: 20,
            seed: 1,
            projects: 4,
            bad_lines: true,
            big_tool_results: true,
        }
    }
}

/// The four token counts of a usage record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Tokens4 {
    pub input: u64,
    pub output: u64,
    pub cache_creation: u64,
    pub cache_read: u64,
}

impl Tokens4 {
    /// Sum of the four counts: the dedup rule keeps the copy where it is largest.
    pub fn sum(&self) -> u64 {
        self.input + self.output + self.cache_creation + self.cache_read
    }

    /// Context occupancy: input + cache_creation + cache_read.
    pub fn prompt(&self) -> u64 {
        self.input + self.cache_creation + self.cache_read
    }

    fn add(&mut self, o: &Tokens4) {
        self.input += o.input;
        self.output += o.output;
        self.cache_creation += o.cache_creation;
        self.cache_read += o.cache_read;
    }
}

/// Expected per-session answers.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ExpectedSession {
    /// The `cwd` of the session's lines.
    pub project: String,
    /// Main chain and sidechain/subagent records together.
    pub tokens: Tokens4,
    /// Distinct deduplicated usage records of the session.
    pub records: u64,
    /// Distinct compaction boundaries (by `uuid`).
    pub compactions: u64,
    /// input+cache_creation+cache_read of the newest main-chain record.
    pub context_occupancy: Option<u64>,
    /// Timestamp of that record's winning copy.
    pub context_timestamp: Option<String>,
}

/// The answers a correct reader must produce for a generated corpus.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Expected {
    pub totals: Tokens4,
    /// Distinct deduplicated usage records (`<synthetic>` excluded).
    pub records: u64,
    pub sessions: BTreeMap<String, ExpectedSession>,
    /// Keyed by the UTC date (`YYYY-MM-DD`) of each record's winning copy.
    pub daily_utc: BTreeMap<String, Tokens4>,
    /// `.jsonl` files written (the generator writes no other files).
    pub files: u64,
    /// Bytes of all `.jsonl` files.
    pub bytes: u64,
    /// Distinct compaction boundaries over all sessions.
    pub compactions: u64,
}

/// Write a corpus under `dir` (which becomes a data root with `projects/`)
/// and return its expected answers.
pub fn generate(dir: &Path, spec: &CorpusSpec) -> io::Result<Expected> {
    let projects_dir = dir.join("projects");
    fs::create_dir_all(&projects_dir)?;
    let mut g = Gen::new(projects_dir, spec);
    g.run()?;
    Ok(g.finish())
}

// ---------------------------------------------------------------------------
// Constants shaping the data.

/// 2026-10-01T07:30:00Z.
const BASE_MS: i64 = 1_790_839_800_000;
const DAY_MS: i64 = 86_400_000;
const MIN_MS: i64 = 60_000;
const HOUR_MS: i64 = 3_600_000;
/// How long sessions' start times are spread over.
const SPAN_MS: i64 = 9 * DAY_MS;

const SONNET: &str = "claude-sonnet-4-5-20250929";
const HAIKU: &str = "claude-haiku-4-5-20251001";
const OPUS: &str = "claude-opus-4-1-20250805";

/// Claude Code versions; the subagent layout follows the version.
const VERSIONS: [&str; 3] = ["1.0.98", "2.0.14", "2.1.12"];
const BRANCHES: [&str; 5] = ["main", "dev", "fix-123", "feature/login", "refactor/parser"];
const TOOLS: [&str; 7] = ["Read", "Edit", "Write", "Bash", "Grep", "Glob", "TodoWrite"];
const TITLES: [&str; 8] = [
    "Fix flaky integration test",
    "Refactor config loading",
    "Add pagination to the API",
    "Investigate memory growth",
    "Implement login flow",
    "Update dependencies and fix build",
    "Write migration for user table",
    "Speed up the parser",
];

/// Filler text is cut from this many bytes of pre-generated, JSON-safe text.
const POOL_LEN: usize = 1 << 20;
const BIG_MIN: u64 = 100_000;
const BIG_MAX: u64 = 2_000_000;
/// Claude Code truncates long tool output before it reaches the model.
const MAX_RESULT_TOKENS: u64 = 25_000;
/// Tokens a compaction summary line's text is worth, roughly.
const BYTES_PER_TOKEN: u64 = 4;

// ---------------------------------------------------------------------------
// Bookkeeping by construction.

/// One copy of a usage record, as the spec's dedup rule sees it.
#[derive(Debug, Clone, Copy)]
struct Copy {
    tokens: Tokens4,
    /// Not sidechain and not in a subagent file.
    main: bool,
    ts: i64,
    session: usize,
}

#[derive(Debug, Clone, Copy)]
struct Winner {
    c: Copy,
    file: u32,
    seq: u64,
}

/// What a written line means for the expected answers.
#[derive(Debug, Clone)]
enum Meta {
    /// Counts for nothing (user lines, summaries, snapshots, synthetic errors).
    Plain,
    /// Malformed on purpose: a reader skips it; never copied into resumed files.
    Bad,
    /// A copy of a usage record.
    Usage { key: String, copy: Copy },
    /// A compaction boundary of `session`.
    Boundary { uuid: String, session: usize },
}

#[derive(Debug, Clone)]
struct Captured {
    bytes: Vec<u8>,
    meta: Meta,
}

/// The verbatim prefix of a session's main file, kept for a later resume.
struct Capture {
    lines: Vec<Captured>,
    bytes: usize,
    cap: usize,
    open: bool,
}

struct Out {
    w: BufWriter<File>,
    file: u32,
    capture: Option<Capture>,
}

/// Session-wide fields written into every line's header.
struct Ident {
    idx: usize,
    cwd: String,
    enc: String,
    session_id: String,
    version: &'static str,
    branch: &'static str,
}

/// One conversation chain: the main chain, a subagent, or a sidechain block.
struct Thread {
    parent: Option<String>,
    sidechain: bool,
    agent: Option<String>,
    /// Prompt tokens the next request will carry.
    occ: u64,
    /// Prefix of `occ` already in the prompt cache.
    cached: u64,
    model: &'static str,
    t: i64,
    one_hour: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// `isSidechain: true` lines inside the main file (1.0.x).
    InMain,
    /// `projects/<enc>/agent-<id>.jsonl` (2.0.x).
    Flat,
    /// `projects/<enc>/<sessionId>/subagents/agent-<id>.jsonl` (2.1.x).
    Nested,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Corrupt {
    None,
    /// The first (partial) streamed copy is cut before its usage.
    Truncate,
    /// The first (partial) streamed copy gets invalid UTF-8 bytes.
    Invalid,
}

#[derive(Debug, Clone, Copy)]
enum Block {
    Text(usize),
    Thinking(usize),
    Tool(&'static str, usize),
    Task(usize),
}

impl Block {
    fn out_tokens(&self) -> u64 {
        let n = match *self {
            Block::Text(n) | Block::Thinking(n) | Block::Task(n) => n,
            Block::Tool(_, n) => n + 60,
        };
        n as u64 / BYTES_PER_TOKEN
    }
}

struct Sess {
    ident: Ident,
    main: Thread,
    sys_tokens: u64,
    threshold: u64,
    /// `total_bytes` at which this session has used its budget.
    limit: u64,
    layout: Layout,
    showcase: bool,
}

struct Gen<'a> {
    spec: &'a CorpusSpec,
    rng: fastrand::Rng,
    pool: Vec<u8>,
    projects_dir: PathBuf,
    buf: Vec<u8>,
    total_bytes: u64,
    seq: u64,
    /// Paths relative to the data root, indexed by `Out::file`.
    paths: Vec<String>,
    winners: HashMap<String, Winner>,
    /// Boundary uuid → session index.
    boundaries: HashMap<String, usize>,
    /// (sessionId, cwd) by session index.
    sessions: Vec<(String, String)>,
}

fn better(a: &Winner, b: &Winner, paths: &[String]) -> bool {
    let (sa, sb) = (a.c.tokens.sum(), b.c.tokens.sum());
    if sa != sb {
        return sa > sb;
    }
    if a.c.main != b.c.main {
        return a.c.main;
    }
    if a.c.ts != b.c.ts {
        return a.c.ts < b.c.ts;
    }
    let (pa, pb) = (&paths[a.file as usize], &paths[b.file as usize]);
    if pa != pb {
        return pa < pb;
    }
    a.seq < b.seq
}

impl<'a> Gen<'a> {
    fn new(projects_dir: PathBuf, spec: &'a CorpusSpec) -> Self {
        let mut rng = fastrand::Rng::with_seed(spec.seed);
        let pool = make_pool(&mut rng);
        Gen {
            spec,
            rng,
            pool,
            projects_dir,
            buf: Vec::with_capacity(1 << 16),
            total_bytes: 0,
            seq: 0,
            paths: Vec::new(),
            winners: HashMap::new(),
            boundaries: HashMap::new(),
            sessions: Vec::new(),
        }
    }

    // ----- plan ------------------------------------------------------------

    fn run(&mut self) -> io::Result<()> {
        let n = self.spec.sessions;
        let np = self.spec.projects.max(1);
        let cwds: Vec<String> = (0..np).map(project_cwd).collect();
        let mut proj: Vec<usize> = (0..n).map(|i| i % np).collect();
        let same_before = |proj: &[usize], i: usize| (0..i).rev().find(|&j| proj[j] == proj[i]);
        let mut src: Vec<Option<usize>> = vec![None; n];
        for (i, slot) in src.iter_mut().enumerate().skip(1) {
            if let Some(j) = same_before(&proj, i)
                && self.rng.u32(0..5) == 0
            {
                *slot = Some(j);
            }
        }
        if n >= 2 && src.iter().all(Option::is_none) {
            let last = n - 1;
            if same_before(&proj, last).is_none() {
                proj[last] = proj[0];
            }
            src[last] = same_before(&proj, last);
        }
        let mut is_source = vec![false; n];
        for j in src.iter().flatten() {
            is_source[*j] = true;
        }
        let mut ends = vec![BASE_MS; n];
        let mut captured: Vec<Option<Vec<Captured>>> = (0..n).map(|_| None).collect();
        for i in 0..n {
            let mut start = BASE_MS + SPAN_MS * i as i64 / n as i64 + self.rng.i64(0..3 * HOUR_MS);
            let copy_from = match src[i] {
                Some(j) => {
                    start = start.max(ends[j] + self.rng.i64(10 * MIN_MS..18 * HOUR_MS));
                    captured[j].take()
                }
                None => None,
            };
            let (end, cap) =
                self.session(i, &cwds[proj[i]], start, copy_from.as_deref(), is_source[i])?;
            ends[i] = end;
            captured[i] = cap;
        }
        Ok(())
    }

    fn finish(self) -> Expected {
        let mut e = Expected {
            files: self.paths.len() as u64,
            bytes: self.total_bytes,
            compactions: self.boundaries.len() as u64,
            ..Expected::default()
        };
        // Newest main-chain record per session: (ts, seq, occupancy).
        let mut newest: HashMap<usize, (i64, u64, u64)> = HashMap::new();
        for w in self.winners.values() {
            let c = &w.c;
            e.totals.add(&c.tokens);
            e.records += 1;
            let s = self.session_entry(&mut e, c.session);
            s.tokens.add(&c.tokens);
            s.records += 1;
            let day = String::from_utf8_lossy(&ts_bytes(c.ts)[..10]).into_owned();
            e.daily_utc.entry(day).or_default().add(&c.tokens);
            if c.main {
                let cand = (c.ts, w.seq, c.tokens.prompt());
                let slot = newest.entry(c.session).or_insert(cand);
                if (cand.0, cand.1) > (slot.0, slot.1) {
                    *slot = cand;
                }
            }
        }
        for &s in self.boundaries.values() {
            self.session_entry(&mut e, s).compactions += 1;
        }
        for (s, (ts, _, occ)) in newest {
            let es = self.session_entry(&mut e, s);
            es.context_occupancy = Some(occ);
            es.context_timestamp = Some(String::from_utf8_lossy(&ts_bytes(ts)).into_owned());
        }
        e
    }

    fn session_entry<'e>(&self, e: &'e mut Expected, s: usize) -> &'e mut ExpectedSession {
        let (id, cwd) = &self.sessions[s];
        e.sessions
            .entry(id.clone())
            .or_insert_with(|| ExpectedSession {
                project: cwd.clone(),
                ..ExpectedSession::default()
            })
    }

    // ----- output ----------------------------------------------------------

    fn open(&mut self, rel: &str) -> io::Result<Out> {
        let path = self.projects_dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        let w = BufWriter::with_capacity(1 << 18, File::create(&path)?);
        self.paths.push(format!("projects/{rel}"));
        Ok(Out {
            w,
            file: (self.paths.len() - 1) as u32,
            capture: None,
        })
    }

    fn close(out: Out) -> io::Result<Option<Capture>> {
        let Out { w, capture, .. } = out;
        let mut f = w.into_inner().map_err(|e| e.into_error())?;
        f.flush()?;
        Ok(capture)
    }

    fn emit(&mut self, out: &mut Out, line: &[u8], meta: Meta) -> io::Result<()> {
        out.w.write_all(line)?;
        out.w.write_all(b"\n")?;
        self.total_bytes += line.len() as u64 + 1;
        self.seq += 1;
        match &meta {
            Meta::Usage { key, copy } => {
                let w = Winner {
                    c: *copy,
                    file: out.file,
                    seq: self.seq,
                };
                match self.winners.get_mut(key.as_str()) {
                    Some(old) => {
                        if better(&w, old, &self.paths) {
                            *old = w;
                        }
                    }
                    None => {
                        self.winners.insert(key.clone(), w);
                    }
                }
            }
            Meta::Boundary { uuid, session } => {
                self.boundaries.entry(uuid.clone()).or_insert(*session);
            }
            Meta::Plain | Meta::Bad => {}
        }
        if let Some(c) = &mut out.capture
            && c.open
            && !matches!(meta, Meta::Bad)
        {
            if c.bytes + line.len() <= c.cap {
                c.bytes += line.len();
                c.lines.push(Captured {
                    bytes: line.to_vec(),
                    meta,
                });
            } else {
                c.open = false;
            }
        }
        Ok(())
    }

    /// Emit the line built in `self.buf`.
    fn emit_buf(&mut self, out: &mut Out, meta: Meta) -> io::Result<()> {
        let b = std::mem::take(&mut self.buf);
        let r = self.emit(out, &b, meta);
        self.buf = b;
        r
    }

    // ----- random helpers ----------------------------------------------------

    fn uuid(&mut self) -> String {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut s = String::with_capacity(36);
        for i in 0..32 {
            if matches!(i, 8 | 12 | 16 | 20) {
                s.push('-');
            }
            let c = match i {
                12 => b'4',
                16 => HEX[8 + self.rng.usize(0..4)],
                _ => HEX[self.rng.usize(0..16)],
            };
            s.push(c as char);
        }
        s
    }

    fn hex(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b"0123456789abcdef"[self.rng.usize(0..16)]))
            .collect()
    }

    fn alnum(&mut self, n: usize) -> String {
        (0..n).map(|_| self.rng.alphanumeric()).collect()
    }

    fn pick_model(&mut self) -> &'static str {
        match self.rng.u32(0..10) {
            0..=5 => SONNET,
            6 | 7 => OPUS,
            _ => HAIKU,
        }
    }

    /// Append about `n` bytes of JSON-string-safe filler text to `self.buf`.
    fn text(&mut self, n: usize) {
        let mut left = n;
        while left > 0 {
            let take = left.min(POOL_LEN / 2);
            let mut s = self.rng.usize(0..POOL_LEN - take);
            let mut e = s + take;
            while !safe_cut(&self.pool, s) {
                s += 1;
            }
            while !safe_cut(&self.pool, e) {
                e += 1;
            }
            self.buf.extend_from_slice(&self.pool[s..e]);
            left -= take;
        }
    }

    fn push(&mut self, s: &str) {
        self.buf.extend_from_slice(s.as_bytes());
    }

    fn num(&mut self, v: u64) {
        push_num(&mut self.buf, v);
    }

    fn ts(&mut self, ms: i64) {
        self.buf.extend_from_slice(&ts_bytes(ms));
    }

    /// `{"parentUuid":…,"isSidechain":…,…,"gitBranch":"…",["agentId":"…",]`
    fn head(&mut self, id: &Ident, th: &Thread) {
        self.buf.clear();
        self.push("{\"parentUuid\":");
        match &th.parent {
            Some(p) => {
                self.push("\"");
                self.push(p);
                self.push("\"");
            }
            None => self.push("null"),
        }
        self.head_rest(id, th);
    }

    fn head_rest(&mut self, id: &Ident, th: &Thread) {
        self.push(if th.sidechain {
            ",\"isSidechain\":true"
        } else {
            ",\"isSidechain\":false"
        });
        self.push(",\"userType\":\"external\",\"cwd\":\"");
        self.push(&id.cwd);
        self.push("\",\"sessionId\":\"");
        self.push(&id.session_id);
        self.push("\",\"version\":\"");
        self.push(id.version);
        self.push("\",\"gitBranch\":\"");
        self.push(id.branch);
        self.push("\",");
        if let Some(a) = &th.agent {
            self.push("\"agentId\":\"");
            self.push(a);
            self.push("\",");
        }
    }

    /// `,"uuid":"…","timestamp":"…"` (the caller closes the object).
    fn tail(&mut self, uuid: &str, ts: i64) {
        self.push(",\"uuid\":\"");
        self.push(uuid);
        self.push("\",\"timestamp\":\"");
        self.ts(ts);
        self.push("\"");
    }

    fn over(&self, s: &Sess) -> bool {
        self.total_bytes >= s.limit
    }

    // ----- a session ---------------------------------------------------------

    fn session(
        &mut self,
        idx: usize,
        cwd: &str,
        start: i64,
        copy_from: Option<&[Captured]>,
        capture: bool,
    ) -> io::Result<(i64, Option<Vec<Captured>>)> {
        let session_id = self.uuid();
        self.sessions.push((session_id.clone(), cwd.to_string()));
        let version = if idx == 0 {
            VERSIONS[2]
        } else {
            VERSIONS[self.rng.usize(0..VERSIONS.len())]
        };
        let layout = match version {
            "1.0.98" => Layout::InMain,
            "2.0.14" => Layout::Flat,
            _ => Layout::Nested,
        };
        let ident = Ident {
            idx,
            cwd: cwd.to_string(),
            enc: encode_cwd(cwd),
            session_id,
            version,
            branch: BRANCHES[self.rng.usize(0..BRANCHES.len())],
        };
        let remaining = self.spec.target_bytes.saturating_sub(self.total_bytes);
        let budget = remaining / (self.spec.sessions - idx) as u64;
        let sys_tokens = self.rng.u64(11_000..19_000);
        let model = self.pick_model();
        let one_hour = self.rng.u32(0..5) == 0;
        let threshold = self.rng.u64(150_000..185_000);
        let mut out = self.open(&format!("{}/{}.jsonl", ident.enc, ident.session_id))?;
        if capture {
            out.capture = Some(Capture {
                lines: Vec::new(),
                bytes: 0,
                cap: (budget / 4).clamp(8 << 10, 512 << 10) as usize,
                open: true,
            });
        }
        let mut s = Sess {
            main: Thread {
                parent: None,
                sidechain: false,
                agent: None,
                occ: sys_tokens,
                cached: if self.rng.bool() {
                    0
                } else {
                    sys_tokens - 2_000
                },
                model,
                t: start,
                one_hour,
            },
            ident,
            sys_tokens,
            threshold,
            limit: self.total_bytes + budget,
            layout,
            showcase: idx == 0,
        };

        // Summary line, as Claude Code writes at the top of a file.
        self.buf.clear();
        self.push("{\"type\":\"summary\",\"summary\":\"");
        let title = TITLES[self.rng.usize(0..TITLES.len())];
        self.push(title);
        self.push("\",\"leafUuid\":\"");
        let leaf = self.uuid();
        self.push(&leaf);
        self.push("\"}");
        self.emit_buf(&mut out, Meta::Plain)?;

        if let Some(lines) = copy_from {
            self.resume(&mut s, &mut out, lines)?;
        }

        let min_turns = if s.showcase { 5 } else { 1 };
        let mut turn = 0;
        while turn < min_turns || !self.over(&s) {
            self.turn(&mut s, &mut out, turn)?;
            turn += 1;
        }
        let cap = Self::close(out)?;
        Ok((s.main.t, cap.map(|c| c.lines)))
    }

    /// Copy an earlier session's history verbatim (lines keep their sessionId).
    fn resume(&mut self, s: &mut Sess, out: &mut Out, lines: &[Captured]) -> io::Result<()> {
        for c in lines {
            if let Meta::Usage { copy, .. } = &c.meta
                && copy.main
            {
                s.main.occ = copy.tokens.prompt() + copy.tokens.output;
            }
            if let Some(p) = memmem::rfind(&c.bytes, b"\"uuid\":\"") {
                let u = &c.bytes[p + 8..];
                if let Some(end) = memchr::memchr(b'"', u) {
                    s.main.parent = Some(String::from_utf8_lossy(&u[..end]).into_owned());
                }
            }
            self.emit(out, &c.bytes, c.meta.clone())?;
        }
        s.main.cached = 0;
        Ok(())
    }

    fn turn(&mut self, s: &mut Sess, out: &mut Out, turn: usize) -> io::Result<()> {
        let show = s.showcase && turn < 5;
        let bad = self.spec.bad_lines;
        if turn > 0 {
            let gap = if self.rng.u32(0..100) < 6 {
                self.rng.i64(HOUR_MS..14 * HOUR_MS)
            } else {
                self.rng.i64(15_000..25 * MIN_MS)
            };
            s.main.t += gap;
            if gap > 5 * MIN_MS {
                s.main.cached = s.main.cached.min(s.sys_tokens);
            }
        }
        if self.rng.u32(0..100) == 0 {
            s.main.model = self.pick_model();
        }
        if self.rng.bool() {
            self.snapshot(s, out)?;
        }
        if s.showcase && turn == 4 {
            self.compact(s, out, "manual")?;
        }
        self.user_prompt(s, out)?;
        if (show && turn == 0) || self.rng.u32(0..100) == 0 {
            self.synthetic(s, out)?;
        }
        let cycles = if show { 3 } else { self.rng.usize(0..7) };
        for c in 0..cycles {
            if !show && self.over(s) {
                break;
            }
            let corrupt = if !bad {
                Corrupt::None
            } else if show && turn == 1 && c == 0 {
                Corrupt::Truncate
            } else if show && turn == 2 && c == 0 {
                Corrupt::Invalid
            } else {
                match self.rng.u32(0..800) {
                    0 => Corrupt::Truncate,
                    1 => Corrupt::Invalid,
                    _ => Corrupt::None,
                }
            };
            let sub = match (show, turn, c) {
                (true, 1, 1) => Some(Layout::Nested),
                (true, 2, 1) => Some(Layout::Flat),
                (true, 3, 0) => Some(Layout::InMain),
                _ if self.rng.u32(0..30) == 0 => Some(s.layout),
                _ => None,
            };
            let big = self.spec.big_tool_results
                && ((show && turn == 2 && c == 2) || self.rng.u32(0..250) == 0);
            self.maybe_compact(s, out)?;
            match sub {
                Some(layout) => self.task(s, out, layout, corrupt)?,
                None => self.tool_cycle(s, out, corrupt, big)?,
            }
        }
        self.maybe_compact(s, out)?;
        let spaced = bad && ((show && turn == 0) || self.rng.u32(0..500) == 0);
        let blocks = if spaced {
            vec![Block::Text(self.rng.usize(200..1500))]
        } else if self.rng.u32(0..4) == 0 {
            vec![
                Block::Thinking(self.rng.usize(200..2500)),
                Block::Text(self.rng.usize(100..3000)),
            ]
        } else {
            vec![Block::Text(self.rng.usize(50..3000))]
        };
        self.respond(&s.ident, &mut s.main, out, &blocks, Corrupt::None, spaced)?;
        if bad && ((show && turn == 0) || self.rng.u32(0..200) == 0) {
            self.buf.clear();
            self.emit_buf(out, Meta::Bad)?;
        }
        if bad && ((show && turn == 0) || self.rng.u32(0..1000) == 0) {
            // A user line with raw bytes that are not UTF-8.
            self.buf.clear();
            self.push("{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":\"");
            self.buf.push(0xff);
            let n = self.rng.usize(30..120);
            for _ in 0..n {
                let b = self.rng.u8(0x80..=0xff);
                self.buf.push(b);
            }
            self.push("\"}}");
            self.emit_buf(out, Meta::Bad)?;
        }
        Ok(())
    }

    fn snapshot(&mut self, s: &Sess, out: &mut Out) -> io::Result<()> {
        let id = self.uuid();
        self.buf.clear();
        self.push("{\"type\":\"file-history-snapshot\",\"messageId\":\"");
        self.push(&id);
        self.push("\",\"snapshot\":{\"trackedFileBackups\":{},\"timestamp\":\"");
        self.ts(s.main.t);
        self.push("\"},\"isSnapshotUpdate\":false}");
        self.emit_buf(out, Meta::Plain)
    }

    fn user_prompt(&mut self, s: &mut Sess, out: &mut Out) -> io::Result<()> {
        let n = self.rng.usize(20..1200);
        let uuid = self.uuid();
        self.head(&s.ident, &s.main);
        self.push("\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":\"");
        self.text(n);
        self.push("\"}");
        self.tail(&uuid, s.main.t);
        self.push("}");
        self.emit_buf(out, Meta::Plain)?;
        s.main.parent = Some(uuid);
        s.main.occ += n as u64 / BYTES_PER_TOKEN + 10;
        Ok(())
    }

    /// An API-error line: `<synthetic>` model, zero usage, ignored by accounting.
    fn synthetic(&mut self, s: &mut Sess, out: &mut Out) -> io::Result<()> {
        s.main.t += self.rng.i64(1_000..30_000);
        let uuid = self.uuid();
        let mid = self.uuid();
        self.head(&s.ident, &s.main);
        self.push("\"type\":\"assistant\"");
        self.tail(&uuid, s.main.t);
        self.push(",\"message\":{\"id\":\"");
        self.push(&mid);
        self.push(concat!(
            r#"","container":null,"model":"<synthetic>","role":"assistant","#,
            r#""stop_reason":"stop_sequence","stop_sequence":"","type":"message","#,
            r#""usage":{"input_tokens":0,"output_tokens":0,"cache_creation_input_tokens":0,"#,
            r#""cache_read_input_tokens":0,"server_tool_use":{"web_search_requests":0},"#,
            r#""service_tier":null,"cache_creation":{"ephemeral_1h_input_tokens":0,"#,
            r#""ephemeral_5m_input_tokens":0}},"content":[{"type":"text","text":"#,
            r#""API Error: 529 {\"type\":\"error\",\"error\":{\"type\":"#,
            r#"\"overloaded_error\",\"message\":\"Overloaded\"}}"}]},"#,
            r#""isApiErrorMessage":true}"#
        ));
        self.emit_buf(out, Meta::Plain)?;
        s.main.parent = Some(uuid);
        Ok(())
    }

    fn maybe_compact(&mut self, s: &mut Sess, out: &mut Out) -> io::Result<()> {
        if s.main.occ > s.threshold {
            self.compact(s, out, "auto")?;
        }
        Ok(())
    }

    fn compact(&mut self, s: &mut Sess, out: &mut Out, trigger: &str) -> io::Result<()> {
        s.main.t += self.rng.i64(20_000..90_000);
        let uuid = self.uuid();
        self.buf.clear();
        self.push("{\"parentUuid\":null,\"logicalParentUuid\":");
        match s.main.parent.clone() {
            Some(p) => {
                self.push("\"");
                self.push(&p);
                self.push("\"");
            }
            None => self.push("null"),
        }
        self.head_rest(&s.ident, &s.main);
        self.push(concat!(
            r#""type":"system","subtype":"compact_boundary","content":"Conversation compacted","#,
            r#""isMeta":false,"timestamp":""#
        ));
        self.ts(s.main.t);
        self.push("\",\"uuid\":\"");
        self.push(&uuid);
        self.push("\",\"level\":\"info\",\"compactMetadata\":{\"trigger\":\"");
        self.push(trigger);
        self.push("\",\"preTokens\":");
        self.num(s.main.occ);
        self.push("}}");
        let meta = Meta::Boundary {
            uuid: uuid.clone(),
            session: s.ident.idx,
        };
        self.emit_buf(out, meta)?;
        s.main.parent = Some(uuid);

        // The summary the next cycle starts from.
        let n = self.rng.usize(2_000..9_000);
        let uuid = self.uuid();
        s.main.t += 1;
        self.head(&s.ident, &s.main);
        self.push(concat!(
            r#""type":"user","message":{"role":"user","content":"This session is being continued "#,
            r#"from a previous conversation that ran out of context. The conversation is "#,
            r#"summarized below:\n"#
        ));
        self.text(n);
        self.push("\"},\"isVisibleInTranscriptOnly\":true,\"isCompactSummary\":true");
        self.tail(&uuid, s.main.t);
        self.push("}");
        self.emit_buf(out, Meta::Plain)?;
        s.main.parent = Some(uuid);
        s.main.occ = s.sys_tokens + n as u64 / BYTES_PER_TOKEN;
        s.main.cached = s.main.cached.min(s.sys_tokens);
        Ok(())
    }

    fn tool_cycle(
        &mut self,
        s: &mut Sess,
        out: &mut Out,
        corrupt: Corrupt,
        big: bool,
    ) -> io::Result<()> {
        let name = TOOLS[self.rng.usize(0..TOOLS.len())];
        let tool = Block::Tool(name, self.tool_input_len(name));
        let blocks = if corrupt != Corrupt::None {
            vec![Block::Text(self.rng.usize(300..1500)), tool]
        } else {
            match self.rng.u32(0..20) {
                0..=3 => vec![
                    Block::Thinking(self.rng.usize(200..2500)),
                    Block::Text(self.rng.usize(50..1500)),
                    tool,
                ],
                4..=12 => vec![Block::Text(self.rng.usize(50..1500)), tool],
                _ => vec![tool],
            }
        };
        let tool_id = self.respond(&s.ident, &mut s.main, out, &blocks, corrupt, false)?;
        let remaining = s.limit.saturating_sub(self.total_bytes);
        let size = if big && remaining >= BIG_MIN {
            self.rng.u64(BIG_MIN..=BIG_MAX).min(remaining) as usize
        } else {
            self.result_len()
        };
        let tool_id = tool_id.unwrap_or_default();
        self.tool_result(
            &s.ident,
            &mut s.main,
            out,
            &tool_id,
            size,
            name == "Bash" && size < 50_000,
            None,
        )
    }

    fn tool_input_len(&mut self, name: &str) -> usize {
        match name {
            "Edit" | "Write" => self.rng.usize(100..4000),
            "TodoWrite" => self.rng.usize(100..800),
            _ => self.rng.usize(10..120),
        }
    }

    fn result_len(&mut self) -> usize {
        match self.rng.u32(0..100) {
            0..=69 => self.rng.usize(100..4_000),
            70..=94 => self.rng.usize(4_000..30_000),
            _ => self.rng.usize(30_000..90_000),
        }
    }

    /// A subagent run (Task tool) in the given layout.
    fn task(
        &mut self,
        s: &mut Sess,
        out: &mut Out,
        layout: Layout,
        corrupt: Corrupt,
    ) -> io::Result<()> {
        let prompt_len = self.rng.usize(200..1500);
        let blocks = vec![
            Block::Text(self.rng.usize(100..800)),
            Block::Task(prompt_len),
        ];
        let tool_id = self
            .respond(&s.ident, &mut s.main, out, &blocks, corrupt, false)?
            .unwrap_or_default();
        let agent_id = self.hex(8);
        let model = if self.rng.bool() { HAIKU } else { s.main.model };
        let mut th = Thread {
            parent: None,
            sidechain: true,
            agent: Some(agent_id.clone()),
            occ: self.rng.u64(6_000..14_000) + prompt_len as u64 / BYTES_PER_TOKEN,
            cached: 0,
            model,
            t: s.main.t + self.rng.i64(200..2_000),
            one_hour: false,
        };
        let steps = self.rng.usize(1..8);
        match layout {
            Layout::InMain => self.agent_run(s, &mut th, out, prompt_len, steps)?,
            Layout::Flat | Layout::Nested => {
                let rel = if layout == Layout::Flat {
                    format!("{}/agent-{agent_id}.jsonl", s.ident.enc)
                } else {
                    format!(
                        "{}/{}/subagents/agent-{agent_id}.jsonl",
                        s.ident.enc, s.ident.session_id
                    )
                };
                let mut aout = self.open(&rel)?;
                self.agent_run(s, &mut th, &mut aout, prompt_len, steps)?;
                Self::close(aout)?;
            }
        }
        let started = s.main.t;
        s.main.t = th.t;
        let size = self.rng.usize(300..3000);
        let extra = format!(
            "{{\"status\":\"completed\",\"agentId\":\"{agent_id}\",\"totalDurationMs\":{},\"totalToolUseCount\":{steps}}}",
            th.t - started
        );
        self.tool_result(
            &s.ident,
            &mut s.main,
            out,
            &tool_id,
            size,
            false,
            Some(&extra),
        )
    }

    fn agent_run(
        &mut self,
        s: &Sess,
        th: &mut Thread,
        out: &mut Out,
        prompt_len: usize,
        steps: usize,
    ) -> io::Result<()> {
        let uuid = self.uuid();
        self.head(&s.ident, th);
        self.push("\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":\"");
        self.text(prompt_len);
        self.push("\"}");
        self.tail(&uuid, th.t);
        self.push("}");
        self.emit_buf(out, Meta::Plain)?;
        th.parent = Some(uuid);
        for step in 0..steps {
            if step > 0 && self.over(s) {
                break;
            }
            let name = TOOLS[self.rng.usize(0..TOOLS.len())];
            let tool = Block::Tool(name, self.tool_input_len(name));
            let blocks = if self.rng.bool() {
                vec![Block::Text(self.rng.usize(50..1200)), tool]
            } else {
                vec![tool]
            };
            let tool_id = self
                .respond(&s.ident, th, out, &blocks, Corrupt::None, false)?
                .unwrap_or_default();
            let size = self.rng.usize(100..6_000);
            self.tool_result(&s.ident, th, out, &tool_id, size, false, None)?;
        }
        let blocks = [Block::Text(self.rng.usize(200..2500))];
        self.respond(&s.ident, th, out, &blocks, Corrupt::None, false)?;
        Ok(())
    }

    /// A `tool_result` user line; `extra` replaces the default `toolUseResult`.
    #[allow(clippy::too_many_arguments)]
    fn tool_result(
        &mut self,
        id: &Ident,
        th: &mut Thread,
        out: &mut Out,
        tool_id: &str,
        size: usize,
        echo_stdout: bool,
        extra: Option<&str>,
    ) -> io::Result<()> {
        th.t += self.rng.i64(200..20_000);
        let uuid = self.uuid();
        self.head(id, th);
        self.push(
            "\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":[{\"tool_use_id\":\"",
        );
        self.push(tool_id);
        self.push("\",\"type\":\"tool_result\",\"content\":\"");
        let start = self.buf.len();
        self.text(size);
        let end = self.buf.len();
        self.push("\"}]}");
        self.tail(&uuid, th.t);
        self.push(",\"toolUseResult\":");
        match extra {
            Some(x) => self.push(x),
            None if echo_stdout => {
                self.push("{\"stdout\":\"");
                self.buf.extend_from_within(start..end);
                self.push("\",\"stderr\":\"\",\"interrupted\":false,\"isImage\":false}");
            }
            None => self.push("{\"stdout\":\"\",\"stderr\":\"\"}"),
        }
        self.push("}");
        self.emit_buf(out, Meta::Plain)?;
        th.parent = Some(uuid);
        th.occ += (size as u64 / BYTES_PER_TOKEN).min(MAX_RESULT_TOKENS) + 10;
        Ok(())
    }

    /// One API response, written as one line per content block (streamed
    /// copies with the same ids and growing `output_tokens`). Returns the
    /// tool_use id if a block is a tool call.
    fn respond(
        &mut self,
        id: &Ident,
        th: &mut Thread,
        out: &mut Out,
        blocks: &[Block],
        corrupt: Corrupt,
        spaced: bool,
    ) -> io::Result<Option<String>> {
        let msg_id = format!("msg_01{}", self.alnum(22));
        let req_id = format!("req_011C{}", self.alnum(20));
        let key = format!("{msg_id}\u{1}{req_id}");
        th.t += self.rng.i64(1_500..40_000);
        let prompt = th.occ;
        let input = self.rng.u64(1..=12).min(prompt);
        let cache_read = th.cached.min(prompt - input);
        let cache_creation = prompt - input - cache_read;
        let final_out = 8 + blocks.iter().map(Block::out_tokens).sum::<u64>() + self.rng.u64(5..80);
        let n = blocks.len();
        // Sometimes the first copy already carries the final count: a tie the
        // earlier timestamp wins.
        let tie = n == 3 && corrupt == Corrupt::None && self.rng.u32(0..6) == 0;
        let mut tool_id = None;
        for (k, block) in blocks.iter().enumerate() {
            let output = if k == n - 1 || (tie && k == 0) {
                final_out
            } else {
                (final_out * (k as u64 + 1) / (n as u64 + 1)).max(1)
            };
            let tokens = Tokens4 {
                input,
                output,
                cache_creation,
                cache_read,
            };
            let ts = th.t;
            let uuid = self.uuid();
            self.head(id, th);
            self.push("\"message\":{\"model\":\"");
            self.push(th.model);
            self.push("\",\"id\":\"");
            self.push(&msg_id);
            self.push("\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[");
            if let Some(t) = self.block(id, *block) {
                tool_id = Some(t);
            }
            self.push("]");
            if !th.sidechain {
                self.push(",\"stop_reason\":null,\"stop_sequence\":null");
            }
            self.push(",\"usage\":{\"input_tokens\":");
            self.num(input);
            self.push(",\"cache_creation_input_tokens\":");
            self.num(cache_creation);
            self.push(",\"cache_read_input_tokens\":");
            self.num(cache_read);
            self.push(",\"output_tokens\":");
            self.num(output);
            if !th.sidechain {
                let (m5, h1) = if th.one_hour {
                    (0, cache_creation)
                } else {
                    (cache_creation, 0)
                };
                self.push(",\"cache_creation\":{\"ephemeral_5m_input_tokens\":");
                self.num(m5);
                self.push(",\"ephemeral_1h_input_tokens\":");
                self.num(h1);
                self.push("}");
            }
            self.push(",\"service_tier\":\"standard\"}},\"requestId\":\"");
            self.push(&req_id);
            self.push("\",\"type\":\"assistant\"");
            self.tail(&uuid, ts);
            self.push("}");
            let meta = if k == 0 && corrupt != Corrupt::None {
                self.corrupt(corrupt);
                Meta::Bad
            } else {
                if spaced {
                    self.buf = spacify(&self.buf);
                }
                Meta::Usage {
                    key: key.clone(),
                    copy: Copy {
                        tokens,
                        main: !th.sidechain,
                        ts,
                        session: id.idx,
                    },
                }
            };
            self.emit_buf(out, meta)?;
            th.parent = Some(uuid);
            th.t += self.rng.i64(30..1_200);
        }
        th.cached = prompt;
        th.occ = prompt + final_out;
        Ok(tool_id)
    }

    /// Write one content block; returns the tool_use id for tool blocks.
    fn block(&mut self, id: &Ident, block: Block) -> Option<String> {
        match block {
            Block::Text(n) => {
                self.push("{\"type\":\"text\",\"text\":\"");
                self.text(n);
                self.push("\"}");
                None
            }
            Block::Thinking(n) => {
                self.push("{\"type\":\"thinking\",\"thinking\":\"");
                self.text(n);
                self.push("\",\"signature\":\"");
                let len = self.rng.usize(200..400);
                let sig = self.alnum(len);
                self.push(&sig);
                self.push("\"}");
                None
            }
            Block::Tool(name, n) => {
                let tid = format!("toolu_01{}", self.alnum(22));
                self.push("{\"type\":\"tool_use\",\"id\":\"");
                self.push(&tid);
                self.push("\",\"name\":\"");
                self.push(name);
                self.push("\",\"input\":{");
                let len = self.rng.usize(4..12);
                let file = format!("{}/src/{}.rs", id.cwd, self.alnum(len));
                match name {
                    "Edit" => {
                        self.push("\"file_path\":\"");
                        self.push(&file);
                        self.push("\",\"old_string\":\"");
                        self.text(n / 2);
                        self.push("\",\"new_string\":\"");
                        self.text(n - n / 2);
                        self.push("\"");
                    }
                    "Write" => {
                        self.push("\"file_path\":\"");
                        self.push(&file);
                        self.push("\",\"content\":\"");
                        self.text(n);
                        self.push("\"");
                    }
                    "Bash" => {
                        self.push("\"command\":\"");
                        self.text(n);
                        self.push("\",\"description\":\"Run the test suite\"");
                    }
                    "Grep" => {
                        self.push("\"pattern\":\"");
                        let p = self.alnum(n.min(30));
                        self.push(&p);
                        self.push("\",\"path\":\"");
                        self.push(&id.cwd);
                        self.push("\",\"output_mode\":\"content\"");
                    }
                    "Glob" => self.push("\"pattern\":\"**/*.rs\""),
                    "TodoWrite" => {
                        self.push("\"todos\":[{\"content\":\"");
                        self.text(n);
                        self.push("\",\"status\":\"in_progress\",\"activeForm\":\"Working\"}]");
                    }
                    _ => {
                        self.push("\"file_path\":\"");
                        self.push(&file);
                        self.push("\"");
                    }
                }
                self.push("}}");
                Some(tid)
            }
            Block::Task(n) => {
                let tid = format!("toolu_01{}", self.alnum(22));
                self.push("{\"type\":\"tool_use\",\"id\":\"");
                self.push(&tid);
                self.push("\",\"name\":\"Task\",\"input\":{\"description\":\"Explore the codebase\",\"prompt\":\"");
                self.text(n);
                self.push("\",\"subagent_type\":\"general-purpose\"}}");
                Some(tid)
            }
        }
    }

    /// Damage the line in `self.buf` (a partial streamed copy, so the
    /// response's final copy still carries the winning usage).
    fn corrupt(&mut self, how: Corrupt) {
        let b = &mut self.buf;
        match how {
            Corrupt::None => {}
            Corrupt::Truncate => {
                let usage = memmem::find(b, b"\"usage\"").unwrap_or(b.len());
                let mut cut = self.rng.usize(usage / 2..usage);
                while cut > 0 && (b[cut] & 0xc0) == 0x80 {
                    cut -= 1;
                }
                b.truncate(cut);
            }
            Corrupt::Invalid => {
                if let Some(p) = memmem::find(b, b"\"text\":\"") {
                    let at = (p + 12).min(b.len() - 3);
                    b[at..at + 3].copy_from_slice(&[0xff, 0xfe, 0xc3]);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Free helpers.

fn project_cwd(p: usize) -> String {
    match p % 3 {
        0 => format!("/home/dev/src/proj-{p}"),
        1 => format!("/home/dev/src/proj_{p}.web"),
        _ => format!("/home/dev/work/Proj {p}"),
    }
}

/// The directory name Claude Code uses for a cwd: non-alphanumerics become `-`.
fn encode_cwd(cwd: &str) -> String {
    cwd.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

/// JSON-string-safe filler: words, punctuation, `\n`/`\t`/`\"` escapes and
/// some multi-byte UTF-8 (accents, dashes, CJK, an emoji).
fn make_pool(rng: &mut fastrand::Rng) -> Vec<u8> {
    const WORDS: [&str; 40] = [
        "fn", "let", "mut", "self", "return", "impl", "struct", "the", "a", "to", "of", "and",
        "in", "is", "for", "error", "value", "result", "config", "session", "token", "file",
        "path", "line", "parse", "read", "write", "test", "assert", "match", "Some", "None", "Ok",
        "Err", "String", "Vec", "u64", "async", "await", "crate",
    ];
    const PUNCT: [&str; 24] = [
        ", ",
        ". ",
        "; ",
        "(",
        ")",
        " { ",
        " }",
        " = ",
        "::",
        " -> ",
        "_",
        "/",
        ": ",
        " // ",
        "[",
        "]",
        "\\n",
        "\\n    ",
        "\\t",
        "\\\"",
        "é",
        " — ",
        "日本語",
        "🦀",
    ];
    let mut v = Vec::with_capacity(POOL_LEN + 64);
    while v.len() < POOL_LEN {
        v.extend_from_slice(WORDS[rng.usize(0..WORDS.len())].as_bytes());
        if rng.u32(0..3) == 0 {
            v.extend_from_slice(PUNCT[rng.usize(0..PUNCT.len())].as_bytes());
        } else {
            v.push(b' ');
        }
    }
    // Plain ASCII tail so a cut can always move forward to a safe position.
    v.extend_from_slice(&[b'x'; 32]);
    v
}

/// A cut at `p` splits neither a UTF-8 character nor a two-byte escape.
fn safe_cut(pool: &[u8], p: usize) -> bool {
    (p == 0 || pool[p - 1] != b'\\') && (p >= pool.len() || (pool[p] & 0xc0) != 0x80)
}

fn push_num(b: &mut Vec<u8>, mut v: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    b.extend_from_slice(&tmp[i..]);
}

fn push_pad(b: &mut Vec<u8>, v: u64, width: usize) {
    let start = b.len();
    push_num(b, v);
    while b.len() - start < width {
        b.insert(start, b'0');
    }
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
fn civil_from_days(z: i64) -> (i64, u64, u64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m as u64, d as u64)
}

/// `2026-11-20T17:59:03.120Z`.
fn ts_bytes(ms: i64) -> Vec<u8> {
    let (y, mo, d) = civil_from_days(ms.div_euclid(DAY_MS));
    let r = ms.rem_euclid(DAY_MS) as u64;
    let mut b = Vec::with_capacity(24);
    push_pad(&mut b, y.max(0) as u64, 4);
    b.push(b'-');
    push_pad(&mut b, mo, 2);
    b.push(b'-');
    push_pad(&mut b, d, 2);
    b.push(b'T');
    push_pad(&mut b, r / 3_600_000, 2);
    b.push(b':');
    push_pad(&mut b, r / 60_000 % 60, 2);
    b.push(b':');
    push_pad(&mut b, r / 1_000 % 60, 2);
    b.push(b'.');
    push_pad(&mut b, r % 1_000, 3);
    b.push(b'Z');
    b
}

/// Re-serialise compact JSON the way other tools do: a space after every
/// `:` and `,` outside strings. Still valid JSON with the same values.
fn spacify(line: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(line.len() + line.len() / 8);
    let (mut in_str, mut esc) = (false, false);
    for &c in line {
        out.push(c);
        if in_str {
            if esc {
                esc = false;
            } else if c == b'\\' {
                esc = true;
            } else if c == b'"' {
                in_str = false;
            }
        } else if c == b'"' {
            in_str = true;
        } else if c == b':' || c == b',' {
            out.push(b' ');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use std::collections::HashSet;

    fn small_spec(seed: u64) -> CorpusSpec {
        CorpusSpec {
            target_bytes: 6 << 20,
            sessions: 12,
            seed,
            projects: 4,
            bad_lines: true,
            big_tool_results: true,
        }
    }

    /// All regular files under `dir`, sorted, as (relative path, bytes).
    fn read_tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
        fn walk(root: &Path, d: &Path, out: &mut Vec<(String, Vec<u8>)>) {
            for e in fs::read_dir(d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    walk(root, &p, out);
                } else {
                    let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                    out.push((rel, fs::read(&p).unwrap()));
                }
            }
        }
        let mut v = Vec::new();
        walk(dir, dir, &mut v);
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }

    #[test]
    fn timestamps_match_chrono() {
        for ms in [
            0,
            BASE_MS,
            BASE_MS + 123_456_789_012,
            951_782_400_000, /* 2000-02-29 */
        ] {
            let want = chrono::DateTime::from_timestamp_millis(ms)
                .unwrap()
                .format("%Y-%m-%dT%H:%M:%S%.3fZ")
                .to_string();
            assert_eq!(String::from_utf8(ts_bytes(ms)).unwrap(), want);
        }
    }

    #[test]
    fn spacify_keeps_strings_and_values() {
        let s = br#"{"a":"x: y, \"z\":1","b":[1,2],"c":{"d":null}}"#;
        let sp = spacify(s);
        assert_eq!(
            String::from_utf8(sp.clone()).unwrap(),
            r#"{"a": "x: y, \"z\":1", "b": [1, 2], "c": {"d": null}}"#
        );
        let a: Value = serde_json::from_slice(s).unwrap();
        let b: Value = serde_json::from_slice(&sp).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn encode_cwd_replaces_non_alphanumerics() {
        assert_eq!(encode_cwd("/home/dev/work/Proj 2"), "-home-dev-work-Proj-2");
        assert_eq!(
            encode_cwd("/home/dev/src/proj_1.web"),
            "-home-dev-src-proj-1-web"
        );
    }

    #[test]
    fn same_spec_gives_identical_bytes() {
        let spec = CorpusSpec {
            target_bytes: 3 << 20,
            ..small_spec(7)
        };
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let ea = generate(a.path(), &spec).unwrap();
        let eb = generate(b.path(), &spec).unwrap();
        assert_eq!(ea, eb);
        let (ta, tb) = (read_tree(a.path()), read_tree(b.path()));
        assert_eq!(ta.len(), tb.len());
        for (x, y) in ta.iter().zip(&tb) {
            assert_eq!(x.0, y.0);
            assert!(x.1 == y.1, "{} differs", x.0);
        }
        // A different seed gives different data.
        let c = tempfile::tempdir().unwrap();
        let ec = generate(c.path(), &CorpusSpec { seed: 8, ..spec }).unwrap();
        assert_ne!(ea.totals, ec.totals);
    }

    #[test]
    fn size_is_within_tolerance_and_reported_exactly() {
        for (target, sessions) in [(2u64 << 20, 5usize), (6 << 20, 20), (12 << 20, 3)] {
            let d = tempfile::tempdir().unwrap();
            let spec = CorpusSpec {
                target_bytes: target,
                sessions,
                ..small_spec(3)
            };
            let e = generate(d.path(), &spec).unwrap();
            let tree = read_tree(d.path());
            let on_disk: u64 = tree.iter().map(|(_, b)| b.len() as u64).sum();
            assert_eq!(e.bytes, on_disk);
            assert_eq!(e.files, tree.len() as u64);
            assert!(tree.iter().all(|(p, _)| p.ends_with(".jsonl")));
            let ratio = e.bytes as f64 / target as f64;
            assert!(
                (0.99..1.04).contains(&ratio),
                "{target}: got {} ({ratio})",
                e.bytes
            );
            assert!(e.sessions.len() >= sessions, "{:?}", e.sessions.len());
        }
    }

    /// A reader written from the spec alone, to check the generator's bookkeeping.
    fn recount(dir: &Path) -> Expected {
        struct W {
            t: Tokens4,
            main: bool,
            ts: String,
            path: String,
            seq: u64,
            session: String,
            cwd: String,
        }
        let mut winners: HashMap<String, W> = HashMap::new();
        let mut bounds: HashMap<String, (String, String)> = HashMap::new();
        let mut seq = 0u64;
        let n = |v: &Value| v.as_u64().unwrap_or(0);
        for (path, bytes) in read_tree(dir) {
            let agent_file = path.rsplit('/').next().unwrap().starts_with("agent-");
            for line in bytes.split(|&b| b == b'\n') {
                seq += 1;
                let Ok(v) = serde_json::from_slice::<Value>(line) else {
                    continue;
                };
                let session = v["sessionId"].as_str().unwrap_or("").to_string();
                let cwd = v["cwd"].as_str().unwrap_or("").to_string();
                if v["type"] == "system" && v["subtype"] == "compact_boundary" {
                    let u = v["uuid"].as_str().unwrap().to_string();
                    bounds.entry(u).or_insert((session, cwd));
                    continue;
                }
                let u = &v["message"]["usage"];
                if v["type"] != "assistant" || !u.is_object() {
                    continue;
                }
                if v["message"]["model"] == "<synthetic>" || v["isApiErrorMessage"] == true {
                    continue;
                }
                let key = format!(
                    "{}|{}",
                    v["message"]["id"].as_str().unwrap(),
                    v["requestId"].as_str().unwrap_or("")
                );
                let mut cc = n(&u["cache_creation_input_tokens"]);
                if cc == 0 && u["cache_creation"].is_object() {
                    cc = n(&u["cache_creation"]["ephemeral_5m_input_tokens"])
                        + n(&u["cache_creation"]["ephemeral_1h_input_tokens"]);
                }
                let w = W {
                    t: Tokens4 {
                        input: n(&u["input_tokens"]),
                        output: n(&u["output_tokens"]),
                        cache_creation: cc,
                        cache_read: n(&u["cache_read_input_tokens"]),
                    },
                    main: !agent_file && v["isSidechain"] != true,
                    ts: v["timestamp"].as_str().unwrap().to_string(),
                    path: path.clone(),
                    seq,
                    session,
                    cwd,
                };
                let replace = match winners.get(&key) {
                    None => true,
                    Some(o) => {
                        (
                            w.t.sum(),
                            w.main,
                            std::cmp::Reverse(&w.ts),
                            std::cmp::Reverse(&w.path),
                        ) > (
                            o.t.sum(),
                            o.main,
                            std::cmp::Reverse(&o.ts),
                            std::cmp::Reverse(&o.path),
                        )
                    }
                };
                if replace {
                    winners.insert(key, w);
                }
            }
        }
        let mut e = Expected::default();
        let mut newest: HashMap<String, (String, u64, u64)> = HashMap::new();
        for w in winners.values() {
            e.totals.add(&w.t);
            e.records += 1;
            let s = e.sessions.entry(w.session.clone()).or_default();
            s.project = w.cwd.clone();
            s.tokens.add(&w.t);
            s.records += 1;
            e.daily_utc
                .entry(w.ts[..10].to_string())
                .or_default()
                .add(&w.t);
            if w.main {
                let cand = (w.ts.clone(), w.seq, w.t.prompt());
                let slot = newest.entry(w.session.clone()).or_insert(cand.clone());
                if (&cand.0, cand.1) > (&slot.0, slot.1) {
                    *slot = cand;
                }
            }
        }
        for (session, cwd) in bounds.values() {
            let s = e.sessions.entry(session.clone()).or_default();
            s.project = cwd.clone();
            s.compactions += 1;
            e.compactions += 1;
        }
        for (s, (ts, _, occ)) in newest {
            let es = e.sessions.get_mut(&s).unwrap();
            es.context_occupancy = Some(occ);
            es.context_timestamp = Some(ts);
        }
        e
    }

    #[test]
    fn expected_equals_an_independent_recount() {
        for spec in [
            small_spec(1),
            CorpusSpec {
                sessions: 1,
                ..small_spec(2)
            },
        ] {
            let d = tempfile::tempdir().unwrap();
            let mut e = generate(d.path(), &spec).unwrap();
            let r = recount(d.path());
            assert!(e.records > 100);
            assert_eq!(e.sessions.len(), r.sessions.len());
            for (id, s) in &e.sessions {
                assert_eq!(Some(s), r.sessions.get(id), "session {id}");
            }
            (e.files, e.bytes) = (0, 0);
            assert_eq!(e, r);
        }
    }

    #[test]
    fn every_feature_is_present() {
        let d = tempfile::tempdir().unwrap();
        let e = generate(d.path(), &small_spec(1)).unwrap();
        let tree = read_tree(d.path());
        let mut f = HashMap::<&str, usize>::new();
        let mut hit = |k: &'static str| *f.entry(k).or_default() += 1;
        let mut key_files: HashMap<String, HashSet<String>> = HashMap::new();
        let mut key_outputs: HashMap<String, HashSet<u64>> = HashMap::new();
        let mut models = HashSet::new();
        for (path, bytes) in &tree {
            let name = path.rsplit('/').next().unwrap();
            if name.starts_with("agent-") {
                if path.contains("/subagents/") {
                    hit("nested subagent file");
                } else {
                    hit("flat subagent file");
                }
            }
            for line in bytes.split(|&b| b == b'\n') {
                if line.len() >= BIG_MIN as usize {
                    hit("big line");
                }
                if line.is_empty() {
                    continue;
                }
                let Ok(s) = std::str::from_utf8(line) else {
                    hit("invalid utf8");
                    continue;
                };
                let Ok(v) = serde_json::from_str::<Value>(s) else {
                    hit("truncated");
                    continue;
                };
                if s.contains("\"isSidechain\": ") {
                    hit("spaced");
                }
                match v["type"].as_str().unwrap_or("") {
                    "summary" => hit("summary"),
                    "file-history-snapshot" => hit("snapshot"),
                    "system" if v["subtype"] == "compact_boundary" => {
                        hit(if v["compactMetadata"]["trigger"] == "auto" {
                            "auto compaction"
                        } else {
                            "manual compaction"
                        })
                    }
                    "user" if s.contains("\"tool_result\"") => hit("tool_result"),
                    "assistant" => {
                        if v["isApiErrorMessage"] == true && v["message"]["model"] == "<synthetic>"
                        {
                            hit("synthetic");
                            continue;
                        }
                        if v["isSidechain"] == true && !name.starts_with("agent-") {
                            hit("sidechain in main file");
                        }
                        if s.contains("\"tool_use\"") {
                            hit("tool_use");
                        }
                        models.insert(v["message"]["model"].as_str().unwrap().to_string());
                        let k = format!("{}{}", v["message"]["id"], v["requestId"]);
                        key_files.entry(k.clone()).or_default().insert(path.clone());
                        key_outputs
                            .entry(k)
                            .or_default()
                            .insert(v["message"]["usage"]["output_tokens"].as_u64().unwrap());
                    }
                    _ => {}
                }
            }
        }
        if key_files.values().any(|f| f.len() > 1) {
            hit("resumed copy");
        }
        if key_outputs.values().any(|o| o.len() > 1) {
            hit("streamed copies");
        }
        // [final, partial, final]: a tie on the largest sum, won by the earlier copy.
        let mut seen_final: HashMap<String, (u64, usize)> = HashMap::new();
        for (_, bytes) in &tree {
            for line in bytes.split(|&b| b == b'\n') {
                let Ok(v) = serde_json::from_slice::<Value>(line) else {
                    continue;
                };
                if v["type"] != "assistant" || v["requestId"].is_null() {
                    continue;
                }
                let k = format!("{}{}", v["message"]["id"], v["requestId"]);
                let out = v["message"]["usage"]["output_tokens"].as_u64().unwrap();
                let e = seen_final.entry(k).or_insert((out, 0));
                if out == e.0 {
                    e.1 += 1;
                }
            }
        }
        if seen_final.values().any(|&(_, n)| n >= 2) {
            hit("tie on the largest copy");
        }
        for k in [
            "nested subagent file",
            "flat subagent file",
            "big line",
            "invalid utf8",
            "truncated",
            "spaced",
            "summary",
            "snapshot",
            "manual compaction",
            "tool_result",
            "synthetic",
            "sidechain in main file",
            "tool_use",
            "resumed copy",
            "streamed copies",
            "tie on the largest copy",
        ] {
            assert!(f.get(k).copied().unwrap_or(0) > 0, "missing: {k} ({f:?})");
        }
        assert!(
            tree.iter().any(|(_, b)| b.windows(2).any(|w| w == b"\n\n")),
            "blank line"
        );
        assert_eq!(models.len(), 3, "{models:?}");
        assert!(e.compactions >= 1);
        assert!(e.daily_utc.len() >= 3, "{:?}", e.daily_utc.keys());
        // Occupancy grows within a cycle and stays under the 200k window.
        for s in e.sessions.values() {
            let occ = s.context_occupancy.unwrap();
            assert!((5_000..200_000).contains(&occ), "{occ}");
        }
    }

    #[test]
    fn auto_compaction_happens_in_long_sessions() {
        let d = tempfile::tempdir().unwrap();
        let spec = CorpusSpec {
            target_bytes: 4 << 20,
            sessions: 2,
            bad_lines: false,
            big_tool_results: false,
            ..small_spec(5)
        };
        let e = generate(d.path(), &spec).unwrap();
        let text: Vec<u8> = read_tree(d.path())
            .into_iter()
            .flat_map(|(_, b)| b)
            .collect();
        assert!(memmem::find(&text, br#""trigger":"auto""#).is_some());
        assert!(e.compactions >= 2);
        // Without bad lines everything is valid UTF-8 JSON.
        for line in text.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            serde_json::from_slice::<Value>(line).unwrap();
        }
    }
}
