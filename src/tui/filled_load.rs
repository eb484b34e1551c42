//! Keeping the zoomed session's "what filled it" panel up to date without
//! blocking the dashboard: the session's files are read on a blocking
//! thread, from where the last read stopped (only new lines), and the
//! summary comes back through a channel the main loop waits on.

use super::app::{App, Mode, Screen};
use super::filled::{Filled, FilledView};
use crate::attribution::{Scope, SessionFile, SessionReader, attribute};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

pub struct FilledLoader {
    tx: UnboundedSender<Filled>,
    pub rx: UnboundedReceiver<Filled>,
    /// The reader of the session last shown, kept to read on from.
    reader: Arc<Mutex<Option<SessionReader>>>,
    line_cap: usize,
    patterns: crate::audit::AuditPatterns,
    busy: bool,
    /// Asked again while busy: read once more when the read ends.
    again: bool,
}

/// The session whose panel should show: the zoomed one.
pub fn wanted(app: &App) -> Option<String> {
    matches!(app.mode, Mode::Zoom | Mode::Help(Screen::Zoom))
        .then(|| app.selected_session().map(|s| s.snap.session_id.clone()))
        .flatten()
}

impl FilledLoader {
    pub fn new(line_cap: usize, patterns: crate::audit::AuditPatterns) -> FilledLoader {
        let (tx, rx) = unbounded_channel();
        FilledLoader {
            tx,
            rx,
            reader: Arc::new(Mutex::new(None)),
            line_cap,
            patterns,
            busy: false,
            again: false,
        }
    }

    /// After an event: start a read when the zoomed session changed, or
    /// (`grew`) when its files may have. Returns whether to redraw.
    pub fn follow(
        &mut self,
        app: &mut App,
        files: impl FnOnce(&str) -> Vec<SessionFile>,
        grew: bool,
    ) -> bool {
        let Some(id) = wanted(app) else {
            if app.filled != Filled::None {
                app.set_filled(Filled::None);
                return true;
            }
            return false;
        };
        let changed = app.filled.session() != Some(id.as_str());
        if !changed && !grew {
            return false;
        }
        if changed {
            app.set_filled(Filled::Loading(id.clone()));
        }
        if self.busy {
            self.again = true;
        } else {
            self.start(id, files);
        }
        changed
    }

    fn start(&mut self, id: String, files: impl FnOnce(&str) -> Vec<SessionFile>) {
        let files = files(&id);
        let reader = Arc::clone(&self.reader);
        let tx = self.tx.clone();
        let line_cap = self.line_cap;
        let patterns = self.patterns.clone();
        self.busy = true;
        tokio::task::spawn_blocking(move || {
            let mut slot = match reader.lock() {
                Ok(g) => g,
                Err(poisoned) => poisoned.into_inner(),
            };
            if slot.as_ref().is_none_or(|r| r.session() != id) {
                *slot = Some(SessionReader::new(&id, Vec::new(), line_cap));
            }
            let Some(r) = slot.as_mut() else { return };
            for f in files {
                r.add_file(f);
            }
            let result = match r.update() {
                Ok(_) => {
                    let (shares, summary) = attribute(&r.timeline, Scope::SinceCompaction);
                    let cwd = r.cwd.as_deref();
                    let audit = crate::audit::audit(&r.calls, cwd, &patterns);
                    let mut view = FilledView::of(&id, &summary, cwd).flagged(&audit, cwd);
                    view.turns = super::filled::turn_lines(&r.timeline, &shares, cwd);
                    view.turns_left_out = super::filled::turns_left_out(&r.timeline);
                    Filled::Ready(view)
                }
                Err(e) => Filled::Failed(id.clone(), e),
            };
            drop(tx.send(result));
        });
    }

    /// A read came back: show it if it is still the zoomed session's.
    /// Returns whether to redraw.
    pub fn arrived(
        &mut self,
        app: &mut App,
        result: Filled,
        files: impl FnOnce(&str) -> Vec<SessionFile>,
    ) -> bool {
        self.busy = false;
        let current = wanted(app);
        let redraw = if current.as_deref() == result.session() {
            app.set_filled(result);
            true
        } else {
            false
        };
        if std::mem::take(&mut self.again)
            && let Some(id) = current
        {
            self.start(id, files);
        }
        redraw
    }
}
