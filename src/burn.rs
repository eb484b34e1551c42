//! Burn rate: how fast a session's context is filling, from its occupancy
//! series (the current cycle's `(timestamp, tokens)` points).
//!
//! Everything here is pure and takes `now` as a parameter, so the dashboard
//! can be tested at a fixed instant. Growth only counts upward steps: a dip
//! inside a cycle is noise, and a reset starts a new series anyway.

use crate::record::Millis;

/// How far back "the current rate" looks.
pub const RATE_WINDOW_MS: Millis = 10 * 60 * 1000;

const MINUTE_MS: f64 = 60_000.0;

/// The points that matter from `since` on, plus the last one before it,
/// which the first growth step inside the span is measured from.
pub fn trim(series: &[(Millis, u64)], since: Millis) -> Vec<(Millis, u64)> {
    let first_inside = series.partition_point(|(t, _)| *t < since);
    series[first_inside.saturating_sub(1)..].to_vec()
}

/// The longest stretch one step's growth is spread over in the sparkline:
/// a reply after a long pause grew the context when it came, not during
/// the whole pause.
pub const SPREAD_MS: Millis = 10 * 60 * 1000;

/// Context growth in tokens per minute, in `buckets` equal slices of the
/// `span_ms` before `now`, oldest first: what the sparkline draws. Each
/// upward step is spread over the time since the point before it (at most
/// `SPREAD_MS`), so replies a few minutes apart draw a level rate rather
/// than isolated spikes.
pub fn growth_per_minute(
    series: &[(Millis, u64)],
    now: Millis,
    span_ms: Millis,
    buckets: usize,
) -> Vec<u64> {
    if buckets == 0 || span_ms <= 0 {
        return vec![0; buckets];
    }
    let start = now - span_ms;
    let bucket_ms = span_ms as f64 / buckets as f64;
    let index = |t: Millis| (((t - start) as f64 / bucket_ms) as usize).min(buckets - 1);
    let mut grown = vec![0f64; buckets];
    for pair in series.windows(2) {
        let ((before_t, before), (t, after)) = (pair[0], pair[1]);
        if after <= before || t <= start || t > now {
            continue;
        }
        let growth = (after - before) as f64;
        let from = before_t.max(t - SPREAD_MS);
        if from >= t {
            grown[index(t)] += growth;
            continue;
        }
        let per_ms = growth / (t - from) as f64;
        for (i, g) in grown.iter_mut().enumerate().skip(index(from.max(start))) {
            let lo = start as f64 + i as f64 * bucket_ms;
            let hi = lo + bucket_ms;
            if lo >= t as f64 {
                break;
            }
            let overlap = hi.min(t as f64) - lo.max(from as f64);
            if overlap > 0.0 {
                *g += overlap * per_ms;
            }
        }
    }
    let minutes = bucket_ms / MINUTE_MS;
    grown.iter().map(|g| (g / minutes).round() as u64).collect()
}

/// The recent rate of growth in tokens per minute of wall-clock time: the
/// growth since the last point at least `RATE_WINDOW_MS` old (or the
/// cycle's first point), divided by the time since it. `None` when one
/// point is all there is; `Some(0.0)` when the context is not growing.
pub fn current_rate(series: &[(Millis, u64)], now: Millis) -> Option<f64> {
    let (&first, &last) = (series.first()?, series.last()?);
    if series.len() < 2 {
        return None;
    }
    let cutoff = now - RATE_WINDOW_MS;
    let base = series
        .iter()
        .rev()
        .find(|(t, _)| *t <= cutoff)
        .copied()
        .unwrap_or(first);
    // Timestamps from a clock ahead of ours must not make the rate
    // negative, and replies seconds apart must not extrapolate to millions
    // per minute: the rate is measured over a minute at least.
    let elapsed = (now.max(last.0) - base.0).max(MINUTE_MS as Millis);
    if last.1 <= base.1 {
        return Some(0.0);
    }
    Some((last.1 - base.1) as f64 / (elapsed as f64 / MINUTE_MS))
}

/// The highest rate of the span, in tokens per minute: the sparkline's
/// tallest bucket, or the current rate when that is higher (the rate is
/// measured over a window that can straddle buckets). Peak and current
/// are rates of the same growth, so the peak is never below the current.
pub fn peak_rate(
    series: &[(Millis, u64)],
    now: Millis,
    span_ms: Millis,
    buckets: usize,
    current: Option<f64>,
) -> Option<u64> {
    let tallest = growth_per_minute(series, now, span_ms, buckets)
        .into_iter()
        .max();
    let current = current.map(|r| r.max(0.0).round() as u64);
    tallest.max(current)
}

