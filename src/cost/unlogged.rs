//! The cost no transcript records: Claude Code's own figure for a session
//! (`cost.total_cost_usd` of its status line, kept as a hint) minus what
//! ccwatch prices from the session's transcripts.
//!
//! Claude Code pays for calls it never writes down: the summary of every
//! compaction (the whole conversation read once more) and the session's
//! title. A transcript reader undercounts by exactly their price; where
//! Claude Code's own figure is at hand, the difference is shown as
//! `costUnlogged` ("+$0.14 not in transcripts").
//!
//! The two figures are compared only when they describe the same moment:
//! - the hint was written at or after the session's newest response
//!   (subagents' included), so Claude Code had counted everything the
//!   transcripts hold (an older hint is from before a turn, or from an
//!   earlier run of a resumed session);
//! - when the hint names the prompt of the last response (its
//!   `current_usage`), ccwatch has read that response: the newest
//!   main-chain response with a prompt has the same prompt tokens (else
//!   the transcript is still being written, or ccwatch has not read it
//!   yet, and the gap would hold a response it has not priced);
//! - the gap is at least [`MIN_USD`]: smaller is rounding, or nothing.
//!
//! A gap that is negative (Claude Code's figure below ccwatch's: a resumed
//! session whose earlier runs Claude Code no longer counts, or a model
//! ccwatch prices higher) is not shown either. A model the two price
//! differently (README, "Prices that differ") moves the gap by that
//! difference too; nothing here can tell the two apart.

use super::Dollars;
use crate::hints::{Hint, HintBook};
use crate::ledger::Ledger;
use crate::record::Millis;

/// Below half a cent a gap would print as "+$0.00": it is not shown.
pub const MIN_USD: f64 = 0.005;

/// What the transcripts say of one session, as far as the comparison
/// needs it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Transcribed {
    /// What ccwatch prices the session's responses at, subagents included.
    pub cost_usd: f64,
    /// When its newest response was written, subagents' included.
    pub newest_at: Option<Millis>,
    /// The prompt (input + cache writes + reads) of its newest main-chain
    /// response that had one.
    pub newest_prompt: Option<u64>,
}

impl Transcribed {
    /// The session `id` of `ledger`, priced at `cost_usd`.
    pub fn of(ledger: &Ledger, id: &str, cost_usd: f64) -> Transcribed {
        let session = ledger.session(id);
        Transcribed {
            cost_usd,
            newest_at: session.and_then(|s| s.newest_record()),
            newest_prompt: session.and_then(|s| {
                s.main_chain
                    .values()
                    .rev()
                    .map(|p| p.tokens.prompt())
                    .find(|t| *t > 0)
            }),
        }
    }
}

/// Why a session shows no unlogged cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoGap {
    /// No hint for the session, or one without a cost.
    NoFigure,
    /// The hint is older than the newest response in the transcripts.
    HintBehind,
    /// The hint counted a response ccwatch has not read (yet).
    TranscriptBehind,
    /// Claude Code's figure is not above ccwatch's by [`MIN_USD`].
    TooSmall,
}

/// Claude Code's cost of the session minus ccwatch's, in USD, when the two
/// describe the same moment and differ by at least [`MIN_USD`].
pub fn gap(hint: Option<&Hint>, t: &Transcribed) -> Result<f64, NoGap> {
    let hint = hint.ok_or(NoGap::NoFigure)?;
    let claude_code = hint
        .cost_usd
        .filter(|c| c.is_finite())
        .ok_or(NoGap::NoFigure)?;
    if t.newest_at.is_some_and(|at| hint.time < at) {
        return Err(NoGap::HintBehind);
    }
    // Zero tokens: right after `/compact` Claude Code sends an all-zero
    // usage, which names no response.
    if let (Some(told), Some(read)) = (hint.current_tokens.filter(|n| *n > 0), t.newest_prompt)
        && told != read
    {
        return Err(NoGap::TranscriptBehind);
    }
    // In whole picodollars, so the figure carries no float residue.
    let mut diff = Dollars::from_usd(claude_code);
    diff -= Dollars::from_usd(t.cost_usd);
    let usd = diff.usd();
    if usd < MIN_USD {
        return Err(NoGap::TooSmall);
    }
    Ok(usd)
}

/// The unlogged cost of session `id`, when there is one to show. Without
/// a hint for it, one hash look-up: `status` asks for every session.
pub fn of_session(hints: &HintBook, ledger: &Ledger, id: &str, cost_usd: f64) -> Option<f64> {
    let hint = hints.get(id)?;
    gap(Some(hint), &Transcribed::of(ledger, id, cost_usd)).ok()
}

