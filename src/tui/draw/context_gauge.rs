//! The large context gauge of the detail panel and the lines that read it:
//! the bar with the auto-compact marker, the tokens against the window (and
//! whether the window is a guess), and the ETA, headed by "until
//! auto-compact". Pure functions of the session's snapshot.

use super::text::{bar, cut, width};
use crate::format;
use crate::ledger::ContextSnapshot;
use crate::tui::theme::{Band, Theme};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// Where the marker sits: a cell of a bar `w` cells long.
pub fn marker_cell(auto_compact_at: u64, window: u64, w: usize) -> Option<usize> {
    if window == 0 || w == 0 || auto_compact_at >= window {
        return None;
    }
    let at = (auto_compact_at as f64 / window as f64 * w as f64).round() as usize;
    Some(at.min(w - 1))
}

/// One row of the bar, `w` cells, with `┃` where auto-compact fires.
pub fn bar_spans(c: &ContextSnapshot, band: Band, w: usize, theme: Theme) -> Vec<Span<'static>> {
    let (full, empty) = bar(c.percent, w);
    let filled = full.chars().count();
    let Some(m) = marker_cell(c.auto_compact_at, c.window, w) else {
        return vec![
            Span::styled(full, theme.band(band)),
            Span::styled(empty, theme.track()),
        ];
    };
    let (part, style) = if m < filled {
        (&full, theme.band(band))
    } else {
        (&empty, theme.track())
    };
    let at = if m < filled { m } else { m - filled };
    let before: String = part.chars().take(at).collect();
    let after: String = part.chars().skip(at + 1).collect();
    let mut spans = Vec::new();
    if m >= filled {
        spans.push(Span::styled(full.clone(), theme.band(band)));
    }
    spans.push(Span::styled(before, style));
    spans.push(Span::styled("┃", theme.title()));
    spans.push(Span::styled(after, style));
    if m < filled {
        spans.push(Span::styled(empty.clone(), theme.track()));
    }
    spans
}

/// The longest of `candidates` that fits in `w` columns (the last, cut,
/// when none does).
pub fn fitting(candidates: Vec<String>, w: usize) -> String {
    let last = candidates.last().cloned().unwrap_or_default();
    candidates
        .into_iter()
        .find(|c| width(c) <= w)
        .unwrap_or_else(|| cut(&last, w))
}

/// `150k / 200k tokens · compacts ~155k`, and when the window is not known
/// for sure, where the guess came from (a `?` after the window at least).
pub fn tokens_line(c: &ContextSnapshot, w: usize, theme: Theme) -> Line<'static> {
    let t = format::tokens;
    let guess = c.window_source.is_guess();
    let q = if guess { "?" } else { "" };
    let main = format!(
        "{} / {} tokens · compacts ~{}",
        t(c.tokens),
        t(c.window),
        t(c.auto_compact_at)
    );
    let mut candidates = Vec::new();
    if guess {
        candidates.push(format!("{main} · window {}", c.window_source.describe()));
        candidates.push(format!("{main} · window guessed"));
    } else {
        candidates.push(main);
    }
    candidates.push(format!(
        "{} / {}{q} tokens · compacts ~{}",
        t(c.tokens),
        t(c.window),
        t(c.auto_compact_at)
    ));
    candidates.push(format!("{} / {}{q} tokens", t(c.tokens), t(c.window)));
    let text = fitting(candidates, w);
    match text.find(" · window") {
        Some(i) => Line::from(vec![
            Span::raw(text[..i].to_owned()),
            Span::styled(text[i..].to_owned(), theme.dim()),
        ]),
        None => Line::raw(text),
    }
}

/// Why the ETA has no figure, when it has none.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NoFigure {
    Compacted,
    OneReply,
    NotGrowing,
}

impl NoFigure {
    pub fn text(self) -> &'static str {
        match self {
            NoFigure::Compacted => "— compacted: no figure until the next reply",
            NoFigure::OneReply => "— one reply so far: no rate yet",
            NoFigure::NotGrowing => "— not growing",
        }
    }
}

/// When `tokens` reaches `target` at `rate` per minute: `None` if it has.
fn when(tokens: u64, target: u64, rate: Option<f64>) -> Option<String> {
    if tokens >= target {
        return None;
    }
    Some(match rate.filter(|r| *r > 0.0) {
        Some(r) => {
            let m = (target - tokens) as f64 / r;
            if m > 24.0 * 60.0 {
                "over a day".to_owned()
            } else {
                format!("in {}", format::eta(m))
            }
        }
        None => "—".to_owned(),
    })
}

