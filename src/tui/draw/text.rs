//! Fitting text and bars into a number of columns.

use crate::record::Millis;
use ratatui::text::Span;

/// Display width of a string, as the terminal lays it out.
pub fn width(s: &str) -> usize {
    Span::raw(s).width()
}

/// `s` cut to `w` columns (with `…` when cut) and padded to exactly `w`.
pub fn fit(s: &str, w: usize) -> String {
    let mut out = cut(s, w);
    let pad = w.saturating_sub(width(&out));
    out.extend(std::iter::repeat_n(' ', pad));
    out
}

/// `s` cut to at most `w` columns, with `…` when cut.
pub fn cut(s: &str, w: usize) -> String {
    if width(s) <= w {
        return s.to_owned();
    }
    let mut out = String::new();
    for c in s.chars() {
        if width(&out) + width(c.encode_utf8(&mut [0; 4])) + 1 > w {
            break;
        }
        out.push(c);
    }
    if w > 0 {
        out.push('…');
    }
    out
}

/// `s` cut to at most `w` columns by taking out its middle: both ends of a
/// path (its project and its file name) say more than the part between.
pub fn cut_middle(s: &str, w: usize) -> String {
    if width(s) <= w || w < 3 {
        return cut(s, w);
    }
    let chars: Vec<char> = s.chars().collect();
    let keep = w - 1;
    let (head, tail) = (keep - keep / 2, keep / 2);
    let mut out: String = chars[..head].iter().collect();
    out.push('…');
    out.extend(&chars[chars.len() - tail..]);
    out
}

/// `s` right-aligned in `w` columns.
pub fn right(s: &str, w: usize) -> String {
    format!("{}{s}", " ".repeat(w.saturating_sub(width(s))))
}

/// A bar `w` cells long, `percent` full: the filled and the empty part.
pub fn bar(percent: f64, w: usize) -> (String, String) {
    let filled = ((percent / 100.0).clamp(0.0, 1.0) * w as f64).round() as usize;
    ("█".repeat(filled), "░".repeat(w - filled))
}

/// A clock time in the user's zone: `14:02`, or `11-12 06:54` when not today.
pub fn clock(ms: Millis, now: Millis, utc_offset_secs: i32) -> String {
    let Some(zone) = chrono::FixedOffset::east_opt(utc_offset_secs) else {
        return String::new();
    };
    let at = |t: Millis| chrono::DateTime::from_timestamp_millis(t).map(|d| d.with_timezone(&zone));
    match (at(ms), at(now)) {
        (Some(t), Some(n)) if t.date_naive() == n.date_naive() => t.format("%H:%M").to_string(),
        (Some(t), _) => t.format("%Y-%m-%d %H:%M").to_string(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fitting_cuts_with_an_ellipsis_and_pads() {
        assert_eq!(fit("webapp", 8), "webapp  ");
        assert_eq!(fit("infrastructure", 8), "infrast…");
        assert_eq!(cut("abc", 0), "");
        assert_eq!(right("5m", 4), "  5m");
    }

    #[test]
    fn bars_round_to_whole_cells() {
        assert_eq!(bar(50.0, 4), ("██".into(), "░░".into()));
        assert_eq!(bar(120.0, 3), ("███".into(), "".into()));
        assert_eq!(bar(0.0, 2), ("".into(), "░░".into()));
    }

    #[test]
    fn clock_times_show_the_date_when_not_today() {
        let t = 1_795_000_000_000; // 2026-11-18 11:06:40 UTC
        assert_eq!(clock(t, t, 0), "11:06");
        assert_eq!(clock(t, t, 3600), "12:06");
        assert_eq!(clock(t - 86_400_000, t, 0), "2026-11-17 11:06");
    }
}
