//! Calendar groupings: usage per day, per week and per month in a time zone.

use super::{Entry, Usage, Zone};
use chrono::{Datelike, NaiveDate, Weekday};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Day,
    /// Weeks that begin on this day.
    Week(Weekday),
    Month,
}

impl Period {
    /// The first day of the period a day falls in.
    pub fn start(&self, day: NaiveDate) -> NaiveDate {
        match self {
            Period::Day => day,
            Period::Week(first) => {
                let back =
                    (7 + day.weekday().num_days_from_monday() - first.num_days_from_monday()) % 7;
                day - chrono::Duration::days(back.into())
            }
            Period::Month => day.with_day(1).unwrap_or(day),
        }
    }

    /// How the period is named in reports: `2026-10-12` for a day or the
    /// first day of a week, `2026-10` for a month.
    pub fn label(&self, start: NaiveDate) -> String {
        match self {
            Period::Month => start.format("%Y-%m").to_string(),
            _ => start.format("%Y-%m-%d").to_string(),
        }
    }
}

/// One period's usage.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodRow {
    pub start: NaiveDate,
    pub label: String,
    pub usage: Usage,
}

/// Usage per period, oldest first; periods without usage are left out.
pub fn group(entries: &[Entry], zone: &Zone, period: Period) -> Vec<PeriodRow> {
    let mut by: BTreeMap<NaiveDate, Usage> = BTreeMap::new();
    for e in entries {
        let start = period.start(zone.date(e.timestamp));
        by.entry(start).or_default().add(e);
    }
    by.into_iter()
        .map(|(start, usage)| PeriodRow {
            start,
            label: period.label(start),
            usage,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing::entry;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn periods_start_on_their_first_day() {
        // 2026-10-14 is a Wednesday.
        let wed = day("2026-10-14");
        assert_eq!(Period::Week(Weekday::Sun).start(wed), day("2026-10-11"));
        assert_eq!(Period::Week(Weekday::Mon).start(wed), day("2026-10-12"));
        assert_eq!(Period::Week(Weekday::Wed).start(wed), wed);
        assert_eq!(Period::Week(Weekday::Thu).start(wed), day("2026-10-08"));
        assert_eq!(Period::Month.start(wed), day("2026-10-01"));
        assert_eq!(Period::Month.label(day("2026-10-01")), "2026-10");
        assert_eq!(Period::Day.label(wed), "2026-10-14");
    }

    #[test]
    fn days_are_grouped_in_the_zone_and_weeks_and_months_sum_their_days() {
        let entries = vec![
            entry("2026-10-11T06:00:00Z", "a", "m", 100, 1.0),
            entry("2026-10-12T07:30:00Z", "a", "m", 10, 0.5), // 00:30 in LA
            entry("2026-10-12T23:00:00Z", "b", "m", 1, 0.25),
            entry("2026-11-01T12:00:00Z", "b", "m", 1000, 2.0),
        ];
        let utc = Zone::parse("UTC").unwrap();
        let la = Zone::parse("America/Los_Angeles").unwrap();
        let days: Vec<(String, u64)> = group(&entries, &utc, Period::Day)
            .into_iter()
            .map(|r| (r.label, r.usage.tokens.total()))
            .collect();
        assert_eq!(
            days,
            [
                ("2026-10-11".into(), 100),
                ("2026-10-12".into(), 11),
                ("2026-11-01".into(), 1000)
            ]
        );
        let la_days: Vec<String> = group(&entries, &la, Period::Day)
            .into_iter()
            .map(|r| r.label)
            .collect();
        assert_eq!(la_days, ["2026-10-10", "2026-10-12", "2026-11-01"]);
        for period in [Period::Week(Weekday::Sun), Period::Month] {
            let rows = group(&entries, &utc, period);
            let days = group(&entries, &utc, Period::Day);
            let total: u64 = rows.iter().map(|r| r.usage.tokens.total()).sum();
            let cost: f64 = rows.iter().map(|r| r.usage.cost).sum();
            assert_eq!(
                total,
                days.iter().map(|r| r.usage.tokens.total()).sum::<u64>()
            );
            assert_eq!(cost, 3.75);
        }
        let weeks = group(&entries, &utc, Period::Week(Weekday::Sun));
        assert_eq!(weeks[0].label, "2026-10-11");
        assert_eq!(weeks[0].usage.tokens.total(), 111);
    }
}
