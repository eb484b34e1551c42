//! Fault injection: the live engine (`events --json`) runs while a seeded
//! random schedule of file-system faults is applied to its data directory;
//! afterwards its totals must equal a fresh `status --json --no-cache`
//! scan of what is on disk. Several seeds; a failure prints its seed, and
//! `CCWATCH_FAULT_SEEDS=7,8` replays chosen ones.
//!
//! The faults: appends, partial lines finished later, renames, rotation,
//! copy-truncate, truncation, deletion, new directories with a file
//! written at once, in-place rewrites that keep the first bytes and the
//! length, links (to a file, and a loop to a parent directory), FIFOs,
//! chmod 000 and back, and `projects/` deleted and made again.

mod common;

use common::*;
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SEEDS: [u64; 10] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 0x5eed];
const STEPS: usize = 45;

/// The data directory being tormented, and what the schedule knows of it.
struct World {
    root: PathBuf,
    rng: Rng,
    /// Transcripts that exist (as regular files the schedule made).
    files: Vec<PathBuf>,
    /// Files with the first half of a line written and not yet the rest.
    partial: Vec<(PathBuf, String)>,
    next_msg: u64,
    log: Vec<String>,
}

impl World {
    fn projects(&self) -> PathBuf {
        self.root.join("projects")
    }

    fn pick(&mut self, n: usize) -> usize {
        self.rng.below(n as u64) as usize
    }

    /// One usage record of `session`, its numbers five digits wide so an
    /// in-place rewrite can change them without changing the length.
    fn record(&mut self, session: &str) -> String {
        self.next_msg += 1;
        let n = self.next_msg;
        let msg = format!("msg_{n:06}");
        let ts = format!("2026-11-20T10:{:02}:{:02}.000Z", (n / 60) % 60, n % 60);
        let output = 10_000 + self.rng.below(89_999);
        let prompt = 10_000 + self.rng.below(89_999);
        Line::new(session, &msg, &ts, prompt, output).json()
    }

