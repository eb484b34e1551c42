//! Deterministic generator of realistic Claude Code data directories, for
//! benchmarks and large tests that must not depend on checked-in data.
//!
//! [`generate`] writes `dir/projects/<encoded-cwd>/...` transcripts shaped like
//! the real ones (see `claude-code-logs.md`): streamed copies of one response,
//! subagents in both file layouts, sidechain lines inside main files,
//! compaction boundaries, resumed sessions that copy history verbatim,
//! `<synthetic>` API-error lines, malformed lines, multi-megabyte tool
//! results, and what changes a price: 1-hour and mixed cache-write splits
//! (some not adding up), fast mode and web searches. Every session with a
//! conversation ends with a compaction and one large file read (see
//! [`ExpectedItem`]), so what filled most of its context is known.
//!
//! It also writes every shape the spec's version 2 added (see `shapes.rs`):
//! subagent responses copied into `progress` lines (with the subagent's
//! file present, and deleted), advisor steps in `usage.iterations`, files
//! whose last line has no newline, two objects on one line, a UTF-8 BOM,
//! CRLF files, workflow subagents with their `journal.jsonl`, compaction
//! agents (`agent-acompact-*`), dotted model names (`claude-opus-4.8`),
//! models of other providers (MiniMax), git worktrees, sessions that are
//! only subagent files, sessions without any usage, microcompactions, and
//! token counts that are not counts. Session 0 and the small sessions
//! written after it hold one of each; the seeded RNG spreads them over
//! larger corpora.
//!
//! It returns the [`Expected`] answers computed *by construction*: every
//! usage record it writes (a response's, each of its advisor steps', each
//! progress copy's) is offered to an in-memory dedup table that applies
//! the spec's rule (largest four-token sum wins per
//! `message.id`+`requestId`; ties: main chain, earlier timestamp, smaller
//! path), and every line a reader must skip is counted by reason as it is
//! written, so nothing is parsed back.
//!
//! The same [`CorpusSpec`] always yields byte-identical files. Sizes below
//! about 1 MiB overshoot `target_bytes`, because session 0 always carries one
//! instance of every feature and every session its closing read.

pub use codex::{CodexSpec, generate_codex};
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
    /// Number of sessions with a conversation (resumed sessions
    /// included). Small sessions without one are written besides them
    /// (only subagent files, or no response yet): two after session 0,
    /// then one after about one session in six.
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
    /// The records' cost at Anthropic's prices, in picodollars (10^-12 USD):
    /// 1-hour cache writes, fast mode and web searches included.
    pub cost_picodollars: u64,
    /// Timestamp of that record's winning copy.
    pub context_timestamp: Option<String>,
    /// What filled the most of the session's context since its last
    /// compaction.
    pub top_item: Option<ExpectedItem>,
    /// The session exists only as subagent files (its main file was
    /// deleted): it has tokens and a cost but no context occupancy.
    pub subagents_only: bool,
}

/// One item of a session's context: a tool result, by its tool and target.
///
/// Each session's last turn comes after a compaction: one prompt, then a
/// `Read` of a generated file whose result is several times larger than
/// everything else since the compaction together (the summary, the prompt,
/// the responses), so any attribution in proportion to size ranks it first.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ExpectedItem {
    pub tool: String,
    /// The tool's input as written: the absolute `file_path` of the read.
    pub target: String,
    /// Bytes of the result's text as the model sees it (JSON escapes
    /// decoded).
    pub bytes: u64,
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
    /// The cost of all records, in picodollars.
    pub cost_picodollars: u64,
    /// The cost per UTC date, in picodollars.
    pub daily_cost_utc: BTreeMap<String, u64>,
    /// Transcripts written: every `.jsonl` file except workflows'
    /// `journal.jsonl` sidecars (which, like `.meta.json` files, are not
    /// transcripts).
    pub files: u64,
    /// Bytes of all transcripts.
    pub bytes: u64,
    /// Distinct compaction boundaries over all sessions.
    pub compactions: u64,
    /// Lines a reader skips, by reason (`blank`, `malformed`,
    /// `invalidUtf8`, `invalidUsage`): each broken line once, a line with
    /// a whole object before its broken one too. Byte order marks, CRLF,
    /// objects back to back, unterminated last lines and workflow
    /// journals are never among them.
    pub skipped: BTreeMap<String, u64>,
}

