//! ccwatch: watch Claude Code sessions' context windows and account their usage.
//!
//! The modules follow the pipeline, in the order data flows through it:
//! `source` (find files, tail bytes, watch for changes) → `parse` (one line
//! into a record) → `ledger` (dedup and per-session accumulation) →
//! `monitor` (changes and threshold alerts) → the consumers in `commands`
//! (`status`, `events`, and the dashboard).
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod alerts;
pub mod budget;
pub mod burn;
pub mod cli;
pub mod commands;
pub mod config;
#[doc(hidden)]
pub mod corpus;
pub mod cost;
pub mod export;
pub mod format;
pub mod gauge;
pub mod hints;
pub mod ledger;
pub mod monitor;
pub mod parse;
pub mod record;
pub mod report;
pub mod settings;
pub mod source;
pub mod statusline;
pub mod tui;