/// Minutes until `tokens` reaches `percent` of `window` at `rate` tokens per
/// minute: `Some(0.0)` if it already has, `None` when it is not growing.
pub fn eta_minutes(tokens: u64, window: u64, percent: f64, rate: Option<f64>) -> Option<f64> {
    let target = window as f64 * percent / 100.0;
    if tokens as f64 >= target {
        return Some(0.0);
    }
    let rate = rate.filter(|r| *r > 0.0)?;
    Some((target - tokens as f64) / rate)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Millis = 60_000;

    #[test]
    fn trim_keeps_the_point_before_the_span() {
        let s = [(0, 10), (5 * MIN, 20), (20 * MIN, 30), (30 * MIN, 40)];
        assert_eq!(
            trim(&s, 10 * MIN),
            vec![(5 * MIN, 20), (20 * MIN, 30), (30 * MIN, 40)]
        );
        assert_eq!(trim(&s, 0), s.to_vec());
        assert_eq!(trim(&s, 40 * MIN), vec![(30 * MIN, 40)]);
        assert_eq!(trim(&[], 5), vec![]);
    }

    #[test]
    fn growth_is_spread_over_the_time_since_the_point_before() {
        // Span of 60 minutes in 6 buckets of 10 minutes each.
        let now = 60 * MIN;
        let s = [
            (-5 * MIN, 1_000),  // before the span: only a base
            (2 * MIN, 11_000),  // +10k over 7 minutes, 2 of them in bucket 0
            (15 * MIN, 9_000),  // a dip: no growth
            (16 * MIN, 29_000), // +20k within bucket 1
            (59 * MIN, 30_000), // +1k over the last 10 minutes only: 49m to 59m
        ];
        assert_eq!(
            growth_per_minute(&s, now, 60 * MIN, 6),
            vec![286, 2_000, 0, 0, 10, 90]
        );
    }

    #[test]
    fn the_peak_is_never_below_the_current_rate() {
        // Replies a minute apart after a long quiet stretch: the rate over
        // the last minutes is higher than any wide bucket's average.
        let now = 60 * MIN;
        let s = [(0, 1_000), (58 * MIN, 1_000), (59 * MIN, 30_000)];
        let current = current_rate(&s, now);
        let peak = peak_rate(&s, now, 60 * MIN, 6, current).unwrap();
        assert!(current.unwrap() > 0.0);
        assert!(
            peak as f64 >= current.unwrap().round(),
            "{peak} < {current:?}"
        );
        let tallest = growth_per_minute(&s, now, 60 * MIN, 6)
            .into_iter()
            .max()
            .unwrap();
        assert!(peak >= tallest);
        assert_eq!(peak_rate(&[], now, 60 * MIN, 6, None), Some(0));
    }

    #[test]
    fn growth_at_one_instant_lands_in_its_bucket() {
        let s = [(4 * MIN, 1_000), (4 * MIN, 4_000)];
        assert_eq!(growth_per_minute(&s, 10 * MIN, 10 * MIN, 2), vec![600, 0]);
    }

    #[test]
    fn growth_handles_nothing_to_draw() {
        assert_eq!(growth_per_minute(&[], 0, MIN, 3), vec![0, 0, 0]);
        assert_eq!(growth_per_minute(&[(0, 5)], 0, MIN, 2), vec![0, 0]);
        assert_eq!(
            growth_per_minute(&[(0, 5), (1, 9)], 10, MIN, 0),
            Vec::<u64>::new()
        );
    }

    #[test]
    fn rate_is_growth_over_wall_clock_since_the_window_began() {
        let now = 30 * MIN;
        // The base is the last point at least 10 minutes old: (15m, 50k).
        let s = [(0, 10_000), (15 * MIN, 50_000), (25 * MIN, 80_000)];
        let r = current_rate(&s, now).unwrap();
        assert!((r - 2_000.0).abs() < 1e-9, "{r}");
    }

    #[test]
    fn rate_of_a_young_cycle_starts_at_its_first_point() {
        let s = [(0, 20_000), (2 * MIN, 30_000)];
        let r = current_rate(&s, 4 * MIN).unwrap();
        assert!((r - 2_500.0).abs() < 1e-9, "{r}");
    }

    #[test]
    fn rate_is_unknown_with_one_point_and_zero_when_not_growing() {
        assert_eq!(current_rate(&[], 0), None);
        assert_eq!(current_rate(&[(0, 5_000)], MIN), None);
        assert_eq!(
            current_rate(&[(0, 5_000), (MIN, 4_000)], 2 * MIN),
            Some(0.0)
        );
        // Idle for longer than the window: the newest point is the base.
        assert_eq!(
            current_rate(&[(0, 5_000), (MIN, 9_000)], 60 * MIN),
            Some(0.0)
        );
    }

    #[test]
    fn rate_over_seconds_counts_as_over_a_minute() {
        let r = current_rate(&[(0, 10_000), (2_000, 40_000)], 3_000).unwrap();
        assert!((r - 30_000.0).abs() < 1e-9, "{r}");
    }

    #[test]
    fn rate_ignores_a_clock_behind_the_transcript() {
        let r = current_rate(&[(0, 0), (MIN, 6_000)], 0).unwrap();
        assert!((r - 6_000.0).abs() < 1e-9, "{r}");
    }

    #[test]
    fn eta_at_the_recent_rate() {
        assert_eq!(
            eta_minutes(100_000, 200_000, 95.0, Some(1_000.0)),
            Some(90.0)
        );
        assert_eq!(
            eta_minutes(100_000, 200_000, 100.0, Some(1_000.0)),
            Some(100.0)
        );
        assert_eq!(
            eta_minutes(195_000, 200_000, 95.0, Some(1_000.0)),
            Some(0.0)
        );
        assert_eq!(eta_minutes(100_000, 200_000, 95.0, Some(0.0)), None);
        assert_eq!(eta_minutes(100_000, 200_000, 95.0, None), None);
    }
}
