//! The transcript shapes version 2 of the spec (`claude-code-logs.md`)
//! added, written with their answers worked out as they are written.
//!
//! Real Claude Code 2.1.x transcripts hold things the first generator never
//! wrote, and a reader that was only ever tested on the old shapes gets
//! them wrong silently (a deleted subagent file's work vanishes, an advisor's
//! tokens go uncounted, a file's unterminated last record is lost). Each
//! shape lives here, with why it looks the way it does:
//!
//! - **Framing** of a file: a UTF-8 byte order mark before its first line,
//!   CRLF line ends, no newline after its last line, and two objects written
//!   back to back on one line (`…}{"type":…`). None of them changes what a
//!   line means, so none changes the expected answers.
//! - **Progress copies**: a 2.1.x subagent's every response is also copied
//!   into the parent's file as a `progress` line. With the subagent's file
//!   present the copies share its keys and count once; with the file
//!   deleted they are the only record of that work.
//! - **Advisor steps** in `usage.iterations`: another model's tokens, not
//!   in the response's top-level usage, each one more sidechain record.
//! - **Workflow subagents** (with the workflow's `journal.jsonl`, not a
//!   transcript) and **compaction agents** (`agent-acompact-<id>.jsonl`).
//! - **Sessions** that are only subagent files, and sessions without any
//!   usage yet; **git worktrees** as projects.
//! - **Models**: dotted names (`claude-opus-4.8`) and other providers'
//!   models (MiniMax), priced by `price.rs`.
//! - **Token counts that are not counts** (`1e19`, `5.0`, 2^53): the copy
//!   is skipped, never summed.
//! - **Microcompactions** (`system` lines with `subtype:
//!   "microcompact_boundary"`): old tool results cleared, the context
//!   smaller, the cycle not ended and nothing counted as a compaction.

use super::bytes::*;
use super::*;

/// The UTF-8 byte order mark.
pub(super) const BOM: &[u8] = b"\xef\xbb\xbf";

/// `output_tokens` values that are valid JSON but not token counts (spec
/// §3, v2): too large to be one (`1e19` would swamp every total if summed),
/// negative, fractional, `null`, a string.
const BAD_COUNTS: [&str; 7] = [
    "1e19",
    "1e+19",
    "9007199254740992",
    "-1",
    "5.0",
    "null",
    "\"12\"",
];

/// How a file's lines are written around their objects.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Framing {
    /// A byte order mark before the first line.
    pub bom: bool,
    /// `\r\n` after every line.
    pub crlf: bool,
    /// No line end after the last line (its object is complete).
    pub unterminated: bool,
}

impl Framing {
    pub(super) fn line_end(&self) -> &'static [u8] {
        if self.crlf { b"\r\n" } else { b"\n" }
    }
}

/// Where a subagent's responses are copied as `progress` lines.
#[derive(Debug, Clone)]
pub(super) struct ProgressTo {
    pub agent_id: String,
    /// The parent's `Task` tool call.
    pub tool_id: String,
    /// The parent's line the copies hang from.
    pub parent: Option<String>,
}

/// The rare shapes session 0 shows at least once, where it first can (its
/// first turns are laid out so that it meets each; one it missed would go
/// to the next session that can). Elsewhere they come from the RNG.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub(super) enum Shape {
    /// Two copies of one response on one line.
    GluedPair = 1,
    /// A whole object, then a truncated one, on one line.
    GluedBroken = 1 << 1,
    /// A response with advisor steps.
    Advisor = 1 << 2,
    /// A subagent on another provider's model.
    Routed = 1 << 3,
    /// Progress copies of a subagent whose file is present.
    ProgressWithFile = 1 << 4,
    /// Progress copies of a subagent whose file was deleted.
    ProgressOnly = 1 << 5,
    /// A compaction agent's one-line file: BOM, no final newline.
    Acompact = 1 << 6,
    /// A subagent file ending without a newline.
    UnterminatedSubagent = 1 << 7,
    /// A subagent file with CRLF line ends.
    CrlfSubagent = 1 << 8,
    /// A workflow journal whose last line is cut short.
    CutJournal = 1 << 9,
    /// A truncated copy on a line of its own (shown before [`Shape::GluedBroken`]).
    LoneTruncated = 1 << 10,
    /// A progress copy without a timestamp of its own.
    UntimedProgress = 1 << 11,
    /// A `microcompact_boundary` line.
    Microcompact = 1 << 12,
}

/// Every [`Shape`].
pub(super) const ALL_SHAPES: u32 = (1 << 13) - 1;

