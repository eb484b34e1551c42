//! The documents ccwatch writes about itself: shell completion scripts and
//! the manual page. Both are generated from the clap definition in `cli.rs`,
//! so they can never disagree with the flags the binary accepts.

use crate::cli::Cli;
use crate::error::UserError;
use clap::CommandFactory;
use std::io::Write;
use std::process::ExitCode;

/// Print the completion script for `shell` on stdout.
pub fn completions(shell: clap_complete::Shell) -> Result<ExitCode, UserError> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "ccwatch", &mut out);
    write_out(&out)
}

/// Print the roff manual page on stdout.
pub fn man() -> Result<ExitCode, UserError> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .map_err(|e| UserError(format!("could not write the manual page: {e}")))?;
    write_out(&out)
}

fn write_out(bytes: &[u8]) -> Result<ExitCode, UserError> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        // A closed pipe (`| head`) is the reader's choice, not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => Err(UserError(format!(
            "could not write to standard output: {e}"
        ))),
    }
}
