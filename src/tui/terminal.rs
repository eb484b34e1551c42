//! Taking the terminal over and giving it back: raw mode, the alternate
//! screen and mouse capture on the way in; all undone on the way out,
//! whether that is a quit, a signal, an error or a panic.

use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{self, Stdout};

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

/// Undo everything `enter` did; safe to call more than once.
pub fn restore() {
    let _ = execute!(
        io::stdout(),
        DisableMouseCapture,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = disable_raw_mode();
}

/// Restore the terminal before the panic message is printed, so it lands
/// on the normal screen where it can be read.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}
