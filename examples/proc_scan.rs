//! How long one look at `/proc` takes (`Processes::probe`, what the
//! dashboard does at most once a second and `events`/`serve` every 10 s
//! while a session could end), for BENCHMARKS.md:
//!
//!     cargo run --release --example proc_scan [ROUNDS]
//!
//! Prints the number of processes and open `.jsonl` files seen, and the
//! median, p99 and max of ROUNDS (default 200) probes.

use ccwatch::state::open_files::Processes;
use std::time::Instant;

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200);
    let processes = std::fs::read_dir("/proc")
        .map(|d| {
            d.flatten()
                .filter(|e| {
                    e.file_name()
                        .to_str()
                        .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
                })
                .count()
        })
        .unwrap_or(0);
    let mut times = Vec::with_capacity(rounds);
    let mut seen = None;
    for _ in 0..rounds {
        let start = Instant::now();
        let probe = Processes::probe();
        times.push(start.elapsed());
        seen = probe;
    }
    let Some(seen) = seen else {
        eprintln!("/proc cannot be read here: nothing to time");
        return;
    };
    times.sort();
    let at = |p: usize| times[(times.len() * p / 100).min(times.len() - 1)];
    println!(
        "{processes} processes, {} open .jsonl files, {} claude dirs: median {:?}, p99 {:?}, max {:?} over {rounds} probes",
        seen.open.len(),
        seen.claude_dirs.len(),
        at(50),
        at(99),
        times[times.len() - 1]
    );
}
