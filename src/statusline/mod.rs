//! `ccwatch statusline`: the one line Claude Code shows under its prompt.
//!
//! Claude Code runs the command after every message with a JSON object on
//! stdin and shows what it prints. The answer must come in milliseconds
//! whatever the size of the history, and must never be an error message:
//! the context comes from the stdin JSON or the end of one transcript
//! (`tail.rs`), today's and the block's cost from a small incremental cache
//! (`cache/`). Each call also leaves what Claude Code sent about the session
//! as a hint for the dashboard (`crate::hints`). Reading flags and printing
//! is `commands/statusline.rs`.

pub mod cache;
pub mod input;
pub mod line;
pub mod recent;
pub mod tail;

pub use line::{BlockShown, ContextShown, Facts, render};

use crate::cost::{ModelPrice, Pricer};
use crate::format;
use crate::ledger::WindowPolicy;
use crate::record::Millis;
use crate::report::blocks;
use crate::report::{Entry, Zone};
use crate::source::discover::ProjectsDir;
use cache::{Cache, CachedContext};
use input::Input;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tail::LastContext;

/// What the line is printed when the input cannot be used at all.
pub const FALLBACK: &str = "ccwatch: no status (see ccwatch statusline --debug)";

/// Everything a call needs besides stdin.
#[derive(Debug)]
pub struct Env {
    pub roots: Vec<ProjectsDir>,
    pub line_cap: usize,
    pub window: WindowPolicy,
    pub cache_path: Option<PathBuf>,
    /// Where the call leaves its status-line hint (see `crate::hints`).
    pub hints_dir: Option<PathBuf>,
    pub zone: Zone,
    pub now: Millis,
    pub pricer: Pricer,
}

/// Work out the line's facts; `notes` collects what `--debug` reports.
pub fn facts(stdin: &[u8], env: &mut Env, notes: &mut Vec<String>) -> Result<Facts, String> {
    let input = Input::parse(stdin)?;
    if let Some(dir) = &env.hints_dir
        && let Some(hint) = crate::hints::Hint::of(&input, env.now)
        && let Err(e) = crate::hints::write(dir, &hint)
    {
        notes.push(format!("could not save the hint in {}: {e}", dir.display()));
    }
    let mut facts = Facts {
        model: input.model_name.clone().or_else(|| {
            input
                .model_id
                .as_deref()
                .map(|m| format::short_model(m).to_owned())
        }),
        session_cost: input.session_cost,
        ..Facts::default()
    };
    let started = std::time::Instant::now();
    let mut cache = Cache::load(env.cache_path.as_deref(), &env.roots, env.line_cap);
    notes.push(format!("cache loaded in {:.2?}", started.elapsed()));
    facts.context = context(&input, env, &mut cache, &mut facts.model, notes);
    notes.push(format!("context in {:.2?}", started.elapsed()));
    let hot = hot_files(input.transcript_path.as_deref());
    let read = cache.refresh(&env.roots, env.line_cap, env.now, &hot);
    if let Err(e) = cache.save() {
        notes.push(format!("could not save the cache: {e}"));
    }
    notes.push(format!(
        "cache: {} known, {read} read, in {:.2?}",
        crate::format::count(cache.files() as u64, "file", "files"),
        started.elapsed()
    ));
    let entries = priced(&cache, &mut env.pricer);
    notes.push(format!(
        "{} recent records priced at {:.2?}",
        entries.len(),
        started.elapsed()
    ));
    if !env.roots.is_empty() {
        let today = env.zone.date(env.now);
        facts.today_cost = Some(
            entries
                .iter()
                .filter(|e| env.zone.date(e.timestamp) == today)
                .map(|e| e.cost)
                .sum(),
        );
        let all = blocks::build(&entries, env.now);
        facts.block = Some(all.last().filter(|b| b.active).map(|b| BlockShown {
            cost: b.usage.cost,
            minutes_left: (b.end - env.now) as f64 / 60_000.0,
            rate: blocks::burn_rate(b),
        }));
        notes.push(format!("blocks at {:.2?}", started.elapsed()));
    } else {
        notes.push("no Claude Code data directory found: no today/block figures".into());
    }
    if facts.session_cost.is_none()
        && let (Some(id), Some(path)) = (&input.session_id, &input.transcript_path)
    {
        facts.session_cost = session_cost(id, path, env);
    }
    Ok(facts)
}

/// The recent records as report entries, priced (once per model where the
/// price is calculated).
fn priced(cache: &Cache, pricer: &mut Pricer) -> Vec<Entry> {
    let mut models: Vec<Option<(Arc<str>, Option<ModelPrice>)>> = Vec::new();
    let empty: Arc<str> = "".into();
    cache
        .recent()
        .into_iter()
        .map(|r| {
            let i = r.model as usize;
            if models.len() <= i {
                models.resize(i + 1, None);
            }
            let (model, price) = models[i]
                .get_or_insert_with(|| {
                    let name = cache.model(r.model);
                    (name.into(), pricer.price_of(name))
                })
                .clone();
            let tokens = r.tokens();
            let cost = pricer.charge(price, &tokens, &r.billing, r.cost_usd);
            Entry {
                timestamp: r.ts,
                session: empty.clone(),
                project: empty.clone(),
                model,
                agent: crate::agent::Agent::Claude,
                tokens,
                cost: cost.unwrap_or(0.0),
                priced: cost.is_some(),
            }
        })
        .collect()
}

