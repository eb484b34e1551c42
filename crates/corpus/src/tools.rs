//! What happens inside a turn: tool calls and their results, subagent
//! tasks in both file layouts, the assistant responses that carry usage
//! (with their streamed copies), and the deliberately broken lines.

use super::bytes::*;
use super::shapes::{ProgressTo, Shape};
use super::*;

/// The text of a tool result.
#[derive(Debug, Clone, Copy)]
pub(super) enum Body<'t> {
    /// About this many bytes of filler.
    Filler(usize),
    /// These bytes, already escaped for a JSON string.
    Escaped(&'t [u8]),
}

impl<'a> Gen<'a> {
    pub(super) fn tool_cycle(
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
        // Session 0's big result is written even past its budget.
        let size = if big && (remaining >= BIG_MIN || s.showcase) {
            self.rng.u64(BIG_MIN..=BIG_MAX).min(remaining.max(BIG_MIN)) as usize
        } else {
            self.result_len()
        };
        let tool_id = tool_id.unwrap_or_default();
        self.tool_result(
            &s.ident,
            &mut s.main,
            out,
            &tool_id,
            Body::Filler(size),
            name == "Bash" && size < 50_000,
            None,
        )
    }

    pub(super) fn tool_input_len(&mut self, name: &str) -> usize {
        match name {
            "Edit" | "Write" => self.rng.usize(100..4000),
            "TodoWrite" => self.rng.usize(100..800),
            _ => self.rng.usize(10..120),
        }
    }

    pub(super) fn result_len(&mut self) -> usize {
        match self.rng.u32(0..100) {
            0..=69 => self.rng.usize(100..4_000),
            70..=94 => self.rng.usize(4_000..30_000),
            _ => self.rng.usize(30_000..90_000),
        }
    }

    /// A subagent run (Task tool) in the given layout.
    pub(super) fn task(
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
        let model = if self.must_show(Shape::Routed) {
            MINIMAX_M3
        } else if self.rng.bool() {
            HAIKU
        } else {
            s.main.model
        };
        let mut th = Thread {
            parent: None,
            sidechain: true,
            agent: Some(agent_id.clone()),
            occ: self.rng.u64(6_000..14_000) + prompt_len as u64 / BYTES_PER_TOKEN,
            cached: 0,
            model,
            t: s.main.t + self.rng.i64(200..2_000),
            one_hour: false,
            progress: None,
        };
        let steps = self.rng.usize(1..8);
        match layout {
            Layout::InMain => self.agent_run(s, &mut th, out, prompt_len, steps)?,
            Layout::Flat => {
                let rel = format!("{}/agent-{agent_id}.jsonl", s.ident.enc);
                let framing = self.subagent_framing();
                let mut aout = self.open(&rel, framing)?;
                self.agent_run(s, &mut th, &mut aout, prompt_len, steps)?;
                self.close(aout)?;
            }
            Layout::Nested => {
                // 2.1.x copies each response into the parent's file too;
                // sometimes the subagent's own file is gone.
                th.progress = Some(Box::new(ProgressTo {
                    agent_id: agent_id.clone(),
                    tool_id: tool_id.clone(),
                    parent: s.main.parent.clone(),
                }));
                let keep = self.must_show(Shape::ProgressWithFile)
                    || !(self.must_show(Shape::ProgressOnly) || self.rng.u32(0..4) == 0);
                if keep {
                    let rel = format!(
                        "{}/{}/subagents/agent-{agent_id}.jsonl",
                        s.ident.enc, s.ident.session_id
                    );
                    let framing = self.subagent_framing();
                    let mut aout = self.open(&rel, framing)?;
                    self.agent_run(s, &mut th, &mut aout, prompt_len, steps)?;
                    self.close(aout)?;
                    self.sidecar(&rel, "general-purpose")?;
                } else {
                    let mut gone = Self::nowhere();
                    self.agent_run(s, &mut th, &mut gone, prompt_len, steps)?;
                }
                self.flush_progress(out)?;
            }
            Layout::Workflow => self.workflow(s, &mut th, prompt_len, steps)?,
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
            Body::Filler(size),
            false,
            Some(&extra),
        )
    }

