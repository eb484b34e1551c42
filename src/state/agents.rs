//! The agent tree of a session: the subagents it started (spec §1 layouts:
//! `subagents/agent-*.jsonl`, workflows under `subagents/workflows/wf_*/`),
//! each with what its `.meta.json` sidecar says (`agentType`,
//! `description`, `spawnDepth`, `toolUseId`), its state, model, tokens,
//! cost and elapsed time; nested by depth, running ones first.
//!
//! An agent is placed under the agent whose tool call started it while
//! that call is still open (its `toolUseId` among the parent's calls
//! without a result); otherwise under the newest agent one level up that
//! started before it; depth 1 (or no sidecar) is the session's own.

use super::Clock;
use crate::cost::Pricer;
use crate::ledger::{AgentFile, Ledger, Phase, TokenJson};
use crate::record::{Millis, Tokens, format_timestamp, id_hash};
use serde::{Deserialize, Serialize, Serializer};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What a subagent's `.meta.json` says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Sidecar {
    pub agent_type: Option<String>,
    pub description: Option<String>,
    pub spawn_depth: Option<u32>,
    pub tool_use_id: Option<String>,
}

/// The sidecar beside a transcript (`agent-x.jsonl` → `agent-x.meta.json`),
/// if it is a small regular file that parses; anything else is no sidecar.
pub fn read_sidecar(transcript: &Path) -> Option<Sidecar> {
    let path = transcript.with_extension("meta.json");
    let meta = std::fs::symlink_metadata(&path).ok()?;
    if !meta.is_file() || meta.len() > 64 << 10 {
        return None;
    }
    let text = std::fs::read(&path).ok()?;
    serde_json::from_slice(&text).ok()
}

/// Sidecars already read: they are written once when the agent starts.
#[derive(Debug, Clone, Default)]
pub struct Sidecars(HashMap<PathBuf, Option<Sidecar>>);

impl Sidecars {
    pub fn of(&mut self, transcript: &Path) -> Option<&Sidecar> {
        self.0
            .entry(transcript.to_path_buf())
            .or_insert_with(|| read_sidecar(transcript))
            .as_ref()
    }
}

/// What a subagent is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AgentState {
    Working,
    Compacting,
    /// Working by its last line, but quiet for longer than the idle timeout.
    Idle,
    /// Its last response ended its turn: it has answered.
    Done,
}

impl AgentState {
    pub fn name(self) -> &'static str {
        match self {
            AgentState::Working => "working",
            AgentState::Compacting => "compacting",
            AgentState::Idle => "idle",
            AgentState::Done => "done",
        }
    }
}

fn opt_timestamp<S: Serializer>(ms: &Option<Millis>, s: S) -> Result<S::Ok, S::Error> {
    match ms {
        Some(ms) => s.serialize_str(&format_timestamp(*ms)),
        None => s.serialize_none(),
    }
}

/// One agent of the tree, with the agents it started.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentNode {
    pub agent_id: String,
    pub agent_type: Option<String>,
    pub description: Option<String>,
    /// `wf_…` for a workflow's agent.
    pub workflow: Option<String>,
    pub depth: u32,
    pub state: AgentState,
    /// The tools it waits on, when working.
    pub tools: Vec<String>,
    /// Its most used model.
    pub model: Option<String>,
    pub tokens: TokenJson,
    #[serde(rename = "costUSD")]
    pub cost_usd: f64,
    #[serde(serialize_with = "opt_timestamp")]
    pub started_at: Option<Millis>,
    /// From its first line to its last, or to now while it works.
    pub elapsed_ms: Option<Millis>,
    pub agents: Vec<AgentNode>,
    /// The spawning call's id (hashed), to find its parent.
    #[serde(skip)]
    tool_use: Option<u64>,
    #[serde(skip)]
    pending: Vec<u64>,
}

/// The session's agent tree at `clock`.
pub fn tree(
    ledger: &Ledger,
    session: &str,
    clock: Clock,
    pricer: &mut Pricer,
    sidecars: &mut Sidecars,
) -> Vec<AgentNode> {
    let flat: Vec<AgentNode> = ledger
        .agent_files(session)
        .into_iter()
        .map(|f| {
            let meta = sidecars.of(&f.path).cloned().unwrap_or_default();
            node(&f, meta, clock, pricer)
        })
        .collect();
    nest(flat)
}

