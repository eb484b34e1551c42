//! The generator's life cycle and one session's flow: files opened and
//! closed, every line offered to the expected-answer table as it is
//! written, and the turns, resumes, snapshots and compactions of a session.

use super::bytes::*;
use super::tools::Body;
use super::*;

impl<'a> Gen<'a> {
    pub(super) fn new(projects_dir: PathBuf, spec: &'a CorpusSpec) -> Self {
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
            skipped: BTreeMap::new(),
            sessions: Vec::new(),
            top_items: Vec::new(),
            queued: Vec::new(),
            to_show: super::shapes::ALL_SHAPES,
        }
    }

    // ----- plan ------------------------------------------------------------

    pub(super) fn run(&mut self) -> io::Result<()> {
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
        // Some sessions run in a git worktree of their project (never a
        // resumed one or its source: those share their lines' cwd).
        let cwd: Vec<String> = (0..n)
            .map(|i| {
                let repo = &cwds[proj[i]];
                if i > 0 && src[i].is_none() && !is_source[i] && self.rng.u32(0..8) == 0 {
                    self.worktree_cwd(repo)
                } else {
                    repo.clone()
                }
            })
            .collect();
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
            let (end, cap) = self.session(i, &cwd[i], start, copy_from.as_deref(), is_source[i])?;
            ends[i] = end;
            captured[i] = cap;
            // Sessions without a conversation of their own: after session 0
            // one of each kind (in worktrees of its repository), then now
            // and then.
            let repo = &cwds[proj[i]];
            let later = end + self.rng.i64(MIN_MS..6 * HOUR_MS);
            if i == 0 {
                let t = self.subagents_only_session(&format!("{repo}/.worktrees/1"), later)?;
                let wt = self.worktree_cwd(repo);
                let at = t + self.rng.i64(MIN_MS..HOUR_MS);
                self.session_without_usage(&wt, at)?;
            } else if self.rng.u32(0..6) == 0 {
                if self.rng.bool() {
                    self.subagents_only_session(repo, later)?;
                } else {
                    self.session_without_usage(repo, later)?;
                }
            }
        }
        Ok(())
    }

    pub(super) fn finish(self) -> Expected {
        let mut e = Expected {
            files: self.paths.len() as u64,
            bytes: self.total_bytes,
            compactions: self.boundaries.len() as u64,
            skipped: self
                .skipped
                .iter()
                .map(|(why, n)| (why.to_string(), *n))
                .collect(),
            ..Expected::default()
        };
        // Newest main-chain record per session: (ts, seq, occupancy).
        let mut newest: HashMap<usize, (i64, u64, u64)> = HashMap::new();
        // Every session is listed, with or without usage.
        for s in 0..self.sessions.len() {
            self.session_entry(&mut e, s);
        }
        for w in self.winners.values() {
            let c = &w.c;
            let cost = super::price::picodollars(&c.tokens, &c.bill);
            e.totals.add(&c.tokens);
            e.records += 1;
            e.cost_picodollars += cost;
            let s = self.session_entry(&mut e, c.session);
            s.tokens.add(&c.tokens);
            s.records += 1;
            s.cost_picodollars += cost;
            let day = String::from_utf8_lossy(&ts_bytes(c.ts)[..10]).into_owned();
            *e.daily_cost_utc.entry(day.clone()).or_default() += cost;
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
        for (s, item) in &self.top_items {
            self.session_entry(&mut e, *s).top_item = Some(item.clone());
        }
        e
    }

    pub(super) fn session_entry<'e>(
        &self,
        e: &'e mut Expected,
        s: usize,
    ) -> &'e mut ExpectedSession {
        let (id, cwd, subagents_only) = &self.sessions[s];
        e.sessions
            .entry(id.clone())
            .or_insert_with(|| ExpectedSession {
                project: cwd.clone(),
                subagents_only: *subagents_only,
                ..ExpectedSession::default()
            })
    }

    // ----- output ----------------------------------------------------------

    /// A transcript at `rel` (under `projects/`), its lines framed as
    /// `framing` says.
    pub(super) fn open(&mut self, rel: &str, framing: shapes::Framing) -> io::Result<Out> {
        let path = self.projects_dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        let w = BufWriter::with_capacity(1 << 18, File::create(&path)?);
        self.paths.push(format!("projects/{rel}"));
        Ok(Out {
            w: Some(w),
            file: (self.paths.len() - 1) as u32,
            capture: None,
            framing,
            lines: 0,
            owed: false,
            last_good: false,
            glue: false,
        })
    }

    /// A transcript that was deleted: written nowhere, counting for nothing.
    pub(super) fn nowhere() -> Out {
        Out {
            w: None,
            file: u32::MAX,
            capture: None,
            framing: shapes::Framing::default(),
            lines: 0,
            owed: false,
            last_good: false,
            glue: false,
        }
    }

    pub(super) fn close(&mut self, out: Out) -> io::Result<Option<Capture>> {
        let Out {
            w,
            capture,
            framing,
            owed,
            ..
        } = out;
        let Some(mut w) = w else {
            return Ok(capture);
        };
        if owed && !framing.unterminated {
            let end = framing.line_end();
            w.write_all(end)?;
            self.total_bytes += end.len() as u64;
        }
        let mut f = w.into_inner().map_err(|e| e.into_error())?;
        f.flush()?;
        Ok(capture)
    }

    /// Offer one copy of a usage record to the dedup table.
    fn offer(&mut self, key: &str, copy: Copy, file: u32) {
        let w = Winner {
            c: copy,
            file,
            seq: self.seq,
        };
        match self.winners.get_mut(key) {
            Some(old) => {
                if better(&w, old, &self.paths) {
                    *old = w;
                }
            }
            None => {
                self.winners.insert(key.to_owned(), w);
            }
        }
    }

    pub(super) fn emit(&mut self, out: &mut Out, line: &[u8], meta: Meta) -> io::Result<()> {
        self.seq += 1;
        let Some(w) = out.w.as_mut() else {
            return Ok(());
        };
        let end = out.framing.line_end();
        // Two objects on one line only when the first is whole and the
        // second is not a blank or invalid UTF-8 (spec §2, v2).
        let glue = std::mem::take(&mut out.glue)
            && out.last_good
            && !line.is_empty()
            && std::str::from_utf8(line).is_ok();
        if out.owed && !glue {
            w.write_all(end)?;
            self.total_bytes += end.len() as u64;
        }
        if out.lines == 0 && out.framing.bom {
            w.write_all(shapes::BOM)?;
            self.total_bytes += shapes::BOM.len() as u64;
        }
        w.write_all(line)?;
        self.total_bytes += line.len() as u64;
        out.owed = true;
        out.lines += 1;
        out.last_good = !line.is_empty() && !matches!(meta, Meta::Bad(_));
        match &meta {
            Meta::Usage { key, copy, steps } => {
                self.offer(key, *copy, out.file);
                for (k, c) in steps {
                    self.offer(k, *c, out.file);
                }
            }
            Meta::Boundary { uuid, session } => {
                self.boundaries.entry(uuid.clone()).or_insert(*session);
            }
            Meta::Bad(why) => {
                // A broken object after a whole one on its line is still
                // one malformed line.
                *self.skipped.entry(why.name()).or_default() += 1;
            }
            Meta::Plain => {}
        }
        if let Some(c) = &mut out.capture
            && c.open
            && !matches!(meta, Meta::Bad(_))
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
    pub(super) fn emit_buf(&mut self, out: &mut Out, meta: Meta) -> io::Result<()> {
        let b = std::mem::take(&mut self.buf);
        let r = self.emit(out, &b, meta);
        self.buf = b;
        r
    }

    // ----- random helpers ----------------------------------------------------

    pub(super) fn uuid(&mut self) -> String {
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

    pub(super) fn hex(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b"0123456789abcdef"[self.rng.usize(0..16)]))
            .collect()
    }

    pub(super) fn alnum(&mut self, n: usize) -> String {
        (0..n).map(|_| self.rng.alphanumeric()).collect()
    }

    pub(super) fn pick_model(&mut self) -> &'static str {
        match self.rng.u32(0..20) {
            0..=11 => SONNET,
            12 | 13 => OPUS,
            14 => OPUS48,
            15 => OPUS48_DOTTED,
            // Claude Code routed to another provider.
            16 => MINIMAX,
            _ => HAIKU,
        }
    }

    /// Append about `n` bytes of JSON-string-safe filler text to `self.buf`.
    pub(super) fn text(&mut self, n: usize) {
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

    pub(super) fn push(&mut self, s: &str) {
        self.buf.extend_from_slice(s.as_bytes());
    }

    pub(super) fn num(&mut self, v: u64) {
        push_num(&mut self.buf, v);
    }

    pub(super) fn ts(&mut self, ms: i64) {
        self.buf.extend_from_slice(&ts_bytes(ms));
    }

    /// `{"parentUuid":…,"isSidechain":…,…,"gitBranch":"…",["agentId":"…",]`
    pub(super) fn head(&mut self, id: &Ident, th: &Thread) {
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

    pub(super) fn head_rest(&mut self, id: &Ident, th: &Thread) {
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
    pub(super) fn tail(&mut self, uuid: &str, ts: i64) {
        self.push(",\"uuid\":\"");
        self.push(uuid);
        self.push("\",\"timestamp\":\"");
        self.ts(ts);
        self.push("\"");
    }

    pub(super) fn over(&self, s: &Sess) -> bool {
        self.total_bytes >= s.limit
    }

    // ----- a session ---------------------------------------------------------

    pub(super) fn session(
        &mut self,
        idx: usize,
        cwd: &str,
        start: i64,
        copy_from: Option<&[Captured]>,
        capture: bool,
    ) -> io::Result<(i64, Option<Vec<Captured>>)> {
        let session_id = self.uuid();
        self.sessions
            .push((session_id.clone(), cwd.to_string(), false));
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
            idx: self.sessions.len() - 1,
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
        // Session 0 shows every feature: fast mode needs Opus 4.8, mixed
        // cache-write splits a 1-hour thread.
        let (model, one_hour) = if idx == 0 {
            (OPUS48, true)
        } else {
            (model, one_hour)
        };
        let threshold = self.rng.u64(150_000..185_000);
        let closing = self.rng.usize(CLOSING_READ);
        // Session 0's main file starts with a BOM and ends without a
        // newline (its last line is its context record).
        let mut framing = self.framing();
        if idx == 0 {
            (framing.bom, framing.crlf, framing.unterminated) = (true, false, true);
        }
        let mut out = self.open(
            &format!("{}/{}.jsonl", ident.enc, ident.session_id),
            framing,
        )?;
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
                progress: None,
            },
            ident,
            sys_tokens,
            threshold,
            limit: self.total_bytes + budget.saturating_sub(closing as u64 + CLOSING_REST),
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
        self.closing_read(&mut s, &mut out, closing)?;
        let cap = self.close(out)?;
        Ok((s.main.t, cap.map(|c| c.lines)))
    }

    /// Copy an earlier session's history verbatim (lines keep their sessionId).
    pub(super) fn resume(
        &mut self,
        s: &mut Sess,
        out: &mut Out,
        lines: &[Captured],
    ) -> io::Result<()> {
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

    pub(super) fn turn(&mut self, s: &mut Sess, out: &mut Out, turn: usize) -> io::Result<()> {
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
        // Newer versions clear old tool results now and then.
        if s.main.occ > s.sys_tokens + 30_000
            && (self.must_show(super::shapes::Shape::Microcompact) || self.rng.u32(0..15) == 0)
        {
            self.microcompact(s, out)?;
        }
        if s.showcase && turn == 3 {
            // Claude Code 2.1.x writes some Opus 4.8 responses dotted.
            s.main.model = OPUS48_DOTTED;
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
            } else if show && turn == 3 && c == 1 {
                Corrupt::BadCount
            } else if show && turn == 4 && c == 0 {
                Corrupt::Truncate
            } else {
                match self.rng.u32(0..800) {
                    0 => Corrupt::Truncate,
                    1 => Corrupt::Invalid,
                    2 => Corrupt::BadCount,
                    _ => Corrupt::None,
                }
            };
            let sub = match (show, turn, c) {
                (true, 1, 1) => Some(Layout::Nested),
                (true, 2, 1) => Some(Layout::Flat),
                (true, 3, 0) => Some(Layout::InMain),
                (true, 3, 2) => Some(Layout::Nested),
                (true, 4, 1) => Some(Layout::Workflow),
                // Session 0's first turns hold the rest of its features.
                _ if show => None,
                // 2.1.x starts subagents more often, and workflows of them.
                _ if self
                    .rng
                    .u32(0..if s.layout == Layout::Nested { 10 } else { 30 })
                    == 0 =>
                {
                    Some(s.layout)
                }
                _ if s.layout == Layout::Nested && self.rng.u32(0..40) == 0 => {
                    Some(Layout::Workflow)
                }
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
            self.emit_buf(out, Meta::Bad(Skip::Blank))?;
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
            self.emit_buf(out, Meta::Bad(Skip::InvalidUtf8))?;
        }
        Ok(())
    }

    /// The session's last turn: the user compacts, then asks about one
    /// generated file of about `size` bytes; its `Read` result is what
    /// fills most of the context from then on (see [`ExpectedItem`]).
    pub(super) fn closing_read(
        &mut self,
        s: &mut Sess,
        out: &mut Out,
        size: usize,
    ) -> io::Result<()> {
        self.compact(s, out, "manual")?;
        s.main.t += self.rng.i64(5_000..120_000);
        self.user_prompt(s, out)?;
        let blocks = [Block::Text(self.rng.usize(50..600)), Block::ClosingRead];
        let tool_id = self
            .respond(&s.ident, &mut s.main, out, &blocks, Corrupt::None, false)?
            .unwrap_or_default();
        let (text, lines, decoded) = self.listing(size);
        let path = closing_read_path(&s.ident);
        let extra = format!(
            "{{\"type\":\"text\",\"file\":{{\"filePath\":\"{path}\",\"numLines\":{lines},\"startLine\":1,\"totalLines\":{lines}}}}}"
        );
        self.tool_result(
            &s.ident,
            &mut s.main,
            out,
            &tool_id,
            Body::Escaped(&text),
            false,
            Some(&extra),
        )?;
        let blocks = [Block::Text(self.rng.usize(100..1_500))];
        self.respond(&s.ident, &mut s.main, out, &blocks, Corrupt::None, false)?;
        self.top_items.push((
            s.ident.idx,
            ExpectedItem {
                tool: "Read".to_owned(),
                target: path,
                bytes: decoded,
            },
        ));
        Ok(())
    }

    /// A source file as the `Read` tool shows it (numbered lines), at least
    /// `size` bytes once decoded, as JSON string content; with its line
    /// count and decoded length.
    pub(super) fn listing(&mut self, size: usize) -> (Vec<u8>, usize, u64) {
        const CODE: [&str; 12] = [
            "// Generated bindings: do not edit.",
            "use std::collections::HashMap;",
            "pub fn parse(input: &str) -> Result<Config, Error> {",
            "    let mut seen = HashMap::new();",
            "    for (i, line) in input.lines().enumerate() {",
            "        let value = line.trim();",
            "        if value.is_empty() { continue; }",
            "        seen.insert(i, value.to_owned());",
            "    }",
            "    Ok(Config { entries: seen })",
            "}",
            "",
        ];
        let (mut text, mut lines, mut decoded) = (Vec::with_capacity(size + size / 8), 0, 0u64);
        while decoded < size as u64 {
            lines += 1;
            let code = CODE[self.rng.usize(0..CODE.len())];
            let number = format!("{lines:>6}");
            text.extend_from_slice(number.as_bytes());
            text.extend_from_slice(b"\\t");
            text.extend_from_slice(code.as_bytes());
            text.extend_from_slice(b"\\n");
            // The two escapes are one byte each once decoded.
            decoded += (number.len() + 1 + code.len() + 1) as u64;
        }
        (text, lines, decoded)
    }

    pub(super) fn snapshot(&mut self, s: &Sess, out: &mut Out) -> io::Result<()> {
        let id = self.uuid();
        self.buf.clear();
        self.push("{\"type\":\"file-history-snapshot\",\"messageId\":\"");
        self.push(&id);
        self.push("\",\"snapshot\":{\"trackedFileBackups\":{},\"timestamp\":\"");
        self.ts(s.main.t);
        self.push("\"},\"isSnapshotUpdate\":false}");
        self.emit_buf(out, Meta::Plain)
    }

    pub(super) fn user_prompt(&mut self, s: &mut Sess, out: &mut Out) -> io::Result<()> {
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
    pub(super) fn synthetic(&mut self, s: &mut Sess, out: &mut Out) -> io::Result<()> {
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

    pub(super) fn maybe_compact(&mut self, s: &mut Sess, out: &mut Out) -> io::Result<()> {
        if s.main.occ > s.threshold {
            self.compact(s, out, "auto")?;
        }
        Ok(())
    }

    pub(super) fn compact(&mut self, s: &mut Sess, out: &mut Out, trigger: &str) -> io::Result<()> {
        let n = self.rng.usize(2_000..9_000);
        // 2.1.x writes the summary with a compaction agent of its own.
        if s.layout == Layout::Nested
            && (self.pending(super::shapes::Shape::Acompact) || self.rng.u32(0..4) != 0)
        {
            self.acompact(s, n)?;
        }
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
}

/// The file a session's closing turn reads, inside its project.
pub(super) fn closing_read_path(id: &Ident) -> String {
    format!("{}/src/generated/bindings_{}.rs", id.cwd, id.idx)
}
