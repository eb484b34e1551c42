//! The network namespace Claude Code runs in: only loopback, made by
//! `unshare --net`, held open by a small process, entered by the fake API's
//! listeners (bound from a thread that joined it) and by every child started
//! through [`Netns::command`]. Nothing here can reach beyond the namespace's
//! own loopback.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::os::fd::AsRawFd;
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::process::{Child, ChildStdin, Command, Stdio};

/// A network namespace with only `lo`, up. Dropping it ends the process
/// that holds it; the namespace goes once nothing inside it is left.
pub struct Netns {
    holder: Child,
    /// Kept open: closing it makes the holder's `cat` exit, so the
    /// namespace also ends when the test process dies without dropping.
    _holder_stdin: ChildStdin,
    ns: File,
}

impl Netns {
    /// `unshare --net` a shell that brings loopback up and then waits on its
    /// stdin. Refuses (Err) unless the result is a different namespace
    /// holding nothing but `lo`.
    pub fn new() -> Result<Netns, String> {
        let mut holder = Command::new("unshare")
            .args([
                "--net",
                "sh",
                "-c",
                "ip link set lo up && echo up && exec cat",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run unshare: {e}"))?;
        let stdin = holder.stdin.take().ok_or("no stdin for the holder")?;
        let mut line = String::new();
        let stdout = holder.stdout.take().ok_or("no stdout for the holder")?;
        BufReader::new(stdout)
            .read_line(&mut line)
            .map_err(|e| format!("reading from the namespace holder: {e}"))?;
        if line.trim() != "up" {
            let _ = holder.kill();
            let out = holder.wait_with_output().map_err(|e| e.to_string())?;
            return Err(format!(
                "unshare --net failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        let pid = holder.id();
        let ns = File::open(format!("/proc/{pid}/ns/net"))
            .map_err(|e| format!("opening the namespace of {pid}: {e}"))?;
        let netns = Netns {
            holder,
            _holder_stdin: stdin,
            ns,
        };
        netns.check_isolated()?;
        Ok(netns)
    }

    /// The guard before anything is started in it: another namespace than
    /// ours, and its only interface is loopback.
    fn check_isolated(&self) -> Result<(), String> {
        let ours = std::fs::metadata("/proc/self/ns/net").map_err(|e| e.to_string())?;
        let theirs = self.ns.metadata().map_err(|e| e.to_string())?;
        if ours.ino() == theirs.ino() {
            return Err("unshare --net left us in our own network namespace".into());
        }
        let dev = std::fs::read_to_string(format!("/proc/{}/net/dev", self.holder.id()))
            .map_err(|e| format!("reading the namespace's interfaces: {e}"))?;
        let interfaces: Vec<&str> = dev
            .lines()
            .skip(2)
            .filter_map(|l| l.split(':').next())
            .map(str::trim)
            .collect();
        if interfaces != ["lo"] {
            return Err(format!(
                "the namespace has interfaces besides loopback: {interfaces:?}"
            ));
        }
        Ok(())
    }

    /// A TCP listener on 127.0.0.1 inside the namespace: bound from a
    /// thread that joined it (a socket stays in the namespace it was made in).
    pub fn listen(&self) -> Result<std::net::TcpListener, String> {
        let fd = self.ns.as_raw_fd();
        std::thread::scope(|s| {
            s.spawn(|| {
                // SAFETY: setns on this thread only, with a namespace fd we hold open.
                if unsafe { libc::setns(fd, libc::CLONE_NEWNET) } != 0 {
                    return Err(format!(
                        "setns into the namespace: {}",
                        std::io::Error::last_os_error()
                    ));
                }
                let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
                l.set_nonblocking(true).map_err(|e| e.to_string())?;
                Ok(l)
            })
            .join()
            .map_err(|_| "the binding thread panicked".to_string())?
        })
    }

    /// A command that runs inside the namespace (it joins it between fork
    /// and exec).
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new(program);
        let fd = self.ns.as_raw_fd();
        // SAFETY: setns is async-signal-safe; the fd stays open until exec.
        unsafe {
            cmd.pre_exec(move || {
                if libc::setns(fd, libc::CLONE_NEWNET) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        cmd
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = self.holder.kill();
        let _ = self.holder.wait();
    }
}