impl<'a> Gen<'a> {
    /// Whether session 0 still has to show `shape` (then it is shown now).
    pub(super) fn must_show(&mut self, shape: Shape) -> bool {
        let due = self.pending(shape);
        self.to_show &= !(shape as u32);
        due
    }

    /// Whether session 0 still has to show `shape`.
    pub(super) fn pending(&self, shape: Shape) -> bool {
        self.to_show & shape as u32 != 0
    }

    /// A file's framing, drawn: 23 of 189 real files end without a final
    /// newline; BOMs and CRLF (files re-saved by editors) are rarer.
    pub(super) fn framing(&mut self) -> Framing {
        Framing {
            bom: self.rng.u32(0..40) == 0,
            crlf: self.rng.u32(0..40) == 0,
            unterminated: self.rng.u32(0..8) == 0,
        }
    }

    /// A git worktree of the repository at `repo`, in one of the two
    /// common layouts: the short label must still name the repository.
    pub(super) fn worktree_cwd(&mut self, repo: &str) -> String {
        if self.rng.u32(0..3) == 0 {
            const NAMES: [&str; 3] = ["feature-x", "fix-login", "spike"];
            format!("{repo}-worktrees/{}", NAMES[self.rng.usize(0..NAMES.len())])
        } else {
            format!("{repo}/.worktrees/{}", self.rng.u32(1..6))
        }
    }

    /// A model Claude Code was routed to (no cache writes, no fast mode,
    /// no web searches, no advisor: only what its price list prices).
    pub(super) fn routed(model: &str) -> bool {
        model == MINIMAX || model == MINIMAX_M3
    }

