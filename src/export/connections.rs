//! Serving HTTP without letting any client starve ccwatch: a cap on open
//! connections, a deadline for a request's headers (which also closes a
//! connection left idle between requests), and a longest life for any one
//! connection.
//!
//! At the cap, a new connection takes the place of the one that has waited
//! longest without a request in progress (a slow or silent client), so a
//! scrape still answers while someone holds many idle connections; if all
//! are busy, the new one is closed at once. The cap also stays well under
//! the process's limit on open files, so transcripts can always be opened.

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::Notify;

/// The bounds every connection lives within.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Connections open at once.
    pub max_connections: usize,
    /// From a connection's start, or the end of its last response, to the
    /// end of the next request's headers.
    pub header_timeout: Duration,
    /// The longest any connection stays open.
    pub max_lifetime: Duration,
}

impl Limits {
    /// 64 connections (fewer when the process may open few files), 5 s for
    /// headers or idling, a minute in all. A scrape takes milliseconds.
    pub fn for_this_process() -> Limits {
        Limits {
            max_connections: connection_cap(open_file_limit()),
            header_timeout: Duration::from_secs(5),
            max_lifetime: Duration::from_secs(60),
        }
    }
}

/// A quarter of the open-file limit, between 4 and 64: the rest is for
/// transcripts, the watcher and the terminal.
fn connection_cap(open_files: Option<u64>) -> usize {
    let quarter = open_files.map_or(64, |n| n / 4);
    quarter.clamp(4, 64) as usize
}

#[cfg(unix)]
fn open_file_limit() -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct we own.
    let rc = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
    // `rlim_t` is not u64 on every Unix.
    #[allow(clippy::unnecessary_cast)]
    let soft = limit.rlim_cur as u64;
    (rc == 0).then_some(soft)
}

#[cfg(not(unix))]
fn open_file_limit() -> Option<u64> {
    None
}

/// One open connection, as the table of them sees it.
struct Open {
    /// A request is being answered: not to be closed for a newcomer.
    busy: Arc<AtomicBool>,
    since: Instant,
    close: Arc<Notify>,
}

#[derive(Default)]
struct Table {
    open: HashMap<u64, Open>,
    next_id: u64,
}

impl Table {
    /// Make room for one more connection: `false` when every one is busy.
    fn admit(&mut self, cap: usize) -> bool {
        if self.open.len() < cap {
            return true;
        }
        let idlest = self
            .open
            .iter()
            .filter(|(_, c)| !c.busy.load(Ordering::Relaxed))
            .min_by_key(|(_, c)| c.since)
            .map(|(id, _)| *id);
        match idlest.and_then(|id| self.open.remove(&id)) {
            Some(evicted) => {
                evicted.close.notify_one();
                true
            }
            None => false,
        }
    }
}

/// Answer connections on `listener` with `app` until the process ends.
pub async fn serve(listener: TcpListener, app: Router, limits: Limits) {
    let table = Arc::new(Mutex::new(Table::default()));
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) if is_connection_error(&e) => continue,
            // Out of descriptors, most likely: wait for some to be freed
            // rather than spin.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(250)).await;
                continue;
            }
        };
        let busy = Arc::new(AtomicBool::new(false));
        let close = Arc::new(Notify::new());
        let id = {
            let Ok(mut t) = table.lock() else { return };
            if !t.admit(limits.max_connections) {
                continue; // dropping the stream closes it
            }
            t.next_id += 1;
            let id = t.next_id;
            t.open.insert(
                id,
                Open {
                    busy: busy.clone(),
                    since: Instant::now(),
                    close: close.clone(),
                },
            );
            id
        };
        let _ = stream.set_nodelay(true);
        let app = TowerToHyperService::new(app.clone());
        let table = table.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
                busy.store(true, Ordering::Relaxed);
                // Handlers that check who is asking (the OTLP receiver's
                // loopback rule) read the peer as axum would give it.
                req.extensions_mut()
                    .insert(axum::extract::ConnectInfo(peer));
                let answer = hyper::service::Service::call(&app, req);
                let busy = busy.clone();
                async move {
                    let response = answer.await;
                    busy.store(false, Ordering::Relaxed);
                    response
                }
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_timeout)
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service);
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                () = close.notified() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = tokio::time::timeout(Duration::from_secs(1), conn).await;
                }
                () = tokio::time::sleep(limits.max_lifetime) => {}
            }
            if let Ok(mut t) = table.lock() {
                t.open.remove(&id);
            }
        });
    }
}

fn is_connection_error(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::ConnectionReset
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_is_a_quarter_of_the_open_file_limit_within_bounds() {
        assert_eq!(connection_cap(Some(100)), 25);
        assert_eq!(connection_cap(Some(8)), 4);
        assert_eq!(connection_cap(Some(1 << 20)), 64);
        assert_eq!(connection_cap(None), 64);
    }

    #[test]
    fn at_the_cap_the_longest_idle_connection_makes_room_and_busy_ones_stay() {
        let mut t = Table::default();
        let start = Instant::now();
        let mut notes = Vec::new();
        for (id, busy) in [(1, false), (2, true), (3, false)] {
            let close = Arc::new(Notify::new());
            notes.push(close.clone());
            t.open.insert(
                id,
                Open {
                    busy: Arc::new(AtomicBool::new(busy)),
                    since: start + Duration::from_millis(id),
                    close,
                },
            );
        }
        assert!(t.admit(4));
        assert!(t.admit(3));
        let mut left: Vec<u64> = t.open.keys().copied().collect();
        left.sort();
        assert_eq!(left, vec![2, 3]);
        assert!(t.admit(2));
        assert_eq!(t.open.keys().copied().collect::<Vec<_>>(), vec![2]);
        // Only busy connections left at the cap: the newcomer is refused.
        assert!(!t.admit(1));
    }
}
