//! Colours and emphasis: which band a percentage falls in, and how each band
//! looks with colour and without (NO_COLOR keeps bold, dim and reverse,
//! which carry the same warnings without hue).

use ratatui::style::{Color, Modifier, Style};

/// How full a context window is, relative to the alert thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Band {
    /// Below the first threshold.
    Calm,
    /// Past the first threshold.
    Warm,
    /// Past a middle threshold.
    Hot,
    /// At or past the last threshold: compaction is close.
    Critical,
}

impl Band {
    /// With the default thresholds: below 70, 70–85, 85–95, 95 and over.
    /// With other thresholds the first and last keep their meaning and any
    /// in between count as hot.
    pub fn of(percent: f64, thresholds: &[u8]) -> Band {
        let crossed = thresholds
            .iter()
            .filter(|t| percent >= f64::from(**t))
            .count();
        match crossed {
            0 => Band::Calm,
            n if n == thresholds.len() => Band::Critical,
            1 => Band::Warm,
            _ => Band::Hot,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    /// Colour unless NO_COLOR is set to anything non-empty (no-color.org).
    pub fn from_env() -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Theme { color: !no_color }
    }

    fn fg(self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    /// The filled part of a gauge, and a percentage, in a band.
    pub fn band(self, b: Band) -> Style {
        match b {
            Band::Calm => self.fg(Color::Green),
            Band::Warm => self.fg(Color::Yellow),
            Band::Hot => self.fg(Color::Indexed(208)).add_modifier(Modifier::BOLD),
            Band::Critical => self
                .fg(Color::Red)
                .add_modifier(Modifier::BOLD | Modifier::REVERSED),
        }
    }

    /// The empty part of a gauge.
    pub fn track(self) -> Style {
        self.fg(Color::DarkGray)
    }

    pub fn dim(self) -> Style {
        Style::new().add_modifier(Modifier::DIM)
    }

    pub fn title(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn selected(self) -> Style {
        if self.color {
            Style::new()
                .bg(Color::Indexed(236))
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }

    pub fn key(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn notice(self) -> Style {
        self.fg(Color::Yellow)
    }

    /// The alert banner of a band.
    pub fn banner(self, b: Band) -> Style {
        let base = Style::new().add_modifier(Modifier::BOLD);
        if !self.color {
            return base.add_modifier(Modifier::REVERSED);
        }
        let bg = match b {
            Band::Calm | Band::Warm => Color::Yellow,
            Band::Hot => Color::Indexed(208),
            Band::Critical => Color::Red,
        };
        base.bg(bg).fg(Color::Black)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_follow_the_default_thresholds() {
        let t = [70, 85, 95];
        assert_eq!(Band::of(69.99, &t), Band::Calm);
        assert_eq!(Band::of(70.0, &t), Band::Warm);
        assert_eq!(Band::of(84.9, &t), Band::Warm);
        assert_eq!(Band::of(85.0, &t), Band::Hot);
        assert_eq!(Band::of(94.99, &t), Band::Hot);
        assert_eq!(Band::of(95.0, &t), Band::Critical);
    }

    #[test]
    fn bands_adapt_to_other_thresholds() {
        assert_eq!(Band::of(80.0, &[80]), Band::Critical);
        assert_eq!(Band::of(79.0, &[80]), Band::Calm);
        assert_eq!(Band::of(60.0, &[50, 60, 70, 90]), Band::Hot);
        assert_eq!(Band::of(99.0, &[]), Band::Calm);
    }

    #[test]
    fn no_color_keeps_emphasis_only() {
        let t = Theme { color: false };
        assert_eq!(t.band(Band::Calm), Style::new());
        assert!(
            t.band(Band::Critical)
                .add_modifier
                .contains(Modifier::REVERSED)
        );
    }
}