    pub(super) fn agent_run(
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
            self.tool_result(&s.ident, th, out, &tool_id, Body::Filler(size), false, None)?;
        }
        let blocks = [Block::Text(self.rng.usize(200..2500))];
        self.respond(&s.ident, th, out, &blocks, Corrupt::None, false)?;
        Ok(())
    }

    /// A `tool_result` user line; `extra` replaces the default `toolUseResult`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn tool_result(
        &mut self,
        id: &Ident,
        th: &mut Thread,
        out: &mut Out,
        tool_id: &str,
        body: Body,
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
        let size = match body {
            Body::Filler(n) => {
                self.text(n);
                n
            }
            Body::Escaped(text) => {
                self.buf.extend_from_slice(text);
                text.len()
            }
        };
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
    pub(super) fn respond(
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
        // Another provider's model reports only reads and fresh input.
        let routed = Self::routed(th.model);
        let input = if routed {
            prompt - th.cached.min(prompt)
        } else {
            self.rng.u64(1..=12).min(prompt)
        };
        let cache_read = th.cached.min(prompt - input);
        let cache_creation = prompt - input - cache_read;
        let final_out = 8 + blocks.iter().map(Block::out_tokens).sum::<u64>() + self.rng.u64(5..80);
        // What decides the price besides the counts, the same in every copy.
        // A 1-hour thread writes all its cache for an hour or, one response
        // in three, a mix; one split in eight does not add up (its 5-minute
        // part is written short: the rest is 5-minute too, spec §6).
        let (write_5m, write_1h) = match th.one_hour {
            false => (cache_creation, 0),
            true if self.rng.u32(0..3) == 0 => {
                let h1 = cache_creation * self.rng.u64(1..4) / 4;
                (cache_creation - h1, h1)
            }
            true => (0, cache_creation),
        };
        let write_5m_written = if self.rng.u32(0..8) == 0 {
            write_5m / 2
        } else {
            write_5m
        };
        let fast = (th.model == OPUS48 || th.model == OPUS48_DOTTED) && self.rng.u32(0..3) == 0;
        let web_searches = if self.rng.u32(0..12) == 0 && !routed {
            self.rng.u64(1..6)
        } else {
            0
        };
        // Claude Code 2.1.x writes some Opus 4.8 responses with a dot.
        let model = if th.model == OPUS48 && self.rng.u32(0..4) == 0 {
            OPUS48_DOTTED
        } else {
            th.model
        };
        let bill = price::Bill {
            model,
            // Subagent lines carry no split: all their writes are 5-minute.
            write_1h: if th.sidechain { 0 } else { write_1h },
            fast,
            web_searches,
        };
        let n = blocks.len();
        // Some main-chain responses consulted an advisor (never in fast
        // mode: the steps are priced as their own model's, standard).
        let advisor = if !th.sidechain
            && !routed
            && !fast
            && (self.must_show(Shape::Advisor) || self.rng.u32(0..15) == 0)
        {
            self.advisor_steps()
        } else {
            Vec::new()
        };
        // Two copies of one response on one line (Claude Code 2.1.7 and
        // 2.1.12 did that), and a truncated copy right after a whole line.
        let glue_pair = n >= 2
            && corrupt == Corrupt::None
            && (self.must_show(Shape::GluedPair) || self.rng.u32(0..60) == 0);
        let glue_broken = corrupt == Corrupt::Truncate
            && !self.must_show(Shape::LoneTruncated)
            && (self.must_show(Shape::GluedBroken) || self.rng.bool());
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
            let bad = k == 0 && corrupt != Corrupt::None;
            let ts = th.t;
            let uuid = self.uuid();
            self.head(id, th);
            self.push("\"message\":");
            let msg_start = self.buf.len();
            self.push("{\"model\":\"");
            self.push(model);
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
            if bad && corrupt == Corrupt::BadCount {
                let v = self.bad_count();
                self.push(v);
            } else {
                self.num(output);
            }
            if !th.sidechain && !routed {
                self.push(",\"cache_creation\":{\"ephemeral_5m_input_tokens\":");
                self.num(write_5m_written);
                self.push(",\"ephemeral_1h_input_tokens\":");
                self.num(write_1h);
                self.push("}");
            }
            if web_searches > 0 {
                self.push(",\"server_tool_use\":{\"web_search_requests\":");
                self.num(web_searches);
                self.push(",\"web_fetch_requests\":0}");
            }
            self.push(",\"service_tier\":\"standard\",\"speed\":\"");
            self.push(if fast { "fast" } else { "standard" });
            self.push("\"");
            let steps = if advisor.is_empty() {
                Vec::new()
            } else {
                self.iterations(&tokens, &advisor, &key, ts, id.idx)
            };
            self.push("}}");
            let msg_end = self.buf.len();
            self.push(",\"requestId\":\"");
            self.push(&req_id);
            self.push("\",\"type\":\"assistant\"");
            self.tail(&uuid, ts);
            self.push("}");
            let meta = if bad {
                self.corrupt(corrupt);
                Meta::Bad(match corrupt {
                    Corrupt::Invalid => Skip::InvalidUtf8,
                    Corrupt::BadCount => Skip::InvalidUsage,
                    _ => Skip::Malformed,
                })
            } else {
                if spaced {
                    self.buf = spacify(&self.buf);
                }
                Meta::Usage {
                    key: key.clone(),
                    copy: Copy {
                        tokens,
                        bill,
                        main: !th.sidechain,
                        ts,
                        session: id.idx,
                    },
                    steps,
                }
            };
            if (glue_pair && k > 0) || (glue_broken && k == 0) {
                out.glue = true;
            }
            if let Some(to) = &th.progress
                && !matches!(meta, Meta::Bad(_))
            {
                let msg = self.buf[msg_start..msg_end].to_vec();
                self.queue_progress(id, to, &msg, &req_id, &uuid, ts, meta.clone());
            }
            self.emit_buf(out, meta)?;
            th.parent = Some(uuid);
            th.t += self.rng.i64(30..1_200);
        }
        th.cached = prompt;
        th.occ = prompt + final_out;
        Ok(tool_id)
    }

    /// Write one content block; returns the tool_use id for tool blocks.
    pub(super) fn block(&mut self, id: &Ident, block: Block) -> Option<String> {
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
            Block::ClosingRead => {
                let tid = format!("toolu_01{}", self.alnum(22));
                self.push("{\"type\":\"tool_use\",\"id\":\"");
                self.push(&tid);
                self.push("\",\"name\":\"Read\",\"input\":{\"file_path\":\"");
                self.push(&super::session::closing_read_path(id));
                self.push("\"}}");
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
    pub(super) fn corrupt(&mut self, how: Corrupt) {
        let b = &mut self.buf;
        match how {
            Corrupt::None | Corrupt::BadCount => {}
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
