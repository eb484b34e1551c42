//! The Prometheus text exposition of the samples, written with the
//! Prometheus project's own client crate.

use super::metrics::{Kind, Metric, Sample};
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;

type Labels = Vec<(&'static str, String)>;

/// Render `samples` (in catalogue order) as OpenMetrics text.
pub fn render(samples: &[Sample]) -> Result<String, std::fmt::Error> {
    let mut registry = Registry::default();
    for metric in Metric::ALL {
        let of_metric = samples.iter().filter(|s| s.metric == metric);
        let labels = |s: &Sample| -> Labels {
            s.labels
                .iter()
                .map(|(l, v)| (l.prometheus_name(), v.clone()))
                .collect()
        };
        let (name, help) = (metric.prometheus_name(), metric.help());
        match (metric.kind(), metric.is_float()) {
            (Kind::Counter, false) => {
                let family = Family::<Labels, Counter>::default();
                for s in of_metric {
                    family.get_or_create(&labels(s)).inc_by(s.value as u64);
                }
                registry.register(name, help, family);
            }
            (Kind::Counter, true) => {
                let family = Family::<Labels, Counter<f64, AtomicU64>>::default();
                for s in of_metric {
                    family.get_or_create(&labels(s)).inc_by(s.value);
                }
                registry.register(name, help, family);
            }
            (Kind::Gauge, false) => {
                let family = Family::<Labels, Gauge>::default();
                for s in of_metric {
                    family.get_or_create(&labels(s)).set(s.value as i64);
                }
                registry.register(name, help, family);
            }
            (Kind::Gauge, true) => {
                let family = Family::<Labels, Gauge<f64, AtomicU64>>::default();
                for s in of_metric {
                    family.get_or_create(&labels(s)).set(s.value);
                }
                registry.register(name, help, family);
            }
        }
    }
    let mut out = String::new();
    encode(&mut out, &registry)?;
    Ok(out)
}
