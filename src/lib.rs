//! ccwatch: watch Claude Code sessions' context windows and account their usage.
//!
//! The modules follow the pipeline, in the order data flows through it:
//! `source` (find files, tail bytes, watch for changes) → `parse` (one line
//! into a record) → `ledger` (dedup and per-session accumulation) →
//! `monitor` (changes and threshold alerts) → the consumers in `commands`
//! (`status`, `events`, and the dashboard).
// Product code never unwraps (data from disk must not panic the dashboard);
// tests may. Target-scoped, so it lives here and not in Cargo.toml's [lints].
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod agent;
pub mod alerts;
pub mod attribution;
pub mod audit;
pub mod budget;
pub mod burn;
pub mod cli;
pub mod commands;
pub mod config;
pub mod cost;
pub mod engine;
pub mod error;
pub mod export;
pub mod format;
pub mod gauge;
pub mod hints;
pub mod ledger;
pub mod monitor;
pub mod parse;
pub mod receive;
pub mod record;
pub mod report;
pub mod search;
pub mod settings;
pub mod source;
pub mod state;
pub mod statusline;
pub mod tui;
pub mod units;
