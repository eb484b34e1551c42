//! The reports' `--json` shapes. Field names follow the ones ccusage prints
//! (`inputTokens`, `totalCost`, `modelBreakdowns`, ...), so scripts written
//! for it read ccwatch unchanged; the README documents every field.

use super::Usage;
use super::blocks::{self, Block, LimitLevel};
use super::period::PeriodRow;
use super::session::SessionRow;
use crate::cost::Unpriced;
use crate::record::{Millis, format_timestamp};
use serde::Serialize;

/// A dollar figure for JSON: to a billionth of a cent (1e-12 USD), so sums
/// print as `4.44217295` rather than with float noise in the last digits.
pub fn usd(c: f64) -> f64 {
    (c * 1e12).round() / 1e12
}

/// Token sums and cost, as every row and the totals print them.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SumsJson {
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_creation_tokens: u64,
    pub cache_read_tokens: u64,
    pub total_tokens: u64,
    pub total_cost: f64,
}

impl SumsJson {
    pub fn of(u: &Usage) -> SumsJson {
        SumsJson {
            input_tokens: u.tokens.input,
            output_tokens: u.tokens.output,
            cache_creation_tokens: u.tokens.cache_creation,
            cache_read_tokens: u.tokens.cache_read,
            total_tokens: u.tokens.total(),
            total_cost: usd(u.cost),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelJson {
    pub model_name: String,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_creation_tokens: u64,
    pub cache_read_tokens: u64,
    pub cost: f64,
}

/// `modelsUsed` and `modelBreakdowns` of a row (breakdowns by cost, largest
/// first, as ccusage orders them).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelsJson {
    pub models_used: Vec<String>,
    pub model_breakdowns: Vec<ModelJson>,
    /// Per agent, with its own models: only when another agent than
    /// Claude Code has entries in the row.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub agent_breakdowns: Vec<AgentJson>,
}

/// One agent's share of a row.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentJson {
    pub agent: crate::agent::Agent,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_creation_tokens: u64,
    pub cache_read_tokens: u64,
    pub cost: f64,
    pub model_breakdowns: Vec<ModelJson>,
}

impl ModelsJson {
    pub fn of(u: &Usage) -> ModelsJson {
        let agent_breakdowns = match u.has_other_agents() {
            false => Vec::new(),
            true => u
                .agents
                .iter()
                .map(|(agent, a)| AgentJson {
                    agent: *agent,
                    input_tokens: a.sums.tokens.input,
                    output_tokens: a.sums.tokens.output,
                    cache_creation_tokens: a.sums.tokens.cache_creation,
                    cache_read_tokens: a.sums.tokens.cache_read,
                    cost: usd(a.sums.cost),
                    model_breakdowns: model_rows(&a.models),
                })
                .collect(),
        };
        ModelsJson {
            models_used: u.models.keys().map(|m| m.to_string()).collect(),
            model_breakdowns: model_rows(&u.models),
            agent_breakdowns,
        }
    }
}

/// Per-model sums, largest cost first.
fn model_rows(
    models: &std::collections::BTreeMap<std::sync::Arc<str>, crate::report::ModelSums>,
) -> Vec<ModelJson> {
    let mut rows: Vec<ModelJson> = models
        .iter()
        .map(|(m, s)| ModelJson {
            model_name: m.to_string(),
            input_tokens: s.tokens.input,
            output_tokens: s.tokens.output,
            cache_creation_tokens: s.tokens.cache_creation,
            cache_read_tokens: s.tokens.cache_read,
            cost: usd(s.cost),
        })
        .collect();
    rows.sort_by(|a, b| b.cost.total_cmp(&a.cost));
    rows
}

/// The key naming a period row.
#[derive(Debug, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PeriodKey {
    Date(String),
    Week(String),
    Month(String),
}

#[derive(Debug, Serialize)]
pub struct PeriodJson {
    #[serde(flatten)]
    pub key: PeriodKey,
    #[serde(flatten)]
    pub sums: SumsJson,
    #[serde(flatten)]
    pub models: ModelsJson,
}

