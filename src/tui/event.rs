//! Everything the dashboard reacts to, as one enum, and the wait for the
//! next one: the terminal, the live source, notices from alert side
//! effects, the clock (only when something on screen ages), the look at
//! the status-line hints (every `hints::POLL_MS`), and signals.

use crate::source::live::SourceMsg;
use crossterm::event::{EventStream, KeyEvent, KeyEventKind, MouseEvent};
use futures_util::StreamExt;
use std::time::Duration;
use tokio::sync::mpsc::{Receiver, UnboundedReceiver};

#[derive(Debug)]
pub enum Event {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize,
    Source(SourceMsg),
    /// The live source stopped: nothing more will arrive.
    SourceEnded,
    Notice(String),
    Tick,
    /// Time to look at the status-line hints folder again.
    HintsDue,
    /// SIGTERM, SIGINT, or the terminal went away.
    Quit,
    /// Something that changes nothing (key releases, focus, paste).
    Ignored,
}

pub struct Events {
    terminal: EventStream,
    source: Option<Receiver<SourceMsg>>,
    notices: UnboundedReceiver<String>,
    signals: Signals,
    hints: tokio::time::Interval,
}

impl Events {
    pub fn new(source: Receiver<SourceMsg>, notices: UnboundedReceiver<String>) -> Events {
        Events {
            terminal: EventStream::new(),
            source: Some(source),
            notices,
            signals: Signals::new(),
            hints: crate::hints::poll_interval(),
        }
    }

    /// Wait for the next event; `tick` is how long the screen may stay as
    /// it is (`None`: until something happens).
    pub async fn next(&mut self, tick: Option<Duration>) -> Event {
        let Events {
            terminal,
            source,
            notices,
            signals,
            hints,
        } = self;
        let from_source = async {
            match source.as_mut() {
                Some(rx) => rx.recv().await,
                None => std::future::pending().await,
            }
        };
        let event = tokio::select! {
            e = terminal.next() => match e {
                Some(Ok(e)) => from_terminal(e),
                _ => Event::Quit,
            },
            m = from_source => match m {
                Some(m) => Event::Source(m),
                None => Event::SourceEnded,
            },
            Some(n) = notices.recv() => Event::Notice(n),
            _ = sleep(tick) => Event::Tick,
            _ = hints.tick() => Event::HintsDue,
            _ = signals.recv() => Event::Quit,
        };
        if matches!(event, Event::SourceEnded) {
            self.source = None;
        }
        event
    }
}

fn from_terminal(e: crossterm::event::Event) -> Event {
    use crossterm::event::Event as E;
    match e {
        E::Key(k) if k.kind != KeyEventKind::Release => Event::Key(k),
        E::Mouse(m) => Event::Mouse(m),
        E::Resize(..) => Event::Resize,
        _ => Event::Ignored,
    }
}

async fn sleep(tick: Option<Duration>) {
    match tick {
        Some(d) => tokio::time::sleep(d).await,
        None => std::future::pending().await,
    }
}

/// SIGTERM and SIGINT (in raw mode Ctrl-C is a key, but a `kill -INT`
/// still arrives as a signal). Registered once, so a signal that arrives
/// while an event is being handled is not lost.
struct Signals {
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    int: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    fn new() -> Signals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Signals {
                term: signal(SignalKind::terminate()).ok(),
                int: signal(SignalKind::interrupt()).ok(),
            }
        }
        #[cfg(not(unix))]
        Signals {}
    }

    async fn recv(&mut self) {
        #[cfg(unix)]
        {
            async fn one(s: &mut Option<tokio::signal::unix::Signal>) {
                match s {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending().await,
                }
            }
            tokio::select! {
                _ = one(&mut self.term) => {}
                _ = one(&mut self.int) => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
