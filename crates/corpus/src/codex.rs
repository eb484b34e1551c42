//! Codex CLI rollouts, generated like the Claude Code transcripts: a Codex
//! home's `sessions/YYYY/MM/DD/rollout-<time>-<id>.jsonl`, shaped as Codex
//! writes them (ccwatch's docs/codex-rollouts.md): a `session_meta` first,
//! a `turn_context` per turn, response items (messages, encrypted
//! reasoning, tool calls and their output), and a `token_count` after each
//! model response, some with `info: null`, some written twice (a rate-limit
//! update), and forked sessions that copy their parent's rollout verbatim
//! (new timestamps) before going on. The expected answers are worked out as
//! the lines are written: a response counts once, in the session that
//! first wrote it, with `output_tokens` as its output (reasoning inside).

use super::bytes::{civil_from_days, make_pool, safe_cut, ts_bytes};
use super::{DAY_MS, Expected, ExpectedSession, Tokens4};
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodexSpec {
    /// Total bytes of rollouts to write; reached within a few percent.
    pub target_bytes: u64,
    pub sessions: usize,
    pub seed: u64,
    pub projects: usize,
}

impl Default for CodexSpec {
    fn default() -> Self {
        CodexSpec {
            target_bytes: 4 << 20,
            sessions: 12,
            seed: 7,
            projects: 3,
        }
    }
}

/// 2026-10-02T08:00:00Z.
const BASE_MS: i64 = 1_790_928_000_000;
const WINDOW: u64 = 272_000;

/// (model, input, cached input, output) in picodollars per token: OpenAI's
/// prices as LiteLLM lists them.
const MODELS: [(&str, u64, u64, u64); 3] = [
    ("gpt-5-codex", 1_250_000, 125_000, 10_000_000),
    ("gpt-5.1-codex-max", 1_250_000, 125_000, 10_000_000),
    ("gpt-5.1-codex-mini", 250_000, 25_000, 2_000_000),
];

/// Codex's five counts of one response.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Usage {
    input: u64,
    cached: u64,
    output: u64,
    reasoning: u64,
}

impl Usage {
    fn json(&self) -> String {
        format!(
            r#"{{"input_tokens":{},"cached_input_tokens":{},"output_tokens":{},"reasoning_output_tokens":{},"total_tokens":{}}}"#,
            self.input,
            self.cached,
            self.output,
            self.reasoning,
            self.input + self.output
        )
    }

    fn add(&mut self, o: &Usage) {
        self.input += o.input;
        self.cached += o.cached;
        self.output += o.output;
        self.reasoning += o.reasoning;
    }

    fn tokens(&self) -> Tokens4 {
        Tokens4 {
            input: self.input - self.cached,
            output: self.output,
            cache_creation: 0,
            cache_read: self.cached,
        }
    }
}

/// A finished session a later fork may copy.
struct Written {
    id: String,
    lines: Vec<String>,
    total: Usage,
    occ: u64,
    end: i64,
    model: usize,
    cwd: String,
}

struct CodexGen {
    rng: fastrand::Rng,
    pool: Vec<u8>,
    root: std::path::PathBuf,
    ex: Expected,
    written: Vec<Written>,
}

/// Write rollouts under `home/sessions/` and return their expected answers.
pub fn generate_codex(home: &Path, spec: &CodexSpec) -> io::Result<Expected> {
    let mut rng = fastrand::Rng::with_seed(spec.seed);
    let pool = make_pool(&mut rng);
    let mut g = CodexGen {
        rng,
        pool,
        root: home.join("sessions"),
        ex: Expected::default(),
        written: Vec::new(),
    };
    let sessions = spec.sessions.max(1);
    let per_session = spec.target_bytes / sessions as u64;
    for i in 0..sessions {
        let start = BASE_MS + (i as i64) * (7 * DAY_MS / sessions as i64);
        // Every fourth session after the first few forks an earlier one.
        let fork = (i >= 3 && i % 4 == 3).then(|| g.rng.usize(0..g.written.len()));
        g.session(i, start, per_session, fork, spec.projects.max(1))?;
    }
    Ok(g.ex)
}

