//! When to redraw: at once for what the user did (a key, a resize, a
//! tick), at most once per `DATA_FRAME` for what the transcripts did. With
//! thousands of live sessions appending, drawing after every batch cost
//! more than reading them; a tenth of a second between data frames is not
//! visible to anyone watching a gauge, and keys never wait for it.

use std::time::{Duration, Instant};

/// The shortest time between two redraws caused by data alone.
pub const DATA_FRAME: Duration = Duration::from_millis(100);

#[derive(Debug, Default)]
pub struct Pace {
    last_draw: Option<Instant>,
    /// The state changed since the last draw.
    pending: bool,
}

impl Pace {
    /// Whether to draw now: the state changed (`dirty`, or earlier and not
    /// drawn yet) and either the change is `urgent` or a data frame passed.
    pub fn should_draw(&mut self, dirty: bool, urgent: bool, now: Instant) -> bool {
        self.pending |= dirty;
        self.pending
            && (urgent
                || self
                    .last_draw
                    .is_none_or(|last| now.saturating_duration_since(last) >= DATA_FRAME))
    }

    pub fn drawn(&mut self, now: Instant) {
        self.pending = false;
        self.last_draw = Some(now);
    }

    /// How long the loop may wait before a held-back redraw is due.
    pub fn wait(&self, now: Instant) -> Option<Duration> {
        let last = self.last_draw?;
        self.pending
            .then(|| DATA_FRAME.saturating_sub(now.saturating_duration_since(last)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_redraws_are_spaced_and_user_input_is_not() {
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let mut p = Pace::default();
        assert!(p.should_draw(true, false, t0), "the first frame at once");
        p.drawn(t0);
        // A batch 20 ms later waits for the frame, and says how long.
        assert!(!p.should_draw(true, false, ms(20)));
        assert_eq!(p.wait(ms(20)), Some(Duration::from_millis(80)));
        // Another batch changes nothing about when.
        assert!(!p.should_draw(true, false, ms(50)));
        // A key draws at once, the held-back change with it.
        assert!(p.should_draw(true, true, ms(60)));
        p.drawn(ms(60));
        assert_eq!(p.wait(ms(60)), None);
        // Nothing changed: no draw even when urgent.
        assert!(!p.should_draw(false, true, ms(70)));
        // A held-back change is drawn once its frame is due, without news.
        assert!(!p.should_draw(true, false, ms(100)));
        assert!(p.should_draw(false, false, ms(160)));
    }
}
