//! The status line's text: the facts of one call, formatted. Kept apart
//! from how they are gathered so the format can be tested on its own.

use crate::format;
use crate::report::blocks::BurnRate;

/// The context window as the line shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum ContextShown {
    Used {
        tokens: u64,
        window: u64,
    },
    /// Compacted after the last response; the size before, if known.
    Compacted(Option<u64>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct BlockShown {
    pub cost: f64,
    pub minutes_left: f64,
    pub rate: Option<BurnRate>,
}

/// The facts of one line, before formatting.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    pub model: Option<String>,
    pub context: Option<ContextShown>,
    pub session_cost: Option<f64>,
    pub today_cost: Option<f64>,
    /// `Some(None)`: the data was read and no block is active.
    pub block: Option<Option<BlockShown>>,
}

/// The line: `Sonnet 4.5 │ ctx 115.5k/200k 58% │ $1.10 session │ $3.21 today
/// │ $2.10 block, 2h13m left │ 12.3k tok/min $4.20/h`.
pub fn render(f: &Facts) -> String {
    let mut parts: Vec<String> = Vec::new();
    parts.push(f.model.clone().unwrap_or_else(|| "Claude".into()));
    parts.push(match &f.context {
        Some(ContextShown::Used { tokens, window }) => format!(
            "ctx {}/{} {}%",
            format::tokens(*tokens),
            format::tokens(*window),
            whole_percent(*tokens, *window)
        ),
        // Never the old context against the window: it is gone.
        Some(ContextShown::Compacted(Some(pre))) => {
            format!("ctx compacted from {} · waiting", format::tokens(*pre))
        }
        Some(ContextShown::Compacted(None)) => "ctx compacted · waiting".into(),
        None => "ctx ?".into(),
    });
    if let Some(c) = f.session_cost {
        parts.push(format!("{} session", money(c)));
    }
    if let Some(c) = f.today_cost {
        parts.push(format!("{} today", money(c)));
    }
    match &f.block {
        Some(Some(b)) => {
            parts.push(format!(
                "{} block, {} left",
                money(b.cost),
                format::minutes(b.minutes_left)
            ));
            if let Some(r) = b.rate {
                parts.push(format!(
                    "{} tok/min {}/h",
                    format::tokens(r.tokens_per_minute.round() as u64),
                    money(r.cost_per_hour)
                ));
            }
        }
        Some(None) => parts.push("no active block".into()),
        None => {}
    }
    parts.join(" │ ")
}

/// A whole percentage rounded half up, as Claude Code rounds its own
/// `used_percentage` (92.5 → 93), so the two never disagree by one.
pub fn whole_percent(part: u64, whole: u64) -> u64 {
    if whole == 0 {
        return 0;
    }
    let (part, whole) = (part as u128, whole as u128);
    ((part * 200 + whole) / (whole * 2)) as u64
}

fn money(c: f64) -> String {
    crate::format::usd(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_context_past_its_window_reads_over_100_percent() {
        // An override or the 1M window is exact (spec §4): the line says
        // the real share rather than capping it.
        let f = Facts {
            context: Some(ContextShown::Used {
                tokens: 150_010,
                window: 100_000,
            }),
            ..Facts::default()
        };
        assert_eq!(render(&f), "Claude │ ctx 150k/100k 150%");
    }

    #[test]
    fn whole_percentages_round_half_up() {
        assert_eq!(whole_percent(185_000, 200_000), 93);
        assert_eq!(whole_percent(184_999, 200_000), 92);
        assert_eq!(whole_percent(1_000, 200_000), 1);
        assert_eq!(whole_percent(999, 200_000), 0);
        assert_eq!(whole_percent(5, 0), 0);
    }

    #[test]
    fn the_line_has_every_piece_it_knows_and_skips_the_rest() {
        let f = Facts {
            model: Some("Sonnet 4.5".into()),
            context: Some(ContextShown::Used {
                tokens: 115_532,
                window: 200_000,
            }),
            session_cost: Some(1.1),
            today_cost: Some(3.214),
            block: Some(Some(BlockShown {
                cost: 2.1,
                minutes_left: 133.0,
                rate: Some(BurnRate {
                    tokens_per_minute: 12_300.0,
                    tokens_per_minute_for_indicator: 100.0,
                    cost_per_hour: 4.2,
                }),
            })),
        };
        assert_eq!(
            render(&f),
            "Sonnet 4.5 │ ctx 115.5k/200k 58% │ $1.10 session │ $3.21 today │ $2.10 block, 2h13m left │ 12.3k tok/min $4.20/h"
        );
        let bare = Facts {
            context: Some(ContextShown::Compacted(Some(160_010))),
            block: Some(None),
            ..Facts::default()
        };
        assert_eq!(
            render(&bare),
            "Claude │ ctx compacted from 160k · waiting │ no active block"
        );
        let unknown = Facts {
            context: Some(ContextShown::Compacted(None)),
            ..Facts::default()
        };
        assert_eq!(render(&unknown), "Claude │ ctx compacted · waiting");
    }
}