    /// An `output_tokens` value that is not a count.
    pub(super) fn bad_count(&mut self) -> &'static str {
        BAD_COUNTS[self.rng.usize(0..BAD_COUNTS.len())]
    }

    // ----- advisor steps -------------------------------------------------

    /// The advisor steps of one response: an Opus advisor reads a share of
    /// the conversation (mostly from its own cache) and answers briefly.
    pub(super) fn advisor_steps(&mut self) -> Vec<Tokens4> {
        (0..self.rng.usize(1..3))
            .map(|_| Tokens4 {
                input: self.rng.u64(2_000..50_000),
                output: self.rng.u64(150..700),
                cache_creation: self.rng.u64(0..1_000),
                cache_read: self.rng.u64(5_000..40_000),
            })
            .collect()
    }

    /// `,"iterations":[…]`: the response's own step (the same counts as
    /// the top-level usage of this copy, never added again), then each
    /// advisor step with its model. Returns each step's record: key =
    /// the response's key plus the step's index (spec §3, v2).
    pub(super) fn iterations(
        &mut self,
        own: &Tokens4,
        steps: &[Tokens4],
        key: &str,
        ts: i64,
        session: usize,
    ) -> Vec<(String, Copy)> {
        let mut records = Vec::with_capacity(steps.len());
        self.push(",\"iterations\":[{\"type\":\"message\"");
        self.counts(own);
        self.push("}");
        for (i, step) in steps.iter().enumerate() {
            self.push(",{\"type\":\"advisor_message\",\"model\":\"");
            self.push(ADVISOR);
            self.push("\"");
            self.counts(step);
            self.push("}");
            let copy = Copy {
                tokens: *step,
                bill: price::Bill {
                    model: ADVISOR,
                    write_1h: 0,
                    fast: false,
                    web_searches: 0,
                },
                main: false,
                ts,
                session,
            };
            records.push((format!("{key}\u{2}{}", i + 1), copy));
        }
        self.push("]");
        records
    }

    fn counts(&mut self, t: &Tokens4) {
        self.push(",\"input_tokens\":");
        self.num(t.input);
        self.push(",\"cache_creation_input_tokens\":");
        self.num(t.cache_creation);
        self.push(",\"cache_read_input_tokens\":");
        self.num(t.cache_read);
        self.push(",\"output_tokens\":");
        self.num(t.output);
    }

    // ----- progress copies -----------------------------------------------

    /// Queue the `progress` line that copies a subagent's response (`msg`,
    /// the `message` object as written in the subagent's line) into the
    /// parent's file; it is written there when the subagent returns.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn queue_progress(
        &mut self,
        id: &Ident,
        to: &ProgressTo,
        msg: &[u8],
        req_id: &str,
        sub_uuid: &str,
        ts: i64,
        meta: Meta,
    ) {
        // Now and then a copy carries no timestamp of its own: a reader
        // skips it (the progress line's own time is not the response's).
        let untimed = self.must_show(Shape::UntimedProgress) || self.rng.u32(0..40) == 0;
        let meta = if untimed { Meta::Plain } else { meta };
        let uuid = self.uuid();
        let mut b = Vec::with_capacity(msg.len() + 900);
        let s = |b: &mut Vec<u8>, x: &str| b.extend_from_slice(x.as_bytes());
        s(&mut b, "{\"parentUuid\":");
        match &to.parent {
            Some(p) => {
                s(&mut b, "\"");
                s(&mut b, p);
                s(&mut b, "\"");
            }
            None => s(&mut b, "null"),
        }
        s(
            &mut b,
            ",\"isSidechain\":false,\"userType\":\"external\",\"cwd\":\"",
        );
        s(&mut b, &id.cwd);
        s(&mut b, "\",\"sessionId\":\"");
        s(&mut b, &id.session_id);
        s(&mut b, "\",\"version\":\"");
        s(&mut b, id.version);
        s(&mut b, "\",\"gitBranch\":\"");
        s(&mut b, id.branch);
        s(
            &mut b,
            "\",\"type\":\"progress\",\"data\":{\"message\":{\"type\":\"assistant\",",
        );
        if !untimed {
            s(&mut b, "\"timestamp\":\"");
            b.extend_from_slice(&ts_bytes(ts));
            s(&mut b, "\",");
        }
        s(&mut b, "\"message\":");
        b.extend_from_slice(msg);
        s(&mut b, ",\"requestId\":\"");
        s(&mut b, req_id);
        s(&mut b, "\",\"uuid\":\"");
        s(&mut b, sub_uuid);
        s(
            &mut b,
            "\"},\"normalizedMessages\":[],\"type\":\"agent_progress\",\"prompt\":\"\",\"agentId\":\"",
        );
        s(&mut b, &to.agent_id);
        s(&mut b, "\"},\"toolUseID\":\"agent_msg_");
        s(&mut b, &uuid[..8]);
        s(&mut b, "\",\"parentToolUseID\":\"");
        s(&mut b, &to.tool_id);
        s(&mut b, "\",\"uuid\":\"");
        s(&mut b, &uuid);
        // The progress line's own time is when it was copied, a moment
        // after the response: the record's time is the response's.
        s(&mut b, "\",\"timestamp\":\"");
        b.extend_from_slice(&ts_bytes(ts + 100));
        s(&mut b, "\"}");
        self.queued.push(Captured { bytes: b, meta });
    }

    /// Write the queued progress lines into the parent's file.
    pub(super) fn flush_progress(&mut self, out: &mut Out) -> io::Result<()> {
        for c in std::mem::take(&mut self.queued) {
            self.emit(out, &c.bytes, c.meta)?;
        }
        Ok(())
    }

    // ----- microcompactions ---------------------------------------------------

    /// A partial compaction: old tool results are cleared, the next prompt
    /// is smaller and its cache is written afresh. It ends no cycle and is
    /// not a compaction (spec §2, v2).
    pub(super) fn microcompact(&mut self, s: &mut Sess, out: &mut Out) -> io::Result<()> {
        let saved = (s.main.occ - s.sys_tokens) * self.rng.u64(10..40) / 100;
        s.main.t += self.rng.i64(500..5_000);
        let uuid = self.uuid();
        self.head(&s.ident, &s.main);
        self.push(concat!(
            r#""type":"system","subtype":"microcompact_boundary","#,
            r#""content":"Context microcompacted","isMeta":false"#
        ));
        self.tail(&uuid, s.main.t);
        self.push(
            ",\"level\":\"info\",\"microcompactMetadata\":{\"trigger\":\"auto\",\"preTokens\":",
        );
        self.num(s.main.occ);
        self.push(",\"tokensSaved\":");
        self.num(saved);
        self.push("}}");
        self.emit_buf(out, Meta::Plain)?;
        s.main.parent = Some(uuid);
        s.main.occ -= saved;
        s.main.cached = s.main.cached.min(s.sys_tokens);
        Ok(())
    }

    // ----- subagent files ----------------------------------------------------

    /// A subagent file's framing: drawn, with session 0's first subagent
    /// files ending without a newline and with CRLF.
    pub(super) fn subagent_framing(&mut self) -> Framing {
        let mut f = self.framing();
        if self.must_show(Shape::UnterminatedSubagent) {
            f.unterminated = true;
        } else if self.must_show(Shape::CrlfSubagent) {
            f.crlf = true;
        }
        f
    }

    /// A `.meta.json` sidecar (not a transcript: neither counted nor read
    /// as JSONL).
    pub(super) fn sidecar(&self, rel_jsonl: &str, agent_type: &str) -> io::Result<()> {
        let rel = rel_jsonl.trim_end_matches(".jsonl");
        fs::write(
            self.projects_dir.join(format!("{rel}.meta.json")),
            format!("{{\"agentType\":\"{agent_type}\"}}"),
        )
    }

    /// A workflow run: one to three workflow subagents in
    /// `subagents/workflows/wf_<id>/`, each with its sidecar, and the
    /// workflow's `journal.jsonl` (`started`/`result` lines without usage;
    /// sometimes its last line cut short, as a live file's is).
    pub(super) fn workflow(
        &mut self,
        s: &Sess,
        th: &mut Thread,
        prompt_len: usize,
        steps: usize,
    ) -> io::Result<()> {
        let wf = format!("wf_{}-{}", self.hex(8), self.hex(3));
        let dir = format!(
            "{}/{}/subagents/workflows/{wf}",
            s.ident.enc, s.ident.session_id
        );
        let mut journal = Vec::new();
        let agents = self.rng.usize(1..4);
        for a in 0..agents {
            let agent_id = self.hex(17);
            let key = format!("v2:{}", self.hex(40));
            journal.extend_from_slice(
                format!("{{\"type\":\"started\",\"key\":\"{key}\",\"agentId\":\"{agent_id}\"}}\n")
                    .as_bytes(),
            );
            let rel = format!("{dir}/agent-{agent_id}.jsonl");
            th.agent = Some(agent_id.clone());
            th.parent = None;
            let framing = self.subagent_framing();
            let mut out = self.open(&rel, framing)?;
            let n = if a == 0 { steps } else { self.rng.usize(1..4) };
            self.agent_run(s, th, &mut out, prompt_len, n)?;
            self.close(out)?;
            self.sidecar(&rel, "workflow-subagent")?;
            journal.extend_from_slice(
                format!(
                    "{{\"type\":\"result\",\"key\":\"{key}\",\"agentId\":\"{agent_id}\",\"result\":{{\"summary\":\"Done: step {}\"}}}}\n",
                    a + 1
                )
                .as_bytes(),
            );
        }
        if self.must_show(Shape::CutJournal) || self.rng.u32(0..3) == 0 {
            journal.extend_from_slice(b"{\"type\":\"result\",\"key\":\"v2:");
        }
        fs::write(
            self.projects_dir.join(format!("{dir}/journal.jsonl")),
            journal,
        )
    }

    /// The agent that writes a compaction summary (2.1.x): one response in
    /// `subagents/agent-acompact-<id>.jsonl` that reads the whole context
    /// (mostly from cache) and writes about `summary` bytes. Its usage is
    /// the session's, sidechain. Session 0's first one is a single line
    /// with a BOM before it and no newline after it.
    pub(super) fn acompact(&mut self, s: &Sess, summary: usize) -> io::Result<()> {
        let agent_id = format!("acompact-{}", self.hex(6));
        let rel = format!(
            "{}/{}/subagents/agent-{agent_id}.jsonl",
            s.ident.enc, s.ident.session_id
        );
        let framing = if self.must_show(Shape::Acompact) {
            Framing {
                bom: true,
                crlf: false,
                unterminated: true,
            }
        } else {
            self.framing()
        };
        let mut th = Thread {
            parent: s.main.parent.clone(),
            sidechain: true,
            agent: Some(agent_id),
            occ: s.main.occ,
            cached: s.main.cached.min(s.main.occ),
            model: s.main.model,
            t: s.main.t,
            one_hour: false,
            progress: None,
        };
        let mut out = self.open(&rel, framing)?;
        let blocks = [Block::Text(summary)];
        self.respond(&s.ident, &mut th, &mut out, &blocks, Corrupt::None, false)?;
        self.close(out)?;
        Ok(())
    }

    // ----- sessions of their own -------------------------------------------

    /// A session's header fields, registered in the session table.
    fn remnant_ident(&mut self, cwd: &str, subagents_only: bool) -> Ident {
        let session_id = self.uuid();
        self.sessions
            .push((session_id.clone(), cwd.to_owned(), subagents_only));
        Ident {
            idx: self.sessions.len() - 1,
            cwd: cwd.to_owned(),
            enc: encode_cwd(cwd),
            session_id,
            version: VERSIONS[2],
            branch: BRANCHES[self.rng.usize(0..BRANCHES.len())],
        }
    }

    /// A session that exists only as subagent files (its main file was
    /// deleted): one or two subagents and a compaction agent's file, all
    /// sidechain. It has tokens and a cost, no context; its project is the
    /// `cwd` of its subagents' lines. Returns its last time.
    pub(super) fn subagents_only_session(&mut self, cwd: &str, start: i64) -> io::Result<i64> {
        let ident = self.remnant_ident(cwd, true);
        let model = match self.rng.u32(0..4) {
            0 => MINIMAX,
            1 => HAIKU,
            _ => SONNET,
        };
        let sys_tokens = self.rng.u64(11_000..19_000);
        let mut s = Sess {
            main: Thread {
                parent: None,
                sidechain: false,
                agent: None,
                occ: sys_tokens,
                cached: sys_tokens / 2,
                model,
                t: start,
                one_hour: false,
                progress: None,
            },
            ident,
            sys_tokens,
            threshold: u64::MAX,
            limit: u64::MAX,
            layout: Layout::Nested,
            showcase: false,
        };
        for _ in 0..self.rng.usize(1..3) {
            let agent_id = self.hex(8);
            let rel = format!(
                "{}/{}/subagents/agent-{agent_id}.jsonl",
                s.ident.enc, s.ident.session_id
            );
            let prompt_len = self.rng.usize(200..1500);
            let mut th = Thread {
                parent: None,
                sidechain: true,
                agent: Some(agent_id),
                occ: self.rng.u64(6_000..14_000),
                cached: 0,
                model,
                t: s.main.t + self.rng.i64(1_000..60_000),
                one_hour: false,
                progress: None,
            };
            let framing = self.framing();
            let mut out = self.open(&rel, framing)?;
            let steps = self.rng.usize(1..5);
            self.agent_run(&s, &mut th, &mut out, prompt_len, steps)?;
            self.close(out)?;
            self.sidecar(&rel, "general-purpose")?;
            s.main.t = th.t;
        }
        s.main.occ += self.rng.u64(20_000..60_000);
        s.main.t += self.rng.i64(5_000..60_000);
        let summary = self.rng.usize(2_000..6_000);
        self.acompact(&s, summary)?;
        Ok(s.main.t + 1_000)
    }

    /// A session without any usage: the user queued a prompt and nothing
    /// answered yet. Its first line (a queue operation) has no `cwd`: the
    /// project comes from the prompt line after it. Returns its last time.
    pub(super) fn session_without_usage(&mut self, cwd: &str, start: i64) -> io::Result<i64> {
        let ident = self.remnant_ident(cwd, false);
        let framing = self.framing();
        let rel = format!("{}/{}.jsonl", ident.enc, ident.session_id);
        let mut out = self.open(&rel, framing)?;
        let n = self.rng.usize(20..400);
        self.buf.clear();
        self.push("{\"type\":\"queue-operation\",\"operation\":\"enqueue\",\"timestamp\":\"");
        self.ts(start);
        self.push("\",\"sessionId\":\"");
        self.push(&ident.session_id);
        self.push("\",\"content\":\"");
        let at = self.buf.len();
        self.text(n);
        let prompt = self.buf[at..].to_vec();
        self.push("\"}");
        self.emit_buf(&mut out, Meta::Plain)?;
        self.buf.clear();
        self.push("{\"type\":\"permission-mode\",\"permissionMode\":\"default\",\"sessionId\":\"");
        self.push(&ident.session_id);
        self.push("\"}");
        self.emit_buf(&mut out, Meta::Plain)?;
        let th = Thread {
            parent: None,
            sidechain: false,
            agent: None,
            occ: 0,
            cached: 0,
            model: SONNET,
            t: start + 150,
            one_hour: false,
            progress: None,
        };
        let uuid = self.uuid();
        self.head(&ident, &th);
        self.push("\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":\"");
        self.buf.extend_from_slice(&prompt);
        self.push("\"}");
        self.tail(&uuid, th.t);
        self.push("}");
        self.emit_buf(&mut out, Meta::Plain)?;
        self.buf.clear();
        self.push("{\"type\":\"last-prompt\",\"lastPrompt\":\"");
        self.buf.extend_from_slice(&prompt);
        self.push("\",\"sessionId\":\"");
        self.push(&ident.session_id);
        self.push("\"}");
        self.emit_buf(&mut out, Meta::Plain)?;
        self.close(out)?;
        Ok(th.t)
    }
}
