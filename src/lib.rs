//! ccwatch: watch Claude Code sessions' context windows and account their usage.
//!
//! The modules follow the pipeline, in the order data flows through it:
//! `source` (find files, tail bytes, watch for changes) → `parse` (one line
//! into a record) → `ledger` (dedup and per-session accumulation) → the
//! consumers (`status`, `events`, and later the dashboard and reports).

pub mod parse;
pub mod record;
pub mod source;
pub mod ledger;