    fn session_of(path: &Path) -> String {
        path.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    fn new_file(&mut self, dir: &str) -> PathBuf {
        self.next_msg += 1;
        let path = self
            .projects()
            .join(dir)
            .join(format!("s{:04}.jsonl", self.next_msg));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let first = self.record(&Self::session_of(&path));
        std::fs::write(&path, first).unwrap();
        self.files.push(path.clone());
        path
    }

    fn append(&mut self, path: &Path, text: &str) {
        if let Ok(mut f) = std::fs::OpenOptions::new().append(true).open(path) {
            let _ = f.write_all(text.as_bytes());
        }
    }

    /// Finish every half-written line (before files are checked).
    fn finish_partials(&mut self) {
        for (path, rest) in std::mem::take(&mut self.partial) {
            self.append(&path, &rest);
        }
    }

    fn forget(&mut self, path: &Path) {
        self.files.retain(|f| f != path);
        self.partial.retain(|(f, _)| f != path);
    }

    fn step(&mut self) {
        if self.files.is_empty() {
            self.new_file("-home-dev-src-app");
            self.log.push("new file".into());
            return;
        }
        let i = self.pick(self.files.len());
        let path = self.files[i].clone();
        // Weighted: appends and new folders are the everyday case; the
        // deletion of `projects/` wipes out every earlier fault's traces,
        // so it comes at most once (see `run_seed`).
        const WEIGHTS: [(u64, u64); 13] = [
            (0, 4),
            (1, 2),
            (2, 1),
            (3, 1),
            (4, 1),
            (5, 1),
            (6, 1),
            (7, 2),
            (8, 3),
            (9, 1),
            (10, 1),
            (11, 1),
            (13, 1),
        ];
        let mut roll = self.rng.below(WEIGHTS.iter().map(|w| w.1).sum());
        let mut fault = 0;
        for (f, w) in WEIGHTS {
            if roll < w {
                fault = f;
                break;
            }
            roll -= w;
        }
        self.step_with(fault, i, path);
    }

    /// `projects/` deleted and made again, with one file.
    fn recreate_projects(&mut self) {
        self.log.push("projects/ deleted".into());
        let _ = std::fs::remove_dir_all(self.projects());
        self.files.clear();
        self.partial.clear();
        std::thread::sleep(Duration::from_millis(self.rng.below(1500)));
        self.new_file("-home-dev-src-app");
    }

    fn step_with(&mut self, fault: u64, i: usize, path: PathBuf) {
        // A half-written line is finished before anything but an append
        // touches its file (the writer would finish it first, too).
        if fault > 1
            && let Some(at) = self.partial.iter().position(|(f, _)| *f == path)
        {
            let (_, rest) = self.partial.remove(at);
            self.append(&path, &rest);
        }
        let name = path.strip_prefix(&self.root).unwrap().display().to_string();
        self.log.push(format!("{fault} on {name}"));
        let session = Self::session_of(&path);
        match fault {
            // Append whole records (most of what really happens).
            0 => {
                let line = self.record(&session);
                self.append(&path, &line);
            }
            // Half a line now, the rest later.
            1 => {
                if !self.partial.iter().any(|(f, _)| *f == path) {
                    let line = self.record(&session);
                    let cut = 1 + self.pick(line.len() - 2);
                    self.append(&path, &line[..cut]);
                    self.partial.push((path.clone(), line[cut..].to_owned()));
                }
            }
            // Rename within its folder.
            2 => {
                let to = path.with_file_name(format!("r{:04}.jsonl", self.next_msg));
                self.next_msg += 1;
                if std::fs::rename(&path, &to).is_ok() {
                    self.files[i] = to;
                }
            }
            // Rotate: moved away to a name that is no transcript, a new
            // file in its place.
            3 => {
                let _ = std::fs::rename(&path, path.with_extension("jsonl.1"));
                let line = self.record(&session);
                std::fs::write(&path, line).unwrap();
            }
            // Copy-truncate: copied aside, emptied, written again.
            4 => {
                let _ = std::fs::copy(&path, path.with_extension("bak"));
                let f = std::fs::OpenOptions::new().write(true).open(&path);
                let _ = f.and_then(|f| f.set_len(0));
                let line = self.record(&session);
                self.append(&path, &line);
            }
            // Truncate to nothing.
            5 => {
                let f = std::fs::OpenOptions::new().write(true).open(&path);
                let _ = f.and_then(|f| f.set_len(0));
            }
            // Delete.
            6 => {
                let _ = std::fs::remove_file(&path);
                self.forget(&path);
            }
            // New folders and a file in them at once.
            7 => {
                let dir = format!("-home-dev-src-p{}/{session}/subagents", self.next_msg);
                let agent = self.projects().join(dir).join("agent-a1.jsonl");
                std::fs::create_dir_all(agent.parent().unwrap()).unwrap();
                let line = self.record(&session);
                std::fs::write(&agent, line).unwrap();
                self.files.push(agent);
            }
            // In-place rewrite: same first bytes, same length, a number
            // in the last record changed.
            8 => {
                let Ok(mut bytes) = std::fs::read(&path) else {
                    return;
                };
                let text = String::from_utf8_lossy(&bytes).into_owned();
                if let Some(at) = text.rfind("\"output_tokens\":") {
                    let digit = at + "\"output_tokens\":".len();
                    if digit > 256 && bytes.get(digit).is_some_and(u8::is_ascii_digit) {
                        bytes[digit] = if bytes[digit] == b'9' { b'1' } else { b'9' };
                        let f = std::fs::OpenOptions::new().write(true).open(&path);
                        let _ = f.and_then(|mut f| f.write_all(&bytes));
                    }
                }
            }
            // A link to a file, and a link loop to a parent folder.
            9 => {
                let n = self.next_msg;
                self.next_msg += 1;
                let _ =
                    std::os::unix::fs::symlink(&path, path.with_file_name(format!("l{n}.jsonl")));
                let parent = path.parent().unwrap().to_path_buf();
                let _ = std::os::unix::fs::symlink(&parent, parent.join(format!("loop{n}")));
            }
            // A FIFO named like a transcript.
            10 => {
                let fifo = path.with_file_name(format!("f{}.jsonl", self.next_msg));
                self.next_msg += 1;
                let _ = std::process::Command::new("mkfifo").arg(fifo).status();
            }
            // chmod 000, a record, chmod back.
            11 => {
                use std::os::unix::fs::PermissionsExt;
                let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000));
                let line = self.record(&session);
                self.append(&path, &line);
                std::thread::sleep(Duration::from_millis(self.rng.below(30)));
                let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644));
            }
            // A new session in an existing folder.
            _ => {
                let dir = path.parent().unwrap().strip_prefix(self.projects());
                let dir = dir.map(|d| d.display().to_string()).unwrap_or_default();
                self.new_file(&dir);
            }
        }
    }
}

