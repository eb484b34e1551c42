//! The time zone reports group days in (spec §5): an IANA zone by name, or
//! the system's own zone when none is given.

use crate::record::Millis;
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Zone {
    Named(Tz),
    /// The system zone when its IANA name cannot be found; chrono still
    /// knows its offsets (from `TZ` or `/etc/localtime`).
    Local,
}

/// The IANA names that mean UTC itself (not a zone that happens to be at +0).
fn is_utc(name: &str) -> bool {
    matches!(
        name,
        "UTC"
            | "Etc/UTC"
            | "Etc/UCT"
            | "UCT"
            | "Etc/Universal"
            | "Universal"
            | "Etc/Zulu"
            | "Zulu"
            | "Etc/GMT"
            | "Etc/GMT0"
            | "Etc/GMT+0"
            | "Etc/GMT-0"
            | "GMT"
            | "GMT0"
            | "GMT+0"
            | "GMT-0"
            | "Etc/Greenwich"
            | "Greenwich"
    )
}

impl Zone {
    /// `UTC`, `America/Los_Angeles`, ... (IANA names, any case).
    pub fn parse(name: &str) -> Result<Zone, String> {
        let name = name.trim();
        Tz::from_str(name)
            .ok()
            .or_else(|| {
                chrono_tz::TZ_VARIANTS
                    .iter()
                    .find(|tz| tz.name().eq_ignore_ascii_case(name))
                    .copied()
            })
            .map(Zone::Named)
            .ok_or(())
            .map_err(|_| {
                format!("`{name}` is not a time zone; use an IANA name like UTC or Europe/Paris")
            })
    }

    /// The system's zone: `TZ` if it names one, else the zone the system
    /// is set to, else chrono's local offsets.
    pub fn system() -> Zone {
        let named = std::env::var("TZ")
            .ok()
            .map(|tz| tz.trim_start_matches(':').to_owned())
            .filter(|tz| !tz.is_empty())
            .or_else(|| iana_time_zone::get_timezone().ok());
        match named.and_then(|n| Tz::from_str(&n).ok()) {
            Some(tz) => Zone::Named(tz),
            None => Zone::Local,
        }
    }

    /// The zone's name as a user says it: the aliases of UTC (`Etc/UTC`,
    /// `Etc/Universal`, `Zulu`, ...) are all `UTC`.
    pub fn name(&self) -> String {
        match self {
            Zone::Named(tz) if is_utc(tz.name()) => "UTC".to_owned(),
            Zone::Named(tz) => tz.name().to_owned(),
            Zone::Local => "local time".to_owned(),
        }
    }

    /// The wall-clock time of a UTC instant in this zone.
    pub fn local(&self, ms: Millis) -> NaiveDateTime {
        let utc = DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default();
        match self {
            Zone::Named(tz) => utc.with_timezone(tz).naive_local(),
            Zone::Local => utc.with_timezone(&chrono::Local).naive_local(),
        }
    }

    /// The calendar day of a UTC instant in this zone.
    pub fn date(&self, ms: Millis) -> NaiveDate {
        self.local(ms).date()
    }

    /// The UTC instant at which a day begins in this zone (the earliest
    /// valid time on that day when midnight is skipped by a DST change).
    pub fn start_of(&self, day: NaiveDate) -> Millis {
        fn first<T: TimeZone>(tz: &T, day: NaiveDate) -> Millis {
            let mut t = day.and_hms_opt(0, 0, 0).unwrap_or_default();
            for _ in 0..48 {
                if let Some(at) = tz.from_local_datetime(&t).earliest() {
                    return at.timestamp_millis();
                }
                t += chrono::Duration::minutes(30);
            }
            t.and_utc().timestamp_millis()
        }
        match self {
            Zone::Named(tz) => first(tz, day),
            Zone::Local => first(&chrono::Local, day),
        }
    }

    /// `2026-11-20 17:59` in this zone.
    pub fn minute(&self, ms: Millis) -> String {
        self.local(ms).format("%Y-%m-%d %H:%M").to_string()
    }
}

/// A date as the report flags take it: `YYYYMMDD` or `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y%m%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y-%m-%d"))
        .map_err(|_| format!("`{s}` is not a date like 20261120 or 2026-11-20"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::parse_timestamp;

    #[test]
    fn an_instant_near_midnight_falls_on_different_days_by_zone() {
        let t = parse_timestamp("2026-11-20T05:30:00.000Z").unwrap();
        let utc = Zone::parse("UTC").unwrap();
        let la = Zone::parse("America/Los_Angeles").unwrap();
        assert_eq!(utc.date(t).to_string(), "2026-11-20");
        assert_eq!(la.date(t).to_string(), "2026-11-19");
        assert_eq!(la.minute(t), "2026-11-19 21:30");
        assert_eq!(Zone::parse("utc").unwrap(), utc);
        assert!(Zone::parse("Mars/Olympus").is_err());
    }

    #[test]
    fn utc_by_any_of_its_names_is_called_utc() {
        for alias in ["Etc/UTC", "UTC", "Etc/Universal", "Zulu", "Etc/GMT"] {
            assert_eq!(Zone::parse(alias).unwrap().name(), "UTC", "{alias}");
        }
        // A zone at +0 in winter is not UTC.
        assert_eq!(
            Zone::parse("Europe/London").unwrap().name(),
            "Europe/London"
        );
    }

    #[test]
    fn days_start_at_local_midnight() {
        let la = Zone::parse("America/Los_Angeles").unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        assert_eq!(
            la.start_of(day),
            parse_timestamp("2026-11-20T08:00:00Z").unwrap()
        );
        // Sao Paulo skipped midnight in its old DST changes.
        let sp = Zone::parse("America/Sao_Paulo").unwrap();
        let skipped = NaiveDate::from_ymd_opt(2018, 11, 4).unwrap();
        assert_eq!(
            sp.start_of(skipped),
            parse_timestamp("2018-11-04T03:00:00Z").unwrap()
        );
    }

    #[test]
    fn dates_take_both_forms() {
        assert_eq!(parse_date("20261120").unwrap().to_string(), "2026-11-20");
        assert_eq!(parse_date("2026-11-20").unwrap().to_string(), "2026-11-20");
        assert!(parse_date("11/20/2026").is_err());
        assert!(parse_date("20261340").is_err());
    }
}
