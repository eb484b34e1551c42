//! Finding transcripts, reading what was appended to them, and noticing
//! when they change: everything that touches the file system.

pub mod codex;
pub mod complete;
pub mod discover;
pub mod event;
pub mod index;
pub mod live;
pub mod poll;
pub mod reader;
pub mod scan;
pub mod tail;
pub mod watch;
