//! Taking the terminal over and giving it back: raw mode, the alternate
//! screen and mouse capture on the way in; all undone on the way out,
//! whether that is a quit, a signal, an error or a panic.

use crossterm::cursor::{MoveTo, Show};
use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;
use crossterm::terminal::{
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{self, Stdout};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether the terminal is ours right now, so that restoring happens once
/// (the panic hook and the guard's drop may both try).
static TAKEN: AtomicBool = AtomicBool::new(false);

/// Held while a frame is drawn and while the terminal is given back, so a
/// panic on another thread cannot restore the terminal in the middle of a
/// frame, nor a frame be drawn onto the restored screen afterwards.
static SCREEN: Mutex<()> = Mutex::new(());

/// Draw with `draw` unless the terminal has been given back (a panic on
/// another thread is ending the process).
pub fn draw_frame<T>(draw: impl FnOnce() -> io::Result<T>) -> io::Result<Option<T>> {
    let _screen = SCREEN
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if !TAKEN.load(Ordering::SeqCst) {
        return Ok(None);
    }
    draw().map(Some)
}

pub type Term = Terminal<CrosstermBackend<Stdout>>;

/// Holds the terminal; dropping it restores the terminal.
pub struct Takeover {
    pub term: Term,
}

impl Takeover {
    pub fn enter() -> io::Result<Takeover> {
        install_panic_hook();
        let set_up = || -> io::Result<Term> {
            enable_raw_mode()?;
            TAKEN.store(true, Ordering::SeqCst);
            execute!(io::stdout(), EnterAlternateScreen, EnableMouseCapture)?;
            Terminal::new(CrosstermBackend::new(io::stdout()))
        };
        match set_up() {
            Ok(term) => Ok(Takeover { term }),
            Err(e) => {
                restore();
                Err(e)
            }
        }
    }
}

impl Drop for Takeover {
    fn drop(&mut self) {
        restore();
    }
}

/// Undo everything `enter` did; only the first call does anything.
///
/// The alternate screen is cleared with the cursor home before it is left:
/// tmux keeps the rows above the cursor of a resized alternate screen and
/// shows them on the normal screen afterwards.
pub fn restore() {
    // A panic inside a frame holds the lock on this very thread: wait a
    // moment for another thread's frame, never forever.
    let mut screen = SCREEN.try_lock().ok();
    for _ in 0..50 {
        if screen.is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
        screen = SCREEN.try_lock().ok();
    }
    if !TAKEN.swap(false, Ordering::SeqCst) {
        return;
    }
    let _ = execute!(
        io::stdout(),
        DisableMouseCapture,
        Clear(ClearType::All),
        MoveTo(0, 0),
        LeaveAlternateScreen,
        Show
    );
    let _ = disable_raw_mode();
}

/// Restore the terminal before the panic message is printed, so it lands
/// on the normal screen where it can be read; then end the process.
///
/// A panic on a background thread (the engine, an alert) would otherwise
/// leave the dashboard drawing onto a terminal that is no longer in raw
/// mode, with numbers that no longer follow the transcripts. A bug is
/// better shown than hidden, so the process exits with the panic's status.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let ours = TAKEN.load(Ordering::SeqCst);
        restore();
        previous(info);
        if ours {
            std::process::exit(101);
        }
    }));
}