/// "+$0.14 not in transcripts", as the dashboard's panel says it.
pub fn sentence(usd: f64) -> String {
    format!("+{} not in transcripts", crate::format::usd(usd))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hints::hint::HINT_FORMAT;
    use crate::ledger::{FileChange, FileUpdate, test_facts};
    use crate::parse::Parsed;

    fn hint(time: Millis, cost: Option<f64>, current: Option<u64>) -> Hint {
        Hint {
            format: HINT_FORMAT,
            session_id: "s".into(),
            time,
            model_id: None,
            model_name: None,
            window: None,
            used_percentage: None,
            current_tokens: current,
            cost_usd: cost,
            exceeds_200k: None,
            version: None,
            five_hour: None,
            seven_day: None,
        }
    }

    fn said(cost: f64, newest_at: Millis, prompt: u64) -> Transcribed {
        Transcribed {
            cost_usd: cost,
            newest_at: Some(newest_at),
            newest_prompt: Some(prompt),
        }
    }

    #[test]
    fn the_gap_is_claude_codes_figure_less_ccwatchs() {
        let h = hint(2_000, Some(0.107_032_5), Some(15_451));
        let g = gap(Some(&h), &said(0.087_687_5, 1_000, 15_451)).unwrap();
        assert_eq!(g, 0.019_345);
        assert_eq!(sentence(0.14), "+$0.14 not in transcripts");
    }

    #[test]
    fn without_a_figure_there_is_no_gap() {
        let t = said(1.0, 1_000, 10);
        assert_eq!(gap(None, &t), Err(NoGap::NoFigure));
        let h = hint(2_000, None, Some(10));
        assert_eq!(gap(Some(&h), &t), Err(NoGap::NoFigure));
        let h = hint(2_000, Some(f64::NAN), Some(10));
        assert_eq!(gap(Some(&h), &t), Err(NoGap::NoFigure));
    }

    #[test]
    fn a_hint_older_than_the_newest_response_is_not_compared() {
        // The transcripts hold a response Claude Code had not counted
        // when it last reported: its figure is short by that response.
        let h = hint(999, Some(5.0), Some(10));
        assert_eq!(gap(Some(&h), &said(1.0, 1_000, 10)), Err(NoGap::HintBehind));
        // Written the same millisecond: comparable.
        let h = hint(1_000, Some(5.0), Some(10));
        assert_eq!(gap(Some(&h), &said(1.0, 1_000, 10)), Ok(4.0));
    }

    #[test]
    fn a_hint_about_a_response_ccwatch_has_not_read_is_not_compared() {
        let h = hint(2_000, Some(5.0), Some(20_000));
        assert_eq!(
            gap(Some(&h), &said(1.0, 1_000, 15_000)),
            Err(NoGap::TranscriptBehind)
        );
        // Right after /compact the usage Claude Code sends is all zeros.
        let h = hint(2_000, Some(5.0), Some(0));
        assert_eq!(gap(Some(&h), &said(1.0, 1_000, 15_000)), Ok(4.0));
        // Before the first turn it sends none; nothing to compare either.
        let h = hint(2_000, Some(5.0), None);
        assert_eq!(gap(Some(&h), &said(1.0, 1_000, 15_000)), Ok(4.0));
    }

    #[test]
    fn a_gap_below_half_a_cent_or_negative_is_not_shown() {
        let t = said(1.0, 1_000, 10);
        for cc in [1.0, 1.004_999, 0.5] {
            let h = hint(2_000, Some(cc), Some(10));
            assert_eq!(gap(Some(&h), &t), Err(NoGap::TooSmall), "{cc}");
        }
        let h = hint(2_000, Some(1.005), Some(10));
        assert_eq!(gap(Some(&h), &t), Ok(0.005));
    }

    fn reply(msg: &str, at: Millis, prompt: u64, sidechain: bool) -> FileUpdate {
        let mut r = test_facts::reply("s", msg, at, [prompt, 10, 0, 0], None);
        if let Parsed::Usage(u) = &mut r {
            u.sidechain = sidechain;
        }
        test_facts::batch("/p/s.jsonl", FileChange::Appended, vec![r])
    }

    #[test]
    fn the_transcripts_side_counts_subagents_time_and_the_main_prompt() {
        let mut ledger = Ledger::new();
        ledger.apply(reply("m1", 1_000, 500, false));
        ledger.apply(reply("m2", 2_000, 0, false));
        ledger.apply(reply("a1", 3_000, 900, true));
        let t = Transcribed::of(&ledger, "s", 0.25);
        assert_eq!(
            t,
            Transcribed {
                cost_usd: 0.25,
                // The subagent's response is the newest.
                newest_at: Some(3_000),
                // The main chain's newest with a prompt (not the empty one,
                // not the subagent's).
                newest_prompt: Some(500),
            }
        );
        let none = Transcribed::of(&ledger, "other", 0.0);
        assert_eq!((none.newest_at, none.newest_prompt), (None, None));
    }
}