/// From `context_window.current_usage` when Claude Code sends it, else from
/// the end of the transcript (spec §4's formula either way).
fn context(
    input: &Input,
    env: &Env,
    cache: &mut Cache,
    model: &mut Option<String>,
    notes: &mut Vec<String>,
) -> Option<ContextShown> {
    let model_id = input.model_id.as_deref().unwrap_or("");
    let sent = input.context.as_ref();
    if let Some(t) = sent.and_then(|c| c.current) {
        let tokens = t.prompt();
        let window = sent
            .and_then(|c| c.size)
            .unwrap_or_else(|| env.window.window(model_id, tokens));
        return Some(ContextShown::Used { tokens, window });
    }
    let path = input.transcript_path.as_deref()?;
    let (last, orphan) = match transcript_context(path, cache) {
        Ok(found) => found,
        Err(e) => {
            notes.push(format!(
                "cannot read the transcript {}: {e}",
                path.display()
            ));
            return None;
        }
    };
    let Some(last) = last else {
        notes.push(format!("no usage yet in {}", path.display()));
        return orphan.map(ContextShown::Compacted);
    };
    if model.is_none() {
        *model = Some(format::short_model(&last.model).to_owned());
    }
    if let Some(pre) = last.compacted_before {
        return Some(ContextShown::Compacted(pre));
    }
    let tokens = last.tokens().prompt();
    let window = sent.and_then(|c| c.size).unwrap_or_else(|| {
        let id = if model_id.is_empty() {
            &last.model
        } else {
            model_id
        };
        env.window.window(id, tokens)
    });
    Some(ContextShown::Used { tokens, window })
}

/// The newest main-chain record of a transcript (and a compaction with no
/// record before it), reading only what was appended since the last call.
type Context = (Option<LastContext>, Option<Option<u64>>);

fn transcript_context(path: &Path, cache: &mut Cache) -> std::io::Result<Context> {
    let meta = std::fs::metadata(path)?;
    let identity = crate::source::tail::FileIdentity::of(&meta);
    let key = path.to_string_lossy().into_owned();
    let prev = cache
        .context_of(&key)
        .filter(|p| p.identity == identity && p.end <= meta.len())
        .cloned();
    let found = tail::last_context(path, prev.as_ref().map_or(0, |p| p.end))?;
    let (last, orphan) = match (found.context, prev) {
        (Some(c), _) => (Some(c), None),
        (None, Some(p)) => match p.last {
            Some(mut l) => {
                if found.compaction.is_some() {
                    l.compacted_before = found.compaction;
                }
                (Some(l), None)
            }
            None => (None, found.compaction.or(p.orphan_compaction)),
        },
        (None, None) => (None, found.compaction),
    };
    cache.remember_context(CachedContext {
        path: key,
        identity,
        end: found.end,
        last: last.clone(),
        orphan_compaction: orphan,
    });
    Ok((last, orphan))
}

/// The session's transcript and its subagents' (newer layout).
fn hot_files(transcript: Option<&Path>) -> Vec<PathBuf> {
    let Some(t) = transcript else {
        return Vec::new();
    };
    let mut out = vec![t.to_path_buf()];
    if let Ok(dir) = std::fs::read_dir(t.with_extension("").join("subagents")) {
        out.extend(
            dir.flatten()
                .map(|e| e.path())
                .filter(|p| crate::source::discover::is_transcript(p)),
        );
    }
    out
}

/// Every file that may hold the session's records: its transcript, its
/// subagents in the newer layout (workflow subagents included) and the
/// older layout's `agent-*.jsonl` beside the transcript. The older ones
/// hold other sessions' subagents too: the caller keeps only this
/// session's records, as the reports do.
fn session_files(transcript: &Path) -> Vec<PathBuf> {
    fn agent_files(dir: &Path) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| e.path())
            .filter(|p| {
                crate::source::discover::is_transcript(p)
                    && p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with("agent-"))
            })
            .collect()
    }
    let mut out = hot_files(Some(transcript));
    let workflows = transcript
        .with_extension("")
        .join("subagents")
        .join("workflows");
    if let Ok(flows) = std::fs::read_dir(workflows) {
        for flow in flows.flatten() {
            if flow.file_type().is_ok_and(|t| t.is_dir()) {
                out.extend(agent_files(&flow.path()));
            }
        }
    }
    if let Some(dir) = transcript.parent() {
        out.extend(agent_files(dir));
    }
    out
}

/// The session's cost from its own transcripts, when Claude Code does not
/// send one (older versions): rare, so read in full. `None` when the
/// transcript itself cannot be read: the line then leaves the session's
/// cost out rather than show a `$0.00` nobody spent.
fn session_cost(id: &str, transcript: &Path, env: &mut Env) -> Option<f64> {
    use crate::source::scan::{Transcript, scan};
    if !std::fs::metadata(transcript).is_ok_and(|m| m.is_file()) {
        return None;
    }
    let root = transcript.parent()?.parent()?;
    let files: Vec<Transcript> = session_files(transcript)
        .into_iter()
        .map(|path| Transcript {
            role: crate::source::discover::file_role(root, &path),
            path,
        })
        .collect();
    let s = scan(files, 1, env.line_cap);
    if s.errors.iter().any(|(path, _)| path == transcript) {
        return None;
    }
    // Priced as every other view prices a session.
    let costs = crate::cost::sum::by_session(&s.ledger, &mut env.pricer, |s| s == id);
    Some(costs.get(id).copied().unwrap_or_default().usd())
}