impl CodexGen {
    /// Filler of `min` bytes plus up to `spread` more.
    fn text_of(&mut self, min: usize, spread: usize) -> String {
        let len = min + self.rng.usize(0..spread.max(1));
        self.text(len)
    }

    fn text(&mut self, len: usize) -> String {
        let mut at = self.rng.usize(0..self.pool.len() - len - 8);
        while !safe_cut(&self.pool, at) {
            at += 1;
        }
        let mut end = at + len;
        while !safe_cut(&self.pool, end) {
            end += 1;
        }
        String::from_utf8_lossy(&self.pool[at..end]).into_owned()
    }

    fn id(&mut self) -> String {
        let r = &mut self.rng;
        format!(
            "{:08x}-{:04x}-7{:03x}-{:04x}-{:012x}",
            r.u32(..),
            r.u16(..),
            r.u16(..0x1000),
            r.u16(0x8000..0xc000),
            r.u64(..1 << 48)
        )
    }

    fn line(ts: i64, kind: &str, payload: &str) -> String {
        let ts = String::from_utf8_lossy(&ts_bytes(ts)).into_owned();
        format!(r#"{{"timestamp":"{ts}","type":"{kind}","payload":{payload}}}"#)
    }

    fn rate_limits(&mut self, t: i64) -> String {
        let p = self.rng.u32(0..1000) as f64 / 10.0;
        let s = self.rng.u32(0..1000) as f64 / 10.0;
        let reset = t / 1000 + self.rng.i64(60..18_000);
        format!(
            r#"{{"primary":{{"used_percent":{p},"window_minutes":300,"resets_at":{reset}}},"secondary":{{"used_percent":{s},"window_minutes":10080,"resets_at":{}}}}}"#,
            reset + 400_000
        )
    }

    fn session(
        &mut self,
        i: usize,
        mut t: i64,
        budget: u64,
        fork: Option<usize>,
        projects: usize,
    ) -> io::Result<()> {
        let id = self.id();
        let (mut lines, mut total, mut occ, model, cwd) = match fork {
            Some(p) => {
                let parent = &self.written[p];
                t = t.max(parent.end + 60_000);
                (
                    Vec::new(),
                    parent.total,
                    parent.occ,
                    parent.model,
                    parent.cwd.clone(),
                )
            }
            None => (
                Vec::new(),
                Usage::default(),
                9_000 + self.rng.u64(0..4_000),
                i % MODELS.len(),
                format!("/home/dev/src/codex-{}", i % projects),
            ),
        };
        let started = t;
        let forked = fork.map_or(String::new(), |p| {
            format!(r#","forked_from_id":"{}""#, self.written[p].id)
        });
        let instructions = self.text_of(2_000, 4_000);
        let meta = format!(
            r#"{{"id":"{id}","timestamp":"{}","cwd":"{cwd}","originator":"codex_cli_rs","cli_version":"0.63.0","instructions":"{instructions}","source":"cli","model_provider":"openai"{forked}}}"#,
            String::from_utf8_lossy(&ts_bytes(t))
        );
        lines.push(Self::line(t, "session_meta", &meta));
        if let Some(p) = fork {
            // The parent's rollout, as it was, with the fork's time.
            let copied: Vec<String> = self.written[p].lines.clone();
            for l in copied {
                t += 1;
                let ts = String::from_utf8_lossy(&ts_bytes(t)).into_owned();
                // Every line starts `{"timestamp":"<24 bytes>"`.
                lines.push(format!(r#"{{"timestamp":"{ts}"{}"#, &l[39..]));
            }
        }
        let name = MODELS[model].0;
        let mut bytes: u64 = lines.iter().map(|l| l.len() as u64 + 1).sum();
        let mut own = Vec::new();
        let mut last: Option<(Usage, i64)> = None;
        let mut first = fork.is_none();
        while bytes < budget || own.is_empty() {
            t += self.rng.i64(20_000..300_000);
            let mut turn = Vec::new();
            turn.push(Self::line(
                t,
                "turn_context",
                &format!(
                    r#"{{"cwd":"{cwd}","approval_policy":"on-request","sandbox_policy":{{"mode":"workspace-write"}},"model":"{name}","effort":"medium","summary":"auto"}}"#
                ),
            ));
            let ask = self.text_of(40, 400);
            turn.push(Self::line(
                t,
                "response_item",
                &format!(
                    r#"{{"type":"message","role":"user","content":[{{"type":"input_text","text":"{ask}"}}]}}"#
                ),
            ));
            turn.push(Self::line(
                t,
                "event_msg",
                r#"{"type":"task_started","model_context_window":272000}"#,
            ));
            if first {
                // Before the first response: rate limits only.
                let rl = self.rate_limits(t);
                turn.push(Self::line(
                    t,
                    "event_msg",
                    &format!(r#"{{"type":"token_count","info":null,"rate_limits":{rl}}}"#),
                ));
                first = false;
            }
            occ += ask.len() as u64 / 4;
            for step in 0..1 + self.rng.usize(0..5) {
                t += self.rng.i64(3_000..60_000);
                let reasoning = 20 + self.rng.u64(0..1_500);
                let output = reasoning + 30 + self.rng.u64(0..800);
                let cached = if step == 0 && own.is_empty() && fork.is_none() {
                    0
                } else {
                    (occ * 9 / 10) / 256 * 256
                };
                let usage = Usage {
                    input: occ,
                    cached,
                    output,
                    reasoning,
                };
                let enc = self.text(reasoning as usize * 2 % 6_000 + 100);
                turn.push(Self::line(
                    t,
                    "response_item",
                    &format!(
                        r#"{{"type":"reasoning","summary":[{{"type":"summary_text","text":"**Looking into it**"}}],"content":null,"encrypted_content":"{enc}"}}"#
                    ),
                ));
                let tool_out = if self.rng.u32(0..30) == 0 {
                    self.text_of(100_000, 150_000)
                } else {
                    self.text_of(200, 12_000)
                };
                let call = self.rng.u64(..);
                turn.push(Self::line(
                    t,
                    "response_item",
                    &format!(
                        r#"{{"type":"function_call","name":"shell","arguments":"{{\"command\":[\"bash\",\"-lc\",\"rg -n parse src\"]}}","call_id":"call_{call:x}"}}"#
                    ),
                ));
                turn.push(Self::line(
                    t + 900,
                    "response_item",
                    &format!(
                        r#"{{"type":"function_call_output","call_id":"call_{call:x}","output":"{tool_out}"}}"#
                    ),
                ));
                total.add(&usage);
                let rl = self.rate_limits(t);
                let count = format!(
                    r#"{{"type":"token_count","info":{{"total_token_usage":{},"last_token_usage":{},"model_context_window":{WINDOW}}},"rate_limits":{rl}}}"#,
                    total.json(),
                    usage.json()
                );
                turn.push(Self::line(t + 1, "event_msg", &count));
                if self.rng.u32(0..4) == 0 {
                    // Only the rate limits changed: the same info again.
                    let rl = self.rate_limits(t);
                    let again = format!(
                        r#"{{"type":"token_count","info":{{"total_token_usage":{},"last_token_usage":{},"model_context_window":{WINDOW}}},"rate_limits":{rl}}}"#,
                        total.json(),
                        usage.json()
                    );
                    turn.push(Self::line(t + 2, "event_msg", &again));
                }
                own.push((usage, t + 1));
                last = Some((usage, t + 1));
                occ += output + tool_out.len() as u64 / 4;
                if occ > WINDOW * 9 / 10 {
                    let summary = self.text(3_000);
                    turn.push(Self::line(
                        t + 3,
                        "compacted",
                        &format!(r#"{{"message":"{summary}"}}"#),
                    ));
                    occ = 12_000 + summary.len() as u64 / 4;
                }
            }
            let reply = self.text_of(100, 1_500);
            turn.push(Self::line(
                t + 5,
                "response_item",
                &format!(
                    r#"{{"type":"message","role":"assistant","content":[{{"type":"output_text","text":"{reply}"}}]}}"#
                ),
            ));
            turn.push(Self::line(
                t + 5,
                "event_msg",
                &format!(r#"{{"type":"agent_message","message":"{reply}"}}"#),
            ));
            turn.push(Self::line(
                t + 6,
                "event_msg",
                r#"{"type":"task_complete","last_agent_message":null}"#,
            ));
            occ += reply.len() as u64 / 4;
            bytes += turn.iter().map(|l| l.len() as u64 + 1).sum::<u64>();
            lines.extend(turn);
        }
        // Each file counts the compactions it holds, copies included.
        let compactions = lines
            .iter()
            .filter(|l| l.contains(r#","type":"compacted","#))
            .count() as u64;
        self.ex.compactions += compactions;
        // The expected answers: this session's own responses only.
        let (_, input_price, cached_price, output_price) = MODELS[model];
        let entry = self
            .ex
            .sessions
            .entry(id.clone())
            .or_insert_with(|| ExpectedSession {
                project: cwd.clone(),
                compactions,
                ..Default::default()
            });
        for (u, at) in &own {
            let tokens = u.tokens();
            let cost = tokens.input * input_price
                + tokens.cache_read * cached_price
                + tokens.output * output_price;
            entry.tokens.add(&tokens);
            entry.records += 1;
            entry.cost_picodollars += cost;
            self.ex.totals.add(&tokens);
            self.ex.records += 1;
            self.ex.cost_picodollars += cost;
            let day = day_of(*at);
            self.ex
                .daily_utc
                .entry(day.clone())
                .or_default()
                .add(&tokens);
            *self.ex.daily_cost_utc.entry(day).or_default() += cost;
        }
        if let Some((u, at)) = last {
            entry.context_occupancy = Some(u.input);
            entry.context_timestamp = Some(String::from_utf8_lossy(&ts_bytes(at)).into_owned());
        }
        // Write the file.
        let (y, m, d) = civil_from_days(started.div_euclid(DAY_MS));
        let dir = self.root.join(format!("{y:04}/{m:02}/{d:02}"));
        fs::create_dir_all(&dir)?;
        let stamp = String::from_utf8_lossy(&ts_bytes(started))[..19].replace(':', "-");
        let path = dir.join(format!("rollout-{stamp}-{id}.jsonl"));
        let mut w = BufWriter::new(File::create(path)?);
        for l in &lines {
            w.write_all(l.as_bytes())?;
            w.write_all(b"\n")?;
            self.ex.bytes += l.len() as u64 + 1;
        }
        w.flush()?;
        self.ex.files += 1;
        // What a fork would copy: this file's own lines after its meta.
        self.written.push(Written {
            id,
            lines,
            total,
            occ,
            end: t + 10,
            model,
            cwd,
        });
        Ok(())
    }
}

fn day_of(ms: i64) -> String {
    String::from_utf8_lossy(&ts_bytes(ms))[..10].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(dir: &Path) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    let rel = p.strip_prefix(dir).unwrap().display().to_string();
                    out.push((rel, fs::read_to_string(&p).unwrap()));
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn the_same_spec_writes_the_same_rollouts_with_forks_and_re_emits() {
        let spec = CodexSpec {
            target_bytes: 1 << 20,
            sessions: 8,
            ..CodexSpec::default()
        };
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let ea = generate_codex(a.path(), &spec).unwrap();
        generate_codex(b.path(), &spec).unwrap();
        let files = read_all(a.path());
        assert_eq!(files, read_all(b.path()));
        assert_eq!(files.len() as u64, ea.files);
        assert!(files.iter().all(|(p, _)| p.contains("/rollout-")));
        // Sessions 3 and 7 fork: their files hold two session_meta lines.
        let forks = files
            .iter()
            .filter(|(_, text)| text.matches(r#""type":"session_meta""#).count() > 1)
            .count();
        assert_eq!(forks, 2);
        let counts: usize = files
            .iter()
            .map(|(_, t)| t.matches(r#""type":"token_count","info":{"#).count())
            .sum();
        // Copies and re-emits are written but counted once.
        assert!(counts as u64 > ea.records, "{counts} vs {}", ea.records);
        assert_eq!(ea.sessions.len(), 8);
    }
}
