//! State of the zoomed session's "what filled it" panel: the attribution
//! summary reduced to what the panel draws (category totals and the top
//! items' labels), made off the drawing path by a background read.

use crate::attribution::{Category, Summary, label};

/// What the panel shows for one session. Every figure is an estimate
/// from sizes except `occupancy`.
#[derive(Debug, Clone, PartialEq)]
pub struct FilledView {
    pub session: String,
    pub occupancy: Option<u64>,
    /// Positive shares by category, largest first (drops are left out of
    /// the bar and said in `dropped`).
    pub categories: Vec<(Category, u64)>,
    pub dropped: u64,
    /// Label, count, tokens; largest first.
    pub top: Vec<(String, u32, u64)>,
    pub compacted: bool,
    /// Calls the audit flags, as `secret file · Read .env`.
    pub flags: Vec<String>,
}

/// What the panel knows about the selected session.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Filled {
    /// Nothing asked for yet.
    #[default]
    None,
    /// A read of this session is under way.
    Loading(String),
    Ready(FilledView),
    /// The read failed: one sentence.
    Failed(String, String),
}

impl Filled {
    /// The session this state is about.
    pub fn session(&self) -> Option<&str> {
        match self {
            Filled::None => None,
            Filled::Loading(s) | Filled::Failed(s, _) => Some(s),
            Filled::Ready(v) => Some(&v.session),
        }
    }
}

/// How many top items the panel keeps (it draws as many as fit).
const TOP_KEPT: usize = 20;

impl FilledView {
    /// With the audit's flags of the same session.
    pub fn flagged(mut self, audit: &crate::audit::Audit, cwd: Option<&str>) -> FilledView {
        self.flags = audit
            .flags
            .iter()
            .map(|f| {
                format!(
                    "{} · {} {}",
                    f.kind.label(),
                    f.tool,
                    label::relative(&f.target, cwd)
                )
            })
            .collect();
        self
    }

    pub fn of(session: &str, summary: &Summary, cwd: Option<&str>) -> FilledView {
        let mut by: Vec<(Category, u64)> = Vec::new();
        let mut dropped = 0u64;
        for c in &summary.categories {
            if c.tokens < 0 {
                dropped += c.tokens.unsigned_abs();
                continue;
            }
            match by.iter_mut().find(|(cat, _)| *cat == c.category) {
                Some((_, t)) => *t += c.tokens as u64,
                None => by.push((c.category, c.tokens as u64)),
            }
        }
        by.retain(|(_, t)| *t > 0);
        by.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        FilledView {
            session: session.to_owned(),
            occupancy: summary.occupancy,
            categories: by,
            dropped,
            top: summary
                .top
                .iter()
                .take(TOP_KEPT)
                .map(|t| {
                    (
                        label::item(t.category, t.tool.as_deref(), t.target.as_deref(), cwd),
                        t.count,
                        t.tokens,
                    )
                })
                .collect(),
            compacted: summary.compacted.is_some(),
            flags: Vec::new(),
        }
    }
}
