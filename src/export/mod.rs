//! Exporting ccwatch's numbers to the observability stack people already
//! run: `metrics` keeps and renders them in the Prometheus text format,
//! `http` serves them. Only numbers and names leave the process, never
//! transcript content.

pub mod http;
pub mod metrics;
