//! What filled a session's context: per-turn attribution of each
//! response's growth to what arrived before it, the summaries built on it,
//! and the tool calls the audit reads.
//!
//! This is the one part of ccwatch that reads message content, and only
//! for the session asked about, on demand: the main scan and the live path
//! never come here. Content is reduced to sizes, tool names and targets as
//! it is read; no text is kept, indexed or exported. Every token figure
//! made here is an estimate from sizes.

pub mod content;
pub mod label;
pub mod read;
pub mod split;
pub mod summary;
pub mod target;
pub mod timeline;

pub use content::{Category, Piece};
pub use read::{CallRecord, SessionFile, SessionReader, session_files};
pub use split::{TurnShares, share_out};
pub use summary::{Scope, Summary, TopItem, attribute};
pub use target::{Action, ToolCall};
pub use timeline::{Compaction, Timeline, Turn};