fn node(f: &AgentFile, meta: Sidecar, clock: Clock, pricer: &mut Pricer) -> AgentNode {
    let mut tokens = Tokens::default();
    let mut cost = 0.0;
    let mut models: HashMap<&str, u64> = HashMap::new();
    for r in &f.responses {
        tokens += r.tokens;
        cost += pricer
            .cost(&r.model, &r.tokens, &r.billing, r.logged_cost)
            .unwrap_or(0.0);
        *models.entry(&r.model).or_default() += 1;
    }
    let model = models
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
        .map(|(m, _)| m.to_owned());
    let first = f.responses.first().map(|r| r.timestamp);
    let started = [f.first_seen, f.turn.working_since, first]
        .into_iter()
        .flatten()
        .min();
    let last = f.turn.last.max(f.responses.last().map(|r| r.timestamp));
    let quiet = last.is_none_or(|t| clock.now.saturating_sub(t) > clock.idle_timeout_ms);
    let state = match f.turn.phase {
        Phase::Waiting => AgentState::Done,
        Phase::Compacting if !quiet => AgentState::Compacting,
        Phase::Working | Phase::Unknown if !quiet => AgentState::Working,
        _ => AgentState::Idle,
    };
    let end = if state == AgentState::Working {
        Some(clock.now)
    } else {
        last
    };
    let stem = f
        .path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let workflow = f
        .path
        .parent()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| n.starts_with("wf_"));
    AgentNode {
        agent_id: stem.strip_prefix("agent-").unwrap_or(&stem).to_owned(),
        agent_type: meta.agent_type,
        description: meta.description,
        workflow,
        depth: meta.spawn_depth.unwrap_or(1).max(1),
        tools: match state {
            AgentState::Working => f.turn.pending.iter().map(|p| p.name.clone()).collect(),
            _ => Vec::new(),
        },
        state,
        model,
        tokens: tokens.into(),
        cost_usd: cost,
        started_at: started,
        elapsed_ms: started.zip(end).map(|(s, e)| e.saturating_sub(s).max(0)),
        agents: Vec::new(),
        tool_use: meta.tool_use_id.as_deref().map(id_hash),
        pending: f.turn.pending.iter().map(|p| p.id).collect(),
    }
}

impl AgentNode {
    /// An agent as drawing tests want it.
    #[cfg(test)]
    pub fn sample(id: &str, what: (&str, &str), state: AgentState, tools: &[&str]) -> AgentNode {
        AgentNode {
            agent_id: id.into(),
            agent_type: Some(what.0.into()),
            description: Some(what.1.into()),
            workflow: None,
            depth: 1,
            state,
            tools: tools.iter().map(|t| t.to_string()).collect(),
            model: Some("claude-sonnet-4-5-20250929".into()),
            tokens: Tokens {
                input: 40,
                output: 1_200,
                cache_creation: 3_000,
                cache_read: 28_000,
            }
            .into(),
            cost_usd: 0.0431,
            started_at: Some(0),
            elapsed_ms: Some(95_000),
            agents: Vec::new(),
            tool_use: None,
            pending: Vec::new(),
        }
    }
}

/// Nest agents by depth (see the module notes), running ones first among
/// siblings, then by start.
fn nest(mut flat: Vec<AgentNode>) -> Vec<AgentNode> {
    flat.sort_by(|a, b| (a.started_at, &a.agent_id).cmp(&(b.started_at, &b.agent_id)));
    let parent: Vec<Option<usize>> = (0..flat.len())
        .map(|i| {
            let a = &flat[i];
            if a.depth <= 1 {
                return None;
            }
            let by_call = a.tool_use.and_then(|call| {
                (0..flat.len()).find(|&j| j != i && flat[j].pending.contains(&call))
            });
            by_call.or_else(|| (0..i).rev().find(|&j| flat[j].depth + 1 == a.depth))
        })
        .collect();
    // Build from the deepest up, so each child is complete when moved.
    let mut slots: Vec<Option<AgentNode>> = flat.into_iter().map(Some).collect();
    let mut order: Vec<usize> = (0..slots.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(slots[i].as_ref().map_or(0, |n| n.depth)));
    for i in order {
        // A parent already moved (it was deeper than its child) leaves
        // the child where it is, never lost.
        let Some(p) = parent[i].filter(|&p| p != i && !is_below(&parent, p, i)) else {
            continue;
        };
        if slots.get(p).is_some_and(Option::is_some)
            && let Some(child) = slots[i].take()
            && let Some(Some(up)) = slots.get_mut(p)
        {
            up.agents.push(child);
        }
    }
    let mut roots: Vec<AgentNode> = slots.into_iter().flatten().collect();
    order_siblings(&mut roots);
    roots
}