pub fn period_rows(rows: &[PeriodRow], key: fn(String) -> PeriodKey) -> Vec<PeriodJson> {
    rows.iter()
        .map(|r| PeriodJson {
            key: key(r.label.clone()),
            sums: SumsJson::of(&r.usage),
            models: ModelsJson::of(&r.usage),
        })
        .collect()
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionJson {
    pub session_id: String,
    pub project_path: String,
    pub title: Option<String>,
    pub first_activity: String,
    pub last_activity: String,
    #[serde(flatten)]
    pub sums: SumsJson,
    #[serde(flatten)]
    pub models: ModelsJson,
    /// What Claude Code's own figure adds beyond `totalCost` (see
    /// `cost::unlogged`), when known.
    #[serde(rename = "costUnlogged", skip_serializing_if = "Option::is_none")]
    pub cost_unlogged: Option<f64>,
}

/// The rows of the session report; `unlogged` gives a row's `costUnlogged`.
pub fn session_rows(
    rows: &[SessionRow],
    unlogged: impl Fn(&SessionRow) -> Option<f64>,
) -> Vec<SessionJson> {
    rows.iter()
        .map(|r| SessionJson {
            session_id: r.session.to_string(),
            project_path: r.project.to_string(),
            title: r.title.clone(),
            first_activity: format_timestamp(r.first),
            last_activity: format_timestamp(r.last),
            sums: SumsJson::of(&r.usage),
            models: ModelsJson::of(&r.usage),
            cost_unlogged: unlogged(r),
        })
        .collect()
}

/// A grouped report: `{"daily": [...], "totals": {...}, "unpriced": {...}}`,
/// keys in that order.
struct Report<'a, T> {
    name: &'a str,
    rows: T,
    totals: Option<SumsJson>,
    unpriced: &'a Unpriced,
}

impl<T: Serialize> Serialize for Report<'_, T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry(self.name, &self.rows)?;
        if let Some(t) = &self.totals {
            m.serialize_entry("totals", t)?;
        }
        m.serialize_entry("unpriced", self.unpriced)?;
        m.end()
    }
}

fn pretty<T: Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default() + "\n"
}

pub fn report<T: Serialize>(name: &str, rows: T, totals: &Usage, unpriced: &Unpriced) -> String {
    pretty(&Report {
        name,
        rows,
        totals: Some(SumsJson::of(totals)),
        unpriced,
    })
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenCountsJson {
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_creation_input_tokens: u64,
    pub cache_read_input_tokens: u64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BurnRateJson {
    pub tokens_per_minute: f64,
    pub tokens_per_minute_for_indicator: f64,
    pub cost_per_hour: f64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectionJson {
    pub total_tokens: u64,
    pub total_cost: f64,
    pub remaining_minutes: u64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LimitJson {
    pub limit: u64,
    /// The projected tokens for the active block, the used ones otherwise.
    pub projected_usage: u64,
    pub percent_used: f64,
    pub status: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockJson {
    pub id: String,
    pub start_time: String,
    pub end_time: String,
    pub actual_end_time: Option<String>,
    pub is_active: bool,
    pub is_gap: bool,
    pub entries: u64,
    pub token_counts: TokenCountsJson,
    pub total_tokens: u64,
    #[serde(rename = "costUSD")]
    pub cost_usd: f64,
    pub models: Vec<String>,
    pub burn_rate: Option<BurnRateJson>,
    pub projection: Option<ProjectionJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_limit_status: Option<LimitJson>,
}

pub fn block(b: &Block, now: Millis, limit: Option<u64>) -> BlockJson {
    let t = &b.usage.tokens;
    let start = format_timestamp(b.start);
    let rate = if b.active { blocks::burn_rate(b) } else { None };
    let projection = blocks::projection(b, now);
    let token_limit_status = limit.filter(|_| !b.gap).map(|limit| {
        let used = projection.map_or(t.total(), |p| p.total_tokens);
        LimitJson {
            limit,
            projected_usage: used,
            percent_used: crate::ledger::snapshot::percent(used, limit),
            status: LimitLevel::of(used, limit).as_str(),
        }
    });
    BlockJson {
        id: if b.gap {
            format!("gap-{start}")
        } else {
            start.clone()
        },
        start_time: start,
        end_time: format_timestamp(b.end),
        actual_end_time: b.last.map(format_timestamp),
        is_active: b.active,
        is_gap: b.gap,
        entries: b.usage.entries,
        token_counts: TokenCountsJson {
            input_tokens: t.input,
            output_tokens: t.output,
            cache_creation_input_tokens: t.cache_creation,
            cache_read_input_tokens: t.cache_read,
        },
        total_tokens: t.total(),
        cost_usd: usd(b.usage.cost),
        models: b.usage.models.keys().map(|m| m.to_string()).collect(),
        burn_rate: rate.map(|r| BurnRateJson {
            tokens_per_minute: r.tokens_per_minute,
            tokens_per_minute_for_indicator: r.tokens_per_minute_for_indicator,
            cost_per_hour: usd(r.cost_per_hour),
        }),
        projection: projection.map(|p| ProjectionJson {
            total_tokens: p.total_tokens,
            total_cost: usd(p.total_cost),
            remaining_minutes: p.remaining_minutes,
        }),
        token_limit_status,
    }
}

/// `{"blocks": [...], "unpriced": {...}}`.
pub fn blocks_report(blocks: &[BlockJson], unpriced: &Unpriced) -> String {
    pretty(&Report {
        name: "blocks",
        rows: blocks,
        totals: None,
        unpriced,
    })
}
