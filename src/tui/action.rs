//! What a key asks the dashboard to do. Its own module so that the state
//! (`app.rs`, which applies actions) and the bindings (`keys.rs`, which
//! read the mode to pick one) each depend on it and not on each other.

/// What the user asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Up,
    Down,
    Next,
    Prev,
    /// Select the n-th visible row (1-based).
    Jump(u8),
    /// Zoom the selected session full-screen, or back.
    Zoom,
    /// Leave zoom (or clear the filter in the list); quit from a plain list.
    Back,
    Filter,
    Sort,
    ToggleIdle,
    Help,
    /// Open the skipped lines overlay.
    Skipped,
    /// In an overlay or the turn timeline: scroll a row, or a screenful.
    ScrollUp,
    ScrollDown,
    PageUp,
    PageDown,
    /// Likewise: to the top (the oldest turn), or the end (the newest,
    /// which the timeline then follows).
    ScrollTop,
    ScrollBottom,
    /// Close the overlay.
    CloseHelp,
    Quit,
    /// Filter mode: a character typed into the filter.
    Type(char),
    /// Filter mode: delete the last character.
    Erase,
    /// Filter mode: keep the filter and go back to the list.
    Apply,
    /// Filter mode: drop the filter and go back to the list.
    Clear,
    /// Dismiss the alert banner.
    Acknowledge,
    /// In the zoom view: what filled the context, or the turn timeline.
    Timeline,
    /// Show the selected session's resume command and copy it.
    Resume,
    /// Search prompts and replies; the list narrows to what matches.
    Search,
}