/// Whether `node` is `ancestor` or below it (a cycle guard).
fn is_below(parent: &[Option<usize>], node: usize, ancestor: usize) -> bool {
    let mut at = Some(node);
    for _ in 0..parent.len() + 1 {
        match at {
            Some(n) if n == ancestor => return true,
            Some(n) => at = parent[n],
            None => return false,
        }
    }
    true
}

fn order_siblings(nodes: &mut [AgentNode]) {
    nodes.sort_by(|a, b| {
        let running = |n: &AgentNode| n.state != AgentState::Working;
        (running(a), a.started_at, &a.agent_id).cmp(&(running(b), b.started_at, &b.agent_id))
    });
    for n in nodes {
        order_siblings(&mut n.agents);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agent(id: &str, depth: u32, start: Millis, state: AgentState) -> AgentNode {
        AgentNode {
            agent_id: id.into(),
            agent_type: None,
            description: None,
            workflow: None,
            depth,
            state,
            tools: vec![],
            model: None,
            tokens: Tokens::default().into(),
            cost_usd: 0.0,
            started_at: Some(start),
            elapsed_ms: None,
            agents: vec![],
            tool_use: None,
            pending: vec![],
        }
    }

    fn shape(nodes: &[AgentNode]) -> String {
        nodes
            .iter()
            .map(|n| {
                if n.agents.is_empty() {
                    n.agent_id.clone()
                } else {
                    format!("{}({})", n.agent_id, shape(&n.agents))
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn agents_nest_by_depth_running_first() {
        use AgentState::*;
        let flat = vec![
            agent("a", 1, 10, Done),
            agent("a1", 2, 11, Done),
            agent("b", 1, 20, Working),
            agent("b1", 2, 21, Done),
            agent("b2", 2, 22, Working),
            agent("b2x", 3, 23, Working),
        ];
        assert_eq!(shape(&nest(flat)), "b(b2(b2x) b1) a(a1)");
    }

    #[test]
    fn no_agent_is_lost_when_its_named_parent_sits_deeper() {
        use AgentState::*;
        // "deep" goes under "mid" first; "c" names "deep" by its call.
        let mid = agent("mid", 2, 5, Working);
        let mut deep = agent("deep", 3, 10, Working);
        deep.pending = vec![id_hash("toolu_x")];
        let mut child = agent("c", 2, 20, Working);
        child.tool_use = Some(id_hash("toolu_x"));
        let nested = nest(vec![mid, deep, child]);
        assert_eq!(count(&nested), 3, "{}", shape(&nested));
    }

    fn count(nodes: &[AgentNode]) -> usize {
        nodes.iter().map(|n| 1 + count(&n.agents)).sum()
    }

    #[test]
    fn an_open_call_names_the_parent() {
        use AgentState::*;
        let mut parent = agent("p", 1, 10, Working);
        parent.pending = vec![id_hash("toolu_7")];
        let other = agent("q", 1, 20, Working);
        let mut child = agent("c", 2, 30, Working);
        child.tool_use = Some(id_hash("toolu_7"));
        // Without the call, "q" (the newest before it) would be the parent.
        assert_eq!(shape(&nest(vec![parent, other, child])), "p(c) q");
    }

    #[test]
    fn sidecars_are_read_leniently() {
        let dir = tempfile::tempdir().unwrap();
        let t = dir.path().join("agent-1.jsonl");
        std::fs::write(
            dir.path().join("agent-1.meta.json"),
            r#"{"agentType":"Explore","description":"find the bug","spawnDepth":2,"toolUseId":"toolu_1","extra":[1]}"#,
        )
        .unwrap();
        let s = read_sidecar(&t).unwrap();
        assert_eq!(s.agent_type.as_deref(), Some("Explore"));
        assert_eq!(s.spawn_depth, Some(2));
        std::fs::write(dir.path().join("agent-2.meta.json"), "{not json").unwrap();
        assert_eq!(read_sidecar(&dir.path().join("agent-2.jsonl")), None);
        assert_eq!(read_sidecar(&dir.path().join("agent-3.jsonl")), None);
    }
}
