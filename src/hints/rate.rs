//! The plan's usage limits (5-hour and 7-day windows) as the newest hint
//! reported them. Only what Claude Code said is shown: without a hint, or
//! once a window has reset since, there is no figure rather than a guess.

use super::{HintBook, RateWindow};
use crate::record::{Millis, format_timestamp};
use serde::Serialize;

/// A hint about rate limits older than this says nothing about now.
pub const LIMITS_MAX_AGE_MS: Millis = 5 * 3_600_000;

/// One plan window now.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlanWindow {
    /// 0.0–1.0 (may exceed 1.0 when over the limit).
    pub ratio: f64,
    pub resets_at: Option<Millis>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PlanLimits {
    pub five_hour: Option<PlanWindow>,
    pub seven_day: Option<PlanWindow>,
    /// When the figures were reported.
    pub reported_at: Millis,
}

impl PlanLimits {
    /// The limits of the newest hint that carries them, if still current.
    pub fn of(book: &HintBook, now: Millis) -> Option<PlanLimits> {
        let h = book.newest_with_limits()?;
        if now - h.time > LIMITS_MAX_AGE_MS {
            return None;
        }
        let current = |w: Option<RateWindow>| {
            w.filter(|w| w.resets_at.is_none_or(|r| r > now))
                .map(|w| PlanWindow {
                    ratio: w.used_percentage / 100.0,
                    resets_at: w.resets_at,
                })
        };
        let limits = PlanLimits {
            five_hour: current(h.five_hour),
            seven_day: current(h.seven_day),
            reported_at: h.time,
        };
        (limits.five_hour.is_some() || limits.seven_day.is_some()).then_some(limits)
    }

    /// `(label, window)` for each window known, five-hour first.
    pub fn windows(&self) -> Vec<(&'static str, PlanWindow)> {
        [("five_hour", self.five_hour), ("seven_day", self.seven_day)]
            .into_iter()
            .filter_map(|(k, w)| w.map(|w| (k, w)))
            .collect()
    }
}

/// One plan window as `status --json` prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanWindowJson {
    /// Percent of the window used, as Claude Code reported it.
    pub used_percentage: f64,
    /// When the window starts again, ISO 8601 (UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resets_at: Option<String>,
}

/// The plan's limits as `status --json` prints them (`rateLimits`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanLimitsJson {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub five_hour: Option<PlanWindowJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seven_day: Option<PlanWindowJson>,
    /// When Claude Code reported them, ISO 8601 (UTC).
    pub reported_at: String,
}

impl From<&PlanLimits> for PlanLimitsJson {
    fn from(l: &PlanLimits) -> PlanLimitsJson {
        let window = |w: Option<PlanWindow>| {
            w.map(|w| PlanWindowJson {
                // The ratio came from a percentage: undo the division
                // without its float residue (0.29 * 100 is 28.999…).
                used_percentage: (w.ratio * 100.0 * 1e6).round() / 1e6,
                resets_at: w.resets_at.map(format_timestamp),
            })
        };
        PlanLimitsJson {
            five_hour: window(l.five_hour),
            seven_day: window(l.seven_day),
            reported_at: format_timestamp(l.reported_at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hints::Hint;

    fn hint(id: &str, time: Millis, five: Option<(f64, Millis)>) -> Hint {
        Hint {
            format: crate::hints::hint::HINT_FORMAT,
            session_id: id.into(),
            time,
            model_id: None,
            model_name: None,
            window: None,
            used_percentage: None,
            current_tokens: None,
            cost_usd: None,
            exceeds_200k: None,
            version: None,
            five_hour: five.map(|(p, r)| RateWindow {
                used_percentage: p,
                resets_at: Some(r),
            }),
            seven_day: None,
        }
    }

    fn book(hints: Vec<Hint>) -> HintBook {
        HintBook {
            hints: hints
                .into_iter()
                .map(|h| (h.session_id.clone(), h))
                .collect(),
        }
    }

    #[test]
    fn the_newest_hint_with_limits_speaks_for_the_plan() {
        let b = book(vec![
            hint("a", 1_000, Some((10.0, 50_000))),
            hint("b", 2_000, Some((42.0, 50_000))),
            hint("c", 3_000, None),
        ]);
        let l = PlanLimits::of(&b, 4_000).unwrap();
        assert_eq!(l.five_hour.unwrap().ratio, 0.42);
        assert_eq!(l.seven_day, None);
        assert_eq!(l.windows().len(), 1);
    }

    #[test]
    fn the_json_has_percentages_as_reported_and_iso_times() {
        let mut h = hint("a", 1_764_928_800_000, Some((29.0, 1_764_932_400_000)));
        h.seven_day = Some(RateWindow {
            used_percentage: 17.0,
            resets_at: None,
        });
        let l = PlanLimits::of(&book(vec![h]), 1_764_928_800_000).unwrap();
        let json = serde_json::to_value(PlanLimitsJson::from(&l)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "fiveHour": {"usedPercentage": 29.0, "resetsAt": "2025-12-05T11:00:00.000Z"},
                "sevenDay": {"usedPercentage": 17.0},
                "reportedAt": "2025-12-05T10:00:00.000Z",
            })
        );
    }

    #[test]
    fn no_hint_an_old_hint_or_a_reset_window_shows_nothing() {
        assert_eq!(PlanLimits::of(&HintBook::default(), 0), None);
        let b = book(vec![hint("a", 0, Some((10.0, 100)))]);
        assert_eq!(PlanLimits::of(&b, 101), None);
        let b = book(vec![hint("a", 0, Some((10.0, i64::MAX)))]);
        assert_eq!(PlanLimits::of(&b, LIMITS_MAX_AGE_MS + 1), None);
    }
}