/// The ETA text, as much of it as fits in `w` columns:
/// `auto-compact in 12m (8.2k left) · 95% in 20m · full in 25m`.
pub fn eta_text(
    c: &ContextSnapshot,
    level: u8,
    rate: Option<f64>,
    replies: usize,
    w: usize,
) -> String {
    if c.compacted {
        return fitting(
            vec![
                NoFigure::Compacted.text().to_owned(),
                "— compacted".to_owned(),
            ],
            w,
        );
    }
    let growing = rate.is_some_and(|r| r >= 1.0);
    let level_at = (c.window as f64 * f64::from(level) / 100.0).round() as u64;
    let left = c.auto_compact_at.saturating_sub(c.tokens);
    if !growing {
        let why = if replies <= 1 {
            NoFigure::OneReply
        } else {
            NoFigure::NotGrowing
        };
        let short = if replies <= 1 {
            "— one reply so far"
        } else {
            "— not growing"
        };
        let tail = if left > 0 {
            format!("{} to auto-compact", format::tokens(left))
        } else {
            "past auto-compact".to_owned()
        };
        return fitting(
            vec![
                format!("{} · {tail}", why.text()),
                format!("{short} · {tail}"),
                short.to_owned(),
            ],
            w,
        );
    }
    let (auto, auto_short) = match when(c.tokens, c.auto_compact_at, rate) {
        Some(t) => (
            format!("auto-compact {t} ({} left)", format::tokens(left)),
            format!("auto-compact {t}"),
        ),
        None => (
            "past auto-compact".to_owned(),
            "past auto-compact".to_owned(),
        ),
    };
    let lvl = when(c.tokens, level_at, rate)
        .map_or(format!("past {level}%"), |t| format!("{level}% {t}"));
    let full = when(c.tokens, c.window, rate).map_or("full".to_owned(), |t| format!("full {t}"));
    fitting(
        vec![
            format!("{auto} · {lvl} · {full}"),
            format!("{auto_short} · {lvl} · {full}"),
            format!("{auto_short} · {full}"),
            auto_short,
        ],
        w,
    )
}

/// The ETA line, coloured once the gauge runs hot.
pub fn eta_line(
    c: &ContextSnapshot,
    thresholds: &[u8],
    rate: Option<f64>,
    replies: usize,
    w: usize,
    theme: Theme,
) -> Line<'static> {
    let level = thresholds.last().copied().unwrap_or(95);
    let band = Band::of(c.percent, thresholds);
    let style = if band >= Band::Hot && !c.compacted {
        theme.band(band)
    } else {
        Style::new()
    };
    Line::from(vec![
        Span::styled("eta  ", theme.dim()),
        Span::styled(
            eta_text(c, level, rate, replies, w.saturating_sub(5)),
            style,
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gauge::WindowSource;
    use crate::gauge::auto_compact::AutoCompactSource;

    fn ctx(tokens: u64) -> ContextSnapshot {
        ContextSnapshot {
            tokens,
            window: 200_000,
            window_source: WindowSource::Statusline,
            percent: crate::ledger::snapshot::percent(tokens, 200_000),
            auto_compact_at: 160_000,
            auto_compact_source: AutoCompactSource::Learned,
            input: 0,
            cache_creation: 0,
            cache_read: 0,
            output: 0,
            model: "claude-opus-4-6".into(),
            timestamp: 0,
            compacted: false,
        }
    }

    #[test]
    fn a_context_past_its_window_fills_the_bar_and_says_its_figures() {
        // An override or the 1M window is exact (spec §4), so a prompt can
        // pass it: the bar stops at full, the figures do not.
        let mut c = ctx(150_000);
        c.window = 100_000;
        c.percent = crate::ledger::snapshot::percent(150_000, 100_000);
        c.auto_compact_at = 77_500;
        c.window_source = WindowSource::Override;
        let spans = bar_spans(&c, Band::Critical, 20, Theme { color: false });
        let text: String = spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(text.chars().count(), 20, "{text}");
        assert!(!text.contains('░'), "{text}");
        assert!(text.contains('┃'), "{text}");
        let line = tokens_line(&c, 80, Theme { color: false });
        let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
        assert!(text.starts_with("150k / 100k tokens"), "{text}");
        assert_eq!(
            eta_text(&c, 95, Some(1_000.0), 5, 80),
            "past auto-compact · past 95% · full"
        );
    }

    #[test]
    fn the_marker_sits_at_the_auto_compact_point() {
        assert_eq!(marker_cell(160_000, 200_000, 50), Some(40));
        assert_eq!(marker_cell(200_000, 200_000, 50), None);
        assert_eq!(marker_cell(1, 200_000, 0), None);
    }

    #[test]
    fn auto_compact_heads_the_eta() {
        assert_eq!(
            eta_text(&ctx(150_000), 95, Some(1_000.0), 5, 80),
            "auto-compact in 10m (10k left) · 95% in 40m · full in 50m"
        );
        assert_eq!(
            eta_text(&ctx(170_000), 95, Some(1_000.0), 5, 80),
            "past auto-compact · 95% in 20m · full in 30m"
        );
    }

    #[test]
    fn a_narrow_pane_keeps_the_auto_compact_eta_first() {
        assert_eq!(
            eta_text(&ctx(150_000), 95, Some(1_000.0), 5, 34),
            "auto-compact in 10m · full in 50m"
        );
        assert_eq!(
            eta_text(&ctx(150_000), 95, Some(1_000.0), 5, 20),
            "auto-compact in 10m"
        );
    }

    #[test]
    fn without_a_figure_the_eta_says_why() {
        assert_eq!(
            eta_text(&ctx(150_000), 95, None, 1, 80),
            "— one reply so far: no rate yet · 10k to auto-compact"
        );
        assert_eq!(
            eta_text(&ctx(150_000), 95, Some(0.0), 4, 80),
            "— not growing · 10k to auto-compact"
        );
        let mut c = ctx(150_000);
        c.compacted = true;
        assert_eq!(
            eta_text(&c, 95, Some(1_000.0), 4, 80),
            "— compacted: no figure until the next reply"
        );
    }

    /// Bug: the ETA said `95% in 1m · full in 1m` in the last minute, so
    /// two different moments looked the same; the last minutes are in seconds.
    #[test]
    fn the_last_minutes_are_counted_in_seconds() {
        assert_eq!(
            eta_text(&ctx(189_300), 95, Some(1_000.0), 5, 80),
            "past auto-compact · 95% in 40s · full in 11m"
        );
    }
}