/// What both sides are compared on: the totals without the price (only
/// `status` prices), the file count and the skipped lines.
fn comparable(v: &Value) -> Value {
    let mut totals = v["totals"].clone();
    if let Some(t) = totals.as_object_mut() {
        t.remove("costUSD");
    }
    serde_json::json!({"totals": totals, "files": v["files"], "skipped": v["skipped"]})
}

fn run_seed(seed: u64) -> Result<(), String> {
    let tmp = tempfile::tempdir().unwrap();
    let isolate = tempfile::tempdir().unwrap();
    let mut world = World {
        root: tmp.path().join("data"),
        rng: Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1),
        files: Vec::new(),
        partial: Vec::new(),
        next_msg: 0,
        log: Vec::new(),
    };
    for _ in 0..3 {
        world.new_file("-home-dev-src-app");
    }
    world.new_file("-home-dev-src-lib");
    let mut child = ccwatch(isolate.path())
        .args(["events", "--json", "--no-cache", "--dir"])
        .arg(&world.root)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let latest = Arc::new(Mutex::new(Value::Null));
    let stdout = child.stdout.take().unwrap();
    let seen = latest.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let Ok(v) = serde_json::from_str::<Value>(&line) else {
                continue;
            };
            if v["event"] == "totals" || v["event"] == "ready" {
                *seen.lock().unwrap() = comparable(&v);
            }
        }
    });
    let started = Instant::now();
    while latest.lock().unwrap().is_null() {
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            let _ = child.wait();
            return Err("the live engine never got ready".into());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let wipe_at = world.rng.below(STEPS as u64 / 2) as usize;
    let wipe = world.rng.below(2) == 0;
    for step in 0..STEPS {
        if wipe && step == wipe_at {
            world.recreate_projects();
            continue;
        }
        world.step();
        std::thread::sleep(Duration::from_millis(world.rng.below(40)));
    }
    world.finish_partials();
    // Let modification times move on from the last write, then compare
    // until they agree or the live side has had ample time.
    std::thread::sleep(Duration::from_millis(200));
    let status = json_of(
        ccwatch(isolate.path())
            .args(["status", "--json", "--no-cache", "--dir"])
            .arg(&world.root),
    );
    let want = comparable(&status);
    let deadline = Instant::now() + Duration::from_secs(10);
    let result = loop {
        let got = latest.lock().unwrap().clone();
        if got == want {
            break Ok(());
        }
        if Instant::now() > deadline {
            break Err(format!(
                "seed {seed}: live {got}\n  scan {want}\n  faults: {}",
                world.log.join("; ")
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let killed = child.kill();
    let _ = child.wait();
    // The live engine must still be running when the schedule is over.
    killed.map_err(|e| format!("seed {seed}: the live engine had ended: {e}"))?;
    result
}

#[test]
fn the_live_state_after_a_random_schedule_of_faults_equals_a_fresh_scan() {
    let seeds: Vec<u64> = match std::env::var("CCWATCH_FAULT_SEEDS") {
        Ok(list) => list
            .split(',')
            .filter_map(|s| s.trim().parse().ok())
            .collect(),
        Err(_) => SEEDS.to_vec(),
    };
    let failures: Vec<String> = seeds
        .iter()
        .filter_map(|&seed| run_seed(seed).err())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