impl Expected {
    /// The answers for two corpora read together (a Claude Code root and
    /// a Codex home): their sessions never overlap.
    pub fn merge(mut self, other: Expected) -> Expected {
        self.totals.add(&other.totals);
        self.records += other.records;
        self.sessions.extend(other.sessions);
        for (day, t) in other.daily_utc {
            self.daily_utc.entry(day).or_default().add(&t);
        }
        self.cost_picodollars += other.cost_picodollars;
        for (day, c) in other.daily_cost_utc {
            *self.daily_cost_utc.entry(day).or_default() += c;
        }
        self.files += other.files;
        self.bytes += other.bytes;
        self.compactions += other.compactions;
        for (why, n) in other.skipped {
            *self.skipped.entry(why).or_default() += n;
        }
        self
    }
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
/// Has fast mode (2× its prices).
const OPUS48: &str = "claude-opus-4-8";
/// How Claude Code 2.1.x writes some Opus 4.8 responses: priced as
/// [`OPUS48`] (spec §6, v2).
const OPUS48_DOTTED: &str = "claude-opus-4.8";
/// Other providers' models Claude Code can be routed to (spec §6, v2).
const MINIMAX: &str = "MiniMax-M2.7";
const MINIMAX_M3: &str = "MiniMax-M3";
/// The model of advisor steps.
const ADVISOR: &str = OPUS48;

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
/// The size of each session's closing file read (decoded bytes): at least
/// three times the most the rest of its cycle can hold (a 9 kB summary, a
/// 1.2 kB prompt, two short responses).
const CLOSING_READ: std::ops::Range<usize> = 40_000..60_000;
/// Bytes of the closing turn besides the file's text, about: the budget
/// keeps room for them.
const CLOSING_REST: u64 = 10_000;

// ---------------------------------------------------------------------------
// Bookkeeping by construction.

/// One copy of a usage record, as the spec's dedup rule sees it.
#[derive(Debug, Clone, Copy)]
struct Copy {
    tokens: Tokens4,
    /// The model and what else decides the price.
    bill: price::Bill,
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
    /// Malformed on purpose: a reader skips it and counts it by reason;
    /// never copied into resumed files.
    Bad(Skip),
    /// A copy of a usage record, and of its advisor steps (each a record
    /// of its own, see `shapes.rs`).
    Usage {
        key: String,
        copy: Copy,
        steps: Vec<(String, Copy)>,
    },
    /// A compaction boundary of `session`.
    Boundary { uuid: String, session: usize },
}

/// Why a reader skips a line (spec §2–3), by the names ccwatch reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Skip {
    /// An empty line.
    Blank,
    /// Truncated JSON (alone, or after a whole object on its line).
    Malformed,
    /// Bytes that are not UTF-8.
    InvalidUtf8,
    /// A usage with a token count that is not a count.
    InvalidUsage,
}

impl Skip {
    fn name(self) -> &'static str {
        match self {
            Skip::Blank => "blank",
            Skip::Malformed => "malformed",
            Skip::InvalidUtf8 => "invalidUtf8",
            Skip::InvalidUsage => "invalidUsage",
        }
    }
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
    /// `None` for a file that is written nowhere (a deleted subagent
    /// file): its lines count for nothing.
    w: Option<BufWriter<File>>,
    file: u32,
    capture: Option<Capture>,
    /// How the file's lines are framed (see `shapes::Framing`).
    framing: shapes::Framing,
    /// Lines written so far.
    lines: u64,
    /// The last line's terminator is still owed.
    owed: bool,
    /// The last line written was a whole object (another may follow it on
    /// the same line).
    last_good: bool,
    /// Write the next line right after the previous object, on its line.
    glue: bool,
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
    /// A 2.1.x subagent whose responses are copied into the parent's file
    /// as `progress` lines (see `shapes.rs`).
    progress: Option<Box<shapes::ProgressTo>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// `isSidechain: true` lines inside the main file (1.0.x).
    InMain,
    /// `projects/<enc>/agent-<id>.jsonl` (2.0.x).
    Flat,
    /// `projects/<enc>/<sessionId>/subagents/agent-<id>.jsonl` (2.1.x).
    Nested,
    /// `…/<sessionId>/subagents/workflows/wf_<id>/agent-<id>.jsonl`, with
    /// the workflow's `journal.jsonl` (2.1.x).
    Workflow,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Corrupt {
    None,
    /// The first (partial) streamed copy is cut before its usage.
    Truncate,
    /// The first (partial) streamed copy gets invalid UTF-8 bytes.
    Invalid,
    /// The first (partial) streamed copy has an `output_tokens` that is
    /// not a count (`1e19`, `5.0`, 2^53): a reader skips it (spec §3).
    BadCount,
}

#[derive(Debug, Clone, Copy)]
enum Block {
    Text(usize),
    Thinking(usize),
    Tool(&'static str, usize),
    Task(usize),
    /// The `Read` of the session's closing turn (see [`ExpectedItem`]).
    ClosingRead,
}

impl Block {
    fn out_tokens(&self) -> u64 {
        let n = match *self {
            Block::Text(n) | Block::Thinking(n) | Block::Task(n) => n,
            Block::Tool(_, n) => n + 60,
            Block::ClosingRead => 120,
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
    /// Lines written that a reader skips, by reason.
    skipped: BTreeMap<&'static str, u64>,
    /// (sessionId, cwd, only subagent files) by session index.
    sessions: Vec<(String, String, bool)>,
    /// Each session's top item, by session index.
    top_items: Vec<(usize, ExpectedItem)>,
    /// `progress` lines waiting to be written into the parent's file.
    queued: Vec<Captured>,
    /// The rare shapes (`shapes::Shape` bits) session 0 has yet to show.
    to_show: u32,
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

mod bytes;
mod codex;
mod price;
mod session;
mod shapes;
mod tools;

#[cfg(test)]
mod tests;
