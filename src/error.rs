//! The error a user can act on (a bad path, flag or config key): one
//! sentence, exit code 1, never a backtrace. It sits at the bottom so that
//! every layer can say one without reaching up to where settings are read.

use std::fmt;

/// A problem the user can fix: printed as one sentence, exit code 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserError(pub String);

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UserError {}
